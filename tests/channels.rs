//! Channel rules C1 to C11 (channels.md), one test per rule, on small
//! tenants built here; and the load errors of the three new sections.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::model::Tenant;
use portal_access::Analysis;
use serde_json::{json, Value};

/// Contacts C1 (member of R-cust) and C2 (no role); incidents I1 (of C1)
/// and I2; Global read on contact for signed-in users, Contact-scope
/// read/write on incident for R-cust, Global read on knowledgearticle for
/// the anonymous.
fn base() -> Value {
    json!({
        "format": "portal-access/tenant@1",
        "rows": {
            "contact": [{"id": "C1", "fullname": "Ada", "birthdate": "1990"}, {"id": "C2", "fullname": "Bo"}],
            "incident": [{"id": "I1", "title": "Pump", "customerid": "C1"}, {"id": "I2", "title": "Valve", "customerid": "C2"}],
            "knowledgearticle": [{"id": "K1", "title": "Reset"}]
        },
        "web_roles": [
            {"id": "R-anon", "name": "Anonymous Users", "anonymous_users": true},
            {"id": "R-auth", "name": "Authenticated Users", "authenticated_users": true},
            {"id": "R-cust", "name": "Customers"}
        ],
        "role_members": {"contacts": [["C1", "R-cust"]]},
        "table_permissions": [
            {"id": "TP-dir", "name": "Directory", "table": "contact", "scope": "global", "privileges": ["read"], "web_roles": ["R-auth"]},
            {"id": "TP-case", "name": "Own cases", "table": "incident", "scope": "contact",
             "contact_relationship": "incident_customer_contacts", "privileges": ["read", "write", "create", "delete"], "web_roles": ["R-cust"]},
            {"id": "TP-kb", "name": "Articles", "table": "knowledgearticle", "scope": "global", "privileges": ["read"], "web_roles": ["R-anon"]}
        ],
        "site_settings": [
            {"name": "Webapi/contact/enabled", "value": "true"},
            {"name": "Webapi/contact/fields", "value": "fullname,birthdate"},
            {"name": "Webapi/incident/enabled", "value": "true"},
            {"name": "Webapi/incident/fields", "value": "title"},
            {"name": "Webapi/knowledgearticle/enabled", "value": "true"},
            {"name": "Webapi/knowledgearticle/fields", "value": "*"}
        ]
    })
}

fn analysis(v: &Value) -> Analysis {
    let raw = portal_access::load::native::parse_native(&v.to_string(), "case").unwrap();
    Analysis::new(Tenant::build(raw, "case").unwrap())
}

fn load_error(v: &Value) -> String {
    let err = portal_access::load::native::parse_native(&v.to_string(), "case.json")
        .and_then(|raw| Tenant::build(raw, "case.json"))
        .expect_err("the load must fail");
    err.to_string()
}

fn read_cols(a: &Analysis, visitor: &str, row: &str) -> Vec<String> {
    a.columns(visitor, row).unwrap().read
}

fn settings(v: &mut Value) -> &mut Vec<Value> {
    v["site_settings"].as_array_mut().unwrap()
}

#[test]
fn c1_setting_names_ignore_case_and_the_last_active_wins() {
    let mut v = base();
    settings(&mut v).push(json!({"name": "WEBAPI/Contact/Enabled", "value": " FALSE "}));
    assert!(!analysis(&v).columns("C1", "contact:C1").unwrap().open);
    settings(&mut v).push(json!({"name": "webapi/contact/ENABLED", "value": " True "}));
    assert!(analysis(&v).columns("C1", "contact:C1").unwrap().open);
    settings(&mut v).push(json!({"name": "webapi/contact/enabled", "value": "false", "active": false}));
    assert!(analysis(&v).columns("C1", "contact:C1").unwrap().open, "an inactive setting does not count");
    settings(&mut v).push(json!({"name": "webapi/contact/enabled", "value": "yes"}));
    assert!(!analysis(&v).columns("C1", "contact:C1").unwrap().open, "`yes` is not true");
}

