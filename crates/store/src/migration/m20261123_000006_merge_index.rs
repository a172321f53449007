//! The merge look-up's index: `(kind, date_year, date_month, date_day)` instead of
//! `(kind, date_year)`. A new meeting's candidates are the meetings of its kind and year on
//! its month (and day) or with no month (or day); with the month and day in the index each
//! of those is one index range, not a scan over the whole year, so settling a meeting does
//! not grow with the number of meetings already stored in that year.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const NEW: &str = "ix_meetings_merge";
const OLD: &str = "ix_meetings_kind_year";

fn index(name: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new("meetings")).if_not_exists();
    for c in cols {
        i.col(Alias::new(*c));
    }
    i.to_owned()
}

fn drop(name: &str) -> IndexDropStatement {
    Index::drop()
        .name(name)
        .table(Alias::new("meetings"))
        .if_exists()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(NEW, &["kind", "date_year", "date_month", "date_day"]))
            .await?;
        m.drop_index(drop(OLD)).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(OLD, &["kind", "date_year"])).await?;
        m.drop_index(drop(NEW)).await
    }
}
