//! One derivation feeds `exposure`, `report` and `lint` (patterns.md A8):
//! on every fixture site (real downloads, code sites, solutions), the three
//! name the same tables that the anonymous visitor reads and the same
//! tables that anyone who signs up reads, with or without rows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::answer::lint;
use portal_access::answer::report::build;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn sites() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for folder in ["tests/fixtures/sites", "tests/fixtures/solutions"] {
        for e in std::fs::read_dir(repo(folder)).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(out.len() >= 7, "{out:?}");
    out
}

/// The tables `visitor` reads, by `exposure`.
fn by_exposure(e: &portal_access::answer::channels::ExposureAnswer, visitor: &str) -> BTreeSet<String> {
    let v = e.visitors.iter().find(|v| v.visitor == visitor).unwrap();
    v.tables
        .iter()
        .filter(|t| t.readable_rows.is_some_and(|n| n > 0) || matches!(t.readable_pattern, Some("every" | "some")))
        .map(|t| t.table.clone())
        .collect()
}

/// The tables `visitor` reads, by the report's outsider section.
fn by_report(r: &portal_access::answer::report::SecurityReport, visitor: &str) -> BTreeSet<String> {
    let o = r.outsiders.iter().find(|o| o.visitor == visitor).unwrap();
    o.tables
        .iter()
        .filter(|t| t.privileges.iter().any(|p| p.0 == "read" && p.1 > 0) || t.every_row.contains(&"read") || t.pattern.is_some())
        .map(|t| t.table.clone())
        .collect()
}

#[test]
fn exposure_report_and_lint_name_the_same_tables_for_outsiders() {
    let mut compared = 0;
    for site in sites() {
        let linted = lint::load(&site).unwrap();
        let report = build(&linted);
        let a = &linted.analysis;
        let t = &a.tenant;
        let exposure = a.exposure(None).unwrap();
        let table_of = |id: &str| t.perm_id(id).map(|n| t.tables[t.permissions[n as usize].table as usize].name.clone());
        let lint_tables = |ids: &[&str]| -> BTreeSet<String> {
            report.findings.iter().filter(|f| ids.contains(&f.id)).filter_map(|f| table_of(&f.subject)).collect()
        };
        // The anonymous visitor: PP001 (customer data) and PP023 (the rest).
        let e = by_exposure(&exposure, "anonymous");
        assert_eq!(e, by_report(&report, "anonymous"), "{}: exposure and report, anonymous", site.display());
        assert_eq!(e, lint_tables(&["PP001", "PP023"]), "{}: exposure and lint, anonymous", site.display());
        // The newcomer: PP020 names the customer tables it reads every row of.
        let n = by_exposure(&exposure, "newcomer");
        assert_eq!(n, by_report(&report, "newcomer"), "{}: exposure and report, newcomer", site.display());
        let pp020 = lint_tables(&["PP020"]);
        assert!(pp020.is_subset(&n), "{}: PP020 {pp020:?} beyond exposure {n:?}", site.display());
        compared += e.len() + n.len();
    }
    assert!(compared > 10, "the fixtures give outsiders something to read: {compared}");
}
