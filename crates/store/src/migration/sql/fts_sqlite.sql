-- Full-text search on SQLite: one FTS5 index over quotations, claims and documents, kept in
-- step by triggers.
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    kind UNINDEXED, ref_id UNINDEXED, body, tokenize = 'porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS quotations_fts_ins AFTER INSERT ON quotations BEGIN
    INSERT INTO search_fts (kind, ref_id, body) VALUES ('quotation', new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS quotations_fts_del AFTER DELETE ON quotations BEGIN
    DELETE FROM search_fts WHERE kind = 'quotation' AND ref_id = old.id;
END;
CREATE TRIGGER IF NOT EXISTS claims_fts_ins AFTER INSERT ON claims BEGIN
    INSERT INTO search_fts (kind, ref_id, body) VALUES ('claim', new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS claims_fts_del AFTER DELETE ON claims BEGIN
    DELETE FROM search_fts WHERE kind = 'claim' AND ref_id = old.id;
END;
CREATE TRIGGER IF NOT EXISTS documents_fts_ins AFTER INSERT ON documents BEGIN
    INSERT INTO search_fts (kind, ref_id, body) VALUES ('document', new.id, new.title || char(10) || new.text);
END;
CREATE TRIGGER IF NOT EXISTS documents_fts_del AFTER DELETE ON documents BEGIN
    DELETE FROM search_fts WHERE kind = 'document' AND ref_id = old.id;
END;
