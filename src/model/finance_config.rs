//! Validation of the `finance_operations` section into the model's
//! [`super::finance::Finance`]: every reference must name something, and a
//! policy path step whose relationship does not join the tables of its
//! step is an error naming the step.

use super::finance::*;
use super::{Privilege, RelId, RelKind, TableId};
use crate::error::LoadError;
use crate::load::finance::RawFinance;
use std::collections::HashMap;

impl Op {
    /// The F&O operation a portal privilege needs (F6, "other privileges
    /// follow the same shape"): `read` reads, `create` creates, `delete`
    /// deletes; `write`, `append` and `append_to` change the row (an
    /// attach sets a lookup), so they need `update`.
    pub fn of(p: Privilege) -> Op {
        use Privilege as P;
        match p {
            P::Read => Op::Read,
            P::Create => Op::Create,
            P::Delete => Op::Delete,
            P::Write | P::Append | P::AppendTo => Op::Update,
        }
    }
}

/// What the section is validated against: the interned tables and
/// relationships (as lookups resolve against them), the relationships by
/// name, and the contact table.
pub(crate) struct Against<'a> {
    pub(crate) at: super::lookups::Lookups<'a>,
    pub(crate) rel_index: &'a HashMap<String, RelId>,
    pub(crate) contact_table: TableId,
}

const AT: &str = "finance_operations";

impl Against<'_> {
    fn err(&self, path: String, message: String) -> LoadError {
        LoadError::at(self.at.file, format!("{AT}.{path}"), message)
    }
    fn table(&self, path: String, name: &str) -> Result<TableId, LoadError> {
        self.at.table_index.get(name).copied().ok_or_else(|| self.err(path, format!("table `{name}` does not exist")))
    }
    fn rel(&self, path: String, name: &str) -> Result<RelId, LoadError> {
        self.rel_index.get(name).copied().ok_or_else(|| self.err(path, format!("relationship `{name}` does not exist")))
    }
    fn ops(&self, path: String, names: &[String]) -> Result<u8, LoadError> {
        let mut mask = 0;
        for (i, o) in names.iter().enumerate() {
            mask |= Op::parse_mask(o).ok_or_else(|| {
                self.err(format!("{path}[{i}]"), format!("operation `{o}` is not one of read, create, update, delete, all"))
            })?;
        }
        Ok(mask)
    }

    /// The step from `from` through relationship `rel`: the other end of
    /// `rel` (S20 to S22; a self-referential one walks from the referencing
    /// side, S21), preferring `want` when both ends would do.
    fn step(&self, rel: RelId, from: TableId, want: Option<TableId>) -> Option<PathStep> {
        let r = self.at.relationships.get(rel as usize)?;
        let (a, b) = match &r.kind {
            RelKind::OneToMany { referencing, referenced, .. } => (*referencing, *referenced),
            RelKind::ManyToMany { tables } => (tables[0], tables[1]),
        };
        let fwd = (a == from).then_some(PathStep { rel, from, to: b, forward: true });
        let bwd = (b == from && a != b).then_some(PathStep { rel, from, to: a, forward: false });
        match want {
            Some(w) => [fwd, bwd].into_iter().flatten().find(|s| s.to == w),
            None => fwd.or(bwd),
        }
    }

    fn names(&self, t: TableId) -> &str {
        &self.at.tables[t as usize].name
    }
}

