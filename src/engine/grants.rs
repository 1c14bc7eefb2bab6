//! The engine: tenant facts into the Datalog rules, factored grants out,
//! indexed for answers. Grants are expanded to contacts only when an answer
//! asks (`who`, `grants`): a Global permission held by every contact is one
//! fact about the permission, never one tuple per contact and row.

use rayon::prelude::*;
use super::facts::{facts, range, Members};
use crate::model::Visitor;
use crate::model::{PermId, Privilege, RoleId, RowId, TableId, Tenant};
use portal_access_rules as rules;
use std::sync::{Arc, OnceLock};

/// Derived grants of one tenant, indexed for `can`, `who`, `what` and `grants`.
#[derive(Debug, Clone)]
pub struct Grants {
    /// The raw derived relations.
    pub derived: rules::Derived,
    cand_anon: Vec<bool>,
    cand_all: Vec<bool>,
    cand_role: Vec<Vec<RoleId>>,
    in_all: Vec<bool>,
    /// The grants by row (built by [`Grants::index_with`], or on first use).
    by_row: OnceLock<RowGrants>,
    /// `(contact, row, perm)`.
    c_by_contact: OnceLock<Vec<(RowId, RowId, PermId)>>,
    /// `(account, row, perm)` from AccountGrant.
    a_by_account: OnceLock<Vec<(RowId, RowId, PermId)>>,
    /// `(account, row, perm)` from AccountMemberGrant.
    am_by_account: OnceLock<Vec<(RowId, RowId, PermId)>>,
    /// Memberships and accounts, indexed (shared by tenants that agree on them).
    members: Arc<Members>,
    /// Permissions per table.
    perms_by_table: Vec<Vec<PermId>>,
    /// Permissions admitting every row (InAll), per table.
    in_all_by_table: Vec<Vec<PermId>>,
    /// Per permission: its `CandRole` roles as a set of the members' role-set words.
    cand_sets: Vec<u64>,
    /// The F&O side (finance-operations.md), when the tenant has one: it
    /// narrows every answer on a virtual table (F6).
    fo: Option<Arc<super::finance::FoIndex>>,
}

/// The derived grants grouped by row, for `can` and `who`: one compressed
/// index with a slot per row and kind, so that one row's grants lie
/// together and each kind is one slice, sorted by key and permission.
/// Kinds: [`G`] (InG, key 0), [`C`] (ContactGrant, key the contact), [`A`]
/// (AccountGrant, key the account), [`AM`] (AccountMemberGrant, key the
/// account). Slots are `4 (x - lo) + kind`: within 32 bits, as a tenant has
/// at most [`crate::model::MAX_ROWS`] rows.
#[derive(Debug, Clone, Default)]
struct RowGrants {
    lo: RowId,
    by: ByRow<(RowId, PermId)>,
}

/// InG entries.
const G: u32 = 0;
/// ContactGrant entries.
const C: u32 = 1;
/// AccountGrant entries.
const A: u32 = 2;
/// AccountMemberGrant entries.
const AM: u32 = 3;

impl RowGrants {
    fn new(d: &rules::Derived) -> RowGrants {
        let keyed = [(C, &d.contact_grant), (A, &d.account_grant), (AM, &d.account_member_grant)];
        let rows = d.in_g.iter().map(|e| e.1).chain(keyed.iter().flat_map(|(_, v)| v.iter().map(|e| e.2)));
        let Some(lo) = rows.min() else { return RowGrants::default() };
        let slot = |x: RowId, kind: u32| (x - lo) * 4 + kind;
        let mut by = ByRow::from_fn(|emit| {
            for &(n, x) in &d.in_g {
                emit(slot(x, G), (0, n));
            }
            for &(kind, facts) in &keyed {
                for &(n, k, x) in facts {
                    emit(slot(x, kind), (k, n));
                }
            }
        });
        sort_each_row(&by.off, &mut by.vals);
        RowGrants { lo, by }
    }

