//! Pages and endpoints of a site folder (surfaces.md, tenant-format.md
//! "Pages and endpoints"), in classic (`adx_` / `mspp_`) and code-site
//! (unprefixed) spellings:
//!
//! - `publishingstate.yml` (a list) or `publishing-states/*.publishingstate.yml`;
//! - `websiteaccess.yml` (a list) or `website-access/*.websiteaccess.yml`;
//! - `web-pages/<slug>/*.webpage.yml` and `web-pages/<slug>/content-pages/*.webpage.yml`;
//! - `web-files/*.webfile.yml`;
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
            raw.publishing_states.push(state(item, &file, site)?);
        }
    }
    for (node, file) in files.records("websiteaccess.yml", "website-access", ".websiteaccess.yml", 0)? {
        for item in super::site_record::records(&node, &file, "website access permissions")? {
            raw.website_access.push(access(item, &file, site)?);
        }
    }
    for (node, file) in files.records("", "web-pages", ".webpage.yml", PAGE_DEPTH)? {
        raw.web_pages.push(page(&node, &file, site)?);
    }
    for (node, file) in files.records("", "web-files", ".webfile.yml", 0)? {
        raw.web_files.push(web_file(&node, &file, site)?);
    }
    for (node, file) in files.records("", "cloud-flow-consumer", ".cloudflowconsumer.yml", 0)? {
        raw.cloud_flows.push(flow(&node, &file, site)?);
    }
    for dir in ["server-logic", "server-logics"] {
        let found = files.records("", dir, ".serverlogic.yml", 1)?;
        for (node, file) in found {
            raw.server_logic.push(server_logic(&node, &file, site, files.inputs)?);
        }
    }
    drop_unknown(raw);
    Ok(())
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

fn state(node: &Node, file: &str, site: &mut SiteReport) -> Result<RawPublishingState, LoadError> {
    let f = Fields::new(node, file, &["publishingstateid", "id", "name", "isvisible"], "publishing state", site)?;
    Ok(RawPublishingState {
        id: id_of(&f, &["publishingstateid", "id"], "publishing state id")?,
        name: f.string(&["name"])?.map(|s| s.0).unwrap_or_default(),
        visible: f.flag("isvisible")?,
        origin: Some(f.origin()),
    })
}

fn access(node: &Node, file: &str, site: &mut SiteReport) -> Result<RawWebsiteAccess, LoadError> {
    const KEYS: &[&str] = &["websiteaccessid", "id", "name", "previewunpublishedentities", "websiteaccess_webrole", "statecode"];
    let f = Fields::new(node, file, KEYS, "website access permission", site)?;
    let mut origin = f.origin();
    let web_roles = role_list(&f, "websiteaccess_webrole", &mut origin)?;
    Ok(RawWebsiteAccess {
        id: id_of(&f, &["websiteaccessid", "id"], "website access id")?,
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
        id: id_of(&f, &["webpageid", "id"], "web page id")?,
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
    const KEYS: &[&str] = &["webfileid", "id", "name", "parentpageid", "publishingstateid", "statecode"];
    let f = Fields::new(node, file, KEYS, "web file", site)?;
    Ok(RawWebFile {
        id: id_of(&f, &["webfileid", "id"], "web file id")?,
        name: f.string(&["name"])?.map(|s| s.0).unwrap_or_default(),
        parent_page: f.string(&["parentpageid"])?.map(|s| s.0).unwrap_or_default(),
        publishing_state: f.string(&["publishingstateid"])?.map(|s| s.0),
        active: f.active()?,
        origin: Some(f.origin()),
    })
}

fn flow(node: &Node, file: &str, site: &mut SiteReport) -> Result<RawCloudFlow, LoadError> {
    const KEYS: &[&str] = &["cloudflowconsumerid", "id", "name", "processid", "cloudflowconsumer_adx_webrole", "cloudflowconsumer_webrole", "statecode"];
    let f = Fields::new(node, file, KEYS, "cloud flow consumer", site)?;
    let mut origin = f.origin();
    let mut web_roles = role_list(&f, "cloudflowconsumer_adx_webrole", &mut origin)?;
    web_roles.extend(role_list(&f, "cloudflowconsumer_webrole", &mut origin)?);
    Ok(RawCloudFlow {
        id: id_of(&f, &["cloudflowconsumerid", "id"], "cloud flow consumer id")?,
        name: f.string(&["name"])?.map(|s| s.0).unwrap_or_default(),
        process_id: id_of(&f, &["processid"], "process id")?,
        web_roles,
        definition: Value::Null,
        active: f.active()?,
        definition_file: None,
        origin: Some(origin),
    })
}

fn server_logic(node: &Node, file: &str, site: &mut SiteReport, inputs: &mut Vec<PathBuf>) -> Result<RawServerLogic, LoadError> {
    const KEYS: &[&str] = &["serverlogicid", "id", "name", "serverlogic_adx_webrole", "serverlogic_webrole", "statecode"];
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
    let js = [dir.join(format!("{stem}.js")), dir.join(format!("{name}.js"))].into_iter().find(|p| p.is_file());
    let (code, code_file) = match js {
        Some(p) => {
            let text = std::fs::read_to_string(&p).map_err(|e| LoadError::Read { file: p.display().to_string(), reason: e.to_string() })?;
            inputs.push(p.clone());
            (Value::String(text), Some(p.display().to_string()))
        }
        None => (Value::Null, None),
    };
    Ok(RawServerLogic {
        id: f.string(&["serverlogicid", "id"])?.map(|s| s.0).unwrap_or_else(|| name.clone()),
        name,
        web_roles,
        code,
        active: f.active()?,
        code_file,
        origin: Some(origin),
    })
}
