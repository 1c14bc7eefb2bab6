//! Differential test of `whatif`: on random tenants and random change sets,
//! the answer equals the difference of the full grant sets (S25) of the
//! tenant and of the edited tenant, both derived from scratch and expanded
//! grant by grant.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{expected_newcomer, grant_line_set, walked_newcomer_lines};
use portal_access::model::RelKind;
use portal_access::perf::testkit::{random_channels, random_tenant, Rng, Size};
use portal_access::answer::whatif::{build_scenario, parse_changes, GrantDiff, Summary, WhatIf};
use portal_access::{Analysis, Tenant};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// One of `items`, or (3% of the time, and always when there are none) a
/// name that exists nowhere, so that failing scenarios are drawn too.
fn some(rng: &mut Rng, items: &[String]) -> String {
    if items.is_empty() || rng.chance(3) {
        "missing".to_string()
    } else {
        items[rng.below(items.len())].clone()
    }
}

const PRIVILEGES: [&str; 6] = ["read", "write", "create", "delete", "append", "append_to"];
const SCOPES: [&str; 6] = ["global", "contact", "account", "parent", "self", "custom"];

/// One random change, naming mostly things that exist in `t`.
fn random_change(t: &Tenant, rng: &mut Rng, k: usize) -> Value {
    let perms: Vec<String> = t.permissions.iter().map(|p| p.id.clone()).collect();
    let roles: Vec<String> = t.roles.iter().map(|r| r.id.clone()).collect();
    let rels: Vec<String> = t.relationships.iter().map(|r| r.name.clone()).collect();
    let tables: Vec<String> = t.tables.iter().filter(|tb| !tb.ids.is_empty()).map(|tb| tb.name.clone()).collect();
    let rows_of =
        |name: &str| -> Vec<String> { t.table_id(name).map(|i| t.tables[i as usize].ids.to_vec()).unwrap_or_default() };
    let contacts = rows_of("contact");
    let accounts = rows_of("account");
    let scope = |rng: &mut Rng| SCOPES[rng.below(SCOPES.len())];
    match rng.below(17) {
        0 => {
            let scope = scope(rng);
            let mut p = json!({"id": format!("TP-new{k}"), "name": "new", "table": some(rng, &tables), "scope": scope});
            let privileges: Vec<&str> = PRIVILEGES.iter().copied().filter(|_| rng.chance(50)).collect();
            p["privileges"] = json!(privileges);
            let web_roles: Vec<String> = (0..rng.below(3)).map(|_| some(rng, &roles)).collect();
            p["web_roles"] = json!(web_roles);
            match scope {
                "contact" => p["contact_relationship"] = json!(some(rng, &rels)),
                "account" => p["account_relationship"] = json!(some(rng, &rels)),
                _ => {}
            }
            if scope == "parent" || rng.chance(25) {
                p["parent"] = json!(some(rng, &perms));
                p["parent_relationship"] = json!(some(rng, &rels));
            }
            json!({"op": "add_permission", "permission": p})
        }
        1 => json!({"op": "remove_permission", "permission": some(rng, &perms)}),
        2 => {
            let scope = scope(rng);
            let mut c = json!({"op": "set_scope", "permission": some(rng, &perms), "scope": scope});
            match scope {
                "contact" => c["contact_relationship"] = json!(some(rng, &rels)),
                "account" => c["account_relationship"] = json!(some(rng, &rels)),
                "parent" => {
                    c["parent"] = json!(some(rng, &perms));
                    c["parent_relationship"] = json!(some(rng, &rels));
                }
                _ if rng.chance(20) => c["parent"] = Value::Null,
                _ => {}
            }
            c
        }
        3 | 4 => {
            let op = if rng.chance(50) { "add_privilege" } else { "remove_privilege" };
            json!({"op": op, "permission": some(rng, &perms), "privilege": PRIVILEGES[rng.below(6)]})
        }
        5 => {
            if rng.chance(50) {
                json!({"op": "set_active", "permission": some(rng, &perms), "active": rng.chance(50)})
            } else {
                json!({"op": "set_active", "role": some(rng, &roles), "active": rng.chance(50)})
            }
        }
        6 => json!({"op": "link_role", "permission": some(rng, &perms), "role": some(rng, &roles)}),
        7 => json!({"op": "unlink_role", "permission": some(rng, &perms), "role": some(rng, &roles)}),
        8 => json!({"op": "add_role", "role": {"id": format!("R-new{k}"), "name": "new",
            "anonymous_users": rng.chance(30), "authenticated_users": rng.chance(30), "active": rng.chance(85)}}),
        9 => json!({"op": "remove_role", "role": some(rng, &roles)}),
        10 | 11 => {
            let op = if rng.below(2) == 0 { "add_member" } else { "remove_member" };
            if rng.chance(60) {
                json!({"op": op, "contact": some(rng, &contacts), "role": some(rng, &roles)})
            } else {
                json!({"op": op, "account": some(rng, &accounts), "role": some(rng, &roles)})
            }
        }
        12 => {
            // A lookup column of the row's table, and a row of a table it may
            // name; often a contact's account (S1).
            let table = if rng.chance(30) { "contact".to_string() } else { some(rng, &tables) };
            let row = some(rng, &rows_of(&table));
            let options: Vec<(String, String)> = t
                .relationships
                .iter()
                .filter_map(|r| match &r.kind {
                    RelKind::OneToMany { referencing, lookup, referenced }
                        if t.tables[*referencing as usize].name == table =>
                    {
                        Some((lookup.clone(), t.tables[*referenced as usize].name.clone()))
                    }
                    _ => None,
                })
                .collect();
            let (column, target) =
                options.get(rng.below(options.len())).cloned().unwrap_or(("name".into(), table.clone()));
            let value = if rng.chance(20) { Value::Null } else { json!(some(rng, &rows_of(&target))) };
            json!({"op": "set_lookup", "row": format!("{table}:{row}"), "column": column, "value": value})
        }
        13 => {
            let table = some(rng, &tables);
            let mut row = json!({"id": format!("new{k}")});
            for r in &t.relationships {
                if let RelKind::OneToMany { referencing, lookup, referenced } = &r.kind {
                    if t.tables[*referencing as usize].name == table && rng.chance(60) {
                        let target = t.tables[*referenced as usize].name.clone();
                        row[lookup.as_str()] = json!(some(rng, &rows_of(&target)));
                    }
                }
            }
            json!({"op": "add_row", "table": table, "row": row})
        }
        14 => {
            let table = some(rng, &tables);
            json!({"op": "remove_row", "row": format!("{table}:{}", some(rng, &rows_of(&table)))})
        }
        _ => {
            let nn: Vec<(String, String, String)> = t
                .relationships
                .iter()
                .filter_map(|r| match &r.kind {
                    RelKind::ManyToMany { tables } => Some((
                        r.name.clone(),
                        t.tables[tables[0] as usize].name.clone(),
                        t.tables[tables[1] as usize].name.clone(),
                    )),
                    _ => None,
                })
                .collect();
            let Some((name, a, b)) = nn.get(rng.below(nn.len())).cloned() else {
                return json!({"op": "remove_role", "role": some(rng, &roles)});
            };
            let op = if rng.chance(50) { "associate" } else { "disassociate" };
            // Disassociate mostly an existing pair.
            let pair = match (&t.raw.associations.get(&name), op) {
                (Some(Value::Array(pairs)), "disassociate") if !pairs.is_empty() && rng.chance(80) => {
                    pairs[rng.below(pairs.len())].clone()
                }
                _ => json!([some(rng, &rows_of(&a)), some(rng, &rows_of(&b))]),
            };
            json!({"op": op, "relationship": name, "pair": pair})
        }
    }
}

