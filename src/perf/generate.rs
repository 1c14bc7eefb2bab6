//! Synthetic tenants: a customer-service and partner portal of any size,
//! deterministic for a seed, written as a stream.
//!
//! The document is written table by table and row by row (one
//! `serde_json::to_writer` call per row): nothing but a few counters is held
//! in memory, so a ten-million-row tenant costs no more memory to write than a
//! ten-row one. Every section draws from its own random stream, seeded from
//! the seed and the section's name, so a section can be written (or written
//! again, as the role members are) without remembering another.
//!
//! The shape follows a real portal: an account hierarchy, contacts under
//! accounts (a few big accounts with about 2,500 contacts each, most with a handful;
//! some contacts under no account, some under another contact), cases
//! (`incident`, customer a contact or an account), portal comments, notes on
//! cases and comments, orders and order lines, products with an N:N to
//! contacts, ten web roles and sixty table permissions using every scope,
//! Parent chains up to depth four, inactive nodes and Global children.

use crate::load::raw::FORMAT;
use crate::perf::generate_fo::FoShape;
use serde::Serialize;
use serde_json::{json, Value};
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use thiserror::Error;

/// A named size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// 1,000 contacts, 100 accounts, about 10,000 rows.
    Small,
    /// 100,000 contacts, 10,000 accounts, about 1,000,000 rows.
    Medium,
    /// 1,000,000 contacts, 100,000 accounts, about 10,000,000 rows.
    Large,
    /// 10,000,000 contacts, 1,000,000 accounts, about 100,000,000 rows
    /// (a file of about 6.5 GB, written as a stream like every size).
    Xlarge,
}

impl Profile {
    /// All profiles, smallest first.
    pub const ALL: [Profile; 4] = [Profile::Small, Profile::Medium, Profile::Large, Profile::Xlarge];

    /// The profile's name.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Small => "small",
            Profile::Medium => "medium",
            Profile::Large => "large",
            Profile::Xlarge => "xlarge",
        }
    }

    /// Parses a profile name.
    pub fn parse(s: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == s)
    }

    /// The sizes of this profile with a seed.
    pub fn config(self, seed: u64) -> GenConfig {
        let (contacts, accounts, rows) = match self {
            Profile::Small => (1_000, 100, 10_000),
            Profile::Medium => (100_000, 10_000, 1_000_000),
            Profile::Large => (1_000_000, 100_000, 10_000_000),
            Profile::Xlarge => (10_000_000, 1_000_000, 100_000_000),
        };
        GenConfig { contacts, accounts, rows, seed, fo: false }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The sizes of a synthetic tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenConfig {
    /// Contact rows.
    pub contacts: u64,
    /// Account rows.
    pub accounts: u64,
    /// Total rows in all tables (contacts, accounts and products included);
    /// what is left after those is spread over cases, comments, notes,
    /// orders and order lines.
    pub rows: u64,
    /// The seed: the same seed and sizes give the same bytes.
    pub seed: u64,
    /// Add a vendor portal on F&O virtual tables (`generate --fo`,
    /// [`crate::perf::generate_fo`]): its rows come on top of `rows`.
    pub fo: bool,
}

impl GenConfig {
    /// Product rows: one per hundred contacts, at least 20.
    pub fn products(&self) -> u64 {
        (self.contacts / 100).max(20)
    }

    /// The F&O part, when asked for.
    pub fn fo_shape(&self) -> Option<FoShape> {
        self.fo.then(|| FoShape::new(self.contacts, self.seed))
    }

    /// Row counts per table, in the order they are written (the F&O
    /// tables last, when asked for).
    pub fn table_sizes(&self) -> Vec<(&'static str, u64)> {
        let mut out = self.portal_sizes();
        out.extend(self.fo_shape().map(|f| f.table_sizes()).unwrap_or_default());
        out
    }

    /// Row counts of the customer portal's tables.
    fn portal_sizes(&self) -> Vec<(&'static str, u64)> {
        let fixed = self.contacts + self.accounts + self.products();
        let rest = self.rows.saturating_sub(fixed);
        let part = |pct: u64| rest * pct / 100;
        vec![
            ("account", self.accounts),
            ("contact", self.contacts),
            ("product", self.products()),
            ("incident", part(30)),
            ("adx_portalcomment", part(20)),
            ("annotation", part(20)),
            ("salesorder", part(10)),
            ("salesorderdetail", part(20)),
        ]
    }

    /// The big accounts: between them they hold a quarter of all contacts
    /// (and of account-owned cases and orders), about 2,500 contacts each
    /// from 40,000 contacts up (one per 10,000 contacts, at least three), so
    /// "a few accounts with thousands of contacts" stays true at every size.
    pub fn big_accounts(&self) -> u64 {
        (self.contacts / 10_000).max(3).min(self.accounts)
    }
}

/// What a generation wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GenStats {
    /// Rows per table, in the order written.
    pub tables: Vec<(String, u64)>,
    /// All rows.
    pub rows: u64,
    /// N:N association pairs.
    pub associations: u64,
    /// `[contact, role]` membership pairs.
    pub contact_members: u64,
    /// `[account, role]` membership pairs.
    pub account_members: u64,
    /// Web roles.
    pub roles: u64,
    /// Table permissions.
    pub permissions: u64,
    /// Web pages (surfaces.md).
    pub pages: u64,
    /// Bytes written.
    pub bytes: u64,
}

