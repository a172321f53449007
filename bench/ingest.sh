#!/usr/bin/env bash
# Ingest throughput: 1,000 and 10,000 generated documents into SQLite and Postgres.
# Usage: bench/ingest.sh   (BENCH_DATABASE_URL: a Postgres admin URL; default the local
# cluster as .ci/run sets it up; RUNS_1K: how many 1,000-document runs, default 3, the
# last of them after the 10,000-document run).
# Prints one line per run, then each backend's 10,000-document time over the median
# 1,000-document time: a short run's time wanders more on a shared VM than a long one's.
# Figures go in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/diplograph
WORK=${WORK:-bench/out}
PG=${BENCH_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
RUNS_1K=${RUNS_1K:-3}
# Checked before the build and the SQLite runs, not minutes later: the Postgres runs
# need an admin URL.
psql -qAt "$PG" -c 'SELECT 1' >/dev/null || {
  echo "bench/ingest.sh: cannot connect to Postgres (psql's error above). Give an admin URL" >&2
  echo "in BENCH_DATABASE_URL, or set up the local cluster as .ci/run does: start it with" >&2
  echo "pg_ctlcluster 15 main start, and give the user postgres the password postgres." >&2
  exit 1
}
cargo build --release -q
mkdir -p "$WORK"
for n in 1000 10000; do
  [ -d "$WORK/corpus$n" ] || "$BIN" gen-corpus --docs "$n" --seed 7 --out "$WORK/corpus$n"
done
: >"$WORK/ingest-times.txt"
run() { # name url n
  local start end
  start=$(date +%s.%N)
  RUST_LOG=warn "$BIN" ingest --database-url "$2" "$WORK/corpus$3" 2>"$WORK/$1.log" || true
  end=$(date +%s.%N)
  python3 - "$1" "$3" "$start" "$end" "$WORK/$1.log" "$WORK/ingest-times.txt" <<'PY'
import sys
name, n, a, b, log, times = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
summary = [l for l in open(log) if l.startswith("ingest:")]
print(f"{name:<18} {n:>6} docs  {b - a:7.1f} s  {n / (b - a):7.0f} docs/s   {summary[-1].strip() if summary else 'no summary'}")
open(times, "a").write(f"{name.split('-')[0]} {n} {b - a:.3f}\n")
PY
}
# The admin URL with another database: its path's last part replaced, its query (a Unix
# socket's `?host=/dir`) kept.
with_db() { local base=${PG%%\?*}; echo "${base%/*}/$1${PG#"$base"}"; }
fresh_pg() { psql -q "$PG" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; }
for backend in sqlite postgres; do
  # The 1,000-document runs on both sides of the 10,000-document one, against drift.
  for n in $(for _ in $(seq 2 "$RUNS_1K"); do echo 1000; done) 10000 1000; do
    if [ "$backend" = sqlite ]; then
      rm -f "$WORK/sqlite$n.db"*
      run "sqlite-$n" "sqlite://$WORK/sqlite$n.db" "$n"
    else
      fresh_pg "diplograph_bench$n"
      run "postgres-$n" "$(with_db "diplograph_bench$n")" "$n"
    fi
  done
done
python3 - "$WORK/ingest-times.txt" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
for backend in ("sqlite", "postgres"):
    small = [float(t) for b, n, t in rows if b == backend and n == "1000"]
    big = [float(t) for b, n, t in rows if b == backend and n == "10000"]
    if small and big:
        m = statistics.median(small)
        print(f"{backend:<9} 10,000 docs / median 1,000 docs = {big[-1]:.1f} / {m:.2f} s = {big[-1] / m:.1f} x "
              f"(against each 1,000 run: {min(big[-1] / s for s in small):.1f}-{max(big[-1] / s for s in small):.1f} x)")
PY
