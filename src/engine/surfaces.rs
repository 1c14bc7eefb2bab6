//! Pages, web files and endpoints in the serving engine (surfaces.md R1 to
//! R10, R13, R14): the tenant's pages, rules, files and endpoints as the
//! surface rules' facts (`rules::surfaces`), and the derived relations
//! indexed per visitor class, so `who open`, `who invoke` and `reach` are
//! lookups. Visitor classes are those of the channels
//! ([`super::channels::contact_classes`]).

use super::channels::{contact_classes, registration_off, Outsider, CLASS_ANON, CLASS_NEWCOMER};
use crate::model::channels::{is_false, PageRight};
use crate::model::{RowId, Tenant, Visitor};
use portal_access_rules as rules;
use rules::surfaces::{SurfaceDerived, SurfaceFacts};
use std::collections::{BTreeSet, HashMap};

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

/// The surface answers' index of one tenant.
#[derive(Debug, Clone)]
pub struct SurfaceIndex {
    /// The derived relations.
    pub derived: SurfaceDerived,
    class_of: Vec<u32>,
    first_contact: RowId,
    opens: HashMap<u32, BTreeSet<u32>>,
    changes: HashMap<u32, BTreeSet<u32>>,
    files: HashMap<u32, BTreeSet<u32>>,
    invokes: HashMap<u32, BTreeSet<u32>>,
    restricted: BTreeSet<u32>,
    reachable: BTreeSet<u32>,
}

fn by_class(pairs: &[(u32, u32)]) -> HashMap<u32, BTreeSet<u32>> {
    let mut m: HashMap<u32, BTreeSet<u32>> = HashMap::new();
    for &(k, x) in pairs {
        m.entry(k).or_default().insert(x);
    }
    m
}

impl SurfaceIndex {
    /// Runs the surface rules of `t`.
    pub fn new(t: &Tenant) -> SurfaceIndex {
        let (facts, class_of) = surface_facts(t);
        let derived = rules::surfaces::derive(&facts);
        SurfaceIndex {
            opens: by_class(&derived.opens),
            changes: by_class(&derived.changes),
            files: by_class(&derived.reads_file),
            invokes: by_class(&derived.invokes),
            restricted: derived.restricted.iter().copied().collect(),
            reachable: derived.reachable.iter().copied().collect(),
            derived,
            class_of,
            first_contact: t.contacts().start,
        }
    }

    /// The class of a visitor.
    pub fn class(&self, v: Outsider) -> u32 {
        match v {
            Outsider::Visitor(Visitor::Anonymous) => CLASS_ANON,
            Outsider::Newcomer => CLASS_NEWCOMER,
            Outsider::Visitor(Visitor::Contact(c)) => {
                self.class_of.get(c.wrapping_sub(self.first_contact) as usize).copied().unwrap_or(u32::MAX)
            }
        }
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
    /// The contacts (rows, in row order) whose class `keep` admits: one
    /// test per class, then one read per contact.
    pub fn contacts_where(&self, keep: impl Fn(Outsider) -> bool) -> Vec<RowId> {
        let classes = self.class_of.iter().copied().max().map_or(0, |m| m as usize + 1);
        let mut admitted = vec![None::<bool>; classes];
        let mut out = Vec::new();
        for (i, &k) in self.class_of.iter().enumerate() {
            let c = self.first_contact + i as RowId;
            let Some(slot) = admitted.get_mut(k as usize) else { continue };
            if *slot.get_or_insert_with(|| keep(Outsider::Visitor(Visitor::Contact(c)))) {
                out.push(c);
            }
        }
        out
    }

    /// The pages `v` opens, by index.
    pub fn pages_of(&self, v: Outsider) -> Vec<u32> {
        self.opens.get(&self.class(v)).map(|s| s.iter().copied().collect()).unwrap_or_default()
    }
    /// The files `v` reads, by index.
    pub fn files_of(&self, v: Outsider) -> Vec<u32> {
        self.files.get(&self.class(v)).map(|s| s.iter().copied().collect()).unwrap_or_default()
    }
    /// The endpoint numbers `v` may call.
    pub fn endpoints_of(&self, v: Outsider) -> Vec<u32> {
        self.invokes.get(&self.class(v)).map(|s| s.iter().copied().collect()).unwrap_or_default()
    }
}
