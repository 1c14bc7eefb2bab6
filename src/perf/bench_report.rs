//! The figures a `bench` run reports, as the JSON and text front ends read
//! them. Apart from `bench.rs`, which measures them.

use crate::perf::bench_questions::{Latency, Machine};
use serde::Serialize;

/// The tenant measured.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TenantInfo {
    /// File read.
    pub source: String,
    /// Whether the source is a tenant folder (a site download).
    pub folder: bool,
    /// Profile, when generated.
    pub profile: Option<String>,
    /// Seed, when generated.
    pub seed: Option<u64>,
    /// Seconds to generate, when generated.
    pub generate_seconds: Option<f64>,
    /// File size.
    pub file_bytes: u64,
    /// All rows.
    pub rows: u64,
    /// Contact rows.
    pub contacts: u64,
    /// Account rows.
    pub accounts: u64,
    /// Resolved links (lookups and association pairs).
    pub links: u64,
    /// Table permissions.
    pub permissions: u64,
    /// Web roles.
    pub roles: u64,
}

/// One derivation's time.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeriveTime {
    /// Name.
    pub name: String,
    /// Seconds.
    pub seconds: f64,
    /// Whether its relations equal the serving derivation's.
    pub agrees: bool,
    /// Set when it was not run, with the reason.
    pub skipped: Option<String>,
}

/// A checker's figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CheckerReport {
    /// Name.
    pub name: String,
    /// Seconds to build it.
    pub build_seconds: f64,
    /// `can` latency (row questions).
    pub can: Latency,
    /// `who` latency, when supported.
    pub who: Option<Latency>,
    /// Questions whose answer differed from the derived grants.
    pub disagreements: usize,
}

/// Cedar's figures.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CedarReport {
    /// Set when Cedar was not asked, with the reason.
    pub skipped: Option<String>,
    /// Seconds to encode entities and policies.
    pub encode_seconds: f64,
    /// Entities.
    pub entities: usize,
    /// Policies.
    pub policies: usize,
    /// Permissions whose scope is a derived attribute.
    pub derived_permissions: Vec<String>,
    /// `can` latency (`is_authorized`; requests built beforehand).
    pub can: Latency,
    /// Questions whose decision or granting permissions differed.
    pub disagreements: usize,
    /// Policy evaluation errors Cedar reported (expected: 0).
    pub errors: usize,
}

/// A target of the issue, and whether it was met.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TargetCheck {
    /// What is measured.
    pub name: String,
    /// The target, in words.
    pub target: String,
    /// The measured value, in words.
    pub measured: String,
    /// Met, missed, or not measurable in this run (`None`).
    pub met: Option<bool>,
    /// How far off, when missed.
    pub note: String,
}

/// How fast a tenant file loads, phase by phase, against the physical
/// anchor: reading the same file and parsing it into nothing.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct LoadSpeed {
    /// Threads the load could use.
    pub threads: usize,
    /// Seconds to read the file into memory.
    pub read_seconds: f64,
    /// Seconds to parse it into the raw tenant (rows straight into their
    /// compact tables).
    pub parse_seconds: f64,
    /// Seconds to validate and intern it (row index, lookups, configuration).
    pub build_seconds: f64,
    /// Seconds to read the same file and parse it with serde_json into
    /// `IgnoredAny` (a byte scan that builds nothing), in the same run.
    pub bare_parse_seconds: f64,
    /// Load (read + parse + build) over the bare parse.
    pub ratio: f64,
    /// File bytes per second of the load.
    pub bytes_per_second: f64,
    /// File bytes per second of the bare parse.
    pub bare_bytes_per_second: f64,
    /// Memory held by the raw tenant's rows (ids, encoded fields), bytes.
    pub row_bytes: u64,
    /// Loads and bare parses timed (the best of each is reported).
    pub runs: usize,
}

impl LoadSpeed {
    /// The whole load: read, parse and build.
    pub fn seconds(&self) -> f64 {
        self.read_seconds + self.parse_seconds + self.build_seconds
    }
}

/// The load with one thread against the load with several, same run.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ThreadSpeedup {
    /// Threads of the second load.
    pub threads: usize,
    /// Seconds with one thread (best of the runs).
    pub one_thread_seconds: f64,
    /// Seconds with `threads` threads (best of the runs).
    pub threads_seconds: f64,
    /// `one_thread_seconds / threads_seconds`.
    pub speedup: f64,
    /// Phases of the best one-thread load.
    pub one_thread: LoadSpeed,
    /// Phases of the best load with `threads` threads.
    pub with_threads: LoadSpeed,
    /// Loads timed per thread count.
    pub runs: usize,
    /// Whether both loads gave the same tenant (rows, links, memberships).
    pub same_tenant: bool,
}

