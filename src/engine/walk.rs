//! The second engine: a demand-driven graph walk over one row at a time.
//!
//! Where [`crate::engine`] derives every grant of a tenant with the Datalog
//! rules, the [`Walker`] answers one question by walking three graphs built
//! with `petgraph`, straight from `semantics.md` and without the rules crate:
//!
//! - the **permission forest** (an edge from each child to its parent): from
//!   a candidate permission on the row's table up to its root (S5, S7);
//! - the **rows and their links** (an edge from the referencing row to the
//!   referenced row of each resolved lookup, and from the first to the second
//!   row of each N:N association, weighted with the relationship): from the
//!   row out to the rows, contacts and accounts its scope chain needs
//!   (S9 to S14, S20 to S24);
//! - the **principals** (contacts, accounts and web roles, with an edge for
//!   each membership and from each contact to its account): from the root out
//!   to the visitors who hold it (S1 to S4, S6).
//!
//! Being independent of the Datalog rules, it is the oracle the differential
//! tests hold the engine to, and, because it finds an actual chain of rows,
//! it explains its answers ([`Walker::explain`], the `why` command).

use crate::model::{PermId, Privilege, RelId, RelKind, RelRef, RoleId, RowId, Scope, TableId, Tenant, Visitor};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction::{Incoming, Outgoing};
use std::collections::{BTreeSet, HashMap, HashSet};

mod explain;

/// How a visitor holds a web role (S3, S4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Via {
    /// The contact is a member of the role.
    Contact,
    /// The contact's account (S1) is a member of the role.
    Account(RowId),
    /// The role is flagged *authenticated users role* (S3).
    Authenticated,
    /// The role is flagged *anonymous users role* and the visitor has not signed in (S4).
    Anonymous,
}

impl Via {
    /// The name `why` prints: `contact`, `account`, `authenticated` or `anonymous`.
    pub fn name(self) -> &'static str {
        match self {
            Via::Contact => "contact",
            Via::Account(_) => "account",
            Via::Authenticated => "authenticated",
            Via::Anonymous => "anonymous",
        }
    }
}

/// What an anchor row of a path stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// The visitor's own contact row (Contact and Self scope).
    Visitor,
    /// The visitor's account (Account scope, S1).
    Account,
}

/// One step of an explanation path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    /// The role through which the visitor holds the tree.
    Role {
        /// The role.
        role: RoleId,
        /// How the visitor holds it.
        via: Via,
    },
    /// A permission of the tree, from the root down to the candidate.
    Permission(PermId),
    /// A row the chain goes through.
    Row {
        /// The row.
        row: RowId,
        /// The relationship linking it to the previous row of the path
        /// (none for an anchor, a Global row, or the top of a chain under Global).
        rel: Option<RelId>,
        /// What the row stands for, when it is the visitor or its account.
        anchor: Option<Anchor>,
    },
}

/// The chain through which one candidate grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// The granting candidate.
    pub perm: PermId,
    /// Role, then permissions from the root down to `perm`, with the rows
    /// each one admits on the way (absent for create).
    pub steps: Vec<Step>,
}

/// Why a permission on the table is not a candidate for the visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeMiss {
    /// The permission, or the ancestor `at`, is inactive (S7).
    Inactive {
        /// The permission on the table.
        perm: PermId,
        /// The inactive permission (itself or an ancestor).
        at: PermId,
        /// Whether the visitor holds the tree (its root's roles).
        held: bool,
    },
    /// The root's roles are not held by the visitor (S6).
    NotHeld {
        /// The permission on the table.
        perm: PermId,
        /// Its root.
        root: PermId,
        /// The roles listed on the root (empty: held by nobody).
        roles: Vec<RoleId>,
        /// Roles the visitor holds that are listed on the permission or an
        /// ancestor below the root: ignored (S6).
        ignored: Vec<RoleId>,
    },
}

