//! `generate` and `bench`: argument parsing and printing (the measuring is
//! in the library, `portal_access::generate` and `portal_access::bench`).

use crate::Failure;
use clap::Args;
use portal_access::perf::bench::{self, bytes, nanos, Options, Report};
use portal_access::perf::generate::{self, GenConfig, Profile};
use serde_json::Value;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use portal_access::cli::progress::Progress;
use std::time::Instant;

/// `generate` arguments.
#[derive(Args)]
pub struct GenerateArgs {
    /// Size: small (1,000 contacts), medium (100,000), large (1,000,000) or
    /// xlarge (10,000,000 contacts, 100,000,000 rows: about 6.5 GB).
    #[arg(long, value_parser = parse_profile)]
    profile: Profile,
    /// Seed: the same seed and sizes write the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output file.
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// Override the profile's number of contacts.
    #[arg(long)]
    contacts: Option<u64>,
    /// Override the profile's number of accounts.
    #[arg(long)]
    accounts: Option<u64>,
    /// Override the profile's total number of rows.
    #[arg(long)]
    rows: Option<u64>,
    /// Add a vendor portal on F&O virtual tables (vendors, purchase orders,
    /// lines, invoices; mapped F&O users; an XDS policy on some tables).
    #[arg(long)]
    fo: bool,
    /// Print what was written as JSON.
    #[arg(long)]
    json: bool,
}

/// `bench` arguments.
#[derive(Args)]
pub struct BenchArgs {
    /// Generate a tenant of this size into a temporary folder and measure it.
    #[arg(long, value_parser = parse_profile, conflicts_with = "tenant", required_unless_present_any = ["tenant", "growth", "serve_fake"])]
    profile: Option<Profile>,
    /// Seed of the generated tenant and of the questions.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Measure this tenant instead: a native JSON file, or a folder (site
    /// download, code site, solution, pulled snapshot).
    #[arg(long)]
    tenant: Option<PathBuf>,
    /// Override the profile's number of contacts.
    #[arg(long)]
    contacts: Option<u64>,
    /// Override the profile's number of accounts.
    #[arg(long)]
    accounts: Option<u64>,
    /// Override the profile's total number of rows.
    #[arg(long)]
    rows: Option<u64>,
    /// Generate the tenant with a vendor portal on F&O virtual tables
    /// (`generate --fo`), and time `bypass` and `can` on virtual-table rows.
    #[arg(long, conflicts_with = "tenant")]
    fo: bool,
    /// Number of `can` and of `who` questions.
    #[arg(long, default_value_t = 5000)]
    queries: usize,
    /// Number of `what` questions.
    #[arg(long, default_value_t = 500)]
    what_queries: usize,
    /// Do not ask Cedar.
    #[arg(long)]
    no_cedar: bool,
    /// Skip Cedar above this many rows.
    #[arg(long, default_value_t = 2_000_000)]
    cedar_max_rows: u64,
    /// Do not run the other derivations and checkers.
    #[arg(long)]
    no_peers: bool,
    /// Skip the what-if figures (one scenario, a batch of 100).
    #[arg(long)]
    no_whatif: bool,
    /// Also time `diff` (two versions differing in one permission) and `test`
    /// (1,000 expectations) against their baselines.
    #[arg(long)]
    pipelines: bool,
    /// Skip timing the security review (`report`).
    #[arg(long)]
    no_report: bool,
    /// Time budget, in seconds, of each latency measurement (fewer queries
    /// are timed when it runs out; the report says how many).
    #[arg(long, default_value_t = 30)]
    budget_seconds: u64,
    /// Cost growth: derive time and peak memory at three sizes, each measured
    /// in a fresh process.
    #[arg(long, conflicts_with_all = ["tenant", "profile"])]
    growth: bool,
    /// Sizes for --growth: profile names, or a number of contacts (`300k`,
    /// `2m`) with a tenth as many accounts and ten times as many rows.
    #[arg(long, value_delimiter = ',', value_parser = parse_size, default_values = ["small", "medium", "large"])]
    growth_sizes: Vec<Size>,
    /// Print each phase's time on standard error as it ends.
    #[arg(long)]
    progress: bool,
    /// Print the figures as one JSON object.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    pull: crate::perf_pull::PullArgs,
}

