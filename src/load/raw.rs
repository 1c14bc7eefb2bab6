//! The editable, unvalidated form of a tenant, as its importers read it.
//!
//! Every importer (the native JSON file, a site folder with Web API pages)
//! produces a [`RawTenant`]; [`crate::model::Tenant::build`] validates and
//! interns it. What-if change sets edit a clone of the raw form, and
//! `convert` / `apply` write it back as native JSON.

use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

pub use super::table::{Cell, RawRow, RawTable};
pub use super::raw_surfaces::{RawCloudFlow, RawPublishingState, RawServerLogic, RawWebFile, RawWebPage, RawWebsiteAccess};

/// The native format tag.
pub const FORMAT: &str = "portal-access/tenant@1";

pub use super::origin::Origin;

/// A relationship as declared.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a relationship object")]
pub struct RawRelationship {
    /// Unique name.
    pub name: String,
    /// `one_to_many` (default) or `many_to_many`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// 1:N: the many-side table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referencing: Option<String>,
    /// 1:N: the lookup column on the referencing table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup: Option<String>,
    /// 1:N: the one-side table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referenced: Option<String>,
    /// N:N: the two tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tables: Option<Vec<String>>,
    /// N:N in a folder tenant: the intersect file's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intersect: Option<String>,
    /// N:N in a folder tenant: the intersect file's two id columns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
}

