//! Explanations for a person: the roles a visitor holds and where each comes
//! from, the permission forest, one permission, role or row in full, and the
//! `why` chains (computed by [`crate::why`], only rendered here).
//!
//! Each explanation is a serde value (what `--json` prints) and a renderer
//! for a person; both come from the model and the derived facts, never from
//! a second evaluation of the rules.

use super::text::{capped, count, Painter, Style, TextTable};
use crate::engine::Visitor;
use crate::error::QueryError;
use crate::model::{Names, PermId, Permission, RelKind, RoleId, RowId, Scope, Tenant};
use crate::answer::query::Analysis;
use crate::answer::why::{PathStep, WhyAnswer};
use serde::Serialize;
use serde_json::Value;

/// How many items a list in a `show` answer prints before `... and N more`.
pub const SHOW_MAX: usize = 20;

fn unknown(what: &'static str, value: &str, problem: String) -> QueryError {
    QueryError::Unknown { what, value: value.to_string(), problem }
}

use crate::answer::query::did_you_mean;

/// The one item among `items` (id, display name) whose name is `name`
/// (without case), else an error listing all that share it.
fn by_display_name<'a>(what: &'static str, name: &str, items: impl Iterator<Item = (&'a str, &'a str)>) -> Result<Option<u32>, QueryError> {
    let want = name.trim().to_lowercase();
    let hits: Vec<(u32, &str)> = items.enumerate().filter(|(_, (_, n))| n.trim().to_lowercase() == want).map(|(i, (id, _))| (i as u32, id)).collect();
    match hits.as_slice() {
        [] => Ok(None),
        [(i, _)] => Ok(Some(*i)),
        many => {
            let mut ids: Vec<&str> = many.iter().map(|(_, id)| *id).collect();
            ids.sort_unstable();
            Err(unknown(what, name, format!("names {} of them; give one of their ids: {}", many.len(), ids.join(", "))))
        }
    }
}

/// Finds a permission by id or by its display name (when one permission
/// has it), with a suggestion when none does.
pub fn permission_id(a: &Analysis, id: &str) -> Result<PermId, QueryError> {
    if let Some(n) = a.tenant.perm_id(id) {
        return Ok(n);
    }
    let perms = || a.tenant.permissions.iter().map(|p| (p.id.as_str(), p.name.as_str()));
    if let Some(n) = by_display_name("table permission", id, perms())? {
        return Ok(n);
    }
    let hint = did_you_mean(id, perms().flat_map(|(i, n)| [i, n]));
    Err(unknown("table permission", id, format!("does not exist{hint}")))
}

/// Finds a role by id or by its display name (when one role has it).
fn role_id(a: &Analysis, id: &str) -> Result<u32, QueryError> {
    if let Some(r) = a.tenant.role_id(id) {
        return Ok(r);
    }
    let roles = || a.tenant.roles.iter().map(|r| (r.id.as_str(), r.name.as_str()));
    if let Some(r) = by_display_name("web role", id, roles())? {
        return Ok(r);
    }
    let hint = did_you_mean(id, roles().flat_map(|(i, n)| [i, n]));
    Err(unknown("web role", id, format!("does not exist{hint}")))
}

// ------------------------------------------------------------------ roles

/// One role a visitor holds (S3, S4).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HeldRole {
    /// Role id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Whether the role is active; an inactive role counts for nothing (S3).
    pub active: bool,
    /// Where it comes from: `contact` (a direct member), `account` (the
    /// visitor's account is a member), `authenticated` (flagged
    /// authenticated users role), `anonymous` (flagged anonymous users role).
    pub via: Vec<&'static str>,
}

/// The `roles VISITOR` answer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RolesAnswer {
    /// Visitor as given.
    pub visitor: String,
    /// `acct(c)` (S1), for a contact that has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The roles, sorted by id; inactive ones are listed with `active: false`.
    pub roles: Vec<HeldRole>,
}

