//! The Power Pages access rules (spec `semantics.md`, S1 to S26) as one
//! Datalog program.
//!
//! Plain `u32` ids in, derived relations out: no I/O, no strings. Every rule
//! names the spec rule it implements in the comment above it.
//!
//! Grants come out *factored*: a grant names the candidate permission `n`
//! that makes it (whose own privilege flags apply, S15) and the kind of
//! visitor that holds it. A Global permission held by the authenticated-users
//! role is the single fact `AllTable(n)`, not one tuple per contact and row;
//! an Account-scope grant held through the account is `AccountGrant(n, a, x)`,
//! not one tuple per contact of `a`. The caller expands to contacts only when
//! an answer asks for them.
//!
//! Relationship links are directed (`Link(rel, referencing_row,
//! referenced_row)`, N:N pairs in the order of the relationship's tables) and
//! nothing symmetric is materialised: the direction a permission walks is
//! settled once per permission (`ContactFwd`, `ParentBwd`, ...) and the
//! recursive relation comes first in every recursive join.
//!
//! The [`plan`] module holds the same rules with the rows left out: it
//! settles holders, creates, chain tops and relationship walks for every
//! permission, and the engine moves rows through that plan in loops. This
//! program stays the reference the engine is tested against.
#![forbid(unsafe_code)]

use crepe::crepe;

pub mod plan;
pub mod channels;
pub mod finance;
pub mod surfaces;

