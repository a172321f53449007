//! Indexes in page order for every owner of quotations and claims, so one owner's first
//! rows are an index scan (`(owner, date_key, document_id, idx)`), however many it has.

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
        Ok(())
    }
}
