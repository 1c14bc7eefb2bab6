//! What every reader of site files shares (tenant-format.md, "Tenant
//! folders"): the key styles a download uses, the report of what the
//! importer saw beside the tenant (key styles, references it dropped), and
//! [`Fields`], one site record's known keys read in any spelling (`adx_`,
//! `mspp_` or unprefixed, any case), with their lines.

use crate::error::LoadError;
use crate::load::raw::Origin;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use super::files::{display, read_error};
use super::yaml::{self, Kind, Node};

/// How the keys of a site file are spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyStyle {
    /// `adx_` keys (classic `pac pages download`).
    Adx,
    /// `mspp_` keys (enhanced data model downloads).
    Mspp,
    /// Unprefixed keys (code sites, `.powerpages-site`).
    Unprefixed,
}

impl KeyStyle {
    /// How the style is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            KeyStyle::Adx => "`adx_` keys",
            KeyStyle::Mspp => "`mspp_` keys",
            KeyStyle::Unprefixed => "unprefixed keys",
        }
    }
}

/// What kind of reference a folder tenant dropped (tenant-format.md,
/// "Broken references in real downloads").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DroppedKind {
    /// A permission's parent id that names no permission (PP025).
    Parent,
    /// A role id that names no web role (PP026).
    Role,
}

/// A reference of a folder tenant that names nothing, dropped on load and
/// reported by lint (PP025, PP026).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dropped {
    /// Parent or role.
    pub kind: DroppedKind,
    /// What held it: `table permission`, `column permission profile`,
    /// `page rule`, `contact` or `account` (a membership row).
    pub holder: &'static str,
    /// The holder's id (for a membership, the contact or account id).
    pub id: String,
    /// The holder's display name (empty when it has none).
    pub name: String,
    /// The id that names nothing.
    pub missing: String,
    /// The file it was read from.
    pub file: String,
    /// The line of the reference (YAML), when known.
    pub line: Option<usize>,
    /// The JSON path of the reference (Web API pages), when known.
    pub place: Option<String>,
}

/// What the importer saw in the site folder, beyond the tenant itself
/// (lint uses it for PP015, PP025, PP026, PP029).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteReport {
    /// The site folder, as a path for display.
    pub dir: String,
    /// For each key style used by the site's records, the files using it
    /// (sorted).
    pub styles: BTreeMap<KeyStyle, Vec<String>>,
    /// References that named nothing and were dropped, in file order.
    pub dropped: Vec<Dropped>,
    /// Liquid FetchXML conditions that pick the SYSTEM user (PP029);
    /// filled by lint, which scans the templates ([`super::liquid::scan`]).
    pub system_user_filters: Vec<super::liquid::SystemUserFilter>,
    /// Site records that could not be read and were dropped (PP044).
    pub unreadable: Vec<super::raw::Unreadable>,
}

impl SiteReport {
    /// The record `r` read, or `None` when it could not be read: the error
    /// is kept (PP044) and the record dropped, never the site. Errors that
    /// are not about one record (a file that cannot be read) stay errors.
    pub(crate) fn keep<T>(&mut self, r: Result<T, LoadError>) -> Result<Option<T>, LoadError> {
        match r {
            Ok(v) => Ok(Some(v)),
            Err(LoadError::Invalid { file, place, message }) => {
                let line = place.strip_prefix("line ").and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next()).and_then(|n| n.parse().ok());
                self.unreadable.push(super::raw::Unreadable { file, line, place, message });
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// [`SiteReport::keep`], the record pushed onto `out` when read.
    pub(crate) fn keep_into<T>(&mut self, r: Result<T, LoadError>, out: &mut Vec<T>) -> Result<(), LoadError> {
        out.extend(self.keep(r)?);
        Ok(())
    }
}

/// An error at a line and key of a site file.
pub(crate) fn invalid(file: &str, line: usize, key: &str, message: impl Into<String>) -> LoadError {
    LoadError::Invalid { file: file.to_string(), place: format!("line {line} (`{key}`)"), message: message.into() }
}

/// Reads and parses one YAML site file, recording it as an input.
pub(crate) fn read_yaml(path: &Path, inputs: &mut Vec<PathBuf>) -> Result<(Node, String), LoadError> {
    let file = display(path);
    let text = std::fs::read_to_string(path).map_err(|e| read_error(path, e))?;
    inputs.push(path.to_path_buf());
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Ok((yaml::parse(text, &file)?, file))
}

/// The records of a file that holds a list of them (`webrole.yml`,
/// `sitesetting.yml`, ...) or a single one; an empty file holds none.
pub(crate) fn records<'a>(node: &'a Node, file: &str, what: &str) -> Result<Vec<&'a Node>, LoadError> {
    match &node.kind {
        Kind::Seq(items) => Ok(items.iter().collect()),
        Kind::Map(_) => Ok(vec![node]),
        Kind::Scalar { value: Value::Null, .. } => Ok(Vec::new()),
        Kind::Scalar { .. } => Err(LoadError::Invalid {
            file: file.to_string(),
            place: format!("line {}", node.line),
            message: format!("expected a list of {what}, found {}", node.describe()),
        }),
    }
}

