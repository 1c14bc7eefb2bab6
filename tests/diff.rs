//! `diff OLD NEW` (whatif.md, "Diff of two tenants"): on random pairs of
//! tenants (a random tenant and a random edit of its JSON, or two unrelated
//! tenants), the answer equals the difference of the two grant sets (S25),
//! each derived from scratch and expanded grant by grant; and the command
//! line answers, exits and prints as `whatif` does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{expected_newcomer, grant_line_set, run_bin, walked_newcomer_lines};
use portal_access::answer::diff::{diff_tenants, effect_between, scenario_name, streamed};
use portal_access::answer::whatif::{GrantDiff, Summary, WhatIf};
use portal_access::load::native::parse_native;
use portal_access::perf::testkit::{random_channels, random_tenant, Rng, Size};
use portal_access::{Analysis, Tenant};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

const PRIVILEGES: [&str; 6] = ["read", "write", "create", "delete", "append", "append_to"];
const SCOPES: [&str; 6] = ["global", "contact", "account", "parent", "self", "custom"];

fn pick(rng: &mut Rng, items: &[String]) -> String {
    items.get(rng.below(items.len().max(1))).cloned().unwrap_or_else(|| "missing".into())
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().map(|a| a.iter().filter_map(|x| x["id"].as_str().map(String::from)).collect()).unwrap_or_default()
}

