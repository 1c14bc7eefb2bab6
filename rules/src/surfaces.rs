//! What a visitor reaches beyond table permissions (spec `surfaces.md`,
//! R1 to R16) as a third Datalog program beside the S rules and the
//! channels.
//!
//! Visitors come in *classes*, as in [`crate::channels`]: the anonymous
//! visitor, the newcomer, and one class per distinct set of contact
//! memberships. Pages are numbered in file order (root and content pages
//! alike), page rules, web files, website access permissions and publishing
//! states likewise; endpoints are the server logic records followed by the
//! cloud flow consumers.
//!
//! The rows a visitor sees through a page's components or an endpoint are
//! the S program's grants (R8, R11) and the flows' tables (R15); what an
//! endpoint's code or definition touches (R12, R16) is read by the engine
//! from strings, so neither is here.

use crepe::crepe;

crepe! {
    // ------------------------------------------------------------ inputs
    // Visitor classes, as in the channel program.
    @input pub struct ClassAnon(pub u32);
    // See `ClassAnon`.
    @input pub struct ClassNewcomer(pub u32);
    // See `ClassAnon`.
    @input pub struct ClassContacts(pub u32);
    // `ClassMember(k, r)`: the contacts of class `k` are linked to role `r`
    // directly or through their account (S3).
    @input pub struct ClassMember(pub u32, pub u32);
    // `RegistrationOff(s)`: a registration setting is `false` (C8).
    @input pub struct RegistrationOff(pub u32);
    // Roles, as in the S program.
    @input pub struct RoleActive(pub u32);
    // See `RoleActive`.
    @input pub struct RoleFlagAnon(pub u32);
    // See `RoleActive`.
    @input pub struct RoleFlagAuth(pub u32);

    // `RootPage(p)`: page `p` names no root page (it is not a content page).
    @input pub struct RootPage(pub u32);
    // `ContentOf(c, x)`: content page `c` copies the page `x` (when `x` exists).
    @input pub struct ContentOf(pub u32, pub u32);
    // `HasParent(p)`: page `p` names a parent, existing or not.
    @input pub struct HasParent(pub u32);
    // `ParentOf(p, x)`: page `p` names the existing page `x` as its parent.
    @input pub struct ParentOf(pub u32, pub u32);
    // `PageActive(p)`.
    @input pub struct PageActive(pub u32);
    // `PageState(p, s)`: page `p` is in publishing state `s`.
    @input pub struct PageState(pub u32, pub u32);
    // `StateVisible(s)`.
    @input pub struct StateVisible(pub u32);
    // `ServicePage(p)`: root page `p` is Access Denied or Page Not Found.
    @input pub struct ServicePage(pub u32);

    // `RuleOn(u, x)`: page rule `u` is on the existing page `x`.
    @input pub struct RuleOn(pub u32, pub u32);
    // `RuleActive(u)`.
    @input pub struct RuleActive(pub u32);
    // `RuleGrant(u)`: right 1, Grant Change.
    @input pub struct RuleGrant(pub u32);
    // `RuleRestrict(u)`: right 2, Restrict Read.
    @input pub struct RuleRestrict(pub u32);
    // `RuleExclude(u)`: scope 2, Exclude direct child web files.
    @input pub struct RuleExclude(pub u32);
    // `RuleRole(u, r)`.
    @input pub struct RuleRole(pub u32, pub u32);
    // `RuleState(u, s)`: rule `u` is linked to publishing state `s`.
    @input pub struct RuleState(pub u32, pub u32);

    // `AccessPreview(a)`: website access permission `a` is active and has
    // Preview Unpublished Entities.
    @input pub struct AccessPreview(pub u32);
    // `AccessRole(a, r)`.
    @input pub struct AccessRole(pub u32, pub u32);

    // `File(f, x)`: web file `f` hangs under the existing page `x`.
    @input pub struct File(pub u32, pub u32);
    // `FileActive(f)`.
    @input pub struct FileActive(pub u32);
    // `FileState(f, s)`.
    @input pub struct FileState(pub u32, pub u32);

    // `EndpointActive(e)`.
    @input pub struct EndpointActive(pub u32);
    // `EndpointRole(e, r)`.
    @input pub struct EndpointRole(pub u32, pub u32);
    // `IsServerLogic(e)`: `e` is a server logic record (else a cloud flow).
    @input pub struct IsServerLogic(pub u32);
    // `ServerLogicOff(0)`: the setting `ServerLogic/Enabled` is `false`.
    @input pub struct ServerLogicOff(pub u32);

    // ------------------------------------------------------ intermediates
    struct Closed(u32);
    struct Visitor(u32);
    struct Holds(u32, u32);
    struct PageRole(u32, u32);
    struct Canon(u32, u32);
    struct Parent(u32, u32);
    struct Anc(u32, u32);
    struct Rule(u32, u32);
    struct RuleHasStates(u32);
    struct HasState(u32);
    struct GrantOn(u32, u32);
    struct Change(u32, u32);
    struct RestrictPage(u32);
    struct HoldsRestrict(u32, u32);
    struct Denied(u32, u32);
    struct Previews(u32);
    struct Shown(u32, u32);
    struct RootOpens(u32, u32);
    struct RootRestricted(u32);
    struct FilePage(u32, u32);
    struct FileHasState(u32);
    struct FileShown(u32, u32);
    struct OwnRestrict(u32);
    struct FilesOpen(u32);
    struct FileGate(u32, u32);
    struct Disabled(u32);

    // ------------------------------------------------------------ outputs
    // `Reachable(p)`: root page `p`'s path is active and ends at a home page (R1).
    @output pub struct Reachable(pub u32);
    // `Opens(k, p)`: class `k` opens page `p`, root or content (R6).
    @output pub struct Opens(pub u32, pub u32);
    // `Changes(k, p)`: class `k` holds Grant Change on page `p` (R4).
    @output pub struct Changes(pub u32, pub u32);
    // `Restricted(p)`: page `p`'s path has Restrict Read rules (R5).
    @output pub struct Restricted(pub u32);
    // `ReadsFile(k, f)`: class `k` reads web file `f` (R7).
    @output pub struct ReadsFile(pub u32, pub u32);
    // `Invokes(k, e)`: class `k` may call endpoint `e` (R10, R14).
    @output pub struct Invokes(pub u32, pub u32);

    // ------------------------------------------------------------ visitors
    // C8, C9 (Q9) The newcomer is a visitor only while registration is open.
    Visitor(k) <- ClassAnon(k);
    Visitor(k) <- ClassContacts(k);
    Closed(k) <- ClassNewcomer(k), RegistrationOff(_);
    Visitor(k) <- ClassNewcomer(k), !Closed(k);

    // S4 The anonymous visitor holds the active anonymous users roles.
    Holds(k, r) <- ClassAnon(k), RoleActive(r), RoleFlagAnon(r);
    // S3 A contact holds the active authenticated users roles and the
    // active roles it is linked to, never an anonymous users role.
    Holds(k, r) <- ClassContacts(k), RoleActive(r), RoleFlagAuth(r), !RoleFlagAnon(r);
    Holds(k, r) <- ClassMember(k, r), RoleActive(r), !RoleFlagAnon(r);
    // C9 The newcomer holds exactly the active authenticated users roles.
    Holds(k, r) <- ClassNewcomer(k), Visitor(k), RoleActive(r), RoleFlagAuth(r), !RoleFlagAnon(r);

    // R3 Roles on pages: as S3/S4, but the anonymous visitor matches no rule.
    PageRole(k, r) <- Holds(k, r), !ClassAnon(k);

    // ------------------------------------------------------------ R1 tree
    // R1 A content page stands for the root page it copies; a root page for itself.
    Canon(p, p) <- RootPage(p);
    Canon(c, p) <- ContentOf(c, p), RootPage(p);
    // R1 Root pages form a tree through their parents (named by any copy).
    Parent(p, q) <- RootPage(p), ParentOf(p, x), Canon(x, q);
    // R1 A page opens for anyone only if its chain of active pages reaches
    // a home page: a missing or inactive page, or a cycle, on the way
    // leaves it unreachable.
    Reachable(p) <- RootPage(p), PageActive(p), !HasParent(p);
    Reachable(p) <- Parent(p, q), PageActive(p), Reachable(q);
    // R2 A rule applies to its page and every descendant: `Anc(p, a)`, `a`
    // is `p` or an ancestor of the reachable page `p`.
    Anc(p, p) <- Reachable(p);
    Anc(p, a) <- Anc(p, q), Parent(q, a);

    // ------------------------------------------------------------ R2 rules
    // R2 Only active rules count; a rule on a content page is on its root page.
    Rule(u, a) <- RuleOn(u, x), RuleActive(u), Canon(x, a);
    RuleHasStates(u) <- RuleState(u, _);
    HasState(p) <- PageState(p, _);

    // ------------------------------------------------------ R4 Grant Change
    // R2 A Grant Change rule applies to the pages under it; one linked to
    // publishing states only to those in one of its states.
    GrantOn(u, p) <- Rule(u, a), RuleGrant(u), Anc(p, a), !RuleHasStates(u);
    GrantOn(u, p) <- Rule(u, a), RuleGrant(u), Anc(p, a), RuleState(u, s), PageState(p, s);
    // R4 A holder of a Grant Change role on P or an ancestor may change P.
    Change(k, p) <- GrantOn(u, p), RuleRole(u, r), PageRole(k, r);

    // ----------------------------------------------------- R5 Restrict Read
    // R5 Rules of one page and right pool their roles.
    RestrictPage(a) <- Rule(u, a), RuleRestrict(u);
    HoldsRestrict(k, a) <- Rule(u, a), RuleRestrict(u), RuleRole(u, r), PageRole(k, r);
    // R5 Restrictions add up: V must hold a role of every restricted page
    // on the path.
    Denied(k, p) <- Visitor(k), Anc(p, a), RestrictPage(a), !HoldsRestrict(k, a);
    RootRestricted(p) <- Anc(p, a), RestrictPage(a);

    // ------------------------------------------------------ R6 who opens P
    // R6 Preview Unpublished Entities, held through any role (Q7).
    Previews(k) <- Holds(k, r), AccessRole(a, r), AccessPreview(a);
    // R6 P's own state is visible or absent, or V may preview.
    Shown(k, p) <- Visitor(k), Reachable(p), !HasState(p);
    Shown(k, p) <- Visitor(k), Reachable(p), PageState(p, s), StateVisible(s);
    Shown(k, p) <- Previews(k), Reachable(p);
    // R6 R1 holds, P is shown, and R4 or R5.
    RootOpens(k, p) <- Shown(k, p), Change(k, p);
    RootOpens(k, p) <- Shown(k, p), !Denied(k, p);
    // R6 Access Denied and Page Not Found open for all.
    RootOpens(k, p) <- Visitor(k), ServicePage(p);
    // R1 A content page answers as its root page.
    Opens(k, c) <- Canon(c, p), RootOpens(k, p);
    Changes(k, c) <- Canon(c, p), Change(k, p);
    Restricted(c) <- Canon(c, p), RootRestricted(p);

    // ------------------------------------------------------- R7 web files
    // R7 An active file under page P (a content page stands for its root).
    FilePage(f, p) <- File(f, x), FileActive(f), Canon(x, p);
    FileHasState(f) <- FileState(f, _);
    // R7 Active and visible, or V may preview.
    FileShown(k, f) <- Visitor(k), FilePage(f, _), !FileHasState(f);
    FileShown(k, f) <- Visitor(k), FilePage(f, _), FileState(f, s), StateVisible(s);
    FileShown(k, f) <- Previews(k), FilePage(f, _);
    // R7 Only P's own Restrict Read rules count (Q5), and any of them with
    // scope 2 opens its direct child files.
    OwnRestrict(p) <- Rule(u, p), RuleRestrict(u);
    FilesOpen(p) <- Rule(u, p), RuleRestrict(u), RuleExclude(u);
    // R7 A Grant Change role on the path (judged on P's state, Q10), no
    // own restriction, scope 2, or a role of the restriction.
    FileGate(k, p) <- Change(k, p);
    FileGate(k, p) <- Visitor(k), Reachable(p), !OwnRestrict(p);
    FileGate(k, p) <- Visitor(k), Reachable(p), FilesOpen(p);
    FileGate(k, p) <- HoldsRestrict(k, p), Reachable(p);
    // R7 P's path is active.
    ReadsFile(k, f) <- FileShown(k, f), FilePage(f, p), FileGate(k, p);

    // ------------------------------------------------------ R10, R14 endpoints
    // R9 `ServerLogic/Enabled` false disables every server logic endpoint.
    Disabled(e) <- IsServerLogic(e), ServerLogicOff(_);
    // R10, R14 V invokes an active endpoint iff it holds an active role on
    // its list, the anonymous users role included; an empty list admits nobody.
    Invokes(k, e) <- EndpointActive(e), EndpointRole(e, r), Holds(k, r), !Disabled(e);
}