/// Where a candidate's scope chain stops short of the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// Contact, Account or Self scope for an anonymous visitor (S10 to S12).
    Anonymous {
        /// The permission with that scope.
        perm: PermId,
    },
    /// Account scope for a contact with no account (S1, S11).
    NoAccount {
        /// The permission with Account scope.
        perm: PermId,
    },
    /// The relationship is unknown (folder tenants only).
    UnknownRel {
        /// The permission naming it.
        perm: PermId,
        /// The name as written.
        name: String,
    },
    /// The relationship does not join the two tables the scope needs (S20).
    NotJoined {
        /// The permission naming it.
        perm: PermId,
        /// The relationship.
        rel: RelId,
        /// The permission's own table.
        own: TableId,
        /// The table it must reach (`contact`, `account` or the parent's).
        other: TableId,
    },
    /// The row is not related to the visitor (Contact) or its account (Account).
    NotRelated {
        /// The permission.
        perm: PermId,
        /// The row.
        row: RowId,
        /// The relationship.
        rel: RelId,
        /// The visitor's contact or account.
        anchor: RowId,
        /// The rows it is related to through `rel` instead.
        related: Vec<RowId>,
    },
    /// Self scope on a table other than `contact` (S12).
    SelfOffContact {
        /// The permission.
        perm: PermId,
    },
    /// Self scope and a contact row that is not the visitor (S12).
    NotSelf {
        /// The permission.
        perm: PermId,
        /// The row.
        row: RowId,
    },
    /// Custom scope admits nothing (S14).
    Custom {
        /// The permission.
        perm: PermId,
    },
    /// Parent scope and the row has no link to a row of the parent's table (S13).
    NoLink {
        /// The permission.
        perm: PermId,
        /// The row.
        row: RowId,
        /// The parent relationship.
        rel: RelId,
        /// The parent's table.
        parent_table: TableId,
    },
    /// Parent scope: the row's parent rows are not admitted by the parent (S13).
    ParentMiss {
        /// The permission.
        perm: PermId,
        /// The row.
        row: RowId,
        /// The parent relationship.
        rel: RelId,
        /// The first parent row.
        parent_row: RowId,
        /// How many other parent rows there are (none admitted either).
        others: usize,
        /// The parent permission.
        parent: PermId,
        /// Why the parent does not admit `parent_row`.
        inner: Box<Break>,
    },
}

/// The nearest miss of a denied request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Miss {
    /// No tree the visitor holds has a live permission on the table; one
    /// entry per permission on the table (empty: the table has none).
    NoTree(Vec<TreeMiss>),
    /// Trees are held, but no candidate admits the row; `why` is the break
    /// in the chain of `perm` (a candidate with the privilege when one exists).
    NotInScope {
        /// The candidate described.
        perm: PermId,
        /// Where its chain stops.
        why: Break,
    },
    /// Candidates admit the row (or, for create, exist), but none has the privilege.
    NoPrivilege {
        /// Those candidates, sorted by id string.
        in_scope: Vec<PermId>,
    },
}

/// The walker's full answer to one `can` question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// One path per granting candidate, sorted by permission id string.
    pub paths: Vec<Path>,
    /// When no path exists, the nearest miss.
    pub miss: Option<Miss>,
}

/// A node of the principals graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Principal {
    Contact(RowId),
    Account(RowId),
    Role(RoleId),
}

/// An edge of the principals graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tie {
    /// Contact or account is a member of the role.
    Member,
    /// The account of the contact (S1).
    AccountOf,
}

/// Which visitors hold a tree (S3, S4, S6).
#[derive(Debug, Default)]
struct Holders {
    anonymous: bool,
    everyone: bool,
    contacts: BTreeSet<RowId>,
}

/// Which visitors a scope chain admits a row for.
#[derive(Debug, Default, Clone)]
struct Anchors {
    all: bool,
    contacts: BTreeSet<RowId>,
    accounts: BTreeSet<RowId>,
}

/// The demand-driven checker over one tenant.
#[derive(Debug)]
pub struct Walker<'t> {
    t: &'t Tenant,
    /// Node `n` is permission `n`; an edge from each child to its parent.
    forest: DiGraph<PermId, ()>,
    /// Node `x` is row `x`; an edge per link, weighted by relationship.
    rows: DiGraph<RowId, RelId>,
    /// Contacts, then accounts, then roles.
    principals: DiGraph<Principal, Tie>,
    first_contact: RowId,
    contact_count: u32,
    first_account: RowId,
    account_count: u32,
    /// Permissions by table.
    by_table: Vec<Vec<PermId>>,
}

