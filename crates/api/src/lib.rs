//! # diplograph-api
//!
//! The GraphQL schema (async-graphql), its dataloaders, and the axum router that serves it
//! with GraphiQL, health checks and static assets. This is the only crate that knows GraphQL
//! and HTTP; it builds its output types from storage rows.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let store = diplograph_store::Store::connect("sqlite::memory:").await?;
//! store.migrate().await?;
//! let app = diplograph_api::router(diplograph_api::AppState::new(store, Default::default()));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

pub mod error;
pub mod export;
pub mod fast;
pub mod graphql_http;
pub mod http;
pub mod ids;
pub mod json;
pub mod loaders;
pub mod metrics;
pub mod openapi;
pub mod order;
pub mod schema;
pub mod types;

pub use http::{router, AppState};
pub use schema::{build, sdl, ApiConfig, Authorized, DiploSchema};
