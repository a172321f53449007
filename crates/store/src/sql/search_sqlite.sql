-- Ranked full-text search over quotations, claims and documents (SQLite FTS5).
-- ?1: the FTS5 query, ?2: limit, ?3: offset.
-- The page is chosen first, from the index alone: each match's rank, and its kind and id
-- read from its rowid (`id * 4 + 1` for a quotation, `+ 2` for a claim, `+ 3` for a
-- document, see `fts_sqlite_rowids.sql`) in place of the `kind` and `ref_id` columns,
-- which are stored rows of their own. Only the page's hits are then read, with their
-- snippets: selected with the sort, both were made for every match (a search for
-- "treaty" at 10,000 documents ranks 85,628 of them: 319 against 209 ms for the first
-- page, 3.5 s against 0.26 s for the page at 40,000). The unary `+` keeps FTS5 from
-- taking the page's rowids as look-ups: it would run the query again for each hit
-- (for "peace treaty", 20 hits took 130 ms more); it reads the matches once instead,
-- and the page's are kept.
WITH page AS (
    SELECT rowid AS r
      FROM search_fts
     WHERE search_fts MATCH ?1
     ORDER BY bm25(search_fts),
              -- kind, as its name sorts: claim (2), document (3), quotation (1)
              CASE rowid % 4 WHEN 2 THEN 0 WHEN 3 THEN 1 ELSE 2 END,
              rowid / 4
     LIMIT ?2 OFFSET ?3
)
SELECT kind, CAST(ref_id AS INTEGER) AS id, -bm25(search_fts) AS rank,
       snippet(search_fts, 2, '[', ']', '…', 24) AS snippet
  FROM search_fts
 WHERE search_fts MATCH ?1 AND +rowid IN (SELECT r FROM page)
 ORDER BY rank DESC, kind, id