crepe! {
    // ------------------------------------------------------------ inputs
    // `Perm(n, table)`: table permission `n` secures `table`.
    @input pub struct Perm(pub u32, pub u32);
    // `PermActive(n)`: the permission is active.
    @input pub struct PermActive(pub u32);
    // `PermParent(n, m)`: `m` is the parent of `n`.
    @input pub struct PermParent(pub u32, pub u32);
    // `PermRole(n, role)`: web role listed on `n`.
    @input pub struct PermRole(pub u32, pub u32);
    // `PermCreate(n)`: `n` has the `create` privilege.
    @input pub struct PermCreate(pub u32);
    // Scope facts. Custom scope (S14) has none: it admits nothing.
    @input pub struct ScopeGlobal(pub u32);
    // `ScopeContact(n, rel)`.
    @input pub struct ScopeContact(pub u32, pub u32);
    // `ScopeAccount(n, rel)`.
    @input pub struct ScopeAccount(pub u32, pub u32);
    // `ScopeSelf(n)`.
    @input pub struct ScopeSelf(pub u32);
    // `ScopeParent(n, rel)`: Parent scope through `rel` (the parent is `PermParent`).
    @input pub struct ScopeParent(pub u32, pub u32);

    // `OneToMany(rel, referencing_table, referenced_table)`.
    @input pub struct OneToMany(pub u32, pub u32, pub u32);
    // `ManyToMany(rel, first_table, second_table)`.
    @input pub struct ManyToMany(pub u32, pub u32, pub u32);
    // `Link(rel, from, to)`: for 1:N, `from.lookup = to.id` (resolved, S23,
    // dangling values give no link, S24); for N:N, an association pair.
    @input pub struct Link(pub u32, pub u32, pub u32);
    // `ContactTable(t)` / `AccountTable(t)`: the ids of tables `contact` and `account`.
    @input pub struct ContactTable(pub u32);
    // See `ContactTable`.
    @input pub struct AccountTable(pub u32);
    // `IsContact(c)`: row `c` is a contact, so a signed-in visitor (S1).
    @input pub struct IsContact(pub u32);
    // `ContactAccount(c, a)`: `acct(c) = a`, set only when the parent
    // customer is a row of `account` (S1).
    @input pub struct ContactAccount(pub u32, pub u32);

    // `RoleActive(role)`.
    @input pub struct RoleActive(pub u32);
    // `RoleFlagAnon(role)`: flagged *anonymous users role*.
    @input pub struct RoleFlagAnon(pub u32);
    // `RoleFlagAuth(role)`: flagged *authenticated users role*.
    @input pub struct RoleFlagAuth(pub u32);
    // `ContactMember(c, role)`.
    @input pub struct ContactMember(pub u32, pub u32);
    // `AccountMember(a, role)`.
    @input pub struct AccountMember(pub u32, pub u32);

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
    struct ContactFwd(u32, u32);
    struct ContactBwd(u32, u32);
    struct AccountFwd(u32, u32);
    struct AccountBwd(u32, u32);
    struct ParentFwd(u32, u32, u32);
    struct ParentBwd(u32, u32, u32);
    struct AccountHasMember(u32, u32);

    // ------------------------------------------------------------ outputs
    // `CandAnon(n)`: `n` is a candidate for the anonymous visitor (S4, S6, S8).
    @output pub struct CandAnon(pub u32);
    // `CandAll(n)`: `n` is a candidate for every signed-in contact (S3, S6, S8).
    @output pub struct CandAll(pub u32);
    // `CandRole(n, role)`: `n` is a candidate for every contact holding
    // `role` directly or through its account (S3, S6, S8).
    @output pub struct CandRole(pub u32, pub u32);
    // `InAll(n)`: `n` admits every row of its table (S9).
    @output pub struct InAll(pub u32);
    // `InG(n, x)`: `n` admits row `x` for every visitor (Parent chain under Global, S13).
    @output pub struct InG(pub u32, pub u32);
    // `InC(n, c, x)`: `n` admits row `x` for contact `c` (S10, S12, S13).
    @output pub struct InC(pub u32, pub u32, pub u32);
    // `InA(n, a, x)`: `n` admits row `x` for the contacts of account `a` (S11, S13).
    @output pub struct InA(pub u32, pub u32, pub u32);
    // `ContactGrant(n, c, x)`: contact `c` holds `n` and `n` admits `x` for `c` (S16).
    @output pub struct ContactGrant(pub u32, pub u32, pub u32);
    // `AccountGrant(n, a, x)`: every contact of account `a` holds `n`
    // (authenticated role, or a role of `a`) and `n` admits `x` for them (S16).
    @output pub struct AccountGrant(pub u32, pub u32, pub u32);
    // `AccountMemberGrant(n, a, x)`: `n` admits `x` for the contacts of
    // account `a`, and some contact of `a` holds a role of `n` directly: those
    // contacts are granted `x` (S16). Expanded to them only when asked.
    @output pub struct AccountMemberGrant(pub u32, pub u32, pub u32);
    // `CreateAnon(t)`: the anonymous visitor may create in `t` (S17).
    @output pub struct CreateAnon(pub u32);
    // `CreateAll(t)`: every signed-in contact may create in `t` (S17).
    @output pub struct CreateAll(pub u32);
    // `CreateRole(role, t)`: every contact holding `role` may create in `t` (S17).
    @output pub struct CreateRole(pub u32, pub u32);

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

    // S6 Roles come from the root: a tree is held through the roles listed
    // on its root; roles listed on children are ignored.
    HeldByAnon(n) <- Root(n), PermRole(n, r), AnonRole(r);
    HeldByAll(n) <- Root(n), PermRole(n, r), AuthRole(r);
    HeldByRole(n, r) <- Root(n), PermRole(n, r), PlainRole(r);

    // S8 Every node counts: each active node of a held tree is a candidate
    // for its table (S7: a node is live only when its whole ancestry is active).
    CandAnon(n) <- Live(n), RootOf(n, root), HeldByAnon(root);
    CandAll(n) <- Live(n), RootOf(n, root), HeldByAll(root);
    CandRole(n, r) <- Live(n), RootOf(n, root), HeldByRole(root, r);

    // ------------------------------------------------------ relationships
    // S20 One-to-many: row x of the referencing table t relates to row y of
    // the referenced table u when x.lookup = y; usable in either direction.
    // S22 Many-to-many: each association pair, in either direction.
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

    // S10 Contact: rows related to the visitor's contact through the
    // permission's contact relationship.
    InC(n, c, x) <- ContactFwd(n, rel), Link(rel, x, c);
    InC(n, c, x) <- ContactBwd(n, rel), Link(rel, c, x);

    // S11 Account: rows related to acct(c) through the account relationship
    // (one relationship, no walk of the account hierarchy).
    InA(n, a, x) <- AccountFwd(n, rel), Link(rel, x, a);
    InA(n, a, x) <- AccountBwd(n, rel), Link(rel, a, x);

    // S12 Self: the visitor's own contact row, only on table `contact`.
    InC(n, c, c) <- ScopeSelf(n), Live(n), Perm(n, t), ContactTable(t), IsContact(c);

    // S13 Parent: rows related to some row the parent admits, up a chain of
    // any depth; under a Global top, rows related to some row of the parent table.
    InC(n, c, x) <- InC(m, c, y), ParentFwd(n, m, rel), Link(rel, x, y);
    InC(n, c, x) <- InC(m, c, y), ParentBwd(n, m, rel), Link(rel, y, x);
    InA(n, a, x) <- InA(m, a, y), ParentFwd(n, m, rel), Link(rel, x, y);
    InA(n, a, x) <- InA(m, a, y), ParentBwd(n, m, rel), Link(rel, y, x);
    InG(n, x) <- InG(m, y), ParentFwd(n, m, rel), Link(rel, x, y);
    InG(n, x) <- InG(m, y), ParentBwd(n, m, rel), Link(rel, y, x);
    InG(n, x) <- ParentFwd(n, m, rel), InAll(m), Link(rel, x, _);
    InG(n, x) <- ParentBwd(n, m, rel), InAll(m), Link(rel, _, x);

    // ------------------------------------------------------ grants
    // S16 Row privileges (the privilege flags are n's own, S15), with the
    // visitor side kept as coarse as it can be (S25 is their expansion):
    // contact-anchored rows for the contacts that hold the tree,
    ContactGrant(n, c, x) <- InC(n, c, x), CandAll(n);
    ContactGrant(n, c, x) <- InC(n, c, x), CandRole(n, r), ContactMember(c, r);
    ContactGrant(n, c, x) <- InC(n, c, x), ContactAccount(c, a), CandRole(n, r), AccountMember(a, r);
    // account-anchored rows for every contact of the account when the tree is
    // held by all of them, or for the direct members who belong to it: the
    // latter stay a fact about the account, never one tuple per member.
    AccountHasMember(a, r) <- ContactMember(c, r), ContactAccount(c, a);
    AccountGrant(n, a, x) <- InA(n, a, x), CandAll(n);
    AccountGrant(n, a, x) <- InA(n, a, x), CandRole(n, r), AccountMember(a, r);
    AccountMemberGrant(n, a, x) <- InA(n, a, x), CandRole(n, r), AccountHasMember(a, r);
    // Global-anchored rows (InAll, InG) need no join: the answer pairs them
    // with CandAnon / CandAll / CandRole of the same n.

    // S17 Create is table-level: any candidate with `create`, whatever its scope.
    CreateAnon(t) <- CandAnon(n), PermCreate(n), Perm(n, t);
    CreateAll(t) <- CandAll(n), PermCreate(n), Perm(n, t);
    CreateRole(r, t) <- CandRole(n, r), PermCreate(n), Perm(n, t);
}

