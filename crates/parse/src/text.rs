//! Small text utilities shared by the stages: tokens, sentence boundaries, byte↔char
//! offsets. Internally the stages work in byte offsets of the cleaned text; spans are
//! converted to char offsets once, when the [`crate::Extraction`] is assembled.

use std::ops::Range;

/// A token of a paragraph, in byte offsets of the cleaned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// True for words (letters, digits, joined by internal `'`, `-`, `.`, `+`); false for
    /// a single punctuation character.
    pub word: bool,
}

impl Tok {
    /// The token's text.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.start..self.end).unwrap_or("")
    }
}

/// Safe substring: empty when the range is not on char boundaries or out of bounds.
pub fn sub(s: &str, r: Range<usize>) -> &str {
    s.get(r).unwrap_or("")
}

fn joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '.' | '+' | '&' | '/')
}

/// Splits `src[range]` into tokens.
pub fn tokenize(src: &str, range: Range<usize>) -> Vec<Tok> {
    let mut out = Vec::new();
    let s = sub(src, range.clone());
    let base = range.start;
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut i = 0;
    while let Some(&(b, c)) = chars.get(i) {
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_alphanumeric() {
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    Some(&(_, d)) if d.is_alphanumeric() => j += 1,
                    Some(&(_, d)) if joiner(d) => {
                        // A joiner stays inside a word only between word characters, except a
                        // final '.' after a single letter (U.S.).
                        let next_alnum =
                            chars.get(j + 1).is_some_and(|&(_, e)| e.is_alphanumeric());
                        if next_alnum {
                            j += 2;
                        } else if d == '.' && is_initialism(&chars, i, j) {
                            j += 1;
                            break;
                        } else {
                            break;
                        }
                    }
                    _ => break,
                }
            }
            let end = chars.get(j).map_or(s.len(), |&(e, _)| e);
            out.push(Tok {
                start: base + b,
                end: base + end,
                word: true,
            });
            i = j;
        } else {
            out.push(Tok {
                start: base + b,
                end: base + b + c.len_utf8(),
                word: false,
            });
            i += 1;
        }
    }
    out
}

/// `U.S` followed by `.`: letters separated by dots.
fn is_initialism(chars: &[(usize, char)], from: usize, dot: usize) -> bool {
    let word: String = chars
        .get(from..dot)
        .map(|cs| cs.iter().map(|&(_, c)| c).collect())
        .unwrap_or_default();
    word.contains('.') && word.split('.').all(|p| p.chars().count() == 1)
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "gen", "art", "no", "st", "sen", "rep", "gov", "lt", "col", "prof",
    "jr", "sr", "vs", "inc", "co", "corp", "e.g", "i.e", "approx", "fig", "vol", "pp", "jan",
    "feb", "aug", "sept", "oct", "nov", "dec", "adm", "capt", "sgt", "maj", "cmdr", "amb", "hon",
    "rev", "messrs", "para", "cf", "ca", "mt",
];

/// True for abbreviations after which a full stop does not end a sentence.
pub fn is_abbreviation(word: &str) -> bool {
    let w = word.to_lowercase();
    let w = w.trim_end_matches('.');
    ABBREVIATIONS.contains(&w)
        || (w.chars().count() == 1 && w.chars().all(char::is_alphabetic))
        || (w.contains('.') && w.split('.').all(|p| p.chars().count() <= 1))
}

fn closing(c: char) -> bool {
    matches!(c, '"' | '”' | '’' | '\'' | ')' | ']' | '»')
}

