//! Sites as Dataverse solutions (tenant-format.md, "Solutions"): an
//! extracted or unpacked solution of an enhanced-data-model site, whose
//! site records are `powerpagecomponents/<id>/powerpagecomponent.xml`.
//!
//! Each record has a `powerpagecomponenttype` (what it is) and a `content`
//! element holding its fields as JSON in the code-site spelling. This file
//! reads the records of one site into line-keeping trees ([`Node`], lines
//! of the XML file), the record's id, name and state added as the fields a
//! code site spells `powerpagecomponentid`, `name` and `statecode`, so that
//! the site folder reader reads them as it reads code-site files. It also
//! names the solution's relationship metadata (`customizations.xml`, or an
//! unpacked solution's `Other/Relationships`).

use super::files::{display, read_error};
use super::metadata::json_tree;
use super::xml::{self, Element};
use super::yaml::{Kind, Node};
use crate::error::LoadError;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// `powerpagecomponenttype` codes, from Microsoft's documentation of the
/// `powerpagecomponent` table (Site Component, "Component Type" choices).
pub mod types {
    /// Publishing State.
    pub const PUBLISHING_STATE: u32 = 1;
    /// Web Page.
    pub const WEB_PAGE: u32 = 2;
    /// Web File.
    pub const WEB_FILE: u32 = 3;
    /// Cloud Flow (consumer).
    pub const CLOUD_FLOW: u32 = 33;
    /// Server Logic.
    pub const SERVER_LOGIC: u32 = 35;
    /// Site Setting.
    pub const SITE_SETTING: u32 = 9;
    /// Web Page Access Control Rule.
    pub const PAGE_RULE: u32 = 10;
    /// Web Role.
    pub const WEB_ROLE: u32 = 11;
    /// Website Access.
    pub const WEBSITE_ACCESS: u32 = 12;
    /// Basic Form.
    pub const BASIC_FORM: u32 = 15;
    /// List.
    pub const LIST: u32 = 17;
    /// Table Permission.
    pub const TABLE_PERMISSION: u32 = 18;
    /// Advanced Form.
    pub const ADVANCED_FORM: u32 = 19;
    /// Advanced Form Step.
    pub const ADVANCED_FORM_STEP: u32 = 20;
    /// Column Permission Profile.
    pub const COLUMN_PERMISSION_PROFILE: u32 = 28;
    /// Column Permission.
    pub const COLUMN_PERMISSION: u32 = 29;
}

/// One site record.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    /// Its `powerpagecomponentid`.
    pub id: String,
    /// Its `powerpagecomponenttype`.
    pub kind: u32,
    /// Its fields: the `content` JSON with `powerpagecomponentid`, `name`
    /// and `statecode` added from the record when the content lacks them.
    pub node: Node,
    /// The record's file, for errors.
    pub file: String,
}

/// The records of one site of a solution, and the solution's relationship
/// metadata files.
#[derive(Debug, Clone, Default)]
pub struct SolutionSite {
    /// The site's `powerpagesiteid` (empty when the records name none).
    pub site: String,
    /// Its records, by folder name.
    pub components: Vec<Component>,
    /// `customizations.xml`, `Other/Customizations.xml`,
    /// `Other/Relationships.xml` and `Other/Relationships/*.xml`, where present.
    pub metadata: Vec<PathBuf>,
}

impl SolutionSite {
    /// The records of one type, in folder order.
    pub fn of_kind(&self, kind: u32) -> impl Iterator<Item = &Component> {
        self.components.iter().filter(move |c| c.kind == kind)
    }
}

static CHOSEN_SITE: OnceLock<String> = OnceLock::new();

/// Chooses, for this process, the site read from a solution holding
/// several (the command line's `--site ID`). Only the first choice counts.
pub fn choose_site(id: &str) {
    let _ = CHOSEN_SITE.set(id.to_string());
}

/// The site chosen with [`choose_site`], if any.
pub fn chosen_site() -> Option<&'static str> {
    CHOSEN_SITE.get().map(String::as_str)
}

