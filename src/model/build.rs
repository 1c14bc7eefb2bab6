//! How a raw tenant becomes a [`Tenant`]: the entry points every importer
//! goes through ([`load`], [`build_folder`], [`Tenant::build`],
//! [`Tenant::rebuild`]), in two steps, rows ([`super::rows`]) then
//! configuration ([`super::config`]), and what the steps share.

use super::builder::{KnownMembers, RowPart};
use super::{RoleId, RowId, Tenant};
use crate::error::LoadError;
use crate::load::raw::RawTenant;
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
