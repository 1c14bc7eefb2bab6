//! The grant difference of two tenants, computed from their factored
//! derivations (`rules::Derived`) without expanding every grant.
//!
//! Notation: for a permission `n`, `T(n)` is the set of S25 grants it makes:
//! its own privileges (S15) times the (visitor, row) pairs it admits, plus
//! `create` for its holders (S17). The grant set of a tenant is the union of
//! `T(n)` over its permissions, so
//!
//! > `lost = G(base) \ G(edited) ⊆ ⋃ₙ T_base(n) \ T_edited(n)`
//!
//! (a grant lost overall is lost from every permission that made it), and
//! symmetrically for `gained`. The diff therefore walks only the *affected*
//! permissions (the ones whose `T(n)` may differ), enumerates a superset of
//! `T_x(n) \ T_y(n)` from the factored facts (holders × Global rows, contact
//! grants, account grants), and keeps a candidate only when the other tenant
//! grants it through no permission at all. Every answer is exact; only the
//! candidates are approximate.
//!
//! A permission is unaffected when nothing its grants depend on changed: its
//! tree's permissions, the roles on its root and their members, the links of
//! the relationships its tree walks, the rows of its tree's tables, and the
//! contacts and their accounts. Unaffected permissions make the same grants
//! in both tenants, so the edited tenant is derived only for the affected
//! trees (trees are independent in the rules); a grant of an unaffected
//! permission is looked up in the base derivation.

use super::apply::Effect;
use super::newcomer::{newcomer_diff, NewcomerIds, NewcomerSide};
use crate::engine::channels::registration_open;
use crate::engine::{Grants, Members, Visitor};
use crate::engine::plan::Known;
use crate::model::{PermId, Permission, Privilege, RowId, TableId, Tenant};
use crate::answer::query::GrantLine;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::{Arc, OnceLock};

mod minus;
use minus::Dir;

/// What a grant is about: a row, or a table (create, S17).
pub(crate) use crate::answer::query::Target;

/// One grant as ids of one tenant: visitor, privilege, row or table.
pub(crate) type Cand = (Visitor, Privilege, Target);

/// Indexes of one tenant and its derivation that the diff needs besides
/// its [`Grants`]: memberships by role, contacts by account, permissions by
/// table, and each permission's slice of every derived relation.
#[derive(Debug, Clone)]
pub(crate) struct SideIndex {
    perms_by_table: Vec<Vec<PermId>>,
    root: Vec<PermId>,
    anon: Vec<bool>,
    all: Vec<bool>,
    in_all: Vec<bool>,
    in_g: Vec<Range<usize>>,
    cg: Vec<Range<usize>>,
    ag: Vec<Range<usize>>,
    amg: Vec<Range<usize>>,
    roles: Vec<Range<usize>>,
}

/// For a relation sorted by permission, each permission's index range.
fn by_perm<T>(v: &[T], perms: usize, n: impl Fn(&T) -> u32) -> Vec<Range<usize>> {
    let mut out = Vec::with_capacity(perms);
    let mut lo = 0;
    for p in 0..perms as u32 {
        let hi = lo + v[lo..].partition_point(|e| n(e) <= p);
        out.push(lo..hi);
        lo = hi;
    }
    out
}

/// The root of every permission's tree (S5).
pub(crate) fn roots(t: &Tenant) -> Vec<PermId> {
    (0..t.permissions.len() as PermId).map(|n| t.root_of(n)).collect()
}

impl SideIndex {
    pub(crate) fn new(t: &Tenant, g: &Grants, root: Vec<PermId>) -> SideIndex {
        let np = t.permissions.len();
        let mut perms_by_table = vec![Vec::new(); t.tables.len()];
        for (n, p) in t.permissions.iter().enumerate() {
            perms_by_table[p.table as usize].push(n as PermId);
        }
        let d = &g.derived;
        let flags = |list: &[u32]| {
            let mut f = vec![false; np];
            for &n in list {
                if let Some(x) = f.get_mut(n as usize) {
                    *x = true;
                }
            }
            f
        };
        SideIndex {
            perms_by_table,
            root,
            anon: flags(&d.cand_anon),
            all: flags(&d.cand_all),
            in_all: flags(&d.in_all),
            in_g: by_perm(&d.in_g, np, |e| e.0),
            cg: by_perm(&d.contact_grant, np, |e| e.0),
            ag: by_perm(&d.account_grant, np, |e| e.0),
            amg: by_perm(&d.account_member_grant, np, |e| e.0),
            roles: by_perm(&d.cand_role, np, |e| e.0),
        }
    }
}

