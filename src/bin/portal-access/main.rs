//! `portal-access`: the command line. It parses arguments, calls the
//! library, and prints; every behaviour lives in the library.

mod args;
mod repl;

use args::{Cli, Command, DenyLevel, FailOnArg, GrantFormat, LintFormat, Question};
use clap::{CommandFactory, Parser};
use portal_access::cli::text::{self, color_wanted, Painter};
use portal_access::cli::explain;
use portal_access::cli::progress::Progress;
use portal_access::cli::report_html::{self, ReportError};
use portal_access::cli::channels;
use portal_access::cli::surfaces;
use portal_access::cli::text_finance;
use portal_access::cli::text_patterns;
use portal_access::cli::session::{Session, SessionError};
use portal_access::answer::convert::ConvertError;
use portal_access::answer::lint::Severity;
use portal_access::answer::whatif;
use portal_access::{Analysis, LoadError, QueryError};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

mod perf;
mod perf_pull;

/// Failures, by exit code: 2 for bad input or usage, 1 for anything else.
enum Failure {
    Load(LoadError),
    Usage(String),
    Query(QueryError),
    Session(SessionError),
    Io(io::Error),
    Command(whatif::CommandError),
    Report(ReportError),
    Pull(portal_access::pull::error::PullError),
}

impl From<whatif::CommandError> for Failure {
    fn from(e: whatif::CommandError) -> Self {
        Failure::Command(e)
    }
}

impl From<SessionError> for Failure {
    fn from(e: SessionError) -> Self {
        Failure::Session(e)
    }
}

impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Self {
        Failure::Load(e)
    }
}
impl From<QueryError> for Failure {
    fn from(e: QueryError) -> Self {
        Failure::Query(e)
    }
}
impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Some(site) = &cli.site {
        portal_access::load::solution::choose_site(site);
    }
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Failure::Load(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Usage(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Query(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Session(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Io(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
        Err(Failure::Command(whatif::CommandError::Io(e))) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Command(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
        Err(Failure::Report(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
        Err(Failure::Pull(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

/// Loads and derives a tenant, with a spinner on a terminal (never with `--json`).
fn load(path: &Path, json: bool) -> Result<Analysis, LoadError> {
    let p = Progress::start(Progress::wanted(json), &format!("loading {}", path.display()));
    let tenant = portal_access::model::load(path)?;
    p.phase("deriving grants");
    let a = Analysis::new(tenant);
    p.finish();
    Ok(a)
}

/// Opens a session on a tenant, with a spinner on a terminal (never with `--json`).
fn open_session(path: &Path, json: bool) -> Result<Session, LoadError> {
    let p = Progress::start(Progress::wanted(json), &format!("loading and deriving {}", path.display()));
    let s = Session::open(path);
    p.finish();
    s
}

/// A JSON answer on `a`, with `"incomplete"` (the site records dropped on
/// load, PP044) when the tenant is incomplete.
fn print_answer<T: serde::Serialize>(out: &mut impl Write, a: &Analysis, value: &T) -> io::Result<()> {
    let incomplete = a.incomplete();
    if incomplete.is_empty() {
        return print_json(out, value);
    }
    let mut v = serde_json::to_value(value).map_err(io::Error::from)?;
    if let serde_json::Value::Object(m) = &mut v {
        m.insert("incomplete".to_string(), incomplete.into());
    }
    print_json(out, &v)
}

/// The first line of a readable answer on an incomplete tenant (PP044).
fn incomplete_line(out: &mut impl Write, a: &Analysis, json: bool) -> io::Result<()> {
    match a.incomplete_line() {
        Some(line) if !json => out.write_all(line.as_bytes()),
        _ => Ok(()),
    }
}

fn print_json<T: serde::Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::from)?;
    writeln!(out)
}

fn run(cli: Cli) -> Result<u8, Failure> {
    let threads = cli.threads.map(usize::from);
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().map_err(|e| Failure::Usage(format!("--threads {n}: {e}")))?;
    }
    let stdout = io::stdout();
    // Colour only on a terminal, and never with NO_COLOR (as in the REPL).
    let painter = Painter { color: color_wanted(stdout.is_terminal()) };
    let mut out = BufWriter::new(stdout.lock());
    let ids = cli.ids;
    let names = |a: &Analysis| portal_access::model::Names::new(&a.tenant, ids);
    match cli.command {
        Command::Can { q: Question { tenant, visitor, privilege, target, json } } => {
            let a = load(&tenant, json)?;
            incomplete_line(&mut out, &a, json)?;
            let ans = a.can(&visitor, &privilege, &target)?;
            if json {
                print_answer(&mut out, &a, &ans)?;
            } else {
                out.write_all(text::render_can(&ans, &a.tenant, &names(&a), &painter).as_bytes())?;
                out.write_all(text_finance::can_direct(&ans, &a.tenant, &names(&a)).as_bytes())?;
            }
        }
        Command::Who { tenant, privilege, target, json, column: Some(col) } => {
            let a = load(&tenant, json)?;
            incomplete_line(&mut out, &a, json)?;
            let ans = a.who_column(&privilege, &target, &col)?;
            if json {
                print_answer(&mut out, &a, &ans)?;
            } else {
                out.write_all(channels::render_who_column(&ans, &a.tenant, &names(&a), &painter).as_bytes())?;
            }
        }
        Command::Columns { tenant, visitor, row, json } => {
            let a = load(&tenant, json)?;
            incomplete_line(&mut out, &a, json)?;
            let ans = a.columns(&visitor, &row)?;
            if json {
                print_answer(&mut out, &a, &ans)?;
            } else {
                out.write_all(channels::render_columns(&ans, &a.tenant, &names(&a), &painter).as_bytes())?;
            }
        }
        Command::Exposure { tenant, visitor, json } => {
            let a = load(&tenant, json)?;
            incomplete_line(&mut out, &a, json)?;
            let ans = a.exposure(visitor.as_deref())?;
            if json {
                print_answer(&mut out, &a, &ans)?;
            } else {
                out.write_all(channels::render_exposure(&ans, &a.tenant, &names(&a), &painter).as_bytes())?;
            }
        }
        Command::Who { tenant, privilege, target, json, column: None } if privilege == "open" || privilege == "invoke" => {
            let a = load(&tenant, json)?;
            incomplete_line(&mut out, &a, json)?;
            let ans = if privilege == "open" { a.who_open(&target)? } else { a.who_invoke(&target)? };
            if json {
                print_answer(&mut out, &a, &ans)?;
            } else {
                out.write_all(surfaces::render_who_surface(&ans, &a.tenant, &names(&a), &painter).as_bytes())?;
            }
        }
        Command::Reach { tenant, visitor, json } => {
            let a = load(&tenant, json)?;
            incomplete_line(&mut out, &a, json)?;
            let ans = a.reach(&visitor)?;
            if json {
                print_answer(&mut out, &a, &ans)?;
            } else {
                out.write_all(surfaces::render_reach(&ans, &a.tenant, &names(&a), &painter).as_bytes())?;
            }
        }
        Command::Who { tenant, privilege, target, json, column: None } if privilege != "create" && !target.contains(':') => {
            // A6: who on a table, by access patterns (with or without rows).
            let a = load(&tenant, json)?;
            incomplete_line(&mut out, &a, json)?;
            let ans = a.who_table(&privilege, &target)?;
            if json {
                print_answer(&mut out, &a, &ans)?;
            } else {
                out.write_all(text_patterns::render_who_table(&ans, &names(&a), &painter).as_bytes())?;
            }
        }
        Command::Who { tenant, privilege, target, json, column: None } => {
            let a = load(&tenant, json)?;
            incomplete_line(&mut out, &a, json)?;
            let ans = a.who(&privilege, &target)?;
            if json {
                print_answer(&mut out, &a, &ans)?;
            } else {
                out.write_all(text::render_who(&ans, &a.tenant, &names(&a), &painter).as_bytes())?;
                out.write_all(text_finance::who_direct(&ans).as_bytes())?;
            }
        }
        Command::What { tenant, visitor, privilege, table, json } => {
            let a = load(&tenant, json)?;
            incomplete_line(&mut out, &a, json)?;
            let ans = a.what(&visitor, &privilege, table.as_deref())?;
            if json {
                print_answer(&mut out, &a, &ans)?;
            } else {
                out.write_all(text::render_what(&ans, &a.tenant, &names(&a)).as_bytes())?;
            }
        }
        Command::Why { q: Question { tenant, visitor, privilege, target, json }, column: Some(col), .. } => {
            let a = load(&tenant, json)?;
            incomplete_line(&mut out, &a, json)?;
            let ans = a.why_column(&visitor, &privilege, &target, &col)?;
            if json {
                print_answer(&mut out, &a, &ans)?;
            } else {
                out.write_all(explain::render_why(&ans.why, &a.tenant, &names(&a), &painter).as_bytes())?;
                out.write_all(channels::render_column_note(&ans).as_bytes())?;
            }
        }
        Command::Why { q: Question { tenant, visitor, privilege, target, json }, dot, svg, column: None } if dot || svg.is_some() => {
            let mut s = open_session(&tenant, json)?;
            s.set_ids(ids);
            let o = s.why(&visitor, &privilege, &target, dot, svg.as_deref(), json)?;
            out.write_all(o.text.as_bytes())?;
        }
        Command::Why { q: Question { tenant, visitor, privilege, target, json }, column: None, .. } => {
            let a = load(&tenant, json)?;
            incomplete_line(&mut out, &a, json)?;
            let ans = a.why(&visitor, &privilege, &target)?;
            if json {
                print_answer(&mut out, &a, &ans)?;
            } else {
                out.write_all(explain::render_why(&ans, &a.tenant, &names(&a), &painter).as_bytes())?;
                out.write_all(text_finance::why_finance(&ans).as_bytes())?;
            }
        }
        Command::Bypass { tenant, visitor, table, json } => {
            let a = load(&tenant, json)?;
            incomplete_line(&mut out, &a, json)?;
            let ans = a.bypass(visitor.as_deref(), table.as_deref())?;
            let text = if json { text_finance::bypass_json_lines(&ans) } else { text_finance::render_bypass(&ans, &a.tenant, &names(&a), &painter) };
            out.write_all(text.as_bytes())?;
        }
        Command::Grants { tenant, format, table, limit, output, json } => {
            use portal_access::cli::grants;
            let a = load(&tenant, json)?;
            // The stream stays one grant a line; the notice goes to standard error.
            incomplete_line(&mut io::stderr(), &a, false)?;
            let format = match format {
                GrantFormat::Jsonl => grants::Format::Jsonl,
                GrantFormat::Csv => grants::Format::Csv,
            };
            match output {
                Some(path) => {
                    portal_access::cli::report_html::check_output(&tenant, &path).map_err(Failure::Report)?;
                    let file = std::fs::File::create(&path).map_err(|e| Failure::Usage(format!("cannot write `{}`: {e}", path.display())))?;
                    let mut w = BufWriter::new(file);
                    grants::write(&a, table.as_deref(), format, limit, &mut w)??;
                    w.flush()?;
                }
                None => {
                    // Counted before anything is expanded, and only for a terminal.
                    if io::stdout().is_terminal() && limit.is_none() {
                        let n = grants::count(&a, table.as_deref())?;
                        if let Some(why) = grants::refusal(n, true, false) {
                            return Err(Failure::Usage(why));
                        }
                    }
                    grants::write(&a, table.as_deref(), format, limit, &mut out)??;
                }
            }
        }
        Command::Whatif { tenant, changes, json, limit, fail_on } => {
            let fail_on = fail_on.into_iter().map(FailOnArg::kind).collect();
            let opts = whatif::WhatIfOptions { json, limit, fail_on };
            let p = Progress::start(Progress::wanted(json), "evaluating the scenarios");
            if !p.enabled() {
                return Ok(whatif::whatif_command(&tenant, &changes, &opts, &mut out)?);
            }
            // On a terminal: the answer waits until the spinner is cleared.
            let mut answer = Vec::new();
            let code = whatif::whatif_command(&tenant, &changes, &opts, &mut answer);
            p.finish();
            out.write_all(&answer)?;
            out.flush()?;
            return Ok(code?);
        }
        Command::Diff { old, new, json, limit, fail_on } => {
            use portal_access::answer::diff::{diff_command, DiffOptions};
            let fail_on = fail_on.into_iter().map(FailOnArg::kind).collect();
            return Ok(diff_command(&old, &new, &DiffOptions { json, limit, fail_on }, &mut out)?);
        }
        Command::Test { tenant, files, json, junit, min_coverage } => {
            use portal_access::cli::expect::{test_command, TestOptions};
            let opts = TestOptions { json, junit, min_coverage, color: painter.color };
            return match test_command(&tenant, &files, &opts, &mut out) {
                Ok(code) => Ok(code),
                Err(e) => {
                    let _ = out.flush();
                    eprintln!("error: {e}");
                    Ok(e.exit_code())
                }
            };
        }
        Command::Apply { tenant, changes, output, scenario } => {
            let p = Progress::start(Progress::wanted(false), "applying the scenario");
            let name = whatif::apply_command(&tenant, &changes, &output, scenario.as_deref());
            p.finish();
            let name = name?;
            writeln!(out, "applied scenario `{name}`: wrote {}", output.display())?;
        }
        Command::Lint { tenant, json, format, deny } => {
            let format = if json { LintFormat::Json } else { format };
            let deny = deny.map(|d| match d {
                DenyLevel::Error => Severity::Error,
                DenyLevel::Warning => Severity::Warning,
                DenyLevel::Info => Severity::Info,
            });
            let code = run_lint(&mut out, &tenant, format, deny, ids)?;
            out.flush()?;
            return Ok(code);
        }
        Command::Convert { tenant, output } => {
            let c = portal_access::answer::convert::convert(&tenant, &output).map_err(|e| match e {
                ConvertError::Load(e) => Failure::Load(e),
                ConvertError::Write { .. } => Failure::Io(io::Error::other(e.to_string())),
                other => Failure::Usage(other.to_string()),
            })?;
            writeln!(
                out,
                "wrote {} ({} web roles, {} table permissions, {} rows)",
                output.display(),
                c.roles,
                c.permissions,
                c.rows
            )?;
            for note in &c.notes {
                eprintln!("note: {note}");
            }
        }
        Command::Repl { tenant, command } => return Ok(repl::run(&tenant, command.as_deref(), ids)?),
        Command::Tree { tenant, permission, dot, svg, json } => {
            let mut s = open_session(&tenant, json)?;
            s.set_color(portal_access::cli::text::color_wanted(std::io::IsTerminal::is_terminal(&io::stdout())));
            s.set_ids(ids);
            let o = s.tree(permission.as_deref(), dot, svg.as_deref(), json)?;
            out.write_all(o.text.as_bytes())?;
        }
        Command::Report { tenant, output } => {
            let p = Progress::start(Progress::wanted(false), "report");
            let written = report_html::write(&tenant, &output, &mut |phase| p.phase(phase));
            p.finish();
            let w = written.map_err(Failure::Report)?;
            let c = w.report.counts;
            let n = |k: usize, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
            writeln!(
                out,
                "wrote {} ({} bytes): {} ({}, {}, {} info), registration {}",
                output.display(),
                w.bytes,
                n(c.error + c.warning + c.info, "finding", "findings"),
                n(c.error, "error", "errors"),
                n(c.warning, "warning", "warnings"),
                c.info,
                w.report.registration.text()
            )?;
        }
        Command::Pull { env_url, output, token_command, token_env, names, no_data, concurrency, force, json } => {
            use portal_access::pull::{self, token::TokenSource};
            let Some(site) = cli.site.as_deref() else {
                return Err(Failure::Usage("pull: give the site with `--site ID|NAME`".to_string()));
            };
            let token = match token_command {
                Some(cmd) => TokenSource::Command(cmd),
                None => TokenSource::Variable(token_env),
            };
            let mut opts = pull::Options::new(&env_url, site, &output, token);
            (opts.names, opts.no_data, opts.concurrency, opts.force) = (names, no_data, concurrency, force);
            let bars = portal_access::cli::pull::Bars::new(Progress::wanted(json));
            let pulled = pull::pull(&opts, &bars);
            bars.finish();
            let manifest = pulled.map_err(Failure::Pull)?;
            if json {
                print_json(&mut out, &manifest)?;
            } else {
                out.write_all(portal_access::cli::pull::summary(&manifest, &output.display().to_string()).as_bytes())?;
            }
        }
        Command::Generate(args) => perf::generate(args, &mut out)?,
        Command::Bench(args) => perf::bench(args, threads, &mut out)?,
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "portal-access", &mut out);
        }
        Command::Man { subcommand } => man_page(subcommand.as_deref(), &mut out)?,
    }
    out.flush()?;
    Ok(0)
}

/// `man [SUBCOMMAND]`: the manual page generated from the command definitions.
fn man_page(subcommand: Option<&str>, out: &mut impl Write) -> Result<(), Failure> {
    let mut cmd = Cli::command();
    cmd.build();
    let page = match subcommand {
        None => cmd,
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name) else {
                return Err(Failure::Usage(format!("man: no subcommand `{name}`")));
            };
            sub.clone().after_help(args::EXIT_CODES)
        }
    };
    clap_mangen::Man::new(page).render(out)?;
    Ok(())
}

/// `lint`: prints the report; exit 4 when `deny` finds a finding that bad.
fn run_lint(
    out: &mut impl Write,
    tenant: &std::path::Path,
    format: LintFormat,
    deny: Option<Severity>,
    ids: bool,
) -> Result<u8, Failure> {
    let p = Progress::start(Progress::wanted(format != LintFormat::Text), &format!("loading {}", tenant.display()));
    let linted = portal_access::answer::lint::load(tenant);
    p.phase("linting");
    let linted = linted?;
    let report = linted.report();
    p.finish();
    match format {
        LintFormat::Text => out.write_all(linted.text(&report, ids).as_bytes())?,
        LintFormat::Json => print_json(out, &report)?,
        LintFormat::Sarif => {
            let log = portal_access::answer::sarif::log(&report, &linted.analysis.tenant.source);
            serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::from)?;
            writeln!(out)?;
        }
    }
    Ok(if deny.is_some_and(|d| report.denies(d)) { 4 } else { 0 })
}

