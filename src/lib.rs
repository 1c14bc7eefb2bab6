#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod baseline;
pub mod bench;
pub mod catalogue;
pub mod cedar;
pub mod convert;
pub mod engine;
pub mod error;
pub mod fast;
pub mod folder;
pub mod generate;
pub mod lint;
pub mod load;
pub mod model;
pub mod query;
pub mod raw;
pub mod sarif;
pub mod session;
pub mod testkit;
pub mod walk;
pub mod whatif;
pub mod why;

pub use engine::{Grants, Visitor};
pub use error::{LoadError, QueryError};
pub use model::{Privilege, Scope, Tenant};
pub use query::Analysis;
