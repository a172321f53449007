//! Rows into models by column position, for the reads that serve requests.
//!
//! sea-orm's derived decoding finds every cell by name (a SipHash of the name per cell)
//! and reads a NULL in an `Option` field as an error that it formats (`format!("{:?}")`
//! of the column name) and then discards: on the nested benchmark query that was 250
//! formatted strings per request. Here a result's column positions are found once, from
//! its first row, and each cell is read by position through sqlx, a NULL being `None`.
//! On Postgres every row of a result has its columns' types, so they are checked against
//! the model's once, with the positions, and the cells decoded without checking each
//! again (sqlx's per-cell check was a tenth of a nested request's instructions); SQLite
//! types each value, so there every cell is checked. Postgres's 4- and 8-byte integers
//! are read from their bytes here (see [`Cell::from_pg`]), everything else by sqlx. The
//! store's tests decode every row of every table both ways and compare.

use sea_orm::sqlx::postgres::{PgRow, PgValueFormat, PgValueRef};
use sea_orm::sqlx::{self, Column, Row, ValueRef};
use sea_orm::{DbErr, QueryResult};

/// A model read from a row by column position (implemented for every entity's model).
pub trait FromRow: Sized {
    /// The model's columns, in field order.
    const COLUMNS: &'static [&'static str];

    /// Reads the fields from `row`, the `k`-th field from column `at[k]`, a result whose
    /// column types [`FromRow::check`] has accepted.
    fn from_row(row: &QueryResult, at: &[usize]) -> Result<Self, DbErr>;

    /// An error unless the `k`-th field can be read from column `at[k]` of `row`'s result.
    fn check(row: &QueryResult, at: &[usize]) -> Result<(), DbErr>;
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
    /// The cell at position `at` of a Postgres row: sqlx's decoding, unless the type
    /// reads its cells itself.
    #[inline(always)]
    fn from_pg(row: &PgRow, at: usize) -> Result<Self, sqlx::Error> {
        row.try_get_unchecked::<Self, usize>(at)
    }
}

macro_rules! decoded_by_sqlx {
    ($($t:ty),* $(,)?) => { $(impl Cell for $t {})* };
}

decoded_by_sqlx!(
    String,
    Option<String>,
    Vec<u8>,
    Option<Vec<u8>>,
    bool,
    Option<bool>,
    f64,
    Option<f64>
);

/// The bytes of a binary cell of exactly `N` bytes. sqlx reads integers of any width up to
/// eight bytes through a copy of run-time length, a call to `memcpy` per cell: about 600
/// a nested request, for 4- and 8-byte integers whose width the column type fixes.
#[inline(always)]
fn fixed<const N: usize>(value: &PgValueRef<'_>) -> Option<[u8; N]> {
    if value.format() != PgValueFormat::Binary {
        return None;
    }
    value.as_bytes().ok()?.try_into().ok()
}

macro_rules! integer_cells {
    ($($t:ty),*) => {$(
        impl Cell for $t {
            #[inline(always)]
            fn from_pg(row: &PgRow, at: usize) -> Result<Self, sqlx::Error> {
                match fixed(&row.try_get_raw(at)?) {
                    Some(bytes) => Ok(<$t>::from_be_bytes(bytes)),
                    // Text, NULL or another width: sqlx's decoding and its errors.
                    None => row.try_get_unchecked::<$t, usize>(at),
                }
            }
        }

        impl Cell for Option<$t> {
            #[inline(always)]
            fn from_pg(row: &PgRow, at: usize) -> Result<Self, sqlx::Error> {
                let value = row.try_get_raw(at)?;
                if value.is_null() {
                    return Ok(None);
                }
                match fixed(&value) {
                    Some(bytes) => Ok(Some(<$t>::from_be_bytes(bytes))),
                    None => row.try_get_unchecked::<Option<$t>, usize>(at),
                }
            }
        }
    )*};
}

integer_cells!(i32, i64);

fn err(e: sqlx::Error) -> DbErr {
    DbErr::Type(e.to_string())
}

/// The cell at position `at` of `row` (an error when `at` is `None`: a column missing
/// from the result), of a result whose column types [`check`] has accepted.
pub fn cell<T: Cell>(row: &QueryResult, at: Option<usize>) -> Result<T, DbErr> {
    let at = at.ok_or_else(missing)?;
    if let Some(r) = row.try_as_pg_row() {
        return T::from_pg(r, at).map_err(err);
    }
    if let Some(r) = row.try_as_sqlite_row() {
        return r.try_get::<T, usize>(at).map_err(err);
    }
    Err(unsupported())
}

/// An error unless a `T` can be read from column `at` of `row`'s result (on Postgres,
/// where a column has one type for all rows; SQLite's cells are checked as they are read).
pub fn check<T: Cell>(row: &QueryResult, at: Option<usize>) -> Result<(), DbErr> {
    use sea_orm::sqlx::TypeInfo;
    let at = at.ok_or_else(missing)?;
    if let Some(r) = row.try_as_pg_row() {
        let col = r.try_column(at).map_err(err)?;
        let ty = col.type_info();
        if !ty.is_null() && !<T as sqlx::Type<sqlx::Postgres>>::compatible(ty) {
            return Err(DbErr::Type(format!(
                "column {} is {}, which a {} cannot be read from",
                col.name(),
                ty.name(),
                std::any::type_name::<T>()
            )));
        }
    }
    Ok(())
}

fn missing() -> DbErr {
    DbErr::Type("a column is missing from the result".into())
}

fn unsupported() -> DbErr {
    DbErr::Type("a row of an unsupported database".into())
}

/// The position of the column `name` in `row`'s result.
pub fn position(row: &QueryResult, name: &str) -> Result<usize, DbErr> {
    if let Some(r) = row.try_as_pg_row() {
        return r.try_column(name).map(|c| c.ordinal()).map_err(err);
    }
    if let Some(r) = row.try_as_sqlite_row() {
        return r.try_column(name).map(|c| c.ordinal()).map_err(err);
    }
    Err(unsupported())
}

/// The positions of `M`'s columns in the result `row` belongs to, their types checked.
pub fn positions<M: FromRow>(row: &QueryResult) -> Result<Vec<usize>, DbErr> {
    prefixed_positions::<M>(row, "")
}

/// The positions of `M`'s columns in the result `row` belongs to, each column named with
/// `prefix` before the model's name (`d_title` for a joined row's `title`), types checked.
pub fn prefixed_positions<M: FromRow>(
    row: &QueryResult,
    prefix: &str,
) -> Result<Vec<usize>, DbErr> {
    let at = M::COLUMNS
        .iter()
        .map(|c| match prefix {
            "" => position(row, c),
            _ => position(row, &format!("{prefix}{c}")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    M::check(row, &at)?;
    Ok(at)
}

/// The position of the column `name` in `row`'s result, checked to hold a `T`.
pub fn typed_position<T: Cell>(row: &QueryResult, name: &str) -> Result<usize, DbErr> {
    let at = position(row, name)?;
    check::<T>(row, Some(at))?;
    Ok(at)
}

/// Every row as an `M`, the column positions found once from the first.
pub fn decode_all<M: FromRow>(rows: &[QueryResult]) -> Result<Vec<M>, DbErr> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let at = positions::<M>(first)?;
    rows.iter().map(|r| M::from_row(r, &at)).collect()
}
