//! The validated tenant: tables, rows, relationships, roles and permissions,
//! interned into dense `u32` ids, with every lookup resolved into a link.
//!
//! [`Tenant::build`] is the one validator every importer goes through; it
//! either returns a whole model or an error that names the file, the place
//! and what is wrong (tenant-format.md, "Errors").

pub mod ids;
pub mod catalogue;
pub mod index;
pub mod builder;
pub mod relationships;
pub mod lookups;
pub mod rows;
pub mod config;
pub mod build;
pub mod channels;
pub mod channel_config;
pub mod surfaces;
pub mod surface_config;
pub mod finance;
pub mod finance_config;
pub mod names;
pub mod row_names;

pub use build::{build_folder, load};
pub use names::Names;

use crate::load::raw::{Origin, RawTenant};
use crate::load::strs::Strs;
use index::RowIndex;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

pub use ids::{PermId, RelId, RoleId, RowId, TableId};

/// A visitor: a signed-in contact (S1) or the anonymous visitor (S2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Visitor {
    /// Not signed in.
    Anonymous,
    /// A contact row.
    Contact(RowId),
}

/// The six privileges, in the order of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Privilege {
    /// `read`
    Read,
    /// `write`
    Write,
    /// `create` (table-level, S17)
    Create,
    /// `delete`
    Delete,
    /// `append`
    Append,
    /// `append_to`
    AppendTo,
}

impl Privilege {
    /// All six, in spec order.
    pub const ALL: [Privilege; 6] =
        [Privilege::Read, Privilege::Write, Privilege::Create, Privilege::Delete, Privilege::Append, Privilege::AppendTo];

    /// The name used in files and answers.
    pub fn name(self) -> &'static str {
        match self {
            Privilege::Read => "read",
            Privilege::Write => "write",
            Privilege::Create => "create",
            Privilege::Delete => "delete",
            Privilege::Append => "append",
            Privilege::AppendTo => "append_to",
        }
    }

    /// Parses a privilege name.
    pub fn parse(s: &str) -> Option<Privilege> {
        Privilege::ALL.into_iter().find(|p| p.name() == s)
    }

    /// The bit of this privilege in a [`Privileges`] mask.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Privilege {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of privileges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Privileges(pub u8);

impl Privileges {
    /// Whether `p` is set.
    pub fn has(self, p: Privilege) -> bool {
        self.0 & p.bit() != 0
    }
    /// The set privileges, in spec order.
    pub fn iter(self) -> impl Iterator<Item = Privilege> {
        Privilege::ALL.into_iter().filter(move |p| self.has(*p))
    }
}

/// Permission scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Every row (S9).
    Global,
    /// Rows related to the visitor's contact (S10).
    Contact,
    /// Rows related to the visitor's account (S11).
    Account,
    /// Rows related to rows the parent admits (S13).
    Parent,
    /// The visitor's own contact row (S12).
    SelfScope,
    /// FetchXML filter: not evaluated, admits nothing (S14).
    Custom,
}

impl Scope {
    /// The name used in files and answers.
    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Contact => "contact",
            Scope::Account => "account",
            Scope::Parent => "parent",
            Scope::SelfScope => "self",
            Scope::Custom => "custom",
        }
    }

    /// Parses a scope name or Dataverse scope code.
    pub fn parse(v: &Value) -> Option<Scope> {
        match v {
            Value::String(s) => match s.as_str() {
                "global" => Some(Scope::Global),
                "contact" => Some(Scope::Contact),
                "account" => Some(Scope::Account),
                "parent" => Some(Scope::Parent),
                "self" => Some(Scope::SelfScope),
                "custom" => Some(Scope::Custom),
                _ => None,
            },
            Value::Number(n) => match n.as_u64()? {
                756150000 => Some(Scope::Global),
                756150001 => Some(Scope::Contact),
                756150002 => Some(Scope::Account),
                756150003 => Some(Scope::Parent),
                756150004 => Some(Scope::SelfScope),
                _ => None,
            },
            _ => None,
        }
    }
}

/// The two shapes of relationship.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelKind {
    /// `referencing.lookup = referenced.id` (S20, S21).
    OneToMany {
        /// Many side.
        referencing: TableId,
        /// Lookup column on the referencing table.
        lookup: String,
        /// One side.
        referenced: TableId,
    },
    /// Association pairs (S22), first table then second.
    ManyToMany {
        /// The two tables, in declaration order.
        tables: [TableId; 2],
    },
}

/// A relationship, declared or from the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relationship {
    /// Unique name.
    pub name: String,
    /// Its shape.
    pub kind: RelKind,
    /// Whether it came from the built-in catalogue.
    pub builtin: bool,
}

impl Relationship {
    /// Whether this relationship joins tables `t` and `u` (in either order).
    pub fn joins(&self, t: TableId, u: TableId) -> bool {
        let (a, b) = self.ends();
        (a == t && b == u) || (a == u && b == t)
    }
    /// The two tables: (referencing, referenced) or (first, second).
    pub fn ends(&self) -> (TableId, TableId) {
        match &self.kind {
            RelKind::OneToMany { referencing, referenced, .. } => (*referencing, *referenced),
            RelKind::ManyToMany { tables } => (tables[0], tables[1]),
        }
    }
}

