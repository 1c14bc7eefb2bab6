//! Lint: configuration problems of a tenant (spec `lint.md`, PP001 to
//! PP016), as data. Each [`Finding`] has a stable id, a severity, the
//! permission, table column or site it is about, one sentence saying what
//! happens to visitors because of it, and the file and line it comes from
//! when known. Counts (rows exposed, contacts affected) come from the
//! derived grants of [`Analysis`].
//!
//! The front ends print findings as text, JSON or SARIF ([`crate::sarif`]).

use crate::engine::Visitor;
use crate::error::LoadError;
use crate::load::site::{KeyStyle, SiteReport};
use crate::model::{PermId, Permission, Privilege, RelKind, RoleId, RowId, Scope, TableId, Tenant};
use crate::answer::query::Analysis;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::Path;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Probably not what was meant.
    Warning,
    /// Exposes data or silently grants nothing where something was meant.
    Error,
}

impl Severity {
    /// The name used in output and in `--deny`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `error`, `warning` or `info`.
    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::Error, Severity::Warning, Severity::Info].into_iter().find(|v| v.name() == s)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A lint rule: one stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// `PP001` ...
    pub id: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// A short name in `CamelCase` (SARIF `name`).
    pub name: &'static str,
    /// What it finds, in one sentence.
    pub summary: &'static str,
}

/// Every rule, by id.
pub const RULES: &[Rule] = &[
    Rule { id: "PP001", severity: Severity::Error, name: "AnonymousReadsCustomerData", summary: "anonymous visitors can read rows of a table that holds customer data" },
    Rule { id: "PP002", severity: Severity::Warning, name: "EveryContactReadsCustomerData", summary: "a Global permission held by the authenticated-users role on a table that holds customer data: every contact reads every row" },
    Rule { id: "PP003", severity: Severity::Warning, name: "GlobalBelowNarrowerParent", summary: "a Global permission below a narrower parent admits every row of its table whatever the parent admits (S9)" },
    Rule { id: "PP004", severity: Severity::Warning, name: "RolesOnChildIgnored", summary: "web roles listed on a child permission are ignored (S6)" },
    Rule { id: "PP005", severity: Severity::Warning, name: "RootWithoutRoles", summary: "a root permission with no web roles grants nothing" },
    Rule { id: "PP006", severity: Severity::Error, name: "SelfScopeNotOnContact", summary: "Self scope on a table other than contact admits nothing (S12)" },
    Rule { id: "PP007", severity: Severity::Error, name: "RelationshipDoesNotJoin", summary: "a relationship that does not join the tables its scope needs admits nothing (S20)" },
    Rule { id: "PP008", severity: Severity::Warning, name: "CreateCannotAttach", summary: "create on a Parent-scope child whose parent lacks append_to or which lacks append: created rows cannot be attached (S18)" },
    Rule { id: "PP009", severity: Severity::Info, name: "RelatedTableWithoutChild", summary: "rows of a table reference rows a permission admits, with no child permission for that table in its tree" },
    Rule { id: "PP010", severity: Severity::Warning, name: "InactiveParentOfActiveChildren", summary: "an inactive permission with active children: the children grant nothing (S7)" },
    Rule { id: "PP011", severity: Severity::Info, name: "RedundantPermission", summary: "a permission that grants nothing another permission does not already grant to the same visitors on this data" },
    Rule { id: "PP012", severity: Severity::Info, name: "PermissionGrantsNothing", summary: "a permission that grants nothing at all on this data" },
    Rule { id: "PP013", severity: Severity::Info, name: "DanglingLookups", summary: "lookup values that name no row (S24)" },
    Rule { id: "PP014", severity: Severity::Warning, name: "CustomAccessTypeNotEvaluated", summary: "the Custom access type is not evaluated here (S14)" },
    Rule { id: "PP015", severity: Severity::Warning, name: "MixedKeyPrefixes", summary: "a site folder mixing `adx_`, `mspp_` and unprefixed keys" },
    Rule { id: "PP016", severity: Severity::Warning, name: "UndeclaredRelationship", summary: "a relationship named by a permission of a folder tenant that is neither in the catalogue nor in relationships.json" },
    Rule { id: "PP030", severity: Severity::Error, name: "FinanceOperationsBypass", summary: "contacts can read virtual-table rows directly from F&O that web roles do not grant them (F8)" },
    Rule { id: "PP031", severity: Severity::Error, name: "AnonymousReachesVirtualTable", summary: "the anonymous visitor reaches a virtual table: every anonymous visitor runs as one F&O user (F7)" },
    Rule { id: "PP032", severity: Severity::Warning, name: "VirtualTablePermissionNotGlobal", summary: "a permission on a virtual table with a scope other than Global" },
    Rule { id: "PP033", severity: Severity::Warning, name: "AdministratorFinanceUser", summary: "an F&O user that visitors run as holds an administrator role: every virtual-table request fails" },
    Rule { id: "PP034", severity: Severity::Warning, name: "VirtualTableRoleWithoutMapping", summary: "contacts hold a web role with a permission on a virtual table but have no F&O user mapping" },
];