/// Validates `raw` (the section) against the tenant's tables, rows and relationships.
pub(crate) fn build(cx: &Against<'_>, raw: &RawFinance, rows: &crate::load::raw::RawRows) -> Result<Finance, LoadError> {
    let mut is_virtual: Vec<bool> = cx.at.tables.iter().map(|t| t.name.starts_with("mserp_")).collect();
    for (i, name) in raw.virtual_tables.iter().enumerate() {
        let t = cx.table(format!("virtual_tables[{i}]"), name)?;
        is_virtual[t as usize] = true;
    }
    // Roles.
    let mut role_index: HashMap<&str, FoRoleId> = HashMap::new();
    let mut roles = Vec::new();
    for (i, r) in raw.roles.iter().enumerate() {
        if r.id.is_empty() || role_index.insert(&r.id, roles.len() as FoRoleId).is_some() {
            return Err(cx.err(format!("roles[{i}].id"), format!("F&O role id `{}` is empty or duplicated", r.id)));
        }
        let mut privileges = Vec::new();
        for (j, ep) in r.entity_privileges.iter().enumerate() {
            let at = format!("roles[{i}].entity_privileges[{j}]");
            let t = cx.table(format!("{at}.table"), &ep.table)?;
            privileges.push((t, cx.ops(format!("{at}.privileges"), &ep.privileges)?));
        }
        roles.push(FoRole {
            id: r.id.clone(),
            name: r.name.clone().unwrap_or_else(|| r.id.clone()),
            administrator: r.administrator,
            privileges,
        });
    }
    let role = |path: String, id: &str| -> Result<FoRoleId, LoadError> {
        role_index.get(id).copied().ok_or_else(|| cx.err(path, format!("F&O role `{id}` does not exist")))
    };
    // Users.
    let mut user_index: HashMap<&str, FoUserId> = HashMap::new();
    let mut users = Vec::new();
    for (i, u) in raw.users.iter().enumerate() {
        if u.id.is_empty() || user_index.insert(&u.id, users.len() as FoUserId).is_some() {
            return Err(cx.err(format!("users[{i}].id"), format!("F&O user id `{}` is empty or duplicated", u.id)));
        }
        let rs = u.roles.iter().enumerate().map(|(j, r)| role(format!("users[{i}].roles[{j}]"), r)).collect::<Result<_, _>>()?;
        users.push(FoUser { id: u.id.clone(), roles: rs });
    }
    let user = |path: String, id: &str| -> Result<FoUserId, LoadError> {
        user_index.get(id).copied().ok_or_else(|| cx.err(path, format!("F&O user `{id}` does not exist")))
    };
    let anonymous_user = raw.anonymous_user.as_deref().map(|u| user("anonymous_user".into(), u)).transpose()?;
    // Mappings.
    let contacts = &cx.at.tables[cx.contact_table as usize];
    let mut mappings = Vec::new();
    for (i, (c, u)) in raw.user_mappings.iter().enumerate() {
        let row = cx.at.row_index.get(cx.contact_table as usize).and_then(|ix| ix.get(&contacts.ids, c));
        let Some(pos) = row else {
            return Err(cx.err(format!("user_mappings[{i}][0]"), format!("contact `{c}` does not exist")));
        };
        mappings.push((contacts.first + pos, user(format!("user_mappings[{i}][1]"), u)?));
    }
    // The first mapping of a contact counts.
    mappings.sort_by_key(|m| m.0);
    mappings.dedup_by_key(|m| m.0);
    let mut policies = Vec::new();
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (i, p) in raw.xds_policies.iter().enumerate() {
        if p.id.is_empty() || ids.insert(&p.id, i).is_some() {
            return Err(cx.err(format!("xds_policies[{i}].id"), format!("XDS policy id `{}` is empty or duplicated", p.id)));
        }
        let policy = policy(cx, i, p, rows, &role, &user_index)?;
        policies.push(policy);
    }
    Ok(Finance { is_virtual, anonymous_user, mappings, users, roles, policies })
}

