//! What the two steps of [`super::Tenant::build`] share: the table
//! interner, the rows step's result, memberships already resolved, and
//! errors placed at a file and line.

use super::index::RowIndex;
use super::{Dangling, RelId, Relationship, RoleId, RowId, Table, TableId};
use crate::error::LoadError;
use crate::load::raw::Origin;
use std::collections::HashMap;
use std::sync::Arc;

/// Interns table names into ids, in the order they are first named.
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
