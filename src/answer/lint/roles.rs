//! PP024: web roles that are not what they seem: two active roles with one
//! name (the open-source runtime matched roles by name, so each brings the
//! other's permissions there), or more than one active role flagged as the
//! anonymous or the authenticated users role.

use super::context::{finding, named_with_id, origin_location, Cx};
use super::findings::Finding;
use crate::model::RoleId;
use std::collections::BTreeMap;

/// PP024 for the tenant's roles.
pub(super) fn pp024(cx: &Cx<'_>, out: &mut Vec<Finding>) {
    let t = cx.t;
    let active: Vec<RoleId> = (0..t.roles.len() as RoleId).filter(|&r| t.roles[r as usize].active).collect();
    let mut by_name: BTreeMap<String, Vec<RoleId>> = BTreeMap::new();
    for &r in &active {
        let name = t.roles[r as usize].name.trim().to_lowercase();
        if !name.is_empty() {
            by_name.entry(name).or_default().push(r);
        }
    }
    for same in by_name.values().filter(|v| v.len() > 1) {
        let held: Vec<String> = same.iter().map(|&r| plural_permissions(cx, r)).collect();
        let message = format!(
            "web roles {} have the same name: the open-source runtime matched roles by name, so there each brings the other's permissions ({})",
            list(cx, same),
            held.join(", ")
        );
        out.push(pp024_finding(cx, same, message));
    }
    let flagged = [
        ("anonymous", active.iter().copied().filter(|&r| t.roles[r as usize].anonymous).collect::<Vec<_>>()),
        ("authenticated", active.iter().copied().filter(|&r| t.roles[r as usize].authenticated && !t.roles[r as usize].anonymous).collect()),
    ];
    for (what, roles) in flagged.iter().filter(|(_, v)| v.len() > 1) {
        let who = if *what == "anonymous" { "every anonymous visitor holds all of them (S4)" } else { "every signed-in contact holds all of them (S3)" };
        let message = format!(
            "{} active web roles are flagged as the {what} users role ({}): {who}, and the runtime expects one, so a permission meant for one of them reaches every holder of the others",
            roles.len(),
            list(cx, roles)
        );
        out.push(pp024_finding(cx, roles, message));
    }
}

/// The finding about `roles`: its subject the smallest id, its location
/// the file of the last of them (the one that repeats).
fn pp024_finding(cx: &Cx<'_>, roles: &[RoleId], message: String) -> Finding {
    let t = cx.t;
    let subject = roles.iter().map(|&r| t.roles[r as usize].id.clone()).min().unwrap_or_default();
    let location = roles.last().and_then(|&r| t.raw.web_roles.get(r as usize)).and_then(|r| origin_location(&r.origin));
    finding("PP024", subject, message, location)
}

fn list(cx: &Cx<'_>, roles: &[RoleId]) -> String {
    let names: Vec<String> = roles.iter().map(|&r| &cx.t.roles[r as usize]).map(|r| named_with_id(&r.name, &r.id)).collect();
    names.join(", ")
}

/// How many roots list role `r`, as `` `Name` holds 3 permissions ``.
fn plural_permissions(cx: &Cx<'_>, r: RoleId) -> String {
    let t = cx.t;
    let n = t.permissions.iter().filter(|p| p.parent.is_none() && p.roles.contains(&r)).count();
    let role = &t.roles[r as usize];
    let name = if role.name.trim().is_empty() { role.id.as_str() } else { role.name.as_str() };
    format!("`{name}` (`{}`) is on {}", role.id, super::context::plural(n, "permission tree", "permission trees"))
}
