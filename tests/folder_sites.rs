//! The two real `pac pages download` folders in `tests/fixtures/sites/`
//! load as configuration-only tenants, and lint reports what is wrong with
//! them (checked by reading their permission files by hand).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod folder_support;

use folder_support::{bin, pairs, repo};
use portal_access::answer::lint::{self, Severity};
use portal_access::model::Scope;

const DFE: &str = "tests/fixtures/sites/dfe-central-portal";
const CARDS: &str = "tests/fixtures/sites/credit-cards-website-code-site";

const DFE_ANON_ROLE: &str = "2dadaed1-626f-ef11-a670-002248a430ac";
const DFE_AUTH_ROLE: &str = "227532d4-626f-ef11-a670-7c1e522065e3";
/// `[TO-BE-DELETED]GetActiveContacts`: Global read on `contact` for Authenticated and Anonymous Users.
const DFE_GET_ACTIVE_CONTACTS: &str = "a5704b19-b787-ef11-ac20-002248a46a38";
/// `Contact-Permission`: Global read/write/create/append/append_to on `contact` for Authenticated Users.
const DFE_CONTACT_PERMISSION: &str = "23b35ea7-86a6-ef11-b8e9-000d3adb571a";
/// `Credit Card Application Table Permission - Authenticated`: Global read + create for Authenticated Users.
const CARDS_APPLICATION_AUTH: &str = "f18d3981-479f-4179-b8d7-4b1d1658423c";

#[test]
fn dfe_site_loads_as_a_configuration_only_tenant() {
    let t = portal_access::model::load(&repo(DFE)).unwrap();
    assert_eq!(t.permissions.len(), 29);
    assert_eq!(t.roles.len(), 3);
    assert_eq!(t.row_count(), 0, "no data/ folder: configuration only");
    let children: Vec<_> = t.permissions.iter().filter(|p| p.parent.is_some()).collect();
    assert_eq!(children.len(), 10);
    assert!(children.iter().all(|p| p.scope == Scope::Parent && p.roles.is_empty()));
    let selfs: Vec<_> = t.permissions.iter().filter(|p| p.scope == Scope::SelfScope).collect();
    assert_eq!(selfs.len(), 1);
    assert_eq!(t.tables[selfs[0].table as usize].name, "contact");
    let anon = &t.roles[t.role_id(DFE_ANON_ROLE).unwrap() as usize];
    assert!(anon.anonymous && !anon.authenticated && anon.name == "Anonymous Users");
    let auth = &t.roles[t.role_id(DFE_AUTH_ROLE).unwrap() as usize];
    assert!(auth.authenticated && !auth.anonymous);
    // Every relationship the site names is in the catalogue.
    assert!(t.permissions.iter().all(|p| p.scope_relationship().is_none_or(|r| r.id.is_some())));
    // Origins: the permission file and line 1.
    let p = &t.permissions[t.perm_id(DFE_GET_ACTIVE_CONTACTS).unwrap() as usize];
    let o = p.origin.as_ref().unwrap();
    assert!(o.file.ends_with("[TO-BE-DELETED]GetActiveContacts.tablepermission.yml"), "{}", o.file);
    assert_eq!(o.line, Some(1));
}

#[test]
fn dfe_lint_reports_anonymous_contact_read_and_global_contact_permissions() {
    let linted = lint::load(&repo(DFE)).unwrap();
    let report = linted.report();
    let mut got = pairs(&report.findings);
    got.sort();
    // PP001 and PP002 on contacts; anonymous creates on `lead` and
    // `feedback` (PP022) and anonymous reads of six configuration and
    // catalogue tables (PP023), checked by reading the permission files.
    let mut expected = vec![
        ("PP001".to_string(), DFE_GET_ACTIVE_CONTACTS.to_string()),
        ("PP002".to_string(), DFE_CONTACT_PERMISSION.to_string()),
        ("PP002".to_string(), DFE_GET_ACTIVE_CONTACTS.to_string()),
        // A11: no settings means registration open, so anyone who signs up
        // reads every contact through both Global permissions (PP020).
        ("PP020".to_string(), DFE_CONTACT_PERMISSION.to_string()),
        ("PP020".to_string(), DFE_GET_ACTIVE_CONTACTS.to_string()),
    ];
    for id in ["575bc7cb-626f-ef11-a671-0022489df671", "782ba0c8-626f-ef11-a670-002248a3bd1d"] {
        expected.push(("PP022".to_string(), id.to_string()));
    }
    for id in [
        "111fb3aa-6cb9-ef11-b8e8-002248a452f9",
        "46eef463-d3cd-ef11-b8e8-002248a452f9",
        "54eda33b-5bcf-ef11-b8e9-7c1e521fa723",
        "722ba0c8-626f-ef11-a670-002248a3bd1d",
        "742ba0c8-626f-ef11-a670-002248a3bd1d",
        "c3a94b39-1da1-ef11-8a6a-002248a46a38",
    ] {
        expected.push(("PP023".to_string(), id.to_string()));
    }
    assert_eq!(got, expected, "{}", report.text());
    let pp001 = &report.findings[0];
    assert_eq!(pp001.severity, Severity::Error);
    assert!(pp001.message.contains("anonymous visitors (role `Anonymous Users`) can read every row of `contact`"), "{}", pp001.message);
    let loc = pp001.location.as_ref().unwrap();
    assert!(loc.file.ends_with("table-permissions/[TO-BE-DELETED]GetActiveContacts.tablepermission.yml"));
    assert_eq!(loc.line, Some(1));
    // Contact-Permission also lets every contact write every contact.
    let write = report.findings.iter().find(|f| f.subject == DFE_CONTACT_PERMISSION).unwrap();
    assert!(write.message.contains("read (and write) every row of `contact`"), "{}", write.message);
}

