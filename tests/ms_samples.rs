//! Microsoft's public Power Pages samples (`microsoft/power-pages-samples`,
//! MIT, copied with their licence under `tests/fixtures/power-pages-samples/`)
//! read as sites: who may call their server logic and cloud flow (R10, R14),
//! what the code reaches (R11, R12) and the findings PP035 to PP043.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::engine::endpoint_code::read_code;
use portal_access::engine::flow_definition::read_flow;
use serde_json::{json, Value};
use std::path::PathBuf;

fn sample(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/power-pages-samples").join(rel)
}

fn load(rel: &str) -> portal_access::Analysis {
    portal_access::Analysis::load(&sample(rel)).unwrap()
}

/// `(id, severity, subject)` of the surface findings (PP035 to PP043), sorted.
fn surface_findings(a: &portal_access::Analysis) -> Vec<(String, String, String)> {
    let mut f: Vec<(String, String, String)> = portal_access::answer::lint::lint(a, None)
        .into_iter()
        .filter(|f| ("PP035".."PP044").contains(&f.id))
        .map(|f| (f.id.to_string(), f.severity.name().to_string(), f.subject.clone()))
        .collect();
    f.sort();
    f
}

fn json_of<T: serde::Serialize>(x: T) -> Value {
    serde_json::to_value(x).unwrap()
}

/// `reach` of an outsider, endpoints only.
fn endpoints(a: &portal_access::Analysis, visitor: &str) -> Value {
    json_of(a.reach(visitor).unwrap())["endpoints"].clone()
}

fn who(a: &portal_access::Analysis, target: &str) -> Value {
    json_of(a.who_invoke(target).unwrap())
}

fn finding(id: &str, severity: &str, subject: &str) -> (String, String, String) {
    (id.to_string(), severity.to_string(), subject.to_string())
}

/// R10 with the anonymous-users role on the list (the samples attach it,
/// and the authenticated-users role): every outsider calls it; no contact
/// of these seedless sites exists.
fn everyone_invokes(a: &portal_access::Analysis, target: &str) {
    assert_eq!(who(a, target), json!({"target": target, "anonymous": true, "newcomer": true, "anyone": true, "contacts": []}));
}

#[test]
fn custom_form_captcha_creates_callback_requests_for_anyone() {
    let a = load("server-logic/custom-form-captcha");
    everyone_invokes(&a, "serverlogic:captcha-service");
    // R12: `const ENTITY_SET_NAME = "sample_callbackrequests"` is literal,
    // mapped through the solution's `EntitySetName`; reCAPTCHA's
    // verification goes through `HttpClient` (unbounded).
    let code = read_code(&a.tenant.surfaces.server_logic[0].code);
    let calls: Vec<(String, bool, (usize, usize))> = code.calls.iter().map(|c| (format!("{:?} {:?} {}", c.op, c.set, c.function), c.proxy, c.at)).collect();
    assert_eq!(calls, vec![("Create Literal(\"sample_callbackrequests\") post".to_string(), false, (95, 39))]);
    assert_eq!(code.unbounded, vec![("HttpClient".to_string(), (53, 35))]);
    assert_eq!(code.parse_error, None);
    let expected = json!([{"kind": "serverlogic", "name": "captcha-service", "methods": ["POST"],
        "tables": [{"table": "sample_callbackrequest", "privileges": ["create"], "rows": 0}], "unbounded": true}]);
    assert_eq!(endpoints(&a, "anonymous"), expected);
    assert_eq!(endpoints(&a, "newcomer"), expected);
    // PP035 error (anyone calls code that writes), PP039 (HttpClient); the
    // solution's four deleted pages hang under a missing parent (PP041).
    let mut want = vec![
        finding("PP035", "error", "serverlogic:captcha-service"),
        finding("PP039", "info", "serverlogic:captcha-service"),
    ];
    for p in ["43502f1c-7bb9-4289-9660-2f2365d6cc52", "4800a5a6-d735-457b-8788-3d97047ece8f", "aada6f80-6382-47e7-a836-80a6be3acee5", "e3318826-7496-43e1-97cc-881cf3ad7e32"] {
        want.push(finding("PP041", "warning", &format!("page:{p}")));
        assert_eq!(json_of(a.who_open(&format!("page:{p}")).unwrap())["anyone"], json!(false), "{p} opens for nobody (R1)");
    }
    assert_eq!(surface_findings(&a), want);
    let f = portal_access::answer::lint::lint(&a, None);
    let http = f.iter().find(|x| x.id == "PP039").unwrap();
    assert!(http.message.contains("`HttpClient` (line 53, column 35)"), "{}", http.message);
    assert!(http.location.as_ref().is_some_and(|l| l.file.ends_with("filecontent/captcha-service.sl") && l.line == Some(53)), "{http:?}");
}

