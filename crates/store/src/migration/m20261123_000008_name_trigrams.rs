//! Postgres only: trigram indexes for the name filters (`speakerName`, `participantName`,
//! `claimantName`, participant `name`), which match `lower(name) LIKE '%…%'` on
//! participants and their aliases. Without them every filtered request read every alias
//! (90,000 rows at 10,000 documents: 34 ms; with the index 0.2 ms).
//!
//! `pg_trgm` ships with Postgres and is a trusted extension, but a server may lack it or
//! the role may not be allowed to create it: then the indexes are skipped with a warning
//! and the filters work as before, only slower. SQLite keeps its scans.

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &str = "\
CREATE INDEX IF NOT EXISTS ix_participant_aliases_trgm ON participant_aliases USING gin (lower(alias) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS ix_participants_name_trgm ON participants USING gin (lower(name) gin_trgm_ops);";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        // Installed already, or available and this role may create it in this database.
        let usable = db
            .query_one_raw(Statement::from_string(
                DatabaseBackend::Postgres,
                "SELECT (EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') \
                   OR (EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') \
                       AND has_database_privilege(current_database(), 'CREATE'))) AS usable",
            ))
            .await?
            .map(|r| r.try_get::<bool>("", "usable"))
            .transpose()?
            .unwrap_or(false);
        if !usable {
            tracing::warn!(
                "pg_trgm is not available: name filters will scan participants and aliases"
            );
            return Ok(());
        }
        db.execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            .await?;
        db.execute_unprepared(INDEXES).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == DatabaseBackend::Postgres {
            // The extension stays: other schemas may use it.
            db.execute_unprepared(
                "DROP INDEX IF EXISTS ix_participant_aliases_trgm; \
                 DROP INDEX IF EXISTS ix_participants_name_trgm;",
            )
            .await?;
        }
        Ok(())
    }
}
