//! Channel answers (channels.md, cli.md "Channels"): the newcomer in `can`,
//! `what`, `who` and `why`; `columns`; `who ... --column`; `exposure`.
//! Column facts come from the channel index (per visitor class and table)
//! and meet the row grants here, one row at a time.

use crate::engine::patterns::Class;
use crate::answer::query::{Analysis, CanAnswer, Target, WhatAnswer};
use crate::answer::why::WhyAnswer;
use crate::engine::channels::{ChannelIndex, Outsider};
use crate::engine::walk::Walker;
use crate::engine::walk_channels::NewcomerWorld;
use crate::engine::{sort_perms, Visitor};
use crate::error::QueryError;
use crate::model::{PermId, Privilege, RowId, TableId};
use super::surfaces::ReachEndpoint;
use serde::Serialize;

pub use crate::answer::query::NEWCOMER;

/// The `columns` answer (cli.md).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ColumnsAnswer {
    /// Visitor as given.
    pub visitor: String,
    /// `TABLE:ID`.
    pub row: String,
    /// Whether the row's table is open to the Web API (C2).
    pub open: bool,
    /// Columns the visitor may read through the Web API (C6), sorted.
    pub read: Vec<String>,
    /// Columns the visitor may update through the Web API (C7), sorted.
    pub update: Vec<String>,
    /// Why a list is empty, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The `why ... --column` answer: the `why` object plus the column's fate.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WhyColumnAnswer {
    /// The row answer, exactly as `why` gives it.
    #[serde(flatten)]
    pub why: WhyAnswer,
    /// The column asked about.
    pub column: String,
    /// Always `webapi`.
    pub channel: String,
    /// Whether the column can be read (or updated) through the Web API.
    pub column_allowed: bool,
    /// When it cannot: the rule that denies it, as a sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_reason: Option<String>,
}

/// The `who ... --column` answer (cli.md).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WhoColumnAnswer {
    /// Privilege name (`read` or `write`).
    pub privilege: String,
    /// `TABLE:ID`.
    pub row: String,
    /// The column asked about.
    pub column: String,
    /// Always `webapi`.
    pub channel: String,
    /// Whether the anonymous visitor may.
    pub anonymous: bool,
    /// Whether anyone who signs up may (C9).
    pub newcomer: bool,
    /// Whether anyone on the internet may (C10).
    pub anyone: bool,
    /// Every contact who may, sorted.
    pub contacts: Vec<String>,
}

/// One table of an `exposure` answer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExposureTable {
    /// Table name.
    pub table: String,
    /// Open to the Web API (C2).
    pub open: bool,
    /// How many rows the visitor can pull through the Web API: those it may
    /// read (S16) when the table is open (C2) and C5 lets it read a listed
    /// column (C3), else 0; null when no row of the table is loaded (A8).
    pub rows: Option<usize>,
    /// How many rows it may read through any channel; null without rows.
    pub readable_rows: Option<usize>,
    /// Without rows (A8): `every`, `some` or `none` under the same gating
    /// as `rows`, from the visitor's possible read patterns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<&'static str>,
    /// Without rows: what it may read through any channel, by the same
    /// patterns (`every`, `some` or `none`), as `readable_rows` with rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readable_pattern: Option<&'static str>,
    /// Columns it may read through the Web API (C6), sorted.
    pub read: Vec<String>,
    /// Columns it may update through the Web API on the rows it may write (C7), sorted.
    pub update: Vec<String>,
    /// Whether it may create rows through the Web API (C7).
    pub create: bool,
    /// Whether it may delete rows through the Web API (C7).
    pub delete: bool,
    /// The permissions behind what this entry exposes (`rows` or `pattern`,
    /// `update`, `create`, `delete`), sorted; empty when nothing is exposed.
    pub via: Vec<String>,
}

