//! Lint: configuration problems of a tenant (spec `lint.md`), as data. Each [`Finding`] has a stable id, a severity, the
//! permission, table column or site it is about, one sentence saying what
//! happens to visitors because of it, and the file and line it comes from
//! when known. Counts (rows exposed, contacts affected) come from the
//! derived grants of [`Analysis`].
//!
//! The front ends print findings as text, JSON or SARIF ([`crate::sarif`]).

//!
//! Rooms: [`findings`] (the rule table and the finding type), `context`
//! (what every family reads), then one file per family of findings:
//! `exposure` (PP001, PP002), `tree` (PP003 to PP005, PP010), `scope`
//! (PP006 to PP008, PP014, PP016), `related` (PP009), `usefulness`
//! (PP011, PP012), `data` (PP013), `site` (PP015), `anonymous` (PP022,
//! PP023), `roles` (PP024), `references` (PP025, PP026, folder tenants),
//! `pages` (PP027), `columns` (PP028), `liquid` (PP029, folder tenants);
//! the channel and F&O findings live beside this folder. [`lint`] runs the
//! per-permission ones in the order of `PERMISSION_CHECKS`.

pub mod findings;
pub(crate) mod context;
mod exposure;
mod tree;
mod scope;
mod related;
mod usefulness;
mod data;
mod site;
mod anonymous;
mod roles;
mod references;
mod pages;
mod columns;
mod liquid;

pub use findings::{rule, Finding, Location, Report, Rule, Severity, RULES};

use crate::answer::query::Analysis;
use crate::error::LoadError;
use crate::load::site::SiteReport;
use crate::model::PermId;
use context::{Cx, Finds, Subject};
use std::collections::HashMap;
use std::path::Path;

/// A check of one live permission, appending its findings.
type PermissionCheck = fn(&Cx<'_>, &Subject<'_>, &mut Finds);

/// The checks of each live permission, in order (PP010, about inactive
/// permissions, runs apart).
const PERMISSION_CHECKS: &[PermissionCheck] = &[
    exposure::pp001,
    exposure::pp002,
    tree::pp003,
    tree::pp004,
    tree::pp005,
    scope::pp006,
    scope::pp007_pp016,
    scope::pp008,
    scope::pp014,
    |cx, s, out| cx.related_without_child(s.n, &mut out.list),
    anonymous::pp022,
    anonymous::pp023,
];


/// A tenant loaded for lint: its analysis, what the site folder looked like
/// (folder tenants), and the lines of permissions in a native file.
#[derive(Debug, Clone)]
pub struct Linted {
    /// The tenant and its grants.
    pub analysis: Analysis,
    /// The site folder's key styles, for folder tenants.
    pub site: Option<SiteReport>,
    /// Native files: line of each table permission id.
    pub lines: HashMap<String, usize>,
    /// Folder tenants: the `data/` folder, where PP013 findings point.
    pub data: Option<std::path::PathBuf>,
}

/// Loads a tenant file or folder for lint.
pub fn load(path: &Path) -> Result<Linted, LoadError> {
    if path.is_dir() {
        let folder = crate::load::site::read(path)?;
        let tenant = crate::model::build_folder(&folder)?;
        let data = folder.has_data.then(|| path.join("data"));
        let mut site = folder.site;
        site.system_user_filters = crate::load::liquid::scan(Path::new(&site.dir));
        return Ok(Linted { analysis: Analysis::new(tenant), site: Some(site), lines: HashMap::new(), data });
    }
    let tenant = crate::model::load(path)?;
    let lines = std::fs::read_to_string(path).map(|text| native_lines(&text)).unwrap_or_default();
    Ok(Linted { analysis: Analysis::new(tenant), site: None, lines, data: None })
}

impl Linted {
    /// The readable report: subjects that are permissions or roles by
    /// display name ([`crate::model::Names`]; with `ids`, with their ids too).
    pub fn text(&self, report: &Report, ids: bool) -> String {
        let names = crate::model::Names::new(&self.analysis.tenant, ids);
        report.text_with(|s| names.any(s).map(str::to_string))
    }

    /// Every finding, sorted.
    pub fn report(&self) -> Report {
        let mut findings = lint(&self.analysis, self.site.as_ref());
        for f in findings.iter_mut().filter(|f| f.location.is_none()) {
            if let Some(&line) = self.lines.get(&f.subject) {
                f.location = Some(Location { file: self.analysis.tenant.source.clone(), line: Some(line) });
            }
            // PP013 in a folder: the table's first data page.
            if let (Some(data), Some((table, _))) = (&self.data, f.subject.split_once('.')) {
                let page = data.join(format!("{table}.json"));
                if f.id == "PP013" && page.is_file() {
                    f.location = Some(Location { file: page.display().to_string(), line: None });
                }
            }
        }
        Report { findings }
    }
}

