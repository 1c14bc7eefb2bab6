//! The serving derivation of the F&O rules (finance-operations.md, F1 to
//! F8): what each F&O user may read through its data entities and which
//! rows its XDS policies let it see, indexed so that `can` on a virtual-table
//! row is a few lookups. Visibility is kept per F&O user and row, never per
//! contact: a contact reaches it only through its own mapping (F2).
//!
//! Each policy's paths are walked once per tenant (row → primary rows it
//! reaches, and back), and each policy's user link once (user → primary rows
//! it admits, F4); a row is visible to a user for an operation when the user
//! may do it on the table (F3) and, for every policy that applies (F5), the
//! row reaches an admitted primary row. The Datalog form is
//! `rules/src/finance.rs`; the walker's is [`super::walk_finance`].

use crate::model::finance::{Finance, FoUserId, Op, PathStep};
use crate::model::{Privilege, RowId, TableId, Tenant, Visitor};
use std::collections::HashMap;
use std::sync::Arc;

/// Rows related through one path step: `from` row → `to` rows, and back.
type Adj = HashMap<RowId, Vec<RowId>>;

/// One constrained table of one policy: its rows' reach on the primary table.
#[derive(Debug, Clone, Default)]
struct Reach {
    table: TableId,
    /// Row of `table` → primary rows its path reaches (sorted).
    fwd: Adj,
    /// Primary row → rows of `table` reaching it (sorted).
    back: Adj,
    /// The primary table itself (empty path): every row reaches itself.
    itself: bool,
}

/// The F&O side of a tenant, indexed (F1 to F5), for the portal path (F6),
/// the direct path (F7) and the bypass (F8).
#[derive(Debug, Clone)]
pub struct FoIndex {
    /// The validated section.
    pub fo: Arc<Finance>,
    /// Per user: `(virtual table, operation mask)`, sorted (F3).
    may: Vec<Vec<(TableId, u8)>>,
    /// Per user: refused as an administrator (F2).
    admin: Vec<bool>,
    /// Per policy: its constrained tables' reach.
    reach: Vec<Vec<Reach>>,
    /// Per policy: user → admitted primary rows, sorted (F4).
    admitted: Vec<HashMap<FoUserId, Vec<RowId>>>,
    /// Per user: the contacts mapped to it, sorted by row id.
    contacts_of: Vec<Vec<RowId>>,
}

/// The links of one step, as an adjacency from the step's rows.
fn adjacency(t: &Tenant, s: &PathStep) -> Adj {
    let links = &t.links;
    let lo = links.partition_point(|l| l.0 < s.rel);
    let hi = links.partition_point(|l| l.0 <= s.rel);
    let mut adj: Adj = HashMap::new();
    for &(_, a, b) in &links[lo..hi] {
        let (from, to) = if s.forward { (a, b) } else { (b, a) };
        adj.entry(from).or_default().push(to);
    }
    adj
}

fn sort_all(adj: &mut Adj) {
    for v in adj.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
}

impl FoIndex {
    /// Indexes the F&O section of `t`, if it has one.
    pub fn build(t: &Tenant) -> Option<FoIndex> {
        let fo = t.finance.clone()?;
        let nu = fo.users.len();
        let mut may = vec![Vec::new(); nu];
        let mut admin = vec![false; nu];
        for (u, user) in fo.users.iter().enumerate() {
            let mut m: HashMap<TableId, u8> = HashMap::new();
            for &r in &user.roles {
                let role = &fo.roles[r as usize];
                admin[u] |= role.administrator;
                for &(tb, ops) in &role.privileges {
                    // F3 on virtual tables only (F1).
                    if fo.is_virtual(tb) {
                        *m.entry(tb).or_default() |= ops;
                    }
                }
            }
            let mut v: Vec<(TableId, u8)> = m.into_iter().collect();
            v.sort_unstable();
            may[u] = v;
        }
        let mut reach = Vec::new();
        let mut admitted = Vec::new();
        for p in &fo.policies {
            let mut rs = Vec::new();
            for c in &p.constrained {
                rs.push(Self::reach_of(t, c.table, &c.path));
            }
            reach.push(rs);
            let link = adjacency(t, &p.link);
            let mut adm: HashMap<FoUserId, Vec<RowId>> = HashMap::new();
            for &(l, u) in &p.link_users {
                if let Some(ys) = link.get(&l) {
                    adm.entry(u).or_default().extend(ys);
                }
            }
            sort_all(&mut adm);
            admitted.push(adm);
        }
        let mut contacts_of = vec![Vec::new(); nu];
        for &(c, u) in &fo.mappings {
            contacts_of[u as usize].push(c);
        }
        Some(FoIndex { fo, may, admin, reach, admitted, contacts_of })
    }