/// A size for `--growth`.
#[derive(Clone)]
struct Size {
    label: String,
    contacts: u64,
}

fn parse_size(s: &str) -> Result<Size, String> {
    if let Some(p) = Profile::parse(s) {
        return Ok(Size { label: s.to_string(), contacts: p.config(1).contacts });
    }
    let (digits, mult) = match s.strip_suffix(['k', 'K']) {
        Some(d) => (d, 1_000),
        None => match s.strip_suffix(['m', 'M']) {
            Some(d) => (d, 1_000_000),
            None => (s, 1),
        },
    };
    match digits.parse::<u64>() {
        Ok(n) if n > 0 => Ok(Size { label: s.to_string(), contacts: n * mult }),
        _ => Err(format!("unknown size `{s}` (expected small, medium, large, xlarge or a number of contacts such as 300k)")),
    }
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    Profile::parse(s).ok_or_else(|| format!("unknown profile `{s}` (expected small, medium, large or xlarge)"))
}

fn config(profile: Profile, seed: u64, sizes: [Option<u64>; 3], fo: bool) -> GenConfig {
    let [contacts, accounts, rows] = sizes;
    let mut c = profile.config(seed);
    c.contacts = contacts.unwrap_or(c.contacts);
    c.accounts = accounts.unwrap_or(c.accounts);
    c.rows = rows.unwrap_or(c.rows);
    c.fo = fo;
    c
}

fn io_err(e: impl std::fmt::Display) -> Failure {
    Failure::Io(io::Error::other(e.to_string()))
}

/// `portal-access generate`.
pub fn generate(a: GenerateArgs, out: &mut impl Write) -> Result<(), Failure> {
    let cfg = config(a.profile, a.seed, [a.contacts, a.accounts, a.rows], a.fo);
    let start = Instant::now();
    let stats = generate::generate_file(&cfg, &a.output).map_err(io_err)?;
    let seconds = start.elapsed().as_secs_f64();
    if a.json {
        let mut v = serde_json::to_value(&stats).map_err(io_err)?;
        if let Value::Object(m) = &mut v {
            m.insert("file".into(), a.output.display().to_string().into());
            m.insert("seconds".into(), seconds.into());
        }
        serde_json::to_writer(&mut *out, &v).map_err(io_err)?;
        writeln!(out)?;
    } else {
        writeln!(out, "wrote {}: {} rows, {} in {:.2} s", a.output.display(), stats.rows, bytes(stats.bytes), seconds)?;
        let tables: Vec<String> = stats.tables.iter().map(|(t, n)| format!("{t} {n}")).collect();
        writeln!(out, "  rows: {}", tables.join(", "))?;
        writeln!(
            out,
            "  {} association pairs, {} contact and {} account memberships, {} web roles, {} table permissions",
            stats.associations, stats.contact_members, stats.account_members, stats.roles, stats.permissions
        )?;
    }
    Ok(())
}

