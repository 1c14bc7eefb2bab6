//! Two engines, one truth: the Datalog derivation (`engine::Grants`) and the
//! demand-driven graph walk (`walk::Walker`) must agree on every
//! (visitor, row, privilege), on `who` for every row and privilege, and on
//! `create` for every table, over random tenants (`testkit::random_tenant`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::engine::{Grants, Visitor};
use portal_access::model::{Privilege, Tenant};
use portal_access::load::raw::RawTenant;
use portal_access::perf::testkit::{random_tenant, Size};
use portal_access::engine::walk::Walker;
use proptest::prelude::*;

mod common;
use common::sizes;

/// Every disagreement between the two engines on one tenant, as readable lines.
fn disagreements(t: &Tenant) -> Vec<String> {
    let g = Grants::derive(t);
    let w = Walker::new(t);
    let mut out = Vec::new();
    let visitors: Vec<Visitor> =
        std::iter::once(Visitor::Anonymous).chain(t.contacts().map(Visitor::Contact)).collect();
    let vname = |v: Visitor| match v {
        Visitor::Anonymous => "anonymous".to_string(),
        Visitor::Contact(c) => t.row_name(c).to_string(),
    };
    let pnames = |v: &[u32]| v.iter().map(|&n| t.permissions[n as usize].id.clone()).collect::<Vec<_>>();
    let rnames = |v: &[u32]| v.iter().map(|&c| t.row_name(c).to_string()).collect::<Vec<_>>();
    let rows: Vec<u32> = (0..t.row_count()).collect();
    for p in Privilege::ALL {
        if p == Privilege::Create {
            continue;
        }
        for &x in &rows {
            for &v in &visitors {
                let (a, b) = (g.can(t, v, p, x), w.can(v, p, x));
                if a != b {
                    out.push(format!(
                        "can {} {p} {}: datalog {:?}, walker {:?}",
                        vname(v),
                        t.row_ref(x),
                        pnames(&a),
                        pnames(&b)
                    ));
                }
            }
            let (a, b) = (g.who(t, p, x), w.who(p, x));
            if a != b {
                out.push(format!(
                    "who {p} {}: datalog {:?} {:?}, walker {:?} {:?}",
                    t.row_ref(x),
                    a.0,
                    rnames(&a.1),
                    b.0,
                    rnames(&b.1)
                ));
            }
        }
        // `what` is the row-wise transpose of `can`.
        for &v in &visitors {
            let mut expect: Vec<u32> = rows.iter().copied().filter(|&x| !w.can(v, p, x).is_empty()).collect();
            portal_access::engine::sort_rows(t, &mut expect);
            let got = g.what(t, v, p, None);
            if got != expect {
                out.push(format!("what {} {p}: datalog {:?}, walker {:?}", vname(v), rnames(&got), rnames(&expect)));
            }
        }
    }
    for table in 0..t.tables.len() as u32 {
        let name = &t.tables[table as usize].name;
        for &v in &visitors {
            let (a, b) = (g.can_create(t, v, table), w.can_create(v, table));
            if a != b {
                out.push(format!("can {} create {name}: datalog {:?}, walker {:?}", vname(v), pnames(&a), pnames(&b)));
            }
        }
        let (a, b) = (g.who_create(t, table), w.who_create(table));
        if a != b {
            out.push(format!(
                "who create {name}: datalog {:?} {:?}, walker {:?} {:?}",
                a.0,
                rnames(&a.1),
                b.0,
                rnames(&b.1)
            ));
        }
    }
    for &v in &visitors {
        let mut expect: Vec<u32> = (0..t.tables.len() as u32).filter(|&tb| !w.can_create(v, tb).is_empty()).collect();
        expect.sort_by(|a, b| t.tables[*a as usize].name.cmp(&t.tables[*b as usize].name));
        let got = g.what_create(t, v, None);
        if got != expect {
            out.push(format!("what {} create: datalog {got:?}, walker {expect:?}", vname(v)));
        }
    }
    out
}

