//! `--help` stays current: every subcommand's help says what it takes
//! (tenant files or folders, the visitors it accepts, the lint ids), the
//! top-level help ends with the exit codes of cli.md, and the shell
//! completions and the manual page, generated from the same definitions,
//! name every subcommand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

fn run(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_portal-access")).args(args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stderr.is_empty(), "{args:?}: nothing on standard error");
    String::from_utf8(o.stdout).unwrap()
}

/// The subcommands listed by `portal-access --help`.
fn subcommands() -> Vec<String> {
    let help = run(&["--help"]);
    let listed = help.split("Commands:\n").nth(1).unwrap().split("\n\n").next().unwrap();
    let names: Vec<String> = listed
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .filter(|n| n != "help")
        .collect();
    assert!(names.len() >= 20, "{names:?}");
    names
}

#[test]
fn the_top_level_help_ends_with_the_exit_codes() {
    for flag in ["-h", "--help"] {
        let help = run(&[flag]);
        let codes = help.split("Exit codes:\n").nth(1).unwrap_or_else(|| panic!("no exit codes in {flag}:\n{help}"));
        for code in ["  0  the command ran", "  2  bad usage", "  4  a `--fail-on`, `--deny` or `test` condition met", "  1  any other failure"] {
            assert!(codes.contains(code), "{flag}: `{code}` missing:\n{help}");
        }
    }
}

#[test]
fn every_subcommand_has_help_that_says_what_it_takes() {
    let tenant = "folder (site download, code site, solution, pulled snapshot)";
    let mut with_visitor = 0;
    for name in subcommands() {
        let help = run(&[&name, "--help"]);
        assert!(help.contains("Usage: portal-access"), "{name}:\n{help}");
        let one_line: String = help.split_whitespace().collect::<Vec<_>>().join(" ");
        if help.contains("<TENANT>") {
            assert!(one_line.contains(tenant), "{name}: TENANT must say file or folder:\n{help}");
        }
        if help.contains("<VISITOR>") || help.contains("--visitor <VISITOR>") {
            assert!(one_line.contains("`anonymous`"), "{name}: VISITOR must list `anonymous`:\n{help}");
            if name != "bypass" {
                with_visitor += 1;
                assert!(one_line.contains("`newcomer`"), "{name}: VISITOR must list `newcomer`:\n{help}");
            }
        }
        assert!(!help.contains("PP016") || help.contains("PP044"), "{name}: lint ids go to PP044");
    }
    assert!(with_visitor >= 6, "can, what, why, columns, reach, exposure take a visitor");
    let lint = run(&["lint", "--help"]);
    assert!(lint.contains("PP001 to PP044"), "{lint}");
    assert!(lint.contains("Exit 4"), "{lint}");
}

#[test]
fn completions_name_every_subcommand() {
    let names = subcommands();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = run(&["completions", shell]);
        for name in &names {
            assert!(script.contains(name.as_str()), "{shell}: `{name}` missing");
        }
    }
}

#[test]
fn the_manual_page_names_every_subcommand_and_the_exit_codes() {
    let page = run(&["man"]);
    assert!(page.starts_with(".ie") || page.contains(".TH portal-access"), "{page}");
    for name in subcommands() {
        assert!(page.contains(&format!("portal\\-access\\-{}", name.replace('-', "\\-"))), "`{name}` missing");
    }
    assert!(page.contains("Exit codes:"), "{page}");
    let lint = run(&["man", "lint"]);
    assert!(lint.contains("PP001 to PP044"), "{lint}");
    let o = Command::new(env!("CARGO_BIN_EXE_portal-access")).args(["man", "nothing"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}
