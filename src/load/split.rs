//! The fast path of native JSON: the `rows` section read in pieces, one
//! task per piece, on every thread rayon has; the rest of the document by
//! serde as usual.
//!
//! The pieces start where a row most likely starts (a `}`, a comma and a
//! `{`, blanks between), but such text may also sit inside a string. A
//! piece is therefore only used when the piece before it, itself started
//! at a true row (the first starts at the section's `{`), stops exactly at
//! its start; a piece that started elsewhere is read again from where its
//! predecessor stopped. Each row is read by the same [`RowSeed`] as the
//! one-pass reader, into a table builder of its piece, and the builders of
//! a table are joined in order: the tenant equals the one-pass reading of
//! the file, whatever the number of threads.
//!
//! Anything unusual (a key with an escape, text that is not JSON, a row the
//! one-pass reader would reject) makes [`parse`] give up; the caller then
//! reads the file in one pass, which words the error.

use super::raw::{ObjectOnly, RawRows, RawTenant};
use super::rows::{RowSeed, TableBuilder};
use rayon::prelude::*;
use serde::de::{DeserializeSeed, IgnoredAny};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

/// Pieces per thread (more pieces than threads keep every thread busy).
const PIECES_PER_THREAD: usize = 4;
/// The smallest piece worth a task, in bytes.
const MIN_PIECE: usize = 1 << 20;
/// How deep an array or object in a row may nest: serde_json's limit (127
/// levels) less the four levels above it (document, `rows`, table, row).
const MAX_VALUE_DEPTH: usize = 123;

/// Reads native tenant JSON with the rows in parallel; `None` when it
/// cannot (see the module comment).
pub(crate) fn parse(text: &str) -> Option<RawTenant> {
    let threads = rayon::current_num_threads();
    let pieces = if threads > 1 { (threads * PIECES_PER_THREAD).min(text.len() / MIN_PIECE).max(1) } else { 1 };
    parse_in(text, pieces)
}

/// [`parse`] with the rows cut into `pieces` pieces (fewer where no row
/// starts near a cut).
fn parse_in(text: &str, pieces: usize) -> Option<RawTenant> {
    let rows_start = find_rows(text)?;
    let starts = piece_starts(text, rows_start, pieces);
    let last = starts.len().checked_sub(1)?;
    let scan_at = |i: usize| scan(text, starts[i], i == 0, starts.get(i + 1).copied().unwrap_or(usize::MAX));
    // The last piece first: where it closes the section is where the
    // section ends unless the piece started inside a string, so the rest of
    // the document is read from there while the other pieces are scanned
    // (and read again if the chain of pieces ends elsewhere).
    let ((last_piece, guess), mut pieces) = rayon::join(
        || {
            let piece = scan_at(last);
            let guess = match piece.as_ref().map(|p| &p.end) {
                Some(&End::Closed(end)) => Some((end, rest(text, rows_start, end))),
                _ => None,
            };
            (piece, guess)
        },
        || (0..last).into_par_iter().map(scan_at).collect::<Vec<Option<Piece>>>(),
    );
    pieces.push(last_piece);
    let (tables, rows_end) = chain(text, &starts, pieces)?;
    let (rows, tenant) = match guess {
        Some((end, tenant)) if end == rows_end => (join(tables), tenant),
        _ => rayon::join(|| join(tables), || rest(text, rows_start, rows_end)),
    };
    let mut tenant = tenant?;
    tenant.rows = rows?;
    Some(tenant)
}

/// The document without its rows section (`rows_start..rows_end` read as
/// `{}`), by serde.
fn rest(text: &str, rows_start: usize, rows_end: usize) -> Option<RawTenant> {
    let rest = format!("{}{{}}{}", text.get(..rows_start)?, text.get(rows_end..)?);
    let mut de = serde_json::Deserializer::from_str(&rest);
    let tenant = <RawTenant as Deserialize>::deserialize(ObjectOnly(&mut de)).ok()?;
    de.end().ok()?;
    Some(tenant)
}