#[test]
fn c2_a_table_without_enabled_is_closed() {
    let mut v = base();
    settings(&mut v).retain(|s| s["name"] != "Webapi/contact/enabled");
    let a = analysis(&v);
    let ans = a.columns("C1", "contact:C1").unwrap();
    assert!(!ans.open);
    assert!(ans.read.is_empty());
    assert!(ans.reason.unwrap().contains("not open"));
}

#[test]
fn c3_listed_columns_trimmed_case_insensitive_and_empty_lists_nothing() {
    let mut v = base();
    settings(&mut v).push(json!({"name": "Webapi/contact/fields", "value": " FullName , "}));
    assert_eq!(read_cols(&analysis(&v), "C1", "contact:C1"), ["fullname"]);
    settings(&mut v).push(json!({"name": "Webapi/contact/fields", "value": ""}));
    assert!(read_cols(&analysis(&v), "C1", "contact:C1").is_empty());
}

#[test]
fn c4_star_lists_id_row_keys_and_named_columns() {
    let mut v = base();
    settings(&mut v).push(json!({"name": "Webapi/contact/fields", "value": "*"}));
    v["column_permission_profiles"] = json!([{"id": "P", "name": "p", "table": "contact", "web_roles": ["R-cust"],
        "all_columns": ["read"], "columns": {"mobilephone": ["read"]}}]);
    assert_eq!(read_cols(&analysis(&v), "C1", "contact:C1"), ["birthdate", "contactid", "fullname", "mobilephone"]);
    assert_eq!(read_cols(&analysis(&v), "anonymous", "knowledgearticle:K1"), ["knowledgearticleid", "title"]);
}

#[test]
fn c5_profiles_combine_by_union_and_do_not_lift_each_other() {
    let mut v = base();
    v["column_permission_profiles"] = json!([
        {"id": "P-cust", "name": "cust", "table": "contact", "web_roles": ["R-cust"], "columns": {"fullname": ["read"]}},
        {"id": "P-auth", "name": "auth", "table": "contact", "web_roles": ["R-auth"], "columns": {"birthdate": [746610001]}}
    ]);
    let a = analysis(&v);
    assert_eq!(read_cols(&a, "C1", "contact:C2"), ["birthdate", "fullname"]);
    assert_eq!(read_cols(&a, "C2", "contact:C2"), ["birthdate"]);
    // C2's role without a profile (none here) cannot lift; an inactive profile does not count.
    v["column_permission_profiles"][1]["active"] = json!(false);
    let a = analysis(&v);
    assert_eq!(read_cols(&a, "C2", "contact:C2"), ["birthdate", "fullname"], "no active profile: table permissions decide");
    assert_eq!(read_cols(&a, "C1", "contact:C2"), ["fullname"]);
}

#[test]
fn c6_webapi_read_needs_listed_column() {
    let a = analysis(&base());
    let who = a.who_column("read", "contact:C2", "fullname").unwrap();
    assert_eq!(who.contacts, ["C1", "C2"]);
    let who = a.who_column("read", "contact:C2", "emailaddress1").unwrap();
    assert!(who.contacts.is_empty() && !who.newcomer);
    // and a row grant: C2 reads no incident of C1.
    assert!(read_cols(&a, "C2", "incident:I1").is_empty());
    assert_eq!(read_cols(&a, "C1", "incident:I1"), ["title"]);
}

#[test]
fn c7_update_needs_write_and_delete_needs_an_open_table() {
    let a = analysis(&base());
    assert_eq!(a.columns("C1", "incident:I1").unwrap().update, ["title"]);
    assert!(a.columns("C1", "contact:C1").unwrap().update.is_empty(), "no write on contact");
    let e = a.exposure(Some("C1")).unwrap();
    let inc = e.visitors[0].tables.iter().find(|t| t.table == "incident").unwrap();
    assert!(inc.delete && inc.create);
    let mut v = base();
    settings(&mut v).retain(|s| s["name"] != "Webapi/incident/enabled");
    let e = analysis(&v).exposure(Some("C1")).unwrap();
    let inc = e.visitors[0].tables.iter().find(|t| t.table == "incident").unwrap();
    assert!(!inc.delete && !inc.create);
}

