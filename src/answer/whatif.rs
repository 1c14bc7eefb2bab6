//! What-if change sets (spec `whatif.md`): the grants (S25) a tenant would
//! gain and lose under each scenario of a change document, and `apply`,
//! which writes the edited tenant.
//!
//! Pipeline: [`load_changes`] parses and shape-checks a document (errors name
//! the file and the JSON path); [`build_scenario`] applies a scenario's
//! changes, in order, to a clone of the tenant's raw form and validates the
//! result with [`Tenant::build`]; [`WhatIf::diff`] compares the factored
//! derivations of the base (derived once) and of the edited tenant (derived
//! only for the permission trees the changes can affect), expanding only
//! what differs. The tenant file is never written.

mod apply;
mod changes;
mod diff;
mod newcomer;
mod names;
mod finance;
pub mod speed;

pub use apply::{apply_changes, build_scenario, ChangeError, Effect};
pub use changes::{
    load_changes, name_from_file, parse_changes, ActiveTarget, Change, ChangeSet, Member, RowRef, Scenario,
    ScopeChange, CHANGES_FORMAT,
};
pub use diff::GrantDiff;

use crate::engine::Visitor;
use crate::error::LoadError;
use crate::model::{Privilege, Tenant};
use crate::answer::query::{Analysis, GrantLine};
use diff::{Cand, IdDiff, RowOrder, Side, SideIndex, Target};
use newcomer::NewcomerGrant;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use crate::answer::patterns::{Keyed, PatternDiff};
use crate::engine::patterns::{Class, Patterns};
use thiserror::Error;

/// A base tenant, derived once, against which scenarios are evaluated.
pub struct WhatIf<'a> {
    base: &'a Analysis,
    ix: SideIndex,
    order: OnceLock<RowOrder>,
    /// The base's keyed patterns, built once for every scenario (A9).
    patterns: OnceLock<Keyed>,
}

/// Counts of one scenario's answer.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Number of grants gained.
    pub gained: usize,
    /// Number of grants lost.
    pub lost: usize,
    /// Number of distinct visitors (contacts or `anonymous`) that gain or lose a grant.
    pub visitors_affected: usize,
}

/// One scenario's answer (whatif.md, "Answer").
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ScenarioAnswer {
    /// The scenario name.
    pub name: String,
    /// Whether the scenario applied.
    pub ok: bool,
    /// Grants gained, sorted by visitor, privilege, target (when `ok`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gained: Option<Vec<GrantLine>>,
    /// Grants lost, sorted likewise (when `ok`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost: Option<Vec<GrantLine>>,
    /// Counts (when `ok`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
    /// Why the scenario failed: `change N: reason` (when not `ok`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The newcomer's grants (channels.md C9), when registration is open
    /// in either tenant (whatif.md "Newcomer grants").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newcomer: Option<NewcomerChanges>,
    /// The possible patterns gained and lost (patterns.md A9), with or
    /// without rows (when `ok`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patterns: Option<PatternDiff>,
    /// The site records either tenant dropped on load (PP044): the answer
    /// may miss grants.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub incomplete: Vec<String>,
}

/// The site records `a` or `b` dropped on load (PP044), sorted, once each.
pub fn incomplete_of(a: &Tenant, b: &Tenant) -> Vec<String> {
    let mut v: Vec<String> = a.raw.unreadable.iter().chain(&b.raw.unreadable).map(|u| u.text()).collect();
    v.sort();
    v.dedup();
    v
}

/// What anyone who signs up would gain and lose (whatif.md "Newcomer grants").
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct NewcomerChanges {
    /// Grants gained, sorted by privilege, then target.
    pub gained: Vec<NewcomerLine>,
    /// Grants lost, sorted likewise.
    pub lost: Vec<NewcomerLine>,
}

/// One grant of the newcomer: an S25 grant without its `visitor` key.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct NewcomerLine {
    /// Privilege name.
    pub privilege: String,
    /// `TABLE:ID` for row privileges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// Table for create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
}

