//! The graph walker's own evaluation of the F&O rules (finance-operations.md,
//! F1 to F8), demand-driven from one (visitor, row): it shares nothing with
//! the serving index ([`super::finance`]) or the Datalog program
//! (`rules/src/finance.rs`) beyond the validated model. It reads the raw
//! virtual-table list and the link rows' user column itself, and walks
//! relationship links from the row to the primary table step by step. A
//! property test holds the three equal; `why` uses this walk to name what
//! the F&O side decided.

use crate::load::raw::Cell;
use crate::model::finance::{Finance, FoUserId, Op, PathStep};
use crate::model::{Privilege, RowId, TableId, Tenant, Visitor};

/// Why the F&O side lets a visitor do nothing with a row, or what lets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FoVerdict {
    /// The visitor runs as `user`, who may do the operation and sees the row
    /// (`policies`: the applying policies it passes; empty: none constrains the table).
    Allowed {
        /// The F&O user.
        user: FoUserId,
        /// The F&O roles of the user that grant the operation on the table.
        roles: Vec<u32>,
        /// Applying policies the row passes.
        policies: Vec<usize>,
    },
    /// No F&O user: no mapping (or no anonymous user) (F2).
    NoUser,
    /// The user holds an administrator role and is refused (F2).
    Admin {
        /// The F&O user.
        user: FoUserId,
    },
    /// No role of the user grants the operation on the table (F3).
    NoPrivilege {
        /// The F&O user.
        user: FoUserId,
        /// The operation.
        op: Op,
    },
    /// An XDS policy applies and the row does not pass it (F5).
    Policy {
        /// The F&O user.
        user: FoUserId,
        /// The policy (index into the section's policies).
        policy: usize,
    },
}

/// Walks the F&O rules of one tenant on demand.
pub struct FoWalker<'t> {
    t: &'t Tenant,
    fo: &'t Finance,
}

