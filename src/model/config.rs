//! The second step of [`super::Tenant::build`]: web roles, memberships and table
//! permissions, validated against the rows of the first step.

use super::builder::{invalid, Builder, KnownMembers, RowPart};
use super::index::{RowIndex, BATCH};
use super::lookups::rows_of;
use rayon::prelude::*;
use super::{show, PermId, Permission, Privilege, Privileges, RelId, RelRef, Role, RoleId, RowId, Scope, Table, TableId, Tenant};
use crate::error::LoadError;
use crate::load::raw::{RawPermission, RawTenant};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Web roles, memberships (those `known` has not resolved already) and
/// table permissions of `raw`, against `rows`.
pub(crate) fn build_config(rows: RowPart, raw: RawTenant, source: &str, known: KnownMembers) -> Result<Tenant, LoadError> {
    let file = source;
    let row_tables = rows.tables.len();
    // Tables named only by permissions have no rows: `first` = end.
    let mut b = Builder { file, tables: rows.tables, table_index: rows.table_index };
    let perm_tables: Vec<TableId> = raw.table_permissions.iter().map(|p| b.table(&p.table)).collect();
    for t in &mut b.tables[row_tables..] {
        t.first = rows.end;
    }
    let (tables, table_index) = (b.tables, b.table_index);
    let (roles, role_index) = web_roles(file, &raw)?;
    let members = Members { file, tables: &tables, row_index: &rows.row_index, role_index: &role_index };
    let contact_members =
        members.resolve(&raw.role_members.contacts, known.contacts, rows.contact_table, ("contacts", "contact"))?;
    let account_members =
        members.resolve(&raw.role_members.accounts, known.accounts, rows.account_table, ("accounts", "account"))?;
    let perm_index = permission_ids(file, &raw)?;
    let cx = Config { file, raw: &raw, role_index: &role_index, perm_index: &perm_index, rel_index: &rows.rel_index };
    let permissions = raw
        .table_permissions
        .iter()
        .enumerate()
        .map(|(i, p)| cx.permission(i, p, perm_tables[i]))
        .collect::<Result<Vec<_>, _>>()?;
    check_parent_cycles(file, &permissions)?;
    let channels = std::sync::Arc::new(super::channel_config::build_channels(file, &raw, &table_index, &role_index)?);
    let surfaces = std::sync::Arc::new(super::surface_config::build_surfaces(file, &raw, &role_index, &channels)?);
    let finance = match &raw.finance_operations {
        Some(section) => {
            let against = super::finance_config::Against {
                at: super::lookups::Lookups {
                    file,
                    tables: &tables,
                    table_index: &table_index,
                    row_index: &rows.row_index,
                    relationships: &rows.relationships,
                },
                rel_index: &rows.rel_index,
                contact_table: rows.contact_table,
            };
            Some(std::sync::Arc::new(super::finance_config::build(&against, section, &raw.rows)?))
        }
        None => None,
    };
    let mut spans: Vec<(RowId, TableId)> =
        tables.iter().enumerate().filter(|(_, t)| !t.ids.is_empty()).map(|(i, t)| (t.first, i as TableId)).collect();
    spans.sort_unstable();
    Ok(Tenant {
        source: source.to_string(),
        spans,
        tables,
        table_index,
        row_index: rows.row_index,
        row_tables,
        relationships: rows.relationships,
        rel_index: rows.rel_index,
        roles,
        role_index,
        permissions,
        perm_index,
        contact_members,
        account_members,
        links: rows.links,
        contact_account: rows.contact_account,
        account_by_contact: rows.account_by_contact,
        dangling: rows.dangling,
        contact_table: rows.contact_table,
        account_table: rows.account_table,
        channels,
        surfaces,
        finance,
        raw,
        rank: OnceLock::new(),
    })
}

/// Web roles, with their ids unique and not empty.
fn web_roles(file: &str, raw: &RawTenant) -> Result<(Vec<Role>, HashMap<String, RoleId>), LoadError> {
    let mut roles = Vec::new();
    let mut role_index: HashMap<String, RoleId> = HashMap::new();
    for (i, r) in raw.web_roles.iter().enumerate() {
        if r.id.is_empty() {
            return Err(invalid(file, &r.origin, format!("web_roles[{i}].id"), "id", "a role id must not be empty".into()));
        }
        if role_index.insert(r.id.clone(), roles.len() as RoleId).is_some() {
            let message = format!("duplicate web role id `{}`", r.id);
            return Err(invalid(file, &r.origin, format!("web_roles[{i}].id"), "id", message));
        }
        roles.push(Role {
            id: r.id.clone(),
            name: r.name.clone(),
            anonymous: r.anonymous_users,
            authenticated: r.authenticated_users,
            active: r.active,
        });
    }
    Ok((roles, role_index))
}

/// Membership entries one task resolves.
const MEMBER_RUN: usize = 1 << 15;

/// What memberships resolve against.
struct Members<'a> {
    file: &'a str,
    tables: &'a [Table],
    row_index: &'a [RowIndex],
    role_index: &'a HashMap<String, RoleId>,
}

