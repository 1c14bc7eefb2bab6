//! Channel answers for a person: `columns`, `who ... --column`,
//! `exposure`, and the column note of `why ... --column`. Permissions are
//! named by display name with their id; JSON keeps the ids.

use super::text::{count, Painter, Style, TextTable};
use crate::answer::channels::{ColumnsAnswer, ExposureAnswer, ExposureTable, WhoColumnAnswer, WhyColumnAnswer};
use super::text::contact_labels;
use crate::model::{Names, Tenant};

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.join(", ")
    }
}

fn yes_no(p: &Painter, b: bool) -> String {
    if b {
        p.paint("yes", Style::Green)
    } else {
        p.paint("no", Style::Red)
    }
}

/// `columns` for a person.
pub fn render_columns(a: &ColumnsAnswer, tenant: &Tenant, names: &Names, p: &Painter) -> String {
    let mut out = format!("{} through the Web API on {}:\n", names.contact(tenant, &a.visitor), names.reference(tenant, &a.row));
    let mut t = TextTable::new(&[]).indent(2);
    t.styled(vec![("table open".into(), Style::Plain), (yes_no(p, a.open), Style::Plain)]);
    t.row(&[format!("read ({})", a.read.len()), list(&a.read)]);
    t.row(&[format!("update ({})", a.update.len()), list(&a.update)]);
    t.render(p, &mut out);
    if let Some(r) = &a.reason {
        out.push_str(&format!("  because {r}\n"));
    }
    out
}

/// `who ... --column` for a person.
pub fn render_who_column(a: &WhoColumnAnswer, tenant: &Tenant, names: &Names, p: &Painter) -> String {
    let verb = if a.privilege == "read" { "read" } else { "update" };
    let mut out = format!("who may {verb} column `{}` of {} through the Web API:\n", a.column, names.reference(tenant, &a.row));
    let mut t = TextTable::new(&[]).indent(2);
    t.styled(vec![("anonymous visitors".into(), Style::Plain), (yes_no(p, a.anonymous), Style::Plain)]);
    t.styled(vec![("anyone who signs up".into(), Style::Plain), (yes_no(p, a.newcomer), Style::Plain)]);
    t.row(&[format!("contacts ({})", a.contacts.len()), list(&contact_labels(tenant, names, &a.contacts))]);
    t.render(p, &mut out);
    out
}

/// The column part of `why ... --column`.
pub fn render_column_note(a: &WhyColumnAnswer) -> String {
    match &a.column_reason {
        None => format!("column `{}`: goes through the Web API\n", a.column),
        Some(r) => format!("column `{}`: not through the Web API: {r}\n", a.column),
    }
}

/// `exposure` for a person: per outsider, per table, rows and columns.
pub fn render_exposure(a: &ExposureAnswer, tenant: &Tenant, names: &Names, p: &Painter) -> String {
    let perm_name = |id: &str| names.perm_id(id).to_string();
    let mut out = format!(
        "registration is {}\n",
        if a.registration_open { "open: anyone can sign up" } else { "closed" }
    );
    for v in &a.visitors {
        let who = match v.visitor.as_str() {
            "anonymous" => "anonymous visitors".to_string(),
            "newcomer" => "anyone who signs up".to_string(),
            other => names.contact(tenant, other).into_owned(),
        };
        out.push_str(&format!("\n{who}:\n"));
        let mut any = false;
        for tb in &v.tables {
            if !tb.open {
                continue;
            }
            any = true;
            out.push_str(&format!("  {} (open to /_api/): {}\n", tb.table, reach_text(tb)));
            let mut t = TextTable::new(&[]).indent(4);
            t.row(&["read".to_string(), if tb.read.is_empty() { "none".to_string() } else { list(&tb.read) }]);
            t.row(&["update".to_string(), list(&tb.update)]);
            t.row(&["create".to_string(), (if tb.create { "yes" } else { "no" }).to_string()]);
            t.row(&["delete".to_string(), (if tb.delete { "yes" } else { "no" }).to_string()]);
            let via: Vec<String> = tb.via.iter().map(|id| perm_name(id.as_str())).collect();
            t.row(&["via".to_string(), list(&via)]);
            t.render(p, &mut out);
        }
        let closed: Vec<String> =
            v.tables.iter().filter(|tb| !tb.open).map(|tb| format!("{} ({})", tb.table, readable_text(tb))).collect();
        if !closed.is_empty() {
            out.push_str(&format!("  readable on pages but not open to /_api/: {}\n", closed.join(", ")));
        }
        if !any {
            out.push_str("  no table is open to the Web API\n");
        }
        for e in &v.endpoints {
            let tables: Vec<String> =
                e.tables.iter().map(|tb| format!("{} {} ({})", tb.table, tb.privileges.join("/"), count(tb.rows, "row", "rows"))).collect();
            let what = if e.kind == "serverlogic" { "server logic" } else { "cloud flow" };
            let unbounded = if e.unbounded { ", unbounded" } else { "" };
            out.push_str(&format!("  may call {what} `{}`{unbounded}: {}\n", e.name, list(&tables)));
        }
    }
    out
}

/// What an exposure entry lets the visitor pull: a row count, or without
/// rows (A8) `every row`, `some rows` or `no row` by its patterns.
fn reach_text(tb: &ExposureTable) -> String {
    match (tb.rows, tb.pattern) {
        (Some(n), _) => count(n, "row", "rows"),
        (None, Some("every")) => "every row (patterns: no rows loaded)".to_string(),
        (None, Some("some")) => "some rows (patterns: no rows loaded)".to_string(),
        _ => "no row (patterns: no rows loaded)".to_string(),
    }
}

/// What it may read through any channel.
fn readable_text(tb: &ExposureTable) -> String {
    match tb.readable_rows {
        Some(n) => count(n, "row", "rows"),
        None => "patterns: no rows loaded".to_string(),
    }
}
