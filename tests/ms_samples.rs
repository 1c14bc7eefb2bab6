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

#[test]
fn probe() {
    for (dir, target) in [
        ("server-logic/custom-form-captcha", "serverlogic:captcha-service"),
        ("server-logic/malware-scan", "serverlogic:malware-scan"),
        ("server-logic/sharepoint-integration", "serverlogic:event-registration"),
        ("cloud-flow/site", "cloudflow:f26da7c8-8c70-4e3c-a5ec-d8d2e47b4784"),
    ] {
        let a = load(dir);
        println!("== {dir}");
        println!("who {}", json_of(a.who_invoke(target).unwrap()));
        println!("anon {}", json_of(a.reach("anonymous").unwrap()));
        println!("newcomer {}", json_of(a.reach("newcomer").unwrap()));
        println!("lint {:?}", surface_findings(&a));
        for f in portal_access::answer::lint::lint(&a, None).into_iter().filter(|f| ("PP035".."PP044").contains(&f.id)) {
            println!("  {} {} {:?}", f.id, f.message, f.location);
        }
        for l in &a.tenant.surfaces.server_logic {
            println!("code {:?}", read_code(&l.code));
        }
    }
    let text = std::fs::read_to_string(sample("cloud-flow/flow/Workflows/CloudFlowSample-RequestCallback-49563951-9A6F-F111-AB0D-000D3A3B829D.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    println!("flow {:?}", read_flow(Some(&v)));
    let _ = json!(null);
}
