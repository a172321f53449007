-- Ranked full-text search over quotations, claims and documents (Postgres).
-- $1: the query (websearch syntax), $2: limit, $3: offset.
WITH q AS (SELECT websearch_to_tsquery('english', $1) AS query)
SELECT kind, id, rank, snippet FROM (
    SELECT 'quotation' AS kind, x.id, ts_rank(x.tsv, q.query)::float8 AS rank,
           ts_headline('english', x.text, q.query, 'StartSel=[, StopSel=], MaxWords=35, MinWords=12') AS snippet
      FROM quotations x, q WHERE x.tsv @@ q.query
    UNION ALL
    SELECT 'claim', x.id, ts_rank(x.tsv, q.query)::float8,
           ts_headline('english', x.text, q.query, 'StartSel=[, StopSel=], MaxWords=35, MinWords=12')
      FROM claims x, q WHERE x.tsv @@ q.query
    UNION ALL
    SELECT 'document', x.id, ts_rank(x.tsv, q.query)::float8,
           ts_headline('english', x.title || ' ' || x.text, q.query, 'StartSel=[, StopSel=], MaxWords=35, MinWords=12')
      FROM documents x, q WHERE x.tsv @@ q.query
) hits
ORDER BY rank DESC, kind, id
LIMIT $2 OFFSET $3
