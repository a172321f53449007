//! Stage 7, meetings: the meeting the document is about (from a transcript's title, or a
//! report's lead sentence and dateline) and the meetings its sentences mention, held or
//! planned, with dates resolved against the document's date.
//!
//! Kinds come from `data/meeting_kinds.tsv`. A meeting dated on or before the document's
//! date is held; after it, planned; undated, planned when the sentence speaks of the future.

use std::ops::Range;
use std::sync::OnceLock;

use crate::dates::{self, DateRef};
use crate::lexicon::{lexicon, Heads, WordMap};
use crate::mentions::Actors;
use crate::model::{MeetingKind, MeetingStatus, PartialDate, ParticipantKind, Place};
use crate::segment::Sentence;
use crate::text::{capitalised, lower, sub, tokenize, Tok};

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

/// Patterns by their first word: first word → indices into [`kinds`] (priority order), and
/// the first two bytes of those words.
fn kinds_by_first() -> &'static (WordMap<Vec<usize>>, Heads) {
    static K: OnceLock<(WordMap<Vec<usize>>, Heads)> = OnceLock::new();
    K.get_or_init(|| {
        let mut m: WordMap<Vec<usize>> = WordMap::default();
        let mut heads = Heads::default();
        for (prio, (pattern, _)) in kinds().iter().enumerate() {
            if let Some(first) = pattern.first() {
                heads.add(first);
                m.entry(first.as_bytes()).push(prio);
            }
        }
        (m, heads)
    })
}

/// One occurrence of a meeting pattern: its priority (the data file's order), its kind,
/// the places of its first and last words among the words patterns are matched against
/// (see [`is_meeting_word`]), and the bytes from its first word to its last.
type Hit = (usize, MeetingKind, usize, usize, Range<usize>);

/// True for the tokens meeting patterns are matched against: words, and `+` (`2 + 2`).
fn is_meeting_word(text: &str, t: &Tok) -> bool {
    t.word || t.bytes(text) == b"+"
}

/// Every occurrence of a meeting pattern among `toks` (all the tokens of a range), sorted
/// by priority then position. The words are counted as they are passed, and a pattern's
/// words after its first are read only where a first word starts one.
fn pattern_hits(text: &str, toks: &[Tok]) -> Vec<Hit> {
    let (index, heads) = kinds_by_first();
    let mut hits = Vec::new();
    let words = toks
        .iter()
        .enumerate()
        .filter(|(_, t)| is_meeting_word(text, t));
    for (here, (ti, t)) in words.enumerate() {
        // Most words start no pattern: tell from their first two bytes before lowering.
        if !heads.may_start_bytes(t.bytes(text)) {
            continue;
        }
        let first = lower(t.text(text));
        for &prio in index.get(first.as_bytes()).map_or(&[][..], Vec::as_slice) {
            let Some((pattern, kind)) = kinds().get(prio) else {
                continue;
            };
            let mut next = toks
                .iter()
                .skip(ti + 1)
                .filter(|t| is_meeting_word(text, t));
            let mut end = t.end;
            let rest_matches = pattern.iter().skip(1).all(|p| {
                next.next().is_some_and(|n| {
                    end = n.end;
                    lower(n.text(text)) == p.as_str()
                })
            });
            if !pattern.is_empty() && rest_matches {
                hits.push((prio, *kind, here, here + pattern.len() - 1, t.start..end));
            }
        }
    }
    hits.sort_unstable_by_key(|h| (h.0, h.2));
    hits
}

/// The first meeting kind named in `text[range]`, by the data file's priority, with the byte
/// range of the words that name it.
pub fn kind_in(text: &str, range: Range<usize>) -> Option<(MeetingKind, Range<usize>)> {
    let toks = tokenize(text, range);
    let (_, kind, _, _, bytes) = pattern_hits(text, &toks).into_iter().next()?;
    Some((kind, bytes))
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
    pub quoted: &'a crate::text::RangeSet,
    /// The subject of each sentence (same order as `sentences`).
    pub subjects: &'a [Option<usize>],
}

