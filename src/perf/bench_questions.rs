//! The questions `bench` asks (random `can`, `who` and `what` drawn from
//! the tenant), how each is timed, and the machine it runs on.

use crate::answer::query::Target;
use crate::model::{Privilege, RowId, Tenant};
use crate::engine::Visitor;
use crate::perf::generate::Rng;
use serde::Serialize;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A `can` question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CanQuestion {
    /// Who asks.
    pub visitor: Visitor,
    /// What for.
    pub privilege: Privilege,
    /// A row, or a table for `create`.
    pub target: Target,
}

/// The questions of one run, deterministic for a tenant and a seed.
#[derive(Debug, Clone, Default)]
pub struct Questions {
    /// `can` questions (about one in thirty is `create`).
    pub can: Vec<CanQuestion>,
    /// `who` questions (row privileges).
    pub who: Vec<(Privilege, RowId)>,
    /// `what` questions (all tables).
    pub what: Vec<(Visitor, Privilege)>,
}

const ROW_PRIVILEGES: [Privilege; 5] =
    [Privilege::Read, Privilege::Write, Privilege::Delete, Privilege::Append, Privilege::AppendTo];

pub(crate) fn privilege(rng: &mut Rng) -> Privilege {
    // Half the questions are about reading.
    if rng.chance(500) {
        Privilege::Read
    } else {
        ROW_PRIVILEGES[rng.below(5) as usize]
    }
}

/// Rows next to each other through any link, either direction.
struct Neighbours {
    start: Vec<u32>,
    next: Vec<RowId>,
}