/// The roles `visitor` holds and where each comes from (S3, S4).
pub fn roles(a: &Analysis, visitor: &str) -> Result<RolesAnswer, QueryError> {
    let t = &a.tenant;
    let v = a.visitor(visitor)?;
    let mut via: Vec<Vec<&'static str>> = vec![Vec::new(); t.roles.len()];
    let mut account = None;
    match v {
        Visitor::Anonymous => {
            for (r, role) in t.roles.iter().enumerate() {
                if role.anonymous {
                    via[r].push("anonymous");
                }
            }
        }
        Visitor::Contact(c) => {
            for &(m, r) in &t.contact_members {
                if m == c {
                    via[r as usize].push("contact");
                }
            }
            if let Some(acct) = t.account_of(c) {
                account = Some(t.row_name(acct).to_string());
                for &(m, r) in &t.account_members {
                    if m == acct {
                        via[r as usize].push("account");
                    }
                }
            }
            for (r, role) in t.roles.iter().enumerate() {
                if role.authenticated {
                    via[r].push("authenticated");
                }
            }
        }
    }
    let mut roles: Vec<HeldRole> = via
        .into_iter()
        .enumerate()
        .filter(|(_, v)| !v.is_empty())
        .map(|(r, mut v)| {
            v.dedup();
            let role = &t.roles[r];
            HeldRole { id: role.id.clone(), name: role.name.clone(), active: role.active, via: v }
        })
        .collect();
    roles.sort_by(|x, y| x.id.cmp(&y.id));
    Ok(RolesAnswer { visitor: a.visitor_name(v), account, roles })
}

fn via_text(via: &str, account: Option<&str>) -> String {
    match via {
        "contact" => "direct member".to_string(),
        "account" => format!("through account {}", account.unwrap_or("?")),
        "authenticated" => "authenticated users role".to_string(),
        "anonymous" => "anonymous users role".to_string(),
        other => other.to_string(),
    }
}

/// `roles VISITOR` for a person: each role by display name ([`Names`]).
pub fn render_roles(r: &RolesAnswer, tenant: &Tenant, names: &Names, p: &Painter) -> String {
    let active = r.roles.iter().filter(|x| x.active).count();
    let account = r.account.as_ref().map(|acc| {
        let label = names.reference(tenant, &format!("account:{acc}")).into_owned();
        label.strip_prefix("account:").map(str::to_string).unwrap_or(label)
    });
    let who = if r.visitor == "anonymous" {
        "anonymous visitors hold".to_string()
    } else {
        let visitor = names.contact(tenant, &r.visitor);
        match &account {
            Some(acc) => format!("{visitor} (account {acc}) holds"),
            None => format!("{visitor} (no account) holds"),
        }
    };
    let mut out = format!("{who} {}", count(active, "web role", "web roles"));
    if r.roles.is_empty() {
        out.push('\n');
        return out;
    }
    out.push_str(":\n");
    let mut t = TextTable::new(&["ROLE", "FROM", "NOTE"]);
    for h in &r.roles {
        let from: Vec<String> = h.via.iter().map(|v| via_text(v, account.as_deref())).collect();
        let (note, st) = if h.active {
            (String::new(), Style::Plain)
        } else {
            ("inactive: does not count (S3)".to_string(), Style::Dim)
        };
        t.styled(vec![(names.role_id(&h.id).to_string(), st), (from.join(", "), st), (note, Style::Dim)]);
    }
    t.render(p, &mut out);
    out
}

// ------------------------------------------------------------------ trees

/// One permission of the forest, in depth-first order.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TreeNode {
    /// Permission id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Depth: 0 for a root.
    pub depth: usize,
    /// Parent permission id (none for a root).
    pub parent: Option<String>,
    /// Secured table.
    pub table: String,
    /// Scope name.
    pub scope: &'static str,
    /// The relationship the scope walks (Contact, Account, Parent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship: Option<String>,
    /// Its own privileges (S15), in spec order.
    pub privileges: Vec<&'static str>,
    /// Web roles listed on it: they hold the tree on a root, and are ignored
    /// on a child (S6).
    pub roles: Vec<String>,
    /// Its own active flag.
    pub active: bool,
    /// Active with every ancestor active (S7).
    pub live: bool,
    /// Why it admits nothing or is ignored, when something says so.
    pub notes: Vec<String>,
    /// Whether this is the permission asked about.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub focus: bool,
    /// Internal id.
    #[serde(skip)]
    pub perm: PermId,
}

