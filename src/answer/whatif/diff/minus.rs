//! One direction of a diff: the grants of one side missing from the
//! other, permission by permission. A child of `diff` so that it reads the
//! sides' indexes directly.

use super::*;

/// Candidate (visitor, row) pairs: single pairs, and blocks of every
/// contact of one list with every row of another (holders × Global rows),
/// which are checked row by row first.
#[derive(Default)]
pub(super) struct Pairs {
    pub(super) one: Vec<(Visitor, RowId)>,
    pub(super) blocks: Vec<(Vec<RowId>, Vec<RowId>)>,
}

/// One direction of the diff: grants of `x` missing from `y`.
pub(super) struct Dir<'a> {
    pub(super) x: Side<'a>,
    pub(super) y: Side<'a>,
    pub(super) row: &'a RowMap,
    pub(super) perm: &'a [Option<PermId>],
    pub(super) table: &'a [Option<TableId>],
    /// Contacts (x ids) whose account in `y` is not their account in `x`, by x account.
    pub(super) left: &'a HashMap<RowId, Vec<RowId>>,
    /// Sort keys of `x`'s grants.
    pub(super) keys: &'a Keys<'a>,
    /// Of the privileges `mask` of a candidate grant of `x` to a visitor on
    /// a target (`x` ids), those some other grant covers: not part of the answer.
    pub(super) covered: &'a dyn Fn(Visitor, u8, Target) -> u8,
    /// Of the privileges `mask` on a row (`x` id), those some other grant
    /// covers for every signed-in contact.
    pub(super) covered_all: &'a dyn Fn(u8, RowId) -> u8,
}

