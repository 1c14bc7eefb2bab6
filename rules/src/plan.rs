//! The propagation plan: the access rules of [`crate::derive`] with the
//! rows left out.
//!
//! Datalog reasons where facts are few: roles, permission trees, scopes and
//! relationship shapes. It reads only the configuration fields of
//! [`Facts`] (never `link`, `contacts`, `contact_account` or the
//! memberships) and says, for every live permission, where its rows come
//! from: the top of its chain (all rows, the visitor's contact, the
//! visitor's account), the direction each relationship is walked in, and
//! how many Parent steps lie between the permission and that top. A row
//! engine then moves rows down the plan, parents first, in loops over
//! arrays; the grants it builds are those of the row-level program.
//!
//! Every rule below repeats, with the same name, a rule of the row-level
//! program; the rules that mention rows are replaced by `Chain*`, which
//! orders the work.

use crate::Facts;
use crepe::crepe;

crepe! {
    // ------------------------------------------------------------ inputs
    // The configuration inputs of the row-level program, unchanged.
    @input struct Perm(u32, u32);
    @input struct PermActive(u32);
    @input struct PermParent(u32, u32);
    @input struct PermRole(u32, u32);
    @input struct PermCreate(u32);
    @input struct ScopeGlobal(u32);
    @input struct ScopeContact(u32, u32);
    @input struct ScopeAccount(u32, u32);
    @input struct ScopeSelf(u32);
    @input struct ScopeParent(u32, u32);
    @input struct OneToMany(u32, u32, u32);
    @input struct ManyToMany(u32, u32, u32);
    @input struct ContactTable(u32);
    @input struct AccountTable(u32);
    @input struct RoleActive(u32);
    @input struct RoleFlagAnon(u32);
    @input struct RoleFlagAuth(u32);
    // Pattern inputs (A1, A2): Custom scopes, scope relationships nobody
    // declares (on a Contact or Account node, on a Parent node), and the
    // registration settings that are `false` (C8).
    @input struct ScopeCustom(u32);
    @input struct ScopeUnknownTop(u32);
    @input struct ScopeUnknownParent(u32);
    @input struct RegistrationOff(u32);
    // F2 on patterns: virtual tables of a tenant with F&O data, and the
    // anonymous visitor's F&O user when one is set (and no administrator).
    @input struct VirtualTable(u32);
    @input struct AnonFoUser(u32);

    // ------------------------------------------------------ intermediates
    struct HasParent(u32);
    struct Root(u32);
    struct RootOf(u32, u32);
    struct Live(u32);
    struct AnonRole(u32);
    struct SignedInRole(u32);
    struct AuthRole(u32);
    struct PlainRole(u32);
    struct HeldByAnon(u32);
    struct HeldByAll(u32);
    struct HeldByRole(u32, u32);
    struct JoinFwd(u32, u32, u32);
    struct JoinBwd(u32, u32, u32);
    struct Step(u32, u32);
    struct RegClosed(u32);
    struct StepEvery(u32);
    struct StepAnchored(u32);
    struct StepCustom(u32);
    struct StepUp(u32, u32);
    struct StepSome(u32);
    struct StepNone(u32);
    struct StepUnsure(u32);
    struct OpenTop(u32);
    struct OnVirtual(u32);

    // ------------------------------------------------------------ outputs
    // Holders and creates: as in the row-level program.
    @output struct CandAnon(u32);
    @output struct CandAll(u32);
    @output struct CandRole(u32, u32);
    @output struct CreateAnon(u32);
    @output struct CreateAll(u32);
    @output struct CreateRole(u32, u32);
    // `InAll(n)`: n admits every row of its table (S9).
    @output struct InAll(u32);
    // `InSelf(n)`: n admits, for each contact c, the row c (S12).
    @output struct InSelf(u32);
    // `ContactFwd(n, rel)`: n admits x for c when Link(rel, x, c); `Bwd`: Link(rel, c, x) (S10).
    @output struct ContactFwd(u32, u32);
    @output struct ContactBwd(u32, u32);
    // `AccountFwd(n, rel)`: n admits x for a when Link(rel, x, a); `Bwd`: Link(rel, a, x) (S11).
    @output struct AccountFwd(u32, u32);
    @output struct AccountBwd(u32, u32);
    // `ParentFwd(n, m, rel)`: n admits x where m admits y and Link(rel, x, y);
    // `Bwd`: Link(rel, y, x) (S13).
    @output struct ParentFwd(u32, u32, u32);
    @output struct ParentBwd(u32, u32, u32);
    // `ChainAll(n, d)`: n's rows hang d Parent steps below a Global top
    // (d = 0: InAll; d > 0: InG). `ChainContact`: below a Contact or Self
    // top (InC). `ChainAccount`: below an Account top (InA).
    @output struct ChainAll(u32, u32);
    @output struct ChainContact(u32, u32);
    @output struct ChainAccount(u32, u32);
    // Patterns (A1 to A4). `CandNewcomer(n)`: the newcomer holds n.
    // `TopEvery`, `TopAnchored`, `TopCustom`: the top of n's condition chain
    // is Global; Contact, Account or Self; Custom. `ChainNone`: a step of the
    // chain admits nothing. `ChainUnsure`: the chain rests on Custom or on an
    // undeclared relationship. `Possible*`: n's row pattern is possible for
    // that class.
    @output struct CandNewcomer(u32);
    @output struct TopEvery(u32);
    @output struct TopAnchored(u32);
    @output struct TopCustom(u32);
    @output struct ChainNone(u32);
    @output struct ChainUnsure(u32);
    @output struct PossibleAnon(u32);
    @output struct PossibleContacts(u32);
    @output struct PossibleNewcomer(u32);

    // ------------------------------------------------------ S5 trees
    // S5 Trees: a permission with no parent is a root; every permission
    // belongs to the tree of exactly one root (cycles are refused at load).
    HasParent(n) <- PermParent(n, _);
    Root(n) <- Perm(n, _), !HasParent(n);
    RootOf(n, n) <- Root(n);
    RootOf(n, r) <- PermParent(n, m), RootOf(m, r);

    // S7 Inactive: an inactive permission contributes nothing, nor does any
    // permission below it.
    Live(n) <- Root(n), PermActive(n);
    Live(n) <- PermParent(n, m), Live(m), PermActive(n);

    // ------------------------------------------------------ S3, S4 roles
    // S4 Anonymous visitor: every active role flagged anonymous users role.
    AnonRole(r) <- RoleActive(r), RoleFlagAnon(r);
    // S3 A signed-in contact never holds a role flagged anonymous users role.
    SignedInRole(r) <- RoleActive(r), !RoleFlagAnon(r);
    // S3 Every contact holds every active authenticated users role.
    AuthRole(r) <- SignedInRole(r), RoleFlagAuth(r);
    // S3 Other roles are held through direct or account membership.
    PlainRole(r) <- SignedInRole(r), !RoleFlagAuth(r);

    // S6 Roles come from the root; roles listed on children are ignored.
    HeldByAnon(n) <- Root(n), PermRole(n, r), AnonRole(r);
    HeldByAll(n) <- Root(n), PermRole(n, r), AuthRole(r);
    HeldByRole(n, r) <- Root(n), PermRole(n, r), PlainRole(r);

    // S8 Every node counts: each live node of a held tree is a candidate.
    CandAnon(n) <- Live(n), RootOf(n, root), HeldByAnon(root);
    CandAll(n) <- Live(n), RootOf(n, root), HeldByAll(root);
    CandRole(n, r) <- Live(n), RootOf(n, root), HeldByRole(root, r);

    // S17 Create is table-level: any candidate with `create`, whatever its scope.
    CreateAnon(t) <- CandAnon(n), PermCreate(n), Perm(n, t);
    CreateAll(t) <- CandAll(n), PermCreate(n), Perm(n, t);
    CreateRole(r, t) <- CandRole(n, r), PermCreate(n), Perm(n, t);

    // ------------------------------------------------------ relationships
    // S20 One-to-many, usable in either direction; S22 many-to-many pairs
    // in either direction.
    JoinFwd(rel, t, u) <- OneToMany(rel, t, u);
    // S21 Self-referential: the secured or child table is the referencing
    // side, so no backward walk when both tables are the same.
    JoinBwd(rel, t, u) <- OneToMany(rel, u, t), (t != u);
    JoinFwd(rel, t, u) <- ManyToMany(rel, t, u);
    JoinBwd(rel, t, u) <- ManyToMany(rel, u, t);

    // S20 A permission walks its relationship in the direction that joins
    // its own table to `contact`, `account` or its parent's table; a
    // relationship that joins neither way gives no walk and admits nothing.
    ContactFwd(n, rel) <- ScopeContact(n, rel), Live(n), Perm(n, t), ContactTable(u), JoinFwd(rel, t, u);
    ContactBwd(n, rel) <- ScopeContact(n, rel), Live(n), Perm(n, t), ContactTable(u), JoinBwd(rel, t, u);
    AccountFwd(n, rel) <- ScopeAccount(n, rel), Live(n), Perm(n, t), AccountTable(u), JoinFwd(rel, t, u);
    AccountBwd(n, rel) <- ScopeAccount(n, rel), Live(n), Perm(n, t), AccountTable(u), JoinBwd(rel, t, u);
    ParentFwd(n, m, rel) <- ScopeParent(n, rel), Live(n), PermParent(n, m), Perm(n, t), Perm(m, u), JoinFwd(rel, t, u);
    ParentBwd(n, m, rel) <- ScopeParent(n, rel), Live(n), PermParent(n, m), Perm(n, t), Perm(m, u), JoinBwd(rel, t, u);

    // ------------------------------------------------------ row scopes
    // S9 Global: every row of the table, wherever the node sits in its tree.
    InAll(n) <- ScopeGlobal(n), Live(n);
    // S12 Self: the visitor's own contact row, only on table `contact`.
    InSelf(n) <- ScopeSelf(n), Live(n), Perm(n, t), ContactTable(t);

    // Tops of chains: S9 Global, S10 Contact and S12 Self (contact-keyed),
    // S11 Account (account-keyed).
    ChainAll(n, 0) <- InAll(n);
    ChainContact(n, 0) <- InSelf(n);
    ChainContact(n, 0) <- ContactFwd(n, _);
    ChainContact(n, 0) <- ContactBwd(n, _);
    ChainAccount(n, 0) <- AccountFwd(n, _);
    ChainAccount(n, 0) <- AccountBwd(n, _);

    // S13 Parent: a Parent node is one step below its parent and keeps the
    // kind of its chain's top, whatever the depth (S14 Custom, and a
    // relationship that joins nothing, start no chain).
    Step(n, m) <- ParentFwd(n, m, _);
    Step(n, m) <- ParentBwd(n, m, _);
    ChainAll(n, d + 1) <- Step(n, m), ChainAll(m, d);
    ChainContact(n, d + 1) <- Step(n, m), ChainContact(m, d);
    ChainAccount(n, d + 1) <- Step(n, m), ChainAccount(m, d);

    // ------------------------------------------------------ A1 to A4 patterns
    // A1 Holder: the newcomer (C9) holds what an authenticated users role
    // holds, when registration is open (C8: no registration setting false).
    RegClosed(n) <- Perm(n, _), RegistrationOff(_);
    CandNewcomer(n) <- CandAll(n), !RegClosed(n);

    // A2 Condition, one step per node: Global is `every` wherever it sits
    // (S9); a Contact, Account or Self top that joins is contact-anchored
    // (S10 to S12), and so is one whose relationship nobody declares
    // (`unknown(R)`); Custom (S14); a Parent node goes one step up (S13),
    // through a joining or an undeclared relationship.
    StepEvery(n) <- InAll(n);
    StepAnchored(n) <- ChainContact(n, 0);
    StepAnchored(n) <- ChainAccount(n, 0);
    StepAnchored(n) <- ScopeUnknownTop(n), Live(n);
    StepCustom(n) <- ScopeCustom(n), Live(n);
    StepUp(n, m) <- Step(n, m);
    StepUp(n, m) <- ScopeUnknownParent(n), Live(n), PermParent(n, m);
    // A2 `none`: a step that S12 or S20 makes empty (Self off `contact`, a
    // relationship that does not join, a Parent node without a parent).
    StepSome(n) <- StepEvery(n);
    StepSome(n) <- StepAnchored(n);
    StepSome(n) <- StepCustom(n);
    StepSome(n) <- StepUp(n, _);
    StepNone(n) <- Live(n), !StepSome(n);
    StepUnsure(n) <- StepCustom(n);
    StepUnsure(n) <- ScopeUnknownTop(n), Live(n);
    StepUnsure(n) <- ScopeUnknownParent(n), Live(n);

    // A2 The chain runs from n up through Parent steps to its top.
    TopEvery(n) <- StepEvery(n);
    TopEvery(n) <- StepUp(n, m), TopEvery(m);
    TopAnchored(n) <- StepAnchored(n);
    TopAnchored(n) <- StepUp(n, m), TopAnchored(m);
    TopCustom(n) <- StepCustom(n);
    TopCustom(n) <- StepUp(n, m), TopCustom(m);
    ChainNone(n) <- StepNone(n);
    ChainNone(n) <- StepUp(n, m), ChainNone(m);
    ChainUnsure(n) <- StepUnsure(n);
    ChainUnsure(n) <- StepUp(n, m), ChainUnsure(m);

    // A4 Possible: an `every` top (and a Custom one, which a gate must not
    // pass for want of input) for any class holding n; a contact-anchored
    // top for contacts only (S10 to S12, C9); a `none` chain for nobody.
    OpenTop(n) <- TopEvery(n);
    OpenTop(n) <- TopCustom(n);
    // F2: on a virtual table, the newcomer (no F&O user) never; the
    // anonymous visitor only through the F&O user set for it.
    OnVirtual(n) <- Perm(n, t), VirtualTable(t);
    PossibleAnon(n) <- CandAnon(n), OpenTop(n), !ChainNone(n), !OnVirtual(n);
    PossibleAnon(n) <- CandAnon(n), OpenTop(n), !ChainNone(n), OnVirtual(n), AnonFoUser(_);
    PossibleNewcomer(n) <- CandNewcomer(n), OpenTop(n), !ChainNone(n), !OnVirtual(n);
    PossibleContacts(n) <- CandAll(n), !ChainNone(n);
    PossibleContacts(n) <- CandRole(n, _), !ChainNone(n);
}

