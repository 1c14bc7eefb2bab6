//! The same tenant as Cedar entities and policies, asked the same `can`
//! questions: the peer that `bench` measures against (see `docs/cedar.md`).
//!
//! Encoding, in short:
//! - every row is an entity of a type named after its table (`incident::"I1"`);
//!   each resolved lookup is an entity attribute named after its column
//!   (`customerid`), each N:N relationship a set attribute named after the
//!   relationship, on both sides;
//! - web roles are `Portal::Role` entities; a contact's parents are the roles
//!   it is a direct member of and its account (S1), whose parents are the
//!   account's roles, so `principal in Portal::Role::"R"` is S3's membership;
//! - the anonymous visitor is `Portal::Anonymous::"anonymous"`; `create` is
//!   asked of a `Portal::Table` entity (S17);
//! - one `permit` per live, held table permission for its row privileges
//!   (and one more for `create`), its id the permission's id, its condition
//!   the roles of the tree's root (S6) and the permission's scope written as
//!   attribute paths: `resource.objectid.regardingobjectid.customerid == principal`.
//!
//! A Parent step that walks a relationship from the referenced side (one row
//! to many), or an N:N relationship, relates a row to *some* row of a set:
//! Cedar has no quantifier over sets, so that permission's scope is encoded
//! as a derived attribute on its rows (`"in:TP9"`: the contacts, or accounts,
//! it admits the row for, taken from the engine's `InC` / `InA` / `InG`).
//! Those permissions are listed by [`CedarTenant::derived_permissions`].

use crate::engine::Visitor;
use crate::model::{PermId, Privilege, RelKind, RowId, Scope, TableId, Tenant};
use crate::answer::query::Target;
use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid, Policy, PolicyId, PolicySet,
    Request, RestrictedExpression,
};
use portal_access_rules as rules;
use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use thiserror::Error;

/// Why a tenant could not be encoded for Cedar.
#[derive(Debug, Error)]
pub enum CedarError {
    /// A table name is not a Cedar identifier.
    #[error("table `{0}` cannot be a Cedar entity type name")]
    TableName(String),
    /// An N:N relationship's name is also a lookup column of one of its tables.
    #[error("relationship `{relationship}` and a lookup column of table `{table}` share a name")]
    Clash {
        /// The relationship.
        relationship: String,
        /// The table.
        table: String,
    },
    /// Cedar refused an entity, the policies or a request.
    #[error("cedar refused the encoding: {0}")]
    Cedar(String),
}

fn cerr(e: impl std::fmt::Display) -> CedarError {
    CedarError::Cedar(e.to_string())
}

/// What a permission's rows are anchored to (the top of its Parent chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// Global top: every visitor holding the tree.
    Global,
    /// Contact or Self top: the visitor's contact.
    Contact,
    /// Account top: the visitor's account.
    Account,
}

/// How a relationship joins a permission's table `t` to another table `u`
/// (the `JoinFwd` / `JoinBwd` rules, S20 to S22).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join<'a> {
    /// `t.lookup = u.id`: the row's own lookup (a function).
    Forward(&'a str),
    /// `u.lookup = t.id` with `t != u`: one row to many.
    Backward(&'a str),
    /// An N:N relationship between `t` and `u`.
    Pairs,
}

/// A tenant as Cedar entities and policies.
pub struct CedarTenant {
    policies: PolicySet,
    entities: Entities,
    text: Vec<String>,
    policy_perm: HashMap<String, PermId>,
    derived: Vec<PermId>,
    types: Vec<EntityTypeName>,
    anonymous: EntityUid,
    actions: [EntityUid; 6],
    tables: Vec<EntityUid>,
    authorizer: Authorizer,
}

impl std::fmt::Debug for CedarTenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CedarTenant")
            .field("policies", &self.text.len())
            .field("derived", &self.derived)
            .finish_non_exhaustive()
    }
}

const RESERVED: &[&str] = &[
    "true",
    "false",
    "if",
    "then",
    "else",
    "in",
    "is",
    "like",
    "has",
    "permit",
    "forbid",
    "when",
    "unless",
    "principal",
    "action",
    "resource",
    "context",
    "__cedar",
];

fn is_ident(s: &str) -> bool {
    let mut cs = s.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !RESERVED.contains(&s)
}