impl<'t> Walker<'t> {
    /// Builds the three graphs of `t`.
    pub fn new(t: &'t Tenant) -> Walker<'t> {
        let mut forest = DiGraph::with_capacity(t.permissions.len(), t.permissions.len());
        for n in 0..t.permissions.len() {
            forest.add_node(n as PermId);
        }
        for (n, p) in t.permissions.iter().enumerate() {
            if let Some(m) = p.parent {
                forest.add_edge(NodeIndex::new(n), NodeIndex::new(m as usize), ());
            }
        }

        let row_count = t.row_count();
        let mut rows = DiGraph::with_capacity(row_count as usize, t.links.len());
        for x in 0..row_count {
            rows.add_node(x);
        }
        for &(rel, from, to) in t.links.iter() {
            if from < row_count && to < row_count {
                rows.add_edge(NodeIndex::new(from as usize), NodeIndex::new(to as usize), rel);
            }
        }

        let contacts = t.tables[t.contact_table as usize].rows();
        let accounts = t.tables[t.account_table as usize].rows();
        let mut principals = DiGraph::new();
        for c in contacts.clone() {
            principals.add_node(Principal::Contact(c));
        }
        for a in accounts.clone() {
            principals.add_node(Principal::Account(a));
        }
        for r in 0..t.roles.len() {
            principals.add_node(Principal::Role(r as RoleId));
        }
        let mut w = Walker {
            t,
            forest,
            rows,
            principals: DiGraph::new(),
            first_contact: contacts.start,
            contact_count: contacts.end - contacts.start,
            first_account: accounts.start,
            account_count: accounts.end - accounts.start,
            by_table: vec![Vec::new(); t.tables.len()],
        };
        for &(c, r) in &t.contact_members {
            if let (Some(cn), Some(rn)) = (w.contact_node(c), w.role_node(r)) {
                principals.add_edge(cn, rn, Tie::Member);
            }
        }
        for &(a, r) in &t.account_members {
            if let (Some(an), Some(rn)) = (w.account_node(a), w.role_node(r)) {
                principals.add_edge(an, rn, Tie::Member);
            }
        }
        for c in contacts {
            if let (Some(cn), Some(an)) = (w.contact_node(c), t.account_of(c).and_then(|a| w.account_node(a))) {
                principals.add_edge(cn, an, Tie::AccountOf);
            }
        }
        w.principals = principals;
        for (n, p) in t.permissions.iter().enumerate() {
            if let Some(v) = w.by_table.get_mut(p.table as usize) {
                v.push(n as PermId);
            }
        }
        w
    }

    // ------------------------------------------------------------ nodes

    fn contact_node(&self, c: RowId) -> Option<NodeIndex> {
        let i = c.checked_sub(self.first_contact).filter(|&i| i < self.contact_count)?;
        Some(NodeIndex::new(i as usize))
    }

    fn account_node(&self, a: RowId) -> Option<NodeIndex> {
        let i = a.checked_sub(self.first_account).filter(|&i| i < self.account_count)?;
        Some(NodeIndex::new((self.contact_count + i) as usize))
    }

    fn role_node(&self, r: RoleId) -> Option<NodeIndex> {
        ((r as usize) < self.t.roles.len())
            .then(|| NodeIndex::new((self.contact_count + self.account_count + r) as usize))
    }

    // ------------------------------------------------------------ trees

    /// The parent of `n` in the forest.
    fn parent(&self, n: PermId) -> Option<PermId> {
        self.forest.neighbors_directed(NodeIndex::new(n as usize), Outgoing).next().map(|m| self.forest[m])
    }

    /// `n` and its ancestors, from `n` up to the root (S5).
    fn chain(&self, n: PermId) -> Vec<PermId> {
        let mut out = vec![n];
        let mut cur = n;
        while let Some(m) = self.parent(cur) {
            if out.contains(&m) {
                break; // refused at load (S5); never loop
            }
            out.push(m);
            cur = m;
        }
        out
    }

    /// The first inactive permission on the way from `n` to its root (S7).
    fn inactive_at(&self, n: PermId) -> Option<PermId> {
        self.chain(n).into_iter().find(|&m| !self.t.permissions[m as usize].active)
    }

    // ------------------------------------------------------------ principals

    /// The roles `v` holds, best first: by how (direct membership, account,
    /// authenticated, anonymous), then by role id string (S3, S4).
    fn roles_of(&self, v: Visitor) -> Vec<(RoleId, Via)> {
        let t = self.t;
        let mut out: Vec<(RoleId, Via)> = Vec::new();
        let role_of = |n: NodeIndex| match self.principals[n] {
            Principal::Role(r) => Some(r),
            _ => None,
        };
        match v {
            Visitor::Anonymous => {
                for (r, role) in t.roles.iter().enumerate() {
                    if role.active && role.anonymous {
                        out.push((r as RoleId, Via::Anonymous));
                    }
                }
            }
            Visitor::Contact(c) => {
                let usable = |r: RoleId| t.roles.get(r as usize).is_some_and(|role| role.active && !role.anonymous);
                if let Some(cn) = self.contact_node(c) {
                    for e in self.principals.edges_directed(cn, Outgoing) {
                        match e.weight() {
                            Tie::Member => {
                                if let Some(r) = role_of(e.target()).filter(|&r| usable(r)) {
                                    out.push((r, Via::Contact));
                                }
                            }
                            Tie::AccountOf => {
                                let a = match self.principals[e.target()] {
                                    Principal::Account(a) => a,
                                    _ => continue,
                                };
                                for f in self.principals.edges_directed(e.target(), Outgoing) {
                                    if let Some(r) = role_of(f.target()).filter(|&r| usable(r)) {
                                        out.push((r, Via::Account(a)));
                                    }
                                }
                            }
                        }
                    }
                }
                for (r, role) in t.roles.iter().enumerate() {
                    if role.authenticated && usable(r as RoleId) {
                        out.push((r as RoleId, Via::Authenticated));
                    }
                }
            }
        }
        let rank = |via: &Via| match via {
            Via::Contact => 0,
            Via::Account(_) => 1,
            Via::Authenticated => 2,
            Via::Anonymous => 3,
        };
        out.sort_by(|a, b| {
            rank(&a.1).cmp(&rank(&b.1)).then_with(|| t.roles[a.0 as usize].id.cmp(&t.roles[b.0 as usize].id))
        });
        out
    }

    /// The visitors who hold the tree of `root` (S3, S4, S6).
    fn holders(&self, root: PermId) -> Holders {
        let mut h = Holders::default();
        for &r in &self.t.permissions[root as usize].roles {
            let Some(role) = self.t.roles.get(r as usize) else { continue };
            if !role.active {
                continue;
            }
            if role.anonymous {
                h.anonymous = true;
                continue;
            }
            if role.authenticated {
                h.everyone = true;
                continue;
            }
            let Some(rn) = self.role_node(r) else { continue };
            for e in self.principals.edges_directed(rn, Incoming) {
                match self.principals[e.source()] {
                    Principal::Contact(c) => {
                        h.contacts.insert(c);
                    }
                    Principal::Account(_) => {
                        for f in self.principals.edges_directed(e.source(), Incoming) {
                            if let (Tie::AccountOf, Principal::Contact(c)) = (f.weight(), self.principals[f.source()]) {
                                h.contacts.insert(c);
                            }
                        }
                    }
                    Principal::Role(_) => {}
                }
            }
        }
        h
    }

    /// The contacts whose account is `a` (S1).
    fn contacts_of(&self, a: RowId) -> impl Iterator<Item = RowId> + '_ {
        self.account_node(a).into_iter().flat_map(move |an| {
            self.principals.edges_directed(an, Incoming).filter_map(move |e| {
                match (e.weight(), self.principals[e.source()]) {
                    (Tie::AccountOf, Principal::Contact(c)) => Some(c),
                    _ => None,
                }
            })
        })
    }

