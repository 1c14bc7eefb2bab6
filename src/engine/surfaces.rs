//! Pages, web files and endpoints in the serving engine (surfaces.md R1 to
//! R10, R13, R14): the tenant's pages, rules, files and endpoints as the
//! surface rules' facts (`rules::surfaces`), and the derived relations
//! indexed per visitor class, so `who open`, `who invoke` and `reach` are
//! lookups. Visitor classes are those of the channels
//! ([`super::channels::contact_classes`]).

use super::endpoint_code::{read_code, CodeReading};
use super::flow_definition::{read_flow, FlowReading};
use super::channels::{contact_classes, registration_off, Classes, Outsider, CLASS_ANON, CLASS_NEWCOMER};
use crate::model::channels::{is_false, PageRight};
use crate::model::{RowId, Tenant};
use portal_access_rules as rules;
use rules::surfaces::{SurfaceDerived, SurfaceFacts};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

/// An endpoint of the surfaces (R9, R13): a server logic record or a cloud
/// flow consumer, by its index in its section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// `serverlogic:NAME`.
    ServerLogic(u32),
    /// `cloudflow:ID`.
    CloudFlow(u32),
}

impl Endpoint {
    /// Its number in the surface facts: server logic first, then flows.
    pub fn number(self, t: &Tenant) -> u32 {
        match self {
            Endpoint::ServerLogic(i) => i,
            Endpoint::CloudFlow(i) => t.surfaces.server_logic.len() as u32 + i,
        }
    }
}

/// R9: `ServerLogic/Enabled` is `false` (trimmed, any case; Q8).
pub fn server_logic_off(t: &Tenant) -> bool {
    let raw = &t.raw.site_settings;
    t.channels.settings.get("serverlogic/enabled").and_then(|&i| raw.get(i)).is_some_and(|s| is_false(&s.value))
}

/// The surface facts of `t`, with the class of every contact (by
/// `contact - first contact`).
pub fn surface_facts(t: &Tenant) -> (SurfaceFacts, Vec<u32>) {
    // The classes alone: the channel facts' columns would scan every row.
    let mut cf = rules::channels::ChannelFacts::default();
    let class_of = contact_classes(t, &mut cf);
    let s = &t.surfaces;
    let mut f = SurfaceFacts {
        class_anon: CLASS_ANON,
        class_newcomer: CLASS_NEWCOMER,
        class_contacts: cf.class_contacts,
        class_member: cf.class_member,
        registration_off: registration_off(t),
        server_logic_off: server_logic_off(t),
        ..SurfaceFacts::default()
    };
    (f.role_active, f.role_anon, f.role_auth) = super::facts::role_flags(t);
    page_facts(t, &mut f);
    for (i, a) in s.access.iter().enumerate() {
        if a.active && a.preview {
            f.access_preview.push(i as u32);
        }
        f.access_role.extend(a.roles.iter().map(|&r| (i as u32, r)));
    }
    for (i, x) in s.files.iter().enumerate() {
        let i = i as u32;
        if let Some(p) = s.page(&x.page) {
            f.file.push((i, p));
        }
        if x.active {
            f.file_active.push(i);
        }
        if let Some(st) = x.state {
            f.file_state.push((i, st));
        }
    }
    let ends = s.server_logic.iter().map(|l| (true, l.active, &l.roles)).chain(s.flows.iter().map(|c| (false, c.active, &c.roles)));
    for (e, (is_sl, active, roles)) in ends.enumerate() {
        let e = e as u32;
        if is_sl {
            f.is_server_logic.push(e);
        }
        if active {
            f.endpoint_active.push(e);
        }
        f.endpoint_role.extend(roles.iter().map(|&r| (e, r)));
    }
    (f, class_of)
}

