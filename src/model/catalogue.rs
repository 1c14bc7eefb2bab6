//! The standard Dataverse relationships that Power Pages templates use
//! (tenant-format.md). A tenant need not declare them; a declaration of the
//! same name overrides the entry.

/// `(name, referencing table, lookup column, referenced table)`.
pub const CATALOGUE: &[(&str, &str, &str, &str)] = &[
    ("contact_customer_accounts", "contact", "parentcustomerid", "account"),
    ("contact_customer_contacts", "contact", "parentcustomerid", "contact"),
    ("account_parent_account", "account", "parentaccountid", "account"),
    ("account_primary_contact", "account", "primarycontactid", "contact"),
    ("incident_customer_accounts", "incident", "customerid", "account"),
    ("incident_customer_contacts", "incident", "customerid", "contact"),
    ("contact_as_primary_contact", "incident", "primarycontactid", "contact"),
    ("Incident_Annotation", "annotation", "objectid", "incident"),
    ("incident_adx_portalcomments", "adx_portalcomment", "regardingobjectid", "incident"),
    ("adx_portalcomment_Annotations", "annotation", "objectid", "adx_portalcomment"),
    ("Incident_ActivityPointers", "activitypointer", "regardingobjectid", "incident"),
    ("Account_ActivityPointers", "activitypointer", "regardingobjectid", "account"),
    ("Contact_ActivityPointers", "activitypointer", "regardingobjectid", "contact"),
    ("Incident_Emails", "email", "regardingobjectid", "incident"),
];

/// One standard one-to-many relationship of the generated catalogue
/// (`data/relationships.json`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Standard {
    /// The relationship's schema name, as the Dataverse reference spells it.
    pub name: String,
    /// The table whose lookup column points at the other.
    pub referencing: String,
    /// The lookup column of `referencing`.
    pub lookup: String,
    /// The table the lookup points at.
    pub referenced: String,
}

#[derive(serde::Deserialize)]
struct Generated {
    relationships: Vec<Standard>,
}

/// The generated catalogue's text: standard relationships between the tables
/// portals use, from the Dataverse table reference (its header names the
/// source pages and commits; `examples/gen_catalogue.rs` regenerates it).
pub const GENERATED: &str = include_str!("../../data/relationships.json");

/// Standard Dataverse relationships beyond the spec's catalogue, for the
/// site folders of real downloads (their permissions name them without a
/// `relationships.json`): resolved only in folder tenants, and only when a
/// table permission names one that nothing declares, so that a native
/// tenant's lookups keep the spec's catalogue (a wider `objectid` would make
/// ids shared by two tables ambiguous, S23). Read from [`GENERATED`] at first
/// use; empty if that text does not parse (a test checks that it does).
pub fn standard() -> &'static [Standard] {
    static CELL: std::sync::OnceLock<Vec<Standard>> = std::sync::OnceLock::new();
    CELL.get_or_init(|| serde_json::from_str::<Generated>(GENERATED).map(|g| g.relationships).unwrap_or_default())
}

/// The generated catalogue's entry for `name`, compared without regard to
/// case (Dataverse schema names are unique regardless of case).
pub fn standard_named(name: &str) -> Option<&'static Standard> {
    standard().iter().find(|s| s.name.eq_ignore_ascii_case(name))
}
