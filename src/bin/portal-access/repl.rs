//! The `repl` subcommand: wires the rustyline editor to a library
//! [`Session`]. Only the binary uses this module; every behaviour (commands,
//! completion candidates, scripts, the history location) is in the library.

use portal_access::cli::text::color_wanted;
use portal_access::cli::session::{history_path, Session};
use portal_access::LoadError;
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};
use std::io::{self, IsTerminal, Write};
use std::path::Path;

/// The editor's helper: owns the session, so completion always sees the
/// tenant currently loaded.
struct ReplHelper {
    session: Session,
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, words) = self.session.complete(line, pos);
        let pairs = words.into_iter().map(|w| Pair { display: w.trim_end().to_string(), replacement: w }).collect();
        Ok((start, pairs))
    }
}
impl Hinter for ReplHelper {
    type Hint = String;
}
impl Highlighter for ReplHelper {}
impl Validator for ReplHelper {}
impl Helper for ReplHelper {}

/// Runs `portal-access repl TENANT [--command LINE]`; returns the exit code.
pub fn run(tenant: &Path, command: Option<&str>, ids: bool) -> Result<u8, LoadError> {
    let mut session = Session::open(tenant)?;
    session.set_color(color_wanted(io::stdout().is_terminal()));
    session.set_ids(ids);
    let stdout = io::stdout();
    let stderr = io::stderr();
    if let Some(line) = command {
        let ok = session.run_script(line.as_bytes(), &mut stdout.lock(), &mut stderr.lock());
        return Ok(exit(ok));
    }
    if !io::stdin().is_terminal() {
        let ok = session.run_script(io::stdin().lock(), &mut stdout.lock(), &mut stderr.lock());
        return Ok(exit(ok));
    }
    Ok(interactive(session))
}

fn exit(ok: io::Result<bool>) -> u8 {
    match ok {
        Ok(true) => 0,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Ok(false) | Err(_) => 1,
    }
}

fn interactive(session: Session) -> u8 {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .max_history_size(1000)
        .map(|b| b.auto_add_history(true).build());
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot configure the line editor: {e}");
            return 1;
        }
    };
    let mut rl: Editor<ReplHelper, FileHistory> = match Editor::with_config(config) {
        Ok(rl) => rl,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return 1;
        }
    };
    if say(&session.banner()).is_err() {
        return 0;
    }
    rl.set_helper(Some(ReplHelper { session }));
    let history = history_path();
    if let Some(h) = &history {
        // A missing history file is the first session, not an error.
        let _ = rl.load_history(h);
    }
    loop {
        match rl.readline("portal-access> ") {
            Ok(line) => {
                let Some(helper) = rl.helper_mut() else { return 1 };
                let (text, quit) = match helper.session.execute(&line) {
                    Ok(out) => (out.text, out.quit),
                    Err(e) => {
                        let _ = io::stderr().write_all(helper.session.render_error(&e).as_bytes());
                        (String::new(), false)
                    }
                };
                // Standard output gone (a closed pipe): nobody reads the answers any more.
                if say(&text).is_err() {
                    return 0;
                }
                if let Some(h) = &history {
                    save_history(&mut rl, h);
                }
                if quit {
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        }
    }
    0
}

/// Prints to standard output without panicking when it is closed.
fn say(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn save_history(rl: &mut Editor<ReplHelper, FileHistory>, path: &Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    // History is a convenience: failing to keep it never ends the session.
    let _ = rl.save_history(path);
}
