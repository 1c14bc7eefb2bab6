//! Liquid FetchXML queries that filter on the Dataverse SYSTEM user (lint
//! PP029): the site's `web-templates/`, `web-pages/` and
//! `content-snippets/` are scanned for `{% fetchxml name %}` blocks, and in
//! them for a condition on the owner, creator or last modifier of a row
//! (`ownerid`, `owninguser`, `createdby`, `modifiedby`) that picks the
//! SYSTEM user: by its name (`uiname="SYSTEM"`, or a `systemuser` link
//! keeping the user named SYSTEM) or as the user the site runs as
//! (`eq-userid`, the SYSTEM user until a site moves to an application
//! user).
//!
//! A best-effort scan, never an error: a file that cannot be read, is too
//! large or lies too deep is skipped; nothing here fails a load.

use std::path::{Path, PathBuf};

/// The folders scanned, under the site folder.
pub const FOLDERS: [&str; 3] = ["web-templates", "web-pages", "content-snippets"];

/// Files larger than this are skipped (templates are kilobytes).
const MAX_BYTES: u64 = 8 << 20;
/// Folders deeper than this under a scanned folder are skipped.
const MAX_DEPTH: usize = 8;

/// Columns that name the user who owns, created or last modified a row.
const OWNER_COLUMNS: [&str; 4] = ["ownerid", "owninguser", "createdby", "modifiedby"];

/// One condition of a Liquid FetchXML query that picks the SYSTEM user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SystemUserFilter {
    /// The file, as a path for display.
    pub file: String,
    /// The file relative to the site folder, `/`-separated.
    pub relative: String,
    /// 1-based line of the condition.
    pub line: usize,
    /// The query's name (`{% fetchxml name %}`; empty when none is given).
    pub query: String,
    /// The column it filters on (`ownerid`, `createdby`, ...).
    pub column: String,
    /// How it picks the SYSTEM user, as a phrase.
    pub how: &'static str,
}

/// Every SYSTEM-user filter of the Liquid FetchXML queries under the site
/// folder `site_dir`, sorted by file and line.
pub fn scan(site_dir: &Path) -> Vec<SystemUserFilter> {
    let mut files = Vec::new();
    for folder in FOLDERS {
        walk(&site_dir.join(folder), MAX_DEPTH, &mut files);
    }
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        let text = String::from_utf8_lossy(&bytes);
        let relative = path
            .strip_prefix(site_dir)
            .map(|p| p.iter().map(|s| s.to_string_lossy()).collect::<Vec<_>>().join("/"))
            .unwrap_or_else(|_| path.display().to_string());
        for (line, query, column, how) in filters(&text) {
            out.push(SystemUserFilter { file: path.display().to_string(), relative: relative.clone(), line, query, column, how });
        }
    }
    out
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            if depth > 0 {
                walk(&entry.path(), depth - 1, out);
            }
        } else if kind.is_file() && entry.metadata().is_ok_and(|m| m.len() <= MAX_BYTES) {
            out.push(entry.path());
        }
    }
}

/// `(line, query, column, how)` of each SYSTEM-user condition in a text.
pub fn filters(text: &str) -> Vec<(usize, String, String, &'static str)> {
    let lower = text.to_ascii_lowercase();
    let lines: Vec<usize> = lower.match_indices('\n').map(|(i, _)| i).collect();
    let line_of = |at: usize| lines.partition_point(|&n| n < at) + 1;
    let mut out = Vec::new();
    let mut from = 0;
    while let Some((_, body, query)) = tag(&lower, from, "fetchxml") {
        let end = tag(&lower, body, "endfetchxml").map_or(lower.len(), |(start, _, _)| start);
        let query = text.get(query.0..query.1).unwrap_or_default().trim().trim_end_matches('-').trim().to_string();
        for (at, column, how) in conditions(&lower, body, end) {
            out.push((line_of(at), query.clone(), column, how));
        }
        from = end.max(body);
    }
    out
}