/// A web role as declared.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a web role object")]
pub struct RawRole {
    /// Unique id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Flagged anonymous users role.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub anonymous_users: bool,
    /// Flagged authenticated users role.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub authenticated_users: bool,
    /// Active (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// Where it was read from (folder tenants).
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// Role membership pairs.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, expecting = "an object with `contacts` and `accounts` pairs")]
pub struct RawMembers {
    /// `[contact_id, role_id]` pairs.
    #[serde(default)]
    pub contacts: Vec<(String, String)>,
    /// `[account_id, role_id]` pairs.
    #[serde(default)]
    pub accounts: Vec<(String, String)>,
}

/// A table permission as declared.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a table permission object")]
pub struct RawPermission {
    /// Unique id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Secured table.
    pub table: String,
    /// Scope name or Dataverse code, checked by the model.
    pub scope: Value,
    /// Privilege names, checked by the model.
    #[serde(default)]
    pub privileges: Vec<String>,
    /// Role ids.
    #[serde(default)]
    pub web_roles: Vec<String>,
    /// Relationship for Contact scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_relationship: Option<String>,
    /// Relationship for Account scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_relationship: Option<String>,
    /// Parent permission id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Relationship for Parent scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_relationship: Option<String>,
    /// Active (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// Where it was read from (folder tenants).
    #[serde(skip)]
    pub origin: Option<Origin>,
    /// Folder tenants: the parent id that named no permission and was
    /// dropped (tenant-format.md, "Broken references"); the permission is
    /// then inactive and admits nothing (S7), and may keep a Parent scope
    /// without a parent.
    #[serde(skip)]
    pub dropped_parent: Option<String>,
}

/// A web page access control rule as declared (tenant-format.md
/// `page_rules`): lint reads them (PP027); they grant no rows.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a page rule object")]
pub struct RawPageRule {
    /// Unique id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// The web page it is on, when the download names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// `grant_change` or `restrict_read` (codes 1 and 2), checked by the model.
    pub right: Value,
    /// Role ids.
    #[serde(default)]
    pub web_roles: Vec<String>,
    /// `all_content` or `exclude_direct_child_web_files` (codes 1 and 2;
    /// absent: `all_content`), checked by the model (R2, R7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Value>,
    /// Publishing state ids a Grant Change rule is limited to (R2; empty:
    /// every state).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub publishing_states: Vec<String>,
    /// Active (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// Where it was read from (folder tenants).
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// A site setting as declared (channels.md C1).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a site setting object")]
pub struct RawSetting {
    /// Setting name (compared case-insensitively).
    pub name: String,
    /// Value: always a string.
    pub value: String,
    /// Active (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// Where it was read from (folder tenants).
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// A column permission profile as declared (channels.md C5).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a column permission profile object")]
pub struct RawColumnProfile {
    /// Unique id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// The table whose columns it secures.
    pub table: String,
    /// Role ids.
    #[serde(default)]
    pub web_roles: Vec<String>,
    /// Privileges (`create`, `read`, `update` or their Dataverse codes) on
    /// the columns it does not list; checked by the model.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub all_columns: Vec<Value>,
    /// Column logical name to its privileges, checked by the model.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub columns: serde_json::Map<String, Value>,
    /// Active (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// Where it was read from (folder tenants).
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// A list, basic form or advanced form step as declared (channels.md C11).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a component object")]
pub struct RawComponent {
    /// Unique id.
    pub id: String,
    /// `list`, `form` or `form_step`, checked by the model.
    pub kind: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Its table.
    pub table: String,
    /// The *Enable table permissions* switch (default off, as in the runtime).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub permissions_enabled: bool,
    /// Lists: the OData feed is on.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub odata_enabled: bool,
    /// Forms: `insert`, `edit` or `readonly`, checked by the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Active (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// Where it was read from (folder tenants).
    #[serde(skip)]
    pub origin: Option<Origin>,
}

fn yes() -> bool {
    true
}
fn is_true(b: &bool) -> bool {
    *b
}

/// All rows, table by table, in document order. Each table is shared
/// behind an [`Arc`]: a clone of the tenant (a what-if scenario) copies a
/// table only when it edits it ([`Arc::make_mut`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawRows(pub Vec<Arc<RawTable>>);

impl RawRows {
    /// Whether `self` and `other` share every table (no table was edited
    /// since one was cloned from the other).
    pub fn shares(&self, other: &RawRows) -> bool {
        self.0.len() == other.0.len() && self.0.iter().zip(&other.0).all(|(a, b)| Arc::ptr_eq(a, b))
    }
}

/// A whole tenant before validation.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a tenant object")]
pub struct RawTenant {
    /// Must be [`FORMAT`].
    pub format: String,
    /// Declared relationships (the catalogue supplies the standard ones).
    #[serde(default, deserialize_with = "objects")]
    pub relationships: Vec<RawRelationship>,
    /// Data rows.
    #[serde(default)]
    pub rows: RawRows,
    /// N:N association pairs by relationship name (shared like the rows;
    /// edit through [`Arc::make_mut`]).
    #[serde(default)]
    pub associations: Arc<serde_json::Map<String, Value>>,
    /// Web roles.
    #[serde(default, deserialize_with = "objects")]
    pub web_roles: Vec<RawRole>,
    /// Role memberships (shared like the rows; edit through [`Arc::make_mut`]).
    #[serde(default, deserialize_with = "object")]
    pub role_members: Arc<RawMembers>,
    /// Table permissions.
    #[serde(default, deserialize_with = "objects")]
    pub table_permissions: Vec<RawPermission>,
    /// Site settings (channels.md C1; only the Web API and registration
    /// settings are read, every other one is kept and ignored).
    #[serde(default, deserialize_with = "objects", skip_serializing_if = "Vec::is_empty")]
    pub site_settings: Vec<RawSetting>,
    /// Column permission profiles (channels.md C5).
    #[serde(default, deserialize_with = "objects", skip_serializing_if = "Vec::is_empty")]
    pub column_permission_profiles: Vec<RawColumnProfile>,
    /// Lists, basic forms and advanced form steps (channels.md C11).
    #[serde(default, deserialize_with = "objects", skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<RawComponent>,
    /// Web page access control rules (lint PP027).
    #[serde(default, deserialize_with = "objects", skip_serializing_if = "Vec::is_empty")]
    pub page_rules: Vec<RawPageRule>,
    /// Publishing states (surfaces.md R6).
    #[serde(default, deserialize_with = "objects", skip_serializing_if = "Vec::is_empty")]
    pub publishing_states: Vec<RawPublishingState>,
    /// Website access permissions (R6).
    #[serde(default, deserialize_with = "objects", skip_serializing_if = "Vec::is_empty")]
    pub website_access: Vec<RawWebsiteAccess>,
    /// Web pages (R1, R8).
    #[serde(default, deserialize_with = "objects", skip_serializing_if = "Vec::is_empty")]
    pub web_pages: Vec<RawWebPage>,
    /// Web files (R7).
    #[serde(default, deserialize_with = "objects", skip_serializing_if = "Vec::is_empty")]
    pub web_files: Vec<RawWebFile>,
    /// Server logic (R9 to R12).
    #[serde(default, deserialize_with = "objects", skip_serializing_if = "Vec::is_empty")]
    pub server_logic: Vec<RawServerLogic>,
    /// Cloud flow consumers (R13 to R16).
    #[serde(default, deserialize_with = "objects", skip_serializing_if = "Vec::is_empty")]
    pub cloud_flows: Vec<RawCloudFlow>,
    /// Entity set name to table logical name (R12, R16).
    #[serde(default, deserialize_with = "object", skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub entity_sets: std::collections::BTreeMap<String, String>,
    /// F&O virtual tables, users, roles and XDS policies (finance-operations.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finance_operations: Option<super::finance::RawFinance>,
    /// Folder tenants: relationship names that a missing declaration may
    /// leave unresolved without failing the load (PP016).
    #[serde(skip)]
    pub lenient_relationships: bool,
    /// Folder tenants: lookup values whose target table the Web API
    /// annotation `_<column>_value@Microsoft.Dynamics.CRM.lookuplogicalname`
    /// names, keyed by `(table, row id, column, value)`; the annotation
    /// settles polymorphic lookups (S23). Keyed by the value too, so that an
    /// edit of the value drops the settlement.
    #[serde(skip)]
    pub lookup_targets: HashMap<(String, String, String, String), String>,
    /// Folder tenants: site records that could not be read and were
    /// dropped (lint PP044); answers on such a tenant say it is incomplete.
    #[serde(skip)]
    pub unreadable: Vec<Unreadable>,
}

/// A site record that could not be read, dropped on load (PP044).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unreadable {
    /// The file it was read from.
    pub file: String,
    /// The line of the value that could not be read, when known.
    pub line: Option<usize>,
    /// Where in the file: `line 12 (`adx_allcolumnpermissions`)`.
    pub place: String,
    /// What was expected and what was found.
    pub message: String,
}

impl Unreadable {
    /// The record as one line: `FILE, PLACE: MESSAGE`.
    pub fn text(&self) -> String {
        format!("{}, {}: {}", self.file, self.place, self.message)
    }
}

/// Deserializes a struct from a JSON object only. serde's derived structs
/// also accept an array of their fields in order, which the tenant format
/// does not allow (`["R1"]` would load as a web role).
pub struct ObjectOnly<D>(pub D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

fn object<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    T::deserialize(ObjectOnly(d))
}

/// An array whose elements are JSON objects (serde's derived structs alone
/// would also take arrays in their place).
pub(crate) fn objects<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    struct Objects<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for Objects<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array of objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::new();
            while let Some(x) = seq.next_element_seed(Objects::<T>(std::marker::PhantomData))? {
                out.push(x);
            }
            Ok(out)
        }
    }
    impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for Objects<T> {
        type Value = T;
        fn deserialize<D2: Deserializer<'de>>(self, d: D2) -> Result<T, D2::Error> {
            T::deserialize(ObjectOnly(d))
        }
    }
    d.deserialize_seq(Objects::<T>(std::marker::PhantomData))
}

