//! Queries: `can`, `who`, `what`, `grants` (cli.md), answered from the
//! derived grants, with the JSON answer shapes of the spec.

use crate::engine::patterns::Class;
use crate::engine::{Grants, Visitor};
use crate::error::{LoadError, QueryError};
use crate::model::{PermId, Privilege, RowId, TableId, Tenant};
use serde::Serialize;
use std::path::Path;

/// The visitor who stands for anyone who signs up (channels.md C9).
pub const NEWCOMER: &str = "newcomer";

/// A loaded tenant with its derived grants: what every query runs against.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The tenant.
    pub tenant: Tenant,
    /// Its grants.
    pub grants: Grants,
    /// Its channel index (channels.md), derived on first use.
    pub channels: std::sync::OnceLock<crate::engine::channels::ChannelIndex>,
    /// Its access patterns (patterns.md), derived on first use.
    pub patterns: std::sync::OnceLock<crate::engine::patterns::Patterns>,
    /// Its pages and endpoints index (surfaces.md), derived on first use.
    pub surfaces: std::sync::OnceLock<crate::engine::surfaces::SurfaceIndex>,
}

/// What a query is about: a row, or a table (for `create`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// A row.
    Row(RowId),
    /// A table (create is table-level, S17).
    Table(TableId),
}

/// The `can` answer (cli.md).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CanAnswer {
    /// Visitor as given (`anonymous` or a contact id).
    pub visitor: String,
    /// Privilege name.
    pub privilege: String,
    /// `TABLE:ID` (row privileges).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// Table name (create).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// The decision.
    pub allowed: bool,
    /// Ids of the candidate permissions that grant it, sorted.
    pub via: Vec<String>,
    /// On a virtual-table row of a tenant with F&O data: whether the visitor
    /// may read the row directly from the data entity (F7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct: Option<bool>,
}

/// Who may read a virtual-table row directly (F7), in the `who` answer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DirectWho {
    /// Whether the anonymous visitor may.
    pub anonymous: bool,
    /// Every contact who may, sorted.
    pub contacts: Vec<String>,
}

/// The `who` answer (cli.md).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WhoAnswer {
    /// Privilege name.
    pub privilege: String,
    /// `TABLE:ID` (row privileges).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// Table name (create).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Whether a visitor who has not signed in may.
    pub anonymous: bool,
    /// Whether anyone who signs up may (channels.md C9).
    pub newcomer: bool,
    /// Whether anyone on the internet may: `anonymous` or `newcomer` (C10).
    pub anyone: bool,
    /// Every contact who may, sorted.
    pub contacts: Vec<String>,
    /// On a virtual-table row of a tenant with F&O data: who may read it
    /// directly from the data entity (F7).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct: Option<DirectWho>,
    /// For `create`: the table's create patterns (A6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patterns: Option<Vec<super::patterns::PatternEntry>>,
}

/// The `what` answer (cli.md).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WhatAnswer {
    /// Visitor as given.
    pub visitor: String,
    /// Privilege name.
    pub privilege: String,
    /// Rows (`TABLE:ID`), sorted; absent for create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<String>>,
    /// Tables, sorted; only for create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tables: Option<Vec<String>>,
    /// For the tables asked about that have no rows loaded (A7): the
    /// visitor's patterns there, as `who` on a table lists them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub patterns: Option<Vec<super::patterns::PatternEntry>>,
}

/// One grant of S25, as `grants` prints it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct GrantLine {
    /// Visitor (`anonymous` or a contact id).
    pub visitor: String,
    /// Privilege name.
    pub privilege: String,
    /// `TABLE:ID` for row privileges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// Table for create.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
}

impl GrantLine {
    /// The row reference or table name.
    pub fn target(&self) -> &str {
        self.row.as_deref().or(self.table.as_deref()).unwrap_or("")
    }
}

fn unknown(what: &'static str, value: &str, problem: &str) -> QueryError {
    unknown_owned(what, value, problem.to_string())
}

