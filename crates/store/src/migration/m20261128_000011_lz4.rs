//! Postgres only: the large values of the rows ingest writes (a document's text, its
//! extraction, its original bytes, the search vectors) are compressed with LZ4 instead of
//! the default pglz, when the server was built with it (Debian's and the official images'
//! are). Compressing those values with pglz took about 4% of Postgres's CPU in an ingest
//! (`pglz_compress`, perf), and LZ4 compresses several times faster: 1,000 generated
//! documents were ingested in 5.32–5.64 s against 5.74–5.92 s, three pairs run
//! alternately, for a `documents` table 5% larger (BENCHMARKS.md, sixteenth session).
//! Values already stored keep their compression; reading both kinds is the same to every
//! query. SQLite is unaffected.

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use sea_orm_migration::prelude::*;

/// The columns whose values are large enough to be compressed (over about 2 KB).
const COLUMNS: &[(&str, &str)] = &[
    ("documents", "text"),
    ("documents", "extraction"),
    ("documents", "raw"),
    ("documents", "tsv"),
    ("quotations", "text"),
    ("quotations", "tsv"),
    ("claims", "text"),
    ("claims", "tsv"),
];

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Whether the server can compress with LZ4 (built `--with-lz4`).
async fn lz4_available<C: ConnectionTrait>(db: &C) -> Result<bool, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT CAST('lz4' = ANY(enumvals) AS BOOLEAN) FROM pg_settings \
             WHERE name = 'default_toast_compression'",
        ))
        .await?;
    Ok(match row {
        Some(r) => r.try_get_by_index::<Option<bool>>(0)?.unwrap_or(false),
        None => false,
    })
}

async fn set_compression(m: &SchemaManager<'_>, method: &str) -> Result<(), DbErr> {
    let db = m.get_connection();
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    if method == "lz4" && !lz4_available(db).await? {
        // Nothing to gain that this server offers: pglz stays.
        return Ok(());
    }
    for (table, column) in COLUMNS {
        db.execute_unprepared(&format!(
            "ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}"
        ))
        .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        set_compression(m, "lz4").await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        set_compression(m, "default").await
    }
}
