//! One page of quotations or claims for many owners at once (a speaker's quotations, a
//! meeting's claims...), so a nested GraphQL query runs two statements per list whatever
//! the number of parents: the rows, numbered per owner with `ROW_NUMBER()`, and the counts.

use std::collections::HashMap;

use sea_orm::{
    DatabaseBackend, EntityTrait, FromQueryResult, IdenStatic, Iterable, Statement, Value,
};

use crate::entities::{claim, quotation};
use crate::{Page, Store, StoreError};

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

pub(crate) fn placeholders(backend: DatabaseBackend, n: usize) -> String {
    (1..=n)
        .map(|i| match backend {
            DatabaseBackend::Postgres => format!("${i}"),
            _ => "?".to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The entity's own columns, `t.a, t.b, ...`: the rows without anything a migration added
/// beside them (Postgres's `tsv` search vectors are as large as the text, and the page
/// would read and send them for nothing).
fn columns<E: EntityTrait>() -> String {
    E::Column::iter()
        .map(|c| format!("t.{}", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn page<E: EntityTrait>(
    store: &Store,
    table: &str,
    column: &str,
    ids: &[i32],
    page: Page,
    owner_of: impl Fn(&E::Model) -> Option<i32>,
) -> Result<(Vec<E::Model>, HashMap<i32, u64>), StoreError>
where
    E::Model: crate::rows::FromRow,
{
    let (offset, limit) = (page.offset, page.limit);
    if ids.is_empty() {
        return Ok((Vec::new(), HashMap::new()));
    }
    let backend = store.db.get_database_backend();
    let ph = placeholders(backend, ids.len());
    let values: Vec<Value> = ids.iter().map(|i| Value::from(*i)).collect();
    let lo = i64::try_from(offset).unwrap_or(i64::MAX);
    // Without a count, one row more per owner says whether more follow.
    let extra = i64::from(!page.count);
    let hi = lo
        .saturating_add(i64::try_from(limit).unwrap_or(i64::MAX))
        .saturating_add(extra);
    // `table` and `column` come from the enums above, never from input.
    // Postgres: per owner, an index scan of its first rows (LATERAL ... LIMIT), so the cost
    // follows the page size, not how much a busy speaker has said.
    let cols = columns::<E>();
    let sql = if backend == DatabaseBackend::Postgres {
        let limit = hi - lo;
        format!(
            "SELECT x.* FROM unnest(ARRAY[{ph}]::int4[]) AS o(owner) CROSS JOIN LATERAL \
             (SELECT {cols} FROM {table} t WHERE t.{column} = o.owner \
              ORDER BY t.date_key, t.document_id, t.idx OFFSET {lo} LIMIT {limit}) x \
             ORDER BY x.{column}, x.date_key, x.document_id, x.idx"
        )
    } else {
        format!(
        "SELECT * FROM (SELECT {cols}, ROW_NUMBER() OVER (PARTITION BY t.{column} ORDER BY t.date_key, t.document_id, t.idx) AS rn \
         FROM {table} t WHERE t.{column} IN ({ph})) x WHERE x.rn > {lo} AND x.rn <= {hi} ORDER BY x.{column}, x.rn"
        )
    };
    let rows: Vec<E::Model> = store
        .fetch_statement(Statement::from_sql_and_values(
            backend,
            &sql,
            values.clone(),
        ))
        .await?;
    if !page.count {
        // Rows come ordered by owner: keep each owner's first `limit`.
        let mut seen: HashMap<i32, u64> = HashMap::new();
        let mut kept = Vec::with_capacity(rows.len());
        for r in rows {
            let Some(o) = owner_of(&r) else { continue };
            let n = seen.entry(o).or_default();
            *n += 1;
            if *n <= limit {
                kept.push(r);
            }
        }
        let totals = seen
            .into_iter()
            .map(|(o, n)| (o, offset + n.min(limit) + u64::from(n > limit)))
            .collect();
        return Ok((kept, totals));
    }
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
    /// With `page.count` false, the totals only tell whether more rows follow (see [`Page`]).
    pub async fn quotation_pages(
        &self,
        owner: QuotationOwner,
        ids: &[i32],
        page: Page,
    ) -> Result<(Vec<quotation::Model>, HashMap<i32, u64>), StoreError> {
        let column = match owner {
            QuotationOwner::Speaker => "speaker_id",
            QuotationOwner::Meeting => "meeting_id",
            QuotationOwner::Document => "document_id",
        };
        let owner_of = move |q: &quotation::Model| match owner {
            QuotationOwner::Speaker => q.speaker_id,
            QuotationOwner::Meeting => q.meeting_id,
            QuotationOwner::Document => Some(q.document_id),
        };
        self::page::<quotation::Entity>(self, "quotations", column, ids, page, owner_of).await
    }

    /// A page of claims for each of `ids`, and each owner's total.
    /// With `page.count` false, the totals only tell whether more rows follow (see [`Page`]).
    pub async fn claim_pages(
        &self,
        owner: ClaimOwner,
        ids: &[i32],
        page: Page,
    ) -> Result<(Vec<claim::Model>, HashMap<i32, u64>), StoreError> {
        let column = match owner {
            ClaimOwner::Claimant => "claimant_id",
            ClaimOwner::Meeting => "meeting_id",
            ClaimOwner::Document => "document_id",
        };
        let owner_of = move |c: &claim::Model| match owner {
            ClaimOwner::Claimant => c.claimant_id,
            ClaimOwner::Meeting => c.meeting_id,
            ClaimOwner::Document => Some(c.document_id),
        };
        self::page::<claim::Entity>(self, "claims", column, ids, page, owner_of).await
    }
}