/// The rule of an id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Where a finding comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// The file (a site file for folder tenants, else the tenant file).
    pub file: String,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id (`PP001` ...).
    pub id: &'static str,
    /// Severity of the rule.
    pub severity: Severity,
    /// What it is about: a permission or role id, `table.column`, an N:N
    /// relationship name, or the site folder.
    pub subject: String,
    /// One sentence: what happens to visitors because of it.
    pub message: String,
    /// Where it comes from, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// The `--json` answer: `{"findings": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Findings, sorted by id, subject and message.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether a finding of `severity` or worse is present (`--deny`).
    pub fn denies(&self, severity: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= severity)
    }

    /// Number of findings of one severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }
}

impl Report {
    /// The readable text form: one block per finding, then a count line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            out.push_str(&format!("{} {} {}: {}\n", f.id, f.severity, f.subject, f.message));
            if let Some(l) = &f.location {
                match l.line {
                    Some(line) => out.push_str(&format!("  at {}:{line}\n", l.file)),
                    None => out.push_str(&format!("  at {}\n", l.file)),
                }
            }
        }
        out.push_str(&format!(
            "{}: {} {}, {} {}, {} info\n",
            plural(self.findings.len(), "finding", "findings"),
            self.count(Severity::Error),
            if self.count(Severity::Error) == 1 { "error" } else { "errors" },
            self.count(Severity::Warning),
            if self.count(Severity::Warning) == 1 { "warning" } else { "warnings" },
            self.count(Severity::Info)
        ));
        out
    }
}

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
        return Ok(Linted { analysis: Analysis::new(tenant), site: Some(folder.site), lines: HashMap::new(), data });
    }
    let tenant = crate::model::load(path)?;
    let lines = std::fs::read_to_string(path).map(|text| native_lines(&text)).unwrap_or_default();
    Ok(Linted { analysis: Analysis::new(tenant), site: None, lines, data: None })
}

impl Linted {
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
    let mut out = Vec::new();
    cx.permission_findings(&mut out);
    cx.dangling(&mut out);
    out.extend(crate::answer::lint_finance::findings(a).into_iter().map(|(id, subject, message)| {
        Finding { id, severity: rule(id).map_or(Severity::Warning, |r| r.severity), subject, message, location: None }
    }));
    if let Some(site) = site {
        mixed_keys(site, &mut out);
    }
    out.sort_by(|x, y| (x.id, &x.subject, &x.message).cmp(&(y.id, &y.subject, &y.message)));
    out.dedup();
    out
}

/// Where a permission's rows are anchored (S9 to S14), following Parent scopes up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// A Global top: rows for every holder.
    Global,
    /// A Contact, Account or Self top: rows per visitor.
    Visitor,
    /// Admits nothing (Custom, an unknown or non-joining relationship, Self off `contact`).
    Nothing,
}

struct Cx<'a> {
    a: &'a Analysis,
    t: &'a Tenant,
    children: Vec<Vec<PermId>>,
    customer: Vec<bool>,
    cand_anon: Vec<bool>,
    cand_all: Vec<bool>,
    cand_role: Vec<Vec<RoleId>>,
    in_all: Vec<bool>,
    has_rows: bool,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// How a permission is named in messages: its name, or its id when it has none.
fn label(p: &Permission) -> &str {
    if p.name.trim().is_empty() {
        &p.id
    } else {
        &p.name
    }
}