fn page_facts(t: &Tenant, f: &mut SurfaceFacts) {
    let s = &t.surfaces;
    for (i, p) in s.pages.iter().enumerate() {
        let i = i as u32;
        match &p.root {
            None => f.root_page.push(i),
            Some(x) => f.content_of.extend(s.page(x).map(|x| (i, x))),
        }
        if let Some(x) = &p.parent {
            f.has_parent.push(i);
            f.parent_of.extend(s.page(x).map(|x| (i, x)));
        }
        if p.active {
            f.page_active.push(i);
        }
        if let Some(st) = p.state {
            f.page_state.push((i, st));
        }
        if p.is_service() {
            f.service_page.push(i);
        }
    }
    f.state_visible = s.states.iter().enumerate().filter(|(_, st)| st.visible).map(|(i, _)| i as u32).collect();
    for (u, r) in t.channels.page_rules.iter().enumerate() {
        let u = u as u32;
        f.rule_on.extend(r.page.as_deref().and_then(|x| s.page(x)).map(|x| (u, x)));
        if r.active {
            f.rule_active.push(u);
        }
        match r.right {
            PageRight::GrantChange => f.rule_grant.push(u),
            PageRight::RestrictRead => f.rule_restrict.push(u),
        }
        if r.exclude_files {
            f.rule_exclude.push(u);
        }
        f.rule_role.extend(r.roles.iter().map(|&x| (u, x)));
        f.rule_state.extend(r.states.iter().map(|&x| (u, x)));
    }
}

/// Who reaches one page or endpoint, factored by visitor class (R6, R10,
/// R14): the outsiders' answers and the contact classes admitted, with
/// how many contacts those hold. Contacts are expanded only on output
/// ([`SurfaceIndex::contacts_in`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    /// The anonymous visitor.
    pub anonymous: bool,
    /// The newcomer (C9).
    pub newcomer: bool,
    /// The contact classes admitted, sorted.
    pub classes: Vec<u32>,
    /// How many contacts those classes hold.
    pub contacts: usize,
    /// Every contact class is admitted.
    pub every_contact: bool,
}

/// The surface answers' index of one tenant.
#[derive(Debug, Clone)]
pub struct SurfaceIndex {
    /// The derived relations.
    pub derived: SurfaceDerived,
    classes: Classes,
    opens: HashMap<u32, BTreeSet<u32>>,
    changes: HashMap<u32, BTreeSet<u32>>,
    files: HashMap<u32, BTreeSet<u32>>,
    invokes: HashMap<u32, BTreeSet<u32>>,
    restricted: BTreeSet<u32>,
    reachable: BTreeSet<u32>,
    page_audience: Vec<Audience>,
    endpoint_audience: Vec<Audience>,
    /// Per page: its own and its content pages' active components, by id
    /// (R8); filled for root pages.
    components: Vec<Vec<u32>>,
    /// Root pages in id order, with their ids shared with the answers.
    roots_by_id: Vec<(u32, Arc<str>)>,
    /// Web files in id order, with their ids.
    files_by_id: Vec<(u32, Arc<str>)>,
    /// Per class, the pages it opens and the files it reads, as bit sets.
    open_bits: HashMap<u32, Vec<u64>>,
    file_bits: HashMap<u32, Vec<u64>>,
    /// Contacts in print order (by id), with their class; on first use.
    contact_order: OnceLock<Vec<(RowId, u32)>>,
    /// Each server logic's code read once, on first use (R12).
    code: Vec<OnceLock<CodeReading>>,
    /// Each flow's definition read once, on first use (R16).
    flow: Vec<OnceLock<FlowReading>>,
}

fn by_class(pairs: &[(u32, u32)]) -> HashMap<u32, BTreeSet<u32>> {
    let mut m: HashMap<u32, BTreeSet<u32>> = HashMap::new();
    for &(k, x) in pairs {
        m.entry(k).or_default().insert(x);
    }
    m
}

/// Per target (page or endpoint number), the classes of `pairs`
/// (`(class, target)`) that reach it, factored.
fn audiences(pairs: &[(u32, u32)], targets: usize, class_size: &[usize]) -> Vec<Audience> {
    let mut out = vec![Audience::default(); targets];
    for &(k, x) in pairs {
        let Some(a) = out.get_mut(x as usize) else { continue };
        match k {
            CLASS_ANON => a.anonymous = true,
            CLASS_NEWCOMER => a.newcomer = true,
            _ => a.classes.push(k),
        }
    }
    let contact_classes = class_size.iter().skip(CLASS_NEWCOMER as usize + 1).filter(|&&n| n > 0).count();
    for a in &mut out {
        a.classes.sort_unstable();
        a.classes.dedup();
        a.contacts = a.classes.iter().map(|&k| class_size.get(k as usize).copied().unwrap_or(0)).sum();
        a.every_contact = a.classes.iter().filter(|&&k| class_size.get(k as usize).is_some_and(|&n| n > 0)).count() == contact_classes;
    }
    out
}

