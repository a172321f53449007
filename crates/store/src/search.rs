//! Full-text search, the one place where the SQL differs by backend: Postgres ranks with
//! `tsvector` columns (GIN-indexed) and `websearch_to_tsquery`; SQLite with an FTS5 index
//! kept by triggers. Both return the same shape: kind, id, rank, highlighted snippet.

use sea_orm::{DatabaseBackend, FromQueryResult, Statement, Value};

use crate::{Page, Store, StoreError};

/// One search hit before its node is loaded.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct SearchRow {
    /// `quotation`, `claim` or `document`.
    pub kind: String,
    /// Row id in its table.
    pub id: i32,
    /// Relevance (higher is better; the scale depends on the backend).
    pub rank: f64,
    /// The matching passage with matches wrapped in `[` and `]`.
    pub snippet: String,
}

/// A Postgres hit with the number of matches in all (0 when not asked for).
#[derive(Debug, FromQueryResult)]
struct CountedRow {
    kind: String,
    id: i32,
    rank: f64,
    snippet: String,
    total: i64,
}

/// The Postgres search, counting every match in the same statement.
static SEARCH_POSTGRES_COUNTED: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    include_str!("sql/search_postgres.sql")
        .replace("0::bigint /*total*/ AS total", "count(*) OVER () AS total")
});

/// Turns free text into an FTS5 query: every word must occur (quoted, so punctuation and
/// FTS5 operators in the input are taken literally).
fn fts5_query(q: &str) -> String {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Store {
    /// Ranked hits for `query`, a page of them, with the total number of hits. With
    /// `page.count` false the hits are not counted (on a common word, counting costs as
    /// much as ranking): the total then only tells whether more follow (see [`Page`]).
    pub async fn search_ranked(
        &self,
        query: &str,
        page: Page,
    ) -> Result<(Vec<SearchRow>, u64), StoreError> {
        let backend = self.db.get_database_backend();
        let (sql, count_sql, q) = match backend {
            DatabaseBackend::Postgres => (
                include_str!("sql/search_postgres.sql"),
                include_str!("sql/search_count_postgres.sql"),
                query.to_string(),
            ),
            _ => (
                include_str!("sql/search_sqlite.sql"),
                include_str!("sql/search_count_sqlite.sql"),
                fts5_query(query),
            ),
        };
        if q.trim().is_empty() {
            return Ok((Vec::new(), 0));
        }
        // Ranking every match of a common word is a heavy read: it waits for its turn.
        let _turn = self.heavy_turn().await;
        let lim = i64::try_from(page.rows_to_read()).unwrap_or(i64::MAX);
        let off = i64::try_from(page.offset).unwrap_or(0);
        let values = [Value::from(q.clone()), Value::from(lim), Value::from(off)];
        let mut rows = if lim == 0 {
            // The total alone was asked for: nothing is ranked, the matches are counted.
            Vec::new()
        } else if backend == DatabaseBackend::Postgres {
            // Postgres ranks every match anyway: the count comes from the same statement.
            let sql = if page.count {
                SEARCH_POSTGRES_COUNTED.as_str()
            } else {
                sql
            };
            let counted =
                CountedRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
                    .all(&self.reads)
                    .await?;
            let total = counted.first().map(|r| r.total);
            let rows: Vec<SearchRow> = counted
                .into_iter()
                .map(|r| SearchRow {
                    kind: r.kind,
                    id: r.id,
                    rank: r.rank,
                    snippet: r.snippet,
                })
                .collect();
            if let (true, Some(total)) = (page.count, total) {
                return Ok((rows, u64::try_from(total).unwrap_or(0)));
            }
            rows
        } else {
            SearchRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
                .all(&self.reads)
                .await?
        };
        if !page.count {
            let total = crate::query::total_without_count(&mut rows, page);
            return Ok((rows, total));
        }
        if let Some(total) = crate::query::total_of_short_page(page, rows.len(), false) {
            return Ok((rows, total));
        }
        // Counting on SQLite, or a page past the last match on Postgres.
        let total = self
            .count_of(Statement::from_sql_and_values(
                backend,
                count_sql,
                [Value::from(q)],
            ))
            .await?;
        Ok((rows, total))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts5_queries_are_literal() {
        assert_eq!(fts5_query("peace treaty"), "\"peace\" \"treaty\"");
        assert_eq!(
            fts5_query("NEAR(a b) OR \"x"),
            "\"NEAR\" \"a\" \"b\" \"OR\" \"x\""
        );
        assert_eq!(fts5_query("  "), "");
    }
}
