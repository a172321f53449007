//! Indexes in page order: for every owner of quotations and claims, so one owner's first
//! rows are an index scan (`(owner, date_key, document_id, idx)`) however many it has; and
//! for the top-level lists, so their first page is read from the index, not sorted.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str, &str)] = &[
    ("quotations", "speaker_id", "ix_quotations_page_speaker"),
    ("quotations", "meeting_id", "ix_quotations_page_meeting"),
    ("quotations", "document_id", "ix_quotations_page_document"),
    ("claims", "claimant_id", "ix_claims_page_claimant"),
    ("claims", "meeting_id", "ix_claims_page_meeting"),
    ("claims", "document_id", "ix_claims_page_document"),
];

/// (table, name, columns) of the top-level lists' orders.
const ORDERS: &[(&str, &str, &[&str])] = &[
    ("meetings", "ix_meetings_page", &["date_key", "id"]),
    (
        "quotations",
        "ix_quotations_page",
        &["date_key", "document_id", "idx"],
    ),
    (
        "claims",
        "ix_claims_page",
        &["date_key", "document_id", "idx"],
    ),
    ("documents", "ix_documents_page", &["published_key", "id"]),
    ("participants", "ix_participants_page", &["name", "id"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, owner, name) in INDEXES {
            m.create_index(
                Index::create()
                    .name(*name)
                    .table(Alias::new(*table))
                    .col(Alias::new(*owner))
                    .col(Alias::new("date_key"))
                    .col(Alias::new("document_id"))
                    .col(Alias::new("idx"))
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        }
        for (table, name, cols) in ORDERS {
            let mut i = Index::create();
            i.name(*name).table(Alias::new(*table)).if_not_exists();
            for c in *cols {
                i.col(Alias::new(*c));
            }
            m.create_index(i.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, _, name) in INDEXES {
            m.drop_index(
                Index::drop()
                    .name(*name)
                    .table(Alias::new(*table))
                    .to_owned(),
            )
            .await?;
        }
        for (table, name, _) in ORDERS {
            m.drop_index(
                Index::drop()
                    .name(*name)
                    .table(Alias::new(*table))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