/// The items `keep` marks, in the order of their ids (ties by index).
fn by_id<'a>(items: impl Iterator<Item = (bool, &'a str)>) -> Vec<(u32, Arc<str>)> {
    let mut out: Vec<(u32, Arc<str>)> = items.enumerate().filter(|(_, (keep, _))| *keep).map(|(i, (_, id))| (i as u32, Arc::from(id))).collect();
    out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    out
}

/// Per class, the targets of `pairs` (`(class, target)`) as a bit set.
fn bits_by_class(pairs: &[(u32, u32)], targets: usize) -> HashMap<u32, Vec<u64>> {
    let mut m: HashMap<u32, Vec<u64>> = HashMap::new();
    for &(k, x) in pairs {
        let bits = m.entry(k).or_insert_with(|| vec![0u64; targets.div_ceil(64)]);
        if let Some(w) = bits.get_mut(x as usize / 64) {
            *w |= 1 << (x % 64);
        }
    }
    m
}

fn has_bit(bits: Option<&Vec<u64>>, x: u32) -> bool {
    bits.and_then(|b| b.get(x as usize / 64)).is_some_and(|w| w & (1 << (x % 64)) != 0)
}

/// R8: per root page, the active components it and its content pages name
/// (content pages by `root`, pages of the same id alike), by component id.
fn page_components(t: &Tenant) -> Vec<Vec<u32>> {
    let s = &t.surfaces;
    let mut by_id: HashMap<&str, BTreeSet<u32>> = HashMap::new();
    for page in &s.pages {
        let key = page.root.as_deref().unwrap_or(page.id.as_str());
        by_id.entry(key).or_default().extend(page.components.iter().copied());
    }
    let comps = &t.channels.components;
    s.pages
        .iter()
        .map(|page| {
            if page.root.is_some() {
                return Vec::new();
            }
            let mut out: Vec<u32> = by_id
                .get(page.id.as_str())
                .map(|ids| ids.iter().copied().filter(|&c| comps.get(c as usize).is_some_and(|c| c.active)).collect())
                .unwrap_or_default();
            out.sort_by(|&a, &b| comps[a as usize].id.cmp(&comps[b as usize].id));
            out
        })
        .collect()
}

impl SurfaceIndex {
    /// Runs the surface rules of `t`.
    pub fn new(t: &Tenant) -> SurfaceIndex {
        let (facts, class_of) = surface_facts(t);
        let derived = rules::surfaces::derive(&facts);
        let classes = class_of.iter().copied().max().map_or(0, |m| m as usize + 1).max(CLASS_NEWCOMER as usize + 1);
        let mut class_size = vec![0usize; classes];
        for &k in &class_of {
            if let Some(n) = class_size.get_mut(k as usize) {
                *n += 1;
            }
        }
        let s = &t.surfaces;
        let endpoints = s.server_logic.len() + s.flows.len();
        SurfaceIndex {
            opens: by_class(&derived.opens),
            changes: by_class(&derived.changes),
            files: by_class(&derived.reads_file),
            invokes: by_class(&derived.invokes),
            restricted: derived.restricted.iter().copied().collect(),
            reachable: derived.reachable.iter().copied().collect(),
            page_audience: audiences(&derived.opens, s.pages.len(), &class_size),
            endpoint_audience: audiences(&derived.invokes, endpoints, &class_size),
            components: page_components(t),
            roots_by_id: by_id(s.pages.iter().map(|p| (p.root.is_none(), p.id.as_str()))),
            files_by_id: by_id(s.files.iter().map(|f| (true, f.id.as_str()))),
            open_bits: bits_by_class(&derived.opens, s.pages.len()),
            file_bits: bits_by_class(&derived.reads_file, s.files.len()),
            contact_order: OnceLock::new(),
            code: s.server_logic.iter().map(|_| OnceLock::new()).collect(),
            flow: s.flows.iter().map(|_| OnceLock::new()).collect(),
            derived,
            classes: Classes { of: class_of, first_contact: t.contacts().start },
        }
    }

