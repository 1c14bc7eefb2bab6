//! `portal-access test TENANT FILE...` (spec `expectations.md`): runs each
//! file's expectations against a derived tenant, says what each expected
//! and what the engine answered (with the `why` of a failure), and which
//! table permissions the expectations exercised (coverage).
//!
//! Names in an expectation that the tenant lacks (a contact, a row, a
//! table, a relationship) make that expectation fail with the reason: a
//! site change that removes a row a test names is a failing test, not a
//! file that cannot be read. Newcomer visitors (channels.md C9),
//! `columns` (C6, C7) and `bypass` (F8) are not evaluated by this build:
//! such an expectation fails, saying so, rather than passing unchecked.

use crate::answer::query::Analysis;
use crate::answer::why::WhyAnswer;
use crate::engine::Visitor;
use crate::load::expectations::{Check, Expectation, Expectations, VisitorClass};
use crate::model::{Privilege, RelId, RowId, TableId};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashSet};

/// How many offending grants a failed `never` or `isolated` names.
pub const FIRST: usize = 10;

/// How many `why` answers a failure carries.
const WHYS: usize = 3;

/// One expectation's outcome.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ExpectResult {
    /// The file as given.
    pub file: String,
    /// 1-based index in the file.
    pub index: usize,
    /// Line of the expectation in the file.
    pub line: usize,
    /// Its `name:`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `can`, `who`, `never`, `isolated`, `columns` or `bypass`.
    pub kind: &'static str,
    /// Whether it holds.
    pub ok: bool,
    /// The expectation as written.
    pub expected: Value,
    /// What the engine answered.
    pub answered: Value,
    /// For a failure: the `why` of the grants (or refusals) it is about.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<WhyAnswer>,
}

impl ExpectResult {
    /// A short title: the name, or the expectation in its own words.
    pub fn title(&self) -> String {
        if let Some(n) = &self.name {
            return n.clone();
        }
        let Value::Object(m) = &self.expected else { return self.kind.to_string() };
        match m.get(self.kind) {
            Some(v) => format!("{} {}", self.kind, flow(v)),
            None => self.kind.to_string(),
        }
    }
}

/// A value in YAML flow style, as a person writes it: `{visitor: anonymous, table: incident}`.
fn flow(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!("{{{}}}", m.iter().map(|(k, v)| format!("{k}: {}", flow(v))).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// The answer of `test`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TestReport {
    /// Every expectation of every file, in order.
    pub results: Vec<ExpectResult>,
    /// How many hold.
    pub passed: usize,
    /// How many fail.
    pub failed: usize,
    /// Ids of the table permissions the expectations exercised, sorted.
    pub covered: Vec<String>,
    /// Ids of the others, sorted.
    pub uncovered: Vec<String>,
    /// `covered` as a percentage of all table permissions (100 when there are none).
    pub coverage: f64,
}

impl TestReport {
    /// The exit code: 4 when an expectation fails or coverage is below
    /// `min_coverage` percent, else 0.
    pub fn exit_code(&self, min_coverage: Option<f64>) -> u8 {
        if self.failed > 0 || min_coverage.is_some_and(|m| self.coverage < m) {
            4
        } else {
            0
        }
    }
}

/// Runs every expectation of `files` against `a`.
pub fn run(a: &Analysis, files: &[Expectations]) -> TestReport {
    let mut run = Run { a, covered: vec![false; a.tenant.permissions.len()] };
    let mut results = Vec::new();
    for f in files {
        for e in &f.items {
            results.push(run.one(&f.file, e));
        }
    }
    let t = &a.tenant;
    let (mut covered, mut uncovered) = (Vec::new(), Vec::new());
    for (n, p) in t.permissions.iter().enumerate() {
        if run.covered[n] {
            covered.push(p.id.clone());
        } else {
            uncovered.push(p.id.clone());
        }
    }
    covered.sort_unstable();
    uncovered.sort_unstable();
    let total = t.permissions.len();
    let coverage = if total == 0 { 100.0 } else { (covered.len() as f64 * 10_000.0 / total as f64).round() / 100.0 };
    let passed = results.iter().filter(|r| r.ok).count();
    TestReport { failed: results.len() - passed, passed, results, covered, uncovered, coverage }
}

struct Run<'a> {
    a: &'a Analysis,
    covered: Vec<bool>,
}

/// What one check found: holds, the answer, and the (visitor, privilege,
/// target) questions whose `why` explains a failure.
struct Found {
    ok: bool,
    answered: Value,
    explain: Vec<(String, String, String)>,
}

