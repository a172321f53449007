//! House styles the seed documents do not show, each on a passage written for the test:
//! the rules must hold on documents nobody tuned them to.

use crate::*;

fn run(text: &str) -> Extraction {
    extract(text.as_bytes(), &Options::default()).expect("extracts")
}

fn speaker(x: &Extraction, q: &Quotation) -> String {
    q.speaker
        .and_then(|i| x.participants.get(i))
        .map_or("-".into(), |p| p.name.clone())
}

fn quotes(x: &Extraction) -> Vec<(String, String)> {
    x.quotations
        .iter()
        .map(|q| (q.text.clone(), speaker(x, q)))
        .collect()
}

const DATELINE: &str = "Ministers meet in Lisbon\n\nLISBON, October 3. /Agency/. ";

#[test]
fn cue_before_and_after_the_name_with_honorifics() {
    let x = run(&format!(
        "{DATELINE}French Foreign Minister Paul Dubois met Nigerian Foreign Minister Ada Okafor on Tuesday in 2021.\n\n\
         \"The talks were useful,\" said Mr. Dubois.\n\n\
         \"We will meet again,\" Ms. Okafor said."
    ));
    assert_eq!(
        quotes(&x),
        vec![
            ("The talks were useful".into(), "Paul Dubois".into()),
            ("We will meet again".into(), "Ada Okafor".into()),
        ]
    );
}

#[test]
fn title_after_the_name() {
    let x = run(&format!(
        "{DATELINE}\"Sanctions do not work,\" Elena Marsh, British Deputy Foreign Minister, told reporters in 2020."
    ));
    let p = x
        .participants
        .iter()
        .find(|p| p.name == "Elena Marsh")
        .expect("person");
    assert_eq!(p.title.as_deref(), Some("Deputy Foreign Minister"));
    assert_eq!(p.country.as_deref(), Some("United Kingdom"));
    assert_eq!(
        quotes(&x),
        vec![("Sanctions do not work".into(), "Elena Marsh".into())]
    );
}

#[test]
fn attribution_in_the_middle_gives_both_halves_to_one_speaker() {
    let x = run(&format!(
        "{DATELINE}Chancellor Hans Weber spoke after the session in 2022.\n\n\"We agree,\" Weber said, \"on the need for a ceasefire.\""
    ));
    assert_eq!(
        quotes(&x),
        vec![
            ("We agree".into(), "Hans Weber".into()),
            ("on the need for a ceasefire.".into(), "Hans Weber".into()),
        ]
    );
}

#[test]
fn a_quote_over_several_paragraphs_is_one_quotation() {
    let x = run(&format!(
        "{DATELINE}Prime Minister Ana Ruiz addressed parliament in 2019. She said:\n\n\
         \"We have worked hard for this agreement.\n\n\
         \"It protects our farmers and our fishermen.\n\n\
         \"And it will be signed next month.\""
    ));
    assert_eq!(x.quotations.len(), 1, "{:?}", quotes(&x));
    let q = &x.quotations[0];
    assert!(q.text.starts_with("We have worked hard") && q.text.ends_with("signed next month."));
    assert_eq!(speaker(&x, q), "Ana Ruiz");
}

#[test]
fn dashes_ellipses_and_nested_single_quotes_stay_inside() {
    let x = run(&format!(
        "{DATELINE}President Luis Soto was asked about the plan in 2018.\n\n\
         \"This is — let me be clear — a 'red line' for us… and it stays one,\" Soto said."
    ));
    assert_eq!(
        quotes(&x),
        vec![(
            "This is — let me be clear — a 'red line' for us… and it stays one".into(),
            "Luis Soto".into()
        )]
    );
}

#[test]
fn unnamed_sources_are_described_not_named() {
    let x = run(&format!(
        "{DATELINE}The delegations met behind closed doors in 2020.\n\n\
         \"No deal is close,\" a senior State Department official said."
    ));
    let q = x.quotations.first().expect("quotation");
    let p = q
        .speaker
        .and_then(|i| x.participants.get(i))
        .expect("speaker");
    assert_eq!(p.kind, ParticipantKind::Unnamed);
    assert_eq!(p.name, "a senior State Department official");
    assert!(!x
        .participants
        .iter()
        .any(|p| p.kind == ParticipantKind::Person));
}

#[test]
fn british_and_american_spellings_are_both_cues() {
    for verb in ["emphasised", "emphasized"] {
        let x = run(&format!(
            "{DATELINE}\"Defence cooperation matters,\" Foreign Secretary Jane Roe {verb} in 2021."
        ));
        assert_eq!(
            quotes(&x),
            vec![("Defence cooperation matters".into(), "Jane Roe".into())],
            "{verb}"
        );
    }
}

#[test]
fn abbreviations_do_not_split_sentences_or_names() {
    let x = run(&format!(
        "{DATELINE}Gen. Mark Lee met Dr. Sara Kim of the U.S. delegation in 2021. Under Art. 5 of the treaty, \
         Secretary of State Tom Hale said, the allies must respond.\n\n\"We stand together,\" Hale said."
    ));
    let names: Vec<&str> = x
        .participants
        .iter()
        .filter(|p| p.kind == ParticipantKind::Person)
        .map(|p| p.name.as_str())
        .collect();
    assert!(
        names.contains(&"Mark Lee") && names.contains(&"Sara Kim") && names.contains(&"Tom Hale"),
        "{names:?}"
    );
    assert_eq!(
        quotes(&x),
        vec![("We stand together".into(), "Tom Hale".into())]
    );
}

#[test]
fn planned_meetings_with_relative_and_partial_dates() {
    let x = run(
        "Talks in Rome\n\nROME, April 12, 2021 (Agency) - Italian Foreign Minister Carla Neri held talks with her \
         Spanish counterpart Luis Soto on Monday.\n\nThe next round of talks will take place in Madrid on June 3. \
         A summit of the two prime ministers is planned for late September.",
    );
    let m = x.primary_meeting().expect("primary");
    assert_eq!(
        (m.kind, m.status),
        (MeetingKind::Talks, MeetingStatus::Held)
    );
    assert_eq!(
        m.date.as_ref().map(PartialDate::iso).as_deref(),
        Some("2021-04-12")
    );
    let planned: Vec<(MeetingKind, String, Option<String>)> = x
        .meetings
        .iter()
        .filter(|m| m.status == MeetingStatus::Planned)
        .map(|m| {
            (
                m.kind,
                m.date.as_ref().map(PartialDate::iso).unwrap_or_default(),
                m.place.as_ref().map(|p| p.name.clone()),
            )
        })
        .collect();
    assert!(
        planned.contains(&(
            MeetingKind::Talks,
            "2021-06-03".into(),
            Some("Madrid".into())
        )),
        "{planned:?}"
    );
    assert!(
        planned.contains(&(MeetingKind::Summit, "2021-09".into(), None)),
        "{planned:?}"
    );
}

#[test]
fn a_document_in_another_language_is_stored_and_marked_without_inventions() {
    let x = run("Rencontre à Paris\n\nLe ministre des Affaires étrangères a rencontré son homologue. « Nous sommes d'accord », a-t-il déclaré.");
    assert_eq!(x.document.language, "und");
    assert!(x.participants.is_empty() && x.quotations.is_empty() && x.claims.is_empty());
    assert!(x.diagnostics.iter().any(|d| d.message.contains("English")));
}