impl NewcomerLine {
    fn of(t: &Tenant, (p, target): NewcomerGrant) -> NewcomerLine {
        let (row, table) = match target {
            Target::Row(x) => (Some(t.row_ref(x)), None),
            Target::Table(tb) => (None, Some(t.tables[tb as usize].name.clone())),
        };
        NewcomerLine { privilege: p.name().to_string(), row, table }
    }
}

/// The answer of `whatif`: every scenario of every change document, in order.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WhatIfAnswer {
    /// The scenarios.
    pub scenarios: Vec<ScenarioAnswer>,
}

/// Whether a pattern difference shows that kind of change (A9): any
/// pattern gained or lost, of every class; the anonymous visitor's gains;
/// the anonymous visitor's or the newcomer's gains.
fn patterns_show(d: &PatternDiff, kind: FailOn) -> bool {
    match kind {
        FailOn::Gained => !d.gained.is_empty(),
        FailOn::Lost => !d.lost.is_empty(),
        FailOn::Anonymous => d.gains(Class::Anonymous),
        FailOn::Anyone => d.gains(Class::Anonymous) || d.gains(Class::Newcomer),
    }
}

/// A kind of change that `--fail-on` turns into exit code 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    /// Any grant gained.
    Gained,
    /// Any grant lost.
    Lost,
    /// Any grant gained by the anonymous visitor.
    Anonymous,
    /// Any grant gained by the anonymous visitor or by the newcomer (C10).
    Anyone,
}

impl ScenarioAnswer {
    fn failed(name: &str, e: &ChangeError) -> ScenarioAnswer {
        ScenarioAnswer {
            name: name.to_string(),
            ok: false,
            gained: None,
            lost: None,
            summary: None,
            error: Some(e.to_string()),
            newcomer: None,
            patterns: None,
            incomplete: Vec::new(),
        }
    }

    /// Whether this scenario shows that kind of change.
    pub fn shows(&self, kind: FailOn) -> bool {
        let none: &[GrantLine] = &[];
        let gained = self.gained.as_deref().unwrap_or(none);
        let grants = match kind {
            FailOn::Gained => !gained.is_empty(),
            FailOn::Lost => !self.lost.as_deref().unwrap_or(none).is_empty(),
            FailOn::Anonymous => gained.iter().any(|g| g.visitor == "anonymous"),
            FailOn::Anyone => {
                gained.iter().any(|g| g.visitor == "anonymous")
                    || self.newcomer.as_ref().is_some_and(|n| !n.gained.is_empty())
            }
        };
        grants || self.patterns.as_ref().is_some_and(|d| patterns_show(d, kind))
    }
}

impl<'a> WhatIf<'a> {
    /// Prepares the base tenant (its grants are already derived).
    pub fn new(base: &'a Analysis) -> WhatIf<'a> {
        WhatIf {
            base,
            ix: SideIndex::new(&base.tenant, &base.grants, diff::roots(&base.tenant)),
            order: OnceLock::new(),
            patterns: OnceLock::new(),
        }
    }

    fn side(&self) -> Side<'_> {
        Side { t: &self.base.tenant, g: &self.base.grants, ix: &self.ix }
    }

    fn lines(t: &Tenant, cands: &[Cand]) -> Vec<GrantLine> {
        cands.iter().map(|&c| diff::line(t, c)).collect()
    }

    /// The grant difference between the base and `edited`, where `effect`
    /// says what the changes touched (from [`build_scenario`]).
    pub fn diff(&self, edited: &Tenant, effect: &Effect) -> GrantDiff {
        let d = diff::diff(self.side(), &self.order, edited, effect, false);
        GrantDiff { gained: Self::lines(edited, &d.gained), lost: Self::lines(&self.base.tenant, &d.lost) }
    }

    /// The same difference, deriving the whole edited tenant rather than the
    /// affected permission trees (slower; for cross-checking).
    pub fn diff_full(&self, edited: &Tenant) -> GrantDiff {
        let d = diff::diff(self.side(), &self.order, edited, &Effect { data: true, ..Effect::default() }, true);
        GrantDiff { gained: Self::lines(edited, &d.gained), lost: Self::lines(&self.base.tenant, &d.lost) }
    }