    /// The account of contact `c` (S1), from the principals graph.
    fn account_of(&self, c: RowId) -> Option<RowId> {
        let cn = self.contact_node(c)?;
        self.principals.edges_directed(cn, Outgoing).find_map(|e| match (e.weight(), self.principals[e.target()]) {
            (Tie::AccountOf, Principal::Account(a)) => Some(a),
            _ => None,
        })
    }

    /// The candidates for `v` on `table` (S6 to S8), sorted by id string,
    /// each with the role (and how it is held) that makes it one.
    fn candidates(&self, v: Visitor, table: TableId) -> Vec<(PermId, RoleId, Via)> {
        let held = self.roles_of(v);
        let mut out = Vec::new();
        for &n in self.by_table.get(table as usize).map(Vec::as_slice).unwrap_or(&[]) {
            let chain = self.chain(n);
            if chain.iter().any(|&m| !self.t.permissions[m as usize].active) {
                continue;
            }
            let root = chain[chain.len() - 1];
            let roles = &self.t.permissions[root as usize].roles;
            if let Some(&(r, via)) = held.iter().find(|(r, _)| roles.contains(r)) {
                out.push((n, r, via));
            }
        }
        out.sort_by(|a, b| self.perm_name(a.0).cmp(self.perm_name(b.0)));
        out
    }

