//! The F&O rules (spec `finance-operations.md`, F1 to F8) as one Datalog
//! program beside the base program: F&O facts in, plus the base
//! derivation's row grants it narrows (S16 and S17 as the caller expanded
//! them for visitors that have an F&O user); what each F&O user sees
//! (F3 to F5), the portal path (F6), the direct path (F7) and the gap (F8)
//! out.
//!
//! Visibility stays a fact about F&O users and rows (`Visible(u, op, x)`,
//! `DirectUser(u, x)`): a contact appears only through its own mapping
//! (`Runs(v, u)`) and in the answers that ask about it (`Portal`, `Bypass`).
//! Visitors are ids: contacts are their row ids, the anonymous visitor is
//! [`ANONYMOUS`]. Operations are [`READ`], [`CREATE`], [`UPDATE`], [`DELETE`].

use crepe::crepe;

/// The anonymous visitor's id in `Portal*` and `Bypass`.
pub const ANONYMOUS: u32 = u32::MAX;
/// Operation `read`.
pub const READ: u32 = 0;
/// Operation `create`.
pub const CREATE: u32 = 1;
/// Operation `update`.
pub const UPDATE: u32 = 2;
/// Operation `delete`.
pub const DELETE: u32 = 3;

crepe! {
    // ------------------------------------------------------------ inputs
    // `Listed(t)`: table `t` is listed in `virtual_tables`.
    @input pub struct Listed(pub u32);
    // `Mserp(t)`: table `t`'s logical name starts with `mserp_`.
    @input pub struct Mserp(pub u32);
    // `RowIn(x, t)`: row `x` is a row of table `t`.
    @input pub struct RowIn(pub u32, pub u32);
    // `OneToMany(rel, referencing_table, referenced_table)`.
    @input pub struct OneToMany(pub u32, pub u32, pub u32);
    // `ManyToMany(rel, first_table, second_table)`.
    @input pub struct ManyToMany(pub u32, pub u32, pub u32);
    // `Link(rel, from, to)` as in the base program.
    @input pub struct Link(pub u32, pub u32, pub u32);
    // `ContactUser(c, u)`: contact `c` is mapped to F&O user `u`.
    @input pub struct ContactUser(pub u32, pub u32);
    // `AnonUser(u)`: the anonymous visitor runs as `u`.
    @input pub struct AnonUser(pub u32);
    // `UserRole(u, r)`: F&O user `u` holds F&O role `r`.
    @input pub struct UserRole(pub u32, pub u32);
    // `AdminRole(r)`: role `r` is flagged administrator.
    @input pub struct AdminRole(pub u32);
    // `EntityPriv(r, t, op)`: role `r` grants `op` on table `t`'s data entity.
    @input pub struct EntityPriv(pub u32, pub u32, pub u32);
    // `PolicyOn(p)`: XDS policy `p` is enabled.
    @input pub struct PolicyOn(pub u32);
    // `PolicyRole(p, r)`, `PolicyOp(p, op)`.
    @input pub struct PolicyRole(pub u32, pub u32);
    // See `PolicyRole`.
    @input pub struct PolicyOp(pub u32, pub u32);
    // `PolicyPrimary(p, t)`: the primary table of `p`.
    @input pub struct PolicyPrimary(pub u32, pub u32);
    // `ConstrainPrimary(p)`: `p` constrains its primary table too.
    @input pub struct ConstrainPrimary(pub u32);
    // `UserLink(p, rel, link_table, primary_table)`: the link relationship of `p`.
    @input pub struct UserLink(pub u32, pub u32, pub u32, pub u32);
    // `LinkUser(p, l, u)`: row `l` of the link table of policy `p` holds
    // user `u` in the policy's user column.
    @input pub struct LinkUser(pub u32, pub u32, pub u32);
    // `StepFirst(p, t, s)`: the path of constrained table `t` of `p` begins with step `s`.
    @input pub struct StepFirst(pub u32, pub u32, pub u32);
    // `StepNext(s, s2)`: step `s2` follows step `s`.
    @input pub struct StepNext(pub u32, pub u32);
    // `StepLast(p, s)`: step `s` ends the path (at the primary table of `p`).
    @input pub struct StepLast(pub u32, pub u32);
    // `StepRel(s, rel, from_table, to_table)`.
    @input pub struct StepRel(pub u32, pub u32, pub u32, pub u32);
    // `PortalBase(v, x, op)`: S16 lets visitor `v` do a privilege needing
    // operation `op` on row `x` of a virtual table (web roles alone).
    @input pub struct PortalBase(pub u32, pub u32, pub u32);
    // `PortalBaseCreate(v, t)`: S17 lets `v` create in virtual table `t`.
    @input pub struct PortalBaseCreate(pub u32, pub u32);

    // ------------------------------------------------------ intermediates
    struct Admin(u32);
    struct JoinFwd(u32, u32, u32);
    struct JoinBwd(u32, u32, u32);
    struct Reach(u32, u32, u32);
    struct Constrains(u32, u32);
    struct Passes(u32, u32, u32);
    struct Applies(u32, u32, u32);
    struct Blocked(u32, u32, u32);

    // ------------------------------------------------------------ outputs
    // `Virtual(t)`: F1.
    @output pub struct Virtual(pub u32);
    // `Runs(v, u)`: visitor `v` runs as F&O user `u` (F2).
    @output pub struct Runs(pub u32, pub u32);
    // `May(u, t, op)`: F3.
    @output pub struct May(pub u32, pub u32, pub u32);
    // `Admits(p, u, y)`: F4.
    @output pub struct Admits(pub u32, pub u32, pub u32);
    // `Visible(u, op, x)`: F5.
    @output pub struct Visible(pub u32, pub u32, pub u32);
    // `Portal(v, x, op)`: F6.
    @output pub struct Portal(pub u32, pub u32, pub u32);
    // `PortalCreate(v, t)`: F6 for create (table-level).
    @output pub struct PortalCreate(pub u32, pub u32);
    // `DirectUser(u, x)`: F7, per F&O user.
    @output pub struct DirectUser(pub u32, pub u32);
    // `Bypass(v, x)`: F8.
    @output pub struct Bypass(pub u32, pub u32);

    // F1 Virtual tables: listed in `virtual_tables`, or named `mserp_...`.
    Virtual(t) <- Listed(t);
    Virtual(t) <- Mserp(t);

    // F2 The F&O user of a visitor: a contact runs as its mapped user, the
    // anonymous visitor as `anonymous_user`; a user holding an
    // administrator role runs as nobody (the integration refuses it).
    Admin(u) <- UserRole(u, r), AdminRole(r);
    Runs(c, u) <- ContactUser(c, u), !Admin(u);
    Runs(ANONYMOUS, u) <- AnonUser(u), !Admin(u);

    // F3 Entity privileges: some role of `u` grants `op` on virtual table `t`.
    May(u, t, op) <- UserRole(u, r), EntityPriv(r, t, op), Virtual(t);

    // F4 Policy query: relationships walked as Parent chains are (S20 to
    // S22: either direction; self-referential from the referencing side).
    JoinFwd(rel, a, b) <- OneToMany(rel, a, b);
    JoinBwd(rel, a, b) <- OneToMany(rel, b, a), (a != b);
    JoinFwd(rel, a, b) <- ManyToMany(rel, a, b);
    JoinBwd(rel, a, b) <- ManyToMany(rel, b, a);
    // F4 `P` admits primary row `y` for `u` iff a link row whose user column
    // is `u` is related to `y` through the link relationship.
    Admits(p, u, y) <- UserLink(p, rel, l, t), JoinFwd(rel, l, t), LinkUser(p, x, u), Link(rel, x, y);
    Admits(p, u, y) <- UserLink(p, rel, l, t), JoinBwd(rel, l, t), LinkUser(p, x, u), Link(rel, y, x);
    // F4 `Reach(s, x, y)`: walking the path of `x`'s table, step `s` arrives at row `y`.
    Reach(s, x, y) <- StepFirst(_, _, s), StepRel(s, rel, a, b), JoinFwd(rel, a, b), Link(rel, x, y);
    Reach(s, x, y) <- StepFirst(_, _, s), StepRel(s, rel, a, b), JoinBwd(rel, a, b), Link(rel, y, x);
    Reach(s2, x, z) <- Reach(s, x, y), StepNext(s, s2), StepRel(s2, rel, a, b), JoinFwd(rel, a, b), Link(rel, y, z);
    Reach(s2, x, z) <- Reach(s, x, y), StepNext(s, s2), StepRel(s2, rel, a, b), JoinBwd(rel, a, b), Link(rel, z, y);

    // F5 XDS visibility. `P` constrains the tables it has paths for, and its
    // primary table when `constrain_primary` is set.
    Constrains(p, t) <- StepFirst(p, t, _);
    Constrains(p, t) <- ConstrainPrimary(p), PolicyPrimary(p, t);
    // F5 Row `x` passes `P` for `u` when its path reaches a row `P` admits
    // (the primary table's own rows: when admitted).
    Passes(p, u, x) <- StepLast(p, s), Reach(s, x, y), Admits(p, u, y);
    Passes(p, u, x) <- ConstrainPrimary(p), Admits(p, u, x);
    // F5 `P` applies to `u` for `op`: enabled, `op` among its operations, `u` holds one of its roles.
    Applies(p, u, op) <- PolicyOn(p), PolicyOp(p, op), PolicyRole(p, r), UserRole(u, r);
    // F5 Policies intersect: a row failing any applying policy is not visible.
    Blocked(u, op, x) <- Applies(p, u, op), Constrains(p, t), RowIn(x, t), !Passes(p, u, x);
    Visible(u, op, x) <- May(u, t, op), RowIn(x, t), !Blocked(u, op, x);

    // F6 Portal path: S16 grants it, the visitor runs as `u`, and `x` is
    // visible to `u` for the operation (F3 is part of `Visible`).
    Portal(v, x, op) <- PortalBase(v, x, op), Runs(v, u), Visible(u, op, x);
    // F6 for create: S17 grants it and `u` may create in the table.
    PortalCreate(v, t) <- PortalBaseCreate(v, t), Runs(v, u), May(u, t, CREATE);

    // F7 Direct path: what `u` may read and see; web roles play no part.
    DirectUser(u, x) <- Visible(u, READ, x);

    // F8 The gap: read directly, not through the portal.
    Bypass(v, x) <- Runs(v, u), DirectUser(u, x), !Portal(v, x, READ);
}

