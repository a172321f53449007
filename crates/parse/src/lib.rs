//! # diplograph-parse
//!
//! Pure extraction: the bytes of one diplomatic document in, a document graph out
//! (meetings, participants, quotations, claims, topics), each item with a character span into
//! the cleaned text. No I/O, no database, no async.
//!
//! Extraction never fails on content: messy or odd input gives a result with
//! [`Diagnostic`]s. The only errors are input that is not text at all, input over the size
//! limit, and a JSON envelope that is not one.
//!
//! The pipeline, one module per stage, each adding to what the earlier ones found:
//! [`decode`] → [`clean`] → [`segment`] → [`mentions`] (with [`dates`]) → [`coref`] →
//! [`quotes`] → [`meetings`] → [`claims`] → [`topics`]. Word lists (titles, cue verbs,
//! countries, cities, organisations, meeting kinds, claim cues, topics, page furniture) are
//! data files under `src/data/`.
//!
//! ```
//! let doc = "MOSCOW, May 4. /AGENCY/. Foreign Minister Ana Ruiz held talks with her \
//!            Chilean counterpart Luis Soto. \"We agreed on a plan,\" Ruiz said.";
//! let x = diplograph_parse::extract(doc.as_bytes(), &Default::default()).unwrap();
//! assert_eq!(x.document.kind, diplograph_parse::DocumentKind::NewsReport);
//! let q = &x.quotations[0];
//! assert_eq!(q.text, "We agreed on a plan");
//! assert_eq!(x.participants[q.speaker.unwrap()].name, "Ana Ruiz");
//! ```

pub mod claims;
pub mod clean;
pub mod coref;
pub mod dates;
pub mod decode;
pub mod html;
pub mod lexicon;
pub mod meetings;
pub mod mentions;
pub mod model;
pub mod quotes;
pub mod segment;
pub mod text;
pub mod topics;

#[cfg(test)]
mod generalization_tests;

use std::collections::HashMap;
use std::ops::Range;

pub use decode::Format;
pub use model::*;
pub use topics::{Taxonomy, Topic};

use lexicon::lexicon;
use mentions::Actors;
use text::{sub, CharMap};

/// A claim before assembly: (range, kind, claimant actor, quotation index).
type RawClaim = (Range<usize>, ClaimKind, Option<usize>, Option<usize>);

/// Default size limit: 10 MiB.
pub const DEFAULT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// The only ways extraction can fail.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParseError {
    /// The input is larger than the configured limit.
    #[error("the document is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// Size of the input.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not text in any supported encoding.
    #[error("the document is not text (binary content)")]
    NotText,
    /// A JSON envelope that cannot be read.
    #[error("the JSON envelope is invalid: {0}")]
    Envelope(String),
}

/// Options for [`extract`].
#[derive(Debug, Clone)]
pub struct Options {
    /// How to read the bytes.
    pub format: Format,
    /// Refuse inputs larger than this.
    pub max_bytes: usize,
    /// Topic taxonomy (the built-in one when `None`).
    pub taxonomy: Option<Taxonomy>,
    /// The year to give a dateline that has none when the text's own dates cannot decide
    /// it (the store finds it from meetings already in the graph). Marked as inferred.
    pub year_hint: Option<i32>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            format: Format::Auto,
            max_bytes: DEFAULT_MAX_BYTES,
            taxonomy: None,
            year_hint: None,
        }
    }
}

fn diag(stage: &str, severity: Severity, message: String) -> Diagnostic {
    Diagnostic {
        severity,
        stage: stage.into(),
        message,
    }
}

/// Parses `2019-01-14`, `2019-01-14T15:47`, `2019-01`.
fn iso_date(s: &str) -> Option<PartialDate> {
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let mut parts = date.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month = parts
        .next()
        .and_then(|m| m.parse().ok())
        .filter(|m| (1..=12).contains(m));
    let day = parts
        .next()
        .and_then(|d| d.parse().ok())
        .filter(|d| (1..=31).contains(d));
    Some(PartialDate {
        year: Some(year),
        month,
        day,
        time: time.map(|t| t.chars().take(5).collect()),
        ..PartialDate::default()
    })
}

