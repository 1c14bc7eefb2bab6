//! Applying a scenario's changes, in order, to a clone of the tenant's raw
//! form, then validating the result with [`Tenant::rebuild`] (the one
//! validator, [`Tenant::build`], run only on what the changes can touch:
//! the raw rows are shared with the base tenant until a change edits them,
//! and a scenario that keeps them all re-validates only the configuration).
//!
//! Every change is checked against the tenant as the earlier changes left it:
//! a change that names something missing, or would duplicate an id or close a
//! parent cycle, fails with the change's (1-based) number and the reason.
//! Whatever the per-change checks miss is caught by the final
//! [`Tenant::build`]; the failing change is then found by replaying the
//! changes one at a time.

use super::changes::{ActiveTarget, Change, Member, RowRef, Scenario};
use crate::error::LoadError;
use crate::model::{RelKind, Tenant};
use crate::load::raw::{RawPermission, RawRow, RawTenant};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;
use thiserror::Error;

/// Why a scenario could not be applied: the change (numbered from 1) and the reason.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("change {index}: {reason}")]
pub struct ChangeError {
    /// The change's number in its scenario, from 1.
    pub index: usize,
    /// What is wrong, naming the offending id in backticks.
    pub reason: String,
}

/// What a scenario's changes touch, by id string: the what-if diff
/// re-derives only the permission trees these can affect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effect {
    /// Permissions added, removed or edited.
    pub perms: HashSet<String>,
    /// Roles added, removed, (de)activated or whose memberships changed.
    pub roles: HashSet<String>,
    /// Relationships whose links may have changed.
    pub rels: HashSet<String>,
    /// Tables whose set of rows changed.
    pub tables: HashSet<String>,
    /// Whether any row, lookup or association was edited.
    pub data: bool,
}

/// Applies `changes` in order to a clone of `base.raw`.
pub fn apply_changes(base: &Tenant, changes: &[Change]) -> Result<(RawTenant, Effect), ChangeError> {
    let changes = super::names::resolve(base, changes);
    let mut raw = base.raw.clone();
    let mut effect = Effect::default();
    for (i, c) in changes.iter().enumerate() {
        apply_one(base, &mut raw, &mut effect, c).map_err(|reason| ChangeError { index: i + 1, reason })?;
    }
    Ok((raw, effect))
}

/// Applies a scenario and validates the edited tenant.
pub fn build_scenario(base: &Tenant, scenario: &Scenario) -> Result<(Tenant, Effect), ChangeError> {
    let (raw, effect) = apply_changes(base, &scenario.changes)?;
    match base.rebuild(raw) {
        Ok(t) => Ok((t, effect)),
        Err(final_error) => Err(locate(base, &scenario.changes, final_error)),
    }
}

fn reason_of(e: LoadError) -> String {
    match e {
        LoadError::Invalid { message, .. } => message,
        other => other.to_string(),
    }
}

/// Finds the first change after which the tenant no longer builds.
fn locate(base: &Tenant, changes: &[Change], final_error: LoadError) -> ChangeError {
    let mut raw = base.raw.clone();
    let mut effect = Effect::default();
    for (i, c) in changes.iter().enumerate() {
        if let Err(reason) = apply_one(base, &mut raw, &mut effect, c) {
            return ChangeError { index: i + 1, reason };
        }
        if let Err(e) = base.rebuild(raw.clone()) {
            return ChangeError { index: i + 1, reason: format!("leaves the tenant invalid: {}", reason_of(e)) };
        }
    }
    ChangeError { index: changes.len(), reason: format!("leaves the tenant invalid: {}", reason_of(final_error)) }
}

fn perm_index(raw: &RawTenant, id: &str) -> Result<usize, String> {
    raw.table_permissions.iter().position(|p| p.id == id).ok_or_else(|| format!("permission `{id}` does not exist"))
}

fn perm_mut<'a>(raw: &'a mut RawTenant, id: &str) -> Result<&'a mut RawPermission, String> {
    let i = perm_index(raw, id)?;
    Ok(&mut raw.table_permissions[i])
}

