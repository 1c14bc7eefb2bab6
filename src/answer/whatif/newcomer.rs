//! Newcomer grants in what-if and diff answers (whatif.md "Newcomer
//! grants"; channels.md C8, C9): what anyone who signs up would gain or
//! lose, reported apart from the S25 grants of contacts and the anonymous
//! visitor.
//!
//! When registration is open, the newcomer holds exactly the candidates
//! every contact holds (`CandAll`). They admit it the rows they admit for
//! whoever holds them (`InAll`, `InG`: Global scope, and Parent chains
//! anchored at Global), and let it create in their tables (`CreateAll`);
//! Contact, Account and Self scopes admit it nothing. It has no F&O user,
//! so a virtual table of a tenant with F&O data is out of its reach (F2,
//! F6). As for the other visitors, only affected permissions are walked:
//! an unaffected permission admits in the edited tenant what it admits in
//! the base, so its grants are looked up there.

use crate::answer::query::Target;
use crate::engine::Grants;
use crate::model::{PermId, Privilege, TableId, Tenant};

/// One grant of the newcomer: a privilege on a row, or create in a table.
pub(crate) type NewcomerGrant = (Privilege, Target);

/// The newcomer's gained grants (ids of the edited tenant) and lost grants
/// (ids of the base), each sorted by privilege name, then printed target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct NewcomerIds {
    pub(crate) gained: Vec<NewcomerGrant>,
    pub(crate) lost: Vec<NewcomerGrant>,
}

/// One tenant as the newcomer sees it: its derivation (complete for the
/// permissions flagged in `affected`), and whether registration is open.
pub(crate) struct NewcomerSide<'a> {
    pub(crate) t: &'a Tenant,
    pub(crate) g: &'a Grants,
    pub(crate) open: bool,
    pub(crate) affected: &'a [bool],
    by_table: Vec<Vec<PermId>>,
}

impl<'a> NewcomerSide<'a> {
    pub(crate) fn new(t: &'a Tenant, g: &'a Grants, open: bool, affected: &'a [bool]) -> NewcomerSide<'a> {
        let mut by_table = vec![Vec::new(); t.tables.len()];
        for (n, p) in t.permissions.iter().enumerate() {
            by_table[p.table as usize].push(n as PermId);
        }
        NewcomerSide { t, g, open, affected, by_table }
    }

    fn affected(&self, n: PermId) -> bool {
        self.affected.get(n as usize).copied().unwrap_or(false)
    }

    /// Whether the newcomer holds `n` (C9): registration is open, `n` is
    /// held by every contact, and its table is not a virtual table (F2).
    fn holds(&self, n: PermId) -> bool {
        let table = self.t.permissions[n as usize].table;
        self.open
            && self.g.derived.cand_all.binary_search(&n).is_ok()
            // F2 from the tenant's own F&O section: the edited side of a
            // what-if is derived without an F&O index, and must not let
            // the newcomer onto virtual tables for want of one.
            && !self.t.finance.as_ref().is_some_and(|f| f.is_virtual(table))
    }

    /// The rows `n` admits for whoever holds it (S9, S13 under Global).
    fn global_rows(&self, n: PermId) -> Box<dyn Iterator<Item = u32> + '_> {
        let d = &self.g.derived;
        if d.in_all.binary_search(&n).is_ok() {
            return Box::new(self.t.tables[self.t.permissions[n as usize].table as usize].rows());
        }
        let lo = d.in_g.partition_point(|e| e.0 < n);
        Box::new(d.in_g[lo..].iter().take_while(move |e| e.0 == n).map(|e| e.1))
    }

    /// Whether `n` grants the newcomer `(p, target)`.
    fn admits(&self, n: PermId, (p, target): NewcomerGrant) -> bool {
        let perm = &self.t.permissions[n as usize];
        if !perm.privileges.has(p) || !self.holds(n) {
            return false;
        }
        let d = &self.g.derived;
        match target {
            Target::Table(tb) => p == Privilege::Create && perm.table == tb,
            Target::Row(x) => {
                p != Privilege::Create
                    && perm.table == self.t.table_of(x)
                    && (d.in_all.binary_search(&n).is_ok() || d.in_g.binary_search(&(n, x)).is_ok())
            }
        }
    }

    /// Whether some permission `keep` accepts grants the newcomer `g`.
    fn grants(&self, g: NewcomerGrant, keep: impl Fn(PermId) -> bool) -> bool {
        let table: TableId = match g.1 {
            Target::Row(x) => self.t.table_of(x),
            Target::Table(tb) => tb,
        };
        self.by_table
            .get(table as usize)
            .is_some_and(|ns| ns.iter().any(|&n| keep(n) && self.admits(n, g)))
    }

    /// Every newcomer grant of the affected permissions, unsorted.
    fn affected_grants(&self) -> Vec<NewcomerGrant> {
        let mut out = Vec::new();
        for n in (0..self.t.permissions.len() as PermId).filter(|&n| self.affected(n) && self.holds(n)) {
            let perm = &self.t.permissions[n as usize];
            for p in perm.privileges.iter() {
                if p == Privilege::Create {
                    out.push((p, Target::Table(perm.table)));
                } else {
                    out.extend(self.global_rows(n).map(|x| (p, Target::Row(x))));
                }
            }
        }
        out
    }

    /// Sorts grants as they print: privilege name, then `TABLE:ID` or table name.
    fn sorted(&self, mut v: Vec<NewcomerGrant>) -> Vec<NewcomerGrant> {
        if v.is_empty() {
            return v;
        }
        let rank = self.t.row_rank();
        v.sort_unstable_by(|a, b| {
            let key = |(p, target): &NewcomerGrant| match *target {
                Target::Row(x) => (p.name(), 0, rank[x as usize], ""),
                Target::Table(tb) => (p.name(), 1, 0, self.t.tables[tb as usize].name.as_str()),
            };
            key(a).cmp(&key(b))
        });
        v.dedup();
        v
    }
}

/// The newcomer's difference between base `b` and edited `e`, or `None`
/// when registration is closed in both (whatif.md: the key is then absent).
/// `to_e` and `to_b` map a target to the other tenant's ids, when it has it.
/// Where registration differs, every permission must be flagged affected.
pub(crate) fn newcomer_diff(
    b: &NewcomerSide,
    e: &NewcomerSide,
    to_e: impl Fn(Target) -> Option<Target>,
    to_b: impl Fn(Target) -> Option<Target>,
) -> Option<NewcomerIds> {
    if !b.open && !e.open {
        return None;
    }
    // Lost: made by an affected base permission, and in the edited tenant
    // neither by an unaffected permission (as in the base) nor by an
    // affected one.
    let lost = b
        .affected_grants()
        .into_iter()
        .filter(|&(p, target)| {
            let kept = e.open && b.grants((p, target), |n| !b.affected(n));
            let made = to_e(target).is_some_and(|te| e.grants((p, te), |m| e.affected(m)));
            !kept && !made
        })
        .collect();
    // Gained: made by an affected edited permission and by nothing in the base.
    let gained = e
        .affected_grants()
        .into_iter()
        .filter(|&(p, target)| !to_b(target).is_some_and(|tb| b.grants((p, tb), |_| true)))
        .collect();
    Some(NewcomerIds { gained: e.sorted(gained), lost: b.sorted(lost) })
}