/// The facts of one tenant, as plain ids. Row ids are global across tables.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Facts {
    /// `(permission, table)`.
    pub perm: Vec<(u32, u32)>,
    /// Active permissions.
    pub perm_active: Vec<u32>,
    /// `(child, parent)`.
    pub perm_parent: Vec<(u32, u32)>,
    /// `(permission, role)` as listed on the permission.
    pub perm_role: Vec<(u32, u32)>,
    /// Permissions with `create`.
    pub perm_create: Vec<u32>,
    /// Global-scope permissions.
    pub scope_global: Vec<u32>,
    /// `(permission, relationship)` for Contact scope.
    pub scope_contact: Vec<(u32, u32)>,
    /// `(permission, relationship)` for Account scope.
    pub scope_account: Vec<(u32, u32)>,
    /// Self-scope permissions.
    pub scope_self: Vec<u32>,
    /// `(permission, relationship)` for Parent scope.
    pub scope_parent: Vec<(u32, u32)>,
    /// `(relationship, referencing table, referenced table)`.
    pub one_to_many: Vec<(u32, u32, u32)>,
    /// `(relationship, first table, second table)`.
    pub many_to_many: Vec<(u32, u32, u32)>,
    /// `(relationship, from row, to row)`.
    pub link: Vec<(u32, u32, u32)>,
    /// The id of table `contact`, when the tenant knows it.
    pub contact_table: Option<u32>,
    /// The id of table `account`, when the tenant knows it.
    pub account_table: Option<u32>,
    /// Contact rows.
    pub contacts: Vec<u32>,
    /// `(contact, account)`.
    pub contact_account: Vec<(u32, u32)>,
    /// Active roles.
    pub role_active: Vec<u32>,
    /// Roles flagged anonymous users role.
    pub role_anon: Vec<u32>,
    /// Roles flagged authenticated users role.
    pub role_auth: Vec<u32>,
    /// `(contact, role)`.
    pub contact_member: Vec<(u32, u32)>,
    /// `(account, role)`.
    pub account_member: Vec<(u32, u32)>,
    /// Custom-scope permissions (S14; read by the plan's patterns only).
    pub scope_custom: Vec<u32>,
    /// Contact- or Account-scope permissions whose relationship nobody
    /// declares (A2 `unknown(R)`; plan only).
    pub scope_unknown_top: Vec<u32>,
    /// Parent-scope permissions whose relationship nobody declares (plan only).
    pub scope_unknown_parent: Vec<u32>,
    /// Registration settings that are `false` (C8; plan only).
    pub registration_off: Vec<u32>,
    /// F&O virtual tables (F1; plan's patterns only).
    pub virtual_table: Vec<u32>,
    /// The anonymous visitor's F&O user, when set and no administrator (F2; plan only).
    pub anon_fo_user: Vec<u32>,
}