fn check_raw(raw: RawTenant) {
    let t = Tenant::build(raw.clone(), "case").unwrap();
    let d = disagreements(&t);
    assert!(
        d.is_empty(),
        "{} disagreements:\n{}\ntenant: {}",
        d.len(),
        d.join("\n"),
        serde_json::to_string(&raw).unwrap()
    );
}

fn check_json(json: &str) {
    check_raw(portal_access::load::native::parse_native(json, "case").unwrap());
}


/// 256 cases, or more when `PROPTEST_CASES` asks for more (never fewer).
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(256).max(256)
}

/// Larger tenants, fewer of them (still every triple checked).
fn big_sizes() -> impl Strategy<Value = Size> {
    (8usize..30, 3usize..10, 4usize..12, 10usize..40).prop_map(|(contacts, accounts, rows_per_table, permissions)| {
        Size { contacts, accounts, rows_per_table, permissions }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    /// S1 to S25 through two implementations: they agree everywhere.
    #[test]
    fn walker_agrees_with_datalog(seed in any::<u64>(), size in sizes()) {
        let t = Tenant::build(random_tenant(seed, size), "random").unwrap();
        let d = disagreements(&t);
        prop_assert!(d.is_empty(), "seed {} size {:?}: {} disagreements:\n{}", seed, size, d.len(), d.join("\n"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases() / 8))]

    /// The same on tenants a few times bigger (longer link chains, more holders).
    #[test]
    fn walker_agrees_with_datalog_on_bigger_tenants(seed in any::<u64>(), size in big_sizes()) {
        let t = Tenant::build(random_tenant(seed, size), "random").unwrap();
        let d = disagreements(&t);
        prop_assert!(d.is_empty(), "seed {} size {:?}: {} disagreements:\n{}", seed, size, d.len(), d.join("\n"));
    }
}

/// A fixed sweep of seeds at the default size, so a plain `cargo test` run
/// covers the same tenants every time as well as the random ones.
#[test]
fn walker_agrees_with_datalog_on_fixed_seeds() {
    for seed in 0..64 {
        let t = Tenant::build(random_tenant(seed, Size::small()), "random").unwrap();
        let d = disagreements(&t);
        assert!(d.is_empty(), "seed {seed}: {} disagreements:\n{}", d.len(), d.join("\n"));
    }
}

#[test]
fn example_tenant_agrees() {
    let raw = portal_access::load::read_raw(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/customer-service.json"
    )))
    .unwrap();
    check_raw(raw);
}

/// More than 64 web roles: random tenants whose memberships and permission
/// roles are renamed onto roles numbered past 64 (role sets span several
/// words in the engine) still agree with the walker.
#[test]
fn tenants_with_more_than_64_roles_agree() {
    use std::sync::Arc;
    for seed in 0..16 {
        let mut raw = random_tenant(seed, Size::small());
        let extra = 70;
        let template = raw.web_roles.first().cloned().expect("a role");
        let old: Vec<String> = raw.web_roles.iter().map(|r| r.id.clone()).collect();
        let flagged: Vec<String> =
            raw.web_roles.iter().filter(|r| r.anonymous_users || r.authenticated_users).map(|r| r.id.clone()).collect();
        for i in 0..extra {
            let mut r = template.clone();
            r.id = format!("RX{i}");
            r.anonymous_users = false;
            r.authenticated_users = false;
            r.active = true;
            raw.web_roles.push(r);
        }
        // Every use of plain role k now names RX(64 + k % 6), past the first
        // word; the anonymous and authenticated roles keep their uses.
        let rename = |id: &String| -> String {
            match old.iter().position(|o| o == id) {
                Some(k) if !flagged.contains(id) => format!("RX{}", 64 + k % 6),
                _ => id.clone(),
            }
        };
        let members = Arc::make_mut(&mut raw.role_members);
        for m in members.contacts.iter_mut().chain(members.accounts.iter_mut()) {
            m.1 = rename(&m.1);
        }
        for p in &mut raw.table_permissions {
            p.web_roles = p.web_roles.iter().map(&rename).collect();
        }
        let t = Tenant::build(raw.clone(), "many-roles").unwrap();
        assert!(t.roles.len() > 64);
        let d = disagreements(&t);
        assert!(d.is_empty(), "seed {seed}: {} disagreements:\n{}", d.len(), d.join("\n"));
    }
}

