//! The axum router: GraphQL (POST and GET), GraphiQL served from assets inside the binary,
//! `/healthz` and `/readyz`.

use std::sync::Arc;

use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use diplograph_store::Store;
use tracing::Instrument;

use crate::loaders::Loaders;
use crate::schema::{build, ApiConfig, Authorized, DiploSchema};

/// Shared state of the HTTP service.
#[derive(Clone)]
pub struct AppState {
    /// The schema (holds the store and the config).
    pub schema: DiploSchema,
    /// The store, for health checks and loaders.
    pub store: Store,
    /// The config.
    pub config: Arc<ApiConfig>,
}

impl AppState {
    /// State over a store.
    pub fn new(store: Store, config: ApiConfig) -> Self {
        Self {
            schema: build(store.clone(), config.clone()),
            store,
            config: Arc::new(config),
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

fn authorized(headers: &HeaderMap, token: Option<&str>) -> bool {
    let Some(token) = token else { return false };
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| same(given.trim().as_bytes(), token.as_bytes()))
}

async fn graphql(
    State(st): State<AppState>,
    headers: HeaderMap,
    req: GraphQLRequest,
) -> GraphQLResponse {
    let req = req.into_inner();
    let op = req
        .operation_name
        .clone()
        .unwrap_or_else(|| "anonymous".into());
    let span = tracing::info_span!("graphql", operation = %op);
    let req = req
        .data(Loaders::new(&st.store))
        .data(Authorized(authorized(
            &headers,
            st.config.admin_token.as_deref(),
        )));
    st.schema.execute(req).instrument(span).await.into()
}

async fn graphql_get(
    State(st): State<AppState>,
    headers: HeaderMap,
    req: Result<GraphQLRequest, async_graphql_axum::rejection::GraphQLRejection>,
) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    match req {
        Ok(req) if !wants_html => graphql(State(st), headers, req).await.into_response(),
        Err(e)
            if !wants_html
                && headers
                    .get(header::ACCEPT)
                    .is_some_and(|a| a.to_str().is_ok_and(|a| a.contains("json"))) =>
        {
            e.into_response()
        }
        _ => Html(GRAPHIQL_HTML).into_response(),
    }
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(st): State<AppState>) -> Response {
    match st.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

fn asset(body: &'static [u8], content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

/// The service's router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql))
        .route(
            "/",
            get(|| async { axum::response::Redirect::temporary("/graphql") }),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route(
            "/assets/graphiql.min.js",
            get(|| async {
                asset(
                    include_bytes!("../assets/graphiql.min.js"),
                    "text/javascript; charset=utf-8",
                )
            }),
        )
        .route(
            "/assets/graphiql.min.css",
            get(|| async {
                asset(
                    include_bytes!("../assets/graphiql.min.css"),
                    "text/css; charset=utf-8",
                )
            }),
        )
        .route(
            "/assets/react.production.min.js",
            get(|| async {
                asset(
                    include_bytes!("../assets/react.production.min.js"),
                    "text/javascript; charset=utf-8",
                )
            }),
        )
        .route(
            "/assets/react-dom.production.min.js",
            get(|| async {
                asset(
                    include_bytes!("../assets/react-dom.production.min.js"),
                    "text/javascript; charset=utf-8",
                )
            }),
        )
        .with_state(state)
}

/// The GraphiQL page. Every asset comes from this server: it works offline.
pub const GRAPHIQL_HTML: &str = include_str!("../assets/graphiql.html");
