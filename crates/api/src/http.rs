//! The axum router: GraphQL (POST and GET), GraphiQL served from assets inside the binary,
//! `/healthz` and `/readyz`.

use std::sync::Arc;

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use diplograph_store::Store;

use crate::error::ErrorCode;
use crate::export;
use crate::schema::{build, ApiConfig, DiploSchema};

/// Shared state of the HTTP service.
#[derive(Clone)]
pub struct AppState {
    /// The schema (holds the store and the config).
    pub schema: DiploSchema,
    /// The store, for health checks and loaders.
    pub store: Store,
    /// The config.
    pub config: Arc<ApiConfig>,
    /// Request counters for `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Queries already parsed, by their text.
    pub queries: Arc<crate::graphql_http::QueryCache>,
}

impl AppState {
    /// State over a store.
    pub fn new(store: Store, config: ApiConfig) -> Self {
        Self {
            schema: build(store.clone(), config.clone()),
            store,
            config: Arc::new(config),
            metrics: Arc::new(crate::metrics::Metrics::default()),
            queries: Arc::new(crate::graphql_http::QueryCache::default()),
        }
    }
}

/// Constant-time comparison of two byte strings.
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// True when the request carries the admin bearer token (compared in constant time).
pub(crate) fn authorized(headers: &HeaderMap, token: Option<&str>) -> bool {
    let Some(token) = token else { return false };
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| same(given.trim().as_bytes(), token.as_bytes()))
}

/// Prometheus metrics: requests and latency by operation, ingests, database pool, heavy
/// reads.
#[utoipa::path(get, path = "/metrics", responses((status = 200, description = "Text exposition format", content_type = "text/plain", body = String)))]
pub(crate) async fn metrics(State(st): State<AppState>) -> Response {
    let (size, idle) = st.store.pool_stats();
    let docs = st.store.document_count().await.ok();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        st.metrics.render(
            size,
            idle,
            docs,
            {
                use std::sync::atomic::Ordering::Relaxed;
                let s = st.store.ingest_stats();
                [
                    s.new.load(Relaxed),
                    s.unchanged.load(Relaxed),
                    s.failed.load(Relaxed),
                ]
            },
            st.store.heavy_reads(),
        ),
    )
        .into_response()
}

