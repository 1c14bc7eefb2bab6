//! `convert`: the native form of the example folder gives the same answers
//! as the folder and as `examples/customer-service.json`, for every visitor,
//! row and privilege; it never writes over an input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod folder_support;

use folder_support::{bin, repo};
use portal_access::Analysis;

const FOLDER: &str = "examples/customer-service-folder";

/// Every answer of `can` (with `via`) for every visitor, row and privilege,
/// `create` for every table, and `who` for every row and privilege.
fn answers(a: &Analysis) -> Vec<String> {
    let t = &a.tenant;
    let mut visitors = vec!["anonymous".to_string()];
    visitors.extend(t.contacts().map(|c| t.row_name(c).to_string()));
    let mut rows: Vec<String> = (0..t.row_count()).map(|x| t.row_ref(x)).collect();
    rows.sort();
    let mut tables: Vec<String> = t.tables.iter().map(|x| x.name.clone()).collect();
    tables.sort();
    let mut out = Vec::new();
    for p in ["read", "write", "delete", "append", "append_to"] {
        for r in &rows {
            for v in &visitors {
                out.push(serde_json::to_string(&a.can(v, p, r).unwrap()).unwrap());
            }
            out.push(serde_json::to_string(&a.who(p, r).unwrap()).unwrap());
        }
    }
    for tb in &tables {
        for v in &visitors {
            out.push(serde_json::to_string(&a.can(v, "create", tb).unwrap()).unwrap());
        }
    }
    out.sort();
    out
}

#[test]
fn example_folder_round_trip_gives_identical_answers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tenant.json");
    let run = bin().args(["convert", FOLDER, "-o"]).arg(&out).current_dir(repo("")).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(
        String::from_utf8(run.stdout).unwrap(),
        format!("wrote {} (4 web roles, 9 table permissions, 21 rows)\n", out.display())
    );
    let folder = Analysis::load(&repo(FOLDER)).unwrap();
    let converted = Analysis::load(&out).unwrap();
    let native = Analysis::load(&repo("examples/customer-service.json")).unwrap();
    let a = answers(&folder);
    assert!(a.len() > 400, "{}", a.len());
    assert_eq!(a, answers(&converted));
    assert_eq!(a, answers(&native), "the example folder means the same as the example file");
    // Deterministic: a second conversion writes the same bytes.
    let first = std::fs::read(&out).unwrap();
    let again = dir.path().join("again.json");
    bin().args(["convert", FOLDER, "-o"]).arg(&again).current_dir(repo("")).output().unwrap();
    assert_eq!(first, std::fs::read(&again).unwrap());
}

#[test]
fn example_folder_answers_the_spec_example_queries() {
    // A few answers of the spec's example (spec/examples/customer-service.expected.jsonl),
    // asked of the folder form.
    let a = Analysis::load(&repo(FOLDER)).unwrap();
    let can = a.can("C1", "read", "incident:I1").unwrap();
    assert!(can.allowed);
    assert_eq!(can.via, vec!["TP-case-contact"]);
    assert!(!a.can("C1", "read", "incident:I2").unwrap().allowed);
    assert_eq!(a.can("C2", "read", "incident:I2").unwrap().via, vec!["TP-case-account"]);
    assert_eq!(a.can("C3", "read", "incident:I3").unwrap().via, vec!["TP-case-contact"]);
}

#[test]
fn convert_refuses_to_write_over_an_input() {
    let cases = [
        format!("{FOLDER}/site/webrole.yml"),
        format!("{FOLDER}/data/incident.json"),
        format!("{FOLDER}/data/new.json"),
        format!("{FOLDER}/site/table-permissions/x.json"),
    ];
    for target in &cases {
        let before = std::fs::read(repo(target)).ok();
        let run = bin().args(["convert", FOLDER, "-o", target]).current_dir(repo("")).output().unwrap();
        assert_eq!(run.status.code(), Some(2), "{target}");
        assert!(String::from_utf8(run.stderr).unwrap().contains("refusing to write there"));
        assert_eq!(std::fs::read(repo(target)).ok(), before, "{target} unchanged");
    }
    let file = "examples/customer-service.json";
    let before = std::fs::read(repo(file)).unwrap();
    let run = bin().args(["convert", file, "-o", file]).current_dir(repo("")).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(std::fs::read(repo(file)).unwrap(), before);
}

#[test]
fn convert_of_a_folder_that_fails_to_load_writes_nothing() {
    let dir = folder_support::folder(&[("site/webrole.yml", "- adx_webroleid: R1\n  adx_name: [x\n")]);
    let out = dir.path().join("out.json");
    let run = bin().args(["convert"]).arg(dir.path()).arg("-o").arg(&out).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(!out.exists());
}
