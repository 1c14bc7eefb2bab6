//! The `finance_operations` section validated against the tenant
//! (finance-operations.md, F1 to F5's inputs): virtual tables, the F&O users
//! visitors run as, their roles' data-entity privileges, XDS policies with
//! their paths resolved into relationship steps. Every reference must name
//! something; a path step whose relationship does not join the tables of
//! that step is an error naming the step.

use super::ids::{RelId, RowId, TableId};

/// Dense F&O user id.
pub type FoUserId = u32;
/// Dense F&O role id.
pub type FoRoleId = u32;

/// The four F&O operations, as bits of an operation mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// `read`
    Read,
    /// `create`
    Create,
    /// `update`
    Update,
    /// `delete`
    Delete,
}

impl Op {
    /// The four, in spec order.
    pub const ALL: [Op; 4] = [Op::Read, Op::Create, Op::Update, Op::Delete];
    /// The name used in files and answers.
    pub fn name(self) -> &'static str {
        match self {
            Op::Read => "read",
            Op::Create => "create",
            Op::Update => "update",
            Op::Delete => "delete",
        }
    }
    /// The bit of this operation in an operation mask.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
    /// Parses an operation name; `all` is every operation. Returns a mask.
    pub fn parse_mask(s: &str) -> Option<u8> {
        match s {
            "all" => Some(0b1111),
            _ => Op::ALL.into_iter().find(|o| o.name() == s).map(Op::bit),
        }
    }
}

/// An F&O user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoUser {
    /// Id as in the file.
    pub id: String,
    /// Its F&O roles.
    pub roles: Vec<FoRoleId>,
}

/// An F&O security role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoRole {
    /// Id as in the file.
    pub id: String,
    /// Display name (the id when none is given).
    pub name: String,
    /// Flagged administrator (F2).
    pub administrator: bool,
    /// `(virtual table, operation mask)` data-entity privileges (F3).
    pub privileges: Vec<(TableId, u8)>,
}

/// One step of a policy path: from a row of `from`, through `rel`, to a
/// row of `to`. `forward`: the step's row is the link's first end
/// (`Link(rel, from_row, to_row)`), else its second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathStep {
    /// The relationship.
    pub rel: RelId,
    /// Table walked from.
    pub from: TableId,
    /// Table walked to.
    pub to: TableId,
    /// Direction of the links walked.
    pub forward: bool,
}

/// A table an XDS policy constrains, with its path to the primary table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constrained {
    /// The constrained table.
    pub table: TableId,
    /// Steps from it to the primary table (empty: the primary table itself).
    pub path: Vec<PathStep>,
}

/// An XDS policy (F4, F5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XdsPolicy {
    /// Id as in the file.
    pub id: String,
    /// The primary table.
    pub primary: TableId,
    /// The user link table.
    pub link_table: TableId,
    /// The link table's user column.
    pub user_column: String,
    /// From a link row to the primary row it names.
    pub link: PathStep,
    /// Constrained tables: `constrained_tables`, then the primary table with
    /// an empty path when `constrain_primary` is set.
    pub constrained: Vec<Constrained>,
    /// Whether the primary table is constrained.
    pub constrain_primary: bool,
    /// Roles it applies to.
    pub roles: Vec<FoRoleId>,
    /// Operation mask.
    pub ops: u8,
    /// Enabled.
    pub enabled: bool,
    /// `(link row, user)` for each link row whose user column names an F&O user.
    pub link_users: Vec<(RowId, FoUserId)>,
}

/// The validated `finance_operations` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finance {
    /// Per table: whether it is an F&O virtual table (F1).
    pub is_virtual: Vec<bool>,
    /// The anonymous visitor's F&O user (F2).
    pub anonymous_user: Option<FoUserId>,
    /// `(contact, user)` mappings, sorted by contact (F2); the first
    /// mapping of a contact counts.
    pub mappings: Vec<(RowId, FoUserId)>,
    /// Users by id.
    pub users: Vec<FoUser>,
    /// Roles by id.
    pub roles: Vec<FoRole>,
    /// XDS policies.
    pub policies: Vec<XdsPolicy>,
}

impl Finance {
    /// Whether table `t` is a virtual table (F1).
    pub fn is_virtual(&self, t: TableId) -> bool {
        self.is_virtual.get(t as usize).copied().unwrap_or(false)
    }
    /// Whether user `u` holds an administrator role (F2).
    pub fn is_admin(&self, u: FoUserId) -> bool {
        self.users[u as usize].roles.iter().any(|&r| self.roles[r as usize].administrator)
    }
    /// The user contact `c` is mapped to, if any (before F2's administrator check).
    pub fn mapped_user(&self, c: RowId) -> Option<FoUserId> {
        let i = self.mappings.partition_point(|m| m.0 < c);
        self.mappings.get(i).filter(|m| m.0 == c).map(|m| m.1)
    }
}
