//! Deterministic random tenants with a `finance_operations` section
//! (finance-operations.md), for the differential test of the F&O rules:
//! [`random_tenant`] plus vendors, purchase orders, order lines and a listed
//! virtual table (`cr_invoice`) as virtual tables, a vendor-user link table,
//! web-role permissions on them (Contact, Global and Parent scopes, held by
//! any role), F&O users mapped to some contacts (now and then an
//! administrator, or a contact mapped twice), an anonymous user or none,
//! entity privileges on some tables, and zero to two XDS policies with any
//! operations, roles, constrained tables and `constrain_primary`, some
//! disabled. Link rows name users, unknown users, or nothing.

use super::testkit::{random_tenant, Rng, Size};
use crate::load::finance::{RawConstrained, RawEntityPrivilege, RawFinance, RawFoRole, RawFoUser, RawUserLink, RawXdsPolicy};
use crate::load::raw::{RawPermission, RawRelationship, RawRow, RawTenant};
use serde_json::Value;

const VEND: &str = "mserp_vendvendorv2entity";
const PO: &str = "mserp_purchpurchaseorderheaderv2entity";
const LINE: &str = "mserp_purchpurchaseorderlinev2entity";
const VUSER: &str = "mserp_vendportaluser";
const INVOICE: &str = "cr_invoice";

/// `(name, referencing, lookup, referenced)`.
const RELS: &[(&str, &str, &str, &str)] = &[
    ("contact_mserp_vendor", "contact", "mserp_vendor", VEND),
    ("mserp_po_vendor", PO, "mserp_vendor", VEND),
    ("mserp_line_po", LINE, "mserp_po", PO),
    ("mserp_vuser_vendor", VUSER, "mserp_vendor", VEND),
    ("cr_invoice_po", INVOICE, "cr_po", PO),
];

/// `(table, path to the vendor)` of the tables a policy may constrain.
const PATHS: &[(&str, &[&str])] = &[
    (PO, &["mserp_po_vendor"]),
    (LINE, &["mserp_line_po", "mserp_po_vendor"]),
    (INVOICE, &["cr_invoice_po", "mserp_po_vendor"]),
];

const OPS: [&str; 5] = ["read", "create", "update", "delete", "all"];
const PRIVS: [&str; 6] = ["read", "write", "create", "delete", "append", "append_to"];

fn subset(rng: &mut Rng, items: &[&str], percent: u64) -> Vec<String> {
    items.iter().filter(|_| rng.chance(percent)).map(|s| s.to_string()).collect()
}

