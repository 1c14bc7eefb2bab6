//! Lookups (S20, S23, S24): every lookup value of every row, resolved
//! into links or kept as dangling, in document order.
//!
//! The rows are cut into runs, resolved in parallel, each into its own
//! lists (links by relationship, dangling values), in batches of lookups
//! whose cache misses overlap ([`RowIndex::get_many`]). The runs' lists
//! are kept in document order, and the first run that fails gives the
//! error: the result, and the error, of one pass in document order.

use super::index::{RowIndex, BATCH};
use super::{kind_of, Dangling, RelId, RelKind, Relationship, RowId, Table, TableId};
use crate::error::LoadError;
use crate::load::raw::{Cell, RawTable, RawTenant};
use crate::load::strs::Strs;
use rayon::prelude::*;
use std::collections::HashMap;
use std::ops::Range;

/// Rows whose lookups one task resolves.
const RUN: usize = 1 << 16;

/// Table `t`'s index, its ids and its first row, for lookups into it (an
/// empty index, where no id is found, for a number naming no table).
pub(crate) fn rows_of<'a>(tables: &'a [Table], row_index: &'a [RowIndex], t: TableId) -> (&'a RowIndex, &'a Strs, RowId) {
    match (row_index.get(t as usize), tables.get(t as usize)) {
        (Some(index), Some(table)) => (index, &*table.ids, table.first),
        _ => {
            let (index, ids) = super::index::no_rows();
            (index, ids, 0)
        }
    }
}

/// What some rows resolved to: `(from, to)` pairs by relationship, and
/// lookup values that name no row (S24), in document order.
pub(crate) struct Resolved {
    pub(crate) links: Vec<Vec<(RowId, RowId)>>,
    pub(crate) dangling: Vec<Dangling>,
}

impl Resolved {
    /// Nothing yet, for `relationships` relationships.
    pub(crate) fn new(relationships: usize) -> Resolved {
        Resolved { links: vec![Vec::new(); relationships], dangling: Vec::new() }
    }
}

/// The relationships that use a column as their lookup, with the table
/// each one references.
type Rels<'a> = Option<&'a Vec<(RelId, TableId)>>;

/// The interned tables and relationships that lookups resolve against.
pub(crate) struct Lookups<'a> {
    pub(crate) file: &'a str,
    pub(crate) tables: &'a [Table],
    pub(crate) table_index: &'a HashMap<String, TableId>,
    pub(crate) row_index: &'a [RowIndex],
    pub(crate) relationships: &'a [Relationship],
}

/// A run of rows of one table, with the relationships of its columns.
struct Run<'a> {
    table: &'a RawTable,
    tid: TableId,
    cols: &'a [Rels<'a>],
    rows: Range<usize>,
}

impl Lookups<'_> {
    /// The lookups of every table of `raw`, run by run in document order.
    pub(crate) fn resolve(&self, raw: &RawTenant) -> Result<Vec<Resolved>, LoadError> {
        // Per (table, column), the relationships that use it.
        let mut by_col: HashMap<(TableId, &str), Vec<(RelId, TableId)>> = HashMap::new();
        for (rid, rel) in self.relationships.iter().enumerate() {
            if let RelKind::OneToMany { referencing, lookup, referenced } = &rel.kind {
                by_col.entry((*referencing, lookup.as_str())).or_default().push((rid as RelId, *referenced));
            }
        }
        let cols: Vec<(TableId, Vec<Rels<'_>>)> = raw
            .rows
            .0
            .iter()
            .map(|t| {
                let tid = self.table_index.get(&t.name).copied().unwrap_or(TableId::MAX);
                (tid, t.columns.iter().map(|c| by_col.get(&(tid, c.as_str()))).collect())
            })
            .collect();
        let mut runs = Vec::new();
        for (t, (tid, cols)) in raw.rows.0.iter().zip(&cols) {
            if *tid == TableId::MAX || cols.iter().all(Option::is_none) {
                continue;
            }
            for start in (0..t.len()).step_by(RUN) {
                runs.push(Run { table: t, tid: *tid, cols, rows: start..(start + RUN).min(t.len()) });
            }
        }
        runs.par_iter().map(|run| self.run(raw, run)).collect()
    }

    /// The lookups of one run of rows, in order.
    fn run(&self, raw: &RawTenant, run: &Run<'_>) -> Result<Resolved, LoadError> {
        let (file, tables, t) = (self.file, self.tables, run.table);
        let mut done = Resolved::new(self.relationships.len());
        let mut batch = Batch::default();
        for i in run.rows.clone() {
            let x = tables[run.tid as usize].first + i as u32;
            for (c, v) in t.fields(i) {
                let Some(Some(rels)) = run.cols.get(c as usize) else { continue };
                let col = &t.columns[c as usize];
                let value = match v {
                    Cell::Null => continue,
                    Cell::Str(s) => s,
                    other => {
                        // Earlier values first: they may fail before this one.
                        batch.resolve(file, &t.name, tables, &mut done)?;
                        return Err(LoadError::at(
                            file,
                            format!("rows.{}[{i}].{col}", t.name),
                            format!("lookup `{col}` must be a string id or null, found {}", kind_of(&other.to_value())),
                        ));
                    }
                };
                // S23: a folder tenant's Web API annotation names the target table.
                let settled = if raw.lookup_targets.is_empty() {
                    None
                } else {
                    let id = t.id(i).unwrap_or_default().to_string();
                    raw.lookup_targets
                        .get(&(t.name.clone(), id, col.clone(), value.to_string()))
                        .map(|name| self.table_index.get(name).copied())
                };
                batch.push((i, x, col, value, rels), settled, tables, self.row_index);
                if batch.full() {
                    batch.resolve(file, &t.name, tables, &mut done)?;
                }
            }
        }
        batch.resolve(file, &t.name, tables, &mut done)?;
        Ok(done)
    }
}