/// One visitor of an `exposure` answer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExposureVisitor {
    /// `anonymous`, `newcomer` or a contact id.
    pub visitor: String,
    /// Tables open to the Web API, and tables whose rows it may read.
    pub tables: Vec<ExposureTable>,
    /// The endpoints it may call, as in `reach` (surfaces.md).
    pub endpoints: Vec<ReachEndpoint>,
}

/// The `exposure` answer (cli.md).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ExposureAnswer {
    /// C8.
    pub registration_open: bool,
    /// Per visitor.
    pub visitors: Vec<ExposureVisitor>,
}

impl Analysis {
    /// The channel index of this analysis, derived on first use.
    pub fn channel_index(&self) -> &ChannelIndex {
        self.channels.get_or_init(|| ChannelIndex::new(&self.tenant, &self.grants))
    }

    /// Parses a visitor of the channel answers: `newcomer` or a visitor.
    pub fn outsider(&self, s: &str) -> Result<Outsider, QueryError> {
        if s == NEWCOMER {
            return Ok(Outsider::Newcomer);
        }
        self.visitor(s).map(Outsider::Visitor)
    }

    pub(crate) fn outsider_name(&self, v: Outsider) -> String {
        match v {
            Outsider::Newcomer => NEWCOMER.to_string(),
            Outsider::Visitor(v) => self.visitor_name(v),
        }
    }

    fn names(&self, via: &[PermId]) -> Vec<String> {
        via.iter().map(|&n| self.tenant.permissions[n as usize].id.clone()).collect()
    }

    /// `can newcomer PRIVILEGE TARGET` (C9).
    pub fn can_newcomer(&self, privilege: &str, target: &str) -> Result<CanAnswer, QueryError> {
        let p = self.privilege(privilege)?;
        let (t, g, ci) = (&self.tenant, &self.grants, self.channel_index());
        let target = self.target(p, target)?;
        let (via, row, table) = match target {
            _ if self.fo_blocks_newcomer(target) => (Vec::new(), None, None),
            Target::Row(x) => (ci.can(t, g, Outsider::Newcomer, p, x), Some(t.row_ref(x)), None),
            Target::Table(tb) => {
                (ci.can_create(t, g, Outsider::Newcomer, tb), None, Some(t.tables[tb as usize].name.clone()))
            }
        };
        let (row, table) = match target {
            Target::Row(x) => (row.or_else(|| Some(t.row_ref(x))), table),
            Target::Table(tb) => (row, table.or_else(|| Some(t.tables[tb as usize].name.clone()))),
        };
        // F2: the newcomer has no F&O user, so it reaches no virtual-table row directly.
        let direct = match target {
            Target::Row(x) if self.grants.fo().is_some_and(|fo| fo.is_virtual(t.table_of(x))) => Some(false),
            _ => None,
        };
        Ok(CanAnswer {
            visitor: NEWCOMER.to_string(),
            privilege: p.name().to_string(),
            row,
            table,
            allowed: !via.is_empty(),
            via: self.names(&via),
            direct,
        })
    }

    /// `what newcomer PRIVILEGE [--table TABLE]` (C9).
    pub fn what_newcomer(&self, privilege: &str, table: Option<&str>) -> Result<WhatAnswer, QueryError> {
        let p = self.privilege(privilege)?;
        let table = table.map(|s| self.table(s)).transpose()?;
        let (t, g, ci) = (&self.tenant, &self.grants, self.channel_index());
        let (rows, tables) = if p == Privilege::Create {
            let mut ts = ci.what_create_newcomer(t, table);
            ts.retain(|&tb| !self.fo_blocks_newcomer(Target::Table(tb)));
            (None, Some(ts.iter().map(|&tb| t.tables[tb as usize].name.clone()).collect()))
        } else {
            let mut rs = ci.what(t, g, Outsider::Newcomer, p, table);
            rs.retain(|&x| !self.fo_blocks_newcomer(Target::Row(x)));
            (Some(rs.iter().map(|&x| t.row_ref(x)).collect()), None)
        };
        let patterns = if p == Privilege::Create { None } else { self.what_patterns(None, p, table) };
        Ok(WhatAnswer { visitor: NEWCOMER.to_string(), privilege: p.name().to_string(), rows, tables, patterns })
    }

