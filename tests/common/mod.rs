//! Helpers shared by the integration tests: run a query through the library
//! (`check`) or through the real binary (`run_bin`), and compare the keys of
//! the JSON answer that the test names.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::load::native::parse_native;
use portal_access::answer::query::Analysis;
use portal_access::{LoadError, QueryError, Tenant};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The native format tag.
pub const FORMAT: &str = "portal-access/tenant@1";

/// The file name the library is told a tenant text came from.
pub const SOURCE: &str = "tenant.json";

/// A tenant given as JSON text or as a JSON value.
pub trait TenantText {
    /// The JSON text.
    fn text(&self) -> String;
}
impl TenantText for Value {
    fn text(&self) -> String {
        self.to_string()
    }
}
impl TenantText for str {
    fn text(&self) -> String {
        self.to_string()
    }
}
impl TenantText for String {
    fn text(&self) -> String {
        self.clone()
    }
}

/// `v` with `"format"` set to the native tag when it has none: keeps the
/// tenants written in tests down to what they are about.
pub fn tenant(mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        if !m.contains_key("format") {
            m.insert("format".into(), Value::String(FORMAT.into()));
        }
    }
    v
}

/// Loads a tenant through the library (parse, validate, derive).
pub fn try_analysis<T: TenantText + ?Sized>(t: &T) -> Result<Analysis, LoadError> {
    let raw = parse_native(&t.text(), SOURCE)?;
    Ok(Analysis::new(Tenant::build(raw, SOURCE)?))
}

/// Loads a tenant that must load.
pub fn analysis<T: TenantText + ?Sized>(t: &T) -> Analysis {
    match try_analysis(t) {
        Ok(a) => a,
        Err(e) => panic!("tenant does not load: {e}\n{}", t.text()),
    }
}

/// The load error of a tenant that must not load.
pub fn load_error<T: TenantText + ?Sized>(t: &T) -> LoadError {
    match try_analysis(t) {
        Ok(_) => panic!("tenant loads but should not:\n{}", t.text()),
        Err(e) => e,
    }
}

fn json<T: serde::Serialize>(r: Result<T, QueryError>) -> Result<Value, QueryError> {
    r.map(|x| serde_json::to_value(x).unwrap())
}

/// Answers one query (`can V P T`, `who P T`, `what V P [--table T]`), as
/// its `--json` object.
pub fn answer(a: &Analysis, query: &[&str]) -> Result<Value, QueryError> {
    match query {
        ["can", v, p, t] => json(a.can(v, p, t)),
        ["who", "open", t] => json(a.who_open(t)),
        ["who", "invoke", t] => json(a.who_invoke(t)),
        ["reach", v] => json(a.reach(v)),
        ["who", p, t] => json(a.who(p, t)),
        ["what", v, p] => json(a.what(v, p, None)),
        ["what", v, p, "--table", t] => json(a.what(v, p, Some(t))),
        other => panic!("the test helper does not know query {other:?}"),
    }
}

/// Panics unless every key of `expected` is in `got` with the same value.
pub fn compare(what: &str, got: &Value, expected: &Value) {
    let Value::Object(want) = expected else { panic!("expected answer must be an object: {expected}") };
    let mut miss = Vec::new();
    for (k, v) in want {
        if got.get(k) != Some(v) {
            miss.push(format!("  {k}: want {v}, got {}", got.get(k).map_or("(missing)".to_string(), Value::to_string)));
        }
    }
    assert!(miss.is_empty(), "{what}\n{}\nwhole answer: {got}", miss.join("\n"));
}

/// Runs `query` against an already loaded tenant through the library and
/// compares the keys of `expected`.
pub fn check_in(a: &Analysis, query: &[&str], expected: Value) {
    let got = answer(a, query).unwrap_or_else(|e| panic!("query {query:?} failed: {e}"));
    compare(&format!("query {query:?}"), &got, &expected);
}

/// Loads `tenant` through the library, runs `query`, and compares the keys
/// of `expected` with the JSON answer.
pub fn check<T: TenantText + ?Sized>(tenant: &T, query: &[&str], expected: Value) {
    check_in(&analysis(tenant), query, expected);
}

/// Every grant (S25) as `(visitor, privilege, target)`, from the library.
pub fn grant_set(a: &Analysis) -> BTreeSet<(String, String, String)> {
    grant_lines(a).into_iter().collect()
}

/// Every grant (S25) as the library prints it, in its print order.
pub fn printed_grants(a: &Analysis) -> Vec<portal_access::answer::query::GrantLine> {
    let mut out = Vec::new();
    a.for_each_grant(None, |g| {
        out.push(g.clone());
        Ok(())
    })
    .unwrap()
    .unwrap();
    out
}

/// Every grant (S25) as the library prints it, as a set.
pub fn grant_line_set(a: &Analysis) -> BTreeSet<portal_access::answer::query::GrantLine> {
    printed_grants(a).into_iter().collect()
}

/// Every grant (S25) in the order the library streams them.
pub fn grant_lines(a: &Analysis) -> Vec<(String, String, String)> {
    let triple = |g: portal_access::answer::query::GrantLine| {
        let target = g.target().to_string();
        (g.visitor, g.privilege, target)
    };
    printed_grants(a).into_iter().map(triple).collect()
}

