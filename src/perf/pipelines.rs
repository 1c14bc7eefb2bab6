//! The speed of the pipeline commands (issue 15's targets, measured by
//! `bench --pipelines`), each against a baseline timed in the same run:
//!
//! - `diff OLD NEW` of two copies of the tenant that differ in one
//!   permission (a one-permission scenario of [`scenario_changes`], written
//!   to a second file), from the files to the printed JSON, against loading
//!   both files plus one full derivation (target: at most 1.3x);
//! - `test` of [`EXPECTATIONS`] expectations drawn from the tenant's own
//!   answers (so that they hold), parsed and run against the derived tenant,
//!   against one full derivation (target: at most 2x).

use crate::answer::diff::diff_tenants;
use crate::answer::expect;
use crate::answer::query::Analysis;
use crate::answer::whatif::speed::scenario_changes;
use crate::answer::whatif::{build_scenario, parse_changes, WhatIf};
use crate::engine::{Grants, Visitor};
use crate::load::expectations::parse_expectations;
use crate::model::{Privilege, Tenant};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

/// Expectations in the `test` measurement.
pub const EXPECTATIONS: usize = 1000;

/// Pipeline figures of one tenant.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PipelineSpeed {
    /// The change between the two tenants of the diff.
    pub diff_change: String,
    /// Seconds of `diff`: load both, derive, compare, print JSON.
    pub diff_seconds: f64,
    /// Seconds to load both files plus one full derivation (derive + index).
    pub load_both_derive_seconds: f64,
    /// `diff_seconds / load_both_derive_seconds` (target at most 1.3).
    pub diff_ratio: f64,
    /// Whether the factored comparison answered.
    pub diff_factored: bool,
    /// Grant lines gained plus lost.
    pub diff_lines: usize,
    /// Expectations run.
    pub test_expectations: usize,
    /// Of which failed (expected: 0).
    pub test_failed: usize,
    /// Seconds to parse and run them (the tenant already derived).
    pub test_seconds: f64,
    /// Seconds of one full derivation (derive + index).
    pub full_derive_seconds: f64,
    /// `test_seconds / full_derive_seconds` (target at most 2).
    pub test_ratio: f64,
}

