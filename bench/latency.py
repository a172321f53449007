#!/usr/bin/env python3
"""One client's latency for the queries a frontend or a journalist sends beside the four
that `bench/load.sh` measures under load: a person's page, filters by name, place, kind
and text, a topic's page (alone, with dates, with a kind or a text), the topics with their
counts, searches with and without their hits.

Usage: python3 bench/latency.py URL [URL ...] [--only NAME ...]
where each URL is a service's /graphql (`diplograph serve --no-ingest --database-url ...`
on the 10,000-document database; two URLs compare two builds, or SQLite and Postgres).
Each query runs five times on every URL, the URLs taking turns so that the machine's
drift falls on all of them alike, and the median is printed in milliseconds. A response
with `errors` stops the run: a timing of an error is worthless.

The parameters come from the data: the most quoted person of the first page of
quotations; of the surnames of the first 100 participants, the one that the most
participants' names contain (the name filters match any part of a name); the topics with
the most and the fewest quotations, the last two years the one and the last month the
other has quotations in.
"""
import json
import statistics
import sys
import time
import urllib.request

args = sys.argv[1:]
only = []
if "--only" in args:
    at = args.index("--only")
    args, only = args[:at], args[at + 1:]
urls = args
if not urls:
    sys.exit(__doc__)


def post(url, query):
    req = urllib.request.Request(
        url, json.dumps({"query": query}).encode(), {"content-type": "application/json"}
    )
    started = time.perf_counter()
    body = json.loads(urllib.request.urlopen(req, timeout=120).read())
    elapsed = (time.perf_counter() - started) * 1000
    if body.get("errors"):
        sys.exit(f"{url}: {query}\n  {body['errors'][0].get('message')}")
    return elapsed, body["data"]


def data(query):
    return post(urls[0], query)[1]


def quoted(s):
    return json.dumps(s)


edges = data("{ quotations(first: 50) { edges { node { speaker { id name } } } } }")["quotations"]["edges"]
speakers = [e["node"]["speaker"] for e in edges if e["node"]["speaker"]]
person = max(speakers, key=lambda p: sum(1 for s in speakers if s["id"] == p["id"]))
names = data("{ participants(first: 100) { edges { node { name } } } }")["participants"]["edges"]
surnames = sorted({n["node"]["name"].split()[-1] for n in names if n["node"]["name"].split()})


def sharing(surname):
    q = "{ participants(filter: {name: %s}) { totalCount } }" % quoted(surname)
    return data(q)["participants"]["totalCount"]


common = max(surnames, key=sharing) if surnames else person["name"].split()[-1]
topics = data("{ topics { slug quotations(first: 1) { totalCount } } }")["topics"]
topics.sort(key=lambda t: t["quotations"]["totalCount"])
big, small = topics[-1]["slug"], topics[0]["slug"]


def dates_of(topic):
    q = "{ quotations(first: 50, orderBy: DESC, filter: {topic: %s}) { edges { node { document { publishedOn { year month } } } } } }" % quoted(topic)
    ds = [e["node"]["document"]["publishedOn"] for e in data(q)["quotations"]["edges"]]
    return [d for d in ds if d and d["year"]] or [{"year": 2020, "month": 1}]


# The last two years the least quoted topic has quotations in; the last month of the most
# quoted one's.
late = max(d["year"] for d in dates_of(small))
month = next((d for d in dates_of(big) if d["month"]), {"year": 2020, "month": 1})
month = "%04d-%02d" % (month["year"], month["month"])

QUERIES = {
    "person_page": "{ node(id: %s) { ... on Participant { name aliases country roles { title } meetings(first: 10) { totalCount edges { node { title date { text } } } } quotations(first: 10) { totalCount edges { node { text document { title } } } } claims(first: 10) { totalCount edges { node { text kind } } } counterparts { participant { name } meetings { title } } } } }" % quoted(person["id"]),
    "people_by_name_with_totals": "{ participants(first: 20, filter: {name: %s}) { totalCount edges { node { name quotations(first: 1) { totalCount } claims(first: 1) { totalCount } } } } }" % quoted(common),
    "meetings_by_name_and_years": "{ meetings(first: 20, filter: {participantName: %s, from: \"2015\", to: \"2020\"}) { totalCount edges { node { title participants { name } } } } }" % quoted(common),
    "claims_by_name_and_kind": "{ claims(first: 20, filter: {claimantName: %s, kind: DEMAND}) { totalCount edges { node { text } } } }" % quoted(common),
    "quotations_text": "{ quotations(first: 20, filter: {text: \"sanctions\"}) { totalCount edges { node { text } } } }",
    "quotations_text_no_total": "{ quotations(first: 20, filter: {text: \"sanctions\"}) { edges { node { text } } } }",
    "quotations_rare_text": "{ quotations(first: 20, filter: {text: \"xylophone\"}) { totalCount edges { node { text } } } }",
    "claims_text_no_total": "{ claims(first: 20, filter: {text: \"sanctions\"}) { edges { node { text } } } }",
    "documents_text": "{ documents(first: 10, filter: {text: \"nuclear\"}) { totalCount edges { node { title } } } }",
    "documents_text_no_total": "{ documents(first: 10, filter: {text: \"nuclear\"}) { edges { node { title } } } }",
    "documents_rare_text": "{ documents(first: 10, filter: {text: \"xylophone\"}) { totalCount edges { node { title } } } }",
    "topic_page_most_quoted": "{ quotations(first: 20, filter: {topic: %s}) { edges { node { text } } } }" % quoted(big),
    "topic_page_least_quoted": "{ quotations(first: 20, filter: {topic: %s}) { edges { node { text } } } }" % quoted(small),
    "topic_and_years_least_quoted": "{ quotations(first: 20, filter: {topic: %s, from: \"%d\", to: \"%d\"}) { totalCount edges { node { text } } } }" % (quoted(small), late - 1, late),
    "topic_and_month_most_quoted": "{ claims(first: 20, filter: {topic: %s, from: %s, to: %s}) { totalCount edges { node { text } } } }" % (quoted(big), quoted(month), quoted(month)),
    "topic_and_kind_most_quoted": "{ claims(first: 20, filter: {topic: %s, kind: DEMAND}) { totalCount edges { node { text } } } }" % quoted(big),
    "topic_and_kind_least_quoted": "{ claims(first: 20, filter: {topic: %s, kind: DEMAND}) { totalCount edges { node { text } } } }" % quoted(small),
    "topic_and_text_least_quoted": "{ quotations(first: 20, filter: {topic: %s, text: \"peace\"}) { totalCount edges { node { text } } } }" % quoted(small),
    "topics_with_totals": "{ topics { slug quotations(first: 3) { totalCount } claims(first: 3) { totalCount } } }",
    "search_with_hits": "{ search(query: \"treaty\", first: 10) { totalCount edges { node { snippet } } } }",
    "search_total_alone": "{ search(query: \"treaty\") { totalCount } }",
    "documents_page": "{ documents(first: 20) { totalCount edges { node { title publishedOn { text } participants { name } } } } }",
}

print(f"person {person['name']!r}, surname {common!r}, topics {big!r} and {small!r}, years {late - 1}-{late}, month {month}")
print(f"{'median of 5, ms':30}" + "".join(f"{u:>34}" for u in urls))
for name, query in QUERIES.items():
    if only and name not in only:
        continue
    times = {u: [] for u in urls}
    for _ in range(5):
        for u in urls:
            times[u].append(post(u, query)[0])
    print(f"{name:30}" + "".join(f"{statistics.median(times[u]):34.1f}" for u in urls))
