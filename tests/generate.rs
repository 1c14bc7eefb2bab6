#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The synthetic tenant generator: deterministic, valid, and shaped like a
//! real customer-service and partner portal.

use portal_access::perf::generate::{generate, generate_file, GenConfig, Profile};
use portal_access::load::native::parse_native;
use portal_access::model::{Scope, Tenant};
use std::collections::HashMap;

fn bytes(cfg: &GenConfig) -> Vec<u8> {
    let mut out = Vec::new();
    generate(cfg, &mut out).unwrap();
    out
}

fn tenant(cfg: &GenConfig) -> Tenant {
    let text = String::from_utf8(bytes(cfg)).unwrap();
    Tenant::build(parse_native(&text, "gen.json").unwrap(), "gen.json").unwrap()
}

fn tiny(seed: u64) -> GenConfig {
    GenConfig { contacts: 300, accounts: 30, rows: 3000, seed, fo: false }
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    assert_eq!(bytes(&tiny(7)), bytes(&tiny(7)));
    assert_ne!(bytes(&tiny(7)), bytes(&tiny(8)));
}

#[test]
fn small_profile_has_the_documented_sizes() {
    let cfg = Profile::Small.config(1);
    assert_eq!((cfg.contacts, cfg.accounts, cfg.rows), (1_000, 100, 10_000));
    let m = Profile::Medium.config(1);
    assert_eq!((m.contacts, m.accounts, m.rows), (100_000, 10_000, 1_000_000));
    let l = Profile::Large.config(1);
    assert_eq!((l.contacts, l.accounts, l.rows), (1_000_000, 100_000, 10_000_000));
    let t = tenant(&cfg);
    let count = |name: &str| t.tables[t.table_id(name).unwrap() as usize].ids.len() as u64;
    assert_eq!(count("contact"), 1_000);
    assert_eq!(count("account"), 100);
    let total = u64::from(t.row_count());
    assert!((9_900..=10_000).contains(&total), "{total} rows");
}

