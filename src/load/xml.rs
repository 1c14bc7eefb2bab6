//! A small XML tree with line numbers, built from `quick-xml` events, for
//! the Dataverse solution files a tenant folder may hold
//! (`powerpagecomponent.xml`, `customizations.xml`,
//! `Other/Relationships/*.xml`).
//!
//! Like the YAML reader ([`super::yaml`]) it keeps the line of every element
//! and of the start of its text, so that errors and findings can point at
//! them, and it refuses what a solution never holds and what could make a
//! load explode: a document type declaration (and with it any entity
//! definition), entity references other than the five predefined ones and
//! character references, nesting deeper than [`MAX_DEPTH`].

use crate::error::LoadError;
use quick_xml::events::{BytesRef, Event};
use quick_xml::Reader;

/// Deepest nesting accepted (form XML inside `customizations.xml` nests
/// about twenty levels).
pub const MAX_DEPTH: usize = 128;

/// One element: its local name (namespace prefix dropped), attributes,
/// child elements and direct text, with the lines they start on (1-based).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name.
    pub name: String,
    /// Line of its start tag.
    pub line: usize,
    /// Attributes in document order: (local name, value).
    pub attrs: Vec<(String, String)>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Its direct text (CDATA included, references resolved), untrimmed.
    pub text: String,
    /// Line where its text starts.
    pub text_line: usize,
}

impl Element {
    /// The value of an attribute.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The first child element named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The trimmed text of the first child named `name`, when it has any.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim()).filter(|s| !s.is_empty())
    }

    /// Every element named `name` in this subtree (itself included), in
    /// document order, not looking inside a match.
    pub fn find_all<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            if e.name == name {
                out.push(e);
            } else {
                stack.extend(e.children.iter().rev());
            }
        }
    }
}

/// Line starts of a text, to turn byte positions into lines.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        Lines(std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect())
    }

    fn line(&self, pos: u64) -> usize {
        let pos = usize::try_from(pos).unwrap_or(usize::MAX);
        self.0.partition_point(|&start| start <= pos).max(1)
    }
}

fn syntax(file: &str, line: usize, message: impl Into<String>) -> LoadError {
    LoadError::Syntax { file: file.to_string(), line, column: 1, message: message.into() }
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => name.into_owned(),
    }
}

/// The text a reference stands for: the five predefined entities and
/// character references; anything else is refused.
fn reference(r: &BytesRef<'_>) -> Result<char, String> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(c),
            _ => Err("invalid character reference".to_string()),
        };
    }
    let name = r.decode().map(|c| c.into_owned()).unwrap_or_default();
    match name.as_str() {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "quot" => Ok('"'),
        "apos" => Ok('\''),
        other => Err(format!("unknown entity `&{other};`")),
    }
}

fn start(e: &quick_xml::events::BytesStart<'_>, line: usize, file: &str) -> Result<Element, LoadError> {
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| syntax(file, line, format!("bad attribute: {err}")))?;
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| syntax(file, line, format!("bad attribute value: {err}")))?;
        attrs.push((local(a.key.as_ref()), value.into_owned()));
    }
    Ok(Element { name: local(e.name().as_ref()), line, attrs, ..Element::default() })
}

/// Appends text to the innermost open element (text outside the root is ignored).
fn push_text(stack: &mut [Element], line: usize, s: &str) {
    if let Some(top) = stack.last_mut() {
        if top.text.is_empty() {
            top.text_line = line;
        }
        top.text.push_str(s);
    }
}

/// Parses an XML document into its root element; `file` names it in errors.
pub fn parse(text: &str, file: &str) -> Result<Element, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = Lines::new(text);
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let at = lines.line(reader.buffer_position());
        let event = reader.read_event().map_err(|e| syntax(file, lines.line(reader.error_position()), e.to_string()))?;
        let element_done = match event {
            Event::Start(e) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(syntax(file, at, format!("elements nested deeper than {MAX_DEPTH}")));
                }
                stack.push(start(&e, at, file)?);
                None
            }
            Event::Empty(e) => Some(start(&e, at, file)?),
            Event::End(_) => stack.pop(),
            Event::Text(t) => {
                let s = t.xml10_content().map_err(|e| syntax(file, at, e.to_string()))?;
                push_text(&mut stack, at, &s);
                None
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| syntax(file, at, e.to_string()))?;
                push_text(&mut stack, at, &s);
                None
            }
            Event::GeneralRef(r) => {
                let c = reference(&r).map_err(|m| syntax(file, at, m))?;
                push_text(&mut stack, at, c.encode_utf8(&mut [0; 4]));
                None
            }
            Event::DocType(_) => return Err(syntax(file, at, "document type declarations are not supported")),
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => None,
        };
        if let Some(done) = element_done {
            match stack.last_mut() {
                Some(parent) => parent.children.push(done),
                None if root.is_none() => root = Some(done),
                None => return Err(syntax(file, at, "more than one root element")),
            }
        }
    }
    if let Some(open) = stack.last() {
        return Err(syntax(file, open.line, format!("element `{}` is not closed", open.name)));
    }
    root.ok_or_else(|| syntax(file, 1, "no root element"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn elements_text_and_lines() {
        let doc = "\u{feff}<?xml version=\"1.0\"?>\n<a x=\"1 &amp; 2\">\n  <b>one &lt; two</b>\n  <c:d xmlns:c=\"u\"><![CDATA[<raw>]]></c:d>\n  <e/>\n</a>\n";
        let a = parse(doc, "f.xml").unwrap();
        assert_eq!((a.name.as_str(), a.line, a.attr("x")), ("a", 2, Some("1 & 2")));
        assert_eq!(a.child_text("b"), Some("one < two"));
        assert_eq!(a.child("b").unwrap().line, 3);
        assert_eq!(a.child_text("d"), Some("<raw>"));
        assert_eq!(a.child("e").unwrap().line, 5);
        let mut found = Vec::new();
        a.find_all("b", &mut found);
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("<a>\n<b>\n</a>\n", "f.xml").unwrap_err().to_string();
        assert!(e.starts_with("f.xml: line 3"), "{e}");
        let e = parse("<!DOCTYPE a [<!ENTITY x \"y\">]>\n<a>&x;</a>", "f.xml").unwrap_err().to_string();
        assert!(e.contains("document type"), "{e}");
        let e = parse("<a>\n&nope;</a>", "f.xml").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("&nope;"), "{e}");
        let e = parse("<a>\n<b>\n", "f.xml").unwrap_err().to_string();
        assert!(e.contains("not closed"), "{e}");
        assert!(parse("", "f.xml").is_err());
        assert!(parse("<a/><b/>", "f.xml").is_err());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let doc = "<a>".repeat(MAX_DEPTH + 1);
        assert!(parse(&doc, "f.xml").unwrap_err().to_string().contains("deeper"));
    }
}