/// Why a tenant could not be written.
#[derive(Debug, Error)]
pub enum GenError {
    /// The output file could not be created or written.
    #[error("{file}: cannot write: {source}")]
    Write {
        /// The output path.
        file: String,
        /// What the system said.
        source: io::Error,
    },
}

/// SplitMix64: small, fast, and the same on every platform, so a seed names
/// one tenant forever (a crate's generator could change between versions).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A stream for one section: the seed mixed with the section's name.
    pub fn new(seed: u64, stream: &str) -> Rng {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in stream.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let mut r = Rng(seed ^ h);
        r.next_u64();
        r
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    /// A random element of a slice (`None` when it is empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }
}

const FIRST: &[&str] = &[
    "Ada", "Bo", "Cy", "Di", "Ed", "Flo", "Gus", "Hal", "Ivy", "Jo", "Kai", "Liv", "Max", "Noa", "Oli", "Pia", "Quin",
    "Ria", "Sam", "Tea", "Uma", "Vic", "Wen", "Xan", "Yul", "Zoe",
];
const LAST: &[&str] = &[
    "Adams", "Berg", "Costa", "Diaz", "Eriksen", "Fischer", "Garcia", "Hansen", "Ito", "Jensen", "Kowalski", "Lopez",
    "Meyer", "Nguyen", "Okafor", "Patel", "Rossi", "Silva", "Tanaka", "Weber",
];
const COMPANY: &[&str] =
    &["Contoso", "Fabrikam", "Northwind", "Tailspin", "Litware", "Adatum", "Woodgrove", "Proseware"];
const SUFFIX: &[&str] = &["Ltd", "Inc", "GmbH", "Group", "Partners", "Labs", "Retail", "Energy"];
const SUBJECT: &[&str] = &[
    "Pump failure",
    "Invoice question",
    "Login problem",
    "Late delivery",
    "Broken valve",
    "Warranty claim",
    "Installation",
    "Return request",
    "Noise complaint",
    "Firmware update",
];
const PRODUCT: &[&str] = &["Pump", "Valve", "Hose", "Seal", "Filter", "Gauge", "Motor", "Sensor", "Panel", "Bracket"];

