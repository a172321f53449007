//! The connection reads run on outside transactions.
//!
//! On SQLite it is sea-orm's pool. On Postgres it is a pool of this crate's own, because
//! sqlx's pool pings a connection every time it goes back to the pool (and by default again
//! when it is taken out): one or two extra round trips to Postgres for every statement,
//! where a GraphQL request runs two. Skipping them took 0.04 ms of Postgres's CPU and
//! 0.05–0.07 ms of the server's off each nested request of `bench/load.sh`, which served
//! 9% more requests a second (BENCHMARKS.md, fifteenth session).
//!
//! The pings exist to catch two things, which this pool catches otherwise:
//! - a connection left mid-statement when the future running it was dropped (a request's
//!   time limit, a client gone): a lease goes back to the pool only when its statement ran
//!   to the end without error; any other lease's connection is closed;
//! - a connection that died while idle (Postgres restarted): one idle for more than
//!   [`PING_AFTER`] is pinged before it is used, and one idle for more than
//!   [`IDLE_TIMEOUT`] is closed instead (also by a sweep every minute).
//!
//! Writes and transactions stay on sea-orm's pool, and statements run here are reported
//! to the same [`Store::on_statement`](crate::Store::on_statement) callback.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};
use sea_orm::sqlx::{self, ConnectOptions as _, Connection as _};
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult,
    RuntimeErr, Statement,
};
use sea_query_sqlx::SqlxValues;

/// An idle connection is pinged before use after this long.
pub(crate) const PING_AFTER: Duration = Duration::from_secs(30);
/// An idle connection is closed after this long (as sqlx's pool does by default).
pub(crate) const IDLE_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a read waits for a free connection (as sea-orm's pool is set up).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// The callback [`Store::on_statement`](crate::Store::on_statement) installs.
pub(crate) type StatementHook = Arc<dyn Fn(&str) + Send + Sync>;

/// Runs reads on sea-orm's pool, or on Postgres on [`PgReads`].
#[derive(Clone)]
pub(crate) struct Reads {
    db: DatabaseConnection,
    pg: Option<Arc<PgReads>>,
    hook: Option<StatementHook>,
}

impl std::fmt::Debug for Reads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reads")
            .field("own_postgres_pool", &self.pg.is_some())
            .finish()
    }
}

impl Reads {
    /// Reads through `db`; on Postgres through a pool of up to `max` connections to `url`.
    pub(crate) fn new(db: DatabaseConnection, url: &str, max: u32) -> Result<Self, DbErr> {
        let pg = match db.get_database_backend() {
            DbBackend::Postgres => {
                let options: PgConnectOptions = url
                    .parse()
                    .map_err(|e: sqlx::Error| DbErr::Conn(RuntimeErr::SqlxError(e.into())))?;
                let pool = Arc::new(PgReads::new(options, max));
                PgReads::sweep_idle(Arc::downgrade(&pool));
                Some(pool)
            }
            _ => None,
        };
        Ok(Self { db, pg, hook: None })
    }

    /// Reports every statement run here to `hook` (this copy of sea-orm's connection
    /// included: its callback is its own).
    pub(crate) fn set_hook(&mut self, hook: StatementHook) {
        let f = hook.clone();
        self.db
            .set_metric_callback(move |info| f(&info.statement.sql));
        self.hook = Some(hook);
    }

    /// Connections this pool has open and idle (none on SQLite).
    pub(crate) fn stats(&self) -> (u32, usize) {
        self.pg.as_ref().map_or((0, 0), |p| p.stats())
    }

    /// Closes every idle connection.
    pub(crate) async fn close(&self) {
        if let Some(p) = &self.pg {
            p.close_idle_for(Duration::ZERO).await;
        }
    }

    /// Runs `stmt` on a leased connection: every row, or at most one when `one`. A
    /// connection taken from the idle list that turns out to be gone (Postgres restarted,
    /// the backend terminated) is replaced by a new one and the statement run once more:
    /// reads change nothing, so running one again is safe.
    async fn run(
        &self,
        pool: &PgReads,
        stmt: Statement,
        one: bool,
    ) -> Result<Vec<QueryResult>, DbErr> {
        let mut lease = pool.acquire().await?;
        let Statement { sql, values, .. } = stmt;
        let values = values.unwrap_or(sea_orm::sea_query::Values(Vec::new()));
        let mut again = lease.reused.then(|| values.clone());
        let mut result = self.fetch(&mut lease, &sql, values, one).await;
        if let (Err(e), Some(values)) = (&result, again.take()) {
            if connection_lost(e) {
                tracing::info!(error = %e, "a pooled read connection was gone; reconnecting");
                lease.replace(pool.connect().await?);
                result = self.fetch(&mut lease, &sql, values, one).await;
            }
        }
        let rows = result.map_err(|e| DbErr::Query(RuntimeErr::SqlxError(e.into())))?;
        lease.clean = true;
        Ok(rows.into_iter().map(QueryResult::from).collect())
    }