/// A lookup value: its row's position and id, its column, the value, and
/// the relationships of the column.
type Value<'a> = (usize, RowId, &'a str, &'a str, &'a [(RelId, TableId)]);

/// Lookup values of one table waiting to be resolved together, in
/// document order.
#[derive(Default)]
struct Batch<'a> {
    /// Each value with the range of its requests.
    values: Vec<(Value<'a>, Range<usize>)>,
    /// One request per distinct target table of a value, in the order of
    /// its relationships.
    requests: Vec<(&'a RowIndex, &'a Strs, &'a str)>,
    targets: Vec<TableId>,
    found: Vec<Option<u32>>,
}

impl<'a> Batch<'a> {
    fn push(&mut self, value: Value<'a>, settled: Option<Option<TableId>>, tables: &'a [Table], row_index: &'a [RowIndex]) {
        let (rels, text) = (value.4, value.3);
        let start = self.requests.len();
        for (k, &(_, target)) in rels.iter().enumerate() {
            // Each target table once; only the settled one when the source names it.
            if rels[..k].iter().any(|&(_, t)| t == target) || settled.is_some_and(|s| s != Some(target)) {
                continue;
            }
            if let (Some(index), Some(table)) = (row_index.get(target as usize), tables.get(target as usize)) {
                self.requests.push((index, &table.ids, text));
                self.targets.push(target);
            }
        }
        self.values.push((value, start..self.requests.len()));
    }

    fn full(&self) -> bool {
        self.requests.len() >= BATCH
    }

    /// Resolves the waiting values of table `table` into links and
    /// dangling values, in order; fails at the first ambiguous value.
    fn resolve(&mut self, file: &str, table: &str, tables: &[Table], done: &mut Resolved) -> Result<(), LoadError> {
        RowIndex::get_many(&self.requests, &mut self.found);
        for ((i, x, col, value, rels), range) in self.values.drain(..) {
            let found = || {
                range.clone().filter_map(|k| {
                    let target = self.targets[k];
                    self.found[k].map(|pos| (target, tables[target as usize].first + pos))
                })
            };
            let mut hits = found();
            match (hits.next(), hits.next()) {
                (None, _) => done.dangling.push(Dangling { table: table.to_string(), column: col.to_string(), value: value.to_string() }),
                (Some((target, y)), None) => {
                    for &(rid, _) in rels.iter().filter(|&&(_, rt)| rt == target) {
                        if let Some(list) = done.links.get_mut(rid as usize) {
                            list.push((x, y));
                        }
                    }
                }
                (Some(_), Some(_)) => {
                    let names: Vec<String> = found().map(|(ft, _)| format!("`{}`", tables[ft as usize].name)).collect();
                    return Err(LoadError::at(
                        file,
                        format!("rows.{table}[{i}].{col}"),
                        format!("lookup value `{value}` is ambiguous: rows with that id exist in {}", names.join(" and ")),
                    ));
                }
            }
        }
        self.requests.clear();
        self.targets.clear();
        Ok(())
    }
}
