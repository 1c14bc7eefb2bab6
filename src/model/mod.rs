//! The validated tenant: tables, rows, relationships, roles and permissions,
//! interned into dense `u32` ids, with every lookup resolved into a link.
//!
//! [`Tenant::build`] is the one validator every importer goes through; it
//! either returns a whole model or an error that names the file, the place
//! and what is wrong (tenant-format.md, "Errors").

pub mod catalogue;

use catalogue::CATALOGUE;
use crate::error::LoadError;
use crate::load::raw::{Origin, RawTenant, FORMAT};
use serde_json::Value;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::fmt;
use std::sync::{Arc, OnceLock};

/// Dense table id.
pub type TableId = u32;
/// Dense row id, global across tables.
pub type RowId = u32;
/// Dense relationship id.
pub type RelId = u32;
/// Dense web role id.
pub type RoleId = u32;
/// Dense table permission id.
pub type PermId = u32;

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
    pub ids: Arc<Vec<String>>,
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
    /// The raw form it was built from, kept for what-if edits and writing.
    pub raw: RawTenant,
    /// Print-order rank of every row, computed on first use ([`Tenant::row_rank`]).
    rank: OnceLock<Vec<u32>>,
}

/// Lookups resolved together (see [`RowIndex::get_many`]).
const BATCH: usize = 256;

/// The rows of one table by id string: open addressing over positions in
/// the table's `ids`, so no id is stored twice. Hashing is randomly keyed
/// (ids come from input), probing is linear, the load at most two thirds.
#[derive(Debug, Clone, Default)]
struct RowIndex {
    hasher: RandomState,
    /// `(hash, position + 1)`; `(_, 0)` is a free slot.
    slots: Vec<(u32, u32)>,
}

impl RowIndex {
    fn with_capacity(n: usize) -> RowIndex {
        let size = if n == 0 { 0 } else { (n + n / 2 + 1).next_power_of_two() };
        RowIndex { hasher: RandomState::new(), slots: vec![(0, 0); size] }
    }

    fn hash(&self, id: &str) -> u32 {
        let h = self.hasher.hash_one(id);
        (h ^ (h >> 32)) as u32
    }

    /// Adds positions `from..ids.len()` of `ids`, in order; returns the
    /// first `(position, earlier position)` whose id is already there.
    /// The slots of a batch are read before any is written, so that their
    /// cache misses overlap.
    fn insert_all(&mut self, ids: &[String], from: usize) -> Option<(u32, u32)> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut hashes: Vec<(u32, (u32, u32))> = Vec::with_capacity(BATCH);
        let mut start = from;
        while start < ids.len() {
            let end = (start + BATCH).min(ids.len());
            hashes.clear();
            hashes.extend(ids[start..end].iter().map(|id| self.hash(id)).map(|h| (h, (0, 0))));
            for (h, first) in hashes.iter_mut() {
                *first = self.slots[*h as usize & mask];
            }
            for (j, &(h, _)) in hashes.iter().enumerate() {
                let i = (start + j) as u32;
                if let Some(p) = self.insert_hashed(ids, i, h) {
                    return Some((i, p));
                }
            }
            start = end;
        }
        None
    }

    /// Adds position `i` of `ids`, whose id hashes to `h`; returns the
    /// position already holding the same id.
    fn insert_hashed(&mut self, ids: &[String], i: u32, h: u32) -> Option<u32> {
        let id = ids.get(i as usize)?;
        let mask = self.slots.len().checked_sub(1)?;
        let mut k = h as usize & mask;
        loop {
            match self.slots[k] {
                (_, 0) => {
                    self.slots[k] = (h, i + 1);
                    return None;
                }
                (sh, p) if sh == h && ids.get(p as usize - 1) == Some(id) => return Some(p - 1),
                _ => k = (k + 1) & mask,
            }
        }
    }

    /// Looks up many ids, each in its own table, into `out` (cleared
    /// first). Phases run over the whole batch (hash, first slot, id
    /// header, id bytes) so that the memory reads of different lookups
    /// overlap; collisions and probe chains take the plain path.
    fn get_many(reqs: &[(&RowIndex, &[String], &str)], out: &mut Vec<Option<u32>>) {
        out.clear();
        let first: Vec<(u32, (u32, u32))> = reqs
            .iter()
            .map(|(index, _, id)| {
                let h = index.hash(id);
                let slot = match index.slots.len().checked_sub(1) {
                    Some(mask) => index.slots[h as usize & mask],
                    None => (0, 0),
                };
                (h, slot)
            })
            .collect();
        let heads: Vec<Option<&str>> = reqs
            .iter()
            .zip(&first)
            .map(|((_, ids, _), &(h, (sh, p)))| if p != 0 && sh == h { ids.get(p as usize - 1).map(String::as_str) } else { None })
            .collect();
        for (((index, ids, id), &(h, (_, p))), head) in reqs.iter().zip(&first).zip(heads) {
            out.push(match head {
                Some(s) if s == *id => Some(p - 1),
                _ if p == 0 => None,
                _ => index.get_hashed(ids, id, h),
            });
        }
    }

    /// The position of `id` in `ids`.
    fn get(&self, ids: &[String], id: &str) -> Option<u32> {
        self.get_hashed(ids, id, self.hash(id))
    }

    /// The position of `id`, whose hash is `h`, in `ids`.
    fn get_hashed(&self, ids: &[String], id: &str, h: u32) -> Option<u32> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut k = h as usize & mask;
        loop {
            match self.slots[k] {
                (_, 0) => return None,
                (sh, p) if sh == h && ids.get(p as usize - 1).is_some_and(|s| s == id) => return Some(p - 1),
                _ => k = (k + 1) & mask,
            }
        }
    }
}

