//! The REPL's command handlers, one function a command, named in the
//! command table of `session`. A child of `session` so that each reads
//! the session directly.

use super::*;

pub(super) fn cmd_can(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let ans = s.analysis.can(p.req(0), p.req(1), p.req(2))?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&ans)));
    }
    let mut out = text::render_can(&ans, &s.analysis.tenant, &s.names, &s.painter);
    out.push_str(&crate::cli::text_finance::can_direct(&ans, &s.analysis.tenant, &s.names));
    Ok(Output::text(out))
}

pub(super) fn cmd_columns(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let ans = s.analysis.columns(p.req(0), p.req(1))?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&ans)));
    }
    Ok(Output::text(crate::cli::channels::render_columns(&ans, &s.analysis.tenant, &s.names, &s.painter)))
}

pub(super) fn cmd_exposure(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let ans = s.analysis.exposure(p.value("--visitor"))?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&ans)));
    }
    Ok(Output::text(crate::cli::channels::render_exposure(&ans, &s.analysis.tenant, &s.names, &s.painter)))
}

pub(super) fn cmd_reach(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let ans = s.analysis.reach(p.req(0))?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&ans)));
    }
    Ok(Output::text(crate::cli::surfaces::render_reach(&ans, &s.analysis.tenant, &s.names, &s.painter)))
}

pub(super) fn cmd_who(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    if matches!(p.req(0), "open" | "invoke") {
        let a = &s.analysis;
        let ans = if p.req(0) == "open" { a.who_open(p.req(1))? } else { a.who_invoke(p.req(1))? };
        if s.wants_json(p) {
            return Ok(Output::text(json_line(&ans)));
        }
        return Ok(Output::text(crate::cli::surfaces::render_who_surface(&ans, &s.analysis.tenant, &s.names, &s.painter)));
    }
    if let Some(col) = p.value("--column") {
        let ans = s.analysis.who_column(p.req(0), p.req(1), col)?;
        if s.wants_json(p) {
            return Ok(Output::text(json_line(&ans)));
        }
        return Ok(Output::text(crate::cli::channels::render_who_column(&ans, &s.analysis.tenant, &s.names, &s.painter)));
    }
    if p.req(0) != "create" && !p.req(1).contains(':') {
        // A6: who on a table, by access patterns.
        let ans = s.analysis.who_table(p.req(0), p.req(1))?;
        if s.wants_json(p) {
            return Ok(Output::text(json_line(&ans)));
        }
        return Ok(Output::text(crate::cli::text_patterns::render_who_table(&ans, &s.names, &s.painter)));
    }
    let ans = s.analysis.who(p.req(0), p.req(1))?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&ans)));
    }
    let mut out = text::render_who(&ans, &s.analysis.tenant, &s.names, &s.painter);
    out.push_str(&crate::cli::text_finance::who_direct(&ans));
    Ok(Output::text(out))
}

pub(super) fn cmd_what(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let ans = s.analysis.what(p.req(0), p.req(1), p.value("--table"))?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&ans)));
    }
    Ok(Output::text(text::render_what(&ans, &s.analysis.tenant, &s.names)))
}

pub(super) fn cmd_bypass(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let ans = s.analysis.bypass(p.value("--visitor"), p.value("--table"))?;
    if s.wants_json(p) {
        return Ok(Output::text(crate::cli::text_finance::bypass_json_lines(&ans)));
    }
    Ok(Output::text(crate::cli::text_finance::render_bypass(&ans, &s.analysis.tenant, &s.names, &s.painter)))
}

pub(super) fn cmd_why(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let json = s.wants_json(p);
    s.why(p.req(0), p.req(1), p.req(2), p.flag("--dot"), p.value("--svg"), json)
}

pub(super) fn cmd_grants(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let json = s.wants_json(p);
    let limit: Option<usize> = match p.value("--limit").and_then(|v| v.parse::<usize>().ok()) {
        Some(0) => None,
        Some(n) => Some(n),
        None if json => None,
        None => Some(100),
    };
    let a = &s.analysis;
    let table = p.value("--table").map(|t| a.table(t)).transpose()?;
    let mut lines: Vec<GrantLine> = Vec::new();
    let mut more = false;
    'outer: for v in a.visitors() {
        for g in a.grants_of(v, table) {
            if limit.is_some_and(|l| lines.len() >= l) {
                more = true;
                break 'outer;
            }
            lines.push(g);
        }
    }
    let mut out = String::new();
    if json {
        for g in &lines {
            out.push_str(&json_line(g));
        }
        return Ok(Output::text(out));
    }
    if lines.is_empty() {
        return Ok(Output::text("no grants\n".to_string()));
    }
    let mut t = TextTable::new(&["VISITOR", "PRIVILEGE", "TARGET"]);
    for g in &lines {
        let tenant = &s.analysis.tenant;
        let target = match &g.row {
            Some(r) => s.names.reference(tenant, r).into_owned(),
            None => g.target().to_string(),
        };
        t.row(&[s.names.contact(tenant, &g.visitor).as_ref(), g.privilege.as_str(), target.as_str()]);
    }
    t.render(&s.painter, &mut out);
    if more {
        let n = lines.len();
        out.push_str(
            &s.painter
                .paint(&format!("(the first {n} grants; `grants --limit N` shows more, `--limit 0` all)"), Style::Dim),
        );
        out.push('\n');
    }
    Ok(Output::text(out))
}