/// `portal-access bench`.
pub fn bench(a: BenchArgs, threads: Option<usize>, out: &mut impl Write) -> Result<(), Failure> {
    if a.growth {
        return growth(&a, threads, out);
    }
    if a.pull.wanted() {
        let cfg = a.profile.map(|p| config(p, a.seed, [a.contacts, a.accounts, a.rows], false));
        return crate::perf_pull::run(&a.pull, cfg, a.json, &command_line(), out);
    }
    let opts = Options {
        seed: a.seed,
        queries: a.queries,
        what_queries: a.what_queries,
        cedar: !a.no_cedar,
        cedar_max_rows: a.cedar_max_rows,
        peers: !a.no_peers,
        budget: std::time::Duration::from_secs(a.budget_seconds),
        progress: if a.progress {
            Some(progress)
        } else if Progress::wanted(a.json) {
            Some(spinner_phase)
        } else {
            None
        },
        whatif: if a.no_whatif { 0 } else { 100 },
        pipelines: a.pipelines,
        report: !a.no_report,
        threads,
    };
    if !a.progress {
        if let Ok(mut s) = SPINNER.lock() {
            *s = Some(Progress::start(Progress::wanted(a.json), "bench: generating and loading"));
        }
    }
    let report = match (&a.tenant, a.profile) {
        (Some(path), _) => bench::run(path, &opts),
        (None, Some(p)) => bench::run_profile_with(config(p, a.seed, [a.contacts, a.accounts, a.rows], a.fo), &opts, generate_apart),
        (None, None) => return Err(io_err("give --profile, --tenant or --growth")),
    };
    if let Ok(mut s) = SPINNER.lock() {
        if let Some(p) = s.take() {
            p.finish();
        }
    }
    let report = report.map_err(|e| match e {
        bench::BenchError::Load(l) => Failure::Load(l),
        other => io_err(other),
    })?;
    if a.json {
        serde_json::to_writer(&mut *out, &report).map_err(io_err)?;
        writeln!(out)?;
    } else {
        print_report(out, &report, &command_line())?;
    }
    Ok(())
}

/// The spinner `bench` shows on a terminal (the library reports phases
/// through a plain function, so the spinner it updates lives here).
static SPINNER: Mutex<Option<Progress>> = Mutex::new(None);

fn spinner_phase(done: &str) {
    if let Ok(s) = SPINNER.lock() {
        if let Some(p) = s.as_ref() {
            p.phase(&format!("bench: {done}; measuring the next phase"));
        }
    }
}

fn progress(phase: &str) {
    eprintln!("bench: {phase}");
}

fn command_line() -> String {
    let args: Vec<String> = std::env::args().skip(1).collect();
    format!("portal-access {}", args.join(" "))
}

fn secs(s: f64) -> String {
    if s >= 1.0 {
        format!("{s:.2} s")
    } else {
        format!("{:.1} ms", s * 1e3)
    }
}

fn row(out: &mut impl Write, k: &str, v: String) -> io::Result<()> {
    writeln!(out, "| {k:<40} | {v} |")
}

