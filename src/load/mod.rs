//! Reading a tenant's files into the raw form every later stage builds on
//! ([`raw::RawTenant`]); nothing here validates across sections (that is
//! [`crate::model`]'s one validator) and nothing here knows the model.
//!
//! Rooms, each importing only the ones before it: [`raw`] (the raw tenant
//! and its serde shape), [`native`] (native JSON text, and the JSON parse
//! every importer uses), [`yaml`] (the YAML reader of site files),
//! [`webapi`] (Dataverse Web API pages and `relationships.json`),
//! [`site_record`] (one site record's keys in any spelling, and what the
//! importer reports beside the tenant), [`site_more`] (site settings,
//! column permission profiles, lists, forms, page rules), [`site_refs`]
//! (broken references of real downloads, dropped), [`site`] (tenant
//! folders: a `pac pages download` or code site beside its data),
//! [`liquid`] (the site's Liquid FetchXML queries that filter on the
//! SYSTEM user, for lint),
//! [`expectations`] (access-test files, YAML or JSON),
//! and this file, the one dispatcher.

pub mod finance;
pub mod strs;
pub mod table;
pub mod origin;
pub mod raw_surfaces;
pub mod raw;
pub mod rows;
pub mod split;
pub mod files;
pub mod native;
pub mod yaml;
pub mod xml;
pub mod metadata;
pub mod solution;
pub mod webapi;
pub mod site_record;
pub mod site_more;
pub mod site_refs;
pub mod site_surfaces;
pub mod site;
pub mod liquid;
pub mod expectations;

pub use native::{parse_json, parse_native};

use crate::error::LoadError;
use raw::RawTenant;
use std::path::Path;

/// Reads the raw form of a tenant file or folder without validating it.
pub fn read_raw(path: &Path) -> Result<RawTenant, LoadError> {
    let file = path.display().to_string();
    if path.is_dir() {
        return Ok(site::read(path)?.raw);
    }
    let text = files::read_text(path)?;
    let raw = native::parse_native(&text, &file);
    files::release(text);
    raw
}
