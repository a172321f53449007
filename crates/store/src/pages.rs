//! One page of quotations or claims for many owners at once (a speaker's quotations, a
//! meeting's claims...), so a nested GraphQL query runs two statements per list whatever
//! the number of parents: the rows, numbered per owner with `ROW_NUMBER()`, and the counts.

use std::collections::HashMap;

use sea_orm::{DatabaseBackend, FromQueryResult, Statement, Value};

use crate::entities::{claim, quotation};
use crate::{Store, StoreError};

/// Whose quotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuotationOwner {
    /// Spoken by a participant.
    Speaker,
    /// From a meeting's documents.
    Meeting,
    /// In a document.
    Document,
}

/// Whose claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClaimOwner {
    /// Made by a participant.
    Claimant,
    /// From a meeting's documents.
    Meeting,
    /// In a document.
    Document,
}

#[derive(Debug, FromQueryResult)]
struct OwnerCount {
    owner: i32,
    n: i64,
}

fn placeholders(backend: DatabaseBackend, n: usize) -> String {
    (1..=n)
        .map(|i| match backend {
            DatabaseBackend::Postgres => format!("${i}"),
            _ => "?".to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

async fn page<M: FromQueryResult>(
    store: &Store,
    table: &str,
    column: &str,
    ids: &[i32],
    offset: u64,
    limit: u64,
) -> Result<(Vec<M>, HashMap<i32, u64>), StoreError> {
    if ids.is_empty() {
        return Ok((Vec::new(), HashMap::new()));
    }
    let backend = store.db.get_database_backend();
    let ph = placeholders(backend, ids.len());
    let values: Vec<Value> = ids.iter().map(|i| Value::from(*i)).collect();
    let lo = i64::try_from(offset).unwrap_or(i64::MAX);
    let hi = lo.saturating_add(i64::try_from(limit).unwrap_or(i64::MAX));
    // `table` and `column` come from the enums above, never from input.
    // Postgres: per owner, an index scan of its first rows (LATERAL ... LIMIT), so the cost
    // follows the page size, not how much a busy speaker has said.
    let sql = if backend == DatabaseBackend::Postgres {
        let limit = hi - lo;
        format!(
            "SELECT x.* FROM unnest(ARRAY[{ph}]::int4[]) AS o(owner) CROSS JOIN LATERAL \
             (SELECT t.* FROM {table} t WHERE t.{column} = o.owner \
              ORDER BY t.date_key, t.document_id, t.idx OFFSET {lo} LIMIT {limit}) x \
             ORDER BY x.{column}, x.date_key, x.document_id, x.idx"
        )
    } else {
        format!(
        "SELECT * FROM (SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.{column} ORDER BY t.date_key, t.document_id, t.idx) AS rn \
         FROM {table} t WHERE t.{column} IN ({ph})) x WHERE x.rn > {lo} AND x.rn <= {hi} ORDER BY x.{column}, x.rn"
        )
    };
    let rows = M::find_by_statement(Statement::from_sql_and_values(
        backend,
        &sql,
        values.clone(),
    ))
    .all(&store.db)
    .await?;
    let count_sql = format!("SELECT {column} AS owner, COUNT(*) AS n FROM {table} WHERE {column} IN ({ph}) GROUP BY {column}");
    let counts =
        OwnerCount::find_by_statement(Statement::from_sql_and_values(backend, &count_sql, values))
            .all(&store.db)
            .await?
            .into_iter()
            .map(|c| (c.owner, u64::try_from(c.n).unwrap_or(0)))
            .collect();
    Ok((rows, counts))
}

impl Store {
    /// A page of quotations for each of `ids`, and each owner's total.
    pub async fn quotation_pages(
        &self,
        owner: QuotationOwner,
        ids: &[i32],
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<quotation::Model>, HashMap<i32, u64>), StoreError> {
        let column = match owner {
            QuotationOwner::Speaker => "speaker_id",
            QuotationOwner::Meeting => "meeting_id",
            QuotationOwner::Document => "document_id",
        };
        page::<quotation::Model>(self, "quotations", column, ids, offset, limit).await
    }

    /// A page of claims for each of `ids`, and each owner's total.
    pub async fn claim_pages(
        &self,
        owner: ClaimOwner,
        ids: &[i32],
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<claim::Model>, HashMap<i32, u64>), StoreError> {
        let column = match owner {
            ClaimOwner::Claimant => "claimant_id",
            ClaimOwner::Meeting => "meeting_id",
            ClaimOwner::Document => "document_id",
        };
        page::<claim::Model>(self, "claims", column, ids, offset, limit).await
    }
}
