//! A meeting's kind and date on each of its participant links, indexed by participant:
//! `(participant_id, meeting_kind, meeting_year, meeting_month, meeting_day)`. A meeting
//! with people merges only with meetings that share one of them, so its merge candidates
//! are read from its people's links of the same kind and year: a few rows per person,
//! instead of every meeting of that kind in the month (a bucket that grows with the
//! number of documents about that month). The copies are kept in step by ingest and by
//! merges, the only writers of links and of meeting dates.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLE: &str = "meeting_participants";
const INDEX: &str = "ix_meeting_participants_by_date";
/// The copied columns, their type (`true` for the kind's text), and the meeting's column.
const COLUMNS: [(&str, bool, &str); 4] = [
    ("meeting_kind", true, "kind"),
    ("meeting_year", false, "date_year"),
    ("meeting_month", false, "date_month"),
    ("meeting_day", false, "date_day"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one at a time.
        for (name, text, _) in COLUMNS {
            let mut col = ColumnDef::new(Alias::new(name));
            if text {
                col.string();
            } else {
                col.integer();
            }
            col.null();
            m.alter_table(
                Table::alter()
                    .table(Alias::new(TABLE))
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        let sets: Vec<String> = COLUMNS
            .iter()
            .map(|(name, _, from)| {
                format!(
                    "{name} = (SELECT m.{from} FROM meetings m WHERE m.id = {TABLE}.meeting_id)"
                )
            })
            .collect();
        m.get_connection()
            .execute_unprepared(&format!("UPDATE {TABLE} SET {}", sets.join(", ")))
            .await?;
        let mut i = Index::create();
        i.name(INDEX)
            .table(Alias::new(TABLE))
            .col(Alias::new("participant_id"))
            .if_not_exists();
        for (name, _, _) in COLUMNS {
            i.col(Alias::new(name));
        }
        m.create_index(i.to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name(INDEX)
                .table(Alias::new(TABLE))
                .if_exists()
                .to_owned(),
        )
        .await?;
        for (name, _, _) in COLUMNS {
            m.alter_table(
                Table::alter()
                    .table(Alias::new(TABLE))
                    .drop_column(Alias::new(name))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
