//! What each visitor reaches beyond table permissions (surfaces.md
//! "Answers"): `reach TENANT VISITOR`, `who TENANT open page:ID`, `who
//! TENANT invoke serverlogic:NAME|cloudflow:ID`, and the endpoints of
//! `exposure`. Pages, files and endpoints come from the surface index
//! (R1 to R10, R13, R14); the rows behind components and endpoints from
//! the grants (S16, S17) and, for flows, from the tables themselves (R15).

use super::query::Analysis;
use crate::engine::channels::Outsider;
use crate::engine::endpoint_code::{CodeReading, EntitySet, Op};
use crate::engine::flow_definition::FlowReading;
use crate::engine::surfaces::{Audience, Endpoint, SurfaceIndex};
use crate::error::QueryError;
use crate::model::{Privilege, RowId, TableId, Tenant};
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A component of a page and the rows the visitor reads through it (R8).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReachComponent {
    /// Component id.
    pub id: String,
    /// Its table.
    pub table: String,
    /// How many rows of it the visitor may read (S16).
    pub rows: usize,
}

/// A page the visitor opens (R6).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReachPage {
    /// Root page id.
    pub page: std::sync::Arc<str>,
    /// `grant_change`, `restrict_read` or `open`.
    pub via: &'static str,
    /// R4.
    pub change: bool,
    /// Its active components and its content pages', by id.
    pub components: Vec<ReachComponent>,
}

/// A table an endpoint acts on for the visitor (R11, R15).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct EndpointTable {
    /// Table logical name.
    pub table: String,
    /// `read`, `create`, `write`, `delete` it exercises there that the visitor holds.
    pub privileges: Vec<String>,
    /// Rows the visitor may act on with one of them.
    pub rows: usize,
}

/// An endpoint the visitor may call (R10, R14).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReachEndpoint {
    /// `cloudflow` or `serverlogic`.
    pub kind: String,
    /// Server logic name or flow consumer id.
    pub name: String,
    /// HTTP verbs.
    pub methods: Vec<String>,
    /// Per table.
    pub tables: Vec<EndpointTable>,
    /// Unknown reach (surfaces.md "Answers").
    pub unbounded: bool,
}

/// The `reach` answer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ReachAnswer {
    /// Visitor as given.
    pub visitor: String,
    /// Root pages opened, by id.
    pub pages: Vec<ReachPage>,
    /// Web files read, by id.
    pub files: Vec<std::sync::Arc<str>>,
    /// Endpoints callable, by kind then name.
    pub endpoints: Vec<ReachEndpoint>,
}

/// The contacts of a `who open` / `who invoke` answer, factored: the
/// contact classes admitted (R3, R10) and how many contacts they hold.
/// The ids are read only when listed (printing, JSON), in print order.
#[derive(Clone, Copy)]
pub struct SurfaceContacts<'a> {
    t: &'a Tenant,
    ix: &'a SurfaceIndex,
    audience: &'a Audience,
}

impl<'a> SurfaceContacts<'a> {
    /// How many contacts.
    pub fn len(&self) -> usize {
        self.audience.contacts
    }
    /// No contact.
    pub fn is_empty(&self) -> bool {
        self.audience.contacts == 0
    }
    /// Every contact of the tenant (every signed-in visitor).
    pub fn every_contact(&self) -> bool {
        self.audience.every_contact
    }
    /// The contact rows, in print order.
    pub fn rows(&self) -> impl Iterator<Item = RowId> + 'a {
        self.ix.contacts_in(self.t, self.audience)
    }
    /// The contact ids, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let t = self.t;
        self.rows().map(move |c| t.row_name(c))
    }
}

impl std::fmt::Debug for SurfaceContacts<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for SurfaceContacts<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for SurfaceContacts<'_> {}

impl Serialize for SurfaceContacts<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// The `who open` / `who invoke` answer. Contacts stay factored until
/// listed ([`SurfaceContacts`]).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WhoSurfaceAnswer<'a> {
    /// `page:ID`, `serverlogic:NAME` or `cloudflow:ID`.
    pub target: String,
    /// The anonymous visitor.
    pub anonymous: bool,
    /// The newcomer (C9).
    pub newcomer: bool,
    /// C10: the anonymous visitor or the newcomer.
    pub anyone: bool,
    /// Contacts, sorted.
    pub contacts: SurfaceContacts<'a>,
}