/// A Cedar string literal.
fn lit(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if c.is_control() => o.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// `e.name`, or `e["name"]` when `name` is not an identifier.
fn get(e: &str, name: &str) -> String {
    if is_ident(name) {
        format!("{e}.{name}")
    } else {
        format!("{e}[{}]", lit(name))
    }
}

/// `e has name`.
fn has(e: &str, name: &str) -> String {
    if is_ident(name) {
        format!("{e} has {name}")
    } else {
        format!("{e} has {}", lit(name))
    }
}

/// The attribute that carries a derived scope.
fn derived_attr(t: &Tenant, n: PermId) -> String {
    format!("in:{}", t.permissions[n as usize].id)
}

/// How relationship `rel` joins table `t` to table `u`, if it does.
fn joins(t: &Tenant, rel: Option<u32>, from: TableId, to: TableId) -> Option<Join<'_>> {
    let r = &t.relationships[rel? as usize];
    match &r.kind {
        RelKind::OneToMany { referencing, lookup, referenced } if *referencing == from && *referenced == to => {
            Some(Join::Forward(lookup))
        }
        RelKind::OneToMany { referencing, lookup, referenced }
            if *referencing == to && *referenced == from && from != to =>
        {
            Some(Join::Backward(lookup))
        }
        RelKind::ManyToMany { tables }
            if (tables[0] == from && tables[1] == to) || (tables[0] == to && tables[1] == from) =>
        {
            Some(Join::Pairs)
        }
        _ => None,
    }
}

/// Encodes scopes: which permissions need a derived attribute, and the
/// Cedar condition for `e ∈ inscope(n)`.
struct Scopes<'a> {
    t: &'a Tenant,
    acct: String,
}

impl<'a> Scopes<'a> {
    fn rel_of(&self, n: PermId) -> Option<u32> {
        self.t.permissions[n as usize].scope_relationship().and_then(|r| r.id)
    }

    /// The anchor of `n`'s rows, or `None` when `n` admits nothing.
    fn anchor(&self, n: PermId) -> Option<Anchor> {
        let t = self.t;
        let p = &t.permissions[n as usize];
        match p.scope {
            Scope::Global => Some(Anchor::Global),
            Scope::Contact => joins(t, self.rel_of(n), p.table, t.contact_table).map(|_| Anchor::Contact),
            Scope::Account => joins(t, self.rel_of(n), p.table, t.account_table).map(|_| Anchor::Account),
            Scope::SelfScope => (p.table == t.contact_table).then_some(Anchor::Contact),
            Scope::Custom => None,
            Scope::Parent => {
                let m = p.parent?;
                joins(t, self.rel_of(n), p.table, t.permissions[m as usize].table)?;
                self.anchor(m)
            }
        }
    }

    /// Whether `n`'s own Parent step relates a row to a set of parent rows.
    fn needs_derived(&self, n: PermId) -> bool {
        let t = self.t;
        let p = &t.permissions[n as usize];
        let Some(m) = p.parent.filter(|_| p.scope == Scope::Parent) else { return false };
        matches!(
            joins(t, self.rel_of(n), p.table, t.permissions[m as usize].table),
            Some(Join::Backward(_) | Join::Pairs)
        ) && self.anchor(n).is_some()
    }

    /// The visitor-side term an anchor compares with, behind its guard.
    fn visitor(&self, a: Anchor) -> (Option<String>, String) {
        match a {
            Anchor::Contact | Anchor::Global => (None, "principal".to_string()),
            Anchor::Account => (Some(self.acct.clone()), "principal.parentcustomerid".to_string()),
        }
    }

    /// Cedar condition: row expression `e` (of `n`'s table) is in `inscope(n)`.
    fn expr(&self, n: PermId, e: &str) -> Option<String> {
        let t = self.t;
        let p = &t.permissions[n as usize];
        let anchor = self.anchor(n)?;
        if self.needs_derived(n) {
            let attr = derived_attr(t, n);
            return Some(match anchor {
                Anchor::Global => has(e, &attr),
                a => {
                    let (guard, v) = self.visitor(a);
                    let core = format!("{} && {}.contains({v})", has(e, &attr), get(e, &attr));
                    guard.map_or(core.clone(), |g| format!("{g} && {core}"))
                }
            });
        }
        let with_guard = |guard: Option<String>, core: String| guard.map_or(core.clone(), |g| format!("{g} && {core}"));
        match p.scope {
            Scope::Global => Some("true".to_string()),
            Scope::SelfScope => Some(format!("{e} == principal")),
            Scope::Contact | Scope::Account => {
                let target = if p.scope == Scope::Contact { t.contact_table } else { t.account_table };
                let (guard, v) =
                    self.visitor(if p.scope == Scope::Contact { Anchor::Contact } else { Anchor::Account });
                let rel = self.rel_of(n)?;
                let core = match joins(t, Some(rel), p.table, target)? {
                    Join::Forward(l) => format!("{} && {} == {v}", has(e, l), get(e, l)),
                    Join::Backward(l) => format!("{} && {} == {e}", has(&v, l), get(&v, l)),
                    Join::Pairs => {
                        let name = &t.relationships[rel as usize].name;
                        format!("{} && {}.contains({e})", has(&v, name), get(&v, name))
                    }
                };
                Some(with_guard(guard, core))
            }
            Scope::Parent => {
                let m = p.parent?;
                let pt = t.permissions[m as usize].table;
                let Join::Forward(l) = joins(t, self.rel_of(n), p.table, pt)? else { return None };
                let up = get(e, l);
                let above = self.expr(m, &up)?;
                let ty = &t.tables[pt as usize].name;
                Some(if above == "true" {
                    format!("{} && {up} is {ty}", has(e, l))
                } else {
                    format!("{} && {up} is {ty} && {above}", has(e, l))
                })
            }
            Scope::Custom => None,
        }
    }
}

