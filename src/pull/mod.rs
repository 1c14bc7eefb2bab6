//! `portal-access pull` (pull.md): a snapshot of one Power Pages site and
//! the rows it serves, read over the Dataverse Web API into a tenant folder
//! that [`crate::load`] reads unchanged. This is the first stage of the
//! pipeline: it produces the files the loader reads, and knows nothing of
//! the model.
//!
//! Rooms, each importing only the ones before it: [`error`], [`token`]
//! (the bearer token, P1), [`http`] (the Web API client: headers, paging,
//! throttling and retries, P2, P3, P9, P11), [`discover`] (WhoAmI, sites,
//! entity sets, columns, relationships: P3, P4, P7), [`config`] (site
//! records of both data models: P5, P6, P16), [`rows`] (rows, memberships
//! and N:N pairs into `data/`: P8 to P10), [`manifest`] (`pull.json`: P15),
//! [`write`] (the folder, written atomically: P13, P14), and this file,
//! which runs a pull (P12's second look at the configuration included).

pub mod config;
pub mod discover;
pub mod error;
pub mod http;
pub mod manifest;
pub mod rows;
pub mod token;
pub mod write;

use config::{Config, Kind, Reader};
use discover::{Entity, Relationship, Site};
use error::PullError;
use http::{Client, Clock, SystemClock};
use manifest::{Manifest, OptionsEntry, SiteEntry, TableEntry};
use rows::{Observer, Written};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use token::{TokenSource, Tokens};

/// Tables pulled at once by default (P10).
pub const DEFAULT_CONCURRENCY: usize = 4;
/// The Web API's limit of concurrent requests per user (P10, P11).
pub const MAX_CONCURRENCY: usize = 52;

/// What to pull, and how.
#[derive(Clone)]
pub struct Options {
    /// The environment, `https://org.crm.dynamics.com`.
    pub env_url: String,
    /// `--site`: an id (a GUID) or a name.
    pub site: String,
    /// `-o DIR`.
    pub out: PathBuf,
    /// Where the token comes from.
    pub token: TokenSource,
    /// `--names`: each table's primary name column too.
    pub names: bool,
    /// `--no-data`: configuration only.
    pub no_data: bool,
    /// `--concurrency`.
    pub concurrency: usize,
    /// `--force`: replace an existing DIR.
    pub force: bool,
    /// The clock of pauses and retries.
    pub clock: Arc<dyn Clock>,
    /// One request's time limit (P11: 120 s).
    pub timeout: Duration,
}

impl Options {
    /// The defaults of pull.md for a site and folder.
    pub fn new(env_url: &str, site: &str, out: &Path, token: TokenSource) -> Options {
        Options {
            env_url: env_url.to_string(),
            site: site.to_string(),
            out: out.to_path_buf(),
            token,
            names: false,
            no_data: false,
            concurrency: DEFAULT_CONCURRENCY,
            force: false,
            clock: Arc::new(SystemClock::default()),
            timeout: Duration::from_secs(120),
        }
    }
}

/// ENV_URL without its trailing slash: `http(s)://host[:port]` and nothing more.
fn environment(url: &str) -> Result<String, PullError> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed.strip_prefix("https://").or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', '@', ' ']) => Ok(trimmed.to_string()),
        _ => Err(PullError::Usage(format!(
            "`{url}` is not an environment URL: expected `https://ORG.crm.dynamics.com` (no path)"
        ))),
    }
}

/// Pulls a site into `opts.out`; returns the manifest written there. On
/// failure nothing is left: `DIR` is untouched and the partial folder gone.
pub fn pull(opts: &Options, obs: &dyn Observer) -> Result<Manifest, PullError> {
    let env = environment(&opts.env_url)?;
    if opts.concurrency == 0 || opts.concurrency > MAX_CONCURRENCY {
        return Err(PullError::Usage(format!("--concurrency {}: expected 1 to {MAX_CONCURRENCY}", opts.concurrency)));
    }
    if opts.out.exists() && !opts.force {
        return Err(PullError::Exists { dir: opts.out.display().to_string() });
    }
    let started_at = manifest::utc_now();
    let tokens = Tokens::new(opts.token.clone(), &env)?;
    let client = Client::new(&env, tokens, opts.clock.clone(), opts.timeout, opts.concurrency);
    let pulled_by = discover::who_am_i(&client)?;
    let site = discover::choose(&discover::sites(&client)?, &opts.site)?;
    let partial = write::Partial::create(&opts.out)?;
    let mut snap = snapshot(&client, &site, opts, &partial.path, obs)?;
    snap.warnings.extend(throttling(&client));
    write::site(&partial.path, &snap.config)?;
    write::metadata(&partial.path, &snap.relationships)?;
    let m = Manifest {
        format: manifest::FORMAT.to_string(),
        tool: format!("portal-access {}", env!("CARGO_PKG_VERSION")),
        environment: env,
        api_version: http::API_VERSION.to_string(),
        site: SiteEntry { id: site.id.clone(), name: site.name.clone(), data_model: site.model.name().to_string() },
        pulled_by,
        started_at,
        finished_at: manifest::utc_now(),
        options: OptionsEntry { names: opts.names, no_data: opts.no_data, concurrency: opts.concurrency },
        site_records: Kind::ALL.iter().map(|k| (k.label().to_string(), snap.config.of(*k).count() as u64)).collect(),
        tables: snap
            .written
            .iter()
            .map(|w| TableEntry {
                table: w.file.clone(),
                entity_set: w.entity_set.clone(),
                rows: w.rows,
                files: w.files,
            })
            .collect(),
        memberships: ["contacts", "accounts"]
            .iter()
            .map(|k| (k.to_string(), snap.written.iter().filter(|w| w.members == Some(*k)).map(|w| w.rows).sum()))
            .collect(),
        relationships: relationship_counts(&snap.relationships),
        config_stable: snap.stable,
        warnings: snap.warnings,
    };
    let path = partial.path.join(manifest::FILE);
    let text = serde_json::to_string_pretty(&m).map_err(|e| PullError::write(&path, e))?;
    std::fs::write(&path, text + "\n").map_err(|e| PullError::write(&path, e))?;
    partial.commit(&opts.out, opts.force)?;
    Ok(m)
}

