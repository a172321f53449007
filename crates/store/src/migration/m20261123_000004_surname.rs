//! A person's folded surname in its own indexed column, so linking a one-word name to the
//! full name with that surname is an index look-up instead of a `LIKE '% name'` scan over
//! every participant (ingest cost stays flat as the graph grows).

use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The surname part of a person key (`person:sergei lavrov` → `lavrov`).
pub(crate) fn surname_of_key(key: &str) -> Option<String> {
    let folded = key.strip_prefix("person:")?;
    let s = folded.split(' ').next_back()?;
    (!s.is_empty()).then(|| s.to_string())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("participants"))
                .add_column(ColumnDef::new(Alias::new("surname")).string().null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_participants_surname")
                .table(Alias::new("participants"))
                .col(Alias::new("surname"))
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        // Existing people.
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, key FROM participants WHERE kind = 'PERSON'",
            ))
            .await?;
        for row in rows {
            let id: i32 = row.try_get("", "id")?;
            let key: String = row.try_get("", "key")?;
            if let Some(s) = surname_of_key(&key) {
                let q = Query::update()
                    .table(Alias::new("participants"))
                    .value(Alias::new("surname"), s)
                    .and_where(Expr::col(Alias::new("id")).eq(id))
                    .to_owned();
                db.execute(&q).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_participants_surname")
                .table(Alias::new("participants"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Alias::new("participants"))
                .drop_column(Alias::new("surname"))
                .to_owned(),
        )
        .await
    }
}
