//! The GraphQL schema executed in-process against the ingested corpus.

use async_graphql::{Request, Variables};
use diplograph_api::{build, loaders::Loaders, ApiConfig, Authorized, DiploSchema};
use diplograph_store::Store;
use serde_json::{json, Value};

use crate::support::{ingest_corpus, root, sqlite};

async fn setup(cfg: ApiConfig) -> (DiploSchema, Store) {
    let store = sqlite().await;
    ingest_corpus(&store).await;
    (build(store.clone(), cfg), store)
}

async fn run(schema: &DiploSchema, store: &Store, q: &str, vars: Value, auth: bool) -> Value {
    let req = Request::new(q)
        .variables(Variables::from_json(vars))
        .data(Loaders::new(store))
        .data(Authorized(auth));
    serde_json::to_value(schema.execute(req).await).unwrap()
}

#[tokio::test]
async fn meetings_since_2019_with_people_and_documents() {
    let (schema, store) = setup(ApiConfig::default()).await;
    let v = run(&schema, &store, r#"{ meetings(filter: {from: "2019-01-01", status: HELD, kind: TALKS}) {
        totalCount edges { node { date { text } place { name } participants { name } documents { title } } } } }"#, json!({}), false).await;
    assert!(v["errors"].is_null(), "{v}");
    let edges = v["data"]["meetings"]["edges"].as_array().unwrap();
    let find = |d: &str| {
        edges
            .iter()
            .find(|e| e["node"]["date"]["text"] == d)
            .map(|e| e["node"].clone())
            .unwrap_or(Value::Null)
    };
    for date in ["2019-01-14", "2019-05-10"] {
        let m = find(date);
        assert_eq!(m["place"]["name"], "Moscow", "{date}: {v}");
        let names: Vec<&str> = m["participants"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(
            names.contains(&"Sergey Lavrov") && names.contains(&"Taro Kono"),
            "{date}: {names:?}"
        );
    }
    assert_eq!(
        find("2019-01-14")["documents"].as_array().unwrap().len(),
        3,
        "reported by two documents, mentioned by a third"
    );
    assert_eq!(find("2019-05-10")["documents"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn kono_quotes_with_spans_that_point_at_the_source() {
    let (schema, store) = setup(ApiConfig::default()).await;
    let v = run(&schema, &store, r#"{ quotations(filter: {speakerName: "Taro Kono"}, first: 50) {
        totalCount edges { cursor node { text kind speaker { name } span { start end text } document { title kind } } } } }"#, json!({}), false).await;
    assert!(v["errors"].is_null(), "{v}");
    assert_eq!(v["data"]["quotations"]["totalCount"], 7);
    for e in v["data"]["quotations"]["edges"].as_array().unwrap() {
        let n = &e["node"];
        assert_eq!(n["speaker"]["name"], "Taro Kono");
        assert_eq!(n["document"]["kind"], "NEWS_REPORT");
        assert_eq!(
            n["span"]["text"], n["text"],
            "the span gives back the exact words"
        );
    }
}

#[tokio::test]
async fn node_ids_round_trip_and_pagination_is_relay() {
    let (schema, store) = setup(ApiConfig::default()).await;
    let v = run(&schema, &store, r#"{ participants(first: 2) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name } } } }"#, json!({}), false).await;
    let first = &v["data"]["participants"];
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let id = first["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let name = first["edges"][0]["node"]["name"].clone();
    let v = run(
        &schema,
        &store,
        r#"query($id: ID!) { node(id: $id) { id ... on Participant { name aliases } } }"#,
        json!({"id": id}),
        false,
    )
    .await;
    assert_eq!(v["data"]["node"]["name"], name, "{v}");
    let after = first["pageInfo"]["endCursor"].as_str().unwrap();
    let v = run(
        &schema,
        &store,
        r#"query($a: String) { participants(first: 2, after: $a) { edges { node { name } } } }"#,
        json!({"a": after}),
        false,
    )
    .await;
    let next = v["data"]["participants"]["edges"][0]["node"]["name"].clone();
    assert_ne!(next, name, "the next page starts after the cursor");
}

/// Every edge's cursor continues the list right after its item, and a page's start and
/// end cursors are its first and last edges' cursors, on every page of a list.
#[tokio::test]
async fn edge_cursors_continue_after_their_item() {
    let (schema, store) = setup(ApiConfig::default()).await;
    let list = "query($a: String) { participants(first: 4, after: $a) { pageInfo { startCursor endCursor } edges { cursor node { id } } } }";
    let all = run(
        &schema,
        &store,
        "{ participants(first: 100) { edges { node { id } } } }",
        json!({}),
        false,
    )
    .await;
    let ids: Vec<Value> = all["data"]["participants"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].clone())
        .collect();
    assert!(ids.len() > 6, "{all}");
    let mut after = Value::Null;
    let mut at = 0;
    while at < ids.len() {
        let v = run(&schema, &store, list, json!({ "a": after }), false).await;
        let page = &v["data"]["participants"];
        let edges = page["edges"].as_array().unwrap();
        assert!(!edges.is_empty(), "{v}");
        assert_eq!(page["pageInfo"]["startCursor"], edges[0]["cursor"], "{v}");
        assert_eq!(
            page["pageInfo"]["endCursor"],
            edges[edges.len() - 1]["cursor"],
            "{v}"
        );
        for (i, e) in edges.iter().enumerate() {
            assert_eq!(e["node"]["id"], ids[at + i], "{v}");
            let rest = run(&schema, &store, list, json!({ "a": e["cursor"] }), false).await;
            let following = &rest["data"]["participants"]["edges"][0]["node"]["id"];
            let want = ids.get(at + i + 1).cloned().unwrap_or(Value::Null);
            assert_eq!(
                following,
                &want,
                "after the cursor of item {}: {rest}",
                at + i
            );
        }
        at += edges.len();
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// `hasNextPage` is right however the query asks for it (directly, in inline fragments
/// inside `pageInfo` and around it, in a named fragment), on top-level lists and on nested pages, with and without
/// `totalCount` beside it; and a page that does not ask still holds its items.
#[tokio::test]
async fn has_next_page_however_it_is_asked() {
    let (schema, store) = setup(ApiConfig::default()).await;
    let counted = run(
        &schema,
        &store,
        "{ meetings(first: 100) { totalCount edges { node { participants { id \
         quotations(first: 100) { totalCount } } } } } }",
        json!({}),
        false,
    )
    .await;
    let total = counted["data"]["meetings"]["totalCount"].as_u64().unwrap();
    assert!(total > 3, "{counted}");
    let mut spoken: Vec<u64> = Vec::new();
    for m in counted["data"]["meetings"]["edges"].as_array().unwrap() {
        for p in m["node"]["participants"].as_array().unwrap() {
            spoken.push(p["quotations"]["totalCount"].as_u64().unwrap());
        }
    }
    assert!(
        spoken.iter().any(|&n| n > 2) && spoken.iter().any(|&n| n <= 2),
        "{spoken:?}"
    );
    let shapes = [
        "pageInfo { hasNextPage }",
        "pageInfo { ... on PageInfo { hasNextPage } }",
        "pageInfo { ...P }",
        "pageInfo { hasNextPage } totalCount",
        "... { pageInfo { hasNextPage } }",
    ];
    for shape in shapes {
        // The named fragment is defined only where it is used (an unused one is invalid).
        let fragment = if shape.contains("...P") {
            " fragment P on PageInfo { hasNextPage }"
        } else {
            ""
        };
        for first in [2, total - 1, total] {
            let q = format!(
                "query($f: Int) {{ meetings(first: $f) {{ {shape} edges {{ node {{ \
                 participants {{ quotations(first: 2) {{ {shape} edges {{ node {{ id }} }} }} }} }} }} }} }}{fragment}"
            );
            let v = run(&schema, &store, &q, json!({ "f": first }), false).await;
            let page = &v["data"]["meetings"];
            assert_eq!(
                page["pageInfo"]["hasNextPage"],
                first < total,
                "{shape} {first}: {v}"
            );
            let mut seen = 0;
            for m in page["edges"].as_array().unwrap() {
                for p in m["node"]["participants"].as_array().unwrap() {
                    let n = spoken[seen];
                    seen += 1;
                    let quotations = &p["quotations"];
                    assert_eq!(quotations["pageInfo"]["hasNextPage"], n > 2, "{shape}: {v}");
                    assert_eq!(
                        quotations["edges"].as_array().unwrap().len() as u64,
                        n.min(2),
                        "{shape}"
                    );
                }
            }
            assert!(seen > 0, "{v}");
        }
    }
    // Without `pageInfo`, the pages hold their items all the same.
    let v = run(
        &schema,
        &store,
        "{ meetings(first: 100) { edges { node { participants { quotations(first: 2) { edges { cursor node { id } } } } } } } }",
        json!({}),
        false,
    )
    .await;
    let held: Vec<u64> = v["data"]["meetings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["node"]["participants"].as_array().unwrap().clone())
        .map(|p| p["quotations"]["edges"].as_array().unwrap().len() as u64)
        .collect();
    assert_eq!(held, spoken.iter().map(|n| (*n).min(2)).collect::<Vec<_>>());
}

#[tokio::test]
async fn limits_and_bad_input_give_coded_errors() {
    let (schema, store) = setup(ApiConfig::default()).await;
    let v = run(
        &schema,
        &store,
        "{ meetings(first: 1000) { totalCount } }",
        json!({}),
        false,
    )
    .await;
    assert_eq!(
        v["errors"][0]["extensions"]["code"], "PAGE_TOO_LARGE",
        "{v}"
    );
    let v = run(
        &schema,
        &store,
        r#"{ meetings(filter: {from: "last year"}) { totalCount } }"#,
        json!({}),
        false,
    )
    .await;
    assert_eq!(
        v["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{v}"
    );
    let v = run(
        &schema,
        &store,
        r#"{ node(id: "nonsense!") { id } }"#,
        json!({}),
        false,
    )
    .await;
    assert_eq!(
        v["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{v}"
    );
}

#[tokio::test]
async fn writes_need_the_token() {
    let q = r#"mutation($c: String!) { ingestDocument(content: $c, fileName: "new.txt") { created document { title kind } } }"#;
    let doc = json!({"c": "PARIS, May 4, 2021 (AFP) - Foreign Minister Ana Ruiz held talks with her Chilean counterpart Luis Soto. \"We agreed,\" Ruiz said."});
    let (schema, store) = setup(ApiConfig::default()).await;
    let v = run(&schema, &store, q, doc.clone(), true).await;
    assert_eq!(
        v["errors"][0]["extensions"]["code"], "WRITES_DISABLED",
        "{v}"
    );
    let (schema, store) = setup(ApiConfig {
        admin_token: Some("s3cret".into()),
        ..ApiConfig::default()
    })
    .await;
    let v = run(&schema, &store, q, doc.clone(), false).await;
    assert_eq!(
        v["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{v}"
    );
    let v = run(&schema, &store, q, doc.clone(), true).await;
    assert_eq!(v["data"]["ingestDocument"]["created"], true, "{v}");
    assert_eq!(
        v["data"]["ingestDocument"]["document"]["kind"],
        "NEWS_REPORT"
    );
    let v = run(&schema, &store, q, doc, true).await;
    assert_eq!(
        v["data"]["ingestDocument"]["created"], false,
        "idempotent: {v}"
    );
}

#[test]
fn committed_schema_matches_the_code() {
    let committed = std::fs::read_to_string(root().join("schema.graphql")).unwrap_or_default();
    let now = diplograph_api::sdl();
    assert!(
        committed == now,
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
    );
}

#[tokio::test]
async fn every_type_and_field_is_described() {
    let (schema, store) = setup(ApiConfig::default()).await;
    let q = r#"{ __schema { types { name kind description
        fields { name description args { name description } }
        inputFields { name description }
        enumValues { name description } } } }"#;
    let v = run(&schema, &store, q, json!({}), false).await;
    let mut missing = Vec::new();
    let empty = |d: &Value| d.as_str().is_none_or(|s| s.trim().is_empty());
    for t in v["data"]["__schema"]["types"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap_or("");
        if name.starts_with("__") || t["kind"] == "SCALAR" {
            continue;
        }
        if empty(&t["description"]) {
            missing.push(name.to_string());
        }
        for key in ["fields", "inputFields", "enumValues"] {
            for f in t[key].as_array().into_iter().flatten() {
                if empty(&f["description"]) {
                    missing.push(format!("{name}.{}", f["name"].as_str().unwrap_or("")));
                }
                for a in f["args"].as_array().into_iter().flatten() {
                    if empty(&a["description"]) {
                        missing.push(format!(
                            "{name}.{}({})",
                            f["name"].as_str().unwrap_or(""),
                            a["name"].as_str().unwrap_or("")
                        ));
                    }
                }
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}

#[tokio::test]
async fn corrections_through_mutations() {
    let (schema, store) = setup(ApiConfig {
        admin_token: Some("t".into()),
        ..ApiConfig::default()
    })
    .await;
    let ids = run(
        &schema,
        &store,
        r#"{
        org: participants(filter: {kind: ORGANIZATION}) { edges { node { id } } }
        lavrov: participants(filter: {name: "Sergey Lavrov"}) { edges { node { id } } }
        q: quotations(filter: {text: "normal diplomatic relations"}) { edges { node { id } } }
        d: documents(first: 1) { edges { node { id } } } }"#,
        json!({}),
        true,
    )
    .await;
    let org = ids["data"]["org"]["edges"][0]["node"]["id"].clone();
    let lavrov = ids["data"]["lavrov"]["edges"][0]["node"]["id"].clone();
    let q = ids["data"]["q"]["edges"][0]["node"]["id"].clone();
    let d = ids["data"]["d"]["edges"][0]["node"]["id"].clone();

    let m = "mutation($q: ID!, $s: ID!) { setQuotationSpeaker(quotation: $q, speaker: $s) { speaker { name } } }";
    let v = run(&schema, &store, m, json!({"q": q, "s": lavrov}), false).await;
    assert_eq!(
        v["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{v}"
    );
    let v = run(&schema, &store, m, json!({"q": q, "s": lavrov}), true).await;
    assert_eq!(
        v["data"]["setQuotationSpeaker"]["speaker"]["name"], "Sergey Lavrov",
        "{v}"
    );

    let m = "mutation($f: ID!, $i: ID!) { mergeParticipants(from: $f, into: $i) { name aliases } }";
    let v = run(&schema, &store, m, json!({"f": org, "i": lavrov}), true).await;
    assert_eq!(
        v["data"]["mergeParticipants"]["name"], "Sergey Lavrov",
        "{v}"
    );
    let v = run(&schema, &store, m, json!({"f": lavrov, "i": lavrov}), true).await;
    assert_eq!(
        v["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{v}"
    );

    let m = "mutation($d: ID!) { deleteDocument(id: $d) }";
    let v = run(&schema, &store, m, json!({"d": d}), true).await;
    assert_eq!(v["data"]["deleteDocument"], true, "{v}");
    let v = run(
        &schema,
        &store,
        "query($d: ID!) { node(id: $d) { id } }",
        json!({"d": d}),
        false,
    )
    .await;
    assert!(v["data"]["node"].is_null(), "{v}");
    let v = run(&schema, &store, m, json!({"d": d}), true).await;
    assert_eq!(v["errors"][0]["extensions"]["code"], "NOT_FOUND", "{v}");
    let v = run(
        &schema,
        &store,
        "{ corrections { kind actor createdAt details } }",
        json!({}),
        false,
    )
    .await;
    let kinds: Vec<&str> = v["data"]["corrections"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "DELETE_DOCUMENT",
            "MERGE_PARTICIPANTS",
            "SET_QUOTATION_SPEAKER"
        ],
        "newest first: {v}"
    );
}

#[tokio::test]
async fn search_returns_ranked_hits_with_their_nodes() {
    let (schema, store) = setup(ApiConfig::default()).await;
    let v = run(&schema, &store, r#"{ search(query: "missile defence", first: 5) { totalCount edges { node { snippet score
        node { __typename id ... on Quotation { speaker { name } } ... on Document { title } } } } } }"#, json!({}), false).await;
    assert!(v["errors"].is_null(), "{v}");
    let edges = v["data"]["search"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 5);
    for e in edges {
        let snippet = e["node"]["snippet"].as_str().unwrap().to_lowercase();
        assert!(
            snippet.contains("[missile]") || snippet.contains("[defence]"),
            "{snippet}"
        );
        assert!(e["node"]["node"]["id"].is_string());
    }
}

fn synthetic_report(i: usize) -> String {
    let first = [
        "Ana", "Luis", "Marta", "Pavel", "Ines", "Karl", "Olga", "Hugo",
    ];
    let last = [
        "Ruiz", "Soto", "Lind", "Novak", "Berg", "Costa", "Meyer", "Dahl",
    ];
    let cities = [
        "Rome", "Madrid", "Vienna", "Oslo", "Geneva", "Paris", "Berlin", "Warsaw",
    ];
    let (a, b) = (i % 8, (i * 3 + 1) % 8);
    format!(
        "Talks in {city}\n\n{upper}, March {day}, 2021 (Agency) - Foreign Minister {fa} {la} held talks with Foreign Minister {fb} {lb}.\n\n\
         \"We agreed to continue the dialogue on trade,\" {la} said. \"The next round will take place in May,\" {lb} added.",
        city = cities[i % 8],
        upper = cities[i % 8].to_uppercase(),
        day = 1 + i % 27,
        fa = first[a],
        la = last[a],
        fb = first[b],
        lb = last[b],
    )
}

/// Ingests the first `n` synthetic reports.
async fn ingest_synthetic(store: &Store, n: usize) {
    for i in 0..n {
        store
            .ingest(
                synthetic_report(i).as_bytes(),
                Some(&format!("s{i}.txt")),
                &Default::default(),
            )
            .await
            .unwrap();
    }
}

async fn count_statements(
    schema: &DiploSchema,
    store: &Store,
    counter: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
    q: &str,
) -> usize {
    counter.store(0, std::sync::atomic::Ordering::SeqCst);
    let v = run(schema, store, q, json!({}), false).await;
    assert!(v["errors"].is_null(), "{v}");
    counter.load(std::sync::atomic::Ordering::SeqCst)
}

#[tokio::test]
async fn a_mutation_reads_documents_afresh_and_a_query_remembers_them() {
    let (_, store) = setup(ApiConfig::default()).await;
    let head = store.document_heads_by_ids(&[1]).await.unwrap();
    let mut fed = head.first().cloned().expect("document 1");
    fed.title = "remembered".into();
    let title = |d: Option<diplograph_store::entities::document::Model>| d.map(|d| d.title);
    let query = Loaders::new(&store);
    query.document.feed_one(1, fed.clone()).await;
    let got = query.document.load_one(1).await.unwrap();
    assert_eq!(title(got), Some("remembered".to_string()));
    let mutation = Loaders::for_mutation(&store);
    mutation.document.feed_one(1, fed).await;
    let got = mutation.document.load_one(1).await.unwrap();
    assert_eq!(
        title(got),
        head.first().map(|d| d.title.clone()),
        "read from the store"
    );
}

/// The first meeting by date, and the number of meetings (counted, or only whether more
/// follow).
async fn first_meeting(
    store: &Store,
    count: bool,
) -> (Vec<diplograph_store::entities::meeting::Model>, u64) {
    store
        .meetings(
            &Default::default(),
            diplograph_store::DateOrder::Asc,
            diplograph_store::Page {
                offset: 0,
                limit: 1,
                count,
                more: true,
            },
        )
        .await
        .unwrap()
}

/// A schema over `store` and a counter of the statements the store runs.
fn counting(store: &mut Store) -> (DiploSchema, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let c = counter.clone();
    store.on_statement(move |_| {
        c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    (build(store.clone(), ApiConfig::default()), counter)
}

#[tokio::test]
async fn nested_queries_run_a_bounded_number_of_statements() {
    let mut store = sqlite().await;
    ingest_corpus(&store).await;
    let (schema, counter) = counting(&mut store);
    let q = r#"{ meetings(first: 20) { totalCount edges { node { title date { text } place { name }
        participants { name aliases counterparts { participant { name } meetings { title } } quotations(first: 5) { totalCount edges { node { text span { text } document { title } topics { slug } } } } }
        documents { title }
        claims(first: 3) { edges { node { text claimant { name } } } } } } }
        topics { slug quotationCount claimCount } }"#;
    let small = count_statements(&schema, &store, &counter, q).await;
    ingest_synthetic(&store, 40).await;
    let (_, meetings) = first_meeting(&store, true).await;
    assert!(meetings > 40, "the data grew");
    let large = count_statements(&schema, &store, &counter, q).await;
    assert!(small >= 5, "the counter sees the statements: {small}");
    assert_eq!(small, large, "statements must not grow with the data");
    // About two statements per list field of the query (it has a dozen), never per row.
    assert!(
        large <= 30,
        "a handful of batched statements, not one per row: {large}"
    );
}

/// Every `totalCount` in a response, in document order.
fn totals(v: &Value) -> Vec<i64> {
    match v {
        Value::Object(m) => m
            .iter()
            .flat_map(|(k, v)| match (k.as_str(), v.as_i64()) {
                ("totalCount", Some(n)) => vec![n],
                _ => totals(v),
            })
            .collect(),
        Value::Array(a) => a.iter().flat_map(totals).collect(),
        _ => Vec::new(),
    }
}

/// A list asked for its total alone shows no item and reads none: the count is its only
/// statement, and the total is the one the same list gives beside its items. Beside its
/// items a list is counted too, unless its page holds fewer items than it could.
#[tokio::test]
async fn totals_alone_read_no_rows() {
    for (backend, mut store) in crate::support::backends().await {
        ingest_corpus(&store).await;
        let (schema, counter) = counting(&mut store);
        let slug = run(&schema, &store, "{ topics { slug } }", json!({}), false).await["data"]
            ["topics"][0]["slug"]
            .as_str()
            .expect("a topic")
            .to_string();
        let topic = format!("filter: {{topic: \"{slug}\"}}");
        // (the lists' fields with their totals alone, the same with their items, how many
        // pages the items take)
        let cases = [
            (format!("quotations({topic}) {{ totalCount }}"), format!("quotations({topic}) {{ totalCount edges {{ node {{ id }} }} }}"), 1),
            (format!("claims({topic}) {{ totalCount }}"), format!("claims({topic}) {{ totalCount edges {{ node {{ id }} }} }}"), 1),
            ("meetings { totalCount }".into(), "meetings { totalCount pageInfo { hasNextPage } }".into(), 1),
            ("documents(first: 2) { totalCount }".into(), "documents(first: 2) { totalCount edges { cursor } }".into(), 1),
            ("participants(first: 5) { totalCount }".into(), "participants(first: 5) { totalCount edges { node { id } } }".into(), 1),
            // A page that ends its list before its limit is its own total: no count.
            ("participants(first: 100) { totalCount }".into(), "participants(first: 100) { totalCount edges { node { id } } }".into(), 0),
            ("search(query: \"talks\") { totalCount }".into(), "search(query: \"talks\") { totalCount edges { node { score } } }".into(), 1),
            ("participants(first: 5) { edges { node { quotations(first: 2) { totalCount } claims(first: 2) { totalCount } } } }".into(),
             "participants(first: 5) { edges { node { quotations(first: 2) { totalCount edges { node { id } } } claims(first: 2) { totalCount edges { node { id } } } } } }".into(), 2),
        ];
        for (alone, shown, pages) in cases {
            let (alone, shown) = (format!("{{ {alone} }}"), format!("{{ {shown} }}"));
            // Once first: a topic's slug is looked up once per store.
            run(&schema, &store, &shown, json!({}), false).await;
            let with_items = count_statements(&schema, &store, &counter, &shown).await;
            let without = count_statements(&schema, &store, &counter, &alone).await;
            let a = run(&schema, &store, &alone, json!({}), false).await;
            let b = run(&schema, &store, &shown, json!({}), false).await;
            let (ta, tb) = (totals(&a["data"]), totals(&b["data"]));
            assert!(
                !ta.is_empty() && ta.iter().any(|n| *n > 0),
                "{backend}: {alone}: {a}"
            );
            assert_eq!(ta, tb, "{backend}: the same totals for {alone}");
            let short = pages == 0 && ta.iter().all(|n| *n < 100);
            assert!(
                pages > 0 || short,
                "{backend}: {alone} {ta:?}, a page not full"
            );
            // Postgres counts a search's hits in the statement that ranks them.
            let pages = if backend == "postgres" && alone.contains("search(") {
                0
            } else {
                pages
            };
            assert_eq!(without + pages, with_items, "{backend}: {alone}");
        }
    }
}

#[tokio::test]
async fn documents_under_pages_come_with_the_page_and_match_the_documents_by_id() {
    for (backend, store) in crate::support::backends().await {
        documents_come_with_pages(backend, store).await;
    }
}

async fn documents_come_with_pages(backend: &str, mut store: Store) {
    ingest_corpus(&store).await;
    // Reports whose people speak in several documents with different titles, so that one
    // person's page of quotations spans documents.
    ingest_synthetic(&store, 16).await;
    let (schema, counter) = counting(&mut store);
    // The benchmark's nested query: a page of meetings, their participants, a page of each
    // one's quotations; the participants are read with the meetings, the quotations'
    // documents with the quotations.
    let nested = "{ meetings(first: 20) { edges { node { title participants { name \
        quotations(first: 5) { edges { node { text document { title } } } } } } } } }";
    assert_eq!(
        count_statements(&schema, &store, &counter, nested).await,
        2,
        "{backend}: meetings with their participants, quotations with their documents"
    );
    let head = "document { id title kind source url fileName publishedOn { text } publishedTime \
        yearInferred place { name } dateline language text contentHash ingestedAt }";
    let q = format!(
        "{{ meetings(first: 50) {{ edges {{ node {{ participants {{ quotations(first: 5) {{ edges {{ node {{ id {head} }} }} }} }} \
         quotations(first: 3) {{ edges {{ node {{ id {head} }} }} }} claims(first: 3) {{ edges {{ node {{ id {head} }} }} }} }} }} }} }}"
    );
    let v = run(&schema, &store, &q, json!({}), false).await;
    assert!(v["errors"].is_null(), "{v}");
    let mut seen = Vec::new();
    for m in v["data"]["meetings"]["edges"].as_array().unwrap() {
        let node = &m["node"];
        let mut pages: Vec<&Value> = vec![&node["quotations"], &node["claims"]];
        for p in node["participants"].as_array().unwrap() {
            pages.push(&p["quotations"]);
        }
        for page in pages {
            for e in page["edges"].as_array().unwrap() {
                seen.push((e["node"]["id"].clone(), e["node"]["document"].clone()));
            }
        }
    }
    assert!(seen.len() > 20, "{backend}: {} items", seen.len());
    // Pages whose documents select only their title read titles alone, in the same number
    // of statements; a document selected whole beside it (an alias, a fragment) is whole.
    let titled = "{ meetings(first: 50) { edges { node { participants { \
        quotations(first: 5) { edges { node { id document { id title __typename } } } } } \
        claims(first: 3) { edges { node { id a: document { id title __typename } b: document { ...Head } } } } } } } } \
        fragment Head on Document { title url kind publishedOn { text } dateline }";
    let v = run(&schema, &store, titled, json!({}), false).await;
    assert!(v["errors"].is_null(), "{v}");
    let mut titles = 0;
    let mut mixed_pages = 0;
    for m in v["data"]["meetings"]["edges"].as_array().unwrap() {
        let node = &m["node"];
        let mut items: Vec<(&Value, &Value)> = Vec::new();
        for p in node["participants"].as_array().unwrap() {
            let mut distinct = std::collections::HashSet::new();
            for e in p["quotations"]["edges"].as_array().unwrap() {
                items.push((&e["node"]["id"], &e["node"]["document"]));
                distinct.insert(e["node"]["document"]["title"].to_string());
            }
            mixed_pages += usize::from(distinct.len() > 1);
        }
        for e in node["claims"]["edges"].as_array().unwrap() {
            items.push((&e["node"]["id"], &e["node"]["a"]));
            let b = &e["node"]["b"];
            let whole = seen.iter().find(|(i, _)| i == &e["node"]["id"]);
            let whole = &whole.expect("the same claim in the query of heads").1;
            for k in ["title", "url", "kind", "publishedOn", "dateline"] {
                assert_eq!(b[k], whole[k], "{backend}: {k} of {b}");
            }
        }
        for (id, document) in items {
            let whole = seen.iter().find(|(i, _)| i == id);
            let whole = &whole.expect("the same item in the query of heads").1;
            assert_eq!(document["id"], whole["id"], "{backend}: {id}");
            assert_eq!(document["title"], whole["title"], "{backend}: {id}");
            assert_eq!(document["__typename"], "Document", "{backend}: {id}");
            titles += 1;
        }
    }
    assert!(titles > 20, "{backend}: {titles} titles");
    assert!(
        mixed_pages > 0,
        "{backend}: some page's quotations come from documents with different titles"
    );
    for (id, document) in seen {
        // The same item on its own: its document read by id.
        let one = run(
            &schema,
            &store,
            &format!("query($id: ID!) {{ node(id: $id) {{ ... on Quotation {{ {head} }} ... on Claim {{ {head} }} }} }}"),
            json!({ "id": id }),
            false,
        )
        .await;
        assert!(one["errors"].is_null(), "{one}");
        assert!(document["title"].is_string(), "{document}");
        assert_eq!(one["data"]["node"]["document"], document, "{backend}: {id}");
    }
}

/// Walks a connection page by page without asking for `totalCount` (the server then reads
/// one row more instead of counting) and returns the ids seen and each page's hasNextPage.
async fn walk(
    schema: &DiploSchema,
    store: &Store,
    q: &str,
    at: &[&str],
    vars: Value,
) -> (Vec<String>, Vec<bool>) {
    let (mut ids, mut more) = (Vec::new(), Vec::new());
    let mut after: Option<String> = None;
    for _ in 0..500 {
        let mut v = vars.clone();
        v["a"] = json!(after);
        let r = run(schema, store, q, v, false).await;
        let mut conn = &r["data"];
        for k in at {
            conn = &conn[k];
        }
        assert!(conn.is_object(), "{r}");
        for e in conn["edges"].as_array().unwrap() {
            ids.push(e["node"]["id"].as_str().unwrap().to_string());
        }
        let next = conn["pageInfo"]["hasNextPage"].as_bool().unwrap();
        more.push(next);
        if !next {
            break;
        }
        after = conn["pageInfo"]["endCursor"].as_str().map(str::to_string);
    }
    (ids, more)
}

#[tokio::test]
async fn pages_without_total_count_still_say_when_the_list_ends() {
    for (backend, store) in crate::support::backends().await {
        ingest_corpus(&store).await;
        let schema = build(store.clone(), ApiConfig::default());
        eprintln!("{backend}");
        pages_end_where_the_count_says(&schema, &store).await;
    }
}

async fn pages_end_where_the_count_says(schema: &DiploSchema, store: &Store) {
    let (schema, store) = (schema.clone(), store.clone());
    // Top level.
    let v = run(
        &schema,
        &store,
        "{ quotations(first: 1) { totalCount } }",
        json!({}),
        false,
    )
    .await;
    let total = v["data"]["quotations"]["totalCount"].as_u64().unwrap() as usize;
    assert!(total > 20, "{v}");
    let (ids, more) = walk(
        &schema,
        &store,
        "query($a: String) { quotations(first: 7, after: $a) { pageInfo { hasNextPage endCursor } edges { node { id } } } }",
        &["quotations"],
        json!({}),
    )
    .await;
    assert_eq!(ids.len(), total);
    assert_eq!(
        ids.iter().collect::<std::collections::HashSet<_>>().len(),
        total
    );
    assert_eq!(more.len(), total.div_ceil(7));
    assert!(more[..more.len() - 1].iter().all(|m| *m) && !more[more.len() - 1]);
    // Nested, through the page loader: the participant who said most.
    let v = run(
        &schema,
        &store,
        "{ participants(first: 100) { edges { node { id quotations(first: 1) { totalCount } } } } }",
        json!({}),
        false,
    )
    .await;
    let (pid, n) = v["data"]["participants"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["id"].as_str().unwrap().to_string(),
                e["node"]["quotations"]["totalCount"].as_u64().unwrap() as usize,
            )
        })
        .max_by_key(|p| p.1)
        .unwrap();
    assert!(n >= 5, "{v}");
    let (ids, more) = walk(
        &schema,
        &store,
        "query($id: ID!, $a: String) { node(id: $id) { ... on Participant { quotations(first: 2, after: $a) { pageInfo { hasNextPage endCursor } edges { node { id } } } } } }",
        &["node", "quotations"],
        json!({"id": pid}),
    )
    .await;
    assert_eq!(ids.len(), n);
    assert_eq!(more.len(), n.div_ceil(2));
    assert!(more[..more.len() - 1].iter().all(|m| *m) && !more[more.len() - 1]);
}

#[tokio::test]
async fn a_document_reached_through_a_list_still_gives_its_text() {
    let (schema, store) = setup(ApiConfig::default()).await;
    let v = run(
        &schema,
        &store,
        "{ quotations(first: 30) { edges { node { text span { start end } document { title text } } } } }",
        json!({}),
        false,
    )
    .await;
    let edges = v["data"]["quotations"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 30, "{v}");
    for e in edges {
        let n = &e["node"];
        let text = n["document"]["text"].as_str().unwrap();
        let (s, end) = (
            n["span"]["start"].as_u64().unwrap() as usize,
            n["span"]["end"].as_u64().unwrap() as usize,
        );
        let quoted: String = text.chars().skip(s).take(end - s).collect();
        assert_eq!(
            quoted,
            n["text"].as_str().unwrap(),
            "{}",
            n["document"]["title"]
        );
    }
}

/// A page of meetings whose nodes select their participants reads them with the page (one
/// statement for both): each meeting's participants, and the page itself, must be what
/// the meeting read alone and the page read without participants give, in either order,
/// past the first page, counted or not, and for a meeting left without participants.
#[tokio::test]
async fn meetings_read_with_their_participants_match_each_meeting_read_alone() {
    use diplograph_store::sea_orm::ConnectionTrait;
    for (backend, mut store) in crate::support::backends().await {
        ingest_corpus(&store).await;
        // The first meeting left without participants (a LEFT JOIN's empty side).
        let (first, _) = first_meeting(&store, false).await;
        let lonely = store
            .connection()
            .execute_unprepared(&format!(
                "DELETE FROM meeting_participants WHERE meeting_id = {}",
                first[0].id
            ))
            .await
            .unwrap();
        assert!(lonely.rows_affected() > 0, "{backend}");
        let (schema, counter) = counting(&mut store);
        let mut empty = 0;
        let mut seen = 0;
        for order in ["ASC", "DESC"] {
            let third = run(
                &schema,
                &store,
                &format!("{{ meetings(first: 3, orderBy: {order}) {{ edges {{ cursor }} }} }}"),
                json!({}),
                false,
            )
            .await;
            let cursor = third["data"]["meetings"]["edges"][2]["cursor"].to_string();
            for (after, total) in [
                ("null", ""),
                ("null", "totalCount"),
                (cursor.as_str(), ""),
                (cursor.as_str(), "totalCount"),
            ] {
                let ids_only = format!(
                    "{{ meetings(first: 7, orderBy: {order}, after: {after}) {{ {total} pageInfo {{ hasNextPage }} edges {{ cursor node {{ id }} }} }} }}"
                );
                let with = format!(
                    "{{ meetings(first: 7, orderBy: {order}, after: {after}) {{ {total} pageInfo {{ hasNextPage }} edges {{ cursor node {{ id participants {{ id name kind }} }} }} }} }}"
                );
                let a = run(&schema, &store, &ids_only, json!({}), false).await;
                let before = counter.load(std::sync::atomic::Ordering::SeqCst);
                let b = run(&schema, &store, &with, json!({}), false).await;
                let statements = counter.load(std::sync::atomic::Ordering::SeqCst) - before;
                let expected = if total.is_empty() { 1 } else { 2 };
                assert_eq!(statements, expected, "{backend} {with}: {b}");
                let (ea, eb) = (&a["data"]["meetings"], &b["data"]["meetings"]);
                assert_eq!(ea["pageInfo"], eb["pageInfo"], "{backend} {with}");
                assert_eq!(ea["totalCount"], eb["totalCount"], "{backend} {with}");
                let edges = eb["edges"].as_array().unwrap();
                assert_eq!(edges.len(), 7, "{backend} {with}: {b}");
                let ids: Vec<&Value> = edges.iter().map(|e| &e["node"]["id"]).collect();
                let want: Vec<&Value> = ea["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| &e["node"]["id"])
                    .collect();
                assert_eq!(ids, want, "{backend} {with}");
                for e in edges {
                    let alone = run(
                        &schema,
                        &store,
                        "query($id: ID!) { node(id: $id) { ... on Meeting { participants { id name kind } } } }",
                        json!({"id": e["node"]["id"]}),
                        false,
                    )
                    .await;
                    assert_eq!(
                        e["node"]["participants"], alone["data"]["node"]["participants"],
                        "{backend} {}",
                        e["node"]["id"]
                    );
                    let n = e["node"]["participants"].as_array().unwrap().len();
                    empty += usize::from(n == 0);
                    seen += n;
                }
            }
        }
        assert!(
            empty > 0,
            "{backend}: the meeting without participants was on a page"
        );
        assert!(seen > 20, "{backend}: {seen}");
    }
}

/// The server's JSON writer gives the bytes serde_json gives, on real responses: every
/// document's full text (line breaks, quotation marks, non-ASCII letters), the nested
/// benchmark query, and a response with errors.
#[tokio::test]
async fn responses_are_written_as_serde_json_writes_them() {
    let (schema, store) = setup(ApiConfig::default()).await;
    let queries = [
        "{ documents(first: 20) { edges { node { title text dateline publishedOn { text } kind \
         quotations(first: 10) { edges { node { text kind cue speakerLabel span { start end } } } } } } } }",
        "{ meetings(first: 20) { edges { node { title participants { name \
         quotations(first: 5) { edges { node { text document { title } } } } } } } } }",
        "{ meetings(first: -1) { totalCount } }",
    ];
    let (mut escaped, mut errors) = (false, false);
    for q in queries {
        let req = Request::new(q)
            .data(Loaders::new(&store))
            .data(Authorized(false));
        let resp = schema.execute(req).await;
        let ours = diplograph_api::json::response_bytes(&resp).unwrap();
        let theirs = serde_json::to_vec(&resp).unwrap();
        assert!(ours.len() > 30, "{q}");
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs).unwrap(),
            "{q}"
        );
        escaped |= serde_json::to_string(&resp).unwrap().contains("\\n");
        if q.contains("-1") {
            errors = !resp.errors.is_empty();
        } else {
            assert!(resp.errors.is_empty(), "{:?}", resp.errors);
        }
    }
    assert!(escaped, "the documents' texts have line breaks to escape");
    assert!(errors, "a negative page size is refused with an error");
}

/// Objects whose selection is plain (fields only) are resolved by `fast::Fast` rather than
/// async-graphql's container path; wrapping every selection in an inline fragment sends
/// the same query down async-graphql's path. Both must give the same data and errors,
/// with aliases, `__typename`, a key selected twice, and fields that fail.
#[tokio::test]
async fn plain_selections_answer_as_fragments_do() {
    let (schema, store) = setup(ApiConfig::default()).await;
    let queries = [
        "{ meetings(first: 10) { __typename totalCount edges { cursor node { __typename id t: title \
         participants { id name quotations(first: 3) { totalCount pageInfo { endCursor hasNextPage } \
         edges { cursor node { id text document { id title __typename } } } } } } } } }",
        "{ meetings(first: 5) { edges { node { title title id participants { name name } } } } }",
        "{ participants(first: 10) { edges { node { name quotations(first: 1000) { totalCount } \
         claims(first: 2) { edges { node { text document { title url } } } } } } } }",
        // Selections of one field: a type name, a failing field, a field under it.
        "{ meetings(first: 3) { edges { node { __typename } } } }",
        "{ participants(first: 3) { edges { node { quotations(first: 1000) { totalCount } } } } }",
        "{ quotations(first: 3) { edges { node { document { title } } } } }",
        // Selections of two fields, joined in place: with one that fails, and the
        // nested benchmark query's shape.
        "{ participants(first: 3) { edges { node { name quotations(first: 1000) { totalCount } } } } }",
        "{ meetings(first: 5) { edges { node { title participants { name \
         quotations(first: 2) { edges { node { text document { title } } } } } } } } }",
        // Objects that fields return one at a time (a speaker, a span, a date, a place,
        // a document...), each through the same wrapper as list items.
        "{ quotations(first: 8) { edges { node { speaker { name country } reportedBy { name } \
         span { start end text } meeting { title date { year month day text } \
         place { name country } } primarySources { score quotation { text } \
         sourceDocument { title } span { start end } } } } } }",
        "{ claims(first: 8) { edges { node { claimant { name } span { start text } \
         meeting { date { text } } quotation { text speaker { name } } } } } }",
        "{ documents(first: 5) { edges { node { publishedOn { year text } place { name country } \
         turns { label speaker { name } span { start end } } } } } }",
        "{ participants(first: 5) { edges { node { roles { title observedOn { text } document { title } } } } } }",
    ];
    let errors = |v: &Value| {
        let mut e: Vec<String> = v["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| format!("{} {}", e["message"], e["path"]))
                    .collect()
            })
            .unwrap_or_default();
        e.sort();
        e
    };
    let mut failed = 0;
    for q in queries {
        let wrapped = q.replace('{', "{ ... {").replace('}', "} }");
        let plain = run(&schema, &store, q, json!({}), false).await;
        let fragments = run(&schema, &store, &wrapped, json!({}), false).await;
        assert!(!plain["data"].is_null(), "{q}: {plain}");
        assert_eq!(plain["data"], fragments["data"], "{q}");
        assert_eq!(errors(&plain), errors(&fragments), "{q}");
        failed += errors(&plain).len();
    }
    assert!(
        failed > 0,
        "the third, fifth and seventh queries' pages are too large"
    );
}