/// Lookup values of one table waiting to be resolved together (S20, S23,
/// S24), in document order.
#[derive(Default)]
struct Lookups<'a> {
    /// `(row position, row, column, value, relationships of the column, requests)`.
    #[allow(clippy::type_complexity)]
    values: Vec<(usize, RowId, &'a str, &'a str, &'a [(RelId, TableId)], std::ops::Range<usize>)>,
    /// One request per distinct target table of a value, in the order of
    /// its relationships.
    requests: Vec<(&'a RowIndex, &'a [String], &'a str)>,
    targets: Vec<TableId>,
    found: Vec<Option<u32>>,
}

impl<'a> Lookups<'a> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        i: usize,
        x: RowId,
        col: &'a str,
        value: &'a str,
        rels: &'a [(RelId, TableId)],
        settled: Option<Option<TableId>>,
        tables: &'a [Table],
        row_index: &'a [RowIndex],
    ) {
        let start = self.requests.len();
        for (k, &(_, target)) in rels.iter().enumerate() {
            // Each target table once; only the settled one when the source names it.
            if rels[..k].iter().any(|&(_, t)| t == target) || settled.is_some_and(|s| s != Some(target)) {
                continue;
            }
            if let (Some(index), Some(table)) = (row_index.get(target as usize), tables.get(target as usize)) {
                self.requests.push((index, &table.ids, value));
                self.targets.push(target);
            }
        }
        self.values.push((i, x, col, value, rels, start..self.requests.len()));
    }

    fn full(&self) -> bool {
        self.requests.len() >= BATCH
    }

    /// Resolves the waiting values of table `table` into links and
    /// dangling values, in order; fails at the first ambiguous value.
    fn resolve(
        &mut self,
        file: &str,
        table: &str,
        tables: &[Table],
        links: &mut Vec<(RelId, RowId, RowId)>,
        dangling: &mut Vec<Dangling>,
    ) -> Result<(), LoadError> {
        RowIndex::get_many(&self.requests, &mut self.found);
        for (i, x, col, value, rels, range) in self.values.drain(..) {
            let found = || {
                range.clone().filter_map(|k| {
                    let target = self.targets[k];
                    self.found[k].map(|pos| (target, tables[target as usize].first + pos))
                })
            };
            let mut hits = found();
            match (hits.next(), hits.next()) {
                (None, _) => dangling.push(Dangling { table: table.to_string(), column: col.to_string(), value: value.to_string() }),
                (Some((target, y)), None) => {
                    for &(rid, rt) in rels.iter() {
                        if rt == target {
                            links.push((rid, x, y));
                        }
                    }
                }
                (Some(_), Some(_)) => {
                    let names: Vec<String> = found().map(|(ft, _)| format!("`{}`", tables[ft as usize].name)).collect();
                    return Err(LoadError::at(
                        file,
                        format!("rows.{table}[{i}].{col}"),
                        format!("lookup value `{value}` is ambiguous: rows with that id exist in {}", names.join(" and ")),
                    ));
                }
            }
        }
        self.requests.clear();
        self.targets.clear();
        Ok(())
    }
}

struct Builder<'a> {
    file: &'a str,
    tables: Vec<Table>,
    table_index: HashMap<String, TableId>,
}

