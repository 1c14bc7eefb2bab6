//! Pages, web files, server logic and cloud flows (surfaces.md R1 to R16):
//! one test per rule on small tenants, the load errors of tenant-format.md
//! "Pages and endpoints", and the reading of server logic code (R12) and
//! flow definitions (R16).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{analysis, check, copy_dir, load_error, tenant};
use portal_access::engine::endpoint_code::{read_code, EntitySet, Op};
use portal_access::engine::flow_definition::read_flow;
use serde_json::{json, Value};

/// Three contacts: C1 a member of `R-mem`, C2 of `R-other`, C3 of nothing;
/// a home page, a child and a grandchild; no rules.
fn base() -> Value {
    tenant(json!({
        "rows": {
            "contact": [{"id": "C1"}, {"id": "C2"}, {"id": "C3"}],
            "incident": [{"id": "I1", "customerid": "C1"}, {"id": "I2", "customerid": "C2"}]
        },
        "web_roles": [
            {"id": "R-anon", "name": "Anonymous", "anonymous_users": true},
            {"id": "R-auth", "name": "Authenticated", "authenticated_users": true},
            {"id": "R-mem", "name": "Members"},
            {"id": "R-other", "name": "Others"}
        ],
        "role_members": {"contacts": [["C1", "R-mem"], ["C2", "R-other"]], "accounts": []},
        "table_permissions": [
            {"id": "TP-case", "table": "incident", "scope": "contact",
             "contact_relationship": "incident_customer_contacts", "privileges": ["read", "write"], "web_roles": ["R-mem", "R-other"]}
        ],
        "publishing_states": [{"id": "S-pub", "visible": true}, {"id": "S-draft"}],
        "web_pages": [
            {"id": "P-home", "name": "Home", "partial_url": "/"},
            {"id": "P-a", "name": "A", "parent": "P-home", "partial_url": "a"},
            {"id": "P-b", "name": "B", "parent": "P-a", "partial_url": "b"}
        ],
        "entity_sets": {"incidents": "incident", "contacts": "contact"}
    }))
}

fn with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut v = base();
    edit(&mut v);
    v
}

fn push(v: &mut Value, section: &str, item: Value) {
    match v.get_mut(section).and_then(Value::as_array_mut) {
        Some(a) => a.push(item),
        None => v[section] = json!([item]),
    }
}

fn opens(v: &Value, page: &str, anonymous: bool, contacts: &[&str]) {
    check(v, &["who", "open", &format!("page:{page}")], json!({"anonymous": anonymous, "contacts": contacts}));
}

#[test]
fn r1_page_tree_no_rules_opens_for_all() {
    opens(&base(), "P-b", true, &["C1", "C2", "C3"]);
    check(&base(), &["who", "open", "page:P-b"], json!({"newcomer": true, "anyone": true}));
}

#[test]
fn r1_missing_parent_inactive_page_and_cycle_open_for_nobody() {
    let v = with(|v| v["web_pages"][1]["parent"] = json!("P-gone"));
    opens(&v, "P-b", false, &[]);
    let v = with(|v| v["web_pages"][1]["active"] = json!(false));
    opens(&v, "P-b", false, &[]);
    opens(&v, "P-home", true, &["C1", "C2", "C3"]);
    let v = with(|v| v["web_pages"][1]["parent"] = json!("P-b"));
    opens(&v, "P-a", false, &[]);
    opens(&v, "P-b", false, &[]);
}

#[test]
fn r1_content_page_answers_as_its_root() {
    let v = with(|v| {
        push(v, "web_pages", json!({"id": "P-b-fr", "parent": "P-gone", "root": "P-b", "active": false, "publishing_state": "S-draft"}));
        push(v, "page_rules", json!({"id": "RR", "page": "P-b-fr", "right": "restrict_read", "web_roles": ["R-mem"]}));
    });
    opens(&v, "P-b", false, &["C1"]);
    opens(&v, "P-b-fr", false, &["C1"]);
    let v = with(|v| push(v, "web_pages", json!({"id": "P-x", "root": "P-none"})));
    opens(&v, "P-x", false, &[]);
}

#[test]
fn r2_rules_pool_roles_and_only_active_rules_count() {
    let v = with(|v| {
        push(v, "page_rules", json!({"id": "RR1", "page": "P-a", "right": 2, "web_roles": ["R-mem"]}));
        push(v, "page_rules", json!({"id": "RR2", "page": "P-a", "right": "restrict_read", "web_roles": ["R-other"]}));
        push(v, "page_rules", json!({"id": "RR3", "page": "P-home", "right": 2, "web_roles": [], "active": false}));
    });
    opens(&v, "P-b", false, &["C1", "C2"]);
    opens(&v, "P-home", true, &["C1", "C2", "C3"]);
}

#[test]
fn r2_grant_change_tied_to_states_applies_only_in_them() {
    let v = with(|v| {
        v["web_pages"][2]["publishing_state"] = json!("S-pub");
        push(v, "page_rules", json!({"id": "RR", "page": "P-home", "right": "restrict_read", "web_roles": ["R-mem"]}));
        push(v, "page_rules", json!({"id": "GC", "page": "P-home", "right": "grant_change", "web_roles": ["R-other"], "publishing_states": ["S-draft"]}));
    });
    opens(&v, "P-b", false, &["C1"]);
    let v2 = with(|v| {
        v["web_pages"][2]["publishing_state"] = json!("S-pub");
        push(v, "page_rules", json!({"id": "RR", "page": "P-home", "right": "restrict_read", "web_roles": ["R-mem"]}));
        push(v, "page_rules", json!({"id": "GC", "page": "P-home", "right": "grant_change", "web_roles": ["R-other"], "publishing_states": ["S-pub"]}));
    });
    opens(&v2, "P-b", false, &["C1", "C2"]);
    check(&v2, &["reach", "C2"], json!({"pages": [{"page": "P-b", "via": "grant_change", "change": true, "components": []}]}));
}

#[test]
fn r3_anonymous_matches_no_rule_authenticated_role_matches_everyone_signed_in() {
    let v = with(|v| push(v, "page_rules", json!({"id": "RR", "page": "P-a", "right": 2, "web_roles": ["R-anon", "R-auth"]})));
    opens(&v, "P-a", false, &["C1", "C2", "C3"]);
    check(&v, &["who", "open", "page:P-a"], json!({"newcomer": true}));
}

