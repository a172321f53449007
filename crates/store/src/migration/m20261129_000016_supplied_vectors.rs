//! Postgres only: the search vectors (`tsv` of documents, quotations and claims) may be
//! supplied with the row. They were generated columns, so `to_tsvector` ran inside every
//! insert, on the one connection that writes a batch while holding the ingest lock: a
//! third of Postgres's CPU in an ingest, on its critical path. Now a trigger fills a
//! vector only when the insert gives none, and again when an update changes the text
//! without giving a new one; the batch ingest makes its vectors beforehand, with the same
//! `to_tsvector('english', …)` over the same text, on other connections while the batch
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

/// The tables with vectors, the columns each row's vector is made of, and the text made
/// of them, `{row}` standing for the trigger's `NEW.` (empty in the generated columns
/// migration 2 made, which `down` makes again).
const TABLES: &[(&str, &str, &str)] = &[
    (
        "documents",
        "title, text",
        "coalesce({row}title, '') || ' ' || coalesce({row}text, '')",
    ),
    ("quotations", "text", "coalesce({row}text, '')"),
    ("claims", "text", "coalesce({row}text, '')"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        for (table, columns, source) in TABLES {
            let source = source.replace("{row}", "NEW.");
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
        for (table, _, source) in TABLES {
            let source = source.replace("{row}", "");
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