/// A document's `publishedOn` and a role's `observedOn` answer the stored date to the
/// precision it was stored with: the same ISO text, and the parts it is made of.
#[tokio::test]
async fn dates_answer_the_stored_date_whole() {
    use diplograph_store::entities::{document, participant_role};
    use diplograph_store::sea_orm::EntityTrait;
    let (schema, store) = setup(ApiConfig::default()).await;
    let db = store.connection();
    let stored: std::collections::HashMap<String, Option<String>> = document::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.title, d.published))
        .collect();
    let observed: Vec<Option<String>> = participant_role::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.observed_on)
        .collect();
    let resp = run(
        &schema,
        &store,
        "{ documents(first: 100) { edges { node { title publishedOn { year month day text } \
         participants { roles { observedOn { year month day text } } } } } } }",
        json!({}),
        false,
    )
    .await;
    assert!(resp["errors"].is_null(), "{resp}");
    // The text a date's parts make, as `PartialDate` writes it.
    let text_of = |d: &Value| {
        let part = |k: &str| d[k].as_i64();
        match (part("year"), part("month"), part("day")) {
            (Some(y), Some(m), Some(day)) => format!("{y:04}-{m:02}-{day:02}"),
            (Some(y), Some(m), None) => format!("{y:04}-{m:02}"),
            (Some(y), None, None) => format!("{y:04}"),
            other => panic!("a date without a year or with a day and no month: {other:?}"),
        }
    };
    let mut days = 0;
    let mut answered_roles = Vec::new();
    for edge in resp["data"]["documents"]["edges"].as_array().unwrap() {
        let node = &edge["node"];
        let title = node["title"].as_str().unwrap();
        let date = &node["publishedOn"];
        let want = stored.get(title).expect("a stored document").clone();
        match want {
            Some(iso) => {
                assert_eq!(date["text"], json!(iso), "{title}");
                assert_eq!(text_of(date), iso, "{title}");
                days += usize::from(!date["day"].is_null());
            }
            None => assert!(date.is_null(), "{title}: {date}"),
        }
        for p in node["participants"].as_array().unwrap() {
            for r in p["roles"].as_array().unwrap() {
                let on = &r["observedOn"];
                if !on.is_null() {
                    assert_eq!(on["text"].as_str().unwrap(), text_of(on));
                }
                answered_roles.push(on["text"].as_str().map(str::to_string));
            }
        }
    }
    assert_eq!(
        stored.len(),
        resp["data"]["documents"]["edges"].as_array().unwrap().len()
    );
    assert!(days > 0, "the corpus has documents dated to the day");
    // Every role's answered date is one of the stored ones.
    assert!(
        answered_roles.iter().any(Option::is_some),
        "roles have dates"
    );
    for a in &answered_roles {
        assert!(observed.contains(a), "{a:?} is not a stored role date");
    }
}

