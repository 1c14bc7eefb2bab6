#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod baseline;
pub mod catalogue;
pub mod convert;
pub mod engine;
pub mod error;
pub mod fast;
pub mod folder;
pub mod lint;
pub mod load;
pub mod model;
pub mod query;
pub mod raw;
pub mod session;
pub mod testkit;
pub mod walk;
pub mod why;
pub mod sarif;
pub mod whatif;

pub use engine::{Grants, Visitor};
pub use error::{LoadError, QueryError};
pub use model::{Privilege, Scope, Tenant};
pub use query::Analysis;
