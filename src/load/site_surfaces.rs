//! Pages and endpoints of a site folder (surfaces.md, tenant-format.md
//! "Pages and endpoints"), in classic (`adx_` / `mspp_`) and code-site
//! (unprefixed) spellings:
//!
//! - `publishingstate.yml` (a list) or `publishing-states/*.publishingstate.yml`;
//! - `websiteaccess.yml` (a list) or `website-access/*.websiteaccess.yml`;
//! - `web-pages/<slug>/*.webpage.yml` and `web-pages/<slug>/content-pages/*.webpage.yml`;
//! - `web-files/*.webfile.yml` (code sites: `web-files/<name>/<name>.webfile.yml`);
//! - `cloud-flow-consumer/*.cloudflowconsumer.yml`;
//! - `server-logic/<n>/<n>.serverlogic.yml` (classic `server-logics/`) with
//!   its code in `<n>.js` beside it.
//!
//! A state or component id naming nothing is dropped here (a real
//! download may hold stale ones); role ids naming no role are dropped with
//! the other broken references (`site_refs`).

use super::raw::{RawCloudFlow, RawPublishingState, RawServerLogic, RawTenant, RawWebFile, RawWebPage, RawWebsiteAccess};
use super::site_more::Files;
use super::site_record::{role_list, Fields, SiteReport};
use super::yaml::Node;
use crate::error::LoadError;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How deep under `web-pages/` page files are looked for.
const PAGE_DEPTH: usize = 3;

/// Reads the pages, files, states, website access, flows and server logic
/// of the site into `raw` (after its components).
pub(super) fn read(
    site_dir: &Path,
    raw: &mut RawTenant,
    site: &mut SiteReport,
    inputs: &mut Vec<PathBuf>,
    input_dirs: &mut Vec<PathBuf>,
) -> Result<(), LoadError> {
    let mut files = Files { site_dir, inputs, input_dirs };
    for (node, file) in files.records("publishingstate.yml", "publishing-states", ".publishingstate.yml", 0)? {
        for item in super::site_record::records(&node, &file, "publishing states")? {
            let r = state(item, &file, site);
            site.keep_into(r, &mut raw.publishing_states)?;
        }
    }
    for (node, file) in files.records("websiteaccess.yml", "website-access", ".websiteaccess.yml", 0)? {
        for item in super::site_record::records(&node, &file, "website access permissions")? {
            let r = access(item, &file, site);
            site.keep_into(r, &mut raw.website_access)?;
        }
    }
    let mut liquid = Vec::new();
    for (node, file) in files.records("", "web-pages", ".webpage.yml", PAGE_DEPTH)? {
        let copy = PathBuf::from(format!("{}.copy.html", file.strip_suffix(".yml").unwrap_or(&file)));
        if let Ok(text) = std::fs::read_to_string(&copy) {
            files.inputs.push(copy);
            liquid.push((raw.web_pages.len(), liquid_components(&text)));
        }
        let r = page(&node, &file, site);
        site.keep_into(r, &mut raw.web_pages)?;
    }
    for (i, refs) in liquid {
        let found = resolve_components(raw, &refs);
        if let Some(p) = raw.web_pages.get_mut(i) {
            p.components.extend(found.into_iter().filter(|c| !p.components.contains(c)).collect::<Vec<_>>());
        }
    }
    // Code sites keep each file in a folder of its own (`web-files/<name>/`).
    for (node, file) in files.records("", "web-files", ".webfile.yml", 1)? {
        let r = web_file(&node, &file, site);
        site.keep_into(r, &mut raw.web_files)?;
    }
    // Flow definitions beside the site (`Workflows/`, as a solution and a
    // pulled snapshot keep them), matched by the consumer's process id.
    let mut workflows = Vec::new();
    for dir in [site_dir.join("Workflows"), site_dir.parent().map(|p| p.join("Workflows")).unwrap_or_default()] {
        if dir.is_dir() && !workflows.iter().any(|w: &PathBuf| w.parent() == Some(dir.as_path())) {
            workflows.extend(super::site_record::files_ending(&dir, ".json", 0)?);
        }
    }
    for (node, file) in files.records("", "cloud-flow-consumer", ".cloudflowconsumer.yml", 0)? {
        let r = flow(&node, &file, site);
        if let Some(mut v) = site.keep(r)? {
            definition(&mut v, &workflows, files.inputs)?;
            raw.cloud_flows.push(v);
        }
    }
    for dir in ["server-logic", "server-logics"] {
        let found = files.records("", dir, ".serverlogic.yml", 1)?;
        for (node, file) in found {
            let r = server_logic(&node, &file, site, files.inputs);
            site.keep_into(r, &mut raw.server_logic)?;
        }
    }
    drop_unknown(raw);
    Ok(())
}

