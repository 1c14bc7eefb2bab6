//! Pages, web files and endpoints evaluated a second way, independently of
//! the surface rules (`rules::surfaces`) and their index
//! ([`super::surfaces::SurfaceIndex`]): one question at a time, for one
//! visitor, by walking the page tree (a petgraph graph, child to parent)
//! up from the page asked about. Roles are read straight from the model's
//! memberships and settings straight from the raw list.

use super::channels::Outsider;
use super::walk_channels::{registration_open, setting};
use crate::model::channels::{PageRight, PageRule};
use crate::model::{RoleId, Tenant, Visitor};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;
use std::collections::BTreeSet;

/// The page tree of a tenant and the visitor-independent facts of its
/// pages, for walks.
pub struct SurfaceWalker<'t> {
    t: &'t Tenant,
    /// Nodes are root pages (by page index); an edge goes from a page to
    /// its parent's root page.
    graph: DiGraph<u32, ()>,
    node: Vec<Option<NodeIndex>>,
}

/// What a walk up from a page found.
struct Path {
    /// The root pages from P up to the home page, P first.
    pages: Vec<u32>,
}

impl<'t> SurfaceWalker<'t> {
    /// Over `t`.
    pub fn new(t: &'t Tenant) -> SurfaceWalker<'t> {
        let s = &t.surfaces;
        let mut graph = DiGraph::new();
        let mut node = vec![None; s.pages.len()];
        for (i, p) in s.pages.iter().enumerate() {
            if p.root.is_none() {
                node[i] = Some(graph.add_node(i as u32));
            }
        }
        let walker = SurfaceWalker { t, graph, node };
        let mut edges = Vec::new();
        for (i, p) in s.pages.iter().enumerate() {
            let (Some(from), Some(parent)) = (walker.node[i], p.parent.as_deref()) else { continue };
            if let Some(to) = walker.root_of_id(parent).and_then(|q| walker.node[q as usize]) {
                edges.push((from, to));
            }
        }
        let mut walker = walker;
        for (a, b) in edges {
            walker.graph.add_edge(a, b, ());
        }
        walker
    }

    /// The root page a page id stands for (itself, or the page a content
    /// page copies when that is a root page).
    fn root_of_id(&self, id: &str) -> Option<u32> {
        let s = &self.t.surfaces;
        let i = s.page(id)?;
        match &s.pages[i as usize].root {
            None => Some(i),
            Some(r) => s.page(r).filter(|&j| s.pages[j as usize].root.is_none()),
        }
    }

    /// R1: the path from root page `p` to its home page, when every page on
    /// it is active, every parent exists, and there is no cycle.
    fn path(&self, p: u32) -> Option<Path> {
        let s = &self.t.surfaces;
        let mut seen = BTreeSet::new();
        let mut pages = Vec::new();
        let mut at = self.node.get(p as usize).copied().flatten()?;
        loop {
            let i = self.graph[at];
            let page = &s.pages[i as usize];
            if !page.active || !seen.insert(i) {
                return None;
            }
            pages.push(i);
            if page.parent.is_none() {
                return Some(Path { pages });
            }
            at = self.graph.neighbors_directed(at, Direction::Outgoing).next()?;
        }
    }

    /// The roles `v` holds (S3, S4, C9): for pages, the anonymous visitor
    /// holds none (R3).
    pub fn roles(&self, v: Outsider, for_pages: bool) -> BTreeSet<RoleId> {
        let t = self.t;
        let active = |r: RoleId| t.roles.get(r as usize).is_some_and(|x| x.active);
        let auth = || (0..t.roles.len() as RoleId).filter(|&r| t.roles[r as usize].authenticated);
        let mut out: BTreeSet<RoleId> = match v {
            Outsider::Visitor(Visitor::Anonymous) if for_pages => BTreeSet::new(),
            Outsider::Visitor(Visitor::Anonymous) => (0..t.roles.len() as RoleId).filter(|&r| t.roles[r as usize].anonymous).collect(),
            Outsider::Newcomer if !registration_open(t) => BTreeSet::new(),
            Outsider::Newcomer => auth().filter(|&r| !t.roles[r as usize].anonymous).collect(),
            Outsider::Visitor(Visitor::Contact(c)) => {
                let acct = t.account_of(c);
                let direct = t.contact_members.iter().filter(|m| m.0 == c).map(|m| m.1);
                let through = t.account_members.iter().filter(|m| Some(m.0) == acct).map(|m| m.1);
                auth().chain(direct).chain(through).filter(|&r| !t.roles[r as usize].anonymous).collect()
            }
        };
        out.retain(|&r| active(r));
        out
    }

    /// Whether `v` is a visitor at all (a closed registration's newcomer is not, Q9).
    fn exists(&self, v: Outsider) -> bool {
        v != Outsider::Newcomer || registration_open(self.t)
    }

    /// The active rules on root page `p`, with a right.
    fn rules_on(&self, p: u32, right: PageRight) -> Vec<&'t PageRule> {
        let t = self.t;
        t.channels
            .page_rules
            .iter()
            .filter(|r| r.active && r.right == right && r.page.as_deref().and_then(|x| self.root_of_id(x)) == Some(p))
            .collect()
    }