#[test]
fn r4_grant_change_opens_whatever_restrict_read_says() {
    let v = with(|v| {
        push(v, "page_rules", json!({"id": "RR", "page": "P-b", "right": 2, "web_roles": ["R-mem"]}));
        push(v, "page_rules", json!({"id": "GC", "page": "P-a", "right": 1, "web_roles": ["R-other"]}));
    });
    opens(&v, "P-b", false, &["C1", "C2"]);
    opens(&v, "P-home", true, &["C1", "C2", "C3"]);
    check(&v, &["reach", "C2"], json!({"pages": [
        {"page": "P-a", "via": "grant_change", "change": true, "components": []},
        {"page": "P-b", "via": "grant_change", "change": true, "components": []},
        {"page": "P-home", "via": "open", "change": false, "components": []}
    ]}));
}

#[test]
fn r5_restrictions_add_up_down_the_tree() {
    let v = with(|v| {
        push(v, "page_rules", json!({"id": "RR1", "page": "P-a", "right": 2, "web_roles": ["R-mem", "R-other"]}));
        push(v, "page_rules", json!({"id": "RR2", "page": "P-b", "right": 2, "web_roles": ["R-other", "R-auth"]}));
    });
    opens(&v, "P-a", false, &["C1", "C2"]);
    // C3 holds R-auth for P-b but not a role of P-a's rule; C1 holds R-auth and R-mem.
    opens(&v, "P-b", false, &["C1", "C2"]);
    check(&v, &["reach", "C1"], json!({"pages": [
        {"page": "P-a", "via": "restrict_read", "change": false, "components": []},
        {"page": "P-b", "via": "restrict_read", "change": false, "components": []},
        {"page": "P-home", "via": "open", "change": false, "components": []}
    ]}));
}

#[test]
fn r6_publishing_state_preview_and_service_pages() {
    let v = with(|v| {
        v["web_pages"][1]["publishing_state"] = json!("S-draft");
        push(v, "website_access", json!({"id": "WA", "web_roles": ["R-other"], "preview_unpublished": true}));
        push(v, "web_pages", json!({"id": "P-denied", "parent": "P-gone", "partial_url": "Access-Denied", "publishing_state": "S-draft"}));
        push(v, "page_rules", json!({"id": "RR", "page": "P-denied", "right": 2, "web_roles": ["R-mem"]}));
    });
    opens(&v, "P-a", false, &["C2"]);
    // The parent's state does not reach the child (Q5).
    opens(&v, "P-b", true, &["C1", "C2", "C3"]);
    opens(&v, "P-denied", true, &["C1", "C2", "C3"]);
    // Preview through the anonymous role (Q7).
    let v = with(|v| {
        v["web_pages"][1]["publishing_state"] = json!("S-draft");
        push(v, "website_access", json!({"id": "WA", "web_roles": ["R-anon"], "preview_unpublished": true}));
    });
    opens(&v, "P-a", true, &[]);
}

#[test]
fn r6_registration_closed_newcomer_opens_nothing() {
    let v = with(|v| v["site_settings"] = json!([{"name": "Authentication/Registration/Enabled", "value": "false"}]));
    check(&v, &["who", "open", "page:P-home"], json!({"anonymous": true, "newcomer": false}));
    check(&v, &["reach", "newcomer"], json!({"pages": [], "files": [], "endpoints": []}));
}

#[test]
fn r7_files_follow_only_their_own_page_restriction() {
    let v = with(|v| {
        push(v, "page_rules", json!({"id": "RR-a", "page": "P-a", "right": 2, "web_roles": ["R-mem"]}));
        push(v, "page_rules", json!({"id": "RR-b", "page": "P-b", "right": 2, "web_roles": ["R-mem"], "scope": "exclude_direct_child_web_files"}));
        push(v, "web_files", json!({"id": "F-a", "parent_page": "P-a"}));
        push(v, "web_files", json!({"id": "F-b", "parent_page": "P-b"}));
        push(v, "web_files", json!({"id": "F-home", "parent_page": "P-home", "publishing_state": "S-draft"}));
        push(v, "web_files", json!({"id": "F-off", "parent_page": "P-home", "active": false}));
        push(v, "web_files", json!({"id": "F-lost", "parent_page": "P-gone"}));
    });
    check(&v, &["reach", "anonymous"], json!({"files": ["F-b"]}));
    check(&v, &["reach", "C1"], json!({"files": ["F-a", "F-b"]}));
}

#[test]
fn r8_components_of_the_page_and_its_content_pages_with_s16_rows() {
    let v = with(|v| {
        v["components"] = json!([
            {"id": "L1", "kind": "list", "table": "incident", "permissions_enabled": true},
            {"id": "F1", "kind": "form", "table": "incident", "permissions_enabled": true, "active": false},
            {"id": "F2", "kind": "form", "table": "incident", "permissions_enabled": true}
        ]);
        v["web_pages"][1]["components"] = json!(["L1", "F1"]);
        push(v, "web_pages", json!({"id": "P-a-fr", "root": "P-a", "components": ["F2"]}));
    });
    check(&v, &["reach", "C1"], json!({"pages": [
        {"page": "P-a", "via": "open", "change": false, "components": [
            {"id": "F2", "table": "incident", "rows": 1}, {"id": "L1", "table": "incident", "rows": 1}]},
        {"page": "P-b", "via": "open", "change": false, "components": []},
        {"page": "P-home", "via": "open", "change": false, "components": []}
    ]}));
}

fn with_logic(code: &str, roles: Value) -> Value {
    with(|v| push(v, "server_logic", json!({"id": "SL", "name": "api", "web_roles": roles, "code": code})))
}

