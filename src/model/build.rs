//! How a raw tenant becomes a [`Tenant`]: the entry points every importer
//! goes through ([`load`], [`build_folder`], [`Tenant::build`],
//! [`Tenant::rebuild`]), in two steps, rows ([`super::rows`]) then
//! configuration ([`super::config`]), and what the steps share.

use super::{Dangling, RelId, Relationship, RoleId, RowId, Table, TableId, Tenant};
use super::index::RowIndex;
use crate::error::LoadError;
use crate::load::raw::{Origin, RawTenant};
use std::collections::HashMap;
use std::sync::Arc;

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
    Tenant::build(folder.raw.clone(), &source).map_err(|e| match (&folder.finance_file, e) {
        // An error in the F&O section is an error in `finance-operations.json`.
        (Some(file), LoadError::Invalid { file: f, place, message }) if f == source && place.starts_with("`finance_operations.") => {
            LoadError::Invalid { file: file.clone(), place: place.replacen("`finance_operations.", "`", 1), message }
        }
        (_, e) => folder.locator.relocate(&source, e),
    })
}


impl Tenant {
    /// Validates and interns a raw tenant read from `source`: first the
    /// relationships, rows and associations, then the configuration (web
    /// roles, memberships, table permissions) against them.
    pub fn build(raw: RawTenant, source: &str) -> Result<Tenant, LoadError> {
        let rows = super::rows::build_rows(&raw, source)?;
        super::config::build_config(rows, raw, source, KnownMembers::default())
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
        super::config::build_config(rows, raw, &self.source, known)
    }
}

pub(crate) struct Builder<'a> {
    pub(crate) file: &'a str,
    pub(crate) tables: Vec<Table>,
    pub(crate) table_index: HashMap<String, TableId>,
}

impl Builder<'_> {
    pub(crate) fn table(&mut self, name: &str) -> TableId {
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

/// An error at `path` of the native file, or at the line of `field` in the
/// site file `origin` names.
pub(crate) fn invalid(file: &str, origin: &Option<Origin>, path: String, field: &str, message: String) -> LoadError {
    let (file, place) = place(file, origin, path, field);
    LoadError::Invalid { file, place, message }
}

/// Memberships already resolved for [`Tenant::build_config`]: per list,
/// the resolved pairs (sorted, without duplicates) of its first entries,
/// and how many entries that is.
#[derive(Default)]
pub(crate) struct KnownMembers {
    pub(crate) contacts: Option<(Vec<(RowId, RoleId)>, usize)>,
    pub(crate) accounts: Option<(Vec<(RowId, RoleId)>, usize)>,
}

/// What the relationships, rows and associations of a tenant determine:
/// tables, row ids, links, accounts of contacts. The first step of
/// [`Tenant::build`]; the second validates the configuration against it.
pub(crate) struct RowPart {
    pub(crate) tables: Vec<Table>,
    pub(crate) table_index: HashMap<String, TableId>,
    pub(crate) row_index: Arc<Vec<RowIndex>>,
    pub(crate) relationships: Vec<Relationship>,
    pub(crate) rel_index: HashMap<String, RelId>,
    pub(crate) links: Arc<Vec<(RelId, RowId, RowId)>>,
    pub(crate) contact_account: Arc<Vec<(RowId, RowId)>>,
    pub(crate) account_by_contact: Arc<Vec<RowId>>,
    pub(crate) dangling: Arc<Vec<Dangling>>,
    pub(crate) contact_table: TableId,
    pub(crate) account_table: TableId,
    /// Total rows: the `first` of every table without rows.
    pub(crate) end: RowId,
}
