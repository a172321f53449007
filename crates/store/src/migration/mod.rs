//! Schema migrations, one module per migration, listed in [`Migrator`]. They use sea-query's
//! schema builder only, so the same migration runs on SQLite and Postgres.

use sea_orm_migration::prelude::*;

mod m20261122_000001_init;
mod m20261122_000002_graph;
mod m20261122_000003_provenance;
pub(crate) mod m20261123_000004_surname;
mod m20261123_000005_page_indexes;
mod m20261123_000006_merge_index;
mod m20261123_000007_fts_rowids;
mod m20261123_000008_name_trigrams;
mod m20261123_000009_people_by_date;
mod m20261127_000010_fts_automerge;
mod m20261128_000011_lz4;
mod m20261128_000012_counting_indexes;
mod m20261129_000013_alias_names;
mod m20261129_000014_topic_link_order;
mod m20261129_000015_claim_kind_page;
mod m20261129_000016_supplied_vectors;

/// Every migration, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_init::Migration),
            Box::new(m20261122_000002_graph::Migration),
            Box::new(m20261122_000003_provenance::Migration),
            Box::new(m20261123_000004_surname::Migration),
            Box::new(m20261123_000005_page_indexes::Migration),
            Box::new(m20261123_000006_merge_index::Migration),
            Box::new(m20261123_000007_fts_rowids::Migration),
            Box::new(m20261123_000008_name_trigrams::Migration),
            Box::new(m20261123_000009_people_by_date::Migration),
            Box::new(m20261127_000010_fts_automerge::Migration),
            Box::new(m20261128_000011_lz4::Migration),
            Box::new(m20261128_000012_counting_indexes::Migration),
            Box::new(m20261129_000013_alias_names::Migration),
            Box::new(m20261129_000014_topic_link_order::Migration),
            Box::new(m20261129_000015_claim_kind_page::Migration),
            Box::new(m20261129_000016_supplied_vectors::Migration),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};

    async fn trigger_sql(db: &DatabaseConnection, name: &str) -> String {
        let stmt = Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
            [name.into()],
        );
        match db.query_one_raw(stmt).await {
            Ok(Some(row)) => row.try_get::<String>("", "sql").unwrap_or_default(),
            _ => String::new(),
        }
    }

    async fn automerge(db: &DatabaseConnection) -> i64 {
        let stmt = Statement::from_string(
            db.get_database_backend(),
            "SELECT v FROM search_fts_config WHERE k = 'automerge'",
        );
        match db.query_one_raw(stmt).await {
            Ok(Some(row)) => row.try_get_by_index::<i64>(0).unwrap_or(0),
            _ => 0,
        }
    }

    /// The columns of an index, in order ("" when there is no such index).
    async fn index_columns(db: &DatabaseConnection, name: &str) -> String {
        let stmt = Statement::from_string(
            db.get_database_backend(),
            format!("SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_info('{name}') ORDER BY seqno)"),
        );
        match db.query_one_raw(stmt).await {
            Ok(Some(row)) => row
                .try_get_by_index::<Option<String>>(0)
                .ok()
                .flatten()
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// The migrations roll back and apply again on SQLite, whose full-text index has
    /// migrations of its own: rolled back, the index merges 4 segments at a time again
    /// and its deletes match on kind and id; applied again, 16 and the rowid.
    #[tokio::test]
    async fn migrations_roll_back_and_apply_again() {
        let mut opts = ConnectOptions::new("sqlite::memory:");
        opts.max_connections(1).min_connections(1);
        let db = Database::connect(opts).await.expect("sqlite connects");
        Migrator::up(&db, None).await.expect("up");
        assert!(trigger_sql(&db, "claims_fts_del").await.contains("rowid"));
        assert_eq!(automerge(&db).await, 16);
        let links = [
            ("ix_quotation_topics_topic_row", "topic_id,quotation_id"),
            ("ix_claim_topics_topic_row", "topic_id,claim_id"),
        ];
        let ordered_links = [
            (
                "ix_quotation_topics_topic_order",
                "topic_id,date_key,document_id,idx,quotation_id",
            ),
            (
                "ix_claim_topics_topic_order",
                "topic_id,date_key,document_id,idx,claim_id",
            ),
        ];
        let link_triggers = [
            "tr_quotation_topics_order_insert",
            "tr_quotation_topics_order_repoint",
            "tr_quotations_order",
            "tr_claim_topics_order_insert",
            "tr_claim_topics_order_repoint",
            "tr_claims_order",
        ];
        for (name, cols) in ordered_links {
            assert_eq!(index_columns(&db, name).await, cols);
        }
        for (name, _) in links {
            assert_eq!(index_columns(&db, name).await, "");
        }
        for name in link_triggers {
            assert!(!trigger_sql(&db, name).await.is_empty(), "{name}");
        }
        let kind_page = "ix_claims_page_kind";
        assert_eq!(
            index_columns(&db, kind_page).await,
            "kind,date_key,document_id,idx"
        );
        // The search vectors supplied with the rows: nothing on SQLite.
        Migrator::down(&db, Some(1))
            .await
            .expect("down the supplied search vectors");
        assert_eq!(
            index_columns(&db, kind_page).await,
            "kind,date_key,document_id,idx"
        );
        Migrator::down(&db, Some(1))
            .await
            .expect("down the claims' kind index");
        assert_eq!(index_columns(&db, kind_page).await, "");
        for (name, cols) in ordered_links {
            assert_eq!(index_columns(&db, name).await, cols);
        }
        // The migrations before: the links' places in the lists, the alias names, the
        // counting indexes, LZ4 compression (nothing on SQLite), the index's merge
        // setting, the links' meeting dates, name trigrams (nothing on SQLite), then the
        // index rowids.
        Migrator::down(&db, Some(1))
            .await
            .expect("down the links' places");
        for (name, _) in ordered_links {
            assert_eq!(index_columns(&db, name).await, "");
        }
        for (name, cols) in links {
            assert_eq!(index_columns(&db, name).await, cols);
        }
        for name in link_triggers {
            assert_eq!(trigger_sql(&db, name).await, "", "{name}");
        }
        assert!(trigger_sql(&db, "tr_alias_names_delete")
            .await
            .contains("NOT EXISTS"));
        assert_eq!(
            index_columns(&db, "sqlite_autoindex_alias_names_1").await,
            "participant_id,alias"
        );
        Migrator::down(&db, Some(1))
            .await
            .expect("down the alias names");
        assert_eq!(trigger_sql(&db, "tr_alias_names_insert").await, "");
        assert_eq!(
            index_columns(&db, "sqlite_autoindex_alias_names_1").await,
            ""
        );
        Migrator::down(&db, Some(1))
            .await
            .expect("down the counting indexes");
        for (name, _) in links {
            assert_eq!(index_columns(&db, name).await, "");
        }
        assert_eq!(
            index_columns(&db, "ix_quotation_topics_t").await,
            "topic_id"
        );
        assert_eq!(index_columns(&db, "ix_claim_topics_t").await, "topic_id");
        Migrator::down(&db, Some(1)).await.expect("down one");
        assert_eq!(automerge(&db).await, 16);
        Migrator::down(&db, Some(1)).await.expect("down another");
        assert_eq!(automerge(&db).await, 4);
        Migrator::down(&db, Some(3)).await.expect("down three more");
        let old = trigger_sql(&db, "claims_fts_del").await;
        assert!(old.contains("kind = 'claim'"), "{old}");
        Migrator::down(&db, None).await.expect("down all");
        assert_eq!(trigger_sql(&db, "claims_fts_del").await, "");
        Migrator::up(&db, None).await.expect("up again");
        assert!(trigger_sql(&db, "claims_fts_del").await.contains("rowid"));
        assert!(!trigger_sql(&db, "tr_alias_names_insert").await.is_empty());
        assert_eq!(automerge(&db).await, 16);
        for (name, cols) in ordered_links {
            assert_eq!(index_columns(&db, name).await, cols);
        }
        for (name, _) in links {
            assert_eq!(index_columns(&db, name).await, "");
        }
        assert_eq!(index_columns(&db, "ix_quotation_topics_t").await, "");
        assert_eq!(
            index_columns(&db, kind_page).await,
            "kind,date_key,document_id,idx"
        );
    }

    /// Links stored before migration 9 get their meeting's kind and date.
    #[tokio::test]
    async fn links_stored_before_get_their_meetings_dates() {
        let mut opts = ConnectOptions::new("sqlite::memory:");
        opts.max_connections(1).min_connections(1);
        let db = Database::connect(opts).await.expect("sqlite connects");
        Migrator::up(&db, Some(8)).await.expect("up to 8");
        db.execute_unprepared(
            "INSERT INTO participants (id, key, name, kind) VALUES (1, 'person:a b', 'A B', 'PERSON');
             INSERT INTO meetings (id, key, title, kind, status, date_year, date_month, date_key)
                  VALUES (7, 'k', 'T', 'TALKS', 'HELD', 2021, 5, 20210500);
             INSERT INTO meeting_participants (meeting_id, participant_id) VALUES (7, 1);",
        )
        .await
        .expect("rows");
        Migrator::up(&db, None).await.expect("up");
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT meeting_kind, meeting_year, meeting_month, meeting_day FROM meeting_participants",
            ))
            .await
            .expect("query")
            .expect("a link");
        let got: (String, i32, i32, Option<i32>) = (
            row.try_get_by_index(0).expect("kind"),
            row.try_get_by_index(1).expect("year"),
            row.try_get_by_index(2).expect("month"),
            row.try_get_by_index(3).expect("day"),
        );
        assert_eq!(got, ("TALKS".to_string(), 2021, 5, None));
    }
}
