//! Lint findings of the exposure channels (lint.md PP017 to PP021),
//! counted from the derived grants and the channel index. Kept apart from
//! `lint.rs` (which registers them) and free of its types, so that the two
//! files import each other in one direction only.

use crate::answer::query::Analysis;
use crate::engine::patterns::{Class, Top};
use crate::model::channels::{field_list, is_true, webapi_setting, ComponentKind};
use crate::model::Privilege;
use std::collections::BTreeMap;

/// One channel finding; `lint.rs` turns it into a `Finding`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelFinding {
    /// `PP017` ... `PP021`.
    pub id: &'static str,
    /// Error (else warning).
    pub error: bool,
    /// A table, a setting name, a permission or a component id.
    pub subject: String,
    /// One sentence.
    pub message: String,
    /// The site file and line of the setting, permission or component it
    /// is about (folder tenants), for SARIF.
    pub at: Option<(String, Option<usize>)>,
}

/// The file and line of a record read from a site folder.
fn at(origin: &Option<crate::load::raw::Origin>) -> Option<(String, Option<usize>)> {
    origin.as_ref().filter(|o| !o.file.is_empty()).map(|o| (o.file.clone(), o.line))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn ticks(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
    }
}


/// Every channel finding of an analysed tenant (unsorted).
pub fn findings(a: &Analysis) -> Vec<ChannelFinding> {
    // A11: a site without settings has the settings' defaults (the Web API
    // off, registration open), not no findings.
    let mut out = Vec::new();
    if !a.tenant.channels.is_empty() {
        // Without settings no table is open (C2) and there is nothing to
        // check in them: the channel index is not worth deriving.
        anyone_reads(a, &mut out);
        settings(a, &mut out);
        components(a, &mut out);
    }
    registration(a, &mut out);
    out
}

/// PP017: anyone on the internet reads rows of an open table: the
/// `exposure` answer's entries (rows, or patterns without rows, A8), so
/// that lint and `exposure` state the same reach.
fn anyone_reads(a: &Analysis, out: &mut Vec<ChannelFinding>) {
    let Ok(exposure) = a.exposure(None) else { return };
    let mut by_table: BTreeMap<String, Vec<(String, &crate::answer::channels::ExposureTable)>> = BTreeMap::new();
    for v in &exposure.visitors {
        for e in v.tables.iter().filter(|e| e.open && pulls(e)) {
            by_table.entry(e.table.clone()).or_default().push((v.visitor.clone(), e));
        }
    }
    for (name, entries) in by_table {
        let mut cols: Vec<String> = entries.iter().flat_map(|(_, e)| e.read.iter().cloned()).collect();
        cols.sort();
        cols.dedup();
        let parts: Vec<String> = entries
            .iter()
            .map(|(v, e)| {
                let who = if v == "anonymous" { "anonymous visitors read" } else { "anyone who signs up reads" };
                format!("{who} {} ({})", amount(e), ticks(&e.read))
            })
            .collect();
        let rows = match entries.iter().filter_map(|(_, e)| e.rows).max() {
            Some(n) => plural(n, "row", "rows"),
            None if entries.iter().any(|(_, e)| e.pattern == Some("every")) => "every row (no rows loaded)".to_string(),
            None => "rows (no rows loaded)".to_string(),
        };
        let setting = a.tenant.channels.settings.get(&format!("webapi/{}/enabled", name.to_ascii_lowercase()));
        out.push(ChannelFinding {
            id: "PP017",
            error: true,
            at: setting.and_then(|&i| a.tenant.raw.site_settings.get(i)).and_then(|s| at(&s.origin)),
            subject: name.clone(),
            message: format!(
                "anyone on the internet can pull {rows} of `{name}` through /_api/, columns {}: {}",
                ticks(&cols),
                parts.join("; ")
            ),
        });
    }
}

