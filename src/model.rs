//! The validated tenant: tables, rows, relationships, roles and permissions,
//! interned into dense `u32` ids, with every lookup resolved into a link.
//!
//! [`Tenant::build`] is the one validator every importer goes through; it
//! either returns a whole model or an error that names the file, the place
//! and what is wrong (tenant-format.md, "Errors").

use crate::catalogue::CATALOGUE;
use crate::error::LoadError;
use crate::raw::{Origin, RawTenant, FORMAT};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;

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
    /// Row ids (strings) in order; global id = `first + index`.
    pub ids: Vec<String>,
}

impl Table {
    /// The global row ids of this table.
    pub fn rows(&self) -> std::ops::Range<RowId> {
        self.first..self.first + self.ids.len() as u32
    }
}

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
    row_index: Vec<HashMap<String, u32>>,
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
    pub links: Vec<(RelId, RowId, RowId)>,
    /// `acct(c)` for each contact that has one (S1), sorted by contact.
    pub contact_account: Vec<(RowId, RowId)>,
    /// Lookup values and association ids that name no row (S24).
    pub dangling: Vec<Dangling>,
    /// Table id of `contact`.
    pub contact_table: TableId,
    /// Table id of `account`.
    pub account_table: TableId,
    /// The raw form it was built from, kept for what-if edits and writing.
    pub raw: RawTenant,
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
        self.tables.push(Table { name: name.to_string(), first: 0, ids: Vec::new() });
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

impl Tenant {
    /// Validates and interns a raw tenant read from `source`.
    pub fn build(raw: RawTenant, source: &str) -> Result<Tenant, LoadError> {
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
        let mut row_index: Vec<HashMap<String, u32>> = Vec::new();
        for t in &raw.rows.0 {
            let tid = b.table(&t.name);
            let mut index = HashMap::with_capacity(t.rows.len());
            let mut ids = Vec::with_capacity(t.rows.len());
            for (i, r) in t.rows.iter().enumerate() {
                if index.insert(r.id.clone(), i as u32).is_some() {
                    return Err(LoadError::at(
                        b.file,
                        format!("rows.{}[{i}].id", t.name),
                        format!("duplicate row id `{}` in table `{}`", r.id, t.name),
                    ));
                }
                ids.push(r.id.clone());
            }
            b.tables[tid as usize].ids = ids;
            while row_index.len() <= tid as usize {
                row_index.push(HashMap::new());
            }
            row_index[tid as usize] = index;
        }
        // Tables named only by relationships or permissions are empty.
        let mut next: u64 = 0;
        for t in b.tables.iter_mut() {
            t.first = next as u32;
            next += t.ids.len() as u64;
        }
        if next > u32::MAX as u64 {
            return Err(LoadError::at(file, "rows", "more than 4294967295 rows"));
        }
        let perm_tables: Vec<TableId> = raw.table_permissions.iter().map(|p| b.table(&p.table)).collect();
        // (perm tables added after numbering have no rows, so `first` = end)
        let end = next as u32;
        for t in b.tables.iter_mut().filter(|t| t.ids.is_empty()) {
            t.first = end;
        }
        while row_index.len() < b.tables.len() {
            row_index.push(HashMap::new());
        }
        let tables = b.tables;
        let table_index = b.table_index;
        let lookup_row = |t: TableId, id: &str| -> Option<RowId> {
            row_index.get(t as usize)?.get(id).map(|&i| tables[t as usize].first + i)
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
                            return Err(LoadError::at(
                                file,
                                format!("rows.{}[{i}].{col}", t.name),
                                format!("lookup `{col}` must be a string id or null, found {}", kind_of(other)),
                            ))
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
                    let mut found: Vec<(TableId, RowId)> = Vec::new();
                    for &(_, target) in rels.iter() {
                        if found.iter().any(|(ft, _)| *ft == target) || settled.is_some_and(|s| s != Some(target)) {
                            continue;
                        }
                        if let Some(y) = lookup_row(target, value) {
                            found.push((target, y));
                        }
                    }
                    match found.as_slice() {
                        [] => dangling.push(Dangling { table: t.name.clone(), column: col.clone(), value: value.clone() }),
                        [(target, y)] => {
                            for &(rid, rt) in rels.iter() {
                                if rt == *target {
                                    links.push((rid, x, *y));
                                }
                            }
                        }
                        many => {
                            let names: Vec<String> =
                                many.iter().map(|(ft, _)| format!("`{}`", tables[*ft as usize].name)).collect();
                            return Err(LoadError::at(
                                file,
                                format!("rows.{}[{i}].{col}", t.name),
                                format!("lookup value `{value}` is ambiguous: rows with that id exist in {}", names.join(" and ")),
                            ));
                        }
                    }
                }
            }
        }

        // Associations (S22).
        for (name, pairs) in &raw.associations {
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
        links.sort_unstable();
        links.dedup();

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

        // Memberships.
        let mut contact_members = Vec::new();
        for (i, (c, r)) in raw.role_members.contacts.iter().enumerate() {
            let row = lookup_row(contact_table, c).ok_or_else(|| {
                LoadError::at(file, format!("role_members.contacts[{i}][0]"), format!("contact `{c}` does not exist"))
            })?;
            let role = *role_index.get(r).ok_or_else(|| {
                LoadError::at(file, format!("role_members.contacts[{i}][1]"), format!("web role `{r}` does not exist"))
            })?;
            contact_members.push((row, role));
        }
        let mut account_members = Vec::new();
        for (i, (a, r)) in raw.role_members.accounts.iter().enumerate() {
            let row = lookup_row(account_table, a).ok_or_else(|| {
                LoadError::at(file, format!("role_members.accounts[{i}][0]"), format!("account `{a}` does not exist"))
            })?;
            let role = *role_index.get(r).ok_or_else(|| {
                LoadError::at(file, format!("role_members.accounts[{i}][1]"), format!("web role `{r}` does not exist"))
            })?;
            account_members.push((row, role));
        }
        contact_members.sort_unstable();
        contact_members.dedup();
        account_members.sort_unstable();
        account_members.dedup();

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
            dangling,
            contact_table,
            account_table,
            raw,
        })
    }

    /// Table id by name.
    pub fn table_id(&self, name: &str) -> Option<TableId> {
        self.table_index.get(name).copied()
    }
    /// Global row id by table and id.
    pub fn row_id(&self, table: TableId, id: &str) -> Option<RowId> {
        self.row_index.get(table as usize)?.get(id).map(|&i| self.tables[table as usize].first + i)
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
    /// `acct(c)` (S1).
    pub fn account_of(&self, contact: RowId) -> Option<RowId> {
        self.contact_account
            .binary_search_by_key(&contact, |(c, _)| *c)
            .ok()
            .map(|i| self.contact_account[i].1)
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

fn kind_of(v: &Value) -> &'static str {
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