/// A quotation's and a claim's `meeting` is the meeting stored with it, and a meeting's
/// and a document's `place` is the stored place, country included.
#[tokio::test]
async fn meetings_and_places_answer_the_stored_rows() {
    use diplograph_api::ids;
    use diplograph_store::entities::{claim, document, meeting, quotation};
    use diplograph_store::sea_orm::EntityTrait;
    let (schema, store) = setup(ApiConfig::default()).await;
    let db = store.connection();
    let meetings: std::collections::HashMap<i32, meeting::Model> = meeting::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let place = |name: &Option<String>, country: &Option<String>| match name {
        Some(n) => json!({ "name": n, "country": country }),
        None => Value::Null,
    };
    let meeting_of = |id: Option<i32>| match id.and_then(|m| meetings.get(&m)) {
        Some(m) => json!({ "id": ids::encode("Meeting", m.id), "title": m.title,
                           "place": place(&m.place_name, &m.place_country) }),
        None => Value::Null,
    };
    let mut expected: std::collections::HashMap<String, Value> = std::collections::HashMap::new();
    for q in quotation::Entity::find().all(db).await.unwrap() {
        expected.insert(ids::encode("Quotation", q.id), meeting_of(q.meeting_id));
    }
    for c in claim::Entity::find().all(db).await.unwrap() {
        expected.insert(ids::encode("Claim", c.id), meeting_of(c.meeting_id));
    }
    let docs: std::collections::HashMap<String, Value> = document::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| {
            let p = place(&d.place_name, &d.place_country);
            (ids::encode("Document", d.id), p)
        })
        .collect();
    let resp = run(
        &schema,
        &store,
        "{ quotations(first: 100) { edges { node { id meeting { id title place { name country } } } } } \
           claims(first: 100) { edges { node { id meeting { id title place { name country } } } } } \
           documents(first: 100) { edges { node { id place { name country } } } } }",
        json!({}),
        false,
    )
    .await;
    assert!(resp["errors"].is_null(), "{resp}");
    let (mut with_meeting, mut with_country, mut seen) = (0, 0, 0);
    for list in ["quotations", "claims"] {
        for edge in resp["data"][list]["edges"].as_array().unwrap() {
            let node = &edge["node"];
            let id = node["id"].as_str().unwrap();
            assert_eq!(&node["meeting"], expected.get(id).unwrap(), "{id}");
            with_meeting += usize::from(!node["meeting"].is_null());
            with_country += usize::from(!node["meeting"]["place"]["country"].is_null());
            seen += 1;
        }
    }
    for edge in resp["data"]["documents"]["edges"].as_array().unwrap() {
        let node = &edge["node"];
        let id = node["id"].as_str().unwrap();
        assert_eq!(&node["place"], docs.get(id).unwrap(), "{id}");
        with_country += usize::from(!node["place"]["country"].is_null());
    }
    assert!(
        seen > 0 && with_meeting > 0,
        "quotations and claims with meetings"
    );
    assert!(with_country > 0, "places with countries");
}

