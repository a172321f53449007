//! Quote provenance: links from a reported quotation to the transcript passage that says
//! the same thing, with the span and a similarity score.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{double, integer, pk_auto};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("quotation_sources"))
                .if_not_exists()
                .col(pk_auto(Alias::new("id")))
                .col(integer(Alias::new("quotation_id")))
                .col(integer(Alias::new("source_quotation_id")))
                .col(integer(Alias::new("source_document_id")))
                .col(integer(Alias::new("span_start")))
                .col(integer(Alias::new("span_end")))
                .col(double(Alias::new("score")))
                .to_owned(),
        )
        .await?;
        for (name, cols, unique) in [
            (
                "ux_quotation_sources",
                vec!["quotation_id", "source_quotation_id"],
                true,
            ),
            (
                "ix_quotation_sources_source",
                vec!["source_quotation_id"],
                false,
            ),
        ] {
            let mut i = Index::create();
            i.name(name)
                .table(Alias::new("quotation_sources"))
                .if_not_exists();
            for c in cols {
                i.col(Alias::new(c));
            }
            if unique {
                i.unique();
            }
            m.create_index(i.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table(Alias::new("quotation_sources"))
                .if_exists()
                .to_owned(),
        )
        .await
    }
}
