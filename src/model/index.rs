//! The row index: each table's rows by id string, the structure every
//! lookup, membership and row reference of a tenant resolves through.

use crate::load::strs::Strs;
use std::hash::{BuildHasher, RandomState};

/// Lookups resolved together (see [`RowIndex::get_many`]).
pub(crate) const BATCH: usize = 256;

/// The rows of one table by id string: open addressing over positions in
/// the table's `ids`, so no id is stored twice. Hashing is randomly keyed
/// (ids come from input), probing is linear, the load at most two thirds.
#[derive(Debug, Clone, Default)]
pub(crate) struct RowIndex {
    hasher: RandomState,
    /// `(hash, position + 1)`; `(_, 0)` is a free slot.
    slots: Vec<(u32, u32)>,
}

impl RowIndex {
    pub(crate) fn with_capacity(n: usize) -> RowIndex {
        let size = if n == 0 { 0 } else { (n + n / 2 + 1).next_power_of_two() };
        RowIndex { hasher: RandomState::new(), slots: vec![(0, 0); size] }
    }

    fn hash(&self, id: &str) -> u32 {
        let h = self.hasher.hash_one(id);
        (h ^ (h >> 32)) as u32
    }

    /// Adds positions `from..ids.len()` of `ids`, in order; returns the
    /// first `(position, earlier position)` whose id is already there.
    /// The slots of a batch are read before any is written, so that their
    /// cache misses overlap.
    pub(crate) fn insert_all(&mut self, ids: &Strs, from: usize) -> Option<(u32, u32)> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut hashes: Vec<(u32, (u32, u32))> = Vec::with_capacity(BATCH);
        let mut start = from;
        while start < ids.len() {
            let end = (start + BATCH).min(ids.len());
            hashes.clear();
            hashes.extend((start..end).map(|k| self.hash(&ids[k])).map(|h| (h, (0, 0))));
            for (h, first) in hashes.iter_mut() {
                *first = self.slots[*h as usize & mask];
            }
            for (j, &(h, _)) in hashes.iter().enumerate() {
                let i = (start + j) as u32;
                if let Some(p) = self.insert_hashed(ids, i, h) {
                    return Some((i, p));
                }
            }
            start = end;
        }
        None
    }

    /// Adds position `i` of `ids`, whose id hashes to `h`; returns the
    /// position already holding the same id.
    fn insert_hashed(&mut self, ids: &Strs, i: u32, h: u32) -> Option<u32> {
        let id = ids.get(i as usize)?;
        let mask = self.slots.len().checked_sub(1)?;
        let mut k = h as usize & mask;
        loop {
            match self.slots[k] {
                (_, 0) => {
                    self.slots[k] = (h, i + 1);
                    return None;
                }
                (sh, p) if sh == h && ids.get(p as usize - 1) == Some(id) => return Some(p - 1),
                _ => k = (k + 1) & mask,
            }
        }
    }

    /// Looks up many ids, each in its own table, into `out` (cleared
    /// first). Phases run over the whole batch (hash, first slot, id
    /// header, id bytes) so that the memory reads of different lookups
    /// overlap; collisions and probe chains take the plain path.
    pub(crate) fn get_many(reqs: &[(&RowIndex, &Strs, &str)], out: &mut Vec<Option<u32>>) {
        out.clear();
        let first: Vec<(u32, (u32, u32))> = reqs
            .iter()
            .map(|(index, _, id)| {
                let h = index.hash(id);
                let slot = match index.slots.len().checked_sub(1) {
                    Some(mask) => index.slots[h as usize & mask],
                    None => (0, 0),
                };
                (h, slot)
            })
            .collect();
        let heads: Vec<Option<&str>> = reqs
            .iter()
            .zip(&first)
            .map(|((_, ids, _), &(h, (sh, p)))| if p != 0 && sh == h { ids.get(p as usize - 1) } else { None })
            .collect();
        for (((index, ids, id), &(h, (_, p))), head) in reqs.iter().zip(&first).zip(heads) {
            out.push(match head {
                Some(s) if s == *id => Some(p - 1),
                _ if p == 0 => None,
                _ => index.get_hashed(ids, id, h),
            });
        }
    }

    /// The position of `id` in `ids`.
    pub(crate) fn get(&self, ids: &Strs, id: &str) -> Option<u32> {
        self.get_hashed(ids, id, self.hash(id))
    }

    /// The position of `id`, whose hash is `h`, in `ids`.
    fn get_hashed(&self, ids: &Strs, id: &str, h: u32) -> Option<u32> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut k = h as usize & mask;
        loop {
            match self.slots[k] {
                (_, 0) => return None,
                (sh, p) if sh == h && ids.get(p as usize - 1).is_some_and(|s| s == id) => return Some(p - 1),
                _ => k = (k + 1) & mask,
            }
        }
    }
}

