//! Folder tenants (tenant-format.md, "Tenant folders"): every spelling the
//! importer accepts, Web API pages, and load errors that name the file and
//! the line (YAML) or JSON path (pages).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod folder_support;

use folder_support::{bin, folder};
use portal_access::model::load;
use portal_access::{Analysis, LoadError};

const ROLES: &str = "\
- adx_anonymoususersrole: true
  adx_authenticatedusersrole: false
  adx_name: Anonymous Users
  adx_webroleid: R-anon
- adx_anonymoususersrole: false
  adx_authenticatedusersrole: true
  adx_name: Authenticated Users
  adx_webroleid: R-auth
- adx_name: Customers
  adx_webroleid: R-cust
";

const CASES: &str = "\
adx_entitypermissionid: TP-case
adx_entityname: Cases
adx_entitylogicalname: incident
adx_scope: 756150001
adx_contactrelationship: incident_customer_contacts
adx_read: true
adx_write: false
adx_entitypermission_webrole:
- R-cust
adx_parententitypermission:
";

fn err(files: &[(&str, &str)]) -> String {
    let dir = folder(files);
    let e = load(dir.path()).unwrap_err();
    // Paths in messages are the folder path joined with the file's.
    e.to_string().replace(&dir.path().display().to_string(), "T")
}

#[test]
fn yaml_syntax_error_names_file_and_line() {
    let bad = "adx_entitypermissionid: TP1\nadx_entitylogicalname: incident\nadx_scope: [756150000\nadx_read: true\n";
    let e = err(&[("site/webrole.yml", ROLES), ("site/table-permissions/Bad.tablepermission.yml", bad)]);
    assert!(e.starts_with("T/site/table-permissions/Bad.tablepermission.yml: line 4, column"), "{e}");
    let dir = folder(&[("site/webrole.yml", ROLES), ("site/table-permissions/Bad.tablepermission.yml", bad)]);
    assert!(matches!(load(dir.path()), Err(LoadError::Syntax { line: 4, .. })));
}

#[test]
fn unknown_scope_code_names_file_line_and_key() {
    let bad = CASES.replace("756150001", "756150009");
    let e = err(&[("site/webrole.yml", ROLES), ("site/table-permissions/Cases.tablepermission.yml", &bad)]);
    assert_eq!(
        e,
        "T/site/table-permissions/Cases.tablepermission.yml: at line 4 (`adx_scope`): unknown scope `756150009` (expected global, contact, account, parent, self, custom or a code 756150000 to 756150004)"
    );
}

/// The parent's file, line and key, in lint's PP025 (the load no longer
/// fails: tenant-format.md, "Broken references in real downloads").
fn lint_of(files: &[(&str, &str)]) -> Vec<(String, String, String)> {
    let dir = folder(files);
    let report = portal_access::answer::lint::load(dir.path()).unwrap().report();
    let root = dir.path().display().to_string();
    report
        .findings
        .iter()
        .map(|f| {
            let at = f.location.as_ref().map(|l| format!("{}:{}", l.file.replace(&root, "T"), l.line.unwrap_or(0))).unwrap_or_default();
            (f.id.to_string(), f.subject.clone(), at)
        })
        .collect()
}

#[test]
fn missing_parent_names_file_line_and_key() {
    let child = "adx_entitypermissionid: TP-note\nadx_entitylogicalname: annotation\nadx_scope: 756150003\nadx_parententitypermission: TP-nope\nadx_parentrelationship: Incident_Annotation\nadx_read: true\n";
    let got = lint_of(&[
        ("site/webrole.yml", ROLES),
        ("site/table-permissions/Cases.tablepermission.yml", CASES),
        ("site/table-permissions/Notes.tablepermission.yml", child),
    ]);
    let pp025: Vec<_> = got.iter().filter(|f| f.0 == "PP025").collect();
    assert_eq!(
        pp025,
        vec![&("PP025".to_string(), "TP-note".to_string(), "T/site/table-permissions/Notes.tablepermission.yml:4".to_string())]
    );
}