/// A topic's own lists (read by the topic's id) hold what the top-level lists filtered by
/// its slug hold, every item carries the topic, and their totals agree with the topic's
/// counts.
#[tokio::test]
async fn a_topics_lists_match_the_lists_filtered_by_its_slug() {
    let (schema, store) = setup(ApiConfig::default()).await;
    let v = run(
        &schema,
        &store,
        r#"{ topics { slug quotationCount claimCount
            quotations(first: 100) { totalCount edges { node { id topics { slug } } } }
            claims(first: 100) { totalCount edges { node { id topics { slug } } } } } }"#,
        json!({}),
        false,
    )
    .await;
    assert!(v["errors"].is_null(), "{v}");
    let topics = v["data"]["topics"].as_array().unwrap();
    let mut items = 0;
    for t in topics {
        let slug = t["slug"].as_str().unwrap();
        let top = run(
            &schema,
            &store,
            r#"query($t: String!) {
                quotations(first: 100, filter: {topic: $t}) { totalCount edges { node { id } } }
                claims(first: 100, filter: {topic: $t}) { totalCount edges { node { id } } } }"#,
            json!({ "t": slug }),
            false,
        )
        .await;
        assert!(top["errors"].is_null(), "{top}");
        for (list, count) in [("quotations", "quotationCount"), ("claims", "claimCount")] {
            let own = &t[list];
            assert_eq!(own["totalCount"], t[count], "{slug} {list}");
            assert_eq!(
                own["totalCount"], top["data"][list]["totalCount"],
                "{slug} {list}"
            );
            let ids = |l: &Value| -> Vec<Value> {
                l["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].clone())
                    .collect()
            };
            assert_eq!(ids(own), ids(&top["data"][list]), "{slug} {list}");
            for e in own["edges"].as_array().unwrap() {
                items += 1;
                let tagged = e["node"]["topics"].as_array().unwrap();
                assert!(tagged.iter().any(|x| x["slug"] == slug), "{slug}: {e}");
            }
        }
    }
    assert!(items >= 20, "{items} items on {} topics", topics.len());
}

