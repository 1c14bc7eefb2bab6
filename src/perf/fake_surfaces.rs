//! The pages and endpoints of a native tenant (surfaces.md) laid out as a
//! Dataverse environment of either data model, for the fake Dataverse
//! ([`super::fake_dataverse`]): publishing states, website access, web
//! pages, web files, cloud flow consumers and server logic (its code in a
//! file column, read as `SET(ID)/COLUMN/$value`) in `adx_` tables with
//! their N:N role lists, or as `powerpagecomponents` (types 1, 2, 3, 12,
//! 33, 35) with their fields and role lists as code-site JSON in
//! `content`; in the enhanced model also the lists, forms and page rules
//! the pages name; and `workflows` with the flows' definitions
//! (`clientdata`). Entity sets, which a site folder has no place for, are
//! not served.

use super::fake_dataverse::{Dataverse, Table};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// A record's `statecode`: 1 when `active` is false, else 0.
pub fn state(v: &Value) -> Value {
    json!(if v.get("active") == Some(&json!(false)) { 1 } else { 0 })
}

/// A form's mode code (`insert`, `edit`, `readonly`).
pub fn mode(v: &Value) -> Value {
    match v.as_str() {
        Some("insert") => json!(100000000),
        Some("edit") => json!(100000001),
        Some("readonly") => json!(100000002),
        _ => Value::Null,
    }
}

/// A page rule's scope code (1 all content, 2 exclude direct child web files).
pub fn rule_scope(r: &Value) -> Value {
    json!(if r["scope"].as_str() == Some("exclude_direct_child_web_files") || r["scope"] == json!(2) { 2 } else { 1 })
}

/// Each component's lookup on a page: `entitylist`, `entityform` or `webform`.
fn component_kinds(doc: &Value) -> BTreeMap<String, &'static str> {
    let mut out = BTreeMap::new();
    for c in list(doc, "components") {
        let key = match c["kind"].as_str() {
            Some("list") => "entitylist",
            Some("form") => "entityform",
            _ => "webform",
        };
        out.insert(c["id"].as_str().unwrap_or_default().to_string(), key);
    }
    out
}

fn list<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v[key].as_array().into_iter().flatten()
}

fn roles(v: &Value) -> Value {
    v.get("web_roles").cloned().unwrap_or(json!([]))
}

fn flag(v: &Value, key: &str) -> Value {
    v.get(key).cloned().filter(|f| !f.is_null()).unwrap_or(json!(false))
}

