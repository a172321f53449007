//! Faults: the database going away during an ingest and under a running server, SIGTERM,
//! and two ingests of one folder at once.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diplograph_store::Store;

use crate::support::{bin, corpus, corpus_files, ingest_files, ingest_ok, pg_admin, postgres_db};

fn synthetic_folder(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let first = [
        "Ana", "Luis", "Marta", "Pavel", "Ines", "Karl", "Olga", "Hugo", "Rita", "Emil",
    ];
    let last = [
        "Ruiz", "Soto", "Lind", "Novak", "Berg", "Costa", "Meyer", "Dahl", "Vidal", "Holm",
    ];
    for i in 0..n {
        let (a, b) = (i % 10, (i * 7 + 3) % 10);
        let text = format!(
            "Talks {i}\n\nROME, March {d}, 20{y:02} (Agency) - Foreign Minister {} {} held talks with Foreign Minister {} {}.\n\n\"We agreed to meet again,\" {} said.",
            first[a], last[a], first[b], last[b], last[a],
            d = 1 + i % 27,
            y = 10 + i % 10
        );
        std::fs::write(dir.path().join(format!("doc{i:04}.txt")), text).unwrap();
    }
    dir
}

async fn block(admin: &str, name: &str, blocked: bool) {
    pg_admin(
        admin,
        &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS {}", !blocked),
    )
    .await;
    if blocked {
        pg_admin(admin, &format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()")).await;
    }
}

#[tokio::test]
async fn postgres_lost_mid_ingest_loses_nothing_and_a_rerun_completes() {
    let Some((url, name, admin)) = postgres_db().await else {
        eprintln!("note: Postgres not available");
        return;
    };
    // Several of the ingest's batches (256 documents each), so that the cut comes after
    // the first batch lands and before the last.
    const N: usize = 1000;
    let folder = synthetic_folder(N);
    let watch = Store::connect_with(&url, 1).await.unwrap();
    watch.migrate().await.unwrap();
    let mut child = Command::new(bin())
        .args(["ingest", "--database-url", &url])
        .arg(folder.path())
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Cut the database off once some documents are in.
    let started = Instant::now();
    while watch.document_count().await.unwrap_or(0) < 20
        && started.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    watch.close().await.ok();
    block(&admin, &name, true).await;
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    block(&admin, &name, false).await;
    assert!(!status.success(), "the CLI reports failure");
    assert!(
        stderr.contains("failed: "),
        "the CLI names the failed files: {}",
        stderr.lines().last().unwrap_or("")
    );

    // No half-stored document: each stored one has its quotation.
    let store = Store::connect_with(&url, 2).await.unwrap();
    let stored = store.document_count().await.unwrap();
    assert!((20..N as u64).contains(&stored), "{stored}");
    let (_, quotes) = store
        .quotations(
            &Default::default(),
            Default::default(),
            diplograph_store::Page {
                offset: 0,
                limit: 1,
                count: true,
                more: true,
            },
        )
        .await
        .unwrap();
    assert_eq!(quotes, stored, "every stored document is complete");

    // A rerun completes the rest without duplicates.
    let text = ingest_ok(&url, folder.path());
    assert!(
        text.contains(&format!(
            "{} new, {stored} unchanged, 0 failed",
            N as u64 - stored
        )),
        "{text}"
    );
    assert_eq!(store.document_count().await.unwrap(), N as u64);
}

#[tokio::test]
async fn a_long_postgres_ingest_refreshes_the_planner_statistics() {
    use diplograph_store::sea_orm::{ConnectionTrait, Statement};
    let Some((url, _, _)) = postgres_db().await else {
        eprintln!("note: Postgres not available");
        return;
    };
    // Past the first batch of 256 documents, the merge tables are analysed.
    let folder = synthetic_folder(300);
    ingest_ok(&url, folder.path());
    let store = Store::connect_with(&url, 1).await.unwrap();
    let conn = store.connection();
    let sql = "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL";
    let analysed: Vec<String> = conn
        .query_all_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .unwrap()
        .iter()
        .filter_map(|r| r.try_get_by_index::<String>(0).ok())
        .collect();
    for table in [
        "meetings",
        "meeting_participants",
        "participants",
        "quotations",
    ] {
        assert!(
            analysed.iter().any(|t| t == table),
            "{table} in {analysed:?}"
        );
    }
}

fn http_get(addr: &str, path: &str) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return (0, String::new());
    };
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let _ = write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    let mut raw = String::new();
    let _ = s.read_to_string(&mut raw);
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (
        status,
        raw.split_once("\r\n\r\n")
            .map(|x| x.1.to_string())
            .unwrap_or_default(),
    )
}

