//! The exposure channels evaluated a second way, independently of the
//! channel rules (`rules::channels`) and their index
//! ([`super::channels::ChannelIndex`]): settings are read straight from the
//! raw list (C1), columns and profiles checked one question at a time
//! (C2 to C7), and the newcomer (C9) asked about literally: the tenant with
//! one more contact, who has no account, no membership and no related
//! row, walked by the graph walker ([`super::walk::Walker`]).

use super::channels::{id_column, Outsider};
use super::walk::Walker;
use crate::load::raw::RawRow;
use crate::model::channels::ColumnPrivilege;
use crate::model::{Privilege, RoleId, RowId, TableId, Tenant, Visitor};
use std::collections::BTreeSet;

/// C1 read directly: the value of the last active setting named `name`
/// (in any case).
pub fn setting<'a>(t: &'a Tenant, name: &str) -> Option<&'a str> {
    t.raw.site_settings.iter().rev().find(|s| s.active && s.name.eq_ignore_ascii_case(name)).map(|s| s.value.as_str())
}

fn truthy(v: Option<&str>) -> bool {
    v.is_some_and(|v| v.trim().to_lowercase() == "true")
}

/// C8: registration is open unless one of its two settings is `false`.
pub fn registration_open(t: &Tenant) -> bool {
    ["Authentication/Registration/Enabled", "Authentication/Registration/OpenRegistrationEnabled"]
        .iter()
        .all(|n| setting(t, n).is_none_or(|v| v.trim().to_lowercase() != "false"))
}

/// The tenant as it is once someone signs up (C9): one more contact with
/// no field, no membership and no related row. `None` when registration is
/// closed (the newcomer may do nothing) or the tenant cannot take the row.
pub struct NewcomerWorld {
    /// The tenant with the newcomer.
    pub tenant: Tenant,
    /// The newcomer's contact row there.
    pub contact: RowId,
}

impl NewcomerWorld {
    /// Builds the world of `t`'s newcomer.
    pub fn new(t: &Tenant) -> Option<NewcomerWorld> {
        if !registration_open(t) {
            return None;
        }
        let taken = |id: &str| t.contact(id).is_some() || t.dangling.iter().any(|d| d.value == id);
        let mut id = "\u{1}newcomer".to_string();
        while taken(&id) {
            id.push('~');
        }
        let mut raw = t.raw.clone();
        raw.table_mut("contact").push(RawRow { id: id.clone(), fields: Vec::new() });
        let tenant = Tenant::build(raw, &t.source).ok()?;
        let contact = tenant.contact(&id)?;
        Some(NewcomerWorld { tenant, contact })
    }

    /// Row `x` of the original tenant `t` in this world.
    pub fn row(&self, t: &Tenant, x: RowId) -> Option<RowId> {
        let table = self.tenant.table_id(&t.tables[t.table_of(x) as usize].name)?;
        self.tenant.row_id(table, t.row_name(x))
    }
}

/// The column side of the channels for one tenant, question by question.
pub struct ColumnWalk<'t> {
    t: &'t Tenant,
}

impl<'t> ColumnWalk<'t> {
    /// Over `t`.
    pub fn new(t: &'t Tenant) -> ColumnWalk<'t> {
        ColumnWalk { t }
    }

    fn table_name(&self, table: TableId) -> &str {
        &self.t.tables[table as usize].name
    }

    /// C2: `Webapi/T/enabled` is `true`.
    pub fn open(&self, table: TableId) -> bool {
        truthy(setting(self.t, &format!("Webapi/{}/enabled", self.table_name(table))))
    }

    /// C4: every column of a table.
    pub fn columns(&self, table: TableId) -> BTreeSet<String> {
        let t = self.t;
        let name = self.table_name(table);
        let mut out = BTreeSet::new();
        out.insert(id_column(name));
        if let Some(raw) = t.raw.table(name) {
            for (n, used) in raw.columns.iter().zip(raw.used_columns()) {
                if used {
                    out.insert(n.to_lowercase());
                }
            }
        }
        if let Some(v) = setting(t, &format!("Webapi/{name}/fields")) {
            out.extend(v.split(',').map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty() && s != "*"));
        }
        for p in t.channels.profiles.iter().filter(|p| p.table == table) {
            out.extend(p.columns.keys().cloned());
        }
        out
    }

