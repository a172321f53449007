//! Storage on both backends: idempotent ingest, cross-document linking, filters.

use diplograph_store::entities::{claim, quotation};
use diplograph_store::{
    DateOrder, IngestOutcome, MeetingFilter, Page, ParticipantFilter, QuotationFilter,
};

use crate::support::{backends, corpus_files, ingest_corpus};

const ALL: Page = Page {
    offset: 0,
    limit: 1000,
    count: true,
    more: true,
};

#[tokio::test]
async fn ingest_is_idempotent_and_says_so() {
    for (backend, store) in backends().await {
        let f = &corpus_files()[0];
        let bytes = std::fs::read(f).unwrap();
        let first = store
            .ingest(&bytes, Some("a.txt"), &Default::default())
            .await
            .unwrap();
        assert!(matches!(first, IngestOutcome::New(_)), "{backend}");
        let (_, q_before) = store
            .quotations(&QuotationFilter::default(), DateOrder::Asc, ALL)
            .await
            .unwrap();
        let second = store
            .ingest(&bytes, Some("a.txt"), &Default::default())
            .await
            .unwrap();
        assert_eq!(second, IngestOutcome::Unchanged(first.id()), "{backend}");
        let (_, q_after) = store
            .quotations(&QuotationFilter::default(), DateOrder::Asc, ALL)
            .await
            .unwrap();
        assert_eq!(q_before, q_after, "{backend}: nothing changes on re-ingest");
        assert_eq!(store.document_count().await.unwrap(), 1);
    }
}

#[tokio::test]
async fn people_and_meetings_are_linked_across_documents() {
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        assert_eq!(store.document_count().await.unwrap(), 5);
        let (lavrov, n) = store
            .participants(
                &ParticipantFilter {
                    name: Some("Sergey Lavrov".into()),
                    ..Default::default()
                },
                ALL,
            )
            .await
            .unwrap();
        assert_eq!(
            n, 1,
            "{backend}: one Lavrov across five documents: {lavrov:?}"
        );
        // The Moscow talks of 2019-01-14 are one meeting reported by 001 and 003.
        let f = MeetingFilter {
            from: Some(20190114),
            to: Some(20190114),
            kind: Some("TALKS".into()),
            ..Default::default()
        };
        let (ms, n) = store.meetings(&f, DateOrder::Asc, ALL).await.unwrap();
        assert_eq!(n, 1, "{backend}: {ms:?}");
        let docs = store.meeting_document_links(&[ms[0].id]).await.unwrap();
        assert_eq!(
            docs.len(),
            3,
            "{backend}: reported by 001 and 003, mentioned by 000 as the January round"
        );
        assert_eq!(docs.iter().filter(|d| d.is_primary).count(), 2, "{backend}");
        // The Tokyo 2+2 of 2017-03-20 is one meeting reported by 002 and 004.
        let f = MeetingFilter {
            from: Some(20170320),
            to: Some(20170320),
            kind: Some("TWO_PLUS_TWO".into()),
            ..Default::default()
        };
        let (ms, _) = store.meetings(&f, DateOrder::Asc, ALL).await.unwrap();
        assert_eq!(ms.len(), 1, "{backend}");
        assert_eq!(
            store
                .meeting_document_links(&[ms[0].id])
                .await
                .unwrap()
                .len(),
            2,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn filters_combine() {
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let f = MeetingFilter {
            from: Some(20190101),
            participant_name: Some("kono".into()),
            status: Some("HELD".into()),
            ..Default::default()
        };
        let (ms, _) = store.meetings(&f, DateOrder::Asc, ALL).await.unwrap();
        let dates: Vec<String> = ms.iter().filter_map(|m| m.date_text.clone()).collect();
        assert!(
            dates.contains(&"2019-01-14".to_string()) && dates.contains(&"2019-05-10".to_string()),
            "{backend}: {dates:?}"
        );
        let f = QuotationFilter {
            speaker_name: Some("Taro Kono".into()),
            ..Default::default()
        };
        let (qs, n) = store
            .quotations(
                &f,
                DateOrder::Asc,
                Page {
                    offset: 0,
                    limit: 3,
                    count: true,
                    more: true,
                },
            )
            .await
            .unwrap();
        assert_eq!((qs.len(), n), (3, 7), "{backend}: paging and total");
        let f = QuotationFilter {
            speaker_name: Some("Taro Kono".into()),
            topic: Some("trade-economy".into()),
            ..Default::default()
        };
        let (qs, _) = store.quotations(&f, DateOrder::Asc, ALL).await.unwrap();
        assert!(
            !qs.is_empty()
                && qs
                    .iter()
                    .all(|q| q.text.to_lowercase().contains("econom") || q.text.contains("tax")),
            "{backend}"
        );
        let f = QuotationFilter {
            from: Some(20200101),
            ..Default::default()
        };
        assert_eq!(
            store.quotations(&f, DateOrder::Asc, ALL).await.unwrap().1,
            0,
            "{backend}"
        );
    }
}

/// Every "contains, ignoring case" filter folds letters beyond ASCII on both backends
/// (SQLite's own `lower` and `LIKE` fold only ASCII), and reads the filter's text as
/// text: a dot or a percent sign matches only itself.
/// Each backend's store with `doc` ingested.
async fn backends_with(doc: &str) -> Vec<(&'static str, diplograph_store::Store)> {
    let all = backends().await;
    for (_, store) in &all {
        store
            .ingest(doc.as_bytes(), Some("doc.txt"), &Default::default())
            .await
            .unwrap();
    }
    all
}

#[tokio::test]
async fn text_filters_ignore_case_beyond_ascii() {
    use diplograph_store::{ClaimFilter, DocumentFilter};
    const DOC: &str = "Talks in Ankara\n\nANKARA, May 4, 2021 (Agency) - Turkish Foreign \
        Minister Ömer Çelikkaya held talks with Italian Foreign Minister Carla Neri in \
        Ankara on Tuesday. \"Économie and trade come first for our two countries,\" \
        Çelikkaya said after the talks.";
    for (backend, store) in backends_with(DOC).await {
        for (name, want) in [
            ("Çelikkaya", 1),
            ("çelikkaya", 1),
            ("ÇELIKKAYA", 1),
            ("ömer ç", 1),
            ("CARLA", 1),
            ("ç.likkaya", 0),
            ("çelikkaya%", 0),
            ("%", 0),
        ] {
            let (people, _) = store
                .participants(
                    &ParticipantFilter {
                        name: Some(name.into()),
                        ..Default::default()
                    },
                    ALL,
                )
                .await
                .unwrap();
            assert_eq!(people.len(), want, "{backend}: participants named {name:?}");
        }
        let by_speaker = |s: &str| QuotationFilter {
            speaker_name: Some(s.into()),
            ..Default::default()
        };
        let by_text = |s: &str| QuotationFilter {
            text: Some(s.into()),
            ..Default::default()
        };
        for (f, want) in [
            (by_speaker("çelikkaya"), 1),
            (by_speaker("ÖMER"), 1),
            (by_text("économie"), 1),
            (by_text("ÉCONOMIE AND"), 1),
            (by_text("économie."), 0),
        ] {
            let (_, n) = store.quotations(&f, DateOrder::Asc, ALL).await.unwrap();
            assert_eq!(n, want, "{backend}: {f:?}");
        }
        let f = ClaimFilter {
            claimant_name: Some("ÇELIKKAYA".into()),
            text: Some("ÉCONOMIE".into()),
            ..Default::default()
        };
        let (_, n) = store.claims(&f, DateOrder::Asc, ALL).await.unwrap();
        assert_eq!(n, 1, "{backend}: claims");
        let f = MeetingFilter {
            participant_name: Some("çelikkaya".into()),
            ..Default::default()
        };
        let (_, n) = store.meetings(&f, DateOrder::Asc, ALL).await.unwrap();
        assert_eq!(n, 1, "{backend}: meetings");
        let f = DocumentFilter {
            text: Some("ÖMER ÇELIKKAYA".into()),
            ..Default::default()
        };
        let (_, n) = store.documents(&f, DateOrder::Asc, ALL).await.unwrap();
        assert_eq!(n, 1, "{backend}: documents");
    }
}

/// A filter's text finds itself, letters beyond ASCII and all, and an ASCII text folds
/// ASCII letters only: both backends answer alike, whatever Postgres's locale makes of
/// "İ" and "Σ".
#[tokio::test]
async fn text_filters_find_their_own_letters_alike_on_both_backends() {
    use diplograph_store::DocumentFilter;
    const DOC: &str = "Talks in Ankara\n\nANKARA, May 4, 2021 (Agency) - Turkish Foreign \
        Minister Ömer Çelikkaya held talks with Greek Foreign Minister Nikos Pappas in \
        Ankara on Tuesday. \"The İSTANBUL process and the ΣΟΦΟΣ plan come first for \
        Sanctions Relief,\" Çelikkaya said after the talks.";
    for (backend, store) in backends_with(DOC).await {
        for (text, want) in [
            ("İSTANBUL", 1),
            ("İstanbul process", 1),
            ("ΣΟΦΟΣ", 1),
            ("sanctions relief", 1),
            ("SANCTIONS RELIEF", 1),
            // "İ" is not an "I" in any case: a locale that lowers it to "i" does not count.
            ("istanbul", 0),
            ("sanctions_relief", 0),
            ("relief%", 0),
            ("%", 0),
        ] {
            let f = QuotationFilter {
                text: Some(text.into()),
                ..Default::default()
            };
            let (_, n) = store.quotations(&f, DateOrder::Asc, ALL).await.unwrap();
            assert_eq!(n, want, "{backend}: quotations with {text:?}");
            let f = DocumentFilter {
                text: Some(text.into()),
                ..Default::default()
            };
            let (_, n) = store.documents(&f, DateOrder::Asc, ALL).await.unwrap();
            assert_eq!(n, want, "{backend}: documents with {text:?}");
        }
    }
}

#[tokio::test]
async fn unreadable_input_stores_nothing() {
    for (backend, store) in backends().await {
        let junk: Vec<u8> = (0u8..=255).cycle().take(8192).collect();
        assert!(
            store
                .ingest(&junk, Some("junk.txt"), &Default::default())
                .await
                .is_err(),
            "{backend}"
        );
        assert_eq!(store.document_count().await.unwrap(), 0, "{backend}");
    }
}

/// A search's hits come in one order, page after page: best rank first, ties by kind and
/// then id, each hit once, with the same rank and snippet on whichever page it falls.
#[tokio::test]
async fn search_pages_follow_rank_then_kind_then_id() {
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let mut ties = 0;
        for q in ["treaty", "peace treaty", "minister", "talks"] {
            let (every, total) = store.search_ranked(q, counted(100_000, 0)).await.unwrap();
            assert!(every.len() > 14, "{backend}: {q}: {} hits", every.len());
            assert_eq!(every.len() as u64, total, "{backend}: {q}");
            for w in every.windows(2) {
                let (a, b) = (&w[0], &w[1]);
                let key = |h: &diplograph_store::SearchRow| (h.kind.clone(), h.id);
                assert!(
                    a.rank > b.rank || (a.rank == b.rank && key(a) < key(b)),
                    "{backend}: {q}: {a:?} before {b:?}"
                );
                ties += usize::from(a.rank == b.rank);
            }
            let mut paged = Vec::new();
            for k in 0..every.len().div_ceil(7) {
                let (page, n) = store
                    .search_ranked(q, counted(7, 7 * k as u64))
                    .await
                    .unwrap();
                assert_eq!(n, total, "{backend}: {q}: page {k}");
                paged.extend(page);
            }
            assert_eq!(paged, every, "{backend}: {q}: pages of 7");
        }
        assert!(ties > 0, "{backend}: no tied ranks to order");
    }
}

