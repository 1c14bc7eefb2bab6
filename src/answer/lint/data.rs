//! PP013: lookup values that name no row (S24), per table and column.

use super::context::{ids, plural, Cx};
use super::findings::{Finding, Severity};
use crate::model::RelKind;
use std::collections::{BTreeMap, BTreeSet};

impl Cx<'_> {
    /// PP013: dangling lookup values (S24), per table and column.
    pub(super) fn dangling(&self, out: &mut Vec<Finding>) {
        let t = self.t;
        let mut groups: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
        let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for d in t.dangling.iter() {
            let key = (d.table.as_str(), d.column.as_str());
            groups.entry(key).or_default().insert(d.value.as_str());
            *counts.entry(key).or_default() += 1;
        }
        for ((table, column), values) in groups {
            let count = counts.get(&(table, column)).copied().unwrap_or(0);
            let examples = ids(values.iter().take(3).copied());
            let association = t.rel_id(column).is_some_and(|r| matches!(t.relationships[r as usize].kind, RelKind::ManyToMany { .. }));
            let (subject, message) = if association {
                (
                    column.to_string(),
                    format!(
                        "{} of `{column}` {} no `{table}` row (for example {examples}), so {} nothing (S24)",
                        plural(count, "association pair", "association pairs"),
                        if count == 1 { "names" } else { "name" },
                        if count == 1 { "it relates" } else { "they relate" }
                    ),
                )
            } else {
                (
                    format!("{table}.{column}"),
                    format!(
                        "{} of lookup `{table}.{column}` {} no row (for example {examples}), so {} related to nothing through it (S24)",
                        plural(count, "value", "values"),
                        if count == 1 { "names" } else { "name" },
                        if count == 1 { "that row is" } else { "those rows are" }
                    ),
                )
            };
            out.push(Finding { id: "PP013", severity: Severity::Info, subject, message, location: None });
        }
    }
}
