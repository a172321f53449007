//! `diplograph`: turns diplomatic documents into a graph of meetings, participants,
//! quotations and claims, and serves it over GraphQL.

mod config;
mod eval;
mod gen;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use diplograph_store::{IngestOutcome, Store};
use tracing::{info, warn};

use config::{DbConfig, ServeConfig};

/// Turns diplomatic documents (foreign-ministry transcripts, news-agency reports) into a
/// graph of meetings, participants, quotations and claims, and serves it as GraphQL.
#[derive(Parser)]
#[command(name = "diplograph", version, about, long_about = None)]
struct Cli {
    /// Log format.
    #[arg(long, global = true, env = "DIPLOGRAPH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportWhat {
    /// Quotations.
    Quotations,
    /// Claims.
    Claims,
    /// Meetings.
    Meetings,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    /// Comma-separated values (UTF-8 with BOM, opens in spreadsheets).
    Csv,
    /// One JSON object per line.
    Jsonl,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the graph over HTTP: GraphQL and GraphiQL at /graphql, /healthz, /readyz.
    /// With an empty database, the corpus folder is ingested first.
    Serve(ServeConfig),
    /// Ingest files and folders (.txt, .html, .htm, .json) into the database.
    Ingest {
        /// Database settings.
        #[command(flatten)]
        db: DbConfig,
        /// Files or folders to ingest (folders are read recursively).
        #[arg(required_unless_present = "reprocess")]
        paths: Vec<PathBuf>,
        /// Extract every stored document again from its original bytes (after a parser
        /// change or an upgrade); meetings are rebuilt under the current merge rules and
        /// corrections made by people are re-applied.
        #[arg(long)]
        reprocess: bool,
    },
    /// Export quotations, claims or meetings as CSV or JSON Lines.
    Export {
        /// Database settings.
        #[command(flatten)]
        db: DbConfig,
        /// What to export.
        #[arg(value_enum)]
        what: ExportWhat,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// A filter as in GraphQL, `name=value` (`speakerName=Roe`, `topic=security`,
        /// `from=2019-01`); repeat for several.
        #[arg(long = "filter", value_name = "NAME=VALUE")]
        filters: Vec<String>,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Extract one file and print the result as JSON (no database).
    Parse {
        /// The document (.txt, .html, .htm or .json envelope).
        file: PathBuf,
        /// Largest document accepted, in bytes.
        #[arg(long, env = "DIPLOGRAPH_MAX_DOCUMENT_BYTES", default_value_t = diplograph_parse::DEFAULT_MAX_BYTES)]
        max_document_bytes: usize,
        /// A topic taxonomy (TOML) extending the built-in one.
        #[arg(long, env = "DIPLOGRAPH_TOPICS")]
        topics: Option<PathBuf>,
    },
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Write a deterministic corpus for scale tests, derived from a folder of documents by
    /// varying names, places, dates and sentences.
    GenCorpus {
        /// How many documents.
        #[arg(long)]
        docs: usize,
        /// Seed: the same seed always gives the same corpus.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Documents to derive from.
        #[arg(long, default_value = "corpus")]
        from: PathBuf,
        /// Folder to write into.
        #[arg(long)]
        out: PathBuf,
    },
    /// Score extraction against an answer key and print a table.
    Eval {
        /// Answer key in the diplograph-gold/1 format.
        #[arg(long)]
        gold: PathBuf,
        /// Folder holding the documents the key names.
        #[arg(long)]
        docs: PathBuf,
        /// Print the notes even when nothing was missed.
        #[arg(long)]
        verbose: bool,
        /// Print the totals as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,sea_orm=warn,sea_orm_migration=warn")
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// mimalloc: the extraction allocates many small strings; it parses about 20% faster
/// than with the system allocator (`cargo bench -p diplograph-parse`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    match cli.command {
        Command::Serve(cfg) => serve(cfg).await,
        Command::Ingest {
            db,
            paths,
            reprocess,
        } => {
            let store = open(&db).await?;
            if reprocess {
                let r = store.reprocess_all(&db.parse_options()?).await?;
                eprintln!(
                    "reprocess: {} documents extracted again, {} without stored bytes skipped",
                    r.documents, r.skipped
                );
                if paths.is_empty() {
                    return Ok(());
                }
            }
            let summary = ingest_paths(&store, &paths, &db.parse_options()?, true).await?;
            eprintln!("{summary}");
            if summary.failed.is_empty() {
                Ok(())
            } else {
                bail!("{} file(s) failed", summary.failed.len())
            }
        }
        Command::Parse {
            file,
            max_document_bytes,
            topics,
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let opts = diplograph_parse::Options {
                format: diplograph_parse::Format::from_path(&file.to_string_lossy()),
                ..config::parse_options(max_document_bytes, topics.as_deref())?
            };
            let x = diplograph_parse::extract(&bytes, &opts)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &x)?;
            writeln!(out)?;
            Ok(())
        }
        Command::Export {
            db,
            what,
            format,
            filters,
            output,
        } => {
            let store = open(&db).await?;
            let mut params = std::collections::HashMap::new();
            for f in filters {
                let Some((k, v)) = f.split_once('=') else {
                    bail!("--filter takes NAME=VALUE, not {f:?}");
                };
                params.insert(k.trim().to_string(), v.trim().to_string());
            }
            let what = match what {
                ExportWhat::Quotations => diplograph_api::export::Dataset::Quotations,
                ExportWhat::Claims => diplograph_api::export::Dataset::Claims,
                ExportWhat::Meetings => diplograph_api::export::Dataset::Meetings,
            };
            let format = match format {
                ExportFormat::Csv => diplograph_api::export::Format::Csv,
                ExportFormat::Jsonl => diplograph_api::export::Format::Jsonl,
            };
            let exp = diplograph_api::export::export(&store, what, format, &params)?;
            match output {
                Some(p) => write_export_file(exp, &p).await,
                None => {
                    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                    let mut exp = exp;
                    while let Some(chunk) = exp.next_chunk().await? {
                        out.write_all(chunk.as_bytes())?;
                    }
                    out.flush()?;
                    Ok(())
                }
            }
        }
        Command::GenCorpus {
            docs,
            seed,
            from,
            out,
        } => gen::run(&from, &out, docs, seed),
        Command::Schema => {
            print!("{}", diplograph_api::sdl());
            Ok(())
        }
        Command::Eval {
            gold,
            docs,
            verbose,
            json,
        } => eval::run(&gold, &docs, verbose, json),
    }
}