#[test]
fn dfe_anonymous_create_tables_come_from_the_site() {
    let a = portal_access::Analysis::load(&repo(DFE)).unwrap();
    let create = a.what("anonymous", "create", None).unwrap();
    assert_eq!(create.tables.unwrap(), vec!["feedback", "lead"]);
    let read = a.what("anonymous", "read", None).unwrap();
    assert_eq!(read.rows.unwrap(), Vec::<String>::new(), "no rows in a configuration-only tenant");
}

#[test]
fn code_site_loads_with_unprefixed_keys_and_empty_parent_as_null() {
    let t = portal_access::model::load(&repo(CARDS)).unwrap();
    assert_eq!(t.permissions.len(), 3);
    assert_eq!(t.roles.len(), 4);
    assert_eq!(t.row_count(), 0);
    assert!(t.permissions.iter().all(|p| p.parent.is_none() && p.scope == Scope::Global));
    let p = &t.permissions[t.perm_id("1be8a6cd-aa6d-479a-aac5-dbdd452164b1").unwrap() as usize];
    assert_eq!(p.roles.len(), 4);
    assert_eq!(p.name, "Credit Card Table Permission");
    assert_eq!(t.tables[p.table as usize].name, "sample_creditcard");
}

#[test]
fn code_site_lint_reports_every_contact_reading_every_application() {
    let report = lint::load(&repo(CARDS)).unwrap().report();
    assert_eq!(
        pairs(&report.findings),
        vec![
            ("PP002".to_string(), CARDS_APPLICATION_AUTH.to_string()),
            // A11: registration open by default, so anyone who signs up reads every application.
            ("PP020".to_string(), CARDS_APPLICATION_AUTH.to_string()),
            ("PP023".to_string(), "1be8a6cd-aa6d-479a-aac5-dbdd452164b1".to_string())
        ],
        "{}",
        report.text()
    );
    let f = &report.findings[0];
    assert!(f.message.contains("every row of `sample_creditcardapplication`"), "{}", f.message);
    // The card catalogue is readable by anonymous visitors, but nobody submits
    // card rows, so it is not customer data: no PP001, and PP023 reports it.
    assert!(!report.findings.iter().any(|f| f.id == "PP001"));
    assert!(report.findings[2].message.contains("can read every row of `sample_creditcard`"), "{}", report.findings[2].message);
}

#[test]
fn deny_exit_codes_on_the_real_sites() {
    let run = |site: &str, deny: &str| bin().args(["lint", site, "--deny", deny]).current_dir(repo("")).output().unwrap();
    assert_eq!(run(DFE, "error").status.code(), Some(4));
    assert_eq!(run(CARDS, "error").status.code(), Some(4), "PP020: registration open by default (A11)");
    assert_eq!(run(CARDS, "warning").status.code(), Some(4));
    let plain = bin().args(["lint", DFE]).current_dir(repo("")).output().unwrap();
    assert_eq!(plain.status.code(), Some(0), "without --deny, findings do not fail the command");
    let text = String::from_utf8(plain.stdout).unwrap();
    assert!(text.ends_with("13 findings: 3 errors, 10 warnings, 0 info\n"), "{text}");
}

#[test]
fn lint_json_output_is_sorted_and_deterministic() {
    let run = || bin().args(["lint", DFE, "--json"]).current_dir(repo("")).output().unwrap();
    let a = run();
    let b = run();
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout);
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 13);
    for f in findings {
        for key in ["id", "severity", "subject", "message"] {
            assert!(f[key].is_string(), "{key} in {f}");
        }
    }
    assert_eq!(findings[0]["id"], "PP001");
    assert_eq!(findings[0]["severity"], "error");
    assert_eq!(findings[0]["location"]["line"], 1);
}
