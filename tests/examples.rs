//! Data-driven: every query of `tests/data/spec-examples/*.expected.jsonl`
//! (copied from the spec) runs through the real binary with `--json` and
//! through the library, and the keys each line names must match, as
//! `check-examples` does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{analysis, answer, bin_answer, run_bin};
use serde_json::Value;
use std::path::{Path, PathBuf};

struct Case {
    tenant: PathBuf,
    line: usize,
    args: Vec<String>,
    expect: Value,
}

fn cases() -> Vec<Case> {
    cases_in("tests/data/spec-examples")
}

/// The cases of every example under `folder` (relative to the repository).
fn cases_in(folder: &str) -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".expected.jsonl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no *.expected.jsonl under {}", dir.display());
    let mut out = Vec::new();
    for f in files {
        let name = f.to_string_lossy().into_owned();
        let tenant = PathBuf::from(format!("{}.json", name.strip_suffix(".expected.jsonl").unwrap()));
        for (i, line) in std::fs::read_to_string(&f).unwrap().lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let q: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{name}:{}: {e}", i + 1));
            let args = q["args"].as_array().unwrap().iter().map(|a| a.as_str().unwrap().to_string()).collect();
            out.push(Case { tenant: tenant.clone(), line: i + 1, args, expect: q["expect"].clone() });
        }
    }
    out
}

fn mismatches(got: &Value, want: &Value) -> Vec<String> {
    want.as_object()
        .unwrap()
        .iter()
        .filter(|(k, v)| got.get(k.as_str()) != Some(v))
        .map(|(k, v)| format!("{k}: want {v} got {}", got.get(k.as_str()).unwrap_or(&Value::Null)))
        .collect()
}

#[test]
fn spec_examples_through_the_binary() {
    let mut failed = Vec::new();
    let cases = cases();
    for c in &cases {
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        let got = bin_answer(&c.tenant, &args);
        let miss = mismatches(&got, &c.expect);
        if !miss.is_empty() {
            failed.push(format!("line {} {}: {}", c.line, c.args.join(" "), miss.join("; ")));
        }
    }
    assert!(failed.is_empty(), "{} of {} failed:\n{}", failed.len(), cases.len(), failed.join("\n"));
}

/// The spec's channel and F&O examples (`customer-service-webapi`,
/// `vendor-portal`, `vendor-portal-xds`, copied from `spec/examples/pending`),
/// whose commands (`columns`, `exposure`, `bypass`, `who --column`) only the
/// binary answers.
#[test]
fn channel_and_fo_examples_through_the_binary() {
    let mut failed = Vec::new();
    let cases = cases_in("tests/data/spec-examples-binary");
    assert!(cases.len() >= 20, "{} cases", cases.len());
    for c in &cases {
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        let miss = mismatches(&bin_answer(&c.tenant, &args), &c.expect);
        if !miss.is_empty() {
            failed.push(format!("{} line {} {}: {}", c.tenant.display(), c.line, c.args.join(" "), miss.join("; ")));
        }
    }
    assert!(failed.is_empty(), "{} of {} failed:\n{}", failed.len(), cases.len(), failed.join("\n"));
}

#[test]
fn spec_examples_through_the_library() {
    let mut failed = Vec::new();
    let cases = cases();
    let mut loaded: Option<(PathBuf, portal_access::Analysis)> = None;
    for c in &cases {
        if loaded.as_ref().is_none_or(|(p, _)| *p != c.tenant) {
            loaded = Some((c.tenant.clone(), analysis(&std::fs::read_to_string(&c.tenant).unwrap())));
        }
        let (_, a) = loaded.as_ref().unwrap();
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        let got = answer(a, &args).unwrap_or_else(|e| panic!("line {}: {e}", c.line));
        let miss = mismatches(&got, &c.expect);
        if !miss.is_empty() {
            failed.push(format!("line {} {}: {}", c.line, c.args.join(" "), miss.join("; ")));
        }
    }
    assert!(failed.is_empty(), "{} of {} failed:\n{}", failed.len(), cases.len(), failed.join("\n"));
}

/// The copy shipped with the tests is the spec's example tenant, which is
/// also the one under `examples/`.
#[test]
fn spec_example_tenant_matches_examples_folder() {
    let shipped = std::fs::read_to_string(common::example_path()).unwrap();
    let examples = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/customer-service.json")).unwrap();
    let a: Value = serde_json::from_str(&shipped).unwrap();
    let b: Value = serde_json::from_str(&examples).unwrap();
    assert_eq!(a, b);
}

/// The binary and the library give the same whole answer (not only the keys
/// the examples name) for every example query.
#[test]
fn spec_examples_binary_equals_library() {
    let cases = cases();
    let c0 = &cases[0];
    let a = analysis(&std::fs::read_to_string(&c0.tenant).unwrap());
    for c in cases.iter().filter(|c| c.tenant == c0.tenant) {
        let args: Vec<&str> = c.args.iter().map(String::as_str).collect();
        let lib = answer(&a, &args).unwrap();
        let file = c.tenant.to_str().unwrap();
        let mut full = vec![args[0], file];
        full.extend_from_slice(&args[1..]);
        full.push("--json");
        let (code, out, _) = run_bin(&full);
        assert_eq!(code, 0);
        assert_eq!(out, format!("{}\n", serde_json::to_string(&lib).unwrap()), "{args:?}");
    }
}