/// The `tree [PERMISSION]` answer: the trees, roots sorted by id, each in
/// depth-first order with children sorted by id.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Forest {
    /// The permission asked about, when one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    /// Every permission shown, depth-first.
    pub nodes: Vec<TreeNode>,
}

/// Children of every permission, sorted by id; and the roots, sorted by id.
fn children(t: &Tenant) -> (Vec<Vec<PermId>>, Vec<PermId>) {
    let mut kids: Vec<Vec<PermId>> = vec![Vec::new(); t.permissions.len()];
    let mut roots = Vec::new();
    for (n, p) in t.permissions.iter().enumerate() {
        match p.parent {
            Some(m) => kids[m as usize].push(n as PermId),
            None => roots.push(n as PermId),
        }
    }
    let by_id =
        |v: &mut Vec<PermId>| v.sort_by(|a, b| t.permissions[*a as usize].id.cmp(&t.permissions[*b as usize].id));
    for k in kids.iter_mut() {
        by_id(k);
    }
    by_id(&mut roots);
    (kids, roots)
}

/// Scope text: `contact (incident_customer_contacts)`.
pub fn scope_text(p: &Permission) -> String {
    match p.scope_relationship() {
        Some(r) => format!("{} ({})", p.scope.name(), r.name),
        None => p.scope.name().to_string(),
    }
}

/// Why a permission admits nothing whatever the visitor, or is ignored,
/// when the model shows it (S6, S7, S12, S14, S20); roles by id (JSON).
pub fn notes(t: &Tenant, n: PermId) -> Vec<String> {
    notes_naming(t, n, &|r| t.roles[r as usize].id.clone())
}

/// [`notes`], naming roles with `role`.
fn notes_naming(t: &Tenant, n: PermId, role: &dyn Fn(RoleId) -> String) -> Vec<String> {
    let p = &t.permissions[n as usize];
    let mut out = Vec::new();
    if !p.active {
        out.push("inactive: grants nothing, nor does anything below it (S7)".to_string());
    } else if !t.live(n) {
        out.push("under an inactive permission: grants nothing (S7)".to_string());
    }
    if p.parent.is_some() && !p.roles.is_empty() {
        let ids: Vec<String> = p.roles.iter().map(|&r| role(r)).collect();
        out.push(format!("roles listed on a child are ignored: {} (S6)", ids.join(", ")));
    }
    if p.parent.is_none() && p.roles.is_empty() {
        out.push("a root with no roles: held by nobody (S6)".to_string());
    }
    match p.scope {
        Scope::Custom => out.push("custom scope is not evaluated: admits nothing (S14)".to_string()),
        Scope::SelfScope if p.table != t.contact_table => {
            out.push("self scope off the contact table admits nothing (S12)".to_string())
        }
        _ => {}
    }
    if let Some(r) = p.scope_relationship() {
        let other = match p.scope {
            Scope::Contact => Some(t.contact_table),
            Scope::Account => Some(t.account_table),
            Scope::Parent => p.parent.map(|m| t.permissions[m as usize].table),
            _ => None,
        };
        match (r.id, other) {
            (None, _) => out.push(format!("relationship `{}` is unknown: admits nothing", r.name)),
            (Some(id), Some(o)) if !t.relationships[id as usize].joins(p.table, o) => out.push(format!(
                "relationship `{}` does not join `{}` and `{}`: admits nothing (S20)",
                r.name, t.tables[p.table as usize].name, t.tables[o as usize].name
            )),
            _ => {}
        }
    }
    out
}

fn node(t: &Tenant, n: PermId, depth: usize, focus: Option<PermId>) -> TreeNode {
    let p = &t.permissions[n as usize];
    TreeNode {
        id: p.id.clone(),
        name: p.name.clone(),
        depth,
        parent: p.parent.map(|m| t.permissions[m as usize].id.clone()),
        table: t.tables[p.table as usize].name.clone(),
        scope: p.scope.name(),
        relationship: p.scope_relationship().map(|r| r.name.clone()),
        privileges: p.privileges.iter().map(|x| x.name()).collect(),
        roles: p.roles.iter().map(|&r| t.roles[r as usize].id.clone()).collect(),
        active: p.active,
        live: t.live(n),
        notes: notes(t, n),
        focus: focus == Some(n),
        perm: n,
    }
}