async fn open(db: &DbConfig) -> Result<Store> {
    let mut store = Store::connect_with(&db.database_url, db.db_pool_size)
        .await
        .with_context(|| {
            format!(
                "cannot connect to {}",
                diplograph_store::redact(&db.database_url)
            )
        })?;
    if let Some(n) = db.max_heavy_reads {
        store = store.limit_heavy_reads(n);
    }
    store
        .migrate()
        .await
        .context("cannot migrate the database")?;
    Ok(store)
}

/// What an ingest run did.
#[derive(Debug, Default)]
struct Summary {
    new: usize,
    unchanged: usize,
    failed: Vec<(PathBuf, String)>,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ingest: {} new, {} unchanged, {} failed",
            self.new,
            self.unchanged,
            self.failed.len()
        )?;
        for (p, e) in &self.failed {
            write!(f, "\n  failed: {}: {e}", p.display())?;
        }
        Ok(())
    }
}

const EXTENSIONS: &[&str] = &["txt", "html", "htm", "json"];

fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(p) = stack.pop() {
        let meta = std::fs::metadata(&p).with_context(|| format!("cannot read {}", p.display()))?;
        if meta.is_dir() {
            for e in
                std::fs::read_dir(&p).with_context(|| format!("cannot list {}", p.display()))?
            {
                stack.push(e?.path());
            }
        } else if paths.contains(&p)
            || p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| EXTENSIONS.contains(&e.to_lowercase().as_str()))
        {
            out.push(p);
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A file read and extracted on a worker thread.
type Parsed = (
    Option<Vec<u8>>,
    Result<diplograph_parse::Extraction, String>,
);

/// What writing each document of a batch did.
type Written = Vec<Result<IngestOutcome, diplograph_store::StoreError>>;

/// Counts and logs what writing a batch of files did; when the writing task stopped (a
/// panic), each of its files counts as failed.
fn record(
    summary: &mut Summary,
    names: Vec<PathBuf>,
    written: Result<Written, tokio::task::JoinError>,
) {
    let results: Vec<Result<IngestOutcome, String>> = match written {
        Ok(w) => w
            .into_iter()
            .map(|r| r.map_err(|e| e.to_string()))
            .collect(),
        Err(e) => names
            .iter()
            .map(|_| Err(format!("the batch's writing stopped: {e}")))
            .collect(),
    };
    for (f, result) in names.into_iter().zip(results) {
        match result {
            Ok(IngestOutcome::New(id)) => {
                summary.new += 1;
                info!(file = %f.display(), document = id.0, "new");
            }
            Ok(IngestOutcome::Unchanged(id)) => {
                summary.unchanged += 1;
                info!(file = %f.display(), document = id.0, "unchanged (already ingested)");
            }
            Err(e) => {
                warn!(file = %f.display(), error = %e, "failed");
                summary.failed.push((f, e));
            }
        }
    }
}

/// Documents written per transaction by `ingest` (each still lands all or nothing).
/// Larger batches write each page of a random-order index (a speaker's, a meeting's, a
/// date's quotations...) once for more rows: as the graph grows those pages stop being
/// shared by a small batch's rows, and the 10,000-document ingest cost 12.8–13.9 × the
/// 1,000-document one on SQLite with 64 against 10.9–11.9 × with 256 (BENCHMARKS.md).
const BATCH: usize = 256;

/// Ingests files: workers read and extract the next files (all cores), and this task has
/// the database make a batch's search vectors on connections of their own while another
/// task writes the batch before; batches are written one after the other, in file order,
/// in transactions of up to [`BATCH`] documents, each document in its own savepoint, so a
/// bad one never takes others down with it.
async fn ingest_paths(
    store: &Store,
    paths: &[PathBuf],
    opts: &diplograph_parse::Options,
    progress: bool,
) -> Result<Summary> {
    let files = collect(paths)?;
    let mut summary = Summary::default();
    let tty = progress && std::io::stderr().is_terminal();
    let total = files.len();
    let window = BATCH * 2;
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    let workers = std::sync::Arc::new(tokio::sync::Semaphore::new(cores));
    type Job = tokio::task::JoinHandle<Result<Parsed, tokio::task::JoinError>>;
    let mut inflight: std::collections::VecDeque<(PathBuf, Job)> =
        std::collections::VecDeque::new();
    let mut next = files.iter();
    let mut done = 0usize;
    let mut batch: Vec<(PathBuf, diplograph_store::Pending)> = Vec::new();
    let mut writing: Option<(Vec<PathBuf>, tokio::task::JoinHandle<Written>)> = None;
    loop {
        while inflight.len() < window {
            let Some(f) = next.next() else { break };
            let (path, opts, workers) = (f.clone(), opts.clone(), workers.clone());
            // At most one extraction per core at a time; the window keeps the writer fed.
            let handle = tokio::spawn(async move {
                let _permit = workers.acquire_owned().await;
                tokio::task::spawn_blocking(move || -> Parsed {
                    match std::fs::read(&path) {
                        Ok(bytes) => {
                            let ex = diplograph_store::extract_for_ingest(
                                &bytes,
                                path.file_name().and_then(|n| n.to_str()),
                                &opts,
                            )
                            .map_err(|e| e.to_string());
                            (Some(bytes), ex)
                        }
                        Err(e) => (None, Err(e.to_string())),
                    }
                })
                .await
            });
            inflight.push_back((f.clone(), handle));
        }
        let finished = inflight.is_empty();
        if let Some((f, handle)) = inflight.pop_front() {
            done += 1;
            if tty {
                let bar = (done * 30) / total.max(1);
                eprint!(
                    "\r[{}{}] {}/{} {}",
                    "#".repeat(bar),
                    " ".repeat(30 - bar),
                    done,
                    total,
                    short(&f)
                );
            }
            let failure = match handle.await.and_then(|r| r) {
                Ok((Some(bytes), Ok(ex))) => {
                    batch.push((
                        f.clone(),
                        diplograph_store::Pending {
                            file_name: f.file_name().and_then(|n| n.to_str()).map(str::to_string),
                            bytes,
                            extraction: ex,
                            vectors: None,
                        },
                    ));
                    None
                }
                Ok((_, Err(e))) => Some(e),
                Ok((None, Ok(_))) => Some("could not read the file".into()),
                Err(e) => Some(format!("extraction stopped: {e}")),
            };
            if let Some(e) = failure {
                warn!(file = %f.display(), error = %e, "failed");
                summary.failed.push((f.clone(), e));
            }
        }
        if batch.len() >= BATCH || (finished && !batch.is_empty()) {
            let (names, docs): (Vec<PathBuf>, Vec<diplograph_store::Pending>) =
                std::mem::take(&mut batch).into_iter().unzip();
            // This batch's search vectors are made while the one before is written; the
            // batches are still written one after the other, in file order.
            let docs = store.with_search_vectors(docs).await;
            if let Some((names, previous)) = writing.take() {
                record(&mut summary, names, previous.await);
            }
            let (store, opts) = (store.clone(), opts.clone());
            let task = tokio::spawn(async move { store.ingest_batch(docs, &opts).await });
            writing = Some((names, task));
        }
        if finished {
            if let Some((names, last)) = writing.take() {
                record(&mut summary, names, last.await);
            }
            break;
        }
    }
    if tty {
        eprintln!();
    }
    if summary.new > 0 {
        // The last rows of the run sit in the search and name indexes' pending lists.
        store.settle_indexes().await;
    }
    Ok(summary)
}

/// Writes an export to `path` a batch at a time, through a temporary file beside it that
/// replaces `path` only once the whole export is written: a failed export leaves no half
/// file, and an earlier file at `path` stays as it was.
async fn write_export_file(mut exp: diplograph_api::export::Export, path: &Path) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let partial = path.with_file_name(format!(".{name}.partial"));
    // Errors name the file asked for, not the temporary one.
    let cannot = || format!("cannot write {}", path.display());
    let written = async {
        let file = std::fs::File::create(&partial).with_context(cannot)?;
        let mut out = std::io::BufWriter::new(file);
        while let Some(chunk) = exp.next_chunk().await? {
            out.write_all(chunk.as_bytes()).with_context(cannot)?;
        }
        out.into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all())
            .with_context(cannot)?;
        std::fs::rename(&partial, path).with_context(cannot)
    }
    .await;
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

