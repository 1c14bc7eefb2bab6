#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The measuring harness on small tenants (timings are never asserted):
//! every peer agrees with the derived grants on the questions it is asked,
//! the question sampler is deterministic, and the report is complete.

use portal_access::perf::bench::{self, questions, Options};
use portal_access::perf::generate::{GenConfig, Profile};
use std::path::Path;
use std::time::Duration;

fn opts() -> Options {
    Options { queries: 300, what_queries: 20, budget: Duration::from_secs(60), ..Options::default() }
}

#[test]
fn example_report_has_every_figure_and_no_disagreement() {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/customer-service.json"));
    let r = bench::run(path, &opts()).unwrap();
    assert_eq!(r.can.n, 300);
    assert_eq!(r.who.n, 300);
    assert_eq!(r.what.n, 20);
    assert!(r.can_allowed > 0.0 && r.can_allowed < 1.0, "{}", r.can_allowed);
    assert!(r.derived_facts > 0);
    assert_eq!(r.derived_by_relation.iter().map(|(_, n)| n).sum::<u64>(), r.derived_facts);
    assert!(r.peak_rss_bytes > 0 && r.peak_rss_end_bytes >= r.peak_rss_bytes);
    // The load and its anchor: best of three each (a small file), the
    // ratio and the load time those of the best runs.
    let l = r.load.as_ref().unwrap();
    assert_eq!(l.runs, 3);
    assert!(l.bare_parse_seconds > 0.0);
    assert_eq!(r.load_seconds, l.seconds());
    assert!(l.read_seconds > 0.0 && l.parse_seconds > 0.0 && l.build_seconds > 0.0);
    assert_eq!(l.ratio, r.load_seconds / l.bare_parse_seconds);
    assert_eq!(r.tenant.rows, 21);
    assert_eq!(r.cedar.skipped, None);
    assert_eq!((r.cedar.disagreements, r.cedar.errors), (0, 0));
    assert_eq!(r.cedar.can.n, r.can_rows.n);
    assert!(!r.checkers.is_empty());
    for c in &r.checkers {
        assert_eq!(c.disagreements, 0, "{}", c.name);
    }
    for d in &r.derivations {
        assert!(d.agrees, "{}", d.name);
    }
    let names: Vec<&str> = r.targets.iter().map(|t| t.name.as_str()).collect();
    assert!(names.contains(&"can median") && names.contains(&"who median"), "{names:?}");
}

#[test]
fn generated_profile_report_skips_cedar_above_its_limit() {
    let cfg = GenConfig { contacts: 100, accounts: 10, rows: 1_000, seed: 5, fo: false };
    let r = bench::run_profile(cfg, &Options { cedar_max_rows: 500, ..opts() }).unwrap();
    assert_eq!(r.tenant.rows, 1_000);
    assert_eq!(r.tenant.profile.as_deref(), Some("custom"));
    assert!(r.cedar.skipped.as_deref().is_some_and(|s| s.contains("--cedar-max-rows")));
    // Custom sizes carry no profile target; the per-query ones remain.
    assert!(r.targets.iter().all(|t| !t.name.contains("(medium)") && !t.name.contains("(large)")));
    for c in &r.checkers {
        assert_eq!(c.disagreements, 0, "{}", c.name);
    }
}

