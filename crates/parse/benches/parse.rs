//! Throughput of the full extraction on one core: `cargo bench -p diplograph-parse`.
//! Criterion prints MiB/s for the seed corpus and for one large generated document.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// The allocator the `diplograph` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn corpus() -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}

fn bench(c: &mut Criterion) {
    let docs = corpus();
    let total: usize = docs.iter().map(Vec::len).sum();
    let opts = diplograph_parse::Options::default();
    let mut g = c.benchmark_group("extract");
    g.throughput(Throughput::Bytes(total as u64));
    g.bench_function("seed corpus (5 documents)", |b| {
        b.iter(|| {
            for d in &docs {
                let _ = std::hint::black_box(diplograph_parse::extract(d, &opts));
            }
        });
    });
    // One long transcript: the seed transcripts' bodies repeated to about 1 MB.
    let mut long = Vec::new();
    while long.len() < 1_000_000 {
        for d in &docs {
            long.extend_from_slice(d);
            long.extend_from_slice(b"\n\n");
        }
    }
    g.throughput(Throughput::Bytes(long.len() as u64));
    g.sample_size(10);
    g.bench_function("one 1 MB document", |b| {
        b.iter(|| std::hint::black_box(diplograph_parse::extract(&long, &opts)));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
