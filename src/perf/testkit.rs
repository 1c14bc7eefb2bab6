//! Deterministic random tenants, for differential tests, what-if tests and
//! benchmarks.
//!
//! [`random_tenant`] turns a seed and a [`Size`] into a [`RawTenant`] that
//! [`crate::model::Tenant::build`] always accepts. The same seed and size
//! give the same tenant on every platform and every run (the generator is a
//! splitmix64 stream written here, with no dependency whose output could
//! change between versions).
//!
//! The tenants are small but dense in the situations the rules
//! (`semantics.md`) distinguish:
//!
//! - every scope (Global, Contact, Account, Self on `contact` and on other
//!   tables, Parent, Custom), Dataverse scope codes as well as names;
//! - permission trees with Parent chains of depth 1 to 4, Global children
//!   under narrow parents, children with a non-Parent scope, children that
//!   list roles of their own (ignored, S6), roots with no roles, inactive
//!   permissions at any depth (S7), ids whose string order differs from
//!   their creation order (`TP10` sorts before `TP2`), listed out of order;
//! - web roles flagged anonymous, authenticated, both, or neither, some
//!   inactive; contact and account memberships (also in anonymous roles);
//! - contacts under an account, under another contact (or themselves), or
//!   under nothing (S1); accounts under accounts (self-referential 1:N, S21);
//! - polymorphic lookups (`incident.customerid` to contact or account,
//!   `activitypointer.regardingobjectid` to three tables, a custom
//!   `cr_task.regardingid`, S23), dangling and null lookups (S24);
//! - N:N relationships with associations, one of them a self N:N
//!   (`cr_project_related`) and one declared in reverse table order (S22);
//! - custom tables with declared relationships, a table that has
//!   permissions but no rows, and permissions naming relationships that do
//!   not join the tables they need (S20: admit nothing).

use std::sync::Arc;
use crate::load::raw::{RawPermission, RawRelationship, RawRole, RawRow, RawTenant};
use serde_json::Value;

/// How big a random tenant is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Number of contacts (exact).
    pub contacts: usize,
    /// Number of accounts (exact).
    pub accounts: usize,
    /// Rows of every other table: between half of this and this many.
    pub rows_per_table: usize,
    /// Number of table permissions (exact).
    pub permissions: usize,
}

impl Size {
    /// A size that keeps every (visitor, row, privilege) check of a tenant
    /// well under a millisecond: 6 contacts, 3 accounts, up to 4 rows per
    /// other table, 12 permissions.
    pub fn small() -> Size {
        Size { contacts: 6, accounts: 3, rows_per_table: 4, permissions: 12 }
    }

    /// A few times bigger than [`Size::small`]: 40 contacts, 12 accounts,
    /// up to 20 rows per other table, 30 permissions.
    pub fn medium() -> Size {
        Size { contacts: 40, accounts: 12, rows_per_table: 20, permissions: 30 }
    }
}

/// splitmix64: tiny, seedable, and stable forever. Shared by the test
/// generators so that a seed means the same tenant everywhere.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
    /// One item, uniformly (`None` when empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }
    /// Shuffles in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// A table of the generated tenants: name and row id prefix. The prefixes
/// never make one id name rows of two tables, so no lookup is ambiguous.
const TABLES: &[(&str, &str)] = &[
    ("contact", "C"),
    ("account", "A"),
    ("incident", "I"),
    ("annotation", "N"),
    ("adx_portalcomment", "PC"),
    ("activitypointer", "AP"),
    ("cr_project", "PR"),
    ("cr_task", "T"),
    ("product", "P"),
];

/// A table that permissions name but no row and no relationship does.
const EMPTY_TABLE: &str = "cr_empty";

