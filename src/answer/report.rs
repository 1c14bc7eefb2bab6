//! The security review (`report`, cli.md "Pipelines and reports") as data:
//! the tenant's size and whether anyone may sign up, the lint findings with
//! their locations, what each outsider can reach table by table, and the
//! roles-by-tables matrix (scope, privileges, contacts holding each role,
//! rows each permission admits). The front end (`cli::report_html`) turns
//! it into one self-contained HTML page and draws the permission forest.
//!
//! Every count comes from the factored derivation ([`crate::engine::Grants`]):
//! rows are counted per permission with one bit set per permission over its
//! table, and contacts per role from the memberships; no answer is expanded
//! to (contact, row) pairs. Everything is sorted, so a report is
//! byte-identical from run to run.
//!
//! The outsiders are a list ([`Outsider`]): the anonymous visitor and the
//! newcomer (channels.md C9, anyone who signs up while registration is
//! open). Each counts rows per privilege from its candidates' Global-anchored
//! rows (S9, S13), and, when some table is open to the Web API, fills
//! [`OutsiderTable::extra`] with what the Web API lets it pull (C2, C6, C7),
//! from the same channel index `exposure` reads. On a tenant with F&O data,
//! virtual tables follow the F&O side (F2, F6), and the F&O bypass (F8) is
//! a section of its own ([`BypassSection`]), bounded.

use crate::answer::bypass::BypassCount;
use crate::answer::lint::{Finding, Linted, Report as LintReport, Severity};
use crate::answer::patterns::class_reach;
use crate::engine::patterns::Class;
use crate::answer::query::Analysis;
use crate::engine::channels::Outsider as Who;
use crate::engine::Visitor;
use crate::model::{PermId, Privilege, TableId, Tenant};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many (visitor, table) pairs of the F&O bypass the report lists.
pub const BYPASS_ENTRIES: usize = 50;
/// How many rows of one (visitor, table) pair it names.
pub const BYPASS_ROWS: usize = 5;

/// The whole report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SecurityReport {
    /// The tenant file or folder, as given.
    pub source: String,
    /// How big the tenant is.
    pub summary: Summary,
    /// Whether anyone on the internet may sign up (C8).
    pub registration: Registration,
    /// Findings by severity.
    pub counts: SeverityCounts,
    /// Every finding, most severe first (errors, warnings, then notes),
    /// and within a severity as `lint` sorts them.
    pub findings: Vec<Finding>,
    /// What each outsider can reach.
    pub outsiders: Vec<Outsider>,
    /// The F&O bypass (F8), when the tenant has a `finance_operations` section.
    pub bypass: Option<BypassSection>,
    /// The roles, in the matrix's column order (by display name, then id).
    pub roles: Vec<RoleColumn>,
    /// One line per table that some permission secures, by table name.
    pub matrix: Vec<MatrixRow>,
}

/// Size of the tenant.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Tables holding at least one row.
    pub tables: usize,
    /// Rows, all tables.
    pub rows: u64,
    /// Contacts.
    pub contacts: u64,
    /// Accounts.
    pub accounts: u64,
    /// Web roles.
    pub web_roles: usize,
    /// Table permissions.
    pub table_permissions: usize,
    /// Relationships (catalogue and declared).
    pub relationships: usize,
    /// Resolved lookups and association pairs.
    pub links: usize,
}

/// Open registration (C8).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Registration {
    /// Whether anyone may sign up and become a contact.
    pub open: bool,
    /// Why: `no settings` (the tenant has no site settings), `default` (no
    /// setting says otherwise), or the setting that closes it.
    pub basis: String,
}

impl Registration {
    /// `open (no settings)`, `open`, `closed (...)`.
    pub fn text(&self) -> String {
        match (self.open, self.basis.as_str()) {
            (true, "default") => "open".to_string(),
            (true, b) => format!("open ({b})"),
            (false, b) => format!("closed ({b})"),
        }
    }
}

/// The two settings that close registration (C8).
pub const REGISTRATION_SETTINGS: [&str; 2] =
    ["Authentication/Registration/Enabled", "Authentication/Registration/OpenRegistrationEnabled"];

