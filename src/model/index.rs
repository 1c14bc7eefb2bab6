//! The row index: each table's rows by id string, the structure every
//! lookup, membership and row reference of a tenant resolves through.

use crate::load::strs::Strs;
use std::hash::{BuildHasher, RandomState};

/// Lookups resolved together (see [`RowIndex::get_many`]).
pub(crate) const BATCH: usize = 256;

/// The rows of one table by id string: open addressing over positions in
/// the table's `ids`, so no id is stored twice. Probing is linear, the load
/// at most two thirds. Hashing is randomly keyed (ids come from input):
/// folded 64-bit multiplies of the id's 8-byte words with two random keys
/// per index, as foldhash and aHash do; about five times faster than
/// SipHash on short ids, and a tenant's ten million lookups hash every id.
#[derive(Debug, Clone, Default)]
pub(crate) struct RowIndex {
    keys: (u64, u64),
    /// `(hash, position + 1)`; `(_, 0)` is a free slot.
    slots: Vec<(u32, u32)>,
}

/// What a table without rows (or a number naming no table) is looked up
/// in: an empty index over no ids.
static NO_ROWS: (RowIndex, Strs) = (RowIndex { keys: (0, 0), slots: Vec::new() }, Strs::new());

/// The empty index and its ids, where no id is found.
pub(crate) fn no_rows() -> (&'static RowIndex, &'static Strs) {
    (&NO_ROWS.0, &NO_ROWS.1)
}

/// The high and low halves of the 128-bit product, folded.
fn fold(a: u64, b: u64) -> u64 {
    let m = u128::from(a) * u128::from(b);
    (m as u64) ^ ((m >> 64) as u64)
}

/// Random keys for one index (from the standard library's random state).
fn random_keys() -> (u64, u64) {
    let s = RandomState::new();
    (s.hash_one(0x9e37_79b9_u64), s.hash_one(0x7f4a_7c15_u64) | 1)
}

impl RowIndex {
    pub(crate) fn with_capacity(n: usize) -> RowIndex {
        let size = if n == 0 { 0 } else { (n + n / 2 + 1).next_power_of_two() };
        let mut slots = Vec::with_capacity(size);
        // Written, not allocated zeroed: zeroed pages would be mapped on the
        // first read and copied on the first write, a second fault per page.
        slots.resize(size, (0, 0));
        RowIndex { keys: random_keys(), slots }
    }

