//! What every family of findings reads: the tenant, its derived grants
//! per permission, the tables holding customer data, and how permissions,
//! roles and row counts are named in messages.

pub(super) use super::findings::plural;
use super::findings::{rule, Finding, Location, Severity};
use crate::answer::query::Analysis;
use crate::model::{Names, PermId, Permission, RelKind, RoleId, Scope, TableId, Tenant};
use std::collections::BTreeSet;

/// Where a permission's rows are anchored (S9 to S14), following Parent scopes up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Anchor {
    /// A Global top: rows for every holder.
    Global,
    /// A Contact, Account or Self top: rows per visitor.
    Visitor,
    /// Admits nothing (Custom, an unknown or non-joining relationship, Self off `contact`).
    Nothing,
}

pub(super) struct Cx<'a> {
    pub(super) a: &'a Analysis,
    pub(super) t: &'a Tenant,
    pub(super) children: Vec<Vec<PermId>>,
    pub(super) customer: Vec<bool>,
    pub(super) cand_anon: Vec<bool>,
    pub(super) cand_all: Vec<bool>,
    pub(super) cand_role: Vec<Vec<RoleId>>,
    pub(super) in_all: Vec<bool>,
    pub(super) has_rows: bool,
    /// How permissions and roles are named in messages ([`Names`]).
    pub(super) names: Names,
}



/// A record named in the new findings' messages: its display name
/// (`` `Cases` ``), or its id when it has no name. People read names; the
/// finding's subject and location carry the id.
pub(super) fn named(name: &str, id: &str) -> String {
    if name.trim().is_empty() {
        format!("`{id}`")
    } else {
        format!("`{name}`")
    }
}

/// [`named`] with the id beside the name (`` `Cases` (`TP1`) ``), for
/// records that share a name (PP024).
pub(super) fn named_with_id(name: &str, id: &str) -> String {
    if name.trim().is_empty() {
        format!("`{id}`")
    } else {
        format!("`{name}` (`{id}`)")
    }
}

/// The file and line a site record was read from (folder tenants).
pub(super) fn origin_location(origin: &Option<crate::load::raw::Origin>) -> Option<Location> {
    let o = origin.as_ref()?;
    (!o.file.is_empty()).then(|| Location { file: o.file.clone(), line: o.line })
}

/// A finding of rule `id` about `subject`, its severity from the rule table.
pub(super) fn finding(id: &'static str, subject: String, message: String, location: Option<Location>) -> Finding {
    let severity = rule(id).map(|r| r.severity).unwrap_or(Severity::Warning);
    Finding { id, severity, subject, message, location }
}