    /// F2 and F6: the newcomer has no F&O user, so a virtual table of a
    /// tenant with F&O data is out of its reach through the portal too.
    fn fo_blocks_newcomer(&self, target: Target) -> bool {
        let tb = match target {
            Target::Row(x) => self.tenant.table_of(x),
            Target::Table(tb) => tb,
        };
        self.grants.fo().is_some_and(|fo| fo.is_virtual(tb))
    }

    /// Whether the newcomer may do `p` to a target (C9), for `who`.
    pub fn newcomer_may(&self, target: Target, p: Privilege) -> bool {
        let (t, g, ci) = (&self.tenant, &self.grants, self.channel_index());
        if self.fo_blocks_newcomer(target) {
            return false;
        }
        match target {
            Target::Row(x) => !ci.can(t, g, Outsider::Newcomer, p, x).is_empty(),
            Target::Table(tb) => !ci.can_create(t, g, Outsider::Newcomer, tb).is_empty(),
        }
    }

    /// The candidates that let outsider `v` do `p` (not create) to row
    /// `x`: S16, or C9 for the newcomer, which reaches no virtual-table row
    /// of a tenant with F&O data (F2, F6; the other visitors' grants apply
    /// F6 themselves).
    pub fn outsider_can(&self, v: Outsider, p: Privilege, x: RowId) -> Vec<PermId> {
        if v == Outsider::Newcomer && self.fo_blocks_newcomer(Target::Row(x)) {
            return Vec::new();
        }
        self.channel_index().can(&self.tenant, &self.grants, v, p, x)
    }

    /// The rows outsider `v` may `p` (not create), optionally in one
    /// table, sorted; the F&O side as in [`Analysis::outsider_can`].
    pub fn outsider_what(&self, v: Outsider, p: Privilege, table: Option<TableId>) -> Vec<RowId> {
        let mut rows = self.channel_index().what(&self.tenant, &self.grants, v, p, table);
        if v == Outsider::Newcomer && self.grants.fo().is_some() {
            rows.retain(|&x| !self.fo_blocks_newcomer(Target::Row(x)));
        }
        rows
    }

    /// [`Analysis::outsider_what`] of every table, ordered by row id.
    pub fn outsider_what_by_id(&self, v: Outsider, p: Privilege) -> Vec<RowId> {
        let mut rows = self.channel_index().what_by_id(&self.tenant, &self.grants, v, p);
        if v == Outsider::Newcomer && self.grants.fo().is_some() {
            rows.retain(|&x| !self.fo_blocks_newcomer(Target::Row(x)));
        }
        rows
    }

    /// The candidates that let outsider `v` create in `table` (S17, C9);
    /// the F&O side as in [`Analysis::outsider_can`].
    pub fn outsider_can_create(&self, v: Outsider, table: TableId) -> Vec<PermId> {
        if v == Outsider::Newcomer && self.fo_blocks_newcomer(Target::Table(table)) {
            return Vec::new();
        }
        self.channel_index().can_create(&self.tenant, &self.grants, v, table)
    }

    /// `why newcomer PRIVILEGE TARGET`: the walker's explanation for the
    /// newcomer as the one extra contact of the tenant once someone signs
    /// up; denied with the reason when registration is closed (C8).
    pub fn why_newcomer(&self, privilege: &str, target: &str) -> Result<WhyAnswer, QueryError> {
        let can = self.can_newcomer(privilege, target)?;
        let Some(world) = NewcomerWorld::new(&self.tenant) else {
            let reason = "registration is closed (`Authentication/Registration/Enabled` or `OpenRegistrationEnabled` is `false`): nobody can sign up".to_string();
            return Ok(WhyAnswer { can, paths: Vec::new(), reason: Some(reason), miss: Some("no_tree".to_string()), finance: None });
        };
        let id = world.tenant.row_name(world.contact).to_string();
        let wa = Analysis::new(world.tenant);
        let w = Walker::new(&wa.tenant);
        let mut ans = wa.why_with(&w, &id, privilege, target)?;
        ans.can = can;
        if let Some(r) = &mut ans.reason {
            *r = r.replace(&format!("`{id}`"), "the newcomer").replace(&id, "newcomer");
        }
        Ok(ans)
    }