fn unknown_owned(what: &'static str, value: &str, problem: String) -> QueryError {
    QueryError::Unknown { what, value: value.to_string(), problem }
}

/// ` (did you mean `X`?)` when some candidate is close to `value`.
pub fn did_you_mean<'a>(value: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    nearest(value, candidates).map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default()
}

/// The candidate closest to `value`, when it is close enough to suggest.
pub fn nearest<'a>(value: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let (d, c) = candidates.map(|c| (strsim::levenshtein(value, c), c)).min()?;
    (d <= 3.max(value.len() / 3)).then_some(c)
}

/// Privilege names in plain string order, as `grants` sorts them.
pub fn privileges_by_name() -> Vec<Privilege> {
    let mut v = Privilege::ALL.to_vec();
    v.sort_by_key(|p| p.name());
    v
}

impl Analysis {
    /// Loads a tenant and derives its grants.
    pub fn load(path: &Path) -> Result<Analysis, LoadError> {
        Ok(Analysis::new(crate::model::load(path)?))
    }

    /// Derives the grants of a loaded tenant.
    pub fn new(tenant: Tenant) -> Analysis {
        let grants = Grants::derive(&tenant);
        Analysis::with_grants(tenant, grants)
    }

    /// A tenant with grants already derived (its other indexes derived on first use).
    pub fn with_grants(tenant: Tenant, grants: Grants) -> Analysis {
        Analysis { tenant, grants, channels: std::sync::OnceLock::new(), patterns: std::sync::OnceLock::new(), surfaces: std::sync::OnceLock::new() }
    }

    /// Parses a visitor: `anonymous`, a contact id, or a contact's name
    /// when exactly one contact has it (several: an error listing them).
    pub fn visitor(&self, s: &str) -> Result<Visitor, QueryError> {
        if s == "anonymous" {
            return Ok(Visitor::Anonymous);
        }
        if let Some(c) = self.tenant.contact(s) {
            return Ok(Visitor::Contact(c));
        }
        let t = &self.tenant;
        let names = crate::model::row_names::TableNames::read(t, t.contact_table);
        let first = t.tables[t.contact_table as usize].first;
        let named: Vec<RowId> = names.find(s).into_iter().map(|i| first + i as RowId).collect();
        match named.as_slice() {
            [c] => Ok(Visitor::Contact(*c)),
            [] => {
                let ids = t.contacts().map(|c| t.row_name(c));
                let hint = nearest(s, ids.chain(names.all()).chain(["anonymous", NEWCOMER])).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
                Err(unknown_owned("contact", s, format!("does not exist (give a contact id or name, `anonymous` or `newcomer`{hint})")))
            }
            many => Err(unknown_owned("contact", s, format!("names {} contacts; give one of their ids: {}", many.len(), self.candidates(many)))),
        }
    }

    /// The ids of rows that share a name, for an error: `C1, C7`.
    fn candidates(&self, rows: &[RowId]) -> String {
        let mut ids: Vec<&str> = rows.iter().map(|&x| self.tenant.row_name(x)).collect();
        ids.sort_unstable();
        ids.join(", ")
    }

    /// Prints a visitor.
    pub fn visitor_name(&self, v: Visitor) -> String {
        match v {
            Visitor::Anonymous => "anonymous".to_string(),
            Visitor::Contact(c) => self.tenant.row_name(c).to_string(),
        }
    }

    /// The site records dropped on load because they could not be read
    /// (PP044), one line each: answers on such a tenant are incomplete.
    pub fn incomplete(&self) -> Vec<String> {
        self.tenant.raw.unreadable.iter().map(|u| u.text()).collect()
    }

    /// The first line of every readable answer on an incomplete tenant
    /// (PP044): how many site records were dropped, and which; `None` for
    /// a complete tenant.
    pub fn incomplete_line(&self) -> Option<String> {
        let incomplete = self.incomplete();
        let n = incomplete.len();
        (n > 0).then(|| {
            let (records, verb) = if n == 1 { ("1 site record".to_string(), "was") } else { (format!("{n} site records"), "were") };
            format!("incomplete: {records} could not be read and {verb} dropped, so answers may miss grants ({}); see lint PP044\n", incomplete.join("; "))
        })
    }

