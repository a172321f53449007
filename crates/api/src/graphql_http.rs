//! GraphQL over HTTP, following the GraphQL-over-HTTP specification: `Accept` negotiation
//! between `application/graphql-response+json` and `application/json`, 400 without `data`
//! for requests that fail to parse or validate under `graphql-response+json`, 405 for
//! mutations over GET, 415 for bodies that are not JSON, batches refused; plus the
//! service's own limits (aliases, per-request timeout) and an `extensions.code` on every
//! error.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::parser::Positioned;
use async_graphql::{ErrorExtensions, Request, Response as GqlResponse, ServerError, Variables};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use crate::error::ErrorCode;
use crate::http::{authorized, AppState, GRAPHIQL_HTML};
use crate::loaders::Loaders;
use crate::order;
use crate::schema::Authorized;

/// The media type a client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    /// `application/graphql-response+json`.
    GraphqlResponse,
    /// `application/json` (also for `*/*` and no `Accept`).
    Json,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(Media::Json);
    };
    let mut best: Option<(f32, Media)> = None;
    for part in accept.split(',') {
        let mut it = part.split(';');
        let ty = it.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = it
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|v| v.parse::<f32>().ok())
            .unwrap_or(1.0);
        let media = match ty.as_str() {
            "application/graphql-response+json" => Some(Media::GraphqlResponse),
            "application/json" | "application/*" | "*/*" => Some(Media::Json),
            _ => None,
        };
        if let Some(m) = media {
            if q > 0.0
                && best.is_none_or(|(bq, bm)| {
                    q > bq || (q == bq && m == Media::GraphqlResponse && bm == Media::Json)
                })
            {
                best = Some((q, m));
            }
        }
    }
    best.map(|b| b.1)
}

fn error_body(code: ErrorCode, message: &str) -> serde_json::Value {
    serde_json::json!({"errors": [{"message": message, "extensions": {"code": code.as_str()}}]})
}

fn respond(status: StatusCode, media: Media, body: &serde_json::Value) -> Response {
    respond_text(status, media, body.to_string())
}

fn respond_text(status: StatusCode, media: Media, body: String) -> Response {
    respond_body(status, media, body.into_bytes())
}

fn respond_body(status: StatusCode, media: Media, body: Vec<u8>) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.content_type()),
    );
    r
}

/// A request error (never reached execution): 400 under `graphql-response+json`, 200 under
/// `application/json`, as the specification says.
fn request_error(media: Media, code: ErrorCode, message: &str) -> Response {
    let status = if media == Media::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    respond(status, media, &error_body(code, message))
}