#[test]
fn r9_methods_and_the_enabled_setting() {
    let code = "function get() {}\nfunction del() {}\nasync function patch() {}\nfunction helper() {}\nconst put = () => 1;\nfunction x() { function post() {} }";
    let v = with_logic(code, json!(["R-auth"]));
    check(&v, &["reach", "C3"], json!({"endpoints": [{"kind": "serverlogic", "name": "api", "methods": ["DELETE", "GET", "PATCH", "PUT"], "tables": [], "unbounded": false}]}));
    let mut off = v.clone();
    off["site_settings"] = json!([{"name": "serverlogic/enabled", "value": " False "}]);
    check(&off, &["who", "invoke", "serverlogic:api"], json!({"anyone": false, "contacts": []}));
}

#[test]
fn r10_roles_of_the_list_anonymous_included_empty_list_admits_nobody() {
    let v = with_logic("function get() {}", json!(["R-anon", "R-mem"]));
    check(&v, &["who", "invoke", "serverlogic:api"], json!({"anonymous": true, "newcomer": false, "anyone": true, "contacts": ["C1"]}));
    let v = with_logic("function get() {}", json!([]));
    check(&v, &["who", "invoke", "serverlogic:api"], json!({"anonymous": false, "newcomer": false, "contacts": []}));
}

#[test]
fn r11_server_logic_gives_exactly_the_callers_grants() {
    let code = "function get() { return Server.Connector.Dataverse.RetrieveMultipleRecords('incidents', ''); }\n\
                function put() { return Server.Connector.Dataverse.UpdateRecord('incidents', 'x', '{}'); }\n\
                function del() { return Server.Connector.Dataverse.DeleteRecord('incidents', 'x'); }";
    let v = with_logic(code, json!(["R-auth"]));
    check(&v, &["reach", "C1"], json!({"endpoints": [{"kind": "serverlogic", "name": "api", "methods": ["DELETE", "GET", "PUT"],
        "tables": [{"table": "incident", "privileges": ["read", "write"], "rows": 1}], "unbounded": false}]}));
    check(&v, &["reach", "C3"], json!({"endpoints": [{"kind": "serverlogic", "name": "api", "methods": ["DELETE", "GET", "PUT"],
        "tables": [], "unbounded": false}]}));
}

#[test]
fn r12_literal_const_dynamic_and_proxy_entity_sets() {
    let code = r#"
const SET = "incidents";
function get() {
    Server.Connector.Dataverse.RetrieveRecord(SET, "1");
    Server.Connector.Dataverse.RetrieveMultipleRecords(`contacts`, "");
    const q = Server.Context.QueryParameters["q"];
    const query = "?$filter=" + q;
    Server.Connector.Dataverse.RetrieveMultipleRecords("accounts", query);
    let name = pick();
    return Server.Connector.Dataverse.CreateRecord(name, "{}");
}
function post() { Server.Connector.Dataverse.InvokeCustomApi("api", "POST", "{}"); Server.Connector.HttpClient.GetAsync("https://x"); }
"#;
    let r = read_code(code);
    assert_eq!(r.methods, vec!["GET", "POST"]);
    let sets: Vec<(Op, EntitySet, bool, &str)> = r.calls.iter().map(|c| (c.op, c.set.clone(), c.proxy, c.function.as_str())).collect();
    assert_eq!(
        sets,
        vec![
            (Op::Read, EntitySet::Literal("incidents".into()), false, "get"),
            (Op::Read, EntitySet::Literal("contacts".into()), false, "get"),
            (Op::Read, EntitySet::Literal("accounts".into()), true, "get"),
            (Op::Create, EntitySet::Dynamic, false, "get"),
        ]
    );
    let unbounded: Vec<&str> = r.unbounded.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(unbounded, vec!["InvokeCustomApi", "HttpClient"]);
    assert!(r.has_proxy() && r.is_unbounded());
}

#[test]
fn r12_code_that_does_not_parse_is_unbounded_with_line_and_column() {
    let r = read_code("function get() {\n  return Server.Connector.Dataverse.RetrieveRecord('incidents', 1;\n}\n");
    let e = r.parse_error.clone().expect("a parse error");
    assert_eq!(e.line, 2);
    assert!(e.column > 1, "{e:?}");
    assert!(r.is_unbounded() && r.calls.is_empty());
    let v = with_logic("function get( {", json!(["R-anon"]));
    check(&v, &["reach", "anonymous"], json!({"endpoints": [{"kind": "serverlogic", "name": "api", "methods": [], "tables": [], "unbounded": true}]}));
}

#[test]
fn r12_a_dynamic_entity_set_serves_every_table_the_caller_reaches() {
    let code = "function get() { return Server.Connector.Dataverse.RetrieveMultipleRecords(Server.Context.QueryParameters['e'], ''); }";
    let v = with_logic(code, json!(["R-auth"]));
    check(&v, &["reach", "C2"], json!({"endpoints": [{"kind": "serverlogic", "name": "api", "methods": ["GET"],
        "tables": [{"table": "incident", "privileges": ["read"], "rows": 1}], "unbounded": false}]}));
}

fn flow(definition: Value) -> Value {
    with(|v| {
        push(v, "cloud_flows", json!({"id": "CF", "name": "Flow", "process_id": "0001", "web_roles": ["R-anon"], "definition": definition}))
    })
}

fn action(op: &str, set: &str) -> Value {
    json!({"type": "OpenApiConnection", "inputs": {
        "host": {"apiId": "/providers/Microsoft.PowerApps/apis/shared_commondataserviceforapps", "operationId": op},
        "parameters": {"entityName": set}}})
}

#[test]
fn r13_r14_flow_consumer_invoked_by_its_roles() {
    let v = flow(Value::Null);
    check(&v, &["who", "invoke", "cloudflow:CF"], json!({"target": "cloudflow:CF", "anonymous": true, "newcomer": false, "contacts": []}));
    check(&v, &["reach", "anonymous"], json!({"endpoints": [{"kind": "cloudflow", "name": "CF", "methods": ["POST"], "tables": [], "unbounded": true}]}));
}

