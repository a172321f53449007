//! # diplograph-store
//!
//! Storage for the diplograph graph on Postgres or SQLite through sea-orm: entities and
//! migrations, transactional and idempotent ingest of one document, linking of people and
//! meetings across documents, and the read queries the API needs.
//!
//! This crate knows nothing of GraphQL or HTTP: it takes bytes and filters, and gives back
//! rows ([`entities`]) and typed ids.
//!
//! ```no_run
//! # async fn demo() -> Result<(), diplograph_store::StoreError> {
//! let store = diplograph_store::Store::connect("sqlite::memory:").await?;
//! store.migrate().await?;
//! let outcome = store.ingest(b"MOSCOW, May 4. /AGENCY/. Talks were held.", Some("a.txt"), &Default::default()).await?;
//! assert!(outcome.is_new());
//! # Ok(()) }
//! ```

pub mod entities;
mod graph;
mod ingest;
mod migration;
mod pages;
mod provenance;
pub mod query;
mod reads;
pub mod rows;
mod search;

use sea_orm::{ConnectOptions, Database, DatabaseBackend, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;

pub use graph::{fold_name, table_counts, Correction, LoggedCorrection};
pub use ingest::{
    content_hash, extract_for_ingest, participant_key, IngestOutcome, Pending, Reprocessed,
    SearchVectors, LIST_SEP, SETTLE_EVERY,
};
pub use pages::{ClaimOwner, Joined, Pages, QuotationOwner};
pub use provenance::{similarity, THRESHOLD as PROVENANCE_THRESHOLD};
pub use query::*;
pub use sea_orm;
pub use search::SearchRow;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),*) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        pub struct $name(pub i32);
    )*};
}

id_type!(
    /// A document's id.
    DocumentId,
    /// A participant's id.
    ParticipantId,
    /// A meeting's id.
    MeetingId,
    /// A quotation's id.
    QuotationId,
    /// A claim's id.
    ClaimId,
    /// A topic's id.
    TopicId
);

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// The document could not be read at all.
    #[error("{0}")]
    Parse(#[from] diplograph_parse::ParseError),
    /// A request referred to something that does not exist.
    #[error("{0} not found")]
    NotFound(String),
    /// The database URL is not one we support.
    #[error("unsupported database URL (use postgres://... or sqlite://...): {0}")]
    BadUrl(String),
    /// The database URL is not a URL (the URL with its password hidden, and why).
    #[error("cannot read the database URL {0}: {1}")]
    UnreadableUrl(String, String),
    /// No connection could be opened in the time allowed (the URL with its password
    /// hidden, and the last attempt's error).
    #[error("cannot reach the database at {0} (tried for 10 s): {1}")]
    Unreachable(String, String),
}

/// Counts of ingests by this process, for metrics.
#[derive(Debug, Default)]
pub struct IngestStats {
    /// Documents stored.
    pub new: std::sync::atomic::AtomicU64,
    /// Documents already stored (same bytes).
    pub unchanged: std::sync::atomic::AtomicU64,
    /// Documents refused or failed.
    pub failed: std::sync::atomic::AtomicU64,
    /// The count of `new` at which Postgres's planner statistics are next refreshed (see
    /// `Store::refresh_statistics`).
    next_analyze: std::sync::atomic::AtomicU64,
}

/// Connections a [`Store`] opens at most unless told otherwise.
pub const DEFAULT_POOL_SIZE: u32 = 10;

/// How many heavy reads (see [`Store::limit_heavy_reads`]) run at once unless told
/// otherwise: half of a pool of `pool_size` connections, at least one, so that a burst of
/// them leaves the other half to everything else.
pub fn default_heavy_reads(pool_size: u32) -> u32 {
    (pool_size / 2).max(1)
}

/// A connection pool to the graph's database.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// Where reads outside transactions run (see `reads`).
    reads: reads::Reads,
    stats: std::sync::Arc<IngestStats>,
    /// Topic ids by slug, as the topic filters found them. A topic is never deleted and
    /// its slug is unique, so an id once found stays right; a slug not found is not kept
    /// (a later ingest may add it).
    topic_ids: std::sync::Arc<std::sync::RwLock<std::collections::HashMap<String, i32>>>,
    /// Turns of the heavy reads (see [`Store::limit_heavy_reads`]), first come first
    /// served, and how many there are.
    heavy: std::sync::Arc<tokio::sync::Semaphore>,
    heavy_limit: u32,
}