    /// Parses a privilege name.
    pub fn privilege(&self, s: &str) -> Result<Privilege, QueryError> {
        Privilege::parse(s)
            .ok_or_else(|| unknown("privilege", s, "is not one of read, write, create, delete, append, append_to"))
    }

    /// Parses a table name.
    pub fn table(&self, s: &str) -> Result<TableId, QueryError> {
        self.tenant.table_id(s).ok_or_else(|| unknown("table", s, "does not exist in this tenant"))
    }

    /// Parses `TABLE:ID`, or `TABLE:NAME` when exactly one row of the
    /// table has that name (several: an error listing their ids).
    pub fn row(&self, s: &str) -> Result<RowId, QueryError> {
        let Some((t, id)) = s.split_once(':') else {
            return Err(unknown("row", s, "is not a row reference (expected `TABLE:ID` or `TABLE:NAME`)"));
        };
        let table = self.table(t)?;
        if let Some(x) = self.tenant.row_id(table, id) {
            return Ok(x);
        }
        match crate::model::row_names::rows_named(&self.tenant, table, id).as_slice() {
            [x] => Ok(*x),
            [] => Err(unknown("row", s, "does not exist")),
            many => Err(unknown_owned("row", s, format!("names {} rows of `{t}`; give one of their ids: {}", many.len(), self.candidates(many)))),
        }
    }

    /// Parses the target of a query: a table for create, else a row.
    pub fn target(&self, p: Privilege, s: &str) -> Result<Target, QueryError> {
        if p == Privilege::Create {
            // create is table-level (S17); a row reference stands for its table.
            let name = s.split_once(':').map(|(t, _)| t).unwrap_or(s);
            Ok(Target::Table(self.table(name)?))
        } else {
            Ok(Target::Row(self.row(s)?))
        }
    }

    fn perm_names(&self, via: &[PermId]) -> Vec<String> {
        via.iter().map(|&n| self.tenant.permissions[n as usize].id.clone()).collect()
    }

    /// `can VISITOR PRIVILEGE TARGET`.
    pub fn can(&self, visitor: &str, privilege: &str, target: &str) -> Result<CanAnswer, QueryError> {
        if visitor == NEWCOMER {
            return self.can_newcomer(privilege, target);
        }
        let v = self.visitor(visitor)?;
        let p = self.privilege(privilege)?;
        let (via, row, table) = match self.target(p, target)? {
            Target::Row(x) => (self.grants.can(&self.tenant, v, p, x), Some(self.tenant.row_ref(x)), None),
            Target::Table(t) => {
                (self.grants.can_create(&self.tenant, v, t), None, Some(self.tenant.tables[t as usize].name.clone()))
            }
        };
        Ok(CanAnswer {
            visitor: self.visitor_name(v),
            privilege: p.name().to_string(),
            row,
            table,
            allowed: !via.is_empty(),
            via: self.perm_names(&via),
            direct: self.direct_of(v, target, p)?,
        })
    }

    /// `who PRIVILEGE TARGET`.
    pub fn who(&self, privilege: &str, target: &str) -> Result<WhoAnswer, QueryError> {
        let p = self.privilege(privilege)?;
        let at = self.target(p, target)?;
        let newcomer = self.newcomer_may(at, p);
        let ((anonymous, contacts), row, table) = match at {
            Target::Row(x) => (self.grants.who(&self.tenant, p, x), Some(self.tenant.row_ref(x)), None),
            Target::Table(t) => {
                (self.grants.who_create(&self.tenant, t), None, Some(self.tenant.tables[t as usize].name.clone()))
            }
        };
        Ok(WhoAnswer {
            privilege: p.name().to_string(),
            row,
            table,
            anonymous,
            newcomer,
            anyone: anonymous || newcomer,
            contacts: contacts.iter().map(|&c| self.tenant.row_name(c).to_string()).collect(),
            direct: self.direct_who_of(target, p)?,
            patterns: match at {
                Target::Table(t) => Some(super::patterns::entries(&self.tenant, self.patterns(), t, p)),
                Target::Row(_) => None,
            },
        })
    }