/// What an endpoint does, read from its code or definition (once per
/// analysis).
#[derive(Debug, Clone, Copy)]
pub enum EndpointReading<'a> {
    /// Server logic code (R12).
    Code(&'a CodeReading),
    /// A flow definition (R16).
    Flow(&'a FlowReading),
}

/// One visitor's rows per privilege, read once (S16) and ordered by row
/// id, so a table's rows are one slice: what `reach` counts per component
/// and per endpoint table.
struct RowsOf<'a> {
    a: &'a Analysis,
    v: Outsider,
    by_privilege: HashMap<Privilege, Vec<RowId>>,
}

impl<'a> RowsOf<'a> {
    fn new(a: &'a Analysis, v: Outsider) -> Self {
        RowsOf { a, v, by_privilege: HashMap::new() }
    }

    /// The rows of `table` the visitor may do `p` to, by id.
    fn of(&mut self, p: Privilege, table: TableId) -> &[RowId] {
        let (a, v) = (self.a, self.v);
        let rows = self.by_privilege.entry(p).or_insert_with(|| a.outsider_what_by_id(v, p));
        let Some(tb) = a.tenant.tables.get(table as usize) else { return &[] };
        let span = tb.rows();
        let lo = rows.partition_point(|&x| x < span.start);
        let hi = rows.partition_point(|&x| x < span.end);
        &rows[lo..hi]
    }

    /// How many rows of `table` the visitor may do one of `ps` to.
    fn count(&mut self, ps: &[Privilege], table: TableId) -> usize {
        match ps {
            [] => 0,
            [p] => self.of(*p, table).len(),
            _ => {
                let mut all: Vec<RowId> = Vec::new();
                for &p in ps {
                    all.extend_from_slice(self.of(p, table));
                }
                all.sort_unstable();
                all.dedup();
                all.len()
            }
        }
    }
}

fn unknown(what: &'static str, value: &str, problem: &str) -> QueryError {
    QueryError::Unknown { what, value: value.to_string(), problem: problem.to_string() }
}

impl Analysis {
    /// The surface index of this analysis, derived on first use.
    pub fn surface_index(&self) -> &SurfaceIndex {
        self.surfaces.get_or_init(|| SurfaceIndex::new(&self.tenant))
    }

    /// Parses `page:ID`.
    pub fn page(&self, s: &str) -> Result<u32, QueryError> {
        let id = s.strip_prefix("page:").ok_or_else(|| unknown("page", s, "is not a page reference (expected `page:ID`)"))?;
        self.tenant.surfaces.page(id).ok_or_else(|| unknown("page", s, "does not exist"))
    }

    /// Parses `serverlogic:NAME` or `cloudflow:ID`.
    pub fn endpoint(&self, s: &str) -> Result<Endpoint, QueryError> {
        let sf = &self.tenant.surfaces;
        if let Some(name) = s.strip_prefix("serverlogic:") {
            let i = sf.server_logic.iter().position(|l| l.name == name);
            return i.map(|i| Endpoint::ServerLogic(i as u32)).ok_or_else(|| unknown("server logic", name, "does not exist"));
        }
        if let Some(id) = s.strip_prefix("cloudflow:") {
            let i = sf.flows.iter().position(|f| f.id == id);
            return i.map(|i| Endpoint::CloudFlow(i as u32)).ok_or_else(|| unknown("cloud flow", id, "does not exist"));
        }
        Err(unknown("endpoint", s, "is not an endpoint (expected `serverlogic:NAME` or `cloudflow:ID`)"))
    }

    /// The answer for a target reached by `audience` (contacts of one
    /// class answer alike, R3, R10: the index holds the classes).
    fn who_surface<'a>(&'a self, target: String, audience: Option<&'a Audience>) -> WhoSurfaceAnswer<'a> {
        static NOBODY: Audience = Audience { anonymous: false, newcomer: false, classes: Vec::new(), contacts: 0, every_contact: false };
        let audience = audience.unwrap_or(&NOBODY);
        let (anonymous, newcomer) = (audience.anonymous, audience.newcomer);
        let contacts = SurfaceContacts { t: &self.tenant, ix: self.surface_index(), audience };
        WhoSurfaceAnswer { target, anonymous, newcomer, anyone: anonymous || newcomer, contacts }
    }