    /// `columns VISITOR TABLE:ID` (C6, C7).
    pub fn columns(&self, visitor: &str, row: &str) -> Result<ColumnsAnswer, QueryError> {
        let v = self.outsider(visitor)?;
        let x = self.row(row)?;
        let (t, ci) = (&self.tenant, self.channel_index());
        let table = t.table_of(x);
        let name = &t.tables[table as usize].name;
        let open = ci.open(table);
        let can_read = !self.outsider_can(v, Privilege::Read, x).is_empty();
        let can_write = !self.outsider_can(v, Privilege::Write, x).is_empty();
        let read = if can_read { ci.read_columns(v, table) } else { Vec::new() };
        let update = if can_write { ci.update_columns(v, table) } else { Vec::new() };
        let reason = if !open {
            Some(format!("table `{name}` is not open to the Web API (`Webapi/{name}/enabled` is not `true`)"))
        } else if read.is_empty() || update.is_empty() {
            Some(self.column_reason(v, x, can_read, can_write))
        } else {
            None
        };
        Ok(ColumnsAnswer { visitor: self.outsider_name(v), row: t.row_ref(x), open, read, update, reason })
    }

    /// Why `columns` lists nothing to read or update on an open table.
    fn column_reason(&self, v: Outsider, x: RowId, can_read: bool, can_write: bool) -> String {
        let (t, ci) = (&self.tenant, self.channel_index());
        let table = t.table_of(x);
        let name = &t.tables[table as usize].name;
        let who = self.outsider_name(v);
        let listed = crate::engine::walk_channels::setting(t, &format!("Webapi/{name}/fields"))
            .is_some_and(|s| s.split(',').any(|k| !k.trim().is_empty()));
        if !listed {
            return format!("`Webapi/{name}/fields` lists no column: the runtime refuses every request on `{name}`");
        }
        let mut parts = Vec::new();
        let profiles = self.profiles_of(v, table);
        for (ok, what, cols) in [
            (can_read, "read", ci.read_columns(v, table)),
            (can_write, "write", ci.update_columns(v, table)),
        ] {
            if !ok {
                let p = if what == "read" { Privilege::Read } else { Privilege::Write };
                parts.push(self.row_denial(v, p, x));
            } else if cols.is_empty() {
                let q = if what == "read" { "read" } else { "update" };
                parts.push(if profiles.is_empty() {
                    format!("no listed column allows {q}")
                } else {
                    format!("the column permission profiles of `{who}` for `{name}` ({}) allow {q} of no listed column", profiles.join(", "))
                });
            }
        }
        parts.join("; ")
    }

    /// Why outsider `v` may not `p` row `x`: no table permission (S16), or
    /// on a virtual table of a tenant with F&O data, the F&O side (F2, F6).
    fn row_denial(&self, v: Outsider, p: Privilege, x: RowId) -> String {
        let t = &self.tenant;
        let (who, row) = (self.outsider_name(v), t.row_ref(x));
        let table = &t.tables[t.table_of(x) as usize].name;
        match v {
            Outsider::Newcomer if self.fo_blocks_newcomer(Target::Row(x)) => {
                format!("the newcomer has no F&O user, so it reaches no row of the virtual table `{table}` (F2, F6)")
            }
            Outsider::Visitor(u) if self.virtual_row(p, &row).ok().flatten().is_some() && !self.grants.base_can(t, u, p, x).is_empty() => {
                format!("web roles let `{who}` {} `{row}`, but the F&O side does not (F6)", p.name())
            }
            _ => format!("no table permission lets `{who}` {} `{row}` (S16)", p.name()),
        }
    }

