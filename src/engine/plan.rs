//! Fast derivation: Datalog where facts are few, loops where rows are many.
//!
//! The plan rules ([`portal_access_rules::plan`]) settle everything that
//! does not depend on rows: who holds each permission (S3 to S8), creates
//! (S17), and for every live permission the top of its chain (S9 to S12)
//! and the relationship walks down to it (S13, S20 to S22). The rows then
//! flow through the plan, parents before children, over arrays: one
//! compressed adjacency per relationship and direction, built once from
//! [`Tenant::links`], and one sorted set of admitted rows per permission.
//! The result is exactly [`portal_access_rules::derive`] of the same
//! tenant, relation by relation.

use super::facts::{config_facts, Members};
use crate::model::{RowId, Tenant};
use portal_access_rules::plan::{plan, Anchor, Plan};
use portal_access_rules::Derived;
use rayon::prelude::*;
use std::collections::HashMap;

/// Derives the relations of the row-level rules for `t` through the plan.
pub fn derive(t: &Tenant) -> Derived {
    derive_with(t, &Members::new(t))
}

/// [`derive`] with the memberships of `t` already indexed.
pub(crate) fn derive_with(t: &Tenant, members: &Members) -> Derived {
    run(t, &plan(&config_facts(t)), members, None)
}

/// Derives the relations of the permissions flagged in `keep` only, which
/// must be a union of whole trees (S5): the plan of their configuration
/// facts, then their rows. The rules never join two trees, so each kept
/// permission gets exactly the facts [`derive`] gives it, and only the
/// relationships the kept permissions walk are indexed.
pub(crate) fn derive_only(t: &Tenant, keep: &[bool], members: &Members, known: Option<&Known>) -> Derived {
    let k = |n: &u32| keep.get(*n as usize).copied().unwrap_or(false);
    let mut f = config_facts(t);
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
    run(t, &plan(&f), members, known)
}

/// Admitted rows already derived for the same rows and links: `from[n] =
/// Some(m)` says permission `n` admits exactly what permission `m` admits in
/// `base` (same table, scope, relationships and activity, all the way up its
/// chain), so its rows are copied rather than propagated again.
pub(crate) struct Known<'a> {
    /// The other derivation.
    pub(crate) base: &'a Derived,
    /// Per permission, its counterpart in `base`.
    pub(crate) from: Vec<Option<u32>>,
}

impl Known<'_> {
    /// The rows `n` admits, when known: `(depth, anchor)` from the plan.
    fn rows(&self, n: u32, d: u32, a: Anchor) -> Option<Rows> {
        let m = self.from.get(n as usize).copied().flatten()?;
        let b = self.base;
        Some(match (d, a) {
            (0, Anchor::All) => Rows::All,
            (_, Anchor::All) => Rows::Global(of(&b.in_g, m, |e| e.0).iter().map(|e| e.1).collect()),
            (_, Anchor::Contact) => Rows::Keyed(of(&b.in_c, m, |e| e.0).iter().map(|e| (e.1, e.2)).collect()),
            (_, Anchor::Account) => Rows::Keyed(of(&b.in_a, m, |e| e.0).iter().map(|e| (e.1, e.2)).collect()),
        })
    }
}

/// One relationship walked in one direction, as compressed sparse rows:
/// for a key row, the rows on the other side, ascending.
///
/// Forward (`Link(rel, x, y)`, given `y`): keys are the `to` side, values
/// the `from` side. Backward (`Link(rel, y, x)`, given `y`): keys are the
/// `from` side, values the `to` side.
struct Adj {
    base: RowId,
    offsets: Vec<u32>,
    vals: Vec<RowId>,
}

impl Adj {
    fn build(links: &[(u32, RowId, RowId)], forward: bool) -> Adj {
        let key = |l: &(u32, RowId, RowId)| if forward { l.2 } else { l.1 };
        let val = |l: &(u32, RowId, RowId)| if forward { l.1 } else { l.2 };
        let (Some(lo), Some(hi)) = (links.iter().map(key).min(), links.iter().map(key).max()) else {
            return Adj { base: 0, offsets: vec![0], vals: Vec::new() };
        };
        let span = (hi - lo) as usize + 1;
        let mut offsets = vec![0u32; span + 1];
        for l in links {
            offsets[(key(l) - lo) as usize + 1] += 1;
        }
        for i in 0..span {
            offsets[i + 1] += offsets[i];
        }
        let mut fill: Vec<u32> = offsets[..span].to_vec();
        let mut vals = vec![0; links.len()];
        // Links are sorted by (from, to), so each key's values come out ascending.
        for l in links {
            let i = (key(l) - lo) as usize;
            vals[fill[i] as usize] = val(l);
            fill[i] += 1;
        }
        Adj { base: lo, offsets, vals }
    }