/// Relationships the generated tenants declare (on top of the catalogue):
/// `(name, referencing, lookup, referenced)`; `lookup` empty for N:N, whose
/// tables are then `(referencing, referenced)` in declaration order.
const DECLARED: &[(&str, &str, &str, &str)] = &[
    ("cr_project_account", "cr_project", "accountid", "account"),
    ("cr_project_owner", "cr_project", "ownerid", "contact"),
    ("cr_task_project", "cr_task", "projectid", "cr_project"),
    ("cr_task_parent", "cr_task", "parenttaskid", "cr_task"),
    ("cr_task_incident", "cr_task", "regardingid", "incident"),
    ("cr_task_account", "cr_task", "regardingid", "account"),
    ("contact_products", "contact", "", "product"),
    ("product_accounts", "product", "", "account"),
    ("cr_project_related", "cr_project", "", "cr_project"),
    ("cr_project_incidents", "cr_project", "", "incident"),
];

/// Every relationship a generated tenant can use: the catalogue entries on
/// its tables and the declared ones, as `(name, table, table)`.
const USABLE: &[(&str, &str, &str)] = &[
    ("contact_customer_accounts", "contact", "account"),
    ("contact_customer_contacts", "contact", "contact"),
    ("account_parent_account", "account", "account"),
    ("account_primary_contact", "account", "contact"),
    ("incident_customer_accounts", "incident", "account"),
    ("incident_customer_contacts", "incident", "contact"),
    ("contact_as_primary_contact", "incident", "contact"),
    ("Incident_Annotation", "annotation", "incident"),
    ("incident_adx_portalcomments", "adx_portalcomment", "incident"),
    ("adx_portalcomment_Annotations", "annotation", "adx_portalcomment"),
    ("Incident_ActivityPointers", "activitypointer", "incident"),
    ("Account_ActivityPointers", "activitypointer", "account"),
    ("Contact_ActivityPointers", "activitypointer", "contact"),
    ("cr_project_account", "cr_project", "account"),
    ("cr_project_owner", "cr_project", "contact"),
    ("cr_task_project", "cr_task", "cr_project"),
    ("cr_task_parent", "cr_task", "cr_task"),
    ("cr_task_incident", "cr_task", "incident"),
    ("cr_task_account", "cr_task", "account"),
    ("contact_products", "contact", "product"),
    ("product_accounts", "product", "account"),
    ("cr_project_related", "cr_project", "cr_project"),
    ("cr_project_incidents", "cr_project", "incident"),
];

/// Lookup columns of the generated rows: `(table, column, target tables)`.
const LOOKUPS: &[(&str, &str, &[&str])] = &[
    ("contact", "parentcustomerid", &["account", "account", "contact"]),
    ("account", "parentaccountid", &["account"]),
    ("account", "primarycontactid", &["contact"]),
    ("incident", "customerid", &["contact", "account"]),
    ("incident", "primarycontactid", &["contact"]),
    ("annotation", "objectid", &["incident", "adx_portalcomment"]),
    ("adx_portalcomment", "regardingobjectid", &["incident"]),
    ("activitypointer", "regardingobjectid", &["incident", "account", "contact"]),
    ("cr_project", "accountid", &["account"]),
    ("cr_project", "ownerid", &["contact"]),
    ("cr_task", "projectid", &["cr_project"]),
    ("cr_task", "parenttaskid", &["cr_task"]),
    ("cr_task", "regardingid", &["incident", "account"]),
];

/// Dataverse scope codes (tenant-format.md), used now and then instead of names.
fn scope_code(scope: &str) -> Option<u64> {
    match scope {
        "global" => Some(756150000),
        "contact" => Some(756150001),
        "account" => Some(756150002),
        "parent" => Some(756150003),
        "self" => Some(756150004),
        _ => None,
    }
}

const PRIVILEGES: [&str; 6] = ["read", "write", "create", "delete", "append", "append_to"];

