//! `why` on a virtual-table row (finance-operations.md, F2 to F7): what the
//! F&O side decided, from the walker's own evaluation
//! ([`crate::engine::walk_finance`]). A portal denial the F&O side causes
//! (web roles grant the row) is explained by it: no F&O user, an
//! administrator user, no entity privilege, or the XDS policy that hides
//! the row. A direct read names the user's granting roles and the
//! policies the row passes, or that none constrains the table.

use crate::answer::query::Analysis;
use crate::engine::walk_finance::{FoVerdict, FoWalker};
use crate::engine::Visitor;
use crate::model::finance::Op;
use crate::model::{Privilege, RowId};
use serde::Serialize;

/// The F&O part of a `why` answer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FoWhy {
    /// The F&O user the visitor runs as (F2), if any.
    pub user: Option<String>,
    /// What the F&O side says about the portal path (F6), one sentence.
    pub portal: String,
    /// What it says about reading the row directly (F7), one sentence.
    pub direct: String,
}

/// What `why` adds on a virtual-table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoExplained {
    /// The F&O part of the answer.
    pub why: FoWhy,
    /// When web roles grant the row and the F&O side denies it: the
    /// `reason` sentence and the `miss` kind (`fo_no_user`, ...).
    pub denial: Option<(String, String)>,
}

impl Analysis {
    /// The F&O explanation of `why` on row `x` (none off virtual tables);
    /// `allowed` is the `can` decision.
    pub fn explain_finance(&self, v: Visitor, p: Privilege, x: RowId, allowed: bool) -> Option<FoExplained> {
        let fw = FoWalker::new(&self.tenant)?;
        if !fw.is_virtual(self.tenant.table_of(x)) {
            return None;
        }
        let op = Op::of(p);
        let portal_verdict = fw.verdict(v, op, x);
        let direct_verdict = fw.verdict(v, Op::Read, x);
        let user = fw.user(v).ok().or(match &portal_verdict {
            FoVerdict::Admin { user } => Some(*user),
            _ => None,
        });
        let fo = self.tenant.finance.as_deref();
        let user_name = user.and_then(|u| fo.map(|f| f.users[u as usize].id.clone()));
        let portal = self.fo_sentence(v, op, x, &portal_verdict, "through the portal");
        let direct = self.fo_sentence(v, Op::Read, x, &direct_verdict, "directly from the data entity");
        let web_roles_grant = !self.grants.base_can(&self.tenant, v, p, x).is_empty();
        let mut denial = None;
        if !allowed && web_roles_grant {
            let kind = match portal_verdict {
                FoVerdict::NoUser => "fo_no_user",
                FoVerdict::Admin { .. } => "fo_administrator",
                FoVerdict::NoPrivilege { .. } => "fo_no_entity_privilege",
                FoVerdict::Policy { .. } => "fo_xds_policy",
                FoVerdict::Allowed { .. } => "fo",
            };
            denial = Some((format!("web roles grant it, but the F&O side does not: {portal}"), kind.to_string()));
        }
        Some(FoExplained { why: FoWhy { user: user_name, portal, direct }, denial })
    }

    fn fo_sentence(&self, v: Visitor, op: Op, x: RowId, verdict: &FoVerdict, path: &str) -> String {
        let t = &self.tenant;
        let Some(fo) = t.finance.as_deref() else { return String::new() };
        let who = match v {
            Visitor::Anonymous => "the anonymous visitor".to_string(),
            Visitor::Contact(c) => t.row_name(c).to_string(),
        };
        let table = &t.tables[t.table_of(x) as usize].name;
        let user = |u: u32| format!("F&O user `{}`", fo.users[u as usize].id);
        let roles = |rs: &[u32]| rs.iter().map(|&r| fo.roles[r as usize].name.clone()).collect::<Vec<_>>().join(", ");
        match verdict {
            FoVerdict::NoUser => match v {
                Visitor::Anonymous => format!("{who} has no F&O user (no `anonymous_user` is set), so it reaches no virtual table"),
                Visitor::Contact(_) => format!("{who} has no F&O user (no user mapping), so it reaches no virtual table"),
            },
            FoVerdict::Admin { user: u } => format!(
                "{who} runs as {}, which holds an administrator role: the integration refuses such users",
                user(*u)
            ),
            FoVerdict::NoPrivilege { user: u, op } => format!(
                "{who} runs as {}, and no F&O role of it grants {} on the {table} data entity",
                user(*u),
                op.name()
            ),
            FoVerdict::Policy { user: u, policy } => {
                let pol = &fo.policies[*policy];
                format!(
                    "{who} runs as {}, and XDS policy {} hides {}: the row does not lead to a {} row that a {} row with {} = `{}` links to",
                    user(*u),
                    pol.id,
                    t.row_ref(x),
                    t.tables[pol.primary as usize].name,
                    t.tables[pol.link_table as usize].name,
                    pol.user_column,
                    fo.users[*u as usize].id
                )
            }
            FoVerdict::Allowed { user: u, roles: rs, policies } => {
                let xds = if policies.is_empty() {
                    format!("no XDS policy constrains {table} for {}", op.name())
                } else {
                    let ids: Vec<&str> = policies.iter().map(|&p| fo.policies[p].id.as_str()).collect();
                    format!("the row passes XDS policy {}", ids.join(", "))
                };
                format!(
                    "{who} runs as {}, whose role {} grants {} on the {table} data entity, and {xds}: the F&O side allows it {path}",
                    user(*u),
                    roles(rs),
                    op.name()
                )
            }
        }
    }
}