impl CedarTenant {
    /// Encodes `t`. `derived` (the engine's relations for `t`) supplies the
    /// derived attributes of the permissions Cedar cannot express.
    pub fn encode(t: &Tenant, derived: &rules::Derived) -> Result<CedarTenant, CedarError> {
        let types: Vec<EntityTypeName> = t
            .tables
            .iter()
            .map(|tb| {
                if !is_ident(&tb.name) {
                    return Err(CedarError::TableName(tb.name.clone()));
                }
                EntityTypeName::from_str(&tb.name).map_err(|_| CedarError::TableName(tb.name.clone()))
            })
            .collect::<Result<_, _>>()?;
        let ty = |s: &str| EntityTypeName::from_str(s).map_err(cerr);
        let role_type = ty("Portal::Role")?;
        let table_type = ty("Portal::Table")?;
        let action_type = ty("Portal::Action")?;
        let anonymous = EntityUid::from_type_name_and_id(ty("Portal::Anonymous")?, EntityId::new("anonymous"));
        let actions =
            Privilege::ALL.map(|p| EntityUid::from_type_name_and_id(action_type.clone(), EntityId::new(p.name())));
        let uid = |x: RowId| {
            EntityUid::from_type_name_and_id(types[t.table_of(x) as usize].clone(), EntityId::new(t.row_name(x)))
        };
        let role_uid =
            |r: u32| EntityUid::from_type_name_and_id(role_type.clone(), EntityId::new(&t.roles[r as usize].id));

        // S1: acct(c) is the contact's parent customer when that row is an account.
        let acct_ty = &t.tables[t.account_table as usize].name;
        let scopes =
            Scopes { t, acct: format!("principal has parentcustomerid && principal.parentcustomerid is {acct_ty}") };

        // Attributes per row: lookups, N:N sets, derived scopes.
        let nrows = t.tables.iter().map(|tb| tb.rows().end).max().unwrap_or(0) as usize;
        let mut attrs: Vec<Vec<(String, RestrictedExpression)>> = vec![Vec::new(); nrows];
        let mut sets: HashMap<(RowId, u32), Vec<RowId>> = HashMap::new();
        for &(rel, from, to) in t.links.iter() {
            match &t.relationships[rel as usize].kind {
                RelKind::OneToMany { lookup, .. } => {
                    let a = &mut attrs[from as usize];
                    if !a.iter().any(|(k, _)| k == lookup) {
                        a.push((lookup.clone(), RestrictedExpression::new_entity_uid(uid(to))));
                    }
                }
                RelKind::ManyToMany { .. } => {
                    sets.entry((from, rel)).or_default().push(to);
                    sets.entry((to, rel)).or_default().push(from);
                }
            }
        }
        let mut set_keys: Vec<_> = sets.into_iter().collect();
        set_keys.sort_unstable_by_key(|(k, _)| *k);
        for ((x, rel), mut partners) in set_keys {
            let name = &t.relationships[rel as usize].name;
            partners.sort_unstable();
            partners.dedup();
            let a = &mut attrs[x as usize];
            if a.iter().any(|(k, _)| k == name) {
                return Err(CedarError::Clash {
                    relationship: name.clone(),
                    table: t.tables[t.table_of(x) as usize].name.clone(),
                });
            }
            a.push((
                name.clone(),
                RestrictedExpression::new_set(
                    partners.into_iter().map(|y| RestrictedExpression::new_entity_uid(uid(y))),
                ),
            ));
        }
        let derived_perms: Vec<PermId> =
            (0..t.permissions.len() as PermId).filter(|&n| t.live(n) && scopes.needs_derived(n)).collect();
        for &n in &derived_perms {
            let attr = derived_attr(t, n);
            let mut by_row: HashMap<RowId, Vec<RowId>> = HashMap::new();
            match scopes.anchor(n) {
                Some(Anchor::Global) => {
                    let lo = derived.in_g.partition_point(|&(k, _)| k < n);
                    for &(_, x) in derived.in_g[lo..].iter().take_while(|&&(k, _)| k == n) {
                        by_row.entry(x).or_default();
                    }
                }
                Some(Anchor::Contact) | Some(Anchor::Account) => {
                    let rel = if scopes.anchor(n) == Some(Anchor::Contact) { &derived.in_c } else { &derived.in_a };
                    let lo = rel.partition_point(|&(k, _, _)| k < n);
                    for &(_, v, x) in rel[lo..].iter().take_while(|&&(k, _, _)| k == n) {
                        by_row.entry(x).or_default().push(v);
                    }
                }
                None => {}
            }
            let global = scopes.anchor(n) == Some(Anchor::Global);
            let mut rows: Vec<_> = by_row.into_iter().collect();
            rows.sort_unstable_by_key(|(x, _)| *x);
            for (x, vs) in rows {
                let value = if global {
                    RestrictedExpression::new_bool(true)
                } else {
                    RestrictedExpression::new_set(vs.into_iter().map(|v| RestrictedExpression::new_entity_uid(uid(v))))
                };
                attrs[x as usize].push((attr.clone(), value));
            }
        }

        // Parents: contacts in their roles and their account; accounts in their roles.
        let mut parents: Vec<Vec<EntityUid>> = vec![Vec::new(); nrows];
        for &(c, r) in &t.contact_members {
            parents[c as usize].push(role_uid(r));
        }
        for &(a, r) in &t.account_members {
            parents[a as usize].push(role_uid(r));
        }
        for &(c, a) in t.contact_account.iter() {
            parents[c as usize].push(uid(a));
        }

        let mut entities: Vec<Entity> = Vec::with_capacity(nrows + t.roles.len() + t.tables.len() + 1);
        for (x, (a, ps)) in attrs.into_iter().zip(parents).enumerate() {
            let x = x as RowId;
            if t.tables.iter().all(|tb| !tb.rows().contains(&x)) {
                continue;
            }
            entities.push(Entity::new(uid(x), a.into_iter().collect(), ps.into_iter().collect()).map_err(cerr)?);
        }
        for r in 0..t.roles.len() as u32 {
            entities.push(Entity::new_no_attrs(role_uid(r), HashSet::new()));
        }
        let tables: Vec<EntityUid> = t
            .tables
            .iter()
            .map(|tb| EntityUid::from_type_name_and_id(table_type.clone(), EntityId::new(&tb.name)))
            .collect();
        for u in &tables {
            entities.push(Entity::new_no_attrs(u.clone(), HashSet::new()));
        }
        entities.push(Entity::new_no_attrs(anonymous.clone(), HashSet::new()));
        let entities = Entities::from_entities(entities, None).map_err(cerr)?;

        // Policies: one per live, held permission (and one for create).
        let mut policies = PolicySet::new();
        let mut text = Vec::new();
        let mut policy_perm = HashMap::new();
        for n in 0..t.permissions.len() as PermId {
            let p = &t.permissions[n as usize];
            if !t.live(n) {
                continue; // S7
            }
            let Some(held) = held(t, t.root_of(n)) else { continue }; // S6
            let table = &t.tables[p.table as usize].name;
            let row_privs: Vec<String> = p
                .privileges
                .iter()
                .filter(|q| *q != Privilege::Create)
                .map(|q| format!("Portal::Action::{}", lit(q.name())))
                .collect();
            if !row_privs.is_empty() {
                if let Some(scope) = scopes.expr(n, "resource") {
                    let cond = if scope == "true" { held.clone() } else { format!("({held}) && {scope}") };
                    let src = format!(
                        "permit (principal, action in [{}], resource is {table})\nwhen {{ {cond} }};",
                        row_privs.join(", ")
                    );
                    add(&mut policies, &mut text, &mut policy_perm, p.id.clone(), n, src)?;
                }
            }
            if p.privileges.has(Privilege::Create) {
                // S17: create is table-level, whatever the scope.
                let src = format!(
                    "permit (principal, action == Portal::Action::\"create\", resource == Portal::Table::{})\nwhen {{ {held} }};",
                    lit(table)
                );
                add(&mut policies, &mut text, &mut policy_perm, format!("{} (create)", p.id), n, src)?;
            }
        }
        Ok(CedarTenant {
            policies,
            entities,
            text,
            policy_perm,
            derived: derived_perms,
            types,
            anonymous,
            actions,
            tables,
            authorizer: Authorizer::new(),
        })
    }