/// A deterministic random tenant of about `size` that
/// [`crate::model::Tenant::build`] accepts; see the module documentation
/// for what it covers. The same `(seed, size)` always gives the same tenant.
pub fn random_tenant(seed: u64, size: Size) -> RawTenant {
    let mut rng = Rng(seed ^ 0x5EED_0FAC_CE55);
    let mut raw = RawTenant::new();

    for &(name, referencing, lookup, referenced) in DECLARED {
        let rel = if lookup.is_empty() {
            RawRelationship {
                name: name.to_string(),
                kind: Some("many_to_many".to_string()),
                tables: Some(vec![referencing.to_string(), referenced.to_string()]),
                ..RawRelationship::default()
            }
        } else {
            RawRelationship {
                name: name.to_string(),
                kind: if rng.chance(50) { Some("one_to_many".to_string()) } else { None },
                referencing: Some(referencing.to_string()),
                lookup: Some(lookup.to_string()),
                referenced: Some(referenced.to_string()),
                ..RawRelationship::default()
            }
        };
        raw.relationships.push(rel);
    }

    // Row counts, then ids.
    let counts: Vec<usize> = TABLES
        .iter()
        .map(|&(name, _)| match name {
            "contact" => size.contacts,
            "account" => size.accounts,
            _ => size.rows_per_table / 2 + rng.below(size.rows_per_table - size.rows_per_table / 2 + 1),
        })
        .collect();
    let ids = |table: &str, i: usize| -> String {
        let prefix = TABLES.iter().find(|(n, _)| *n == table).map(|(_, p)| *p).unwrap_or("X");
        format!("{prefix}{}", i + 1)
    };
    let count = |table: &str| -> usize { TABLES.iter().position(|(n, _)| *n == table).map(|i| counts[i]).unwrap_or(0) };

    // Rows with their lookups: mostly a row of a target table, sometimes
    // null, absent, dangling, or the id of a row of a table that is no target.
    let mut dangling_no = 0usize;
    for (ti, &(table, _)) in TABLES.iter().enumerate() {
        let t = raw.table_mut(table);
        for i in 0..counts[ti] {
            let mut fields = Vec::new();
            if rng.chance(30) {
                let c = t.column("name");
                fields.push((c, Value::String(format!("{table} {}", i + 1))));
            }
            for &(lt, column, targets) in LOOKUPS {
                if lt != table {
                    continue;
                }
                let roll = rng.below(100);
                let value = if roll < 62 {
                    let target = rng.pick(targets).copied().unwrap_or("contact");
                    let n = count(target);
                    if n == 0 {
                        dangling_no += 1;
                        Some(Value::String(format!("X{dangling_no}")))
                    } else {
                        Some(Value::String(ids(target, rng.below(n))))
                    }
                } else if roll < 74 {
                    Some(Value::Null)
                } else if roll < 86 {
                    None
                } else if roll < 93 {
                    dangling_no += 1;
                    Some(Value::String(format!("X{dangling_no}")))
                } else {
                    // An id that exists, but in a table the lookup cannot reach.
                    Some(Value::String(ids("product", 0)))
                };
                if let Some(v) = value {
                    let c = t.column(column);
                    fields.push((c, v));
                }
            }
            // Column order varies between rows.
            rng.shuffle(&mut fields);
            t.push(RawRow { id: ids(table, i), fields });
        }
    }

    // Associations, with now and then a pair naming no row (S24).
    for &(name, a, lookup, b) in DECLARED {
        if !lookup.is_empty() {
            continue;
        }
        let (na, nb) = (count(a), count(b));
        let mut pairs = Vec::new();
        let n = rng.below(2 * (na.max(nb)) + 1);
        for _ in 0..n {
            let x = if na == 0 || rng.chance(5) { "X0".to_string() } else { ids(a, rng.below(na)) };
            let y = if nb == 0 || rng.chance(5) { "X0".to_string() } else { ids(b, rng.below(nb)) };
            pairs.push(Value::Array(vec![Value::String(x), Value::String(y)]));
        }
        if !pairs.is_empty() || rng.chance(50) {
            std::sync::Arc::make_mut(&mut raw.associations).insert(name.to_string(), Value::Array(pairs));
        }
    }

    // Web roles.
    let nroles = 3 + size.permissions / 3;
    let mut role_ids: Vec<String> = (0..nroles).map(|i| format!("R{}", i + 1)).collect();
    for id in &role_ids {
        let anonymous_users = rng.chance(22);
        let authenticated_users = rng.chance(22);
        raw.web_roles.push(RawRole {
            id: id.clone(),
            name: format!("Role {id}"),
            anonymous_users,
            authenticated_users,
            active: !rng.chance(12),
            origin: None,
        });
    }
    rng.shuffle(&mut raw.web_roles);
    rng.shuffle(&mut role_ids);

    // Memberships, also in roles a signed-in contact cannot hold (S3).
    for i in 0..size.contacts {
        for _ in 0..rng.below(3) {
            if let Some(r) = rng.pick(&role_ids) {
                Arc::make_mut(&mut raw.role_members).contacts.push((ids("contact", i), r.clone()));
            }
        }
    }
    for i in 0..size.accounts {
        if rng.chance(45) {
            if let Some(r) = rng.pick(&role_ids) {
                Arc::make_mut(&mut raw.role_members).accounts.push((ids("account", i), r.clone()));
            }
        }
    }

    // Permission forest: parent index < child index, so no cycle; listed
    // shuffled, with ids numbered in a third order.
    let mut numbers: Vec<usize> = (1..=size.permissions).collect();
    rng.shuffle(&mut numbers);
    let perm_id = |i: usize| format!("TP{}", numbers[i]);
    let mut perms: Vec<RawPermission> = Vec::with_capacity(size.permissions);
    let mut depth: Vec<usize> = Vec::with_capacity(size.permissions);
    let table_names: Vec<&str> = TABLES.iter().map(|(n, _)| *n).collect();
    let rel_names: Vec<&str> = USABLE.iter().map(|(n, _, _)| *n).collect();
    let joining = |t: &str, u: &str| -> Vec<&'static str> {
        USABLE.iter().filter(|(_, a, b)| (*a == t && *b == u) || (*a == u && *b == t)).map(|(n, _, _)| *n).collect()
    };
    for i in 0..size.permissions {
        let parent = if i == 0 || rng.chance(35) {
            None
        } else {
            let open: Vec<usize> = (0..i).filter(|&j| depth[j] < 4).collect();
            rng.pick(&open).copied()
        };
        depth.push(parent.map(|j| depth[j] + 1).unwrap_or(0));
        let parent_table: Option<String> = parent.map(|j| perms[j].table.clone());

        // The table: for a child, mostly one its parent's table joins.
        let mut parent_rel: Option<&str> = None;
        let table: String = match &parent_table {
            Some(pt) if rng.chance(75) => {
                let options: Vec<(&str, &str)> = USABLE
                    .iter()
                    .filter_map(|&(n, a, b)| {
                        if a == pt {
                            Some((n, b))
                        } else if b == pt {
                            Some((n, a))
                        } else {
                            None
                        }
                    })
                    .collect();
                match rng.pick(&options) {
                    Some(&(n, other)) => {
                        parent_rel = Some(n);
                        other.to_string()
                    }
                    None => rng.pick(&table_names).copied().unwrap_or("contact").to_string(),
                }
            }
            _ if rng.chance(4) => EMPTY_TABLE.to_string(),
            _ => rng.pick(&table_names).copied().unwrap_or("contact").to_string(),
        };

        let scope: &str = if parent.is_some() && rng.chance(70) {
            "parent"
        } else {
            match rng.below(100) {
                0..=21 => "global",
                22..=49 => "contact",
                50..=71 => "account",
                72..=89 => "self",
                _ => "custom",
            }
        };
        // Self scope sits mostly on `contact`, where it means something.
        let table = if scope == "self" && parent.is_none() && rng.chance(60) { "contact".to_string() } else { table };

        let mut p = RawPermission {
            id: perm_id(i),
            name: format!("Permission {}", i + 1),
            table: table.clone(),
            scope: Value::String(scope.to_string()),
            active: !rng.chance(10),
            ..RawPermission::default()
        };
        if let Some(code) = scope_code(scope) {
            if rng.chance(10) {
                p.scope = Value::from(code);
            }
        }
        // A relationship that joins the tables the scope needs, or now and
        // then any relationship (S20: then it admits nothing).
        let rel_for = |rng: &mut Rng, other: &str, preferred: Option<&str>| -> String {
            let good = joining(&table, other);
            let choice = if rng.chance(85) { preferred.or_else(|| rng.pick(&good).copied()) } else { None };
            choice.or_else(|| rng.pick(&rel_names).copied()).unwrap_or("contact_customer_accounts").to_string()
        };
        match scope {
            "contact" => p.contact_relationship = Some(rel_for(&mut rng, "contact", None)),
            "account" => p.account_relationship = Some(rel_for(&mut rng, "account", None)),
            "parent" => {
                let pt = parent_table.clone().unwrap_or_default();
                p.parent_relationship = Some(rel_for(&mut rng, &pt, parent_rel));
            }
            _ => {}
        }
        // Fields the scope ignores.
        if scope != "parent" && rng.chance(8) {
            p.parent_relationship = rng.pick(&rel_names).map(|s| s.to_string());
        }
        p.parent = parent.map(&perm_id);
        for pr in PRIVILEGES {
            if rng.chance(50) {
                p.privileges.push(pr.to_string());
            }
        }
        // Roots: zero to three roles; children now and then list roles (S6).
        let nroles = if parent.is_none() {
            if rng.chance(15) {
                0
            } else {
                1 + rng.below(3)
            }
        } else if rng.chance(20) {
            1
        } else {
            0
        };
        for _ in 0..nroles {
            if let Some(r) = rng.pick(&role_ids) {
                if !p.web_roles.contains(r) {
                    p.web_roles.push(r.clone());
                }
            }
        }
        perms.push(p);
    }
    rng.shuffle(&mut perms);
    raw.table_permissions = perms;
    raw
}

