//! The access rules propagated by hand in plain Rust: no Datalog, no plan.
//!
//! It is the practical lower bound the benchmarks hold the derivation to,
//! and a second implementation the tests compare with the rules: it walks
//! each relationship's links once per permission step (instead of
//! building adjacencies as [`crate::fast`] does), keeps admitted sets and
//! role holders as arrays over row ids, and sorts each result once. It
//! returns exactly the relations of [`portal_access_rules::derive`].

use crate::model::{PermId, RelKind, RowId, Scope, Tenant};
use portal_access_rules::Derived;

/// Rows a permission admits.
enum Set {
    /// Nothing.
    Empty,
    /// Every row of its table (S9).
    All,
    /// Rows for every visitor, sorted.
    Global(Vec<RowId>),
    /// `(contact, row)`, sorted.
    Contact(Vec<(RowId, RowId)>),
    /// `(account, row)`, sorted.
    Account(Vec<(RowId, RowId)>),
}

/// How a relationship joins a permission's table `own` to table `other`
/// (S20 to S22): `(forward, backward)`, where forward means `own` rows are
/// the `from` side of the links and backward the `to` side.
fn walks(t: &Tenant, rel: u32, own: u32, other: u32) -> (bool, bool) {
    match &t.relationships[rel as usize].kind {
        RelKind::OneToMany { referencing, referenced, .. } => {
            // S21 a self-referential relationship is walked forward only.
            (*referencing == own && *referenced == other, *referenced == own && *referencing == other && referencing != referenced)
        }
        RelKind::ManyToMany { tables: [a, b] } => (*a == own && *b == other, *b == own && *a == other),
    }
}

fn sort_dedup<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort_unstable();
    v.dedup();
    v
}

/// The links of one relationship, sorted by (from, to).
fn links_of(t: &Tenant, rel: u32) -> &[(u32, RowId, RowId)] {
    let lo = t.links.partition_point(|l| l.0 < rel);
    let hi = t.links.partition_point(|l| l.0 <= rel);
    &t.links[lo..hi]
}

/// `(key, row)` packed into one integer, so pairs sort as integers.
fn pack(k: RowId, x: RowId) -> u64 {
    (u64::from(k) << 32) | u64::from(x)
}

/// Sorted, deduplicated pairs from packed integers.
fn unpack(mut v: Vec<u64>) -> Vec<(RowId, RowId)> {
    v.sort_unstable();
    v.dedup();
    v.into_iter().map(|p| ((p >> 32) as RowId, p as RowId)).collect()
}

/// S10 / S11: `(anchor, row)` pairs of the rows related to each anchor row.
fn anchored(t: &Tenant, rel: u32, (fwd, bwd): (bool, bool)) -> Vec<(RowId, RowId)> {
    let mut out = Vec::new();
    for &(_, from, to) in links_of(t, rel) {
        if fwd {
            out.push(pack(to, from));
        }
        if bwd {
            out.push(pack(from, to));
        }
    }
    unpack(out)
}

/// S13 one step of a Parent chain, over the relationship's links once:
/// `hit(y, x)` for each link relating parent-side row `y` to child-side row `x`.
fn step(t: &Tenant, rel: u32, (fwd, bwd): (bool, bool), mut hit: impl FnMut(RowId, RowId)) {
    for &(_, from, to) in links_of(t, rel) {
        if fwd {
            hit(to, from);
        }
        if bwd {
            hit(from, to);
        }
    }
}

/// A set of rows as bits over every row id.
struct Bits(Vec<u64>);
impl Bits {
    fn new(t: &Tenant) -> Bits {
        Bits(vec![0; (t.row_count() as usize).div_ceil(64)])
    }
    fn set(&mut self, x: RowId) {
        self.0[x as usize / 64] |= 1 << (x % 64);
    }
    fn has(&self, x: RowId) -> bool {
        self.0[x as usize / 64] & (1 << (x % 64)) != 0
    }
}

