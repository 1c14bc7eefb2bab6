//! The engine: tenant facts into the Datalog rules, factored grants out,
//! indexed for answers. Grants are expanded to contacts only when an answer
//! asks (`who`, `grants`): a Global permission held by every contact is one
//! fact about the permission, never one tuple per contact and row.

use crate::model::{PermId, Privilege, RelKind, RoleId, RowId, Scope, TableId, Tenant};
use portal_access_rules as rules;

pub use crate::model::Visitor;

/// The facts of a tenant, as the rules take them.
pub fn facts(t: &Tenant) -> rules::Facts {
    let mut f = config_facts(t);
    f.link = t.links.clone();
    f.contacts = t.contacts().collect();
    f.contact_account = t.contact_account.clone();
    f.contact_member = t.contact_members.clone();
    f.account_member = t.account_members.clone();
    f
}

/// The configuration facts of a tenant (permissions, scopes, relationship
/// shapes, roles), with every row field (links, contacts, accounts,
/// memberships) left empty: what the propagation plan reads.
pub fn config_facts(t: &Tenant) -> rules::Facts {
    let mut f = rules::Facts::default();
    for (n, p) in t.permissions.iter().enumerate() {
        let n = n as u32;
        f.perm.push((n, p.table));
        if p.active {
            f.perm_active.push(n);
        }
        if let Some(m) = p.parent {
            f.perm_parent.push((n, m));
        }
        f.perm_role.extend(p.roles.iter().map(|&r| (n, r)));
        if p.privileges.has(Privilege::Create) {
            f.perm_create.push(n);
        }
        let rel = p.scope_relationship().and_then(|r| r.id);
        match (p.scope, rel) {
            (Scope::Global, _) => f.scope_global.push(n),
            (Scope::SelfScope, _) => f.scope_self.push(n),
            (Scope::Contact, Some(r)) => f.scope_contact.push((n, r)),
            (Scope::Account, Some(r)) => f.scope_account.push((n, r)),
            (Scope::Parent, Some(r)) => f.scope_parent.push((n, r)),
            // S14 Custom, and relationships a folder tenant left undeclared: no scope fact.
            _ => {}
        }
    }
    for (r, rel) in t.relationships.iter().enumerate() {
        match &rel.kind {
            RelKind::OneToMany { referencing, referenced, .. } => f.one_to_many.push((r as u32, *referencing, *referenced)),
            RelKind::ManyToMany { tables } => f.many_to_many.push((r as u32, tables[0], tables[1])),
        }
    }
    f.contact_table = Some(t.contact_table);
    f.account_table = Some(t.account_table);
    for (i, r) in t.roles.iter().enumerate() {
        let i = i as u32;
        if r.active {
            f.role_active.push(i);
        }
        if r.anonymous {
            f.role_anon.push(i);
        }
        if r.authenticated {
            f.role_auth.push(i);
        }
    }
    f
}

/// Derived grants of one tenant, indexed for `can`, `who`, `what` and `grants`.
#[derive(Debug, Clone)]
pub struct Grants {
    /// The raw derived relations.
    pub derived: rules::Derived,
    cand_anon: Vec<bool>,
    cand_all: Vec<bool>,
    cand_role: Vec<Vec<RoleId>>,
    in_all: Vec<bool>,
    /// `(row, perm)` from InG.
    g_by_row: Vec<(RowId, PermId)>,
    /// `(row, contact, perm)` from ContactGrant.
    c_by_row: Vec<(RowId, RowId, PermId)>,
    /// `(row, account, perm)` from AccountGrant.
    a_by_row: Vec<(RowId, RowId, PermId)>,
    /// `(contact, row, perm)`.
    c_by_contact: Vec<(RowId, RowId, PermId)>,
    /// `(account, row, perm)`.
    a_by_account: Vec<(RowId, RowId, PermId)>,
    /// `(role, contact)` direct members.
    members_by_role: Vec<(RoleId, RowId)>,
    /// `(role, account)` member accounts.
    accounts_by_role: Vec<(RoleId, RowId)>,
    /// `(account, contact)` for contacts whose account it is.
    contacts_by_account: Vec<(RowId, RowId)>,
    /// Permissions per table.
    perms_by_table: Vec<Vec<PermId>>,
}

/// Sorts `v` by `row(e)` (a row id below `rows`), keeping the order of
/// entries with the same row: a counting sort when the entries are many
/// against the rows, a stable sort otherwise.
fn by_row<T: Copy + Default>(mut v: Vec<T>, rows: usize, row: impl Fn(&T) -> RowId) -> Vec<T> {
    if v.len() < rows / 8 || v.iter().any(|e| row(e) as usize >= rows) {
        v.sort_by_key(|e| row(e));
        return v;
    }
    let mut start = vec![0u32; rows + 1];
    for e in &v {
        start[row(e) as usize + 1] += 1;
    }
    for i in 0..rows {
        start[i + 1] += start[i];
    }
    let mut out = vec![T::default(); v.len()];
    for e in v {
        let k = &mut start[row(&e) as usize];
        out[*k as usize] = e;
        *k += 1;
    }
    out
}

