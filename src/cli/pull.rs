//! `pull`'s front end (pull.md, cli.md): a progress bar per table on a
//! terminal (nothing otherwise, and nothing with `--json`), and the counts
//! at the end as a few lines for a person.

use crate::pull::manifest::Manifest;
use crate::pull::rows::{Observer, Written};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::sync::Mutex;

/// One bar per table being copied, on standard error.
pub struct Bars {
    all: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    /// Bars drawn on standard error when `shown` (see
    /// [`super::progress::Progress::wanted`]), hidden otherwise.
    pub fn new(shown: bool) -> Bars {
        let target = if shown { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        Bars { all: MultiProgress::with_draw_target(target), bars: Mutex::new(HashMap::new()) }
    }

    /// Clears every bar.
    pub fn finish(&self) {
        let _ = self.all.clear();
    }
}

impl Observer for Bars {
    fn start(&self, file: &str) {
        let bar = self.all.add(ProgressBar::new_spinner());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {prefix:40} {pos:>9} rows ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_prefix(file.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(150));
        if let Ok(mut b) = self.bars.lock() {
            b.insert(file.to_string(), bar);
        }
    }

    fn rows(&self, file: &str, rows: u64) {
        if let Some(bar) = self.bars.lock().ok().and_then(|b| b.get(file).cloned()) {
            bar.inc(rows);
        }
    }

    fn done(&self, written: &Written) {
        if let Some(bar) = self.bars.lock().ok().and_then(|mut b| b.remove(&written.file)) {
            bar.finish_and_clear();
            self.all.remove(&bar);
        }
    }
}

/// The counts of a pull, for a person.
pub fn summary(m: &Manifest, dir: &str) -> String {
    let mut out = format!(
        "pulled site `{}` ({}, {} data model) from {} into {dir}\n",
        m.site.name, m.site.id, m.site.data_model, m.environment
    );
    let records: Vec<String> =
        m.site_records.iter().filter(|(_, n)| **n > 0).map(|(k, n)| format!("{n} {}", k.replace('_', " "))).collect();
    out.push_str(&format!(
        "  site: {}\n",
        if records.is_empty() { "no records".to_string() } else { records.join(", ") }
    ));
    let rows: u64 = m.tables.iter().map(|t| t.rows).sum();
    let files: u64 = m.tables.iter().map(|t| t.files).sum();
    if m.options.no_data {
        out.push_str("  data: not copied (--no-data)\n");
    } else {
        out.push_str(&format!("  data: {rows} rows in {files} files from {} tables\n", m.tables.len()));
        for t in &m.tables {
            out.push_str(&format!("    {:<45} {:>10} rows\n", t.table, t.rows));
        }
    }
    let get = |map: &std::collections::BTreeMap<String, u64>, k: &str| map.get(k).copied().unwrap_or(0);
    out.push_str(&format!(
        "  memberships: {} contacts, {} accounts; relationships: {} 1:N, {} N:N\n",
        get(&m.memberships, "contacts"),
        get(&m.memberships, "accounts"),
        get(&m.relationships, "one_to_many"),
        get(&m.relationships, "many_to_many")
    ));
    if !m.config_stable {
        out.push_str("  the configuration changed while the rows were read, twice: it may not match the rows\n");
    }
    for w in &m.warnings {
        out.push_str(&format!("  warning: {w}\n"));
    }
    out
}
