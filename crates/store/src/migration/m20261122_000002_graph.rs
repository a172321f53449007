//! Cross-document merging, corrections and full-text search: raw bytes kept for
//! re-processing, an audit log of corrections, indexes for compatible-meeting lookups, and
//! the backend's own full-text index (Postgres `tsvector` + GIN, SQLite FTS5).

use sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{blob_null, pk_auto, string, text};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("documents"))
                .add_column(blob_null(Alias::new("raw")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("corrections"))
                .if_not_exists()
                .col(pk_auto(Alias::new("id")))
                .col(string(Alias::new("kind")))
                .col(text(Alias::new("payload")))
                .col(string(Alias::new("actor")))
                .col(string(Alias::new("created_at")))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_meetings_kind_year")
                .table(Alias::new("meetings"))
                .col(Alias::new("kind"))
                .col(Alias::new("date_year"))
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(include_str!("sql/fts_postgres.sql"))
                    .await?;
            }
            DatabaseBackend::Sqlite => {
                db.execute_unprepared(include_str!("sql/fts_sqlite.sql"))
                    .await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(Alias::new("corrections"))
                .if_exists()
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
