//! Lint findings of pages and endpoints (surfaces.md "Lint", PP035 to
//! PP043), from the surface index, the endpoints' code and definitions,
//! and the grants. Kept apart from `lint/` (which registers them) and free
//! of its types, as `lint_channels.rs` is.

use super::query::Analysis;
use super::surfaces::EndpointReading;
use crate::engine::channels::Outsider;
use crate::engine::endpoint_code::{EntitySet, Op};
use crate::engine::surfaces::Endpoint;
use crate::engine::Visitor;
use crate::load::raw::Origin;
use crate::model::channels::PageRight;
use crate::model::{Privilege, Tenant};

/// How bad a surface finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Info.
    Info,
    /// Warning.
    Warning,
    /// Error.
    Error,
}

/// One surface finding; `lint/` turns it into a `Finding`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurfaceFinding {
    /// `PP035` ... `PP043`.
    pub id: &'static str,
    /// Its severity.
    pub level: Level,
    /// `page:ID`, `file:ID`, `serverlogic:NAME`, `cloudflow:ID` or a rule id.
    pub subject: String,
    /// One sentence.
    pub message: String,
    /// File and line, when the tenant is a folder.
    pub at: Option<(String, Option<usize>)>,
}

const ANON: Outsider = Outsider::Visitor(Visitor::Anonymous);

fn at(origin: &Option<Origin>) -> Option<(String, Option<usize>)> {
    origin.as_ref().filter(|o| !o.file.is_empty()).map(|o| (o.file.clone(), o.line))
}

fn named(name: &str, id: &str) -> String {
    if name.trim().is_empty() || name == id {
        format!("`{id}`")
    } else {
        format!("{name} (`{id}`)")
    }
}

fn who_of(may: impl Fn(Outsider) -> bool) -> Option<&'static str> {
    match (may(ANON), may(Outsider::Newcomer)) {
        (true, _) => Some("anonymous visitors"),
        (false, true) => Some("anyone who signs up"),
        _ => None,
    }
}

/// Every surface finding of an analysed tenant (unsorted).
pub fn findings(a: &Analysis) -> Vec<SurfaceFinding> {
    let mut out = Vec::new();
    if a.tenant.surfaces.is_empty() && a.tenant.channels.page_rules.is_empty() {
        return out;
    }
    for e in a.endpoints() {
        endpoint(a, e, &mut out);
    }
    files(a, &mut out);
    pp041(a, &mut out);
    pp042(a, &mut out);
    pp043(a, &mut out);
    out
}

fn endpoint_origin(t: &Tenant, e: Endpoint) -> Option<(String, Option<usize>)> {
    match e {
        Endpoint::ServerLogic(i) => t.raw.server_logic.get(i as usize).and_then(|l| at(&l.origin)),
        Endpoint::CloudFlow(i) => t.raw.cloud_flows.get(i as usize).and_then(|f| at(&f.origin)),
    }
}