#[test]
fn missing_role_names_the_list_item_line() {
    let bad = CASES.replace("- R-cust", "- R-cust\n- R-gone");
    let got = lint_of(&[("site/webrole.yml", ROLES), ("site/table-permissions/Cases.tablepermission.yml", &bad)]);
    let pp026: Vec<_> = got.iter().filter(|f| f.0 == "PP026").collect();
    assert_eq!(
        pp026,
        vec![&("PP026".to_string(), "TP-case".to_string(), "T/site/table-permissions/Cases.tablepermission.yml:10".to_string())]
    );
}

#[test]
fn duplicate_permission_id_names_both_files() {
    let e = err(&[
        ("site/webrole.yml", ROLES),
        ("site/table-permissions/A.tablepermission.yml", CASES),
        ("site/table-permissions/B.tablepermission.yml", CASES),
    ]);
    assert_eq!(
        e,
        "T/site/table-permissions/B.tablepermission.yml: at line 1 (`adx_entitypermissionid`): duplicate table permission id `TP-case` (also in `T/site/table-permissions/A.tablepermission.yml` line 1)"
    );
}

#[test]
fn duplicate_role_id_in_the_role_list_names_its_line() {
    let roles = format!("{ROLES}- adx_name: Again\n  adx_webroleid: R-cust\n");
    let e = err(&[("site/webrole.yml", &roles)]);
    assert_eq!(e, "T/site/webrole.yml: at line 12 (`adx_webroleid`): duplicate web role id `R-cust` (also in `T/site/webrole.yml` line 10)");
}