/// The permission forest, or only the tree holding `permission`.
pub fn forest(a: &Analysis, permission: Option<&str>) -> Result<Forest, QueryError> {
    let t = &a.tenant;
    let focus = permission.map(|id| permission_id(a, id)).transpose()?;
    let (kids, mut roots) = children(t);
    if let Some(f) = focus {
        roots = vec![t.root_of(f)];
    }
    let mut nodes = Vec::new();
    // Depth-first with an explicit stack: parent chains may be of any depth (S13).
    let mut stack: Vec<(PermId, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
    while let Some((n, d)) = stack.pop() {
        nodes.push(node(t, n, d, focus));
        stack.extend(kids[n as usize].iter().rev().map(|&k| (k, d + 1)));
    }
    Ok(Forest { permission: permission.map(str::to_string), nodes })
}

/// The nodes of `f` in the order a person reads them: trees and children
/// sorted by display name (then id), depth first.
fn by_name<'f>(t: &Tenant, f: &'f Forest, names: &Names) -> Vec<&'f TreeNode> {
    let node: std::collections::HashMap<PermId, &TreeNode> = f.nodes.iter().map(|n| (n.perm, n)).collect();
    let key = |n: &PermId| (names.perm(*n).to_string(), t.permissions[*n as usize].id.clone());
    let (mut kids, _) = children(t);
    kids.iter_mut().for_each(|k| k.sort_by_cached_key(key));
    let mut roots: Vec<PermId> = f.nodes.iter().filter(|n| n.depth == 0).map(|n| n.perm).collect();
    roots.sort_by_cached_key(key);
    let mut out = Vec::with_capacity(f.nodes.len());
    let mut stack: Vec<PermId> = roots.into_iter().rev().collect();
    while let Some(n) = stack.pop() {
        if let Some(nd) = node.get(&n) {
            out.push(*nd);
            stack.extend(kids[n as usize].iter().rev().copied());
        }
    }
    out
}

/// `tree` for a person: one line per permission, children indented;
/// permissions and roles by display name ([`Names`]).
pub fn render_forest(a: &Analysis, f: &Forest, names: &Names, p: &Painter) -> String {
    if f.nodes.is_empty() {
        return "no table permissions\n".to_string();
    }
    let t = &a.tenant;
    let mut table = TextTable::new(&["PERMISSION", "TABLE", "SCOPE", "PRIVILEGES", "ROLES", "NOTE"]);
    for nd in by_name(t, f, names) {
        let perm = &t.permissions[nd.perm as usize];
        let mut id = format!("{}{}", "  ".repeat(nd.depth), names.perm(nd.perm));
        if nd.focus {
            id.push_str(" *");
        }
        let roles = if nd.depth == 0 { perm.roles.iter().map(|&r| names.role(r)).collect::<Vec<_>>().join(", ") } else { String::new() };
        let notes = notes_naming(t, nd.perm, &|r| names.role(r).to_string());
        let st = if !nd.live {
            Style::Dim
        } else if nd.focus {
            Style::Bold
        } else {
            Style::Plain
        };
        let privileges = if nd.privileges.is_empty() { "(none)".to_string() } else { nd.privileges.join(",") };
        table.styled(vec![
            (id, st),
            (nd.table.clone(), st),
            (scope_text(perm), st),
            (privileges, st),
            (roles, st),
            (notes.join("; "), Style::Yellow),
        ]);
    }
    let mut out = String::new();
    table.render(p, &mut out);
    let roots = f.nodes.iter().filter(|n| n.depth == 0).count();
    out.push_str(&p.paint(
        &format!(
            "{} in {}; a tree is held through the roles of its root (S6)",
            count(f.nodes.len(), "permission", "permissions"),
            count(roots, "tree", "trees")
        ),
        Style::Dim,
    ));
    out.push('\n');
    if let Some(id) = &f.permission {
        out.push_str(&format!("* {}\n", names.perm_id(id)));
    }
    out
}