/// Extracts the document graph from one document's bytes.
pub fn extract(bytes: &[u8], opts: &Options) -> Result<Extraction, ParseError> {
    if bytes.len() > opts.max_bytes {
        return Err(ParseError::TooLarge {
            size: bytes.len(),
            limit: opts.max_bytes,
        });
    }
    let mut diags = Vec::new();
    let decoded = decode::decode(bytes, opts.format, &mut diags)?;
    let cleaned = clean::clean(&decoded.text, &mut diags);
    let text = cleaned.text.as_str();
    let _tokens = text::TokenScope::new(text);
    let seg = segment::segment(&cleaned);
    let kind = seg.kind.unwrap_or(DocumentKind::Other);
    let title_range = seg.title.and_then(|t| cleaned.lines.get(t).cloned());
    let title = decoded
        .title
        .clone()
        .unwrap_or_else(|| match title_range.clone() {
            Some(r) => sub(text, r).to_string(),
            // No title line: the first sentence stands in, shortened.
            None => {
                let first = seg
                    .sentences
                    .first()
                    .map(|s| sub(text, s.range.clone()))
                    .unwrap_or("");
                let mut t: String = first.chars().take(120).collect();
                if t.len() < first.len() {
                    t.push('…');
                }
                t
            }
        });
    if text.trim().is_empty() {
        diags.push(diag(
            "clean",
            Severity::Warning,
            "the document has no text".into(),
        ));
    }

    // Dates: the publication stamp, the envelope, the title, the dateline.
    let mut published = cleaned
        .published
        .clone()
        .or_else(|| decoded.published.as_deref().and_then(iso_date));
    if published.is_none() && kind != DocumentKind::NewsReport {
        if let Some(r) = title_range.clone() {
            published = dates::find(text, r, None)
                .into_iter()
                .find(|d| d.explicit_year && d.date.is_full())
                .map(|d| d.date);
        }
    }
    let dateline = seg.dateline.as_ref().map(|d| {
        let mut date = PartialDate {
            year: d.year,
            month: d.month,
            day: d.day,
            ..PartialDate::default()
        };
        if date.year.is_none() {
            if let (Some(m), Some(day)) = (d.month, d.day) {
                match published.as_ref().and_then(|p| p.year) {
                    Some(y) => date.year = Some(y),
                    None => {
                        date.year = dates::infer_year(text, d.body_start..text.len(), m, day).or(opts.year_hint);
                        date.year_inferred = date.year.is_some();
                        if date.year.is_none() {
                            diags.push(diag("segment", Severity::Warning, "the dateline has no year and the text dates nothing to infer it from".into()));
                        }
                    }
                }
            }
        }
        (d, date)
    });
    if published.is_none() {
        published = dateline
            .as_ref()
            .map(|(_, d)| d.clone())
            .filter(|d| d.year.is_some());
    }

    let place = dateline
        .as_ref()
        .map(|(d, _)| Place {
            name: d.city.clone(),
            country: lexicon()
                .cities
                .get(&d.city.to_lowercase())
                .map(|c| c.1.clone()),
        })
        .or_else(|| {
            title_range
                .clone()
                .and_then(|r| meetings::place_in(text, r))
        });

    let mut ex = Extraction {
        text: String::new(),
        document: DocumentMeta {
            kind,
            source: decoded.source.clone(),
            title,
            title_span: None,
            url: decoded.url.clone(),
            published: published.clone(),
            place: place.clone(),
            dateline: None,
            language: seg.language.clone(),
        },
        paragraphs: Vec::new(),
        turns: Vec::new(),
        participants: Vec::new(),
        meetings: Vec::new(),
        quotations: Vec::new(),
        claims: Vec::new(),
        diagnostics: Vec::new(),
    };
    let cm = CharMap::new(text);
    ex.document.title_span = title_range.as_ref().map(|r| cm.span(r));
    ex.document.dateline = dateline.as_ref().map(|(d, date)| Dateline {
        text: sub(text, d.range.clone()).to_string(),
        span: cm.span(&d.range),
        place: d.city.clone(),
        date: date.clone(),
        agency: d.agency.clone(),
    });
    if ex.document.source.is_none() {
        ex.document.source = dateline.as_ref().and_then(|(d, _)| d.agency.clone());
    }
    ex.paragraphs = cleaned
        .lines
        .iter()
        .enumerate()
        .map(|(i, r)| Paragraph {
            span: cm.span(r),
            heading: seg.heading.get(i).copied().unwrap_or(false),
        })
        .collect();

    if seg.language != "en" {
        diags.push(diag(
            "segment",
            Severity::Warning,
            "the document does not look like English; people, quotations and claims were not extracted".into(),
        ));
        ex.turns = seg
            .turns
            .iter()
            .filter_map(|t| {
                let first = t.paras.first()?;
                let last = t.paras.last()?;
                Some(Turn {
                    kind: t.kind,
                    label: t.label.clone(),
                    speaker: None,
                    span: cm.span(&(first.start..last.end)),
                })
            })
            .collect();
        ex.text = text.to_string();
        ex.diagnostics = diags;
        return Ok(ex);
    }

    // Mentions and coreference.
    let label_ranges: Vec<Range<usize>> = seg
        .turns
        .iter()
        .filter_map(|t| t.label_range.clone())
        .collect();
    let mention_lines: Vec<Range<usize>> = cleaned
        .lines
        .iter()
        .map(|r| {
            let mut r = r.clone();
            if let Some(lr) = label_ranges.iter().find(|l| l.start == r.start) {
                r.start = lr.end.min(r.end);
            }
            r
        })
        .collect();
    let mut actors = mentions::find(text, &mention_lines, &label_ranges);
    coref::resolve_descriptors(text, &mut actors);
    let quoted: Vec<Range<usize>> = cleaned
        .lines
        .iter()
        .flat_map(|l| quotes::pair_marks(text, l.clone()))
        .map(|m| m.open..m.close)
        .collect();
    // Lede sentences (between title and dateline) count for subjects and claims.
    let mut all_sentences = Vec::new();
    if kind == DocumentKind::NewsReport {
        for (i, r) in cleaned.lines.iter().enumerate().skip(1) {
            if seg.dateline.as_ref().is_some_and(|d| d.range.start < r.end) {
                break;
            }
            if seg.heading.get(i).copied().unwrap_or(false) && r.end - r.start > 60 {
                all_sentences.push(segment::Sentence {
                    range: r.clone(),
                    line: i,
                });
            }
        }
    }
    let lede_count = all_sentences.len();
    all_sentences.extend(seg.sentences.iter().cloned());
    let quoted_set = text::RangeSet::new(&quoted);
    let subjects_all = coref::subjects(text, &actors, &all_sentences, &quoted_set);
    let subjects = coref::Subjects {
        of: subjects_all
            .of
            .get(lede_count..)
            .map(<[_]>::to_vec)
            .unwrap_or_default(),
    };

    // Transcript speakers.
    let transcript = kind == DocumentKind::Transcript;
    let title_speaker = title_range.as_ref().and_then(|r| {
        actors
            .mentions_within(r)
            .find(|m| {
                actors
                    .list
                    .get(m.who)
                    .is_some_and(|a| a.kind == ParticipantKind::Person)
            })
            .map(|m| m.who)
    });
    if transcript {
        if let Some(sp) = title_speaker {
            if actors.list.get(sp).is_some_and(|a| a.country.is_none()) {
                let home = home_country(text);
                if let Some(a) = actors.list.get_mut(sp) {
                    a.country = home;
                }
            }
        }
    }
    let journalist = (transcript && seg.turns.iter().any(|t| t.kind == TurnKind::Question))
        .then(|| actors.intern("Journalist", ParticipantKind::Journalist));
    if let Some(j) = journalist {
        actors.mark_acts(j);
    }
    let turns: Vec<(segment::RawTurn, Option<usize>)> = seg
        .turns
        .iter()
        .map(|t| {
            let speaker = match t.kind {
                TurnKind::Statement => title_speaker,
                TurnKind::Question => journalist,
                TurnKind::Answer => t
                    .label_range
                    .as_ref()
                    .and_then(|r| actors.mention_in(&(r.start..r.start + 1)).map(|m| m.who))
                    .or(if t.label.eq_ignore_ascii_case("answer") {
                        title_speaker
                    } else {
                        None
                    }),
            };
            (t.clone(), speaker)
        })
        .collect();
    if transcript && source_is_ministry(&ex.document.source) {
        if let Some(a) = title_speaker.and_then(|s| actors.list.get(s)) {
            if a.has_class("foreign") {
                if let Some(c) = &a.country {
                    let dem = lexicon()
                        .demonyms
                        .get(c)
                        .cloned()
                        .unwrap_or_else(|| c.clone());
                    ex.document.source = Some(format!("{dem} Ministry of Foreign Affairs"));
                }
            }
        }
    }

    let body: Vec<Range<usize>> = cleaned
        .lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !seg.heading.get(*i).copied().unwrap_or(false))
        .map(|(_, r)| {
            let mut r = r.clone();
            if let Some(d) = &seg.dateline {
                if d.range.start >= r.start && d.range.start < r.end {
                    r.start = d.body_start.min(r.end);
                }
            }
            r
        })
        .collect();
    let raw_quotes = quotes::find(
        text,
        &mut actors,
        &seg.sentences,
        &subjects,
        &body,
        &turns,
        transcript,
    );

    let speakers: Vec<usize> = turns
        .iter()
        .filter_map(|(_, s)| *s)
        .filter(|s| {
            actors
                .list
                .get(*s)
                .is_some_and(|a| a.kind == ParticipantKind::Person)
        })
        .collect();
    let raw_meetings = meetings::find(&meetings::Input {
        text,
        title: title_range.clone(),
        transcript,
        sentences: &seg.sentences,
        actors: &actors,
        doc_date: published.clone(),
        doc_place: place.clone(),
        speakers,
        quoted: &quoted_set,
        subjects: &subjects.of,
    });

    // Claims.
    let taxonomy = opts
        .taxonomy
        .as_ref()
        .unwrap_or_else(|| Taxonomy::builtin());
    let mut raw_claims: Vec<RawClaim> = Vec::new();
    for (qi, q) in raw_quotes.iter().enumerate() {
        if q.question || q.speaker.is_none() {
            continue;
        }
        for (r, k) in claims::claims_in(text, q.range.clone()) {
            raw_claims.push((r, k, q.speaker, Some(qi)));
        }
    }
    if !transcript {
        for (si, s) in all_sentences.iter().enumerate() {
            if quoted
                .iter()
                .any(|q| q.start < s.range.end && s.range.start < q.end)
            {
                continue;
            }
            let st = sub(text, s.range.clone());
            let lower = st.to_lowercase();
            let lex = lexicon();
            let reported = lower.starts_with("according to")
                || lower
                    .split(|c: char| !c.is_alphanumeric())
                    .any(|w| lex.reported_cues.contains(w));
            if !reported {
                continue;
            }
            let claimant = if lower.starts_with("according to") {
                actors.mentions_within(&s.range).next().map(|m| m.who)
            } else {
                subjects_all.of.get(si).copied().flatten()
            };
            let Some(claimant) = claimant else { continue };
            if let Some(k) = claims::classify(st) {
                actors.mark_acts(claimant);
                raw_claims.push((s.range.clone(), k, Some(claimant), None));
            }
        }
    }
    raw_claims.sort_by_key(|c| c.0.start);

    // Assemble participants: people always; others when they act.
    let mut remap: HashMap<usize, usize> = HashMap::new();
    for (i, a) in actors.list.iter().enumerate() {
        if !a.acts {
            continue;
        }
        remap.insert(i, ex.participants.len());
        let (title, organization) = match a.titles.first() {
            Some((t, _)) => (Some(t.clone()), None),
            None => (None, None),
        };
        ex.participants.push(Participant {
            name: a.name.clone(),
            kind: a.kind,
            title,
            country: a.country.clone(),
            organization,
            aliases: a.aliases.clone(),
            mentions: actors
                .mentions
                .iter()
                .filter(|m| m.who == i)
                .map(|m| cm.span(&m.range))
                .collect(),
        });
    }
    let map = |i: Option<usize>| i.and_then(|i| remap.get(&i).copied());
    ex.turns = turns
        .iter()
        .filter_map(|(t, s)| {
            let first = t.paras.first()?;
            let last = t.paras.last()?;
            Some(Turn {
                kind: t.kind,
                label: t.label.clone(),
                speaker: map(*s),
                span: cm.span(&(first.start..last.end)),
            })
        })
        .collect();
    // Quotations and the claims made in them overlap: the keyword matches of the text they
    // cover are found once for all of them, and the rest of the text is not read.
    let classified: Vec<Range<usize>> = raw_quotes
        .iter()
        .map(|q| q.range.clone())
        .chain(raw_claims.iter().map(|c| c.0.clone()))
        .collect();
    let topics = taxonomy.matches_within(text, &classified);
    ex.quotations = raw_quotes
        .iter()
        .map(|q| Quotation {
            text: sub(text, q.range.clone()).to_string(),
            span: cm.span(&q.range),
            kind: q.kind,
            speaker: map(q.speaker),
            speaker_label: q.label.clone(),
            cue: q.cue.clone(),
            reported_by: map(q.reported_by),
            topics: topics.classify(q.range.clone()),
        })
        .collect();
    ex.meetings = raw_meetings
        .iter()
        .map(|m| Meeting {
            primary: m.primary,
            kind: m.kind,
            status: m.status,
            date: m.date.clone(),
            place: m.place.clone(),
            participants: m
                .participants
                .iter()
                .filter_map(|p| remap.get(p).copied())
                .collect(),
            title: meeting_title(m, &actors),
            span: cm.span(&m.range),
        })
        .collect();
    ex.claims = raw_claims
        .iter()
        .map(|(r, k, claimant, q)| {
            let country = claimant
                .and_then(|c| actors.list.get(c))
                .and_then(|a| a.country.clone());
            let mut on_behalf_of: Vec<String> = country.into_iter().collect();
            if *k == ClaimKind::Agreement {
                if let Some(p) = raw_meetings.iter().find(|m| m.primary) {
                    for c in p
                        .participants
                        .iter()
                        .filter_map(|i| actors.list.get(*i))
                        .filter_map(|a| a.country.clone())
                    {
                        if !on_behalf_of.contains(&c) {
                            on_behalf_of.push(c);
                        }
                    }
                }
            }
            Claim {
                text: sub(text, r.clone()).to_string(),
                span: cm.span(r),
                kind: *k,
                claimant: map(*claimant),
                on_behalf_of,
                topics: topics.classify(r.clone()),
                quotation: *q,
            }
        })
        .collect();
    ex.text = text.to_string();
    ex.diagnostics = diags;
    Ok(ex)
}