    /// Who opens page `p` (R6), by class.
    pub fn page_audience(&self, p: u32) -> Option<&Audience> {
        self.page_audience.get(p as usize)
    }
    /// Who may call endpoint number `e` (R10, R14), by class.
    pub fn endpoint_audience(&self, e: u32) -> Option<&Audience> {
        self.endpoint_audience.get(e as usize)
    }
    /// R8: the active components of root page `p` and of its content
    /// pages, by component id.
    pub fn components_of(&self, p: u32) -> &[u32] {
        self.components.get(p as usize).map(Vec::as_slice).unwrap_or(&[])
    }
    /// Server logic `i`'s code, read once (R12); `None` past the end.
    pub fn code(&self, t: &Tenant, i: u32) -> Option<&CodeReading> {
        let (cell, l) = (self.code.get(i as usize)?, t.surfaces.server_logic.get(i as usize)?);
        Some(cell.get_or_init(|| read_code(&l.code)))
    }
    /// Flow `i`'s definition, read once (R16); `None` past the end.
    pub fn flow(&self, t: &Tenant, i: u32) -> Option<&FlowReading> {
        let (cell, f) = (self.flow.get(i as usize)?, t.surfaces.flows.get(i as usize)?);
        Some(cell.get_or_init(|| read_flow(f.definition.as_ref())))
    }
    /// The contacts `a` admits, in print order (by id): every contact, or
    /// those of its classes. One pass over the contacts, no sorting.
    pub fn contacts_in<'a>(&'a self, t: &Tenant, a: &'a Audience) -> impl Iterator<Item = RowId> + 'a {
        let order = self.contact_order.get_or_init(|| {
            let rank = t.row_rank();
            let mut order: Vec<(RowId, u32)> = self.classes.of.iter().enumerate().map(|(i, &k)| (self.classes.first_contact + i as RowId, k)).collect();
            order.sort_unstable_by_key(|&(c, _)| rank.get(c as usize).copied().unwrap_or(u32::MAX));
            order
        });
        let none = a.contacts == 0;
        order
            .iter()
            .filter(move |&&(_, k)| !none && (a.every_contact || a.classes.binary_search(&k).is_ok()))
            .map(|&(c, _)| c)
    }

    /// The class of a visitor.
    pub fn class(&self, v: Outsider) -> u32 {
        self.classes.class(v)
    }

    fn has(m: &HashMap<u32, BTreeSet<u32>>, k: u32, x: u32) -> bool {
        m.get(&k).is_some_and(|s| s.contains(&x))
    }

    /// R6: `v` opens page `p` (root or content).
    pub fn opens(&self, v: Outsider, p: u32) -> bool {
        Self::has(&self.opens, self.class(v), p)
    }
    /// R4: `v` may change page `p`.
    pub fn changes(&self, v: Outsider, p: u32) -> bool {
        Self::has(&self.changes, self.class(v), p)
    }
    /// R7: `v` reads web file `f`.
    pub fn reads_file(&self, v: Outsider, f: u32) -> bool {
        Self::has(&self.files, self.class(v), f)
    }
    /// R10, R14: `v` may call endpoint number `e`.
    pub fn invokes(&self, v: Outsider, e: u32) -> bool {
        Self::has(&self.invokes, self.class(v), e)
    }
    /// R5: page `p`'s path has Restrict Read rules.
    pub fn restricted(&self, p: u32) -> bool {
        self.restricted.contains(&p)
    }
    /// R1: root page `p`'s path reaches a home page through active pages.
    pub fn reachable(&self, p: u32) -> bool {
        self.reachable.contains(&p)
    }
    /// The root pages `v` opens (R6), in id order: `(page, id, changes
    /// (R4), restricted (R5))`.
    pub fn roots_opened(&self, v: Outsider) -> impl Iterator<Item = (u32, &Arc<str>, bool, bool)> + '_ {
        let k = self.class(v);
        let (opens, changes) = (self.open_bits.get(&k), self.changes.get(&k));
        self.roots_by_id
            .iter()
            .filter(move |(p, _)| has_bit(opens, *p))
            .map(move |(p, id)| (*p, id, changes.is_some_and(|c| c.contains(p)), self.restricted.contains(p)))
    }
    /// The web files `v` reads (R7), in id order.
    pub fn files_read(&self, v: Outsider) -> impl Iterator<Item = &Arc<str>> + '_ {
        let bits = self.file_bits.get(&self.class(v));
        self.files_by_id.iter().filter(move |(f, _)| has_bit(bits, *f)).map(|(_, id)| id)
    }
    /// The endpoint numbers `v` may call.
    pub fn endpoints_of(&self, v: Outsider) -> Vec<u32> {
        self.invokes.get(&self.class(v)).map(|s| s.iter().copied().collect()).unwrap_or_default()
    }
}