impl Neighbours {
    fn new(t: &Tenant) -> Neighbours {
        let n = t.tables.iter().map(|tb| tb.rows().end).max().unwrap_or(0) as usize;
        let mut start = vec![0u32; n + 1];
        for &(_, a, b) in t.links.iter() {
            start[a as usize + 1] += 1;
            start[b as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut next = vec![0; start[n] as usize];
        for &(_, a, b) in t.links.iter() {
            next[fill[a as usize] as usize] = b;
            fill[a as usize] += 1;
            next[fill[b as usize] as usize] = a;
            fill[b as usize] += 1;
        }
        Neighbours { start, next }
    }

    fn of(&self, x: RowId) -> &[RowId] {
        let i = x as usize;
        match (self.start.get(i), self.start.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.next[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// Samples questions: visitors are one in twenty anonymous, otherwise a
/// random contact; rows are two in five uniformly random, otherwise found by
/// a short random walk (one to three links) from the visitor or its account,
/// so that many answers are yes.
pub fn questions(t: &Tenant, seed: u64, n_can: usize, n_who: usize, n_what: usize) -> Questions {
    let mut q = Questions::default();
    if n_can + n_who + n_what == 0 {
        return q;
    }
    let mut rng = Rng::new(seed, "questions");
    let contacts = t.contacts();
    let total = t.tables.iter().map(|tb| tb.rows().end).max().unwrap_or(0);
    let rows: Vec<_> = t.tables.iter().filter(|tb| !tb.ids.is_empty()).map(|tb| tb.rows()).collect();
    let random_row = |rng: &mut Rng| -> Option<RowId> {
        let mut k = rng.below(u64::from(rows.iter().map(|r| r.end - r.start).sum::<u32>())) as u32;
        for r in &rows {
            if k < r.end - r.start {
                return Some(r.start + k);
            }
            k -= r.end - r.start;
        }
        None
    };
    let visitor = |rng: &mut Rng| -> Visitor {
        if contacts.is_empty() || rng.chance(50) {
            Visitor::Anonymous
        } else {
            Visitor::Contact(contacts.start + rng.below(u64::from(contacts.end - contacts.start)) as RowId)
        }
    };
    let nb = Neighbours::new(t);
    let near = |rng: &mut Rng, v: Visitor| -> Option<RowId> {
        let Visitor::Contact(c) = v else { return None };
        let mut x = match t.account_of(c) {
            Some(a) if rng.chance(330) => a,
            _ => c,
        };
        for _ in 0..1 + rng.below(3) {
            let ns = nb.of(x);
            match rng.pick(ns) {
                Some(&y) => x = y,
                None => break,
            }
        }
        Some(x)
    };
    if total == 0 {
        return q;
    }
    while q.can.len() < n_can {
        let v = visitor(&mut rng);
        if rng.chance(33) {
            let tb = rng.below(t.tables.len() as u64) as u32;
            q.can.push(CanQuestion { visitor: v, privilege: Privilege::Create, target: Target::Table(tb) });
            continue;
        }
        let p = privilege(&mut rng);
        let x = if rng.chance(400) { random_row(&mut rng) } else { near(&mut rng, v).or_else(|| random_row(&mut rng)) };
        if let Some(x) = x {
            q.can.push(CanQuestion { visitor: v, privilege: p, target: Target::Row(x) });
        }
    }
    while q.who.len() < n_who {
        let p = privilege(&mut rng);
        let v = visitor(&mut rng);
        let x = if rng.chance(500) { random_row(&mut rng) } else { near(&mut rng, v).or_else(|| random_row(&mut rng)) };
        if let Some(x) = x {
            q.who.push((p, x));
        }
    }
    while q.what.len() < n_what {
        let v = visitor(&mut rng);
        q.what.push((v, privilege(&mut rng)));
    }
    q
}

/// Latency of one kind of query, in nanoseconds.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Latency {
    /// Queries timed.
    pub n: usize,
    /// Median.
    pub median_ns: f64,
    /// 99th percentile.
    pub p99_ns: f64,
    /// Mean.
    pub mean_ns: f64,
    /// Mean answer size (rows, contacts or permissions).
    pub mean_answer: f64,
}

/// Times `f` once per item (after an untimed pass over up to 100 items),
/// stopping early when `budget` runs out (`Latency::n` says how many were
/// timed). `check` then sees each answer, untimed, and returns its size.
pub fn time_each<T, A>(
    items: &[T],
    budget: Duration,
    mut f: impl FnMut(&T) -> A,
    mut check: impl FnMut(&T, A) -> usize,
) -> Latency {
    for it in items.iter().take(100) {
        black_box(f(it));
    }
    let mut ns: Vec<f64> = Vec::with_capacity(items.len());
    let mut answers = 0usize;
    let run = Instant::now();
    for it in items {
        let start = Instant::now();
        let a = black_box(f(black_box(it)));
        ns.push(start.elapsed().as_nanos() as f64);
        answers += check(it, a);
        if run.elapsed() > budget {
            break;
        }
    }
    summarize(ns, answers)
}

fn summarize(mut ns: Vec<f64>, answers: usize) -> Latency {
    if ns.is_empty() {
        return Latency::default();
    }
    ns.sort_by(f64::total_cmp);
    let n = ns.len();
    let at = |q: f64| ns[((n as f64 - 1.0) * q).round() as usize];
    Latency {
        n,
        median_ns: at(0.5),
        p99_ns: at(0.99),
        mean_ns: ns.iter().sum::<f64>() / n as f64,
        mean_answer: answers as f64 / n as f64,
    }
}

/// Peak resident memory of this process so far (`VmHWM`), in bytes. It is
/// process-wide: everything the process did before counts.
pub fn peak_rss() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The machine the figures come from.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Machine {
    /// Logical CPUs available.
    pub cpus: usize,
    /// `/proc/cpuinfo` model name.
    pub cpu_model: String,
    /// `MemTotal` from `/proc/meminfo`, bytes.
    pub memory_bytes: u64,
    /// One-minute load average when the run started (other jobs share the machine).
    pub load_average: f64,
}

/// Reads the machine description from `/proc`.
pub fn machine() -> Machine {
    let cpus = std::thread::available_parallelism().map(usize::from).unwrap_or(1);
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_default();
    let memory_bytes = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map_or(0, |k| k * 1024);
    let load_average = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|x| x.parse().ok()))
        .unwrap_or(0.0);
    Machine { cpus, cpu_model, memory_bytes, load_average }
}