/// One random edit of a tenant's JSON: configuration (privileges, scopes,
/// roles, members, flags, order of lists), data (lookups, rows, N:N pairs),
/// and what a change set cannot do (reorder roles or permissions).
fn mutate(t: &Tenant, v: &mut Value, rng: &mut Rng) {
    let perms = ids(&v["table_permissions"]);
    let roles = ids(&v["web_roles"]);
    let rels: Vec<String> = t.relationships.iter().map(|r| r.name.clone()).collect();
    let np = perms.len().max(1);
    let p = rng.below(np);
    match rng.below(15) {
        14 => {
            // Registration closed or opened again (C8): every newcomer grant changes.
            let list = v["site_settings"].as_array().cloned().unwrap_or_default();
            let (closing, kept): (Vec<Value>, Vec<Value>) = list
                .into_iter()
                .partition(|s| s["name"].as_str().is_some_and(|n| n.to_lowercase().starts_with("authentication/registration/")));
            let mut now = kept;
            if closing.is_empty() {
                now.push(json!({"name": "Authentication/Registration/Enabled", "value": "false"}));
            }
            v["site_settings"] = Value::Array(now);
        }
        0 | 1 => {
            let list = &mut v["table_permissions"][p]["privileges"];
            let priv_ = PRIVILEGES[rng.below(6)];
            let mut now: Vec<Value> = list.as_array().cloned().unwrap_or_default();
            if let Some(i) = now.iter().position(|x| x == priv_) {
                now.remove(i);
            } else {
                now.push(json!(priv_));
            }
            *list = Value::Array(now);
        }
        2 => {
            let scope = SCOPES[rng.below(6)];
            let perm = &mut v["table_permissions"][p];
            perm["scope"] = json!(scope);
            match scope {
                "contact" => perm["contact_relationship"] = json!(pick(rng, &rels)),
                "account" => perm["account_relationship"] = json!(pick(rng, &rels)),
                "parent" => {
                    perm["parent"] = json!(pick(rng, &perms));
                    perm["parent_relationship"] = json!(pick(rng, &rels));
                }
                _ => {}
            }
        }
        3 => {
            let role = pick(rng, &roles);
            let list = &mut v["table_permissions"][p]["web_roles"];
            let mut now: Vec<Value> = list.as_array().cloned().unwrap_or_default();
            if let Some(i) = now.iter().position(|x| x == role.as_str()) {
                now.remove(i);
            } else {
                now.push(json!(role));
            }
            *list = Value::Array(now);
        }
        4 | 5 => {
            let (key, table) = if rng.chance(60) { ("contacts", "contact") } else { ("accounts", "account") };
            let rows = t.table_id(table).map(|i| t.tables[i as usize].ids.to_vec()).unwrap_or_default();
            let pair = json!([pick(rng, &rows), pick(rng, &roles)]);
            let list = &mut v["role_members"][key];
            let mut now: Vec<Value> = list.as_array().cloned().unwrap_or_default();
            if let Some(i) = now.iter().position(|x| *x == pair) {
                now.remove(i);
            } else if !now.is_empty() && rng.chance(50) {
                now.remove(rng.below(now.len()));
            } else {
                now.push(pair);
            }
            *list = Value::Array(now);
        }
        6 => {
            let r = rng.below(roles.len().max(1));
            let flag = ["active", "anonymous_users", "authenticated_users"][rng.below(3)];
            let role = &mut v["web_roles"][r];
            let now = role[flag].as_bool().unwrap_or(flag == "active");
            role[flag] = json!(!now);
        }
        7 => {
            let perm = &mut v["table_permissions"][p];
            let now = perm["active"].as_bool().unwrap_or(true);
            perm["active"] = json!(!now);
        }
        8 => {
            // A new role: at the end, or first (the roles no longer line up).
            let role = json!({"id": "R-new", "name": "new", "anonymous_users": rng.chance(50), "authenticated_users": rng.chance(50)});
            let list = v["web_roles"].as_array_mut().unwrap();
            if rng.chance(50) {
                list.push(role);
            } else {
                list.insert(0, role);
            }
            v["table_permissions"][p]["web_roles"] = json!(["R-new"]);
        }
        9 => {
            let list = v["table_permissions"].as_array_mut().unwrap();
            list.reverse();
        }
        10 => {
            if let Some(list) = v["web_roles"].as_array_mut() {
                list.reverse();
            }
        }
        11 => {
            // A lookup of a row: set to another row of its target, or cleared.
            let Some(rows) = v["rows"].as_object_mut() else { return };
            let names: Vec<String> = rows.keys().cloned().collect();
            let table = pick(rng, &names);
            let Some(list) = rows.get_mut(&table).and_then(|l| l.as_array_mut()) else { return };
            if list.is_empty() {
                return;
            }
            let i = rng.below(list.len());
            let row = &mut list[i];
            let lookups: Vec<String> = t
                .relationships
                .iter()
                .filter_map(|r| match &r.kind {
                    portal_access::model::RelKind::OneToMany { referencing, lookup, .. }
                        if t.tables[*referencing as usize].name == table =>
                    {
                        Some(lookup.clone())
                    }
                    _ => None,
                })
                .collect();
            if lookups.is_empty() {
                return;
            }
            let col = pick(rng, &lookups);
            let others: Vec<String> = t.tables.iter().flat_map(|tb| tb.ids.iter().map(String::from)).collect();
            row[col.as_str()] = if rng.chance(25) { Value::Null } else { json!(pick(rng, &others)) };
        }
        12 => {
            // Remove a row (its lookups elsewhere then dangle, S24).
            let Some(rows) = v["rows"].as_object_mut() else { return };
            let names: Vec<String> = rows.keys().cloned().collect();
            let table = pick(rng, &names);
            if let Some(list) = rows.get_mut(&table).and_then(|l| l.as_array_mut()) {
                if !list.is_empty() {
                    let i = rng.below(list.len());
                    list.remove(i);
                }
            }
        }
        _ => {
            // Add a row to some table.
            let Some(rows) = v["rows"].as_object_mut() else { return };
            let names: Vec<String> = rows.keys().cloned().collect();
            let table = pick(rng, &names);
            if let Some(list) = rows.get_mut(&table).and_then(|l| l.as_array_mut()) {
                let at = rng.below(list.len() + 1);
                list.insert(at, json!({"id": "new-row"}));
            }
        }
    }
}

fn build(text: &str, name: &str) -> Option<Tenant> {
    Tenant::build(parse_native(text, name).ok()?, name).ok()
}

/// The expected difference: both grant sets in full, as sets.
fn expected(old: &Analysis, new: &Analysis) -> GrantDiff {
    let (gb, ge) = (grant_line_set(old), grant_line_set(new));
    GrantDiff { gained: ge.difference(&gb).cloned().collect(), lost: gb.difference(&ge).cloned().collect() }
}

