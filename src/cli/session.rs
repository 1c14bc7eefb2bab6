//! The interactive session: a loaded tenant and the commands a person (or a
//! script) types at it.
//!
//! [`Session::execute`] runs one line and returns its text; every command is
//! one entry of [`COMMANDS`] (name, arguments, one-line help, handler), and
//! that table also generates `help`, drives argument checking, and tells
//! [`Session::complete`] what each argument is. The front end (the `repl`
//! subcommand) only reads lines, prints, and keeps the editor's history.


use crate::error::{LoadError, QueryError};
use crate::model::{Names, Privilege};
use crate::answer::query::{Analysis, GrantLine};
use serde::Serialize;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use super::text::{count, Painter, Style, TextTable};
use super::grammar::{opt, req, Arg, Command, Flag};
use super::picture::RenderError;
use super::{complete, explain, picture, svg, text};
use thiserror::Error;

mod commands;
use commands::*;
pub use commands::{history_path, memory_kib, Stats};

/// What one line printed, and whether it asked to end the session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// The text to print: empty, or lines each ending in a newline.
    pub text: String,
    /// The line was `quit`.
    pub quit: bool,
}

impl Output {
    fn text(text: String) -> Output {
        Output { text, quit: false }
    }
}

/// Why a line could not be run. The session itself is unchanged by a failed
/// line (a failed `load` keeps the tenant already loaded).
#[derive(Debug, Error)]
pub enum SessionError {
    /// A query named a row, contact, table, privilege, permission or role
    /// that does not exist.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// `load` could not load the tenant.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The first word is not a command.
    #[error("unknown command `{name}`; did you mean `{suggestion}`? (`help` lists the commands)")]
    UnknownCommand {
        /// What was typed.
        name: String,
        /// The nearest command name.
        suggestion: String,
    },
    /// Wrong arguments for a command.
    #[error("{message}; usage: `{usage}`")]
    Usage {
        /// What is wrong.
        message: String,
        /// The command's usage line.
        usage: String,
    },
    /// A quote was opened and never closed.
    #[error("unclosed quote in `{line}`")]
    Quote {
        /// The line as typed.
        line: String,
    },
    /// A picture could not be written.
    #[error(transparent)]
    Render(#[from] RenderError),
}

impl SessionError {
    /// The exit code of the command line for this error: 2 for bad input
    /// (unknown ids, bad usage, a tenant that fails to load), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            SessionError::Render(_) => 1,
            _ => 2,
        }
    }
}

type Handler = fn(&mut Session, &Parsed) -> Result<Output, SessionError>;

/// One REPL command of the session: its syntax and its handler.
pub type CommandSpec = Command<Handler>;

const JSON: Flag = Flag { name: "--json", value: None };
const DOT: Flag = Flag { name: "--dot", value: None };
const SVG: Flag = Flag { name: "--svg", value: Some(("FILE", Arg::Path)) };
const TABLE: Flag = Flag { name: "--table", value: Some(("TABLE", Arg::Table)) };
const LIMIT: Flag = Flag { name: "--limit", value: Some(("N", Arg::Number)) };
const COLUMN: Flag = Flag { name: "--column", value: Some(("COL", Arg::Column)) };
const VISITOR: Flag = Flag { name: "--visitor", value: Some(("VISITOR", Arg::Visitor)) };

