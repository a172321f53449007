//! The cross-document graph on both backends: linking, order independence, deletion,
//! corrections that survive re-processing.

use std::collections::BTreeSet;

use diplograph_store::entities::*;
use diplograph_store::sea_orm::EntityTrait;
use diplograph_store::{
    table_counts, DateOrder, MeetingFilter, Page, ParticipantFilter, QuotationFilter, Store,
};
use serde_json::Value;

use crate::support::{backends, corpus_files, ingest_corpus, ingest_files, root, sqlite};

const ALL: Page = Page {
    offset: 0,
    limit: 1000,
    count: true,
    more: true,
};

async fn ingest_text(store: &Store, name: &str, text: &str) {
    store
        .ingest(text.as_bytes(), Some(name), &Default::default())
        .await
        .unwrap();
}

#[tokio::test]
async fn seed_graph_matches_the_answer_key() {
    let key: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/seeds.gold.json")).unwrap(),
    )
    .unwrap();
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let docs: Vec<document::Model> = document::Entity::find()
            .all(store.connection())
            .await
            .unwrap();
        let file_of = |id: i32| {
            docs.iter()
                .find(|d| d.id == id)
                .and_then(|d| d.file_name.clone())
                .unwrap_or_default()
        };
        for g in key["graph"]["held_meetings_primary"].as_array().unwrap() {
            let date = g["date"].as_str().unwrap();
            let k = diplograph_store::date_key(date, false);
            let f = MeetingFilter {
                from: k,
                to: k,
                kind: g["kind"].as_str().map(str::to_string),
                status: Some("HELD".into()),
                place: g["place"].as_str().map(str::to_string),
                ..Default::default()
            };
            let (ms, n) = store.meetings(&f, DateOrder::Asc, ALL).await.unwrap();
            assert_eq!(n, 1, "{backend}: exactly one {g}: {ms:?}");
            let linked: BTreeSet<String> = store
                .meeting_document_links(&[ms[0].id])
                .await
                .unwrap()
                .iter()
                .map(|l| file_of(l.document_id))
                .collect();
            for d in g["documents"].as_array().unwrap() {
                assert!(
                    linked.contains(d.as_str().unwrap()),
                    "{backend}: {g} is linked to {linked:?}"
                );
            }
        }
        for p in key["graph"]["persons"].as_array().unwrap() {
            let name = p.as_str().unwrap();
            let (rows, _) = store
                .participants(
                    &ParticipantFilter {
                        name: Some(name.into()),
                        kind: Some("PERSON".into()),
                        ..Default::default()
                    },
                    ALL,
                )
                .await
                .unwrap();
            assert_eq!(
                rows.iter().filter(|r| r.name == name).count(),
                1,
                "{backend}: {name} once: {rows:?}"
            );
        }
        for n in key["graph"]["not_persons"].as_array().unwrap() {
            let (rows, _) = store
                .participants(
                    &ParticipantFilter {
                        name: n.as_str().map(str::to_string),
                        ..Default::default()
                    },
                    ALL,
                )
                .await
                .unwrap();
            assert!(rows.is_empty(), "{backend}: {n} is not a participant");
        }
    }
}

/// A description of the graph that does not depend on row ids.
pub async fn signature(store: &Store) -> (BTreeSet<String>, BTreeSet<String>) {
    let db = store.connection();
    let docs = document::Entity::find().all(db).await.unwrap();
    let people = participant::Entity::find().all(db).await.unwrap();
    let mut meetings = BTreeSet::new();
    for m in meeting::Entity::find().all(db).await.unwrap() {
        let mut files: Vec<String> = store
            .meeting_document_links(&[m.id])
            .await
            .unwrap()
            .iter()
            .filter_map(|l| {
                docs.iter()
                    .find(|d| d.id == l.document_id)
                    .and_then(|d| d.file_name.clone())
            })
            .collect();
        files.sort();
        let mut names: Vec<String> = store
            .meeting_participant_links(&[m.id])
            .await
            .unwrap()
            .iter()
            .filter_map(|(_, p)| people.iter().find(|x| x.id == *p).map(|x| x.name.clone()))
            .collect();
        names.sort();
        meetings.insert(format!(
            "{} {} {:?} {:?} {names:?} {files:?} {}",
            m.kind, m.status, m.date_text, m.place_name, m.title
        ));
    }
    let persons = people
        .iter()
        .map(|p| format!("{} {} {:?}", p.kind, p.name, p.country))
        .collect();
    (meetings, persons)
}

