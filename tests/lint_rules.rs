//! One pair of tests per lint id (lint.md): the smallest tenant that shows
//! the finding, and one that does not. Expected counts are worked out by
//! hand from the tenant in each test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod folder_support;

use folder_support::{folder, lint_json, pairs, with_id};
use portal_access::answer::lint::{self, Severity};
use serde_json::{json, Value};

/// Two contacts (C1 of account A1, holding R-cust; C2 with no account), two
/// cases, one note on I1 and one with no case, one knowledge article.
fn tenant(perms: Value) -> Value {
    json!({
        "format": "portal-access/tenant@1",
        "rows": {
            "account": [{"id": "A1"}],
            "contact": [{"id": "C1", "parentcustomerid": "A1"}, {"id": "C2"}],
            "incident": [{"id": "I1", "customerid": "C1"}, {"id": "I2", "customerid": "A1"}],
            "annotation": [{"id": "N1", "objectid": "I1"}, {"id": "N2", "objectid": null}],
            "knowledgearticle": [{"id": "K1"}]
        },
        "web_roles": [
            {"id": "R-anon", "name": "Anonymous Users", "anonymous_users": true},
            {"id": "R-auth", "name": "Authenticated Users", "authenticated_users": true},
            {"id": "R-cust", "name": "Customers"},
            {"id": "R-none", "name": "Nobody"}
        ],
        "role_members": {"contacts": [["C1", "R-cust"]]},
        "table_permissions": perms
    })
}

fn perm(id: &str, table: &str, scope: &str, privileges: &[&str], roles: &[&str]) -> Value {
    json!({"id": id, "name": id, "table": table, "scope": scope, "privileges": privileges, "web_roles": roles})
}

fn with(mut p: Value, key: &str, value: Value) -> Value {
    p[key] = value;
    p
}

fn subjects(doc: &Value, id: &str) -> Vec<String> {
    with_id(&lint_json(doc), id).iter().map(|f| f.subject.clone()).collect()
}

fn message(doc: &Value, id: &str) -> String {
    let f = lint_json(doc);
    with_id(&f, id).first().map(|f| f.message.clone()).unwrap_or_else(|| panic!("no {id} in {:?}", pairs(&f)))
}

// ---------------------------------------------------------------- PP001

#[test]
fn pp001_anonymous_global_read_on_contact() {
    let doc = tenant(json!([perm("TP", "contact", "global", &["read"], &["R-anon"])]));
    assert_eq!(subjects(&doc, "PP001"), vec!["TP"]);
    let m = message(&doc, "PP001");
    assert!(m.contains("anonymous visitors (role `Anonymous Users`) can read every row of `contact` (2 rows)"), "{m}");
    assert_eq!(with_id(&lint_json(&doc), "PP001")[0].severity, Severity::Error);
}

#[test]
fn pp001_parent_chain_under_global_counts_related_rows() {
    // Cases are customer data (they reference contact); notes reference cases.
    // Only N1 has a case, so the note permission exposes 1 row.
    let doc = tenant(json!([
        perm("TP-case", "incident", "global", &["read"], &["R-anon"]),
        with(with(perm("TP-note", "annotation", "parent", &["read"], &[]), "parent", json!("TP-case")), "parent_relationship", json!("Incident_Annotation")),
    ]));
    assert_eq!(subjects(&doc, "PP001"), vec!["TP-case", "TP-note"]);
    let f = lint_json(&doc);
    let note = with_id(&f, "PP001").into_iter().find(|f| f.subject == "TP-note").unwrap();
    assert!(note.message.contains("the rows of `annotation` related to its parent's rows (1 row)"), "{}", note.message);
}

#[test]
fn pp001_not_for_public_tables_visitor_scopes_or_create() {
    let doc = tenant(json!([
        perm("TP-kb", "knowledgearticle", "global", &["read"], &["R-anon"]),
        with(perm("TP-case", "incident", "contact", &["read"], &["R-anon"]), "contact_relationship", json!("incident_customer_contacts")),
        perm("TP-new", "contact", "global", &["create"], &["R-anon"]),
        perm("TP-auth", "contact", "global", &["read"], &["R-cust"]),
    ]));
    assert_eq!(subjects(&doc, "PP001"), Vec::<String>::new());
}