    /// Applies one scenario and computes its difference, keeping the grant
    /// lists as ids until they are printed.
    pub fn outcome(&self, scenario: &Scenario) -> Outcome<'_> {
        let result = build_scenario(&self.base.tenant, scenario).map(|(edited, effect)| {
            let d = diff::diff(self.side(), &self.order, &edited, &effect, false);
            (edited, d)
        });
        let patterns = result.as_ref().ok().map(|(edited, _)| self.pattern_diff(edited));
        Outcome { name: scenario.name.clone(), base: &self.base.tenant, result, patterns }
    }

    /// The pattern difference between the base and `edited` (A9).
    fn pattern_diff(&self, edited: &Tenant) -> PatternDiff {
        let base = self.patterns.get_or_init(|| Keyed::new(&self.base.tenant, self.base.patterns()));
        PatternDiff::of(base, &Keyed::new(edited, &Patterns::derive(edited)))
    }

    /// Compares the base with `other`, a tenant built on its own (another
    /// checkout of the same site), where `effect` says what may differ
    /// between them (`effect_between` of the `diff` answer), as if
    /// `other` were the base edited by a scenario named `name`.
    pub fn outcome_against(&self, name: &str, other: Tenant, effect: &Effect) -> Outcome<'_> {
        let d = diff::diff(self.side(), &self.order, &other, effect, false);
        let patterns = Some(self.pattern_diff(&other));
        Outcome { name: name.to_string(), base: &self.base.tenant, result: Ok((other, d)), patterns }
    }

    /// Applies one scenario and answers it.
    pub fn run(&self, scenario: &Scenario) -> ScenarioAnswer {
        self.outcome(scenario).answer()
    }

    /// Answers every scenario of every document, in order.
    pub fn run_all(&self, sets: &[ChangeSet]) -> WhatIfAnswer {
        WhatIfAnswer { scenarios: sets.iter().flat_map(|s| &s.scenarios).map(|s| self.run(s)).collect() }
    }
}

/// One scenario's outcome before printing: the edited tenant and the grant
/// lists as ids (gained in the edited tenant's, lost in the base's), printed
/// on demand, so that a large answer costs a few bytes per grant.
pub struct Outcome<'w> {
    name: String,
    base: &'w Tenant,
    result: Result<(Tenant, IdDiff), ChangeError>,
    patterns: Option<PatternDiff>,
}

fn visitor_name(t: &Tenant, v: Visitor) -> &str {
    match v {
        Visitor::Anonymous => "anonymous",
        Visitor::Contact(c) => t.row_name(c),
    }
}

/// Writes `parts` joined as one JSON string.
fn json_string(out: &mut dyn Write, parts: &[&str]) -> io::Result<()> {
    let plain = |s: &str| s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\');
    if parts.iter().all(|p| plain(p)) {
        out.write_all(b"\"")?;
        for p in parts {
            out.write_all(p.as_bytes())?;
        }
        out.write_all(b"\"")
    } else {
        serde_json::to_writer(&mut *out, &parts.concat()).map_err(io::Error::from)
    }
}