/// A page's component lookups (the first of each kind), by lookup name.
fn page_components(doc: &Value, page: &Value) -> Vec<(&'static str, Value)> {
    let kinds = component_kinds(doc);
    let mut out: Vec<(&'static str, Value)> = Vec::new();
    for c in list(page, "components") {
        if let Some(key) = c.as_str().and_then(|id| kinds.get(id)) {
            if !out.iter().any(|(k, _)| k == key) {
                out.push((key, c.clone()));
            }
        }
    }
    out
}

/// Adds `workflows`, with the definition (`clientdata`) of each flow a
/// consumer names; the same table in both data models.
fn workflows(doc: &Value, dv: &mut Dataverse) {
    dv.add(Table::new("workflow", "workflows", "workflowid", Some("name"), &["clientdata"]));
    for c in list(doc, "cloud_flows") {
        if let Some(d) = c.get("definition").filter(|d| d.is_object()) {
            dv.push("workflow", json!({"workflowid": c["process_id"], "name": c["name"], "clientdata": d.to_string()}));
        }
    }
}

/// Adds the `adx_` tables of pages and endpoints and their rows.
pub fn standard(doc: &Value, dv: &mut Dataverse, site: &str) {
    workflows(doc, dv);
    let on_site = |t: Table| t.lookup("adx_websiteid");
    dv.add(on_site(Table::new(
        "adx_publishingstate",
        "adx_publishingstates",
        "adx_publishingstateid",
        Some("adx_name"),
        &["adx_isvisible", "statecode"],
    )));
    dv.add(on_site(Table::new(
        "adx_websiteaccess",
        "adx_websiteaccesses",
        "adx_websiteaccessid",
        Some("adx_name"),
        &["adx_previewunpublishedentities", "statecode"],
    )));
    let mut page = Table::new("adx_webpage", "adx_webpages", "adx_webpageid", Some("adx_name"), &["adx_isroot", "adx_partialurl", "statecode"]);
    for l in ["adx_parentpageid", "adx_rootwebpageid", "adx_publishingstateid", "adx_entitylist", "adx_entityform", "adx_webform"] {
        page = page.lookup(l);
    }
    dv.add(on_site(page));
    dv.add(on_site(
        Table::new("adx_webfile", "adx_webfiles", "adx_webfileid", Some("adx_name"), &["statecode"])
            .lookup("adx_parentpageid")
            .lookup("adx_publishingstateid"),
    ));
    dv.add(on_site(Table::new(
        "adx_cloudflowconsumer",
        "adx_cloudflowconsumers",
        "adx_cloudflowconsumerid",
        Some("adx_name"),
        &["adx_processid", "statecode"],
    )));
    dv.add(on_site(Table::new("adx_serverlogic", "adx_serverlogics", "adx_serverlogicid", Some("adx_name"), &["statecode"])));
    for (name, own) in [
        ("adx_websiteaccess_webrole", "adx_websiteaccessid"),
        ("adx_cloudflowconsumer_adx_webrole", "adx_cloudflowconsumerid"),
        ("adx_serverlogic_adx_webrole", "adx_serverlogicid"),
    ] {
        dv.add(Table::new(name, &format!("{name}set"), &format!("{name}id"), None, &[own, "adx_webroleid"]));
    }
    let mut k = 0;
    let mut role_rows = |dv: &mut Dataverse, table: &str, own: &str, id: &Value, of: &Value| {
        for r in list(of, "web_roles") {
            k += 1;
            dv.push(table, json!({format!("{table}id"): format!("{table}-{k}"), own: id, "adx_webroleid": r}));
        }
    };
    for s in list(doc, "publishing_states") {
        dv.push("adx_publishingstate", json!({"adx_publishingstateid": s["id"], "adx_name": s["name"], "adx_isvisible": flag(s, "visible"), "statecode": 0, "_adx_websiteid_value": site}));
    }
    for a in list(doc, "website_access") {
        dv.push("adx_websiteaccess", json!({"adx_websiteaccessid": a["id"], "adx_name": a["name"], "adx_previewunpublishedentities": flag(a, "preview_unpublished"),
            "statecode": state(a), "_adx_websiteid_value": site}));
        role_rows(dv, "adx_websiteaccess_webrole", "adx_websiteaccessid", &a["id"], a);
    }
    for p in list(doc, "web_pages") {
        let root = p.get("root").cloned().unwrap_or(Value::Null);
        let mut row = json!({"adx_webpageid": p["id"], "adx_name": p["name"], "adx_isroot": root.is_null(), "adx_partialurl": p["partial_url"],
            "_adx_parentpageid_value": p["parent"], "_adx_rootwebpageid_value": root, "_adx_publishingstateid_value": p["publishing_state"],
            "statecode": state(p), "_adx_websiteid_value": site});
        for (key, id) in page_components(doc, p) {
            row[format!("_adx_{key}_value")] = id;
        }
        dv.push("adx_webpage", row);
    }
    for f in list(doc, "web_files") {
        dv.push("adx_webfile", json!({"adx_webfileid": f["id"], "adx_name": f["name"], "_adx_parentpageid_value": f["parent_page"],
            "_adx_publishingstateid_value": f["publishing_state"], "statecode": state(f), "_adx_websiteid_value": site}));
    }
    for c in list(doc, "cloud_flows") {
        dv.push("adx_cloudflowconsumer", json!({"adx_cloudflowconsumerid": c["id"], "adx_name": c["name"], "adx_processid": c["process_id"],
            "statecode": state(c), "_adx_websiteid_value": site}));
        role_rows(dv, "adx_cloudflowconsumer_adx_webrole", "adx_cloudflowconsumerid", &c["id"], c);
    }
    for l in list(doc, "server_logic") {
        dv.push("adx_serverlogic", json!({"adx_serverlogicid": l["id"], "adx_name": l["name"], "statecode": state(l),
            "_adx_websiteid_value": site, "adx_filecontent": l["code"]}));
        role_rows(dv, "adx_serverlogic_adx_webrole", "adx_serverlogicid", &l["id"], l);
    }
}

/// Adds the pages, endpoints, components and page rules of `doc` as
/// `powerpagecomponents` (the table is already there).
pub fn enhanced(doc: &Value, dv: &mut Dataverse, site: &str) {
    workflows(doc, dv);
    let mut push = |id: &Value, name: &Value, kind: u64, content: Value, st: Value, code: Option<&Value>| {
        let mut row = json!({"powerpagecomponentid": id, "name": name, "powerpagecomponenttype": kind, "content": content.to_string(),
            "statecode": st, "_powerpagesiteid_value": site});
        if let (Some(code), Value::Object(m)) = (code.filter(|c| c.is_string()), &mut row) {
            m.insert("filecontent".into(), code.clone());
        }
        dv.push("powerpagecomponent", row);
    };
    for s in list(doc, "publishing_states") {
        push(&s["id"], &s["name"], 1, json!({"isvisible": flag(s, "visible")}), json!(0), None);
    }
    for a in list(doc, "website_access") {
        let content = json!({"previewunpublishedentities": flag(a, "preview_unpublished"), "adx_websiteaccess_webrole": roles(a)});
        push(&a["id"], &a["name"], 12, content, state(a), None);
    }
    for p in list(doc, "web_pages") {
        let root = p.get("root").cloned().unwrap_or(Value::Null);
        let mut content = Map::new();
        for (k, v) in [
            ("parentpageid", p["parent"].clone()),
            ("rootwebpageid", root.clone()),
            ("isroot", json!(root.is_null())),
            ("partialurl", p["partial_url"].clone()),
            ("publishingstateid", p["publishing_state"].clone()),
        ] {
            content.insert(k.into(), v);
        }
        for (key, id) in page_components(doc, p) {
            content.insert(key.into(), id);
        }
        push(&p["id"], &p["name"], 2, Value::Object(content), state(p), None);
    }
    for f in list(doc, "web_files") {
        let content = json!({"parentpageid": f["parent_page"], "publishingstateid": f["publishing_state"]});
        push(&f["id"], &f["name"], 3, content, state(f), None);
    }
    for r in list(doc, "page_rules") {
        let right = if r["right"].as_str() == Some("grant_change") || r["right"] == json!(1) { 1 } else { 2 };
        let content = json!({"webpageid": r["page"], "right": right, "scope": rule_scope(r), "adx_webpageaccesscontrolrule_webrole": roles(r),
            "adx_accesscontrolrule_publishingstate": r.get("publishing_states").cloned().unwrap_or(json!([]))});
        push(&r["id"], &r["name"], 10, content, state(r), None);
    }
    for c in list(doc, "components") {
        let (kind, table_key) = match c["kind"].as_str() {
            Some("list") => (17, "entityname"),
            Some("form") => (15, "entityname"),
            _ => (20, "targetentitylogicalname"),
        };
        let mut content = json!({table_key: c["table"], "entitypermissionsenabled": flag(c, "permissions_enabled")});
        if kind == 17 {
            content["odata_enabled"] = flag(c, "odata_enabled");
        } else {
            content["mode"] = mode(&c["mode"]);
        }
        push(&c["id"], &c["name"], kind, content, state(c), None);
    }
    for c in list(doc, "cloud_flows") {
        let content = json!({"processid": c["process_id"], "adx_CloudFlowConsumer_adx_webrole": roles(c)});
        push(&c["id"], &c["name"], 33, content, state(c), None);
    }
    for l in list(doc, "server_logic") {
        push(&l["id"], &l["name"], 35, json!({"adx_serverlogic_adx_webrole": roles(l)}), state(l), Some(&l["code"]));
    }
}