// ----------------------------------------------------------- hand-made cases

/// S21: Account scope on `account` through `account_parent_account` admits
/// the children of the visitor's account, not its parent, one level only.
#[test]
fn s21_self_referential_account_scope() {
    check_json(
        r#"{"format": "portal-access/tenant@1",
        "rows": {"account": [{"id": "A1"}, {"id": "A2", "parentaccountid": "A1"}, {"id": "A3", "parentaccountid": "A2"}],
                 "contact": [{"id": "C1", "parentcustomerid": "A2"}]},
        "web_roles": [{"id": "R", "name": "R", "authenticated_users": true}],
        "table_permissions": [{"id": "TP", "table": "account", "scope": "account",
            "account_relationship": "account_parent_account", "privileges": ["read"], "web_roles": ["R"]}]}"#,
    );
}

/// S22: a self N:N relates both rows of each pair, in either direction,
/// under a Parent chain of depth 2 whose top is Contact scope.
#[test]
fn s22_self_many_to_many_under_parent_chain() {
    check_json(
        r#"{"format": "portal-access/tenant@1",
        "relationships": [
            {"name": "proj_owner", "referencing": "proj", "lookup": "ownerid", "referenced": "contact"},
            {"name": "proj_related", "kind": "many_to_many", "tables": ["proj", "proj"]},
            {"name": "task_proj", "referencing": "task", "lookup": "projid", "referenced": "proj"}],
        "rows": {"contact": [{"id": "C1"}, {"id": "C2"}],
                 "proj": [{"id": "P1", "ownerid": "C1"}, {"id": "P2"}, {"id": "P3", "ownerid": "C2"}],
                 "task": [{"id": "T1", "projid": "P2"}, {"id": "T2", "projid": "P3"}, {"id": "T3", "projid": null}]},
        "associations": {"proj_related": [["P2", "P1"], ["P3", "P3"]]},
        "web_roles": [{"id": "R", "name": "R", "authenticated_users": true}],
        "table_permissions": [
            {"id": "TP1", "table": "proj", "scope": "contact", "contact_relationship": "proj_owner", "privileges": [], "web_roles": ["R"]},
            {"id": "TP2", "table": "proj", "scope": "parent", "parent": "TP1", "parent_relationship": "proj_related", "privileges": ["read"]},
            {"id": "TP3", "table": "task", "scope": "parent", "parent": "TP2", "parent_relationship": "task_proj", "privileges": ["read", "write"]}]}"#,
    );
}

/// S13: a Parent chain under a Global root admits only child rows linked to
/// some parent row (S24: a dangling lookup links nothing).
#[test]
fn s13_parent_under_global_needs_a_link() {
    check_json(
        r#"{"format": "portal-access/tenant@1",
        "rows": {"contact": [{"id": "C1"}], "incident": [{"id": "I1"}],
                 "annotation": [{"id": "N1", "objectid": "I1"}, {"id": "N2", "objectid": null}, {"id": "N3", "objectid": "I9"}]},
        "web_roles": [{"id": "R-anon", "name": "A", "anonymous_users": true}, {"id": "R-both", "name": "B", "anonymous_users": true, "authenticated_users": true}],
        "role_members": {"contacts": [["C1", "R-anon"]]},
        "table_permissions": [
            {"id": "G", "table": "incident", "scope": "global", "privileges": [], "web_roles": ["R-anon", "R-both"]},
            {"id": "N", "table": "annotation", "scope": "parent", "parent": "G", "parent_relationship": "Incident_Annotation", "privileges": ["read"]}]}"#,
    );
}