/// Counts bytes on their way to the file.
struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Writes a tenant to `path` (through a temporary file in the same folder,
/// renamed into place when complete: a failed run leaves no partial file).
pub fn generate_file(cfg: &GenConfig, path: &Path) -> Result<GenStats, GenError> {
    let file = path.display().to_string();
    let werr = |source: io::Error| GenError::Write { file: file.clone(), source };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let tmp = tempfile::NamedTempFile::new_in(&dir).map_err(werr)?;
    let stats = {
        let mut w = BufWriter::with_capacity(1 << 20, tmp.as_file());
        let stats = generate(cfg, &mut w).map_err(werr)?;
        w.flush().map_err(werr)?;
        stats
    };
    tmp.persist(path).map_err(|e| werr(e.error))?;
    Ok(stats)
}

/// Writes a tenant as native JSON to `out`, row by row.
pub fn generate<W: Write>(cfg: &GenConfig, out: W) -> io::Result<GenStats> {
    let mut w = Counting { inner: out, bytes: 0 };
    let mut stats = GenStats::default();
    let g = Gen::new(cfg);

    write!(w, "{{\"format\":")?;
    serde_json::to_writer(&mut w, FORMAT)?;
    let fo = g.fo.as_ref();
    let (mut rels, mut roles) = (relationships(), roles());
    let mut perms: Vec<Value> = permissions().iter().map(serde_json::to_value).collect::<Result<_, _>>()?;
    if let (Some(_), Value::Array(rs), Value::Array(ws)) = (&fo, &mut rels, &mut roles) {
        rs.extend(FoShape::relationships());
        ws.push(FoShape::role());
        perms.extend(FoShape::permissions());
    }
    w.write_all(b",\n\"relationships\":")?;
    serde_json::to_writer(&mut w, &rels)?;
    stats.roles = roles.as_array().map_or(0, Vec::len) as u64;
    w.write_all(b",\n\"web_roles\":")?;
    serde_json::to_writer(&mut w, &roles)?;
    stats.permissions = perms.len() as u64;
    w.write_all(b",\n\"table_permissions\":[\n")?;
    for (i, p) in perms.iter().enumerate() {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut w, p)?;
    }
    w.write_all(b"],\n\"rows\":{")?;
    for (ti, (table, n)) in g.sizes.iter().enumerate() {
        if ti > 0 {
            w.write_all(b",")?;
        }
        write!(w, "\n\"{table}\":[")?;
        let mut rng = Rng::new(cfg.seed, table);
        for i in 0..*n {
            w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            g.row(&mut w, table, i, &mut rng)?;
        }
        w.write_all(b"]")?;
        stats.tables.push((table.to_string(), *n));
        stats.rows += n;
    }
    w.write_all(b"},\n\"associations\":{\"contact_products\":[")?;
    stats.associations = g.associations(&mut w)?;
    w.write_all(b"]},\n\"role_members\":{\"contacts\":[")?;
    stats.contact_members = g.contact_members(&mut w)?;
    if let Some(f) = fo {
        stats.contact_members = f.members(&mut w, stats.contact_members)?;
    }
    w.write_all(b"],\n\"accounts\":[")?;
    stats.account_members = g.account_members(&mut w)?;
    w.write_all(b"]},\n\"site_settings\":")?;
    serde_json::to_writer(&mut w, &site_settings())?;
    w.write_all(b",\n\"column_permission_profiles\":")?;
    serde_json::to_writer(&mut w, &column_profiles())?;
    if let Some(f) = fo {
        w.write_all(b",\n\"finance_operations\":")?;
        f.write_section(&mut w)?;
    }
    stats.pages = super::generate_surfaces::write_sections(&mut w, cfg.seed, cfg.rows)?;
    w.write_all(b"}\n")?;
    w.flush()?;
    stats.bytes = w.bytes;
    Ok(stats)
}

/// The relationships the file declares (the standard ones come from the
/// catalogue): orders, order lines, products.
fn relationships() -> Value {
    json!([
        {"name": "order_customer_contacts", "referencing": "salesorder", "lookup": "customerid", "referenced": "contact"},
        {"name": "order_customer_accounts", "referencing": "salesorder", "lookup": "customerid", "referenced": "account"},
        {"name": "order_details", "referencing": "salesorderdetail", "lookup": "salesorderid", "referenced": "salesorder"},
        {"name": "product_order_details", "referencing": "salesorderdetail", "lookup": "productid", "referenced": "product"},
        {"name": "contact_products", "kind": "many_to_many", "tables": ["contact", "product"]}
    ])
}

/// Ten web roles: anonymous, authenticated, eight others (one inactive).
fn roles() -> Value {
    json!([
        {"id": "R-anon", "name": "Anonymous Users", "anonymous_users": true},
        {"id": "R-auth", "name": "Authenticated Users", "authenticated_users": true},
        {"id": "R-cust", "name": "Customers"},
        {"id": "R-buyer", "name": "Buyers"},
        {"id": "R-partner", "name": "Partners"},
        {"id": "R-padmin", "name": "Partner Administrators"},
        {"id": "R-kam", "name": "Key Account Users"},
        {"id": "R-support", "name": "Support Agents"},
        {"id": "R-admin", "name": "Administrators"},
        {"id": "R-legacy", "name": "Legacy Portal Users", "active": false}
    ])
}

/// Web API settings (channels.md C1 to C3) on some tables: contacts with a
/// column list, products with `*`, cases and orders, and notes with a field
/// list but not enabled.
fn site_settings() -> Value {
    json!([
        {"name": "Webapi/contact/enabled", "value": "true"},
        {"name": "Webapi/contact/fields", "value": "fullname,emailaddress1,telephone1"},
        {"name": "Webapi/product/enabled", "value": "true"},
        {"name": "Webapi/product/fields", "value": "*"},
        {"name": "Webapi/incident/enabled", "value": "true"},
        {"name": "Webapi/incident/fields", "value": "title,customerid,description"},
        {"name": "Webapi/salesorder/enabled", "value": "True"},
        {"name": "Webapi/salesorder/fields", "value": "name, totalamount"},
        {"name": "Webapi/annotation/fields", "value": "notetext"}
    ])
}