/// A position in the text, and the JSON punctuation around values.
struct Cursor<'a> {
    text: &'a str,
    p: usize,
}

impl<'a> Cursor<'a> {
    fn ws(&mut self) {
        let b = self.text.as_bytes();
        while matches!(b.get(self.p), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            self.p += 1;
        }
    }

    /// Skips blanks, then `c` if it is next.
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.text.as_bytes().get(self.p) == Some(&c);
        self.p += usize::from(hit);
        hit
    }

    /// A key without escapes, and the colon after it.
    fn key(&mut self) -> Option<&'a str> {
        if !self.eat(b'"') {
            return None;
        }
        let start = self.p;
        let b = self.text.as_bytes();
        loop {
            match *b.get(self.p)? {
                b'"' => break,
                b'\\' => return None,
                c if c < 0x20 => return None,
                _ => self.p += 1,
            }
        }
        let key = &self.text[start..self.p];
        self.p += 1;
        self.eat(b':').then_some(key)
    }

    /// Skips one value.
    fn skip_value(&mut self) -> Option<()> {
        self.ws();
        let mut values = serde_json::Deserializer::from_str(self.text.get(self.p..)?).into_iter::<IgnoredAny>();
        values.next()?.ok()?;
        self.p += values.byte_offset();
        Some(())
    }

    /// Reads one row into `t`.
    fn row(&mut self, t: &mut TableBuilder) -> Option<()> {
        self.ws();
        let values = t.values.len();
        let mut de = serde_json::Deserializer::from_str(self.text.get(self.p..)?);
        RowSeed(t).deserialize(&mut de).ok()?;
        self.p += de.into_iter::<IgnoredAny>().byte_offset();
        // Read alone, a row may nest deeper than inside the whole file.
        t.values[values..].iter().all(|v| depth(v) <= MAX_VALUE_DEPTH).then_some(())
    }
}

/// Levels of arrays and objects in `v` (0 for a plain value).
fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(m) => 1 + m.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// The position of the `{` that opens the `rows` section.
fn find_rows(text: &str) -> Option<usize> {
    let mut c = Cursor { text, p: 0 };
    if !c.eat(b'{') {
        return None;
    }
    loop {
        let key = c.key()?;
        c.ws();
        if key == "rows" {
            return (text.as_bytes().get(c.p) == Some(&b'{')).then_some(c.p);
        }
        c.skip_value()?;
        if !c.eat(b',') {
            return None;
        }
    }
}

/// Where `n` pieces start: the section's `{`, then a likely row start near
/// each equal share of the rest of the text.
fn piece_starts(text: &str, rows_start: usize, n: usize) -> Vec<usize> {
    let len = text.len() - rows_start;
    let mut starts = vec![rows_start];
    for w in 1..n {
        let from = rows_start + len / n * w;
        match likely_row(text.as_bytes(), from) {
            Some(s) if starts.last().is_some_and(|&l| s > l) => starts.push(s),
            _ => {}
        }
    }
    starts
}

/// The first `{` from `from` on that follows a `}`, a comma and blanks.
fn likely_row(b: &[u8], mut from: usize) -> Option<usize> {
    let blank = |c: &u8| matches!(c, b' ' | b'\n' | b'\t' | b'\r');
    loop {
        let close = from + b.get(from..)?.iter().position(|&c| c == b'}')?;
        let mut j = close + 1;
        j += b.get(j..)?.iter().take_while(|c| blank(c)).count();
        if b.get(j) == Some(&b',') {
            j += 1;
            j += b.get(j..)?.iter().take_while(|c| blank(c)).count();
            if b.get(j) == Some(&b'{') {
                return Some(j);
            }
        }
        from = close + 1;
    }
}

/// How a piece ended.
enum End {
    /// At the start of a row, at or past the next piece's start.
    At(usize),
    /// After the `}` that closes the section.
    Closed(usize),
}