impl Serialize for RawRows {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for t in &self.0 {
            m.serialize_entry(&t.name, &TableRows(t))?;
        }
        m.end()
    }
}
struct TableRows<'a>(&'a RawTable);
impl Serialize for TableRows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut q = s.serialize_seq(Some(self.0.len()))?;
        for i in 0..self.0.len() {
            q.serialize_element(&RowOut(self.0, i))?;
        }
        q.end()
    }
}
struct RowOut<'a>(&'a RawTable, usize);
impl Serialize for RowOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (t, i) = (self.0, self.1);
        let mut m = s.serialize_map(Some(t.fields(i).count() + 1))?;
        m.serialize_entry("id", t.id(i).unwrap_or_default())?;
        for (c, v) in t.fields(i) {
            let name = t.columns.get(c as usize).map(String::as_str).unwrap_or("?");
            m.serialize_entry(name, &v)?;
        }
        m.end()
    }
}

impl RawTenant {
    /// An empty tenant in the native format.
    pub fn new() -> Self {
        RawTenant { format: FORMAT.to_string(), ..RawTenant::default() }
    }

    /// The native JSON text of the tenant (pretty-printed, ending in a
    /// newline), as `convert` and `apply` write it. A folder permission
    /// whose parent named nothing (it admits nothing, S7) is written
    /// inactive without a parent; if its scope was Parent, which the
    /// native format allows only with a parent, it is written with scope
    /// `custom`, which admits nothing even if made active again (S14).
    pub fn native_text(&self) -> serde_json::Result<String> {
        let mut text = if self.table_permissions.iter().any(|p| p.dropped_parent.is_some()) {
            let mut out = self.clone();
            for p in out.table_permissions.iter_mut().filter(|p| p.dropped_parent.is_some()) {
                p.active = false;
                p.parent = None;
                if matches!(&p.scope, Value::String(s) if s == "parent") || p.scope.as_u64() == Some(756150003) {
                    p.scope = Value::String("custom".to_string());
                }
            }
            serde_json::to_string_pretty(&out)?
        } else {
            serde_json::to_string_pretty(self)?
        };
        text.push('\n');
        Ok(text)
    }

    /// The rows of a table, when it has any.
    pub fn table(&self, name: &str) -> Option<&RawTable> {
        self.rows.0.iter().find(|t| t.name == name).map(|t| &**t)
    }

    /// The rows of a table, created empty when missing.
    pub fn table_mut(&mut self, name: &str) -> &mut RawTable {
        let i = match self.rows.0.iter().position(|t| t.name == name) {
            Some(i) => i,
            None => {
                self.rows.0.push(Arc::new(RawTable::new(name)));
                self.rows.0.len() - 1
            }
        };
        Arc::make_mut(&mut self.rows.0[i])
    }
}