/// Files of `dir` whose names end with `suffix` (in any case), sorted by
/// name; with `depth` > 0 also those of its subfolders, that many levels
/// down (folder links are not followed).
pub(crate) fn files_ending(dir: &Path, suffix: &str, depth: usize) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    collect(dir, &suffix.to_ascii_lowercase(), depth, &mut out)?;
    out.sort();
    Ok(out)
}

fn collect(dir: &Path, suffix: &str, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(|e| read_error(dir, e))? {
        let entry = entry.map_err(|e| read_error(dir, e))?;
        let path = entry.path();
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if is_dir {
            if depth > 0 {
                collect(&path, suffix, depth - 1, out)?;
            }
            continue;
        }
        let name = entry.file_name().to_string_lossy().to_ascii_lowercase();
        if path.is_file() && name.ends_with(suffix) {
            out.push(path);
        }
    }
    Ok(())
}

/// The fields of one site record, by unprefixed name.
pub(crate) struct Fields<'a> {
    pub(crate) file: &'a str,
    pub(crate) line: usize,
    map: BTreeMap<&'static str, (&'a str, usize, &'a Node)>,
}

/// Splits a key (already in lower case) into its style and its unprefixed name.
fn split_key(key: &str) -> (KeyStyle, &str) {
    if let Some(rest) = key.strip_prefix("adx_") {
        (KeyStyle::Adx, rest)
    } else if let Some(rest) = key.strip_prefix("mspp_") {
        (KeyStyle::Mspp, rest)
    } else {
        (KeyStyle::Unprefixed, key)
    }
}

/// Keys that say nothing about the style of a download: Dataverse system
/// columns, and role lists (real code sites spell them `adx_..._webrole`).
fn style_neutral(name: &str, style: KeyStyle) -> bool {
    name == "statecode" || (style == KeyStyle::Adx && name.ends_with("_webrole"))
}

impl<'a> Fields<'a> {
    /// The keys of `node` named in `known` (unknown keys are ignored), in
    /// any spelling and case; two spellings of one key are an error.
    pub(crate) fn new(
        node: &'a Node,
        file: &'a str,
        known: &[&'static str],
        what: &str,
        site: &mut SiteReport,
    ) -> Result<Fields<'a>, LoadError> {
        let Kind::Map(entries) = &node.kind else {
            return Err(LoadError::Invalid {
                file: file.to_string(),
                place: format!("line {}", node.line),
                message: format!("expected a {what} mapping, found {}", node.describe()),
            });
        };
        let mut map = BTreeMap::new();
        for (key, line, value) in entries {
            let lower = key.to_ascii_lowercase();
            let (style, name) = split_key(&lower);
            let Some(&name) = known.iter().find(|k| **k == name) else { continue };
            if let Some((first, first_line, _)) = map.insert(name, (key.as_str(), *line, value)) {
                return Err(invalid(file, *line, key, format!("`{key}` repeats `{first}` (line {first_line})")));
            }
            if !style_neutral(name, style) {
                site.styles.entry(style).or_default().push(file.to_string());
            }
        }
        Ok(Fields { file, line: node.line, map })
    }

    /// A field by unprefixed name: the key as written, its line, its value.
    pub(crate) fn get(&self, name: &str) -> Option<(&'a str, usize, &'a Node)> {
        self.map.get(name).copied()
    }

    /// The first of `names` that is present and not empty.
    pub(crate) fn string(&self, names: &[&str]) -> Result<Option<(String, usize, &'a str)>, LoadError> {
        for name in names {
            if let Some((key, line, node)) = self.get(name) {
                match node.string() {
                    Ok(Some(s)) => return Ok(Some((s, line, key))),
                    Ok(None) => {}
                    Err(found) => return Err(invalid(self.file, line, key, format!("expected a text value, found {found}"))),
                }
            }
        }
        Ok(None)
    }