/// The surface facts of one tenant, as plain ids (see the inputs above).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SurfaceFacts {
    /// The anonymous visitor's class.
    pub class_anon: u32,
    /// The newcomer's class.
    pub class_newcomer: u32,
    /// Classes of contacts.
    pub class_contacts: Vec<u32>,
    /// `(class, role)` memberships.
    pub class_member: Vec<(u32, u32)>,
    /// Registration settings that are `false`.
    pub registration_off: Vec<u32>,
    /// Active roles.
    pub role_active: Vec<u32>,
    /// Roles flagged anonymous users.
    pub role_anon: Vec<u32>,
    /// Roles flagged authenticated users.
    pub role_auth: Vec<u32>,
    /// Root pages.
    pub root_page: Vec<u32>,
    /// `(content page, page it copies)`.
    pub content_of: Vec<(u32, u32)>,
    /// Pages that name a parent.
    pub has_parent: Vec<u32>,
    /// `(page, existing parent page)`.
    pub parent_of: Vec<(u32, u32)>,
    /// Active pages.
    pub page_active: Vec<u32>,
    /// `(page, state)`.
    pub page_state: Vec<(u32, u32)>,
    /// Visible states.
    pub state_visible: Vec<u32>,
    /// Service pages.
    pub service_page: Vec<u32>,
    /// `(rule, existing page)`.
    pub rule_on: Vec<(u32, u32)>,
    /// Active rules.
    pub rule_active: Vec<u32>,
    /// Grant Change rules.
    pub rule_grant: Vec<u32>,
    /// Restrict Read rules.
    pub rule_restrict: Vec<u32>,
    /// Rules with scope 2.
    pub rule_exclude: Vec<u32>,
    /// `(rule, role)`.
    pub rule_role: Vec<(u32, u32)>,
    /// `(rule, state)`.
    pub rule_state: Vec<(u32, u32)>,
    /// Active website access permissions with preview.
    pub access_preview: Vec<u32>,
    /// `(website access, role)`.
    pub access_role: Vec<(u32, u32)>,
    /// `(file, existing page)`.
    pub file: Vec<(u32, u32)>,
    /// Active files.
    pub file_active: Vec<u32>,
    /// `(file, state)`.
    pub file_state: Vec<(u32, u32)>,
    /// Active endpoints.
    pub endpoint_active: Vec<u32>,
    /// `(endpoint, role)`.
    pub endpoint_role: Vec<(u32, u32)>,
    /// Server logic endpoints.
    pub is_server_logic: Vec<u32>,
    /// `ServerLogic/Enabled` is `false`.
    pub server_logic_off: bool,
}

