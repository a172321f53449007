//! The data files under `src/data/`, parsed once. Rules consult these lists instead of
//! naming people, places or phrases in code.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// A bitmap of the first two bytes of a set of keys: most words of a text start with two
/// bytes no key starts with, and are turned away before being hashed. Only pairs of ASCII
/// bytes are held (128 × 128 bits, 2 KiB, so that the many bitmaps the stages read stay
/// in the fastest cache); a pair with a byte outside ASCII is always let through.
#[derive(Debug, Clone)]
pub struct Heads(Vec<u64>);

impl Default for Heads {
    fn default() -> Self {
        Self(vec![0; 128 * 128 / 64])
    }
}

impl Heads {
    /// The first two bytes of `key` (a one-byte key counts as its byte and 0, the empty
    /// key as two 0s).
    #[inline]
    fn pair(key: &[u8]) -> (u8, u8) {
        match key {
            [] => (0, 0),
            [a] => (*a, 0),
            [a, b, ..] => (*a, *b),
        }
    }

    /// The bit of a pair of ASCII bytes; `None` when either is outside ASCII.
    #[inline]
    fn slot(a: u8, b: u8) -> Option<usize> {
        ((a | b) < 0x80).then(|| (usize::from(a) << 7) | usize::from(b))
    }

    /// Notes a key, with each ASCII case of its first two bytes (see [`Heads::may_start`]).
    pub fn add(&mut self, key: &str) {
        let cases = |b: u8| [b, b.to_ascii_uppercase(), b.to_ascii_lowercase()];
        let (a, b) = Self::pair(key.as_bytes());
        for a in cases(a) {
            for b in cases(b) {
                if let Some(slot) = Self::slot(a, b) {
                    if let Some(w) = self.0.get_mut(slot / 64) {
                        *w |= 1u64 << (slot % 64);
                    }
                }
            }
        }
    }

    /// False when no key noted can be `raw` lower-cased: its first two bytes, when ASCII,
    /// must start a key in some case. (Outside ASCII only `K`, the Kelvin sign, lower-cases
    /// into ASCII, so a word starting with anything else outside ASCII is let through.)
    #[inline]
    pub fn may_start(&self, raw: &str) -> bool {
        self.may_start_bytes(raw.as_bytes())
    }

    /// [`Heads::may_start`] of a word's bytes.
    #[inline]
    pub fn may_start_bytes(&self, raw: &[u8]) -> bool {
        let (a, b) = Self::pair(raw);
        Self::slot(a, b).is_none_or(|slot| self.has_slot(slot))
    }

    /// False when no key noted starts as `key` does (in some ASCII case).
    #[inline]
    pub fn may_contain(&self, key: &str) -> bool {
        self.may_start_bytes(key.as_bytes())
    }

    /// True when the bit of two first bytes (`first << 7 | second`, see [`Heads::slot`]) is set.
    #[inline]
    fn has_slot(&self, slot: usize) -> bool {
        self.0
            .get(slot / 64)
            .is_some_and(|w| w & (1u64 << (slot % 64)) != 0)
    }
}

/// A set of keys behind their [`Heads`]. Keys of up to seven bytes, most of them, are
/// also held packed into numbers (see [`pack`]), so that looking one up hashes a number
/// and compares numbers instead of hashing and comparing strings.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: HashSet<String>,
    short: HashSet<u64>,
    heads: Heads,
}

/// A key of one to seven bytes as one number: its bytes, first lowest, and its length in
/// the top byte (so that no two keys share a number); `None` for any other key.
#[inline]
fn pack(key: &str) -> Option<u64> {
    pack_bytes(key.as_bytes())
}

/// [`pack`] of a key's bytes.
#[inline]
fn pack_bytes(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || bytes.len() > 7 {
        return None;
    }
    let mut v = (bytes.len() as u64) << 56;
    for (i, &b) in bytes.iter().enumerate() {
        v |= u64::from(b) << (8 * i);
    }
    Some(v)
}