/// The F&O facts of one tenant (and the base grants F6 narrows), as plain ids.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FinanceFacts {
    /// Tables listed in `virtual_tables`.
    pub listed: Vec<u32>,
    /// Tables named `mserp_...`.
    pub mserp: Vec<u32>,
    /// `(row, table)` for every row the rules may look at.
    pub row_in: Vec<(u32, u32)>,
    /// `(relationship, referencing table, referenced table)`.
    pub one_to_many: Vec<(u32, u32, u32)>,
    /// `(relationship, first table, second table)`.
    pub many_to_many: Vec<(u32, u32, u32)>,
    /// `(relationship, from row, to row)`.
    pub link: Vec<(u32, u32, u32)>,
    /// `(contact, user)`.
    pub contact_user: Vec<(u32, u32)>,
    /// The anonymous visitor's user.
    pub anon_user: Option<u32>,
    /// `(user, role)`.
    pub user_role: Vec<(u32, u32)>,
    /// Administrator roles.
    pub admin_role: Vec<u32>,
    /// `(role, table, op)`.
    pub entity_priv: Vec<(u32, u32, u32)>,
    /// Enabled policies.
    pub policy_on: Vec<u32>,
    /// `(policy, role)`.
    pub policy_role: Vec<(u32, u32)>,
    /// `(policy, op)`.
    pub policy_op: Vec<(u32, u32)>,
    /// `(policy, primary table)`.
    pub policy_primary: Vec<(u32, u32)>,
    /// Policies constraining their primary table.
    pub constrain_primary: Vec<u32>,
    /// `(policy, relationship, link table, primary table)`.
    pub user_link: Vec<(u32, u32, u32, u32)>,
    /// `(policy, link row, user)`.
    pub link_user: Vec<(u32, u32, u32)>,
    /// `(policy, constrained table, first step)`.
    pub step_first: Vec<(u32, u32, u32)>,
    /// `(step, next step)`.
    pub step_next: Vec<(u32, u32)>,
    /// `(policy, last step)`.
    pub step_last: Vec<(u32, u32)>,
    /// `(step, relationship, from table, to table)`.
    pub step_rel: Vec<(u32, u32, u32, u32)>,
    /// `(visitor, row, op)`: S16 grants of visitors with an F&O user on virtual rows.
    pub portal_base: Vec<(u32, u32, u32)>,
    /// `(visitor, table)`: S17 creates of those visitors in virtual tables.
    pub portal_base_create: Vec<(u32, u32)>,
}

