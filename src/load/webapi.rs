//! Dataverse Web API pages under a tenant folder's `data/`: one collection
//! `{"value": [...]}` per file, several pages per table (`incident.json`,
//! `incident.2.json`, ...), role-membership intersect files, and the intersect
//! files of N:N relationships declared in `relationships.json`.

use std::sync::Arc;
use super::files::{display, read_error};
use crate::error::LoadError;
use crate::load::raw::{RawRelationship, RawRow, RawTenant};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// `relationships.json`: `{"relationships": [...]}` in the native form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RelationshipsFile {
    /// Declared relationships.
    #[serde(default)]
    pub relationships: Vec<RawRelationship>,
}

/// Membership intersect files for contacts (classic and enhanced data model).
const CONTACT_MEMBERS: &[&str] = &["adx_webrole_contact", "powerpagecomponent_mspp_webrole_contact", "mspp_webrole_contact"];
/// Membership intersect files for accounts.
const ACCOUNT_MEMBERS: &[&str] = &["adx_webrole_account", "powerpagecomponent_mspp_webrole_account", "mspp_webrole_account"];
/// The web role id column of a membership row.
const ROLE_COLUMNS: &[&str] = &["adx_webroleid", "mspp_webroleid", "powerpagecomponentid"];
/// The annotation naming a lookup's target table.
const LOOKUP_TABLE: &str = "Microsoft.Dynamics.CRM.lookuplogicalname";

/// Where each raw item of a folder tenant came from, to report the
/// validator's errors at the data file and row that caused them.
#[derive(Debug, Clone, Default)]
pub struct Locator {
    relationships: Option<String>,
    files: Vec<String>,
    tables: HashMap<String, TableSource>,
    contact_members: Vec<(u32, u32, u8)>,
    account_members: Vec<(u32, u32, u8)>,
    associations: HashMap<String, Intersect>,
}

/// The `(file, index)` of each pair of an N:N intersect file, and its two columns.
type Intersect = (Vec<(u32, u32)>, [String; 2]);

#[derive(Debug, Clone, Default)]
struct TableSource {
    id_column: String,
    lookups: HashSet<String>,
    rows: Vec<(u32, u32)>,
}

impl Locator {
    pub(super) fn new(relationships: Option<String>) -> Locator {
        Locator { relationships, ..Locator::default() }
    }

    fn file(&mut self, name: String) -> u32 {
        self.files.push(name);
        (self.files.len() - 1) as u32
    }

    /// Moves an error the validator reported against the folder (at a raw
    /// path such as `rows.incident[3].customerid`) to the file and JSON path
    /// it came from.
    pub fn relocate(&self, source: &str, e: LoadError) -> LoadError {
        match e {
            LoadError::Invalid { file, place, message } if file == source => {
                match self.locate(place.trim_matches('`')) {
                    Some((file, path)) => LoadError::Invalid { file, place: format!("`{path}`"), message },
                    None => LoadError::Invalid { file, place, message },
                }
            }
            other => other,
        }
    }

    /// Drops the membership rows of `raw` whose role id names no role in
    /// `roles` (folder tenants: a broken reference, PP026), keeping the
    /// places of the others in step. Each dropped row as `(contact?,
    /// member, role, file, JSON path of its role id)`.
    pub(super) fn drop_members(
        &mut self,
        raw: &mut RawTenant,
        roles: &HashSet<String>,
    ) -> Vec<(bool, String, String, String, String)> {
        let members = &raw.role_members;
        if members.contacts.iter().chain(&members.accounts).all(|(_, r)| roles.contains(r)) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let all = Arc::make_mut(&mut raw.role_members);
        let files = &self.files;
        let at = |(f, k, c): (u32, u32, u8)| {
            let column = ROLE_COLUMNS.get(c as usize).copied().unwrap_or_default();
            (files.get(f as usize).cloned().unwrap_or_default(), format!("value[{k}].{column}"))
        };
        for (contact, list, places) in
            [(true, &mut all.contacts, &mut self.contact_members), (false, &mut all.accounts, &mut self.account_members)]
        {
            let mut kept = Vec::new();
            let mut kept_places = Vec::new();
            for (i, (member, role)) in std::mem::take(list).into_iter().enumerate() {
                let place = places.get(i).copied();
                if roles.contains(&role) {
                    kept.push((member, role));
                    kept_places.extend(place);
                    continue;
                }
                let (file, path) = place.map(at).unwrap_or_default();
                out.push((contact, member, role, file, path));
            }
            *list = kept;
            *places = kept_places;
        }
        out
    }

    fn at(&self, (f, k): (u32, u32), tail: &str) -> Option<(String, String)> {
        Some((self.files.get(f as usize)?.clone(), format!("value[{k}]{tail}")))
    }