/// R8: the lists and forms a page's copy names with Liquid tags
/// (`{% entitylist id:... %}`, `{% entityform name:"..." %}`, `{% webform ... %}`):
/// `(tag, key, value)` for each `id`, `name` or `key` parameter.
pub fn liquid_components(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{%") {
        let after = &rest[start + 2..];
        let end = after.find("%}").unwrap_or(after.len());
        let body = after[..end].trim_start_matches('-').trim();
        rest = &after[end.min(after.len())..];
        let (tag, params) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
        let tag = tag.to_ascii_lowercase();
        if !matches!(tag.as_str(), "entitylist" | "entityform" | "webform") {
            continue;
        }
        for key in ["id", "name", "key"] {
            if let Some(value) = liquid_param(params, key) {
                out.push((tag.clone(), key.to_string(), value));
            }
        }
    }
    out
}

/// The value of `key:` in a Liquid tag's parameters (quoted or bare).
fn liquid_param(params: &str, key: &str) -> Option<String> {
    let lower = params.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(key).map(|i| i + from) {
        let before_ok = i == 0 || !lower.as_bytes()[i - 1].is_ascii_alphanumeric();
        let rest = params[i + key.len()..].trim_start();
        if before_ok && rest.starts_with(':') {
            let v = rest[1..].trim_start();
            let value = match v.chars().next() {
                Some(q @ ('"' | '\'')) => v[1..].split(q).next().unwrap_or_default().to_string(),
                _ => v.split(|c: char| c.is_whitespace() || c == ',').next().unwrap_or_default().to_string(),
            };
            return (!value.is_empty()).then_some(value);
        }
        from = i + key.len();
    }
    None
}

/// The component ids that Liquid references name: by id, or by name
/// (any case) among lists (`entitylist`) or forms (`entityform`, `webform`).
fn resolve_components(raw: &RawTenant, refs: &[(String, String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (tag, key, value) in refs {
        let kind_ok = |k: &str| if tag == "entitylist" { k == "list" } else { k != "list" };
        let found = raw.components.iter().find(|c| {
            kind_ok(&c.kind) && (c.id.eq_ignore_ascii_case(value) || (key != "id" && c.name.eq_ignore_ascii_case(value)))
        });
        if let Some(c) = found {
            if !out.contains(&c.id) {
                out.push(c.id.clone());
            }
        }
    }
    out
}

/// Drops state and component ids that name nothing.
fn drop_unknown(raw: &mut RawTenant) {
    let states: HashSet<String> = raw.publishing_states.iter().map(|s| s.id.clone()).collect();
    let components: HashSet<String> = raw.components.iter().map(|c| c.id.clone()).collect();
    for p in &mut raw.web_pages {
        p.publishing_state = p.publishing_state.take().filter(|s| states.contains(s));
        p.components.retain(|c| components.contains(c));
    }
    for f in &mut raw.web_files {
        f.publishing_state = f.publishing_state.take().filter(|s| states.contains(s));
    }
    for r in &mut raw.page_rules {
        r.publishing_states.retain(|s| states.contains(s));
    }
}

fn id_of(f: &Fields<'_>, names: &[&str], what: &str) -> Result<String, LoadError> {
    let spellings = names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or ");
    Ok(f.required(names, what, &spellings)?.0)
}

/// The definition of flow `f` from the workflow file among `workflows`
/// whose name ends with its process id (`Name-GUID.json`), if any. A file
/// that is not JSON is a definition that is not a workflow (a finding,
/// never a refused site).
fn definition(f: &mut RawCloudFlow, workflows: &[PathBuf], inputs: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let pid = f.process_id.trim_matches(|ch| ch == '{' || ch == '}').to_ascii_lowercase();
    if pid.is_empty() {
        return Ok(());
    }
    let found = workflows.iter().find(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
        name.strip_suffix(".json").is_some_and(|n| n.ends_with(&pid))
    });
    if let Some(path) = found {
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::Read { file: path.display().to_string(), reason: e.to_string() })?;
        inputs.push(path.clone());
        f.definition = serde_json::from_str::<Value>(&text).ok().filter(Value::is_object).unwrap_or_else(|| Value::Object(Default::default()));
        f.definition_file = Some(path.display().to_string());
    }
    Ok(())
}

