#!/usr/bin/env bash
# Query load with wrk against the service on the 10,000-document Postgres database that
# bench/ingest.sh leaves behind: 30 s per query on 127.0.0.1, then the server's peak memory.
# Every response must be a 200 without "errors": the script counts the others. wrk waits
# 15 s for a response (past the service's 10 s request limit), so none is dropped uncounted.
# "filtered" asks for the speaker of the first quotation (a rare name in the generated
# corpus), "filtered_common" for COMMON_NAME (default Lavrov: some 600 generated people
# share it), whose quotations on the most common topic are thousands.
# "storm" measures meeting_by_id from 4 connections for 10 s alone, then for 15 s while
# 32 other connections search (25 s, whatever DURATION says).
# QUERIES="nested filtered" runs some of the queries; BIN=path/to/diplograph another build
# (to compare two back to back); the service's own settings (DIPLOGRAPH_DB_POOL_SIZE) apply.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-target/release/diplograph}
WORK=${WORK:-bench/out}
PG=${BENCH_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
# The admin URL with another database: its path's last part replaced, its query (a Unix
# socket's `?host=/dir`) kept.
base=${PG%%\?*}
DB=${BENCH_DB:-"${base%/*}/diplograph_bench10000${PG#"$base"}"}
DURATION=${DURATION:-30s}
# The database, password hidden, for messages.
BENCH_LABEL=$(printf %s "$DB" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#')
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
[ -x /usr/bin/time ] || { echo "install GNU time (apt-get install time)"; exit 1; }
RUST_LOG=warn "$BIN" serve --no-ingest --bind 127.0.0.1:0 --database-url "$DB" >"$WORK/serve.out" 2>"$WORK/serve.err" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q listening "$WORK/serve.out" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
grep -q listening "$WORK/serve.out" || {
  echo "bench/load.sh: the service did not start on $BENCH_LABEL (log: $WORK/serve.err):" >&2
  # Its error, without the backtrace that RUST_BACKTRACE adds.
  sed -n '/^Error:/,/^Stack backtrace/p' "$WORK/serve.err" | grep -v '^Stack backtrace' >&2 \
    || tail -n 20 "$WORK/serve.err" >&2
  exit 1
}
addr=$(grep -o 'http://[0-9.:]*' "$WORK/serve.out" | head -n 1)
id=$(curl -s "$addr/graphql" -H 'content-type: application/json' -d '{"query":"{ meetings(first: 1) { edges { node { id } } } }"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["meetings"]["edges"][0]["node"]["id"])')
speaker=$(curl -s "$addr/graphql" -H 'content-type: application/json' -d '{"query":"{ quotations(first: 1) { edges { node { speaker { name } } } } }"}' 2>/dev/null | python3 -c 'import json,sys
try: print(json.load(sys.stdin)["data"]["quotations"]["edges"][0]["node"]["speaker"]["name"])
except Exception: print("Lavrov")')
python3 - "$WORK" "$id" "${speaker##* }" "${COMMON_NAME:-Lavrov}" <<'PY'
import json, sys
work, mid, surname, common = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
queries = {
    "meeting_by_id": "query ById($id: ID!) { node(id: $id) { ... on Meeting { title date { text } participants { name country } } } }",
    "nested": "query Nested { meetings(first: 20) { edges { node { title participants { name quotations(first: 5) { edges { node { text document { title } } } } } } } } }",
    "search": "query Search { search(query: \"treaty\", first: 20) { totalCount edges { node { score snippet } } } }",
    "filtered": "query Filtered($s: String!) { quotations(first: 20, filter: {speakerName: $s, topic: \"bilateral-relations\", from: \"2010\", to: \"2030\"}) { totalCount edges { node { text } } } }",
}
queries["filtered_common"] = queries["filtered"]
variables = {"meeting_by_id": {"id": mid}, "filtered": {"s": surname}, "filtered_common": {"s": common}}
lua = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = __BODY__
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("BAD %d\\n", total))
end
"""
for name, q in queries.items():
    body = json.dumps({"query": q, "variables": variables.get(name, {})})
    with open(f"{work}/{name}.lua", "w") as f:
        f.write(lua.replace("__BODY__", json.dumps(body)))
PY
# CPU time (clock ticks) of the server, of wrk, and of the whole machine. Postgres's share
# is the machine's busy time less the server's and wrk's (nothing else runs here):
# summing the postgres processes' own ticks loses those of backends that exit mid-run.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
busy() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
hz=$(getconf CLK_TCK)
# A run starts once the previous one's requests have all finished in Postgres (searches
# still running after wrk stops would otherwise land in the next run's figures).
idle() {
  for _ in $(seq 1 30); do
    [ "$(psql -Atq "$DB" -c "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()" 2>/dev/null || echo 0)" = 0 ] && return
    sleep 1
  done
}
# "storm": meeting_by_id from 4 connections, alone and then while 32 others search for a
# common word (what a burst of heavy reads does to everything else).
storm() {
  local light=(wrk -t1 -c4 --timeout 15s --latency -s "$WORK/meeting_by_id.lua" "$addr/graphql")
  "${light[@]}" -d10s > "$WORK/wrk.out" || true
  grep -E "Requests/sec|^ +50%|^ +99%|BAD|Non-2xx|Socket errors" "$WORK/wrk.out" | sed 's/^/  meeting_by_id alone: /'
  wrk -t1 -c32 -d25s --timeout 15s --latency -s "$WORK/search.lua" "$addr/graphql" > "$WORK/wrk-storm.out" &
  local storm=$!
  sleep 5
  "${light[@]}" -d15s > "$WORK/wrk.out" || true
  wait $storm || true
  grep -E "Requests/sec|^ +50%|^ +99%|BAD|Non-2xx|Socket errors" "$WORK/wrk.out" | sed 's/^/  meeting_by_id during the storm: /'
  grep -E "Requests/sec|^ +50%|^ +99%|BAD|Non-2xx|Socket errors" "$WORK/wrk-storm.out" | sed 's/^/  search (32 connections): /'
}
for name in ${QUERIES:-meeting_by_id nested search filtered filtered_common storm}; do
  idle
  echo "== $name"
  if [ "$name" = storm ]; then storm; continue; fi
  s0=$(ticks "$server"); b0=$(busy); t0=$(date +%s.%N)
  /usr/bin/time -f "WRKCPU %U %S" -o "$WORK/wrk-cpu.txt" \
    wrk -t2 -c32 -d"$DURATION" --timeout 15s --latency -s "$WORK/$name.lua" "$addr/graphql" \
    > "$WORK/wrk.out" || true
  grep -E "Requests/sec|^ +50%|^ +99%|BAD|Non-2xx|Socket errors" "$WORK/wrk.out" || true
  s1=$(ticks "$server"); b1=$(busy); t1=$(date +%s.%N)
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out")
  python3 - "$((s1 - s0))" "$((b1 - b0))" "$t0" "$t1" "$hz" "$WORK/wrk-cpu.txt" "${rps:-0}" <<'PY'
import sys
s, b, t0, t1, hz = (float(x) for x in sys.argv[1:6])
w = sum(float(x) for l in open(sys.argv[6]) if l.startswith("WRKCPU") for x in l.split()[1:])
rps = float(sys.argv[7])
t = t1 - t0
server, total = s / hz / t, b / hz / t
rest = total - server - w / t
# CPU per request: what a change to the service saves, less blurred than requests/s by
# this VM's drifting speed (both sides of a comparison still belong in the same hour).
per = lambda cores: f" ({cores / rps * 1000:.3f} ms a request)" if rps > 0 else ""
print(f"  CPU: server {server:.2f} cores{per(server)}, wrk {w / t:.2f}, postgres (the rest) {rest:.2f}{per(rest)}")
PY
done
echo "== server peak resident memory: $(grep VmHWM /proc/$server/status | awk '{print $2/1024 " MB"}')"
