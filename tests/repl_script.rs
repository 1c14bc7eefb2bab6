//! A script piped to the real binary's REPL: every answer printed in order,
//! errors on standard error with their line number, exit code 1 because one
//! line failed, and nothing run after `quit`. The expected output
//! (`tests/repl/script.stdout`) was checked by hand against semantics.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn repl(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_portal-access"))
        .current_dir(dir)
        .arg("repl")
        .arg("examples/customer-service.json")
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn piped_script_prints_each_answer_and_fails_on_a_bad_line() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/repl");
    let script = std::fs::read(dir.join("script.txt")).unwrap();
    let (code, out, err) = repl(&[], &script);
    assert_eq!(out, std::fs::read_to_string(dir.join("script.stdout")).unwrap());
    assert_eq!(err, std::fs::read_to_string(dir.join("script.stderr")).unwrap());
    assert_eq!(code, 1);
}

#[test]
fn a_script_that_succeeds_exits_zero() {
    // Rows and contacts print by name; names are taken as input as ids are.
    let (code, out, err) = repl(&[], b"can C3 write incident:I3\ncan Cy write incident:Hose\n");
    let line = "yes: Cy may write incident:Hose (via Cases where contact is customer)\n";
    assert_eq!((code, out.as_str(), err.as_str()), (0, format!("{line}{line}").as_str(), ""));
}

#[test]
fn command_runs_one_line() {
    let (code, out, _) = repl(&["--command", "who write incident:I3"], b"");
    assert_eq!(code, 0);
    assert_eq!(out, "who may write incident:Hose:\n  anonymous visitors   no\n  anyone who signs up  no\n  contacts (1)         Cy\n");
    let (code, out, err) = repl(&["-c", "can C1 read nothing:X"], b"");
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(err, "error: line 1: table `nothing` does not exist in this tenant\n");
}

#[test]
fn a_tenant_that_fails_to_load_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_portal-access"))
        .args(["repl", "/no/such/tenant.json", "-c", "stats"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().starts_with("error: /no/such/tenant.json: cannot read"));
}

#[test]
fn tree_subcommand_prints_dot() {
    let out = Command::new(env!("CARGO_BIN_EXE_portal-access"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "examples/customer-service.json", "TP-kb-anon", "--dot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let dot = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        dot,
        "digraph {\n    \
         0 [ label = \"R-anon\\lAnonymous Users\\lanonymous users role\\l\" shape = ellipse, fontname = \"Helvetica\" ]\n    \
         1 [ label = \"TP-kb-anon (asked)\\lknowledgearticle: global\\lread\\l\" shape = box, fontname = \"Helvetica\" ]\n    \
         0 -> 1 [ label = \"\" fontname = \"Helvetica\" ]\n}\n"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_portal-access"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "examples/customer-service.json", "TP-nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The one-shot commands and the REPL print the same text for the same
/// question (one renderer serves both).
#[test]
fn commands_and_the_repl_print_the_same_answers() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    for line in [
        "can C1 read incident:I1",
        "can C2 read incident:I1",
        "can C1 create incident",
        "who read contact:C1",
        "what C1 read --table annotation",
        "what C1 create",
        "why C2 read annotation:N1",
        "why C1 read incident:I1",
    ] {
        let words: Vec<&str> = line.split(' ').collect();
        let mut args = vec![words[0], "examples/customer-service.json"];
        args.extend(&words[1..]);
        let out = Command::new(env!("CARGO_BIN_EXE_portal-access")).current_dir(dir).args(&args).env("NO_COLOR", "1").output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{line}");
        let command = String::from_utf8(out.stdout).unwrap();
        let (code, session, _) = repl(&["--command", line], b"");
        assert_eq!(code, 0, "{line}");
        assert!(!command.is_empty(), "{line}");
        assert_eq!(command, session, "{line}");
    }
}