/// The rows a permission admits for every visitor who holds it (S9, S13 under Global).
enum Glob<'a> {
    All(Range<RowId>),
    Rows(&'a [(u32, u32)]),
}

impl Glob<'_> {
    fn rows(&self) -> Box<dyn Iterator<Item = RowId> + '_> {
        match self {
            Glob::All(r) => Box::new(r.clone()),
            Glob::Rows(s) => Box::new(s.iter().map(|e| e.1)),
        }
    }
    fn contains(&self, x: RowId) -> bool {
        match self {
            Glob::All(r) => r.contains(&x),
            Glob::Rows(s) => s.binary_search_by_key(&x, |e| e.1).is_ok(),
        }
    }
    fn is_empty(&self) -> bool {
        match self {
            Glob::All(r) => r.is_empty(),
            Glob::Rows(s) => s.is_empty(),
        }
    }
}

/// The signed-in contacts holding a permission's tree (S3, S6).
enum Holders {
    All(Range<RowId>),
    Some(Vec<RowId>),
}

impl Holders {
    fn iter(&self) -> Box<dyn Iterator<Item = RowId> + '_> {
        match self {
            Holders::All(r) => Box::new(r.clone()),
            Holders::Some(v) => Box::new(v.iter().copied()),
        }
    }
    fn contains(&self, c: RowId) -> bool {
        match self {
            Holders::All(r) => r.contains(&c),
            Holders::Some(v) => v.binary_search(&c).is_ok(),
        }
    }
}

/// One tenant with its (possibly partial) derivation.
#[derive(Clone, Copy)]
pub(crate) struct Side<'a> {
    pub(crate) t: &'a Tenant,
    pub(crate) g: &'a Grants,
    pub(crate) ix: &'a SideIndex,
}

