//! What lint reports: the rule table (ids, severities, summaries) as data,
//! findings and their locations, and the report the front ends print.

use serde::Serialize;
use std::fmt;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Probably not what was meant.
    Warning,
    /// Exposes data or silently grants nothing where something was meant.
    Error,
}

impl Severity {
    /// The name used in output and in `--deny`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `error`, `warning` or `info`.
    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::Error, Severity::Warning, Severity::Info].into_iter().find(|v| v.name() == s)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A lint rule: one stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// `PP001` ...
    pub id: &'static str,
    /// Its severity.
    pub severity: Severity,
    /// A short name in `CamelCase` (SARIF `name`).
    pub name: &'static str,
    /// What it finds, in one sentence.
    pub summary: &'static str,
}

/// Every rule, by id.
pub const RULES: &[Rule] = &[
    Rule { id: "PP001", severity: Severity::Error, name: "AnonymousReadsCustomerData", summary: "anonymous visitors can read rows of a table that holds customer data" },
    Rule { id: "PP002", severity: Severity::Warning, name: "EveryContactReadsCustomerData", summary: "a Global permission held by the authenticated-users role on a table that holds customer data: every contact reads every row" },
    Rule { id: "PP003", severity: Severity::Warning, name: "GlobalBelowNarrowerParent", summary: "a Global permission below a narrower parent admits every row of its table whatever the parent admits (S9)" },
    Rule { id: "PP004", severity: Severity::Warning, name: "RolesOnChildIgnored", summary: "web roles listed on a child permission are ignored (S6)" },
    Rule { id: "PP005", severity: Severity::Warning, name: "RootWithoutRoles", summary: "a root permission with no web roles grants nothing" },
    Rule { id: "PP006", severity: Severity::Error, name: "SelfScopeNotOnContact", summary: "Self scope on a table other than contact admits nothing (S12)" },
    Rule { id: "PP007", severity: Severity::Error, name: "RelationshipDoesNotJoin", summary: "a relationship that does not join the tables its scope needs admits nothing (S20)" },
    Rule { id: "PP008", severity: Severity::Warning, name: "CreateCannotAttach", summary: "create on a Parent-scope child whose parent lacks append_to or which lacks append: created rows cannot be attached (S18)" },
    Rule { id: "PP009", severity: Severity::Info, name: "RelatedTableWithoutChild", summary: "rows of a table reference rows a permission admits, with no child permission for that table in its tree" },
    Rule { id: "PP010", severity: Severity::Warning, name: "InactiveParentOfActiveChildren", summary: "an inactive permission with active children: the children grant nothing (S7)" },
    Rule { id: "PP011", severity: Severity::Info, name: "RedundantPermission", summary: "a permission that grants nothing another permission does not already grant to the same visitors on this data" },
    Rule { id: "PP012", severity: Severity::Info, name: "PermissionGrantsNothing", summary: "a permission that grants nothing at all on this data" },
    Rule { id: "PP013", severity: Severity::Info, name: "DanglingLookups", summary: "lookup values that name no row (S24)" },
    Rule { id: "PP014", severity: Severity::Warning, name: "CustomAccessTypeNotEvaluated", summary: "the Custom access type is not evaluated here (S14)" },
    Rule { id: "PP015", severity: Severity::Warning, name: "MixedKeyPrefixes", summary: "a site folder mixing `adx_`, `mspp_` and unprefixed keys" },
    Rule { id: "PP016", severity: Severity::Warning, name: "UndeclaredRelationship", summary: "a relationship named by a permission of a folder tenant that is neither in the catalogue nor in relationships.json" },
    Rule { id: "PP017", severity: Severity::Error, name: "AnyoneReadsThroughWebApi", summary: "anyone on the internet (the anonymous visitor, or a newcomer when registration is open) can read rows of a table open to the Web API (C2, C10)" },
    Rule { id: "PP018", severity: Severity::Warning, name: "WebApiFieldsStar", summary: "`Webapi/T/fields` is `*`: every column is exposed on runtimes that honour it" },
    Rule { id: "PP019", severity: Severity::Warning, name: "WebApiSettingsInconsistent", summary: "Web API settings that cannot work or contradict each other" },
    Rule { id: "PP020", severity: Severity::Error, name: "OpenRegistrationReadsCustomerData", summary: "open registration and an authenticated-users role holding a Global-anchored read on customer data: anyone who signs up reads every row" },
    Rule { id: "PP021", severity: Severity::Warning, name: "ComponentTablePermissionsOff", summary: "a list, basic form or advanced form step with table permissions off (C11)" },
    Rule { id: "PP022", severity: Severity::Warning, name: "AnonymousChangesRows", summary: "the anonymous visitor may write, create or delete rows of a table" },
    Rule { id: "PP023", severity: Severity::Warning, name: "AnonymousReadsTable", summary: "the anonymous visitor may read rows of a table (the runtime's own check fails on any such permission)" },
    Rule { id: "PP024", severity: Severity::Warning, name: "AmbiguousWebRoles", summary: "two active web roles with the same name, or more than one role flagged anonymous or authenticated users" },
    Rule { id: "PP025", severity: Severity::Error, name: "MissingParentPermission", summary: "a permission names a parent that does not exist (folder tenants): it admits nothing here" },
    Rule { id: "PP026", severity: Severity::Warning, name: "MissingWebRole", summary: "a role id that names no web role, on a permission, column permission profile, page rule or membership (folder tenants)" },
    Rule { id: "PP027", severity: Severity::Warning, name: "MisleadingPageRules", summary: "page rules that do not do what they seem: a restrict-read rule listing the anonymous users role, or more than one active rule on one page" },
    Rule { id: "PP028", severity: Severity::Info, name: "ColumnProfileChangesNothing", summary: "a column permission profile that changes nothing: no roles, inactive roles, or a table not open to the Web API" },
    Rule { id: "PP029", severity: Severity::Info, name: "LiquidQueryFiltersOnSystemUser", summary: "a Liquid FetchXML query that filters on rows owned, created or modified by the Dataverse SYSTEM user" },
    Rule { id: "PP030", severity: Severity::Error, name: "FinanceOperationsBypass", summary: "contacts can read virtual-table rows directly from F&O that web roles do not grant them (F8)" },
    Rule { id: "PP031", severity: Severity::Error, name: "AnonymousReachesVirtualTable", summary: "the anonymous visitor reaches a virtual table: every anonymous visitor runs as one F&O user (F7)" },
    Rule { id: "PP032", severity: Severity::Warning, name: "VirtualTablePermissionNotGlobal", summary: "a permission on a virtual table with a scope other than Global" },
    Rule { id: "PP033", severity: Severity::Warning, name: "AdministratorFinanceUser", summary: "an F&O user that visitors run as holds an administrator role: every virtual-table request fails" },
    Rule { id: "PP034", severity: Severity::Warning, name: "VirtualTableRoleWithoutMapping", summary: "contacts hold a web role with a permission on a virtual table but have no F&O user mapping" },
    Rule { id: "PP035", severity: Severity::Warning, name: "AnyoneInvokesServerLogic", summary: "server logic anyone can invoke (C10); an error if it writes, proxies or calls InvokeCustomApi" },
    Rule { id: "PP036", severity: Severity::Warning, name: "GenericProxy", summary: "a generic proxy: each caller reaches every permitted table outside Webapi settings and column permissions" },
    Rule { id: "PP037", severity: Severity::Error, name: "AnyoneTriggersFlow", summary: "a cloud flow anyone can trigger with Dataverse actions that run outside table permissions (R15)" },
    Rule { id: "PP038", severity: Severity::Info, name: "EndpointNobodyInvokes", summary: "an endpoint nobody can invoke (no usable role)" },
    Rule { id: "PP039", severity: Severity::Info, name: "UnboundedCall", summary: "unbounded calls: InvokeCustomApi, HttpClient, bound or unbound actions, dynamic entity sets, code that does not parse" },
    Rule { id: "PP040", severity: Severity::Warning, name: "RestrictedBranchFileReadByAll", summary: "web files of a restricted branch that everyone reads (R7)" },
    Rule { id: "PP041", severity: Severity::Warning, name: "RestrictReadRoleNotAbove", summary: "a Restrict Read role missing from an ancestor's rule, or a page R1 leaves unreachable" },
    Rule { id: "PP042", severity: Severity::Error, name: "GrantChangeToEveryone", summary: "Grant Change held by an authenticated-users role (a warning for the anonymous role)" },
    Rule { id: "PP043", severity: Severity::Warning, name: "RestrictedPageComponentReadElsewhere", summary: "a restricted page hosting a component whose rows outsiders read elsewhere" },
    Rule { id: "PP044", severity: Severity::Error, name: "UnreadableSiteRecord", summary: "a site record that could not be read, dropped on load: every answer on the site is incomplete" },
];

