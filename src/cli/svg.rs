//! Pictures drawn in Rust: a [`Picture`] laid out left to right in layers
//! and written as a self-contained SVG document (no script, no font or image
//! fetched), so that `tree --svg`, `why --svg` and `report` need no Graphviz.
//!
//! The layout is a layered tree layout, which is what the pictures are: the
//! permission forest is a forest below its roles, and a `why` answer is a
//! few paths sharing their first steps. Each node goes in the column of its
//! longest path from a node with no incoming edge; within a column, nodes
//! are placed depth-first along a spanning forest (each node's first
//! incoming edge), every parent centred on its children and whole subtrees
//! pushed down when they would overlap what is above them (a simple form of
//! Reingold and Tilford's tidy tree). Edges that are not in the spanning
//! forest (a root held through two roles, two chains ending at one row) are
//! drawn too, as curves. Text is set in a monospace font so that box sizes
//! computed here fit the text whatever font the viewer picks.
//!
//! The output is deterministic: nodes and edges in the picture's order,
//! coordinates printed with one decimal.

use super::picture::{NodeKind, Picture, RenderError};
use std::path::Path;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::fmt::Write;

/// Font size of node text, in pixels.
const FONT: f64 = 12.0;
/// Width of one character of the monospace font (0.6 em for the usual ones).
const CHAR_W: f64 = FONT * 0.6;
/// Height of one line of text.
const LINE_H: f64 = 15.0;
/// Padding inside a node box.
const PAD_X: f64 = 10.0;
const PAD_Y: f64 = 7.0;
/// Vertical gap between nodes of one column.
const GAP_Y: f64 = 14.0;
/// Least horizontal gap between columns (labels of edges widen it).
const GAP_X: f64 = 48.0;
/// Margin around the drawing.
const MARGIN: f64 = 12.0;
/// Edge label font size.
const EDGE_FONT: f64 = 11.0;

/// Escapes text for SVG (XML) content and attribute values.
fn esc(s: &str) -> String {
    html_escape::encode_double_quoted_attribute(s).into_owned()
}

/// Display width of a line, in characters (wide characters count two).
fn text_cols(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 && is_wide(c) { 2 } else { 1 }).sum()
}

/// East Asian wide and full-width ranges (enough for box sizing).
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF |
        0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1FAFF | 0x20000..=0x3FFFD)
}

/// Where each node of a picture goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Per node (by index): left, top, width, height.
    pub boxes: Vec<(f64, f64, f64, f64)>,
    /// Per node: its column.
    pub layer: Vec<usize>,
    /// Size of the whole drawing.
    pub width: f64,
    /// Height of the whole drawing.
    pub height: f64,
}

/// Pictures with more edges keep the spanning forest's order (counting
/// crossings is quadratic in the edges between two columns).
const MAX_REORDERED_EDGES: usize = 4000;

/// Vertical placement, depth-first along the spanning forest (an explicit
/// stack: trees may be deep): the top of each node.
fn place(roots: &[usize], kids: &[Vec<usize>], layer: &[usize], size: &[(f64, f64)], layers: usize) -> Vec<f64> {
    let mut free = vec![0.0f64; layers];
    let mut top = vec![0.0f64; layer.len()];
    for &r in roots {
        // Post-order over the subtree of r.
        let mut order = Vec::new();
        let mut stack = vec![(r, false)];
        while let Some((v, done)) = stack.pop() {
            if done {
                order.push(v);
                continue;
            }
            stack.push((v, true));
            for &k in kids[v].iter().rev() {
                stack.push((k, false));
            }
        }
        for v in order {
            let h = size[v].1;
            let want = match (kids[v].first(), kids[v].last()) {
                (Some(&a), Some(&b)) => (top[a] + (top[b] + size[b].1)) / 2.0 - h / 2.0,
                _ => free[layer[v]],
            };
            let l = layer[v];
            if want < free[l] {
                // Push the whole subtree down below what is above it.
                let delta = free[l] - want;
                let mut st = vec![v];
                while let Some(u) = st.pop() {
                    if u != v {
                        top[u] += delta;
                    }
                    st.extend(kids[u].iter().copied());
                }
                top[v] = free[l];
                let mut st = kids[v].clone();
                while let Some(u) = st.pop() {
                    free[layer[u]] = free[layer[u]].max(top[u] + size[u].1 + GAP_Y);
                    st.extend(kids[u].iter().copied());
                }
            } else {
                top[v] = want;
            }
            free[l] = free[l].max(top[v] + size[v].1 + GAP_Y);
        }
    }
    top
}

