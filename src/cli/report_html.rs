//! `report TENANT -o report.html`: the security review ([`crate::answer::report`])
//! as one self-contained HTML page for a person who will not run a command
//! line. Inline CSS and an inline SVG picture ([`super::svg`]); no script,
//! no font, image or style fetched from anywhere (a Content-Security-Policy
//! of `default-src 'none'` says so to the browser too), readable with
//! scripts disabled and printable. Every piece of tenant text is escaped
//! with `html-escape`. The page carries no date, so the same tenant gives
//! the same bytes.

use super::explain;
use super::picture;
use crate::answer::lint;
use crate::answer::query::Analysis;
use crate::answer::report::{self, BypassSection, MatrixEntry, Outsider, SecurityReport};
use crate::answer::rule_text;
use crate::error::LoadError;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a report was not written.
#[derive(Debug, Error)]
pub enum ReportError {
    /// The tenant did not load.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// `-o` names an input, or a place inside the tenant folder.
    #[error("{file}: refusing to write over an input file ({why}); give -o a new file")]
    Input {
        /// The output asked for.
        file: String,
        /// What it is.
        why: String,
    },
    /// The file could not be written.
    #[error("cannot write `{file}`: {reason}")]
    Write {
        /// The output asked for.
        file: String,
        /// What went wrong.
        reason: String,
    },
}

impl ReportError {
    /// The exit code: 2 for bad input or usage, 1 for a failed write.
    pub fn exit_code(&self) -> u8 {
        match self {
            ReportError::Write { .. } => 1,
            _ => 2,
        }
    }
}

/// `output` with its folder resolved (the file itself may not exist yet).
fn resolved(output: &Path) -> Option<PathBuf> {
    if let Ok(p) = output.canonicalize() {
        return Some(p);
    }
    let name = output.file_name()?;
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(parent.canonicalize().ok()?.join(name))
}

/// Refuses an output that is the tenant file, or inside the tenant folder
/// (no command writes to an input file).
pub fn check_output(tenant: &Path, output: &Path) -> Result<(), ReportError> {
    let refuse = |why: String| ReportError::Input { file: output.display().to_string(), why };
    let (Some(out), Ok(input)) = (resolved(output), tenant.canonicalize()) else { return Ok(()) };
    if input == out {
        return Err(refuse("it is the tenant file".to_string()));
    }
    if input.is_dir() && out.starts_with(&input) {
        return Err(refuse(format!("it is inside the tenant folder `{}`", input.display())));
    }
    Ok(())
}

/// What `report` wrote.
#[derive(Debug, Clone)]
pub struct Written {
    /// The report's data.
    pub report: SecurityReport,
    /// Bytes written.
    pub bytes: usize,
}

/// Loads `tenant`, builds its report and writes it to `output` as HTML.
/// `phase` is called as each phase starts (the front end shows progress).
pub fn write(tenant: &Path, output: &Path, phase: &mut dyn FnMut(&str)) -> Result<Written, ReportError> {
    check_output(tenant, output)?;
    phase("loading and deriving");
    let linted = lint::load(tenant)?;
    phase("building the report");
    let report = report::build(&linted);
    let html = render(&report, &linted.analysis);
    phase("writing");
    std::fs::write(output, &html)
        .map_err(|e| ReportError::Write { file: output.display().to_string(), reason: e.to_string() })?;
    Ok(Written { report, bytes: html.len() })
}

