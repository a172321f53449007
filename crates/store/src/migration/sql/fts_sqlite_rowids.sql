-- The SQLite full-text index keyed by rowid: `id * 4 + 1` for a quotation, `+ 2` for a
-- claim, `+ 3` for a document. Deleting a row removes its entry by rowid; the earlier
-- triggers deleted by the unindexed `kind` and `ref_id` columns, which scanned the whole
-- index for every deleted row (deleting or re-processing N documents cost O(N^2)).
DROP TRIGGER IF EXISTS quotations_fts_ins;
DROP TRIGGER IF EXISTS quotations_fts_del;
DROP TRIGGER IF EXISTS claims_fts_ins;
DROP TRIGGER IF EXISTS claims_fts_del;
DROP TRIGGER IF EXISTS documents_fts_ins;
DROP TRIGGER IF EXISTS documents_fts_del;
DROP TABLE IF EXISTS search_fts;
CREATE VIRTUAL TABLE search_fts USING fts5(
    kind UNINDEXED, ref_id UNINDEXED, body, tokenize = 'porter unicode61'
);
INSERT INTO search_fts (rowid, kind, ref_id, body)
    SELECT id * 4 + 1, 'quotation', id, text FROM quotations;
INSERT INTO search_fts (rowid, kind, ref_id, body)
    SELECT id * 4 + 2, 'claim', id, text FROM claims;
INSERT INTO search_fts (rowid, kind, ref_id, body)
    SELECT id * 4 + 3, 'document', id, title || char(10) || text FROM documents;
CREATE TRIGGER quotations_fts_ins AFTER INSERT ON quotations BEGIN
    INSERT INTO search_fts (rowid, kind, ref_id, body)
    VALUES (new.id * 4 + 1, 'quotation', new.id, new.text);
END;
CREATE TRIGGER quotations_fts_del AFTER DELETE ON quotations BEGIN
    DELETE FROM search_fts WHERE rowid = old.id * 4 + 1;
END;
CREATE TRIGGER claims_fts_ins AFTER INSERT ON claims BEGIN
    INSERT INTO search_fts (rowid, kind, ref_id, body)
    VALUES (new.id * 4 + 2, 'claim', new.id, new.text);
END;
CREATE TRIGGER claims_fts_del AFTER DELETE ON claims BEGIN
    DELETE FROM search_fts WHERE rowid = old.id * 4 + 2;
END;
CREATE TRIGGER documents_fts_ins AFTER INSERT ON documents BEGIN
    INSERT INTO search_fts (rowid, kind, ref_id, body)
    VALUES (new.id * 4 + 3, 'document', new.id, new.title || char(10) || new.text);
END;
CREATE TRIGGER documents_fts_del AFTER DELETE ON documents BEGIN
    DELETE FROM search_fts WHERE rowid = old.id * 4 + 3;
END;
