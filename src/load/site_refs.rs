//! Broken references in real downloads (tenant-format.md): in a folder
//! tenant, a permission whose parent id names no permission, and a role id
//! (on a permission, a column permission profile, a page rule or a
//! membership row) that names no web role, do not fail the load. The
//! reference is dropped here, before validation; a permission that lost
//! its parent is made inactive, so it and the permissions below it admit
//! nothing (S7). Each drop is listed for lint (PP025, PP026).

use super::raw::{Origin, RawTenant};
use super::site_record::{Dropped, DroppedKind};
use super::webapi::Locator;
use std::collections::HashSet;

/// Drops every broken reference of `raw` and lists them, in file order.
pub(super) fn drop_broken(raw: &mut RawTenant, locator: &mut Locator) -> Vec<Dropped> {
    let roles: HashSet<String> = raw.web_roles.iter().map(|r| r.id.clone()).collect();
    let perms: HashSet<String> = raw.table_permissions.iter().map(|p| p.id.clone()).collect();
    let mut out = Vec::new();
    for p in &mut raw.table_permissions {
        let holder = Holder { what: "table permission", id: &p.id, name: &p.name };
        drop_roles(&holder, &mut p.web_roles, &mut p.origin, &roles, &mut out);
        if let Some(parent) = p.parent.as_deref().filter(|x| !perms.contains(*x)) {
            let (file, line) = line_of(&p.origin, "parent");
            out.push(holder.dropped(DroppedKind::Parent, parent, file, line));
            p.dropped_parent = p.parent.take();
            p.active = false;
        }
    }
    for c in &mut raw.column_permission_profiles {
        let holder = Holder { what: "column permission profile", id: &c.id, name: &c.name };
        drop_roles(&holder, &mut c.web_roles, &mut c.origin, &roles, &mut out);
    }
    for r in &mut raw.page_rules {
        let holder = Holder { what: "page rule", id: &r.id, name: &r.name };
        drop_roles(&holder, &mut r.web_roles, &mut r.origin, &roles, &mut out);
    }
    for w in &mut raw.website_access {
        let holder = Holder { what: "website access permission", id: &w.id, name: &w.name };
        drop_roles(&holder, &mut w.web_roles, &mut w.origin, &roles, &mut out);
    }
    for l in &mut raw.server_logic {
        let holder = Holder { what: "server logic", id: &l.id, name: &l.name };
        drop_roles(&holder, &mut l.web_roles, &mut l.origin, &roles, &mut out);
    }
    for c in &mut raw.cloud_flows {
        let holder = Holder { what: "cloud flow consumer", id: &c.id, name: &c.name };
        drop_roles(&holder, &mut c.web_roles, &mut c.origin, &roles, &mut out);
    }
    for (contact, member, role, file, place) in locator.drop_members(raw, &roles) {
        let what = if contact { "contact" } else { "account" };
        let holder = Holder { what, id: &member, name: "" };
        let mut d = holder.dropped(DroppedKind::Role, &role, file, None);
        d.place = Some(place);
        out.push(d);
    }
    out
}

/// The record holding a reference.
struct Holder<'a> {
    what: &'static str,
    id: &'a str,
    name: &'a str,
}

impl Holder<'_> {
    fn dropped(&self, kind: DroppedKind, missing: &str, file: String, line: Option<usize>) -> Dropped {
        Dropped {
            kind,
            holder: self.what,
            id: self.id.to_string(),
            name: self.name.to_string(),
            missing: missing.to_string(),
            file,
            line,
            place: None,
        }
    }
}

/// The file and line of `field` of a record (its first line when the
/// field's own is not known).
fn line_of(origin: &Option<Origin>, field: &str) -> (String, Option<usize>) {
    match origin {
        Some(o) => (o.file.clone(), o.fields.iter().find(|f| f.0 == field).map(|f| f.1).or(o.line)),
        None => (String::new(), None),
    }
}

/// Drops the role ids of `list` that name no role, renumbering the
/// `web_roles[k]` lines of `origin` to match the list that remains.
fn drop_roles(holder: &Holder<'_>, list: &mut Vec<String>, origin: &mut Option<Origin>, roles: &HashSet<String>, out: &mut Vec<Dropped>) {
    if list.iter().all(|r| roles.contains(r)) {
        return;
    }
    let old = std::mem::take(list);
    let mut lines = Vec::new();
    for (k, r) in old.into_iter().enumerate() {
        let (file, line) = line_of(origin, &format!("web_roles[{k}]"));
        if roles.contains(&r) {
            list.push(r);
            lines.push(line);
        } else {
            out.push(holder.dropped(DroppedKind::Role, &r, file, line));
        }
    }
    if let Some(o) = origin {
        let key = o.fields.iter().find(|f| f.0.starts_with("web_roles[")).map(|f| f.2.clone()).unwrap_or_default();
        o.fields.retain(|f| !f.0.starts_with("web_roles["));
        for (k, line) in lines.into_iter().enumerate() {
            if let Some(line) = line {
                o.fields.push((format!("web_roles[{k}]"), line, key.clone()));
            }
        }
    }
}