/// Adds `mode=rwc` to a SQLite file URL so the file is created when missing; gives a
/// Postgres URL its defaults (see [`postgres_defaults`]) after [`socket_form`].
fn normalise_url(url: &str) -> Result<String, StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(postgres_defaults(&socket_form(url)));
    }
    if let Some(rest) = url.strip_prefix("sqlite:") {
        if rest.contains(":memory:") || rest.contains("mode=") {
            return Ok(url.to_string());
        }
        let sep = if rest.contains('?') { '&' } else { '?' };
        return Ok(format!("{url}{sep}mode=rwc"));
    }
    Err(StoreError::BadUrl(redact(url)))
}

/// libpq's way of naming a user on a Unix socket, `postgres://user[:password]@/db?host=/dir`
/// (an empty host after the `@`, as psql takes it), rewritten as
/// `postgres:///db?host=/dir&user=user[&password=password]`: the driver's URL parser
/// refuses a user without a host. A port after the empty host moves into `port=` too.
/// Any other URL is returned as it is.
fn socket_form(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let Some((userinfo, hostport)) = authority.rsplit_once('@') else {
        return url.to_string();
    };
    let port = match hostport.strip_prefix(':') {
        Some(p) => Some(p),
        None if hostport.is_empty() => None,
        None => return url.to_string(),
    };
    // Userinfo is already percent-encoded; in a query `+` means a space, and `&`, `=` and
    // `#` would end the value, so those are encoded too.
    let encode = |v: &str| {
        v.replace('+', "%2B")
            .replace('&', "%26")
            .replace('=', "%3D")
            .replace('#', "%23")
    };
    let mut params: Vec<String> = Vec::new();
    let (user, password) = match userinfo.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (userinfo, None),
    };
    if !user.is_empty() {
        params.push(format!("user={}", encode(user)));
    }
    if let Some(p) = password {
        params.push(format!("password={}", encode(p)));
    }
    if let Some(p) = port.filter(|p| !p.is_empty()) {
        params.push(format!("port={p}"));
    }
    let (path_query, fragment) = match tail.split_once('#') {
        Some((pq, f)) => (pq, Some(f)),
        None => (tail, None),
    };
    let (path, query) = match path_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_query, None),
    };
    let mut all: Vec<&str> = query.into_iter().filter(|q| !q.is_empty()).collect();
    all.extend(params.iter().map(String::as_str));
    let mut out = format!("{scheme}://{path}");
    if !all.is_empty() {
        out.push('?');
        out.push_str(&all.join("&"));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Postgres connection defaults, each only when the URL does not set it:
/// - `statement-cache-capacity=1000`: ingest and the page loaders run many statements that
///   differ only in the length of an `IN (...)` list or a multi-row `VALUES`; with sqlx's
///   default of 100 they evict each other, and every miss costs a Parse and a Close round
///   trip (ingest of 300 documents: 6.3 s → 4.5 s).
/// - `sslmode=disable` when the host is the loopback interface (`localhost`, `127.0.0.1`,
///   `::1`) or a Unix socket: encryption there protects nothing and TLS records cost a third
///   of ingest time. Any other host keeps the driver's default (`prefer`).
fn postgres_defaults(url: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let has = |k: &str| query.split('&').any(|p| p.split('=').next() == Some(k));
    let mut extra: Vec<&str> = Vec::new();
    if !has("statement-cache-capacity") {
        extra.push("statement-cache-capacity=1000");
    }
    let authority = base
        .split_once("://")
        .map_or("", |(_, rest)| rest.split('/').next().unwrap_or(""));
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = if host.starts_with('[') {
        host.split(']')
            .next()
            .map_or("", |h| h.trim_start_matches('['))
    } else {
        host.split(':').next().unwrap_or("")
    };
    let socket = query
        .split('&')
        .any(|p| p.starts_with("host=/") || p.starts_with("host=%2F"));
    let loopback = matches!(host, "localhost" | "127.0.0.1" | "::1") || (host.is_empty() && socket);
    if loopback && !has("sslmode") {
        extra.push("sslmode=disable");
    }
    if extra.is_empty() {
        return url.to_string();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", extra.join("&"))
}

/// The error of a failed connect. The pool keeps trying a Postgres that refuses
/// connections (it may be starting) until its time is up, and then says only that it timed
/// out: one more attempt of our own gives the reason, such as `Connection refused`.
async fn why_unreachable(url: &str, e: DbErr) -> StoreError {
    use sea_orm::sqlx::ConnectOptions as _;
    let timed_out = matches!(&e, DbErr::Conn(sea_orm::RuntimeErr::SqlxError(err))
        if matches!(**err, sea_orm::sqlx::Error::PoolTimedOut));
    if !timed_out {
        return StoreError::Db(e);
    }
    let Ok(opts) = url.parse::<sea_orm::sqlx::postgres::PgConnectOptions>() else {
        return StoreError::Db(e);
    };
    let cause = match tokio::time::timeout(std::time::Duration::from_secs(5), opts.connect()).await
    {
        Ok(Err(cause)) => cause.to_string(),
        Ok(Ok(_)) => return StoreError::Db(e),
        Err(_) => "no answer within 5 s".to_string(),
    };
    StoreError::Unreachable(redact(url), cause)
}

/// The URL with any password replaced by `***`, for logs and errors: the one before the
/// host's `@` and a `password=` parameter.
pub fn redact(url: &str) -> String {
    let url = &redact_userinfo(url);
    let Some((base, query)) = url.split_once('?') else {
        return url.to_string();
    };
    let query: Vec<String> = query
        .split('&')
        .map(|p| match p.split_once('=') {
            Some(("password", _)) => "password=***".to_string(),
            _ => p.to_string(),
        })
        .collect();
    format!("{base}?{}", query.join("&"))
}

/// [`redact`] of the password before the host's `@`.
fn redact_userinfo(url: &str) -> String {
    let Some(s) = url.find("://") else {
        return url.to_string();
    };
    // The `@` that ends the user's part is the last before the query: a query may hold
    // others, and a password typed with a `/` in it (not a URL, but still to be hidden)
    // puts its `@` after the first `/`.
    let query_start = url
        .get(s + 3..)
        .and_then(|rest| rest.find(['?', '#']))
        .map_or(url.len(), |e| s + 3 + e);
    match url.get(..query_start).and_then(|a| a.rfind('@')) {
        Some(at) if at > s => {
            let creds = url.get(s + 3..at).unwrap_or("");
            match creds.split_once(':') {
                Some((user, _)) => format!(
                    "{}{user}:***{}",
                    url.get(..s + 3).unwrap_or(""),
                    url.get(at..).unwrap_or("")
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl Store {
    /// Connects to `postgres://...` or `sqlite://FILE` (created when missing) or
    /// `sqlite::memory:`.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::connect_with(url, DEFAULT_POOL_SIZE).await
    }

    /// Connects with a given pool size (SQLite in memory always uses one connection).
    pub async fn connect_with(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let url = normalise_url(url)?;
        // sea-orm refuses such a URL too, but with the URL, password and all, in its error.
        if let Err(e) = url::Url::parse(&url) {
            return Err(StoreError::UnreadableUrl(redact(&url), e.to_string()));
        }
        let mut opts = ConnectOptions::new(url.clone());
        let max = if url.contains(":memory:") {
            1
        } else {
            max_connections.max(1)
        };
        opts.max_connections(max)
            .min_connections(if url.contains(":memory:") { 1 } else { 0 })
            .sqlx_logging(std::env::var_os("DIPLOGRAPH_SQL_LOG").is_some())
            .sqlx_logging_level(tracing::log::LevelFilter::Info)
            .acquire_timeout(std::time::Duration::from_secs(10))
            // On every connection of the pool, not only the first: a request waits up to
            // 10 s for a writer's lock (then fails with "database is locked"), as long as
            // it waits for a connection.
            //
            // `REGEXP` serves the case-insensitive filters whose text is not ASCII (see
            // `contains_ci` in query.rs).
            .map_sqlx_sqlite_opts(|o| {
                o.foreign_keys(true)
                    .busy_timeout(std::time::Duration::from_secs(10))
                    .with_regexp()
            });
        let db = match Database::connect(opts).await {
            Ok(db) => db,
            Err(e) => return Err(why_unreachable(&url, e).await),
        };
        let reads = reads::Reads::new(db.clone(), &url, max)?;
        let heavy_limit = default_heavy_reads(max);
        Ok(Self {
            db,
            reads,
            stats: std::sync::Arc::default(),
            topic_ids: std::sync::Arc::default(),
            heavy: std::sync::Arc::new(tokio::sync::Semaphore::new(heavy_limit as usize)),
            heavy_limit,
        })
    }

    /// Lets at most `n` (at least one) heavy reads run at once; the others wait for a turn,
    /// in the order they came. Heavy reads are the ones whose cost grows with the whole
    /// table instead of the page: `search` (it ranks every match) and the substring
    /// filters over the texts of quotations, claims and documents (they read every text).
    /// Without a limit a burst of them takes every connection of the pool, and any other
    /// read waits behind them (a meeting by id went from 0.7 ms to 1.2 s during 32
    /// concurrent searches of a common word: BENCHMARKS.md, twenty-second session). The
    /// default is [`default_heavy_reads`] of the pool size.
    pub fn limit_heavy_reads(mut self, n: u32) -> Self {
        let n = n.max(1);
        self.heavy = std::sync::Arc::new(tokio::sync::Semaphore::new(n as usize));
        self.heavy_limit = n;
        self
    }

    /// How many heavy reads may run at once, and how many are running.
    pub fn heavy_reads(&self) -> (u32, u32) {
        let free = u32::try_from(self.heavy.available_permits()).unwrap_or(u32::MAX);
        (self.heavy_limit, self.heavy_limit.saturating_sub(free))
    }

    /// Waits for a heavy read's turn; the turn ends when the returned value is dropped.
    /// (The semaphore is never closed, so a turn is always given.)
    pub(crate) async fn heavy_turn(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.heavy.acquire().await.ok()
    }

    /// A heavy read's turn when `heavy`, else none (the read goes ahead at once).
    pub(crate) async fn heavy_turn_if(
        &self,
        heavy: bool,
    ) -> Option<tokio::sync::SemaphorePermit<'_>> {
        if heavy {
            self.heavy_turn().await
        } else {
            None
        }
    }

    /// Brings the schema up to date.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migration::Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Rolls back the last `steps` migrations applied (each one's `down`), for a tool
    /// that must return a database to an older build's schema, and for tests. This
    /// build's queries expect the whole schema: call [`migrate`](Self::migrate) before
    /// reading again.
    pub async fn roll_back(&self, steps: u32) -> Result<(), StoreError> {
        migration::Migrator::down(&self.db, Some(steps)).await?;
        Ok(())
    }

    /// Calls `f` with every SQL statement the store runs (for metrics and tests).
    pub fn on_statement<F>(&mut self, f: F)
    where
        F: Fn(&str) + Send + Sync + 'static,
    {
        let f: reads::StatementHook = std::sync::Arc::new(f);
        self.reads.set_hook(f.clone());
        self.db
            .set_metric_callback(move |info| f(&info.statement.sql));
    }

    /// The underlying connection (for tests and tools).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// `postgres` or `sqlite`.
    pub fn backend_name(&self) -> &'static str {
        match self.db.get_database_backend() {
            DatabaseBackend::Postgres => "postgres",
            DatabaseBackend::Sqlite => "sqlite",
            _ => "other",
        }
    }

    /// What this process has ingested so far.
    pub fn ingest_stats(&self) -> &IngestStats {
        &self.stats
    }

    /// Open and idle connections of the pool reads outside transactions run on, on
    /// Postgres (SQLite's reads share [`pool_stats`](Self::pool_stats)'s one pool: (0, 0)).
    pub fn read_pool_stats(&self) -> (u32, usize) {
        self.reads.stats()
    }

    /// Open and idle connections of the pools (on Postgres, reads have a pool of their
    /// own beside the one writes use, each up to the configured size).
    pub fn pool_stats(&self) -> (u32, usize) {
        let (open, idle) = self.reads.stats();
        let (size, free) = match self.db.get_database_backend() {
            DatabaseBackend::Postgres => {
                let p = self.db.get_postgres_connection_pool();
                (p.size(), p.num_idle())
            }
            DatabaseBackend::Sqlite => {
                let p = self.db.get_sqlite_connection_pool();
                (p.size(), p.num_idle())
            }
            _ => (0, 0),
        };
        (size + open, free + idle)
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db.ping().await?;
        Ok(())
    }

    /// Closes the pools.
    pub async fn close(self) -> Result<(), StoreError> {
        self.reads.close().await;
        self.db.close().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// While every turn of the heavy reads is taken, `search` and the `text` filters wait
    /// for one, other reads do not, and the waiting ones run once the turn is given back.
    #[tokio::test]
    async fn heavy_reads_wait_their_turn_and_others_do_not() {
        use std::time::Duration;
        let store = Store::connect("sqlite::memory:").await.expect("connects");
        store.migrate().await.expect("migrates");
        assert_eq!(store.heavy_reads(), (1, 0), "a pool of one: one turn");
        let store = store.limit_heavy_reads(2);
        assert_eq!(store.heavy_reads(), (2, 0));
        let page = Page {
            offset: 0,
            limit: 5,
            count: true,
            more: false,
        };
        let text = Some("treaty".to_string());
        let first = store.heavy_turn().await;
        let second = store.heavy_turn().await;
        assert!(first.is_some() && second.is_some());
        assert_eq!(store.heavy_reads(), (2, 2));
        let wait = Duration::from_millis(300);
        let qf = QuotationFilter {
            text: text.clone(),
            ..Default::default()
        };
        let cf = ClaimFilter {
            text: text.clone(),
            ..Default::default()
        };
        let df = DocumentFilter {
            text,
            ..Default::default()
        };
        let none = QuotationFilter::default();
        let search = store.search_ranked("treaty", page);
        let quotations = store.quotations(&qf, DateOrder::Asc, page);
        let claims = store.claims(&cf, DateOrder::Asc, page);
        let documents = store.documents(&df, DateOrder::Asc, page);
        tokio::pin!(search, quotations, claims, documents);
        assert!(tokio::time::timeout(wait, &mut search).await.is_err());
        assert!(tokio::time::timeout(wait, &mut quotations).await.is_err());
        assert!(tokio::time::timeout(wait, &mut claims).await.is_err());
        assert!(tokio::time::timeout(wait, &mut documents).await.is_err());
        // The same lists without a substring filter, and other reads, do not wait.
        let unfiltered = store.quotations(&none, DateOrder::Desc, page);
        let (rows, total) = tokio::time::timeout(Duration::from_secs(10), unfiltered)
            .await
            .expect("an ordinary read does not wait for a heavy one's turn")
            .expect("reads");
        assert_eq!((rows.len(), total), (0, 0));
        drop(first);
        let (hits, total) = tokio::time::timeout(Duration::from_secs(10), &mut search)
            .await
            .expect("search runs once a turn is free")
            .expect("searches");
        assert_eq!((hits.len(), total), (0, 0));
        // Its turn went to the next in line, which holds it while waiting to be polled.
        assert_eq!(store.heavy_reads(), (2, 2), "search passed its turn on");
        for done in [
            tokio::time::timeout(Duration::from_secs(10), &mut quotations)
                .await
                .map(|r| r.map(|(rows, _)| rows.len())),
            tokio::time::timeout(Duration::from_secs(10), &mut claims)
                .await
                .map(|r| r.map(|(rows, _)| rows.len())),
            tokio::time::timeout(Duration::from_secs(10), &mut documents)
                .await
                .map(|r| r.map(|(rows, _)| rows.len())),
        ] {
            assert_eq!(done.expect("runs in its turn").expect("reads"), 0);
        }
        drop(second);
        assert_eq!(store.heavy_reads(), (2, 0));
        assert_eq!(
            store.clone().limit_heavy_reads(0).heavy_reads(),
            (1, 0),
            "at least one"
        );
        assert_eq!(default_heavy_reads(10), 5);
        assert_eq!(default_heavy_reads(1), 1);
    }

    #[test]
    fn urls() {
        assert_eq!(
            normalise_url("sqlite://x.db").ok().as_deref(),
            Some("sqlite://x.db?mode=rwc")
        );
        assert_eq!(
            normalise_url("sqlite::memory:").ok().as_deref(),
            Some("sqlite::memory:")
        );
        assert!(normalise_url("mysql://x").is_err());
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
    }

    #[test]
    fn postgres_urls_get_defaults_only_where_unset() {
        let n = |u: &str| normalise_url(u).unwrap_or_default();
        assert_eq!(
            n("postgres://u:p@127.0.0.1:5432/db"),
            "postgres://u:p@127.0.0.1:5432/db?statement-cache-capacity=1000&sslmode=disable"
        );
        assert_eq!(
            n("postgres://u@localhost/db?sslmode=require"),
            "postgres://u@localhost/db?sslmode=require&statement-cache-capacity=1000"
        );
        assert_eq!(
            n("postgres://u@[::1]:5432/db"),
            "postgres://u@[::1]:5432/db?statement-cache-capacity=1000&sslmode=disable"
        );
        assert_eq!(
            n("postgres:///db?host=/var/run/postgresql"),
            "postgres:///db?host=/var/run/postgresql&statement-cache-capacity=1000&sslmode=disable"
        );
        // A remote host keeps the driver's TLS default.
        assert_eq!(
            n("postgresql://u@db.example.org/x?statement-cache-capacity=10"),
            "postgresql://u@db.example.org/x?statement-cache-capacity=10"
        );
    }

    #[test]
    fn a_user_on_a_unix_socket_is_named_as_libpq_names_one() {
        // psql's `postgres://user@/db?host=/dir`: the user moves into the query, where the
        // driver's URL parser takes it, and the URL becomes one it can read.
        let n = |u: &str| normalise_url(u).unwrap_or_default();
        let url = n("postgres://me@/db?host=/var/run/postgresql");
        assert_eq!(
            url,
            "postgres:///db?host=/var/run/postgresql&user=me&statement-cache-capacity=1000&sslmode=disable"
        );
        assert!(url::Url::parse("postgres://me@/db?host=/var/run/postgresql").is_err());
        // What the driver makes of it: the user, the socket's folder and the database.
        let opts: Option<sea_orm::sqlx::postgres::PgConnectOptions> = url.parse().ok();
        assert_eq!(opts.as_ref().map(|o| o.get_username()), Some("me"));
        assert_eq!(
            opts.as_ref()
                .and_then(|o| o.get_socket())
                .map(|p| p.as_path()),
            Some(std::path::Path::new("/var/run/postgresql"))
        );
        assert_eq!(opts.as_ref().and_then(|o| o.get_database()), Some("db"));
        // A password and a port too; a `+` in a password stays a `+` (in a query it would
        // read as a space), and `&` or `=` in it do not end it.
        let url = n("postgresql://me:p+w&x=y%40z@:5433/db?host=%2Ftmp");
        assert_eq!(
            url,
            "postgresql:///db?host=%2Ftmp&user=me&password=p%2Bw%26x%3Dy%40z&port=5433&statement-cache-capacity=1000&sslmode=disable"
        );
        let pairs: Vec<(String, String)> = url::Url::parse(&url)
            .map(|u| u.query_pairs().into_owned().collect())
            .unwrap_or_default();
        assert!(pairs.contains(&("password".into(), "p+w&x=y@z".into())));
        assert!(pairs.contains(&("port".into(), "5433".into())));
        // Any URL with a host is left as it is.
        assert_eq!(socket_form("postgres://me@h/db"), "postgres://me@h/db");
        assert_eq!(
            socket_form("postgres:///db?host=/x"),
            "postgres:///db?host=/x"
        );
        assert_eq!(socket_form("postgres://me@h:1/db"), "postgres://me@h:1/db");
    }

    #[test]
    fn passwords_are_hidden_wherever_the_url_holds_one() {
        assert_eq!(
            redact("postgres:///db?host=/x&user=me&password=secret&port=1"),
            "postgres:///db?host=/x&user=me&password=***&port=1"
        );
        // An `@` past the host is not the end of a user's part.
        assert_eq!(
            redact("postgres://me:secret@h/db?application_name=a@b"),
            "postgres://me:***@h/db?application_name=a@b"
        );
        assert_eq!(
            redact("postgres://h/db?application_name=a:b@c"),
            "postgres://h/db?application_name=a:b@c"
        );
        // A password typed with a `/` in it is hidden all the same.
        assert_eq!(
            redact("postgres://me:se/cret@h/db"),
            "postgres://me:***@h/db"
        );
    }

    #[tokio::test]
    async fn a_postgres_that_refuses_connections_is_named_with_the_reason() {
        // A port nobody listens on: bound, then let go.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(1);
        let err = Store::connect(&format!("postgres://me:secret@127.0.0.1:{port}/db"))
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.starts_with(&format!(
                "cannot reach the database at postgres://me:***@127.0.0.1:{port}/db"
            )),
            "{err}"
        );
        assert!(err.to_lowercase().contains("refused"), "{err}");
        assert!(!err.contains("secret"), "{err}");
    }

    #[tokio::test]
    async fn an_unreadable_url_is_refused_without_its_password() {
        let err = Store::connect("postgres://me:secret@exa mple/db")
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("cannot read the database URL"), "{err}");
        assert!(err.contains("me:***@"), "{err}");
        assert!(!err.contains("secret"), "{err}");
    }
}
