//! The first step of [`super::Tenant::build`]: rows interned table by table (ids
//! contiguous per table), lookups resolved into links (S20, S23, S24),
//! associations (S22), and each contact's account (S1).

use super::builder::{Builder, RowPart};
use super::index::{RowIndex, BATCH};
use super::{kind_of, Dangling, RelId, RelKind, Relationship, RowId, Table, TableId, MAX_ROWS, NO_ACCOUNT};
use crate::error::LoadError;
use crate::load::raw::{Cell, RawTable, RawTenant, FORMAT};
use crate::load::strs::Strs;
use rayon::prelude::*;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// Rows whose lookups one task resolves (see [`Interned::lookups`]).
const RUN: usize = 1 << 16;

/// Per column of a table, the relationships that use it as their lookup
/// (with the table each one references).
type ColumnRels<'a> = Arc<Vec<Option<&'a Vec<(RelId, TableId)>>>>;

/// A run of rows of one table, with the relationships of its columns.
struct Run<'a> {
    table: &'a RawTable,
    tid: TableId,
    cols: ColumnRels<'a>,
    rows: std::ops::Range<usize>,
}

/// Links resolved so far, and lookup values that name no row (S24).
#[derive(Default)]
struct Resolved {
    links: Vec<(RelId, RowId, RowId)>,
    dangling: Vec<Dangling>,
}

/// Relationships, rows, lookups and associations of `raw`.
pub(crate) fn build_rows(raw: &RawTenant, source: &str) -> Result<RowPart, LoadError> {
    let file = source;
    if raw.format != FORMAT {
        return Err(LoadError::at(file, "format", format!("expected `{FORMAT}`, found `{}`", raw.format)));
    }
    let mut b = Builder { file, tables: Vec::new(), table_index: HashMap::new() };
    let contact_table = b.table("contact");
    let account_table = b.table("account");
    let (relationships, rel_index) = super::relationships::build(&mut b, raw)?;
    let (row_index, end) = intern(&mut b, raw)?;
    let (tables, table_index) = (b.tables, b.table_index);
    let cx = Interned { file, tables: &tables, table_index: &table_index, row_index: &row_index, relationships: &relationships };
    let mut done = Resolved::default();
    cx.lookups(raw, &mut done)?;
    cx.associations(raw, &rel_index, &mut done)?;
    let links = sort_links(done.links, relationships.len());
    let (contact_account, account_by_contact) = accounts(&links, &relationships, &tables, contact_table, account_table);
    Ok(RowPart {
        tables,
        table_index,
        row_index: Arc::new(row_index),
        relationships,
        rel_index,
        links: Arc::new(links),
        contact_account: Arc::new(contact_account),
        account_by_contact: Arc::new(account_by_contact),
        dangling: Arc::new(done.dangling),
        contact_table,
        account_table,
        end,
    })
}

/// Rows: tables in document order, global ids contiguous per table; tables
/// named only by relationships are empty. Returns each table's index and
/// the number of rows. The tables' ids are shared with the raw tenant; the
/// indexes are built in parallel, table by table.
fn intern(b: &mut Builder<'_>, raw: &RawTenant) -> Result<(Vec<RowIndex>, RowId), LoadError> {
    let indexes: Vec<(RowIndex, Option<u32>)> = raw
        .rows
        .0
        .par_iter()
        .map(|t| {
            let mut index = RowIndex::with_capacity(t.len());
            let dup = index.insert_all(t.ids(), 0).map(|(i, _)| i);
            (index, dup)
        })
        .collect();
    let mut row_index: Vec<RowIndex> = Vec::new();
    for (t, (index, dup)) in raw.rows.0.iter().zip(indexes) {
        let tid = b.table(&t.name);
        if let Some(i) = dup {
            return Err(LoadError::at(
                b.file,
                format!("rows.{}[{i}].id", t.name),
                format!("duplicate row id `{}` in table `{}`", &t.ids()[i as usize], t.name),
            ));
        }
        b.tables[tid as usize].ids = t.ids().clone();
        while row_index.len() <= tid as usize {
            row_index.push(RowIndex::default());
        }
        row_index[tid as usize] = index;
    }
    let mut next: u64 = 0;
    for t in b.tables.iter_mut() {
        t.first = next as u32;
        next += t.ids.len() as u64;
    }
    if next > u64::from(MAX_ROWS) {
        return Err(LoadError::at(b.file, "rows", format!("more than {MAX_ROWS} rows")));
    }
    let end = next as u32;
    for t in b.tables.iter_mut().filter(|t| t.ids.is_empty()) {
        t.first = end;
    }
    while row_index.len() < b.tables.len() {
        row_index.push(RowIndex::default());
    }
    Ok((row_index, end))
}

