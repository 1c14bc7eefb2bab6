//! `portal-access`: the command line. It parses arguments, calls the
//! library, and prints; every behaviour lives in the library.

mod repl;

use clap::{Parser, Subcommand, ValueEnum};
use portal_access::answer::query::GrantLine;
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
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod perf;
mod perf_pull;

#[derive(Parser)]
#[command(name = "portal-access", version, about = "Who can see and change which rows of a Power Pages website")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// A tenant folder whose site is a Dataverse solution holding several
    /// sites: read the site with this `powerpagesiteid`.
    #[arg(long, global = true, value_name = "ID")]
    site: Option<String>,
    /// In readable answers, show the ids of permissions and roles beside
    /// their display names (JSON answers always carry ids).
    #[arg(long, global = true)]
    ids: bool,
    /// Threads for loading tenants (parsing rows, resolving lookups);
    /// default: every core. Answers are the same with any number.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,
}

#[derive(Subcommand)]
enum Command {
    /// May VISITOR do PRIVILEGE to TABLE:ID (or create in TABLE)?
    Can {
        /// Tenant file.
        tenant: PathBuf,
        /// Contact id, or `anonymous`.
        visitor: String,
        /// read, write, create, delete, append or append_to.
        privilege: String,
        /// TABLE:ID (TABLE for create).
        target: String,
        /// Print the JSON answer.
        #[arg(long)]
        json: bool,
    },
    /// Who may do PRIVILEGE to TABLE:ID (or create in TABLE)? With a bare TABLE, who may by access
    /// patterns (no rows needed). Also `who TENANT open page:ID` and `who TENANT invoke
    /// serverlogic:NAME|cloudflow:ID`.
    Who {
        /// Tenant file.
        tenant: PathBuf,
        /// read, write, create, delete, append or append_to; or open, invoke.
        privilege: String,
        /// TABLE:ID, or TABLE: the table's access patterns, with or without rows (A6); page:ID for open;
        /// serverlogic:NAME or cloudflow:ID for invoke.
        target: String,
        /// Only through the Web API, for this column (channels.md C6, C7).
        #[arg(long, value_name = "COL")]
        column: Option<String>,
        /// Print the JSON answer.
        #[arg(long)]
        json: bool,
    },
    /// Which rows may VISITOR do PRIVILEGE to (tables, for create)?
    What {
        /// Tenant file.
        tenant: PathBuf,
        /// Contact id, or `anonymous`.
        visitor: String,
        /// read, write, create, delete, append or append_to.
        privilege: String,
        /// Only rows of this table.
        #[arg(long)]
        table: Option<String>,
        /// Print the JSON answer.
        #[arg(long)]
        json: bool,
    },
    /// Why may (or may not) VISITOR do PRIVILEGE to TABLE:ID (or create in TABLE)?
    Why {
        /// Tenant file.
        tenant: PathBuf,
        /// Contact id, or `anonymous`.
        visitor: String,
        /// read, write, create, delete, append or append_to.
        privilege: String,
        /// TABLE:ID (TABLE for create).
        target: String,
        /// Print the JSON answer.
        #[arg(long)]
        json: bool,
        /// Print the explanation as Graphviz DOT.
        #[arg(long)]
        dot: bool,
        /// Draw the explanation as an SVG picture in FILE.
        #[arg(long, value_name = "FILE")]
        svg: Option<String>,
        /// Also say why this column can or cannot be read through the Web API.
        #[arg(long, value_name = "COL")]
        column: Option<String>,
    },
    /// Which columns of TABLE:ID may VISITOR read and update through the Web API?
    Columns {
        /// Tenant file.
        tenant: PathBuf,
        /// Contact id, `anonymous` or `newcomer`.
        visitor: String,
        /// TABLE:ID.
        row: String,
        /// Print the JSON answer.
        #[arg(long)]
        json: bool,
    },
    /// Everything VISITOR reaches: pages (with their components' rows), web files, endpoints.
    Reach {
        /// Tenant file.
        tenant: PathBuf,
        /// Contact id, `anonymous` or `newcomer`.
        visitor: String,
        /// Print the JSON answer.
        #[arg(long)]
        json: bool,
    },
    /// What anyone on the internet can pull through the Web API, table by table.
    Exposure {
        /// Tenant file.
        tenant: PathBuf,
        /// Only this visitor (a contact id, `anonymous` or `newcomer`).
        #[arg(long)]
        visitor: Option<String>,
        /// Print the JSON answer.
        #[arg(long)]
        json: bool,
    },
    /// Every grant (S25), sorted by visitor, privilege, target.
    Grants {
        /// Tenant file.
        tenant: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GrantFormat::Jsonl)]
        format: GrantFormat,
        /// Only grants on this table.
        #[arg(long)]
        table: Option<String>,
        /// Accepted for uniformity: the output is JSON lines unless --format csv.
        #[arg(long)]
        json: bool,
    },
    /// Configuration problems (findings PP001 to PP016 of lint.md).
    Lint {
        /// Tenant file or folder.
        tenant: PathBuf,
        /// Print `{"findings": [...]}` (same as --format json).
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = LintFormat::Text)]
        format: LintFormat,
        /// Exit 4 when a finding of this severity or worse is present.
        #[arg(long, value_enum)]
        deny: Option<DenyLevel>,
    },
    /// F&O bypass (F8): virtual-table rows visitors can read directly from
    /// the data entity that web roles do not grant them.
    Bypass {
        /// Tenant file or folder.
        tenant: PathBuf,
        /// Only this visitor (contact id or `anonymous`).
        #[arg(long)]
        visitor: Option<String>,
        /// Only rows of this table.
        #[arg(long)]
        table: Option<String>,
        /// Print JSON lines, then a summary line.
        #[arg(long)]
        json: bool,
    },
    /// Write the native JSON form of a tenant folder (never over an input).
    Convert {
        /// Tenant folder (or file).
        tenant: PathBuf,
        /// The native tenant file to write.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Interactive session on TENANT (the same queries, no tenant argument).
    /// Reads one command per line when standard input is not a terminal.
    Repl {
        /// Tenant file.
        tenant: PathBuf,
        /// Run this one line and exit (1 if it failed).
        #[arg(long, short = 'c')]
        command: Option<String>,
    },
    /// The permission forest, or the tree holding PERMISSION.
    Tree {
        /// Tenant file.
        tenant: PathBuf,
        /// A table permission id.
        permission: Option<String>,
        /// Print Graphviz DOT.
        #[arg(long)]
        dot: bool,
        /// Draw the forest as an SVG picture in FILE.
        #[arg(long, value_name = "FILE")]
        svg: Option<String>,
        /// Print the JSON answer.
        #[arg(long)]
        json: bool,
    },
    /// Grants each scenario of the change documents would add and remove.
    Whatif {
        /// Tenant file (never modified).
        tenant: PathBuf,
        /// Change documents (`portal-access/changes@1`).
        #[arg(required = true)]
        changes: Vec<PathBuf>,
        /// Print the JSON answer.
        #[arg(long)]
        json: bool,
        /// Lines shown per list in the readable answer.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Exit 4 when some scenario shows this kind of change (repeatable).
        #[arg(long = "fail-on", value_enum)]
        fail_on: Vec<FailOnArg>,
    },
    /// Grants NEW makes that OLD does not, and the reverse (two versions of a site).
    Diff {
        /// The tenant before (file or folder; never modified).
        old: PathBuf,
        /// The tenant after (file or folder; never modified).
        new: PathBuf,
        /// Print the JSON answer.
        #[arg(long)]
        json: bool,
        /// Lines shown per list in the readable answer.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Exit 4 when the difference shows this kind of change (repeatable).
        #[arg(long = "fail-on", value_enum)]
        fail_on: Vec<FailOnArg>,
    },
    /// Run access tests (expectation files) against TENANT, with coverage of its table permissions.
    Test {
        /// Tenant file or folder.
        tenant: PathBuf,
        /// Expectation files (`portal-access/expectations@1`, YAML or JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print the JSON answer.
        #[arg(long)]
        json: bool,
        /// Also write JUnit XML to FILE (never over an input).
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Exit 4 when fewer than P percent of the table permissions are covered.
        #[arg(long = "min-coverage", value_name = "P")]
        min_coverage: Option<f64>,
    },
    /// Apply one scenario of a change document and write the edited tenant to a new file.
    Apply {
        /// Tenant file (never modified).
        tenant: PathBuf,
        /// Change document.
        changes: PathBuf,
        /// The new tenant file (must not be an input).
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// The scenario to apply, when the document holds several.
        #[arg(long)]
        scenario: Option<String>,
    },
    /// A security review as one self-contained HTML page (never over an input).
    Report {
        /// Tenant file or folder.
        tenant: PathBuf,
        /// The HTML file to write.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// Snapshot a live site into a tenant folder over the Dataverse Web API
    /// (pull.md); `--site ID|NAME` names the site. The token comes from
    /// `--token-command`, else `--token-env` (default PORTAL_ACCESS_TOKEN),
    /// never from an argument.
    Pull {
        /// The environment, `https://ORG.crm.dynamics.com`.
        env_url: String,
        /// The folder to write (written beside as DIR.partial-PID, then renamed).
        #[arg(short = 'o', long = "output", value_name = "DIR")]
        output: PathBuf,
        /// A command printing the token, or `az account get-access-token`'s JSON; run again after a 401.
        #[arg(long, value_name = "CMD")]
        token_command: Option<String>,
        /// The environment variable holding the token.
        #[arg(long, value_name = "VAR", default_value = portal_access::pull::token::TOKEN_VARIABLE)]
        token_env: String,
        /// Also copy each table's primary name column (`fullname`, `name`).
        #[arg(long)]
        names: bool,
        /// Copy the configuration only (no `data/`).
        #[arg(long)]
        no_data: bool,
        /// Tables copied at once (1 to 52, lowered by the server's hint and by throttling).
        #[arg(long, default_value_t = portal_access::pull::DEFAULT_CONCURRENCY)]
        concurrency: usize,
        /// Replace DIR when it exists.
        #[arg(long)]
        force: bool,
        /// Print the manifest (`pull.json`) as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a synthetic tenant, deterministic for a seed.
    Generate(perf::GenerateArgs),
    /// Performance report: load, derive, memory, query latency, comparisons.
    Bench(perf::BenchArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LintFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
enum DenyLevel {
    Error,
    Warning,
    Info,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOnArg {
    /// Any grant gained.
    Gained,
    /// Any grant lost.
    Lost,
    /// Any grant gained by the anonymous visitor.
    Anonymous,
    /// Any grant gained by the anonymous visitor or by anyone who signs up (C10).
    Anyone,
}

impl FailOnArg {
    fn kind(self) -> whatif::FailOn {
        match self {
            FailOnArg::Gained => whatif::FailOn::Gained,
            FailOnArg::Lost => whatif::FailOn::Lost,
            FailOnArg::Anonymous => whatif::FailOn::Anonymous,
            FailOnArg::Anyone => whatif::FailOn::Anyone,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum GrantFormat {
    Jsonl,
    Csv,
}

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
        Command::Can { tenant, visitor, privilege, target, json } => {
            let a = load(&tenant, json)?;
            let ans = a.can(&visitor, &privilege, &target)?;
            if json {
                print_json(&mut out, &ans)?;
            } else {
                out.write_all(text::render_can(&ans, &names(&a), &painter).as_bytes())?;
                out.write_all(text_finance::can_direct(&ans).as_bytes())?;
            }
        }
        Command::Who { tenant, privilege, target, json, column: Some(col) } => {
            let a = load(&tenant, json)?;
            let ans = a.who_column(&privilege, &target, &col)?;
            if json {
                print_json(&mut out, &ans)?;
            } else {
                out.write_all(channels::render_who_column(&ans, &painter).as_bytes())?;
            }
        }
        Command::Columns { tenant, visitor, row, json } => {
            let a = load(&tenant, json)?;
            let ans = a.columns(&visitor, &row)?;
            if json {
                print_json(&mut out, &ans)?;
            } else {
                out.write_all(channels::render_columns(&ans, &painter).as_bytes())?;
            }
        }
        Command::Exposure { tenant, visitor, json } => {
            let a = load(&tenant, json)?;
            let ans = a.exposure(visitor.as_deref())?;
            if json {
                print_json(&mut out, &ans)?;
            } else {
                out.write_all(channels::render_exposure(&ans, &a.tenant, &painter).as_bytes())?;
            }
        }
        Command::Who { tenant, privilege, target, json, column: None } if privilege == "open" || privilege == "invoke" => {
            let a = load(&tenant, json)?;
            let ans = if privilege == "open" { a.who_open(&target)? } else { a.who_invoke(&target)? };
            if json {
                print_json(&mut out, &ans)?;
            } else {
                out.write_all(surfaces::render_who_surface(&ans, &a.tenant, &painter).as_bytes())?;
            }
        }
        Command::Reach { tenant, visitor, json } => {
            let a = load(&tenant, json)?;
            let ans = a.reach(&visitor)?;
            if json {
                print_json(&mut out, &ans)?;
            } else {
                out.write_all(surfaces::render_reach(&ans, &a.tenant, &painter).as_bytes())?;
            }
        }
        Command::Who { tenant, privilege, target, json, column: None } if privilege != "create" && !target.contains(':') => {
            // A6: who on a table, by access patterns (with or without rows).
            let a = load(&tenant, json)?;
            let ans = a.who_table(&privilege, &target)?;
            if json {
                print_json(&mut out, &ans)?;
            } else {
                out.write_all(text_patterns::render_who_table(&ans, &names(&a), &painter).as_bytes())?;
            }
        }
        Command::Who { tenant, privilege, target, json, column: None } => {
            let a = load(&tenant, json)?;
            let ans = a.who(&privilege, &target)?;
            if json {
                print_json(&mut out, &ans)?;
            } else {
                out.write_all(text::render_who(&ans, &painter).as_bytes())?;
                out.write_all(text_finance::who_direct(&ans).as_bytes())?;
            }
        }
        Command::What { tenant, visitor, privilege, table, json } => {
            let a = load(&tenant, json)?;
            let ans = a.what(&visitor, &privilege, table.as_deref())?;
            if json {
                print_json(&mut out, &ans)?;
            } else {
                out.write_all(text::render_what(&ans).as_bytes())?;
            }
        }
        Command::Why { tenant, visitor, privilege, target, json, column: Some(col), .. } => {
            let a = load(&tenant, json)?;
            let ans = a.why_column(&visitor, &privilege, &target, &col)?;
            if json {
                print_json(&mut out, &ans)?;
            } else {
                out.write_all(explain::render_why(&ans.why, &names(&a), &painter).as_bytes())?;
                out.write_all(channels::render_column_note(&ans).as_bytes())?;
            }
        }
        Command::Why { tenant, visitor, privilege, target, json, dot, svg, column: None } if dot || svg.is_some() => {
            let mut s = open_session(&tenant, json)?;
            s.set_ids(ids);
            let o = s.why(&visitor, &privilege, &target, dot, svg.as_deref(), json)?;
            out.write_all(o.text.as_bytes())?;
        }
        Command::Why { tenant, visitor, privilege, target, json, column: None, .. } => {
            let a = load(&tenant, json)?;
            let ans = a.why(&visitor, &privilege, &target)?;
            if json {
                print_json(&mut out, &ans)?;
            } else {
                out.write_all(explain::render_why(&ans, &names(&a), &painter).as_bytes())?;
                out.write_all(text_finance::why_finance(&ans).as_bytes())?;
            }
        }
        Command::Bypass { tenant, visitor, table, json } => {
            let a = load(&tenant, json)?;
            let ans = a.bypass(visitor.as_deref(), table.as_deref())?;
            let text = if json { text_finance::bypass_json_lines(&ans) } else { text_finance::render_bypass(&ans, &painter) };
            out.write_all(text.as_bytes())?;
        }
        Command::Grants { tenant, format, table, json } => {
            let a = load(&tenant, json)?;
            match format {
                GrantFormat::Jsonl => a.for_each_grant(table.as_deref(), |g| print_json(&mut out, g))??,
                GrantFormat::Csv => {
                    let mut w = csv::Writer::from_writer(&mut out);
                    w.write_record(["visitor", "privilege", "target"]).map_err(io::Error::from)?;
                    a.for_each_grant(table.as_deref(), |g: &GrantLine| {
                        w.write_record([g.visitor.as_str(), g.privilege.as_str(), g.target()]).map_err(io::Error::from)
                    })??;
                    w.flush()?;
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
    }
    out.flush()?;
    Ok(0)
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