/// Checks one pair; returns whether the factored comparison answered.
fn check_pair(old: &Analysis, new: Tenant, context: &str) -> bool {
    let after = Analysis::new(new.clone());
    let want = expected(old, &after);
    let w = WhatIf::new(old);
    let d = diff_tenants(&w, old, new, "old -> new");
    let factored = d.is_factored();
    let got = d.answer();
    let visitors: BTreeSet<&str> = want.gained.iter().chain(&want.lost).map(|g| g.visitor.as_str()).collect();
    let summary = Summary { gained: want.gained.len(), lost: want.lost.len(), visitors_affected: visitors.len() };
    assert_eq!(
        (got.gained.as_ref(), got.lost.as_ref()),
        (Some(&want.gained), Some(&want.lost)),
        "factored: {factored}; {context}"
    );
    assert_eq!(got.summary, Some(summary), "{context}");
    // The newcomer (C9), against the graph walker's extra contact.
    if let (Some(b), Some(a)) = (walked_newcomer_lines(&old.tenant, 3000), walked_newcomer_lines(&after.tenant, 3000)) {
        assert_eq!(got.newcomer, expected_newcomer(b, a), "newcomer; factored: {factored}; {context}");
    }
    // The JSON the command prints is the serialized answer.
    let mut bytes = Vec::new();
    d.write_json(&mut bytes).unwrap();
    assert_eq!(String::from_utf8(bytes).unwrap(), serde_json::to_string(&got).unwrap(), "{context}");
    factored
}

/// One random case: a tenant and 1 to 4 random edits of its JSON.
fn check(seed: u64, edit_seed: u64, n: usize, size: Size) -> Option<bool> {
    let mut raw = random_tenant(seed, size);
    if seed.is_multiple_of(3) {
        random_channels(seed, &mut raw);
    }
    let old = Analysis::new(Tenant::build(raw, "old.json").unwrap());
    let mut v = serde_json::to_value(&old.tenant.raw).unwrap();
    let mut rng = Rng(edit_seed);
    for _ in 0..n {
        mutate(&old.tenant, &mut v, &mut rng);
    }
    let text = v.to_string();
    let new = build(&text, "new.json")?;
    Some(check_pair(&old, new, &format!("tenant seed {seed}, edit seed {edit_seed}, {n} edits")))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn diff_equals_the_difference_of_the_grant_sets(
        seed in any::<u64>(),
        edit_seed in any::<u64>(),
        n in 1usize..5,
        medium in proptest::bool::weighted(0.15),
    ) {
        let size = if medium { Size::medium() } else { Size::small() };
        check(seed, edit_seed, n, size);
    }

    #[test]
    fn diff_of_unrelated_tenants_is_exact(a in any::<u64>(), b in any::<u64>()) {
        let old = Analysis::new(Tenant::build(random_tenant(a, Size::small()), "a.json").unwrap());
        let new = Tenant::build(random_tenant(b, Size::small()), "b.json").unwrap();
        check_pair(&old, new, &format!("seeds {a} and {b}"));
    }
}

/// The generator must mostly produce tenants that load, and exercise both
/// ways of answering, or the property above checks little.
#[test]
fn random_edits_mostly_load_and_use_both_ways() {
    let runs: Vec<Option<bool>> = (0..48u64).map(|s| check(s, s.wrapping_mul(7919) + 1, 1 + (s as usize % 3), Size::small())).collect();
    let loaded = runs.iter().flatten().count();
    let factored = runs.iter().flatten().filter(|&&f| f).count();
    assert!(loaded >= 32, "only {loaded} of 48 edited tenants loaded");
    assert!(factored >= 16 && factored < loaded, "{factored} of {loaded} answered by the factored comparison");
}