fn source_is_ministry(source: &Option<String>) -> bool {
    source.is_none()
}

fn meeting_title(m: &meetings::RawMeeting, actors: &Actors) -> String {
    let kind = match m.kind {
        MeetingKind::Talks => "Talks",
        MeetingKind::TwoPlusTwo => "2+2 meeting",
        MeetingKind::Consultations => "Consultations",
        MeetingKind::Summit => "Summit",
        MeetingKind::Visit => "Visit",
        MeetingKind::WorkingGroup => "Working group meeting",
        MeetingKind::Council => "Council meeting",
        MeetingKind::NewsConference => "News conference",
        MeetingKind::Demarche => "Démarche",
        MeetingKind::Other => "Meeting",
    };
    let names: Vec<&str> = m
        .participants
        .iter()
        .filter_map(|p| actors.list.get(*p))
        .map(|a| a.surname())
        .take(4)
        .collect();
    let mut t = kind.to_string();
    if !names.is_empty() {
        t.push_str(": ");
        t.push_str(&names.join("–"));
    }
    if let Some(p) = &m.place {
        t.push_str(", ");
        t.push_str(&p.name);
    }
    if let Some(d) = &m.date {
        let iso = d.iso();
        if !iso.is_empty() {
            t.push_str(", ");
            t.push_str(&iso);
        }
    }
    t
}

