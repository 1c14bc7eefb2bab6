//! The loader resolves lookups and row ids in batches (for speed on large
//! tenants): these tests pin that batching changes nothing a user sees.
//! Links are exactly the lookups (S20, S23), dangling values keep document
//! order (S24), and the error reported is the first one in document order,
//! whichever batch it falls in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::load::native::parse_native;
use portal_access::model::Tenant;
use serde_json::{json, Value};

fn build(doc: &Value) -> Result<Tenant, String> {
    let text = doc.to_string();
    let raw = parse_native(&text, "t.json").map_err(|e| e.to_string())?;
    Tenant::build(raw, "t.json").map_err(|e| e.to_string())
}

/// `n` incidents whose customer is `customer(i)`, 100 contacts, 10 accounts.
fn tenant(n: usize, customer: impl Fn(usize) -> Value) -> Value {
    let contacts: Vec<Value> = (0..100).map(|i| json!({"id": format!("C{i}")})).collect();
    let accounts: Vec<Value> = (0..10).map(|i| json!({"id": format!("A{i}")})).collect();
    let incidents: Vec<Value> = (0..n).map(|i| json!({"id": format!("I{i}"), "customerid": customer(i)})).collect();
    json!({
        "format": "portal-access/tenant@1",
        "rows": {"contact": contacts, "account": accounts, "incident": incidents}
    })
}

#[test]
fn s23_s24_lookups_across_many_batches_resolve_like_one_by_one() {
    // Contacts, accounts and dangling values interleaved over 3000 rows.
    let value = |i: usize| match i % 3 {
        0 => json!(format!("C{}", i % 100)),
        1 => json!(format!("A{}", i % 10)),
        _ => json!(format!("X{i}")),
    };
    let t = build(&tenant(3000, value)).unwrap();
    let rel = |name: &str| t.rel_id(name).unwrap();
    let row = |s: String| t.parse_row(&s).unwrap();
    let mut want = Vec::new();
    for i in 0..3000 {
        let x = row(format!("incident:I{i}"));
        match i % 3 {
            0 => want.push((rel("incident_customer_contacts"), x, row(format!("contact:C{}", i % 100)))),
            1 => want.push((rel("incident_customer_accounts"), x, row(format!("account:A{}", i % 10)))),
            _ => {}
        }
    }
    want.sort_unstable();
    assert_eq!(*t.links, want);
    let dangling: Vec<&str> = t.dangling.iter().map(|d| d.value.as_str()).collect();
    let want_dangling: Vec<String> = (0..3000).filter(|i| i % 3 == 2).map(|i| format!("X{i}")).collect();
    assert_eq!(dangling, want_dangling);
    assert!(t.dangling.iter().all(|d| d.table == "incident" && d.column == "customerid"));
}

#[test]
fn s23_first_error_in_document_order_ambiguous_before_wrong_type() {
    // `X` names a contact and an account: ambiguous at row 700, a number at row 900.
    let mut doc = tenant(1000, |i| match i {
        700 => json!("X"),
        900 => json!(5),
        _ => json!(format!("C{}", i % 100)),
    });
    doc["rows"]["contact"].as_array_mut().unwrap().push(json!({"id": "X"}));
    doc["rows"]["account"].as_array_mut().unwrap().push(json!({"id": "X"}));
    let e = build(&doc).unwrap_err();
    assert_eq!(
        e,
        "t.json: at `rows.incident[700].customerid`: lookup value `X` is ambiguous: rows with that id exist in `account` and `contact`"
    );
}

#[test]
fn s23_first_error_in_document_order_wrong_type_before_ambiguous() {
    let mut doc = tenant(1000, |i| match i {
        700 => json!(5),
        900 => json!("X"),
        _ => json!(format!("C{}", i % 100)),
    });
    doc["rows"]["contact"].as_array_mut().unwrap().push(json!({"id": "X"}));
    doc["rows"]["account"].as_array_mut().unwrap().push(json!({"id": "X"}));
    let e = build(&doc).unwrap_err();
    assert_eq!(e, "t.json: at `rows.incident[700].customerid`: lookup `customerid` must be a string id or null, found a number");
}

#[test]
fn duplicate_row_id_far_into_a_table_names_the_first_repeat() {
    let doc = tenant(2000, |_| Value::Null);
    let mut doc = doc;
    let incidents = doc["rows"]["incident"].as_array_mut().unwrap();
    incidents[1500] = json!({"id": "I3"});
    incidents[1800] = json!({"id": "I4"});
    let e = build(&doc).unwrap_err();
    assert_eq!(e, "t.json: at `rows.incident[1500].id`: duplicate row id `I3` in table `incident`");
}

#[test]
fn every_row_id_is_found_again_in_a_large_table() {
    let t = build(&tenant(5000, |_| Value::Null)).unwrap();
    let table = t.table_id("incident").unwrap();
    for i in 0..5000 {
        let x = t.row_id(table, &format!("I{i}")).unwrap();
        assert_eq!(t.row_name(x), format!("I{i}"));
    }
    assert_eq!(t.row_id(table, "I5000"), None);
    assert_eq!(t.row_id(table, ""), None);
    assert_eq!(t.row_id(t.table_id("contact").unwrap(), "I1"), None);
}
