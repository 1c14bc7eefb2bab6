//! Scale check: builds a large synthetic tenant in memory and times the
//! three derivations (row-level rules, plan + rows, hand-written), or
//! writes such a tenant to a file for the command line.
//!
//! ```text
//! cargo run --release --example scale -- derive fast 1000000 100000
//! cargo run --release --example scale -- derive reference 1000000 100000
//! cargo run --release --example scale -- write tenant.json 1000000 100000
//! cargo run --release --example scale -- write-global issue.json 1000000 100000
//! cargo run --release --example scale -- load tenant.json fast
//! ```
//!
//! The tenant: accounts (a tenth of the contacts), contacts, and cases,
//! portal comments, notes and articles sharing the other rows. Trees: a
//! Contact chain three Parent levels deep (contact -> case -> comment ->
//! note) held by every contact, the same chain from an Account top held by
//! a plain role, a Global chain (case -> comment), Global articles for
//! everyone and Self on contact. `write-global` writes the tenant of the
//! core issue: every contact holds the authenticated role, one Global read
//! permission on a table of `ROWS` rows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::model::Tenant;
use portal_access::load::raw::{RawPermission, RawRole, RawRow, RawTable, RawTenant};
use portal_access::engine::{self, baseline, plan};
use serde_json::{json, Value};
use std::time::Instant;

struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// A lookup column and the value it takes in row `i`.
type Column<'a> = (&'a str, Box<dyn FnMut(usize) -> Option<String>>);

fn table(name: &str, prefix: &str, n: usize, mut lookups: Vec<Column>) -> RawTable {
    let mut t = RawTable::new(name);
    let cols: Vec<u32> = lookups.iter().map(|(c, _)| t.column(c)).collect();
    let title = t.column("title");
    for i in 0..n {
        let mut fields = Vec::with_capacity(cols.len() + 1);
        for (k, (_, f)) in lookups.iter_mut().enumerate() {
            if let Some(v) = f(i) {
                fields.push((cols[k], Value::String(v)));
            }
        }
        fields.push((title, Value::String(format!("{name} {i}"))));
        t.push(RawRow { id: format!("{prefix}{i}"), fields });
    }
    t
}

fn role(id: &str, anon: bool, auth: bool) -> RawRole {
    RawRole { id: id.into(), name: id.into(), anonymous_users: anon, authenticated_users: auth, active: true, origin: None }
}

fn perm(id: &str, table: &str, scope: &str, roles: &[&str], rel: Option<(&str, &str)>, parent: Option<&str>) -> RawPermission {
    let mut p = RawPermission {
        id: id.into(),
        name: id.into(),
        table: table.into(),
        scope: json!(scope),
        privileges: vec!["read".into(), "write".into(), "append".into()],
        web_roles: roles.iter().map(|r| r.to_string()).collect(),
        parent: parent.map(String::from),
        active: true,
        ..RawPermission::default()
    };
    match rel {
        Some(("contact", r)) => p.contact_relationship = Some(r.into()),
        Some(("account", r)) => p.account_relationship = Some(r.into()),
        Some((_, r)) => p.parent_relationship = Some(r.into()),
        None => {}
    }
    p
}