/// Everything one `bench` run measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// The machine.
    pub machine: Machine,
    /// The tenant.
    pub tenant: TenantInfo,
    /// Seconds to read, parse and validate the file.
    pub load_seconds: f64,
    /// The load phase by phase, against a bare parse (files only).
    pub load: Option<LoadSpeed>,
    /// The load with one thread against several (`None`: not asked).
    pub threads: Option<ThreadSpeedup>,
    /// Seconds of the serving derivation.
    pub derive_seconds: f64,
    /// Seconds to index the derived relations for answers.
    pub index_seconds: f64,
    /// Peak memory after load, derive and index (`VmHWM`, process-wide).
    pub peak_rss_bytes: u64,
    /// Peak memory at the end of the run (peers included).
    pub peak_rss_end_bytes: u64,
    /// Derived facts (factored grants and scopes).
    pub derived_facts: u64,
    /// Derived facts per relation.
    pub derived_by_relation: Vec<(String, u64)>,
    /// Every derivation measured, serving first.
    pub derivations: Vec<DeriveTime>,
    /// The hand-written propagation, when present.
    pub baseline: Option<DeriveTime>,
    /// `can` latency (row and create questions).
    pub can: Latency,
    /// Share of `can` questions allowed.
    pub can_allowed: f64,
    /// `who` latency.
    pub who: Latency,
    /// `what` latency.
    pub what: Latency,
    /// `can` latency on the row questions only (what the peers are asked).
    pub can_rows: Latency,
    /// Checkers (the demand-driven graph checker).
    pub checkers: Vec<CheckerReport>,
    /// Cedar.
    pub cedar: CedarReport,
    /// Seconds of `lint` on the built tenant (its derivation done; the
    /// channel index, and for a site folder the template scan, included).
    pub lint_seconds: f64,
    /// Findings of that lint.
    pub lint_findings: usize,
    /// Seconds of `exposure` for both outsiders (channel index included).
    pub exposure_seconds: f64,
    /// Latency of `columns` (C6, C7) on the row questions of `can`.
    pub columns: Latency,
    /// What-if scenarios against a full derivation (`None`: not asked).
    pub whatif: Option<crate::answer::whatif::speed::WhatIfSpeed>,
    /// `diff` and `test` against their baselines (`None`: not asked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipelines: Option<crate::perf::pipelines::PipelineSpeed>,
    /// The security review against a full derivation (`None`: not asked).
    pub report: Option<ReportSpeed>,
    /// `bypass` and `can` on virtual-table rows (`None`: no F&O section).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finance: Option<FinanceSpeed>,
    /// Every class's access patterns against a full derivation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patterns: Option<crate::perf::patterns_speed::PatternSpeed>,
    /// `reach` and `who open` (surfaces.md; `None`: the tenant has no pages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surfaces: Option<crate::perf::bench_surfaces::SurfacesSpeed>,
    /// The targets.
    pub targets: Vec<TargetCheck>,
}

/// `report` timed on the loaded tenant: findings, outsiders, the matrix and
/// the HTML page with its forest picture (everything but the load and the
/// derivation it shares with every command).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ReportSpeed {
    /// Seconds to build and render the report.
    pub seconds: f64,
    /// One full derivation (derive + index), seconds, measured in this run.
    pub full_derive_seconds: f64,
    /// `seconds / full_derive_seconds`.
    pub ratio: f64,
    /// Size of the HTML page.
    pub bytes: u64,
    /// Findings in it.
    pub findings: usize,
}

/// The F&O figures (finance-operations.md) of a tenant with a
/// `finance_operations` section.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FinanceSpeed {
    /// Visitors with an F&O user (F2).
    pub visitors_with_user: usize,
    /// Rows of virtual tables (F1).
    pub virtual_rows: u64,
    /// Seconds of `bypass` for every visitor (F8; its lines built, not
    /// printed), the median of three runs.
    pub bypass_seconds: f64,
    /// Lines of that answer: (visitor, row) pairs in some bypass.
    pub bypass_lines: usize,
    /// One full derivation (derive + index), seconds, measured in this run.
    pub full_derive_seconds: f64,
    /// `bypass_seconds / full_derive_seconds`.
    pub bypass_ratio: f64,
    /// `can` on virtual-table rows (F6 on top of S16).
    pub can_virtual: Latency,
    /// Share of those questions allowed.
    pub can_virtual_allowed: f64,
    /// `can` on ordinary rows: the row questions of `can` off virtual tables.
    pub can_ordinary: Latency,
    /// `can_virtual` median over `can_ordinary` median.
    pub can_ratio: f64,
}