fn http_post(addr: &str, body: &str) -> (u16, String) {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return (0, String::new());
    };
    s.set_read_timeout(Some(Duration::from_secs(30))).ok();
    let _ = write!(s, "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
    let mut raw = String::new();
    let _ = s.read_to_string(&mut raw);
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (
        status,
        raw.split_once("\r\n\r\n")
            .map(|x| x.1.to_string())
            .unwrap_or_default(),
    )
}

fn serve(db: &str) -> (std::process::Child, String) {
    let mut child = Command::new(bin())
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            db,
            "--corpus",
        ])
        .arg(corpus())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .trim_start_matches("diplograph listening on http://")
        .trim_end_matches("/graphql")
        .to_string();
    (child, addr)
}

#[tokio::test]
async fn the_server_survives_the_database_going_away() {
    let Some((url, name, admin)) = postgres_db().await else {
        eprintln!("note: Postgres not available");
        return;
    };
    let (mut child, addr) = serve(&url);
    let q = r#"{"query":"{ meetings { totalCount } }"}"#;
    assert_eq!(http_get(&addr, "/readyz").0, 200);
    block(&admin, &name, true).await;
    let (status, _) = http_get(&addr, "/readyz");
    assert_eq!(status, 503);
    assert_eq!(http_get(&addr, "/healthz").0, 200, "liveness stays up");
    let (status, body) = http_post(&addr, q);
    assert_eq!(status, 200);
    assert!(body.contains("UNAVAILABLE"), "{body}");
    block(&admin, &name, false).await;
    let started = Instant::now();
    while http_get(&addr, "/readyz").0 != 200 && started.elapsed() < Duration::from_secs(30) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(http_get(&addr, "/readyz").0, 200, "ready again by itself");
    let (_, body) = http_post(&addr, q);
    assert!(body.contains("totalCount"), "{body}");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn sigterm_lets_requests_in_flight_finish_then_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("term.db").display());
    let (mut child, addr) = serve(&db);
    // A request whose body is still on its way when the signal arrives.
    let body = r#"{"query":"{ documents { totalCount } }"}"#;
    let mut s = TcpStream::connect(&addr).unwrap();
    write!(s, "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}", body.len(), &body[..10]).unwrap();
    s.flush().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    std::thread::sleep(Duration::from_millis(200));
    write!(s, "{}", &body[10..]).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
    assert!(raw.contains("\"totalCount\":5"), "{raw}");
    let status = child.wait().unwrap();
    assert!(status.success(), "exit code {status:?}");
}