pub(super) fn ids<'b>(list: impl IntoIterator<Item = &'b str>) -> String {
    list.into_iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

impl<'a> Cx<'a> {
    pub(super) fn new(a: &'a Analysis) -> Cx<'a> {
        let t = &a.tenant;
        let d = &a.grants.derived;
        let np = t.permissions.len();
        let mut children = vec![Vec::new(); np];
        for (n, p) in t.permissions.iter().enumerate() {
            if let Some(m) = p.parent {
                children[m as usize].push(n as PermId);
            }
        }
        let mut cand_anon = vec![false; np];
        let mut cand_all = vec![false; np];
        let mut cand_role = vec![Vec::new(); np];
        let mut in_all = vec![false; np];
        d.cand_anon.iter().for_each(|&n| cand_anon[n as usize] = true);
        d.cand_all.iter().for_each(|&n| cand_all[n as usize] = true);
        d.cand_role.iter().for_each(|&(n, r)| cand_role[n as usize].push(r));
        d.in_all.iter().for_each(|&n| in_all[n as usize] = true);
        let mut cx = Cx {
            a,
            t,
            children,
            customer: Vec::new(),
            cand_anon,
            cand_all,
            cand_role,
            in_all,
            has_rows: t.row_count() > 0,
            names: Names::new(t, false),
        };
        cx.customer = customer_tables(a);
        cx
    }

    pub(super) fn id(&self, n: PermId) -> &'a str {
        &self.t.permissions[n as usize].id
    }

    pub(super) fn table(&self, x: TableId) -> &'a str {
        &self.t.tables[x as usize].name
    }

    pub(super) fn location(&self, n: PermId) -> Option<Location> {
        let o = self.t.permissions[n as usize].origin.as_ref()?;
        (!o.file.is_empty()).then(|| Location { file: o.file.clone(), line: o.line })
    }

    pub(super) fn finding(&self, id: &'static str, n: PermId, message: String) -> Finding {
        let severity = rule(id).map(|r| r.severity).unwrap_or(Severity::Warning);
        Finding { id, severity, subject: self.id(n).to_string(), message, location: self.location(n) }
    }

    pub(super) fn live(&self, n: PermId) -> bool {
        self.t.live(n)
    }

    /// Whether `n`'s scope relationship is known and joins the tables it needs (S20).
    pub(super) fn joins(&self, n: PermId) -> Option<bool> {
        let p = &self.t.permissions[n as usize];
        let other = match p.scope {
            Scope::Contact => self.t.contact_table,
            Scope::Account => self.t.account_table,
            Scope::Parent => self.t.permissions[p.parent? as usize].table,
            _ => return None,
        };
        let rel = p.scope_relationship()?.id?;
        Some(self.t.relationships[rel as usize].joins(p.table, other))
    }

    pub(super) fn anchor(&self, mut n: PermId) -> Anchor {
        loop {
            let p = &self.t.permissions[n as usize];
            match p.scope {
                Scope::Global => return Anchor::Global,
                Scope::Custom => return Anchor::Nothing,
                Scope::SelfScope if p.table != self.t.contact_table => return Anchor::Nothing,
                Scope::SelfScope => return Anchor::Visitor,
                Scope::Contact | Scope::Account => {
                    return if self.joins(n) == Some(true) { Anchor::Visitor } else { Anchor::Nothing }
                }
                Scope::Parent => match (self.joins(n), p.parent) {
                    (Some(true), Some(m)) => n = m,
                    _ => return Anchor::Nothing,
                },
            }
        }
    }

    pub(super) fn rows_phrase(&self, count: usize) -> String {
        if self.has_rows {
            plural(count, "row", "rows")
        } else {
            "no rows loaded".to_string()
        }
    }

    /// Rows `n` admits for every holder (InAll or InG).
    pub(super) fn global_rows(&self, n: PermId) -> usize {
        if self.in_all[n as usize] {
            return self.t.tables[self.t.permissions[n as usize].table as usize].ids.len();
        }
        let d = &self.a.grants.derived.in_g;
        let lo = d.partition_point(|e| e.0 < n);
        let hi = d.partition_point(|e| e.0 <= n);
        hi - lo
    }

    /// How a permission is named in messages: its display name, with its
    /// id where another permission has the same name, or its id when it has
    /// no name ([`Names`]).
    pub(super) fn label<'b>(&'b self, p: &'b Permission) -> &'b str {
        match self.t.perm_id(&p.id) {
            Some(n) => self.names.perm(n),
            None => &p.id,
        }
    }

    /// Roles as messages name them ([`Names`]), in backticks.
    pub(super) fn role_names(&self, roles: &[RoleId]) -> String {
        ids(roles.iter().map(|&r| self.names.role(r)))
    }

    pub(super) fn contacts_phrase(&self) -> String {
        if self.has_rows {
            format!(" ({})", plural(self.t.contacts().len(), "contact", "contacts"))
        } else {
            String::new()
        }
    }

    /// Permission `n` as the per-permission checks read it.
    pub(super) fn subject(&self, n: PermId) -> Subject<'a> {
        let p = &self.t.permissions[n as usize];
        Subject { n, p, table: self.table(p.table), root: self.t.root_of(n), anchor: self.anchor(n) }
    }

    pub(super) fn descendants(&self, n: PermId) -> Vec<PermId> {
        let mut out = Vec::new();
        let mut stack = self.children[n as usize].clone();
        while let Some(c) = stack.pop() {
            out.push(c);
            stack.extend(self.children[c as usize].iter().copied());
        }
        out
    }

    /// Active roles listed on the root of `n`'s tree.
    pub(super) fn root_roles(&self, n: PermId) -> Vec<RoleId> {
        let root = self.t.root_of(n);
        self.t.permissions[root as usize].roles.iter().copied().filter(|&r| self.t.roles[r as usize].active).collect()
    }

}

/// One live permission, as the per-permission checks read it.
#[derive(Clone, Copy)]
pub(super) struct Subject<'a> {
    pub(super) n: PermId,
    pub(super) p: &'a Permission,
    pub(super) table: &'a str,
    pub(super) root: PermId,
    pub(super) anchor: Anchor,
}

/// Findings so far, and the permissions a finding already explains (so
/// that PP011 / PP012 do not report them again).
#[derive(Default)]
pub(super) struct Finds {
    pub(super) list: Vec<Finding>,
    pub(super) explained: BTreeSet<PermId>,
}

/// Tables that hold customer data: `contact`, `account`, tables whose
/// rows reference them through a known 1:N relationship (directly or
/// through a chain of parents), and tables every signed-in contact or the
/// anonymous visitor may create rows in (their rows are what visitors submit).
pub(crate) fn customer_tables(a: &Analysis) -> Vec<bool> {
    let t = &a.tenant;
    let d = &a.grants.derived;
    let mut cd = vec![false; t.tables.len()];
    cd[t.contact_table as usize] = true;
    cd[t.account_table as usize] = true;
    for &x in d.create_anon.iter().chain(&d.create_all) {
        cd[x as usize] = true;
    }
    loop {
        let mut changed = false;
        for rel in &t.relationships {
            if let RelKind::OneToMany { referencing, referenced, .. } = rel.kind {
                if cd[referenced as usize] && !cd[referencing as usize] {
                    cd[referencing as usize] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            return cd;
        }
    }
}