impl<'a> Side<'a> {
    fn anon(&self, n: PermId) -> bool {
        self.ix.anon[n as usize]
    }
    fn all(&self, n: PermId) -> bool {
        self.ix.all[n as usize]
    }
    fn in_g(&self, n: PermId) -> &'a [(u32, u32)] {
        &self.g.derived.in_g[self.ix.in_g[n as usize].clone()]
    }
    fn glob(&self, n: PermId) -> Glob<'a> {
        if self.ix.in_all[n as usize] {
            Glob::All(self.t.tables[self.t.permissions[n as usize].table as usize].rows())
        } else {
            Glob::Rows(self.in_g(n))
        }
    }
    /// `(n, contact, row)` granted per contact: ContactGrant, and
    /// AccountMemberGrant expanded to the direct members it grants to, sorted.
    fn cg(&self, n: PermId) -> Cow<'a, [(u32, u32, u32)]> {
        let own = &self.g.derived.contact_grant[self.ix.cg[n as usize].clone()];
        let members = &self.g.derived.account_member_grant[self.ix.amg[n as usize].clone()];
        if members.is_empty() {
            return Cow::Borrowed(own);
        }
        let mut v = own.to_vec();
        // Sorted by (n, account, row): the members of each account once.
        for group in members.chunk_by(|p, q| p.1 == q.1) {
            let holding = self.g.account_members_holding(group[0].1, n);
            for &(_, _, x) in group {
                v.extend(holding.iter().map(|&c| (n, c, x)));
            }
        }
        v.sort_unstable();
        v.dedup();
        Cow::Owned(v)
    }
    fn ag(&self, n: PermId) -> &'a [(u32, u32, u32)] {
        &self.g.derived.account_grant[self.ix.ag[n as usize].clone()]
    }
    fn account_contacts(&self, a: RowId) -> impl Iterator<Item = RowId> + 'a {
        self.g.members().of_account(a)
    }
    fn holders(&self, n: PermId) -> Holders {
        if self.all(n) {
            return Holders::All(self.t.contacts());
        }
        let mut out = Vec::new();
        for &(_, r) in &self.g.derived.cand_role[self.ix.roles[n as usize].clone()] {
            let m = self.g.members();
            out.extend(m.of_role(r));
            for a in m.accounts_of_role(r) {
                out.extend(self.account_contacts(a));
            }
        }
        out.sort_unstable();
        out.dedup();
        Holders::Some(out)
    }

    /// Whether permission `n` admits `(v, x)` for a row `x` (S16), read
    /// from its own slices of the derivation (no index by row needed).
    fn admits(&self, n: PermId, v: Visitor, x: RowId) -> bool {
        let d = &self.g.derived;
        let global = self.ix.in_all[n as usize] || self.in_g(n).binary_search(&(n, x)).is_ok();
        if global && self.g.holds(self.t, v, n) {
            return true;
        }
        let Visitor::Contact(c) = v else { return false };
        let has = |facts: &[(u32, u32, u32)], r: &Range<usize>, k: RowId| facts[r.clone()].binary_search(&(n, k, x)).is_ok();
        let ix = self.ix;
        if has(&d.contact_grant, &ix.cg[n as usize], c) {
            return true;
        }
        self.t.account_of(c).is_some_and(|a| {
            has(&d.account_grant, &ix.ag[n as usize], a)
                || (has(&d.account_member_grant, &ix.amg[n as usize], a) && self.g.holds_directly(c, n))
        })
    }

    /// The privileges of `mask` that some permission flagged in `among`
    /// grants `v` on `target` (S16, S17), permission by permission: for a
    /// side whose flagged permissions are few.
    fn granted_among(&self, v: Visitor, mask: u8, target: Target, among: &[bool]) -> u8 {
        let t = self.t;
        let (table, row) = match target {
            Target::Row(x) => (t.table_of(x), Some(x)),
            Target::Table(table) => (table, None),
        };
        let mut got = 0;
        for &n in self.ix.perms_by_table[table as usize].iter().filter(|&&n| among[n as usize]) {
            let more = t.permissions[n as usize].privileges.0 & mask & !got;
            let admitted = match row {
                Some(x) => self.admits(n, v, x),
                None => self.g.holds(t, v, n),
            };
            if more != 0 && admitted {
                got |= more;
            }
        }
        got
    }

    /// The privileges of `mask` that some permission flagged in `among`,
    /// held by every signed-in contact, grants on row `x` through a
    /// Global-anchored chain.
    fn granted_everyone_among(&self, mask: u8, x: RowId, among: &[bool]) -> u8 {
        let t = self.t;
        let mut got = 0;
        for &n in self.ix.perms_by_table[t.table_of(x) as usize].iter().filter(|&&n| among[n as usize]) {
            if self.all(n) && self.glob(n).contains(x) {
                got |= t.permissions[n as usize].privileges.0 & mask;
            }
        }
        got
    }

    /// The privileges of `mask` that some permission of `kept` grants `v`
    /// on `target` (S16, S17). `mask` is `create` alone for a table.
    fn granted<F: Fn(PermId) -> bool>(&self, v: Visitor, mask: u8, target: Target, kept: &Kept<F>) -> u8 {
        let t = self.t;
        let table = match target {
            Target::Row(x) => t.table_of(x),
            Target::Table(table) => table,
        };
        // Privileges no kept permission of the table has answer without
        // reading the row's grants.
        let mask = mask & kept.privileges[table as usize];
        if mask == 0 {
            return 0;
        }
        match target {
            Target::Row(x) => self.g.granted_row(t, table, v, mask, x, &kept.keep),
            Target::Table(_) => {
                let held = self.ix.perms_by_table[table as usize].iter().any(|&n| {
                    (kept.keep)(n) && t.permissions[n as usize].privileges.0 & mask != 0 && self.g.holds(t, v, n)
                });
                if held {
                    mask
                } else {
                    0
                }
            }
        }
    }
}

/// The permissions of one side that pass `keep`, with the privileges they
/// have, per table (computed once per diff, read per candidate).
struct Kept<F> {
    keep: F,
    privileges: Vec<u8>,
}

