//! Findings about the shape of a permission tree: Global below a narrower
//! parent (PP003), roles on a child (PP004), a root without roles (PP005),
//! inactive parents of active children (PP010).

use super::context::{ids, plural, Cx, Finds, Subject};
use crate::model::{RoleId, Scope};

/// PP003: Global below a narrower parent (S9).
pub(super) fn pp003(cx: &Cx<'_>, s: &Subject<'_>, out: &mut Finds) {
    let Subject { n, p, table, .. } = *s;
    let t = cx.t;
    if let (Scope::Global, Some(m)) = (p.scope, p.parent) {
        let parent = &t.permissions[m as usize];
        if parent.scope != Scope::Global {
            out.list.push(cx.finding(
                "PP003",
                n,
                format!(
                    "`{}` is Global below `{}` ({} scope), so it admits every row of `{table}` ({}) whatever `{}` admits (S9)",
                    cx.label(p),
                    cx.label(parent),
                    parent.scope.name(),
                    cx.rows_phrase(cx.global_rows(n)),
                    cx.label(parent)
                ),
            ));
        }
    }
}

/// PP004: roles on a child are ignored (S6).
pub(super) fn pp004(cx: &Cx<'_>, s: &Subject<'_>, out: &mut Finds) {
    let Subject { n, p, root, .. } = *s;
    let t = cx.t;
    if p.parent.is_some() && !p.roles.is_empty() {
        let root_p = &t.permissions[root as usize];
        let lacking: Vec<RoleId> = p.roles.iter().copied().filter(|r| !root_p.roles.contains(r)).collect();
        let message = if lacking.is_empty() {
            format!(
                "child permission `{}` lists web roles {}, which are ignored (S6): only the roles of its root `{}` decide who holds it, and the root lists them all",
                cx.label(p),
                cx.role_names(&p.roles),
                cx.label(root_p)
            )
        } else {
            format!(
                "child permission `{}` lists web roles {}, which are ignored (S6): only the roles of its root `{}` decide who holds it, and the root lacks {}, so visitors holding only {} get nothing from `{}`",
                cx.label(p),
                cx.role_names(&p.roles),
                cx.label(root_p),
                cx.role_names(&lacking),
                if lacking.len() == 1 { "that role" } else { "those roles" },
                cx.label(p)
            )
        };
        out.list.push(cx.finding("PP004", n, message));
    }
}

/// PP005: a root with no roles.
pub(super) fn pp005(cx: &Cx<'_>, s: &Subject<'_>, out: &mut Finds) {
    let Subject { n, p, .. } = *s;
    if p.parent.is_none() && p.roles.is_empty() {
        let below = cx.descendants(n).len();
        let what = if below == 0 {
            "it grants nothing".to_string()
        } else {
            format!("it and {} below it grant nothing", plural(below, "child permission", "child permissions"))
        };
        out.list.push(cx.finding(
            "PP005",
            n,
            format!("root permission `{}` lists no web roles, so nobody holds its tree: {what}", cx.label(p)),
        ));
        out.explained.insert(n);
    }
}

/// PP010: an inactive permission with active children (S7).
pub(super) fn pp010(cx: &Cx<'_>, s: &Subject<'_>, out: &mut Finds) {
    let Subject { n, p, .. } = *s;
    let (t, i) = (cx.t, n as usize);
    let active: Vec<&str> =
        cx.children[i].iter().filter(|&&c| t.permissions[c as usize].active).map(|&c| cx.label(&t.permissions[c as usize])).collect();
    if !active.is_empty() {
        out.list.push(cx.finding(
            "PP010",
            n,
            format!(
                "`{}` is inactive, so its active child permission{} {} grant{} nothing (S7)",
                cx.label(p),
                if active.len() == 1 { "" } else { "s" },
                ids(active.iter().copied()),
                if active.len() == 1 { "s" } else { "" }
            ),
        ));
    }
}
