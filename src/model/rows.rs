//! The first step of [`super::Tenant::build`]: rows interned table by table (ids
//! contiguous per table), lookups resolved into links (S20, S23, S24),
//! associations (S22), and each contact's account (S1).

use super::builder::{Builder, RowPart};
use super::index::{RowIndex, BATCH};
use super::lookups::{rows_of, Lookups, Resolved};
use super::{kind_of, Dangling, RelId, RelKind, Relationship, RowId, Table, TableId, MAX_ROWS, NO_ACCOUNT};
use crate::error::LoadError;
use crate::load::raw::{RawTenant, FORMAT};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

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
    let lookups = Lookups { file, tables: &tables, table_index: &table_index, row_index: &row_index, relationships: &relationships };
    let mut parts = lookups.resolve(raw)?;
    let mut done = Resolved::new(relationships.len());
    lookups.associations(raw, &rel_index, &mut done)?;
    parts.push(done);
    let links = sort_links(&mut parts, relationships.len());
    let dangling: Vec<Dangling> = parts.into_iter().flat_map(|p| p.dangling).collect();
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
        dangling: Arc::new(dangling),
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
            let dup = index.insert_all(t.ids());
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

/// Association pairs one task resolves.
const PAIR_RUN: usize = 1 << 16;

/// Links and dangling ids of some association pairs.
type Pairs = (Vec<(RowId, RowId)>, Vec<Dangling>);

