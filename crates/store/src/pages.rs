//! One page of quotations or claims for many owners at once (a speaker's quotations, a
//! meeting's claims...), so a nested GraphQL query runs two statements per list whatever
//! the number of parents: the rows (each owner's first ones read from its index: a
//! `LATERAL` subquery per owner on Postgres, a compound select of one subquery per owner
//! on SQLite, 200 owners a statement), and the counts.

use rustc_hash::FxHashMap;

use sea_orm::{
    ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult, IdenStatic, Iterable,
    Statement, Value,
};

use crate::entities::{claim, document, quotation};
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

/// What a page reads of its rows' documents, in the same statement as the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Joined {
    /// Nothing.
    Nothing,
    /// Their titles only (what a list that shows each row's source needs).
    Titles,
    /// Their heads: every column but the text, extraction and original bytes.
    Heads,
}

/// Pages of rows for many owners, as one read returns them.
#[derive(Debug)]
pub struct Pages<M> {
    /// Every owner's rows, grouped by owner, each owner's in list order.
    pub rows: Vec<M>,
    /// Each owner's total (with an uncounted page: see [`Page`]). The maps here hash their
    /// ids by `rustc-hash` (a multiply), not SipHash: a page of the nested query puts and
    /// looks up hundreds of them, and the ids are the database's own.
    pub totals: FxHashMap<i32, u64>,
    /// The rows' documents by id, without their text, extraction or original bytes (as
    /// `Store::document_heads_by_ids` reads them); empty unless [`Joined::Heads`].
    pub documents: FxHashMap<i32, document::Model>,
    /// The rows' documents' titles by id; empty unless [`Joined::Titles`].
    pub titles: FxHashMap<i32, String>,
}

/// A row's place in its owner's list: by document date, then document, then position.
pub(crate) trait ListKey {
    fn list_key(&self) -> (i64, i32, i32);
}

impl ListKey for quotation::Model {
    fn list_key(&self) -> (i64, i32, i32) {
        (self.date_key, self.document_id, self.idx)
    }
}

impl ListKey for claim::Model {
    fn list_key(&self) -> (i64, i32, i32) {
        (self.date_key, self.document_id, self.idx)
    }
}

#[derive(Debug, FromQueryResult)]
struct OwnerCount {
    owner: i32,
    n: i64,
}

