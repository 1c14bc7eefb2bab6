//! Every load error of tenant-format.md ("Errors"), through the real binary:
//! exit code 2, nothing on standard output, and a message on standard error
//! that names the file and the JSON path of the offending value. Also bad
//! queries (unknown contact, row, privilege, table) and bad paths.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{example_path, run_bin, scratch_dir, tenant, write_tenant, TenantText};
use serde_json::{json, Value};

/// A small valid tenant that the cases below break one place at a time.
fn base() -> Value {
    tenant(json!({
        "relationships": [
            {"name": "contact_products", "kind": "many_to_many", "tables": ["contact", "product"]}
        ],
        "rows": {
            "account": [{"id": "A1"}],
            "contact": [{"id": "C1", "parentcustomerid": "A1"}, {"id": "C2"}],
            "incident": [{"id": "I1", "customerid": "C1"}],
            "product": [{"id": "P1"}]
        },
        "associations": {"contact_products": [["C1", "P1"]]},
        "web_roles": [
            {"id": "RU", "name": "Authenticated Users", "authenticated_users": true},
            {"id": "R", "name": "Members"}
        ],
        "role_members": {"contacts": [["C1", "R"]], "accounts": [["A1", "R"]]},
        "table_permissions": [
            {"id": "TP1", "name": "cases", "table": "incident", "scope": "contact",
             "contact_relationship": "incident_customer_contacts", "privileges": ["read"], "web_roles": ["RU"]},
            {"id": "TP2", "name": "products", "table": "product", "scope": "global",
             "privileges": ["read"], "web_roles": ["R"]}
        ]
    }))
}

/// `base()` with one edit.
fn with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut t = base();
    edit(&mut t);
    t
}

