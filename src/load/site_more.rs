//! "More of the site" (tenant-format.md, "Tenant folders"): the site
//! files beyond web roles and table permissions, read into the tenant's
//! `site_settings`, `column_permission_profiles`, `components` and
//! `page_rules`, in classic (`adx_` / `mspp_`) and code-site (unprefixed)
//! spellings:
//!
//! - `sitesetting.yml` (a list) or `site-settings/*.sitesetting.yml`;
//! - `column-permission-profiles/`: profiles
//!   (`*.columnpermissionprofile.yml`) and their per-column files
//!   (`*.columnpermissionprofile.columnpermission.yml`);
//! - `lists/*.list.yml`, `basic-forms/*/*.basicform.yml`,
//!   `advanced-forms/**/*.advancedformstep.yml`;
//! - `webpagerule.yml` (a list) or `webpage-rules/*.webpagerule.yml`.
//!
//! Choice codes become the native names here (column privileges, form
//! modes, page rights), so an unknown code is reported at its line; the
//! model validates the rest (duplicate ids, missing roles in native files).

use crate::error::LoadError;
use crate::load::raw::{Origin, RawColumnProfile, RawComponent, RawPageRule, RawSetting, RawTenant};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use super::site_record::{files_ending, invalid, read_yaml, records, role_list, Fields, SiteReport};
use super::yaml::Node;

/// How deep under their folder profiles, lists, forms and steps are looked for.
const DEPTH: usize = 6;

/// Reads the site files beyond roles and permissions into `raw`.
pub(super) fn read(
    site_dir: &Path,
    raw: &mut RawTenant,
    site: &mut SiteReport,
    inputs: &mut Vec<PathBuf>,
    input_dirs: &mut Vec<PathBuf>,
) -> Result<(), LoadError> {
    let mut files = Files { site_dir, inputs, input_dirs };
    for (node, file) in files.records("sitesetting.yml", "site-settings", ".sitesetting.yml", 0)? {
        for item in records(&node, &file, "site settings")? {
            let r = setting(item, &file, site);
            site.keep_into(r, &mut raw.site_settings)?;
        }
    }
    profiles(&mut files, raw, site)?;
    for spec in [&LIST, &FORM, &STEP] {
        for (node, file) in files.records("", spec.dir, spec.suffix, DEPTH)? {
            for item in records(&node, &file, spec.what)? {
                let r = component(spec, item, &file, site);
                if let Some(c) = site.keep(r)?.flatten() {
                    raw.components.push(c);
                }
            }
        }
    }
    for (node, file) in files.records("webpagerule.yml", "webpage-rules", ".webpagerule.yml", 0)? {
        for item in records(&node, &file, "page rules")? {
            let r = page_rule(item, &file, site);
            site.keep_into(r, &mut raw.page_rules)?;
        }
    }
    Ok(())
}

/// Components and column permission profiles name tables that neither a
/// permission nor a data page may name: each such table is added without
/// rows, so that the folder, and its native form, loads (a list on a table
/// no permission covers is what PP021 is about).
pub(super) fn name_component_tables(raw: &mut RawTenant) {
    let named: HashSet<String> = raw.table_permissions.iter().map(|p| p.table.clone()).collect();
    let wanted: Vec<String> = raw
        .components
        .iter()
        .map(|c| &c.table)
        .chain(raw.column_permission_profiles.iter().map(|p| &p.table))
        .filter(|t| !t.is_empty() && !named.contains(*t))
        .cloned()
        .collect();
    for t in wanted {
        raw.table_mut(&t);
    }
}

/// The files read so far, and the folder they are read from.
pub(super) struct Files<'a> {
    pub(super) site_dir: &'a Path,
    pub(super) inputs: &'a mut Vec<PathBuf>,
    pub(super) input_dirs: &'a mut Vec<PathBuf>,
}

