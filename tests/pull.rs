//! `portal-access pull` against a fake Dataverse on 127.0.0.1 (pull.md P17):
//! round trips of generated tenants in both data models (pulled, loaded,
//! the same `grants`, `reach`, `who open` and `who invoke` as the tenant
//! itself), `bench --pull` on a tiny profile, paging, throttling and faults
//! on a fake clock, the token, privacy, atomic output, and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]



use portal_access::perf::fake_tenant::{self as tenant, Model, OTHER_SITE_ID, SECRET, SITE_ID};
use portal_access::perf::fake_dataverse::{Dataverse, Fault, Server};
use portal_access::perf::generate::{generate, GenConfig};
use portal_access::pull::error::PullError;
use portal_access::pull::http::Clock;
use portal_access::pull::manifest::Manifest;
use portal_access::pull::rows::Silent;
use portal_access::pull::token::TokenSource;
use portal_access::pull::{self, Options};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "eyJ0eXAi.fake-token-0123456789.sig";

/// A clock that never waits: it records each wait and moves on by it.
#[derive(Default)]
struct FakeClock {
    now: Mutex<Duration>,
    waits: Mutex<Vec<Duration>>,
}

impl Clock for FakeClock {
    fn now(&self) -> Duration {
        *self.now.lock().unwrap()
    }
    fn sleep(&self, d: Duration) {
        self.waits.lock().unwrap().push(d);
        *self.now.lock().unwrap() += d;
    }
}

fn generated(contacts: u64, accounts: u64, rows: u64) -> Value {
    let mut buf = Vec::new();
    generate(&GenConfig { contacts, accounts, rows, seed: 26, fo: false }, &mut buf).unwrap();
    serde_json::from_slice(&buf).unwrap()
}

fn small() -> Value {
    generated(120, 15, 900)
}

fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn options(server: &Server, site: &str, out: &Path) -> (Options, Arc<FakeClock>) {
    let clock = Arc::new(FakeClock::default());
    let mut o = Options::new(&server.url, site, out, TokenSource::Command(format!("echo {TOKEN}")));
    o.clock = clock.clone();
    o.timeout = Duration::from_secs(20);
    (o, clock)
}

fn pull_ok(server: &Server, out: &Path) -> Manifest {
    let (o, _) = options(server, "Generated Portal", out);
    let m = pull::pull(&o, &Silent).unwrap_or_else(|e| panic!("pull failed: {e}"));
    assert!(server.violations().is_empty(), "the fake saw requests breaking pull.md: {:?}", server.violations());
    m
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portal-access"))
}

/// The `grants` output of a tenant, as sorted lines.
fn grants(tenant: &Path) -> Vec<String> {
    let out = bin().arg("grants").arg(tenant).output().unwrap();
    assert!(out.status.success(), "grants {}: {}", tenant.display(), String::from_utf8_lossy(&out.stderr));
    let mut lines: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect();
    lines.sort();
    lines
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn all_bytes(dir: &Path) -> String {
    files_under(dir).iter().map(|p| std::fs::read_to_string(p).unwrap()).collect::<Vec<_>>().join("\n")
}

fn siblings(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    v.sort();
    v
}

fn round_trip(model: Model, page_size: usize, short: bool) {
    let doc = with_surfaces(small());
    let mut dv = tenant::environment(&doc, model, TOKEN);
    dv.page_size = page_size;
    dv.short_pages = short;
    let server = Server::start(dv).unwrap();
    let tmp = scratch();
    let native = tmp.path().join("tenant.json");
    std::fs::write(&native, doc.to_string()).unwrap();
    let out = tmp.path().join("snapshot");
    let m = pull_ok(&server, &out);
    assert_eq!(m.site.id, SITE_ID);
    assert_eq!(m.site.data_model, if model == Model::Standard { "standard" } else { "enhanced" });
    assert!(m.config_stable);
    let want = grants(&native);
    assert!(want.len() > 100, "the generated tenant grants something: {}", want.len());
    assert_eq!(grants(&out), want, "the pulled folder grants what the tenant grants");
    // Pages and endpoints (P5, P6): the same `reach`, `who open` and `who
    // invoke` as the tenant, less what a site folder has no place for
    // (entity sets). Flow definitions are written to `Workflows/` and read
    // back from there.
    for (label, n) in [("web_pages", 23), ("web_files", 11), ("server_logic", 3), ("cloud_flows", 1), ("website_access", 1)] {
        assert_eq!(m.site_records[label], n, "{label}: {:?}", m.site_records);
    }
    assert!(out.join("site/server-logic/cases/cases.js").is_file(), "server logic code is written beside its record");
    let flow = &doc["cloud_flows"][0];
    let written = out.join(format!("site/Workflows/flow-{}.json", flow["process_id"].as_str().unwrap()));
    let text = std::fs::read_to_string(&written).unwrap_or_else(|e| panic!("{}: {e}", written.display()));
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), flow["definition"], "the flow's definition is written");
    let loaded = portal_access::model::load(&out).unwrap();
    let read_back = loaded.raw.cloud_flows.iter().find(|f| f.id == flow["id"].as_str().unwrap()).map(|f| f.definition.clone());
    assert_eq!(read_back.as_ref(), Some(&flow["definition"]), "the loader reads the definition back from Workflows/");
    let folder_only = tmp.path().join("folder-only.json");
    std::fs::write(&folder_only, without_definitions(&doc).to_string()).unwrap();
    let want = surface_answers(&folder_only, &doc);
    assert_eq!(surface_answers(&out, &doc), want, "the pulled folder reaches what the tenant reaches");
}

