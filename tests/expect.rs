//! `test TENANT FILE...` (expectations.md): every kind of expectation holds
//! or fails as the engine answers, failures carry expected, answered and
//! the `why`, coverage is right on the hand-checked example, the JUnit file
//! reads back with a JUnit parser, and the exit codes are 0, 4 and 2.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::run_bin;
use portal_access::answer::expect;
use portal_access::load::expectations::parse_expectations;
use portal_access::Analysis;
use serde_json::{json, Value};
use std::path::Path;

fn example(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn tenant() -> Analysis {
    Analysis::load(Path::new(&example("customer-service.json"))).unwrap()
}

/// Runs one file's text against the example tenant.
fn run(text: &str) -> expect::TestReport {
    let doc = parse_expectations(&format!("format: portal-access/expectations@1\nexpect:\n{text}"), "t.yaml").unwrap();
    expect::run(&tenant(), &[doc]).unwrap()
}

fn oks(r: &expect::TestReport) -> Vec<bool> {
    r.results.iter().map(|x| x.ok).collect()
}

#[test]
fn the_example_file_holds_and_its_coverage_is_the_hand_checked_one() {
    let (code, out, err) =
        run_bin(&["test", &example("customer-service.json"), &example("customer-service.expect.yaml"), "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!((v["passed"].clone(), v["failed"].clone()), (json!(13), json!(0)), "{out}");
    // Checked by hand against the tenant:
    // - TP-case-contact: via of `C1 read incident:I1` (and its table is constrained);
    // - TP-case-note: via of `C1 read annotation:N1` (the note of I1, under TP-case-contact);
    // - TP-comment: via of `C1 create adx_portalcomment` (a child grants create to its tree's holders);
    // - TP-case-account: grants C2, listed by `who read incident:I2`;
    // - TP-self: grants C1, listed by `who read contact:C1`; TP-acct-contacts grants C2 there;
    // - TP-kb-anon: via of `anonymous read knowledgearticle:K1`;
    // - TP-kb-auth: via of `newcomer read knowledgearticle:K1` (C9: the
    //   newcomer holds the authenticated users role).
    // No expectation touches the notes on comments (TP-comment-note).
    assert_eq!(
        v["covered"],
        json!(["TP-acct-contacts", "TP-case-account", "TP-case-contact", "TP-case-note", "TP-comment", "TP-kb-anon", "TP-kb-auth", "TP-self"])
    );
    assert_eq!(v["uncovered"], json!(["TP-comment-note"]));
    assert_eq!(v["coverage"], json!(88.89));
    let first = &v["results"][0];
    assert_eq!((first["file"].as_str().unwrap().ends_with(".yaml"), &first["index"], &first["kind"]), (true, &json!(1), &json!("can")));
    assert_eq!(first["answered"]["via"], json!(["TP-case-contact"]));
    // Below the minimum: exit 4; at it: 0.
    let args = |p: &str| {
        run_bin(&["test", &example("customer-service.json"), &example("customer-service.expect.yaml"), "--min-coverage", p]).0
    };
    assert_eq!(args("90"), 4);
    assert_eq!(args("88.89"), 0);
    // The readable report names the uncovered permissions by display name.
    let (_, text, _) = run_bin(&["test", &example("customer-service.json"), &example("customer-service.expect.yaml")]);
    assert!(text.contains("Notes on those comments (TP-comment-note)"), "{text}");
    assert!(text.contains("13 passed, 0 failed"), "{text}");
}

#[test]
fn can_holds_when_every_key_matches() {
    let r = run("  - can: C1 read incident:I1\n    allowed: true\n  - can: C1 read incident:I1\n    via: [TP-case-contact, TP-x]\n  - can: C3 read incident:I1\n    allowed: true\n  - can: C9 read incident:I1\n    allowed: false\n  - can: anonymous create lead\n    allowed: false\n");
    assert_eq!(oks(&r), [true, false, false, false, false]);
    // A missing contact and a missing table fail, naming them.
    assert!(r.results[3].answered["error"].as_str().unwrap().contains("`C9`"));
    assert!(r.results[4].answered["error"].as_str().unwrap().contains("`lead`"));
    // The failure's why is the engine's why (a denial with its reason).
    let why = &r.results[2].why[0];
    assert!(!why.can.allowed && why.reason.is_some());
}

#[test]
fn who_exact_includes_excludes_and_anonymous() {
    let r = run("  - who: read incident:I1\n    contacts: [C1]\n  - who: read incident:I1\n    contacts: [C1, C2]\n  - who: read contact:C1\n    includes: [C1]\n    excludes: [C2]\n  - who: read knowledgearticle:K1\n    anonymous: true\n    anyone: true\n  - who: read incident:I1\n    anonymous: true\n");
    assert_eq!(oks(&r), [true, false, false, true, false]);
    // The why of the contact in question: C2 is not granted I1.
    assert_eq!(r.results[1].why[0].can.visitor, "C2");
    assert_eq!(r.results[1].answered["contacts"], json!(["C1"]));
}

#[test]
fn never_by_visitor_class_privilege_and_table() {
    let r = run("  - never: {visitor: anonymous, table: incident}\n  - never: {visitor: anonymous}\n  - never: {visitor: contacts, privilege: delete}\n  - never: {visitor: contacts, privilege: write, table: incident}\n  - never: {visitor: C5, table: incident}\n  - never: {visitor: newcomer}\n");
    assert_eq!(oks(&r), [true, false, true, false, true, false]);
    // Anonymous reads the two articles: both named, counted.
    assert_eq!(r.results[1].answered["grants"], json!(2));
    assert_eq!(r.results[1].answered["first"][0], json!({"visitor": "anonymous", "privilege": "read", "row": "knowledgearticle:K1"}));
    assert!(r.results[1].why[0].can.allowed);
    // The example has no site settings, so registration is open (C8) and
    // the newcomer holds the authenticated users role (C9): it reads the
    // two articles through the signed-in contacts' Global permission.
    assert_eq!(r.results[5].answered["grants"], json!(2));
    assert_eq!(r.results[5].answered["first"][1], json!({"visitor": "newcomer", "privilege": "read", "row": "knowledgearticle:K2"}));
    assert_eq!((r.results[5].why[0].can.visitor.as_str(), &r.results[5].why[0].can.via), ("newcomer", &vec!["TP-kb-auth".to_string()]));
}

#[test]
fn anyone_is_the_anonymous_visitor_or_the_newcomer() {
    // C10: `anyone` counts both outsiders' grants; the newcomer alone
    // reads nothing on incident, and its Self-scope contact permission
    // admits it nothing (it has no row of its own).
    let r = run("  - never: {visitor: anyone, table: knowledgearticle}\n  - never: {visitor: newcomer, table: incident}\n  - never: {visitor: newcomer, table: contact}\n  - never: {visitor: newcomer, privilege: create}\n");
    assert_eq!(oks(&r), [false, true, true, true]);
    let first = &r.results[0].answered["first"];
    assert_eq!(r.results[0].answered["grants"], json!(4));
    assert_eq!((first[0]["visitor"].clone(), first[2]["visitor"].clone()), (json!("anonymous"), json!("newcomer")));
}

/// Runs one file's text against an example tenant.
fn run_on(tenant: &str, text: &str) -> expect::TestReport {
    let doc = parse_expectations(&format!("format: portal-access/expectations@1\nexpect:\n{text}"), "t.yaml").unwrap();
    expect::run(&Analysis::load(Path::new(&example(tenant))).unwrap(), &[doc]).unwrap()
}

/// The webapi example with its registration closed (C8).
fn closed_webapi(dir: &tempfile::TempDir) -> String {
    let mut t: Value = serde_json::from_str(&std::fs::read_to_string(example("customer-service-webapi.json")).unwrap()).unwrap();
    t["site_settings"].as_array_mut().unwrap().push(json!({"name": "Authentication/Registration/OpenRegistrationEnabled", "value": "False"}));
    let path = dir.path().join("closed.json");
    std::fs::write(&path, serde_json::to_string(&t).unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn the_newcomer_in_can_and_who_and_the_coverage_it_gives() {
    // The webapi example: the signed-in contacts' directory (TP-contacts-all,
    // Global, authenticated users) lets anyone who signs up read every contact.
    let text = "  - can: newcomer read contact:C3\n    allowed: true\n    via: [TP-contacts-all]\n  - who: read contact:C3\n    anonymous: false\n    newcomer: true\n    anyone: true\n  - who: read contact:C3\n    anyone: false\n  - who: read incident:I1\n    newcomer: true\n  - can: newcomer write contact:C3\n    allowed: true\n";
    let r = run_on("customer-service-webapi.json", text);
    assert_eq!(oks(&r), [true, true, false, false, false]);
    // `anyone: false` fails on the newcomer's grant: its why is the newcomer's.
    assert_eq!(r.results[2].answered["newcomer"], json!(true));
    assert_eq!(r.results[2].why.len(), 1);
    assert!(r.results[2].why[0].can.allowed && r.results[2].why[0].can.visitor == "newcomer");
    // `newcomer: true` on a case fails with the newcomer's denial.
    assert!(!r.results[3].why[0].can.allowed && r.results[3].why[0].reason.is_some());
    assert_eq!(r.results[4].answered["allowed"], json!(false));
    // Coverage: the newcomer's `can` that held covers its `via`; nothing else here does.
    assert_eq!(r.covered, ["TP-contacts-all"]);
    // Registration closed: the newcomer may do nothing (C8, C9).
    let dir = tempfile::tempdir().unwrap();
    let doc = parse_expectations(&format!("format: portal-access/expectations@1\nexpect:\n{text}  - never: {{visitor: newcomer}}\n"), "t.yaml").unwrap();
    let r = expect::run(&Analysis::load(Path::new(&closed_webapi(&dir))).unwrap(), &[doc]).unwrap();
    assert_eq!(oks(&r), [false, false, true, false, false, true]);
    assert!(r.results[0].why[0].reason.as_deref().unwrap().contains("registration is closed"), "{:?}", r.results[0].why);
}

#[test]
fn never_with_the_newcomer_covers_the_tables_it_constrains() {
    let r = run_on("customer-service-webapi.json", "  - never: {visitor: newcomer, table: incident}\n  - never: {visitor: anyone, table: contact}\n");
    assert_eq!(oks(&r), [true, false]);
    // Only the `never` that held covers: the two permissions on incident.
    assert_eq!(r.covered, ["TP-case-account", "TP-case-contact"]);
    assert_eq!(r.results[1].answered["first"][0], json!({"visitor": "newcomer", "privilege": "read", "row": "contact:C1"}));
    assert_eq!(r.results[1].answered["grants"], json!(5));
}

#[test]
fn columns_compare_the_web_api_columns_c6_c7() {
    let text = "  - columns: C1 contact:C1
    read: [emailaddress1, fullname]
    update: [emailaddress1]
    read_excludes: [birthdate]
  - columns: C2 contact:C1
    read_includes: [birthdate]
    update: []
  - columns: newcomer contact:C1
    read_excludes: [birthdate]
    update_excludes: [emailaddress1]
  - columns: C1 annotation:N1
    open: false
  - columns: C1 contact:C1
    read: [fullname]
  - columns: C1 contact:C1
    read_includes: [birthdate]
    update_includes: [fullname]
  - columns: anonymous contact:C1
    read_includes: [fullname]
  - columns: C1 annotation:N1
    open: true
  - columns: C1 contact:C99
    open: true
";
    let r = run_on("customer-service-webapi.json", text);
    assert_eq!(oks(&r), [true, true, true, true, false, false, false, false, false]);
    assert!(r.results.iter().all(|x| x.kind == "columns"));
    // Expected vs answered: the answer is `columns`'s.
    assert_eq!(r.results[4].answered["read"], json!(["emailaddress1", "fullname"]));
    // Each column expected and not answered carries the rule that denies it.
    let denied = &r.results[5].answered["denied"];
    assert!(denied["read birthdate"].as_str().unwrap().starts_with("C5:"), "{denied}");
    assert!(denied["update fullname"].as_str().unwrap().starts_with("C5:"), "{denied}");
    assert!(r.results[6].answered["denied"]["read fullname"].as_str().unwrap().contains("no table permission lets `anonymous` read"));
    // The why of the row, for the privileges whose columns are wrong.
    let whys: Vec<(&str, &str)> = r.results[5].why.iter().map(|w| (w.can.visitor.as_str(), w.can.privilege.as_str())).collect();
    assert_eq!(whys, [("C1", "read"), ("C1", "write")]);
    assert!(!r.results[6].why[0].can.allowed);
    assert_eq!(r.results[7].answered["open"], json!(false));
    assert!(r.results[8].answered["error"].as_str().unwrap().contains("contact:C99"));
    // Coverage is not counted for `columns` (expectations.md lists `can`, `who`, `never`, `isolated`).
    assert!(r.covered.is_empty());
}

#[test]
fn bypass_compares_the_f_and_o_gap_f8() {
    let text = "  - bypass: {table: mserp_purchpurchaseorderheaderv2entity}
    empty: true
  - bypass: {visitor: C-nina}
    empty: false
  - bypass: {visitor: anonymous}
    empty: true
  - bypass: {visitor: newcomer}
    empty: true
  - bypass: {visitor: contacts, table: mserp_vendvendorv2entity}
    empty: true
  - bypass: {visitor: anyone}
    empty: true
  - bypass: {table: no_such_table}
    empty: true
  - bypass:
    empty: true
";
    let r = run_on("vendor-portal.json", text);
    assert_eq!(oks(&r), [false, true, true, true, false, true, false, false]);
    // Purchase order headers: Lee and Sam (Litware) read PO-1001 and PO-1004
    // directly, Nina (Northwind) PO-1002 to PO-1004: 7 (visitor, row) pairs,
    // 3 visitors, 4 orders. Every line agrees with the `bypass` answer.
    let a = Analysis::load(Path::new(&example("vendor-portal.json"))).unwrap();
    let header = &r.results[0].answered;
    assert_eq!(header["bypass"], json!(7));
    assert_eq!(header["summary"], json!({"mserp_purchpurchaseorderheaderv2entity": {"visitors": 3, "rows": 4}}));
    let ans = a.bypass(None, Some("mserp_purchpurchaseorderheaderv2entity")).unwrap();
    assert_eq!(header["first"].as_array().unwrap().len(), ans.lines.len());
    assert_eq!(header["first"][0], json!({"visitor": "C-lee", "row": "mserp_purchpurchaseorderheaderv2entity:PO-1001", "user": "lee.p"}));
    // The why of a bypassed row: the portal denies it, the direct path allows it (F7).
    let why = &r.results[0].why[0];
    assert!(!why.can.allowed && why.can.direct == Some(true), "{why:?}");
    assert_eq!(r.results[4].answered["summary"], json!({"mserp_vendvendorv2entity": {"visitors": 3, "rows": 3}}));
    assert_eq!(r.results[7].answered["bypass"], json!(20));
    assert!(r.results[6].answered["error"].as_str().unwrap().contains("`no_such_table`"));
    // The XDS policy closes the gap: the same checks of emptiness hold there.
    let r = run_on("vendor-portal-xds.json", "  - bypass:\n    empty: true\n  - bypass: {visitor: C-nina}\n    empty: false\n");
    assert_eq!(oks(&r), [true, false]);
    // A tenant without F&O data has no bypass.
    assert_eq!(oks(&run("  - bypass:\n    empty: true\n")), [true]);
}

#[test]
fn isolated_names_the_grants_that_break_it() {
    let r = run("  - isolated: {table: incident, through: [incident_customer_contacts, incident_customer_accounts]}\n  - isolated: {table: incident, through: [incident_customer_contacts]}\n  - isolated: {table: incident, through: [no_such_relationship]}\n");
    assert_eq!(oks(&r), [true, false, false]);
    // C2 reads I2 through the account only.
    assert_eq!(r.results[1].answered, json!({"breaking": 1, "first": [{"visitor": "C2", "privilege": "read", "row": "incident:I2"}]}));
    assert_eq!(r.results[1].why[0].can.via, ["TP-case-account"]);
}

#[test]
fn the_vendor_portal_file_holds_with_xds_and_fails_on_the_bypass_without() {
    let file = example("vendor-portal.expect.yaml");
    let (code, out, err) = run_bin(&["test", &example("vendor-portal-xds.json"), &file]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("6 passed, 0 failed"), "{out}");
    // Without the XDS policy every vendor contact reads the others' orders
    // straight from F&O: the two bypass checks fail, with the direct path
    // in their why (F7).
    let (code, out, _) = run_bin(&["test", &example("vendor-portal.json"), &file]);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("4 passed, 2 failed"), "{out}");
    assert!(out.contains("FAIL  ") && out.contains("No vendor reads another vendor's data straight from F&O"), "{out}");
    assert!(out.contains("\"bypass\":20,") && out.contains("\"bypass\":7,"), "{out}");
    assert!(out.contains("F&O, directly: C-lee runs as F&O user `lee.p`"), "{out}");
    let (_, json_out, _) = run_bin(&["test", &example("vendor-portal.json"), &file, "--json"]);
    let v: Value = serde_json::from_str(&json_out).unwrap();
    let kinds: Vec<&str> = v["results"].as_array().unwrap().iter().filter(|r| r["ok"] == json!(false)).map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["bypass", "bypass"]);
}

#[test]
fn a_failure_prints_expected_answered_and_why_and_exits_4() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fail.yaml");
    std::fs::write(&file, "format: portal-access/expectations@1\nexpect:\n  - can: C3 read incident:I1\n    allowed: true\n").unwrap();
    let (code, out, _) = run_bin(&["test", &example("customer-service.json"), file.to_str().unwrap()]);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("FAIL") && out.contains(":3"), "{out}");
    assert!(out.contains("expected: {\"can\":\"C3 read incident:I1\",\"allowed\":true}"), "{out}");
    assert!(out.contains("answered: {") && out.contains("\"allowed\":false"), "{out}");
    assert!(out.contains("why:"), "{out}");
    assert!(out.contains("0 passed, 1 failed"), "{out}");
}

#[test]
fn junit_reads_back_with_a_junit_parser() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mixed.json");
    // JSON too; a name with characters XML must escape.
    std::fs::write(
        &file,
        r#"{"format": "portal-access/expectations@1", "expect": [
  {"name": "Ada <reads> \"her\" case & more", "can": "C1 read incident:I1", "allowed": true},
  {"can": "C3 read incident:I1", "allowed": true}
]}"#,
    )
    .unwrap();
    let xml = dir.path().join("report.xml");
    let (code, _, err) = run_bin(&[
        "test",
        &example("customer-service.json"),
        &example("customer-service.expect.yaml"),
        file.to_str().unwrap(),
        "--junit",
        xml.to_str().unwrap(),
    ]);
    assert_eq!(code, 4, "{err}");
    let text = std::fs::read_to_string(&xml).unwrap();
    let suites = junit_parser::from_reader(std::io::Cursor::new(text.as_bytes())).unwrap();
    assert_eq!(suites.suites.len(), 2);
    assert_eq!((suites.tests, suites.failures), (15, 1));
    let mixed = &suites.suites[1];
    assert_eq!((mixed.tests, mixed.failures), (2, 1));
    assert_eq!(mixed.cases[0].original_name, "1: Ada <reads> \"her\" case & more");
    assert!(mixed.cases[0].status.is_success());
    let failed = &mixed.cases[1];
    assert!(failed.status.is_failure());
    let f = failed.status.failure_as_ref();
    assert!(f.message.contains("\"allowed\":false") && f.text.contains("why:"), "{f:?}");
    // Deterministic: a second run writes the same bytes.
    let xml2 = dir.path().join("again.xml");
    run_bin(&["test", &example("customer-service.json"), &example("customer-service.expect.yaml"), file.to_str().unwrap(), "--junit", xml2.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(&xml2).unwrap(), text);
}