/// S7 and S6: an inactive node cuts its subtree; roles on a child are ignored;
/// a Global child under a Contact parent admits every row (S9).
#[test]
fn s6_s7_s9_inactive_child_roles_global_child() {
    check_json(
        r#"{"format": "portal-access/tenant@1",
        "rows": {"contact": [{"id": "C1"}, {"id": "C2"}], "incident": [{"id": "I1", "customerid": "C1"}, {"id": "I2"}],
                 "annotation": [{"id": "N1", "objectid": "I1"}, {"id": "N2", "objectid": "I2"}]},
        "web_roles": [{"id": "R1", "name": "R1"}, {"id": "R2", "name": "R2"}],
        "role_members": {"contacts": [["C1", "R1"], ["C2", "R2"]]},
        "table_permissions": [
            {"id": "P", "table": "incident", "scope": "contact", "contact_relationship": "incident_customer_contacts", "privileges": ["read"], "web_roles": ["R1"]},
            {"id": "Q", "table": "annotation", "scope": "global", "parent": "P", "privileges": ["read"], "web_roles": ["R2"]},
            {"id": "X", "table": "incident", "scope": "global", "parent": "P", "privileges": ["write"], "active": false},
            {"id": "Y", "table": "annotation", "scope": "parent", "parent": "X", "parent_relationship": "Incident_Annotation", "privileges": ["delete"]}]}"#,
    );
}

// ----------------------------------------------------------- regressions

/// Broke `Grants::who_create` (proptest seed 18356142247276356705): it
/// stopped at the first create candidate held by every contact, so a later
/// candidate held by the anonymous users role was never counted (S4, S17).
#[test]
fn who_create_counts_anonymous_after_a_tree_everyone_holds() {
    let json = r#"{"format": "portal-access/tenant@1",
        "rows": {"contact": [{"id": "C1"}]},
        "web_roles": [{"id": "R-auth", "name": "A", "authenticated_users": true}, {"id": "R-anon", "name": "N", "anonymous_users": true}],
        "table_permissions": [
            {"id": "TP1", "table": "lead", "scope": "global", "privileges": ["create"], "web_roles": ["R-auth"]},
            {"id": "TP2", "table": "lead", "scope": "custom", "privileges": ["create"], "web_roles": ["R-anon"]}]}"#;
    check_json(json);
    let t = Tenant::build(portal_access::load::native::parse_native(json, "case").unwrap(), "case").unwrap();
    let g = Grants::derive(&t);
    let (anonymous, contacts) = g.who_create(&t, t.table_id("lead").unwrap());
    assert!(anonymous);
    assert_eq!(contacts, vec![t.contact("C1").unwrap()]);
}

// ------------------------------------------------------------ channels (C1 to C11)

use portal_access::engine::channels::{ChannelIndex, Outsider};
use portal_access::engine::walk_channels::{self, ColumnWalk, NewcomerWorld};
use portal_access::perf::testkit::random_channels;

