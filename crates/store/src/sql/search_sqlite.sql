-- Ranked full-text search over quotations, claims and documents (SQLite FTS5).
-- ?1: the FTS5 query, ?2: limit, ?3: offset.
SELECT kind, CAST(ref_id AS INTEGER) AS id, -bm25(search_fts) AS rank,
       snippet(search_fts, 2, '[', ']', '…', 24) AS snippet
  FROM search_fts
 WHERE search_fts MATCH ?
 ORDER BY rank DESC, kind, id
 LIMIT ? OFFSET ?