#[test]
fn r15_r16_flow_actions_reach_every_row_of_their_tables() {
    let def = json!({"properties": {"definition": {
        "triggers": {"manual": {"type": "Request", "kind": "PowerPages"}},
        "actions": {
            "Switch": {"type": "Switch", "cases": {"a": {"actions": {"Del": action("DeleteRecord", "incidents")}}},
                       "default": {"actions": {"Upd": action("UpdateOnlyRecord", "incidents")}}},
            "If": {"type": "If", "actions": {}, "else": {"actions": {"Get": action("GetItem", "contacts")}}}
        }}}});
    let v = flow(def.clone());
    check(&v, &["reach", "anonymous"], json!({"endpoints": [{"kind": "cloudflow", "name": "CF", "methods": ["POST"], "tables": [
        {"table": "contact", "privileges": ["read"], "rows": 3},
        {"table": "incident", "privileges": ["delete", "write"], "rows": 2}], "unbounded": false}]}));
    let r = read_flow(Some(&def));
    assert!(r.known && r.power_pages_trigger && r.actions.len() == 3);
    let mut dynamic = def;
    dynamic["properties"]["definition"]["actions"]["Act"] = action("PerformUnboundActionWithOrganization", "@x");
    assert!(read_flow(Some(&dynamic)).is_unbounded());
    let not_a_workflow = read_flow(Some(&json!({"name": "x"})));
    assert!(not_a_workflow.problem.is_some() && not_a_workflow.is_unbounded());
}

fn load_message(v: &Value) -> String {
    load_error(v).to_string()
}

#[test]
fn surfaces_load_errors_name_the_place() {
    let cases: Vec<(Value, &str)> = vec![
        (with(|v| push(v, "web_pages", json!({"id": "P-a"}))), "web_pages[3].id"),
        (with(|v| v["web_pages"][0]["publishing_state"] = json!("S-none")), "web_pages[0].publishing_state"),
        (with(|v| v["web_pages"][0]["components"] = json!(["L-none"])), "web_pages[0].components[0]"),
        (with(|v| v["web_pages"][0]["colour"] = json!("red")), "colour"),
        (with_logic("", json!(["R-anon", "R-none"])), "server_logic[0].web_roles[1]"),
        (with(|v| push(v, "server_logic", json!({"id": "SL", "name": "x", "code": 12}))), "server_logic[0].code"),
        (with(|v| push(v, "server_logic", json!({"id": "SL", "code": ""}))), "name"),
        (with(|v| push(v, "cloud_flows", json!({"id": "CF", "process_id": "1", "definition": "x"}))), "cloud_flows[0].definition"),
        (with(|v| push(v, "cloud_flows", json!({"id": "CF"}))), "process_id"),
        (with(|v| push(v, "page_rules", json!({"id": "R", "page": "P-a", "right": 2, "scope": 3}))), "page_rules[0].scope"),
        (with(|v| push(v, "page_rules", json!({"id": "R", "page": "P-a", "right": 1, "publishing_states": ["S-x"]}))), "page_rules[0].publishing_states[0]"),
        (with(|v| push(v, "website_access", json!({"id": "W", "web_roles": ["R-x"]}))), "website_access[0].web_roles[0]"),
        (with(|v| push(v, "web_files", json!({"id": "F"}))), "parent_page"),
        (with(|v| push(v, "publishing_states", json!({"id": "S-pub"}))), "publishing_states[2].id"),
    ];
    for (v, place) in cases {
        let m = load_message(&v);
        assert!(m.contains(place), "`{place}` not in: {m}");
    }
}

#[test]
fn surfaces_dangling_references_load() {
    let v = with(|v| {
        v["web_pages"][1]["parent"] = json!("P-gone");
        push(v, "web_pages", json!({"id": "P-c", "root": "P-none"}));
        push(v, "web_files", json!({"id": "F", "parent_page": "P-none"}));
        push(v, "page_rules", json!({"id": "R", "page": "P-none", "right": 2}));
    });
    let a = analysis(&v);
    assert_eq!(a.tenant.surfaces.pages.len(), 4);
}

#[test]
fn reach_and_who_answers_are_byte_identical_run_to_run() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/spec-examples/customer-service-pages.json");
    let text = std::fs::read_to_string(path).unwrap();
    let first: Vec<String> = (0..2)
        .map(|_| {
            let a = analysis(text.as_str());
            let r = serde_json::to_string(&a.reach("C1").unwrap()).unwrap();
            r + &serde_json::to_string(&a.who_open("page:P-cases").unwrap()).unwrap()
        })
        .collect();
    assert_eq!(first[0], first[1]);
}

// ------------------------------------------------------------ lint PP035 to PP043

fn lint_ids(v: &Value) -> Vec<(String, String, String)> {
    let a = analysis(v);
    portal_access::answer::lint::lint(&a, None)
        .into_iter()
        .filter(|f| f.id >= "PP035")
        .map(|f| (f.id.to_string(), f.severity.name().to_string(), f.subject.clone()))
        .collect()
}

fn has(found: &[(String, String, String)], id: &str, severity: &str, subject: &str) -> bool {
    found.iter().any(|(i, s, x)| i == id && s == severity && x == subject)
}

#[test]
fn pp035_server_logic_anyone_invokes_error_when_it_writes() {
    let read = "function get() { return Server.Connector.Dataverse.RetrieveRecord('incidents', '1'); }";
    let f = lint_ids(&with_logic(read, json!(["R-anon"])));
    assert!(has(&f, "PP035", "warning", "serverlogic:api"), "{f:?}");
    let write = "function post() { return Server.Connector.Dataverse.CreateRecord('incidents', '{}'); }";
    let f = lint_ids(&with_logic(write, json!(["R-auth"])));
    assert!(has(&f, "PP035", "error", "serverlogic:api"), "{f:?}");
    let f = lint_ids(&with_logic(write, json!(["R-mem"])));
    assert!(!f.iter().any(|x| x.0 == "PP035"), "{f:?}");
}

#[test]
fn pp036_generic_proxy() {
    let code = "function get() { return Server.Connector.Dataverse.RetrieveMultipleRecords(Server.Context.QueryParameters['e'], ''); }";
    let f = lint_ids(&with_logic(code, json!(["R-mem"])));
    assert!(has(&f, "PP036", "warning", "serverlogic:api"), "{f:?}");
    let f = lint_ids(&with_logic("function get() {}", json!(["R-mem"])));
    assert!(!f.iter().any(|x| x.0 == "PP036"), "{f:?}");
}