    /// Display names and ids of the active profiles of `v` for `table` (C5).
    fn profiles_of(&self, v: Outsider, table: TableId) -> Vec<String> {
        let t = &self.tenant;
        let roles = crate::engine::walk_channels::ColumnWalk::new(t).roles(v);
        t.channels
            .profiles
            .iter()
            .filter(|p| p.active && p.table == table && p.roles.iter().any(|r| roles.contains(r)))
            .map(|p| format!("{} `{}`", p.name, p.id))
            .collect()
    }

    /// Why `v` may not read (`p` read, C6) or update (`p` write, C7)
    /// column `col` of row `x` through the Web API, naming the rule that
    /// denies it (table closed, column not listed, row not granted,
    /// profile), or `None` when it may.
    pub fn column_denial(&self, v: Outsider, p: Privilege, x: RowId, col: &str) -> Option<String> {
        let (t, ci) = (&self.tenant, self.channel_index());
        let table = t.table_of(x);
        let name = &t.tables[table as usize].name;
        let who = self.outsider_name(v);
        let cw = crate::engine::walk_channels::ColumnWalk::new(t);
        let (q, rule) = if p == Privilege::Read { ("read", "C6") } else { ("update", "C7") };
        if !ci.open(table) {
            return Some(format!("C2: table `{name}` is not open to the Web API (`Webapi/{name}/enabled` is not `true`)"));
        }
        if !cw.listed(table, col) {
            return Some(format!("C3: column `{col}` is not listed in `Webapi/{name}/fields`"));
        }
        if self.outsider_can(v, p, x).is_empty() {
            return Some(format!("{rule}: {}", self.row_denial(v, p, x)));
        }
        let passes = if p == Privilege::Read { ci.reads_column(v, table, col) } else { ci.updates_column(v, table, col) };
        if !passes {
            let profiles = self.profiles_of(v, table);
            return Some(format!(
                "C5: the column permission profiles of `{who}` for `{name}` ({}) do not allow {q} of `{col}`",
                profiles.join(", ")
            ));
        }
        None
    }

    /// `why VISITOR PRIVILEGE TABLE:ID --column COL`: the row answer, and
    /// whether the column goes through the Web API, with the rule that
    /// denies it.
    pub fn why_column(&self, visitor: &str, privilege: &str, row: &str, col: &str) -> Result<WhyColumnAnswer, QueryError> {
        let v = self.outsider(visitor)?;
        let p = self.privilege(privilege)?;
        if p != Privilege::Read && p != Privilege::Write {
            return Err(QueryError::Unknown {
                what: "privilege",
                value: privilege.to_string(),
                problem: "has no column answer (use `read` or `write` with `--column`)".to_string(),
            });
        }
        let x = self.row(row)?;
        let why = self.why(visitor, privilege, row)?;
        let column_reason = self.column_denial(v, p, x, col);
        Ok(WhyColumnAnswer {
            why,
            column: col.to_string(),
            channel: "webapi".to_string(),
            column_allowed: column_reason.is_none(),
            column_reason,
        })
    }