    async fn fetch(
        &self,
        lease: &mut Lease<'_>,
        sql: &str,
        values: sea_orm::sea_query::Values,
        one: bool,
    ) -> Result<Vec<sqlx::postgres::PgRow>, sqlx::Error> {
        let query = sqlx::query_with(sqlx::AssertSqlSafe(sql), SqlxValues(values));
        let result = match lease.conn.as_mut() {
            Some(conn) if one => query
                .fetch_optional(conn)
                .await
                .map(|r| r.into_iter().collect()),
            Some(conn) => query.fetch_all(conn).await,
            None => Err(sqlx::Error::PoolClosed),
        };
        if let Some(hook) = &self.hook {
            hook(sql);
        }
        result
    }
}

/// True when `e` says the connection itself is gone, not that the statement failed.
fn connection_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        // Class 08: connection exception; class 57: operator intervention (the backend
        // terminated, the server shutting down).
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Reads {
    fn get_database_backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.db.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.db.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        let Some(pool) = &self.pg else {
            return self.db.query_one_raw(stmt).await;
        };
        Ok(self.run(pool, stmt, true).await?.into_iter().next())
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let Some(pool) = &self.pg else {
            return self.db.query_all_raw(stmt).await;
        };
        self.run(pool, stmt, false).await
    }
}

/// Postgres connections for reads: at most `max` at once, idle ones reused newest first.
pub(crate) struct PgReads {
    options: PgConnectOptions,
    idle: Mutex<Vec<(PgConnection, Instant)>>,
    permits: tokio::sync::Semaphore,
    open: AtomicU32,
}

/// A connection lent to one statement. It goes back to the pool only when `clean`.
struct Lease<'a> {
    pool: &'a PgReads,
    conn: Option<PgConnection>,
    /// Taken from the idle list rather than opened for this lease.
    reused: bool,
    clean: bool,
    _permit: tokio::sync::SemaphorePermit<'a>,
}

impl Lease<'_> {
    /// Closes this lease's connection and holds `conn` instead.
    fn replace(&mut self, conn: PgConnection) {
        if self.conn.replace(conn).is_some() {
            self.pool.open.fetch_sub(1, Ordering::Relaxed);
        }
        self.reused = false;
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        if self.clean {
            self.pool.idle().push((conn, Instant::now()));
        } else {
            // Possibly mid-statement: dropping closes the socket; Postgres ends the backend.
            self.pool.open.fetch_sub(1, Ordering::Relaxed);
            drop(conn);
        }
    }
}

impl PgReads {
    fn new(options: PgConnectOptions, max: u32) -> Self {
        Self {
            options,
            idle: Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(max.max(1) as usize),
            open: AtomicU32::new(0),
        }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<(PgConnection, Instant)>> {
        // The lock is never held across a panic-prone call; a poisoned list is still whole.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn stats(&self) -> (u32, usize) {
        (self.open.load(Ordering::Relaxed), self.idle().len())
    }

    async fn acquire(&self) -> Result<Lease<'_>, DbErr> {
        let permit = tokio::time::timeout(ACQUIRE_TIMEOUT, self.permits.acquire())
            .await
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::Timeout))?
            .map_err(|_| DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed))?;
        let mut lease = Lease {
            pool: self,
            conn: None,
            reused: true,
            clean: false,
            _permit: permit,
        };
        loop {
            let Some((mut conn, since)) = self.idle().pop() else {
                break;
            };
            let idle_for = since.elapsed();
            if idle_for >= IDLE_TIMEOUT {
                self.open.fetch_sub(1, Ordering::Relaxed);
                let _ = conn.close().await;
                continue;
            }
            if idle_for < PING_AFTER || conn.ping().await.is_ok() {
                lease.conn = Some(conn);
                return Ok(lease);
            }
            // Gone: closing it gracefully would only wait on a dead socket.
            self.open.fetch_sub(1, Ordering::Relaxed);
            drop(conn);
        }
        lease.conn = Some(self.connect().await?);
        lease.reused = false;
        Ok(lease)
    }

    /// Opens a connection, counted as open from here on.
    async fn connect(&self) -> Result<PgConnection, DbErr> {
        let conn = self
            .options
            .connect()
            .await
            .map_err(|e| DbErr::Conn(RuntimeErr::SqlxError(e.into())))?;
        self.open.fetch_add(1, Ordering::Relaxed);
        Ok(conn)
    }

    /// Closes the connections idle for at least `at_least` (all of them with zero).
    async fn close_idle_for(&self, at_least: Duration) {
        let closing: Vec<PgConnection> = {
            let mut idle = self.idle();
            let (closing, keep): (Vec<_>, Vec<_>) = idle
                .drain(..)
                .partition(|(_, since)| since.elapsed() >= at_least);
            *idle = keep;
            closing.into_iter().map(|(c, _)| c).collect()
        };
        for conn in closing {
            self.open.fetch_sub(1, Ordering::Relaxed);
            let _ = conn.close().await;
        }
    }

    /// Every minute, while the pool lives, closes its stale idle connections.
    fn sweep_idle(pool: Weak<Self>) {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(60));
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(pool) = pool.upgrade() else { break };
                pool.close_idle_for(IDLE_TIMEOUT).await;
            }
        });
    }
}
