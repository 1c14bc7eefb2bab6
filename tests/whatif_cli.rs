//! `portal-access whatif` and `portal-access apply` as a pipeline sees them:
//! exit codes, output, and input files left untouched.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portal-access"))
}

fn repo(p: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(p)
}

/// A fresh scratch folder with copies of the example tenant and change set.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pa-whatif-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(repo("examples/customer-service.json"), dir.join("tenant.json")).unwrap();
    std::fs::copy(repo("examples/changes/customer-service.json"), dir.join("changes.json")).unwrap();
    dir
}

fn run(args: &[&Path]) -> Output {
    bin().args(args).output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn p(s: &str) -> &Path {
    Path::new(s)
}

#[test]
fn fail_on_exits_4_only_for_the_kinds_shown() {
    let dir = scratch("fail-on");
    let (t, c) = (dir.join("tenant.json"), dir.join("changes.json"));
    // The example: 43 grants gained, none lost, none by the anonymous visitor.
    let with = |kinds: &[&str]| {
        let mut cmd = bin();
        cmd.arg("whatif").arg(&t).arg(&c).arg("--json");
        for k in kinds {
            cmd.args(["--fail-on", k]);
        }
        code(&cmd.output().unwrap())
    };
    assert_eq!(with(&[]), 0);
    assert_eq!(with(&["gained"]), 4);
    // A9: no grant is lost, but removing `write` from the case permission
    // loses the contacts' write pattern on their cases, and `lost` counts
    // patterns too.
    assert_eq!(with(&["lost"]), 4);
    assert_eq!(with(&["anonymous"]), 0);
    assert_eq!(with(&["lost", "gained"]), 4);
    // An anonymous gain.
    let anon = write(
        &dir,
        "anon.json",
        r#"{"changes": [{"op": "add_privilege", "permission": "TP-kb-anon", "privilege": "write"}]}"#,
    );
    let o = bin().arg("whatif").arg(&t).arg(&anon).args(["--fail-on", "anonymous"]).output().unwrap();
    assert_eq!(code(&o), 4);
    // A pure loss.
    let loss = write(
        &dir,
        "loss.json",
        r#"{"changes": [{"op": "remove_privilege", "permission": "TP-self", "privilege": "write"}]}"#,
    );
    assert_eq!(code(&bin().arg("whatif").arg(&t).arg(&loss).args(["--fail-on", "gained"]).output().unwrap()), 0);
    assert_eq!(code(&bin().arg("whatif").arg(&t).arg(&loss).args(["--fail-on", "lost"]).output().unwrap()), 4);
    // Several documents: any scenario of any of them counts.
    assert_eq!(
        code(&bin().arg("whatif").arg(&t).arg(&loss).arg(&anon).args(["--fail-on", "anonymous"]).output().unwrap()),
        4
    );
    let bad = write(&dir, "bad.json", r#"{"changes": [{"op": "remove_role", "role": "R-x"}]}"#);
    // A scenario that cannot be applied: reported, exit 0; a guard (--fail-on) exits 1.
    let o = bin().arg("whatif").arg(&t).arg(&bad).arg("--json").output().unwrap();
    assert_eq!(code(&o), 0);
    assert_eq!(
        String::from_utf8(o.stdout).unwrap(),
        "{\"scenarios\":[{\"name\":\"bad\",\"ok\":false,\"error\":\"change 1: web role `R-x` does not exist\"}]}\n"
    );
    assert_eq!(code(&bin().arg("whatif").arg(&t).arg(&bad).args(["--fail-on", "gained"]).output().unwrap()), 1);
    assert_eq!(
        code(&bin().arg("whatif").arg(&t).arg(&bad).arg(&anon).args(["--fail-on", "anonymous"]).output().unwrap()),
        4
    );
}

#[test]
fn a_change_file_that_fails_to_load_exits_2() {
    let dir = scratch("bad-file");
    let t = dir.join("tenant.json");
    let bad =
        write(&dir, "typo.json", r#"{"changes": [{"op": "set_scope", "permission": "TP-self", "scope": "globl"}]}"#);
    let o = bin().arg("whatif").arg(&t).arg(dir.join("changes.json")).arg(&bad).output().unwrap();
    assert_eq!(code(&o), 2);
    assert!(o.stdout.is_empty());
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("typo.json") && err.contains("`changes[0].scope`") && err.contains("unknown scope `globl`"),
        "{err}"
    );
    let o = run(&[p("whatif"), &t, &dir.join("nope.json")]);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8(o.stderr).unwrap().contains("nope.json"));
    let o = run(&[p("whatif"), &dir.join("no-tenant.json"), &dir.join("changes.json")]);
    assert_eq!(code(&o), 2);
}

#[test]
fn whatif_leaves_its_inputs_unchanged() {
    let dir = scratch("unchanged");
    let (t, c) = (dir.join("tenant.json"), dir.join("changes.json"));
    let (before_t, before_c) = (std::fs::read(&t).unwrap(), std::fs::read(&c).unwrap());
    for json in [true, false] {
        let mut cmd = bin();
        cmd.arg("whatif").arg(&t).arg(&c);
        if json {
            cmd.arg("--json");
        }
        assert_eq!(code(&cmd.output().unwrap()), 0);
    }
    assert_eq!(std::fs::read(&t).unwrap(), before_t);
    assert_eq!(std::fs::read(&c).unwrap(), before_c);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2, "whatif wrote a file");
}

