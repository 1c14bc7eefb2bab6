//! The speed of what-if scenarios against a full derivation (issue 5's
//! targets, measured by `bench`): one one-permission scenario, and a batch
//! of 100 configuration scenarios, with scenarios made from the tenant.
//!
//! Scenarios are drawn from the permissions whose tree admits rows only per
//! contact or per account (no Global rows, no anonymous grants) and whose
//! tree makes at most [`answer_cap`] grants: a scenario's answer is printed
//! grant by grant, so a change that gains or loses millions of grants is
//! bounded by its answer, not by re-derivation. The answer sizes are
//! reported with the times.

use super::changes::{parse_changes, Scenario};
use super::WhatIf;
use crate::answer::query::Analysis;
use serde::Serialize;
use std::time::Instant;

/// What-if figures of one tenant.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct WhatIfSpeed {
    /// Seconds of the full derivation compared against (derive + index).
    pub full_derive_seconds: f64,
    /// Permissions the scenarios were drawn from.
    pub permissions_used: usize,
    /// One-permission scenarios timed (each deactivates one permission).
    pub one: Vec<ScenarioTime>,
    /// Median seconds of the one-permission scenarios.
    pub one_median_seconds: f64,
    /// `one_median_seconds / full_derive_seconds`.
    pub one_ratio: f64,
    /// Scenarios in the batch.
    pub batch_scenarios: usize,
    /// Seconds for the whole batch.
    pub batch_seconds: f64,
    /// `batch_seconds / full_derive_seconds`.
    pub batch_ratio: f64,
    /// Grant lines (gained plus lost) of the whole batch.
    pub batch_lines: usize,
    /// Scenarios of the batch that failed to apply (expected: 0).
    pub batch_failed: usize,
}

/// One timed scenario.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ScenarioTime {
    /// The scenario's single change, as JSON.
    pub change: String,
    /// Seconds to apply, validate, derive and diff it.
    pub seconds: f64,
    /// Grant lines gained plus lost.
    pub lines: usize,
}

/// The largest number of grants a permission tree may make to be drawn.
pub fn answer_cap(rows: u64) -> usize {
    (rows / 10).max(1000) as usize
}

