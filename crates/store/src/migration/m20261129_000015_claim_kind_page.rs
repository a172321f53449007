//! Claims' page index by kind: `(kind, date_key, document_id, idx)`, with `INCLUDE (id)`
//! on Postgres (SQLite's indexes carry the id as their rowid).
//!
//! A claim's kind (a demand, a commitment, …) is the claims' own facet, but no index held
//! it: a list of one kind walked every claim in date order and kept that kind's, and its
//! total scanned the table. On the 10,000-document corpus (228,888 claims, 28,770 of the
//! most common kind) Postgres took 50 ms for a page of one kind with its total, and 66–75
//! ms for the most quoted topic's claims of one kind, whose total joins the topic's links
//! with the kind's claims. With the index, the page is the index's next entries, the
//! total an index-only count: 7.8 ms and 34–42 ms (BENCHMARKS.md, twenty-sixth session).
//! The index is as wide as the claimant's page index, one more for each claim written.

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NAME: &str = "ix_claims_page_kind";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut i = Index::create();
        i.name(NAME).table(Alias::new("claims"));
        for c in ["kind", "date_key", "document_id", "idx"] {
            i.col(Alias::new(c));
        }
        if m.get_database_backend() == DatabaseBackend::Postgres {
            i.include(Alias::new("id"));
        }
        m.create_index(i.to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name(NAME)
                .table(Alias::new("claims"))
                .if_exists()
                .to_owned(),
        )
        .await
    }
}