impl Files<'_> {
    /// The parsed files of one kind: the list file `list` at the site's
    /// root (when given and present), then the files of folder `dir`
    /// ending with `suffix`, `depth` levels down.
    pub(super) fn records(&mut self, list: &str, dir: &str, suffix: &str, depth: usize) -> Result<Vec<(Node, String)>, LoadError> {
        let mut out = Vec::new();
        if !list.is_empty() {
            let path = self.site_dir.join(list);
            if path.is_file() {
                out.push(read_yaml(&path, self.inputs)?);
            }
        }
        let folder = self.site_dir.join(dir);
        if folder.is_dir() {
            self.input_dirs.push(folder.clone());
        }
        for path in files_ending(&folder, suffix, depth)? {
            out.push(read_yaml(&path, self.inputs)?);
        }
        Ok(out)
    }
}

const SETTING_KEYS: &[&str] = &["id", "sitesettingid", "powerpagecomponentid", "name", "value", "statecode"];

/// One site setting (C1): its value as written (`true`, `True`, `6`), an
/// absent value as the empty text.
fn setting(node: &Node, file: &str, site: &mut SiteReport) -> Result<RawSetting, LoadError> {
    let f = Fields::new(node, file, SETTING_KEYS, "site setting", site)?;
    let mut origin = f.origin();
    let name = match f.string(&["name"])? {
        Some((name, line, key)) => {
            origin.fields.push(("name".to_string(), line, key.to_string()));
            name
        }
        None => String::new(),
    };
    let value = f.string(&["value"])?.map(|(v, _, _)| v).unwrap_or_default();
    Ok(RawSetting { name, value, active: f.active()?, origin: Some(origin) })
}

const PROFILE_KEYS: &[&str] = &[
    "id",
    "columnpermissionprofileid",
    "powerpagecomponentid",
    "name",
    "profilename",
    "tablename",
    "entitylogicalname",
    "allcolumnpermissions",
    "columnpermissionprofile_webrole",
    "statecode",
];
const COLUMN_KEYS: &[&str] =
    &["id", "columnpermissionid", "columnname", "permissions", "columnpermissionprofileid", "columnpermissionprofile", "statecode"];

/// Column permission profiles, then their per-column files (C5).
fn profiles(files: &mut Files<'_>, raw: &mut RawTenant, site: &mut SiteReport) -> Result<(), LoadError> {
    let dir = "column-permission-profiles";
    let first = raw.column_permission_profiles.len();
    // Folders of profiles that could not be read (PP044): their columns go
    // with them, without a finding of their own.
    let mut dropped: Vec<PathBuf> = Vec::new();
    for (node, file) in files.records("", dir, ".columnpermissionprofile.yml", DEPTH)? {
        for item in records(&node, &file, "column permission profiles")? {
            let r = profile(item, &file, site);
            match site.keep(r)? {
                Some(v) => raw.column_permission_profiles.push(v),
                None => dropped.extend(Path::new(&file).parent().map(Path::to_path_buf)),
            }
        }
    }
    for (node, file) in files.records("", dir, ".columnpermission.yml", DEPTH)? {
        let with_dropped = Path::new(&file).parent().is_some_and(|d| dropped.iter().any(|x| x == d));
        for item in records(&node, &file, "column permissions")? {
            let r = column(item, &file, &mut raw.column_permission_profiles[first..], site);
            if !(with_dropped && r.is_err()) {
                site.keep(r)?;
            }
        }
    }
    Ok(())
}

fn profile(node: &Node, file: &str, site: &mut SiteReport) -> Result<RawColumnProfile, LoadError> {
    let f = Fields::new(node, file, PROFILE_KEYS, "column permission profile", site)?;
    let mut origin = f.origin();
    let web_roles = role_list(&f, "columnpermissionprofile_webrole", &mut origin)?;
    let ids = ["columnpermissionprofileid", "id", "powerpagecomponentid"];
    let (id, line, key) = f.required(&ids, "column permission profile id", "`adx_columnpermissionprofileid` or `id`")?;
    origin.fields.push(("id".to_string(), line, key.to_string()));
    let tables = ["tablename", "entitylogicalname"];
    let (table, line, key) = f.required(&tables, "table", "`adx_tablename` or `tablename`")?;
    origin.fields.push(("table".to_string(), line, key.to_string()));
    let mut all_columns = Vec::new();
    for (code, line, key) in f.codes("allcolumnpermissions")? {
        all_columns.push(column_privilege(code, file, line, key)?);
    }
    Ok(RawColumnProfile {
        id,
        name: f.string(&["profilename", "name"])?.map(|(s, _, _)| s).unwrap_or_default(),
        table,
        web_roles,
        all_columns,
        columns: serde_json::Map::new(),
        active: f.active()?,
        origin: Some(origin),
    })
}