/// PP035 to PP039 for one endpoint.
fn endpoint(a: &Analysis, e: Endpoint, out: &mut Vec<SurfaceFinding>) {
    let t = &a.tenant;
    let (ix, n) = (a.surface_index(), e.number(t));
    let subject_id = a.endpoint_target(e);
    let subject = match e {
        Endpoint::ServerLogic(i) => format!("`/_api/serverlogics/{}`", t.surfaces.server_logic[i as usize].name),
        Endpoint::CloudFlow(i) => named(&t.surfaces.flows[i as usize].name, &t.surfaces.flows[i as usize].id),
    };
    let place = endpoint_origin(t, e);
    let push = |out: &mut Vec<SurfaceFinding>, id, level, message: String, at: Option<(String, Option<usize>)>| {
        out.push(SurfaceFinding { id, level, subject: subject_id.clone(), message, at })
    };
    let reading = a.endpoint_reading(e);
    let active = match e {
        Endpoint::ServerLogic(i) => t.surfaces.server_logic[i as usize].active,
        Endpoint::CloudFlow(i) => t.surfaces.flows[i as usize].active,
    };
    let anyone = who_of(|v| ix.invokes(v, n));
    let nobody = ix.endpoint_audience(n).is_none_or(|w| !w.anonymous && !w.newcomer && w.contacts == 0);
    if active && nobody {
        let message = format!("{subject} has no role that any visitor holds (or is turned off): every call is refused");
        push(out, "PP038", Level::Info, message, place.clone());
    }
    match &reading {
        EndpointReading::Code(c) => {
            if let Some(who) = anyone {
                let writes = c.calls.iter().any(|k| k.op != Op::Read);
                let custom = c.unbounded.iter().any(|(u, _)| u == "InvokeCustomApi");
                let level = if writes || c.has_proxy() || custom { Level::Error } else { Level::Warning };
                let what = if writes {
                    "it writes rows"
                } else if c.has_proxy() {
                    "it is a generic proxy"
                } else if custom {
                    "it calls a custom API"
                } else {
                    "it reads with the caller's table permissions"
                };
                push(out, "PP035", level, format!("{who} can call server logic {subject}: {what}"), place.clone());
            }
            if c.has_proxy() {
                let count = |v: Outsider| a.endpoint_reach(v, e).tables.iter().map(|tb| tb.rows).sum::<usize>();
                let (ra, rn) = (if ix.invokes(ANON, n) { count(ANON) } else { 0 }, if ix.invokes(Outsider::Newcomer, n) { count(Outsider::Newcomer) } else { 0 });
                let message = format!(
                    "server logic {subject} builds its entity set or query from Server.Context: each caller reaches every table its permissions reach, outside `Webapi/*` settings and column permissions (anonymous visitors: {ra} rows, anyone who signs up: {rn} rows)"
                );
                push(out, "PP036", Level::Warning, message, place.clone());
            }
            let file = match e {
                Endpoint::ServerLogic(i) => t.surfaces.server_logic[i as usize].code_file.clone(),
                Endpoint::CloudFlow(_) => None,
            };
            if let Some(p) = &c.parse_error {
                let f = file.clone().unwrap_or_else(|| t.source.clone());
                let message = format!("the code of {subject} does not parse at `{f}`:{}:{} ({}): read as unbounded", p.line, p.column, p.message);
                let loc = file.clone().map(|f| (f, Some(p.line))).or(place.clone());
                push(out, "PP039", Level::Info, message, loc);
            }
            for (u, (line, col)) in &c.unbounded {
                let loc = file.clone().map(|f| (f, Some(*line))).or(place.clone());
                push(out, "PP039", Level::Info, format!("{subject} calls `{u}` (line {line}, column {col}): what it reaches is unknown"), loc);
            }
            for k in c.calls.iter().filter(|k| k.set == EntitySet::Dynamic && !k.proxy) {
                let (line, col) = k.at;
                let loc = file.clone().map(|f| (f, Some(line))).or(place.clone());
                let message = format!("{subject} calls Dataverse with a dynamic entity set (line {line}, column {col}): it serves every table the caller reaches");
                push(out, "PP039", Level::Info, message, loc);
            }
        }
        EndpointReading::Flow(f) => {
            if let Some(who) = anyone {
                if !f.known {
                    push(out, "PP037", Level::Warning, format!("{who} can trigger cloud flow {subject}, whose definition is not known"), place.clone());
                } else if !f.actions.is_empty() {
                    let message = format!(
                        "{who} can trigger cloud flow {subject}: its {} Dataverse actions run on the flow's own connections, outside table permissions",
                        f.actions.len()
                    );
                    push(out, "PP037", Level::Error, message, place.clone());
                }
            }
            if let Some(problem) = &f.problem {
                push(out, "PP039", Level::Info, format!("cloud flow {subject}: {problem}: read as unbounded"), place.clone());
            }
            for act in f.actions.iter().filter(|x| x.op.is_none() || x.set == EntitySet::Dynamic || a.entity_set_table(&x.set).is_none()) {
                let what = if act.op.is_none() { "a bound or unbound action" } else { "a dynamic entity set" };
                push(out, "PP039", Level::Info, format!("cloud flow {subject}: action `{}` is {what}: what it reaches is unknown", act.name), place.clone());
            }
        }
    }
}

/// PP040: web files of a restricted branch that anyone reads.
fn files(a: &Analysis, out: &mut Vec<SurfaceFinding>) {
    let (t, ix) = (&a.tenant, a.surface_index());
    for (f, file) in t.surfaces.files.iter().enumerate() {
        let Some(p) = t.surfaces.page(&file.page) else { continue };
        let f = f as u32;
        let Some(who) = who_of(|v| ix.reads_file(v, f)) else { continue };
        if ix.restricted(p) && !ix.opens(ANON, p) {
            let message = format!(
                "{who} read web file {} under page {}, which they cannot open: Restrict Read rules of ancestor pages do not reach files, and scope 2 opens direct child files",
                named(&file.name, &file.id),
                named(&t.surfaces.pages[p as usize].name, &file.page)
            );
            out.push(SurfaceFinding { id: "PP040", level: Level::Warning, subject: format!("file:{}", file.id), message, at: t.raw.web_files.get(f as usize).and_then(|x| at(&x.origin)) });
        }
    }
}

