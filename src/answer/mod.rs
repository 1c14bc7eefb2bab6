//! Answers: what a person or a pipeline asks of a loaded tenant. Each
//! answer is a value (serialisable to the JSON of cli.md); the front ends
//! print it.
//!
//! Rooms, each importing only the ones before it: [`query`] (`can`, `who`,
//! `what`, `grants` over the engine's index), [`why`] (chains and nearest
//! misses from the graph walk), [`whatif`] (change sets and the grant
//! differences they make), [`diff`] (the grant difference of two
//! versions of a tenant), [`expect`] (access tests kept beside a site,
//! with coverage), [`lint`] (configuration findings) and [`sarif`]
//! (findings for code scanning), [`convert`] (a folder tenant written
//! as native JSON, checked to answer the same), and [`report`] (the
//! security review's data: findings, outsiders, roles by table), with
//! [`rule_text`] (the rules in plain words, `docs/rules.md`, for answers to
//! quote).

pub mod rule_text;
pub mod patterns;
pub mod query;
pub mod why_finance;
pub mod why;
pub mod bypass;
pub mod whatif;
pub mod diff;
pub mod expect;
pub mod lint_finance;
pub mod lint;
pub mod sarif;
pub mod convert;
pub mod report;
pub mod surfaces;
pub mod channels;
pub mod lint_channels;
pub mod lint_surfaces;