/// One word, or the parts of a hyphenated one.
enum Either<'a> {
    One(std::iter::Once<&'a str>),
    Split(std::str::Split<'a, char>),
}

impl<'a> Iterator for Either<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        match self {
            Either::One(o) => o.next(),
            Either::Split(s) => s.next(),
        }
    }
}

/// The words after `our <country>` that make it another country than the speaker's
/// (`our Japanese colleagues`), for [`home_country`].
const PEER_WORDS: &[&str] = &[
    "colleagues",
    "partners",
    "friends",
    "neighbours",
    "neighbors",
    "counterparts",
    "colleague",
    "partner",
];

/// The chars of the words [`home_country`] reads: letters, digits, `'`, `’` and `-`.
fn country_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\'' || c == '’' || c == '-'
}

/// The bytes a word must hold to be read by [`home_country`]: an ASCII capital, a hyphen,
/// or any byte of a char outside ASCII. Built at compile time, where an index out of range
/// fails the build instead of panicking at run time.
#[allow(clippy::indexing_slicing)]
const MAY_BE_IN_A_COUNTRY: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0usize;
    while b < 256 {
        t[b] = (b as u8).is_ascii_uppercase() || b == b'-' as usize || b >= 0x80;
        b += 1;
    }
    t
};

/// The word (run of [`country_word_char`]s) around the char at byte `at` of `text`.
fn country_word_around(text: &str, at: usize) -> Range<usize> {
    let start = text
        .get(..at)
        .and_then(|before| {
            before
                .char_indices()
                .rev()
                .find(|&(_, c)| !country_word_char(c))
                .map(|(i, c)| i + c.len_utf8())
        })
        .unwrap_or(0);
    let end = text
        .get(at..)
        .and_then(|after| {
            after
                .char_indices()
                .find(|&(_, c)| !country_word_char(c))
                .map(|(i, _)| at + i)
        })
        .unwrap_or(text.len());
    start..end
}