#[test]
fn readable_answer_counts_and_limits() {
    let dir = scratch("text");
    let o = bin()
        .arg("whatif")
        .arg(dir.join("tenant.json"))
        .arg(dir.join("changes.json"))
        .args(["--limit", "2"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0);
    let text = String::from_utf8(o.stdout).unwrap();
    // Hand count (S9, S13): C1 and C3 gain read, write, append, append_to on
    // the 4 other cases each (32), comments and notes below them (11).
    assert!(text.contains("scenario `cases made global`: 43 gained, 0 lost, 2 visitors affected"), "{text}");
    assert!(text.contains("  incident           write            8        0\n"), "{text}");
    assert!(text.contains("  gained (43, first 2):\n    C1  append  adx_portalcomment:PC2\n    C1  append  annotation:N3\n    ... 41 more\n"), "{text}");
    assert!(text.contains("scenario `new partner role`: 1 gained, 0 lost, 1 visitor affected"), "{text}");
    assert!(text.contains("    C3  read  incident:I4\n"), "{text}");
    // Byte-identical run to run (S26).
    let again = bin()
        .arg("whatif")
        .arg(dir.join("tenant.json"))
        .arg(dir.join("changes.json"))
        .args(["--limit", "2"])
        .output()
        .unwrap();
    assert_eq!(again.stdout, text.as_bytes());
}

#[test]
fn readable_answer_lists_anonymous_gains_first() {
    let dir = scratch("anon-first");
    let c = write(
        &dir,
        "c.json",
        r#"{"changes": [{"op": "add_permission", "permission": {"id": "TP-x", "table": "knowledgearticle",
             "scope": "global", "privileges": ["write"], "web_roles": ["R-anon", "R-auth"]}}]}"#,
    );
    let o = run(&[p("whatif"), &dir.join("tenant.json"), &c]);
    let text = String::from_utf8(o.stdout).unwrap();
    let anon = text.find("anonymous gains (2):").unwrap();
    let others = text.find("other gains (10):").unwrap();
    assert!(anon < others, "{text}");
    assert!(text.contains("    anonymous  write  knowledgearticle:K1\n"), "{text}");
}

