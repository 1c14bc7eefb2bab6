//! `portal-access diff OLD NEW` (whatif.md, "Diff of two tenants"): the
//! grants (S25) that NEW makes and OLD does not (`gained`) and the reverse
//! (`lost`), answered as `whatif` answers one scenario named `OLD -> NEW`.
//!
//! Two ways, one answer:
//!
//! - **Factored** (the usual pull request: the same web roles in the same
//!   order, the same relationship catalogue): [`effect_between`] says which
//!   permissions, roles, relationships and tables differ, and the what-if
//!   comparison ([`WhatIf::outcome_against`]) derives NEW only for the
//!   permission trees that may grant differently, on top of OLD's full
//!   derivation. Rows may differ too: the comparison maps rows by table and
//!   id, as it does for a change set that adds or removes rows.
//! - **Streamed** (roles or relationships added, removed or reordered, where
//!   interned ids of the two tenants cannot be lined up): both tenants are
//!   derived in full and their sorted grant streams merged.
//!
//! Either way the answer is exactly the difference of the two grant sets
//! (`tests/diff.rs` checks it on random pairs of tenants).

use crate::answer::query::{Analysis, GrantLine};
use crate::answer::whatif::{
    write_scenario_text, CommandError, Effect, FailOn, NewcomerChanges, NewcomerLine, Outcome, ScenarioAnswer,
    Summary, WhatIf,
};
use crate::model::{Privilege, RelKind, Tenant};
use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};
use std::path::Path;

/// Options of `portal-access diff`.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Print the JSON answer.
    pub json: bool,
    /// Lines shown per list in the readable answer.
    pub limit: usize,
    /// Kinds of change that make the command exit 4.
    pub fail_on: Vec<FailOn>,
}

/// The difference of two tenants, before printing.
pub enum TenantDiff<'a> {
    /// From the factored what-if comparison (grant lists kept as ids).
    Factored(Box<Outcome<'a>>),
    /// From the merged grant streams of two full derivations.
    Streamed(Box<ScenarioAnswer>),
}

impl TenantDiff<'_> {
    /// The scenario answer, with its grant lines printed.
    pub fn answer(&self) -> ScenarioAnswer {
        match self {
            TenantDiff::Factored(o) => o.answer(),
            TenantDiff::Streamed(a) => (**a).clone(),
        }
    }

    /// Whether the difference shows that kind of change.
    pub fn shows(&self, kind: FailOn) -> bool {
        match self {
            TenantDiff::Factored(o) => o.shows(kind),
            TenantDiff::Streamed(a) => a.shows(kind),
        }
    }

    /// Whether the factored comparison answered (for tests and `bench`).
    pub fn is_factored(&self) -> bool {
        matches!(self, TenantDiff::Factored(_))
    }

    /// Writes the JSON scenario object (the same bytes as serializing
    /// [`TenantDiff::answer`]).
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        match self {
            TenantDiff::Factored(o) => o.write_json(out),
            TenantDiff::Streamed(a) => serde_json::to_writer(&mut *out, a).map_err(io::Error::from),
        }
    }

    /// Writes the readable answer, `limit` lines per list.
    pub fn write_text(&self, out: &mut dyn Write, limit: usize) -> io::Result<()> {
        match self {
            TenantDiff::Factored(o) => o.write_text(out, limit),
            TenantDiff::Streamed(a) => write_scenario_text(out, a, limit),
        }
    }
}

/// The scenario name of a diff: `OLD -> NEW`, each a pulled snapshot's
/// label (`site (environment, finished_at)`, from its `pull.json`,
/// pull.md P15) or the path as given.
pub fn scenario_name(old: &Path, new: &Path) -> String {
    use crate::pull::manifest::label;
    format!("{} -> {}", label(old), label(new))
}

/// The difference between `old` (derived) and `new` (loaded, not derived):
/// factored when the two line up ([`effect_between`]), streamed otherwise.
pub fn diff_tenants<'w>(w: &'w WhatIf<'_>, old: &Analysis, new: Tenant, name: &str) -> TenantDiff<'w> {
    match effect_between(&old.tenant, &new) {
        Some(effect) => TenantDiff::Factored(Box::new(w.outcome_against(name, new, &effect))),
        None => TenantDiff::Streamed(Box::new(streamed(old, Analysis::new(new), name))),
    }
}