/// Runs `grants` on the tenant and asserts a load failure: exit 2, empty
/// stdout, stderr naming the file, every `needles` fragment in it.
fn fails<T: TenantText + ?Sized>(name: &str, t: &T, needles: &[&str]) {
    let path = write_tenant(&format!("{name}.json"), t);
    let file = path.to_str().unwrap();
    for cmd in [&["grants", file][..], &["can", file, "C1", "read", "incident:I1", "--json"][..]] {
        let (code, out, err) = run_bin(cmd);
        assert_eq!(code, 2, "{name}: exit {code}, stderr: {err}\n{}", t.text());
        assert!(out.is_empty(), "{name}: printed on stdout: {out}");
        assert!(err.contains(file), "{name}: stderr does not name the file: {err}");
        for n in needles {
            assert!(err.contains(n), "{name}: stderr lacks {n:?}: {err}");
        }
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

/// The JSON path as the message shows it.
fn at(path: &str) -> String {
    format!("`{path}`")
}

#[test]
fn base_tenant_loads() {
    let path = write_tenant("base.json", &base());
    let (code, out, err) = run_bin(&["can", path.to_str().unwrap(), "C1", "read", "incident:I1", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"allowed\":true"), "{out}");
}

// ------------------------------------------------------------ JSON syntax

#[test]
fn invalid_json_is_rejected_with_line_and_column() {
    let good = base().to_string();
    let cases: Vec<(&str, String)> = vec![
        ("unterminated", good[..good.len() - 1].to_string()),
        ("trailing-garbage", format!("{good} x")),
        ("trailing-comma", good.replacen("\"rows\"", ",\"rows\"", 1).replacen("{,", "{", 1).replacen("]},", "]},,", 1)),
        ("not-json", "format: portal-access/tenant@1".to_string()),
        ("empty", String::new()),
        ("single-quotes", "{'format': 'portal-access/tenant@1'}".to_string()),
    ];
    for (name, text) in cases {
        fails(name, text.as_str(), &["line "]);
    }
}

#[test]
fn invalid_utf8_is_rejected() {
    let path = scratch_dir("utf8").join("bad.json");
    let mut bytes = br#"{"format": "portal-access/tenant@1", "rows": {"contact": [{"id": ""#.to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(br#""}]}}"#);
    std::fs::write(&path, bytes).unwrap();
    let file = path.to_str().unwrap();
    let (code, out, err) = run_bin(&["grants", file]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains(file) && err.contains("UTF-8"), "{err}");
}

#[test]
fn deep_nesting_is_rejected_without_crashing() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let text = format!(r#"{{"format": "portal-access/tenant@1", "rows": {{"contact": [{{"id": "C1", "x": {deep}}}]}}}}"#);
    fails("deep", text.as_str(), &["recursion limit"]);
}

// ------------------------------------------------------------ wrong types

#[test]
fn wrong_types_name_the_json_path() {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("format-number", with(|t| t["format"] = json!(1)), "format"),
        ("relationships-object", with(|t| t["relationships"] = json!({})), "relationships"),
        ("relationship-kind-number", with(|t| t["relationships"][0]["kind"] = json!(5)), "relationships[0].kind"),
        ("relationship-tables-string", with(|t| t["relationships"][0]["tables"] = json!("contact")), "relationships[0].tables"),
        ("rows-array", with(|t| t["rows"] = json!([])), "rows"),
        ("table-object", with(|t| t["rows"]["contact"] = json!({})), "rows.contact"),
        ("row-string", with(|t| t["rows"]["contact"][1] = json!("C2")), "rows.contact[1]"),
        ("row-id-number", with(|t| t["rows"]["contact"][1]["id"] = json!(2)), "rows.contact[1].id"),
        ("row-id-null", with(|t| t["rows"]["contact"][1]["id"] = json!(null)), "rows.contact[1].id"),
        ("lookup-number", with(|t| t["rows"]["incident"][0]["customerid"] = json!(5)), "rows.incident[0].customerid"),
        ("lookup-object", with(|t| t["rows"]["incident"][0]["customerid"] = json!({"id": "C1"})), "rows.incident[0].customerid"),
        ("lookup-array", with(|t| t["rows"]["contact"][0]["parentcustomerid"] = json!(["A1"])), "rows.contact[0].parentcustomerid"),
        ("associations-array", with(|t| t["associations"] = json!([])), "associations"),
        ("association-pairs-object", with(|t| t["associations"]["contact_products"] = json!({})), "associations.contact_products"),
        ("association-pair-short", with(|t| t["associations"]["contact_products"][0] = json!(["C1"])), "associations.contact_products[0]"),
        ("association-pair-numbers", with(|t| t["associations"]["contact_products"][0] = json!([1, 2])), "associations.contact_products[0]"),
        // Far into a long list (pairs are resolved in runs and batches): the
        // first bad pair's own position.
        ("association-pair-late", with(|t| {
            let mut pairs: Vec<Value> = (0..70_000).map(|i| json!([format!("C{}", i % 2 + 1), "P1"])).collect();
            pairs[66_000] = json!(["C1", 3]);
            pairs[69_999] = json!([]);
            t["associations"]["contact_products"] = Value::Array(pairs);
        }), "associations.contact_products[66000]"),
        ("web-roles-object", with(|t| t["web_roles"] = json!({})), "web_roles"),
        ("role-id-number", with(|t| t["web_roles"][1]["id"] = json!(7)), "web_roles[1].id"),
        ("role-active-string", with(|t| t["web_roles"][1]["active"] = json!("yes")), "web_roles[1].active"),
        ("role-anonymous-number", with(|t| t["web_roles"][1]["anonymous_users"] = json!(1)), "web_roles[1].anonymous_users"),
        ("role-members-array", with(|t| t["role_members"] = json!([])), "role_members"),
        ("member-pair-short", with(|t| t["role_members"]["contacts"][0] = json!(["C1"])), "role_members.contacts[0]"),
        ("member-pair-string", with(|t| t["role_members"]["accounts"][0] = json!("A1")), "role_members.accounts[0]"),
        ("member-id-number", with(|t| t["role_members"]["contacts"][0] = json!([1, "R"])), "role_members.contacts[0][0]"),
        ("permissions-object", with(|t| t["table_permissions"] = json!({})), "table_permissions"),
        ("permission-id-number", with(|t| t["table_permissions"][1]["id"] = json!(2)), "table_permissions[1].id"),
        ("permission-table-array", with(|t| t["table_permissions"][1]["table"] = json!(["product"])), "table_permissions[1].table"),
        ("privileges-string", with(|t| t["table_permissions"][1]["privileges"] = json!("read")), "table_permissions[1].privileges"),
        ("privilege-number", with(|t| t["table_permissions"][1]["privileges"] = json!(["read", 2])), "table_permissions[1].privileges[1]"),
        ("permission-roles-string", with(|t| t["table_permissions"][1]["web_roles"] = json!("R")), "table_permissions[1].web_roles"),
        ("permission-parent-number", with(|t| t["table_permissions"][1]["parent"] = json!(1)), "table_permissions[1].parent"),
        ("permission-active-null", with(|t| t["table_permissions"][1]["active"] = json!(null)), "table_permissions[1].active"),
        ("scope-bool", with(|t| t["table_permissions"][1]["scope"] = json!(true)), "table_permissions[1].scope"),
        ("scope-null", with(|t| t["table_permissions"][1]["scope"] = json!(null)), "table_permissions[1].scope"),
    ];
    for (name, t, path) in cases {
        fails(name, &t, &[&at(path)]);
    }
}

/// serde's derived structs also accept a JSON array of the fields in order;
/// the tenant format does not: an array where an object belongs is a wrong
/// type, and must never load (it would grant silently).
#[test]
fn array_in_place_of_object_is_wrong_type() {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("role-as-array", with(|t| t["web_roles"][1] = json!(["R", "Members", true])), "web_roles[1]"),
        ("permission-as-array", with(|t| {
            t["table_permissions"][1] = json!(["TP2", "products", "product", "global", ["read"], ["R"]]);
        }), "table_permissions[1]"),
        ("relationship-as-array", with(|t| {
            t["relationships"][0] = json!(["contact_products", "many_to_many", null, null, null, ["contact", "product"]]);
        }), "relationships[0]"),
        ("members-as-array", with(|t| t["role_members"] = json!([[["C1", "R"]], []])), "role_members"),
    ];
    for (name, t, path) in cases {
        fails(name, &t, &[&at(path), "invalid type"]);
    }
    // The whole document as an array.
    fails("tenant-as-array", r#"["portal-access/tenant@1"]"#, &["top level", "invalid type"]);
    fails("tenant-as-string", r#""portal-access/tenant@1""#, &["top level", "invalid type"]);
}

/// Messages name no Rust types (CONVENTIONS.md, cedar's style).
#[test]
fn wrong_type_messages_name_no_rust_types() {
    for (name, t) in [
        ("tenant-array", json!([1]).to_string()),
        ("role-string", with(|t| t["web_roles"][0] = json!("RU")).to_string()),
        ("permission-number", with(|t| t["table_permissions"][0] = json!(3)).to_string()),
        ("relationship-null", with(|t| t["relationships"][0] = json!(null)).to_string()),
        ("members-string", with(|t| t["role_members"] = json!("x")).to_string()),
    ] {
        let path = write_tenant(&format!("{name}.json"), t.as_str());
        let (code, _, err) = run_bin(&["grants", path.to_str().unwrap()]);
        assert_eq!(code, 2);
        for rust in ["RawTenant", "RawRole", "RawPermission", "RawRelationship", "RawMembers", "struct "] {
            assert!(!err.contains(rust), "{name}: {err}");
        }
    }
}

// ------------------------------------------------------------ unknown keys

#[test]
fn unknown_keys_are_rejected() {
    let cases: Vec<(&str, Value, &str)> = vec![
        ("top-level", with(|t| t["roles"] = json!([])), "roles"),
        ("relationship", with(|t| t["relationships"][0]["cardinality"] = json!("n:n")), "relationships[0].cardinality"),
        ("web-role", with(|t| t["web_roles"][0]["colour"] = json!("red")), "web_roles[0].colour"),
        ("role-members", with(|t| t["role_members"]["teams"] = json!([])), "role_members.teams"),
        ("table-permission", with(|t| t["table_permissions"][0]["scop"] = json!("global")), "table_permissions[0].scop"),
        ("permission-misspelled-roles", with(|t| t["table_permissions"][1]["webroles"] = json!(["R"])), "table_permissions[1].webroles"),
    ];
    for (name, t, path) in cases {
        fails(name, &t, &[&at(path), "unknown field"]);
    }
}

/// Row objects may carry any columns (data columns are kept, never
/// interpreted), whatever their names or values.
#[test]
fn row_objects_may_carry_any_columns() {
    let t = with(|t| {
        t["rows"]["contact"][1] = json!({
            "id": "C2", "fullname": "Bo", "age": 41, "vip": true, "tags": ["a", {"b": null}],
            "address": {"city": "Oslo", "lines": [1, 2]}, "nothing": null,
            "format": "not the tenant format", "scope": 5, "customerid": 9, "objectid": {"x": 1},
            "web_roles": "R"
        });
        t["rows"]["knowledgearticle"] = json!([{"id": "K1", "parentcustomerid": 3, "éè": "ü"}]);
    });
    let path = write_tenant("columns.json", &t);
    let (code, out, err) = run_bin(&["who", path.to_str().unwrap(), "read", "product:P1", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"contacts\":[\"C1\"]"), "{out}");
}

// ------------------------------------------------------------ missing fields

#[test]
fn missing_required_fields() {
    let drop = |pointer: &'static str, key: &'static str| {
        with(move |t| {
            t.pointer_mut(pointer).unwrap().as_object_mut().unwrap().remove(key);
        })
    };
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        ("format", drop("", "format"), vec!["top level", "`format`"]),
        ("role-id", drop("/web_roles/1", "id"), vec!["`web_roles[1]`", "`id`"]),
        ("permission-id", drop("/table_permissions/1", "id"), vec!["`table_permissions[1]`", "`id`"]),
        ("permission-table", drop("/table_permissions/1", "table"), vec!["`table_permissions[1]`", "`table`"]),
        ("permission-scope", drop("/table_permissions/1", "scope"), vec!["`table_permissions[1]`", "`scope`"]),
        ("contact-relationship", drop("/table_permissions/0", "contact_relationship"),
            vec!["`table_permissions[0].contact_relationship`"]),
        ("relationship-name", drop("/relationships/0", "name"), vec!["`relationships[0]`", "`name`"]),
        ("relationship-tables", drop("/relationships/0", "tables"), vec!["`relationships[0].tables`"]),
        ("row-id", drop("/rows/contact/1", "id"), vec!["`rows.contact[1]`", "`id`"]),
        ("account-relationship", with(|t| {
            t["table_permissions"][1] = json!({"id": "TP2", "table": "incident", "scope": "account", "privileges": ["read"]});
        }), vec!["`table_permissions[1].account_relationship`"]),
        ("parent", with(|t| {
            t["table_permissions"][1] = json!({"id": "TP2", "table": "annotation", "scope": "parent",
                "parent_relationship": "Incident_Annotation"});
        }), vec!["`table_permissions[1].parent`"]),
        ("parent-relationship", with(|t| {
            t["table_permissions"][1] = json!({"id": "TP2", "table": "annotation", "scope": "parent", "parent": "TP1"});
        }), vec!["`table_permissions[1].parent_relationship`"]),
        ("one-to-many-lookup", with(|t| {
            t["relationships"][0] = json!({"name": "x", "referencing": "incident", "referenced": "contact"});
        }), vec!["`relationships[0]`", "`lookup`"]),
        ("one-to-many-referenced", with(|t| {
            t["relationships"][0] = json!({"name": "x", "referencing": "incident", "lookup": "y", "kind": "one_to_many"});
        }), vec!["`relationships[0]`", "`referenced`"]),
        ("empty-permission-id", with(|t| t["table_permissions"][1]["id"] = json!("")), vec!["`table_permissions[1].id`"]),
        ("empty-role-id", with(|t| t["web_roles"][1]["id"] = json!("")), vec!["`web_roles[1].id`"]),
        ("empty-table", with(|t| t["table_permissions"][1]["table"] = json!("")), vec!["`table_permissions[1].table`"]),
        ("empty-relationship-name", with(|t| t["relationships"][0]["name"] = json!("")), vec!["`relationships[0].name`"]),
    ];
    for (name, t, needles) in cases {
        fails(name, &t, &needles);
    }
}

/// Ambiguity decided: `name`, `privileges` and `web_roles` of a permission,
/// `name` of a role and whole sections may be left out (empty); a
/// relationship field that the permission's scope does not use is ignored,
/// even when it names nothing, as `parent_relationship` is "ignored
/// otherwise" in tenant-format.md.
#[test]
fn optional_fields_may_be_left_out() {
    let t = tenant(json!({
        "rows": {"contact": [{"id": "C1"}], "incident": [{"id": "I1"}]},
        "web_roles": [{"id": "RU", "authenticated_users": true}],
        "table_permissions": [
            {"id": "TP1", "table": "incident", "scope": "global", "web_roles": ["RU"], "privileges": ["read"],
             "contact_relationship": "no_such_relationship", "account_relationship": "nor_this",
             "parent_relationship": "nor_that", "parent": null},
            {"id": "TP2", "table": "incident", "scope": "custom"}
        ]
    }));
    let path = write_tenant("optional.json", &t);
    let (code, out, err) = run_bin(&["who", path.to_str().unwrap(), "read", "incident:I1", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"contacts\":[\"C1\"]"), "{out}");
    let path = write_tenant("minimal.json", &tenant(json!({})));
    assert_eq!(run_bin(&["grants", path.to_str().unwrap()]).0, 0);
}

// ------------------------------------------------------------ duplicates

#[test]
fn duplicate_ids_are_rejected() {
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        ("role", with(|t| t["web_roles"][1]["id"] = json!("RU")), vec!["`web_roles[1].id`", "`RU`"]),
        ("permission", with(|t| t["table_permissions"][1]["id"] = json!("TP1")), vec!["`table_permissions[1].id`", "`TP1`"]),
        ("row", with(|t| t["rows"]["contact"][1]["id"] = json!("C1")), vec!["`rows.contact[1].id`", "`C1`"]),
        ("relationship", with(|t| {
            t["relationships"].as_array_mut().unwrap().push(json!({"name": "contact_products", "kind": "many_to_many",
                "tables": ["contact", "product"]}));
        }), vec!["`relationships[1].name`", "`contact_products`"]),
        ("field-in-role", Value::Null, vec!["`web_roles[0]`", "duplicate field"]),
        ("column-in-row", Value::Null, vec!["`rows.contact[0]`", "`name`"]),
        ("table-in-rows", Value::Null, vec!["`rows`", "`contact`"]),
    ];
    for (name, t, needles) in cases {
        let text = match name {
            // serde_json::Value cannot hold a duplicate key: write the text.
            "field-in-role" => base().to_string().replacen("\"id\":\"RU\"", "\"id\":\"RU\",\"id\":\"RX\"", 1),
            "column-in-row" => base().to_string().replacen("\"id\":\"C1\"", "\"id\":\"C1\",\"name\":1,\"name\":2", 1),
            "table-in-rows" => base().to_string().replacen("\"contact\":[", "\"contact\":[],\"contact\":[", 1),
            _ => t.to_string(),
        };
        fails(name, text.as_str(), &needles);
    }
}