/// Every disagreement on the channels: Web API column reads and updates
/// (served index vs column walk) for every visitor, the newcomer included,
/// every row and every column; and the newcomer's row grants and creates
/// by the serving index, the reference channel rules and the walker.
fn channel_disagreements(t: &Tenant) -> Vec<String> {
    let g = Grants::derive(t);
    let ci = ChannelIndex::new(t, &g);
    let w = Walker::new(t);
    let cw = ColumnWalk::new(t);
    let world = NewcomerWorld::new(t);
    let ww = world.as_ref().map(|nw| Walker::new(&nw.tenant));
    let pair = match (&ww, &world) {
        (Some(a), Some(b)) => Some((a, b)),
        _ => None,
    };
    let mut out = Vec::new();
    if ci.registration_open != walk_channels::registration_open(t) {
        out.push(format!("registration open: index {}, walk {}", ci.registration_open, !ci.registration_open));
    }
    let mut visitors: Vec<Outsider> = vec![Outsider::Visitor(Visitor::Anonymous), Outsider::Newcomer];
    visitors.extend(t.contacts().map(|c| Outsider::Visitor(Visitor::Contact(c))));
    for x in 0..t.row_count() {
        let table = t.table_of(x);
        let mut cols = cw.columns(table);
        cols.insert("nosuchcolumn".to_string());
        for &v in &visitors {
            let can_read = !ci.can(t, &g, v, Privilege::Read, x).is_empty();
            let can_write = !ci.can(t, &g, v, Privilege::Write, x).is_empty();
            for c in &cols {
                let a = can_read && ci.reads_column(v, table, c);
                let b = walk_channels::reads_column(&cw, &w, pair, t, v, x, c);
                if a != b {
                    out.push(format!("read {v:?} {} column {c}: index {a}, walk {b}", t.row_ref(x)));
                }
                let a = can_write && ci.updates_column(v, table, c);
                let b = walk_channels::updates_column(&cw, &w, pair, t, v, x, c);
                if a != b {
                    out.push(format!("update {v:?} {} column {c}: index {a}, walk {b}", t.row_ref(x)));
                }
            }
        }
    }
    // The newcomer's rows: serving index, reference rules, walker.
    let reference = Grants::derive_reference(t);
    let (facts, _, _) = portal_access::engine::channels::channel_facts(t);
    let d = portal_access_rules::channels::derive(&facts, &reference.derived);
    for p in Privilege::ALL {
        if p == Privilege::Create {
            continue;
        }
        for x in 0..t.row_count() {
            let has = |n: u32| t.permissions[n as usize].privileges.has(p);
            let a = !ci.can(t, &g, Outsider::Newcomer, p, x).is_empty();
            let r = d.newcomer_all.iter().any(|&n| has(n) && t.permissions[n as usize].table == t.table_of(x))
                || d.newcomer_row.iter().any(|&(n, y)| y == x && has(n));
            let b = walk_channels::walk_can(&w, pair, t, Outsider::Newcomer, p, x);
            if a != r || a != b {
                out.push(format!("newcomer {p} {}: index {a}, rules {r}, walk {b}", t.row_ref(x)));
            }
        }
        let got = ci.what(t, &g, Outsider::Newcomer, p, None);
        let mut expect: Vec<u32> = (0..t.row_count()).filter(|&x| walk_channels::walk_can(&w, pair, t, Outsider::Newcomer, p, x)).collect();
        portal_access::engine::sort_rows(t, &mut expect);
        if got != expect {
            out.push(format!("what newcomer {p}: index {got:?}, walk {expect:?}"));
        }
    }
    for table in 0..t.tables.len() as u32 {
        let a = !ci.can_create(t, &g, Outsider::Newcomer, table).is_empty();
        let r = d.newcomer_create.contains(&table);
        let b = pair.is_some_and(|(ww, nw)| !ww.can_create(Visitor::Contact(nw.contact), table).is_empty());
        if a != r || a != b {
            out.push(format!("newcomer create {}: index {a}, rules {r}, walk {b}", t.tables[table as usize].name));
        }
    }
    out
}

fn check_channels(seed: u64, size: Size) {
    let mut raw = random_tenant(seed, size);
    random_channels(seed, &mut raw);
    let t = Tenant::build(raw.clone(), "case").unwrap();
    let d = channel_disagreements(&t);
    assert!(d.is_empty(), "{} disagreements:\n{}\ntenant: {}", d.len(), d.join("\n"), serde_json::to_string(&raw).unwrap());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// C1 to C9 over random tenants with random settings and profiles.
    #[test]
    fn c6_c7_c9_walker_agrees_with_channel_rules(seed in any::<u64>(), size in sizes()) {
        check_channels(seed, size);
    }
}

