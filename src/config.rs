//! The one configuration of the binary, read from flags and environment variables.
//!
//! | variable | flag | default |
//! |---|---|---|
//! | `DATABASE_URL` | `--database-url` | `sqlite://diplograph.db` (in the working folder) |
//! | `DIPLOGRAPH_BIND` | `--bind` | `127.0.0.1:8080` |
//! | `DIPLOGRAPH_CORPUS` | `--corpus` | `./corpus` |
//! | `DIPLOGRAPH_ADMIN_TOKEN` | `--admin-token` | unset: writes disabled |
//! | `DIPLOGRAPH_MAX_PAGE_SIZE` | `--max-page-size` | `100` |
//! | `DIPLOGRAPH_DB_POOL_SIZE` | `--db-pool-size` | `10` |
//! | `DIPLOGRAPH_MAX_HEAVY_READS` | `--max-heavy-reads` | half the pool size, at least 1 |
//! | `DIPLOGRAPH_MAX_DOCUMENT_BYTES` | `--max-document-bytes` | `10485760` (10 MiB) |
//! | `DIPLOGRAPH_MAX_DEPTH` | `--max-depth` | `16` |
//! | `DIPLOGRAPH_MAX_COMPLEXITY` | `--max-complexity` | `20000` |
//! | `DIPLOGRAPH_MAX_ALIASES` | `--max-aliases` | `30` |
//! | `DIPLOGRAPH_REQUEST_TIMEOUT_MS` | `--request-timeout-ms` | `10000` |
//! | `DIPLOGRAPH_NO_INTROSPECTION` | `--no-introspection` | introspection on |
//! | `DIPLOGRAPH_CORS_ORIGINS` | `--cors-origin` | none (same origin only) |
//! | `DIPLOGRAPH_TOPICS` | `--topics` | unset: the built-in topic taxonomy |
//! | `DIPLOGRAPH_LOG_FORMAT` | `--log-format` | `text` (or `json`) |
//! | `RUST_LOG` | | `info` |

use std::fmt;
use std::path::PathBuf;

use clap::Args;

/// Settings shared by every command that touches the database.
#[derive(Args, Clone)]
pub struct DbConfig {
    /// Database to use: `postgres://user:pass@host/db` (a Unix socket:
    /// `postgres://user@/db?host=/var/run/postgresql`), or `sqlite://FILE` (created when
    /// missing).
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://diplograph.db")]
    pub database_url: String,
    /// Most database connections each pool opens: on Postgres reads have a pool of their
    /// own beside the one writes use, so up to twice this (SQLite in memory uses one).
    #[arg(long, env = "DIPLOGRAPH_DB_POOL_SIZE", default_value_t = diplograph_store::DEFAULT_POOL_SIZE,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub db_pool_size: u32,
    /// Most heavy reads running at once (`search`, and the `text` filters of quotations,
    /// claims and documents, which read every text); the others wait their turn, first
    /// come first served, within the request's time limit. Unset: half the pool size, at
    /// least 1, so that a burst of them leaves connections to every other read.
    #[arg(long, env = "DIPLOGRAPH_MAX_HEAVY_READS",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_heavy_reads: Option<u32>,
    /// Largest document accepted, in bytes.
    #[arg(long, env = "DIPLOGRAPH_MAX_DOCUMENT_BYTES", default_value_t = diplograph_parse::DEFAULT_MAX_BYTES)]
    pub max_document_bytes: usize,
    /// A topic taxonomy (TOML, the format of the built-in one) that extends the built-in
    /// topics; a topic with a built-in slug replaces it.
    #[arg(long, env = "DIPLOGRAPH_TOPICS")]
    pub topics: Option<PathBuf>,
}

impl fmt::Debug for DbConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DbConfig")
            .field(
                "database_url",
                &diplograph_store::redact(&self.database_url),
            )
            .field("db_pool_size", &self.db_pool_size)
            .field("max_heavy_reads", &self.max_heavy_reads)
            .field("max_document_bytes", &self.max_document_bytes)
            .field("topics", &self.topics)
            .finish()
    }
}

