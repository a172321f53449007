//! Postgres only: the search vectors (`tsv` of documents, quotations and claims) may be
//! supplied with the row. They were generated columns, so `to_tsvector` ran inside every
//! insert, on the one connection that writes a batch while holding the ingest lock: a
//! third of Postgres's CPU in an ingest, on its critical path. Now a trigger fills a
//! vector only when the insert gives none, and again when an update changes the text
//! without giving a new one; the batch ingest makes its vectors beforehand, with the same
//! `to_tsvector('english', …)` over the same text, on another connection while the batch
//! before is written (`Store::with_search_vectors`). A 1,000-document ingest with no
//! vectors at all took 3.8 s against 6.2 s (BENCHMARKS.md, twenty-eighth session).
//!
//! Either way a row's vector is `to_tsvector('english', …)` of its text, as before;
//! vectors already stored are kept. SQLite (FTS5, filled by its own triggers) is
//! unaffected.

use sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables with vectors, and the text each row's vector is made of.
const TABLES: &[(&str, &str)] = &[
    (
        "documents",
        "coalesce(NEW.title, '') || ' ' || coalesce(NEW.text, '')",
    ),
    ("quotations", "coalesce(NEW.text, '')"),
    ("claims", "coalesce(NEW.text, '')"),
];

/// The generated columns as migration 7 made them (for `down`).
const GENERATED: &[(&str, &str)] = &[
    (
        "documents",
        "coalesce(title, '') || ' ' || coalesce(text, '')",
    ),
    ("quotations", "coalesce(text, '')"),
    ("claims", "coalesce(text, '')"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        for (table, source) in TABLES {
            let columns = if *table == "documents" {
                "title, text"
            } else {
                "text"
            };
            db.execute_unprepared(&format!(
                "ALTER TABLE {table} ALTER COLUMN tsv DROP EXPRESSION IF EXISTS;
                 CREATE OR REPLACE FUNCTION {table}_tsv() RETURNS trigger LANGUAGE plpgsql AS $$
                 BEGIN NEW.tsv := to_tsvector('english', {source}); RETURN NEW; END $$;
                 DROP TRIGGER IF EXISTS {table}_tsv_insert ON {table};
                 CREATE TRIGGER {table}_tsv_insert BEFORE INSERT ON {table} FOR EACH ROW
                   WHEN (NEW.tsv IS NULL) EXECUTE FUNCTION {table}_tsv();
                 DROP TRIGGER IF EXISTS {table}_tsv_update ON {table};
                 CREATE TRIGGER {table}_tsv_update BEFORE UPDATE OF {columns} ON {table}
                   FOR EACH ROW WHEN (NEW.tsv IS NULL OR NEW.tsv = OLD.tsv)
                   EXECUTE FUNCTION {table}_tsv();"
            ))
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        for (table, source) in GENERATED {
            db.execute_unprepared(&format!(
                "DROP TRIGGER IF EXISTS {table}_tsv_insert ON {table};
                 DROP TRIGGER IF EXISTS {table}_tsv_update ON {table};
                 DROP FUNCTION IF EXISTS {table}_tsv();
                 ALTER TABLE {table} DROP COLUMN IF EXISTS tsv;
                 ALTER TABLE {table} ADD COLUMN tsv tsvector
                   GENERATED ALWAYS AS (to_tsvector('english', {source})) STORED;
                 CREATE INDEX IF NOT EXISTS ix_{table}_tsv ON {table} USING GIN (tsv);"
            ))
            .await?;
        }
        Ok(())
    }
}
