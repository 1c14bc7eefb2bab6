//! The layout is the architecture (ARCHITECTURE.md): the folders of `src/`
//! are the stages of the pipeline, and this test reads the source, as
//! rust-analyzer's tidy tests do, and fails on what must never be:
//!
//! - a module that imports a later stage (`load` using `model`, `engine`
//!   using `answer`, ...);
//! - an import circle between two files, inside a stage or across;
//! - a function over 80 lines on the load, build and lint paths.
//!
//! A `pub use` in a folder's `mod.rs` is the folder's public face, not a
//! dependency of the folder on its rooms, and is not counted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use petgraph::algo::tarjan_scc;
use petgraph::graph::DiGraph;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The stages, in pipeline order: each may import only those before it.
const STAGES: &[&str] = &["error", "pull", "load", "model", "engine", "answer", "cli", "perf"];

/// Folders whose functions must stay short (the load, build and lint paths).
const SHORT_FUNCTIONS: &[&str] = &["pull", "load", "model", "answer/lint"];
const MAX_FUNCTION_LINES: usize = 80;

/// One file of the library: its module path and its text without comments.
struct File {
    path: PathBuf,
    module: Vec<String>,
    /// Whether the file is a folder's `mod.rs` (its children are `module::x`).
    is_mod: bool,
    lines: Vec<String>,
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The line without its `//` comment (doc comments included).
fn code(line: &str) -> String {
    let mut in_str = false;
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' if in_str => i += 1,
            b'"' => in_str = !in_str,
            b'/' if !in_str && b.get(i + 1) == Some(&b'/') => return line[..i].to_string(),
            _ => {}
        }
        i += 1;
    }
    line.to_string()
}

fn library_files() -> Vec<File> {
    let root = src();
    let mut paths = Vec::new();
    rust_files(&root, &mut paths);
    paths
        .into_iter()
        .filter(|p| !p.starts_with(root.join("bin")) && p.file_name().is_some_and(|n| n != "lib.rs"))
        .map(|p| {
            let rel = p.strip_prefix(&root).unwrap();
            let mut module: Vec<String> = rel.iter().map(|s| s.to_string_lossy().to_string()).collect();
            let last = module.pop().unwrap();
            let is_mod = last == "mod.rs";
            if !is_mod {
                module.push(last.trim_end_matches(".rs").to_string());
            }
            let text = std::fs::read_to_string(&p).unwrap();
            // A file's unit tests (at its end, by convention) are not the pipeline.
            let lines = text.lines().take_while(|l| l.trim() != "#[cfg(test)]").map(code).collect();
            File { path: p, module, is_mod, lines }
        })
        .collect()
}

fn stage(module: &[String]) -> usize {
    STAGES.iter().position(|s| *s == module[0]).unwrap_or_else(|| panic!("`src/{}` is in no stage: add it to STAGES", module[0]))
}

/// Every path a line names through `crate::`, `super::` or a child module,
/// as module paths (groups `a::{b, c::d}` give one path each).
fn named_paths(file: &File, line: &str, children: &BTreeSet<String>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < bytes.len() {
        // The start of a path: an identifier not preceded by `::` or an identifier character.
        if !ident(bytes[i]) || (i > 0 && (ident(bytes[i - 1]) || (i > 1 && &bytes[i - 2..i] == b"::"))) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && (ident(bytes[i]) || bytes[i..].starts_with(b"::")) {
            i += if bytes[i..].starts_with(b"::") { 2 } else { 1 };
        }
        // Identifier bytes and `::` only: ASCII, so these are char boundaries.
        let text = line[start..i].trim_end_matches("::");
        if !line[start..i].contains("::") {
            continue; // a bare word: `pub(super)`, a variable
        }
        let mut segs: Vec<String> = text.split("::").map(str::to_string).collect();
        let (base, skip): (Vec<String>, usize) = match segs[0].as_str() {
            "crate" => (Vec::new(), 1),
            "super" => {
                let mut m = file.module.clone();
                let mut k = 0;
                while segs.get(k).is_some_and(|s| s == "super") {
                    m.pop();
                    k += 1;
                }
                (m, k)
            }
            s if file.is_mod && children.contains(s) => (file.module.clone(), 0),
            _ => continue,
        };
        let mut full = base;
        full.extend(segs.drain(skip..));
        out.extend(grouped(full, &line[i..]));
    }
    out
}

/// `prefix` followed by `{a, b::c}` (one level) gives `prefix::a`, `prefix::b::c`.
fn grouped(prefix: Vec<String>, rest: &str) -> Vec<Vec<String>> {
    if let Some(inner) = rest.strip_prefix('{').and_then(|r| r.split('}').next()) {
        let items: Vec<Vec<String>> = inner
            .split(',')
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| {
                let mut p = prefix.clone();
                p.extend(s.split(" as ").next().unwrap_or(s).split("::").map(|x| x.trim().to_string()));
                p
            })
            .collect();
        if !items.is_empty() {
            return items;
        }
    }
    vec![prefix]
}

/// The file-module a path lands in: its longest prefix that is a module.
fn resolve(path: &[String], modules: &BTreeMap<Vec<String>, usize>) -> Option<usize> {
    (1..=path.len()).rev().find_map(|k| modules.get(&path[..k]).copied())
}