/// A column privilege code as its native name.
fn column_privilege(code: u64, file: &str, line: usize, key: &str) -> Result<Value, LoadError> {
    let name = match code {
        746610000 => "create",
        746610001 => "read",
        746610002 => "update",
        other => {
            let message = format!("unknown column privilege code `{other}` (expected 746610000 create, 746610001 read or 746610002 update)");
            return Err(invalid(file, line, key, message));
        }
    };
    Ok(Value::String(name.to_string()))
}

/// One per-column permission, added to its profile (by the profile id it
/// names, else the one profile read from its own folder). An inactive one
/// grants nothing and is skipped.
fn column(node: &Node, file: &str, profiles: &mut [RawColumnProfile], site: &mut SiteReport) -> Result<(), LoadError> {
    let f = Fields::new(node, file, COLUMN_KEYS, "column permission", site)?;
    if !f.active()? {
        return Ok(());
    }
    let Some((name, _, _)) = f.string(&["columnname"])? else {
        return Err(LoadError::Invalid {
            file: file.to_string(),
            place: format!("line {}", f.line),
            message: "missing column name (`adx_columnname` or `columnname`)".to_string(),
        });
    };
    let folder = Path::new(file).parent();
    let profile = match f.string(&["columnpermissionprofileid", "columnpermissionprofile"])? {
        Some((id, line, key)) => profiles.iter_mut().find(|p| p.id == id).ok_or_else(|| {
            invalid(file, line, key, format!("column permission profile `{id}` is not in this download"))
        })?,
        None => {
            let mut here = profiles.iter_mut().filter(|p| in_folder(&p.origin, folder));
            match (here.next(), here.next()) {
                (Some(only), None) => only,
                _ => {
                    return Err(LoadError::Invalid {
                        file: file.to_string(),
                        place: format!("line {}", f.line),
                        message: "missing the profile id (`adx_columnpermissionprofileid`), and its folder does not hold exactly one profile".to_string(),
                    })
                }
            }
        }
    };
    let mut privileges = Vec::new();
    for (code, line, key) in f.codes("permissions")? {
        privileges.push(column_privilege(code, file, line, key)?);
    }
    let slot = profile.columns.entry(name).or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = slot {
        for p in privileges {
            if !list.contains(&p) {
                list.push(p);
            }
        }
    }
    Ok(())
}

fn in_folder(origin: &Option<Origin>, folder: Option<&Path>) -> bool {
    origin.as_ref().is_some_and(|o| Path::new(&o.file).parent() == folder)
}

/// How one kind of component is spelled.
struct ComponentSpec {
    kind: &'static str,
    what: &'static str,
    dir: &'static str,
    suffix: &'static str,
    ids: &'static [&'static str],
    table: &'static str,
    keys: &'static [&'static str],
}

const LIST: ComponentSpec = ComponentSpec {
    kind: "list",
    what: "lists",
    dir: "lists",
    suffix: ".list.yml",
    ids: &["entitylistid", "id", "powerpagecomponentid"],
    table: "entityname",
    keys: &["id", "entitylistid", "powerpagecomponentid", "name", "entityname", "entitypermissionsenabled", "odata_enabled", "statecode"],
};
const FORM: ComponentSpec = ComponentSpec {
    kind: "form",
    what: "basic forms",
    dir: "basic-forms",
    suffix: ".basicform.yml",
    ids: &["entityformid", "id", "powerpagecomponentid"],
    table: "entityname",
    keys: &["id", "entityformid", "powerpagecomponentid", "name", "entityname", "entitypermissionsenabled", "mode", "statecode"],
};
const STEP: ComponentSpec = ComponentSpec {
    kind: "form_step",
    what: "advanced form steps",
    dir: "advanced-forms",
    suffix: ".advancedformstep.yml",
    ids: &["webformstepid", "id", "powerpagecomponentid"],
    table: "targetentitylogicalname",
    keys: &[
        "id",
        "webformstepid",
        "powerpagecomponentid",
        "name",
        "targetentitylogicalname",
        "entitypermissionsenabled",
        "mode",
        "statecode",
    ],
};