/// Every command of the session. `help` is generated from this table.
pub static COMMANDS: &[CommandSpec] = &[
    Command {
        name: "can",
        aliases: &[],
        params: &[req("VISITOR", Arg::Visitor), req("PRIVILEGE", Arg::Privilege), req("TABLE:ID", Arg::Target)],
        flags: &[JSON],
        help: "may VISITOR do PRIVILEGE to the row? (for create, give the TABLE)",
        handler: cmd_can,
    },
    Command {
        name: "who",
        aliases: &[],
        params: &[req("PRIVILEGE", Arg::Privilege), req("TABLE:ID", Arg::Target)],
        flags: &[COLUMN, JSON],
        help: "who may do PRIVILEGE to the row (anonymous visitors, anyone who signs up, then contacts); a bare TABLE: by access patterns, with or without rows; --column: through the Web API; `who open page:ID`, `who invoke serverlogic:NAME|cloudflow:ID`",
        handler: cmd_who,
    },
    Command {
        name: "reach",
        aliases: &[],
        params: &[req("VISITOR", Arg::Visitor)],
        flags: &[JSON],
        help: "everything VISITOR reaches: the pages it opens with their components' rows, web files, endpoints",
        handler: cmd_reach,
    },
    Command {
        name: "what",
        aliases: &[],
        params: &[req("VISITOR", Arg::Visitor), req("PRIVILEGE", Arg::Privilege)],
        flags: &[TABLE, JSON],
        help: "which rows VISITOR may do PRIVILEGE to (tables, for create)",
        handler: cmd_what,
    },
    Command {
        name: "bypass",
        aliases: &[],
        params: &[],
        flags: &[VISITOR, TABLE, JSON],
        help: "virtual-table rows visitors can read directly from F&O that web roles do not grant (F8)",
        handler: cmd_bypass,
    },
    Command {
        name: "why",
        aliases: &[],
        params: &[req("VISITOR", Arg::Visitor), req("PRIVILEGE", Arg::Privilege), req("TABLE:ID", Arg::Target)],
        flags: &[DOT, SVG, JSON],
        help:
            "why VISITOR may (or may not) do PRIVILEGE to the row: each chain, or the nearest miss; --dot/--svg draw it",
        handler: cmd_why,
    },
    Command {
        name: "columns",
        aliases: &[],
        params: &[req("VISITOR", Arg::Visitor), req("TABLE:ID", Arg::Target)],
        flags: &[JSON],
        help: "the columns of the row VISITOR may read and update through the Web API (/_api/)",
        handler: cmd_columns,
    },
    Command {
        name: "exposure",
        aliases: &[],
        params: &[],
        flags: &[VISITOR, JSON],
        help: "what anyone on the internet (or --visitor V) can pull through the Web API, table by table",
        handler: cmd_exposure,
    },
    Command {
        name: "grants",
        aliases: &[],
        params: &[],
        flags: &[TABLE, LIMIT, JSON],
        help: "every grant, sorted; shows 100 unless --limit N (0: all; --json: all unless --limit)",
        handler: cmd_grants,
    },
    Command {
        name: "roles",
        aliases: &[],
        params: &[req("VISITOR", Arg::Visitor)],
        flags: &[JSON],
        help: "the web roles VISITOR holds and where each comes from",
        handler: cmd_roles,
    },
    Command {
        name: "tree",
        aliases: &[],
        params: &[opt("PERMISSION", Arg::Permission)],
        flags: &[DOT, SVG, JSON],
        help: "the permission forest (or the tree holding PERMISSION); --dot prints Graphviz, --svg draws it",
        handler: cmd_tree,
    },
    Command {
        name: "show",
        aliases: &[],
        params: &[req("permission|role|row", Arg::ShowKind), req("ID", Arg::ShowId)],
        flags: &[JSON],
        help: "one permission, role or row (TABLE:ID) and everything tied to it",
        handler: cmd_show,
    },
    Command {
        name: "stats",
        aliases: &[],
        params: &[],
        flags: &[JSON],
        help: "counts of rows, facts and grants; load and derive time; memory",
        handler: cmd_stats,
    },
    Command {
        name: "diff",
        aliases: &[],
        params: &[req("PATH", Arg::Path)],
        flags: &[LIMIT, JSON],
        help: "grants the tenant at PATH makes that this one does not, and the reverse",
        handler: cmd_diff,
    },
    Command {
        name: "test",
        aliases: &[],
        params: &[req("FILE", Arg::Path)],
        flags: &[JSON],
        help: "run the expectations in FILE against this tenant, with coverage",
        handler: cmd_test,
    },
    Command {
        name: "load",
        aliases: &[],
        params: &[req("PATH", Arg::Path)],
        flags: &[],
        help: "load another tenant (a failed load keeps the current one)",
        handler: cmd_load,
    },
    Command {
        name: ":json",
        aliases: &[],
        params: &[],
        flags: &[],
        help: "toggle JSON answers (the shapes of the command line's --json)",
        handler: cmd_json,
    },
    Command {
        name: ":ids",
        aliases: &[],
        params: &[],
        flags: &[],
        help: "toggle ids beside the display names of permissions and roles",
        handler: cmd_ids,
    },
    Command {
        name: ":time",
        aliases: &[],
        params: &[],
        flags: &[],
        help: "toggle printing how long each command took",
        handler: cmd_time,
    },
    Command {
        name: "help",
        aliases: &["?"],
        params: &[opt("COMMAND", Arg::Command)],
        flags: &[],
        help: "list the commands, or explain one",
        handler: cmd_help,
    },
    Command {
        name: "quit",
        aliases: &["exit"],
        params: &[],
        flags: &[],
        help: "end the session (Ctrl-D does too)",
        handler: cmd_quit,
    },
];

