//! PP009: tables whose rows reference the rows a permission admits, with
//! no child permission to reach them.

use super::context::{ids, plural, Anchor, Cx};
use super::findings::Finding;
use crate::model::{PermId, Privilege, RelKind, RowId, Scope, TableId};
use std::collections::{BTreeMap, BTreeSet};

impl Cx<'_> {
    /// PP009: tables whose rows reference rows `n` admits, with no child
    /// permission for them in `n`'s tree and no other permission giving the
    /// same roles read on them.
    pub(super) fn related_without_child(&self, n: PermId, out: &mut Vec<Finding>) {
        let t = self.t;
        let p = &t.permissions[n as usize];
        let held = self.cand_anon[n as usize] || self.cand_all[n as usize] || !self.cand_role[n as usize].is_empty();
        if !p.privileges.has(Privilege::Read) || !held || self.anchor(n) == Anchor::Nothing {
            return;
        }
        let below: BTreeSet<TableId> = self.descendants(n).iter().map(|&c| t.permissions[c as usize].table).collect();
        let roles = self.root_roles(n);
        let mut by_table: BTreeMap<&str, (TableId, Vec<&str>, usize)> = BTreeMap::new();
        for (r, rel) in t.relationships.iter().enumerate() {
            let RelKind::OneToMany { referencing, referenced, .. } = rel.kind else { continue };
            if referenced != p.table
                || referencing == p.table
                || referencing == t.contact_table
                || referencing == t.account_table
                || below.contains(&referencing)
            {
                continue;
            }
            let linked = if self.has_rows {
                let rows = &t.tables[p.table as usize];
                let r = r as u32;
                let lo = t.links.partition_point(|e| e.0 < r);
                let hi = t.links.partition_point(|e| e.0 <= r);
                let set: BTreeSet<RowId> =
                    t.links[lo..hi].iter().filter(|e| rows.rows().contains(&e.2)).map(|e| e.1).collect();
                if set.is_empty() {
                    continue;
                }
                set.len()
            } else {
                0
            };
            let e = by_table.entry(self.table(referencing)).or_insert((referencing, Vec::new(), 0));
            e.1.push(&rel.name);
            e.2 += linked;
        }
        for (name, (x, rels, linked)) in by_table {
            let readers: Vec<PermId> = (0..t.permissions.len() as PermId)
                .filter(|&m| {
                    let q = &t.permissions[m as usize];
                    q.table == x && q.privileges.has(Privilege::Read) && self.live(m)
                })
                .collect();
            // Skip tables secured in their own right (a scope other than Parent),
            // tables the same roles read through another tree, and, without data,
            // tables the site never secures (nothing says the site uses them).
            let own = readers.iter().any(|&m| t.permissions[m as usize].scope != Scope::Parent);
            let shared = readers.iter().any(|&m| self.root_roles(m).iter().any(|r| roles.contains(r)));
            if own || shared || (!self.has_rows && readers.is_empty()) {
                continue;
            }
            let count = if self.has_rows { format!("{} here, ", plural(linked, "row", "rows")) } else { String::new() };
            out.push(self.finding(
                "PP009",
                n,
                format!(
                    "`{name}` rows reference `{}` rows ({count}through {}), but the tree of `{}`, which admits `{}` rows, has no child permission for `{name}`: visitors holding it cannot see those related records",
                    self.table(p.table),
                    ids(rels.iter().copied()),
                    self.label(p),
                    self.table(p.table)
                ),
            ));
        }
    }
}