    /// Row `x`'s `(key, perm)` entries of one kind, sorted.
    fn kind(&self, x: RowId, kind: u32) -> &[(RowId, PermId)] {
        match x.checked_sub(self.lo) {
            Some(i) if i < crate::model::MAX_ROWS => self.by.row(i * 4 + kind),
            _ => &[],
        }
    }

    /// Row `x`'s `(key, perm)` of one kind.
    fn pairs(&self, x: RowId, kind: u32) -> impl Iterator<Item = (RowId, PermId)> + '_ {
        self.kind(x, kind).iter().copied()
    }

    /// The permissions of row `x`'s entries of one kind with key `k`.
    fn keyed(&self, x: RowId, kind: u32, k: RowId) -> impl Iterator<Item = PermId> + '_ {
        range(self.kind(x, kind), k, |e| e.0).iter().map(|e| e.1)
    }
}

/// Sorts each row's entries (`vals[off[i]..off[i + 1]]`), blocks of rows
/// in parallel.
fn sort_each_row<T: Ord + Send>(off: &[u32], vals: &mut [T]) {
    const BLOCK: usize = 1 << 14;
    let rows = off.len().saturating_sub(1);
    let mut blocks: Vec<(&[u32], &mut [T])> = Vec::with_capacity(rows / BLOCK + 1);
    let (mut rest, mut start) = (vals, 0);
    while start < rows {
        let end = (start + BLOCK).min(rows);
        let (block, tail) = std::mem::take(&mut rest).split_at_mut((off[end] - off[start]) as usize);
        blocks.push((&off[start..=end], block));
        (rest, start) = (tail, end);
    }
    blocks.into_par_iter().for_each(|(off, block)| {
        let base = off[0];
        for w in off.windows(2) {
            block[(w[0] - base) as usize..(w[1] - base) as usize].sort_unstable();
        }
    });
}

/// Entries grouped by row, as compressed sparse rows over the span of rows
/// that have entries: row `x`'s entries are `vals[off[i]..off[i + 1]]` with
/// `i = x - base`, in the order they were given.
#[derive(Debug, Clone, Default)]
struct ByRow<T> {
    base: RowId,
    off: Vec<u32>,
    vals: Vec<T>,
}

impl<T: Copy + Default> ByRow<T> {
    /// Groups `(row, value)` entries by row, keeping the given order within
    /// a row (a counting sort).
    #[cfg(test)]
    fn new(entries: &[(RowId, T)]) -> ByRow<T> {
        ByRow::from_fn(|emit| entries.iter().for_each(|&(x, v)| emit(x, v)))
    }

    /// [`ByRow::new`] of the entries `each` emits (it is called three
    /// times, and must emit the same entries each time): no list of the
    /// entries is made.
    fn from_fn(each: impl Fn(&mut dyn FnMut(RowId, T))) -> ByRow<T> {
        let (mut lo, mut hi, mut len) = (RowId::MAX, 0, 0usize);
        each(&mut |x, _| {
            (lo, hi, len) = (lo.min(x), hi.max(x), len + 1);
        });
        if len == 0 {
            return ByRow::default();
        }
        let span = (hi - lo) as usize + 1;
        let mut off = vec![0u32; span + 1];
        each(&mut |x, _| off[(x - lo) as usize + 1] += 1);
        for i in 0..span {
            off[i + 1] += off[i];
        }
        let mut fill = off.clone();
        let mut vals = vec![T::default(); len];
        each(&mut |x, v| {
            let k = &mut fill[(x - lo) as usize];
            vals[*k as usize] = v;
            *k += 1;
        });
        ByRow { base: lo, off, vals }
    }

    fn row(&self, x: RowId) -> &[T] {
        let i = x.wrapping_sub(self.base) as usize;
        match (self.off.get(i), self.off.get(i.wrapping_add(1))) {
            (Some(&a), Some(&b)) => &self.vals[a as usize..b as usize],
            _ => &[],
        }
    }
}


/// `(perm, key, row)` facts re-keyed as `(key, row, perm)`, sorted.
fn by_key(v: &[(u32, RowId, RowId)]) -> Vec<(RowId, RowId, PermId)> {
    let mut out: Vec<_> = v.iter().map(|&(n, k, x)| (k, x, n)).collect();
    out.sort_unstable();
    out
}