    fn perm_name(&self, n: PermId) -> &str {
        &self.t.permissions[n as usize].id
    }

    fn has(&self, n: PermId, p: Privilege) -> bool {
        self.t.permissions[n as usize].privileges.has(p)
    }

    // ------------------------------------------------------------ rows

    /// Whether `rel` can be walked from `own` to `other`: (forward, backward),
    /// forward being from the referencing row (or first row of an N:N pair).
    fn directions(&self, rel: RelId, own: TableId, other: TableId) -> (bool, bool) {
        match &self.t.relationships[rel as usize].kind {
            // S20 either direction; S21 same table on both sides: the secured
            // or child table is the referencing side, so forward only.
            RelKind::OneToMany { referencing, referenced, .. } => (
                *referencing == own && *referenced == other,
                *referenced == own && *referencing == other && referencing != referenced,
            ),
            // S22 each pair, either direction (both for a self N:N).
            RelKind::ManyToMany { tables: [a, b] } => (*a == own && *b == other, *b == own && *a == other),
        }
    }

    /// The rows of `other` related to row `x` of `own` through `rel`, sorted.
    fn related(&self, rel: RelId, own: TableId, other: TableId, x: RowId) -> Vec<RowId> {
        let (fwd, bwd) = self.directions(rel, own, other);
        let mut out = Vec::new();
        if x >= self.t.row_count() {
            return out;
        }
        let node = NodeIndex::new(x as usize);
        if fwd {
            out.extend(
                self.rows.edges_directed(node, Outgoing).filter(|e| *e.weight() == rel).map(|e| self.rows[e.target()]),
            );
        }
        if bwd {
            out.extend(
                self.rows.edges_directed(node, Incoming).filter(|e| *e.weight() == rel).map(|e| self.rows[e.source()]),
            );
        }
        out.retain(|&y| self.t.table_of(y) == other);
        out.sort_unstable();
        out.dedup();
        out
    }

    fn rel_of(r: &Option<RelRef>) -> Option<RelId> {
        r.as_ref().and_then(|r| r.id)
    }

    /// Permission steps from the root down to the parent of `n`.
    fn ancestors_steps(&self, n: PermId) -> Vec<Step> {
        let mut chain = self.chain(n);
        chain.remove(0);
        chain.into_iter().rev().map(Step::Permission).collect()
    }

    /// Whether candidate `n` admits row `x` for `v`: the permission and row
    /// steps of one chain that does (S9 to S14), or `None`. `failed`
    /// remembers `(permission, row)` pairs already known not to admit.
    fn admit(&self, n: PermId, x: RowId, v: Visitor, failed: &mut HashSet<(PermId, RowId)>) -> Option<Vec<Step>> {
        if failed.contains(&(n, x)) {
            return None;
        }
        let found = self.admit_once(n, x, v, failed);
        if found.is_none() {
            failed.insert((n, x));
        }
        found
    }