fn role_exists(raw: &RawTenant, id: &str) -> Result<(), String> {
    if raw.web_roles.iter().any(|r| r.id == id) {
        Ok(())
    } else {
        Err(format!("web role `{id}` does not exist"))
    }
}

fn row_pos(raw: &RawTenant, table: &str, id: &str) -> Option<(usize, usize)> {
    let ti = raw.rows.0.iter().position(|t| t.name == table)?;
    let ri = raw.rows.0[ti].position(id)?;
    Some((ti, ri))
}

fn row_exists(raw: &RawTenant, r: &RowRef) -> Result<(usize, usize), String> {
    row_pos(raw, &r.table, &r.id).ok_or_else(|| format!("row `{r}` does not exist"))
}

/// Names of the relationships with `table` at either end.
fn rels_touching(base: &Tenant, table: &str) -> Vec<String> {
    let Some(t) = base.table_id(table) else {
        return Vec::new();
    };
    base.relationships
        .iter()
        .filter(|r| {
            let (a, b) = r.ends();
            a == t || b == t
        })
        .map(|r| r.name.clone())
        .collect()
}

fn pairs_mut<'a>(raw: &'a mut RawTenant, rel: &str) -> Option<&'a mut Vec<Value>> {
    match Arc::make_mut(&mut raw.associations).get_mut(rel) {
        Some(Value::Array(a)) => Some(a),
        _ => None,
    }
}

fn is_pair(v: &Value, a: &str, b: &str) -> bool {
    matches!(v.as_array().map(Vec::as_slice), Some([Value::String(x), Value::String(y)]) if x == a && y == b)
}

