//! Stage 8, claims: statements a party makes, from quotations (each sentence of a quote or
//! a transcript paragraph) and from reported speech (`X said that ...`, `According to X,
//! ...`). A sentence is a claim when it holds one of the phrases in `data/claim_cues.tsv`;
//! the first kind in the file's order that matches gives the claim's kind.

use std::ops::Range;
use std::sync::OnceLock;

use crate::lexicon::Heads;
use crate::model::ClaimKind;
use crate::text::{sentences, sub};

fn cues() -> &'static Vec<(String, ClaimKind)> {
    static C: OnceLock<Vec<(String, ClaimKind)>> = OnceLock::new();
    C.get_or_init(|| {
        include_str!("data/claim_cues.tsv")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let (k, v) = l.split_once('\t')?;
                let kind = match v.trim() {
                    "AGREEMENT" => ClaimKind::Agreement,
                    "DEMAND" => ClaimKind::Demand,
                    "PLAN" => ClaimKind::Plan,
                    "FACT" => ClaimKind::Fact,
                    "ASSESSMENT" => ClaimKind::Assessment,
                    "POSITION" => ClaimKind::Position,
                    _ => return None,
                };
                Some((k.trim().to_string(), kind))
            })
            .collect()
    })
}

/// A number written as a word (`three`, `dozens`, `billion`), matched by `match` (a length
/// switch, then a compare).
fn is_number_word(w: &[u8]) -> bool {
    matches!(
        w,
        b"two"
            | b"three"
            | b"four"
            | b"five"
            | b"six"
            | b"seven"
            | b"eight"
            | b"nine"
            | b"ten"
            | b"dozen"
            | b"dozens"
            | b"hundred"
            | b"hundreds"
            | b"thousand"
            | b"thousands"
            | b"million"
            | b"billion"
            | b"trillion"
    )
}

/// For each ASCII byte: its lower case when it belongs to a word (letters, digits, `'`,
/// `$`, `%`; see [`Words`]), else 0. Built at compile time, where an index out of range
/// fails the build instead of panicking at run time.
#[allow(clippy::indexing_slicing)]
const WORD_BYTES: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0u8;
    while b < 128 {
        let l = b.to_ascii_lowercase();
        if l.is_ascii_alphanumeric() || l == b'\'' || l == b'$' || l == b'%' {
            t[b as usize] = l;
        }
        b += 1;
    }
    t
};

/// A sentence's words, lower-cased with `’` read as `'`, each after one space and the last
/// followed by one (` we agreed to continue `), so that a cue padded with spaces matches
/// whole words only; built in one pass over the sentence. Words are runs of letters,
/// digits, `'`, `$` and `%`.
struct Words {
    joined: Vec<u8>,
    /// Where each word starts and ends in `joined`.
    bounds: Vec<(usize, usize)>,
    /// Where the word being read starts in `joined`.
    start: Option<usize>,
    /// The word being read holds a digit.
    digit: bool,
    /// Some word holds a digit or is a number word (see [`is_number_word`]).
    number: bool,
}

impl Words {
    fn of(sentence: &str) -> Self {
        Self::of_plain(sentence).unwrap_or_else(|| Self::of_chars(sentence))
    }

