//! `portal-access`: the command line. It parses arguments, calls the
//! library, and prints; every behaviour lives in the library.

use clap::{Parser, Subcommand, ValueEnum};
use portal_access::query::{CanAnswer, GrantLine, WhatAnswer, WhoAnswer};
use portal_access::why::{PathStep, WhyAnswer};
use portal_access::{Analysis, LoadError, QueryError};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

mod perf_cli;

#[derive(Parser)]
#[command(name = "portal-access", version, about = "Who can see and change which rows of a Power Pages website")]
struct Cli {
    #[command(subcommand)]
    command: Command,
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
    /// Who may do PRIVILEGE to TABLE:ID (or create in TABLE)?
    Who {
        /// Tenant file.
        tenant: PathBuf,
        /// read, write, create, delete, append or append_to.
        privilege: String,
        /// TABLE:ID (TABLE for create).
        target: String,
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
    /// Write a synthetic tenant, deterministic for a seed.
    Generate(perf_cli::GenerateArgs),
    /// Performance report: load, derive, memory, query latency, comparisons.
    Bench(perf_cli::BenchArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum GrantFormat {
    Jsonl,
    Csv,
}

/// Failures, by exit code: 2 for bad input, 1 for anything else.
enum Failure {
    Load(LoadError),
    Query(QueryError),
    Io(io::Error),
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
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(Failure::Load(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Query(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(Failure::Io(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn print_json<T: serde::Serialize>(out: &mut impl Write, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::from)?;
    writeln!(out)
}

fn run(cli: Cli) -> Result<u8, Failure> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match cli.command {
        Command::Can { tenant, visitor, privilege, target, json } => {
            let a = Analysis::load(&tenant)?;
            let ans = a.can(&visitor, &privilege, &target)?;
            if json {
                print_json(&mut out, &ans)?;
            } else {
                print_can(&mut out, &ans)?;
            }
        }
        Command::Who { tenant, privilege, target, json } => {
            let a = Analysis::load(&tenant)?;
            let ans = a.who(&privilege, &target)?;
            if json {
                print_json(&mut out, &ans)?;
            } else {
                print_who(&mut out, &ans)?;
            }
        }
        Command::What { tenant, visitor, privilege, table, json } => {
            let a = Analysis::load(&tenant)?;
            let ans = a.what(&visitor, &privilege, table.as_deref())?;
            if json {
                print_json(&mut out, &ans)?;
            } else {
                print_what(&mut out, &ans)?;
            }
        }
        Command::Why { tenant, visitor, privilege, target, json } => {
            let a = Analysis::load(&tenant)?;
            let ans = a.why(&visitor, &privilege, &target)?;
            if json {
                print_json(&mut out, &ans)?;
            } else {
                print_why(&mut out, &ans)?;
            }
        }
        Command::Grants { tenant, format, table, json: _ } => {
            let a = Analysis::load(&tenant)?;
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
        Command::Generate(args) => perf_cli::generate(args, &mut out)?,
        Command::Bench(args) => perf_cli::bench(args, &mut out)?,
    }
    out.flush()?;
    Ok(0)
}

fn target(row: &Option<String>, table: &Option<String>) -> String {
    match (row, table) {
        (Some(r), _) => r.clone(),
        (None, Some(t)) => format!("table {t}"),
        (None, None) => String::new(),
    }
}

fn print_can(out: &mut impl Write, a: &CanAnswer) -> io::Result<()> {
    let what = if a.privilege == "create" { format!("create in {}", target(&a.row, &a.table)) } else { format!("{} {}", a.privilege, target(&a.row, &a.table)) };
    if a.allowed {
        writeln!(out, "yes: {} may {} (via {})", a.visitor, what, a.via.join(", "))
    } else {
        writeln!(out, "no: {} may not {}", a.visitor, what)
    }
}

fn print_who(out: &mut impl Write, a: &WhoAnswer) -> io::Result<()> {
    writeln!(out, "{} {}", a.privilege, target(&a.row, &a.table))?;
    writeln!(out, "  anonymous visitors: {}", if a.anonymous { "yes" } else { "no" })?;
    writeln!(out, "  contacts ({}): {}", a.contacts.len(), if a.contacts.is_empty() { "none".to_string() } else { a.contacts.join(", ") })
}

fn print_what(out: &mut impl Write, a: &WhatAnswer) -> io::Result<()> {
    let (kind, list) = match (&a.rows, &a.tables) {
        (Some(r), _) => ("rows", r),
        (None, Some(t)) => ("tables", t),
        (None, None) => ("rows", &Vec::new()),
    };
    writeln!(out, "{} may {} {} {}:", a.visitor, a.privilege, list.len(), kind)?;
    for x in list {
        writeln!(out, "  {x}")?;
    }
    Ok(())
}

fn print_why(out: &mut impl Write, a: &WhyAnswer) -> io::Result<()> {
    print_can(out, &a.can)?;
    if let Some(reason) = &a.reason {
        writeln!(out, "  because {reason}")?;
    }
    for path in &a.paths {
        let perm = path.iter().rev().find_map(|s| match s {
            PathStep::Permission { id, .. } => Some(id.as_str()),
            _ => None,
        });
        writeln!(out, "  through {}:", perm.unwrap_or("?"))?;
        for step in path {
            match step {
                PathStep::Role { id, via, account } => {
                    let how = match (via.as_str(), account) {
                        ("contact", _) => format!("{} is a member", a.can.visitor),
                        ("account", Some(acc)) => format!("its account {acc} is a member"),
                        ("authenticated", _) => "authenticated users role".to_string(),
                        ("anonymous", _) => "anonymous users role".to_string(),
                        (other, _) => other.to_string(),
                    };
                    writeln!(out, "    role {id} ({how})")?;
                }
                PathStep::Permission { id, scope } => writeln!(out, "    permission {id} ({scope} scope)")?,
                PathStep::Row { reference, relationship, anchor } => {
                    let how = match (relationship, anchor.as_deref()) {
                        (Some(rel), _) => format!(" through {rel}"),
                        (None, Some("visitor")) => " (the visitor)".to_string(),
                        (None, Some("account")) => " (the visitor's account)".to_string(),
                        (None, _) => String::new(),
                    };
                    writeln!(out, "      {reference}{how}")?;
                }
            }
        }
    }
    Ok(())
}