    /// `who TENANT open page:ID` (R6).
    pub fn who_open(&self, page: &str) -> Result<WhoSurfaceAnswer<'_>, QueryError> {
        let p = self.page(page)?;
        let ix = self.surface_index();
        Ok(self.who_surface(format!("page:{}", self.tenant.surfaces.pages[p as usize].id), ix.page_audience(p)))
    }

    /// `who TENANT invoke serverlogic:NAME|cloudflow:ID` (R10, R14).
    pub fn who_invoke(&self, endpoint: &str) -> Result<WhoSurfaceAnswer<'_>, QueryError> {
        let e = self.endpoint(endpoint)?;
        let (ix, n) = (self.surface_index(), e.number(&self.tenant));
        Ok(self.who_surface(self.endpoint_target(e), ix.endpoint_audience(n)))
    }

    /// `serverlogic:NAME` or `cloudflow:ID`.
    pub fn endpoint_target(&self, e: Endpoint) -> String {
        let (kind, name) = self.endpoint_name(e);
        format!("{kind}:{name}")
    }

    /// `(kind, name)` of an endpoint.
    pub fn endpoint_name(&self, e: Endpoint) -> (&'static str, String) {
        let sf = &self.tenant.surfaces;
        match e {
            Endpoint::ServerLogic(i) => ("serverlogic", sf.server_logic[i as usize].name.clone()),
            Endpoint::CloudFlow(i) => ("cloudflow", sf.flows[i as usize].id.clone()),
        }
    }

    /// What an endpoint does (R12, R16), read once per analysis.
    pub fn endpoint_reading(&self, e: Endpoint) -> EndpointReading<'_> {
        static NOTHING: std::sync::OnceLock<(CodeReading, FlowReading)> = std::sync::OnceLock::new();
        let (t, ix) = (&self.tenant, self.surface_index());
        let nothing = || NOTHING.get_or_init(Default::default);
        match e {
            Endpoint::ServerLogic(i) => EndpointReading::Code(ix.code(t, i).unwrap_or_else(|| &nothing().0)),
            Endpoint::CloudFlow(i) => EndpointReading::Flow(ix.flow(t, i).unwrap_or_else(|| &nothing().1)),
        }
    }

    /// Every endpoint, server logic first.
    pub fn endpoints(&self) -> Vec<Endpoint> {
        let sf = &self.tenant.surfaces;
        let sl = (0..sf.server_logic.len() as u32).map(Endpoint::ServerLogic);
        sl.chain((0..sf.flows.len() as u32).map(Endpoint::CloudFlow)).collect()
    }

    /// The table of an entity set, when the tenant maps it (R12).
    pub fn entity_set_table(&self, set: &EntitySet) -> Option<String> {
        match set {
            EntitySet::Literal(s) => self.tenant.surfaces.entity_sets.get(&s.to_ascii_lowercase()).cloned(),
            EntitySet::Dynamic => None,
        }
    }

    /// `reach TENANT VISITOR`.
    pub fn reach(&self, visitor: &str) -> Result<ReachAnswer, QueryError> {
        let v = self.outsider(visitor)?;
        Ok(self.reach_of(v, &self.outsider_name(v)))
    }

    /// The `reach` answer of outsider `v`, named `name`.
    pub fn reach_of(&self, v: Outsider, name: &str) -> ReachAnswer {
        let ix = self.surface_index();
        let mut rows = RowsOf::new(self, v);
        let mut pages = Vec::new();
        for (p, id, change, restricted) in ix.roots_opened(v) {
            let via = if change {
                "grant_change"
            } else if restricted {
                "restrict_read"
            } else {
                "open"
            };
            let components = self.components_of(&mut rows, p);
            pages.push(ReachPage { page: id.clone(), via, change, components });
        }
        ReachAnswer {
            visitor: name.to_string(),
            pages,
            files: ix.files_read(v).cloned().collect(),
            endpoints: self.endpoints_reached_with(&mut rows),
        }
    }

    /// The endpoints `v` may call (R10, R14) with what it reaches through
    /// them, by kind then name.
    pub fn endpoints_reached(&self, v: Outsider) -> Vec<ReachEndpoint> {
        self.endpoints_reached_with(&mut RowsOf::new(self, v))
    }

    fn endpoints_reached_with(&self, rows: &mut RowsOf<'_>) -> Vec<ReachEndpoint> {
        let (t, ix, v) = (&self.tenant, self.surface_index(), rows.v);
        let mut endpoints: Vec<ReachEndpoint> = self
            .endpoints()
            .into_iter()
            .filter(|e| ix.invokes(v, e.number(t)))
            .map(|e| self.endpoint_reach_with(rows, e))
            .collect();
        endpoints.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
        endpoints
    }

    /// R8: the active components of root page `p` and of its content pages.
    fn components_of(&self, rows: &mut RowsOf<'_>, p: u32) -> Vec<ReachComponent> {
        let t = &self.tenant;
        self.surface_index()
            .components_of(p)
            .iter()
            .map(|&c| &t.channels.components[c as usize])
            .map(|c| ReachComponent {
                id: c.id.clone(),
                table: t.tables[c.table as usize].name.clone(),
                rows: rows.count(&[Privilege::Read], c.table),
            })
            .collect()
    }

    /// `(table, op)` pairs an endpoint's reading names; `None` for the
    /// table: every table (a dynamic or unmapped entity set, R12).
    fn endpoint_ops(&self, reading: &EndpointReading) -> Vec<(Option<String>, Op)> {
        match reading {
            EndpointReading::Code(c) => c.calls.iter().map(|k| (if k.proxy { None } else { self.entity_set_table(&k.set) }, k.op)).collect(),
            EndpointReading::Flow(f) => f
                .actions
                .iter()
                .filter_map(|a| Some((Some(self.entity_set_table(&a.set)?), a.op?)))
                .collect(),
        }
    }

    /// What `v` reaches through endpoint `e` (R11, R15).
    pub fn endpoint_reach(&self, v: Outsider, e: Endpoint) -> ReachEndpoint {
        self.endpoint_reach_with(&mut RowsOf::new(self, v), e)
    }

    fn endpoint_reach_with(&self, rows: &mut RowsOf<'_>, e: Endpoint) -> ReachEndpoint {
        let t = &self.tenant;
        let reading = self.endpoint_reading(e);
        let mut by_table: BTreeMap<String, BTreeSet<Op>> = BTreeMap::new();
        for (table, op) in self.endpoint_ops(&reading) {
            match table {
                Some(name) => {
                    by_table.entry(name).or_default().insert(op);
                }
                None => {
                    for tb in &t.tables {
                        by_table.entry(tb.name.clone()).or_default().insert(op);
                    }
                }
            }
        }
        let (kind, name) = self.endpoint_name(e);
        let (methods, unbounded) = match &reading {
            EndpointReading::Code(c) => (c.methods.iter().map(|m| m.to_string()).collect(), c.is_unbounded()),
            EndpointReading::Flow(f) => {
                let unmapped = f.actions.iter().any(|a| self.entity_set_table(&a.set).is_none());
                (vec!["POST".to_string()], f.is_unbounded() || unmapped)
            }
        };
        let flow = matches!(reading, EndpointReading::Flow(_));
        let tables = by_table
            .into_iter()
            .filter_map(|(table, ops)| if flow { Some(self.flow_table(table, &ops)) } else { self.logic_table(rows, table, &ops) })
            .collect();
        ReachEndpoint { kind: kind.to_string(), name, methods, tables, unbounded }
    }

    /// R15: a flow acts on every row of its tables, with every privilege it uses.
    fn flow_table(&self, table: String, ops: &BTreeSet<Op>) -> EndpointTable {
        let t = &self.tenant;
        let rows = if ops.iter().any(|&o| o != Op::Create) {
            t.table_id(&table).map(|tb| t.tables[tb as usize].ids.len()).unwrap_or(0)
        } else {
            0
        };
        let mut privileges: Vec<String> = ops.iter().map(|o| o.name().to_string()).collect();
        privileges.sort();
        EndpointTable { table, privileges, rows }
    }

    /// R11: server logic gives `v` exactly its own grants; a table where it
    /// holds none of the privileges used is left out.
    fn logic_table(&self, rows: &mut RowsOf<'_>, table: String, ops: &BTreeSet<Op>) -> Option<EndpointTable> {
        let tb: TableId = self.tenant.table_id(&table)?;
        let mut privileges = Vec::new();
        let mut used = Vec::new();
        for &op in ops {
            let held = match op {
                Op::Create => !self.outsider_can_create(rows.v, tb).is_empty(),
                Op::Read | Op::Write | Op::Delete => {
                    let p = match op {
                        Op::Read => Privilege::Read,
                        Op::Write => Privilege::Write,
                        _ => Privilege::Delete,
                    };
                    let any = !rows.of(p, tb).is_empty();
                    if any {
                        used.push(p);
                    }
                    any
                }
            };
            if held {
                privileges.push(op.name().to_string());
            }
        }
        privileges.sort();
        (!privileges.is_empty()).then(|| EndpointTable { table, privileges, rows: rows.count(&used, tb) })
    }
}