const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; margin: 0; color: #1b1b1b; background: #fafafa; line-height: 1.4; }
header { background: #1a3a5c; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px 0; font-size: 24px; }
header p { margin: 0; opacity: 0.9; }
nav { padding: 8px 28px; background: #e9eef4; border-bottom: 1px solid #cfd8e3; }
nav a { margin-right: 18px; color: #1a3a5c; }
main { padding: 8px 28px 40px 28px; }
section { margin-top: 26px; }
h2 { font-size: 19px; border-bottom: 2px solid #1a3a5c; padding-bottom: 3px; }
h3 { font-size: 16px; margin-bottom: 4px; }
table { border-collapse: collapse; background: #fff; margin: 6px 0 10px 0; }
th, td { border: 1px solid #cfd8e3; padding: 4px 8px; text-align: left; vertical-align: top; font-size: 13px; }
th { background: #eef2f7; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { background: #fff; border: 1px solid #cfd8e3; border-radius: 6px; padding: 10px 14px; min-width: 120px; }
.card .v { font-size: 22px; font-weight: 600; }
.card .k { font-size: 12px; color: #555; }
.sev { display: inline-block; border-radius: 3px; padding: 0 6px; font-size: 12px; font-weight: 600; color: #fff; }
.sev-error { background: #b42318; }
.sev-warning { background: #b54708; }
.sev-info { background: #475467; }
.open { color: #b42318; font-weight: 600; }
.closed { color: #067647; font-weight: 600; }
.id { color: #667085; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 11px; }
.loc { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
.perm { margin-bottom: 6px; }
.perm .scope { color: #344054; }
.faded { color: #98a2b3; }
.none { color: #667085; font-style: italic; }
.picture { overflow: auto; border: 1px solid #cfd8e3; background: #fff; max-width: 100%; }
.zero { color: #98a2b3; }
.hot { background: #fef3f2; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; background: #eef2f7; padding: 0 3px; border-radius: 3px; }
a.rule { color: #1a3a5c; text-decoration: none; border-bottom: 1px dotted #1a3a5c; }
tr.group th { background: #1a3a5c; color: #fff; }
.rule-summary { color: #475467; font-size: 12px; }
dl.rules dt { margin-top: 8px; }
dl.rules dd { margin: 2px 0 0 24px; max-width: 60em; }
.picture svg { max-width: 100%; height: auto; }
footer { color: #667085; font-size: 12px; padding: 10px 28px 30px 28px; }
@media print { nav { display: none; } .picture { overflow: visible; } }
"#;

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The rule ids a page cites, for its closing section.
type Cited = RefCell<BTreeSet<String>>;

/// Text for the page: HTML-escaped, Markdown's `code` set as `<code>`
/// (never a literal backtick), and every rule id outside code (`S13`,
/// `C8`; not lint ids such as `PP001`) a link to its paragraph at the end of
/// the page, which [`rules`] writes from `docs/rules.md`.
fn prose(s: &str, cited: &Cited) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let parts: Vec<&str> = s.split('`').collect();
    // An unpaired backtick stays text.
    let paired = parts.len() % 2 == 1;
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 && (paired || i + 1 < parts.len()) {
            let _ = write!(out, "<code>{}</code>", text(part));
        } else {
            if i % 2 == 1 {
                out.push('`');
            }
            out.push_str(&emphasis(&cite(&text(part), cited)));
        }
    }
    out
}

/// Markdown's `*emphasis*` as `<em>`, when the stars pair up.
fn emphasis(s: &str) -> String {
    if !s.contains('*') || s.matches('*').count() % 2 == 1 {
        return s.to_string();
    }
    let mut open = false;
    s.chars()
        .map(|c| match c {
            '*' => {
                open = !open;
                if open { "<em>" } else { "</em>" }.to_string()
            }
            c => c.to_string(),
        })
        .collect()
}

/// Links the rule ids of escaped text (see [`prose`]).
fn cite(escaped: &str, cited: &Cited) -> String {
    let mut out = String::with_capacity(escaped.len());
    let mut word = String::new();
    let mut prev: Option<char> = None;
    let flush = |word: &mut String, next: Option<char>, prev: Option<char>, out: &mut String| {
        let joined = |c: Option<char>| matches!(c, Some('-' | '_' | '/' | '.' | '&' | ';' | ':'));
        if rule_text::is_rule_id(word) && !joined(prev) && !joined(next) && rule_text::rule(word).is_some() {
            let _ = write!(out, "<a class=\"rule\" href=\"#rule-{w}\">{w}</a>", w = word);
            cited.borrow_mut().insert(word.clone());
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    let mut before_word: Option<char> = None;
    for c in escaped.chars() {
        if c.is_alphanumeric() {
            if word.is_empty() {
                before_word = prev;
            }
            word.push(c);
        } else {
            if !word.is_empty() {
                flush(&mut word, Some(c), before_word, &mut out);
            }
            out.push(c);
        }
        prev = Some(c);
    }
    if !word.is_empty() {
        flush(&mut word, None, before_word, &mut out);
    }
    out
}

/// The closing section: each cited rule's paragraph from `docs/rules.md`,
/// in the document's order.
fn rules(out: &mut String, cited: &Cited) {
    let ids = cited.borrow().clone();
    if ids.is_empty() {
        return;
    }
    out.push_str("<section id=\"rules\">\n<h2>The rules cited</h2>\n");
    let _ = writeln!(
        out,
        "<p>What each rule id on this page means, in plain words ({} in the portal-access repository).</p>\n<dl class=\"rules\">",
        text(rule_text::RULES_PATH)
    );
    let quiet = Cited::default();
    for r in rule_text::all().into_iter().filter(|r| ids.contains(r.id)) {
        let _ = writeln!(
            out,
            "<dt id=\"rule-{id}\"><b>{id}</b> {}</dt><dd>{}</dd>",
            prose(r.title, &quiet),
            prose(&r.text, &quiet),
            id = text(r.id)
        );
    }
    out.push_str("</dl>\n</section>\n");
}

/// The subject of a finding for a person: a permission or role by display
/// name (the id only where two share the name), anything else as it is.
fn subject(a: &Analysis, names: &crate::model::Names, s: &str) -> String {
    let t = &a.tenant;
    if let Some(n) = t.perm_id(s) {
        return format!("permission {}", text(names.perm(n)));
    }
    if let Some(r) = t.role_id(s) {
        return format!("web role {}", text(names.role(r)));
    }
    text(s).into_owned()
}

fn card(out: &mut String, value: &str, key: &str) {
    let _ = write!(out, "<div class=\"card\"><div class=\"v\">{}</div><div class=\"k\">{}</div></div>", text(value), text(key));
}

fn summary(out: &mut String, r: &SecurityReport, cited: &Cited) {
    let s = &r.summary;
    out.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">");
    card(out, &s.rows.to_string(), &format!("rows in {}", plural(s.tables as u64, "table", "tables")));
    card(out, &s.contacts.to_string(), "contacts");
    card(out, &s.accounts.to_string(), "accounts");
    card(out, &s.web_roles.to_string(), "web roles");
    card(out, &s.table_permissions.to_string(), "table permissions");
    card(out, &s.links.to_string(), "links between rows");
    out.push_str("</div>\n<table class=\"facts\">\n");
    let reg = &r.registration;
    let _ = writeln!(
        out,
        "<tr><th>Registration</th><td id=\"registration\"><span class=\"{}\">{}</span>{}</td></tr>",
        if reg.open { "open" } else { "closed" },
        prose(&reg.text(), cited),
        if reg.open {
            prose(" — anyone on the internet can sign up and then holds every authenticated users role (C8, C9)", cited)
        } else {
            String::new()
        }
    );
    let c = &r.counts;
    let _ = writeln!(
        out,
        "<tr><th>Findings</th><td id=\"finding-counts\"><span class=\"sev sev-error\">{}</span> <span class=\"sev sev-warning\">{}</span> <span class=\"sev sev-info\">{}</span></td></tr>",
        plural(c.error as u64, "error", "errors"),
        plural(c.warning as u64, "warning", "warnings"),
        plural(c.info as u64, "info", "info")
    );
    for o in &r.outsiders {
        let read = |t: &&report::OutsiderTable| t.privileges.iter().any(|p| p.0 == "read" && p.1 > 0) || t.every_row.contains(&"read");
        let rows: u64 = o.tables.iter().filter_map(|t| t.privileges.iter().find(|p| p.0 == "read")).map(|p| p.1).sum();
        let every: Vec<String> =
            o.tables.iter().filter(|t| t.every_row.contains(&"read")).map(|t| format!("<b>{}</b>", text(&t.table))).collect();
        let every = if every.is_empty() { String::new() } else { format!("; every row of {}", every.join(", ")) };
        let _ = writeln!(
            out,
            "<tr><th>{}</th><td>reads {} on {}{every}</td></tr>",
            text(&o.title),
            plural(rows, "row", "rows"),
            plural(o.tables.iter().filter(read).count() as u64, "table", "tables"),
        );
    }
    if let Some(b) = &r.bypass {
        let said = if b.pairs == 0 { "none".to_string() } else { bypass_sentence(b) };
        let _ = writeln!(out, "<tr><th>F&amp;O bypass</th><td id=\"bypass-count\">{said}</td></tr>");
    }
    out.push_str("</table>\n</section>\n");
}

fn findings(out: &mut String, r: &SecurityReport, a: &Analysis, cited: &Cited) {
    let names = crate::model::Names::new(&a.tenant, false);
    out.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    if r.findings.is_empty() {
        out.push_str("<p class=\"none\">No findings.</p>\n</section>\n");
        return;
    }
    out.push_str("<p>Most severe first: errors (access that should not be there, or configuration that cannot work), warnings, then notes.</p>\n");
    out.push_str("<table id=\"findings-table\">\n<thead><tr><th>Severity</th><th>Rule</th><th>About</th><th>What happens</th><th>Where</th></tr></thead>\n<tbody>\n");
    let mut group = None;
    for f in &r.findings {
        if group != Some(f.severity) {
            group = Some(f.severity);
            let (heading, n) = match f.severity {
                lint::Severity::Error => ("Errors", r.counts.error),
                lint::Severity::Warning => ("Warnings", r.counts.warning),
                lint::Severity::Info => ("Notes", r.counts.info),
            };
            let _ = writeln!(
                out,
                "<tr class=\"group\" id=\"findings-{}\"><th colspan=\"5\">{heading} ({n})</th></tr>",
                f.severity.name()
            );
        }
        let loc = match &f.location {
            Some(l) => match l.line {
                Some(n) => format!("{}:{n}", l.file),
                None => l.file.clone(),
            },
            None => String::new(),
        };
        let (name, summary) = lint::rule(f.id).map_or(("", ""), |x| (x.name, x.summary));
        let _ = writeln!(
            out,
            "<tr class=\"finding\"><td><span class=\"sev sev-{s}\">{s}</span></td><td title=\"{}\">{}<br><span class=\"id\">{}</span></td><td>{}</td><td>{}<br><span class=\"rule-summary\">{}</span></td><td class=\"loc\">{}</td></tr>",
            attr(name),
            text(f.id),
            text(name),
            subject(a, &names, &f.subject),
            prose(&f.message, cited),
            prose(summary, cited),
            text(&loc),
            s = f.severity.name()
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// The server logic and cloud flows an outsider may call (surfaces.md).
fn endpoints(out: &mut String, o: &Outsider) {
    if o.endpoints.is_empty() {
        return;
    }
    out.push_str("<p>May call:</p>\n<ul class=\"endpoints\">\n");
    for e in &o.endpoints {
        let what = if e.kind == "serverlogic" { "server logic" } else { "cloud flow" };
        let tables: Vec<String> =
            e.tables.iter().map(|t| format!("{} {} ({} rows)", text(&t.table), text(&t.privileges.join("/")), t.rows)).collect();
        let unbounded = if e.unbounded { ", <strong>unbounded</strong>" } else { "" };
        let reach = if tables.is_empty() { "no table".to_string() } else { tables.join(", ") };
        let _ = writeln!(out, "<li>{what} <code>{}</code> ({}){unbounded}: {reach}</li>", text(&e.name), text(&e.methods.join(", ")));
    }
    out.push_str("</ul>\n");
}

fn outsider(out: &mut String, o: &Outsider, cited: &Cited) {
    let _ = writeln!(out, "<div class=\"outsider\" id=\"outsider-{}\">", attr(&o.visitor));
    let _ = writeln!(out, "<h3>{}</h3>\n<p>{}.</p>", text(&o.title), prose(&o.description, cited));
    if o.roles.is_empty() {
        out.push_str("<p>Holds no active role.</p>\n");
    } else {
        let roles: Vec<String> = o.roles.iter().map(|r| text(r).into_owned()).collect();
        let _ = writeln!(out, "<p>Holds: {}.</p>", roles.join(", "));
    }
    endpoints(out, o);
    if o.tables.is_empty() {
        out.push_str("<p class=\"none\">Can read, change or create nothing.</p>\n</div>\n");
        return;
    }
    out.push_str("<table class=\"reach\">\n<thead><tr><th>Table</th><th class=\"num\">rows in table</th>");
    if let Some(first) = o.tables.first() {
        for (p, _) in &first.privileges {
            let _ = write!(out, "<th class=\"num\">{}</th>", text(p));
        }
    }
    for c in &o.extra_columns {
        let _ = write!(out, "<th>{}</th>", text(c));
    }
    out.push_str("<th>through</th></tr></thead>\n<tbody>\n");
    for t in &o.tables {
        let _ = write!(out, "<tr><td>{}</td><td class=\"num\">{}</td>", text(&t.table), t.table_rows);
        for (p, n) in &t.privileges {
            let every = t.every_row.contains(p);
            let v = if *p == "create" {
                if *n > 0 { "yes" } else { "no" }.to_string()
            } else if every {
                format!("every row ({n})")
            } else {
                n.to_string()
            };
            let class = if *n == 0 && !every { "num zero" } else { "num hot" };
            let _ = write!(out, "<td class=\"{class}\">{v}</td>");
        }
        for v in &t.extra {
            let class = if v == "—" || v == "closed" { "zero" } else { "hot" };
            let _ = write!(out, "<td class=\"web {class}\">{}</td>", text(v));
        }
        let via: Vec<String> = t.via.iter().map(|v| text(v).into_owned()).collect();
        let _ = writeln!(out, "<td>{}</td></tr>", via.join("<br>"));
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

fn outsiders(out: &mut String, r: &SecurityReport, cited: &Cited) {
    out.push_str("<section id=\"outsiders\">\n<h2>What anyone on the internet can reach</h2>\n");
    out.push_str("<p>");
    out.push_str(&prose("Rows each outsider may read, write, delete, append and append to, table by table, and whether it may create rows there: the anonymous visitor (S4), and the newcomer who signs up while registration is open (C8, C9, C10).", cited));
    if r.outsiders.iter().any(|o| !o.extra_columns.is_empty()) {
        out.push(' ');
        out.push_str(&prose("Where a table is open to the Web API (`/_api/`), the columns each may read and update through it (C2, C6, C7).", cited));
    }
    out.push_str("</p>\n");
    for o in &r.outsiders {
        outsider(out, o, cited);
    }
    out.push_str("</section>\n");
}

/// `2 visitors can read 11 rows straight from F&O that the portal does not
/// grant them (20 visitor and row pairs)`, HTML-escaped.
fn bypass_sentence(b: &BypassSection) -> String {
    let rows: usize = b.tables.values().map(|c| c.rows).sum();
    format!(
        "{} can read {} straight from F&amp;O that the portal does not grant them ({})",
        plural(b.visitors as u64, "visitor", "visitors"),
        plural(rows as u64, "row", "rows"),
        plural(b.pairs as u64, "visitor and row pair", "visitor and row pairs")
    )
}

/// The F&O bypass (finance-operations.md F8), bounded: counts per table,
/// then per visitor and table the first rows.
fn bypass(out: &mut String, b: &BypassSection, cited: &Cited) {
    out.push_str("<section id=\"bypass\">\n<h2>Finance and Operations data around the portal</h2>\n");
    out.push_str("<p>");
    out.push_str(&prose("Rows of F&O virtual tables a visitor may read straight from the F&O data entity, as the F&O user it runs as, and not through the portal (F7, F8): web roles restrict only what the portal shows (F6); XDS policies decide what the data entity gives (F5). A correctly secured site has none. The newcomer has no F&O user and reaches no virtual table (F2)", cited));
    match &b.anonymous_user {
        Some(u) => {
            let _ = writeln!(out, "; the anonymous visitor runs as <b>{}</b>.</p>", text(u));
        }
        None => out.push_str("; nor does the anonymous visitor, which runs as no F&amp;O user.</p>\n"),
    }
    if b.pairs == 0 {
        out.push_str("<p class=\"none\" id=\"bypass-none\">No bypass: the XDS policies are at least as narrow as the web roles.</p>\n</section>\n");
        return;
    }
    let _ = writeln!(out, "<p id=\"bypass-total\"><span class=\"open\">{}.</span></p>", bypass_sentence(b));
    out.push_str("<table id=\"bypass-summary\">\n<thead><tr><th>Table</th><th class=\"num\">visitors</th><th class=\"num\">rows</th></tr></thead>\n<tbody>\n");
    for (table, c) in &b.tables {
        let _ = writeln!(out, "<tr><td>{}</td><td class=\"num hot\">{}</td><td class=\"num hot\">{}</td></tr>", text(table), c.visitors, c.rows);
    }
    out.push_str("</tbody>\n</table>\n");
    out.push_str("<table id=\"bypass-table\">\n<thead><tr><th>Visitor</th><th>F&amp;O user</th><th>Table</th><th class=\"num\">rows</th><th>Rows</th></tr></thead>\n<tbody>\n");
    for e in &b.entries {
        let id = |x: &str| x.split_once(':').map_or(x, |(_, id)| id).to_string();
        let mut rows: Vec<String> = e.first.iter().map(|x| text(&id(x)).into_owned()).collect();
        if e.rows > e.first.len() {
            rows.push(format!("and {} more", e.rows - e.first.len()));
        }
        let _ = writeln!(
            out,
            "<tr class=\"bypass\"><td>{}</td><td>{}</td><td>{}</td><td class=\"num hot\">{}</td><td class=\"loc\">{}</td></tr>",
            text(&e.visitor),
            text(&e.user),
            text(&e.table),
            e.rows,
            rows.join("<br>")
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if b.more_entries > 0 {
        let _ = writeln!(
            out,
            "<p class=\"none\">And {} more (visitor, table) pairs: <code>portal-access bypass</code> lists every row.</p>",
            b.more_entries
        );
    }
    out.push_str("</section>\n");
}

fn entry_html(e: &MatrixEntry, names: &crate::model::Names, cited: &Cited) -> String {
    let scope = match &e.relationship {
        Some(rel) => format!("{} ({})", e.scope, rel),
        None => e.scope.to_string(),
    };
    let privileges = if e.privileges.is_empty() { "no privileges".to_string() } else { e.privileges.join(", ") };
    let inactive = if e.live { "" } else { " faded" };
    let rows = if e.live { text(&plural(e.rows, "row", "rows")).into_owned() } else { prose("inactive: no rows (S7)", cited) };
    format!(
        "<div class=\"perm{inactive}\"><b>{}</b><br><span class=\"scope\">{}</span> · {} · {rows}</div>",
        text(names.perm_id(&e.id)),
        text(&scope),
        text(&privileges),
    )
}

fn matrix(out: &mut String, r: &SecurityReport, names: &crate::model::Names, cited: &Cited) {
    out.push_str("<section id=\"matrix\">\n<h2>Web roles by table</h2>\n");
    out.push_str("<p>");
    out.push_str(&prose("Each cell lists the table permissions a role holds on a table (through the trees whose root lists the role, S6): scope, privileges, and the rows the permission admits to those who hold it (S9 to S13, S16).", cited));
    out.push_str("</p>\n");
    if r.matrix.is_empty() {
        out.push_str("<p class=\"none\">No table permissions.</p>\n</section>\n");
        return;
    }
    let unheld = r.matrix.iter().any(|m| !m.unheld.is_empty());
    out.push_str("<table id=\"matrix-table\">\n<thead><tr><th>Table</th>");
    for role in &r.roles {
        let who = if !role.active {
            "inactive: held by nobody".to_string()
        } else if role.anonymous {
            "the anonymous visitor".to_string()
        } else if role.authenticated {
            format!("every contact ({})", role.contacts)
        } else {
            plural(role.contacts, "contact", "contacts")
        };
        let _ = write!(out, "<th>{}<br><span class=\"k\">{}</span></th>", text(names.role_id(&role.id)), text(&who));
    }
    if unheld {
        out.push_str("<th>held by no active role</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for m in &r.matrix {
        let _ = write!(out, "<tr><td><b>{}</b><br><span class=\"id\">{}</span></td>", text(&m.table), plural(m.rows, "row", "rows"));
        for cell in &m.cells {
            let inner: String = cell.iter().map(|e| entry_html(e, names, cited)).collect();
            let _ = write!(out, "<td>{inner}</td>");
        }
        if unheld {
            let inner: String = m.unheld.iter().map(|e| entry_html(e, names, cited)).collect();
            let _ = write!(out, "<td class=\"faded\">{inner}</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn forest(out: &mut String, a: &Analysis, cited: &Cited) {
    out.push_str("<section id=\"forest\">\n<h2>The permission forest</h2>\n");
    out.push_str("<p>");
    out.push_str(&prose("Web roles (left) hold the trees whose root lists them (S6); each child permission is reached from its parent through the relationship on its edge (S13). Dashed boxes are inactive or under an inactive permission (S7).", cited));
    out.push_str("</p>\n");
    match explain::forest(a, None) {
        Ok(f) if !f.nodes.is_empty() => {
            let svg = super::svg::to_svg(&picture::forest_picture_named(a, &f), "forest", "the permission forest");
            let _ = write!(out, "<div class=\"picture\">\n{svg}</div>\n");
        }
        _ => out.push_str("<p class=\"none\">No table permissions.</p>\n"),
    }
    out.push_str("</section>\n");
}

/// The report as one HTML page.
pub fn render(r: &SecurityReport, a: &Analysis) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>Security review: {}</title>", text(&r.source));
    let _ = writeln!(out, "<style>{CSS}</style>\n</head>\n<body>");
    let _ = writeln!(
        out,
        "<header><h1>Security review</h1><p>Power Pages site configuration <b>{}</b> — who can read and change which rows</p></header>",
        text(&r.source)
    );
    out.push_str("<nav><a href=\"#summary\">Summary</a><a href=\"#outsiders\">Outsiders</a><a href=\"#findings\">Findings</a>");
    if r.bypass.is_some() {
        out.push_str("<a href=\"#bypass\">F&amp;O bypass</a>");
    }
    out.push_str("<a href=\"#matrix\">Roles by table</a><a href=\"#forest\">Permission forest</a><a href=\"#rules\">Rules</a></nav>\n<main>\n");
    let cited = Cited::default();
    let incomplete = a.incomplete();
    if !incomplete.is_empty() {
        let _ = write!(
            out,
            "<p class=\"incomplete\"><b>Incomplete:</b> {} could not be read and {} dropped, so this review may miss grants (lint PP044):</p>\n<ul class=\"incomplete\">",
            plural(incomplete.len() as u64, "site record", "site records"),
            if incomplete.len() == 1 { "was" } else { "were" }
        );
        for line in &incomplete {
            let _ = write!(out, "<li>{}</li>", text(line));
        }
        out.push_str("</ul>\n");
    }
    summary(&mut out, r, &cited);
    outsiders(&mut out, r, &cited);
    findings(&mut out, r, a, &cited);
    if let Some(b) = &r.bypass {
        bypass(&mut out, b, &cited);
    }
    matrix(&mut out, r, &crate::model::Names::new(&a.tenant, false), &cited);
    forest(&mut out, a, &cited);
    rules(&mut out, &cited);
    out.push_str("</main>\n");
    let _ = writeln!(
        out,
        "<footer>Written by portal-access {} (<code>portal-access report</code>). Rule ids such as S13 or C8 link to their explanation at the end of the page; PP001 and up are the lint rules. This page loads nothing from anywhere.</footer>",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("</body>\n</html>\n");
    out
}
