//! The F&O section of a tenant as the facts of the F&O Datalog program
//! (`rules/src/finance.rs`), with the base grants it narrows: the web
//! roles' S16 and S17 grants of every visitor that has an F&O user, on the
//! rows of virtual tables, as the base derivation gives them. Only the
//! visitors with an F&O user appear (the others reach no virtual table, F2).

use super::grants::Grants;
use crate::model::finance::Op;
use crate::model::{Privilege, RelKind, Tenant, Visitor};
use portal_access_rules::finance::{FinanceFacts, ANONYMOUS, CREATE, DELETE, READ, UPDATE};

/// The rules' id of an operation.
pub fn op_id(op: Op) -> u32 {
    match op {
        Op::Read => READ,
        Op::Create => CREATE,
        Op::Update => UPDATE,
        Op::Delete => DELETE,
    }
}

/// The rules' id of a visitor.
pub fn visitor_id(v: Visitor) -> u32 {
    match v {
        Visitor::Anonymous => ANONYMOUS,
        Visitor::Contact(c) => c,
    }
}

fn ops(mask: u8) -> impl Iterator<Item = u32> {
    Op::ALL.into_iter().filter(move |o| mask & o.bit() != 0).map(op_id)
}

/// The F&O facts of `t` (none without a section); `base` gives the web
/// roles' grants (S16, S17) that F6 narrows.
pub fn finance_facts(t: &Tenant, base: &Grants) -> Option<FinanceFacts> {
    let fo = t.finance.as_deref()?;
    let mut f = FinanceFacts::default();
    let listed: Vec<&String> = t.raw.finance_operations.iter().flat_map(|s| s.virtual_tables.iter()).collect();
    for (i, tb) in t.tables.iter().enumerate() {
        let i = i as u32;
        if tb.name.starts_with("mserp_") {
            f.mserp.push(i);
        }
        if listed.contains(&&tb.name) {
            f.listed.push(i);
        }
        f.row_in.extend(tb.rows().map(|x| (x, i)));
    }
    for (r, rel) in t.relationships.iter().enumerate() {
        match &rel.kind {
            RelKind::OneToMany { referencing, referenced, .. } => f.one_to_many.push((r as u32, *referencing, *referenced)),
            RelKind::ManyToMany { tables } => f.many_to_many.push((r as u32, tables[0], tables[1])),
        }
    }
    f.link = t.links.to_vec();
    f.contact_user = fo.mappings.clone();
    f.anon_user = fo.anonymous_user;
    for (u, user) in fo.users.iter().enumerate() {
        f.user_role.extend(user.roles.iter().map(|&r| (u as u32, r)));
    }
    for (r, role) in fo.roles.iter().enumerate() {
        if role.administrator {
            f.admin_role.push(r as u32);
        }
        for &(tb, mask) in &role.privileges {
            f.entity_priv.extend(ops(mask).map(|o| (r as u32, tb, o)));
        }
    }
    let mut step = 0u32;
    for (p, pol) in fo.policies.iter().enumerate() {
        let p = p as u32;
        if pol.enabled {
            f.policy_on.push(p);
        }
        f.policy_role.extend(pol.roles.iter().map(|&r| (p, r)));
        f.policy_op.extend(ops(pol.ops).map(|o| (p, o)));
        f.policy_primary.push((p, pol.primary));
        f.user_link.push((p, pol.link.rel, pol.link.from, pol.link.to));
        f.link_user.extend(pol.link_users.iter().map(|&(l, u)| (p, l, u)));
        for c in &pol.constrained {
            if c.path.is_empty() {
                f.constrain_primary.push(p);
                continue;
            }
            for (k, s) in c.path.iter().enumerate() {
                if k == 0 {
                    f.step_first.push((p, c.table, step));
                } else {
                    f.step_next.push((step - 1, step));
                }
                f.step_rel.push((step, s.rel, s.from, s.to));
                if k + 1 == c.path.len() {
                    f.step_last.push((p, step));
                }
                step += 1;
            }
        }
    }
    // The base grants of visitors with an F&O user, on virtual rows.
    let mut visitors: Vec<Visitor> = fo.mappings.iter().map(|&(c, _)| Visitor::Contact(c)).collect();
    if fo.anonymous_user.is_some() {
        visitors.push(Visitor::Anonymous);
    }
    for (i, tb) in t.tables.iter().enumerate() {
        if !fo.is_virtual(i as u32) {
            continue;
        }
        for &v in &visitors {
            if !base.base_can_create(t, v, i as u32).is_empty() {
                f.portal_base_create.push((visitor_id(v), i as u32));
            }
            for x in tb.rows() {
                for p in Privilege::ALL {
                    if p != Privilege::Create && !base.base_can(t, v, p, x).is_empty() {
                        f.portal_base.push((visitor_id(v), x, op_id(Op::of(p))));
                    }
                }
            }
        }
    }
    Some(f)
}
