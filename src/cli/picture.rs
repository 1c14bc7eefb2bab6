//! Pictures: the permission forest and `why` explanations as petgraph graphs,
//! written as Graphviz DOT by petgraph's [`Dot`] (`--dot`), or drawn as SVG
//! in Rust by [`super::svg`] (`--svg`, the report), with no Graphviz needed.

use super::explain::{scope_text, Forest};
use thiserror::Error;
use crate::answer::query::Analysis;
use crate::answer::why::{PathStep, WhyAnswer};
use petgraph::dot::Dot;
use petgraph::graph::{Graph, NodeIndex};
use std::collections::HashMap;
use std::fmt;

/// What a node of a picture stands for; it decides the node's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// A visitor (a contact or the anonymous visitor).
    Visitor,
    /// A web role.
    Role,
    /// A table permission.
    Permission,
    /// A row.
    Row,
}

/// A node: its label lines and how it is drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PicNode {
    /// What it is.
    pub kind: NodeKind,
    /// Label, one line per element.
    pub lines: Vec<String>,
    /// Drawn greyed out (inactive, or otherwise granting nothing).
    pub faded: bool,
}

impl fmt::Display for PicNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // petgraph writes `\n` as Graphviz's left-justified break `\l`, which
        // also ends the last line.
        for l in &self.lines {
            writeln!(f, "{l}")?;
        }
        Ok(())
    }
}

/// An edge: its label and whether it is drawn dashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PicEdge {
    /// Label (may be empty).
    pub label: String,
    /// Dashed: a link that is ignored or does not count.
    pub dashed: bool,
}

impl fmt::Display for PicEdge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

/// A picture: a directed graph of labelled nodes and edges.
pub type Picture = Graph<PicNode, PicEdge>;

/// Writes a picture as Graphviz DOT.
pub fn to_dot(g: &Picture) -> String {
    let node_attrs = |_: &Picture, (_, n): (NodeIndex, &PicNode)| -> String {
        let shape = match n.kind {
            NodeKind::Visitor => "shape = doubleoctagon",
            NodeKind::Role => "shape = ellipse",
            NodeKind::Permission => "shape = box",
            NodeKind::Row => "shape = note",
        };
        let faded = if n.faded { ", style = dashed, color = gray50, fontcolor = gray50" } else { "" };
        format!("{shape}, fontname = \"Helvetica\"{faded} ")
    };
    let edge_attrs = |_: &Picture, e: petgraph::graph::EdgeReference<'_, PicEdge>| -> String {
        if e.weight().dashed {
            "fontname = \"Helvetica\", style = dashed, color = gray50 ".to_string()
        } else {
            "fontname = \"Helvetica\" ".to_string()
        }
    };
    let dot = Dot::with_attr_getters(g, &[], &edge_attrs, &node_attrs);
    format!("{dot}")
}

/// The forest as a picture: the roles of each root, then the permissions,
/// parent to child, each edge labelled with the child's scope relationship.
pub fn forest_picture(a: &Analysis, f: &Forest) -> Picture {
    forest_picture_with(a, f, false)
}

/// [`forest_picture`] for a person: each permission's display name first
/// (when it has one other than its id), then its id; drawn by `--svg` and
/// the report, where ids may be GUIDs.
pub fn forest_picture_named(a: &Analysis, f: &Forest) -> Picture {
    forest_picture_with(a, f, true)
}

fn forest_picture_with(a: &Analysis, f: &Forest, names: bool) -> Picture {
    let t = &a.tenant;
    let mut g = Picture::new();
    let mut roles: Vec<u32> = f
        .nodes
        .iter()
        .filter(|n| n.depth == 0)
        .flat_map(|n| t.permissions[n.perm as usize].roles.iter().copied())
        .collect();
    roles.sort_by(|x, y| t.roles[*x as usize].id.cmp(&t.roles[*y as usize].id));
    roles.dedup();
    let mut role_node = HashMap::new();
    // With names, a node is labelled as readable answers label it: the
    // display name, the id only where two share the name.
    let labels = crate::model::Names::new(t, false);
    for r in roles {
        let role = &t.roles[r as usize];
        let mut lines = vec![role.id.clone()];
        if names {
            lines = vec![labels.role(r).to_string()];
        } else if !role.name.is_empty() && role.name != role.id {
            lines.push(role.name.clone());
        }
        if role.anonymous {
            lines.push("anonymous users role".to_string());
        }
        if role.authenticated {
            lines.push("authenticated users role".to_string());
        }
        let lines = if names { narrow(lines) } else { lines };
        let i = g.add_node(PicNode { kind: NodeKind::Role, lines, faded: !role.active });
        role_node.insert(r, i);
    }
    let mut perm_node = HashMap::new();
    for nd in &f.nodes {
        let p = &t.permissions[nd.perm as usize];
        let mut lines = Vec::new();
        let label = if names { labels.perm(nd.perm).to_string() } else { nd.id.clone() };
        lines.extend([
            if nd.focus { format!("{label} (asked)") } else { label },
            format!("{}: {}", nd.table, scope_text(p)),
            if nd.privileges.is_empty() { "no privileges".to_string() } else { nd.privileges.join(" ") },
        ]);
        if !nd.active {
            lines.push("inactive".to_string());
        }
        let lines = if names { narrow(lines) } else { lines };
        let i = g.add_node(PicNode { kind: NodeKind::Permission, lines, faded: !nd.live });
        perm_node.insert(nd.perm, i);
        match p.parent.and_then(|m| perm_node.get(&m)) {
            Some(&parent) => {
                let label = match &p.parent_relationship {
                    Some(r) => r.name.clone(),
                    None => String::new(),
                };
                g.add_edge(parent, i, PicEdge { label, dashed: false });
            }
            None => {
                for r in &p.roles {
                    if let Some(&ri) = role_node.get(r) {
                        g.add_edge(ri, i, PicEdge { label: String::new(), dashed: false });
                    }
                }
            }
        }
    }
    g
}