// ---------------------------------------------------------------- PP002

#[test]
fn pp002_authenticated_global_read_on_customer_data() {
    let doc = tenant(json!([perm("TP", "incident", "global", &["read", "write"], &["R-auth"])]));
    assert_eq!(subjects(&doc, "PP002"), vec!["TP"]);
    let m = message(&doc, "PP002");
    assert!(m.contains("every signed-in contact (2 contacts) holds authenticated-users role `Authenticated Users`"), "{m}");
    assert!(m.contains("read (and write) every row of `incident` (2 rows)"), "{m}");
}

#[test]
fn pp002_not_for_plain_roles_public_tables_or_narrow_scopes() {
    let doc = tenant(json!([
        perm("TP-a", "incident", "global", &["read"], &["R-cust"]),
        perm("TP-b", "knowledgearticle", "global", &["read"], &["R-auth"]),
        with(perm("TP-c", "incident", "contact", &["read"], &["R-auth"]), "contact_relationship", json!("incident_customer_contacts")),
    ]));
    assert_eq!(subjects(&doc, "PP002"), Vec::<String>::new());
}

#[test]
fn pp002_tables_visitors_submit_rows_to_hold_customer_data() {
    // No relationship ties `feedback` to contact, but every contact may create
    // rows in it: those rows are what customers submit.
    let doc = tenant(json!([perm("TP", "feedback", "global", &["read", "create"], &["R-auth"])]));
    assert_eq!(subjects(&doc, "PP002"), vec!["TP"]);
    let doc = tenant(json!([perm("TP", "feedback", "global", &["read"], &["R-auth"])]));
    assert_eq!(subjects(&doc, "PP002"), Vec::<String>::new());
}

// ---------------------------------------------------------------- PP003

fn case_tree(child: Value) -> Value {
    tenant(json!([
        with(perm("TP-case", "incident", "contact", &["read", "append_to"], &["R-cust"]), "contact_relationship", json!("incident_customer_contacts")),
        child,
    ]))
}

fn child(id: &str, table: &str, scope: &str, privileges: &[&str], rel: &str) -> Value {
    let p = with(perm(id, table, scope, privileges, &[]), "parent", json!("TP-case"));
    if rel.is_empty() {
        p
    } else {
        with(p, "parent_relationship", json!(rel))
    }
}

#[test]
fn pp003_global_child_below_contact_parent() {
    let doc = case_tree(child("TP-note", "annotation", "global", &["read"], ""));
    assert_eq!(subjects(&doc, "PP003"), vec!["TP-note"]);
    let m = message(&doc, "PP003");
    assert!(m.contains("is Global below `TP-case` (contact scope), so it admits every row of `annotation` (2 rows)"), "{m}");
}

#[test]
fn pp003_not_below_a_global_parent() {
    let doc = tenant(json!([
        perm("TP-case", "incident", "global", &["read"], &["R-cust"]),
        with(perm("TP-note", "annotation", "global", &["read"], &[]), "parent", json!("TP-case")),
    ]));
    assert_eq!(subjects(&doc, "PP003"), Vec::<String>::new());
}

// ---------------------------------------------------------------- PP004

#[test]
fn pp004_child_roles_the_root_lacks() {
    let doc = case_tree(with(child("TP-note", "annotation", "parent", &["read"], "Incident_Annotation"), "web_roles", json!(["R-auth"])));
    assert_eq!(subjects(&doc, "PP004"), vec!["TP-note"]);
    let m = message(&doc, "PP004");
    assert!(m.contains("the root lacks `Authenticated Users`"), "{m}");
}

#[test]
fn pp004_child_roles_the_root_has_are_still_ignored() {
    let doc = case_tree(with(child("TP-note", "annotation", "parent", &["read"], "Incident_Annotation"), "web_roles", json!(["R-cust"])));
    assert_eq!(subjects(&doc, "PP004"), vec!["TP-note"]);
    assert!(message(&doc, "PP004").contains("the root lists them all"));
}

