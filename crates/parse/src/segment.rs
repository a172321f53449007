//! Stage 3, segment: title, lede and section headings, the dateline, speaker turns, and
//! sentences. Decides the document kind from how the document is written: a dateline makes
//! a news report; a transcript title (`remarks`, `answers to media questions`, `interview`)
//! or speaker labels (`Question:`, `Name:`) make a transcript.

use std::ops::Range;
use std::sync::OnceLock;

use crate::clean::{ends_sentence, Cleaned};
use crate::lexicon::{lexicon, month_number};
use crate::model::{DocumentKind, TurnKind};
use crate::text::{sentences, sub};

/// A dateline as found, before the year is settled.
#[derive(Debug, Clone)]
pub struct RawDateline {
    /// Byte range of the dateline text (`MOSCOW, January 14. /TASS/`).
    pub range: Range<usize>,
    /// City as written, title-cased (`Moscow`).
    pub city: String,
    /// Month 1-12.
    pub month: Option<u32>,
    /// Day of month.
    pub day: Option<u32>,
    /// Year when written.
    pub year: Option<i32>,
    /// Agency (`TASS`).
    pub agency: Option<String>,
    /// Where the body text after the dateline starts.
    pub body_start: usize,
}

/// A transcript turn before speakers are resolved to participants.
#[derive(Debug, Clone)]
pub struct RawTurn {
    /// Statement, question or answer.
    pub kind: TurnKind,
    /// Label as written.
    pub label: String,
    /// Byte range of the label (without the colon).
    pub label_range: Option<Range<usize>>,
    /// Byte ranges of the turn's paragraphs, labels excluded.
    pub paras: Vec<Range<usize>>,
}

/// A sentence and the line it belongs to.
#[derive(Debug, Clone)]
pub struct Sentence {
    /// Byte range.
    pub range: Range<usize>,
    /// Index of its line in [`Cleaned::lines`].
    pub line: usize,
}

/// The document's structure.
#[derive(Debug, Default)]
pub struct Segmented {
    /// Kind of document.
    pub kind: Option<DocumentKind>,
    /// Line index of the title.
    pub title: Option<usize>,
    /// One flag per line: title, lede and section headings are not body.
    pub heading: Vec<bool>,
    /// The dateline, for news reports.
    pub dateline: Option<RawDateline>,
    /// Speaker turns, for transcripts.
    pub turns: Vec<RawTurn>,
    /// Sentences of body lines (headings excluded).
    pub sentences: Vec<Sentence>,
    /// `en` or `und`.
    pub language: String,
}

const TRANSCRIPT_WORDS: &[&str] = &[
    "remarks",
    "answers to",
    "answers to media questions",
    "speech",
    "interview",
    "news conference",
    "press conference",
    "press briefing",
    "briefing",
    "transcript",
    "address",
    "q&a",
];
const STATEMENT_WORDS: &[&str] = &[
    "statement",
    "press release",
    "communique",
    "communiqué",
    "comment by",
    "declaration",
];
const ROLE_LABELS: &[&str] = &[
    "question",
    "q",
    "answer",
    "a",
    "remark",
    "reply",
    "moderator",
    "comment",
    "follow-up question",
    "journalist",
    "correspondent",
];

