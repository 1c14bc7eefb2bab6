//! Folder tenants read real downloads as they are (tenant-format.md,
//! "Tenant folders"): "more of the site" (site settings, column permission
//! profiles, lists, forms, form steps, page rules) in classic and code-site
//! spellings; keys in any case, unknown keys, `[]` or missing role lists,
//! `statecode`, CRLF; broken references dropped, not refused; and the
//! channel answers (`exposure`, `columns`, registration) on site folders.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod folder_support;

use folder_support::{bin, folder, repo};
use portal_access::load::site::DroppedKind;
use portal_access::model::channels::{ColumnPrivilege, ComponentKind, PageRight};
use portal_access::Analysis;

const ROLES: &str = "- adx_webroleid: R-anon\n  adx_name: Anonymous Users\n  adx_anonymoususersrole: true\n- adx_webroleid: R-auth\n  adx_name: Authenticated Users\n  adx_authenticatedusersrole: true\n- adx_webroleid: R-staff\n  adx_name: Staff\n";
const CASES: &str = "adx_entitypermissionid: TP-cases\nadx_entityname: Cases\nadx_entitylogicalname: incident\nadx_scope: 756150000\nadx_read: true\nadx_write: true\nadx_entitypermission_webrole:\n- R-auth\n";

fn load(dir: &tempfile::TempDir) -> portal_access::Tenant {
    portal_access::model::load(dir.path()).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn bookmastering_reads_settings_lists_forms_profiles_and_page_rules() {
    let t = portal_access::model::load(&repo("tests/fixtures/sites/bookmastering")).unwrap();
    let raw = &t.raw;
    assert_eq!(raw.site_settings.len(), 83);
    let star = raw.site_settings.iter().find(|s| s.name == "Webapi/msdynce_registration/fields").unwrap();
    assert_eq!(star.value, "*");
    let origin = star.origin.as_ref().unwrap();
    assert!(origin.file.ends_with("bookmastering/sitesetting.yml") && origin.line.is_some(), "{origin:?}");
    // A setting without a value reads as the empty text; names keep their case.
    assert!(raw.site_settings.iter().any(|s| s.name == "Authentication/OpenAuth/LinkedIn/ConsumerKey" && s.value.is_empty()));
    assert!(raw.site_settings.iter().any(|s| s.name == "WebAPI/enableReadOperationPreview"));
    let kinds: Vec<ComponentKind> = t.channels.components.iter().map(|c| c.kind).collect();
    assert_eq!(kinds.iter().filter(|k| **k == ComponentKind::List).count(), 4);
    assert_eq!(kinds.iter().filter(|k| **k == ComponentKind::Form).count(), 10);
    let news = t.channels.components.iter().find(|c| c.name == "View News").unwrap();
    assert_eq!((t.tables[news.table as usize].name.as_str(), news.mode.as_deref(), news.permissions_enabled), ("cra3a_news", Some("readonly"), true));
    let profile = &t.channels.profiles[0];
    assert_eq!((profile.name.as_str(), t.tables[profile.table as usize].name.as_str()), ("News", "cra3a_news"));
    assert!(ColumnPrivilege::ALL.iter().all(|&q| profile.all_columns.has(q)));
    assert!(profile.roles.is_empty(), "`adx_columnpermissionprofile_webrole: []`");
    let rules = &t.channels.page_rules;
    assert_eq!(rules.len(), 9);
    assert_eq!(rules.iter().filter(|r| r.right == PageRight::RestrictRead).count(), 7);
    assert_eq!(rules.iter().filter(|r| !r.active).count(), 2, "statecode: 1");
    assert!(rules.iter().any(|r| r.page.is_none()), "a rule without a page loads");
    // The inactive permission (statecode: 1) on feedback.
    let feedback = t.permissions.iter().find(|p| p.name == "Feedback").unwrap();
    assert!(!feedback.active);
}

#[test]
fn gds_reads_the_per_column_permissions_of_a_profile() {
    let t = portal_access::model::load(&repo("tests/fixtures/sites/gds-power-page")).unwrap();
    let p = &t.channels.profiles[0];
    assert_eq!(p.name, "Appointment Columns");
    let cols: Vec<&str> = p.columns.keys().map(String::as_str).collect();
    assert_eq!(cols, vec!["description", "scheduledstart", "subject"]);
    assert!(p.columns.values().all(|c| ColumnPrivilege::ALL.iter().all(|&q| c.has(q))));
    assert_eq!(p.all_columns.0, 0);
    // Web API on `appointment`, registration settings from `sitesetting.yml`.
    let a = Analysis::new(t);
    assert!(a.channel_index().open(a.tenant.table_id("appointment").unwrap()));
}

#[test]
fn code_site_settings_and_page_rules_in_their_own_folders() {
    let t = portal_access::model::load(&repo("tests/fixtures/sites/file-upload-notes-code-site")).unwrap();
    assert_eq!(t.raw.site_settings.len(), 55);
    assert!(t.raw.site_settings.iter().any(|s| s.name == "Webapi/contact/fields" && s.value == "*"));
    assert_eq!(t.channels.page_rules.len(), 2);
    assert!(t.channels.page_rules.iter().all(|r| r.right == PageRight::GrantChange));
    let with_role = t.channels.page_rules.iter().find(|r| !r.roles.is_empty()).unwrap();
    assert_eq!(t.roles[with_role.roles[0] as usize].name, "Administrators");
    // Registration state comes from the site's settings (C8).
    let a = Analysis::new(t);
    assert!(a.exposure(None).unwrap().registration_open);
}

#[test]
fn keys_in_any_case_unknown_keys_crlf_statecode_and_empty_role_lists() {
    let perm = "ADX_EntityPermissionId: TP1\r\nadx_EntityName: Cases\r\nadx_entityLogicalName: incident\r\nadx_Scope: 756150000\r\nadx_Read: true\r\nadx_childTablePermissions: true\r\nadx_somethingNew: [1, 2]\r\nadx_entitypermission_webrole: []\r\n";
    let missing_roles = "adx_entitypermissionid: TP2\nadx_entitylogicalname: incident\nadx_scope: 756150000\nadx_read: true\nstatecode: 1\nstatuscode: 2\n";
    let settings = "- adx_name: Webapi/incident/enabled\r\n  adx_value: True\r\n  adx_sitesettingid: S1\r\n- adx_name: Webapi/incident/fields\r\n  adx_value: title\r\n  statecode: 1\r\n";
    let dir = folder(&[
        ("site/webrole.yml", ROLES),
        ("site/table-permissions/a.tablepermission.yml", perm),
        ("site/table-permissions/b.tablepermission.yml", missing_roles),
        ("site/sitesetting.yml", settings),
    ]);
    let t = load(&dir);
    let p = &t.permissions[t.perm_id("TP1").unwrap() as usize];
    assert_eq!((p.name.as_str(), p.roles.len(), p.active), ("Cases", 0, true));
    let q = &t.permissions[t.perm_id("TP2").unwrap() as usize];
    assert!(q.roles.is_empty() && !q.active);
    assert_eq!(t.raw.site_settings.len(), 2);
    assert_eq!(t.raw.site_settings[0].value, "True", "no `\\r` kept");
    assert!(!t.raw.site_settings[1].active);
    assert_eq!(t.raw.site_settings[1].origin.as_ref().unwrap().line, Some(4));
}

#[test]
fn code_site_spellings_of_every_site_file() {
    let dir = folder(&[
        ("site/web-roles/a.webrole.yml", "id: R-anon\nname: Anonymous Users\nanonymoususersrole: true\n"),
        ("site/web-roles/b.webrole.yml", "id: R-staff\nname: Staff\n"),
        ("site/table-permissions/a.tablepermission.yml", "id: TP1\nentityname: Cases\nentitylogicalname: incident\nscope: 756150000\nread: true\nadx_entitypermission_webrole:\n- R-staff\n"),
        ("site/site-settings/a.sitesetting.yml", "id: S1\nname: Webapi/incident/enabled\nvalue: true\n"),
        ("site/webpage-rules/a.webpagerule.yml", "id: W1\nname: Staff only\nright: 2\nwebpageid: P1\nadx_webpageaccesscontrolrule_webrole:\n- R-staff\n"),
        ("site/lists/a.list.yml", "id: L1\nname: Cases\nentityname: incident\nentitypermissionsenabled: false\nodata_enabled: true\n"),
        ("site/basic-forms/f/a.basicform.yml", "id: F1\nname: New case\nentityname: incident\nmode: 100000000\n"),
        ("site/advanced-forms/w/steps/a.advancedformstep.yml", "id: S1\nname: Step 1\ntargetentitylogicalname: incident\nmode: 100000001\nentitypermissionsenabled: true\n"),
        ("site/advanced-forms/w/steps/b.advancedformstep.yml", "id: S2\nname: Redirect\n"),
        ("site/column-permission-profiles/p/a.columnpermissionprofile.yml", "id: CP1\nname: Case columns\ntablename: incident\nallcolumnpermissions: 746610001\ncolumnpermissionprofile_webrole:\n- R-staff\n"),
        ("site/column-permission-profiles/p/a.columnpermissionprofile.columnpermission.yml", "- columnname: title\n  permissions:\n  - 746610002\n"),
    ]);
    let t = load(&dir);
    let ch = &t.channels;
    let kinds: Vec<(&str, ComponentKind, bool, bool, Option<&str>)> = ch
        .components
        .iter()
        .map(|c| (c.id.as_str(), c.kind, c.permissions_enabled, c.odata_enabled, c.mode.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("L1", ComponentKind::List, false, true, None),
            ("F1", ComponentKind::Form, false, false, Some("insert")),
            ("S1", ComponentKind::FormStep, true, false, Some("edit")),
        ],
        "a step without a table is skipped"
    );
    let p = &ch.profiles[0];
    assert!(p.all_columns.has(ColumnPrivilege::Read) && !p.all_columns.has(ColumnPrivilege::Update));
    assert!(p.columns["title"].has(ColumnPrivilege::Update), "the per-column file without a profile id joins the profile of its folder");
    let rule = &ch.page_rules[0];
    assert_eq!((rule.right, rule.page.as_deref(), rule.roles.len()), (PageRight::RestrictRead, Some("P1"), 1));
    assert!(ch.settings.contains_key("webapi/incident/enabled"));
    // One spelling throughout (role lists as `adx_..._webrole` count for any): no PP015.
    let report = portal_access::answer::lint::load(dir.path()).unwrap().report();
    assert!(!report.findings.iter().any(|f| f.id == "PP015"), "{}", report.text());
}

#[test]
fn a_list_on_a_table_no_permission_names_loads_and_converts() {
    let dir = folder(&[
        ("site/webrole.yml", ROLES),
        ("site/table-permissions/a.tablepermission.yml", CASES),
        ("site/lists/a.list.yml", "adx_entitylistid: L1\nadx_name: Products\nadx_entityname: product\n"),
    ]);
    let t = load(&dir);
    let list = &t.channels.components[0];
    assert_eq!(t.tables[list.table as usize].name, "product");
    let out = dir.path().join("out.json");
    let run = bin().arg("convert").arg(dir.path().join("site")).arg("-o").arg(&out).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let back = portal_access::model::load(&out).unwrap();
    assert_eq!(back.channels.components.len(), 1);
}

/// A record that cannot be read (an unknown code, a missing key, a profile
/// not in the download) is dropped with PP044 naming the file, the line and
/// the key; the site still loads (issue 24). Two records with one id are
/// still a load error: neither can be trusted.
#[test]
fn unknown_codes_and_references_name_the_file_and_line() {
    let cases: &[(&str, &str, &str)] = &[
        ("site/basic-forms/f/a.basicform.yml", "adx_entityformid: F1\nadx_entityname: incident\nadx_mode: 5\n", "a.basicform.yml, line 3 (`adx_mode`): unknown form mode `5`"),
        ("site/webpagerule.yml", "- adx_webpageaccesscontrolruleid: W1\n  adx_right: 3\n", "webpagerule.yml, line 2 (`adx_right`): unknown page right `3`"),
        (
            "site/column-permission-profiles/p/a.columnpermissionprofile.yml",
            "adx_columnpermissionprofileid: CP1\nadx_tablename: incident\nadx_allcolumnpermissions:\n- 746610009\n",
            "a.columnpermissionprofile.yml, line 4 (`adx_allcolumnpermissions`): unknown column privilege code `746610009`",
        ),
        (
            "site/column-permission-profiles/p/a.columnpermission.yml",
            "adx_columnname: title\nadx_columnpermissionprofileid: CP9\nadx_permissions: [746610001]\n",
            "a.columnpermission.yml, line 2 (`adx_columnpermissionprofileid`): column permission profile `CP9` is not in this download",
        ),
        ("site/lists/a.list.yml", "adx_entitylistid: L1\nadx_name: No table\n", "a.list.yml, line 1: missing table"),
    ];
    for (path, text, expected) in cases {
        let dir = folder(&[("site/webrole.yml", ROLES), ("site/table-permissions/a.tablepermission.yml", CASES), (*path, *text)]);
        let t = portal_access::model::load(dir.path()).unwrap();
        let unreadable: Vec<String> = t.raw.unreadable.iter().map(|u| u.text()).collect();
        assert!(unreadable.len() == 1 && unreadable[0].contains(expected), "{path}: {unreadable:?}");
        let run = bin().arg("lint").arg(dir.path()).arg("--json").output().unwrap();
        assert_eq!(run.status.code(), Some(0), "{path}");
        let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        let ids: Vec<&str> = v["findings"].as_array().unwrap().iter().filter_map(|f| f["id"].as_str()).filter(|id| *id == "PP044").collect();
        assert_eq!(ids, ["PP044"], "{path}");
    }
    let dir = folder(&[
        ("site/webrole.yml", ROLES),
        ("site/webpage-rules/a.webpagerule.yml", "id: W1\nright: 2\n"),
        ("site/webpage-rules/b.webpagerule.yml", "id: W1\nright: 1\n"),
    ]);
    let e = portal_access::model::load(dir.path()).unwrap_err().to_string();
    assert!(e.contains("b.webpagerule.yml: at line 1 (`id`): duplicate page rule id `W1`"), "{e}");
    let run = bin().arg("lint").arg(dir.path()).output().unwrap();
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn broken_references_load_with_the_reference_dropped() {
    let child = "adx_entitypermissionid: TP-notes\nadx_entityname: Notes\nadx_entitylogicalname: annotation\nadx_scope: 756150003\nadx_parententitypermission: TP-gone\nadx_parentrelationship: Incident_Annotation\nadx_read: true\nadx_entitypermission_webrole:\n- R-auth\n";
    let grandchild = "adx_entitypermissionid: TP-all-notes\nadx_entitylogicalname: annotation\nadx_scope: 756150000\nadx_parententitypermission: TP-notes\nadx_read: true\n";
    let cases_with_ghost_role = CASES.replace("- R-auth\n", "- R-ghost\n- R-auth\n");
    let dir = folder(&[
        ("site/webrole.yml", ROLES),
        ("site/table-permissions/a.tablepermission.yml", &cases_with_ghost_role),
        ("site/table-permissions/b.tablepermission.yml", child),
        ("site/table-permissions/c.tablepermission.yml", grandchild),
        ("site/webpagerule.yml", "- adx_webpageaccesscontrolruleid: W1\n  adx_right: 2\n  adx_webpageid: P1\n  adx_webpageaccesscontrolrule_webrole:\n  - R-ghost2\n  - R-staff\n"),
        ("site/column-permission-profiles/p/a.columnpermissionprofile.yml", "adx_columnpermissionprofileid: CP1\nadx_tablename: incident\nadx_columnpermissionprofile_webrole:\n- R-ghost3\n"),
        ("data/contact.json", r#"{"value": [{"contactid": "C1"}]}"#),
        ("data/incident.json", r#"{"value": [{"incidentid": "I1"}]}"#),
        ("data/annotation.json", r#"{"value": [{"annotationid": "N1", "_objectid_value": "I1"}]}"#),
        ("data/adx_webrole_contact.json", r#"{"value": [{"contactid": "C1", "adx_webroleid": "R-ghost4"}, {"contactid": "C1", "adx_webroleid": "R-staff"}]}"#),
    ]);
    let folder_read = portal_access::load::site::read(dir.path()).unwrap();
    let dropped: Vec<(DroppedKind, &str, &str, &str, Option<usize>)> = folder_read
        .site
        .dropped
        .iter()
        .map(|d| (d.kind, d.holder, d.id.as_str(), d.missing.as_str(), d.line))
        .collect();
    assert_eq!(
        dropped,
        vec![
            (DroppedKind::Role, "table permission", "TP-cases", "R-ghost", Some(8)),
            (DroppedKind::Parent, "table permission", "TP-notes", "TP-gone", Some(5)),
            (DroppedKind::Role, "column permission profile", "CP1", "R-ghost3", Some(4)),
            (DroppedKind::Role, "page rule", "W1", "R-ghost2", Some(5)),
            (DroppedKind::Role, "contact", "C1", "R-ghost4", None),
        ]
    );
    let member = folder_read.site.dropped.last().unwrap();
    assert!(member.file.ends_with("adx_webrole_contact.json") && member.place.as_deref() == Some("value[0].adx_webroleid"), "{member:?}");
    let t = load(&dir);
    let a = Analysis::new(t);
    // The role link that remains still grants; the permission without its
    // parent, and the one below it, admit nothing (S7).
    assert!(a.can("C1", "read", "incident:I1").unwrap().allowed);
    assert!(!a.can("C1", "read", "annotation:N1").unwrap().allowed);
    let notes = &a.tenant.permissions[a.tenant.perm_id("TP-notes").unwrap() as usize];
    assert!(!notes.active && notes.parent.is_none());
    assert_eq!(a.tenant.contact_members.len(), 1, "the membership of the missing role is dropped");
    // An error after the drop still names the right line: the remaining role id moved up.
    let o = a.tenant.permissions[a.tenant.perm_id("TP-cases").unwrap() as usize].origin.clone().unwrap();
    assert!(o.fields.iter().any(|f| f == &("web_roles[0]".to_string(), 9, "adx_entitypermission_webrole".to_string())), "{o:?}");

    // convert writes the native form without the dropped references, and it answers the same.
    let out = dir.path().join("out.json");
    let run = bin().arg("convert").arg(dir.path()).arg("-o").arg(&out).output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let err = String::from_utf8(run.stderr).unwrap();
    assert!(err.contains("note: table permission `TP-notes` names parent `TP-gone`") && err.contains("scope `custom`"), "{err}");
    let written: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let notes = written["table_permissions"].as_array().unwrap().iter().find(|p| p["id"] == "TP-notes").unwrap();
    assert_eq!((notes["scope"].as_str(), notes.get("parent"), notes["active"].as_bool()), (Some("custom"), None, Some(false)));
    assert_eq!(written["table_permissions"][0]["web_roles"], serde_json::json!(["R-auth"]));
    let grants = |p: &std::path::Path| String::from_utf8(bin().arg("grants").arg(p).output().unwrap().stdout).unwrap();
    assert_eq!(grants(dir.path()), grants(&out));
    assert!(grants(dir.path()).contains("incident:I1"));
}

#[test]
fn cycles_and_duplicates_still_fail_with_the_file_and_line() {
    let a = "adx_entitypermissionid: TP1\nadx_entitylogicalname: incident\nadx_scope: 756150003\nadx_parententitypermission: TP2\nadx_parentrelationship: x\n";
    let b = "adx_entitypermissionid: TP2\nadx_entitylogicalname: incident\nadx_scope: 756150003\nadx_parententitypermission: TP1\nadx_parentrelationship: x\n";
    let dir = folder(&[("site/webrole.yml", ROLES), ("site/table-permissions/a.tablepermission.yml", a), ("site/table-permissions/b.tablepermission.yml", b)]);
    let e = portal_access::model::load(dir.path()).unwrap_err().to_string();
    assert!(e.contains("a.tablepermission.yml: at line 4 (`adx_parententitypermission`): parent links form a cycle"), "{e}");
    let dir = folder(&[("site/webrole.yml", ROLES), ("site/sitesetting.yml", "- adx_name: [x\n")]);
    let e = portal_access::model::load(dir.path()).unwrap_err().to_string();
    assert!(e.contains("sitesetting.yml: line"), "{e}");
}

#[test]
fn exposure_and_columns_answer_on_a_site_folder() {
    let dir = folder(&[
        ("site/webrole.yml", ROLES),
        ("site/table-permissions/a.tablepermission.yml", &CASES.replace("- R-auth\n", "- R-anon\n- R-auth\n")),
        ("site/sitesetting.yml", "- adx_name: Webapi/incident/enabled\n  adx_value: true\n- adx_name: Webapi/incident/fields\n  adx_value: title,description\n- adx_name: Authentication/Registration/Enabled\n  adx_value: false\n"),
        ("site/column-permission-profiles/p/a.columnpermissionprofile.yml", "adx_columnpermissionprofileid: CP1\nadx_tablename: incident\nadx_allcolumnpermissions: [746610001]\nadx_columnpermissionprofile_webrole: [R-anon]\n"),
        ("data/contact.json", r#"{"value": [{"contactid": "C1"}]}"#),
        ("data/incident.json", r#"{"value": [{"incidentid": "I1", "title": "Pump", "description": "Broken"}]}"#),
    ]);
    let a = Analysis::load(dir.path()).unwrap();
    let e = a.exposure(None).unwrap();
    assert!(!e.registration_open, "Authentication/Registration/Enabled is false");
    let anon = serde_json::to_value(&e.visitors[0]).unwrap();
    assert_eq!(anon["tables"][0]["read"], serde_json::json!(["description", "title"]));
    assert_eq!(anon["tables"][0]["update"], serde_json::json!([]), "the profile allows read only");
    let c = a.columns("C1", "incident:I1").unwrap();
    assert!(c.open && c.update == vec!["description", "title"], "{c:?}");
}
