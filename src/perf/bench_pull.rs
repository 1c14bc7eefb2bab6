//! `bench --pull` (#26): a generated tenant served by the fake Dataverse
//! ([`super::fake_dataverse`]) in a process of its own, pulled over
//! loopback by this process, then the written folder loaded, both timed in
//! one run; the pull's peak memory is this process's `VmHWM`, reset just
//! before the pull (`/proc/self/clear_refs`), so that neither the tenant
//! generated nor the fake's copy of it counts. Target: the pull takes at
//! most 3x the load; its memory is bounded by one page per worker plus the
//! written row counts, never the whole tenant.

use super::fake_dataverse::Server;
use super::fake_tenant::{self, Model};
use super::generate::{generate_file, GenConfig};
use crate::pull::rows::Silent;
use crate::pull::token::TokenSource;
use serde::Serialize;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The bearer token the fake accepts (it never leaves loopback).
const TOKEN: &str = "bench-pull-token";
/// The generated site's name.
const SITE: &str = "Generated Portal";
/// The target: pull seconds over load seconds.
pub const TARGET_RATIO: f64 = 3.0;

/// What `bench --pull` measured.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PullReport {
    /// `standard` or `enhanced`.
    pub data_model: String,
    /// Rows of the generated tenant.
    pub tenant_rows: u64,
    /// Bytes of the generated tenant file.
    pub tenant_bytes: u64,
    /// Tables written (rows, memberships, N:N pairs).
    pub tables: u64,
    /// Rows written, over all tables.
    pub rows_written: u64,
    /// Bytes written under the folder.
    pub written_bytes: u64,
    /// Tables pulled at once.
    pub concurrency: usize,
    /// Seconds of the pull, from `WhoAmI` to the renamed folder.
    pub pull_seconds: f64,
    /// Seconds of loading the written folder (`model::load`).
    pub load_seconds: f64,
    /// `pull_seconds / load_seconds`.
    pub ratio: f64,
    /// [`TARGET_RATIO`].
    pub target_ratio: f64,
    /// Whether the ratio is within the target.
    pub met: bool,
    /// Resident memory just before the pull, bytes.
    pub rss_before_bytes: u64,
    /// Peak resident memory during the pull (`VmHWM` reset before it), bytes;
    /// 0 where the system does not say.
    pub peak_rss_bytes: u64,
    /// Whether the peak was reset before the pull (else it is the process's).
    pub peak_reset: bool,
    /// The largest data file written (one page of one table), bytes.
    pub largest_page_bytes: u64,
}

/// What to pull.
pub struct PullBench {
    /// The tenant's sizes and seed.
    pub config: GenConfig,
    /// The data model the fake serves.
    pub model: Model,
    /// `--concurrency`.
    pub concurrency: usize,
    /// The `portal-access` executable, run as `bench --serve-fake` for the fake.
    pub exe: PathBuf,
}

fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// Resident memory now (`VmRSS`), bytes.
fn rss_now() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}

/// The fake in a child process; stopped (stdin closed, then killed) when dropped.
struct Fake {
    child: Child,
    url: String,
}

impl Fake {
    fn start(exe: &Path, tenant: &Path, model: Model) -> std::io::Result<Fake> {
        let name = match model {
            Model::Standard => "standard",
            Model::Enhanced => "enhanced",
        };
        let mut child = Command::new(exe)
            .args(["bench", "--serve-fake"])
            .arg(tenant)
            .args(["--fake-model", name])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            BufReader::new(out).read_line(&mut line)?;
        }
        let url = line.trim().to_string();
        if !url.starts_with("http://127.0.0.1:") {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io(format!("the fake Dataverse did not start (it said `{url}`)")));
        }
        Ok(Fake { child, url })
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `bench --serve-fake TENANT --fake-model M`: serves the tenant file as
/// the fake Dataverse, prints its URL on a line of `out`, and serves until
/// `input` ends.
pub fn serve_fake(tenant: &Path, model: Model, input: &mut dyn Read, out: &mut dyn Write) -> std::io::Result<()> {
    let text = std::fs::read(tenant)?;
    let doc: serde_json::Value = serde_json::from_slice(&text).map_err(io)?;
    drop(text);
    let server = Server::start(fake_tenant::environment(&doc, model, TOKEN))?;
    drop(doc);
    writeln!(out, "{}", server.url)?;
    out.flush()?;
    let mut sink = [0u8; 64];
    while input.read(&mut sink)? > 0 {}
    drop(server);
    Ok(())
}

fn walk(dir: &Path, each: &mut dyn FnMut(&Path, u64)) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, each);
        } else if let Ok(m) = e.metadata() {
            each(&p, m.len());
        }
    }
}

/// Generates the tenant, starts the fake, pulls it and loads the result.
pub fn run(b: &PullBench) -> std::io::Result<PullReport> {
    let tmp = tempfile::tempdir()?;
    let tenant = tmp.path().join("tenant.json");
    let stats = generate_file(&b.config, &tenant).map_err(io)?;
    let fake = Fake::start(&b.exe, &tenant, b.model)?;
    let out = tmp.path().join("pulled");
    let mut opts = crate::pull::Options::new(&fake.url, SITE, &out, TokenSource::Command(format!("echo {TOKEN}")));
    opts.concurrency = b.concurrency;
    opts.timeout = Duration::from_secs(120);
    let peak_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss_before_bytes = rss_now().unwrap_or(0);
    let start = Instant::now();
    let m = crate::pull::pull(&opts, &Silent).map_err(io)?;
    let pull_seconds = start.elapsed().as_secs_f64();
    let peak_rss_bytes = super::bench::peak_rss().unwrap_or(0);
    drop(fake);
    let start = Instant::now();
    let loaded = crate::model::load(&out).map_err(io)?;
    let load_seconds = start.elapsed().as_secs_f64();
    drop(loaded);
    let (mut written_bytes, mut largest_page_bytes) = (0, 0);
    walk(&out, &mut |p, n| {
        written_bytes += n;
        if p.parent().is_some_and(|d| d.ends_with("data")) {
            largest_page_bytes = largest_page_bytes.max(n);
        }
    });
    let ratio = if load_seconds > 0.0 { pull_seconds / load_seconds } else { 0.0 };
    Ok(PullReport {
        data_model: m.site.data_model.clone(),
        tenant_rows: stats.rows,
        tenant_bytes: std::fs::metadata(&tenant).map(|m| m.len()).unwrap_or(0),
        tables: m.tables.len() as u64,
        rows_written: m.tables.iter().map(|t| t.rows).sum(),
        written_bytes,
        concurrency: b.concurrency,
        pull_seconds,
        load_seconds,
        ratio,
        target_ratio: TARGET_RATIO,
        met: ratio <= TARGET_RATIO,
        rss_before_bytes,
        peak_rss_bytes,
        peak_reset,
        largest_page_bytes,
    })
}