/// Edges crossing between neighbouring columns, for node tops `top`.
fn crossings(g: &Picture, layer: &[usize], top: &[f64], size: &[(f64, f64)]) -> usize {
    let mut by_column: Vec<Vec<(f64, f64)>> = vec![Vec::new(); layer.iter().max().map_or(0, |m| m + 1)];
    for e in g.edge_references() {
        let (s, t) = (e.source().index(), e.target().index());
        if layer[t] == layer[s] + 1 {
            by_column[layer[s]].push((top[s] + size[s].1 / 2.0, top[t] + size[t].1 / 2.0));
        }
    }
    let mut n = 0;
    for edges in &by_column {
        for (i, a) in edges.iter().enumerate() {
            n += edges[i + 1..].iter().filter(|b| (a.0 - b.0) * (a.1 - b.1) < 0.0).count();
        }
    }
    n
}

/// Lays out a picture (see the module's description).
pub fn layout(g: &Picture) -> Layout {
    let n = g.node_count();
    let size: Vec<(f64, f64)> = g
        .node_indices()
        .map(|i| {
            let lines = &g[i].lines;
            let cols = lines.iter().map(|l| text_cols(l)).max().unwrap_or(0).max(4);
            let extra = match g[i].kind {
                NodeKind::Visitor => 2.0 * PAD_X,
                NodeKind::Role => 2.0 * PAD_X,
                NodeKind::Row => PAD_X,
                NodeKind::Permission => 0.0,
            };
            (cols as f64 * CHAR_W + 2.0 * PAD_X + extra, lines.len().max(1) as f64 * LINE_H + 2.0 * PAD_Y)
        })
        .collect();

    // Columns: the longest path from a source (Kahn's order; nodes on a
    // cycle, which pictures do not have, keep the column they reached).
    let mut layer = vec![0usize; n];
    let mut indeg: Vec<usize> = g.node_indices().map(|i| g.edges_directed(i, Direction::Incoming).count()).collect();
    let mut queue: Vec<NodeIndex> = g.node_indices().filter(|i| indeg[i.index()] == 0).collect();
    let mut qi = 0;
    while qi < queue.len() {
        let u = queue[qi];
        qi += 1;
        let mut outs: Vec<_> = g.edges_directed(u, Direction::Outgoing).map(|e| e.target()).collect();
        outs.sort();
        for v in outs {
            layer[v.index()] = layer[v.index()].max(layer[u.index()] + 1);
            indeg[v.index()] -= 1;
            if indeg[v.index()] == 0 {
                queue.push(v);
            }
        }
    }

    // Spanning forest: each node hangs below the source of its first
    // incoming edge (in edge order) from an earlier column.
    let mut parent: Vec<Option<usize>> = vec![None; n];
    for e in g.edge_references() {
        let (s, t) = (e.source().index(), e.target().index());
        if parent[t].is_none() && layer[s] < layer[t] {
            parent[t] = Some(s);
        }
    }
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots: Vec<usize> = Vec::new();
    for (v, p) in parent.iter().enumerate() {
        match p {
            Some(p) => kids[*p].push(v),
            None => roots.push(v),
        }
    }

    // Vertical placement, then fewer crossings: the children of each node
    // and the trees themselves re-ordered by the barycentre of the nodes
    // they are linked to outside the spanning forest (a root held through
    // several roles goes beside them), kept while it lowers the crossings.
    let layers = layer.iter().max().map_or(0, |m| m + 1);
    let mut top = place(&roots, &kids, &layer, &size, layers);
    if g.edge_count() <= MAX_REORDERED_EDGES {
        let mut best = crossings(g, &layer, &top, &size);
        for _ in 0..4 {
            if best == 0 {
                break;
            }
            let center: Vec<f64> = (0..n).map(|v| top[v] + size[v].1 / 2.0).collect();
            let mut key = center.clone();
            for (v, k) in key.iter_mut().enumerate() {
                let near: Vec<f64> = g
                    .neighbors_undirected(NodeIndex::new(v))
                    .map(|u| u.index())
                    .filter(|&u| parent[v] != Some(u) && parent[u] != Some(v))
                    .map(|u| center[u])
                    .collect();
                if !near.is_empty() {
                    *k = near.iter().sum::<f64>() / near.len() as f64;
                }
            }
            let by_key = |x: &usize, y: &usize| key[*x].total_cmp(&key[*y]).then(x.cmp(y));
            let mut new_roots = roots.clone();
            new_roots.sort_by(by_key);
            let mut new_kids = kids.clone();
            for k in &mut new_kids {
                k.sort_by(by_key);
            }
            let new_top = place(&new_roots, &new_kids, &layer, &size, layers);
            let c = crossings(g, &layer, &new_top, &size);
            if c >= best {
                break;
            }
            (best, top, roots, kids) = (c, new_top, new_roots, new_kids);
        }
    }

    // Horizontal placement: column widths, and gaps wide enough for labels.
    let mut col_w = vec![0.0f64; layers];
    for v in 0..n {
        col_w[layer[v]] = col_w[layer[v]].max(size[v].0);
    }
    let mut gap = vec![GAP_X; layers];
    for e in g.edge_references() {
        let s = layer[e.source().index()];
        let w = text_cols(&e.weight().label) as f64 * EDGE_FONT * 0.6 + 24.0;
        if e.weight().label.is_empty() {
            continue;
        }
        gap[s] = gap[s].max(w);
    }
    let mut col_x = vec![MARGIN; layers];
    for l in 1..layers {
        col_x[l] = col_x[l - 1] + col_w[l - 1] + gap[l - 1];
    }
    let boxes: Vec<(f64, f64, f64, f64)> =
        (0..n).map(|v| (col_x[layer[v]], top[v] + MARGIN, size[v].0, size[v].1)).collect();
    let width = boxes.iter().map(|b| b.0 + b.2).fold(0.0, f64::max) + MARGIN;
    let height = boxes.iter().map(|b| b.1 + b.3).fold(0.0, f64::max) + MARGIN;
    Layout { boxes, layer, width: width.max(2.0 * MARGIN), height: height.max(2.0 * MARGIN) }
}

