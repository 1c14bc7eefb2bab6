//! Lint findings PP022 to PP029 (lint.md), each on a minimal site folder
//! (or native tenant) that has it and one that does not, with the file and
//! line a folder finding points at.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod folder_support;

use folder_support::{folder, lint_json, pairs, with_id};
use portal_access::answer::lint::{self, Finding, Severity};
use serde_json::json;

const ROLES: &str = "- adx_webroleid: R-anon\n  adx_name: Anonymous Users\n  adx_anonymoususersrole: true\n- adx_webroleid: R-auth\n  adx_name: Authenticated Users\n  adx_authenticatedusersrole: true\n- adx_webroleid: R-staff\n  adx_name: Staff\n";

/// A classic permission file: id, table, scope code, privileges, roles, extra lines.
fn perm(id: &str, table: &str, scope: u32, privileges: &[&str], roles: &[&str], extra: &str) -> String {
    let mut s = format!("adx_entitypermissionid: {id}\nadx_entityname: {id} name\nadx_entitylogicalname: {table}\nadx_scope: {scope}\n");
    for p in privileges {
        s.push_str(&format!("adx_{p}: true\n"));
    }
    if !roles.is_empty() {
        s.push_str("adx_entitypermission_webrole:\n");
        for r in roles {
            s.push_str(&format!("- {r}\n"));
        }
    }
    s + extra
}

fn findings(files: &[(&str, &str)]) -> Vec<Finding> {
    let dir = folder(files);
    lint::load(dir.path()).unwrap_or_else(|e| panic!("{e}")).report().findings
}

fn ids_of(f: &[Finding], id: &str) -> Vec<String> {
    with_id(f, id).iter().map(|f| f.subject.clone()).collect()
}

#[test]
fn pp022_anonymous_write_create_or_delete() {
    let writes = perm("TP-fb", "feedback", 756150000, &["read", "write", "create", "delete"], &["R-anon"], "");
    let reads = perm("TP-kb", "knowledgearticle", 756150000, &["read"], &["R-anon"], "");
    let staff = perm("TP-staff", "lead", 756150000, &["write", "create"], &["R-staff"], "");
    let f = findings(&[
        ("site/webrole.yml", ROLES),
        ("site/table-permissions/a.tablepermission.yml", &writes),
        ("site/table-permissions/b.tablepermission.yml", &reads),
        ("site/table-permissions/c.tablepermission.yml", &staff),
    ]);
    assert_eq!(ids_of(&f, "PP022"), vec!["TP-fb"]);
    let pp022 = with_id(&f, "PP022")[0];
    assert_eq!(pp022.severity, Severity::Warning);
    assert!(
        pp022.message.starts_with("anonymous visitors (role `Anonymous Users`) can create rows in `feedback` and write, delete every row of `feedback` (no rows loaded) through `TP-fb name`"),
        "{}",
        pp022.message
    );
    let loc = pp022.location.as_ref().unwrap();
    assert!(loc.file.ends_with("a.tablepermission.yml") && loc.line == Some(1), "{loc:?}");
    // Create alone, whatever the scope (S17): Contact scope admits the anonymous visitor no row.
    let contact = perm("TP-c", "incident", 756150001, &["create", "write"], &["R-anon"], "adx_contactrelationship: incident_customer_contacts\n");
    let f = findings(&[("site/webrole.yml", ROLES), ("site/table-permissions/a.tablepermission.yml", &contact)]);
    let m = &with_id(&f, "PP022")[0].message;
    assert!(m.contains("can create rows in `incident` through") && !m.contains("write"), "{m}");
}

#[test]
fn pp023_anonymous_reads_any_table_and_pp001_keeps_customer_data() {
    let custom = perm("TP-quotes", "cr_quote", 756150000, &["read"], &["R-anon"], "");
    let contacts = perm("TP-contacts", "contact", 756150000, &["read"], &["R-anon"], "");
    let authed = perm("TP-auth", "cr_price", 756150000, &["read"], &["R-auth"], "");
    // A child on a custom table through an undeclared relationship: read on the live site, not evaluated here.
    let lines = perm("TP-lines", "cr_quoteline", 756150003, &["read"], &[], "adx_parententitypermission: TP-quotes\nadx_parentrelationship: cr_quote_lines\n");
    let f = findings(&[
        ("site/webrole.yml", ROLES),
        ("site/table-permissions/a.tablepermission.yml", &custom),
        ("site/table-permissions/b.tablepermission.yml", &contacts),
        ("site/table-permissions/c.tablepermission.yml", &authed),
        ("site/table-permissions/d.tablepermission.yml", &lines),
    ]);
    assert_eq!(ids_of(&f, "PP023"), vec!["TP-lines", "TP-quotes"]);
    assert_eq!(ids_of(&f, "PP001"), vec!["TP-contacts"]);
    let quotes = with_id(&f, "PP023").into_iter().find(|f| f.subject == "TP-quotes").unwrap();
    assert!(quotes.message.starts_with("anonymous visitors (role `Anonymous Users`) can read every row of `cr_quote` (no rows loaded) through `TP-quotes name`: the runtime's own site check fails"), "{}", quotes.message);
    let lines = with_id(&f, "PP023").into_iter().find(|f| f.subject == "TP-lines").unwrap();
    assert!(lines.message.contains("may read rows of `cr_quoteline` on the live site (relationship `cr_quote_lines` is not declared (PP016))"), "{}", lines.message);
}

