//! The exposure channels in the serving engine (channels.md C1 to C11):
//! the tenant's settings and profiles as the channel rules' facts
//! (`rules::channels`), the derived column facts indexed per visitor class
//! and table, and the newcomer's row grants read off the factored grants.
//!
//! Column answers are never multiplied by rows: a column fact is about a
//! class of visitors (the anonymous visitor, the newcomer, or the contacts
//! with one set of memberships), a table and a column, and it meets the
//! row grants (S16) only when an answer asks about a row.

use super::grants::{sort_perms, sort_rows, Grants};
use crate::model::channels::{field_list, is_true, webapi_setting};
use crate::model::{PermId, Privilege, RoleId, RowId, TableId, Tenant, Visitor};
use portal_access_rules as rules;
use rules::channels::{ChannelDerived, ChannelFacts};
use std::collections::{BTreeSet, HashMap};

/// A visitor of the channel answers: a visitor of S1/S2, or the newcomer (C9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outsider {
    /// The anonymous visitor or a contact.
    Visitor(Visitor),
    /// Anyone who signs up (C9).
    Newcomer,
}

/// Class of the anonymous visitor.
pub const CLASS_ANON: u32 = 0;
/// Class of the newcomer.
pub const CLASS_NEWCOMER: u32 = 1;

/// The id column of a table (C4): `<T>id`, or `activityid` for activity tables.
pub fn id_column(table: &str) -> String {
    const ACTIVITIES: &[&str] = &[
        "activitypointer",
        "appointment",
        "email",
        "fax",
        "letter",
        "phonecall",
        "task",
        "socialactivity",
        "recurringappointmentmaster",
        "adx_portalcomment",
    ];
    if ACTIVITIES.contains(&table) {
        "activityid".to_string()
    } else {
        format!("{table}id")
    }
}

/// The keys that appear in some row of `table` (C4), lower case.
pub fn row_keys(t: &Tenant, table: TableId) -> BTreeSet<String> {
    let name = &t.tables[table as usize].name;
    let mut out = BTreeSet::new();
    out.insert(id_column(name));
    if let Some(raw) = t.raw.table(name) {
        let used = raw.used_columns();
        out.extend(raw.columns.iter().zip(used).filter(|(_, u)| *u).map(|(c, _)| c.to_ascii_lowercase()));
    }
    out
}

/// Tables by lower-case name (settings name tables in any case, C1).
pub fn tables_by_lower_name(t: &Tenant) -> HashMap<String, TableId> {
    let mut m = HashMap::new();
    for (i, tb) in t.tables.iter().enumerate() {
        m.entry(tb.name.to_ascii_lowercase()).or_insert(i as TableId);
    }
    m
}

/// Interned lower-case column names.
#[derive(Debug, Clone, Default)]
pub struct ColumnNames {
    /// Names by id.
    pub names: Vec<String>,
    index: HashMap<String, u32>,
}

impl ColumnNames {
    /// The id of a name, added when new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }
    /// The id of a name, when known.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.index.get(&name.to_ascii_lowercase()).copied()
    }
}

pub use super::facts::registration_off;

/// Whether registration is open (C8): no registration setting is `false`,
/// so the newcomer (C9) stands for anyone on the internet.
pub fn registration_open(t: &Tenant) -> bool {
    registration_off(t).is_empty()
}