/// A relationship as a permission names it: resolved, or (folder tenants
/// only) unknown to the catalogue and the tenant (PP016).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelRef {
    /// The name as written.
    pub name: String,
    /// The relationship, when it exists.
    pub id: Option<RelId>,
}

/// A web role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Id as in the file.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Flagged anonymous users role.
    pub anonymous: bool,
    /// Flagged authenticated users role.
    pub authenticated: bool,
    /// Active.
    pub active: bool,
}

/// A table permission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permission {
    /// Id as in the file.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Secured table.
    pub table: TableId,
    /// Scope.
    pub scope: Scope,
    /// Its own privileges (S15).
    pub privileges: Privileges,
    /// Roles listed on it (only a root's count, S6).
    pub roles: Vec<RoleId>,
    /// Contact-scope relationship.
    pub contact_relationship: Option<RelRef>,
    /// Account-scope relationship.
    pub account_relationship: Option<RelRef>,
    /// Parent permission.
    pub parent: Option<PermId>,
    /// Parent-scope relationship.
    pub parent_relationship: Option<RelRef>,
    /// Active.
    pub active: bool,
    /// Where it was read from, for folder tenants.
    pub origin: Option<Origin>,
}

impl Permission {
    /// The relationship its scope walks, if its scope walks one.
    pub fn scope_relationship(&self) -> Option<&RelRef> {
        match self.scope {
            Scope::Contact => self.contact_relationship.as_ref(),
            Scope::Account => self.account_relationship.as_ref(),
            Scope::Parent => self.parent_relationship.as_ref(),
            _ => None,
        }
    }
}

/// A table: its name and its rows (a contiguous range of global row ids).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Logical name.
    pub name: String,
    /// First global row id.
    pub first: RowId,
    /// Row ids (strings) in order; global id = `first + index`. Shared, so
    /// that a what-if tenant that keeps the rows does not copy them.
    pub ids: Arc<Strs>,
}

impl Table {
    /// The global row ids of this table.
    pub fn rows(&self) -> std::ops::Range<RowId> {
        self.first..self.first + self.ids.len() as u32
    }
}

/// The most rows a tenant may have (2^30): row ids, times the four kinds
/// of grant the engine indexes by row, stay within 32 bits.
pub const MAX_ROWS: u32 = 1 << 30;

/// No account (in `Tenant::account_by_contact`).
const NO_ACCOUNT: RowId = RowId::MAX;

/// A lookup value that names no row (S24), kept for lint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dangling {
    /// Table holding the value (for an association, the table of the missing id).
    pub table: String,
    /// Column (or N:N relationship name for an association).
    pub column: String,
    /// The value.
    pub value: String,
}

/// The validated, interned tenant.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// File or folder it was loaded from.
    pub source: String,
    /// Tables by id.
    pub tables: Vec<Table>,
    table_index: HashMap<String, TableId>,
    row_index: Arc<Vec<RowIndex>>,
    /// Tables `..row_tables` come from the relationships and the rows; the
    /// others are named only by permissions.
    row_tables: usize,
    spans: Vec<(RowId, TableId)>,
    /// Relationships by id (catalogue and declared).
    pub relationships: Vec<Relationship>,
    rel_index: HashMap<String, RelId>,
    /// Web roles by id.
    pub roles: Vec<Role>,
    role_index: HashMap<String, RoleId>,
    /// Table permissions by id.
    pub permissions: Vec<Permission>,
    perm_index: HashMap<String, PermId>,
    /// `(contact row, role)` memberships.
    pub contact_members: Vec<(RowId, RoleId)>,
    /// `(account row, role)` memberships.
    pub account_members: Vec<(RowId, RoleId)>,
    /// `(relationship, from, to)`: resolved lookups (from = referencing row)
    /// and association pairs (first, second).
    pub links: Arc<Vec<(RelId, RowId, RowId)>>,
    /// `acct(c)` for each contact that has one (S1), sorted by contact.
    pub contact_account: Arc<Vec<(RowId, RowId)>>,
    /// `acct(c)` by contact (`c - first contact`), [`NO_ACCOUNT`] for none:
    /// [`Tenant::account_of`] in one read.
    account_by_contact: Arc<Vec<RowId>>,
    /// Lookup values and association ids that name no row (S24).
    pub dangling: Arc<Vec<Dangling>>,
    /// Table id of `contact`.
    pub contact_table: TableId,
    /// Table id of `account`.
    pub account_table: TableId,
    /// Site settings, column permission profiles and components (channels.md).
    pub channels: Arc<channels::Channels>,
    /// Pages, files, publishing states, website access, server logic and
    /// cloud flows (surfaces.md).
    pub surfaces: Arc<surfaces::Surfaces>,
    /// The `finance_operations` section, validated (finance-operations.md);
    /// none: `mserp_` tables are ordinary tables.
    pub finance: Option<Arc<finance::Finance>>,
    /// The raw form it was built from, kept for what-if edits and writing.
    pub raw: RawTenant,
    /// Print-order rank of every row, computed on first use ([`Tenant::row_rank`]).
    rank: OnceLock<Vec<u32>>,
}

