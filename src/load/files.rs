//! File helpers every importer shares.

use crate::error::LoadError;
use std::path::Path;

/// A path as error messages print it.
pub(crate) fn display(p: &Path) -> String {
    p.display().to_string()
}

pub(crate) fn read_error(path: &Path, e: std::io::Error) -> LoadError {
    LoadError::Read { file: display(path), reason: e.to_string() }
}