/// C8 over a tenant's site settings (`name`, `value`, `active`), or `None`
/// when the tenant has no site settings section: registration is open unless
/// one of [`REGISTRATION_SETTINGS`] is `false` (C1: active settings only,
/// names compared case-insensitively, the last of a name wins, values
/// trimmed and compared case-insensitively).
pub fn registration<'a>(settings: Option<impl IntoIterator<Item = (&'a str, &'a str, bool)>>) -> Registration {
    let Some(settings) = settings else {
        return Registration { open: true, basis: "no settings".to_string() };
    };
    let mut last: [Option<&str>; 2] = [None, None];
    for (name, value, active) in settings {
        if !active {
            continue;
        }
        for (i, s) in REGISTRATION_SETTINGS.iter().enumerate() {
            if name.trim().eq_ignore_ascii_case(s) {
                last[i] = Some(value);
            }
        }
    }
    for (i, v) in last.iter().enumerate() {
        if let Some(v) = v {
            if v.trim().eq_ignore_ascii_case("false") {
                return Registration { open: false, basis: format!("`{}` is `{}`", REGISTRATION_SETTINGS[i], v.trim()) };
            }
        }
    }
    Registration { open: true, basis: "default".to_string() }
}

/// Findings by severity.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct SeverityCounts {
    /// Errors.
    pub error: usize,
    /// Warnings.
    pub warning: usize,
    /// Infos.
    pub info: usize,
}

/// One outsider (a visitor nobody has to let in) and what they can reach.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Outsider {
    /// The visitor as queries name it (`anonymous`, `newcomer`).
    pub visitor: String,
    /// A heading for a person.
    pub title: String,
    /// Who this is, in one sentence.
    pub description: String,
    /// The roles it holds, by display name.
    pub roles: Vec<String>,
    /// Tables it can do something on, by table name.
    pub tables: Vec<OutsiderTable>,
    /// Names of the extra columns of [`OutsiderTable::extra`], in order.
    pub extra_columns: Vec<String>,
    /// Server logic and cloud flows it may call (surfaces.md), as in `reach`.
    pub endpoints: Vec<crate::answer::surfaces::ReachEndpoint>,
}

/// The F&O bypass (F8): rows visitors may read straight from the F&O data
/// entities and not through the portal.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BypassSection {
    /// (visitor, row) pairs in some bypass, all tables.
    pub pairs: usize,
    /// Visitors with a non-empty bypass.
    pub visitors: usize,
    /// Per table (by name): visitors and distinct rows.
    pub tables: BTreeMap<String, BypassCount>,
    /// Per visitor and table (sorted by visitor, then table), the first
    /// [`BYPASS_ENTRIES`] pairs.
    pub entries: Vec<BypassEntry>,
    /// (visitor, table) pairs past the first [`BYPASS_ENTRIES`].
    pub more_entries: usize,
    /// The F&O user of the anonymous visitor (F2), if any.
    pub anonymous_user: Option<String>,
}

/// One visitor's bypass on one table.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BypassEntry {
    /// `anonymous` or a contact id.
    pub visitor: String,
    /// The F&O user it runs as (F2).
    pub user: String,
    /// Table name.
    pub table: String,
    /// Rows of the table in its bypass.
    pub rows: usize,
    /// The first [`BYPASS_ROWS`] of them (`TABLE:ID`), sorted.
    pub first: Vec<String>,
}

/// What an outsider can do on one table.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OutsiderTable {
    /// Table name.
    pub table: String,
    /// Rows the table holds.
    pub table_rows: u64,
    /// Rows it may do each privilege to (create: 1 when it may create, else 0).
    pub privileges: Vec<(&'static str, u64)>,
    /// The privileges it has on every row of the table, whatever rows the
    /// tenant holds (a Global permission, S9): what matters most on a
    /// configuration-only tenant, which holds no rows.
    pub every_row: Vec<&'static str>,
    /// On a table with no rows loaded (A8): `every` or `some` rows read by
    /// its possible patterns, as `exposure` says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<&'static str>,
    /// The permissions that grant it something here, by display name.
    pub via: Vec<String>,
    /// Values of the extra columns (Web API columns and the like).
    pub extra: Vec<String>,
}

