//! `lint --format sarif` validates against the OASIS SARIF 2.1.0 JSON schema
//! (`tests/data/sarif-schema-2.1.0.json`), formats included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod folder_support;

use folder_support::{bin, repo};
use serde_json::Value;

fn validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo("tests/data/sarif-schema-2.1.0.json")).unwrap();
    let mut schema: Value = serde_json::from_str(&text).unwrap();
    // The published file nests the region's `anyOf` (at least one of
    // startLine, charOffset, byteOffset) inside `properties`, where the
    // draft 2020-12 meta-schema rejects it; put it where it was meant to be.
    let region = schema["definitions"]["region"].as_object_mut().unwrap();
    let any_of = region["properties"].as_object_mut().unwrap().remove("anyOf").unwrap();
    region.insert("anyOf".to_string(), any_of);
    jsonschema::options().should_validate_formats(true).build(&schema).unwrap()
}

fn sarif(tenant: &str) -> Value {
    let out = bin().args(["lint", tenant, "--format", "sarif"]).current_dir(repo("")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn assert_valid(log: &Value) {
    let v = validator();
    let errors: Vec<String> = v.iter_errors(log).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_of_a_site_folder_is_valid_and_points_at_the_permission_file() {
    let log = sarif("tests/fixtures/sites/dfe-central-portal");
    assert_valid(&log);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let expected: Vec<&str> = portal_access::answer::lint::RULES.iter().map(|r| r.id).collect();
    assert!(ids.len() >= 26 && ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    assert_eq!(ids, expected, "one rule per id");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 13);
    let first = &results[0];
    assert_eq!(first["ruleId"], "PP001");
    assert_eq!(first["ruleIndex"], 0);
    assert_eq!(first["level"], "error");
    let loc = &first["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "tests/fixtures/sites/dfe-central-portal/table-permissions/%5BTO-BE-DELETED%5DGetActiveContacts.tablepermission.yml"
    );
    assert_eq!(loc["region"]["startLine"], 1);
    assert_eq!(results[1]["level"], "warning");
}

#[test]
fn sarif_of_a_native_file_is_valid_and_uses_the_permission_line() {
    let log = sarif("examples/customer-service.json");
    assert_valid(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let pp004 = results.iter().find(|r| r["ruleId"] == "PP004").unwrap();
    let loc = &pp004["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "examples/customer-service.json");
    // `"id": "TP-case-note"` is on this line of the example file.
    let text = std::fs::read_to_string(repo("examples/customer-service.json")).unwrap();
    let line = text.lines().position(|l| l.contains("\"TP-case-note\"") && l.contains("\"id\"")).unwrap() + 1;
    assert_eq!(loc["region"]["startLine"], line);
    assert_eq!(pp004["level"], "warning");
}

#[test]
fn sarif_without_findings_is_valid() {
    let log = sarif("tests/fixtures/sites/credit-cards-website-code-site");
    assert_valid(&log);
    let dir = folder_support::folder(&[("site/webrole.yml", "- adx_name: R\n  adx_webroleid: R1\n")]);
    let out = bin().args(["lint"]).arg(dir.path()).args(["--format", "sarif"]).output().unwrap();
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn schema_check_catches_an_invalid_log() {
    // The validator is not vacuous: a wrong level, a missing message and a bad URI fail.
    let mut log = sarif("tests/fixtures/sites/credit-cards-website-code-site");
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["level"] = Value::from("severe");
    assert!(validator().iter_errors(&bad).next().is_some());
    let mut bad = log.clone();
    bad["runs"][0]["results"][0].as_object_mut().unwrap().remove("message");
    assert!(validator().iter_errors(&bad).next().is_some());
    // Formats are checked too: an unencoded space and brackets are no URI reference.
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = Value::from("a b/[x].yml");
    assert!(validator().iter_errors(&log).next().is_some());
}

#[test]
fn sarif_locates_the_new_site_findings_at_their_file_and_line() {
    let roles = "- adx_webroleid: A1\n  adx_name: Anonymous Users\n  adx_anonymoususersrole: true\n- adx_webroleid: A2\n  adx_name: Guests\n  adx_anonymoususersrole: true\n";
    let perm = "adx_entitypermissionid: TP1\nadx_entitylogicalname: cr_quote\nadx_scope: 756150000\nadx_read: true\nadx_create: true\nadx_entitypermission_webrole:\n- A1\n- R-gone\n";
    let orphan = "adx_entitypermissionid: TP2\nadx_entitylogicalname: cr_line\nadx_scope: 756150003\nadx_parententitypermission: TP-gone\nadx_parentrelationship: x\n";
    let rules = "- adx_webpageaccesscontrolruleid: W1\n  adx_right: 2\n  adx_webpageid: P1\n  adx_webpageaccesscontrolrule_webrole: [A1]\n";
    let profile = "adx_columnpermissionprofileid: CP1\nadx_tablename: cr_quote\n";
    let template = "{% fetchxml q %}\n<condition attribute=\"ownerid\" operator=\"eq-userid\" />\n{% endfetchxml %}\n";
    let dir = folder_support::folder(&[
        ("site/webrole.yml", roles),
        ("site/table-permissions/a.tablepermission.yml", perm),
        ("site/table-permissions/b.tablepermission.yml", orphan),
        ("site/table-permissions/c.tablepermission.yml", "adx_entitypermissionid: TP3\nadx_entitylogicalname: cr_catalogue\nadx_scope: 756150000\nadx_read: true\nadx_entitypermission_webrole: [A2]\n"),
        ("site/webpagerule.yml", rules),
        ("site/column-permission-profiles/p/p.columnpermissionprofile.yml", profile),
        ("site/web-templates/t/t.webtemplate.source.html", template),
    ]);
    let out = bin().args(["lint"]).arg(dir.path()).args(["--format", "sarif"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let site = dir.path().join("site");
    let mut seen = std::collections::BTreeMap::new();
    for r in results {
        let id = r["ruleId"].as_str().unwrap().to_string();
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap().to_string();
        seen.insert(id, (uri, loc["region"]["startLine"].as_u64().unwrap()));
    }
    let expect = [
        ("PP022", "table-permissions/a.tablepermission.yml", 1),
        ("PP023", "table-permissions/c.tablepermission.yml", 1),
        ("PP024", "webrole.yml", 4),
        ("PP025", "table-permissions/b.tablepermission.yml", 4),
        ("PP026", "table-permissions/a.tablepermission.yml", 8),
        ("PP027", "webpagerule.yml", 1),
        ("PP028", "column-permission-profiles/p/p.columnpermissionprofile.yml", 1),
        ("PP029", "web-templates/t/t.webtemplate.source.html", 2),
    ];
    for (id, file, line) in expect {
        let (uri, got) = seen.get(id).unwrap_or_else(|| panic!("{id} missing: {seen:#?}"));
        let wanted = portal_access::answer::sarif::path_uri(&site.join(file).display().to_string());
        assert_eq!((uri.as_str(), *got), (wanted.as_str(), line), "{id}");
    }
}

/// PP017 to PP021 point at the setting, permission or component they are
/// about, not at the site folder (issue 24).
#[test]
fn sarif_locates_setting_findings_at_the_setting() {
    let roles = "- adx_webroleid: A1\n  adx_name: Anonymous Users\n  adx_anonymoususersrole: true\n- adx_webroleid: U1\n  adx_name: Authenticated Users\n  adx_authenticatedusersrole: true\n";
    let quotes = "adx_entitypermissionid: TP1\nadx_entitylogicalname: cr_quote\nadx_scope: 756150000\nadx_read: true\nadx_entitypermission_webrole:\n- A1\n";
    let contacts = "adx_entitypermissionid: TP2\nadx_entitylogicalname: contact\nadx_scope: 756150000\nadx_read: true\nadx_entitypermission_webrole:\n- U1\n";
    let settings = "- adx_name: Authentication/Registration/Enabled\n  adx_value: true\n- adx_name: Webapi/cr_quote/enabled\n  adx_value: true\n- adx_name: Webapi/cr_quote/fields\n  adx_value: '*'\n- adx_name: Webapi/cr_note/fields\n  adx_value: a,b\n";
    let dir = folder_support::folder(&[
        ("site/webrole.yml", roles),
        ("site/table-permissions/a.tablepermission.yml", quotes),
        ("site/table-permissions/b.tablepermission.yml", contacts),
        ("site/sitesetting.yml", settings),
        ("site/lists/a.list.yml", "adx_entitylistid: L1\nadx_name: Quotes\nadx_entityname: cr_quote\nadx_entitypermissionsenabled: false\n"),
    ]);
    let out = bin().args(["lint"]).arg(dir.path()).args(["--format", "sarif"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&log);
    let site = dir.path().join("site");
    let mut seen = std::collections::BTreeSet::new();
    for r in log["runs"][0]["results"].as_array().unwrap() {
        let loc = &r["locations"][0]["physicalLocation"];
        seen.insert((
            r["ruleId"].as_str().unwrap().to_string(),
            loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
            loc["region"]["startLine"].as_u64().unwrap_or(0),
        ));
    }
    let uri = |f: &str| portal_access::answer::sarif::path_uri(&site.join(f).display().to_string());
    for (id, file, line) in [
        ("PP017", "sitesetting.yml", 3),
        ("PP018", "sitesetting.yml", 5),
        ("PP019", "sitesetting.yml", 7),
        ("PP020", "table-permissions/b.tablepermission.yml", 1),
        ("PP021", "lists/a.list.yml", 1),
    ] {
        assert!(seen.contains(&(id.to_string(), uri(file), line)), "{id} at {file}:{line}: {seen:#?}");
    }
}