// ------------------------------------------------------------------- show

/// Who holds a permission's tree (S3 to S8), from the derived candidates.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HeldBy {
    /// The anonymous visitor holds it.
    pub anonymous: bool,
    /// Every signed-in contact holds it.
    pub every_contact: bool,
    /// Holders of these roles (directly or through their account) hold it.
    pub roles: Vec<String>,
}

/// The `show permission ID` answer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PermissionView {
    /// The permission as a tree node.
    #[serde(flatten)]
    pub node: TreeNode,
    /// Root of its tree (S5).
    pub root: String,
    /// Who holds its tree, which makes it a candidate (S8) when live.
    pub held_by: HeldBy,
    /// Child permission ids, sorted.
    pub children: Vec<String>,
}

/// `show permission ID`.
pub fn show_permission(a: &Analysis, id: &str) -> Result<PermissionView, QueryError> {
    let t = &a.tenant;
    let n = permission_id(a, id)?;
    let d = &a.grants.derived;
    let (kids, _) = children(t);
    let lo = d.cand_role.partition_point(|&(m, _)| m < n);
    let hi = d.cand_role.partition_point(|&(m, _)| m <= n);
    let mut roles: Vec<String> = d.cand_role[lo..hi].iter().map(|&(_, r)| t.roles[r as usize].id.clone()).collect();
    roles.sort();
    let mut depth = 0;
    let mut cur = t.permissions[n as usize].parent;
    while let Some(m) = cur {
        depth += 1;
        cur = t.permissions[m as usize].parent;
    }
    Ok(PermissionView {
        node: node(t, n, depth, None),
        root: t.permissions[t.root_of(n) as usize].id.clone(),
        held_by: HeldBy {
            anonymous: d.cand_anon.binary_search(&n).is_ok(),
            every_contact: d.cand_all.binary_search(&n).is_ok(),
            roles,
        },
        children: kids[n as usize].iter().map(|&k| t.permissions[k as usize].id.clone()).collect(),
    })
}

fn or_none(v: &[String]) -> String {
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

fn kv_table(rows: Vec<(String, String)>, p: &Painter) -> String {
    let mut t = TextTable::new(&[]);
    let mut last = String::new();
    for (k, v) in rows {
        // A repeated key prints once, for lists that take several lines.
        let key = if k == last { String::new() } else { k.clone() };
        last = k;
        t.styled(vec![(key, Style::Bold), (v, Style::Plain)]);
    }
    let mut out = String::new();
    t.render(p, &mut out);
    out
}

/// `show permission ID` for a person: its id and name, and the
/// permissions and roles tied to it by display name ([`Names`]).
pub fn render_show_permission(v: &PermissionView, names: &Names, p: &Painter) -> String {
    let nd = &v.node;
    let perms = |ids: &[String]| {
        let mut v: Vec<String> = ids.iter().map(|id| names.perm_id(id).to_string()).collect();
        v.sort();
        v
    };
    let roles = perms_roles(&nd.roles, names);
    let mut rows = vec![
        ("permission".to_string(), nd.id.clone()),
        ("name".to_string(), nd.name.clone()),
        ("table".to_string(), nd.table.clone()),
        (
            "scope".to_string(),
            match &nd.relationship {
                Some(r) => format!("{} through {r}", nd.scope),
                None => nd.scope.to_string(),
            },
        ),
        (
            "privileges".to_string(),
            if nd.privileges.is_empty() { "none".to_string() } else { nd.privileges.join(", ") },
        ),
        ("parent".to_string(), nd.parent.as_deref().map_or_else(|| "none (a root)".to_string(), |id| names.perm_id(id).to_string())),
        ("root".to_string(), names.perm_id(&v.root).to_string()),
        ("children".to_string(), or_none(&perms(&v.children))),
        (
            "roles listed".to_string(),
            match (nd.depth, nd.roles.is_empty()) {
                (_, true) => "none".to_string(),
                (0, false) => roles.join(", "),
                (_, false) => format!("{} (ignored on a child, S6)", roles.join(", ")),
            },
        ),
        (
            "active".to_string(),
            format!("{}{}", if nd.active { "yes" } else { "no" }, if nd.live { "" } else { " (not live: S7)" }),
        ),
    ];
    let mut held = Vec::new();
    if v.held_by.anonymous {
        held.push("anonymous visitors".to_string());
    }
    if v.held_by.every_contact {
        held.push("every signed-in contact".to_string());
    }
    if !v.held_by.roles.is_empty() {
        held.push(format!("holders of {}", perms_roles(&v.held_by.roles, names).join(", ")));
    }
    rows.push(("held by".to_string(), if held.is_empty() { "nobody".to_string() } else { held.join("; ") }));
    for n in &nd.notes {
        rows.push(("note".to_string(), names.relabel(n)));
    }
    kv_table(rows, p)
}

/// The `show role ID` answer.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RoleView {
    /// Role id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Flagged anonymous users role (S4).
    pub anonymous_users: bool,
    /// Flagged authenticated users role (S3).
    pub authenticated_users: bool,
    /// Active.
    pub active: bool,
    /// Contacts that are direct members, sorted.
    pub contacts: Vec<String>,
    /// Accounts that are members, sorted.
    pub accounts: Vec<String>,
    /// Contacts holding it through their account, sorted.
    pub contacts_through_accounts: Vec<String>,
    /// Root permissions that list it: the trees it holds (S6).
    pub trees: Vec<String>,
    /// Child permissions that list it, where it is ignored (S6).
    pub ignored_on: Vec<String>,
}

