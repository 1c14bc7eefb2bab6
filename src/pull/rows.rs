//! Rows (pull.md P8, P9, P10): each table's rows with only their id, state
//! and lookups, memberships of the site's roles, and N:N intersect rows,
//! written page by page into `data/` (at most 5,000 rows a file, sorted by
//! id), tables in parallel under the client's concurrency.

use super::discover::{Entity, Model, Relationship, PREFER_PLAIN};
use super::error::PullError;
use super::http::{with_query, Client, PAGE_SIZE};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The lookup annotation kept (P8).
pub const LOOKUP_TABLE: &str = "Microsoft.Dynamics.CRM.lookuplogicalname";
/// `Prefer` of row requests (P8, P9).
pub const PREFER_ROWS: &str =
    "odata.maxpagesize=5000,odata.include-annotations=\"Microsoft.Dynamics.CRM.lookuplogicalname\"";

/// Lookups always read, whatever the permissions name (P8).
const FIXED_LOOKUPS: &[(&str, &str)] =
    &[("contact", "parentcustomerid"), ("account", "parentaccountid"), ("account", "primarycontactid")];

/// What one job copies.
#[derive(Debug, Clone)]
pub enum What {
    /// Table rows.
    Rows {
        /// The id column as written (`<table>id`, or `activityid`).
        id_as: String,
        /// Lookup columns (`parentcustomerid`).
        lookups: Vec<String>,
        /// The primary name column, with `--names`.
        name: Option<String>,
    },
    /// Memberships: the member column and the role column; only the site's roles kept.
    Members {
        /// `contactid` or `accountid`.
        member: String,
        /// `adx_webroleid` or `powerpagecomponentid`.
        role: String,
        /// The site's roles.
        roles: Arc<BTreeSet<String>>,
    },
    /// N:N intersect rows: the two id columns.
    Pairs([String; 2]),
}

/// One table to copy into `data/FILE.json`, `FILE.2.json`...
#[derive(Debug, Clone)]
pub struct Job {
    /// The base name of its files (a logical name).
    pub file: String,
    /// The table read.
    pub entity: Entity,
    /// `$select`.
    pub select: Vec<String>,
    /// What is copied.
    pub what: What,
}

/// What one job wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The base name of its files.
    pub file: String,
    /// The entity set read.
    pub entity_set: String,
    /// Rows written.
    pub rows: u64,
    /// Files written.
    pub files: u64,
    /// Whether these are memberships (contacts, accounts) rather than rows.
    pub members: Option<&'static str>,
}

/// Progress of the row copy, for the front end.
pub trait Observer: Sync {
    /// A table starts.
    fn start(&self, _file: &str) {}
    /// `rows` more rows of a table were read.
    fn rows(&self, _file: &str, _rows: u64) {}
    /// A table is done.
    fn done(&self, _written: &Written) {}
}

/// An observer that shows nothing.
pub struct Silent;
impl Observer for Silent {}

/// The tables P8 reads: contact, account, each permission's table, both ends of each relationship.
pub fn row_tables(permission_tables: &BTreeSet<String>, rels: &[Relationship]) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = ["contact", "account"].iter().map(|s| s.to_string()).collect();
    out.extend(permission_tables.iter().cloned());
    for r in rels {
        match r {
            Relationship::OneToMany { referencing, referenced, .. } => {
                out.insert(referencing.clone());
                out.insert(referenced.clone());
            }
            Relationship::ManyToMany { tables, .. } => out.extend(tables.iter().cloned()),
        }
    }
    out
}

/// The membership and intersect tables a model and relationships need.
pub fn link_tables(model: Model, rels: &[Relationship]) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = members(model).iter().map(|(t, _, _)| t.to_string()).collect();
    for r in rels {
        if let Relationship::ManyToMany { intersect, .. } = r {
            out.insert(intersect.clone());
        }
    }
    out
}

fn members(model: Model) -> [(&'static str, &'static str, &'static str); 2] {
    match model {
        Model::Standard => [
            ("adx_webrole_contact", "contactid", "adx_webroleid"),
            ("adx_webrole_account", "accountid", "adx_webroleid"),
        ],
        Model::Enhanced => [
            ("powerpagecomponent_mspp_webrole_contact", "contactid", "powerpagecomponentid"),
            ("powerpagecomponent_mspp_webrole_account", "accountid", "powerpagecomponentid"),
        ],
    }
}

/// What [`plan`] reads from.
pub struct Plan<'a> {
    /// Tables by logical name.
    pub entities: &'a BTreeMap<String, Entity>,
    /// Their columns.
    pub columns: &'a BTreeMap<String, BTreeSet<String>>,
    /// The relationships read.
    pub relationships: &'a [Relationship],
    /// The site's model.
    pub model: Model,
    /// The site's web roles.
    pub roles: Arc<BTreeSet<String>>,
    /// `--names`.
    pub names: bool,
}