/// Whether `dir` is a solution folder (it has `powerpagecomponents/`).
pub fn is_solution(dir: &Path) -> bool {
    dir.join("powerpagecomponents").is_dir()
}

/// Reads the records of the site `site` (or of the only site) of the
/// solution in `dir`.
pub fn read(dir: &Path, site: Option<&str>, inputs: &mut Vec<PathBuf>) -> Result<SolutionSite, LoadError> {
    let records_dir = dir.join("powerpagecomponents");
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(&records_dir).map_err(|e| read_error(&records_dir, e))? {
        let path = entry.map_err(|e| read_error(&records_dir, e))?.path();
        if path.join("powerpagecomponent.xml").is_file() {
            folders.push(path.join("powerpagecomponent.xml"));
        }
    }
    folders.sort();
    let mut by_site: BTreeMap<String, Vec<Component>> = BTreeMap::new();
    for path in folders {
        let text = std::fs::read_to_string(&path).map_err(|e| read_error(&path, e))?;
        let file = display(&path);
        inputs.push(path);
        let (site_id, component) = record(&xml::parse(&text, &file)?, &file)?;
        by_site.entry(site_id).or_default().push(component);
    }
    let chosen = choose(&records_dir, &by_site, site)?;
    let components = by_site.remove(&chosen).unwrap_or_default();
    let mut metadata = Vec::new();
    for name in ["customizations.xml", "Other/Customizations.xml", "Other/Relationships.xml"] {
        if dir.join(name).is_file() {
            metadata.push(dir.join(name));
        }
    }
    let rel_dir = dir.join("Other").join("Relationships");
    if rel_dir.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&rel_dir)
            .map_err(|e| read_error(&rel_dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")))
            .collect();
        files.sort();
        metadata.extend(files);
    }
    Ok(SolutionSite { site: chosen, components, metadata })
}