    /// `who TENANT PRIVILEGE TABLE:ID --column COL` (C6 for read, C7 update for write).
    pub fn who_column(&self, privilege: &str, row: &str, col: &str) -> Result<WhoColumnAnswer, QueryError> {
        let p = self.privilege(privilege)?;
        if p != Privilege::Read && p != Privilege::Write {
            return Err(QueryError::Unknown {
                what: "privilege",
                value: privilege.to_string(),
                problem: "has no column answer (use `read` or `write` with `--column`)".to_string(),
            });
        }
        let x = self.row(row)?;
        let (t, g, ci) = (&self.tenant, &self.grants, self.channel_index());
        let table = t.table_of(x);
        let col_ok = |v: Outsider| match p {
            Privilege::Read => ci.reads_column(v, table, col),
            _ => ci.updates_column(v, table, col),
        };
        let may = |v: Outsider| col_ok(v) && !self.outsider_can(v, p, x).is_empty();
        let anonymous = may(Outsider::Visitor(Visitor::Anonymous));
        let newcomer = may(Outsider::Newcomer);
        let (_, contacts) = g.who(t, p, x);
        let contacts = contacts
            .into_iter()
            .filter(|&c| col_ok(Outsider::Visitor(Visitor::Contact(c))))
            .map(|c| t.row_name(c).to_string())
            .collect();
        Ok(WhoColumnAnswer {
            privilege: p.name().to_string(),
            row: t.row_ref(x),
            column: col.to_string(),
            channel: "webapi".to_string(),
            anonymous,
            newcomer,
            anyone: anonymous || newcomer,
            contacts,
        })
    }

    /// `exposure [--visitor V]`: per table, what each outsider (or `V`) can
    /// read and change through the Web API.
    pub fn exposure(&self, visitor: Option<&str>) -> Result<ExposureAnswer, QueryError> {
        let who: Vec<Outsider> = match visitor {
            Some(s) => vec![self.outsider(s)?],
            None => vec![Outsider::Visitor(Visitor::Anonymous), Outsider::Newcomer],
        };
        let ci = self.channel_index();
        let visitors = who.into_iter().map(|v| self.exposure_of(v)).collect();
        Ok(ExposureAnswer { registration_open: ci.registration_open, visitors })
    }

    fn exposure_of(&self, v: Outsider) -> ExposureVisitor {
        let t = &self.tenant;
        let mut tables: Vec<TableId> = (0..t.tables.len() as TableId).collect();
        tables.sort_by(|a, b| t.tables[*a as usize].name.cmp(&t.tables[*b as usize].name));
        let mut out = Vec::new();
        for tb in tables {
            if let Some(e) = if t.tables[tb as usize].rows().is_empty() { self.exposure_patterns(v, tb) } else { self.exposure_rows(v, tb) } {
                out.push(e);
            }
        }
        ExposureVisitor { visitor: self.outsider_name(v), tables: out, endpoints: self.endpoints_reached(v) }
    }

    /// One exposure entry of a table with rows loaded.
    fn exposure_rows(&self, v: Outsider, tb: TableId) -> Option<ExposureTable> {
        let (t, ci) = (&self.tenant, self.channel_index());
        let open = ci.open(tb);
        let readable = self.outsider_what(v, Privilege::Read, Some(tb));
        if !open && readable.is_empty() {
            return None;
        }
        let writable = self.outsider_what(v, Privilege::Write, Some(tb));
        let deletable = self.outsider_what(v, Privilege::Delete, Some(tb));
        let creates = self.outsider_can_create(v, tb);
        let read = if readable.is_empty() || !open { Vec::new() } else { ci.read_columns(v, tb) };
        let update = if writable.is_empty() || !open { Vec::new() } else { ci.update_columns(v, tb) };
        let create = open && !creates.is_empty() && !ci.create_columns(v, tb).is_empty();
        let delete = open && !deletable.is_empty();
        let pulled = if read.is_empty() { 0 } else { readable.len() };
        // Only what this entry exposes names its permissions (cli.md `via`).
        let mut via: Vec<PermId> = if create { creates } else { Vec::new() };
        for (p, rows, shown) in [(Privilege::Read, &readable, pulled > 0), (Privilege::Write, &writable, !update.is_empty()), (Privilege::Delete, &deletable, delete)] {
            if shown {
                via.extend(self.via_rows(v, p, tb, rows));
            }
        }
        sort_perms(t, &mut via);
        via.dedup();
        Some(ExposureTable {
            table: t.tables[tb as usize].name.clone(),
            open,
            rows: Some(pulled),
            readable_rows: Some(readable.len()),
            pattern: None,
            readable_pattern: None,
            read,
            update,
            create,
            delete,
            via: self.names(&via),
        })
    }