/// Column permission profiles (channels.md C5) on contacts and cases.
fn column_profiles() -> Value {
    json!([
        {"id": "CPP-contact", "name": "Contact columns for signed-in users", "table": "contact", "web_roles": ["R-auth"],
         "columns": {"fullname": ["read"], "emailaddress1": ["read", "update"]}},
        {"id": "CPP-incident", "name": "Case columns for customers", "table": "incident", "web_roles": ["R-cust"],
         "all_columns": ["read"], "columns": {"title": ["read", "update"]}}
    ])
}

/// One permission row of the template below.
struct P {
    id: &'static str,
    name: &'static str,
    table: &'static str,
    scope: Value,
    kind: &'static str,
    rel: Option<&'static str>,
    parent: Option<&'static str>,
    privileges: &'static [&'static str],
    roles: &'static [&'static str],
    active: bool,
}

impl Serialize for P {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", self.id)?;
        m.serialize_entry("name", self.name)?;
        m.serialize_entry("table", self.table)?;
        m.serialize_entry("scope", &self.scope)?;
        if let Some(r) = self.rel {
            let key = match self.kind {
                "contact" => "contact_relationship",
                "account" => "account_relationship",
                _ => "parent_relationship",
            };
            m.serialize_entry(key, r)?;
        }
        if let Some(parent) = self.parent {
            m.serialize_entry("parent", parent)?;
        }
        m.serialize_entry("privileges", self.privileges)?;
        if !self.roles.is_empty() {
            m.serialize_entry("web_roles", self.roles)?;
        }
        if !self.active {
            m.serialize_entry("active", &false)?;
        }
        m.end()
    }
}

const RW: &[&str] = &["read", "write"];
const R: &[&str] = &["read"];
const ALL: &[&str] = &["read", "write", "create", "delete", "append", "append_to"];

#[allow(clippy::too_many_arguments)]
fn p(
    id: &'static str,
    name: &'static str,
    table: &'static str,
    scope: &'static str,
    rel: Option<&'static str>,
    parent: Option<&'static str>,
    privileges: &'static [&'static str],
    roles: &'static [&'static str],
) -> P {
    // Two scopes are written as Dataverse codes, as exports carry them.
    let (kind, scope) = match scope {
        "contact-code" => ("contact", json!(756_150_001)),
        "parent-code" => ("parent", json!(756_150_003)),
        s => (s, json!(s)),
    };
    P { id, name, table, scope, kind, rel, parent, privileges, roles, active: true }
}

fn inactive(mut x: P) -> P {
    x.active = false;
    x
}