fn apply_one(base: &Tenant, raw: &mut RawTenant, effect: &mut Effect, change: &Change) -> Result<(), String> {
    match change {
        Change::AddPermission(p) => {
            if raw.table_permissions.iter().any(|q| q.id == p.id) {
                return Err(format!("permission `{}` already exists", p.id));
            }
            if let Some(parent) = p.parent.as_deref().filter(|s| !s.is_empty()) {
                perm_index(raw, parent).map_err(|_| format!("parent permission `{parent}` does not exist"))?;
            }
            for r in &p.web_roles {
                role_exists(raw, r)?;
            }
            effect.perms.insert(p.id.clone());
            raw.table_permissions.push((**p).clone());
        }
        Change::RemovePermission(id) => {
            perm_index(raw, id)?;
            // Every permission below it goes too.
            let mut gone: HashSet<String> = HashSet::from([id.clone()]);
            loop {
                let before = gone.len();
                for p in &raw.table_permissions {
                    if p.parent.as_ref().is_some_and(|m| gone.contains(m)) {
                        gone.insert(p.id.clone());
                    }
                }
                if gone.len() == before {
                    break;
                }
            }
            raw.table_permissions.retain(|p| !gone.contains(&p.id));
            effect.perms.extend(gone);
        }
        Change::SetScope(s) => {
            let i = perm_index(raw, &s.permission)?;
            if let Some(Some(parent)) = &s.parent {
                perm_index(raw, parent).map_err(|_| format!("parent permission `{parent}` does not exist"))?;
                // S5: the new parent must not sit below the permission itself.
                let mut chain = vec![s.permission.clone()];
                let mut cur = Some(parent.clone());
                while let Some(m) = cur {
                    chain.push(m.clone());
                    if m == s.permission {
                        let shown: Vec<String> = chain.iter().map(|c| format!("`{c}`")).collect();
                        return Err(format!("parent links would form a cycle: {}", shown.join(" -> ")));
                    }
                    cur = raw
                        .table_permissions
                        .iter()
                        .find(|p| p.id == m)
                        .and_then(|p| p.parent.clone())
                        .filter(|x| !x.is_empty());
                    if chain.len() > raw.table_permissions.len() + 1 {
                        break;
                    }
                }
            }
            let p = &mut raw.table_permissions[i];
            p.scope = s.scope.clone();
            if let Some(r) = &s.contact_relationship {
                p.contact_relationship = Some(r.clone());
            }
            if let Some(r) = &s.account_relationship {
                p.account_relationship = Some(r.clone());
            }
            if let Some(parent) = &s.parent {
                p.parent = parent.clone();
            }
            if let Some(r) = &s.parent_relationship {
                p.parent_relationship = Some(r.clone());
            }
            effect.perms.insert(s.permission.clone());
        }
        Change::Privilege { permission, privilege, set } => {
            let p = perm_mut(raw, permission)?;
            let name = privilege.name();
            if *set {
                if !p.privileges.iter().any(|x| x == name) {
                    p.privileges.push(name.to_string());
                }
            } else {
                p.privileges.retain(|x| x != name);
            }
            effect.perms.insert(permission.clone());
        }
        Change::SetActive { target: ActiveTarget::Permission(id), active } => {
            perm_mut(raw, id)?.active = *active;
            effect.perms.insert(id.clone());
        }
        Change::SetActive { target: ActiveTarget::Role(id), active } => {
            let r = raw
                .web_roles
                .iter_mut()
                .find(|r| r.id == *id)
                .ok_or_else(|| format!("web role `{id}` does not exist"))?;
            r.active = *active;
            effect.roles.insert(id.clone());
        }
        Change::Link { permission, role, link } => {
            role_exists(raw, role)?;
            let p = perm_mut(raw, permission)?;
            if *link {
                if !p.web_roles.contains(role) {
                    p.web_roles.push(role.clone());
                }
            } else {
                p.web_roles.retain(|r| r != role);
            }
            effect.perms.insert(permission.clone());
        }
        Change::AddRole(r) => {
            if raw.web_roles.iter().any(|x| x.id == r.id) {
                return Err(format!("web role `{}` already exists", r.id));
            }
            raw.web_roles.push(r.clone());
            effect.roles.insert(r.id.clone());
        }
        Change::RemoveRole(id) => {
            role_exists(raw, id)?;
            raw.web_roles.retain(|r| r.id != *id);
            Arc::make_mut(&mut raw.role_members).contacts.retain(|(_, r)| r != id);
            Arc::make_mut(&mut raw.role_members).accounts.retain(|(_, r)| r != id);
            for p in raw.table_permissions.iter_mut() {
                if p.web_roles.contains(id) {
                    p.web_roles.retain(|r| r != id);
                    effect.perms.insert(p.id.clone());
                }
            }
            effect.roles.insert(id.clone());
        }
        Change::Membership { member, role, add } => {
            role_exists(raw, role)?;
            let (table, id, list) = match member {
                Member::Contact(c) => ("contact", c, &mut Arc::make_mut(&mut raw.role_members).contacts),
                Member::Account(a) => ("account", a, &mut Arc::make_mut(&mut raw.role_members).accounts),
            };
            // Rows still shared with the base are looked up in its index.
            let exists = if raw.rows.shares(&base.raw.rows) {
                base.table_id(table).and_then(|t| base.row_id(t, id)).is_some()
            } else {
                raw.rows.0.iter().any(|t| t.name == table && t.position(id).is_some())
            };
            if !exists {
                return Err(format!("{table} `{id}` does not exist"));
            }
            let pair = (id.clone(), role.clone());
            if *add {
                if !list.contains(&pair) {
                    list.push(pair);
                }
            } else {
                list.retain(|p| *p != pair);
            }
            effect.roles.insert(role.clone());
        }
        Change::SetLookup { row, column, value } => {
            let (ti, ri) = row_exists(raw, row)?;
            // The relationships that use this column, and the tables a value may name (S20, S23).
            let mut rels = Vec::new();
            let mut targets: Vec<String> = Vec::new();
            if let Some(t) = base.table_id(&row.table) {
                for r in &base.relationships {
                    if let RelKind::OneToMany { referencing, lookup, referenced } = &r.kind {
                        if *referencing == t && lookup == column {
                            rels.push(r.name.clone());
                            targets.push(base.tables[*referenced as usize].name.clone());
                        }
                    }
                }
            }
            if rels.is_empty() {
                return Err(format!(
                    "column `{column}` of table `{}` is not a lookup (no relationship uses it)",
                    row.table
                ));
            }
            if let Some(v) = value {
                if !targets.iter().any(|t| row_pos(raw, t, v).is_some()) {
                    targets.sort();
                    targets.dedup();
                    return Err(format!(
                        "lookup value `{v}` names no row of {}",
                        targets.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(" or ")
                    ));
                }
            }
            let table = Arc::make_mut(&mut raw.rows.0[ti]);
            let ci = table.column(column);
            let new = value.clone().map(Value::String).unwrap_or(Value::Null);
            if let Some(mut r) = table.row(ri) {
                match r.fields.iter_mut().find(|(c, _)| *c == ci) {
                    Some(slot) => slot.1 = new,
                    None => r.fields.push((ci, new)),
                }
                table.replace_row(ri, Some(r));
            }
            effect.rels.extend(rels);
            effect.data = true;
        }
        Change::AddRow { table, id, fields } => {
            if row_pos(raw, table, id).is_some() {
                return Err(format!("row `{table}:{id}` already exists"));
            }
            let t = raw.table_mut(table);
            let fields = fields.iter().map(|(k, v)| (t.column(k), v.clone())).collect();
            t.push(RawRow { id: id.clone(), fields });
            effect.tables.insert(table.clone());
            effect.rels.extend(rels_touching(base, table));
            effect.data = true;
        }
        Change::RemoveRow(row) => {
            let (ti, ri) = row_exists(raw, row)?;
            Arc::make_mut(&mut raw.rows.0[ti]).replace_row(ri, None);
            // Its associations (S22) ...
            for r in &base.relationships {
                if let RelKind::ManyToMany { tables } = &r.kind {
                    let first = base.tables[tables[0] as usize].name == row.table;
                    let second = base.tables[tables[1] as usize].name == row.table;
                    if !(first || second) {
                        continue;
                    }
                    if let Some(pairs) = pairs_mut(raw, &r.name) {
                        pairs.retain(|p| {
                            let ids = p.as_array().map(Vec::as_slice);
                            !matches!(ids, Some([Value::String(x), _]) if first && *x == row.id)
                                && !matches!(ids, Some([_, Value::String(y)]) if second && *y == row.id)
                        });
                    }
                }
            }
            // ... and its role memberships.
            let members = match row.table.as_str() {
                "contact" => Some(&mut Arc::make_mut(&mut raw.role_members).contacts),
                "account" => Some(&mut Arc::make_mut(&mut raw.role_members).accounts),
                _ => None,
            };
            if let Some(list) = members {
                for (m, r) in list.iter() {
                    if *m == row.id {
                        effect.roles.insert(r.clone());
                    }
                }
                list.retain(|(m, _)| *m != row.id);
            }
            effect.tables.insert(row.table.clone());
            effect.rels.extend(rels_touching(base, &row.table));
            effect.data = true;
        }
        Change::Association { relationship, pair, add } => {
            let rid =
                base.rel_id(relationship).ok_or_else(|| format!("relationship `{relationship}` does not exist"))?;
            let RelKind::ManyToMany { tables } = &base.relationships[rid as usize].kind else {
                return Err(format!("relationship `{relationship}` is not many-to-many"));
            };
            let (ta, tb) = (&base.tables[tables[0] as usize].name, &base.tables[tables[1] as usize].name);
            if *add {
                for (t, id) in [(ta, &pair.0), (tb, &pair.1)] {
                    if row_pos(raw, t, id).is_none() {
                        return Err(format!("row `{t}:{id}` does not exist"));
                    }
                }
                let entry = Arc::make_mut(&mut raw.associations).entry(relationship.clone()).or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = entry {
                    if !list.iter().any(|p| is_pair(p, &pair.0, &pair.1)) {
                        list.push(Value::Array(vec![Value::String(pair.0.clone()), Value::String(pair.1.clone())]));
                    }
                }
            } else if let Some(list) = pairs_mut(raw, relationship) {
                list.retain(|p| !is_pair(p, &pair.0, &pair.1));
            }
            effect.rels.insert(relationship.clone());
            effect.data = true;
        }
    }
    Ok(())
}
