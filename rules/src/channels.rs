//! The exposure channels (spec `channels.md`, C1 to C11) as a second
//! Datalog program beside the S rules.
//!
//! Inputs are the channel configuration as ids (settings already read by
//! C1, which is about strings and so happens where facts are made), the
//! roles and flags of the S program, and the outputs of the S program the
//! newcomer needs (`CandAll`, `InAll`, `InG`, `CreateAll`).
//!
//! Column answers stay factored: visitors are grouped in *classes* (the
//! anonymous visitor, the newcomer, and one class per distinct set of role
//! memberships of contacts), and a column fact names a class, a table and a
//! column, never a row. `can read column k of row r` is then a row grant
//! (S16) of the visitor joined at answer time with `WebRead(class, table(r), k)`.
//!
//! Column privileges are numbered `0` create, `1` read, `2` update.

use crepe::crepe;

/// Column privilege `create`.
pub const COL_CREATE: u32 = 0;
/// Column privilege `read`.
pub const COL_READ: u32 = 1;
/// Column privilege `update`.
pub const COL_UPDATE: u32 = 2;

crepe! {
    // ------------------------------------------------------------ inputs
    // `WebapiEnabled(t)`: the setting `Webapi/T/enabled` is `true` (C1 read
    // the settings: case-insensitive names, last active one wins, booleans).
    @input pub struct WebapiEnabled(pub u32);
    // `FieldListed(t, k)`: column `k` appears in `Webapi/T/fields` (C1, C3).
    @input pub struct FieldListed(pub u32, pub u32);
    // `FieldsAll(t)`: `Webapi/T/fields` is `*` (C3).
    @input pub struct FieldsAll(pub u32);
    // `RowColumn(t, k)`: `k` is the id column of `t` or a key of one of its rows (C4).
    @input pub struct RowColumn(pub u32, pub u32);
    // `RegistrationOff(s)`: registration setting `s` (0 `Enabled`, 1
    // `OpenRegistrationEnabled`) is `false` (C1).
    @input pub struct RegistrationOff(pub u32);

    // `Profile(p, t)`: column permission profile `p` secures table `t`.
    @input pub struct Profile(pub u32, pub u32);
    // `ProfileActive(p)`.
    @input pub struct ProfileActive(pub u32);
    // `ProfileRole(p, r)`: `p` is linked to web role `r`.
    @input pub struct ProfileRole(pub u32, pub u32);
    // `ProfileLists(p, k)`: `p` lists column `k` (with any privileges, even none).
    @input pub struct ProfileLists(pub u32, pub u32);
    // `ProfileCol(p, k, q)`: `p` grants column privilege `q` on column `k`.
    @input pub struct ProfileCol(pub u32, pub u32, pub u32);
    // `ProfileAll(p, q)`: `p` grants `q` on every column it does not list.
    @input pub struct ProfileAll(pub u32, pub u32);

    // `ClassAnon(k)`: class `k` is the anonymous visitor.
    @input pub struct ClassAnon(pub u32);
    // `ClassNewcomer(k)`: class `k` is the newcomer (C9).
    @input pub struct ClassNewcomer(pub u32);
    // `ClassContacts(k)`: class `k` is a set of contacts with the same memberships.
    @input pub struct ClassContacts(pub u32);
    // `ClassMember(k, r)`: the contacts of class `k` are linked to role `r`
    // directly or through their account (S3).
    @input pub struct ClassMember(pub u32, pub u32);

    // Roles, as in the S program.
    @input pub struct RoleActive(pub u32);
    // See `RoleActive`.
    @input pub struct RoleFlagAnon(pub u32);
    // See `RoleActive`.
    @input pub struct RoleFlagAuth(pub u32);

    // Outputs of the S program (see `crate::Derived`).
    @input pub struct CandAll(pub u32);
    // See `CandAll`.
    @input pub struct InAll(pub u32);
    // See `CandAll`.
    @input pub struct InG(pub u32, pub u32);
    // See `CandAll`.
    @input pub struct CreateAll(pub u32);

    // ------------------------------------------------------ intermediates
    struct Class(u32);
    struct Closed(u32);
    struct Newcomer(u32);
    struct HoldsRole(u32, u32);
    struct ColumnOf(u32, u32);
    struct Listed(u32, u32);
    struct ProfileOf(u32, u32);
    struct HasProfile(u32, u32);
    struct ColAllowed(u32, u32, u32, u32);
    struct NewcomerCand(u32);

    // ------------------------------------------------------------ outputs
    // `Open(t)`: table `t` is open to the Web API (C2).
    @output pub struct Open(pub u32);
    // `WebRead(k, t, c)`: class `k` may read column `c` of the rows of `t`
    // it may read (C6).
    @output pub struct WebRead(pub u32, pub u32, pub u32);
    // `WebUpdate(k, t, c)`: class `k` may update column `c` of the rows of
    // `t` it may write (C7).
    @output pub struct WebUpdate(pub u32, pub u32, pub u32);
    // `WebCreate(k, t, c)`: class `k` may set column `c` when it creates in `t` (C7).
    @output pub struct WebCreate(pub u32, pub u32, pub u32);
    // `WebDelete(t)`: the rows of `t` a visitor may delete it may delete through the Web API (C7).
    @output pub struct WebDelete(pub u32);
    // `RegistrationOpen(k)`: the newcomer class `k` stands for anyone who signs up (C8).
    @output pub struct RegistrationOpen(pub u32);
    // `NewcomerAll(n)`: the newcomer holds `n` and `n` admits every row of its table (C9, S9).
    @output pub struct NewcomerAll(pub u32);
    // `NewcomerRow(n, x)`: the newcomer holds `n` and `n` admits `x` for every visitor (C9, S13).
    @output pub struct NewcomerRow(pub u32, pub u32);
    // `NewcomerCreate(t)`: the newcomer may create in `t` (C9, S17).
    @output pub struct NewcomerCreate(pub u32);

    Class(k) <- ClassAnon(k);
    Class(k) <- ClassNewcomer(k);
    Class(k) <- ClassContacts(k);

    // ------------------------------------------------------ C8, C9 visitors
    // C8 Open registration: open unless `Authentication/Registration/Enabled`
    // or `.../OpenRegistrationEnabled` is `false`.
    Closed(k) <- ClassNewcomer(k), RegistrationOff(_);
    RegistrationOpen(k) <- ClassNewcomer(k), !Closed(k);
    // C9 The newcomer: when registration is open, a contact with no
    // account, no memberships and no related row.
    Newcomer(k) <- RegistrationOpen(k);

    // S4 (for C5) The anonymous visitor holds the active anonymous users roles.
    HoldsRole(k, r) <- ClassAnon(k), RoleActive(r), RoleFlagAnon(r);
    // S3 (for C5) A contact holds the active authenticated users roles and
    // the active roles it is linked to, never an anonymous users role.
    HoldsRole(k, r) <- ClassContacts(k), RoleActive(r), RoleFlagAuth(r), !RoleFlagAnon(r);
    HoldsRole(k, r) <- ClassMember(k, r), RoleActive(r), !RoleFlagAnon(r);
    // C9 The newcomer holds exactly the active authenticated users roles.
    HoldsRole(k, r) <- Newcomer(k), RoleActive(r), RoleFlagAuth(r), !RoleFlagAnon(r);

    // C9 It may do what Global-anchored candidates of trees held through
    // those roles admit (S9, S13 under Global) and create through them
    // (S17); Contact, Account and Self scopes admit it nothing.
    NewcomerCand(n) <- Newcomer(_), CandAll(n);
    NewcomerAll(n) <- NewcomerCand(n), InAll(n);
    NewcomerRow(n, x) <- NewcomerCand(n), InG(n, x);
    NewcomerCreate(t) <- Newcomer(_), CreateAll(t);

    // ------------------------------------------------------ C2 to C4 tables
    // C2 Open tables: `Webapi/T/enabled` is `true`; absent means closed.
    Open(t) <- WebapiEnabled(t);
    // C4 Columns of a table: its id column and the keys of its rows, and
    // every column a setting or a profile names for it.
    ColumnOf(t, c) <- RowColumn(t, c);
    ColumnOf(t, c) <- FieldListed(t, c);
    ColumnOf(t, c) <- Profile(p, t), ProfileLists(p, c);
    // C3 Listed columns: those of `Webapi/T/fields`; `*` lists every column.
    Listed(t, c) <- FieldListed(t, c);
    Listed(t, c) <- FieldsAll(t), ColumnOf(t, c);

    // ------------------------------------------------------ C5 columns
    // C5 The profiles of a visitor for T: active profiles on T linked to an
    // active role it holds.
    ProfileOf(k, p) <- HoldsRole(k, r), ProfileRole(p, r), ProfileActive(p);
    HasProfile(k, t) <- ProfileOf(k, p), Profile(p, t);
    // C5 No profile for T: table permissions alone decide every column.
    ColAllowed(k, t, c, q) <- Class(k), Listed(t, c), !HasProfile(k, t), for q in 0..3u32;
    // C5 A profile lists `k` with `q` (profiles combine by union)...
    ColAllowed(k, t, c, q) <- ProfileOf(k, p), Profile(p, t), ProfileCol(p, c, q);
    // C5 ...or does not list `k` and has `q` in `all_columns`.
    ColAllowed(k, t, c, q) <- ProfileOf(k, p), Profile(p, t), ProfileAll(p, q), Listed(t, c), !ProfileLists(p, c);

    // ------------------------------------------------------ C6, C7 Web API
    // C6 Web API read: T open, k listed, C5 allows read of k (the row's
    // S16 read joins at answer time).
    WebRead(k, t, c) <- Open(t), Listed(t, c), ColAllowed(k, t, c, 1);
    // C7 Web API update: T open, k listed, C5 allows update (S16 write at answer time).
    WebUpdate(k, t, c) <- Open(t), Listed(t, c), ColAllowed(k, t, c, 2);
    // C7 Web API create with k: T open, k listed, C5 allows create (S17 at answer time).
    WebCreate(k, t, c) <- Open(t), Listed(t, c), ColAllowed(k, t, c, 0);
    // C7 Web API delete: T open (S16 delete at answer time).
    WebDelete(t) <- Open(t);

    // C10 Anyone and C11 Components derive nothing here: C10 is the union
    // of the anonymous visitor's and the newcomer's answers, and C11 grants
    // nothing (lint reports it).
}

