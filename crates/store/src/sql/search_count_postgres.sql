-- How many hits `search_postgres.sql` has in all. $1: the query.
WITH q AS (SELECT websearch_to_tsquery('english', $1) AS query)
SELECT ((SELECT count(*) FROM quotations x, q WHERE x.tsv @@ q.query)
      + (SELECT count(*) FROM claims x, q WHERE x.tsv @@ q.query)
      + (SELECT count(*) FROM documents x, q WHERE x.tsv @@ q.query))::bigint AS n