/// The scenario changes: `(one-permission changes, batch changes,
/// permissions drawn from)`.
pub fn scenario_changes(base: &Analysis, batch: usize) -> (Vec<String>, Vec<String>, usize) {
    let t = &base.tenant;
    let d = &base.grants.derived;
    let np = t.permissions.len();
    let root: Vec<u32> = (0..np as u32).map(|n| t.root_of(n)).collect();
    // Per tree: whether it admits Global rows or grants anonymously, and how many grants it makes.
    let mut wide = vec![false; np];
    let mut size = vec![0usize; np];
    let mut account_anchored = vec![false; np];
    let flag = |v: &mut Vec<bool>, n: u32| v[root[n as usize] as usize] = true;
    for &n in d.in_all.iter().chain(&d.cand_anon) {
        flag(&mut wide, n);
    }
    for &(n, _) in &d.in_g {
        flag(&mut wide, n);
    }
    let privs = |n: u32| t.permissions[n as usize].privileges.0.count_ones().max(1) as usize;
    for &(n, _, _) in &d.contact_grant {
        size[root[n as usize] as usize] += privs(n);
    }
    let mut contacts_of = std::collections::HashMap::new();
    for &(_, a) in t.contact_account.iter() {
        *contacts_of.entry(a).or_insert(0usize) += 1;
    }
    for &(n, a, _) in d.account_grant.iter().chain(&d.account_member_grant) {
        size[root[n as usize] as usize] += privs(n) * contacts_of.get(&a).copied().unwrap_or(0);
        flag(&mut account_anchored, n);
    }
    let cap = answer_cap(u64::from(t.row_count()));
    let roots_ok = |n: usize| {
        let r = root[n] as usize;
        !wide[r] && size[r] <= cap && (size[r] > 0 || t.permissions[n].active)
    };
    let perms: Vec<usize> = (0..np).filter(|&n| roots_ok(n)).collect();
    let plain_roles: Vec<&str> =
        t.roles.iter().filter(|r| !r.anonymous && !r.authenticated && r.active).map(|r| r.id.as_str()).collect();
    let id = |n: usize| t.permissions[n].id.as_str();
    let one: Vec<String> = perms
        .iter()
        .step_by((perms.len() / 5).max(1))
        .take(5)
        .map(|&n| format!(r#"{{"op": "set_active", "permission": {}, "active": false}}"#, json(id(n))))
        .collect();
    let contacts = t.contacts();
    let mut changes = Vec::new();
    for i in 0..if perms.is_empty() { 0 } else { batch } {
        let n = perms[(i * 7) % perms.len()];
        let p = json(id(n));
        let role = plain_roles.get(i % plain_roles.len().max(1)).copied();
        let root_roles = &t.permissions[root[n] as usize].roles;
        let contact = contacts.start + ((i as u32 * 7919) % contacts.len().max(1) as u32);
        let c = if contacts.is_empty() { None } else { Some(json(t.row_name(contact))) };
        let change = match (i % 6, role, c) {
            (0, _, _) => format!(r#"{{"op": "set_active", "permission": {p}, "active": false}}"#),
            (1, _, _) => format!(r#"{{"op": "remove_privilege", "permission": {p}, "privilege": "read"}}"#),
            (2, _, _) => format!(r#"{{"op": "add_privilege", "permission": {p}, "privilege": "delete"}}"#),
            (3, Some(r), _) if !account_anchored[root[n] as usize] => {
                format!(r#"{{"op": "link_role", "permission": {p}, "role": {}}}"#, json(r))
            }
            (4, _, Some(c)) if !root_roles.is_empty() => {
                let r = &t.roles[root_roles[i % root_roles.len()] as usize].id;
                format!(r#"{{"op": "add_member", "contact": {c}, "role": {}}}"#, json(r))
            }
            (5, _, _) if !root_roles.is_empty() => {
                let r = &t.roles[root_roles[0] as usize].id;
                format!(r#"{{"op": "unlink_role", "permission": {}, "role": {}}}"#, json(id(root[n] as usize)), json(r))
            }
            _ => format!(r#"{{"op": "remove_privilege", "permission": {p}, "privilege": "write"}}"#),
        };
        changes.push(change);
    }
    (one, changes, perms.len())
}

fn json(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

fn scenarios(changes: &[String]) -> Vec<Scenario> {
    let list: Vec<String> =
        changes.iter().enumerate().map(|(i, c)| format!(r#"{{"name": "s{i}", "changes": [{c}]}}"#)).collect();
    parse_changes(&format!(r#"{{"scenarios": [{}]}}"#, list.join(",")), "bench.json")
        .map(|s| s.scenarios)
        .unwrap_or_default()
}

/// Times the scenarios of [`scenario_changes`] against `full_derive_seconds`.
pub fn measure(base: &Analysis, full_derive_seconds: f64, batch: usize) -> WhatIfSpeed {
    let w = WhatIf::new(base);
    let (one_changes, batch_changes, permissions_used) = scenario_changes(base, batch);
    let lines = |o: &super::Outcome| o.summary().map_or(0, |s| s.gained + s.lost);
    let mut one = Vec::new();
    for (change, s) in one_changes.iter().zip(scenarios(&one_changes)) {
        let start = Instant::now();
        let o = w.outcome(&s);
        let seconds = start.elapsed().as_secs_f64();
        one.push(ScenarioTime { change: change.clone(), seconds, lines: lines(&o) });
    }
    let mut times: Vec<f64> = one.iter().map(|s| s.seconds).collect();
    times.sort_by(f64::total_cmp);
    let one_median_seconds = times.get(times.len() / 2).copied().unwrap_or(0.0);
    let batch_set = scenarios(&batch_changes);
    let (mut batch_lines, mut batch_failed) = (0, 0);
    let start = Instant::now();
    for s in &batch_set {
        let o = w.outcome(s);
        batch_lines += lines(&o);
        batch_failed += usize::from(!o.ok());
    }
    let batch_seconds = start.elapsed().as_secs_f64();
    let full = full_derive_seconds.max(1e-9);
    WhatIfSpeed {
        full_derive_seconds,
        permissions_used,
        one_ratio: one_median_seconds / full,
        one_median_seconds,
        one,
        batch_scenarios: batch_set.len(),
        batch_seconds,
        batch_ratio: batch_seconds / full,
        batch_lines,
        batch_failed,
    }
}
