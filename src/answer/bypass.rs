//! `bypass` (cli.md, finance-operations.md F8): every (visitor, row) a
//! visitor may read straight from the F&O data entity (F7) and not through
//! the portal (F6), sorted, with counts per table. A correctly secured site
//! has none: its XDS policies are at least as narrow as its web roles.

use crate::answer::query::Analysis;
use crate::engine::Visitor;
use crate::error::QueryError;
use crate::model::finance::Op;
use crate::model::{Privilege, RowId, TableId};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

/// One (visitor, row) of some bypass.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct BypassLine {
    /// `anonymous` or a contact id.
    pub visitor: String,
    /// `TABLE:ID`.
    pub row: String,
    /// The F&O user the visitor runs as (F2).
    pub user: String,
}

/// Counts of one table.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct BypassCount {
    /// Visitors with at least one row of the table in their bypass.
    pub visitors: usize,
    /// Distinct rows of the table in some bypass.
    pub rows: usize,
}

/// The `bypass` answer: the lines, then the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BypassAnswer {
    /// Every (visitor, row), sorted by visitor then row.
    pub lines: Vec<BypassLine>,
    /// Per table (sorted by name).
    pub summary: BTreeMap<String, BypassCount>,
}

impl Analysis {
    /// The rows of `v`'s bypass (F8), optionally in one table, sorted.
    pub fn bypass_rows(&self, v: Visitor, table: Option<TableId>) -> Vec<RowId> {
        let (t, g) = (&self.tenant, &self.grants);
        let Some(fo) = g.fo() else { return Vec::new() };
        let Some(u) = fo.user_of(v) else { return Vec::new() };
        let mut out = Vec::new();
        // Table by table among those `u` may read (F3): F7, what `u` reads
        // directly; F6, through the portal that is what web roles grant
        // among those rows (they are visible to `u` for read).
        for tb in fo.user_tables(u, Op::Read).filter(|&tb| table.is_none_or(|o| o == tb)) {
            let direct = fo.visible_rows(t, u, Op::Read, tb);
            if direct.is_empty() {
                continue;
            }
            let portal: HashSet<RowId> = g.base_what(t, v, Privilege::Read, Some(tb)).into_iter().collect();
            out.extend(direct.into_iter().filter(|x| !portal.contains(x)));
        }
        crate::engine::sort_rows(t, &mut out);
        out
    }

    /// The id of the F&O user `v` runs as (F2), if any.
    pub fn fo_user_name(&self, v: Visitor) -> Option<String> {
        let fo = self.grants.fo()?;
        fo.user_of(v).map(|u| fo.fo.users[u as usize].id.clone())
    }

    /// `bypass [--visitor V] [--table T]`.
    pub fn bypass(&self, visitor: Option<&str>, table: Option<&str>) -> Result<BypassAnswer, QueryError> {
        let table = table.map(|s| self.table(s)).transpose()?;
        let visitors: Vec<Visitor> = match (visitor, self.grants.fo()) {
            (Some(s), _) => vec![self.visitor(s)?],
            // Only visitors with an F&O user have a bypass (F2, F7).
            (None, Some(fo)) => {
                let mut vs: Vec<Visitor> = fo.runners().into_iter().map(|r| r.0).collect();
                vs.sort_by_cached_key(|&v| self.visitor_name(v));
                vs
            }
            (None, None) => Vec::new(),
        };
        let mut ans = BypassAnswer::default();
        for v in visitors {
            let name = self.visitor_name(v);
            let user = self.fo_user_name(v).unwrap_or_default();
            for x in self.bypass_rows(v, table) {
                ans.lines.push(BypassLine { visitor: name.clone(), row: self.tenant.row_ref(x), user: user.clone() });
            }
        }
        ans.summary = summary_of(&ans.lines);
        Ok(ans)
    }
}

/// Counts per table (by name, sorted) of some bypass lines: the visitors
/// with a row of the table, and its distinct rows.
pub fn summary_of<'a>(lines: impl IntoIterator<Item = &'a BypassLine>) -> BTreeMap<String, BypassCount> {
    let mut per_table: BTreeMap<&str, (HashSet<&str>, HashSet<&str>)> = BTreeMap::new();
    for l in lines {
        let table = l.row.split_once(':').map_or(l.row.as_str(), |(t, _)| t);
        let e = per_table.entry(table).or_default();
        e.0.insert(&l.visitor);
        e.1.insert(&l.row);
    }
    per_table.into_iter().map(|(k, (vs, rs))| (k.to_string(), BypassCount { visitors: vs.len(), rows: rs.len() })).collect()
}