/// The rule of an id.
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// Where a finding comes from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    /// The file (a site file for folder tenants, else the tenant file).
    pub file: String,
    /// 1-based line, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id (`PP001` ...).
    pub id: &'static str,
    /// Severity of the rule.
    pub severity: Severity,
    /// What it is about: a permission or role id, `table.column`, an N:N
    /// relationship name, or the site folder.
    pub subject: String,
    /// One sentence: what happens to visitors because of it.
    pub message: String,
    /// Where it comes from, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// The `--json` answer: `{"findings": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Findings, sorted by id, subject and message.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Whether a finding of `severity` or worse is present (`--deny`).
    pub fn denies(&self, severity: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= severity)
    }

    /// Number of findings of one severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity == severity).count()
    }
}

impl Report {
    /// The readable text form: one block per finding, then a count line.
    pub fn text(&self) -> String {
        self.text_with(|_| None)
    }

    /// [`Report::text`], with each subject shown as `subject` names it
    /// (a display name for a permission or role id), or as it is.
    pub fn text_with(&self, subject: impl Fn(&str) -> Option<String>) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let shown = subject(&f.subject).unwrap_or_else(|| f.subject.clone());
            out.push_str(&format!("{} {} {}: {}\n", f.id, f.severity, shown, f.message));
            if let Some(l) = &f.location {
                match l.line {
                    Some(line) => out.push_str(&format!("  at {}:{line}\n", l.file)),
                    None => out.push_str(&format!("  at {}\n", l.file)),
                }
            }
        }
        out.push_str(&format!(
            "{}: {} {}, {} {}, {} info\n",
            plural(self.findings.len(), "finding", "findings"),
            self.count(Severity::Error),
            if self.count(Severity::Error) == 1 { "error" } else { "errors" },
            self.count(Severity::Warning),
            if self.count(Severity::Warning) == 1 { "warning" } else { "warnings" },
            self.count(Severity::Info)
        ));
        out
    }
}

/// `1 row`, `2 rows`.
pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