impl<F: Fn(PermId) -> bool> Kept<F> {
    fn new(s: &Side, keep: F) -> Kept<F> {
        let mut privileges = vec![0u8; s.t.tables.len()];
        for (_, p) in s.t.permissions.iter().enumerate().filter(|&(n, _)| keep(n as PermId)) {
            privileges[p.table as usize] |= p.privileges.0;
        }
        Kept { keep, privileges }
    }
}

/// Row ids of one tenant mapped to the other's (by table name and row id).
pub(crate) enum RowMap {
    Identity,
    Table(Vec<u32>),
}

const NONE: u32 = u32::MAX;

impl RowMap {
    fn new(x: &Tenant, y: &Tenant, identical: bool) -> RowMap {
        if identical {
            return RowMap::Identity;
        }
        let mut map = vec![NONE; x.row_count() as usize];
        for t in &x.tables {
            let Some(ty) = y.table_id(&t.name) else { continue };
            for (i, id) in t.ids.iter().enumerate() {
                if let Some(r) = y.row_id(ty, id) {
                    map[(t.first + i as u32) as usize] = r;
                }
            }
        }
        RowMap::Table(map)
    }
    fn get(&self, x: RowId) -> Option<RowId> {
        match self {
            RowMap::Identity => Some(x),
            RowMap::Table(m) => m.get(x as usize).copied().filter(|&r| r != NONE),
        }
    }
    fn visitor(&self, v: Visitor) -> Option<Visitor> {
        match v {
            Visitor::Anonymous => Some(Visitor::Anonymous),
            Visitor::Contact(c) => self.get(c).map(Visitor::Contact),
        }
    }
}

/// Whether two tenants have the same tables of rows with the same ids in the
/// same order, so that row ids coincide.
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

/// Whether the contacts, or the account of some contact (S1), differ.
fn people_changed(x: &Tenant, y: &Tenant) -> bool {
    let cx = &x.tables[x.contact_table as usize];
    let cy = &y.tables[y.contact_table as usize];
    if cx.ids != cy.ids {
        return true;
    }
    (0..cx.ids.len() as u32).any(|i| {
        let ax = x.account_of(cx.first + i).map(|a| x.row_name(a));
        let ay = y.account_of(cy.first + i).map(|a| y.row_name(a));
        ax != ay
    })
}

/// Which permissions of each tenant may grant differently, closed under trees.
fn affected(
    b: &Tenant,
    broot: &[PermId],
    e: &Tenant,
    eroot: &[PermId],
    effect: &Effect,
    full: bool,
) -> (Vec<bool>, Vec<bool>) {
    if full {
        return (vec![true; b.permissions.len()], vec![true; e.permissions.len()]);
    }
    let seed = |t: &Tenant, root: &[PermId], n: usize| -> bool {
        let p = &t.permissions[n];
        let root = &t.permissions[root[n] as usize];
        effect.perms.contains(&p.id)
            || root.roles.iter().any(|&r| effect.roles.contains(&t.roles[r as usize].id))
            || effect.tables.contains(&t.tables[p.table as usize].name)
            || p.scope_relationship().is_some_and(|r| effect.rels.contains(&r.name))
    };
    let mut ids: HashSet<&str> = HashSet::new();
    for (t, root) in [(b, broot), (e, eroot)] {
        for n in 0..t.permissions.len() {
            if seed(t, root, n) {
                ids.insert(t.permissions[n].id.as_str());
            }
        }
    }
    // Close under trees, in both tenants, until stable.
    loop {
        let before = ids.len();
        for (t, root) in [(b, broot), (e, eroot)] {
            let held: HashSet<PermId> = (0..t.permissions.len())
                .filter(|&n| ids.contains(t.permissions[n].id.as_str()))
                .map(|n| root[n])
                .collect();
            for (p, r) in t.permissions.iter().zip(root) {
                if held.contains(r) {
                    ids.insert(p.id.as_str());
                }
            }
        }
        if ids.len() == before {
            break;
        }
    }
    let flags = |t: &Tenant| t.permissions.iter().map(|p| ids.contains(p.id.as_str())).collect();
    (flags(b), flags(e))
}