/// The node's outline as an SVG element.
fn shape(kind: NodeKind, (x, y, w, h): (f64, f64, f64, f64), style: &str) -> String {
    match kind {
        NodeKind::Visitor => {
            let c = 8.0f64.min(h / 3.0);
            format!(
                "<polygon points=\"{:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{:.1}\" {style}/>",
                x + c, y, x + w - c, y, x + w, y + c, x + w, y + h - c, x + w - c, y + h, x + c, y + h, x, y + h - c, x, y + c
            )
        }
        NodeKind::Role => format!(
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"{:.1}\" {style}/>",
            (h / 2.0).min(18.0)
        ),
        NodeKind::Permission => {
            format!("<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" rx=\"3\" {style}/>")
        }
        NodeKind::Row => {
            let f = 9.0;
            format!(
                "<path d=\"M{:.1},{:.1} H{:.1} L{:.1},{:.1} V{:.1} H{:.1} Z M{:.1},{:.1} V{:.1} H{:.1}\" {style}/>",
                x, y, x + w - f, x + w, y + f, y + h, x, x + w - f, y, y + f, x + w
            )
        }
    }
}

/// Writes a picture as an SVG document. `id` prefixes the ids inside it
/// (the arrow heads), so that several pictures can sit in one HTML page;
/// `title` is the picture's accessible name.
pub fn to_svg(g: &Picture, id: &str, title: &str) -> String {
    let lay = layout(g);
    let id = esc(id);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"pa-picture\" width=\"{w:.1}\" height=\"{h:.1}\" viewBox=\"0 0 {w:.1} {h:.1}\" role=\"img\" aria-labelledby=\"{id}-title\">\n<title id=\"{id}-title\">{}</title>\n",
        esc(title),
        w = lay.width,
        h = lay.height
    );
    let _ = writeln!(
        s,
        "<defs><marker id=\"{id}-arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#444\"/></marker>\
         <marker id=\"{id}-arrow-faded\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#999\"/></marker></defs>"
    );
    let _ = writeln!(s, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    // Edges first, so that boxes cover their ends.
    for e in g.edge_references() {
        let (a, b) = (lay.boxes[e.source().index()], lay.boxes[e.target().index()]);
        let (x1, y1) = (a.0 + a.2, a.1 + a.3 / 2.0);
        let (x2, y2) = (b.0, b.1 + b.3 / 2.0);
        let mid = (x1 + x2) / 2.0;
        let w = e.weight();
        let (stroke, marker, dash) =
            if w.dashed { ("#999", format!("{id}-arrow-faded"), " stroke-dasharray=\"5,4\"") } else { ("#444", format!("{id}-arrow"), "") };
        let _ = writeln!(
            s,
            "<path class=\"edge\" d=\"M{x1:.1},{y1:.1} C{mid:.1},{y1:.1} {mid:.1},{y2:.1} {x2:.1},{y2:.1}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"1.2\"{dash} marker-end=\"url(#{marker})\"/>"
        );
        if !w.label.is_empty() {
            let lw = text_cols(&w.label) as f64 * EDGE_FONT * 0.6 + 6.0;
            let (lx, ly) = (mid, (y1 + y2) / 2.0);
            let _ = writeln!(
                s,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{lw:.1}\" height=\"14\" fill=\"#ffffff\" fill-opacity=\"0.85\"/><text x=\"{lx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"{EDGE_FONT}\" fill=\"{stroke}\">{}</text>",
                lx - lw / 2.0,
                ly - 17.0,
                ly - 6.0,
                esc(&w.label)
            );
        }
    }
    for i in g.node_indices() {
        let nd = &g[i];
        let b = lay.boxes[i.index()];
        let (fill, stroke, text, dash) = match (nd.kind, nd.faded) {
            (_, true) => ("#f4f4f4", "#999", "#777", " stroke-dasharray=\"5,3\""),
            (NodeKind::Visitor, _) => ("#fde8e8", "#9b1c1c", "#111", ""),
            (NodeKind::Role, _) => ("#e8f0fe", "#1a4f9c", "#111", ""),
            (NodeKind::Permission, _) => ("#fff8e1", "#8a6d00", "#111", ""),
            (NodeKind::Row, _) => ("#eef7ee", "#2e6b2e", "#111", ""),
        };
        let kind = match nd.kind {
            NodeKind::Visitor => "visitor",
            NodeKind::Role => "role",
            NodeKind::Permission => "permission",
            NodeKind::Row => "row",
        };
        let _ = writeln!(s, "<g class=\"node {kind}\">");
        let style = format!("fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.2\"{dash}");
        let _ = writeln!(s, "{}", shape(nd.kind, b, &style));
        let x = b.0
            + PAD_X
            + match nd.kind {
                NodeKind::Visitor | NodeKind::Role => PAD_X,
                _ => 0.0,
            };
        let _ = write!(
            s,
            "<text x=\"{x:.1}\" y=\"{:.1}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"{FONT}\" fill=\"{text}\">",
            b.1 + PAD_Y
        );
        for (k, line) in nd.lines.iter().enumerate() {
            let weight = if k == 0 { " font-weight=\"bold\"" } else { "" };
            let _ = write!(s, "<tspan x=\"{x:.1}\" dy=\"{LINE_H}\"{weight}>{}</tspan>", esc(line));
        }
        let _ = writeln!(s, "</text>\n</g>");
    }
    s.push_str("</svg>\n");
    s
}

