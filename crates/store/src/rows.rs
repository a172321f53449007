//! Rows into models by column position, for the reads that serve requests.
//!
//! sea-orm's derived decoding finds every cell by name (a SipHash of the name per cell)
//! and reads a NULL in an `Option` field as an error that it formats (`format!("{:?}")`
//! of the column name) and then discards: on the nested benchmark query that was 250
//! formatted strings per request. Here a result's column positions are found once, from
//! its first row, and each cell is read by position through sqlx, a NULL being `None`.
//! The store's tests decode every row of every table both ways and compare.

use sea_orm::sqlx::{self, Column, Row};
use sea_orm::{DbErr, QueryResult};

/// A model read from a row by column position (implemented for every entity's model).
pub trait FromRow: Sized {
    /// The model's columns, in field order.
    const COLUMNS: &'static [&'static str];

    /// Reads the fields from `row`, the `k`-th field from column `at[k]`.
    fn from_row(row: &QueryResult, at: &[usize]) -> Result<Self, DbErr>;
}

/// A value sqlx decodes from a Postgres and from a SQLite cell (`Option<T>` reads NULL as
/// `None`).
pub trait Cell:
    Sized
    + sqlx::Type<sqlx::Postgres>
    + for<'r> sqlx::Decode<'r, sqlx::Postgres>
    + sqlx::Type<sqlx::Sqlite>
    + for<'r> sqlx::Decode<'r, sqlx::Sqlite>
{
}

impl<T> Cell for T where
    T: sqlx::Type<sqlx::Postgres>
        + for<'r> sqlx::Decode<'r, sqlx::Postgres>
        + sqlx::Type<sqlx::Sqlite>
        + for<'r> sqlx::Decode<'r, sqlx::Sqlite>
{
}

fn err(e: sqlx::Error) -> DbErr {
    DbErr::Type(e.to_string())
}

/// The cell at position `at` of `row` (an error when `at` is `None`: a column missing
/// from the result).
pub fn cell<T: Cell>(row: &QueryResult, at: Option<usize>) -> Result<T, DbErr> {
    let at = at.ok_or_else(|| DbErr::Type("a column is missing from the result".into()))?;
    if let Some(r) = row.try_as_pg_row() {
        return r.try_get::<T, usize>(at).map_err(err);
    }
    if let Some(r) = row.try_as_sqlite_row() {
        return r.try_get::<T, usize>(at).map_err(err);
    }
    Err(DbErr::Type("a row of an unsupported database".into()))
}

/// The position of the column `name` in `row`'s result.
pub fn position(row: &QueryResult, name: &str) -> Result<usize, DbErr> {
    if let Some(r) = row.try_as_pg_row() {
        return r.try_column(name).map(|c| c.ordinal()).map_err(err);
    }
    if let Some(r) = row.try_as_sqlite_row() {
        return r.try_column(name).map(|c| c.ordinal()).map_err(err);
    }
    Err(DbErr::Type("a row of an unsupported database".into()))
}

/// The positions of `M`'s columns in the result `row` belongs to.
pub fn positions<M: FromRow>(row: &QueryResult) -> Result<Vec<usize>, DbErr> {
    M::COLUMNS.iter().map(|c| position(row, c)).collect()
}

/// Every row as an `M`, the column positions found once from the first.
pub fn decode_all<M: FromRow>(rows: &[QueryResult]) -> Result<Vec<M>, DbErr> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let at = positions::<M>(first)?;
    rows.iter().map(|r| M::from_row(r, &at)).collect()
}
