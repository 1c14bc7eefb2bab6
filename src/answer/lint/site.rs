//! PP015: a site folder mixing key styles.

use super::findings::{plural, Finding, Location, Severity};
use crate::load::site::{KeyStyle, SiteReport};

/// PP015: a site folder mixing key styles.
pub(super) fn mixed_keys(site: &SiteReport, out: &mut Vec<Finding>) {
    if site.styles.len() < 2 {
        return;
    }
    let parts: Vec<String> = site
        .styles
        .iter()
        .map(|(style, files)| format!("{} ({})", style.describe(), plural(files.len(), "file", "files")))
        .collect();
    // Point at a file of the least used style.
    let (style, files) = site
        .styles
        .iter()
        .min_by_key(|(s, f)| (f.len(), **s))
        .map(|(s, f)| (*s, f.clone()))
        .unwrap_or((KeyStyle::Unprefixed, Vec::new()));
    let example = files.first().cloned().unwrap_or_default();
    out.push(Finding {
        id: "PP015",
        severity: Severity::Warning,
        subject: site.dir.clone(),
        message: format!(
            "the site folder mixes {}: files from different downloads (for example `{example}`, with {}) may be stale, so the live site may not match these answers",
            parts.join(" and "),
            style.describe()
        ),
        location: (!example.is_empty()).then_some(Location { file: example, line: Some(1) }),
    });
}