/// The derived F&O relations, each sorted and without duplicates.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FinanceDerived {
    /// F1 virtual tables.
    pub virtual_tables: Vec<u32>,
    /// F2 `(visitor, user)`.
    pub runs: Vec<(u32, u32)>,
    /// F3 `(user, table, op)`.
    pub may: Vec<(u32, u32, u32)>,
    /// F4 `(policy, user, primary row)`.
    pub admits: Vec<(u32, u32, u32)>,
    /// F5 `(user, op, row)`.
    pub visible: Vec<(u32, u32, u32)>,
    /// F6 `(visitor, row, op)`.
    pub portal: Vec<(u32, u32, u32)>,
    /// F6 `(visitor, table)` creates.
    pub portal_create: Vec<(u32, u32)>,
    /// F7 `(user, row)`.
    pub direct_user: Vec<(u32, u32)>,
    /// F8 `(visitor, row)`.
    pub bypass: Vec<(u32, u32)>,
}

fn sorted<T: Ord, I: IntoIterator<Item = T>>(it: I) -> Vec<T> {
    let mut v: Vec<T> = it.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Runs rules F1 to F8 over `f`.
pub fn derive(f: &FinanceFacts) -> FinanceDerived {
    let mut rt = Crepe::new();
    rt.extend(f.listed.iter().map(|&t| Listed(t)));
    rt.extend(f.mserp.iter().map(|&t| Mserp(t)));
    rt.extend(f.row_in.iter().map(|&(x, t)| RowIn(x, t)));
    rt.extend(f.one_to_many.iter().map(|&(r, a, b)| OneToMany(r, a, b)));
    rt.extend(f.many_to_many.iter().map(|&(r, a, b)| ManyToMany(r, a, b)));
    rt.extend(f.link.iter().map(|&(r, a, b)| Link(r, a, b)));
    rt.extend(f.contact_user.iter().map(|&(c, u)| ContactUser(c, u)));
    rt.extend(f.anon_user.iter().map(|&u| AnonUser(u)));
    rt.extend(f.user_role.iter().map(|&(u, r)| UserRole(u, r)));
    rt.extend(f.admin_role.iter().map(|&r| AdminRole(r)));
    rt.extend(f.entity_priv.iter().map(|&(r, t, o)| EntityPriv(r, t, o)));
    rt.extend(f.policy_on.iter().map(|&p| PolicyOn(p)));
    rt.extend(f.policy_role.iter().map(|&(p, r)| PolicyRole(p, r)));
    rt.extend(f.policy_op.iter().map(|&(p, o)| PolicyOp(p, o)));
    rt.extend(f.policy_primary.iter().map(|&(p, t)| PolicyPrimary(p, t)));
    rt.extend(f.constrain_primary.iter().map(|&p| ConstrainPrimary(p)));
    rt.extend(f.user_link.iter().map(|&(p, r, l, t)| UserLink(p, r, l, t)));
    rt.extend(f.link_user.iter().map(|&(p, l, u)| LinkUser(p, l, u)));
    rt.extend(f.step_first.iter().map(|&(p, t, s)| StepFirst(p, t, s)));
    rt.extend(f.step_next.iter().map(|&(s, s2)| StepNext(s, s2)));
    rt.extend(f.step_last.iter().map(|&(p, s)| StepLast(p, s)));
    rt.extend(f.step_rel.iter().map(|&(s, r, a, b)| StepRel(s, r, a, b)));
    rt.extend(f.portal_base.iter().map(|&(v, x, o)| PortalBase(v, x, o)));
    rt.extend(f.portal_base_create.iter().map(|&(v, t)| PortalBaseCreate(v, t)));
    let (virtual_tables, runs, may, admits, visible, portal, portal_create, direct_user, bypass) = rt.run();
    FinanceDerived {
        virtual_tables: sorted(virtual_tables.into_iter().map(|Virtual(t)| t)),
        runs: sorted(runs.into_iter().map(|Runs(v, u)| (v, u))),
        may: sorted(may.into_iter().map(|May(u, t, o)| (u, t, o))),
        admits: sorted(admits.into_iter().map(|Admits(p, u, y)| (p, u, y))),
        visible: sorted(visible.into_iter().map(|Visible(u, o, x)| (u, o, x))),
        portal: sorted(portal.into_iter().map(|Portal(v, x, o)| (v, x, o))),
        portal_create: sorted(portal_create.into_iter().map(|PortalCreate(v, t)| (v, t))),
        direct_user: sorted(direct_user.into_iter().map(|DirectUser(u, x)| (u, x))),
        bypass: sorted(bypass.into_iter().map(|Bypass(v, x)| (v, x))),
    }
}