/// Derives the grants of the permissions flagged in `keep` only (a union of
/// whole trees): the rules never join two trees, so each kept permission gets
/// exactly the facts a full derivation would give it.
fn derive_partial<'a>(t: &Tenant, keep: &[bool], base: Side<'a>, identical: bool) -> Cow<'a, Grants> {
    // Most scenarios leave memberships and accounts alone: share their index.
    let b = base.t;
    let same_members = t.contact_members == b.contact_members
        && t.account_members == b.account_members
        && t.contact_account == b.contact_account;
    let same_links = identical && Arc::ptr_eq(&t.links, &b.links);
    // Only privileges changed: every derived fact is the base's, except
    // the creates (S17), which the diff reads from the privileges.
    if same_members && same_links && same_config_but_create(t, b) {
        return Cow::Borrowed(base.g);
    }
    let members = if same_members {
        Arc::clone(base.g.members())
    } else {
        Arc::new(Members::new(t))
    };
    // On the same rows and links, a permission whose chain is unchanged
    // admits what it admitted in the base: copy, do not propagate.
    let known = same_links.then(|| Known {
        base: &base.g.derived,
        from: (0..t.permissions.len() as PermId)
            .map(|n| {
                let m = b.perm_id(&t.permissions[n as usize].id)?;
                (keep.get(n as usize) == Some(&true) && same_chain(t, n, b, m)).then_some(m)
            })
            .collect(),
    });
    let derived = if keep.iter().all(|&k| k) && known.is_none() {
        crate::engine::plan::derive_with(t, &members)
    } else {
        crate::engine::plan::derive_only(t, keep, &members, known.as_ref())
    };
    // Read permission by permission (`Side::granted_among`): no index by row.
    Cow::Owned(Grants::unindexed_with(t, derived, members))
}

/// Whether two tenants have the same configuration facts but for which
/// permissions have `create`: the same permissions in the same order with
/// the same tables, scopes, parents, roles and activity, and the same roles.
fn same_config_but_create(x: &Tenant, y: &Tenant) -> bool {
    let facts = |t: &Tenant| portal_access_rules::Facts { perm_create: Vec::new(), ..crate::engine::config_facts(t) };
    x.permissions.len() == y.permissions.len()
        && x.permissions.iter().zip(&y.permissions).all(|(p, q)| p.id == q.id)
        && facts(x) == facts(y)
}

/// Whether permission `n` of `x` and `m` of `y` admit the same rows on the
/// same rows and links: the same table, scope, relationship and activity,
/// up the whole chain (S9 to S13; roles and privileges play no part).
fn same_chain(x: &Tenant, mut n: PermId, y: &Tenant, mut m: PermId) -> bool {
    loop {
        let (p, q) = (&x.permissions[n as usize], &y.permissions[m as usize]);
        let rel = |t: &Permission| t.scope_relationship().map(|r| r.id);
        if p.id != q.id
            || p.scope != q.scope
            || p.active != q.active
            || x.tables[p.table as usize].name != y.tables[q.table as usize].name
            || rel(p) != rel(q)
        {
            return false;
        }
        match (p.parent, q.parent) {
            (None, None) => return true,
            (Some(pn), Some(qm)) => (n, m) = (pn, qm),
            _ => return false,
        }
    }
}

/// Prints one grant of tenant `t`.
pub(crate) fn line(t: &Tenant, (v, p, target): Cand) -> GrantLine {
    let visitor = match v {
        Visitor::Anonymous => "anonymous".to_string(),
        Visitor::Contact(c) => t.row_name(c).to_string(),
    };
    let (row, table) = match target {
        Target::Row(x) => (Some(t.row_ref(x)), None),
        Target::Table(tb) => (None, Some(t.tables[tb as usize].name.clone())),
    };
    GrantLine { visitor, privilege: p.name().to_string(), row, table }
}

fn perm_map(x: &Tenant, y: &Tenant) -> Vec<Option<PermId>> {
    x.permissions.iter().map(|p| y.perm_id(&p.id)).collect()
}

fn table_map(x: &Tenant, y: &Tenant) -> Vec<Option<TableId>> {
    x.tables.iter().map(|t| y.table_id(&t.name)).collect()
}