fn grant_lines(tenant: &Path) -> BTreeSet<String> {
    let o = run(&[p("grants"), tenant]);
    assert_eq!(code(&o), 0);
    String::from_utf8(o.stdout).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn apply_round_trip_matches_whatif() {
    let dir = scratch("apply");
    let (t, c) = (dir.join("tenant.json"), dir.join("changes.json"));
    let before = std::fs::read(&t).unwrap();
    for name in ["cases made global", "new partner role"] {
        let new = dir.join(format!("{}.json", name.replace(' ', "-")));
        let o = bin().arg("apply").arg(&t).arg(&c).arg("-o").arg(&new).args(["--scenario", name]).output().unwrap();
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
        // The whatif answer, from the JSON output.
        let o = run(&[p("whatif"), &t, &c, p("--json")]);
        let answer: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let s = answer["scenarios"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap().clone();
        let as_lines = |v: &serde_json::Value| -> BTreeSet<String> {
            v.as_array().unwrap().iter().map(|g| serde_json::to_string(g).unwrap()).collect()
        };
        let (gained, lost) = (as_lines(&s["gained"]), as_lines(&s["lost"]));
        // grants(new) = grants(base) - lost + gained, derived from scratch.
        let base = grant_lines(&t);
        let after = grant_lines(&new);
        let expected: BTreeSet<String> = base.difference(&lost).cloned().chain(gained.iter().cloned()).collect();
        assert_eq!(after, expected, "{name}");
        assert!(!gained.is_empty());
        assert!(lost.iter().all(|l| base.contains(l)) && gained.iter().all(|l| !base.contains(l)));
    }
    assert_eq!(std::fs::read(&t).unwrap(), before);
}

#[test]
fn apply_writes_native_json_that_loads() {
    let dir = scratch("apply-native");
    let c = write(&dir, "one.json", r#"{"changes": [{"op": "add_role", "role": {"id": "R-new", "name": "New"}}]}"#);
    let new = dir.join("new.json");
    let o = run(&[p("apply"), &dir.join("tenant.json"), &c, p("-o"), &new]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&new).unwrap()).unwrap();
    assert_eq!(v["format"], "portal-access/tenant@1");
    assert_eq!(v["web_roles"].as_array().unwrap().last().unwrap(), &serde_json::json!({"id": "R-new", "name": "New"}));
    // Same grants: an unlinked role changes nothing.
    assert_eq!(grant_lines(&new), grant_lines(&dir.join("tenant.json")));
}

#[test]
fn apply_refuses_to_overwrite_an_input() {
    let dir = scratch("refuse");
    let (t, c) = (dir.join("tenant.json"), dir.join("changes.json"));
    let (before_t, before_c) = (std::fs::read(&t).unwrap(), std::fs::read(&c).unwrap());
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    for out in [t.clone(), c.clone(), sub.join("..").join("tenant.json")] {
        let o = bin()
            .arg("apply")
            .arg(&t)
            .arg(&c)
            .arg("-o")
            .arg(&out)
            .args(["--scenario", "new partner role"])
            .output()
            .unwrap();
        assert_eq!(code(&o), 2, "{}", out.display());
        assert!(String::from_utf8(o.stderr).unwrap().contains("refusing to write over an input file"));
    }
    assert_eq!(std::fs::read(&t).unwrap(), before_t);
    assert_eq!(std::fs::read(&c).unwrap(), before_c);
}

#[test]
fn apply_needs_exactly_one_scenario() {
    let dir = scratch("one");
    let (t, c, new) = (dir.join("tenant.json"), dir.join("changes.json"), dir.join("new.json"));
    let o = run(&[p("apply"), &t, &c, p("-o"), &new]);
    assert_eq!(code(&o), 2);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("holds 2 scenarios") && err.contains("--scenario"), "{err}");
    let o = run(&[p("apply"), &t, &c, p("-o"), &new, p("--scenario"), p("nope")]);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8(o.stderr).unwrap().contains("no scenario named `nope`"));
    assert!(!new.exists());
    // A scenario that cannot be applied writes nothing.
    let bad = write(&dir, "bad.json", r#"{"changes": [{"op": "remove_role", "role": "R-x"}]}"#);
    let o = run(&[p("apply"), &t, &bad, p("-o"), &new]);
    assert_eq!(code(&o), 2);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("scenario `bad`: change 1: web role `R-x` does not exist"), "{err}");
    assert!(!new.exists());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 3, "apply left a file behind");
}

