//! The built binary end to end: ingest the corpus into a temporary database, serve on
//! port 0, query over HTTP.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use crate::support::{bin, corpus, ingest_ok};

struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = if head.to_lowercase().contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_string()
    };
    (status, head.to_string(), body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(rest.get(..n).unwrap_or(rest));
        s = rest.get(n + 2..).unwrap_or("");
    }
    out
}

fn graphql(addr: &str, query: &str) -> Value {
    let body = json!({"query": query}).to_string();
    let (status, _, body) = http(
        addr,
        "POST",
        "/graphql",
        &[("Content-Type", "application/json")],
        &body,
    );
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

fn start(db: &str, extra: &[&str]) -> Server {
    let mut child = Command::new(bin())
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            db,
            "--no-ingest",
        ])
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(out).read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .trim_start_matches("diplograph listening on http://")
        .trim_end_matches("/graphql")
        .to_string();
    assert!(
        addr.starts_with("127.0.0.1:"),
        "unexpected first line: {line:?}"
    );
    Server(child, addr)
}

#[test]
fn ingest_then_serve_then_query_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("e2e.db").display());
    let out = Command::new(bin())
        .args(["ingest", "--database-url", &db])
        .arg(corpus())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("5 new, 0 unchanged, 0 failed"), "{stderr}");
    let again = Command::new(bin())
        .args(["ingest", "--database-url", &db])
        .arg(corpus())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&again.stderr).contains("0 new, 5 unchanged, 0 failed"));

    let server = start(&db, &[]);
    let addr = server.1.clone();
    let (status, _, body) = http(&addr, "GET", "/healthz", &[], "");
    assert_eq!((status, body.as_str()), (200, "ok"));

    let v = graphql(
        &addr,
        r#"{ meetings(filter: {from: "2019-01-01"}) { edges { node { date { text } place { name } participants { name } documents { title } } } } }"#,
    );
    let edges = v["data"]["meetings"]["edges"].as_array().unwrap();
    for date in ["2019-01-14", "2019-05-10"] {
        let m = edges
            .iter()
            .find(|e| e["node"]["date"]["text"] == date)
            .unwrap_or_else(|| panic!("{date} missing: {v}"));
        let names: Vec<&str> = m["node"]["participants"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(names.contains(&"Sergey Lavrov") && names.contains(&"Taro Kono"));
        assert!(!m["node"]["documents"].as_array().unwrap().is_empty());
    }
    let v = graphql(
        &addr,
        r#"{ quotations(filter: {speakerName: "Taro Kono"}) { totalCount edges { node { text span { start end text } document { title } } } } }"#,
    );
    assert_eq!(v["data"]["quotations"]["totalCount"], 7, "{v}");
    let first = &v["data"]["quotations"]["edges"][0]["node"];
    assert_eq!(first["span"]["text"], first["text"]);
    assert_eq!(
        first["document"]["title"],
        "Russia calls for increased efforts to bring ties with Japan to new level"
    );

    // GraphiQL and its assets come from the binary.
    let (status, _, page) = http(&addr, "GET", "/graphql", &[("Accept", "text/html")], "");
    assert_eq!(status, 200);
    assert!(
        page.contains("/assets/graphiql.min.js") && !page.contains("https://"),
        "no CDN"
    );
    let (status, head, _) = http(&addr, "GET", "/assets/graphiql.min.js", &[], "");
    assert_eq!(status, 200);
    assert!(head.to_lowercase().contains("text/javascript"));

    // The explore page and its library come from the binary too.
    let (status, _, page) = http(&addr, "GET", "/explore", &[], "");
    assert_eq!(status, 200);
    assert!(
        page.contains("/assets/vis-network.min.js") && !page.contains("https://"),
        "no CDN"
    );
    assert_eq!(
        http(&addr, "GET", "/assets/vis-network.min.js", &[], "").0,
        200
    );
    // The OpenAPI document describes every REST route.
    let (status, _, spec) = http(&addr, "GET", "/api/v1/openapi.json", &[], "");
    assert_eq!(status, 200);
    let spec: Value = serde_json::from_str(&spec).unwrap();
    for path in [
        "/api/v1/documents",
        "/api/v1/export/{file}",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(spec["paths"][path].is_object(), "{path} is documented");
    }
}

#[test]
fn serve_ingests_the_corpus_on_first_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("first.db").display());
    let mut child = Command::new(bin())
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            &db,
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
    let server = Server(
        child,
        line.trim()
            .trim_start_matches("diplograph listening on http://")
            .trim_end_matches("/graphql")
            .to_string(),
    );
    let v = graphql(&server.1, "{ documents { totalCount } }");
    assert_eq!(v["data"]["documents"]["totalCount"], 5, "{v}");
    graphiql_example_answers_in_query_order(&server.1);
}