#[tokio::test]
async fn full_text_search_is_ranked_and_highlighted() {
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let (hits, total) = store
            .search_ranked("peace treaty", counted(10, 0))
            .await
            .unwrap();
        assert!(total >= 10 && hits.len() == 10, "{backend}: {total}");
        assert!(
            hits.windows(2).all(|w| w[0].rank >= w[1].rank),
            "{backend}: ranked"
        );
        assert!(
            hits.iter()
                .all(|h| h.snippet.to_lowercase().contains("[peace]")
                    || h.snippet.to_lowercase().contains("[treaty]")),
            "{backend}: {hits:?}"
        );
        let (all, _) = store
            .search_ranked("peace treaty", counted(100, 0))
            .await
            .unwrap();
        let kinds: std::collections::BTreeSet<&str> = all.iter().map(|h| h.kind.as_str()).collect();
        assert_eq!(
            kinds.len(),
            3,
            "{backend}: quotations, claims and documents: {kinds:?}"
        );
        let (next, next_total) = store
            .search_ranked("peace treaty", counted(10, 10))
            .await
            .unwrap();
        assert!(
            next.iter().all(|h| !hits.contains(h)),
            "{backend}: pages do not overlap"
        );
        // The total is the number of matches, whichever page asks: the first, the next,
        // all of them, or one past the end.
        let (every, every_total) = store
            .search_ranked("peace treaty", counted(100_000, 0))
            .await
            .unwrap();
        let (past, past_total) = store
            .search_ranked("peace treaty", counted(10, total + 5))
            .await
            .unwrap();
        assert_eq!(
            (
                every.len() as u64,
                every_total,
                next_total,
                past.len(),
                past_total
            ),
            (total, total, total, 0, total),
            "{backend}"
        );
        // Without a count the same page comes back, and the total only says whether more
        // follow: one more than the page while they do, the exact total at the end.
        let uncounted = |offset, limit| Page {
            offset,
            limit,
            count: false,
            more: true,
        };
        let (same, more) = store
            .search_ranked("peace treaty", uncounted(0, 10))
            .await
            .unwrap();
        assert_eq!((same, more), (hits.clone(), 11), "{backend}");
        let (tail, end) = store
            .search_ranked("peace treaty", uncounted(total - 3, 10))
            .await
            .unwrap();
        assert_eq!((tail.len(), end), (3, total), "{backend}");
        // Stemming, and input that is not query syntax.
        assert!(
            store
                .search_ranked("treaties", counted(5, 0))
                .await
                .unwrap()
                .1
                > 0,
            "{backend}: stems"
        );
        assert_eq!(
            store
                .search_ranked("\"unbalanced (AND OR", counted(5, 0))
                .await
                .unwrap()
                .1,
            0,
            "{backend}"
        );
        assert_eq!(
            store
                .search_ranked("xylophone", counted(5, 0))
                .await
                .unwrap()
                .1,
            0,
            "{backend}"
        );
    }
}

/// Every quotation of the speaker `id`, in list order, and their count.
async fn spoken_by(
    store: &diplograph_store::Store,
    id: i32,
) -> (Vec<diplograph_store::entities::quotation::Model>, u64) {
    let only = QuotationFilter {
        speaker: Some(id),
        ..Default::default()
    };
    store.quotations(&only, DateOrder::Asc, ALL).await.unwrap()
}

/// A page whose total is counted.
fn counted(limit: u64, offset: u64) -> Page {
    Page {
        offset,
        limit,
        count: true,
        more: true,
    }
}

pub fn pending(f: &std::path::Path) -> diplograph_store::Pending {
    let bytes = std::fs::read(f).unwrap();
    let name = f.file_name().and_then(|n| n.to_str()).map(str::to_string);
    let extraction =
        diplograph_store::extract_for_ingest(&bytes, name.as_deref(), &Default::default()).unwrap();
    diplograph_store::Pending {
        bytes,
        file_name: name,
        extraction,
        vectors: None,
    }
}

async fn totals(store: &diplograph_store::Store) -> (u64, u64, u64) {
    let (_, q) = store
        .quotations(&QuotationFilter::default(), DateOrder::Asc, ALL)
        .await
        .unwrap();
    let (_, p) = store
        .participants(&ParticipantFilter::default(), ALL)
        .await
        .unwrap();
    (store.document_count().await.unwrap(), q, p)
}

#[tokio::test]
async fn a_batch_lands_each_document_alone_and_a_bad_one_fails_alone() {
    for (backend, store) in backends().await {
        let files = corpus_files();
        let mut docs: Vec<_> = files.iter().map(|f| pending(f)).collect();
        // Postgres refuses a NUL character in text: that document's write fails midway.
        let bad = backend == "postgres";
        if bad {
            docs[2].extraction.text.push('\0');
        }
        docs.push(pending(&files[0]));
        let out = store.ingest_batch(docs, &Default::default()).await;
        assert_eq!(out.len(), 6, "{backend}");
        let first = match &out[0] {
            Ok(IngestOutcome::New(id)) => *id,
            other => panic!("{backend}: {other:?}"),
        };
        for (i, r) in out.iter().enumerate().take(5) {
            if i == 2 && bad {
                assert!(r.is_err(), "{backend}: the bad document fails: {r:?}");
            } else {
                assert!(
                    matches!(r, Ok(IngestOutcome::New(_))),
                    "{backend} {i}: {r:?}"
                );
            }
        }
        assert_eq!(
            out[5].as_ref().ok(),
            Some(&IngestOutcome::Unchanged(first)),
            "{backend}: the same bytes twice in one batch are stored once"
        );
        if bad {
            assert_eq!(store.document_count().await.unwrap(), 4, "{backend}");
            // Nothing of the failed document remains: storing it now gives the same graph
            // as storing all five one at a time.
            let bytes = std::fs::read(&files[2]).unwrap();
            let again = store
                .ingest(
                    &bytes,
                    files[2].file_name().and_then(|n| n.to_str()),
                    &Default::default(),
                )
                .await
                .unwrap();
            assert!(again.is_new(), "{backend}");
        }
        let fresh = match backend {
            "postgres" => crate::support::postgres().await.unwrap(),
            _ => crate::support::sqlite().await,
        };
        ingest_corpus(&fresh).await;
        assert_eq!(
            totals(&store).await,
            totals(&fresh).await,
            "{backend}: a batch stores what one-at-a-time ingest stores"
        );
    }
}

/// Reads every row of `E`'s table with sea-orm's derived decoding and by column position
/// ([`diplograph_store::rows`], what the API's reads use), and checks both give the same
/// models. Returns how many rows there were.
async fn decode_both_ways<E>(store: &diplograph_store::Store) -> usize
where
    E: diplograph_store::sea_orm::EntityTrait,
    E::Model: diplograph_store::rows::FromRow
        + diplograph_store::sea_orm::FromQueryResult
        + PartialEq
        + std::fmt::Debug,
{
    use diplograph_store::sea_orm::{ConnectionTrait, FromQueryResult, QueryTrait};
    let db = store.connection();
    let rows = db
        .query_all_raw(E::find().build(db.get_database_backend()))
        .await
        .unwrap();
    let derived: Vec<E::Model> = rows
        .iter()
        .map(|r| E::Model::from_query_result(r, ""))
        .collect::<Result<_, _>>()
        .unwrap();
    let by_position: Vec<E::Model> = diplograph_store::rows::decode_all(&rows).unwrap();
    assert_eq!(derived, by_position, "{}", E::default().table_name());
    rows.len()
}

#[tokio::test]
async fn rows_read_by_position_are_the_rows_sea_orm_reads() {
    use diplograph_store::entities::*;
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let counts = [
            decode_both_ways::<document::Entity>(&store).await,
            decode_both_ways::<participant::Entity>(&store).await,
            decode_both_ways::<participant_alias::Entity>(&store).await,
            decode_both_ways::<participant_role::Entity>(&store).await,
            decode_both_ways::<document_participant::Entity>(&store).await,
            decode_both_ways::<meeting::Entity>(&store).await,
            decode_both_ways::<meeting_participant::Entity>(&store).await,
            decode_both_ways::<meeting_document::Entity>(&store).await,
            decode_both_ways::<turn::Entity>(&store).await,
            decode_both_ways::<quotation::Entity>(&store).await,
            decode_both_ways::<claim::Entity>(&store).await,
            decode_both_ways::<topic::Entity>(&store).await,
            decode_both_ways::<quotation_topic::Entity>(&store).await,
            decode_both_ways::<claim_topic::Entity>(&store).await,
        ];
        assert!(counts.iter().all(|n| *n > 0), "{backend}: {counts:?}");
        decode_both_ways::<correction::Entity>(&store).await;
        // Quotations traced to an earlier one are rare in the seeds: one is stored here,
        // so a score (the one floating-point column) is read both ways too.
        store
            .connection()
            .execute_unprepared(
                "INSERT INTO quotation_sources (quotation_id, source_quotation_id, \
                 source_document_id, span_start, span_end, score) \
                 SELECT a.id, b.id, b.document_id, 0, 5, 0.8125 FROM quotations a, quotations b \
                 WHERE b.document_id <> a.document_id ORDER BY a.id, b.id LIMIT 1",
            )
            .await
            .unwrap();
        assert!(
            decode_both_ways::<quotation_source::Entity>(&store).await > 0,
            "{backend}"
        );

        // NULLs are `None`, as sea-orm reads them: the seed corpus has quotations with and
        // without a cue word, and participants with and without a country.
        let (quotes, _) = store
            .quotations(&QuotationFilter::default(), DateOrder::Asc, ALL)
            .await
            .unwrap();
        assert!(quotes.iter().any(|q| q.cue.is_none()), "{backend}");
        assert!(quotes.iter().any(|q| q.cue.is_some()), "{backend}");
        let (people, _) = store
            .participants(&ParticipantFilter::default(), ALL)
            .await
            .unwrap();
        assert!(people.iter().any(|p| p.country.is_none()), "{backend}");
        assert!(people.iter().any(|p| p.country.is_some()), "{backend}");

        // A result without a model's column is an error, not a panic or a default.
        use diplograph_store::sea_orm::{ConnectionTrait, EntityTrait, QuerySelect, QueryTrait};
        let db = store.connection();
        let ids_only = participant::Entity::find()
            .select_only()
            .column(participant::Column::Id)
            .build(db.get_database_backend());
        let rows = db.query_all_raw(ids_only).await.unwrap();
        assert!(!rows.is_empty());
        assert!(
            diplograph_store::rows::decode_all::<participant::Model>(&rows).is_err(),
            "{backend}"
        );
        // So is a column of another type (a number where the model has text).
        let wrong = db
            .query_all_raw(diplograph_store::sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT id, key, 1 AS name, kind, country, title, surname FROM participants",
            ))
            .await
            .unwrap();
        assert!(!wrong.is_empty());
        let e = diplograph_store::rows::decode_all::<participant::Model>(&wrong);
        assert!(e.is_err(), "{backend}: {e:?}");
    }
}