    /// The primary rows each row of `table` reaches through `path`.
    fn reach_of(t: &Tenant, table: TableId, path: &[PathStep]) -> Reach {
        if path.is_empty() {
            return Reach { table, itself: true, ..Reach::default() };
        }
        // (origin row, current row) pairs, step by step.
        let mut cur: Vec<(RowId, RowId)> = t.tables[table as usize].rows().map(|x| (x, x)).collect();
        for s in path {
            let adj = adjacency(t, s);
            let mut next = Vec::new();
            for (x, y) in cur {
                if let Some(zs) = adj.get(&y) {
                    next.extend(zs.iter().map(|&z| (x, z)));
                }
            }
            next.sort_unstable();
            next.dedup();
            cur = next;
        }
        let mut fwd: Adj = HashMap::new();
        let mut back: Adj = HashMap::new();
        for (x, y) in cur {
            fwd.entry(x).or_default().push(y);
            back.entry(y).or_default().push(x);
        }
        sort_all(&mut fwd);
        sort_all(&mut back);
        Reach { table, fwd, back, itself: false }
    }

    /// Whether table `t` is a virtual table (F1).
    pub fn is_virtual(&self, t: TableId) -> bool {
        self.fo.is_virtual(t)
    }

    /// The F&O user visitor `v` runs as (F2): none without a mapping, and
    /// none when that user holds an administrator role.
    pub fn user_of(&self, v: Visitor) -> Option<FoUserId> {
        let u = match v {
            Visitor::Anonymous => self.fo.anonymous_user?,
            Visitor::Contact(c) => self.fo.mapped_user(c)?,
        };
        (!self.admin[u as usize]).then_some(u)
    }

    /// Whether user `u` may do `op` on virtual table `t` (F3).
    pub fn may(&self, u: FoUserId, t: TableId, op: Op) -> bool {
        let m = &self.may[u as usize];
        m.binary_search_by_key(&t, |e| e.0).is_ok_and(|i| m[i].1 & op.bit() != 0)
    }

    /// Whether policy `p` applies to user `u` for `op` (F5).
    pub fn applies(&self, p: usize, u: FoUserId, op: Op) -> bool {
        let pol = &self.fo.policies[p];
        pol.enabled && pol.ops & op.bit() != 0 && self.fo.users[u as usize].roles.iter().any(|r| pol.roles.contains(r))
    }

    /// Whether policy `p` constrains table `t`.
    pub fn constrains(&self, p: usize, t: TableId) -> bool {
        self.reach[p].iter().any(|r| r.table == t)
    }

    /// Whether row `x` of table `t` passes policy `p` for `u` (F4, F5).
    pub fn passes(&self, p: usize, u: FoUserId, t: TableId, x: RowId) -> bool {
        let Some(adm) = self.admitted[p].get(&u) else { return false };
        self.reach[p].iter().filter(|r| r.table == t).any(|r| {
            if r.itself {
                adm.binary_search(&x).is_ok()
            } else {
                r.fwd.get(&x).is_some_and(|ys| ys.iter().any(|y| adm.binary_search(y).is_ok()))
            }
        })
    }

    /// The first policy (in file order) that hides row `x` of table `t`
    /// from `u` for `op`: it applies, constrains `t`, and `x` fails it (F5).
    pub fn blocking(&self, u: FoUserId, op: Op, t: TableId, x: RowId) -> Option<usize> {
        (0..self.fo.policies.len())
            .find(|&p| self.constrains(p, t) && self.applies(p, u, op) && !self.passes(p, u, t, x))
    }

    /// Whether row `x` of table `t` is visible to `u` for `op` (F3 and F5).
    pub fn visible(&self, u: FoUserId, op: Op, t: TableId, x: RowId) -> bool {
        self.may(u, t, op) && self.blocking(u, op, t, x).is_none()
    }

