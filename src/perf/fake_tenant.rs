//! A native tenant (`portal-access/tenant@1`, as the generator writes it)
//! laid out as a Dataverse environment of either data model: the site's
//! records in `adx_` tables or `powerpagecomponents`, role lists and
//! memberships in intersect tables, rows with `<table>id` (or `activityid`)
//! and `_x_value` lookups, and relationship metadata for the catalogue and
//! the tenant's own relationships. A second site with a role, a membership
//! and a permission of its own shows that only the chosen site is copied.

use super::fake_dataverse::{Dataverse, Table};
use super::fake_surfaces::{mode, rule_scope, state};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The site pulled.
pub const SITE_ID: &str = "5e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";
/// A second site, never copied.
pub const OTHER_SITE_ID: &str = "00000000-aaaa-4bbb-8ccc-dddddddddddd";
/// A secret setting's value, never written.
pub const SECRET: &str = "s3cr3t-client-secret-value";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// The data model served.
pub enum Model {
    /// `adx_` tables.
    Standard,
    /// `powerpagecomponents`.
    Enhanced,
}

/// The standard relationships of tenant-format.md's catalogue.
use crate::model::catalogue::CATALOGUE;

fn id_column(table: &str) -> String {
    if table == "adx_portalcomment" {
        "activityid".into()
    } else {
        format!("{table}id")
    }
}

fn name_column(table: &str) -> Option<&'static str> {
    match table {
        "contact" => Some("fullname"),
        "incident" => Some("title"),
        "annotation" => None,
        _ => Some("name"),
    }
}

fn scope_code(v: &Value) -> Value {
    match v.as_str() {
        Some("global") => json!(756150000),
        Some("contact") => json!(756150001),
        Some("account") => json!(756150002),
        Some("parent") => json!(756150003),
        Some("self") => json!(756150004),
        _ => v.clone(),
    }
}


fn text(v: &Value, k: &str) -> Value {
    v.get(k).cloned().unwrap_or(Value::Null)
}

/// The environment serving `doc`'s site as `model`.
pub fn environment(doc: &Value, model: Model, token: &str) -> Dataverse {
    let mut dv = Dataverse::new(token);
    relationships(doc, &mut dv);
    rows(doc, &mut dv);
    match model {
        Model::Standard => standard(doc, &mut dv),
        Model::Enhanced => enhanced(doc, &mut dv),
    }
    dv
}

fn relationships(doc: &Value, dv: &mut Dataverse) {
    let mut one: BTreeMap<String, Value> = BTreeMap::new();
    for (name, referencing, lookup, referenced) in CATALOGUE {
        one.insert(name.to_string(), json!({"SchemaName": name, "ReferencingEntity": referencing, "ReferencingAttribute": lookup, "ReferencedEntity": referenced, "MetadataId": "x"}));
    }
    for r in doc["relationships"].as_array().into_iter().flatten() {
        let name = r["name"].as_str().unwrap_or_default().to_string();
        if r.get("kind").and_then(Value::as_str) == Some("many_to_many") {
            let t = r["tables"].as_array().cloned().unwrap_or_default();
            let (a, b) = (t[0].as_str().unwrap_or_default(), t[1].as_str().unwrap_or_default());
            dv.many_to_many.push(json!({"SchemaName": name, "Entity1LogicalName": a, "Entity2LogicalName": b, "IntersectEntityName": name,
                "Entity1IntersectAttribute": format!("{a}id"), "Entity2IntersectAttribute": format!("{b}id")}));
            let mut t = Table::new(
                &name,
                &format!("{name}set"),
                &format!("{name}id"),
                None,
                &[&format!("{a}id"), &format!("{b}id")],
            );
            for (k, pair) in doc["associations"][&name].as_array().into_iter().flatten().enumerate() {
                let mut m = Map::new();
                m.insert(format!("{name}id"), json!(format!("pair-{k}")));
                m.insert(format!("{a}id"), pair[0].clone());
                m.insert(format!("{b}id"), pair[1].clone());
                t.rows.push(m);
            }
            dv.add(t);
        } else {
            one.insert(name.clone(), json!({"SchemaName": name, "ReferencingEntity": r["referencing"], "ReferencingAttribute": r["lookup"], "ReferencedEntity": r["referenced"], "MetadataId": "x"}));
        }
    }
    dv.one_to_many = one.into_values().collect();
}

