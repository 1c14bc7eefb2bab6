//! A site record that cannot be read is dropped with an error finding
//! (PP044: file, line, key, what was expected), never refusing the site;
//! every answer on such a tenant says it is incomplete (issue 24).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{copy_dir, run_bin};
use serde_json::Value;
use std::path::{Path, PathBuf};

const PROFILE: &str = "column-permission-profiles/appointment-columns/Appointment-Columns.columnpermissionprofile.yml";


/// The GDS site with its one column permission profile in the shape a real
/// download had: `adx_allcolumnpermissions` a list of `Value: []` mappings.
/// Returns the site and the line of the list item that cannot be read
/// (the line after the key).
fn broken_site(dir: &Path) -> (PathBuf, usize) {
    let site = dir.join("site");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/gds-power-page"), &site);
    let profile = site.join(PROFILE);
    let mut text = std::fs::read_to_string(&profile).unwrap();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let line = text.lines().count() + 2;
    text.push_str("adx_allcolumnpermissions:\n- Value: []\n");
    std::fs::write(&profile, text).unwrap();
    (site, line)
}

#[test]
fn an_unreadable_record_is_dropped_with_pp044_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let (site, line) = broken_site(dir.path());
    let (code, out, err) = run_bin(&["lint", site.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "the site loads: {err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let pp044: Vec<&Value> = v["findings"].as_array().unwrap().iter().filter(|f| f["id"] == "PP044").collect();
    // One finding: the profile's columns go with it, without findings of their own.
    assert_eq!(pp044.len(), 1, "{pp044:?}");
    let f = pp044[0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["location"]["file"], site.join(PROFILE).to_str().unwrap());
    assert_eq!(f["location"]["line"], line);
    let message = f["message"].as_str().unwrap();
    assert!(message.contains(&format!("line {line} (`adx_allcolumnpermissions`): expected a choice code, found a mapping")), "{message}");
    // `--deny error` turns it into a failed check.
    let (code, _, _) = run_bin(&["lint", site.to_str().unwrap(), "--deny", "error"]);
    assert_eq!(code, 4);
}

#[test]
fn every_answer_on_an_incomplete_site_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (site, line) = broken_site(dir.path());
    let site = site.to_str().unwrap();
    let (code, out, _) = run_bin(&["who", site, "read", "appointment", "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    let incomplete = v["incomplete"].as_array().unwrap();
    assert_eq!(incomplete.len(), 1);
    assert!(incomplete[0].as_str().unwrap().contains(&format!("Appointment-Columns.columnpermissionprofile.yml, line {line}")), "{incomplete:?}");
    let (code, out, _) = run_bin(&["exposure", site]);
    assert_eq!(code, 0);
    assert!(out.starts_with("incomplete: 1 site record could not be read and was dropped"), "{out}");
    // grants keeps one grant a line on standard output; the notice goes to standard error.
    let (code, out, err) = run_bin(&["grants", site, "--format", "csv"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("visitor,privilege,target\n"), "{out}");
    assert!(err.starts_with("incomplete: "), "{err}");
    // The report says so before its summary.
    let html = dir.path().join("report.html");
    let (code, _, _) = run_bin(&["report", site, "-o", html.to_str().unwrap()]);
    assert_eq!(code, 0);
    let page = std::fs::read_to_string(&html).unwrap();
    let at = page.find("<b>Incomplete:</b> 1 site record could not be read").expect("the report says it is incomplete");
    assert!(at < page.find("id=\"summary\"").unwrap());
}

#[test]
fn a_complete_site_says_nothing_of_the_kind() {
    let site = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/gds-power-page");
    let (code, out, _) = run_bin(&["who", site.to_str().unwrap(), "read", "appointment", "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v.get("incomplete").is_none());
}

#[test]
fn a_diff_with_an_incomplete_side_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (site, _) = broken_site(dir.path());
    let whole = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/gds-power-page");
    let (code, out, err) = run_bin(&["diff", whole.to_str().unwrap(), site.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str::<Value>(out.lines().next().unwrap()).unwrap()["scenarios"][0].clone();
    let incomplete = v["incomplete"].as_array().unwrap_or_else(|| panic!("{v}"));
    assert_eq!(incomplete.len(), 1, "{incomplete:?}");
    // Two complete versions carry no such key.
    let (_, out, _) = run_bin(&["diff", whole.to_str().unwrap(), whole.to_str().unwrap(), "--json"]);
    let v: Value = serde_json::from_str::<Value>(out.lines().next().unwrap()).unwrap()["scenarios"][0].clone();
    assert!(v.get("ok").is_some() && v.get("incomplete").is_none(), "{v}");
}
