//! Validation of the sections of tenant-format.md "Pages and endpoints"
//! into [`super::surfaces::Surfaces`]: duplicate ids, unknown roles,
//! states and components, a `code` that is not a string and a
//! `definition` that is not an object fail the load with the JSON path.
//! A page parent, root, file page or rule page naming nothing is not an
//! error (R1 decides).

use super::builder::invalid;
use super::channels::Channels;
use super::ids::RoleId;
use super::kind_of;
use super::surfaces::{CloudFlow, PublishingState, ServerLogic, Surfaces, WebFile, WebPage, WebsiteAccess};
use crate::error::LoadError;
use crate::load::raw::{Origin, RawTenant};
use serde_json::Value;
use std::collections::HashMap;

/// What every section is checked against.
struct Check<'a> {
    file: &'a str,
    raw: &'a RawTenant,
    roles: &'a HashMap<String, RoleId>,
    states: HashMap<&'a str, u32>,
    components: HashMap<&'a str, u32>,
}

impl<'a> Check<'a> {
    fn err(&self, origin: &Option<Origin>, at: String, field: &str, message: String) -> LoadError {
        invalid(self.file, origin, at, field, message)
    }

    fn roles(&self, section: &str, i: usize, list: &[String], origin: &Option<Origin>) -> Result<Vec<RoleId>, LoadError> {
        let mut out = Vec::with_capacity(list.len());
        for (k, id) in list.iter().enumerate() {
            let field = format!("web_roles[{k}]");
            let role = self.roles.get(id).ok_or_else(|| {
                self.err(origin, format!("{section}[{i}].{field}"), &field, format!("web role `{id}` does not exist"))
            })?;
            out.push(*role);
        }
        Ok(out)
    }

    fn state(&self, section: &str, i: usize, id: &Option<String>, origin: &Option<Origin>) -> Result<Option<u32>, LoadError> {
        match id {
            None => Ok(None),
            Some(id) => self.states.get(id.as_str()).copied().map(Some).ok_or_else(|| {
                let message = format!("publishing state `{id}` does not exist");
                self.err(origin, format!("{section}[{i}].publishing_state"), "publishing_state", message)
            }),
        }
    }
}

/// Fails on the first id of `ids` seen before, or empty.
fn unique<'a>(
    file: &str,
    section: &str,
    what: &str,
    ids: impl Iterator<Item = (&'a str, &'a Option<Origin>)>,
) -> Result<(), LoadError> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, (id, origin)) in ids.enumerate() {
        let at = format!("{section}[{i}].id");
        if id.is_empty() {
            return Err(invalid(file, origin, at, "id", format!("a {what} id must not be empty")));
        }
        if seen.insert(id, i).is_some() {
            return Err(invalid(file, origin, at, "id", format!("duplicate {what} id `{id}`")));
        }
    }
    Ok(())
}

/// Validates the surfaces sections of `raw` against its roles and the
/// channels' components.
pub(crate) fn build_surfaces(
    file: &str,
    raw: &RawTenant,
    roles: &HashMap<String, RoleId>,
    channels: &Channels,
) -> Result<Surfaces, LoadError> {
    unique(file, "publishing_states", "publishing state", raw.publishing_states.iter().map(|s| (s.id.as_str(), &s.origin)))?;
    unique(file, "website_access", "website access", raw.website_access.iter().map(|s| (s.id.as_str(), &s.origin)))?;
    unique(file, "web_pages", "web page", raw.web_pages.iter().map(|s| (s.id.as_str(), &s.origin)))?;
    unique(file, "web_files", "web file", raw.web_files.iter().map(|s| (s.id.as_str(), &s.origin)))?;
    unique(file, "server_logic", "server logic", raw.server_logic.iter().map(|s| (s.id.as_str(), &s.origin)))?;
    unique(file, "cloud_flows", "cloud flow", raw.cloud_flows.iter().map(|s| (s.id.as_str(), &s.origin)))?;
    let cx = Check {
        file,
        raw,
        roles,
        states: raw.publishing_states.iter().enumerate().map(|(i, s)| (s.id.as_str(), i as u32)).collect(),
        components: channels.components.iter().enumerate().map(|(i, c)| (c.id.as_str(), i as u32)).collect(),
    };
    let mut s = Surfaces {
        states: raw
            .publishing_states
            .iter()
            .map(|s| PublishingState { id: s.id.clone(), name: s.name.clone(), visible: s.visible })
            .collect(),
        entity_sets: raw.entity_sets.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect(),
        ..Surfaces::default()
    };
    for (i, a) in raw.website_access.iter().enumerate() {
        let roles = cx.roles("website_access", i, &a.web_roles, &a.origin)?;
        let (id, name) = (a.id.clone(), a.name.clone());
        s.access.push(WebsiteAccess { id, name, roles, preview: a.preview_unpublished, active: a.active });
    }
    pages(&cx, &mut s)?;
    for (i, f) in raw.web_files.iter().enumerate() {
        let state = cx.state("web_files", i, &f.publishing_state, &f.origin)?;
        let (id, name, page) = (f.id.clone(), f.name.clone(), f.parent_page.clone());
        s.files.push(WebFile { id, name, page, state, active: f.active });
    }
    server_logic(&cx, &mut s)?;
    flows(&cx, &mut s)?;
    Ok(s)
}