/// One list, basic form or advanced form step (C11). A missing
/// `entitypermissionsenabled` is false, as in the runtime. An advanced form
/// step without a table (a condition or redirect step) secures nothing and
/// is skipped.
fn component(spec: &ComponentSpec, node: &Node, file: &str, site: &mut SiteReport) -> Result<Option<RawComponent>, LoadError> {
    let f = Fields::new(node, file, spec.keys, spec.what.trim_end_matches('s'), site)?;
    let mut origin = f.origin();
    let (id, line, key) = f.required(spec.ids, "id", &format!("`adx_{}` or `id`", spec.ids[0]))?;
    origin.fields.push(("id".to_string(), line, key.to_string()));
    let table = match f.string(&[spec.table])? {
        Some((table, line, key)) => {
            origin.fields.push(("table".to_string(), line, key.to_string()));
            table
        }
        None if spec.kind == "form_step" => return Ok(None),
        None => {
            let message = format!("missing table (`adx_{}` or `{}`)", spec.table, spec.table);
            return Err(LoadError::Invalid { file: file.to_string(), place: format!("line {}", f.line), message });
        }
    };
    let mode = match f.code("mode")? {
        None => None,
        Some((100000000, _, _)) => Some("insert".to_string()),
        Some((100000001, _, _)) => Some("edit".to_string()),
        Some((100000002, _, _)) => Some("readonly".to_string()),
        Some((other, line, key)) => {
            let message = format!("unknown form mode `{other}` (expected 100000000 insert, 100000001 edit or 100000002 read-only)");
            return Err(invalid(file, line, key, message));
        }
    };
    Ok(Some(RawComponent {
        id,
        kind: spec.kind.to_string(),
        name: f.string(&["name"])?.map(|(s, _, _)| s).unwrap_or_default(),
        table,
        permissions_enabled: f.flag("entitypermissionsenabled")?,
        odata_enabled: spec.kind == "list" && f.flag("odata_enabled")?,
        mode,
        active: f.active()?,
        origin: Some(origin),
    }))
}

const RULE_KEYS: &[&str] = &[
    "id",
    "webpageaccesscontrolruleid",
    "powerpagecomponentid",
    "name",
    "webpageid",
    "right",
    "webpageaccesscontrolrule_webrole",
    "scope",
    "adx_accesscontrolrule_publishingstate",
    "accesscontrolrule_publishingstate",
    "statecode",
];

/// One web page access control rule: `right` 1 grant change, 2 restrict read.
pub(super) fn page_rule(node: &Node, file: &str, site: &mut SiteReport) -> Result<RawPageRule, LoadError> {
    let f = Fields::new(node, file, RULE_KEYS, "page rule", site)?;
    let mut origin = f.origin();
    let web_roles = role_list(&f, "webpageaccesscontrolrule_webrole", &mut origin)?;
    let ids = ["webpageaccesscontrolruleid", "id", "powerpagecomponentid"];
    let (id, line, key) = f.required(&ids, "page rule id", "`adx_webpageaccesscontrolruleid` or `id`")?;
    origin.fields.push(("id".to_string(), line, key.to_string()));
    let right = match f.get("right") {
        None => {
            let message = "missing right (`adx_right` or `right`)".to_string();
            return Err(LoadError::Invalid { file: file.to_string(), place: format!("line {}", f.line), message });
        }
        Some((key, line, node)) => {
            origin.fields.push(("right".to_string(), line, key.to_string()));
            match (f.code("right"), node.scalar()) {
                (Ok(Some((1, _, _))), _) => Value::String("grant_change".to_string()),
                (Ok(Some((2, _, _))), _) => Value::String("restrict_read".to_string()),
                (Ok(Some((c, _, _))), _) => {
                    return Err(invalid(file, line, key, format!("unknown page right `{c}` (expected 1 grant change or 2 restrict read)")));
                }
                (_, Some(v)) => v.clone(),
                (Err(e), None) => return Err(e),
                (Ok(None), None) => Value::Null,
            }
        }
    };
    Ok(RawPageRule {
        id,
        name: f.string(&["name"])?.map(|(s, _, _)| s).unwrap_or_default(),
        page: f.string(&["webpageid"])?.map(|(s, _, _)| s),
        right,
        web_roles,
        scope: f.code("scope")?.map(|(c, _, _)| Value::from(c)),
        publishing_states: rule_states(&f)?,
        active: f.active()?,
        origin: Some(origin),
    })
}