/// Integer cells as the reads decode them (on Postgres from their binary bytes, falling
/// back to sqlx for any other width): negative values, both extremes, NULL, and a 4-byte
/// column read as a 64-bit integer.
#[tokio::test]
async fn integer_cells_read_as_their_values_on_both_backends() {
    use diplograph_store::rows::cell;
    use diplograph_store::sea_orm::{ConnectionTrait, Statement};
    for (backend, store) in backends().await {
        let db = store.connection();
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT CAST(-7 AS INTEGER) AS a, CAST(-9000000000 AS BIGINT) AS b, \
                 CAST(NULL AS INTEGER) AS c, CAST(2147483647 AS INTEGER) AS d, \
                 CAST(-9223372036854775808 AS BIGINT) AS e, CAST(NULL AS BIGINT) AS f, \
                 CAST(-2147483648 AS INTEGER) AS g",
            ))
            .await
            .unwrap();
        let row = rows.first().expect("one row");
        assert_eq!(cell::<i32>(row, Some(0)).unwrap(), -7, "{backend}");
        assert_eq!(
            cell::<i64>(row, Some(1)).unwrap(),
            -9_000_000_000,
            "{backend}"
        );
        assert_eq!(
            cell::<Option<i32>>(row, Some(2)).unwrap(),
            None,
            "{backend}"
        );
        assert_eq!(cell::<i32>(row, Some(3)).unwrap(), i32::MAX, "{backend}");
        assert_eq!(
            cell::<Option<i64>>(row, Some(4)).unwrap(),
            Some(i64::MIN),
            "{backend}"
        );
        assert_eq!(
            cell::<Option<i64>>(row, Some(5)).unwrap(),
            None,
            "{backend}"
        );
        assert_eq!(
            cell::<Option<i32>>(row, Some(6)).unwrap(),
            Some(i32::MIN),
            "{backend}"
        );
        assert_eq!(cell::<i64>(row, Some(0)).unwrap(), -7, "{backend}");
        if backend == "postgres" {
            // Postgres says which cells are NULL, and a NULL is not read as a number.
            // (sqlx reads SQLite's NULL as 0; the schema's NOT NULL columns never hold one.)
            assert!(cell::<i32>(row, Some(2)).is_err(), "NULL into a number");
        }
    }
}

#[tokio::test]
async fn every_sqlite_connection_waits_for_a_writer_and_checks_foreign_keys() {
    use diplograph_store::sea_orm::{
        ConnectionTrait, DatabaseBackend, Statement, TransactionTrait,
    };
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("pool.db").display());
    let store = diplograph_store::Store::connect_with(&url, 3)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let db = store.connection();
    // Three transactions at once hold three different connections of the pool.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(db.begin().await.unwrap());
    }
    for txn in &held {
        let pragma = |sql: &'static str| async move {
            txn.query_one_raw(Statement::from_string(DatabaseBackend::Sqlite, sql))
                .await
                .unwrap()
                .unwrap()
                .try_get_by_index::<i64>(0)
                .unwrap()
        };
        let timeout = pragma("PRAGMA busy_timeout").await;
        let keys = pragma("PRAGMA foreign_keys").await;
        assert_eq!((timeout, keys), (10_000, 1));
    }
}

/// The bundled SQLite is compiled as `.cargo/config.toml` says: without
/// `ENABLE_MEMORY_MANAGEMENT` (one page cache, behind one lock, for every connection of
/// the process) and without counting its memory under another shared lock. With them,
/// two cores serving 32 clients spent most of their time waiting on those locks
/// (BENCHMARKS.md, twenty-third session).
#[tokio::test]
async fn sqlite_is_built_for_concurrent_readers() {
    use diplograph_store::sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    let store = crate::support::sqlite().await;
    let options: Vec<String> = store
        .connection()
        .query_all_raw(Statement::from_string(
            DatabaseBackend::Sqlite,
            "PRAGMA compile_options",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    assert!(
        options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0")
            && !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
        "{options:?}"
    );
}

/// The rows of `rows` that `mine` keeps, in their order.
fn owned<M: Clone>(rows: &[M], mine: impl Fn(&M) -> bool) -> Vec<M> {
    rows.iter().filter(|r| mine(r)).cloned().collect()
}

/// Pages of many owners read at once (one statement) hold, for each owner, exactly the
/// rows of that owner's page read alone, in list order (document date, document,
/// position), at the first page and past it; and a top-level list read a page at a time,
/// with and without its total, is the whole list in order.
#[tokio::test]
async fn pages_for_many_owners_and_pages_past_the_first_keep_list_order() {
    use diplograph_store::{ClaimOwner, Joined, QuotationOwner};
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let (people, _) = store
            .participants(&ParticipantFilter::default(), ALL)
            .await
            .unwrap();
        let ids: Vec<i32> = people.iter().map(|p| p.id).collect();
        assert!(ids.len() > 10, "{backend}");
        let mut owners_with_more = 0;
        for (offset, limit, count) in [(0, 3, false), (2, 4, false), (1, 2, true)] {
            let page = Page {
                offset,
                limit,
                count,
                more: true,
            };
            let all = store
                .quotation_pages(QuotationOwner::Speaker, &ids, page, Joined::Heads)
                .await
                .unwrap();
            let claims = store
                .claim_pages(ClaimOwner::Claimant, &ids, page, Joined::Titles)
                .await
                .unwrap();
            // Many owners: SQLite reads 200 a statement. With 195 owners that have
            // nothing first, the real ones fall on both sides of the cut, and their pages,
            // totals and documents are the same.
            let padded: Vec<i32> = (1_000_000..1_000_195).chain(ids.iter().copied()).collect();
            let far = store
                .quotation_pages(QuotationOwner::Speaker, &padded, page, Joined::Heads)
                .await
                .unwrap();
            assert_eq!(far.rows, all.rows, "{backend} {page:?}");
            assert_eq!(far.totals, all.totals, "{backend} {page:?}");
            assert_eq!(far.documents, all.documents, "{backend} {page:?}");
            let mut keys = Vec::new();
            for id in &ids {
                let alone = store
                    .quotation_pages(QuotationOwner::Speaker, &[*id], page, Joined::Heads)
                    .await
                    .unwrap();
                let together = owned(&all.rows, |q| q.speaker_id == Some(*id));
                assert_eq!(together, alone.rows, "{backend} {id} {page:?}");
                assert_eq!(all.totals.get(id), alone.totals.get(id), "{backend} {id}");
                owners_with_more += usize::from(together.len() == limit as usize);
                let claims_alone = store
                    .claim_pages(ClaimOwner::Claimant, &[*id], page, Joined::Nothing)
                    .await
                    .unwrap();
                let claims_together = owned(&claims.rows, |c| c.claimant_id == Some(*id));
                assert_eq!(claims_together, claims_alone.rows, "{backend} {id}");
                assert!(
                    claims_alone.titles.is_empty() && claims_alone.documents.is_empty(),
                    "{backend}: nothing of the documents unless asked"
                );
                keys.extend(
                    alone
                        .rows
                        .iter()
                        .map(|q| (q.speaker_id, q.date_key, q.document_id, q.idx)),
                );
            }
            // Grouped by owner, each owner's rows in list order.
            let got: Vec<_> = all
                .rows
                .iter()
                .map(|q| (q.speaker_id, q.date_key, q.document_id, q.idx))
                .collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(got, sorted, "{backend} {page:?}");
            // What was joined of the rows' documents: heads for the quotations, titles for
            // the claims, each as the documents read by id.
            let doc_ids = |ds: Vec<i32>| {
                let mut ds = ds;
                ds.sort();
                ds.dedup();
                ds
            };
            let quoted = doc_ids(all.rows.iter().map(|q| q.document_id).collect());
            let claimed = doc_ids(claims.rows.iter().map(|c| c.document_id).collect());
            assert!(!claimed.is_empty(), "{backend} {page:?}");
            let heads = store.document_heads_by_ids(&quoted).await.unwrap();
            assert_eq!(heads.len(), quoted.len(), "{backend}");
            for h in &heads {
                assert_eq!(all.documents.get(&h.id), Some(h), "{backend} {}", h.id);
            }
            assert_eq!(all.documents.len(), quoted.len(), "{backend}");
            assert!(
                all.titles.is_empty() && claims.documents.is_empty(),
                "{backend}"
            );
            let titles = store.document_titles(&claimed).await.unwrap();
            assert_eq!(titles.len(), claimed.len(), "{backend}");
            for (d, title) in &titles {
                assert!(!title.is_empty(), "{backend} {d}");
                assert_eq!(claims.titles.get(d), Some(title), "{backend} {d}");
            }
            assert_eq!(claims.titles.len(), claimed.len(), "{backend}");
            // Each owner's page is that owner's list, cut at the offset.
            for id in &ids {
                let (full, _) = spoken_by(&store, *id).await;
                let want: Vec<i32> = full
                    .iter()
                    .skip(offset as usize)
                    .take(limit as usize)
                    .map(|q| q.id)
                    .collect();
                let got: Vec<i32> = all
                    .rows
                    .iter()
                    .filter(|q| q.speaker_id == Some(*id))
                    .map(|q| q.id)
                    .collect();
                assert_eq!(got, want, "{backend} {id} {page:?}");
            }
        }
        assert!(owners_with_more > 3, "{backend}: {owners_with_more}");
        // The top-level list, a page at a time, against the whole of it.
        let (whole, total) = store
            .quotations(&QuotationFilter::default(), DateOrder::Asc, ALL)
            .await
            .unwrap();
        assert!(total > 20, "{backend}");
        for count in [false, true] {
            let mut walked = Vec::new();
            for offset in (0..total).step_by(7) {
                let (rows, t) = store
                    .quotations(
                        &QuotationFilter::default(),
                        DateOrder::Asc,
                        Page {
                            offset,
                            limit: 7,
                            count,
                            more: true,
                        },
                    )
                    .await
                    .unwrap();
                assert!(rows.len() <= 7, "{backend}");
                if count {
                    assert_eq!(t, total, "{backend}");
                }
                walked.extend(rows);
            }
            assert_eq!(walked, whole, "{backend} count: {count}");
        }
    }
}

/// The store's own Postgres pool for reads closes a connection whose statement was cut
/// short (a request's time limit, a client gone) instead of lending it out again, and
/// a read on a connection that died while idle is run again on a new one.
#[tokio::test]
async fn postgres_reads_survive_cancelled_statements_and_dead_connections() {
    use diplograph_store::sea_orm::{ConnectionTrait, TransactionTrait};
    let Some((url, name, admin)) = crate::support::postgres_db().await else {
        eprintln!("note: Postgres not available");
        return;
    };
    let store = diplograph_store::Store::connect_with(&url, 4)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    ingest_corpus(&store).await;
    let documents = store.document_count().await.unwrap();
    assert_eq!(documents, corpus_files().len() as u64);
    let warm = store.read_pool_stats();
    assert_eq!(warm, (1, 1), "one read at a time needs one connection");

    // A read stuck behind a lock, given up by its caller.
    let locker = diplograph_store::Store::connect_with(&url, 1)
        .await
        .unwrap();
    let txn = locker.connection().begin().await.unwrap();
    txn.execute_unprepared("LOCK TABLE documents IN ACCESS EXCLUSIVE MODE")
        .await
        .unwrap();
    let cut = tokio::time::timeout(
        std::time::Duration::from_millis(300),
        store.document_count(),
    )
    .await;
    assert!(cut.is_err(), "the read was blocked by the lock");
    txn.rollback().await.unwrap();
    locker.close().await.unwrap();
    assert_eq!(
        store.read_pool_stats(),
        (0, 0),
        "the cut-short connection is closed, not lent out again"
    );
    assert_eq!(store.document_count().await.unwrap(), documents);

    // Every backend of the database terminated while the store's connections are idle.
    crate::support::pg_admin(
        &admin,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ),
    )
    .await;
    assert_eq!(store.document_count().await.unwrap(), documents);
    let (quotations, total) = store
        .quotations(&QuotationFilter::default(), DateOrder::Asc, ALL)
        .await
        .unwrap();
    assert!(!quotations.is_empty() && total == quotations.len() as u64);
    assert_eq!(
        store.read_pool_stats(),
        (1, 1),
        "the dead connection was replaced"
    );
    store.close().await.unwrap();
}