fn print_report(out: &mut impl Write, r: &Report, cmd: &str) -> io::Result<()> {
    let t = &r.tenant;
    let name = match (&t.profile, t.seed) {
        (Some(p), Some(s)) => format!("{p} profile, seed {s}"),
        _ => t.source.clone(),
    };
    writeln!(out, "`{cmd}`")?;
    writeln!(out)?;
    writeln!(
        out,
        "Tenant: {name}: {} rows ({} contacts, {} accounts), {} links, {} web roles, {} table permissions.",
        t.rows, t.contacts, t.accounts, t.links, t.roles, t.permissions
    )?;
    let m = &r.machine;
    writeln!(
        out,
        "Machine: {} CPUs ({}), {} memory, load average {:.2} at the start.",
        m.cpus,
        m.cpu_model,
        bytes(m.memory_bytes),
        m.load_average
    )?;
    writeln!(out)?;
    writeln!(out, "| {:<40} | value |", "measure")?;
    writeln!(out, "|{}|-------|", "-".repeat(42))?;
    if let Some(g) = t.generate_seconds {
        row(out, "generate (streamed to a temporary file)", format!("{} ({} file)", secs(g), bytes(t.file_bytes)))?;
    } else {
        row(out, "file size", bytes(t.file_bytes))?;
    }
    row(out, "load (read, parse, validate)", secs(r.load_seconds))?;
    if let Some(l) = &r.load {
        row(
            out,
            "load: read / parse / validate",
            format!(
                "{} / {} / {} ({} threads, best of {})",
                secs(l.read_seconds),
                secs(l.parse_seconds),
                secs(l.build_seconds),
                l.threads,
                l.runs
            ),
        )?;
        row(out, "bare parse, same file (read + IgnoredAny)", format!("{} (best of {})", secs(l.bare_parse_seconds), l.runs))?;
        row(
            out,
            "load throughput vs bare parse",
            format!(
                "{}/s vs {}/s: load is {:.2}x the bare parse",
                bytes(l.bytes_per_second as u64),
                bytes(l.bare_bytes_per_second as u64),
                l.ratio
            ),
        )?;
        row(out, "rows held (ids and encoded columns)", bytes(l.row_bytes))?;
    }
    if let Some(s) = &r.threads {
        row(
            out,
            &format!("load with 1 thread / {} threads", s.threads),
            format!(
                "{} / {}: {:.2}x faster (best of {}){}",
                secs(s.one_thread_seconds),
                secs(s.threads_seconds),
                s.speedup,
                s.runs,
                if s.same_tenant { ", same tenant" } else { ", TENANTS DIFFER" }
            ),
        )?;
        let phases = |l: &bench::LoadSpeed| format!("{} / {} / {}", secs(l.read_seconds), secs(l.parse_seconds), secs(l.build_seconds));
        row(
            out,
            &format!("  read / parse / validate, 1 / {} threads", s.threads),
            format!("{}; {}", phases(&s.one_thread), phases(&s.with_threads)),
        )?;
    }
    let serving = r.derivations.first().map_or("", |d| d.name.as_str());
    row(out, &format!("derive ({serving})"), secs(r.derive_seconds))?;
    row(out, "index for answers", secs(r.index_seconds))?;
    row(out, "load + derive + index", secs(r.load_and_derive()))?;
    row(out, "peak memory after derive (VmHWM)", bytes(r.peak_rss_bytes))?;
    let by: Vec<String> =
        r.derived_by_relation.iter().filter(|(_, n)| *n > 0).map(|(k, n)| format!("{k} {n}")).collect();
    row(out, "derived facts", format!("{} ({})", r.derived_facts, by.join(", ")))?;
    let lat = |l: &bench::Latency| format!("{} / {} ({} queries)", nanos(l.median_ns), nanos(l.p99_ns), l.n);
    row(out, "can median / p99", format!("{}, {:.0}% allowed", lat(&r.can), r.can_allowed * 100.0))?;
    row(out, "who median / p99", format!("{}, {:.1} contacts on average", lat(&r.who), r.who.mean_answer))?;
    row(out, "what median / p99", format!("{}, {:.1} rows on average", lat(&r.what), r.what.mean_answer))?;
    for d in r.derivations.iter().skip(1) {
        if let Some(why) = &d.skipped {
            row(out, &format!("derive ({}), same run", d.name), format!("skipped: {why}"))?;
            continue;
        }
        row(
            out,
            &format!("derive ({}), same run", d.name),
            format!("{} ({:.2}x serving){}", secs(d.seconds), d.seconds / r.derive_seconds.max(1e-9), agree(d.agrees)),
        )?;
    }
    match &r.baseline {
        Some(b) => row(
            out,
            &format!("derive ({}, hand-written)", b.name),
            format!(
                "{}; serving is {:.2}x of it{}",
                secs(b.seconds),
                r.derive_seconds / b.seconds.max(1e-9),
                agree(b.agrees)
            ),
        )?,
        None => row(out, "derive (hand-written propagation)", "not in this build".to_string())?,
    }
    row(out, "can (row questions only) median / p99", lat(&r.can_rows))?;
    if r.checkers.is_empty() {
        row(out, "graph checker can / who", "not in this build".to_string())?;
    }
    for c in &r.checkers {
        row(out, &format!("{} build", c.name), secs(c.build_seconds))?;
        row(
            out,
            &format!("{} can median / p99", c.name),
            format!("{}, {} disagreements", lat(&c.can), c.disagreements),
        )?;
        if let Some(w) = &c.who {
            row(out, &format!("{} who median / p99", c.name), lat(w))?;
        }
    }
    let cd = &r.cedar;
    match &cd.skipped {
        Some(why) => row(out, "Cedar", format!("skipped: {why}"))?,
        None => {
            row(
                out,
                "Cedar encode (entities + policies)",
                format!("{} ({} entities, {} policies)", secs(cd.encode_seconds), cd.entities, cd.policies),
            )?;
            row(
                out,
                "Cedar can median / p99",
                format!(
                    "{} ({:.1}x portal-access can), {} disagreements, {} errors",
                    lat(&cd.can),
                    cd.can.median_ns / r.can_rows.median_ns.max(1.0),
                    cd.disagreements,
                    cd.errors
                ),
            )?;
            row(
                out,
                "Cedar derived-attribute permissions",
                if cd.derived_permissions.is_empty() { "none".to_string() } else { cd.derived_permissions.join(", ") },
            )?;
        }
    }
    if let Some(f) = &r.finance {
        row(out, "F&O: visitors with an F&O user / virtual rows", format!("{} / {}", f.visitors_with_user, f.virtual_rows))?;
        row(
            out,
            "F&O: bypass for every visitor",
            format!("{} ({:.2}x full derivation; {} lines)", secs(f.bypass_seconds), f.bypass_ratio, f.bypass_lines),
        )?;
        row(
            out,
            "F&O: can on a virtual-table row median / p99",
            format!("{}, {:.0}% allowed ({:.2}x ordinary rows)", lat(&f.can_virtual), f.can_virtual_allowed * 100.0, f.can_ratio),
        )?;
        row(out, "F&O: can on an ordinary row median / p99", lat(&f.can_ordinary))?;
    }
    if let Some(w) = &r.whatif {
        let full = secs(w.full_derive_seconds);
        row(out, "what-if: full derivation (derive + index)", full.clone())?;
        for s in &w.one {
            row(out, "what-if: one-permission scenario", format!("{} ({} grant lines): {}", secs(s.seconds), s.lines, s.change))?;
        }
        row(
            out,
            "what-if: one-permission scenario, median",
            format!("{} ({:.2}x full derivation)", secs(w.one_median_seconds), w.one_ratio),
        )?;
        row(
            out,
            &format!("what-if: batch of {} scenarios", w.batch_scenarios),
            format!(
                "{} ({:.2}x full derivation; {} grant lines, {} failed; drawn from {} permissions)",
                secs(w.batch_seconds),
                w.batch_ratio,
                w.batch_lines,
                w.batch_failed,
                w.permissions_used
            ),
        )?;
    }
    if let Some(p) = &r.pipelines {
        row(out, "diff: load both + one derivation", secs(p.load_both_derive_seconds))?;
        row(
            out,
            "diff: two versions, one permission apart",
            format!(
                "{} ({:.2}x load both + derive; {}; {} grant lines): {}",
                secs(p.diff_seconds),
                p.diff_ratio,
                if p.diff_factored { "factored" } else { "streamed" },
                p.diff_lines,
                p.diff_change
            ),
        )?;
        row(out, "test: full derivation (derive + index)", secs(p.full_derive_seconds))?;
        row(
            out,
            &format!("test: {} expectations", p.test_expectations),
            format!("{} ({:.2}x full derivation; {} failed)", secs(p.test_seconds), p.test_ratio, p.test_failed),
        )?;
    }
    row(out, "lint (after the build)", format!("{:.2} ms, {} findings", r.lint_seconds * 1e3, r.lint_findings))?;
    if let Some(s) = &r.surfaces {
        row(out, "reach (one contact) / what (six privileges)", format!("{:.2}x (medians {} / {})", s.reach_ratio, nanos(s.reach.median_ns), nanos(s.what_six.median_ns)))?;
        row(out, "who open page:ID / can", format!("{:.2}x (median {})", s.who_open_ratio, nanos(s.who_open.median_ns)))?;
        row(out, "who open page:ID, contacts listed", format!("median {}", nanos(s.who_open_listed.median_ns)))?;
    }
    if let Some(rs) = &r.report {
        row(
            out,
            "report (findings, outsiders, matrix, HTML)",
            format!(
                "{} ({:.2}x full derivation of {}; {} findings, {} page)",
                secs(rs.seconds),
                rs.ratio,
                secs(rs.full_derive_seconds),
                rs.findings,
                bytes(rs.bytes)
            ),
        )?;
    }
    row(out, "peak memory at the end (VmHWM)", bytes(r.peak_rss_end_bytes))?;
    writeln!(out)?;
    writeln!(out, "| target | goal | measured | met |")?;
    writeln!(out, "|--------|------|----------|-----|")?;
    for tc in &r.targets {
        let met = match tc.met {
            Some(true) => "yes".to_string(),
            Some(false) => format!("no, {}", tc.note),
            None => "not measured".to_string(),
        };
        writeln!(out, "| {} | {} | {} | {} |", tc.name, tc.target, tc.measured, met)?;
    }
    Ok(())
}

