//! `why` (cli.md) on the spec's example tenant, checked by hand against
//! `semantics.md`, and on random tenants: `why` carries exactly `can`'s
//! answer, one valid chain per granting candidate, and a reason when denied.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::engine::Visitor;
use portal_access::model::{Privilege, Tenant};
use portal_access::perf::testkit::{random_tenant, Size};
use portal_access::engine::walk::Walker;
use portal_access::Analysis;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/customer-service.json");

fn example() -> Analysis {
    Analysis::load(Path::new(EXAMPLE)).unwrap()
}

fn why(a: &Analysis, visitor: &str, privilege: &str, target: &str) -> Value {
    serde_json::to_value(a.why(visitor, privilege, target).unwrap()).unwrap()
}

fn role(id: &str, via: &str) -> Value {
    json!({"kind": "role", "id": id, "via": via})
}
fn perm(id: &str, scope: &str) -> Value {
    json!({"kind": "permission", "id": id, "scope": scope})
}
fn row(r: &str, rel: Option<&str>) -> Value {
    json!({"kind": "row", "ref": r, "relationship": rel})
}
fn anchor(r: &str, what: &str) -> Value {
    json!({"kind": "row", "ref": r, "relationship": null, "anchor": what})
}

/// S13, S10, S3: N2 is a note on comment PC1, on case I1, whose customer is
/// C1; C1 is a member of R-cust, the role of the root TP-case-contact.
#[test]
fn why_c1_read_n2_walks_the_parent_chain() {
    let a = example();
    let w = why(&a, "C1", "read", "annotation:N2");
    assert_eq!(w["visitor"], "C1");
    assert_eq!(w["privilege"], "read");
    assert_eq!(w["row"], "annotation:N2");
    assert_eq!(w["allowed"], true);
    assert_eq!(w["via"], json!(["TP-comment-note"]));
    assert_eq!(
        w["paths"],
        json!([[
            role("R-cust", "contact"),
            perm("TP-case-contact", "contact"),
            anchor("contact:C1", "visitor"),
            row("incident:I1", Some("incident_customer_contacts")),
            perm("TP-comment", "parent"),
            row("adx_portalcomment:PC1", Some("incident_adx_portalcomments")),
            perm("TP-comment-note", "parent"),
            row("annotation:N2", Some("adx_portalcomment_Annotations")),
        ]])
    );
    assert!(w.get("reason").is_none());
}

/// S6: C2 holds R-admin, which TP-case-note lists, but TP-case-note is a
/// child of TP-case-contact, held through R-cust only: no tree C2 holds has
/// a permission on `annotation`.
#[test]
fn why_c2_read_n1_is_denied_no_tree() {
    let a = example();
    let w = why(&a, "C2", "read", "annotation:N1");
    assert_eq!(w["allowed"], false);
    assert_eq!(w["via"], json!([]));
    assert_eq!(w["paths"], json!([]));
    assert_eq!(w["miss"], "no_tree");
    let reason = w["reason"].as_str().unwrap();
    for part in ["C2", "annotation", "TP-case-note", "TP-case-contact", "R-cust", "R-admin", "ignored"] {
        assert!(reason.contains(part), "`{part}` missing from: {reason}");
    }
}

/// S11, S1: C2's account is A1 (parentcustomerid), I2's customer is A1.
#[test]
fn why_account_scope_names_the_account() {
    let a = example();
    let w = why(&a, "C2", "read", "incident:I2");
    assert_eq!(
        w["paths"],
        json!([[
            role("R-admin", "contact"),
            perm("TP-case-account", "account"),
            anchor("account:A1", "account"),
            row("incident:I2", Some("incident_customer_accounts")),
        ]])
    );
}

/// S3: C3 holds R-cust through its account A2.
#[test]
fn why_role_held_through_the_account() {
    let a = example();
    let w = why(&a, "C3", "read", "incident:I3");
    assert_eq!(w["paths"][0][0], json!({"kind": "role", "id": "R-cust", "via": "account", "account": "account:A2"}));
    assert_eq!(w["via"], json!(["TP-case-contact"]));
}

/// S4, S9: the anonymous visitor holds R-anon; Global admits every row.
#[test]
fn why_anonymous_global() {
    let a = example();
    let w = why(&a, "anonymous", "read", "knowledgearticle:K1");
    assert_eq!(w["visitor"], "anonymous");
    assert_eq!(
        w["paths"],
        json!([[role("R-anon", "anonymous"), perm("TP-kb-anon", "global"), row("knowledgearticle:K1", None)]])
    );
    // S3: a signed-in contact goes through the authenticated users role instead.
    let w = why(&a, "C5", "read", "knowledgearticle:K1");
    assert_eq!(w["paths"][0][0], role("R-auth", "authenticated"));
    assert_eq!(w["via"], json!(["TP-kb-auth"]));
}