/// A generated tenant with what real sites have beyond it: a content page,
/// a page hosting a list, a Grant Change rule tied to a publishing state,
/// an inactive web file.
fn with_surfaces(mut doc: Value) -> Value {
    let list = doc["components"].as_array().and_then(|c| c.iter().find(|c| c["kind"] == json!("list"))).map(|c| c["id"].clone());
    let pages = doc["web_pages"].as_array_mut().unwrap();
    if let Some(list) = list {
        pages[0]["components"] = json!([list]);
    }
    pages.push(json!({"id": "WP-fr", "name": "Page 1 (fr)", "root": "WP1", "parent": "WP0", "partial_url": "p1", "publishing_state": "PS-draft"}));
    pages.push(json!({"id": "WP-off", "name": "Retired", "parent": "WP0", "partial_url": "retired", "active": false}));
    pages.push(json!({"id": "WP-denied", "name": "Access denied", "parent": "WP0", "partial_url": "Access-Denied"}));
    doc["page_rules"].as_array_mut().unwrap().push(json!({"id": "WPG-states", "name": "Editors of published pages", "page": "WP2",
        "right": "grant_change", "web_roles": ["R-cust"], "publishing_states": ["PS-pub"]}));
    doc["web_files"].as_array_mut().unwrap().push(json!({"id": "WF-off", "name": "off.pdf", "parent_page": "WP0", "active": false}));
    doc
}

/// `doc` less entity sets.
fn without_definitions(doc: &Value) -> Value {
    let mut d = doc.clone();
    d.as_object_mut().unwrap().remove("entity_sets");
    d
}

/// `reach` of the anonymous visitor and of contacts with roles and without,
/// `who open` of every page, `who invoke` of every endpoint, as JSON texts.
fn surface_answers(tenant: &Path, doc: &Value) -> Vec<String> {
    use portal_access::cli::session::Session;
    let mut s = Session::open(tenant).unwrap_or_else(|e| panic!("{}: {e}", tenant.display()));
    let mut run = |line: String| s.execute(&line).unwrap_or_else(|e| panic!("{line}: {e:?}")).text;
    let mut out = Vec::new();
    let mut visitors = vec!["anonymous".to_string()];
    let members = doc["role_members"]["contacts"].as_array().unwrap().iter().filter_map(|p| p[0].as_str()).take(15);
    visitors.extend(members.map(str::to_string));
    visitors.extend(doc["rows"]["contact"].as_array().unwrap().iter().rev().take(5).filter_map(|c| c["id"].as_str()).map(str::to_string));
    for v in visitors {
        out.push(run(format!("reach {v} --json")));
    }
    for p in doc["web_pages"].as_array().unwrap() {
        out.push(run(format!("who open page:{} --json", p["id"].as_str().unwrap())));
    }
    for l in doc["server_logic"].as_array().unwrap() {
        out.push(run(format!("who invoke serverlogic:{} --json", l["name"].as_str().unwrap())));
    }
    for f in doc["cloud_flows"].as_array().unwrap() {
        out.push(run(format!("who invoke cloudflow:{} --json", f["id"].as_str().unwrap())));
    }
    out
}

#[test]
fn p17_round_trip_standard_model_gives_the_same_grants() {
    round_trip(Model::Standard, 5000, false);
}

#[test]
fn p17_round_trip_enhanced_model_with_short_pages_gives_the_same_grants() {
    round_trip(Model::Enhanced, 37, true);
}