#[test]
fn pp037_flow_anyone_triggers() {
    let def = json!({"properties": {"definition": {"triggers": {}, "actions": {"Del": action("DeleteRecord", "incidents")}}}});
    let f = lint_ids(&flow(def));
    assert!(has(&f, "PP037", "error", "cloudflow:CF"), "{f:?}");
    let f = lint_ids(&flow(Value::Null));
    assert!(has(&f, "PP037", "warning", "cloudflow:CF"), "{f:?}");
}

#[test]
fn pp038_endpoint_nobody_invokes() {
    let f = lint_ids(&with_logic("function get() {}", json!([])));
    assert!(has(&f, "PP038", "info", "serverlogic:api"), "{f:?}");
    let f = lint_ids(&with_logic("function get() {}", json!(["R-mem"])));
    assert!(!f.iter().any(|x| x.0 == "PP038"), "{f:?}");
}

#[test]
fn pp039_unbounded_calls_and_code_that_does_not_parse() {
    let f = lint_ids(&with_logic("function get() { Server.Connector.HttpClient.GetAsync('u'); }", json!(["R-mem"])));
    assert!(has(&f, "PP039", "info", "serverlogic:api"), "{f:?}");
    let a = analysis(&with_logic("function get() {\n  let x = ;\n}", json!(["R-mem"])));
    let findings = portal_access::answer::lint::lint(&a, None);
    let m = findings.iter().find(|f| f.id == "PP039").map(|f| f.message.clone()).unwrap_or_default();
    assert!(m.contains(":2:"), "{m}");
}

#[test]
fn pp040_files_of_a_restricted_branch_everyone_reads() {
    let v = with(|v| {
        push(v, "page_rules", json!({"id": "RR", "page": "P-a", "right": 2, "web_roles": ["R-mem"]}));
        push(v, "web_files", json!({"id": "F-b", "parent_page": "P-b"}));
        push(v, "web_files", json!({"id": "F-a", "parent_page": "P-a"}));
    });
    let f = lint_ids(&v);
    assert!(has(&f, "PP040", "warning", "file:F-b"), "{f:?}");
    assert!(!has(&f, "PP040", "warning", "file:F-a"), "{f:?}");
}

#[test]
fn pp041_role_missing_above_and_unreachable_page() {
    let v = with(|v| {
        v["web_pages"][2]["parent"] = json!("P-gone");
        push(v, "page_rules", json!({"id": "RR-home", "page": "P-home", "right": 2, "web_roles": ["R-mem"]}));
        push(v, "page_rules", json!({"id": "RR-a", "page": "P-a", "right": 2, "web_roles": ["R-mem", "R-other"]}));
    });
    let f = lint_ids(&v);
    assert!(has(&f, "PP041", "warning", "page:P-b"), "{f:?}");
    assert!(has(&f, "PP041", "warning", "RR-a"), "{f:?}");
    assert!(!has(&f, "PP041", "warning", "RR-home"), "{f:?}");
}

#[test]
fn pp042_grant_change_to_everyone() {
    let v = with(|v| {
        push(v, "page_rules", json!({"id": "GC-auth", "page": "P-a", "right": 1, "web_roles": ["R-auth"]}));
        push(v, "page_rules", json!({"id": "GC-anon", "page": "P-a", "right": 1, "web_roles": ["R-anon"]}));
        push(v, "page_rules", json!({"id": "GC-mem", "page": "P-a", "right": 1, "web_roles": ["R-mem"]}));
    });
    let f = lint_ids(&v);
    assert!(has(&f, "PP042", "error", "GC-auth") && has(&f, "PP042", "warning", "GC-anon"), "{f:?}");
    assert!(!f.iter().any(|x| x.2 == "GC-mem"), "{f:?}");
}

#[test]
fn pp043_restricted_page_component_read_elsewhere() {
    let v = with(|v| {
        v["table_permissions"] = json!([{"id": "TP-all", "table": "incident", "scope": "global", "privileges": ["read"], "web_roles": ["R-anon"]}]);
        v["components"] = json!([{"id": "L1", "kind": "list", "table": "incident", "permissions_enabled": true}]);
        v["web_pages"][1]["components"] = json!(["L1"]);
        push(v, "page_rules", json!({"id": "RR", "page": "P-a", "right": 2, "web_roles": ["R-mem"]}));
    });
    let f = lint_ids(&v);
    assert!(has(&f, "PP043", "warning", "page:P-a"), "{f:?}");
}

// ------------------------------------------------------------ site folders

fn gds() -> portal_access::Analysis {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/gds-power-page");
    portal_access::Analysis::load(&path).unwrap()
}

#[test]
fn gds_site_cloud_flow_consumer_is_callable_by_the_anonymous_role() {
    let a = gds();
    assert_eq!(a.tenant.surfaces.flows.len(), 1);
    let w = serde_json::to_value(a.who_invoke("cloudflow:e8661805-cbe7-ef11-9342-00224800c002").unwrap()).unwrap();
    assert_eq!(w["anonymous"], json!(true));
    assert_eq!(w["anyone"], json!(true));
    let r = serde_json::to_value(a.reach("anonymous").unwrap()).unwrap();
    let e = &r["endpoints"][0];
    assert_eq!(e["kind"], json!("cloudflow"));
    assert_eq!(e["methods"], json!(["POST"]));
    // No definition in a classic download: unbounded.
    assert_eq!(e["unbounded"], json!(true));
    let f = portal_access::answer::lint::lint(&a, None);
    let pp037 = f.iter().find(|x| x.id == "PP037").expect("PP037");
    assert_eq!(pp037.severity.name(), "warning");
    assert!(pp037.location.as_ref().is_some_and(|l| l.file.ends_with(".cloudflowconsumer.yml") && l.line == Some(1)), "{pp037:?}");
}

