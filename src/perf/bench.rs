//! Performance measurement: load, derive, peak memory, query latency, and
//! the same questions asked of the peers (the hand-written propagation, the
//! demand-driven graph checker, Cedar), all in one run.
//!
//! The derivations and checkers are plugged in through [`Derivation`] and
//! [`Checker`], so another implementation is one line in [`derivations`],
//! [`BASELINE`] or [`checkers`].

use crate::perf::cedar::CedarTenant;
use crate::engine::{self, Grants, Visitor};
use crate::error::LoadError;
use crate::perf::generate::{self, GenConfig, GenError, Profile};
use crate::model::{PermId, Privilege, RowId, Tenant};
use crate::answer::query::Target;
use crate::engine::walk::Walker;
use crate::engine::walk_finance::FoWalker;
use portal_access_rules as rules;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};
use thiserror::Error;

/// A derivation: tenant in, the rules' derived relations out.
pub type DeriveFn = fn(&Tenant) -> rules::Derived;

/// A named derivation.
#[derive(Debug, Clone, Copy)]
pub struct Derivation {
    /// Name in reports.
    pub name: &'static str,
    /// The function.
    pub derive: DeriveFn,
    /// Skipped as a peer above this many rows (crepe's memory grows past
    /// the machine's on the large profile).
    pub max_rows: u64,
}

/// The crepe Datalog program over [`engine::facts`].
pub fn crepe_derive(t: &Tenant) -> rules::Derived {
    rules::derive(&engine::facts(t))
}

/// The derivation queries are served from (first) and the others measured
/// beside it; each must return the same relations.
pub fn derivations() -> Vec<Derivation> {
    vec![
        Derivation { name: "fast plan", derive: crate::engine::plan::derive, max_rows: u64::MAX },
        Derivation { name: "crepe", derive: crepe_derive, max_rows: 3_000_000 },
    ]
}

/// The hand-written single-pass propagation the serving derivation is held
/// against (target: serving within 2x of it).
pub const BASELINE: Option<Derivation> =
    Some(Derivation { name: "single pass", derive: crate::engine::baseline::derive, max_rows: u64::MAX });

/// A `can` / `who` checker that answers without the derived grants.
pub trait Checker {
    /// The permissions that let `v` do `p` (not create) to row `x`, sorted
    /// as [`Grants::can`] sorts them; empty when denied.
    fn can(&self, v: Visitor, p: Privilege, x: RowId) -> Vec<PermId>;
    /// Who may do `p` to row `x`: (anonymous may, contacts who may), when supported.
    fn who(&self, p: Privilege, x: RowId) -> Option<(bool, Vec<RowId>)>;
}

/// A named checker builder.
pub struct CheckerKind {
    /// Name in reports.
    pub name: &'static str,
    /// Builds the checker for a tenant.
    pub build: for<'a> fn(&'a Tenant) -> Box<dyn Checker + 'a>,
}

/// The demand-driven graph checker: web roles walked (S1 to S17), then, on
/// a virtual table, the F&O side walked on its own (F6,
/// [`crate::engine::walk_finance`]), as the derived grants answer.
struct GraphChecker<'a> {
    t: &'a Tenant,
    walker: Walker<'a>,
    fo: Option<FoWalker<'a>>,
}

impl GraphChecker<'_> {
    /// The F&O walker, when row `x` is in a virtual table.
    fn fo_at(&self, x: RowId) -> Option<&FoWalker<'_>> {
        self.fo.as_ref().filter(|fo| fo.is_virtual(self.t.table_of(x)))
    }
}

