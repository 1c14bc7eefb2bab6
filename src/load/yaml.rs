//! A small YAML tree with line numbers, built from `saphyr-parser` events.
//!
//! Site files are plain mappings and lists; this reader keeps the line of
//! every node and key so that errors and lint findings can point at them.
//! It refuses what a `pac pages download` never writes and what could make a
//! load explode or hang: aliases (`*name`), complex keys, several documents,
//! nesting deeper than [`MAX_DEPTH`].

use crate::error::LoadError;
use saphyr::{Scalar, ScanError};
use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::Value;
use std::borrow::Cow;

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;

/// One node and the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// 1-based line of the node's first character.
    pub line: usize,
    /// What it holds.
    pub kind: Kind,
}

/// The shapes of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A scalar: its value under the YAML 1.2 core schema, and its text as written.
    Scalar {
        /// Resolved value (`null`, bool, number or string).
        value: Value,
        /// The text as written (for ids that happen to look like numbers).
        text: String,
    },
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, in document order: `(key, key line, value)`.
    Map(Vec<(String, usize, Node)>),
}

impl Node {
    /// The scalar value, if this is a scalar.
    pub fn scalar(&self) -> Option<&Value> {
        match &self.kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// A string field: strings as they are, other plain scalars by their text,
    /// `null` and the empty string as `None`. `Err` for lists and mappings.
    pub fn string(&self) -> Result<Option<String>, &'static str> {
        match &self.kind {
            Kind::Scalar { value: Value::Null, .. } => Ok(None),
            Kind::Scalar { value: Value::String(s), .. } if s.trim().is_empty() => Ok(None),
            Kind::Scalar { value: Value::String(s), .. } => Ok(Some(s.clone())),
            Kind::Scalar { text, .. } => Ok(Some(text.clone())),
            Kind::Seq(_) => Err("a list"),
            Kind::Map(_) => Err("a mapping"),
        }
    }

    /// What kind of node this is, for messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Scalar { value: Value::Null, .. } => "an empty value".to_string(),
            Kind::Scalar { value: Value::String(s), .. } => format!("the text `{s}`"),
            Kind::Scalar { text, .. } => format!("`{text}`"),
            Kind::Seq(_) => "a list".to_string(),
            Kind::Map(_) => "a mapping".to_string(),
        }
    }
}

enum Frame {
    Seq(usize, Vec<Node>),
    Map(usize, Vec<(String, usize, Node)>, Option<(String, usize)>),
}

fn syntax(file: &str, line: usize, col: usize, message: impl Into<String>) -> LoadError {
    LoadError::Syntax { file: file.to_string(), line, column: col + 1, message: message.into() }
}

fn scan_error(file: &str, text: &str, e: &ScanError) -> LoadError {
    let (line, col) = (e.marker().line(), e.marker().col());
    if e.info().contains("tab") {
        // The scanner stops where the scalar before the tab ends, often on
        // the line above: name the tab itself.
        let tab = text.lines().enumerate().skip(line.saturating_sub(1)).find_map(|(i, l)| l.find('\t').map(|c| (i + 1, l[..c].chars().count())));
        if let Some((line, col)) = tab {
            return syntax(file, line, col, "a tab character: YAML indents with spaces only");
        }
    }
    syntax(file, line, col, e.info().to_string())
}

fn scalar_value(text: &str, style: ScalarStyle, tag: Option<&Cow<'_, saphyr::Tag>>) -> Option<Value> {
    let s = Scalar::parse_from_cow_and_metadata(Cow::Borrowed(text), style, tag)?;
    Some(match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(b),
        Scalar::Integer(i) => Value::from(i),
        Scalar::FloatingPoint(f) => serde_json::Number::from_f64(f.into_inner()).map(Value::Number).unwrap_or_else(|| Value::String(text.to_string())),
        Scalar::String(s) => Value::String(s.into_owned()),
    })
}