/// A random tenant of about `size` with an F&O section; same `(seed, size)`, same tenant.
pub fn random_fo_tenant(seed: u64, size: Size) -> RawTenant {
    let mut raw = random_tenant(seed, size);
    let mut rng = Rng(seed ^ 0xF0F0_5EED_1234);
    for &(name, referencing, lookup, referenced) in RELS {
        raw.relationships.push(RawRelationship {
            name: name.to_string(),
            referencing: Some(referencing.to_string()),
            lookup: Some(lookup.to_string()),
            referenced: Some(referenced.to_string()),
            ..RawRelationship::default()
        });
    }
    let nv = 2 + rng.below(3);
    let npo = 2 + rng.below(5);
    let nusers = 2 + rng.below(4);
    let user_ids: Vec<String> = (1..=nusers).map(|i| format!("u{i}")).collect();
    let pick_ref = |rng: &mut Rng, prefix: &str, n: usize| -> Value {
        match rng.below(10) {
            0 => Value::Null,
            1 => Value::String(format!("{prefix}{}", n + 5)),
            _ => Value::String(format!("{prefix}{}", 1 + rng.below(n))),
        }
    };
    let add = |raw: &mut RawTenant, table: &str, n: usize, cols: &[(&str, &str, usize)], rng: &mut Rng, prefix: &str| {
        let t = raw.table_mut(table);
        for i in 0..n {
            let mut fields = Vec::new();
            for &(col, p, m) in cols {
                let c = t.column(col);
                fields.push((c, pick_ref(rng, p, m)));
            }
            t.push(RawRow { id: format!("{prefix}{}", i + 1), fields });
        }
    };
    add(&mut raw, VEND, nv, &[], &mut rng, "V");
    add(&mut raw, PO, npo, &[("mserp_vendor", "V", nv)], &mut rng, "PO");
    let nline = 1 + rng.below(5);
    add(&mut raw, LINE, nline, &[("mserp_po", "PO", npo)], &mut rng, "L");
    let ninv = rng.below(4);
    add(&mut raw, INVOICE, ninv, &[("cr_po", "PO", npo)], &mut rng, "INV");
    let nvu = 1 + rng.below(5);
    add(&mut raw, VUSER, nvu, &[("mserp_vendor", "V", nv)], &mut rng, "VU");
    // The user column: a user, an unknown user, or null.
    if let Some(t) = raw.rows.0.iter_mut().find(|t| t.name == VUSER) {
        let t = std::sync::Arc::make_mut(t);
        let c = t.column("mserp_userid");
        t.edit_rows(|_, r| {
            let v = match rng.below(8) {
                0 => Value::String("nobody".into()),
                1 => Value::Null,
                _ => Value::String(user_ids[rng.below(nusers)].clone()),
            };
            r.fields.push((c, v));
            true
        });
    }
    // Contacts' vendor.
    let contact_ids: Vec<String> = raw.table("contact").map(|t| t.ids().to_vec()).unwrap_or_default();
    if let Some(t) = raw.rows.0.iter_mut().find(|t| t.name == "contact") {
        let t = std::sync::Arc::make_mut(t);
        let c = t.column("mserp_vendor");
        t.edit_rows(|_, r| {
            if rng.chance(80) {
                r.fields.push((c, Value::String(format!("V{}", 1 + rng.below(nv)))));
            }
            true
        });
    }
    // Web-role permissions on the virtual tables.
    let role_ids: Vec<String> = raw.web_roles.iter().map(|r| r.id.clone()).collect();
    let roles_of = |rng: &mut Rng| -> Vec<String> { role_ids.iter().filter(|_| rng.chance(40)).cloned().collect() };
    let vend_scope = if rng.chance(70) { "contact" } else { "global" };
    let mut perms = vec![RawPermission {
        id: "TPF-vend".into(),
        name: "My vendor".into(),
        table: VEND.into(),
        scope: Value::String(vend_scope.into()),
        contact_relationship: (vend_scope == "contact").then(|| "contact_mserp_vendor".to_string()),
        privileges: subset(&mut rng, &PRIVS, 60),
        web_roles: roles_of(&mut rng),
        ..RawPermission::default()
    }];
    let children = [("TPF-po", PO, "TPF-vend", "mserp_po_vendor"), ("TPF-line", LINE, "TPF-po", "mserp_line_po"), ("TPF-inv", INVOICE, "TPF-po", "cr_invoice_po")];
    for (id, table, parent, rel) in children {
        let global = rng.chance(20);
        perms.push(RawPermission {
            id: id.into(),
            name: format!("Permission {id}"),
            table: table.into(),
            scope: Value::String(if global { "global" } else { "parent" }.into()),
            parent: Some(parent.into()),
            parent_relationship: Some(rel.into()),
            privileges: subset(&mut rng, &PRIVS, 60),
            active: !rng.chance(8),
            ..RawPermission::default()
        });
    }
    if rng.chance(40) {
        perms.push(RawPermission {
            id: "TPF-all-po".into(),
            name: "Every order".into(),
            table: PO.into(),
            scope: Value::String("global".into()),
            privileges: subset(&mut rng, &PRIVS, 50),
            web_roles: roles_of(&mut rng),
            ..RawPermission::default()
        });
    }
    raw.table_permissions.extend(perms);

    // The section.
    let nroles = 1 + rng.below(3);
    let fo_roles: Vec<String> = (1..=nroles).map(|i| format!("FR{i}")).collect();
    let tables = [VEND, PO, LINE, INVOICE, "incident"];
    let roles: Vec<RawFoRole> = fo_roles
        .iter()
        .map(|id| RawFoRole {
            id: id.clone(),
            name: None,
            administrator: rng.chance(12),
            entity_privileges: {
                let mut eps = Vec::new();
                for t in tables {
                    if rng.chance(70) {
                        eps.push(RawEntityPrivilege { table: t.to_string(), privileges: subset(&mut rng, &OPS, 45) });
                    }
                }
                eps
            },
        })
        .collect();
    let users: Vec<RawFoUser> = user_ids
        .iter()
        .map(|id| RawFoUser { id: id.clone(), roles: fo_roles.iter().filter(|_| rng.chance(60)).cloned().collect() })
        .collect();
    let mut user_mappings = Vec::new();
    for c in &contact_ids {
        if rng.chance(65) {
            user_mappings.push((c.clone(), user_ids[rng.below(nusers)].clone()));
        }
        if rng.chance(5) {
            user_mappings.push((c.clone(), user_ids[rng.below(nusers)].clone()));
        }
    }
    let mut xds_policies = Vec::new();
    for i in 0..rng.below(3) {
        xds_policies.push(RawXdsPolicy {
            id: format!("XDS{}", i + 1),
            primary_table: VEND.into(),
            user_link: RawUserLink { table: VUSER.into(), user_column: "mserp_userid".into(), relationship: "mserp_vuser_vendor".into() },
            constrain_primary: rng.chance(50),
            constrained_tables: PATHS
                .iter()
                .filter(|_| rng.chance(60))
                .map(|(t, p)| RawConstrained { table: t.to_string(), path: p.iter().map(|s| s.to_string()).collect() })
                .collect(),
            roles: fo_roles.iter().filter(|_| rng.chance(70)).cloned().collect(),
            operations: subset(&mut rng, &OPS, 50),
            enabled: !rng.chance(15),
        });
    }
    raw.finance_operations = Some(RawFinance {
        virtual_tables: if rng.chance(70) { vec![INVOICE.to_string()] } else { Vec::new() },
        anonymous_user: rng.chance(40).then(|| user_ids[rng.below(nusers)].clone()),
        user_mappings,
        users,
        roles,
        xds_policies,
    });
    raw
}