/// The publishing states a rule is tied to (`adx_adx_accesscontrolrule_publishingstate`).
fn rule_states(f: &Fields<'_>) -> Result<Vec<String>, LoadError> {
    let mut out = f.ids("adx_accesscontrolrule_publishingstate", "publishing state id")?;
    out.extend(f.ids("accesscontrolrule_publishingstate", "publishing state id")?);
    Ok(out.into_iter().map(|(id, _, _)| id).collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::load::yaml;

    fn one<T>(text: &str, read: fn(&Node, &str, &mut SiteReport) -> Result<T, LoadError>) -> Result<T, LoadError> {
        let node = yaml::parse(text, "f.yml").unwrap();
        read(&node, "f.yml", &mut SiteReport::default())
    }

    #[test]
    fn settings_in_both_spellings_keep_their_text() {
        let classic = one("adx_name: Webapi/contact/enabled\nadx_sitesettingid: S1\nadx_value: True\n", setting).unwrap();
        let code = one("id: S1\nname: Webapi/contact/enabled\nvalue: True\nstatecode: 1\n", setting).unwrap();
        assert_eq!((classic.name.as_str(), classic.value.as_str(), classic.active), ("Webapi/contact/enabled", "True", true));
        assert_eq!((code.value.as_str(), code.active), ("True", false));
        let empty = one("adx_name: Search/Filters\n", setting).unwrap();
        assert_eq!(empty.value, "");
    }

    #[test]
    fn form_modes_and_missing_switch() {
        let form = |text: &str| {
            let node = yaml::parse(text, "f.yml").unwrap();
            component(&FORM, &node, "f.yml", &mut SiteReport::default())
        };
        let c = form("adx_entityformid: F1\nadx_entityname: incident\nadx_mode: 100000002\n").unwrap().unwrap();
        assert_eq!((c.kind.as_str(), c.mode.as_deref(), c.permissions_enabled), ("form", Some("readonly"), false));
        let e = form("adx_entityformid: F1\nadx_entityname: incident\nadx_mode: 7\n").unwrap_err();
        assert_eq!(e.to_string(), "f.yml: at line 3 (`adx_mode`): unknown form mode `7` (expected 100000000 insert, 100000001 edit or 100000002 read-only)");
        let node = yaml::parse("adx_webformstepid: S1\nadx_name: Redirect\n", "f.yml").unwrap();
        assert_eq!(component(&STEP, &node, "f.yml", &mut SiteReport::default()).unwrap(), None);
    }

    #[test]
    fn page_rights_are_named() {
        let r = one("adx_webpageaccesscontrolruleid: W1\nadx_right: 2\nadx_webpageid: P1\nadx_webpageaccesscontrolrule_webrole: []\n", page_rule).unwrap();
        assert_eq!((r.right, r.page.as_deref(), r.web_roles.len()), (Value::from("restrict_read"), Some("P1"), 0));
        let r = one("id: W1\nright: '1'\n", page_rule).unwrap();
        assert_eq!((r.right, r.page), (Value::from("grant_change"), None));
        let e = one("id: W1\nright: 9\n", page_rule).unwrap_err();
        assert_eq!(e.to_string(), "f.yml: at line 2 (`right`): unknown page right `9` (expected 1 grant change or 2 restrict read)");
    }
}
