//! The pages and endpoints of a generated tenant (surfaces.md): a page
//! tree (one page per 2,000 rows, at least 20: 5,000 on the large
//! profile), Restrict Read rules at several depths and a few Grant Change
//! rules, two publishing states, web files under the pages, and server
//! logic and cloud flow endpoints, for `bench` to time `reach` and `who
//! open`.

use super::testkit::Rng;
use serde_json::{json, Value};
use std::io::{self, Write};

/// Pages of a tenant of `rows` rows.
pub fn page_count(rows: u64) -> u64 {
    (rows / 2_000).max(20)
}

/// Writes the sections of a tenant of `rows` rows generated with `seed`,
/// each preceded by `,\n`; returns the page count.
pub fn write_sections<W: Write>(w: &mut W, seed: u64, rows: u64) -> io::Result<u64> {
    let mut rng = Rng(seed ^ 0x9A6E_5000);
    let n = page_count(rows);
    let section = |w: &mut W, name: &str, v: &Value| -> io::Result<()> {
        write!(w, ",\n\"{name}\":")?;
        serde_json::to_writer(&mut *w, v)?;
        Ok(())
    };
    section(w, "publishing_states", &json!([{"id": "PS-pub", "name": "Published", "visible": true}, {"id": "PS-draft", "name": "Draft"}]))?;
    section(w, "website_access", &json!([{"id": "WA-admin", "name": "Preview", "web_roles": ["R-admin"], "preview_unpublished": true}]))?;
    const RESTRICT: &[&str] = &["R-auth", "R-cust", "R-buyer", "R-partner", "R-support"];
    w.write_all(b",\n\"web_pages\":[")?;
    let mut rules = Vec::new();
    for i in 0..n {
        let parent = if i == 0 { Value::Null } else { Value::String(format!("WP{}", rng.below(i as usize))) };
        let state = if rng.chance(3) { "PS-draft" } else { "PS-pub" };
        let page = json!({"id": format!("WP{i}"), "name": format!("Page {i}"), "parent": parent, "partial_url": format!("p{i}"), "publishing_state": state});
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *w, &page)?;
        if i > 0 && rng.chance(10) {
            let roles: Vec<&str> = (0..1 + rng.below(2) as u64).filter_map(|_| rng.pick(RESTRICT).copied()).collect();
            rules.push(json!({"id": format!("WPR{i}"), "page": format!("WP{i}"), "right": "restrict_read", "web_roles": roles,
                "scope": if rng.chance(20) { "exclude_direct_child_web_files" } else { "all_content" }}));
        }
        if rng.chance(1) {
            rules.push(json!({"id": format!("WPG{i}"), "page": format!("WP{i}"), "right": "grant_change", "web_roles": ["R-admin"]}));
        }
    }
    w.write_all(b"]")?;
    section(w, "page_rules", &Value::Array(rules))?;
    let files: Vec<Value> = (0..n / 2)
        .map(|i| json!({"id": format!("WF{i}"), "name": format!("file{i}.pdf"), "parent_page": format!("WP{}", rng.below(n as usize))}))
        .collect();
    section(w, "web_files", &Value::Array(files))?;
    section(
        w,
        "server_logic",
        &json!([
            {"id": "SL-cases", "name": "cases", "web_roles": ["R-auth"], "code": "function get() { return Server.Connector.Dataverse.RetrieveMultipleRecords(\"incidents\", \"\"); }\nfunction post() { return Server.Connector.Dataverse.CreateRecord(\"incidents\", Server.Context.Body); }"},
            {"id": "SL-proxy", "name": "proxy", "web_roles": ["R-partner"], "code": "function get() { return Server.Connector.Dataverse.RetrieveMultipleRecords(Server.Context.QueryParameters[\"e\"], \"\"); }"},
            {"id": "SL-public", "name": "products", "web_roles": ["R-anon", "R-auth"], "code": "const SET = \"products\";\nfunction get() { return Server.Connector.Dataverse.RetrieveMultipleRecords(SET, \"?$top=10\"); }"}
        ]),
    )?;
    let action = |op: &str, set: &str| json!({"type": "OpenApiConnection", "inputs": {"host": {"connectionName": "shared_commondataserviceforapps", "operationId": op}, "parameters": {"entityName": set}}});
    section(
        w,
        "cloud_flows",
        &json!([{"id": "CF-order", "name": "Order confirmation", "process_id": "00000000-0000-0000-0000-0000000000f1", "web_roles": ["R-buyer"],
            "definition": {"properties": {"definition": {"triggers": {"manual": {"type": "Request", "kind": "PowerPages"}},
                "actions": {"Get": action("GetItem", "salesorders"), "Update": action("UpdateRecord", "salesorders")}}}}}]),
    )?;
    section(
        w,
        "entity_sets",
        &json!({"accounts": "account", "contacts": "contact", "incidents": "incident", "products": "product", "salesorders": "salesorder",
            "salesorderdetails": "salesorderdetail", "annotations": "annotation", "adx_portalcomments": "adx_portalcomment"}),
    )?;
    Ok(n)
}