#[tokio::test]
async fn ingest_order_does_not_change_the_graph() {
    let files = corpus_files();
    let forward = sqlite().await;
    let backward = sqlite().await;
    let middle_out = sqlite().await;
    let orders: [(&Store, Vec<std::path::PathBuf>); 3] = [
        (&forward, files.clone()),
        (&backward, files.iter().rev().cloned().collect()),
        (&middle_out, {
            let mut v = files.clone();
            v.rotate_left(2);
            v
        }),
    ];
    for (store, order) in &orders {
        ingest_files(store, order).await;
    }
    let a = signature(&forward).await;
    assert_eq!(a, signature(&backward).await);
    assert_eq!(a, signature(&middle_out).await);
}

#[tokio::test]
async fn spellings_and_surnames_link_but_namesakes_do_not() {
    for (backend, store) in backends().await {
        ingest_text(&store, "a.txt", "Talks in Rome\n\nROME, May 4, 2021 (Agency) - Foreign Minister Sergei Petrov held talks with Italian Foreign Minister Carla Neri.").await;
        ingest_text(&store, "b.txt", "Talks in Oslo\n\nOSLO, June 9, 2021 (Agency) - Russian Foreign Minister Sergey Petrov met his Norwegian counterpart Lars Berg.").await;
        ingest_text(&store, "c.txt", "Comment\n\nPARIS, June 10, 2021 (Agency) - \"We are ready,\" said Mr. Petrov on a visit in 2021.").await;
        ingest_text(&store, "d.txt", "Talks in Bern\n\nBERN, June 11, 2021 (Agency) - Swiss Foreign Minister Anna Berg held talks with Lars Berg in 2021. \"Progress,\" Mr. Berg said.").await;
        let (rows, _) = store
            .participants(
                &ParticipantFilter {
                    name: Some("Petrov".into()),
                    ..Default::default()
                },
                ALL,
            )
            .await
            .unwrap();
        assert_eq!(
            rows.len(),
            1,
            "{backend}: one Petrov for three spellings: {rows:?}"
        );
        let aliases: Vec<String> = store
            .aliases_of(&[rows[0].id])
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.alias)
            .collect();
        assert!(
            aliases.iter().any(|a| a.contains("Sergei"))
                && aliases.iter().any(|a| a.contains("Sergey")),
            "{backend}: {aliases:?}"
        );
        let (bergs, _) = store
            .participants(
                &ParticipantFilter {
                    name: Some("Berg".into()),
                    kind: Some("PERSON".into()),
                    ..Default::default()
                },
                ALL,
            )
            .await
            .unwrap();
        let names: BTreeSet<String> = bergs.iter().map(|b| b.name.clone()).collect();
        assert!(
            names.contains("Anna Berg") && names.contains("Lars Berg"),
            "{backend}: namesakes stay apart: {names:?}"
        );
        links_carry_their_meetings_dates(backend, &store).await;
    }
}

/// `alias_names` (what the name filters read) holds each (participant, alias) pair of
/// `participant_aliases` once, and nothing else; returns how many pairs.
async fn alias_names_follow_the_aliases(backend: &str, store: &Store) -> usize {
    use diplograph_store::sea_orm::{ConnectionTrait, Statement};
    let pairs = |sql: &'static str| async move {
        let db = store.connection();
        db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r.try_get_by_index::<i32>(0).unwrap(),
                    r.try_get_by_index::<String>(1).unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let names = pairs("SELECT participant_id, alias FROM alias_names ORDER BY 1, 2").await;
    let aliases =
        pairs("SELECT DISTINCT participant_id, alias FROM participant_aliases ORDER BY 1, 2").await;
    assert_eq!(names, aliases, "{backend}: alias_names");
    names.len()
}

