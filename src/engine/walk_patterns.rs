//! The second evaluation of the access patterns (patterns.md A1 to A4): a
//! walk up the permission forest (a petgraph graph, an edge from each child
//! to its parent) from every permission, reading `semantics.md` directly
//! and sharing no code with the plan rules. `tests/walker_vs_datalog.rs`
//! holds it equal to [`super::patterns::Patterns::derive`].

use super::patterns::{sort_roles, Class, Pattern, Patterns, Top};
use super::walk_channels::registration_open;
use crate::model::{PermId, RoleId, Scope, Tenant};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction::Outgoing;

/// What one step of a chain says (A2), and where the walk goes next.
enum Node {
    /// The chain ends here with this top.
    Top(Top),
    /// A Parent step: go up to this permission.
    Up(PermId),
}

/// The forest and the one step each permission takes.
struct Forest<'a> {
    t: &'a Tenant,
    graph: DiGraph<PermId, ()>,
}

impl<'a> Forest<'a> {
    fn new(t: &'a Tenant) -> Forest<'a> {
        let mut graph = DiGraph::with_capacity(t.permissions.len(), t.permissions.len());
        let nodes: Vec<NodeIndex> = (0..t.permissions.len() as PermId).map(|n| graph.add_node(n)).collect();
        for (n, p) in t.permissions.iter().enumerate() {
            if let Some(m) = p.parent.and_then(|m| nodes.get(m as usize)) {
                graph.add_edge(nodes[n], *m, ());
            }
        }
        Forest { t, graph }
    }

    fn parent(&self, n: PermId) -> Option<PermId> {
        self.graph.neighbors_directed(NodeIndex::new(n as usize), Outgoing).next().map(|i| self.graph[i])
    }

    /// The chain from `n` to its root, `n` first (S5).
    fn ancestors(&self, n: PermId) -> Vec<PermId> {
        let mut out = vec![n];
        while let Some(m) = self.parent(out[out.len() - 1]) {
            if out.len() > self.t.permissions.len() {
                break;
            }
            out.push(m);
        }
        out
    }

    /// S7: active, and so is every ancestor.
    fn live(&self, n: PermId) -> bool {
        self.ancestors(n).iter().all(|&m| self.t.permissions[m as usize].active)
    }

    /// The step node `n` takes (S9 to S14, S20), and whether it rests on
    /// something not evaluated (Custom, an undeclared relationship).
    fn step(&self, n: PermId) -> (Node, bool) {
        let t = self.t;
        let p = &t.permissions[n as usize];
        let joins = |other| p.scope_relationship().and_then(|r| r.id).is_some_and(|r| t.relationships[r as usize].joins(p.table, other));
        let undeclared = p.scope_relationship().is_some_and(|r| r.id.is_none() && !r.name.trim().is_empty());
        let node = match p.scope {
            Scope::Global => Node::Top(Top::Every),
            Scope::SelfScope if p.table == t.contact_table => Node::Top(Top::Anchored),
            Scope::Contact if undeclared || joins(t.contact_table) => Node::Top(Top::Anchored),
            Scope::Account if undeclared || joins(t.account_table) => Node::Top(Top::Anchored),
            Scope::Custom => Node::Top(Top::Custom),
            Scope::Parent => match self.parent(n) {
                Some(m) if undeclared || joins(t.permissions[m as usize].table) => Node::Up(m),
                _ => Node::Top(Top::None),
            },
            _ => Node::Top(Top::None),
        };
        (node, undeclared || p.scope == Scope::Custom)
    }

    /// The chain's top and whether any step rests on something not
    /// evaluated; a `none` step anywhere makes the whole chain `none`.
    fn chain(&self, n: PermId) -> (Top, bool) {
        let (mut at, mut unsure, mut none) = (n, false, false);
        for _ in 0..=self.t.permissions.len() {
            let (node, u) = self.step(at);
            unsure |= u;
            match node {
                Node::Up(m) => at = m,
                Node::Top(top) => {
                    none |= top == Top::None;
                    return (if none { Top::None } else { top }, unsure);
                }
            }
        }
        (Top::None, unsure)
    }
}

/// Every pattern of `t`, walked: for each live permission, the classes
/// holding its root's roles (A1, S3, S4, S6, C8, C9), its chain (A2) and
/// whether it is possible for each class (A4).
pub fn walk_patterns(t: &Tenant) -> Patterns {
    let forest = Forest::new(t);
    let open = registration_open(t);
    let mut list = Vec::new();
    for n in 0..t.permissions.len() as PermId {
        if !forest.live(n) {
            continue;
        }
        let chain = forest.ancestors(n);
        let root = &t.permissions[chain[chain.len() - 1] as usize];
        let roles: Vec<&crate::model::Role> = root.roles.iter().filter_map(|&r| t.roles.get(r as usize)).filter(|r| r.active).collect();
        let ids = |keep: &dyn Fn(&crate::model::Role) -> bool| -> Vec<RoleId> {
            root.roles.iter().copied().filter(|&r| t.roles.get(r as usize).is_some_and(|x| x.active && keep(x))).collect()
        };
        let anon = ids(&|r| r.anonymous);
        let auth = ids(&|r| !r.anonymous && r.authenticated);
        let plain = ids(&|r| !r.anonymous && !r.authenticated);
        let (top, unsure) = forest.chain(n);
        let outsider_possible = matches!(top, Top::Every | Top::Custom);
        // F2: the newcomer has no F&O user; the anonymous visitor has the
        // one set for it, unless that user is an administrator.
        let fo = t.finance.as_ref().filter(|f| f.is_virtual(t.permissions[n as usize].table));
        let anon_user = fo.is_none_or(|f| f.anonymous_user.is_some_and(|u| !f.users[u as usize].roles.iter().any(|&r| f.roles[r as usize].administrator)));
        let mut held: Vec<(Class, Vec<RoleId>, bool)> = Vec::new();
        if !anon.is_empty() {
            held.push((Class::Anonymous, anon, outsider_possible && anon_user));
        }
        if roles.iter().any(|r| !r.anonymous) {
            let r = if auth.is_empty() { plain } else { auth.clone() };
            held.push((Class::Contacts, r, top != Top::None));
        }
        if open && !auth.is_empty() {
            held.push((Class::Newcomer, auth, outsider_possible && fo.is_none()));
        }
        let p = &t.permissions[n as usize];
        for (class, mut roles, possible) in held {
            sort_roles(t, &mut roles);
            list.push(Pattern { class, perm: n, table: p.table, privileges: p.privileges, roles, top, unsure, possible });
        }
    }
    Patterns::sorted(list)
}