/// CORS for the configured origins only: others get no CORS headers (browsers then refuse
/// to hand them the response) and their preflights are refused.
async fn cors(
    State(st): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let allowed = origin
        .as_ref()
        .filter(|o| st.config.cors_origins.iter().any(|a| a == *o || a == "*"))
        .cloned();
    let preflight = req.method() == axum::http::Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        let Some(o) = allowed else {
            return StatusCode::FORBIDDEN.into_response();
        };
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        if let Ok(v) = axum::http::HeaderValue::from_str(&o) {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        }
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            axum::http::HeaderValue::from_static("GET, POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            axum::http::HeaderValue::from_static("content-type, authorization, accept"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            axum::http::HeaderValue::from_static("600"),
        );
        h.insert(header::VARY, axum::http::HeaderValue::from_static("origin"));
        return r;
    }
    let mut r = next.run(req).await;
    if let Some(o) = allowed {
        if let Ok(v) = axum::http::HeaderValue::from_str(&o) {
            r.headers_mut()
                .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
            r.headers_mut()
                .insert(header::VARY, axum::http::HeaderValue::from_static("origin"));
        }
    }
    r
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", responses((status = 200, description = "The process is up", body = String)))]
pub(crate) async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers.
#[utoipa::path(get, path = "/readyz", responses((status = 200, description = "Ready", body = String), (status = 503, description = "The database is unavailable", body = String)))]
pub(crate) async fn readyz(State(st): State<AppState>) -> Response {
    match st.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

fn rest_error(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Response {
    let body = serde_json::json!({"error": {"code": code.as_str(), "message": message.into()}});
    (status, axum::Json(body)).into_response()
}

/// Ingest one document: plain text, an HTML page or the JSON envelope. Idempotent: the
/// same bytes return 200 with `created: false`.
#[utoipa::path(
    post,
    path = "/api/v1/documents",
    request_body(content(
        (String = "text/plain"),
        (String = "text/html"),
        (crate::openapi::Envelope = "application/json")
    )),
    responses(
        (status = 201, description = "Stored", body = crate::openapi::Ingested),
        (status = 200, description = "Already stored; nothing changed", body = crate::openapi::Ingested),
        (status = 400, description = "Unreadable document", body = crate::openapi::RestError),
        (status = 401, description = "No or wrong bearer token", body = crate::openapi::RestError),
        (status = 403, description = "Writes are disabled", body = crate::openapi::RestError),
        (status = 413, description = "Over the size limit"),
        (status = 415, description = "Not text/plain, text/html or application/json", body = crate::openapi::RestError),
        (status = 503, description = "The database is unavailable", body = crate::openapi::RestError)
    ),
    security(("bearer" = []))
)]
pub(crate) async fn post_document(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if st.config.admin_token.is_none() {
        return rest_error(
            StatusCode::FORBIDDEN,
            ErrorCode::WritesDisabled,
            "writes are disabled: the server has no admin token",
        );
    }
    if !authorized(&headers, st.config.admin_token.as_deref()) {
        return rest_error(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "send `Authorization: Bearer <admin token>`",
        );
    }
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/plain")
        .to_lowercase();
    let name = if ct.starts_with("text/html") {
        "upload.html"
    } else if ct.starts_with("application/json") {
        "upload.json"
    } else if ct.starts_with("text/plain") {
        "upload.txt"
    } else {
        return rest_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadUserInput,
            "send text/plain, text/html or application/json",
        );
    };
    match st.store.ingest(&body, Some(name), &st.config.parse).await {
        Ok(out) => {
            let status = if out.is_new() {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            let body = serde_json::json!({"id": crate::ids::encode("Document", out.id().0), "created": out.is_new()});
            (status, axum::Json(body)).into_response()
        }
        Err(diplograph_store::StoreError::Parse(diplograph_parse::ParseError::TooLarge {
            size,
            limit,
        })) => rest_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnreadableDocument,
            format!("the document is {size} bytes, over the limit of {limit}"),
        ),
        Err(diplograph_store::StoreError::Parse(e)) => rest_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::UnreadableDocument,
            e.to_string(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "ingest over REST failed");
            rest_error(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "the document could not be stored; try again",
            )
        }
    }
}