/// The channel facts of one tenant, as plain ids (see the inputs above).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ChannelFacts {
    /// Tables with `Webapi/T/enabled` true.
    pub webapi_enabled: Vec<u32>,
    /// `(table, column)` in `Webapi/T/fields`.
    pub field_listed: Vec<(u32, u32)>,
    /// Tables whose field list is `*`.
    pub fields_all: Vec<u32>,
    /// `(table, column)`: id column and row keys.
    pub row_column: Vec<(u32, u32)>,
    /// Registration settings that are `false` (0 `Enabled`, 1 `OpenRegistrationEnabled`).
    pub registration_off: Vec<u32>,
    /// `(profile, table)`.
    pub profile: Vec<(u32, u32)>,
    /// Active profiles.
    pub profile_active: Vec<u32>,
    /// `(profile, role)`.
    pub profile_role: Vec<(u32, u32)>,
    /// `(profile, column)` listed.
    pub profile_lists: Vec<(u32, u32)>,
    /// `(profile, column, privilege)`.
    pub profile_col: Vec<(u32, u32, u32)>,
    /// `(profile, privilege)` on unlisted columns.
    pub profile_all: Vec<(u32, u32)>,
    /// The anonymous visitor's class.
    pub class_anon: u32,
    /// The newcomer's class.
    pub class_newcomer: u32,
    /// Classes of contacts.
    pub class_contacts: Vec<u32>,
    /// `(class, role)` memberships.
    pub class_member: Vec<(u32, u32)>,
    /// Active roles.
    pub role_active: Vec<u32>,
    /// Roles flagged anonymous users.
    pub role_anon: Vec<u32>,
    /// Roles flagged authenticated users.
    pub role_auth: Vec<u32>,
}

