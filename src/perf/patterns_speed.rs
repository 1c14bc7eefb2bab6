//! `bench`'s measure of the access patterns (patterns.md): every class's
//! patterns of a tenant, from its configuration alone, against one full
//! derivation of the same tenant measured in the same run.

use crate::engine::patterns::Patterns;
use crate::model::Tenant;
use serde::Serialize;
use std::time::Instant;

/// The patterns' time against a full derivation.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PatternSpeed {
    /// Seconds to derive every pattern (best of three).
    pub seconds: f64,
    /// One full derivation (derive + index), seconds, measured in this run.
    pub full_derive_seconds: f64,
    /// `seconds / full_derive_seconds` (the target: at most 0.05).
    pub ratio: f64,
    /// Patterns derived.
    pub patterns: usize,
    /// Of which possible for their class.
    pub possible: usize,
}

/// Times [`Patterns::derive`] on `t` (best of three runs) against `full`
/// seconds of derivation.
pub fn pattern_speed(t: &Tenant, full: f64) -> PatternSpeed {
    let mut best = f64::INFINITY;
    let mut last = Patterns::default();
    for _ in 0..3 {
        let start = Instant::now();
        last = Patterns::derive(t);
        best = best.min(start.elapsed().as_secs_f64());
    }
    PatternSpeed {
        seconds: best,
        full_derive_seconds: full,
        ratio: best / full.max(1e-9),
        patterns: last.list.len(),
        possible: last.list.iter().filter(|p| p.possible).count(),
    }
}