/// Row tables: ids, lookups (with their target table for the annotation), data columns.
fn rows(doc: &Value, dv: &mut Dataverse) {
    let empty = Map::new();
    let all = doc["rows"].as_object().unwrap_or(&empty);
    let ids: BTreeMap<&str, std::collections::HashSet<&str>> = all
        .iter()
        .map(|(t, rows)| (t.as_str(), rows.as_array().into_iter().flatten().filter_map(|r| r["id"].as_str()).collect()))
        .collect();
    let mut targets: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in &dv.one_to_many {
        let key = (
            r["ReferencingEntity"].as_str().unwrap_or_default().to_string(),
            r["ReferencingAttribute"].as_str().unwrap_or_default().to_string(),
        );
        targets.entry(key).or_default().push(r["ReferencedEntity"].as_str().unwrap_or_default().to_string());
    }
    for (table, list) in all {
        let idc = id_column(table);
        let mut t = Table::new(table, &format!("{table}s"), &idc, name_column(table), &["statecode"]);
        for ((tb, col), _) in targets.iter().filter(|((tb, _), _)| tb == table) {
            let _ = tb;
            t = t.lookup(col);
        }
        for r in list.as_array().into_iter().flatten() {
            let mut m = Map::new();
            m.insert(idc.clone(), r["id"].clone());
            m.insert("statecode".into(), json!(0));
            for (k, v) in r.as_object().into_iter().flatten() {
                if k == "id" {
                    continue;
                }
                if let Some(cands) = targets.get(&(table.clone(), k.clone())) {
                    let key = format!("_{k}_value");
                    if let Some(id) = v.as_str() {
                        if let Some(target) = cands.iter().find(|c| ids.get(c.as_str()).is_some_and(|s| s.contains(id)))
                        {
                            m.insert(format!("{key}@target"), json!(target));
                        }
                    }
                    m.insert(key, v.clone());
                } else {
                    t.attributes.insert(k.clone());
                    m.insert(k.clone(), v.clone());
                }
            }
            t.rows.push(m);
        }
        dv.add(t);
    }
}