    /// The virtual-table row a query is about, when the tenant has F&O data (F1).
    pub fn virtual_row(&self, p: Privilege, target: &str) -> Result<Option<RowId>, QueryError> {
        let Some(fo) = self.grants.fo() else { return Ok(None) };
        Ok(match self.target(p, target)? {
            Target::Row(x) if fo.is_virtual(self.tenant.table_of(x)) => Some(x),
            _ => None,
        })
    }

    /// `direct` of `can` on a virtual-table row (F7).
    fn direct_of(&self, v: Visitor, target: &str, p: Privilege) -> Result<Option<bool>, QueryError> {
        let (Some(x), Some(fo)) = (self.virtual_row(p, target)?, self.grants.fo()) else { return Ok(None) };
        Ok(Some(fo.direct(v, self.tenant.table_of(x), x)))
    }

    /// `direct` of `who` on a virtual-table row (F7).
    fn direct_who_of(&self, target: &str, p: Privilege) -> Result<Option<DirectWho>, QueryError> {
        let (Some(x), Some(fo)) = (self.virtual_row(p, target)?, self.grants.fo()) else { return Ok(None) };
        let (anonymous, mut contacts) = fo.direct_who(self.tenant.table_of(x), x);
        crate::engine::sort_rows(&self.tenant, &mut contacts);
        Ok(Some(DirectWho { anonymous, contacts: contacts.iter().map(|&c| self.tenant.row_name(c).to_string()).collect() }))
    }

    /// `what VISITOR PRIVILEGE [--table TABLE]`.
    pub fn what(&self, visitor: &str, privilege: &str, table: Option<&str>) -> Result<WhatAnswer, QueryError> {
        if visitor == NEWCOMER {
            return self.what_newcomer(privilege, table);
        }
        let v = self.visitor(visitor)?;
        let p = self.privilege(privilege)?;
        let table = table.map(|t| self.table(t)).transpose()?;
        let (rows, tables) = if p == Privilege::Create {
            let ts = self.grants.what_create(&self.tenant, v, table);
            (None, Some(ts.iter().map(|&t| self.tenant.tables[t as usize].name.clone()).collect()))
        } else {
            let rs = self.grants.what(&self.tenant, v, p, table);
            (Some(rs.iter().map(|&x| self.tenant.row_ref(x)).collect()), None)
        };
        let patterns = if p == Privilege::Create { None } else { self.what_patterns(Some(v), p, table) };
        Ok(WhatAnswer { visitor: self.visitor_name(v), privilege: p.name().to_string(), rows, tables, patterns })
    }

    /// Every visitor, sorted by printed name (`anonymous` among the contact ids).
    pub fn visitors(&self) -> Vec<Visitor> {
        let mut v: Vec<Visitor> = std::iter::once(Visitor::Anonymous).chain(self.tenant.contacts().map(Visitor::Contact)).collect();
        v.sort_by_cached_key(|&x| self.visitor_name(x));
        v
    }

    /// Every grant of one visitor (S25), sorted by privilege then target.
    pub fn grants_of(&self, v: Visitor, table: Option<TableId>) -> Vec<GrantLine> {
        let visitor = self.visitor_name(v);
        let mut out = Vec::new();
        for p in privileges_by_name() {
            if p == Privilege::Create {
                for t in self.grants.what_create(&self.tenant, v, table) {
                    out.push(GrantLine {
                        visitor: visitor.clone(),
                        privilege: p.name().to_string(),
                        row: None,
                        table: Some(self.tenant.tables[t as usize].name.clone()),
                    });
                }
            } else {
                for x in self.grants.what(&self.tenant, v, p, table) {
                    out.push(GrantLine {
                        visitor: visitor.clone(),
                        privilege: p.name().to_string(),
                        row: Some(self.tenant.row_ref(x)),
                        table: None,
                    });
                }
            }
        }
        out
    }

