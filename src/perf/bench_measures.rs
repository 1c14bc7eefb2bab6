//! The figures of `bench` beyond the row questions: lint, the F&O
//! channel and the report, each timed on a built tenant.

use crate::engine::{self, Visitor};
use crate::model::{Privilege, RowId};
use crate::perf::bench_questions::*;
use crate::perf::bench_report::{FinanceSpeed, ReportSpeed};
use crate::perf::generate::Rng;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

/// Times `lint` of a built tenant: seconds and findings. For a site folder
/// (`site`), the scan of its templates (PP029) is part of the time.
pub fn lint_speed(a: &crate::answer::query::Analysis, site: Option<crate::load::site::SiteReport>) -> (f64, usize) {
    let start = Instant::now();
    let site = site.map(|mut s| {
        s.system_user_filters = crate::load::liquid::scan(Path::new(&s.dir));
        s
    });
    let findings = crate::answer::lint::lint(a, site.as_ref()).len();
    (start.elapsed().as_secs_f64(), findings)
}


/// Times `bypass` for every visitor and `can` on virtual-table rows against
/// `can` on the ordinary rows of `rows_q` (see [`FinanceSpeed`]); `None`
/// without an F&O section.
pub fn finance_speed(
    a: &crate::answer::query::Analysis,
    full: f64,
    rows_q: &[(Visitor, Privilege, RowId)],
    seed: u64,
    n: usize,
    budget: Duration,
) -> Option<FinanceSpeed> {
    let (t, g) = (&a.tenant, &a.grants);
    let fo = g.fo()?;
    let virtual_tables: Vec<_> = t.tables.iter().enumerate().filter(|(i, tb)| fo.is_virtual(*i as u32) && !tb.ids.is_empty()).map(|(_, tb)| tb.rows()).collect();
    let virtual_rows: u64 = virtual_tables.iter().map(|r| u64::from(r.end - r.start)).sum();
    let runners = fo.runners();
    // Questions: mostly visitors with an F&O user, about rows their user
    // sees (their vendor's, where a policy narrows) or anywhere in the
    // virtual tables; some other contacts, some anonymous.
    let mut rng = Rng::new(seed, "finance questions");
    let contacts = t.contacts();
    let random_virtual = |rng: &mut Rng| -> Option<RowId> {
        let mut k = rng.below(virtual_rows) as u32;
        for r in &virtual_tables {
            if k < r.end - r.start {
                return Some(r.start + k);
            }
            k -= r.end - r.start;
        }
        None
    };
    let mut qs: Vec<(Visitor, Privilege, RowId)> = Vec::new();
    while qs.len() < n && virtual_rows > 0 {
        let roll = rng.below(100);
        let (v, x) = match rng.pick(&runners) {
            Some(&(v, u)) if roll < 75 => {
                let seen = if rng.chance(500) { fo.user_rows(t, u, None) } else { Vec::new() };
                (v, rng.pick(&seen).copied().or_else(|| random_virtual(&mut rng)))
            }
            _ if roll < 95 && !contacts.is_empty() => {
                let c = contacts.start + rng.below(u64::from(contacts.end - contacts.start)) as RowId;
                (Visitor::Contact(c), random_virtual(&mut rng))
            }
            _ => (Visitor::Anonymous, random_virtual(&mut rng)),
        };
        let p = if rng.chance(700) { Privilege::Read } else { privilege(&mut rng) };
        if let Some(x) = x {
            qs.push((v, p, x));
        }
    }
    let mut allowed = 0usize;
    let can_virtual = time_each(&qs, budget, |&(v, p, x)| g.can(t, v, p, x), |_, via| {
        allowed += usize::from(!via.is_empty());
        via.len()
    });
    let ordinary: Vec<_> = rows_q.iter().copied().filter(|&(_, _, x)| !fo.is_virtual(t.table_of(x))).collect();
    let can_ordinary = time_each(&ordinary, budget, |&(v, p, x)| g.can(t, v, p, x), |_, via| via.len());
    let mut runs = Vec::new();
    let mut bypass_lines = 0;
    for _ in 0..3 {
        let start = Instant::now();
        let ans = black_box(a.bypass(None, None));
        runs.push(start.elapsed().as_secs_f64());
        bypass_lines = ans.map_or(0, |b| b.lines.len());
    }
    runs.sort_by(f64::total_cmp);
    let bypass_seconds = runs[1];
    Some(FinanceSpeed {
        visitors_with_user: runners.len(),
        virtual_rows,
        bypass_seconds,
        bypass_lines,
        full_derive_seconds: full,
        bypass_ratio: if full > 0.0 { bypass_seconds / full } else { 0.0 },
        can_virtual_allowed: if can_virtual.n == 0 { 0.0 } else { allowed as f64 / can_virtual.n as f64 },
        can_ratio: can_virtual.median_ns / can_ordinary.median_ns.max(1.0),
        can_virtual,
        can_ordinary,
    })
}

/// Times the report of `a` (see [`ReportSpeed`]).
pub fn report_speed(a: &crate::answer::query::Analysis, full: f64) -> ReportSpeed {
    let start = Instant::now();
    // `report` derives the channel index once (lint and the outsiders
    // share it); `a` may hold one already (the exposure figure built it),
    // so one is built here too, inside the time.
    black_box(engine::channels::ChannelIndex::new(&a.tenant, &a.grants));
    let lint = crate::answer::lint::Report { findings: crate::answer::lint::lint(a, None) };
    let report = crate::answer::report::build_with(a, lint);
    let html = crate::cli::report_html::render(&report, a);
    let seconds = start.elapsed().as_secs_f64();
    ReportSpeed {
        seconds,
        full_derive_seconds: full,
        ratio: if full > 0.0 { seconds / full } else { 0.0 },
        bytes: html.len() as u64,
        findings: report.findings.len(),
    }
}

