//! Compact lists of strings: every string of a list in one buffer, one
//! `u32` end offset per string. A table's row ids, and its rows' encoded
//! fields, are each one such list: tens of millions of strings without one
//! allocation (and its 24-byte header and allocator overhead) each.
//!
//! Also the small integer code those encoded fields use ([`put_num`],
//! [`take_num`]): ASCII only, so that an encoded row stays a valid `str`
//! and is sliced without unsafe code or a UTF-8 check.

use std::fmt;

/// A list of strings in one buffer. Offsets are kept modulo 2^32; a list
/// whose buffer grows past 4 GiB records at which strings the offsets
/// wrapped, so the list has no size limit but its buffer's.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Strs {
    buf: String,
    /// End of each string in `buf`, modulo 2^32.
    ends: Vec<u32>,
    /// The strings whose end lies past one more multiple of 2^32 than the
    /// end before (a string may appear several times), in order.
    wraps: Vec<u32>,
}

impl Strs {
    /// An empty list.
    pub const fn new() -> Strs {
        Strs { buf: String::new(), ends: Vec::new(), wraps: Vec::new() }
    }

    /// An empty list with room for `n` strings of `bytes` bytes in all.
    pub fn with_capacity(n: usize, bytes: usize) -> Strs {
        Strs { buf: String::with_capacity(bytes), ends: Vec::with_capacity(n), wraps: Vec::new() }
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes of all strings together.
    pub fn text_len(&self) -> usize {
        self.buf.len()
    }

    /// Memory held, in bytes (buffer, offsets).
    pub fn heap_bytes(&self) -> usize {
        self.buf.capacity() + self.ends.capacity() * 4 + self.wraps.capacity() * 4
    }

    fn end(&self, i: usize) -> usize {
        let wrapped = if self.wraps.is_empty() { 0 } else { self.wraps.partition_point(|&w| w as usize <= i) };
        ((wrapped as u64) << 32 | u64::from(self.ends[i])) as usize
    }

    fn start(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.end(i - 1)
        }
    }

    /// Where string `i` lies in [`Strs::text`].
    pub fn span(&self, i: usize) -> Option<(usize, usize)> {
        (i < self.len()).then(|| (self.start(i), self.end(i)))
    }

    /// Every string, one after the other.
    pub fn text(&self) -> &str {
        &self.buf
    }

    /// String `i`.
    pub fn get(&self, i: usize) -> Option<&str> {
        (i < self.len()).then(|| &self.buf[self.start(i)..self.end(i)])
    }

    /// Appends a string.
    pub fn push(&mut self, s: &str) {
        self.buf.push_str(s);
        self.close();
    }

    /// The buffer the next string is being written into (the text after
    /// the last string); [`Strs::close`] ends it.
    pub fn open(&mut self) -> &mut String {
        &mut self.buf
    }

    /// Ends the string written since the last one ended.
    pub fn close(&mut self) {
        self.push_end(self.buf.len() as u64);
    }

    fn push_end(&mut self, end: u64) {
        let before = match self.ends.len() {
            0 => 0,
            n => self.end(n - 1) as u64,
        };
        for _ in (before >> 32)..(end >> 32) {
            self.wraps.push(self.ends.len() as u32);
        }
        self.ends.push(end as u32);
    }

    /// Makes room for `n` more strings of `bytes` bytes in all.
    pub fn reserve(&mut self, n: usize, bytes: usize) {
        self.buf.reserve(bytes);
        self.ends.reserve(n);
    }

    /// Drops any text written since the last string ended.
    pub fn discard_open(&mut self) {
        let n = self.ends.len();
        let end = if n == 0 { 0 } else { self.end(n - 1) };
        self.buf.truncate(end);
    }

    /// Moves every string of `other` to the end of this list.
    pub fn append(&mut self, other: &Strs) {
        self.discard_open();
        let base = self.buf.len() as u64;
        self.buf.push_str(&other.buf);
        self.ends.reserve(other.len());
        for i in 0..other.len() {
            self.push_end(base + other.end(i) as u64);
        }
    }

