//! Extraction on every corpus file: a reviewed snapshot each, plus explicit facts.

use diplograph_parse::{
    extract, DocumentKind, Extraction, Format, MeetingKind, MeetingStatus, Options,
    ParticipantKind, TurnKind,
};
use serde_json::json;

use crate::support::{corpus, corpus_files};

fn load(name: &str) -> Extraction {
    let path = corpus().join(name);
    let bytes = std::fs::read(&path).expect("corpus file");
    extract(
        &bytes,
        &Options {
            format: Format::from_path(name),
            ..Options::default()
        },
    )
    .expect("extracts")
}

fn name(x: &Extraction, i: Option<usize>) -> String {
    i.and_then(|i| x.participants.get(i))
        .map_or("-".into(), |p| p.name.clone())
}

/// A compact, reviewable view of an extraction (the full text is left out).
fn summary(x: &Extraction) -> serde_json::Value {
    let d = &x.document;
    json!({
        "kind": d.kind,
        "source": d.source,
        "title": d.title,
        "published": d.published.as_ref().map(|p| format!("{}{}", p.iso(), p.time.as_ref().map(|t| format!("T{t}")).unwrap_or_default())),
        "place": d.place.as_ref().map(|p| &p.name),
        "dateline": d.dateline.as_ref().map(|dl| json!({"text": dl.text, "date": dl.date.iso(), "year_inferred": dl.date.year_inferred})),
        "participants": x.participants.iter().map(|p| json!({"name": p.name, "kind": p.kind, "title": p.title, "country": p.country, "aliases": p.aliases})).collect::<Vec<_>>(),
        "turns": x.turns.iter().map(|t| json!({"kind": t.kind, "speaker": name(x, t.speaker), "starts": x.span_text(t.span).chars().take(40).collect::<String>()})).collect::<Vec<_>>(),
        "meetings": x.meetings.iter().map(|m| json!({
            "primary": m.primary, "kind": m.kind, "status": m.status,
            "date": m.date.as_ref().map(|d| d.iso()), "place": m.place.as_ref().map(|p| &p.name),
            "participants": m.participants.iter().map(|i| name(x, Some(*i))).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "quotations": x.quotations.iter().map(|q| json!({
            "kind": q.kind, "speaker": name(x, q.speaker), "label": q.speaker_label, "cue": q.cue,
            "reported_by": q.reported_by.map(|r| name(x, Some(r))),
            "text": q.text.chars().take(80).collect::<String>(), "topics": q.topics,
        })).collect::<Vec<_>>(),
        "claims": x.claims.iter().map(|c| json!({
            "kind": c.kind, "claimant": name(x, c.claimant), "on_behalf_of": c.on_behalf_of,
            "text": c.text.chars().take(80).collect::<String>(), "topics": c.topics,
        })).collect::<Vec<_>>(),
        "diagnostics": x.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>(),
    })
}

#[test]
fn every_corpus_file_has_a_reviewed_snapshot() {
    let files = corpus_files();
    assert!(files.len() >= 5, "the corpus holds the five seeds");
    for f in files {
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let x = load(&name);
        insta::with_settings!({snapshot_suffix => name.clone(), prepend_module_to_snapshot => false}, {
            insta::assert_json_snapshot!("extraction", summary(&x));
        });
    }
}

#[test]
fn every_span_points_at_its_text() {
    for f in corpus_files() {
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let x = load(&name);
        let len = x.text.chars().count();
        for q in &x.quotations {
            assert!(q.span.end <= len && q.span.start <= q.span.end);
            assert_eq!(x.span_text(q.span), q.text, "{name}: quotation span");
        }
        for c in &x.claims {
            assert_eq!(x.span_text(c.span), c.text, "{name}: claim span");
        }
        for p in &x.participants {
            for m in &p.mentions {
                assert!(m.end <= len);
            }
        }
    }
}

#[test]
fn transcript_facts() {
    let x = load("000_37b09204674d4091.txt");
    assert_eq!(x.document.kind, DocumentKind::Transcript);
    let p = x.document.published.clone().unwrap_or_default();
    assert_eq!(
        (p.iso(), p.time.as_deref()),
        ("2019-05-10".to_string(), Some("15:47"))
    );
    assert_eq!(
        x.document.place.as_ref().map(|p| p.name.as_str()),
        Some("Moscow")
    );
    assert!(
        !x.text.contains("en-GB1") && !x.text.contains("Advanced settings"),
        "furniture is cleaned"
    );
    assert_eq!(x.turns.len(), 1);
    assert_eq!(name(&x, x.turns[0].speaker), "Sergey Lavrov");
    assert!(x.span_text(x.turns[0].span).starts_with("Good afternoon"));
    let m = x.primary_meeting().expect("primary meeting");
    assert_eq!(
        (m.kind, m.status),
        (MeetingKind::Talks, MeetingStatus::Held)
    );
    assert_eq!(
        m.date.as_ref().map(|d| d.iso()).as_deref(),
        Some("2019-05-10")
    );
    let people: Vec<String> = m.participants.iter().map(|i| name(&x, Some(*i))).collect();
    assert_eq!(people, vec!["Sergey Lavrov", "Taro Kono"]);

    let x = load("001_2155d83bda041d79.txt");
    let turns: Vec<(TurnKind, String)> = x
        .turns
        .iter()
        .map(|t| (t.kind, name(&x, t.speaker)))
        .collect();
    assert_eq!(
        turns,
        vec![
            (TurnKind::Statement, "Sergey Lavrov".into()),
            (TurnKind::Question, "Journalist".into()),
            (TurnKind::Answer, "Sergey Lavrov".into()),
            (TurnKind::Question, "Journalist".into()),
            (TurnKind::Answer, "Sergey Lavrov".into()),
        ]
    );
    assert!(
        !x.text.contains("Essential Saker"),
        "footer adverts are cleaned"
    );
    // A quote quoted by the speaker belongs to its author, reported by the speaker.
    let q = x
        .quotations
        .iter()
        .find(|q| q.text == "strengthen the bloc")
        .expect("partial quote");
    assert_eq!(name(&x, q.speaker), "Katsuyuki Kawai");
    assert_eq!(name(&x, q.reported_by), "Sergey Lavrov");
    // A name in quotation marks is not a quotation.
    assert!(!x
        .quotations
        .iter()
        .any(|q| q.text.starts_with("northern territories")));

    let x = load("002_e97051fbeb14bb0b.txt");
    assert_eq!(
        x.turns.last().map(|t| t.label.as_str()),
        Some("Sergey Lavrov (speaking after Fumio Kishida)")
    );
    let m = x.primary_meeting().expect("primary meeting");
    assert_eq!(m.kind, MeetingKind::TwoPlusTwo);
    assert_eq!(m.place.as_ref().map(|p| p.name.as_str()), Some("Tokyo"));
}

#[test]
fn news_report_facts() {
    let x = load("003_4880c129a00f1001.txt");
    assert_eq!(x.document.kind, DocumentKind::NewsReport);
    assert_eq!(x.document.source.as_deref(), Some("TASS"));
    assert_eq!(
        x.document.title,
        "Russia calls for increased efforts to bring ties with Japan to new level"
    );
    let dl = x.document.dateline.clone().expect("dateline");
    assert_eq!(dl.text, "MOSCOW, January 14. /TASS/");
    assert_eq!(
        dl.date.iso(),
        "2019-01-14",
        "the year comes from the text's own dates"
    );
    assert!(dl.date.year_inferred);
    assert!(
        !x.participants.iter().any(|p| p.name.contains("Shcherbak")),
        "a photographer is not a participant"
    );
    // Kono's direct quotes, including `he said` after a sentence about him.
    let kono: Vec<&str> = x
        .quotations
        .iter()
        .filter(|q| name(&x, q.speaker) == "Taro Kono")
        .map(|q| q.text.as_str())
        .collect();
    assert_eq!(kono.len(), 7);
    assert!(kono
        .iter()
        .any(|t| t.starts_with("This is why we should build relations")));
    let lavrov = x
        .participants
        .iter()
        .find(|p| p.name == "Sergey Lavrov")
        .expect("Lavrov");
    assert!(lavrov
        .aliases
        .contains(&"the Russian top diplomat".to_string()));
    assert!(
        !x.quotations.iter().any(|q| q.text == "2+2"),
        "a name in quotes is not a quotation"
    );

    let x = load("004_8ac5ae6789964484.txt");
    assert_eq!(
        x.document.published.as_ref().map(|p| p.iso()).as_deref(),
        Some("2017-03-20")
    );
    let org = x
        .participants
        .iter()
        .find(|p| p.kind == ParticipantKind::Organization)
        .expect("an organisation speaks");
    assert_eq!(org.name, "Russian Foreign Ministry");
    let m = x.primary_meeting().expect("primary meeting");
    assert_eq!(
        (m.kind, m.status),
        (MeetingKind::TwoPlusTwo, MeetingStatus::Held)
    );
}
