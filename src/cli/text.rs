//! Text for a person: aligned tables and optional colour.
//!
//! Colour is decided once, by the front end, with [`color_wanted`]: only on a
//! terminal and never when `NO_COLOR` is set (<https://no-color.org>).

use crate::answer::query::{CanAnswer, WhatAnswer, WhoAnswer};
use crate::model::{Names, Tenant};

/// How a piece of text is shown when colour is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// No styling.
    Plain,
    /// Bold (headers, the permission asked about).
    Bold,
    /// Green (allowed).
    Green,
    /// Red (denied, errors).
    Red,
    /// Dim (notes, inactive items).
    Dim,
    /// Yellow (warnings: ignored roles, unresolved relationships).
    Yellow,
}

/// Whether colour should be used: `is_terminal` says whether the output is a
/// terminal; a non-empty `NO_COLOR` turns colour off whatever else holds.
pub fn color_wanted(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Paints text with ANSI escapes when colour is on, and leaves it alone otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Painter {
    /// Whether to emit escapes.
    pub color: bool,
}

impl Painter {
    /// `s` in style `st`.
    pub fn paint(&self, s: &str, st: Style) -> String {
        let code = match st {
            Style::Plain => return s.to_string(),
            Style::Bold => "1",
            Style::Green => "32",
            Style::Red => "31",
            Style::Dim => "2",
            Style::Yellow => "33",
        };
        if self.color && !s.is_empty() {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// A table whose columns are padded to the widest cell; the last column is
/// never padded, so no line ends in spaces.
#[derive(Debug, Clone, Default)]
pub struct TextTable {
    headers: Vec<String>,
    rows: Vec<Vec<(String, Style)>>,
    indent: usize,
}

fn width(s: &str) -> usize {
    s.chars().count()
}

impl TextTable {
    /// A table with these column headers (no header line when empty).
    pub fn new(headers: &[&str]) -> TextTable {
        TextTable { headers: headers.iter().map(|s| s.to_string()).collect(), rows: Vec::new(), indent: 0 }
    }

    /// Indents every line by `n` spaces.
    pub fn indent(mut self, n: usize) -> TextTable {
        self.indent = n;
        self
    }

    /// Adds a row of plain cells.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) {
        self.rows.push(cells.iter().map(|c| (c.as_ref().to_string(), Style::Plain)).collect());
    }

    /// Adds a row of styled cells.
    pub fn styled(&mut self, cells: Vec<(String, Style)>) {
        self.rows.push(cells);
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Renders the table, one line per row, each ending in a newline. A
    /// column whose rows are all empty is left out, header and all.
    pub fn render(&self, p: &Painter, out: &mut String) {
        let ncol = self.rows.iter().map(Vec::len).chain([self.headers.len()]).max().unwrap_or(0);
        let used: Vec<bool> = (0..ncol)
            .map(|i| self.rows.is_empty() || self.rows.iter().any(|r| r.get(i).is_some_and(|(c, _)| !c.is_empty())))
            .collect();
        let keep = |cells| keep_used(&used, cells);
        let mut widths = vec![0usize; ncol];
        for (i, h) in self.headers.iter().enumerate() {
            widths[i] = widths[i].max(width(h));
        }
        for r in &self.rows {
            for (i, (c, _)) in r.iter().enumerate() {
                widths[i] = widths[i].max(width(c));
            }
        }
        let pad = " ".repeat(self.indent);
        let line = |cells: Vec<(&str, Style, usize)>, out: &mut String| {
            let last = cells.iter().rposition(|(c, _, _)| !c.is_empty()).map_or(0, |i| i + 1);
            let mut s = pad.clone();
            for (k, (c, st, i)) in cells.iter().take(last).enumerate() {
                s.push_str(&p.paint(c, *st));
                if k + 1 < last {
                    s.push_str(&" ".repeat(widths[*i] - width(c) + 2));
                }
            }
            out.push_str(s.trim_end());
            out.push('\n');
        };
        if !self.headers.is_empty() {
            line(keep(self.headers.iter().map(|h| (h.as_str(), Style::Bold)).collect()), out);
        }
        for r in &self.rows {
            line(keep(r.iter().map(|(c, st)| (c.as_str(), *st)).collect()), out);
        }
    }
}

fn keep_used<'a>(used: &[bool], cells: Vec<(&'a str, Style)>) -> Vec<(&'a str, Style, usize)> {
    cells.into_iter().enumerate().filter(|(i, _)| used.get(*i) == Some(&true)).map(|(i, (c, s))| (c, s, i)).collect()
}

/// `n` followed by the singular or plural noun.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A list cut to `max` items, with `... and N more` at the end when cut.
pub fn capped(items: &[String], max: usize) -> Vec<String> {
    if items.len() <= max {
        return items.to_vec();
    }
    let mut v = items[..max].to_vec();
    v.push(format!("... and {} more", items.len() - max));
    v
}

/// The target of an answer as a sentence ends: the row (by name), or `in table T`.
fn target_text(t: &Tenant, names: &Names, row: &Option<String>, table: &Option<String>) -> String {
    match (row, table) {
        (Some(r), _) => names.reference(t, r).into_owned(),
        (None, Some(t)) => format!("in table {t}"),
        (None, None) => String::new(),
    }
}

/// `can` for a person: `yes: C1 may read incident:I1 (via Cases where
/// contact is customer)` or `no: C2 may not create in table incident`; the
/// granting permissions by display name ([`Names`]).
pub fn render_can(a: &CanAnswer, t: &Tenant, names: &Names, p: &Painter) -> String {
    let what = format!("{} {}", a.privilege, target_text(t, names, &a.row, &a.table));
    let visitor = names.contact(t, &a.visitor);
    if a.allowed {
        let via: Vec<&str> = a.via.iter().map(|id| names.perm_id(id)).collect();
        format!("{}: {} may {} (via {})\n", p.paint("yes", Style::Green), visitor, what, via.join(", "))
    } else {
        format!("{}: {} may not {}\n", p.paint("no", Style::Red), visitor, what)
    }
}

/// Labels of contacts given by id, sorted as people read them.
pub fn contact_labels(t: &Tenant, names: &Names, ids: &[String]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|c| names.contact(t, c).into_owned()).collect();
    v.sort();
    v
}

/// Labels of row references `TABLE:ID`, sorted as people read them.
pub fn reference_labels(t: &Tenant, names: &Names, refs: &[String]) -> Vec<String> {
    let mut v: Vec<String> = refs.iter().map(|r| names.reference(t, r).into_owned()).collect();
    v.sort();
    v
}

/// `who` for a person: whether anonymous visitors may, and the contacts who
/// may, by name.
pub fn render_who(a: &WhoAnswer, t: &Tenant, names: &Names, p: &Painter) -> String {
    let mut tt = TextTable::new(&[]).indent(2);
    let yes_no = if a.anonymous { p.paint("yes", Style::Green) } else { p.paint("no", Style::Red) };
    tt.styled(vec![("anonymous visitors".into(), Style::Plain), (yes_no, Style::Plain)]);
    let yes_no = if a.newcomer { p.paint("yes", Style::Green) } else { p.paint("no", Style::Red) };
    tt.styled(vec![("anyone who signs up".into(), Style::Plain), (yes_no, Style::Plain)]);
    let contacts = if a.contacts.is_empty() { "none".to_string() } else { contact_labels(t, names, &a.contacts).join(", ") };
    tt.row(&[format!("contacts ({})", a.contacts.len()), contacts]);
    let mut out = format!("who may {} {}:\n", a.privilege, target_text(t, names, &a.row, &a.table));
    tt.render(p, &mut out);
    out
}

/// `what` for a person: a count, then one row (by name) or table per line.
pub fn render_what(a: &WhatAnswer, t: &Tenant, names: &Names) -> String {
    let (one, many, list) = match (&a.rows, &a.tables) {
        (_, Some(t)) => ("table", "tables", t.as_slice()),
        (Some(r), None) => ("row", "rows", r.as_slice()),
        (None, None) => ("row", "rows", &[][..]),
    };
    let verb = if a.privilege == "create" { "create in" } else { a.privilege.as_str() };
    let labels = if a.rows.is_some() && a.tables.is_none() { reference_labels(t, names, list) } else { list.to_vec() };
    let mut out = format!("{} may {verb} {}", names.contact(t, &a.visitor), count(list.len(), one, many));
    if a.patterns.is_some() {
        out.push_str(" of those loaded");
    }
    out.push_str(if list.is_empty() { "\n" } else { ":\n" });
    for x in &labels {
        out.push_str(&format!("  {x}\n"));
    }
    if let Some(pats) = &a.patterns {
        out.push_str("tables with no rows loaded, by access pattern:\n");
        for e in pats {
            let table = e.table.as_deref().unwrap_or_default();
            let cond = if e.every() { "every row".to_string() } else { crate::answer::patterns::chain_text(&e.condition) };
            let possible = if e.possible { "" } else { " [not possible]" };
            out.push_str(&format!("  {table}: {cond} ({}){possible}\n", e.permission_name));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_lines_have_no_trailing_spaces() {
        let mut t = TextTable::new(&["A", "LONGER", "C"]);
        t.row(&["xxxx", "y", ""]);
        t.row(&["z", "", "w"]);
        let mut s = String::new();
        t.render(&Painter { color: false }, &mut s);
        assert_eq!(s, "A     LONGER  C\nxxxx  y\nz             w\n");
    }

    #[test]
    fn empty_columns_are_left_out() {
        let mut t = TextTable::new(&["A", "NOTE", "B"]);
        t.row(&["x", "", "y"]);
        let mut s = String::new();
        t.render(&Painter { color: false }, &mut s);
        assert_eq!(s, "A  B\nx  y\n");
    }

    #[test]
    fn no_escapes_without_colour() {
        let p = Painter { color: false };
        assert_eq!(p.paint("yes", Style::Green), "yes");
        let p = Painter { color: true };
        assert_eq!(p.paint("yes", Style::Green), "\x1b[32myes\x1b[0m");
    }
}