/// Sixty table permissions: every scope, Parent chains up to depth four,
/// inactive nodes, Global children, roles listed on children (ignored, S6),
/// Self on a table other than `contact` and a Custom permission (both admit
/// nothing).
#[rustfmt::skip]
fn permissions() -> Vec<P> {
    use Option::None as N;
    let s = Some;
    vec![
        // Customers: their cases, the comments and notes on them, orders, products.
        p("TP-cust-case", "Cases where contact is customer", "incident", "contact", s("incident_customer_contacts"), N, &["read", "write", "create", "append", "append_to"], &["R-cust"]),
        p("TP-cust-case-comment", "Comments on my cases", "adx_portalcomment", "parent", s("incident_adx_portalcomments"), s("TP-cust-case"), &["read", "create", "append", "append_to"], &[]),
        p("TP-cust-case-comment-note", "Notes on comments on my cases", "annotation", "parent", s("adx_portalcomment_Annotations"), s("TP-cust-case-comment"), &["read", "create", "append"], &[]),
        p("TP-cust-case-note", "Notes on my cases", "annotation", "parent-code", s("Incident_Annotation"), s("TP-cust-case"), &["read", "create", "append"], &["R-admin"]),
        p("TP-cust-case-product", "Catalogue while filing cases", "product", "global", N, s("TP-cust-case"), R, &[]),
        p("TP-cust-primary", "Cases where I am the primary contact", "incident", "contact", s("contact_as_primary_contact"), N, R, &["R-cust"]),
        p("TP-cust-primary-note", "Notes on those cases", "annotation", "parent", s("Incident_Annotation"), s("TP-cust-primary"), R, &[]),
        p("TP-cust-self", "Own contact record", "contact", "self", N, N, RW, &["R-cust", "R-buyer"]),
        p("TP-cust-orders", "My orders", "salesorder", "contact-code", s("order_customer_contacts"), N, R, &["R-cust"]),
        p("TP-cust-order-lines", "Lines of my orders", "salesorderdetail", "parent", s("order_details"), s("TP-cust-orders"), R, &[]),
        p("TP-cust-order-products", "Products on my orders", "product", "parent", s("product_order_details"), s("TP-cust-order-lines"), R, &[]),
        p("TP-cust-products", "My registered products", "product", "contact", s("contact_products"), N, &["read", "append_to"], &["R-cust"]),
        p("TP-cust-primary-account", "Accounts I am primary contact of", "account", "contact", s("account_primary_contact"), N, R, &["R-cust"]),
        p("TP-cust-company", "My company", "account", "contact", s("contact_customer_accounts"), N, R, &["R-cust"]),
        p("TP-cust-colleagues", "Contacts filed under me", "contact", "contact", s("contact_customer_contacts"), N, R, &["R-cust"]),
        p("TP-cust-old-orders", "Old order portal", "salesorder", "global", N, N, RW, &["R-cust"]),
        p("TP-cust-custom", "Open orders (FetchXML)", "salesorder", "custom", N, N, R, &["R-cust"]),
        // Buyers: account orders with lines, the catalogue.
        p("TP-buy-orders", "Orders of my account", "salesorder", "account", s("order_customer_accounts"), N, &["read", "write", "create", "append", "append_to"], &["R-buyer"]),
        p("TP-buy-lines", "Lines of those orders", "salesorderdetail", "parent", s("order_details"), s("TP-buy-orders"), &["read", "write", "create", "delete", "append"], &[]),
        p("TP-buy-line-products", "Products on those lines", "product", "parent", s("product_order_details"), s("TP-buy-lines"), R, &[]),
        p("TP-buy-catalogue", "Product catalogue", "product", "global", N, N, R, &["R-buyer"]),
        p("TP-buy-my-orders", "Orders I placed", "salesorder", "contact", s("order_customer_contacts"), N, &["read", "write", "delete"], &["R-buyer"]),
        p("TP-buy-self-order", "Self on orders (admits nothing)", "salesorder", "self", N, N, R, &["R-buyer"]),
        // Partners (held through account membership).
        p("TP-partner-cases", "Cases of my account", "incident", "account", s("incident_customer_accounts"), N, &["read", "write", "append", "append_to"], &["R-partner"]),
        p("TP-partner-case-comments", "Comments on those cases", "adx_portalcomment", "parent", s("incident_adx_portalcomments"), s("TP-partner-cases"), &["read", "create", "append"], &[]),
        p("TP-partner-case-comment-notes", "Notes on those comments", "annotation", "parent", s("adx_portalcomment_Annotations"), s("TP-partner-case-comments"), R, &[]),
        p("TP-partner-case-notes", "Notes on those cases", "annotation", "parent", s("Incident_Annotation"), s("TP-partner-cases"), &["read", "create"], &[]),
        p("TP-partner-subaccounts", "Accounts under my account", "account", "account", s("account_parent_account"), N, R, &["R-partner"]),
        p("TP-partner-sub-cases", "Cases of those accounts", "incident", "parent", s("incident_customer_accounts"), s("TP-partner-subaccounts"), R, &[]),
        p("TP-partner-sub-comments", "Comments on those cases", "adx_portalcomment", "parent", s("incident_adx_portalcomments"), s("TP-partner-sub-cases"), R, &[]),
        p("TP-partner-sub-notes", "Notes on those comments", "annotation", "parent", s("adx_portalcomment_Annotations"), s("TP-partner-sub-comments"), R, &[]),
        p("TP-partner-colleagues", "Contacts of my account", "contact", "account", s("contact_customer_accounts"), N, R, &["R-partner"]),
        p("TP-partner-colleague-cases", "Cases of those contacts", "incident", "parent", s("incident_customer_contacts"), s("TP-partner-colleagues"), R, &[]),
        p("TP-partner-colleague-orders", "Orders of those contacts", "salesorder", "parent", s("order_customer_contacts"), s("TP-partner-colleagues"), R, &["R-buyer"]),
        p("TP-partner-self", "Own contact record", "contact", "self", N, N, RW, &["R-partner"]),
        // Partner administrators.
        p("TP-padmin-contacts", "Manage contacts of my account", "contact", "account", s("contact_customer_accounts"), N, &["read", "write", "create", "append_to"], &["R-padmin"]),
        p("TP-padmin-account", "My account's children", "account", "account", s("account_parent_account"), N, RW, &["R-padmin"]),
        p("TP-padmin-cases", "Manage cases of my account", "incident", "account", s("incident_customer_accounts"), N, &["read", "write", "delete", "append", "append_to"], &["R-padmin"]),
        p("TP-padmin-products", "Catalogue (Global child)", "product", "global", N, s("TP-padmin-cases"), R, &[]),
        p("TP-padmin-notes", "Every note (Global child)", "annotation", "global", N, s("TP-padmin-cases"), R, &[]),
        // Key account users (held through the big accounts).
        p("TP-kam-orders", "Orders of my key account", "salesorder", "account", s("order_customer_accounts"), N, &["read", "append_to"], &["R-kam"]),
        p("TP-kam-lines", "Lines of those orders", "salesorderdetail", "parent", s("order_details"), s("TP-kam-orders"), R, &[]),
        p("TP-kam-cases", "Cases of my key account", "incident", "account", s("incident_customer_accounts"), N, R, &["R-kam"]),
        // Support agents: every case, with Parent chains under a Global top.
        p("TP-sup-cases", "All cases", "incident", "global", N, N, &["read", "write", "append", "append_to"], &["R-support"]),
        p("TP-sup-comments", "Comments on any case", "adx_portalcomment", "parent", s("incident_adx_portalcomments"), s("TP-sup-cases"), &["read", "write", "create", "append", "append_to"], &[]),
        p("TP-sup-comment-notes", "Notes on those comments", "annotation", "parent", s("adx_portalcomment_Annotations"), s("TP-sup-comments"), &["read", "create"], &[]),
        p("TP-sup-case-notes", "Notes on any case", "annotation", "parent", s("Incident_Annotation"), s("TP-sup-cases"), &["read", "create", "append"], &[]),
        p("TP-sup-contacts", "All contacts", "contact", "global", N, N, R, &["R-support"]),
        p("TP-sup-accounts", "All accounts", "account", "global", N, N, R, &["R-support"]),
        // Administrators: everything.
        p("TP-admin-incident", "Admin: cases", "incident", "global", N, N, ALL, &["R-admin"]),
        p("TP-admin-contact", "Admin: contacts", "contact", "global", N, N, ALL, &["R-admin"]),
        p("TP-admin-account", "Admin: accounts", "account", "global", N, N, ALL, &["R-admin"]),
        p("TP-admin-salesorder", "Admin: orders", "salesorder", "global", N, N, ALL, &["R-admin"]),
        p("TP-admin-salesorderdetail", "Admin: order lines", "salesorderdetail", "global", N, N, ALL, &["R-admin"]),
        // Anonymous and authenticated visitors.
        p("TP-anon-products", "Catalogue for everyone", "product", "global", N, N, R, &["R-anon"]),
        p("TP-anon-new-case", "Anonymous case form", "incident", "contact", s("incident_customer_contacts"), N, &["create"], &["R-anon"]),
        p("TP-auth-products", "Catalogue for signed-in visitors", "product", "global", N, N, R, &["R-auth"]),
        p("TP-auth-self", "Own contact record", "contact", "self", N, N, R, &["R-auth"]),
        p("TP-auth-cases", "My cases (read)", "incident", "contact", s("incident_customer_contacts"), N, R, &["R-auth"]),
        inactive(p("TP-auth-case-comments", "Comments (switched off)", "adx_portalcomment", "parent", s("incident_adx_portalcomments"), s("TP-auth-cases"), R, &[])),
        p("TP-auth-case-comment-notes", "Notes under a switched-off node", "annotation", "parent", s("adx_portalcomment_Annotations"), s("TP-auth-case-comments"), R, &[]),
        // An inactive role, and an inactive root.
        p("TP-legacy-cases", "Legacy: all cases", "incident", "global", N, N, R, &["R-legacy"]),
        inactive(p("TP-old-lines", "Old order lines", "salesorderdetail", "global", N, N, RW, &["R-buyer"])),
    ]
}