impl Checker for GraphChecker<'_> {
    fn can(&self, v: Visitor, p: Privilege, x: RowId) -> Vec<PermId> {
        let via = self.walker.can(v, p, x);
        match self.fo_at(x) {
            Some(fo) if !fo.portal(v, p, x, !via.is_empty()) => Vec::new(),
            _ => via,
        }
    }
    fn who(&self, p: Privilege, x: RowId) -> Option<(bool, Vec<RowId>)> {
        let (mut anonymous, mut contacts) = self.walker.who(p, x);
        if let Some(fo) = self.fo_at(x) {
            anonymous = fo.portal(Visitor::Anonymous, p, x, anonymous);
            contacts.retain(|&c| fo.portal(Visitor::Contact(c), p, x, true));
        }
        Some((anonymous, contacts))
    }
}

fn walker<'a>(t: &'a Tenant) -> Box<dyn Checker + 'a> {
    Box::new(GraphChecker { t, walker: Walker::new(t), fo: FoWalker::new(t) })
}

/// The checkers compared with the derived grants: the demand-driven graph
/// checker ([`crate::engine::walk::Walker`], with
/// [`crate::engine::walk_finance::FoWalker`] on virtual tables).
pub fn checkers() -> Vec<CheckerKind> {
    vec![CheckerKind { name: "graph checker", build: walker }]
}

/// Why a benchmark could not run.
#[derive(Debug, Error)]
pub enum BenchError {
    /// The tenant failed to load.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The tenant could not be generated.
    #[error(transparent)]
    Generate(#[from] GenError),
    /// A temporary folder could not be made.
    #[error("cannot create a temporary folder: {0}")]
    Temp(std::io::Error),
    /// A pool of threads could not be started.
    #[error("cannot start {0} threads: {1}")]
    Threads(usize, String),
    /// The generator's process failed.
    #[error("generating the tenant failed: {0}")]
    Generator(String),
}

pub use crate::perf::bench_questions::*;

/// What to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// Seed of the questions (and of a generated tenant).
    pub seed: u64,
    /// `can` and `who` questions (each).
    pub queries: usize,
    /// `what` questions.
    pub what_queries: usize,
    /// Ask Cedar too.
    pub cedar: bool,
    /// Skip Cedar above this many rows (its entity store is large).
    pub cedar_max_rows: u64,
    /// Run the other derivations and checkers too.
    pub peers: bool,
    /// Time budget of each latency measurement.
    pub budget: Duration,
    /// Called with a line as each phase ends (the front end prints it).
    pub progress: Option<fn(&str)>,
    /// What-if scenarios in the timed batch (0: no what-if figures).
    pub whatif: usize,
    /// Time `diff` and `test` against their baselines (issue 15; off by default).
    pub pipelines: bool,
    /// Time the security review (`report`) against a full derivation.
    pub report: bool,
    /// Also load the file with one thread and with this many, and report
    /// the speedup (`None`: not asked).
    pub threads: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            queries: 5000,
            what_queries: 500,
            cedar: true,
            cedar_max_rows: 2_000_000,
            peers: true,
            budget: Duration::from_secs(30),
            progress: None,
            whatif: 100,
            pipelines: false,
            report: true,
            threads: None,
        }
    }
}

pub use crate::perf::bench_report::*;


pub use crate::perf::bench_measures::{finance_speed, lint_speed, report_speed};

impl Report {
    /// Load plus derive plus index, seconds.
    pub fn load_and_derive(&self) -> f64 {
        self.load_seconds + self.derive_seconds + self.index_seconds
    }
}

/// Generates a profile's tenant into a temporary folder and measures it.
/// The profile's targets apply only when `cfg` is exactly that profile's
/// sizes; other sizes are reported as `custom`.
pub fn run_profile(cfg: GenConfig, opts: &Options) -> Result<Report, BenchError> {
    run_profile_with(cfg, opts, |cfg, path| generate::generate_file(cfg, path).map(|_| ()).map_err(BenchError::from))
}

