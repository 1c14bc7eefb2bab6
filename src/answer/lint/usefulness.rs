//! PP011 / PP012: whether a permission grants anything on this data, and
//! anything no other permission grants. About this data only: a
//! configuration-only tenant has none.

use rayon::prelude::*;
use super::context::{Cx};
use super::findings::Finding;
use crate::engine::Visitor;
use crate::model::{PermId, Privilege, RoleId, RowId};
use std::collections::{BTreeMap, BTreeSet};

/// PP011 / PP012 for every live permission no other finding explains.
pub(super) fn pp011_pp012(cx: &Cx<'_>, explained: &BTreeSet<PermId>, out: &mut Vec<Finding>) {
    let t = cx.t;
    if cx.has_rows {
        let classes = cx.role_classes();
        // Each permission's usefulness on its own core; findings in
        // permission order.
        let asked: Vec<PermId> = (0..t.permissions.len() as PermId).filter(|&n| cx.live(n) && !explained.contains(&n)).collect();
        let found: Vec<Usefulness> = asked.par_iter().map(|&n| cx.usefulness(n, &classes)).collect();
        for (n, usefulness) in asked.into_iter().zip(found) {
            let p = &t.permissions[n as usize];
            match usefulness {
                Usefulness::Nothing => out.push(cx.finding(
                    "PP012",
                    n,
                    format!("`{}` grants nothing to any visitor on this data (no holder, no row in scope, or no privilege)", cx.label(p)),
                )),
                Usefulness::Redundant => out.push(cx.finding(
                    "PP011",
                    n,
                    format!("every grant of `{}` on `{}` is already made to the same visitors by other permissions on this data", cx.label(p), cx.table(p.table)),
                )),
                Usefulness::Needed => {}
            }
        }
    }
}

/// A permission whose usefulness is asked, with what is fixed for it.
struct Probe<'a> {
    n: PermId,
    anon: bool,
    holders: &'a [&'a (Vec<RoleId>, Vec<RowId>)],
    privileges: &'a [Privilege],
}

enum Usefulness {
    Nothing,
    Redundant,
    Needed,
}

impl Cx<'_> {
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
        let p = &t.permissions[n as usize];
        let anon = self.cand_anon[n as usize];
        let holders: Vec<&(Vec<RoleId>, Vec<RowId>)> = classes.iter().filter(|(roles, _)| self.class_holds(roles, n)).collect();
        if !anon && holders.is_empty() {
            return Usefulness::Nothing;
        }
        let privileges: Vec<Privilege> = p.privileges.iter().filter(|&q| q != Privilege::Create).collect();
        let probe = Probe { n, anon, holders: &holders, privileges: &privileges };
        let mut any = false;
        let mut redundant = true;
        if !privileges.is_empty() {
            let (g_any, g_redundant) = self.global_usefulness(&probe);
            let (v_any, v_redundant) = self.visitor_usefulness(&probe, g_redundant);
            any = g_any || v_any;
            redundant = g_redundant && v_redundant;
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

    /// Whether another permission grants `v` every privilege of the probe on `x`.
    fn covered(&self, probe: &Probe<'_>, v: Visitor, x: RowId) -> bool {
        let (t, g) = (self.t, &self.a.grants);
        probe.privileges.iter().all(|&q| g.can(t, v, q, x).iter().any(|&m| m != probe.n))
    }

    /// Rows admitted for every holder (InAll, InG): whether there are any,
    /// and whether each is covered otherwise (per role class, through other
    /// Global-anchored grants of the class, else contact by contact).
    fn global_usefulness(&self, probe: &Probe<'_>) -> (bool, bool) {
        let (t, g, n) = (self.t, &self.a.grants, probe.n);
        let d = &g.derived;
        let p = &t.permissions[n as usize];
        let global: Vec<RowId> = if self.in_all[n as usize] {
            t.tables[p.table as usize].rows().collect()
        } else {
            let lo = d.in_g.partition_point(|e| e.0 < n);
            let hi = d.in_g.partition_point(|e| e.0 <= n);
            d.in_g[lo..hi].iter().map(|e| e.1).collect()
        };
        if global.is_empty() {
            return (false, true);
        }
        if probe.anon && !global.iter().all(|&x| self.covered(probe, Visitor::Anonymous, x)) {
            return (true, false);
        }
        let table_perms: Vec<PermId> =
            (0..t.permissions.len() as PermId).filter(|&m| m != n && t.permissions[m as usize].table == p.table).collect();
        for (roles, members) in probe.holders {
            let others: Vec<PermId> = table_perms.iter().copied().filter(|&m| self.class_holds(roles, m)).collect();
            for &x in &global {
                for &q in probe.privileges {
                    let by_class = others.iter().any(|&m| {
                        t.permissions[m as usize].privileges.has(q)
                            && (self.in_all[m as usize] || d.in_g.binary_search(&(m, x)).is_ok())
                    });
                    if by_class {
                        continue;
                    }
                    if members.iter().any(|&c| !g.can(t, Visitor::Contact(c), q, x).iter().any(|&m| m != n)) {
                        return (true, false);
                    }
                }
            }
        }
        (true, true)
    }

    /// Rows admitted per contact (ContactGrant) or per account
    /// (AccountGrant, AccountMemberGrant): whether there are any, and
    /// (while `redundant`) whether each is covered otherwise.
    fn visitor_usefulness(&self, probe: &Probe<'_>, mut redundant: bool) -> (bool, bool) {
        let (g, n) = (&self.a.grants, probe.n);
        let d = &g.derived;
        let lo = d.contact_grant.partition_point(|e| e.0 < n);
        let hi = d.contact_grant.partition_point(|e| e.0 <= n);
        let grants = &d.contact_grant[lo..hi];
        let mut any = !grants.is_empty();
        if redundant && !grants.iter().all(|&(_, c, x)| self.covered(probe, Visitor::Contact(c), x)) {
            redundant = false;
        }
        let lo = d.account_grant.partition_point(|e| e.0 < n);
        let hi = d.account_grant.partition_point(|e| e.0 <= n);
        for &(_, acct, x) in &d.account_grant[lo..hi] {
            if any && !redundant {
                break;
            }
            // The account's contacts from the membership index (a scan of
            // every contact per grant made `report` on medium take seconds).
            for c in g.members().of_account(acct) {
                any = true;
                if redundant && !self.covered(probe, Visitor::Contact(c), x) {
                    redundant = false;
                }
            }
        }
        let lo = d.account_member_grant.partition_point(|e| e.0 < n);
        let hi = d.account_member_grant.partition_point(|e| e.0 <= n);
        // Facts come sorted by account: its holding members are computed
        // once per account, not once per row.
        let mut members: (Option<RowId>, Vec<RowId>) = (None, Vec::new());
        for &(_, acct, x) in &d.account_member_grant[lo..hi] {
            if any && !redundant {
                break;
            }
            if members.0 != Some(acct) {
                members = (Some(acct), g.account_members_holding(acct, n));
            }
            for &c in &members.1 {
                any = true;
                if redundant && !self.covered(probe, Visitor::Contact(c), x) {
                    redundant = false;
                }
            }
        }
        (any, redundant)
    }
}
