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
        format!(
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
            text.push_str(&explain::render_why(&ans, &self.names, &self.painter));
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

fn cmd_can(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let ans = s.analysis.can(p.req(0), p.req(1), p.req(2))?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&ans)));
    }
    let mut out = text::render_can(&ans, &s.names, &s.painter);
    out.push_str(&crate::cli::text_finance::can_direct(&ans));
    Ok(Output::text(out))
}

fn cmd_columns(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let ans = s.analysis.columns(p.req(0), p.req(1))?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&ans)));
    }
    Ok(Output::text(super::channels::render_columns(&ans, &s.painter)))
}

fn cmd_exposure(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let ans = s.analysis.exposure(p.value("--visitor"))?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&ans)));
    }
    Ok(Output::text(super::channels::render_exposure(&ans, &s.analysis.tenant, &s.painter)))
}

fn cmd_reach(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let ans = s.analysis.reach(p.req(0))?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&ans)));
    }
    Ok(Output::text(super::surfaces::render_reach(&ans, &s.analysis.tenant, &s.painter)))
}

fn cmd_who(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    if matches!(p.req(0), "open" | "invoke") {
        let a = &s.analysis;
        let ans = if p.req(0) == "open" { a.who_open(p.req(1))? } else { a.who_invoke(p.req(1))? };
        if s.wants_json(p) {
            return Ok(Output::text(json_line(&ans)));
        }
        return Ok(Output::text(super::surfaces::render_who_surface(&ans, &s.analysis.tenant, &s.painter)));
    }
    if let Some(col) = p.value("--column") {
        let ans = s.analysis.who_column(p.req(0), p.req(1), col)?;
        if s.wants_json(p) {
            return Ok(Output::text(json_line(&ans)));
        }
        return Ok(Output::text(super::channels::render_who_column(&ans, &s.painter)));
    }
    if p.req(0) != "create" && !p.req(1).contains(':') {
        // A6: who on a table, by access patterns.
        let ans = s.analysis.who_table(p.req(0), p.req(1))?;
        if s.wants_json(p) {
            return Ok(Output::text(json_line(&ans)));
        }
        return Ok(Output::text(super::text_patterns::render_who_table(&ans, &s.names, &s.painter)));
    }
    let ans = s.analysis.who(p.req(0), p.req(1))?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&ans)));
    }
    let mut out = text::render_who(&ans, &s.painter);
    out.push_str(&crate::cli::text_finance::who_direct(&ans));
    Ok(Output::text(out))
}

fn cmd_what(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let ans = s.analysis.what(p.req(0), p.req(1), p.value("--table"))?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&ans)));
    }
    Ok(Output::text(text::render_what(&ans)))
}

fn cmd_bypass(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let ans = s.analysis.bypass(p.value("--visitor"), p.value("--table"))?;
    if s.wants_json(p) {
        return Ok(Output::text(crate::cli::text_finance::bypass_json_lines(&ans)));
    }
    Ok(Output::text(crate::cli::text_finance::render_bypass(&ans, &s.painter)))
}

fn cmd_why(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let json = s.wants_json(p);
    s.why(p.req(0), p.req(1), p.req(2), p.flag("--dot"), p.value("--svg"), json)
}

fn cmd_grants(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let json = s.wants_json(p);
    let limit: Option<usize> = match p.value("--limit").and_then(|v| v.parse::<usize>().ok()) {
        Some(0) => None,
        Some(n) => Some(n),
        None if json => None,
        None => Some(100),
    };
    let a = &s.analysis;
    let table = p.value("--table").map(|t| a.table(t)).transpose()?;
    let mut lines: Vec<GrantLine> = Vec::new();
    let mut more = false;
    'outer: for v in a.visitors() {
        for g in a.grants_of(v, table) {
            if limit.is_some_and(|l| lines.len() >= l) {
                more = true;
                break 'outer;
            }
            lines.push(g);
        }
    }
    let mut out = String::new();
    if json {
        for g in &lines {
            out.push_str(&json_line(g));
        }
        return Ok(Output::text(out));
    }
    if lines.is_empty() {
        return Ok(Output::text("no grants\n".to_string()));
    }
    let mut t = TextTable::new(&["VISITOR", "PRIVILEGE", "TARGET"]);
    for g in &lines {
        t.row(&[g.visitor.as_str(), g.privilege.as_str(), g.target()]);
    }
    t.render(&s.painter, &mut out);
    if more {
        let n = lines.len();
        out.push_str(
            &s.painter
                .paint(&format!("(the first {n} grants; `grants --limit N` shows more, `--limit 0` all)"), Style::Dim),
        );
        out.push('\n');
    }
    Ok(Output::text(out))
}

