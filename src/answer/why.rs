//! `why` (cli.md): the `can` answer, plus the chain that admits the row for
//! each granting candidate, or, when denied, one sentence naming the nearest
//! miss. The chains and misses come from the graph walk ([`crate::walk`]);
//! the `can` part is the very answer `can` gives, so `via` is the same.

use crate::engine::Visitor;
use crate::error::QueryError;
use crate::model::{PermId, Privilege, RoleId, RowId, TableId, Tenant};
use crate::answer::query::{Analysis, CanAnswer, Target};
use crate::engine::walk::{Anchor, Break, Explanation, Miss, Step, TreeMiss, Via, Walker};
use serde::Serialize;

/// One step of a `why` path, as printed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PathStep {
    /// The role through which the visitor holds the tree.
    Role {
        /// Role id.
        id: String,
        /// `contact` (member), `account` (its account is a member),
        /// `authenticated` or `anonymous` (flagged role).
        via: String,
        /// For `via: account`, the account (`account:ID`).
        #[serde(skip_serializing_if = "Option::is_none")]
        account: Option<String>,
    },
    /// A permission of the tree, root first.
    Permission {
        /// Permission id.
        id: String,
        /// Its scope name.
        scope: String,
    },
    /// A row of the chain.
    Row {
        /// `TABLE:ID`.
        #[serde(rename = "ref")]
        reference: String,
        /// The relationship linking it to the previous row (null for the
        /// visitor's own row, its account, a Global row, or the top row of a
        /// chain under a Global permission).
        relationship: Option<String>,
        /// `visitor` or `account` when the row is the visitor's contact or account.
        #[serde(skip_serializing_if = "Option::is_none")]
        anchor: Option<String>,
    },
}

/// The `why` answer: the `can` object plus `paths`, and `reason` when denied.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct WhyAnswer {
    /// Exactly what `can` answers.
    #[serde(flatten)]
    pub can: CanAnswer,
    /// One path per granting candidate, in the order of `via`.
    pub paths: Vec<Vec<PathStep>>,
    /// When denied: one sentence naming the nearest miss.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When denied: `no_tree`, `not_in_scope` or `no_privilege` (or,
    /// on a virtual-table row the web roles grant, `fo_...`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub miss: Option<String>,
    /// On a virtual-table row of a tenant with F&O data: the F&O side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finance: Option<crate::answer::why_finance::FoWhy>,
}

impl Analysis {
    /// `why VISITOR PRIVILEGE TARGET`, walking a fresh [`Walker`].
    pub fn why(&self, visitor: &str, privilege: &str, target: &str) -> Result<WhyAnswer, QueryError> {
        let w = Walker::new(&self.tenant);
        self.why_with(&w, visitor, privilege, target)
    }

    /// `why` with a walker built once over this analysis's tenant (a REPL
    /// keeps one); `w` must have been built from `self.tenant`.
    pub fn why_with(
        &self,
        w: &Walker<'_>,
        visitor: &str,
        privilege: &str,
        target: &str,
    ) -> Result<WhyAnswer, QueryError> {
        if visitor == crate::answer::query::NEWCOMER {
            return self.why_newcomer(privilege, target);
        }
        let can = self.can(visitor, privilege, target)?;
        let v = self.visitor(visitor)?;
        let p = self.privilege(privilege)?;
        let (ex, table) = match self.target(p, target)? {
            Target::Row(x) => (w.explain(v, p, x), self.tenant.table_of(x)),
            Target::Table(t) => (w.explain_create(v, t), t),
        };
        let r = Render { t: &self.tenant, v, p, table };
        let mut ans = r.answer(can, &ex);
        if let Target::Row(x) = self.target(p, target)? {
            if let Some(e) = self.explain_finance(v, p, x, ans.can.allowed) {
                if let Some((reason, miss)) = e.denial {
                    // The F&O side denies what web roles grant: no path admits it.
                    ans.paths.clear();
                    ans.reason = Some(reason);
                    ans.miss = Some(miss);
                }
                ans.finance = Some(e.why);
            }
        }
        Ok(ans)
    }
}

struct Render<'a> {
    t: &'a Tenant,
    v: Visitor,
    p: Privilege,
    table: TableId,
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