fn left_accounts(x: &Tenant, y: &Tenant, row: &RowMap) -> HashMap<RowId, Vec<RowId>> {
    let mut left: HashMap<RowId, Vec<RowId>> = HashMap::new();
    for &(c, a) in x.contact_account.iter() {
        let same = match (row.get(c), row.get(a)) {
            (Some(cy), Some(ay)) => y.account_of(cy) == Some(ay),
            _ => false,
        };
        if !same {
            left.entry(a).or_default().push(c);
        }
    }
    left
}

/// Gained and lost grants, each sorted by visitor, privilege, target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantDiff {
    /// Grants the edited tenant makes and the base does not.
    pub gained: Vec<GrantLine>,
    /// Grants the base makes and the edited tenant does not.
    pub lost: Vec<GrantLine>,
}

/// Gained grants (ids of the edited tenant) and lost grants (ids of the
/// base), each sorted by printed visitor, privilege, target.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdDiff {
    pub(crate) gained: Vec<Cand>,
    pub(crate) lost: Vec<Cand>,
    /// The newcomer's grants (C9), when registration is open in either tenant.
    pub(crate) newcomer: Option<NewcomerIds>,
}

/// The grant difference between the base and an edited tenant. `effect`
/// says what the changes touched; `force_full` re-derives the whole edited
/// tenant instead of the affected trees (the answer is the same).
pub(crate) fn diff(bs: Side, b_order: &OnceLock<RowOrder>, e: &Tenant, effect: &Effect, force_full: bool) -> IdDiff {
    let b = bs.t;
    let eroot = roots(e);
    let identical = !effect.data || same_rows(b, e);
    // Registration opened or closed (C8): every newcomer grant may differ.
    let open = (registration_open(b), registration_open(e));
    let full = force_full || (effect.data && people_changed(b, e)) || open.0 != open.1;
    let (aff_b, aff_e) = affected(b, &bs.ix.root, e, &eroot, effect, full);
    if !aff_b.iter().any(|&a| a) && !aff_e.iter().any(|&a| a) && !super::finance::may_differ(b, e, effect) {
        let newcomer = (open.0 || open.1).then(NewcomerIds::default);
        return IdDiff { newcomer, ..IdDiff::default() };
    }
    let eg = derive_partial(e, &aff_e, bs, identical);
    let eix = SideIndex::new(e, &eg, eroot);
    let es = Side { t: e, g: &eg, ix: &eix };
    let row_be = RowMap::new(b, e, identical);
    let row_eb = RowMap::new(e, b, identical);
    let (perm_be, perm_eb) = (perm_map(b, e), perm_map(e, b));
    let (table_be, table_eb) = (table_map(b, e), table_map(e, b));
    let (left_be, left_eb) = if effect.data {
        (left_accounts(b, e, &row_be), left_accounts(e, b, &row_eb))
    } else {
        (HashMap::new(), HashMap::new())
    };

    // Row ranks (for sorting) coincide when the rows do.
    let e_order_owned = OnceLock::new();
    let e_order = if identical { b_order } else { &e_order_owned };
    let (b_keys, e_keys) = (Keys::new(b, b_order), Keys::new(e, e_order));

    // Lost: granted by an affected base permission, and by no permission of
    // the edited tenant (unaffected ones grant as in the base).
    let (unaffected, every) = (Kept::new(&bs, |n| !aff_b[n as usize]), Kept::new(&bs, |_| true));
    let lost_cover = |v: Visitor, mask: u8, target: Target| {
        let got = bs.granted(v, mask, target, &unaffected);
        if got == mask {
            return got;
        }
        got | match (row_be.visitor(v), map_target(&row_be, &table_be, target)) {
            (Some(ve), Some(te)) => es.granted_among(ve, mask & !got, te, &aff_e),
            _ => 0,
        }
    };
    // For every contact at once: only where contacts are the same.
    let same_people = matches!(row_be, RowMap::Identity);
    let lost_cover_all = |mask: u8, x: RowId| {
        if !same_people {
            return 0;
        }
        let got = bs.g.granted_everyone(b, mask, x, |n| !aff_b[n as usize]);
        if got == mask {
            return got;
        }
        got | es.granted_everyone_among(mask & !got, x, &aff_e)
    };
    let lost_dir = Dir {
        x: bs,
        y: es,
        row: &row_be,
        perm: &perm_be,
        table: &table_be,
        left: &left_be,
        keys: &b_keys,
        covered: &lost_cover,
        covered_all: &lost_cover_all,
    };
    let mut keys = Vec::new();
    for n in (0..b.permissions.len() as PermId).filter(|&n| aff_b[n as usize]) {
        lost_dir.perm_minus(n, &mut keys);
    }
    let lost = b_keys.sorted(keys);

    // Gained: granted by an affected edited permission and by nothing in the base.
    let gain_cover = |v: Visitor, mask: u8, target: Target| match (row_eb.visitor(v), map_target(&row_eb, &table_eb, target)) {
        (Some(vb), Some(tb)) => bs.granted(vb, mask, tb, &every),
        _ => 0,
    };
    let gain_dir = Dir {
        x: es,
        y: bs,
        row: &row_eb,
        perm: &perm_eb,
        table: &table_eb,
        left: &left_eb,
        keys: &e_keys,
        covered: &gain_cover,
        covered_all: &|mask, x| if same_people { bs.g.granted_everyone(b, mask, x, |_| true) } else { 0 },
    };
    let mut keys = Vec::new();
    for n in (0..e.permissions.len() as PermId).filter(|&n| aff_e[n as usize]) {
        gain_dir.perm_minus(n, &mut keys);
    }
    let newcomer = newcomer_diff(
        &NewcomerSide::new(b, bs.g, open.0, &aff_b),
        &NewcomerSide::new(e, es.g, open.1, &aff_e),
        |t| map_target(&row_be, &table_be, t),
        |t| map_target(&row_eb, &table_eb, t),
    );
    let mut d = IdDiff { gained: e_keys.sorted(keys), lost, newcomer };
    // F6: each tenant's F&O side narrows its virtual-table grants (finance.rs).
    let sides = super::finance::Sides {
        b, bg: bs.g, e, eg: es.g, effect,
        row_be: &|x| row_be.get(x),
        row_eb: &|x| row_eb.get(x),
        s16_b: &|v, mask, target| bs.granted(v, mask, target, &every),
        s16_e: &lost_cover,
        key_b: &|c| b_keys.key(c),
        key_e: &|c| e_keys.key(c),
    };
    super::finance::narrow(&sides, &mut d.lost, &mut d.gained);
    d
}