/// The channel facts of a tenant, with the column names and the class of
/// every contact (by `contact - first contact`).
pub fn channel_facts(t: &Tenant) -> (ChannelFacts, ColumnNames, Vec<u32>) {
    let mut f = ChannelFacts { class_anon: CLASS_ANON, class_newcomer: CLASS_NEWCOMER, ..ChannelFacts::default() };
    let mut cols = ColumnNames::default();
    let tables = tables_by_lower_name(t);
    let raw = &t.raw.site_settings;
    f.registration_off = registration_off(t);
    for (name, &i) in &t.channels.settings {
        let value = raw.get(i).map(|s| s.value.as_str()).unwrap_or_default();
        let Some((table, what)) = webapi_setting(name) else { continue };
        let Some(&tid) = tables.get(&table) else { continue };
        match what.as_str() {
            "enabled" if is_true(value) => f.webapi_enabled.push(tid),
            "fields" => {
                for k in field_list(value) {
                    if k == "*" {
                        f.fields_all.push(tid);
                    } else {
                        f.field_listed.push((tid, cols.intern(&k)));
                    }
                }
            }
            _ => {}
        }
    }
    // C4 row columns matter only where `*` lists them (C3).
    f.fields_all.sort_unstable();
    f.fields_all.dedup();
    for &tid in &f.fields_all {
        for k in row_keys(t, tid) {
            f.row_column.push((tid, cols.intern(&k)));
        }
    }
    for (p, prof) in t.channels.profiles.iter().enumerate() {
        let p = p as u32;
        f.profile.push((p, prof.table));
        if prof.active {
            f.profile_active.push(p);
        }
        f.profile_role.extend(prof.roles.iter().map(|&r| (p, r)));
        for q in [rules::channels::COL_CREATE, rules::channels::COL_READ, rules::channels::COL_UPDATE] {
            if prof.all_columns.0 & (1 << q) != 0 {
                f.profile_all.push((p, q));
            }
        }
        for (k, privs) in &prof.columns {
            let c = cols.intern(k);
            f.profile_lists.push((p, c));
            for q in 0..3u32 {
                if privs.0 & (1 << q) != 0 {
                    f.profile_col.push((p, c, q));
                }
            }
        }
    }
    (f.role_active, f.role_anon, f.role_auth) = super::facts::role_flags(t);
    let classes = contact_classes(t, &mut f);
    (f, cols, classes)
}

/// Groups contacts by their memberships (direct and through the account,
/// S3): one class per distinct set, numbered from 2.
pub fn contact_classes(t: &Tenant, f: &mut ChannelFacts) -> Vec<u32> {
    let contacts = t.contacts();
    let first = contacts.start;
    let mut sets: Vec<Vec<RoleId>> = vec![Vec::new(); contacts.len()];
    for &(c, r) in &t.contact_members {
        if let Some(s) = sets.get_mut((c - first) as usize) {
            s.push(r);
        }
    }
    let mut by_account: HashMap<RowId, Vec<RoleId>> = HashMap::new();
    for &(a, r) in &t.account_members {
        by_account.entry(a).or_default().push(r);
    }
    let mut ids: HashMap<Vec<RoleId>, u32> = HashMap::new();
    let mut out = Vec::with_capacity(sets.len());
    for (i, mut s) in sets.into_iter().enumerate() {
        if let Some(rs) = t.account_of(first + i as u32).and_then(|a| by_account.get(&a)) {
            s.extend(rs);
        }
        s.sort_unstable();
        s.dedup();
        let next = ids.len() as u32 + 2;
        let k = *ids.entry(s.clone()).or_insert_with(|| {
            f.class_contacts.push(next);
            f.class_member.extend(s.iter().map(|&r| (next, r)));
            next
        });
        out.push(k);
    }
    out
}

/// Every contact's class (the contacts that hold the same roles share one),
/// and the class of any outsider: what the channel and surface indexes
/// are keyed by.
#[derive(Debug, Clone, Default)]
pub struct Classes {
    /// The class of each contact, by its offset among the contacts.
    pub of: Vec<u32>,
    /// The first contact's row id.
    pub first_contact: RowId,
}

impl Classes {
    /// The class of a visitor (`u32::MAX` for a row that is no contact).
    pub fn class(&self, v: Outsider) -> u32 {
        match v {
            Outsider::Visitor(Visitor::Anonymous) => CLASS_ANON,
            Outsider::Newcomer => CLASS_NEWCOMER,
            Outsider::Visitor(Visitor::Contact(c)) => self.of.get(c.wrapping_sub(self.first_contact) as usize).copied().unwrap_or(u32::MAX),
        }
    }
}

