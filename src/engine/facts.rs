//! The facts of a tenant as the Datalog rules take them, and the role
//! memberships indexed for the plan ([`super::plan`]) and the answer index
//! ([`super::grants`]): the first room of the engine, read by both.

use crate::model::channels::is_false;
use crate::model::{Privilege, RelKind, RoleId, RowId, Scope, Tenant};
use portal_access_rules as rules;

/// The facts of a tenant, as the rules take them.
pub fn facts(t: &Tenant) -> rules::Facts {
    let mut f = config_facts(t);
    f.link = t.links.to_vec();
    f.contacts = t.contacts().collect();
    f.contact_account = t.contact_account.to_vec();
    f.contact_member = t.contact_members.clone();
    f.account_member = t.account_members.clone();
    f
}

/// The configuration facts of a tenant (permissions, scopes, relationship
/// shapes, roles), with every row field (links, contacts, accounts,
/// memberships) left empty: what the propagation plan reads.
pub fn config_facts(t: &Tenant) -> rules::Facts {
    let mut f = rules::Facts::default();
    for (n, p) in t.permissions.iter().enumerate() {
        let n = n as u32;
        f.perm.push((n, p.table));
        if p.active {
            f.perm_active.push(n);
        }
        if let Some(m) = p.parent {
            f.perm_parent.push((n, m));
        }
        f.perm_role.extend(p.roles.iter().map(|&r| (n, r)));
        if p.privileges.has(Privilege::Create) {
            f.perm_create.push(n);
        }
        let rel = p.scope_relationship().and_then(|r| r.id);
        match (p.scope, rel) {
            (Scope::Global, _) => f.scope_global.push(n),
            (Scope::SelfScope, _) => f.scope_self.push(n),
            (Scope::Contact, Some(r)) => f.scope_contact.push((n, r)),
            (Scope::Account, Some(r)) => f.scope_account.push((n, r)),
            (Scope::Parent, Some(r)) => f.scope_parent.push((n, r)),
            (Scope::Custom, _) => f.scope_custom.push(n),
            // A2 `unknown(R)`: a relationship named that nobody declares.
            (Scope::Contact | Scope::Account, None) if named(p.scope_relationship()) => f.scope_unknown_top.push(n),
            (Scope::Parent, None) if named(p.scope_relationship()) => f.scope_unknown_parent.push(n),
            // A relationship missing altogether: no scope fact (admits nothing).
            _ => {}
        }
    }
    for (r, rel) in t.relationships.iter().enumerate() {
        match &rel.kind {
            RelKind::OneToMany { referencing, referenced, .. } => f.one_to_many.push((r as u32, *referencing, *referenced)),
            RelKind::ManyToMany { tables } => f.many_to_many.push((r as u32, tables[0], tables[1])),
        }
    }
    f.registration_off = registration_off(t);
    if let Some(fo) = &t.finance {
        f.virtual_table = (0..t.tables.len() as u32).filter(|&x| fo.is_virtual(x)).collect();
        f.anon_fo_user = fo.anonymous_user.filter(|&u| !fo.is_admin(u)).into_iter().collect();
    }
    f.contact_table = Some(t.contact_table);
    f.account_table = Some(t.account_table);
    (f.role_active, f.role_anon, f.role_auth) = role_flags(t);
    f
}

/// The registration settings of `t` that are `false` (0 `Enabled`, 1
/// `OpenRegistrationEnabled`), the `RegistrationOff` facts of C8.
pub fn registration_off(t: &Tenant) -> Vec<u32> {
    let raw = &t.raw.site_settings;
    let value = |name: &str| t.channels.settings.get(name).and_then(|&i| raw.get(i)).map(|s| s.value.as_str());
    [("authentication/registration/enabled", 0), ("authentication/registration/openregistrationenabled", 1)]
        .into_iter()
        .filter(|(name, _)| value(name).is_some_and(is_false))
        .map(|(_, k)| k)
        .collect()
}

/// The roles that are active, flagged anonymous users role and flagged
/// authenticated users role (S3, S4), each sorted: the role facts of every
/// rules program.
pub fn role_flags(t: &Tenant) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
    let ids = |keep: fn(&crate::model::Role) -> bool| t.roles.iter().enumerate().filter(|(_, r)| keep(r)).map(|(i, _)| i as u32).collect();
    (ids(|r| r.active), ids(|r| r.anonymous), ids(|r| r.authenticated))
}

fn named(rel: Option<&crate::model::RelRef>) -> bool {
    rel.is_some_and(|r| !r.name.trim().is_empty())
}

/// The roles each contact holds as bit sets over role ids (S3, without the
/// authenticated-users roles, which `CandAll` covers): `holds` becomes a
/// few ANDs against a permission's candidate roles ([`Grants`]). Each set
/// is `words` 64-bit words, enough for every role a membership names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RoleSets {
    /// First contact row id.
    pub(crate) first: RowId,
    /// Words per set.
    pub(crate) words: usize,
    /// Per contact: roles held directly or through its account.
    pub(crate) held: Vec<u64>,
    /// Per contact: roles held directly.
    pub(crate) direct: Vec<u64>,
}