fn agree(ok: bool) -> &'static str {
    if ok {
        ""
    } else {
        ", RELATIONS DIFFER"
    }
}

/// Writes a tenant with `portal-access generate` in a process of its own,
/// so that the measuring process starts as fresh as a user's command.
fn generate_apart(cfg: &GenConfig, path: &std::path::Path) -> Result<(), bench::BenchError> {
    let failed = |e: String| bench::BenchError::Generator(e);
    let exe = std::env::current_exe().map_err(|e| failed(e.to_string()))?;
    let mut cmd = std::process::Command::new(exe);
    cmd.args(["generate", "--profile", "small", "--seed", &cfg.seed.to_string()])
        .args(["--contacts", &cfg.contacts.to_string(), "--accounts", &cfg.accounts.to_string(), "--rows", &cfg.rows.to_string()])
        .arg("-o")
        .arg(path);
    if cfg.fo {
        cmd.arg("--fo");
    }
    let output = cmd.stdin(std::process::Stdio::null()).output().map_err(|e| failed(e.to_string()))?;
    if !output.status.success() {
        return Err(failed(format!("{}: {}", output.status, String::from_utf8_lossy(&output.stderr).trim())));
    }
    Ok(())
}

/// `bench --growth`: one fresh process per size, so each peak is its own.
/// A size that does not finish (out of memory, say) is reported as such.
fn growth(a: &BenchArgs, threads: Option<usize>, out: &mut impl Write) -> Result<(), Failure> {
    let exe = std::env::current_exe()?;
    let mut rows: Vec<(String, Result<Value, String>)> = Vec::new();
    for size in &a.growth_sizes {
        let n = size.contacts;
        let mut cmd = std::process::Command::new(&exe);
        if let Some(k) = threads {
            cmd.args(["--threads", &k.to_string()]);
        }
        let output = cmd
            .args(["bench", "--profile", "small", "--seed", &a.seed.to_string(), "--json", "--no-cedar", "--no-peers", "--no-whatif", "--no-report"])
            .args(["--contacts", &n.to_string(), "--accounts", &(n / 10).to_string(), "--rows", &(n * 10).to_string()])
            .args(["--queries", "0", "--what-queries", "0", "--progress"])
            .stderr(std::process::Stdio::piped())
            .output()?;
        let err = String::from_utf8_lossy(&output.stderr);
        let phases: Vec<&str> = err.lines().filter(|l| l.starts_with("bench: ")).collect();
        let result = if output.status.success() {
            serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())
        } else {
            let why = err.lines().find(|l| l.contains("memory allocation of")).unwrap_or("").to_string();
            Err(format!(
                "did not finish ({}{}); last phase done: {}",
                output.status,
                if why.is_empty() { String::new() } else { format!(", {why}") },
                phases.last().map_or("none", |l| l.trim_start_matches("bench: "))
            ))
        };
        rows.push((size.label.clone(), result));
    }
    let num = |v: &Value, path: &[&str]| -> f64 {
        let mut cur = v;
        for k in path {
            cur = &cur[*k];
        }
        cur.as_f64().unwrap_or(0.0)
    };
    let projected = projection(&rows, num);
    if a.json {
        let list: Vec<Value> = rows
            .iter()
            .map(|(label, r)| match r {
                Ok(v) => serde_json::json!({ "size": label, "report": v }),
                Err(e) => serde_json::json!({ "size": label, "failed": e }),
            })
            .collect();
        let p = projected.as_ref().map(|p| serde_json::json!({
            "size": "xlarge", "rows": p[0], "load_seconds": p[1], "derive_seconds": p[2], "index_seconds": p[3],
            "peak_rss_bytes": p[4], "method": "linear in rows through the two largest sizes measured"
        }));
        serde_json::to_writer(&mut *out, &serde_json::json!({ "growth": list, "projection": p })).map_err(io_err)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "`{}`", command_line())?;
    writeln!(out)?;
    writeln!(
        out,
        "| size | rows | load | derive | index | peak memory | derived facts | rows x | derive x | memory x |"
    )?;
    writeln!(
        out,
        "|------|------|------|--------|-------|-------------|---------------|--------|----------|----------|"
    )?;
    let mut prev: Option<&Value> = None;
    for (label, r) in &rows {
        let v = match r {
            Ok(v) => v,
            Err(e) => {
                writeln!(out, "| {label} | | | | | | | | | {e} |")?;
                continue;
            }
        };
        let (rws, d, mem) = (num(v, &["tenant", "rows"]), num(v, &["derive_seconds"]), num(v, &["peak_rss_bytes"]));
        let f = |now: f64, before: f64| if before > 0.0 { format!("{:.1}", now / before) } else { String::new() };
        let (rx, dx, mx) = match prev {
            Some(pv) => (
                f(rws, num(pv, &["tenant", "rows"])),
                f(d, num(pv, &["derive_seconds"])),
                f(mem, num(pv, &["peak_rss_bytes"])),
            ),
            None => (String::new(), String::new(), String::new()),
        };
        writeln!(
            out,
            "| {label} | {rws} | {} | {} | {} | {} | {} | {rx} | {dx} | {mx} |",
            secs(num(v, &["load_seconds"])),
            secs(d),
            secs(num(v, &["index_seconds"])),
            bytes(mem as u64),
            num(v, &["derived_facts"]),
        )?;
        prev = Some(v);
    }
    if let Some(p) = projected {
        writeln!(
            out,
            "| xlarge (projected) | {} | {} | {} | {} | {} | | | | |",
            p[0],
            secs(p[1]),
            secs(p[2]),
            secs(p[3]),
            bytes(p[4] as u64)
        )?;
        writeln!(out)?;
        writeln!(
            out,
            "The xlarge row (10,000,000 contacts, 100,000,000 rows) is projected, not measured: each figure \
             on a straight line in rows through the two largest sizes measured."
        )?;
    }
    Ok(())
}

/// The xlarge profile's figures (rows, load, derive, index, peak memory),
/// projected from the two largest sizes measured, when xlarge is larger.
fn projection(rows: &[(String, Result<Value, String>)], num: impl Fn(&Value, &[&str]) -> f64) -> Option<[f64; 5]> {
    let target = Profile::Xlarge.config(1).rows as f64;
    let mut done: Vec<&Value> = rows.iter().filter_map(|(_, r)| r.as_ref().ok()).collect();
    done.sort_by(|x, y| num(x, &["tenant", "rows"]).total_cmp(&num(y, &["tenant", "rows"])));
    let (a, b) = match done.as_slice() {
        [.., a, b] => (*a, *b),
        _ => return None,
    };
    if num(b, &["tenant", "rows"]) >= target {
        return None;
    }
    let line = |path: &[&str]| {
        let points = [(num(a, &["tenant", "rows"]), num(a, path)), (num(b, &["tenant", "rows"]), num(b, path))];
        bench::extrapolate(&points, target)
    };
    Some([target, line(&["load_seconds"])?, line(&["derive_seconds"])?, line(&["index_seconds"])?, line(&["peak_rss_bytes"])?])
}