impl DbConfig {
    /// Parse options built from this config.
    pub fn parse_options(&self) -> anyhow::Result<diplograph_parse::Options> {
        parse_options(self.max_document_bytes, self.topics.as_deref())
    }
}

/// Settings of the HTTP service.
#[derive(Args, Clone)]
pub struct ServeConfig {
    /// Database settings.
    #[command(flatten)]
    pub db: DbConfig,
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    #[arg(long, env = "DIPLOGRAPH_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Folder of documents ingested on first start (when the database is empty).
    #[arg(long, env = "DIPLOGRAPH_CORPUS", default_value = "./corpus")]
    pub corpus: PathBuf,
    /// Bearer token that enables mutations; unset disables writes.
    #[arg(long, env = "DIPLOGRAPH_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Largest page (`first`) a query may ask for.
    #[arg(long, env = "DIPLOGRAPH_MAX_PAGE_SIZE", default_value_t = 100)]
    pub max_page_size: u64,
    /// Do not ingest the corpus on start, even when the database is empty.
    #[arg(long)]
    pub no_ingest: bool,
    /// Deepest selection nesting a query may have.
    #[arg(long, env = "DIPLOGRAPH_MAX_DEPTH", default_value_t = 16)]
    pub max_depth: usize,
    /// Largest query complexity (a connection costs `first` × its selection).
    #[arg(long, env = "DIPLOGRAPH_MAX_COMPLEXITY", default_value_t = 20_000)]
    pub max_complexity: usize,
    /// Most aliases a query may use.
    #[arg(long, env = "DIPLOGRAPH_MAX_ALIASES", default_value_t = 30)]
    pub max_aliases: usize,
    /// Time a request may take before it is stopped, in milliseconds.
    #[arg(long, env = "DIPLOGRAPH_REQUEST_TIMEOUT_MS", default_value_t = 10_000)]
    pub request_timeout_ms: u64,
    /// Turn schema introspection (and field suggestions) off. GraphiQL needs it on.
    #[arg(long, env = "DIPLOGRAPH_NO_INTROSPECTION")]
    pub no_introspection: bool,
    /// An origin allowed to call the API from a browser (CORS); repeat or separate with
    /// commas. Unset: same origin only.
    #[arg(
        long = "cors-origin",
        env = "DIPLOGRAPH_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
}

impl fmt::Debug for ServeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeConfig")
            .field("db", &self.db)
            .field("bind", &self.bind)
            .field("corpus", &self.corpus)
            .field("admin_token", &self.admin_token.as_ref().map(|_| "***"))
            .field("max_page_size", &self.max_page_size)
            .field("no_ingest", &self.no_ingest)
            .field("max_depth", &self.max_depth)
            .field("max_complexity", &self.max_complexity)
            .field("max_aliases", &self.max_aliases)
            .field("request_timeout_ms", &self.request_timeout_ms)
            .field("no_introspection", &self.no_introspection)
            .field("cors_origins", &self.cors_origins)
            .finish()
    }
}

/// Parse options from a size limit and an optional taxonomy file.
pub fn parse_options(
    max_bytes: usize,
    topics: Option<&std::path::Path>,
) -> anyhow::Result<diplograph_parse::Options> {
    use anyhow::Context;
    let taxonomy = match topics {
        Some(path) => {
            let src = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the topics file {}", path.display()))?;
            let extra = diplograph_parse::Taxonomy::from_toml(&src).map_err(|e| {
                anyhow::anyhow!("the topics file {} is not valid: {e}", path.display())
            })?;
            Some(diplograph_parse::Taxonomy::builtin().extended(&extra))
        }
        None => None,
    };
    Ok(diplograph_parse::Options {
        max_bytes,
        taxonomy,
        ..Default::default()
    })
}
