//! Every GraphQL query in the README runs against the seed corpus and finds something, so
//! the documentation cannot drift from the schema.

use async_graphql::Request;
use diplograph_api::{build, loaders::Loaders, ApiConfig, Authorized};
use serde_json::Value;

use crate::support::{ingest_corpus, root, sqlite};

fn graphql_blocks(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in md.lines() {
        match (&mut cur, line.trim_start()) {
            (None, l) if l.starts_with("```graphql") => cur = Some(String::new()),
            (Some(_), l) if l.starts_with("```") => out.extend(cur.take()),
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    out
}

/// GraphQL inside JavaScript examples: gql`...`.
fn gql_templates(md: &str) -> Vec<String> {
    md.split("gql`")
        .skip(1)
        .filter_map(|rest| rest.split('`').next().map(str::to_string))
        .collect()
}

fn has_items(v: &Value) -> bool {
    match v {
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => o.values().any(has_items),
        _ => false,
    }
}

#[tokio::test]
async fn every_readme_query_runs_and_finds_something() {
    let md = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut queries = graphql_blocks(&md);
    assert!(queries.len() >= 10, "the README has its ten questions");
    let js = gql_templates(&md);
    assert!(!js.is_empty(), "the frontend example is checked too");
    queries.extend(js);
    let store = sqlite().await;
    ingest_corpus(&store).await;
    let schema = build(store.clone(), ApiConfig::default());
    for q in queries {
        let resp = schema
            .execute(
                Request::new(q.clone())
                    .data(Loaders::new(&store))
                    .data(Authorized(false)),
            )
            .await;
        let v = serde_json::to_value(&resp).unwrap();
        assert!(v["errors"].is_null(), "{q}\n{v}");
        assert!(has_items(&v["data"]), "finds nothing:\n{q}");
    }
}
