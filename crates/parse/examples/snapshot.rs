//! Prints each file's full extraction as one JSON line, for checking that a change to the
//! parser keeps its output: run it before and after on the same files and `cmp` the two.
//! `cargo run --release -p diplograph-parse --example snapshot -- FILE... > before.jsonl`
use std::io::Write;

fn main() {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).unwrap_or_default();
        let opts = diplograph_parse::Options {
            format: diplograph_parse::Format::from_path(&path),
            ..Default::default()
        };
        let line = match diplograph_parse::extract(&bytes, &opts) {
            Ok(x) => serde_json::to_string(&x).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")),
            Err(e) => format!("{{\"error\":\"{e}\"}}"),
        };
        let _ = writeln!(out, "{path}\t{line}");
    }
}
