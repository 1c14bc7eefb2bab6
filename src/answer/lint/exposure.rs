//! Findings about who reads customer data: anonymous visitors (PP001) and
//! every signed-in contact through a Global permission (PP002).

use super::context::{Cx, Finds, Subject, Anchor};
use crate::model::{Privilege, RoleId, Scope};

/// Whether PP001 reports `s`: the anonymous visitor holds it, it grants
/// read, its rows are anchored Global, and its table holds customer data.
pub(super) fn anonymous_reads_customer_data(cx: &Cx<'_>, s: &Subject<'_>) -> bool {
    cx.cand_anon[s.n as usize] && s.p.privileges.has(Privilege::Read) && cx.customer[s.p.table as usize] && s.anchor == Anchor::Global
}

/// PP001: anonymous visitors read customer data.
pub(super) fn pp001(cx: &Cx<'_>, s: &Subject<'_>, out: &mut Finds) {
    let Subject { n, p, table, root, .. } = *s;
    let t = cx.t;
    if anonymous_reads_customer_data(cx, s) {
        let rows = cx.global_rows(n);
        let anon: Vec<RoleId> = t.permissions[root as usize]
            .roles
            .iter()
            .copied()
            .filter(|&r| t.roles[r as usize].anonymous && t.roles[r as usize].active)
            .collect();
        let what = if p.scope == Scope::Global {
            format!("every row of `{table}` ({})", cx.rows_phrase(rows))
        } else {
            format!("the rows of `{table}` related to its parent's rows ({})", cx.rows_phrase(rows))
        };
        out.list.push(cx.finding(
            "PP001",
            n,
            format!(
                "anonymous visitors (role {}) can read {what} through `{}`, and `{table}` holds customer data",
                cx.role_names(&anon),
                cx.label(p)
            ),
        ));
    }
}

/// PP002: every signed-in contact reads every row of customer data.
pub(super) fn pp002(cx: &Cx<'_>, s: &Subject<'_>, out: &mut Finds) {
    let Subject { n, p, table, root, .. } = *s;
    let t = cx.t;
    let i = n as usize;
    if cx.cand_all[i] && p.scope == Scope::Global && p.privileges.has(Privilege::Read) && cx.customer[p.table as usize] {
        let auth: Vec<RoleId> = t.permissions[root as usize]
            .roles
            .iter()
            .copied()
            .filter(|&r| t.roles[r as usize].authenticated && !t.roles[r as usize].anonymous && t.roles[r as usize].active)
            .collect();
        let also: Vec<&str> =
            [Privilege::Write, Privilege::Delete].into_iter().filter(|&q| p.privileges.has(q)).map(|q| q.name()).collect();
        let verbs = if also.is_empty() { "read".to_string() } else { format!("read (and {})", also.join(", ")) };
        out.list.push(cx.finding(
            "PP002",
            n,
            format!(
                "every signed-in contact{} holds authenticated-users role {}, so each can {verbs} every row of `{table}` ({}) through Global permission `{}`, and `{table}` holds customer data",
                cx.contacts_phrase(),
                cx.role_names(&auth),
                cx.rows_phrase(cx.global_rows(n)),
                cx.label(p)
            ),
        ));
    }
}
