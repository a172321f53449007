//! `alias_names`: each participant's aliases once, for the name filters.
//!
//! `participant_aliases` keeps an alias once per document that used it (the provenance a
//! document's deletion needs), so a common name repeats: at 10,000 generated documents it
//! has 90,827 rows for 16,399 distinct (participant, alias) pairs, and a surname 600 people
//! share matches 12,316 rows for 976 pairs. The name filters (`speakerName`,
//! `claimantName`, `participantName`, participant `name`) only need the pairs, so they now
//! read this table: SQLite scans a sixth of the rows (its table fits in one connection's
//! page cache, the aliases' did not), and Postgres's trigram index matches a twelfth.
//!
//! Triggers keep it equal to `SELECT DISTINCT participant_id, alias FROM
//! participant_aliases` through every write (ingest, merge, deletion), whatever code does
//! it. On Postgres they run once per statement, on the statement's rows (an ingest batch
//! writes its aliases in one statement; an update runs both the adding and the removing
//! function, each on its side of the rows); SQLite has only row triggers, each one probe
//! of an index. A pair is removed when its last alias row goes.
//!
//! On Postgres the trigram index on the aliases moves to this table (when `pg_trgm` is
//! there: migration 8 says when it is not), so an ingest maintains the index only for
//! pairs it has not seen before.

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_UP: &str = "\
CREATE TABLE IF NOT EXISTS alias_names (
    participant_id integer NOT NULL,
    alias varchar NOT NULL,
    PRIMARY KEY (participant_id, alias)
) WITHOUT ROWID;
INSERT OR IGNORE INTO alias_names (participant_id, alias)
    SELECT participant_id, alias FROM participant_aliases;
CREATE TRIGGER IF NOT EXISTS tr_alias_names_insert AFTER INSERT ON participant_aliases BEGIN
    INSERT OR IGNORE INTO alias_names (participant_id, alias)
        VALUES (NEW.participant_id, NEW.alias);
END;
CREATE TRIGGER IF NOT EXISTS tr_alias_names_delete AFTER DELETE ON participant_aliases BEGIN
    DELETE FROM alias_names
        WHERE participant_id = OLD.participant_id AND alias = OLD.alias
          AND NOT EXISTS (SELECT 1 FROM participant_aliases a
                          WHERE a.participant_id = OLD.participant_id AND a.alias = OLD.alias);
END;
CREATE TRIGGER IF NOT EXISTS tr_alias_names_update
AFTER UPDATE OF participant_id, alias ON participant_aliases BEGIN
    INSERT OR IGNORE INTO alias_names (participant_id, alias)
        VALUES (NEW.participant_id, NEW.alias);
    DELETE FROM alias_names
        WHERE participant_id = OLD.participant_id AND alias = OLD.alias
          AND NOT EXISTS (SELECT 1 FROM participant_aliases a
                          WHERE a.participant_id = OLD.participant_id AND a.alias = OLD.alias);
END;";

const SQLITE_DOWN: &str = "\
DROP TRIGGER IF EXISTS tr_alias_names_insert;
DROP TRIGGER IF EXISTS tr_alias_names_delete;
DROP TRIGGER IF EXISTS tr_alias_names_update;
DROP TABLE IF EXISTS alias_names;";

const POSTGRES_UP: &str = "\
CREATE TABLE IF NOT EXISTS alias_names (
    participant_id integer NOT NULL,
    alias varchar NOT NULL,
    PRIMARY KEY (participant_id, alias)
);
INSERT INTO alias_names (participant_id, alias)
    SELECT DISTINCT participant_id, alias FROM participant_aliases
    ON CONFLICT DO NOTHING;
CREATE OR REPLACE FUNCTION alias_names_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO alias_names (participant_id, alias)
        SELECT DISTINCT participant_id, alias FROM added
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION alias_names_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM alias_names n
        USING (SELECT DISTINCT participant_id, alias FROM removed) r
        WHERE n.participant_id = r.participant_id AND n.alias = r.alias
          AND NOT EXISTS (SELECT 1 FROM participant_aliases a
                          WHERE a.participant_id = r.participant_id AND a.alias = r.alias);
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS tr_alias_names_insert ON participant_aliases;
DROP TRIGGER IF EXISTS tr_alias_names_delete ON participant_aliases;
DROP TRIGGER IF EXISTS tr_alias_names_update_add ON participant_aliases;
DROP TRIGGER IF EXISTS tr_alias_names_update_remove ON participant_aliases;
CREATE TRIGGER tr_alias_names_insert AFTER INSERT ON participant_aliases
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION alias_names_add();
CREATE TRIGGER tr_alias_names_delete AFTER DELETE ON participant_aliases
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION alias_names_remove();
CREATE TRIGGER tr_alias_names_update_add AFTER UPDATE ON participant_aliases
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION alias_names_add();
CREATE TRIGGER tr_alias_names_update_remove AFTER UPDATE ON participant_aliases
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION alias_names_remove();";

const POSTGRES_DOWN: &str = "\
DROP TRIGGER IF EXISTS tr_alias_names_insert ON participant_aliases;
DROP TRIGGER IF EXISTS tr_alias_names_delete ON participant_aliases;
DROP TRIGGER IF EXISTS tr_alias_names_update_add ON participant_aliases;
DROP TRIGGER IF EXISTS tr_alias_names_update_remove ON participant_aliases;
DROP FUNCTION IF EXISTS alias_names_add();
DROP FUNCTION IF EXISTS alias_names_remove();
DROP TABLE IF EXISTS alias_names;";

/// Whether migration 8 made the aliases' trigram index (`pg_trgm` was usable then).
async fn has_alias_trigrams(db: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(db
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT (to_regclass('ix_participant_aliases_trgm') IS NOT NULL \
                 OR to_regclass('ix_alias_names_trgm') IS NOT NULL) AS made",
        ))
        .await?
        .map(|r| r.try_get::<bool>("", "made"))
        .transpose()?
        .unwrap_or(false))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                db.execute_unprepared(POSTGRES_UP).await?;
                if has_alias_trigrams(db).await? {
                    db.execute_unprepared(
                        "CREATE INDEX IF NOT EXISTS ix_alias_names_trgm ON alias_names \
                             USING gin (lower(alias) gin_trgm_ops); \
                         DROP INDEX IF EXISTS ix_participant_aliases_trgm;",
                    )
                    .await?;
                }
            }
            _ => {
                db.execute_unprepared(SQLITE_UP).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match db.get_database_backend() {
            DatabaseBackend::Postgres => {
                if has_alias_trigrams(db).await? {
                    db.execute_unprepared(
                        "CREATE INDEX IF NOT EXISTS ix_participant_aliases_trgm \
                             ON participant_aliases USING gin (lower(alias) gin_trgm_ops);",
                    )
                    .await?;
                }
                db.execute_unprepared(POSTGRES_DOWN).await?;
            }
            _ => {
                db.execute_unprepared(SQLITE_DOWN).await?;
            }
        }
        Ok(())
    }
}