#[test]
fn channels_example_tenant_agrees() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/spec-examples-binary/customer-service-webapi.json");
    let text = std::fs::read_to_string(path).unwrap();
    let t = Tenant::build(portal_access::load::native::parse_native(&text, "case").unwrap(), "case").unwrap();
    let d = channel_disagreements(&t);
    assert!(d.is_empty(), "{}", d.join("\n"));
}

// ------------------------------------------------- F&O (F1 to F8)

/// Every disagreement on a tenant with F&O data between the serving
/// derivation (`Grants`, its F&O index), the Datalog programs (the base
/// reference and `rules::finance`) and the walker (`Walker` with
/// `FoWalker`): the portal path (F6) for every privilege, the direct path
/// (F7) and the bypass (F8), on every visitor and virtual-table row, and
/// create on every virtual table; ordinary rows stay as the walker says.
fn fo_disagreements(t: &Tenant) -> Vec<String> {
    use portal_access::engine::finance_facts::{finance_facts, op_id, visitor_id};
    use portal_access::engine::walk_finance::FoWalker;
    use portal_access::model::finance::Op;
    use portal_access_rules::finance as rf;
    let g = Grants::derive(t);
    let reference = Grants::derive_reference(t);
    let d = rf::derive(&finance_facts(t, &reference).unwrap());
    let w = Walker::new(t);
    let fw = FoWalker::new(t).unwrap();
    let fo = g.fo().unwrap();
    let a = portal_access::Analysis::new(t.clone());
    let mut out = Vec::new();
    let visitors: Vec<Visitor> = std::iter::once(Visitor::Anonymous).chain(t.contacts().map(Visitor::Contact)).collect();
    let vname = |v: Visitor| match v {
        Visitor::Anonymous => "anonymous".to_string(),
        Visitor::Contact(c) => t.row_name(c).to_string(),
    };
    let has = |v: &[(u32, u32, u32)], k: (u32, u32, u32)| v.binary_search(&k).is_ok();
    let runs = |v: Visitor| d.runs.iter().find(|r| r.0 == visitor_id(v)).map(|r| r.1);
    for x in 0..t.row_count() {
        let table = t.table_of(x);
        let virt = fw.is_virtual(table);
        if virt != d.virtual_tables.binary_search(&table).is_ok() || virt != fo.is_virtual(table) {
            out.push(format!("F1 {}: walker {virt}", t.row_ref(x)));
        }
        for &v in &visitors {
            for p in Privilege::ALL {
                if p == Privilege::Create {
                    continue;
                }
                let base = !w.can(v, p, x).is_empty();
                let walker = if virt { fw.portal(v, p, x, base) } else { base };
                let datalog = if virt {
                    !reference.base_can(t, v, p, x).is_empty() && has(&d.portal, (visitor_id(v), x, op_id(Op::of(p))))
                } else {
                    base
                };
                let serving = !g.can(t, v, p, x).is_empty();
                if walker != datalog || walker != serving {
                    out.push(format!("F6 {} {p} {}: walker {walker}, datalog {datalog}, serving {serving}", vname(v), t.row_ref(x)));
                }
            }
            if !virt {
                continue;
            }
            let walker = fw.direct(v, x);
            let datalog = runs(v).is_some_and(|u| d.direct_user.binary_search(&(u, x)).is_ok());
            let serving = fo.direct(v, table, x);
            if walker != datalog || walker != serving {
                out.push(format!("F7 {} {}: walker {walker}, datalog {datalog}, serving {serving}", vname(v), t.row_ref(x)));
            }
            let walker = fw.bypass(v, x, !w.can(v, Privilege::Read, x).is_empty());
            let datalog = d.bypass.binary_search(&(visitor_id(v), x)).is_ok();
            let serving = a.bypass_rows(v, None).contains(&x);
            if walker != datalog || walker != serving {
                out.push(format!("F8 {} {}: walker {walker}, datalog {datalog}, serving {serving}", vname(v), t.row_ref(x)));
            }
        }
        if virt {
            let (anon, contacts) = fo.direct_who(table, x);
            let want: Vec<u32> = t.contacts().filter(|&c| fw.direct(Visitor::Contact(c), x)).collect();
            if anon != fw.direct(Visitor::Anonymous, x) || contacts != want {
                out.push(format!("F7 who {}: serving {anon} {contacts:?}, walker {want:?}", t.row_ref(x)));
            }
        }
    }
    for table in 0..t.tables.len() as u32 {
        if !fw.is_virtual(table) {
            continue;
        }
        for &v in &visitors {
            let base = !w.can_create(v, table).is_empty();
            let walker = fw.portal_create(v, table, base);
            let datalog = d.portal_create.binary_search(&(visitor_id(v), table)).is_ok();
            let serving = !g.can_create(t, v, table).is_empty();
            if walker != datalog || walker != serving {
                let name = &t.tables[table as usize].name;
                out.push(format!("F6 {} create {name}: walker {walker}, datalog {datalog}, serving {serving}", vname(v)));
            }
        }
    }
    out
}