/// Owners whose pages one SQLite statement reads (a compound select of one term each;
/// SQLite allows 500).
const SQLITE_OWNERS_PER_STATEMENT: usize = 200;

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
/// would read and send them for nothing). Written once per table (`cache`), not per read.
fn columns<E: EntityTrait>(cache: &'static std::sync::OnceLock<String>) -> &'static str {
    cache.get_or_init(|| joined_columns::<E>("t", ""))
}

/// The entity's own columns read from the table aliased `alias`, each named `prefix` +
/// its name (`p.name AS p_name`; with no prefix, as it is), for `rows::prefixed_positions`.
pub(crate) fn joined_columns<E: EntityTrait>(alias: &str, prefix: &str) -> String {
    E::Column::iter()
        .map(|c| match prefix {
            "" => format!("{alias}.{}", c.as_str()),
            _ => format!("{alias}.{0} AS {prefix}{0}", c.as_str()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The heads of the joined documents `d`, each column named `d_` + its name: the columns
/// `Store::document_heads_by_ids` reads, with the text, extraction and bytes left behind.
fn document_head_columns(backend: DatabaseBackend) -> String {
    document::Column::iter()
        .map(|c| {
            let name = c.as_str();
            match c {
                document::Column::Raw if backend == DatabaseBackend::Postgres => {
                    format!("CAST(NULL AS bytea) AS d_{name}")
                }
                document::Column::Raw => format!("NULL AS d_{name}"),
                document::Column::Text | document::Column::Extraction => format!("'' AS d_{name}"),
                _ => format!("d.{name} AS d_{name}"),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Each distinct document's title in `rows`, from the `d_id` and `d_title` columns.
fn joined_titles(rows: &[sea_orm::QueryResult]) -> Result<FxHashMap<i32, String>, StoreError> {
    use crate::rows::{cell, typed_position};
    let mut out = FxHashMap::default();
    let Some(first) = rows.first() else {
        return Ok(out);
    };
    let id_at = typed_position::<i32>(first, "d_id")?;
    let title_at = typed_position::<String>(first, "d_title")?;
    for row in rows {
        let id: i32 = cell(row, Some(id_at))?;
        if let std::collections::hash_map::Entry::Vacant(e) = out.entry(id) {
            e.insert(cell(row, Some(title_at))?);
        }
    }
    Ok(out)
}

/// Each distinct document of `rows`, read from the `d_` columns beside the page's own.
fn joined_documents(
    rows: &[sea_orm::QueryResult],
) -> Result<FxHashMap<i32, document::Model>, StoreError> {
    use crate::rows::{cell, prefixed_positions, typed_position, FromRow};
    let mut out = FxHashMap::default();
    let Some(first) = rows.first() else {
        return Ok(out);
    };
    let at = prefixed_positions::<document::Model>(first, "d_")?;
    let id_at = typed_position::<i32>(first, "d_id")?;
    for row in rows {
        let id: i32 = cell(row, Some(id_at))?;
        if let std::collections::hash_map::Entry::Vacant(e) = out.entry(id) {
            e.insert(document::Model::from_row(row, &at)?);
        }
    }
    Ok(out)
}

async fn page<E: EntityTrait>(
    store: &Store,
    columns: &str,
    column: &str,
    ids: &[i32],
    page: Page,
    joined: Joined,
    owner_of: impl Fn(&E::Model) -> Option<i32>,
) -> Result<Pages<E::Model>, StoreError>
where
    E::Model: crate::rows::FromRow + ListKey,
{
    let (offset, limit) = (page.offset, page.limit);
    if ids.is_empty() {
        return Ok(Pages {
            rows: Vec::new(),
            totals: FxHashMap::default(),
            documents: FxHashMap::default(),
            titles: FxHashMap::default(),
        });
    }
    let backend = store.db.get_database_backend();
    let ph = placeholders(backend, ids.len());
    let values: Vec<Value> = ids.iter().map(|i| Value::from(*i)).collect();
    let lo = i64::try_from(offset).unwrap_or(i64::MAX);
    // Without a count, one row more per owner says whether more follow, when asked.
    let hi = lo.saturating_add(i64::try_from(page.rows_to_read()).unwrap_or(i64::MAX));
    // `table` is the entity's and `column` comes from the enums above, never from input.
    // Postgres: per owner, an index scan of its first rows (LATERAL ... LIMIT), so the cost
    // follows the page size, not how much a busy speaker has said.
    let (cols, table) = (columns, E::default().table_name());
    // With documents, each row carries its document's head or title, joined by primary
    // key: the nested query that shows a quotation's document saves a statement. Only the
    // title when that is all the query shows: with the head's seventeen columns the
    // nested query's two statements ran a fifth slower as plain SQL (pgbench, prepared:
    // 3,955–3,966 tps with the heads, 5,053–5,532 with the titles).
    const DJOIN: &str = " JOIN documents d ON d.id = x.document_id";
    let (dcols, djoin) = match joined {
        Joined::Nothing => (String::new(), ""),
        Joined::Titles => (", d.id AS d_id, d.title AS d_title".to_string(), DJOIN),
        Joined::Heads => (format!(", {}", document_head_columns(backend)), DJOIN),
    };
    let limit_sql = hi - lo;
    let raw = if limit_sql == 0 {
        // The totals alone were asked for: no row is read, only the counts below.
        Vec::new()
    } else if backend == DatabaseBackend::Postgres {
        let sql = format!(
            "SELECT x.*{dcols} FROM unnest(ARRAY[{ph}]::int4[]) AS o(owner) CROSS JOIN LATERAL \
             (SELECT {cols} FROM {table} t WHERE t.{column} = o.owner \
              ORDER BY t.date_key, t.document_id, t.idx OFFSET {lo} LIMIT {limit_sql}) x{djoin}"
        );
        store
            .reads
            .query_all_raw(Statement::from_sql_and_values(
                backend,
                &sql,
                values.clone(),
            ))
            .await?
    } else {
        // SQLite has no LATERAL: the same per-owner index scan is a compound select of
        // one `ORDER BY ... LIMIT` subquery per owner, at most SQLITE_OWNERS_PER_STATEMENT
        // of them a statement (SQLite allows 500 terms). Numbering every row of the owners
        // with ROW_NUMBER() read all of a busy speaker's quotations for a page of five:
        // 2,352 rows, text and all, for the nested query's twelve speakers.
        let one = format!(
            "SELECT * FROM (SELECT {cols} FROM {table} t WHERE t.{column} = ? \
             ORDER BY t.date_key, t.document_id, t.idx LIMIT {limit_sql} OFFSET {lo})"
        );
        let mut raw = Vec::new();
        for chunk in values.chunks(SQLITE_OWNERS_PER_STATEMENT) {
            let union = vec![one.as_str(); chunk.len()].join(" UNION ALL ");
            let sql = format!("SELECT x.*{dcols} FROM ({union}) x{djoin}");
            raw.extend(
                store
                    .reads
                    .query_all_raw(Statement::from_sql_and_values(
                        backend,
                        &sql,
                        chunk.to_vec(),
                    ))
                    .await?,
            );
        }
        raw
    };
    let mut rows: Vec<E::Model> = crate::rows::decode_all(&raw)?;
    // Grouped by owner, each owner's in list order: sorted here rather than by Postgres,
    // where the sort of the wide joined rows cost a tenth of the statement (pgbench,
    // the nested query's quotation page: 4,711 → 5,142 tps without it). The key is
    // unique (a document's rows have distinct positions), so the order is total.
    rows.sort_unstable_by_key(|r| (owner_of(r), r.list_key()));
    let (documents, titles) = match joined {
        Joined::Nothing => (FxHashMap::default(), FxHashMap::default()),
        Joined::Titles => (FxHashMap::default(), joined_titles(&raw)?),
        Joined::Heads => (joined_documents(&raw)?, FxHashMap::default()),
    };
    drop(raw);
    if !page.count {
        // Rows come ordered by owner: keep each owner's first `limit`.
        let mut seen: FxHashMap<i32, u64> = FxHashMap::default();
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
        return Ok(Pages {
            rows: kept,
            totals,
            documents,
            titles,
        });
    }
    let count_sql = format!("SELECT {column} AS owner, COUNT(*) AS n FROM {table} WHERE {column} IN ({ph}) GROUP BY {column}");
    let counts =
        OwnerCount::find_by_statement(Statement::from_sql_and_values(backend, &count_sql, values))
            .all(&store.reads)
            .await?
            .into_iter()
            .map(|c| (c.owner, u64::try_from(c.n).unwrap_or(0)))
            .collect();
    Ok(Pages {
        rows,
        totals: counts,
        documents,
        titles,
    })
}

impl Store {
    /// A page of quotations for each of `ids`, and each owner's total.
    /// With `page.count` false, the totals only tell whether more rows follow (see [`Page`]);
    /// `joined` says what the same statement reads of the rows' documents.
    pub async fn quotation_pages(
        &self,
        owner: QuotationOwner,
        ids: &[i32],
        page: Page,
        joined: Joined,
    ) -> Result<Pages<quotation::Model>, StoreError> {
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
        static COLUMNS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let cols = columns::<quotation::Entity>(&COLUMNS);
        self::page::<quotation::Entity>(self, cols, column, ids, page, joined, owner_of).await
    }

    /// A page of claims for each of `ids`, and each owner's total.
    /// With `page.count` false, the totals only tell whether more rows follow (see [`Page`]);
    /// `joined` says what the same statement reads of the rows' documents.
    pub async fn claim_pages(
        &self,
        owner: ClaimOwner,
        ids: &[i32],
        page: Page,
        joined: Joined,
    ) -> Result<Pages<claim::Model>, StoreError> {
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
        static COLUMNS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let cols = columns::<claim::Entity>(&COLUMNS);
        self::page::<claim::Entity>(self, cols, column, ids, page, joined, owner_of).await
    }
}
