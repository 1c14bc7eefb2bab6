//! The walker's explanations: the path by which a visitor gets a
//! privilege, or the nearest miss (`why`, `why-not`). A child of `walk` so
//! that it reads the walker's graph directly.

use super::*;

impl Walker<'_> {
    /// Why `v` may or may not do `p` (not create) to row `x`: one path per
    /// granting candidate (the same candidates as [`Walker::can`]), or the
    /// nearest miss. Among several roles that hold a tree the path names the
    /// best held (direct membership, then account, then authenticated, then
    /// anonymous; then by role id); among several chains of rows, the one
    /// through the lowest row ids.
    pub fn explain(&self, v: Visitor, p: Privilege, x: RowId) -> Explanation {
        let cands = self.candidates(v, self.t.table_of(x));
        let mut failed = HashSet::new();
        let mut paths = Vec::new();
        let mut in_scope = Vec::new();
        for &(n, r, via) in &cands {
            if let Some(steps) = self.admit(n, x, v, &mut failed) {
                if self.has(n, p) {
                    let mut s = vec![Step::Role { role: r, via }];
                    s.extend(steps);
                    paths.push(Path { perm: n, steps: s });
                } else {
                    in_scope.push(n);
                }
            }
        }
        if !paths.is_empty() {
            return Explanation { paths, miss: None };
        }
        let miss = if cands.is_empty() {
            Miss::NoTree(self.tree_misses(v, self.t.table_of(x)))
        } else if !in_scope.is_empty() {
            Miss::NoPrivilege { in_scope }
        } else {
            let n = cands.iter().find(|c| self.has(c.0, p)).unwrap_or(&cands[0]).0;
            match self.why_not(n, x, v) {
                Some(why) => Miss::NotInScope { perm: n, why },
                // Unreachable: `n` admits nothing here, so there is a break.
                None => Miss::NoPrivilege { in_scope: vec![n] },
            }
        };
        Explanation { paths, miss: Some(miss) }
    }

    /// Why `v` may or may not create in `table` (S17).
    pub fn explain_create(&self, v: Visitor, table: TableId) -> Explanation {
        let cands = self.candidates(v, table);
        let mut paths = Vec::new();
        for &(n, r, via) in &cands {
            if self.has(n, Privilege::Create) {
                let mut s = vec![Step::Role { role: r, via }];
                s.extend(self.ancestors_steps(n));
                s.push(Step::Permission(n));
                paths.push(Path { perm: n, steps: s });
            }
        }
        if !paths.is_empty() {
            return Explanation { paths, miss: None };
        }
        let miss = if cands.is_empty() {
            Miss::NoTree(self.tree_misses(v, table))
        } else {
            Miss::NoPrivilege { in_scope: cands.iter().map(|c| c.0).collect() }
        };
        Explanation { paths, miss: Some(miss) }
    }

    /// Why each permission on `table` is not a candidate for `v`, sorted by id string.
    fn tree_misses(&self, v: Visitor, table: TableId) -> Vec<TreeMiss> {
        let held: Vec<RoleId> = self.roles_of(v).into_iter().map(|(r, _)| r).collect();
        let mut perms: Vec<PermId> = self.by_table.get(table as usize).cloned().unwrap_or_default();
        perms.sort_by(|a, b| self.perm_name(*a).cmp(self.perm_name(*b)));
        perms
            .into_iter()
            .map(|n| {
                let chain = self.chain(n);
                let root = chain[chain.len() - 1];
                match self.inactive_at(n) {
                    Some(at) => TreeMiss::Inactive {
                        perm: n,
                        at,
                        held: self.t.permissions[root as usize].roles.iter().any(|r| held.contains(r)),
                    },
                    None => {
                        let mut ignored: Vec<RoleId> = chain[..chain.len() - 1]
                            .iter()
                            .flat_map(|&m| self.t.permissions[m as usize].roles.iter().copied())
                            .filter(|r| held.contains(r))
                            .collect();
                        ignored.sort_unstable();
                        ignored.dedup();
                        TreeMiss::NotHeld {
                            perm: n,
                            root,
                            roles: self.t.permissions[root as usize].roles.clone(),
                            ignored,
                        }
                    }
                }
            })
            .collect()
    }

    /// Where the chain of candidate `n` stops short of row `x` for `v`;
    /// `None` when `n` admits `x`.
    fn why_not(&self, n: PermId, x: RowId, v: Visitor) -> Option<Break> {
        let t = self.t;
        let p = &t.permissions[n as usize];
        let rel_or = |r: &Option<RelRef>, other: TableId| -> Result<RelId, Break> {
            let Some(rr) = r else { return Err(Break::UnknownRel { perm: n, name: String::new() }) };
            let Some(rel) = rr.id else { return Err(Break::UnknownRel { perm: n, name: rr.name.clone() }) };
            let (f, b) = self.directions(rel, p.table, other);
            if f || b {
                Ok(rel)
            } else {
                Err(Break::NotJoined { perm: n, rel, own: p.table, other })
            }
        };
        match p.scope {
            Scope::Global => None,
            Scope::Custom => Some(Break::Custom { perm: n }),
            Scope::Contact => {
                let Visitor::Contact(c) = v else { return Some(Break::Anonymous { perm: n }) };
                let rel = match rel_or(&p.contact_relationship, t.contact_table) {
                    Ok(r) => r,
                    Err(b) => return Some(b),
                };
                let related = self.related(rel, p.table, t.contact_table, x);
                (!related.contains(&c)).then_some(Break::NotRelated { perm: n, row: x, rel, anchor: c, related })
            }
            Scope::Account => {
                let Visitor::Contact(c) = v else { return Some(Break::Anonymous { perm: n }) };
                let Some(a) = self.account_of(c) else { return Some(Break::NoAccount { perm: n }) };
                let rel = match rel_or(&p.account_relationship, t.account_table) {
                    Ok(r) => r,
                    Err(b) => return Some(b),
                };
                let related = self.related(rel, p.table, t.account_table, x);
                (!related.contains(&a)).then_some(Break::NotRelated { perm: n, row: x, rel, anchor: a, related })
            }
            Scope::SelfScope => {
                let Visitor::Contact(c) = v else { return Some(Break::Anonymous { perm: n }) };
                if p.table != t.contact_table {
                    Some(Break::SelfOffContact { perm: n })
                } else {
                    (x != c).then_some(Break::NotSelf { perm: n, row: x })
                }
            }
            Scope::Parent => {
                let m = self.parent(n)?;
                let parent_table = t.permissions[m as usize].table;
                let rel = match rel_or(&p.parent_relationship, parent_table) {
                    Ok(r) => r,
                    Err(b) => return Some(b),
                };
                let ys = self.related(rel, p.table, parent_table, x);
                let Some(&y) = ys.first() else {
                    return Some(Break::NoLink { perm: n, row: x, rel, parent_table });
                };
                let mut failed = HashSet::new();
                if ys.iter().any(|&y| self.admit(m, y, v, &mut failed).is_some()) {
                    return None;
                }
                let inner = self.why_not(m, y, v)?;
                Some(Break::ParentMiss {
                    perm: n,
                    row: x,
                    rel,
                    parent_row: y,
                    others: ys.len() - 1,
                    parent: m,
                    inner: Box::new(inner),
                })
            }
        }
    }
}