/// Line of each `"id"` of a table permission in a native tenant file,
/// found by a small scan of the JSON text (best effort: lint locations only).
pub fn native_lines(text: &str) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    let mut line = 1usize;
    let mut depth = 0usize;
    let mut section = String::new();
    let mut last_key: Option<String> = None;
    let mut chars = text.chars().peekable();
    let mut expect_value = false;
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            '{' | '[' => {
                depth += 1;
                expect_value = false;
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            ':' => expect_value = true,
            ',' => expect_value = false,
            '"' => {
                let mut s = String::new();
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' => {
                            if let Some(e) = chars.next() {
                                s.push(e);
                            }
                        }
                        '\n' => {
                            line += 1;
                            s.push(d);
                        }
                        _ => s.push(d),
                    }
                }
                if expect_value {
                    if depth == 3 && section == "table_permissions" && last_key.as_deref() == Some("id") {
                        out.entry(s).or_insert(line);
                    }
                    expect_value = false;
                } else {
                    if depth == 1 {
                        section = s.clone();
                    }
                    last_key = Some(s);
                }
            }
            _ => {}
        }
    }
    out
}

/// Every finding of a tenant, sorted by id, subject and message.
/// `site` is the site report of a folder tenant (PP015).
pub fn lint(a: &Analysis, site: Option<&SiteReport>) -> Vec<Finding> {
    let cx = Cx::new(a);
    let mut out = Finds::default();
    for n in 0..a.tenant.permissions.len() as PermId {
        // A permission whose missing parent was dropped is inactive here;
        // PP025 says so, with its children.
        let dropped = a.tenant.raw.table_permissions.get(n as usize).is_some_and(|p| p.dropped_parent.is_some());
        if !a.tenant.permissions[n as usize].active {
            if !dropped {
                tree::pp010(&cx, &cx.subject(n), &mut out);
            }
        } else if cx.live(n) {
            let s = cx.subject(n);
            for check in PERMISSION_CHECKS {
                check(&cx, &s, &mut out);
            }
        }
    }
    let Finds { list: mut out, explained } = out;
    usefulness::pp011_pp012(&cx, &explained, &mut out);
    cx.dangling(&mut out);
    out.extend(crate::answer::lint_channels::findings(a).into_iter().map(|f| Finding {
        id: f.id,
        severity: if f.error { Severity::Error } else { Severity::Warning },
        subject: f.subject,
        message: f.message,
        location: f.at.map(|(file, line)| findings::Location { file, line }),
    }));
    out.extend(crate::answer::lint_finance::findings(a).into_iter().map(|(id, subject, message)| {
        Finding { id, severity: rule(id).map_or(Severity::Warning, |r| r.severity), subject, message, location: None }
    }));
    out.extend(crate::answer::lint_surfaces::findings(a).into_iter().map(|f| {
        let severity = match f.level {
            crate::answer::lint_surfaces::Level::Info => Severity::Info,
            crate::answer::lint_surfaces::Level::Warning => Severity::Warning,
            crate::answer::lint_surfaces::Level::Error => Severity::Error,
        };
        let location = f.at.map(|(file, line)| findings::Location { file, line });
        Finding { id: f.id, severity, subject: f.subject, message: f.message, location }
    }));
    roles::pp024(&cx, &mut out);
    pages::pp027(&cx, &mut out);
    columns::pp028(&cx, &mut out);
    references::pp044(&cx, &mut out);
    if let Some(site) = site {
        site::mixed_keys(site, &mut out);
        references::pp025_pp026(&cx, site, &mut out);
        liquid::pp029(site, &mut out);
    }
    out.sort_by(|x, y| (x.id, &x.subject, &x.message).cmp(&(y.id, &y.subject, &y.message)));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn native_lines_finds_permission_ids() {
        let text = "{\n \"web_roles\": [{\"id\": \"R\"}],\n \"table_permissions\": [\n  {\"id\": \"TP1\",\n   \"parent\": \"X\"},\n  {\"name\": \"n\",\n   \"id\": \"TP\\\"2\"}\n ]\n}\n";
        let lines = native_lines(text);
        assert_eq!(lines.get("TP1"), Some(&4));
        assert_eq!(lines.get("TP\"2"), Some(&7));
        assert_eq!(lines.get("R"), None);
        assert_eq!(lines.get("X"), None);
    }

    #[test]
    fn severity_order_for_deny() {
        assert!(Severity::Error > Severity::Warning && Severity::Warning > Severity::Info);
        assert_eq!(Severity::parse("warning"), Some(Severity::Warning));
        assert_eq!(Severity::parse("fatal"), None);
    }

    #[test]
    fn every_rule_id_is_listed_once_in_order() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        // Listed in order, once each, every id lint.md defines.
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        for i in 1..=43 {
            assert!(ids.contains(&format!("PP{i:03}").as_str()), "PP{i:03} missing: {ids:?}");
        }
    }
}