/// The ids of a whole list ordered by date, as the store reads it from its start.
async fn dated_list(store: &Store, list: &str, order: diplograph_store::DateOrder) -> Vec<String> {
    use diplograph_api::ids::encode;
    let all = diplograph_store::Page {
        offset: 0,
        limit: 100_000,
        count: false,
        more: false,
    };
    match list {
        "quotations" => store
            .quotations(&Default::default(), order, all)
            .await
            .unwrap()
            .0
            .iter()
            .map(|r| encode("Quotation", r.id))
            .collect(),
        "claims" => store
            .claims(&Default::default(), order, all)
            .await
            .unwrap()
            .0
            .iter()
            .map(|r| encode("Claim", r.id))
            .collect(),
        "meetings" => store
            .meetings(&Default::default(), order, all)
            .await
            .unwrap()
            .0
            .iter()
            .map(|r| encode("Meeting", r.id))
            .collect(),
        "documents" => store
            .documents(&Default::default(), order, all)
            .await
            .unwrap()
            .0
            .iter()
            .map(|r| encode("Document", r.id))
            .collect(),
        _ => unreachable!("{list}"),
    }
}

/// Pages through a list with `q` (whose `$a` is the cursor) from `after` to its end, and
/// checks each page as a client relies on it: a page with more after it is full, its
/// start and end cursors are its first and last edges', a page after a cursor says items
/// precede it, and (when `q` asks for it) every page gives the same `totalCount`. Returns
/// the ids seen and that count.
async fn page_through(
    schema: &DiploSchema,
    store: &Store,
    q: &str,
    size: usize,
    pick: impl Fn(&Value) -> Value,
    mut after: Value,
) -> (Vec<String>, Option<u64>) {
    let mut ids = Vec::new();
    let mut total: Option<u64> = None;
    for _ in 0..1000 {
        let v = run(schema, store, q, json!({ "a": after }), false).await;
        assert!(v["errors"].is_null(), "{q}: {v}");
        let page = pick(&v);
        let edges = page["edges"].as_array().unwrap();
        let info = &page["pageInfo"];
        let more = info["hasNextPage"].as_bool().unwrap();
        if !after.is_null() {
            assert_eq!(info["hasPreviousPage"], true, "{q}: {v}");
        }
        if more {
            assert_eq!(
                edges.len(),
                size,
                "a page with more after it is full: {q}: {v}"
            );
        }
        if let Some(e) = edges.first() {
            assert_eq!(info["startCursor"], e["cursor"], "{v}");
        }
        if let Some(e) = edges.last() {
            assert_eq!(info["endCursor"], e["cursor"], "{v}");
        }
        if let Some(n) = page["totalCount"].as_u64() {
            assert_eq!(
                *total.get_or_insert(n),
                n,
                "every page gives one total: {v}"
            );
        }
        ids.extend(
            edges
                .iter()
                .map(|e| e["node"]["id"].as_str().unwrap().to_string()),
        );
        if !more {
            return (ids, total);
        }
        after = info["endCursor"].clone();
    }
    panic!("{q} did not end");
}