fn check_fo(seed: u64, size: Size) {
    let raw = portal_access::perf::testkit_fo::random_fo_tenant(seed, size);
    let t = Tenant::build(raw.clone(), "random-fo.json").unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    let bad = fo_disagreements(&t);
    assert!(bad.is_empty(), "seed {seed}: {} disagreements:\n{}\n{}", bad.len(), bad.join("\n"), serde_json::to_string(&raw).unwrap());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// F1 to F8: walker, Datalog and serving derivation agree on the
    /// portal path, the direct path and the bypass over random tenants.
    #[test]
    fn fo_walker_agrees_with_datalog(seed in any::<u64>()) {
        check_fo(seed, Size::small());
    }
}

#[test]
fn fo_vendor_portal_examples_agree() {
    for name in ["vendor-portal.json", "vendor-portal-xds.json"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name);
        let t = portal_access::model::load(&path).unwrap();
        let bad = fo_disagreements(&t);
        assert!(bad.is_empty(), "{name}: {}", bad.join("\n"));
    }
}

// ------------------------------------------------- pages and endpoints (R1 to R16)

use portal_access::engine::surfaces::SurfaceIndex;
use portal_access::engine::walk_surfaces::SurfaceWalker;
use portal_access::perf::testkit_surfaces::random_surfaces;

/// Every disagreement between the surface rules (`SurfaceIndex`) and the
/// surface walker: who opens and may change every page (R1, R4 to R6),
/// whether its path is restricted (R5), who reads every web file (R7) and
/// who may call every endpoint (R10, R14), for the anonymous visitor, the
/// newcomer and every contact.
fn surface_disagreements(t: &Tenant) -> Vec<String> {
    let ix = SurfaceIndex::new(t);
    let w = SurfaceWalker::new(t);
    let sf = &t.surfaces;
    let mut out = Vec::new();
    let who: Vec<Outsider> = [Outsider::Visitor(Visitor::Anonymous), Outsider::Newcomer]
        .into_iter()
        .chain(t.contacts().map(|c| Outsider::Visitor(Visitor::Contact(c))))
        .collect();
    for p in 0..sf.pages.len() as u32 {
        let id = &sf.pages[p as usize].id;
        if ix.restricted(p) != w.restricted(p) {
            out.push(format!("restricted {id}: rules {} walker {}", ix.restricted(p), w.restricted(p)));
        }
        for &v in &who {
            if ix.opens(v, p) != w.opens(v, p) {
                out.push(format!("open {id} by {v:?}: rules {} walker {}", ix.opens(v, p), w.opens(v, p)));
            }
            if ix.changes(v, p) != w.changes(v, p) {
                out.push(format!("change {id} by {v:?}: rules {} walker {}", ix.changes(v, p), w.changes(v, p)));
            }
        }
    }
    for f in 0..sf.files.len() as u32 {
        for &v in &who {
            if ix.reads_file(v, f) != w.reads_file(v, f) {
                out.push(format!("file {} by {v:?}: rules {} walker {}", sf.files[f as usize].id, ix.reads_file(v, f), w.reads_file(v, f)));
            }
        }
    }
    for e in 0..(sf.server_logic.len() + sf.flows.len()) as u32 {
        for &v in &who {
            if ix.invokes(v, e) != w.invokes(v, e) {
                out.push(format!("endpoint {e} by {v:?}: rules {} walker {}", ix.invokes(v, e), w.invokes(v, e)));
            }
        }
    }
    out
}