fn range<K: Ord + Copy, T>(v: &[T], key: K, f: impl Fn(&T) -> K) -> &[T] {
    let lo = v.partition_point(|e| f(e) < key);
    let hi = v.partition_point(|e| f(e) <= key);
    &v[lo..hi]
}

impl Grants {
    /// Derives every grant of `t`: the plan rules, then rows moved through
    /// the plan ([`crate::fast::derive`]).
    pub fn derive(t: &Tenant) -> Grants {
        Grants::index(t, crate::fast::derive(t))
    }

    /// Derives every grant of `t` with the row-level Datalog program, the
    /// reference the fast derivation is tested against.
    pub fn derive_reference(t: &Tenant) -> Grants {
        Grants::index(t, rules::derive(&facts(t)))
    }

    /// Indexes derived relations for answers.
    pub fn index(t: &Tenant, derived: rules::Derived) -> Grants {
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
        // The derived relations are sorted by permission, so each index is
        // a merge of per-permission runs (stable sort) or a stable bucketing
        // by row of an index already sorted on the other fields.
        let rows = t.row_count() as usize;
        let g_by_row: Vec<(RowId, PermId)> = by_row(derived.in_g.iter().map(|&(n, x)| (x, n)).collect(), rows, |e| e.0);
        let mut c_by_contact: Vec<_> = derived.contact_grant.iter().map(|&(n, c, x)| (c, x, n)).collect();
        c_by_contact.sort();
        let mut a_by_account: Vec<_> = derived.account_grant.iter().map(|&(n, a, x)| (a, x, n)).collect();
        a_by_account.sort();
        let c_by_row = by_row(c_by_contact.iter().map(|&(c, x, n)| (x, c, n)).collect(), rows, |e| e.0);
        let a_by_row = by_row(a_by_account.iter().map(|&(a, x, n)| (x, a, n)).collect(), rows, |e| e.0);
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
        Grants {
            derived,
            cand_anon,
            cand_all,
            cand_role,
            in_all,
            g_by_row,
            c_by_row,
            a_by_row,
            c_by_contact,
            a_by_account,
            members_by_role,
            accounts_by_role,
            contacts_by_account,
            perms_by_table,
        }
    }

    /// Whether contact `c` holds role `r` directly or through its account (S3).
    fn has_role(&self, t: &Tenant, c: RowId, r: RoleId) -> bool {
        self.members_by_role.binary_search(&(r, c)).is_ok()
            || t.account_of(c).is_some_and(|a| self.accounts_by_role.binary_search(&(r, a)).is_ok())
    }

    /// Whether `n` is a candidate for visitor `v`: active, in a tree `v` holds (S3 to S8).
    pub fn holds(&self, t: &Tenant, v: Visitor, n: PermId) -> bool {
        let n = n as usize;
        match v {
            Visitor::Anonymous => self.cand_anon[n],
            Visitor::Contact(c) => self.cand_all[n] || self.cand_role[n].iter().any(|&r| self.has_role(t, c, r)),
        }
    }

    /// The candidate permissions that let `v` do `p` (not create) to row `x`,
    /// sorted by permission id string (S16). Empty when denied.
    pub fn can(&self, t: &Tenant, v: Visitor, p: Privilege, x: RowId) -> Vec<PermId> {
        let table = t.table_of(x);
        let mut via: Vec<PermId> = Vec::new();
        for &n in &self.perms_by_table[table as usize] {
            if !t.permissions[n as usize].privileges.has(p) {
                continue;
            }
            let global = self.in_all[n as usize] || self.g_by_row.binary_search(&(x, n)).is_ok();
            let ok = (global && self.holds(t, v, n))
                || match v {
                    Visitor::Anonymous => false,
                    Visitor::Contact(c) => {
                        self.c_by_row.binary_search(&(x, c, n)).is_ok()
                            || t.account_of(c).is_some_and(|a| self.a_by_row.binary_search(&(x, a, n)).is_ok())
                    }
                };
            if ok {
                via.push(n);
            }
        }
        sort_perms(t, &mut via);
        via
    }