impl RoleSets {
    pub(crate) fn new(t: &Tenant) -> RoleSets {
        let top = t.contact_members.iter().chain(&t.account_members).map(|e| e.1 as usize + 1).max().unwrap_or(0);
        let w = top.div_ceil(64).max(1);
        let contacts = t.contacts();
        let accounts = t.tables[t.account_table as usize].rows();
        let mut direct = vec![0u64; contacts.len() * w];
        for &(c, r) in &t.contact_members {
            set_bit(&mut direct, w, (c - contacts.start) as usize, r);
        }
        let mut by_account = vec![0u64; accounts.len() * w];
        for &(a, r) in &t.account_members {
            if let Some(i) = a.checked_sub(accounts.start).filter(|&i| (i as usize) < accounts.len()) {
                set_bit(&mut by_account, w, i as usize, r);
            }
        }
        let mut held = direct.clone();
        for &(c, a) in t.contact_account.iter() {
            if let Some(i) = a.checked_sub(accounts.start).filter(|&i| (i as usize) < accounts.len()) {
                let (ci, ai) = ((c - contacts.start) as usize * w, i as usize * w);
                for k in 0..w {
                    held[ci + k] |= by_account[ai + k];
                }
            }
        }
        RoleSets { first: contacts.start, words: w, held, direct }
    }

    /// The words of contact `c` in `v` (empty for a row that is no contact).
    pub(crate) fn of<'a>(&self, v: &'a [u64], c: RowId) -> &'a [u64] {
        let i = c.wrapping_sub(self.first) as usize;
        v.get(i * self.words..(i + 1) * self.words).unwrap_or(&[])
    }

    /// Whether the set of contact `c` in `v` meets the role set `roles`
    /// (`words` words).
    pub(crate) fn meets(&self, v: &[u64], c: RowId, roles: &[u64]) -> bool {
        self.of(v, c).iter().zip(roles).any(|(a, b)| a & b != 0)
    }

    /// Whether contact `c` holds role `r` (directly or through its account).
    pub(crate) fn has(&self, c: RowId, r: RoleId) -> bool {
        self.of(&self.held, c).get(r as usize / 64).is_some_and(|w| w >> (r % 64) & 1 == 1)
    }

    /// Each permission's candidate roles as a set of `words` words
    /// (roles no membership names are held by nobody and left out).
    pub(crate) fn cand(&self, cand_role: &[Vec<RoleId>]) -> Vec<u64> {
        let w = self.words;
        let mut cand = vec![0u64; cand_role.len() * w];
        for (n, rs) in cand_role.iter().enumerate() {
            for &r in rs.iter().filter(|&&r| (r as usize) < w * 64) {
                set_bit(&mut cand, w, n, r);
            }
        }
        cand
    }
}

/// Sets bit `r` of set `i` in `v` (sets of `w` words).
fn set_bit(v: &mut [u64], w: usize, i: usize, r: RoleId) {
    v[i * w + r as usize / 64] |= 1 << (r % 64);
}

/// Role memberships and contact accounts of a tenant, indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Members {
    /// `(role, contact)` direct members, sorted.
    pub(crate) members_by_role: Vec<(RoleId, RowId)>,
    /// `(role, account)` member accounts, sorted.
    pub(crate) accounts_by_role: Vec<(RoleId, RowId)>,
    /// `(account, contact)` for contacts whose account it is, sorted.
    pub(crate) contacts_by_account: Vec<(RowId, RowId)>,
    /// Roles per contact as bit sets.
    pub(crate) sets: RoleSets,
}

impl Members {
    pub(crate) fn new(t: &Tenant) -> Members {
        Members {
            members_by_role: flipped(&t.contact_members),
            accounts_by_role: flipped(&t.account_members),
            contacts_by_account: flipped(&t.contact_account),
            sets: RoleSets::new(t),
        }
    }

    /// Direct members of role `r`, ascending.
    pub(crate) fn of_role(&self, r: RoleId) -> impl Iterator<Item = RowId> + '_ {
        range(&self.members_by_role, r, |e| e.0).iter().map(|e| e.1)
    }

    /// Accounts that are members of role `r`, ascending.
    pub(crate) fn accounts_of_role(&self, r: RoleId) -> impl Iterator<Item = RowId> + '_ {
        range(&self.accounts_by_role, r, |e| e.0).iter().map(|e| e.1)
    }

    /// The contacts of account `a`, ascending.
    pub(crate) fn of_account(&self, a: RowId) -> impl Iterator<Item = RowId> + '_ {
        range(&self.contacts_by_account, a, |e| e.0).iter().map(|e| e.1)
    }
}

/// `(b, a)` for each `(a, b)` of `pairs`, sorted. Pairs already sorted
/// (as a tenant keeps them) regroup by `b` in one stable counting pass.
fn flipped(pairs: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let (Some(lo), Some(hi)) = (pairs.iter().map(|e| e.1).min(), pairs.iter().map(|e| e.1).max()) else {
        return Vec::new();
    };
    if !pairs.is_sorted() {
        let mut out: Vec<_> = pairs.iter().map(|&(a, b)| (b, a)).collect();
        out.sort_unstable();
        out.dedup();
        return out;
    }
    let mut at = vec![0usize; (hi - lo) as usize + 2];
    for e in pairs {
        at[(e.1 - lo) as usize + 1] += 1;
    }
    for i in 1..at.len() {
        at[i] += at[i - 1];
    }
    let mut out = vec![(0, 0); pairs.len()];
    for &(a, b) in pairs {
        let k = &mut at[(b - lo) as usize];
        out[*k] = (b, a);
        *k += 1;
    }
    out.dedup();
    out
}

/// The entries of `v` (sorted by their first field) whose first field is `key`.
pub(crate) fn range<K: Ord + Copy, T>(v: &[T], key: K, f: impl Fn(&T) -> K) -> &[T] {
    let lo = v.partition_point(|e| f(e) < key);
    let hi = v.partition_point(|e| f(e) <= key);
    &v[lo..hi]
}