#[test]
fn p4_an_enhanced_only_environment_answers_404_for_adx_website() {
    let server = Server::start(tenant::environment(&small(), Model::Enhanced, TOKEN)).unwrap();
    let out = scratch();
    let m = pull_ok(&server, &out.path().join("s"));
    assert_eq!(m.site.data_model, "enhanced");
    let probe =
        server.seen().into_iter().find(|s| s.target.contains("EntityDefinitions(LogicalName='adx_website')")).unwrap();
    assert_eq!(probe.status, 404);
}

#[test]
fn p9_two_page_tables_follow_next_link_byte_for_byte_and_files_hold_5000_rows() {
    let mut dv = Dataverse::new(TOKEN);
    let doc = json!({"rows": {"contact": (0..5003).map(|i| json!({"id": format!("C{i:05}")})).collect::<Vec<_>>(), "account": []},
        "web_roles": [{"id": "R1", "name": "R"}], "table_permissions": []});
    let built = tenant::environment(&doc, Model::Standard, TOKEN);
    dv.tables = built.tables;
    dv.one_to_many = built.one_to_many;
    dv.page_size = 2000;
    let server = Server::start(dv).unwrap();
    let tmp = scratch();
    let out = tmp.path().join("s");
    let m = pull_ok(&server, &out);
    let contact = m.tables.iter().find(|t| t.table == "contact").unwrap();
    assert_eq!((contact.rows, contact.files, contact.entity_set.as_str()), (5003, 2, "contacts"));
    let first: Value = serde_json::from_str(&std::fs::read_to_string(out.join("data/contact.json")).unwrap()).unwrap();
    let second: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("data/contact.2.json")).unwrap()).unwrap();
    assert_eq!(first["value"].as_array().unwrap().len(), 5000);
    assert_eq!(second["value"].as_array().unwrap().len(), 3);
    let ids: Vec<&str> = first["value"].as_array().unwrap().iter().map(|r| r["contactid"].as_str().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted by id");
    assert!(first["value"][0].get("@odata.etag").is_none(), "no etag written");
    let pages = server.seen().iter().filter(|s| s.target.starts_with("/api/data/v9.2/contacts?")).count();
    assert_eq!(pages, 3, "three pages of at most 2,000");
    assert!(server
        .seen()
        .iter()
        .any(|s| s.target.contains("$skiptoken=%3Ccookie%20pagenumber=%223%22%20pagingcookie=%22%253ccookie")));
}

#[test]
fn p11_429_with_retry_after_pauses_for_it() {
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    server.fault(Fault::Status {
        on: "/contacts?".into(),
        status: 429,
        times: 2,
        retry_after: Some(7),
        code: "0x80072322".into(),
        message: "Number of requests exceeded".into(),
    });
    let tmp = scratch();
    let (o, clock) = options(&server, "Generated Portal", &tmp.path().join("s"));
    let m = pull::pull(&o, &Silent).unwrap();
    let waits = clock.waits.lock().unwrap().clone();
    assert_eq!(waits.iter().filter(|w| **w == Duration::from_secs(7)).count(), 2, "{waits:?}");
    let logged = m
        .warnings
        .iter()
        .find(|w| w.starts_with("the server throttled 2 of "))
        .unwrap_or_else(|| panic!("{:?}", m.warnings));
    assert!(logged.contains("x-ms-ratelimit-burst-remaining-xrm-requests: 5999"), "{logged}");
}

#[test]
fn p11_429_without_retry_after_waits_two_then_four_seconds() {
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    server.fault(Fault::Status {
        on: "/accounts?".into(),
        status: 429,
        times: 2,
        retry_after: None,
        code: "0x80072321".into(),
        message: "Execution time exceeded".into(),
    });
    let tmp = scratch();
    let (o, clock) = options(&server, "Generated Portal", &tmp.path().join("s"));
    pull::pull(&o, &Silent).unwrap();
    let waits = clock.waits.lock().unwrap().clone();
    assert!(waits.contains(&Duration::from_secs(2)) && waits.contains(&Duration::from_secs(4)), "{waits:?}");
}