impl Grants {
    /// Derives every grant of `t`: the plan rules, then rows moved through
    /// the plan ([`crate::engine::plan::derive`]).
    pub fn derive(t: &Tenant) -> Grants {
        let members = Arc::new(Members::new(t));
        Grants::index_with(t, crate::engine::plan::derive_with(t, &members), members)
    }

    /// Derives every grant of `t` with the row-level Datalog program, the
    /// reference the fast derivation is tested against.
    pub fn derive_reference(t: &Tenant) -> Grants {
        Grants::index(t, rules::derive(&facts(t)))
    }

    /// Indexes derived relations for answers.
    pub fn index(t: &Tenant, derived: rules::Derived) -> Grants {
        Grants::index_with(t, derived, Arc::new(Members::new(t)))
    }

    /// Indexes derived relations for answers, with the memberships of `t`
    /// already indexed (shared with another tenant that has the same).
    pub(crate) fn index_with(t: &Tenant, derived: rules::Derived, members: Arc<Members>) -> Grants {
        let mut g = Grants::unindexed_with(t, derived, members);
        g.fo = super::finance::FoIndex::build(t).map(Arc::new);
        g.rows();
        g
    }

    /// [`Grants::index_with`] leaving the grants by row to be built on
    /// first use, and without the F&O side (a what-if side that is only
    /// read permission by permission, by web roles: the what-if difference
    /// takes the F&O side apart, `answer/whatif/finance.rs`).
    pub(crate) fn unindexed_with(t: &Tenant, derived: rules::Derived, members: Arc<Members>) -> Grants {
        let np = t.permissions.len();
        let mut cand_anon = vec![false; np];
        let mut cand_all = vec![false; np];
        let mut cand_role = vec![Vec::new(); np];
        let mut in_all = vec![false; np];
        for &n in &derived.cand_anon {
            cand_anon[n as usize] = true;
        }
        for &n in &derived.cand_all {
            cand_all[n as usize] = true;
        }
        for &(n, r) in &derived.cand_role {
            cand_role[n as usize].push(r);
        }
        for &n in &derived.in_all {
            in_all[n as usize] = true;
        }
        // The per-visitor indexes (for `what`) are built on first use.
        let mut perms_by_table = vec![Vec::new(); t.tables.len()];
        let mut in_all_by_table = vec![Vec::new(); t.tables.len()];
        for (n, p) in t.permissions.iter().enumerate() {
            perms_by_table[p.table as usize].push(n as PermId);
            if in_all[n] {
                in_all_by_table[p.table as usize].push(n as PermId);
            }
        }
        let cand_sets = members.sets.cand(&cand_role);
        Grants {
            derived,
            cand_anon,
            cand_all,
            cand_role,
            in_all,
            by_row: OnceLock::new(),
            c_by_contact: OnceLock::new(),
            a_by_account: OnceLock::new(),
            am_by_account: OnceLock::new(),
            members,
            perms_by_table,
            in_all_by_table,
            cand_sets,
            fo: None,
        }
    }

    /// Whether `n` is a candidate for visitor `v`: active, in a tree `v` holds (S3 to S8).
    pub fn holds(&self, _t: &Tenant, v: Visitor, n: PermId) -> bool {
        let n = n as usize;
        match v {
            Visitor::Anonymous => self.cand_anon[n],
            Visitor::Contact(c) => self.cand_all[n] || {
                let m = &self.members.sets;
                m.meets(&m.held, c, self.cand_set(n))
            },
        }
    }

    /// Permission `n`'s candidate roles as a role set.
    fn cand_set(&self, n: usize) -> &[u64] {
        let w = self.members.sets.words;
        &self.cand_sets[n * w..(n + 1) * w]
    }

    /// Whether contact `c` holds a candidate role of `n` directly (the
    /// contacts AccountMemberGrant grants to).
    pub(crate) fn holds_directly(&self, c: RowId, n: PermId) -> bool {
        let m = &self.members.sets;
        m.meets(&m.direct, c, self.cand_set(n as usize))
    }