fn unsupported(what: &str) -> Found {
    Found {
        ok: false,
        answered: json!({"error": format!("{what} is not evaluated by this build of portal-access")}),
        explain: Vec::new(),
    }
}

fn error(message: String) -> Found {
    Found { ok: false, answered: json!({ "error": message }), explain: Vec::new() }
}

impl Run<'_> {
    fn one(&mut self, file: &str, e: &Expectation) -> ExpectResult {
        let found = match &e.check {
            Check::Can { visitor, privilege, target, allowed, via } => {
                self.can(visitor, privilege, target, *allowed, via.as_deref())
            }
            Check::Who { .. } => self.who(&e.check),
            Check::Never { visitor, privilege, table } => self.never(visitor, privilege.as_deref(), table.as_deref()),
            Check::Isolated { table, through } => self.isolated(table, through),
            Check::Columns { .. } => unsupported("`columns` (channels.md C6, C7)"),
            Check::Bypass { .. } => unsupported("`bypass` (finance-operations.md F8)"),
        };
        let why = if found.ok {
            Vec::new()
        } else {
            found.explain.iter().take(WHYS).filter_map(|(v, p, x)| self.a.why(v, p, x).ok()).collect()
        };
        ExpectResult {
            file: file.to_string(),
            index: e.index,
            line: e.line,
            name: e.name.clone(),
            kind: e.check.kind(),
            ok: found.ok,
            expected: e.written.clone(),
            answered: found.answered,
            why,
        }
    }

    fn cover(&mut self, ids: &[String]) {
        for id in ids {
            if let Some(n) = self.a.tenant.perm_id(id) {
                self.covered[n as usize] = true;
            }
        }
    }

    fn cover_table(&mut self, table: Option<TableId>) {
        for (n, p) in self.a.tenant.permissions.iter().enumerate() {
            if table.is_none_or(|t| t == p.table) {
                self.covered[n] = true;
            }
        }
    }

    fn can(&mut self, visitor: &str, privilege: &str, target: &str, allowed: Option<bool>, via: Option<&[String]>) -> Found {
        if visitor == "newcomer" {
            return unsupported("the `newcomer` visitor (channels.md C9)");
        }
        let ans = match self.a.can(visitor, privilege, target) {
            Ok(a) => a,
            Err(e) => return error(e.to_string()),
        };
        let want_via: Option<BTreeSet<&str>> = via.map(|v| v.iter().map(String::as_str).collect());
        let got_via: BTreeSet<&str> = ans.via.iter().map(String::as_str).collect();
        let ok = allowed.is_none_or(|a| a == ans.allowed) && want_via.is_none_or(|w| w == got_via);
        if ok && ans.allowed {
            self.cover(&ans.via);
        }
        let answered = serde_json::to_value(&ans).unwrap_or(Value::Null);
        Found { ok, answered, explain: vec![(visitor.into(), privilege.into(), target.into())] }
    }

    fn who(&mut self, check: &Check) -> Found {
        let Check::Who { privilege, target, contacts, includes, excludes, anonymous, newcomer, anyone } = check else {
            return error("not a `who` expectation".into());
        };
        if newcomer.is_some() {
            return unsupported("`newcomer` (channels.md C9)");
        }
        let ans = match self.a.who(privilege, target) {
            Ok(a) => a,
            Err(e) => return error(e.to_string()),
        };
        let got: BTreeSet<&str> = ans.contacts.iter().map(String::as_str).collect();
        let mut wrong: Vec<&str> = Vec::new();
        if let Some(c) = contacts {
            let want: BTreeSet<&str> = c.iter().map(String::as_str).collect();
            wrong.extend(want.symmetric_difference(&got).copied());
        }
        wrong.extend(includes.iter().map(String::as_str).filter(|c| !got.contains(c)));
        wrong.extend(excludes.iter().map(String::as_str).filter(|c| got.contains(c)));
        // TODO(issue 13): `anyone` is anonymous or newcomer (C10); the
        // newcomer is not evaluated yet, so it is `anonymous` here.
        let anon_ok = anonymous.is_none_or(|a| a == ans.anonymous) && anyone.is_none_or(|a| a == ans.anonymous);
        let ok = wrong.is_empty() && anon_ok;
        // Coverage: the permissions granting the listed contacts.
        for c in contacts.iter().flatten().chain(includes) {
            if got.contains(c.as_str()) {
                if let Ok(can) = self.a.can(c, privilege, target) {
                    self.cover(&can.via);
                }
            }
        }
        let mut explain: Vec<(String, String, String)> =
            wrong.iter().map(|c| (c.to_string(), privilege.clone(), target.clone())).collect();
        if !anon_ok {
            explain.insert(0, ("anonymous".into(), privilege.clone(), target.clone()));
        }
        let answered = serde_json::to_value(&ans).unwrap_or(Value::Null);
        Found { ok, answered, explain }
    }

    /// The grants of one visitor (optionally one privilege and table), the
    /// first [`FIRST`] printed, and how many in all.
    fn grants_of(&self, v: Visitor, privilege: Option<Privilege>, table: Option<TableId>, first: &mut Vec<Value>, explain: &mut Vec<(String, String, String)>) -> usize {
        let (a, t) = (self.a, &self.a.tenant);
        let visitor = a.visitor_name(v);
        let mut n = 0;
        for p in crate::answer::query::privileges_by_name() {
            if privilege.is_some_and(|q| q != p) {
                continue;
            }
            let targets: Vec<(String, bool)> = if p == Privilege::Create {
                a.grants.what_create(t, v, table).iter().map(|&tb| (t.tables[tb as usize].name.clone(), false)).collect()
            } else {
                a.grants.what(t, v, p, table).iter().map(|&x| (t.row_ref(x), true)).collect()
            };
            n += targets.len();
            for (target, row) in targets {
                if first.len() >= FIRST {
                    break;
                }
                let key = if row { "row" } else { "table" };
                first.push(json!({"visitor": visitor, "privilege": p.name(), key: target}));
                explain.push((visitor.clone(), p.name().to_string(), target));
            }
        }
        n
    }

    fn never(&mut self, visitor: &VisitorClass, privilege: Option<&str>, table: Option<&str>) -> Found {
        let a = self.a;
        let p = match privilege.map(|p| a.privilege(p)).transpose() {
            Ok(p) => p,
            Err(e) => return error(e.to_string()),
        };
        let tb = match table.map(|t| a.table(t)).transpose() {
            Ok(t) => t,
            Err(e) => return error(e.to_string()),
        };
        let visitors: Vec<Visitor> = match visitor {
            VisitorClass::Anonymous => vec![Visitor::Anonymous],
            // TODO(issue 13): anyone = anonymous or newcomer (C10).
            VisitorClass::Anyone => vec![Visitor::Anonymous],
            VisitorClass::Newcomer => return unsupported("the `newcomer` visitor (channels.md C9)"),
            VisitorClass::Contacts => a.tenant.contacts().map(Visitor::Contact).collect(),
            VisitorClass::Contact(c) => match a.visitor(c) {
                Ok(v) => vec![v],
                Err(e) => return error(e.to_string()),
            },
        };
        let (mut first, mut explain, mut count) = (Vec::new(), Vec::new(), 0);
        for v in visitors {
            count += self.grants_of(v, p, tb, &mut first, &mut explain);
        }
        let ok = count == 0;
        if ok {
            self.cover_table(tb);
        }
        Found { ok, answered: json!({"grants": count, "first": first}), explain }
    }

    fn isolated(&mut self, table: &str, through: &[String]) -> Found {
        let a = self.a;
        let t = &a.tenant;
        let tb = match a.table(table) {
            Ok(tb) => tb,
            Err(e) => return error(e.to_string()),
        };
        let mut rels: Vec<RelId> = Vec::new();
        for r in through {
            match t.rel_id(r) {
                Some(id) => rels.push(id),
                None => return error(format!("relationship `{r}` does not exist in this tenant")),
            }
        }
        let wanted: HashSet<RelId> = rels.iter().copied().collect();
        let related: HashSet<(RowId, RowId)> = t
            .links
            .iter()
            .filter(|(r, _, _)| wanted.contains(r))
            .flat_map(|&(_, x, y)| [(x, y), (y, x)])
            .collect();
        let (mut first, mut explain, mut count) = (Vec::new(), Vec::new(), 0usize);
        for c in t.contacts() {
            let account = t.account_of(c);
            for x in a.grants.what(t, Visitor::Contact(c), Privilege::Read, Some(tb)) {
                let near = related.contains(&(x, c)) || account.is_some_and(|acct| related.contains(&(x, acct)));
                if !near {
                    count += 1;
                    if first.len() < FIRST {
                        let (v, row) = (t.row_name(c).to_string(), t.row_ref(x));
                        first.push(json!({"visitor": v, "privilege": "read", "row": row}));
                        explain.push((v, "read".into(), row));
                    }
                }
            }
        }
        let ok = count == 0;
        if ok {
            self.cover_table(Some(tb));
        }
        Found { ok, answered: json!({"breaking": count, "first": first}), explain }
    }
}
