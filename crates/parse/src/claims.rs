//! Stage 8, claims: statements a party makes, from quotations (each sentence of a quote or
//! a transcript paragraph) and from reported speech (`X said that ...`, `According to X,
//! ...`). A sentence is a claim when it holds one of the phrases in `data/claim_cues.tsv`;
//! the first kind in the file's order that matches gives the claim's kind.

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::ops::Range;
use std::sync::OnceLock;

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

const NUMBER_WORDS: &[&str] = &[
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "dozen",
    "dozens",
    "hundred",
    "hundreds",
    "thousand",
    "thousands",
    "million",
    "billion",
    "trillion",
];

fn has_number(words: &[&str]) -> bool {
    words.iter().any(|w| {
        (w.chars().any(|c| c.is_ascii_digit())
            && w.chars().filter(|c| c.is_ascii_digit()).count() >= 1)
            || NUMBER_WORDS.contains(w)
    })
}

const ORDER: [ClaimKind; 6] = [
    ClaimKind::Agreement,
    ClaimKind::Demand,
    ClaimKind::Plan,
    ClaimKind::Fact,
    ClaimKind::Assessment,
    ClaimKind::Position,
];

/// Every cue phrase, padded with spaces, in one automaton; and the kinds that a number
/// alone makes.
struct Matcher {
    automaton: Option<AhoCorasick>,
    kinds: Vec<ClaimKind>,
    number_kinds: Vec<ClaimKind>,
}

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let mut patterns = Vec::new();
        let mut kinds = Vec::new();
        let mut number_kinds = Vec::new();
        for (p, k) in cues() {
            if p == "<number>" {
                number_kinds.push(*k);
            } else {
                patterns.push(format!(" {p} "));
                kinds.push(*k);
            }
        }
        Matcher {
            // Every pattern starts with a space, so a prefilter on first bytes stops at
            // every word; a DFA without one reads each byte once.
            automaton: AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::DFA))
                .prefilter(false)
                .build(&patterns)
                .ok(),
            kinds,
            number_kinds,
        }
    })
}

fn rank(kind: ClaimKind) -> usize {
    ORDER.iter().position(|k| *k == kind).unwrap_or(ORDER.len())
}

/// The kind of claim a sentence makes, if it makes one.
pub fn classify(sentence: &str) -> Option<ClaimKind> {
    let lower = sentence.to_lowercase().replace('’', "'");
    static CHARS: std::sync::LazyLock<crate::text::WordChars> = std::sync::LazyLock::new(|| {
        crate::text::WordChars::new(|c| c.is_alphanumeric() || c == '\'' || c == '$' || c == '%')
    });
    let words = crate::text::split_words(&lower, &CHARS);
    let mut joined = String::with_capacity(lower.len() + 2);
    joined.push(' ');
    for w in &words {
        joined.push_str(w);
        joined.push(' ');
    }
    let m = matcher();
    let mut best: Option<ClaimKind> = None;
    let mut consider = |k: ClaimKind| {
        if best.is_none_or(|b| rank(k) < rank(b)) {
            best = Some(k);
        }
    };
    if let Some(ac) = &m.automaton {
        for hit in ac.find_overlapping_iter(&joined) {
            if let Some(k) = m.kinds.get(hit.pattern().as_usize()) {
                consider(*k);
            }
        }
    }
    if !m.number_kinds.is_empty() && has_number(&words) {
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
}