pub(super) fn cmd_roles(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let ans = explain::roles(&s.analysis, p.req(0))?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&ans)));
    }
    Ok(Output::text(explain::render_roles(&ans, &s.analysis.tenant, &s.names, &s.painter)))
}

pub(super) fn cmd_tree(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let json = s.wants_json(p);
    s.tree(p.arg(0), p.flag("--dot"), p.value("--svg"), json)
}

pub(super) fn cmd_show(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let a = &s.analysis;
    let json = s.wants_json(p);
    let (kind, id) = (p.req(0), p.req(1));
    let text = match kind {
        "permission" => {
            let v = explain::show_permission(a, id)?;
            if json {
                json_line(&v)
            } else {
                explain::render_show_permission(&v, &s.names, &s.painter)
            }
        }
        "role" => {
            let v = explain::show_role(a, id)?;
            if json {
                json_line(&v)
            } else {
                explain::render_show_role(&v, &s.names, &s.painter)
            }
        }
        "row" => {
            let v = explain::show_row(a, id)?;
            if json {
                json_line(&v)
            } else {
                explain::render_show_row(&v, &s.painter)
            }
        }
        other => {
            return Err(p.usage(format!("cannot show `{other}` (expected `permission`, `role` or `row`)")));
        }
    };
    Ok(Output::text(text))
}

/// Resident and peak memory of this process, from `/proc/self/status`
/// (`VmRSS`, `VmHWM`, in KiB), when the system has it.
pub fn memory_kib() -> Option<(u64, u64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line[name.len()..].trim().trim_end_matches("kB").trim().parse().ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// The `stats` answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stats {
    /// Tenant file.
    pub tenant: String,
    /// Tables holding at least one row.
    pub tables: usize,
    /// Rows, all tables.
    pub rows: u64,
    /// Relationships (catalogue and declared).
    pub relationships: usize,
    /// Resolved lookups and association pairs.
    pub links: usize,
    /// Web roles.
    pub web_roles: usize,
    /// Table permissions.
    pub table_permissions: usize,
    /// Derived facts (factored grants and scopes).
    pub facts: usize,
    /// Grants of S25.
    pub grants: u64,
    /// Time to read and validate the tenant, in milliseconds.
    pub load_ms: f64,
    /// Time to derive the grants, in milliseconds.
    pub derive_ms: f64,
    /// Resident memory (VmRSS), KiB, when known.
    pub rss_kib: Option<u64>,
    /// Peak resident memory (VmHWM), KiB, when known.
    pub peak_rss_kib: Option<u64>,
}

pub(super) fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

pub(super) fn cmd_stats(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let grants = s.grant_count();
    let a = &s.analysis;
    let t = &a.tenant;
    let mem = memory_kib();
    let st = Stats {
        tenant: t.source.clone(),
        tables: t.tables.iter().filter(|x| !x.ids.is_empty()).count(),
        rows: t.row_count() as u64,
        relationships: t.relationships.len(),
        links: t.links.len(),
        web_roles: t.roles.len(),
        table_permissions: t.permissions.len(),
        facts: a.grants.fact_count(),
        grants,
        load_ms: s.load_time.as_secs_f64() * 1000.0,
        derive_ms: s.derive_time.as_secs_f64() * 1000.0,
        rss_kib: mem.map(|m| m.0),
        peak_rss_kib: mem.map(|m| m.1),
    };
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&st)));
    }
    let mut tt = TextTable::new(&[]);
    tt.row(&["tenant".to_string(), st.tenant.clone()]);
    tt.row(&["rows".to_string(), format!("{} in {}", st.rows, count(st.tables, "table", "tables"))]);
    tt.row(&["links".to_string(), format!("{} (lookups and association pairs)", st.links)]);
    tt.row(&["relationships".to_string(), st.relationships.to_string()]);
    tt.row(&["web roles".to_string(), st.web_roles.to_string()]);
    tt.row(&["permissions".to_string(), st.table_permissions.to_string()]);
    tt.row(&["derived facts".to_string(), format!("{} (factored grants and scopes)", st.facts)]);
    tt.row(&["grants".to_string(), format!("{} (visitor, privilege, row or table)", st.grants)]);
    tt.row(&["load".to_string(), ms(s.load_time)]);
    tt.row(&["derive".to_string(), ms(s.derive_time)]);
    let memory = match mem {
        Some((rss, hwm)) => format!("{} resident (VmRSS), {} peak (VmHWM)", mib(rss), mib(hwm)),
        None => "not known on this system (no /proc/self/status)".to_string(),
    };
    tt.row(&["memory".to_string(), memory]);
    let mut out = String::new();
    tt.render(&s.painter, &mut out);
    Ok(Output::text(out))
}

