//! Random pages, page rules, web files, publishing states, website access,
//! server logic and cloud flows (surfaces.md) for a random tenant of
//! [`super::testkit::random_tenant`], for the property tests that hold the
//! surface rules and the surface walker equal.
//!
//! The page trees are dense in what R1 to R7 distinguish: several home
//! pages, depths up to 6, parents that name nothing, name a content page,
//! or form cycles, inactive pages, content pages (some copying a missing or
//! a content page), service pages under restricted branches; rules of both
//! rights on any page (also content pages and missing ones), pooled roles,
//! scope 2, Grant Change rules tied to states, inactive rules; files in
//! every state under any page; endpoints with empty, anonymous,
//! authenticated and inactive roles; and the settings that close
//! registration or turn server logic off.

use super::testkit::Rng;
use crate::load::raw::{
    RawCloudFlow, RawPageRule, RawPublishingState, RawServerLogic, RawSetting, RawTenant, RawWebFile, RawWebPage,
    RawWebsiteAccess,
};
use serde_json::Value;

fn some_roles(rng: &mut Rng, roles: &[String], most: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for _ in 0..rng.below(most + 1) {
        if let Some(r) = rng.pick(roles) {
            if !out.contains(r) {
                out.push(r.clone());
            }
        }
    }
    out
}

/// Adds random surfaces sections to `raw` (its roles must be set).
pub fn random_surfaces(seed: u64, raw: &mut RawTenant) {
    let mut rng = Rng(seed ^ 0x5A6E_5EED);
    let roles: Vec<String> = raw.web_roles.iter().map(|r| r.id.clone()).collect();
    let states = ["PS-pub", "PS-draft", "PS-arch"];
    raw.publishing_states = states
        .iter()
        .enumerate()
        .map(|(i, id)| RawPublishingState { id: id.to_string(), name: id.to_string(), visible: i == 0 || rng.chance(20), origin: None })
        .collect();
    let state = |rng: &mut Rng| -> Option<String> { if rng.chance(25) { None } else { rng.pick(&states).map(|s| s.to_string()) } };
    raw.website_access = (0..rng.below(3))
        .map(|i| RawWebsiteAccess {
            id: format!("WA{i}"),
            name: String::new(),
            web_roles: some_roles(&mut rng, &roles, 2),
            preview_unpublished: rng.chance(70),
            active: !rng.chance(15),
            origin: None,
        })
        .collect();
    pages(&mut rng, raw, &state);
    let page_ids: Vec<String> = raw.web_pages.iter().map(|p| p.id.clone()).collect();
    let mut rules = Vec::new();
    for i in 0..rng.below(page_ids.len() + 3) {
        let page = if rng.chance(8) { Some("P-missing".to_string()) } else { rng.pick(&page_ids).cloned() };
        let grant = rng.chance(35);
        rules.push(RawPageRule {
            id: format!("WPR{i}"),
            name: String::new(),
            page,
            right: if rng.chance(30) { Value::from(if grant { 1 } else { 2 }) } else { Value::from(if grant { "grant_change" } else { "restrict_read" }) },
            web_roles: some_roles(&mut rng, &roles, 3),
            scope: match rng.below(4) {
                0 => Some(Value::from(2)),
                1 => Some(Value::from("exclude_direct_child_web_files")),
                2 => Some(Value::from("all_content")),
                _ => None,
            },
            publishing_states: if grant && rng.chance(30) { vec![rng.pick(&states).map(|s| s.to_string()).unwrap_or_default()] } else { Vec::new() },
            active: !rng.chance(10),
            origin: None,
        });
    }
    raw.page_rules = rules;
    raw.web_files = (0..rng.below(page_ids.len() + 2))
        .map(|i| RawWebFile {
            id: format!("WF{i}"),
            name: format!("file{i}.pdf"),
            parent_page: if rng.chance(8) { "P-gone".to_string() } else { rng.pick(&page_ids).cloned().unwrap_or_default() },
            publishing_state: state(&mut rng),
            active: !rng.chance(10),
            origin: None,
        })
        .collect();
    endpoints(&mut rng, raw, &roles);
    let setting = |name: &str, value: &str| RawSetting { name: name.to_string(), value: value.to_string(), active: true, origin: None };
    if rng.chance(15) {
        raw.site_settings.push(setting("ServerLogic/Enabled", if rng.chance(50) { " FALSE " } else { "true" }));
    }
    if rng.chance(10) {
        raw.site_settings.push(setting("Authentication/Registration/Enabled", "false"));
    }
}

fn pages(rng: &mut Rng, raw: &mut RawTenant, state: &dyn Fn(&mut Rng) -> Option<String>) {
    let n = 1 + rng.below(12);
    let mut out: Vec<RawWebPage> = Vec::new();
    for i in 0..n {
        let id = format!("P{i}");
        let parent = match (i, rng.below(20)) {
            (0, _) | (_, 0) => None,
            (_, 1) => Some("P-nowhere".to_string()),
            // Any earlier page, or (rarely) a later one: cycles.
            (_, 2) => Some(format!("P{}", rng.below(n))),
            _ => Some(format!("P{}", rng.below(i))),
        };
        let partial_url = match rng.below(15) {
            0 => "Access-Denied".to_string(),
            1 => "page-not-found".to_string(),
            _ => format!("p{i}"),
        };
        out.push(RawWebPage {
            id,
            name: format!("Page {i}"),
            parent,
            root: None,
            partial_url,
            publishing_state: state(rng),
            components: Vec::new(),
            active: !rng.chance(8),
            origin: None,
        });
    }
    for j in 0..rng.below(4) {
        let root = match rng.below(8) {
            0 => "P-lost".to_string(),
            1 if j > 0 => format!("C{}", j - 1),
            _ => format!("P{}", rng.below(n)),
        };
        out.push(RawWebPage {
            id: format!("C{j}"),
            name: format!("Copy {j}"),
            parent: Some(format!("P{}", rng.below(n))),
            root: Some(root),
            partial_url: "copy".to_string(),
            publishing_state: state(rng),
            components: Vec::new(),
            active: !rng.chance(30),
            origin: None,
        });
    }
    rng.shuffle(&mut out);
    raw.web_pages = out;
}

fn endpoints(rng: &mut Rng, raw: &mut RawTenant, roles: &[String]) {
    const CODE: &[&str] = &[
        "function get() { return Server.Connector.Dataverse.RetrieveMultipleRecords(\"incidents\", \"\"); }",
        "function post() { const t = Server.Context.QueryParameters[\"t\"]; return Server.Connector.Dataverse.CreateRecord(t, \"{}\"); }",
        "function del() { return Server.Connector.Dataverse.InvokeCustomApi(\"x\", \"POST\", \"{}\"); }",
        "function get( { broken",
    ];
    raw.server_logic = (0..rng.below(4))
        .map(|i| RawServerLogic {
            id: format!("SL{i}"),
            name: format!("logic-{i}"),
            web_roles: some_roles(rng, roles, 3),
            code: Value::from(*rng.pick(CODE).unwrap_or(&"")),
            active: !rng.chance(15),
            code_file: None,
            origin: None,
        })
        .collect();
    raw.cloud_flows = (0..rng.below(3))
        .map(|i| RawCloudFlow {
            id: format!("CF{i}"),
            name: format!("flow {i}"),
            process_id: format!("00000000-0000-0000-0000-00000000000{i}"),
            web_roles: some_roles(rng, roles, 3),
            definition: Value::Null,
            active: !rng.chance(15),
            definition_file: None,
            origin: None,
        })
        .collect();
}
