//! The generated catalogue of standard relationships (`data/relationships.json`,
//! from the Dataverse table reference): its content and shape, and folder
//! tenants whose permissions name its relationships without declaring them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod folder_support;

use folder_support::folder;
use portal_access::model::catalogue::{standard, standard_named, CATALOGUE, GENERATED};
use portal_access::Analysis;
use std::collections::HashSet;

#[test]
fn generated_catalogue_has_the_notes_relationships_and_the_specs_where_the_docs_have_them() {
    let shape = |name: &str| standard_named(name).map(|s| (s.referencing.as_str(), s.lookup.as_str(), s.referenced.as_str()));
    assert_eq!(shape("Contact_Annotation"), Some(("annotation", "objectid", "contact")));
    assert_eq!(shape("Account_Annotation"), Some(("annotation", "objectid", "account")));
    assert_eq!(shape("contact_annotation"), shape("Contact_Annotation"), "names compare without regard to case");
    assert_eq!(shape("Contact_Emails"), Some(("email", "regardingobjectid", "contact")));
    assert_eq!(shape("Account_Tasks"), Some(("task", "regardingobjectid", "account")));
    // The spec's catalogue entries that the Dataverse reference documents
    // (incident is a Dynamics 365 table, not in it) have the spec's shape.
    let mut found = Vec::new();
    for (name, referencing, lookup, referenced) in CATALOGUE {
        if let Some(s) = standard_named(name) {
            assert_eq!((s.referencing.as_str(), s.lookup.as_str(), s.referenced.as_str()), (*referencing, *lookup, *referenced), "{name}");
            found.push(*name);
        }
    }
    found.sort_unstable();
    assert_eq!(
        found,
        vec![
            "Account_ActivityPointers",
            "Contact_ActivityPointers",
            "account_parent_account",
            "account_primary_contact",
            "adx_portalcomment_Annotations",
            "contact_customer_accounts",
            "contact_customer_contacts",
        ]
    );
}

#[test]
fn every_generated_entry_is_well_formed_and_the_source_is_recorded() {
    let file: serde_json::Value = serde_json::from_str(GENERATED).unwrap();
    let source = &file["source"];
    assert_eq!(source["repository"], "https://github.com/MicrosoftDocs/powerapps-docs");
    assert_eq!(source["path"], "powerapps-docs/developer/data-platform/reference/entities");
    let pages = source["pages"].as_array().unwrap();
    assert!(!pages.is_empty());
    for p in pages {
        let commit = p["commit"].as_str().unwrap();
        assert!(commit.len() == 40 && commit.chars().all(|c| c.is_ascii_hexdigit()), "{p}");
        assert!(p["page"].as_str().unwrap().ends_with(".md"));
    }
    let tables: HashSet<&str> = source["tables"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    let all = standard();
    assert_eq!(all.len(), file["relationships"].as_array().unwrap().len(), "the library reads every entry");
    assert!(all.len() >= 40, "{}", all.len());
    let mut names = HashSet::new();
    let mut previous = String::new();
    for s in all {
        let ident = |x: &str| !x.is_empty() && x.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        assert!(ident(&s.name) && ident(&s.lookup), "{s:?}");
        assert!(tables.contains(s.referencing.as_str()) && tables.contains(s.referenced.as_str()), "{s:?}");
        assert!(s.lookup != "id" && s.lookup != "activityid", "{s:?}");
        assert!(names.insert(s.name.to_ascii_lowercase()), "`{}` twice", s.name);
        let key = s.name.to_ascii_lowercase();
        assert!(key > previous, "sorted by name: `{}` after `{previous}`", s.name);
        previous = key;
    }
}

const ROLES: &str = "\
- adx_name: Customers
  adx_webroleid: R-cust
";

/// A site whose permissions walk `task` from the contact's account and
/// `email` from the contact through the generated catalogue, with `extra`
/// files on top.
fn activity_site(contact_rel: &str, extra: &[(&str, &str)]) -> tempfile::TempDir {
    let tasks = "adx_entitypermissionid: TP-task\nadx_entitylogicalname: task\nadx_scope: 756150002\nadx_accountrelationship: Account_Tasks\nadx_read: true\nadx_entitypermission_webrole:\n- R-cust\n";
    let emails = format!("adx_entitypermissionid: TP-mail\nadx_entitylogicalname: email\nadx_scope: 756150001\nadx_contactrelationship: {contact_rel}\nadx_read: true\nadx_entitypermission_webrole:\n- R-cust\n");
    let mut files: Vec<(&str, &str)> = vec![
        ("site/webrole.yml", ROLES),
        ("site/table-permissions/Tasks.tablepermission.yml", tasks),
        ("site/table-permissions/Emails.tablepermission.yml", &emails),
        ("data/account.json", r#"{"value": [{"accountid": "A1"}, {"accountid": "A2"}]}"#),
        (
            "data/contact.json",
            r#"{"value": [{"contactid": "C1", "_parentcustomerid_value": "A1", "_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account"},
                          {"contactid": "C2", "_parentcustomerid_value": "A2", "_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account"}]}"#,
        ),
        (
            "data/task.json",
            r#"{"value": [{"activityid": "T1", "_regardingobjectid_value": "A1", "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account"},
                          {"activityid": "T2", "_regardingobjectid_value": "A2", "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account"}]}"#,
        ),
        (
            "data/email.json",
            r#"{"value": [{"activityid": "E1", "_regardingobjectid_value": "C1", "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact"},
                          {"activityid": "E2", "_regardingobjectid_value": "C2", "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact"},
                          {"activityid": "E3", "_emailsender_value": "C1", "_emailsender_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact"}]}"#,
        ),
        ("data/adx_webrole_contact.json", r#"{"value": [{"contactid": "C1", "adx_webroleid": "R-cust"}, {"contactid": "C2", "adx_webroleid": "R-cust"}]}"#),
    ];
    files.extend_from_slice(extra);
    folder(&files)
}

