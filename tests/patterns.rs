//! Answers without rows (patterns.md): one test per rule A1 to A11, on a
//! small configuration-only tenant written here, through the library and
//! the binary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{analysis, bin_answer, run_bin, scratch_dir, tenant, write_tenant};
use serde_json::{json, Value};

/// Roles: anonymous, authenticated, a named one. Permissions: an anonymous
/// Global read on `contact` (with a Parent child on `incident`), a Contact
/// read on `incident` for the authenticated role, a Self write on `contact`
/// for the named role, an inactive Global delete, a Custom read on `lead`
/// for the anonymous role, and a Contact permission whose relationship does
/// not join (`none`). No rows.
fn config() -> Value {
    tenant(json!({
        "web_roles": [
            {"id": "R-anon", "name": "Anonymous Users", "anonymous_users": true},
            {"id": "R-auth", "name": "Authenticated Users", "authenticated_users": true},
            {"id": "R-cust", "name": "Customers"}
        ],
        "table_permissions": [
            {"id": "TP-contacts", "name": "Every contact", "table": "contact", "scope": "global",
             "privileges": ["read"], "web_roles": ["R-anon"]},
            {"id": "TP-cases-under", "name": "Cases of any contact", "table": "incident", "scope": "parent",
             "parent": "TP-contacts", "parent_relationship": "incident_customer_contacts", "privileges": ["read"]},
            {"id": "TP-my-cases", "name": "My cases", "table": "incident", "scope": "contact",
             "contact_relationship": "incident_customer_contacts", "privileges": ["read", "create"], "web_roles": ["R-auth"]},
            {"id": "TP-me", "name": "My profile", "table": "contact", "scope": "self",
             "privileges": ["write"], "web_roles": ["R-cust"]},
            {"id": "TP-off", "name": "Delete everything", "table": "contact", "scope": "global", "active": false,
             "privileges": ["delete"], "web_roles": ["R-anon"]},
            {"id": "TP-leads", "name": "Leads by filter", "table": "lead", "scope": "custom",
             "privileges": ["read"], "web_roles": ["R-anon"]},
            {"id": "TP-broken", "name": "Broken", "table": "lead", "scope": "contact",
             "contact_relationship": "incident_customer_contacts", "privileges": ["read"], "web_roles": ["R-auth"]}
        ]
    }))
}

