//! The initial schema: documents, participants with aliases and roles, meetings with their
//! participants and documents, turns, quotations, claims and topics.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{
    big_integer, boolean, integer, integer_null, pk_auto, string, string_null, text,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn table(name: &'static str, cols: Vec<ColumnDef>) -> TableCreateStatement {
    let mut t = Table::create();
    t.table(Alias::new(name))
        .if_not_exists()
        .col(pk_auto(Alias::new("id")));
    for mut c in cols {
        t.col(&mut c);
    }
    t.to_owned()
}

fn col(name: &'static str) -> Alias {
    Alias::new(name)
}

fn index(
    table: &'static str,
    name: &'static str,
    cols: &[&'static str],
    unique: bool,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table)).if_not_exists();
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let tables = vec![
            table(
                "documents",
                vec![
                    string(col("content_hash")),
                    string_null(col("file_name")),
                    string(col("kind")),
                    string_null(col("source")),
                    text(col("title")),
                    string_null(col("url")),
                    string_null(col("published")),
                    big_integer(col("published_key")),
                    string_null(col("published_time")),
                    boolean(col("year_inferred")),
                    string_null(col("place_name")),
                    string_null(col("place_country")),
                    string_null(col("dateline")),
                    string(col("language")),
                    text(col("text")),
                    text(col("extraction")),
                    string(col("ingested_at")),
                ],
            ),
            table(
                "participants",
                vec![
                    string(col("key")),
                    string(col("name")),
                    string(col("kind")),
                    string_null(col("country")),
                    string_null(col("title")),
                ],
            ),
            table(
                "participant_aliases",
                vec![
                    integer(col("participant_id")),
                    string(col("alias")),
                    integer(col("document_id")),
                ],
            ),
            table(
                "participant_roles",
                vec![
                    integer(col("participant_id")),
                    string(col("title")),
                    string_null(col("organization")),
                    string_null(col("country")),
                    integer(col("document_id")),
                    string_null(col("observed_on")),
                ],
            ),
            table(
                "document_participants",
                vec![integer(col("document_id")), integer(col("participant_id"))],
            ),
            table(
                "meetings",
                vec![
                    string(col("key")),
                    text(col("title")),
                    string(col("kind")),
                    string(col("status")),
                    integer_null(col("date_year")),
                    integer_null(col("date_month")),
                    integer_null(col("date_day")),
                    string_null(col("date_text")),
                    big_integer(col("date_key")),
                    string_null(col("place_name")),
                    string_null(col("place_country")),
                ],
            ),
            table(
                "meeting_participants",
                vec![integer(col("meeting_id")), integer(col("participant_id"))],
            ),
            table(
                "meeting_documents",
                vec![
                    integer(col("meeting_id")),
                    integer(col("document_id")),
                    boolean(col("is_primary")),
                    integer(col("span_start")),
                    integer(col("span_end")),
                ],
            ),
            table(
                "turns",
                vec![
                    integer(col("document_id")),
                    integer(col("idx")),
                    string(col("kind")),
                    text(col("label")),
                    integer_null(col("speaker_id")),
                    integer(col("span_start")),
                    integer(col("span_end")),
                ],
            ),
            table(
                "quotations",
                vec![
                    integer(col("document_id")),
                    integer_null(col("meeting_id")),
                    integer_null(col("speaker_id")),
                    integer_null(col("reported_by_id")),
                    string(col("kind")),
                    text(col("text")),
                    string_null(col("speaker_label")),
                    string_null(col("cue")),
                    integer(col("span_start")),
                    integer(col("span_end")),
                    big_integer(col("date_key")),
                    integer(col("idx")),
                ],
            ),
            table(
                "claims",
                vec![
                    integer(col("document_id")),
                    integer_null(col("meeting_id")),
                    integer_null(col("quotation_id")),
                    integer_null(col("claimant_id")),
                    string(col("on_behalf_of")),
                    string(col("kind")),
                    text(col("text")),
                    integer(col("span_start")),
                    integer(col("span_end")),
                    big_integer(col("date_key")),
                    integer(col("idx")),
                ],
            ),
            table("topics", vec![string(col("slug")), string(col("label"))]),
            table(
                "quotation_topics",
                vec![integer(col("quotation_id")), integer(col("topic_id"))],
            ),
            table(
                "claim_topics",
                vec![integer(col("claim_id")), integer(col("topic_id"))],
            ),
        ];
        for t in tables {
            m.create_table(t).await?;
        }
        let indexes = vec![
            index("documents", "ux_documents_hash", &["content_hash"], true),
            index(
                "documents",
                "ix_documents_published",
                &["published_key"],
                false,
            ),
            index("participants", "ux_participants_key", &["key"], true),
            index(
                "participant_aliases",
                "ux_aliases",
                &["participant_id", "alias", "document_id"],
                true,
            ),
            index("participant_aliases", "ix_aliases_alias", &["alias"], false),
            index(
                "participant_roles",
                "ix_roles_participant",
                &["participant_id"],
                false,
            ),
            index(
                "document_participants",
                "ux_doc_participants",
                &["document_id", "participant_id"],
                true,
            ),
            index(
                "document_participants",
                "ix_doc_participants_p",
                &["participant_id"],
                false,
            ),
            index("meetings", "ux_meetings_key", &["key"], true),
            index("meetings", "ix_meetings_date", &["date_key"], false),
            index(
                "meeting_participants",
                "ux_meeting_participants",
                &["meeting_id", "participant_id"],
                true,
            ),
            index(
                "meeting_participants",
                "ix_meeting_participants_p",
                &["participant_id"],
                false,
            ),
            index(
                "meeting_documents",
                "ux_meeting_documents",
                &["meeting_id", "document_id"],
                true,
            ),
            index(
                "meeting_documents",
                "ix_meeting_documents_d",
                &["document_id"],
                false,
            ),
            index("turns", "ix_turns_document", &["document_id", "idx"], false),
            index(
                "quotations",
                "ix_quotations_document",
                &["document_id", "idx"],
                false,
            ),
            index(
                "quotations",
                "ix_quotations_speaker",
                &["speaker_id"],
                false,
            ),
            index(
                "quotations",
                "ix_quotations_meeting",
                &["meeting_id"],
                false,
            ),
            index("quotations", "ix_quotations_date", &["date_key"], false),
            index(
                "claims",
                "ix_claims_document",
                &["document_id", "idx"],
                false,
            ),
            index("claims", "ix_claims_claimant", &["claimant_id"], false),
            index("claims", "ix_claims_meeting", &["meeting_id"], false),
            index("claims", "ix_claims_date", &["date_key"], false),
            index("topics", "ux_topics_slug", &["slug"], true),
            index(
                "quotation_topics",
                "ux_quotation_topics",
                &["quotation_id", "topic_id"],
                true,
            ),
            index(
                "quotation_topics",
                "ix_quotation_topics_t",
                &["topic_id"],
                false,
            ),
            index(
                "claim_topics",
                "ux_claim_topics",
                &["claim_id", "topic_id"],
                true,
            ),
            index("claim_topics", "ix_claim_topics_t", &["topic_id"], false),
        ];
        for i in indexes {
            m.create_index(i).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "claim_topics",
            "quotation_topics",
            "topics",
            "claims",
            "quotations",
            "turns",
            "meeting_documents",
            "meeting_participants",
            "meetings",
            "document_participants",
            "participant_roles",
            "participant_aliases",
            "participants",
            "documents",
        ] {
            m.drop_table(Table::drop().table(Alias::new(t)).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
