//! Folder tenants (tenant-format.md, "Tenant folders"): a `pac pages download`
//! site folder (classic `adx_` / `mspp_` keys, or a code site's unprefixed
//! keys), Dataverse Web API pages under `data/`, and an optional
//! `relationships.json`.
//!
//! The importer only reads: it turns the folder into a [`RawTenant`] (with
//! `lenient_relationships` set and the file and line of every role and
//! permission), and [`crate::model::Tenant::build`], the one validator,
//! does the rest. Errors name the file and the line (YAML) or the JSON path
//! (Web API pages); errors the validator finds in data rows are moved back
//! to the page and row they came from.

use crate::error::LoadError;
use crate::load::raw::{Origin, RawPermission, RawRole, RawTenant};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use super::files::{display, read_error};
use super::site_record::{files_ending, invalid, read_yaml, records, role_list, Fields};
use super::yaml::Node;
use super::webapi::{self, Locator};

pub use super::site_record::{Dropped, DroppedKind, KeyStyle, SiteReport};

/// A folder read into raw form, before validation.
#[derive(Debug, Clone)]
pub struct Folder {
    /// The tenant folder as given.
    pub root: PathBuf,
    /// The raw tenant.
    pub raw: RawTenant,
    /// Key styles of the site files.
    pub site: SiteReport,
    /// Every file that was read (the inputs `convert` must never overwrite).
    pub inputs: Vec<PathBuf>,
    /// Folders whose files are read (`site/...`, `data/`): no output may go there.
    pub input_dirs: Vec<PathBuf>,
    /// Whether the folder has Web API data (`data/`); without it the tenant is
    /// configuration-only.
    pub has_data: bool,
    /// Where each data row and association came from, to move validation
    /// errors back to the page and row they came from.
    pub locator: Locator,
    /// `finance-operations.json`, when the folder has one: validation
    /// errors in the `finance_operations` section are reported there.
    pub finance_file: Option<String>,
}

fn has_site_files(dir: &Path) -> bool {
    dir.join("webrole.yml").is_file()
        || dir.join("web-roles").is_dir()
        || dir.join("table-permissions").is_dir()
        || super::solution::is_solution(dir)
}

fn subdirs(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| read_error(dir, e))? {
        let entry = entry.map_err(|e| read_error(dir, e))?;
        if entry.path().is_dir() {
            out.push(entry.path());
        }
    }
    out.sort();
    Ok(out)
}

/// The site folder of a tenant folder: `site/` (or `.powerpages-site/`, or
/// the one download folder inside `site/`), or the folder itself when it is
/// a site download.
fn find_site(root: &Path) -> Result<Option<PathBuf>, LoadError> {
    for name in ["site", ".powerpages-site"] {
        let dir = root.join(name);
        if !dir.is_dir() {
            continue;
        }
        let code_site = dir.join(".powerpages-site");
        if code_site.is_dir() {
            return Ok(Some(code_site));
        }
        if has_site_files(&dir) {
            return Ok(Some(dir));
        }
        let nested: Vec<PathBuf> = subdirs(&dir)?.into_iter().filter(|d| has_site_files(d)).collect();
        if let [only] = nested.as_slice() {
            return Ok(Some(only.clone()));
        }
        return Ok(Some(dir));
    }
    Ok(has_site_files(root).then(|| root.to_path_buf()))
}

/// Reads a folder tenant into raw form (no validation beyond the shapes of
/// the files). References that name nothing (a parent permission, a web
/// role) are dropped and listed in [`SiteReport::dropped`]. A solution site holding several sites is read for
/// the site chosen with [`super::solution::choose_site`].
pub fn read(path: &Path) -> Result<Folder, LoadError> {
    read_site(path, super::solution::chosen_site())
}