/// Where the rows of a chain's top come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Anchor {
    /// A Global top: every row (S9); Parent nodes below it give `InG`.
    All,
    /// A Contact or Self top: rows for one contact (`InC`).
    Contact,
    /// An Account top: rows for one account (`InA`).
    Account,
}

/// The propagation plan of one tenant, every vector sorted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Candidates of the anonymous visitor.
    pub cand_anon: Vec<u32>,
    /// Candidates of every signed-in contact.
    pub cand_all: Vec<u32>,
    /// `(permission, role)`.
    pub cand_role: Vec<(u32, u32)>,
    /// Tables the anonymous visitor may create in.
    pub create_anon: Vec<u32>,
    /// Tables every signed-in contact may create in.
    pub create_all: Vec<u32>,
    /// `(role, table)`.
    pub create_role: Vec<(u32, u32)>,
    /// Permissions admitting every row of their table.
    pub in_all: Vec<u32>,
    /// Self-scope permissions on `contact`.
    pub in_self: Vec<u32>,
    /// `(permission, relationship)`: Contact scope, `Link(rel, x, c)`.
    pub contact_fwd: Vec<(u32, u32)>,
    /// `(permission, relationship)`: Contact scope, `Link(rel, c, x)`.
    pub contact_bwd: Vec<(u32, u32)>,
    /// `(permission, relationship)`: Account scope, `Link(rel, x, a)`.
    pub account_fwd: Vec<(u32, u32)>,
    /// `(permission, relationship)`: Account scope, `Link(rel, a, x)`.
    pub account_bwd: Vec<(u32, u32)>,
    /// `(child, parent, relationship)`: Parent scope, `Link(rel, x, y)`.
    pub parent_fwd: Vec<(u32, u32, u32)>,
    /// `(child, parent, relationship)`: Parent scope, `Link(rel, y, x)`.
    pub parent_bwd: Vec<(u32, u32, u32)>,
    /// `(depth, permission, anchor)`: every permission that admits rows,
    /// parents before children.
    pub chain: Vec<(u32, u32, Anchor)>,
    /// The row patterns of every live permission (A1 to A4).
    pub patterns: PatternPlan,
}