#[test]
fn p11_503_then_success() {
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    server.fault(Fault::Status {
        on: "/incidents?".into(),
        status: 503,
        times: 1,
        retry_after: None,
        code: "".into(),
        message: "Service Unavailable".into(),
    });
    server.fault(Fault::Reset { on: "/annotations?".into(), times: 1 });
    let tmp = scratch();
    let (o, clock) = options(&server, "Generated Portal", &tmp.path().join("s"));
    let m = pull::pull(&o, &Silent).unwrap();
    assert!(m.tables.iter().any(|t| t.table == "incident" && t.rows > 0));
    let waits = clock.waits.lock().unwrap().clone();
    assert_eq!(waits.len(), 2, "one retry each after 2 s and some jitter: {waits:?}");
    assert!(waits.iter().all(|w| *w >= Duration::from_secs(2) && *w < Duration::from_secs(3)));
}

#[test]
fn p11_retries_exhausted_fail_naming_the_page_and_leave_dir_untouched() {
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    server.fault(Fault::Status {
        on: "/incidents?".into(),
        status: 503,
        times: 100,
        retry_after: None,
        code: "0x80040216".into(),
        message: "the server is busy".into(),
    });
    let tmp = scratch();
    let out = tmp.path().join("s");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "old snapshot").unwrap();
    let (mut o, _) = options(&server, "Generated Portal", &out);
    o.force = true;
    let e = pull::pull(&o, &Silent).unwrap_err();
    let msg = e.to_string();
    assert_eq!(e.exit_code(), 1);
    for part in [
        "`incidents` page 1",
        "status 503",
        "`0x80040216`",
        "the server is busy",
        "x-ms-service-request-id `req-",
        "after 3 retries",
    ] {
        assert!(msg.contains(part), "{part} in {msg}");
    }
    assert_eq!(std::fs::read_to_string(out.join("keep.txt")).unwrap(), "old snapshot");
    assert_eq!(siblings(&out), vec!["s".to_string()], "no partial folder left");
}

#[test]
fn p2_a_401_runs_the_token_command_again_once() {
    let mut dv = tenant::environment(&small(), Model::Standard, "fresh-token");
    dv.tokens = vec!["fresh-token".into()];
    let server = Server::start(dv).unwrap();
    let tmp = scratch();
    let flag = tmp.path().join("ran");
    let cmd = format!("if [ -f '{0}' ]; then echo fresh-token; else touch '{0}'; echo stale-token; fi", flag.display());
    let (mut o, _) = options(&server, "Generated Portal", &tmp.path().join("s"));
    o.token = TokenSource::Command(cmd);
    pull::pull(&o, &Silent).unwrap();
    let statuses: Vec<u16> = server.seen().iter().map(|s| s.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 1, "{statuses:?}");
    // A token that stays wrong fails at the second 401, naming the audience.
    let (mut o, _) = options(&server, "Generated Portal", &tmp.path().join("t"));
    o.token = TokenSource::Command("echo always-stale".into());
    let e = pull::pull(&o, &Silent).unwrap_err();
    assert!(e.to_string().contains(&format!("audience `{}`", server.url)), "{e}");
    assert!(!tmp.path().join("t").exists());
}

#[test]
fn p2_a_403_names_the_entity_set() {
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    server.fault(Fault::Status {
        on: "/salesorders?".into(),
        status: 403,
        times: 100,
        retry_after: None,
        code: "0x80040220".into(),
        message: "Principal user is missing prvReadSalesOrder privilege".into(),
    });
    let tmp = scratch();
    let (o, _) = options(&server, "Generated Portal", &tmp.path().join("s"));
    let e = pull::pull(&o, &Silent).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("`salesorders` page 1: status 403, error `0x80040220`: Principal user is missing prvReadSalesOrder privilege"), "{msg}");
    assert!(msg.contains("organization-level read"), "{msg}");
    assert!(!tmp.path().join("s").exists());
}

#[test]
fn p8_memberships_keep_only_the_sites_roles_and_p16_secrets_stay_out() {
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    let tmp = scratch();
    let out = tmp.path().join("s");
    let m = pull_ok(&server, &out);
    let bytes = all_bytes(&out);
    assert!(
        !bytes.contains("R-other-site") && !bytes.contains("TP-other-site") && !bytes.contains(OTHER_SITE_ID),
        "only the chosen site"
    );
    assert!(m.memberships["contacts"] > 0);
    assert!(!bytes.contains(SECRET), "a client secret is never written");
    assert!(bytes.contains("Authentication/OpenIdConnect/Contoso/ClientSecret"), "the setting is, without its value");
    assert!(!bytes.contains(TOKEN), "the token is never written");
    let contact = std::fs::read_to_string(out.join("data/contact.json")).unwrap();
    assert!(!contact.contains("fullname"), "no names without --names");
    assert!(contact.contains("_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname"));
    // Every request asked only for the lookup annotation, and rows only for ids, state and lookups.
    for s in server.seen() {
        assert!(!s.target.contains("fullname") && !s.target.contains("$expand"), "{}", s.target);
    }
}