/// `show role ID`.
pub fn show_role(a: &Analysis, id: &str) -> Result<RoleView, QueryError> {
    let t = &a.tenant;
    let r = role_id(a, id)?;
    let role = &t.roles[r as usize];
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v.dedup();
        v
    };
    let contacts = sorted(t.contact_members.iter().filter(|m| m.1 == r).map(|m| t.row_name(m.0).to_string()).collect());
    let accts: Vec<RowId> = t.account_members.iter().filter(|m| m.1 == r).map(|m| m.0).collect();
    let accounts = sorted(accts.iter().map(|&x| t.row_name(x).to_string()).collect());
    let through = sorted(
        t.contact_account
            .iter()
            .filter(|(_, acc)| accts.contains(acc))
            .map(|(c, _)| t.row_name(*c).to_string())
            .collect(),
    );
    let mut trees = Vec::new();
    let mut ignored_on = Vec::new();
    for p in &t.permissions {
        if p.roles.contains(&r) {
            if p.parent.is_none() {
                trees.push(p.id.clone())
            } else {
                ignored_on.push(p.id.clone())
            }
        }
    }
    Ok(RoleView {
        id: role.id.clone(),
        name: role.name.clone(),
        anonymous_users: role.anonymous,
        authenticated_users: role.authenticated,
        active: role.active,
        contacts,
        accounts,
        contacts_through_accounts: through,
        trees: sorted(trees),
        ignored_on: sorted(ignored_on),
    })
}

/// Role ids by display name.
fn perms_roles(ids: &[String], names: &Names) -> Vec<String> {
    ids.iter().map(|id| names.role_id(id).to_string()).collect()
}

/// `show role ID` for a person: its id and name, and the permissions tied
/// to it by display name ([`Names`]).
pub fn render_show_role(v: &RoleView, names: &Names, p: &Painter) -> String {
    let mut flags = Vec::new();
    if v.anonymous_users {
        flags.push("anonymous users role: every visitor who has not signed in holds it (S4)");
    }
    if v.authenticated_users {
        flags.push("authenticated users role: every signed-in contact holds it (S3)");
    }
    let mut rows = vec![
        ("role".to_string(), v.id.clone()),
        ("name".to_string(), v.name.clone()),
        ("flags".to_string(), if flags.is_empty() { "none".to_string() } else { flags.join("; ") }),
        ("active".to_string(), if v.active { "yes".to_string() } else { "no: nobody holds it (S3)".to_string() }),
    ];
    let list = |rows: &mut Vec<(String, String)>, key: &str, items: &[String]| {
        if items.is_empty() {
            rows.push((key.to_string(), "none".to_string()));
        }
        for line in capped(items, SHOW_MAX) {
            rows.push((key.to_string(), line));
        }
    };
    list(&mut rows, "contacts", &v.contacts);
    list(&mut rows, "accounts", &v.accounts);
    list(&mut rows, "through accounts", &v.contacts_through_accounts);
    let perms = |ids: &[String]| {
        let mut v: Vec<String> = ids.iter().map(|id| names.perm_id(id).to_string()).collect();
        v.sort();
        v
    };
    list(&mut rows, "trees", &perms(&v.trees));
    if !v.ignored_on.is_empty() {
        list(&mut rows, "ignored on", &perms(&v.ignored_on));
    }
    kv_table(rows, p)
}