/// The same row id in two different tables is fine, and a declaration named
/// like a catalogue relationship overrides it (tenant-format.md).
#[test]
fn same_id_in_two_tables_and_catalogue_override_load() {
    let t = with(|t| {
        t["rows"]["product"].as_array_mut().unwrap().push(json!({"id": "C1"}));
        t["relationships"].as_array_mut().unwrap().push(json!(
            {"name": "incident_customer_contacts", "referencing": "incident", "lookup": "customerid", "referenced": "contact"}
        ));
    });
    let path = write_tenant("override.json", &t);
    let (code, out, err) = run_bin(&["can", path.to_str().unwrap(), "C1", "read", "incident:I1", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"allowed\":true"), "{out}");
}

// ------------------------------------------------------------ references

#[test]
fn references_naming_nothing_are_rejected() {
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        ("permission-role", with(|t| t["table_permissions"][1]["web_roles"] = json!(["R", "R-gone"])),
            vec!["`table_permissions[1].web_roles[1]`", "`R-gone`"]),
        ("parent", with(|t| t["table_permissions"][1]["parent"] = json!("TP-gone")),
            vec!["`table_permissions[1].parent`", "`TP-gone`"]),
        ("contact-relationship", with(|t| t["table_permissions"][0]["contact_relationship"] = json!("rel_gone")),
            vec!["`table_permissions[0].contact_relationship`", "`rel_gone`"]),
        ("account-relationship", with(|t| {
            t["table_permissions"][1] = json!({"id": "TP2", "table": "incident", "scope": "account",
                "account_relationship": "rel_gone"});
        }), vec!["`table_permissions[1].account_relationship`", "`rel_gone`"]),
        ("parent-relationship", with(|t| {
            t["table_permissions"][1] = json!({"id": "TP2", "table": "annotation", "scope": "parent", "parent": "TP1",
                "parent_relationship": "rel_gone"});
        }), vec!["`table_permissions[1].parent_relationship`", "`rel_gone`"]),
        ("member-contact", with(|t| t["role_members"]["contacts"][0] = json!(["C9", "R"])),
            vec!["`role_members.contacts[0][0]`", "`C9`"]),
        ("member-contact-role", with(|t| t["role_members"]["contacts"][0] = json!(["C1", "R9"])),
            vec!["`role_members.contacts[0][1]`", "`R9`"]),
        // Far into a long list (memberships are resolved in runs and
        // batches): the first bad entry's own position, whatever comes after.
        ("member-contact-late", with(|t| {
            let mut members: Vec<Value> = (0..70_000).map(|i| json!([format!("C{}", i % 2 + 1), "R"])).collect();
            members[40_001] = json!(["C1", "R9"]);
            members[40_002] = json!(["C9", "R"]);
            members[69_000] = json!(["C8", "R"]);
            t["role_members"]["contacts"] = Value::Array(members);
        }), vec!["`role_members.contacts[40001][1]`", "`R9`"]),
        ("member-account", with(|t| t["role_members"]["accounts"][0] = json!(["A9", "R"])),
            vec!["`role_members.accounts[0][0]`", "`A9`"]),
        ("member-account-is-a-contact", with(|t| t["role_members"]["accounts"][0] = json!(["C1", "R"])),
            vec!["`role_members.accounts[0][0]`", "`C1`"]),
        ("member-account-role", with(|t| t["role_members"]["accounts"][0] = json!(["A1", "R9"])),
            vec!["`role_members.accounts[0][1]`", "`R9`"]),
        ("association-relationship", with(|t| t["associations"]["gone_products"] = json!([["C1", "P1"]])),
            vec!["`associations.gone_products`"]),
        ("association-on-one-to-many", with(|t| t["associations"]["incident_customer_contacts"] = json!([["I1", "C1"]])),
            vec!["`associations.incident_customer_contacts`", "many-to-many"]),
    ];
    for (name, t, needles) in cases {
        fails(name, &t, &needles);
    }
}

