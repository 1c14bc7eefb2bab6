//! Native tenant JSON, and the JSON parse every importer shares: fast
//! when the text is good, with the JSON path of the offending value when
//! it is not.

use super::raw::{ObjectOnly, RawTenant};
use crate::error::LoadError;

/// Parses native tenant JSON text; `file` names it in errors.
pub fn parse_native(text: &str, file: &str) -> Result<RawTenant, LoadError> {
    // The rows in parallel, each straight into its table (`split`); when
    // that cannot be done, one pass. The whole document must be an object
    // (see `ObjectOnly`). Fast path as in `parse_json`: the JSON path is
    // tracked only to report an error.
    if let Some(tenant) = super::split::parse(text) {
        return Ok(tenant);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    if let Ok(value) = <RawTenant as serde::Deserialize>::deserialize(ObjectOnly(&mut de)) {
        if de.end().is_ok() {
            return Ok(value);
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(ObjectOnly(&mut de)).map_err(|e| json_error(file, e))?;
    de.end().map_err(|e| syntax(file, &e))?;
    Ok(value)
}

/// Parses any of the project's JSON documents with errors that carry the
/// JSON path of the offending value.
pub fn parse_json<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T, LoadError> {
    // Fast path: no path tracking (a third of the parse time of a large
    // tenant). Only when it fails is the text parsed again with the JSON
    // path tracked, which gives the error exactly as a tracked parse does.
    let mut de = serde_json::Deserializer::from_str(text);
    if let Ok(value) = <T as serde::Deserialize>::deserialize(&mut de) {
        if de.end().is_ok() {
            return Ok(value);
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| json_error(file, e))?;
    de.end().map_err(|e| syntax(file, &e))?;
    Ok(value)
}

fn syntax(file: &str, e: &serde_json::Error) -> LoadError {
    LoadError::Syntax { file: file.to_string(), line: e.line(), column: e.column(), message: strip_position(e) }
}

fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    s.strip_suffix(&suffix).unwrap_or(&s).to_string()
}

fn json_error(file: &str, e: serde_path_to_error::Error<serde_json::Error>) -> LoadError {
    let path = e.path().to_string();
    let inner = e.into_inner();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        return syntax(file, &inner);
    }
    let place = if path == "." { "the top level".to_string() } else { format!("`{path}`") };
    LoadError::Invalid {
        file: file.to_string(),
        place,
        message: format!("{} (line {}, column {})", strip_position(&inner), inner.line(), inner.column()),
    }
}