    /// The candidate permissions that let `v` create in `table` (S17), sorted.
    pub fn can_create(&self, t: &Tenant, v: Visitor, table: TableId) -> Vec<PermId> {
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
            out.extend(range(&self.members_by_role, r, |e| e.0).iter().map(|e| e.1));
            for &(_, a) in range(&self.accounts_by_role, r, |e| e.0) {
                out.extend(range(&self.contacts_by_account, a, |e| e.0).iter().map(|e| e.1));
            }
        }
        false
    }

    /// Who may do `p` (not create) to row `x`: (anonymous may, contacts who may).
    /// Contacts come back sorted by id string and without duplicates.
    pub fn who(&self, t: &Tenant, p: Privilege, x: RowId) -> (bool, Vec<RowId>) {
        let table = t.table_of(x);
        let mut anonymous = false;
        let mut everyone = false;
        let mut out: Vec<RowId> = Vec::new();
        for &n in &self.perms_by_table[table as usize] {
            if !t.permissions[n as usize].privileges.has(p) {
                continue;
            }
            if self.in_all[n as usize] || self.g_by_row.binary_search(&(x, n)).is_ok() {
                anonymous |= self.cand_anon[n as usize];
                if !everyone {
                    everyone |= self.holders(n, &mut out);
                }
            }
        }
        if !everyone {
            for &(_, c, n) in range(&self.c_by_row, x, |e| e.0) {
                if t.permissions[n as usize].privileges.has(p) {
                    out.push(c);
                }
            }
            for &(_, a, n) in range(&self.a_by_row, x, |e| e.0) {
                if t.permissions[n as usize].privileges.has(p) {
                    out.extend(range(&self.contacts_by_account, a, |e| e.0).iter().map(|e| e.1));
                }
            }
        } else {
            out = t.contacts().collect();
        }
        sort_rows(t, &mut out);
        (anonymous, out)
    }

    /// Who may create in `table`: (anonymous may, contacts who may), sorted.
    pub fn who_create(&self, t: &Tenant, table: TableId) -> (bool, Vec<RowId>) {
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
            for &(_, x, n) in range(&self.c_by_contact, c, |e| e.0) {
                if ok(n) {
                    out.push(x);
                }
            }
            if let Some(a) = t.account_of(c) {
                for &(_, x, n) in range(&self.a_by_account, a, |e| e.0) {
                    if ok(n) {
                        out.push(x);
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        sort_rows(t, &mut out);
        out
    }

    /// The tables `v` may create in, sorted by name (S17).
    pub fn what_create(&self, t: &Tenant, v: Visitor, table: Option<TableId>) -> Vec<TableId> {
        let d = &self.derived;
        let mut out: Vec<TableId> = match v {
            Visitor::Anonymous => d.create_anon.clone(),
            Visitor::Contact(c) => {
                let mut o = d.create_all.clone();
                o.extend(d.create_role.iter().filter(|(r, _)| self.has_role(t, c, *r)).map(|(_, tt)| *tt));
                o
            }
        };
        if let Some(tt) = table {
            out.retain(|x| *x == tt);
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
            + d.create_anon.len()
            + d.create_all.len()
            + d.create_role.len()
    }
}

/// Sorts permission ids by their id strings.
pub fn sort_perms(t: &Tenant, v: &mut [PermId]) {
    v.sort_by(|a, b| t.permissions[*a as usize].id.cmp(&t.permissions[*b as usize].id));
}

/// Sorts rows by their printed form: `TABLE:ID` when tables differ, else ID.
pub fn sort_rows(t: &Tenant, v: &mut Vec<RowId>) {
    v.sort_unstable();
    v.dedup();
    let mixed = v.first().is_some_and(|&f| {
        let tf = t.table_of(f);
        v.iter().any(|&x| t.table_of(x) != tf)
    });
    if mixed {
        v.sort_by_cached_key(|&x| t.row_ref(x));
    } else {
        v.sort_by(|a, b| t.row_name(*a).cmp(t.row_name(*b)));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::by_row;

    /// `by_row` over input sorted on the other fields equals a full sort,
    /// with either strategy.
    #[test]
    fn by_row_equals_a_full_sort() {
        let mut seed = 1u64;
        let mut next = |n: u32| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) % u64::from(n)) as u32
        };
        for (len, rows) in [(0, 10), (5, 1000), (500, 100), (2000, 300)] {
            let mut v: Vec<(u32, u32, u32)> = (0..len).map(|_| (next(50), next(rows as u32), next(7))).collect();
            v.sort_unstable();
            v.dedup();
            // (other, row, perm) sorted; re-keyed as (row, other, perm).
            let keyed: Vec<(u32, u32, u32)> = v.iter().map(|&(c, x, n)| (x, c, n)).collect();
            let mut want = keyed.clone();
            want.sort_unstable();
            assert_eq!(by_row(keyed, rows, |e| e.0), want);
        }
    }
}