impl Outcome<'_> {
    /// The scenario name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the scenario applied.
    pub fn ok(&self) -> bool {
        self.result.is_ok()
    }

    /// Why the scenario could not be applied.
    pub fn error(&self) -> Option<&ChangeError> {
        self.result.as_ref().err()
    }

    /// The counts (when the scenario applied).
    pub fn summary(&self) -> Option<Summary> {
        let (edited, d) = self.result.as_ref().ok()?;
        // Lists are sorted by visitor (in the string order of their names)
        // first: distinct visitors are runs, and the two lists' runs merge.
        fn runs<'t>(t: &'t Tenant, list: &[Cand]) -> Vec<&'t str> {
            let mut out: Vec<&str> = Vec::new();
            let mut last = None;
            for &(v, _, _) in list {
                if last != Some(v) {
                    out.push(visitor_name(t, v));
                    last = Some(v);
                }
            }
            out
        }
        let (g, l) = (runs(edited, &d.gained), runs(self.base, &d.lost));
        let (mut i, mut j, mut visitors) = (0, 0, 0);
        while i < g.len() || j < l.len() {
            match (g.get(i), l.get(j)) {
                (Some(a), Some(b)) if a == b => (i, j) = (i + 1, j + 1),
                (Some(a), Some(b)) if a < b => i += 1,
                (Some(_), None) => i += 1,
                _ => j += 1,
            }
            visitors += 1;
        }
        Some(Summary { gained: d.gained.len(), lost: d.lost.len(), visitors_affected: visitors })
    }

    /// Whether this scenario shows that kind of change.
    pub fn shows(&self, kind: FailOn) -> bool {
        let Ok((_, d)) = &self.result else { return false };
        let grants = match kind {
            FailOn::Gained => !d.gained.is_empty(),
            FailOn::Lost => !d.lost.is_empty(),
            FailOn::Anonymous => d.gained.iter().any(|c| c.0 == Visitor::Anonymous),
            FailOn::Anyone => {
                d.gained.iter().any(|c| c.0 == Visitor::Anonymous)
                    || d.newcomer.as_ref().is_some_and(|n| !n.gained.is_empty())
            }
        };
        grants || self.patterns.as_ref().is_some_and(|p| patterns_show(p, kind))
    }

    /// The newcomer's changes, printed (when registration is open in either tenant).
    fn newcomer(&self) -> Option<NewcomerChanges> {
        let (edited, d) = self.result.as_ref().ok()?;
        let n = d.newcomer.as_ref()?;
        Some(NewcomerChanges {
            gained: n.gained.iter().map(|&g| NewcomerLine::of(edited, g)).collect(),
            lost: n.lost.iter().map(|&g| NewcomerLine::of(self.base, g)).collect(),
        })
    }

    /// The answer, with its grant lines printed.
    pub fn answer(&self) -> ScenarioAnswer {
        match &self.result {
            Err(e) => ScenarioAnswer::failed(&self.name, e),
            Ok((edited, d)) => ScenarioAnswer {
                name: self.name.clone(),
                ok: true,
                gained: Some(WhatIf::lines(edited, &d.gained)),
                lost: Some(WhatIf::lines(self.base, &d.lost)),
                summary: self.summary(),
                error: None,
                newcomer: self.newcomer(),
                patterns: self.patterns.clone(),
                incomplete: incomplete_of(self.base, edited),
            },
        }
    }

    fn write_lines_json(out: &mut dyn Write, t: &Tenant, list: &[Cand]) -> io::Result<()> {
        out.write_all(b"[")?;
        for (i, &(v, p, target)) in list.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(b"{\"visitor\":")?;
            json_string(out, &[visitor_name(t, v)])?;
            write!(out, ",\"privilege\":\"{}\",", p.name())?;
            match target {
                Target::Row(x) => {
                    let tb = &t.tables[t.table_of(x) as usize];
                    out.write_all(b"\"row\":")?;
                    json_string(out, &[&tb.name, ":", t.row_name(x)])?;
                }
                Target::Table(tb) => {
                    out.write_all(b"\"table\":")?;
                    json_string(out, &[&t.tables[tb as usize].name])?;
                }
            }
            out.write_all(b"}")?;
        }
        out.write_all(b"]")
    }

    /// Writes the JSON answer object of this scenario: the same bytes as
    /// serializing [`Outcome::answer`], without building its lines.
    pub fn write_json(&self, out: &mut dyn Write) -> io::Result<()> {
        let (Ok((edited, d)), Some(sum)) = (&self.result, self.summary()) else {
            return serde_json::to_writer(&mut *out, &self.answer()).map_err(io::Error::from);
        };
        out.write_all(b"{\"name\":")?;
        json_string(out, &[&self.name])?;
        out.write_all(b",\"ok\":true,\"gained\":")?;
        Self::write_lines_json(out, edited, &d.gained)?;
        out.write_all(b",\"lost\":")?;
        Self::write_lines_json(out, self.base, &d.lost)?;
        out.write_all(b",\"summary\":")?;
        serde_json::to_writer(&mut *out, &sum).map_err(io::Error::from)?;
        if let Some(n) = self.newcomer() {
            out.write_all(b",\"newcomer\":")?;
            serde_json::to_writer(&mut *out, &n).map_err(io::Error::from)?;
        }
        if let Some(p) = &self.patterns {
            out.write_all(b",\"patterns\":")?;
            serde_json::to_writer(&mut *out, p).map_err(io::Error::from)?;
        }
        let incomplete = incomplete_of(self.base, edited);
        if !incomplete.is_empty() {
            out.write_all(b",\"incomplete\":")?;
            serde_json::to_writer(&mut *out, &incomplete).map_err(io::Error::from)?;
        }
        out.write_all(b"}")
    }

    /// Writes the readable answer of this scenario (see [`write_text`]).
    pub fn write_text(&self, out: &mut dyn Write, limit: usize) -> io::Result<()> {
        let (Ok((edited, d)), Some(sum)) = (&self.result, self.summary()) else {
            return write_scenario_text(out, &self.answer(), limit);
        };
        let mut counts: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
        let mut tally = |t: &Tenant, list: &[Cand], lost: bool| {
            let mut by: BTreeMap<(u32, Privilege), usize> = BTreeMap::new();
            for &(_, p, target) in list {
                let tb = match target {
                    Target::Row(x) => t.table_of(x),
                    Target::Table(tb) => tb,
                };
                *by.entry((tb, p)).or_default() += 1;
            }
            for ((tb, p), n) in by {
                let e = counts.entry((t.tables[tb as usize].name.clone(), p.name().to_string())).or_default();
                if lost {
                    e.1 += n;
                } else {
                    e.0 += n;
                }
            }
        };
        tally(edited, &d.gained, false);
        tally(self.base, &d.lost, true);
        let first = |t: &Tenant, list: &mut dyn Iterator<Item = &Cand>| -> Vec<GrantLine> {
            list.take(limit).map(|&c| diff::line(t, c)).collect()
        };
        let is_anon = |c: &&Cand| c.0 == Visitor::Anonymous;
        let anon_total = d.gained.iter().filter(is_anon).count();
        let view = TextView {
            name: &self.name,
            summary: sum,
            counts,
            anon: (anon_total, first(edited, &mut d.gained.iter().filter(is_anon))),
            others: (d.gained.len() - anon_total, first(edited, &mut d.gained.iter().filter(|c| !is_anon(c)))),
            lost: (d.lost.len(), first(self.base, &mut d.lost.iter())),
            newcomer: newcomer_view(self.newcomer(), limit),
        };
        view.write(out, limit)?;
        self.patterns.as_ref().map_or(Ok(()), |p| p.write_text(out))
    }
}