/// Asserts that every object of `value` lists exactly the fields `set` selects, in its order
/// (for queries of plain fields, as the GraphiQL example is).
fn assert_in_selection_order(
    value: &async_graphql::Value,
    set: &async_graphql::parser::types::SelectionSet,
    path: &str,
) {
    use async_graphql::parser::types::Selection;
    use async_graphql::Value as V;
    match value {
        V::List(items) => {
            for (i, item) in items.iter().enumerate() {
                assert_in_selection_order(item, set, &format!("{path}[{i}]"));
            }
        }
        V::Object(map) => {
            let fields: Vec<_> = set
                .items
                .iter()
                .filter_map(|s| match &s.node {
                    Selection::Field(f) => Some(&f.node),
                    _ => None,
                })
                .collect();
            let want: Vec<&str> = fields
                .iter()
                .map(|f| f.response_key().node.as_str())
                .collect();
            let got: Vec<&str> = map.keys().map(|k| k.as_str()).collect();
            assert_eq!(
                got, want,
                "the fields of {path} are not in the query's order"
            );
            for f in fields {
                if let Some(v) = map.get(f.response_key().node.as_str()) {
                    let key = f.response_key().node.as_str();
                    assert_in_selection_order(v, &f.selection_set.node, &format!("{path}.{key}"));
                }
            }
        }
        _ => {}
    }
}

/// The query GraphiQL opens with runs, shows meetings with participants, and every response
/// lists fields in the order the query selects them (GraphQL spec §7.1.2), however the
/// server's concurrent resolvers happen to finish.
fn graphiql_example_answers_in_query_order(addr: &str) {
    use async_graphql::parser::types::DocumentOperations;
    let (status, _, page) = http(addr, "GET", "/graphql", &[("Accept", "text/html")], "");
    assert_eq!(status, 200);
    let query = page
        .split_once("const defaultQuery = `")
        .and_then(|(_, rest)| rest.split_once('`'))
        .map(|(q, _)| q.to_string())
        .expect("the GraphiQL page carries a default query");
    let doc = async_graphql::parser::parse_query(&query).unwrap();
    let DocumentOperations::Single(op) = &doc.operations else {
        panic!("the example is one anonymous operation")
    };
    let body = json!({ "query": query }).to_string();
    for _ in 0..10 {
        let (status, _, text) = http(
            addr,
            "POST",
            "/graphql",
            &[("Content-Type", "application/json")],
            &body,
        );
        assert_eq!(status, 200, "{text}");
        let plain: Value = serde_json::from_str(&text).unwrap();
        assert!(plain.get("errors").is_none(), "{text}");
        let edges = plain["data"]["meetings"]["edges"].as_array().unwrap();
        assert!(
            edges
                .iter()
                .any(|e| !e["node"]["participants"].as_array().unwrap().is_empty()),
            "{text}"
        );
        // async-graphql's Value keeps the order of the text it is read from.
        let ordered: async_graphql::Value = serde_json::from_str(&text).unwrap();
        let async_graphql::Value::Object(top) = ordered else {
            panic!("{text}")
        };
        let data = top.get("data").unwrap();
        assert_in_selection_order(data, &op.node.selection_set.node, "data");
    }
}

#[test]
fn rest_ingest_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("rest.db").display());
    let out = Command::new(bin())
        .args(["ingest", "--database-url", &db])
        .arg(corpus())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success());
    let server = start(
        &db,
        &["--admin-token", "s3cret", "--max-document-bytes", "2000"],
    );
    let addr = server.1.clone();
    let doc = "PARIS, May 4, 2021 (Agency) - Foreign Minister Ana Ruiz held talks with her Chilean counterpart Luis Soto. \"We agreed,\" Ruiz said.";
    let (status, _, body) = http(
        &addr,
        "POST",
        "/api/v1/documents",
        &[("Content-Type", "text/plain")],
        doc,
    );
    assert_eq!(status, 401, "{body}");
    let auth = [
        ("Content-Type", "text/plain"),
        ("Authorization", "Bearer s3cret"),
    ];
    let (status, _, body) = http(&addr, "POST", "/api/v1/documents", &auth, doc);
    assert_eq!(status, 201, "{body}");
    let (status, _, _) = http(&addr, "POST", "/api/v1/documents", &auth, doc);
    assert_eq!(status, 200, "the same bytes again change nothing");
    let big = "word ".repeat(1000);
    let (status, _, _) = http(&addr, "POST", "/api/v1/documents", &auth, &big);
    assert_eq!(status, 413);

    let (status, head, csv) = http(
        &addr,
        "GET",
        "/api/v1/export/quotations.csv?speakerName=Taro%20Kono",
        &[],
        "",
    );
    assert_eq!(status, 200, "{csv}");
    assert!(head.to_lowercase().contains("text/csv"));
    assert!(csv.starts_with('\u{feff}'), "UTF-8 BOM for spreadsheets");
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 8, "a header and Kono's seven quotations");
    assert!(lines[0].contains("document_title") && lines[0].contains("span_start"));
    let (status, _, jsonl) = http(
        &addr,
        "GET",
        "/api/v1/export/meetings.jsonl?from=2019-01-01&status=HELD",
        &[],
        "",
    );
    assert_eq!(status, 200);
    for l in jsonl.lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["status"], "HELD");
    }
    let (status, _, body) = http(
        &addr,
        "GET",
        "/api/v1/export/quotations.csv?from=yesterday",
        &[],
        "",
    );
    assert_eq!(status, 400, "{body}");
}