/// [`run_profile`], the tenant written by `generate` (the command line
/// runs the generator in a process of its own: generating leaves this
/// process's allocator holding and reusing what it freed, and loads
/// timed after it were about 15% slower than in a fresh process, as a
/// user's command runs).
pub fn run_profile_with(
    cfg: GenConfig,
    opts: &Options,
    generate: impl FnOnce(&GenConfig, &Path) -> Result<(), BenchError>,
) -> Result<Report, BenchError> {
    // The F&O part (`--fo`) comes on top of the profile's sizes.
    let profile = Profile::ALL.into_iter().find(|p| p.config(cfg.seed) == GenConfig { fo: false, ..cfg });
    let dir = tempfile::tempdir().map_err(BenchError::Temp)?;
    let path = dir.path().join(format!("tenant-{}.json", cfg.seed));
    let start = Instant::now();
    generate(&cfg, &path)?;
    // On disk before anything is timed: the system writing back hundreds
    // of megabytes while the load is timed would slow it by a varying
    // amount (a tenant given with `--tenant` is settled already).
    std::fs::File::open(&path)
        .and_then(|f| f.sync_all())
        .map_err(|source| GenError::Write { file: path.display().to_string(), source })?;
    let gen = start.elapsed().as_secs_f64();
    if let Some(f) = opts.progress {
        f(&format!("generate {gen:.2} s"));
    }
    let mut r = run(&path, opts)?;
    r.tenant.profile = Some(profile.map_or("custom", Profile::name).to_string());
    r.tenant.seed = Some(cfg.seed);
    r.tenant.generate_seconds = Some(gen);
    r.targets = targets(&r, profile);
    Ok(r)
}