fn random_changes(t: &Tenant, seed: u64, n: usize) -> String {
    let mut rng = Rng(seed);
    let changes: Vec<Value> = (0..n).map(|k| random_change(t, &mut rng, k)).collect();
    json!({"format": "portal-access/changes@1", "scenarios": [{"name": "random", "changes": changes}]}).to_string()
}

/// Runs one random case; returns whether the scenario applied.
fn check(seed: u64, change_seed: u64, n: usize, size: Size) -> bool {
    let mut raw = random_tenant(seed, size);
    if seed.is_multiple_of(3) {
        // Settings that may close registration (C8).
        random_channels(seed, &mut raw);
    }
    let base = Analysis::new(Tenant::build(raw, "random.json").unwrap());
    let doc = random_changes(&base.tenant, change_seed, n);
    let set = parse_changes(&doc, "random-changes.json").unwrap();
    let Ok((edited, effect)) = build_scenario(&base.tenant, &set.scenarios[0]) else {
        return false;
    };
    let w = WhatIf::new(&base);
    let got = w.diff(&edited, &effect);
    let after = Analysis::new(edited.clone());
    let (gb, ge) = (grant_line_set(&base), grant_line_set(&after));
    let expected =
        GrantDiff { gained: ge.difference(&gb).cloned().collect(), lost: gb.difference(&ge).cloned().collect() };
    assert_eq!(got, expected, "tenant seed {seed}, changes {doc}");
    assert_eq!(w.diff_full(&edited), expected, "full derivation, tenant seed {seed}, changes {doc}");
    // The scenario answer (lists printed from ids, summary) says the same.
    let answer = w.run(&set.scenarios[0]);
    let visitors: BTreeSet<&str> = expected.gained.iter().chain(&expected.lost).map(|g| g.visitor.as_str()).collect();
    let summary =
        Summary { gained: expected.gained.len(), lost: expected.lost.len(), visitors_affected: visitors.len() };
    assert_eq!(answer.summary, Some(summary));
    assert_eq!((answer.gained, answer.lost), (Some(expected.gained.clone()), Some(expected.lost.clone())));
    // The newcomer (C9), against the graph walker's extra contact.
    if let (Some(b), Some(a)) = (walked_newcomer_lines(&base.tenant, 3000), walked_newcomer_lines(&edited, 3000)) {
        assert_eq!(answer.newcomer, expected_newcomer(b, a), "newcomer, tenant seed {seed}, changes {doc}");
    }
    true
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn whatif_equals_the_difference_of_full_grant_sets(
        seed in any::<u64>(),
        change_seed in any::<u64>(),
        n in 1usize..5,
        medium in proptest::bool::weighted(0.2),
    ) {
        let size = if medium { Size::medium() } else { Size::small() };
        check(seed, change_seed, n, size);
    }
}

/// The generator must mostly produce scenarios that apply, or the
/// differential test above checks little.
#[test]
fn random_change_sets_mostly_apply() {
    let ok = (0..64u64).filter(|&s| check(s, s.wrapping_mul(7919), 1 + (s as usize % 4), Size::small())).count();
    assert!(ok >= 40, "only {ok} of 64 random scenarios applied");
}
