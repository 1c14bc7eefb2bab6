//! The F&O side in the what-if difference (finance-operations.md F6): on a
//! virtual table, a grant (S25) is S16's grant narrowed by the F&O side of
//! the tenant that makes it. The difference of the factored derivations
//! (`diff.rs`) is S16's; with `Gᵢ = {g ∈ S16ᵢ : F6ᵢ(g)}`,
//!
//! > `G_b \ G_e = {g ∈ S16_b \ S16_e : F6_b(g)} ∪ {g ∈ S16_b ∩ S16_e : F6_b(g) ∧ ¬F6_e(g)}`
//!
//! (and symmetrically for `gained`): S16's lists are filtered by F6 on
//! their own side, and the grants whose S16 status is the same on both sides
//! but whose F6 status flips are added. Those exist only when the F&O side
//! itself may differ between the two tenants ([`may_differ`]: another
//! `finance_operations` section, or data the policies walk); they are
//! enumerated from the visitors that have an F&O user on either side (F2:
//! nobody else passes F6 on a table virtual on both sides), row sets taken
//! per F&O user, never per contact and row. Only a table virtual on one side
//! alone is enumerated from its S16 holders.

use super::apply::Effect;
use crate::engine::finance::FoIndex;
use crate::engine::{Grants, Visitor};
use crate::model::finance::{FoUserId, Op};
use crate::model::{Privilege, RowId, TableId, Tenant};
use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet};

/// A grant's target as the what-if difference keeps it: a row, or a table
/// (create, S17).
pub(crate) trait Aim: Copy {
    /// A row.
    fn row(x: RowId) -> Self;
    /// A table (create).
    fn table(tb: TableId) -> Self;
    /// The row, or the table.
    fn split(self) -> Result<RowId, TableId>;
}

/// One grant: visitor, privilege, target.
pub(crate) type Grant<T> = (Visitor, Privilege, T);

/// The two tenants of a difference, and what the factored difference knows
/// of their S16 grants. Grants and targets are in base (`b`) ids unless
/// said otherwise.
pub(crate) struct Sides<'a, T> {
    pub(crate) b: &'a Tenant,
    pub(crate) bg: &'a Grants,
    pub(crate) e: &'a Tenant,
    /// The edited tenant's grants (possibly the base's, when they agree).
    pub(crate) eg: &'a Grants,
    pub(crate) effect: &'a Effect,
    /// A base row's id in the edited tenant.
    pub(crate) row_be: &'a dyn Fn(RowId) -> Option<RowId>,
    /// An edited row's id in the base.
    pub(crate) row_eb: &'a dyn Fn(RowId) -> Option<RowId>,
    /// The privileges of a mask that S16 grants a visitor on a target in the base.
    pub(crate) s16_b: &'a dyn Fn(Visitor, u8, T) -> u8,
    /// The same in the edited tenant (visitor and target in base ids).
    pub(crate) s16_e: &'a dyn Fn(Visitor, u8, T) -> u8,
    /// Sort keys of base grants and of edited grants (edited ids).
    pub(crate) key_b: &'a dyn Fn(Grant<T>) -> u128,
    pub(crate) key_e: &'a dyn Fn(Grant<T>) -> u128,
}

/// Row privileges by the F&O operation they need (F6).
const ROW_PRIVILEGES: [Privilege; 5] =
    [Privilege::Read, Privilege::Write, Privilege::Delete, Privilege::Append, Privilege::AppendTo];
const ROW_OPS: [Op; 3] = [Op::Read, Op::Update, Op::Delete];

/// Narrows S16's `lost` (base ids) and `gained` (edited ids), each sorted
/// by its key, to the difference of the grants (S25) of the two tenants.
pub(crate) fn narrow<T: Aim>(s: &Sides<'_, T>, lost: &mut Vec<Grant<T>>, gained: &mut Vec<Grant<T>>) {
    let fb = s.bg.fo();
    if fb.is_none() && s.e.finance.is_none() {
        return;
    }
    let differ = may_differ(s.b, s.e, s.effect);
    // The edited tenant's own F&O side: the base's when the section is the
    // same on the same rows; else its grants' (unless they are the base's,
    // or were derived without it), else built here.
    let fe: Option<Cow<'_, FoIndex>> = match s.e.finance {
        None => None,
        Some(_) if !differ && !s.effect.data => fb.map(Cow::Borrowed),
        Some(_) => match s.eg.fo() {
            Some(f) if !std::ptr::eq(s.bg, s.eg) => Some(Cow::Borrowed(f)),
            _ => FoIndex::build(s.e).map(Cow::Owned),
        },
    };
    let fe = fe.as_deref();
    lost.retain(|&(v, p, t)| allows(s.b, fb, v, p, t));
    gained.retain(|&(v, p, t)| allows(s.e, fe, v, p, t));
    if !differ {
        return;
    }
    let mut f = Flips { s, fb, fe, lost: Vec::new(), gained: Vec::new() };
    for tb in 0..s.b.tables.len() as TableId {
        f.table(tb);
    }
    let (more_lost, more_gained) = (f.lost, f.gained);
    merge(lost, more_lost, s.key_b);
    merge(gained, more_gained, s.key_e);
}