/// Whether an exposure entry lets its visitor pull rows.
fn pulls(e: &crate::answer::channels::ExposureTable) -> bool {
    e.rows.is_some_and(|n| n > 0) || matches!(e.pattern, Some("every" | "some"))
}

/// How much an exposure entry pulls, in words.
fn amount(e: &crate::answer::channels::ExposureTable) -> String {
    match (e.rows, e.pattern) {
        (Some(n), _) => plural(n, "row", "rows"),
        (None, Some("every")) => "every row".to_string(),
        _ => "some rows".to_string(),
    }
}

/// The Web API settings of one table: `enabled`, `fields`, every setting
/// name as written, and where `enabled` (else the first) was read.
type TableSettings = (Option<String>, Option<String>, Vec<String>, Option<(String, Option<usize>)>);

/// PP018 and PP019: `*` field lists, settings that cannot work or contradict.
fn settings(a: &Analysis, out: &mut Vec<ChannelFinding>) {
    let t = &a.tenant;
    let ch = &t.channels;
    let raw = &t.raw.site_settings;
    // Per lower-case table name: (enabled value, fields value, setting names as written).
    let mut by_table: BTreeMap<String, TableSettings> = BTreeMap::new();
    for (name, &i) in &ch.settings {
        let Some((table, what)) = webapi_setting(name) else { continue };
        let value = raw.get(i).map(|s| s.value.clone()).unwrap_or_default();
        let written = raw.get(i).map(|s| s.name.clone()).unwrap_or_else(|| name.clone());
        let e = by_table.entry(table).or_default();
        let origin = raw.get(i).and_then(|s| at(&s.origin));
        match what.as_str() {
            "enabled" => {
                e.0 = Some(value);
                e.3 = origin.or(e.3.take());
            }
            "fields" => {
                e.1 = Some(value);
                e.3 = e.3.take().or(origin);
            }
            _ => e.3 = e.3.take().or(origin),
        }
        e.2.push(written);
    }
    let covered: Vec<String> = t.permissions.iter().map(|p| t.tables[p.table as usize].name.to_ascii_lowercase()).collect();
    for (table, (enabled, fields, names, place)) in &by_table {
        let fields_at = t.channels.settings.get(&format!("webapi/{table}/fields")).and_then(|&i| raw.get(i)).and_then(|s| at(&s.origin));
        let on = enabled.as_deref().is_some_and(is_true);
        let list = fields.as_deref().map(field_list).unwrap_or_default();
        if list.iter().any(|k| k == "*") {
            out.push(ChannelFinding {
                id: "PP018",
                error: false,
                at: fields_at.clone(),
                subject: format!("Webapi/{table}/fields"),
                message: format!(
                    "`Webapi/{table}/fields` is `*`: every column of `{table}` is exposed on runtimes that honour it{}, and requests fail on runtimes that refuse it; list the columns",
                    if on { "" } else { " (the table is not enabled now)" }
                ),
            });
        }
        let mut problem = |message: String| {
            out.push(ChannelFinding { id: "PP019", error: false, subject: format!("Webapi/{table}"), message, at: place.clone() })
        };
        if on && list.is_empty() {
            problem(format!("`Webapi/{table}/enabled` is `true` but `Webapi/{table}/fields` lists no column: every Web API request on `{table}` fails"));
        }
        if fields.is_some() && !on {
            problem(format!("`Webapi/{table}/fields` is set but `Webapi/{table}/enabled` is not `true`: the table is closed to the Web API"));
        }
        if !covered.contains(table) {
            problem(format!(
                "Web API settings {} name table `{table}`, which no table permission covers: every request is refused",
                ticks(names)
            ));
        }
    }
    for (name, idx) in &ch.duplicates {
        let shown = raw.get(idx[idx.len() - 1]).map(|s| s.name.clone()).unwrap_or_else(|| name.clone());
        let values: Vec<String> = idx.iter().filter_map(|&i| raw.get(i)).map(|s| s.value.clone()).collect();
        out.push(ChannelFinding {
            id: "PP019",
            error: false,
            at: raw.get(idx[idx.len() - 1]).and_then(|s| at(&s.origin)),
            subject: shown.clone(),
            message: format!(
                "{} active settings named `{shown}` (values {}): the last one wins here, the runtime may pick another",
                idx.len(),
                ticks(&values)
            ),
        });
    }
}

