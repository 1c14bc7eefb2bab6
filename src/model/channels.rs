//! The exposure channels' configuration (channels.md): site settings (C1),
//! column permission profiles (C5) and components (C11), validated against
//! the tables and web roles of the tenant.
//!
//! This is the model's part: names are normalised (settings by lower-case
//! name, the last active one winning, C1; column names in lower case) and
//! references resolved to ids. What the settings *mean* (open tables,
//! listed columns, the newcomer) is derived twice, independently, by
//! `engine::channels` and `engine::walk_channels`.

use super::builder::invalid;
use super::{kind_of, RoleId, TableId};
use crate::error::LoadError;
use crate::load::raw::RawTenant;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// A column privilege of a column permission profile (C5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ColumnPrivilege {
    /// `create` (code 746610000).
    Create,
    /// `read` (code 746610001).
    Read,
    /// `update` (code 746610002).
    Update,
}

impl ColumnPrivilege {
    /// The three, in code order.
    pub const ALL: [ColumnPrivilege; 3] = [ColumnPrivilege::Create, ColumnPrivilege::Read, ColumnPrivilege::Update];

    /// The name used in files and answers.
    pub fn name(self) -> &'static str {
        match self {
            ColumnPrivilege::Create => "create",
            ColumnPrivilege::Read => "read",
            ColumnPrivilege::Update => "update",
        }
    }

    /// A name or a Dataverse code.
    pub fn parse(v: &Value) -> Option<ColumnPrivilege> {
        match v {
            Value::String(s) => ColumnPrivilege::ALL.into_iter().find(|p| p.name() == s),
            Value::Number(n) => match n.as_u64()? {
                746610000 => Some(ColumnPrivilege::Create),
                746610001 => Some(ColumnPrivilege::Read),
                746610002 => Some(ColumnPrivilege::Update),
                _ => None,
            },
            _ => None,
        }
    }

    /// Its bit in a [`ColumnPrivileges`] mask.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of column privileges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ColumnPrivileges(pub u8);

impl ColumnPrivileges {
    /// Whether `q` is in the set.
    pub fn has(self, q: ColumnPrivilege) -> bool {
        self.0 & q.bit() != 0
    }
}

/// A column permission profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnProfile {
    /// Id as in the file.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The table it secures.
    pub table: TableId,
    /// Linked web roles.
    pub roles: Vec<RoleId>,
    /// Privileges on every column it does not list.
    pub all_columns: ColumnPrivileges,
    /// Listed columns (lower case, sorted) and their privileges.
    pub columns: BTreeMap<String, ColumnPrivileges>,
    /// Active.
    pub active: bool,
}

/// The kind of a component (C11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentKind {
    /// A list (with its OData feed).
    List,
    /// A basic form.
    Form,
    /// An advanced form step.
    FormStep,
}

impl ComponentKind {
    /// The name used in files and answers.
    pub fn name(self) -> &'static str {
        match self {
            ComponentKind::List => "list",
            ComponentKind::Form => "form",
            ComponentKind::FormStep => "form_step",
        }
    }
}

/// A list, basic form or advanced form step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    /// Id as in the file.
    pub id: String,
    /// Its kind.
    pub kind: ComponentKind,
    /// Display name.
    pub name: String,
    /// Its table.
    pub table: TableId,
    /// The *Enable table permissions* switch.
    pub permissions_enabled: bool,
    /// Lists: the OData feed is on.
    pub odata_enabled: bool,
    /// Forms: `insert`, `edit` or `readonly`.
    pub mode: Option<String>,
    /// Active.
    pub active: bool,
}

/// The channels' configuration of a tenant. Empty for a tenant without the
/// three sections, which then answers exactly as before.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Channels {
    /// C1: every active setting by lower-case name, the last one winning:
    /// its index in `raw.site_settings`.
    pub settings: BTreeMap<String, usize>,
    /// C1: lower-case names of more than one active setting, with the
    /// indices of all of them (PP019).
    pub duplicates: Vec<(String, Vec<usize>)>,
    /// Column permission profiles, in file order.
    pub profiles: Vec<ColumnProfile>,
    /// Components, in file order.
    pub components: Vec<Component>,
}

impl Channels {
    /// Whether the tenant has any channel configuration at all.
    pub fn is_empty(&self) -> bool {
        self.settings.is_empty() && self.profiles.is_empty() && self.components.is_empty()
    }
}

/// C1 Boolean values: `true` in any case, spaces trimmed; anything else is
/// not `true`.
pub fn is_true(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case("true")
}

/// C1 Boolean values: `false` in any case, spaces trimmed.
pub fn is_false(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case("false")
}

/// C3: a `fields` value as lower-case column names (trimmed, empty items
/// dropped); `*` stays `*`.
pub fn field_list(value: &str) -> Vec<String> {
    value.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect()
}

