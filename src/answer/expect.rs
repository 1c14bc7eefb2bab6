//! `portal-access test TENANT FILE...` (spec `expectations.md`): runs each
//! file's expectations against a derived tenant, says what each expected
//! and what the engine answered (with the `why` of a failure), and which
//! table permissions the expectations exercised (coverage).
//!
//! Names in an expectation that the tenant lacks (a contact, a row, a
//! table, a relationship) make that expectation fail with the reason: a
//! site change that removes a row a test names is a failing test, not a
//! file that cannot be read.
//!
//! The newcomer (channels.md C9) is a visitor like the others: `can`,
//! `never` and `who` ask the channel answers about it, and `anyone` is the
//! anonymous visitor or the newcomer (C10). `columns` asks the `columns`
//! answer (C6, C7) and `bypass` the F&O `bypass` answer (F8). Coverage is
//! counted as `expectations.md` defines it: the `via` of an allowed `can`
//! that held (a newcomer's too), the permissions granting a contact a `who`
//! listed, and every permission on a table that a `never` or `isolated`
//! that held constrains; `columns` and `bypass` are not in that definition
//! and cover nothing.

use crate::answer::query::{Analysis, NEWCOMER};
use crate::answer::why::WhyAnswer;
use crate::engine::channels::Outsider;
use crate::engine::Visitor;
use crate::load::expectations::{Check, Expectation, Expectations, VisitorClass};
use crate::answer::patterns::{entry, PatternEntry};
use crate::engine::patterns::Class;
use crate::error::LoadError;
use crate::model::names::Names;
use crate::model::{Privilege, RelId, RowId, TableId};
use serde::Serialize;
use serde_json::{json, Map, Value};
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
    /// `rows` when decided on loaded rows, `patterns` when on access
    /// patterns (patterns.md A10).
    pub on: &'static str,
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

/// A10: a row-level `can` or `who` that names a row the tenant does not
/// hold fails to load its file (file and line), so that a test never
/// passes, or fails quietly, for want of rows.
pub fn check_rows(a: &Analysis, files: &[Expectations]) -> Result<(), LoadError> {
    for f in files {
        for e in &f.items {
            let (privilege, target) = match &e.check {
                Check::Can { privilege, target, .. } | Check::Who { privilege, target, .. } => (privilege, target),
                _ => continue,
            };
            if privilege == "create" || !target.contains(':') {
                continue;
            }
            if let Err(err) = a.row(target) {
                let loaded = target.split_once(':').and_then(|(t, _)| a.tenant.table_id(t)).is_some_and(|t| !a.tenant.tables[t as usize].rows().is_empty());
                let why = if loaded { err.to_string() } else { format!("row `{target}` is not loaded (no rows of its table are): ask about the table instead (`never:`, or `who` on the table)") };
                return Err(LoadError::Invalid { file: f.file.clone(), place: format!("line {}", e.line), message: why });
            }
        }
    }
    Ok(())
}

/// Runs every expectation of `files` against `a`; a row-level question
/// about a row the tenant does not hold is a load error ([`check_rows`]).
pub fn run(a: &Analysis, files: &[Expectations]) -> Result<TestReport, LoadError> {
    check_rows(a, files)?;
    Ok(run_checked(a, files))
}

fn run_checked(a: &Analysis, files: &[Expectations]) -> TestReport {
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
    on_patterns: bool,
}