    /// [`Words::of`] a sentence of ASCII and of chars outside it that are `’` (read as
    /// `'`, a word byte) or fall between words and are their own lower case (`“`, `–`, a
    /// no-break space); `None` for a sentence with any other char. The joined words are
    /// written into a buffer sized for them at the start (these chars never make them
    /// longer than the sentence and two spaces), and the word being read is kept in local
    /// variables.
    fn of_plain(sentence: &str) -> Option<Self> {
        let bytes = sentence.as_bytes();
        let mut joined = vec![b' '; bytes.len() + 2];
        let mut bounds = Vec::with_capacity(bytes.len() / 4);
        let mut n = 1;
        let mut start: Option<usize> = None;
        let (mut digit, mut number) = (false, false);
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            let l = match WORD_BYTES.get(usize::from(b)) {
                Some(&l) => {
                    i += 1;
                    l
                }
                None => {
                    let c = sentence.get(i..).and_then(|r| r.chars().next())?;
                    i += c.len_utf8();
                    if c == '’' {
                        b'\''
                    } else if !c.is_alphanumeric() && c.to_lowercase().eq([c]) {
                        0
                    } else {
                        return None;
                    }
                }
            };
            if l != 0 {
                if start.is_none() {
                    start = Some(n);
                }
                digit |= l.is_ascii_digit();
                if let Some(slot) = joined.get_mut(n) {
                    *slot = l;
                }
                n += 1;
            } else if let Some(s) = start.take() {
                let word = joined.get(s..n).unwrap_or_default();
                number |= digit || is_number_word(word);
                digit = false;
                bounds.push((s, n));
                // The space after the word is already there.
                n += 1;
            }
        }
        if let Some(s) = start {
            let word = joined.get(s..n).unwrap_or_default();
            number |= digit || is_number_word(word);
            bounds.push((s, n));
            n += 1;
        }
        joined.truncate(n);
        Some(Words {
            joined,
            bounds,
            start: None,
            digit: false,
            number,
        })
    }

    /// [`Words::of`] any sentence, a char at a time.
    fn of_chars(sentence: &str) -> Self {
        let mut w = Words {
            joined: Vec::with_capacity(sentence.len() + 2),
            bounds: Vec::with_capacity(sentence.len() / 4),
            start: None,
            digit: false,
            number: false,
        };
        w.joined.push(b' ');
        let bytes = sentence.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if let Some(&l) = WORD_BYTES.get(usize::from(b)) {
                // Most of the text: a byte at a time, through the table.
                i += 1;
                if l != 0 {
                    if w.start.is_none() {
                        w.start = Some(w.joined.len());
                    }
                    w.digit |= l.is_ascii_digit();
                    w.joined.push(l);
                } else {
                    w.end_word();
                }
                continue;
            }
            let Some(c) = sentence.get(i..).and_then(|r| r.chars().next()) else {
                break;
            };
            i += c.len_utf8();
            for l in c.to_lowercase() {
                let l = if l == '’' { '\'' } else { l };
                if l.is_alphanumeric() || matches!(l, '\'' | '$' | '%') {
                    w.start.get_or_insert(w.joined.len());
                    w.digit |= l.is_ascii_digit();
                    let mut buf = [0; 4];
                    w.joined
                        .extend_from_slice(l.encode_utf8(&mut buf).as_bytes());
                } else {
                    w.end_word();
                }
            }
        }
        w.end_word();
        w
    }

    fn end_word(&mut self) {
        if let Some(s) = self.start.take() {
            let word = self.joined.get(s..).unwrap_or_default();
            self.number |= self.digit || is_number_word(word);
            self.digit = false;
            self.bounds.push((s, self.joined.len()));
            self.joined.push(b' ');
        }
    }
}

const ORDER: [ClaimKind; 6] = [
    ClaimKind::Agreement,
    ClaimKind::Demand,
    ClaimKind::Plan,
    ClaimKind::Fact,
    ClaimKind::Assessment,
    ClaimKind::Position,
];

/// A cue phrase's words, and the kind of claim it marks.
type Cue = (Vec<Vec<u8>>, ClaimKind);

/// Every cue phrase as its words, indexed by its first word; and the kinds that a number
/// alone makes.
struct Matcher {
    /// First word → (the cue's words, its kind) for each cue starting with it.
    by_first: crate::lexicon::WordMap<Vec<Cue>>,
    /// The first two bytes of every first word: most words are turned away before hashing.
    heads: Heads,
    number_kinds: Vec<ClaimKind>,
}

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let mut by_first: crate::lexicon::WordMap<Vec<Cue>> = Default::default();
        let mut number_kinds = Vec::new();
        let mut heads = Heads::default();
        for (p, k) in cues() {
            if p == "<number>" {
                number_kinds.push(*k);
                continue;
            }
            // Split on single spaces, as the sentence's words are joined: a cue with two
            // spaces in a row holds an empty word, which no sentence has, and never matches.
            let words: Vec<Vec<u8>> = p.split(' ').map(|w| w.as_bytes().to_vec()).collect();
            if let Some(first) = words.first().cloned() {
                heads.add(p.split(' ').next().unwrap_or_default());
                by_first.entry(&first).push((words, *k));
            }
        }
        Matcher {
            by_first,
            heads,
            number_kinds,
        }
    })
}

fn rank(kind: ClaimKind) -> usize {
    ORDER.iter().position(|k| *k == kind).unwrap_or(ORDER.len())
}

/// The kind of claim a sentence makes, if it makes one: of the cues whose words occur in
/// a row among the sentence's words, the kind first in [`ORDER`]. Each word is looked up
/// once among the cues' first words (one hash), and only the cues starting with it are
/// compared with the words after it.
pub fn classify(sentence: &str) -> Option<ClaimKind> {
    let Words {
        joined,
        bounds,
        number,
        ..
    } = Words::of(sentence);
    let m = matcher();
    let mut best: Option<ClaimKind> = None;
    let mut consider = |k: ClaimKind| {
        if best.is_none_or(|b| rank(k) < rank(b)) {
            best = Some(k);
        }
    };
    let words: Vec<&[u8]> = bounds
        .iter()
        .map(|&(a, b)| joined.get(a..b).unwrap_or_default())
        .collect();
    for (i, w) in words.iter().enumerate() {
        if !m.heads.may_start_bytes(w) {
            continue;
        }
        let Some(cues) = m.by_first.get(w) else {
            continue;
        };
        for (cue, kind) in cues {
            let here = words.get(i..i + cue.len());
            if here.is_some_and(|h| h.iter().zip(cue).all(|(a, b)| *a == b.as_slice())) {
                consider(*kind);
            }
        }
    }
    if number {
        for k in &m.number_kinds {
            consider(*k);
        }
    }
    best
}