/// Draws a picture as SVG (laid out in Rust, this file) into `file`.
pub fn write_svg(g: &Picture, title: &str, file: &Path) -> Result<(), RenderError> {
    let svg = to_svg(g, "pa", title);
    std::fs::write(file, svg).map_err(|e| RenderError::Render { file: file.display().to_string(), reason: e.to_string() })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::cli::picture::{PicEdge, PicNode};

    fn node(g: &mut Picture, kind: NodeKind, label: &str) -> NodeIndex {
        g.add_node(PicNode { kind, lines: vec![label.to_string()], faded: false })
    }

    fn edge(g: &mut Picture, a: NodeIndex, b: NodeIndex) {
        g.add_edge(a, b, PicEdge { label: String::new(), dashed: false });
    }

    fn overlap(a: (f64, f64, f64, f64), b: (f64, f64, f64, f64)) -> bool {
        a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
    }

    #[test]
    fn columns_follow_edges_and_no_boxes_overlap() {
        // Two roles sharing a root, a tree of depth 3, and a rootless permission.
        let mut g = Picture::new();
        let r1 = node(&mut g, NodeKind::Role, "R1 with a long display name");
        let r2 = node(&mut g, NodeKind::Role, "R2");
        let p = node(&mut g, NodeKind::Permission, "P");
        let c1 = node(&mut g, NodeKind::Permission, "C1");
        let c2 = node(&mut g, NodeKind::Permission, "C2");
        let gc = node(&mut g, NodeKind::Permission, "GC");
        let q = node(&mut g, NodeKind::Permission, "Q");
        let lone = node(&mut g, NodeKind::Permission, "LONE");
        edge(&mut g, r1, p);
        edge(&mut g, r2, p);
        edge(&mut g, r2, q);
        edge(&mut g, p, c1);
        edge(&mut g, p, c2);
        edge(&mut g, c1, gc);
        let _ = lone;
        let l = layout(&g);
        assert_eq!(l.layer, vec![0, 0, 1, 2, 2, 3, 1, 0]);
        for e in g.edge_references() {
            let (a, b) = (l.boxes[e.source().index()], l.boxes[e.target().index()]);
            assert!(a.0 + a.2 < b.0, "edge goes left to right");
        }
        for i in 0..l.boxes.len() {
            for j in i + 1..l.boxes.len() {
                assert!(!overlap(l.boxes[i], l.boxes[j]), "{i} and {j} overlap: {:?}", l);
            }
            assert!(l.boxes[i].0 + l.boxes[i].2 <= l.width && l.boxes[i].1 + l.boxes[i].3 <= l.height);
        }
    }

    #[test]
    fn svg_escapes_text_and_is_deterministic() {
        let mut g = Picture::new();
        let a = node(&mut g, NodeKind::Role, "<R&D> \"quoted\"");
        let b = node(&mut g, NodeKind::Row, "incident:I1");
        g.add_edge(a, b, PicEdge { label: "a<b".to_string(), dashed: true });
        let svg = to_svg(&g, "t", "a & b");
        assert!(svg.contains("&lt;R&amp;D&gt; &quot;quoted&quot;"), "{svg}");
        assert!(svg.contains(">a&lt;b</text>"), "{svg}");
        assert!(svg.contains("<title id=\"t-title\">a &amp; b</title>"), "{svg}");
        assert!(!svg.contains("<script") && !svg.contains("href"), "{svg}");
        assert_eq!(svg, to_svg(&g, "t", "a & b"));
    }

    #[test]
    fn a_root_held_through_two_roles_is_drawn_beside_both() {
        // R3 holds P3 first (its spanning parent); R1 holds P1 and P3 too. In
        // role order, R1's edge to P3 crosses R2's to P2; reordered by
        // barycentre, R1 sits between R2 and R3 and nothing crosses.
        let mut g = Picture::new();
        let r1 = node(&mut g, NodeKind::Role, "R1");
        let r2 = node(&mut g, NodeKind::Role, "R2");
        let r3 = node(&mut g, NodeKind::Role, "R3");
        let p1 = node(&mut g, NodeKind::Permission, "P1");
        let p2 = node(&mut g, NodeKind::Permission, "P2");
        let p3 = node(&mut g, NodeKind::Permission, "P3");
        edge(&mut g, r1, p1);
        edge(&mut g, r2, p2);
        edge(&mut g, r3, p3);
        edge(&mut g, r1, p3);
        let l = layout(&g);
        let size: Vec<(f64, f64)> = l.boxes.iter().map(|b| (b.2, b.3)).collect();
        let top: Vec<f64> = l.boxes.iter().map(|b| b.1).collect();
        assert_eq!(crossings(&g, &l.layer, &top, &size), 0, "{l:?}");
        assert!(l.boxes[r2.index()].1 < l.boxes[r1.index()].1 && l.boxes[r1.index()].1 < l.boxes[r3.index()].1, "{l:?}");
    }

    #[test]
    fn a_deep_chain_does_not_overflow_the_stack() {
        let mut g = Picture::new();
        let mut prev = node(&mut g, NodeKind::Role, "R");
        for i in 0..20_000 {
            let n = node(&mut g, NodeKind::Permission, &format!("P{i}"));
            edge(&mut g, prev, n);
            prev = n;
        }
        let l = layout(&g);
        assert_eq!(l.layer[20_000], 20_000);
    }
}