#[tokio::test]
async fn deleting_every_document_leaves_nothing_behind() {
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let docs = document::Entity::find()
            .all(store.connection())
            .await
            .unwrap();
        let pairs = alias_names_follow_the_aliases(backend, &store).await;
        assert!(pairs > 0, "{backend}");
        // No code updates an alias in place, but a hand-written statement may.
        {
            use diplograph_store::sea_orm::{ConnectionTrait, Statement};
            let db = store.connection();
            db.execute_raw(Statement::from_string(
                db.get_database_backend(),
                "UPDATE participant_aliases SET alias = alias || ' (edited)' \
                 WHERE participant_id = (SELECT min(participant_id) FROM participant_aliases)",
            ))
            .await
            .unwrap();
            let edited = alias_names_follow_the_aliases(backend, &store).await;
            assert_eq!(edited, pairs, "{backend}: pairs after the edit");
        }
        // Deleting one keeps what other documents support.
        store.delete_document(docs[0].id, "test").await.unwrap();
        alias_names_follow_the_aliases(backend, &store).await;
        let (lavrov, _) = store
            .participants(
                &ParticipantFilter {
                    name: Some("Sergey Lavrov".into()),
                    ..Default::default()
                },
                ALL,
            )
            .await
            .unwrap();
        assert_eq!(lavrov.len(), 1, "{backend}");
        for d in &docs[1..] {
            store.delete_document(d.id, "test").await.unwrap();
        }
        let counts = table_counts(store.connection()).await.unwrap();
        for (table, n) in counts {
            assert_eq!(n, 0, "{backend}: {table} has orphans");
        }
        assert_eq!(alias_names_follow_the_aliases(backend, &store).await, 0);
        let (hits, total) = store.search_ranked("treaty", ALL).await.unwrap();
        assert_eq!(
            (hits.len(), total),
            (0, 0),
            "{backend}: the search index forgets deleted rows"
        );
        assert_eq!(
            store.corrections().await.unwrap().len(),
            5,
            "{backend}: deletions are logged"
        );
    }
}

#[tokio::test]
async fn corrections_survive_reprocessing() {
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        // A speaker fix: the document quote goes to the person who quoted it.
        let (qs, _) = store
            .quotations(
                &QuotationFilter {
                    text: Some("normal diplomatic relations".into()),
                    ..Default::default()
                },
                DateOrder::Asc,
                ALL,
            )
            .await
            .unwrap();
        let (lavrov, _) = store
            .participants(
                &ParticipantFilter {
                    name: Some("Sergey Lavrov".into()),
                    ..Default::default()
                },
                ALL,
            )
            .await
            .unwrap();
        store
            .set_quotation_speaker(qs[0].id, lavrov[0].id, "editor")
            .await
            .unwrap();
        // A merge: the ministry and its minister (as an editor might decide).
        let (org, _) = store
            .participants(
                &ParticipantFilter {
                    kind: Some("ORGANIZATION".into()),
                    ..Default::default()
                },
                ALL,
            )
            .await
            .unwrap();
        let pairs = alias_names_follow_the_aliases(backend, &store).await;
        store
            .merge_participants(org[0].id, lavrov[0].id, "editor")
            .await
            .unwrap();
        // The ministry's aliases moved to the minister, and its name became one.
        assert!(alias_names_follow_the_aliases(backend, &store).await > 0);
        let (found, _) = store
            .participants(
                &ParticipantFilter {
                    name: Some(org[0].name.clone()),
                    ..Default::default()
                },
                ALL,
            )
            .await
            .unwrap();
        assert!(
            found.iter().any(|p| p.id == lavrov[0].id),
            "{backend}: the merged name finds the kept participant ({pairs} pairs before)"
        );
        let before = signature(&store).await;

        let done = store.reprocess_all(&Default::default()).await.unwrap();
        assert_eq!(done.documents, 5, "{backend}");
        let (qs, _) = store
            .quotations(
                &QuotationFilter {
                    text: Some("normal diplomatic relations".into()),
                    ..Default::default()
                },
                DateOrder::Asc,
                ALL,
            )
            .await
            .unwrap();
        let speaker = store
            .participants_by_ids(&[qs[0].speaker_id.unwrap()])
            .await
            .unwrap();
        assert_eq!(
            speaker[0].name, "Sergey Lavrov",
            "{backend}: the fix survives"
        );
        let (org, _) = store
            .participants(
                &ParticipantFilter {
                    kind: Some("ORGANIZATION".into()),
                    ..Default::default()
                },
                ALL,
            )
            .await
            .unwrap();
        assert!(org.is_empty(), "{backend}: the merge survives");
        alias_names_follow_the_aliases(backend, &store).await;
        assert_eq!(before.1, signature(&store).await.1, "{backend}");
        let log = store.corrections().await.unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].actor, "editor");
    }
}