impl Builder<'_> {
    fn table(&mut self, name: &str) -> TableId {
        if let Some(&t) = self.table_index.get(name) {
            return t;
        }
        let id = self.tables.len() as TableId;
        self.tables.push(Table { name: name.to_string(), first: 0, ids: Arc::default() });
        self.table_index.insert(name.to_string(), id);
        id
    }
}

fn place(file: &str, origin: &Option<Origin>, path: String, field: &str) -> (String, String) {
    match origin {
        Some(o) if !o.file.is_empty() => {
            let exact = o.fields.iter().find(|(f, _, _)| f == field).map(|(_, l, k)| (Some(*l), k.as_str()));
            let place = match exact.unwrap_or((o.line, field)) {
                (Some(l), key) => format!("line {l} (`{key}`)"),
                (None, key) => format!("`{key}`"),
            };
            (o.file.clone(), place)
        }
        _ => (file.to_string(), format!("`{path}`")),
    }
}

fn invalid(file: &str, origin: &Option<Origin>, path: String, field: &str, message: String) -> LoadError {
    let (file, place) = place(file, origin, path, field);
    LoadError::Invalid { file, place, message }
}

/// Memberships already resolved for [`Tenant::build_config`]: per list,
/// the resolved pairs (sorted, without duplicates) of its first entries,
/// and how many entries that is.
#[derive(Default)]
struct KnownMembers {
    contacts: Option<(Vec<(RowId, RoleId)>, usize)>,
    accounts: Option<(Vec<(RowId, RoleId)>, usize)>,
}

/// What the relationships, rows and associations of a tenant determine:
/// tables, row ids, links, accounts of contacts. The first step of
/// [`Tenant::build`]; the second validates the configuration against it.
struct RowPart {
    tables: Vec<Table>,
    table_index: HashMap<String, TableId>,
    row_index: Arc<Vec<RowIndex>>,
    relationships: Vec<Relationship>,
    rel_index: HashMap<String, RelId>,
    links: Arc<Vec<(RelId, RowId, RowId)>>,
    contact_account: Arc<Vec<(RowId, RowId)>>,
    account_by_contact: Arc<Vec<RowId>>,
    dangling: Arc<Vec<Dangling>>,
    contact_table: TableId,
    account_table: TableId,
    /// Total rows: the `first` of every table without rows.
    end: RowId,
}

/// Loads a tenant: a native JSON file, or a tenant folder, read by
/// [`crate::load`] and validated by [`Tenant::build`]. A failed load
/// returns an error and grants nothing.
pub fn load(path: &std::path::Path) -> Result<Tenant, LoadError> {
    if path.is_dir() {
        return build_folder(&crate::load::site::read(path)?);
    }
    Tenant::build(crate::load::read_raw(path)?, &path.display().to_string())
}

/// Validates a folder tenant with [`Tenant::build`]; errors about data rows,
/// memberships, associations and `relationships.json` are reported at the
/// file and JSON path they came from.
pub fn build_folder(folder: &crate::load::site::Folder) -> Result<Tenant, LoadError> {
    let source = folder.root.display().to_string();
    Tenant::build(folder.raw.clone(), &source).map_err(|e| folder.locator.relocate(&source, e))
}

impl Tenant {
    /// Validates and interns a raw tenant read from `source`: first the
    /// relationships, rows and associations, then the configuration (web
    /// roles, memberships, table permissions) against them.
    pub fn build(raw: RawTenant, source: &str) -> Result<Tenant, LoadError> {
        let rows = Tenant::build_rows(&raw, source)?;
        Tenant::build_config(rows, raw, source, KnownMembers::default())
    }

    /// Whether `raw` has exactly the relationships, rows, associations and
    /// lookup annotations this tenant was built from (shared, not copied).
    fn same_row_input(&self, raw: &RawTenant) -> bool {
        raw.format == self.raw.format
            && raw.rows.shares(&self.raw.rows)
            && Arc::ptr_eq(&raw.associations, &self.raw.associations)
            && raw.relationships == self.raw.relationships
            && raw.lookup_targets == self.raw.lookup_targets
    }