#[test]
fn bad_files_exit_2_naming_file_and_line_and_inputs_are_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.yaml");
    std::fs::write(&file, "format: portal-access/expectations@1\nexpect:\n  - can: C1 read incident:I1\n    allowed: true\n  - who: read incident:I1\n    contact: [C1]\n").unwrap();
    let (code, out, err) = run_bin(&["test", &example("customer-service.json"), file.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("bad.yaml: at line 6: `expect[2].who`: unknown key `contact`"), "{err}");
    // --junit over an input is refused before anything runs.
    let (code, _, err) = run_bin(&["test", &example("customer-service.json"), file.to_str().unwrap(), "--junit", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("refusing"), "{err}");
    // A tenant that fails to load: 2.
    let (code, _, _) = run_bin(&["test", file.to_str().unwrap(), &example("customer-service.expect.yaml")]);
    assert_eq!(code, 2);
}

#[test]
fn repl_runs_test_and_diff_on_the_loaded_tenant() {
    use portal_access::cli::session::Session;
    let mut s = Session::open(Path::new(&example("customer-service.json"))).unwrap();
    let out = s.execute(&format!("test {}", example("customer-service.expect.yaml"))).unwrap().text;
    assert!(out.contains("13 passed, 0 failed") && out.contains("(TP-comment-note)"), "{out}");
    let out = s.execute(&format!("diff {}", example("customer-service-folder"))).unwrap().text;
    assert!(out.contains("0 gained, 0 lost"), "{out}");
    let out = s.execute(&format!("diff {} --json", example("customer-service-folder"))).unwrap().text;
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["scenarios"][0]["gained"], json!([]));
    // A file that does not load: the session says why and keeps going.
    assert!(s.execute("test no-such-file.yaml").is_err());
}