impl WhatIfAnswer {
    /// Whether some scenario shows that kind of change.
    pub fn shows(&self, kind: FailOn) -> bool {
        self.scenarios.iter().any(|s| s.shows(kind))
    }

    /// The exit code for `--fail-on` (see [`exit_code`]).
    pub fn exit_code(&self, fail_on: &[FailOn]) -> u8 {
        exit_code(&self.scenarios, fail_on)
    }
}

/// What `--fail-on` looks at, accumulated over scenarios.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    gained: bool,
    lost: bool,
    anonymous: bool,
    anyone: bool,
    failed: bool,
}

impl Seen {
    fn add(&mut self, shows: impl Fn(FailOn) -> bool, ok: bool) {
        self.gained |= shows(FailOn::Gained);
        self.lost |= shows(FailOn::Lost);
        self.anonymous |= shows(FailOn::Anonymous);
        self.anyone |= shows(FailOn::Anyone);
        self.failed |= !ok;
    }

    fn code(&self, fail_on: &[FailOn]) -> u8 {
        let shows = fail_on.iter().any(|k| match k {
            FailOn::Gained => self.gained,
            FailOn::Lost => self.lost,
            FailOn::Anonymous => self.anonymous,
            FailOn::Anyone => self.anyone,
        });
        if shows {
            4
        } else if self.failed && !fail_on.is_empty() {
            1
        } else {
            0
        }
    }
}