    /// Builds `raw`, an edit of this tenant's raw form, reusing this
    /// tenant's rows when the edit kept them (shared, as what-if change
    /// sets leave them when they edit only roles, memberships and
    /// permissions): only the configuration step of [`Tenant::build`] runs,
    /// the same validation, and the result equals `Tenant::build(raw)`.
    /// Otherwise it is `Tenant::build(raw)`.
    pub fn rebuild(&self, raw: RawTenant) -> Result<Tenant, LoadError> {
        if !self.same_row_input(&raw) {
            return Tenant::build(raw, &self.source);
        }
        let rows = RowPart {
            tables: self.tables[..self.row_tables].to_vec(),
            table_index: self
                .table_index
                .iter()
                .filter(|(_, &t)| (t as usize) < self.row_tables)
                .map(|(k, &t)| (k.clone(), t))
                .collect(),
            row_index: self.row_index.clone(),
            relationships: self.relationships.clone(),
            rel_index: self.rel_index.clone(),
            links: self.links.clone(),
            contact_account: self.contact_account.clone(),
            account_by_contact: self.account_by_contact.clone(),
            dangling: self.dangling.clone(),
            contact_table: self.contact_table,
            account_table: self.account_table,
            end: self.row_count(),
        };
        // With the same roles (in the same order), the memberships `self`
        // already resolved resolve alike: reuse them when the edited list
        // keeps `self`'s as its start (an edit that adds members), and
        // resolve only the rest.
        let same_roles = raw.web_roles.len() == self.roles.len()
            && raw.web_roles.iter().zip(&self.roles).all(|(r, s)| r.id == s.id);
        let shared = Arc::ptr_eq(&raw.role_members, &self.raw.role_members);
        let reuse = |now: &[(String, String)], then: &[(String, String)], resolved: &Vec<(RowId, RoleId)>| {
            (same_roles && (shared || now.starts_with(then))).then(|| (resolved.clone(), then.len()))
        };
        let (m, old) = (&raw.role_members, &self.raw.role_members);
        let known = KnownMembers {
            contacts: reuse(&m.contacts, &old.contacts, &self.contact_members),
            accounts: reuse(&m.accounts, &old.accounts, &self.account_members),
        };
        Tenant::build_config(rows, raw, &self.source, known)
    }

