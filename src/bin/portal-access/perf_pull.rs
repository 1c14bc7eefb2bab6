//! `bench --pull`: arguments and printing (the measuring is in the
//! library, `portal_access::perf::bench_pull`).

use crate::Failure;
use clap::Args;
use portal_access::perf::bench_pull::{self, PullBench, PullReport};
use portal_access::perf::fake_tenant::Model;
use portal_access::perf::generate::GenConfig;
use portal_access::perf::bench::bytes;
use std::io::{self, Write};
use std::path::PathBuf;

/// The `bench` arguments of `--pull`.
#[derive(Args)]
pub struct PullArgs {
    /// Pull the generated tenant (`--profile`) from a fake Dataverse on
    /// loopback, then load the written folder: both timed in one run, and
    /// the pull's peak memory.
    #[arg(long, conflicts_with_all = ["tenant", "growth"], requires = "profile")]
    pull: bool,
    /// The data model the fake serves for --pull.
    #[arg(long, value_parser = ["standard", "enhanced"], default_value = "standard")]
    pull_model: String,
    /// Tables pulled at once for --pull.
    #[arg(long, default_value_t = portal_access::pull::DEFAULT_CONCURRENCY)]
    pull_concurrency: usize,
    /// Serve this tenant file as the fake Dataverse, print its URL, and
    /// serve until standard input ends (what --pull runs).
    #[arg(long, hide = true)]
    serve_fake: Option<PathBuf>,
    /// The data model --serve-fake serves.
    #[arg(long, hide = true, value_parser = ["standard", "enhanced"], default_value = "standard")]
    fake_model: String,
}

impl PullArgs {
    /// Whether `bench` runs the pull measurement (or serves its fake).
    pub fn wanted(&self) -> bool {
        self.pull || self.serve_fake.is_some()
    }
}

fn model(name: &str) -> Model {
    if name == "enhanced" {
        Model::Enhanced
    } else {
        Model::Standard
    }
}

/// `bench --pull` (or the fake it starts, `bench --serve-fake`).
pub fn run(a: &PullArgs, cfg: Option<GenConfig>, json: bool, command: &str, out: &mut impl Write) -> Result<(), Failure> {
    if let Some(tenant) = &a.serve_fake {
        let stdout = io::stdout();
        return Ok(bench_pull::serve_fake(tenant, model(&a.fake_model), &mut io::stdin(), &mut stdout.lock())?);
    }
    let Some(config) = cfg else { return Err(Failure::Usage("--pull needs --profile".into())) };
    let b = PullBench {
        config,
        model: model(&a.pull_model),
        concurrency: a.pull_concurrency,
        exe: std::env::current_exe()?,
    };
    let r = bench_pull::run(&b)?;
    if json {
        serde_json::to_writer(&mut *out, &r).map_err(io::Error::other)?;
        writeln!(out)?;
        return Ok(());
    }
    print(out, &r, command)?;
    Ok(())
}

fn print(out: &mut impl Write, r: &PullReport, command: &str) -> io::Result<()> {
    writeln!(out, "`{command}`")?;
    writeln!(out)?;
    writeln!(out, "| measure | value |")?;
    writeln!(out, "|---------|-------|")?;
    writeln!(out, "| tenant | {} rows, {} ({} data model) |", r.tenant_rows, bytes(r.tenant_bytes), r.data_model)?;
    writeln!(out, "| written | {} rows in {} tables, {} |", r.rows_written, r.tables, bytes(r.written_bytes))?;
    writeln!(out, "| pull (fake Dataverse on loopback, {} tables at once) | {:.2} s |", r.concurrency, r.pull_seconds)?;
    writeln!(out, "| load of the written folder | {:.2} s |", r.load_seconds)?;
    let verdict = if r.met { "met" } else { "missed" };
    writeln!(out, "| pull / load | {:.2}x (target at most {:.0}x: {verdict}) |", r.ratio, r.target_ratio)?;
    let reset = if r.peak_reset { "reset before the pull" } else { "process-wide: the reset was refused" };
    writeln!(out, "| peak memory of the pull (VmHWM, {reset}) | {} |", bytes(r.peak_rss_bytes))?;
    writeln!(out, "| memory before the pull (VmRSS) | {} |", bytes(r.rss_before_bytes))?;
    writeln!(out, "| largest page file written | {} |", bytes(r.largest_page_bytes))?;
    Ok(())
}
