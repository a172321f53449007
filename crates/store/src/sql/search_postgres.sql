-- Ranked full-text search over quotations, claims and documents (Postgres).
-- $1: the query (websearch syntax), $2: limit, $3: offset.
-- Ranks every match, then builds highlighted snippets for the page only. `total` is 0
-- unless the caller asks for the number of matches: then `search.rs` swaps the marked
-- column for a window count, which costs one more pass over the ranked matches instead of
-- a second search.
WITH q AS (SELECT websearch_to_tsquery('english', $1) AS query),
matches AS (
    SELECT 'quotation' AS kind, x.id, ts_rank(x.tsv, q.query)::float8 AS rank
      FROM quotations x, q WHERE x.tsv @@ q.query
    UNION ALL
    SELECT 'claim', x.id, ts_rank(x.tsv, q.query)::float8
      FROM claims x, q WHERE x.tsv @@ q.query
    UNION ALL
    SELECT 'document', x.id, ts_rank(x.tsv, q.query)::float8
      FROM documents x, q WHERE x.tsv @@ q.query
),
hits AS (
    SELECT kind, id, rank, 0::bigint /*total*/ AS total
      FROM matches
     ORDER BY rank DESC, kind, id
     LIMIT $2 OFFSET $3
)
SELECT h.kind, h.id, h.rank, h.total,
       CASE h.kind
         WHEN 'quotation' THEN (SELECT ts_headline('english', x.text, q.query, 'StartSel=[, StopSel=], MaxWords=35, MinWords=12') FROM quotations x WHERE x.id = h.id)
         WHEN 'claim' THEN (SELECT ts_headline('english', x.text, q.query, 'StartSel=[, StopSel=], MaxWords=35, MinWords=12') FROM claims x WHERE x.id = h.id)
         ELSE (SELECT ts_headline('english', x.title || ' ' || x.text, q.query, 'StartSel=[, StopSel=], MaxWords=35, MinWords=12') FROM documents x WHERE x.id = h.id)
       END AS snippet
  FROM hits h, q
 ORDER BY h.rank DESC, h.kind, h.id