/// On Postgres, migrations 16, 15, 14, 13 and 12 roll back to the schema before them and
/// apply again over a filled database: the search vectors made by generated columns or by
/// triggers (the vectors the same either way), the claims' page index by kind, the topic
/// links' places in the lists and their index,
/// the alias names and their trigram index, then the page indexes' `INCLUDE (id)` and the
/// topic links' `(topic_id, row id)` indexes, go and come back; `alias_names` is filled
/// again from the aliases, and the links' places from their rows.
#[tokio::test]
async fn postgres_migrations_roll_back_and_apply_again() {
    use diplograph_store::sea_orm::{ConnectionTrait, Statement};
    let Some(store) = crate::support::postgres().await else {
        eprintln!("note: Postgres not available");
        return;
    };
    ingest_corpus(&store).await;
    let db = store.connection();
    let text = |sql: String| async move {
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .and_then(|r| r.try_get_by_index::<Option<String>>(0).unwrap())
            .unwrap_or_default()
    };
    let index = |name: &'static str| text(format!("SELECT pg_get_indexdef(to_regclass('{name}'))"));
    let table = |name: &'static str| text(format!("SELECT CAST(to_regclass('{name}') AS TEXT)"));
    let count = |sql: &'static str| text(format!("SELECT CAST(count(*) AS TEXT) FROM {sql}"));
    let trigrams = !text("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'".into())
        .await
        .is_empty();
    let generated = "pg_attribute WHERE attname = 'tsv' AND attgenerated = 's' \
                     AND attrelid IN ('documents'::regclass, 'quotations'::regclass, \
                     'claims'::regclass)";
    let triggers = "pg_trigger WHERE tgname LIKE '%\\_tsv\\_%' AND NOT tgisinternal";
    let stale = "(SELECT tsv <> to_tsvector('english', coalesce(title, '') || ' ' || \
                 coalesce(text, '')) AS differs FROM documents UNION ALL \
                 SELECT tsv IS DISTINCT FROM to_tsvector('english', coalesce(text, '')) \
                 FROM quotations UNION ALL SELECT tsv IS DISTINCT FROM \
                 to_tsvector('english', coalesce(text, '')) FROM claims) v WHERE differs";
    let applied = |trgm_on_names: bool| async move {
        assert_eq!(table("alias_names").await, "alias_names");
        let n = count("alias_names").await;
        let d = count("(SELECT DISTINCT participant_id, alias FROM participant_aliases) d").await;
        assert!(n == d && n != "0", "alias_names {n}, distinct aliases {d}");
        assert!(index("ix_quotations_page_speaker")
            .await
            .contains("INCLUDE (id)"));
        assert!(index("ix_claims_page").await.contains("INCLUDE (id)"));
        assert!(index("ix_claims_page_kind")
            .await
            .contains("(kind, date_key, document_id, idx) INCLUDE (id)"));
        assert!(index("ix_quotation_topics_topic_order")
            .await
            .contains("(topic_id, date_key, document_id, idx, quotation_id)"));
        assert_eq!(index("ix_quotation_topics_topic_row").await, "");
        assert_eq!(index("ix_quotation_topics_t").await, "");
        // Every link carries its row's place, those written before migration 14 too.
        for misplaced in [
            "quotation_topics l JOIN quotations o ON o.id = l.quotation_id \
             WHERE (l.date_key, l.document_id, l.idx) <> (o.date_key, o.document_id, o.idx)",
            "claim_topics l JOIN claims o ON o.id = l.claim_id \
             WHERE (l.date_key, l.document_id, l.idx) <> (o.date_key, o.document_id, o.idx)",
        ] {
            assert_eq!(count(misplaced).await, "0", "{misplaced}");
        }
        assert_eq!(
            !index("ix_alias_names_trgm").await.is_empty(),
            trgm_on_names
        );
        assert_eq!(index("ix_participant_aliases_trgm").await, "");
        assert_eq!(count(generated).await, "0");
        assert_eq!(count(triggers).await, "6");
        assert_eq!(count(stale).await, "0");
        assert!(index("ix_quotations_tsv").await.contains("gin (tsv)"));
    };
    applied(trigrams).await;
    store.roll_back(1).await.unwrap();
    assert_eq!(count(generated).await, "3");
    assert_eq!(count(triggers).await, "0");
    assert_eq!(count(stale).await, "0");
    assert!(index("ix_documents_tsv").await.contains("gin (tsv)"));
    store.roll_back(1).await.unwrap();
    assert_eq!(index("ix_claims_page_kind").await, "");
    assert!(!index("ix_quotation_topics_topic_order").await.is_empty());
    store.roll_back(1).await.unwrap();
    assert_eq!(index("ix_quotation_topics_topic_order").await, "");
    assert!(index("ix_quotation_topics_topic_row")
        .await
        .contains("(topic_id, quotation_id)"));
    let places = "information_schema.columns WHERE table_name = 'claim_topics' \
                  AND column_name IN ('date_key', 'document_id', 'idx')";
    assert_eq!(count(places).await, "0");
    store.roll_back(1).await.unwrap();
    assert_eq!(table("alias_names").await, "");
    assert_eq!(index("ix_alias_names_trgm").await, "");
    assert_eq!(
        !index("ix_participant_aliases_trgm").await.is_empty(),
        trigrams
    );
    store.roll_back(1).await.unwrap();
    assert!(!index("ix_quotations_page_speaker")
        .await
        .contains("INCLUDE"));
    assert!(!index("ix_claims_page").await.contains("INCLUDE"));
    assert_eq!(index("ix_quotation_topics_topic_row").await, "");
    assert!(index("ix_quotation_topics_t").await.contains("(topic_id)"));
    store.migrate().await.unwrap();
    applied(trigrams).await;
    // The schema serves again: a name filter reads the refilled alias names.
    let f = QuotationFilter {
        speaker_name: Some("kono".into()),
        ..Default::default()
    };
    let (_, n) = store.quotations(&f, DateOrder::Asc, ALL).await.unwrap();
    assert!(n > 0);
    // And a search reads the vectors kept through it all.
    let (_, hits) = store.search_ranked("talks", ALL).await.unwrap();
    assert!(hits > 0);
}

/// On Postgres a batch's search vectors can be made before it is written, on another
/// connection (`with_search_vectors`, which the CLI's ingest calls for the next batch
/// while one is written), and the writes store them as given. With the tables' insert
/// triggers turned off, a batch given vectors has every one, while a batch given none has
/// none (so they came from the ingest, not from the database as it wrote); every vector is
/// `to_tsvector('english', …)` of its row's text, the one the trigger makes. With the
/// triggers on, a document ingested alone gets its vectors from them, and a quotation's
/// text changed by an update gets a new one. On SQLite the documents come back as they
/// were.
#[tokio::test]
async fn postgres_search_vectors_made_beforehand_are_the_databases_own() {
    use diplograph_store::sea_orm::{ConnectionTrait, Statement};
    let lite = crate::support::sqlite().await;
    let files = corpus_files();
    let same = lite
        .with_search_vectors(files.iter().map(|f| pending(f)).collect())
        .await;
    assert!(same.iter().all(|p| p.vectors.is_none()));
    let Some(store) = crate::support::postgres().await else {
        eprintln!("note: Postgres not available");
        return;
    };
    let db = store.connection();
    let triggers = |on: bool| async move {
        for t in ["documents", "quotations", "claims"] {
            let verb = if on { "ENABLE" } else { "DISABLE" };
            db.execute_unprepared(&format!("ALTER TABLE {t} {verb} TRIGGER {t}_tsv_insert"))
                .await
                .unwrap();
        }
    };
    let count = |sql: String| async move {
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .and_then(|r| r.try_get_by_index::<i64>(0).ok())
            .unwrap_or(-1)
    };
    let missing = |t: &'static str| count(format!("SELECT count(*) FROM {t} WHERE tsv IS NULL"));
    let rows = |t: &'static str| count(format!("SELECT count(*) FROM {t}"));
    let (first, rest) = files.split_at(2);
    triggers(false).await;
    let given = store
        .with_search_vectors(first.iter().map(|f| pending(f)).collect())
        .await;
    assert!(given.iter().all(|p| p.vectors.is_some()));
    let out = store.ingest_batch(given, &Default::default()).await;
    assert!(
        out.iter().all(|r| matches!(r, Ok(IngestOutcome::New(_)))),
        "{out:?}"
    );
    for t in ["documents", "quotations", "claims"] {
        assert!(rows(t).await > 0, "{t}");
        assert_eq!(
            missing(t).await,
            0,
            "{t}: the batch's rows have the vectors given"
        );
    }
    let (second, alone) = rest.split_at(1);
    let out = store
        .ingest_batch(
            second.iter().map(|f| pending(f)).collect(),
            &Default::default(),
        )
        .await;
    assert!(
        out.iter().all(|r| matches!(r, Ok(IngestOutcome::New(_)))),
        "{out:?}"
    );
    assert_eq!(missing("documents").await, 1, "none given, none made");
    assert!(missing("quotations").await > 0);
    db.execute_unprepared(
        "UPDATE documents SET tsv = to_tsvector('english', title || ' ' || text) \
         WHERE tsv IS NULL; UPDATE quotations SET tsv = to_tsvector('english', text) \
         WHERE tsv IS NULL; UPDATE claims SET tsv = to_tsvector('english', text) \
         WHERE tsv IS NULL",
    )
    .await
    .unwrap();
    triggers(true).await;
    for f in alone {
        let bytes = std::fs::read(f).unwrap();
        let out = store.ingest(&bytes, None, &Default::default()).await;
        assert!(matches!(out, Ok(IngestOutcome::New(_))), "{out:?}");
    }
    assert_eq!(rows("documents").await, i64::try_from(files.len()).unwrap());
    for t in ["documents", "quotations", "claims"] {
        assert_eq!(missing(t).await, 0, "{t}: the trigger made the others");
    }
    let stale = "SELECT count(*) FROM (SELECT tsv <> to_tsvector('english', \
                 coalesce(title, '') || ' ' || coalesce(text, '')) AS differs FROM documents \
                 UNION ALL SELECT tsv <> to_tsvector('english', coalesce(text, '')) \
                 FROM quotations UNION ALL SELECT tsv <> to_tsvector('english', \
                 coalesce(text, '')) FROM claims) v WHERE differs";
    assert_eq!(count(stale.into()).await, 0);
    db.execute_unprepared(
        "UPDATE quotations SET text = 'The embargo was lifted.' \
         WHERE id = (SELECT min(id) FROM quotations)",
    )
    .await
    .unwrap();
    assert_eq!(
        count(stale.into()).await,
        0,
        "an update's text has its vector"
    );
    let (hits, _) = store.search_ranked("embargo lifted", ALL).await.unwrap();
    assert!(
        hits.iter().any(|h| h.kind == "quotation"),
        "the changed quotation is found by its new words: {hits:?}"
    );
    store.close().await.unwrap();
}

