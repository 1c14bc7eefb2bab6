//! Errors of the library. Messages follow one style: lowercase, no final
//! period, user input in backticks, and always the file and the place in it.

use thiserror::Error;

/// Why a tenant (or a change set) could not be loaded. A failed load grants
/// nothing: no partial model is ever returned.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The file or folder could not be read.
    #[error("{file}: cannot read: {reason}")]
    Read {
        /// The path given.
        file: String,
        /// What the system said.
        reason: String,
    },
    /// The text is not valid JSON or YAML.
    #[error("{file}: line {line}, column {column}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A value is of the wrong type, missing, unknown, duplicated, or names
    /// nothing.
    #[error("{file}: at {place}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// The JSON path in backticks (`table_permissions[3].parent`), or `line N`.
        place: String,
        /// What is wrong.
        message: String,
    },
}

impl LoadError {
    /// An [`LoadError::Invalid`] at a JSON path.
    pub fn at(file: &str, path: impl AsRef<str>, message: impl Into<String>) -> Self {
        LoadError::Invalid { file: file.to_string(), place: format!("`{}`", path.as_ref()), message: message.into() }
    }
}

/// Why a query could not be answered (an unknown row, contact or table).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// The argument names nothing in the tenant.
    #[error("{what} `{value}` {problem}")]
    Unknown {
        /// What kind of thing was asked for (`row`, `contact`, `table`, `privilege`).
        what: &'static str,
        /// The argument as given.
        value: String,
        /// What is wrong with it.
        problem: String,
    },
}
