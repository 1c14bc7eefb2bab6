//! Access patterns (patterns.md A1 to A4): what each visitor class may do
//! to a table, read from the configuration alone, so that an answer on a
//! site without rows never reads as "nothing".
//!
//! The decisions (who holds a permission, where its condition chain starts,
//! whether a step admits nothing, whether the pattern is possible) come
//! from the plan program ([`portal_access_rules::plan`], rules A1 to A4);
//! [`super::walk_patterns`] evaluates the same rules on its own, and a
//! property test holds the two equal. This file only reads the plan back
//! into [`Pattern`]s and words a condition's chain for answers.

use super::facts::config_facts;
use crate::model::{PermId, Privilege, Privileges, RoleId, Scope, TableId, Tenant};
use portal_access_rules::plan::{plan, PatternPlan};
pub use portal_access_rules::plan::Top;

/// A visitor class (A1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// The visitor who has not signed in (S4).
    Anonymous,
    /// Signed-in contacts (S3).
    Contacts,
    /// Anyone who signs up (C9).
    Newcomer,
}

impl Class {
    /// The three classes, in answer order.
    pub const ALL: [Class; 3] = [Class::Anonymous, Class::Contacts, Class::Newcomer];

    /// The name used in answers: `anonymous`, `contacts`, `newcomer`.
    pub fn name(self) -> &'static str {
        match self {
            Class::Anonymous => "anonymous",
            Class::Contacts => "contacts",
            Class::Newcomer => "newcomer",
        }
    }

    /// Parses a class name.
    pub fn parse(s: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.name() == s)
    }
}

/// One pattern (A3): a class holds live permission `perm` on `table`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// Who holds it.
    pub class: Class,
    /// The permission.
    pub perm: PermId,
    /// Its table.
    pub table: TableId,
    /// Its own flags (S15).
    pub privileges: Privileges,
    /// The root's roles through which the class holds it (A6), sorted by id.
    pub roles: Vec<RoleId>,
    /// Where its condition chain starts (A2).
    pub top: Top,
    /// Whether the chain rests on Custom or an undeclared relationship.
    pub unsure: bool,
    /// Whether its row pattern is possible for the class (A4).
    pub possible: bool,
}

impl Pattern {
    /// Whether the pattern is possible for privilege `p`: `create` whenever
    /// held (A4, S17), row privileges as A4 says.
    pub fn possible_for(&self, p: Privilege) -> bool {
        self.privileges.has(p) && (p == Privilege::Create || self.possible)
    }
}

/// One step of a condition chain (A2), from the top of the scope chain down.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CondStep {
    /// The step's scope.
    pub scope: Scope,
    /// The relationship it walks (none for Global, Self and Custom).
    pub relationship: Option<String>,
    /// False for a relationship nobody declares (`unknown(R)`).
    pub known: bool,
    /// The step's table.
    pub table: TableId,
}

/// Every pattern of a tenant, sorted by table, permission and class.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Patterns {
    /// The patterns.
    pub list: Vec<Pattern>,
}

impl Patterns {
    /// Derives the patterns of `t` with the plan rules (configuration only).
    pub fn derive(t: &Tenant) -> Patterns {
        let p = plan(&config_facts(t));
        Patterns::from_plan(t, &p.cand_anon, &p.cand_all, &p.cand_role, &p.patterns)
    }

    fn from_plan(t: &Tenant, anon: &[u32], all: &[u32], role: &[(u32, u32)], pp: &PatternPlan) -> Patterns {
        let has = |v: &[u32], n: u32| v.binary_search(&n).is_ok();
        let mut list = Vec::new();
        for &(n, top) in &pp.top {
            let perm = &t.permissions[n as usize];
            let root = &t.permissions[t.root_of(n) as usize];
            let active = |r: &RoleId| t.roles.get(*r as usize).is_some_and(|x| x.active);
            let flagged = |anon: bool| -> Vec<RoleId> {
                root.roles.iter().copied().filter(|r| active(r) && t.roles[*r as usize].anonymous == anon && (anon || t.roles[*r as usize].authenticated)).collect()
            };
            let from = role.partition_point(|e| e.0 < n);
            let named: Vec<RoleId> = role[from..].iter().take_while(|e| e.0 == n).map(|e| e.1).collect();
            let mut held = Vec::new();
            if has(anon, n) {
                held.push((Class::Anonymous, flagged(true), has(&pp.possible_anon, n)));
            }
            if has(all, n) || !named.is_empty() {
                let roles = if has(all, n) { flagged(false) } else { named };
                held.push((Class::Contacts, roles, has(&pp.possible_contacts, n)));
            }
            if has(&pp.cand_newcomer, n) {
                held.push((Class::Newcomer, flagged(false), has(&pp.possible_newcomer, n)));
            }
            for (class, mut roles, possible) in held {
                sort_roles(t, &mut roles);
                let unsure = has(&pp.unsure, n);
                list.push(Pattern { class, perm: n, table: perm.table, privileges: perm.privileges, roles, top, unsure, possible });
            }
        }
        Patterns::sorted(list)
    }

    /// The list sorted by table, permission and class, as every evaluation gives it.
    pub fn sorted(mut list: Vec<Pattern>) -> Patterns {
        list.sort_by_key(|p| (p.table, p.perm, p.class));
        Patterns { list }
    }

    /// The patterns on `table`, every privilege.
    pub fn of_table(&self, table: TableId) -> &[Pattern] {
        let from = self.list.partition_point(|x| x.table < table);
        let to = self.list.partition_point(|x| x.table <= table);
        &self.list[from..to]
    }

    /// The patterns on `table` that set privilege `p`, possible or not.
    pub fn on(&self, table: TableId, p: Privilege) -> impl Iterator<Item = &Pattern> {
        self.of_table(table).iter().filter(move |x| x.privileges.has(p))
    }

    /// Whether some pattern of `class` on `table` is possible for `p`.
    pub fn possible(&self, class: Class, table: TableId, p: Privilege) -> bool {
        self.on(table, p).any(|x| x.class == class && x.possible_for(p))
    }
}

/// Roles sorted by id, as answers list them.
pub fn sort_roles(t: &Tenant, roles: &mut Vec<RoleId>) {
    roles.sort_by(|a, b| t.roles[*a as usize].id.cmp(&t.roles[*b as usize].id));
    roles.dedup();
}

/// The condition chain of permission `n` (A2): from the top of its scope
/// chain (the first ancestor that is not Parent-scoped, or the first step
/// that breaks) down to `n`.
pub fn condition(t: &Tenant, n: PermId) -> Vec<CondStep> {
    let mut steps = Vec::new();
    let mut at = Some(n);
    while let Some(m) = at {
        let p = &t.permissions[m as usize];
        let rel = p.scope_relationship();
        steps.push(CondStep {
            scope: p.scope,
            relationship: rel.map(|r| r.name.clone()),
            known: rel.is_none_or(|r| r.id.is_some()),
            table: p.table,
        });
        at = if p.scope == Scope::Parent && steps.len() <= t.permissions.len() { p.parent } else { None };
    }
    steps.reverse();
    steps
}