#[test]
fn stats_match_the_file() {
    let cfg = tiny(3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.json");
    let stats = generate_file(&cfg, &path).unwrap();
    assert_eq!(stats.bytes, std::fs::metadata(&path).unwrap().len());
    let t = portal_access::model::load(&path).unwrap();
    assert_eq!(stats.rows, u64::from(t.row_count()));
    for (name, n) in &stats.tables {
        assert_eq!(t.tables[t.table_id(name).unwrap() as usize].ids.len() as u64, *n, "{name}");
    }
    assert_eq!(stats.contact_members, t.contact_members.len() as u64);
    assert_eq!(stats.account_members, t.account_members.len() as u64);
    assert_eq!(stats.permissions, t.permissions.len() as u64);
}

#[test]
fn configuration_uses_every_scope_chains_of_depth_four_inactive_nodes_and_global_children() {
    let t = tenant(&tiny(1));
    let n = t.permissions.len();
    assert!((55..=70).contains(&n), "{n} permissions");
    for s in [Scope::Global, Scope::Contact, Scope::Account, Scope::Parent, Scope::SelfScope, Scope::Custom] {
        assert!(t.permissions.iter().any(|p| p.scope == s), "no {s:?} permission");
    }
    let depth = |mut k: u32| {
        let mut d = 1;
        while let Some(m) = t.permissions[k as usize].parent {
            d += 1;
            k = m;
        }
        d
    };
    assert_eq!((0..n as u32).map(depth).max(), Some(4));
    assert!(t.permissions.iter().any(|p| !p.active));
    let global_children = t.permissions.iter().filter(|p| p.scope == Scope::Global && p.parent.is_some()).count();
    assert!(global_children >= 2, "{global_children} Global children");
    assert_eq!(t.roles.len(), 10);
    assert!(t.roles.iter().any(|r| r.anonymous) && t.roles.iter().any(|r| r.authenticated));
    assert!(t.roles.iter().any(|r| !r.active));
}

#[test]
fn order_relationships_are_declared_in_the_file_and_resolve() {
    let t = tenant(&tiny(2));
    for name in [
        "order_customer_contacts",
        "order_customer_accounts",
        "order_details",
        "product_order_details",
        "contact_products",
    ] {
        let r = t.rel_id(name).unwrap_or_else(|| panic!("{name} missing"));
        assert!(!t.relationships[r as usize].builtin, "{name} should be declared in the file");
        assert!(t.links.iter().any(|l| l.0 == r), "{name} links nothing");
    }
    for name in [
        "incident_customer_contacts",
        "incident_customer_accounts",
        "Incident_Annotation",
        "adx_portalcomment_Annotations",
        "account_parent_account",
        "contact_customer_contacts",
    ] {
        let r = t.rel_id(name).unwrap();
        assert!(t.links.iter().any(|l| l.0 == r), "{name} links nothing");
    }
}

#[test]
fn contacts_are_skewed_over_accounts_and_some_have_none() {
    let t = tenant(&GenConfig { contacts: 5_000, accounts: 1_000, rows: 8_000, seed: 4, fo: false });
    let mut per_account: HashMap<u32, usize> = HashMap::new();
    for &(_, a) in t.contact_account.iter() {
        *per_account.entry(a).or_default() += 1;
    }
    let mut sizes: Vec<usize> = per_account.values().copied().collect();
    sizes.sort_unstable();
    let largest = *sizes.last().unwrap();
    let median = sizes[sizes.len() / 2];
    assert!(largest >= 300, "largest account has {largest} contacts");
    assert!(median <= 6, "median account has {median} contacts");
    let contacts = (t.contacts().end - t.contacts().start) as usize;
    let without = contacts - t.contact_account.len();
    assert!(without * 100 / contacts >= 4, "{without} of {contacts} contacts have no account");
    let under_contact = t.rel_id("contact_customer_contacts").unwrap();
    assert!(t.links.iter().filter(|l| l.0 == under_contact).count() >= 50);
}

#[test]
fn odd_sizes_still_give_valid_tenants() {
    for cfg in [
        GenConfig { contacts: 0, accounts: 0, rows: 0, seed: 1, fo: false },
        GenConfig { contacts: 5, accounts: 0, rows: 3, seed: 1, fo: false },
        GenConfig { contacts: 1, accounts: 1, rows: 100, seed: 9, fo: false },
    ] {
        let t = tenant(&cfg);
        assert_eq!(t.tables[t.contact_table as usize].ids.len() as u64, cfg.contacts);
    }
}

/// On the generator's portal shape (big accounts with direct role members,
/// Parent chains four deep, Global children), the serving derivation equals
/// the row-level Datalog program relation by relation, and the graph walker
/// answers `who` exactly as the indexed grants do, on every row.
#[test]
fn generated_tenants_agree_across_the_evaluations() {
    use portal_access::engine::{facts, Grants};
    use portal_access::model::Privilege;
    use portal_access::engine::walk::Walker;
    use portal_access_rules as rules;
    for seed in [1, 2] {
        let t = tenant(&GenConfig { contacts: 400, accounts: 20, rows: 2500, seed, fo: false });
        let fast = portal_access::engine::plan::derive(&t);
        assert_eq!(fast, rules::derive(&facts(&t)), "seed {seed}");
        assert!(!fast.account_member_grant.is_empty(), "seed {seed}: the shape should grant to direct members");
        let g = Grants::index(&t, fast);
        let w = Walker::new(&t);
        for x in 0..t.row_count() {
            for p in [Privilege::Read, Privilege::Write, Privilege::AppendTo] {
                assert_eq!(g.who(&t, p, x), w.who(p, x), "seed {seed}: who {} {}", p.name(), t.row_ref(x));
            }
        }
    }
}

/// Counts what reaches the file: bytes, write calls, the largest one.
#[derive(Default)]
struct Sink {
    bytes: u64,
    writes: u64,
    largest: usize,
}

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len() as u64;
        self.writes += 1;
        self.largest = self.largest.max(buf.len());
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The xlarge profile (100,000,000 rows) is written by the same streaming
/// path as every size: at a ten-thousandth and a thousandth of its sizes,
/// the document goes out in small writes, row by row, and the largest write
/// does not grow with the tenant (nothing is gathered in memory first).
#[test]
fn xlarge_profile_is_written_as_a_stream() {
    let x = Profile::Xlarge.config(1);
    assert_eq!((x.contacts, x.accounts, x.rows), (10_000_000, 1_000_000, 100_000_000));
    assert_eq!(Profile::parse("xlarge"), Some(Profile::Xlarge));
    let scaled = |k: u64| GenConfig { contacts: x.contacts / k, accounts: x.accounts / k, rows: x.rows / k, seed: 1, fo: false };
    let mut largest = Vec::new();
    for k in [10_000, 1_000] {
        let cfg = scaled(k);
        let mut sink = Sink::default();
        let stats = generate(&cfg, &mut sink).unwrap();
        assert_eq!(stats.bytes, sink.bytes);
        assert_eq!(stats.rows, cfg.table_sizes().iter().map(|(_, n)| n).sum::<u64>());
        assert!(sink.writes > 2 * stats.rows, "{} writes for {} rows", sink.writes, stats.rows);
        largest.push(sink.largest);
    }
    assert!(largest[1] <= largest[0].max(4096), "largest write grew with the tenant: {largest:?}");
    // The scaled tenant is valid, with the profile's proportions.
    let t = tenant(&scaled(10_000));
    assert_eq!(t.tables[t.contact_table as usize].ids.len() as u64, x.contacts / 10_000);
}

/// `--fo` adds a vendor portal on F&O virtual tables (finance-operations.md):
/// deterministic for a seed, the customer portal's tables left as they were,
/// mapped users, one XDS policy that constrains vendors, orders and lines
/// but not invoices, so that the bypass (F8) is exactly the other vendors'
/// invoices of the users who may read invoices; lint reports it (PP030) and
/// no anonymous access (PP031), and the evaluations agree on it.
#[test]
fn fo_option_adds_a_vendor_portal_whose_bypass_is_the_invoices() {
    use portal_access::answer::query::Analysis;
    use portal_access::engine::walk::Walker;
    use portal_access::model::Privilege;
    let cfg = GenConfig { fo: true, ..tiny(5) };
    assert_eq!(bytes(&cfg), bytes(&cfg));
    assert_ne!(bytes(&cfg), bytes(&GenConfig { fo: true, ..tiny(6) }));
    let (plain, t) = (tenant(&tiny(5)), tenant(&cfg));
    for tb in &plain.tables {
        assert_eq!(t.tables[t.table_id(&tb.name).unwrap() as usize].ids, tb.ids, "{}", tb.name);
    }
    let fo = std::sync::Arc::clone(t.finance.as_ref().expect("an F&O section"));
    let virtual_tables: Vec<&str> =
        t.tables.iter().enumerate().filter(|(i, _)| fo.is_virtual(*i as u32)).map(|(_, tb)| tb.name.as_str()).collect();
    assert_eq!(virtual_tables.len(), 5, "{virtual_tables:?}");
    assert!(virtual_tables.iter().all(|n| n.starts_with("mserp_")));
    assert!(fo.mappings.len() >= 5 && fo.policies.len() == 1 && fo.anonymous_user.is_none());

    let a = Analysis::new(t);
    let viewers: Vec<String> = fo
        .mappings
        .iter()
        .filter(|(_, u)| fo.users[*u as usize].roles.iter().any(|&r| fo.roles[r as usize].id == "VendorInvoiceViewer"))
        .map(|(c, _)| a.tenant.row_name(*c).to_string())
        .collect();
    let bypass = a.bypass(None, None).unwrap();
    assert!(!bypass.lines.is_empty());
    assert!(bypass.lines.iter().all(|l| l.row.starts_with("mserp_vendinvoicejourentity:") && viewers.contains(&l.visitor)));
    let findings = portal_access::answer::lint::lint(&a, None);
    assert!(findings.iter().any(|f| f.id == "PP030"));
    assert!(!findings.iter().any(|f| f.id == "PP031"));
    // Vendor contacts read their own orders through the portal.
    let t = &a.tenant;
    let po = t.table_id("mserp_purchpurchaseorderheaderv2entity").unwrap();
    let read: usize = fo.mappings.iter().map(|&(c, _)| a.grants.what(t, portal_access::engine::Visitor::Contact(c), Privilege::Read, Some(po)).len()).sum();
    assert!(read > 0, "no vendor contact reads an order");
    let w = Walker::new(t);
    for x in t.tables[po as usize].rows() {
        assert_eq!(a.grants.who(t, Privilege::Read, x), w.who(Privilege::Read, x), "who read {}", t.row_ref(x));
    }
}