#[test]
fn duplicate_row_id_across_pages_names_the_page_and_row() {
    let e = err(&[
        ("site/webrole.yml", ROLES),
        ("data/incident.json", r#"{"value": [{"incidentid": "I1"}, {"incidentid": "I2"}]}"#),
        ("data/incident.2.json", r#"{"value": [{"incidentid": "I3"}, {"incidentid": "I1"}]}"#),
    ]);
    assert_eq!(e, "T/data/incident.2.json: at `value[1].incidentid`: duplicate row id `I1` in table `incident`");
}

#[test]
fn json_syntax_error_in_a_page_names_file_and_line() {
    let e = err(&[("site/webrole.yml", ROLES), ("data/contact.json", "{\"value\": [\n  {\"contactid\": \"C1\",}\n]}")]);
    assert!(e.starts_with("T/data/contact.json: line 2, column"), "{e}");
}

#[test]
fn page_shape_errors_name_the_json_path() {
    let e = err(&[("site/webrole.yml", ROLES), ("data/contact.json", r#"{"value": [{"fullname": "Ada"}]}"#)]);
    assert_eq!(e, "T/data/contact.json: at `value[0]`: missing the row id (`contactid`, or `activityid` for an activity table)");
    let e = err(&[("site/webrole.yml", ROLES), ("data/contact.json", r#"{"value": [], "nextLink": "x"}"#)]);
    assert!(e.contains("unknown key `nextLink`"), "{e}");
    let e = err(&[("site/webrole.yml", ROLES), ("data/contact.json", r#"[{"contactid": "C1"}]"#)]);
    assert!(e.contains("expected a Web API collection"), "{e}");
}

#[test]
fn membership_naming_a_missing_contact_names_the_intersect_row() {
    let e = err(&[
        ("site/webrole.yml", ROLES),
        ("data/contact.json", r#"{"value": [{"contactid": "C1"}]}"#),
        ("data/adx_webrole_contact.json", r#"{"value": [{"contactid": "C1", "adx_webroleid": "R-cust"}, {"contactid": "C9", "adx_webroleid": "R-cust"}]}"#),
    ]);
    assert_eq!(e, "T/data/adx_webrole_contact.json: at `value[1].contactid`: contact `C9` does not exist");
}

/// A small customer-service tenant as a classic site folder with Web API pages.
fn service_folder(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let mut files: Vec<(&str, &str)> = vec![
        ("site/webrole.yml", ROLES),
        ("site/table-permissions/Cases.tablepermission.yml", CASES),
        (
            "data/contact.json",
            r#"{"@odata.context": "x", "value": [
                {"@odata.etag": "W/\"1\"", "contactid": "C1", "fullname": "Ada", "_parentcustomerid_value": "A1",
                 "_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account"},
                {"contactid": "C2", "fullname": "Bo", "_parentcustomerid_value": null}]}"#,
        ),
        ("data/account.json", r#"{"value": [{"accountid": "A1", "name": "Contoso"}]}"#),
        (
            "data/incident.json",
            r#"{"value": [{"incidentid": "I1", "_customerid_value": "C1",
                 "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact",
                 "_customerid_value@OData.Community.Display.V1.FormattedValue": "Ada"}]}"#,
        ),
        ("data/incident.2.json", r#"{"value": [{"incidentid": "I2", "_customerid_value": "C2"}]}"#),
        ("data/adx_webrole_contact.json", r#"{"value": [{"adx_webrole_contactid": "M1", "contactid": "C1", "adx_webroleid": "R-cust"}]}"#),
    ];
    files.extend_from_slice(extra);
    folder(&files)
}

#[test]
fn web_api_pages_lookups_pages_and_memberships() {
    let dir = service_folder(&[]);
    let a = Analysis::load(dir.path()).unwrap();
    assert_eq!(a.tenant.row_count(), 5);
    // C1 holds R-cust through the intersect file; the incident pages both count.
    assert_eq!(a.what("C1", "read", Some("incident")).unwrap().rows.unwrap(), vec!["incident:I1"]);
    assert_eq!(a.what("C2", "read", Some("incident")).unwrap().rows.unwrap(), Vec::<String>::new());
    // S1: C1's account comes from `_parentcustomerid_value`.
    let c1 = a.tenant.contact("C1").unwrap();
    assert_eq!(a.tenant.account_of(c1).map(|x| a.tenant.row_ref(x)), Some("account:A1".to_string()));
    // Data columns are kept; annotations and @odata keys are not.
    let raw = a.tenant.raw.table("incident").unwrap();
    assert_eq!(raw.columns, vec!["customerid"]);
    let contacts = a.tenant.raw.table("contact").unwrap();
    assert_eq!(contacts.columns, vec!["fullname", "parentcustomerid"]);
}

#[test]
fn annotation_settles_a_polymorphic_lookup() {
    // X1 is both an account and a contact: without the annotation S23 refuses
    // the load; with it the incident belongs to the account.
    let pages = |annotated: bool| {
        let ann = if annotated { r#", "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account""# } else { "" };
        format!(r#"{{"value": [{{"incidentid": "I1", "_customerid_value": "X1"{ann}}}]}}"#)
    };
    let perm = "adx_entitypermissionid: TP-acct\nadx_entitylogicalname: incident\nadx_scope: 756150002\nadx_accountrelationship: incident_customer_accounts\nadx_read: true\nadx_entitypermission_webrole:\n- R-auth\n";
    let files = |incident: String| {
        folder(&[
            ("site/webrole.yml", ROLES),
            ("site/table-permissions/Acct.tablepermission.yml", perm),
            ("data/account.json", r#"{"value": [{"accountid": "X1"}]}"#),
            (
                "data/contact.json",
                r#"{"value": [{"contactid": "X1"}, {"contactid": "C1", "_parentcustomerid_value": "X1", "_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account"}]}"#,
            ),
            ("data/incident.json", &incident),
        ])
    };
    let dir = files(pages(true));
    let a = Analysis::load(dir.path()).unwrap();
    let who = a.who("read", "incident:I1").unwrap();
    assert_eq!(who.contacts, vec!["C1"], "the contacts of account X1 read it");
    let dir = files(pages(false));
    let e = load(dir.path()).unwrap_err().to_string().replace(&dir.path().display().to_string(), "T");
    assert_eq!(
        e,
        "T/data/incident.json: at `value[0]._customerid_value`: lookup value `X1` is ambiguous: rows with that id exist in `account` and `contact`"
    );
}

#[test]
fn annotation_naming_another_table_leaves_the_value_dangling() {
    let dir = service_folder(&[(
        "data/incident.2.json",
        r#"{"value": [{"incidentid": "I2", "_customerid_value": "C1", "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "account"}]}"#,
    )]);
    let a = Analysis::load(dir.path()).unwrap();
    assert_eq!(a.what("C1", "read", Some("incident")).unwrap().rows.unwrap(), vec!["incident:I1"]);
    assert_eq!(a.tenant.dangling.len(), 1);
}

#[test]
fn code_site_enhanced_membership_and_activity_ids() {
    let role = "anonymoususersrole: false\nauthenticatedusersrole: false\nid: R-cust\nname: Customers\n";
    let perm = "id: TP-c\nentityname: Comments\nentitylogicalname: adx_portalcomment\nscope: 756150000\nread: true\nadx_entitypermission_webrole:\n- R-cust\nparententitypermission: \n";
    let dir = folder(&[
        (".powerpages-site/web-roles/Customers.webrole.yml", role),
        (".powerpages-site/table-permissions/Comments.tablepermission.yml", perm),
        ("data/contact.json", r#"{"value": [{"contactid": "C1"}, {"contactid": "C2"}]}"#),
        ("data/adx_portalcomment.json", r#"{"value": [{"activityid": "PC1"}]}"#),
        ("data/powerpagecomponent_mspp_webrole_contact.json", r#"{"value": [{"contactid": "C2", "powerpagecomponentid": "R-cust"}]}"#),
    ]);
    let a = Analysis::load(dir.path()).unwrap();
    let who = a.who("read", "adx_portalcomment:PC1").unwrap();
    assert_eq!(who.contacts, vec!["C2"]);
    assert!(!who.anonymous);
}

#[test]
fn mspp_keys_and_statecode() {
    let roles = "- mspp_name: Customers\n  mspp_webroleid: R-cust\n- mspp_name: Old\n  mspp_webroleid: R-old\n  statecode: 1\n";
    let perm = "mspp_entitypermissionid: TP1\nmspp_entitylogicalname: contact\nmspp_scope: 756150004\nmspp_read: true\nmspp_entitypermission_webrole:\n- R-cust\n";
    let inactive = "mspp_entitypermissionid: TP2\nmspp_entitylogicalname: contact\nmspp_scope: 756150000\nmspp_read: true\nstatecode: 1\nmspp_entitypermission_webrole:\n- R-cust\n";
    let dir = folder(&[
        ("site/webrole.yml", roles),
        ("site/table-permissions/Self.tablepermission.yml", perm),
        ("site/table-permissions/Inactive.tablepermission.yml", inactive),
        ("data/contact.json", r#"{"value": [{"contactid": "C1"}, {"contactid": "C2"}]}"#),
        ("data/adx_webrole_contact.json", r#"{"value": [{"contactid": "C1", "adx_webroleid": "R-cust"}]}"#),
    ]);
    let a = Analysis::load(dir.path()).unwrap();
    assert!(!a.tenant.roles[a.tenant.role_id("R-old").unwrap() as usize].active);
    // TP2 is inactive (statecode 1): C1 reads only itself through Self (S12).
    assert_eq!(a.what("C1", "read", None).unwrap().rows.unwrap(), vec!["contact:C1"]);
}

#[test]
fn relationships_json_declares_custom_tables_and_n_to_n_intersects() {
    let perm = "adx_entitypermissionid: TP-ev\nadx_entitylogicalname: msevtmgt_event\nadx_scope: 756150001\nadx_contactrelationship: contact_events\nadx_read: true\nadx_entitypermission_webrole:\n- R-auth\n";
    let rels = r#"{"relationships": [{"name": "contact_events", "kind": "many_to_many", "tables": ["contact", "msevtmgt_event"],
        "intersect": "msevtmgt_contact_event", "columns": ["contactid", "msevtmgt_eventid"]}]}"#;
    let dir = folder(&[
        ("site/webrole.yml", ROLES),
        ("site/table-permissions/Events.tablepermission.yml", perm),
        ("relationships.json", rels),
        ("data/contact.json", r#"{"value": [{"contactid": "C1"}, {"contactid": "C2"}]}"#),
        ("data/msevtmgt_event.json", r#"{"value": [{"msevtmgt_eventid": "E1"}, {"msevtmgt_eventid": "E2"}]}"#),
        ("data/msevtmgt_contact_event.json", r#"{"value": [{"contactid": "C2", "msevtmgt_eventid": "E2"}]}"#),
    ]);
    let a = Analysis::load(dir.path()).unwrap();
    assert_eq!(a.what("C2", "read", None).unwrap().rows.unwrap(), vec!["msevtmgt_event:E2"]);
    assert_eq!(a.what("C1", "read", None).unwrap().rows.unwrap(), Vec::<String>::new());
    // An intersect row naming no event is dangling (S24), not an error.
    let e = folder(&[
        ("site/webrole.yml", ROLES),
        ("relationships.json", rels),
        ("data/contact.json", r#"{"value": [{"contactid": "C1"}]}"#),
        ("data/msevtmgt_contact_event.json", r#"{"value": [{"contactid": "C1", "msevtmgt_eventid": "E9"}]}"#),
    ]);
    assert_eq!(load(e.path()).unwrap().dangling.len(), 1);
}

#[test]
fn relationships_json_errors_name_the_file() {
    let dir = folder(&[("site/webrole.yml", ROLES), ("relationships.json", r#"{"relationships": [{"name": "x", "lookup": "y"}]}"#)]);
    let e = load(dir.path()).unwrap_err().to_string().replace(&dir.path().display().to_string(), "T");
    assert_eq!(e, "T/relationships.json: at `relationships[0]`: one-to-many relationship `x` needs `referencing`");
}

#[test]
fn undeclared_relationship_does_not_fail_a_folder_load() {
    let perm = CASES.replace("incident_customer_contacts", "incident_custom_contacts");
    let dir = folder(&[
        ("site/webrole.yml", ROLES),
        ("site/table-permissions/Cases.tablepermission.yml", &perm),
        ("data/contact.json", r#"{"value": [{"contactid": "C1"}]}"#),
        ("data/incident.json", r#"{"value": [{"incidentid": "I1", "_customerid_value": "C1"}]}"#),
        ("data/adx_webrole_contact.json", r#"{"value": [{"contactid": "C1", "adx_webroleid": "R-cust"}]}"#),
    ]);
    let a = Analysis::load(dir.path()).unwrap();
    assert_eq!(a.what("C1", "read", None).unwrap().rows.unwrap(), Vec::<String>::new(), "the permission admits nothing");
    // The native file would fail with the same relationship (tenant-format.md):
    // convert writes the permission with scope `custom`, which admits nothing
    // too, keeps the relationship's name, and says so.
    let out = dir.path().join("native.json");
    let c = bin().args(["convert"]).arg(dir.path()).arg("-o").arg(&out).output().unwrap();
    assert_eq!(c.status.code(), Some(0));
    let msg = String::from_utf8(c.stderr).unwrap();
    assert!(msg.starts_with("note: table permission `TP-case`") && msg.contains("names relationship `incident_custom_contacts`") && msg.contains("relationships.json"), "{msg}");
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let p = &written["table_permissions"][0];
    assert_eq!((p["scope"].as_str(), p["contact_relationship"].as_str()), (Some("custom"), Some("incident_custom_contacts")));
    let converted = Analysis::load(&out).unwrap();
    assert_eq!(converted.what("C1", "read", None).unwrap().rows.unwrap(), Vec::<String>::new());
}

#[test]
fn site_only_folder_is_configuration_only() {
    let dir = folder(&[("site/webrole.yml", ROLES), ("site/table-permissions/Cases.tablepermission.yml", CASES)]);
    let t = load(dir.path()).unwrap();
    assert_eq!(t.row_count(), 0);
    assert_eq!(t.permissions.len(), 1);
    // A downloaded site folder itself (no `site/`) loads the same way.
    let t2 = load(&dir.path().join("site")).unwrap();
    assert_eq!(t2.permissions.len(), 1);
}

#[test]
fn a_folder_that_is_not_a_tenant_is_refused_with_exit_2() {
    let dir = folder(&[("notes.txt", "hello")]);
    let out = bin().args(["who"]).arg(dir.path()).args(["read", "contact:C1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("not a tenant folder"));
}

#[test]
fn every_command_takes_a_folder() {
    let dir = service_folder(&[]);
    let out = bin().args(["can"]).arg(dir.path()).args(["C1", "read", "incident:I1", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["allowed"], true);
    assert_eq!(v["via"], serde_json::json!(["TP-case"]));
}
