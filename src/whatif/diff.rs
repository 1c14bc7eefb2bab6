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
use crate::engine::{facts, Grants, Visitor};
use crate::model::{PermId, Privilege, RoleId, RowId, TableId, Tenant};
use crate::query::GrantLine;
use portal_access_rules as rules;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// What a grant is about: a row, or a table (create, S17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Target {
    Row(RowId),
    Table(TableId),
}

type Cand = (Visitor, Privilege, Target);

/// Indexes of one tenant that the diff needs besides its [`Grants`].
#[derive(Debug, Clone)]
pub(crate) struct SideIndex {
    members_by_role: Vec<(RoleId, RowId)>,
    accounts_by_role: Vec<(RoleId, RowId)>,
    contacts_by_account: Vec<(RowId, RowId)>,
    perms_by_table: Vec<Vec<PermId>>,
    root: Vec<PermId>,
}

fn range<K: Ord + Copy, T>(v: &[T], key: K, f: impl Fn(&T) -> K) -> &[T] {
    let lo = v.partition_point(|e| f(e) < key);
    let hi = lo + v[lo..].partition_point(|e| f(e) <= key);
    &v[lo..hi]
}

impl SideIndex {
    pub(crate) fn new(t: &Tenant) -> SideIndex {
        let mut members_by_role: Vec<_> = t.contact_members.iter().map(|&(c, r)| (r, c)).collect();
        members_by_role.sort_unstable();
        let mut accounts_by_role: Vec<_> = t.account_members.iter().map(|&(a, r)| (r, a)).collect();
        accounts_by_role.sort_unstable();
        let mut contacts_by_account: Vec<_> = t.contact_account.iter().map(|&(c, a)| (a, c)).collect();
        contacts_by_account.sort_unstable();
        let mut perms_by_table = vec![Vec::new(); t.tables.len()];
        for (n, p) in t.permissions.iter().enumerate() {
            perms_by_table[p.table as usize].push(n as PermId);
        }
        let root = (0..t.permissions.len() as PermId).map(|n| t.root_of(n)).collect();
        SideIndex { members_by_role, accounts_by_role, contacts_by_account, perms_by_table, root }
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
        self.g.derived.cand_anon.binary_search(&n).is_ok()
    }
    fn all(&self, n: PermId) -> bool {
        self.g.derived.cand_all.binary_search(&n).is_ok()
    }
    fn glob(&self, n: PermId) -> Glob<'a> {
        if self.g.derived.in_all.binary_search(&n).is_ok() {
            Glob::All(self.t.tables[self.t.permissions[n as usize].table as usize].rows())
        } else {
            Glob::Rows(range(&self.g.derived.in_g, n, |e| e.0))
        }
    }
    fn cg(&self, n: PermId) -> &'a [(u32, u32, u32)] {
        range(&self.g.derived.contact_grant, n, |e| e.0)
    }
    fn ag(&self, n: PermId) -> &'a [(u32, u32, u32)] {
        range(&self.g.derived.account_grant, n, |e| e.0)
    }
    fn account_contacts(&self, a: RowId) -> impl Iterator<Item = RowId> + 'a {
        range(&self.ix.contacts_by_account, a, |e| e.0).iter().map(|e| e.1)
    }
    fn holders(&self, n: PermId) -> Holders {
        if self.all(n) {
            return Holders::All(self.t.contacts());
        }
        let mut out = Vec::new();
        for &(_, r) in range(&self.g.derived.cand_role, n, |e| e.0) {
            out.extend(range(&self.ix.members_by_role, r, |e| e.0).iter().map(|e| e.1));
            for &(_, a) in range(&self.ix.accounts_by_role, r, |e| e.0) {
                out.extend(self.account_contacts(a));
            }
        }
        out.sort_unstable();
        out.dedup();
        Holders::Some(out)
    }

    /// Whether permission `n` lets `v` do `p` to row `x` (S16).
    fn admits(&self, n: PermId, v: Visitor, x: RowId) -> bool {
        let global = self.g.derived.in_all.binary_search(&n).is_ok()
            || self.g.derived.in_g.binary_search(&(n, x)).is_ok();
        if global && self.g.holds(self.t, v, n) {
            return true;
        }
        match v {
            Visitor::Anonymous => false,
            Visitor::Contact(c) => {
                self.g.derived.contact_grant.binary_search(&(n, c, x)).is_ok()
                    || self.t.account_of(c).is_some_and(|a| self.g.derived.account_grant.binary_search(&(n, a, x)).is_ok())
            }
        }
    }

    /// Whether some permission passing `keep` grants `(v, p, target)` (S16, S17).
    fn grants(&self, v: Visitor, p: Privilege, target: Target, keep: impl Fn(PermId) -> bool) -> bool {
        let t = self.t;
        match target {
            Target::Row(x) => {
                let table = t.table_of(x);
                self.ix.perms_by_table[table as usize].iter().any(|&n| {
                    keep(n) && t.permissions[n as usize].privileges.has(p) && self.admits(n, v, x)
                })
            }
            Target::Table(table) => self.ix.perms_by_table[table as usize].iter().any(|&n| {
                keep(n) && t.permissions[n as usize].privileges.has(Privilege::Create) && self.g.holds(t, v, n)
            }),
        }
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
        && x.tables.iter().filter(|tb| !tb.ids.is_empty()).all(|tb| {
            y.table_id(&tb.name).is_some_and(|ty| y.tables[ty as usize].ids == tb.ids)
        })
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
fn affected(b: &Tenant, bix: &SideIndex, e: &Tenant, eix: &SideIndex, effect: &Effect, full: bool) -> (Vec<bool>, Vec<bool>) {
    if full {
        return (vec![true; b.permissions.len()], vec![true; e.permissions.len()]);
    }
    let seed = |t: &Tenant, ix: &SideIndex, n: usize| -> bool {
        let p = &t.permissions[n];
        let root = &t.permissions[ix.root[n] as usize];
        effect.perms.contains(&p.id)
            || root.roles.iter().any(|&r| effect.roles.contains(&t.roles[r as usize].id))
            || effect.tables.contains(&t.tables[p.table as usize].name)
            || p.scope_relationship().is_some_and(|r| effect.rels.contains(&r.name))
    };
    let mut ids: HashSet<&str> = HashSet::new();
    for (t, ix) in [(b, bix), (e, eix)] {
        for n in 0..t.permissions.len() {
            if seed(t, ix, n) {
                ids.insert(t.permissions[n].id.as_str());
            }
        }
    }
    // Close under trees, in both tenants, until stable.
    loop {
        let before = ids.len();
        for (t, ix) in [(b, bix), (e, eix)] {
            let roots: HashSet<PermId> =
                (0..t.permissions.len()).filter(|&n| ids.contains(t.permissions[n].id.as_str())).map(|n| ix.root[n]).collect();
            for n in 0..t.permissions.len() {
                if roots.contains(&ix.root[n]) {
                    ids.insert(t.permissions[n].id.as_str());
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
fn derive_partial(t: &Tenant, keep: &[bool]) -> Grants {
    if keep.iter().all(|&k| k) {
        return Grants::derive(t);
    }
    let k = |n: &u32| keep.get(*n as usize).copied().unwrap_or(false);
    let mut f = facts(t);
    f.perm.retain(|e| k(&e.0));
    f.perm_active.retain(k);
    f.perm_parent.retain(|e| k(&e.0));
    f.perm_role.retain(|e| k(&e.0));
    f.perm_create.retain(k);
    f.scope_global.retain(k);
    f.scope_contact.retain(|e| k(&e.0));
    f.scope_account.retain(|e| k(&e.0));
    f.scope_self.retain(k);
    f.scope_parent.retain(|e| k(&e.0));
    // Only the links of the relationships the kept permissions walk, and the
    // memberships of the roles on their roots, can join with them.
    let rels: HashSet<u32> =
        f.scope_contact.iter().chain(&f.scope_account).chain(&f.scope_parent).map(|e| e.1).collect();
    f.link.retain(|e| rels.contains(&e.0));
    let roles: HashSet<u32> = f.perm_role.iter().map(|e| e.1).collect();
    f.contact_member.retain(|e| roles.contains(&e.1));
    f.account_member.retain(|e| roles.contains(&e.1));
    Grants::index(t, rules::derive(&f))
}

/// One direction of the diff: grants of `x` missing from `y`.
struct Dir<'a> {
    x: Side<'a>,
    y: Side<'a>,
    row: &'a RowMap,
    perm: &'a [Option<PermId>],
    table: &'a [Option<TableId>],
    /// Contacts (x ids) whose account in `y` is not their account in `x`, by x account.
    left: &'a HashMap<RowId, Vec<RowId>>,
}

impl Dir<'_> {
    fn map_target(&self, t: Target) -> Option<Target> {
        match t {
            Target::Row(x) => self.row.get(x).map(Target::Row),
            Target::Table(tb) => self.table.get(tb as usize).copied().flatten().map(Target::Table),
        }
    }

    /// Every (visitor, row) pair permission `n` of `x` admits.
    fn expand(&self, n: PermId, out: &mut Vec<(Visitor, RowId)>) {
        let x = &self.x;
        let glob = x.glob(n);
        if !glob.is_empty() {
            if x.anon(n) {
                out.extend(glob.rows().map(|r| (Visitor::Anonymous, r)));
            }
            let h = x.holders(n);
            for c in h.iter() {
                out.extend(glob.rows().map(|r| (Visitor::Contact(c), r)));
            }
        }
        out.extend(x.cg(n).iter().map(|&(_, c, r)| (Visitor::Contact(c), r)));
        for &(_, a, r) in x.ag(n) {
            out.extend(x.account_contacts(a).map(|c| (Visitor::Contact(c), r)));
        }
    }

    /// Rows of `gx` (x ids) that `gy` (y ids) lacks.
    fn glob_minus(&self, gx: &Glob, gy: &Glob) -> Vec<RowId> {
        if let (Glob::All(_), Glob::All(_), RowMap::Identity) = (gx, gy, self.row) {
            return Vec::new();
        }
        gx.rows().filter(|&r| self.row.get(r).is_none_or(|ry| !gy.contains(ry))).collect()
    }

    /// Contacts of `hx` (x ids) that `hy` (y ids) lacks.
    fn holders_minus(&self, hx: &Holders, hy: &Holders) -> Vec<RowId> {
        if let (Holders::All(_), RowMap::Identity) = (hy, self.row) {
            return Vec::new();
        }
        hx.iter().filter(|&c| self.row.get(c).is_none_or(|cy| !hy.contains(cy))).collect()
    }

    /// A superset of the (visitor, row) pairs `nx` admits in `x` and `ny` does not in `y`.
    fn pairs_minus(&self, nx: PermId, ny: PermId, out: &mut Vec<(Visitor, RowId)>) {
        let (x, y) = (&self.x, &self.y);
        let (gx, gy) = (x.glob(nx), y.glob(ny));
        let grows = self.glob_minus(&gx, &gy);
        if x.anon(nx) {
            if y.anon(ny) {
                out.extend(grows.iter().map(|&r| (Visitor::Anonymous, r)));
            } else {
                out.extend(gx.rows().map(|r| (Visitor::Anonymous, r)));
            }
        }
        if !gx.is_empty() {
            let hx = x.holders(nx);
            let hy = y.holders(ny);
            for c in self.holders_minus(&hx, &hy) {
                out.extend(gx.rows().map(|r| (Visitor::Contact(c), r)));
            }
            if !grows.is_empty() {
                for c in hx.iter() {
                    out.extend(grows.iter().map(|&r| (Visitor::Contact(c), r)));
                }
            }
        }
        let cgy = y.cg(ny);
        for &(_, c, r) in x.cg(nx) {
            let kept = match (self.row.get(c), self.row.get(r)) {
                (Some(cy), Some(ry)) => cgy.binary_search(&(ny, cy, ry)).is_ok(),
                _ => false,
            };
            if !kept {
                out.push((Visitor::Contact(c), r));
            }
        }
        let agy = y.ag(ny);
        for &(_, a, r) in x.ag(nx) {
            let kept = match (self.row.get(a), self.row.get(r)) {
                (Some(ay), Some(ry)) => agy.binary_search(&(ny, ay, ry)).is_ok(),
                _ => false,
            };
            if kept {
                // The account grant stays; contacts that left the account lose it.
                if let Some(gone) = self.left.get(&a) {
                    out.extend(gone.iter().map(|&c| (Visitor::Contact(c), r)));
                }
            } else {
                out.extend(x.account_contacts(a).map(|c| (Visitor::Contact(c), r)));
            }
        }
    }

    /// A superset of `T_x(nx) \ T_y(counterpart)`, pushed onto `out`.
    fn perm_minus(&self, nx: PermId, out: &mut Vec<Cand>) {
        let (x, y) = (&self.x, &self.y);
        let px = &x.t.permissions[nx as usize];
        let tx = px.table;
        let ny = self.perm[nx as usize].filter(|&m| {
            self.table.get(tx as usize).copied().flatten() == Some(y.t.permissions[m as usize].table)
        });
        let py = ny.map(|m| y.t.permissions[m as usize].privileges.0).unwrap_or(0);
        let create = Privilege::Create.bit();
        let rows_x = px.privileges.0 & !create;
        let whole = rows_x & !py;
        let part = rows_x & py;
        let privs = |mask: u8| Privilege::ALL.into_iter().filter(move |p| mask & p.bit() != 0);
        if whole != 0 {
            let mut pairs = Vec::new();
            self.expand(nx, &mut pairs);
            for (v, r) in pairs {
                out.extend(privs(whole).map(|p| (v, p, Target::Row(r))));
            }
        }
        if let (Some(m), true) = (ny, part != 0) {
            let mut pairs = Vec::new();
            self.pairs_minus(nx, m, &mut pairs);
            for (v, r) in pairs {
                out.extend(privs(part).map(|p| (v, p, Target::Row(r))));
            }
        }
        if px.privileges.0 & create != 0 {
            let hx = x.holders(nx);
            let table = Target::Table(tx);
            match ny.filter(|_| py & create != 0) {
                None => {
                    if x.anon(nx) {
                        out.push((Visitor::Anonymous, Privilege::Create, table));
                    }
                    out.extend(hx.iter().map(|c| (Visitor::Contact(c), Privilege::Create, table)));
                }
                Some(m) => {
                    if x.anon(nx) && !y.anon(m) {
                        out.push((Visitor::Anonymous, Privilege::Create, table));
                    }
                    let hy = y.holders(m);
                    out.extend(self.holders_minus(&hx, &hy).into_iter().map(|c| (Visitor::Contact(c), Privilege::Create, table)));
                }
            }
        }
    }
}

fn line(t: &Tenant, (v, p, target): Cand) -> GrantLine {
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
    for &(c, a) in &x.contact_account {
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

/// The grant difference between the base and an edited tenant. `effect`
/// says what the changes touched; `force_full` re-derives the whole edited
/// tenant instead of the affected trees (the answer is the same).
pub(crate) fn diff(bs: Side, e: &Tenant, effect: &Effect, force_full: bool) -> GrantDiff {
    let b = bs.t;
    let eix = SideIndex::new(e);
    let identical = !effect.data || same_rows(b, e);
    let full = force_full || (effect.data && people_changed(b, e));
    let (aff_b, aff_e) = affected(b, bs.ix, e, &eix, effect, full);
    if !aff_b.iter().any(|&a| a) && !aff_e.iter().any(|&a| a) {
        return GrantDiff::default();
    }
    let eg = derive_partial(e, &aff_e);
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

    // Lost: granted by an affected base permission, and by no permission of
    // the edited tenant (unaffected ones grant as in the base).
    let lost_dir = Dir { x: bs, y: es, row: &row_be, perm: &perm_be, table: &table_be, left: &left_be };
    let mut cands = Vec::new();
    for n in (0..b.permissions.len() as PermId).filter(|&n| aff_b[n as usize]) {
        lost_dir.perm_minus(n, &mut cands);
    }
    cands.sort_unstable();
    cands.dedup();
    let mut lost: Vec<GrantLine> = cands
        .into_iter()
        .filter(|&(v, p, target)| {
            let by_unaffected = bs.grants(v, p, target, |n| !aff_b[n as usize]);
            let by_affected = || match (row_be.visitor(v), lost_dir.map_target(target)) {
                (Some(ve), Some(te)) => es.grants(ve, p, te, |n| aff_e[n as usize]),
                _ => false,
            };
            !by_unaffected && !by_affected()
        })
        .map(|c| line(b, c))
        .collect();

    // Gained: granted by an affected edited permission and by nothing in the base.
    let gain_dir = Dir { x: es, y: bs, row: &row_eb, perm: &perm_eb, table: &table_eb, left: &left_eb };
    let mut cands = Vec::new();
    for n in (0..e.permissions.len() as PermId).filter(|&n| aff_e[n as usize]) {
        gain_dir.perm_minus(n, &mut cands);
    }
    cands.sort_unstable();
    cands.dedup();
    let mut gained: Vec<GrantLine> = cands
        .into_iter()
        .filter(|&(v, p, target)| match (row_eb.visitor(v), gain_dir.map_target(target)) {
            (Some(vb), Some(tb)) => !bs.grants(vb, p, tb, |_| true),
            _ => true,
        })
        .map(|c| line(e, c))
        .collect();
    lost.sort();
    gained.sort();
    GrantDiff { gained, lost }
}
