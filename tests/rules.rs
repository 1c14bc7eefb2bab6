//! One test per rule of `semantics.md` (S1 to S26), each on the smallest
//! tenant that pins it. Every expected answer was worked out by hand from
//! the spec, not copied from the program's output. Where the spec leaves a
//! case open, the test says which way it was decided and why.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{analysis, can, check_in, load_error, roles, tenant, what, who};
use serde_json::{json, Value};

// ------------------------------------------------------------ principals

/// S1: `acct(c)` is the row `c.parentcustomerid` points to only when that row
/// is an account; a contact whose parent customer is a contact (or nothing,
/// or a dangling id) has no account and does not borrow its parent's.
#[test]
fn s1_account_only_from_account_parent() {
    let t = tenant(json!({
        "rows": {
            "account": [{"id": "A1"}],
            "contact": [
                {"id": "C1", "parentcustomerid": "A1"},
                {"id": "C2", "parentcustomerid": "C1"},
                {"id": "C3"},
                {"id": "C4", "parentcustomerid": "A9"},
                {"id": "C5", "parentcustomerid": null}
            ],
            "incident": [{"id": "I1", "customerid": "A1"}]
        },
        "web_roles": roles(),
        "table_permissions": [
            {"id": "TP", "name": "account cases", "table": "incident", "scope": "account",
             "account_relationship": "incident_customer_accounts", "privileges": ["read"], "web_roles": ["RU"]}
        ]
    }));
    let a = analysis(&t);
    can(&a, "C1", "read", "incident:I1", &["TP"]);
    for c in ["C2", "C3", "C4", "C5"] {
        can(&a, c, "read", "incident:I1", &[]);
    }
    who(&a, "read", "incident:I1", false, &["C1"]);
}