/// The next Liquid tag `{% word ... %}` at or after `from`: its start, the
/// end of the tag, and the range of the text after the word.
fn tag(lower: &str, from: usize, word: &str) -> Option<(usize, usize, (usize, usize))> {
    let mut at = from;
    loop {
        let start = at + lower.get(at..)?.find("{%")?;
        let inner = start + 2;
        let rest = lower.get(inner..)?;
        let skipped = rest.len() - rest.trim_start_matches(|c: char| c == '-' || c.is_whitespace()).len();
        let name_at = inner + skipped;
        let close = inner + rest.find("%}")?;
        let after = name_at + word.len();
        let is_word = lower.get(name_at..).is_some_and(|s| s.starts_with(word))
            && !lower[after..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_');
        if is_word && after <= close {
            return Some((start, close + 2, (after, close)));
        }
        at = inner;
    }
}

/// One XML start or end tag: its name, attributes, whether it closes
/// itself, and where it ends.
struct Element {
    name: String,
    closing: bool,
    attributes: Vec<(String, String)>,
    self_closing: bool,
    end: usize,
}

impl Element {
    fn get(&self, name: &str) -> &str {
        self.attributes.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }
}

/// Reads the element starting at `<` at `start` (text in lower case).
fn element(s: &str, start: usize, end: usize) -> Option<Element> {
    let b = s.as_bytes();
    let mut i = start + 1;
    let closing = b.get(i) == Some(&b'/');
    i += usize::from(closing);
    let name_start = i;
    while i < end && !b[i].is_ascii_whitespace() && b[i] != b'>' && b[i] != b'/' {
        i += 1;
    }
    let name = s.get(name_start..i)?.to_string();
    let mut attributes = Vec::new();
    loop {
        while i < end && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= end {
            return None;
        }
        match b[i] {
            b'>' => return Some(Element { name, closing, attributes, self_closing: false, end: i + 1 }),
            b'/' if b.get(i + 1) == Some(&b'>') => return Some(Element { name, closing, attributes, self_closing: true, end: i + 2 }),
            _ => {}
        }
        let key_start = i;
        while i < end && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let key = s.get(key_start..i)?.to_string();
        while i < end && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < end && b[i] == b'=' {
            i += 1;
            while i < end && b[i].is_ascii_whitespace() {
                i += 1;
            }
            let (v, next) = attribute_value(s, i, end)?;
            value = v;
            i = next;
        } else if key.is_empty() {
            i += 1;
        }
        attributes.push((key, value));
    }
}

/// An attribute value at `i` (quoted or not) and where it ends.
fn attribute_value(s: &str, i: usize, end: usize) -> Option<(String, usize)> {
    let b = s.as_bytes();
    match b.get(i) {
        Some(&q) if q == b'"' || q == b'\'' => {
            let close = i + 1 + s.get(i + 1..end)?.find(q as char)?;
            Some((s.get(i + 1..close)?.trim().to_string(), close + 1))
        }
        _ => {
            let mut j = i;
            while j < end && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                j += 1;
            }
            Some((s.get(i..j)?.to_string(), j))
        }
    }
}

const NAMED: &str = "names the SYSTEM user (`uiname=\"SYSTEM\"`)";
const CALLER: &str = "compares it with the user the site runs as (`eq-userid`), which is the SYSTEM user until the site moves";
const JOINED: &str = "joins `systemuser` on it and keeps the user named SYSTEM";

