//! The real binary's REPL under a pseudo-terminal: Tab completion of a row
//! reference, history recalled after a restart, and an error that does not
//! end the session. Timeouts are generous (CI has 2 shared cores) and no
//! test asserts a duration.
#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{Eof, Expect, Session};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const PROMPT: &str = "portal-access> ";

/// A fresh folder for one test's history file.
fn history_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("portal-access-pty-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn spawn(history: &Path) -> OsSession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_portal-access"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["repl", "examples/customer-service.json"])
        .env("PORTAL_ACCESS_HISTORY", history)
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(120)));
    p.expect("Tab completes").unwrap();
    p.expect(PROMPT).unwrap();
    p
}

/// Ends the session with Ctrl-D and checks it exits 0.
fn finish(mut p: OsSession) {
    p.send("\x04").unwrap();
    p.expect(Eof).unwrap();
    assert!(matches!(p.get_process().wait().unwrap(), WaitStatus::Exited(_, 0)));
}

#[test]
fn tab_completes_a_row_reference() {
    let dir = history_dir("tab");
    let mut p = spawn(&dir.join("history"));
    // One table starts with `inc`: Tab completes it and stops after the colon.
    p.send("can C1 read inc\t").unwrap();
    p.expect("can C1 read incident:").unwrap();
    // Its ids share `I`: one Tab extends to it, the next lists them.
    p.send("\t").unwrap();
    p.expect("incident:I").unwrap();
    p.send("\t").unwrap();
    p.expect("incident:I5").unwrap();
    p.send("1\r").unwrap();
    p.expect("yes: Ada may read incident:Pump (via Cases where contact is customer)").unwrap();
    p.expect(PROMPT).unwrap();
    finish(p);
}

#[test]
fn history_is_recalled_after_a_restart() {
    let dir = history_dir("history");
    let history = dir.join("state").join("history");
    let mut p = spawn(&history);
    p.send("who read incident:I2\r").unwrap();
    p.expect("contacts (1)         Bo").unwrap();
    p.expect(PROMPT).unwrap();
    p.send("quit\r").unwrap();
    p.expect(Eof).unwrap();
    assert!(matches!(p.get_process().wait().unwrap(), WaitStatus::Exited(_, 0)));
    assert!(std::fs::read_to_string(&history).unwrap().contains("who read incident:I2"));

    let mut p = spawn(&history);
    // Up arrow: the last line of the previous session (`quit`), then the one before.
    p.send("\x1b[A").unwrap();
    p.expect("quit").unwrap();
    p.send("\x1b[A").unwrap();
    p.expect("who read incident:I2").unwrap();
    p.send("\r").unwrap();
    p.expect("who may read incident:Valve:").unwrap();
    p.expect(PROMPT).unwrap();
    finish(p);
}

#[test]
fn an_error_does_not_end_the_session() {
    let dir = history_dir("error");
    let mut p = spawn(&dir.join("history"));
    p.send("can C9 read incident:I1\r").unwrap();
    p.expect("error: contact `C9` does not exist").unwrap();
    p.expect(PROMPT).unwrap();
    p.send("cna C1 read incident:I1\r").unwrap();
    p.expect("did you mean `can`?").unwrap();
    p.expect(PROMPT).unwrap();
    p.send("can C1 read incident:I1\r").unwrap();
    p.expect("yes: Ada may read incident:Pump").unwrap();
    p.expect(PROMPT).unwrap();
    finish(p);
}

#[test]
fn history_lives_in_the_xdg_state_directory() {
    let dir = history_dir("xdg");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_portal-access"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["repl", "examples/customer-service.json"])
        .env_remove("PORTAL_ACCESS_HISTORY")
        .env("XDG_STATE_HOME", &dir)
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut p = Session::spawn(cmd).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(120)));
    p.expect(PROMPT).unwrap();
    p.send("roles C4\r").unwrap();
    p.expect("Di (no account) holds 1 web role").unwrap();
    p.expect(PROMPT).unwrap();
    finish(p);
    let saved = std::fs::read_to_string(dir.join("portal-access").join("history")).unwrap();
    assert!(saved.contains("roles C4"), "{saved}");
}