/// The forest as Graphviz DOT.
pub fn forest_dot(a: &Analysis, f: &Forest) -> String {
    to_dot(&forest_picture(a, f))
}

/// A `why` answer as a picture: the visitor, then every granting chain
/// (role, permissions, rows), shared steps drawn once; each edge into a row
/// carries the relationship that links it. A denied answer draws the visitor,
/// the target and a dashed edge labelled with the kind of miss.
pub fn why_picture(w: &WhyAnswer) -> Picture {
    let c = &w.can;
    let mut g = Picture::new();
    let mut seen: HashMap<(NodeKind, String), NodeIndex> = HashMap::new();
    let mut edges: HashMap<(NodeIndex, NodeIndex), ()> = HashMap::new();
    let mut node = |g: &mut Picture, kind: NodeKind, key: &str, lines: Vec<String>| -> NodeIndex {
        *seen.entry((kind, key.to_string())).or_insert_with(|| g.add_node(PicNode { kind, lines, faded: false }))
    };
    let visitor_label =
        if c.visitor == "anonymous" { "anonymous visitor".to_string() } else { format!("contact {}", c.visitor) };
    let visitor = node(&mut g, NodeKind::Visitor, &c.visitor, vec![visitor_label]);
    let target_key = match (&c.row, &c.table) {
        (Some(r), _) => r.clone(),
        (None, Some(t)) => format!("table {t}"),
        (None, None) => String::new(),
    };
    let mut edge = |g: &mut Picture, a: NodeIndex, b: NodeIndex, label: String, dashed: bool| {
        if edges.insert((a, b), ()).is_none() {
            g.add_edge(a, b, PicEdge { label, dashed });
        }
    };
    for path in &w.paths {
        let mut prev = visitor;
        for s in path {
            let (next, label) = match s {
                PathStep::Role { id, via, account } => {
                    let label = match (via.as_str(), account) {
                        ("contact", _) => "member".to_string(),
                        ("account", Some(acc)) => format!("through {acc}"),
                        (other, _) => other.to_string(),
                    };
                    (node(&mut g, NodeKind::Role, id, vec![id.clone()]), label)
                }
                PathStep::Permission { id, scope } => {
                    (node(&mut g, NodeKind::Permission, id, vec![id.clone(), format!("{scope} scope")]), String::new())
                }
                PathStep::Row { reference, relationship, anchor } => {
                    let label = match (relationship, anchor.as_deref()) {
                        (Some(r), _) => r.clone(),
                        (None, Some("visitor")) => "the visitor".to_string(),
                        (None, Some("account")) => "the visitor's account".to_string(),
                        (None, _) => "global".to_string(),
                    };
                    (node(&mut g, NodeKind::Row, reference, vec![reference.clone()]), label)
                }
            };
            edge(&mut g, prev, next, label, false);
            prev = next;
        }
        if c.row.is_none() && !target_key.is_empty() {
            // create is table-level (S17): the chain ends at the permission.
            let t = node(&mut g, NodeKind::Row, &target_key, vec![target_key.clone()]);
            edge(&mut g, prev, t, c.privilege.clone(), false);
        }
    }
    if !c.allowed {
        let mut lines = vec![target_key.clone()];
        if let Some(r) = &w.reason {
            lines.extend(wrap(r, 60));
        }
        let t = node(&mut g, NodeKind::Row, &target_key, lines);
        let label = format!("no {}: {}", c.privilege, w.miss.clone().unwrap_or_default().replace('_', " "));
        edge(&mut g, visitor, t, label, true);
    }
    g
}

/// Widest line of a node drawn for a person, in characters: longer lines
/// are wrapped at spaces, so that deep forests still fit a page's width.
pub const NODE_WIDTH: usize = 40;

/// Wraps each line longer than [`NODE_WIDTH`] (a word longer than that, a
/// GUID say, stays whole).
fn narrow(lines: Vec<String>) -> Vec<String> {
    lines.into_iter().flat_map(|l| if l.chars().count() > NODE_WIDTH { wrap(&l, NODE_WIDTH) } else { vec![l] }).collect()
}

/// Splits a sentence into lines of at most about `width` characters.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for w in s.split_whitespace() {
        if !cur.is_empty() && cur.len() + 1 + w.len() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// Why a picture could not be written.
#[derive(Debug, Error)]
pub enum RenderError {
    /// The picture could not be written.
    #[error("cannot write `{file}`: {reason}")]
    Render {
        /// The SVG file asked for.
        file: String,
        /// What went wrong.
        reason: String,
    },
}
