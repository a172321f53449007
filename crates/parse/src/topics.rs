//! Stage 9, topics: a taxonomy kept as data (`data/topics.toml`), extendable by users with a
//! file of the same format. A topic applies to a passage when one of its keywords occurs in
//! it on word boundaries (`*` at the end of a keyword matches any word starting with it).

use serde::Deserialize;
use std::sync::OnceLock;

/// One topic of the taxonomy.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Topic {
    /// Stable identifier used in filters (`peace-treaty`).
    pub slug: String,
    /// Label shown to people.
    pub label: String,
    /// Lower-case keywords and phrases.
    #[serde(default)]
    pub keywords: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct File {
    #[serde(default)]
    topic: Vec<Topic>,
}

/// A topic taxonomy.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    topics: Vec<Topic>,
    index: Index,
}

impl PartialEq for Taxonomy {
    fn eq(&self, other: &Self) -> bool {
        self.topics == other.topics
    }
}

/// One keyword split into words; the last word may be a prefix (`terror*`).
#[derive(Debug, Clone)]
struct Keyword {
    topic: usize,
    words: Vec<String>,
    /// True when the last word ends in `*`.
    prefix: bool,
}

/// Keywords indexed by their first word: exact first words in a map, prefix first words
/// by the length of the prefix. Built once per taxonomy, so classifying a passage costs a
/// few hash look-ups per word instead of a scan of every keyword.
#[derive(Debug, Clone, Default)]
struct Index {
    keywords: Vec<Keyword>,
    exact: crate::lexicon::WordMap<Vec<usize>>,
    /// The first two bytes of every key of `exact`.
    exact_heads: crate::lexicon::Heads,
    /// Prefixes with their keywords, by first byte plus one (0: the empty prefix); a
    /// handful each, tried with `starts_with`.
    prefixes: Vec<Vec<(String, Vec<usize>)>>,
    /// The first two bytes of every prefix, so that most words skip the prefix look-ups.
    prefix_heads: crate::lexicon::Heads,
    /// A prefix shorter than two bytes: every word is looked up.
    short_prefix: bool,
}

impl Index {
    fn build(topics: &[Topic]) -> Self {
        let mut ix = Index::default();
        for (t, topic) in topics.iter().enumerate() {
            for k in &topic.keywords {
                let mut words: Vec<String> = k.split_whitespace().map(str::to_lowercase).collect();
                let prefix = words.last().is_some_and(|w| w.ends_with('*'));
                if let Some(last) = words.last_mut() {
                    *last = last.trim_end_matches('*').to_string();
                }
                let Some(first) = words.first().cloned() else {
                    continue;
                };
                let n = ix.keywords.len();
                if prefix && words.len() == 1 {
                    if first.len() < 2 {
                        ix.short_prefix = true;
                    }
                    ix.prefix_heads.add(&first);
                    let bucket = first.bytes().next().map_or(0, |b| usize::from(b) + 1);
                    if ix.prefixes.len() <= bucket {
                        ix.prefixes.resize(bucket + 1, Vec::new());
                    }
                    if let Some(list) = ix.prefixes.get_mut(bucket) {
                        match list.iter_mut().find(|(p, _)| *p == first) {
                            Some((_, ids)) => ids.push(n),
                            None => list.push((first, vec![n])),
                        }
                    }
                } else {
                    ix.exact_heads.add(&first);
                    ix.exact.entry(first.as_bytes()).push(n);
                }
                ix.keywords.push(Keyword {
                    topic: t,
                    words,
                    prefix,
                });
            }
        }
        ix
    }

    /// True when keyword `k` matches the words starting at `i`, the first of which is
    /// `first` lower-cased.
    fn matches_at(&self, k: &Keyword, words: &[&str], i: usize, first: &str) -> bool {
        let n = k.words.len();
        k.words.iter().enumerate().all(|(j, kw)| {
            let w = if j == 0 {
                std::borrow::Cow::Borrowed(first)
            } else {
                match words.get(i + j) {
                    Some(w) => crate::text::lower(w),
                    None => return false,
                }
            };
            if k.prefix && j + 1 == n {
                w.starts_with(kw.as_str())
            } else {
                w == kw.as_str()
            }
        })
    }
}

impl Taxonomy {
    /// A taxonomy of these topics.
    pub fn new(topics: Vec<Topic>) -> Self {
        let index = Index::build(&topics);
        Self { topics, index }
    }

    /// Topics in file order.
    pub fn topics(&self) -> &[Topic] {
        &self.topics
    }