/// A map from words: those of up to seven bytes held by their packed numbers (see
/// [`pack`]), the rest by their bytes, so that most look-ups hash and compare one number.
#[derive(Debug, Clone)]
pub struct WordMap<V> {
    short: HashMap<u64, V>,
    long: HashMap<Vec<u8>, V>,
}

impl<V> Default for WordMap<V> {
    fn default() -> Self {
        Self {
            short: HashMap::default(),
            long: HashMap::default(),
        }
    }
}

impl<V: Default> WordMap<V> {
    /// The value of `key`, made (as `V::default()`) when missing.
    pub fn entry(&mut self, key: &[u8]) -> &mut V {
        match pack_bytes(key) {
            Some(v) => self.short.entry(v).or_default(),
            None => self.long.entry(key.to_vec()).or_default(),
        }
    }
}

impl<V> WordMap<V> {
    /// The value of `key`.
    #[inline]
    pub fn get(&self, key: &[u8]) -> Option<&V> {
        match pack_bytes(key) {
            Some(v) => self.short.get(&v),
            None => self.long.get(key),
        }
    }
}

impl KeySet {
    /// Adds a key.
    pub fn insert(&mut self, key: String) {
        self.heads.add(&key);
        if let Some(v) = pack(&key) {
            self.short.insert(v);
        }
        self.keys.insert(key);
    }

    /// True when `key` is in the set.
    #[inline]
    pub fn contains(&self, key: &str) -> bool {
        self.heads.may_contain(key)
            && match pack(key) {
                Some(v) => self.short.contains(&v),
                None => self.keys.contains(key),
            }
    }

    /// False when `raw` lower-cased cannot be in the set (see [`Heads::may_start`]).
    pub fn may_hold_lower_of(&self, raw: &str) -> bool {
        self.heads.may_start(raw)
    }

    /// The keys, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &String> {
        self.keys.iter()
    }
}

impl FromIterator<String> for KeySet {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Self {
        let mut set = Self::default();
        for k in iter {
            set.insert(k);
        }
        set
    }
}
use std::sync::OnceLock;

/// Every list the extraction rules use.
#[derive(Debug)]
pub struct Lexicon {
    /// Title (lower case) → office class (`foreign`, `head-state`, ...).
    pub titles: HashMap<String, String>,
    /// Longest title in words, to bound the matcher.
    pub max_title_words: usize,
    /// Every leading run of words of a title (`deputy`, `deputy foreign`), so matchers stop
    /// as soon as no title can start with what they have read.
    pub title_prefixes: KeySet,
    /// Leading runs of words of organisation names.
    pub org_prefixes: KeySet,
    /// Leading runs of words of country names and aliases.
    pub country_prefixes: KeySet,
    /// Honorifics (`mr`, `dr.`).
    pub honorifics: KeySet,
    /// The heads of honorifics, titles and organisations together: one look-up tells
    /// whether a word may start any of them.
    pub mention_heads: Heads,
    /// Attribution cues (`said`, `pointed out`, `according to`).
    pub cues: KeySet,
    /// Cues that introduce reported speech.
    pub reported_cues: KeySet,
    /// First words of the attribution cues of two or more words (`pointed` of `pointed
    /// out`), so a two-word look-up is tried only after one of them.
    pub cue_firsts: KeySet,
    /// First words of the reported-speech cues of two or more words.
    pub reported_cue_firsts: KeySet,
    /// The heads of reported cues and of their first words together.
    pub reported_heads: Heads,
    /// Lower-case country name, demonym or alias → canonical country.
    pub countries: HashMap<String, String>,
    /// Canonical country → its first demonym (`Russia` → `Russian`).
    pub demonyms: HashMap<String, String>,
    /// Lower-case city → (canonical city, country).
    pub cities: HashMap<String, (String, String)>,
    /// Every leading run of whole words of the cities' names.
    pub city_prefixes: KeySet,
    /// Lower-case organisation head → canonical form.
    pub organizations: HashMap<String, String>,
    /// Words that never belong to a person's name.
    pub nonnames: KeySet,
    /// Whole-line furniture (lower case).
    pub furniture_exact: KeySet,
    /// Byte length of the longest exact furniture line.
    pub furniture_exact_max: usize,
    /// Line-prefix furniture (lower case).
    pub furniture_prefix: Vec<String>,
}

