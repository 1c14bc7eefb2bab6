//! One test per F&O rule (finance-operations.md F1 to F8), on the shipped
//! vendor-portal example edited one place at a time; each asserts the
//! answer the rule decides, through `can` / `who` / `bypass` / `why`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::load::native::parse_native;
use portal_access::{Analysis, Tenant};
use serde_json::{json, Value};

const PO: &str = "mserp_purchpurchaseorderheaderv2entity";

fn example(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn analysis(v: &Value) -> Analysis {
    let raw = parse_native(&v.to_string(), "t.json").unwrap();
    Analysis::new(Tenant::build(raw, "t.json").unwrap())
}

fn can(a: &Analysis, who: &str, p: &str, row: &str) -> (bool, Option<bool>) {
    let ans = a.can(who, p, row).unwrap();
    (ans.allowed, ans.direct)
}

fn po(id: &str) -> String {
    format!("{PO}:{id}")
}

#[test]
fn f1_virtual_tables_listed_or_mserp() {
    // A listed non-mserp table becomes virtual: unmapped C-ivy loses it.
    let mut t = example("vendor-portal.json");
    t["rows"]["cr_note"] = json!([{"id": "N1"}]);
    t["table_permissions"].as_array_mut().unwrap().push(json!(
        {"id": "TP-note", "name": "Notes", "table": "cr_note", "scope": "global", "privileges": ["read"], "web_roles": ["R-vendor"]}));
    let a = analysis(&t);
    assert_eq!(can(&a, "C-ivy", "read", "cr_note:N1"), (true, None));
    t["finance_operations"]["virtual_tables"] = json!(["cr_note"]);
    let a = analysis(&t);
    assert_eq!(can(&a, "C-ivy", "read", "cr_note:N1"), (false, Some(false)));
    // Without the section, mserp_ tables are ordinary tables.
    let mut t = example("vendor-portal.json");
    t.as_object_mut().unwrap().remove("finance_operations");
    let a = analysis(&t);
    assert_eq!(can(&a, "C-ivy", "read", &po("PO-1004")), (true, None));
}

#[test]
fn f2_visitor_runs_as_its_mapped_user() {
    let mut t = example("vendor-portal.json");
    let a = analysis(&t);
    // C-ivy has no mapping: nothing on either path.
    assert_eq!(can(&a, "C-ivy", "read", &po("PO-1004")), (false, Some(false)));
    assert_eq!(can(&a, "anonymous", "read", &po("PO-1004")), (false, Some(false)));
    // An administrator user reaches nothing.
    t["finance_operations"]["roles"].as_array_mut().unwrap().push(json!({"id": "SysAdmin", "administrator": true}));
    t["finance_operations"]["users"][1]["roles"].as_array_mut().unwrap().push(json!("SysAdmin"));
    let a = analysis(&t);
    assert_eq!(can(&a, "C-lee", "read", &po("PO-1002")), (false, Some(false)));
    assert_eq!(can(&a, "C-sam", "read", &po("PO-1002")), (true, Some(true)));
    // The anonymous user: every anonymous visitor reads directly.
    t["finance_operations"]["anonymous_user"] = json!("sam.d");
    let a = analysis(&t);
    assert_eq!(can(&a, "anonymous", "read", &po("PO-1001")), (false, Some(true)));
}

#[test]
fn f3_entity_privileges_per_operation() {
    let mut t = example("vendor-portal.json");
    t["finance_operations"]["roles"][0]["entity_privileges"][1]["privileges"] = json!(["update"]);
    t["table_permissions"][1]["privileges"] = json!(["read", "write"]);
    let a = analysis(&t);
    assert_eq!(can(&a, "C-lee", "read", &po("PO-1002")), (false, Some(false)));
    assert!(a.can("C-lee", "write", &po("PO-1002")).unwrap().allowed);
}

#[test]
fn f4_policy_admits_through_the_user_link() {
    let mut t = example("vendor-portal-xds.json");
    // The link row of sam.d now names Northwind: Sam sees Northwind, not Litware.
    t["rows"]["mserp_vendvendorportaluserentity"][2]["mserp_vendoraccount"] = json!("V-NW");
    let a = analysis(&t);
    assert_eq!(can(&a, "C-sam", "read", &po("PO-1002")), (false, Some(false)));
    assert_eq!(can(&a, "C-sam", "read", &po("PO-1001")), (false, Some(true)));
}

#[test]
fn f5_policies_intersect() {
    let mut t = example("vendor-portal-xds.json");
    // A second policy linking each user to another vendor: no vendor passes both.
    let mut second = t["finance_operations"]["xds_policies"][0].clone();
    second["id"] = json!("Second");
    t["rows"]["mserp_othervendoruser"] = json!([{"id": "O1", "mserp_user": "lee.p", "mserp_vendoraccount": "V-NW"}]);
    t["relationships"].as_array_mut().unwrap().push(json!(
        {"name": "other_vendor", "referencing": "mserp_othervendoruser", "lookup": "mserp_vendoraccount", "referenced": "mserp_vendvendorv2entity"}));
    second["user_link"] = json!({"table": "mserp_othervendoruser", "user_column": "mserp_user", "relationship": "other_vendor"});
    t["finance_operations"]["xds_policies"].as_array_mut().unwrap().push(second.clone());
    let a = analysis(&t);
    assert_eq!(can(&a, "C-lee", "read", &po("PO-1002")), (false, Some(false)));
    assert_eq!(can(&a, "C-lee", "read", &po("PO-1001")), (false, Some(false)));
    // Disabled, or for another operation: it does not apply.
    t["finance_operations"]["xds_policies"][1]["enabled"] = json!(false);
    assert_eq!(can(&analysis(&t), "C-lee", "read", &po("PO-1002")), (true, Some(true)));
    t["finance_operations"]["xds_policies"][1]["enabled"] = json!(true);
    t["finance_operations"]["xds_policies"][1]["operations"] = json!(["delete"]);
    assert_eq!(can(&analysis(&t), "C-lee", "read", &po("PO-1002")), (true, Some(true)));
}

#[test]
fn f6_portal_path_only_narrows_web_roles() {
    let mut t = example("vendor-portal-xds.json");
    // A Global web-role permission on orders: the XDS policy still narrows it.
    t["table_permissions"].as_array_mut().unwrap().push(json!(
        {"id": "TP-all", "name": "All orders", "table": PO, "scope": "global", "privileges": ["read"], "web_roles": ["R-vendor"]}));
    let a = analysis(&t);
    assert_eq!(can(&a, "C-lee", "read", &po("PO-1001")), (false, Some(false)));
    assert_eq!(can(&a, "C-lee", "read", &po("PO-1002")), (true, Some(true)));
    let who = a.who("read", &po("PO-1002")).unwrap();
    assert_eq!(who.contacts, vec!["C-lee", "C-sam"]);
}

#[test]
fn f7_direct_path_ignores_web_roles() {
    let mut t = example("vendor-portal.json");
    t["table_permissions"] = json!([]);
    let a = analysis(&t);
    let who = a.who("read", &po("PO-1004")).unwrap();
    assert!(who.contacts.is_empty());
    let d = who.direct.unwrap();
    assert_eq!((d.anonymous, d.contacts), (false, vec!["C-lee".to_string(), "C-nina".into(), "C-sam".into()]));
}

#[test]
fn f8_bypass_is_direct_minus_portal() {
    let a = analysis(&example("vendor-portal.json"));
    let b = a.bypass(Some("C-lee"), Some(PO)).unwrap();
    let rows: Vec<&str> = b.lines.iter().map(|l| l.row.as_str()).collect();
    assert_eq!(rows, vec![po("PO-1001"), po("PO-1004")]);
    assert_eq!(b.summary[PO].rows, 2);
    let closed = analysis(&example("vendor-portal-xds.json")).bypass(None, None).unwrap();
    assert!(closed.lines.is_empty() && closed.summary.is_empty());
}

#[test]
fn why_names_the_f_and_o_side() {
    let a = analysis(&example("vendor-portal.json"));
    let w = a.why("C-ivy", "read", &po("PO-1004")).unwrap();
    assert_eq!(w.miss.as_deref(), Some("fo_no_user"));
    assert!(w.reason.unwrap().contains("no F&O user"));
    let w = a.why("C-lee", "read", &po("PO-1001")).unwrap();
    assert!(w.finance.unwrap().direct.contains("no XDS policy constrains"));
    let mut t = example("vendor-portal-xds.json");
    t["table_permissions"].as_array_mut().unwrap().push(json!(
        {"id": "TP-all", "name": "All orders", "table": PO, "scope": "global", "privileges": ["read"], "web_roles": ["R-vendor"]}));
    let w = analysis(&t).why("C-lee", "read", &po("PO-1001")).unwrap();
    assert_eq!(w.miss.as_deref(), Some("fo_xds_policy"));
    assert!(w.reason.unwrap().contains("XDS policy VendorSeesOwnData"));
    let mut t = example("vendor-portal.json");
    t["finance_operations"]["roles"][0]["entity_privileges"] = json!([]);
    let w = analysis(&t).why("C-lee", "read", &po("PO-1002")).unwrap();
    assert_eq!(w.miss.as_deref(), Some("fo_no_entity_privilege"));
}

#[test]
fn repl_bypass_command() {
    use portal_access::cli::session::Session;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/vendor-portal.json");
    let mut s = Session::open(&path).unwrap();
    let out = s.execute("bypass --visitor C-lee --table mserp_purchpurchaseorderheaderv2entity --json").unwrap().text;
    let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0]["row"], json!(po("PO-1001")));
    assert_eq!(lines[2]["summary"][PO], json!({"visitors": 1, "rows": 2}));
    let text = s.execute("bypass").unwrap().text;
    assert!(text.contains("Nina Ortiz (Northwind Traders) (F&O user nina.o): 8 rows"), "{text}");
    let text = s.execute("can C-lee read mserp_purchpurchaseorderheaderv2entity:PO-1001").unwrap().text;
    assert!(text.contains("directly from F&O: Lee Park (Litware) can read mserp_purchpurchaseorderheaderv2entity:PO-1001"), "{text}");
}
