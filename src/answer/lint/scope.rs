//! Findings about a permission's scope: Self off `contact` (PP006), a
//! relationship that does not join (PP007) or is unknown (PP016), create
//! without attach (PP008), the Custom access type (PP014).

use super::context::{Cx, Finds, Subject};
use crate::model::{Privilege, Scope};

/// PP006: Self off `contact` (S12).
pub(super) fn pp006(cx: &Cx<'_>, s: &Subject<'_>, out: &mut Finds) {
    let Subject { n, p, table, .. } = *s;
    let t = cx.t;
    if p.scope == Scope::SelfScope && p.table != t.contact_table {
        out.list.push(cx.finding(
            "PP006",
            n,
            format!("`{}` has Self scope on `{table}`, which admits nothing: Self admits only the visitor's own `contact` row (S12)", cx.label(p)),
        ));
        out.explained.insert(n);
    }
}

/// PP007 / PP016: the scope's relationship.
pub(super) fn pp007_pp016(cx: &Cx<'_>, s: &Subject<'_>, out: &mut Finds) {
    let Subject { n, p, table, .. } = *s;
    let t = cx.t;
    if let Some(rel) = p.scope_relationship() {
        match rel.id {
            None => {
                out.list.push(cx.finding(
                    "PP016",
                    n,
                    format!(
                        "relationship `{}` is neither in the catalogue nor in relationships.json, so `{}` admits nothing until it is declared there",
                        rel.name, cx.label(p)
                    ),
                ));
                out.explained.insert(n);
            }
            Some(r) if cx.joins(n) == Some(false) => {
                let (x, y) = t.relationships[r as usize].ends();
                let needed = match p.scope {
                    Scope::Contact => "contact".to_string(),
                    Scope::Account => "account".to_string(),
                    _ => p.parent.map(|m| cx.table(t.permissions[m as usize].table).to_string()).unwrap_or_default(),
                };
                out.list.push(cx.finding(
                    "PP007",
                    n,
                    format!(
                        "relationship `{}` joins `{}` and `{}`, not `{table}` and `{needed}`, so `{}` admits nothing (S20)",
                        rel.name,
                        cx.table(x),
                        cx.table(y),
                        cx.label(p)
                    ),
                ));
                out.explained.insert(n);
            }
            Some(_) => {}
        }
    }
}

/// PP008: create under a parent without attach (S18).
pub(super) fn pp008(cx: &Cx<'_>, s: &Subject<'_>, out: &mut Finds) {
    let Subject { n, p, table, .. } = *s;
    let t = cx.t;
    if let (Scope::Parent, Some(m)) = (p.scope, p.parent) {
        let parent = &t.permissions[m as usize];
        let no_append_to = !parent.privileges.has(Privilege::AppendTo);
        let no_append = !p.privileges.has(Privilege::Append);
        if p.privileges.has(Privilege::Create) && (no_append_to || no_append) {
            let why = match (no_append_to, no_append) {
                (true, true) => format!("`{}` lacks append_to and `{}` lacks append", cx.label(parent), cx.label(p)),
                (true, false) => format!("`{}` lacks append_to", cx.label(parent)),
                _ => format!("`{}` lacks append", cx.label(p)),
            };
            out.list.push(cx.finding(
                "PP008",
                n,
                format!(
                    "visitors may create `{table}` rows through `{}` but cannot attach them to the `{}` row of the parent: {why} (S18)",
                    cx.label(p),
                    cx.table(parent.table)
                ),
            ));
        }
    }
}

/// PP014: Custom access type (S14).
pub(super) fn pp014(cx: &Cx<'_>, s: &Subject<'_>, out: &mut Finds) {
    let Subject { n, p, .. } = *s;
    if p.scope == Scope::Custom {
        out.list.push(cx.finding(
            "PP014",
            n,
            format!("`{}` uses the Custom access type, which is not evaluated here: it is taken to admit nothing, so the live site may grant more than these answers show (S14)", cx.label(p)),
        ));
        out.explained.insert(n);
    }
}