impl Render<'_> {
    fn answer(&self, can: CanAnswer, ex: &Explanation) -> WhyAnswer {
        let paths: Vec<Vec<PathStep>> =
            ex.paths.iter().map(|p| p.steps.iter().map(|s| self.step(s)).collect()).collect();
        let (reason, miss) = match (&ex.miss, can.allowed) {
            (Some(m), false) => {
                let kind = match m {
                    Miss::NoTree(_) => "no_tree",
                    Miss::NotInScope { .. } => "not_in_scope",
                    Miss::NoPrivilege { .. } => "no_privilege",
                };
                (Some(self.reason(m)), Some(kind.to_string()))
            }
            _ => (None, None),
        };
        WhyAnswer { can, paths, reason, miss, finance: None }
    }

    fn step(&self, s: &Step) -> PathStep {
        match *s {
            Step::Role { role, via } => PathStep::Role {
                id: self.role(role),
                via: via.name().to_string(),
                account: match via {
                    Via::Account(a) => Some(self.t.row_ref(a)),
                    _ => None,
                },
            },
            Step::Permission(n) => PathStep::Permission {
                id: self.perm(n),
                scope: self.t.permissions[n as usize].scope.name().to_string(),
            },
            Step::Row { row, rel, anchor } => PathStep::Row {
                reference: self.t.row_ref(row),
                relationship: rel.map(|r| self.t.relationships[r as usize].name.clone()),
                anchor: anchor.map(|a| {
                    match a {
                        Anchor::Visitor => "visitor",
                        Anchor::Account => "account",
                    }
                    .to_string()
                }),
            },
        }
    }

    fn perm(&self, n: PermId) -> String {
        self.t.permissions[n as usize].id.clone()
    }
    fn perms(&self, ns: &[PermId]) -> String {
        and_list(&ns.iter().map(|&n| self.perm(n)).collect::<Vec<_>>())
    }
    fn role(&self, r: RoleId) -> String {
        self.t.roles[r as usize].id.clone()
    }
    fn table_name(&self, t: TableId) -> &str {
        &self.t.tables[t as usize].name
    }
    fn rel(&self, r: crate::model::RelId) -> &str {
        &self.t.relationships[r as usize].name
    }
    fn visitor(&self) -> String {
        match self.v {
            Visitor::Anonymous => "the anonymous visitor".to_string(),
            Visitor::Contact(c) => self.t.row_name(c).to_string(),
        }
    }
    /// A role id with what keeps this visitor from holding it, if anything plain.
    fn role_label(&self, r: RoleId) -> String {
        let role = &self.t.roles[r as usize];
        let note = if !role.active {
            " (inactive)"
        } else if role.anonymous && matches!(self.v, Visitor::Contact(_)) {
            " (anonymous users role)"
        } else {
            ""
        };
        format!("{}{note}", role.id)
    }

    fn reason(&self, m: &Miss) -> String {
        let v = self.visitor();
        let table = self.table_name(self.table);
        match m {
            Miss::NoTree(misses) => {
                if misses.is_empty() {
                    return format!("no table permission secures table {table}");
                }
                // The nearest: a live permission whose tree is not held, one
                // whose child roles the visitor holds first; then inactive ones.
                let rank = |m: &TreeMiss| match m {
                    TreeMiss::Inactive { held: true, .. } => 0,
                    TreeMiss::NotHeld { ignored, roles, .. } if !ignored.is_empty() && !roles.is_empty() => 1,
                    TreeMiss::NotHeld { ignored, .. } if !ignored.is_empty() => 2,
                    TreeMiss::NotHeld { roles, .. } if !roles.is_empty() => 3,
                    TreeMiss::NotHeld { .. } => 4,
                    TreeMiss::Inactive { .. } => 5,
                };
                let best = misses.iter().min_by_key(|m| rank(m)).unwrap_or(&misses[0]);
                let detail = match best {
                    TreeMiss::Inactive { perm, at, held } => {
                        let whose = if *held {
                            format!("{} is in a tree {v} holds, but", self.perm(*perm))
                        } else {
                            self.perm(*perm)
                        };
                        if perm == at {
                            format!("{whose} is inactive")
                        } else {
                            format!("{whose} is under the inactive {}", self.perm(*at))
                        }
                    }
                    TreeMiss::NotHeld { perm, root, roles, ignored } => {
                        let whose = if perm == root {
                            self.perm(*perm)
                        } else {
                            format!("{} is in the tree of {}, which", self.perm(*perm), self.perm(*root))
                        };
                        let held = if roles.is_empty() {
                            if perm == root {
                                format!("{whose} lists no web role, so nobody holds it")
                            } else {
                                format!("{whose} lists no web role, so nobody holds the tree")
                            }
                        } else {
                            let labels: Vec<String> = roles.iter().map(|&r| self.role_label(r)).collect();
                            format!("{whose} is held through {}, not by {v}", and_list(&labels))
                        };
                        if ignored.is_empty() {
                            held
                        } else {
                            let names: Vec<String> = ignored.iter().map(|&r| self.role(r)).collect();
                            format!(
                                "{held} ({} listed below the root is ignored: only the roles of the root count)",
                                and_list(&names)
                            )
                        }
                    }
                };
                format!("{v} holds no role on a tree with a live permission on table {table}: {detail}")
            }
            Miss::NoPrivilege { in_scope } => {
                let grants: Vec<String> = in_scope
                    .iter()
                    .map(|&n| {
                        let ps: Vec<&str> =
                            self.t.permissions[n as usize].privileges.iter().map(|p| p.name()).collect();
                        format!(
                            "{} grants {}",
                            self.perm(n),
                            if ps.is_empty() {
                                "nothing".to_string()
                            } else {
                                and_list(&ps.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                            }
                        )
                    })
                    .collect();
                let none = if in_scope.len() == 1 { "it does not grant" } else { "none of them grants" };
                if self.p == Privilege::Create {
                    format!(
                        "{v} holds {} on table {table}, but {none} create ({})",
                        self.perms(in_scope),
                        grants.join("; ")
                    )
                } else {
                    format!(
                        "the row is in the scope of {} for {v}, but {none} {} ({})",
                        self.perms(in_scope),
                        self.p.name(),
                        grants.join("; ")
                    )
                }
            }
            Miss::NotInScope { perm, why } => {
                format!(
                    "{v} holds {} on table {table}, but the row is not in its scope: {}",
                    self.perm(*perm),
                    self.brk(why)
                )
            }
        }
    }

    fn rows(&self, rows: &[RowId]) -> String {
        and_list(&rows.iter().map(|&r| self.t.row_ref(r)).collect::<Vec<_>>())
    }

    fn brk(&self, b: &Break) -> String {
        let v = self.visitor();
        match b {
            Break::Anonymous { perm } => format!(
                "{} has {} scope, which admits nothing for a visitor who has not signed in",
                self.perm(*perm),
                self.t.permissions[*perm as usize].scope.name()
            ),
            Break::NoAccount { perm } => {
                format!("{} has account scope and {v} has no account (its parent customer is not an account)", self.perm(*perm))
            }
            Break::UnknownRel { perm, name } => {
                format!("{} names the relationship {name}, which is not known, so it admits nothing", self.perm(*perm))
            }
            Break::NotJoined { perm, rel, own, other } => format!(
                "{} names the relationship {}, which does not join table {} and table {}, so it admits nothing",
                self.perm(*perm),
                self.rel(*rel),
                self.table_name(*own),
                self.table_name(*other)
            ),
            Break::NotRelated { perm: _, row, rel, anchor, related } => {
                let whom = if self.t.table_of(*anchor) == self.t.account_table {
                    format!("{v}'s account {}", self.t.row_ref(*anchor))
                } else {
                    format!("{} (the visitor)", self.t.row_ref(*anchor))
                };
                let instead = if related.is_empty() {
                    format!("it has no {} link at all", self.rel(*rel))
                } else {
                    format!("it is related to {} instead", self.rows(related))
                };
                format!("{} is not related to {whom} through {} ({instead})", self.t.row_ref(*row), self.rel(*rel))
            }
            Break::SelfOffContact { perm } => format!(
                "{} has self scope on table {}, which admits nothing (self scope admits only the visitor's own contact row)",
                self.perm(*perm),
                self.table_name(self.t.permissions[*perm as usize].table)
            ),
            Break::NotSelf { perm, row } => format!(
                "{} has self scope, which admits only {v}'s own contact row, not {}",
                self.perm(*perm),
                self.t.row_ref(*row)
            ),
            Break::Custom { perm } => {
                format!("{} has custom scope (a FetchXML filter), which is not evaluated and admits nothing", self.perm(*perm))
            }
            Break::NoLink { perm: _, row, rel, parent_table } => format!(
                "{} has no {} link to a row of table {}",
                self.t.row_ref(*row),
                self.rel(*rel),
                self.table_name(*parent_table)
            ),
            Break::ParentMiss { perm: _, row, rel, parent_row, others, parent, inner } => {
                let more = match others {
                    0 => String::new(),
                    1 => " (and 1 other row)".to_string(),
                    k => format!(" (and {k} other rows)"),
                };
                format!(
                    "{} is linked through {} to {}{more}, which {} does not admit: {}",
                    self.t.row_ref(*row),
                    self.rel(*rel),
                    self.t.row_ref(*parent_row),
                    self.perm(*parent),
                    self.brk(inner)
                )
            }
        }
    }
}