/// PP020: open registration with an authenticated-users role holding a
/// Global-anchored read on customer data.
fn registration(a: &Analysis, out: &mut Vec<ChannelFinding>) {
    let (t, g) = (&a.tenant, &a.grants);
    // C8 from the settings alone; the channel index only where settings
    // may open a table (C2).
    if !crate::engine::channels::registration_open(t) {
        return;
    }
    let open = |tb| !t.channels.is_empty() && a.channel_index().open(tb);
    let customer = crate::answer::lint::context::customer_tables(a);
    let d = &g.derived;
    // Messages name a permission by display name, the id only where shared.
    let names = crate::model::names::Names::new(t, false);
    for &n in &d.cand_all {
        let p = &t.permissions[n as usize];
        if !p.privileges.has(Privilege::Read) || !customer[p.table as usize] {
            continue;
        }
        let loaded = !t.tables[p.table as usize].ids.is_empty();
        let rows = if d.in_all.binary_search(&n).is_ok() {
            t.tables[p.table as usize].ids.len()
        } else {
            let lo = d.in_g.partition_point(|e| e.0 < n);
            d.in_g[lo..].iter().take_while(|e| e.0 == n).count()
        };
        // Without rows (A5): the newcomer's possible pattern under a Global top.
        let global = if loaded {
            d.in_all.binary_search(&n).is_ok() || rows > 0
        } else {
            a.patterns().of_table(p.table).iter().any(|x| x.perm == n && x.class == Class::Newcomer && x.possible && !x.unsure && x.top == Top::Every)
        };
        if !global {
            continue;
        }
        let table = &t.tables[p.table as usize].name;
        let rows = if loaded {
            plural(rows, "row", "rows")
        } else if p.scope == crate::model::Scope::Global {
            "every row (no rows loaded)".to_string()
        } else {
            "the rows related to its Global parent's rows (no rows loaded)".to_string()
        };
        out.push(ChannelFinding {
            id: "PP020",
            error: true,
            at: at(&p.origin),
            subject: p.id.clone(),
            message: format!(
                "registration is open and `{}` is held by every signed-in contact with a Global-anchored read on `{table}`, which holds customer data: anyone who signs up reads {}{}",
                names.perm(n),
                rows,
                if open(p.table) { " (the table is open to /_api/)" } else { "" }
            ),
        });
    }
}

/// PP021: components with table permissions off.
fn components(a: &Analysis, out: &mut Vec<ChannelFinding>) {
    let t = &a.tenant;
    for c in t.channels.components.iter().filter(|c| c.active && !c.permissions_enabled) {
        let table = &t.tables[c.table as usize].name;
        let rows = t.tables[c.table as usize].ids.len();
        let feed = c.kind == ComponentKind::List && c.odata_enabled;
        let what = match c.kind {
            ComponentKind::List => "list",
            ComponentKind::Form => "basic form",
            ComponentKind::FormStep => "advanced form step",
        };
        let name = if c.name.is_empty() { format!("`{}`", c.id) } else { format!("{} (`{}`)", c.name, c.id) };
        out.push(ChannelFinding {
            id: "PP021",
            error: feed,
            at: t.raw.components.iter().find(|r| r.id == c.id).and_then(|r| at(&r.origin)),
            subject: c.id.clone(),
            message: format!(
                "{what} {name} on `{table}` has table permissions off: on runtimes before June 2026 every visitor of its page reads every row ({}){}",
                plural(rows, "row", "rows"),
                if feed { ", and its OData feed serves them to anyone" } else { "" }
            ),
        });
    }
}