#[test]
fn pp004_not_for_a_child_without_roles() {
    let doc = case_tree(child("TP-note", "annotation", "parent", &["read"], "Incident_Annotation"));
    assert_eq!(subjects(&doc, "PP004"), Vec::<String>::new());
}

// ---------------------------------------------------------------- PP005

#[test]
fn pp005_root_without_roles() {
    let doc = tenant(json!([
        perm("TP", "incident", "global", &["read"], &[]),
        with(with(perm("TP-note", "annotation", "parent", &["read"], &[]), "parent", json!("TP")), "parent_relationship", json!("Incident_Annotation")),
    ]));
    assert_eq!(subjects(&doc, "PP005"), vec!["TP"]);
    assert!(message(&doc, "PP005").contains("and 1 child permission below it grant nothing"));
}

#[test]
fn pp005_not_for_a_root_with_a_role() {
    let doc = tenant(json!([perm("TP", "incident", "global", &["read"], &["R-none"])]));
    assert_eq!(subjects(&doc, "PP005"), Vec::<String>::new());
}

// ---------------------------------------------------------------- PP006

#[test]
fn pp006_self_scope_off_contact() {
    let doc = tenant(json!([perm("TP", "incident", "self", &["read"], &["R-auth"])]));
    assert_eq!(subjects(&doc, "PP006"), vec!["TP"]);
    assert_eq!(with_id(&lint_json(&doc), "PP006")[0].severity, Severity::Error);
}

#[test]
fn pp006_not_on_contact_nor_when_inactive() {
    let doc = tenant(json!([
        perm("TP", "contact", "self", &["read"], &["R-auth"]),
        with(perm("TP-off", "incident", "self", &["read"], &["R-auth"]), "active", json!(false)),
    ]));
    assert_eq!(subjects(&doc, "PP006"), Vec::<String>::new());
}

// ---------------------------------------------------------------- PP007

#[test]
fn pp007_relationship_that_does_not_join() {
    let doc = tenant(json!([with(perm("TP", "incident", "contact", &["read"], &["R-auth"]), "contact_relationship", json!("Incident_Annotation"))]));
    assert_eq!(subjects(&doc, "PP007"), vec!["TP"]);
    let m = message(&doc, "PP007");
    assert!(m.contains("relationship `Incident_Annotation` joins `annotation` and `incident`, not `incident` and `contact`"), "{m}");
    // A Parent-scope child whose relationship misses the parent's table.
    let doc = case_tree(child("TP-note", "annotation", "parent", &["read"], "adx_portalcomment_Annotations"));
    assert_eq!(subjects(&doc, "PP007"), vec!["TP-note"]);
}

#[test]
fn pp007_not_when_the_relationship_joins() {
    let doc = case_tree(child("TP-note", "annotation", "parent", &["read"], "Incident_Annotation"));
    assert_eq!(subjects(&doc, "PP007"), Vec::<String>::new());
}

// ---------------------------------------------------------------- PP008

#[test]
fn pp008_create_without_attach() {
    // The parent has append_to (case_tree); the child lacks append.
    let doc = case_tree(child("TP-note", "annotation", "parent", &["read", "create"], "Incident_Annotation"));
    assert_eq!(subjects(&doc, "PP008"), vec!["TP-note"]);
    assert!(message(&doc, "PP008").contains("`TP-note` lacks append"));
    // The parent lacks append_to.
    let doc = tenant(json!([
        with(perm("TP-case", "incident", "contact", &["read"], &["R-cust"]), "contact_relationship", json!("incident_customer_contacts")),
        child("TP-note", "annotation", "parent", &["read", "create", "append"], "Incident_Annotation"),
    ]));
    assert!(message(&doc, "PP008").contains("`TP-case` lacks append_to"));
}

#[test]
fn pp008_not_when_both_can_attach() {
    let doc = case_tree(child("TP-note", "annotation", "parent", &["read", "create", "append"], "Incident_Annotation"));
    assert_eq!(subjects(&doc, "PP008"), Vec::<String>::new());
}

// ---------------------------------------------------------------- PP009

