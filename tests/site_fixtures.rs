//! Every real site download in `tests/fixtures/sites/` (copies of
//! `../shared/fixtures/sites/`) loads as a folder tenant, lints with exit
//! 0 (or 4 under `--deny warning`), and converts to a native file that gives
//! the same answers: the same grants, with rows added to each table so that
//! the grants are not empty, and the same Web API exposure. On each, every
//! table the anonymous visitor can read is reported (PP001 or PP023).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod folder_support;

use folder_support::{bin, repo};
use portal_access::answer::lint;
use portal_access::model::{Scope, Tenant};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The site folders of `tests/fixtures/sites/`.
fn sites() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> =
        std::fs::read_dir(repo("tests/fixtures/sites")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    out.sort();
    assert!(out.len() >= 5, "{out:?}");
    out
}

fn run(args: &[&str]) -> (i32, String, String) {
    let o = bin().args(args).current_dir(repo("")).output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8(o.stdout).unwrap(), String::from_utf8(o.stderr).unwrap())
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A tenant folder holding a copy of `site` and a `data/` folder: two
/// contacts (one in every web role that is not flagged, one in none), an
/// account, and two rows in every table a permission names.
fn with_data(site: &Path, dir: &Path) -> PathBuf {
    let root = dir.join(site.file_name().unwrap());
    copy_dir(site, &root.join("site"));
    let t = portal_access::model::load(site).unwrap();
    let data = root.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let page = |name: &str, rows: Vec<Value>| {
        std::fs::write(data.join(format!("{name}.json")), json!({ "value": rows }).to_string()).unwrap();
    };
    page("account", vec![json!({"accountid": "A1"})]);
    page("contact", vec![json!({"contactid": "C1", "_parentcustomerid_value": "A1"}), json!({"contactid": "C2"})]);
    let tables: BTreeSet<&str> =
        t.permissions.iter().map(|p| t.tables[p.table as usize].name.as_str()).filter(|n| !["contact", "account"].contains(n)).collect();
    for name in tables {
        let row = |id: &str| json!({ format!("{name}id"): id, "activityid": id });
        page(name, vec![row(&format!("{name}-1")), row(&format!("{name}-2"))]);
    }
    let members: Vec<Value> = t
        .roles
        .iter()
        .filter(|r| !r.anonymous && !r.authenticated)
        .map(|r| json!({"contactid": "C1", "adx_webroleid": r.id}))
        .collect();
    page("adx_webrole_contact", members);
    root
}

#[test]
fn every_fixture_site_loads_and_lints_with_exit_0_or_4() {
    for site in sites() {
        let path = site.to_str().unwrap();
        let t = portal_access::model::load(&site).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(!t.permissions.is_empty(), "{path}");
        let (code, out, err) = run(&["lint", path]);
        assert_eq!(code, 0, "{path}: {err}");
        assert!(out.contains("finding"), "{path}: {out}");
        let (code, _, err) = run(&["lint", path, "--deny", "warning"]);
        assert!(code == 0 || code == 4, "{path}: exit {code}: {err}");
        let (code, out, _) = run(&["lint", path, "--format", "sarif"]);
        assert_eq!(code, 0, "{path}");
        let _: Value = serde_json::from_str(&out).unwrap();
    }
}

#[test]
fn convert_then_grants_answers_as_the_folder_on_every_fixture_site() {
    let dir = tempfile::tempdir().unwrap();
    for site in sites() {
        for folder in [site.clone(), with_data(&site, dir.path())] {
            let path = folder.to_str().unwrap();
            let out = dir.path().join("converted.json");
            let (code, _, err) = run(&["convert", path, "-o", out.to_str().unwrap()]);
            assert_eq!(code, 0, "{path}: {err}");
            let native = out.to_str().unwrap();
            let (c1, from_folder, e1) = run(&["grants", path]);
            let (c2, from_file, e2) = run(&["grants", native]);
            assert_eq!((c1, c2), (0, 0), "{e1}{e2}");
            assert_eq!(from_folder, from_file, "{path}");
            let (_, exposed_folder, _) = run(&["exposure", path, "--json"]);
            let (_, exposed_file, _) = run(&["exposure", native, "--json"]);
            assert_eq!(exposed_folder, exposed_file, "{path}");
            if folder != site {
                assert!(from_folder.lines().count() > 2, "{path}: the data gives grants to compare:\n{from_folder}");
            }
            let written: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
            let raw = portal_access::model::load(&folder).unwrap().raw;
            for (key, n) in [
                ("site_settings", raw.site_settings.len()),
                ("column_permission_profiles", raw.column_permission_profiles.len()),
                ("components", raw.components.len()),
                ("page_rules", raw.page_rules.len()),
            ] {
                assert_eq!(written.get(key).and_then(Value::as_array).map_or(0, Vec::len), n, "{path}: {key}");
            }
        }
    }
}

/// The tables the anonymous visitor can read on the live site, from the
/// model alone: a live read permission on a tree an active anonymous users
/// role holds, every step up to the root Global or Parent, the root Global.
fn anonymous_tables(t: &Tenant) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (n, p) in t.permissions.iter().enumerate() {
        let root = &t.permissions[t.root_of(n as u32) as usize];
        let held = root.roles.iter().any(|&r| t.roles[r as usize].anonymous && t.roles[r as usize].active);
        let mut chain = vec![p];
        let mut cur = p.parent;
        while let Some(m) = cur {
            chain.push(&t.permissions[m as usize]);
            cur = t.permissions[m as usize].parent;
        }
        let steps = chain.iter().all(|q| matches!(q.scope, Scope::Global | Scope::Parent)) && root.scope == Scope::Global;
        if held && t.live(n as u32) && p.privileges.has(portal_access::model::Privilege::Read) && steps {
            out.insert(t.tables[p.table as usize].name.clone());
        }
    }
    out
}

#[test]
fn every_table_the_anonymous_visitor_reads_is_reported_on_every_fixture_site() {
    let mut seen = 0;
    for site in sites() {
        let linted = lint::load(&site).unwrap();
        let t = &linted.analysis.tenant;
        let report = linted.report();
        let reported: BTreeSet<String> = report
            .findings
            .iter()
            .filter(|f| f.id == "PP001" || f.id == "PP023")
            .map(|f| t.tables[t.permissions[t.perm_id(&f.subject).unwrap() as usize].table as usize].name.clone())
            .collect();
        let expected = anonymous_tables(t);
        seen += expected.len();
        assert!(expected.is_subset(&reported), "{}: read {expected:?}, reported {reported:?}", site.display());
        for f in report.findings.iter().filter(|f| f.id == "PP023") {
            assert!(f.message.contains("anonymous visitors (role `"), "{}", f.message);
        }
    }
    assert!(seen >= 10, "the fixtures have anonymous reads to check ({seen})");
}
