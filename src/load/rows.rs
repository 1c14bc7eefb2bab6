//! Reading the `rows` section of native JSON straight into the compact
//! form of [`RawTable`]: each row's id is appended to the table's ids and
//! each value encoded into the row's string as the parser meets it; no row
//! is ever held as a generic JSON value (only arrays and objects inside a
//! row are, as they are rare and kept whole).

use super::raw::RawRows;
use super::strs::Strs;
use super::table::{decode, put_field, put_str, put_tagged, RawTable};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// A table being read: what [`RawTable::from_parts`] takes.
#[derive(Default)]
pub(crate) struct TableBuilder {
    pub(crate) name: String,
    pub(crate) columns: Vec<String>,
    pub(crate) ids: Strs,
    pub(crate) fields: Strs,
    pub(crate) values: Vec<Value>,
    /// Scratch: the columns of the row being read, in order.
    seen: Vec<u32>,
    /// The columns of the row read before, in order: rows mostly repeat
    /// their predecessor's keys, so each key is first compared with the
    /// one in its place there.
    order: Vec<u32>,
}

impl TableBuilder {
    pub(crate) fn new(name: String) -> TableBuilder {
        TableBuilder { name, ..TableBuilder::default() }
    }

    /// The table read.
    pub(crate) fn finish(mut self) -> RawTable {
        self.ids.shrink_to_fit();
        self.fields.shrink_to_fit();
        RawTable::from_parts(self.name, self.columns, self.ids, self.fields, self.values)
    }

    /// Makes room for the rows of `parts`.
    pub(crate) fn reserve(&mut self, parts: &[TableBuilder]) {
        let count = |f: fn(&TableBuilder) -> (usize, usize)| parts.iter().map(f).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        let (n, bytes) = count(|p| (p.ids.len(), p.ids.text_len()));
        self.ids.reserve(n, bytes);
        let (n, bytes) = count(|p| (p.fields.len(), p.fields.text_len()));
        self.fields.reserve(n, bytes);
    }

    /// Appends the rows of `part`, a later part of the same table read on
    /// its own: its column numbers (and array and object numbers) are
    /// translated to this table's when they differ.
    pub(crate) fn append(&mut self, part: &TableBuilder) {
        let map: Vec<u32> = part.columns.iter().map(|c| self.column(c)).collect();
        self.ids.append(&part.ids);
        if part.values.is_empty() && map.iter().enumerate().all(|(i, &c)| c as usize == i) {
            self.fields.append(&part.fields);
            return;
        }
        for row in part.fields.iter() {
            let out = self.fields.open();
            for (c, cell) in decode(row, &part.values) {
                put_field(out, &mut self.values, map[c as usize], &cell.to_value());
            }
            self.fields.close();
        }
    }

    /// Index of a column name, added when new.
    fn column(&mut self, name: &str) -> u32 {
        match self.columns.iter().position(|c| c == name) {
            Some(i) => i as u32,
            None => {
                self.columns.push(name.to_string());
                (self.columns.len() - 1) as u32
            }
        }
    }
}

impl<'de> Deserialize<'de> for RawRows {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(RowsVisitor)
    }
}

struct RowsVisitor;
impl<'de> Visitor<'de> for RowsVisitor {
    type Value = RawRows;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object from table name to an array of rows")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawRows, A::Error> {
        let mut out: Vec<Arc<RawTable>> = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            if out.iter().any(|t| t.name == name) {
                return Err(de::Error::custom(format!("table `{name}` appears twice")));
            }
            let mut table = TableBuilder::new(name);
            map.next_value_seed(TableSeed(&mut table))?;
            out.push(Arc::new(table.finish()));
        }
        Ok(RawRows(out))
    }
}

/// The array of rows of one table, into its builder.
pub(crate) struct TableSeed<'a>(pub(crate) &'a mut TableBuilder);
impl<'de> DeserializeSeed<'de> for TableSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}
impl<'de> Visitor<'de> for TableSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of row objects")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(RowSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

/// A key of a row object: `id`, or the index of a column of its table.
enum Key {
    Id,
    Column(u32),
}

/// Reads a row key without allocating it (the column names are interned
/// in the table once).
struct KeySeed<'a>(&'a mut TableBuilder);
impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}
impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        let t = self.0;
        if key == "id" {
            return Ok(Key::Id);
        }
        if let Some(&c) = t.order.get(t.seen.len()) {
            if t.columns.get(c as usize).is_some_and(|name| name == key) {
                return Ok(Key::Column(c));
            }
        }
        Ok(Key::Column(t.column(key)))
    }
}

/// One row into its table.
pub(crate) struct RowSeed<'a>(pub(crate) &'a mut TableBuilder);
impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}
impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a row object with a string `id`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let t = self.0;
        let mut has_id = false;
        t.seen.clear();
        // A failed row leaves nothing half-written behind.
        t.ids.discard_open();
        t.fields.discard_open();
        while let Some(key) = map.next_key_seed(KeySeed(&mut *t))? {
            match key {
                Key::Id => {
                    if has_id {
                        return Err(de::Error::duplicate_field("id"));
                    }
                    map.next_value_seed(IdSeed(t.ids.open()))?;
                    has_id = true;
                }
                Key::Column(ci) => {
                    map.next_value_seed(CellSeed { column: ci, out: t.fields.open(), values: &mut t.values })?;
                    if t.seen.contains(&ci) {
                        let key = t.columns.get(ci as usize).map(String::as_str).unwrap_or_default();
                        return Err(de::Error::custom(format!("duplicate column `{key}`")));
                    }
                    t.seen.push(ci);
                }
            }
        }
        if !has_id {
            return Err(de::Error::missing_field("id"));
        }
        t.ids.close();
        t.fields.close();
        std::mem::swap(&mut t.order, &mut t.seen);
        Ok(())
    }
}

/// A row id, appended to the ids being written.
struct IdSeed<'a>(&'a mut String);
impl<'de> DeserializeSeed<'de> for IdSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_string(self)
    }
}
impl<'de> Visitor<'de> for IdSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        self.0.push_str(s);
        Ok(())
    }
}

/// One value of a row, encoded onto the row being written.
struct CellSeed<'a> {
    column: u32,
    out: &'a mut String,
    values: &'a mut Vec<Value>,
}
impl CellSeed<'_> {
    fn tag(self, tag: char, n: u64) {
        super::strs::put_num(self.out, u64::from(self.column));
        put_tagged(self.out, tag, n);
    }
    fn plain(self, tag: char) {
        super::strs::put_num(self.out, u64::from(self.column));
        self.out.push(tag);
    }
    fn whole(self, v: Value) {
        let n = self.values.len() as u64;
        self.values.push(v);
        self.tag('v', n);
    }
}
impl<'de> DeserializeSeed<'de> for CellSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}
impl<'de> Visitor<'de> for CellSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.plain('n');
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.visit_unit()
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<(), E> {
        self.plain(if b { 't' } else { 'f' });
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, n: u64) -> Result<(), E> {
        self.tag('u', n);
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, n: i64) -> Result<(), E> {
        match u64::try_from(n) {
            Ok(u) => self.tag('u', u),
            Err(_) => self.tag('i', n as u64),
        }
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, x: f64) -> Result<(), E> {
        if x.is_finite() {
            self.tag('d', x.to_bits());
        } else {
            self.plain('n');
        }
        Ok(())
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        super::strs::put_num(self.out, u64::from(self.column));
        put_str(self.out, s);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        let v = Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        self.whole(v);
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let v = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.whole(v);
        Ok(())
    }
}