#[test]
fn pp009_notes_under_cases_without_a_child() {
    let doc = tenant(json!([with(
        perm("TP-case", "incident", "contact", &["read"], &["R-cust"]),
        "contact_relationship",
        json!("incident_customer_contacts")
    )]));
    assert_eq!(subjects(&doc, "PP009"), vec!["TP-case"]);
    let m = message(&doc, "PP009");
    assert!(m.contains("`annotation` rows reference `incident` rows (1 row here, through `Incident_Annotation`)"), "{m}");
    assert_eq!(with_id(&lint_json(&doc), "PP009")[0].severity, Severity::Info);
}

#[test]
fn pp009_not_with_a_child_or_without_referencing_rows() {
    let doc = case_tree(child("TP-note", "annotation", "parent", &["read"], "Incident_Annotation"));
    assert_eq!(subjects(&doc, "PP009"), Vec::<String>::new());
    let mut doc = tenant(json!([with(
        perm("TP-case", "incident", "contact", &["read"], &["R-cust"]),
        "contact_relationship",
        json!("incident_customer_contacts")
    )]));
    doc["rows"]["annotation"] = json!([{"id": "N2", "objectid": null}]);
    assert_eq!(subjects(&doc, "PP009"), Vec::<String>::new());
}

// ---------------------------------------------------------------- PP010

#[test]
fn pp010_inactive_parent_of_an_active_child() {
    let doc = tenant(json!([
        with(with(perm("TP-case", "incident", "contact", &["read"], &["R-cust"]), "contact_relationship", json!("incident_customer_contacts")), "active", json!(false)),
        child("TP-note", "annotation", "parent", &["read"], "Incident_Annotation"),
    ]));
    assert_eq!(subjects(&doc, "PP010"), vec!["TP-case"]);
    assert!(message(&doc, "PP010").contains("active child permission `TP-note` grants nothing (S7)"));
}

#[test]
fn pp010_not_when_the_child_is_inactive_too_or_the_parent_active() {
    let doc = tenant(json!([
        with(with(perm("TP-case", "incident", "contact", &["read"], &["R-cust"]), "contact_relationship", json!("incident_customer_contacts")), "active", json!(false)),
        with(child("TP-note", "annotation", "parent", &["read"], "Incident_Annotation"), "active", json!(false)),
    ]));
    assert_eq!(subjects(&doc, "PP010"), Vec::<String>::new());
    let doc = case_tree(child("TP-note", "annotation", "parent", &["read"], "Incident_Annotation"));
    assert_eq!(subjects(&doc, "PP010"), Vec::<String>::new());
}

// ---------------------------------------------------------------- PP011

#[test]
fn pp011_permission_covered_by_another() {
    // TP-all lets R-cust holders read every case; TP-own adds nothing for them.
    let doc = tenant(json!([
        perm("TP-all", "incident", "global", &["read"], &["R-cust"]),
        with(perm("TP-own", "incident", "contact", &["read"], &["R-cust"]), "contact_relationship", json!("incident_customer_contacts")),
    ]));
    assert_eq!(subjects(&doc, "PP011"), vec!["TP-own"]);
    // Two identical permissions each add nothing to the other.
    let doc = tenant(json!([
        perm("TP-a", "knowledgearticle", "global", &["read"], &["R-auth"]),
        perm("TP-b", "knowledgearticle", "global", &["read"], &["R-auth"]),
    ]));
    assert_eq!(subjects(&doc, "PP011"), vec!["TP-a", "TP-b"]);
}

#[test]
fn pp011_not_when_it_adds_a_visitor_row_or_privilege() {
    let doc = tenant(json!([
        perm("TP-a", "knowledgearticle", "global", &["read"], &["R-cust"]),
        perm("TP-b", "knowledgearticle", "global", &["read"], &["R-auth"]),
        perm("TP-c", "knowledgearticle", "global", &["write"], &["R-cust"]),
    ]));
    // TP-a is covered by TP-b (C1 is signed in); TP-b adds C2; TP-c adds write.
    assert_eq!(subjects(&doc, "PP011"), vec!["TP-a"]);
    let doc = tenant(json!([
        perm("TP-auth", "knowledgearticle", "global", &["read"], &["R-auth"]),
        perm("TP-anon", "knowledgearticle", "global", &["read"], &["R-anon"]),
    ]));
    assert_eq!(subjects(&doc, "PP011"), Vec::<String>::new());
}