/// On Postgres a document whose text is too large for a search vector (over 1 MB of
/// distinct words) fails alone in a batch whose vectors are made beforehand: making them
/// fails, the batch is written without them (the triggers make the others' vectors), and
/// that document fails when written, as it would have alone, while the batch's others are
/// stored and found by search.
#[tokio::test]
async fn postgres_a_document_too_large_for_a_search_vector_fails_alone() {
    let Some(store) = crate::support::postgres().await else {
        eprintln!("note: Postgres not available");
        return;
    };
    let files = corpus_files();
    let mut docs: Vec<diplograph_store::Pending> =
        files.iter().take(2).map(|f| pending(f)).collect();
    // 130,000 distinct made-up words, 7 to 12 letters each, in sentences of 20.
    let mut seed: u64 = 7;
    let mut next = || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        seed >> 33
    };
    let mut text = String::from("Big report.\n\n");
    for i in 0..130_000 {
        let len = 7 + next() % 6;
        text.extend((0..len).map(|_| char::from(b'a' + u8::try_from(next() % 26).unwrap())));
        text.push_str(if i % 20 == 19 { ".\n\n" } else { " " });
    }
    let bytes = text.into_bytes();
    let extraction =
        diplograph_store::extract_for_ingest(&bytes, Some("big.txt"), &Default::default()).unwrap();
    docs.insert(
        1,
        diplograph_store::Pending {
            bytes,
            file_name: Some("big.txt".into()),
            extraction,
            vectors: None,
        },
    );
    let docs = store.with_search_vectors(docs).await;
    assert!(docs.iter().all(|p| p.vectors.is_none()));
    let out = store.ingest_batch(docs, &Default::default()).await;
    assert!(matches!(out[0], Ok(IngestOutcome::New(_))), "{out:?}");
    assert!(matches!(out[2], Ok(IngestOutcome::New(_))), "{out:?}");
    let err = out[1].as_ref().map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("too long for tsvector"), "{err}");
    let (_, hits) = store.search_ranked("talks", ALL).await.unwrap();
    assert!(hits > 0);
    store.close().await.unwrap();
}

/// On Postgres the ingest's write transaction runs its statements on generic plans, and
/// that setting ends with the transaction: the connection it ran on (the only one of a
/// pool of one) plans other statements as before.
#[tokio::test]
async fn postgres_ingest_plans_generically_only_inside_its_transaction() {
    use diplograph_store::sea_orm::{ConnectionTrait, Statement};
    let Some((url, _, _)) = crate::support::postgres_db().await else {
        eprintln!("note: Postgres not available");
        return;
    };
    let store = diplograph_store::Store::connect_with(&url, 1)
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let db = store.connection();
    let mode = || async {
        db.query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT current_setting('plan_cache_mode')".to_string(),
        ))
        .await
        .unwrap()
        .and_then(|r| r.try_get_by_index::<String>(0).ok())
        .unwrap_or_default()
    };
    assert_eq!(mode().await, "auto");
    let out = store
        .ingest_batch(
            corpus_files().iter().map(|f| pending(f)).collect(),
            &Default::default(),
        )
        .await;
    assert!(
        out.iter().all(|r| matches!(r, Ok(IngestOutcome::New(_)))),
        "{out:?}"
    );
    assert_eq!(mode().await, "auto");
    store.close().await.unwrap();
}

/// On a Postgres built with LZ4, the large values ingest writes (documents' text,
/// extraction and bytes, the search vectors) are stored compressed with it, not with the
/// slower default; on one without, with the default.
#[tokio::test]
async fn postgres_compresses_large_values_with_lz4_when_it_can() {
    use diplograph_store::sea_orm::{ConnectionTrait, Statement};
    let Some(store) = crate::support::postgres().await else {
        eprintln!("note: Postgres not available");
        return;
    };
    ingest_corpus(&store).await;
    let db = store.connection();
    let one = |sql: &str| Statement::from_string(db.get_database_backend(), sql.to_string());
    let lz4 = db
        .query_one_raw(one(
            "SELECT CAST('lz4' = ANY(enumvals) AS BOOLEAN) FROM pg_settings \
             WHERE name = 'default_toast_compression'",
        ))
        .await
        .unwrap()
        .and_then(|r| r.try_get_by_index::<Option<bool>>(0).unwrap())
        .unwrap_or(false);
    let methods: Vec<String> = db
        .query_all_raw(one(
            "SELECT DISTINCT COALESCE(m, 'none') FROM documents d CROSS JOIN LATERAL (VALUES \
             (pg_column_compression(d.text)), (pg_column_compression(d.extraction)), \
             (pg_column_compression(d.raw))) v(m)",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    let expected = if lz4 { "lz4" } else { "pglz" };
    assert!(
        methods.iter().any(|m| m == expected),
        "some seed values are long enough to be compressed: {methods:?}"
    );
    assert!(
        methods.iter().all(|m| m == expected || m == "none"),
        "every compressed value uses {expected}: {methods:?}"
    );
    let tsv: Vec<String> = db
        .query_all_raw(one(
            "SELECT DISTINCT pg_column_compression(tsv) FROM documents \
             WHERE pg_column_compression(tsv) IS NOT NULL",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    assert!(tsv.iter().all(|m| m == expected), "{tsv:?}");
    store.close().await.unwrap();
}

/// A page read without its total reads one row more, to tell whether more follow, only
/// when the caller asks (`more`); without, it reads the page alone and its total is the
/// rows it holds past the offset. The rows are the same either way.
#[tokio::test]
async fn uncounted_pages_read_a_row_more_only_when_asked() {
    use diplograph_store::{Joined, QuotationOwner};
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let page = |more| Page {
            offset: 1,
            limit: 2,
            count: false,
            more,
        };
        let (people, _) = store
            .participants(&ParticipantFilter::default(), ALL)
            .await
            .unwrap();
        let ids: Vec<i32> = people.iter().map(|p| p.id).collect();
        let asked = store
            .quotation_pages(QuotationOwner::Speaker, &ids, page(true), Joined::Titles)
            .await
            .unwrap();
        let alone = store
            .quotation_pages(QuotationOwner::Speaker, &ids, page(false), Joined::Titles)
            .await
            .unwrap();
        assert_eq!(asked.rows, alone.rows, "{backend}");
        assert_eq!(asked.titles, alone.titles, "{backend}");
        let mut with_more = 0;
        for id in &ids {
            let (all, total) = spoken_by(&store, *id).await;
            let kept = all.len().saturating_sub(1).min(2) as u64;
            let more = u64::from(total > 3);
            with_more += more;
            if kept == 0 {
                continue;
            }
            assert_eq!(
                asked.totals.get(id),
                Some(&(1 + kept + more)),
                "{backend} {id}"
            );
            assert_eq!(alone.totals.get(id), Some(&(1 + kept)), "{backend} {id}");
        }
        assert!(with_more > 0, "{backend}: some speaker has more than three");
        // Top-level lists and search: the same rows, the total one more only when asked.
        let (qf, mf) = (QuotationFilter::default(), MeetingFilter::default());
        let list = |more| store.quotations(&qf, DateOrder::Asc, page(more));
        let (a, asked_total) = list(true).await.unwrap();
        let (b, alone_total) = list(false).await.unwrap();
        assert_eq!((a.len(), asked_total), (2, 4), "{backend}");
        assert_eq!((b, alone_total), (a, 3), "{backend}");
        let meetings = |more| store.meetings_with_participants(&mf, DateOrder::Asc, page(more));
        let (a, b) = (
            meetings(true).await.unwrap(),
            meetings(false).await.unwrap(),
        );
        assert_eq!((a.meetings.len(), a.total, b.total), (2, 4, 3), "{backend}");
        assert_eq!(a.meetings, b.meetings, "{backend}");
        let (a, asked_total) = store.search_ranked("treaty", page(true)).await.unwrap();
        let (b, alone_total) = store.search_ranked("treaty", page(false)).await.unwrap();
        assert_eq!((a.len(), asked_total, alone_total), (2, 4, 3), "{backend}");
        assert_eq!(a, b, "{backend}");
    }
}

/// A topic filter answers exactly the quotations and claims tagged with that topic, by
/// slug or by id, alone and beside a speaker filter, with the right totals; a slug no
/// topic has, or an id and another topic's slug, answers nothing. The filters look the
/// slug's id up before their statement (for Postgres's plan) and count a topic's list
/// alone from its links, so this also checks that the id is the slug's own and that the
/// links are counted only when the topic is the only filter.
#[tokio::test]
async fn topic_filters_answer_exactly_the_tagged_rows() {
    use diplograph_store::ClaimFilter;
    use std::collections::BTreeSet;
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let (all_q, _) = store
            .quotations(&QuotationFilter::default(), DateOrder::Asc, ALL)
            .await
            .unwrap();
        let (all_c, _) = store
            .claims(&ClaimFilter::default(), DateOrder::Asc, ALL)
            .await
            .unwrap();
        let q_ids: Vec<i32> = all_q.iter().map(|q| q.id).collect();
        let c_ids: Vec<i32> = all_c.iter().map(|c| c.id).collect();
        let q_tags = store.topics_of_quotations(&q_ids).await.unwrap();
        let c_tags = store.topics_of_claims(&c_ids).await.unwrap();
        let topics = store.topics().await.unwrap();
        assert!(topics.len() >= 3, "{backend}: {} topics", topics.len());
        // A speaker with quotations on some topic, to combine the two filters.
        let speaker = all_q
            .iter()
            .find_map(|q| {
                q.speaker_id
                    .filter(|_| q_tags.iter().any(|(id, _)| *id == q.id))
            })
            .expect("a tagged quotation with a speaker");
        let mut nonempty = 0;
        for t in &topics {
            let want_q: BTreeSet<i32> = q_tags
                .iter()
                .filter(|(_, tp)| tp.slug == t.slug)
                .map(|(id, _)| *id)
                .collect();
            let want_c: BTreeSet<i32> = c_tags
                .iter()
                .filter(|(_, tp)| tp.slug == t.slug)
                .map(|(id, _)| *id)
                .collect();
            nonempty += usize::from(!want_q.is_empty()) + usize::from(!want_c.is_empty());
            let f = QuotationFilter {
                topic: Some(t.slug.clone()),
                ..Default::default()
            };
            let (got, n) = store.quotations(&f, DateOrder::Asc, ALL).await.unwrap();
            let got: BTreeSet<i32> = got.iter().map(|q| q.id).collect();
            assert_eq!(got, want_q, "{backend}: quotations on {}", t.slug);
            assert_eq!(n, want_q.len() as u64, "{backend}: {} counted", t.slug);
            let n = store
                .quotations(&f, DateOrder::Asc, counted(1, 0))
                .await
                .unwrap()
                .1;
            assert_eq!(n, want_q.len() as u64, "{backend}: {} counted", t.slug);
            let f = ClaimFilter {
                topic: Some(t.slug.clone()),
                ..Default::default()
            };
            let (got, n) = store.claims(&f, DateOrder::Asc, ALL).await.unwrap();
            let got: BTreeSet<i32> = got.iter().map(|c| c.id).collect();
            assert_eq!(got, want_c, "{backend}: claims on {}", t.slug);
            assert_eq!(n, want_c.len() as u64, "{backend}: {} counted", t.slug);
            let n = store
                .claims(&f, DateOrder::Asc, counted(1, 0))
                .await
                .unwrap()
                .1;
            assert_eq!(n, want_c.len() as u64, "{backend}: {} counted", t.slug);
            // Beside a speaker: the intersection.
            let f = QuotationFilter {
                topic: Some(t.slug.clone()),
                speaker: Some(speaker),
                ..Default::default()
            };
            let (got, n) = store.quotations(&f, DateOrder::Asc, ALL).await.unwrap();
            let got: BTreeSet<i32> = got.iter().map(|q| q.id).collect();
            let want: BTreeSet<i32> = all_q
                .iter()
                .filter(|q| q.speaker_id == Some(speaker) && want_q.contains(&q.id))
                .map(|q| q.id)
                .collect();
            assert_eq!(got, want, "{backend}: {} by speaker {speaker}", t.slug);
            assert_eq!(
                n,
                want.len() as u64,
                "{backend}: {} by speaker, counted",
                t.slug
            );
            let n = store
                .quotations(&f, DateOrder::Asc, counted(1, 0))
                .await
                .unwrap()
                .1;
            assert_eq!(n, want.len() as u64, "{backend}: {} by speaker", t.slug);
            // By id, as a topic's own lists ask; with its slug too; with another's slug.
            let other = topics.iter().find(|o| o.id != t.id).unwrap();
            for (slug, want_q, want_c) in [
                (None, &want_q, &want_c),
                (Some(t.slug.clone()), &want_q, &want_c),
                (Some(other.slug.clone()), &BTreeSet::new(), &BTreeSet::new()),
            ] {
                let f = QuotationFilter {
                    topic_id: Some(t.id),
                    topic: slug.clone(),
                    ..Default::default()
                };
                let (got, n) = store.quotations(&f, DateOrder::Asc, ALL).await.unwrap();
                let got: BTreeSet<i32> = got.iter().map(|q| q.id).collect();
                assert_eq!(
                    (&got, n),
                    (want_q, want_q.len() as u64),
                    "{backend}: {slug:?}"
                );
                let f = ClaimFilter {
                    topic_id: Some(t.id),
                    topic: slug.clone(),
                    ..Default::default()
                };
                let (got, n) = store.claims(&f, DateOrder::Asc, ALL).await.unwrap();
                let got: BTreeSet<i32> = got.iter().map(|c| c.id).collect();
                assert_eq!(
                    (&got, n),
                    (want_c, want_c.len() as u64),
                    "{backend}: {slug:?}"
                );
            }
        }
        assert!(nonempty >= 4, "{backend}: {nonempty} tagged lists");
        for page in [
            ALL,
            Page {
                count: false,
                ..ALL
            },
        ] {
            let f = QuotationFilter {
                topic: Some("no-such-topic".into()),
                ..Default::default()
            };
            let (got, n) = store.quotations(&f, DateOrder::Asc, page).await.unwrap();
            assert_eq!((got.len(), n), (0, 0), "{backend}: unknown topic");
            let f = ClaimFilter {
                topic: Some("no-such-topic".into()),
                ..Default::default()
            };
            let (got, n) = store.claims(&f, DateOrder::Asc, page).await.unwrap();
            assert_eq!((got.len(), n), (0, 0), "{backend}: unknown topic");
        }
    }
}

/// The store's whole quotation and claim lists in `order`, each row with its topics'
/// slugs.
async fn lists_with_topics(
    store: &diplograph_store::Store,
    order: DateOrder,
) -> (
    Vec<(quotation::Model, Vec<String>)>,
    Vec<(claim::Model, Vec<String>)>,
) {
    let (quotations, _) = store
        .quotations(&QuotationFilter::default(), order, ALL)
        .await
        .unwrap();
    let ids: Vec<i32> = quotations.iter().map(|q| q.id).collect();
    let q_tags = store.topics_of_quotations(&ids).await.unwrap();
    let (claims, _) = store
        .claims(&diplograph_store::ClaimFilter::default(), order, ALL)
        .await
        .unwrap();
    let ids: Vec<i32> = claims.iter().map(|c| c.id).collect();
    let c_tags = store.topics_of_claims(&ids).await.unwrap();
    let slugs = |tags: &[(i32, diplograph_store::entities::topic::Model)], id: i32| {
        tags.iter()
            .filter(|(of, _)| *of == id)
            .map(|(_, t)| t.slug.clone())
            .collect::<Vec<_>>()
    };
    let quotations = quotations.into_iter().map(|q| {
        let s = slugs(&q_tags, q.id);
        (q, s)
    });
    let claims = claims.into_iter().map(|c| {
        let s = slugs(&c_tags, c.id);
        (c, s)
    });
    (quotations.collect(), claims.collect())
}

/// The rows of a list from [`lists_with_topics`] that carry the topic `slug`, in order.
fn on_topic<'a, T>(
    list: &'a [(T, Vec<String>)],
    slug: &'a str,
) -> impl Iterator<Item = &'a (T, Vec<String>)> {
    list.iter()
        .filter(move |(_, slugs)| slugs.iter().any(|s| s == slug))
}

