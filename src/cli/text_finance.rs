//! The F&O answers for a person and as JSON lines: `bypass` (F8), and the
//! `direct` part of `can` and `who` on a virtual-table row (F7).

use crate::answer::bypass::BypassAnswer;
use crate::answer::query::{CanAnswer, WhoAnswer};
use crate::cli::text::{count, Painter, Style, TextTable};

/// `bypass --json`: one `{"visitor", "row", "user"}` line per (visitor, row),
/// then the `{"summary": {...}}` line (cli.md).
pub fn bypass_json_lines(a: &BypassAnswer) -> String {
    let mut out = String::new();
    for l in &a.lines {
        out.push_str(&serde_json::to_string(l).unwrap_or_default());
        out.push('\n');
    }
    let summary = serde_json::json!({ "summary": a.summary });
    out.push_str(&summary.to_string());
    out.push('\n');
    out
}

/// `bypass` for a person: each visitor with the rows it can read straight
/// from the data entity that web roles do not grant, then counts per table.
pub fn render_bypass(a: &BypassAnswer, tenant: &crate::model::Tenant, names: &crate::model::Names, p: &Painter) -> String {
    if a.lines.is_empty() {
        return format!(
            "{}: no visitor can read a virtual-table row directly that web roles do not grant it\n",
            p.paint("no bypass", Style::Green)
        );
    }
    let mut out = format!(
        "{}: visitors can read these virtual-table rows straight from the F&O data entity, which web roles do not grant them:\n",
        p.paint("F&O bypass", Style::Red)
    );
    let mut i = 0;
    while i < a.lines.len() {
        let v = &a.lines[i].visitor;
        let j = a.lines[i..].iter().position(|l| &l.visitor != v).map_or(a.lines.len(), |k| i + k);
        out.push_str(&format!("  {} (F&O user {}): {}\n", names.contact(tenant, v), a.lines[i].user, count(j - i, "row", "rows")));
        for l in &a.lines[i..j] {
            out.push_str(&format!("    {}\n", names.reference(tenant, &l.row)));
        }
        i = j;
    }
    let mut t = TextTable::new(&["TABLE", "VISITORS", "ROWS"]).indent(2);
    for (table, c) in &a.summary {
        t.row(&[table.clone(), c.visitors.to_string(), c.rows.to_string()]);
    }
    out.push_str("per table:\n");
    t.render(p, &mut out);
    out
}

/// The `direct` line of `can` on a virtual-table row, if any, by name.
pub fn can_direct(a: &CanAnswer, tenant: &crate::model::Tenant, names: &crate::model::Names) -> String {
    let (visitor, row) = match &a.row {
        Some(r) => (names.contact(tenant, &a.visitor), names.reference(tenant, r)),
        None => return String::new(),
    };
    match a.direct {
        Some(true) => format!("  directly from F&O: {visitor} can read {row}\n"),
        Some(false) => format!("  directly from F&O: {visitor} cannot read {row}\n"),
        None => String::new(),
    }
}

/// The `direct` lines of `who` on a virtual-table row, if any.
pub fn who_direct(a: &WhoAnswer) -> String {
    let Some(d) = &a.direct else { return String::new() };
    let contacts = if d.contacts.is_empty() { "none".to_string() } else { d.contacts.join(", ") };
    format!(
        "directly from F&O (read):\n  anonymous visitors  {}\n  contacts ({})  {contacts}\n",
        if d.anonymous { "yes" } else { "no" },
        d.contacts.len()
    )
}

/// The F&O lines of `why` on a virtual-table row, if any.
pub fn why_finance(a: &crate::answer::why::WhyAnswer) -> String {
    let Some(f) = &a.finance else { return String::new() };
    format!("  F&O, through the portal: {}\n  F&O, directly: {}\n", f.portal, f.direct)
}
