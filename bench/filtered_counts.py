#!/usr/bin/env python3
"""Filtered lists with their totals: how long one request takes, one client.

Usage: python3 bench/filtered_counts.py http://127.0.0.1:PORT/graphql
against a service on the 10,000-document database (`diplograph serve --no-ingest
--database-url ...`). Each query runs once to warm up, then seven times; the median and
least are printed with the total, which must be the same every time.
"""
import json, statistics, sys, time, urllib.request
url = sys.argv[1]
common = sys.argv[2] if len(sys.argv) > 2 else "Lavrov"
def q(query):
    req = urllib.request.Request(url, data=json.dumps({"query": query}).encode(), headers={"content-type": "application/json"})
    t = time.time()
    body = json.load(urllib.request.urlopen(req))
    return (time.time() - t) * 1000, body
queries = [
 ("quotations, common speaker, topic, dates", "quotations", f'quotations(first: 20, filter: {{speakerName: "{common}", topic: "bilateral-relations", from: "2010", to: "2030"}})'),
 ("quotations, common speaker", "quotations", f'quotations(first: 20, filter: {{speakerName: "{common}"}})'),
 ("quotations, topic, five years", "quotations", 'quotations(first: 20, filter: {topic: "bilateral-relations", from: "2015", to: "2019"})'),
 ("claims, common claimant, topic, dates", "claims", f'claims(first: 20, filter: {{claimantName: "{common}", topic: "bilateral-relations", from: "2010", to: "2030"}})'),
 ("claims, topic, five years", "claims", 'claims(first: 20, filter: {topic: "bilateral-relations", from: "2015", to: "2019"})'),
]
for name, root, field in queries:
    query = "{ " + field + " { totalCount edges { node { id text } } } }"
    q(query)
    times, totals = [], set()
    for _ in range(7):
        dt, body = q(query)
        assert not body.get("errors"), body
        times.append(dt)
        totals.add(body["data"][root]["totalCount"])
    assert len(totals) == 1, totals
    print(f"{name:42s} median {statistics.median(times):7.1f} ms  min {min(times):7.1f}  total={totals.pop()}")