/// A web role, as a column of the matrix.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RoleColumn {
    /// Role id.
    pub id: String,
    /// Display name (the id when it has none).
    pub name: String,
    /// Active (an inactive role holds nothing, S3).
    pub active: bool,
    /// Flagged anonymous users role: held by the anonymous visitor (S4).
    pub anonymous: bool,
    /// Flagged authenticated users role: held by every contact (S3).
    pub authenticated: bool,
    /// Contacts holding it (directly, through their account, or all of them
    /// for the authenticated users role).
    pub contacts: u64,
}

/// One table of the matrix.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MatrixRow {
    /// Table name.
    pub table: String,
    /// Rows the table holds.
    pub rows: u64,
    /// Per role column: the permissions on this table in trees held through
    /// the role, by display name.
    pub cells: Vec<Vec<MatrixEntry>>,
    /// Permissions on this table that no active role holds (by display name).
    pub unheld: Vec<MatrixEntry>,
}

/// One permission in a matrix cell.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MatrixEntry {
    /// Permission id.
    pub id: String,
    /// Display name (the id when it has none).
    pub name: String,
    /// Scope name.
    pub scope: &'static str,
    /// The relationship the scope walks, when it has one.
    pub relationship: Option<String>,
    /// Its own privileges, in spec order.
    pub privileges: Vec<&'static str>,
    /// Rows it admits to those who hold it (all rows of the table for
    /// Global; for the others, rows granted to some visitor through it).
    pub rows: u64,
    /// Live: active with every ancestor active (S7).
    pub live: bool,
}

/// A set of rows of one table, one bit per row.
struct Bits {
    words: Vec<u64>,
}

impl Bits {
    fn new(len: usize) -> Bits {
        Bits { words: vec![0; len.div_ceil(64)] }
    }
    fn set(&mut self, i: usize) {
        if let Some(w) = self.words.get_mut(i / 64) {
            *w |= 1u64 << (i % 64);
        }
    }
    fn union(&mut self, o: &Bits) {
        for (a, b) in self.words.iter_mut().zip(&o.words) {
            *a |= b;
        }
    }
    fn fill(&mut self, len: usize) {
        for (i, w) in self.words.iter_mut().enumerate() {
            let left = len.saturating_sub(i * 64);
            *w = if left >= 64 { u64::MAX } else { (1u64 << left) - 1 };
        }
    }
    fn count(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }
}

/// Per permission: the rows it admits for every visitor (InAll, InG) and
/// the rows it grants to anyone (those, plus contact and account grants).
struct PermRows {
    global: Vec<Bits>,
    any: Vec<Bits>,
}

fn perm_rows(a: &Analysis) -> PermRows {
    let t = &a.tenant;
    let d = &a.grants.derived;
    let len = |n: usize| t.tables.get(t.permissions[n].table as usize).map_or(0, |tb| tb.ids.len());
    let mut global: Vec<Bits> = (0..t.permissions.len()).map(|n| Bits::new(len(n))).collect();
    let mut any: Vec<Bits> = (0..t.permissions.len()).map(|n| Bits::new(len(n))).collect();
    let index = |n: u32, x: u32| -> Option<(usize, usize)> {
        let p = t.permissions.get(n as usize)?;
        let first = t.tables.get(p.table as usize)?.first;
        Some((n as usize, x.checked_sub(first)? as usize))
    };
    for &n in &d.in_all {
        let l = len(n as usize);
        if let Some(b) = global.get_mut(n as usize) {
            b.fill(l);
        }
    }
    for &(n, x) in &d.in_g {
        if let Some((n, i)) = index(n, x) {
            global[n].set(i);
        }
    }
    for (n, g) in global.iter().enumerate() {
        any[n].union(g);
    }
    // An account grant reaches someone only when the account has contacts.
    let mut peopled: Vec<u32> = t.contact_account.iter().map(|&(_, acc)| acc).collect();
    peopled.sort_unstable();
    peopled.dedup();
    for (rel, keyed_by_account) in [(&d.contact_grant, false), (&d.account_grant, true), (&d.account_member_grant, false)] {
        for &(n, k, x) in rel.iter() {
            if keyed_by_account && peopled.binary_search(&k).is_err() {
                continue;
            }
            if let Some((n, i)) = index(n, x) {
                any[n].set(i);
            }
        }
    }
    PermRows { global, any }
}

fn display(name: &str, id: &str) -> String {
    if name.trim().is_empty() {
        id.to_string()
    } else {
        name.to_string()
    }
}