/// The exit code of `whatif` with `--fail-on`: 4 when some scenario shows
/// one of the kinds; otherwise 1 when `fail_on` is not empty and some
/// scenario could not be applied (a guard cannot vouch for it); otherwise 0.
pub fn exit_code<'a>(scenarios: impl IntoIterator<Item = &'a ScenarioAnswer>, fail_on: &[FailOn]) -> u8 {
    let mut seen = Seen::default();
    for s in scenarios {
        seen.add(|k| s.shows(k), s.ok);
    }
    seen.code(fail_on)
}

// ------------------------------------------------------------------ text

fn table_of(g: &GrantLine) -> &str {
    match (&g.row, &g.table) {
        (Some(r), _) => r.split_once(':').map(|(t, _)| t).unwrap_or(r),
        (None, Some(t)) => t,
        (None, None) => "",
    }
}

/// What the readable answer of one applied scenario shows.
struct TextView<'a> {
    name: &'a str,
    summary: Summary,
    /// (table, privilege) -> (gained, lost).
    counts: BTreeMap<(String, String), (usize, usize)>,
    /// Each list: its length and its first lines.
    anon: (usize, Vec<GrantLine>),
    others: (usize, Vec<GrantLine>),
    lost: (usize, Vec<GrantLine>),
    /// The newcomer's gains and losses, when registration is open in either tenant.
    newcomer: Option<[(usize, Vec<GrantLine>); 2]>,
}

/// The first `limit` lines of the newcomer's changes, as lines of the
/// visitor `newcomer`, with their totals.
fn newcomer_view(n: Option<NewcomerChanges>, limit: usize) -> Option<[(usize, Vec<GrantLine>); 2]> {
    let part = |lines: Vec<NewcomerLine>| {
        let shown = lines
            .iter()
            .take(limit)
            .map(|l| GrantLine {
                visitor: "newcomer".to_string(),
                privilege: l.privilege.clone(),
                row: l.row.clone(),
                table: l.table.clone(),
            })
            .collect();
        (lines.len(), shown)
    };
    n.map(|n| [part(n.gained), part(n.lost)])
}

fn write_lines(
    out: &mut dyn Write,
    title: &str,
    (total, shown): &(usize, Vec<GrantLine>),
    limit: usize,
) -> io::Result<()> {
    if *total == 0 {
        return writeln!(out, "  {title}: none");
    }
    if *total > limit {
        writeln!(out, "  {title} ({total}, first {limit}):")?;
    } else {
        writeln!(out, "  {title} ({total}):")?;
    }
    let wv = shown.iter().map(|g| g.visitor.len()).max().unwrap_or(0);
    let wp = shown.iter().map(|g| g.privilege.len()).max().unwrap_or(0);
    for g in shown {
        let target = match (&g.row, &g.table) {
            (Some(r), _) => r.clone(),
            (None, Some(t)) => format!("table {t}"),
            (None, None) => String::new(),
        };
        writeln!(out, "    {:wv$}  {:wp$}  {}", g.visitor, g.privilege, target)?;
    }
    if *total > shown.len() {
        writeln!(out, "    ... {} more", total - shown.len())?;
    }
    Ok(())
}

