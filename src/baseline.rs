//! The access rules propagated by hand in plain Rust: no Datalog, no plan.
//!
//! It is the practical lower bound the benchmarks hold the derivation to,
//! and a second implementation the tests compare with the rules: it walks
//! each relationship's links once per permission instead of building
//! adjacencies, and it settles holders and walks with plain loops. It
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

/// S10 / S11: `(anchor, row)` pairs of the rows related to each anchor row.
fn anchored(t: &Tenant, rel: u32, (fwd, bwd): (bool, bool)) -> Vec<(RowId, RowId)> {
    let mut out = Vec::new();
    for &(_, from, to) in links_of(t, rel) {
        if fwd {
            out.push((to, from));
        }
        if bwd {
            out.push((from, to));
        }
    }
    sort_dedup(out)
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
    let mut seen = vec![0u64; (t.row_count() as usize).div_ceil(64)];
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
                            for &y in ys {
                                seen[y as usize / 64] |= 1 << (y % 64);
                            }
                            let mut out = Vec::new();
                            step(t, rel, w, |y, x| {
                                if seen[y as usize / 64] & (1 << (y % 64)) != 0 {
                                    out.push(x);
                                }
                            });
                            for &y in ys {
                                seen[y as usize / 64] = 0;
                            }
                            Set::Global(sort_dedup(out))
                        }
                        Set::Contact(src) | Set::Account(src) => {
                            let mut by_row: Vec<(RowId, RowId)> = src.iter().map(|&(k, y)| (y, k)).collect();
                            by_row.sort_unstable();
                            let mut out = Vec::new();
                            step(t, rel, w, |y, x| {
                                let lo = by_row.partition_point(|e| e.0 < y);
                                for &(_, k) in by_row[lo..].iter().take_while(|e| e.0 == y) {
                                    out.push((k, x));
                                }
                            });
                            let out = sort_dedup(out);
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
    let member = |c: RowId, r: u32| t.contact_members.binary_search(&(c, r)).is_ok();
    let acct_member = |a: RowId, r: u32| t.account_members.binary_search(&(a, r)).is_ok();
    let mut by_account: Vec<(RowId, RowId)> = t.contact_account.iter().map(|&(c, a)| (a, c)).collect();
    by_account.sort_unstable();
    for (n, set) in sets.into_iter().enumerate() {
        let n32 = n as u32;
        let all = d.cand_all.binary_search(&n32).is_ok();
        let lo = d.cand_role.partition_point(|e| e.0 < n32);
        let roles: Vec<u32> = d.cand_role[lo..].iter().take_while(|e| e.0 == n32).map(|e| e.1).collect();
        match set {
            Set::Empty => {}
            Set::All => d.in_all.push(n32),
            Set::Global(v) => d.in_g.extend(v.into_iter().map(|x| (n32, x))),
            Set::Contact(v) => {
                for &(c, x) in &v {
                    d.in_c.push((n32, c, x));
                    let holds = all
                        || roles.iter().any(|&r| member(c, r) || t.account_of(c).is_some_and(|a| acct_member(a, r)));
                    if holds {
                        d.contact_grant.push((n32, c, x));
                    }
                }
            }
            Set::Account(v) => {
                let mut direct = Vec::new();
                for &(a, x) in &v {
                    d.in_a.push((n32, a, x));
                    if all || roles.iter().any(|&r| acct_member(a, r)) {
                        d.account_grant.push((n32, a, x));
                    }
                    let lo = by_account.partition_point(|e| e.0 < a);
                    for &(_, c) in by_account[lo..].iter().take_while(|e| e.0 == a) {
                        if roles.iter().any(|&r| member(c, r)) {
                            direct.push((n32, c, x));
                        }
                    }
                }
                d.contact_grant.extend(sort_dedup(direct));
            }
        }
    }
    d
}