// ------------------------------------------------------------ scopes, privileges

#[test]
fn bad_scope_names_and_codes() {
    for (name, scope) in [
        ("word", json!("everyone")),
        ("capitalised", json!("Global")),
        ("empty", json!("")),
        ("code-out-of-range", json!(756150009)),
        ("small-code", json!(42)),
        ("negative-code", json!(-756150000)),
        ("fraction", json!(756150000.5)),
        ("array", json!(["global"])),
    ] {
        let t = with(|t| t["table_permissions"][1]["scope"] = scope);
        fails(&format!("scope-{name}"), &t, &["`table_permissions[1].scope`"]);
    }
}

/// The Dataverse scope codes stand for the scope names.
#[test]
fn scope_codes_are_accepted() {
    let t = tenant(json!({
        "rows": {
            "account": [{"id": "A1"}],
            "contact": [{"id": "C1", "parentcustomerid": "A1"}, {"id": "C2"}],
            "incident": [{"id": "I1", "customerid": "C1"}, {"id": "I2", "customerid": "A1"}],
            "annotation": [{"id": "N1", "objectid": "I1"}],
            "knowledgearticle": [{"id": "K1"}]
        },
        "web_roles": [{"id": "RU", "name": "auth", "authenticated_users": true}],
        "table_permissions": [
            {"id": "G", "table": "knowledgearticle", "scope": 756150000, "privileges": ["read"], "web_roles": ["RU"]},
            {"id": "C", "table": "incident", "scope": 756150001, "contact_relationship": "incident_customer_contacts",
             "privileges": ["read"], "web_roles": ["RU"]},
            {"id": "A", "table": "incident", "scope": 756150002, "account_relationship": "incident_customer_accounts",
             "privileges": ["write"], "web_roles": ["RU"]},
            {"id": "P", "table": "annotation", "scope": 756150003, "parent": "C",
             "parent_relationship": "Incident_Annotation", "privileges": ["read"]},
            {"id": "S", "table": "contact", "scope": 756150004, "privileges": ["read"], "web_roles": ["RU"]}
        ]
    }));
    let path = write_tenant("codes.json", &t);
    let file = path.to_str().unwrap();
    let (code, out, err) = run_bin(&["what", file, "C1", "read", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["rows"], json!(["annotation:N1", "contact:C1", "incident:I1", "knowledgearticle:K1"]));
    let (_, out, _) = run_bin(&["what", file, "C1", "write", "--json"]);
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["rows"], json!(["incident:I2"]));
}