/// [`read`], with the site of a solution holding several named.
pub fn read_site(path: &Path, solution_site: Option<&str>) -> Result<Folder, LoadError> {
    let root = path.to_path_buf();
    let data_dir = root.join("data");
    let has_data = data_dir.is_dir();
    let Some(site_dir) = find_site(&root)? else {
        return Err(LoadError::Read {
            file: display(&root),
            reason: "is a folder but not a tenant folder: expected `site/` (a `pac pages download` folder or a code site's `.powerpages-site`) with `webrole.yml`, `web-roles/` or `table-permissions/`, and optionally `data/`".to_string(),
        });
    };
    let mut raw = RawTenant::new();
    raw.lenient_relationships = true;
    let mut site = SiteReport { dir: display(&site_dir), ..SiteReport::default() };
    let mut inputs = Vec::new();
    let mut input_dirs = vec![site_dir.clone()];
    read_roles_and_permissions(&site_dir, &mut raw, &mut site, &mut inputs, &mut input_dirs)?;
    let solution_metadata = read_solution(&site_dir, solution_site, &mut raw, &mut site, &mut inputs)?;
    duplicates(raw.web_roles.iter().map(|r| (&r.id, &r.origin)), "web role")?;
    duplicates(raw.table_permissions.iter().map(|p| (&p.id, &p.origin)), "table permission")?;
    super::site_more::read(&site_dir, &mut raw, &mut site, &mut inputs, &mut input_dirs)?;
    super::site_surfaces::read(&site_dir, &mut raw, &mut site, &mut inputs, &mut input_dirs)?;
    for files in site.styles.values_mut() {
        files.sort();
        files.dedup();
    }

    // relationships.json, then the Web API pages.
    let rel_path = root.join("relationships.json");
    let rel_file = if rel_path.is_file() {
        let file = display(&rel_path);
        let text = std::fs::read_to_string(&rel_path).map_err(|e| read_error(&rel_path, e))?;
        inputs.push(rel_path.clone());
        let declared: webapi::RelationshipsFile = crate::load::native::parse_json(&text, &file)?;
        raw.relationships = declared.relationships;
        Some(file)
    } else {
        None
    };
    read_metadata(&root.join("metadata"), &solution_metadata, &mut raw, &mut inputs)?;
    input_dirs.push(root.join("metadata"));
    let finance_file = read_finance_file(&root, &mut raw, &mut inputs)?;
    let mut locator = Locator::new(rel_file);
    if has_data {
        input_dirs.push(data_dir.clone());
        webapi::read_data(&data_dir, &mut raw, &mut locator, &mut inputs)?;
    }
    site.dropped = super::site_refs::drop_broken(&mut raw, &mut locator);
    raw.unreadable = site.unreadable.clone();
    super::site_more::name_component_tables(&mut raw);
    Ok(Folder { root, raw, site, inputs, input_dirs, has_data, locator, finance_file })
}

/// Web roles (`webrole.yml`, a list, then `web-roles/*.webrole.yml`) and
/// table permissions (`table-permissions/*.tablepermission.yml`).
fn read_roles_and_permissions(
    site_dir: &Path,
    raw: &mut RawTenant,
    site: &mut SiteReport,
    inputs: &mut Vec<PathBuf>,
    input_dirs: &mut Vec<PathBuf>,
) -> Result<(), LoadError> {
    let list = site_dir.join("webrole.yml");
    if list.is_file() {
        let (node, file) = read_yaml(&list, inputs)?;
        for item in records(&node, &file, "web roles")? {
            let r = role(item, &file, site);
            site.keep_into(r, &mut raw.web_roles)?;
        }
    }
    let roles_dir = site_dir.join("web-roles");
    input_dirs.push(roles_dir.clone());
    for path in files_ending(&roles_dir, ".webrole.yml", 0)? {
        let (node, file) = read_yaml(&path, inputs)?;
        let r = role(&node, &file, site);
        site.keep_into(r, &mut raw.web_roles)?;
    }
    let perms_dir = site_dir.join("table-permissions");
    input_dirs.push(perms_dir.clone());
    for path in files_ending(&perms_dir, ".tablepermission.yml", 0)? {
        let (node, file) = read_yaml(&path, inputs)?;
        let r = permission(&node, &file, site);
        site.keep_into(r, &mut raw.table_permissions)?;
    }
    Ok(())
}

/// A solution site (tenant-format "Solutions"): its web roles and table
/// permissions, read as code-site records; returns its relationship
/// metadata files.
fn read_solution(
    dir: &Path,
    choice: Option<&str>,
    raw: &mut RawTenant,
    site: &mut SiteReport,
    inputs: &mut Vec<PathBuf>,
) -> Result<Vec<PathBuf>, LoadError> {
    use super::solution::{self, types};
    if !solution::is_solution(dir) {
        return Ok(Vec::new());
    }
    let sol = solution::read(dir, choice, inputs)?;
    for c in sol.of_kind(types::WEB_ROLE) {
        let r = role(&c.node, &c.file, site);
        site.keep_into(r, &mut raw.web_roles)?;
    }
    for c in sol.of_kind(types::TABLE_PERMISSION) {
        let r = permission(&c.node, &c.file, site);
        site.keep_into(r, &mut raw.table_permissions)?;
    }
    super::site_surfaces::from_solution(dir, &sol, raw, site, inputs)?;
    Ok(sol.metadata)
}

/// Relationship metadata (`metadata/` and a solution's own): each
/// relationship not declared in `relationships.json`, which overrides it.
fn read_metadata(dir: &Path, extra: &[PathBuf], raw: &mut RawTenant, inputs: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    for found in super::metadata::read_dir(dir, extra, inputs)? {
        if !raw.relationships.iter().any(|r| r.name == found.relationship.name) {
            raw.relationships.push(found.relationship);
        }
    }
    // R12: a solution's tables name their entity sets (`EntitySetName`).
    for (set, table) in super::metadata::entity_sets(extra)? {
        raw.entity_sets.entry(set).or_insert(table);
    }
    Ok(())
}