/// The interned tables and relationships that lookups and associations
/// resolve against.
struct Interned<'a> {
    file: &'a str,
    tables: &'a [Table],
    table_index: &'a HashMap<String, TableId>,
    row_index: &'a [RowIndex],
    relationships: &'a [Relationship],
}

impl Interned<'_> {
    /// The row of table `t` with id `id`.
    fn row(&self, t: TableId, id: &str) -> Option<RowId> {
        let table = self.tables.get(t as usize)?;
        self.row_index.get(t as usize)?.get(&table.ids, id).map(|i| table.first + i)
    }

    /// Lookups (S20, S23, S24): each lookup value of each row, resolved
    /// in batches, in document order. Runs of rows are resolved in
    /// parallel, each into its own lists, joined in order: the result (and
    /// the first error) is the one a single pass in document order gives.
    fn lookups(&self, raw: &RawTenant, done: &mut Resolved) -> Result<(), LoadError> {
        // Per (table, column), the relationships that use it.
        let mut by_col: HashMap<(TableId, &str), Vec<(RelId, TableId)>> = HashMap::new();
        for (rid, rel) in self.relationships.iter().enumerate() {
            if let RelKind::OneToMany { referencing, lookup, referenced } = &rel.kind {
                by_col.entry((*referencing, lookup.as_str())).or_default().push((rid as RelId, *referenced));
            }
        }
        let mut runs: Vec<Run<'_>> = Vec::new();
        for t in &raw.rows.0 {
            let tid = self.table_index[&t.name];
            let cols: ColumnRels<'_> =
                Arc::new(t.columns.iter().map(|c| by_col.get(&(tid, c.as_str()))).collect());
            if cols.iter().all(Option::is_none) {
                continue;
            }
            for start in (0..t.len()).step_by(RUN) {
                runs.push(Run { table: t, tid, cols: cols.clone(), rows: start..(start + RUN).min(t.len()) });
            }
        }
        let results: Vec<Result<Resolved, LoadError>> = runs.par_iter().map(|run| self.run(raw, run)).collect();
        for r in results {
            let r = r?;
            done.links.extend(r.links);
            done.dangling.extend(r.dangling);
        }
        Ok(())
    }

    /// The lookups of one run of rows, in order.
    fn run(&self, raw: &RawTenant, run: &Run<'_>) -> Result<Resolved, LoadError> {
        let (file, tables, t) = (self.file, self.tables, run.table);
        let mut done = Resolved::default();
        let (links, dangling) = (&mut done.links, &mut done.dangling);
        let mut batch = Lookups::default();
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
                        batch.resolve(file, &t.name, tables, links, dangling)?;
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
                batch.push(i, x, col, value, rels, settled, tables, self.row_index);
                if batch.full() {
                    batch.resolve(file, &t.name, tables, links, dangling)?;
                }
            }
        }
        batch.resolve(file, &t.name, tables, links, dangling)?;
        Ok(done)
    }

    /// Associations (S22): pairs of row ids per many-to-many relationship;
    /// an association naming no row relates nothing (S24).
    fn associations(&self, raw: &RawTenant, rel_index: &HashMap<String, RelId>, done: &mut Resolved) -> Result<(), LoadError> {
        let file = self.file;
        for (name, pairs) in raw.associations.iter() {
            let path = format!("associations.{name}");
            let rid = match rel_index.get(name) {
                Some(&r) if matches!(self.relationships[r as usize].kind, RelKind::ManyToMany { .. }) => r,
                Some(_) => return Err(LoadError::at(file, &path, format!("relationship `{name}` is not many-to-many"))),
                None => return Err(LoadError::at(file, &path, format!("relationship `{name}` does not exist"))),
            };
            let RelKind::ManyToMany { tables: [ta, tb] } = self.relationships[rid as usize].kind else { continue };
            let Value::Array(list) = pairs else {
                return Err(LoadError::at(file, &path, format!("expected an array of id pairs, found {}", kind_of(pairs))));
            };
            for (i, p) in list.iter().enumerate() {
                let pair = match p.as_array().map(Vec::as_slice) {
                    Some([Value::String(a), Value::String(b)]) => (a, b),
                    _ => {
                        return Err(LoadError::at(
                            file,
                            format!("{path}[{i}]"),
                            "expected a pair of two string ids `[first, second]`",
                        ))
                    }
                };
                match (self.row(ta, pair.0), self.row(tb, pair.1)) {
                    (Some(a), Some(bb)) => done.links.push((rid, a, bb)),
                    (found_a, _) => {
                        let (table, value) = if found_a.is_some() { (tb, pair.1) } else { (ta, pair.0) };
                        done.dangling.push(Dangling {
                            table: self.tables[table as usize].name.clone(),
                            column: name.clone(),
                            value: value.clone(),
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

/// S1: acct(c) is the `account` row that c.parentcustomerid points to.
/// Returns `(contact, account)` pairs, sorted, and the account of each
/// contact by position ([`NO_ACCOUNT`] for none).
fn accounts(
    links: &[(RelId, RowId, RowId)],
    relationships: &[Relationship],
    tables: &[Table],
    contact_table: TableId,
    account_table: TableId,
) -> (Vec<(RowId, RowId)>, Vec<RowId>) {
    let mut contact_account: Vec<(RowId, RowId)> = links
        .iter()
        .filter(|(rid, _, _)| match &relationships[*rid as usize].kind {
            RelKind::OneToMany { referencing, lookup, referenced } => {
                *referencing == contact_table && lookup == "parentcustomerid" && *referenced == account_table
            }
            _ => false,
        })
        .map(|&(_, c, a)| (c, a))
        .collect();
    contact_account.sort_unstable();
    contact_account.dedup_by_key(|(c, _)| *c);
    let contacts = tables[contact_table as usize].rows();
    let mut account_by_contact = vec![NO_ACCOUNT; contacts.len()];
    for &(c, a) in &contact_account {
        if let Some(slot) = c.checked_sub(contacts.start).and_then(|i| account_by_contact.get_mut(i as usize)) {
            *slot = a;
        }
    }
    (contact_account, account_by_contact)
}

/// Lookup values of one table waiting to be resolved together (S20, S23,
/// S24), in document order.
#[derive(Default)]
pub(crate) struct Lookups<'a> {
    /// `(row position, row, column, value, relationships of the column, requests)`.
    #[allow(clippy::type_complexity)]
    values: Vec<(usize, RowId, &'a str, &'a str, &'a [(RelId, TableId)], std::ops::Range<usize>)>,
    /// One request per distinct target table of a value, in the order of
    /// its relationships.
    requests: Vec<(&'a RowIndex, &'a Strs, &'a str)>,
    targets: Vec<TableId>,
    found: Vec<Option<u32>>,
}

impl<'a> Lookups<'a> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        i: usize,
        x: RowId,
        col: &'a str,
        value: &'a str,
        rels: &'a [(RelId, TableId)],
        settled: Option<Option<TableId>>,
        tables: &'a [Table],
        row_index: &'a [RowIndex],
    ) {
        let start = self.requests.len();
        for (k, &(_, target)) in rels.iter().enumerate() {
            // Each target table once; only the settled one when the source names it.
            if rels[..k].iter().any(|&(_, t)| t == target) || settled.is_some_and(|s| s != Some(target)) {
                continue;
            }
            if let (Some(index), Some(table)) = (row_index.get(target as usize), tables.get(target as usize)) {
                self.requests.push((index, &table.ids, value));
                self.targets.push(target);
            }
        }
        self.values.push((i, x, col, value, rels, start..self.requests.len()));
    }

    fn full(&self) -> bool {
        self.requests.len() >= BATCH
    }

    /// Resolves the waiting values of table `table` into links and
    /// dangling values, in order; fails at the first ambiguous value.
    fn resolve(
        &mut self,
        file: &str,
        table: &str,
        tables: &[Table],
        links: &mut Vec<(RelId, RowId, RowId)>,
        dangling: &mut Vec<Dangling>,
    ) -> Result<(), LoadError> {
        RowIndex::get_many(&self.requests, &mut self.found);
        for (i, x, col, value, rels, range) in self.values.drain(..) {
            let found = || {
                range.clone().filter_map(|k| {
                    let target = self.targets[k];
                    self.found[k].map(|pos| (target, tables[target as usize].first + pos))
                })
            };
            let mut hits = found();
            match (hits.next(), hits.next()) {
                (None, _) => dangling.push(Dangling { table: table.to_string(), column: col.to_string(), value: value.to_string() }),
                (Some((target, y)), None) => {
                    for &(rid, rt) in rels.iter() {
                        if rt == target {
                            links.push((rid, x, y));
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

/// Links sorted by `(relationship, from, to)` without duplicates. They
/// arrive column by column in row order, so a stable bucketing by
/// relationship leaves most buckets sorted already; only the others are
/// sorted.
fn sort_links(links: Vec<(RelId, RowId, RowId)>, relationships: usize) -> Vec<(RelId, RowId, RowId)> {
    let mut out = if links.is_sorted() {
        links
    } else {
        let mut start = vec![0usize; relationships + 1];
        for l in &links {
            start[l.0 as usize + 1] += 1;
        }
        for r in 0..relationships {
            start[r + 1] += start[r];
        }
        let mut out = vec![(0, 0, 0); links.len()];
        let mut fill = start.clone();
        for l in links {
            out[fill[l.0 as usize]] = l;
            fill[l.0 as usize] += 1;
        }
        for r in 0..relationships {
            let bucket = &mut out[start[r]..start[r + 1]];
            if !bucket.is_sorted() {
                bucket.sort_unstable();
            }
        }
        out
    };
    out.dedup();
    out
}