fn cmd_roles(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let ans = explain::roles(&s.analysis, p.req(0))?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&ans)));
    }
    Ok(Output::text(explain::render_roles(&ans, &s.names, &s.painter)))
}

fn cmd_tree(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let json = s.wants_json(p);
    s.tree(p.arg(0), p.flag("--dot"), p.value("--svg"), json)
}

fn cmd_show(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let a = &s.analysis;
    let json = s.wants_json(p);
    let (kind, id) = (p.req(0), p.req(1));
    let text = match kind {
        "permission" => {
            let v = explain::show_permission(a, id)?;
            if json {
                json_line(&v)
            } else {
                explain::render_show_permission(&v, &s.names, &s.painter)
            }
        }
        "role" => {
            let v = explain::show_role(a, id)?;
            if json {
                json_line(&v)
            } else {
                explain::render_show_role(&v, &s.names, &s.painter)
            }
        }
        "row" => {
            let v = explain::show_row(a, id)?;
            if json {
                json_line(&v)
            } else {
                explain::render_show_row(&v, &s.painter)
            }
        }
        other => {
            return Err(p.usage(format!("cannot show `{other}` (expected `permission`, `role` or `row`)")));
        }
    };
    Ok(Output::text(text))
}

/// Resident and peak memory of this process, from `/proc/self/status`
/// (`VmRSS`, `VmHWM`, in KiB), when the system has it.
pub fn memory_kib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line[name.len()..].trim().trim_end_matches("kB").trim().parse().ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// The `stats` answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    /// Tenant file.
    pub tenant: String,
    /// Tables holding at least one row.
    pub tables: usize,
    /// Rows, all tables.
    pub rows: u64,
    /// Relationships (catalogue and declared).
    pub relationships: usize,
    /// Resolved lookups and association pairs.
    pub links: usize,
    /// Web roles.
    pub web_roles: usize,
    /// Table permissions.
    pub table_permissions: usize,
    /// Derived facts (factored grants and scopes).
    pub facts: usize,
    /// Grants of S25.
    pub grants: u64,
    /// Time to read and validate the tenant, in milliseconds.
    pub load_ms: f64,
    /// Time to derive the grants, in milliseconds.
    pub derive_ms: f64,
    /// Resident memory (VmRSS), KiB, when known.
    pub rss_kib: Option<u64>,
    /// Peak resident memory (VmHWM), KiB, when known.
    pub peak_rss_kib: Option<u64>,
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn cmd_stats(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let grants = s.grant_count();
    let a = &s.analysis;
    let t = &a.tenant;
    let mem = memory_kib();
    let st = Stats {
        tenant: t.source.clone(),
        tables: t.tables.iter().filter(|x| !x.ids.is_empty()).count(),
        rows: t.row_count() as u64,
        relationships: t.relationships.len(),
        links: t.links.len(),
        web_roles: t.roles.len(),
        table_permissions: t.permissions.len(),
        facts: a.grants.fact_count(),
        grants,
        load_ms: s.load_time.as_secs_f64() * 1000.0,
        derive_ms: s.derive_time.as_secs_f64() * 1000.0,
        rss_kib: mem.map(|m| m.0),
        peak_rss_kib: mem.map(|m| m.1),
    };
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&st)));
    }
    let mut tt = TextTable::new(&[]);
    tt.row(&["tenant".to_string(), st.tenant.clone()]);
    tt.row(&["rows".to_string(), format!("{} in {}", st.rows, count(st.tables, "table", "tables"))]);
    tt.row(&["links".to_string(), format!("{} (lookups and association pairs)", st.links)]);
    tt.row(&["relationships".to_string(), st.relationships.to_string()]);
    tt.row(&["web roles".to_string(), st.web_roles.to_string()]);
    tt.row(&["permissions".to_string(), st.table_permissions.to_string()]);
    tt.row(&["derived facts".to_string(), format!("{} (factored grants and scopes)", st.facts)]);
    tt.row(&["grants".to_string(), format!("{} (visitor, privilege, row or table)", st.grants)]);
    tt.row(&["load".to_string(), ms(s.load_time)]);
    tt.row(&["derive".to_string(), ms(s.derive_time)]);
    let memory = match mem {
        Some((rss, hwm)) => format!("{} resident (VmRSS), {} peak (VmHWM)", mib(rss), mib(hwm)),
        None => "not known on this system (no /proc/self/status)".to_string(),
    };
    tt.row(&["memory".to_string(), memory]);
    let mut out = String::new();
    tt.render(&s.painter, &mut out);
    Ok(Output::text(out))
}