    /// The built-in taxonomy.
    pub fn builtin() -> &'static Taxonomy {
        static T: OnceLock<Taxonomy> = OnceLock::new();
        T.get_or_init(|| {
            Taxonomy::from_toml(include_str!("data/topics.toml"))
                .unwrap_or_else(|_| Taxonomy::new(Vec::new()))
        })
    }

    /// Parses a taxonomy file.
    pub fn from_toml(src: &str) -> Result<Self, String> {
        let f: File = toml::from_str(src).map_err(|e| e.to_string())?;
        Ok(Self::new(f.topic))
    }

    /// This taxonomy with `other`'s topics added; a topic with the same slug replaces ours.
    pub fn extended(&self, other: &Taxonomy) -> Taxonomy {
        let mut topics: Vec<Topic> = self
            .topics
            .iter()
            .filter(|t| !other.topics.iter().any(|o| o.slug == t.slug))
            .cloned()
            .collect();
        topics.extend(other.topics.iter().cloned());
        Taxonomy::new(topics)
    }

    /// Slugs of the topics whose keywords occur in `text`, in taxonomy order.
    pub fn classify(&self, text: &str) -> Vec<String> {
        let words = crate::text::split_words(text, &CHARS);
        let mut hit = vec![false; self.topics.len()];
        let ix = &self.index;
        ix.candidates(&words, |kw, i, first| {
            if !hit.get(kw.topic).copied().unwrap_or(true) && ix.matches_at(kw, &words, i, first) {
                if let Some(h) = hit.get_mut(kw.topic) {
                    *h = true;
                }
            }
        });
        self.slugs(&hit)
    }

    /// The keyword matches of all of `text`, found in one pass, to classify many passages
    /// of it (quotations and the claims inside them overlap) without reading them again.
    pub fn matches_in<'a>(&'a self, text: &'a str) -> TextTopics<'a> {
        self.matches_within(text, std::slice::from_ref(&(0..text.len())))
    }

    /// [`Taxonomy::matches_in`] for a text of which only `ranges` will be classified: the
    /// text outside them is not read. A passage inside one of them classifies as it does
    /// with `matches_in`: the words of any stretch of text that holds a passage cutting no
    /// word, read alone, include exactly the text's words inside the passage, in a row.
    pub fn matches_within<'a>(
        &'a self,
        text: &'a str,
        ranges: &[std::ops::Range<usize>],
    ) -> TextTopics<'a> {
        let mut spans: Vec<std::ops::Range<usize>> = ranges
            .iter()
            .filter(|r| r.start < r.end && text.get(r.start..r.end).is_some())
            .cloned()
            .collect();
        spans.sort_unstable_by_key(|r| r.start);
        let mut merged: Vec<std::ops::Range<usize>> = Vec::with_capacity(spans.len());
        for r in spans {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        let at = |w: &str| (w.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        let mut hits = Vec::new();
        let ix = &self.index;
        for span in merged {
            let words = crate::text::split_words(crate::text::sub(text, span), &CHARS);
            ix.candidates(&words, |kw, i, first| {
                if ix.matches_at(kw, &words, i, first) {
                    let first = words.get(i).map(|w| at(w));
                    let last = words.get(i + kw.words.len().max(1) - 1);
                    if let (Some(a), Some(l)) = (first, last) {
                        hits.push((a, at(l) + l.len(), kw.topic));
                    }
                }
            });
        }
        // Candidates come word by word and the stretches in order, so the hits are already
        // in order of first byte.
        TextTopics {
            taxonomy: self,
            text,
            hits,
        }
    }

    fn slugs(&self, hit: &[bool]) -> Vec<String> {
        self.topics
            .iter()
            .zip(hit)
            .filter(|(_, h)| **h)
            .map(|(t, _)| t.slug.clone())
            .collect()
    }
}

/// What words are made of, for topics: letters, digits, `-` and `+`.
fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '+'
}

static CHARS: std::sync::LazyLock<crate::text::WordChars> =
    std::sync::LazyLock::new(|| crate::text::WordChars::new(word_char));

impl Index {
    /// Calls `f` with each keyword that may match at each word (its first word, or the
    /// prefix it starts with, is the word's), the word's place and the word lower-cased;
    /// `f` checks the rest with `matches_at`. A word is lower-cased only when its first two
    /// bytes start a keyword (most do not).
    fn candidates(&self, words: &[&str], mut f: impl FnMut(&Keyword, usize, &str)) {
        for (i, raw) in words.iter().enumerate() {
            let exact = self.exact_heads.may_start(raw);
            let prefix = self.short_prefix || self.prefix_heads.may_start(raw);
            if !(exact || prefix) {
                continue;
            }
            // Lower-cased on the stack when short (see `text::with_lower`), and handed on,
            // so that the keyword's first word is not lower-cased again.
            crate::text::with_lower(raw, |w| {
                let mut check = |ids: &[usize]| {
                    for kw in ids.iter().filter_map(|&k| self.keywords.get(k)) {
                        f(kw, i, w);
                    }
                };
                if let Some(ids) = exact.then(|| self.exact.get(w.as_bytes())).flatten() {
                    check(ids);
                }
                if !prefix {
                    return;
                }
                let first = w.bytes().next().map_or(0, |b| usize::from(b) + 1);
                for bucket in [0, first] {
                    for (p, ids) in self.prefixes.get(bucket).map_or(&[][..], Vec::as_slice) {
                        if w.starts_with(p.as_str()) {
                            check(ids);
                        }
                    }
                    if first == 0 {
                        break;
                    }
                }
            });
        }
    }
}