/// What the surface rules derive, each sorted and without duplicates.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SurfaceDerived {
    /// Reachable root pages (R1).
    pub reachable: Vec<u32>,
    /// `(class, page)` opened (R6).
    pub opens: Vec<(u32, u32)>,
    /// `(class, page)` changed (R4).
    pub changes: Vec<(u32, u32)>,
    /// Pages whose path has Restrict Read rules (R5).
    pub restricted: Vec<u32>,
    /// `(class, file)` read (R7).
    pub reads_file: Vec<(u32, u32)>,
    /// `(class, endpoint)` invoked (R10, R14).
    pub invokes: Vec<(u32, u32)>,
}

fn sorted<T: Ord, I: IntoIterator<Item = T>>(it: I) -> Vec<T> {
    let mut v: Vec<T> = it.into_iter().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Runs the surface rules over `f`.
pub fn derive(f: &SurfaceFacts) -> SurfaceDerived {
    let mut rt = Crepe::new();
    rt.extend([ClassAnon(f.class_anon)]);
    rt.extend([ClassNewcomer(f.class_newcomer)]);
    rt.extend(f.class_contacts.iter().map(|&k| ClassContacts(k)));
    rt.extend(f.class_member.iter().map(|&(k, r)| ClassMember(k, r)));
    rt.extend(f.registration_off.iter().map(|&s| RegistrationOff(s)));
    rt.extend(f.role_active.iter().map(|&r| RoleActive(r)));
    rt.extend(f.role_anon.iter().map(|&r| RoleFlagAnon(r)));
    rt.extend(f.role_auth.iter().map(|&r| RoleFlagAuth(r)));
    rt.extend(f.root_page.iter().map(|&p| RootPage(p)));
    rt.extend(f.content_of.iter().map(|&(c, x)| ContentOf(c, x)));
    rt.extend(f.has_parent.iter().map(|&p| HasParent(p)));
    rt.extend(f.parent_of.iter().map(|&(p, x)| ParentOf(p, x)));
    rt.extend(f.page_active.iter().map(|&p| PageActive(p)));
    rt.extend(f.page_state.iter().map(|&(p, s)| PageState(p, s)));
    rt.extend(f.state_visible.iter().map(|&s| StateVisible(s)));
    rt.extend(f.service_page.iter().map(|&p| ServicePage(p)));
    rt.extend(f.rule_on.iter().map(|&(u, x)| RuleOn(u, x)));
    rt.extend(f.rule_active.iter().map(|&u| RuleActive(u)));
    rt.extend(f.rule_grant.iter().map(|&u| RuleGrant(u)));
    rt.extend(f.rule_restrict.iter().map(|&u| RuleRestrict(u)));
    rt.extend(f.rule_exclude.iter().map(|&u| RuleExclude(u)));
    rt.extend(f.rule_role.iter().map(|&(u, r)| RuleRole(u, r)));
    rt.extend(f.rule_state.iter().map(|&(u, s)| RuleState(u, s)));
    rt.extend(f.access_preview.iter().map(|&a| AccessPreview(a)));
    rt.extend(f.access_role.iter().map(|&(a, r)| AccessRole(a, r)));
    rt.extend(f.file.iter().map(|&(x, p)| File(x, p)));
    rt.extend(f.file_active.iter().map(|&x| FileActive(x)));
    rt.extend(f.file_state.iter().map(|&(x, s)| FileState(x, s)));
    rt.extend(f.endpoint_active.iter().map(|&e| EndpointActive(e)));
    rt.extend(f.endpoint_role.iter().map(|&(e, r)| EndpointRole(e, r)));
    rt.extend(f.is_server_logic.iter().map(|&e| IsServerLogic(e)));
    if f.server_logic_off {
        rt.extend([ServerLogicOff(0)]);
    }
    let (reachable, opens, changes, restricted, reads_file, invokes) = rt.run();
    SurfaceDerived {
        reachable: sorted(reachable.into_iter().map(|Reachable(p)| p)),
        opens: sorted(opens.into_iter().map(|Opens(k, p)| (k, p))),
        changes: sorted(changes.into_iter().map(|Changes(k, p)| (k, p))),
        restricted: sorted(restricted.into_iter().map(|Restricted(p)| p)),
        reads_file: sorted(reads_file.into_iter().map(|ReadsFile(k, f)| (k, f))),
        invokes: sorted(invokes.into_iter().map(|Invokes(k, e)| (k, e))),
    }
}