#[test]
fn p16_names_only_with_names() {
    let doc = small();
    let server = Server::start(tenant::environment(&doc, Model::Standard, TOKEN)).unwrap();
    let tmp = scratch();
    let (mut o, _) = options(&server, "Generated Portal", &tmp.path().join("s"));
    o.names = true;
    pull::pull(&o, &Silent).unwrap();
    let contact = std::fs::read_to_string(tmp.path().join("s/data/contact.json")).unwrap();
    let first_name = doc["rows"]["contact"].as_array().unwrap().iter().find_map(|c| c["fullname"].as_str());
    if let Some(name) = first_name {
        assert!(contact.contains(name), "--names writes `fullname`");
    }
    assert!(contact.contains("\"fullname\""));
}

#[test]
fn p17_two_pulls_are_equal_but_for_times() {
    let server = Server::start(tenant::environment(&small(), Model::Enhanced, TOKEN)).unwrap();
    let tmp = scratch();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let (ma, mb) = (pull_ok(&server, &a), pull_ok(&server, &b));
    let strip = |mut m: Manifest| {
        m.started_at.clear();
        m.finished_at.clear();
        m
    };
    assert_eq!(strip(ma), strip(mb));
    let (fa, fb) = (files_under(&a), files_under(&b));
    assert_eq!(fa.len(), fb.len());
    for (x, y) in fa.iter().zip(&fb) {
        assert_eq!(x.strip_prefix(&a).unwrap(), y.strip_prefix(&b).unwrap());
        if x.file_name().unwrap() != "pull.json" {
            assert_eq!(std::fs::read(x).unwrap(), std::fs::read(y).unwrap(), "{}", x.display());
        }
    }
}

#[test]
fn p10_workers_stay_within_the_cap_and_the_servers_hint() {
    let mut dv = tenant::environment(&small(), Model::Standard, TOKEN);
    dv.delay = Duration::from_millis(15);
    dv.page_size = 50;
    let server = Server::start(dv).unwrap();
    let tmp = scratch();
    let (mut o, _) = options(&server, "Generated Portal", &tmp.path().join("s"));
    o.concurrency = 3;
    pull::pull(&o, &Silent).unwrap();
    let most = server.max_in_flight();
    assert!((2..=3).contains(&most), "tables ran in parallel, at most 3 at once: {most}");

    let mut dv = tenant::environment(&small(), Model::Standard, TOKEN);
    dv.delay = Duration::from_millis(5);
    dv.dop_hint = Some(1);
    let server = Server::start(dv).unwrap();
    let (mut o, _) = options(&server, "Generated Portal", &tmp.path().join("t"));
    o.concurrency = 8;
    pull::pull(&o, &Silent).unwrap();
    assert_eq!(server.max_in_flight(), 1, "x-ms-dop-hint 1");
}

#[test]
fn bad_input_unknown_site_lists_the_sites() {
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    let tmp = scratch();
    let (o, _) = options(&server, "No Such Portal", &tmp.path().join("s"));
    let e = pull::pull(&o, &Silent).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    let msg = e.to_string();
    assert!(
        msg.contains("--site `No Such Portal` names no site")
            && msg.contains("`Generated Portal`")
            && msg.contains("`Other Portal`"),
        "{msg}"
    );
    // By id, any case.
    let (o, _) = options(&server, &SITE_ID.to_uppercase(), &tmp.path().join("s"));
    assert_eq!(pull::pull(&o, &Silent).unwrap().site.name, "Generated Portal");
}

#[test]
fn bad_input_404_on_a_table_names_the_entity_set() {
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    server.fault(Fault::Status {
        on: "/adx_portalcomments?".into(),
        status: 404,
        times: 100,
        retry_after: None,
        code: "0x8006088a".into(),
        message: "Resource not found for the segment 'adx_portalcomments'.".into(),
    });
    let tmp = scratch();
    let (o, _) = options(&server, "Generated Portal", &tmp.path().join("s"));
    let e = pull::pull(&o, &Silent).unwrap_err();
    assert!(
        e.to_string().contains("`adx_portalcomments` page 1: status 404, error `0x8006088a`: Resource not found"),
        "{e}"
    );
    assert_eq!(siblings(&tmp.path().join("s")), Vec::<String>::new());
}

