//! Validation of the exposure channels' sections (channels.md) and of the
//! page rules (tenant-format.md) into the model's
//! [`super::channels::Channels`]: unknown column privileges or codes, page
//! rights, profiles, components and page rules naming a missing role or
//! table, fail the load with the JSON path.

use super::builder::invalid;
use super::channels::{Channels, ColumnPrivilege, ColumnPrivileges, ColumnProfile, Component, ComponentKind, PageRight, PageRule};
use super::ids::{RoleId, TableId};
use super::kind_of;
use crate::error::LoadError;
use crate::load::raw::{RawColumnProfile, RawTenant};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Validates the three sections of `raw` against the tenant's tables and
/// roles.
pub(crate) fn build_channels(
    file: &str,
    raw: &RawTenant,
    table_index: &HashMap<String, TableId>,
    role_index: &HashMap<String, RoleId>,
) -> Result<Channels, LoadError> {
    let mut ch = Channels::default();
    settings(file, raw, &mut ch)?;
    for (i, p) in raw.column_permission_profiles.iter().enumerate() {
        if raw.column_permission_profiles[..i].iter().any(|q| q.id == p.id) {
            let message = format!("duplicate column permission profile id `{}`", p.id);
            return Err(invalid(file, &p.origin, format!("column_permission_profiles[{i}].id"), "id", message));
        }
        ch.profiles.push(profile(file, i, p, table_index, role_index)?);
    }
    components(file, raw, table_index, &mut ch)?;
    page_rules(file, raw, role_index, &mut ch)?;
    Ok(ch)
}

/// Web page access control rules: unique ids, a known right, existing roles.
fn page_rules(file: &str, raw: &RawTenant, role_index: &HashMap<String, RoleId>, ch: &mut Channels) -> Result<(), LoadError> {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, r) in raw.page_rules.iter().enumerate() {
        let err = |field: &str, message: String| invalid(file, &r.origin, format!("page_rules[{i}].{field}"), field, message);
        if r.id.is_empty() {
            return Err(err("id", "a page rule id must not be empty".into()));
        }
        if ids.insert(&r.id, i).is_some() {
            return Err(err("id", format!("duplicate page rule id `{}`", r.id)));
        }
        let right = PageRight::parse(&r.right).ok_or_else(|| {
            let message = format!("unknown page right {} (expected `grant_change`, `restrict_read` or a code 1 or 2)", super::show(&r.right));
            err("right", message)
        })?;
        let mut roles = Vec::new();
        for (k, id) in r.web_roles.iter().enumerate() {
            let role = role_index.get(id).ok_or_else(|| err(&format!("web_roles[{k}]"), format!("web role `{id}` does not exist")))?;
            roles.push(*role);
        }
        let exclude_files = match &r.scope {
            None => false,
            Some(v) => match (v.as_str(), v.as_u64()) {
                (Some("all_content"), _) | (_, Some(1)) => false,
                (Some("exclude_direct_child_web_files"), _) | (_, Some(2)) => true,
                _ => {
                    let message = format!(
                        "unknown page rule scope {} (expected `all_content`, `exclude_direct_child_web_files` or a code 1 or 2)",
                        super::show(v)
                    );
                    return Err(err("scope", message));
                }
            },
        };
        let mut states = Vec::new();
        for (k, id) in r.publishing_states.iter().enumerate() {
            let s = raw.publishing_states.iter().position(|s| &s.id == id);
            let s = s.ok_or_else(|| err(&format!("publishing_states[{k}]"), format!("publishing state `{id}` does not exist")))?;
            states.push(s as u32);
        }
        let (id, name, page, active) = (r.id.clone(), r.name.clone(), r.page.clone(), r.active);
        ch.page_rules.push(PageRule { id, name, page, right, roles, exclude_files, states, active });
    }
    Ok(())
}

/// Site settings (C1): the last active setting of a name wins; duplicates
/// are kept for lint (PP019).
fn settings(file: &str, raw: &RawTenant, ch: &mut Channels) -> Result<(), LoadError> {
    let mut seen: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, s) in raw.site_settings.iter().enumerate() {
        if s.name.trim().is_empty() {
            let message = "a setting name must not be empty".to_string();
            return Err(invalid(file, &s.origin, format!("site_settings[{i}].name"), "name", message));
        }
        if s.active {
            let key = s.name.to_ascii_lowercase();
            seen.entry(key.clone()).or_default().push(i);
            ch.settings.insert(key, i);
        }
    }
    ch.duplicates = seen.into_iter().filter(|(_, v)| v.len() > 1).collect();
    Ok(())
}