/// Where a condition chain starts (A2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Top {
    /// A Global top (S9): `every`.
    Every,
    /// A Contact, Account or Self top (S10 to S12).
    Anchored,
    /// A Custom top (S14).
    Custom,
    /// No top: a step admits nothing (`none`).
    None,
}

/// The patterns part of the plan (A1 to A4), every vector sorted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PatternPlan {
    /// Candidates of the newcomer (A1, C9).
    pub cand_newcomer: Vec<u32>,
    /// `(permission, top)` for every live permission.
    pub top: Vec<(u32, Top)>,
    /// Live permissions whose chain rests on Custom or an undeclared relationship.
    pub unsure: Vec<u32>,
    /// Permissions whose row pattern is possible for the anonymous visitor.
    pub possible_anon: Vec<u32>,
    /// Permissions whose row pattern is possible for contacts.
    pub possible_contacts: Vec<u32>,
    /// Permissions whose row pattern is possible for the newcomer.
    pub possible_newcomer: Vec<u32>,
}

fn sorted<T: Ord, I: IntoIterator<Item = T>>(it: I) -> Vec<T> {
    let mut v: Vec<T> = it.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Runs the plan rules over the configuration fields of `facts` (row
/// fields are not read).
pub fn plan(facts: &Facts) -> Plan {
    let mut rt = Crepe::new();
    rt.extend(facts.perm.iter().map(|&(n, t)| Perm(n, t)));
    rt.extend(facts.perm_active.iter().map(|&n| PermActive(n)));
    rt.extend(facts.perm_parent.iter().map(|&(n, m)| PermParent(n, m)));
    rt.extend(facts.perm_role.iter().map(|&(n, r)| PermRole(n, r)));
    rt.extend(facts.perm_create.iter().map(|&n| PermCreate(n)));
    rt.extend(facts.scope_global.iter().map(|&n| ScopeGlobal(n)));
    rt.extend(facts.scope_contact.iter().map(|&(n, r)| ScopeContact(n, r)));
    rt.extend(facts.scope_account.iter().map(|&(n, r)| ScopeAccount(n, r)));
    rt.extend(facts.scope_self.iter().map(|&n| ScopeSelf(n)));
    rt.extend(facts.scope_parent.iter().map(|&(n, r)| ScopeParent(n, r)));
    rt.extend(facts.one_to_many.iter().map(|&(r, a, b)| OneToMany(r, a, b)));
    rt.extend(facts.many_to_many.iter().map(|&(r, a, b)| ManyToMany(r, a, b)));
    rt.extend(facts.contact_table.iter().map(|&t| ContactTable(t)));
    rt.extend(facts.account_table.iter().map(|&t| AccountTable(t)));
    rt.extend(facts.role_active.iter().map(|&r| RoleActive(r)));
    rt.extend(facts.role_anon.iter().map(|&r| RoleFlagAnon(r)));
    rt.extend(facts.role_auth.iter().map(|&r| RoleFlagAuth(r)));
    rt.extend(facts.scope_custom.iter().map(|&n| ScopeCustom(n)));
    rt.extend(facts.scope_unknown_top.iter().map(|&n| ScopeUnknownTop(n)));
    rt.extend(facts.scope_unknown_parent.iter().map(|&n| ScopeUnknownParent(n)));
    rt.extend(facts.registration_off.iter().map(|&k| RegistrationOff(k)));
    rt.extend(facts.virtual_table.iter().map(|&t| VirtualTable(t)));
    rt.extend(facts.anon_fo_user.iter().map(|&u| AnonFoUser(u)));
    let (
        cand_anon,
        cand_all,
        cand_role,
        create_anon,
        create_all,
        create_role,
        in_all,
        in_self,
        contact_fwd,
        contact_bwd,
        account_fwd,
        account_bwd,
        parent_fwd,
        parent_bwd,
        chain_all,
        chain_contact,
        chain_account,
        cand_newcomer,
        top_every,
        top_anchored,
        top_custom,
        chain_none,
        chain_unsure,
        possible_anon,
        possible_contacts,
        possible_newcomer,
    ) = rt.run();
    let none: Vec<u32> = sorted(chain_none.into_iter().map(|ChainNone(n)| n));
    let top = top_every
        .into_iter()
        .map(|TopEvery(n)| (n, Top::Every))
        .chain(top_anchored.into_iter().map(|TopAnchored(n)| (n, Top::Anchored)))
        .chain(top_custom.into_iter().map(|TopCustom(n)| (n, Top::Custom)))
        .filter(|(n, _)| none.binary_search(n).is_err())
        .chain(none.iter().map(|&n| (n, Top::None)));
    let patterns = PatternPlan {
        cand_newcomer: sorted(cand_newcomer.into_iter().map(|CandNewcomer(n)| n)),
        top: sorted(top),
        unsure: sorted(chain_unsure.into_iter().map(|ChainUnsure(n)| n)),
        possible_anon: sorted(possible_anon.into_iter().map(|PossibleAnon(n)| n)),
        possible_contacts: sorted(possible_contacts.into_iter().map(|PossibleContacts(n)| n)),
        possible_newcomer: sorted(possible_newcomer.into_iter().map(|PossibleNewcomer(n)| n)),
    };
    let chain = chain_all
        .into_iter()
        .map(|ChainAll(n, d)| (d, n, Anchor::All))
        .chain(chain_contact.into_iter().map(|ChainContact(n, d)| (d, n, Anchor::Contact)))
        .chain(chain_account.into_iter().map(|ChainAccount(n, d)| (d, n, Anchor::Account)));
    Plan {
        cand_anon: sorted(cand_anon.into_iter().map(|CandAnon(n)| n)),
        cand_all: sorted(cand_all.into_iter().map(|CandAll(n)| n)),
        cand_role: sorted(cand_role.into_iter().map(|CandRole(n, r)| (n, r))),
        create_anon: sorted(create_anon.into_iter().map(|CreateAnon(t)| t)),
        create_all: sorted(create_all.into_iter().map(|CreateAll(t)| t)),
        create_role: sorted(create_role.into_iter().map(|CreateRole(r, t)| (r, t))),
        in_all: sorted(in_all.into_iter().map(|InAll(n)| n)),
        in_self: sorted(in_self.into_iter().map(|InSelf(n)| n)),
        contact_fwd: sorted(contact_fwd.into_iter().map(|ContactFwd(n, r)| (n, r))),
        contact_bwd: sorted(contact_bwd.into_iter().map(|ContactBwd(n, r)| (n, r))),
        account_fwd: sorted(account_fwd.into_iter().map(|AccountFwd(n, r)| (n, r))),
        account_bwd: sorted(account_bwd.into_iter().map(|AccountBwd(n, r)| (n, r))),
        parent_fwd: sorted(parent_fwd.into_iter().map(|ParentFwd(n, m, r)| (n, m, r))),
        parent_bwd: sorted(parent_bwd.into_iter().map(|ParentBwd(n, m, r)| (n, m, r))),
        chain: sorted(chain),
        patterns,
    }
}
