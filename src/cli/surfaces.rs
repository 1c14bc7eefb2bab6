//! Pages and endpoints for a person: `reach`, `who ... open`, `who ...
//! invoke`. Pages, files, components, contacts and flows are named by
//! display name with their id; JSON keeps the ids.

use super::text::{count, Painter, Style, TextTable};
use crate::answer::surfaces::{ReachAnswer, ReachEndpoint, WhoSurfaceAnswer};
use crate::model::{Names, Tenant};

fn named(name: &str, id: &str) -> String {
    if name.is_empty() || name == id {
        format!("`{id}`")
    } else {
        format!("{name} (`{id}`)")
    }
}

fn page_name(t: &Tenant, id: &str) -> String {
    let sf = &t.surfaces;
    named(sf.page(id).map(|p| sf.pages[p as usize].name.as_str()).unwrap_or_default(), id)
}


fn visitor_text(t: &Tenant, names: &Names, v: &str) -> String {
    match v {
        "anonymous" => "anonymous visitors".to_string(),
        "newcomer" => "anyone who signs up".to_string(),
        other => names.contact(t, other).into_owned(),
    }
}

/// `who ... open page:ID` and `who ... invoke ENDPOINT` for a person.
pub fn render_who_surface(a: &WhoSurfaceAnswer, t: &Tenant, names: &Names, p: &Painter) -> String {
    let yes_no = |b: bool| if b { p.paint("yes", Style::Green) } else { p.paint("no", Style::Red) };
    let mut tt = TextTable::new(&[]).indent(2);
    tt.styled(vec![("anonymous visitors".into(), Style::Plain), (yes_no(a.anonymous), Style::Plain)]);
    tt.styled(vec![("anyone who signs up".into(), Style::Plain), (yes_no(a.newcomer), Style::Plain)]);
    let mut contacts: Vec<String> = a.contacts.rows().map(|c| names.row(t, c).into_owned()).collect();
    contacts.sort();
    let list = if contacts.is_empty() { "none".to_string() } else { contacts.join(", ") };
    tt.row(&[format!("contacts ({})", a.contacts.len()), list]);
    let (verb, what) = match a.target.split_once(':') {
        Some(("page", id)) => ("open", format!("page {}", page_name(t, id))),
        Some(("serverlogic", n)) => ("invoke", format!("server logic `/_api/serverlogics/{n}`")),
        Some(("cloudflow", id)) => {
            let name = t.surfaces.flows.iter().find(|f| f.id == id).map(|f| f.name.as_str()).unwrap_or_default();
            ("trigger", format!("cloud flow {}", named(name, id)))
        }
        _ => ("reach", a.target.clone()),
    };
    let mut out = format!("who may {verb} {what}:\n");
    tt.render(p, &mut out);
    out
}

fn endpoint_text(t: &Tenant, e: &ReachEndpoint) -> String {
    match e.kind.as_str() {
        "serverlogic" => format!("server logic `/_api/serverlogics/{}` ({})", e.name, e.methods.join(", ")),
        _ => {
            let f = t.surfaces.flows.iter().find(|f| f.id == e.name);
            let name = f.map(|f| f.name.as_str()).unwrap_or_default();
            let pid = f.map(|f| f.process_id.as_str()).unwrap_or_default();
            format!("cloud flow {} (POST /_api/cloudflow/v1.0/trigger/{pid})", named(name, &e.name))
        }
    }
}

/// `reach` for a person: pages with their components, files, endpoints.
pub fn render_reach(a: &ReachAnswer, t: &Tenant, names: &Names, p: &Painter) -> String {
    let sf = &t.surfaces;
    let verb = if matches!(a.visitor.as_str(), "anonymous" | "newcomer") { "reach" } else { "reaches" };
    let mut out = format!("{} {verb} {}:\n", visitor_text(t, names, &a.visitor), count(a.pages.len(), "page", "pages"));
    for pg in &a.pages {
        let how = match pg.via {
            "grant_change" => "may change it (Grant Change)",
            "restrict_read" => "holds a role of every Restrict Read rule above it",
            _ => "open to all",
        };
        out.push_str(&format!("  {}: {how}\n", page_name(t, &pg.page)));
        for c in &pg.components {
            let name = t.channels.components.iter().find(|k| k.id == c.id).map(|k| k.name.as_str()).unwrap_or_default();
            out.push_str(&format!("    {} on {}: {}\n", named(name, &c.id), c.table, count(c.rows, "row", "rows")));
        }
    }
    let files: Vec<String> = a
        .files
        .iter()
        .map(|id| named(sf.files.iter().find(|f| f.id.as_str() == &**id).map(|f| f.name.as_str()).unwrap_or_default(), id))
        .collect();
    out.push_str(&format!("web files ({}): {}\n", files.len(), if files.is_empty() { "none".to_string() } else { files.join(", ") }));
    out.push_str(&format!("endpoints ({}):\n", a.endpoints.len()));
    for e in &a.endpoints {
        let mark = if e.unbounded { p.paint(" unbounded", Style::Red) } else { String::new() };
        out.push_str(&format!("  {}{mark}\n", endpoint_text(t, e)));
        let mut tt = TextTable::new(&[]).indent(4);
        for tb in &e.tables {
            tt.row(&[tb.table.clone(), tb.privileges.join(", "), count(tb.rows, "row", "rows")]);
        }
        tt.render(p, &mut out);
    }
    out
}