/// The SYSTEM-user conditions between `from` and `to` of one query:
/// `(offset, column, how)`.
fn conditions(s: &str, from: usize, to: usize) -> Vec<(usize, String, &'static str)> {
    let mut out = Vec::new();
    // For each open `link-entity`: the owner column it joins `systemuser` on.
    let mut links: Vec<Option<String>> = Vec::new();
    // The owner column of an open `<condition>` holding `<value>` elements.
    let mut open: Option<(usize, String)> = None;
    let mut at = from;
    while let Some(i) = s.get(at..to).and_then(|r| r.find('<')).map(|k| at + k) {
        let Some(e) = element(s, i, to) else {
            at = i + 1;
            continue;
        };
        at = e.end;
        match (e.name.as_str(), e.closing) {
            ("link-entity", true) => {
                links.pop();
            }
            ("link-entity", false) if !e.self_closing => {
                let to_column = e.get("to");
                let joined = e.get("name") == "systemuser" && OWNER_COLUMNS.contains(&to_column);
                links.push(joined.then(|| to_column.to_string()));
            }
            ("condition", true) => open = None,
            ("condition", false) => {
                let attribute = e.get("attribute");
                let system = e.get("uiname") == "system" || e.get("value") == "system";
                match links.last() {
                    Some(Some(column)) if system && matches!(attribute, "fullname" | "domainname" | "systemuserid") => {
                        out.push((i, column.clone(), JOINED));
                    }
                    _ if OWNER_COLUMNS.contains(&attribute) => {
                        if system {
                            out.push((i, attribute.to_string(), NAMED));
                        } else if e.get("operator") == "eq-userid" {
                            out.push((i, attribute.to_string(), CALLER));
                        } else if !e.self_closing {
                            open = Some((i, attribute.to_string()));
                        }
                    }
                    _ => {}
                }
            }
            ("value", false) => {
                let text = s.get(e.end..to).and_then(|r| r.split('<').next()).unwrap_or_default().trim();
                if let Some((start, column)) = open.take_if(|_| e.get("uiname") == "system" || text == "system") {
                    out.push((start, column, NAMED));
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn found(text: &str) -> Vec<(usize, String, String)> {
        filters(text).into_iter().map(|(l, q, c, _)| (l, q, c)).collect()
    }

    #[test]
    fn finds_owner_created_and_modified_by_system() {
        let text = "<h1>x</h1>\n{% fetchxml news %}\n<fetch>\n <entity name=\"cra3a_news\">\n  <filter>\n   <condition attribute=\"ownerid\" operator=\"eq\" uiname=\"SYSTEM\" uitype=\"systemuser\" value=\"{1}\" />\n   <condition attribute='createdby' operator='eq-userid'/>\n  </filter>\n  <link-entity name=\"systemuser\" from=\"systemuserid\" to=\"modifiedby\">\n   <filter><condition attribute=\"fullname\" operator=\"eq\" value=\"SYSTEM\" /></filter>\n  </link-entity>\n </entity>\n</fetch>\n{% endfetchxml %}\n";
        assert_eq!(
            found(text),
            vec![(6, "news".into(), "ownerid".into()), (7, "news".into(), "createdby".into()), (10, "news".into(), "modifiedby".into())]
        );
    }

    #[test]
    fn values_of_an_in_condition_and_whitespace_control() {
        let text = "{%- fetchxml q -%}<fetch><entity name='x'><filter><condition attribute='OwnerId' operator='in'>\n<value uiname='System'>{g}</value></condition></filter></entity></fetch>{%- endfetchxml -%}";
        assert_eq!(found(text), vec![(1, "q".into(), "ownerid".into())]);
    }

    #[test]
    fn ignores_other_users_other_columns_and_text_outside_queries() {
        let outside = "<condition attribute=\"ownerid\" uiname=\"SYSTEM\" />\n{% fetchxmlx q %}<condition attribute=\"ownerid\" uiname=\"SYSTEM\" />";
        assert!(found(outside).is_empty());
        let others = "{% fetchxml q %}<condition attribute=\"ownerid\" operator=\"eq\" uiname=\"Ada\" value=\"{1}\"/><condition attribute=\"statecode\" value=\"SYSTEM\"/><link-entity name=\"contact\" to=\"ownerid\"><condition attribute=\"fullname\" value=\"SYSTEM\"/></link-entity>{% endfetchxml %}";
        assert!(found(others).is_empty());
    }

    #[test]
    fn broken_markup_ends_without_a_panic() {
        for text in ["{% fetchxml", "{% fetchxml q %}<condition attribute=\"ownerid", "{% fetchxml %}<<<>/><value", "{%%}{% fetchxml q %}<link-entity></link-entity></link-entity>"] {
            let _ = filters(text);
        }
    }
}