fn lines(src: &str) -> impl Iterator<Item = &str> {
    src.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

pub(crate) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
pub(crate) const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Month number (1-12) of an English month name or its three-letter abbreviation.
pub fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    // Month names are ASCII without a `k`, and only `K` (the Kelvin sign) lower-cases from
    // outside ASCII into it: a word that is not ASCII names no month.
    if w.len() < 3 || !w.is_ascii() {
        return None;
    }
    // No month name is longer than nine letters, and each starts with one of these.
    let first = w.as_bytes().first().map(u8::to_ascii_lowercase);
    if w.len() > 9
        || !matches!(
            first,
            Some(b'j' | b'f' | b'm' | b'a' | b's' | b'o' | b'n' | b'd')
        )
    {
        return None;
    }
    let mut buf = [0u8; 9];
    let low = buf.get_mut(..w.len())?;
    low.copy_from_slice(w.as_bytes());
    low.make_ascii_lowercase();
    // Each month's name and three-letter abbreviation (and `sept`), as in MONTHS.
    Some(match &*low {
        b"january" | b"jan" => 1,
        b"february" | b"feb" => 2,
        b"march" | b"mar" => 3,
        b"april" | b"apr" => 4,
        b"may" => 5,
        b"june" | b"jun" => 6,
        b"july" | b"jul" => 7,
        b"august" | b"aug" => 8,
        b"september" | b"sep" | b"sept" => 9,
        b"october" | b"oct" => 10,
        b"november" | b"nov" => 11,
        b"december" | b"dec" => 12,
        _ => return None,
    })
}

/// Day of week (0 = Monday) of an English weekday name.
pub fn weekday_number(word: &str) -> Option<u32> {
    // As for months: only an ASCII word can name a weekday.
    if !word.is_ascii() {
        return None;
    }
    WEEKDAYS
        .iter()
        .position(|d| d.eq_ignore_ascii_case(word))
        .and_then(|p| u32::try_from(p).ok())
}

/// Every leading run of whole words of each phrase, the phrase itself included.
fn prefixes<'a>(phrases: impl Iterator<Item = &'a String>) -> KeySet {
    let mut out = KeySet::default();
    for p in phrases {
        let mut acc = String::new();
        for w in p.split_whitespace() {
            if !acc.is_empty() {
                acc.push(' ');
            }
            acc.push_str(w);
            out.insert(acc.clone());
        }
    }
    out
}