/// The mixed tenant: `rows` rows in all, `contacts` of them contacts.
fn mixed(rows: usize, contacts: usize) -> RawTenant {
    let accounts = (contacts / 10).max(1);
    let rest = rows.saturating_sub(contacts + accounts);
    let (cases, comments, notes) = (rest * 3 / 10, rest * 3 / 10, rest * 3 / 10);
    let articles = rest - cases - comments - notes;
    let mut g = Lcg(7);
    let mut raw = RawTenant::new();
    raw.rows.0.push(std::sync::Arc::new(table("account", "A", accounts, vec![])));
    let mut g1 = Lcg(1);
    raw.rows.0.push(std::sync::Arc::new(table(
        "contact",
        "C",
        contacts,
        vec![("parentcustomerid", Box::new(move |_| Some(format!("A{}", g1.below(accounts)))))],
    )));
    let mut g2 = Lcg(2);
    raw.rows.0.push(std::sync::Arc::new(table(
        "incident",
        "I",
        cases,
        vec![(
            "customerid",
            Box::new(move |_| {
                Some(if g2.below(2) == 0 { format!("C{}", g2.below(contacts)) } else { format!("A{}", g2.below(accounts)) })
            }),
        )],
    )));
    let mut g3 = Lcg(3);
    raw.rows.0.push(std::sync::Arc::new(table(
        "adx_portalcomment",
        "PC",
        comments,
        vec![("regardingobjectid", Box::new(move |_| Some(format!("I{}", g3.below(cases.max(1))))))],
    )));
    let mut g4 = Lcg(4);
    raw.rows.0.push(std::sync::Arc::new(table(
        "annotation",
        "N",
        notes,
        vec![("objectid", Box::new(move |_| Some(format!("PC{}", g4.below(comments.max(1))))))],
    )));
    raw.rows.0.push(std::sync::Arc::new(table("knowledgearticle", "K", articles, vec![])));
    raw.web_roles = vec![role("R-anon", true, false), role("R-auth", false, true), role("R-cust", false, false)];
    for i in 0..accounts {
        if g.below(4) == 0 {
            std::sync::Arc::make_mut(&mut raw.role_members).accounts.push((format!("A{i}"), "R-cust".into()));
        }
    }
    for i in 0..contacts {
        if g.below(4) == 0 {
            std::sync::Arc::make_mut(&mut raw.role_members).contacts.push((format!("C{i}"), "R-cust".into()));
        }
    }
    raw.table_permissions = vec![
        perm("TP-c", "incident", "contact", &["R-auth"], Some(("contact", "incident_customer_contacts")), None),
        perm("TP-c-pc", "adx_portalcomment", "parent", &[], Some(("parent", "incident_adx_portalcomments")), Some("TP-c")),
        perm("TP-c-n", "annotation", "parent", &[], Some(("parent", "adx_portalcomment_Annotations")), Some("TP-c-pc")),
        perm("TP-a", "incident", "account", &["R-cust"], Some(("account", "incident_customer_accounts")), None),
        perm("TP-a-pc", "adx_portalcomment", "parent", &[], Some(("parent", "incident_adx_portalcomments")), Some("TP-a")),
        perm("TP-a-n", "annotation", "parent", &[], Some(("parent", "adx_portalcomment_Annotations")), Some("TP-a-pc")),
        perm("TP-g", "incident", "global", &["R-cust"], None, None),
        perm("TP-g-pc", "adx_portalcomment", "parent", &[], Some(("parent", "incident_adx_portalcomments")), Some("TP-g")),
        perm("TP-kb", "knowledgearticle", "global", &["R-anon", "R-auth"], None, None),
        perm("TP-self", "contact", "self", &["R-auth"], None, None),
    ];
    raw
}

/// The core issue: every contact holds the authenticated role; one Global
/// read permission on a table of `rows` rows.
fn global(rows: usize, contacts: usize) -> RawTenant {
    let mut raw = RawTenant::new();
    raw.rows.0.push(std::sync::Arc::new(table("contact", "C", contacts, vec![])));
    raw.rows.0.push(std::sync::Arc::new(table("knowledgearticle", "K", rows, vec![])));
    raw.web_roles = vec![role("R-auth", false, true)];
    let mut p = perm("TP-kb", "knowledgearticle", "global", &["R-auth"], None, None);
    p.privileges = vec!["read".into()];
    raw.table_permissions = vec![p];
    raw
}

fn hwm_mib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
        / 1024
}

fn rss_mib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap_or(0)
        / 1024
}

