//! Broken references of a folder tenant (tenant-format.md, "Broken
//! references in real downloads"), dropped on load: a parent that does not
//! exist (PP025) and a role id that names no web role (PP026).

use super::context::{finding, ids, named, plural, Cx};
use super::findings::{Finding, Location};
use crate::load::site::{Dropped, DroppedKind, SiteReport};
use crate::model::{Privilege, Scope};

/// PP025 and PP026 for every reference the importer dropped.
pub(super) fn pp025_pp026(cx: &Cx<'_>, site: &SiteReport, out: &mut Vec<Finding>) {
    for d in &site.dropped {
        let location = (!d.file.is_empty()).then(|| Location { file: d.file.clone(), line: d.line });
        match d.kind {
            DroppedKind::Parent => out.push(finding("PP025", d.id.clone(), missing_parent(cx, d), location)),
            DroppedKind::Role => out.push(finding("PP026", d.id.clone(), missing_role(d), location)),
        }
    }
}

/// PP044 for every site record the importer could not read and dropped.
pub(super) fn pp044(cx: &Cx<'_>, out: &mut Vec<Finding>) {
    for u in &cx.t.raw.unreadable {
        let location = Location { file: u.file.clone(), line: u.line };
        let message = format!(
            "a site record in `{}` could not be read and was dropped ({}: {}); every answer on this site is incomplete until it is fixed",
            u.file, u.place, u.message
        );
        out.push(finding("PP044", format!("{}:{}", u.file, u.line.unwrap_or(0)), message, Some(location)));
    }
}

/// PP025: what a permission with a missing parent does here and did on
/// older runtimes.
fn missing_parent(cx: &Cx<'_>, d: &Dropped) -> String {
    let t = cx.t;
    let Some(n) = t.perm_id(&d.id) else {
        return format!("table permission {} names parent `{}`, which is not in this download", named(&d.name, &d.id), d.missing);
    };
    let p = &t.permissions[n as usize];
    let below = cx.descendants(n).len();
    let here = if below == 0 {
        "here it admits nothing, as an inactive permission would (S7)".to_string()
    } else {
        format!(
            "here it admits nothing, as an inactive permission would (S7), and neither do the {} below it",
            plural(below, "permission", "permissions")
        )
    };
    let roles: Vec<&str> = p.roles.iter().map(|&r| &t.roles[r as usize]).map(|r| if r.name.trim().is_empty() { r.id.as_str() } else { r.name.as_str() }).collect();
    let held = if roles.is_empty() { "held by nobody, as it lists no web roles".to_string() } else { format!("held by its own roles {}", ids(roles)) };
    let filter = if p.scope == Scope::Parent {
        let verbs: Vec<&str> = p.privileges.iter().filter(|&q| q != Privilege::Create).map(Privilege::name).collect();
        if verbs.is_empty() {
            ", and a Parent-scope root there filters nothing".to_string()
        } else {
            format!(", and a Parent-scope root there filters nothing: its holders could {} every row of `{}`", verbs.join(", "), cx.table(p.table))
        }
    } else {
        String::new()
    };
    format!(
        "table permission {} names parent `{}`, which is not in this download: {here}; older runtimes made it a root {held}{filter}",
        named(&p.name, &p.id),
        d.missing
    )
}

/// PP026: a role id that names no web role, on a record or a membership row.
fn missing_role(d: &Dropped) -> String {
    match d.holder {
        "contact" | "account" => format!(
            "{} `{}` is made a member of web role `{}`{}, which is not in this download: the membership is dropped, so it grants nothing here",
            d.holder,
            d.id,
            d.missing,
            d.place.as_ref().map(|p| format!(" (at `{p}`)")).unwrap_or_default()
        ),
        holder => format!(
            "{holder} {} lists web role `{}`, which is not in this download: the link is dropped, so visitors get nothing from it through that role",
            named(&d.name, &d.id),
            d.missing
        ),
    }
}
