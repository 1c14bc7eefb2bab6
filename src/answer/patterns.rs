//! Answers without rows (patterns.md A5 to A9): `who TENANT PRIVILEGE
//! TABLE`, the patterns `what` adds for tables with no rows loaded, and the
//! pattern difference of two tenants that `diff` and `whatif` carry.

use crate::engine::patterns::{condition, Class, Pattern, Patterns, Top};
use crate::model::names::Names;
use crate::model::{Privilege, Scope, TableId, Tenant};
use std::io::{self, Write};
use serde::Serialize;
use std::collections::BTreeSet;

/// One step of a condition chain in JSON (A2).
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConditionStep {
    /// `global`, `contact`, `account`, `self`, `parent` or `custom`.
    pub scope: std::borrow::Cow<'static, str>,
    /// The relationship (null for Global, Self and Custom).
    pub relationship: Option<String>,
    /// False for a relationship nobody declares (`unknown(R)`).
    pub known: bool,
    /// The step's table.
    pub table: String,
}

/// One pattern entry (A6), with `privilege` and `table` where a difference
/// lists it (A9).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct PatternEntry {
    /// `anonymous`, `contacts` or `newcomer`.
    pub class: &'static str,
    /// The root's roles through which the class holds it (ids, sorted).
    pub roles: Vec<String>,
    /// The condition's chain, from the top of the scope chain down.
    pub condition: Vec<ConditionStep>,
    /// The permission's id.
    pub permission: String,
    /// Whether the pattern is possible for the class (A4).
    pub possible: bool,
    /// What the pattern rests on that the tool does not evaluate (Custom,
    /// undeclared relationships); empty when nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rests_on: Vec<String>,
    /// The privilege (differences only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privilege: Option<String>,
    /// The table (differences only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The permission's display name, for readable answers.
    #[serde(skip)]
    pub permission_name: String,
}

/// The readable name of a pattern's permission.
impl PatternEntry {
    /// Whether the pattern's own permission is Global (S9): `every` row.
    pub fn every(&self) -> bool {
        self.condition.last().is_some_and(|s| s.scope == "global")
    }
}

/// `who TENANT PRIVILEGE TABLE` for a row privilege (A6).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WhoTableAnswer {
    /// Privilege name.
    pub privilege: String,
    /// The table.
    pub table: String,
    /// `every`, `some` or `none` for the anonymous visitor.
    pub anonymous: &'static str,
    /// `every`, `some` or `none` for anyone who signs up.
    pub newcomer: &'static str,
    /// `every`, `some` or `none` for signed-in contacts.
    pub contacts: &'static str,
    /// Whether rows of the table are loaded (row answers then stand, A5).
    pub rows_loaded: bool,
    /// One entry per class and live candidate permission.
    pub patterns: Vec<PatternEntry>,
}

fn scope_name(s: Scope) -> &'static str {
    s.name()
}

fn scope_static(s: &str) -> &'static str {
    ["global", "contact", "account", "self", "parent", "custom"].into_iter().find(|x| *x == s).unwrap_or("custom")
}

/// A pattern as an answer entry.
pub fn entry(t: &Tenant, names: &Names, p: &Pattern, privilege: Option<Privilege>) -> PatternEntry {
    let chain = condition(t, p.perm);
    let mut rests_on: Vec<String> = chain
        .iter()
        .filter_map(|s| match (&s.relationship, s.known, s.scope) {
            (_, _, Scope::Custom) => Some("custom".to_string()),
            (Some(r), false, _) => Some(format!("unknown({r})")),
            _ => None,
        })
        .collect();
    if p.top == Top::None {
        rests_on.clear();
    }
    PatternEntry {
        class: p.class.name(),
        roles: p.roles.iter().map(|&r| t.roles[r as usize].id.clone()).collect(),
        condition: chain
            .into_iter()
            .map(|s| ConditionStep {
                scope: scope_name(s.scope).into(),
                relationship: s.relationship,
                known: s.known,
                table: t.tables[s.table as usize].name.clone(),
            })
            .collect(),
        permission: t.permissions[p.perm as usize].id.clone(),
        possible: privilege.map_or(p.possible, |q| p.possible_for(q)),
        rests_on,
        privilege: None,
        table: None,
        permission_name: names.perm(p.perm).to_string(),
    }
}

/// The entries of the patterns on `table` for privilege `p`, sorted by
/// class, then permission id.
pub fn entries(t: &Tenant, patterns: &Patterns, table: TableId, p: Privilege) -> Vec<PatternEntry> {
    let names = Names::new(t, false);
    let mut v: Vec<PatternEntry> = patterns.on(table, p).map(|x| entry(t, &names, x, Some(p))).collect();
    v.sort();
    v
}

/// `every`, `some` or `none` (A6, A8): some of `possible` is on a Global
/// permission itself (S9), only narrower chains, or nothing. The one
/// reading `who`, `exposure`, `report` and `lint` share.
pub fn reach_of<'a>(t: &Tenant, possible: impl IntoIterator<Item = &'a Pattern>) -> &'static str {
    let mut any = false;
    for x in possible {
        if t.permissions[x.perm as usize].scope == Scope::Global {
            return "every";
        }
        any = true;
    }
    if any {
        "some"
    } else {
        "none"
    }
}

/// What `class` may do with privilege `p` on `table` by its possible patterns.
pub fn class_reach(patterns: &Patterns, t: &Tenant, class: Class, table: TableId, p: Privilege) -> &'static str {
    reach_of(t, patterns.on(table, p).filter(|x| x.class == class && x.possible_for(p)))
}