    /// One exposure entry of a table with no row loaded (A8): the visitor's
    /// possible patterns, gated as rows are (C2, C3, C5).
    fn exposure_patterns(&self, v: Outsider, tb: TableId) -> Option<ExposureTable> {
        let (t, ci) = (&self.tenant, self.channel_index());
        let open = ci.open(tb);
        // F2: the newcomer has no F&O user, so a virtual table gives it nothing.
        let blocked = v == Outsider::Newcomer && self.fo_blocks_newcomer(Target::Table(tb));
        let pats: Vec<&crate::engine::patterns::Pattern> = self
            .patterns()
            .of_table(tb)
            .iter()
            .filter(|_| !blocked)
            .filter(|x| match v {
                Outsider::Visitor(Visitor::Anonymous) => x.class == Class::Anonymous,
                Outsider::Newcomer => x.class == Class::Newcomer,
                Outsider::Visitor(c) => x.class == Class::Contacts && self.grants.holds(t, c, x.perm),
            })
            .collect();
        let with = |p: Privilege| -> Vec<&crate::engine::patterns::Pattern> { pats.iter().copied().filter(|x| x.possible_for(p)).collect() };
        let (readable, writable, deletable, creates) = (with(Privilege::Read), with(Privilege::Write), with(Privilege::Delete), with(Privilege::Create));
        if !open && readable.is_empty() {
            return None;
        }
        let read = if readable.is_empty() || !open { Vec::new() } else { ci.read_columns(v, tb) };
        let update = if writable.is_empty() || !open { Vec::new() } else { ci.update_columns(v, tb) };
        let create = open && !creates.is_empty() && !ci.create_columns(v, tb).is_empty();
        let delete = open && !deletable.is_empty();
        let any_channel = crate::answer::patterns::reach_of(t, readable.iter().copied());
        let reach = if read.is_empty() { "none" } else { any_channel };
        let mut via: Vec<PermId> = Vec::new();
        for (list, shown) in [(&readable, reach != "none"), (&writable, !update.is_empty()), (&deletable, delete), (&creates, create)] {
            if shown {
                via.extend(list.iter().map(|x| x.perm));
            }
        }
        sort_perms(t, &mut via);
        via.dedup();
        Some(ExposureTable {
            table: t.tables[tb as usize].name.clone(),
            open,
            rows: None,
            readable_rows: None,
            pattern: Some(reach),
            readable_pattern: Some(any_channel),
            read,
            update,
            create,
            delete,
            via: self.names(&via),
        })
    }

    /// The permissions that grant `v` privilege `p` on some of `rows` (of `table`).
    fn via_rows(&self, v: Outsider, p: Privilege, table: TableId, rows: &[RowId]) -> Vec<PermId> {
        let (t, g, ci) = (&self.tenant, &self.grants, self.channel_index());
        if rows.is_empty() {
            return Vec::new();
        }
        match v {
            // Outsiders hold only Global-anchored grants: the candidates of
            // the table that admit some row are found per permission.
            Outsider::Newcomer | Outsider::Visitor(Visitor::Anonymous) => {
                let d = &g.derived;
                let admits = |n: PermId| {
                    let lo = d.in_g.partition_point(|e| e.0 < n);
                    d.in_all.binary_search(&n).is_ok() || d.in_g.get(lo).is_some_and(|e| e.0 == n)
                };
                (0..t.permissions.len() as PermId)
                    .filter(|&n| {
                        let perm = &t.permissions[n as usize];
                        perm.table == table && perm.privileges.has(p) && ci.holds(t, g, v, n) && admits(n)
                    })
                    .collect()
            }
            Outsider::Visitor(_) => rows.iter().flat_map(|&x| ci.can(t, g, v, p, x)).collect(),
        }
    }
}