/// Measures a tenant file.
pub fn run(path: &Path, opts: &Options) -> Result<Report, BenchError> {
    let mut r = Report { machine: machine(), ..Report::default() };
    let file_bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);

    let say = |what: String| {
        if let Some(f) = opts.progress {
            f(&what);
        }
    };
    // A folder keeps what the importer saw beside the tenant, for lint.
    let (t, site) = if path.is_dir() {
        let start = Instant::now();
        let folder = crate::load::site::read(path)?;
        let t = crate::model::build_folder(&folder)?;
        r.load_seconds = start.elapsed().as_secs_f64();
        (t, Some(folder.site))
    } else {
        // The load and its anchor each timed `runs` times, alternately,
        // the best of each kept: on a shared machine one run of either can
        // be slowed by a neighbour. Only the last load is held, so the peak
        // memory is one load's.
        let runs = if file_bytes < 100 << 20 { 3 } else { 2 };
        let mut bare = bare_parse(path)?;
        say(format!("bare parse (read + IgnoredAny) {bare:.2} s"));
        let (mut t, mut load) = timed_load(path)?;
        say(format!("load {:.2} s", load.seconds()));
        for _ in 1..runs {
            drop(t);
            let b = bare_parse(path)?;
            say(format!("bare parse (read + IgnoredAny) {b:.2} s"));
            bare = bare.min(b);
            let (next, speed) = timed_load(path)?;
            say(format!("load {:.2} s", speed.seconds()));
            if speed.seconds() < load.seconds() {
                load = speed;
            }
            t = next;
        }
        load.runs = runs;
        load.bare_parse_seconds = bare;
        r.load_seconds = load.seconds();
        load.ratio = r.load_seconds / bare.max(1e-9);
        load.bytes_per_second = file_bytes as f64 / r.load_seconds.max(1e-9);
        load.bare_bytes_per_second = file_bytes as f64 / bare.max(1e-9);
        r.load = Some(load);
        (t, None)
    };
    say(format!("load {:.2} s, peak {}", r.load_seconds, bytes(peak_rss().unwrap_or(0))));
    r.tenant = TenantInfo {
        source: path.display().to_string(),
        folder: site.is_some(),
        file_bytes,
        rows: u64::from(t.row_count()),
        contacts: u64::from(t.contacts().end - t.contacts().start),
        accounts: t.tables.get(t.account_table as usize).map_or(0, |tb| tb.ids.len() as u64),
        links: t.links.len() as u64,
        permissions: t.permissions.len() as u64,
        roles: t.roles.len() as u64,
        ..TenantInfo::default()
    };

    let ds = derivations();
    let serving = ds[0];
    let start = Instant::now();
    let derived = (serving.derive)(&t);
    r.derive_seconds = start.elapsed().as_secs_f64();
    r.derivations.push(DeriveTime {
        name: serving.name.to_string(),
        seconds: r.derive_seconds,
        agrees: true,
        skipped: None,
    });
    say(format!("derive ({}) {:.2} s, peak {}", serving.name, r.derive_seconds, bytes(peak_rss().unwrap_or(0))));
    let start = Instant::now();
    let grants = Grants::index(&t, derived);
    r.index_seconds = start.elapsed().as_secs_f64();
    r.derived_facts = grants.fact_count() as u64;
    let d = &grants.derived;
    r.derived_by_relation = [
        ("CandAnon", d.cand_anon.len()),
        ("CandAll", d.cand_all.len()),
        ("CandRole", d.cand_role.len()),
        ("InAll", d.in_all.len()),
        ("InG", d.in_g.len()),
        ("InC", d.in_c.len()),
        ("InA", d.in_a.len()),
        ("ContactGrant", d.contact_grant.len()),
        ("AccountGrant", d.account_grant.len()),
        ("AccountMemberGrant", d.account_member_grant.len()),
        ("CreateAnon", d.create_anon.len()),
        ("CreateAll", d.create_all.len()),
        ("CreateRole", d.create_role.len()),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_string(), n as u64))
    .collect();
    r.peak_rss_bytes = peak_rss().unwrap_or(0);
    say(format!("index {:.2} s, peak {}", r.index_seconds, bytes(r.peak_rss_bytes)));

    if opts.peers {
        for d in ds.iter().skip(1).chain(BASELINE.iter()) {
            let dt = if r.tenant.rows > d.max_rows {
                let why = format!("{} rows is over its limit of {} rows", r.tenant.rows, d.max_rows);
                DeriveTime { name: d.name.to_string(), seconds: 0.0, agrees: true, skipped: Some(why) }
            } else {
                let start = Instant::now();
                let other = (d.derive)(&t);
                let seconds = start.elapsed().as_secs_f64();
                let agrees = other == grants.derived;
                drop(other);
                say(format!("derive ({}) {seconds:.2} s", d.name));
                DeriveTime { name: d.name.to_string(), seconds, agrees, skipped: None }
            };
            if BASELINE.is_some_and(|b| b.name == d.name) {
                r.baseline = Some(dt);
            } else {
                r.derivations.push(dt);
            }
        }
    }

    let q = questions(&t, opts.seed, opts.queries, opts.queries, opts.what_queries);
    let budget = opts.budget;
    let ask = |c: &CanQuestion| match c.target {
        Target::Row(x) => grants.can(&t, c.visitor, c.privilege, x),
        Target::Table(tb) => grants.can_create(&t, c.visitor, tb),
    };
    let mut allowed = 0usize;
    r.can = time_each(&q.can, budget, ask, |_, via| {
        allowed += usize::from(!via.is_empty());
        via.len()
    });
    r.can_allowed = if r.can.n == 0 { 0.0 } else { allowed as f64 / r.can.n as f64 };
    let rows_q: Vec<(Visitor, Privilege, RowId)> = q
        .can
        .iter()
        .filter_map(|c| match c.target {
            Target::Row(x) => Some((c.visitor, c.privilege, x)),
            Target::Table(_) => None,
        })
        .collect();
    r.can_rows = time_each(&rows_q, budget, |&(v, p, x)| grants.can(&t, v, p, x), |_, via| via.len());
    r.who = time_each(&q.who, budget, |&(p, x)| grants.who(&t, p, x), |_, w| w.1.len());
    r.what = time_each(&q.what, budget, |&(v, p)| grants.what(&t, v, p, None), |_, w| w.len());
    // Channels (channels.md): `exposure` for both outsiders, then `columns`.
    let a = crate::answer::query::Analysis::with_grants(t, grants);
    (r.lint_seconds, r.lint_findings) = lint_speed(&a, site);
    say(format!("lint {:.2} ms, {} findings", r.lint_seconds * 1e3, r.lint_findings));
    let start = Instant::now();
    let exposed = a.exposure(None).map(|e| e.visitors.iter().map(|v| v.tables.len()).sum::<usize>()).unwrap_or(0);
    r.exposure_seconds = start.elapsed().as_secs_f64();
    say(format!("exposure (anonymous and newcomer) {:.3} s, {exposed} tables", r.exposure_seconds));
    let ps = crate::perf::patterns_speed::pattern_speed(&a.tenant, r.derive_seconds + r.index_seconds);
    say(format!("patterns {:.2} ms for {} ({} possible), {:.4}x a full derivation", ps.seconds * 1e3, ps.patterns, ps.possible, ps.ratio));
    r.patterns = Some(ps);
    if !a.tenant.surfaces.pages.is_empty() {
        let contacts: Vec<Visitor> = q.what.iter().map(|w| w.0).filter(|v| matches!(v, Visitor::Contact(_))).take(200).collect();
        let s = crate::perf::bench_surfaces::surfaces_speed(&a, &contacts, r.can.median_ns, budget);
        say(format!("reach {:.2}x what (six privileges), who open {:.2}x can", s.reach_ratio, s.who_open_ratio));
        r.surfaces = Some(s);
    }
    let (t, grants) = (&a.tenant, &a.grants);
    let ci = a.channel_index();
    r.columns = time_each(
        &rows_q,
        budget,
        |&(v, _, x)| {
            let o = crate::engine::channels::Outsider::Visitor(v);
            let tb = t.table_of(x);
            let rd = !ci.can(t, grants, o, Privilege::Read, x).is_empty();
            let wr = !ci.can(t, grants, o, Privilege::Write, x).is_empty();
            let read = if rd { ci.read_columns(o, tb) } else { Vec::new() };
            let update = if wr { ci.update_columns(o, tb) } else { Vec::new() };
            (read, update)
        },
        |_, c| c.0.len() + c.1.len(),
    );
    if !q.can.is_empty() {
        say("queries timed".to_string());
    }
    r.finance = finance_speed(&a, r.derive_seconds + r.index_seconds, &rows_q, opts.seed, opts.queries, budget);
    if let Some(f) = &r.finance {
        say(format!("bypass {:.3} s ({} lines), can on virtual rows timed", f.bypass_seconds, f.bypass_lines));
    }

    if opts.peers {
        for k in checkers() {
            let start = Instant::now();
            let ch = (k.build)(t);
            let build_seconds = start.elapsed().as_secs_f64();
            let mut disagreements = 0usize;
            let can = time_each(
                &rows_q,
                budget,
                |&(v, p, x)| ch.can(v, p, x),
                |&(v, p, x), via| {
                    disagreements += usize::from(via != grants.can(t, v, p, x));
                    via.len()
                },
            );
            let who = if q.who.first().is_some_and(|&(p, x)| ch.who(p, x).is_some()) {
                Some(time_each(
                    &q.who,
                    budget,
                    |&(p, x)| ch.who(p, x),
                    |&(p, x), w| {
                        disagreements += usize::from(w.as_ref() != Some(&grants.who(t, p, x)));
                        w.map_or(0, |w| w.1.len())
                    },
                ))
            } else {
                None
            };
            say(format!("{} {build_seconds:.2} s to build, queries timed", k.name));
            r.checkers.push(CheckerReport { name: k.name.to_string(), build_seconds, can, who, disagreements });
        }
    }

    r.cedar = if !opts.cedar {
        CedarReport { skipped: Some("not asked (--no-cedar)".to_string()), ..CedarReport::default() }
    } else if r.tenant.rows > opts.cedar_max_rows {
        CedarReport {
            skipped: Some(format!(
                "{} rows is over the Cedar limit of {} rows (its entity store would not fit; raise it with --cedar-max-rows)",
                r.tenant.rows, opts.cedar_max_rows
            )),
            ..CedarReport::default()
        }
    } else {
        cedar_report(t, grants, &q, budget)
    };
    let full = r.derive_seconds + r.index_seconds;
    if opts.report {
        let rs = report_speed(&a, full);
        say(format!("report {:.3} s ({:.2}x full derivation)", rs.seconds, rs.ratio));
        r.report = Some(rs);
    }
    if opts.whatif > 0 {
        let w = crate::answer::whatif::speed::measure(&a, full, opts.whatif);
        say(format!("what-if: one scenario {:.3} s, {} scenarios {:.2} s", w.one_median_seconds, w.batch_scenarios, w.batch_seconds));
        r.whatif = Some(w);
    }
    if opts.pipelines {
        let p = crate::perf::pipelines::measure(path).map_err(|e| match e {
            crate::perf::pipelines::PipelineError::Load(l) => BenchError::Load(l),
            crate::perf::pipelines::PipelineError::Temp(t) => BenchError::Temp(t),
        })?;
        say(format!("pipelines: diff {:.2}x, test {:.2}x", p.diff_ratio, p.test_ratio));
        r.pipelines = Some(p);
    }
    r.peak_rss_end_bytes = peak_rss().unwrap_or(0);
    drop(a);
    if let (Some(n), false) = (opts.threads, path.is_dir()) {
        let s = thread_speedup(path, n)?;
        say(format!("load with 1 thread {:.2} s, with {n} {:.2} s: {:.2}x", s.one_thread_seconds, s.threads_seconds, s.speedup));
        r.threads = Some(s);
    }
    r.targets = targets(&r, None);
    Ok(r)
}