impl Lexicon {
    fn load() -> Self {
        let mut titles = HashMap::default();
        for l in lines(include_str!("data/titles.txt")) {
            let (t, class) = match l.split_once("=>") {
                Some((t, c)) => (t.trim(), c.trim()),
                None => (l, "other"),
            };
            titles.insert(t.to_lowercase(), class.to_string());
        }
        let max_title_words = titles
            .keys()
            .map(|t| t.split_whitespace().count())
            .max()
            .unwrap_or(1);
        let honorifics: KeySet = lines(include_str!("data/honorifics.txt"))
            .map(str::to_lowercase)
            .collect();
        let cues = lines(include_str!("data/cues.txt"))
            .map(str::to_lowercase)
            .collect();
        let reported_cues = lines(include_str!("data/reported_cues.txt"))
            .map(str::to_lowercase)
            .collect();
        let mut countries = HashMap::default();
        let mut demonyms = HashMap::default();
        for l in lines(include_str!("data/countries.tsv")) {
            let mut parts = l.split('\t');
            let Some(country) = parts.next().map(str::trim) else {
                continue;
            };
            countries.insert(country.to_lowercase(), country.to_string());
            if let Some(rest) = parts.next() {
                for (i, alias) in rest.split(',').map(str::trim).enumerate() {
                    if alias.is_empty() {
                        continue;
                    }
                    countries.insert(alias.to_lowercase(), country.to_string());
                    if i == 0 {
                        demonyms.insert(country.to_string(), alias.to_string());
                    }
                }
            }
        }
        let mut cities = HashMap::default();
        for l in lines(include_str!("data/cities.tsv")) {
            if let Some((city, country)) = l.split_once('\t') {
                cities.insert(
                    city.trim().to_lowercase(),
                    (city.trim().to_string(), country.trim().to_string()),
                );
            }
        }
        let mut organizations = HashMap::default();
        for l in lines(include_str!("data/organizations.tsv")) {
            if let Some((k, v)) = l.split_once('\t') {
                organizations.insert(k.trim().to_lowercase(), v.trim().to_string());
            }
        }
        let mut nonnames: KeySet = lines(include_str!("data/nonnames.txt"))
            .map(str::to_lowercase)
            .collect();
        for t in titles.keys() {
            for w in t.split_whitespace() {
                nonnames.insert(w.trim_end_matches('.').to_string());
            }
        }
        for m in MONTHS.iter().chain(WEEKDAYS.iter()) {
            nonnames.insert((*m).to_string());
        }
        for c in countries.keys() {
            if !c.contains(' ') {
                nonnames.insert(c.trim_end_matches("'s").to_string());
            }
        }
        for c in cities.keys() {
            if !c.contains(' ') {
                nonnames.insert(c.clone());
            }
        }
        let mut furniture_exact = KeySet::default();
        let mut furniture_prefix = Vec::new();
        for l in lines(include_str!("data/furniture.txt")) {
            if let Some(rest) = l.strip_prefix('=') {
                furniture_exact.insert(rest.trim().to_lowercase());
            } else if let Some(rest) = l.strip_prefix('^') {
                furniture_prefix.push(rest.trim().to_lowercase());
            }
        }
        let firsts = |set: &KeySet| -> KeySet {
            set.iter()
                .filter(|c| c.contains(' '))
                .filter_map(|c| c.split_whitespace().next().map(str::to_string))
                .collect()
        };
        let cue_firsts = firsts(&cues);
        let reported_cue_firsts = firsts(&reported_cues);
        let title_prefixes = prefixes(titles.keys());
        let org_prefixes = prefixes(organizations.keys());
        let country_prefixes = prefixes(countries.keys());
        let city_prefixes = prefixes(cities.keys());
        let mut reported_heads = Heads::default();
        for k in reported_cues.iter().chain(reported_cue_firsts.iter()) {
            reported_heads.add(k);
        }
        let mut mention_heads = Heads::default();
        for k in honorifics
            .iter()
            .chain(title_prefixes.iter())
            .chain(org_prefixes.iter())
        {
            mention_heads.add(k);
        }
        Self {
            mention_heads,
            reported_heads,
            titles,
            max_title_words,
            title_prefixes,
            org_prefixes,
            country_prefixes,
            honorifics,
            cues,
            reported_cues,
            cue_firsts,
            reported_cue_firsts,
            countries,
            demonyms,
            cities,
            city_prefixes,
            organizations,
            nonnames,
            furniture_exact_max: furniture_exact.iter().map(String::len).max().unwrap_or(0),
            furniture_exact,
            furniture_prefix,
        }
    }

    /// The country a word or phrase names or qualifies (`Japanese` → `Japan`).
    pub fn country_of(&self, phrase: &str) -> Option<&str> {
        crate::text::with_lower(phrase.trim(), |p| self.country_of_lower(p))
    }

    /// [`Lexicon::country_of`] of a trimmed, lower-cased phrase.
    fn country_of_lower(&self, p: &str) -> Option<&str> {
        let mut p = p;
        while let Some(rest) = p.strip_prefix("the ") {
            p = rest;
        }
        self.countries
            .get(p)
            .or_else(|| self.countries.get(trim_possessive(p)))
            .map(String::as_str)
    }

