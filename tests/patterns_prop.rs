//! Access patterns (patterns.md A1 to A5) over random tenants: the plan
//! rules (`Patterns::derive`) and the forest walk (`walk_patterns`) agree
//! on every pattern; every S25 grant is covered by a possible pattern of
//! its visitor's class (A5, "never under-approximates"); and every possible
//! pattern that rests on neither Custom nor an undeclared relationship has
//! a witness: rows added to the tenant (a completion) under which the
//! pattern's class gets a grant through that very permission.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::engine::patterns::{Class, Pattern, Patterns};
use portal_access::engine::walk_patterns::walk_patterns;
use portal_access::engine::{Grants, Visitor};
use portal_access::load::raw::RawTenant;
use portal_access::load::table::RawRow;
use portal_access::model::{PermId, Privilege, RelKind, Scope, Tenant};
use portal_access::perf::testkit::{random_channels, random_tenant, Size};
use proptest::prelude::*;

mod common;
use common::sizes;
use serde_json::Value;

/// A random tenant with settings, where now and then a permission's
/// relationship is one nobody declares (as folder tenants give it).
fn tenant(seed: u64, size: Size) -> (RawTenant, Tenant) {
    let mut raw = random_tenant(seed, size);
    random_channels(seed, &mut raw);
    let mut t = Tenant::build(raw.clone(), "case").unwrap();
    for (i, p) in t.permissions.iter_mut().enumerate() {
        if seed.rotate_left(i as u32 * 7).is_multiple_of(5) {
            let rel = match p.scope {
                Scope::Contact => p.contact_relationship.as_mut(),
                Scope::Account => p.account_relationship.as_mut(),
                Scope::Parent => p.parent_relationship.as_mut(),
                _ => None,
            };
            if let Some(r) = rel {
                r.id = None;
            }
        }
    }
    (raw, t)
}

fn class_of(v: Visitor) -> Class {
    match v {
        Visitor::Anonymous => Class::Anonymous,
        Visitor::Contact(_) => Class::Contacts,
    }
}

fn covered(p: &Patterns, class: Class, n: PermId, pr: Privilege) -> bool {
    p.list.iter().any(|x| x.class == class && x.perm == n && x.possible_for(pr))
}

