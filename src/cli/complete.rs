//! Tab completion, driven by the command table: the kind of each argument
//! ([`Arg`]) says what may go there.

use super::grammar::{privilege_names, Arg, Command};
use crate::answer::query::Analysis;
use crate::model::Tenant;

/// Candidates for the word before `pos` in `line`, among `commands` (see
/// [`super::session::Session::complete`]).
pub(super) fn complete<H>(s: &Analysis, commands: &[Command<H>], line: &str, pos: usize) -> (usize, Vec<String>) {
    let pos = pos.min(line.len());
    if !line.is_char_boundary(pos) {
        return (pos, Vec::new());
    }
    let before = &line[..pos];
    let start = before.char_indices().rfind(|(_, c)| c.is_whitespace()).map_or(0, |(i, c)| i + c.len_utf8());
    let word = &before[start..];
    let words: Vec<&str> = before[..start].split_whitespace().collect();
    let mut out = match words.split_first() {
        None => commands
            .iter()
            .flat_map(|c| std::iter::once(c.name).chain(c.aliases.iter().copied()))
            .filter(|n| n.starts_with(word))
            .map(|n| format!("{n} "))
            .collect(),
        Some((first, args)) => match commands.iter().find(|c| c.name == *first || c.aliases.contains(first)) {
            Some(spec) => arguments(s, commands, spec, args, word),
            None => Vec::new(),
        },
    };
    out.sort();
    out.dedup();
    (start, out)
}

fn arguments<H>(s: &Analysis, commands: &[Command<H>], spec: &Command<H>, args: &[&str], word: &str) -> Vec<String> {
    // The value of a flag?
    if let Some(prev) = args.last() {
        if let Some((_, kind)) = spec.flags.iter().find(|f| f.name == *prev).and_then(|f| f.value) {
            if kind == Arg::Column {
                return columns(s, args, word);
            }
            return candidates(s, commands, kind, word);
        }
    }
    if word.starts_with('-') {
        return spec.flags.iter().filter(|f| f.name.starts_with(word)).map(|f| format!("{} ", f.name)).collect();
    }
    // The positional arguments given so far.
    let mut given: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i];
        i += 1;
        if let Some(f) = spec.flags.iter().find(|f| f.name == a) {
            if f.value.is_some() {
                i += 1;
            }
        } else {
            given.push(a);
        }
    }
    let Some(param) = spec.params.get(given.len()) else { return Vec::new() };
    let kind = match param.kind {
        Arg::Target => {
            let create = spec
                .params
                .iter()
                .position(|p| p.kind == Arg::Privilege)
                .and_then(|i| given.get(i))
                .is_some_and(|p| *p == "create");
            let surface = spec.params.iter().position(|p| p.kind == Arg::Privilege).and_then(|i| given.get(i)).copied();
            if surface == Some("open") {
                Arg::Page
            } else if surface == Some("invoke") {
                Arg::Endpoint
            } else if create {
                Arg::Table
            } else {
                Arg::Target
            }
        }
        // `who open page:ID`, `who invoke ENDPOINT` (surfaces.md).
        Arg::Privilege if spec.name == "who" => {
            return ids(privilege_names().into_iter().chain(["open", "invoke"]), word);
        }
        Arg::ShowId => match given.first().copied() {
            Some("permission") => Arg::Permission,
            Some("role") => return ids(s.tenant.roles.iter().map(|r| r.id.as_str()), word),
            Some("row") => Arg::Target,
            _ => return Vec::new(),
        },
        k => k,
    };
    if spec.name == "who" && kind == Arg::Target {
        // A6: `who` also takes a bare table, answered by access patterns;
        // tables without rows complete whole.
        let t = &s.tenant;
        let mut out = rows(t, word);
        if !word.contains(':') {
            out.extend(tables(t).filter(|n| n.starts_with(word) && t.table_id(n).is_some_and(|x| t.tables[x as usize].ids.is_empty())).map(|n| format!("{n} ")));
        }
        out.sort();
        return out;
    }
    candidates(s, commands, kind, word)
}