/// F6 on one side: whether the F&O side `fo` of `t` lets `v` have `p` on
/// `target` (always, off virtual tables and without a section).
fn allows<T: Aim>(t: &Tenant, fo: Option<&FoIndex>, v: Visitor, p: Privilege, target: T) -> bool {
    let Some(fo) = fo else { return true };
    match target.split() {
        Ok(x) => {
            let tb = t.table_of(x);
            !fo.is_virtual(tb) || fo.portal_allows(v, p, tb, x)
        }
        Err(tb) => !fo.is_virtual(tb) || fo.portal_allows_create(v, tb),
    }
}

/// Whether some grant's F6 status may differ between `b` and `e` (rows and
/// visitors taken by id): one has a `finance_operations` section and the
/// other not, the sections differ, or the data the policies read differs
/// (the links of the relationships they walk, the users their link rows
/// name). Data is compared only when `effect` says some changed.
pub(crate) fn may_differ(b: &Tenant, e: &Tenant, effect: &Effect) -> bool {
    let (fb, fe) = match (&b.finance, &e.finance) {
        (None, None) => return false,
        (Some(fb), Some(fe)) => (fb, fe),
        _ => return true,
    };
    if b.raw.finance_operations != e.raw.finance_operations {
        return true;
    }
    if !effect.data {
        return false;
    }
    // The same sections: the same policies, in order, walking relationships
    // of the same names.
    let walked: BTreeSet<&str> = fb
        .policies
        .iter()
        .flat_map(|p| std::iter::once(p.link.rel).chain(p.constrained.iter().flat_map(|c| c.path.iter().map(|s| s.rel))))
        .map(|r| b.relationships[r as usize].name.as_str())
        .collect();
    if walked.iter().any(|r| links(b, r) != links(e, r)) {
        return true;
    }
    let users = |t: &Tenant, f: &crate::model::finance::Finance, i: usize| -> BTreeSet<(String, String)> {
        let p = &f.policies[i];
        p.link_users.iter().map(|&(l, u)| (t.row_name(l).to_string(), f.users[u as usize].id.clone())).collect()
    };
    (0..fb.policies.len().min(fe.policies.len())).any(|i| users(b, fb, i) != users(e, fe, i))
}