/// Byte ranges of the sentences of `text[range]` that make a claim, with their kinds.
pub fn claims_in(text: &str, range: Range<usize>) -> Vec<(Range<usize>, ClaimKind)> {
    sentences(text, range)
        .into_iter()
        .filter_map(|r| classify(sub(text, r.clone())).map(|k| (r, k)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(
            classify("We agreed to continue the talks."),
            Some(ClaimKind::Agreement)
        );
        assert_eq!(
            classify("The other side should honour the accords."),
            Some(ClaimKind::Demand)
        );
        assert_eq!(
            classify("The next round will take place in June."),
            Some(ClaimKind::Plan)
        );
        assert_eq!(
            classify("Exports rose by 12 per cent."),
            Some(ClaimKind::Fact)
        );
        assert_eq!(
            classify("This is an absurd idea."),
            Some(ClaimKind::Assessment)
        );
        assert_eq!(
            classify("Our position is that sovereignty is not subject to debate."),
            Some(ClaimKind::Position)
        );
        assert_eq!(classify("Good afternoon."), None);
    }

    /// The first reading: a cue is in a sentence when the cue, padded with spaces, is in
    /// the sentence's joined words.
    fn classify_by_substring(sentence: &str) -> Option<ClaimKind> {
        let Words { joined, number, .. } = Words::of(sentence);
        let mut found: Vec<ClaimKind> = cues()
            .iter()
            .filter(|(p, _)| p != "<number>")
            .filter(|(p, _)| {
                let padded = format!(" {p} ");
                joined.windows(padded.len()).any(|w| w == padded.as_bytes())
            })
            .map(|(_, k)| *k)
            .collect();
        if number {
            found.extend(matcher().number_kinds.iter().copied());
        }
        found.into_iter().min_by_key(|k| rank(*k))
    }

    #[test]
    fn cues_are_found_word_by_word_as_by_searching_the_joined_words() {
        // Every sequence of up to four words from the cues' own words and a few others,
        // in two cases and with punctuation between them.
        let mut vocabulary: Vec<String> = cues()
            .iter()
            .filter(|(p, _)| p != "<number>")
            .flat_map(|(p, _)| p.split(' ').map(str::to_string))
            .collect();
        vocabulary.sort();
        vocabulary.dedup();
        let mut checked = 0;
        for (i, a) in vocabulary.iter().enumerate() {
            for b in vocabulary.iter().skip(i % 7).step_by(7) {
                for c in ["the", "Agreed", "two", "-", "we"] {
                    for s in [
                        format!("{a} {b}"),
                        format!("{c} {a} {b}."),
                        format!("{a}, {c} {b}"),
                        format!("{b} {a} {c}"),
                    ] {
                        assert_eq!(classify(&s), classify_by_substring(&s), "{s:?}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 5_000, "{checked}");
        for (p, _) in cues().iter().filter(|(p, _)| p != "<number>") {
            assert_eq!(classify(p), classify_by_substring(p), "{p:?}");
            assert!(classify(p).is_some(), "{p:?}");
        }
    }

    #[test]
    fn plain_sentences_read_as_char_by_char() {
        // Every sentence of up to five of these pieces: chars outside ASCII read in place
        // (`’`, `“`, `–`, a no-break space, `•`) and others (`É`, `İ`, `½`, `ǅ`), which
        // send the sentence to the char-by-char reading.
        let pieces = [
            "We", "don’t", "’", "7", "Three", "-", " ", "%", "$", "“", "–", "\u{a0}", "•", "É",
            "İ", "½", "ǅ",
        ];
        let strings = crate::text::every_sequence(&pieces, 5);
        let mut plain = 0;
        for s in &strings {
            let chars = Words::of_chars(s);
            if let Some(w) = Words::of_plain(s) {
                assert_eq!(w.joined, chars.joined, "{s:?}");
                assert_eq!(w.bounds, chars.bounds, "{s:?}");
                assert_eq!(w.number, chars.number, "{s:?}");
                plain += 1;
            } else {
                assert!(s.contains(['É', 'İ', '½', 'ǅ']), "{s:?}");
            }
        }
        assert!(plain > 400_000);
    }

    #[test]
    fn words_are_lower_cased_joined_and_counted() {
        let w = Words::of("We DON’T agree — Ünal’s 12% rise, two-thirds.");
        assert_eq!(
            String::from_utf8(w.joined).unwrap_or_default(),
            " we don't agree ünal's 12% rise two thirds "
        );
        assert!(w.number);
        assert!(!Words::of("No figures here.").number);
        assert!(Words::of("Three of them.").number);
        assert_eq!(Words::of("").joined, b" ");
    }
}
