//! Stage 7, meetings: the meeting the document is about (from a transcript's title, or a
//! report's lead sentence and dateline) and the meetings its sentences mention, held or
//! planned, with dates resolved against the document's date.
//!
//! Kinds come from `data/meeting_kinds.tsv`. A meeting dated on or before the document's
//! date is held; after it, planned; undated, planned when the sentence speaks of the future.

use std::ops::Range;
use std::sync::OnceLock;

use crate::dates::{self, DateRef};
use crate::lexicon::lexicon;
use crate::mentions::Actors;
use crate::model::{MeetingKind, MeetingStatus, PartialDate, ParticipantKind, Place};
use crate::segment::Sentence;
use crate::text::{sub, tokenize};

fn kinds() -> &'static Vec<(Vec<String>, MeetingKind)> {
    static K: OnceLock<Vec<(Vec<String>, MeetingKind)>> = OnceLock::new();
    K.get_or_init(|| {
        include_str!("data/meeting_kinds.tsv")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let (k, v) = l.split_once('\t')?;
                Some((
                    k.split_whitespace().map(str::to_string).collect(),
                    MeetingKind::parse(v.trim())?,
                ))
            })
            .collect()
    })
}

/// The first meeting kind named in `text[range]`, by the data file's priority, with the byte
/// range of the words that name it.
pub fn kind_in(text: &str, range: Range<usize>) -> Option<(MeetingKind, Range<usize>)> {
    let toks: Vec<_> = tokenize(text, range)
        .into_iter()
        .filter(|t| t.word || t.text(text) == "+")
        .collect();
    let words: Vec<String> = toks.iter().map(|t| t.text(text).to_lowercase()).collect();
    for (pattern, kind) in kinds() {
        let n = pattern.len();
        for i in 0..words.len() {
            if words.get(i..i + n).is_some_and(|w| w == pattern.as_slice()) {
                let start = toks.get(i).map_or(0, |t| t.start);
                let end = toks.get(i + n - 1).map_or(start, |t| t.end);
                return Some((*kind, start..end));
            }
        }
    }
    None
}

/// A meeting before it is placed in the extraction.
#[derive(Debug, Clone)]
pub struct RawMeeting {
    /// The document's own meeting.
    pub primary: bool,
    /// Kind.
    pub kind: MeetingKind,
    /// Held or planned.
    pub status: MeetingStatus,
    /// When.
    pub date: Option<PartialDate>,
    /// Where.
    pub place: Option<Place>,
    /// Actor indices.
    pub participants: Vec<usize>,
    /// Words that describe it.
    pub range: Range<usize>,
}

/// What the meeting stage needs to know about the document.
pub struct Input<'a> {
    /// Cleaned text.
    pub text: &'a str,
    /// The title line.
    pub title: Option<Range<usize>>,
    /// True for transcripts.
    pub transcript: bool,
    /// Body sentences.
    pub sentences: &'a [Sentence],
    /// Everyone mentioned.
    pub actors: &'a Actors,
    /// The document's date.
    pub doc_date: Option<PartialDate>,
    /// The document's place (dateline city or the title's place).
    pub doc_place: Option<Place>,
    /// Speakers of transcript turns.
    pub speakers: Vec<usize>,
    /// Byte ranges inside quotation marks.
    pub quoted: &'a [Range<usize>],
}

/// The place named in `text[range]`: a known city first, else a country after `in`/`to`.
pub fn place_in(text: &str, range: Range<usize>) -> Option<Place> {
    let lex = lexicon();
    let toks: Vec<_> = tokenize(text, range)
        .into_iter()
        .filter(|t| t.word)
        .collect();
    let words: Vec<&str> = toks.iter().map(|t| t.text(text)).collect();
    for n in [3usize, 2, 1] {
        for i in 0..words.len() {
            let Some(ws) = words.get(i..i + n) else {
                continue;
            };
            let phrase = ws.join(" ");
            if !phrase.chars().next().is_some_and(char::is_uppercase) {
                continue;
            }
            if let Some((name, country)) = lex.cities.get(&phrase.to_lowercase()) {
                return Some(Place {
                    name: name.clone(),
                    country: Some(country.clone()),
                });
            }
        }
    }
    for i in 1..words.len() {
        let prev = words.get(i - 1).map(|w| w.to_lowercase());
        if !prev.as_deref().is_some_and(|p| matches!(p, "in" | "to")) {
            continue;
        }
        let Some(w) = words.get(i) else { continue };
        if let Some(c) = lex
            .countries
            .get(&w.to_lowercase())
            .filter(|c| c.as_str() == *w)
        {
            return Some(Place {
                name: c.clone(),
                country: Some(c.clone()),
            });
        }
    }
    None
}

fn status_of(date: Option<&PartialDate>, doc: Option<&PartialDate>, future: bool) -> MeetingStatus {
    match (date, doc) {
        (Some(d), Some(doc)) if d.year.is_some() && doc.year.is_some() => {
            // Compare at the precision both give.
            let dk = d.sort_key();
            let mut ok = doc.sort_key();
            if d.day.is_none() {
                ok = ok / 100 * 100;
            }
            if d.month.is_none() {
                ok = ok / 10_000 * 10_000;
            }
            // A meeting on the document's own day is held (it is taking place).
            if dk < ok || (dk == ok && (!future || d.day.is_some())) {
                MeetingStatus::Held
            } else {
                MeetingStatus::Planned
            }
        }
        _ if future => MeetingStatus::Planned,
        _ => MeetingStatus::Held,
    }
}