fn ids<'a>(all: impl Iterator<Item = &'a str>, word: &str) -> Vec<String> {
    all.filter(|id| id.starts_with(word)).map(|id| format!("{id} ")).collect()
}

/// Tables worth naming: those with rows or secured by a permission.
fn tables(t: &Tenant) -> impl Iterator<Item = &str> {
    t.tables
        .iter()
        .enumerate()
        .filter(|(i, x)| !x.ids.is_empty() || t.permissions.iter().any(|p| p.table as usize == *i))
        .map(|(_, x)| x.name.as_str())
}

fn candidates<H>(s: &Analysis, commands: &[Command<H>], kind: Arg, word: &str) -> Vec<String> {
    let t = &s.tenant;
    match kind {
        Arg::Visitor => {
            let contacts = &t.tables[t.contact_table as usize].ids;
            ids(["anonymous", "newcomer"].into_iter().chain(contacts.iter()), word)
        }
        Arg::Privilege => ids(privilege_names().into_iter(), word),
        Arg::Page => {
            let all: Vec<String> = t.surfaces.pages.iter().map(|p| format!("page:{}", p.id)).collect();
            ids(all.iter().map(String::as_str), word)
        }
        Arg::Endpoint => {
            let sf = &t.surfaces;
            let all: Vec<String> = sf
                .server_logic
                .iter()
                .map(|l| format!("serverlogic:{}", l.name))
                .chain(sf.flows.iter().map(|f| format!("cloudflow:{}", f.id)))
                .collect();
            ids(all.iter().map(String::as_str), word)
        }
        Arg::Table => ids(tables(t), word),
        Arg::Permission => ids(t.permissions.iter().map(|p| p.id.as_str()), word),
        Arg::ShowKind => ids(["permission", "role", "row"].into_iter(), word),
        Arg::Command => ids(commands.iter().map(|c| c.name), word),
        Arg::Target => rows(t, word),
        Arg::Path => paths(word),
        Arg::ShowId | Arg::Number | Arg::Column => Vec::new(),
    }
}

/// Column names (channels.md C4) of the tables of the rows named in
/// `args`, or of every table when none is named.
fn columns(s: &Analysis, args: &[&str], word: &str) -> Vec<String> {
    let t = &s.tenant;
    let named: Vec<u32> = args.iter().filter_map(|a| a.split_once(':')).filter_map(|(tb, _)| t.table_id(tb)).collect();
    let tables: Vec<u32> = if named.is_empty() { (0..t.tables.len() as u32).collect() } else { named };
    let cw = crate::engine::walk_channels::ColumnWalk::new(t);
    let all: std::collections::BTreeSet<String> = tables.into_iter().flat_map(|tb| cw.columns(tb)).collect();
    ids(all.iter().map(String::as_str), word)
}

/// `TABLE:` for tables with rows; once a table is named, `TABLE:ID` for its rows.
fn rows(t: &Tenant, word: &str) -> Vec<String> {
    match word.split_once(':') {
        Some((table, id)) => match t.table_id(table) {
            Some(tid) => t.tables[tid as usize]
                .ids
                .iter()
                .filter(|x| x.starts_with(id))
                .map(|x| format!("{table}:{x} "))
                .collect(),
            None => Vec::new(),
        },
        None => t
            .tables
            .iter()
            .filter(|x| !x.ids.is_empty() && x.name.starts_with(word))
            .map(|x| format!("{}:", x.name))
            .collect(),
    }
}

/// File and folder names; folders end in `/` so that completion goes on.
fn paths(word: &str) -> Vec<String> {
    let (dir, prefix) = match word.rfind('/') {
        Some(i) => (&word[..=i], &word[i + 1..]),
        None => ("", word),
    };
    let Ok(entries) = std::fs::read_dir(if dir.is_empty() { "." } else { dir }) else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let is_dir = e.file_type().map(|f| f.is_dir()).unwrap_or(false);
            Some(if is_dir { format!("{dir}{name}/") } else { format!("{dir}{name} ") })
        })
        .collect()
}