/// The value at `x` of the straight line through the two points (the
/// growth table's projection); `None` when they share their `x`.
pub fn extrapolate(points: &[(f64, f64); 2], x: f64) -> Option<f64> {
    let [(x0, y0), (x1, y1)] = *points;
    if x1 == x0 {
        return None;
    }
    Some(y1 + (y1 - y0) / (x1 - x0) * (x - x1))
}

/// Seconds to read `path` and parse it into nothing (serde_json's
/// `IgnoredAny`): the physical anchor of the load.
pub fn bare_parse(path: &Path) -> Result<f64, LoadError> {
    let file = path.display().to_string();
    let start = Instant::now();
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::Read { file: file.clone(), reason: e.to_string() })?;
    let mut de = serde_json::Deserializer::from_str(&text);
    let parsed = <serde::de::IgnoredAny as serde::Deserialize>::deserialize(&mut de).and_then(|_| de.end());
    let seconds = start.elapsed().as_secs_f64();
    black_box(parsed.is_ok());
    drop(text);
    Ok(seconds)
}

/// Loads a tenant file as [`crate::model::load`] does, timing each phase.
pub fn timed_load(path: &Path) -> Result<(Tenant, LoadSpeed), LoadError> {
    let file = path.display().to_string();
    let mut s = LoadSpeed { threads: rayon::current_num_threads(), ..LoadSpeed::default() };
    let start = Instant::now();
    let text = crate::load::files::read_text(path)?;
    s.read_seconds = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let raw = crate::load::native::parse_native(&text, &file);
    crate::load::files::release(text);
    let raw = raw?;
    s.parse_seconds = start.elapsed().as_secs_f64();
    s.row_bytes = raw.rows.0.iter().map(|t| t.heap_bytes() as u64).sum();
    let start = Instant::now();
    let t = Tenant::build(raw, &file)?;
    s.build_seconds = start.elapsed().as_secs_f64();
    Ok((t, s))
}