fn ids<'b>(list: impl IntoIterator<Item = &'b str>) -> String {
    list.into_iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

impl<'a> Cx<'a> {
    fn new(a: &'a Analysis) -> Cx<'a> {
        let t = &a.tenant;
        let d = &a.grants.derived;
        let np = t.permissions.len();
        let mut children = vec![Vec::new(); np];
        for (n, p) in t.permissions.iter().enumerate() {
            if let Some(m) = p.parent {
                children[m as usize].push(n as PermId);
            }
        }
        let mut cand_anon = vec![false; np];
        let mut cand_all = vec![false; np];
        let mut cand_role = vec![Vec::new(); np];
        let mut in_all = vec![false; np];
        d.cand_anon.iter().for_each(|&n| cand_anon[n as usize] = true);
        d.cand_all.iter().for_each(|&n| cand_all[n as usize] = true);
        d.cand_role.iter().for_each(|&(n, r)| cand_role[n as usize].push(r));
        d.in_all.iter().for_each(|&n| in_all[n as usize] = true);
        let mut cx = Cx {
            a,
            t,
            children,
            customer: Vec::new(),
            cand_anon,
            cand_all,
            cand_role,
            in_all,
            has_rows: t.row_count() > 0,
        };
        cx.customer = cx.customer_tables();
        cx
    }

    /// Tables that hold customer data: `contact`, `account`, tables whose
    /// rows reference them through a known 1:N relationship (directly or
    /// through a chain of parents), and tables every signed-in contact or the
    /// anonymous visitor may create rows in (their rows are what visitors submit).
    fn customer_tables(&self) -> Vec<bool> {
        let t = self.t;
        let d = &self.a.grants.derived;
        let mut cd = vec![false; t.tables.len()];
        cd[t.contact_table as usize] = true;
        cd[t.account_table as usize] = true;
        for &x in d.create_anon.iter().chain(&d.create_all) {
            cd[x as usize] = true;
        }
        loop {
            let mut changed = false;
            for rel in &t.relationships {
                if let RelKind::OneToMany { referencing, referenced, .. } = rel.kind {
                    if cd[referenced as usize] && !cd[referencing as usize] {
                        cd[referencing as usize] = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                return cd;
            }
        }
    }

    fn id(&self, n: PermId) -> &'a str {
        &self.t.permissions[n as usize].id
    }

    fn table(&self, x: TableId) -> &'a str {
        &self.t.tables[x as usize].name
    }

    fn location(&self, n: PermId) -> Option<Location> {
        let o = self.t.permissions[n as usize].origin.as_ref()?;
        (!o.file.is_empty()).then(|| Location { file: o.file.clone(), line: o.line })
    }

    fn finding(&self, id: &'static str, n: PermId, message: String) -> Finding {
        let severity = rule(id).map(|r| r.severity).unwrap_or(Severity::Warning);
        Finding { id, severity, subject: self.id(n).to_string(), message, location: self.location(n) }
    }

    fn live(&self, n: PermId) -> bool {
        self.t.live(n)
    }

    /// Whether `n`'s scope relationship is known and joins the tables it needs (S20).
    fn joins(&self, n: PermId) -> Option<bool> {
        let p = &self.t.permissions[n as usize];
        let other = match p.scope {
            Scope::Contact => self.t.contact_table,
            Scope::Account => self.t.account_table,
            Scope::Parent => self.t.permissions[p.parent? as usize].table,
            _ => return None,
        };
        let rel = p.scope_relationship()?.id?;
        Some(self.t.relationships[rel as usize].joins(p.table, other))
    }

    fn anchor(&self, mut n: PermId) -> Anchor {
        loop {
            let p = &self.t.permissions[n as usize];
            match p.scope {
                Scope::Global => return Anchor::Global,
                Scope::Custom => return Anchor::Nothing,
                Scope::SelfScope if p.table != self.t.contact_table => return Anchor::Nothing,
                Scope::SelfScope => return Anchor::Visitor,
                Scope::Contact | Scope::Account => {
                    return if self.joins(n) == Some(true) { Anchor::Visitor } else { Anchor::Nothing }
                }
                Scope::Parent => match (self.joins(n), p.parent) {
                    (Some(true), Some(m)) => n = m,
                    _ => return Anchor::Nothing,
                },
            }
        }
    }

    fn rows_phrase(&self, count: usize) -> String {
        if self.has_rows {
            plural(count, "row", "rows")
        } else {
            "no rows loaded".to_string()
        }
    }

    /// Rows `n` admits for every holder (InAll or InG).
    fn global_rows(&self, n: PermId) -> usize {
        if self.in_all[n as usize] {
            return self.t.tables[self.t.permissions[n as usize].table as usize].ids.len();
        }
        let d = &self.a.grants.derived.in_g;
        let lo = d.partition_point(|e| e.0 < n);
        let hi = d.partition_point(|e| e.0 <= n);
        hi - lo
    }

    fn role_names(&self, roles: &[RoleId]) -> String {
        ids(roles.iter().map(|&r| {
            let role = &self.t.roles[r as usize];
            if role.name.trim().is_empty() {
                role.id.as_str()
            } else {
                role.name.as_str()
            }
        }))
    }

    fn contacts_phrase(&self) -> String {
        if self.has_rows {
            format!(" ({})", plural(self.t.contacts().len(), "contact", "contacts"))
        } else {
            String::new()
        }
    }

    fn permission_findings(&self, out: &mut Vec<Finding>) {
        let t = self.t;
        let mut explained = BTreeSet::new();
        for (i, p) in t.permissions.iter().enumerate() {
            let n = i as PermId;
            let table = self.table(p.table);
            let root = t.root_of(n);
            // PP010 concerns inactive permissions; every other finding is about what a
            // live permission does to visitors.
            if !p.active {
                let active: Vec<&str> =
                    self.children[i].iter().filter(|&&c| t.permissions[c as usize].active).map(|&c| label(&t.permissions[c as usize])).collect();
                if !active.is_empty() {
                    out.push(self.finding(
                        "PP010",
                        n,
                        format!(
                            "`{}` is inactive, so its active child permission{} {} grant{} nothing (S7)",
                            label(p),
                            if active.len() == 1 { "" } else { "s" },
                            ids(active.iter().copied()),
                            if active.len() == 1 { "s" } else { "" }
                        ),
                    ));
                }
                continue;
            }
            if !self.live(n) {
                continue;
            }
            let anchor = self.anchor(n);

            // PP001: anonymous visitors read customer data.
            if self.cand_anon[i] && p.privileges.has(Privilege::Read) && self.customer[p.table as usize] && anchor == Anchor::Global {
                let rows = self.global_rows(n);
                let anon: Vec<RoleId> = t.permissions[root as usize]
                    .roles
                    .iter()
                    .copied()
                    .filter(|&r| t.roles[r as usize].anonymous && t.roles[r as usize].active)
                    .collect();
                let what = if p.scope == Scope::Global {
                    format!("every row of `{table}` ({})", self.rows_phrase(rows))
                } else {
                    format!("the rows of `{table}` related to its parent's rows ({})", self.rows_phrase(rows))
                };
                out.push(self.finding(
                    "PP001",
                    n,
                    format!(
                        "anonymous visitors (role {}) can read {what} through `{}`, and `{table}` holds customer data",
                        self.role_names(&anon),
                        label(p)
                    ),
                ));
            }

            // PP002: every signed-in contact reads every row of customer data.
            if self.cand_all[i] && p.scope == Scope::Global && p.privileges.has(Privilege::Read) && self.customer[p.table as usize] {
                let auth: Vec<RoleId> = t.permissions[root as usize]
                    .roles
                    .iter()
                    .copied()
                    .filter(|&r| t.roles[r as usize].authenticated && !t.roles[r as usize].anonymous && t.roles[r as usize].active)
                    .collect();
                let also: Vec<&str> =
                    [Privilege::Write, Privilege::Delete].into_iter().filter(|&q| p.privileges.has(q)).map(|q| q.name()).collect();
                let verbs = if also.is_empty() { "read".to_string() } else { format!("read (and {})", also.join(", ")) };
                out.push(self.finding(
                    "PP002",
                    n,
                    format!(
                        "every signed-in contact{} holds authenticated-users role {}, so each can {verbs} every row of `{table}` ({}) through Global permission `{}`, and `{table}` holds customer data",
                        self.contacts_phrase(),
                        self.role_names(&auth),
                        self.rows_phrase(self.global_rows(n)),
                        label(p)
                    ),
                ));
            }

            // PP003: Global below a narrower parent (S9).
            if let (Scope::Global, Some(m)) = (p.scope, p.parent) {
                let parent = &t.permissions[m as usize];
                if parent.scope != Scope::Global {
                    out.push(self.finding(
                        "PP003",
                        n,
                        format!(
                            "`{}` is Global below `{}` ({} scope), so it admits every row of `{table}` ({}) whatever `{}` admits (S9)",
                            label(p),
                            label(parent),
                            parent.scope.name(),
                            self.rows_phrase(self.global_rows(n)),
                            label(parent)
                        ),
                    ));
                }
            }

            // PP004: roles on a child are ignored (S6).
            if p.parent.is_some() && !p.roles.is_empty() {
                let root_p = &t.permissions[root as usize];
                let lacking: Vec<RoleId> = p.roles.iter().copied().filter(|r| !root_p.roles.contains(r)).collect();
                let message = if lacking.is_empty() {
                    format!(
                        "child permission `{}` lists web roles {}, which are ignored (S6): only the roles of its root `{}` decide who holds it, and the root lists them all",
                        label(p),
                        self.role_names(&p.roles),
                        label(root_p)
                    )
                } else {
                    format!(
                        "child permission `{}` lists web roles {}, which are ignored (S6): only the roles of its root `{}` decide who holds it, and the root lacks {}, so visitors holding only {} get nothing from `{}`",
                        label(p),
                        self.role_names(&p.roles),
                        label(root_p),
                        self.role_names(&lacking),
                        if lacking.len() == 1 { "that role" } else { "those roles" },
                        label(p)
                    )
                };
                out.push(self.finding("PP004", n, message));
            }

            // PP005: a root with no roles.
            if p.parent.is_none() && p.roles.is_empty() {
                let below = self.descendants(n).len();
                let what = if below == 0 {
                    "it grants nothing".to_string()
                } else {
                    format!("it and {} below it grant nothing", plural(below, "child permission", "child permissions"))
                };
                out.push(self.finding(
                    "PP005",
                    n,
                    format!("root permission `{}` lists no web roles, so nobody holds its tree: {what}", label(p)),
                ));
                explained.insert(n);
            }

            // PP006: Self off `contact` (S12).
            if p.scope == Scope::SelfScope && p.table != t.contact_table {
                out.push(self.finding(
                    "PP006",
                    n,
                    format!("`{}` has Self scope on `{table}`, which admits nothing: Self admits only the visitor's own `contact` row (S12)", label(p)),
                ));
                explained.insert(n);
            }

            // PP007 / PP016: the scope's relationship.
            if let Some(rel) = p.scope_relationship() {
                match rel.id {
                    None => {
                        out.push(self.finding(
                            "PP016",
                            n,
                            format!(
                                "relationship `{}` is neither in the catalogue nor in relationships.json, so `{}` admits nothing until it is declared there",
                                rel.name, label(p)
                            ),
                        ));
                        explained.insert(n);
                    }
                    Some(r) if self.joins(n) == Some(false) => {
                        let (x, y) = t.relationships[r as usize].ends();
                        let needed = match p.scope {
                            Scope::Contact => "contact".to_string(),
                            Scope::Account => "account".to_string(),
                            _ => p.parent.map(|m| self.table(t.permissions[m as usize].table).to_string()).unwrap_or_default(),
                        };
                        out.push(self.finding(
                            "PP007",
                            n,
                            format!(
                                "relationship `{}` joins `{}` and `{}`, not `{table}` and `{needed}`, so `{}` admits nothing (S20)",
                                rel.name,
                                self.table(x),
                                self.table(y),
                                label(p)
                            ),
                        ));
                        explained.insert(n);
                    }
                    Some(_) => {}
                }
            }

            // PP008: create under a parent without attach (S18).
            if let (Scope::Parent, Some(m)) = (p.scope, p.parent) {
                let parent = &t.permissions[m as usize];
                let no_append_to = !parent.privileges.has(Privilege::AppendTo);
                let no_append = !p.privileges.has(Privilege::Append);
                if p.privileges.has(Privilege::Create) && (no_append_to || no_append) {
                    let why = match (no_append_to, no_append) {
                        (true, true) => format!("`{}` lacks append_to and `{}` lacks append", label(parent), label(p)),
                        (true, false) => format!("`{}` lacks append_to", label(parent)),
                        _ => format!("`{}` lacks append", label(p)),
                    };
                    out.push(self.finding(
                        "PP008",
                        n,
                        format!(
                            "visitors may create `{table}` rows through `{}` but cannot attach them to the `{}` row of the parent: {why} (S18)",
                            label(p),
                            self.table(parent.table)
                        ),
                    ));
                }
            }

            // PP014: Custom access type (S14).
            if p.scope == Scope::Custom {
                out.push(self.finding(
                    "PP014",
                    n,
                    format!("`{}` uses the Custom access type, which is not evaluated here: it is taken to admit nothing, so the live site may grant more than these answers show (S14)", label(p)),
                ));
                explained.insert(n);
            }

            self.related_without_child(n, out);
        }

        // PP011 / PP012 are about this data: a configuration-only tenant has none.
        if self.has_rows {
            let classes = self.role_classes();
            for n in 0..t.permissions.len() as PermId {
                if !self.live(n) || explained.contains(&n) {
                    continue;
                }
                let p = &t.permissions[n as usize];
                match self.usefulness(n, &classes) {
                    Usefulness::Nothing => out.push(self.finding(
                        "PP012",
                        n,
                        format!("`{}` grants nothing to any visitor on this data (no holder, no row in scope, or no privilege)", label(p)),
                    )),
                    Usefulness::Redundant => out.push(self.finding(
                        "PP011",
                        n,
                        format!("every grant of `{}` on `{}` is already made to the same visitors by other permissions on this data", label(p), self.table(p.table)),
                    )),
                    Usefulness::Needed => {}
                }
            }
        }
    }

    fn descendants(&self, n: PermId) -> Vec<PermId> {
        let mut out = Vec::new();
        let mut stack = self.children[n as usize].clone();
        while let Some(c) = stack.pop() {
            out.push(c);
            stack.extend(self.children[c as usize].iter().copied());
        }
        out
    }

    /// Active roles listed on the root of `n`'s tree.
    fn root_roles(&self, n: PermId) -> Vec<RoleId> {
        let root = self.t.root_of(n);
        self.t.permissions[root as usize].roles.iter().copied().filter(|&r| self.t.roles[r as usize].active).collect()
    }

    /// PP009: tables whose rows reference rows `n` admits, with no child
    /// permission for them in `n`'s tree and no other permission giving the
    /// same roles read on them.
    fn related_without_child(&self, n: PermId, out: &mut Vec<Finding>) {
        let t = self.t;
        let p = &t.permissions[n as usize];
        let held = self.cand_anon[n as usize] || self.cand_all[n as usize] || !self.cand_role[n as usize].is_empty();
        if !p.privileges.has(Privilege::Read) || !held || self.anchor(n) == Anchor::Nothing {
            return;
        }
        let below: BTreeSet<TableId> = self.descendants(n).iter().map(|&c| t.permissions[c as usize].table).collect();
        let roles = self.root_roles(n);
        let mut by_table: BTreeMap<&str, (TableId, Vec<&str>, usize)> = BTreeMap::new();
        for (r, rel) in t.relationships.iter().enumerate() {
            let RelKind::OneToMany { referencing, referenced, .. } = rel.kind else { continue };
            if referenced != p.table
                || referencing == p.table
                || referencing == t.contact_table
                || referencing == t.account_table
                || below.contains(&referencing)
            {
                continue;
            }
            let linked = if self.has_rows {
                let rows = &t.tables[p.table as usize];
                let r = r as u32;
                let lo = t.links.partition_point(|e| e.0 < r);
                let hi = t.links.partition_point(|e| e.0 <= r);
                let set: BTreeSet<RowId> =
                    t.links[lo..hi].iter().filter(|e| rows.rows().contains(&e.2)).map(|e| e.1).collect();
                if set.is_empty() {
                    continue;
                }
                set.len()
            } else {
                0
            };
            let e = by_table.entry(self.table(referencing)).or_insert((referencing, Vec::new(), 0));
            e.1.push(&rel.name);
            e.2 += linked;
        }
        for (name, (x, rels, linked)) in by_table {
            let readers: Vec<PermId> = (0..t.permissions.len() as PermId)
                .filter(|&m| {
                    let q = &t.permissions[m as usize];
                    q.table == x && q.privileges.has(Privilege::Read) && self.live(m)
                })
                .collect();
            // Skip tables secured in their own right (a scope other than Parent),
            // tables the same roles read through another tree, and, without data,
            // tables the site never secures (nothing says the site uses them).
            let own = readers.iter().any(|&m| t.permissions[m as usize].scope != Scope::Parent);
            let shared = readers.iter().any(|&m| self.root_roles(m).iter().any(|r| roles.contains(r)));
            if own || shared || (!self.has_rows && readers.is_empty()) {
                continue;
            }
            let count = if self.has_rows { format!("{} here, ", plural(linked, "row", "rows")) } else { String::new() };
            out.push(self.finding(
                "PP009",
                n,
                format!(
                    "`{name}` rows reference `{}` rows ({count}through {}), but the tree of `{}`, which admits `{}` rows, has no child permission for `{name}`: visitors holding it cannot see those related records",
                    self.table(p.table),
                    ids(rels.iter().copied()),
                    label(p),
                    self.table(p.table)
                ),
            ));
        }
    }

    /// Contacts grouped by the roles they hold (S3: direct, through their
    /// account, active, never an anonymous-users role): every contact of a
    /// class holds the same trees.
    fn role_classes(&self) -> Vec<(Vec<RoleId>, Vec<RowId>)> {
        let t = self.t;
        let mut roles_of: BTreeMap<RowId, BTreeSet<RoleId>> = t.contacts().map(|c| (c, BTreeSet::new())).collect();
        let usable = |r: RoleId| t.roles[r as usize].active && !t.roles[r as usize].anonymous;
        for &(c, r) in &t.contact_members {
            if usable(r) {
                roles_of.entry(c).or_default().insert(r);
            }
        }
        let mut by_account: BTreeMap<RowId, Vec<RoleId>> = BTreeMap::new();
        for &(a, r) in &t.account_members {
            if usable(r) {
                by_account.entry(a).or_default().push(r);
            }
        }
        for &(c, a) in t.contact_account.iter() {
            if let Some(rs) = by_account.get(&a) {
                roles_of.entry(c).or_default().extend(rs.iter().copied());
            }
        }
        let mut classes: BTreeMap<Vec<RoleId>, Vec<RowId>> = BTreeMap::new();
        for (c, rs) in roles_of {
            classes.entry(rs.into_iter().collect()).or_default().push(c);
        }
        classes.into_iter().collect()
    }

    /// Whether the contacts of a role class hold `n` (S3, S6, S8).
    fn class_holds(&self, roles: &[RoleId], n: PermId) -> bool {
        self.cand_all[n as usize] || self.cand_role[n as usize].iter().any(|r| roles.contains(r))
    }

    /// PP011 / PP012: does `n` grant anything, and anything no other permission grants?
    fn usefulness(&self, n: PermId, classes: &[(Vec<RoleId>, Vec<RowId>)]) -> Usefulness {
        let t = self.t;
        let g = &self.a.grants;
        let d = &g.derived;
        let p = &t.permissions[n as usize];
        let anon = self.cand_anon[n as usize];
        let holders: Vec<&(Vec<RoleId>, Vec<RowId>)> = classes.iter().filter(|(roles, _)| self.class_holds(roles, n)).collect();
        if !anon && holders.is_empty() {
            return Usefulness::Nothing;
        }
        let privileges: Vec<Privilege> = p.privileges.iter().filter(|&q| q != Privilege::Create).collect();
        let mut any = false;
        let mut redundant = true;
        // Whether another permission grants `v` every privilege of `n` on `x`.
        let covered = |v: Visitor, x: RowId| privileges.iter().all(|&q| g.can(t, v, q, x).iter().any(|&m| m != n));
        // Rows admitted for every holder (InAll, InG): per role class, through
        // other Global-anchored grants of the class, else contact by contact.
        let global: Vec<RowId> = if self.in_all[n as usize] {
            t.tables[p.table as usize].rows().collect()
        } else {
            let lo = d.in_g.partition_point(|e| e.0 < n);
            let hi = d.in_g.partition_point(|e| e.0 <= n);
            d.in_g[lo..hi].iter().map(|e| e.1).collect()
        };
        if !global.is_empty() && !privileges.is_empty() {
            any = true;
            if anon && !global.iter().all(|&x| covered(Visitor::Anonymous, x)) {
                redundant = false;
            }
            let table_perms: Vec<PermId> =
                (0..t.permissions.len() as PermId).filter(|&m| m != n && t.permissions[m as usize].table == p.table).collect();
            'classes: for (roles, members) in holders.iter().filter(|_| redundant) {
                let others: Vec<PermId> = table_perms.iter().copied().filter(|&m| self.class_holds(roles, m)).collect();
                for &x in &global {
                    for &q in &privileges {
                        let by_class = others.iter().any(|&m| {
                            t.permissions[m as usize].privileges.has(q)
                                && (self.in_all[m as usize] || d.in_g.binary_search(&(m, x)).is_ok())
                        });
                        if by_class {
                            continue;
                        }
                        for &c in members {
                            if !g.can(t, Visitor::Contact(c), q, x).iter().any(|&m| m != n) {
                                redundant = false;
                                break 'classes;
                            }
                        }
                    }
                }
            }
        }
        // Rows admitted per contact (ContactGrant) or per account (AccountGrant,
        // AccountMemberGrant).
        if !privileges.is_empty() {
            let lo = d.contact_grant.partition_point(|e| e.0 < n);
            let hi = d.contact_grant.partition_point(|e| e.0 <= n);
            let grants = &d.contact_grant[lo..hi];
            any |= !grants.is_empty();
            if redundant && !grants.iter().all(|&(_, c, x)| covered(Visitor::Contact(c), x)) {
                redundant = false;
            }
            let lo = d.account_grant.partition_point(|e| e.0 < n);
            let hi = d.account_grant.partition_point(|e| e.0 <= n);
            for &(_, acct, x) in &d.account_grant[lo..hi] {
                for &(c, _) in t.contact_account.iter().filter(|(_, a2)| *a2 == acct) {
                    any = true;
                    if redundant && !covered(Visitor::Contact(c), x) {
                        redundant = false;
                    }
                }
            }
            let lo = d.account_member_grant.partition_point(|e| e.0 < n);
            let hi = d.account_member_grant.partition_point(|e| e.0 <= n);
            for &(_, acct, x) in &d.account_member_grant[lo..hi] {
                for c in g.account_members_holding(acct, n) {
                    any = true;
                    if redundant && !covered(Visitor::Contact(c), x) {
                        redundant = false;
                    }
                }
            }
        }
        // Create (S17): the same for every contact of a class.
        if p.privileges.has(Privilege::Create) {
            any = true;
            let other_creator = |v: Visitor| g.can_create(t, v, p.table).iter().any(|&m| m != n);
            if redundant && anon && !other_creator(Visitor::Anonymous) {
                redundant = false;
            }
            if redundant && holders.iter().any(|(_, members)| members.first().is_some_and(|&c| !other_creator(Visitor::Contact(c)))) {
                redundant = false;
            }
        }
        match (any, redundant) {
            (false, _) => Usefulness::Nothing,
            (true, true) => Usefulness::Redundant,
            (true, false) => Usefulness::Needed,
        }
    }

    /// PP013: dangling lookup values (S24), per table and column.
    fn dangling(&self, out: &mut Vec<Finding>) {
        let t = self.t;
        let mut groups: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
        let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for d in t.dangling.iter() {
            let key = (d.table.as_str(), d.column.as_str());
            groups.entry(key).or_default().insert(d.value.as_str());
            *counts.entry(key).or_default() += 1;
        }
        for ((table, column), values) in groups {
            let count = counts.get(&(table, column)).copied().unwrap_or(0);
            let examples = ids(values.iter().take(3).copied());
            let association = t.rel_id(column).is_some_and(|r| matches!(t.relationships[r as usize].kind, RelKind::ManyToMany { .. }));
            let (subject, message) = if association {
                (
                    column.to_string(),
                    format!(
                        "{} of `{column}` {} no `{table}` row (for example {examples}), so {} nothing (S24)",
                        plural(count, "association pair", "association pairs"),
                        if count == 1 { "names" } else { "name" },
                        if count == 1 { "it relates" } else { "they relate" }
                    ),
                )
            } else {
                (
                    format!("{table}.{column}"),
                    format!(
                        "{} of lookup `{table}.{column}` {} no row (for example {examples}), so {} related to nothing through it (S24)",
                        plural(count, "value", "values"),
                        if count == 1 { "names" } else { "name" },
                        if count == 1 { "that row is" } else { "those rows are" }
                    ),
                )
            };
            out.push(Finding { id: "PP013", severity: Severity::Info, subject, message, location: None });
        }
    }
}

enum Usefulness {
    Nothing,
    Redundant,
    Needed,
}

/// PP015: a site folder mixing key styles.
fn mixed_keys(site: &SiteReport, out: &mut Vec<Finding>) {
    if site.styles.len() < 2 {
        return;
    }
    let parts: Vec<String> = site
        .styles
        .iter()
        .map(|(style, files)| format!("{} ({})", style.describe(), plural(files.len(), "file", "files")))
        .collect();
    // Point at a file of the least used style.
    let (style, files) = site
        .styles
        .iter()
        .min_by_key(|(s, f)| (f.len(), **s))
        .map(|(s, f)| (*s, f.clone()))
        .unwrap_or((KeyStyle::Unprefixed, Vec::new()));
    let example = files.first().cloned().unwrap_or_default();
    out.push(Finding {
        id: "PP015",
        severity: Severity::Warning,
        subject: site.dir.clone(),
        message: format!(
            "the site folder mixes {}: files from different downloads (for example `{example}`, with {}) may be stale, so the live site may not match these answers",
            parts.join(" and "),
            style.describe()
        ),
        location: (!example.is_empty()).then_some(Location { file: example, line: Some(1) }),
    });
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
        // Listed in order, once each (other families fill PP017 to PP029).
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        for i in (1..=16).chain(30..=34) {
            assert!(ids.contains(&format!("PP{i:03}").as_str()), "PP{i:03} missing: {ids:?}");
        }
    }
}
