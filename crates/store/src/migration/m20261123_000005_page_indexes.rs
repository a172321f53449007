//! Indexes in page order: for the speaker, claimant and meeting of quotations and claims,
//! so one owner's first rows are an index scan (`(owner, date_key, document_id, idx)`)
//! however many it has; and for the top-level lists, so their first page is read from the
//! index, not sorted. The single-column indexes they supersede are dropped.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: &[(&str, &str, &str)] = &[
    ("quotations", "speaker_id", "ix_quotations_page_speaker"),
    ("quotations", "meeting_id", "ix_quotations_page_meeting"),
    ("claims", "claimant_id", "ix_claims_page_claimant"),
    ("claims", "meeting_id", "ix_claims_page_meeting"),
];

/// Single-column indexes the ones above begin with: dropped, so every insert does not pay
/// for two (table, name, column). A document's own rows use the existing
/// `(document_id, idx)` indexes.
const SUPERSEDED: &[(&str, &str, &str)] = &[
    ("quotations", "ix_quotations_speaker", "speaker_id"),
    ("quotations", "ix_quotations_meeting", "meeting_id"),
    ("quotations", "ix_quotations_date", "date_key"),
    ("claims", "ix_claims_claimant", "claimant_id"),
    ("claims", "ix_claims_meeting", "meeting_id"),
    ("claims", "ix_claims_date", "date_key"),
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
        for (table, name, _) in SUPERSEDED {
            m.drop_index(
                Index::drop()
                    .name(*name)
                    .table(Alias::new(*table))
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, name, col) in SUPERSEDED {
            m.create_index(
                Index::create()
                    .name(*name)
                    .table(Alias::new(*table))
                    .col(Alias::new(*col))
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        }
        let created = INDEXES
            .iter()
            .map(|(table, _, name)| (table, name))
            .chain(ORDERS.iter().map(|(table, name, _)| (table, name)));
        for (table, name) in created {
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