fn state(node: &Node, file: &str, site: &mut SiteReport) -> Result<RawPublishingState, LoadError> {
    let f = Fields::new(node, file, &["publishingstateid", "id", "powerpagecomponentid", "name", "isvisible"], "publishing state", site)?;
    Ok(RawPublishingState {
        id: id_of(&f, &["publishingstateid", "id", "powerpagecomponentid"], "publishing state id")?,
        name: f.string(&["name"])?.map(|s| s.0).unwrap_or_default(),
        visible: f.flag("isvisible")?,
        origin: Some(f.origin()),
    })
}

fn access(node: &Node, file: &str, site: &mut SiteReport) -> Result<RawWebsiteAccess, LoadError> {
    const KEYS: &[&str] = &["websiteaccessid", "id", "powerpagecomponentid", "name", "previewunpublishedentities", "websiteaccess_webrole", "statecode"];
    let f = Fields::new(node, file, KEYS, "website access permission", site)?;
    let mut origin = f.origin();
    let web_roles = role_list(&f, "websiteaccess_webrole", &mut origin)?;
    Ok(RawWebsiteAccess {
        id: id_of(&f, &["websiteaccessid", "id", "powerpagecomponentid"], "website access id")?,
        name: f.string(&["name"])?.map(|s| s.0).unwrap_or_default(),
        web_roles,
        preview_unpublished: f.flag("previewunpublishedentities")?,
        active: f.active()?,
        origin: Some(origin),
    })
}

const PAGE_KEYS: &[&str] = &[
    "webpageid",
    "id",
    "powerpagecomponentid",
    "name",
    "parentpageid",
    "rootwebpageid",
    "isroot",
    "partialurl",
    "publishingstateid",
    "entitylist",
    "entityform",
    "webform",
    "statecode",
];

fn page(node: &Node, file: &str, site: &mut SiteReport) -> Result<RawWebPage, LoadError> {
    let f = Fields::new(node, file, PAGE_KEYS, "web page", site)?;
    let is_root = match f.get("isroot") {
        Some(_) => f.flag("isroot")?,
        None => f.string(&["rootwebpageid"])?.is_none(),
    };
    let mut components = Vec::new();
    for key in ["entitylist", "entityform", "webform"] {
        if let Some((c, _, _)) = f.string(&[key])? {
            components.push(c);
        }
    }
    Ok(RawWebPage {
        id: id_of(&f, &["webpageid", "id", "powerpagecomponentid"], "web page id")?,
        name: f.string(&["name"])?.map(|s| s.0).unwrap_or_default(),
        parent: f.string(&["parentpageid"])?.map(|s| s.0),
        root: if is_root { None } else { f.string(&["rootwebpageid"])?.map(|s| s.0) },
        partial_url: f.string(&["partialurl"])?.map(|s| s.0).unwrap_or_default(),
        publishing_state: f.string(&["publishingstateid"])?.map(|s| s.0),
        components,
        active: f.active()?,
        origin: Some(f.origin()),
    })
}

fn web_file(node: &Node, file: &str, site: &mut SiteReport) -> Result<RawWebFile, LoadError> {
    const KEYS: &[&str] = &["webfileid", "id", "powerpagecomponentid", "name", "parentpageid", "publishingstateid", "statecode"];
    let f = Fields::new(node, file, KEYS, "web file", site)?;
    Ok(RawWebFile {
        id: id_of(&f, &["webfileid", "id", "powerpagecomponentid"], "web file id")?,
        name: f.string(&["name"])?.map(|s| s.0).unwrap_or_default(),
        parent_page: f.string(&["parentpageid"])?.map(|s| s.0).unwrap_or_default(),
        publishing_state: f.string(&["publishingstateid"])?.map(|s| s.0),
        active: f.active()?,
        origin: Some(f.origin()),
    })
}