/// Adds random channel configuration (channels.md) to a tenant made by
/// [`random_tenant`]: Web API settings on some tables (enabled or not, in
/// any case, field lists with `*`, unknown columns, spaces, duplicates
/// where the last one wins, inactive ones), registration settings, and
/// column permission profiles linked to random roles (codes as well as
/// names, `all_columns`, columns listed with no privilege, inactive ones).
/// The same seed always gives the same settings.
pub fn random_channels(seed: u64, raw: &mut RawTenant) {
    use crate::load::raw::{RawColumnProfile, RawSetting};
    let mut rng = Rng(seed ^ 0xC4A7_7E15);
    let tables: Vec<String> = TABLES
        .iter()
        .map(|(n, _)| n.to_string())
        .chain([EMPTY_TABLE.to_string()])
        .filter(|t| raw.table(t).is_some() || raw.table_permissions.iter().any(|p| &p.table == t))
        .collect();
    let columns_of = |raw: &RawTenant, t: &str| -> Vec<String> {
        let mut c: Vec<String> = raw.table(t).map(|x| x.columns.clone()).unwrap_or_default();
        c.push(format!("{t}id"));
        c.push("secret".to_string());
        c
    };
    let setting = |name: String, value: String, active: bool| RawSetting { name, value, active, origin: None };
    let mut settings = Vec::new();
    for t in &tables {
        if !rng.chance(60) {
            continue;
        }
        let shown = if rng.chance(25) { t.to_uppercase() } else { t.clone() };
        let value = match rng.below(5) {
            0 => "false",
            1 => " True ",
            2 => "yes",
            _ => "true",
        };
        settings.push(setting(format!("Webapi/{shown}/enabled"), value.to_string(), !rng.chance(10)));
        if rng.chance(85) {
            let cols = columns_of(raw, t);
            let value = if rng.chance(25) {
                "*".to_string()
            } else {
                let mut pick: Vec<String> = cols.iter().filter(|_| rng.chance(50)).map(|c| c.to_uppercase()).collect();
                if rng.chance(20) {
                    pick.push("nosuchcolumn".to_string());
                }
                pick.join(if rng.chance(50) { ", " } else { "," })
            };
            settings.push(setting(format!("webapi/{t}/fields"), value, true));
        }
        if rng.chance(10) {
            settings.push(setting(format!("Webapi/{t}/enabled"), "true".to_string(), true));
        }
    }
    match rng.below(6) {
        0 => settings.push(setting("Authentication/Registration/Enabled".to_string(), "false".to_string(), true)),
        1 => settings.push(setting("Authentication/Registration/OpenRegistrationEnabled".to_string(), " FALSE".to_string(), true)),
        2 => settings.push(setting("Authentication/Registration/Enabled".to_string(), "false".to_string(), false)),
        _ => {}
    }
    rng.shuffle(&mut settings);
    raw.site_settings = settings;
    let roles: Vec<String> = raw.web_roles.iter().map(|r| r.id.clone()).collect();
    let privilege = |rng: &mut Rng| -> Value {
        let q = rng.below(3);
        if rng.chance(30) {
            Value::from(746610000u64 + q as u64)
        } else {
            Value::from(["create", "read", "update"][q])
        }
    };
    let mut profiles = Vec::new();
    for i in 0..rng.below(5) {
        let Some(t) = rng.pick(&tables).cloned() else { break };
        let mut p = RawColumnProfile {
            id: format!("CPP{}", i + 1),
            name: format!("profile {}", i + 1),
            table: t.clone(),
            active: !rng.chance(10),
            ..RawColumnProfile::default()
        };
        for _ in 0..rng.below(3) {
            if let Some(r) = rng.pick(&roles) {
                if !p.web_roles.contains(r) {
                    p.web_roles.push(r.clone());
                }
            }
        }
        for _ in 0..rng.below(3) {
            p.all_columns.push(privilege(&mut rng));
        }
        for c in columns_of(raw, &t) {
            if rng.chance(40) {
                let list: Vec<Value> = (0..rng.below(3)).map(|_| privilege(&mut rng)).collect();
                p.columns.insert(c.to_lowercase(), Value::Array(list));
            }
        }
        profiles.push(p);
    }
    raw.column_permission_profiles = profiles;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::model::{Scope, Tenant};

    #[test]
    fn random_tenants_always_build() {
        for seed in 0..300 {
            for size in
                [Size::small(), Size { contacts: 0, accounts: 0, rows_per_table: 0, permissions: 0 }, Size::medium()]
            {
                let raw = random_tenant(seed, size);
                if let Err(e) = Tenant::build(raw, "random") {
                    panic!("seed {seed} size {size:?}: {e}");
                }
            }
        }
    }

    #[test]
    fn random_tenant_is_deterministic() {
        for seed in [0, 1, 42, u64::MAX] {
            assert_eq!(random_tenant(seed, Size::small()), random_tenant(seed, Size::small()));
        }
        assert_ne!(random_tenant(1, Size::small()), random_tenant(2, Size::small()));
    }

    #[test]
    fn random_tenants_cover_the_situations() {
        let mut scopes = std::collections::HashSet::new();
        let (mut deep, mut global_child, mut self_off_contact, mut both_flags, mut dangling, mut to_contact_parent) =
            (false, false, false, false, false, false);
        for seed in 0..200 {
            let t = Tenant::build(random_tenant(seed, Size::small()), "random").unwrap();
            for (n, p) in t.permissions.iter().enumerate() {
                scopes.insert(p.scope);
                let mut d = 0;
                let mut cur = p.parent;
                while let Some(m) = cur {
                    d += 1;
                    cur = t.permissions[m as usize].parent;
                }
                deep |= d >= 4;
                global_child |= p.scope == Scope::Global && p.parent.is_some();
                self_off_contact |= p.scope == Scope::SelfScope && p.table != t.contact_table;
                let _ = n;
            }
            both_flags |= t.roles.iter().any(|r| r.anonymous && r.authenticated);
            dangling |= !t.dangling.is_empty();
            to_contact_parent |= t.contacts().any(|c| t.account_of(c).is_none())
                && t.links.iter().any(|&(r, _, _)| t.relationships[r as usize].name == "contact_customer_contacts");
        }
        assert_eq!(scopes.len(), 6, "{scopes:?}");
        assert!(deep && global_child && self_off_contact && both_flags && dangling && to_contact_parent);
    }
}

