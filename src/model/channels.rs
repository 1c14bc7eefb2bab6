//! The exposure channels' configuration (channels.md): site settings (C1),
//! column permission profiles (C5) and components (C11), validated against
//! the tables and web roles of the tenant.
//!
//! This is the model's part: names are normalised (settings by lower-case
//! name, the last active one winning, C1; column names in lower case) and
//! references resolved to ids. What the settings *mean* (open tables,
//! listed columns, the newcomer) is derived twice, independently, by
//! `engine::channels` and `engine::walk_channels`.

use super::ids::{RoleId, TableId};
use serde_json::Value;
use std::collections::BTreeMap;

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

/// What a web page access control rule does (tenant-format.md `page_rules`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageRight {
    /// Grant change (code 1): the roles may edit the page's content.
    GrantChange,
    /// Restrict read (code 2): only the roles may see the page.
    RestrictRead,
}

impl PageRight {
    /// The name used in files and answers.
    pub fn name(self) -> &'static str {
        match self {
            PageRight::GrantChange => "grant_change",
            PageRight::RestrictRead => "restrict_read",
        }
    }

    /// A name or a Dataverse code (1, 2).
    pub fn parse(v: &Value) -> Option<PageRight> {
        match v {
            Value::String(s) => [PageRight::GrantChange, PageRight::RestrictRead].into_iter().find(|r| r.name() == s),
            Value::Number(n) => match n.as_u64()? {
                1 => Some(PageRight::GrantChange),
                2 => Some(PageRight::RestrictRead),
                _ => None,
            },
            _ => None,
        }
    }
}

/// A web page access control rule. It grants no rows; lint reads it (PP027).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRule {
    /// Id as in the file.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The web page it is on, when known.
    pub page: Option<String>,
    /// What it does.
    pub right: PageRight,
    /// Linked web roles.
    pub roles: Vec<RoleId>,
    /// Scope 2, *Exclude direct child web files* (R2, R7); false: *All content*.
    pub exclude_files: bool,
    /// Publishing states a Grant Change rule is limited to (indices in
    /// `Surfaces::states`; empty: every state, R2).
    pub states: Vec<u32>,
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
    /// Web page access control rules, in file order (they grant no rows
    /// and take no part in [`Channels::is_empty`]).
    pub page_rules: Vec<PageRule>,
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

