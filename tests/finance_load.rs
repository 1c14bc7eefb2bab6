//! Load errors of the `finance_operations` section (tenant-format.md,
//! "finance_operations", finance-operations.md): a reference that names
//! nothing, a user column missing from the link table's rows, an operation
//! not in the list, a path step whose relationship does not join its
//! tables; each names the file and the JSON path. A folder tenant reads the
//! section from `finance-operations.json` and reports errors there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::load::native::parse_native;
use portal_access::Tenant;
use serde_json::Value;

fn base() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/vendor-portal-xds.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn load(v: &Value) -> Result<Tenant, String> {
    let raw = parse_native(&v.to_string(), "fo.json").map_err(|e| e.to_string())?;
    Tenant::build(raw, "fo.json").map_err(|e| e.to_string())
}

/// Breaks the base tenant with `edit` on its F&O section and asserts the
/// load fails naming the file, the JSON path and every `needles` fragment.
fn fails(path: &str, edit: impl FnOnce(&mut Value), needles: &[&str]) {
    let mut t = base();
    edit(&mut t["finance_operations"]);
    let err = load(&t).err().unwrap_or_else(|| panic!("{path}: loaded"));
    assert!(err.starts_with("fo.json: at `finance_operations."), "{err}");
    assert!(err.contains(&format!("`finance_operations.{path}`")), "{path}: {err}");
    for n in needles {
        assert!(err.contains(n), "{path}: lacks {n:?}: {err}");
    }
}

#[test]
fn base_loads_with_its_section() {
    let t = load(&base()).unwrap();
    let fo = t.finance.as_ref().unwrap();
    assert_eq!(fo.policies.len(), 1);
    assert_eq!(fo.mappings.len(), 3);
}

#[test]
fn unknown_fo_role_user_table_relationship() {
    fails("users[0].roles[1]", |s| s["users"][0]["roles"].as_array_mut().unwrap().push("Nope".into()), &["`Nope`"]);
    fails("user_mappings[3][1]", |s| s["user_mappings"].as_array_mut().unwrap().push(serde_json::json!(["C-ivy", "ghost"])), &["`ghost`"]);
    fails("user_mappings[3][0]", |s| s["user_mappings"].as_array_mut().unwrap().push(serde_json::json!(["C-none", "lee.p"])), &["`C-none`"]);
    fails("anonymous_user", |s| s["anonymous_user"] = "ghost".into(), &["`ghost`"]);
    fails("virtual_tables[0]", |s| s["virtual_tables"] = serde_json::json!(["mserp_nothing"]), &["`mserp_nothing`"]);
    fails(
        "roles[0].entity_privileges[0].table",
        |s| s["roles"][0]["entity_privileges"][0]["table"] = "mserp_nothing".into(),
        &["`mserp_nothing`"],
    );
    fails("xds_policies[0].roles[0]", |s| s["xds_policies"][0]["roles"][0] = "Nope".into(), &["`Nope`"]);
    fails("xds_policies[0].primary_table", |s| s["xds_policies"][0]["primary_table"] = "nothing".into(), &["`nothing`"]);
    fails(
        "xds_policies[0].constrained_tables[1].path[0]",
        |s| s["xds_policies"][0]["constrained_tables"][1]["path"][0] = "nope".into(),
        &["relationship `nope` does not exist"],
    );
    fails("xds_policies[0].user_link.relationship", |s| s["xds_policies"][0]["user_link"]["relationship"] = "nope".into(), &["`nope`"]);
}

#[test]
fn user_column_missing_from_link_rows() {
    fails(
        "xds_policies[0].user_link.user_column",
        |s| s["xds_policies"][0]["user_link"]["user_column"] = "mserp_userid".into(),
        &["`mserp_userid` is missing", "`VU-1`"],
    );
}

#[test]
fn operation_not_in_the_list() {
    fails("xds_policies[0].operations[0]", |s| s["xds_policies"][0]["operations"][0] = "write".into(), &["`write`"]);
    fails(
        "roles[0].entity_privileges[1].privileges[0]",
        |s| s["roles"][0]["entity_privileges"][1]["privileges"][0] = "select".into(),
        &["`select`"],
    );
}

#[test]
fn path_step_that_does_not_join_names_the_step() {
    fails(
        "xds_policies[0].constrained_tables[1].path[1]",
        |s| s["xds_policies"][0]["constrained_tables"][1]["path"][1] = "mserp_poline_po".into(),
        &["step 2", "`mserp_poline_po`", "does not join"],
    );
    fails(
        "xds_policies[0].constrained_tables[0].path[0]",
        |s| s["xds_policies"][0]["constrained_tables"][0]["path"][0] = "contact_mserp_vendor".into(),
        &["step 1", "does not join"],
    );
    fails(
        "xds_policies[0].user_link.relationship",
        |s| s["xds_policies"][0]["user_link"]["relationship"] = "mserp_po_vendor".into(),
        &["does not join the link table"],
    );
}

#[test]
fn unknown_keys_and_duplicate_ids() {
    let mut t = base();
    t["finance_operations"]["extra"] = 1.into();
    assert!(load(&t).unwrap_err().contains("`finance_operations.extra`"));
    fails("users[1].id", |s| s["users"][1]["id"] = "nina.o".into(), &["`nina.o`"]);
    fails("xds_policies[1].id", |s| {
        let p = s["xds_policies"][0].clone();
        s["xds_policies"].as_array_mut().unwrap().push(p)
    }, &["`VendorSeesOwnData`"]);
}

#[test]
fn folder_reads_finance_operations_json_and_reports_errors_there() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    std::fs::create_dir_all(site.join("web-roles")).unwrap();
    std::fs::write(site.join("web-roles/vendors.webrole.yml"), "adx_webroleid: R-vendor\nadx_name: Vendors\n").unwrap();
    let mut section = base()["finance_operations"].clone();
    // No rows in this folder: a policy on them names nothing.
    section["xds_policies"] = serde_json::json!([]);
    section["user_mappings"] = serde_json::json!([]);
    section["roles"][0]["entity_privileges"] = serde_json::json!([]);
    let file = dir.path().join("finance-operations.json");
    std::fs::write(&file, section.to_string()).unwrap();
    let t = portal_access::model::load(dir.path()).unwrap();
    assert_eq!(t.finance.as_ref().unwrap().users.len(), 3);
    section["users"][0]["roles"][0] = "Nope".into();
    std::fs::write(&file, section.to_string()).unwrap();
    let err = portal_access::model::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("finance-operations.json: at `users[0].roles[0]`"), "{err}");
}