impl Members<'_> {
    /// The `(row, role)` pairs of one membership list, sorted, without
    /// duplicates; the first `known.1` entries are resolved already.
    fn resolve(
        &self,
        list: &[(String, String)],
        known: Option<(Vec<(RowId, RoleId)>, usize)>,
        table: TableId,
        (field, kind): (&str, &str),
    ) -> Result<Vec<(RowId, RoleId)>, LoadError> {
        let (mut out, from) = known.unwrap_or_default();
        // Runs of entries in parallel, each in batches whose lookups
        // overlap; joined in order, the first error first.
        let runs: Vec<Result<Vec<(RowId, RoleId)>, LoadError>> = list
            .get(from..)
            .unwrap_or_default()
            .par_chunks(MEMBER_RUN)
            .enumerate()
            .map(|(k, run)| self.run(run, from + k * MEMBER_RUN, table, (field, kind)))
            .collect();
        for run in runs {
            out.extend(run?);
        }
        if from < list.len() {
            out.par_sort_unstable();
            out.dedup();
        }
        Ok(out)
    }

    /// The entries `run` of a membership list, from entry `first` on.
    fn run(&self, run: &[(String, String)], first: usize, table: TableId, (field, kind): (&str, &str)) -> Result<Vec<(RowId, RoleId)>, LoadError> {
        let file = self.file;
        let (index, ids, base) = rows_of(self.tables, self.row_index, table);
        let mut out = Vec::with_capacity(run.len());
        let (mut reqs, mut found) = (Vec::with_capacity(BATCH), Vec::with_capacity(BATCH));
        for (b, batch) in run.chunks(BATCH).enumerate() {
            reqs.clear();
            reqs.extend(batch.iter().map(|(c, _)| (index, ids, c.as_str())));
            RowIndex::get_many(&reqs, &mut found);
            for (j, ((c, r), row)) in batch.iter().zip(&found).enumerate() {
                let i = first + b * BATCH + j;
                let row = row.ok_or_else(|| {
                    LoadError::at(file, format!("role_members.{field}[{i}][0]"), format!("{kind} `{c}` does not exist"))
                })?;
                let role = *self.role_index.get(r).ok_or_else(|| {
                    LoadError::at(file, format!("role_members.{field}[{i}][1]"), format!("web role `{r}` does not exist"))
                })?;
                out.push((base + row, role));
            }
        }
        Ok(out)
    }
}

/// Permission ids, unique and not empty.
fn permission_ids(file: &str, raw: &RawTenant) -> Result<HashMap<String, PermId>, LoadError> {
    let mut perm_index: HashMap<String, PermId> = HashMap::new();
    for (i, p) in raw.table_permissions.iter().enumerate() {
        let at = format!("table_permissions[{i}].id");
        if p.id.is_empty() {
            return Err(invalid(file, &p.origin, at, "id", "a permission id must not be empty".into()));
        }
        if perm_index.insert(p.id.clone(), i as PermId).is_some() {
            return Err(invalid(file, &p.origin, at, "id", format!("duplicate table permission id `{}`", p.id)));
        }
    }
    Ok(perm_index)
}

/// What a table permission is validated against.
struct Config<'a> {
    file: &'a str,
    raw: &'a RawTenant,
    role_index: &'a HashMap<String, RoleId>,
    perm_index: &'a HashMap<String, PermId>,
    rel_index: &'a HashMap<String, RelId>,
}

impl Config<'_> {
    /// Table permission `i`, `p`, on table `table`.
    fn permission(&self, i: usize, p: &RawPermission, table: TableId) -> Result<Permission, LoadError> {
        let err = |field: &str, message: String| invalid(self.file, &p.origin, format!("table_permissions[{i}].{field}"), field, message);
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
        let mut roles = Vec::new();
        for (j, r) in p.web_roles.iter().enumerate() {
            let id = *self.role_index.get(r).ok_or_else(|| err(&format!("web_roles[{j}]"), format!("web role `{r}` does not exist")))?;
            if !roles.contains(&id) {
                roles.push(id);
            }
        }
        let parent = match p.parent.as_deref() {
            None | Some("") => None,
            Some(s) => Some(*self.perm_index.get(s).ok_or_else(|| err("parent", format!("parent permission `{s}` does not exist")))?),
        };
        let rel = |field: &str, v: &Option<String>, wanted: Scope| -> Result<Option<RelRef>, LoadError> {
            if scope != wanted {
                return Ok(None);
            }
            match v.as_deref() {
                None | Some("") => Err(err(field, format!("scope `{}` needs `{field}`", scope.name()))),
                Some(name) => match self.rel_index.get(name) {
                    Some(&id) => Ok(Some(RelRef { name: name.to_string(), id: Some(id) })),
                    None if self.raw.lenient_relationships => Ok(Some(RelRef { name: name.to_string(), id: None })),
                    None => Err(err(field, format!("relationship `{name}` does not exist"))),
                },
            }
        };
        let contact_relationship = rel("contact_relationship", &p.contact_relationship, Scope::Contact)?;
        let account_relationship = rel("account_relationship", &p.account_relationship, Scope::Account)?;
        // A folder permission whose parent named nothing keeps its scope,
        // inactive (tenant-format.md, "Broken references").
        if scope == Scope::Parent && parent.is_none() && p.dropped_parent.is_none() {
            return Err(err("parent", "scope `parent` needs `parent`".into()));
        }
        let parent_relationship = rel("parent_relationship", &p.parent_relationship, Scope::Parent)?;
        Ok(Permission {
            id: p.id.clone(),
            name: p.name.clone(),
            table,
            scope,
            privileges,
            roles,
            contact_relationship,
            account_relationship,
            parent,
            parent_relationship,
            active: p.active,
            origin: p.origin.clone(),
        })
    }
}

/// S5: parent links must end at a root. `ends[k]`: k is known to end at a
/// root, so each walk stops there (linear in the number of permissions,
/// whatever the depth of the chains).
fn check_parent_cycles(file: &str, permissions: &[Permission]) -> Result<(), LoadError> {
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
                let message = format!("parent links form a cycle: {}", chain.join(" -> "));
                return Err(invalid(file, &p.origin, format!("table_permissions[{i}].parent"), "parent", message));
            }
            seen.push(m);
            cur = permissions[m as usize].parent;
        }
        for k in seen {
            ends[k as usize] = true;
        }
    }
    Ok(())
}