fn classes(v: &Value) -> Vec<(String, String, bool)> {
    let mut out: Vec<(String, String, bool)> = v["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["class"].as_str().unwrap().to_string(), e["permission"].as_str().unwrap().to_string(), e["possible"].as_bool().unwrap()))
        .collect();
    out.sort();
    out
}

fn who(privilege: &str, table: &str) -> Value {
    serde_json::to_value(analysis(&config()).who_table(privilege, table).unwrap()).unwrap()
}


/// Runs `test` on a configuration-only tenant with one expectations file
/// (`yaml` after the format line): the exit code and each result's
/// (`ok`, `on`).
fn expectations(name: &str, yaml: &str) -> (i32, Vec<(bool, String)>) {
    let f = write_tenant(&format!("{name}.json"), &config());
    let exp = scratch_dir(name).join("expect.yaml");
    std::fs::write(&exp, format!("format: portal-access/expectations@1\nexpect:\n{yaml}")).unwrap();
    let (code, out, err) = run_bin(&["test", f.to_str().unwrap(), exp.to_str().unwrap(), "--json"]);
    let v: Value = serde_json::from_str(out.lines().last().unwrap_or_else(|| panic!("{err}"))).unwrap();
    let oks = v["results"].as_array().unwrap().iter().map(|r| (r["ok"].as_bool().unwrap(), r["on"].as_str().unwrap().to_string())).collect();
    (code, oks)
}

#[test]
fn a1_holders_by_class_newcomer_when_registration_is_open() {
    // The authenticated role gives `contacts` and (registration open by
    // default, C8) `newcomer`; the anonymous role gives `anonymous`; the
    // inactive permission gives nothing (S7).
    let w = who("read", "incident");
    assert_eq!(
        classes(&w),
        [
            ("anonymous".into(), "TP-cases-under".into(), true),
            ("contacts".into(), "TP-my-cases".into(), true),
            ("newcomer".into(), "TP-my-cases".into(), false),
        ]
    );
    assert!(who("delete", "contact")["patterns"].as_array().unwrap().is_empty(), "S7: inactive holds nothing");
    // Registration closed: no newcomer entry.
    let mut closed = config();
    closed["site_settings"] = json!([{"name": "Authentication/Registration/Enabled", "value": "false"}]);
    let w = serde_json::to_value(analysis(&closed).who_table("read", "incident").unwrap()).unwrap();
    assert!(classes(&w).iter().all(|c| c.0 != "newcomer"), "{w}");
}

#[test]
fn a2_condition_is_the_chain_from_the_top() {
    let w = who("read", "incident");
    let e = w["patterns"].as_array().unwrap().iter().find(|e| e["permission"] == "TP-cases-under").unwrap();
    assert_eq!(
        e["condition"],
        json!([
            {"scope": "global", "relationship": null, "known": true, "table": "contact"},
            {"scope": "parent", "relationship": "incident_customer_contacts", "known": true, "table": "incident"}
        ])
    );
    assert_eq!(e["roles"], json!(["R-anon"]));
}

#[test]
fn a3_patterns_compare_by_chain_not_by_permission_id() {
    // Renaming a permission changes no pattern: the diff is empty.
    let old = write_tenant("a3-old.json", &config());
    let mut renamed = config();
    renamed["table_permissions"][0]["id"] = json!("TP-contacts-renamed");
    renamed["table_permissions"][1]["parent"] = json!("TP-contacts-renamed");
    let new = write_tenant("a3-new.json", &renamed);
    let v = bin_answer(&old, &["diff", new.to_str().unwrap()]);
    assert_eq!(v["scenarios"][0]["patterns"], json!({"gained": [], "lost": []}), "{v}");
}

#[test]
fn a4_possible_every_for_all_anchored_for_contacts_none_for_nobody_custom_for_all() {
    let lead = who("read", "lead");
    assert_eq!(
        classes(&lead),
        [
            ("anonymous".into(), "TP-leads".into(), true),
            ("contacts".into(), "TP-broken".into(), false),
            ("newcomer".into(), "TP-broken".into(), false),
        ],
        "custom is possible (and says so), a chain that does not join is `none`"
    );
    let custom = lead["patterns"].as_array().unwrap().iter().find(|e| e["permission"] == "TP-leads").unwrap();
    assert_eq!(custom["rests_on"], json!(["custom"]));
    let me = who("write", "contact");
    assert_eq!(classes(&me), [("contacts".into(), "TP-me".into(), true)], "Self: contacts only");
}

#[test]
fn a5_without_rows_answers_are_patterns_not_nothing() {
    let w = who("read", "contact");
    assert_eq!((w["anonymous"].as_str(), w["rows_loaded"].as_bool()), (Some("every"), Some(false)));
    let w = who("read", "incident");
    assert_eq!((w["anonymous"].as_str(), w["contacts"].as_str(), w["newcomer"].as_str()), (Some("some"), Some("some"), Some("none")));
}

#[test]
fn a6_who_on_a_table_through_the_binary_and_create_keeps_its_keys() {
    let f = write_tenant("a6.json", &config());
    let v = bin_answer(&f, &["who", "read", "contact"]);
    assert_eq!((v["privilege"].as_str(), v["table"].as_str(), v["anonymous"].as_str()), (Some("read"), Some("contact"), Some("every")));
    let c = bin_answer(&f, &["who", "create", "incident"]);
    assert_eq!((c["anonymous"].as_bool(), c["newcomer"].as_bool()), (Some(false), Some(true)), "{c}");
    assert_eq!(c["patterns"].as_array().unwrap().len(), 2, "{c}");
    let (code, out, _) = run_bin(&["who", f.to_str().unwrap(), "read", "contact"]);
    assert_eq!(code, 0);
    assert!(out.contains("anonymous visitors   every row (Every contact)"), "{out}");
}

#[test]
fn a6_unknown_table_exits_2_naming_the_nearest() {
    let f = write_tenant("a6-bad.json", &config());
    let (code, _, err) = run_bin(&["who", f.to_str().unwrap(), "read", "contacts"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`contacts`") && err.contains("did you mean `contact`?"), "{err}");
}

#[test]
fn a7_what_adds_patterns_for_tables_without_rows() {
    let f = write_tenant("a7.json", &config());
    let v = bin_answer(&f, &["what", "anonymous", "read"]);
    assert_eq!(v["rows"], json!([]));
    let tables: Vec<&str> = v["patterns"].as_array().unwrap().iter().map(|e| e["table"].as_str().unwrap()).collect();
    assert_eq!(tables, ["contact", "incident", "lead"], "{v}");
    let n = bin_answer(&f, &["what", "newcomer", "read", "--table", "incident"]);
    assert_eq!(n["patterns"].as_array().unwrap().len(), 1, "{n}");
}

#[test]
fn a8_exposure_without_rows_says_every_under_the_web_api_gating() {
    let mut t = config();
    let f = write_tenant("a8-closed.json", &t);
    let v = bin_answer(&f, &["exposure"]);
    let anon = &v["visitors"][0]["tables"];
    let contact = anon.as_array().unwrap().iter().find(|e| e["table"] == "contact").unwrap();
    assert_eq!((contact["rows"].clone(), contact["pattern"].as_str(), contact["readable_pattern"].as_str()), (Value::Null, Some("none"), Some("every")));
    t["site_settings"] = json!([
        {"name": "Webapi/contact/enabled", "value": "true"},
        {"name": "Webapi/contact/fields", "value": "fullname,emailaddress1"}
    ]);
    let f = write_tenant("a8-open.json", &t);
    let v = bin_answer(&f, &["exposure", "--visitor", "anonymous"]);
    let contact = &v["visitors"][0]["tables"][0];
    assert_eq!((contact["table"].as_str(), contact["pattern"].as_str()), (Some("contact"), Some("every")), "{v}");
    assert_eq!(contact["via"], json!(["TP-contacts"]));
}

#[test]
fn a9_diff_gains_patterns_and_the_gates_fail_without_rows() {
    let old = write_tenant("a9-old.json", &config());
    let mut t = config();
    // The anonymous role now deletes every contact.
    t["table_permissions"][0]["privileges"] = json!(["read", "delete"]);
    let new = write_tenant("a9-new.json", &t);
    let v = bin_answer(&old, &["diff", new.to_str().unwrap()]);
    let s = &v["scenarios"][0];
    assert_eq!(s["summary"]["gained"], 0, "no rows: no grant changes");
    let gained: Vec<(&str, &str, &str)> = s["patterns"]["gained"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["class"].as_str().unwrap(), e["privilege"].as_str().unwrap(), e["table"].as_str().unwrap()))
        .collect();
    assert_eq!(gained, [("anonymous", "delete", "contact")]);
    for (gate, code) in [("anonymous", 4), ("anyone", 4), ("gained", 4), ("lost", 0)] {
        let (c, _, err) = run_bin(&["diff", old.to_str().unwrap(), new.to_str().unwrap(), "--fail-on", gate]);
        assert_eq!(c, code, "--fail-on {gate}: {err}");
    }
    let (_, out, _) = run_bin(&["diff", old.to_str().unwrap(), new.to_str().unwrap()]);
    assert!(out.contains("anonymous gains: delete every row of contact (Every contact)"), "{out}");
}

#[test]
fn a10_never_fails_on_a_possible_pattern_and_unloaded_rows_fail_to_load() {
    let (code, oks) = expectations(
        "a10",
        "  - never: {visitor: anonymous, privilege: read, table: contact}\n  - never: {visitor: newcomer, privilege: read, table: incident}\n",
    );
    assert_eq!(code, 4);
    assert_eq!(oks, [(false, "patterns".to_string()), (true, "patterns".to_string())]);
    let f = write_tenant("a10-rows.json", &config());
    let rows = scratch_dir("a10-rows").join("rows.yaml");
    std::fs::write(&rows, "format: portal-access/expectations@1\nexpect:\n  - can: anonymous read contact:C1\n    allowed: false\n").unwrap();
    let (code, _, err) = run_bin(&["test", f.to_str().unwrap(), rows.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("rows.yaml") && err.contains("line 3") && err.contains("not loaded"), "{err}");
}

#[test]
fn a11_lint_applies_the_settings_defaults() {
    // No settings: registration is open, so PP020 reports the newcomer's
    // Global-anchored read of customer data (here: none is Global for the
    // authenticated role, so we give it one).
    let mut t = config();
    t["table_permissions"][2]["scope"] = json!("global");
    let f = write_tenant("a11.json", &t);
    let (_, out, _) = run_bin(&["lint", f.to_str().unwrap(), "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"PP020"), "{ids:?}");
}

#[test]
fn a10_who_on_a_table_in_an_access_test_reads_the_patterns() {
    let (code, oks) =
        expectations("a10-who", "  - who: read contact\n    anonymous: false\n  - who: read incident\n    newcomer: false\n    anonymous: true\n");
    assert_eq!(code, 4);
    assert_eq!(oks, [(false, "patterns".to_string()), (true, "patterns".to_string())]);
}