    /// F6: whether the F&O side lets `v` do `p` on row `x` of virtual table
    /// `t` through the portal (the web roles' S16 grant is checked apart).
    pub fn portal_allows(&self, v: Visitor, p: Privilege, t: TableId, x: RowId) -> bool {
        self.user_of(v).is_some_and(|u| self.visible(u, Op::of(p), t, x))
    }

    /// F6 for create: whether `v`'s user may create in virtual table `t`.
    pub fn portal_allows_create(&self, v: Visitor, t: TableId) -> bool {
        self.user_of(v).is_some_and(|u| self.may(u, t, Op::Create))
    }

    /// F7: whether `v` may read row `x` of virtual table `t` directly.
    pub fn direct(&self, v: Visitor, t: TableId, x: RowId) -> bool {
        self.user_of(v).is_some_and(|u| self.visible(u, Op::Read, t, x))
    }

    /// F7 for a row: (the anonymous visitor may, contacts who may), contacts sorted by row id.
    pub fn direct_who(&self, t: TableId, x: RowId) -> (bool, Vec<RowId>) {
        let anonymous = self.direct(Visitor::Anonymous, t, x);
        let mut out = Vec::new();
        for (u, cs) in self.contacts_of.iter().enumerate() {
            let u = u as FoUserId;
            if !cs.is_empty() && !self.admin[u as usize] && self.visible(u, Op::Read, t, x) {
                out.extend(cs);
            }
        }
        out.sort_unstable();
        (anonymous, out)
    }

    /// F7 for a user: every row of virtual tables it may read and see,
    /// optionally in one table, unsorted.
    pub fn user_rows(&self, t: &Tenant, u: FoUserId, only: Option<TableId>) -> Vec<RowId> {
        let mut out = Vec::new();
        for tb in self.user_tables(u, Op::Read).filter(|&tb| only.is_none_or(|o| o == tb)) {
            out.extend(self.visible_rows(t, u, Op::Read, tb));
        }
        out
    }

    /// The virtual tables user `u` may do `op` on (F3), ascending.
    pub fn user_tables(&self, u: FoUserId, op: Op) -> impl Iterator<Item = TableId> + '_ {
        self.may[u as usize].iter().filter(move |e| e.1 & op.bit() != 0).map(|e| e.0)
    }

    /// The rows of virtual table `tb` visible to `u` for `op` (F3 and F5),
    /// ascending: the whole table when no policy constrains it for `u`,
    /// else the rows reaching a primary row the first applying policy
    /// admits, checked against the others.
    pub fn visible_rows(&self, t: &Tenant, u: FoUserId, op: Op, tb: TableId) -> Vec<RowId> {
        if !self.may(u, tb, op) {
            return Vec::new();
        }
        let applying: Vec<usize> =
            (0..self.fo.policies.len()).filter(|&p| self.constrains(p, tb) && self.applies(p, u, op)).collect();
        let Some((&first, rest)) = applying.split_first() else {
            return t.tables[tb as usize].rows().collect();
        };
        let mut cand: Vec<RowId> = Vec::new();
        if let Some(adm) = self.admitted[first].get(&u) {
            for r in self.reach[first].iter().filter(|r| r.table == tb) {
                if r.itself {
                    cand.extend(adm.iter().copied().filter(|&y| t.table_of(y) == tb));
                } else {
                    for y in adm {
                        cand.extend(r.back.get(y).into_iter().flatten());
                    }
                }
            }
        }
        cand.sort_unstable();
        cand.dedup();
        cand.retain(|&x| rest.iter().all(|&p| self.passes(p, u, tb, x)));
        cand
    }

    /// The visitors with an F&O user: the anonymous visitor (when it has
    /// one) and every mapped contact, with that user.
    pub fn runners(&self) -> Vec<(Visitor, FoUserId)> {
        let mut out: Vec<(Visitor, FoUserId)> = Vec::new();
        if let Some(u) = self.user_of(Visitor::Anonymous) {
            out.push((Visitor::Anonymous, u));
        }
        for &(c, u) in &self.fo.mappings {
            if !self.admin[u as usize] {
                out.push((Visitor::Contact(c), u));
            }
        }
        out
    }

    /// Whether user `u` is refused as an administrator (F2).
    pub fn is_admin(&self, u: FoUserId) -> bool {
        self.admin[u as usize]
    }
}