/// The tables (or parts of tables) one piece read.
struct Piece {
    /// Table builders in order; the first continues the table open where
    /// the piece started, unless the piece started at the section.
    tables: Vec<TableBuilder>,
    continued: bool,
    end: End,
}

/// Reads from `start` (the section's `{` when `first`, else a row) to the
/// first row at or past `stop`, or to the end of the section.
fn scan(text: &str, start: usize, first: bool, stop: usize) -> Option<Piece> {
    let mut c = Cursor { text, p: start };
    let mut tables = Vec::new();
    if first {
        if !c.eat(b'{') {
            return None;
        }
        if c.eat(b'}') {
            return Some(Piece { tables, continued: false, end: End::Closed(c.p) });
        }
        if let Some(end) = open_table(&mut c, &mut tables, false)? {
            return Some(Piece { tables, continued: false, end });
        }
    } else {
        tables.push(TableBuilder::new(String::new()));
    }
    loop {
        c.row(tables.last_mut()?)?;
        if c.eat(b',') {
            c.ws();
            if c.p >= stop {
                return Some(Piece { tables, continued: !first, end: End::At(c.p) });
            }
            continue;
        }
        if !c.eat(b']') {
            return None;
        }
        if let Some(end) = open_table(&mut c, &mut tables, true)? {
            return Some(Piece { tables, continued: !first, end });
        }
    }
}

/// After a table's `]` (`after`) or the section's `{`: opens the next
/// table with rows, skipping empty ones; the end when the section closes.
fn open_table(c: &mut Cursor<'_>, tables: &mut Vec<TableBuilder>, mut after: bool) -> Option<Option<End>> {
    loop {
        if after {
            if c.eat(b'}') {
                return Some(Some(End::Closed(c.p)));
            }
            if !c.eat(b',') {
                return None;
            }
        }
        let name = c.key()?;
        if !c.eat(b'[') {
            return None;
        }
        tables.push(TableBuilder::new(name.to_string()));
        if !c.eat(b']') {
            return Some(None);
        }
        after = true;
    }
}

/// Follows the pieces from the first, each from where the one before
/// stopped (reading again where no piece starts there): the tables' parts
/// in order, and the end of the section.
fn chain(text: &str, starts: &[usize], mut pieces: Vec<Option<Piece>>) -> Option<(Vec<Vec<TableBuilder>>, usize)> {
    let mut tables: Vec<Vec<TableBuilder>> = Vec::new();
    let mut piece = pieces.first_mut()?.take()?;
    loop {
        for (k, t) in piece.tables.into_iter().enumerate() {
            if k == 0 && piece.continued {
                tables.last_mut()?.push(t);
            } else {
                tables.push(vec![t]);
            }
        }
        let q = match piece.end {
            End::Closed(end) => return Some((tables, end)),
            End::At(q) => q,
        };
        piece = match starts.binary_search(&q) {
            Ok(j) => pieces.get_mut(j)?.take()?,
            Err(j) => scan(text, q, false, starts.get(j).copied().unwrap_or(usize::MAX))?,
        };
    }
}

