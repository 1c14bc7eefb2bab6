//! Lint findings of F&O data (lint.md PP030 to PP034, finance-operations.md):
//! a non-empty bypass, anonymous access to a virtual table, non-Global
//! permissions on virtual tables, administrator users, and contacts with
//! a web role on a virtual table but no F&O user. Returned as
//! `(id, subject, message)`; [`crate::answer::lint`] adds severity and order.

use crate::answer::query::Analysis;
use crate::engine::Visitor;
use crate::model::finance::Op;
use crate::model::{PermId, RowId, Scope};
use std::collections::{BTreeMap, BTreeSet};

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Every F&O finding of `a` (none without a `finance_operations` section).
pub fn findings(a: &Analysis) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    if a.grants.fo().is_none() {
        return out;
    }
    pp030_bypass(a, &mut out);
    pp031_anonymous(a, &mut out);
    pp032_not_global(a, &mut out);
    pp033_administrators(a, &mut out);
    pp034_no_mapping(a, &mut out);
    out
}

/// PP030: per virtual table, the contacts (and anonymous visitor) whose bypass has rows of it.
fn pp030_bypass(a: &Analysis, out: &mut Vec<(&'static str, String, String)>) {
    let (t, Some(fo)) = (&a.tenant, a.grants.fo()) else { return };
    let mut per_table: BTreeMap<String, (BTreeSet<Visitor>, BTreeSet<RowId>)> = BTreeMap::new();
    for (v, _) in fo.runners() {
        for x in a.bypass_rows(v, None) {
            let e = per_table.entry(t.tables[t.table_of(x) as usize].name.clone()).or_default();
            e.0.insert(v);
            e.1.insert(x);
        }
    }
    for (table, (vs, rows)) in per_table {
        let Some(tid) = t.table_id(&table) else { continue };
        let contacts = vs.iter().filter(|v| matches!(v, Visitor::Contact(_))).count();
        let anon = if vs.contains(&Visitor::Anonymous) { " (and the anonymous visitor)" } else { "" };
        let policies: Vec<&str> = (0..fo.fo.policies.len())
            .filter(|&p| fo.constrains(p, tid) && fo.fo.policies[p].enabled && fo.fo.policies[p].ops & Op::Read.bit() != 0)
            .map(|p| fo.fo.policies[p].id.as_str())
            .collect();
        let fix = if policies.is_empty() {
            format!("no enabled XDS policy constrains {table} for read: add one that ties its rows to the user the way the web roles tie them to the contact")
        } else {
            format!(
                "XDS policy {} constrains it but admits more than the web roles do (or does not apply to every user's roles)",
                policies.join(", ")
            )
        };
        let message = format!(
            "{}{anon} can read {} of virtual table {table} straight from the F&O data entity that web roles do not grant them; {fix}",
            plural(contacts, "contact", "contacts"),
            plural(rows.len(), "row", "rows"),
        );
        out.push(("PP030", table, message));
    }
}

/// PP031: the anonymous visitor's user may read a virtual table.
fn pp031_anonymous(a: &Analysis, out: &mut Vec<(&'static str, String, String)>) {
    let (t, Some(fo)) = (&a.tenant, a.grants.fo()) else { return };
    let Some(u) = fo.user_of(Visitor::Anonymous) else { return };
    for (tid, tb) in t.tables.iter().enumerate() {
        let tid = tid as u32;
        if !fo.is_virtual(tid) || !fo.may(u, tid, Op::Read) {
            continue;
        }
        let rows = fo.user_rows(t, u, Some(tid)).len();
        let message = format!(
            "the anonymous visitor runs as F&O user `{}`, which may read virtual table {} ({} directly): every anonymous visitor runs as that one user, so XDS cannot tell them apart",
            fo.fo.users[u as usize].id,
            tb.name,
            plural(rows, "row", "rows")
        );
        out.push(("PP031", tb.name.clone(), message));
    }
}

/// PP032: a permission on a virtual table that is not Global scope.
fn pp032_not_global(a: &Analysis, out: &mut Vec<(&'static str, String, String)>) {
    let (t, Some(fo)) = (&a.tenant, a.grants.fo()) else { return };
    for p in &t.permissions {
        if fo.is_virtual(p.table) && p.scope != Scope::Global {
            let message = format!(
                "permission \"{}\" ({}) on virtual table {} has {} scope: the virtual-entity integration expects Global and XDS policies to narrow rows",
                p.name,
                p.id,
                t.tables[p.table as usize].name,
                p.scope.name()
            );
            out.push(("PP032", p.id.clone(), message));
        }
    }
}

/// PP033: a user mapped to a contact, or the anonymous user, holding an administrator role.
fn pp033_administrators(a: &Analysis, out: &mut Vec<(&'static str, String, String)>) {
    let Some(fo) = a.grants.fo() else { return };
    let f = &fo.fo;
    for (u, user) in f.users.iter().enumerate() {
        let u = u as u32;
        if !fo.is_admin(u) {
            continue;
        }
        let contacts = f.mappings.iter().filter(|m| m.1 == u).count();
        let anon = f.anonymous_user == Some(u);
        if contacts == 0 && !anon {
            continue;
        }
        let roles: Vec<String> =
            user.roles.iter().map(|&r| &f.roles[r as usize]).filter(|r| r.administrator).map(|r| format!("\"{}\"", r.name)).collect();
        let whom = match (contacts, anon) {
            (0, _) => "the anonymous visitor".to_string(),
            (n, true) => format!("{} and the anonymous visitor", plural(n, "contact", "contacts")),
            (n, false) => plural(n, "contact", "contacts"),
        };
        let message = format!(
            "F&O user `{}`, which {whom} run as, holds administrator role {}: the integration refuses it, so every virtual-table request fails",
            user.id,
            roles.join(", ")
        );
        out.push(("PP033", user.id.clone(), message));
    }
}

/// PP034: contacts holding a permission on a virtual table with no F&O user mapping.
fn pp034_no_mapping(a: &Analysis, out: &mut Vec<(&'static str, String, String)>) {
    let (t, Some(fo)) = (&a.tenant, a.grants.fo()) else { return };
    let labels = crate::model::Names::new(t, false);
    for (n, p) in t.permissions.iter().enumerate() {
        if !fo.is_virtual(p.table) {
            continue;
        }
        let unmapped: Vec<RowId> = t
            .contacts()
            .filter(|&c| fo.fo.mapped_user(c).is_none() && a.grants.holds(t, Visitor::Contact(c), n as PermId))
            .collect();
        if unmapped.is_empty() {
            continue;
        }
        let root = &t.permissions[t.root_of(n as PermId) as usize];
        let roles: Vec<String> = root.roles.iter().map(|&r| format!("\"{}\"", t.roles[r as usize].name)).collect();
        let names: Vec<String> = unmapped.iter().take(5).map(|&c| format!("\"{}\"", labels.row(t, c))).collect();
        let message = format!(
            "{} ({}{}) hold web role {} with permission \"{}\" ({}) on virtual table {} but have no F&O user mapping: they can never read it",
            plural(unmapped.len(), "contact", "contacts"),
            names.join(", "),
            if unmapped.len() > 5 { ", ..." } else { "" },
            roles.join(", "),
            p.name,
            p.id,
            t.tables[p.table as usize].name
        );
        out.push(("PP034", p.id.clone(), message));
    }
}