/// A link of a row to another row.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LinkView {
    /// Relationship name.
    pub relationship: String,
    /// `lookup` (this row's column names the other), `referenced_by` (the
    /// other row's column names this one) or `associated` (N:N pair).
    pub direction: &'static str,
    /// The lookup column, for 1:N links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The other row, `TABLE:ID`.
    pub row: String,
}

/// The `show row TABLE:ID` answer.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RowView {
    /// `TABLE:ID`.
    pub row: String,
    /// The row's columns as in the tenant (lookups included).
    pub columns: serde_json::Map<String, Value>,
    /// `acct(c)` for a contact that has one (S1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Links to and from other rows: its lookups, then the rows whose lookups
    /// name it, then N:N pairs; each sorted by relationship, then row.
    pub links: Vec<LinkView>,
}

/// `show row TABLE:ID`.
pub fn show_row(a: &Analysis, reference: &str) -> Result<RowView, QueryError> {
    let t = &a.tenant;
    let x = a.row(reference)?;
    let table = &t.tables[t.table_of(x) as usize];
    let mut columns = serde_json::Map::new();
    if let Some(raw) = t.raw.rows.0.iter().find(|rt| rt.name == table.name) {
        let id = t.row_name(x);
        let i = (x - table.first) as usize;
        let row = if raw.id(i) == Some(id) { Some(i) } else { raw.position(id) };
        if let Some(row) = row {
            for (c, v) in raw.fields(row) {
                if let Some(name) = raw.columns.get(c as usize) {
                    columns.insert(name.clone(), v.to_value());
                }
            }
        }
    }
    let mut links = Vec::new();
    for &(rel, from, to) in t.links.iter() {
        if from != x && to != x {
            continue;
        }
        let r = &t.relationships[rel as usize];
        let (direction, column) = match &r.kind {
            RelKind::OneToMany { lookup, .. } if from == x => ("lookup", Some(lookup.clone())),
            RelKind::OneToMany { lookup, .. } => ("referenced_by", Some(lookup.clone())),
            RelKind::ManyToMany { .. } => ("associated", None),
        };
        let other = if from == x { to } else { from };
        links.push(LinkView { relationship: r.name.clone(), direction, column, row: t.row_ref(other) });
        if from == x && to == x {
            // A row pointing at itself is also referenced by itself.
            if let RelKind::OneToMany { lookup, .. } = &r.kind {
                links.push(LinkView {
                    relationship: r.name.clone(),
                    direction: "referenced_by",
                    column: Some(lookup.clone()),
                    row: t.row_ref(x),
                });
            }
        }
    }
    // This row's own lookups first, then the rows pointing at it, then N:N pairs.
    let rank = |d: &str| match d {
        "lookup" => 0,
        "referenced_by" => 1,
        _ => 2,
    };
    links.sort_by(|p, q| {
        (rank(p.direction), &p.relationship, &p.row).cmp(&(rank(q.direction), &q.relationship, &q.row))
    });
    let account = if table.name == "contact" { t.account_of(x).map(|acc| t.row_name(acc).to_string()) } else { None };
    Ok(RowView { row: t.row_ref(x), columns, account, links })
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `show row TABLE:ID` for a person.
pub fn render_show_row(v: &RowView, p: &Painter) -> String {
    let mut rows = vec![("row".to_string(), v.row.clone())];
    for (k, val) in &v.columns {
        rows.push(("columns".to_string(), format!("{k} = {}", value_text(val))));
    }
    if let Some(acc) = &v.account {
        rows.push(("account".to_string(), format!("account:{acc} (S1)")));
    }
    let links: Vec<String> = v
        .links
        .iter()
        .map(|l| match (l.direction, &l.column) {
            ("lookup", Some(c)) => format!("{c} -> {} ({})", l.row, l.relationship),
            ("referenced_by", Some(c)) => format!("<- {}.{c} ({})", l.row, l.relationship),
            _ => format!("<-> {} ({})", l.row, l.relationship),
        })
        .collect();
    if links.is_empty() {
        rows.push(("links".to_string(), "none".to_string()));
    }
    for l in capped(&links, SHOW_MAX) {
        rows.push(("links".to_string(), l));
    }
    kv_table(rows, p)
}

// -------------------------------------------------------------------- why

/// `text` with each row reference `TABLE:ID` it holds as a word (possibly
/// in brackets or before punctuation) named as readable answers name rows.
fn relabel_rows(t: &Tenant, names: &Names, text: &str) -> String {
    text.split_inclusive(' ')
        .map(|word| {
            let core = word.trim_start_matches('(').trim_end_matches([' ', ')', ',', ';', '.', ':']);
            if core.contains(':') && t.parse_row(core).is_some() {
                word.replacen(core, &names.reference(t, core), 1)
            } else {
                word.to_string()
            }
        })
        .collect()
}

/// How a path step reads for a person: (kind, display name, how).
fn step_text(s: &PathStep, visitor: &str, t: &Tenant, names: &Names) -> (String, String, String) {
    match s {
        PathStep::Role { id, via, account } => {
            let how = match (via.as_str(), account) {
                ("contact", _) => format!("{visitor} is a member"),
                ("account", Some(acc)) => {
                    let account = names.reference(t, acc);
                    format!("its account {} is a member", account.strip_prefix("account:").unwrap_or(&account))
                }
                ("authenticated", _) => "authenticated users role: every signed-in contact".to_string(),
                ("anonymous", _) => "anonymous users role: every visitor not signed in".to_string(),
                (other, _) => other.to_string(),
            };
            ("role".to_string(), names.role_id(id).to_string(), how)
        }
        PathStep::Permission { id, scope } => ("permission".to_string(), names.perm_id(id).to_string(), format!("{scope} scope")),
        PathStep::Row { reference, relationship, anchor } => {
            let how = match (relationship, anchor.as_deref()) {
                (Some(rel), _) => format!("through {rel}"),
                (None, Some("visitor")) => "the visitor".to_string(),
                (None, Some("account")) => "the visitor's account".to_string(),
                (None, _) => "every row (global)".to_string(),
            };
            ("  row".to_string(), names.reference(t, reference).into_owned(), how)
        }
    }
}

/// `why` for a person: the `can` sentence, then one aligned chain per
/// granting permission, or the reason of the nearest miss; permissions and
/// roles by display name ([`Names`]).
pub fn render_why(w: &WhyAnswer, t: &Tenant, names: &Names, p: &Painter) -> String {
    let c = &w.can;
    let mut out = super::text::render_can(c, t, names, p);
    let visitor = names.contact(t, &c.visitor);
    if let Some(reason) = &w.reason {
        let reason = names.relabel_with(reason, &[(c.visitor.as_str(), &visitor)]);
        out.push_str(&format!("  because {}\n", relabel_rows(t, names, &reason)));
    }
    for path in &w.paths {
        // The granting candidate is the last permission of its chain.
        let granting = path.iter().rev().find_map(|s| match s {
            PathStep::Permission { id, .. } => Some(id.as_str()),
            _ => None,
        });
        out.push_str(&format!("  through {}:\n", granting.map_or("?", |id| names.perm_id(id))));
        let mut tt = TextTable::new(&[]).indent(4);
        for s in path {
            let (kind, id, how) = step_text(s, &visitor, t, names);
            tt.styled(vec![(kind, Style::Dim), (id, Style::Bold), (how, Style::Plain)]);
        }
        tt.render(p, &mut out);
    }
    out
}
