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

pub use apply::{apply_changes, build_scenario, ChangeError, Effect};
pub use changes::{
    load_changes, name_from_file, parse_changes, ActiveTarget, Change, ChangeSet, Member, RowRef, Scenario,
    ScopeChange, CHANGES_FORMAT,
};
pub use diff::GrantDiff;

use crate::error::LoadError;
use crate::model::Tenant;
use crate::query::{Analysis, GrantLine};
use diff::{RowOrder, Side, SideIndex};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use thiserror::Error;

/// A base tenant, derived once, against which scenarios are evaluated.
pub struct WhatIf<'a> {
    base: &'a Analysis,
    ix: SideIndex,
    order: OnceLock<RowOrder>,
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
}

/// The answer of `whatif`: every scenario of every change document, in order.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WhatIfAnswer {
    /// The scenarios.
    pub scenarios: Vec<ScenarioAnswer>,
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
        }
    }

    fn from_diff(name: &str, d: GrantDiff) -> ScenarioAnswer {
        let visitors: BTreeSet<&str> = d.gained.iter().chain(&d.lost).map(|g| g.visitor.as_str()).collect();
        let summary = Summary { gained: d.gained.len(), lost: d.lost.len(), visitors_affected: visitors.len() };
        ScenarioAnswer {
            name: name.to_string(),
            ok: true,
            gained: Some(d.gained),
            lost: Some(d.lost),
            summary: Some(summary),
            error: None,
        }
    }

    /// Whether this scenario shows that kind of change.
    pub fn shows(&self, kind: FailOn) -> bool {
        let none: &[GrantLine] = &[];
        let gained = self.gained.as_deref().unwrap_or(none);
        match kind {
            FailOn::Gained => !gained.is_empty(),
            FailOn::Lost => !self.lost.as_deref().unwrap_or(none).is_empty(),
            FailOn::Anonymous => gained.iter().any(|g| g.visitor == "anonymous"),
        }
    }
}

impl<'a> WhatIf<'a> {
    /// Prepares the base tenant (its grants are already derived).
    pub fn new(base: &'a Analysis) -> WhatIf<'a> {
        WhatIf {
            base,
            ix: SideIndex::new(&base.tenant, &base.grants, diff::roots(&base.tenant)),
            order: OnceLock::new(),
        }
    }

    fn side(&self) -> Side<'_> {
        Side { t: &self.base.tenant, g: &self.base.grants, ix: &self.ix }
    }

    /// The grant difference between the base and `edited`, where `effect`
    /// says what the changes touched (from [`build_scenario`]).
    pub fn diff(&self, edited: &Tenant, effect: &Effect) -> GrantDiff {
        diff::diff(self.side(), &self.order, edited, effect, false)
    }

    /// The same difference, deriving the whole edited tenant rather than the
    /// affected permission trees (slower; for cross-checking).
    pub fn diff_full(&self, edited: &Tenant) -> GrantDiff {
        diff::diff(self.side(), &self.order, edited, &Effect { data: true, ..Effect::default() }, true)
    }

    /// Applies one scenario and answers it.
    pub fn run(&self, scenario: &Scenario) -> ScenarioAnswer {
        match build_scenario(&self.base.tenant, scenario) {
            Ok((edited, effect)) => ScenarioAnswer::from_diff(&scenario.name, self.diff(&edited, &effect)),
            Err(e) => ScenarioAnswer::failed(&scenario.name, &e),
        }
    }

    /// Answers every scenario of every document, in order.
    pub fn run_all(&self, sets: &[ChangeSet]) -> WhatIfAnswer {
        WhatIfAnswer { scenarios: sets.iter().flat_map(|s| &s.scenarios).map(|s| self.run(s)).collect() }
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
    failed: bool,
}

impl Seen {
    fn add(&mut self, s: &ScenarioAnswer) {
        self.gained |= s.shows(FailOn::Gained);
        self.lost |= s.shows(FailOn::Lost);
        self.anonymous |= s.shows(FailOn::Anonymous);
        self.failed |= !s.ok;
    }