    /// The strings in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter { strs: self, next: 0, start: 0 }
    }

    /// The strings as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }

    /// Whether the strings are in ascending order.
    pub fn is_sorted(&self) -> bool {
        let mut it = self.iter();
        let Some(mut prev) = it.next() else { return true };
        for s in it {
            if s < prev {
                return false;
            }
            prev = s;
        }
        true
    }

    /// Frees spare capacity.
    pub fn shrink_to_fit(&mut self) {
        self.buf.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.wraps.shrink_to_fit();
    }
}

impl std::ops::Index<usize> for Strs {
    type Output = str;
    fn index(&self, i: usize) -> &str {
        &self.buf[self.start(i)..self.end(i)]
    }
}

impl fmt::Debug for Strs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<S: AsRef<str>> FromIterator<S> for Strs {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Strs {
        let mut out = Strs::new();
        for s in iter {
            out.push(s.as_ref());
        }
        out
    }
}

impl From<Vec<String>> for Strs {
    fn from(v: Vec<String>) -> Strs {
        let bytes = v.iter().map(String::len).sum();
        let mut out = Strs::with_capacity(v.len(), bytes);
        for s in &v {
            out.push(s);
        }
        out
    }
}

/// The strings of a [`Strs`], in order.
pub struct Iter<'a> {
    strs: &'a Strs,
    next: usize,
    start: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        if self.next >= self.strs.len() {
            return None;
        }
        let end = self.strs.end(self.next);
        let s = &self.strs.buf[self.start..end];
        self.next += 1;
        self.start = end;
        Some(s)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.strs.len() - self.next;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Strs {
    type Item = &'a str;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Appends `n` in the ASCII code of encoded rows: six bits per byte, low
/// bits first, `0x40` set on every byte but the last.
pub fn put_num(out: &mut String, mut n: u64) {
    while n >= 64 {
        out.push(char::from(0x40 | (n & 63) as u8));
        n >>= 6;
    }
    out.push(char::from(n as u8));
}

/// Reads a number written by [`put_num`] at the start of `s`; returns it
/// and the rest of `s`.
pub fn take_num(s: &str) -> Option<(u64, &str)> {
    let mut n: u64 = 0;
    for (i, b) in s.bytes().enumerate() {
        let shift = 6 * i as u32;
        if shift >= 64 || b >= 0x80 {
            return None;
        }
        n |= u64::from(b & 63) << shift;
        if b & 0x40 == 0 {
            return Some((n, &s[i + 1..]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn strings_come_back_in_order() {
        let words = ["", "a", "été", "", "longer string", "z"];
        let s: Strs = words.iter().collect();
        assert_eq!(s.len(), words.len());
        assert_eq!(s.iter().collect::<Vec<_>>(), words);
        for (i, w) in words.iter().enumerate() {
            assert_eq!(&s[i], *w);
            assert_eq!(s.get(i), Some(*w));
        }
        assert_eq!(s.get(words.len()), None);
        assert!(!s.is_sorted());
        assert!(Strs::from(vec!["a".to_string(), "a".to_string(), "b".to_string()]).is_sorted());
        let mut t = Strs::new();
        t.append(&s);
        t.append(&s);
        assert_eq!(t.len(), 12);
        assert_eq!(&t[10], "longer string");
        assert_eq!(t.to_vec()[7], "a");
    }

    #[test]
    fn open_strings_can_be_discarded() {
        let mut s = Strs::new();
        s.push("x");
        s.open().push_str("half");
        s.discard_open();
        s.open().push_str("whole");
        s.close();
        assert_eq!(s.to_vec(), ["x", "whole"]);
    }

    #[test]
    fn numbers_round_trip_in_ascii() {
        for n in [0u64, 1, 63, 64, 65, 4095, 4096, 1 << 32, u64::MAX, f64::to_bits(-1.5)] {
            let mut out = "prefix".to_string();
            put_num(&mut out, n);
            out.push_str("rest");
            assert!(out.is_ascii());
            let (m, rest) = take_num(&out["prefix".len()..]).unwrap();
            assert_eq!((m, rest), (n, "rest"));
        }
        assert_eq!(take_num(""), None);
        assert_eq!(take_num("\u{40}"), None);
    }
}