/// Associations resolve against what lookups resolve against.
impl Lookups<'_> {
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
            // Runs of pairs in parallel, each in batches whose lookups
            // overlap; joined in order, the first error first.
            let runs: Vec<Result<Pairs, LoadError>> = list
                .par_chunks(PAIR_RUN)
                .enumerate()
                .map(|(k, run)| self.pairs(&path, name, k * PAIR_RUN, run, [ta, tb]))
                .collect();
            for run in runs {
                let (links, dangling) = run?;
                if let Some(list) = done.links.get_mut(rid as usize) {
                    list.extend(links);
                }
                done.dangling.extend(dangling);
            }
        }
        Ok(())
    }

    /// The pairs `list` (the pairs of relationship `name` from position
    /// `first` on) resolved into links between `tables`, and the ids that
    /// name no row (the first side's when neither is found).
    fn pairs(&self, path: &str, name: &str, first: usize, list: &[Value], tables: [TableId; 2]) -> Result<Pairs, LoadError> {
        let sides = tables.map(|t| rows_of(self.tables, self.row_index, t));
        let (mut links, mut dangling) = (Vec::new(), Vec::new());
        let (mut reqs, mut found, mut ids) = (Vec::with_capacity(BATCH), Vec::with_capacity(BATCH), Vec::with_capacity(BATCH / 2));
        for (b, batch) in list.chunks(BATCH / 2).enumerate() {
            reqs.clear();
            ids.clear();
            for (j, p) in batch.iter().enumerate() {
                let Some([Value::String(x), Value::String(y)]) = p.as_array().map(Vec::as_slice) else {
                    let i = first + b * (BATCH / 2) + j;
                    return Err(LoadError::at(self.file, format!("{path}[{i}]"), "expected a pair of two string ids `[first, second]`"));
                };
                ids.push([x, y]);
                for (s, id) in sides.iter().zip([x, y]) {
                    reqs.push((s.0, s.1, id.as_str()));
                }
            }
            RowIndex::get_many(&reqs, &mut found);
            for (pair, hits) in ids.iter().zip(found.chunks(2)) {
                let row = |k: usize| hits.get(k).copied().flatten().map(|i| sides[k].2 + i);
                match (row(0), row(1)) {
                    (Some(a), Some(bb)) => links.push((a, bb)),
                    (found_a, _) => {
                        let k = usize::from(found_a.is_some());
                        dangling.push(Dangling {
                            table: self.tables.get(tables[k] as usize).map(|t| t.name.clone()).unwrap_or_default(),
                            column: name.to_string(),
                            value: pair[k].clone(),
                        });
                    }
                }
            }
        }
        Ok((links, dangling))
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

/// Links sorted by `(relationship, from, to)` without duplicates, from
/// the pairs of each part (in order) by relationship. Each relationship's
/// links are filled in, sorted (pairs arrive row by row, so most are
/// already) and rid of duplicates on a core of their own, in place.
fn sort_links(parts: &mut [Resolved], relationships: usize) -> Vec<(RelId, RowId, RowId)> {
    let lists: Vec<Vec<Vec<(RowId, RowId)>>> = (0..relationships)
        .map(|rid| parts.iter_mut().map(|p| p.links.get_mut(rid).map(std::mem::take).unwrap_or_default()).collect())
        .collect();
    let total = lists.iter().flatten().map(Vec::len).sum();
    let mut out: Vec<(RelId, RowId, RowId)> = vec![(0, 0, 0); total];
    let mut segments = Vec::with_capacity(relationships);
    let mut rest = out.as_mut_slice();
    for list in &lists {
        let (segment, tail) = rest.split_at_mut(list.iter().map(Vec::len).sum());
        segments.push(segment);
        rest = tail;
    }
    // Each segment's length, and its length once its duplicates are gone.
    let kept: Vec<(usize, usize)> = segments
        .into_par_iter()
        .zip(lists)
        .enumerate()
        .map(|(rid, (segment, list))| {
            let pairs = list.iter().flatten();
            for (slot, &(a, b)) in segment.iter_mut().zip(pairs) {
                *slot = (rid as RelId, a, b);
            }
            if !segment.is_sorted() {
                segment.sort_unstable();
            }
            (segment.len(), dedup_sorted(segment))
        })
        .collect();
    if kept.iter().any(|&(len, keep)| keep < len) {
        // Some duplicates: the segments' kept links moved together.
        let (mut at, mut to) = (0, 0);
        for (len, keep) in kept {
            out.copy_within(at..at + keep, to);
            at += len;
            to += keep;
        }
        out.truncate(to);
    }
    out
}

/// Moves the distinct items of the sorted `s` to its front, in order;
/// returns how many there are.
fn dedup_sorted<T: PartialEq + Copy>(s: &mut [T]) -> usize {
    let mut kept = 0;
    for r in 0..s.len() {
        if kept == 0 || s[r] != s[kept - 1] {
            s[kept] = s[r];
            kept += 1;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// Parts whose pairs are sorted, unsorted, repeated within and across
    /// parts, and absent: the same links as sorting everything at once.
    #[test]
    fn links_are_sorted_and_unique_per_relationship() {
        let part = |lists: Vec<Vec<(RowId, RowId)>>| Resolved { links: lists, dangling: Vec::new() };
        let mut parts = vec![
            part(vec![vec![(1, 2), (1, 3), (4, 1)], vec![(9, 9), (2, 2), (9, 9)], vec![], vec![(5, 5)]]),
            part(vec![vec![(4, 1), (7, 0)], vec![(2, 2), (0, 1)], vec![], vec![(5, 6)]]),
            part(vec![vec![(8, 8)], vec![], vec![], vec![]]),
        ];
        let mut naive: Vec<(RelId, RowId, RowId)> = parts
            .iter()
            .flat_map(|p| p.links.iter().enumerate().flat_map(|(rid, l)| l.iter().map(move |&(a, b)| (rid as RelId, a, b))))
            .collect();
        naive.sort_unstable();
        naive.dedup();
        assert_eq!(sort_links(&mut parts, 4), naive);
        assert_eq!(naive.len(), 10);
        // No duplicates: nothing moved.
        let mut parts = vec![part(vec![vec![(3, 1), (1, 1)], vec![(0, 0)]])];
        assert_eq!(sort_links(&mut parts, 2), vec![(0, 1, 1), (0, 3, 1), (1, 0, 0)]);
    }
}