pub(super) fn duplicates<'a>(
    items: impl Iterator<Item = (&'a String, &'a Option<Origin>)>,
    what: &str,
) -> Result<(), LoadError> {
    let mut seen: BTreeMap<&str, &Option<Origin>> = BTreeMap::new();
    for (id, origin) in items {
        if let Some(first) = seen.insert(id.as_str(), origin) {
            // The line and key of the id itself.
            let at = |o: &Option<Origin>| {
                o.as_ref()
                    .map(|o| match o.fields.iter().find(|f| f.0 == "id") {
                        Some((_, line, key)) => (o.file.clone(), *line, key.clone()),
                        None => (o.file.clone(), o.line.unwrap_or(1), "id".to_string()),
                    })
                    .unwrap_or_default()
            };
            let (file, line, key) = at(origin);
            let (first_file, first_line, _) = at(first);
            return Err(invalid(
                &file,
                line,
                &key,
                format!("duplicate {what} id `{id}` (also in `{first_file}` line {first_line})"),
            ));
        }
    }
    Ok(())
}

const ROLE_KEYS: &[&str] = &["id", "webroleid", "powerpagecomponentid", "name", "anonymoususersrole", "authenticatedusersrole", "statecode"];
const PERMISSION_KEYS: &[&str] = &[
    "id",
    "entitypermissionid",
    "powerpagecomponentid",
    "entityname",
    "name",
    "entitylogicalname",
    "scope",
    "read",
    "write",
    "create",
    "delete",
    "append",
    "appendto",
    "entitypermission_webrole",
    "parententitypermission",
    "parentrelationship",
    "contactrelationship",
    "accountrelationship",
    "statecode",
];
fn role(node: &Node, file: &str, site: &mut SiteReport) -> Result<RawRole, LoadError> {
    let f = Fields::new(node, file, ROLE_KEYS, "web role", site)?;
    let (id, id_line, id_key) = f.required(&["webroleid", "id", "powerpagecomponentid"], "web role id", "`adx_webroleid` or `id`")?;
    let mut origin = f.origin();
    origin.fields.push(("id".to_string(), id_line, id_key.to_string()));
    Ok(RawRole {
        id,
        name: f.string(&["name"])?.map(|(s, _, _)| s).unwrap_or_default(),
        anonymous_users: f.flag("anonymoususersrole")?,
        authenticated_users: f.flag("authenticatedusersrole")?,
        active: f.active()?,
        origin: Some(origin),
    })
}

fn permission(node: &Node, file: &str, site: &mut SiteReport) -> Result<RawPermission, LoadError> {
    let f = Fields::new(node, file, PERMISSION_KEYS, "table permission", site)?;
    let mut origin = f.origin();
    let web_roles = role_list(&f, "entitypermission_webrole", &mut origin)?;
    let mut at = |field: &str, line: usize, key: &str| origin.fields.push((field.to_string(), line, key.to_string()));

    let (id, line, key) = f.required(&["entitypermissionid", "id", "powerpagecomponentid"], "table permission id", "`adx_entitypermissionid` or `id`")?;
    at("id", line, key);
    let (table, line, key) = f.required(&["entitylogicalname"], "table", "`adx_entitylogicalname` or `entitylogicalname`")?;
    at("table", line, key);
    let scope = scope(&f, file, &mut at)?;
    let mut privileges = Vec::new();
    for (flag, name) in
        [("read", "read"), ("write", "write"), ("create", "create"), ("delete", "delete"), ("append", "append"), ("appendto", "append_to")]
    {
        if f.flag(flag)? {
            privileges.push(name.to_string());
        }
    }
    let mut text = |field: &str, name: &str| -> Result<Option<String>, LoadError> {
        Ok(f.string(&[name])?.map(|(s, line, key)| {
            at(field, line, key);
            s
        }))
    };
    let parent = text("parent", "parententitypermission")?;
    let parent_relationship = text("parent_relationship", "parentrelationship")?;
    let contact_relationship = text("contact_relationship", "contactrelationship")?;
    let account_relationship = text("account_relationship", "accountrelationship")?;
    let name = f.string(&["entityname", "name"])?.map(|(s, _, _)| s).unwrap_or_default();
    let active = f.active()?;
    Ok(RawPermission {
        id,
        name,
        table,
        scope,
        privileges,
        web_roles,
        contact_relationship,
        account_relationship,
        parent,
        parent_relationship,
        active,
        origin: Some(origin),
        dropped_parent: None,
    })
}