/// Per-row generation.
struct Gen {
    cfg: GenConfig,
    sizes: Vec<(&'static str, u64)>,
    n: [u64; 8],
    big: u64,
    fo: Option<FoShape>,
}

#[derive(Serialize)]
struct AccountRow<'a> {
    id: String,
    name: String,
    parentaccountid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primarycontactid: Option<String>,
    industry: &'a str,
}

#[derive(Serialize)]
struct ContactRow {
    id: String,
    fullname: String,
    parentcustomerid: Option<String>,
    /// The vendor a vendor contact works for (`--fo`).
    #[serde(skip_serializing_if = "Option::is_none")]
    mserp_vendoraccount: Option<String>,
}

#[derive(Serialize)]
struct ProductRow {
    id: String,
    name: String,
}

#[derive(Serialize)]
struct IncidentRow<'a> {
    id: String,
    title: &'a str,
    customerid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primarycontactid: Option<String>,
}

#[derive(Serialize)]
struct CommentRow {
    id: String,
    regardingobjectid: Option<String>,
}

#[derive(Serialize)]
struct NoteRow<'a> {
    id: String,
    subject: &'a str,
    objectid: Option<String>,
}

#[derive(Serialize)]
struct OrderRow {
    id: String,
    customerid: Option<String>,
}