/// The word before the one starting at byte `start`, if any.
fn country_word_before(text: &str, start: usize) -> Option<&str> {
    let (i, _) = text
        .get(..start)?
        .char_indices()
        .rev()
        .find(|&(_, c)| country_word_char(c))?;
    text.get(country_word_around(text, i))
}

/// The word after the one ending at byte `end`, if any.
fn country_word_after(text: &str, end: usize) -> Option<&str> {
    let (i, _) = text
        .get(end..)?
        .char_indices()
        .find(|&(_, c)| country_word_char(c))?;
    text.get(country_word_around(text, end + i))
}

/// The country a transcript's speaker speaks for: the one the text names most, leaving out
/// countries it calls "our X colleagues/partners/friends/neighbours".
///
/// A country is a capitalised word, or part of one joined by hyphens: only a word holding
/// a capital, a hyphen or a char outside ASCII can be one, so the text is searched for
/// those bytes (most of it is passed over without finding its words) and only the words
/// around them are read.
fn home_country(text: &str) -> Option<String> {
    let lex = lexicon();
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut others: Vec<String> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(p) = bytes.get(i..).and_then(|rest| {
        rest.iter().position(|&b| {
            MAY_BE_IN_A_COUNTRY
                .get(usize::from(b))
                .copied()
                .unwrap_or(true)
        })
    }) {
        let at = i + p;
        let Some(c) = text.get(at..).and_then(|r| r.chars().next()) else {
            break;
        };
        if !country_word_char(c) {
            i = at + c.len_utf8();
            continue;
        }
        let r = country_word_around(text, at);
        i = r.end.max(at + c.len_utf8());
        let Some(w) = text.get(r.clone()) else {
            continue;
        };
        let hyphenated = w.contains('-');
        if !hyphenated && !text::capitalised(w) {
            continue;
        }
        let parts = if hyphenated {
            Either::Split(w.split('-'))
        } else {
            Either::One(std::iter::once(w))
        };
        for part in parts {
            if !text::capitalised(part) || !lex.country_prefixes.may_hold_lower_of(part) {
                continue;
            }
            if let Some(c) = lex.country_of(part) {
                *counts.entry(c.to_string()).or_default() += 1;
                // `our`, and each word after it, is ASCII without a `k`: only an ASCII word
                // lower-cases into one, so an ASCII comparison is the lower-cased one.
                let after_our = country_word_before(text, r.start)
                    .is_some_and(|p| p.eq_ignore_ascii_case("our"));
                if after_our
                    && country_word_after(text, r.end)
                        .is_some_and(|n| PEER_WORDS.iter().any(|k| n.eq_ignore_ascii_case(k)))
                {
                    others.push(c.to_string());
                }
            }
        }
    }
    counts
        .into_iter()
        .filter(|(c, _)| !others.contains(c))
        .max_by_key(|(c, n)| (*n, std::cmp::Reverse(c.clone())))
        .map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first implementation of [`home_country`] (every word split out, then read):
    /// the model it must agree with.
    fn reference_home_country(text: &str) -> Option<String> {
        let lex = lexicon();
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut others: Vec<String> = Vec::new();
        static CHARS: std::sync::LazyLock<text::WordChars> = std::sync::LazyLock::new(|| {
            text::WordChars::new(|c| c.is_alphanumeric() || c == '\'' || c == '’' || c == '-')
        });
        let words = text::split_words(text, &CHARS);
        // A country is a capitalised word, or part of one joined by hyphens, that starts as
        // some country's name does: most words are turned away on their first bytes.
        for (i, w) in words.iter().enumerate() {
            let hyphenated = w.contains('-');
            if !hyphenated && !text::capitalised(w) {
                continue;
            }
            let parts = if hyphenated {
                Either::Split(w.split('-'))
            } else {
                Either::One(std::iter::once(*w))
            };
            for part in parts {
                if !text::capitalised(part) || !lex.country_prefixes.may_hold_lower_of(part) {
                    continue;
                }
                if let Some(c) = lex.country_of(part) {
                    *counts.entry(c.to_string()).or_default() += 1;
                    // `our`, and each word after it, is ASCII without a `k`: only an ASCII word
                    // lower-cases into one, so an ASCII comparison is the lower-cased one.
                    let after_our = i
                        .checked_sub(1)
                        .and_then(|p| words.get(p))
                        .is_some_and(|p| p.eq_ignore_ascii_case("our"));
                    if after_our
                        && words
                            .get(i + 1)
                            .is_some_and(|n| PEER_WORDS.iter().any(|k| n.eq_ignore_ascii_case(k)))
                    {
                        others.push(c.to_string());
                    }
                }
            }
        }
        counts
            .into_iter()
            .filter(|(c, _)| !others.contains(c))
            .max_by_key(|(c, n)| (*n, std::cmp::Reverse(c.clone())))
            .map(|(c, _)| c)
    }

    #[test]
    fn home_country_agrees_with_reading_every_word() {
        // Every sequence of up to four pieces: countries in their forms, the `our ...
        // colleagues` exception, hyphens, apostrophes, chars outside ASCII and separators.
        let pieces = [
            "Japan",
            "Russia",
            "our",
            "colleagues",
            "-",
            " ",
            "’",
            "'",
            "É",
            "—",
            "x",
            "Russian-Japanese",
            "partners",
        ];
        let mut strings = vec![String::new()];
        strings.extend(text::every_sequence(&pieces, 4));
        for t in &strings {
            assert_eq!(home_country(t), reference_home_country(t), "{t:?}");
        }
        assert!(strings.len() > 30_000);
        assert_eq!(
            home_country("Japan, Japan and our Russian colleagues; Russia"),
            Some("Japan".into())
        );
    }

    #[test]
    fn iso_dates() {
        let d = iso_date("2019-05-10T15:47").unwrap_or_default();
        assert_eq!(
            (d.iso(), d.time.as_deref()),
            ("2019-05-10".to_string(), Some("15:47"))
        );
        assert_eq!(iso_date("2019-05").map(|d| d.iso()), Some("2019-05".into()));
    }

    #[test]
    fn oversize_is_refused() {
        let opts = Options {
            max_bytes: 10,
            ..Options::default()
        };
        assert!(matches!(
            extract(b"01234567890", &opts),
            Err(ParseError::TooLarge { .. })
        ));
    }

    #[test]
    fn empty_input_is_a_result_with_a_diagnostic() {
        let x = extract(b"   \n ", &Options::default());
        assert!(x
            .as_ref()
            .is_ok_and(|x| x.text.is_empty() && !x.diagnostics.is_empty()));
    }
}