/// S15, S16: N1 is in the scope of TP-case-note for C1, which lacks `write`.
#[test]
fn why_in_scope_without_the_privilege() {
    let a = example();
    let w = why(&a, "C1", "write", "annotation:N1");
    assert_eq!(w["allowed"], false);
    assert_eq!(w["miss"], "no_privilege");
    let reason = w["reason"].as_str().unwrap();
    assert!(reason.contains("TP-case-note") && reason.contains("write"), "{reason}");
}

/// S13, S10: C3 holds the case tree (through A2), but N3 is a note on I4,
/// whose customer is the account A2, not the contact C3.
#[test]
fn why_not_in_scope_names_the_missing_link() {
    let a = example();
    let w = why(&a, "C3", "read", "annotation:N3");
    assert_eq!(w["allowed"], false);
    assert_eq!(w["miss"], "not_in_scope");
    let reason = w["reason"].as_str().unwrap();
    for part in ["TP-case-note", "incident:I4", "Incident_Annotation", "incident_customer_contacts", "contact:C3"] {
        assert!(reason.contains(part), "`{part}` missing from: {reason}");
    }
}

/// S12: Self scope admits only the visitor's own contact row.
#[test]
fn why_self_scope_miss() {
    let a = example();
    let w = why(&a, "C4", "read", "contact:C1");
    assert_eq!(w["miss"], "not_in_scope");
    assert!(w["reason"].as_str().unwrap().contains("self scope"));
    let w = why(&a, "C4", "read", "contact:C4");
    assert_eq!(
        w["paths"],
        json!([[role("R-auth", "authenticated"), perm("TP-self", "self"), anchor("contact:C4", "visitor")]])
    );
}

/// S13: a row with an empty lookup is related to nothing.
#[test]
fn why_empty_lookup_has_no_link() {
    let a = example();
    let w = why(&a, "C1", "read", "annotation:N4");
    assert_eq!(w["miss"], "not_in_scope");
    assert!(w["reason"].as_str().unwrap().contains("no Incident_Annotation link"), "{}", w["reason"]);
}

/// S17: create is table-level; the path ends at the permission.
#[test]
fn why_create() {
    let a = example();
    let w = why(&a, "C1", "create", "incident");
    assert_eq!(w["table"], "incident");
    assert!(w.get("row").is_none());
    assert_eq!(w["paths"], json!([[role("R-cust", "contact"), perm("TP-case-contact", "contact")]]));
    // S8: TP-comment is a child; the path goes through its root.
    let w = why(&a, "C1", "create", "adx_portalcomment");
    assert_eq!(
        w["paths"],
        json!([[role("R-cust", "contact"), perm("TP-case-contact", "contact"), perm("TP-comment", "parent")]])
    );
    let w = why(&a, "C2", "create", "incident");
    assert_eq!(w["miss"], "no_privilege");
    let w = why(&a, "anonymous", "create", "incident");
    assert_eq!(w["miss"], "no_tree");
    let w = why(&a, "C1", "create", "annotation");
    assert_eq!(w["miss"], "no_privilege");
}

/// S13 under a Global top: the top row is any linked row (no relationship).
#[test]
fn why_parent_under_global() {
    let raw = portal_access::load::native::parse_native(
        r#"{"format": "portal-access/tenant@1",
        "rows": {"contact": [{"id": "C1"}], "incident": [{"id": "I1"}],
                 "annotation": [{"id": "N1", "objectid": "I1"}, {"id": "N2", "objectid": null}]},
        "web_roles": [{"id": "R", "name": "R", "authenticated_users": true}],
        "table_permissions": [
            {"id": "G", "table": "incident", "scope": "global", "privileges": [], "web_roles": ["R"]},
            {"id": "N", "table": "annotation", "scope": "parent", "parent": "G", "parent_relationship": "Incident_Annotation", "privileges": ["read"]}]}"#,
        "case",
    )
    .unwrap();
    let a = Analysis::new(Tenant::build(raw, "case").unwrap());
    let w = why(&a, "C1", "read", "annotation:N1");
    assert_eq!(
        w["paths"],
        json!([[
            role("R", "authenticated"),
            perm("G", "global"),
            row("incident:I1", None),
            perm("N", "parent"),
            row("annotation:N1", Some("Incident_Annotation")),
        ]])
    );
    let w = why(&a, "C1", "read", "annotation:N2");
    assert_eq!(w["miss"], "not_in_scope");
    let w = why(&a, "anonymous", "read", "annotation:N1");
    assert_eq!(w["miss"], "no_tree");
}