fn dated_page_query(list: &str, order: &str, size: usize, counted: bool) -> String {
    let total = if counted { "totalCount" } else { "" };
    format!(
        "query($a: String) {{ {list}(first: {size}, orderBy: {order}, after: $a) {{ {total} \
         pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ cursor node {{ id }} }} }} }}"
    )
}

const DATED_LISTS: [&str; 4] = ["quotations", "claims", "meetings", "documents"];

/// Following `endCursor` through every list ordered by date, in either order, counted or
/// not, page sizes 1 to 7, gives the whole list once, in its order, on both backends;
/// a cursor made for one order and passed to the other, and a cursor from another list,
/// continue by their item's offset.
#[tokio::test]
async fn cursors_page_through_every_dated_list_in_either_order() {
    use diplograph_store::DateOrder;
    for (backend, store) in crate::support::backends().await {
        ingest_corpus(&store).await;
        let schema = build(store.clone(), ApiConfig::default());
        for list in DATED_LISTS {
            for (order, name) in [(DateOrder::Asc, "ASC"), (DateOrder::Desc, "DESC")] {
                let want = dated_list(&store, list, order).await;
                assert!(want.len() >= 5, "{backend} {list}");
                for size in [1, 2, 3, 7] {
                    for counted in [false, true] {
                        let q = dated_page_query(list, name, size, counted);
                        let (ids, total) = page_through(
                            &schema,
                            &store,
                            &q,
                            size,
                            |v| v["data"][list].clone(),
                            Value::Null,
                        )
                        .await;
                        assert_eq!(ids, want, "{backend} {q}");
                        if counted {
                            assert_eq!(total, Some(want.len() as u64), "{backend} {q}");
                        }
                    }
                }
                // The cursor of the third item, passed to the list in the other order: its
                // position does not fit, its offset does.
                let third = run(
                    &schema,
                    &store,
                    &dated_page_query(list, name, 3, false),
                    json!({}),
                    false,
                )
                .await;
                let cursor = third["data"][list]["edges"][2]["cursor"].clone();
                let other = if name == "ASC" {
                    DateOrder::Desc
                } else {
                    DateOrder::Asc
                };
                let other_name = if name == "ASC" { "DESC" } else { "ASC" };
                let q = dated_page_query(list, other_name, 2, true);
                let v = run(&schema, &store, &q, json!({ "a": cursor }), false).await;
                let got: Vec<&str> = v["data"][list]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].as_str().unwrap())
                    .collect();
                let reversed = dated_list(&store, list, other).await;
                assert_eq!(got, reversed[3..5].to_vec(), "{backend} {q}: {v}");
            }
        }
        // A quotation's cursor passed to the meetings list: a key of another shape.
        let q = dated_page_query("quotations", "ASC", 3, false);
        let v = run(&schema, &store, &q, json!({}), false).await;
        let cursor = v["data"]["quotations"]["edges"][2]["cursor"].clone();
        let v = run(
            &schema,
            &store,
            &dated_page_query("meetings", "ASC", 2, false),
            json!({ "a": cursor }),
            false,
        )
        .await;
        let got: Vec<&str> = v["data"]["meetings"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap())
            .collect();
        let meetings = dated_list(&store, "meetings", DateOrder::Asc).await;
        assert_eq!(got, meetings[3..5].to_vec(), "{backend}: {v}");
    }
}