/// Runs the real binary; returns (exit code, stdout, stderr). A process
/// killed by a signal reports exit code -1.
pub fn run_bin(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_portal-access")).args(args).output().expect("cannot run portal-access");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs a query through the binary with `--json` against a tenant file and
/// returns its one JSON answer (panics unless the exit code is 0).
pub fn bin_answer(tenant: &Path, query: &[&str]) -> Value {
    let file = tenant.to_str().unwrap();
    let mut args = vec![query[0], file];
    args.extend_from_slice(&query[1..]);
    args.push("--json");
    let (code, out, err) = run_bin(&args);
    assert_eq!(code, 0, "{args:?} exited {code}: {err}");
    let last = out.lines().last().unwrap_or_else(|| panic!("{args:?} printed nothing"));
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}): {out}"))
}

/// A fresh folder under cargo's scratch folder for integration tests.
pub fn scratch_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pa-{name}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes a tenant to a fresh file named `name` and returns its path.
pub fn write_tenant<T: TenantText + ?Sized>(name: &str, t: &T) -> PathBuf {
    let path = scratch_dir(name).join(name);
    std::fs::write(&path, t.text()).unwrap();
    path
}

/// The spec's example tenant, as copied into the repository.
pub fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/spec-examples/customer-service.json")
}

/// The example tenant as a JSON value.
pub fn example() -> Value {
    serde_json::from_str(&std::fs::read_to_string(example_path()).unwrap()).unwrap()
}

/// A small seeded PRNG (SplitMix64): failures reproduce from the seed.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// True with probability `num / den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next_u64() % den < num
    }
    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// The newcomer's grants (channels.md C9) by the graph walker: the grants
/// of the one extra contact the tenant has once someone signs up, on the
/// tenant's own rows and tables; `None` when registration is closed (C8).
/// `None` too past `max_rows` rows (the walk asks row by row).
pub fn walked_newcomer_lines(
    t: &Tenant,
    max_rows: u32,
) -> Option<Option<BTreeSet<portal_access::answer::whatif::NewcomerLine>>> {
    use portal_access::answer::whatif::NewcomerLine;
    use portal_access::engine::walk::Walker;
    use portal_access::engine::walk_channels::{registration_open, NewcomerWorld};
    use portal_access::engine::Visitor;
    use portal_access::model::Privilege;
    if t.row_count() > max_rows {
        return None;
    }
    if !registration_open(t) {
        return Some(None);
    }
    let world = NewcomerWorld::new(t).expect("the tenant takes one more contact");
    let w = Walker::new(&world.tenant);
    let me = Visitor::Contact(world.contact);
    let line = |p: Privilege, row: Option<String>, table: Option<String>| NewcomerLine {
        privilege: p.name().to_string(),
        row,
        table,
    };
    let mut out = BTreeSet::new();
    for x in 0..t.row_count() {
        let y = world.row(t, x).expect("every row is in the world");
        for p in Privilege::ALL.into_iter().filter(|&p| p != Privilege::Create) {
            if !w.can(me, p, y).is_empty() {
                out.insert(line(p, Some(t.row_ref(x)), None));
            }
        }
    }
    for tb in &t.tables {
        let y = world.tenant.table_id(&tb.name).expect("every table is in the world");
        if !w.can_create(me, y).is_empty() {
            out.insert(line(Privilege::Create, None, Some(tb.name.clone())));
        }
    }
    Some(Some(out))
}

/// The newcomer's part of a what-if answer expected from the walked grants
/// of both tenants: `None` when registration is closed in both.
pub fn expected_newcomer(
    before: Option<BTreeSet<portal_access::answer::whatif::NewcomerLine>>,
    after: Option<BTreeSet<portal_access::answer::whatif::NewcomerLine>>,
) -> Option<portal_access::answer::whatif::NewcomerChanges> {
    if before.is_none() && after.is_none() {
        return None;
    }
    let (b, a) = (before.unwrap_or_default(), after.unwrap_or_default());
    Some(portal_access::answer::whatif::NewcomerChanges {
        gained: a.difference(&b).cloned().collect(),
        lost: b.difference(&a).cloned().collect(),
    })
}

/// Random tenant sizes for the property tests over `testkit::random_tenant`.
pub fn sizes() -> impl proptest::strategy::Strategy<Value = portal_access::perf::testkit::Size> {
    use proptest::strategy::Strategy;
    (0usize..8, 0usize..5, 0usize..6, 0usize..16).prop_map(|(contacts, accounts, rows_per_table, permissions)| {
        portal_access::perf::testkit::Size { contacts, accounts, rows_per_table, permissions }
    })
}

// ------------------------------------------------- the rule tests' questions

/// The three kinds of role most tests need: `RU` authenticated users role,
/// `RA` anonymous users role, `R` a plain role held through membership.
pub fn roles() -> Value {
    json!([
        {"id": "RU", "name": "Authenticated Users", "authenticated_users": true},
        {"id": "RA", "name": "Anonymous Users", "anonymous_users": true},
        {"id": "R", "name": "Members"}
    ])
}

pub fn what(a: &Analysis, visitor: &str, privilege: &str, rows: &[&str]) {
    check_in(a, &["what", visitor, privilege], json!({ "rows": rows }));
}

pub fn what_in(a: &Analysis, visitor: &str, privilege: &str, table: &str, rows: &[&str]) {
    check_in(a, &["what", visitor, privilege, "--table", table], json!({ "rows": rows }));
}

pub fn can(a: &Analysis, visitor: &str, privilege: &str, target: &str, via: &[&str]) {
    check_in(a, &["can", visitor, privilege, target], json!({"allowed": !via.is_empty(), "via": via}));
}

pub fn who(a: &Analysis, privilege: &str, target: &str, anonymous: bool, contacts: &[&str]) {
    check_in(a, &["who", privilege, target], json!({"anonymous": anonymous, "contacts": contacts}));
}

/// Copies folder `from` into `to`, recursively (test fixtures edited in a
/// scratch folder, never in place).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