/// Parses one YAML document into a [`Node`]; `file` names it in errors. An
/// empty file is a `null` scalar on line 1.
pub fn parse(text: &str, file: &str) -> Result<Node, LoadError> {
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0usize;
    for item in parser.by_ref() {
        let (event, span): (Event, Span) = item.map_err(|e| scan_error(file, text, &e))?;
        let line = span.start.line();
        let col = span.start.col();
        let node = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(syntax(file, line, col, "more than one YAML document in the file"));
                }
                continue;
            }
            Event::Alias(_) => return Err(syntax(file, line, col, "aliases (`*name`) are not supported in site files")),
            Event::Scalar(v, style, _, tag) => {
                let value = scalar_value(&v, style, tag.as_ref())
                    .ok_or_else(|| syntax(file, line, col, format!("`{v}` does not match its tag")))?;
                // A key: remember it and wait for its value.
                if let Some(Frame::Map(_, entries, pending @ None)) = stack.last_mut() {
                    let key = v.into_owned();
                    if let Some((_, first, _)) = entries.iter().find(|(k, _, _)| *k == key) {
                        return Err(syntax(file, line, col, format!("key `{key}` appears twice (first on line {first})")));
                    }
                    *pending = Some((key, line));
                    continue;
                }
                Node { line, kind: Kind::Scalar { value, text: v.into_owned() } }
            }
            Event::SequenceStart(_, _) | Event::MappingStart(_, _) => {
                if let Some(Frame::Map(_, _, None)) = stack.last() {
                    return Err(syntax(file, line, col, "a list or mapping as a mapping key is not supported"));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(syntax(file, line, col, format!("nesting deeper than {MAX_DEPTH} levels")));
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq(line, Vec::new())
                } else {
                    Frame::Map(line, Vec::new(), None)
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(l, items)) => Node { line: l, kind: Kind::Seq(items) },
                Some(Frame::Map(l, entries, _)) => Node { line: l, kind: Kind::Map(entries) },
                None => return Err(syntax(file, line, col, "unbalanced YAML structure")),
            },
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => continue,
        };
        match stack.last_mut() {
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, pending)) => match pending.take() {
                Some((key, key_line)) => entries.push((key, key_line, node)),
                None => return Err(syntax(file, line, col, "a mapping key is missing")),
            },
            None => root = Some(node),
        }
    }
    Ok(root.unwrap_or(Node { line: 1, kind: Kind::Scalar { value: Value::Null, text: String::new() } }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn lines_and_values() {
        let n = parse("a: 1\nb: true\nc:\n- x\n- 'y'\nd: \ne: 756150000\n", "f.yml").unwrap();
        let Kind::Map(entries) = &n.kind else { panic!() };
        let keys: Vec<(&str, usize)> = entries.iter().map(|(k, l, _)| (k.as_str(), *l)).collect();
        assert_eq!(keys, vec![("a", 1), ("b", 2), ("c", 3), ("d", 6), ("e", 7)]);
        assert_eq!(entries[1].2.scalar(), Some(&Value::Bool(true)));
        let Kind::Seq(items) = &entries[2].2.kind else { panic!() };
        assert_eq!(items[0].line, 4);
        assert_eq!(items[1].string().unwrap().as_deref(), Some("y"));
        assert_eq!(entries[3].2.scalar(), Some(&Value::Null));
        assert_eq!(entries[4].2.scalar(), Some(&Value::from(756150000)));
    }

    #[test]
    fn a_tab_is_reported_on_its_own_line() {
        let e = parse("adx_webroleid: R1\nadx_name: A\n\tadx_anonymoususersrole: true\n", "f.yml").unwrap_err();
        assert_eq!(e.to_string(), "f.yml: line 3, column 1: a tab character: YAML indents with spaces only");
        let e = parse("a:\n  b: 1\n  c:\t\n  d:\n\t- x\n", "f.yml").unwrap_err();
        assert!(e.to_string().starts_with("f.yml: line 5, column 1: a tab"), "{e}");
    }

    #[test]
    fn syntax_error_has_line() {
        let e = parse("a: 1\nb: [x\n", "f.yml").unwrap_err();
        assert!(matches!(e, LoadError::Syntax { line, .. } if line >= 2), "{e}");
    }

    #[test]
    fn refuses_aliases_and_duplicate_keys() {
        assert!(parse("a: &x 1\nb: *x\n", "f.yml").unwrap_err().to_string().contains("aliases"));
        let e = parse("a: 1\na: 2\n", "f.yml").unwrap_err();
        assert_eq!(e.to_string(), "f.yml: line 2, column 1: key `a` appears twice (first on line 1)");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(&text, "f.yml").unwrap_err().to_string().contains("nesting deeper"));
    }
}
