//! Messy and hostile input: each case gives a clear error or a stored document with
//! diagnostics; never a panic, never a partial write. Plus a property test of the parser.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use diplograph_api::{router, ApiConfig, AppState};
use diplograph_store::entities::document;
use diplograph_store::sea_orm::EntityTrait;
use diplograph_store::table_counts;
use proptest::prelude::*;
use tower::ServiceExt;

use crate::support::{backends, sqlite};

enum Expect {
    /// Refused with an error whose message contains this.
    Refused(&'static str),
    /// Stored; the stored text contains this; diagnostics mention this (if not empty).
    Stored(&'static str, &'static str),
}

fn cases() -> Vec<(&'static str, Vec<u8>, Expect)> {
    let mut utf16 = vec![0xFF, 0xFE];
    for u in
        "Talks\n\nROME, May 2, 2020 (Agency) - \u{201c}We agree,\u{201d} Minister Ana Ruiz said."
            .encode_utf16()
    {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    let quotes = format!(
        "Headline\n\nPARIS, May 2, 2020 (Agency) - {} The end.",
        "\" ".repeat(5000)
    );
    vec![
        ("empty.txt", Vec::new(), Expect::Stored("", "no text")),
        ("blank.txt", b"   \n\t  \n ".to_vec(), Expect::Stored("", "no text")),
        ("junk.txt", (0u8..=255).cycle().take(20_000).collect(), Expect::Refused("not text")),
        ("nul.txt", b"Talks held\n\nThe ministers\0 met\0 today.".to_vec(), Expect::Stored("The ministers met today.", "control characters")),
        ("latin1.txt", b"Talks\n\nROME, May 2, 2020 (Agency) - \x93We agree,\x94 Minister Ana Ruiz said. Caf\xe9.".to_vec(), Expect::Stored("\u{201c}We agree", "Windows-1252")),
        ("utf16.txt", utf16, Expect::Stored("\u{201c}We agree", "UTF-16")),
        ("deep.html", format!("<html><body>{}<p>Deep text.</p>{}</body></html>", "<div>".repeat(100_000), "</div>".repeat(100_000)).into_bytes(), Expect::Stored("Deep text.", "")),
        ("quotes.txt", quotes.into_bytes(), Expect::Stored("The end.", "")),
        ("french.txt", "Rencontre à Paris\n\nLe ministre des Affaires étrangères a rencontré son homologue pour une discussion sur la coopération. « Nous sommes d'accord », a-t-il déclaré.".as_bytes().to_vec(), Expect::Stored("Rencontre", "English")),
        ("envelope.json", br#"{"url": 1}"#.to_vec(), Expect::Refused("envelope")),
    ]
}

#[tokio::test]
async fn every_kind_of_bad_input_is_handled_cleanly() {
    for (backend, store) in backends().await {
        for (name, bytes, expect) in cases() {
            let before = table_counts(store.connection()).await.unwrap();
            let got = store.ingest(&bytes, Some(name), &Default::default()).await;
            match expect {
                Expect::Refused(msg) => {
                    let e = got.expect_err(name);
                    assert!(e.to_string().contains(msg), "{backend} {name}: {e}");
                    assert_eq!(
                        table_counts(store.connection()).await.unwrap(),
                        before,
                        "{backend} {name}: nothing written"
                    );
                }
                Expect::Stored(text, diag) => {
                    let id = got.unwrap_or_else(|e| panic!("{backend} {name}: {e}")).id();
                    let doc = document::Entity::find_by_id(id.0)
                        .one(store.connection())
                        .await
                        .unwrap()
                        .unwrap();
                    assert!(
                        doc.text.contains(text),
                        "{backend} {name}: {:?}",
                        doc.text.chars().take(200).collect::<String>()
                    );
                    assert!(
                        doc.extraction.contains(diag),
                        "{backend} {name}: diagnostics {}",
                        doc.extraction.chars().take(400).collect::<String>()
                    );
                }
            }
        }
        // The non-English document is stored and marked, with nothing invented.
        let french = cases().into_iter().find(|c| c.0 == "french.txt").unwrap();
        let id = store
            .ingest(&french.1, Some("french.txt"), &Default::default())
            .await
            .unwrap()
            .id();
        let doc = document::Entity::find_by_id(id.0)
            .one(store.connection())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(doc.language, "und", "{backend}");
        assert!(store
            .quotations(
                &diplograph_store::QuotationFilter {
                    document: Some(id.0),
                    ..Default::default()
                },
                Default::default(),
                diplograph_store::Page {
                    offset: 0,
                    limit: 10,
                    count: true,
                    more: true
                }
            )
            .await
            .unwrap()
            .0
            .is_empty());
    }
}

#[tokio::test]
async fn a_50_mb_upload_is_refused_with_413() {
    let store = sqlite().await;
    let app = router(AppState::new(
        store.clone(),
        ApiConfig {
            admin_token: Some("t".into()),
            ..ApiConfig::default()
        },
    ));
    let big = vec![b'a'; 50 * 1024 * 1024];
    let req = Request::post("/api/v1/documents")
        .header("content-type", "text/plain")
        .header("authorization", "Bearer t")
        .body(Body::from(big.clone()))
        .unwrap();
    assert_eq!(
        app.oneshot(req).await.unwrap().status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );
    let err = store
        .ingest(&big, Some("big.txt"), &Default::default())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("over the limit"), "{err}");
    assert_eq!(store.document_count().await.unwrap(), 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn the_parser_never_panics_and_spans_stay_inside(text in "(?s)[\\PC\"“”«»'’\\n .,:;!?—A-Z]{0,600}") {
        if let Ok(x) = diplograph_parse::extract(text.as_bytes(), &Default::default()) {
            let len = x.text.chars().count();
            let check = |s: diplograph_parse::Span| s.start <= s.end && s.end <= len;
            for q in &x.quotations { prop_assert!(check(q.span)); prop_assert_eq!(x.span_text(q.span), q.text.clone()); }
            for c in &x.claims { prop_assert!(check(c.span)); }
            for t in &x.turns { prop_assert!(check(t.span)); }
            for m in &x.meetings { prop_assert!(check(m.span)); }
            for p in &x.participants { for m in &p.mentions { prop_assert!(check(*m)); } }
            for p in &x.paragraphs { prop_assert!(check(p.span)); }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let _ = diplograph_parse::extract(&bytes, &Default::default());
    }
}