const TRANSCRIPT: &str = "Foreign Minister Jane Roe's remarks at a news conference following talks with Foreign Minister of Norway Lars Berg, Oslo, June 9, 2021\n\n\
Good afternoon.\n\n\
We have held detailed talks today. Our basic position remains unchanged, and without a step in this direction it is hard to count on progress on other matters. We also discussed fisheries.\n\n\
Question: What about energy?\n\n\
Jane Roe: Energy cooperation is developing well, and we expect new contracts next year.";

const REPORT: &str = "Roe holds firm\n\n\
OSLO, June 9, 2021 (Agency) - Foreign Minister Jane Roe held talks with her Norwegian counterpart Lars Berg on Wednesday.\n\n\
\"Our base position stays unchanged, and without steps in this direction it is difficult to expect movement on other matters,\" Roe said.\n\n\
\"We will sail to the Arctic next summer,\" she added.";

#[tokio::test]
async fn reported_quotes_link_to_the_transcript_in_either_order() {
    for reverse in [false, true] {
        for (backend, store) in backends().await {
            let docs = if reverse {
                [("r.txt", REPORT), ("t.txt", TRANSCRIPT)]
            } else {
                [("t.txt", TRANSCRIPT), ("r.txt", REPORT)]
            };
            for (n, t) in docs {
                ingest_text(&store, n, t).await;
            }
            let (qs, _) = store
                .quotations(
                    &QuotationFilter {
                        text: Some("base position".into()),
                        ..Default::default()
                    },
                    DateOrder::Asc,
                    ALL,
                )
                .await
                .unwrap();
            assert_eq!(qs.len(), 1, "{backend}");
            let links = store.sources_of(&[qs[0].id]).await.unwrap();
            assert_eq!(links.len(), 1, "{backend} reverse={reverse}: {links:?}");
            let l = &links[0];
            assert!(
                l.score >= diplograph_store::PROVENANCE_THRESHOLD && l.score < 1.0,
                "{backend}: {}",
                l.score
            );
            let doc = store
                .documents_by_ids(&[l.source_document_id])
                .await
                .unwrap();
            let passage: String = doc[0]
                .text
                .chars()
                .skip(l.span_start as usize)
                .take((l.span_end - l.span_start) as usize)
                .collect();
            assert_eq!(passage, "Our basic position remains unchanged, and without a step in this direction it is hard to count on progress on other matters.", "{backend}");
            // Words that are not in the transcript have no source.
            let (arctic, _) = store
                .quotations(
                    &QuotationFilter {
                        text: Some("Arctic".into()),
                        ..Default::default()
                    },
                    DateOrder::Asc,
                    ALL,
                )
                .await
                .unwrap();
            assert!(
                store.sources_of(&[arctic[0].id]).await.unwrap().is_empty(),
                "{backend}"
            );
            // And the reverse direction.
            assert_eq!(
                store
                    .reports_of(&[l.source_quotation_id])
                    .await
                    .unwrap()
                    .len(),
                1,
                "{backend}"
            );
        }
    }
}