fn short(p: &Path) -> String {
    let s = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    s.chars().take(40).collect()
}

async fn serve(cfg: ServeConfig) -> Result<()> {
    info!(config = ?cfg, "starting");
    let store = open(&cfg.db).await?;
    if !cfg.no_ingest && store.document_count().await? == 0 {
        if cfg.corpus.is_dir() {
            info!(corpus = %cfg.corpus.display(), "empty database: ingesting the corpus");
            let s = ingest_paths(
                &store,
                std::slice::from_ref(&cfg.corpus),
                &cfg.db.parse_options()?,
                false,
            )
            .await?;
            info!(
                new = s.new,
                unchanged = s.unchanged,
                failed = s.failed.len(),
                "corpus ingested"
            );
        } else {
            warn!(corpus = %cfg.corpus.display(), "no corpus folder; starting with an empty graph");
        }
    }
    let api = diplograph_api::ApiConfig {
        admin_token: cfg.admin_token.clone().filter(|t| !t.is_empty()),
        max_page_size: cfg.max_page_size,
        parse: cfg.db.parse_options()?,
        max_depth: cfg.max_depth,
        max_complexity: cfg.max_complexity,
        max_aliases: cfg.max_aliases,
        request_timeout: std::time::Duration::from_millis(cfg.request_timeout_ms),
        introspection: !cfg.no_introspection,
        cors_origins: cfg.cors_origins.clone(),
        ..Default::default()
    };
    if api.admin_token.is_none() {
        info!("no admin token: mutations are disabled");
    }
    let app = diplograph_api::router(diplograph_api::AppState::new(store.clone(), api));
    let listener = tokio::net::TcpListener::bind(&cfg.bind)
        .await
        .with_context(|| format!("cannot listen on {}", cfg.bind))?;
    let addr = listener.local_addr()?;
    info!("GraphiQL: open http://{addr}/graphql in a browser");
    println!("diplograph listening on http://{addr}/graphql");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
        .context("server error")?;
    info!("shut down");
    store.close().await.ok();
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    info!("shutting down: finishing requests in flight");
}
