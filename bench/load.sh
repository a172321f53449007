#!/usr/bin/env bash
# Query load with wrk against the service on the 10,000-document Postgres database that
# bench/ingest.sh leaves behind: 30 s per query on 127.0.0.1, then the server's peak memory.
# Every response must be a 200 without "errors": the script counts the others. wrk waits
# 15 s for a response (past the service's 10 s request limit), so none is dropped uncounted.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/diplograph
WORK=${WORK:-bench/out}
PG=${BENCH_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
DB=${BENCH_DB:-"${PG%/*}/diplograph_bench10000"}
DURATION=${DURATION:-30s}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)"; exit 1; }
RUST_LOG=warn "$BIN" serve --no-ingest --bind 127.0.0.1:0 --database-url "$DB" >"$WORK/serve.out" 2>"$WORK/serve.err" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q listening "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
addr=$(grep -o 'http://[0-9.:]*' "$WORK/serve.out" | head -n 1)
id=$(curl -s "$addr/graphql" -H 'content-type: application/json' -d '{"query":"{ meetings(first: 1) { edges { node { id } } } }"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["meetings"]["edges"][0]["node"]["id"])')
speaker=$(curl -s "$addr/graphql" -H 'content-type: application/json' -d '{"query":"{ quotations(first: 1) { edges { node { speaker { name } } } } }"}' 2>/dev/null | python3 -c 'import json,sys
try: print(json.load(sys.stdin)["data"]["quotations"]["edges"][0]["node"]["speaker"]["name"])
except Exception: print("Lavrov")')
python3 - "$WORK" "$id" "${speaker##* }" <<'PY'
import json, sys
work, mid, surname = sys.argv[1], sys.argv[2], sys.argv[3]
queries = {
    "meeting_by_id": "query ById($id: ID!) { node(id: $id) { ... on Meeting { title date { text } participants { name country } } } }",
    "nested": "query Nested { meetings(first: 20) { edges { node { title participants { name quotations(first: 5) { edges { node { text document { title } } } } } } } } }",
    "search": "query Search { search(query: \"treaty\", first: 20) { totalCount edges { node { score snippet } } } }",
    "filtered": "query Filtered($s: String!) { quotations(first: 20, filter: {speakerName: $s, topic: \"bilateral-relations\", from: \"2010\", to: \"2030\"}) { totalCount edges { node { text } } } }",
}
variables = {"meeting_by_id": {"id": mid}, "filtered": {"s": surname}}
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
# CPU time (clock ticks) of the server, and of the local Postgres's processes (the
# postmaster's waited-for children included, so backends that exit still count).
ticks() { awk '{print $14 + $15 + $16 + $17}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() {
  local s=0 p
  for p in $(pgrep -x postgres); do s=$((s + $(ticks "$p"))); done
  echo "$s"
}
hz=$(getconf CLK_TCK)
for name in meeting_by_id nested search filtered; do
  echo "== $name"
  s0=$(ticks "$server"); p0=$(pg_ticks); t0=$(date +%s.%N)
  wrk -t2 -c32 -d"$DURATION" --timeout 15s --latency -s "$WORK/$name.lua" "$addr/graphql" | grep -E "Requests/sec|^ +50%|^ +99%|BAD|Non-2xx|Socket errors" || true
  s1=$(ticks "$server"); p1=$(pg_ticks); t1=$(date +%s.%N)
  python3 -c "import sys; s, p, t0, t1, hz = (float(x) for x in sys.argv[1:]); t = t1 - t0; print(f'  CPU: server {s / hz / t:.2f} cores, postgres {p / hz / t:.2f} cores')" \
    "$((s1 - s0))" "$((p1 - p0))" "$t0" "$t1" "$hz"
done
echo "== server peak resident memory: $(grep VmHWM /proc/$server/status | awk '{print $2/1024 " MB"}')"
