//! `pull.json` (pull.md P15): what was pulled, from where, by whom and
//! when; `diff` labels a pulled snapshot by it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The manifest's format.
pub const FORMAT: &str = "portal-access/pull@1";
/// The manifest's file name in a pulled folder.
pub const FILE: &str = "pull.json";

/// The site pulled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteEntry {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `standard` or `enhanced`.
    pub data_model: String,
}

/// The options the pull ran with (never the token, nor how it was got).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionsEntry {
    /// `--names`.
    pub names: bool,
    /// `--no-data`.
    pub no_data: bool,
    /// `--concurrency`.
    pub concurrency: usize,
}

/// One table copied into `data/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableEntry {
    /// The logical name (its files' base name).
    pub table: String,
    /// The entity set read.
    pub entity_set: String,
    /// Rows written.
    pub rows: u64,
    /// Files written.
    pub files: u64,
}

/// `pull.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// `portal-access x.y.z`.
    pub tool: String,
    /// ENV_URL.
    pub environment: String,
    /// The Web API version read.
    pub api_version: String,
    /// The site.
    pub site: SiteEntry,
    /// WhoAmI's `UserId`.
    pub pulled_by: String,
    /// When the pull started (UTC, RFC 3339).
    pub started_at: String,
    /// When the last file was written (UTC, RFC 3339).
    pub finished_at: String,
    /// The options.
    pub options: OptionsEntry,
    /// Site records written, by kind.
    pub site_records: BTreeMap<String, u64>,
    /// Tables written, by name.
    pub tables: Vec<TableEntry>,
    /// Memberships kept: `contacts`, `accounts`.
    pub memberships: BTreeMap<String, u64>,
    /// Relationships written: `one_to_many`, `many_to_many`.
    pub relationships: BTreeMap<String, u64>,
    /// Whether the configuration read after the rows was the one read before (P12).
    pub config_stable: bool,
    /// What was not copied, and why.
    pub warnings: Vec<String>,
}

impl Manifest {
    /// The manifest of a pulled folder, when it has one that reads.
    pub fn read(dir: &Path) -> Option<Manifest> {
        let text = std::fs::read_to_string(dir.join(FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// How `diff` names the snapshot: `site (environment, finished_at)`.
    pub fn label(&self) -> String {
        format!("{} ({}, {})", self.site.name, self.environment, self.finished_at)
    }
}

/// A folder's name for `diff`: its manifest's label, else the path.
pub fn label(path: &Path) -> String {
    match path.is_dir().then(|| Manifest::read(path)).flatten() {
        Some(m) => m.label(),
        None => path.display().to_string(),
    }
}

/// Now, in UTC, as `2026-12-07T04:31:45Z`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    utc(secs)
}

/// Seconds since 1970 as RFC 3339 UTC (days to civil date, Hinnant's algorithm).
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_796_618_505), "2026-12-07T04:41:45Z");
    }
}
