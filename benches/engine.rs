//! Criterion benches, parameterised by tenant size: load, derive, `can`,
//! `who`, `what`. Tenants are generated into a temporary folder (never
//! committed). Small and medium run by default; large only with
//! `PORTAL_ACCESS_BENCH_LARGE=1`.
//!
//! `cargo bench --bench engine` (filter with `-- derive/medium` and so on).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use portal_access::perf::bench::{derivations, questions, BASELINE};
use portal_access::perf::generate::{generate_file, Profile};
use portal_access::answer::query::Target;
use portal_access::Grants;
use std::hint::black_box;
use std::time::Duration;

fn profiles() -> Vec<Profile> {
    let mut ps = vec![Profile::Small, Profile::Medium];
    if std::env::var("PORTAL_ACCESS_BENCH_LARGE").is_ok_and(|v| v == "1") {
        ps.push(Profile::Large);
    }
    ps
}

fn engine(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    for profile in profiles() {
        let cfg = profile.config(1);
        let path = dir.path().join(format!("{profile}.json"));
        generate_file(&cfg, &path).unwrap();
        let big = profile != Profile::Small;
        let p = profile.name();

        let mut g = c.benchmark_group("load");
        g.sample_size(10).measurement_time(Duration::from_secs(if big { 60 } else { 5 }));
        g.bench_function(BenchmarkId::from_parameter(p), |b| {
            b.iter(|| black_box(portal_access::model::load(&path).unwrap()))
        });
        g.finish();

        let t = portal_access::model::load(&path).unwrap();
        let mut g = c.benchmark_group("derive");
        g.sample_size(10).measurement_time(Duration::from_secs(if big { 60 } else { 5 }));
        for d in derivations().into_iter().chain(BASELINE).filter(|d| cfg.rows <= d.max_rows) {
            g.bench_function(BenchmarkId::new(d.name, p), |b| b.iter(|| black_box((d.derive)(&t))));
        }
        let derived = (derivations()[0].derive)(&t);
        g.bench_function(BenchmarkId::new("index", p), |b| {
            b.iter_batched(|| derived.clone(), |d| black_box(Grants::index(&t, d)), BatchSize::LargeInput)
        });
        g.finish();

        let grants = Grants::index(&t, derived);
        let q = questions(&t, 1, 4096, 4096, 256);
        let mut g = c.benchmark_group("query");
        g.throughput(Throughput::Elements(1));
        let mut i = 0usize;
        g.bench_function(BenchmarkId::new("can", p), |b| {
            b.iter(|| {
                let c = &q.can[i % q.can.len()];
                i += 1;
                black_box(match c.target {
                    Target::Row(x) => grants.can(&t, c.visitor, c.privilege, x),
                    Target::Table(tb) => grants.can_create(&t, c.visitor, tb),
                })
            })
        });
        let mut i = 0usize;
        g.bench_function(BenchmarkId::new("who", p), |b| {
            b.iter(|| {
                let (pr, x) = q.who[i % q.who.len()];
                i += 1;
                black_box(grants.who(&t, pr, x))
            })
        });
        let mut i = 0usize;
        g.sample_size(if big { 20 } else { 100 });
        g.bench_function(BenchmarkId::new("what", p), |b| {
            b.iter(|| {
                let (v, pr) = q.what[i % q.what.len()];
                i += 1;
                black_box(grants.what(&t, v, pr, None))
            })
        });
        g.finish();
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);