/// A permission's scope: a name, or a code (quoted or not).
fn scope(f: &Fields<'_>, file: &str, at: &mut impl FnMut(&str, usize, &str)) -> Result<Value, LoadError> {
    let Some((key, line, node)) = f.get("scope") else {
        return Err(LoadError::Invalid {
            file: file.to_string(),
            place: format!("line {}", f.line),
            message: "missing scope (`adx_scope` or `scope`)".to_string(),
        });
    };
    at("scope", line, key);
    match node.scalar() {
        None | Some(Value::Null) => Err(invalid(file, line, key, "the scope is empty")),
        // A quoted code is still a code.
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(s.parse::<u64>().map(Value::from).unwrap_or_else(|_| Value::String(s.clone())))
        }
        Some(v) => Ok(v.clone()),
    }
}

/// Reads `finance-operations.json` of a tenant folder, when present, into
/// `raw` (the section in its native form); returns the file's name.
fn read_finance_file(
    root: &std::path::Path,
    raw: &mut RawTenant,
    inputs: &mut Vec<std::path::PathBuf>,
) -> Result<Option<String>, crate::error::LoadError> {
    let path = root.join("finance-operations.json");
    if !path.is_file() {
        return Ok(None);
    }
    let file = path.display().to_string();
    let text = std::fs::read_to_string(&path)
        .map_err(|e| crate::error::LoadError::Read { file: file.clone(), reason: e.to_string() })?;
    inputs.push(path);
    let section: super::finance::RawFinance = crate::load::native::parse_json(&text, &file)?;
    raw.finance_operations = Some(section);
    Ok(Some(file))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn perm(text: &str) -> Result<RawPermission, LoadError> {
        let node = crate::load::yaml::parse(text, "p.yml").unwrap();
        permission(&node, "p.yml", &mut SiteReport::default())
    }

    #[test]
    fn classic_and_code_site_spellings_read_the_same() {
        let classic = perm("adx_entitypermissionid: P1\nadx_entityname: Cases\nadx_entitylogicalname: incident\nadx_scope: 756150001\nadx_contactrelationship: incident_customer_contacts\nadx_read: true\nadx_appendto: true\nadx_entitypermission_webrole:\n- R1\n").unwrap();
        let code = perm("id: P1\nentityname: Cases\nentitylogicalname: incident\nscope: 756150001\ncontactrelationship: incident_customer_contacts\nread: true\nappendto: true\nentitypermission_webrole:\n- R1\nparententitypermission: \n").unwrap();
        let mixed = perm("id: P1\nentityname: Cases\nentitylogicalname: incident\nscope: 756150001\ncontactrelationship: incident_customer_contacts\nread: true\nappendto: true\nadx_entitypermission_webrole:\n- R1\n").unwrap();
        let mspp = perm("mspp_entitypermissionid: P1\nmspp_entityname: Cases\nmspp_entitylogicalname: incident\nmspp_scope: 756150001\nmspp_contactrelationship: incident_customer_contacts\nmspp_read: true\nmspp_appendto: true\nmspp_entitypermission_webrole:\n- R1\n").unwrap();
        for p in [&classic, &code, &mixed, &mspp] {
            assert_eq!(p.id, "P1");
            assert_eq!(p.name, "Cases");
            assert_eq!(p.scope, Value::from(756150001));
            assert_eq!(p.privileges, vec!["read", "append_to"]);
            assert_eq!(p.web_roles, vec!["R1"]);
            assert_eq!(p.parent, None);
            assert_eq!(p.contact_relationship.as_deref(), Some("incident_customer_contacts"));
        }
        let scope_line = classic.origin.as_ref().unwrap().fields.iter().find(|f| f.0 == "scope").cloned();
        assert_eq!(scope_line, Some(("scope".to_string(), 4, "adx_scope".to_string())));
    }

    #[test]
    fn a_privilege_must_be_a_boolean() {
        let e = perm("id: P1\nentitylogicalname: x\nscope: 756150000\nread: yes\n").unwrap_err();
        assert_eq!(e.to_string(), "p.yml: at line 4 (`read`): expected `true` or `false`, found the text `yes`");
    }

    #[test]
    fn two_spellings_of_one_key_are_refused() {
        let e = perm("id: P1\nentitylogicalname: x\nscope: 756150000\nread: true\nadx_read: false\n").unwrap_err();
        assert!(e.to_string().contains("line 5 (`adx_read`)"), "{e}");
    }

    #[test]
    fn missing_scope_names_the_key() {
        let e = perm("adx_entitypermissionid: P1\nadx_entitylogicalname: x\n").unwrap_err();
        assert_eq!(e.to_string(), "p.yml: at line 1: missing scope (`adx_scope` or `scope`)");
    }
}