/// PP041: a Restrict Read role an ancestor's rule does not list, and pages
/// R1 leaves unreachable.
fn pp041(a: &Analysis, out: &mut Vec<SurfaceFinding>) {
    let (t, ix) = (&a.tenant, a.surface_index());
    let sf = &t.surfaces;
    for (p, page) in sf.pages.iter().enumerate() {
        if page.root.is_none() && !page.is_service() && !ix.reachable(p as u32) {
            let message = format!("page {} opens for nobody: its parent chain meets a missing or inactive page, or a cycle (R1)", named(&page.name, &page.id));
            out.push(SurfaceFinding { id: "PP041", level: Level::Warning, subject: format!("page:{}", page.id), message, at: t.raw.web_pages.get(p).and_then(|x| at(&x.origin)) });
        }
    }
    let rr = |page: &str| -> Vec<usize> {
        t.channels.page_rules.iter().enumerate().filter(|(_, r)| r.active && r.right == PageRight::RestrictRead && r.page.as_deref() == Some(page)).map(|(i, _)| i).collect()
    };
    for (i, r) in t.channels.page_rules.iter().enumerate().filter(|(_, r)| r.active && r.right == PageRight::RestrictRead) {
        let Some(mut cur) = r.page.as_deref().and_then(|p| sf.page(p)) else { continue };
        let mut seen = vec![cur];
        while let Some(parent) = sf.pages[cur as usize].parent.as_deref().and_then(|p| sf.page(p)) {
            if seen.contains(&parent) {
                break;
            }
            seen.push(parent);
            cur = parent;
            let above = rr(&sf.pages[parent as usize].id);
            // Every signed-in contact holds an authenticated users role (R3).
            let everyone = above.iter().any(|&j| t.channels.page_rules[j].roles.iter().any(|&x| t.roles[x as usize].authenticated));
            if above.is_empty() || everyone {
                continue;
            }
            for &role in &r.roles {
                if !above.iter().any(|&j| t.channels.page_rules[j].roles.contains(&role)) {
                    let ro = &t.roles[role as usize];
                    let message = format!(
                        "Restrict Read rule {} lists role {}, which no Restrict Read rule of ancestor page `{}` lists: restrictions add up, so that role alone opens nothing here",
                        named(&r.name, &r.id),
                        named(&ro.name, &ro.id),
                        sf.pages[parent as usize].id
                    );
                    out.push(SurfaceFinding { id: "PP041", level: Level::Warning, subject: r.id.clone(), message, at: t.raw.page_rules.get(i).and_then(|x| at(&x.origin)) });
                }
            }
        }
    }
}

/// PP042: Grant Change held by the authenticated-users role (error) or the
/// anonymous role (warning).
fn pp042(a: &Analysis, out: &mut Vec<SurfaceFinding>) {
    let t = &a.tenant;
    for (i, r) in t.channels.page_rules.iter().enumerate().filter(|(_, r)| r.active && r.right == PageRight::GrantChange) {
        for &role in &r.roles {
            let ro = &t.roles[role as usize];
            let level = if ro.authenticated && !ro.anonymous {
                Level::Error
            } else if ro.anonymous {
                Level::Warning
            } else {
                continue;
            };
            let who = if level == Level::Error { "every signed-in contact" } else { "the anonymous users role" };
            let message = format!("Grant Change rule {} is held by {} through role {}", named(&r.name, &r.id), who, named(&ro.name, &ro.id));
            out.push(SurfaceFinding { id: "PP042", level, subject: r.id.clone(), message, at: t.raw.page_rules.get(i).and_then(|x| at(&x.origin)) });
        }
    }
}

/// PP043: a restricted page hosting a component whose rows outsiders read elsewhere.
fn pp043(a: &Analysis, out: &mut Vec<SurfaceFinding>) {
    let (t, ix) = (&a.tenant, a.surface_index());
    for (p, page) in t.surfaces.pages.iter().enumerate() {
        let p = p as u32;
        if page.components.is_empty() || !ix.restricted(p) || ix.opens(ANON, p) {
            continue;
        }
        for &c in &page.components {
            let comp = &t.channels.components[c as usize];
            let rows = a.outsider_what(ANON, Privilege::Read, Some(comp.table)).len();
            let newcomer = a.outsider_what(Outsider::Newcomer, Privilege::Read, Some(comp.table)).len();
            if rows == 0 && newcomer == 0 {
                continue;
            }
            let message = format!(
                "page {} is restricted, but component {} shows `{}` rows that outsiders read anyway (anonymous visitors: {rows}, anyone who signs up: {newcomer}): page rules protect pages, not rows",
                named(&page.name, &page.id),
                named(&comp.name, &comp.id),
                t.tables[comp.table as usize].name
            );
            out.push(SurfaceFinding { id: "PP043", level: Level::Warning, subject: format!("page:{}", page.id), message, at: t.raw.web_pages.get(p as usize).and_then(|x| at(&x.origin)) });
        }
    }
}