#[test]
fn gds_site_pages_files_states_and_content_pages() {
    let a = gds();
    let sf = &a.tenant.surfaces;
    assert_eq!(sf.states.len(), 2);
    assert!(sf.pages.iter().any(|p| p.root.is_some()), "content pages read");
    let home = "8c388e13-4d4b-44f1-9557-2b4600fdbff5";
    let w = serde_json::to_value(a.who_open(&format!("page:{home}")).unwrap()).unwrap();
    assert_eq!(w["anonymous"], json!(true));
    // The English content page of Home answers as Home.
    let w2 = serde_json::to_value(a.who_open("page:ac62d5df-d485-4296-a15d-23dada9db050").unwrap()).unwrap();
    assert_eq!(w["contacts"], w2["contacts"]);
    assert_eq!(w2["anonymous"], json!(true));
    let r = serde_json::to_value(a.reach("anonymous").unwrap()).unwrap();
    let files = r["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f == "46cc3d8d-31b9-42ee-84cd-96ce84807942"), "{files:?}");
}

#[test]
fn site_server_logic_with_code_beside_it_and_page_rule_states() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("server-logic/orders")).unwrap();
    std::fs::write(site.join("webrole.yml"), "- adx_name: Anonymous Users\n  adx_anonymoususersrole: true\n  adx_webroleid: R-anon\n").unwrap();
    std::fs::write(
        site.join("server-logic/orders/orders.serverlogic.yml"),
        "adx_name: orders\nadx_serverlogicid: SL1\nadx_serverlogic_adx_webrole:\n- R-anon\n- R-missing\n",
    )
    .unwrap();
    std::fs::write(site.join("server-logic/orders/orders.js"), "function get() {\n  return Server.Connector.Dataverse.DeleteRecord('incidents', x;\n}\n").unwrap();
    std::fs::write(site.join("publishingstate.yml"), "- adx_name: Draft\n  adx_isvisible: false\n  adx_publishingstateid: S1\n").unwrap();
    std::fs::write(
        site.join("webpagerule.yml"),
        "- adx_name: GC\n  adx_right: 1\n  adx_scope: 2\n  adx_webpageid: P1\n  adx_webpageaccesscontrolruleid: GC1\n  adx_adx_accesscontrolrule_publishingstate:\n  - S1\n",
    )
    .unwrap();
    let a = portal_access::Analysis::load(dir.path()).unwrap();
    let l = &a.tenant.surfaces.server_logic[0];
    assert_eq!((l.name.as_str(), l.roles.len()), ("orders", 1));
    assert!(l.code_file.as_deref().is_some_and(|f| f.ends_with("orders.js")));
    let rule = &a.tenant.channels.page_rules[0];
    assert!(rule.exclude_files && rule.states == vec![0]);
    let w = serde_json::to_value(a.who_invoke("serverlogic:orders").unwrap()).unwrap();
    assert_eq!(w["anonymous"], json!(true));
    let f = portal_access::answer::lint::lint(&a, None);
    let parse = f.iter().find(|x| x.id == "PP039" && x.message.contains("does not parse")).expect("parse finding");
    assert!(parse.message.contains("orders.js`:2:"), "{}", parse.message);
    // File, line and column: the column of the stray `;` (1-based).
    let col = "  return Server.Connector.Dataverse.DeleteRecord('incidents', x".len() + 1;
    assert!(parse.message.contains(&format!("orders.js`:2:{col} ")), "{}", parse.message);
    assert!(parse.location.as_ref().is_some_and(|l| l.file.ends_with("orders.js") && l.line == Some(2)));
}

// ------------------------------------------------------------ REPL

#[test]
fn repl_reach_who_open_invoke_and_completion() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/spec-examples/customer-service-pages.json");
    let text = std::fs::read_to_string(path).unwrap();
    let mut s = portal_access::cli::session::Session::new(analysis(text.as_str()));
    let a = analysis(text.as_str());
    let out = s.execute("reach C1 --json").unwrap().text;
    assert_eq!(out.trim(), serde_json::to_string(&a.reach("C1").unwrap()).unwrap());
    let out = s.execute("who open page:P-admin").unwrap().text;
    assert!(out.contains("Account Administration") && out.contains("contacts (2)         Bo, Ed\n"), "{out}");
    let out = s.execute("who invoke serverlogic:kb-search --json").unwrap().text;
    assert!(out.contains("\"anonymous\":true"), "{out}");
    let e = s.execute("who open page:P-none").unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    let (_, pages) = s.complete("who open page:P-ca", "who open page:P-ca".len());
    assert_eq!(pages, vec!["page:P-cases ", "page:P-cases-fr "]);
    let (_, ends) = s.complete("who invoke ", "who invoke ".len());
    assert_eq!(ends, vec!["cloudflow:CF-feedback ", "serverlogic:data-proxy ", "serverlogic:kb-search "]);
    let (_, words) = s.complete("who op", "who op".len());
    assert_eq!(words, vec!["open "]);
}

// ------------------------------------------------------------ solutions


fn record(dir: &std::path::Path, id: &str, kind: u32, name: &str, content: &str) {
    let d = dir.join("site/powerpagecomponents").join(id);
    std::fs::create_dir_all(&d).unwrap();
    let xml = format!(
        "<powerpagecomponent powerpagecomponentid=\"{id}\">\n  <content>{content}</content>\n  <name>{name}</name>\n  <powerpagecomponenttype>{kind}</powerpagecomponenttype>\n  <powerpagesiteid>\n    <powerpagesiteid>2bea4a71-0a1c-4a6f-96cd-b6e7878d112c</powerpagesiteid>\n  </powerpagesiteid>\n  <statecode>0</statecode>\n</powerpagecomponent>\n"
    );
    std::fs::write(d.join("powerpagecomponent.xml"), xml).unwrap();
}