#[derive(Serialize)]
struct LineRow {
    id: String,
    salesorderid: Option<String>,
    productid: Option<String>,
    quantity: u64,
}

const ACCOUNT: usize = 0;
const CONTACT: usize = 1;
const PRODUCT_T: usize = 2;
const INCIDENT: usize = 3;
const COMMENT: usize = 4;
const ORDER: usize = 6;

impl Gen {
    fn new(cfg: &GenConfig) -> Gen {
        let sizes = cfg.table_sizes();
        let mut n = [0u64; 8];
        for (i, (_, k)) in sizes.iter().enumerate().take(8) {
            n[i] = *k;
        }
        Gen { cfg: *cfg, sizes, n, big: cfg.big_accounts(), fo: cfg.fo_shape() }
    }

    /// A skewed account: a quarter of all picks go to the few big accounts.
    fn account(&self, rng: &mut Rng) -> Option<String> {
        let n = self.n[ACCOUNT];
        if n == 0 {
            return None;
        }
        let a = if rng.chance(250) || n <= self.big {
            rng.below(self.big.max(1))
        } else {
            self.big + rng.below(n - self.big)
        };
        Some(format!("A{a}"))
    }

    fn contact(&self, rng: &mut Rng) -> Option<String> {
        (self.n[CONTACT] > 0).then(|| format!("C{}", rng.below(self.n[CONTACT])))
    }

    fn of(&self, table: usize, prefix: &str, rng: &mut Rng) -> Option<String> {
        (self.n[table] > 0).then(|| format!("{prefix}{}", rng.below(self.n[table])))
    }

    /// A customer (`customerid`): mostly a contact, often an account, a few
    /// empty, one in a thousand dangling (S24).
    fn customer(&self, rng: &mut Rng, contact_per_mille: u64) -> Option<String> {
        let roll = rng.below(1000);
        if roll < contact_per_mille {
            self.contact(rng)
        } else if roll < 960 {
            self.account(rng).or_else(|| self.contact(rng))
        } else if roll < 999 {
            None
        } else {
            Some(format!("GONE{}", rng.below(1000)))
        }
    }