pub(super) fn cmd_diff(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    use crate::answer::diff::{diff_tenants, scenario_name};
    let path = Path::new(p.req(0));
    let other = crate::model::load(path)?;
    let a = &s.analysis;
    let w = crate::answer::whatif::WhatIf::new(a);
    let d = diff_tenants(&w, a, other, &scenario_name(Path::new(&a.tenant.source), path));
    let limit = p.value("--limit").and_then(|v| v.parse::<usize>().ok()).unwrap_or(10);
    // Writing into memory cannot fail.
    let mut out = Vec::new();
    if s.wants_json(p) {
        out.extend_from_slice(b"{\"scenarios\":[");
        let _ = d.write_json(&mut out);
        out.extend_from_slice(b"]}\n");
    } else {
        let _ = d.write_text(&mut out, limit);
    }
    Ok(Output::text(String::from_utf8_lossy(&out).into_owned()))
}

pub(super) fn cmd_test(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let doc = crate::load::expectations::load_expectations(Path::new(p.req(0)))?;
    let a = &s.analysis;
    let docs = [doc];
    let report = crate::answer::expect::run(a, &docs)?;
    if s.wants_json(p) {
        return Ok(Output::text(json_line(&report)));
    }
    Ok(Output::text(crate::cli::expect::render(&report, a, &docs, &s.painter)))
}

pub(super) fn cmd_load(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let path = PathBuf::from(p.req(0));
    s.load(&path)
}

pub(super) fn cmd_json(s: &mut Session, _: &Parsed) -> Result<Output, SessionError> {
    s.json = !s.json;
    Ok(Output::text(format!("JSON answers {}\n", if s.json { "on" } else { "off" })))
}

pub(super) fn cmd_ids(s: &mut Session, _: &Parsed) -> Result<Output, SessionError> {
    let on = !s.ids;
    s.set_ids(on);
    Ok(Output::text(format!("ids beside names {}\n", if on { "on" } else { "off" })))
}

pub(super) fn cmd_time(s: &mut Session, _: &Parsed) -> Result<Output, SessionError> {
    s.time = !s.time;
    Ok(Output::text(format!("timing {}\n", if s.time { "on" } else { "off" })))
}

pub(super) fn cmd_help(s: &mut Session, p: &Parsed) -> Result<Output, SessionError> {
    let mut out = String::new();
    if let Some(name) = p.arg(0) {
        let Some(c) = command(name) else {
            return Err(SessionError::UnknownCommand {
                name: name.to_string(),
                suggestion: nearest_command(name).to_string(),
            });
        };
        out.push_str(&format!("{}\n  {}\n", s.painter.paint(&c.usage(), Style::Bold), c.help));
        if !c.aliases.is_empty() {
            out.push_str(&format!("  also: {}\n", c.aliases.join(", ")));
        }
        return Ok(Output::text(out));
    }
    let mut t = TextTable::new(&[]).indent(2);
    for c in COMMANDS {
        t.styled(vec![(c.usage(), Style::Bold), (c.help.to_string(), Style::Plain)]);
    }
    out.push_str("Commands:\n");
    t.render(&s.painter, &mut out);
    out.push_str(
        "A VISITOR is a contact id or `anonymous`; a row is TABLE:ID; privileges are read, write, create, delete, append, append_to.\n",
    );
    Ok(Output::text(out))
}

pub(super) fn cmd_quit(_: &mut Session, _: &Parsed) -> Result<Output, SessionError> {
    Ok(Output { text: String::new(), quit: true })
}

/// Where the REPL keeps its history: `$PORTAL_ACCESS_HISTORY` when set,
/// else `portal-access/history` under the user's state directory
/// (`$XDG_STATE_HOME`, or `~/.local/state`), else under the local data
/// directory on systems without one.
pub fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PORTAL_ACCESS_HISTORY").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let base = dirs::state_dir().or_else(dirs::data_local_dir)?;
    Some(base.join("portal-access").join("history"))
}