#[test]
fn pp023_counts_rows_from_the_grants_of_a_native_tenant() {
    let t = json!({"format": "portal-access/tenant@1",
        "rows": {"cr_quote": [{"id": "Q1"}, {"id": "Q2"}], "contact": [{"id": "C1"}]},
        "web_roles": [{"id": "R-anon", "name": "Anonymous Users", "anonymous_users": true}],
        "table_permissions": [
            {"id": "TP1", "name": "Quotes", "table": "cr_quote", "scope": "global", "privileges": ["read"], "web_roles": ["R-anon"]},
            {"id": "TP2", "name": "Own quotes", "table": "cr_quote", "scope": "self", "privileges": ["read"], "web_roles": ["R-anon"]}
        ]});
    let f = lint_json(&t);
    assert_eq!(ids_of(&f, "PP023"), vec!["TP1"], "Self scope admits the anonymous visitor nothing");
    assert!(with_id(&f, "PP023")[0].message.contains("every row of `cr_quote` (2 rows)"));
}

#[test]
fn pp024_roles_with_one_name_or_two_anonymous_roles() {
    let roles = "- adx_webroleid: R1\n  adx_name: Staff\n- adx_webroleid: R2\n  adx_name: staff \n- adx_webroleid: R3\n  adx_name: Staff\n  statecode: 1\n- adx_webroleid: A1\n  adx_name: Anonymous Users\n  adx_anonymoususersrole: true\n- adx_webroleid: A2\n  adx_name: Guests\n  adx_anonymoususersrole: true\n- adx_webroleid: U1\n  adx_name: Authenticated Users\n  adx_authenticatedusersrole: true\n";
    let p = perm("TP1", "incident", 756150000, &["read"], &["R1"], "");
    let f = findings(&[("site/webrole.yml", roles), ("site/table-permissions/a.tablepermission.yml", &p)]);
    let got = with_id(&f, "PP024");
    assert_eq!(got.len(), 2, "{got:#?}");
    let same = got.iter().find(|f| f.subject == "R1").unwrap();
    assert!(same.message.starts_with("web roles `Staff` (`R1`), `staff` (`R2`) have the same name"), "{}", same.message);
    assert!(same.message.contains("`Staff` (`R1`) is on 1 permission tree, `staff` (`R2`) is on 0 permission trees"), "{}", same.message);
    assert_eq!(same.location.as_ref().unwrap().line, Some(3), "the repeated role's line");
    let anon = got.iter().find(|f| f.subject == "A1").unwrap();
    assert!(anon.message.starts_with("2 active web roles are flagged as the anonymous users role (`Anonymous Users` (`A1`), `Guests` (`A2`))"), "{}", anon.message);
    // One of each: nothing.
    let f = findings(&[("site/webrole.yml", ROLES), ("site/table-permissions/a.tablepermission.yml", &p)]);
    assert!(with_id(&f, "PP024").is_empty());
}

#[test]
fn pp025_missing_parent_is_an_error_at_the_parent_line() {
    let orphan = perm("TP-notes", "annotation", 756150003, &["read"], &["R-staff"], "adx_parententitypermission: TP-gone\nadx_parentrelationship: Incident_Annotation\n");
    let below = perm("TP-below", "annotation", 756150000, &["read"], &[], "adx_parententitypermission: TP-notes\n");
    let f = findings(&[
        ("site/webrole.yml", ROLES),
        ("site/table-permissions/a.tablepermission.yml", &orphan),
        ("site/table-permissions/b.tablepermission.yml", &below),
    ]);
    assert_eq!(pairs(&with_id(&f, "PP025").into_iter().cloned().collect::<Vec<_>>()), vec![("PP025".to_string(), "TP-notes".to_string())]);
    let pp025 = with_id(&f, "PP025")[0];
    assert_eq!(pp025.severity, Severity::Error);
    assert_eq!(
        pp025.message,
        "table permission `TP-notes name` names parent `TP-gone`, which is not in this download: here it admits nothing, as an inactive permission would (S7), and neither do the 1 permission below it; older runtimes made it a root held by its own roles `Staff`, and a Parent-scope root there filters nothing: its holders could read every row of `annotation`"
    );
    let loc = pp025.location.as_ref().unwrap();
    assert!(loc.file.ends_with("a.tablepermission.yml") && loc.line == Some(8), "{loc:?}");
    assert!(with_id(&f, "PP010").is_empty(), "PP025 covers it: the file does not say inactive");
}