/// The jobs of a pull, and what could not be planned.
pub fn plan(p: &Plan<'_>, tables: &BTreeSet<String>) -> (Vec<Job>, Vec<String>) {
    let mut jobs = Vec::new();
    let mut warnings = Vec::new();
    let mut lookups: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (t, l) in FIXED_LOOKUPS {
        lookups.entry(t).or_default().insert(l);
    }
    for r in p.relationships {
        if let Relationship::OneToMany { referencing, lookup, .. } = r {
            lookups.entry(referencing.as_str()).or_default().insert(lookup.as_str());
        }
    }
    let has = |e: &Entity, col: &str| p.columns.get(&e.logical).is_none_or(|c| c.contains(col));
    for t in tables {
        let Some(e) = p.entities.get(t) else {
            warnings.push(format!("the environment has no table `{t}`: its rows are not read"));
            continue;
        };
        let mut select = vec![e.id.clone()];
        if has(e, "statecode") {
            select.push("statecode".to_string());
        }
        let mut cols = Vec::new();
        for l in lookups.get(t.as_str()).into_iter().flatten() {
            if has(e, l) {
                select.push(format!("_{l}_value"));
                cols.push(l.to_string());
            } else {
                warnings.push(format!("`{t}` has no column `{l}`: not read"));
            }
        }
        let name = e.name.clone().filter(|n| p.names && has(e, n));
        select.extend(name.clone());
        let id_as = if e.id == format!("{t}id") || e.id == "activityid" { e.id.clone() } else { format!("{t}id") };
        jobs.push(Job { file: t.clone(), entity: e.clone(), select, what: What::Rows { id_as, lookups: cols, name } });
    }
    for (t, member, role) in members(p.model) {
        let Some(e) = p.entities.get(t) else {
            warnings.push(format!("the environment has no table `{t}`: its memberships are not read"));
            continue;
        };
        let what = What::Members { member: member.to_string(), role: role.to_string(), roles: p.roles.clone() };
        jobs.push(Job {
            file: t.to_string(),
            entity: e.clone(),
            select: vec![member.to_string(), role.to_string()],
            what,
        });
    }
    for r in p.relationships {
        let Relationship::ManyToMany { intersect, columns, .. } = r else { continue };
        let Some(e) = p.entities.get(intersect) else {
            warnings
                .push(format!("the environment has no table `{intersect}`: the pairs of `{}` are not read", r.name()));
            continue;
        };
        jobs.push(Job {
            file: intersect.clone(),
            entity: e.clone(),
            select: columns.to_vec(),
            what: What::Pairs(columns.clone()),
        });
    }
    jobs.sort_by(|a, b| a.file.cmp(&b.file));
    jobs.dedup_by(|a, b| a.file == b.file);
    (jobs, warnings)
}

/// Runs every job, at most [`Client::limit`] tables at once; the first
/// error stops the others.
pub fn run(c: &Client, jobs: Vec<Job>, data: &Path, obs: &dyn Observer) -> Result<Vec<Written>, PullError> {
    let workers = c.limit().min(jobs.len()).max(1);
    let queue = Mutex::new(jobs.into_iter().collect::<VecDeque<Job>>());
    let done = Mutex::new(Vec::new());
    let failed: Mutex<Option<PullError>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        for worker in 0..workers {
            let (queue, done, failed, stop) = (&queue, &done, &failed, &stop);
            s.spawn(move || loop {
                // A worker over the (halved) limit stops taking tables.
                if stop.load(Ordering::SeqCst) || worker >= c.limit() {
                    return;
                }
                let Some(job) = queue.lock().ok().and_then(|mut q| q.pop_front()) else { return };
                match copy(c, &job, data, obs) {
                    Ok(w) => {
                        obs.done(&w);
                        if let Ok(mut d) = done.lock() {
                            d.push(w);
                        }
                    }
                    Err(e) => {
                        stop.store(true, Ordering::SeqCst);
                        if let Ok(mut f) = failed.lock() {
                            f.get_or_insert(e);
                        }
                        return;
                    }
                }
            });
        }
    });
    if let Some(e) = failed.into_inner().ok().flatten() {
        return Err(e);
    }
    let mut out = done.into_inner().unwrap_or_default();
    out.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(out)
}