/// Finds a command by name or alias.
pub fn command(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.name == name || c.aliases.contains(&name))
}

/// The command name nearest to `name` (edit distance; the first in table
/// order on a tie).
pub fn nearest_command(name: &str) -> &'static str {
    let mut best = ("help", usize::MAX);
    for c in COMMANDS {
        for n in std::iter::once(&c.name).chain(c.aliases) {
            let d = strsim::levenshtein(name, n);
            if d < best.1 {
                best = (c.name, d);
            }
        }
    }
    best.0
}

/// The arguments of one line, checked against its command's [`CommandSpec`].
pub struct Parsed {
    spec: &'static CommandSpec,
    pos: Vec<String>,
    flags: Vec<(&'static str, Option<String>)>,
}

impl Parsed {
    fn arg(&self, i: usize) -> Option<&str> {
        self.pos.get(i).map(String::as_str)
    }
    fn req(&self, i: usize) -> &str {
        self.arg(i).unwrap_or("")
    }
    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|(n, _)| *n == name)
    }
    fn value(&self, name: &str) -> Option<&str> {
        self.flags.iter().rev().find(|(n, _)| *n == name).and_then(|(_, v)| v.as_deref())
    }
    fn usage(&self, message: String) -> SessionError {
        SessionError::Usage { message, usage: self.spec.usage() }
    }
}

/// Splits a line into words: blanks separate, `"..."` or `'...'` quote.
pub fn split_words(line: &str) -> Result<Vec<String>, SessionError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for ch in line.chars() {
        match quote {
            Some(q) if ch == q => quote = None,
            Some(_) => cur.push(ch),
            None if ch == '"' || ch == '\'' => {
                quote = Some(ch);
                in_word = true;
            }
            None if ch.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                cur.push(ch);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err(SessionError::Quote { line: line.to_string() });
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

fn parse(spec: &'static CommandSpec, words: &[String]) -> Result<Parsed, SessionError> {
    let mut p = Parsed { spec, pos: Vec::new(), flags: Vec::new() };
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        i += 1;
        if w.starts_with("--") && w.len() > 2 {
            let (name, inline) = match w.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (w.as_str(), None),
            };
            let Some(f) = spec.flags.iter().find(|f| f.name == name) else {
                let known: Vec<&str> = spec.flags.iter().map(|f| f.name).collect();
                let msg = if known.is_empty() {
                    format!("`{}` takes no flags, found `{name}`", spec.name)
                } else {
                    format!("unknown flag `{name}` (`{}` takes {})", spec.name, known.join(", "))
                };
                return Err(p.usage(msg));
            };
            let value = match (f.value, inline) {
                (None, None) => None,
                (None, Some(_)) => return Err(p.usage(format!("`{name}` takes no value"))),
                (Some(_), Some(v)) => Some(v),
                (Some((vname, _)), None) => match words.get(i) {
                    Some(v) => {
                        i += 1;
                        Some(v.clone())
                    }
                    None => return Err(p.usage(format!("`{name}` needs a value ({vname})"))),
                },
            };
            if let (Some((_, Arg::Number)), Some(v)) = (f.value, &value) {
                if v.parse::<u64>().is_err() {
                    return Err(p.usage(format!("`{name}` needs a whole number, found `{v}`")));
                }
            }
            p.flags.push((f.name, value));
        } else {
            p.pos.push(w.clone());
        }
    }
    if p.pos.len() > spec.params.len() {
        let extra = &p.pos[spec.params.len()];
        return Err(p.usage(format!("unexpected argument `{extra}`")));
    }
    if let Some(missing) = spec.params.iter().skip(p.pos.len()).find(|a| a.required) {
        return Err(p.usage(format!("missing {}", missing.name)));
    }
    Ok(p)
}