    fn admit_once(&self, n: PermId, x: RowId, v: Visitor, failed: &mut HashSet<(PermId, RowId)>) -> Option<Vec<Step>> {
        let t = self.t;
        let p = &t.permissions[n as usize];
        let top = |rows: Vec<Step>| {
            let mut s = self.ancestors_steps(n);
            s.push(Step::Permission(n));
            s.extend(rows);
            s
        };
        match p.scope {
            // S9 Global: every row, wherever the node sits.
            Scope::Global => Some(top(vec![Step::Row { row: x, rel: None, anchor: None }])),
            // S10 Contact: rows related to the visitor's contact.
            Scope::Contact => {
                let Visitor::Contact(c) = v else { return None };
                let rel = Self::rel_of(&p.contact_relationship)?;
                self.related(rel, p.table, t.contact_table, x).contains(&c).then(|| {
                    top(vec![
                        Step::Row { row: c, rel: None, anchor: Some(Anchor::Visitor) },
                        Step::Row { row: x, rel: Some(rel), anchor: None },
                    ])
                })
            }
            // S11 Account: rows related to acct(c), one relationship only.
            Scope::Account => {
                let Visitor::Contact(c) = v else { return None };
                let a = self.account_of(c)?;
                let rel = Self::rel_of(&p.account_relationship)?;
                self.related(rel, p.table, t.account_table, x).contains(&a).then(|| {
                    top(vec![
                        Step::Row { row: a, rel: None, anchor: Some(Anchor::Account) },
                        Step::Row { row: x, rel: Some(rel), anchor: None },
                    ])
                })
            }
            // S12 Self: the visitor's own contact row, on `contact` only.
            Scope::SelfScope => {
                let Visitor::Contact(c) = v else { return None };
                (p.table == t.contact_table && x == c)
                    .then(|| top(vec![Step::Row { row: x, rel: None, anchor: Some(Anchor::Visitor) }]))
            }
            // S14 Custom: not evaluated, admits nothing.
            Scope::Custom => None,
            // S13 Parent: related to some row the parent admits.
            Scope::Parent => {
                let m = self.parent(n)?;
                let rel = Self::rel_of(&p.parent_relationship)?;
                let parent_table = t.permissions[m as usize].table;
                for y in self.related(rel, p.table, parent_table, x) {
                    if let Some(mut s) = self.admit(m, y, v, failed) {
                        s.push(Step::Permission(n));
                        s.push(Step::Row { row: x, rel: Some(rel), anchor: None });
                        return Some(s);
                    }
                }
                None
            }
        }
    }

    /// The visitors for whom `n` admits `x`, whatever the roles (S9 to S14).
    fn anchors(&self, n: PermId, x: RowId, memo: &mut HashMap<(PermId, RowId), Anchors>) -> Anchors {
        if let Some(a) = memo.get(&(n, x)) {
            return a.clone();
        }
        let t = self.t;
        let p = &t.permissions[n as usize];
        let mut out = Anchors::default();
        match p.scope {
            Scope::Global => out.all = true,
            Scope::Contact => {
                if let Some(rel) = Self::rel_of(&p.contact_relationship) {
                    out.contacts.extend(self.related(rel, p.table, t.contact_table, x));
                }
            }
            Scope::Account => {
                if let Some(rel) = Self::rel_of(&p.account_relationship) {
                    out.accounts.extend(self.related(rel, p.table, t.account_table, x));
                }
            }
            Scope::SelfScope => {
                if p.table == t.contact_table {
                    out.contacts.insert(x);
                }
            }
            Scope::Custom => {}
            Scope::Parent => {
                if let (Some(m), Some(rel)) = (self.parent(n), Self::rel_of(&p.parent_relationship)) {
                    let parent_table = t.permissions[m as usize].table;
                    for y in self.related(rel, p.table, parent_table, x) {
                        let a = self.anchors(m, y, memo);
                        out.all |= a.all;
                        out.contacts.extend(a.contacts);
                        out.accounts.extend(a.accounts);
                    }
                }
            }
        }
        memo.insert((n, x), out.clone());
        out
    }

    // ------------------------------------------------------------ answers

    /// The candidates that let `v` do `p` (not create) to row `x` (S16),
    /// sorted by permission id string; empty when denied. Same meaning as
    /// [`crate::engine::Grants::can`].
    pub fn can(&self, v: Visitor, p: Privilege, x: RowId) -> Vec<PermId> {
        let mut failed = HashSet::new();
        self.candidates(v, self.t.table_of(x))
            .into_iter()
            .filter(|&(n, _, _)| self.has(n, p) && self.admit(n, x, v, &mut failed).is_some())
            .map(|(n, _, _)| n)
            .collect()
    }

    /// The candidates that let `v` create in `table` (S17), sorted.
    pub fn can_create(&self, v: Visitor, table: TableId) -> Vec<PermId> {
        self.candidates(v, table)
            .into_iter()
            .filter(|&(n, _, _)| self.has(n, Privilege::Create))
            .map(|(n, _, _)| n)
            .collect()
    }

