//! Shared test helpers: paths, databases on both backends, the built binary.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::OnceLock;

use diplograph_store::Store;

/// The project's root folder.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The seed corpus folder.
pub fn corpus() -> PathBuf {
    root().join("corpus")
}

/// The corpus files, sorted.
pub fn corpus_files() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(corpus())
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// The built `diplograph` binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_diplograph"))
}

/// Runs `diplograph ingest --database-url URL PATH` (warnings only in the log), asserts it
/// succeeded and returns what it printed on stderr (its summary line last).
pub fn ingest_ok(url: &str, path: &std::path::Path) -> String {
    let out = Command::new(bin())
        .args(["ingest", "--database-url", url])
        .arg(path)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the CLI runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}

/// A fresh, migrated in-memory SQLite store.
pub async fn sqlite() -> Store {
    let s = Store::connect("sqlite::memory:")
        .await
        .expect("sqlite connects");
    s.migrate().await.expect("sqlite migrates");
    s
}

static PG_ADMIN: OnceLock<Option<String>> = OnceLock::new();
static PG_SEQ: AtomicU32 = AtomicU32::new(0);
static STALE_DROPPED: AtomicBool = AtomicBool::new(false);

/// The admin URL of a Postgres server for tests: `TEST_DATABASE_URL`, else a throw-away
/// cluster started from the installed Postgres binaries, else `None`. With `CI` set, a
/// missing Postgres is a test failure, never a skip.
pub fn pg_admin_url() -> Option<String> {
    PG_ADMIN
        .get_or_init(|| {
            if let Ok(u) = std::env::var("TEST_DATABASE_URL") {
                if !u.is_empty() {
                    return Some(u);
                }
            }
            let started = throwaway_cluster();
            if started.is_none() && std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false")
            {
                panic!("CI is set but no Postgres is available: set TEST_DATABASE_URL");
            }
            started
        })
        .clone()
}

fn throwaway_cluster() -> Option<String> {
    let bindir = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .find(|p| p.join("initdb").exists())?;
    let dir = std::env::temp_dir().join(format!("diplograph-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).ok()?;
    let uid = Command::new("id").arg("-u").output().ok()?;
    let root_user = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let run = |args: &[&str]| -> Option<std::process::Output> {
        let mut c = if root_user {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]);
            c.args(args);
            c
        } else {
            let (first, rest) = args.split_first()?;
            let mut c = Command::new(first);
            c.args(rest);
            c
        };
        c.output().ok()
    };
    if root_user {
        Command::new("chown")
            .args(["-R", "postgres", &dir.to_string_lossy()])
            .status()
            .ok()?;
    }
    let data = dir.join("data");
    let initdb = bindir.join("initdb");
    let out = run(&[
        &initdb.to_string_lossy(),
        "-D",
        &data.to_string_lossy(),
        "-A",
        "trust",
        "-U",
        "postgres",
    ])?;
    if !out.status.success() {
        return None;
    }
    let port = 20000 + (std::process::id() % 20000);
    let opts = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
        dir.display()
    );
    let pg_ctl = bindir.join("pg_ctl");
    let out = run(&[
        &pg_ctl.to_string_lossy(),
        "-D",
        &data.to_string_lossy(),
        "-o",
        &opts,
        "-l",
        &dir.join("log").to_string_lossy(),
        "-w",
        "start",
    ])?;
    if !out.status.success() {
        return None;
    }
    // Stop the cluster when this test process exits.
    let me = std::process::id();
    let stop = format!(
        "while kill -0 {me} 2>/dev/null; do sleep 1; done; {} {} -D {} -m fast stop >/dev/null 2>&1; rm -rf {}",
        if root_user { "runuser -u postgres --" } else { "" },
        pg_ctl.display(),
        data.display(),
        dir.display()
    );
    Command::new("sh").args(["-c", &stop]).spawn().ok()?;
    Some(format!("postgres://postgres@127.0.0.1:{port}/postgres"))
}