    /// The first step of [`Tenant::build`]: relationships, rows, lookups
    /// and associations.
    fn build_rows(raw: &RawTenant, source: &str) -> Result<RowPart, LoadError> {
        let file = source;
        if raw.format != FORMAT {
            return Err(LoadError::at(file, "format", format!("expected `{FORMAT}`, found `{}`", raw.format)));
        }
        let mut b = Builder { file, tables: Vec::new(), table_index: HashMap::new() };
        let contact_table = b.table("contact");
        let account_table = b.table("account");

        // Relationships: the catalogue, overridden by declarations.
        let mut relationships: Vec<Relationship> = Vec::new();
        let mut rel_index: HashMap<String, RelId> = HashMap::new();
        for (name, referencing, lookup, referenced) in CATALOGUE {
            let kind = RelKind::OneToMany {
                referencing: b.table(referencing),
                lookup: lookup.to_string(),
                referenced: b.table(referenced),
            };
            rel_index.insert(name.to_string(), relationships.len() as RelId);
            relationships.push(Relationship { name: name.to_string(), kind, builtin: true });
        }
        let mut declared: HashMap<&str, usize> = HashMap::new();
        for (i, r) in raw.relationships.iter().enumerate() {
            let at = |f: &str| format!("relationships[{i}].{f}");
            if r.name.is_empty() {
                return Err(LoadError::at(b.file, at("name"), "a relationship name must not be empty"));
            }
            if let Some(j) = declared.insert(r.name.as_str(), i) {
                return Err(LoadError::at(
                    b.file,
                    at("name"),
                    format!("relationship `{}` is declared twice (also at `relationships[{j}]`)", r.name),
                ));
            }
            let kind = match r.kind.as_deref() {
                None | Some("one_to_many") => {
                    let need = |v: &Option<String>, f: &str| -> Result<String, LoadError> {
                        match v {
                            Some(s) if !s.is_empty() => Ok(s.clone()),
                            _ => Err(LoadError::at(
                                b.file,
                                format!("relationships[{i}]"),
                                format!("one-to-many relationship `{}` needs `{f}`", r.name),
                            )),
                        }
                    };
                    let referencing = need(&r.referencing, "referencing")?;
                    let lookup = need(&r.lookup, "lookup")?;
                    let referenced = need(&r.referenced, "referenced")?;
                    if lookup == "id" {
                        return Err(LoadError::at(b.file, at("lookup"), "the lookup column cannot be `id`"));
                    }
                    RelKind::OneToMany { referencing: b.table(&referencing), lookup, referenced: b.table(&referenced) }
                }
                Some("many_to_many") => match r.tables.as_deref() {
                    Some([x, y]) if !x.is_empty() && !y.is_empty() => {
                        RelKind::ManyToMany { tables: [b.table(x), b.table(y)] }
                    }
                    _ => {
                        return Err(LoadError::at(
                            b.file,
                            at("tables"),
                            format!("many-to-many relationship `{}` needs `tables` with exactly two table names", r.name),
                        ))
                    }
                },
                Some(other) => {
                    return Err(LoadError::at(
                        b.file,
                        at("kind"),
                        format!("unknown relationship kind `{other}` (expected `one_to_many` or `many_to_many`)"),
                    ))
                }
            };
            let rel = Relationship { name: r.name.clone(), kind, builtin: false };
            match rel_index.get(&r.name) {
                Some(&id) => relationships[id as usize] = rel,
                None => {
                    rel_index.insert(r.name.clone(), relationships.len() as RelId);
                    relationships.push(rel);
                }
            }
        }

        // Rows: tables in document order, global ids contiguous per table.
        let mut row_index: Vec<RowIndex> = Vec::new();
        for t in &raw.rows.0 {
            let tid = b.table(&t.name);
            let mut index = RowIndex::with_capacity(t.rows.len());
            let ids: Vec<String> = t.rows.iter().map(|r| r.id.clone()).collect();
            if let Some((i, _)) = index.insert_all(&ids, 0) {
                return Err(LoadError::at(
                    b.file,
                    format!("rows.{}[{i}].id", t.name),
                    format!("duplicate row id `{}` in table `{}`", ids[i as usize], t.name),
                ));
            }
            b.tables[tid as usize].ids = Arc::new(ids);
            while row_index.len() <= tid as usize {
                row_index.push(RowIndex::default());
            }
            row_index[tid as usize] = index;
        }
        // Tables named only by relationships or permissions are empty.
        let mut next: u64 = 0;
        for t in b.tables.iter_mut() {
            t.first = next as u32;
            next += t.ids.len() as u64;
        }
        if next > u64::from(MAX_ROWS) {
            return Err(LoadError::at(file, "rows", format!("more than {MAX_ROWS} rows")));
        }
        let end = next as u32;
        for t in b.tables.iter_mut().filter(|t| t.ids.is_empty()) {
            t.first = end;
        }
        while row_index.len() < b.tables.len() {
            row_index.push(RowIndex::default());
        }
        let tables = b.tables;
        let table_index = b.table_index;
        let lookup_row = |t: TableId, id: &str| -> Option<RowId> {
            let table = tables.get(t as usize)?;
            row_index.get(t as usize)?.get(&table.ids, id).map(|i| table.first + i)
        };

        // Lookups (S20, S23, S24): per (table, column), the relationships that use it.
        let mut by_col: HashMap<(TableId, &str), Vec<(RelId, TableId)>> = HashMap::new();
        for (rid, rel) in relationships.iter().enumerate() {
            if let RelKind::OneToMany { referencing, lookup, referenced } = &rel.kind {
                by_col.entry((*referencing, lookup.as_str())).or_default().push((rid as RelId, *referenced));
            }
        }
        let mut links: Vec<(RelId, RowId, RowId)> = Vec::new();
        let mut dangling: Vec<Dangling> = Vec::new();
        let mut batch = Lookups::default();
        for t in &raw.rows.0 {
            let tid = table_index[&t.name];
            let cols: Vec<Option<&Vec<(RelId, TableId)>>> =
                t.columns.iter().map(|c| by_col.get(&(tid, c.as_str()))).collect();
            for (i, r) in t.rows.iter().enumerate() {
                let x = tables[tid as usize].first + i as u32;
                for (c, v) in &r.fields {
                    let Some(Some(rels)) = cols.get(*c as usize) else { continue };
                    let col = &t.columns[*c as usize];
                    let value = match v {
                        Value::Null => continue,
                        Value::String(s) => s,
                        other => {
                            // Earlier values first: they may fail before this one.
                            batch.resolve(file, &t.name, &tables, &mut links, &mut dangling)?;
                            return Err(LoadError::at(
                                file,
                                format!("rows.{}[{i}].{col}", t.name),
                                format!("lookup `{col}` must be a string id or null, found {}", kind_of(other)),
                            ));
                        }
                    };
                    // S23: a folder tenant's Web API annotation names the target table.
                    let settled = if raw.lookup_targets.is_empty() {
                        None
                    } else {
                        raw.lookup_targets
                            .get(&(t.name.clone(), r.id.clone(), col.clone(), value.clone()))
                            .map(|name| table_index.get(name).copied())
                    };
                    batch.push(i, x, col, value, rels, settled, &tables, &row_index);
                    if batch.full() {
                        batch.resolve(file, &t.name, &tables, &mut links, &mut dangling)?;
                    }
                }
            }
            batch.resolve(file, &t.name, &tables, &mut links, &mut dangling)?;
        }

        // Associations (S22).
        for (name, pairs) in raw.associations.iter() {
            let path = format!("associations.{name}");
            let rid = match rel_index.get(name) {
                Some(&r) if matches!(relationships[r as usize].kind, RelKind::ManyToMany { .. }) => r,
                Some(_) => {
                    return Err(LoadError::at(file, &path, format!("relationship `{name}` is not many-to-many")))
                }
                None => return Err(LoadError::at(file, &path, format!("relationship `{name}` does not exist"))),
            };
            let RelKind::ManyToMany { tables: [ta, tb] } = relationships[rid as usize].kind else { continue };
            let Value::Array(list) = pairs else {
                return Err(LoadError::at(file, &path, format!("expected an array of id pairs, found {}", kind_of(pairs))));
            };
            for (i, p) in list.iter().enumerate() {
                let pair = match p.as_array().map(Vec::as_slice) {
                    Some([Value::String(a), Value::String(b)]) => (a, b),
                    _ => {
                        return Err(LoadError::at(
                            file,
                            format!("{path}[{i}]"),
                            "expected a pair of two string ids `[first, second]`",
                        ))
                    }
                };
                match (lookup_row(ta, pair.0), lookup_row(tb, pair.1)) {
                    (Some(a), Some(bb)) => links.push((rid, a, bb)),
                    (found_a, _) => {
                        // S24: an association naming no row relates nothing.
                        let (table, value) = if found_a.is_some() { (tb, pair.1) } else { (ta, pair.0) };
                        dangling.push(Dangling {
                            table: tables[table as usize].name.clone(),
                            column: name.clone(),
                            value: value.clone(),
                        });
                    }
                }
            }
        }
        let links = sort_links(links, relationships.len());

        // S1: acct(c) is the `account` row that c.parentcustomerid points to.
        let mut contact_account: Vec<(RowId, RowId)> = links
            .iter()
            .filter(|(rid, _, _)| match &relationships[*rid as usize].kind {
                RelKind::OneToMany { referencing, lookup, referenced } => {
                    *referencing == contact_table && lookup == "parentcustomerid" && *referenced == account_table
                }
                _ => false,
            })
            .map(|&(_, c, a)| (c, a))
            .collect();
        contact_account.sort_unstable();
        contact_account.dedup_by_key(|(c, _)| *c);
        let contacts = tables[contact_table as usize].rows();
        let mut account_by_contact = vec![NO_ACCOUNT; contacts.len()];
        for &(c, a) in &contact_account {
            if let Some(slot) = c.checked_sub(contacts.start).and_then(|i| account_by_contact.get_mut(i as usize)) {
                *slot = a;
            }
        }
        Ok(RowPart {
            tables,
            table_index,
            row_index: Arc::new(row_index),
            relationships,
            rel_index,
            links: Arc::new(links),
            contact_account: Arc::new(contact_account),
            account_by_contact: Arc::new(account_by_contact),
            dangling: Arc::new(dangling),
            contact_table,
            account_table,
            end,
        })
    }