/// The keyword matches of one text (see [`Taxonomy::matches_in`]).
pub struct TextTopics<'a> {
    taxonomy: &'a Taxonomy,
    text: &'a str,
    /// First byte, end byte and topic of every match, by first byte.
    hits: Vec<(usize, usize, usize)>,
}

impl TextTopics<'_> {
    /// What [`Taxonomy::classify`] gives for `text[range]` (nothing when the range is not
    /// a substring). The words of a range that cuts no word are exactly the text's words
    /// inside it, so its topics are those of the matches inside it; a range that cuts a
    /// word is classified on its own.
    pub fn classify(&self, range: std::ops::Range<usize>) -> Vec<String> {
        let Some(passage) = self.text.get(range.clone()) else {
            return Vec::new();
        };
        let cuts = |at: usize| {
            let before = self.text.get(..at).and_then(|s| s.chars().next_back());
            let after = self.text.get(at..).and_then(|s| s.chars().next());
            before.is_some_and(word_char) && after.is_some_and(word_char)
        };
        if cuts(range.start) || cuts(range.end) {
            return self.taxonomy.classify(passage);
        }
        let mut hit = vec![false; self.taxonomy.topics.len()];
        let from = self.hits.partition_point(|h| h.0 < range.start);
        for &(_, end, topic) in self
            .hits
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(|h| h.0 < range.end)
        {
            if end <= range.end {
                if let Some(h) = hit.get_mut(topic) {
                    *h = true;
                }
            }
        }
        self.taxonomy.slugs(&hit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_taxonomy_has_the_spec_topics() {
        let slugs: Vec<&str> = Taxonomy::builtin()
            .topics()
            .iter()
            .map(|t| t.slug.as_str())
            .collect();
        for s in [
            "peace-treaty",
            "territorial-dispute",
            "security",
            "trade-economy",
            "joint-economic-activities",
            "people-exchanges",
            "counter-narcotics-terrorism",
            "north-korea",
            "syria",
            "ukraine",
            "multilateral",
            "bilateral-relations",
        ] {
            assert!(slugs.contains(&s), "{s} missing");
        }
    }

    #[test]
    fn keywords_on_word_boundaries_with_prefixes() {
        let t = Taxonomy::builtin();
        let got = t.classify("Mutual trade grew by 17 per cent.");
        assert!(got.contains(&"trade-economy".to_string()));
        assert!(!t
            .classify("The strategic plan.")
            .contains(&"trade-economy".to_string()));
        assert!(t
            .classify("Terrorists were caught.")
            .contains(&"counter-narcotics-terrorism".to_string()));
    }

    #[test]
    fn users_extend_and_replace() {
        let extra = Taxonomy::from_toml(
            "[[topic]]\nslug = \"arctic\"\nlabel = \"Arctic\"\nkeywords = [\"arctic\"]\n",
        )
        .unwrap_or_else(|_| Taxonomy::new(vec![]));
        let t = Taxonomy::builtin().extended(&extra);
        assert_eq!(t.classify("Arctic shipping"), vec!["arctic".to_string()]);
    }

    #[test]
    fn passages_of_a_text_classify_as_they_do_alone() {
        let t = Taxonomy::builtin();
        let text = "Trade grew. The peace treaty, said Mr Ivanov, needs a counter-terrorism \
                    pact; «Sécurité» and security-related talks on the Korean Peninsula went on.";
        let all = t.matches_in(text);
        // Every range: whole words, cut words, and ends that are not char boundaries.
        for a in 0..=text.len() {
            for b in a..=text.len() {
                let alone = t.classify(text.get(a..b).unwrap_or(""));
                assert_eq!(all.classify(a..b), alone, "{a}..{b}");
            }
        }
        assert_eq!(all.classify(0..text.len()), t.classify(text));
        assert!(!all.classify(0..text.len()).is_empty());
    }

    #[test]
    fn passages_classify_as_they_do_alone_when_only_some_text_is_read() {
        let t = Taxonomy::builtin();
        let text = "Trade grew. The peace treaty, said Mr Ivanov, needs a counter-terrorism \
                    pact; «Sécurité» and security-related talks on the Korean Peninsula went on.";
        let mut checked = 0;
        // Each range read with another that overlaps it, touches it or stands apart, and
        // ranges that are not char boundaries or are empty among them.
        for a in 0..=text.len() {
            for b in a..=text.len() {
                let alone = t.classify(text.get(a..b).unwrap_or(""));
                let other = match checked % 3 {
                    0 => (b + 3).min(text.len())..text.len(),
                    1 => a / 2..(a + b) / 2,
                    _ => (a + 1)..a,
                };
                let within = t.matches_within(text, &[a..b, other]);
                assert_eq!(within.classify(a..b), alone, "{a}..{b}");
                checked += 1;
            }
        }
        assert!(checked > 10_000);
    }
}