    /// The first of `names` that is present and not empty, or an error
    /// naming `what` and its `spellings`.
    pub(crate) fn required(&self, names: &[&str], what: &str, spellings: &str) -> Result<(String, usize, &'a str), LoadError> {
        self.string(names)?.ok_or_else(|| LoadError::Invalid {
            file: self.file.to_string(),
            place: format!("line {}", self.line),
            message: format!("missing {what} ({spellings})"),
        })
    }

    /// A Boolean field; absent or empty is false.
    pub(crate) fn flag(&self, name: &str) -> Result<bool, LoadError> {
        match self.get(name) {
            None => Ok(false),
            Some((key, line, node)) => match node.scalar() {
                Some(Value::Bool(b)) => Ok(*b),
                Some(Value::Null) => Ok(false),
                _ => Err(invalid(self.file, line, key, format!("expected `true` or `false`, found {}", node.describe()))),
            },
        }
    }

    /// A whole-number field (a Dataverse choice code, quoted or not):
    /// `None` when absent or empty.
    pub(crate) fn code(&self, name: &str) -> Result<Option<(u64, usize, &'a str)>, LoadError> {
        let Some((key, line, node)) = self.get(name) else { return Ok(None) };
        match node.scalar() {
            Some(Value::Null) => Ok(None),
            Some(v) => match code_of(v) {
                Some(c) => Ok(Some((c, line, key))),
                None if v.as_str().is_some_and(|s| s.trim().is_empty()) => Ok(None),
                None => Err(invalid(self.file, line, key, format!("expected a choice code, found {}", node.describe()))),
            },
            None => Err(invalid(self.file, line, key, format!("expected a choice code, found {}", node.describe()))),
        }
    }

    /// `statecode`: 0 active (the default), 1 inactive.
    pub(crate) fn active(&self) -> Result<bool, LoadError> {
        match self.code("statecode")? {
            None | Some((0, _, _)) => Ok(true),
            Some((1, _, _)) => Ok(false),
            Some((_, line, key)) => {
                let found = self.get("statecode").map(|(_, _, n)| n.describe()).unwrap_or_default();
                Err(invalid(self.file, line, key, format!("expected 0 (active) or 1 (inactive), found {found}")))
            }
        }
    }

    /// Where the record starts.
    pub(crate) fn origin(&self) -> Origin {
        Origin { file: self.file.to_string(), line: Some(self.line), fields: Vec::new() }
    }

    /// A list of ids (a list, one id, or nothing): each id with its line.
    pub(crate) fn ids(&self, name: &str, what: &str) -> Result<Vec<(String, usize, &'a str)>, LoadError> {
        let Some((key, line, node)) = self.get(name) else { return Ok(Vec::new()) };
        let items: Vec<&Node> = match &node.kind {
            Kind::Seq(items) => items.iter().collect(),
            Kind::Scalar { value: Value::Null, .. } => Vec::new(),
            Kind::Scalar { .. } => vec![node],
            Kind::Map(_) => return Err(invalid(self.file, line, key, format!("expected a list of {what}s, found a mapping"))),
        };
        let mut out = Vec::new();
        for item in items {
            match item.string() {
                Ok(Some(r)) => out.push((r, item.line, key)),
                Ok(None) => {}
                Err(found) => return Err(invalid(self.file, item.line, key, format!("expected a {what}, found {found}"))),
            }
        }
        Ok(out)
    }

    /// A list of choice codes (a list, one code, or a comma-separated
    /// text), each with its line and the key as written.
    pub(crate) fn codes(&self, name: &str) -> Result<Vec<(u64, usize, &'a str)>, LoadError> {
        let Some((key, line, node)) = self.get(name) else { return Ok(Vec::new()) };
        let items: Vec<&Node> = match &node.kind {
            Kind::Seq(items) => items.iter().collect(),
            Kind::Map(_) => return Err(invalid(self.file, line, key, "expected a list of choice codes, found a mapping")),
            Kind::Scalar { .. } => vec![node],
        };
        let mut out = Vec::new();
        for item in items {
            let bad = || invalid(self.file, item.line, key, format!("expected a choice code, found {}", item.describe()));
            match item.scalar() {
                Some(Value::Null) => {}
                Some(Value::String(s)) => {
                    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                        out.push((part.parse::<u64>().map_err(|_| bad())?, item.line, key));
                    }
                }
                Some(v) => out.push((code_of(v).ok_or_else(bad)?, item.line, key)),
                None => return Err(bad()),
            }
        }
        Ok(out)
    }
}