    /// The policies as Cedar text, one after another.
    pub fn policy_text(&self) -> String {
        self.text.join("\n\n")
    }

    /// Number of policies.
    pub fn policy_count(&self) -> usize {
        self.text.len()
    }

    /// Number of entities (rows, roles, tables and the anonymous visitor).
    pub fn entity_count(&self) -> usize {
        self.entities.len()
    }

    /// Permissions whose scope is a derived attribute (not expressible in Cedar).
    pub fn derived_permissions(&self) -> &[PermId] {
        &self.derived
    }

    /// The Cedar request for a `can` question.
    pub fn request(&self, t: &Tenant, v: Visitor, p: Privilege, target: Target) -> Result<Request, CedarError> {
        let principal = match v {
            Visitor::Anonymous => self.anonymous.clone(),
            Visitor::Contact(c) => EntityUid::from_type_name_and_id(
                self.types[t.contact_table as usize].clone(),
                EntityId::new(t.row_name(c)),
            ),
        };
        let resource = match target {
            Target::Row(x) => EntityUid::from_type_name_and_id(
                self.types[t.table_of(x) as usize].clone(),
                EntityId::new(t.row_name(x)),
            ),
            Target::Table(tb) => self.tables.get(tb as usize).cloned().ok_or_else(|| cerr("no such table"))?,
        };
        let action = self.actions[p as usize].clone();
        Request::new(principal, action, resource, Context::empty(), None).map_err(cerr)
    }