// ---------------------------------------------------------------- PP012

#[test]
fn pp012_permission_that_grants_nothing_on_this_data() {
    let doc = tenant(json!([
        perm("TP-nobody", "knowledgearticle", "global", &["read"], &["R-none"]),
        perm("TP-empty", "lead", "global", &["read"], &["R-auth"]),
        perm("TP-noflags", "knowledgearticle", "global", &[], &["R-auth"]),
    ]));
    assert_eq!(subjects(&doc, "PP012"), vec!["TP-empty", "TP-nobody", "TP-noflags"]);
}

#[test]
fn pp012_not_when_it_grants_or_without_data() {
    let doc = tenant(json!([perm("TP", "knowledgearticle", "global", &["read"], &["R-auth"]), perm("TP-new", "lead", "global", &["create"], &["R-auth"])]));
    assert_eq!(subjects(&doc, "PP012"), Vec::<String>::new());
    // A configuration-only tenant has no data to grant on: PP011/PP012 stay silent.
    let mut doc = tenant(json!([perm("TP-nobody", "knowledgearticle", "global", &["read"], &["R-none"])]));
    doc["rows"] = json!({});
    doc["role_members"] = json!({});
    let f = lint_json(&doc);
    assert!(with_id(&f, "PP012").is_empty() && with_id(&f, "PP011").is_empty(), "{:?}", pairs(&f));
}

// ---------------------------------------------------------------- PP013

#[test]
fn pp013_dangling_lookups_counted_per_column() {
    let mut doc = tenant(json!([]));
    doc["rows"]["incident"] = json!([{"id": "I1", "customerid": "X9"}, {"id": "I2", "customerid": "X8"}, {"id": "I3", "customerid": "C1"}]);
    let f = lint_json(&doc);
    assert_eq!(pairs(&with_id(&f, "PP013").into_iter().cloned().collect::<Vec<_>>()), vec![("PP013".to_string(), "incident.customerid".to_string())]);
    let m = message(&doc, "PP013");
    assert!(m.starts_with("2 values of lookup `incident.customerid` name no row (for example `X8`, `X9`)"), "{m}");
}

#[test]
fn pp013_not_without_dangling_values() {
    let doc = tenant(json!([]));
    assert_eq!(subjects(&doc, "PP013"), Vec::<String>::new());
}

// ---------------------------------------------------------------- PP014

#[test]
fn pp014_custom_access_type() {
    let doc = tenant(json!([perm("TP", "incident", "custom", &["read"], &["R-auth"])]));
    assert_eq!(subjects(&doc, "PP014"), vec!["TP"]);
    // It is explained by PP014, so PP012 does not repeat it.
    assert_eq!(subjects(&doc, "PP012"), Vec::<String>::new());
}

#[test]
fn pp014_not_for_evaluated_scopes() {
    let doc = tenant(json!([perm("TP", "incident", "global", &["read"], &["R-cust"])]));
    assert_eq!(subjects(&doc, "PP014"), Vec::<String>::new());
}

// ---------------------------------------------------------------- PP015, PP016 (folders)

const ROLE: &str = "- adx_name: Customers\n  adx_webroleid: R-cust\n";
const CLASSIC: &str = "adx_entitypermissionid: TP-a\nadx_entitylogicalname: knowledgearticle\nadx_scope: 756150000\nadx_read: true\nadx_entitypermission_webrole:\n- R-cust\n";
const CODE: &str = "id: TP-b\nentitylogicalname: knowledgearticle\nscope: 756150000\nread: true\nadx_entitypermission_webrole:\n- R-cust\n";

fn folder_findings(files: &[(&str, &str)]) -> Vec<lint::Finding> {
    let dir = folder(files);
    lint::load(dir.path()).unwrap().report().findings
}

#[test]
fn pp015_site_mixing_key_styles() {
    let f = folder_findings(&[
        ("site/webrole.yml", ROLE),
        ("site/table-permissions/A.tablepermission.yml", CLASSIC),
        ("site/table-permissions/B.tablepermission.yml", CODE),
    ]);
    let pp015 = with_id(&f, "PP015");
    assert_eq!(pp015.len(), 1, "{:?}", pairs(&f));
    assert!(pp015[0].message.contains("mixes `adx_` keys (2 files) and unprefixed keys (1 file)"), "{}", pp015[0].message);
    assert!(pp015[0].location.as_ref().unwrap().file.ends_with("B.tablepermission.yml"));
}

