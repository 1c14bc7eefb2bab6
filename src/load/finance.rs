//! The `finance_operations` tenant section (tenant-format.md,
//! finance-operations.md) in its serde shape: F&O virtual tables, the F&O
//! users portal visitors run as, their roles' data-entity privileges, and
//! the XDS policies that narrow the rows those users see. Read from the
//! native file's `finance_operations` key, or from `finance-operations.json`
//! in a tenant folder; validated by [`crate::model::finance`].

use serde::{Deserialize, Serialize};

/// The `finance_operations` section as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a finance_operations object")]
pub struct RawFinance {
    /// Tables listed as F&O virtual tables (F1; `mserp_` tables are virtual anyway).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub virtual_tables: Vec<String>,
    /// The F&O user the anonymous visitor runs as (F2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anonymous_user: Option<String>,
    /// `[contact_id, user_id]` pairs (F2).
    #[serde(default)]
    pub user_mappings: Vec<(String, String)>,
    /// F&O users.
    #[serde(default)]
    pub users: Vec<RawFoUser>,
    /// F&O security roles.
    #[serde(default)]
    pub roles: Vec<RawFoRole>,
    /// XDS policies (F4, F5).
    #[serde(default)]
    pub xds_policies: Vec<RawXdsPolicy>,
}

/// An F&O user.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "an F&O user object")]
pub struct RawFoUser {
    /// Unique user id.
    pub id: String,
    /// F&O role ids.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// An F&O security role.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "an F&O role object")]
pub struct RawFoRole {
    /// Unique role id.
    pub id: String,
    /// Display name (default: the id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Flagged administrator: the integration refuses its users (F2).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub administrator: bool,
    /// Data-entity privileges (F3).
    #[serde(default)]
    pub entity_privileges: Vec<RawEntityPrivilege>,
}

/// Privileges of a role on one virtual table's data entity.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "an entity privilege object")]
pub struct RawEntityPrivilege {
    /// The virtual table.
    pub table: String,
    /// Operations: `read`, `create`, `update`, `delete` or `all`.
    #[serde(default)]
    pub privileges: Vec<String>,
}

/// An XDS policy.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "an XDS policy object")]
pub struct RawXdsPolicy {
    /// Unique policy id.
    pub id: String,
    /// The primary (umbrella) table.
    pub primary_table: String,
    /// The table tying users to primary rows.
    pub user_link: RawUserLink,
    /// Whether the primary table itself is constrained.
    #[serde(default)]
    pub constrain_primary: bool,
    /// Constrained tables with their paths to the primary table.
    #[serde(default)]
    pub constrained_tables: Vec<RawConstrained>,
    /// F&O role ids it applies to.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Operations it applies to.
    #[serde(default)]
    pub operations: Vec<String>,
    /// Enabled (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
}

/// The user link of a policy.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a user link object")]
pub struct RawUserLink {
    /// The link table.
    pub table: String,
    /// The link table's data column holding F&O user ids.
    pub user_column: String,
    /// The relationship from the link table to the primary table.
    pub relationship: String,
}

/// A constrained table and its path of relationships to the primary table.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a constrained table object")]
pub struct RawConstrained {
    /// The constrained table.
    pub table: String,
    /// Relationships from it to the primary table, in order.
    #[serde(default)]
    pub path: Vec<String>,
}

fn yes() -> bool {
    true
}
fn is_true(b: &bool) -> bool {
    *b
}