/// What the channel rules derive, each sorted and without duplicates.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ChannelDerived {
    /// Tables open to the Web API.
    pub open: Vec<u32>,
    /// `(class, table, column)` readable.
    pub web_read: Vec<(u32, u32, u32)>,
    /// `(class, table, column)` updatable.
    pub web_update: Vec<(u32, u32, u32)>,
    /// `(class, table, column)` settable on create.
    pub web_create: Vec<(u32, u32, u32)>,
    /// Tables where delete goes through.
    pub web_delete: Vec<u32>,
    /// Whether registration is open (C8).
    pub registration_open: bool,
    /// Candidates admitting every row of their table to the newcomer.
    pub newcomer_all: Vec<u32>,
    /// `(permission, row)` admitted to the newcomer.
    pub newcomer_row: Vec<(u32, u32)>,
    /// Tables the newcomer may create in.
    pub newcomer_create: Vec<u32>,
}

fn sorted<T: Ord, I: IntoIterator<Item = T>>(it: I) -> Vec<T> {
    let mut v: Vec<T> = it.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Runs the channel rules over `facts` and the S program's `base` outputs.
pub fn derive(facts: &ChannelFacts, base: &crate::Derived) -> ChannelDerived {
    let mut rt = Crepe::new();
    rt.extend(facts.webapi_enabled.iter().map(|&t| WebapiEnabled(t)));
    rt.extend(facts.field_listed.iter().map(|&(t, c)| FieldListed(t, c)));
    rt.extend(facts.fields_all.iter().map(|&t| FieldsAll(t)));
    rt.extend(facts.row_column.iter().map(|&(t, c)| RowColumn(t, c)));
    rt.extend(facts.registration_off.iter().map(|&s| RegistrationOff(s)));
    rt.extend(facts.profile.iter().map(|&(p, t)| Profile(p, t)));
    rt.extend(facts.profile_active.iter().map(|&p| ProfileActive(p)));
    rt.extend(facts.profile_role.iter().map(|&(p, r)| ProfileRole(p, r)));
    rt.extend(facts.profile_lists.iter().map(|&(p, c)| ProfileLists(p, c)));
    rt.extend(facts.profile_col.iter().map(|&(p, c, q)| ProfileCol(p, c, q)));
    rt.extend(facts.profile_all.iter().map(|&(p, q)| ProfileAll(p, q)));
    rt.extend([ClassAnon(facts.class_anon)]);
    rt.extend([ClassNewcomer(facts.class_newcomer)]);
    rt.extend(facts.class_contacts.iter().map(|&k| ClassContacts(k)));
    rt.extend(facts.class_member.iter().map(|&(k, r)| ClassMember(k, r)));
    rt.extend(facts.role_active.iter().map(|&r| RoleActive(r)));
    rt.extend(facts.role_anon.iter().map(|&r| RoleFlagAnon(r)));
    rt.extend(facts.role_auth.iter().map(|&r| RoleFlagAuth(r)));
    rt.extend(base.cand_all.iter().map(|&n| CandAll(n)));
    rt.extend(base.in_all.iter().map(|&n| InAll(n)));
    rt.extend(base.in_g.iter().map(|&(n, x)| InG(n, x)));
    rt.extend(base.create_all.iter().map(|&t| CreateAll(t)));
    let (open, web_read, web_update, web_create, web_delete, reg, newcomer_all, newcomer_row, newcomer_create) = rt.run();
    ChannelDerived {
        open: sorted(open.into_iter().map(|Open(t)| t)),
        web_read: sorted(web_read.into_iter().map(|WebRead(k, t, c)| (k, t, c))),
        web_update: sorted(web_update.into_iter().map(|WebUpdate(k, t, c)| (k, t, c))),
        web_create: sorted(web_create.into_iter().map(|WebCreate(k, t, c)| (k, t, c))),
        web_delete: sorted(web_delete.into_iter().map(|WebDelete(t)| t)),
        registration_open: !reg.is_empty(),
        newcomer_all: sorted(newcomer_all.into_iter().map(|NewcomerAll(n)| n)),
        newcomer_row: sorted(newcomer_row.into_iter().map(|NewcomerRow(n, x)| (n, x))),
        newcomer_create: sorted(newcomer_create.into_iter().map(|NewcomerCreate(t)| t)),
    }
}
