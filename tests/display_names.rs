//! Readable answers name permissions and roles by display name, with the id
//! only where two share a name or with `--ids` (issue 12); JSON keeps ids.
//! Checked on the real DFE site download, whose ids are GUIDs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod folder_support;

use folder_support::{bin, folder, repo};

const DFE: &str = "tests/fixtures/sites/dfe-central-portal";
const DFE_ANON_ROLE: &str = "2dadaed1-626f-ef11-a670-002248a430ac";
const DFE_GET_ACTIVE_CONTACTS: &str = "a5704b19-b787-ef11-ac20-002248a46a38";

fn run(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert!(out.status.success() || out.status.code() == Some(4), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Every permission and role id of the DFE site.
fn dfe_ids() -> Vec<String> {
    let t = portal_access::model::load(&repo(DFE)).unwrap();
    t.permissions.iter().map(|p| p.id.clone()).chain(t.roles.iter().map(|r| r.id.clone())).collect()
}

fn assert_no_ids(what: &str, text: &str) {
    for id in dfe_ids() {
        assert!(!text.contains(&id), "{what} shows id `{id}`:\n{text}");
    }
}

#[test]
fn tree_names_permissions_and_roles() {
    let dfe = repo(DFE);
    let text = run(&["tree", dfe.to_str().unwrap()]);
    assert_no_ids("tree", &text);
    assert!(text.contains("\nCustomer Service - Cases where contact is customer "), "{text}");
    assert!(text.contains("\n  Customer Service - Case Notes where contact is customer "), "{text}");
    assert!(text.contains("Authenticated Users, Anonymous Users"), "{text}");
    // Trees by name: `Category Global Permission` before `Contact Permission`.
    assert!(text.find("\nCategory Global Permission").unwrap() < text.find("\nContact Permission").unwrap(), "{text}");
    // On request, the ids too; JSON keeps ids.
    let text = run(&["tree", dfe.to_str().unwrap(), "--ids"]);
    assert!(text.contains(&format!("[TO BE DELETED]GetActiveContacts ({DFE_GET_ACTIVE_CONTACTS})")), "{text}");
    let json = run(&["tree", dfe.to_str().unwrap(), "--json"]);
    assert!(json.contains(&format!("\"id\":\"{DFE_GET_ACTIVE_CONTACTS}\"")), "{json}");
}

#[test]
fn lint_text_names_its_subjects() {
    let dfe = repo(DFE);
    let text = run(&["lint", dfe.to_str().unwrap()]);
    assert_no_ids("lint", &text);
    assert!(text.starts_with("PP001 error [TO BE DELETED]GetActiveContacts: anonymous visitors (role `Anonymous Users`)"), "{text}");
    let json = run(&["lint", dfe.to_str().unwrap(), "--json"]);
    assert!(json.contains(&format!("\"subject\":\"{DFE_GET_ACTIVE_CONTACTS}\"")), "{json}");
    let text = run(&["lint", dfe.to_str().unwrap(), "--ids"]);
    assert!(text.contains(&format!("PP001 error [TO BE DELETED]GetActiveContacts ({DFE_GET_ACTIVE_CONTACTS}):")), "{text}");
}

#[test]
fn why_can_and_roles_name_permissions_and_roles() {
    let dfe = repo(DFE);
    let text = run(&["why", dfe.to_str().unwrap(), "anonymous", "create", "lead"]);
    assert_no_ids("why", &text);
    assert!(text.starts_with("yes: anonymous may create in table lead (via Lead)\n  through Lead:\n"), "{text}");
    assert!(text.contains("role        Anonymous Users"), "{text}");
    let text = run(&["why", dfe.to_str().unwrap(), "anonymous", "create", "incident"]);
    assert_no_ids("why (denied)", &text);
    assert!(text.contains("Customer Service - Cases where contact is customer"), "{text}");
    let text = run(&["can", dfe.to_str().unwrap(), "anonymous", "create", "feedback"]);
    assert_eq!(text, "yes: anonymous may create in table feedback (via Feeback)\n");
    let text = run(&["repl", dfe.to_str().unwrap(), "--command", "roles anonymous\nshow role 2dadaed1-626f-ef11-a670-002248a430ac"]);
    assert!(text.starts_with("anonymous visitors hold 1 web role:\nROLE             FROM\nAnonymous Users  anonymous users role\n"), "{text}");
    // `show role ID` is the request for the id: it shows it, and its trees by name.
    assert!(text.contains(&format!("role              {DFE_ANON_ROLE}")), "{text}");
    assert!(text.contains("trees             Category Global Permission"), "{text}");
    let text = run(&["repl", dfe.to_str().unwrap(), "--command", ":ids\nroles anonymous"]);
    assert!(text.contains(&format!("Anonymous Users ({DFE_ANON_ROLE})")), "{text}");
}

#[test]
fn a_shared_name_shows_the_id() {
    let doc = serde_json::json!({
        "format": "portal-access/tenant@1",
        "web_roles": [{"id": "R1", "name": "Staff"}, {"id": "R2", "name": "Staff"}, {"id": "R3", "name": "Guests", "anonymous_users": true}],
        "table_permissions": [
            {"id": "TP1", "name": "Products", "table": "product", "scope": "global", "privileges": ["read"], "web_roles": ["R1", "R3"]},
            {"id": "TP2", "name": "Products", "table": "product", "scope": "global", "privileges": ["read"], "web_roles": ["R2"]},
            {"id": "TP3", "name": "", "table": "lead", "scope": "global", "privileges": ["create"], "web_roles": ["R3"]}
        ]
    });
    let dir = folder(&[("t.json", &doc.to_string())]);
    let t = dir.path().join("t.json");
    let text = run(&["tree", t.to_str().unwrap()]);
    assert!(text.contains("\nProducts (TP1)  ") && text.contains("\nProducts (TP2)  ") && text.contains("\nTP3  "), "{text}");
    assert!(text.contains("Staff (R1), Guests") && text.contains("Staff (R2)"), "{text}");
}