    /// The grants by row, built on first use unless already built.
    fn rows(&self) -> &RowGrants {
        self.by_row.get_or_init(|| RowGrants::new(&self.derived))
    }

    /// The indexed memberships.
    pub(crate) fn members(&self) -> &Arc<Members> {
        &self.members
    }

    /// The contacts of account `a`, ascending.
    fn account_contacts(&self, a: RowId) -> impl Iterator<Item = RowId> + '_ {
        self.members.of_account(a)
    }

    /// The contacts of account `a` that AccountMemberGrant `(n, a, _)` grants
    /// to: those holding a candidate role of `n` directly, ascending.
    pub fn account_members_holding(&self, a: RowId, n: PermId) -> Vec<RowId> {
        self.account_contacts(a).filter(|&c| self.holds_directly(c, n)).collect()
    }

    /// The permissions admitting row `x` (of `table`) through a
    /// Global-anchored chain, for whoever holds them: InAll, then InG.
    pub(crate) fn global_at(&self, table: TableId, x: RowId) -> impl Iterator<Item = PermId> + '_ {
        self.in_all_by_table[table as usize].iter().copied().chain(self.rows().pairs(x, G).map(|e| e.1))
    }

    /// Calls `f` with each candidate permission that lets `v` do `p` (not
    /// create) to row `x` (S16), possibly more than once, until `f` returns
    /// true; returns whether it did.
    /// Only permissions with some privilege of `mask` are visited.
    /// `table` is `t.table_of(x)`.
    fn visit_via(
        &self,
        t: &Tenant,
        table: TableId,
        v: Visitor,
        mask: u8,
        x: RowId,
        mut f: impl FnMut(PermId) -> bool,
    ) -> bool {
        let ok = |n: PermId| t.permissions[n as usize].privileges.0 & mask != 0;
        let by = self.rows();
        // Global-anchored rows (InAll, InG) for holders of the tree.
        for n in self.global_at(table, x) {
            if ok(n) && self.holds(t, v, n) && f(n) {
                return true;
            }
        }
        let Visitor::Contact(c) = v else { return false };
        for n in by.keyed(x, C, c) {
            if ok(n) && f(n) {
                return true;
            }
        }
        if let Some(a) = t.account_of(c) {
            for n in by.keyed(x, A, a) {
                if ok(n) && f(n) {
                    return true;
                }
            }
            for n in by.keyed(x, AM, a) {
                if ok(n) && self.holds(t, v, n) && f(n) {
                    return true;
                }
            }
        }
        false
    }

    /// The candidate permissions that let `v` do `p` (not create) to row `x`,
    /// sorted by permission id string (S16). Empty when denied.
    pub fn can(&self, t: &Tenant, v: Visitor, p: Privilege, x: RowId) -> Vec<PermId> {
        if let Some(fo) = &self.fo {
            let tb = t.table_of(x);
            // F6: the F&O side narrows what web roles grant on a virtual table.
            if fo.is_virtual(tb) && !fo.portal_allows(v, p, tb, x) {
                return Vec::new();
            }
        }
        self.base_can(t, v, p, x)
    }

    /// The F&O side of the tenant, when it has a `finance_operations` section.
    pub fn fo(&self) -> Option<&super::finance::FoIndex> {
        self.fo.as_deref()
    }

    /// [`Grants::can`] by web roles alone (S16), without the F&O side (F6).
    pub fn base_can(&self, t: &Tenant, v: Visitor, p: Privilege, x: RowId) -> Vec<PermId> {
        let mut via: Vec<PermId> = Vec::new();
        self.visit_via(t, t.table_of(x), v, p.bit(), x, |n| {
            via.push(n);
            false
        });
        sort_perms(t, &mut via);
        via.dedup();
        via
    }

    /// The privileges of `mask` (not create) that some permission passing
    /// `keep`, held by every signed-in contact (CandAll), grants on row `x`
    /// through a Global-anchored chain: what every contact has there.
    pub(crate) fn granted_everyone(&self, t: &Tenant, mask: u8, x: RowId, keep: impl Fn(PermId) -> bool) -> u8 {
        self.global_at(t.table_of(x), x)
            .filter(|&n| self.cand_all[n as usize] && keep(n))
            .fold(0, |got, n| got | (t.permissions[n as usize].privileges.0 & mask))
    }

    /// The privileges of `mask` (not create) that some candidate permission
    /// passing `keep` lets `v` have on row `x` (S16): `can` for several
    /// privileges in one visit of the row, without building the lists.
    /// `table` is `t.table_of(x)`, which the caller has at hand.
    pub(crate) fn granted_row(
        &self,
        t: &Tenant,
        table: TableId,
        v: Visitor,
        mask: u8,
        x: RowId,
        keep: impl Fn(PermId) -> bool,
    ) -> u8 {
        let mut got = 0;
        self.visit_via(t, table, v, mask, x, |n| {
            if keep(n) {
                got |= t.permissions[n as usize].privileges.0 & mask;
            }
            got == mask
        });
        got
    }

    /// The candidate permissions that let `v` create in `table` (S17), sorted.
    pub fn can_create(&self, t: &Tenant, v: Visitor, table: TableId) -> Vec<PermId> {
        if self.fo.as_ref().is_some_and(|fo| fo.is_virtual(table) && !fo.portal_allows_create(v, table)) {
            return Vec::new();
        }
        self.base_can_create(t, v, table)
    }

    /// [`Grants::can_create`] by web roles alone (S17), without the F&O side (F6).
    pub fn base_can_create(&self, t: &Tenant, v: Visitor, table: TableId) -> Vec<PermId> {
        let mut via: Vec<PermId> = self
            .perms_by_table
            .get(table as usize)
            .map(|ps| {
                ps.iter()
                    .copied()
                    .filter(|&n| t.permissions[n as usize].privileges.has(Privilege::Create) && self.holds(t, v, n))
                    .collect()
            })
            .unwrap_or_default();
        sort_perms(t, &mut via);
        via
    }

    /// Every contact holding a Global-anchored grant through `n`, pushed onto `out`;
    /// returns true when that is every contact.
    fn holders(&self, n: PermId, out: &mut Vec<RowId>) -> bool {
        if self.cand_all[n as usize] {
            return true;
        }
        for &r in &self.cand_role[n as usize] {
            out.extend(self.members.of_role(r));
            for a in self.members.accounts_of_role(r) {
                out.extend(self.account_contacts(a));
            }
        }
        false
    }

    /// Who may do `p` (not create) to row `x`: (anonymous may, contacts who may).
    /// Contacts come back sorted by id string and without duplicates.
    pub fn who(&self, t: &Tenant, p: Privilege, x: RowId) -> (bool, Vec<RowId>) {
        let table = t.table_of(x);
        let (mut anonymous, mut out) = self.who_unsorted(t, p, x);
        if let Some(fo) = self.fo.as_ref().filter(|fo| fo.is_virtual(table)) {
            // F6 on a virtual table.
            anonymous &= fo.portal_allows(Visitor::Anonymous, p, table, x);
            out.retain(|&c| fo.portal_allows(Visitor::Contact(c), p, table, x));
        }
        sort_rows(t, &mut out);
        (anonymous, out)
    }

    /// [`Grants::who`] by web roles alone (S16), without the F&O side (F6).
    pub fn base_who(&self, t: &Tenant, p: Privilege, x: RowId) -> (bool, Vec<RowId>) {
        let (anonymous, mut out) = self.who_unsorted(t, p, x);
        sort_rows(t, &mut out);
        (anonymous, out)
    }

    /// [`Grants::base_who`], contacts unsorted and possibly repeated.
    fn who_unsorted(&self, t: &Tenant, p: Privilege, x: RowId) -> (bool, Vec<RowId>) {
        let table = t.table_of(x);
        let ok = |n: PermId| t.permissions[n as usize].privileges.has(p);
        let mut anonymous = false;
        let mut everyone = false;
        let mut out: Vec<RowId> = Vec::new();
        let by = self.rows();
        for n in self.global_at(table, x) {
            if ok(n) {
                anonymous |= self.cand_anon[n as usize];
                if !everyone {
                    everyone |= self.holders(n, &mut out);
                }
            }
        }
        if everyone {
            return (anonymous, t.contacts().collect());
        }
        out.extend(by.pairs(x, C).filter(|e| ok(e.1)).map(|e| e.0));
        for (a, n) in by.pairs(x, A) {
            if ok(n) {
                out.extend(self.account_contacts(a));
            }
        }
        for (a, n) in by.pairs(x, AM) {
            if ok(n) {
                out.extend(self.account_members_holding(a, n));
            }
        }
        (anonymous, out)
    }

    /// Who may create in `table`: (anonymous may, contacts who may), sorted.
    pub fn who_create(&self, t: &Tenant, table: TableId) -> (bool, Vec<RowId>) {
        let (mut anonymous, mut out) = self.base_who_create(t, table);
        if let Some(fo) = self.fo.as_ref().filter(|fo| fo.is_virtual(table)) {
            // F6 for create on a virtual table.
            anonymous &= fo.portal_allows_create(Visitor::Anonymous, table);
            out.retain(|&c| fo.portal_allows_create(Visitor::Contact(c), table));
        }
        (anonymous, out)
    }

    /// [`Grants::who_create`] by web roles alone (S17), without the F&O side (F6).
    pub fn base_who_create(&self, t: &Tenant, table: TableId) -> (bool, Vec<RowId>) {
        let mut anonymous = false;
        let mut everyone = false;
        let mut out = Vec::new();
        for &n in self.perms_by_table.get(table as usize).map(Vec::as_slice).unwrap_or(&[]) {
            if !t.permissions[n as usize].privileges.has(Privilege::Create) {
                continue;
            }
            // Every candidate counts for `anonymous`, also after one held by
            // every contact (no early exit here).
            anonymous |= self.cand_anon[n as usize];
            if !everyone {
                everyone |= self.holders(n, &mut out);
            }
        }
        if everyone {
            out = t.contacts().collect();
        }
        sort_rows(t, &mut out);
        (anonymous, out)
    }

    /// The rows `v` may `p` (not create), optionally in one table, sorted by `TABLE:ID`.
    pub fn what(&self, t: &Tenant, v: Visitor, p: Privilege, table: Option<TableId>) -> Vec<RowId> {
        let mut out = self.base_what(t, v, p, table);
        if let Some(fo) = &self.fo {
            // F6: rows of virtual tables only when the F&O side agrees.
            out.retain(|&x| {
                let tb = t.table_of(x);
                !fo.is_virtual(tb) || fo.portal_allows(v, p, tb, x)
            });
        }
        out
    }

    /// [`Grants::what`] ordered by row id instead of `TABLE:ID` (each
    /// table's rows one run of ids): for counting per table without the
    /// print order's rank lookups.
    pub fn what_by_id(&self, t: &Tenant, v: Visitor, p: Privilege) -> Vec<RowId> {
        let mut out = self.what_unsorted(t, v, p, None);
        out.sort_unstable();
        out.dedup();
        if let Some(fo) = &self.fo {
            out.retain(|&x| {
                let tb = t.table_of(x);
                !fo.is_virtual(tb) || fo.portal_allows(v, p, tb, x)
            });
        }
        out
    }

    /// [`Grants::what`] by web roles alone (S16), without the F&O side (F6).
    pub fn base_what(&self, t: &Tenant, v: Visitor, p: Privilege, table: Option<TableId>) -> Vec<RowId> {
        let mut out = self.what_unsorted(t, v, p, table);
        sort_rows(t, &mut out);
        out
    }

    /// [`Grants::base_what`], unsorted and possibly repeated.
    fn what_unsorted(&self, t: &Tenant, v: Visitor, p: Privilege, table: Option<TableId>) -> Vec<RowId> {
        let mut out: Vec<RowId> = Vec::new();
        let ok = |n: PermId| {
            let perm = &t.permissions[n as usize];
            perm.privileges.has(p) && table.is_none_or(|tt| tt == perm.table)
        };
        // Global-anchored rows: whole tables (InAll) and chain rows (InG) of held candidates.
        for (n, perm) in t.permissions.iter().enumerate() {
            let n = n as PermId;
            if !ok(n) || !self.holds(t, v, n) {
                continue;
            }
            if self.in_all[n as usize] {
                out.extend(t.tables[perm.table as usize].rows());
            }
            out.extend(range(&self.derived.in_g, n, |e| e.0).iter().map(|e| e.1));
        }
        if let Visitor::Contact(c) = v {
            for &(_, x, n) in range(self.c_by_contact.get_or_init(|| by_key(&self.derived.contact_grant)), c, |e| e.0) {
                if ok(n) {
                    out.push(x);
                }
            }
            if let Some(a) = t.account_of(c) {
                for &(_, x, n) in range(self.a_by_account.get_or_init(|| by_key(&self.derived.account_grant)), a, |e| e.0) {
                    if ok(n) {
                        out.push(x);
                    }
                }
                for &(_, x, n) in range(self.am_by_account.get_or_init(|| by_key(&self.derived.account_member_grant)), a, |e| e.0) {
                    if ok(n) && self.holds(t, v, n) {
                        out.push(x);
                    }
                }
            }
        }
        out
    }

    /// The tables `v` may create in, sorted by name (S17).
    pub fn what_create(&self, t: &Tenant, v: Visitor, table: Option<TableId>) -> Vec<TableId> {
        let d = &self.derived;
        let mut out: Vec<TableId> = match v {
            Visitor::Anonymous => d.create_anon.clone(),
            Visitor::Contact(c) => {
                let mut o = d.create_all.clone();
                o.extend(d.create_role.iter().filter(|(r, _)| self.members.sets.has(c, *r)).map(|(_, tt)| *tt));
                o
            }
        };
        if let Some(tt) = table {
            out.retain(|x| *x == tt);
        }
        if let Some(fo) = &self.fo {
            out.retain(|&tt| !fo.is_virtual(tt) || fo.portal_allows_create(v, tt));
        }
        out.sort_unstable();
        out.dedup();
        out.sort_by(|a, b| t.tables[*a as usize].name.cmp(&t.tables[*b as usize].name));
        out
    }

    /// Number of derived facts (the factored grants and scopes).
    pub fn fact_count(&self) -> usize {
        let d = &self.derived;
        d.cand_anon.len()
            + d.cand_all.len()
            + d.cand_role.len()
            + d.in_all.len()
            + d.in_g.len()
            + d.in_c.len()
            + d.in_a.len()
            + d.contact_grant.len()
            + d.account_grant.len()
            + d.account_member_grant.len()
            + d.create_anon.len()
            + d.create_all.len()
            + d.create_role.len()
    }
}

