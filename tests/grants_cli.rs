//! `grants` counts before it expands (issue 24): to a terminal, more lines
//! than the limit are refused with the count and what to do instead;
//! `--limit N` prints the first N, `-o FILE` writes them all (never over an
//! input); a pipe gets every grant.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::run_bin;

const TENANT: &str = "examples/customer-service.json";

fn tenant() -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(TENANT).to_string_lossy().into_owned()
}

fn all_lines() -> Vec<String> {
    let (code, out, _) = run_bin(&["grants", &tenant()]);
    assert_eq!(code, 0);
    out.lines().map(str::to_string).collect()
}

#[test]
fn limit_prints_the_first_n_grants_in_order() {
    let all = all_lines();
    assert!(all.len() > 10, "{}", all.len());
    let (code, out, _) = run_bin(&["grants", &tenant(), "--limit", "5"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().collect::<Vec<_>>(), all[..5].iter().map(String::as_str).collect::<Vec<_>>());
    let (_, out, _) = run_bin(&["grants", &tenant(), "--format", "csv", "--limit", "2"]);
    let csv: Vec<&str> = out.lines().collect();
    assert_eq!(csv.len(), 3, "header and two grants: {out}");
    assert_eq!(csv[0], "visitor,privilege,target");
}

#[test]
fn output_file_gets_every_grant_and_never_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("grants.jsonl");
    let (code, out, _) = run_bin(&["grants", &tenant(), "-o", file.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (0, ""));
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written.lines().map(str::to_string).collect::<Vec<_>>(), all_lines());
    let before = std::fs::read(tenant()).unwrap();
    let (code, _, err) = run_bin(&["grants", &tenant(), "-o", &tenant()]);
    assert_eq!(code, 2);
    assert!(err.contains("refusing to write over an input file"), "{err}");
    assert_eq!(std::fs::read(tenant()).unwrap(), before);
}

#[cfg(unix)]
#[test]
fn a_terminal_is_refused_more_lines_than_the_limit() {
    use expectrl::process::unix::WaitStatus;
    use expectrl::{Eof, Expect, Session};
    use std::process::Command;
    let n = all_lines().len();
    let spawn = |max: usize, extra: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_portal-access"));
        cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["grants", TENANT])
            .args(extra)
            .env("PORTAL_ACCESS_TERMINAL_MAX", max.to_string())
            .env("NO_COLOR", "1");
        let mut p = Session::spawn(cmd).unwrap();
        p.set_expect_timeout(Some(std::time::Duration::from_secs(120)));
        p
    };
    let mut p = spawn(n - 1, &[]);
    p.expect(format!("grants: {n} lines would go to the terminal (more than {})", n - 1).as_str()).unwrap();
    p.expect("`--table TABLE`").unwrap();
    p.expect(Eof).unwrap();
    assert!(matches!(p.get_process().wait().unwrap(), WaitStatus::Exited(_, 2)));
    // At the limit it prints; with --limit it prints whatever the count.
    for (max, extra) in [(n, &[][..]), (1, &["--limit", "3"][..])] {
        let mut p = spawn(max, extra);
        p.expect("\"visitor\"").unwrap();
        p.expect(Eof).unwrap();
        assert!(matches!(p.get_process().wait().unwrap(), WaitStatus::Exited(_, 0)), "{max} {extra:?}");
    }
}
