//! Names in change documents (issue 24, "names accepted as input wherever
//! an id is"): a permission, role, contact, account or row a change names
//! by its display or primary name stands for its id when exactly one item
//! of the base tenant has that name and no item has it as its id (nor does
//! an earlier change add one with that id). Anything else is left as
//! written, and the change fails as before ("does not exist").

use super::changes::{ActiveTarget, Change, Member, RowRef};
use crate::model::row_names::rows_named;
use crate::model::Tenant;
use std::borrow::Cow;
use std::collections::HashSet;

/// The ids the scenario's earlier changes add: they win over names.
#[derive(Default)]
struct Added {
    perms: HashSet<String>,
    roles: HashSet<String>,
    rows: HashSet<(String, String)>,
}

struct Resolver<'t> {
    t: &'t Tenant,
    added: Added,
    changed: bool,
}

/// The one item whose name is `name` (without case), if exactly one has it.
fn unique<'a>(name: &str, items: impl Iterator<Item = (&'a str, &'a str)>) -> Option<&'a str> {
    let want = name.trim().to_lowercase();
    let mut hits = items.filter(|(_, n)| n.trim().to_lowercase() == want).map(|(id, _)| id);
    match (hits.next(), hits.next()) {
        (Some(id), None) => Some(id),
        _ => None,
    }
}

impl Resolver<'_> {
    fn set(&mut self, slot: &mut String, id: Option<&str>) {
        if let Some(id) = id {
            *slot = id.to_string();
            self.changed = true;
        }
    }

    fn perm(&mut self, s: &mut String) {
        if self.t.perm_id(s).is_some() || self.added.perms.contains(s.as_str()) {
            return;
        }
        let id = unique(s, self.t.permissions.iter().map(|p| (p.id.as_str(), p.name.as_str())));
        self.set(s, id);
    }

    fn role(&mut self, s: &mut String) {
        if self.t.role_id(s).is_some() || self.added.roles.contains(s.as_str()) {
            return;
        }
        let id = unique(s, self.t.roles.iter().map(|r| (r.id.as_str(), r.name.as_str())));
        self.set(s, id);
    }

    fn row(&mut self, table: &str, s: &mut String) {
        let Some(tb) = self.t.table_id(table) else { return };
        self.row_in(tb, s);
    }

    fn row_in(&mut self, tb: crate::model::TableId, s: &mut String) {
        let table = self.t.tables[tb as usize].name.clone();
        if self.t.row_id(tb, s).is_some() || self.added.rows.contains(&(table, s.clone())) {
            return;
        }
        let id = match rows_named(self.t, tb, s).as_slice() {
            [x] => Some(self.t.row_name(*x).to_string()),
            _ => None,
        };
        self.set(s, id.as_deref());
    }

    fn row_ref(&mut self, r: &mut RowRef) {
        let table = r.table.clone();
        self.row(&table, &mut r.id);
    }

    fn change(&mut self, c: &mut Change) {
        match c {
            Change::AddPermission(p) => {
                self.added.perms.insert(p.id.clone());
            }
            Change::AddRole(r) => {
                self.added.roles.insert(r.id.clone());
            }
            Change::AddRow { table, id, .. } => {
                self.added.rows.insert((table.clone(), id.clone()));
            }
            Change::RemovePermission(id) => self.perm(id),
            Change::SetScope(s) => self.perm(&mut s.permission),
            Change::Privilege { permission, .. } => self.perm(permission),
            Change::SetActive { target: ActiveTarget::Permission(id), .. } => self.perm(id),
            Change::SetActive { target: ActiveTarget::Role(id), .. } => self.role(id),
            Change::Link { permission, role, .. } => {
                self.perm(permission);
                self.role(role);
            }
            Change::RemoveRole(id) => self.role(id),
            Change::Membership { member, role, .. } => {
                self.role(role);
                match member {
                    Member::Contact(id) => self.row_in(self.t.contact_table, id),
                    Member::Account(id) => self.row_in(self.t.account_table, id),
                }
            }
            Change::SetLookup { row, .. } => self.row_ref(row),
            Change::RemoveRow(r) => self.row_ref(r),
            Change::Association { .. } => {}
        }
    }
}

/// `changes` with every reference given by a unique name replaced by its
/// id (borrowed unchanged when none is).
pub(super) fn resolve<'c>(t: &Tenant, changes: &'c [Change]) -> Cow<'c, [Change]> {
    let mut r = Resolver { t, added: Added::default(), changed: false };
    let mut out = changes.to_vec();
    for c in &mut out {
        r.change(c);
    }
    if r.changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(changes)
    }
}