impl TextView<'_> {
    fn write(&self, out: &mut dyn Write, limit: usize) -> io::Result<()> {
        let sum = &self.summary;
        writeln!(
            out,
            "scenario `{}`: {} gained, {} lost, {} visitor{} affected",
            self.name,
            sum.gained,
            sum.lost,
            sum.visitors_affected,
            if sum.visitors_affected == 1 { "" } else { "s" }
        )?;
        if sum.gained == 0 && sum.lost == 0 {
            writeln!(out, "  no grant changes")?;
            return self.write_newcomer(out, limit);
        }
        let wt = self.counts.keys().map(|k| k.0.len()).max().unwrap_or(0).max("table".len());
        let wp = self.counts.keys().map(|k| k.1.len()).max().unwrap_or(0).max("privilege".len());
        writeln!(out, "  {:wt$}  {:wp$}  {:>7}  {:>7}", "table", "privilege", "gained", "lost")?;
        for ((t, p), (g, l)) in &self.counts {
            writeln!(out, "  {t:wt$}  {p:wp$}  {g:>7}  {l:>7}")?;
        }
        write_lines(out, "anonymous gains", &self.anon, limit)?;
        write_lines(out, if self.anon.0 == 0 { "gained" } else { "other gains" }, &self.others, limit)?;
        write_lines(out, "lost", &self.lost, limit)?;
        self.write_newcomer(out, limit)
    }

    fn write_newcomer(&self, out: &mut dyn Write, limit: usize) -> io::Result<()> {
        let Some([gained, lost]) = &self.newcomer else { return Ok(()) };
        if gained.0 == 0 && lost.0 == 0 {
            return writeln!(out, "  newcomer (anyone who signs up): no change");
        }
        write_lines(out, "newcomer (anyone who signs up) gains", gained, limit)?;
        write_lines(out, "newcomer loses", lost, limit)
    }
}

/// Writes the readable answer: per scenario, the counts by table and
/// privilege, the anonymous gains first, then the first `limit` lines of
/// each list.
pub fn write_text(out: &mut dyn Write, answer: &WhatIfAnswer, limit: usize) -> io::Result<()> {
    for (i, s) in answer.scenarios.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_scenario_text(out, s, limit)?;
    }
    Ok(())
}

/// Writes one scenario of the readable answer.
pub fn write_scenario_text(out: &mut dyn Write, s: &ScenarioAnswer, limit: usize) -> io::Result<()> {
    let (Some(gained), Some(lost), Some(sum)) = (&s.gained, &s.lost, &s.summary) else {
        return writeln!(out, "scenario `{}`: failed: {}", s.name, s.error.as_deref().unwrap_or("unknown error"));
    };
    let mut counts: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for g in gained {
        counts.entry((table_of(g).to_string(), g.privilege.clone())).or_default().0 += 1;
    }
    for g in lost {
        counts.entry((table_of(g).to_string(), g.privilege.clone())).or_default().1 += 1;
    }
    let part = |lines: Vec<&GrantLine>| (lines.len(), lines.into_iter().take(limit).cloned().collect());
    let view = TextView {
        name: &s.name,
        summary: *sum,
        counts,
        anon: part(gained.iter().filter(|g| g.visitor == "anonymous").collect()),
        others: part(gained.iter().filter(|g| g.visitor != "anonymous").collect()),
        lost: part(lost.iter().collect()),
        newcomer: newcomer_view(s.newcomer.clone(), limit),
    };
    view.write(out, limit)?;
    s.patterns.as_ref().map_or(Ok(()), |p| p.write_text(out))
}

// ------------------------------------------------------------------ commands

