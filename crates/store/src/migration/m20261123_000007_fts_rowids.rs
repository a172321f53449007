//! SQLite only: the full-text index keyed by rowid, so deleting a quotation, claim or
//! document removes its entry directly instead of scanning the index (see
//! `sql/fts_sqlite_rowids.sql`). The index is rebuilt from the stored rows. Postgres keeps
//! its `tsvector` columns, which need no change.

use sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        if db.get_database_backend() == DatabaseBackend::Sqlite {
            db.execute_unprepared(include_str!("sql/fts_sqlite_rowids.sql"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // The rowid-keyed index answers the earlier triggers' deletes too; put them back.
        let db = m.get_connection();
        if db.get_database_backend() == DatabaseBackend::Sqlite {
            db.execute_unprepared(
                "DROP TRIGGER IF EXISTS quotations_fts_ins; DROP TRIGGER IF EXISTS quotations_fts_del; \
                 DROP TRIGGER IF EXISTS claims_fts_ins; DROP TRIGGER IF EXISTS claims_fts_del; \
                 DROP TRIGGER IF EXISTS documents_fts_ins; DROP TRIGGER IF EXISTS documents_fts_del;",
            )
            .await?;
            db.execute_unprepared(include_str!("sql/fts_sqlite.sql"))
                .await?;
        }
        Ok(())
    }
}