    /// Who may do `p` (not create) to row `x`: whether the anonymous visitor
    /// may, and every contact who may, sorted by id string.
    pub fn who(&self, p: Privilege, x: RowId) -> (bool, Vec<RowId>) {
        let t = self.t;
        let mut anonymous = false;
        let mut everyone = false;
        let mut out: BTreeSet<RowId> = BTreeSet::new();
        let mut memo = HashMap::new();
        for &n in self.by_table.get(t.table_of(x) as usize).map(Vec::as_slice).unwrap_or(&[]) {
            if !self.has(n, p) || self.inactive_at(n).is_some() {
                continue;
            }
            let chain = self.chain(n);
            let h = self.holders(chain[chain.len() - 1]);
            if !h.anonymous && !h.everyone && h.contacts.is_empty() {
                continue;
            }
            let a = self.anchors(n, x, &mut memo);
            let held = |c: &RowId| h.everyone || h.contacts.contains(c);
            if a.all {
                anonymous |= h.anonymous;
                everyone |= h.everyone;
                out.extend(h.contacts.iter().copied());
            } else {
                out.extend(a.contacts.iter().filter(|c| held(c)));
                for &acc in &a.accounts {
                    out.extend(self.contacts_of(acc).filter(held));
                }
            }
        }
        let mut contacts: Vec<RowId> = if everyone { t.contacts().collect() } else { out.into_iter().collect() };
        contacts.sort_by(|a, b| t.row_name(*a).cmp(t.row_name(*b)));
        (anonymous, contacts)
    }

    /// Who may create in `table` (S17): anonymous, and contacts sorted by id string.
    pub fn who_create(&self, table: TableId) -> (bool, Vec<RowId>) {
        let t = self.t;
        let mut h = Holders::default();
        for &n in self.by_table.get(table as usize).map(Vec::as_slice).unwrap_or(&[]) {
            if !self.has(n, Privilege::Create) || self.inactive_at(n).is_some() {
                continue;
            }
            let chain = self.chain(n);
            let g = self.holders(chain[chain.len() - 1]);
            h.anonymous |= g.anonymous;
            h.everyone |= g.everyone;
            h.contacts.extend(g.contacts);
        }
        let mut contacts: Vec<RowId> =
            if h.everyone { t.contacts().collect() } else { h.contacts.into_iter().collect() };
        contacts.sort_by(|a, b| t.row_name(*a).cmp(t.row_name(*b)));
        (h.anonymous, contacts)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::load::native::parse_native;

    fn example() -> Tenant {
        let text = include_str!("../../examples/customer-service.json");
        Tenant::build(parse_native(text, "customer-service.json").unwrap(), "customer-service.json").unwrap()
    }

    fn names(t: &Tenant, v: &[PermId]) -> Vec<String> {
        v.iter().map(|&n| t.permissions[n as usize].id.clone()).collect()
    }

    #[test]
    fn example_can_by_walking() {
        let t = example();
        let w = Walker::new(&t);
        let c = |id: &str| Visitor::Contact(t.contact(id).unwrap());
        let row = |r: &str| t.parse_row(r).unwrap();
        assert_eq!(names(&t, &w.can(c("C1"), Privilege::Read, row("incident:I1"))), ["TP-case-contact"]);
        assert_eq!(names(&t, &w.can(c("C2"), Privilege::Read, row("incident:I2"))), ["TP-case-account"]);
        assert_eq!(names(&t, &w.can(c("C1"), Privilege::Read, row("annotation:N2"))), ["TP-comment-note"]);
        assert!(w.can(c("C2"), Privilege::Read, row("annotation:N1")).is_empty());
        assert!(w.can(Visitor::Anonymous, Privilege::Read, row("incident:I1")).is_empty());
        assert_eq!(names(&t, &w.can(Visitor::Anonymous, Privilege::Read, row("knowledgearticle:K1"))), ["TP-kb-anon"]);
        let (anon, who) = w.who(Privilege::Read, row("contact:C1"));
        assert!(!anon);
        assert_eq!(who.iter().map(|&c| t.row_name(c)).collect::<Vec<_>>(), ["C1", "C2"]);
        let (anon, who) = w.who(Privilege::Read, row("knowledgearticle:K1"));
        assert!(anon);
        assert_eq!(who.len(), 5);
    }
}