    fn hash(&self, id: &str) -> u32 {
        let (k0, k1) = self.keys;
        let b = id.as_bytes();
        let mut h = k0 ^ (b.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut words = b.chunks_exact(8);
        for w in &mut words {
            let mut x = [0u8; 8];
            x.copy_from_slice(w);
            h = fold(h ^ u64::from_le_bytes(x), k1);
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut x = [0u8; 8];
            x[..rest.len()].copy_from_slice(rest);
            h = fold(h ^ u64::from_le_bytes(x), k1);
        }
        let h = fold(h, 0x2d35_8dcc_aa6c_78a5);
        (h ^ (h >> 32)) as u32
    }

    /// Adds every position of `ids`, in order; returns the first position
    /// whose id an earlier position already has. The slots of a batch are
    /// read before any is written, so that their cache misses overlap.
    pub(crate) fn insert_all(&mut self, ids: &Strs) -> Option<u32> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut hashes: Vec<(u32, (u32, u32))> = Vec::with_capacity(BATCH);
        let mut start = 0;
        while start < ids.len() {
            let end = (start + BATCH).min(ids.len());
            hashes.clear();
            hashes.extend((start..end).map(|k| self.hash(&ids[k])).map(|h| (h, (0, 0))));
            for (h, first) in hashes.iter_mut() {
                *first = self.slots[*h as usize & mask];
            }
            for (j, &(h, _)) in hashes.iter().enumerate() {
                let i = (start + j) as u32;
                if self.insert_hashed(ids, i, h).is_some() {
                    return Some(i);
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
    /// first). The lookups go phase by phase over the whole batch (hashes;
    /// first slots; where a slot's hash matches, the id's place; its first
    /// byte; the comparison), each phase a short loop of reads that do not
    /// wait on each other, so that the cache misses of different lookups
    /// (three for a hit in a large table) overlap instead of adding up.
    /// A probe chain is followed in the slots phase (the slots after the
    /// first mostly share its cache line); only an id whose 32-bit hash
    /// matches another's takes the plain path.
    pub(crate) fn get_many(reqs: &[(&RowIndex, &Strs, &str)], out: &mut Vec<Option<u32>>) {
        out.clear();
        let hashes: Vec<u32> = reqs.iter().map(|(index, _, id)| index.hash(id)).collect();
        let first: Vec<u32> = reqs.iter().zip(&hashes).map(|((index, _, _), &h)| index.candidate(h)).collect();
        let spans: Vec<Option<(usize, usize)>> =
            reqs.iter().zip(&first).map(|((_, ids, _), &p)| p.checked_sub(1).and_then(|p| ids.span(p as usize))).collect();
        let mut touched = 0u8;
        for ((_, ids, _), span) in reqs.iter().zip(&spans) {
            if let Some((start, _)) = *span {
                touched ^= ids.text().as_bytes().get(start).copied().unwrap_or(0);
            }
        }
        std::hint::black_box(touched);
        for (((index, ids, id), (&h, &p)), span) in reqs.iter().zip(hashes.iter().zip(&first)).zip(spans) {
            out.push(match span {
                Some((start, end)) if ids.text().as_bytes().get(start..end) == Some(id.as_bytes()) => Some(p - 1),
                _ if p == 0 => None,
                _ => index.get_hashed(ids, id, h),
            });
        }
    }

    /// The position of `id` in `ids`.
    pub(crate) fn get(&self, ids: &Strs, id: &str) -> Option<u32> {
        self.get_hashed(ids, id, self.hash(id))
    }

    /// The first slot of `h`'s probe chain that is free or holds hash `h`:
    /// its `position + 1`, or 0 when the chain ends first (no id with hash
    /// `h`). The slots after the first mostly share its cache line, so
    /// collisions and absent ids cost no further miss here.
    fn candidate(&self, h: u32) -> u32 {
        let Some(mask) = self.slots.len().checked_sub(1) else { return 0 };
        let mut k = h as usize & mask;
        loop {
            match self.slots[k] {
                (_, 0) => return 0,
                (sh, p) if sh == h => return p,
                _ => k = (k + 1) & mask,
            }
        }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// Ids with many shared prefixes and lengths, some repeated.
    fn ids(n: usize, dups: &[(usize, usize)]) -> Strs {
        let mut v: Vec<String> = (0..n).map(|i| format!("{}{i}", ["C", "AB-", "", "a-much-longer-prefix-"][i % 4])).collect();
        for &(at, from) in dups {
            v[at] = v[from].clone();
        }
        Strs::from(v)
    }

    #[test]
    fn in_batches_and_one_by_one_find_the_same() {
        let ids = ids(5000, &[]);
        let mut index = RowIndex::with_capacity(ids.len());
        assert_eq!(index.insert_all(&ids), None);
        let mut texts: Vec<String> = (0..7000).map(|i| format!("{}{i}", ["C", "AB-", "", "x"][i % 4])).collect();
        texts.extend(ids.to_vec().into_iter().rev());
        let empty = RowIndex::default();
        let none = Strs::new();
        let reqs: Vec<(&RowIndex, &Strs, &str)> =
            texts.iter().enumerate().map(|(k, t)| if k % 7 == 0 { (&empty, &none, t.as_str()) } else { (&index, &ids, t.as_str()) }).collect();
        let mut bulk = Vec::new();
        RowIndex::get_many(&reqs, &mut bulk);
        let one: Vec<Option<u32>> = reqs.iter().map(|(ix, s, t)| ix.get(s, t)).collect();
        assert_eq!(bulk, one);
        assert!(bulk.iter().filter(|f| f.is_some()).count() > 4000);
        for (t, f) in texts.iter().zip(&bulk) {
            if let Some(p) = f {
                assert_eq!(&ids[*p as usize], t.as_str());
            }
        }
    }

    #[test]
    fn the_first_duplicate_in_document_order_is_reported() {
        let ids = ids(3000, &[(2500, 7), (1200, 900), (2999, 1200)]);
        let mut index = RowIndex::with_capacity(ids.len());
        assert_eq!(index.insert_all(&ids), Some(1200));
    }
}