/// CPU time of this (single-threaded) process, from the scheduler.
fn cpu() -> std::time::Duration {
    let s = std::fs::read_to_string("/proc/self/schedstat").unwrap_or_default();
    std::time::Duration::from_nanos(s.split_whitespace().next().and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Times each stage of `load FILE` + derive + index: wall, CPU, RSS.
fn load(path: &str, engine: &str) {
    let mut last = (Instant::now(), cpu());
    let mut stage = |name: &str| {
        let now = (Instant::now(), cpu());
        eprintln!(
            "{name:>8}: wall {:>8.3?} cpu {:>8.3?} | VmRSS {} MiB, VmHWM {} MiB",
            now.0 - last.0,
            now.1 - last.1,
            rss_mib(),
            hwm_mib()
        );
        last = (Instant::now(), cpu());
    };
    let raw = portal_access::load::read_raw(std::path::Path::new(path)).unwrap();
    stage("read");
    let t = Tenant::build(raw, path).unwrap();
    stage("build");
    let d = match engine {
        "reference" => portal_access_rules::derive(&engine::facts(&t)),
        "baseline" => baseline::derive(&t),
        _ => plan::derive(&t),
    };
    stage("derive");
    let g = portal_access::Grants::index(&t, d);
    stage("index");
    drop(g);
    drop(t);
    stage("drop");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: scale derive reference|fast|baseline|plan|compare ROWS CONTACTS | scale write|write-global FILE ROWS CONTACTS | scale load FILE [reference|fast|baseline]";
    let (Some(cmd), Some(what)) = (args.get(1), args.get(2)) else { panic!("{usage}") };
    let number = |i: usize, default: usize| args.get(i).map(|s| s.parse().unwrap()).unwrap_or(default);
    let (rows, contacts) = if cmd == "load" { (0, 0) } else { (number(3, 1_000_000), number(4, 100_000)) };
    match cmd.as_str() {
        "load" => load(what, args.get(3).map(String::as_str).unwrap_or("fast")),
        "write" | "write-global" => {
            let raw = if cmd == "write" { mixed(rows, contacts) } else { global(rows, contacts) };
            let f = std::io::BufWriter::new(std::fs::File::create(what).unwrap());
            serde_json::to_writer(f, &raw).unwrap();
        }
        "derive" => {
            let t0 = Instant::now();
            let t = Tenant::build(mixed(rows, contacts), "scale").unwrap();
            let built = t0.elapsed();
            let before = hwm_mib();
            let t1 = Instant::now();
            let c1 = cpu();
            let d = match what.as_str() {
                "reference" => portal_access_rules::derive(&engine::facts(&t)),
                "fast" => plan::derive(&t),
                "baseline" => baseline::derive(&t),
                "compare" => {
                    let want = portal_access_rules::derive(&engine::facts(&t));
                    let reference = t1.elapsed();
                    let (f, b) = (plan::derive(&t), baseline::derive(&t));
                    println!("reference {reference:.2?}: fast equal {}, baseline equal {}", f == want, b == want);
                    assert!(f == want && b == want);
                    return;
                }
                "plan" => {
                    let p = portal_access_rules::plan::plan(&engine::config_facts(&t));
                    println!("plan: {} chain entries in {:.3?}", p.chain.len(), t1.elapsed());
                    return;
                }
                _ => panic!("{usage}"),
            };
            let derive = t1.elapsed();
            let derive_cpu = cpu() - c1;
            let counts = (d.in_g.len(), d.in_c.len(), d.in_a.len(), d.contact_grant.len(), d.account_grant.len() + d.account_member_grant.len());
            let after_derive = hwm_mib();
            let t2 = Instant::now();
            let g = portal_access::Grants::index(&t, d);
            let index = t2.elapsed();
            println!(
                "{what}: rows {} links {} | build {:.2?} | derive {:.3?} (cpu {:.3?}) | index {:.3?} | facts in_g {} in_c {} in_a {} contact_grant {} account_grant {} | VmHWM after build {} MiB, after derive {} MiB, after index {} MiB",
                t.row_count(),
                t.links.len(),
                built,
                derive,
                derive_cpu,
                index,
                counts.0,
                counts.1,
                counts.2,
                counts.3,
                counts.4,
                before,
                after_derive,
                hwm_mib()
            );
            drop(g);
        }
        _ => panic!("{usage}"),
    }
}