    /// Streams every grant of S25, sorted by visitor, privilege, target.
    pub fn for_each_grant(
        &self,
        table: Option<&str>,
        mut sink: impl FnMut(&GrantLine) -> std::io::Result<()>,
    ) -> Result<std::io::Result<()>, QueryError> {
        let table = table.map(|t| self.table(t)).transpose()?;
        for v in self.visitors() {
            for g in self.grants_of(v, table) {
                if let Err(e) = sink(&g) {
                    return Ok(Err(e));
                }
            }
        }
        Ok(Ok(()))
    }
}

impl Analysis {
    /// The access patterns of the tenant (A1 to A4), derived on first use.
    pub fn patterns(&self) -> &crate::engine::patterns::Patterns {
        self.patterns.get_or_init(|| crate::engine::patterns::Patterns::derive(&self.tenant))
    }

    /// Parses a table name for a pattern question: an unknown table is an
    /// error naming the nearest known table.
    pub fn pattern_table(&self, s: &str) -> Result<TableId, QueryError> {
        if let Some(t) = self.tenant.table_id(s) {
            return Ok(t);
        }
        let nearest = self
            .tenant
            .tables
            .iter()
            .map(|t| (strsim::levenshtein(&t.name, s), t.name.as_str()))
            .min()
            .map(|(_, n)| format!(" (did you mean `{n}`?)"))
            .unwrap_or_default();
        Err(QueryError::Unknown { what: "table", value: s.to_string(), problem: format!("does not exist in this tenant{nearest}") })
    }

    /// `who PRIVILEGE TABLE` for a row privilege (A6): patterns, with or
    /// without rows.
    pub fn who_table(&self, privilege: &str, table: &str) -> Result<super::patterns::WhoTableAnswer, QueryError> {
        let p = self.privilege(privilege)?;
        let tid = self.pattern_table(table)?;
        let patterns = super::patterns::entries(&self.tenant, self.patterns(), tid, p);
        Ok(super::patterns::WhoTableAnswer {
            privilege: p.name().to_string(),
            table: self.tenant.tables[tid as usize].name.clone(),
            anonymous: super::patterns::class_reach(self.patterns(), &self.tenant, Class::Anonymous, tid, p),
            newcomer: super::patterns::class_reach(self.patterns(), &self.tenant, Class::Newcomer, tid, p),
            contacts: super::patterns::class_reach(self.patterns(), &self.tenant, Class::Contacts, tid, p),
            rows_loaded: super::patterns::rows_loaded(&self.tenant, tid),
            patterns,
        })
    }

    /// A7: the patterns of a visitor (`None`: the newcomer) for privilege
    /// `p` on the tables without rows (only `table` when given); `None`
    /// when there are none.
    pub fn what_patterns(&self, visitor: Option<Visitor>, p: Privilege, table: Option<TableId>) -> Option<Vec<super::patterns::PatternEntry>> {
        let t = &self.tenant;
        let names = crate::model::names::Names::new(t, false);
        let mut out: Vec<super::patterns::PatternEntry> = self
            .patterns()
            .list
            .iter()
            .filter(|x| table.is_none_or(|tb| tb == x.table) && x.privileges.has(p) && !super::patterns::rows_loaded(t, x.table))
            .filter(|x| match visitor {
                None => x.class == Class::Newcomer,
                Some(Visitor::Anonymous) => x.class == Class::Anonymous,
                Some(c) => x.class == Class::Contacts && self.grants.holds(t, c, x.perm),
            })
            .map(|x| {
                let mut e = super::patterns::entry(t, &names, x, Some(p));
                e.table = Some(t.tables[x.table as usize].name.clone());
                e
            })
            .collect();
        out.sort_by(|a, b| (&a.table, &a.permission).cmp(&(&b.table, &b.permission)));
        (!out.is_empty()).then_some(out)
    }
}