    fn holds_any(roles: &BTreeSet<RoleId>, rules: &[&PageRule]) -> bool {
        rules.iter().any(|r| r.roles.iter().any(|x| roles.contains(x)))
    }

    /// The root page a page stands for (R1), when it has one.
    fn root_of(&self, p: u32) -> Option<u32> {
        let id = &self.t.surfaces.pages.get(p as usize)?.id;
        self.root_of_id(id)
    }

    /// R4: `v` holds Grant Change on page `p` (root or content).
    pub fn changes(&self, v: Outsider, p: u32) -> bool {
        let Some(root) = self.root_of(p) else { return false };
        let Some(path) = self.path(root) else { return false };
        let roles = self.roles(v, true);
        let state = self.t.surfaces.pages[root as usize].state;
        path.pages.iter().any(|&a| {
            self.rules_on(a, PageRight::GrantChange)
                .iter()
                .any(|r| (r.states.is_empty() || state.is_some_and(|s| r.states.contains(&s))) && r.roles.iter().any(|x| roles.contains(x)))
        })
    }

    /// R5: page `p`'s path has Restrict Read rules.
    pub fn restricted(&self, p: u32) -> bool {
        let Some(path) = self.root_of(p).and_then(|r| self.path(r)) else { return false };
        path.pages.iter().any(|&a| !self.rules_on(a, PageRight::RestrictRead).is_empty())
    }

    fn previews(&self, v: Outsider) -> bool {
        let roles = self.roles(v, false);
        self.t.surfaces.access.iter().any(|a| a.active && a.preview && a.roles.iter().any(|r| roles.contains(r)))
    }

    fn shown(&self, v: Outsider, state: Option<u32>) -> bool {
        state.is_none_or(|s| self.t.surfaces.states[s as usize].visible) || self.previews(v)
    }

    /// R6: `v` opens page `p` (root or content).
    pub fn opens(&self, v: Outsider, p: u32) -> bool {
        if !self.exists(v) {
            return false;
        }
        let Some(root) = self.root_of(p) else { return false };
        let page = &self.t.surfaces.pages[root as usize];
        if page.is_service() {
            return true;
        }
        let Some(path) = self.path(root) else { return false };
        if !self.shown(v, page.state) {
            return false;
        }
        if self.changes(v, p) {
            return true;
        }
        let roles = self.roles(v, true);
        path.pages.iter().all(|&a| {
            let rules = self.rules_on(a, PageRight::RestrictRead);
            rules.is_empty() || Self::holds_any(&roles, &rules)
        })
    }

    /// R7: `v` reads web file `f`.
    pub fn reads_file(&self, v: Outsider, f: u32) -> bool {
        let Some(file) = self.t.surfaces.files.get(f as usize) else { return false };
        if !self.exists(v) || !file.active || !self.shown(v, file.state) {
            return false;
        }
        let Some(p) = self.root_of_id(&file.page) else { return false };
        if self.path(p).is_none() {
            return false;
        }
        let own = self.rules_on(p, PageRight::RestrictRead);
        self.changes(v, p) || own.is_empty() || own.iter().any(|r| r.exclude_files) || Self::holds_any(&self.roles(v, true), &own)
    }

    /// R10, R14: `v` may call endpoint `e` (server logic first, then flows).
    pub fn invokes(&self, v: Outsider, e: u32) -> bool {
        let s = &self.t.surfaces;
        let n = s.server_logic.len() as u32;
        let (active, roles) = if e < n {
            let l = &s.server_logic[e as usize];
            let off = setting(self.t, "ServerLogic/Enabled").is_some_and(|x| x.trim().eq_ignore_ascii_case("false"));
            (l.active && !off, &l.roles)
        } else {
            match s.flows.get((e - n) as usize) {
                Some(c) => (c.active, &c.roles),
                None => return false,
            }
        };
        let held = self.roles(v, false);
        self.exists(v) && active && roles.iter().any(|r| held.contains(r))
    }
}