/// Why `whatif` or `apply` stopped.
#[derive(Debug, Error)]
pub enum CommandError {
    /// The tenant or a change document failed to load (exit 2).
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Bad usage, or a scenario that cannot be applied (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Writing the answer or the new tenant failed (exit 1).
    #[error(transparent)]
    Io(#[from] io::Error),
}

impl CommandError {
    /// The process exit code (cli.md).
    pub fn exit_code(&self) -> u8 {
        match self {
            CommandError::Load(_) | CommandError::Usage(_) => 2,
            CommandError::Io(_) => 1,
        }
    }
}

/// Options of `portal-access whatif`.
#[derive(Debug, Clone, Default)]
pub struct WhatIfOptions {
    /// Print the JSON answer.
    pub json: bool,
    /// Lines shown per list in the readable answer.
    pub limit: usize,
    /// Kinds of change that make the command exit 4.
    pub fail_on: Vec<FailOn>,
}

/// `portal-access whatif TENANT CHANGES...`: loads everything first (a file
/// that fails to load stops the command before any output), then answers
/// and prints one scenario at a time (so only one scenario's grant lists
/// are held at once), and returns the exit code.
pub fn whatif_command(
    tenant: &Path,
    changes: &[PathBuf],
    opts: &WhatIfOptions,
    out: &mut dyn Write,
) -> Result<u8, CommandError> {
    let base = Analysis::load(tenant)?;
    let sets = changes.iter().map(|c| load_changes(c)).collect::<Result<Vec<_>, _>>()?;
    let w = WhatIf::new(&base);
    let mut seen = Seen::default();
    if opts.json {
        // The same bytes as serializing the whole `WhatIfAnswer`.
        write!(out, "{{\"scenarios\":[")?;
    }
    for (i, scenario) in sets.iter().flat_map(|s| &s.scenarios).enumerate() {
        let outcome = w.outcome(scenario);
        if opts.json {
            if i > 0 {
                write!(out, ",")?;
            }
            outcome.write_json(out)?;
        } else {
            if i > 0 {
                writeln!(out)?;
            }
            outcome.write_text(out, opts.limit)?;
        }
        seen.add(|k| outcome.shows(k), outcome.ok());
    }
    if opts.json {
        writeln!(out, "]}}")?;
    }
    out.flush()?;
    Ok(seen.code(&opts.fail_on))
}

/// The path a file would have once it exists, for comparing with inputs.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Some(parent.canonicalize().ok()?.join(name))
}

/// `portal-access apply TENANT CHANGES -o NEW.json [--scenario NAME]`:
/// applies one scenario and writes the edited tenant as native JSON to a new
/// file (never to an input). Returns the scenario applied.
pub fn apply_command(
    tenant: &Path,
    changes: &Path,
    output: &Path,
    scenario: Option<&str>,
) -> Result<String, CommandError> {
    let refuse = |why: String| {
        CommandError::Usage(format!(
            "{}: refusing to write over an input file ({why}); give -o a new file",
            output.display()
        ))
    };
    if let Some(out) = resolved(output) {
        for input in [tenant, changes] {
            let Ok(input) = input.canonicalize() else { continue };
            if input == out {
                return Err(refuse(format!("it is `{}`", input.display())));
            }
            // A tenant folder: nothing may be written inside it.
            if input.is_dir() && out.starts_with(&input) {
                return Err(refuse(format!("it is inside the tenant folder `{}`", input.display())));
            }
        }
    }
    let base = crate::model::load(tenant)?;
    let set = load_changes(changes)?;
    let names = || set.scenarios.iter().map(|s| format!("`{}`", s.name)).collect::<Vec<_>>().join(", ");
    let chosen = match scenario {
        Some(name) => set.scenarios.iter().find(|s| s.name == name).ok_or_else(|| {
            CommandError::Usage(format!("{}: no scenario named `{name}` (scenarios: {})", set.file, names()))
        })?,
        None => match set.scenarios.as_slice() {
            [one] => one,
            [] => return Err(CommandError::Usage(format!("{}: the document holds no scenario", set.file))),
            _ => {
                return Err(CommandError::Usage(format!(
                    "{}: the document holds {} scenarios; choose one with --scenario NAME ({})",
                    set.file,
                    set.scenarios.len(),
                    names()
                )))
            }
        },
    };
    let (edited, _) = build_scenario(&base, chosen)
        .map_err(|e| CommandError::Usage(format!("{}: scenario `{}`: {e}", set.file, chosen.name)))?;
    let text = edited.raw.native_text().map_err(io::Error::from)?;
    // The native form must read back as the same tenant (a folder tenant may
    // name relationships the native format cannot leave undeclared).
    let cannot = |why: String| {
        CommandError::Usage(format!("{}: cannot write the edited tenant as native JSON: {why}", tenant.display()))
    };
    let back = crate::load::native::parse_native(&text, &output.display().to_string())
        .and_then(|raw| Tenant::build(raw, &output.display().to_string()))
        .map_err(|e| cannot(e.to_string()))?;
    if back.links != edited.links || back.contact_account != edited.contact_account || back.dangling != edited.dangling
    {
        return Err(cannot(
            "a lookup resolves differently without the Web API table annotations it was read with".into(),
        ));
    }
    write_new(output, text.as_bytes())?;
    Ok(chosen.name.clone())
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so
/// that a failed write leaves no half-written tenant.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "tenant.json".into());
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::write(&tmp, bytes).and_then(|_| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