    fn code(&self, fail_on: &[FailOn]) -> u8 {
        let shows = fail_on.iter().any(|k| match k {
            FailOn::Gained => self.gained,
            FailOn::Lost => self.lost,
            FailOn::Anonymous => self.anonymous,
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
        seen.add(s);
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

fn write_lines(out: &mut dyn Write, title: &str, lines: &[&GrantLine], limit: usize) -> io::Result<()> {
    if lines.is_empty() {
        return writeln!(out, "  {title}: none");
    }
    if lines.len() > limit {
        writeln!(out, "  {title} ({}, first {limit}):", lines.len())?;
    } else {
        writeln!(out, "  {title} ({}):", lines.len())?;
    }
    let shown = &lines[..lines.len().min(limit)];
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
    if lines.len() > limit {
        writeln!(out, "    ... {} more", lines.len() - limit)?;
    }
    Ok(())
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
    {
        let (Some(gained), Some(lost), Some(sum)) = (&s.gained, &s.lost, &s.summary) else {
            return writeln!(out, "scenario `{}`: failed: {}", s.name, s.error.as_deref().unwrap_or("unknown error"));
        };
        writeln!(
            out,
            "scenario `{}`: {} gained, {} lost, {} visitor{} affected",
            s.name,
            sum.gained,
            sum.lost,
            sum.visitors_affected,
            if sum.visitors_affected == 1 { "" } else { "s" }
        )?;
        if gained.is_empty() && lost.is_empty() {
            return writeln!(out, "  no grant changes");
        }
        let mut counts: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
        for g in gained {
            counts.entry((table_of(g), &g.privilege)).or_default().0 += 1;
        }
        for g in lost {
            counts.entry((table_of(g), &g.privilege)).or_default().1 += 1;
        }
        let wt = counts.keys().map(|k| k.0.len()).max().unwrap_or(0).max("table".len());
        let wp = counts.keys().map(|k| k.1.len()).max().unwrap_or(0).max("privilege".len());
        writeln!(out, "  {:wt$}  {:wp$}  {:>7}  {:>7}", "table", "privilege", "gained", "lost")?;
        for ((t, p), (g, l)) in &counts {
            writeln!(out, "  {t:wt$}  {p:wp$}  {g:>7}  {l:>7}")?;
        }
        let anon: Vec<&GrantLine> = gained.iter().filter(|g| g.visitor == "anonymous").collect();
        write_lines(out, "anonymous gains", &anon, limit)?;
        let others: Vec<&GrantLine> = gained.iter().filter(|g| g.visitor != "anonymous").collect();
        write_lines(out, if anon.is_empty() { "gained" } else { "other gains" }, &others, limit)?;
        let lost: Vec<&GrantLine> = lost.iter().collect();
        write_lines(out, "lost", &lost, limit)?;
    }
    Ok(())
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
        let answer = w.run(scenario);
        if opts.json {
            if i > 0 {
                write!(out, ",")?;
            }
            serde_json::to_writer(&mut *out, &answer).map_err(io::Error::from)?;
        } else {
            if i > 0 {
                writeln!(out)?;
            }
            write_scenario_text(out, &answer, opts.limit)?;
        }
        seen.add(&answer);
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
    let base = crate::load::load(tenant)?;
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
    let mut text = serde_json::to_string_pretty(&edited.raw).map_err(io::Error::from)?;
    text.push('\n');
    // The native form must read back as the same tenant (a folder tenant may
    // name relationships the native format cannot leave undeclared).
    let cannot = |why: String| {
        CommandError::Usage(format!("{}: cannot write the edited tenant as native JSON: {why}", tenant.display()))
    };
    let back = crate::load::parse_native(&text, &output.display().to_string())
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
