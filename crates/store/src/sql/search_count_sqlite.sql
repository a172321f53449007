-- How many hits `search_sqlite.sql` has in all. ?1: the FTS5 query.
SELECT count(*) AS n FROM search_fts WHERE search_fts MATCH ?
