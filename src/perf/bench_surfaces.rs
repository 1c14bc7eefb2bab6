//! `reach` and `who open` timed against their baselines in the same run
//! (issue #25): `reach` for one contact against `what` for all six
//! privileges of that contact, and `who open page:ID` against `can`.

use crate::answer::query::Analysis;
use crate::model::{Privilege, Visitor};
use serde::Serialize;
use std::time::{Duration, Instant};

/// Medians of one timed question kind.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Latency {
    /// Questions timed.
    pub n: usize,
    /// Median, nanoseconds.
    pub median_ns: f64,
}

/// Times `f` once per item (after one untimed pass over up to 20), until
/// `budget` runs out.
fn time_each<T, A>(items: &[T], budget: Duration, mut f: impl FnMut(&T) -> A, _size: impl Fn(&T, A) -> usize) -> Latency {
    for it in items.iter().take(20) {
        std::hint::black_box(f(it));
    }
    let run = Instant::now();
    let mut ns = Vec::with_capacity(items.len());
    for it in items {
        let start = Instant::now();
        std::hint::black_box(f(std::hint::black_box(it)));
        ns.push(start.elapsed().as_nanos() as f64);
        if run.elapsed() > budget {
            break;
        }
    }
    ns.sort_by(f64::total_cmp);
    Latency { n: ns.len(), median_ns: ns.get(ns.len() / 2).copied().unwrap_or(0.0) }
}

/// The surfaces' speed on one tenant.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SurfacesSpeed {
    /// Seconds to build the surface index (rules included), once.
    pub index_seconds: f64,
    /// `reach` for one contact.
    pub reach: Latency,
    /// `what` for all six privileges of the same contacts.
    pub what_six: Latency,
    /// `reach` median / `what_six` median (target: at most 2).
    pub reach_ratio: f64,
    /// `who open page:ID`.
    pub who_open: Latency,
    /// `who open` median / `can` median (target: at most 5).
    pub who_open_ratio: f64,
    /// `who open page:ID` with its contacts listed (the ids read, as JSON
    /// and the text print them): grows with the contacts admitted.
    pub who_open_listed: Latency,
    /// Index build to first answer: the contacts' print order, read once
    /// on the first listing, seconds.
    pub contact_order_seconds: f64,
}

/// Times `reach` for `contacts` and `who open` over every page (up to the
/// budget), against `what` for the same contacts and the run's `can` median.
pub fn surfaces_speed(a: &Analysis, contacts: &[Visitor], can_median_ns: f64, budget: Duration) -> SurfacesSpeed {
    let start = Instant::now();
    let _ = a.surface_index();
    let index_seconds = start.elapsed().as_secs_f64();
    let names: Vec<String> = contacts.iter().map(|&v| a.visitor_name(v)).collect();
    let reach = time_each(&names, budget, |v| a.reach(v).map(|r| r.pages.len()).unwrap_or(0), |_, n| n);
    let what_six = time_each(
        contacts,
        budget,
        |&v| Privilege::ALL.iter().map(|&p| a.grants.what(&a.tenant, v, p, None).len()).sum::<usize>(),
        |_, n| n,
    );
    let pages: Vec<String> = a.tenant.surfaces.pages.iter().map(|p| format!("page:{}", p.id)).collect();
    // The answer (factored: classes admitted, with their count), then the
    // same answer with its contact ids read, as printing does.
    let who_open = time_each(&pages, budget, |p| a.who_open(p).map(|w| w.contacts.len()).unwrap_or(0), |_, n| n);
    let start = Instant::now();
    let _ = pages.first().map(|p| a.who_open(p).map(|w| w.contacts.iter().count()));
    let contact_order_seconds = start.elapsed().as_secs_f64();
    let who_open_listed = time_each(&pages, budget, |p| a.who_open(p).map(|w| w.contacts.iter().map(str::len).sum::<usize>()).unwrap_or(0), |_, n| n);
    let ratio = |x: f64, y: f64| if y > 0.0 { x / y } else { 0.0 };
    SurfacesSpeed {
        index_seconds,
        reach_ratio: ratio(reach.median_ns, what_six.median_ns),
        who_open_ratio: ratio(who_open.median_ns, can_median_ns),
        reach,
        what_six,
        who_open,
        who_open_listed,
        contact_order_seconds,
    }
}