fn pages(cx: &Check, s: &mut Surfaces) -> Result<(), LoadError> {
    for (i, p) in cx.raw.web_pages.iter().enumerate() {
        let state = cx.state("web_pages", i, &p.publishing_state, &p.origin)?;
        let mut components = Vec::new();
        for (k, c) in p.components.iter().enumerate() {
            let at = format!("web_pages[{i}].components[{k}]");
            let id = cx.components.get(c.as_str()).ok_or_else(|| {
                cx.err(&p.origin, at, &format!("components[{k}]"), format!("component `{c}` does not exist"))
            })?;
            components.push(*id);
        }
        s.page_index.insert(p.id.clone(), i as u32);
        s.pages.push(WebPage {
            id: p.id.clone(),
            name: p.name.clone(),
            parent: p.parent.clone().filter(|x| !x.is_empty()),
            root: p.root.clone().filter(|x| !x.is_empty()),
            partial_url: p.partial_url.clone(),
            state,
            components,
            active: p.active,
        });
    }
    Ok(())
}

fn server_logic(cx: &Check, s: &mut Surfaces) -> Result<(), LoadError> {
    for (i, l) in cx.raw.server_logic.iter().enumerate() {
        if l.name.trim().is_empty() {
            let message = "a server logic name must not be empty".to_string();
            return Err(cx.err(&l.origin, format!("server_logic[{i}].name"), "name", message));
        }
        let code = match &l.code {
            Value::Null => String::new(),
            Value::String(c) => c.clone(),
            other => {
                let message = format!("expected the code as a string, found {}", kind_of(other));
                return Err(cx.err(&l.origin, format!("server_logic[{i}].code"), "code", message));
            }
        };
        let roles = cx.roles("server_logic", i, &l.web_roles, &l.origin)?;
        s.server_logic.push(ServerLogic {
            id: l.id.clone(),
            name: l.name.clone(),
            roles,
            code,
            code_file: l.code_file.clone(),
            active: l.active,
        });
    }
    Ok(())
}

fn flows(cx: &Check, s: &mut Surfaces) -> Result<(), LoadError> {
    for (i, f) in cx.raw.cloud_flows.iter().enumerate() {
        if f.process_id.trim().is_empty() {
            let message = "a cloud flow process id must not be empty".to_string();
            return Err(cx.err(&f.origin, format!("cloud_flows[{i}].process_id"), "process_id", message));
        }
        let definition = match &f.definition {
            Value::Null => None,
            v @ Value::Object(_) => Some(v.clone()),
            other => {
                let message = format!("expected the definition as an object, found {}", kind_of(other));
                return Err(cx.err(&f.origin, format!("cloud_flows[{i}].definition"), "definition", message));
            }
        };
        let roles = cx.roles("cloud_flows", i, &f.web_roles, &f.origin)?;
        s.flows.push(CloudFlow {
            id: f.id.clone(),
            name: f.name.clone(),
            process_id: f.process_id.clone(),
            roles,
            definition,
            definition_file: f.definition_file.clone(),
            active: f.active,
        });
    }
    Ok(())
}