/// Contacts holding each role (S3).
fn role_contacts(t: &Tenant) -> Vec<u64> {
    let contacts = t.contacts();
    let all = u64::from(contacts.end - contacts.start);
    let mut direct: Vec<Vec<u32>> = vec![Vec::new(); t.roles.len()];
    for &(c, r) in &t.contact_members {
        if let Some(v) = direct.get_mut(r as usize) {
            v.push(c);
        }
    }
    let mut by_account: Vec<Vec<u32>> = vec![Vec::new(); t.roles.len()];
    for &(acc, r) in &t.account_members {
        if let Some(v) = by_account.get_mut(r as usize) {
            v.push(acc);
        }
    }
    t.roles
        .iter()
        .enumerate()
        .map(|(r, role)| {
            if !role.active || role.anonymous {
                return 0;
            }
            if role.authenticated {
                return all;
            }
            let mut accounts = std::mem::take(&mut by_account[r]);
            accounts.sort_unstable();
            let mut held = std::mem::take(&mut direct[r]);
            if !accounts.is_empty() {
                for c in contacts.clone() {
                    if t.account_of(c).is_some_and(|acc| accounts.binary_search(&acc).is_ok()) {
                        held.push(c);
                    }
                }
            }
            held.sort_unstable();
            held.dedup();
            held.len() as u64
        })
        .collect()
}

fn entry(t: &Tenant, n: PermId, rows: u64) -> MatrixEntry {
    let p = &t.permissions[n as usize];
    MatrixEntry {
        id: p.id.clone(),
        name: display(&p.name, &p.id),
        scope: p.scope.name(),
        relationship: p.scope_relationship().map(|r| r.name.clone()),
        privileges: p.privileges.iter().map(|x| x.name()).collect(),
        rows,
        live: t.live(n),
    }
}

/// Whose reach an [`Outsider`] entry counts, and from what.
struct Reach<'a> {
    who: Who,
    /// Its candidates (S4 for the anonymous visitor, `CandAll` for the newcomer).
    cands: &'a [PermId],
    /// Tables it may create in (S17).
    creates: &'a [TableId],
}

/// What the Web API lets outsiders pull, when some table is open to it.
struct Web<'a> {
    ci: &'a crate::engine::channels::ChannelIndex,
}