    /// Asks Cedar for the decision only (what `bench` times).
    pub fn allowed(&self, req: &Request) -> bool {
        self.authorizer.is_authorized(req, &self.policies, &self.entities).decision() == Decision::Allow
    }

    /// Asks Cedar: allowed, and through which permissions (sorted by id).
    /// Evaluation errors (none are expected) are counted in the third value.
    pub fn decide(&self, t: &Tenant, req: &Request) -> (bool, Vec<PermId>, usize) {
        let resp = self.authorizer.is_authorized(req, &self.policies, &self.entities);
        let mut via: Vec<PermId> = resp
            .diagnostics()
            .reason()
            .filter_map(|id| self.policy_perm.get(AsRef::<str>::as_ref(id)).copied())
            .collect();
        via.sort_unstable();
        via.dedup();
        crate::engine::sort_perms(t, &mut via);
        (resp.decision() == Decision::Allow, via, resp.diagnostics().errors().count())
    }

    /// `can` through Cedar: the granting permissions, sorted (empty when denied).
    pub fn can(&self, t: &Tenant, v: Visitor, p: Privilege, target: Target) -> Result<Vec<PermId>, CedarError> {
        let req = self.request(t, v, p, target)?;
        let (allowed, via, errors) = self.decide(t, &req);
        if errors > 0 {
            return Err(CedarError::Cedar(format!("{errors} policy evaluation errors")));
        }
        Ok(if allowed { via } else { Vec::new() })
    }
}

/// The principal condition for a tree held through `root`'s roles (S3, S4, S6).
fn held(t: &Tenant, root: PermId) -> Option<String> {
    let mut parts = Vec::new();
    let roles: Vec<_> =
        t.permissions[root as usize].roles.iter().map(|&r| &t.roles[r as usize]).filter(|r| r.active).collect();
    if roles.iter().any(|r| r.anonymous) {
        parts.push("principal is Portal::Anonymous".to_string());
    }
    let contact = &t.tables[t.contact_table as usize].name;
    if roles.iter().any(|r| !r.anonymous && r.authenticated) {
        parts.push(format!("principal is {contact}"));
    }
    let plain: Vec<String> = roles
        .iter()
        .filter(|r| !r.anonymous && !r.authenticated)
        .map(|r| format!("Portal::Role::{}", lit(&r.id)))
        .collect();
    if !plain.is_empty() {
        parts.push(format!("principal in [{}]", plain.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join(" || "))
}

fn add(
    set: &mut PolicySet,
    text: &mut Vec<String>,
    ids: &mut HashMap<String, PermId>,
    id: String,
    n: PermId,
    src: String,
) -> Result<(), CedarError> {
    let policy = Policy::parse(Some(PolicyId::new(&id)), &src).map_err(|e| cerr(format!("policy `{id}`: {e}")))?;
    set.add(policy).map_err(cerr)?;
    text.push(format!("@id({})\n{src}", lit(&id)));
    ids.insert(id, n);
    Ok(())
}