fn check(seed: u64, size: Size) {
    let (raw, t) = tenant(seed, size);
    let datalog = Patterns::derive(&t);
    let walked = walk_patterns(&t);
    assert_eq!(datalog, walked, "tenant: {}", serde_json::to_string(&raw).unwrap());
    // A5: every grant is covered by a possible pattern of its class.
    let g = Grants::derive(&t);
    let visitors = std::iter::once(Visitor::Anonymous).chain(t.contacts().map(Visitor::Contact));
    for v in visitors {
        for pr in Privilege::ALL {
            if pr == Privilege::Create {
                for table in 0..t.tables.len() as u32 {
                    for n in g.can_create(&t, v, table) {
                        assert!(covered(&datalog, class_of(v), n, pr), "create {table} by {n}");
                    }
                }
                continue;
            }
            for x in 0..t.row_count() {
                for n in g.can(&t, v, pr, x) {
                    assert!(covered(&datalog, class_of(v), n, pr), "{pr} {} via {}", t.row_ref(x), t.permissions[n as usize].id);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]
    /// A1 to A4: the plan rules and the walk give the same patterns; A5 holds.
    #[test]
    fn a1_a4_walker_agrees_with_pattern_rules(seed in any::<u64>(), size in sizes()) {
        check(seed, size);
    }

    /// A5: every possible pattern without Custom or an undeclared
    /// relationship has a witness row in some completion of the tenant.
    #[test]
    fn a5_every_possible_pattern_has_a_witness(seed in any::<u64>(), size in sizes()) {
        let mut raw = random_tenant(seed, size);
        random_channels(seed, &mut raw);
        let t = Tenant::build(raw.clone(), "case").unwrap();
        let patterns = Patterns::derive(&t);
        for p in patterns.list.iter().filter(|p| p.possible && !p.unsure && p.class != Class::Newcomer) {
            witness(&raw, &t, p);
        }
    }
}

/// A new row: its table, its id and its `(column, value)` fields.
type NewRow = (String, String, Vec<(String, String)>);

/// The rows of a completion: new rows by table, each with its fields.
#[derive(Default)]
struct Completion {
    rows: Vec<NewRow>,
    members: Vec<(String, String)>,
}

impl Completion {
    fn add(&mut self, table: &str) -> usize {
        let id = format!("W{}", self.rows.len() + 1);
        self.rows.push((table.to_string(), id, Vec::new()));
        self.rows.len() - 1
    }
    /// Sets `rows[at].column = rows[to].id`; false when it already points elsewhere.
    fn point(&mut self, at: usize, column: &str, to: usize) -> bool {
        let id = self.rows[to].1.clone();
        let fields = &mut self.rows[at].2;
        match fields.iter().find(|f| f.0 == column) {
            Some(f) => f.1 == id,
            None => {
                fields.push((column.to_string(), id));
                true
            }
        }
    }
    /// Relates new rows `x` (table of `x`) and `y` through relationship `r`.
    fn relate(&mut self, t: &Tenant, r: u32, x: usize, y: usize, assoc: &mut Vec<(String, String, String)>) -> bool {
        let rel = &t.relationships[r as usize];
        let table = |i: usize| t.table_id(&self.rows[i].0);
        match &rel.kind {
            RelKind::OneToMany { referencing, lookup, .. } => {
                // S21: on a self-referential relationship the child is the referencing side.
                if table(x) == Some(*referencing) {
                    self.point(x, lookup, y)
                } else {
                    self.point(y, lookup, x)
                }
            }
            RelKind::ManyToMany { tables } => {
                let (a, b) = if table(x) == Some(tables[0]) { (x, y) } else { (y, x) };
                assoc.push((rel.name.clone(), self.rows[a].1.clone(), self.rows[b].1.clone()));
                true
            }
        }
    }
}

/// Builds a completion in which pattern `p` admits a row for a member of
/// its class, and checks that the completed tenant grants it through `p`.
fn witness(raw: &RawTenant, t: &Tenant, p: &Pattern) {
    let chain = portal_access::engine::patterns::condition(t, p.perm);
    let mut c = Completion::default();
    let mut assoc = Vec::new();
    let contact = (p.class == Class::Contacts).then(|| c.add("contact"));
    if let (Some(v), Some(&role)) = (contact, p.roles.first()) {
        if !t.roles[role as usize].authenticated {
            c.members.push((c.rows[v].1.clone(), t.roles[role as usize].id.clone()));
        }
    }
    let perms: Vec<PermId> = {
        let mut v = vec![p.perm];
        while v.len() < chain.len() {
            v.push(t.permissions[v[v.len() - 1] as usize].parent.unwrap());
        }
        v.reverse();
        v
    };
    let mut prev: Option<usize> = None;
    for (k, step) in chain.iter().enumerate() {
        let perm = &t.permissions[perms[k] as usize];
        let table = t.tables[step.table as usize].name.clone();
        let rel = perm.scope_relationship().and_then(|r| r.id);
        let row = match (step.scope, prev) {
            (Scope::SelfScope, _) => contact.unwrap(),
            (Scope::Contact, _) => {
                let x = c.add(&table);
                if !c.relate(t, rel.unwrap(), x, contact.unwrap(), &mut assoc) {
                    return; // one lookup would need two values: not this completion
                }
                x
            }
            (Scope::Account, _) => {
                let a = c.add("account");
                assert!(c.point(contact.unwrap(), "parentcustomerid", a));
                let x = c.add(&table);
                if !c.relate(t, rel.unwrap(), x, a, &mut assoc) {
                    return;
                }
                x
            }
            (Scope::Parent, Some(y)) => {
                let x = c.add(&table);
                if !c.relate(t, rel.unwrap(), x, y, &mut assoc) {
                    return; // one lookup would need two values: not this completion
                }
                x
            }
            _ => c.add(&table),
        };
        prev = Some(row);
    }
    let target = prev.unwrap();
    let mut done = raw.clone();
    for (table, id, fields) in &c.rows {
        let tab = done.table_mut(table);
        let fields = fields.iter().map(|(col, v)| (tab.column(col), Value::String(v.clone()))).collect();
        tab.push(RawRow { id: id.clone(), fields });
    }
    for (contact, role) in &c.members {
        std::sync::Arc::make_mut(&mut done.role_members).contacts.push((contact.clone(), role.clone()));
    }
    for (rel, a, b) in assoc {
        let map = std::sync::Arc::make_mut(&mut done.associations);
        let pairs = map.entry(rel).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(v) = pairs {
            v.push(Value::Array(vec![Value::String(a), Value::String(b)]));
        }
    }
    let t2 = Tenant::build(done, "completion").unwrap();
    let g = Grants::derive(&t2);
    let x = t2.row_id(t2.table_id(&c.rows[target].0).unwrap(), &c.rows[target].1).unwrap();
    let visitor = match contact {
        Some(v) => Visitor::Contact(t2.contact(&c.rows[v].1).unwrap()),
        None => Visitor::Anonymous,
    };
    let pr = Privilege::ALL.into_iter().find(|&q| q != Privilege::Create && p.privileges.has(q));
    if let Some(pr) = pr {
        let via = g.can(&t2, visitor, pr, x);
        assert!(
            via.contains(&p.perm),
            "no witness for {:?} {} ({:?}): {pr} {} via {:?}",
            p.class,
            t.permissions[p.perm as usize].id,
            p.top,
            t2.row_ref(x),
            via
        );
    }
}