/// Each table whole, from its parts (tables in parallel); `None` when a
/// table is named twice.
fn join(tables: Vec<Vec<TableBuilder>>) -> Option<RawRows> {
    let names: Vec<&str> = tables.iter().filter_map(|parts| parts.first().map(|t| t.name.as_str())).collect();
    if names.len() != tables.len() || names.iter().enumerate().any(|(i, n)| names[..i].contains(n)) {
        return None;
    }
    let out: Vec<Arc<super::table::RawTable>> = tables
        .into_par_iter()
        .map(|parts| {
            let mut parts = parts.into_iter();
            let mut t = parts.next().unwrap_or_default();
            let rest: Vec<TableBuilder> = parts.collect();
            t.reserve(&rest);
            for part in &rest {
                t.append(part);
            }
            Arc::new(t.finish())
        })
        .collect();
    Some(RawRows(out))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// The one-pass reading (what `parse_native` falls back to).
    fn one_pass(text: &str) -> Option<RawTenant> {
        let mut de = serde_json::Deserializer::from_str(text);
        let t = <RawTenant as Deserialize>::deserialize(ObjectOnly(&mut de)).ok()?;
        de.end().ok()?;
        Some(t)
    }

    /// Rows that look like row starts inside strings and nested values,
    /// columns in varying order and first met late, an empty table.
    const TRICKY: &str = r#"{"format": "portal-access/tenant@1",
 "rows": {
  "contact": [{"id": "C1", "note": "}, {\"id\": \"X\"}, {"}, {"id": "C2", "x": [1, {"a": "}, {"}], "y": null},
              {"x": 2.5, "id": "C3"}, {"id": "C4", "z": -3, "w": true, "\u00e9": "\u00fc\n"},
              {"id":"C5","note":"},{"} ,{"id":"C6", "late": {"k": [[], {}]}, "x": 1e300}],
  "empty": [ ],
  "account": [ {"id":"A1"} , {"id":"A2","name":"}, {"} ,{"id":"A3", "parentaccountid": "A1"}]
 },
 "web_roles": [{"id": "R"}], "role_members": {"contacts": [["C1", "R"]]}}"#;

    #[test]
    fn any_cut_gives_the_one_pass_tenant() {
        let want = one_pass(TRICKY).unwrap();
        assert_eq!(want.rows.0.len(), 3);
        assert_eq!(want.rows.0[0].len(), 6);
        for n in 1..60 {
            assert_eq!(parse_in(TRICKY, n).as_ref(), Some(&want), "{n} pieces");
        }
    }

    #[test]
    fn what_one_pass_rejects_is_rejected_at_any_cut() {
        let deep = |d: usize| format!(r#"{{"format": "x", "rows": {{"t": [{{"id": "a"}}, {{"id": "b", "v": {}{}}}]}}}}"#, "[".repeat(d), "]".repeat(d));
        let bad = [
            TRICKY.replacen(r#"{"id":"A1"} ,"#, r#"{"id":"A1"} ,,"#, 1),
            TRICKY.replacen(r#""parentaccountid": "A1"}]"#, r#""parentaccountid": "A1"},]"#, 1),
            TRICKY.replacen(r#"{"id":"C5""#, r#"{"id":5"#, 1),
            TRICKY.replacen(r#""empty": [ ],"#, r#""empty": [ ], "account": [],"#, 1),
            TRICKY.replacen(r#""x": 2.5, "id": "C3""#, r#""x": 2.5, "id": "C3", "x": 3"#, 1),
            TRICKY.replacen(r#""web_roles""#, r#""web_role""#, 1),
            TRICKY.replacen("]
 }", "]
 ", 1),
            deep(124),
        ];
        for (k, text) in bad.iter().enumerate() {
            assert!(one_pass(text).is_none(), "case {k} should fail in one pass");
            for n in 1..30 {
                assert!(parse_in(text, n).is_none(), "case {k}, {n} pieces");
            }
        }
        let ok = deep(123);
        assert!(one_pass(&ok).is_some());
        assert_eq!(parse_in(&ok, 3), one_pass(&ok));
    }

    #[test]
    fn likely_rows_follow_a_brace_and_a_comma() {
        let b = br#"[{"a":"}, x"}, {"b":1},{"c":2}]"#;
        assert_eq!(likely_row(b, 0), Some(15));
        assert_eq!(likely_row(b, 16), Some(23));
        assert_eq!(likely_row(b, 24), None);
    }

    #[test]
    fn the_rows_section_is_found_after_other_keys() {
        let text = r#" {"format": "x", "relationships": [{"a": "rows"}], "rows" : {"t": []}}"#;
        assert_eq!(&text[find_rows(text).unwrap()..], r#"{"t": []}}"#);
        assert_eq!(find_rows(r#"{"format": "x"}"#), None);
        assert_eq!(find_rows(r#"{"ro\u0077s": {}}"#), None);
    }
}