/// The difference computed the plain way: both grant sets in full, merged.
pub fn streamed(old: &Analysis, new: Analysis, name: &str) -> ScenarioAnswer {
    let (before, after) = (sorted_grants(old), sorted_grants(&new));
    let (mut gained, mut lost) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < before.len() || j < after.len() {
        match (before.get(i), after.get(j)) {
            (Some(b), Some(a)) if b == a => (i, j) = (i + 1, j + 1),
            (Some(b), Some(a)) if b < a => {
                lost.push(b.clone());
                i += 1;
            }
            (Some(b), None) => {
                lost.push(b.clone());
                i += 1;
            }
            (_, Some(a)) => {
                gained.push(a.clone());
                j += 1;
            }
            (None, None) => break,
        }
    }
    let visitors: BTreeSet<&str> = gained.iter().chain(&lost).map(|g| g.visitor.as_str()).collect();
    let summary = Summary { gained: gained.len(), lost: lost.len(), visitors_affected: visitors.len() };
    let newcomer = match (newcomer_grants(old), newcomer_grants(&new)) {
        (None, None) => None,
        (before, after) => {
            let (before, after) = (before.unwrap_or_default(), after.unwrap_or_default());
            Some(NewcomerChanges {
                gained: after.difference(&before).cloned().collect(),
                lost: before.difference(&after).cloned().collect(),
            })
        }
    };
    ScenarioAnswer {
        name: name.to_string(),
        ok: true,
        gained: Some(gained),
        lost: Some(lost),
        summary: Some(summary),
        error: None,
        newcomer,
        patterns: Some(crate::answer::patterns::PatternDiff::between((&old.tenant, old.patterns()), (&new.tenant, new.patterns()))),
        incomplete: crate::answer::whatif::incomplete_of(&old.tenant, &new.tenant),
    }
}

/// Every grant of the newcomer (C9), or `None` when registration is closed (C8).
fn newcomer_grants(a: &Analysis) -> Option<BTreeSet<NewcomerLine>> {
    if !a.channel_index().registration_open {
        return None;
    }
    let mut out = BTreeSet::new();
    for p in Privilege::ALL {
        let Ok(w) = a.what_newcomer(p.name(), None) else { continue };
        let line = |row: Option<String>, table: Option<String>| NewcomerLine { privilege: w.privilege.clone(), row, table };
        out.extend(w.rows.iter().flatten().map(|r| line(Some(r.clone()), None)));
        out.extend(w.tables.iter().flatten().map(|t| line(None, Some(t.clone()))));
    }
    Some(out)
}

/// Every grant of a tenant, sorted by visitor, privilege, target.
fn sorted_grants(a: &Analysis) -> Vec<GrantLine> {
    let mut out = Vec::new();
    for v in a.visitors() {
        out.extend(a.grants_of(v, None));
    }
    out.sort_unstable();
    out
}

/// What may grant differently between two tenants loaded on their own, as
/// the what-if comparison takes it: permissions, roles, relationships and
/// tables that differ by id or name. `None` when the two tenants' interned
/// ids cannot be lined up for that comparison: their web roles or their
/// relationships differ in number, ids or order.
pub fn effect_between(old: &Tenant, new: &Tenant) -> Option<Effect> {
    let same_roles =
        old.roles.len() == new.roles.len() && old.roles.iter().zip(&new.roles).all(|(a, b)| a.id == b.id);
    let same_rels = old.relationships.len() == new.relationships.len()
        && old.relationships.iter().zip(&new.relationships).all(|(a, b)| a.name == b.name);
    if !same_roles || !same_rels {
        return None;
    }
    let same_rows = same_rows(old, new);
    let mut effect = Effect { data: true, ..Effect::default() };

    // Permissions: by id, everything the rules read.
    let (po, pn) = (perm_signatures(old), perm_signatures(new));
    for (id, sig) in &po {
        if pn.get(id) != Some(sig) {
            effect.perms.insert(id.clone());
        }
    }
    effect.perms.extend(pn.keys().filter(|id| !po.contains_key(*id)).cloned());

    // Roles (same ids in the same order): flags and members.
    let (mo, mn) = (members_by_role(old), members_by_role(new));
    for (i, (a, b)) in old.roles.iter().zip(&new.roles).enumerate() {
        let flags = |r: &crate::model::Role| (r.anonymous, r.authenticated, r.active);
        if flags(a) != flags(b) || mo.get(i) != mn.get(i) {
            effect.roles.insert(a.id.clone());
        }
    }

    // Relationships (same names in the same order): definition and links.
    let (lo, ln) = (links_by_rel(old, same_rows), links_by_rel(new, same_rows));
    for (i, (a, b)) in old.relationships.iter().zip(&new.relationships).enumerate() {
        if kind_names(old, &a.kind) != kind_names(new, &b.kind) || lo.get(i) != ln.get(i) {
            effect.rels.insert(a.name.clone());
        }
    }

    // Tables whose rows differ.
    if !same_rows {
        let ids = |t: &Tenant| -> HashMap<String, Vec<String>> {
            t.tables.iter().map(|tb| (tb.name.clone(), tb.ids.to_vec())).collect()
        };
        let (to, tn) = (ids(old), ids(new));
        let empty = Vec::new();
        for name in to.keys().chain(tn.keys()) {
            let (a, b) = (to.get(name).unwrap_or(&empty), tn.get(name).unwrap_or(&empty));
            if a != b {
                effect.tables.insert(name.clone());
            }
        }
    }
    Some(effect)
}