/// `(from, to, line)` for every import between two different files.
fn imports(files: &[File]) -> Vec<(usize, usize, String)> {
    let modules: BTreeMap<Vec<String>, usize> = files.iter().enumerate().map(|(i, f)| (f.module.clone(), i)).collect();
    let mut edges = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let children: BTreeSet<String> = files
            .iter()
            .filter(|g| g.module.len() == f.module.len() + 1 && g.module.starts_with(&f.module))
            .map(|g| g.module[f.module.len()].clone())
            .collect();
        for line in &f.lines {
            let t = line.trim_start();
            if t.starts_with("mod ") || t.starts_with("pub mod ") || (f.is_mod && (t.starts_with("pub use ") || t.starts_with("pub(crate) use "))) {
                continue;
            }
            for p in named_paths(f, line, &children) {
                if let Some(j) = resolve(&p, &modules) {
                    if j != i {
                        edges.push((i, j, format!("{} (`{}`)", t.trim(), p.join("::"))));
                    }
                }
            }
        }
    }
    edges
}

fn name(f: &File) -> String {
    f.path.strip_prefix(src().parent().unwrap()).unwrap().display().to_string()
}

#[test]
fn no_stage_imports_a_later_stage() {
    let files = library_files();
    let mut bad = Vec::new();
    for (i, j, line) in imports(&files) {
        let (from, to) = (&files[i], &files[j]);
        if stage(&to.module) > stage(&from.module) {
            bad.push(format!("{} imports the later stage `{}`: {line}", name(from), to.module[0]));
        }
    }
    assert!(bad.is_empty(), "stages import only earlier stages (ARCHITECTURE.md):\n{}", bad.join("\n"));
}

#[test]
fn no_import_circle_between_files() {
    let files = library_files();
    let mut g = DiGraph::<usize, ()>::new();
    let nodes: Vec<_> = (0..files.len()).map(|i| g.add_node(i)).collect();
    for (i, j, _) in imports(&files) {
        g.update_edge(nodes[i], nodes[j], ());
    }
    let circles: Vec<String> = tarjan_scc(&g)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut names: Vec<String> = c.iter().map(|&n| name(&files[g[n]])).collect();
            names.sort();
            names.join(" <-> ")
        })
        .collect();
    assert!(circles.is_empty(), "files import each other in a circle:\n{}", circles.join("\n"));
}

#[test]
fn functions_on_the_load_build_and_lint_paths_stay_short() {
    let root = src();
    let mut long = Vec::new();
    for dir in SHORT_FUNCTIONS {
        let mut paths = Vec::new();
        rust_files(&root.join(dir), &mut paths);
        for p in paths {
            let text = std::fs::read_to_string(&p).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            for (k, l) in lines.iter().enumerate() {
                let t = l.trim_start();
                let indent = &l[..l.len() - t.len()];
                let is_fn = ["fn ", "pub fn ", "pub(crate) fn ", "pub(super) fn ", "const fn ", "pub(crate) const fn "]
                    .iter()
                    .any(|s| t.starts_with(s));
                if !is_fn || t.ends_with(';') {
                    continue;
                }
                let close = format!("{indent}}}");
                if let Some(end) = lines[k + 1..].iter().position(|m| *m == close) {
                    if end + 2 > MAX_FUNCTION_LINES {
                        long.push(format!("{}:{}: {} lines", p.display(), k + 1, end + 2));
                    }
                }
            }
        }
    }
    assert!(long.is_empty(), "functions over {MAX_FUNCTION_LINES} lines:\n{}", long.join("\n"));
}

#[test]
fn the_checker_sees_a_later_stage_import() {
    // The checker itself: a line of the model naming the answers is an
    // import of a later stage, and a comment naming them is not.
    let f = File { path: src().join("model/x.rs"), module: vec!["model".into(), "x".into()], is_mod: false, lines: Vec::new() };
    let paths = named_paths(&f, &code("use crate::answer::{query::Analysis, why}; // crate::cli"), &BTreeSet::new());
    assert_eq!(paths, vec![vec!["answer", "query", "Analysis"], vec!["answer", "why"]]);
    let up = named_paths(&f, "use super::index::RowIndex;", &BTreeSet::new());
    assert_eq!(up, vec![vec!["model", "index", "RowIndex"]]);
}


/// The most lines a source file may have (the brief's limit).
const MAX_FILE_LINES: usize = 900;

/// The files over `MAX_FILE_LINES` among `paths`.
fn over_limit(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .filter_map(|p| {
            let n = std::fs::read_to_string(p).unwrap().lines().count();
            (n > MAX_FILE_LINES).then(|| format!("{}: {n} lines", p.display()))
        })
        .collect()
}

#[test]
fn no_source_file_is_over_the_line_limit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in ["src", "rules", "tests", "benches", "examples"] {
        if root.join(dir).is_dir() {
            rust_files(&root.join(dir), &mut paths);
        }
    }
    paths.retain(|p| !p.components().any(|c| c.as_os_str() == "fixtures" || c.as_os_str() == "target"));
    assert!(paths.len() > 100, "the walk found only {} files", paths.len());
    let long = over_limit(&paths);
    assert!(long.is_empty(), "files over {MAX_FILE_LINES} lines:\n{}", long.join("\n"));
}

#[test]
fn the_line_limit_sees_a_long_file() {
    let dir = tempfile::tempdir().unwrap();
    let (short, long) = (dir.path().join("short.rs"), dir.path().join("long.rs"));
    std::fs::write(&short, "fn f() {}\n".repeat(MAX_FILE_LINES)).unwrap();
    std::fs::write(&long, "fn f() {}\n".repeat(MAX_FILE_LINES + 1)).unwrap();
    let found = over_limit(&[short, long.clone()]);
    assert_eq!(found, vec![format!("{}: {} lines", long.display(), MAX_FILE_LINES + 1)]);
}
