//! Access patterns for a person (patterns.md A6, A7, A9): one line per
//! visitor class, conditions as short chains, permissions by display name.

use crate::answer::patterns::{PatternEntry, WhoTableAnswer};
use crate::cli::text::{Painter, Style, TextTable};
use crate::model::names::Names;

/// The classes in answer order, with the words readable answers use.
const CLASSES: [(&str, &str); 3] =
    [("anonymous", "anonymous visitors"), ("newcomer", "anyone who signs up"), ("contacts", "contacts")];

/// A condition's chain as words: `every row`, `rows of incident whose
/// contact (incident_customer_contacts) is the visitor`, ...
pub fn condition_text(e: &PatternEntry) -> String {
    let steps: Vec<String> = e
        .condition
        .iter()
        .map(|s| {
            let rel = s.relationship.as_deref().map(|r| if s.known { r.to_string() } else { format!("unknown {r}") });
            match (s.scope.as_ref(), rel) {
                ("global", _) => format!("every {}", s.table),
                ("self", _) => format!("the visitor's own {}", s.table),
                ("custom", _) => format!("{} by a FetchXML filter (not evaluated)", s.table),
                ("contact", Some(r)) => format!("{} of the visitor through {r}", s.table),
                ("account", Some(r)) => format!("{} of the visitor's account through {r}", s.table),
                ("parent", Some(r)) => format!("{} related through {r}", s.table),
                (scope, _) => format!("{} ({scope} scope without a relationship)", s.table),
            }
        })
        .collect();
    let mut out = steps.join(" > ");
    if !e.possible {
        out.push_str(" [not possible]");
    }
    out
}

fn perm_list(entries: &[&PatternEntry], names: &Names) -> String {
    let mut v: Vec<&str> = entries.iter().map(|e| names.perm_id(&e.permission)).collect();
    v.sort_unstable();
    v.dedup();
    v.join(", ")
}

/// `who PRIVILEGE TABLE` for a person: one line per class, then the patterns.
pub fn render_who_table(a: &WhoTableAnswer, names: &Names, p: &Painter) -> String {
    let mut out = format!("who may {} rows of {}", a.privilege, a.table);
    out.push_str(if a.rows_loaded { " (patterns; rows are loaded, `who` on a row answers exactly):\n" } else { " (patterns: no rows of this table are loaded):\n" });
    let mut t = TextTable::new(&[]).indent(2);
    for (class, words) in CLASSES {
        let reach = match class {
            "anonymous" => a.anonymous,
            "newcomer" => a.newcomer,
            _ => a.contacts,
        };
        let possible: Vec<&PatternEntry> = a.patterns.iter().filter(|e| e.class == class && e.possible).collect();
        let every: Vec<&PatternEntry> = possible.iter().copied().filter(|e| e.every()).collect();
        let text = match reach {
            "every" => p.paint(&format!("every row ({})", perm_list(&every, names)), Style::Red),
            "some" => p.paint(&format!("some rows ({})", perm_list(&possible, names)), Style::Yellow),
            _ => "none".to_string(),
        };
        t.styled(vec![(words.to_string(), Style::Plain), (text, Style::Plain)]);
    }
    t.render(p, &mut out);
    out.push_str(&render_entries(&a.patterns, names, p));
    out
}

/// The pattern entries, one per line: class, permission, roles, condition.
pub fn render_entries(entries: &[PatternEntry], names: &Names, p: &Painter) -> String {
    if entries.is_empty() {
        return "no table permission on this table is held by anyone\n".to_string();
    }
    let mut t = TextTable::new(&["class", "permission", "roles", "condition"]).indent(2);
    for e in entries {
        let roles: Vec<&str> = e.roles.iter().map(|r| names.role_id(r)).collect();
        let mut cond = condition_text(e);
        if !e.rests_on.is_empty() {
            cond.push_str(&format!(" (rests on {})", e.rests_on.join(", ")));
        }
        t.row(&[e.class.to_string(), names.perm_id(&e.permission).to_string(), roles.join(", "), cond]);
    }
    let mut out = "patterns:\n".to_string();
    t.render(p, &mut out);
    out
}