/// The channel answers' index of one tenant: the channel rules' results
/// by class and table, and the newcomer's candidates.
#[derive(Debug, Clone)]
pub struct ChannelIndex {
    /// The derived channel relations.
    pub derived: ChannelDerived,
    /// Column names.
    pub columns: ColumnNames,
    classes: Classes,
    open: Vec<bool>,
    read: HashMap<(u32, TableId), Vec<u32>>,
    update: HashMap<(u32, TableId), Vec<u32>>,
    create: HashMap<(u32, TableId), Vec<u32>>,
    /// Whether registration is open (C8).
    pub registration_open: bool,
    newcomer_cand: Vec<bool>,
}

fn group(cols: &ColumnNames, facts: &[(u32, u32, u32)]) -> HashMap<(u32, TableId), Vec<u32>> {
    let mut m: HashMap<(u32, TableId), Vec<u32>> = HashMap::new();
    for &(k, tb, c) in facts {
        m.entry((k, tb)).or_default().push(c);
    }
    for v in m.values_mut() {
        v.sort_unstable_by(|a, b| cols.names[*a as usize].cmp(&cols.names[*b as usize]));
        v.dedup();
    }
    m
}

impl ChannelIndex {
    /// Runs the channel rules of `t` over its grants `g`. The newcomer's
    /// rows are read off `g` at answer time (the S program's `InAll` and
    /// `InG` are not passed again).
    pub fn new(t: &Tenant, g: &Grants) -> ChannelIndex {
        let (facts, columns, class_of) = channel_facts(t);
        let base = rules::Derived { cand_all: g.derived.cand_all.clone(), create_all: g.derived.create_all.clone(), ..rules::Derived::default() };
        let derived = rules::channels::derive(&facts, &base);
        let mut open = vec![false; t.tables.len()];
        for &tb in &derived.open {
            if let Some(o) = open.get_mut(tb as usize) {
                *o = true;
            }
        }
        let mut newcomer_cand = vec![false; t.permissions.len()];
        if derived.registration_open {
            for &n in &g.derived.cand_all {
                if let Some(b) = newcomer_cand.get_mut(n as usize) {
                    *b = true;
                }
            }
        }
        ChannelIndex {
            read: group(&columns, &derived.web_read),
            update: group(&columns, &derived.web_update),
            create: group(&columns, &derived.web_create),
            registration_open: derived.registration_open,
            derived,
            columns,
            classes: Classes { of: class_of, first_contact: t.contacts().start },
            open,
            newcomer_cand,
        }
    }

    /// The class of a visitor.
    pub fn class(&self, v: Outsider) -> u32 {
        self.classes.class(v)
    }

    /// Whether `table` is open to the Web API (C2).
    pub fn open(&self, table: TableId) -> bool {
        self.open.get(table as usize).copied().unwrap_or(false)
    }

    fn names(&self, ids: Option<&Vec<u32>>) -> Vec<String> {
        ids.map(|v| v.iter().map(|&c| self.columns.names[c as usize].clone()).collect()).unwrap_or_default()
    }

    /// The columns of `table` whose read (C6) the class of `v` passes,
    /// sorted by name: the row's own read grant still applies.
    pub fn read_columns(&self, v: Outsider, table: TableId) -> Vec<String> {
        self.names(self.read.get(&(self.class(v), table)))
    }
    /// The columns of `table` whose update (C7) the class of `v` passes, sorted.
    pub fn update_columns(&self, v: Outsider, table: TableId) -> Vec<String> {
        self.names(self.update.get(&(self.class(v), table)))
    }
    /// The columns of `table` whose create (C7) the class of `v` passes, sorted.
    pub fn create_columns(&self, v: Outsider, table: TableId) -> Vec<String> {
        self.names(self.create.get(&(self.class(v), table)))
    }
    /// Whether the class of `v` may read column `col` of the rows of `table` it reads (C6).
    pub fn reads_column(&self, v: Outsider, table: TableId, col: &str) -> bool {
        self.column_in(&self.read, v, table, col)
    }
    /// Whether the class of `v` may update column `col` of the rows of `table` it writes (C7).
    pub fn updates_column(&self, v: Outsider, table: TableId, col: &str) -> bool {
        self.column_in(&self.update, v, table, col)
    }
    fn column_in(&self, m: &HashMap<(u32, TableId), Vec<u32>>, v: Outsider, table: TableId, col: &str) -> bool {
        let Some(c) = self.columns.get(col) else { return false };
        m.get(&(self.class(v), table)).is_some_and(|l| l.contains(&c))
    }