impl super::finance::Aim for Target {
    fn row(x: RowId) -> Target {
        Target::Row(x)
    }
    fn table(tb: TableId) -> Target {
        Target::Table(tb)
    }
    fn split(self) -> Result<RowId, TableId> {
        match self {
            Target::Row(x) => Ok(x),
            Target::Table(tb) => Err(tb),
        }
    }
}

/// A target of one tenant as the other's, when it has it.
fn map_target(row: &RowMap, table: &[Option<TableId>], t: Target) -> Option<Target> {
    match t {
        Target::Row(x) => row.get(x).map(Target::Row),
        Target::Table(tb) => table.get(tb as usize).copied().flatten().map(Target::Table),
    }
}

/// Sort keys of one tenant's grants: integers whose order is the plain
/// string order of the printed (visitor, privilege, target), and back.
struct Keys<'a> {
    t: &'a Tenant,
    order: &'a OnceLock<RowOrder>,
    table_rank: Vec<u32>,
    table_by_rank: Vec<TableId>,
}

impl<'a> Keys<'a> {
    fn new(t: &'a Tenant, order: &'a OnceLock<RowOrder>) -> Keys<'a> {
        let table_rank = table_rank(t);
        let mut table_by_rank = vec![0; table_rank.len()];
        for (tb, &r) in table_rank.iter().enumerate() {
            table_by_rank[r as usize] = tb as TableId;
        }
        Keys { t, order, table_rank, table_by_rank }
    }

    fn order(&self) -> &RowOrder {
        self.order.get_or_init(|| RowOrder::new(self.t))
    }

    fn key(&self, (v, p, target): Cand) -> u128 {
        let o = self.order();
        let v = match v {
            Visitor::Anonymous => o.anon_rank,
            Visitor::Contact(c) => c
                .checked_sub(o.contacts.start)
                .and_then(|i| o.visitor_rank.get(i as usize))
                .copied()
                .unwrap_or(u32::MAX),
        };
        let (kind, target) = match target {
            Target::Row(x) => (0u128, o.row_rank.get(x as usize).copied().unwrap_or(u32::MAX)),
            Target::Table(tb) => (1u128, self.table_rank.get(tb as usize).copied().unwrap_or(u32::MAX)),
        };
        ((v as u128) << 64) | ((PRIVILEGE_RANK[p as usize] as u128) << 40) | (kind << 32) | target as u128
    }

    fn cand(&self, key: u128) -> Cand {
        let o = self.order();
        let v = o.visitor_by_rank.get((key >> 64) as usize).copied().unwrap_or(Visitor::Anonymous);
        let p = PRIVILEGE_BY_RANK[((key >> 40) & 0xff) as usize % 6];
        let rank = (key & 0xffff_ffff) as usize;
        let target = if (key >> 32) & 1 == 0 {
            Target::Row(o.row_by_rank.get(rank).copied().unwrap_or(0))
        } else {
            Target::Table(self.table_by_rank.get(rank).copied().unwrap_or(0))
        };
        (v, p, target)
    }

    /// Sorts grant keys into the printed order (no string comparison) and
    /// drops duplicates.
    fn sorted(&self, mut keys: Vec<u128>) -> Vec<Cand> {
        keys.sort_unstable();
        keys.dedup();
        keys.into_iter().map(|k| self.cand(k)).collect()
    }
}

