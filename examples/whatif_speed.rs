//! Measures `whatif` on a big random tenant: one full derivation, one
//! one-permission scenario, and a batch of 100 scenarios.
//!
//! `cargo run --release --example whatif_speed -- [CONTACTS] [ROWS_PER_TABLE] [PERMISSIONS] [SEED]`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::perf::testkit::{random_tenant, Size};
use portal_access::answer::whatif::{parse_changes, WhatIf};
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
    let base = Analysis::with_grants(tenant, grants);
    let w = WhatIf::new(&base);

    // Permissions whose subtree grants per contact or account only (no
    // Global row anchors): changing one gives answers a person can read.
    let d = &base.grants.derived;
    let wide = |n: u32| d.in_all.contains(&n) || d.in_g.iter().any(|e| e.0 == n) || d.cand_anon.contains(&n);
    let below = |n: u32| -> bool {
        // n or some permission under it is wide
        (0..base.tenant.permissions.len() as u32).any(|m| {
            let mut cur = Some(m);
            while let Some(k) = cur {
                if k == n {
                    return wide(m);
                }
                cur = base.tenant.permissions[k as usize].parent;
            }
            false
        })
    };
    let narrow: Vec<String> = (0..base.tenant.permissions.len() as u32)
        .filter(|&n| !below(n))
        .map(|n| base.tenant.permissions[n as usize].id.clone())
        .collect();
    let plain_roles: Vec<String> =
        base.tenant.roles.iter().filter(|r| !r.anonymous && !r.authenticated).map(|r| r.id.clone()).collect();
    println!("{} of {} permissions are narrow", narrow.len(), base.tenant.permissions.len());
    let run = |changes: Vec<String>| {
        let scenarios: Vec<String> =
            changes.iter().enumerate().map(|(i, c)| format!(r#"{{"name": "s{i}", "changes": [{c}]}}"#)).collect();
        let set = parse_changes(&format!(r#"{{"scenarios": [{}]}}"#, scenarios.join(",")), "batch.json").unwrap();
        let mut times = Vec::new();
        let mut lines = 0;
        let t0 = Instant::now();
        for s in &set.scenarios {
            let t1 = Instant::now();
            let a = w.outcome(s);
            times.push(t1.elapsed());
            lines += a.summary().map(|s| s.gained + s.lost).unwrap_or(0);
            assert!(a.ok(), "{:?}", a.error());
        }
        let total = t0.elapsed();
        times.sort();
        (total, times[times.len() / 2], times[times.len() - 1], lines)
    };
    let p0 = narrow[0].clone();
    for change in [
        format!(r#"{{"op": "add_privilege", "permission": "{p0}", "privilege": "delete"}}"#),
        format!(r#"{{"op": "remove_privilege", "permission": "{p0}", "privilege": "read"}}"#),
        format!(r#"{{"op": "set_active", "permission": "{p0}", "active": false}}"#),
        r#"{"op": "set_lookup", "row": "incident:I1", "column": "customerid", "value": "C2"}"#.to_string(),
        r#"{"op": "add_row", "table": "incident", "row": {"id": "I-new", "customerid": "A1"}}"#.to_string(),
        r#"{"op": "set_lookup", "row": "contact:C1", "column": "parentcustomerid", "value": "A2"}"#.to_string(),
    ] {
        let (total, _, _, lines) = run(vec![change.clone()]);
        println!("one scenario {change}: {total:?}, {lines} grant lines");
    }
    let doc = format!(r#"{{"changes": [{{"op": "set_active", "permission": "{p0}", "active": false}}]}}"#);
    let set = parse_changes(&doc, "one.json").unwrap();
    let (edited, _) = portal_access::answer::whatif::build_scenario(&base.tenant, &set.scenarios[0]).unwrap();
    let t0 = Instant::now();
    let (raw2, effect) = portal_access::answer::whatif::apply_changes(&base.tenant, &set.scenarios[0].changes).unwrap();
    let t_apply = t0.elapsed();
    let t0 = Instant::now();
    let e2 = Tenant::build(raw2, "random.json").unwrap();
    let t_build = t0.elapsed();
    let t0 = Instant::now();
    let d2 = w.diff(&e2, &effect);
    println!(
        "breakdown: clone+edit {t_apply:?}, build {t_build:?}, diff {:?} ({} lines)",
        t0.elapsed(),
        d2.gained.len() + d2.lost.len()
    );
    let t0 = Instant::now();
    let full = w.diff_full(&edited);
    println!(
        "same scenario, diff with the edited tenant derived in full (build excluded): {:?} ({} lines)",
        t0.elapsed(),
        full.gained.len() + full.lost.len()
    );

    // A batch of 100 one-change scenarios over the narrow permissions.
    let mut changes = Vec::new();
    for i in 0..100 {
        let p = &narrow[i % narrow.len().max(1)];
        let r = &plain_roles[i % plain_roles.len().max(1)];
        changes.push(match i % 4 {
            0 => format!(r#"{{"op": "add_privilege", "permission": "{p}", "privilege": "delete"}}"#),
            1 => format!(r#"{{"op": "remove_privilege", "permission": "{p}", "privilege": "read"}}"#),
            2 => format!(r#"{{"op": "set_active", "permission": "{p}", "active": false}}"#),
            _ => format!(r#"{{"op": "link_role", "permission": "{p}", "role": "{r}"}}"#),
        });
    }
    let (total, median, max, lines) = run(changes);
    println!("batch of 100 scenarios: {total:?} (median {median:?}, max {max:?}, {lines} grant lines in all)");

    // The classic leak: a narrow permission made Global.
    if std::env::var_os("LEAK").is_none() {
        return;
    }
    let (total, _, _, lines) = run(vec![format!(r#"{{"op": "set_scope", "permission": "{p0}", "scope": "global"}}"#)]);
    println!("leak scenario (set_scope global on {p0}): {total:?}, {lines} grant lines");
}