impl Tenant {
    /// Table id by name.
    pub fn table_id(&self, name: &str) -> Option<TableId> {
        self.table_index.get(name).copied()
    }
    /// Global row id by table and id.
    pub fn row_id(&self, table: TableId, id: &str) -> Option<RowId> {
        let t = self.tables.get(table as usize)?;
        self.row_index.get(table as usize)?.get(&t.ids, id).map(|i| t.first + i)
    }
    /// Global row id of a contact.
    pub fn contact(&self, id: &str) -> Option<RowId> {
        self.row_id(self.contact_table, id)
    }
    /// Relationship id by name.
    pub fn rel_id(&self, name: &str) -> Option<RelId> {
        self.rel_index.get(name).copied()
    }
    /// Role id by id string.
    pub fn role_id(&self, id: &str) -> Option<RoleId> {
        self.role_index.get(id).copied()
    }
    /// Permission id by id string.
    pub fn perm_id(&self, id: &str) -> Option<PermId> {
        self.perm_index.get(id).copied()
    }
    /// Total number of rows.
    pub fn row_count(&self) -> u32 {
        self.tables.iter().map(|t| t.ids.len() as u32).sum()
    }
    /// The table of a global row id.
    pub fn table_of(&self, row: RowId) -> TableId {
        let i = self.spans.partition_point(|(first, _)| *first <= row);
        self.spans.get(i.wrapping_sub(1)).map(|(_, t)| *t).unwrap_or(self.contact_table)
    }
    /// `TABLE:ID` of a global row id.
    pub fn row_ref(&self, row: RowId) -> String {
        let t = &self.tables[self.table_of(row) as usize];
        format!("{}:{}", t.name, &t.ids[(row - t.first) as usize])
    }
    /// The id string of a row.
    pub fn row_name(&self, row: RowId) -> &str {
        let t = &self.tables[self.table_of(row) as usize];
        &t.ids[(row - t.first) as usize]
    }
    /// The rank of every row in the order answers print rows: `TABLE:ID`
    /// as plain strings, which sorts rows of one table by id. Computed once,
    /// on first use; a table whose ids are already in order costs one pass.
    pub fn row_rank(&self) -> &[u32] {
        self.rank.get_or_init(|| {
            let mut rows: Vec<RowId> = Vec::with_capacity(self.row_count() as usize);
            if self.tables.iter().any(|tb| tb.name.contains(':')) {
                // `TABLE:` order is not table-name order here: compare whole strings.
                rows.extend(0..self.row_count());
                rows.sort_by_cached_key(|&x| self.row_ref(x));
            } else {
                let mut tables: Vec<&Table> = self.tables.iter().filter(|tb| !tb.ids.is_empty()).collect();
                tables.sort_by_cached_key(|tb| format!("{}:", tb.name));
                for tb in tables {
                    if tb.ids.is_sorted() {
                        rows.extend(tb.rows());
                    } else {
                        let mut ids: Vec<u32> = (0..tb.ids.len() as u32).collect();
                        ids.sort_unstable_by(|&a, &b| tb.ids[a as usize].cmp(&tb.ids[b as usize]));
                        rows.extend(ids.into_iter().map(|k| tb.first + k));
                    }
                }
            }
            let mut rank = vec![0u32; rows.len()];
            for (r, x) in rows.into_iter().enumerate() {
                rank[x as usize] = r as u32;
            }
            rank
        })
    }

    /// `acct(c)` (S1).
    pub fn account_of(&self, contact: RowId) -> Option<RowId> {
        let first = self.tables[self.contact_table as usize].first;
        let a = *self.account_by_contact.get(contact.wrapping_sub(first) as usize)?;
        (a != NO_ACCOUNT).then_some(a)
    }
    /// Contact rows.
    pub fn contacts(&self) -> std::ops::Range<RowId> {
        self.tables[self.contact_table as usize].rows()
    }
    /// The root of a permission's tree (S5).
    pub fn root_of(&self, mut n: PermId) -> PermId {
        while let Some(m) = self.permissions[n as usize].parent {
            n = m;
        }
        n
    }
    /// Whether a permission and all its ancestors are active (S7).
    pub fn live(&self, n: PermId) -> bool {
        let mut cur = Some(n);
        while let Some(m) = cur {
            if !self.permissions[m as usize].active {
                return false;
            }
            cur = self.permissions[m as usize].parent;
        }
        true
    }
    /// Parses `TABLE:ID` into a row id.
    pub fn parse_row(&self, s: &str) -> Option<RowId> {
        let (t, id) = s.split_once(':')?;
        self.row_id(self.table_id(t)?, id)
    }
}

/// What a JSON value is, for error messages ("a string", "an array", ...).
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}