/// A topic's list alone is read from the topic's links since migration 14: it gives the
/// rows the whole list gives for the topic, in the same order, both ways, whole and page
/// by page from offsets and from positions, with the same totals; and the links keep
/// their rows' places through hand-written changes, and get them when the migration is
/// applied over links stored before it.
#[tokio::test]
async fn topic_lists_read_from_their_links_keep_list_order() {
    use diplograph_store::sea_orm::{ConnectionTrait, Statement};
    use diplograph_store::ClaimFilter;
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let topics = store.topics().await.unwrap();
        let mut checked = 0;
        for order in [DateOrder::Asc, DateOrder::Desc] {
            let (all, all_c) = lists_with_topics(&store, order).await;
            for t in &topics {
                let want: Vec<i32> = on_topic(&all, &t.slug).map(|(q, _)| q.id).collect();
                let f = QuotationFilter {
                    topic: Some(t.slug.clone()),
                    ..Default::default()
                };
                let (got, n) = store.quotations(&f, order, ALL).await.unwrap();
                let got: Vec<i32> = got.iter().map(|q| q.id).collect();
                assert_eq!(got, want, "{backend}: {} {order:?}", t.slug);
                assert_eq!(n, want.len() as u64, "{backend}: {} counted", t.slug);
                // Pages of two, by offset and from the last row's position.
                let (mut by_offset, mut by_position) = (Vec::new(), Vec::new());
                let mut after = None;
                for k in 0..want.len().div_ceil(2) + 1 {
                    let page = Page {
                        offset: 2 * k as u64,
                        limit: 2,
                        count: k % 2 == 0,
                        more: true,
                    };
                    let (rows, total) = store.quotations(&f, order, page).await.unwrap();
                    if page.count {
                        assert_eq!(total, want.len() as u64, "{backend}: {}", t.slug);
                    }
                    by_offset.extend(rows.iter().map(|q| q.id));
                    let f = QuotationFilter { after, ..f.clone() };
                    let page = Page { offset: 0, ..page };
                    let (rows, _) = store.quotations(&f, order, page).await.unwrap();
                    after = rows
                        .last()
                        .map(|q| (q.date_key, q.document_id, q.idx))
                        .or(after);
                    by_position.extend(rows.iter().map(|q| q.id));
                }
                assert_eq!(by_offset, want, "{backend}: {} by offset", t.slug);
                assert_eq!(by_position, want, "{backend}: {} by position", t.slug);
                let want_c: Vec<i32> = on_topic(&all_c, &t.slug).map(|(c, _)| c.id).collect();
                let f = ClaimFilter {
                    topic: Some(t.slug.clone()),
                    ..Default::default()
                };
                let (got, n) = store.claims(&f, order, ALL).await.unwrap();
                let got: Vec<i32> = got.iter().map(|c| c.id).collect();
                assert_eq!(got, want_c, "{backend}: claims on {} {order:?}", t.slug);
                assert_eq!(n, want_c.len() as u64, "{backend}: claims on {}", t.slug);
                checked += usize::from(want.len() > 2) + usize::from(want_c.len() > 2);
            }
        }
        assert!(checked >= 4, "{backend}: {checked} lists of several pages");
        // Hand-written changes: a link inserted without its place, a link pointed at
        // another quotation, a quotation given another date.
        let db = store.connection();
        let run = |sql: &str| {
            let st = Statement::from_string(db.get_database_backend(), sql.to_string());
            async move { db.execute_raw(st).await.unwrap() }
        };
        let misplaced = || async {
            let mut n = 0;
            for sql in [
                "SELECT count(*) FROM quotation_topics l JOIN quotations o ON o.id = l.quotation_id \
                 WHERE l.date_key <> o.date_key OR l.document_id <> o.document_id OR l.idx <> o.idx",
                "SELECT count(*) FROM claim_topics l JOIN claims o ON o.id = l.claim_id \
                 WHERE l.date_key <> o.date_key OR l.document_id <> o.document_id OR l.idx <> o.idx",
            ] {
                let st = Statement::from_string(db.get_database_backend(), sql.to_string());
                let row = db.query_one_raw(st).await.unwrap().unwrap();
                n += row.try_get_by_index::<i64>(0).unwrap();
            }
            n
        };
        assert_eq!(misplaced().await, 0, "{backend}: after ingest");
        let (all, _) = store
            .quotations(&QuotationFilter::default(), DateOrder::Asc, ALL)
            .await
            .unwrap();
        let [q1, q2] = [0, 1].map(|k| all.get(k).map(|q| q.id).expect("quotations"));
        let topic = topics[0].id;
        run(&format!(
            "DELETE FROM quotation_topics WHERE quotation_id IN ({q1}, {q2})"
        ))
        .await;
        run(&format!(
            "INSERT INTO quotation_topics (quotation_id, topic_id) VALUES ({q1}, {topic})"
        ))
        .await;
        assert_eq!(
            misplaced().await,
            0,
            "{backend}: a link inserted without its place"
        );
        run(&format!(
            "UPDATE quotation_topics SET quotation_id = {q2} WHERE quotation_id = {q1}"
        ))
        .await;
        assert_eq!(misplaced().await, 0, "{backend}: a link pointed elsewhere");
        run(&format!(
            "UPDATE quotations SET date_key = date_key + 1 WHERE id = {q2}"
        ))
        .await;
        run("UPDATE claims SET idx = idx + 1000").await;
        assert_eq!(misplaced().await, 0, "{backend}: rows given other places");
        let f = QuotationFilter {
            topic: Some(topics[0].slug.clone()),
            ..Default::default()
        };
        let (got, _) = store.quotations(&f, DateOrder::Asc, ALL).await.unwrap();
        assert!(
            got.iter().any(|q| q.id == q2),
            "{backend}: the repointed link is read"
        );
        // Migration 14 applied over stored links gives them their places.
        store.roll_back(1).await.unwrap();
        store.migrate().await.unwrap();
        assert_eq!(
            misplaced().await,
            0,
            "{backend}: links stored before migration 14"
        );
    }
}

