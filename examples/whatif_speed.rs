//! Measures `whatif` on a big random tenant: one full derivation, one
//! one-permission scenario, and a batch of 100 scenarios.
//!
//! `cargo run --release --example whatif_speed -- [CONTACTS] [ROWS_PER_TABLE] [PERMISSIONS] [SEED]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::testkit::{random_tenant, Size};
use portal_access::whatif::{parse_changes, WhatIf};
use portal_access::{Analysis, Grants, Tenant};
use std::time::Instant;

fn main() {
    let args: Vec<u64> = std::env::args().skip(1).map(|a| a.parse().unwrap()).collect();
    let arg = |i: usize, d: u64| args.get(i).copied().unwrap_or(d);
    let size = Size {
        contacts: arg(0, 20_000) as usize,
        accounts: (arg(0, 20_000) / 10) as usize,
        rows_per_table: arg(1, 20_000) as usize,
        permissions: arg(2, 60) as usize,
    };
    let raw = random_tenant(arg(3, 7), size);

    let t0 = Instant::now();
    let tenant = Tenant::build(raw, "random.json").unwrap();
    let build = t0.elapsed();
    let t0 = Instant::now();
    let grants = Grants::derive(&tenant);
    let derive = t0.elapsed();
    println!(
        "tenant: {} rows, {} links, {} contacts, {} permissions, {} derived facts",
        tenant.row_count(),
        tenant.links.len(),
        tenant.contacts().len(),
        tenant.permissions.len(),
        grants.fact_count()
    );
    println!("full: build {build:?}, derive {derive:?}, total {:?}", build + derive);
    let base = Analysis { tenant, grants };
    let w = WhatIf::new(&base);

    // One permission: each privilege flag flipped on the permission with the
    // most derived facts, one scenario at a time.
    let perms: Vec<String> = base.tenant.permissions.iter().map(|p| p.id.clone()).collect();
    let one = |change: String| {
        let doc = format!(r#"{{"scenarios": [{{"name": "one", "changes": [{change}]}}]}}"#);
        let set = parse_changes(&doc, "one.json").unwrap();
        let t0 = Instant::now();
        let a = w.run(&set.scenarios[0]);
        (t0.elapsed(), a)
    };
    for (i, id) in perms.iter().take(3).enumerate() {
        let (d, a) = one(format!(r#"{{"op": "add_privilege", "permission": "{id}", "privilege": "delete"}}"#));
        println!("scenario {i} add_privilege {id}: {d:?}, ok {}, {:?}", a.ok, a.summary);
        let (d, a) = one(format!(r#"{{"op": "remove_privilege", "permission": "{id}", "privilege": "read"}}"#));
        println!("scenario {i} remove_privilege {id}: {d:?}, ok {}, {:?}", a.ok, a.summary);
    }
    // The full re-derivation path, for comparison.
    let doc = format!(r#"{{"changes": [{{"op": "remove_privilege", "permission": "{}", "privilege": "read"}}]}}"#, perms[0]);
    let set = parse_changes(&doc, "one.json").unwrap();
    let (edited, _) = portal_access::whatif::build_scenario(&base.tenant, &set.scenarios[0]).unwrap();
    let t0 = Instant::now();
    let full = w.diff_full(&edited);
    println!("same scenario, edited tenant derived in full: {:?} ({} gained, {} lost)", t0.elapsed(), full.gained.len(), full.lost.len());

    // A batch of 100 one-change scenarios over different permissions and roles.
    let roles: Vec<String> = base.tenant.roles.iter().map(|r| r.id.clone()).collect();
    let mut scenarios = Vec::new();
    for i in 0..100 {
        let p = &perms[i % perms.len()];
        let r = &roles[i % roles.len()];
        let change = match i % 4 {
            0 => format!(r#"{{"op": "add_privilege", "permission": "{p}", "privilege": "write"}}"#),
            1 => format!(r#"{{"op": "set_active", "permission": "{p}", "active": false}}"#),
            2 => format!(r#"{{"op": "link_role", "permission": "{p}", "role": "{r}"}}"#),
            _ => format!(r#"{{"op": "set_active", "role": "{r}", "active": false}}"#),
        };
        scenarios.push(format!(r#"{{"name": "s{i}", "changes": [{change}]}}"#));
    }
    let doc = format!(r#"{{"scenarios": [{}]}}"#, scenarios.join(","));
    let set = parse_changes(&doc, "batch.json").unwrap();
    let t0 = Instant::now();
    let answer = w.run_all(&[set]);
    let batch = t0.elapsed();
    let lines: usize = answer.scenarios.iter().filter_map(|s| s.summary).map(|s| s.gained + s.lost).sum();
    println!(
        "batch of 100 scenarios: {batch:?} ({} ok, {lines} grant lines in all)",
        answer.scenarios.iter().filter(|s| s.ok).count()
    );
}