#[test]
fn bad_privileges() {
    for (name, p) in [("typo", "readd"), ("capitalised", "Read"), ("empty", ""), ("dataverse-name", "appendto")] {
        let t = with(|t| t["table_permissions"][1]["privileges"] = json!(["read", p]));
        fails(&format!("privilege-{name}"), &t, &["`table_permissions[1].privileges[1]`", &format!("`{p}`")]);
    }
}

// ------------------------------------------------------------ cycles, S23, format

#[test]
fn parent_cycle_is_a_load_error() {
    let t = with(|t| {
        t["table_permissions"][0]["parent"] = json!("TP2");
        t["table_permissions"][1]["parent"] = json!("TP1");
    });
    fails("cycle", &t, &["`table_permissions[0].parent`", "cycle"]);
    let t = with(|t| t["table_permissions"][1]["parent"] = json!("TP2"));
    fails("self-parent", &t, &["`table_permissions[1].parent`", "cycle"]);
}

#[test]
fn ambiguous_polymorphic_lookup_is_a_load_error() {
    let t = with(|t| {
        t["rows"]["account"].as_array_mut().unwrap().push(json!({"id": "C1"}));
    });
    // Both C1's: the incident's customerid and nothing else names `C1`.
    fails("ambiguous", &t, &["`rows.incident[0].customerid`", "ambiguous", "`C1`"]);
}

