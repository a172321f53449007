#!/usr/bin/env python3
"""Deep pages of the GraphQL lists: how long the page after item N takes.

Usage: python3 bench/deep_pages.py http://127.0.0.1:PORT/graphql [list name ...]
against a service on the 10,000-document database (`diplograph serve --no-ingest
--database-url ...`). For each list and depth N it reads the cursor a client would hold
after reading N items (the edge cursor of item N-1), times five requests for the page
after it (median and least), and checks that page against the page after offset N-1
(`same_as_offset`). Builds before the twenty-first session hand out offset cursors, so
the same script measures both.
"""
import base64, json, sys, time, statistics, urllib.request
url = sys.argv[1]
def q(query):
    req = urllib.request.Request(url, data=json.dumps({"query": query}).encode(), headers={"content-type": "application/json"})
    t = time.time()
    body = json.load(urllib.request.urlopen(req))
    return (time.time() - t) * 1000, body
def cur(n): return base64.b64encode(f"offset:{n}".encode()).decode()
lists = [
 ("quotations", "quotations(first: 20, after: %s) { totalCount edges { cursor node { id text } } }", [1000, 50000, 150000]),
 ("quotations desc", "quotations(first: 20, orderBy: DESC, after: %s) { totalCount edges { cursor node { id text } } }", [1000, 150000]),
 ("claims", "claims(first: 20, after: %s) { totalCount edges { cursor node { id text } } }", [1000, 200000]),
 ("meetings", "meetings(first: 20, after: %s) { totalCount edges { cursor node { id title } } }", [1000, 40000]),
 ("meetings desc", "meetings(first: 20, orderBy: DESC, after: %s) { totalCount edges { cursor node { id title } } }", [40000]),
 ("documents", "documents(first: 20, after: %s) { totalCount edges { cursor node { id title } } }", [9000]),
 ("quotations noCount", "quotations(first: 20, after: %s) { pageInfo { hasNextPage endCursor } edges { node { id text } } }", [150000]),
 ("quotations desc noCount", "quotations(first: 20, orderBy: DESC, after: %s) { pageInfo { hasNextPage endCursor } edges { node { id text } } }", [150000]),
 ("claims noCount", "claims(first: 20, after: %s) { pageInfo { hasNextPage endCursor } edges { node { id text } } }", [200000]),
 ("meetings noCount", "meetings(first: 20, after: %s) { pageInfo { hasNextPage endCursor } edges { node { id title } } }", [40000]),
 ("quotations topic", "quotations(first: 20, filter: {topic: \"bilateral-relations\"}, after: %s) { totalCount edges { cursor node { id text } } }", [50000]),
]
only = sys.argv[2:]
for name, tmpl, depths in lists:
    if only and not any(o == name for o in only): continue
    for d in depths:
        root = tmpl.split("(")[0]
        # the cursor a client holds after reading up to d: the edge cursor of item d-1
        args = tmpl.split(") {")[0].replace("first: 20", "first: 1")
        _, b = q("{ " + args % json.dumps(cur(d - 2)) + ") { edges { cursor } } }")
        c = b["data"][root]["edges"][0]["cursor"]
        times = []; ids = None
        for _ in range(5):
            dt, body = q("{ " + tmpl % json.dumps(c) + " }")
            assert not body.get("errors"), body
            times.append(dt); ids = [e["node"]["id"] for e in body["data"][root]["edges"]]
            tc = body["data"][root].get("totalCount", body["data"][root].get("pageInfo"))
        _, ob = q("{ " + tmpl % json.dumps(cur(d - 1)) + " }")
        same = ids == [e["node"]["id"] for e in ob["data"][root]["edges"]]
        print(f"{name:20s} after {d:7d}: median {statistics.median(times):7.1f} ms  min {min(times):7.1f}  total={tc} same_as_offset={same} cursor={c[:24]}")