#[test]
fn streamed_answers_equal_the_library_answer() {
    use portal_access::answer::whatif::{load_changes, write_text, WhatIf};
    let dir = scratch("stream");
    let (t, c) = (dir.join("tenant.json"), dir.join("changes.json"));
    let bad = write(&dir, "bad.json", r#"{"changes": [{"op": "remove_role", "role": "R-x"}]}"#);
    let base = portal_access::Analysis::load(&t).unwrap();
    let sets = vec![load_changes(&c).unwrap(), load_changes(&bad).unwrap()];
    let answer = WhatIf::new(&base).run_all(&sets);
    let o = bin().arg("whatif").arg(&t).arg(&c).arg(&bad).arg("--json").output().unwrap();
    assert_eq!(String::from_utf8(o.stdout).unwrap(), serde_json::to_string(&answer).unwrap() + "\n");
    let o = bin().arg("whatif").arg(&t).arg(&c).arg(&bad).args(["--limit", "3"]).output().unwrap();
    let mut text = Vec::new();
    write_text(&mut text, &answer, 3).unwrap();
    assert_eq!(o.stdout, text);
}

#[test]
fn folder_tenants_give_the_same_answer_and_stay_untouched() {
    let dir = scratch("folder");
    let folder = repo("examples/customer-service-folder");
    let c = dir.join("changes.json");
    let native = bin().arg("whatif").arg(dir.join("tenant.json")).arg(&c).arg("--json").output().unwrap();
    let from_folder = bin().arg("whatif").arg(&folder).arg(&c).arg("--json").output().unwrap();
    assert_eq!(code(&from_folder), 0, "{}", String::from_utf8_lossy(&from_folder.stderr));
    assert_eq!(from_folder.stdout, native.stdout);
    // Nothing may be written inside the tenant folder.
    let inside = folder.join("data").join("new.json");
    let o = bin()
        .arg("apply")
        .arg(&folder)
        .arg(&c)
        .arg("-o")
        .arg(&inside)
        .args(["--scenario", "new partner role"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8(o.stderr).unwrap().contains("inside the tenant folder"));
    assert!(!inside.exists());
    // Applied to the folder or to the native file: the same grants.
    let (a, b) = (dir.join("a.json"), dir.join("b.json"));
    for (tenant, out) in [(folder.clone(), &a), (dir.join("tenant.json"), &b)] {
        let o = bin()
            .arg("apply")
            .arg(&tenant)
            .arg(&c)
            .arg("-o")
            .arg(out)
            .args(["--scenario", "cases made global"])
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(grant_lines(&a), grant_lines(&b));
}

#[test]
fn streamed_json_escapes_ids_like_serde() {
    use portal_access::answer::whatif::{load_changes, WhatIf};
    let dir = scratch("escape");
    let t = write(
        &dir,
        "odd.json",
        r#"{"format": "portal-access/tenant@1",
            "rows": {"contact": [{"id": "C\"1"}, {"id": "Zoë\\x"}, {"id": "tab\there"}], "kb": [{"id": "K/1"}]},
            "web_roles": [{"id": "R", "name": "R", "authenticated_users": true}]}"#,
    );
    let c = write(
        &dir,
        "c.json",
        r#"{"scenarios": [{"name": "odd \"name\"", "changes": [{"op": "add_permission", "permission":
            {"id": "P", "table": "kb", "scope": "global", "privileges": ["read", "create"], "web_roles": ["R"]}}]}]}"#,
    );
    let base = portal_access::Analysis::load(&t).unwrap();
    let answer = WhatIf::new(&base).run_all(&[load_changes(&c).unwrap()]);
    assert_eq!(answer.scenarios[0].summary.unwrap().gained, 6);
    let o = bin().arg("whatif").arg(&t).arg(&c).arg("--json").output().unwrap();
    assert_eq!(String::from_utf8(o.stdout).unwrap(), serde_json::to_string(&answer).unwrap() + "\n");
}

