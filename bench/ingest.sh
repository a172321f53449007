#!/usr/bin/env bash
# Ingest throughput: 1,000 and 10,000 generated documents into SQLite and Postgres.
# Usage: bench/ingest.sh   (BENCH_DATABASE_URL: a Postgres admin URL; default the local
# cluster as .ci/run sets it up). Prints one line per run; figures go in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
BIN=target/release/diplograph
WORK=${WORK:-bench/out}
PG=${BENCH_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
mkdir -p "$WORK"
for n in 1000 10000; do
  [ -d "$WORK/corpus$n" ] || "$BIN" gen-corpus --docs "$n" --seed 7 --out "$WORK/corpus$n"
done
run() { # name url n
  local start end
  start=$(date +%s.%N)
  RUST_LOG=warn "$BIN" ingest --database-url "$2" "$WORK/corpus$3" 2>"$WORK/$1.log" || true
  end=$(date +%s.%N)
  python3 - "$1" "$3" "$start" "$end" "$WORK/$1.log" <<'PY'
import sys
name, n, a, b, log = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
summary = [l for l in open(log) if l.startswith("ingest:")]
print(f"{name:<18} {n:>6} docs  {b - a:7.1f} s  {n / (b - a):7.0f} docs/s   {summary[-1].strip() if summary else 'no summary'}")
PY
}
for n in 1000 10000; do
  rm -f "$WORK/sqlite$n.db"*
  run "sqlite-$n" "sqlite://$WORK/sqlite$n.db" "$n"
  psql -q "$PG" -c "DROP DATABASE IF EXISTS diplograph_bench$n" -c "CREATE DATABASE diplograph_bench$n"
  run "postgres-$n" "${PG%/*}/diplograph_bench$n" "$n"
done
