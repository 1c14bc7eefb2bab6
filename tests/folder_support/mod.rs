//! Helpers for the folder, lint and convert tests: temporary tenant folders
//! and small native tenants.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::answer::lint::{self, Finding};
use portal_access::load::native::parse_native;
use portal_access::{Analysis, Tenant};
use std::path::{Path, PathBuf};

/// A temporary folder holding `files` (path relative to the folder, text).
pub fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

/// The repository path of a file or folder.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// A native tenant from a JSON value.
pub fn tenant(doc: &serde_json::Value) -> Tenant {
    let raw = parse_native(&doc.to_string(), "t.json").unwrap();
    Tenant::build(raw, "t.json").unwrap()
}

/// Lint findings of a native tenant.
pub fn lint_json(doc: &serde_json::Value) -> Vec<Finding> {
    lint::lint(&Analysis::new(tenant(doc)), None)
}

/// `(id, subject)` of every finding.
pub fn pairs(findings: &[Finding]) -> Vec<(String, String)> {
    findings.iter().map(|f| (f.id.to_string(), f.subject.clone())).collect()
}

/// The findings with one id.
pub fn with_id<'a>(findings: &'a [Finding], id: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.id == id).collect()
}

/// The built binary.
pub fn bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_portal-access"))
}