#[test]
fn solution_server_logic_flow_with_workflow_and_pages() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/solutions/supplier-invoice-portal"), dir.path());
    let role = "2ab5e3ba-0309-f111-8406-6045bd04a357";
    record(dir.path(), "aaaaaaaa-0000-0000-0000-000000000001", 35, "invoices", &format!("{{\"name\": \"invoices\", \"adx_serverlogic_adx_webrole\": [\"{role}\"]}}"));
    let fc = dir.path().join("site/powerpagecomponents/aaaaaaaa-0000-0000-0000-000000000001/filecontent");
    std::fs::create_dir_all(&fc).unwrap();
    std::fs::write(fc.join("invoices.sl"), "function del() { return Server.Connector.Dataverse.DeleteRecord('spnvc_invoices', Server.Context.QueryParameters['id']); }").unwrap();
    let pid = "5A553B7D-CAE7-EF11-9342-00224800C002";
    record(dir.path(), "aaaaaaaa-0000-0000-0000-000000000002", 33, "Notify", &format!("{{\"processid\": \"{pid}\", \"adx_CloudFlowConsumer_adx_webrole\": [\"{role}\"]}}"));
    std::fs::create_dir_all(dir.path().join("site/Workflows")).unwrap();
    let def = json!({"properties": {"definition": {"triggers": {"manual": {"type": "Request", "kind": "PowerPages"}},
        "actions": {"Unbound": {"type": "OpenApiConnection", "inputs": {"host": {"connectionName": "shared_commondataserviceforapps", "operationId": "PerformUnboundAction"}, "parameters": {}}}}}}});
    std::fs::write(dir.path().join(format!("site/Workflows/Notify-{}.json", pid.to_lowercase())), def.to_string()).unwrap();
    record(dir.path(), "aaaaaaaa-0000-0000-0000-000000000003", 1, "Published", "{\"isvisible\": true}");
    record(dir.path(), "aaaaaaaa-0000-0000-0000-000000000004", 2, "Home", "{\"partialurl\": \"/\", \"isroot\": true, \"publishingstateid\": \"aaaaaaaa-0000-0000-0000-000000000003\"}");
    let a = portal_access::Analysis::load(dir.path()).unwrap();
    let sf = &a.tenant.surfaces;
    assert_eq!((sf.server_logic.len(), sf.flows.len(), sf.pages.len(), sf.states.len()), (1, 1, 1, 1));
    assert!(sf.server_logic[0].code.contains("DeleteRecord") && sf.server_logic[0].roles.len() == 1);
    let flow = &sf.flows[0];
    assert!(flow.definition.is_some() && flow.roles.len() == 1);
    let r = read_flow(flow.definition.as_ref());
    assert!(r.known && r.power_pages_trigger && r.is_unbounded());
    let w = serde_json::to_value(a.who_open("page:aaaaaaaa-0000-0000-0000-000000000004").unwrap()).unwrap();
    assert_eq!(w["anonymous"], json!(true));
}

/// Bad input (issue #25): a flow definition that is not workflow JSON (not
/// JSON at all, or JSON of another shape) loads; the flow is read as
/// unbounded with a PP039 finding, never a refused site.
#[test]
fn solution_flow_definition_that_is_not_a_workflow_is_a_finding_not_a_refusal() {
    for (text, problem) in [("this is { not json", true), ("[1, 2, 3]", true), ("{\"properties\": {\"definition\": 7}}", true)] {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/solutions/supplier-invoice-portal"), dir.path());
        let pid = "5a553b7d-cae7-ef11-9342-00224800c002";
        record(dir.path(), "aaaaaaaa-0000-0000-0000-000000000002", 33, "Notify", &format!("{{\"processid\": \"{pid}\", \"adx_CloudFlowConsumer_adx_webrole\": []}}"));
        std::fs::create_dir_all(dir.path().join("site/Workflows")).unwrap();
        std::fs::write(dir.path().join(format!("site/Workflows/Notify-{pid}.json")), text).unwrap();
        let a = portal_access::Analysis::load(dir.path()).unwrap_or_else(|e| panic!("{text}: refused: {e}"));
        let r = read_flow(a.tenant.surfaces.flows[0].definition.as_ref());
        assert_eq!(r.problem.is_some(), problem, "{text}: {r:?}");
        assert!(r.is_unbounded(), "{text}");
        let f = portal_access::answer::lint::lint(&a, None);
        assert!(f.iter().any(|x| x.id == "PP039" && x.subject == "cloudflow:aaaaaaaa-0000-0000-0000-000000000002" && x.message.contains("read as unbounded")), "{text}: {f:?}");
    }
}

/// Bad input (issue #25): a parent cycle loads; both pages open for nobody
/// and PP041 names each.
#[test]
fn r1_parent_cycle_loads_opens_for_nobody_and_lint_names_both_pages() {
    let v = with(|v| v["web_pages"][1]["parent"] = json!("P-b"));
    opens(&v, "P-a", false, &[]);
    opens(&v, "P-b", false, &[]);
    opens(&v, "P-home", true, &["C1", "C2", "C3"]);
    let f = lint_ids(&v);
    assert!(has(&f, "PP041", "warning", "page:P-a") && has(&f, "PP041", "warning", "page:P-b"), "{f:?}");
    assert!(!has(&f, "PP041", "warning", "page:P-home"), "{f:?}");
}

// ------------------------------------------------------------ robustness

/// Mutated copies of the pages example and of server logic code never
/// panic: a tenant loads or is refused, and a loaded one answers `reach`,
/// `who open`, `who invoke` and lint.
#[test]
fn mutated_pages_tenants_and_code_never_panic() {
    use portal_access::perf::testkit::Rng;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/spec-examples/customer-service-pages.json");
    let text = std::fs::read_to_string(path).unwrap();
    let start = text.find("\"publishing_states\"").unwrap();
    let mut rng = Rng(7);
    let (mut loaded, mut refused) = (0, 0);
    for _ in 0..300 {
        let mut bytes = text.clone().into_bytes();
        for _ in 0..1 + rng.below(3) {
            let i = start + rng.below(bytes.len() - start);
            match rng.below(3) {
                0 => bytes[i] = *rng.pick(b"{}[],:\"0aP-").unwrap(),
                1 => {
                    bytes.remove(i);
                }
                _ => bytes.insert(i, *rng.pick(b"{}[],:\"\\x").unwrap()),
            }
        }
        let t = String::from_utf8_lossy(&bytes).into_owned();
        match common::try_analysis(t.as_str()) {
            Err(_) => refused += 1,
            Ok(a) => {
                loaded += 1;
                for v in ["anonymous", "newcomer", "C1", "C5"] {
                    let _ = a.reach(v);
                }
                for p in a.tenant.surfaces.pages.iter().map(|p| format!("page:{}", p.id)).collect::<Vec<_>>() {
                    a.who_open(&p).unwrap();
                }
                for e in a.endpoints() {
                    a.who_invoke(&a.endpoint_target(e)).unwrap();
                }
                let _ = portal_access::answer::lint::lint(&a, None);
            }
        }
    }
    assert!(loaded > 10 && refused > 10, "{loaded} loaded, {refused} refused");
    let code = "const S = 'incidents';\nfunction get() { return Server.Connector.Dataverse.RetrieveRecord(S, `x${1}`); }\n";
    for _ in 0..300 {
        let mut chars: Vec<char> = code.chars().collect();
        let i = rng.below(chars.len());
        match rng.below(2) {
            0 => {
                chars.remove(i);
            }
            _ => chars.insert(i, *rng.pick(&['(', ')', '{', '`', '"', '/', 'é']).unwrap()),
        }
        let s: String = chars.into_iter().collect();
        let r = read_code(&s);
        if let Some(p) = &r.parse_error {
            assert!(p.line >= 1 && p.column >= 1);
        }
    }
}

