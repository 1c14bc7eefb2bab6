//! The rows of one table as the raw tenant keeps them: compact, row by
//! row. Row ids are one [`Strs`] (shared with the model's table, so they
//! are held once); each row's other columns are one encoded string in a
//! second [`Strs`], in the order the row gave them. A large tenant's rows
//! thus cost a few bytes of overhead each, not one allocation per value.
//!
//! The encoding of a row, field after field: the column index
//! ([`put_num`]), a tag, and the value: `n` null, `t` / `f` a boolean, `s`
//! a string (its length, then its text), `u` an integer from 0 up, `i` a
//! negative integer (its two's complement bits), `d` any other number (its
//! `f64` bits), `v` an array or object (its index in the table's `values`).
//! Every value comes back exactly as it was read.

use super::strs::{put_num, take_num, Strs};
use serde::ser::Serializer;
use serde::Serialize;
use serde_json::{Number, Value};
use std::sync::Arc;

/// One value of a row, as stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A string.
    Str(&'a str),
    /// An integer from 0 up.
    U64(u64),
    /// A negative integer.
    I64(i64),
    /// Any other number.
    F64(f64),
    /// An array or an object.
    Value(&'a Value),
}

impl Cell<'_> {
    /// The value as a JSON value.
    pub fn to_value(&self) -> Value {
        match *self {
            Cell::Null => Value::Null,
            Cell::Bool(b) => Value::Bool(b),
            Cell::Str(s) => Value::String(s.to_string()),
            Cell::U64(n) => Value::Number(n.into()),
            Cell::I64(n) => Value::Number(n.into()),
            Cell::F64(x) => Number::from_f64(x).map_or(Value::Null, Value::Number),
            Cell::Value(v) => v.clone(),
        }
    }

    /// The string, when the value is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Cell::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl Serialize for Cell<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Cell::Null => s.serialize_unit(),
            Cell::Bool(b) => s.serialize_bool(b),
            Cell::Str(x) => s.serialize_str(x),
            Cell::U64(n) => s.serialize_u64(n),
            Cell::I64(n) => s.serialize_i64(n),
            Cell::F64(x) => match Number::from_f64(x) {
                Some(_) => s.serialize_f64(x),
                None => s.serialize_unit(),
            },
            Cell::Value(v) => v.serialize(s),
        }
    }
}

/// A row as owned values: for building rows and for reading one whole.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// The row id, unique within its table.
    pub id: String,
    /// Other columns, by index into [`RawTable::columns`], in row order.
    pub fields: Vec<(u32, Value)>,
}

impl RawRow {
    /// The value of a column, by name.
    pub fn get<'a>(&'a self, table: &RawTable, column: &str) -> Option<&'a Value> {
        let ci = table.column_index(column)?;
        self.fields.iter().find(|(c, _)| *c == ci).map(|(_, v)| v)
    }
}

/// Appends one field to an encoded row.
pub(crate) fn put_field(out: &mut String, values: &mut Vec<Value>, column: u32, v: &Value) {
    put_num(out, u64::from(column));
    match v {
        Value::Null => out.push('n'),
        Value::Bool(true) => out.push('t'),
        Value::Bool(false) => out.push('f'),
        Value::String(s) => put_str(out, s),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => put_tagged(out, 'u', u),
            (None, Some(i), _) => put_tagged(out, 'i', i as u64),
            (_, _, Some(x)) => put_tagged(out, 'd', x.to_bits()),
            _ => out.push('n'),
        },
        Value::Array(_) | Value::Object(_) => {
            put_tagged(out, 'v', values.len() as u64);
            values.push(v.clone());
        }
    }
}

/// The fields of the encoded row `row` whose arrays and objects are `values`.
pub(crate) fn decode<'a>(row: &'a str, values: &'a [Value]) -> Fields<'a> {
    Fields { rest: row, values }
}

/// Appends a string value (its tag, length and text) to an encoded row.
pub(crate) fn put_str(out: &mut String, s: &str) {
    put_tagged(out, 's', s.len() as u64);
    out.push_str(s);
}

/// Appends a tag and a number to an encoded row.
pub(crate) fn put_tagged(out: &mut String, tag: char, n: u64) {
    out.push(tag);
    put_num(out, n);
}

/// The fields of an encoded row, in row order.
pub struct Fields<'a> {
    rest: &'a str,
    values: &'a [Value],
}