/// The load of `path` with one thread and with `n`, alternately, best of
/// three for files under 100 MiB, else of one.
pub fn thread_speedup(path: &Path, n: usize) -> Result<ThreadSpeedup, BenchError> {
    let pool = |k: usize| rayon::ThreadPoolBuilder::new().num_threads(k).build().map_err(|e| BenchError::Threads(k, e.to_string()));
    let (one, many) = (pool(1)?, pool(n)?);
    let runs = if std::fs::metadata(path).map_or(0, |m| m.len()) < 100 << 20 { 3 } else { 1 };
    let (mut t1, mut tn) = (f64::INFINITY, f64::INFINITY);
    let (mut best1, mut bestn) = (LoadSpeed::default(), LoadSpeed::default());
    let mut same_tenant = true;
    for _ in 0..runs {
        let (a, s1) = one.install(|| timed_load(path))?;
        if s1.seconds() < t1 {
            t1 = s1.seconds();
            best1 = s1;
        }
        let print = |t: &Tenant| (t.raw.clone(), t.links.clone(), t.contact_members.clone(), t.account_members.clone(), t.dangling.clone());
        let first = print(&a);
        drop(a);
        let (b, sn) = many.install(|| timed_load(path))?;
        if sn.seconds() < tn {
            tn = sn.seconds();
            bestn = sn;
        }
        same_tenant &= first == print(&b);
    }
    Ok(ThreadSpeedup {
        threads: n,
        one_thread_seconds: t1,
        threads_seconds: tn,
        speedup: t1 / tn.max(1e-9),
        one_thread: best1,
        with_threads: bestn,
        runs,
        same_tenant,
    })
}