impl<'t> FoWalker<'t> {
    /// The walker of a tenant with a `finance_operations` section.
    pub fn new(t: &'t Tenant) -> Option<FoWalker<'t>> {
        Some(FoWalker { t, fo: t.finance.as_deref()? })
    }

    /// F1: listed in `virtual_tables`, or named `mserp_...`.
    pub fn is_virtual(&self, table: TableId) -> bool {
        let name = &self.t.tables[table as usize].name;
        name.starts_with("mserp_")
            || self.t.raw.finance_operations.as_ref().is_some_and(|s| s.virtual_tables.iter().any(|v| v == name))
    }

    /// F2: the user `v` runs as, or why it runs as none.
    pub fn user(&self, v: Visitor) -> Result<FoUserId, FoVerdict> {
        let u = match v {
            Visitor::Anonymous => self.fo.anonymous_user,
            // The first mapping of a contact counts.
            Visitor::Contact(c) => self.t.raw.finance_operations.as_ref().and_then(|s| {
                let id = self.t.row_name(c);
                let (_, uid) = s.user_mappings.iter().find(|(cid, _)| cid == id)?;
                self.fo.users.iter().position(|u| &u.id == uid).map(|i| i as FoUserId)
            }),
        };
        let u = u.ok_or(FoVerdict::NoUser)?;
        if self.fo.users[u as usize].roles.iter().any(|&r| self.fo.roles[r as usize].administrator) {
            return Err(FoVerdict::Admin { user: u });
        }
        Ok(u)
    }

    /// F3: the roles of `u` that grant `op` on `table`.
    pub fn granting_roles(&self, u: FoUserId, table: TableId, op: Op) -> Vec<u32> {
        if !self.is_virtual(table) {
            return Vec::new();
        }
        self.fo.users[u as usize]
            .roles
            .iter()
            .copied()
            .filter(|&r| self.fo.roles[r as usize].privileges.iter().any(|&(tb, ops)| tb == table && ops & op.bit() != 0))
            .collect()
    }

    /// Rows related to `y` through one step.
    fn neighbours(&self, s: &PathStep, y: RowId) -> Vec<RowId> {
        self.t
            .links
            .iter()
            .filter(|l| l.0 == s.rel)
            .filter_map(|&(_, a, b)| if s.forward { (a == y).then_some(b) } else { (b == y).then_some(a) })
            .collect()
    }

    /// F4: whether policy `p` admits primary row `y` for `u`: some link row
    /// whose user column holds `u`'s id is related to `y`.
    fn admits(&self, p: usize, u: FoUserId, y: RowId) -> bool {
        let pol = &self.fo.policies[p];
        let uid = &self.fo.users[u as usize].id;
        let lt = &self.t.tables[pol.link_table as usize];
        let Some(raw) = self.t.raw.table(&lt.name) else { return false };
        // Walk the link relationship backwards: link rows related to `y`.
        let back = PathStep { rel: pol.link.rel, from: pol.link.to, to: pol.link.from, forward: !pol.link.forward };
        self.neighbours(&back, y).into_iter().any(|l| {
            let Some(i) = l.checked_sub(lt.first) else { return false };
            matches!(raw.get(i as usize, &pol.user_column), Some(Cell::Str(s)) if s == uid)
        })
    }

    /// F5: whether row `x` of `table` passes policy `p` for `u`.
    fn passes(&self, p: usize, u: FoUserId, table: TableId, x: RowId) -> bool {
        self.fo.policies[p].constrained.iter().filter(|c| c.table == table).any(|c| {
            let mut cur = vec![x];
            for s in &c.path {
                let mut next: Vec<RowId> = cur.iter().flat_map(|&y| self.neighbours(s, y)).collect();
                next.sort_unstable();
                next.dedup();
                cur = next;
            }
            cur.into_iter().any(|y| self.admits(p, u, y))
        })
    }

    /// F5: whether policy `p` applies to `u` for `op`.
    fn applies(&self, p: usize, u: FoUserId, op: Op) -> bool {
        let pol = &self.fo.policies[p];
        pol.enabled && pol.ops & op.bit() != 0 && pol.roles.iter().any(|r| self.fo.users[u as usize].roles.contains(r))
    }

    /// F2 to F5 for visitor `v`, operation `op`, row `x`.
    pub fn verdict(&self, v: Visitor, op: Op, x: RowId) -> FoVerdict {
        let table = self.t.table_of(x);
        let u = match self.user(v) {
            Ok(u) => u,
            Err(why) => return why,
        };
        let roles = self.granting_roles(u, table, op);
        if roles.is_empty() {
            return FoVerdict::NoPrivilege { user: u, op };
        }
        let mut policies = Vec::new();
        for p in 0..self.fo.policies.len() {
            let constrains = self.fo.policies[p].constrained.iter().any(|c| c.table == table);
            if constrains && self.applies(p, u, op) {
                if !self.passes(p, u, table, x) {
                    return FoVerdict::Policy { user: u, policy: p };
                }
                policies.push(p);
            }
        }
        FoVerdict::Allowed { user: u, roles, policies }
    }

    /// F6: the F&O side of the portal path for privilege `p` (the web
    /// roles' S16 grant is the caller's `web_roles_grant`).
    pub fn portal(&self, v: Visitor, p: Privilege, x: RowId, web_roles_grant: bool) -> bool {
        web_roles_grant && matches!(self.verdict(v, Op::of(p), x), FoVerdict::Allowed { .. })
    }

    /// F6 for create in virtual table `table`.
    pub fn portal_create(&self, v: Visitor, table: TableId, web_roles_grant: bool) -> bool {
        web_roles_grant && self.user(v).is_ok_and(|u| !self.granting_roles(u, table, Op::Create).is_empty())
    }

    /// F7: whether `v` may read `x` directly.
    pub fn direct(&self, v: Visitor, x: RowId) -> bool {
        self.is_virtual(self.t.table_of(x)) && matches!(self.verdict(v, Op::Read, x), FoVerdict::Allowed { .. })
    }

    /// F8: whether `x` is in the bypass of `v`, given whether web roles grant `v` read on it.
    pub fn bypass(&self, v: Visitor, x: RowId, web_roles_read: bool) -> bool {
        self.direct(v, x) && !self.portal(v, Privilege::Read, x, web_roles_read)
    }
}