/// Why the pipelines could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The tenant failed to load.
    #[error(transparent)]
    Load(#[from] crate::error::LoadError),
    /// A temporary file could not be written.
    #[error("cannot write a temporary tenant: {0}")]
    Temp(#[from] std::io::Error),
}

fn secs(start: Instant) -> f64 {
    start.elapsed().as_secs_f64()
}

/// Measures `diff` and `test` on the tenant at `path`.
pub fn measure(path: &Path) -> Result<PipelineSpeed, PipelineError> {
    let mut s = PipelineSpeed::default();
    let base = Analysis::load(path)?;

    // The second version: one permission deactivated (or, with none to
    // draw from, the first permission's `delete` flipped).
    let (one, _, _) = scenario_changes(&base, 0);
    let change = one.first().cloned().or_else(|| {
        base.tenant.permissions.first().map(|p| {
            let op = if p.privileges.has(Privilege::Delete) { "remove_privilege" } else { "add_privilege" };
            format!(r#"{{"op": "{op}", "permission": {}, "privilege": "delete"}}"#, serde_json::Value::from(p.id.as_str()))
        })
    });
    let dir = tempfile::tempdir()?;
    let new_path = dir.path().join("new.json");
    let edited = change.as_deref().and_then(|c| {
        let doc = format!(r#"{{"format": "portal-access/changes@1", "changes": [{c}]}}"#);
        let set = parse_changes(&doc, "bench").ok()?;
        build_scenario(&base.tenant, set.scenarios.first()?).ok().map(|(t, _)| t)
    });
    let raw = edited.as_ref().map_or(&base.tenant.raw, |t| &t.raw);
    std::fs::write(&new_path, serde_json::to_string(raw).map_err(std::io::Error::from)?)?;
    s.diff_change = change.unwrap_or_else(|| "none (no permission)".into());
    drop(edited);

    // Baseline: load both, derive one.
    let start = Instant::now();
    let old = crate::model::load(path)?;
    let _new = crate::model::load(&new_path)?;
    let g = Grants::derive(&old);
    s.load_both_derive_seconds = secs(start);
    drop((g, _new, old));

    // diff, from the files to the printed answer.
    let start = Instant::now();
    let before = Analysis::load(path)?;
    let after = crate::model::load(&new_path)?;
    let w = WhatIf::new(&before);
    let d = diff_tenants(&w, &before, after, "old -> new");
    let mut sink = std::io::sink();
    d.write_json(&mut sink)?;
    s.diff_seconds = secs(start);
    s.diff_ratio = s.diff_seconds / s.load_both_derive_seconds.max(1e-9);
    s.diff_factored = d.is_factored();
    let a = d.answer();
    s.diff_lines = a.gained.map_or(0, |g| g.len()) + a.lost.map_or(0, |l| l.len());
    drop(d);
    drop(w);

    // test: one full derivation, then the expectations.
    let start = Instant::now();
    let g = Grants::derive(&base.tenant);
    s.full_derive_seconds = secs(start);
    drop(g);
    let text = expectations(&base, EXPECTATIONS);
    let start = Instant::now();
    let doc = parse_expectations(&text, "bench.yaml")?;
    let report = expect::run(&base, &[doc])?;
    s.test_seconds = secs(start);
    s.test_expectations = report.results.len();
    s.test_failed = report.failed;
    s.test_ratio = s.test_seconds / s.full_derive_seconds.max(1e-9);
    Ok(s)
}

fn visitor(t: &Tenant, v: Visitor) -> String {
    match v {
        Visitor::Anonymous => "anonymous".into(),
        Visitor::Contact(c) => t.row_name(c).into(),
    }
}

/// `n` expectations that hold on `a`, drawn from its own answers: 60% `can`
/// (with `allowed` and `via`), the rest `who` (a few contacts included,
/// a few excluded, and anonymous), and a few `never` for anonymous on a table.
pub fn expectations(a: &Analysis, n: usize) -> String {
    let t = &a.tenant;
    let n_never = (n / 50).min(t.tables.len() * 6);
    let n_can = n * 3 / 5;
    let n_who = n - n_can - n_never;
    let mut s = String::from("format: portal-access/expectations@1\nexpect:\n");
    let yaml_list = |v: &[String]| {
        format!("[{}]", v.iter().map(|x| serde_json::Value::from(x.as_str()).to_string()).collect::<Vec<_>>().join(", "))
    };
    // Questions spread over the rows by a fixed stride (deterministic).
    let (rows, contacts) = (u64::from(t.row_count()).max(1), t.contacts());
    let nc = u64::from(contacts.end - contacts.start);
    let row = |i: usize| (i as u64 * 7919 % rows) as u32;
    for i in 0..n_can {
        let v = if nc == 0 || i % 10 == 0 {
            Visitor::Anonymous
        } else {
            Visitor::Contact(contacts.start + (i as u64 * 104_729 % nc) as u32)
        };
        let p = Privilege::ALL[i % Privilege::ALL.len()];
        let target = if p == Privilege::Create {
            t.tables[t.table_of(row(i)) as usize].name.clone()
        } else {
            t.row_ref(row(i))
        };
        let v = visitor(t, v);
        let Ok(ans) = a.can(&v, p.name(), &target) else { continue };
        let _ = writeln!(s, "  - can: {v} {} {target}\n    allowed: {}\n    via: {}", p.name(), ans.allowed, yaml_list(&ans.via));
    }
    for i in 0..n_who {
        let p = [Privilege::Read, Privilege::Write, Privilege::Delete][i % 3];
        let target = t.row_ref(row(i * 31 + 7));
        let Ok(ans) = a.who(p.name(), &target) else { continue };
        // As a person writes them: a few contacts who may, a few who may not.
        let includes: Vec<String> = ans.contacts.iter().step_by((ans.contacts.len() / 3).max(1)).take(3).cloned().collect();
        let excludes: Vec<String> = (0..nc.min(40))
            .map(|k| t.row_name(contacts.start + ((i as u64 * 31 + k * 7) % nc) as u32).to_string())
            .filter(|c| ans.contacts.binary_search(c).is_err())
            .take(2)
            .collect();
        let _ = writeln!(
            s,
            "  - who: {} {target}\n    includes: {}\n    excludes: {}\n    anonymous: {}",
            p.name(),
            yaml_list(&includes),
            yaml_list(&excludes),
            ans.anonymous
        );
    }
    let mut never = 0;
    'tables: for (tb, table) in t.tables.iter().enumerate() {
        for p in Privilege::ALL {
            if never >= n_never {
                break 'tables;
            }
            let none = if p == Privilege::Create {
                a.grants.what_create(t, Visitor::Anonymous, Some(tb as u32)).is_empty()
            } else {
                a.grants.what(t, Visitor::Anonymous, p, Some(tb as u32)).is_empty()
            };
            if none {
                let _ = writeln!(s, "  - never: {{visitor: anonymous, privilege: {}, table: {}}}", p.name(), table.name);
                never += 1;
            }
        }
    }
    s
}