#[test]
fn export_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("x.db").display());
    let out = Command::new(bin())
        .args(["ingest", "--database-url", &db])
        .arg(corpus())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = Command::new(bin())
        .args([
            "export",
            "claims",
            "--format",
            "jsonl",
            "--filter",
            "topic=peace-treaty",
            "--database-url",
            &db,
        ])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().count() >= 5);
    for l in text.lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        assert!(v["topics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "peace-treaty"));
    }
    let again = Command::new(bin())
        .args(["ingest", "--reprocess", "--database-url", &db])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("5 documents extracted again"));
}

/// `--db-pool-size` bounds the connections: one is enough to ingest and to answer a
/// nested query whose loaders run at once (they queue for it, nothing deadlocks), and
/// zero is refused before anything is opened. `--max-heavy-reads` sets how many searches
/// and text filters run at once (shown in the metrics; zero refused), also above the pool.
#[test]
fn a_pool_of_one_connection_ingests_and_serves() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("pool.db").display());
    let out = Command::new(bin())
        .args(["ingest", "--db-pool-size", "1", "--database-url", &db])
        .arg(corpus())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("5 new, 0 unchanged, 0 failed"), "{stderr}");

    let server = start(&db, &["--db-pool-size", "1", "--max-heavy-reads", "3"]);
    let v = graphql(
        &server.1,
        "{ meetings(first: 20) { edges { node { title participants { name quotations(first: 5) { edges { node { text document { title } } } } } } } } }",
    );
    assert!(v.get("errors").is_none(), "{v}");
    let quotes: usize = v["data"]["meetings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["node"]["participants"].as_array().unwrap())
        .map(|p| p["quotations"]["edges"].as_array().unwrap().len())
        .sum();
    assert!(quotes > 0, "{v}");
    let (_, _, metrics) = http(&server.1, "GET", "/metrics", &[], "");
    assert!(
        metrics.contains("diplograph_db_pool_connections 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("diplograph_heavy_reads_limit 3\n")
            && metrics.contains("diplograph_heavy_reads_running 0\n"),
        "{metrics}"
    );
    let found = graphql(
        &server.1,
        "{ search(query: \"minister\", first: 3) { totalCount } quotations(first: 3, filter: {text: \"the\"}) { totalCount } }",
    );
    assert!(found.get("errors").is_none(), "{found}");
    assert!(
        found["data"]["search"]["totalCount"].as_u64() > Some(0),
        "{found}"
    );
    assert!(
        found["data"]["quotations"]["totalCount"].as_u64() > Some(0),
        "{found}"
    );

    for (flag, value) in [("--db-pool-size", "0"), ("--max-heavy-reads", "0")] {
        let refused = Command::new(bin())
            .args(["serve", flag, value, "--database-url", &db])
            .output()
            .unwrap();
        assert!(!refused.status.success());
        assert!(String::from_utf8_lossy(&refused.stderr).contains(flag));
    }
}

/// An export larger than one batch streams over HTTP batch after batch and matches the
/// command line's, which writes its file whole or not at all.
#[test]
fn a_large_export_streams_every_row_once() {
    let dir = tempfile::tempdir().unwrap();
    let gen = dir.path().join("gen");
    let db = format!("sqlite://{}", dir.path().join("big.db").display());
    let status = Command::new(bin())
        .args(["gen-corpus", "--docs", "80", "--seed", "5", "--from"])
        .arg(corpus())
        .arg("--out")
        .arg(&gen)
        .env("RUST_LOG", "warn")
        .status()
        .unwrap();
    assert!(status.success());
    ingest_ok(&db, &gen);
    let server = start(&db, &[]);
    let addr = server.1.clone();
    let total = graphql(&addr, "{ quotations { totalCount } }")["data"]["quotations"]["totalCount"]
        .as_u64()
        .unwrap();
    assert!(
        total > 1000,
        "{total} quotations: more than two batches of 500"
    );
    let (status, head, body) = http(&addr, "GET", "/api/v1/export/quotations.jsonl", &[], "");
    assert_eq!(status, 200, "{body}");
    assert!(
        head.to_lowercase().contains("transfer-encoding: chunked"),
        "{head}"
    );
    let ids: Vec<String> = body
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids.len() as u64, total, "every row");
    let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "each row once");

    let file = dir.path().join("out").join("q.jsonl");
    let export = |path: &std::path::Path| {
        Command::new(bin())
            .args([
                "export",
                "quotations",
                "--format",
                "jsonl",
                "--database-url",
                &db,
            ])
            .arg("--output")
            .arg(path)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap()
    };
    // Into a folder that does not exist: an error, and nothing written.
    let failed = export(&file);
    assert!(!failed.status.success());
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains(&format!("cannot write {}", file.display())),
        "{stderr}"
    );
    assert!(!dir.path().join("out").exists());
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let done = export(&file);
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), body);
    let left: Vec<_> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from("q.jsonl")],
        "no partial file left"
    );
}