fn error(message: String) -> Found {
    Found { ok: false, answered: json!({ "error": message }), explain: Vec::new(), on_patterns: false }
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
            Check::Columns { visitor, row, keys } => self.columns(visitor, row, keys),
            Check::Bypass { table, visitor, empty } => self.bypass(table.as_deref(), visitor.as_deref(), *empty),
        };
        let on = if found.on_patterns { "patterns" } else { "rows" };
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
            on,
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
        Found { ok, answered, explain: vec![(visitor.into(), privilege.into(), target.into())], on_patterns: false }
    }

    fn who(&mut self, check: &Check) -> Found {
        let Check::Who { privilege, target, contacts, includes, excludes, anonymous, newcomer, anyone } = check else {
            return error("not a `who` expectation".into());
        };
        if privilege != "create" && !target.contains(':') {
            return self.who_table(check);
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
        // The outsiders whose answer differs from the expectation: for
        // `anyone` (C10), the one that grants it when none should, or both
        // when one should and neither does.
        let mut outsiders: Vec<&str> = Vec::new();
        if anonymous.is_some_and(|a| a != ans.anonymous) {
            outsiders.push("anonymous");
        }
        if newcomer.is_some_and(|n| n != ans.newcomer) {
            outsiders.push(NEWCOMER);
        }
        if anyone.is_some_and(|a| a != ans.anyone) {
            for (name, may) in [("anonymous", ans.anonymous), (NEWCOMER, ans.newcomer)] {
                if (may || !ans.anyone) && !outsiders.contains(&name) {
                    outsiders.push(name);
                }
            }
        }
        let ok = wrong.is_empty() && outsiders.is_empty();
        // Coverage: the permissions granting the listed contacts.
        for c in contacts.iter().flatten().chain(includes) {
            if got.contains(c.as_str()) {
                if let Ok(can) = self.a.can(c, privilege, target) {
                    self.cover(&can.via);
                }
            }
        }
        let explain: Vec<(String, String, String)> = outsiders
            .iter()
            .chain(&wrong)
            .map(|c| (c.to_string(), privilege.clone(), target.clone()))
            .collect();
        let answered = serde_json::to_value(&ans).unwrap_or(Value::Null);
        Found { ok, answered, explain, on_patterns: false }
    }

    /// `who: PRIVILEGE TABLE` (A6, A10): the outsiders' flags against the
    /// table's possible patterns (`every` or `some` is a yes), with or
    /// without rows; a table has no contact list to compare.
    fn who_table(&mut self, check: &Check) -> Found {
        let Check::Who { privilege, target, contacts, includes, excludes, anonymous, newcomer, anyone } = check else {
            return error("not a `who` expectation".into());
        };
        if contacts.is_some() || !includes.is_empty() || !excludes.is_empty() {
            return error(format!("`{target}` is a table: contacts are listed for a row (`TABLE:ID`)"));
        }
        let ans = match self.a.who_table(privilege, target) {
            Ok(a) => a,
            Err(e) => return error(e.to_string()),
        };
        let (anon, new) = (ans.anonymous != "none", ans.newcomer != "none");
        let ok = anonymous.is_none_or(|a| a == anon) && newcomer.is_none_or(|n| n == new) && anyone.is_none_or(|a| a == (anon || new));
        if ok {
            // The permissions behind the patterns the expectation checked.
            let ids: Vec<String> = ans.patterns.iter().filter(|e| e.class != "contacts").map(|e| e.permission.clone()).collect();
            self.cover(&ids);
        }
        let answered = serde_json::to_value(&ans).unwrap_or(Value::Null);
        Found { ok, answered, explain: Vec::new(), on_patterns: true }
    }

    /// The grants of one visitor (optionally one privilege and table), the
    /// first [`FIRST`] printed, and how many in all. The newcomer's are
    /// its channel answers (C9: nothing when registration is closed).
    fn grants_of(&self, v: Outsider, privilege: Option<Privilege>, table: Option<TableId>, first: &mut Vec<Value>, explain: &mut Vec<(String, String, String)>) -> usize {
        let (a, t) = (self.a, &self.a.tenant);
        let visitor = match v {
            Outsider::Newcomer => NEWCOMER.to_string(),
            Outsider::Visitor(v) => a.visitor_name(v),
        };
        let table_name = table.map(|tb| t.tables[tb as usize].name.as_str());
        let mut n = 0;
        for p in crate::answer::query::privileges_by_name() {
            if privilege.is_some_and(|q| q != p) {
                continue;
            }
            let targets: Vec<(String, bool)> = match v {
                Outsider::Visitor(v) if p == Privilege::Create => {
                    a.grants.what_create(t, v, table).iter().map(|&tb| (t.tables[tb as usize].name.clone(), false)).collect()
                }
                Outsider::Visitor(v) => a.grants.what(t, v, p, table).iter().map(|&x| (t.row_ref(x), true)).collect(),
                Outsider::Newcomer => match a.what_newcomer(p.name(), table_name) {
                    Ok(w) => {
                        let row = w.rows.is_some();
                        w.rows.or(w.tables).unwrap_or_default().into_iter().map(|x| (x, row)).collect()
                    }
                    Err(_) => Vec::new(),
                },
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
        let anonymous = Outsider::Visitor(Visitor::Anonymous);
        let visitors: Vec<Outsider> = match visitor {
            VisitorClass::Anonymous => vec![anonymous],
            // C10: anyone on the internet is the anonymous visitor or the newcomer.
            VisitorClass::Anyone => vec![anonymous, Outsider::Newcomer],
            VisitorClass::Newcomer => vec![Outsider::Newcomer],
            VisitorClass::Contacts => a.tenant.contacts().map(|c| Outsider::Visitor(Visitor::Contact(c))).collect(),
            VisitorClass::Contact(c) => match a.visitor(c) {
                Ok(v) => vec![Outsider::Visitor(v)],
                Err(e) => return error(e.to_string()),
            },
        };
        let (mut first, mut explain, mut count) = (Vec::new(), Vec::new(), 0);
        for &v in &visitors {
            count += self.grants_of(v, p, tb, &mut first, &mut explain);
        }
        // A10: whether or not rows are loaded, no possible pattern of the class.
        let patterns = self.possible_patterns(visitor, &visitors, p, tb);
        let ok = count == 0 && patterns.is_empty();
        if ok {
            self.cover_table(tb);
        }
        let no_rows = tb.map_or(a.tenant.row_count() == 0, |t| a.tenant.tables[t as usize].rows().is_empty());
        let on_patterns = no_rows || (count == 0 && !patterns.is_empty());
        let first_patterns: Vec<Value> = patterns.iter().take(FIRST).map(|e| json!(e)).collect();
        let answered = json!({"grants": count, "first": first, "patterns": patterns.len(), "first_patterns": first_patterns});
        Found { ok, answered, explain, on_patterns }
    }

    /// The possible patterns a `never` forbids (A10): of its class, on the
    /// privilege and table given; for one contact, those it holds.
    fn possible_patterns(&self, visitor: &VisitorClass, visitors: &[Outsider], p: Option<Privilege>, tb: Option<TableId>) -> Vec<PatternEntry> {
        let a = self.a;
        let classes: &[Class] = match visitor {
            VisitorClass::Anonymous => &[Class::Anonymous],
            VisitorClass::Anyone => &[Class::Anonymous, Class::Newcomer],
            VisitorClass::Newcomer => &[Class::Newcomer],
            VisitorClass::Contacts | VisitorClass::Contact(_) => &[Class::Contacts],
        };
        let one = match (visitor, visitors.first()) {
            (VisitorClass::Contact(_), Some(Outsider::Visitor(v))) => Some(*v),
            _ => None,
        };
        let names = Names::new(&a.tenant, false);
        let mut out = Vec::new();
        for pat in &a.patterns().list {
            if !classes.contains(&pat.class) || tb.is_some_and(|t| t != pat.table) {
                continue;
            }
            if one.is_some_and(|v| !a.grants.holds(&a.tenant, v, pat.perm)) {
                continue;
            }
            for q in Privilege::ALL {
                if p.is_none_or(|p| p == q) && pat.possible_for(q) {
                    let mut e = entry(&a.tenant, &names, pat, Some(q));
                    e.privilege = Some(q.name().to_string());
                    e.table = Some(a.tenant.tables[pat.table as usize].name.clone());
                    out.push(e);
                }
            }
        }
        out
    }

    /// `columns: VISITOR TABLE:ID` (C6, C7): `open` compares with the
    /// answer's, `read` and `update` are exact sets, the `_includes` and
    /// `_excludes` keys bounds. A failure adds, for each column expected
    /// and not answered, the rule that denies it.
    fn columns(&mut self, visitor: &str, row: &str, keys: &Map<String, Value>) -> Found {
        let a = self.a;
        let ans = match a.columns(visitor, row) {
            Ok(ans) => ans,
            Err(e) => return error(e.to_string()),
        };
        let list = |k: &str| -> Option<BTreeSet<&str>> {
            keys.get(k).and_then(Value::as_array).map(|v| v.iter().filter_map(Value::as_str).collect())
        };
        let (mut ok, mut missing) = (keys.get("open").is_none_or(|o| o.as_bool() == Some(ans.open)), Vec::new());
        let mut explain: Vec<(String, String, String)> = Vec::new();
        for (privilege, got) in [(Privilege::Read, &ans.read), (Privilege::Write, &ans.update)] {
            let q = if privilege == Privilege::Read { "read" } else { "update" };
            let got: BTreeSet<&str> = got.iter().map(String::as_str).collect();
            let mut bad = false;
            if let Some(want) = list(q) {
                bad |= want != got;
                missing.extend(want.difference(&got).map(|c| (privilege, c.to_string())));
            }
            if let Some(want) = list(&format!("{q}_includes")) {
                let absent: Vec<&str> = want.difference(&got).copied().collect();
                bad |= !absent.is_empty();
                missing.extend(absent.into_iter().map(|c| (privilege, c.to_string())));
            }
            if let Some(deny) = list(&format!("{q}_excludes")) {
                bad |= deny.iter().any(|c| got.contains(c));
            }
            if bad {
                ok = false;
                explain.push((visitor.to_string(), privilege.name().to_string(), row.to_string()));
            }
        }
        if !ok && explain.is_empty() {
            explain.push((visitor.to_string(), "read".to_string(), row.to_string()));
        }
        let mut answered = serde_json::to_value(&ans).unwrap_or(Value::Null);
        if !ok && !missing.is_empty() {
            let (Ok(v), Ok(x)) = (a.outsider(visitor), a.row(row)) else { return Found { ok, answered, explain, on_patterns: false } };
            let mut denied = Map::new();
            for (p, col) in missing {
                let key = if p == Privilege::Read { format!("read {col}") } else { format!("update {col}") };
                if let Some(reason) = a.column_denial(v, p, x, &col) {
                    denied.insert(key, Value::String(reason));
                }
            }
            if let Value::Object(m) = &mut answered {
                m.insert("denied".to_string(), Value::Object(denied));
            }
        }
        Found { ok, answered, explain, on_patterns: false }
    }

    /// `bypass: {table?, visitor?}` (F8): `empty` compares with whether
    /// some (visitor, row) is in a bypass. `visitor` is a contact id,
    /// `anonymous`, `newcomer` (no F&O user, F2: always empty), `anyone`
    /// (the anonymous visitor, the newcomer having none) or `contacts`;
    /// absent, every visitor.
    fn bypass(&mut self, table: Option<&str>, visitor: Option<&str>, empty: Option<bool>) -> Found {
        let a = self.a;
        let (asked, contacts_only) = match visitor {
            Some(NEWCOMER) => {
                // Checked all the same: a table the tenant lacks is an error.
                if let Some(Err(e)) = table.map(|t| a.table(t)) {
                    return error(e.to_string());
                }
                let ok = empty.is_none_or(|e| e);
                return Found { ok, answered: json!({"bypass": 0, "summary": {}, "first": []}), explain: Vec::new(), on_patterns: false };
            }
            Some("anyone") => (Some("anonymous"), false),
            Some("contacts") => (None, true),
            other => (other, false),
        };
        let ans = match a.bypass(asked, table) {
            Ok(ans) => ans,
            Err(e) => return error(e.to_string()),
        };
        let lines: Vec<&crate::answer::bypass::BypassLine> =
            ans.lines.iter().filter(|l| !contacts_only || l.visitor != "anonymous").collect();
        let first: Vec<Value> = lines.iter().take(FIRST).map(|l| json!({"visitor": l.visitor, "row": l.row, "user": l.user})).collect();
        let explain = lines.iter().take(FIRST).map(|l| (l.visitor.clone(), "read".to_string(), l.row.clone())).collect();
        let summary = crate::answer::bypass::summary_of(lines.iter().copied());
        let ok = empty.is_none_or(|e| e == lines.is_empty());
        Found { ok, answered: json!({"bypass": lines.len(), "summary": summary, "first": first}), explain, on_patterns: false }
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
        Found { ok, answered: json!({"breaking": count, "first": first}), explain, on_patterns: false }
    }
}
