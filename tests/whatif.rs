//! What-if change sets (whatif.md): every operation, every failure, against
//! the spec's example tenant. Each expected answer is worked out by hand from
//! `semantics.md` (the comment above it says how), and every answer is also
//! checked against the difference of the two full grant sets derived from
//! scratch.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::grant_line_set;
use portal_access::answer::query::GrantLine;
use portal_access::answer::whatif::{build_scenario, parse_changes, GrantDiff, WhatIf};
use portal_access::{Analysis, LoadError, Tenant};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn example() -> Analysis {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/customer-service.json");
    Analysis::load(&path).unwrap()
}

/// The difference of the full grant sets, both derived from scratch.
fn oracle(base: &Analysis, edited: &Tenant) -> GrantDiff {
    let e = Analysis::new(edited.clone());
    let (gb, ge) = (grant_line_set(base), grant_line_set(&e));
    GrantDiff { gained: ge.difference(&gb).cloned().collect(), lost: gb.difference(&ge).cloned().collect() }
}

/// Runs one scenario (its changes as a JSON array) and checks the answer
/// against the oracle, with both the incremental and the full derivation.
fn diff_on(base: &Analysis, changes: &str) -> GrantDiff {
    let doc =
        format!(r#"{{"format": "portal-access/changes@1", "scenarios": [{{"name": "s", "changes": {changes}}}]}}"#);
    let set = parse_changes(&doc, "changes.json").unwrap();
    let (edited, effect) = build_scenario(&base.tenant, &set.scenarios[0]).unwrap();
    let w = WhatIf::new(base);
    let d = w.diff(&edited, &effect);
    assert_eq!(d, oracle(base, &edited), "incremental diff differs from the full grant sets");
    assert_eq!(w.diff_full(&edited), d, "full and incremental derivations differ");
    d
}

fn diff(changes: &str) -> GrantDiff {
    diff_on(&example(), changes)
}

/// The scenario's error message.
fn failure(changes: &str) -> String {
    let doc = format!(r#"{{"scenarios": [{{"name": "s", "changes": {changes}}}]}}"#);
    let set = parse_changes(&doc, "changes.json").unwrap();
    build_scenario(&example().tenant, &set.scenarios[0]).map(|_| ()).unwrap_err().to_string()
}

fn parse_error(doc: &str) -> LoadError {
    parse_changes(doc, "changes.json").unwrap_err()
}

fn g(visitor: &str, privilege: &str, target: &str) -> GrantLine {
    let (row, table) =
        if privilege == "create" { (None, Some(target.to_string())) } else { (Some(target.to_string()), None) };
    GrantLine { visitor: visitor.to_string(), privilege: privilege.to_string(), row, table }
}

fn lines(v: &[(&str, &str, &str)]) -> Vec<GrantLine> {
    v.iter().map(|(a, b, c)| g(a, b, c)).collect()
}

fn count(list: &[GrantLine], visitor: &str) -> usize {
    list.iter().filter(|l| l.visitor == visitor).count()
}

/// What contact C1 loses when the `TP-case-contact` tree stops working for
/// it: its case I1 (read, write, append, append_to), create on incident and
/// adx_portalcomment (S17), comment PC1 (read, append), note N2 on PC1
/// (read), note N1 on I1 (read, append).
fn c1_case_tree() -> Vec<GrantLine> {
    lines(&[
        ("C1", "append", "adx_portalcomment:PC1"),
        ("C1", "append", "annotation:N1"),
        ("C1", "append", "incident:I1"),
        ("C1", "append_to", "incident:I1"),
        ("C1", "create", "adx_portalcomment"),
        ("C1", "create", "incident"),
        ("C1", "read", "adx_portalcomment:PC1"),
        ("C1", "read", "annotation:N1"),
        ("C1", "read", "annotation:N2"),
        ("C1", "read", "incident:I1"),
        ("C1", "write", "incident:I1"),
    ])
}

/// The same for C3 (R-cust through account A2): case I3, comment PC2, no notes.
fn c3_case_tree() -> Vec<GrantLine> {
    lines(&[
        ("C3", "append", "adx_portalcomment:PC2"),
        ("C3", "append", "incident:I3"),
        ("C3", "append_to", "incident:I3"),
        ("C3", "create", "adx_portalcomment"),
        ("C3", "create", "incident"),
        ("C3", "read", "adx_portalcomment:PC2"),
        ("C3", "read", "incident:I3"),
        ("C3", "write", "incident:I3"),
    ])
}

// ------------------------------------------------------------- operations

#[test]
fn set_scope_global_leaks_every_case_to_the_tree_holders() {
    // The spec's first scenario. R-cust holders: C1 (direct), C3 (account A2).
    // S9: the permission now admits I1..I5; S13: its Parent children admit
    // every comment / note related to some incident (or comment).
    let d = diff(
        r#"[{"op": "set_scope", "permission": "TP-case-contact", "scope": "global"},
            {"op": "remove_privilege", "permission": "TP-case-contact", "privilege": "write"}]"#,
    );
    assert_eq!(d.lost, lines(&[("C1", "write", "incident:I1"), ("C3", "write", "incident:I3")]));
    // C1: I2..I5 x (read, append, append_to) = 12, PC2 x (read, append), N3 x
    // (read, append): 16. C3: I1, I2, I4, I5 x 3 = 12, PC1 x 2, N1 x 2, N3 x 2,
    // N2 read: 19.
    assert_eq!(count(&d.gained, "C1"), 16);
    assert_eq!(count(&d.gained, "C3"), 19);
    assert_eq!(d.gained.len(), 35);
    assert!(d.gained.contains(&g("C3", "read", "annotation:N2")));
    assert!(d.gained.contains(&g("C1", "append_to", "incident:I5")));
    // Nobody else holds the tree; no new create (same holders).
    assert!(d.gained.iter().all(|l| l.visitor == "C1" || l.visitor == "C3"));
    assert!(d.gained.iter().all(|l| l.privilege != "create" && l.privilege != "write"));
}

#[test]
fn set_scope_with_relationship_field() {
    // Contact -> Account through incident_customer_accounts: C1 (A1) gets I2
    // and loses I1; C3 (A2) gets I4, loses I3. Children follow (S13): C1
    // loses PC1, N1, N2; C3 loses PC2 and gains N3 (note on I4).
    let d = diff(
        r#"[{"op": "set_scope", "permission": "TP-case-contact", "scope": "account",
             "account_relationship": "incident_customer_accounts"}]"#,
    );
    assert!(d.gained.contains(&g("C1", "write", "incident:I2")));
    assert!(d.gained.contains(&g("C3", "read", "annotation:N3")));
    assert!(d.lost.contains(&g("C1", "write", "incident:I1")));
    assert!(d.lost.contains(&g("C1", "read", "annotation:N2")));
    assert!(d.lost.contains(&g("C3", "read", "adx_portalcomment:PC2")));
    // create stays: same holders (S17 ignores scope).
    assert!(d.gained.iter().chain(&d.lost).all(|l| l.privilege != "create"));
    // Dataverse code for parent: TP-self under TP-case-contact through a
    // relationship that does not join contact and incident: admits nothing
    // (S20), and its tree is now R-cust's: every contact loses its own row
    // (read and write), except C2's read, which TP-acct-contacts (R-admin,
    // contacts of A1) still grants.
    let d = diff(
        r#"[{"op": "set_scope", "permission": "TP-self", "scope": 756150003, "parent": "TP-case-contact",
             "parent_relationship": "Incident_Annotation"}]"#,
    );
    assert!(d.gained.is_empty());
    assert_eq!(d.lost.len(), 9, "{:?}", d.lost);
    assert!(!d.lost.contains(&g("C2", "read", "contact:C2")));
}