#[test]
fn c8_closed_registration_leaves_the_newcomer_nothing() {
    let a = analysis(&base());
    assert!(a.can("newcomer", "read", "contact:C1").unwrap().allowed);
    for name in ["Authentication/Registration/Enabled", "authentication/registration/openregistrationenabled"] {
        let mut v = base();
        settings(&mut v).push(json!({"name": name, "value": "False"}));
        let a = analysis(&v);
        assert!(!a.can("newcomer", "read", "contact:C1").unwrap().allowed);
        assert!(!a.exposure(None).unwrap().registration_open);
    }
}

#[test]
fn c9_newcomer_holds_only_authenticated_roles_and_global_anchors() {
    let a = analysis(&base());
    assert_eq!(a.what("newcomer", "read", None).unwrap().rows.unwrap(), ["contact:C1", "contact:C2"]);
    assert!(!a.can("newcomer", "read", "incident:I1").unwrap().allowed, "Contact scope admits it nothing");
    assert!(!a.can("newcomer", "read", "knowledgearticle:K1").unwrap().allowed, "no anonymous role");
    let who = a.who("read", "contact:C1").unwrap();
    assert!(who.newcomer && !who.anonymous);
}

#[test]
fn c10_anyone_is_the_anonymous_visitor_or_the_newcomer() {
    let a = analysis(&base());
    assert!(a.who("read", "knowledgearticle:K1").unwrap().anyone);
    assert!(a.who("read", "contact:C1").unwrap().anyone);
    assert!(!a.who("read", "incident:I1").unwrap().anyone);
}

#[test]
fn c11_components_with_permissions_off_grant_nothing() {
    let before = analysis(&base());
    let mut v = base();
    v["components"] = json!([{"id": "L1", "kind": "list", "name": "Cases", "table": "incident", "odata_enabled": true}]);
    let after = analysis(&v);
    for x in ["incident:I1", "incident:I2"] {
        assert_eq!(before.who("read", x).unwrap(), after.who("read", x).unwrap());
    }
}

#[test]
fn c5_unknown_column_privilege_fails_the_load() {
    let mut v = base();
    v["column_permission_profiles"] = json!([{"id": "P", "name": "p", "table": "contact", "columns": {"fullname": ["delete"]}}]);
    let e = load_error(&v);
    assert!(e.contains("column_permission_profiles[0].columns.fullname[0]") && e.contains("delete"), "{e}");
    v["column_permission_profiles"] = json!([{"id": "P", "name": "p", "table": "contact", "all_columns": [746610007]}]);
    let e = load_error(&v);
    assert!(e.contains("all_columns[0]") && e.contains("746610007"), "{e}");
}

#[test]
fn c5_profile_or_component_naming_nothing_fails_the_load() {
    let mut v = base();
    v["column_permission_profiles"] = json!([{"id": "P", "name": "p", "table": "contact", "web_roles": ["R-none"]}]);
    assert!(load_error(&v).contains("web_roles[0]"));
    v["column_permission_profiles"] = json!([{"id": "P", "name": "p", "table": "nosuchtable"}]);
    assert!(load_error(&v).contains("column_permission_profiles[0].table"));
    let mut v = base();
    v["components"] = json!([{"id": "L", "kind": "list", "table": "nosuchtable"}]);
    assert!(load_error(&v).contains("components[0].table"));
    v["components"] = json!([{"id": "L", "kind": "grid", "table": "incident"}]);
    assert!(load_error(&v).contains("components[0].kind"));
}

#[test]
fn c1_non_string_setting_value_fails_the_load() {
    let mut v = base();
    settings(&mut v).push(json!({"name": "Webapi/contact/enabled", "value": true}));
    let e = load_error(&v);
    assert!(e.contains("site_settings[6].value") && e.contains("case.json"), "{e}");
}