/// Export quotations, claims or meetings as CSV (RFC 4180, UTF-8 with a byte-order mark,
/// one row per item) or JSON Lines, with the GraphQL filter names as query parameters.
#[utoipa::path(
    get,
    path = "/api/v1/export/{file}",
    params(
        ("file" = String, Path, description = "quotations.csv, quotations.jsonl, claims.csv, claims.jsonl, meetings.csv or meetings.jsonl"),
        ("speakerName" = Option<String>, Query, description = "Quotations: the speaker's name or alias contains this"),
        ("speaker" = Option<String>, Query, description = "Quotations: the speaker's global id"),
        ("claimantName" = Option<String>, Query, description = "Claims: the claimant's name or alias contains this"),
        ("claimant" = Option<String>, Query, description = "Claims: the claimant's global id"),
        ("onBehalfOf" = Option<String>, Query, description = "Claims: made for this country"),
        ("participantName" = Option<String>, Query, description = "Meetings: with a participant whose name contains this"),
        ("participant" = Option<String>, Query, description = "Meetings: with this participant (global id)"),
        ("topic" = Option<String>, Query, description = "Topic slug"),
        ("kind" = Option<String>, Query, description = "Claim or meeting kind"),
        ("status" = Option<String>, Query, description = "Meetings: HELD or PLANNED"),
        ("place" = Option<String>, Query, description = "Meetings: place name contains this"),
        ("meeting" = Option<String>, Query, description = "Meeting global id"),
        ("document" = Option<String>, Query, description = "Document global id"),
        ("text" = Option<String>, Query, description = "Text contains this"),
        ("from" = Option<String>, Query, description = "On or after: YYYY, YYYY-MM or YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "On or before: YYYY, YYYY-MM or YYYY-MM-DD")
    ),
    responses(
        (status = 200, description = "The export", content_type = "text/csv", body = String),
        (status = 400, description = "A malformed filter", body = crate::openapi::RestError),
        (status = 404, description = "No such export", body = crate::openapi::RestError)
    )
)]
pub(crate) async fn get_export(
    State(st): State<AppState>,
    Path(file): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some((what, format)) = export::parse_name(&file) else {
        return rest_error(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "exports are quotations, claims or meetings, as .csv or .jsonl",
        );
    };
    let unavailable = |e: &diplograph_store::StoreError| {
        tracing::error!(error = %e, "export failed");
        rest_error(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Unavailable,
            "the export failed; try again",
        )
    };
    let mut exp = match export::export(&st.store, what, format, &params) {
        Ok(exp) => exp,
        Err(export::ExportError::BadFilter(m)) => {
            return rest_error(StatusCode::BAD_REQUEST, ErrorCode::BadUserInput, m)
        }
        Err(export::ExportError::Store(e)) => return unavailable(&e),
    };
    // The first batch is read before answering, so that a database that cannot answer
    // gets a 503 rather than an empty 200. The rest is streamed a batch at a time: a
    // failure later ends the response early (the client sees an unfinished chunked body
    // and the server logs the error), which is the most a started response can say.
    let first = match exp.next_chunk().await {
        Ok(first) => first.unwrap_or_default(),
        Err(e) => return unavailable(&e),
    };
    let rest = futures_util::stream::unfold(Some(exp), |exp| async move {
        let mut exp = exp?;
        match exp.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(Bytes::from(chunk)), Some(exp))),
            Ok(None) => None,
            Err(e) => {
                tracing::error!(error = %e, "export failed after its first rows");
                Some((Err(e), None))
            }
        }
    });
    let body = futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok(Bytes::from(first)) }),
        rest,
    );
    let disposition = format!("attachment; filename=\"{file}\"");
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        axum::body::Body::from_stream(body),
    )
        .into_response()
}

/// GraphiQL, React, vis-network and the OpenAPI document, embedded in the binary.
#[derive(rust_embed::RustEmbed)]
#[folder = "assets/"]
struct Assets;

fn static_file(name: &str) -> Response {
    let Some(file) = Assets::get(name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        file.data.into_owned(),
    )
        .into_response()
}

/// The service's router.
pub fn router(state: AppState) -> Router {
    // Room for the largest document plus the JSON around it.
    let body_limit = state.config.parse.max_bytes.saturating_add(64 * 1024);
    Router::new()
        .route(
            "/graphql",
            get(crate::graphql_http::get).post(crate::graphql_http::post),
        )
        .route("/metrics", get(metrics))
        .route(
            "/explore",
            get(|| async { axum::response::Html(EXPLORE_HTML) }),
        )
        .route(
            "/api/v1/openapi.json",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    crate::openapi::json(),
                )
            }),
        )
        .route(
            "/assets/{file}",
            get(|Path(file): Path<String>| async move { static_file(&file) }),
        )
        .route(
            "/",
            get(|| async { axum::response::Redirect::temporary("/graphql") }),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/api/v1/documents", axum::routing::post(post_document))
        .route("/api/v1/export/{file}", get(get_export))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(state.clone(), cors))
        .with_state(state)
}

/// The explore page: a graph of participants and meetings and a timeline of claims.
pub const EXPLORE_HTML: &str = include_str!("../assets/explore.html");

/// The GraphiQL page. Every asset comes from this server: it works offline.
pub const GRAPHIQL_HTML: &str = include_str!("../assets/graphiql.html");
