#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

// The folders are the stages of the pipeline; each imports only the ones
// above it in this list (`tests/architecture.rs` keeps it so).
pub mod error;
pub mod pull;
pub mod load;
pub mod model;
pub mod engine;
pub mod answer;
pub mod cli;
pub mod perf;

pub use answer::query::Analysis;
pub use engine::{Grants, Visitor};
pub use error::{LoadError, QueryError};
pub use model::{Privilege, Scope, Tenant};