/// Copies one table.
fn copy(c: &Client, job: &Job, data: &Path, obs: &dyn Observer) -> Result<Written, PullError> {
    obs.start(&job.file);
    let url = c.url(&with_query(&job.entity.set, &[("$select", job.select.join(","))]));
    let prefer = if matches!(job.what, What::Rows { .. }) { PREFER_ROWS } else { PREFER_PLAIN };
    let mut out = Files { dir: data, base: &job.file, buffer: Vec::new(), files: 0, rows: 0 };
    c.pages(&url, &job.entity.set, prefer, &mut |rows| {
        obs.rows(&job.file, rows.len() as u64);
        for row in rows {
            if let Some(kept) = keep(job, row) {
                out.buffer.push(kept);
            }
        }
        out.flush(false)
    })?;
    out.flush(true)?;
    let members = match &job.what {
        What::Members { member, .. } => Some(if member == "contactid" { "contacts" } else { "accounts" }),
        _ => None,
    };
    Ok(Written {
        file: job.file.clone(),
        entity_set: job.entity.set.clone(),
        rows: out.rows,
        files: out.files,
        members,
    })
}

/// A row as written, with its sort key; `None` when it is left out.
fn keep(job: &Job, mut row: Map<String, Value>) -> Option<(String, Map<String, Value>)> {
    let text = |row: &Map<String, Value>, k: &str| row.get(k).and_then(Value::as_str).map(str::to_string);
    match &job.what {
        What::Rows { id_as, lookups, name } => {
            let id = text(&row, &job.entity.id)?;
            let mut out = Map::new();
            out.insert(id_as.clone(), Value::String(id.clone()));
            if let Some(s) = row.remove("statecode") {
                out.insert("statecode".to_string(), s);
            }
            for l in lookups {
                let key = format!("_{l}_value");
                let note = format!("{key}@{LOOKUP_TABLE}");
                let target = row.remove(&note);
                out.insert(key.clone(), row.remove(&key).unwrap_or(Value::Null));
                if let Some(t) = target {
                    out.insert(note, t);
                }
            }
            if let Some(n) = name {
                out.insert(n.clone(), row.remove(n).unwrap_or(Value::Null));
            }
            Some((id, out))
        }
        What::Members { member, role, roles } => {
            let (m, r) = (text(&row, member)?, text(&row, role)?);
            if !roles.contains(&r) {
                return None;
            }
            let key = format!("{m}\u{0}{r}");
            let mut out = Map::new();
            out.insert(member.clone(), Value::String(m));
            out.insert(role.clone(), Value::String(r));
            Some((key, out))
        }
        What::Pairs([a, b]) => {
            let (x, y) = (text(&row, a)?, text(&row, b)?);
            let mut out = Map::new();
            out.insert(a.clone(), Value::String(x.clone()));
            out.insert(b.clone(), Value::String(y.clone()));
            Some((format!("{x}\u{0}{y}"), out))
        }
    }
}

/// The files of one table, written 5,000 rows at a time.
struct Files<'a> {
    dir: &'a Path,
    base: &'a str,
    buffer: Vec<(String, Map<String, Value>)>,
    files: u64,
    rows: u64,
}

impl Files<'_> {
    /// Writes full files; with `last`, the rest too (an empty table gets one empty file).
    fn flush(&mut self, last: bool) -> Result<(), PullError> {
        while self.buffer.len() >= PAGE_SIZE || (last && (!self.buffer.is_empty() || self.files == 0)) {
            let n = self.buffer.len().min(PAGE_SIZE);
            let mut part: Vec<(String, Map<String, Value>)> = self.buffer.drain(..n).collect();
            part.sort_by(|a, b| a.0.cmp(&b.0));
            self.files += 1;
            let name = if self.files == 1 {
                format!("{}.json", self.base)
            } else {
                format!("{}.{}.json", self.base, self.files)
            };
            let path = self.dir.join(name);
            write_page(&path, &part).map_err(|e| PullError::write(&path, e))?;
            self.rows += part.len() as u64;
        }
        Ok(())
    }
}

/// `{"value": [...]}`, a row a line.
fn write_page(path: &Path, rows: &[(String, Map<String, Value>)]) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    w.write_all(b"{\"value\": [")?;
    for (i, (_, row)) in rows.iter().enumerate() {
        w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut w, row)?;
    }
    w.write_all(b"\n]}\n")?;
    w.flush()
}