    fn get(&self, k: RowId) -> &[RowId] {
        let i = k.wrapping_sub(self.base) as usize;
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.vals[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Every `(key, value)`, sorted.
    fn pairs(&self) -> Vec<(RowId, RowId)> {
        let mut out = Vec::with_capacity(self.vals.len());
        for (i, w) in self.offsets.windows(2).enumerate() {
            let k = self.base + i as u32;
            out.extend(self.vals[w[0] as usize..w[1] as usize].iter().map(|&v| (k, v)));
        }
        out
    }
}

/// The rows one permission admits.
enum Rows {
    /// Nothing (no chain).
    None,
    /// Every row of its table (InAll).
    All,
    /// Rows for every visitor (InG), ascending.
    Global(Vec<RowId>),
    /// `(contact or account, row)` (InC, InA), sorted.
    Keyed(Vec<(RowId, RowId)>),
}

/// Entries of a vector sorted by its first field equal to `n`.
fn of<T: Copy>(v: &[T], n: u32, first: impl Fn(&T) -> u32) -> &[T] {
    let lo = v.partition_point(|e| first(e) < n);
    let hi = v.partition_point(|e| first(e) <= n);
    &v[lo..hi]
}

/// A set of rows of one table, as bits over its id range.
struct Marks {
    base: RowId,
    bits: Vec<u64>,
}

impl Marks {
    fn new(t: &Tenant, table: u32) -> Marks {
        let rows = t.tables[table as usize].rows();
        Marks { base: rows.start, bits: vec![0; (rows.len()).div_ceil(64)] }
    }
    fn mark(&mut self, xs: &[RowId]) {
        for &x in xs {
            let i = x.wrapping_sub(self.base) as usize;
            if let Some(w) = self.bits.get_mut(i / 64) {
                *w |= 1 << (i % 64);
            }
        }
    }
    fn rows(&self) -> Vec<RowId> {
        let mut out = Vec::new();
        for (wi, &w) in self.bits.iter().enumerate() {
            let mut w = w;
            while w != 0 {
                let b = w.trailing_zeros();
                out.push(self.base + (wi as u32) * 64 + b);
                w &= w - 1;
            }
        }
        out
    }
}

/// S13 one Parent step from keyed rows: for each key, the rows related to
/// the rows the parent admits for that key.
fn step_keyed(src: &[(RowId, RowId)], adjs: &[&Adj]) -> Vec<(RowId, RowId)> {
    let mut out = Vec::with_capacity(src.len());
    let mut buf: Vec<RowId> = Vec::new();
    for group in src.chunk_by(|a, b| a.0 == b.0) {
        let k = group[0].0;
        buf.clear();
        for &(_, y) in group {
            for a in adjs {
                buf.extend_from_slice(a.get(y));
            }
        }
        if group.len() > 1 || adjs.len() > 1 {
            buf.sort_unstable();
            buf.dedup();
        }
        out.extend(buf.iter().map(|&x| (k, x)));
    }
    out
}

/// Keys present in `keys` (sorted), kept from sorted `pairs`.
fn keep_keys(pairs: &[(RowId, RowId)], keys: &[RowId]) -> Vec<(RowId, RowId)> {
    let mut out = Vec::new();
    let mut i = 0;
    for &(k, x) in pairs {
        while i < keys.len() && keys[i] < k {
            i += 1;
        }
        if keys.get(i) == Some(&k) {
            out.push((k, x));
        }
    }
    out
}

/// S3 Contacts holding one of `roles` directly or through their account, sorted.
fn holders(m: &Members, roles: &[u32]) -> Vec<RowId> {
    let mut out = Vec::new();
    for &r in roles {
        out.extend(m.of_role(r));
        for a in m.accounts_of_role(r) {
            out.extend(m.of_account(a));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Accounts that are members of one of `roles`, sorted.
fn accounts_of(m: &Members, roles: &[u32]) -> Vec<RowId> {
    let mut out: Vec<RowId> = roles.iter().flat_map(|&r| m.accounts_of_role(r)).collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn run(t: &Tenant, p: &Plan, members: &Members, known: Option<&Known>) -> Derived {
    let np = t.permissions.len();

    // One adjacency per (relationship, direction) the plan walks, built in
    // parallel.
    let is_known = |n: u32| known.is_some_and(|k| k.from.get(n as usize).copied().flatten().is_some());
    let mut wanted: Vec<(u32, bool)> = Vec::new();
    for &(_, n, _) in p.chain.iter().filter(|e| !is_known(e.1)) {
        wanted.extend(of(&p.contact_fwd, n, |e| e.0).iter().map(|e| (e.1, true)));
        wanted.extend(of(&p.contact_bwd, n, |e| e.0).iter().map(|e| (e.1, false)));
        wanted.extend(of(&p.account_fwd, n, |e| e.0).iter().map(|e| (e.1, true)));
        wanted.extend(of(&p.account_bwd, n, |e| e.0).iter().map(|e| (e.1, false)));
        wanted.extend(of(&p.parent_fwd, n, |e| e.0).iter().map(|e| (e.2, true)));
        wanted.extend(of(&p.parent_bwd, n, |e| e.0).iter().map(|e| (e.2, false)));
    }
    wanted.sort_unstable();
    wanted.dedup();
    let adjs: HashMap<(u32, bool), Adj> =
        wanted.into_par_iter().map(|(rel, fwd)| ((rel, fwd), Adj::build(of(&t.links, rel, |l| l.0), fwd))).collect();
    let cx = Walk { t, p, adjs, empty: Adj { base: 0, offsets: vec![0], vals: Vec::new() } };

    // Rows per permission, parents first: the plan's chain is sorted by
    // depth, and the permissions of one depth read only rows of shallower
    // ones, so each depth is derived in parallel.
    let mut rows: Vec<Rows> = (0..np).map(|_| Rows::None).collect();
    let mut anchor: Vec<Option<Anchor>> = vec![None; np];
    for level in p.chain.chunk_by(|a, b| a.0 == b.0) {
        let done: Vec<Option<Rows>> =
            level.par_iter().map(|&(d, n, a)| known.and_then(|k| k.rows(n, d, a)).or_else(|| cx.rows(&rows, d, n, a))).collect();
        for (&(_, n, a), r) in level.iter().zip(done) {
            anchor[n as usize] = Some(a);
            if let Some(r) = r {
                rows[n as usize] = r;
            }
        }
    }

    // Grants (S16): the visitor side kept as coarse as the rules keep it;
    // each permission's in parallel, joined in permission order.
    let parts: Vec<Part> = rows
        .into_par_iter()
        .enumerate()
        .map(|(n, r)| grants_of(t, p, members, n as u32, r, anchor[n]))
        .collect();
    let mut d = Derived {
        cand_anon: p.cand_anon.clone(),
        cand_all: p.cand_all.clone(),
        cand_role: p.cand_role.clone(),
        in_all: p.in_all.clone(),
        create_anon: p.create_anon.clone(),
        create_all: p.create_all.clone(),
        create_role: p.create_role.clone(),
        ..Derived::default()
    };
    let total = |f: fn(&Part) -> usize| parts.iter().map(f).sum::<usize>();
    d.in_g.reserve(total(|x| x.in_g.len()));
    d.in_c.reserve(total(|x| x.in_c.len()));
    d.in_a.reserve(total(|x| x.in_a.len()));
    d.contact_grant.reserve(total(|x| x.contact_grant.len()));
    d.account_grant.reserve(total(|x| x.account_grant.len()));
    d.account_member_grant.reserve(total(|x| x.account_member_grant.len()));
    for x in parts {
        d.in_g.extend(x.in_g);
        d.in_c.extend(x.in_c);
        d.in_a.extend(x.in_a);
        d.contact_grant.extend(x.contact_grant);
        d.account_grant.extend(x.account_grant);
        d.account_member_grant.extend(x.account_member_grant);
    }
    d
}

/// What the rows of a plan are walked over: the tenant, the plan, and one
/// adjacency per (relationship, direction) it walks.
struct Walk<'a> {
    t: &'a Tenant,
    p: &'a Plan,
    adjs: HashMap<(u32, bool), Adj>,
    empty: Adj,
}

impl Walk<'_> {
    fn adj(&self, rel: u32, fwd: bool) -> &Adj {
        self.adjs.get(&(rel, fwd)).unwrap_or(&self.empty)
    }

    /// The rows permission `n` (at depth `d`, anchored at `a`) admits,
    /// from the rows of shallower permissions; `None` when it has no step
    /// down from a parent.
    fn rows(&self, rows: &[Rows], d: u32, n: u32, a: Anchor) -> Option<Rows> {
        let (t, p) = (self.t, self.p);
        if d == 0 {
            return Some(match a {
                // S9 Global.
                Anchor::All => Rows::All,
                // S10 Contact, S12 Self, S11 Account: pairs straight from the links.
                Anchor::Contact | Anchor::Account => {
                    let (fwd, bwd) =
                        if a == Anchor::Contact { (&p.contact_fwd, &p.contact_bwd) } else { (&p.account_fwd, &p.account_bwd) };
                    let mut sources: Vec<Vec<(RowId, RowId)>> = Vec::new();
                    if a == Anchor::Contact && p.in_self.binary_search(&n).is_ok() {
                        sources.push(t.contacts().map(|c| (c, c)).collect());
                    }
                    sources.extend(of(fwd, n, |e| e.0).iter().map(|e| self.adj(e.1, true).pairs()));
                    sources.extend(of(bwd, n, |e| e.0).iter().map(|e| self.adj(e.1, false).pairs()));
                    let v = if sources.len() == 1 {
                        sources.pop().unwrap_or_default()
                    } else {
                        let mut v = sources.concat();
                        v.sort_unstable();
                        v.dedup();
                        v
                    };
                    Rows::Keyed(v)
                }
            });
        }
        // S13 Parent: one step from the parent's rows.
        let steps: Vec<(u32, &Adj)> = of(&p.parent_fwd, n, |e| e.0)
            .iter()
            .map(|e| (e.1, self.adj(e.2, true)))
            .chain(of(&p.parent_bwd, n, |e| e.0).iter().map(|e| (e.1, self.adj(e.2, false))))
            .collect();
        let &(m, _) = steps.first()?;
        let walks: Vec<&Adj> = steps.iter().map(|s| s.1).collect();
        Some(match &rows[m as usize] {
            Rows::None => Rows::None,
            Rows::All => {
                // Under a Global top: rows related to some row of the parent table.
                let mut marks = Marks::new(t, t.permissions[n as usize].table);
                for w in &walks {
                    marks.mark(&w.vals);
                }
                Rows::Global(marks.rows())
            }
            Rows::Global(ys) => {
                let mut marks = Marks::new(t, t.permissions[n as usize].table);
                for w in &walks {
                    for &y in ys {
                        marks.mark(w.get(y));
                    }
                }
                Rows::Global(marks.rows())
            }
            Rows::Keyed(src) => Rows::Keyed(step_keyed(src, &walks)),
        })
    }
}

/// One permission's share of the derived relations.
#[derive(Default)]
struct Part {
    in_g: Vec<(u32, RowId)>,
    in_c: Vec<(u32, RowId, RowId)>,
    in_a: Vec<(u32, RowId, RowId)>,
    contact_grant: Vec<(u32, RowId, RowId)>,
    account_grant: Vec<(u32, RowId, RowId)>,
    account_member_grant: Vec<(u32, RowId, RowId)>,
}

/// The relations permission `n` contributes, from the rows it admits.
fn grants_of(t: &Tenant, p: &Plan, members: &Members, n: u32, r: Rows, anchor: Option<Anchor>) -> Part {
    let mut d = Part::default();
    let all = p.cand_all.binary_search(&n).is_ok();
    let roles: Vec<u32> = of(&p.cand_role, n, |e| e.0).iter().map(|e| e.1).collect();
    match (r, anchor) {
        (Rows::Global(v), _) => d.in_g = v.into_iter().map(|x| (n, x)).collect(),
        (Rows::Keyed(v), Some(Anchor::Contact)) => {
            d.in_c = v.iter().map(|&(c, x)| (n, c, x)).collect();
            // Contact-anchored rows for every contact, or for the holders of a role.
            let granted = if all {
                v
            } else if roles.is_empty() {
                Vec::new()
            } else {
                keep_keys(&v, &holders(members, &roles))
            };
            d.contact_grant = granted.into_iter().map(|(c, x)| (n, c, x)).collect();
        }
        (Rows::Keyed(v), Some(Anchor::Account)) => {
            d.in_a = v.iter().map(|&(a, x)| (n, a, x)).collect();
            // Account-anchored rows for every contact of the account
            // (all contacts hold n, or the account holds a role of n) ...
            if all {
                d.account_grant = v.iter().map(|&(a, x)| (n, a, x)).collect();
            } else if !roles.is_empty() {
                d.account_grant = keep_keys(&v, &accounts_of(members, &roles)).into_iter().map(|(a, x)| (n, a, x)).collect();
            }
            // ... and for the direct members of a role of n, per account:
            // the accounts some direct member belongs to.
            if !roles.is_empty() {
                let mut with_member: Vec<RowId> =
                    roles.iter().flat_map(|&r| members.of_role(r)).filter_map(|c| t.account_of(c)).collect();
                with_member.sort_unstable();
                with_member.dedup();
                d.account_member_grant = keep_keys(&v, &with_member).into_iter().map(|(a, x)| (n, a, x)).collect();
            }
        }
        _ => {}
    }
    d
}
