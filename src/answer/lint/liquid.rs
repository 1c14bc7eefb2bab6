//! PP029: Liquid FetchXML queries in the site's templates, pages and
//! snippets that filter on rows owned, created or modified by the
//! Dataverse SYSTEM user ([`crate::load::liquid`] finds them).

use super::context::finding;
use super::findings::{Finding, Location};
use crate::load::site::SiteReport;

/// PP029 for every SYSTEM-user filter the scan of the site found.
pub(super) fn pp029(site: &SiteReport, out: &mut Vec<Finding>) {
    for q in &site.system_user_filters {
        let query = if q.query.is_empty() { "a Liquid FetchXML query".to_string() } else { format!("the Liquid FetchXML query `{}`", q.query) };
        let message = format!(
            "line {}: {query} filters on `{}` and {}: sites are moving from the SYSTEM user to an application user, and then it silently returns nothing; secure the rows with table permissions instead",
            q.line, q.column, q.how
        );
        let location = Some(Location { file: q.file.clone(), line: Some(q.line) });
        out.push(finding("PP029", q.relative.clone(), message, location));
    }
}
