//! The cost of one GraphQL request without HTTP: runs a query through the schema, one
//! request after another on a single thread, and prints microseconds per request. With
//! `/usr/bin/time` around it, user + system time over requests is the CPU a request
//! costs on this side of the database connection.
//!
//! `cargo run --release --example graphql_in_process -- DATABASE_URL [REQUESTS] [QUERY]`
//! (the query defaults to `bench/load.sh`'s nested one).

use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const NESTED: &str = "query Nested { meetings(first: 20) { edges { node { title participants { name quotations(first: 5) { edges { node { text document { title } } } } } } } } }";

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or_else(|| {
        anyhow::anyhow!("usage: graphql_in_process DATABASE_URL [REQUESTS] [QUERY]")
    })?;
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(2000);
    let query = args.next().unwrap_or_else(|| NESTED.to_string());
    let store = diplograph_store::Store::connect(&url).await?;
    let schema = diplograph_api::build(store.clone(), Default::default());
    let queries = diplograph_api::graphql_http::QueryCache::default();
    for round in 1..=3 {
        let started = Instant::now();
        let mut bytes = 0;
        for _ in 0..n {
            // As the HTTP handler does: the parsed query from the cache, executed, the
            // answer put in query order and written as JSON.
            let doc = queries.parse(&query)?;
            let mut req = async_graphql::Request::new(query.as_str())
                .data(diplograph_api::loaders::Loaders::new(&store))
                .data(diplograph_api::Authorized(false));
            let order = diplograph_api::order::Order::of(&doc, None);
            req.set_parsed_query(async_graphql::parser::types::ExecutableDocument::clone(
                &doc,
            ));
            let mut resp = schema.execute(req).await;
            order.apply(&mut resp.data);
            if let Some(e) = resp.errors.first() {
                anyhow::bail!("the query failed: {}", e.message);
            }
            bytes += diplograph_api::json::response_bytes(&resp)?.len();
        }
        let per = started.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64;
        println!(
            "round {round}: {per:.1} µs per request, {} bytes per response",
            bytes / n.max(1)
        );
    }
    Ok(())
}