#[test]
fn report_outsiders_list_their_endpoints_as_reach_does() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/spec-examples/customer-service-pages.json");
    let a = analysis(std::fs::read_to_string(path).unwrap().as_str());
    let lint = portal_access::answer::lint::Report { findings: portal_access::answer::lint::lint(&a, None) };
    let r = portal_access::answer::report::build_with(&a, lint);
    for o in &r.outsiders {
        assert_eq!(o.endpoints, a.reach(&o.visitor).unwrap().endpoints, "{}", o.visitor);
    }
    assert_eq!(r.outsiders[0].endpoints.len(), 1);
    assert_eq!(r.outsiders[1].endpoints.len(), 2);
}

#[test]
fn r8_site_page_copy_names_components_with_liquid_tags() {
    use portal_access::load::site_surfaces::liquid_components;
    let found = liquid_components("<p>{% entitylist name:\"My Cases\" %}</p>{%- entityform id: F1 -%}{% include 'x' name:'y' %}{% webform key:'Apply' %}");
    let shown: Vec<(&str, &str, &str)> = found.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
    assert_eq!(shown, vec![("entitylist", "name", "My Cases"), ("entityform", "id", "F1"), ("webform", "key", "Apply")]);
    assert!(liquid_components("{% entitylist name:").is_empty());
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("lists")).unwrap();
    std::fs::create_dir_all(site.join("web-pages/cases")).unwrap();
    std::fs::write(site.join("webrole.yml"), "- adx_name: Anonymous Users\n  adx_anonymoususersrole: true\n  adx_webroleid: R-anon\n").unwrap();
    std::fs::write(site.join("lists/Cases.list.yml"), "adx_entitylistid: L1\nadx_entityname: incident\nadx_name: My Cases\nadx_entitypermissionsenabled: true\n").unwrap();
    std::fs::write(site.join("web-pages/cases/Cases.webpage.yml"), "adx_webpageid: P1\nadx_name: Cases\nadx_isroot: true\nadx_partialurl: cases\n").unwrap();
    std::fs::write(site.join("web-pages/cases/Cases.webpage.copy.html"), "<div>{% entitylist name:\"my cases\" %}{% endentitylist %}</div>").unwrap();
    let a = portal_access::Analysis::load(dir.path()).unwrap();
    let r = serde_json::to_value(a.reach("anonymous").unwrap()).unwrap();
    assert_eq!(r["pages"], json!([{"page": "P1", "via": "open", "change": false, "components": [{"id": "L1", "table": "incident", "rows": 0}]}]));
}

#[test]
fn bad_surfaces_input_exits_2_with_the_place_and_nothing_on_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let v = with(|v| push(v, "cloud_flows", json!({"id": "CF", "process_id": "1", "definition": [1]})));
    std::fs::write(&path, v.to_string()).unwrap();
    let (code, out, err) = common::run_bin(&["reach", path.to_str().unwrap(), "anonymous"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("cloud_flows[0].definition") && err.contains("t.json"), "{err}");
    std::fs::write(&path, base().to_string()).unwrap();
    let (code, _, err) = common::run_bin(&["who", path.to_str().unwrap(), "open", "page:P-none"]);
    assert_eq!(code, 2);
    assert!(err.contains("page:P-none"), "{err}");
}

#[test]
fn convert_keeps_pages_and_endpoints_of_a_site_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gds.json");
    let site = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/sites/gds-power-page");
    let (code, _, err) = common::run_bin(&["convert", site, "-o", out.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let native = portal_access::Analysis::load(&out).unwrap();
    let folder = gds();
    for v in ["anonymous", "newcomer"] {
        assert_eq!(native.reach(v).unwrap(), folder.reach(v).unwrap(), "{v}");
    }
    assert_eq!(native.tenant.surfaces.pages.len(), folder.tenant.surfaces.pages.len());
}

#[test]
fn code_site_web_files_in_their_own_folders_and_unprefixed_flow_consumers() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join(".powerpages-site");
    for d in ["web-roles", "web-files/logo.png", "web-pages/home", "cloud-flow-consumer"] {
        std::fs::create_dir_all(site.join(d)).unwrap();
    }
    std::fs::write(site.join("web-roles/Authenticated-Users.webrole.yml"), "authenticatedusersrole: true\nid: R-auth\nname: Authenticated Users\n").unwrap();
    std::fs::write(site.join("web-pages/home/Home.webpage.yml"), "id: P-home\nname: Home\nisroot: true\npartialurl: /\n").unwrap();
    std::fs::write(site.join("web-files/logo.png/logo.png.webfile.yml"), "id: WF-logo\nname: logo.png\nparentpageid: P-home\n").unwrap();
    std::fs::write(
        site.join("cloud-flow-consumer/callback.cloudflowconsumer.yml"),
        "adx_CloudFlowConsumer_adx_webrole:\n- R-auth\nid: CF-1\nname: Callback\nprocessid: 0000-1\n",
    )
    .unwrap();
    let a = portal_access::Analysis::load(dir.path()).unwrap();
    let r = serde_json::to_value(a.reach("newcomer").unwrap()).unwrap();
    assert_eq!(r["files"], json!(["WF-logo"]));
    assert_eq!(r["endpoints"][0]["name"], json!("CF-1"));
    let w = serde_json::to_value(a.who_invoke("cloudflow:CF-1").unwrap()).unwrap();
    assert_eq!((w["anonymous"].clone(), w["newcomer"].clone()), (json!(false), json!(true)));
}