    fn locate(&self, path: &str) -> Option<(String, String)> {
        if path.starts_with("relationships") {
            return Some((self.relationships.clone()?, path.to_string()));
        }
        if let Some(rest) = path.strip_prefix("rows.") {
            let (table, i, tail) = indexed(rest)?;
            let src = self.tables.get(table)?;
            let col = match tail.strip_prefix('.') {
                None => String::new(),
                Some("id") => format!(".{}", src.id_column),
                Some(c) if src.lookups.contains(c) => format!("._{c}_value"),
                Some(c) => format!(".{c}"),
            };
            return self.at(*src.rows.get(i)?, &col);
        }
        for (prefix, list, first) in
            [("role_members.contacts", &self.contact_members, "contactid"), ("role_members.accounts", &self.account_members, "accountid")]
        {
            if let Some(rest) = path.strip_prefix(prefix) {
                let (_, i, tail) = indexed(rest)?;
                let &(f, k, role_col) = list.get(i)?;
                let col = match tail {
                    "[0]" => format!(".{first}"),
                    "[1]" => format!(".{}", ROLE_COLUMNS.get(role_col as usize)?),
                    _ => String::new(),
                };
                return self.at((f, k), &col);
            }
        }
        if let Some(rest) = path.strip_prefix("associations.") {
            let (name, i, tail) = indexed(rest)?;
            let (rows, cols) = self.associations.get(name)?;
            let col = match tail {
                "[0]" => format!(".{}", cols[0]),
                "[1]" => format!(".{}", cols[1]),
                _ => String::new(),
            };
            return self.at(*rows.get(i)?, &col);
        }
        None
    }
}

/// Splits `name[3].rest` into (`name`, 3, `.rest`).
fn indexed(s: &str) -> Option<(&str, usize, &str)> {
    let open = s.find('[')?;
    let close = open + s[open..].find(']')?;
    let i = s[open + 1..close].parse().ok()?;
    Some((&s[..open], i, &s[close + 1..]))
}

struct Page {
    path: PathBuf,
    base: String,
}

/// The `.json` files of `dir`, grouped by table and ordered by page number
/// (`incident.json` is page 1, `incident.2.json` page 2, ...).
fn pages(dir: &Path) -> Result<Vec<Page>, LoadError> {
    let mut out: Vec<(String, u64, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| read_error(dir, e))? {
        let entry = entry.map_err(|e| read_error(dir, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".json") else { continue };
        if !path.is_file() || stem.is_empty() || stem.starts_with('.') {
            continue;
        }
        let (base, number) = match stem.rsplit_once('.') {
            Some((b, n)) if !b.is_empty() && !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => {
                (b.to_string(), n.parse::<u64>().unwrap_or(u64::MAX))
            }
            _ => (stem.to_string(), 1),
        };
        out.push((base, number, path));
    }
    out.sort();
    Ok(out.into_iter().map(|(base, _, path)| Page { path, base }).collect())
}

fn bad(file: &str, path: impl AsRef<str>, message: impl Into<String>) -> LoadError {
    LoadError::at(file, path, message)
}

/// Reads one page: the row objects of its `value` array.
fn read_page(path: &Path, inputs: &mut Vec<PathBuf>) -> Result<(String, Vec<Map<String, Value>>), LoadError> {
    let file = display(path);
    let text = std::fs::read_to_string(path).map_err(|e| read_error(path, e))?;
    inputs.push(path.to_path_buf());
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let doc: Value = crate::load::native::parse_json(text, &file)?;
    let Value::Object(top) = doc else {
        return Err(LoadError::Invalid {
            file,
            place: "the top level".to_string(),
            message: "expected a Web API collection `{\"value\": [...]}`".to_string(),
        });
    };
    let mut rows = None;
    for (key, v) in top {
        if key == "value" {
            let Value::Array(items) = v else {
                return Err(bad(&file, "value", "expected an array of rows"));
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Value::Object(m) => out.push(m),
                    _ => return Err(bad(&file, format!("value[{i}]"), "expected a row object")),
                }
            }
            rows = Some(out);
        } else if !key.starts_with('@') {
            return Err(bad(&file, &key, format!("unknown key `{key}` (a Web API page holds `value` and `@odata.*` keys)")));
        }
    }
    let rows = rows.ok_or_else(|| LoadError::Invalid {
        file: file.clone(),
        place: "the top level".to_string(),
        message: "missing `value` (expected a Web API collection `{\"value\": [...]}`)".to_string(),
    })?;
    Ok((file, rows))
}

fn text_column<'a>(row: &'a Map<String, Value>, file: &str, k: usize, col: &str) -> Result<&'a str, LoadError> {
    match row.get(col) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(other) => Err(bad(file, format!("value[{k}].{col}"), format!("expected a string id, found {other}"))),
        None => Err(bad(file, format!("value[{k}]"), format!("missing `{col}`"))),
    }
}