    /// C3: column `col` is listed in `Webapi/T/fields` (`*`: every column).
    pub fn listed(&self, table: TableId, col: &str) -> bool {
        let Some(v) = setting(self.t, &format!("Webapi/{}/fields", self.table_name(table))) else { return false };
        let items: Vec<String> = v.split(',').map(|s| s.trim().to_lowercase()).collect();
        let col = col.to_lowercase();
        items.contains(&col) || (items.iter().any(|s| s == "*") && self.columns(table).contains(&col))
    }

    /// S3, S4, C9: the active roles a visitor holds.
    pub fn roles(&self, v: Outsider) -> Vec<RoleId> {
        let t = self.t;
        let ok = |r: RoleId| t.roles[r as usize].active && !t.roles[r as usize].anonymous;
        let auth = (0..t.roles.len() as RoleId).filter(|&r| ok(r) && t.roles[r as usize].authenticated);
        match v {
            Outsider::Visitor(Visitor::Anonymous) => {
                (0..t.roles.len() as RoleId).filter(|&r| t.roles[r as usize].active && t.roles[r as usize].anonymous).collect()
            }
            Outsider::Newcomer => {
                if registration_open(t) {
                    auth.collect()
                } else {
                    Vec::new()
                }
            }
            Outsider::Visitor(Visitor::Contact(c)) => {
                let acct = t.account_of(c);
                let mut out: Vec<RoleId> = auth.collect();
                out.extend(t.contact_members.iter().filter(|m| m.0 == c).map(|m| m.1).filter(|&r| ok(r)));
                out.extend(t.account_members.iter().filter(|m| Some(m.0) == acct).map(|m| m.1).filter(|&r| ok(r)));
                out.sort_unstable();
                out.dedup();
                out
            }
        }
    }

    /// C5: whether `v`'s column permissions allow `q` on `col` of `table`.
    pub fn allowed(&self, v: Outsider, table: TableId, col: &str, q: ColumnPrivilege) -> bool {
        let roles = self.roles(v);
        let col = col.to_lowercase();
        let mine: Vec<_> =
            self.t.channels.profiles.iter().filter(|p| p.active && p.table == table && p.roles.iter().any(|r| roles.contains(r))).collect();
        mine.is_empty()
            || mine.iter().any(|p| match p.columns.get(&col) {
                Some(privs) => privs.has(q),
                None => p.all_columns.has(q),
            })
    }

    /// C6 / C7 on the column side: open, listed, allowed.
    pub fn column_passes(&self, v: Outsider, table: TableId, col: &str, q: ColumnPrivilege) -> bool {
        self.open(table) && self.listed(table, col) && self.allowed(v, table, col, q)
    }
}

/// `can` for any [`Outsider`] by the walker: a visitor asked directly, the
/// newcomer asked as the extra contact of `world`.
pub fn walk_can(w: &Walker, world: Option<(&Walker, &NewcomerWorld)>, t: &Tenant, v: Outsider, p: Privilege, x: RowId) -> bool {
    match v {
        Outsider::Visitor(v) => !w.can(v, p, x).is_empty(),
        Outsider::Newcomer => world.is_some_and(|(ww, nw)| {
            nw.row(t, x).is_some_and(|y| !ww.can(Visitor::Contact(nw.contact), p, y).is_empty())
        }),
    }
}

/// C6: whether `v` may read column `col` of row `x` through the Web API.
pub fn reads_column(cw: &ColumnWalk, w: &Walker, world: Option<(&Walker, &NewcomerWorld)>, t: &Tenant, v: Outsider, x: RowId, col: &str) -> bool {
    cw.column_passes(v, t.table_of(x), col, ColumnPrivilege::Read) && walk_can(w, world, t, v, Privilege::Read, x)
}

/// C7: whether `v` may update column `col` of row `x` through the Web API.
pub fn updates_column(cw: &ColumnWalk, w: &Walker, world: Option<(&Walker, &NewcomerWorld)>, t: &Tenant, v: Outsider, x: RowId, col: &str) -> bool {
    cw.column_passes(v, t.table_of(x), col, ColumnPrivilege::Update) && walk_can(w, world, t, v, Privilege::Write, x)
}