impl Dir<'_> {
    /// Every (visitor, row) pair permission `n` of `x` admits.
    pub(super) fn expand(&self, n: PermId, out: &mut Pairs) {
        let x = &self.x;
        let glob = x.glob(n);
        if !glob.is_empty() {
            if x.anon(n) {
                out.one.extend(glob.rows().map(|r| (Visitor::Anonymous, r)));
            }
            out.blocks.push((x.holders(n).iter().collect(), glob.rows().collect()));
        }
        out.one.extend(x.cg(n).iter().map(|&(_, c, r)| (Visitor::Contact(c), r)));
        for &(_, a, r) in x.ag(n) {
            out.one.extend(x.account_contacts(a).map(|c| (Visitor::Contact(c), r)));
        }
    }

    /// Rows of `gx` (x ids) that `gy` (y ids) lacks.
    fn glob_minus(&self, gx: &Glob, gy: &Glob) -> Vec<RowId> {
        if let (Glob::All(_), Glob::All(_), RowMap::Identity) = (gx, gy, self.row) {
            return Vec::new();
        }
        gx.rows().filter(|&r| self.row.get(r).is_none_or(|ry| !gy.contains(ry))).collect()
    }

    /// Whether `nx` of `x` and `ny` of `y` have the same holders: the same
    /// rows, memberships and candidate roles (S3 to S8).
    fn same_holders(&self, nx: PermId, ny: PermId) -> bool {
        let (x, y) = (&self.x, &self.y);
        fn roles<'s>(s: &Side<'s>, n: PermId) -> Vec<&'s str> {
            let r = &s.g.derived.cand_role[s.ix.roles[n as usize].clone()];
            r.iter().map(|&(_, r)| s.t.roles[r as usize].id.as_str()).collect()
        }
        matches!(self.row, RowMap::Identity)
            && Arc::ptr_eq(x.g.members(), y.g.members())
            && x.all(nx) == y.all(ny)
            && roles(x, nx) == roles(y, ny)
    }

    /// Contacts of `hx` (x ids) that `hy` (y ids) lacks.
    fn holders_minus(&self, hx: &Holders, hy: &Holders) -> Vec<RowId> {
        match (hy, self.row) {
            (Holders::All(_), RowMap::Identity) => Vec::new(),
            // Both ascending on the same ids: one merge.
            (Holders::Some(ys), RowMap::Identity) => {
                let mut j = 0;
                hx.iter()
                    .filter(|&c| {
                        while ys.get(j).is_some_and(|&y| y < c) {
                            j += 1;
                        }
                        ys.get(j) != Some(&c)
                    })
                    .collect()
            }
            _ => hx.iter().filter(|&c| self.row.get(c).is_none_or(|cy| !hy.contains(cy))).collect(),
        }
    }

    /// For each `(nx, key, row)` of `xs`, whether `ys` (sorted, all of
    /// permission `ny`) holds the same key and row. Merged in one pass
    /// when row ids coincide; looked up one by one otherwise.
    fn kept(&self, xs: &[(u32, u32, u32)], ys: &[(u32, u32, u32)], ny: PermId) -> Vec<bool> {
        if matches!(self.row, RowMap::Identity) && xs.is_sorted_by_key(|e| (e.1, e.2)) {
            let mut j = 0;
            return xs
                .iter()
                .map(|&(_, k, r)| {
                    while ys.get(j).is_some_and(|e| (e.1, e.2) < (k, r)) {
                        j += 1;
                    }
                    ys.get(j).is_some_and(|e| (e.1, e.2) == (k, r))
                })
                .collect();
        }
        xs.iter()
            .map(|&(_, k, r)| match (self.row.get(k), self.row.get(r)) {
                (Some(ky), Some(ry)) => ys.binary_search(&(ny, ky, ry)).is_ok(),
                _ => false,
            })
            .collect()
    }

    /// A superset of the (visitor, row) pairs `nx` admits in `x` and `ny` does not in `y`.
    fn pairs_minus(&self, nx: PermId, ny: PermId, pairs: &mut Pairs) {
        let (x, y) = (&self.x, &self.y);
        // One derivation for both sides (only privileges changed): the same
        // permission admits the same pairs.
        if nx == ny && std::ptr::eq(x.g, y.g) && matches!(self.row, RowMap::Identity) {
            return;
        }
        let (gx, gy) = (x.glob(nx), y.glob(ny));
        let grows = self.glob_minus(&gx, &gy);
        let out = &mut pairs.one;
        if x.anon(nx) {
            if y.anon(ny) {
                out.extend(grows.iter().map(|&r| (Visitor::Anonymous, r)));
            } else {
                out.extend(gx.rows().map(|r| (Visitor::Anonymous, r)));
            }
        }
        let same = self.same_holders(nx, ny);
        if !gx.is_empty() && (!same || !grows.is_empty()) {
            let hx = x.holders(nx);
            if !same {
                pairs.blocks.push((self.holders_minus(&hx, &y.holders(ny)), gx.rows().collect()));
            }
            if !grows.is_empty() {
                pairs.blocks.push((hx.iter().collect(), grows));
            }
        }
        let cgx = x.cg(nx);
        for (&(_, c, r), kept) in cgx.iter().zip(self.kept(&cgx, &y.cg(ny), ny)) {
            if !kept {
                out.push((Visitor::Contact(c), r));
            }
        }
        let agx = x.ag(nx);
        for (&(_, a, r), kept) in agx.iter().zip(self.kept(agx, y.ag(ny), ny)) {
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
    pub(super) fn perm_minus(&self, nx: PermId, out: &mut Vec<u128>) {
        let k = self.keys;
        let (x, y) = (&self.x, &self.y);
        let px = &x.t.permissions[nx as usize];
        let tx = px.table;
        let ny = self.perm[nx as usize]
            .filter(|&m| self.table.get(tx as usize).copied().flatten() == Some(y.t.permissions[m as usize].table));
        let py = ny.map(|m| y.t.permissions[m as usize].privileges.0).unwrap_or(0);
        let create = Privilege::Create.bit();
        let rows_x = px.privileges.0 & !create;
        let whole = rows_x & !py;
        let part = rows_x & py;
        // Every privilege of `mask` on the target, less those covered otherwise.
        let mut emit = |v: Visitor, mask: u8, target: Target| {
            let left = mask & !(self.covered)(v, mask, target);
            for p in Privilege::ALL.into_iter().filter(|p| left & p.bit() != 0) {
                out.push(k.key((v, p, target)));
            }
        };
        // Blocks row by row: privileges every contact has there otherwise
        // are left out for the whole block.
        let mut emit_pairs = |pairs: Pairs, mask: u8| {
            for (v, r) in pairs.one {
                emit(v, mask, Target::Row(r));
            }
            for (contacts, rows) in pairs.blocks.iter().filter(|b| !b.0.is_empty()) {
                for &r in rows {
                    let left = mask & !(self.covered_all)(mask, r);
                    if left != 0 {
                        for &c in contacts {
                            emit(Visitor::Contact(c), left, Target::Row(r));
                        }
                    }
                }
            }
        };
        if whole != 0 {
            let mut pairs = Pairs::default();
            self.expand(nx, &mut pairs);
            emit_pairs(pairs, whole);
        }
        if let (Some(m), true) = (ny, part != 0) {
            let mut pairs = Pairs::default();
            self.pairs_minus(nx, m, &mut pairs);
            emit_pairs(pairs, part);
        }
        if px.privileges.0 & create != 0 {
            let table = Target::Table(tx);
            match ny.filter(|_| py & create != 0) {
                None => {
                    if x.anon(nx) {
                        emit(Visitor::Anonymous, create, table);
                    }
                    for c in x.holders(nx).iter() {
                        emit(Visitor::Contact(c), create, table);
                    }
                }
                Some(m) => {
                    if x.anon(nx) && !y.anon(m) {
                        emit(Visitor::Anonymous, create, table);
                    }
                    if !self.same_holders(nx, m) {
                        for c in self.holders_minus(&x.holders(nx), &y.holders(m)) {
                            emit(Visitor::Contact(c), create, table);
                        }
                    }
                }
            }
        }
    }
}