/// A topic's list cut by a range of dates as well is read from the topic's links too: it
/// gives the rows of the whole list that carry the topic and lie within the dates, in
/// order both ways, whole and from a position, with their total, whichever end is given.
#[tokio::test]
async fn topic_lists_cut_by_dates_read_from_their_links() {
    use diplograph_store::ClaimFilter;
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let topics = store.topics().await.unwrap();
        let mut checked = 0;
        for order in [DateOrder::Asc, DateOrder::Desc] {
            let (all, all_c) = lists_with_topics(&store, order).await;
            for t in &topics {
                let tagged: Vec<&quotation::Model> =
                    on_topic(&all, &t.slug).map(|(q, _)| q).collect();
                let mut dates: Vec<i64> = tagged.iter().map(|q| q.date_key).collect();
                dates.sort_unstable();
                dates.dedup();
                let (Some(&first), Some(&last)) = (dates.first(), dates.last()) else {
                    continue;
                };
                let middle = dates.get(dates.len() / 2).copied().unwrap_or(first);
                let on_it = tagged.len();
                for (from, to) in [
                    (Some(middle), None),
                    (None, Some(middle)),
                    (Some(first + 1), Some(last - 1)),
                    (Some(middle), Some(middle)),
                    (Some(last), Some(first - 1)),
                ] {
                    let within = |d: i64| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t);
                    let want: Vec<i32> = tagged
                        .iter()
                        .filter(|q| within(q.date_key))
                        .map(|q| q.id)
                        .collect();
                    let f = QuotationFilter {
                        topic: Some(t.slug.clone()),
                        from,
                        to,
                        ..Default::default()
                    };
                    let (got, n) = store.quotations(&f, order, ALL).await.unwrap();
                    let got: Vec<i32> = got.iter().map(|q| q.id).collect();
                    let case = format!("{backend}: {} {order:?} {from:?}..{to:?}", t.slug);
                    assert_eq!(got, want, "{case}");
                    assert_eq!(n, want.len() as u64, "{case}: counted");
                    let n = store.quotations(&f, order, counted(1, 0)).await.unwrap().1;
                    assert_eq!(n, want.len() as u64, "{case}: counted from a full page");
                    // From the first row's position: the rest, with the whole total.
                    if let Some(q) = tagged.iter().find(|q| want.first() == Some(&q.id)) {
                        let f = QuotationFilter {
                            after: Some((q.date_key, q.document_id, q.idx)),
                            ..f.clone()
                        };
                        let (rest, n) = store.quotations(&f, order, ALL).await.unwrap();
                        let rest: Vec<i32> = rest.iter().map(|q| q.id).collect();
                        assert_eq!(rest, want[1..], "{case}: after the first");
                        assert_eq!(n, want.len() as u64, "{case}: after the first, counted");
                    }
                    let want_c: Vec<i32> = on_topic(&all_c, &t.slug)
                        .filter(|(c, _)| within(c.date_key))
                        .map(|(c, _)| c.id)
                        .collect();
                    let f = ClaimFilter {
                        topic: Some(t.slug.clone()),
                        from,
                        to,
                        ..Default::default()
                    };
                    let (got, n) = store.claims(&f, order, ALL).await.unwrap();
                    let got: Vec<i32> = got.iter().map(|c| c.id).collect();
                    assert_eq!(got, want_c, "{case}: claims");
                    assert_eq!(n, want_c.len() as u64, "{case}: claims counted");
                    let n = store.claims(&f, order, counted(1, 0)).await.unwrap().1;
                    assert_eq!(n, want_c.len() as u64, "{case}: claims, a full page");
                    // A range that keeps some of the topic's quotations and not all.
                    checked += usize::from(!want.is_empty() && want.len() < on_it);
                }
            }
        }
        assert!(checked >= 4, "{backend}: {checked} cut lists");
    }
}

/// An export read a few rows at a time, each batch from where the last ended, writes
/// what it writes in one batch, byte for byte: every row once, in list order, on both
/// backends, with and without a filter, in both formats.
#[tokio::test]
async fn exports_in_small_batches_match_one_batch() {
    use diplograph_api::export::{export, Dataset, Format};
    use diplograph_store::ClaimFilter;
    use std::collections::HashMap;
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let (quotations, nq) = store
            .quotations(&QuotationFilter::default(), DateOrder::Asc, ALL)
            .await
            .unwrap();
        let (_, nc) = store
            .claims(&ClaimFilter::default(), DateOrder::Asc, ALL)
            .await
            .unwrap();
        let (_, nm) = store
            .meetings(&MeetingFilter::default(), DateOrder::Asc, ALL)
            .await
            .unwrap();
        let no_filter = HashMap::new();
        let topic = HashMap::from([("topic".to_string(), "peace-treaty".to_string())]);
        for (what, params, rows) in [
            (Dataset::Quotations, &no_filter, Some(nq)),
            (Dataset::Claims, &no_filter, Some(nc)),
            (Dataset::Meetings, &no_filter, Some(nm)),
            (Dataset::Quotations, &topic, None),
            (Dataset::Claims, &topic, None),
        ] {
            for format in [Format::Jsonl, Format::Csv] {
                let whole = export(&store, what, format, params)
                    .unwrap()
                    .batch_size(100_000)
                    .collect()
                    .await
                    .unwrap();
                let lines = whole.lines().count() - usize::from(format == Format::Csv);
                assert!(lines >= 3, "{backend} {what:?}: {lines} rows");
                if let Some(n) = rows {
                    assert_eq!(lines as u64, n, "{backend} {what:?}: every row");
                }
                for batch in [1, 2, 7] {
                    let mut exp = export(&store, what, format, params)
                        .unwrap()
                        .batch_size(batch);
                    let mut chunks = Vec::new();
                    while let Some(c) = exp.next_chunk().await.unwrap() {
                        chunks.push(c);
                    }
                    assert!(
                        chunks.len() as u64 >= lines as u64 / batch,
                        "{backend} {what:?}: {} chunks of {batch}",
                        chunks.len()
                    );
                    assert_eq!(
                        chunks.concat(),
                        whole,
                        "{backend} {what:?} {format:?} in batches of {batch}"
                    );
                }
            }
        }
        // The rows come in list order.
        let jsonl = export(&store, Dataset::Quotations, Format::Jsonl, &no_filter)
            .unwrap()
            .batch_size(4)
            .collect()
            .await
            .unwrap();
        let ids: Vec<String> = jsonl
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["id"].as_str().unwrap().to_string()
            })
            .collect();
        let want: Vec<String> = quotations
            .iter()
            .map(|q| diplograph_api::ids::encode("Quotation", q.id))
            .collect();
        assert_eq!(ids, want, "{backend}: list order");
        // Nothing matches: the CSV header alone, and nothing for JSON lines.
        let none = HashMap::from([("topic".to_string(), "no-such-topic".to_string())]);
        let csv = export(&store, Dataset::Claims, Format::Csv, &none)
            .unwrap()
            .collect()
            .await
            .unwrap();
        assert_eq!(csv.lines().count(), 1, "{backend}: {csv:?}");
        let jsonl = export(&store, Dataset::Claims, Format::Jsonl, &none)
            .unwrap()
            .collect()
            .await
            .unwrap();
        assert_eq!(jsonl, "", "{backend}");
    }
}

/// A topic filter asked before any document carries the topic answers nothing, and the
/// same filter after an ingest that adds the topic answers its rows: the store keeps the
/// topic ids it has found, never a slug it did not find.
#[tokio::test]
async fn a_topic_unknown_before_an_ingest_is_found_after_it() {
    use diplograph_store::ClaimFilter;
    for (backend, store) in backends().await {
        let f = QuotationFilter {
            topic: Some("peace-treaty".into()),
            ..Default::default()
        };
        let c = ClaimFilter {
            topic: Some("peace-treaty".into()),
            ..Default::default()
        };
        let before = store.quotations(&f, DateOrder::Asc, ALL).await.unwrap();
        assert_eq!((before.0.len(), before.1), (0, 0), "{backend}");
        let before = store.claims(&c, DateOrder::Asc, ALL).await.unwrap();
        assert_eq!((before.0.len(), before.1), (0, 0), "{backend}");
        ingest_corpus(&store).await;
        for _ in 0..2 {
            let (rows, n) = store.quotations(&f, DateOrder::Asc, ALL).await.unwrap();
            assert!(!rows.is_empty() && n == rows.len() as u64, "{backend}: {n}");
            let (rows, n) = store.claims(&c, DateOrder::Asc, ALL).await.unwrap();
            assert!(!rows.is_empty() && n == rows.len() as u64, "{backend}: {n}");
        }
    }
}

/// A counted page's total is the whole list's, read through `read` (a page, and the row
/// to read after by its sort key, if any): from every offset with pages of several sizes
/// (those that end the list before their limit give the total without counting, and
/// those past its end still count it), and after every row's key, where the page's rows
/// are not the list's.
async fn pages_total_the_whole_list<T: PartialEq + std::fmt::Debug>(
    label: &str,
    keyed: bool,
    read: impl AsyncFn(Page, Option<&T>) -> (Vec<T>, u64),
) {
    let (whole, _) = read(ALL, None).await;
    let n = whole.len() as u64;
    assert!(n > 3, "{label}: {n} rows, too few to page");
    // A full page is counted.
    assert_eq!(read(counted(1, 0), None).await.1, n, "{label}");
    let slice = |from: u64, limit: u64| {
        let start = usize::try_from(from.min(n)).unwrap();
        let end = usize::try_from((from + limit).min(n)).unwrap();
        &whole[start..end]
    };
    for limit in [1, 3, n - 1, n, n + 1] {
        for offset in 0..=n + 1 {
            let (rows, total) = read(counted(limit, offset), None).await;
            assert_eq!(rows, slice(offset, limit), "{label} {limit} at {offset}");
            assert_eq!(total, n, "{label}: {limit} at {offset}");
        }
        if keyed {
            for (k, row) in whole.iter().enumerate() {
                let (rows, total) = read(counted(limit, 0), Some(row)).await;
                let k = k as u64 + 1;
                assert_eq!(rows, slice(k, limit), "{label} {limit} after {k}");
                assert_eq!(total, n, "{label}: {limit} after {k}");
            }
        }
    }
}

/// The value `values` hold most often.
fn most_common<T: Ord + Clone>(mut values: Vec<T>) -> T {
    values.sort_unstable();
    values
        .chunk_by(|a, b| a == b)
        .max_by_key(|run| run.len())
        .and_then(|run| run.first().cloned())
        .expect("some values")
}

