//! `grants`: every grant (S25) as JSON lines or CSV, counted before it is
//! expanded. To a terminal, more than [`TERMINAL_MAX`] lines are refused
//! with the count (issue 24: `grants --format csv` on the medium profile
//! wrote 57 GB unasked); `--table`, `--limit` or `-o FILE` say what to do.

use crate::answer::query::{Analysis, GrantLine};
use crate::error::QueryError;
use crate::model::Privilege;
use std::io::{self, Write};

/// The most lines `grants` prints to a terminal without `--limit` or `-o`.
pub const TERMINAL_MAX: u64 = 1_000_000;

/// The environment variable that lowers [`TERMINAL_MAX`] (for tests).
pub const TERMINAL_MAX_ENV: &str = "PORTAL_ACCESS_TERMINAL_MAX";

const LIMIT_REACHED: &str = "the --limit is reached";

/// How `grants` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object a line.
    Jsonl,
    /// CSV with header `visitor,privilege,target`.
    Csv,
}

/// The number of grants of `a` (on `table`), counted from the engine's row
/// sets without printing one.
pub fn count(a: &Analysis, table: Option<&str>) -> Result<u64, QueryError> {
    let table = table.map(|t| a.table(t)).transpose()?;
    let mut n = 0u64;
    for v in a.visitors() {
        for p in Privilege::ALL {
            n += if p == Privilege::Create {
                a.grants.what_create(&a.tenant, v, table).len()
            } else {
                a.grants.what(&a.tenant, v, p, table).len()
            } as u64;
        }
    }
    Ok(n)
}

/// Why `grants` refuses to print `count` lines to a terminal, if it does.
pub fn refusal(count: u64, terminal: bool, limited: bool) -> Option<String> {
    let max = std::env::var(TERMINAL_MAX_ENV).ok().and_then(|s| s.parse().ok()).unwrap_or(TERMINAL_MAX);
    (terminal && !limited && count > max).then(|| {
        format!(
            "grants: {count} lines would go to the terminal (more than {max}); narrow them with `--table TABLE`, print the first N with `--limit N`, or write them to a file with `-o FILE`"
        )
    })
}

/// Writes the grants of `a` (on `table`, at most `limit`) to `out`; returns
/// how many were written.
pub fn write(a: &Analysis, table: Option<&str>, format: Format, limit: Option<u64>, out: &mut dyn Write) -> Result<io::Result<u64>, QueryError> {
    let limit = limit.unwrap_or(u64::MAX);
    let mut n = 0u64;
    let mut counted = |g: &GrantLine, print: &mut dyn FnMut(&GrantLine) -> io::Result<()>| {
        if n >= limit {
            // Stops the walk over the visitors: the limit is reached.
            return Err(io::Error::other(LIMIT_REACHED));
        }
        n += 1;
        print(g)
    };
    let done = match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            let mut print = |g: &GrantLine| -> io::Result<()> { Ok(w.write_record([g.visitor.as_str(), g.privilege.as_str(), g.target()])?) };
            if let Err(e) = print(&GrantLine { visitor: "visitor".into(), privilege: "privilege".into(), row: Some("target".into()), table: None }) {
                return Ok(Err(e));
            }
            let walked = stopped(a.for_each_grant(table, |g| counted(g, &mut print))?);
            walked.and_then(|_| w.flush())
        }
        Format::Jsonl => {
            let mut print = |g: &GrantLine| -> io::Result<()> {
                serde_json::to_writer(&mut *out, g)?;
                writeln!(out)
            };
            stopped(a.for_each_grant(table, |g| counted(g, &mut print))?)
        }
    };
    Ok(done.map(|_| n))
}

/// The walk's result, with the stop at the limit as success.
fn stopped(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.to_string() == LIMIT_REACHED => Ok(()),
        other => other,
    }
}
