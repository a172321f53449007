-- Full-text search on Postgres: generated tsvector columns with GIN indexes.
ALTER TABLE quotations ADD COLUMN IF NOT EXISTS tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('english', coalesce(text, ''))) STORED;
ALTER TABLE claims ADD COLUMN IF NOT EXISTS tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('english', coalesce(text, ''))) STORED;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('english', coalesce(title, '') || ' ' || coalesce(text, ''))) STORED;
CREATE INDEX IF NOT EXISTS ix_quotations_tsv ON quotations USING GIN (tsv);
CREATE INDEX IF NOT EXISTS ix_claims_tsv ON claims USING GIN (tsv);
CREATE INDEX IF NOT EXISTS ix_documents_tsv ON documents USING GIN (tsv);
