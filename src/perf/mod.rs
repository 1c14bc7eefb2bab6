//! Performance tooling, apart from the pipeline: the tenant generator, the
//! `bench` report, the Cedar peer it is compared with, and the random tenants
//! of the property tests. Nothing in the pipeline imports it.

pub mod testkit;
pub mod testkit_fo;
pub mod testkit_surfaces;
pub mod generate_fo;
pub mod generate;
pub mod generate_surfaces;
pub mod bench_surfaces;
pub mod cedar;
pub mod pipelines;
pub mod patterns_speed;
pub mod bench_questions;
pub mod bench;
pub mod bench_targets;
pub mod bench_report;
pub mod bench_measures;
pub mod fake_dataverse;
pub mod fake_tenant;
pub mod fake_surfaces;
pub mod bench_pull;