impl Web<'_> {
    const COLUMNS: [&'static str; 3] = ["Web API", "columns read (Web API)", "columns updated (Web API)"];

    /// The extra cells of one table: open or closed (with create and delete
    /// when C7 allows them), the columns it may read (C6) where it reads
    /// rows, and update (C7) where it writes rows.
    fn cells(&self, who: Who, tb: TableId, counts: &[(&'static str, u64)], every_row: &[&'static str]) -> Vec<String> {
        let ci = self.ci;
        let has = |p: &str| counts.iter().any(|c| c.0 == p && c.1 > 0) || every_row.contains(&p);
        if !ci.open(tb) {
            return vec!["closed".to_string(), "—".to_string(), "—".to_string()];
        }
        let mut open = "open".to_string();
        let mut also = Vec::new();
        if has("create") && !ci.create_columns(who, tb).is_empty() {
            also.push("create");
        }
        if has("delete") {
            also.push("delete");
        }
        if !also.is_empty() {
            open = format!("open: {}", also.join(", "));
        }
        let list = |ok: bool, cols: Vec<String>| if ok && !cols.is_empty() { cols.join(", ") } else { "—".to_string() };
        vec![open, list(has("read"), ci.read_columns(who, tb)), list(has("write"), ci.update_columns(who, tb))]
    }
}

/// One outsider's reach: per table, rows per privilege (InAll and InG of
/// its candidates, S9, S13) and whether it may create (S17). On a virtual
/// table of a tenant with F&O data the F&O side decides (F2, F6): the
/// newcomer, who has no F&O user, reaches none, and the anonymous
/// visitor's rows are those its F&O user lets through.
fn reach(a: &Analysis, rows: &PermRows, r: &Reach, web: Option<&Web>) -> Vec<OutsiderTable> {
    let t = &a.tenant;
    let d = &a.grants.derived;
    let fo = a.grants.fo();
    let mut tables: Vec<OutsiderTable> = Vec::new();
    let privileges: Vec<Privilege> = Privilege::ALL.into_iter().filter(|p| *p != Privilege::Create).collect();
    for (tb, table) in t.tables.iter().enumerate() {
        let virtual_table = fo.is_some_and(|fo| fo.is_virtual(tb as TableId));
        if virtual_table && r.who == Who::Newcomer {
            continue;
        }
        let cands: Vec<PermId> = r
            .cands
            .iter()
            .copied()
            .filter(|&n| t.permissions.get(n as usize).is_some_and(|p| p.table as usize == tb))
            .collect();
        let create = r.creates.contains(&(tb as u32));
        if cands.is_empty() && !create {
            continue;
        }
        let mut counts = Vec::new();
        let mut every_row = Vec::new();
        for &p in &privileges {
            if virtual_table {
                let Who::Visitor(v) = r.who else { continue };
                counts.push((p.name(), a.grants.what(t, v, p, Some(tb as TableId)).len() as u64));
                continue;
            }
            if cands.iter().any(|&n| t.permissions[n as usize].privileges.has(p) && d.in_all.contains(&n)) {
                every_row.push(p.name());
            }
            let mut u = Bits::new(table.ids.len());
            for &n in &cands {
                if t.permissions[n as usize].privileges.has(p) {
                    u.union(&rows.global[n as usize]);
                }
            }
            counts.push((p.name(), u.count()));
        }
        counts.push((Privilege::Create.name(), u64::from(create)));
        // A8: without rows, the possible read patterns say what it reads.
        let class = if r.who == Who::Newcomer { Class::Newcomer } else { Class::Anonymous };
        let pattern = (table.ids.is_empty() && !virtual_table)
            .then(|| class_reach(a.patterns(), t, class, tb as TableId, Privilege::Read))
            .filter(|&x| x != "none");
        if counts.iter().all(|c| c.1 == 0) && every_row.is_empty() && pattern.is_none() {
            continue;
        }
        // Only the permissions that give it something here.
        let possible_read = |n: PermId| {
            pattern.is_some() && a.patterns().on(tb as TableId, Privilege::Read).any(|x| x.perm == n && x.class == class && x.possible)
        };
        let gives = |n: PermId| {
            let p = &t.permissions[n as usize];
            rows.global[n as usize].count() > 0
                || d.in_all.contains(&n)
                || (create && p.privileges.has(Privilege::Create))
                || possible_read(n)
        };
        let mut via: Vec<String> = cands
            .iter()
            .filter(|&&n| gives(n))
            .map(|&n| &t.permissions[n as usize])
            .map(|p| display(&p.name, &p.id))
            .collect();
        via.sort();
        via.dedup();
        let extra = web.map(|w| w.cells(r.who, tb as TableId, &counts, &every_row)).unwrap_or_default();
        tables.push(OutsiderTable {
            table: table.name.clone(),
            table_rows: table.ids.len() as u64,
            privileges: counts,
            every_row,
            pattern,
            via,
            extra,
        });
    }
    tables.sort_by(|x, y| x.table.cmp(&y.table));
    tables
}

/// Active roles with a flag, by display name.
fn flagged_roles(t: &Tenant, flag: impl Fn(&crate::model::Role) -> bool) -> Vec<String> {
    let mut roles: Vec<String> = t.roles.iter().filter(|r| r.active && flag(r)).map(|r| display(&r.name, &r.id)).collect();
    roles.sort();
    roles
}

/// The anonymous visitor and the newcomer, with what each can reach.
fn outsiders(a: &Analysis, rows: &PermRows, registration: &Registration) -> Vec<Outsider> {
    let t = &a.tenant;
    let d = &a.grants.derived;
    // The channel index only when the tenant has site settings: without
    // them no table is open to the Web API (C2).
    let ci = (!t.raw.site_settings.is_empty()).then(|| a.channel_index());
    let web = ci.filter(|ci| (0..t.tables.len() as TableId).any(|tb| ci.open(tb))).map(|ci| Web { ci });
    let extra_columns: Vec<String> =
        if web.is_some() { Web::COLUMNS.iter().map(|c| c.to_string()).collect() } else { Vec::new() };
    let anonymous = Reach { who: Who::Visitor(Visitor::Anonymous), cands: &d.cand_anon, creates: &d.create_anon };
    let open = ci.map_or(registration.open, |ci| ci.registration_open);
    let none: [u32; 0] = [];
    let newcomer = if open {
        Reach { who: Who::Newcomer, cands: &d.cand_all, creates: &d.create_all }
    } else {
        Reach { who: Who::Newcomer, cands: &none, creates: &none }
    };
    let newcomer_description = if open {
        "anyone on the internet who signs up while registration is open (C8): a new contact with no account, no role memberships and no row related to it, holding every active authenticated users role (C9)".to_string()
    } else {
        format!("nobody can sign up: registration is {} (C8), so the newcomer may do nothing (C9)", registration.text())
    };
    vec![
        Outsider {
            visitor: "anonymous".to_string(),
            title: "Anonymous visitors".to_string(),
            description: "anyone on the internet who has not signed in: holds every active role flagged anonymous users role (S4)".to_string(),
            roles: flagged_roles(t, |r| r.anonymous),
            tables: reach(a, rows, &anonymous, web.as_ref()),
            extra_columns: extra_columns.clone(),
            endpoints: a.endpoints_reached(Who::Visitor(Visitor::Anonymous)),
        },
        Outsider {
            visitor: crate::answer::query::NEWCOMER.to_string(),
            title: "Newcomers (anyone who signs up)".to_string(),
            description: newcomer_description,
            roles: if open { flagged_roles(t, |r| r.authenticated) } else { Vec::new() },
            tables: reach(a, rows, &newcomer, web.as_ref()),
            extra_columns,
            endpoints: a.endpoints_reached(Who::Newcomer),
        },
    ]
}

/// The F&O bypass (F8) of every visitor, bounded for a page.
fn bypass_section(a: &Analysis) -> Option<BypassSection> {
    let fo = a.grants.fo()?;
    let ans = a.bypass(None, None).ok()?;
    let mut groups: BTreeMap<(&str, &str), (usize, Vec<&str>, &str)> = BTreeMap::new();
    for l in &ans.lines {
        let table = l.row.split_once(':').map_or(l.row.as_str(), |(t, _)| t);
        let g = groups.entry((&l.visitor, table)).or_insert((0, Vec::new(), &l.user));
        g.0 += 1;
        if g.1.len() < BYPASS_ROWS {
            g.1.push(&l.row);
        }
    }
    let mut visitors: Vec<&str> = ans.lines.iter().map(|l| l.visitor.as_str()).collect();
    visitors.dedup();
    let pairs = groups.len();
    let entries = groups
        .into_iter()
        .take(BYPASS_ENTRIES)
        .map(|((visitor, table), (rows, first, user))| BypassEntry {
            visitor: visitor.to_string(),
            user: user.to_string(),
            table: table.to_string(),
            rows,
            first: first.into_iter().map(String::from).collect(),
        })
        .collect();
    Some(BypassSection {
        pairs: ans.lines.len(),
        visitors: visitors.len(),
        tables: ans.summary,
        entries,
        more_entries: pairs.saturating_sub(BYPASS_ENTRIES),
        anonymous_user: fo.user_of(Visitor::Anonymous).map(|u| fo.fo.users[u as usize].id.clone()),
    })
}

/// Errors first, then warnings, then notes (info).
pub fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// Builds the report of a linted tenant (its findings come from `lint`,
/// with their locations).
pub fn build(linted: &Linted) -> SecurityReport {
    build_with(&linted.analysis, linted.report())
}

/// Builds the report of a tenant and its findings.
pub fn build_with(a: &Analysis, lint: LintReport) -> SecurityReport {
    let t = &a.tenant;
    let rows = perm_rows(a);

    let contacts = t.contacts();
    let summary = Summary {
        tables: t.tables.iter().filter(|x| !x.ids.is_empty()).count(),
        rows: u64::from(t.row_count()),
        contacts: u64::from(contacts.end - contacts.start),
        accounts: t.tables.get(t.account_table as usize).map_or(0, |tb| tb.ids.len() as u64),
        web_roles: t.roles.len(),
        table_permissions: t.permissions.len(),
        relationships: t.relationships.len(),
        links: t.links.len(),
    };

    // Roles as columns, by display name then id.
    let held = role_contacts(t);
    let mut order: Vec<usize> = (0..t.roles.len()).collect();
    order.sort_by(|&x, &y| {
        let (rx, ry) = (&t.roles[x], &t.roles[y]);
        display(&rx.name, &rx.id).cmp(&display(&ry.name, &ry.id)).then_with(|| rx.id.cmp(&ry.id))
    });
    let mut column = vec![usize::MAX; t.roles.len()];
    for (i, &r) in order.iter().enumerate() {
        column[r] = i;
    }
    let roles: Vec<RoleColumn> = order
        .iter()
        .map(|&r| {
            let role = &t.roles[r];
            RoleColumn {
                id: role.id.clone(),
                name: display(&role.name, &role.id),
                active: role.active,
                anonymous: role.anonymous,
                authenticated: role.authenticated,
                contacts: held[r],
            }
        })
        .collect();

    // The matrix: each permission under the roles of its root (S6), when
    // those roles are active (S3).
    let mut by_table: Vec<Option<MatrixRow>> = vec![None; t.tables.len()];
    for (n, p) in t.permissions.iter().enumerate() {
        let tb = p.table as usize;
        let Some(table) = t.tables.get(tb) else { continue };
        let line = by_table[tb].get_or_insert_with(|| MatrixRow {
            table: table.name.clone(),
            rows: table.ids.len() as u64,
            cells: vec![Vec::new(); roles.len()],
            unheld: Vec::new(),
        });
        let e = entry(t, n as PermId, rows.any[n].count());
        let root = t.root_of(n as PermId);
        let mut root_roles: Vec<u32> = t.permissions[root as usize]
            .roles
            .iter()
            .copied()
            .filter(|&r| t.roles.get(r as usize).is_some_and(|x| x.active))
            .collect();
        root_roles.sort_unstable();
        root_roles.dedup();
        if root_roles.is_empty() {
            line.unheld.push(e);
            continue;
        }
        for r in root_roles {
            if let Some(cell) = line.cells.get_mut(column[r as usize]) {
                cell.push(e.clone());
            }
        }
    }
    let mut matrix: Vec<MatrixRow> = by_table.into_iter().flatten().collect();
    let key = |e: &MatrixEntry| (e.name.clone(), e.id.clone());
    for line in &mut matrix {
        for cell in &mut line.cells {
            cell.sort_by_key(key);
        }
        line.unheld.sort_by_key(key);
    }
    matrix.sort_by(|x, y| x.table.cmp(&y.table));

    // C8 from the tenant's site settings (none: open, said so).
    let registration = registration(
        (!t.raw.site_settings.is_empty())
            .then(|| t.raw.site_settings.iter().map(|s| (s.name.as_str(), s.value.as_str(), s.active))),
    );
    let counts = SeverityCounts {
        error: lint.count(Severity::Error),
        warning: lint.count(Severity::Warning),
        info: lint.count(Severity::Info),
    };
    let mut findings = lint.findings;
    findings.sort_by_key(|f| severity_rank(f.severity));
    SecurityReport {
        source: t.source.clone(),
        summary,
        outsiders: outsiders(a, &rows, &registration),
        bypass: bypass_section(a),
        registration,
        counts,
        findings,
        roles,
        matrix,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn c8_registration_is_open_unless_a_setting_says_false() {
        let none: Option<Vec<(&str, &str, bool)>> = None;
        assert_eq!(registration(none).text(), "open (no settings)");
        assert_eq!(registration(Some(vec![("Webapi/contact/enabled", "true", true)])).text(), "open");
        let closed = registration(Some(vec![("authentication/registration/enabled", " FALSE ", true)]));
        assert!(!closed.open);
        assert_eq!(closed.text(), "closed (`Authentication/Registration/Enabled` is `FALSE`)");
        // C1: inactive settings do not count; the last active one of a name wins.
        assert!(registration(Some(vec![("Authentication/Registration/OpenRegistrationEnabled", "false", false)])).open);
        assert!(registration(Some(vec![
            ("Authentication/Registration/Enabled", "false", true),
            ("Authentication/Registration/Enabled", "true", true),
        ]))
        .open);
        assert!(!registration(Some(vec![("Authentication/Registration/OpenRegistrationEnabled", "false", true)])).open);
    }

    #[test]
    fn bits_count_and_fill() {
        let mut b = Bits::new(130);
        b.fill(130);
        assert_eq!(b.count(), 130);
        let mut c = Bits::new(130);
        c.set(3);
        c.set(3);
        c.set(129);
        c.set(500);
        assert_eq!(c.count(), 2);
    }
}