    /// The candidates that let `v` do `p` (not create) to row `x` (S16,
    /// and C9 for the newcomer), sorted by id string.
    pub fn can(&self, t: &Tenant, g: &Grants, v: Outsider, p: Privilege, x: RowId) -> Vec<PermId> {
        match v {
            Outsider::Visitor(v) => g.can(t, v, p, x),
            Outsider::Newcomer => {
                let mut via: Vec<PermId> = g
                    .global_at(t.table_of(x), x)
                    .filter(|&n| self.newcomer_cand[n as usize] && t.permissions[n as usize].privileges.has(p))
                    .collect();
                sort_perms(t, &mut via);
                via.dedup();
                via
            }
        }
    }

    /// Whether `v` holds candidate `n` (S3 to S8, C9).
    pub fn holds(&self, t: &Tenant, g: &Grants, v: Outsider, n: PermId) -> bool {
        match v {
            Outsider::Visitor(v) => g.holds(t, v, n),
            Outsider::Newcomer => self.newcomer_cand.get(n as usize).copied().unwrap_or(false),
        }
    }

    /// The candidates that let `v` create in `table` (S17, C9), sorted.
    pub fn can_create(&self, t: &Tenant, g: &Grants, v: Outsider, table: TableId) -> Vec<PermId> {
        match v {
            Outsider::Visitor(v) => g.can_create(t, v, table),
            Outsider::Newcomer => {
                let mut via: Vec<PermId> = (0..t.permissions.len() as PermId)
                    .filter(|&n| {
                        let p = &t.permissions[n as usize];
                        self.newcomer_cand[n as usize] && p.table == table && p.privileges.has(Privilege::Create)
                    })
                    .collect();
                sort_perms(t, &mut via);
                via
            }
        }
    }

    /// The rows `v` may `p` (not create), optionally in one table, sorted.
    pub fn what(&self, t: &Tenant, g: &Grants, v: Outsider, p: Privilege, table: Option<TableId>) -> Vec<RowId> {
        match v {
            Outsider::Visitor(v) => g.what(t, v, p, table),
            Outsider::Newcomer => {
                let mut out = self.newcomer_what(t, g, p, table);
                sort_rows(t, &mut out);
                out
            }
        }
    }

    /// [`ChannelIndex::what`] of every table, ordered by row id ([`Grants::what_by_id`]).
    pub fn what_by_id(&self, t: &Tenant, g: &Grants, v: Outsider, p: Privilege) -> Vec<RowId> {
        match v {
            Outsider::Visitor(v) => g.what_by_id(t, v, p),
            Outsider::Newcomer => {
                let mut out = self.newcomer_what(t, g, p, None);
                out.sort_unstable();
                out.dedup();
                out
            }
        }
    }

    /// The newcomer's rows (C9), unsorted and possibly repeated.
    fn newcomer_what(&self, t: &Tenant, g: &Grants, p: Privilege, table: Option<TableId>) -> Vec<RowId> {
        let mut out = Vec::new();
        let d = &g.derived;
        for (n, perm) in t.permissions.iter().enumerate() {
            let n = n as PermId;
            if !self.newcomer_cand[n as usize]
                || !perm.privileges.has(p)
                || table.is_some_and(|tb| tb != perm.table)
            {
                continue;
            }
            if d.in_all.binary_search(&n).is_ok() {
                out.extend(t.tables[perm.table as usize].rows());
            }
            let lo = d.in_g.partition_point(|e| e.0 < n);
            out.extend(d.in_g[lo..].iter().take_while(|e| e.0 == n).map(|e| e.1));
        }
        out
    }

    /// The tables the newcomer may create in (C9, S17), by name.
    pub fn what_create_newcomer(&self, t: &Tenant, table: Option<TableId>) -> Vec<TableId> {
        let mut out: Vec<TableId> = self.derived.newcomer_create.clone();
        if let Some(tb) = table {
            out.retain(|x| *x == tb);
        }
        out.sort_by(|a, b| t.tables[*a as usize].name.cmp(&t.tables[*b as usize].name));
        out
    }
}