/// Parses a dateline at the start of a line: `MOSCOW, January 14. /TASS/.`,
/// `WASHINGTON, March 3, 2020 (Reuters) -`, `TOKYO (AP) —`.
pub fn parse_dateline(text: &str, line: Range<usize>) -> Option<RawDateline> {
    let l = sub(text, line.clone());
    // City: leading words in capitals.
    let city_end = l.find([',', '(', '/'])?;
    let city_raw = l.get(..city_end)?.trim();
    if city_raw.is_empty()
        || city_raw.len() > 40
        || !city_raw.chars().any(char::is_alphabetic)
        || city_raw.chars().any(|c| c.is_lowercase())
    {
        return None;
    }
    let mut rest = l.get(city_end..)?;
    let mut consumed = city_end;
    let mut month = None;
    let mut day = None;
    let mut year = None;
    let mut agency = None;
    if let Some(r) = rest.strip_prefix(',') {
        // Optional date: Month Day[, Year].
        let r2 = r.trim_start();
        let mut words = r2
            .split(|c: char| c.is_whitespace() || c == ',' || c == '.')
            .filter(|w| !w.is_empty());
        if let Some(m) = words.next().and_then(month_number) {
            month = Some(m);
            day = words
                .next()
                .and_then(|d| d.parse::<u32>().ok())
                .filter(|d| (1..=31).contains(d));
            let after_day = words.next();
            year = after_day
                .and_then(|y| y.parse::<i32>().ok())
                .filter(|y| (1900..=2200).contains(y));
        }
        // Advance to the agency marker or the dash.
        let marker = r.find(['/', '(', '—', '–']).or_else(|| r.find(" - "))?;
        if marker > 40 {
            return None;
        }
        consumed += 1 + marker;
        rest = r.get(marker..)?;
    }
    let rest_trim = rest.trim_start();
    consumed += rest.len() - rest_trim.len();
    let mut end = consumed;
    if let Some(r) = rest_trim.strip_prefix('/') {
        let close = r.find('/')?;
        agency = Some(r.get(..close)?.trim().to_string());
        end = consumed + close + 2;
    } else if let Some(r) = rest_trim.strip_prefix('(') {
        let close = r.find(')')?;
        agency = Some(r.get(..close)?.trim().to_string());
        end = consumed + close + 2;
    } else if !(rest_trim.starts_with('—')
        || rest_trim.starts_with('–')
        || rest_trim.starts_with('-'))
    {
        return None;
    }
    if agency
        .as_ref()
        .is_some_and(|a| a.is_empty() || a.len() > 30)
    {
        return None;
    }
    // Body starts after separators.
    let tail = l.get(end..)?;
    let body_off = tail
        .char_indices()
        .find(|&(_, c)| !(c.is_whitespace() || matches!(c, '.' | '-' | '—' | '–' | ':')))
        .map_or(tail.len(), |(i, _)| i);
    let city = title_case(city_raw);
    Some(RawDateline {
        range: line.start..line.start + end,
        city,
        month,
        day,
        year,
        agency,
        body_start: line.start + end + body_off,
    })
}

