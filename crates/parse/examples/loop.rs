//! Runs the extraction over files in a loop, for profiling:
//! `cargo run --release -p diplograph-parse --example loop -- N FILE...`.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    let docs: Vec<(String, Vec<u8>)> = args
        .map(|p| {
            let b = std::fs::read(&p).unwrap_or_default();
            (p, b)
        })
        .collect();
    let total: usize = docs.iter().map(|d| d.1.len()).sum();
    let start = std::time::Instant::now();
    for _ in 0..n {
        for (p, d) in &docs {
            let opts = diplograph_parse::Options {
                format: diplograph_parse::Format::from_path(p),
                ..Default::default()
            };
            let _ = std::hint::black_box(diplograph_parse::extract(d, &opts));
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} bytes x {n} in {secs:.2} s: {:.2} MB/s",
        total,
        (total * n) as f64 / secs / 1e6
    );
}