#[test]
fn tenant_without_channel_sections_answers_as_before() {
    let mut v = base();
    v.as_object_mut().unwrap().remove("site_settings");
    let a = analysis(&v);
    assert!(!a.columns("C1", "contact:C1").unwrap().open);
    assert_eq!(a.who("read", "contact:C1").unwrap().contacts, ["C1", "C2"]);
}

// ------------------------------------------------------------ lint PP017 to PP021

fn findings(v: &Value, id: &str) -> Vec<portal_access::answer::lint::Finding> {
    let a = analysis(v);
    portal_access::answer::lint::lint(&a, None).into_iter().filter(|f| f.id == id).collect()
}

#[test]
fn pp017_anyone_reads_an_open_table_counted_from_grants() {
    let f = findings(&base(), "PP017");
    let subjects: Vec<&str> = f.iter().map(|f| f.subject.as_str()).collect();
    assert_eq!(subjects, ["contact", "knowledgearticle"]);
    assert!(f[0].message.contains("2 rows") && f[0].message.contains("`birthdate`, `fullname`"), "{}", f[0].message);
    // Closing registration and the table removes them.
    let mut v = base();
    settings(&mut v).push(json!({"name": "Authentication/Registration/Enabled", "value": "false"}));
    settings(&mut v).push(json!({"name": "Webapi/knowledgearticle/enabled", "value": "false"}));
    assert!(findings(&v, "PP017").is_empty());
}

#[test]
fn pp018_fields_star() {
    let f = findings(&base(), "PP018");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].subject, "Webapi/knowledgearticle/fields");
    let mut v = base();
    settings(&mut v).push(json!({"name": "Webapi/knowledgearticle/fields", "value": "title"}));
    assert!(findings(&v, "PP018").is_empty());
}

#[test]
fn pp019_settings_that_cannot_work() {
    assert!(findings(&base(), "PP019").is_empty());
    let mut v = base();
    settings(&mut v).push(json!({"name": "Webapi/incident/fields", "value": " "}));
    settings(&mut v).push(json!({"name": "Webapi/account/fields", "value": "name"}));
    settings(&mut v).push(json!({"name": "webapi/contact/enabled", "value": "true"}));
    let f = findings(&v, "PP019");
    let text: Vec<&str> = f.iter().map(|f| f.message.as_str()).collect();
    assert!(text.iter().any(|m| m.contains("lists no column")), "{text:?}");
    assert!(text.iter().any(|m| m.contains("`Webapi/account/enabled` is not `true`")), "{text:?}");
    assert!(text.iter().any(|m| m.contains("no table permission covers")), "{text:?}");
    assert!(text.iter().any(|m| m.contains("2 active settings")), "{text:?}");
}

#[test]
fn pp020_open_registration_reads_customer_data() {
    let f = findings(&base(), "PP020");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].subject, "TP-dir");
    assert!(f[0].message.contains("2 rows"));
    let mut v = base();
    settings(&mut v).push(json!({"name": "Authentication/Registration/OpenRegistrationEnabled", "value": "false"}));
    assert!(findings(&v, "PP020").is_empty());
}

#[test]
fn pp021_components_with_permissions_off() {
    let mut v = base();
    v["components"] = json!([
        {"id": "L1", "kind": "list", "name": "Cases", "table": "incident", "odata_enabled": true},
        {"id": "F1", "kind": "form", "name": "Case form", "table": "incident", "mode": "edit"},
        {"id": "F2", "kind": "form_step", "name": "Step", "table": "incident", "permissions_enabled": true}
    ]);
    let f = findings(&v, "PP021");
    let got: Vec<(&str, portal_access::answer::lint::Severity)> = f.iter().map(|f| (f.subject.as_str(), f.severity)).collect();
    assert_eq!(got, [("F1", portal_access::answer::lint::Severity::Warning), ("L1", portal_access::answer::lint::Severity::Error)]);
    assert!(f[1].message.contains("2 rows"));
}