/// Sorts permission ids by their id strings.
pub fn sort_perms(t: &Tenant, v: &mut [PermId]) {
    v.sort_by(|a, b| t.permissions[*a as usize].id.cmp(&t.permissions[*b as usize].id));
}

/// Sorts rows by their printed form (`TABLE:ID` when tables differ, else
/// ID, which is the same order) and drops duplicates.
pub fn sort_rows(t: &Tenant, v: &mut Vec<RowId>) {
    let rank = t.row_rank();
    v.sort_unstable_by_key(|&x| rank[x as usize]);
    v.dedup();
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::ByRow;

    /// Each row's entries of a `ByRow` are the entries given for it, in order.
    #[test]
    fn by_row_groups_in_order() {
        let mut seed = 1u64;
        let mut next = |n: u32| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) % u64::from(n)) as u32
        };
        for (len, rows) in [(0, 10), (5, 1000), (500, 100), (2000, 300)] {
            let v: Vec<(u32, u32)> = (0..len).map(|_| (next(rows), next(1000))).collect();
            let by = ByRow::new(&v);
            for x in 0..rows + 2 {
                let want: Vec<u32> = v.iter().filter(|e| e.0 == x).map(|e| e.1).collect();
                assert_eq!(by.row(x), want.as_slice(), "row {x}");
            }
        }
    }
}