/// P10, P11: 429s met, with the last `x-ms-ratelimit-*` headers (logged,
/// never used for pacing).
fn throttling(c: &Client) -> Option<String> {
    let (requests, throttled) = c.counts();
    if throttled == 0 {
        return None;
    }
    let headers =
        c.ratelimit.lock().map(|h| h.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>()).unwrap_or_default();
    let last =
        if headers.is_empty() { String::new() } else { format!("; last rate-limit headers: {}", headers.join(", ")) };
    Some(format!("the server throttled {throttled} of {requests} requests (429){last}"))
}

fn relationship_counts(rels: &[Relationship]) -> BTreeMap<String, u64> {
    let one = rels.iter().filter(|r| matches!(r, Relationship::OneToMany { .. })).count() as u64;
    BTreeMap::from([("one_to_many".to_string(), one), ("many_to_many".to_string(), rels.len() as u64 - one)])
}

/// What one consistent look at the site gave.
struct Snapshot {
    config: Config,
    relationships: Vec<Relationship>,
    written: Vec<Written>,
    stable: bool,
    warnings: Vec<String>,
}

/// Tables known so far: entity sets and columns, asked once.
#[derive(Default)]
struct Known {
    entities: BTreeMap<String, Entity>,
    columns: BTreeMap<String, BTreeSet<String>>,
    asked: BTreeSet<String>,
    missing: Vec<String>,
}

impl Known {
    /// Learns the entity sets of `tables` (and, with `columns`, their columns).
    fn learn(&mut self, c: &Client, tables: &BTreeSet<String>, columns: bool) -> Result<(), PullError> {
        let new: BTreeSet<String> = tables.difference(&self.asked).cloned().collect();
        if new.is_empty() {
            return Ok(());
        }
        let (found, missing) = discover::entities(c, &new)?;
        self.asked.extend(new);
        self.missing.extend(missing);
        for (name, e) in found {
            if columns {
                self.columns.insert(name.clone(), discover::attributes(c, &name)?);
            }
            self.entities.insert(name, e);
        }
        Ok(())
    }
}

/// P12: configuration, rows, configuration again; restarted once when the
/// configuration changed meanwhile.
fn snapshot(c: &Client, site: &Site, opts: &Options, root: &Path, obs: &dyn Observer) -> Result<Snapshot, PullError> {
    let mut known = Known::default();
    known.learn(c, &config::tables(site.model), true)?;
    let read =
        |known: &Known| config::read(&Reader { client: c, entities: &known.entities, columns: &known.columns }, site);
    let mut config = read(&known)?;
    let mut stable = false;
    let mut result = None;
    for _ in 0..2 {
        let (rels, unknown) = discover::relationships(c, &config.relationship_names())?;
        let mut warnings: Vec<String> =
            unknown.iter().map(|n| format!("relationship `{n}` is not in the environment's metadata")).collect();
        let written = if opts.no_data {
            Vec::new()
        } else {
            data(c, &mut known, &config, &rels, site, opts, root, obs, &mut warnings)?
        };
        let again = read(&known)?;
        stable = again == config;
        result = Some((rels, written, warnings));
        config = again;
        if stable {
            break;
        }
    }
    let (relationships, written, mut warnings) = result.unwrap_or_default();
    let mut all = config.warnings.clone();
    all.append(&mut warnings);
    all.extend(known.missing.iter().map(|t| format!("the environment has no table `{t}`")));
    all.sort();
    all.dedup();
    Ok(Snapshot { config, relationships, written, stable, warnings: all })
}

/// Copies the rows into `root/data/` (made anew).
#[allow(clippy::too_many_arguments)]
fn data(
    c: &Client,
    known: &mut Known,
    config: &Config,
    rels: &[Relationship],
    site: &Site,
    opts: &Options,
    root: &Path,
    obs: &dyn Observer,
    warnings: &mut Vec<String>,
) -> Result<Vec<Written>, PullError> {
    let dir = root.join("data");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|e| PullError::write(&dir, e))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| PullError::write(&dir, e))?;
    let tables = rows::row_tables(&config.permission_tables(), rels);
    known.learn(c, &tables, true)?;
    known.learn(c, &rows::link_tables(site.model, rels), false)?;
    let plan = rows::Plan {
        entities: &known.entities,
        columns: &known.columns,
        relationships: rels,
        model: site.model,
        roles: Arc::new(config.roles()),
        names: opts.names,
    };
    let (jobs, mut w) = rows::plan(&plan, &tables);
    warnings.append(&mut w);
    rows::run(c, jobs, &dir, obs)
}