#[test]
fn malware_scan_reads_no_table_and_calls_http_for_anyone() {
    let a = load("server-logic/malware-scan");
    everyone_invokes(&a, "serverlogic:malware-scan");
    let code = read_code(&a.tenant.surfaces.server_logic[0].code);
    assert!(code.calls.is_empty(), "{:?}", code.calls);
    assert_eq!(code.methods, vec!["GET"]);
    assert_eq!(code.unbounded, vec![("HttpClient".to_string(), (110, 26))]);
    let expected = json!([{"kind": "serverlogic", "name": "malware-scan", "methods": ["GET"], "tables": [], "unbounded": true}]);
    assert_eq!(endpoints(&a, "anonymous"), expected);
    assert_eq!(endpoints(&a, "newcomer"), expected);
    // Reads only (no Dataverse write): PP035 is a warning.
    assert_eq!(
        surface_findings(&a),
        vec![finding("PP035", "warning", "serverlogic:malware-scan"), finding("PP039", "info", "serverlogic:malware-scan")]
    );
}

#[test]
fn sharepoint_event_registration_creates_registrations_for_anyone() {
    let a = load("server-logic/sharepoint-integration");
    everyone_invokes(&a, "serverlogic:event-registration");
    // The record's payload comes from the request body, its entity set is
    // literal: not a generic proxy (R12 names the entity set and the query
    // options only).
    let code = read_code(&a.tenant.surfaces.server_logic[0].code);
    let calls: Vec<(String, bool, (usize, usize))> = code.calls.iter().map(|c| (format!("{:?} {:?} {}", c.op, c.set, c.function), c.proxy, c.at)).collect();
    assert_eq!(calls, vec![("Create Literal(\"crd69_eventregistrations\") post".to_string(), false, (34, 18))]);
    let http: Vec<usize> = code.unbounded.iter().map(|(n, (line, _))| if n == "HttpClient" { *line } else { 0 }).collect();
    assert_eq!(http, vec![93, 103, 115, 185]);
    let expected = json!([{"kind": "serverlogic", "name": "event-registration", "methods": ["POST"],
        "tables": [{"table": "crd69_eventregistration", "privileges": ["create"], "rows": 0}], "unbounded": true}]);
    assert_eq!(endpoints(&a, "anonymous"), expected);
    assert_eq!(endpoints(&a, "newcomer"), expected);
    let mut want = vec![finding("PP035", "error", "serverlogic:event-registration")];
    want.extend((0..4).map(|_| finding("PP039", "info", "serverlogic:event-registration")));
    assert_eq!(surface_findings(&a), want);
}

#[test]
fn cloud_flow_snippet_consumer_is_for_signed_in_visitors() {
    let a = load("cloud-flow/site");
    let target = "cloudflow:f26da7c8-8c70-4e3c-a5ec-d8d2e47b4784";
    // R14: the consumer lists the authenticated-users role only.
    assert_eq!(who(&a, target), json!({"target": target, "anonymous": false, "newcomer": true, "anyone": true, "contacts": []}));
    let flow = &a.tenant.surfaces.flows[0];
    assert_eq!(flow.process_id, "49563951-9a6f-f111-ab0d-000d3a3b829d");
    assert_eq!(endpoints(&a, "anonymous"), json!([]));
    // A site folder carries no definition: unbounded, PP037 as a warning.
    assert_eq!(endpoints(&a, "newcomer"), json!([{"kind": "cloudflow", "name": "f26da7c8-8c70-4e3c-a5ec-d8d2e47b4784", "methods": ["POST"], "tables": [], "unbounded": true}]));
    assert_eq!(surface_findings(&a), vec![finding("PP037", "warning", target)]);
    // The flow's own solution: a PowerPages request trigger answered by a
    // Response, no Dataverse action (R16), so nothing unbounded.
    let text = std::fs::read_to_string(sample("cloud-flow/flow/Workflows/CloudFlowSample-RequestCallback-49563951-9A6F-F111-AB0D-000D3A3B829D.json")).unwrap();
    let r = read_flow(Some(&serde_json::from_str::<Value>(&text).unwrap()));
    assert!(r.known && r.power_pages_trigger && r.actions.is_empty() && r.problem.is_none() && !r.is_unbounded(), "{r:?}");
}