/// A cursor marks its item's place in the list, not a count of items: when documents
/// before it are deleted while a client pages through a list (a reader scrolling while an
/// editor corrects the corpus), the next pages hold exactly the items that followed it and
/// are still there, none skipped and none repeated, and each page's `totalCount` and
/// `hasNextPage` describe the list as it now is. Every list ordered by date, in either
/// order, and a topic's lists.
#[tokio::test]
async fn a_cursor_resumes_after_its_item_when_items_before_it_are_deleted() {
    use diplograph_store::DateOrder;
    for (backend, store) in crate::support::backends().await {
        ingest_corpus(&store).await;
        let schema = build(store.clone(), ApiConfig::default());
        let size = 4;
        for (order, name) in [(DateOrder::Asc, "ASC"), (DateOrder::Desc, "DESC")] {
            // Each list's first page, and the list then.
            let mut read = Vec::new();
            for list in DATED_LISTS {
                let before = dated_list(&store, list, order).await;
                let q = dated_page_query(list, name, size, true);
                let v = run(&schema, &store, &q, json!({}), false).await;
                let first: Vec<String> = v["data"][list]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].as_str().unwrap().to_string())
                    .collect();
                assert_eq!(first, before[..size].to_vec(), "{backend} {q}");
                let cursor = v["data"][list]["pageInfo"]["endCursor"].clone();
                read.push((list, before, first, cursor));
            }
            // The list's first document goes, with what it alone reported.
            let doomed = read[3].2[0].clone();
            // In the oldest-first round, a topic's quotations too: a topic with one of the
            // doomed document's quotations on its first page.
            let topic_lists = "query($a: String) { topics { slug quotations(first: 3, after: $a) { totalCount \
                pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } } }";
            let topic_quotations = |v: &Value, slug: &str| {
                v["data"]["topics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|t| t["slug"] == slug)
                    .map(|t| t["quotations"].clone())
                    .unwrap_or(Value::Null)
            };
            let ids_of = |page: &Value| -> Vec<String> {
                page["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].as_str().unwrap().to_string())
                    .collect()
            };
            let all_topics =
                "{ topics { slug quotations(first: 100) { totalCount edges { node { id } } } } }";
            let topic = if order == DateOrder::Asc {
                let v = run(&schema, &store, "{ topics { slug quotations(first: 4) { pageInfo { endCursor } edges { node { id document { id } } } } } }", json!({}), false).await;
                let t = v["data"]["topics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|t| {
                        t["quotations"]["edges"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|e| e["node"]["document"]["id"] == doomed.as_str())
                    })
                    .unwrap_or_else(|| panic!("{backend}: no topic quotes the first document: {v}"))
                    .clone();
                let slug = t["slug"].as_str().unwrap().to_string();
                let all = run(&schema, &store, all_topics, json!({}), false).await;
                let whole = topic_quotations(&all, &slug);
                let before = ids_of(&whole);
                assert_eq!(
                    whole["totalCount"],
                    before.len(),
                    "{backend} {slug}: one page holds it"
                );
                let first = ids_of(&t["quotations"]);
                assert_eq!(first, before[..4].to_vec(), "{backend} {slug}");
                Some((
                    slug,
                    before,
                    first,
                    t["quotations"]["pageInfo"]["endCursor"].clone(),
                ))
            } else {
                None
            };
            let id = diplograph_api::ids::decode_as(&doomed, "Document").unwrap();
            store.delete_document(id, "editor").await.unwrap();
            for (list, before, first, cursor) in read {
                let now = dated_list(&store, list, order).await;
                let gone = first.iter().filter(|id| !now.contains(id)).count();
                assert!(
                    gone > 0,
                    "{backend} {list} {name}: the deletion took nothing before the cursor"
                );
                let want: Vec<String> = before[size..]
                    .iter()
                    .filter(|id| now.contains(id))
                    .cloned()
                    .collect();
                for counted in [false, true] {
                    let q = dated_page_query(list, name, 3, counted);
                    let (ids, total) = page_through(
                        &schema,
                        &store,
                        &q,
                        3,
                        |v| v["data"][list].clone(),
                        cursor.clone(),
                    )
                    .await;
                    assert_eq!(ids, want, "{backend} {q}");
                    if counted {
                        assert_eq!(total, Some(now.len() as u64), "{backend} {q}");
                    }
                }
            }
            if let Some((slug, before, first, cursor)) = topic {
                let all = run(&schema, &store, all_topics, json!({}), false).await;
                let now = ids_of(&topic_quotations(&all, &slug));
                assert!(first.iter().any(|id| !now.contains(id)), "{backend} {slug}");
                let want: Vec<String> = before[4..]
                    .iter()
                    .filter(|id| now.contains(id))
                    .cloned()
                    .collect();
                let (ids, total) = page_through(
                    &schema,
                    &store,
                    topic_lists,
                    3,
                    |v| topic_quotations(v, &slug),
                    cursor,
                )
                .await;
                assert_eq!(ids, want, "{backend} {slug}");
                assert_eq!(total, Some(now.len() as u64), "{backend} {slug}");
            }
        }
    }
}