/// Rank of each table name in plain string order (create targets).
fn table_rank(t: &Tenant) -> Vec<u32> {
    let mut ids: Vec<usize> = (0..t.tables.len()).collect();
    ids.sort_by(|&a, &b| t.tables[a].name.cmp(&t.tables[b].name));
    let mut rank = vec![0; t.tables.len()];
    for (r, i) in ids.into_iter().enumerate() {
        rank[i] = r as u32;
    }
    rank
}

/// Ranks that reproduce the plain string order of printed visitors and of
/// printed rows (`TABLE:ID`), so answers sort on integers.
pub(crate) struct RowOrder {
    contacts: Range<RowId>,
    visitor_rank: Vec<u32>,
    anon_rank: u32,
    visitor_by_rank: Vec<Visitor>,
    row_rank: Vec<u32>,
    row_by_rank: Vec<RowId>,
}

impl RowOrder {
    pub(crate) fn new(t: &Tenant) -> RowOrder {
        // Rows: the tenant's print order (`TABLE:ID`), and back (kept here:
        // an edited tenant with the same rows shares this order, not its own).
        let row_rank = t.row_rank().to_vec();
        let mut row_by_rank = vec![0; row_rank.len()];
        for (x, &r) in row_rank.iter().enumerate() {
            row_by_rank[r as usize] = x as RowId;
        }
        // Visitors: the contacts in id order (their rows' order), with
        // `anonymous` put among them by name.
        let contacts = t.contacts();
        let mut sorted: Vec<RowId> = contacts.clone().collect();
        sorted.sort_unstable_by_key(|&c| row_rank[c as usize]);
        let anon_rank = sorted.partition_point(|&c| t.row_name(c) < "anonymous") as u32;
        let mut visitor_by_rank: Vec<Visitor> = sorted.iter().map(|&c| Visitor::Contact(c)).collect();
        visitor_by_rank.insert(anon_rank as usize, Visitor::Anonymous);
        let mut visitor_rank = vec![0; contacts.len()];
        for (r, v) in visitor_by_rank.iter().enumerate() {
            if let Visitor::Contact(c) = v {
                visitor_rank[(c - contacts.start) as usize] = r as u32;
            }
        }
        RowOrder { contacts, visitor_rank, anon_rank, visitor_by_rank, row_rank, row_by_rank }
    }
}

/// Rank of each privilege (in `Privilege` order) by name: append,
/// append_to, create, delete, read, write.
const PRIVILEGE_RANK: [u8; 6] = [4, 5, 2, 3, 0, 1];

/// The privileges in name order.
const PRIVILEGE_BY_RANK: [Privilege; 6] =
    [Privilege::Append, Privilege::AppendTo, Privilege::Create, Privilege::Delete, Privilege::Read, Privilege::Write];