/// Reads every page of `dir` into `raw`.
pub(super) fn read_data(
    dir: &Path,
    raw: &mut RawTenant,
    locator: &mut Locator,
    inputs: &mut Vec<PathBuf>,
) -> Result<(), LoadError> {
    // N:N intersect files declared in relationships.json.
    let mut intersects: HashMap<String, (String, [String; 2])> = HashMap::new();
    for (i, r) in raw.relationships.iter().enumerate() {
        if r.kind.as_deref() != Some("many_to_many") {
            continue;
        }
        let Some([a, b]) = r.tables.as_deref() else { continue };
        let columns = match r.columns.as_deref() {
            Some([x, y]) => [x.clone(), y.clone()],
            Some(_) => {
                let file = locator.relationships.clone().unwrap_or_default();
                return Err(bad(&file, format!("relationships[{i}].columns"), "expected the two id columns of the intersect file"));
            }
            None if a != b => [format!("{a}id"), format!("{b}id")],
            None => continue,
        };
        let intersect = r.intersect.clone().unwrap_or_else(|| r.name.clone());
        intersects.insert(intersect, (r.name.clone(), columns));
    }

    let mut pairs: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for page in pages(dir)? {
        let (file, rows) = read_page(&page.path, inputs)?;
        let f = locator.file(file.clone());
        let base = page.base.as_str();
        let contacts = CONTACT_MEMBERS.contains(&base);
        if contacts || ACCOUNT_MEMBERS.contains(&base) {
            let who = if contacts { "contactid" } else { "accountid" };
            for (k, row) in rows.iter().enumerate() {
                let member = text_column(row, &file, k, who)?.to_string();
                let role_col = ROLE_COLUMNS.iter().position(|c| row.contains_key(*c)).ok_or_else(|| {
                    bad(&file, format!("value[{k}]"), "missing the web role id (`adx_webroleid` or `powerpagecomponentid`)")
                })?;
                let role = text_column(row, &file, k, ROLE_COLUMNS[role_col])?.to_string();
                let entry = (f, k as u32, role_col as u8);
                if contacts {
                    Arc::make_mut(&mut raw.role_members).contacts.push((member, role));
                    locator.contact_members.push(entry);
                } else {
                    Arc::make_mut(&mut raw.role_members).accounts.push((member, role));
                    locator.account_members.push(entry);
                }
            }
        } else if let Some((name, columns)) = intersects.get(base) {
            let list = pairs.entry(name.clone()).or_default();
            let (sources, _) = locator.associations.entry(name.clone()).or_insert_with(|| (Vec::new(), columns.clone()));
            for (k, row) in rows.iter().enumerate() {
                let a = text_column(row, &file, k, &columns[0])?;
                let b = text_column(row, &file, k, &columns[1])?;
                list.push(Value::Array(vec![Value::String(a.to_string()), Value::String(b.to_string())]));
                sources.push((f, k as u32));
            }
        } else {
            table_rows(base, &file, f, rows, raw, locator)?;
        }
    }
    for (name, list) in pairs {
        std::sync::Arc::make_mut(&mut raw.associations).insert(name, Value::Array(list));
    }
    Ok(())
}

/// The rows of one page of table `table`.
fn table_rows(
    table: &str,
    file: &str,
    f: u32,
    rows: Vec<Map<String, Value>>,
    raw: &mut RawTenant,
    locator: &mut Locator,
) -> Result<(), LoadError> {
    let own_id = format!("{table}id");
    let source = locator.tables.entry(table.to_string()).or_default();
    let mut targets = Vec::new();
    let raw_table = raw.table_mut(table);
    for (k, row) in rows.into_iter().enumerate() {
        // A row's id is `<table>id`, or `activityid` for activity tables.
        let id_col = if row.contains_key(&own_id) || !row.contains_key("activityid") { own_id.as_str() } else { "activityid" };
        if !row.contains_key(id_col) {
            return Err(bad(file, format!("value[{k}]"), format!("missing the row id (`{own_id}`, or `activityid` for an activity table)")));
        }
        let id = text_column(&row, file, k, id_col)?.to_string();
        source.id_column = id_col.to_string();
        let mut fields: Vec<(u32, Value)> = Vec::new();
        for (key, value) in &row {
            if key == id_col || key.contains('@') {
                continue;
            }
            let (column, lookup) = match key.strip_prefix('_').and_then(|s| s.strip_suffix("_value")) {
                Some(c) if !c.is_empty() => (c, true),
                _ => (key.as_str(), false),
            };
            if !lookup && row.contains_key(&format!("_{key}_value")) {
                continue; // the lookup form of the same column wins
            }
            if lookup {
                if !source.lookups.contains(column) {
                    source.lookups.insert(column.to_string());
                }
                let target = row.get(&format!("{key}@{LOOKUP_TABLE}"));
                if let (Value::String(v), Some(Value::String(target))) = (value, target) {
                    targets.push(((table.to_string(), id.clone(), column.to_string(), v.clone()), target.clone()));
                }
            }
            let ci = raw_table.column(column);
            fields.push((ci, value.clone()));
        }
        raw_table.push(RawRow { id, fields });
        source.rows.push((f, k as u32));
    }
    raw.lookup_targets.extend(targets);
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn indexed_paths() {
        assert_eq!(indexed("incident[3].customerid"), Some(("incident", 3, ".customerid")));
        assert_eq!(indexed("contacts[2][1]"), Some(("contacts", 2, "[1]")));
        assert_eq!(indexed("nothing"), None);
    }
}