/// A filter by name finds a participant by their name or by any alias the documents gave
/// them ("the Russian top diplomat"), whatever the case, on both backends: the
/// participants, quotations and claims lists filtered by a name hold exactly the items
/// of the people whose name or aliases contain it.
#[tokio::test]
async fn name_filters_find_people_by_name_or_alias() {
    for (backend, store) in crate::support::backends().await {
        ingest_corpus(&store).await;
        // Every person with all their quotations and claims in one page: past the default
        // page size and complexity.
        let cfg = ApiConfig {
            max_complexity: 10_000_000,
            max_page_size: 1000,
            ..ApiConfig::default()
        };
        let schema = build(store.clone(), cfg);
        let v = run(
            &schema,
            &store,
            "{ participants(first: 1000) { totalCount edges { node { id name aliases \
             quotations(first: 1000) { edges { node { id } } } claims(first: 1000) { edges { node { id } } } } } } }",
            json!({}),
            false,
        )
        .await;
        let people = v["data"]["participants"]["edges"].as_array().unwrap();
        assert_eq!(
            people.len() as u64,
            v["data"]["participants"]["totalCount"].as_u64().unwrap(),
            "{v}"
        );
        let mut by_alias_only = 0;
        for probe in [
            "top diplomat",
            "LAVROV",
            "mr ",
            "President",
            "prime minister of",
        ] {
            let p = probe.to_lowercase();
            let matching: Vec<&Value> = people
                .iter()
                .map(|e| &e["node"])
                .filter(|n| {
                    n["name"].as_str().unwrap().to_lowercase().contains(&p)
                        || n["aliases"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|a| a.as_str().unwrap().to_lowercase().contains(&p))
                })
                .collect();
            assert!(!matching.is_empty(), "{backend} {probe}");
            by_alias_only += matching
                .iter()
                .filter(|n| !n["name"].as_str().unwrap().to_lowercase().contains(&p))
                .count();
            let ids = |n: &Value, list: &str| -> Vec<String> {
                n[list]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].as_str().unwrap().to_string())
                    .collect()
            };
            let mut want_people: Vec<String> = matching
                .iter()
                .map(|n| n["id"].as_str().unwrap().to_string())
                .collect();
            let mut want_quotes: Vec<String> =
                matching.iter().flat_map(|n| ids(n, "quotations")).collect();
            let mut want_claims: Vec<String> =
                matching.iter().flat_map(|n| ids(n, "claims")).collect();
            let q = "query($s: String!) { participants(first: 1000, filter: {name: $s}) { edges { node { id } } } \
                     quotations(first: 1000, filter: {speakerName: $s}) { edges { node { id } } } \
                     claims(first: 1000, filter: {claimantName: $s}) { edges { node { id } } } }";
            let got = run(&schema, &store, q, json!({ "s": probe }), false).await;
            assert!(got["errors"].is_null(), "{backend} {probe}: {got}");
            for (list, want) in [
                ("participants", &mut want_people),
                ("quotations", &mut want_quotes),
                ("claims", &mut want_claims),
            ] {
                let mut have = ids(&got["data"], list);
                have.sort();
                want.sort();
                assert_eq!(&have, want, "{backend} {probe} {list}");
            }
        }
        assert!(
            by_alias_only > 0,
            "{backend}: some probe must match by alias alone"
        );
    }
}
