#!/usr/bin/env bash
# The nested query against the limit: plain SQL reading the same rows (bench/pgbench_nested.sql)
# with pgbench, prepared, 8 clients. PAIRS pairs (default 3), each a nested run of
# bench/load.sh (DURATION, default 20s) and a pgbench run (PGBENCH_SECONDS, default 15),
# back to back against this VM's drift; prints each pair's ratio and the median.
# Both sides connect the same way, through BENCH_DB (default: the 10,000-document database
# of bench/ingest.sh, on the server of BENCH_DATABASE_URL, by default over TCP on
# 127.0.0.1). The way matters to a workload of short statements: pgbench over the Unix
# socket runs a quarter to a third more transactions a second than over TCP. For the
# socket, name it as libpq does, for both:
#   BENCH_DATABASE_URL='postgres://USER@/postgres?host=/var/run/postgresql' bench/limit.sh
# (USER a Postgres role that the socket lets in as the one running this script; the other
# bench scripts take the same URL).
set -euo pipefail
cd "$(dirname "$0")/.."
PG=${BENCH_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
# The admin URL with another database: its path's last part replaced, its query (a Unix
# socket's `?host=/dir`) kept.
base=${PG%%\?*}
export BENCH_DB=${BENCH_DB:-"${base%/*}/diplograph_bench10000${PG#"$base"}"}
export DURATION=${DURATION:-20s}
PAIRS=${PAIRS:-3}
WORK=${WORK:-bench/out}
command -v pgbench >/dev/null || { echo "install pgbench (Debian: postgresql-client)"; exit 1; }
mkdir -p "$WORK"
: >"$WORK/limit.txt"
for i in $(seq 1 "$PAIRS"); do
  QUERIES=nested bench/load.sh >"$WORK/limit-load.out" 2>&1 || {
    cat "$WORK/limit-load.out" >&2
    exit 1
  }
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/limit-load.out")
  bad=$(awk '/^BAD/ {print $2}' "$WORK/limit-load.out")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/limit-load.out")
  pgbench -n -c 8 -j 2 -T "${PGBENCH_SECONDS:-15}" -M prepared -f bench/pgbench_nested.sql "$BENCH_DB" \
    >"$WORK/limit-pgbench.out" 2>&1 || {
    cat "$WORK/limit-pgbench.out" >&2
    exit 1
  }
  tps=$(awk '/^tps/ {print $3}' "$WORK/limit-pgbench.out")
  # A benchmark of error responses is worthless: a run with any is not a figure.
  if [ "${bad:-1}" != 0 ]; then
    echo "pair $i: $bad bad responses (not 200, or with errors): see $WORK/limit-load.out" >&2
    exit 1
  fi
  python3 - "$i" "$rps" "$p99" "$tps" "$WORK/limit.txt" <<'PY'
import sys
i, rps, p99, tps, out = sys.argv[1], float(sys.argv[2]), sys.argv[3], float(sys.argv[4]), sys.argv[5]
print(f"pair {i}: nested {rps:,.0f} req/s (p99 {p99}), pgbench prepared {tps:,.0f} tps: {tps / rps:.2f} x")
open(out, "a").write(f"{tps / rps}\n")
PY
done
python3 - "$WORK/limit.txt" <<'PY'
import statistics, sys
r = [float(l) for l in open(sys.argv[1])]
print(f"median {statistics.median(r):.2f} x (range {min(r):.2f}-{max(r):.2f} x; target: within 3 x)")
PY