fn cedar_report(t: &Tenant, grants: &Grants, q: &Questions, budget: Duration) -> CedarReport {
    let start = Instant::now();
    let ct = match CedarTenant::encode(t, &grants.derived) {
        Ok(c) => c,
        Err(e) => return CedarReport { skipped: Some(e.to_string()), ..CedarReport::default() },
    };
    let encode_seconds = start.elapsed().as_secs_f64();
    let mut reqs = Vec::new();
    let mut disagreements = 0;
    for c in &q.can {
        match (c.target, ct.request(t, c.visitor, c.privilege, c.target)) {
            (Target::Row(x), Ok(req)) => reqs.push(((c.visitor, c.privilege, x), req)),
            (Target::Row(_), Err(_)) => disagreements += 1,
            (Target::Table(_), _) => {}
        }
    }
    let mut errors = 0;
    // Timed: the decision. Untimed: the granting policies, compared with `can`.
    let can = time_each(
        &reqs,
        budget,
        |(_, req)| ct.allowed(req),
        |((v, p, x), req), allowed| {
            let (_, via, errs) = ct.decide(t, req);
            errors += errs;
            // Cedar encodes the web roles (S16) only, not the F&O side (F6).
            let want = grants.base_can(t, *v, *p, *x);
            let granted = !want.is_empty();
            disagreements += usize::from(allowed != granted || (allowed && via != want));
            usize::from(allowed)
        },
    );
    // Create questions (table-level, S17) are checked too, untimed.
    for c in &q.can {
        if let Target::Table(tb) = c.target {
            let got = ct.can(t, c.visitor, c.privilege, c.target).ok();
            disagreements += usize::from(got != Some(grants.base_can_create(t, c.visitor, tb)));
        }
    }
    CedarReport {
        skipped: None,
        encode_seconds,
        entities: ct.entity_count(),
        policies: ct.policy_count(),
        derived_permissions: ct.derived_permissions().iter().map(|&n| t.permissions[n as usize].id.clone()).collect(),
        can,
        disagreements,
        errors,
    }
}

pub use crate::perf::bench_targets::{bytes, nanos, targets};
