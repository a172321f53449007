//! Topic links carry their row's place in the lists: `date_key`, `document_id`, `idx`.
//!
//! A topic's page (`quotations(filter: {topic})`, the same for claims) read the rows in
//! date order and kept those linked to the topic. How long that takes depends on where the
//! topic's rows lie, not on the page: on the 10,000-document corpus Postgres walked 37,537
//! quotations to find the first three of a topic whose items all lie late (92–142 ms), and
//! 97 ms for a topic spread thinly over the years, while SQLite built the most common
//! topic's whole `IN` list of 76,585 rows first (69–76 ms). With the sort key in the link,
//! an index on (topic, sort key) holds each topic's rows in list order: the page is the
//! index's next few entries, whatever the topic.
//!
//! A quotation or claim never changes its place after ingest, which writes the copy with
//! the link. Triggers keep the copy right through anything else: a link inserted without
//! it (its `document_id` left 0; documents are numbered from 1), a link pointed at another
//! row, a row whose place is changed. The new index also serves what the one it replaces
//! (migration 12's (topic, row)) served: a topic's count and its rows' ids, from the index
//! alone.

use sea_orm::DatabaseBackend;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (link table, owner table, the link's owner column)
const LINKS: &[(&str, &str, &str)] = &[
    ("quotation_topics", "quotations", "quotation_id"),
    ("claim_topics", "claims", "claim_id"),
];

fn sqlite_up(link: &str, owner: &str, col: &str) -> String {
    let copy = format!(
        "UPDATE {link} SET (date_key, document_id, idx) = \
             (SELECT o.date_key, o.document_id, o.idx FROM {owner} o WHERE o.id = NEW.{col}) \
         WHERE id = NEW.id AND EXISTS (SELECT 1 FROM {owner} o WHERE o.id = NEW.{col});"
    );
    format!(
        "ALTER TABLE {link} ADD COLUMN date_key bigint NOT NULL DEFAULT 0;
ALTER TABLE {link} ADD COLUMN document_id integer NOT NULL DEFAULT 0;
ALTER TABLE {link} ADD COLUMN idx integer NOT NULL DEFAULT 0;
UPDATE {link} SET (date_key, document_id, idx) =
    (SELECT o.date_key, o.document_id, o.idx FROM {owner} o WHERE o.id = {link}.{col})
WHERE EXISTS (SELECT 1 FROM {owner} o WHERE o.id = {link}.{col});
CREATE INDEX IF NOT EXISTS ix_{link}_topic_order
    ON {link} (topic_id, date_key, document_id, idx, {col});
DROP INDEX IF EXISTS ix_{link}_topic_row;
CREATE TRIGGER IF NOT EXISTS tr_{link}_order_insert AFTER INSERT ON {link}
WHEN NEW.document_id = 0 BEGIN
    {copy}
END;
CREATE TRIGGER IF NOT EXISTS tr_{link}_order_repoint AFTER UPDATE OF {col} ON {link} BEGIN
    {copy}
END;
CREATE TRIGGER IF NOT EXISTS tr_{owner}_order AFTER UPDATE OF date_key, document_id, idx ON {owner}
WHEN NEW.date_key <> OLD.date_key OR NEW.document_id <> OLD.document_id OR NEW.idx <> OLD.idx
BEGIN
    UPDATE {link} SET date_key = NEW.date_key, document_id = NEW.document_id, idx = NEW.idx
    WHERE {col} = NEW.id;
END;
"
    )
}

fn sqlite_down(link: &str, owner: &str, col: &str) -> String {
    format!(
        "DROP TRIGGER IF EXISTS tr_{link}_order_insert;
DROP TRIGGER IF EXISTS tr_{link}_order_repoint;
DROP TRIGGER IF EXISTS tr_{owner}_order;
CREATE INDEX IF NOT EXISTS ix_{link}_topic_row ON {link} (topic_id, {col});
DROP INDEX IF EXISTS ix_{link}_topic_order;
ALTER TABLE {link} DROP COLUMN date_key;
ALTER TABLE {link} DROP COLUMN document_id;
ALTER TABLE {link} DROP COLUMN idx;
"
    )
}

fn postgres_up(link: &str, owner: &str, col: &str) -> String {
    format!(
        "ALTER TABLE {link} ADD COLUMN IF NOT EXISTS date_key bigint NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS document_id integer NOT NULL DEFAULT 0,
    ADD COLUMN IF NOT EXISTS idx integer NOT NULL DEFAULT 0;
UPDATE {link} l SET date_key = o.date_key, document_id = o.document_id, idx = o.idx
    FROM {owner} o WHERE o.id = l.{col};
CREATE INDEX IF NOT EXISTS ix_{link}_topic_order
    ON {link} (topic_id, date_key, document_id, idx, {col});
DROP INDEX IF EXISTS ix_{link}_topic_row;
CREATE OR REPLACE FUNCTION {link}_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT o.date_key, o.document_id, o.idx INTO NEW.date_key, NEW.document_id, NEW.idx
        FROM {owner} o WHERE o.id = NEW.{col};
    RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION {owner}_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {link} SET date_key = NEW.date_key, document_id = NEW.document_id, idx = NEW.idx
        WHERE {col} = NEW.id;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS tr_{link}_order_insert ON {link};
DROP TRIGGER IF EXISTS tr_{link}_order_repoint ON {link};
DROP TRIGGER IF EXISTS tr_{owner}_order ON {owner};
CREATE TRIGGER tr_{link}_order_insert BEFORE INSERT ON {link}
    FOR EACH ROW WHEN (NEW.document_id = 0) EXECUTE FUNCTION {link}_order();
CREATE TRIGGER tr_{link}_order_repoint BEFORE UPDATE OF {col} ON {link}
    FOR EACH ROW EXECUTE FUNCTION {link}_order();
CREATE TRIGGER tr_{owner}_order AFTER UPDATE OF date_key, document_id, idx ON {owner}
    FOR EACH ROW WHEN (OLD.date_key IS DISTINCT FROM NEW.date_key
        OR OLD.document_id IS DISTINCT FROM NEW.document_id OR OLD.idx IS DISTINCT FROM NEW.idx)
    EXECUTE FUNCTION {owner}_order();
"
    )
}

fn postgres_down(link: &str, owner: &str, col: &str) -> String {
    format!(
        "DROP TRIGGER IF EXISTS tr_{link}_order_insert ON {link};
DROP TRIGGER IF EXISTS tr_{link}_order_repoint ON {link};
DROP TRIGGER IF EXISTS tr_{owner}_order ON {owner};
DROP FUNCTION IF EXISTS {link}_order();
DROP FUNCTION IF EXISTS {owner}_order();
CREATE INDEX IF NOT EXISTS ix_{link}_topic_row ON {link} (topic_id, {col});
DROP INDEX IF EXISTS ix_{link}_topic_order;
ALTER TABLE {link} DROP COLUMN IF EXISTS date_key, DROP COLUMN IF EXISTS document_id,
    DROP COLUMN IF EXISTS idx;
"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let postgres = db.get_database_backend() == DatabaseBackend::Postgres;
        for (link, owner, col) in LINKS {
            let sql = if postgres {
                postgres_up(link, owner, col)
            } else {
                sqlite_up(link, owner, col)
            };
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let postgres = db.get_database_backend() == DatabaseBackend::Postgres;
        for (link, owner, col) in LINKS {
            let sql = if postgres {
                postgres_down(link, owner, col)
            } else {
                sqlite_down(link, owner, col)
            };
            db.execute_unprepared(&sql).await?;
        }
        Ok(())
    }
}