/// The links of relationship `name` of `t`, as row ids (the tables of a
/// relationship's ends are fixed), sorted.
fn links<'t>(t: &'t Tenant, name: &str) -> Vec<(&'t str, &'t str)> {
    let Some(r) = t.rel_id(name) else { return Vec::new() };
    let (lo, hi) = (t.links.partition_point(|l| l.0 < r), t.links.partition_point(|l| l.0 <= r));
    let mut v: Vec<(&str, &str)> = t.links[lo..hi].iter().map(|&(_, x, y)| (t.row_name(x), t.row_name(y))).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Merges `more` (unsorted, none already in `list`) into `list`, sorted by `key`.
fn merge<T: Aim>(list: &mut Vec<Grant<T>>, mut more: Vec<Grant<T>>, key: &dyn Fn(Grant<T>) -> u128) {
    if more.is_empty() {
        return;
    }
    more.sort_by_cached_key(|&g| key(g));
    more.dedup_by_key(|g| key(*g));
    let old = std::mem::take(list);
    let mut out = Vec::with_capacity(old.len() + more.len());
    let mut it = more.into_iter().peekable();
    for g in old {
        let k = key(g);
        while let Some(m) = it.next_if(|&m| key(m) < k) {
            out.push(m);
        }
        out.push(g);
    }
    out.extend(it);
    *list = out;
}

/// The grants S16 makes on both sides whose F6 status flips.
struct Flips<'s, 'a, T> {
    s: &'s Sides<'a, T>,
    fb: Option<&'s FoIndex>,
    fe: Option<&'s FoIndex>,
    /// Allowed in the base only (base ids).
    lost: Vec<Grant<T>>,
    /// Allowed in the edited tenant only (edited ids).
    gained: Vec<Grant<T>>,
}

impl<T: Aim> Flips<'_, '_, T> {
    /// A visitor of the base in the edited tenant.
    fn visitor_be(&self, v: Visitor) -> Option<Visitor> {
        match v {
            Visitor::Anonymous => Some(Visitor::Anonymous),
            Visitor::Contact(c) => (self.s.row_be)(c).map(Visitor::Contact),
        }
    }

    /// Records `(v, p, target)` (base ids), allowed on one side only
    /// (`allowed_b` says which), when S16 grants it on both.
    fn flip(&mut self, v: Visitor, p: Privilege, target: T, allowed_b: bool) {
        let s = self.s;
        if (s.s16_b)(v, p.bit(), target) == 0 || (s.s16_e)(v, p.bit(), target) == 0 {
            return;
        }
        if allowed_b {
            self.lost.push((v, p, target));
            return;
        }
        let te = match target.split() {
            Ok(x) => (s.row_be)(x).map(T::row),
            Err(tb) => s.e.table_id(&s.b.tables[tb as usize].name).map(T::table),
        };
        if let (Some(ve), Some(te)) = (self.visitor_be(v), te) {
            self.gained.push((ve, p, te));
        }
    }

    /// The flips on base table `tb`.
    fn table(&mut self, tb: TableId) {
        let s = self.s;
        let Some(te) = s.e.table_id(&s.b.tables[tb as usize].name) else { return };
        let vb = self.fb.is_some_and(|f| f.is_virtual(tb));
        let ve = self.fe.is_some_and(|f| f.is_virtual(te));
        match (vb, ve) {
            (false, false) => {}
            (true, true) => self.runners(tb, te),
            _ => self.holders(tb, te),
        }
    }

    /// A table virtual on both sides: only visitors with an F&O user on
    /// some side pass F6 there (F2), so the flips are theirs; per visitor,
    /// the rows visible to its user on each side, compared.
    fn runners(&mut self, tb: TableId, te: TableId) {
        let (s, Some(fb), Some(fe)) = (self.s, self.fb, self.fe) else { return };
        let mut visitors: BTreeSet<Visitor> = fb.runners().into_iter().map(|r| r.0).collect();
        for (v, _) in fe.runners() {
            match v {
                Visitor::Anonymous => visitors.insert(v),
                Visitor::Contact(c) => (s.row_eb)(c).is_some_and(|cb| visitors.insert(Visitor::Contact(cb))),
            };
        }
        for v in visitors {
            let Some(v_e) = self.visitor_be(v) else { continue };
            let (ub, ue) = (fb.user_of(v), fe.user_of(v_e));
            for op in ROW_OPS {
                let seen_b = self.rows(s.b, fb, ub, op, tb, None);
                let seen_e = self.rows(s.e, fe, ue, op, te, Some(s.row_eb));
                for (&x, allowed_b) in seen_b.symmetric_difference(&seen_e).map(|x| (x, seen_b.contains(x))) {
                    for p in ROW_PRIVILEGES.into_iter().filter(|&p| Op::of(p) == op) {
                        self.flip(v, p, T::row(x), allowed_b);
                    }
                }
            }
            let create = |f: &FoIndex, u: Option<FoUserId>, t: TableId| u.is_some_and(|u| f.may(u, t, Op::Create));
            let (cb, ce) = (create(fb, ub, tb), create(fe, ue, te));
            if cb != ce {
                self.flip(v, Privilege::Create, T::table(tb), cb);
            }
        }
    }

    /// The rows of `table` visible to `u` for `op` (F3, F5), as base ids
    /// (`to_b` maps the edited tenant's).
    fn rows(
        &self,
        t: &Tenant,
        fo: &FoIndex,
        u: Option<FoUserId>,
        op: Op,
        table: TableId,
        to_b: Option<&dyn Fn(RowId) -> Option<RowId>>,
    ) -> HashSet<RowId> {
        let Some(u) = u else { return HashSet::new() };
        let rows = fo.visible_rows(t, u, op, table);
        match to_b {
            None => rows.into_iter().collect(),
            Some(f) => rows.into_iter().filter_map(f).collect(),
        }
    }

    /// A table virtual on one side only: F6 holds for everyone on the
    /// other, so the flips are among S16's holders, row by row.
    fn holders(&mut self, tb: TableId, te: TableId) {
        let s = self.s;
        let (fb, fe) = (self.fb, self.fe);
        for x in s.b.tables[tb as usize].rows() {
            let Some(xe) = (s.row_be)(x) else { continue };
            for p in ROW_PRIVILEGES {
                let (anonymous, contacts) = s.bg.base_who(s.b, p, x);
                let visitors = anonymous.then_some(Visitor::Anonymous).into_iter().chain(contacts.into_iter().map(Visitor::Contact));
                for v in visitors {
                    let Some(v_e) = self.visitor_be(v) else { continue };
                    let (ab, ae) = (allows(s.b, fb, v, p, T::row(x)), allows(s.e, fe, v_e, p, T::row(xe)));
                    if ab != ae {
                        self.flip(v, p, T::row(x), ab);
                    }
                }
            }
        }
        let (anonymous, contacts) = s.bg.base_who_create(s.b, tb);
        for v in anonymous.then_some(Visitor::Anonymous).into_iter().chain(contacts.into_iter().map(Visitor::Contact)) {
            let Some(v_e) = self.visitor_be(v) else { continue };
            let (ab, ae) = (allows(s.b, fb, v, Privilege::Create, T::table(tb)), allows(s.e, fe, v_e, Privilege::Create, T::table(te)));
            if ab != ae {
                self.flip(v, Privilege::Create, T::table(tb), ab);
            }
        }
    }
}