#[test]
fn add_permission_account_scope_for_customers() {
    // R-cust holders C1 (acct A1) and C3 (acct A2); S11: A1's case I2, A2's case I4.
    let d = diff(
        r#"[{"op": "add_permission", "permission": {"id": "TP-new", "name": "Account cases",
             "table": "incident", "scope": "account", "account_relationship": "incident_customer_accounts",
             "privileges": ["read"], "web_roles": ["R-cust"]}}]"#,
    );
    assert_eq!(d.gained, lines(&[("C1", "read", "incident:I2"), ("C3", "read", "incident:I4")]));
    assert!(d.lost.is_empty());
}

#[test]
fn add_permission_anonymous_create_on_a_new_table() {
    let d = diff(
        r#"[{"op": "add_permission", "permission": {"id": "TP-lead", "table": "lead", "scope": "global",
             "privileges": ["create"], "web_roles": ["R-anon"]}}]"#,
    );
    assert_eq!(d.gained, lines(&[("anonymous", "create", "lead")]));
}

#[test]
fn remove_permission_removes_the_permissions_below_it() {
    // TP-comment and TP-comment-note go: C1 loses PC1 (read, append), N2
    // (read), create on adx_portalcomment; C3 loses PC2 and create.
    let d = diff(r#"[{"op": "remove_permission", "permission": "TP-comment"}]"#);
    assert_eq!(
        d.lost,
        lines(&[
            ("C1", "append", "adx_portalcomment:PC1"),
            ("C1", "create", "adx_portalcomment"),
            ("C1", "read", "adx_portalcomment:PC1"),
            ("C1", "read", "annotation:N2"),
            ("C3", "append", "adx_portalcomment:PC2"),
            ("C3", "create", "adx_portalcomment"),
            ("C3", "read", "adx_portalcomment:PC2"),
        ])
    );
    assert!(d.gained.is_empty());
    // Removing the root removes the whole tree.
    let d = diff(r#"[{"op": "remove_permission", "permission": "TP-case-contact"}]"#);
    let mut expected = c1_case_tree();
    expected.extend(c3_case_tree());
    assert_eq!(d.lost, expected);
}

#[test]
fn add_and_remove_privilege() {
    // TP-self is held by R-auth: every contact, its own row only (S12).
    let d = diff(r#"[{"op": "add_privilege", "permission": "TP-self", "privilege": "delete"}]"#);
    let each =
        |p: &str| -> Vec<GrantLine> { (1..=5).map(|i| g(&format!("C{i}"), p, &format!("contact:C{i}"))).collect() };
    assert_eq!(d.gained, each("delete"));
    let d = diff(r#"[{"op": "remove_privilege", "permission": "TP-self", "privilege": "write"}]"#);
    assert_eq!(d.lost, each("write"));
    // C2 keeps reading its own row through TP-acct-contacts (R-admin, contacts of A1).
    let d = diff(r#"[{"op": "remove_privilege", "permission": "TP-self", "privilege": "read"}]"#);
    let expected: Vec<GrantLine> = each("read").into_iter().filter(|l| l.visitor != "C2").collect();
    assert_eq!(d.lost, expected);
    // Clearing a flag that is not set changes nothing.
    assert_eq!(
        diff(r#"[{"op": "remove_privilege", "permission": "TP-self", "privilege": "create"}]"#),
        GrantDiff::default()
    );
}

#[test]
fn set_active_permission_turns_off_its_tree() {
    // S7: every permission below an inactive one contributes nothing.
    let d = diff(r#"[{"op": "set_active", "permission": "TP-case-contact", "active": false}]"#);
    let mut expected = c1_case_tree();
    expected.extend(c3_case_tree());
    assert_eq!(d.lost, expected);
    assert!(d.gained.is_empty());
    // A child only: TP-comment-note (N2 for C1).
    let d = diff(r#"[{"op": "set_active", "permission": "TP-comment-note", "active": false}]"#);
    assert_eq!(d.lost, lines(&[("C1", "read", "annotation:N2")]));
}

#[test]
fn set_active_role() {
    // R-admin (C2) off: TP-case-account (I2) and TP-acct-contacts (contacts of
    // A1: C1, C2; C2 keeps its own row through TP-self).
    let d = diff(r#"[{"op": "set_active", "role": "R-admin", "active": false}]"#);
    assert_eq!(d.lost, lines(&[("C2", "read", "contact:C1"), ("C2", "read", "incident:I2")]));
    // R-anon off: the anonymous visitor loses the knowledge base.
    let d = diff(r#"[{"op": "set_active", "role": "R-anon", "active": false}]"#);
    assert_eq!(
        d.lost,
        lines(&[("anonymous", "read", "knowledgearticle:K1"), ("anonymous", "read", "knowledgearticle:K2")])
    );
}

#[test]
fn link_and_unlink_role() {
    // R-auth on an Account-scope root: contacts with an account (S1): C1 and
    // C3; C2 already reads I2; C4 (parent customer is a contact) and C5 have none.
    let d = diff(r#"[{"op": "link_role", "permission": "TP-case-account", "role": "R-auth"}]"#);
    assert_eq!(d.gained, lines(&[("C1", "read", "incident:I2"), ("C3", "read", "incident:I4")]));
    // R-anon on an Account-scope root: the anonymous visitor has no account (S11).
    assert_eq!(
        diff(r#"[{"op": "link_role", "permission": "TP-case-account", "role": "R-anon"}]"#),
        GrantDiff::default()
    );
    // Roles on a child are ignored (S6).
    assert_eq!(diff(r#"[{"op": "link_role", "permission": "TP-comment", "role": "R-auth"}]"#), GrantDiff::default());
    // Unlinking the only role of a root is like deactivating it.
    let d = diff(r#"[{"op": "unlink_role", "permission": "TP-case-contact", "role": "R-cust"}]"#);
    let mut expected = c1_case_tree();
    expected.extend(c3_case_tree());
    assert_eq!(d.lost, expected);
}

#[test]
fn add_role_and_members() {
    // The spec's second scenario: C5 has no account, so an Account-scope
    // permission admits nothing for it (S11).
    let d = diff(
        r#"[{"op": "add_role", "role": {"id": "R-partner", "name": "Partners"}},
            {"op": "add_member", "contact": "C5", "role": "R-partner"},
            {"op": "link_role", "permission": "TP-case-account", "role": "R-partner"}]"#,
    );
    assert_eq!(d, GrantDiff::default());
    // Through account A2, C3 gets A2's case I4.
    let d = diff(
        r#"[{"op": "add_role", "role": {"id": "R-partner", "name": "Partners"}},
            {"op": "add_member", "account": "A2", "role": "R-partner"},
            {"op": "link_role", "permission": "TP-case-account", "role": "R-partner"}]"#,
    );
    assert_eq!(d.gained, lines(&[("C3", "read", "incident:I4")]));
    // A new anonymous role linked to a case root: nothing Contact-scoped for
    // the anonymous visitor (S10), but create is table-level (S17).
    let d = diff(
        r#"[{"op": "add_role", "role": {"id": "R-anon2", "name": "Anon", "anonymous_users": true}},
            {"op": "link_role", "permission": "TP-case-contact", "role": "R-anon2"}]"#,
    );
    assert_eq!(d.gained, lines(&[("anonymous", "create", "adx_portalcomment"), ("anonymous", "create", "incident")]));
}

#[test]
fn add_and_remove_member() {
    // C4 joins R-cust: no case has C4 as customer, but create is table-level (S17).
    let d = diff(r#"[{"op": "add_member", "contact": "C4", "role": "R-cust"}]"#);
    assert_eq!(d.gained, lines(&[("C4", "create", "adx_portalcomment"), ("C4", "create", "incident")]));
    let d = diff(r#"[{"op": "remove_member", "contact": "C1", "role": "R-cust"}]"#);
    assert_eq!(d.lost, c1_case_tree());
    let d = diff(r#"[{"op": "remove_member", "account": "A2", "role": "R-cust"}]"#);
    assert_eq!(d.lost, c3_case_tree());
    // Adding an existing membership changes nothing.
    assert_eq!(diff(r#"[{"op": "add_member", "contact": "C1", "role": "R-cust"}]"#), GrantDiff::default());
}

#[test]
fn remove_role_removes_memberships_and_links() {
    let d = diff(r#"[{"op": "remove_role", "role": "R-cust"}]"#);
    let mut expected = c1_case_tree();
    expected.extend(c3_case_tree());
    assert_eq!(d.lost, expected);
    // R-admin is also listed on the child TP-case-note: the link goes too.
    let d = diff(r#"[{"op": "remove_role", "role": "R-admin"}]"#);
    assert_eq!(d.lost, lines(&[("C2", "read", "contact:C1"), ("C2", "read", "incident:I2")]));
}

#[test]
fn set_lookup() {
    // I5's customer becomes C1: TP-case-contact admits it for C1 (S10, S20).
    let d = diff(r#"[{"op": "set_lookup", "row": "incident:I5", "column": "customerid", "value": "C1"}]"#);
    assert_eq!(
        d.gained,
        lines(&[
            ("C1", "append", "incident:I5"),
            ("C1", "append_to", "incident:I5"),
            ("C1", "read", "incident:I5"),
            ("C1", "write", "incident:I5")
        ])
    );
    // Polymorphic (S23): the value A1 resolves in account: C2 (R-admin, A1) reads it.
    let d = diff(r#"[{"op": "set_lookup", "row": "incident:I5", "column": "customerid", "value": "A1"}]"#);
    assert_eq!(d.gained, lines(&[("C2", "read", "incident:I5")]));
    // Emptying I1's customer: C1 loses I1 and what hangs below it (S13).
    let d = diff(r#"[{"op": "set_lookup", "row": "incident:I1", "column": "customerid", "value": null}]"#);
    let expected: Vec<GrantLine> = c1_case_tree().into_iter().filter(|l| l.privilege != "create").collect();
    assert_eq!(d.lost, expected);
    // C5 joins account A1 (S1): C2, administrator of A1, reads C5's contact row.
    let d = diff(r#"[{"op": "set_lookup", "row": "contact:C5", "column": "parentcustomerid", "value": "A1"}]"#);
    assert_eq!(d.gained, lines(&[("C2", "read", "contact:C5")]));
    assert!(d.lost.is_empty());
}

#[test]
fn a_contact_moving_account_loses_the_account_grants() {
    // Base: TP-case-account (Account scope) also held by R-auth, so every
    // contact of A1 reads I2 and every contact of A2 reads I4 (S11).
    let base = example();
    let set = parse_changes(
        r#"{"changes": [{"op": "link_role", "permission": "TP-case-account", "role": "R-auth"}]}"#,
        "x.json",
    )
    .unwrap();
    let base = Analysis::new(build_scenario(&base.tenant, &set.scenarios[0]).unwrap().0);
    // C1 moves from A1 to A2 (S1): reads I4 instead of I2; C2 stays in A1.
    // C1 also leaves the account C2 administers: C2 no longer reads C1's
    // row (TP-acct-contacts).
    let d =
        diff_on(&base, r#"[{"op": "set_lookup", "row": "contact:C1", "column": "parentcustomerid", "value": "A2"}]"#);
    assert_eq!(d.lost, lines(&[("C1", "read", "incident:I2"), ("C2", "read", "contact:C1")]));
    assert_eq!(d.gained, lines(&[("C1", "read", "incident:I4")]));
}

#[test]
fn add_row() {
    // A new case of C3: read, write, append, append_to (TP-case-contact).
    let d =
        diff(r#"[{"op": "add_row", "table": "incident", "row": {"id": "I6", "customerid": "C3", "title": "New"}}]"#);
    assert_eq!(
        d.gained,
        lines(&[
            ("C3", "append", "incident:I6"),
            ("C3", "append_to", "incident:I6"),
            ("C3", "read", "incident:I6"),
            ("C3", "write", "incident:I6")
        ])
    );
    // A new contact of A1: its own row and the signed-in knowledge base (R-auth),
    // and C2 (administrator of A1) reads it.
    let d = diff(r#"[{"op": "add_row", "table": "contact", "row": {"id": "C6", "parentcustomerid": "A1"}}]"#);
    assert_eq!(
        d.gained,
        lines(&[
            ("C2", "read", "contact:C6"),
            ("C6", "read", "contact:C6"),
            ("C6", "read", "knowledgearticle:K1"),
            ("C6", "read", "knowledgearticle:K2"),
            ("C6", "write", "contact:C6"),
        ])
    );
    // A row in a table no permission names grants nothing.
    assert_eq!(diff(r#"[{"op": "add_row", "table": "cr_thing", "row": {"id": "X1"}}]"#), GrantDiff::default());
}

#[test]
fn remove_row() {
    // Removing I1: its notes and comments now point at nothing (S24).
    let d = diff(r#"[{"op": "remove_row", "row": "incident:I1"}]"#);
    let expected: Vec<GrantLine> = c1_case_tree().into_iter().filter(|l| l.privilege != "create").collect();
    assert_eq!(d.lost, expected);
    // Removing contact C1 removes the visitor (S25) and its membership; C2
    // no longer reads C1's row.
    let base = example();
    let d = diff_on(&base, r#"[{"op": "remove_row", "row": "contact:C1"}]"#);
    let c1_before = grant_line_set(&base).into_iter().filter(|l| l.visitor == "C1").count();
    assert_eq!(count(&d.lost, "C1"), c1_before);
    assert!(d.lost.contains(&g("C2", "read", "contact:C1")));
    assert_eq!(d.lost.len(), c1_before + 1);
    // Removing account A2 removes its membership in R-cust: C3 loses the case tree.
    let d = diff(r#"[{"op": "remove_row", "row": "account:A2"}]"#);
    assert_eq!(d.lost, c3_case_tree());
}

const NN_TENANT: &str = r#"{
  "format": "portal-access/tenant@1",
  "relationships": [{"name": "contact_products", "kind": "many_to_many", "tables": ["contact", "product"]}],
  "rows": {"contact": [{"id": "C1"}, {"id": "C2"}], "product": [{"id": "P1"}, {"id": "P2"}]},
  "associations": {"contact_products": [["C1", "P1"]]},
  "web_roles": [{"id": "R-auth", "name": "Authenticated Users", "authenticated_users": true}],
  "table_permissions": [
    {"id": "TP-products", "name": "My products", "table": "product", "scope": "contact",
     "contact_relationship": "contact_products", "privileges": ["read"], "web_roles": ["R-auth"]}
  ]
}"#;

fn nn_tenant() -> Analysis {
    let raw = portal_access::load::native::parse_native(NN_TENANT, "nn.json").unwrap();
    Analysis::new(Tenant::build(raw, "nn.json").unwrap())
}

#[test]
fn associate_and_disassociate() {
    // S22: each association pair relates the two rows.
    let base = nn_tenant();
    let d = diff_on(&base, r#"[{"op": "associate", "relationship": "contact_products", "pair": ["C2", "P2"]}]"#);
    assert_eq!(d.gained, lines(&[("C2", "read", "product:P2")]));
    let d = diff_on(&base, r#"[{"op": "disassociate", "relationship": "contact_products", "pair": ["C1", "P1"]}]"#);
    assert_eq!(d.lost, lines(&[("C1", "read", "product:P1")]));
    // Removing a row removes its associations.
    let d = diff_on(&base, r#"[{"op": "remove_row", "row": "product:P1"}]"#);
    assert_eq!(d.lost, lines(&[("C1", "read", "product:P1")]));
    let (edited, _) = build_scenario(
        &base.tenant,
        &parse_changes(r#"{"changes": [{"op": "remove_row", "row": "contact:C1"}]}"#, "x.json").unwrap().scenarios[0],
    )
    .unwrap();
    assert_eq!(edited.raw.associations["contact_products"], serde_json::json!([]));
}

#[test]
fn changes_apply_in_order() {
    // Removing then re-adding a privilege is no change; the reverse order clears it.
    assert_eq!(
        diff(
            r#"[{"op": "remove_privilege", "permission": "TP-self", "privilege": "write"},
                {"op": "add_privilege", "permission": "TP-self", "privilege": "write"}]"#
        ),
        GrantDiff::default()
    );
    let d = diff(
        r#"[{"op": "add_privilege", "permission": "TP-self", "privilege": "write"},
            {"op": "remove_privilege", "permission": "TP-self", "privilege": "write"}]"#,
    );
    assert_eq!(d.lost.len(), 5);
    // A role added by an earlier change can be used by a later one.
    let d = diff(
        r#"[{"op": "add_role", "role": {"id": "R-x", "name": "X"}},
            {"op": "add_permission", "permission": {"id": "TP-x", "table": "knowledgearticle", "scope": "global",
              "privileges": ["write"], "web_roles": ["R-x"]}},
            {"op": "add_member", "contact": "C5", "role": "R-x"}]"#,
    );
    assert_eq!(d.gained, lines(&[("C5", "write", "knowledgearticle:K1"), ("C5", "write", "knowledgearticle:K2")]));
}

// ------------------------------------------------------------- answers

#[test]
fn answer_json_shape_and_other_scenarios_still_run() {
    let base = example();
    let set = parse_changes(
        r#"{"format": "portal-access/changes@1", "scenarios": [
            {"name": "broken", "changes": [
                {"op": "add_privilege", "permission": "TP-self", "privilege": "delete"},
                {"op": "remove_privilege", "permission": "TP-x", "privilege": "write"}]},
            {"name": "kb write", "changes": [
                {"op": "add_privilege", "permission": "TP-kb-anon", "privilege": "write"}]}
        ]}"#,
        "c.json",
    )
    .unwrap();
    let answer = WhatIf::new(&base).run_all(&[set]);
    let json = serde_json::to_value(&answer).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"scenarios": [
            {"name": "broken", "ok": false, "error": "change 2: permission `TP-x` does not exist"},
            {"name": "kb write", "ok": true,
             "gained": [
                {"visitor": "anonymous", "privilege": "write", "row": "knowledgearticle:K1"},
                {"visitor": "anonymous", "privilege": "write", "row": "knowledgearticle:K2"}],
             "lost": [],
             "summary": {"gained": 2, "lost": 0, "visitors_affected": 1},
             // Registration is open (no setting closes it, C8): the newcomer
             // holds only the authenticated users roles (C9), not the
             // anonymous one, so it gains nothing here.
             "newcomer": {"gained": [], "lost": []},
             // A9: the anonymous visitor gains a possible write pattern on
             // every knowledge article, with or without rows.
             "patterns": {"gained": [
                {"class": "anonymous", "roles": ["R-anon"],
                 "condition": [{"scope": "global", "relationship": null, "known": true, "table": "knowledgearticle"}],
                 "permission": "TP-kb-anon", "possible": true, "privilege": "write", "table": "knowledgearticle"}],
              "lost": []}}
        ]})
    );
}

#[test]
fn answers_sort_by_visitor_privilege_target_in_string_order() {
    // `anonymous` sorts among contact ids by plain string order; create
    // lines carry `table`.
    let d = diff(
        r#"[{"op": "add_permission", "permission": {"id": "TP-all", "table": "knowledgearticle", "scope": "global",
             "privileges": ["delete", "create"], "web_roles": ["R-anon", "R-auth"]}}]"#,
    );
    let mut sorted = d.gained.clone();
    sorted.sort_by(|a, b| (&a.visitor, &a.privilege, a.target()).cmp(&(&b.visitor, &b.privilege, b.target())));
    assert_eq!(d.gained, sorted);
    assert_eq!(d.gained[0], g("C1", "create", "knowledgearticle"));
    assert_eq!(d.gained.len(), 6 * 3);
    let json = serde_json::to_value(&d.gained[0]).unwrap();
    assert_eq!(json, serde_json::json!({"visitor": "C1", "privilege": "create", "table": "knowledgearticle"}));
}

#[test]
fn top_level_changes_array_is_one_scenario_named_after_the_file() {
    let set = parse_changes(r#"{"changes": []}"#, "some/dir/cases-global.json").unwrap();
    assert_eq!(set.scenarios.len(), 1);
    assert_eq!(set.scenarios[0].name, "cases-global");
    assert!(set.scenarios[0].changes.is_empty());
}

// ------------------------------------------------------------- failures

#[test]
fn a_change_naming_something_missing_fails_its_scenario() {
    let cases: &[(&str, &str)] = &[
        (r#"{"op": "remove_permission", "permission": "TP-x"}"#, "change 1: permission `TP-x` does not exist"),
        (
            r#"{"op": "set_scope", "permission": "TP-x", "scope": "global"}"#,
            "change 1: permission `TP-x` does not exist",
        ),
        (
            r#"{"op": "add_privilege", "permission": "TP-x", "privilege": "read"}"#,
            "change 1: permission `TP-x` does not exist",
        ),
        (r#"{"op": "set_active", "permission": "TP-x", "active": true}"#, "change 1: permission `TP-x` does not exist"),
        (r#"{"op": "set_active", "role": "R-x", "active": true}"#, "change 1: web role `R-x` does not exist"),
        (r#"{"op": "link_role", "permission": "TP-self", "role": "R-x"}"#, "change 1: web role `R-x` does not exist"),
        (
            r#"{"op": "unlink_role", "permission": "TP-x", "role": "R-cust"}"#,
            "change 1: permission `TP-x` does not exist",
        ),
        (r#"{"op": "remove_role", "role": "R-x"}"#, "change 1: web role `R-x` does not exist"),
        (r#"{"op": "add_member", "contact": "C9", "role": "R-cust"}"#, "change 1: contact `C9` does not exist"),
        (r#"{"op": "add_member", "account": "C1", "role": "R-cust"}"#, "change 1: account `C1` does not exist"),
        (r#"{"op": "remove_member", "contact": "C1", "role": "R-x"}"#, "change 1: web role `R-x` does not exist"),
        (
            r#"{"op": "set_lookup", "row": "incident:I9", "column": "customerid", "value": null}"#,
            "change 1: row `incident:I9` does not exist",
        ),
        (
            r#"{"op": "set_lookup", "row": "incident:I1", "column": "customerid", "value": "K1"}"#,
            "change 1: lookup value `K1` names no row of `account` or `contact`",
        ),
        (
            r#"{"op": "set_lookup", "row": "incident:I1", "column": "title", "value": "x"}"#,
            "change 1: column `title` of table `incident` is not a lookup (no relationship uses it)",
        ),
        (r#"{"op": "remove_row", "row": "incident:I9"}"#, "change 1: row `incident:I9` does not exist"),
        (r#"{"op": "remove_row", "row": "nosuchtable:I1"}"#, "change 1: row `nosuchtable:I1` does not exist"),
        (
            r#"{"op": "associate", "relationship": "nope", "pair": ["C1", "P1"]}"#,
            "change 1: relationship `nope` does not exist",
        ),
        (
            r#"{"op": "associate", "relationship": "incident_customer_contacts", "pair": ["I1", "C1"]}"#,
            "change 1: relationship `incident_customer_contacts` is not many-to-many",
        ),
        (
            r#"{"op": "add_permission", "permission": {"id": "TP-n", "table": "incident", "scope": "global", "parent": "TP-x"}}"#,
            "change 1: parent permission `TP-x` does not exist",
        ),
        (
            r#"{"op": "add_permission", "permission": {"id": "TP-n", "table": "incident", "scope": "global", "web_roles": ["R-x"]}}"#,
            "change 1: web role `R-x` does not exist",
        ),
    ];
    for (change, expected) in cases {
        assert_eq!(failure(&format!("[{change}]")), *expected, "for {change}");
    }
    // The index counts from 1 and names the failing change.
    assert_eq!(
        failure(
            r#"[{"op": "add_privilege", "permission": "TP-self", "privilege": "delete"},
                {"op": "remove_permission", "permission": "TP-self"},
                {"op": "add_privilege", "permission": "TP-self", "privilege": "read"}]"#
        ),
        "change 3: permission `TP-self` does not exist"
    );
    // Removing a parent removes its children, which later changes cannot name.
    assert_eq!(
        failure(
            r#"[{"op": "remove_permission", "permission": "TP-case-contact"},
                {"op": "set_active", "permission": "TP-comment-note", "active": false}]"#
        ),
        "change 2: permission `TP-comment-note` does not exist"
    );
    let nn = nn_tenant();
    let set = parse_changes(
        r#"{"changes": [{"op": "associate", "relationship": "contact_products", "pair": ["C1", "P9"]}]}"#,
        "x.json",
    )
    .unwrap();
    assert_eq!(
        build_scenario(&nn.tenant, &set.scenarios[0]).unwrap_err().to_string(),
        "change 1: row `product:P9` does not exist"
    );
}

#[test]
fn duplicate_ids_fail_the_scenario() {
    assert_eq!(
        failure(r#"[{"op": "add_permission", "permission": {"id": "TP-self", "table": "contact", "scope": "self"}}]"#),
        "change 1: permission `TP-self` already exists"
    );
    assert_eq!(
        failure(r#"[{"op": "add_role", "role": {"id": "R-cust", "name": "again"}}]"#),
        "change 1: web role `R-cust` already exists"
    );
    assert_eq!(
        failure(r#"[{"op": "add_row", "table": "incident", "row": {"id": "I1"}}]"#),
        "change 1: row `incident:I1` already exists"
    );
}

#[test]
fn a_parent_cycle_fails_the_scenario() {
    // S5: TP-case-contact under its own grandchild.
    assert_eq!(
        failure(
            r#"[{"op": "set_scope", "permission": "TP-case-contact", "scope": "parent", "parent": "TP-comment-note",
                 "parent_relationship": "Incident_Annotation"}]"#
        ),
        "change 1: parent links would form a cycle: `TP-case-contact` -> `TP-comment-note` -> `TP-comment` -> `TP-case-contact`"
    );
    assert_eq!(
        failure(r#"[{"op": "set_scope", "permission": "TP-self", "scope": "global", "parent": "TP-self"}]"#),
        "change 1: parent links would form a cycle: `TP-self` -> `TP-self`"
    );
    // A permission made a root with `"parent": null` leaves its old tree.
    let d = diff(r#"[{"op": "set_scope", "permission": "TP-comment", "scope": "global", "parent": null}]"#);
    assert!(d.gained.is_empty());
    // TP-comment and TP-comment-note (now in a tree held by nobody, S6) stop granting.
    assert!(d.lost.contains(&g("C1", "read", "annotation:N2")));
    assert!(d.lost.contains(&g("C3", "create", "adx_portalcomment")));
}

#[test]
fn a_change_leaving_the_tenant_invalid_fails_the_scenario() {
    // Caught by the tenant validator; the failing change is named.
    assert_eq!(
        failure(
            r#"[{"op": "add_privilege", "permission": "TP-self", "privilege": "delete"},
                {"op": "set_scope", "permission": "TP-self", "scope": "contact"}]"#
        ),
        "change 2: leaves the tenant invalid: scope `contact` needs `contact_relationship`"
    );
    assert_eq!(
        failure(
            r#"[{"op": "set_scope", "permission": "TP-self", "scope": "contact", "contact_relationship": "nope"}]"#
        ),
        "change 1: leaves the tenant invalid: relationship `nope` does not exist"
    );
    assert_eq!(
        failure(r#"[{"op": "set_scope", "permission": "TP-kb-anon", "scope": "parent"}]"#),
        "change 1: leaves the tenant invalid: scope `parent` needs `parent`"
    );
    assert_eq!(
        failure(r#"[{"op": "add_row", "table": "incident", "row": {"id": "I6", "customerid": 7}}]"#),
        "change 1: leaves the tenant invalid: lookup `customerid` must be a string id or null, found a number"
    );
}

#[test]
fn a_wrong_op_is_a_load_error_with_its_json_path() {
    let e =
        parse_error(r#"{"scenarios": [{"name": "a", "changes": [{"op": "frobnicate", "permission": "TP-self"}]}]}"#);
    let LoadError::Invalid { file, place, message } = &e else { panic!("{e:?}") };
    assert_eq!(file, "changes.json");
    assert_eq!(place, "`scenarios[0].changes[0].op`");
    assert!(message.starts_with("unknown variant `frobnicate`"), "{message}");
}

#[test]
fn bad_values_are_load_errors_naming_their_json_path() {
    let place = |doc: &str| match parse_error(doc) {
        LoadError::Invalid { place, message, .. } => format!("{place}: {message}"),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        place(
            r#"{"scenarios": [{"name": "a", "changes": []}, {"name": "b", "changes": [
                {"op": "add_privilege", "permission": "TP-self", "privilege": "read"},
                {"op": "add_privilege", "permission": "TP-self", "privilege": "reed"}]}]}"#
        ),
        "`scenarios[1].changes[1].privilege`: unknown privilege `reed` (expected read, write, create, delete, append or append_to)"
    );
    assert_eq!(
        place(r#"{"changes": [{"op": "set_scope", "permission": "TP-self", "scope": "everyone"}]}"#),
        "`changes[0].scope`: unknown scope `everyone` (expected global, contact, account, parent, self, custom or a code 756150000 to 756150004)"
    );
    assert_eq!(
        place(r#"{"changes": [{"op": "add_privilege", "permission": "TP-self"}]}"#),
        "`changes[0]`: `add_privilege` needs `privilege`"
    );
    assert_eq!(
        place(r#"{"changes": [{"op": "remove_row", "row": "incident-I1"}]}"#),
        "`changes[0].row`: expected a row reference `TABLE:ID`, found `incident-I1`"
    );
    assert_eq!(
        place(r#"{"changes": [{"op": "remove_permission", "permission": "TP-self", "privilege": "read"}]}"#),
        "`changes[0].privilege`: `remove_permission` takes no `privilege` (it takes `permission`)"
    );
    assert_eq!(
        place(r#"{"changes": [{"op": "set_active", "permission": "TP-self", "active": "no"}]}"#),
        "`changes[0].active`: expected a boolean, found a string"
    );
    assert_eq!(
        place(r#"{"changes": [{"op": "add_member", "contact": "C1", "account": "A1", "role": "R-cust"}]}"#),
        "`changes[0]`: `add_member` needs exactly one of `contact` and `account`"
    );
    assert_eq!(
        place(r#"{"changes": [{"op": "associate", "relationship": "r", "pair": ["C1"]}]}"#),
        "`changes[0].pair`: expected a pair of two string ids `[first, second]`"
    );
    assert_eq!(
        place(r#"{"changes": [{"op": "add_permission", "permission": {"id": "TP-n", "table": "incident", "scope": "global", "privileges": ["rd"]}}]}"#),
        "`changes[0].permission.privileges[0]`: unknown privilege `rd` (expected read, write, create, delete, append or append_to)"
    );
    let p = place(
        r#"{"changes": [{"op": "add_permission", "permission": {"id": "TP-n", "table": "incident", "scope": "global", "colour": 1}}]}"#,
    );
    assert!(p.starts_with("`changes[0].permission.colour`: unknown field `colour`"), "{p}");
    let p = place(r#"{"changes": [{"op": "add_role", "role": {"name": "no id"}}]}"#);
    assert!(p.starts_with("`changes[0].role`: missing field `id`"), "{p}");
    assert_eq!(
        place(r#"{"format": "portal-access/changes@2", "changes": []}"#),
        "`format`: expected `portal-access/changes@1`, found `portal-access/changes@2`"
    );
    assert_eq!(
        place(r#"{"changes": [], "scenarios": []}"#),
        "the top level: give either `scenarios` or `changes`, not both"
    );
    assert_eq!(place(r#"{}"#), "the top level: a change document needs `scenarios` or `changes`");
    let p = place(r#"{"scenarios": [{"name": "a", "changes": []}, {"name": "a", "changes": []}]}"#);
    assert_eq!(p, "`scenarios[1].name`: scenario name `a` is used twice (also at `scenarios[0]`)");
    let p = place(r#"{"scenarios": [{"name": "a", "changes": [], "extra": 1}]}"#);
    assert!(p.starts_with("`scenarios[0].extra`: unknown field `extra`"), "{p}");
    let p = place(r#"{"changes": [{"op": "set_lookup", "row": "incident:I1", "column": "customerid"}]}"#);
    assert_eq!(p, "`changes[0]`: `set_lookup` needs `value`");
}

#[test]
fn invalid_json_is_a_load_error_with_line_and_column() {
    let e = parse_error("{\"changes\": [\n  {\"op\": \"remove_row\",, }\n]}");
    let LoadError::Syntax { file, line, .. } = &e else { panic!("{e:?}") };
    assert_eq!((file.as_str(), *line), ("changes.json", 2));
}

#[test]
fn answers_sort_in_plain_string_order_of_printed_ids() {
    // `t2:…` sorts before `t:…` (`2` < `:`), `C10` before `C2`, `Z9` before
    // `anonymous` before `b1` (S26, cli.md).
    let tenant = r#"{
      "format": "portal-access/tenant@1",
      "rows": {"contact": [{"id": "b1"}, {"id": "C2"}, {"id": "Z9"}, {"id": "C10"}],
               "t": [{"id": "x"}, {"id": "X10"}, {"id": "X2"}], "t2": [{"id": "x"}]},
      "web_roles": [{"id": "R-anon", "name": "A", "anonymous_users": true},
                    {"id": "R-auth", "name": "B", "authenticated_users": true}]
    }"#;
    let raw = portal_access::load::native::parse_native(tenant, "order.json").unwrap();
    let base = Analysis::new(Tenant::build(raw, "order.json").unwrap());
    let d = diff_on(
        &base,
        r#"[{"op": "add_permission", "permission": {"id": "P1", "table": "t", "scope": "global",
              "privileges": ["read", "append_to", "create"], "web_roles": ["R-anon", "R-auth"]}},
            {"op": "add_permission", "permission": {"id": "P2", "table": "t2", "scope": "global",
              "privileges": ["read", "create"], "web_roles": ["R-anon", "R-auth"]}}]"#,
    );
    let first: Vec<String> =
        d.gained.iter().take(9).map(|l| format!("{} {} {}", l.visitor, l.privilege, l.target())).collect();
    assert_eq!(
        first,
        [
            "C10 append_to t:X10",
            "C10 append_to t:X2",
            "C10 append_to t:x",
            "C10 create t",
            "C10 create t2",
            "C10 read t2:x",
            "C10 read t:X10",
            "C10 read t:X2",
            "C10 read t:x",
        ]
    );
    let visitors: Vec<&str> =
        d.gained.iter().map(|l| l.visitor.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
    assert_eq!(visitors, ["C10", "C2", "Z9", "anonymous", "b1"]);
    let order: Vec<&str> = d.gained.iter().map(|l| l.visitor.as_str()).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
}

#[test]
fn changes_and_scenarios_must_be_objects_not_arrays_of_fields() {
    // serde would otherwise read `["remove_permission", "TP-self"]` as a change.
    let e = parse_error(r#"{"changes": [["remove_permission", "TP-self"]]}"#);
    let LoadError::Invalid { place, message, .. } = &e else { panic!("{e:?}") };
    assert_eq!(place, "`changes[0]`");
    assert!(message.starts_with("invalid type: sequence, expected a change object"), "{message}");
    let e = parse_error(r#"{"scenarios": [["s", []]]}"#);
    let LoadError::Invalid { place, .. } = &e else { panic!("{e:?}") };
    assert_eq!(place, "`scenarios[0]`");
    let e = parse_error(r#"[null, null, []]"#);
    assert_eq!(e.to_string(), "changes.json: at the top level: expected a change document object, found an array");
}