/// Column permission profile `i` (C5).
fn profile(
    file: &str,
    i: usize,
    p: &RawColumnProfile,
    table_index: &HashMap<String, TableId>,
    role_index: &HashMap<String, RoleId>,
) -> Result<ColumnProfile, LoadError> {
    let at = |field: &str| format!("column_permission_profiles[{i}].{field}");
    let err = |field: &str, message: String| invalid(file, &p.origin, at(field), field, message);
    {
        let table = *table_index.get(&p.table).ok_or_else(|| err("table", format!("table `{}` does not exist", p.table)))?;
        let mut roles = Vec::new();
        for (k, r) in p.web_roles.iter().enumerate() {
            let id = role_index.get(r).ok_or_else(|| err(&format!("web_roles[{k}]"), format!("web role `{r}` does not exist")))?;
            roles.push(*id);
        }
        let all_columns = privileges(&p.all_columns, |k| err(&format!("all_columns[{k}]"), String::new()))?;
        let mut columns = BTreeMap::new();
        for (name, v) in &p.columns {
            let list = match v {
                Value::Array(a) => a.as_slice(),
                other => {
                    let message = format!("expected an array of column privileges, found {}", kind_of(other));
                    return Err(err(&format!("columns.{name}"), message));
                }
            };
            let set = privileges(list, |k| err(&format!("columns.{name}[{k}]"), String::new()))?;
            let slot: &mut ColumnPrivileges = columns.entry(name.to_ascii_lowercase()).or_default();
            slot.0 |= set.0;
        }
        Ok(ColumnProfile {
            id: p.id.clone(),
            name: p.name.clone(),
            table,
            roles,
            all_columns,
            columns,
            active: p.active,
        })
    }
}

/// Components (C11): lists, basic forms and advanced form steps.
fn components(file: &str, raw: &RawTenant, table_index: &HashMap<String, TableId>, ch: &mut Channels) -> Result<(), LoadError> {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, c) in raw.components.iter().enumerate() {
        let at = |field: &str| format!("components[{i}].{field}");
        let err = |field: &str, message: String| invalid(file, &c.origin, at(field), field, message);
        if ids.insert(&c.id, i).is_some() {
            return Err(err("id", format!("duplicate component id `{}`", c.id)));
        }
        let kind = match c.kind.as_str() {
            "list" => ComponentKind::List,
            "form" => ComponentKind::Form,
            "form_step" => ComponentKind::FormStep,
            other => {
                return Err(err("kind", format!("unknown component kind `{other}` (expected `list`, `form` or `form_step`)")))
            }
        };
        if let Some(m) = &c.mode {
            if !matches!(m.as_str(), "insert" | "edit" | "readonly") {
                return Err(err("mode", format!("unknown form mode `{m}` (expected `insert`, `edit` or `readonly`)")));
            }
        }
        let table = *table_index.get(&c.table).ok_or_else(|| err("table", format!("table `{}` does not exist", c.table)))?;
        ch.components.push(Component {
            id: c.id.clone(),
            kind,
            name: c.name.clone(),
            table,
            permissions_enabled: c.permissions_enabled,
            odata_enabled: c.odata_enabled,
            mode: c.mode.clone(),
            active: c.active,
        });
    }
    Ok(())
}

/// A list of column privileges; `at(k)` is the error for item `k`, whose
/// message this fills in.
fn privileges(list: &[Value], at: impl Fn(usize) -> LoadError) -> Result<ColumnPrivileges, LoadError> {
    let mut set = ColumnPrivileges::default();
    for (k, v) in list.iter().enumerate() {
        match ColumnPrivilege::parse(v) {
            Some(q) => set.0 |= q.bit(),
            None => {
                let message = match v {
                    Value::String(s) => format!("unknown column privilege `{s}` (expected `create`, `read` or `update`)"),
                    Value::Number(n) => {
                        format!("unknown column privilege code `{n}` (expected 746610000, 746610001 or 746610002)")
                    }
                    other => format!("expected a column privilege, found {}", kind_of(other)),
                };
                return Err(match at(k) {
                    LoadError::Invalid { file, place, .. } => LoadError::Invalid { file, place, message },
                    e => e,
                });
            }
        }
    }
    Ok(set)
}