#[test]
fn wrong_format_is_rejected() {
    for (name, f) in [("version", "portal-access/tenant@2"), ("empty", ""), ("other", "pac-pages")] {
        let t = with(|t| t["format"] = json!(f));
        fails(&format!("format-{name}"), &t, &["`format`", "portal-access/tenant@1"]);
    }
}

// ------------------------------------------------------------ files and queries

#[test]
fn missing_file_and_folder_exit_2() {
    let dir = scratch_dir("paths");
    let missing = dir.join("no-such-tenant.json");
    let missing = missing.to_str().unwrap();
    let folder = dir.to_str().unwrap();
    for file in [missing, folder] {
        for cmd in [
            vec!["can", file, "C1", "read", "incident:I1", "--json"],
            vec!["who", file, "read", "incident:I1"],
            vec!["what", file, "C1", "read"],
            vec!["grants", file],
        ] {
            let (code, out, err) = run_bin(&cmd);
            assert_eq!(code, 2, "{cmd:?}: {err}");
            assert!(out.is_empty(), "{cmd:?}: {out}");
            assert!(err.contains(file), "{cmd:?}: {err}");
        }
    }
}

#[test]
fn unknown_names_in_a_query_exit_2() {
    let file = example_path();
    let file = file.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["can", file, "C9", "read", "incident:I1"], "`C9`"),
        (vec!["can", file, "A1", "read", "incident:I1"], "`A1`"),
        (vec!["can", file, "C1", "reed", "incident:I1"], "`reed`"),
        (vec!["can", file, "C1", "read", "incident:I9"], "`incident:I9`"),
        (vec!["can", file, "C1", "read", "nosuchtable:I1"], "`nosuchtable`"),
        (vec!["can", file, "C1", "read", "incidentI1"], "`incidentI1`"),
        (vec!["can", file, "C1", "create", "nosuchtable"], "`nosuchtable`"),
        (vec!["who", file, "read", "incident:I9"], "`incident:I9`"),
        (vec!["who", file, "Read", "incident:I1"], "`Read`"),
        (vec!["what", file, "C9", "read"], "`C9`"),
        (vec!["what", file, "C1", "delete", "--table", "nosuchtable"], "`nosuchtable`"),
        (vec!["grants", file, "--table", "nosuchtable"], "`nosuchtable`"),
    ];
    for (mut cmd, needle) in cases {
        for json in [false, true] {
            if json && cmd[0] != "grants" {
                cmd.push("--json");
            }
            let (code, out, err) = run_bin(&cmd);
            assert_eq!(code, 2, "{cmd:?}: {err}");
            assert!(out.is_empty(), "{cmd:?}: {out}");
            assert!(err.contains(needle), "{cmd:?}: {err}");
        }
    }
}

#[test]
fn bad_usage_exits_2() {
    let file = example_path();
    let file = file.to_str().unwrap();
    for cmd in [
        vec![],
        vec!["can", file],
        vec!["nosuchcommand", file],
        vec!["grants", file, "--format", "xml"],
        vec!["what", file, "C1", "read", "--bogus"],
    ] {
        let (code, out, _) = run_bin(&cmd);
        assert_eq!(code, 2, "{cmd:?}");
        assert!(out.is_empty(), "{cmd:?}: {out}");
    }
}

/// No command writes to the tenant file, whether it loads or not.
#[test]
fn the_tenant_file_is_never_written() {
    let good = write_tenant("ro-good.json", &base());
    let bad = write_tenant("ro-bad.json", &with(|t| t["table_permissions"][1]["parent"] = json!("TP2")));
    for path in [good, bad] {
        let before = std::fs::read(&path).unwrap();
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        let file = path.to_str().unwrap();
        run_bin(&["grants", file]);
        run_bin(&["can", file, "C1", "read", "incident:I1", "--json"]);
        run_bin(&["what", file, "C1", "read"]);
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), modified);
    }
}