/// A fresh, empty Postgres database: (its URL, its name, the admin URL), or `None` when no
/// Postgres is available.
pub async fn postgres_db() -> Option<(String, String, String)> {
    let admin_url = pg_admin_url()?;
    if !STALE_DROPPED.swap(true, Ordering::SeqCst) {
        drop_stale_databases(&admin_url).await;
    }
    let name = format!(
        "dg_test_{}_{}",
        std::process::id(),
        PG_SEQ.fetch_add(1, Ordering::SeqCst)
    );
    pg_admin(&admin_url, &format!("CREATE DATABASE {name}")).await;
    let url = match admin_url.rfind('/') {
        Some(p) if p > admin_url.find("://").map_or(0, |s| s + 3) => {
            let base = admin_url.get(..p).unwrap_or(&admin_url);
            let query = admin_url
                .get(p..)
                .and_then(|t| t.find('?').map(|q| t.get(q..).unwrap_or("")))
                .unwrap_or("");
            format!("{base}/{name}{query}")
        }
        _ => format!("{admin_url}/{name}"),
    };
    Some((url, name, admin_url))
}

/// Drops the databases that earlier test processes made on a long-lived cluster (one
/// named by `TEST_DATABASE_URL`) and that are gone now: `dg_test_<pid>_<n>` whose process
/// no longer runs. A test run that is still going keeps its own.
async fn drop_stale_databases(admin_url: &str) {
    use diplograph_store::sea_orm::{ConnectionTrait, Statement};
    let Ok(admin) = Store::connect_with(admin_url, 1).await else {
        return;
    };
    let conn = admin.connection();
    let sql = "SELECT datname FROM pg_database WHERE datname LIKE 'dg\\_test\\_%'";
    let rows = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap_or_default();
    for row in rows {
        let Ok(name) = row.try_get_by_index::<String>(0) else {
            continue;
        };
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let gone = pid.is_some_and(|p| !std::path::Path::new(&format!("/proc/{p}")).exists());
        let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if gone && plain && cfg!(target_os = "linux") {
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            conn.execute_unprepared(&drop).await.ok();
        }
    }
    admin.close().await.ok();
}

/// Runs one statement as the Postgres admin.
pub async fn pg_admin(admin_url: &str, sql: &str) {
    use diplograph_store::sea_orm::ConnectionTrait;
    let admin = Store::connect_with(admin_url, 1)
        .await
        .expect("postgres admin connects");
    admin
        .connection()
        .execute_unprepared(sql)
        .await
        .expect("admin statement");
    admin.close().await.ok();
}

/// A fresh, migrated Postgres database, or `None` when no Postgres is available.
pub async fn postgres() -> Option<Store> {
    let (url, _, _) = postgres_db().await?;
    let s = Store::connect_with(&url, 4)
        .await
        .expect("postgres test database connects");
    s.migrate().await.expect("postgres migrates");
    Some(s)
}

/// Both backends, SQLite first; Postgres only when available (always in CI).
pub async fn backends() -> Vec<(&'static str, Store)> {
    let mut v = vec![("sqlite", sqlite().await)];
    match postgres().await {
        Some(p) => v.push(("postgres", p)),
        None => eprintln!(
            "note: Postgres not available; set TEST_DATABASE_URL to run the Postgres half"
        ),
    }
    v
}

/// Ingests every corpus file.
pub async fn ingest_corpus(store: &Store) {
    ingest_files(store, &corpus_files()).await;
}

/// Ingests files one at a time, in the order given.
pub async fn ingest_files(store: &Store, files: &[PathBuf]) {
    for f in files {
        let bytes = std::fs::read(f).expect("read file");
        store
            .ingest(
                &bytes,
                f.file_name().and_then(|n| n.to_str()),
                &Default::default(),
            )
            .await
            .expect("ingest file");
    }
}
