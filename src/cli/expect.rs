//! `portal-access test TENANT FILE...` for a person and for CI: the
//! readable report (failures with expected, answered and the `why`), the
//! JSON answer of `expectations.md`, and JUnit XML (one test case per
//! expectation, one suite per file) for CI test report viewers.

use crate::answer::expect::{self, ExpectResult, TestReport};
use crate::answer::query::Analysis;
use crate::cli::explain::render_why;
use crate::cli::text::{Painter, Style};
use crate::load::expectations::{load_expectations, Expectations};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde_json::Value;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why `test` stopped before answering: the same three ways as `whatif`
/// (a load failure or bad usage exit 2, a write failure exits 1).
pub use crate::answer::whatif::CommandError as TestError;

/// Options of `portal-access test`.
#[derive(Debug, Clone, Default)]
pub struct TestOptions {
    /// Print the JSON answer.
    pub json: bool,
    /// Also write JUnit XML here (never over an input).
    pub junit: Option<PathBuf>,
    /// Exit 4 below this coverage (percent).
    pub min_coverage: Option<f64>,
    /// Colour the readable report.
    pub color: bool,
}

/// `portal-access test`: loads the tenant and every file first (one that
/// fails to load stops the command, exit 2), runs the expectations, prints
/// the report, writes JUnit when asked, and returns the exit code (4 when
/// an expectation fails or coverage is below the minimum).
pub fn test_command(tenant: &Path, files: &[PathBuf], opts: &TestOptions, out: &mut dyn Write) -> Result<u8, TestError> {
    if let Some(m) = opts.min_coverage {
        if !(0.0..=100.0).contains(&m) {
            return Err(TestError::Usage(format!("--min-coverage `{m}` must be a percentage from 0 to 100")));
        }
    }
    if let Some(junit) = &opts.junit {
        refuse_inputs(junit, tenant, files)?;
    }
    let a = Analysis::load(tenant)?;
    let docs = files.iter().map(|f| load_expectations(f)).collect::<Result<Vec<_>, _>>()?;
    let report = expect::run(&a, &docs)?;
    if opts.json {
        serde_json::to_writer(&mut *out, &report).map_err(io::Error::from)?;
        writeln!(out)?;
    } else {
        out.write_all(render(&report, &a, &docs, &Painter { color: opts.color }).as_bytes())?;
    }
    if let Some(path) = &opts.junit {
        let xml = junit(&report, &docs, &a.tenant)?;
        std::fs::write(path, xml).map_err(|e| io::Error::new(e.kind(), format!("{}: cannot write: {e}", path.display())))?;
    }
    out.flush()?;
    Ok(report.exit_code(opts.min_coverage))
}

/// The path a file will have, to compare with the inputs.
fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Some(parent.canonicalize().ok()?.join(path.file_name()?))
}

fn refuse_inputs(output: &Path, tenant: &Path, files: &[PathBuf]) -> Result<(), TestError> {
    let Some(out) = resolved(output) else { return Ok(()) };
    for input in std::iter::once(tenant).chain(files.iter().map(PathBuf::as_path)) {
        let Ok(input) = input.canonicalize() else { continue };
        if input == out || (input.is_dir() && out.starts_with(&input)) {
            return Err(TestError::Usage(format!(
                "{}: refusing to write the JUnit report over or inside an input (`{}`)",
                output.display(),
                input.display()
            )));
        }
    }
    Ok(())
}

