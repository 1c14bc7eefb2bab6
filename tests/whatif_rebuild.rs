//! What-if's fast rebuild: a configuration-only scenario re-validates only
//! the configuration, sharing the base's rows, and must answer as a full
//! build of the same raw form does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::grant_line_set;
use portal_access::answer::whatif::{parse_changes, GrantDiff, WhatIf};
use portal_access::{Analysis, Tenant};

/// The difference of the full grant sets, both derived from scratch.
fn oracle(base: &Analysis, edited: &Tenant) -> GrantDiff {
    let e = Analysis::new(edited.clone());
    let (gb, ge) = (grant_line_set(base), grant_line_set(&e));
    GrantDiff { gained: ge.difference(&gb).cloned().collect(), lost: gb.difference(&ge).cloned().collect() }
}

/// The tenant a configuration-only scenario builds by re-validating only its
/// configuration ([`Tenant::rebuild`], rows shared with the base) is the
/// tenant the full [`Tenant::build`] makes of the same raw form, with the
/// same grants and the same what-if answer; an invalid configuration fails
/// with the same error.
#[test]
fn config_only_rebuild_equals_full_build() {
    use portal_access::perf::testkit::{random_tenant, Size};
    use portal_access::answer::whatif::apply_changes;
    use portal_access::Grants;
    let size = Size { contacts: 120, accounts: 15, rows_per_table: 150, permissions: 24 };
    for seed in [1, 2, 3] {
        let t = Tenant::build(random_tenant(seed, size), "random.json").unwrap();
        let base = Analysis::new(t);
        let w = WhatIf::new(&base);
        let t = &base.tenant;
        let p = |k: usize| t.permissions[k % t.permissions.len()].id.clone();
        let r = |k: usize| t.roles[k % t.roles.len()].id.clone();
        let c = |k: usize| t.row_name(t.contacts().start + k as u32).to_string();
        let a = |k: usize| t.tables[t.account_table as usize].ids[k].to_string();
        let scenarios = [
            format!(r#"[{{"op": "set_active", "permission": "{}", "active": false}}]"#, p(0)),
            format!(r#"[{{"op": "set_scope", "permission": "{}", "scope": "global"}}]"#, p(3)),
            format!(r#"[{{"op": "remove_permission", "permission": "{}"}}, {{"op": "add_privilege", "permission": "{}", "privilege": "delete"}}]"#, p(5), p(6)),
            format!(r#"[{{"op": "link_role", "permission": "{}", "role": "{}"}}, {{"op": "unlink_role", "permission": "{}", "role": "{}"}}]"#, p(7), r(1), p(8), r(2)),
            format!(r#"[{{"op": "add_role", "role": {{"id": "R-new", "name": "New"}}}}, {{"op": "add_member", "contact": "{}", "role": "R-new"}}, {{"op": "link_role", "permission": "{}", "role": "R-new"}}]"#, c(3), p(9)),
            format!(r#"[{{"op": "remove_role", "role": "{}"}}, {{"op": "set_active", "role": "{}", "active": false}}]"#, r(3), r(4)),
            format!(r#"[{{"op": "remove_member", "contact": "{}", "role": "{}"}}, {{"op": "add_member", "contact": "{}", "role": "{}"}}]"#, c(1), r(5), c(2), r(5)),
            // Members added to existing roles: only the new ones are resolved.
            format!(r#"[{{"op": "add_member", "contact": "{}", "role": "{}"}}, {{"op": "add_member", "account": "{}", "role": "{}"}}, {{"op": "add_member", "contact": "{}", "role": "{}"}}]"#, c(4), r(6), a(0), r(0), c(0), r(1)),
            // A permission on a table no row or relationship names.
            r#"[{"op": "add_permission", "permission": {"id": "TP-x", "table": "newtable", "scope": "global", "privileges": ["read", "create"], "web_roles": []}}]"#.to_string(),
        ];
        for changes in &scenarios {
            let doc = format!(r#"{{"changes": {changes}}}"#);
            let set = parse_changes(&doc, "c.json").unwrap();
            let (raw, effect) = apply_changes(t, &set.scenarios[0].changes).unwrap();
            assert!(!effect.data, "{changes}");
            let fast = t.rebuild(raw.clone()).unwrap();
            let full = Tenant::build(raw, &t.source).unwrap();
            // The rows are shared, not copied.
            for (a, b) in fast.tables.iter().zip(&t.tables).filter(|(_, b)| !b.ids.is_empty()) {
                assert!(std::sync::Arc::ptr_eq(&a.ids, &b.ids), "{changes}: table `{}` copied", a.name);
            }
            let shape = |x: &Tenant| {
                let tables: Vec<_> = x.tables.iter().map(|tb| (tb.name.clone(), tb.first, tb.ids.to_vec())).collect();
                let ids: Vec<_> = x.tables.iter().map(|tb| x.table_id(&tb.name)).collect();
                let rows: Vec<_> = (0..x.row_count()).map(|y| (x.row_ref(y), x.parse_row(&x.row_ref(y)))).collect();
                let perms: Vec<_> = x.permissions.iter().map(|p| (p.clone(), x.perm_id(&p.id))).collect();
                let roles: Vec<_> = x.roles.iter().map(|r| (r.clone(), x.role_id(&r.id))).collect();
                format!(
                    "{tables:?}\n{ids:?}\n{rows:?}\n{perms:?}\n{roles:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
                    x.relationships, x.links, x.contact_account, x.dangling, x.contact_members, x.account_members,
                    (x.contact_table, x.account_table)
                )
            };
            assert_eq!(shape(&fast), shape(&full), "{changes}");
            assert_eq!(Grants::derive(&fast).derived, Grants::derive(&full).derived, "{changes}");
            assert_eq!(w.diff(&fast, &effect), w.diff(&full, &effect), "{changes}");
            assert_eq!(w.diff(&fast, &effect), oracle(&base, &full), "{changes}");
        }
        // An invalid configuration fails the same way.
        for changes in [
            r#"[{"op": "add_permission", "permission": {"id": "TP-y", "table": "incident", "scope": "contact", "contact_relationship": "no_such_rel", "web_roles": []}}]"#.to_string(),
            format!(r#"[{{"op": "set_scope", "permission": "{}", "scope": "account", "account_relationship": "no_such_rel"}}]"#, p(0)),
        ] {
            let set = parse_changes(&format!(r#"{{"changes": {changes}}}"#), "c.json").unwrap();
            let (raw, _) = apply_changes(t, &set.scenarios[0].changes).unwrap();
            let fast = t.rebuild(raw.clone()).unwrap_err().to_string();
            let full = Tenant::build(raw, &t.source).unwrap_err().to_string();
            assert_eq!(fast, full);
        }
    }
}