fn standard(doc: &Value, dv: &mut Dataverse) {
    dv.add(Table::new("adx_website", "adx_websites", "adx_websiteid", Some("adx_name"), &[]));
    dv.push("adx_website", json!({"adx_websiteid": SITE_ID, "adx_name": "Generated Portal"}));
    dv.push("adx_website", json!({"adx_websiteid": OTHER_SITE_ID, "adx_name": "Other Portal"}));
    let site = |t: Table| t.lookup("adx_websiteid");
    dv.add(site(Table::new(
        "adx_webrole",
        "adx_webroles",
        "adx_webroleid",
        Some("adx_name"),
        &["adx_anonymoususersrole", "adx_authenticatedusersrole", "statecode"],
    )));
    dv.add(site(
        Table::new(
            "adx_entitypermission",
            "adx_entitypermissions",
            "adx_entitypermissionid",
            Some("adx_entityname"),
            &[
                "adx_entitylogicalname",
                "adx_scope",
                "adx_read",
                "adx_write",
                "adx_create",
                "adx_delete",
                "adx_append",
                "adx_appendto",
                "adx_parentrelationship",
                "adx_contactrelationship",
                "adx_accountrelationship",
                "statecode",
            ],
        )
        .lookup("adx_parententitypermission"),
    ));
    dv.add(site(Table::new(
        "adx_sitesetting",
        "adx_sitesettings",
        "adx_sitesettingid",
        Some("adx_name"),
        &["adx_value", "statecode"],
    )));
    dv.add(site(Table::new(
        "adx_columnpermissionprofile",
        "adx_columnpermissionprofiles",
        "adx_columnpermissionprofileid",
        Some("adx_name"),
        &["adx_tablename", "adx_allcolumnpermissions", "statecode"],
    )));
    dv.add(
        Table::new(
            "adx_columnpermission",
            "adx_columnpermissions",
            "adx_columnpermissionid",
            Some("adx_name"),
            &["adx_columnname", "adx_permissions", "statecode"],
        )
        .lookup("adx_columnpermissionprofileid"),
    );
    dv.add(site(Table::new(
        "adx_entitylist",
        "adx_entitylists",
        "adx_entitylistid",
        Some("adx_name"),
        &["adx_entityname", "adx_entitypermissionsenabled", "adx_odata_enabled", "statecode"],
    )));
    dv.add(site(Table::new(
        "adx_entityform",
        "adx_entityforms",
        "adx_entityformid",
        Some("adx_name"),
        &["adx_entityname", "adx_entitypermissionsenabled", "adx_mode", "statecode"],
    )));
    dv.add(site(Table::new("adx_webform", "adx_webforms", "adx_webformid", Some("adx_name"), &["statecode"])));
    dv.add(
        Table::new(
            "adx_webformstep",
            "adx_webformsteps",
            "adx_webformstepid",
            Some("adx_name"),
            &["adx_targetentitylogicalname", "adx_entitypermissionsenabled", "adx_mode", "statecode"],
        )
        .lookup("adx_webform"),
    );
    dv.add(site(
        Table::new(
            "adx_webpageaccesscontrolrule",
            "adx_webpageaccesscontrolrules",
            "adx_webpageaccesscontrolruleid",
            Some("adx_name"),
            &["adx_right", "adx_scope", "statecode"],
        )
        .lookup("adx_webpageid"),
    ));
    dv.add(Table::new(
        "adx_accesscontrolrule_publishingstate",
        "adx_accesscontrolrule_publishingstateset",
        "adx_accesscontrolrule_publishingstateid",
        None,
        &["adx_webpageaccesscontrolruleid", "adx_publishingstateid"],
    ));
    for (name, own) in [
        ("adx_entitypermission_webrole", "adx_entitypermissionid"),
        ("adx_webpageaccesscontrolrule_webrole", "adx_webpageaccesscontrolruleid"),
        ("adx_columnpermissionprofile_webrole", "adx_columnpermissionprofileid"),
    ] {
        dv.add(Table::new(name, &format!("{name}set"), &format!("{name}id"), None, &[own, "adx_webroleid"]));
    }
    dv.add(Table::new(
        "adx_webrole_contact",
        "adx_webrole_contactset",
        "adx_webrole_contactid",
        None,
        &["contactid", "adx_webroleid"],
    ));
    dv.add(Table::new(
        "adx_webrole_account",
        "adx_webrole_accountset",
        "adx_webrole_accountid",
        None,
        &["accountid", "adx_webroleid"],
    ));

    for r in doc["web_roles"].as_array().into_iter().flatten() {
        dv.push("adx_webrole", json!({"adx_webroleid": r["id"], "adx_name": r["name"], "adx_anonymoususersrole": r.get("anonymous_users").cloned().unwrap_or(json!(false)),
            "adx_authenticatedusersrole": r.get("authenticated_users").cloned().unwrap_or(json!(false)), "statecode": state(r), "_adx_websiteid_value": SITE_ID}));
    }
    dv.push("adx_webrole", json!({"adx_webroleid": "R-other-site", "adx_name": "Other site's role", "adx_anonymoususersrole": true, "adx_authenticatedusersrole": false, "statecode": 0, "_adx_websiteid_value": OTHER_SITE_ID}));
    let mut k = 0;
    for p in doc["table_permissions"].as_array().into_iter().flatten() {
        let privs: Vec<&str> = p["privileges"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let has = |x: &str| json!(privs.contains(&x));
        dv.push("adx_entitypermission", json!({"adx_entitypermissionid": p["id"], "adx_entityname": p["name"], "adx_entitylogicalname": p["table"], "adx_scope": scope_code(&p["scope"]),
            "adx_read": has("read"), "adx_write": has("write"), "adx_create": has("create"), "adx_delete": has("delete"), "adx_append": has("append"), "adx_appendto": has("append_to"),
            "_adx_parententitypermission_value": text(p, "parent"), "adx_parentrelationship": text(p, "parent_relationship"), "adx_contactrelationship": text(p, "contact_relationship"),
            "adx_accountrelationship": text(p, "account_relationship"), "statecode": state(p), "_adx_websiteid_value": SITE_ID}));
        for r in p["web_roles"].as_array().into_iter().flatten() {
            k += 1;
            dv.push("adx_entitypermission_webrole", json!({"adx_entitypermission_webroleid": format!("epw-{k}"), "adx_entitypermissionid": p["id"], "adx_webroleid": r}));
        }
    }
    dv.push("adx_entitypermission", json!({"adx_entitypermissionid": "TP-other-site", "adx_entityname": "Everything", "adx_entitylogicalname": "contact", "adx_scope": 756150000,
        "adx_read": true, "adx_write": true, "adx_create": true, "adx_delete": true, "adx_append": true, "adx_appendto": true, "statecode": 0, "_adx_websiteid_value": OTHER_SITE_ID}));
    dv.push("adx_entitypermission_webrole", json!({"adx_entitypermission_webroleid": "epw-other", "adx_entitypermissionid": "TP-other-site", "adx_webroleid": "R-other-site"}));
    for (i, s) in doc["site_settings"].as_array().into_iter().flatten().enumerate() {
        dv.push("adx_sitesetting", json!({"adx_sitesettingid": format!("SS-{i}"), "adx_name": s["name"], "adx_value": s["value"], "statecode": state(s), "_adx_websiteid_value": SITE_ID}));
    }
    dv.push("adx_sitesetting", json!({"adx_sitesettingid": "SS-secret", "adx_name": "Authentication/OpenIdConnect/Contoso/ClientSecret", "adx_value": SECRET, "statecode": 0, "_adx_websiteid_value": SITE_ID}));
    column_profiles(doc, dv);
    components(doc, dv);
    members(doc, dv, "adx_webrole_contact", "adx_webroleid", "adx_webrole_account");
    super::fake_surfaces::standard(doc, dv, SITE_ID);
}



/// Lists, basic forms, advanced form steps (under an advanced form) and page rules.
fn components(doc: &Value, dv: &mut Dataverse) {
    let flag = |c: &Value, k: &str| c.get(k).cloned().unwrap_or(json!(false));
    for c in doc["components"].as_array().into_iter().flatten() {
        let (id, name, table, st) = (&c["id"], &c["name"], &c["table"], state(c));
        match c["kind"].as_str() {
            Some("list") => dv.push("adx_entitylist", json!({"adx_entitylistid": id, "adx_name": name, "adx_entityname": table,
                "adx_entitypermissionsenabled": flag(c, "permissions_enabled"), "adx_odata_enabled": flag(c, "odata_enabled"), "statecode": st, "_adx_websiteid_value": SITE_ID})),
            Some("form") => dv.push("adx_entityform", json!({"adx_entityformid": id, "adx_name": name, "adx_entityname": table,
                "adx_entitypermissionsenabled": flag(c, "permissions_enabled"), "adx_mode": mode(&c["mode"]), "statecode": st, "_adx_websiteid_value": SITE_ID})),
            _ => {
                let form = format!("WF-{}", id.as_str().unwrap_or_default());
                dv.push("adx_webform", json!({"adx_webformid": form, "adx_name": name, "statecode": 0, "_adx_websiteid_value": SITE_ID}));
                dv.push("adx_webformstep", json!({"adx_webformstepid": id, "adx_name": name, "adx_targetentitylogicalname": table,
                    "adx_entitypermissionsenabled": flag(c, "permissions_enabled"), "adx_mode": mode(&c["mode"]), "statecode": st, "_adx_webform_value": form}));
            }
        }
    }
    let mut k = 0;
    for r in doc["page_rules"].as_array().into_iter().flatten() {
        let right = match r["right"].as_str() {
            Some("grant_change") => json!(1),
            _ => json!(2),
        };
        dv.push(
            "adx_webpageaccesscontrolrule",
            json!({"adx_webpageaccesscontrolruleid": r["id"], "adx_name": r["name"], "_adx_webpageid_value": r["page"],
            "adx_right": right, "adx_scope": rule_scope(r), "statecode": state(r), "_adx_websiteid_value": SITE_ID}),
        );
        for st in r["publishing_states"].as_array().into_iter().flatten() {
            k += 1;
            dv.push("adx_accesscontrolrule_publishingstate", json!({"adx_accesscontrolrule_publishingstateid": format!("wps-{k}"), "adx_webpageaccesscontrolruleid": r["id"], "adx_publishingstateid": st}));
        }
        for role in r["web_roles"].as_array().into_iter().flatten() {
            k += 1;
            dv.push("adx_webpageaccesscontrolrule_webrole", json!({"adx_webpageaccesscontrolrule_webroleid": format!("wpr-{k}"), "adx_webpageaccesscontrolruleid": r["id"], "adx_webroleid": role}));
        }
    }
}

fn privilege_codes(list: &Value) -> String {
    let code = |p: &str| match p {
        "create" => "746610000",
        "read" => "746610001",
        _ => "746610002",
    };
    list.as_array().into_iter().flatten().filter_map(Value::as_str).map(code).collect::<Vec<_>>().join(",")
}

fn column_profiles(doc: &Value, dv: &mut Dataverse) {
    let mut k = 0;
    for p in doc["column_permission_profiles"].as_array().into_iter().flatten() {
        dv.push("adx_columnpermissionprofile", json!({"adx_columnpermissionprofileid": p["id"], "adx_name": p["name"], "adx_tablename": p["table"],
            "adx_allcolumnpermissions": privilege_codes(&p["all_columns"]), "statecode": state(p), "_adx_websiteid_value": SITE_ID}));
        for r in p["web_roles"].as_array().into_iter().flatten() {
            k += 1;
            dv.push("adx_columnpermissionprofile_webrole", json!({"adx_columnpermissionprofile_webroleid": format!("cpw-{k}"), "adx_columnpermissionprofileid": p["id"], "adx_webroleid": r}));
        }
        for (col, privs) in p["columns"].as_object().into_iter().flatten() {
            k += 1;
            dv.push("adx_columnpermission", json!({"adx_columnpermissionid": format!("CP-{k}"), "adx_name": col, "adx_columnname": col, "adx_permissions": privilege_codes(privs),
                "_adx_columnpermissionprofileid_value": p["id"], "statecode": 0}));
        }
    }
}

fn members(doc: &Value, dv: &mut Dataverse, contacts: &str, role: &str, accounts: &str) {
    for (list, table, who) in [("contacts", contacts, "contactid"), ("accounts", accounts, "accountid")] {
        for (i, pair) in doc["role_members"][list].as_array().into_iter().flatten().enumerate() {
            dv.push(table, json!({format!("{table}id"): format!("{list}-{i}"), who: pair[0], role: pair[1]}));
        }
    }
    if let Some(first) = doc["rows"]["contact"].get(0).and_then(|c| c.get("id")) {
        dv.push(contacts, json!({format!("{contacts}id"): "m-other", "contactid": first, role: "R-other-site"}));
    }
}

/// The enhanced model: one `powerpagecomponent` per record, its fields as code-site JSON in `content`.
fn enhanced(doc: &Value, dv: &mut Dataverse) {
    dv.add(Table::new("powerpagesite", "powerpagesites", "powerpagesiteid", Some("name"), &[]));
    dv.push("powerpagesite", json!({"powerpagesiteid": SITE_ID, "name": "Generated Portal"}));
    dv.push("powerpagesite", json!({"powerpagesiteid": OTHER_SITE_ID, "name": "Other Portal"}));
    dv.add(
        Table::new(
            "powerpagecomponent",
            "powerpagecomponents",
            "powerpagecomponentid",
            Some("name"),
            &["powerpagecomponenttype", "content", "statecode"],
        )
        .lookup("powerpagesiteid"),
    );
    dv.add(Table::new(
        "powerpagecomponent_mspp_webrole_contact",
        "powerpagecomponent_mspp_webrole_contactset",
        "powerpagecomponent_mspp_webrole_contactid",
        None,
        &["contactid", "powerpagecomponentid"],
    ));
    dv.add(Table::new(
        "powerpagecomponent_mspp_webrole_account",
        "powerpagecomponent_mspp_webrole_accountset",
        "powerpagecomponent_mspp_webrole_accountid",
        None,
        &["accountid", "powerpagecomponentid"],
    ));
    let push = |dv: &mut Dataverse, id: &Value, name: &Value, kind: u64, content: Value, st: Value, site: &str| {
        dv.push("powerpagecomponent", json!({"powerpagecomponentid": id, "name": name, "powerpagecomponenttype": kind, "content": content.to_string(), "statecode": st, "_powerpagesiteid_value": site}));
    };
    for r in doc["web_roles"].as_array().into_iter().flatten() {
        let content = json!({"anonymoususersrole": r.get("anonymous_users").cloned().unwrap_or(json!(false)), "authenticatedusersrole": r.get("authenticated_users").cloned().unwrap_or(json!(false))});
        push(dv, &r["id"], &r["name"], 11, content, state(r), SITE_ID);
    }
    push(dv, &json!("R-other-site"), &json!("Other"), 11, json!({"anonymoususersrole": true}), json!(0), OTHER_SITE_ID);
    for p in doc["table_permissions"].as_array().into_iter().flatten() {
        let privs: Vec<&str> = p["privileges"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        let mut c = json!({"entityname": p["name"], "entitylogicalname": p["table"], "scope": scope_code(&p["scope"]),
            "adx_entitypermission_webrole": p.get("web_roles").cloned().unwrap_or(json!([]))});
        for (flag, name) in [
            ("read", "read"),
            ("write", "write"),
            ("create", "create"),
            ("delete", "delete"),
            ("append", "append"),
            ("appendto", "append_to"),
        ] {
            c[flag] = json!(privs.contains(&name));
        }
        for (k, native) in [
            ("parententitypermission", "parent"),
            ("parentrelationship", "parent_relationship"),
            ("contactrelationship", "contact_relationship"),
            ("accountrelationship", "account_relationship"),
        ] {
            if let Some(v) = p.get(native) {
                c[k] = v.clone();
            }
        }
        push(dv, &p["id"], &p["name"], 18, c, state(p), SITE_ID);
    }
    for (i, s) in doc["site_settings"].as_array().into_iter().flatten().enumerate() {
        push(dv, &json!(format!("SS-{i}")), &s["name"], 9, json!({"value": s["value"]}), state(s), SITE_ID);
    }
    push(
        dv,
        &json!("SS-secret"),
        &json!("Authentication/OpenIdConnect/Contoso/ClientSecret"),
        9,
        json!({"value": SECRET}),
        json!(0),
        SITE_ID,
    );
    members(
        doc,
        dv,
        "powerpagecomponent_mspp_webrole_contact",
        "powerpagecomponentid",
        "powerpagecomponent_mspp_webrole_account",
    );
    super::fake_surfaces::enhanced(doc, dv, SITE_ID);
}
