//! The engine: tenant facts into the Datalog rules (`rules/`), factored
//! grants out, indexed for answers; and, beside it, two independent
//! evaluations of the same rules that check it.
//!
//! Rooms, each importing only the ones before it: [`facts`] (the tenant as
//! the rules' facts, role memberships indexed), [`plan`] (the serving
//! derivation: the rules' propagation plan run over the tenant's adjacency),
//! [`grants`] (the derived relations indexed by row and visitor for
//! `can`, `who`, `what`), [`walk`] (the demand-driven graph walk that
//! checks the derivation and explains `why`), and [`baseline`] (a hand-written
//! single pass, the performance baseline).

pub mod facts;
pub mod plan;
pub mod grants;
pub mod finance;
pub mod finance_facts;
pub mod walk;
pub mod walk_finance;
pub mod baseline;
pub mod channels;
pub mod walk_channels;
pub mod patterns;
pub mod walk_patterns;
pub mod surfaces;
pub mod walk_surfaces;
pub mod endpoint_code;
pub mod flow_definition;

pub use facts::{config_facts, facts};
pub(crate) use facts::Members;
pub use grants::{sort_perms, sort_rows, Grants};
pub use crate::model::Visitor;