fn flow(node: &Node, file: &str, site: &mut SiteReport) -> Result<RawCloudFlow, LoadError> {
    const KEYS: &[&str] = &["cloudflowconsumerid", "id", "powerpagecomponentid", "name", "processid", "cloudflowconsumer_adx_webrole", "cloudflowconsumer_webrole", "statecode"];
    let f = Fields::new(node, file, KEYS, "cloud flow consumer", site)?;
    let mut origin = f.origin();
    let mut web_roles = role_list(&f, "cloudflowconsumer_adx_webrole", &mut origin)?;
    web_roles.extend(role_list(&f, "cloudflowconsumer_webrole", &mut origin)?);
    Ok(RawCloudFlow {
        id: id_of(&f, &["cloudflowconsumerid", "id", "powerpagecomponentid"], "cloud flow consumer id")?,
        name: f.string(&["name"])?.map(|s| s.0).unwrap_or_default(),
        process_id: id_of(&f, &["processid"], "process id")?,
        web_roles,
        definition: Value::Null,
        active: f.active()?,
        definition_file: None,
        origin: Some(origin),
    })
}

/// The pages, files, states, website access, page rules, flows (with their
/// definitions from `Workflows/<Name>-<GUID>.json`) and server logic (with
/// their code from `filecontent/<n>.sl`) of a solution site.
pub(super) fn from_solution(
    dir: &Path,
    sol: &super::solution::SolutionSite,
    raw: &mut RawTenant,
    site: &mut SiteReport,
    inputs: &mut Vec<PathBuf>,
) -> Result<(), LoadError> {
    use super::solution::types;
    for c in sol.of_kind(types::PUBLISHING_STATE) {
        let r = state(&c.node, &c.file, site);
        site.keep_into(r, &mut raw.publishing_states)?;
    }
    for c in sol.of_kind(types::WEBSITE_ACCESS) {
        let r = access(&c.node, &c.file, site);
        site.keep_into(r, &mut raw.website_access)?;
    }
    for c in sol.of_kind(types::WEB_PAGE) {
        let r = page(&c.node, &c.file, site);
        site.keep_into(r, &mut raw.web_pages)?;
    }
    for c in sol.of_kind(types::WEB_FILE) {
        let r = web_file(&c.node, &c.file, site);
        site.keep_into(r, &mut raw.web_files)?;
    }
    for c in sol.of_kind(types::PAGE_RULE) {
        let r = super::site_more::page_rule(&c.node, &c.file, site);
        site.keep_into(r, &mut raw.page_rules)?;
    }
    let workflows = super::site_record::files_ending(&dir.join("Workflows"), ".json", 0)?;
    for c in sol.of_kind(types::CLOUD_FLOW) {
        let r = flow(&c.node, &c.file, site);
        let Some(mut f) = site.keep(r)? else { continue };
        definition(&mut f, &workflows, inputs)?;
        raw.cloud_flows.push(f);
    }
    for c in sol.of_kind(types::SERVER_LOGIC) {
        let r = server_logic(&c.node, &c.file, site, inputs);
        site.keep_into(r, &mut raw.server_logic)?;
    }
    Ok(())
}

fn server_logic(node: &Node, file: &str, site: &mut SiteReport, inputs: &mut Vec<PathBuf>) -> Result<RawServerLogic, LoadError> {
    const KEYS: &[&str] = &["serverlogicid", "id", "powerpagecomponentid", "name", "serverlogic_adx_webrole", "serverlogic_webrole", "statecode"];
    let f = Fields::new(node, file, KEYS, "server logic", site)?;
    let mut origin = f.origin();
    let mut web_roles = role_list(&f, "serverlogic_adx_webrole", &mut origin)?;
    web_roles.extend(role_list(&f, "serverlogic_webrole", &mut origin)?);
    let name = id_of(&f, &["name"], "server logic name")?;
    // The code: `<n>.js` beside the record (the record's own stem first).
    let path = Path::new(file);
    let stem = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let stem = stem.strip_suffix(".serverlogic.yml").unwrap_or(&name).to_string();
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let candidates = [
        dir.join(format!("{stem}.js")),
        dir.join(format!("{name}.js")),
        dir.join("filecontent").join(format!("{name}.sl")),
        dir.join("filecontent").join(format!("{name}.js")),
    ];
    let js = candidates.into_iter().find(|p| p.is_file());
    let (code, code_file) = match js {
        Some(p) => {
            let text = std::fs::read_to_string(&p).map_err(|e| LoadError::Read { file: p.display().to_string(), reason: e.to_string() })?;
            inputs.push(p.clone());
            (Value::String(text), Some(p.display().to_string()))
        }
        None => (Value::Null, None),
    };
    Ok(RawServerLogic {
        id: f.string(&["serverlogicid", "id", "powerpagecomponentid"])?.map(|s| s.0).unwrap_or_else(|| name.clone()),
        name,
        web_roles,
        code,
        active: f.active()?,
        code_file,
        origin: Some(origin),
    })
}