/// Counts the selections of `doc` (every field, fragment spread and inline fragment, each
/// written once) for which `counted` is true, up to 100,000 selections read.
fn count_selections(doc: &ExecutableDocument, counted: impl Fn(&Selection) -> bool) -> usize {
    fn walk(
        set: &Positioned<SelectionSet>,
        counted: &dyn Fn(&Selection) -> bool,
        n: &mut usize,
        budget: &mut usize,
    ) {
        for item in &set.node.items {
            if *budget == 0 {
                return;
            }
            *budget -= 1;
            if counted(&item.node) {
                *n += 1;
            }
            match &item.node {
                Selection::Field(f) => walk(&f.node.selection_set, counted, n, budget),
                Selection::InlineFragment(f) => walk(&f.node.selection_set, counted, n, budget),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
    let mut n = 0;
    let mut budget = 100_000;
    for (_, op) in doc.operations.iter() {
        walk(&op.node.selection_set, &counted, &mut n, &mut budget);
    }
    for f in doc.fragments.values() {
        walk(&f.node.selection_set, &counted, &mut n, &mut budget);
    }
    n
}

fn count_aliases(doc: &ExecutableDocument) -> usize {
    count_selections(
        doc,
        |s| matches!(s, Selection::Field(f) if f.node.alias.is_some()),
    )
}

fn selections(doc: &ExecutableDocument) -> usize {
    count_selections(doc, |_| true)
}

fn operation_type(doc: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    order::operation(doc, name).map(|op| op.ty)
}

/// Gives every error an `extensions.code` from [`ErrorCode`] or the validation family.
fn with_codes(mut resp: GqlResponse) -> GqlResponse {
    for e in &mut resp.errors {
        let has_code = e
            .extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some());
        if has_code {
            continue;
        }
        let code = if e.message.contains("nested too deep") {
            ErrorCode::QueryTooDeep
        } else if e.message.contains("too complex") {
            ErrorCode::QueryTooComplex
        } else if e.path.is_empty() {
            ErrorCode::GraphqlValidationFailed
        } else {
            ErrorCode::Internal
        }
        .as_str();
        let ext = e.extensions.get_or_insert_with(Default::default);
        ext.set("code", code);
    }
    resp
}

/// Parsed queries by their text. A frontend sends the same few queries again and again, and
/// parsing one costs more than the rest of a small request's work on this side of the
/// database (280 k instructions for the nested benchmark query, 7% of its whole cost). Holds
/// at most [`QueryCache::MAX_ENTRIES`] queries of at most [`QueryCache::MAX_QUERY_BYTES`]
/// and [`QueryCache::MAX_SELECTIONS`] each (a parsed query takes about 240 bytes per
/// selection: 256 queries of 200 fields held 12 MB, the most the cache can take whatever
/// clients send), and starts afresh when full; a query that does not parse is not kept.
#[derive(Debug, Default)]
pub struct QueryCache {
    parsed: Mutex<HashMap<String, Arc<ExecutableDocument>>>,
}

impl QueryCache {
    /// Queries held at most.
    pub const MAX_ENTRIES: usize = 256;
    /// Longer queries are parsed every time.
    pub const MAX_QUERY_BYTES: usize = 4 * 1024;
    /// Queries with more fields and fragments than this are parsed every time.
    pub const MAX_SELECTIONS: usize = 200;

    /// The parsed `query`, from the cache or parsed now (and kept).
    pub fn parse(
        &self,
        query: &str,
    ) -> Result<Arc<ExecutableDocument>, async_graphql::parser::Error> {
        if let Some(doc) = self.parsed.lock().ok().and_then(|m| m.get(query).cloned()) {
            return Ok(doc);
        }
        let doc = Arc::new(async_graphql::parser::parse_query(query)?);
        if query.len() <= Self::MAX_QUERY_BYTES && selections(&doc) <= Self::MAX_SELECTIONS {
            if let Ok(mut m) = self.parsed.lock() {
                if m.len() >= Self::MAX_ENTRIES {
                    m.clear();
                }
                m.insert(query.to_owned(), doc.clone());
            }
        }
        Ok(doc)
    }

    /// How many queries are held.
    pub fn len(&self) -> usize {
        self.parsed.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// True when no query is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

struct Incoming {
    query: String,
    operation_name: Option<String>,
    variables: Option<serde_json::Value>,
    extensions: Option<serde_json::Value>,
}

async fn execute(
    st: &AppState,
    headers: &HeaderMap,
    media: Media,
    inc: Incoming,
    is_get: bool,
) -> Response {
    let doc = match st.queries.parse(&inc.query) {
        Ok(d) => d,
        Err(e) => {
            let err = ServerError::new(e.to_string(), None)
                .extend_with(|_, x| x.set("code", ErrorCode::GraphqlParseFailed.as_str()));
            let status = if media == Media::GraphqlResponse {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            return respond(status, media, &serde_json::json!({"errors": [err]}));
        }
    };
    let mutation =
        operation_type(&doc, inc.operation_name.as_deref()) == Some(OperationType::Mutation);
    if is_get && mutation {
        let mut r = respond(
            StatusCode::METHOD_NOT_ALLOWED,
            media,
            &error_body(ErrorCode::BadUserInput, "mutations must be sent with POST"),
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return r;
    }
    let aliases = count_aliases(&doc);
    if aliases > st.config.max_aliases {
        return request_error(
            media,
            ErrorCode::QueryTooLarge,
            &format!(
                "the query uses {aliases} aliases, above the limit of {}",
                st.config.max_aliases
            ),
        );
    }
    let mut req = Request::new(inc.query);
    // Parsed once: the checks above read the same document the schema executes, and the
    // response is put in its order afterwards.
    let order = order::Order::of(&doc, inc.operation_name.as_deref());
    req.set_parsed_query(ExecutableDocument::clone(&doc));
    if let Some(op) = inc.operation_name {
        req = req.operation_name(op);
    }
    if let Some(v) = inc.variables {
        req = req.variables(Variables::from_json(v));
    }
    if let Some(serde_json::Value::Object(ext)) = inc.extensions {
        for (k, v) in ext {
            if let Ok(v) = async_graphql::Value::from_json(v) {
                req.extensions.insert(k, v);
            }
        }
    }
    let req = req
        .data(if mutation {
            Loaders::for_mutation(&st.store)
        } else {
            Loaders::new(&st.store)
        })
        .data(Authorized(authorized(
            headers,
            st.config.admin_token.as_deref(),
        )));
    let op = req
        .operation_name
        .clone()
        .unwrap_or_else(|| "anonymous".into());
    let span = tracing::info_span!("graphql", operation = %op);
    let started = std::time::Instant::now();
    let exec = tracing::Instrument::instrument(st.schema.execute(req), span);
    // Stopped when the budget runs out; a request that finishes past it is refused all the
    // same, so the limit does not depend on the timer's resolution.
    let mut resp = match tokio::time::timeout(st.config.request_timeout, exec).await {
        Ok(r) if started.elapsed() <= st.config.request_timeout => with_codes(r),
        _ => {
            st.metrics.record(&op, started.elapsed(), true);
            return respond(
                StatusCode::OK,
                media,
                &error_body(
                    ErrorCode::Timeout,
                    &format!(
                        "the request took longer than {} ms and was stopped",
                        st.config.request_timeout.as_millis()
                    ),
                ),
            );
        }
    };
    order.apply(&mut resp.data);
    st.metrics.record(&op, started.elapsed(), resp.is_err());
    let request_failed = resp.data == async_graphql::Value::Null && resp.is_err();
    let status = if media == Media::GraphqlResponse && request_failed {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    match crate::json::response_bytes(&resp) {
        Ok(body) => respond_body(status, media, body),
        Err(e) => {
            tracing::error!(error = %e, "a response could not be written as JSON");
            respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                media,
                &error_body(ErrorCode::Internal, "internal error"),
            )
        }
    }
}

fn parse_json_field(
    v: Option<&serde_json::Value>,
    name: &str,
    object: bool,
) -> Result<Option<serde_json::Value>, String> {
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(x) if object && x.is_object() => Ok(Some(x.clone())),
        Some(serde_json::Value::String(_)) if !object => Ok(v.cloned()),
        Some(_) => Err(format!("`{name}` has the wrong type")),
    }
}

/// `POST /graphql`.
pub async fn post(State(st): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(media) = negotiate(&headers) else {
        return (
            StatusCode::NOT_ACCEPTABLE,
            "send Accept: application/graphql-response+json or application/json",
        )
            .into_response();
    };
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !ct.starts_with("application/json") {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the request as application/json",
        )
            .into_response();
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return respond(
                StatusCode::BAD_REQUEST,
                media,
                &error_body(
                    ErrorCode::BadUserInput,
                    &format!("the body is not JSON: {e}"),
                ),
            )
        }
    };
    let obj = match value {
        serde_json::Value::Object(o) => o,
        serde_json::Value::Array(_) => {
            return respond(
                StatusCode::BAD_REQUEST,
                media,
                &error_body(
                    ErrorCode::BadUserInput,
                    "batched requests are not supported: send one operation per request",
                ),
            )
        }
        _ => {
            return respond(
                StatusCode::BAD_REQUEST,
                media,
                &error_body(ErrorCode::BadUserInput, "the body must be a JSON object"),
            )
        }
    };
    let query = match obj.get("query") {
        Some(serde_json::Value::String(q)) => q.clone(),
        _ => {
            return respond(
                StatusCode::BAD_REQUEST,
                media,
                &error_body(ErrorCode::BadUserInput, "the body needs a `query` string"),
            )
        }
    };
    let fields = (|| -> Result<Incoming, String> {
        Ok(Incoming {
            query,
            operation_name: parse_json_field(obj.get("operationName"), "operationName", false)?
                .and_then(|v| v.as_str().map(str::to_string)),
            variables: parse_json_field(obj.get("variables"), "variables", true)?,
            extensions: parse_json_field(obj.get("extensions"), "extensions", true)?,
        })
    })();
    match fields {
        Ok(inc) => execute(&st, &headers, media, inc, false).await,
        Err(m) => respond(
            StatusCode::BAD_REQUEST,
            media,
            &error_body(ErrorCode::BadUserInput, &m),
        ),
    }
}

/// `GET /graphql`: GraphiQL for browsers, else a query in the URL.
pub async fn get(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !params.contains_key("query") && (accept.contains("text/html") || accept.is_empty()) {
        return Html(GRAPHIQL_HTML).into_response();
    }
    let Some(media) = negotiate(&headers) else {
        return (
            StatusCode::NOT_ACCEPTABLE,
            "send Accept: application/graphql-response+json or application/json",
        )
            .into_response();
    };
    let Some(query) = params.get("query").cloned() else {
        return respond(
            StatusCode::BAD_REQUEST,
            media,
            &error_body(ErrorCode::BadUserInput, "the URL needs a `query` parameter"),
        );
    };
    let json = |k: &str| -> Result<Option<serde_json::Value>, String> {
        match params.get(k) {
            None => Ok(None),
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => match serde_json::from_str::<serde_json::Value>(s) {
                Ok(v) if v.is_object() || v.is_null() => Ok(Some(v).filter(|v| !v.is_null())),
                _ => Err(format!("`{k}` must be a JSON object")),
            },
        }
    };
    let inc = match (json("variables"), json("extensions")) {
        (Ok(variables), Ok(extensions)) => Incoming {
            query,
            operation_name: params
                .get("operationName")
                .cloned()
                .filter(|s| !s.is_empty()),
            variables,
            extensions,
        },
        (Err(m), _) | (_, Err(m)) => {
            return respond(
                StatusCode::BAD_REQUEST,
                media,
                &error_body(ErrorCode::BadUserInput, &m),
            )
        }
    };
    execute(&st, &headers, media, inc, true).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(accept: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(accept) {
            m.insert(header::ACCEPT, v);
        }
        m
    }

    #[test]
    fn accept_negotiation() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(Media::Json));
        assert_eq!(
            negotiate(&h(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(Media::GraphqlResponse)
        );
        assert_eq!(negotiate(&h("application/json")), Some(Media::Json));
        assert_eq!(negotiate(&h("*/*")), Some(Media::Json));
        assert_eq!(negotiate(&h("text/xml")), None);
    }

    #[test]
    fn the_query_cache_keeps_parsed_queries_within_its_bounds() {
        let cache = QueryCache::default();
        let a = cache.parse("{ meetings { totalCount } }").unwrap();
        let again = cache.parse("{ meetings { totalCount } }").unwrap();
        assert!(Arc::ptr_eq(&a, &again), "the second parse is the first's");
        assert!(cache.parse("{ meetings { ").is_err());
        assert_eq!(cache.len(), 1, "a query that does not parse is not kept");
        let long = format!(
            "{{ meetings {{ totalCount }} }} #{}",
            "x".repeat(QueryCache::MAX_QUERY_BYTES)
        );
        cache.parse(&long).unwrap();
        assert_eq!(cache.len(), 1, "a long query is not kept");
        let wide = format!("{{ {} }}", "a ".repeat(QueryCache::MAX_SELECTIONS + 1));
        cache.parse(&wide).unwrap();
        assert_eq!(cache.len(), 1, "a query of many fields is not kept");
        for i in 0..QueryCache::MAX_ENTRIES + 10 {
            cache
                .parse(&format!("{{ m{i}: meetings {{ totalCount }} }}"))
                .unwrap();
            assert!(cache.len() <= QueryCache::MAX_ENTRIES);
        }
        assert!(
            cache.len() >= 10,
            "it starts afresh when full, then fills again"
        );
    }

    #[test]
    fn aliases_are_counted_in_fragments_too() {
        let doc = async_graphql::parser::parse_query(
            "{ a: node(id: 1) { id } ...F } fragment F on Query { b: node(id: 2) { c: id } }",
        )
        .ok();
        assert_eq!(doc.as_ref().map(count_aliases), Some(3));
    }
}