/// If `name` is a Web API setting (`Webapi/<table>/<what>`), its table and
/// what it sets, in lower case.
pub fn webapi_setting(name: &str) -> Option<(String, String)> {
    let lower = name.to_ascii_lowercase();
    let rest = lower.strip_prefix("webapi/")?;
    let (table, what) = rest.rsplit_once('/')?;
    (!table.is_empty() && !table.contains('/')).then(|| (table.to_string(), what.to_string()))
}

/// Validates the three sections of `raw` against the tenant's tables and
/// roles.
pub(crate) fn build_channels(
    file: &str,
    raw: &RawTenant,
    table_index: &HashMap<String, TableId>,
    role_index: &HashMap<String, RoleId>,
) -> Result<Channels, LoadError> {
    let mut ch = Channels::default();
    let mut seen: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in raw.site_settings.iter().enumerate() {
        if s.name.trim().is_empty() {
            let message = "a setting name must not be empty".to_string();
            return Err(invalid(file, &s.origin, format!("site_settings[{i}].name"), "name", message));
        }
        if s.active {
            let key = s.name.to_ascii_lowercase();
            seen.entry(key.clone()).or_default().push(i);
            ch.settings.insert(key, i);
        }
    }
    ch.duplicates = seen.into_iter().filter(|(_, v)| v.len() > 1).collect();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, p) in raw.column_permission_profiles.iter().enumerate() {
        let at = |field: &str| format!("column_permission_profiles[{i}].{field}");
        let err = |field: &str, message: String| invalid(file, &p.origin, at(field), field, message);
        if ids.insert(&p.id, i).is_some() {
            return Err(err("id", format!("duplicate column permission profile id `{}`", p.id)));
        }
        let table = *table_index.get(&p.table).ok_or_else(|| err("table", format!("table `{}` does not exist", p.table)))?;
        let mut roles = Vec::new();
        for (k, r) in p.web_roles.iter().enumerate() {
            let id = role_index.get(r).ok_or_else(|| err(&format!("web_roles[{k}]"), format!("web role `{r}` does not exist")))?;
            roles.push(*id);
        }
        let all_columns = privileges(&p.all_columns, |k| err(&format!("all_columns[{k}]"), String::new()))?;
        let mut columns = BTreeMap::new();
        for (name, v) in &p.columns {
            let list = match v {
                Value::Array(a) => a.as_slice(),
                other => {
                    let message = format!("expected an array of column privileges, found {}", kind_of(other));
                    return Err(err(&format!("columns.{name}"), message));
                }
            };
            let set = privileges(list, |k| err(&format!("columns.{name}[{k}]"), String::new()))?;
            let slot: &mut ColumnPrivileges = columns.entry(name.to_ascii_lowercase()).or_default();
            slot.0 |= set.0;
        }
        ch.profiles.push(ColumnProfile {
            id: p.id.clone(),
            name: p.name.clone(),
            table,
            roles,
            all_columns,
            columns,
            active: p.active,
        });
    }
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, c) in raw.components.iter().enumerate() {
        let at = |field: &str| format!("components[{i}].{field}");
        let err = |field: &str, message: String| invalid(file, &c.origin, at(field), field, message);
        if ids.insert(&c.id, i).is_some() {
            return Err(err("id", format!("duplicate component id `{}`", c.id)));
        }
        let kind = match c.kind.as_str() {
            "list" => ComponentKind::List,
            "form" => ComponentKind::Form,
            "form_step" => ComponentKind::FormStep,
            other => {
                return Err(err("kind", format!("unknown component kind `{other}` (expected `list`, `form` or `form_step`)")))
            }
        };
        if let Some(m) = &c.mode {
            if !matches!(m.as_str(), "insert" | "edit" | "readonly") {
                return Err(err("mode", format!("unknown form mode `{m}` (expected `insert`, `edit` or `readonly`)")));
            }
        }
        let table = *table_index.get(&c.table).ok_or_else(|| err("table", format!("table `{}` does not exist", c.table)))?;
        ch.components.push(Component {
            id: c.id.clone(),
            kind,
            name: c.name.clone(),
            table,
            permissions_enabled: c.permissions_enabled,
            odata_enabled: c.odata_enabled,
            mode: c.mode.clone(),
            active: c.active,
        });
    }
    Ok(ch)
}

/// A list of column privileges; `at(k)` is the error for item `k`, whose
/// message this fills in.
fn privileges(list: &[Value], at: impl Fn(usize) -> LoadError) -> Result<ColumnPrivileges, LoadError> {
    let mut set = ColumnPrivileges::default();
    for (k, v) in list.iter().enumerate() {
        match ColumnPrivilege::parse(v) {
            Some(q) => set.0 |= q.bit(),
            None => {
                let message = match v {
                    Value::String(s) => format!("unknown column privilege `{s}` (expected `create`, `read` or `update`)"),
                    Value::Number(n) => {
                        format!("unknown column privilege code `{n}` (expected 746610000, 746610001 or 746610002)")
                    }
                    other => format!("expected a column privilege, found {}", kind_of(other)),
                };
                return Err(match at(k) {
                    LoadError::Invalid { file, place, .. } => LoadError::Invalid { file, place, message },
                    e => e,
                });
            }
        }
    }
    Ok(set)
}