#[test]
fn one_permission_changed_is_factored_and_names_only_it() {
    let old = Analysis::new(Tenant::build(random_tenant(3, Size::medium()), "old.json").unwrap());
    let mut v = serde_json::to_value(&old.tenant.raw).unwrap();
    v["table_permissions"][0]["scope"] = json!("global");
    let new = build(&v.to_string(), "new.json").unwrap();
    let effect = effect_between(&old.tenant, &new).unwrap();
    let id = old.tenant.raw.table_permissions[0].id.clone();
    assert!(effect.perms.contains(&id) && effect.perms.len() == 1, "{:?}", effect.perms);
    assert!(effect.roles.is_empty() && effect.rels.is_empty() && effect.tables.is_empty());
    assert!(check_pair(&old, new, "first permission made global"));
}

#[test]
fn reordered_roles_fall_back_to_the_streams() {
    let old = Analysis::new(Tenant::build(random_tenant(9, Size::small()), "old.json").unwrap());
    let mut v = serde_json::to_value(&old.tenant.raw).unwrap();
    v["web_roles"].as_array_mut().unwrap().reverse();
    let new = build(&v.to_string(), "new.json").unwrap();
    assert!(effect_between(&old.tenant, &new).is_none());
    assert!(!check_pair(&old, new.clone(), "roles reversed"));
    // Reordering alone changes no grant.
    let a = streamed(&old, Analysis::new(new), "x");
    assert_eq!((a.gained, a.lost), (Some(vec![]), Some(vec![])));
}

fn example(name: &str) -> String {
    format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The example tenant with the anonymous knowledge-article permission
/// moved to cases: anonymous gains every case, loses the articles.
fn anonymous_cases(dir: &Path) -> String {
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(example("customer-service.json")).unwrap()).unwrap();
    for p in v["table_permissions"].as_array_mut().unwrap() {
        if p["id"] == "TP-kb-anon" {
            p["table"] = json!("incident");
        }
    }
    let path = dir.join("new.json");
    std::fs::write(&path, v.to_string()).unwrap();
    path.display().to_string()
}

#[test]
fn cli_answers_as_whatif_with_one_scenario_and_fails_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (example("customer-service.json"), anonymous_cases(dir.path()));
    let (code, out, err) = run_bin(&["diff", &old, &new, "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let s = &v["scenarios"][0];
    assert_eq!(s["name"], json!(scenario_name(Path::new(&old), Path::new(&new))));
    assert_eq!(s["ok"], json!(true));
    let old_a = Analysis::load(Path::new(&old)).unwrap();
    let new_a = Analysis::load(Path::new(&new)).unwrap();
    let want = expected(&old_a, &new_a);
    assert_eq!(s["gained"], serde_json::to_value(&want.gained).unwrap());
    assert_eq!(s["lost"], serde_json::to_value(&want.lost).unwrap());
    assert!(want.gained.iter().all(|g| g.visitor == "anonymous") && !want.gained.is_empty());
    for (flag, code) in [("anonymous", 4), ("anyone", 4), ("gained", 4), ("lost", 4)] {
        assert_eq!(run_bin(&["diff", &old, &new, "--fail-on", flag]).0, code, "--fail-on {flag}");
    }
    // The reverse direction swaps the lists.
    let (_, back, _) = run_bin(&["diff", &new, &old, "--json"]);
    let back: Value = serde_json::from_str(&back).unwrap();
    assert_eq!((&back["scenarios"][0]["gained"], &back["scenarios"][0]["lost"]), (&s["lost"], &s["gained"]));
    // The same tenant as a folder and as a file: no difference.
    let (code, out, _) = run_bin(&["diff", &old, &example("customer-service-folder"), "--fail-on", "gained", "--fail-on", "lost"]);
    assert_eq!(code, 0, "{out}");
    // Readable answer, bounded by --limit.
    let (code, out, _) = run_bin(&["diff", &old, &new, "--limit", "2"]);
    assert_eq!(code, 0);
    assert!(out.contains("anonymous gains") && out.contains("more"), "{out}");
}

#[test]
fn cli_bad_input_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"format\": \"portal-access/tenant@1\",\n \"web_roles\": 3}").unwrap();
    let (code, _, err) = run_bin(&["diff", &example("customer-service.json"), bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.json"), "{err}");
}
