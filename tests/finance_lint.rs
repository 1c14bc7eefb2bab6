//! Lint findings PP030 to PP034 (lint.md): each fires on a tenant that has
//! the problem and not on the same tenant without it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::answer::lint::lint;
use portal_access::load::native::parse_native;
use portal_access::{Analysis, Tenant};
use serde_json::{json, Value};

fn example(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn ids(v: &Value, id: &str) -> Vec<(String, String)> {
    let raw = parse_native(&v.to_string(), "t.json").unwrap();
    let a = Analysis::new(Tenant::build(raw, "t.json").unwrap());
    lint(&a, None).into_iter().filter(|f| f.id == id).map(|f| (f.subject, f.message)).collect()
}

#[test]
fn pp030_bypass() {
    let f = ids(&example("vendor-portal.json"), "PP030");
    assert_eq!(f.len(), 3, "{f:?}");
    let po = f.iter().find(|(s, _)| s == "mserp_purchpurchaseorderheaderv2entity").unwrap();
    assert!(po.1.starts_with("3 contacts can read 4 rows"), "{}", po.1);
    assert!(po.1.contains("no enabled XDS policy"), "{}", po.1);
    assert!(ids(&example("vendor-portal-xds.json"), "PP030").is_empty());
}

#[test]
fn pp031_anonymous_reaches_virtual_table() {
    let mut t = example("vendor-portal-xds.json");
    assert!(ids(&t, "PP031").is_empty());
    t["finance_operations"]["anonymous_user"] = json!("lee.p");
    let f = ids(&t, "PP031");
    assert_eq!(f.len(), 3, "{f:?}");
    assert!(f[0].1.contains("`lee.p`"));
}

#[test]
fn pp032_virtual_table_permission_not_global() {
    let mut t = example("vendor-portal.json");
    let f = ids(&t, "PP032");
    assert_eq!(f.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), vec!["TP-lines", "TP-orders", "TP-vendor"]);
    for p in t["table_permissions"].as_array_mut().unwrap() {
        p["scope"] = json!("global");
    }
    assert!(ids(&t, "PP032").is_empty());
}

#[test]
fn pp033_administrator_user() {
    let mut t = example("vendor-portal.json");
    assert!(ids(&t, "PP033").is_empty());
    t["finance_operations"]["roles"][0]["administrator"] = json!(true);
    let f = ids(&t, "PP033");
    assert_eq!(f.len(), 3, "{f:?}");
    assert!(f[0].1.contains("administrator role \"Vendor portal user\""), "{}", f[0].1);
}

#[test]
fn pp034_web_role_without_mapping() {
    let mut t = example("vendor-portal.json");
    let f = ids(&t, "PP034");
    assert_eq!(f.len(), 3, "{f:?}");
    assert!(f[0].1.starts_with("1 contact (\"Ivy Chen (Adatum, awaiting F&O user)\")"), "{}", f[0].1);
    t["finance_operations"]["user_mappings"].as_array_mut().unwrap().push(json!(["C-ivy", "sam.d"]));
    assert!(ids(&t, "PP034").is_empty());
}