/// The site to read: the one asked for, or the only one.
fn choose(dir: &Path, by_site: &BTreeMap<String, Vec<Component>>, site: Option<&str>) -> Result<String, LoadError> {
    let list = || {
        by_site
            .iter()
            .map(|(s, c)| format!("`{s}` ({} records)", c.len()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let fail = |message: String| LoadError::Invalid { file: display(dir), place: "`powerpagesiteid`".to_string(), message };
    match site {
        Some(s) if by_site.contains_key(s) => Ok(s.to_string()),
        Some(s) => Err(fail(format!("the solution holds no site `{s}` (sites: {})", list()))),
        None if by_site.len() <= 1 => Ok(by_site.keys().next().cloned().unwrap_or_default()),
        None => Err(fail(format!("the solution holds {} sites: {}; choose one with `--site ID`", by_site.len(), list()))),
    }
}

fn invalid(file: &str, e: &Element, message: impl Into<String>) -> LoadError {
    LoadError::Invalid { file: file.to_string(), place: format!("line {} (`{}`)", e.line, e.name), message: message.into() }
}

/// One `powerpagecomponent.xml`: its site id and the record.
fn record(root: &Element, file: &str) -> Result<(String, Component), LoadError> {
    if root.name != "powerpagecomponent" {
        return Err(invalid(file, root, "expected a `powerpagecomponent` record"));
    }
    let id = root
        .attr("powerpagecomponentid")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .or_else(|| root.child_text("powerpagecomponentid"))
        .ok_or_else(|| invalid(file, root, "the record has no `powerpagecomponentid`"))?
        .to_string();
    let type_el = root.child("powerpagecomponenttype").ok_or_else(|| invalid(file, root, "the record has no `powerpagecomponenttype`"))?;
    let kind = type_el.text.trim().parse::<u32>().map_err(|_| {
        invalid(file, type_el, format!("`powerpagecomponenttype` must be a number, found `{}`", type_el.text.trim()))
    })?;
    // `<powerpagesiteid><powerpagesiteid>GUID</powerpagesiteid></powerpagesiteid>`, or the GUID itself.
    let site = root
        .child("powerpagesiteid")
        .map(|s| s.child_text("powerpagesiteid").unwrap_or(s.text.trim()).to_string())
        .unwrap_or_default();
    let mut node = match root.child("content") {
        Some(c) if !c.text.trim().is_empty() => json_tree(&c.text, file, c.text_line.saturating_sub(1))?,
        Some(c) => Node { line: c.line, kind: Kind::Map(Vec::new()) },
        None => Node { line: root.line, kind: Kind::Map(Vec::new()) },
    };
    let Kind::Map(entries) = &mut node.kind else {
        return Err(LoadError::Invalid {
            file: file.to_string(),
            place: format!("line {}", node.line),
            message: "the record's `content` must be a JSON object".to_string(),
        });
    };
    let mut add = |key: &str, value: Option<(String, usize)>| {
        if let Some((v, line)) = value {
            if !entries.iter().any(|(k, _, _)| k.trim_start_matches("adx_").trim_start_matches("mspp_") == key) {
                let scalar = if key == "statecode" { v.parse::<u64>().map(Value::from).unwrap_or(Value::String(v.clone())) } else { Value::String(v.clone()) };
                entries.push((key.to_string(), line, Node { line, kind: Kind::Scalar { value: scalar, text: v } }));
            }
        }
    };
    add("powerpagecomponentid", Some((id.clone(), root.line)));
    add("name", root.child("name").and_then(|n| Some((n.text.trim().to_string(), n.line)).filter(|(s, _)| !s.is_empty())));
    add("statecode", root.child("statecode").and_then(|n| Some((n.text.trim().to_string(), n.line)).filter(|(s, _)| !s.is_empty())));
    Ok((site, Component { id, kind, node, file: file.to_string() }))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn rec(text: &str) -> Result<(String, Component), LoadError> {
        record(&xml::parse(text, "p.xml").unwrap(), "p.xml")
    }

    fn field<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
        let Kind::Map(e) = &n.kind else { return None };
        e.iter().find(|(k, _, _)| k == key).map(|(_, _, n)| n)
    }

    #[test]
    fn a_record_reads_with_lines_of_the_xml_file() {
        let text = "<powerpagecomponent powerpagecomponentid=\"P1\">\n  <content>{\n  \"entitylogicalname\": \"spnvc_invoice\",\n  \"scope\": 756150001\n}</content>\n  <name>Invoices</name>\n  <powerpagecomponenttype>18</powerpagecomponenttype>\n  <powerpagesiteid>\n    <powerpagesiteid>S1</powerpagesiteid>\n  </powerpagesiteid>\n  <statecode>1</statecode>\n</powerpagecomponent>\n";
        let (site, c) = rec(text).unwrap();
        assert_eq!((site.as_str(), c.kind, c.id.as_str()), ("S1", types::TABLE_PERMISSION, "P1"));
        assert_eq!(field(&c.node, "scope").unwrap().line, 4);
        assert_eq!(field(&c.node, "name").unwrap().string().unwrap().as_deref(), Some("Invoices"));
        assert_eq!(field(&c.node, "name").unwrap().line, 6);
        assert_eq!(field(&c.node, "statecode").unwrap().scalar(), Some(&Value::from(1)));
    }

    #[test]
    fn bad_records_name_the_line() {
        let e = rec("<powerpagecomponent powerpagecomponentid=\"P1\">\n<powerpagecomponenttype>web role</powerpagecomponenttype>\n</powerpagecomponent>").unwrap_err();
        assert!(e.to_string().starts_with("p.xml: at line 2 (`powerpagecomponenttype`)"), "{e}");
        let e = rec("<powerpagecomponent powerpagecomponentid=\"P1\">\n<content>{\n\"a\": }</content>\n<powerpagecomponenttype>18</powerpagecomponenttype>\n</powerpagecomponent>").unwrap_err();
        assert!(matches!(e, LoadError::Syntax { line: 3, .. }), "{e}");
        let e = rec("<powerpagecomponent>\n<powerpagecomponenttype>18</powerpagecomponenttype>\n</powerpagecomponent>").unwrap_err();
        assert!(e.to_string().contains("no `powerpagecomponentid`"), "{e}");
    }
}