    fn row<W: Write>(&self, w: &mut W, table: &str, i: u64, rng: &mut Rng) -> io::Result<()> {
        let pick = |rng: &mut Rng, xs: &[&'static str]| -> &'static str { rng.pick(xs).copied().unwrap_or("") };
        match table {
            "account" => {
                // A forest: two in five accounts (not the big ones) sit under an earlier one.
                let parentaccountid = (i > self.big && rng.chance(400)).then(|| format!("A{}", rng.below(i)));
                let primarycontactid = if rng.chance(500) { self.contact(rng) } else { None };
                let name = format!("{} {} {i}", pick(rng, COMPANY), pick(rng, SUFFIX));
                let industry = pick(rng, &["Manufacturing", "Retail", "Utilities", "Services"]);
                serde_json::to_writer(
                    w,
                    &AccountRow { id: format!("A{i}"), name, parentaccountid, primarycontactid, industry },
                )?;
            }
            "contact" => {
                // S1: most contacts under an account, some under none, some
                // under another contact (and so with no account).
                let roll = rng.below(1000);
                let parentcustomerid = if roll < 50 {
                    None
                } else if roll < 80 && i > 0 {
                    Some(format!("C{}", rng.below(i)))
                } else {
                    self.account(rng)
                };
                let fullname = format!("{} {}", pick(rng, FIRST), pick(rng, LAST));
                let mserp_vendoraccount =
                    self.fo.as_ref().and_then(|f| f.vendor_contact(i)).map(|c| format!("V{}", c.vendor));
                serde_json::to_writer(w, &ContactRow { id: format!("C{i}"), fullname, parentcustomerid, mserp_vendoraccount })?;
            }
            "product" => {
                let name = format!("{} {}", pick(rng, PRODUCT), i);
                serde_json::to_writer(w, &ProductRow { id: format!("P{i}"), name })?;
            }
            "incident" => {
                let customerid = self.customer(rng, 650);
                let primarycontactid = if customerid.as_deref().is_some_and(|c| c.starts_with('A')) && rng.chance(600) {
                    self.contact(rng)
                } else {
                    None
                };
                let title = pick(rng, SUBJECT);
                serde_json::to_writer(w, &IncidentRow { id: format!("I{i}"), title, customerid, primarycontactid })?;
            }
            "adx_portalcomment" => {
                let regardingobjectid = self.of(INCIDENT, "I", rng);
                serde_json::to_writer(w, &CommentRow { id: format!("PC{i}"), regardingobjectid })?;
            }
            "annotation" => {
                // Notes on cases and on portal comments (a polymorphic lookup, S23).
                let objectid = if rng.chance(600) { self.of(INCIDENT, "I", rng) } else { self.of(COMMENT, "PC", rng) };
                let subject = pick(rng, &["Photo", "Log file", "Call summary", "Quote"]);
                serde_json::to_writer(w, &NoteRow { id: format!("N{i}"), subject, objectid })?;
            }
            "salesorder" => {
                let customerid = self.customer(rng, 600);
                serde_json::to_writer(w, &OrderRow { id: format!("SO{i}"), customerid })?;
            }
            "salesorderdetail" => {
                let salesorderid = self.of(ORDER, "SO", rng);
                let productid = self.of(PRODUCT_T, "P", rng);
                let quantity = 1 + rng.below(20);
                serde_json::to_writer(w, &LineRow { id: format!("SOD{i}"), salesorderid, productid, quantity })?;
            }
            _ => {
                if let Some(f) = &self.fo {
                    f.row(w, table, i)?;
                }
            }
        }
        Ok(())
    }

    /// `contact_products` pairs: three in ten contacts registered one to three products.
    fn associations<W: Write>(&self, w: &mut W) -> io::Result<u64> {
        let mut rng = Rng::new(self.cfg.seed, "contact_products");
        let mut count = 0u64;
        if self.n[PRODUCT_T] == 0 {
            return Ok(0);
        }
        for c in 0..self.n[CONTACT] {
            if !rng.chance(300) {
                continue;
            }
            for _ in 0..1 + rng.below(3) {
                w.write_all(if count == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut *w, &[format!("C{c}"), format!("P{}", rng.below(self.n[PRODUCT_T]))])?;
                count += 1;
            }
        }
        Ok(count)
    }

    /// Contact memberships: customers, buyers, partner administrators, a few
    /// support agents and administrators, members of the inactive role.
    fn contact_members<W: Write>(&self, w: &mut W) -> io::Result<u64> {
        let mut rng = Rng::new(self.cfg.seed, "contact_members");
        let mut count = 0u64;
        for c in 0..self.n[CONTACT] {
            let mut roles: Vec<&str> = Vec::new();
            if rng.chance(400) {
                roles.push("R-cust");
            }
            if rng.chance(100) {
                roles.push("R-buyer");
            }
            if rng.chance(20) {
                roles.push("R-padmin");
            }
            if rng.below(1000) < 1 || c == 1 {
                roles.push("R-support");
            }
            if c < 3 {
                roles.push("R-admin");
            }
            if rng.chance(10) {
                roles.push("R-legacy");
            }
            for r in roles {
                w.write_all(if count == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut *w, &[format!("C{c}").as_str(), r])?;
                count += 1;
            }
        }
        Ok(count)
    }

    /// Account memberships: one account in five is a partner; the big
    /// accounts hold the key-account role.
    fn account_members<W: Write>(&self, w: &mut W) -> io::Result<u64> {
        let mut rng = Rng::new(self.cfg.seed, "account_members");
        let mut count = 0u64;
        for a in 0..self.n[ACCOUNT] {
            let mut roles: Vec<&str> = Vec::new();
            if rng.chance(200) {
                roles.push("R-partner");
            }
            if a < self.big {
                roles.push("R-kam");
            }
            for r in roles {
                w.write_all(if count == 0 { b"\n" } else { b",\n" })?;
                serde_json::to_writer(&mut *w, &[format!("A{a}").as_str(), r])?;
                count += 1;
            }
        }
        Ok(count)
    }
}