impl<'a> Iterator for Fields<'a> {
    type Item = (u32, Cell<'a>);
    fn next(&mut self) -> Option<(u32, Cell<'a>)> {
        if self.rest.is_empty() {
            return None;
        }
        let (column, rest) = take_num(self.rest)?;
        let tag = rest.as_bytes().first().copied();
        let rest = rest.get(1..)?;
        let (cell, rest) = match tag? {
            b'n' => (Cell::Null, rest),
            b't' => (Cell::Bool(true), rest),
            b'f' => (Cell::Bool(false), rest),
            tag => {
                let (n, rest) = take_num(rest)?;
                match tag {
                    b's' => {
                        let text = rest.get(..n as usize)?;
                        (Cell::Str(text), &rest[n as usize..])
                    }
                    b'u' => (Cell::U64(n), rest),
                    b'i' => (Cell::I64(n as i64), rest),
                    b'd' => (Cell::F64(f64::from_bits(n)), rest),
                    b'v' => (Cell::Value(self.values.get(n as usize)?), rest),
                    _ => return None,
                }
            }
        };
        self.rest = rest;
        Some((column as u32, cell))
    }
}

/// The rows of one table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawTable {
    /// Table logical name.
    pub name: String,
    /// Column names used by the rows (besides `id`).
    pub columns: Vec<String>,
    /// Row ids in document order (shared with the model's table).
    ids: Arc<Strs>,
    /// Each row's fields, encoded.
    fields: Strs,
    /// The arrays and objects among the values.
    values: Vec<Value>,
}

impl RawTable {
    /// A table without rows.
    pub fn new(name: &str) -> RawTable {
        RawTable { name: name.to_string(), ..RawTable::default() }
    }

    /// A table from its parts, as the parser assembles them: ids, encoded
    /// fields (one per id) and the arrays and objects they index.
    pub(crate) fn from_parts(name: String, columns: Vec<String>, ids: Strs, fields: Strs, values: Vec<Value>) -> RawTable {
        RawTable { name, columns, ids: Arc::new(ids), fields, values }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether it has no rows.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The row ids, in order.
    pub fn ids(&self) -> &Arc<Strs> {
        &self.ids
    }

    /// The id of row `i`.
    pub fn id(&self, i: usize) -> Option<&str> {
        self.ids.get(i)
    }

    /// The position of the row with id `id` (the first, if several).
    pub fn position(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|x| x == id)
    }

    /// Index of a column name, added when new.
    pub fn column(&mut self, name: &str) -> u32 {
        match self.column_index(name) {
            Some(i) => i,
            None => {
                self.columns.push(name.to_string());
                (self.columns.len() - 1) as u32
            }
        }
    }

    /// Index of a column name.
    pub fn column_index(&self, name: &str) -> Option<u32> {
        self.columns.iter().position(|c| c == name).map(|i| i as u32)
    }

