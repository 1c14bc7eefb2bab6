//! SARIF 2.1.0 output of lint findings, for code-scanning tools (GitHub code
//! scanning, Azure DevOps, VS Code's SARIF viewer).
//!
//! One rule per lint id (all of [`crate::answer::lint::RULES`], in id order); one
//! result per finding, located at the site file and line of the permission
//! for folder tenants (else the tenant file). Only the properties the
//! SARIF 2.1.0 schema defines are written, in a fixed order, so the output
//! is byte-identical run to run.

use crate::answer::lint::{Finding, Report, Severity, RULES};
use serde::Serialize;
use std::collections::BTreeMap;

/// The schema URI written in `$schema`.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A SARIF log.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Log {
    /// The schema URI.
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// `2.1.0`.
    pub version: &'static str,
    /// One run.
    pub runs: Vec<Run>,
}

/// One run of the tool.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// The tool and its rules.
    pub tool: Tool,
    /// Findings.
    pub results: Vec<SarifResult>,
    /// Line numbers are 1-based and columns are not used; declared anyway.
    pub column_kind: &'static str,
}

/// The tool.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Tool {
    /// The driver component.
    pub driver: Driver,
}

/// The tool's driver: name, version, rules.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    /// `portal-access`.
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
    /// Semantic version, for tools that compare versions.
    pub semantic_version: &'static str,
    /// One rule per lint id.
    pub rules: Vec<ReportingDescriptor>,
}

/// A rule.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    /// `PP001` ...
    pub id: &'static str,
    /// CamelCase name.
    pub name: &'static str,
    /// One-sentence summary.
    pub short_description: Message,
    /// Summary with the severity.
    pub full_description: Message,
    /// Default level of the rule.
    pub default_configuration: Configuration,
    /// Tags (`security`, `configuration`).
    pub properties: RuleProperties,
}

/// A rule's default configuration.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Configuration {
    /// `error`, `warning` or `note`.
    pub level: &'static str,
}

/// Rule properties.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RuleProperties {
    /// Tags for filtering in code-scanning tools.
    pub tags: Vec<&'static str>,
}

/// A plain-text message.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Message {
    /// The text.
    pub text: String,
}

/// One finding.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    /// Lint id.
    pub rule_id: &'static str,
    /// Index of the rule in `driver.rules`.
    pub rule_index: usize,
    /// `error`, `warning` or `note`.
    pub level: &'static str,
    /// The finding's sentence.
    pub message: Message,
    /// Where it is.
    pub locations: Vec<Location>,
    /// Stable identity across runs: rule id and subject.
    pub partial_fingerprints: BTreeMap<&'static str, String>,
    /// The subject, as in the JSON output.
    pub properties: ResultProperties,
}

/// Result properties.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ResultProperties {
    /// What the finding is about.
    pub subject: String,
}

/// A location.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// File and region.
    pub physical_location: PhysicalLocation,
}

/// A file and a region in it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The file.
    pub artifact_location: ArtifactLocation,
    /// The line.
    pub region: Region,
}

/// A file, as a URI reference.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ArtifactLocation {
    /// Relative paths stay relative (code scanning resolves them against
    /// the checkout); absolute ones become `file://` URIs.
    pub uri: String,
}

/// A region: the start line.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// 1-based line.
    pub start_line: usize,
}

/// The SARIF level of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file path as a URI reference: `/` separators, a leading `./` dropped,
/// every byte outside the unreserved set and `/` percent-encoded; absolute
/// paths as `file://` URIs.
pub fn path_uri(path: &str) -> String {
    let mut p = path.replace('\\', "/");
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.to_string();
    }
    let absolute = p.starts_with('/');
    let windows_drive = p.len() > 1 && p.as_bytes()[1] == b':' && p.as_bytes()[0].is_ascii_alphabetic();
    let mut out = String::new();
    for (i, b) in p.bytes().enumerate() {
        let keep = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') || (windows_drive && i == 1);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if absolute {
        format!("file://{out}")
    } else if windows_drive {
        format!("file:///{out}")
    } else {
        out
    }
}

/// The SARIF log of a lint report. `source` is the tenant file or folder:
/// the location of findings that have none of their own.
pub fn log(report: &Report, source: &str) -> Log {
    let rules = RULES
        .iter()
        .map(|r| ReportingDescriptor {
            id: r.id,
            name: r.name,
            short_description: Message { text: r.summary.to_string() },
            full_description: Message { text: format!("{} ({}).", capitalise(r.summary), r.severity) },
            default_configuration: Configuration { level: level(r.severity) },
            properties: RuleProperties { tags: vec!["security", "power-pages", "configuration"] },
        })
        .collect();
    let results = report.findings.iter().map(|f| result(f, source)).collect();
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "portal-access",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            results,
            column_kind: "unicodeCodePoints",
        }],
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn result(f: &Finding, source: &str) -> SarifResult {
    let (file, line) = match &f.location {
        Some(l) => (l.file.as_str(), l.line.unwrap_or(1)),
        None => (source, 1),
    };
    let mut fingerprints = BTreeMap::new();
    fingerprints.insert("portalAccessFinding/v1", format!("{}:{}", f.id, f.subject));
    SarifResult {
        rule_id: f.id,
        rule_index: RULES.iter().position(|r| r.id == f.id).unwrap_or(0),
        level: level(f.severity),
        message: Message { text: format!("{}: {}", f.subject, f.message) },
        locations: vec![Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri: path_uri(file) },
                region: Region { start_line: line.max(1) },
            },
        }],
        partial_fingerprints: fingerprints,
        properties: ResultProperties { subject: f.subject.clone() },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(path_uri("./t/site/table-permissions/A b.yml"), "t/site/table-permissions/A%20b.yml");
        assert_eq!(path_uri("x/[TO-BE-DELETED]Get.yml"), "x/%5BTO-BE-DELETED%5DGet.yml");
        assert_eq!(path_uri("/abs/p.yml"), "file:///abs/p.yml");
        assert_eq!(path_uri("C:\\t\\p.yml"), "file:///C:/t/p.yml");
    }
}