#[test]
fn questions_are_deterministic_and_mostly_near_the_visitor() {
    let mut out = Vec::new();
    portal_access::perf::generate::generate(&Profile::Small.config(3), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let raw = portal_access::load::native::parse_native(&text, "t.json").unwrap();
    let t = portal_access::Tenant::build(raw, "t.json").unwrap();
    let a = questions(&t, 9, 500, 100, 10);
    let b = questions(&t, 9, 500, 100, 10);
    assert_eq!(a.can, b.can);
    assert_eq!(a.who, b.who);
    assert_eq!(a.what, b.what);
    assert_ne!(a.can, questions(&t, 10, 500, 100, 10).can);
    assert_eq!((a.can.len(), a.who.len(), a.what.len()), (500, 100, 10));
    // Random rows alone would almost never be allowed; the walks make many yes answers.
    let g = portal_access::Grants::derive(&t);
    let yes = a
        .can
        .iter()
        .filter(|c| match c.target {
            portal_access::answer::query::Target::Row(x) => !g.can(&t, c.visitor, c.privilege, x).is_empty(),
            portal_access::answer::query::Target::Table(tb) => !g.can_create(&t, c.visitor, tb).is_empty(),
        })
        .count();
    assert!(yes >= 50, "{yes} of 500 allowed");
}

#[test]
fn pipeline_figures_are_measured_on_request_and_their_expectations_hold() {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/customer-service.json"));
    let p = portal_access::perf::pipelines::measure(path).unwrap();
    // The drawn expectations are the tenant's own answers: all hold.
    assert!(p.test_expectations > 100, "{}", p.test_expectations);
    assert_eq!(p.test_failed, 0);
    // The two versions differ in one permission: the factored comparison answers.
    assert!(p.diff_factored, "{}", p.diff_change);
    assert!(p.diff_ratio > 0.0 && p.test_ratio > 0.0);
    // Off by default: the plain report carries no pipeline figures.
    let r = bench::run(path, &Options { queries: 10, what_queries: 2, whatif: 0, cedar: false, peers: false, ..opts() }).unwrap();
    assert!(r.pipelines.is_none());
}

/// With `--fo` the report carries the F&O figures (finance-operations.md):
/// `bypass` for every visitor against one full derivation, and `can` on
/// virtual-table rows against ordinary rows, with their two targets; the
/// profile is still recognized (the F&O part comes on top of its sizes),
/// and the peers agree. Without an F&O section there are no F&O figures.
#[test]
fn fo_profile_report_times_bypass_and_can_on_virtual_rows() {
    let cfg = GenConfig { fo: true, ..Profile::Small.config(2) };
    let o = Options { whatif: 0, report: false, ..opts() };
    let r = bench::run_profile(cfg, &o).unwrap();
    assert_eq!(r.tenant.profile.as_deref(), Some("small"));
    let f = r.finance.as_ref().expect("F&O figures");
    assert!(f.visitors_with_user > 0 && f.virtual_rows > 0);
    assert!(f.bypass_lines > 0 && f.bypass_seconds > 0.0 && f.full_derive_seconds > 0.0);
    assert_eq!(f.can_virtual.n, 300);
    assert!(f.can_ordinary.n > 0 && f.can_ratio > 0.0);
    assert!(f.can_virtual_allowed > 0.0 && f.can_virtual_allowed < 1.0, "{}", f.can_virtual_allowed);
    let names: Vec<&str> = r.targets.iter().map(|t| t.name.as_str()).collect();
    assert!(names.iter().any(|n| n.starts_with("bypass for every visitor")), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("can median, virtual-table row")), "{names:?}");
    // The graph checker walks the F&O side too; Cedar is held to the web roles (S16).
    for c in &r.checkers {
        assert_eq!(c.disagreements, 0, "{}", c.name);
    }
    assert_eq!((r.cedar.skipped.as_deref(), r.cedar.disagreements, r.cedar.errors), (None, 0, 0));
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/customer-service.json"));
    assert!(bench::run(path, &Options { queries: 10, what_queries: 2, ..o }).unwrap().finance.is_none());
}

/// `bench --profile` through the binary: the tenant is written by a
/// `generate` process of its own, and measures as the same sizes generated
/// in this process do (same rows, links and memberships), with the load
/// and its anchor timed three times each on a small file.
#[test]
fn command_line_profile_generates_apart_and_measures() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portal-access"))
        .args(["bench", "--profile", "small", "--contacts", "60", "--accounts", "6", "--rows", "700", "--seed", "9"])
        .args(["--no-cedar", "--no-whatif", "--no-report", "--json", "--queries", "10", "--what-queries", "2", "--budget-seconds", "5"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cfg = GenConfig { contacts: 60, accounts: 6, rows: 700, seed: 9, fo: false };
    let here = bench::run_profile(cfg, &Options { peers: false, whatif: 0, report: false, ..opts() }).unwrap();
    assert_eq!(v["tenant"]["profile"], "custom");
    assert_eq!(v["tenant"]["rows"], here.tenant.rows);
    assert_eq!(v["tenant"]["links"], here.tenant.links);
    assert_eq!(v["tenant"]["contacts"], here.tenant.contacts);
    assert_eq!(v["derived_facts"], here.derived_facts);
    assert!(v["tenant"]["generate_seconds"].as_f64().unwrap() > 0.0);
    assert_eq!(v["load"]["runs"], 3);
}