/// Whether two tenants have the same tables of rows, with the same ids in
/// the same order (so that row ids coincide).
fn same_rows(x: &Tenant, y: &Tenant) -> bool {
    let with_rows = |t: &Tenant| -> Vec<(u32, String)> {
        t.tables.iter().filter(|tb| !tb.ids.is_empty()).map(|tb| (tb.first, tb.name.clone())).collect()
    };
    with_rows(x) == with_rows(y)
        && x.tables
            .iter()
            .filter(|tb| !tb.ids.is_empty())
            .all(|tb| y.table_id(&tb.name).is_some_and(|ty| y.tables[ty as usize].ids == tb.ids))
}

/// Each permission by id, with everything the rules read from it, by name.
fn perm_signatures(t: &Tenant) -> HashMap<String, String> {
    let rel = |r: &Option<crate::model::RelRef>| r.as_ref().map(|r| format!("{}#{}", r.name, r.id.is_some()));
    t.permissions
        .iter()
        .map(|p| {
            let mut roles: Vec<&str> = p.roles.iter().map(|&r| t.roles[r as usize].id.as_str()).collect();
            roles.sort_unstable();
            let sig = format!(
                "{:?}",
                (
                    &t.tables[p.table as usize].name,
                    p.scope,
                    p.privileges.0,
                    roles,
                    rel(&p.contact_relationship),
                    rel(&p.account_relationship),
                    p.parent.map(|n| t.permissions[n as usize].id.as_str()),
                    rel(&p.parent_relationship),
                    p.active,
                )
            );
            (p.id.clone(), sig)
        })
        .collect()
}

/// The members of each role (contacts and accounts, as `TABLE:ID`), sorted.
fn members_by_role(t: &Tenant) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new(); t.roles.len()];
    for &(row, r) in t.contact_members.iter().chain(&t.account_members) {
        if let Some(list) = out.get_mut(r as usize) {
            list.push(t.row_ref(row));
        }
    }
    for list in &mut out {
        list.sort_unstable();
        list.dedup();
    }
    out
}

/// A relationship's definition with table names for ids.
fn kind_names(t: &Tenant, k: &RelKind) -> String {
    let name = |tb: u32| t.tables.get(tb as usize).map(|x| x.name.as_str()).unwrap_or("");
    match k {
        RelKind::OneToMany { referencing, lookup, referenced } => {
            format!("1:N {} {lookup} {}", name(*referencing), name(*referenced))
        }
        RelKind::ManyToMany { tables } => format!("N:N {} {}", name(tables[0]), name(tables[1])),
    }
}

/// A row as something comparable across the two tenants.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum RowKey {
    /// Row ids coincide between the two tenants.
    Id(u32),
    /// `TABLE:ID`.
    Named(String),
}

/// The links of each relationship (in relationship order), sorted.
fn links_by_rel(t: &Tenant, same_rows: bool) -> Vec<Vec<(RowKey, RowKey)>> {
    let key = |x: u32| if same_rows { RowKey::Id(x) } else { RowKey::Named(t.row_ref(x)) };
    let mut out: Vec<Vec<(RowKey, RowKey)>> = vec![Vec::new(); t.relationships.len()];
    for &(r, a, b) in t.links.iter() {
        if let Some(list) = out.get_mut(r as usize) {
            list.push((key(a), key(b)));
        }
    }
    for list in &mut out {
        list.sort_unstable();
        list.dedup();
    }
    out
}

/// `portal-access diff OLD NEW`: loads both (a tenant that fails to load
/// stops the command before any output, exit 2), prints the one-scenario
/// answer, and returns the exit code (4 when `--fail-on` matches).
pub fn diff_command(old: &Path, new: &Path, opts: &DiffOptions, out: &mut dyn Write) -> Result<u8, CommandError> {
    let before = Analysis::load(old)?;
    let after = crate::model::load(new)?;
    let w = WhatIf::new(&before);
    let name = scenario_name(old, new);
    let d = diff_tenants(&w, &before, after, &name);
    if opts.json {
        write!(out, "{{\"scenarios\":[")?;
        d.write_json(out)?;
        writeln!(out, "]}}")?;
    } else {
        d.write_text(out, opts.limit)?;
    }
    out.flush()?;
    Ok(if opts.fail_on.iter().any(|&k| d.shows(k)) { 4 } else { 0 })
}