    /// True when `word` may be part of a person's name.
    #[inline]
    pub fn name_word(&self, word: &str) -> bool {
        // Most words start with an ASCII byte that is not a capital: answered here, inline.
        match word.as_bytes().first() {
            None => false,
            Some(b) if b.is_ascii() && !b.is_ascii_uppercase() => false,
            Some(_) => self.capitalised_name_word(word),
        }
    }

    fn capitalised_name_word(&self, word: &str) -> bool {
        let mut chars = word.chars();
        let Some(first) = chars.next() else {
            return false;
        };
        if !first.is_uppercase() {
            return false;
        }
        // All-caps words of two or more letters are acronyms or datelines, not names.
        let mut letters = word.chars().filter(|c| c.is_alphabetic());
        let all_caps = letters.all(char::is_uppercase);
        if all_caps && word.chars().filter(|c| c.is_alphabetic()).nth(1).is_some() {
            return false;
        }
        if !word
            .chars()
            .all(|c| c.is_alphabetic() || c == '-' || c == '\'' || c == '’' || c == '.')
        {
            return false;
        }
        crate::text::with_lower(word, |lw| !self.nonnames.contains(trim_possessive(lw)))
    }
}

/// The lexicon, loaded on first use.
pub fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(Lexicon::load)
}

/// `s` without trailing `'s`, then without trailing `’s` (each as often as it repeats): what
/// `s.trim_end_matches("'s").trim_end_matches("’s")` gives, without building two searchers
/// for every word.
pub fn trim_possessive(mut s: &str) -> &str {
    while let Some(t) = s.strip_suffix("'s") {
        s = t;
    }
    while let Some(t) = s.strip_suffix("’s") {
        s = t;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_bitmap_never_turns_away_a_word_whose_lower_case_is_a_key() {
        let lex = lexicon();
        let mut checked = 0;
        // Each set, with the union bitmap that stands for it in a scanner, if any.
        for (set, union) in [
            (&lex.title_prefixes, Some(&lex.mention_heads)),
            (&lex.org_prefixes, Some(&lex.mention_heads)),
            (&lex.honorifics, Some(&lex.mention_heads)),
            (&lex.cues, None),
            (&lex.reported_cues, Some(&lex.reported_heads)),
            (&lex.reported_cue_firsts, Some(&lex.reported_heads)),
        ] {
            for key in set.iter() {
                let title: String = key
                    .chars()
                    .enumerate()
                    .map(|(i, c)| if i == 0 { c.to_ascii_uppercase() } else { c })
                    .collect();
                for raw in [key.clone(), key.to_uppercase(), title] {
                    assert!(set.contains(&crate::text::lower(&raw)), "{raw:?}");
                    assert!(set.may_hold_lower_of(&raw), "{raw:?}");
                    if let Some(union) = union {
                        assert!(union.may_start(&raw), "{raw:?}");
                    }
                    checked += 1;
                }
            }
        }
        assert!(checked > 600, "{checked}");
        // And it does turn words away: none of these starts a title.
        for raw in ["the", "Talks", "yesterday", "Zz"] {
            assert!(!lex.title_prefixes.may_hold_lower_of(raw), "{raw:?}");
        }
    }

    #[test]
    fn heads_let_through_exactly_the_pairs_noted_and_any_outside_ascii() {
        // The model: the first two bytes of each key noted, in each ASCII case; a word
        // passes when its first two bytes are among them or either is outside ASCII.
        let keys = ["ta", "m", "é", "Ж", "x’", "’s", ""];
        let mut h = Heads::default();
        let mut noted = std::collections::HashSet::new();
        let cases = |b: u8| [b, b.to_ascii_uppercase(), b.to_ascii_lowercase()];
        for key in keys {
            h.add(key);
            let (a, b) = Heads::pair(key.as_bytes());
            for a in cases(a) {
                for b in cases(b) {
                    noted.insert((a, b));
                }
            }
        }
        let model = |raw: &str| {
            let (a, b) = Heads::pair(raw.as_bytes());
            a >= 0x80 || b >= 0x80 || noted.contains(&(a, b))
        };
        let alphabet = ['t', 'A', 'm', 'x', ' ', 'é', 'Ж', '’', 'K', '\0', '\u{7f}'];
        let mut checked = 0;
        for raw in &crate::text::every_sequence(&alphabet, 3) {
            assert_eq!(h.may_start(raw), model(raw), "{raw:?}");
            assert_eq!(h.may_contain(raw), model(raw), "{raw:?}");
            checked += 1;
        }
        assert_eq!(h.may_start(""), model(""));
        assert!(checked > 1_000);
        assert!(!h.may_start("xy") && h.may_start("Talks") && h.may_start("éx"));
        // Every pair of ASCII bytes has its own bit.
        let mut one = Heads::default();
        one.add("qz");
        let set = (0u8..128)
            .flat_map(|a| (0u8..128).map(move |b| [a, b]))
            .filter(|p| one.may_start_bytes(p))
            .count();
        assert_eq!(set, 4);
    }

    #[test]
    fn key_sets_find_exactly_their_keys() {
        // Keys of every length around the packed ones' limit, and every string of up to
        // four of these pieces asked for: a key's prefixes, extensions and other cases.
        let keys = ["a", "ab", "abcdefg", "abcdefgh", "é", "aé", "said", "x y"];
        let set: KeySet = keys.iter().map(|k| k.to_string()).collect();
        let pieces = [
            "a", "b", "cdefg", "h", "é", "A", " ", "x", "y", "said", "\0",
        ];
        let asked = crate::text::every_sequence(&pieces, 4);
        for q in &asked {
            assert_eq!(set.contains(q), keys.contains(&q.as_str()), "{q:?}");
        }
        assert!(asked.len() > 10_000);
        assert!(keys.iter().all(|k| set.contains(k)));
        assert_eq!(pack("ab"), pack("ab"));
        assert_ne!(pack("ab"), pack("ab\0"));
        assert_eq!(pack("abcdefgh"), None);
        let mut map: WordMap<Vec<usize>> = WordMap::default();
        for (i, k) in keys.iter().enumerate() {
            map.entry(k.as_bytes()).push(i);
        }
        for q in &asked {
            let want = keys.iter().position(|k| k == q).map(|i| vec![i]);
            assert_eq!(map.get(q.as_bytes()), want.as_ref(), "{q:?}");
        }
    }

    #[test]
    fn data_files_parse() {
        let l = lexicon();
        assert_eq!(
            l.titles.get("foreign minister").map(String::as_str),
            Some("foreign")
        );
        assert_eq!(l.country_of("Japanese"), Some("Japan"));
        assert_eq!(l.country_of("the Russian Federation"), Some("Russia"));
        assert!(l.cues.contains("pointed out"));
        assert_eq!(
            l.demonyms.get("Japan").map(String::as_str),
            Some("Japanese")
        );
        assert!(!l.name_word("Minister"));
        assert!(!l.name_word("MOSCOW"));
        assert!(l.name_word("Obama"));
    }

    #[test]
    fn months() {
        assert_eq!(month_number("January"), Some(1));
        assert_eq!(month_number("Sept."), Some(9));
        assert_eq!(month_number("dec"), Some(12));
        assert_eq!(month_number("Ma"), None);
        for (n, m) in (1..).zip(MONTHS) {
            let title = format!("{}{}", m[..1].to_uppercase(), &m[1..]);
            for w in [
                m.to_string(),
                m.to_uppercase(),
                title.clone(),
                format!("{title}."),
            ] {
                assert_eq!(month_number(&w), Some(n), "{w}");
            }
            assert_eq!(month_number(&title[..3]), Some(n), "{title}");
            assert_eq!(month_number(&format!("{title}s")), None, "{title}s");
        }
        for w in ["SEPT", "sept."] {
            assert_eq!(month_number(w), Some(9), "{w}");
        }
        for w in [
            "Marches", "Junes", "Decade", "Ministry", "Augusta", "Octet", "Julyx",
        ] {
            assert_eq!(month_number(w), None, "{w}");
        }
    }
}
