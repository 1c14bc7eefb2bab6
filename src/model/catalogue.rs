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

/// Standard Dataverse relationships beyond the spec's catalogue, for the
/// site folders of real downloads (their permissions name them without a
/// `relationships.json`): resolved only in folder tenants, and only when a
/// table permission names one that nothing declares, so that a native
/// tenant's lookups keep the spec's catalogue (a wider `objectid` would make
/// ids shared by two tables ambiguous, S23).
pub const EXTENDED: &[(&str, &str, &str, &str)] = &[
    ("Contact_Annotation", "annotation", "objectid", "contact"),
    ("Account_Annotation", "annotation", "objectid", "account"),
];