/// Whether any row of `table` is loaded.
pub fn rows_loaded(t: &Tenant, table: TableId) -> bool {
    t.tables.get(table as usize).is_some_and(|x| !x.rows().is_empty())
}

/// A pattern's comparison key (A3): class, table, privilege and the
/// condition's (scope, relationship, table) steps; `create` by class and
/// table only.
type Key = (&'static str, String, &'static str, Vec<(&'static str, Option<String>, String)>);

/// A tenant's possible patterns with their comparison keys (A3), as
/// [`PatternDiff::of`] compares them: one per privilege.
#[derive(Debug, Clone, Default)]
pub struct Keyed {
    entries: Vec<(Key, PatternEntry)>,
    keys: BTreeSet<Key>,
}

impl Keyed {
    /// The keyed possible patterns of `t`.
    pub fn new(t: &Tenant, patterns: &Patterns) -> Keyed {
        let entries = keyed(t, patterns);
        let keys = entries.iter().map(|(k, _)| k.clone()).collect();
        Keyed { entries, keys }
    }
}

fn keyed(t: &Tenant, patterns: &Patterns) -> Vec<(Key, PatternEntry)> {
    let mut out = Vec::new();
    let names = Names::new(t, false);
    for p in &patterns.list {
        for q in p.privileges.iter() {
            if !p.possible_for(q) {
                continue;
            }
            let mut e = entry(t, &names, p, Some(q));
            e.privilege = Some(q.name().to_string());
            e.table = Some(t.tables[p.table as usize].name.clone());
            let steps = if q == Privilege::Create {
                Vec::new()
            } else {
                e.condition.iter().map(|s| (scope_static(&s.scope), s.relationship.clone(), s.table.clone())).collect()
            };
            out.push(((e.class, t.tables[p.table as usize].name.clone(), q.name(), steps), e));
        }
    }
    out
}

/// The possible patterns of `new` that `old` lacks, and the reverse (A9),
/// each sorted by class, table, privilege and permission.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct PatternDiff {
    /// Possible in NEW, not in OLD.
    pub gained: Vec<PatternEntry>,
    /// Possible in OLD, not in NEW.
    pub lost: Vec<PatternEntry>,
}

impl PatternDiff {
    /// Compares the patterns of two tenants.
    pub fn between(old: (&Tenant, &Patterns), new: (&Tenant, &Patterns)) -> PatternDiff {
        PatternDiff::of(&Keyed::new(old.0, old.1), &Keyed::new(new.0, new.1))
    }

    /// Compares two tenants' keyed patterns (the base's kept across the
    /// scenarios of a what-if).
    pub fn of(old: &Keyed, new: &Keyed) -> PatternDiff {
        let only = |v: &Keyed, other: &Keyed| {
            let mut out: Vec<PatternEntry> = v.entries.iter().filter(|(k, _)| !other.keys.contains(k)).map(|(_, e)| e.clone()).collect();
            out.sort_by(|x, y| (x.class, &x.table, &x.privilege, &x.permission, &x.condition).cmp(&(y.class, &y.table, &y.privilege, &y.permission, &y.condition)));
            out.dedup();
            out
        };
        PatternDiff { gained: only(new, old), lost: only(old, new) }
    }

    /// Whether the class gained a possible pattern.
    pub fn gains(&self, class: Class) -> bool {
        self.gained.iter().any(|e| e.class == class.name())
    }

    /// Whether nothing was gained or lost.
    pub fn is_empty(&self) -> bool {
        self.gained.is_empty() && self.lost.is_empty()
    }

    /// Writes the readable difference (A9): `  anonymous gains: read, write
    /// every row of contact (Contact Permission)`, one line per class,
    /// permission and condition.
    pub fn write_text(&self, out: &mut dyn Write) -> io::Result<()> {
        if self.is_empty() {
            return writeln!(out, "  patterns (with or without rows): no change");
        }
        writeln!(out, "  patterns (with or without rows):")?;
        for (verb, list) in [("gains", &self.gained), ("loses", &self.lost)] {
            let mut lines: Vec<(&str, &str, String, Vec<&str>)> = Vec::new();
            for e in list {
                let table = e.table.as_deref().unwrap_or_default();
                let cond = if e.privilege.as_deref() == Some("create") {
                    format!("in {table}")
                } else if e.every() && e.condition.len() == 1 {
                    format!("every row of {table}")
                } else {
                    format!("some rows of {table} ({})", chain_text(&e.condition))
                };
                let privilege = e.privilege.as_deref().unwrap_or_default();
                match lines.iter_mut().find(|l| l.0 == e.class && l.1 == e.permission_name && l.2 == cond) {
                    Some(l) => l.3.push(privilege),
                    None => lines.push((e.class, &e.permission_name, cond, vec![privilege])),
                }
            }
            for (class, perm, cond, privileges) in lines {
                writeln!(out, "    {class} {verb}: {} {cond} ({perm})", privileges.join(", "))?;
            }
        }
        Ok(())
    }
}

/// A condition chain in a few words: `contact via R > parent via S on incident`.
pub fn chain_text(steps: &[ConditionStep]) -> String {
    let words: Vec<String> = steps
        .iter()
        .map(|s| match &s.relationship {
            Some(r) if s.known => format!("{} {} via {r}", s.scope, s.table),
            Some(r) => format!("{} {} via unknown {r}", s.scope, s.table),
            None => format!("{} {}", s.scope, s.table),
        })
        .collect();
    words.join(" > ")
}