/// The place named in `text[range]`: a known city first, else a country after `in`/`to`.
/// Longer names win, then earlier ones.
pub fn place_in(text: &str, range: Range<usize>) -> Option<Place> {
    let lex = lexicon();
    let all = tokenize(text, range);
    let mut toks: Vec<Tok> = Vec::with_capacity(all.len());
    toks.extend(all.iter().filter(|t| t.word));
    let words: Vec<&str> = toks.iter().map(|t| t.text(text)).collect();
    // A phrase is looked up only where its first word, capitalised, starts a name of the
    // list: the phrase's first word is the name's first word.
    let starts = |i: usize, firsts: &crate::lexicon::KeySet| {
        words.get(i).is_some_and(|w| {
            capitalised(w) && firsts.may_hold_lower_of(w) && firsts.contains(&lower(w))
        })
    };
    let city_starts: Vec<usize> = (0..words.len())
        .filter(|&i| starts(i, &lex.city_prefixes))
        .collect();
    for n in [3usize, 2, 1] {
        for &i in &city_starts {
            let Some(ws) = words.get(i..i + n) else {
                continue;
            };
            let phrase = ws.join(" ");
            if let Some((name, country)) = lex.cities.get(&phrase.to_lowercase()) {
                return Some(Place {
                    name: name.clone(),
                    country: Some(country.clone()),
                });
            }
        }
    }
    for i in 1..words.len() {
        // Each word below is ASCII without a `k`: only an ASCII word lower-cases into one.
        let after = words.get(i - 1).is_some_and(|p| {
            p.len() <= 8
                && ["in", "to", "the", "visit", "visits", "visited", "visiting"]
                    .iter()
                    .any(|k| p.eq_ignore_ascii_case(k))
        });
        if !after || !starts(i, &lex.country_prefixes) {
            continue;
        }
        // A country's name (`Japan`, `the Russian Federation`), not a demonym.
        for n in [3usize, 2, 1] {
            let Some(ws) = words.get(i..i + n) else {
                continue;
            };
            let phrase = ws.join(" ");
            if let Some(c) = lex.countries.get(&phrase.to_lowercase()) {
                let is_name =
                    phrase == *c || (phrase.contains(' ') && lex.demonyms.get(c) != Some(&phrase));
                if is_name {
                    return Some(Place {
                        name: c.clone(),
                        country: Some(c.clone()),
                    });
                }
            }
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
        if inp.quoted.contains(m.range.start) {
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
    if let Some(lead) = lead.clone() {
        let kind = kind_in(text, lead.clone())
            .or_else(|| inp.title.clone().and_then(|t| kind_in(text, t)))
            .map(|k| k.0);
        if let Some(kind) = kind {
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
    let primary = out.first().cloned();
    let mut mentioned: Vec<(usize, RawMeeting)> = Vec::new();
    for (si, s) in inp.sentences.iter().enumerate() {
        if !inp.transcript && si == 0 {
            continue;
        }
        for m in mentioned_in(inp, si, s, primary.as_ref()) {
            mentioned.push((si, m));
        }
    }
    // An undated mention next to a dated one of the same kind is the same meeting
    // ("The Council will be revived... The Council will convene on May 13").
    let snapshot: Vec<(usize, RawMeeting)> = mentioned.clone();
    mentioned.retain(|(si, m)| {
        m.date.is_some()
            || !snapshot
                .iter()
                .any(|(sj, o)| o.kind == m.kind && o.date.is_some() && si.abs_diff(*sj) <= 2)
    });
    // A less precise date of the same kind, place and status as a full one: one meeting.
    let snapshot: Vec<(usize, RawMeeting)> = mentioned.clone();
    mentioned.retain(|(_, m)| {
        let Some(d) = &m.date else { return true };
        d.day.is_some()
            || !snapshot.iter().any(|(_, o)| {
                (o.kind == m.kind || m.kind == MeetingKind::Talks)
                    && o.status == m.status
                    && o.place == m.place
                    && o.date.as_ref().is_some_and(|od| {
                        od.day.is_some() && od.year == d.year && od.month == d.month
                    })
            })
    });
    for (_, m) in mentioned {
        let dup = out.iter().any(|o: &RawMeeting| {
            o.kind == m.kind
                && o.date == m.date
                && (o.primary || (o.status == m.status && o.place == m.place))
        });
        if !dup {
            out.push(m);
        }
    }
    out
}

/// Every meeting keyword in `text[range]`, in order; keywords within three words of each
/// other name one meeting, and the data file's priority picks its kind.
pub fn kinds_all(text: &str, range: Range<usize>) -> Vec<(MeetingKind, Range<usize>, usize)> {
    let toks = tokenize(text, range);
    let mut found: Vec<Hit> = Vec::new();
    for hit in pattern_hits(text, &toks) {
        let (i, last) = (hit.2, hit.3);
        let overlaps = found.iter().any(|f| i <= f.3 + 3 && f.2 <= last + 3);
        if !overlaps {
            found.push(hit);
        }
    }
    found.sort_by_key(|f| f.2);
    found
        .into_iter()
        .map(|(_, kind, a, _, bytes)| (kind, bytes, a))
        .collect()
}

const FUTURE_WORDS: &[&str] = &[
    " will ",
    " next ",
    "planned",
    " plans ",
    "plans to",
    "scheduled",
    "expected to",
    "is due",
    "are due",
    "near-term",
    "upcoming",
    "forthcoming",
    "paving the way",
    "to be held",
    "soon",
    "intends to",
    "would like to",
];

/// True when `bytes` hold `one` in any ASCII case. Most sentences hold no meeting keyword
/// and are asked this, so it jumps between `n`s (memchr) instead of comparing every window.
fn has_ascii_one(bytes: &[u8]) -> bool {
    memchr::memchr2_iter(b'n', b'N', bytes).any(|p| {
        let before = p.checked_sub(1).and_then(|b| bytes.get(b));
        before.is_some_and(|b| b.eq_ignore_ascii_case(&b'o'))
            && bytes
                .get(p + 1)
                .is_some_and(|a| a.eq_ignore_ascii_case(&b'e'))
    })
}

fn is_leader(a: &crate::mentions::Actor) -> bool {
    ["head-state", "head-gov", "leader"]
        .iter()
        .any(|c| a.has_class(c))
}

/// Meetings mentioned by one sentence.
fn mentioned_in(
    inp: &Input<'_>,
    si: usize,
    s: &Sentence,
    primary: Option<&RawMeeting>,
) -> Vec<RawMeeting> {
    let text = inp.text;
    let doc = inp.doc_date.as_ref();
    // The sentence in lower case, padded with spaces; made only when a check needs it.
    let lower =
        std::cell::LazyCell::new(|| format!(" {} ", sub(text, s.range.clone()).to_lowercase()));
    let mut keys: Vec<(MeetingKind, Range<usize>)> = kinds_all(text, s.range.clone())
        .into_iter()
        .filter(|k| k.0 != MeetingKind::NewsConference)
        // `the 2+2 format` names a format, not a meeting.
        .filter(|k| {
            // Only ASCII lower-cases into `format`, so its first six bytes tell.
            !sub(text, k.1.end..s.range.end)
                .trim_start_matches(['"', '”', ' '])
                .get(..6)
                .is_some_and(|h| h.eq_ignore_ascii_case("format"))
        })
        .map(|k| (k.0, k.1))
        .collect();
    // `a meeting ... on the sidelines of the G20 summit`: one meeting, at the summit.
    if keys.len() >= 2 {
        let mut merged: Vec<(MeetingKind, Range<usize>)> = Vec::new();
        for k in keys {
            match merged.last_mut() {
                Some(prev)
                    if sub(text, prev.1.end..k.1.start)
                        .to_lowercase()
                        .contains("sidelines of") =>
                {
                    prev.0 = k.0;
                    prev.1 = prev.1.start..k.1.end;
                }
                _ => merged.push(k),
            }
        }
        keys = merged;
    }
    // "The first one took place in 2013", "the next one": the kind of the sentence before.
    // Each phrase below ends in `one` (no other lower-casing ends in ASCII `one`).
    let has_one = || has_ascii_one(sub(text, s.range.clone()).as_bytes());
    if keys.is_empty() && has_one() {
        for phrase in [
            "the first one",
            "the next one",
            "the previous one",
            "the last one",
            "the second one",
        ] {
            if let Some(p) = lower.find(phrase) {
                let prev = si.checked_sub(1).and_then(|k| inp.sentences.get(k));
                if let Some(kind) =
                    prev.and_then(|ps| kinds_all(text, ps.range.clone()).first().map(|k| k.0))
                {
                    let start = s.range.start + p.saturating_sub(1);
                    keys.push((kind, start..(start + phrase.len()).min(s.range.end)));
                }
            }
        }
    }
    if keys.is_empty() {
        return Vec::new();
    }
    let refs: Vec<DateRef> = dates::find(text, s.range.clone(), doc);
    let future = refs.iter().any(|r| r.future) || {
        // Searchers built once, not one per phrase and sentence.
        static FINDERS: std::sync::LazyLock<Vec<memchr::memmem::Finder<'static>>> =
            std::sync::LazyLock::new(|| {
                FUTURE_WORDS
                    .iter()
                    .map(|w| memchr::memmem::Finder::new(w.as_bytes()))
                    .collect()
            });
        FINDERS.iter().any(|f| f.find(lower.as_bytes()).is_some())
    };
    let persons: Vec<(usize, Range<usize>)> = inp
        .actors
        .mentions_within(&s.range)
        .filter(|m| !inp.quoted.contains(m.range.start))
        .filter(|m| {
            inp.actors
                .list
                .get(m.who)
                .is_some_and(|a| a.kind == ParticipantKind::Person)
        })
        .filter(|m| !is_attribution(text, &m.range, s.range.end))
        .map(|m| (m.who, m.range.clone()))
        .collect();
    let nearest = |pos: usize| -> usize {
        keys.iter()
            .enumerate()
            .min_by_key(|(_, k)| {
                if pos >= k.1.end {
                    pos - k.1.end
                } else {
                    k.1.start - pos.min(k.1.start)
                }
            })
            .map_or(0, |(i, _)| i)
    };
    // "this format" points back at the format named just before (`the 2+2 format`).
    let format_kind = (lower.contains("this format") || lower.contains("that format"))
        .then(|| {
            (1..=2).find_map(|b| {
                let ps = inp.sentences.get(si.checked_sub(b)?)?;
                kinds_all(text, ps.range.clone())
                    .into_iter()
                    .map(|k| k.0)
                    .find(|k| *k == MeetingKind::TwoPlusTwo)
            })
        })
        .flatten();
    let mut out = Vec::new();
    for (ki, (kind0, kr)) in keys.iter().enumerate() {
        let mut kind = *kind0;
        // A date before `X said that ... meeting` dates the saying, not the meeting.
        let my_dates: Vec<&DateRef> = refs
            .iter()
            .filter(|r| nearest(r.range.start) == ki)
            .filter(|r| r.range.end > kr.start || !reported_between(text, r.range.end, kr.start))
            .collect();
        let my_people: Vec<usize> = {
            let mut v = Vec::new();
            for (who, r) in &persons {
                if nearest(r.start) == ki && !v.contains(who) {
                    v.push(*who);
                }
            }
            v
        };
        let after_kw = kr.start..keys.get(ki + 1).map_or(s.range.end, |k| k.1.start);
        let place = place_in(text, after_kw).or_else(|| {
            place_in(text, s.range.start..kr.start).filter(|p| {
                let pl = p.name.to_lowercase();
                let hosts = lower.find(&pl).is_some_and(|at| {
                    lower
                        .get(at..)
                        .unwrap_or("")
                        .split_whitespace()
                        .take(4)
                        .any(|w| w.starts_with("host"))
                });
                hosts || lower.contains(&format!("in {pl}"))
            })
        });
        if kind == MeetingKind::Talks {
            if let Some(f) = format_kind {
                kind = f;
            } else if lower.contains(" deputy ") {
                kind = MeetingKind::Consultations;
            } else if my_people.len() >= 2
                && my_people
                    .iter()
                    .all(|p| inp.actors.list.get(*p).is_some_and(is_leader))
            {
                kind = MeetingKind::Summit;
            }
        }
        let mut parts_extra: Vec<usize> = Vec::new();
        let mut parts = my_people.clone();
        let same_series = primary.is_some_and(|p| p.kind == kind) && lower.contains(" round");
        let follows = sub(text, kr.end..s.range.end).trim_start();
        let between_ministers = starts_with_lower(follows, "between foreign ministers")
            || starts_with_lower(follows, "between the foreign ministers");
        // `X planned to hold a meeting with Y`: X takes part too.
        let with_someone = sub(text, kr.start..s.range.end)
            .split_whitespace()
            .nth(1)
            .is_some_and(|w| crate::text::with_lower(w, |w| w == "with"))
            || starts_with_lower(follows, "with");
        let holds = || {
            let before_kw = sub(text, s.range.start..kr.start).to_lowercase();
            before_kw.contains("hold") || before_kw.contains("held")
        };
        if with_someone && holds() {
            if let Some(subject) = inp.subjects.get(si).copied().flatten() {
                if inp
                    .actors
                    .list
                    .get(subject)
                    .is_some_and(|a| a.kind == ParticipantKind::Person)
                    && !my_people_has(&my_people, subject)
                {
                    parts_extra.push(subject);
                }
            }
        }
        if let Some(p) = primary {
            if (same_series && parts.is_empty()) || between_ministers {
                for who in &p.participants {
                    let fits = !between_ministers
                        || inp
                            .actors
                            .list
                            .get(*who)
                            .is_some_and(|a| a.has_class("foreign"));
                    if fits && !parts.contains(who) {
                        parts.push(*who);
                    }
                }
            }
        }
        for p in parts_extra {
            if !parts.contains(&p) {
                parts.push(p);
            }
        }
        // Several dates for one plural mention ("two rounds took place in January and
        // February"): one meeting each.
        let dates: Vec<Option<PartialDate>> = if my_dates.is_empty() {
            vec![None]
        } else if my_dates.len() > 1
            && (sub(text, kr.clone()).ends_with('s') || lower.contains(" and "))
        {
            my_dates.iter().map(|d| Some(d.date.clone())).collect()
        } else {
            vec![my_dates.first().map(|d| d.date.clone())]
        };
        for date in dates {
            let mut date = date;
            let mut place = place.clone();
            if date.is_none() {
                // `During a bilateral meeting we...` in a transcript, or `will also hold talks`
                // in a report: part of the occasion the document is about.
                let lead = sub(text, s.range.start..kr.start).to_lowercase();
                let lead_words: Vec<&str> = lead.split_whitespace().collect();
                let during = matches!(lead_words.first(), Some(&"during") | Some(&"at"))
                    && lead_words.len() <= 3;
                let same_occasion = (inp.transcript && during && !future)
                    || (!inp.transcript && lower.contains(" also ") && lead.contains(" also "));
                if same_occasion {
                    date = primary.and_then(|p| p.date.clone());
                    place = primary.and_then(|p| p.place.clone()).or(place);
                } else if !future || (kind == MeetingKind::Talks && !lower.contains(" next ")) {
                    // An undated meeting is kept only when it is announced for later.
                    continue;
                }
            }
            if kind == MeetingKind::Demarche && place.is_none() {
                place = inp.doc_place.clone();
            }
            let status = status_of(date.as_ref(), doc, future);
            out.push(RawMeeting {
                primary: false,
                kind,
                status,
                date,
                place,
                participants: parts.clone(),
                range: s.range.clone(),
            });
        }
    }
    out
}

/// True when `s` lower-cased starts with `prefix` (lower-case ASCII): compared in place
/// when the bytes it covers are ASCII (each lower-cases into one byte), else lower-cased.
fn starts_with_lower(s: &str, prefix: &str) -> bool {
    match s.as_bytes().get(..prefix.len()) {
        Some(head) if head.is_ascii() => head.eq_ignore_ascii_case(prefix.as_bytes()),
        // Shorter than the prefix, and ASCII: shorter lower-cased too.
        None if s.is_ascii() => false,
        _ => s.to_lowercase().starts_with(prefix),
    }
}

fn my_people_has(v: &[usize], x: usize) -> bool {
    v.contains(&x)
}

/// True when a reporting verb stands between `from` and `to` (`In May, X said that ...`).
fn reported_between(text: &str, from: usize, to: usize) -> bool {
    let lex = lexicon();
    tokenize(text, from..to.max(from))
        .iter()
        .filter(|t| t.word)
        .any(|t| lex.reported_cues.contains(lower(t.text(text)).as_ref()))
}

/// True when the mention at `r` is an attribution subject (`..., Jane Roe said`).
fn is_attribution(text: &str, r: &Range<usize>, end: usize) -> bool {
    let lex = lexicon();
    let all_toks = tokenize(text, r.end..end);
    let toks: &[Tok] = &all_toks;
    toks.iter()
        .filter(|t| t.word)
        .take(2)
        .any(|t| lex.cues.contains(lower(t.text(text)).as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_with_lower_is_lower_casing_then_comparing() {
        // Every string of up to four chars, among them chars outside ASCII that lower-case
        // into ASCII (the Kelvin sign) or into more than one char (`İ`).
        let alphabet = ['w', 'W', 'i', 't', 'h', ' ', 'İ', '\u{212A}', 'é'];
        let mut checked = 0;
        for s in &crate::text::every_sequence(&alphabet, 4) {
            for prefix in ["with", "wi", "k", "i"] {
                let want = s.to_lowercase().starts_with(prefix);
                assert_eq!(starts_with_lower(s, prefix), want, "{s:?} {prefix:?}");
                checked += 1;
            }
        }
        assert!(checked > 20_000);
    }

    #[test]
    fn has_ascii_one_is_a_window_compare() {
        // The windows it replaced, on every string of up to six of these pieces.
        let alphabet = ["o", "O", "n", "N", "e", "E", "x", "é", " "];
        let strings = crate::text::every_sequence(&alphabet, 6);
        for s in &strings {
            let want = s
                .as_bytes()
                .windows(3)
                .any(|w| w.eq_ignore_ascii_case(b"one"));
            assert_eq!(has_ascii_one(s.as_bytes()), want, "{s:?}");
        }
        assert!(strings.len() > 500_000);
    }

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