fn cmd_diff(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    use crate::answer::diff::{diff_tenants, scenario_name};
    let path = Path::new(p.req(0));
    let other = crate::model::load(path)?;
    let a = &s.analysis;
    let w = crate::answer::whatif::WhatIf::new(a);
    let d = diff_tenants(&w, a, other, &scenario_name(Path::new(&a.tenant.source), path));
    let limit = p.value("--limit").and_then(|v| v.parse::<usize>().ok()).unwrap_or(10);
    // Writing into memory cannot fail.
    let mut out = Vec::new();
    if s.wants_json(p) {
        out.extend_from_slice(b"{\"scenarios\":[");
        let _ = d.write_json(&mut out);
        out.extend_from_slice(b"]}\n");
    } else {
        let _ = d.write_text(&mut out, limit);
    }
    Ok(Output::text(String::from_utf8_lossy(&out).into_owned()))
}

fn cmd_test(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let doc = crate::load::expectations::load_expectations(Path::new(p.req(0)))?;
    let a = &s.analysis;
    let docs = [doc];
    let report = crate::answer::expect::run(a, &docs)?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&report)));
    }
    Ok(Output::text(super::expect::render(&report, a, &docs, &s.painter)))
}

fn cmd_load(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let path = PathBuf::from(p.req(0));
    s.load(&path)
}

fn cmd_json(s: &mut Session, _: &Parsed) -> Result<Output, SessionError> {
    s.json = !s.json;
    Ok(Output::text(format!("JSON answers {}\n", if s.json { "on" } else { "off" })))
}

fn cmd_ids(s: &mut Session, _: &Parsed) -> Result<Output, SessionError> {
    let on = !s.ids;
    s.set_ids(on);
    Ok(Output::text(format!("ids beside names {}\n", if on { "on" } else { "off" })))
}

fn cmd_time(s: &mut Session, _: &Parsed) -> Result<Output, SessionError> {
    s.time = !s.time;
    Ok(Output::text(format!("timing {}\n", if s.time { "on" } else { "off" })))
}

fn cmd_help(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let mut out = String::new();
    if let Some(name) = p.arg(0) {
        let Some(c) = command(name) else {
            return Err(SessionError::UnknownCommand {
                name: name.to_string(),
                suggestion: nearest_command(name).to_string(),
            });
        };
        out.push_str(&format!("{}\n  {}\n", s.painter.paint(&c.usage(), Style::Bold), c.help));
        if !c.aliases.is_empty() {
            out.push_str(&format!("  also: {}\n", c.aliases.join(", ")));
        }
        return Ok(Output::text(out));
    }
    let mut t = TextTable::new(&[]).indent(2);
    for c in COMMANDS {
        t.styled(vec![(c.usage(), Style::Bold), (c.help.to_string(), Style::Plain)]);
    }
    out.push_str("Commands:\n");
    t.render(&s.painter, &mut out);
    out.push_str(
        "A VISITOR is a contact id or `anonymous`; a row is TABLE:ID; privileges are read, write, create, delete, append, append_to.\n",
    );
    Ok(Output::text(out))
}

fn cmd_quit(_: &mut Session, _: &Parsed) -> Result<Output, SessionError> {
    Ok(Output { text: String::new(), quit: true })
}

/// Where the REPL keeps its history: `$PORTAL_ACCESS_HISTORY` when set,
/// else `portal-access/history` under the user's state directory
/// (`$XDG_STATE_HOME`, or `~/.local/state`), else under the local data
/// directory on systems without one.
pub fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PORTAL_ACCESS_HISTORY").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let base = dirs::state_dir().or_else(dirs::data_local_dir)?;
    Some(base.join("portal-access").join("history"))
}