    /// The second step of [`Tenant::build`]: web roles, memberships (those
    /// `known` has not resolved already) and table permissions, validated
    /// against the rows.
    fn build_config(rows: RowPart, raw: RawTenant, source: &str, known: KnownMembers) -> Result<Tenant, LoadError> {
        let file = source;
        let RowPart {
            tables,
            table_index,
            row_index,
            relationships,
            rel_index,
            links,
            contact_account,
            account_by_contact,
            dangling,
            contact_table,
            account_table,
            end,
        } = rows;
        let row_tables = tables.len();
        // Tables named only by permissions have no rows: `first` = end.
        let mut b = Builder { file, tables, table_index };
        let perm_tables: Vec<TableId> = raw.table_permissions.iter().map(|p| b.table(&p.table)).collect();
        for t in &mut b.tables[row_tables..] {
            t.first = end;
        }
        let (tables, table_index) = (b.tables, b.table_index);
        let lookup_row = |t: TableId, id: &str| -> Option<RowId> {
            let table = tables.get(t as usize)?;
            row_index.get(t as usize)?.get(&table.ids, id).map(|i| table.first + i)
        };

        // Web roles.
        let mut roles = Vec::new();
        let mut role_index: HashMap<String, RoleId> = HashMap::new();
        for (i, r) in raw.web_roles.iter().enumerate() {
            if r.id.is_empty() {
                return Err(invalid(file, &r.origin, format!("web_roles[{i}].id"), "id", "a role id must not be empty".into()));
            }
            if role_index.insert(r.id.clone(), roles.len() as RoleId).is_some() {
                return Err(invalid(
                    file,
                    &r.origin,
                    format!("web_roles[{i}].id"),
                    "id",
                    format!("duplicate web role id `{}`", r.id),
                ));
            }
            roles.push(Role {
                id: r.id.clone(),
                name: r.name.clone(),
                anonymous: r.anonymous_users,
                authenticated: r.authenticated_users,
                active: r.active,
            });
        }

        // Memberships: the first `from` of each list are resolved already.
        let resolve = |list: &[(String, String)],
                       known: Option<(Vec<(RowId, RoleId)>, usize)>,
                       table: TableId,
                       (field, kind): (&str, &str)|
         -> Result<Vec<(RowId, RoleId)>, LoadError> {
            let (mut out, from) = known.unwrap_or_default();
            for (i, (c, r)) in list.iter().enumerate().skip(from) {
                let row = lookup_row(table, c).ok_or_else(|| {
                    LoadError::at(file, format!("role_members.{field}[{i}][0]"), format!("{kind} `{c}` does not exist"))
                })?;
                let role = *role_index.get(r).ok_or_else(|| {
                    LoadError::at(file, format!("role_members.{field}[{i}][1]"), format!("web role `{r}` does not exist"))
                })?;
                out.push((row, role));
            }
            if from < list.len() {
                out.sort_unstable();
                out.dedup();
            }
            Ok(out)
        };
        let contact_members =
            resolve(&raw.role_members.contacts, known.contacts, contact_table, ("contacts", "contact"))?;
        let account_members =
            resolve(&raw.role_members.accounts, known.accounts, account_table, ("accounts", "account"))?;

        // Table permissions.
        let mut perm_index: HashMap<String, PermId> = HashMap::new();
        for (i, p) in raw.table_permissions.iter().enumerate() {
            if p.id.is_empty() {
                return Err(invalid(file, &p.origin, format!("table_permissions[{i}].id"), "id", "a permission id must not be empty".into()));
            }
            if perm_index.insert(p.id.clone(), i as PermId).is_some() {
                return Err(invalid(
                    file,
                    &p.origin,
                    format!("table_permissions[{i}].id"),
                    "id",
                    format!("duplicate table permission id `{}`", p.id),
                ));
            }
        }
        let mut permissions = Vec::with_capacity(raw.table_permissions.len());
        for (i, p) in raw.table_permissions.iter().enumerate() {
            let err = |field: &str, message: String| invalid(file, &p.origin, format!("table_permissions[{i}].{field}"), field, message);
            if p.table.is_empty() {
                return Err(err("table", "the table name must not be empty".into()));
            }
            let scope = Scope::parse(&p.scope).ok_or_else(|| {
                err(
                    "scope",
                    format!(
                        "unknown scope {} (expected global, contact, account, parent, self, custom or a code 756150000 to 756150004)",
                        show(&p.scope)
                    ),
                )
            })?;
            let mut privileges = Privileges::default();
            for (j, name) in p.privileges.iter().enumerate() {
                let pr = Privilege::parse(name).ok_or_else(|| {
                    err(
                        &format!("privileges[{j}]"),
                        format!("unknown privilege `{name}` (expected read, write, create, delete, append or append_to)"),
                    )
                })?;
                privileges.0 |= pr.bit();
            }
            let mut proles = Vec::new();
            for (j, r) in p.web_roles.iter().enumerate() {
                let id = *role_index
                    .get(r)
                    .ok_or_else(|| err(&format!("web_roles[{j}]"), format!("web role `{r}` does not exist")))?;
                if !proles.contains(&id) {
                    proles.push(id);
                }
            }
            let parent = match &p.parent {
                None => None,
                Some(s) if s.is_empty() => None,
                Some(s) => Some(
                    *perm_index.get(s).ok_or_else(|| err("parent", format!("parent permission `{s}` does not exist")))?,
                ),
            };
            let rel = |field: &str, v: &Option<String>, needed: bool| -> Result<Option<RelRef>, LoadError> {
                match v.as_deref() {
                    None | Some("") if needed => {
                        Err(err(field, format!("scope `{}` needs `{field}`", scope.name())))
                    }
                    None | Some("") => Ok(None),
                    Some(name) => match rel_index.get(name) {
                        Some(&id) => Ok(Some(RelRef { name: name.to_string(), id: Some(id) })),
                        None if raw.lenient_relationships => Ok(Some(RelRef { name: name.to_string(), id: None })),
                        None => Err(err(field, format!("relationship `{name}` does not exist"))),
                    },
                }
            };
            let contact_relationship = if scope == Scope::Contact {
                rel("contact_relationship", &p.contact_relationship, true)?
            } else {
                None
            };
            let account_relationship = if scope == Scope::Account {
                rel("account_relationship", &p.account_relationship, true)?
            } else {
                None
            };
            let parent_relationship = if scope == Scope::Parent {
                if parent.is_none() {
                    return Err(err("parent", "scope `parent` needs `parent`".into()));
                }
                rel("parent_relationship", &p.parent_relationship, true)?
            } else {
                None
            };
            permissions.push(Permission {
                id: p.id.clone(),
                name: p.name.clone(),
                table: perm_tables[i],
                scope,
                privileges,
                roles: proles,
                contact_relationship,
                account_relationship,
                parent,
                parent_relationship,
                active: p.active,
                origin: p.origin.clone(),
            });
        }
        // S5: parent links must end at a root. `ends[k]`: k is known to end
        // at a root, so each walk stops there (linear in the number of
        // permissions, whatever the depth of the chains).
        let mut ends = vec![false; permissions.len()];
        for (i, p) in permissions.iter().enumerate() {
            let mut seen = vec![i as PermId];
            let mut on_path = std::collections::HashSet::from([i as PermId]);
            let mut cur = p.parent;
            while let Some(m) = cur {
                if ends[m as usize] {
                    break;
                }
                if !on_path.insert(m) {
                    let chain: Vec<String> = seen.iter().chain([&m]).map(|&k| format!("`{}`", permissions[k as usize].id)).collect();
                    return Err(invalid(
                        file,
                        &p.origin,
                        format!("table_permissions[{i}].parent"),
                        "parent",
                        format!("parent links form a cycle: {}", chain.join(" -> ")),
                    ));
                }
                seen.push(m);
                cur = permissions[m as usize].parent;
            }
            for k in seen {
                ends[k as usize] = true;
            }
        }

        let mut spans: Vec<(RowId, TableId)> =
            tables.iter().enumerate().filter(|(_, t)| !t.ids.is_empty()).map(|(i, t)| (t.first, i as TableId)).collect();
        spans.sort_unstable();
        Ok(Tenant {
            source: source.to_string(),
            spans,
            tables,
            table_index,
            row_index,
            row_tables,
            relationships,
            rel_index,
            roles,
            role_index,
            permissions,
            perm_index,
            contact_members,
            account_members,
            links,
            contact_account,
            account_by_contact,
            dangling,
            contact_table,
            account_table,
            raw,
            rank: OnceLock::new(),
        })
    }

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
        format!("{}:{}", t.name, t.ids[(row - t.first) as usize])
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

/// Links sorted by `(relationship, from, to)` without duplicates. They
/// arrive column by column in row order, so a stable bucketing by
/// relationship leaves most buckets sorted already; only the others are
/// sorted.
fn sort_links(links: Vec<(RelId, RowId, RowId)>, relationships: usize) -> Vec<(RelId, RowId, RowId)> {
    let mut out = if links.is_sorted() {
        links
    } else {
        let mut start = vec![0usize; relationships + 1];
        for l in &links {
            start[l.0 as usize + 1] += 1;
        }
        for r in 0..relationships {
            start[r + 1] += start[r];
        }
        let mut out = vec![(0, 0, 0); links.len()];
        let mut fill = start.clone();
        for l in links {
            out[fill[l.0 as usize]] = l;
            fill[l.0 as usize] += 1;
        }
        for r in 0..relationships {
            let bucket = &mut out[start[r]..start[r + 1]];
            if !bucket.is_sorted() {
                bucket.sort_unstable();
            }
        }
        out
    };
    out.dedup();
    out
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
