//! Limits, GraphQL-over-HTTP behaviour, CORS and error hygiene, through the router
//! in-process. Requests refused by a limit must cost no SQL at all.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use diplograph_api::{router, ApiConfig, AppState};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::support::{ingest_corpus, sqlite};

struct App {
    app: axum::Router,
    statements: Arc<AtomicUsize>,
}

async fn app(cfg: ApiConfig) -> App {
    let mut store = sqlite().await;
    ingest_corpus(&store).await;
    let statements = Arc::new(AtomicUsize::new(0));
    let c = statements.clone();
    store.on_statement(move |_| {
        c.fetch_add(1, Ordering::SeqCst);
    });
    App {
        app: router(AppState::new(store, cfg)),
        statements,
    }
}

async fn send(app: &App, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let resp = app.app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn post(query: &str, accept: &str) -> Request<Body> {
    Request::post("/graphql")
        .header("content-type", "application/json")
        .header("accept", accept)
        .body(Body::from(json!({"query": query}).to_string()))
        .unwrap()
}

fn code(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    v["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

/// Runs a request that a limit must refuse: checks the code and that no SQL ran.
async fn refused(app: &App, req: Request<Body>, want: &str) -> (StatusCode, String) {
    app.statements.store(0, Ordering::SeqCst);
    let (status, _, body) = send(app, req).await;
    assert_eq!(code(&body), want, "{body}");
    assert_eq!(
        app.statements.load(Ordering::SeqCst),
        0,
        "a refused request runs no SQL"
    );
    (status, body)
}

#[tokio::test]
async fn depth_complexity_aliases_and_page_size_are_limited() {
    let a = app(ApiConfig {
        max_depth: 6,
        ..ApiConfig::default()
    })
    .await;
    let deep = "{ meetings { edges { node { participants { meetings { edges { node { documents { title } } } } } } } } }";
    refused(&a, post(deep, "application/json"), "QUERY_TOO_DEEP").await;

    let a = app(ApiConfig::default()).await;
    let complex = "{ meetings(first: 100) { edges { node { participants { quotations(first: 100) { edges { node { text kind cue } } } } } } } }";
    refused(&a, post(complex, "application/json"), "QUERY_TOO_COMPLEX").await;

    let aliases: String = (0..31)
        .map(|i| format!("a{i}: topics {{ slug }} "))
        .collect();
    let (status, _) = refused(
        &a,
        post(
            &format!("{{ {aliases} }}"),
            "application/graphql-response+json",
        ),
        "QUERY_TOO_LARGE",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Within limits, the same kind of query runs.
    let (status, _, body) = send(&a, post("{ meetings(first: 20) { edges { node { participants { quotations(first: 5) { totalCount } } } } } }", "application/json")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(code(&body).is_empty(), "{body}");
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused_with_413() {
    let mut cfg = ApiConfig::default();
    cfg.parse.max_bytes = 1000;
    let a = app(cfg).await;
    let big =
        json!({"query": format!("{{ topics {{ slug }} }} # {}", "x".repeat(200_000))}).to_string();
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from(big))
        .unwrap();
    let (status, _, _) = send(&a, req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn slow_requests_are_stopped() {
    let a = app(ApiConfig {
        request_timeout: std::time::Duration::ZERO,
        ..ApiConfig::default()
    })
    .await;
    let (status, _, body) = send(&a, post("{ meetings { totalCount } }", "application/json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(code(&body), "TIMEOUT", "{body}");
}

#[tokio::test]
async fn introspection_can_be_turned_off_and_takes_suggestions_with_it() {
    let on = app(ApiConfig::default()).await;
    let (_, _, body) = send(
        &on,
        post("{ __schema { types { name } } }", "application/json"),
    )
    .await;
    assert!(code(&body).is_empty(), "on by default: {body}");
    let (_, _, body) = send(&on, post("{ meetingz { totalCount } }", "application/json")).await;
    assert!(body.contains("Did you mean"), "{body}");

    let off = app(ApiConfig {
        introspection: false,
        ..ApiConfig::default()
    })
    .await;
    let (_, _, body) = send(
        &off,
        post("{ __schema { types { name } } }", "application/json"),
    )
    .await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(
        v["data"]["__schema"].is_null() && !body.contains("\"types\""),
        "nothing of the schema is revealed: {body}"
    );
    let (_, _, body) = send(
        &off,
        post("{ meetingz { totalCount } }", "application/json"),
    )
    .await;
    assert!(!body.contains("Did you mean"), "{body}");
}

#[tokio::test]
async fn graphql_over_http_rules() {
    let a = app(ApiConfig::default()).await;
    // Parse errors: 400 without data under graphql-response+json, 200 under json.
    let (status, headers, body) = send(
        &a,
        post("{ meetings {", "application/graphql-response+json"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/graphql-response+json"));
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v.get("data").is_none(), "{body}");
    assert_eq!(code(&body), "GRAPHQL_PARSE_FAILED");
    let (status, headers, _) = send(&a, post("{ meetings {", "application/json")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    // Validation errors likewise.
    let (status, _, body) = send(&a, post("{ nope }", "application/graphql-response+json")).await;
    assert_eq!(
        (status, code(&body).as_str()),
        (StatusCode::BAD_REQUEST, "GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );
    // Mutations over GET: 405.
    let req = Request::get("/graphql?query=mutation%7BdeleteDocument(id%3A%22x%22)%7D")
        .header("accept", "application/json")
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = send(&a, req).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["allow"], "POST");
    // Queries over GET work.
    let req = Request::get("/graphql?query=%7Btopics%7Bslug%7D%7D")
        .header("accept", "application/graphql-response+json")
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = send(&a, req).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Batches are refused; bodies that are not JSON are refused.
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from("[{\"query\":\"{topics{slug}}\"}]"))
        .unwrap();
    let (status, _, body) = send(&a, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let req = Request::post("/graphql")
        .header("content-type", "text/plain")
        .body(Body::from("{topics{slug}}"))
        .unwrap();
    assert_eq!(send(&a, req).await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("accept", "text/xml")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(send(&a, req).await.0, StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    let a = app(ApiConfig {
        cors_origins: vec!["https://newsroom.example".into()],
        ..ApiConfig::default()
    })
    .await;
    let pre = |origin: &str| {
        Request::options("/graphql")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .body(Body::empty())
            .unwrap()
    };
    let (status, headers, _) = send(&a, pre("https://newsroom.example")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://newsroom.example"
    );
    let (status, _, _) = send(&a, pre("https://evil.example")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut req = post("{ topics { slug } }", "application/json");
    req.headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    let (_, headers, _) = send(&a, req).await;
    assert!(headers.get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn database_errors_never_reach_the_client() {
    let store = sqlite().await;
    ingest_corpus(&store).await;
    let app = router(AppState::new(store.clone(), ApiConfig::default()));
    store.connection().close_by_ref().await.unwrap();
    let req = post("{ meetings { totalCount } }", "application/json");
    let resp = app.oneshot(req).await.unwrap();
    let body =
        String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).into_owned();
    let c = code(&body);
    assert!(c == "UNAVAILABLE" || c == "INTERNAL", "{body}");
    for leak in ["sqlx", "SELECT", "sqlite", "pool", "/"] {
        assert!(
            !body.contains(leak) || leak == "/" && !body.contains("/work"),
            "{leak} leaked: {body}"
        );
    }
}

#[tokio::test]
async fn metrics_count_requests_by_operation() {
    let a = app(ApiConfig::default()).await;
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"query": "query Topics { topics { slug } }", "operationName": "Topics"})
                .to_string(),
        ))
        .unwrap();
    send(&a, req).await;
    let (status, _, text) = send(&a, Request::get("/metrics").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains("diplograph_graphql_requests_total{operation=\"Topics\"} 1"),
        "{text}"
    );
    assert!(text.contains("diplograph_db_pool_connections"));
    // The test store's pool of one connection gives heavy reads one turn.
    assert!(text.contains("diplograph_heavy_reads_limit 1\n"), "{text}");
    assert!(
        text.contains("diplograph_ingests_total{outcome=\"new\"} 5"),
        "{text}"
    );
}