/// The web role ids of a record's role list `name` (a list, one id, or
/// nothing), each placed in `origin` as `web_roles[k]` at its line.
pub(crate) fn role_list(f: &Fields<'_>, name: &str, origin: &mut Origin) -> Result<Vec<String>, LoadError> {
    let mut out = Vec::new();
    for (id, line, key) in f.ids(name, "web role id")? {
        origin.fields.push((format!("web_roles[{}]", out.len()), line, key.to_string()));
        out.push(id);
    }
    Ok(out)
}

/// A choice code: a whole number, or a text of digits.
fn code_of(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn fields_of(text: &str) -> (Node, SiteReport) {
        (yaml::parse(text, "f.yml").unwrap(), SiteReport::default())
    }

    #[test]
    fn keys_are_read_in_any_case_and_unknown_keys_are_ignored() {
        let (node, mut site) = fields_of("ADX_Name: A\nadx_childTablePermissions: true\nadx_Read: true\n");
        let f = Fields::new(&node, "f.yml", &["name", "read"], "record", &mut site).unwrap();
        assert_eq!(f.string(&["name"]).unwrap().map(|x| x.0).as_deref(), Some("A"));
        assert!(f.flag("read").unwrap());
        assert_eq!(site.styles.keys().copied().collect::<Vec<_>>(), vec![KeyStyle::Adx]);
    }

    #[test]
    fn crlf_line_endings_read_like_lf() {
        let (crlf, mut site) = fields_of("adx_name: A\r\nadx_read: true\r\nstatecode: 1\r\nroles:\r\n- R1\r\n- R2\r\n");
        let f = Fields::new(&crlf, "f.yml", &["name", "read", "statecode", "roles"], "record", &mut site).unwrap();
        assert_eq!(f.string(&["name"]).unwrap().map(|x| (x.0, x.1)), Some(("A".to_string(), 1)));
        assert!(f.flag("read").unwrap());
        assert!(!f.active().unwrap());
        let ids: Vec<(String, usize)> = f.ids("roles", "web role id").unwrap().into_iter().map(|(s, l, _)| (s, l)).collect();
        assert_eq!(ids, vec![("R1".to_string(), 5), ("R2".to_string(), 6)]);
    }

    #[test]
    fn codes_read_as_lists_numbers_and_comma_separated_text() {
        let (node, mut site) = fields_of("a:\n- 746610000\n- '746610001'\nb: 746610002\nc: '746610000, 746610002'\nd: []\n");
        let f = Fields::new(&node, "f.yml", &["a", "b", "c", "d"], "record", &mut site).unwrap();
        let codes = |k: &str| f.codes(k).unwrap().into_iter().map(|c| c.0).collect::<Vec<_>>();
        assert_eq!(codes("a"), vec![746610000, 746610001]);
        assert_eq!(codes("b"), vec![746610002]);
        assert_eq!(codes("c"), vec![746610000, 746610002]);
        assert!(codes("d").is_empty());
        let (node, _) = fields_of("a: [x]\n");
        let f = Fields::new(&node, "f.yml", &["a"], "record", &mut site).unwrap();
        assert_eq!(f.codes("a").unwrap_err().to_string(), "f.yml: at line 1 (`a`): expected a choice code, found the text `x`");
    }

    #[test]
    fn statecode_quoted_or_not() {
        for (text, active) in [("statecode: 0\n", true), ("statecode: '1'\n", false), ("statecode:\n", true), ("x: 1\n", true)] {
            let (node, mut site) = fields_of(text);
            let f = Fields::new(&node, "f.yml", &["statecode"], "record", &mut site).unwrap();
            assert_eq!(f.active().unwrap(), active, "{text}");
        }
        let (node, mut site) = fields_of("statecode: 7\n");
        let f = Fields::new(&node, "f.yml", &["statecode"], "record", &mut site).unwrap();
        assert!(f.active().unwrap_err().to_string().contains("expected 0 (active) or 1 (inactive), found `7`"));
    }
}