fn check_surfaces(seed: u64, size: Size) {
    let mut raw = random_tenant(seed, size);
    random_surfaces(seed, &mut raw);
    let t = Tenant::build(raw.clone(), "case").unwrap();
    let d = surface_disagreements(&t);
    assert!(d.is_empty(), "{} disagreements:\n{}\ntenant: {}", d.len(), d.join("\n"), serde_json::to_string(&raw).unwrap());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]
    /// R1 to R16 over random tenants with page trees, rules, files and endpoints.
    #[test]
    fn r1_r16_walker_agrees_with_surface_rules(seed in any::<u64>(), size in sizes()) {
        check_surfaces(seed, size);
    }
}

#[test]
fn surfaces_example_tenant_agrees() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/spec-examples/customer-service-pages.json");
    let text = std::fs::read_to_string(path).unwrap();
    let t = Tenant::build(portal_access::load::native::parse_native(&text, "case").unwrap(), "case").unwrap();
    assert!(!t.surfaces.pages.is_empty());
    let d = surface_disagreements(&t);
    assert!(d.is_empty(), "{}", d.join("\n"));
}

/// The random surfaces are dense in what the rules distinguish: over a few
/// seeds, pages that open for nobody, pages some but not all open, files
/// read and not read, endpoints called and not.
#[test]
fn random_surfaces_cover_the_situations() {
    let (mut unreachable, mut partial, mut file_mix, mut call_mix, mut change) = (0, 0, 0, 0, 0);
    for seed in 0..40u64 {
        let mut raw = random_tenant(seed, Size::small());
        random_surfaces(seed, &mut raw);
        let t = Tenant::build(raw, "case").unwrap();
        let ix = SurfaceIndex::new(&t);
        let who: Vec<Outsider> = [Outsider::Visitor(Visitor::Anonymous), Outsider::Newcomer]
            .into_iter()
            .chain(t.contacts().map(|c| Outsider::Visitor(Visitor::Contact(c))))
            .collect();
        for p in 0..t.surfaces.pages.len() as u32 {
            let n = who.iter().filter(|&&v| ix.opens(v, p)).count();
            unreachable += usize::from(n == 0);
            partial += usize::from(n > 0 && n < who.len());
            change += usize::from(who.iter().any(|&v| ix.changes(v, p)));
        }
        for f in 0..t.surfaces.files.len() as u32 {
            let n = who.iter().filter(|&&v| ix.reads_file(v, f)).count();
            file_mix += usize::from(n > 0 && n < who.len());
        }
        for e in 0..(t.surfaces.server_logic.len() + t.surfaces.flows.len()) as u32 {
            let n = who.iter().filter(|&&v| ix.invokes(v, e)).count();
            call_mix += usize::from(n > 0 && n < who.len());
        }
    }
    assert!(unreachable > 5 && partial > 5 && file_mix > 3 && call_mix > 3 && change > 3, "{unreachable} {partial} {file_mix} {call_mix} {change}");
}