/// Derives the relations of the row-level rules for `t` by hand.
pub fn derive(t: &Tenant) -> Derived {
    let np = t.permissions.len();
    let perm = |n: usize| &t.permissions[n];
    let mut d = Derived::default();

    // S5 trees, S7 inactive.
    let live: Vec<bool> = (0..np).map(|n| t.live(n as PermId)).collect();
    let root: Vec<PermId> = (0..np).map(|n| t.root_of(n as PermId)).collect();

    // S3, S4 roles; S6 roles come from the root; S8 every live node counts.
    for n in 0..np {
        if !live[n] {
            continue;
        }
        for &r in &perm(root[n] as usize).roles {
            let role = &t.roles[r as usize];
            if !role.active {
                continue;
            }
            if role.anonymous {
                d.cand_anon.push(n as u32);
            } else if role.authenticated {
                d.cand_all.push(n as u32);
            } else {
                d.cand_role.push((n as u32, r));
            }
        }
    }
    d.cand_anon = sort_dedup(d.cand_anon);
    d.cand_all = sort_dedup(d.cand_all);
    d.cand_role = sort_dedup(d.cand_role);

    // S17 create is table-level.
    let creates = |n: u32| perm(n as usize).privileges.has(crate::model::Privilege::Create);
    d.create_anon = sort_dedup(d.cand_anon.iter().filter(|&&n| creates(n)).map(|&n| perm(n as usize).table).collect());
    d.create_all = sort_dedup(d.cand_all.iter().filter(|&&n| creates(n)).map(|&n| perm(n as usize).table).collect());
    d.create_role =
        sort_dedup(d.cand_role.iter().filter(|(n, _)| creates(*n)).map(|&(n, r)| (r, perm(n as usize).table)).collect());

    // Row scopes, parents before children (a parent has fewer ancestors).
    let depth = |n: usize| {
        let mut k = 0;
        let mut cur = perm(n).parent;
        while let Some(m) = cur {
            k += 1;
            cur = perm(m as usize).parent;
        }
        k
    };
    let mut order: Vec<usize> = (0..np).collect();
    order.sort_by_key(|&n| depth(n));
    let mut sets: Vec<Set> = (0..np).map(|_| Set::Empty).collect();
    for n in order {
        let p = perm(n);
        if !live[n] {
            continue;
        }
        let rel = p.scope_relationship().and_then(|r| r.id);
        let set = match (p.scope, rel) {
            // S9 Global.
            (Scope::Global, _) => Set::All,
            // S12 Self, only on `contact`.
            (Scope::SelfScope, _) if p.table == t.contact_table => Set::Contact(t.contacts().map(|c| (c, c)).collect()),
            // S10 Contact.
            (Scope::Contact, Some(rel)) => Set::Contact(anchored(t, rel, walks(t, rel, p.table, t.contact_table))),
            // S11 Account.
            (Scope::Account, Some(rel)) => Set::Account(anchored(t, rel, walks(t, rel, p.table, t.account_table))),
            // S13 Parent.
            (Scope::Parent, Some(rel)) => match p.parent {
                Some(m) => {
                    let w = walks(t, rel, p.table, perm(m as usize).table);
                    match &sets[m as usize] {
                        Set::Empty => Set::Empty,
                        Set::All => {
                            let mut out = Vec::new();
                            step(t, rel, w, |_, x| out.push(x));
                            Set::Global(sort_dedup(out))
                        }
                        Set::Global(ys) => {
                            let mut admitted = Bits::new(t);
                            for &y in ys {
                                admitted.set(y);
                            }
                            let mut out = Vec::new();
                            step(t, rel, w, |y, x| {
                                if admitted.has(y) {
                                    out.push(x);
                                }
                            });
                            Set::Global(sort_dedup(out))
                        }
                        Set::Contact(src) | Set::Account(src) => {
                            // The parent's keys by row: counts, then offsets, then keys.
                            let rows = t.row_count() as usize;
                            let mut start = vec![0u32; rows + 1];
                            for &(_, y) in src {
                                start[y as usize + 1] += 1;
                            }
                            for i in 0..rows {
                                start[i + 1] += start[i];
                            }
                            let mut keys = vec![0; src.len()];
                            let mut fill = start.clone();
                            for &(k, y) in src {
                                keys[fill[y as usize] as usize] = k;
                                fill[y as usize] += 1;
                            }
                            let mut out = Vec::new();
                            step(t, rel, w, |y, x| {
                                for &k in &keys[start[y as usize] as usize..start[y as usize + 1] as usize] {
                                    out.push(pack(k, x));
                                }
                            });
                            let out = unpack(out);
                            if matches!(sets[m as usize], Set::Contact(_)) {
                                Set::Contact(out)
                            } else {
                                Set::Account(out)
                            }
                        }
                    }
                }
                None => Set::Empty,
            },
            // S14 Custom, Self off `contact`, unresolved relationships.
            _ => Set::Empty,
        };
        sets[n] = set;
    }

    // S16 grants, visitor side as coarse as the rules keep it.
    for (n, set) in sets.into_iter().enumerate() {
        let n32 = n as u32;
        let all = d.cand_all.binary_search(&n32).is_ok();
        let lo = d.cand_role.partition_point(|e| e.0 < n32);
        let roles: Vec<u32> = d.cand_role[lo..].iter().take_while(|e| e.0 == n32).map(|e| e.1).collect();
        // S3: direct members of n's roles, accounts holding them, and the
        // contacts of those accounts.
        let (mut direct, mut accounts, mut holders) = (Bits(Vec::new()), Bits(Vec::new()), Bits(Vec::new()));
        if matches!(set, Set::Contact(_) | Set::Account(_)) {
            (direct, accounts, holders) = (Bits::new(t), Bits::new(t), Bits::new(t));
            for &(c, r) in &t.contact_members {
                if roles.contains(&r) {
                    direct.set(c);
                    holders.set(c);
                }
            }
            for &(a, r) in &t.account_members {
                if roles.contains(&r) {
                    accounts.set(a);
                }
            }
            for &(c, a) in t.contact_account.iter() {
                if accounts.has(a) {
                    holders.set(c);
                }
            }
        }
        match set {
            Set::Empty => {}
            Set::All => d.in_all.push(n32),
            Set::Global(v) => d.in_g.extend(v.into_iter().map(|x| (n32, x))),
            Set::Contact(v) => {
                for &(c, x) in &v {
                    d.in_c.push((n32, c, x));
                    if all || holders.has(c) {
                        d.contact_grant.push((n32, c, x));
                    }
                }
            }
            Set::Account(v) => {
                // Accounts some direct member of n's roles belongs to.
                let mut with_member = Bits::new(t);
                for &(c, a) in t.contact_account.iter() {
                    if direct.has(c) {
                        with_member.set(a);
                    }
                }
                for &(a, x) in &v {
                    d.in_a.push((n32, a, x));
                    if all || accounts.has(a) {
                        d.account_grant.push((n32, a, x));
                    }
                    if with_member.has(a) {
                        d.account_member_grant.push((n32, a, x));
                    }
                }
            }
        }
    }
    d
}
