//! Indexes that let a filtered list be counted without reading its table.
//!
//! A list of quotations or claims filtered by topic is joined with the topic's links on
//! the row id, and one filtered by speaker or claimant (a name can match hundreds of
//! people) and dates is found in the owner's page index. Counting such a list read every
//! row of the table: the topic's links carried no row id in their index, and the owner's
//! index no row id on Postgres (SQLite's indexes carry the rowid, which is the id). Now:
//! - the topic links' index is `(topic_id, row id)` on both backends, instead of
//!   `(topic_id)`;
//! - on Postgres, the speaker's and claimant's page indexes, and the lists' own page
//!   indexes, `INCLUDE (id)`.
//!
//! A count then reads two indexes (Postgres: an index-only scan, once the table's pages
//! are marked all-visible by its vacuum). The quotations of a surname 600 people share, on
//! the most common topic, 10,000 generated documents: the count went from 89 ms (a
//! parallel scan of the whole table, 15,577 pages, two processes) to 38–42 ms on one;
//! on SQLite the topic-filtered lists with their totals went from 300–370 ms to 200–227 ms
//! (BENCHMARKS.md, twenty-second session).

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, old index on `topic_id` alone, new index, the row id column).
const LINKS: &[(&str, &str, &str, &str)] = &[
    (
        "quotation_topics",
        "ix_quotation_topics_t",
        "ix_quotation_topics_topic_row",
        "quotation_id",
    ),
    (
        "claim_topics",
        "ix_claim_topics_t",
        "ix_claim_topics_topic_row",
        "claim_id",
    ),
];

/// (table, index, key columns) of the page indexes that gain `INCLUDE (id)` on Postgres,
/// as migration 5 made them.
const PAGES: &[(&str, &str, &[&str])] = &[
    (
        "quotations",
        "ix_quotations_page_speaker",
        &["speaker_id", "date_key", "document_id", "idx"],
    ),
    (
        "quotations",
        "ix_quotations_page",
        &["date_key", "document_id", "idx"],
    ),
    (
        "claims",
        "ix_claims_page_claimant",
        &["claimant_id", "date_key", "document_id", "idx"],
    ),
    (
        "claims",
        "ix_claims_page",
        &["date_key", "document_id", "idx"],
    ),
];

fn index(table: &str, name: &str, cols: &[&str], include_id: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    if include_id {
        i.include(Alias::new("id"));
    }
    i.to_owned()
}

fn drop(table: &str, name: &str) -> IndexDropStatement {
    Index::drop()
        .name(name)
        .table(Alias::new(table))
        .if_exists()
        .to_owned()
}

/// Rebuilds the page indexes with or without `INCLUDE (id)` (Postgres only: SQLite's
/// indexes carry the id as their rowid).
async fn page_indexes(m: &SchemaManager<'_>, include_id: bool) -> Result<(), DbErr> {
    if m.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    for (table, name, cols) in PAGES {
        m.drop_index(drop(table, name)).await?;
        m.create_index(index(table, name, cols, include_id)).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, old, new, row) in LINKS {
            m.create_index(index(table, new, &["topic_id", row], false))
                .await?;
            m.drop_index(drop(table, old)).await?;
        }
        page_indexes(m, true).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, old, new, _) in LINKS {
            m.create_index(index(table, old, &["topic_id"], false))
                .await?;
            m.drop_index(drop(table, new)).await?;
        }
        page_indexes(m, false).await
    }
}
