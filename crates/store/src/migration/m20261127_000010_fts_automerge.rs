//! SQLite only: the full-text index merges its segments 16 at a time instead of FTS5's
//! default 4. Every row ingested goes into a new segment, and segments are merged level by
//! level as they pile up: with 4 a level, a 10,000-document ingest merged each entry
//! about twice as many times, and spent more of its time doing so the larger the index
//! grew (10,000 documents 30.8–31.1 s against 27.8–29.2 s with 16, run alternately; a
//! 1,000-document ingest the same). Searches read more segments per level and fewer
//! levels: no difference measured on the 10,000-document index (ranking all matches
//! of a common word dominates). Postgres is unaffected.

use sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::prelude::*;

/// Segments of one level merged together, FTS5's `automerge`.
const AUTOMERGE: u32 = 16;

#[derive(DeriveMigrationName)]
pub struct Migration;

async fn set_automerge(m: &SchemaManager<'_>, n: u32) -> Result<(), DbErr> {
    let db = m.get_connection();
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        // A setting kept in the index's own configuration table.
        db.execute_unprepared(&format!(
            "INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', {n})"
        ))
        .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        set_automerge(m, AUTOMERGE).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        set_automerge(m, 4).await
    }
}