#[test]
fn pp015_not_for_one_style_nor_the_adx_role_list_in_a_code_site() {
    let f = folder_findings(&[("site/webrole.yml", ROLE), ("site/table-permissions/A.tablepermission.yml", CLASSIC)]);
    assert!(with_id(&f, "PP015").is_empty());
    let f = folder_findings(&[
        ("site/web-roles/C.webrole.yml", "id: R-cust\nname: Customers\n"),
        ("site/table-permissions/B.tablepermission.yml", CODE),
    ]);
    assert!(with_id(&f, "PP015").is_empty(), "{:?}", pairs(&f));
}

#[test]
fn pp016_relationship_neither_in_catalogue_nor_declared() {
    let perm = "adx_entitypermissionid: TP-ev\nadx_entitylogicalname: msevtmgt_event\nadx_scope: 756150001\nadx_contactrelationship: contact_events\nadx_read: true\nadx_entitypermission_webrole:\n- R-cust\n";
    let f = folder_findings(&[("site/webrole.yml", ROLE), ("site/table-permissions/Ev.tablepermission.yml", perm)]);
    assert_eq!(pairs(&with_id(&f, "PP016").into_iter().cloned().collect::<Vec<_>>()), vec![("PP016".to_string(), "TP-ev".to_string())]);
    let loc = with_id(&f, "PP016")[0].location.clone().unwrap();
    assert!(loc.file.ends_with("site/table-permissions/Ev.tablepermission.yml"));
    assert_eq!(loc.line, Some(1));
    // Declared in relationships.json: no PP016, and the N:N joins (no PP007).
    let rels = r#"{"relationships": [{"name": "contact_events", "kind": "many_to_many", "tables": ["contact", "msevtmgt_event"]}]}"#;
    let f = folder_findings(&[("site/webrole.yml", ROLE), ("site/table-permissions/Ev.tablepermission.yml", perm), ("relationships.json", rels)]);
    assert!(with_id(&f, "PP016").is_empty() && with_id(&f, "PP007").is_empty(), "{:?}", pairs(&f));
}

// ---------------------------------------------------------------- output

#[test]
fn findings_are_sorted_by_id_then_subject() {
    let doc = tenant(json!([
        perm("TP-z", "incident", "self", &["read"], &["R-auth"]),
        perm("TP-a", "incident", "global", &["read"], &[]),
        perm("TP-y", "contact", "global", &["read"], &["R-anon"]),
    ]));
    let f = pairs(&lint_json(&doc));
    let mut sorted = f.clone();
    sorted.sort();
    assert_eq!(f, sorted);
    assert!(f.contains(&("PP001".to_string(), "TP-y".to_string())));
    assert!(f.contains(&("PP005".to_string(), "TP-a".to_string())));
    assert!(f.contains(&("PP006".to_string(), "TP-z".to_string())));
}

#[test]
fn pp015_statecode_is_unprefixed_in_every_style() {
    let inactive = format!("{CLASSIC}statecode: 0\n");
    let f = folder_findings(&[("site/webrole.yml", ROLE), ("site/table-permissions/A.tablepermission.yml", &inactive)]);
    assert!(with_id(&f, "PP015").is_empty(), "{:?}", pairs(&f));
}

#[test]
fn pp013_in_a_folder_points_at_the_data_page() {
    let f = folder_findings(&[
        ("site/webrole.yml", ROLE),
        ("data/contact.json", r#"{"value": [{"contactid": "C1", "_parentcustomerid_value": "A9"}]}"#),
    ]);
    let pp013 = with_id(&f, "PP013");
    assert_eq!(pp013.len(), 1, "{:?}", pairs(&f));
    assert_eq!(pp013[0].subject, "contact.parentcustomerid");
    assert!(pp013[0].location.as_ref().unwrap().file.ends_with("data/contact.json"));
}