/// `MOSCOW` → `Moscow`, `NEW YORK` → `New York`; keeps known spellings from the city list.
pub fn title_case(s: &str) -> String {
    if let Some((name, _)) = lexicon().cities.get(&s.to_lowercase()) {
        return name.clone();
    }
    s.split_whitespace()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(cs.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// A speaker label at the start of a paragraph: `Question:`, `Jane Roe:`,
/// `Jane Roe (speaking after John Doe):`. Returns the label's byte length
/// (without the colon) and whether it is a question.
pub fn speaker_label(para: &str) -> Option<(usize, TurnKind)> {
    let colon = para.get(..para.len().min(120))?.find(':')?;
    let label = para.get(..colon)?.trim_end();
    if label.is_empty() {
        return None;
    }
    let lower = label.to_lowercase();
    if ROLE_LABELS.contains(&lower.as_str()) {
        let kind = if lower.contains("question")
            || lower == "q"
            || lower == "journalist"
            || lower == "correspondent"
        {
            TurnKind::Question
        } else {
            TurnKind::Answer
        };
        return Some((label.len(), kind));
    }
    let name_part = match label.find('(') {
        Some(p) if label.ends_with(')') => label.get(..p)?.trim_end(),
        Some(_) => return None,
        None => label,
    };
    let words: Vec<&str> = name_part.split_whitespace().collect();
    if words.is_empty() || words.len() > 5 {
        return None;
    }
    let lex = lexicon();
    let names = words.iter().filter(|w| lex.name_word(w)).count();
    let ok = words.iter().all(|w| {
        lex.name_word(w)
            || lex.honorifics.contains(crate::text::lower(w).as_ref())
            || matches!(*w, "de" | "van" | "von" | "bin" | "al" | "da" | "le" | "la")
    });
    (ok && names >= 1 && (names >= 2 || words.len() >= 2))
        .then_some((label.len(), TurnKind::Answer))
}

/// English function words, for [`english`].
const EN_FUNCTION_WORDS: &[&str] = &[
    "the", "and", "of", "to", "in", "is", "that", "for", "on", "with", "we", "our", "as", "was",
    "it", "by", "have", "be", "are", "this", "at", "will", "has", "said", "his", "her", "he",
    "she", "they", "from", "not", "an", "were", "been", "which", "their", "its",
];

/// Function words of French, Spanish and German, for [`english`]. None is also English.
const OTHER_FUNCTION_WORDS: &[&str] = &[
    "le", "la", "les", "des", "est", "et", "une", "du", "dans", "pour", "qui", "sur", "avec",
    "nous", "vous", "pas", "au", "el", "los", "las", "del", "es", "y", "por", "con", "una", "para",
    "su", "der", "die", "das", "und", "ist", "nicht", "mit", "von", "den", "zu", "ein", "eine",
    "dem", "auf", "für", "que", "il", "se",
];

/// An ASCII word of one to eight bytes, lower-cased, as one number (its first byte highest;
/// never 0); `None` for any other word. Words hold no NUL byte, so different words give
/// different numbers.
#[inline]
fn packed_lower(w: &[u8]) -> Option<u64> {
    if w.is_empty() || w.len() > 8 {
        return None;
    }
    let mut v = 0u64;
    for &b in w {
        if !b.is_ascii() {
            return None;
        }
        v = (v << 8) | u64::from(b.to_ascii_lowercase());
    }
    Some(v)
}

/// The ASCII function words in an open-addressed table of 256 slots (a third full), keyed
/// by [`packed_lower`]: a word is found by one multiply and, mostly, one compare.
struct FunctionWords {
    keys: [u64; 256],
    /// 1: English; 2: another language's.
    kinds: [u8; 256],
}

impl FunctionWords {
    fn slot(v: u64) -> usize {
        // The top byte of a multiplicative hash.
        usize::from(v.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_be_bytes()[0])
    }

    fn get() -> &'static FunctionWords {
        static T: OnceLock<FunctionWords> = OnceLock::new();
        T.get_or_init(|| {
            let mut t = FunctionWords {
                keys: [0; 256],
                kinds: [0; 256],
            };
            let all = EN_FUNCTION_WORDS
                .iter()
                .map(|w| (w, 1u8))
                .chain(OTHER_FUNCTION_WORDS.iter().map(|w| (w, 2u8)));
            for (w, kind) in all {
                let Some(v) = packed_lower(w.as_bytes()) else {
                    continue;
                };
                let mut i = Self::slot(v);
                // Fewer words than slots: an empty one is always found.
                while t.keys.get(i).is_some_and(|&k| k != 0 && k != v) {
                    i = (i + 1) % 256;
                }
                if let (Some(k), Some(c)) = (t.keys.get_mut(i), t.kinds.get_mut(i)) {
                    *k = v;
                    *c = kind;
                }
            }
            t
        })
    }

    /// 1 for an English function word, 2 for another language's, else 0.
    #[inline]
    fn kind_of(&self, v: u64) -> u8 {
        let mut i = Self::slot(v);
        loop {
            match self.keys.get(i) {
                Some(&k) if k == v => return self.kinds.get(i).copied().unwrap_or(0),
                Some(&0) | None => return 0,
                Some(_) => i = (i + 1) % 256,
            }
        }
    }
}

/// True unless the text looks like another language: mostly non-Latin letters, or more
/// function words of French, Spanish or German than of English (among the first 5,000
/// words, runs of letters).
fn english(text: &str) -> bool {
    let bytes = text.as_bytes();
    // Bit k of `mask[i]`: byte 64 i + k is (part of) a letter; ASCII letters are set eight
    // bytes at a time, and counted, all Latin, by their bits.
    let mut mask = vec![0u64; bytes.len() / 64 + 1];
    let mut letters = 0usize;
    for (block, chunk) in mask.iter_mut().zip(bytes.chunks(64)) {
        let m = crate::text::ascii_letter_bits(chunk);
        *block = m;
        letters += m.count_ones() as usize;
    }
    let mut latin = letters;
    // Chars outside ASCII, by their first bytes: a letter marks all its bytes; the Latin-1
    // and Extended-A/B blocks count as Latin whole.
    for (i, chunk) in bytes.chunks(64).enumerate().filter(|(_, c)| !c.is_ascii()) {
        let mut lead = crate::text::lead_bytes(chunk);
        while lead != 0 {
            let at = i * 64 + lead.trailing_zeros() as usize;
            lead &= lead - 1;
            let Some(c) = text.get(at..).and_then(|r| r.chars().next()) else {
                continue;
            };
            latin += usize::from(('\u{C0}'..='\u{24F}').contains(&c));
            if c.is_alphabetic() {
                letters += 1;
                for j in at..at + c.len_utf8() {
                    if let Some(block) = mask.get_mut(j / 64) {
                        *block |= 1 << (j % 64);
                    }
                }
            }
        }
    }
    if letters > 0 && latin * 10 < letters * 7 {
        return false;
    }
    let (mut n, mut en, mut other) = (0usize, 0usize, 0usize);
    let words = FunctionWords::get();
    crate::text::mask_runs(&mask, |r| {
        n += 1;
        // No function word is longer than 6 bytes, nor is any word that lower-cases to one.
        if r.len() <= 6 {
            let w = bytes.get(r).unwrap_or_default();
            if let Some(v) = packed_lower(w) {
                match words.kind_of(v) {
                    1 => en += 1,
                    2 => other += 1,
                    _ => {}
                }
            } else {
                // Outside ASCII (`für`): lower-cased and looked for in the lists.
                crate::text::with_lower(std::str::from_utf8(w).unwrap_or_default(), |w| {
                    en += usize::from(EN_FUNCTION_WORDS.contains(&w));
                    other += usize::from(OTHER_FUNCTION_WORDS.contains(&w));
                });
            }
        }
        n < 5000
    });
    other <= en || n < 8
}

/// Segments cleaned text.
pub fn segment(c: &Cleaned) -> Segmented {
    let text = c.text.as_str();
    let n = c.lines.len();
    let mut s = Segmented {
        heading: vec![false; n],
        language: if english(text) {
            "en".into()
        } else {
            "und".into()
        },
        ..Segmented::default()
    };
    if n == 0 {
        s.kind = Some(DocumentKind::Other);
        return s;
    }
    s.title = Some(0);
    if let Some(h) = s.heading.get_mut(0) {
        *h = true;
    }
    // Dateline within the first few lines.
    let mut dateline_line = None;
    for (i, r) in c.lines.iter().enumerate().take(8) {
        if let Some(d) = parse_dateline(text, r.clone()) {
            dateline_line = Some(i);
            s.dateline = Some(d);
            break;
        }
    }
    let title_lower = c
        .lines
        .first()
        .map(|r| sub(text, r.clone()).to_lowercase())
        .unwrap_or_default();
    let labels: Vec<Option<(usize, TurnKind)>> = c
        .lines
        .iter()
        .map(|r| speaker_label(sub(text, r.clone())))
        .collect();
    let labelled = labels.iter().skip(1).filter(|l| l.is_some()).count();
    let kind = if s.dateline.is_some() {
        DocumentKind::NewsReport
    } else if TRANSCRIPT_WORDS.iter().any(|w| title_lower.contains(w)) || labelled >= 1 {
        DocumentKind::Transcript
    } else if STATEMENT_WORDS.iter().any(|w| title_lower.contains(w)) {
        DocumentKind::Statement
    } else {
        DocumentKind::Other
    };
    s.kind = Some(kind);
    if dateline_line == Some(0) {
        // The document opens with its dateline: it has no title line.
        s.title = None;
        if let Some(h) = s.heading.get_mut(0) {
            *h = false;
        }
    }
    if let Some(dl) = dateline_line {
        // Lines between the title and the dateline are the lede and captions: headings.
        for h in s.heading.iter_mut().take(dl) {
            *h = true;
        }
        // Section headings: short lines with no sentence in them, followed by body.
        for i in dl + 1..n {
            let line = c.lines.get(i).map(|r| sub(text, r.clone())).unwrap_or("");
            let short = line.split_whitespace().count() <= 10;
            if short && !ends_sentence(line) && i + 1 < n {
                if let Some(h) = s.heading.get_mut(i) {
                    *h = true;
                }
            }
        }
    }
    if kind == DocumentKind::Transcript {
        let mut current = RawTurn {
            kind: TurnKind::Statement,
            label: String::new(),
            label_range: None,
            paras: Vec::new(),
        };
        for (i, r) in c.lines.iter().enumerate().skip(1) {
            match labels.get(i).copied().flatten() {
                Some((len, kind)) => {
                    if !current.paras.is_empty() {
                        s.turns.push(current);
                    }
                    let line = sub(text, r.clone());
                    let after = line.get(len..).unwrap_or("");
                    let after_colon = after.strip_prefix(':').unwrap_or(after);
                    let body_off = len
                        + (after.len() - after_colon.len())
                        + (after_colon.len() - after_colon.trim_start().len());
                    current = RawTurn {
                        kind,
                        label: line.get(..len).unwrap_or("").to_string(),
                        label_range: Some(r.start..r.start + len),
                        paras: Vec::new(),
                    };
                    if r.start + body_off < r.end {
                        current.paras.push(r.start + body_off..r.end);
                    }
                }
                None => current.paras.push(r.clone()),
            }
        }
        if !current.paras.is_empty() {
            s.turns.push(current);
        }
    }
    for (i, r) in c.lines.iter().enumerate() {
        if s.heading.get(i).copied().unwrap_or(false) {
            continue;
        }
        let mut range = r.clone();
        if let Some(d) = &s.dateline {
            if d.range.start >= r.start && d.range.start < r.end {
                range.start = d.body_start.min(r.end);
            }
        }
        // Skip speaker labels.
        if let Some((len, _)) = labels.get(i).copied().flatten() {
            let line = sub(text, r.clone());
            let after = line.get(len..).unwrap_or("");
            let skip = len + (after.len() - after.trim_start_matches(':').trim_start().len());
            range.start = (r.start + skip).min(r.end);
        }
        for sr in sentences(text, range) {
            s.sentences.push(Sentence { range: sr, line: i });
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::clean;

    #[test]
    fn function_words_are_found_in_the_table_as_in_the_lists() {
        // Every ASCII letter string of up to three letters, and each listed word in three
        // cases and with each letter changed, looked up as `english` does and in the lists.
        let t = FunctionWords::get();
        let in_lists = |w: &str| {
            let l = w.to_lowercase();
            if EN_FUNCTION_WORDS.contains(&l.as_str()) {
                1
            } else if OTHER_FUNCTION_WORDS.contains(&l.as_str()) {
                2
            } else {
                0
            }
        };
        let letters: Vec<char> = ('a'..='z').chain('A'..='C').collect();
        let mut words = crate::text::every_sequence(&letters, 3);
        for w in EN_FUNCTION_WORDS.iter().chain(OTHER_FUNCTION_WORDS) {
            words.extend([w.to_string(), w.to_uppercase(), format!("{w}s")]);
            for i in 0..w.len() {
                let mut b = w.as_bytes().to_vec();
                if let Some(x) = b.get_mut(i) {
                    *x = if *x == b'z' { b'a' } else { x.wrapping_add(1) };
                }
                words.extend(String::from_utf8(b));
            }
        }
        for w in &words {
            let got = packed_lower(w.as_bytes()).map_or_else(|| in_lists(w), |v| t.kind_of(v));
            assert_eq!(got, in_lists(w), "{w:?}");
        }
        assert!(words.len() > 20_000);
        assert!(EN_FUNCTION_WORDS
            .iter()
            .all(|w| !OTHER_FUNCTION_WORDS.contains(w)));
    }

    #[test]
    fn datelines_in_several_house_styles() {
        let t = "MOSCOW, January 14. /TASS/. Russia calls for more.";
        let d = parse_dateline(t, 0..t.len());
        let d = d.as_ref();
        assert_eq!(d.map(|d| d.city.as_str()), Some("Moscow"));
        assert_eq!(d.and_then(|d| d.month), Some(1));
        assert_eq!(d.and_then(|d| d.day), Some(14));
        assert_eq!(d.and_then(|d| d.year), None);
        assert_eq!(d.and_then(|d| d.agency.as_deref()), Some("TASS"));
        assert_eq!(
            d.map(|d| sub(t, d.range.clone())),
            Some("MOSCOW, January 14. /TASS/")
        );
        assert_eq!(
            d.map(|d| sub(t, d.body_start..t.len())),
            Some("Russia calls for more.")
        );

        let t = "WASHINGTON, March 3, 2020 (Reuters) - The envoy met.";
        let d = parse_dateline(t, 0..t.len());
        assert_eq!(d.as_ref().and_then(|d| d.year), Some(2020));
        assert_eq!(
            d.as_ref().and_then(|d| d.agency.as_deref()),
            Some("Reuters")
        );
        let t = "NEW YORK (AP) — The envoy met.";
        assert_eq!(
            parse_dateline(t, 0..t.len()).map(|d| d.city),
            Some("New York".to_string())
        );
        let t = "Moscow is a city, he said.";
        assert!(parse_dateline(t, 0..t.len()).is_none());
    }

    #[test]
    fn speaker_labels() {
        assert_eq!(
            speaker_label("Question: Why?").map(|l| l.1),
            Some(TurnKind::Question)
        );
        assert_eq!(speaker_label("Jane Roe: Yes.").map(|l| l.0), Some(8));
        assert!(speaker_label("Jane Roe (speaking after John Doe): Yes.").is_some());
        assert!(speaker_label("In conclusion: we agreed.").is_none());
        assert!(speaker_label("The problem is this: we agreed.").is_none());
    }

    #[test]
    fn transcript_turns() {
        let raw = "Minister Jane Roe's remarks at a news conference, Paris, May 2, 2020\n\nGood afternoon.\n\nWe met.\n\nQuestion: What next?\n\nJane Roe: Talks.\n\nMore talks.";
        let c = clean(raw, &mut vec![]);
        let s = segment(&c);
        assert_eq!(s.kind, Some(DocumentKind::Transcript));
        let kinds: Vec<TurnKind> = s.turns.iter().map(|t| t.kind).collect();
        assert_eq!(
            kinds,
            vec![TurnKind::Statement, TurnKind::Question, TurnKind::Answer]
        );
        assert_eq!(s.turns.get(2).map(|t| t.paras.len()), Some(2));
        assert_eq!(s.turns.get(2).map(|t| t.label.as_str()), Some("Jane Roe"));
    }

    /// The first reading of [`english`], a byte at a time: the model it must agree with.
    fn english_by_chars(text: &str) -> bool {
        // In one pass: letters, letters of the Latin script (with the Latin-1 and Extended-A/B
        // blocks counted whole), and the first 5,000 words (runs of letters), read a byte at a
        // time where the text is ASCII.
        let (mut letters, mut latin) = (0usize, 0usize);
        let (mut n, mut en, mut other) = (0usize, 0usize, 0usize);
        let words = FunctionWords::get();
        let mut count_word = |w: &str| {
            if n >= 5000 {
                return;
            }
            n += 1;
            // No function word is longer than 6 bytes, nor is any word that lower-cases to one.
            if w.len() > 6 {
                return;
            }
            if let Some(v) = packed_lower(w.as_bytes()) {
                match words.kind_of(v) {
                    1 => en += 1,
                    2 => other += 1,
                    _ => {}
                }
            } else {
                // Outside ASCII (`für`): lower-cased and looked for in the lists.
                crate::text::with_lower(w, |w| {
                    en += usize::from(EN_FUNCTION_WORDS.contains(&w));
                    other += usize::from(OTHER_FUNCTION_WORDS.contains(&w));
                });
            }
        };
        let bytes = text.as_bytes();
        let mut word_start = None;
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if b.is_ascii_alphabetic() {
                // A run of ASCII letters at once: all letters, all Latin, one word so far.
                let from = i;
                while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
                    i += 1;
                }
                letters += i - from;
                latin += i - from;
                word_start.get_or_insert(from);
                continue;
            }
            let (alpha, latin_letter, len) = if b.is_ascii() {
                let a = b.is_ascii_alphabetic();
                (a, a, 1)
            } else {
                match text.get(i..).and_then(|r| r.chars().next()) {
                    Some(c) => (
                        c.is_alphabetic(),
                        ('\u{C0}'..='\u{24F}').contains(&c),
                        c.len_utf8(),
                    ),
                    None => break,
                }
            };
            letters += usize::from(alpha);
            latin += usize::from(latin_letter);
            if alpha {
                word_start.get_or_insert(i);
            } else if let Some(a) = word_start.take() {
                count_word(text.get(a..i).unwrap_or(""));
            }
            i += len;
        }
        if let Some(a) = word_start {
            count_word(text.get(a..).unwrap_or(""));
        }
        if letters > 0 && latin * 10 < letters * 7 {
            return false;
        }
        other <= en || n < 8
    }

    #[test]
    fn language_read_by_blocks_as_by_chars() {
        // Every text of up to five of these pieces, then each after enough text to cross
        // the 64-byte blocks; and texts whose language changes after the 5,000th word.
        // The edges of the Latin blocks (`À` U+00C0 in, `ɏ` U+024F in, `ɐ` U+0250 out;
        // `×` in but not a letter), letters that lower-case oddly, function words.
        let pieces = [
            "the", " ", "Die", "und", "×", "À", "ɏ", "ɐ", "Ж", "für", ", ", "İ", "K",
        ];
        let pad = "a b c ".repeat(11);
        let mut checked = 0;
        for t in &crate::text::every_sequence(&pieces, 5) {
            for s in [t.clone(), format!("{pad}{t}")] {
                assert_eq!(english(&s), english_by_chars(&s), "{s:?}");
                checked += 1;
            }
        }
        assert!(checked > 500_000);
        // As many English as other function words in the first 5,000 words, then more of
        // one kind: only the first 5,000 words count.
        for (a, b) in [("the ", "und "), ("und ", "the ")] {
            for extra in 0..3 {
                let s = format!("{}{}", a.repeat(2_500), b.repeat(2_500 + extra));
                assert_eq!(english(&s), english_by_chars(&s), "{a} {b} {extra}");
            }
        }
        assert!(english(&format!(
            "{}{}",
            "the ".repeat(2_500),
            "und ".repeat(2_600)
        )));
    }

    #[test]
    fn language_by_script_and_function_words() {
        assert!(english(
            "The minister said that the talks with José Ñúñez were useful."
        ));
        assert!(!english("Der Minister sagte, dass die Gespräche mit dem Kollegen nicht einfach sind und das ist gut."));
        assert!(!english(
            "Министр заявил, что переговоры были полезными для обеих сторон и продолжатся."
        ));
        assert!(english("Talks."));
    }
}