fn policy(
    cx: &Against<'_>,
    i: usize,
    p: &crate::load::finance::RawXdsPolicy,
    rows: &crate::load::raw::RawRows,
    role: &dyn Fn(String, &str) -> Result<FoRoleId, LoadError>,
    user_index: &HashMap<&str, FoUserId>,
) -> Result<XdsPolicy, LoadError> {
    let at = format!("xds_policies[{i}]");
    let primary = cx.table(format!("{at}.primary_table"), &p.primary_table)?;
    let link_table = cx.table(format!("{at}.user_link.table"), &p.user_link.table)?;
    let link_rel = cx.rel(format!("{at}.user_link.relationship"), &p.user_link.relationship)?;
    let link = cx.step(link_rel, link_table, Some(primary)).ok_or_else(|| {
        cx.err(
            format!("{at}.user_link.relationship"),
            format!(
                "relationship `{}` does not join the link table `{}` to the primary table `{}`",
                p.user_link.relationship, p.user_link.table, p.primary_table
            ),
        )
    })?;
    // The user column: every link row must carry it.
    let mut link_users = Vec::new();
    let lt = &cx.at.tables[link_table as usize];
    if let Some(raw_table) = rows.0.iter().find(|t| t.name == p.user_link.table) {
        for k in 0..raw_table.len() {
            match raw_table.get(k, &p.user_link.user_column) {
                None => {
                    return Err(cx.err(
                        format!("{at}.user_link.user_column"),
                        format!(
                            "column `{}` is missing from row `{}` of `{}` (`rows.{}[{k}]`)",
                            p.user_link.user_column,
                            raw_table.id(k).unwrap_or_default(),
                            p.user_link.table,
                            p.user_link.table
                        ),
                    ))
                }
                Some(crate::load::raw::Cell::Str(s)) => {
                    if let Some(&u) = user_index.get(s) {
                        link_users.push((lt.first + k as u32, u));
                    }
                }
                Some(_) => {}
            }
        }
    }
    link_users.sort_unstable();
    let mut constrained = p
        .constrained_tables
        .iter()
        .enumerate()
        .map(|(j, c)| constrained_table(cx, &at, j, c, primary, &p.primary_table))
        .collect::<Result<Vec<_>, _>>()?;
    if p.constrain_primary {
        constrained.push(Constrained { table: primary, path: Vec::new() });
    }
    let roles = p.roles.iter().enumerate().map(|(j, r)| role(format!("{at}.roles[{j}]"), r)).collect::<Result<_, _>>()?;
    Ok(XdsPolicy {
        id: p.id.clone(),
        primary,
        link_table,
        user_column: p.user_link.user_column.clone(),
        link,
        constrained,
        constrain_primary: p.constrain_primary,
        roles,
        ops: cx.ops(format!("{at}.operations"), &p.operations)?,
        enabled: p.enabled,
        link_users,
    })
}

/// Constrained table `j` of the policy at `at`: its path of relationship
/// steps to the primary table, walked as Parent chains are (S13, S20-S22).
fn constrained_table(
    cx: &Against<'_>,
    at: &str,
    j: usize,
    c: &crate::load::finance::RawConstrained,
    primary: TableId,
    primary_name: &str,
) -> Result<Constrained, LoadError> {
    let cat = format!("{at}.constrained_tables[{j}]");
    let table = cx.table(format!("{cat}.table"), &c.table)?;
    let mut path = Vec::new();
    let mut cur = table;
    for (k, name) in c.path.iter().enumerate() {
        let spath = format!("{cat}.path[{k}]");
        let rel = cx.rel(spath.clone(), name)?;
        let last = k + 1 == c.path.len();
        let step = cx.step(rel, cur, last.then_some(primary)).ok_or_else(|| {
            let to = if last { format!(" to the primary table `{}`", primary_name) } else { String::new() };
            cx.err(spath.clone(), format!("step {}: relationship `{name}` does not join `{}`{to}", k + 1, cx.names(cur)))
        })?;
        path.push(step);
        cur = step.to;
    }
    if cur != primary {
        return Err(cx.err(
            format!("{cat}.path"),
            format!("the path from `{}` ends at `{}`, not at the primary table `{}`", c.table, cx.names(cur), primary_name),
        ));
    }
    Ok(Constrained { table, path })
}