    /// The fields of row `i`, in row order.
    pub fn fields(&self, i: usize) -> Fields<'_> {
        Fields { rest: self.fields.get(i).unwrap_or(""), values: &self.values }
    }

    /// The value of column `column` in row `i`.
    pub fn get(&self, i: usize, column: &str) -> Option<Cell<'_>> {
        let ci = self.column_index(column)?;
        self.fields(i).find(|(c, _)| *c == ci).map(|(_, v)| v)
    }

    /// Row `i` as owned values.
    pub fn row(&self, i: usize) -> Option<RawRow> {
        let id = self.ids.get(i)?.to_string();
        Some(RawRow { id, fields: self.fields(i).map(|(c, v)| (c, v.to_value())).collect() })
    }

    /// The rows as owned values, in order.
    pub fn rows(&self) -> impl Iterator<Item = RawRow> + '_ {
        (0..self.len()).filter_map(|i| self.row(i))
    }

    /// Appends a row; its fields index [`RawTable::columns`].
    pub fn push(&mut self, row: RawRow) {
        let ids = Arc::make_mut(&mut self.ids);
        ids.push(&row.id);
        let out = self.fields.open();
        for (c, v) in &row.fields {
            put_field(out, &mut self.values, *c, v);
        }
        self.fields.close();
    }

    /// Rewrites every row with `edit`, in order; a row for which it
    /// returns `false` is dropped.
    pub fn edit_rows(&mut self, mut edit: impl FnMut(usize, &mut RawRow) -> bool) {
        let mut out = RawTable { name: std::mem::take(&mut self.name), columns: std::mem::take(&mut self.columns), ..RawTable::default() };
        for i in 0..self.len() {
            let Some(mut row) = self.row(i) else { continue };
            if edit(i, &mut row) {
                out.push(row);
            }
        }
        *self = out;
    }

    /// Replaces row `i` with `row`, or removes it (`None`). The other rows
    /// are copied as they are stored, not decoded.
    pub fn replace_row(&mut self, i: usize, row: Option<RawRow>) {
        if !self.values.is_empty() {
            // Array and object values are numbered in row order: renumber.
            let mut row = row;
            return self.edit_rows(|k, r| {
                if k != i {
                    return true;
                }
                match row.take() {
                    Some(new) => {
                        *r = new;
                        true
                    }
                    None => false,
                }
            });
        }
        let (mut ids, mut fields) = (Strs::with_capacity(self.len(), self.ids.text_len()), Strs::new());
        for k in 0..self.len() {
            if k != i {
                ids.push(&self.ids[k]);
                fields.push(self.fields.get(k).unwrap_or_default());
            } else if let Some(new) = &row {
                ids.push(&new.id);
                let out = fields.open();
                for (c, v) in &new.fields {
                    put_field(out, &mut self.values, *c, v);
                }
                fields.close();
            }
        }
        self.ids = Arc::new(ids);
        self.fields = fields;
    }

    /// Which columns some row has (by index into [`RawTable::columns`]).
    pub fn used_columns(&self) -> Vec<bool> {
        let mut used = vec![false; self.columns.len()];
        for i in 0..self.len() {
            for (c, _) in self.fields(i) {
                if let Some(u) = used.get_mut(c as usize) {
                    *u = true;
                }
            }
        }
        used
    }

    /// Memory held by the rows, in bytes (ids, fields, values' headers).
    pub fn heap_bytes(&self) -> usize {
        self.ids.heap_bytes() + self.fields.heap_bytes() + self.values.capacity() * std::mem::size_of::<Value>()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use serde_json::json;

    #[test]
    fn every_value_comes_back_as_it_was() {
        let mut t = RawTable::new("x");
        let values = [
            json!(null), json!(true), json!(false), json!("été"), json!(""), json!(0), json!(u64::MAX),
            json!(-1), json!(i64::MIN), json!(1.5), json!(-0.0), json!(1e300), json!([1, {"a": [null]}]),
            json!({"b": 1, "a": 2}),
        ];
        let fields: Vec<(u32, Value)> = values.iter().enumerate().map(|(k, v)| {
            let c = t.column(&format!("c{}", values.len() - k));
            (c, v.clone())
        }).collect();
        t.push(RawRow { id: "R1".into(), fields: fields.clone() });
        t.push(RawRow { id: "R2".into(), fields: vec![] });
        assert_eq!(t.row(0).unwrap(), RawRow { id: "R1".into(), fields });
        assert_eq!(t.row(1).unwrap(), RawRow { id: "R2".into(), fields: vec![] });
        assert_eq!(t.get(0, "c10"), Some(Cell::Str("")));
        assert_eq!(t.get(0, "c11"), Some(Cell::Str("été")));
        assert_eq!(t.get(0, "c1").map(|c| c.to_value()), Some(json!({"b": 1, "a": 2})));
        assert_eq!(t.get(1, "c1"), None);
        assert_eq!(serde_json::to_string(&t.get(0, "c3").unwrap()).unwrap(), serde_json::to_string(&json!(1e300)).unwrap());
        assert_eq!(serde_json::to_string(&t.get(0, "c4").unwrap()).unwrap(), "-0.0");
        assert_eq!(t.position("R2"), Some(1));
    }

    #[test]
    fn edits_rewrite_rows_in_order() {
        let mut t = RawTable::new("x");
        for i in 0..5 {
            let c = t.column("n");
            t.push(RawRow { id: format!("R{i}"), fields: vec![(c, json!(i))] });
        }
        t.edit_rows(|i, r| {
            r.fields.push((0, json!("x")));
            i != 2
        });
        assert_eq!(t.ids().to_vec(), ["R0", "R1", "R3", "R4"]);
        assert_eq!(t.row(2).unwrap().fields, vec![(0, json!(3)), (0, json!("x"))]);
        assert_eq!(t.used_columns(), vec![true]);
        // One row replaced, one removed: the others are kept as stored.
        let mut u = t.clone();
        u.replace_row(1, Some(RawRow { id: "N".into(), fields: vec![(0, json!([1]))] }));
        u.replace_row(0, None);
        assert_eq!(u.ids().to_vec(), ["N", "R3", "R4"]);
        assert_eq!(u.row(0).unwrap().fields, vec![(0, json!([1]))]);
        assert_eq!(u.row(2).unwrap(), t.row(3).unwrap());
        // With an array among the values, rows are renumbered: the same as built afresh.
        u.replace_row(0, Some(RawRow { id: "M".into(), fields: vec![] }));
        let mut fresh = RawTable::new("x");
        fresh.columns = u.columns.clone();
        for r in u.rows() {
            fresh.push(r);
        }
        assert_eq!(u, fresh);
    }
}