/// whatif.md "Newcomer grants": with registration open, a change that lets
/// anyone who signs up read a table shows under `newcomer`, and
/// `--fail-on anyone` exits 4 for it; a loss alone does not; with
/// registration closed the key is absent and anyone means the anonymous visitor.
#[test]
fn newcomer_grants_show_and_fail_on_anyone_guards_them() {
    let dir = scratch("newcomer");
    std::fs::copy(repo("examples/customer-service-webapi.json"), dir.join("open.json")).unwrap();
    let open = dir.join("open.json");
    let gain = write(
        &dir,
        "gain.json",
        r#"{"changes": [{"op": "link_role", "permission": "TP-case-contact", "role": "R-auth"},
                        {"op": "set_scope", "permission": "TP-case-contact", "scope": "global"}]}"#,
    );
    let loss = write(
        &dir,
        "loss.json",
        r#"{"changes": [{"op": "remove_privilege", "permission": "TP-contacts-all", "privilege": "read"}]}"#,
    );
    let answer = |t: &Path, c: &Path| -> serde_json::Value {
        let o = bin().arg("whatif").arg(t).arg(c).arg("--json").output().unwrap();
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["scenarios"][0].clone()
    };
    let fail_on = |t: &Path, c: &Path, k: &str| code(&bin().arg("whatif").arg(t).arg(c).args(["--fail-on", k]).output().unwrap());

    // Every case of the tenant, to anyone who signs up.
    let s = answer(&open, &gain);
    let gained = s["newcomer"]["gained"].as_array().unwrap();
    let cases: BTreeSet<&str> = gained
        .iter()
        .filter(|g| g["privilege"] == "read")
        .filter_map(|g| g["row"].as_str())
        .filter(|r| r.starts_with("incident:"))
        .collect();
    assert_eq!(cases.len(), 5, "{s}");
    assert!(gained.iter().all(|g| g.get("visitor").is_none()), "no visitor key: {s}");
    assert!(gained.iter().any(|g| g["privilege"] == "create" && g["table"] == "incident"), "{s}");
    assert_eq!(s["newcomer"]["lost"], serde_json::json!([]));
    assert_eq!(fail_on(&open, &gain, "anyone"), 4);
    assert_eq!(fail_on(&open, &gain, "anonymous"), 0);
    // Losing the Global contact read: the newcomer loses the contacts, gains nothing.
    let s = answer(&open, &loss);
    assert_eq!(s["newcomer"]["gained"], serde_json::json!([]));
    let lost: Vec<&str> = s["newcomer"]["lost"].as_array().unwrap().iter().filter_map(|g| g["row"].as_str()).collect();
    assert_eq!(lost, ["contact:C1", "contact:C2", "contact:C3", "contact:C4", "contact:C5"]);
    assert_eq!(fail_on(&open, &loss, "anyone"), 0);
    // The readable answer names the newcomer's part.
    let o = bin().arg("whatif").arg(&open).arg(&gain).output().unwrap();
    assert!(String::from_utf8_lossy(&o.stdout).contains("newcomer (anyone who signs up) gains (31"));

    // Registration closed: no newcomer key, and `anyone` is the anonymous visitor only.
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&open).unwrap()).unwrap();
    v["site_settings"].as_array_mut().unwrap().push(serde_json::json!({"name": "Authentication/Registration/Enabled", "value": "false"}));
    let closed = write(&dir, "closed.json", &v.to_string());
    let s = answer(&closed, &gain);
    assert!(s.get("newcomer").is_none(), "{s}");
    assert_eq!(fail_on(&closed, &gain, "anyone"), 0);
    // Closing registration is itself a diff in which the newcomer loses everything.
    let o = bin().arg("diff").arg(&open).arg(&closed).arg("--json").output().unwrap();
    let d: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let s = &d["scenarios"][0];
    assert_eq!(s["summary"]["gained"], 0);
    assert_eq!(s["newcomer"]["gained"], serde_json::json!([]));
    assert_eq!(s["newcomer"]["lost"].as_array().unwrap().len(), 7, "{s}");
    assert_eq!(code(&bin().arg("diff").arg(&closed).arg(&open).args(["--fail-on", "anyone"]).output().unwrap()), 4);
    assert_eq!(code(&bin().arg("diff").arg(&open).arg(&closed).args(["--fail-on", "anyone"]).output().unwrap()), 0);
}