#[tokio::test]
async fn two_ingests_of_one_folder_at_once_end_as_one_would() {
    let folder = synthetic_folder(40);
    for dup in corpus().read_dir().unwrap() {
        let p = dup.unwrap().path();
        std::fs::copy(&p, folder.path().join(p.file_name().unwrap())).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![(
        format!("sqlite://{}", dir.path().join("twice.db").display()),
        format!("sqlite://{}", dir.path().join("once.db").display()),
    )];
    if let (Some((a, _, _)), Some((b, _, _))) = (postgres_db().await, postgres_db().await) {
        urls.push((a, b));
    }
    for (twice, once) in urls {
        let spawn = |url: &str| {
            Command::new(bin())
                .args(["ingest", "--database-url", url])
                .arg(folder.path())
                .env("RUST_LOG", "warn")
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        // Create the schema first so the two runs race on documents, not migrations.
        assert!(Command::new(bin())
            .args(["ingest", "--database-url", &twice, "--reprocess"])
            .env("RUST_LOG", "warn")
            .status()
            .unwrap()
            .success());
        let (a, b) = (spawn(&twice), spawn(&twice));
        let (oa, ob) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
        assert!(
            oa.status.success() && ob.status.success(),
            "{} / {}",
            String::from_utf8_lossy(&oa.stderr),
            String::from_utf8_lossy(&ob.stderr)
        );
        assert!(spawn(&once).wait().unwrap().success());
        let s1 = Store::connect(&twice).await.unwrap();
        let s2 = Store::connect(&once).await.unwrap();
        assert_eq!(s1.document_count().await.unwrap(), 45);
        assert_eq!(
            crate::graph::signature(&s1).await,
            crate::graph::signature(&s2).await,
            "{twice}"
        );
    }
}

/// The docker-compose start-up, against the local Postgres: configuration from the
/// environment, migrations on start, the corpus ingested into the empty database.
#[tokio::test]
async fn compose_start_up_sequence_against_postgres() {
    let Some((url, _, _)) = postgres_db().await else {
        eprintln!("note: Postgres not available");
        return;
    };
    let mut child = Command::new(bin())
        .arg("serve")
        .env("DATABASE_URL", &url)
        .env("DIPLOGRAPH_BIND", "127.0.0.1:0")
        .env("DIPLOGRAPH_CORPUS", corpus())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .trim_start_matches("diplograph listening on http://")
        .trim_end_matches("/graphql")
        .to_string();
    assert_eq!(http_get(&addr, "/readyz").0, 200);
    let (_, body) = http_post(
        &addr,
        r#"{"query":"{ documents { totalCount } meetings(filter: {from: \"2019-01-14\", to: \"2019-01-14\"}) { totalCount } }"}"#,
    );
    assert!(body.contains("\"documents\":{\"totalCount\":5}"), "{body}");
    assert!(body.contains("\"meetings\":{\"totalCount\":1}"), "{body}");
    let _ = child.kill();
    let _ = child.wait();
}

/// After an ingest run, nothing waits in the pending lists of the GIN indexes (full text
/// and the name filters' trigrams), which every look-up would otherwise read through.
#[tokio::test]
async fn an_ingest_run_leaves_no_gin_pending_list() {
    use diplograph_store::sea_orm::{ConnectionTrait, Statement};
    let Some((url, _, _)) = postgres_db().await else {
        eprintln!("note: Postgres not available");
        return;
    };
    let store = Store::connect_with(&url, 1).await.unwrap();
    store.migrate().await.unwrap();
    // Pages still pending in the schema's GIN indexes (moving them is how one counts them).
    let pending = || async {
        let conn = store.connection();
        let sql = "SELECT CAST(COALESCE(SUM(gin_clean_pending_list(c.oid)), 0) AS BIGINT), \
                   COUNT(*) FROM pg_class c JOIN pg_am a ON a.oid = c.relam \
                   WHERE a.amname = 'gin' AND c.relkind = 'i' \
                   AND c.relnamespace = CAST(current_schema() AS regnamespace)";
        let row = conn
            .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        (
            row.try_get_by_index::<i64>(0).unwrap(),
            row.try_get_by_index::<i64>(1).unwrap(),
        )
    };
    // Rows written without the run's end leave entries pending: what the check sees.
    ingest_files(&store, &corpus_files()).await;
    let (before, indexes) = pending().await;
    assert!(indexes >= 3, "the full-text indexes at least: {indexes}");
    assert!(before > 0, "the corpus left pages pending: {before}");
    // The CLI's ingest run merges them when it ends.
    let folder = synthetic_folder(40);
    ingest_ok(&url, folder.path());
    assert_eq!(pending().await.0, 0);

    // Documents ingested one at a time (the API's way) have no run to end: every
    // SETTLE_EVERY new ones, the store merges them. This store has ingested the corpus's 5;
    // the next ones bring it to SETTLE_EVERY exactly.
    let more = synthetic_folder(200);
    let mut files: Vec<_> = std::fs::read_dir(more.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let want = usize::try_from(diplograph_store::SETTLE_EVERY).unwrap() - corpus_files().len();
    let mut new = 0;
    for f in files.iter().skip(40) {
        let bytes = std::fs::read(f).unwrap();
        let out = store
            .ingest(&bytes, None, &Default::default())
            .await
            .unwrap();
        new += usize::from(matches!(out, diplograph_store::IngestOutcome::New(_)));
        if new == want {
            break;
        }
    }
    assert_eq!(new, want);
    assert_eq!(pending().await.0, 0);
}