/// Every kind of list gives its whole total with any page asked to count it, on both
/// backends: quotations (by speaker, and by topic, read from the topic's links), claims
/// (by claimant, and of a kind, read from their kind's index), meetings (alone and with their participants), documents, participants and search.
#[tokio::test]
async fn every_counted_page_totals_its_whole_list() {
    use diplograph_store::{ClaimFilter, DocumentFilter};
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let store = &store;
        let (quotes, _) = store
            .quotations(&QuotationFilter::default(), DateOrder::Asc, ALL)
            .await
            .unwrap();
        let speaker = most_common(quotes.iter().filter_map(|q| q.speaker_id).collect());
        let key = |q: &quotation::Model| (q.date_key, q.document_id, q.idx);
        pages_total_the_whole_list(
            &format!("{backend} quotations by speaker"),
            true,
            async |page, after| {
                let f = QuotationFilter {
                    speaker: Some(speaker),
                    after: after.map(key),
                    ..Default::default()
                };
                store.quotations(&f, DateOrder::Desc, page).await.unwrap()
            },
        )
        .await;
        let mut tagged = Vec::new();
        for t in store.topics().await.unwrap() {
            let f = QuotationFilter {
                topic_id: Some(t.id),
                ..Default::default()
            };
            let (_, n) = store.quotations(&f, DateOrder::Asc, ALL).await.unwrap();
            tagged.push((n, t.id));
        }
        let (_, topic) = tagged.into_iter().max().unwrap();
        pages_total_the_whole_list(
            &format!("{backend} quotations by topic"),
            true,
            async |page, after| {
                let f = QuotationFilter {
                    topic_id: Some(topic),
                    after: after.map(key),
                    ..Default::default()
                };
                store.quotations(&f, DateOrder::Asc, page).await.unwrap()
            },
        )
        .await;
        let (claims, _) = store
            .claims(&ClaimFilter::default(), DateOrder::Asc, ALL)
            .await
            .unwrap();
        let claimant = most_common(claims.iter().filter_map(|c| c.claimant_id).collect());
        pages_total_the_whole_list(
            &format!("{backend} claims by claimant"),
            true,
            async |page, after: Option<&claim::Model>| {
                let f = ClaimFilter {
                    claimant: Some(claimant),
                    after: after.map(|c| (c.date_key, c.document_id, c.idx)),
                    ..Default::default()
                };
                store.claims(&f, DateOrder::Asc, page).await.unwrap()
            },
        )
        .await;
        // Claims of the most common kind (read through their kind's page index): the
        // claims of that kind in the whole list, both ways, then paged.
        let kind = most_common(claims.iter().map(|c| c.kind.clone()).collect());
        for order in [DateOrder::Asc, DateOrder::Desc] {
            let (every, _) = store
                .claims(&ClaimFilter::default(), order, ALL)
                .await
                .unwrap();
            let f = ClaimFilter {
                kind: Some(kind.clone()),
                ..Default::default()
            };
            let (got, _) = store.claims(&f, order, ALL).await.unwrap();
            let want: Vec<&claim::Model> = every.iter().filter(|c| c.kind == kind).collect();
            assert!(want.len() > 3 && want.len() < every.len(), "{backend}");
            assert_eq!(
                got.iter().collect::<Vec<_>>(),
                want,
                "{backend} {kind} {order:?}"
            );
            // Narrowed by a claimant too (SQLite then keeps to the claimant's index).
            let f = ClaimFilter {
                claimant: Some(claimant),
                ..f
            };
            let (got, n) = store.claims(&f, order, counted(1, 0)).await.unwrap();
            let want: Vec<&claim::Model> = want
                .into_iter()
                .filter(|c| c.claimant_id == Some(claimant))
                .collect();
            assert!(
                !want.is_empty(),
                "{backend}: the claimant's claims of {kind}"
            );
            let first = want.first().copied();
            assert_eq!((got.first(), n), (first, want.len() as u64), "{backend}");
            let (got, _) = store.claims(&f, order, ALL).await.unwrap();
            assert_eq!(got.iter().collect::<Vec<_>>(), want, "{backend} {order:?}");
        }
        pages_total_the_whole_list(
            &format!("{backend} claims of a kind"),
            true,
            async |page, after: Option<&claim::Model>| {
                let f = ClaimFilter {
                    kind: Some(kind.clone()),
                    after: after.map(|c| (c.date_key, c.document_id, c.idx)),
                    ..Default::default()
                };
                store.claims(&f, DateOrder::Desc, page).await.unwrap()
            },
        )
        .await;
        let meeting_filter =
            |after: Option<&diplograph_store::entities::meeting::Model>| MeetingFilter {
                after: after.map(|m| (m.date_key, m.id)),
                ..Default::default()
            };
        pages_total_the_whole_list(&format!("{backend} meetings"), true, async |page, after| {
            let f = meeting_filter(after);
            store.meetings(&f, DateOrder::Asc, page).await.unwrap()
        })
        .await;
        pages_total_the_whole_list(
            &format!("{backend} meetings with participants"),
            true,
            async |page, after| {
                let f = meeting_filter(after);
                let m = store
                    .meetings_with_participants(&f, DateOrder::Desc, page)
                    .await
                    .unwrap();
                (m.meetings, m.total)
            },
        )
        .await;
        pages_total_the_whole_list(
            &format!("{backend} documents"),
            true,
            async |page, after: Option<&diplograph_store::entities::document::Model>| {
                let f = DocumentFilter {
                    after: after.map(|d| (d.published_key, d.id)),
                    ..Default::default()
                };
                store.documents(&f, DateOrder::Asc, page).await.unwrap()
            },
        )
        .await;
        pages_total_the_whole_list(
            &format!("{backend} participants"),
            false,
            async |page, _| {
                let f = ParticipantFilter {
                    kind: Some("PERSON".into()),
                    ..Default::default()
                };
                store.participants(&f, page).await.unwrap()
            },
        )
        .await;
        pages_total_the_whole_list(&format!("{backend} search"), false, async |page, _| {
            store.search_ranked("minister", page).await.unwrap()
        })
        .await;
    }
}

/// `want`, the ids a list should give, against what `read` gives for it whole, counted
/// from a full page, page by page from offsets, and after its first row's key.
async fn gives_exactly<T>(
    case: &str,
    want: &[i32],
    key: impl Fn(&T) -> (i64, i32, i32),
    id: impl Fn(&T) -> i32,
    read: impl AsyncFn(Page, Option<(i64, i32, i32)>) -> (Vec<T>, u64),
) {
    let ids = |rows: Vec<T>| rows.iter().map(&id).collect::<Vec<i32>>();
    let (whole, _) = read(ALL, None).await;
    let first = whole.first().map(&key);
    assert_eq!(ids(whole), want, "{case}");
    let n = want.len() as u64;
    assert_eq!(read(counted(1, 0), None).await.1, n, "{case}: counted");
    let mut paged = Vec::new();
    for k in 0..=want.len().div_ceil(2) {
        let (rows, total) = read(counted(2, 2 * k as u64), None).await;
        assert_eq!(total, n, "{case}: counted with the page at {}", 2 * k);
        paged.extend(ids(rows));
    }
    assert_eq!(paged, want, "{case}: by pages of two");
    if let Some(first) = first {
        let (rest, total) = read(counted(1, 0), Some(first)).await;
        assert_eq!(
            ids(rest),
            want[1..].iter().take(1).copied().collect::<Vec<_>>()
        );
        assert_eq!(total, n, "{case}: counted after the first");
        let (rest, _) = read(ALL, Some(first)).await;
        assert_eq!(ids(rest), want[1..], "{case}: after the first");
    }
}

/// A topic beside filters that have no ordered index of their own (a text, a claim's kind
/// or on whose behalf, with dates or without) is read from the topic's links, each linked
/// row checked against the other filters: the rows are exactly the topic's rows that pass
/// them, in list order both ways, with their totals, by pages and after a row's key.
#[tokio::test]
async fn a_topic_beside_other_filters_gives_exactly_its_rows_that_pass_them() {
    use diplograph_store::ClaimFilter;
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let store = &store;
        let topics = store.topics().await.unwrap();
        let mut kept = 0;
        for order in [DateOrder::Asc, DateOrder::Desc] {
            let (all, all_c) = lists_with_topics(store, order).await;
            let mut kinds: Vec<String> = all_c.iter().map(|(c, _)| c.kind.clone()).collect();
            kinds.sort_unstable();
            kinds.dedup();
            for t in &topics {
                let tagged: Vec<&quotation::Model> =
                    on_topic(&all, &t.slug).map(|(q, _)| q).collect();
                let tagged_c: Vec<&claim::Model> =
                    on_topic(&all_c, &t.slug).map(|(c, _)| c).collect();
                // Words of the topic's first rows, which some of its rows hold and others
                // not, in another case than written.
                let words: Vec<String> = tagged
                    .iter()
                    .map(|q| q.text.as_str())
                    .chain(tagged_c.iter().map(|c| c.text.as_str()))
                    .take(3)
                    .filter_map(|text| text.split_whitespace().find(|w| w.len() > 5))
                    .map(str::to_uppercase)
                    .collect();
                let has = |text: &str, w: &str| text.to_lowercase().contains(&w.to_lowercase());
                let dates = tagged.iter().map(|q| q.date_key);
                let middle = {
                    let mut d: Vec<i64> = dates.collect();
                    d.sort_unstable();
                    d.get(d.len() / 2).copied()
                };
                let q_key = |q: &quotation::Model| (q.date_key, q.document_id, q.idx);
                let c_key = |c: &claim::Model| (c.date_key, c.document_id, c.idx);
                // The topic's claims that `keep` keeps, against the list `filter` gives
                // beside the topic; how many there are.
                let claims_passing =
                    async |case: &str,
                           keep: &dyn Fn(&claim::Model) -> bool,
                           filter: ClaimFilter| {
                        let want: Vec<i32> =
                            tagged_c.iter().filter(|c| keep(c)).map(|c| c.id).collect();
                        gives_exactly(
                            case,
                            &want,
                            c_key,
                            |c| c.id,
                            async |page, after| {
                                let f = ClaimFilter {
                                    topic: Some(t.slug.clone()),
                                    after,
                                    ..filter.clone()
                                };
                                store.claims(&f, order, page).await.unwrap()
                            },
                        )
                        .await;
                        want.len()
                    };
                for w in &words {
                    for from in [None, middle] {
                        let want: Vec<i32> = tagged
                            .iter()
                            .filter(|q| has(&q.text, w) && from.is_none_or(|f| q.date_key >= f))
                            .map(|q| q.id)
                            .collect();
                        kept += usize::from(!want.is_empty() && want.len() < tagged.len());
                        let case = format!("{backend}: {} {order:?} {w:?} from {from:?}", t.slug);
                        gives_exactly(
                            &case,
                            &want,
                            q_key,
                            |q| q.id,
                            async |page, after| {
                                let f = QuotationFilter {
                                    topic: Some(t.slug.clone()),
                                    text: Some(w.clone()),
                                    from,
                                    after,
                                    ..Default::default()
                                };
                                store.quotations(&f, order, page).await.unwrap()
                            },
                        )
                        .await;
                        let filter = ClaimFilter {
                            text: Some(w.clone()),
                            from,
                            ..Default::default()
                        };
                        let keep = |c: &claim::Model| {
                            has(&c.text, w) && from.is_none_or(|f| c.date_key >= f)
                        };
                        claims_passing(&format!("{case}: claims"), &keep, filter).await;
                    }
                }
                for kind in &kinds {
                    let case = format!("{backend}: {} {order:?} {kind}", t.slug);
                    let filter = ClaimFilter {
                        kind: Some(kind.clone()),
                        ..Default::default()
                    };
                    let n = claims_passing(&case, &|c| &c.kind == kind, filter).await;
                    kept += usize::from(n > 0 && n < tagged_c.len());
                }
                let behalf = tagged_c.iter().map(|c| c.on_behalf_of.clone());
                for on in behalf.filter(|o| !o.is_empty()).take(1) {
                    let case = format!("{backend}: {} {order:?} on behalf of {on}", t.slug);
                    let filter = ClaimFilter {
                        on_behalf_of: Some(on.clone()),
                        ..Default::default()
                    };
                    claims_passing(&case, &|c| has(&c.on_behalf_of, &on), filter).await;
                }
            }
        }
        assert!(
            kept >= 8,
            "{backend}: {kept} lists keeping some of a topic's rows"
        );
    }
}