fn rows(a: &Analysis, contact: &str, table: &str) -> Vec<String> {
    a.what(contact, "read", Some(table)).unwrap().rows.unwrap()
}

fn pp016(dir: &std::path::Path) -> Vec<String> {
    let report = portal_access::answer::lint::load(dir).unwrap().report();
    report.findings.iter().filter(|f| f.id == "PP016").map(|f| f.subject.clone()).collect()
}

#[test]
fn folder_permissions_naming_generated_relationships_admit_the_related_rows() {
    let dir = activity_site("Contact_Emails", &[]);
    let a = Analysis::load(dir.path()).unwrap();
    assert_eq!(rows(&a, "C1", "task"), vec!["task:T1"], "Account_Tasks: the tasks regarding the contact's account");
    assert_eq!(rows(&a, "C2", "task"), vec!["task:T2"]);
    assert_eq!(rows(&a, "C1", "email"), vec!["email:E1"], "Contact_Emails: regardingobjectid, not emailsender");
    assert_eq!(rows(&a, "C2", "email"), vec!["email:E2"]);
    let rel = &a.tenant.relationships[a.tenant.rel_id("Account_Tasks").unwrap() as usize];
    assert!(rel.builtin);
    assert!(pp016(dir.path()).is_empty());
}

#[test]
fn a_generated_relationship_resolves_in_the_spelling_the_permission_uses() {
    let dir = activity_site("contact_emails", &[]);
    let a = Analysis::load(dir.path()).unwrap();
    assert_eq!(rows(&a, "C1", "email"), vec!["email:E1"]);
    assert!(a.tenant.rel_id("contact_emails").is_some());
    assert!(pp016(dir.path()).is_empty());
    // A name the reference does not have stays unknown (PP016) and admits nothing.
    let dir = activity_site("Contact_Emailz", &[]);
    let a = Analysis::load(dir.path()).unwrap();
    assert_eq!(rows(&a, "C1", "email"), Vec::<String>::new());
    assert_eq!(pp016(dir.path()).len(), 1);
}

#[test]
fn metadata_declaring_the_same_name_overrides_the_generated_entry() {
    // metadata/ says Contact_Emails is the sender lookup: E3, not E1.
    let meta = r#"{"value": [{"SchemaName": "Contact_Emails", "RelationshipType": "OneToManyRelationship",
        "ReferencedEntity": "contact", "ReferencedAttribute": "contactid", "ReferencingEntity": "email", "ReferencingAttribute": "emailsender"}]}"#;
    let dir = activity_site("Contact_Emails", &[("metadata/RelationshipDefinitions.json", meta)]);
    let a = Analysis::load(dir.path()).unwrap();
    assert_eq!(rows(&a, "C1", "email"), vec!["email:E3"]);
    assert!(!a.tenant.relationships[a.tenant.rel_id("Contact_Emails").unwrap() as usize].builtin);
    // The generated entries the site does not name are not in the tenant.
    assert!(a.tenant.rel_id("Contact_Tasks").is_none() && a.tenant.rel_id("Contact_Annotation").is_none());
}

#[test]
fn convert_declares_the_generated_relationships_a_folder_resolved() {
    let dir = activity_site("Contact_Emails", &[]);
    let a = Analysis::load(dir.path()).unwrap();
    let (raw, notes) = portal_access::answer::convert::native_form(&a.tenant);
    assert!(notes.is_empty(), "{notes:?}");
    let mut declared: Vec<_> = raw.relationships.iter().map(|r| (r.name.as_str(), r.referencing.as_deref(), r.lookup.as_deref(), r.referenced.as_deref())).collect();
    declared.sort_unstable();
    assert_eq!(
        declared,
        vec![
            ("Account_Tasks", Some("task"), Some("regardingobjectid"), Some("account")),
            ("Contact_Emails", Some("email"), Some("regardingobjectid"), Some("contact")),
        ]
    );
}