/// Sentence ranges (byte offsets) within `src[range]`.
pub fn sentences(src: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let s = sub(src, range.clone());
    let base = range.start;
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    while let Some(&(b, c)) = chars.get(i) {
        if matches!(c, '.' | '!' | '?' | '…') {
            // Extend over further terminators and closing quotes/brackets.
            let mut j = i + 1;
            while chars
                .get(j)
                .is_some_and(|&(_, d)| matches!(d, '.' | '!' | '?') || closing(d))
            {
                j += 1;
            }
            let followed_by_space = chars.get(j).is_some_and(|&(_, d)| d.is_whitespace());
            let mut k = j;
            while chars.get(k).is_some_and(|&(_, d)| d.is_whitespace()) {
                k += 1;
            }
            let next_starts = chars.get(k).is_some_and(|&(_, d)| {
                d.is_uppercase()
                    || d.is_numeric()
                    || matches!(d, '"' | '“' | '«' | '‘' | '(' | '\'')
            });
            let abbrev = c == '.' && {
                let word_start = s
                    .get(..b)
                    .and_then(|p| {
                        p.rfind(|ch: char| {
                            ch.is_whitespace() || ch == '(' || ch == '"' || ch == '“'
                        })
                    })
                    .map_or(0, |p| p + 1);
                is_abbreviation(sub(s, word_start..b))
            };
            if followed_by_space && next_starts && !abbrev {
                let end = chars.get(j).map_or(s.len(), |&(e, _)| e);
                if end > start {
                    out.push(base + start..base + end);
                }
                start = chars.get(k).map_or(s.len(), |&(e, _)| e);
                i = k;
                continue;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    let tail = s.len();
    if start < tail && !sub(s, start..tail).trim().is_empty() {
        let trimmed_end = start + sub(s, start..tail).trim_end().len();
        out.push(base + start..base + trimmed_end);
    }
    out
}

/// Maps byte offsets of a text to char offsets.
#[derive(Debug)]
pub struct CharMap {
    starts: Vec<usize>,
    len_bytes: usize,
}

impl CharMap {
    /// Builds the map for `text`.
    pub fn new(text: &str) -> Self {
        Self {
            starts: text.char_indices().map(|(b, _)| b).collect(),
            len_bytes: text.len(),
        }
    }

    /// Char offset of a byte offset (rounded down to a char boundary).
    pub fn char_at(&self, byte: usize) -> usize {
        if byte >= self.len_bytes {
            return self.starts.len();
        }
        match self.starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// A model span from a byte range.
    pub fn span(&self, r: &Range<usize>) -> crate::Span {
        crate::Span::new(self.char_at(r.start), self.char_at(r.end))
    }
}

/// Lower-cases and keeps only letters and digits, for comparisons.
pub fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Normalises typographic apostrophes so `Japan’s` and `Japan's` compare equal.
pub fn plain_apostrophes(s: &str) -> String {
    s.replace('’', "'")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<&str> {
        tokenize(s, 0..s.len()).iter().map(|t| t.text(s)).collect()
    }

    #[test]
    fn tokens_keep_initialisms_and_joined_words() {
        assert_eq!(
            words("the U.S. and Russia-Japan 2+2 talks"),
            vec!["the", "U.S.", "and", "Russia-Japan", "2+2", "talks"]
        );
        assert_eq!(
            words("Japan’s \"role\""),
            vec!["Japan’s", "\"", "role", "\""]
        );
    }

    fn sents(s: &str) -> Vec<&str> {
        sentences(s, 0..s.len())
            .into_iter()
            .map(|r| sub(s, r))
            .collect()
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        assert_eq!(
            sents("Mr. Obama met Gen. Smith in the U.S. They talked. Art. 107 applies."),
            vec![
                "Mr. Obama met Gen. Smith in the U.S. They talked.",
                "Art. 107 applies."
            ]
        );
    }

    #[test]
    fn quotes_close_sentences() {
        assert_eq!(
            sents("\"We agree.\" He left. \"Really?\" she asked."),
            vec!["\"We agree.\"", "He left.", "\"Really?\" she asked."]
        );
    }

    #[test]
    fn char_map_handles_multibyte() {
        let t = "a’b c";
        let m = CharMap::new(t);
        assert_eq!(m.char_at(4), 2);
        assert_eq!(m.char_at(t.len()), 5);
    }
}
