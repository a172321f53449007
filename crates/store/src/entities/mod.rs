//! sea-orm entities, one module per table. Rows only: no GraphQL, no behaviour.
#![allow(missing_docs)]

macro_rules! entity {
    ($name:ident, $table:literal, { $( $(#[$meta:meta])* pub $field:ident: $ty:ty, )* }) => {
        pub mod $name {
            use sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
            #[sea_orm(table_name = $table)]
            pub struct Model {
                #[sea_orm(primary_key)]
                pub id: i32,
                $( $(#[$meta])* pub $field: $ty, )*
            }

            impl crate::rows::FromRow for Model {
                const COLUMNS: &'static [&'static str] = &["id", $(stringify!($field)),*];

                fn from_row(row: &sea_orm::QueryResult, at: &[usize]) -> Result<Self, DbErr> {
                    let mut at = at.iter().copied();
                    // Struct fields are evaluated in the order written: the columns' order.
                    Ok(Model {
                        id: crate::rows::cell(row, at.next())?,
                        $( $field: crate::rows::cell(row, at.next())?, )*
                    })
                }

                fn check(row: &sea_orm::QueryResult, at: &[usize]) -> Result<(), DbErr> {
                    let mut at = at.iter().copied();
                    crate::rows::check::<i32>(row, at.next())?;
                    $( crate::rows::check::<$ty>(row, at.next())?; )*
                    Ok(())
                }
            }

            #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
            pub enum Relation {}

            impl ActiveModelBehavior for ActiveModel {}
        }
    };
}

entity!(document, "documents", {
    pub content_hash: String,
    pub file_name: Option<String>,
    pub kind: String,
    pub source: Option<String>,
    pub title: String,
    pub url: Option<String>,
    pub published: Option<String>,
    pub published_key: i64,
    pub published_time: Option<String>,
    pub year_inferred: bool,
    pub place_name: Option<String>,
    pub place_country: Option<String>,
    pub dateline: Option<String>,
    pub language: String,
    pub text: String,
    pub extraction: String,
    pub ingested_at: String,
    #[serde(skip)]
    pub raw: Option<Vec<u8>>,
});

entity!(correction, "corrections", {
    pub kind: String,
    pub payload: String,
    pub actor: String,
    pub created_at: String,
});

entity!(participant, "participants", {
    pub key: String,
    pub name: String,
    pub kind: String,
    pub country: Option<String>,
    pub title: Option<String>,
    pub surname: Option<String>,
});

entity!(participant_alias, "participant_aliases", {
    pub participant_id: i32,
    pub alias: String,
    pub document_id: i32,
});

entity!(participant_role, "participant_roles", {
    pub participant_id: i32,
    pub title: String,
    pub organization: Option<String>,
    pub country: Option<String>,
    pub document_id: i32,
    pub observed_on: Option<String>,
});

entity!(document_participant, "document_participants", {
    pub document_id: i32,
    pub participant_id: i32,
});

entity!(meeting, "meetings", {
    pub key: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub date_year: Option<i32>,
    pub date_month: Option<i32>,
    pub date_day: Option<i32>,
    pub date_text: Option<String>,
    pub date_key: i64,
    pub place_name: Option<String>,
    pub place_country: Option<String>,
});

entity!(meeting_participant, "meeting_participants", {
    pub meeting_id: i32,
    pub participant_id: i32,
    pub meeting_kind: Option<String>,
    pub meeting_year: Option<i32>,
    pub meeting_month: Option<i32>,
    pub meeting_day: Option<i32>,
});

entity!(meeting_document, "meeting_documents", {
    pub meeting_id: i32,
    pub document_id: i32,
    pub is_primary: bool,
    pub span_start: i32,
    pub span_end: i32,
});

entity!(turn, "turns", {
    pub document_id: i32,
    pub idx: i32,
    pub kind: String,
    pub label: String,
    pub speaker_id: Option<i32>,
    pub span_start: i32,
    pub span_end: i32,
});

entity!(quotation, "quotations", {
    pub document_id: i32,
    pub meeting_id: Option<i32>,
    pub speaker_id: Option<i32>,
    pub reported_by_id: Option<i32>,
    pub kind: String,
    pub text: String,
    pub speaker_label: Option<String>,
    pub cue: Option<String>,
    pub span_start: i32,
    pub span_end: i32,
    pub date_key: i64,
    pub idx: i32,
});

entity!(claim, "claims", {
    pub document_id: i32,
    pub meeting_id: Option<i32>,
    pub quotation_id: Option<i32>,
    pub claimant_id: Option<i32>,
    pub on_behalf_of: String,
    pub kind: String,
    pub text: String,
    pub span_start: i32,
    pub span_end: i32,
    pub date_key: i64,
    pub idx: i32,
});

entity!(topic, "topics", {
    pub slug: String,
    pub label: String,
});

entity!(quotation_topic, "quotation_topics", {
    pub quotation_id: i32,
    pub topic_id: i32,
    /// The quotation's place in the lists (migration 14): its `date_key`, `document_id`
    /// and `idx`, copied so that a topic's page is read in order from its links.
    pub date_key: i64,
    pub document_id: i32,
    pub idx: i32,
});

entity!(claim_topic, "claim_topics", {
    pub claim_id: i32,
    pub topic_id: i32,
    /// The claim's place in the lists, as for [`super::quotation_topic`].
    pub date_key: i64,
    pub document_id: i32,
    pub idx: i32,
});

entity!(quotation_source, "quotation_sources", {
    pub quotation_id: i32,
    pub source_quotation_id: i32,
    pub source_document_id: i32,
    pub span_start: i32,
    pub span_end: i32,
    pub score: f64,
});
