//! The command definitions: every subcommand, argument and help text, from
//! which clap parses the command line and `completions` and `man` are
//! generated.

use crate::perf;
use clap::{Args, Parser, Subcommand, ValueEnum};
use portal_access::answer::whatif;
use std::path::PathBuf;

/// The exit codes of cli.md, shown at the end of `--help`.
pub(crate) const EXIT_CODES: &str = "\
Exit codes:
  0  the command ran (for `can`: whatever the decision)
  2  bad usage, or a tenant, change or expectations file that fails to load
     (the message names the file, the place in it, and what is wrong)
  4  a `--fail-on`, `--deny` or `test` condition met
  1  any other failure

No command writes to the tenant or to any input file.";

#[derive(Parser)]
#[command(
    name = "portal-access",
    version,
    about = "Who can see and change which rows of a Power Pages website",
    after_help = EXIT_CODES,
    after_long_help = EXIT_CODES
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
    /// The site: for a tenant folder that is a Dataverse solution holding
    /// several sites, its `powerpagesiteid`; for `pull`, its id or name.
    #[arg(long, global = true, value_name = "ID|NAME")]
    pub(crate) site: Option<String>,
    /// In readable answers, show the ids of permissions and roles beside
    /// their display names (JSON answers always carry ids).
    #[arg(long, global = true)]
    pub(crate) ids: bool,
    /// Threads for loading tenants (parsing rows, resolving lookups);
    /// default: every core. Answers are the same with any number.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) threads: Option<u16>,
}

/// The question `can` and `why` answer: may VISITOR do PRIVILEGE to TARGET?
#[derive(Args)]
pub(crate) struct Question {
    /// Tenant: a native JSON file, or a folder (site download, code site,
    /// solution, pulled snapshot).
    pub(crate) tenant: PathBuf,
    /// Contact id, `anonymous` (not signed in) or `newcomer` (anyone who
    /// signs up).
    pub(crate) visitor: String,
    /// read, write, create, delete, append or append_to.
    pub(crate) privilege: String,
    /// TABLE:ID (TABLE for create).
    pub(crate) target: String,
    /// Print the JSON answer.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// May VISITOR do PRIVILEGE to TABLE:ID (or create in TABLE)?
    Can {
        #[command(flatten)]
        q: Question,
    },
    /// Who may do PRIVILEGE to TABLE:ID (or create in TABLE)? With a bare TABLE, who may by access
    /// patterns (no rows needed). Also `who TENANT open page:ID` and `who TENANT invoke
    /// serverlogic:NAME|cloudflow:ID`.
    Who {
        /// Tenant: a native JSON file, or a folder (site download, code site,
        /// solution, pulled snapshot).
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
        /// Tenant: a native JSON file, or a folder (site download, code site,
        /// solution, pulled snapshot).
        tenant: PathBuf,
        /// Contact id, `anonymous` (not signed in) or `newcomer` (anyone who
        /// signs up).
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
        #[command(flatten)]
        q: Question,
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
        /// Tenant: a native JSON file, or a folder (site download, code site,
        /// solution, pulled snapshot).
        tenant: PathBuf,
        /// Contact id, `anonymous` (not signed in) or `newcomer` (anyone who
        /// signs up).
        visitor: String,
        /// TABLE:ID.
        row: String,
        /// Print the JSON answer.
        #[arg(long)]
        json: bool,
    },
    /// Everything VISITOR reaches: pages (with their components' rows), web files, endpoints.
    Reach {
        /// Tenant: a native JSON file, or a folder (site download, code site,
        /// solution, pulled snapshot).
        tenant: PathBuf,
        /// Contact id, `anonymous` (not signed in) or `newcomer` (anyone who
        /// signs up).
        visitor: String,
        /// Print the JSON answer.
        #[arg(long)]
        json: bool,
    },
    /// What anyone on the internet can pull through the Web API, table by table.
    Exposure {
        /// Tenant: a native JSON file, or a folder (site download, code site,
        /// solution, pulled snapshot).
        tenant: PathBuf,
        /// Only this visitor: a contact id, `anonymous` (not signed in) or
        /// `newcomer` (anyone who signs up).
        #[arg(long)]
        visitor: Option<String>,
        /// Print the JSON answer.
        #[arg(long)]
        json: bool,
    },
    /// Every grant (S25), sorted by visitor, privilege, target.
    Grants {
        /// Tenant: a native JSON file, or a folder (site download, code site,
        /// solution, pulled snapshot).
        tenant: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GrantFormat::Jsonl)]
        format: GrantFormat,
        /// Only grants on this table.
        #[arg(long)]
        table: Option<String>,
        /// Print at most N grants.
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        /// Write the grants to FILE (never over an input) instead of standard
        /// output. To a terminal, more than a million grants are refused
        /// without --table, --limit or -o.
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Accepted for uniformity: the output is JSON lines unless --format csv.
        #[arg(long)]
        json: bool,
    },
    /// Configuration problems: findings PP001 to PP044, each with its
    /// severity (error, warning, info), place and fix.
    Lint {
        /// Tenant: a native JSON file, or a folder (site download, code site,
        /// solution, pulled snapshot).
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
        /// Tenant: a native JSON file, or a folder (site download, code site,
        /// solution, pulled snapshot).
        tenant: PathBuf,
        /// Only this visitor: a contact id, or `anonymous` (not signed in).
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
        /// Tenant: a native JSON file, or a folder (site download, code site,
        /// solution, pulled snapshot).
        tenant: PathBuf,
        /// The native tenant file to write.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Interactive session on TENANT (the same queries, no tenant argument).
    /// Reads one command per line when standard input is not a terminal.
    Repl {
        /// Tenant: a native JSON file, or a folder (site download, code site,
        /// solution, pulled snapshot).
        tenant: PathBuf,
        /// Run this one line and exit (1 if it failed).
        #[arg(long, short = 'c')]
        command: Option<String>,
    },
    /// The permission forest, or the tree holding PERMISSION.
    Tree {
        /// Tenant: a native JSON file, or a folder (site download, code site,
        /// solution, pulled snapshot).
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
        /// Tenant (never modified): a native JSON file, or a folder (site
        /// download, code site, solution, pulled snapshot).
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
        /// Tenant: a native JSON file, or a folder (site download, code site,
        /// solution, pulled snapshot).
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
        /// Tenant (never modified): a native JSON file, or a folder (site
        /// download, code site, solution, pulled snapshot).
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
        /// Tenant: a native JSON file, or a folder (site download, code site,
        /// solution, pulled snapshot).
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
    /// Print a shell completion script for SHELL on standard output.
    Completions {
        /// The shell: bash, zsh, fish, powershell or elvish.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff, for `man -l -`) on standard output: of
    /// portal-access, or of one of its subcommands.
    Man {
        /// A subcommand: its own page (`portal-access-SUBCOMMAND`).
        subcommand: Option<String>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LintFormat {
    Text,
    Json,
    Sarif,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum DenyLevel {
    Error,
    Warning,
    Info,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum FailOnArg {
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
    pub(crate) fn kind(self) -> whatif::FailOn {
        match self {
            FailOnArg::Gained => whatif::FailOn::Gained,
            FailOnArg::Lost => whatif::FailOn::Lost,
            FailOnArg::Anonymous => whatif::FailOn::Anonymous,
            FailOnArg::Anyone => whatif::FailOn::Anyone,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum GrantFormat {
    Jsonl,
    Csv,
}