#[test]
fn bad_input_malformed_json_names_the_page() {
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    server.fault(Fault::Body { on: "/accounts?".into(), body: "{\"value\": [{\"accountid\": ".into(), times: 1 });
    let tmp = scratch();
    let (o, _) = options(&server, "Generated Portal", &tmp.path().join("s"));
    let e = pull::pull(&o, &Silent).unwrap_err();
    assert!(matches!(e, PullError::Malformed { .. }), "{e:?}");
    assert!(e.to_string().starts_with("`accounts` page 1: the server's answer is not JSON"), "{e}");
    assert_eq!(e.exit_code(), 1);
    assert!(!tmp.path().join("s").exists());
}

#[test]
fn bad_input_a_next_link_loop_stops() {
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    server.fault(Fault::Loop { on: "/products?".into() });
    let tmp = scratch();
    let (o, _) = options(&server, "Generated Portal", &tmp.path().join("s"));
    let e = pull::pull(&o, &Silent).unwrap_err();
    assert!(e.to_string().contains("`products` page 3: `@odata.nextLink` names a page already read"), "{e}");
    assert_eq!(siblings(&tmp.path().join("s")), Vec::<String>::new());
}

#[test]
fn p1_no_token_exits_2_and_the_cli_never_shows_the_token() {
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    let tmp = scratch();
    let out = tmp.path().join("s");
    let run = |envs: &[(&str, &str)], extra: &[&str]| {
        let mut c = bin();
        c.args(["pull", &server.url, "--site", "Generated Portal", "-o"])
            .arg(&out)
            .args(extra)
            .env_remove("PORTAL_ACCESS_TOKEN");
        for (k, v) in envs {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let none = run(&[], &[]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no token"), "{}", String::from_utf8_lossy(&none.stderr));
    let ok = run(&[("PORTAL_ACCESS_TOKEN", TOKEN)], &["--json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    let stdout = String::from_utf8(ok.stdout).unwrap();
    let printed: Manifest = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(printed, Manifest::read(&out).unwrap(), "--json prints the manifest");
    assert_eq!(printed.format, "portal-access/pull@1");
    assert!(!stdout.contains(TOKEN) && !String::from_utf8_lossy(&ok.stderr).contains(TOKEN));
    // DIR exists now: exit 2 without --force; the readable counts with it.
    let again = run(&[("PORTAL_ACCESS_TOKEN", TOKEN)], &[]);
    assert_eq!(again.status.code(), Some(2));
    let forced = run(&[("MY_TOKEN", TOKEN)], &["--force", "--token-env", "MY_TOKEN"]);
    assert_eq!(forced.status.code(), Some(0), "{}", String::from_utf8_lossy(&forced.stderr));
    let text = String::from_utf8(forced.stdout).unwrap();
    assert!(text.contains("pulled site `Generated Portal`") && text.contains("memberships:"), "{text}");
}

#[test]
fn p15_diff_labels_pulled_snapshots_by_their_manifests() {
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    let tmp = scratch();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    pull_ok(&server, &a);
    // A role loses its permissions between the two snapshots.
    server
        .with_dataverse(|dv| dv.rows("adx_entitypermission_webrole").retain(|r| r["adx_webroleid"] != json!("R-cust")));
    let mb = pull_ok(&server, &b);
    let out = bin().arg("diff").arg(&a).arg(&b).arg("--json").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    let name = answer["scenarios"][0]["name"].as_str().unwrap().to_string();
    assert!(name.contains(&format!("Generated Portal ({}, {})", server.url, mb.finished_at)), "{name}");
    assert!(!name.contains(&tmp.path().display().to_string()), "{name}");
}

#[test]
fn p12_a_configuration_that_changes_restarts_once_then_is_marked_unstable() {
    let count = |server: &Server, prefix: &str| server.seen().iter().filter(|s| s.target.starts_with(prefix)).count();
    // Changed between the first two reads only: one restart, then stable.
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    server.fault(Fault::Grow { on: "/adx_webroles?".into(), times: 2, site: SITE_ID.into() });
    let tmp = scratch();
    let m = pull_ok(&server, &tmp.path().join("a"));
    assert!(m.config_stable);
    assert_eq!(
        count(&server, "/api/data/v9.2/adx_webroles?"),
        3,
        "configuration, rows, configuration, rows, configuration"
    );
    assert_eq!(count(&server, "/api/data/v9.2/contacts?"), 2, "the rows were read again");
    assert_eq!(m.site_records["web_roles"], 12, "ten roles and the two grown ones");
    // Changing at every read: marked unstable after the one restart.
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    server.fault(Fault::Grow { on: "/adx_webroles?".into(), times: 100, site: SITE_ID.into() });
    let m = pull_ok(&server, &tmp.path().join("b"));
    assert!(!m.config_stable);
    assert_eq!(count(&server, "/api/data/v9.2/adx_webroles?"), 3);
}

/// The tenant of tenant-format.md's example, with a Parent chain, an N:N
/// and memberships of both kinds.
fn example() -> Value {
    json!({
        "format": "portal-access/tenant@1",
        "relationships": [
            {"name": "contact_products", "kind": "many_to_many", "tables": ["contact", "product"]}
        ],
        "rows": {
            "account": [{"id": "A1"}, {"id": "A2", "parentaccountid": "A1"}],
            "contact": [{"id": "C1", "parentcustomerid": "A1", "fullname": "Ada"}, {"id": "C2", "parentcustomerid": "C1", "fullname": "Bob"}],
            "incident": [{"id": "I1", "customerid": "C1", "title": "Broken pump"}, {"id": "I2", "customerid": "A2", "title": "Late order"}],
            "annotation": [{"id": "N1", "objectid": "I1"}],
            "product": [{"id": "P1"}, {"id": "P2"}]
        },
        "associations": {"contact_products": [["C1", "P1"]]},
        "web_roles": [
            {"id": "R-anon", "name": "Anonymous Users", "anonymous_users": true},
            {"id": "R-auth", "name": "Authenticated Users", "authenticated_users": true},
            {"id": "R-cust", "name": "Customers"}
        ],
        "role_members": {"contacts": [["C1", "R-cust"]], "accounts": [["A2", "R-cust"]]},
        "table_permissions": [
            {"id": "TP1", "name": "Cases where contact is customer", "table": "incident", "scope": "contact",
             "contact_relationship": "incident_customer_contacts", "privileges": ["read", "write"], "web_roles": ["R-cust"]},
            {"id": "TP2", "name": "Notes on those cases", "table": "annotation", "scope": "parent", "parent": "TP1",
             "parent_relationship": "Incident_Annotation", "privileges": ["read"]},
            {"id": "TP3", "name": "Account cases", "table": "incident", "scope": "account",
             "account_relationship": "incident_customer_accounts", "privileges": ["read"], "web_roles": ["R-cust"]},
            {"id": "TP4", "name": "My products", "table": "product", "scope": "contact",
             "contact_relationship": "contact_products", "privileges": ["read"], "web_roles": ["R-auth"]}
        ],
        "site_settings": [{"name": "Webapi/incident/enabled", "value": "true"}],
        "column_permission_profiles": [{"id": "CPP1", "name": "Case columns", "table": "incident", "web_roles": ["R-cust"],
            "all_columns": ["read"], "columns": {"title": ["read", "update"]}}],
        "components": [
            {"id": "L1", "kind": "list", "name": "Cases", "table": "incident", "permissions_enabled": true, "odata_enabled": true},
            {"id": "F1", "kind": "form", "name": "Edit case", "table": "incident", "mode": "edit"},
            {"id": "S1", "kind": "form_step", "name": "New note", "table": "annotation", "permissions_enabled": true, "mode": "insert"}
        ],
        "page_rules": [{"id": "W1", "name": "Members only", "page": "PAGE1", "right": "restrict_read", "web_roles": ["R-cust"]}]
    })
}

/// The committed native form of the example's snapshot
/// (`tests/data/pull/example-converted.json`); `BLESS=1` rewrites it.
#[test]
fn p17_the_snapshot_loads_and_convert_matches_the_committed_tenant() {
    let doc = example();
    let server = Server::start(tenant::environment(&doc, Model::Standard, TOKEN)).unwrap();
    let tmp = scratch();
    let out = tmp.path().join("s");
    let m = pull_ok(&server, &out);
    assert_eq!(m.relationships["many_to_many"], 1);
    for (kind, n) in [
        ("lists", 1),
        ("basic_forms", 1),
        ("advanced_form_steps", 1),
        ("page_rules", 1),
        ("column_permission_profiles", 1),
        ("column_permissions", 1),
    ] {
        assert_eq!(m.site_records[kind], n, "{kind}");
    }
    let native = tmp.path().join("tenant.json");
    std::fs::write(&native, doc.to_string()).unwrap();
    assert_eq!(grants(&out), grants(&native));
    let converted = tmp.path().join("converted.json");
    let run = bin().arg("convert").arg(&out).arg("-o").arg(&converted).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let got: Value = serde_json::from_str(&std::fs::read_to_string(&converted).unwrap()).unwrap();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pull/example-converted.json");
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(committed.parent().unwrap()).unwrap();
        std::fs::write(&committed, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
    }
    let want: Value = serde_json::from_str(&std::fs::read_to_string(&committed).unwrap()).unwrap();
    assert_eq!(got, want, "convert of the snapshot changed: review it, then rerun with BLESS=1");
}

/// `bench --pull` on a tiny profile, in both data models: the fake in a
/// process of its own, the pull, the load of the written folder, the
/// figures printed (no time is asserted: tests never assert a time).
#[test]
fn bench_pull_runs_on_a_tiny_profile() {
    let tiny = ["bench", "--pull", "--profile", "small", "--contacts", "60", "--accounts", "8", "--rows", "400"];
    let out = bin().args(tiny).arg("--json").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["data_model"], json!("standard"));
    assert!(v["rows_written"].as_u64().unwrap() > 400, "{v}");
    assert!(v["tables"].as_u64().unwrap() > 3, "{v}");
    assert_eq!(v["target_ratio"], json!(3.0));
    for k in ["pull_seconds", "load_seconds", "ratio"] {
        assert!(v[k].as_f64().is_some_and(|x| x >= 0.0), "{k}: {v}");
    }
    assert!(v["met"].is_boolean() && v["peak_rss_bytes"].is_u64() && v["largest_page_bytes"].as_u64().unwrap() > 0, "{v}");
    let out = bin().args(tiny).args(["--pull-model", "enhanced"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for want in ["enhanced data model", "| pull / load |", "target at most 3x", "| peak memory of the pull"] {
        assert!(text.contains(want), "{want}: {text}");
    }
}

#[test]
fn p9_a_next_link_that_leaves_the_environment_is_refused() {
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    let foreign =
        json!({"value": [], "@odata.nextLink": "http://198.51.100.7/api/data/v9.2/contacts?$skiptoken=1"}).to_string();
    server.fault(Fault::Body { on: "/contacts?".into(), body: foreign, times: 1 });
    let tmp = scratch();
    let (o, _) = options(&server, "Generated Portal", &tmp.path().join("s"));
    let e = pull::pull(&o, &Silent).unwrap_err();
    assert!(
        e.to_string().contains(&format!(
            "`contacts` page 1: `@odata.nextLink` leaves the environment `{}`: refused",
            server.url
        )),
        "{e}"
    );
    assert!(!tmp.path().join("s").exists());
}

#[test]
fn p13_no_data_writes_the_configuration_only_and_it_loads() {
    let server = Server::start(tenant::environment(&example(), Model::Standard, TOKEN)).unwrap();
    let tmp = scratch();
    let out = tmp.path().join("s");
    let (mut o, _) = options(&server, "Generated Portal", &out);
    o.no_data = true;
    let m = pull::pull(&o, &Silent).unwrap();
    assert!(m.tables.is_empty() && m.options.no_data);
    assert!(!out.join("data").exists());
    assert!(
        out.join("site/web-roles").is_dir()
            && out.join("site/lists").is_dir()
            && out.join("metadata/one-to-many.json").is_file()
    );
    assert!(!server.seen().iter().any(|s| s.target.starts_with("/api/data/v9.2/contacts?")), "no rows read");
    let lint = bin().arg("lint").arg(&out).arg("--json").output().unwrap();
    assert!(lint.status.code().is_some_and(|c| c == 0 || c == 4), "{}", String::from_utf8_lossy(&lint.stderr));
}

#[test]
fn bad_usage_exits_2_before_any_request() {
    let server = Server::start(tenant::environment(&small(), Model::Standard, TOKEN)).unwrap();
    let tmp = scratch();
    for (url, concurrency) in [
        ("contoso.crm.dynamics.com", 4),
        ("https://contoso.crm.dynamics.com/api/data", 4),
        (server.url.as_str(), 0),
        (server.url.as_str(), 53),
    ] {
        let (mut o, _) = options(&server, "Generated Portal", &tmp.path().join("s"));
        o.env_url = url.to_string();
        o.concurrency = concurrency;
        let e = pull::pull(&o, &Silent).unwrap_err();
        assert_eq!(e.exit_code(), 2, "{url} {concurrency}: {e}");
    }
    assert!(server.seen().is_empty());
    let no_site = bin()
        .args(["pull", &server.url, "-o"])
        .arg(tmp.path().join("s"))
        .env("PORTAL_ACCESS_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(no_site.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_site.stderr).contains("--site"));
}
