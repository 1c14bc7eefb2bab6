//! What the anonymous visitor may do on any table, customer data or not
//! (the runtime's own site check fails on any table permission the
//! anonymous users role holds): write, create or delete (PP022), and read
//! where PP001 does not already report it (PP023), custom tables whose
//! relationships are unknown included.

use super::context::{named, Cx, Finds, Subject};
use super::exposure::anonymous_reads_customer_data;
use crate::model::{PermId, Privilege, RoleId, Scope};

/// How the anonymous visitor reaches the rows a permission admits.
enum Reach {
    /// Rows anchored Global: every row of the table, or those related to
    /// a Global ancestor's rows.
    Rows,
    /// Maybe, on the live site: the chain has a step not evaluated here.
    Unknown(String),
    /// Never: a Contact, Account or Self anchor (no contact, S10 to S12),
    /// or a relationship that does not join (S20).
    Never,
}

/// The reach of permission `n` for the anonymous visitor, following Parent
/// scopes up to the top of the chain.
fn reach(cx: &Cx<'_>, n: PermId) -> Reach {
    let mut unknown: Option<String> = None;
    let mut m = n;
    loop {
        let p = &cx.t.permissions[m as usize];
        match p.scope {
            Scope::Global => return unknown.map_or(Reach::Rows, Reach::Unknown),
            Scope::Custom => {
                return Reach::Unknown(format!("{} uses the Custom access type, not evaluated here (S14)", named(&p.name, &p.id)))
            }
            Scope::SelfScope | Scope::Contact | Scope::Account => return Reach::Never,
            Scope::Parent => match (p.parent_relationship.as_ref(), p.parent) {
                (Some(rel), Some(up)) if rel.id.is_none() => {
                    unknown.get_or_insert_with(|| format!("relationship `{}` is not declared (PP016)", rel.name));
                    m = up;
                }
                (Some(_), Some(up)) if cx.joins(m) == Some(true) => m = up,
                _ => return Reach::Never,
            },
        }
    }
}

/// The active anonymous users roles on the root of `s`'s tree.
fn anonymous_roles(cx: &Cx<'_>, s: &Subject<'_>) -> Vec<RoleId> {
    let t = cx.t;
    let root = &t.permissions[s.root as usize];
    root.roles.iter().copied().filter(|&r| t.roles[r as usize].anonymous && t.roles[r as usize].active).collect()
}

/// The rows phrase of a permission the anonymous visitor reaches.
fn rows_of(cx: &Cx<'_>, s: &Subject<'_>, reach: &Reach) -> String {
    let table = s.table;
    match reach {
        Reach::Unknown(why) => format!("rows of `{table}` on the live site ({why})"),
        _ if s.p.scope == Scope::Global => format!("every row of `{table}` ({})", cx.rows_phrase(cx.global_rows(s.n))),
        _ => format!("the rows of `{table}` related to its parent's rows ({})", cx.rows_phrase(cx.global_rows(s.n))),
    }
}

/// PP022: the anonymous visitor may write, create or delete rows.
pub(super) fn pp022(cx: &Cx<'_>, s: &Subject<'_>, out: &mut Finds) {
    if !cx.cand_anon[s.n as usize] {
        return;
    }
    let p = s.p;
    let reach = reach(cx, s.n);
    let row_level: Vec<&str> = [Privilege::Write, Privilege::Delete]
        .into_iter()
        .filter(|&q| p.privileges.has(q) && !matches!(reach, Reach::Never))
        .map(Privilege::name)
        .collect();
    // S17: create is table-level, whatever the scope.
    let create = p.privileges.has(Privilege::Create);
    let mut parts = Vec::new();
    if create {
        parts.push(format!("create rows in `{}`", s.table));
    }
    if !row_level.is_empty() {
        let verb = if matches!(reach, Reach::Unknown(_)) { "may" } else { "can" };
        let rows = rows_of(cx, s, &reach);
        parts.push(if create { format!("{} {rows}", row_level.join(", ")) } else { format!("{verb} {} {rows}", row_level.join(", ")) });
    }
    if parts.is_empty() {
        return;
    }
    let lead = if create { "can " } else { "" };
    out.list.push(cx.finding(
        "PP022",
        s.n,
        format!(
            "anonymous visitors (role {}) {lead}{} through {}: anyone on the internet changes this table without signing in",
            cx.role_names(&anonymous_roles(cx, s)),
            parts.join(" and "),
            named(&p.name, &p.id)
        ),
    ));
}

/// PP023: the anonymous visitor may read rows of a table PP001 does not
/// report (not known to hold customer data, or reached through a step not
/// evaluated here).
pub(super) fn pp023(cx: &Cx<'_>, s: &Subject<'_>, out: &mut Finds) {
    let p = s.p;
    if !cx.cand_anon[s.n as usize] || !p.privileges.has(Privilege::Read) || anonymous_reads_customer_data(cx, s) {
        return;
    }
    let reach = reach(cx, s.n);
    let verb = match reach {
        Reach::Never => return,
        Reach::Rows => "can",
        Reach::Unknown(_) => "may",
    };
    out.list.push(cx.finding(
        "PP023",
        s.n,
        format!(
            "anonymous visitors (role {}) {verb} read {} through {}: the runtime's own site check fails on any table permission of the anonymous users role; make sure every row of `{}` is meant to be public",
            cx.role_names(&anonymous_roles(cx, s)),
            rows_of(cx, s, &reach),
            named(&p.name, &p.id),
            s.table
        ),
    ));
}