/// A tenant loaded for a session, with the session's settings.
pub struct Session {
    analysis: Analysis,
    load_time: Duration,
    derive_time: Duration,
    grant_count: Option<u64>,
    json: bool,
    time: bool,
    painter: Painter,
    /// Ids beside display names (`:ids`).
    ids: bool,
    /// How permissions and roles are named in readable answers.
    names: Names,
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn json_line<T: Serialize>(v: &T) -> String {
    match serde_json::to_string(v) {
        Ok(s) => s + "\n",
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

impl Session {
    /// Loads a tenant and derives its grants, timing both.
    pub fn open(path: &Path) -> Result<Session, LoadError> {
        let (analysis, load_time, derive_time) = timed_load(path)?;
        let mut s = Session::new(analysis);
        s.load_time = load_time;
        s.derive_time = derive_time;
        Ok(s)
    }

    /// A session on an already derived tenant (no colour, plain answers).
    pub fn new(analysis: Analysis) -> Session {
        let names = Names::new(&analysis.tenant, false);
        Session {
            analysis,
            load_time: Duration::ZERO,
            derive_time: Duration::ZERO,
            grant_count: None,
            json: false,
            time: false,
            painter: Painter { color: false },
            ids: false,
            names,
        }
    }

    /// The loaded tenant and its grants.
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// Turns ANSI colour on or off (see [`text::color_wanted`]).
    pub fn set_color(&mut self, on: bool) {
        self.painter = Painter { color: on };
    }

    /// Shows ids beside display names in readable answers, or not (what
    /// `:ids` toggles; the command line's `--ids`).
    pub fn set_ids(&mut self, on: bool) {
        self.ids = on;
        self.names = Names::new(&self.analysis.tenant, on);
    }

    /// Turns JSON answers on or off (what `:json` toggles).
    pub fn set_json(&mut self, on: bool) {
        self.json = on;
    }

    /// The line printed when an interactive session starts.
    pub fn banner(&self) -> String {
        let t = &self.analysis.tenant;
        let warning = self.analysis.incomplete_line().unwrap_or_default();
        warning + &format!(
            "portal-access: `{}` loaded: {}, {}, {} in {} (load {}, derive {})\n\
             Type `help` for the commands; Tab completes commands, ids and rows; Ctrl-D quits.\n",
            t.source,
            count(t.row_count() as usize, "row", "rows"),
            count(t.roles.len(), "web role", "web roles"),
            count(t.permissions.len(), "table permission", "table permissions"),
            count(t.tables.iter().filter(|x| !x.ids.is_empty()).count(), "table", "tables"),
            ms(self.load_time),
            ms(self.derive_time),
        )
    }

    /// An error as the front end prints it (`error: ...`, red on a terminal).
    pub fn render_error(&self, e: &SessionError) -> String {
        format!("{} {e}\n", self.painter.paint("error:", Style::Red))
    }

    /// Runs one line. Blank lines and lines starting with `#` do nothing.
    pub fn execute(&mut self, line: &str) -> Result<Output, SessionError> {
        let words = split_words(line)?;
        let Some(first) = words.first() else { return Ok(Output::default()) };
        if first.starts_with('#') {
            return Ok(Output::default());
        }
        let Some(spec) = command(first) else {
            return Err(SessionError::UnknownCommand {
                name: first.clone(),
                suggestion: nearest_command(first).to_string(),
            });
        };
        let parsed = parse(spec, &words[1..])?;
        let start = Instant::now();
        let mut out = (spec.handler)(self, &parsed)?;
        // Meta commands (`:json`, `:time`) are not queries: no latency line.
        if self.time && !out.quit && !spec.name.starts_with(':') {
            out.text.push_str(&self.painter.paint(&format!("time: {}", ms(start.elapsed())), Style::Dim));
            out.text.push('\n');
        }
        Ok(out)
    }

    /// Tab completion: for the text before the cursor (`line[..pos]`), the
    /// byte offset where the word being completed starts and the words that
    /// may replace it, sorted. A candidate that ends a word ends in a space.
    pub fn complete(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        complete::complete(self.analysis(), COMMANDS, line, pos)
    }

    /// Runs a script: one command per line, answers to `out`, errors (with
    /// their line number) to `err`. Returns whether every line succeeded.
    /// Stops at `quit`.
    pub fn run_script(
        &mut self,
        mut input: impl BufRead,
        out: &mut impl Write,
        err: &mut impl Write,
    ) -> io::Result<bool> {
        let mut ok = true;
        let mut buf = Vec::new();
        let mut n = 0usize;
        loop {
            buf.clear();
            if input.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            n += 1;
            let Ok(line) = std::str::from_utf8(&buf) else {
                writeln!(err, "{} line {n}: not valid UTF-8", self.painter.paint("error:", Style::Red))?;
                ok = false;
                continue;
            };
            match self.execute(line.trim_end_matches(['\n', '\r'])) {
                Ok(o) => {
                    out.write_all(o.text.as_bytes())?;
                    out.flush()?;
                    if o.quit {
                        break;
                    }
                }
                Err(e) => {
                    out.flush()?;
                    writeln!(err, "{} line {n}: {e}", self.painter.paint("error:", Style::Red))?;
                    ok = false;
                }
            }
        }
        Ok(ok)
    }

    fn wants_json(&self, p: &Parsed) -> bool {
        self.json || p.flag("--json")
    }


    /// `tree [PERMISSION] [--dot] [--svg FILE] [--json]`, as the `tree`
    /// subcommand of the command line runs it.
    pub fn tree(
        &self,
        permission: Option<&str>,
        dot: bool,
        svg: Option<&str>,
        json: bool,
    ) -> Result<Output, SessionError> {
        let a = &self.analysis;
        let forest = explain::forest(a, permission)?;
        let mut text = String::new();
        if let Some(file) = svg {
            self.check_output(file)?;
            let title = match permission {
                Some(id) => format!("the permission tree holding {id}"),
                None => "the permission forest".to_string(),
            };
            svg::write_svg(&picture::forest_picture_named(a, &forest), &title, Path::new(file))?;
            text.push_str(&format!("wrote `{file}`\n"));
        }
        if dot {
            text.push_str(&picture::forest_dot(a, &forest));
        } else if json {
            text.push_str(&json_line(&forest));
        } else if svg.is_none() {
            text.push_str(&explain::render_forest(a, &forest, &self.names, &self.painter));
        }
        Ok(Output::text(text))
    }

    /// Refuses to write a picture over the tenant file: no command writes to an input.
    fn check_output(&self, file: &str) -> Result<(), SessionError> {
        let same = match (std::fs::canonicalize(file), std::fs::canonicalize(&self.analysis.tenant.source)) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        };
        if same {
            return Err(SessionError::Render(RenderError::Render {
                file: file.to_string(),
                reason: "it is the tenant file, and no command writes to an input file".to_string(),
            }));
        }
        Ok(())
    }

    /// `why VISITOR PRIVILEGE TARGET [--dot] [--svg FILE] [--json]`: the
    /// answer of [`crate::why`], for a person, as JSON (cli.md) or as a picture.
    pub fn why(
        &self,
        visitor: &str,
        privilege: &str,
        target: &str,
        dot: bool,
        svg: Option<&str>,
        json: bool,
    ) -> Result<Output, SessionError> {
        let ans = self.analysis.why(visitor, privilege, target)?;
        let mut text = String::new();
        if let Some(file) = svg {
            self.check_output(file)?;
            let title = format!("why {visitor} may or may not {privilege} {target}");
            svg::write_svg(&picture::why_picture(&ans), &title, Path::new(file))?;
            text.push_str(&format!("wrote `{file}`\n"));
        }
        if dot {
            text.push_str(&picture::to_dot(&picture::why_picture(&ans)));
        } else if json {
            text.push_str(&json_line(&ans));
        } else if svg.is_none() {
            text.push_str(&explain::render_why(&ans, &self.analysis.tenant, &self.names, &self.painter));
        }
        Ok(Output::text(text))
    }

    /// Loads another tenant; on failure the current one stays.
    pub fn load(&mut self, path: &Path) -> Result<Output, SessionError> {
        let (analysis, load_time, derive_time) = timed_load(path)?;
        self.analysis = analysis;
        self.names = Names::new(&self.analysis.tenant, self.ids);
        self.load_time = load_time;
        self.derive_time = derive_time;
        self.grant_count = None;
        let t = &self.analysis.tenant;
        Ok(Output::text(format!(
            "loaded `{}`: {}, {}, {} (load {}, derive {})\n",
            t.source,
            count(t.row_count() as usize, "row", "rows"),
            count(t.roles.len(), "web role", "web roles"),
            count(t.permissions.len(), "table permission", "table permissions"),
            ms(load_time),
            ms(derive_time)
        )))
    }

    /// The number of grants of S25 (computed once per tenant).
    pub fn grant_count(&mut self) -> u64 {
        if let Some(n) = self.grant_count {
            return n;
        }
        let a = &self.analysis;
        let mut n = 0u64;
        for v in a.visitors() {
            for p in Privilege::ALL {
                n += if p == Privilege::Create {
                    a.grants.what_create(&a.tenant, v, None).len()
                } else {
                    a.grants.what(&a.tenant, v, p, None).len()
                } as u64;
            }
        }
        self.grant_count = Some(n);
        n
    }
}

fn timed_load(path: &Path) -> Result<(Analysis, Duration, Duration), LoadError> {
    let t0 = Instant::now();
    let tenant = crate::model::load(path)?;
    let t1 = Instant::now();
    let analysis = Analysis::new(tenant);
    Ok((analysis, t1 - t0, t1.elapsed()))
}