#[test]
fn pp026_role_ids_that_name_no_role_on_every_kind_of_record() {
    let p = perm("TP1", "incident", 756150000, &["read"], &["R-staff", "R-x"], "");
    let f = findings(&[
        ("site/webrole.yml", ROLES),
        ("site/table-permissions/a.tablepermission.yml", &p),
        ("site/webpagerule.yml", "- adx_webpageaccesscontrolruleid: W1\n  adx_name: Staff page\n  adx_right: 2\n  adx_webpageid: P1\n  adx_webpageaccesscontrolrule_webrole:\n  - R-y\n"),
        ("site/column-permission-profiles/p/a.columnpermissionprofile.yml", "adx_columnpermissionprofileid: CP1\nadx_profilename: Cols\nadx_tablename: incident\nadx_columnpermissionprofile_webrole:\n- R-z\n"),
        ("data/contact.json", r#"{"value": [{"contactid": "C1"}]}"#),
        ("data/adx_webrole_contact.json", r#"{"value": [{"contactid": "C1", "adx_webroleid": "R-w"}]}"#),
    ]);
    let got: Vec<(String, Option<usize>)> =
        with_id(&f, "PP026").iter().map(|f| (f.subject.clone(), f.location.as_ref().and_then(|l| l.line))).collect();
    assert_eq!(got, vec![("C1".into(), None), ("CP1".into(), Some(5)), ("TP1".into(), Some(8)), ("W1".into(), Some(6))]);
    let tp = with_id(&f, "PP026").into_iter().find(|f| f.subject == "TP1").unwrap();
    assert_eq!(tp.message, "table permission `TP1 name` lists web role `R-x`, which is not in this download: the link is dropped, so visitors get nothing from it through that role");
    let member = with_id(&f, "PP026").into_iter().find(|f| f.subject == "C1").unwrap();
    assert!(member.message.contains("contact `C1` is made a member of web role `R-w` (at `value[0].adx_webroleid`)"), "{}", member.message);
    assert!(member.location.as_ref().unwrap().file.ends_with("adx_webrole_contact.json"));
}

#[test]
fn pp027_page_rules_that_do_not_do_what_they_seem() {
    let rules = "- adx_webpageaccesscontrolruleid: W1\n  adx_name: Public page\n  adx_right: 2\n  adx_webpageid: P1\n  adx_webpageaccesscontrolrule_webrole:\n  - R-anon\n- adx_webpageaccesscontrolruleid: W2\n  adx_name: Editors\n  adx_right: 1\n  adx_webpageid: P2\n- adx_webpageaccesscontrolruleid: W3\n  adx_name: Readers\n  adx_right: 2\n  adx_webpageid: P2\n  adx_webpageaccesscontrolrule_webrole: [R-staff]\n- adx_webpageaccesscontrolruleid: W4\n  adx_name: Old\n  adx_right: 2\n  adx_webpageid: P3\n  statecode: 1\n- adx_webpageaccesscontrolruleid: W5\n  adx_right: 1\n  adx_webpageid: P3\n";
    let f = findings(&[("site/webrole.yml", ROLES), ("site/webpagerule.yml", rules)]);
    assert_eq!(ids_of(&f, "PP027"), vec!["P2", "W1"]);
    let anon = with_id(&f, "PP027").into_iter().find(|f| f.subject == "W1").unwrap();
    assert_eq!(anon.message, "restrict-read rule `Public page` lists the anonymous users role `Anonymous Users`: the runtime ignores that role in restrict-read rules, so anonymous visitors cannot read web page `P1` through it");
    assert_eq!(anon.location.as_ref().unwrap().line, Some(1));
    let page = with_id(&f, "PP027").into_iter().find(|f| f.subject == "P2").unwrap();
    assert!(page.message.starts_with("web page `P2` has 2 active access control rules, `Editors` (grant change), `Readers` (restrict read)"), "{}", page.message);
    assert_eq!(page.location.as_ref().unwrap().line, Some(11));
}

#[test]
fn pp028_column_profiles_that_change_nothing() {
    let settings = "- adx_name: Webapi/incident/enabled\n  adx_value: true\n- adx_name: Webapi/incident/fields\n  adx_value: title\n";
    let roles = format!("{ROLES}- adx_webroleid: R-old\n  adx_name: Old\n  statecode: 1\n");
    let profile = |id: &str, table: &str, roles: &str| {
        format!("adx_columnpermissionprofileid: {id}\nadx_profilename: {id} cols\nadx_tablename: {table}\nadx_allcolumnpermissions: [746610001]\nadx_columnpermissionprofile_webrole: {roles}\n")
    };
    let p = perm("TP1", "incident", 756150000, &["read"], &["R-staff"], "");
    let f = findings(&[
        ("site/webrole.yml", &roles),
        ("site/sitesetting.yml", settings),
        ("site/table-permissions/a.tablepermission.yml", &p),
        ("site/column-permission-profiles/a/a.columnpermissionprofile.yml", &profile("CP-none", "incident", "[]")),
        ("site/column-permission-profiles/b/b.columnpermissionprofile.yml", &profile("CP-old", "incident", "[R-old]")),
        ("site/column-permission-profiles/c/c.columnpermissionprofile.yml", &profile("CP-closed", "contact", "[R-staff]")),
        ("site/column-permission-profiles/d/d.columnpermissionprofile.yml", &profile("CP-ok", "incident", "[R-staff]")),
    ]);
    assert_eq!(ids_of(&f, "PP028"), vec!["CP-closed", "CP-none", "CP-old"]);
    let closed = with_id(&f, "PP028").into_iter().find(|f| f.subject == "CP-closed").unwrap();
    assert_eq!(closed.severity, Severity::Info);
    assert_eq!(closed.message, "column permission profile `CP-closed cols` on `contact` changes nothing: it secures `contact`, which is not open to the Web API (`Webapi/contact/enabled` is not `true`), and column permissions apply to the Web API only (C5)");
    let old = with_id(&f, "PP028").into_iter().find(|f| f.subject == "CP-old").unwrap();
    assert!(old.message.ends_with("it lists only inactive web roles (`Old`), so no visitor has it"), "{}", old.message);
    assert!(old.location.as_ref().unwrap().file.ends_with("b.columnpermissionprofile.yml"));
}

#[test]
fn pp029_liquid_fetchxml_filtering_on_the_system_user() {
    let template = "<h1>News</h1>\n{% fetchxml news %}\n<fetch>\n  <entity name=\"cra3a_news\">\n    <filter>\n      <condition attribute=\"createdby\" operator=\"eq\" uiname=\"SYSTEM\" uitype=\"systemuser\" value=\"{A1}\" />\n    </filter>\n  </entity>\n</fetch>\n{% endfetchxml %}\n{% for n in news.results.entities %}{{ n.cra3a_title }}{% endfor %}\n";
    let snippet = "{% fetchxml mine %}<fetch><entity name=\"task\"><filter><condition attribute=\"ownerid\" operator=\"eq-userid\" /></filter></entity></fetch>{% endfetchxml %}";
    let harmless = "{% fetchxml cases %}<fetch><entity name=\"incident\"><filter><condition attribute=\"customerid\" operator=\"eq\" value=\"{{ user.id }}\" /></filter></entity></fetch>{% endfetchxml %}";
    let f = findings(&[
        ("site/webrole.yml", ROLES),
        ("site/web-templates/news/News.webtemplate.source.html", template),
        ("site/content-snippets/mine/Mine.contentsnippet.value.html", snippet),
        ("site/web-pages/home/Home.webpage.copy.html", harmless),
        ("site/web-files/not-scanned.html", template),
    ]);
    let got: Vec<(String, Option<usize>)> = with_id(&f, "PP029").iter().map(|f| (f.subject.clone(), f.location.as_ref().and_then(|l| l.line))).collect();
    assert_eq!(
        got,
        vec![
            ("content-snippets/mine/Mine.contentsnippet.value.html".to_string(), Some(1)),
            ("web-templates/news/News.webtemplate.source.html".to_string(), Some(6)),
        ]
    );
    let news = with_id(&f, "PP029").into_iter().find(|f| f.subject.starts_with("web-templates")).unwrap();
    assert_eq!(news.severity, Severity::Info);
    assert_eq!(news.message, "line 6: the Liquid FetchXML query `news` filters on `createdby` and names the SYSTEM user (`uiname=\"SYSTEM\"`): sites are moving from the SYSTEM user to an application user, and then it silently returns nothing; secure the rows with table permissions instead");
    assert!(news.location.as_ref().unwrap().file.ends_with("site/web-templates/news/News.webtemplate.source.html"));
}