fn compact(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// What a failed result says: expected, answered, and its `why`s.
fn failure_text(r: &ExpectResult, t: &crate::model::Tenant, names: &crate::model::Names, p: &Painter) -> String {
    let mut s = format!("expected: {}\n", compact(&r.expected));
    match r.answered.get("first_patterns").and_then(|v| v.as_array()).filter(|v| !v.is_empty()) {
        // A10: a `never` that a possible pattern breaks, in words.
        Some(first) => {
            let grants = r.answered.get("grants").and_then(|v| v.as_u64()).unwrap_or(0);
            let total = r.answered.get("patterns").and_then(|v| v.as_u64()).unwrap_or(0);
            s.push_str(&format!("answered: {grants} grants on the loaded rows, and {total} possible access patterns (with or without rows):\n"));
            for e in first {
                let text = |k: &str| e.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
                let steps: Vec<crate::answer::patterns::ConditionStep> = serde_json::from_value(e["condition"].clone()).unwrap_or_default();
                let every = steps.len() == 1 && steps[0].scope == "global";
                let cond = if every { format!("every row of {}", text("table")) } else { format!("rows of {} ({})", text("table"), crate::answer::patterns::chain_text(&steps)) };
                s.push_str(&format!("  {} {} {cond} ({})\n", text("class"), text("privilege"), names.perm_id(&text("permission"))));
            }
        }
        None => s.push_str(&format!("answered: {}\n", compact(&r.answered))),
    }
    for w in &r.why {
        s.push_str("why:\n");
        let text = render_why(w, t, names, p) + &crate::cli::text_finance::why_finance(w);
        for line in text.lines() {
            s.push_str("  ");
            s.push_str(line);
            s.push('\n');
        }
    }
    s
}

/// The readable report.
pub fn render(report: &TestReport, a: &Analysis, docs: &[Expectations], p: &Painter) -> String {
    let mut s = String::new();
    if let Some(line) = a.incomplete_line() {
        s.push_str(&line);
    }
    let n: usize = docs.iter().map(|d| d.items.len()).sum();
    s.push_str(&format!(
        "{}: {n} expectation{} in {} file{}\n",
        a.tenant.source,
        if n == 1 { "" } else { "s" },
        docs.len(),
        if docs.len() == 1 { "" } else { "s" }
    ));
    for r in &report.results {
        let mark = if r.ok { p.paint("ok  ", Style::Green) } else { p.paint("FAIL", Style::Red) };
        s.push_str(&format!("  {mark}  {}:{}  {}\n", r.file, r.line, r.title()));
        if !r.ok {
            for line in failure_text(r, &a.tenant, &crate::model::Names::new(&a.tenant, false), p).lines() {
                s.push_str("        ");
                s.push_str(line);
                s.push('\n');
            }
        }
    }
    s.push_str(&format!("{} passed, {} failed\n", report.passed, report.failed));
    let total = report.covered.len() + report.uncovered.len();
    s.push_str(&format!("coverage: {} of {total} table permissions ({}%)\n", report.covered.len(), report.coverage));
    if !report.uncovered.is_empty() {
        s.push_str("  uncovered:\n");
        for id in &report.uncovered {
            let name = a.tenant.perm_id(id).map(|n| a.tenant.permissions[n as usize].name.as_str()).unwrap_or("");
            if name.is_empty() || name == id {
                s.push_str(&format!("    {id}\n"));
            } else {
                s.push_str(&format!("    {name} ({id})\n"));
            }
        }
    }
    s
}

/// JUnit XML: one suite per file, one test case per expectation (named by
/// its index and title, class name the file); a failure carries expected
/// and answered as its message and the `why` as its text.
pub fn junit(report: &TestReport, docs: &[Expectations], t: &crate::model::Tenant) -> Result<String, TestError> {
    let tenant = t.source.as_str();
    let names = crate::model::Names::new(t, false);
    let mut out = Report::new("portal-access test");
    let plain = Painter { color: false };
    for d in docs {
        let mut suite = TestSuite::new(d.file.as_str());
        suite.add_property(("tenant", tenant));
        for r in report.results.iter().filter(|r| r.file == d.file) {
            let status = if r.ok {
                TestCaseStatus::success()
            } else {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                st.set_message(format!("expected {}, answered {}", compact(&r.expected), compact(&r.answered)));
                st.set_type(r.kind);
                st.set_description(failure_text(r, t, &names, &plain));
                st
            };
            let mut case = TestCase::new(format!("{}: {}", r.index, r.title()), status);
            case.set_classname(format!("{}:{}", d.file, r.line));
            suite.add_test_case(case);
        }
        out.add_test_suite(suite);
    }
    out.to_string().map_err(|e| TestError::Io(io::Error::other(e.to_string())))
}
