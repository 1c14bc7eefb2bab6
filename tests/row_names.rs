//! Names everywhere (issue 24): readable answers print rows and contacts by
//! their table's primary name column (`fullname`, `name`, `title`,
//! `<prefix>_name`), with the id only where two rows of a table share a
//! name; names are taken as input wherever an id is (a unique match, else
//! exit 2 listing the candidates); JSON answers keep ids.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{run_bin, tenant, write_tenant};
use serde_json::{json, Value};
use std::path::Path;

/// Two contacts named Ada (C1, C3), one Bo (C2) with only first and last
/// names; cases named by `title`, a custom table by `cr1_name`.
fn names_tenant() -> Value {
    tenant(json!({
        "relationships": [
            {"name": "incident_customer_contacts", "kind": "one_to_many", "referencing": "incident", "lookup": "customerid", "referenced": "contact"},
            {"name": "cr1_order_contact", "kind": "one_to_many", "referencing": "cr1_order", "lookup": "cr1_contactid", "referenced": "contact"}
        ],
        "rows": {
            "contact": [
                {"id": "C1", "fullname": "Ada Lovelace"},
                {"id": "C2", "firstname": "Bo", "lastname": "Diddley"},
                {"id": "C3", "fullname": "Ada Lovelace"}
            ],
            "incident": [
                {"id": "I1", "title": "Pump broken", "customerid": "C1"},
                {"id": "I2", "title": "Hose split", "customerid": "C2"},
                {"id": "I3", "customerid": "C3"}
            ],
            "cr1_order": [
                {"id": "O1", "cr1_name": "Order 1", "cr1_contactid": "C2"}
            ]
        },
        "web_roles": [{"id": "RU", "name": "Authenticated Users", "authenticated_users": true}],
        "table_permissions": [
            {"id": "TP1", "name": "Own cases", "table": "incident", "scope": "contact", "privileges": ["read"], "web_roles": ["RU"], "contact_relationship": "incident_customer_contacts"},
            {"id": "TP2", "name": "Own orders", "table": "cr1_order", "scope": "contact", "privileges": ["read"], "web_roles": ["RU"], "contact_relationship": "cr1_order_contact"}
        ]
    }))
}

fn file() -> String {
    write_tenant("row-names.json", &names_tenant()).to_string_lossy().into_owned()
}

#[test]
fn rows_print_by_primary_name_and_ids_only_where_names_are_shared() {
    let f = file();
    let (code, out, _) = run_bin(&["who", &f, "read", "incident:I1"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("who may read incident:Pump broken:\n"), "{out}");
    assert!(out.contains("contacts (1)         Ada Lovelace (C1)\n"), "{out}");
    // firstname + lastname when the data has no fullname; `<prefix>_name`
    // for a custom table; the id for a row with no name.
    let (_, out, _) = run_bin(&["what", &f, "C2", "read"]);
    assert_eq!(out, "Bo Diddley may read 2 rows:\n  cr1_order:Order 1\n  incident:Hose split\n");
    let (_, out, _) = run_bin(&["can", &f, "C3", "read", "incident:I3"]);
    assert_eq!(out, "yes: Ada Lovelace (C3) may read incident:I3 (via Own cases)\n");
}

#[test]
fn json_answers_keep_ids() {
    let f = file();
    let (code, out, _) = run_bin(&["who", &f, "read", "incident:Pump broken", "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["row"], "incident:I1");
    assert_eq!(v["contacts"], json!(["C1"]));
}

#[test]
fn names_are_taken_as_input_when_one_row_has_them() {
    let f = file();
    let (code, out, _) = run_bin(&["can", &f, "Bo Diddley", "read", "incident:hose split", "--json"]);
    assert_eq!(code, 0, "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["visitor"].as_str(), v["row"].as_str(), v["allowed"].as_bool()), (Some("C2"), Some("incident:I2"), Some(true)));
    let (code, out, _) = run_bin(&["what", &f, "Bo Diddley", "read", "--table", "cr1_order", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["rows"], json!(["cr1_order:O1"]));
    // A permission by its display name.
    let (code, out, _) = run_bin(&["tree", &f, "Own orders", "--json"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_shared_name_as_input_exits_2_listing_the_candidates() {
    let f = file();
    let (code, out, err) = run_bin(&["can", &f, "Ada Lovelace", "read", "incident:I1"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("contact `Ada Lovelace` names 2 contacts; give one of their ids: C1, C3"), "{err}");
}

#[test]
fn an_unknown_visitor_suggests_the_nearest_and_lists_newcomer() {
    let f = file();
    let (code, _, err) = run_bin(&["what", &f, "C4", "read"]);
    assert_eq!(code, 2);
    assert!(err.contains("contact `C4` does not exist (give a contact id or name, `anonymous` or `newcomer`; did you mean `C1`?)"), "{err}");
    // Names are candidates too.
    let (code, _, err) = run_bin(&["what", &f, "Bo Didley", "read"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `Bo Diddley`?"), "{err}");
}

#[test]
fn the_supplier_invoice_portal_names_amy_chen() {
    let site = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/solutions/supplier-invoice-portal");
    let site = site.to_string_lossy();
    let (code, out, err) = run_bin(&["what", &site, "Amy Chen", "read", "--table", "spnvc_invoice"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Amy Chen may read 3 rows:\n  spnvc_invoice:INV-"), "{out}");
    assert!(!out.contains("60a29644"), "no contact GUID in a readable answer: {out}");
}

/// A change document may name permissions, roles, contacts and rows as
/// the command line does: the same answer as with their ids.
#[test]
fn change_documents_take_names_for_ids() {
    let dfe = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/dfe-central-portal");
    let dir = tempfile::tempdir().unwrap();
    let by_ids = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/changes/dfe-anonymous-contacts.json")).unwrap();
    let by_names = by_ids
        .replace("\"permission\": \"23b35ea7-86a6-ef11-b8e9-000d3adb571a\"", "\"permission\": \"Contact Permission\"")
        .replace("\"role\": \"2dadaed1-626f-ef11-a670-002248a430ac\"", "\"role\": \"anonymous users\"");
    assert_ne!(by_ids, by_names);
    let answer = |doc: &str, name: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, doc).unwrap();
        let (code, out, err) = run_bin(&["whatif", dfe.to_str().unwrap(), path.to_str().unwrap(), "--json"]);
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
        v["scenarios"][0].clone()
    };
    let (ids, names) = (answer(&by_ids, "ids.json"), answer(&by_names, "names.json"));
    assert_eq!(ids["ok"], true, "{ids}");
    assert!(!ids["gained"].as_array().unwrap().is_empty());
    assert_eq!(ids, names);
    // Rows and contacts by name on the names tenant: removing Bo's case by
    // its title loses his read of it.
    let f = file();
    let doc = r#"{"format": "portal-access/changes@1", "changes": [{"op": "remove_row", "row": "incident:Hose split"}]}"#;
    let path = dir.path().join("rows.json");
    std::fs::write(&path, doc).unwrap();
    let (code, out, err) = run_bin(&["whatif", &f, path.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let lost = &v["scenarios"][0]["lost"];
    assert_eq!(lost, &json!([{"visitor": "C2", "privilege": "read", "row": "incident:I2"}]), "{v}");
}