/// S2: the anonymous visitor has no contact and no account, so Contact,
/// Account and Self scopes admit nothing for it even when it holds the tree;
/// Global still admits.
#[test]
fn s2_anonymous_visitor_has_no_contact_and_no_account() {
    let t = tenant(json!({
        "rows": {
            "account": [{"id": "A1"}],
            "contact": [{"id": "C1", "parentcustomerid": "A1"}],
            "incident": [{"id": "I1", "customerid": "C1"}, {"id": "I2", "customerid": "A1"}],
            "knowledgearticle": [{"id": "K1"}]
        },
        "web_roles": roles(),
        "table_permissions": [
            {"id": "TPc", "table": "incident", "scope": "contact", "contact_relationship": "incident_customer_contacts",
             "privileges": ["read"], "web_roles": ["RA"]},
            {"id": "TPa", "table": "incident", "scope": "account", "account_relationship": "incident_customer_accounts",
             "privileges": ["read"], "web_roles": ["RA"]},
            {"id": "TPs", "table": "contact", "scope": "self", "privileges": ["read"], "web_roles": ["RA"]},
            {"id": "TPg", "table": "knowledgearticle", "scope": "global", "privileges": ["read"], "web_roles": ["RA"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "anonymous", "read", &["knowledgearticle:K1"]);
    // C1 does not hold RA (S3), so nobody reads the cases.
    who(&a, "read", "incident:I1", false, &[]);
    who(&a, "read", "incident:I2", false, &[]);
    who(&a, "read", "knowledgearticle:K1", true, &[]);
}

/// S3: roles of a signed-in contact = direct memberships, memberships of
/// `acct(c)`, and every authenticated users role; only active roles count.
#[test]
fn s3_roles_direct_through_account_and_authenticated() {
    let t = tenant(json!({
        "rows": {
            "account": [{"id": "A1"}, {"id": "A2"}],
            "contact": [
                {"id": "C1", "parentcustomerid": "A1"},
                {"id": "C2", "parentcustomerid": "A1"},
                {"id": "C3", "parentcustomerid": "A2"},
                {"id": "C4", "parentcustomerid": "C3"},
                {"id": "C5"}
            ],
            "direct": [{"id": "X"}], "byaccount": [{"id": "X"}], "everyone": [{"id": "X"}],
            "anononly": [{"id": "X"}], "inactive": [{"id": "X"}], "inactiveauth": [{"id": "X"}]
        },
        "web_roles": [
            {"id": "R1", "name": "one"}, {"id": "R2", "name": "two"},
            {"id": "RU", "name": "auth", "authenticated_users": true},
            {"id": "RA", "name": "anon", "anonymous_users": true},
            {"id": "RX", "name": "off", "active": false},
            {"id": "RUX", "name": "auth off", "authenticated_users": true, "active": false}
        ],
        "role_members": {
            "contacts": [["C1", "R1"], ["C1", "RX"]],
            "accounts": [["A2", "R2"], ["A1", "RX"]]
        },
        "table_permissions": [
            {"id": "TP1", "table": "direct", "scope": "global", "privileges": ["read"], "web_roles": ["R1"]},
            {"id": "TP2", "table": "byaccount", "scope": "global", "privileges": ["read"], "web_roles": ["R2"]},
            {"id": "TPU", "table": "everyone", "scope": "global", "privileges": ["read"], "web_roles": ["RU"]},
            {"id": "TPA", "table": "anononly", "scope": "global", "privileges": ["read"], "web_roles": ["RA"]},
            {"id": "TPX", "table": "inactive", "scope": "global", "privileges": ["read"], "web_roles": ["RX"]},
            {"id": "TPUX", "table": "inactiveauth", "scope": "global", "privileges": ["read"], "web_roles": ["RUX"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "C1", "read", &["direct:X", "everyone:X"]);
    what(&a, "C2", "read", &["everyone:X"]);
    what(&a, "C3", "read", &["byaccount:X", "everyone:X"]);
    // C4's parent customer is contact C3: no account, so no R2 (S1).
    what(&a, "C4", "read", &["everyone:X"]);
    what(&a, "C5", "read", &["everyone:X"]);
    what(&a, "anonymous", "read", &["anononly:X"]);
    who(&a, "read", "direct:X", false, &["C1"]);
    who(&a, "read", "byaccount:X", false, &["C3"]);
    who(&a, "read", "everyone:X", false, &["C1", "C2", "C3", "C4", "C5"]);
    who(&a, "read", "inactive:X", false, &[]);
    who(&a, "read", "inactiveauth:X", false, &[]);
}

/// S3: a signed-in contact never holds a role flagged anonymous users role,
/// not even as a direct member or through its account.
///
/// Ambiguity decided: a role flagged *both* anonymous and authenticated is
/// held by the anonymous visitor only. S3 says without condition that a
/// signed-in contact does not hold anonymous-flagged roles.
#[test]
fn s3_signed_in_contact_never_holds_anonymous_role() {
    let t = tenant(json!({
        "rows": {
            "account": [{"id": "A1"}],
            "contact": [{"id": "C1", "parentcustomerid": "A1"}, {"id": "C2", "parentcustomerid": "A1"}],
            "page": [{"id": "P"}],
            "both": [{"id": "B"}]
        },
        "web_roles": [
            {"id": "RA", "name": "anon", "anonymous_users": true},
            {"id": "RB", "name": "both", "anonymous_users": true, "authenticated_users": true}
        ],
        "role_members": {"contacts": [["C1", "RA"], ["C1", "RB"]], "accounts": [["A1", "RA"]]},
        "table_permissions": [
            {"id": "TPA", "table": "page", "scope": "global", "privileges": ["read"], "web_roles": ["RA"]},
            {"id": "TPB", "table": "both", "scope": "global", "privileges": ["read"], "web_roles": ["RB"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "C1", "read", &[]);
    what(&a, "C2", "read", &[]);
    what(&a, "anonymous", "read", &["both:B", "page:P"]);
    who(&a, "read", "page:P", true, &[]);
    who(&a, "read", "both:B", true, &[]);
}

/// S4: the anonymous visitor holds every active anonymous users role and
/// nothing else (no authenticated role, no plain role, no inactive role).
#[test]
fn s4_anonymous_gets_only_anonymous_roles() {
    let t = tenant(json!({
        "rows": {
            "contact": [{"id": "C1"}],
            "pub": [{"id": "X"}], "pubold": [{"id": "X"}], "members": [{"id": "X"}], "club": [{"id": "X"}]
        },
        "web_roles": [
            {"id": "RA", "name": "anon", "anonymous_users": true},
            {"id": "RA2", "name": "old anon", "anonymous_users": true, "active": false},
            {"id": "RU", "name": "auth", "authenticated_users": true},
            {"id": "R", "name": "club"}
        ],
        "role_members": {"contacts": [["C1", "R"], ["C1", "RA"]]},
        "table_permissions": [
            {"id": "TPA", "table": "pub", "scope": "global", "privileges": ["read"], "web_roles": ["RA"]},
            {"id": "TPA2", "table": "pubold", "scope": "global", "privileges": ["read"], "web_roles": ["RA2"]},
            {"id": "TPU", "table": "members", "scope": "global", "privileges": ["read"], "web_roles": ["RU"]},
            {"id": "TPR", "table": "club", "scope": "global", "privileges": ["read"], "web_roles": ["R"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "anonymous", "read", &["pub:X"]);
    who(&a, "read", "pub:X", true, &[]);
    who(&a, "read", "pubold:X", false, &[]);
    who(&a, "read", "members:X", false, &["C1"]);
    who(&a, "read", "club:X", false, &["C1"]);
}

// ------------------------------------------------------------ trees

/// S5: a parent cycle is a load error naming the permission's `parent`.
#[test]
fn s5_parent_cycle_is_load_error() {
    let t = tenant(json!({
        "table_permissions": [
            {"id": "TP1", "table": "incident", "scope": "global", "parent": "TP2", "privileges": ["read"]},
            {"id": "TP2", "table": "incident", "scope": "global", "parent": "TP1", "privileges": ["read"], "web_roles": []}
        ]
    }));
    let e = load_error(&t).to_string();
    assert!(e.contains("tenant.json") && e.contains("`table_permissions[0].parent`") && e.contains("cycle"), "{e}");

    let own = tenant(json!({
        "table_permissions": [
            {"id": "TP0", "table": "incident", "scope": "global"},
            {"id": "TP1", "table": "incident", "scope": "global", "parent": "TP1"}
        ]
    }));
    let e = load_error(&own).to_string();
    assert!(e.contains("`table_permissions[1].parent`") && e.contains("cycle"), "{e}");

    // A cycle hanging below a valid chain is still refused.
    let below = tenant(json!({
        "table_permissions": [
            {"id": "A", "table": "t", "scope": "global", "parent": "C"},
            {"id": "B", "table": "t", "scope": "global", "parent": "A"},
            {"id": "C", "table": "t", "scope": "global", "parent": "B"},
            {"id": "D", "table": "t", "scope": "global", "parent": "C"}
        ]
    }));
    assert!(load_error(&below).to_string().contains("cycle"));
}

/// S5: a parent id that names no permission is a load error, never a silent grant.
#[test]
fn s5_missing_parent_is_load_error() {
    let t = tenant(json!({
        "web_roles": roles(),
        "table_permissions": [
            {"id": "TP1", "table": "incident", "scope": "global", "privileges": ["read"], "web_roles": ["RU"]},
            {"id": "TP2", "table": "annotation", "scope": "global", "parent": "NOPE", "privileges": ["read"], "web_roles": ["RU"]}
        ]
    }));
    let e = load_error(&t).to_string();
    assert!(e.contains("`table_permissions[1].parent`") && e.contains("`NOPE`"), "{e}");
}

/// S6: web roles listed on a child are ignored; the tree is held through the
/// roles of its root only.
#[test]
fn s6_child_roles_are_ignored() {
    let t = tenant(json!({
        "rows": {
            "contact": [{"id": "C1"}, {"id": "C2"}],
            "incident": [{"id": "I1", "customerid": "C2"}, {"id": "I2"}],
            "annotation": [{"id": "N1", "objectid": "I1"}]
        },
        "web_roles": roles(),
        "role_members": {"contacts": [["C1", "R"]]},
        "table_permissions": [
            {"id": "TPa", "table": "incident", "scope": "global", "privileges": ["read"], "web_roles": ["R"]},
            {"id": "TPb", "table": "annotation", "scope": "global", "parent": "TPa", "privileges": ["read"], "web_roles": ["RU", "RA"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "C1", "read", &["annotation:N1", "incident:I1", "incident:I2"]);
    what(&a, "C2", "read", &[]);
    what(&a, "anonymous", "read", &[]);
    who(&a, "read", "annotation:N1", false, &["C1"]);
}

/// S6: a root with no roles is held by nobody, and so is every node below it
/// whatever roles the nodes list.
#[test]
fn s6_root_without_roles_is_held_by_nobody() {
    let t = tenant(json!({
        "rows": {
            "contact": [{"id": "C1"}],
            "incident": [{"id": "I1", "customerid": "C1"}],
            "annotation": [{"id": "N1", "objectid": "I1"}]
        },
        "web_roles": roles(),
        "role_members": {"contacts": [["C1", "R"]]},
        "table_permissions": [
            {"id": "TPr", "table": "incident", "scope": "global", "privileges": ["read", "create"], "web_roles": []},
            {"id": "TPc", "table": "annotation", "scope": "global", "parent": "TPr", "privileges": ["read", "create"],
             "web_roles": ["RU", "RA", "R"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "C1", "read", &[]);
    what(&a, "anonymous", "read", &[]);
    who(&a, "read", "annotation:N1", false, &[]);
    can(&a, "C1", "create", "incident", &[]);
    can(&a, "C1", "create", "annotation", &[]);
}

/// S7: an inactive permission contributes nothing, nor does anything below
/// it (even active nodes); nodes above it still count.
#[test]
fn s7_inactive_parent_kills_subtree() {
    let t = tenant(json!({
        "rows": {
            "contact": [{"id": "C1"}],
            "a": [{"id": "X"}], "b": [{"id": "X"}], "c": [{"id": "X"}], "d": [{"id": "X"}], "e": [{"id": "X"}]
        },
        "web_roles": roles(),
        "table_permissions": [
            {"id": "TP1", "table": "a", "scope": "global", "privileges": ["read"], "web_roles": ["RU"], "active": false},
            {"id": "TP1c", "table": "b", "scope": "global", "parent": "TP1", "privileges": ["read", "create"]},
            {"id": "TP2", "table": "c", "scope": "global", "privileges": ["read"], "web_roles": ["RU"]},
            {"id": "TP2c", "table": "d", "scope": "global", "parent": "TP2", "privileges": ["read", "create"], "active": false},
            {"id": "TP2cc", "table": "e", "scope": "global", "parent": "TP2c", "privileges": ["read", "create"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "C1", "read", &["c:X"]);
    check_in(&a, &["what", "C1", "create"], json!({"tables": []}));
    can(&a, "C1", "create", "b", &[]);
    can(&a, "C1", "create", "e", &[]);
}

/// S7 (S3, S4): an inactive role grants nothing, whether held directly,
/// through the account, as the authenticated or the anonymous role.
#[test]
fn s7_inactive_role_grants_nothing() {
    let t = tenant(json!({
        "rows": {
            "account": [{"id": "A1"}],
            "contact": [{"id": "C1", "parentcustomerid": "A1"}, {"id": "C2", "parentcustomerid": "A1"}],
            "t1": [{"id": "X"}], "t2": [{"id": "X"}], "t3": [{"id": "X"}], "t4": [{"id": "X"}]
        },
        "web_roles": [
            {"id": "RX", "name": "off", "active": false},
            {"id": "RUX", "name": "auth off", "authenticated_users": true, "active": false},
            {"id": "RAX", "name": "anon off", "anonymous_users": true, "active": false},
            {"id": "R", "name": "on"}
        ],
        "role_members": {"contacts": [["C1", "RX"], ["C1", "R"]], "accounts": [["A1", "RX"]]},
        "table_permissions": [
            {"id": "TPx", "table": "t1", "scope": "global", "privileges": ["read"], "web_roles": ["RX"]},
            {"id": "TPu", "table": "t2", "scope": "global", "privileges": ["read"], "web_roles": ["RUX"]},
            {"id": "TPa", "table": "t3", "scope": "global", "privileges": ["read"], "web_roles": ["RAX"]},
            {"id": "TPr", "table": "t4", "scope": "global", "privileges": ["read"], "web_roles": ["RX", "R"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "C1", "read", &["t4:X"]);
    what(&a, "C2", "read", &[]);
    what(&a, "anonymous", "read", &[]);
}

/// S8: every active node of a held tree is a candidate for its table: the
/// root, a child, and a grandchild back on the root's table.
#[test]
fn s8_every_node_counts() {
    let t = tenant(json!({
        "rows": {
            "contact": [{"id": "C1"}, {"id": "C2"}],
            "incident": [{"id": "I1", "customerid": "C1"}, {"id": "I2", "customerid": "C2"}],
            "annotation": [{"id": "N1", "objectid": "I1"}, {"id": "N2", "objectid": "I2"}]
        },
        "web_roles": roles(),
        "role_members": {"contacts": [["C1", "R"]]},
        "table_permissions": [
            {"id": "TPa", "table": "incident", "scope": "contact", "contact_relationship": "incident_customer_contacts",
             "privileges": ["read"], "web_roles": ["R"]},
            {"id": "TPb", "table": "annotation", "scope": "parent", "parent": "TPa",
             "parent_relationship": "Incident_Annotation", "privileges": ["read", "append"]},
            {"id": "TPc", "table": "incident", "scope": "global", "parent": "TPb", "privileges": ["write"]}
        ]
    }));
    let a = analysis(&t);
    can(&a, "C1", "read", "incident:I1", &["TPa"]);
    can(&a, "C1", "read", "incident:I2", &[]);
    can(&a, "C1", "read", "annotation:N1", &["TPb"]);
    can(&a, "C1", "append", "annotation:N1", &["TPb"]);
    can(&a, "C1", "read", "annotation:N2", &[]);
    can(&a, "C1", "write", "incident:I1", &["TPc"]);
    can(&a, "C1", "write", "incident:I2", &["TPc"]);
    can(&a, "C2", "write", "incident:I2", &[]);
    what(&a, "C1", "write", &["incident:I1", "incident:I2"]);
}

// ------------------------------------------------------------ scopes

/// S9: a Global child under a Contact-scoped parent admits every row of its
/// table, including rows unrelated to any parent row.
#[test]
fn s9_global_child_under_contact_parent_admits_all_rows() {
    let t = tenant(json!({
        "rows": {
            "contact": [{"id": "C1"}, {"id": "C2"}],
            "incident": [{"id": "I1", "customerid": "C2"}],
            "annotation": [{"id": "N1", "objectid": "I1"}, {"id": "N2", "objectid": null}, {"id": "N3", "objectid": "I404"}]
        },
        "web_roles": roles(),
        "role_members": {"contacts": [["C1", "R"]]},
        "table_permissions": [
            {"id": "TPa", "table": "incident", "scope": "contact", "contact_relationship": "incident_customer_contacts",
             "privileges": ["read"], "web_roles": ["R"]},
            {"id": "TPb", "table": "annotation", "scope": "global", "parent": "TPa", "privileges": ["read"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "C1", "read", &["annotation:N1", "annotation:N2", "annotation:N3"]);
    what(&a, "C2", "read", &[]);
}

/// S10: Contact scope admits the rows related to the visitor's contact; it
/// admits nothing for the anonymous visitor even when it holds the tree.
#[test]
fn s10_contact_scope_rows_related_to_the_contact() {
    let t = tenant(json!({
        "rows": {
            "account": [{"id": "A1"}],
            "contact": [{"id": "C1", "parentcustomerid": "A1"}, {"id": "C2", "parentcustomerid": "A1"}],
            "incident": [
                {"id": "I1", "customerid": "C1"}, {"id": "I2", "customerid": "C2"},
                {"id": "I3", "customerid": "A1"}, {"id": "I4", "customerid": null}
            ]
        },
        "web_roles": roles(),
        "table_permissions": [
            {"id": "TP", "table": "incident", "scope": "contact", "contact_relationship": "incident_customer_contacts",
             "privileges": ["read"], "web_roles": ["RU", "RA"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "C1", "read", &["incident:I1"]);
    what(&a, "C2", "read", &["incident:I2"]);
    what(&a, "anonymous", "read", &[]);
    who(&a, "read", "incident:I1", false, &["C1"]);
    who(&a, "read", "incident:I3", false, &[]);
    who(&a, "read", "incident:I4", false, &[]);
}

/// S11: Account scope admits the rows related to `acct(c)` through the one
/// relationship: no walk up or down the account hierarchy, nothing for a
/// contact without account or for the anonymous visitor.
#[test]
fn s11_account_scope_no_hierarchy_walk() {
    let t = tenant(json!({
        "rows": {
            "account": [{"id": "A1"}, {"id": "A3", "parentaccountid": "A1"}],
            "contact": [
                {"id": "C1", "parentcustomerid": "A1"}, {"id": "C2", "parentcustomerid": "A1"},
                {"id": "C3", "parentcustomerid": "A3"}, {"id": "C5"}
            ],
            "incident": [{"id": "I1", "customerid": "A1"}, {"id": "I3", "customerid": "A3"}, {"id": "I4", "customerid": "C1"}]
        },
        "web_roles": roles(),
        "table_permissions": [
            {"id": "TP", "table": "incident", "scope": "account", "account_relationship": "incident_customer_accounts",
             "privileges": ["read"], "web_roles": ["RU", "RA"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "C1", "read", &["incident:I1"]);
    what(&a, "C2", "read", &["incident:I1"]);
    what(&a, "C3", "read", &["incident:I3"]);
    what(&a, "C5", "read", &[]);
    what(&a, "anonymous", "read", &[]);
    who(&a, "read", "incident:I1", false, &["C1", "C2"]);
    who(&a, "read", "incident:I4", false, &[]);
}

/// S12: Self on `contact` admits the visitor's own contact row, nothing for
/// the anonymous visitor.
#[test]
fn s12_self_scope_is_the_visitor_contact() {
    let t = tenant(json!({
        "rows": {"contact": [{"id": "C1"}, {"id": "C2"}]},
        "web_roles": roles(),
        "table_permissions": [
            {"id": "TP", "table": "contact", "scope": "self", "privileges": ["read", "write"], "web_roles": ["RU", "RA"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "C1", "read", &["contact:C1"]);
    what(&a, "C2", "write", &["contact:C2"]);
    what(&a, "anonymous", "read", &[]);
    who(&a, "write", "contact:C2", false, &["C2"]);
    can(&a, "C1", "read", "contact:C2", &[]);
}

/// S12: Self on any table other than `contact` admits nothing, and neither
/// does a Parent child below it.
#[test]
fn s12_self_on_other_table_admits_nothing() {
    let t = tenant(json!({
        "rows": {
            "contact": [{"id": "C1"}],
            "incident": [{"id": "C1", "customerid": "C1"}],
            "annotation": [{"id": "N1", "objectid": "C1"}]
        },
        "web_roles": roles(),
        "table_permissions": [
            {"id": "TP", "table": "incident", "scope": "self", "privileges": ["read"], "web_roles": ["RU"]},
            {"id": "TPc", "table": "annotation", "scope": "parent", "parent": "TP",
             "parent_relationship": "Incident_Annotation", "privileges": ["read"]}
        ]
    }));
    let a = analysis(&t);
    // The incident's id is the contact's id: Self still does not match it.
    what(&a, "C1", "read", &[]);
}

/// The custom chain of four tables the S13 tests use:
/// `proj.ownerid -> contact`, `task.projid -> proj`, `step.taskid -> task`,
/// `stepnote.stepid -> step`.
fn chain_relationships() -> Value {
    json!([
        {"name": "proj_owner", "referencing": "proj", "lookup": "ownerid", "referenced": "contact"},
        {"name": "task_proj", "referencing": "task", "lookup": "projid", "referenced": "proj"},
        {"name": "step_task", "referencing": "step", "lookup": "taskid", "referenced": "task"},
        {"name": "note_step", "referencing": "stepnote", "lookup": "stepid", "referenced": "step", "kind": "one_to_many"}
    ])
}

fn chain_permissions(top: Value) -> Value {
    json!([
        top,
        {"id": "TP2", "table": "task", "scope": "parent", "parent": "TP1", "parent_relationship": "task_proj", "privileges": ["read"]},
        {"id": "TP3", "table": "step", "scope": "parent", "parent": "TP2", "parent_relationship": "step_task", "privileges": ["read"]},
        {"id": "TP4", "table": "stepnote", "scope": "parent", "parent": "TP3", "parent_relationship": "note_step", "privileges": ["read"]}
    ])
}

/// S13: a Parent chain of depth 3 below a Contact-scoped top: each level
/// admits the rows related to some row the level above admits.
#[test]
fn s13_parent_chain_any_depth() {
    let t = tenant(json!({
        "relationships": chain_relationships(),
        "rows": {
            "contact": [{"id": "C1"}, {"id": "C2"}, {"id": "C3"}],
            "proj": [{"id": "P1", "ownerid": "C1"}, {"id": "P2", "ownerid": "C2"}],
            "task": [{"id": "T1", "projid": "P1"}, {"id": "T2", "projid": "P2"}, {"id": "T3", "projid": null}],
            "step": [{"id": "S1", "taskid": "T1"}, {"id": "S2", "taskid": "T2"}, {"id": "S3", "taskid": "T3"}],
            "stepnote": [
                {"id": "N1", "stepid": "S1"}, {"id": "N2", "stepid": "S2"},
                {"id": "N3", "stepid": "S3"}, {"id": "N4", "stepid": "S9"}
            ]
        },
        "web_roles": roles(),
        "table_permissions": chain_permissions(json!(
            {"id": "TP1", "table": "proj", "scope": "contact", "contact_relationship": "proj_owner",
             "privileges": ["read"], "web_roles": ["RU"]}
        ))
    }));
    let a = analysis(&t);
    what(&a, "C1", "read", &["proj:P1", "step:S1", "stepnote:N1", "task:T1"]);
    what(&a, "C2", "read", &["proj:P2", "step:S2", "stepnote:N2", "task:T2"]);
    what(&a, "C3", "read", &[]);
    can(&a, "C1", "read", "stepnote:N1", &["TP4"]);
    can(&a, "C1", "read", "stepnote:N2", &[]);
    who(&a, "read", "stepnote:N1", false, &["C1"]);
    who(&a, "read", "stepnote:N3", false, &[]);
    who(&a, "read", "stepnote:N4", false, &[]);
}

/// S13: under a Global top, a child row is admitted when it is related to
/// some row of the parent table; a row whose lookup is empty or dangling is
/// not, and neither is anything below such a row.
#[test]
fn s13_global_top_admits_rows_related_to_some_parent_row() {
    let t = tenant(json!({
        "relationships": chain_relationships(),
        "rows": {
            "contact": [{"id": "C1"}],
            "proj": [{"id": "P1", "ownerid": "C1"}, {"id": "P2"}],
            "task": [
                {"id": "T1", "projid": "P1"}, {"id": "T2", "projid": "P2"},
                {"id": "T3", "projid": null}, {"id": "T4", "projid": "P9"}
            ],
            "step": [
                {"id": "S1", "taskid": "T1"}, {"id": "S2", "taskid": "T2"},
                {"id": "S3", "taskid": "T3"}, {"id": "S4", "taskid": "T4"}
            ],
            "stepnote": [
                {"id": "N1", "stepid": "S1"}, {"id": "N2", "stepid": "S2"},
                {"id": "N3", "stepid": "S3"}, {"id": "N4", "stepid": null}
            ]
        },
        "web_roles": roles(),
        "table_permissions": chain_permissions(json!(
            {"id": "TP1", "table": "proj", "scope": "global", "privileges": ["read"], "web_roles": ["RU", "RA"]}
        ))
    }));
    let a = analysis(&t);
    let all = ["proj:P1", "proj:P2", "step:S1", "step:S2", "stepnote:N1", "stepnote:N2", "task:T1", "task:T2"];
    what(&a, "anonymous", "read", &all);
    what(&a, "C1", "read", &all);
    who(&a, "read", "task:T1", true, &["C1"]);
    for row in ["task:T3", "task:T4", "step:S3", "step:S4", "stepnote:N3", "stepnote:N4"] {
        who(&a, "read", row, false, &[]);
    }
}

/// S13 with S23: under a Global `incident` top, notes whose polymorphic
/// `objectid` names a portal comment are not related through
/// `Incident_Annotation`.
#[test]
fn s13_global_top_follows_only_the_named_relationship() {
    let t = tenant(json!({
        "rows": {
            "contact": [{"id": "C1"}],
            "incident": [{"id": "I1"}],
            "adx_portalcomment": [{"id": "PC1", "regardingobjectid": "I1"}],
            "annotation": [{"id": "N1", "objectid": "I1"}, {"id": "N2", "objectid": "PC1"}, {"id": "N3", "objectid": null}]
        },
        "web_roles": roles(),
        "table_permissions": [
            {"id": "TP1", "table": "incident", "scope": "global", "privileges": ["write"], "web_roles": ["RU"]},
            {"id": "TP2", "table": "annotation", "scope": "parent", "parent": "TP1",
             "parent_relationship": "Incident_Annotation", "privileges": ["read"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "C1", "read", &["annotation:N1"]);
}

/// S13 (S11): a Parent child under an Account-scoped top admits, for every
/// contact of the account that holds the tree, the rows related to the
/// account's rows.
#[test]
fn s13_parent_under_account_top() {
    let t = tenant(json!({
        "rows": {
            "account": [{"id": "A1"}, {"id": "A2"}],
            "contact": [
                {"id": "C1", "parentcustomerid": "A1"}, {"id": "C2", "parentcustomerid": "A1"},
                {"id": "C3", "parentcustomerid": "A2"}, {"id": "C4", "parentcustomerid": "A2"}
            ],
            "incident": [{"id": "I1", "customerid": "A1"}, {"id": "I2", "customerid": "A2"}],
            "annotation": [{"id": "N1", "objectid": "I1"}, {"id": "N2", "objectid": "I2"}]
        },
        "web_roles": roles(),
        "role_members": {"accounts": [["A1", "R"]], "contacts": [["C3", "R"]]},
        "table_permissions": [
            {"id": "TPa", "table": "incident", "scope": "account", "account_relationship": "incident_customer_accounts",
             "privileges": ["write"], "web_roles": ["R"]},
            {"id": "TPn", "table": "annotation", "scope": "parent", "parent": "TPa",
             "parent_relationship": "Incident_Annotation", "privileges": ["read"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "C2", "read", &["annotation:N1"]);
    what(&a, "C3", "read", &["annotation:N2"]);
    // C4 is in A2 but does not hold R (only C3 does, directly).
    what(&a, "C4", "read", &[]);
    who(&a, "read", "annotation:N1", false, &["C1", "C2"]);
    who(&a, "read", "annotation:N2", false, &["C3"]);
}

/// S13 (S12): a chain below a Self top: the contact's cases, then their notes.
#[test]
fn s13_parent_chain_under_self_top() {
    let t = tenant(json!({
        "rows": {
            "contact": [{"id": "C1"}, {"id": "C2"}],
            "incident": [{"id": "I1", "customerid": "C1"}, {"id": "I2", "customerid": "C2"}],
            "annotation": [{"id": "N1", "objectid": "I1"}, {"id": "N2", "objectid": "I2"}]
        },
        "web_roles": roles(),
        "table_permissions": [
            {"id": "TPs", "table": "contact", "scope": "self", "privileges": ["read"], "web_roles": ["RU"]},
            {"id": "TPi", "table": "incident", "scope": "parent", "parent": "TPs",
             "parent_relationship": "incident_customer_contacts", "privileges": ["read"]},
            {"id": "TPn", "table": "annotation", "scope": "parent", "parent": "TPi",
             "parent_relationship": "Incident_Annotation", "privileges": ["read"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "C1", "read", &["annotation:N1", "contact:C1", "incident:I1"]);
    what(&a, "C2", "read", &["annotation:N2", "contact:C2", "incident:I2"]);
}

/// S14: Custom scope loads and admits nothing, nor do Parent children below
/// it; a Global child below it still admits every row (S9).
#[test]
fn s14_custom_scope_admits_nothing() {
    let t = tenant(json!({
        "rows": {
            "contact": [{"id": "C1"}],
            "incident": [{"id": "I1", "customerid": "C1"}],
            "annotation": [{"id": "N1", "objectid": "I1"}],
            "knowledgearticle": [{"id": "K1"}]
        },
        "web_roles": roles(),
        "table_permissions": [
            {"id": "TPx", "table": "incident", "scope": "custom", "privileges": ["read", "write"], "web_roles": ["RU"]},
            {"id": "TPxc", "table": "annotation", "scope": "parent", "parent": "TPx",
             "parent_relationship": "Incident_Annotation", "privileges": ["read"]},
            {"id": "TPxg", "table": "knowledgearticle", "scope": "global", "parent": "TPx", "privileges": ["read"]}
        ]
    }));
    let a = analysis(&t);
    what(&a, "C1", "read", &["knowledgearticle:K1"]);
    what(&a, "C1", "write", &[]);
    can(&a, "C1", "read", "incident:I1", &[]);
}