#[tokio::test]
async fn a_dateline_without_a_year_takes_it_from_the_graph() {
    for (backend, store) in backends().await {
        ingest_text(&store, "t.txt", TRANSCRIPT).await;
        ingest_text(&store, "r.txt", "Roe and Berg meet\n\nOSLO, June 9. /Agency/. Foreign Minister Jane Roe held talks with her Norwegian counterpart Lars Berg.").await;
        let (docs, _) = store
            .documents(
                &diplograph_store::DocumentFilter {
                    source: Some("Agency".into()),
                    ..Default::default()
                },
                DateOrder::Asc,
                ALL,
            )
            .await
            .unwrap();
        assert_eq!(
            docs[0].published.as_deref(),
            Some("2021-06-09"),
            "{backend}"
        );
        assert!(docs[0].year_inferred, "{backend}: marked as inferred");
        let f = MeetingFilter {
            from: Some(20210609),
            to: Some(20210609),
            ..Default::default()
        };
        let (ms, n) = store.meetings(&f, DateOrder::Asc, ALL).await.unwrap();
        assert_eq!(n, 1, "{backend}: {ms:?}");
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
async fn a_planned_meeting_later_reported_as_held_becomes_held() {
    for (backend, store) in backends().await {
        ingest_text(&store, "a.txt", "Talks ahead\n\nLISBON, May 1, 2021 (Agency) - Portuguese Foreign Minister Rui Costa said on Saturday he was preparing for the visit. \
            Costa will hold talks with Spanish Foreign Minister Ana Ruiz in Rome on May 20.").await;
        let f = MeetingFilter {
            from: Some(20210520),
            to: Some(20210520),
            ..Default::default()
        };
        let (ms, _) = store.meetings(&f, DateOrder::Asc, ALL).await.unwrap();
        assert_eq!(
            ms.iter().map(|m| m.status.as_str()).collect::<Vec<_>>(),
            vec!["PLANNED"],
            "{backend}: {ms:?}"
        );
        ingest_text(&store, "b.txt", "Talks held\n\nROME, May 20, 2021 (Agency) - Portuguese Foreign Minister Rui Costa held talks with Spanish Foreign Minister Ana Ruiz on Thursday.").await;
        let (ms, n) = store.meetings(&f, DateOrder::Asc, ALL).await.unwrap();
        assert_eq!(n, 1, "{backend}: {ms:?}");
        assert_eq!(ms[0].status, "HELD", "{backend}");
        assert_eq!(
            store
                .meeting_document_links(&[ms[0].id])
                .await
                .unwrap()
                .len(),
            2,
            "{backend}: both sources kept"
        );
    }
}

#[tokio::test]
async fn same_day_talks_with_other_people_stay_apart() {
    for (backend, store) in backends().await {
        ingest_text(&store, "a.txt", "Talks in Geneva\n\nGENEVA, May 20, 2021 (Agency) - Portuguese Foreign Minister Rui Costa held talks with Spanish Foreign Minister Ana Ruiz and Norwegian Foreign Minister Lars Berg on Thursday.").await;
        ingest_text(&store, "b.txt", "More talks in Geneva\n\nGENEVA, May 20, 2021 (Agency) - Portuguese Foreign Minister Rui Costa held talks with Spanish Foreign Minister Ana Ruiz and Italian Foreign Minister Carla Neri on Thursday.").await;
        ingest_text(&store, "c.txt", "Costa in Geneva\n\nGENEVA, May 20, 2021 (Agency) - Portuguese Foreign Minister Rui Costa held talks with Spanish Foreign Minister Ana Ruiz on Thursday.").await;
        let f = MeetingFilter {
            from: Some(20210520),
            to: Some(20210520),
            ..Default::default()
        };
        let (ms, n) = store.meetings(&f, DateOrder::Asc, ALL).await.unwrap();
        assert_eq!(
            n, 2,
            "{backend}: two people in common do not make two talks one: {ms:?}"
        );
        let mut people = Vec::new();
        let mut sources = 0;
        for m in &ms {
            people.push(meeting_people(&store, m.id).await);
            sources += store.meeting_document_links(&[m.id]).await.unwrap().len();
        }
        people.sort();
        assert_eq!(
            people,
            vec![
                vec!["Ana Ruiz", "Carla Neri", "Rui Costa"],
                vec!["Ana Ruiz", "Lars Berg", "Rui Costa"],
            ],
            "{backend}: the report naming two of them joins one meeting, not both"
        );
        assert_eq!(sources, 3, "{backend}: every report is linked once");
    }
}

/// The names of a meeting's participants, sorted.
async fn meeting_people(store: &Store, meeting: i32) -> Vec<String> {
    let mut names: Vec<String> = store
        .participants_of_meetings(&[meeting])
        .await
        .unwrap()
        .into_iter()
        .map(|(_, p)| p.name)
        .collect();
    names.sort();
    names
}

/// Every meeting as (kind, date, place, people), sorted: the graph's meetings without ids.
async fn meeting_shapes(store: &Store) -> Vec<(String, String, String, Vec<String>)> {
    let mut out = Vec::new();
    for m in meeting::Entity::find()
        .all(store.connection())
        .await
        .unwrap()
    {
        let people = meeting_people(store, m.id).await;
        out.push((
            m.kind,
            m.date_text.unwrap_or_default(),
            m.place_name.unwrap_or_default(),
            people,
        ));
    }
    out.sort();
    out
}

#[tokio::test]
async fn reprocessing_rebuilds_meetings_merged_under_older_rules() {
    use diplograph_store::sea_orm::{ConnectionTrait, Statement};
    for (backend, store) in backends().await {
        ingest_corpus(&store).await;
        let before = meeting_shapes(&store).await;
        let found = store.search_ranked("treaty", ALL).await.unwrap();
        // What an older version's looser merge left behind: two distinct meetings as one.
        let ms = meeting::Entity::find()
            .all(store.connection())
            .await
            .unwrap();
        // Two dated meetings reported by different documents, so that deleting one
        // document at a time never leaves the merged row without a report.
        let mut docs = Vec::new();
        for m in ms.iter().filter(|m| m.date_day.is_some()) {
            let d: BTreeSet<i32> = store
                .meeting_document_links(&[m.id])
                .await
                .unwrap()
                .into_iter()
                .map(|l| l.document_id)
                .collect();
            docs.push((m.id, d));
        }
        let (keep, gone) = docs
            .iter()
            .flat_map(|a| docs.iter().map(move |b| (a, b)))
            .find(|(a, b)| a.0 != b.0 && a.1.is_disjoint(&b.1))
            .map(|(a, b)| (a.0, b.0))
            .expect("two dated meetings from different documents");
        let db = store.connection();
        for sql in [
            format!("DELETE FROM meeting_participants WHERE meeting_id = {gone} AND participant_id IN (SELECT participant_id FROM meeting_participants WHERE meeting_id = {keep})"),
            format!("UPDATE meeting_participants SET meeting_id = {keep} WHERE meeting_id = {gone}"),
            format!("DELETE FROM meeting_documents WHERE meeting_id = {gone} AND document_id IN (SELECT document_id FROM meeting_documents WHERE meeting_id = {keep})"),
            format!("UPDATE meeting_documents SET meeting_id = {keep} WHERE meeting_id = {gone}"),
            format!("UPDATE quotations SET meeting_id = {keep} WHERE meeting_id = {gone}"),
            format!("UPDATE claims SET meeting_id = {keep} WHERE meeting_id = {gone}"),
            format!("DELETE FROM meetings WHERE id = {gone}"),
        ] {
            db.execute_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .unwrap();
        }
        assert_ne!(
            meeting_shapes(&store).await,
            before,
            "{backend}: the over-merge took"
        );
        let r = store.reprocess_all(&Default::default()).await.unwrap();
        assert_eq!(r.skipped, 0, "{backend}");
        assert_eq!(
            meeting_shapes(&store).await,
            before,
            "{backend}: reprocessing gives the meetings a fresh ingest gives"
        );
        let again = store.search_ranked("treaty", ALL).await.unwrap();
        assert_eq!(
            (again.0.len(), again.1),
            (found.0.len(), found.1),
            "{backend}: the search index holds each row once after reprocessing"
        );
    }
}

/// Every quotation as (document file, index, speaker, meeting title, sources), sorted.
async fn quotation_shapes(store: &Store) -> Vec<String> {
    let db = store.connection();
    let docs = document::Entity::find().all(db).await.unwrap();
    let people = participant::Entity::find().all(db).await.unwrap();
    let meetings = meeting::Entity::find().all(db).await.unwrap();
    let quotations = quotation::Entity::find().all(db).await.unwrap();
    let sources = quotation_source::Entity::find().all(db).await.unwrap();
    let file = |id: i32| {
        docs.iter()
            .find(|d| d.id == id)
            .and_then(|d| d.file_name.clone())
    };
    let name = |id: Option<i32>| {
        id.and_then(|id| people.iter().find(|p| p.id == id).map(|p| p.name.clone()))
    };
    let place = |q: &quotation::Model| (file(q.document_id), q.idx);
    let mut out: Vec<String> = quotations
        .iter()
        .map(|q| {
            let mut from: Vec<_> = sources
                .iter()
                .filter(|s| s.quotation_id == q.id)
                .filter_map(|s| quotations.iter().find(|x| x.id == s.source_quotation_id))
                .map(place)
                .collect();
            from.sort();
            let meeting = q
                .meeting_id
                .and_then(|m| meetings.iter().find(|x| x.id == m).map(|x| x.title.clone()));
            format!(
                "{:?} {:?} {:?} {from:?}",
                place(q),
                name(q.speaker_id),
                meeting
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_batch_builds_the_graph_that_one_at_a_time_builds() {
    // Generated documents repeat people, places and days, so a batch holds documents
    // about the same meetings and people, as a real folder does.
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(crate::support::bin())
        .args(["gen-corpus", "--docs", "150", "--seed", "11", "--from"])
        .arg(crate::support::corpus())
        .arg("--out")
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let mut files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.extend(corpus_files());
    // A transcript and a report quoting it, in one batch: provenance is linked once.
    for (name, text) in [("t.txt", TRANSCRIPT), ("r.txt", REPORT)] {
        let f = dir.path().join(name);
        std::fs::write(&f, text).unwrap();
        files.push(f);
    }
    let mut graphs = Vec::new();
    for (backend, batched) in backends().await {
        let docs: Vec<_> = files.iter().map(|f| crate::store::pending(f)).collect();
        let mut stored = 0;
        for chunk in docs.chunks(64) {
            for r in batched
                .ingest_batch(chunk.to_vec(), &Default::default())
                .await
            {
                assert!(
                    matches!(r, Ok(diplograph_store::IngestOutcome::New(_))),
                    "{backend}: {r:?}"
                );
                stored += 1;
            }
        }
        assert_eq!(stored, files.len());
        let single = match backend {
            "postgres" => crate::support::postgres().await.unwrap(),
            _ => sqlite().await,
        };
        ingest_files(&single, &files).await;
        let counts = table_counts(batched.connection()).await.unwrap();
        assert!(
            counts["meetings"] > 100 && counts["quotation_sources"] > 0,
            "{backend}: {counts:?}"
        );
        assert_eq!(
            counts,
            table_counts(single.connection()).await.unwrap(),
            "{backend}"
        );
        assert_eq!(
            signature(&batched).await,
            signature(&single).await,
            "{backend}"
        );
        links_carry_their_meetings_dates(backend, &batched).await;
        links_carry_their_meetings_dates(backend, &single).await;
        assert_eq!(
            quotation_shapes(&batched).await,
            quotation_shapes(&single).await,
            "{backend}"
        );
        graphs.push((
            backend,
            counts,
            signature(&batched).await,
            quotation_shapes(&batched).await,
        ));
    }
    // The backends merge meetings with different statements (Postgres in one): the same
    // documents make the same graph on both.
    if let [(a, ca, sa, qa), (b, cb, sb, qb)] = graphs.as_slice() {
        assert_eq!(ca, cb, "{a} against {b}");
        assert_eq!(sa, sb, "{a} against {b}");
        assert_eq!(qa, qb, "{a} against {b}");
    }
}

/// Every participant link carries its meeting's kind and date (merge candidates are read
/// through them), after ingest and after merges.
async fn links_carry_their_meetings_dates(backend: &str, store: &Store) {
    let db = store.connection();
    let meetings = meeting::Entity::find().all(db).await.unwrap();
    let links = meeting_participant::Entity::find().all(db).await.unwrap();
    assert!(!links.is_empty(), "{backend}");
    for l in links {
        let m = meetings.iter().find(|m| m.id == l.meeting_id).unwrap();
        assert_eq!(
            (
                l.meeting_kind.as_deref(),
                l.meeting_year,
                l.meeting_month,
                l.meeting_day
            ),
            (Some(m.kind.as_str()), m.date_year, m.date_month, m.date_day),
            "{backend}: link {}",
            l.id
        );
    }
}
