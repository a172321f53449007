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
        ]
    }
}