/// Unknown visitor, row or privilege: a query error (exit 2 in the CLI).
#[test]
fn why_rejects_unknown_arguments() {
    let a = example();
    assert!(a.why("C9", "read", "incident:I1").is_err());
    assert!(a.why("C1", "read", "incident:I9").is_err());
    assert!(a.why("C1", "look", "incident:I1").is_err());
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_portal-access")).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn cli_why_json_and_text() {
    let (code, out, _) = cli(&["why", EXAMPLE, "C1", "read", "annotation:N2", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(out.lines().count(), 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v, why(&example(), "C1", "read", "annotation:N2"));
    // `via` is the same as `can`'s, byte for byte.
    let (_, can_out, _) = cli(&["can", EXAMPLE, "C1", "read", "annotation:N2", "--json"]);
    let c: Value = serde_json::from_str(&can_out).unwrap();
    for k in ["visitor", "privilege", "row", "allowed", "via"] {
        assert_eq!(v[k], c[k], "{k}");
    }

    let (code, out, _) = cli(&["why", EXAMPLE, "C1", "read", "annotation:N2"]);
    assert_eq!(code, 0);
    for part in
        ["yes", "Customers", "Cases where contact is customer", "Portal comments on those cases", "Notes on those comments", "incident:Pump", "adx_portalcomment:PC1"]
    {
        assert!(out.contains(part), "`{part}` missing from:\n{out}");
    }
    let (code, out, _) = cli(&["why", EXAMPLE, "C2", "read", "annotation:N1"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("no") && out.contains("because"), "{out}");

    let (code, _, err) = cli(&["why", EXAMPLE, "C9", "read", "annotation:N1"]);
    assert_eq!(code, 2);
    assert!(err.contains("C9"), "{err}");
}

// ---------------------------------------------------- random tenants

/// Checks one `why` path step by step against the tenant, independently of
/// both engines: the role is held as claimed, permissions go from a root
/// listing the role down parent links to a candidate on the row's table,
/// and every row with a relationship is linked to the previous row by it.
fn check_path(t: &Tenant, v: Visitor, target_row: Option<u32>, path: &[Value]) -> Result<String, String> {
    let role_step = path.first().ok_or("empty path")?;
    if role_step["kind"] != "role" {
        return Err(format!("first step is not a role: {role_step}"));
    }
    let r = t.role_id(role_step["id"].as_str().ok_or("role id")?).ok_or("unknown role")?;
    let role = &t.roles[r as usize];
    if !role.active {
        return Err("inactive role".into());
    }
    let held = match (role_step["via"].as_str(), v) {
        (Some("anonymous"), Visitor::Anonymous) => role.anonymous,
        (Some("authenticated"), Visitor::Contact(_)) => role.authenticated && !role.anonymous,
        (Some("contact"), Visitor::Contact(c)) => !role.anonymous && t.contact_members.contains(&(c, r)),
        (Some("account"), Visitor::Contact(c)) => {
            let a = t.account_of(c).ok_or("no account")?;
            !role.anonymous
                && t.account_members.contains(&(a, r))
                && role_step["account"].as_str() == Some(t.row_ref(a).as_str())
        }
        _ => false,
    };
    if !held {
        return Err(format!("role not held as claimed: {role_step}"));
    }
    let mut prev_perm: Option<u32> = None;
    let mut prev_row: Option<u32> = None;
    for s in &path[1..] {
        match s["kind"].as_str() {
            Some("permission") => {
                let n = t.perm_id(s["id"].as_str().ok_or("perm id")?).ok_or("unknown permission")?;
                let p = &t.permissions[n as usize];
                if p.parent != prev_perm {
                    return Err(format!("{} does not follow its parent", p.id));
                }
                if prev_perm.is_none() && !p.roles.contains(&r) {
                    return Err("role not on the root".into());
                }
                if !p.active || s["scope"] != p.scope.name() {
                    return Err(format!("bad permission step {s}"));
                }
                prev_perm = Some(n);
            }
            Some("row") => {
                let x = t.parse_row(s["ref"].as_str().ok_or("ref")?).ok_or("unknown row")?;
                match (s["relationship"].as_str(), s.get("anchor").and_then(Value::as_str)) {
                    (Some(rel), None) => {
                        let rel = t.rel_id(rel).ok_or("unknown relationship")?;
                        let y = prev_row.ok_or("relationship with no previous row")?;
                        if !t.links.contains(&(rel, x, y)) && !t.links.contains(&(rel, y, x)) {
                            return Err(format!(
                                "{} and {} are not linked by {}",
                                t.row_ref(y),
                                t.row_ref(x),
                                s["relationship"]
                            ));
                        }
                    }
                    (None, Some("visitor")) => {
                        if v != Visitor::Contact(x) {
                            return Err("visitor anchor is not the visitor".into());
                        }
                    }
                    (None, Some("account")) => {
                        let Visitor::Contact(c) = v else { return Err("account anchor for anonymous".into()) };
                        if t.account_of(c) != Some(x) {
                            return Err("account anchor is not the account".into());
                        }
                    }
                    (None, None) => {}
                    _ => return Err(format!("bad row step {s}")),
                }
                prev_row = Some(x);
            }
            _ => return Err(format!("unknown step {s}")),
        }
    }
    let last = prev_perm.ok_or("no permission")?;
    if target_row.is_some() && prev_row != target_row {
        return Err("path does not end at the row".into());
    }
    if let Some(x) = target_row {
        if t.permissions[last as usize].table != t.table_of(x)
            || path.last().map(|s| s["kind"] != "row").unwrap_or(true)
        {
            return Err("last permission is not on the row's table".into());
        }
    } else if path.last().map(|s| s["kind"] != "permission").unwrap_or(true) {
        return Err("create path does not end at a permission".into());
    }
    Ok(t.permissions[last as usize].id.clone())
}

fn check_why_everywhere(a: &Analysis) -> Result<(), String> {
    let t = &a.tenant;
    let w = Walker::new(t);
    let mut visitors = vec!["anonymous".to_string()];
    visitors.extend(t.contacts().map(|c| t.row_name(c).to_string()));
    let mut targets: Vec<(Privilege, String, Option<u32>)> = Vec::new();
    for p in Privilege::ALL {
        if p == Privilege::Create {
            for tb in &t.tables {
                targets.push((p, tb.name.clone(), None));
            }
        } else {
            for x in 0..t.row_count() {
                targets.push((p, t.row_ref(x), Some(x)));
            }
        }
    }
    for vs in &visitors {
        let v = a.visitor(vs).unwrap();
        for (p, target, x) in &targets {
            let ans = a.why_with(&w, vs, p.name(), target).unwrap();
            let can = a.can(vs, p.name(), target).unwrap();
            let here = format!("why {vs} {p} {target}");
            if ans.can != can {
                return Err(format!("{here}: can part differs"));
            }
            let json = serde_json::to_value(&ans).unwrap();
            let mut perms = Vec::new();
            for path in json["paths"].as_array().unwrap() {
                perms.push(check_path(t, v, *x, path.as_array().unwrap()).map_err(|e| format!("{here}: {e}: {path}"))?);
            }
            if perms != can.via {
                return Err(format!("{here}: paths for {perms:?}, via {:?}", can.via));
            }
            match (can.allowed, &ans.reason, &ans.miss) {
                (true, None, None) => {}
                (false, Some(r), Some(_)) if !r.is_empty() => {}
                _ => return Err(format!("{here}: reason {:?} with allowed {}", ans.reason, can.allowed)),
            }
        }
    }
    Ok(())
}

#[test]
fn why_is_consistent_on_the_example() {
    check_why_everywhere(&example()).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// For every (visitor, privilege, target): `why` carries `can`'s answer,
    /// one valid path per `via` entry, and a reason exactly when denied.
    #[test]
    fn why_is_consistent_on_random_tenants(seed in any::<u64>()) {
        let a = Analysis::new(Tenant::build(random_tenant(seed, Size::small()), "random").unwrap());
        let r = check_why_everywhere(&a);
        prop_assert!(r.is_ok(), "seed {}: {}", seed, r.unwrap_err());
    }
}

/// S7: a permission in a held tree that is inactive (or under an inactive
/// one) is the nearest miss, before trees the visitor does not hold.
#[test]
fn why_inactive_permission_in_a_held_tree() {
    let raw = portal_access::load::native::parse_native(
        r#"{"format": "portal-access/tenant@1",
        "rows": {"contact": [{"id": "C1"}], "incident": [{"id": "I1", "customerid": "C1"}],
                 "annotation": [{"id": "N1", "objectid": "I1"}]},
        "web_roles": [{"id": "R", "name": "R", "authenticated_users": true}, {"id": "R-other", "name": "O"}],
        "table_permissions": [
            {"id": "A", "table": "annotation", "scope": "global", "privileges": ["read"], "web_roles": ["R-other"]},
            {"id": "P", "table": "incident", "scope": "contact", "contact_relationship": "incident_customer_contacts", "privileges": ["read"], "web_roles": ["R"]},
            {"id": "Q", "table": "annotation", "scope": "parent", "parent": "P", "parent_relationship": "Incident_Annotation", "privileges": ["read"], "active": false}]}"#,
        "case",
    )
    .unwrap();
    let a = Analysis::new(Tenant::build(raw, "case").unwrap());
    let w = why(&a, "C1", "read", "annotation:N1");
    assert_eq!(w["miss"], "no_tree");
    let reason = w["reason"].as_str().unwrap();
    assert!(reason.contains("Q is in a tree C1 holds, but is inactive"), "{reason}");
}