fn persons_in(inp: &Input<'_>, r: &Range<usize>) -> Vec<usize> {
    let mut out = Vec::new();
    for m in inp.actors.mentions_within(r) {
        if inp
            .quoted
            .iter()
            .any(|q| q.start <= m.range.start && m.range.start < q.end)
        {
            continue;
        }
        if inp
            .actors
            .list
            .get(m.who)
            .is_some_and(|a| a.kind == ParticipantKind::Person)
            && !out.contains(&m.who)
        {
            out.push(m.who);
        }
    }
    out
}

fn add_ministers(inp: &Input<'_>, kind: MeetingKind, parts: &mut Vec<usize>) {
    if kind != MeetingKind::TwoPlusTwo {
        return;
    }
    for (i, a) in inp.actors.list.iter().enumerate() {
        if a.kind == ParticipantKind::Person
            && (a.has_class("foreign") || a.has_class("defence"))
            && !parts.contains(&i)
        {
            parts.push(i);
        }
    }
}

/// Finds the primary meeting and the meetings mentioned.
pub fn find(inp: &Input<'_>) -> Vec<RawMeeting> {
    let text = inp.text;
    let mut out = Vec::new();
    let doc = inp.doc_date.as_ref();
    // Primary.
    let lead = if inp.transcript {
        inp.title.clone()
    } else {
        inp.sentences.first().map(|s| s.range.clone())
    };
    let mut primary_kind = None;
    if let Some(lead) = lead.clone() {
        let kind = kind_in(text, lead.clone())
            .or_else(|| inp.title.clone().and_then(|t| kind_in(text, t)))
            .map(|k| k.0);
        if let Some(kind) = kind {
            primary_kind = Some(kind);
            let refs = dates::find(text, lead.clone(), doc);
            let date = refs
                .iter()
                .find(|r| r.date.is_full())
                .map(|r| r.date.clone())
                .or_else(|| {
                    inp.doc_date
                        .clone()
                        .map(|d| PartialDate { time: None, ..d })
                });
            let place = place_in(text, lead.clone()).or_else(|| inp.doc_place.clone());
            let mut parts = persons_in(inp, &lead);
            if !inp.transcript {
                // Counterparts named in the next sentences (`talks with his X counterpart Y`).
                for s in inp.sentences.iter().skip(1).take(3) {
                    let st = sub(text, s.range.clone()).to_lowercase();
                    if st.contains("counterpart")
                        || st.contains("talks with")
                        || st.contains("meeting with")
                    {
                        for p in persons_in(inp, &s.range) {
                            if !parts.contains(&p) {
                                parts.push(p);
                            }
                        }
                    }
                }
            }
            for s in &inp.speakers {
                if !parts.contains(s) {
                    parts.push(*s);
                }
            }
            add_ministers(inp, kind, &mut parts);
            let status = status_of(date.as_ref(), doc, false);
            out.push(RawMeeting {
                primary: true,
                kind,
                status,
                date,
                place,
                participants: parts,
                range: lead,
            });
        }
    }
    // Mentioned meetings: a sentence naming a kind of meeting and a date, or a future one.
    for (si, s) in inp.sentences.iter().enumerate() {
        if !inp.transcript && si == 0 {
            continue;
        }
        let Some((kind, kr)) = kind_in(text, s.range.clone()) else {
            continue;
        };
        if kind == MeetingKind::NewsConference {
            continue;
        }
        let refs: Vec<DateRef> = dates::find(text, s.range.clone(), doc);
        let future = refs.iter().any(|r| r.future) || {
            let l = sub(text, s.range.clone()).to_lowercase();
            [
                " will ",
                " next ",
                "planned",
                "scheduled",
                "expected to",
                "is due",
            ]
            .iter()
            .any(|w| l.contains(w))
        };
        let date = refs
            .iter()
            .min_by_key(|r| r.range.start.abs_diff(kr.start))
            .map(|r| r.date.clone());
        if date.is_none() && !future {
            continue;
        }
        let place = place_in(text, s.range.clone());
        let mut parts = persons_in(inp, &s.range);
        add_ministers(inp, kind, &mut parts);
        let status = status_of(date.as_ref(), doc, future);
        let m = RawMeeting {
            primary: false,
            kind,
            status,
            date,
            place,
            participants: parts,
            range: s.range.clone(),
        };
        let dup = out.iter().any(|o: &RawMeeting| {
            o.kind == m.kind && o.date == m.date && (o.primary || o.status == m.status)
        });
        if !dup {
            out.push(m);
        }
    }
    let _ = primary_kind;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_by_priority() {
        let t = "remarks at a news conference following two-plus-two consultations";
        assert_eq!(
            kind_in(t, 0..t.len()).map(|k| k.0),
            Some(MeetingKind::TwoPlusTwo)
        );
        let t = "a news conference following talks with the minister";
        assert_eq!(
            kind_in(t, 0..t.len()).map(|k| k.0),
            Some(MeetingKind::Talks)
        );
    }

    #[test]
    fn places() {
        let t = "The summit will be held in Osaka in late June.";
        assert_eq!(
            place_in(t, 0..t.len()).map(|p| p.name),
            Some("Osaka".into())
        );
        let t = "A visit to Japan is planned.";
        assert_eq!(
            place_in(t, 0..t.len()).map(|p| p.name),
            Some("Japan".into())
        );
    }

    #[test]
    fn status_against_document_date() {
        let doc = PartialDate::ymd(2019, 5, 10);
        assert_eq!(
            status_of(Some(&PartialDate::ymd(2019, 5, 30)), Some(&doc), true),
            MeetingStatus::Planned
        );
        assert_eq!(
            status_of(Some(&PartialDate::ymd(2019, 5, 10)), Some(&doc), true),
            MeetingStatus::Held
        );
        let april = PartialDate {
            year: Some(2019),
            month: Some(4),
            ..PartialDate::default()
        };
        assert_eq!(
            status_of(Some(&april), Some(&doc), false),
            MeetingStatus::Held
        );
    }
}