/// The derived relations, each sorted and without duplicates.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Derived {
    /// Candidates of the anonymous visitor.
    pub cand_anon: Vec<u32>,
    /// Candidates of every signed-in contact.
    pub cand_all: Vec<u32>,
    /// `(permission, role)`: candidates of every holder of a role.
    pub cand_role: Vec<(u32, u32)>,
    /// Permissions admitting every row of their table.
    pub in_all: Vec<u32>,
    /// `(permission, row)` admitted for every visitor.
    pub in_g: Vec<(u32, u32)>,
    /// `(permission, contact, row)` admitted for a contact.
    pub in_c: Vec<(u32, u32, u32)>,
    /// `(permission, account, row)` admitted for an account's contacts.
    pub in_a: Vec<(u32, u32, u32)>,
    /// `(permission, contact, row)` granted to a contact.
    pub contact_grant: Vec<(u32, u32, u32)>,
    /// `(permission, account, row)` granted to every contact of an account.
    pub account_grant: Vec<(u32, u32, u32)>,
    /// `(permission, account, row)` granted to the contacts of an account
    /// that hold a candidate role of the permission directly.
    pub account_member_grant: Vec<(u32, u32, u32)>,
    /// Tables the anonymous visitor may create in.
    pub create_anon: Vec<u32>,
    /// Tables every signed-in contact may create in.
    pub create_all: Vec<u32>,
    /// `(role, table)`: holders of the role may create in the table.
    pub create_role: Vec<(u32, u32)>,
}

fn sorted<T: Ord, I: IntoIterator<Item = T>>(it: I) -> Vec<T> {
    let mut v: Vec<T> = it.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Runs the rules over `facts`.
pub fn derive(facts: &Facts) -> Derived {
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
    rt.extend(facts.link.iter().map(|&(r, a, b)| Link(r, a, b)));
    rt.extend(facts.contact_table.iter().map(|&t| ContactTable(t)));
    rt.extend(facts.account_table.iter().map(|&t| AccountTable(t)));
    rt.extend(facts.contacts.iter().map(|&c| IsContact(c)));
    rt.extend(facts.contact_account.iter().map(|&(c, a)| ContactAccount(c, a)));
    rt.extend(facts.role_active.iter().map(|&r| RoleActive(r)));
    rt.extend(facts.role_anon.iter().map(|&r| RoleFlagAnon(r)));
    rt.extend(facts.role_auth.iter().map(|&r| RoleFlagAuth(r)));
    rt.extend(facts.contact_member.iter().map(|&(c, r)| ContactMember(c, r)));
    rt.extend(facts.account_member.iter().map(|&(a, r)| AccountMember(a, r)));
    let (cand_anon, cand_all, cand_role, in_all, in_g, in_c, in_a, contact_grant, account_grant, account_member_grant, create_anon, create_all, create_role) =
        rt.run();
    Derived {
        cand_anon: sorted(cand_anon.into_iter().map(|CandAnon(n)| n)),
        cand_all: sorted(cand_all.into_iter().map(|CandAll(n)| n)),
        cand_role: sorted(cand_role.into_iter().map(|CandRole(n, r)| (n, r))),
        in_all: sorted(in_all.into_iter().map(|InAll(n)| n)),
        in_g: sorted(in_g.into_iter().map(|InG(n, x)| (n, x))),
        in_c: sorted(in_c.into_iter().map(|InC(n, c, x)| (n, c, x))),
        in_a: sorted(in_a.into_iter().map(|InA(n, a, x)| (n, a, x))),
        contact_grant: sorted(contact_grant.into_iter().map(|ContactGrant(n, c, x)| (n, c, x))),
        account_grant: sorted(account_grant.into_iter().map(|AccountGrant(n, a, x)| (n, a, x))),
        account_member_grant: sorted(account_member_grant.into_iter().map(|AccountMemberGrant(n, a, x)| (n, a, x))),
        create_anon: sorted(create_anon.into_iter().map(|CreateAnon(t)| t)),
        create_all: sorted(create_all.into_iter().map(|CreateAll(t)| t)),
        create_role: sorted(create_role.into_iter().map(|CreateRole(r, t)| (r, t))),
    }
}
