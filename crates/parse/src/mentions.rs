//! Stage 4, mentions: names of people with their titles and countries, organisations, and
//! descriptions of people (`the Russian top diplomat`), found by how names are written:
//!
//! - a title before a name (`Spanish President Ana Ruiz`, `Prime Minister of Chile
//!   Luis Soto`, `her Chilean counterpart Ana Ruiz`), or after it as an appositive
//!   (`Jan Novak, Czech Deputy Foreign Minister,`);
//! - an honorific (`Ms Roe`, `Mr. Obama`);
//! - a speaker label in a transcript, or a name next to a cue verb (`Anna Berg added`,
//!   `said John Doe`).
//!
//! A capitalised word sequence alone is never taken for a person: captions, book titles and
//! place names are not participants. Titles, honorifics, countries and organisation heads
//! come from `data/`.

use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;

use crate::lexicon::{lexicon, Lexicon};
use crate::model::ParticipantKind;
use crate::text::{sub, tokenize, Tok};

/// A one-word name waiting for its full name: (range, surname, title and class, country,
/// the form as written).
type Single = (
    Range<usize>,
    String,
    Option<(String, String)>,
    Option<String>,
    String,
);

/// How an actor is mentioned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The full name.
    Name,
    /// The surname, alone or after a title or honorific.
    Surname,
    /// A description (`the Japanese top diplomat`).
    Descriptor,
    /// An organisation's name.
    Org,
    /// A document's name (`the document`, `the Declaration`).
    Document,
}

/// One mention of an actor.
#[derive(Debug, Clone)]
pub struct Mention {
    /// Byte range in the cleaned text.
    pub range: Range<usize>,
    /// Index into [`Actors::list`].
    pub who: usize,
    /// How it is written.
    pub form: Form,
}

/// An actor under construction.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Canonical name.
    pub name: String,
    /// Person, organisation, document, unnamed, journalist.
    pub kind: ParticipantKind,
    /// Titles seen, in order, with their office class.
    pub titles: Vec<(String, String)>,
    /// Country, when a title or demonym gave one.
    pub country: Option<String>,
    /// Other forms seen.
    pub aliases: Vec<String>,
    /// True when the actor speaks or acts (organisations and documents are kept only then).
    pub acts: bool,
}

impl Actor {
    /// Records what a mention says about the actor: a title it holds, and its country
    /// when none is known yet.
    fn learn(&mut self, title: Option<(String, String)>, country: Option<String>) {
        if let Some(t) = title {
            self.titles.push(t);
        }
        if self.country.is_none() {
            self.country = country;
        }
    }

    fn new(name: &str, kind: ParticipantKind) -> Self {
        Self {
            name: name.to_string(),
            kind,
            titles: Vec::new(),
            country: None,
            aliases: Vec::new(),
            acts: kind == ParticipantKind::Person,
        }
    }

    /// The surname (last word of the name).
    pub fn surname(&self) -> &str {
        self.name.split_whitespace().last().unwrap_or("")
    }

    /// True when one of the actor's titles is of office class `class`.
    pub fn has_class(&self, class: &str) -> bool {
        self.titles.iter().any(|(_, c)| c == class)
    }

    fn add_alias(&mut self, alias: &str) {
        let a = alias.trim();
        if !a.is_empty() && a != self.name && !self.aliases.iter().any(|x| x == a) {
            self.aliases.push(a.to_string());
        }
    }
}

/// A description waiting to be resolved to a person by coreference.
#[derive(Debug, Clone)]
pub struct Descriptor {
    /// Byte range (`the Russian top diplomat`).
    pub range: Range<usize>,
    /// Office class of its title.
    pub class: String,
    /// Country its demonym names.
    pub country: Option<String>,
}

/// Everyone the document mentions.
#[derive(Debug, Default)]
pub struct Actors {
    /// Actors; indices are stable.
    pub list: Vec<Actor>,
    /// Mentions sorted by start.
    pub mentions: Vec<Mention>,
    /// Descriptions not yet resolved.
    pub descriptors: Vec<Descriptor>,
}

impl Actors {
    /// Index of the actor named `name` (exact), adding it when new.
    pub fn intern(&mut self, name: &str, kind: ParticipantKind) -> usize {
        if let Some(i) = self
            .list
            .iter()
            .position(|a| a.name == name && a.kind == kind)
        {
            return i;
        }
        self.list.push(Actor::new(name, kind));
        self.list.len() - 1
    }

    /// Records a mention unless one already covers that range (empty ranges are no mention).
    pub fn add_mention(&mut self, range: Range<usize>, who: usize, form: Form) {
        if range.is_empty() || self.mention_in(&range).is_some() {
            return;
        }
        let pos = self
            .mentions
            .partition_point(|m| m.range.start < range.start);
        self.mentions.insert(pos, Mention { range, who, form });
    }

    /// The mention overlapping `range`, if any.
    pub fn mention_in(&self, range: &Range<usize>) -> Option<&Mention> {
        // Mentions are non-empty, never overlap and are sorted by start, so their ends are
        // sorted too: of those starting before `range` ends, only the last can reach into it.
        let n = self.mentions.partition_point(|m| m.range.start < range.end);
        n.checked_sub(1)
            .and_then(|k| self.mentions.get(k))
            .filter(|m| range.start < m.range.end)
    }

    /// Mentions inside `range`, in order.
    pub fn mentions_within<'a>(
        &'a self,
        range: &'a Range<usize>,
    ) -> impl Iterator<Item = &'a Mention> + 'a {
        let from = self
            .mentions
            .partition_point(|m| m.range.start < range.start);
        self.mentions
            .get(from..)
            .unwrap_or(&[])
            .iter()
            .take_while(move |m| m.range.end <= range.end)
    }

    /// Marks an actor as acting or speaking.
    pub fn mark_acts(&mut self, who: usize) {
        if let Some(a) = self.list.get_mut(who) {
            a.acts = true;
        }
    }
}

fn word_at<'a>(text: &'a str, toks: &[Tok], i: usize) -> Option<&'a str> {
    toks.get(i).filter(|t| t.word).map(|t| t.text(text))
}

fn strip_possessive(w: &str) -> (&str, bool) {
    // Every ending below ends in `s`, `'` or the last byte of `’`: most words end otherwise
    // and are answered on their last byte.
    if !matches!(w.as_bytes().last(), Some(b's' | b'\'' | 0x99)) {
        return (w, false);
    }
    for suf in ["'s", "’s", "'", "’"] {
        if let Some(b) = w.strip_suffix(suf) {
            return (b, true);
        }
    }
    (w, false)
}

/// Reads a person's name starting at token `i`: up to four name words, the last possibly
/// possessive. Returns the end token index and the name.
pub fn read_name(
    text: &str,
    toks: &[Tok],
    i: usize,
    lex: &Lexicon,
) -> Option<(usize, String, Range<usize>)> {
    let mut parts: Vec<&str> = Vec::new();
    let mut j = i;
    let start = toks.get(i)?.start;
    let mut end = start;
    while parts.len() < 4 {
        let Some(w) = word_at(text, toks, j) else {
            break;
        };
        let (base, possessive) = strip_possessive(w);
        let particle = matches!(
            w,
            "de" | "van" | "von" | "bin" | "al" | "da" | "le" | "la" | "der" | "di"
        ) && !parts.is_empty()
            && word_at(text, toks, j + 1).is_some_and(|n| lex.name_word(n));
        if !(lex.name_word(base) || particle) || base.ends_with('.') && base.chars().count() > 2 {
            break;
        }
        parts.push(base);
        end = toks.get(j).map_or(end, |t| t.start + base.len());
        j += 1;
        if possessive {
            break;
        }
    }
    if parts.is_empty() {
        return None;
    }
    // A following name word means this is not a clean name boundary (e.g. a longer
    // organisation name); refuse rather than guess.
    if parts.len() == 4 && word_at(text, toks, j).is_some_and(|w| lex.name_word(w)) {
        return None;
    }
    Some((j, parts.join(" "), start..end))
}

/// Matches the longest title starting at token `i`. Returns (end token, title, class).
fn match_title(
    text: &str,
    toks: &[Tok],
    i: usize,
    first: &str,
    lex: &Lexicon,
) -> Option<(usize, String, String)> {
    // Most words start no title: tell before building a key.
    if !lex.title_prefixes.contains(first) {
        return None;
    }
    let mut best = None;
    let mut key = String::new();
    let mut j = i;
    while j - i < lex.max_title_words {
        let Some(w) = word_at(text, toks, j) else {
            break;
        };
        if !key.is_empty() {
            key.push(' ');
        }
        push_lower(&mut key, w);
        j += 1;
        if !lex.title_prefixes.contains(&key) {
            break;
        }
        if let Some(class) = lex.titles.get(&key) {
            let written: Vec<&str> = (i..j).filter_map(|k| word_at(text, toks, k)).collect();
            // An abbreviated title's full stop (`Gen.`) belongs to it.
            let dot = toks.get(j).is_some_and(|t| !t.word && t.text(text) == ".") && key.len() <= 4;
            best = Some((j + usize::from(dot), written.join(" "), class.clone()));
        }
    }
    best
}

/// `w` as [`push_lower`] writes it into a key, borrowed when that changes nothing: what
/// [`match_title`] and [`match_org`] take as their first word.
fn key_word(w: &str) -> std::borrow::Cow<'_, str> {
    if w.is_ascii() {
        crate::text::lower(w)
    } else {
        std::borrow::Cow::Owned(w.to_lowercase())
    }
}

/// Appends `w` in lower case to `buf` (no allocation for ASCII words).
fn push_lower(buf: &mut String, w: &str) {
    if w.is_ascii() {
        let from = buf.len();
        buf.push_str(w);
        if let Some(added) = buf.get_mut(from..) {
            added.make_ascii_lowercase();
        }
    } else {
        buf.push_str(&w.to_lowercase());
    }
}

/// Matches a country phrase at token `i` (`Japan`, `the Russian Federation`, `Russia's`):
/// returns (end token, country).
fn match_country(text: &str, toks: &[Tok], i: usize, lex: &Lexicon) -> Option<(usize, String)> {
    let mut j = i;
    if word_at(text, toks, j).is_some_and(|w| w.eq_ignore_ascii_case("the")) {
        j += 1;
    }
    let mut best = None;
    let mut key = String::new();
    for k in j..j + 4 {
        let Some(w) = word_at(text, toks, k) else {
            break;
        };
        if !key.is_empty() {
            key.push(' ');
        }
        push_lower(&mut key, w);
        if let Some(c) = lex.country_of(&key) {
            best = Some((k + 1, c.to_string()));
        }
        let bare = crate::lexicon::trim_possessive(&key);
        if !lex.country_prefixes.contains(bare) {
            break;
        }
    }
    best
}

fn is_cue_at(text: &str, toks: &[Tok], i: usize, lex: &Lexicon) -> bool {
    let Some(w) = word_at(text, toks, i) else {
        return false;
    };
    let w = crate::text::lower(w);
    if lex.cues.contains(w.as_ref()) {
        return true;
    }
    lex.cue_firsts.contains(w.as_ref())
        && word_at(text, toks, i + 1)
            .is_some_and(|n| lex.cues.contains(&format!("{w} {}", crate::text::lower(n))))
}

const DETERMINERS: &[&str] = &["the", "his", "her", "their", "its", "our", "your"];

/// Finds every mention in the given line ranges.
pub fn find(text: &str, lines: &[Range<usize>], labels: &[Range<usize>]) -> Actors {
    let lex = lexicon();
    let mut actors = Actors::default();
    // Single-word names (after an honorific or a title) are resolved once all full names
    // are known: (range, surname, title, class, country, alias).
    let mut singles: Vec<Single> = Vec::new();

    for r in labels {
        let all_toks = tokenize(text, r.clone());
        let toks: &[Tok] = &all_toks;
        if let Some((_, name, nr)) = read_name(text, toks, 0, lex) {
            if name.contains(' ') {
                let who = actors.intern(&name, ParticipantKind::Person);
                actors.add_mention(nr, who, Form::Name);
            }
        }
        // `(speaking after John Doe)`
        if let Some(p) = toks
            .iter()
            .position(|t| t.text(text).eq_ignore_ascii_case("after"))
        {
            if let Some((_, name, nr)) = read_name(text, toks, p + 1, lex) {
                if name.contains(' ') {
                    let who = actors.intern(&name, ParticipantKind::Person);
                    actors.add_mention(nr, who, Form::Name);
                }
            }
        }
    }

    for r in lines {
        let all_toks = tokenize(text, r.clone());
        let toks: &[Tok] = &all_toks;
        let mut i = 0;
        while i < toks.len() {
            let Some(w) = word_at(text, toks, i) else {
                i += 1;
                continue;
            };
            // Honorifics, organisations and titles: only words whose first two bytes start
            // one of them (most words do not) are lower-cased and looked up.
            let may_start = lex.mention_heads.may_start(w);
            if may_start {
                let lw = crate::text::lower(w);
                // The word as a title or organisation key starts (see `key_word`).
                let key = if w.is_ascii() {
                    std::borrow::Cow::Borrowed(lw.as_ref())
                } else {
                    key_word(w)
                };
                // Honorific + name.
                if lex.honorifics.contains(lw.as_ref()) {
                    let mut j = i + 1;
                    if toks.get(j).is_some_and(|t| !t.word && t.text(text) == ".") {
                        j += 1;
                    }
                    if let Some((end, name, nr)) = read_name(text, toks, j, lex) {
                        let alias_end = nr.end;
                        let alias =
                            sub(text, toks.get(i).map_or(0, |t| t.start)..alias_end).to_string();
                        if name.contains(' ') {
                            let who = actors.intern(&name, ParticipantKind::Person);
                            actors.add_mention(nr, who, Form::Name);
                            if let Some(a) = actors.list.get_mut(who) {
                                a.add_alias(&alias);
                            }
                        } else {
                            let start = toks.get(i).map_or(0, |t| t.start);
                            singles.push((start..alias_end, name, None, None, alias));
                        }
                        i = end;
                        continue;
                    }
                }
                // Organisation: [demonym] head.
                if let Some((end, canon)) = match_org(text, toks, i, &key, lex) {
                    let (country, start_tok) = i
                        .checked_sub(1)
                        .and_then(|p| {
                            word_at(text, toks, p)
                                .and_then(|d| lex.country_of(d).map(|c| (c.to_string(), p)))
                        })
                        .map_or((None, i), |(c, p)| (Some(c), p));
                    let name = match &country {
                        Some(c) => format!(
                            "{} {canon}",
                            lex.demonyms.get(c).cloned().unwrap_or_else(|| c.clone())
                        ),
                        None => canon,
                    };
                    let who = actors.intern(&name, ParticipantKind::Organization);
                    if let Some(a) = actors.list.get_mut(who) {
                        a.learn(None, country);
                    }
                    let start = toks.get(start_tok).map_or(0, |t| t.start);
                    let stop = toks.get(end - 1).map_or(start, |t| t.end);
                    let written = sub(text, start..stop).to_string();
                    if let Some(a) = actors.list.get_mut(who) {
                        a.add_alias(&written);
                    }
                    actors.add_mention(start..stop, who, Form::Org);
                    i = end;
                    continue;
                }
                // Title (+ of Country) + name, or a description.
                if let Some((t_end, title, class)) = match_title(text, toks, i, &key, lex) {
                    let mut country = i
                        .checked_sub(1)
                        .and_then(|p| word_at(text, toks, p))
                        .and_then(|d| lex.country_of(d))
                        .map(str::to_string);
                    let mut j = t_end;
                    if word_at(text, toks, j).is_some_and(|w| w == "of") {
                        if let Some((c_end, c)) = match_country(text, toks, j + 1, lex) {
                            country = Some(c);
                            j = c_end;
                        } else if let Some(w) = word_at(text, toks, j + 1) {
                            // `of Peru Luis Soto`: an unknown country, one capitalised word, when a
                            // full name follows it.
                            let followed_by_name = read_name(text, toks, j + 2, lex)
                                .is_some_and(|(_, n, _)| n.contains(' '));
                            if lex.name_word(w) && followed_by_name {
                                country = Some(w.to_string());
                                j += 2;
                            }
                        }
                    }
                    if let Some((end, name, nr)) = read_name(text, toks, j, lex) {
                        let title_opt =
                            (class != "counterpart").then(|| (title.clone(), class.clone()));
                        let alias = format!("{title} {}", sub(text, nr.clone()));
                        if name.contains(' ') {
                            let who = actors.intern(&name, ParticipantKind::Person);
                            actors.add_mention(nr, who, Form::Name);
                            if let Some(a) = actors.list.get_mut(who) {
                                a.learn(title_opt, country);
                            }
                        } else if class != "counterpart" || country.is_some() {
                            singles.push((nr, name, title_opt, country, alias));
                        }
                        i = end;
                        continue;
                    }
                    // A description: determiner [demonym] title.
                    let det = (1..=2).find_map(|back| {
                        let p = i.checked_sub(back)?;
                        let d = crate::text::lower(word_at(text, toks, p)?);
                        DETERMINERS.contains(&&*d).then_some(p)
                    });
                    if let Some(p) = det {
                        let between_ok = p + 1 == i || country.is_some();
                        if between_ok && class != "counterpart" {
                            let start = toks.get(p).map_or(0, |t| t.start);
                            let end = toks.get(j - 1).map_or(start, |t| t.end);
                            actors.descriptors.push(Descriptor {
                                range: start..end,
                                class: class.clone(),
                                country: country.clone(),
                            });
                        }
                    }
                    i = j.max(i + 1);
                    continue;
                }
            }
            // Name next to a cue verb, or an appositive title after a name.
            if lex.name_word(strip_possessive(w).0)
                && (i == 0 || !word_at(text, toks, i - 1).is_some_and(|p| lex.name_word(p)))
            {
                if let Some((end, name, nr)) = read_name(text, toks, i, lex) {
                    if name.contains(' ') {
                        let cue_after = is_cue_at(text, toks, end, lex);
                        let cue_before = i.checked_sub(1).is_some_and(|p| {
                            word_at(text, toks, p)
                                .is_some_and(|x| lex.cues.contains(crate::text::lower(x).as_ref()))
                        });
                        let appositive = appositive_title(text, toks, end, lex);
                        let known = actors.list.iter().any(|a| a.name == name);
                        if cue_after || cue_before || appositive.is_some() || known {
                            let who = actors.intern(&name, ParticipantKind::Person);
                            actors.add_mention(nr, who, Form::Name);
                            if let Some((title, class, country)) = appositive {
                                if let Some(a) = actors.list.get_mut(who) {
                                    a.learn(Some((title, class)), country);
                                }
                            }
                        }
                    }
                    i = end.max(i + 1);
                    continue;
                }
            }
            i += 1;
        }
    }

    // Full names and surnames of known people, wherever they recur.
    let mut by_surname: HashMap<String, Vec<usize>> = HashMap::default();
    for (idx, a) in actors.list.iter().enumerate() {
        if a.kind == ParticipantKind::Person && a.name.contains(' ') {
            by_surname
                .entry(a.surname().to_string())
                .or_default()
                .push(idx);
        }
    }
    for (range, surname, title, country, alias) in singles {
        let who = match by_surname.get(&surname).map(Vec::as_slice) {
            Some([one]) => *one,
            Some(many) => match many.iter().find(|&&p| {
                actors
                    .list
                    .get(p)
                    .is_some_and(|a| country.is_some() && a.country == country)
            }) {
                Some(p) => *p,
                None => continue,
            },
            None => actors.intern(&surname, ParticipantKind::Person),
        };
        actors.add_mention(range, who, Form::Surname);
        if let Some(a) = actors.list.get_mut(who) {
            a.learn(title, country);
            a.add_alias(&alias);
        }
    }
    // Full names by their first word, in actor order.
    let mut by_first: HashMap<&str, Vec<(usize, Vec<&str>)>> = HashMap::default();
    for (idx, a) in actors.list.iter().enumerate() {
        if a.kind == ParticipantKind::Person && a.name.contains(' ') {
            let parts: Vec<&str> = a.name.split(' ').collect();
            if let Some(first) = parts.first() {
                by_first
                    .entry(first)
                    .or_default()
                    .push((idx, parts.clone()));
            }
        }
    }
    // The first two bytes of every full name and surname, to pass over most words unhashed.
    let mut heads = crate::lexicon::Heads::default();
    for k in by_first
        .keys()
        .copied()
        .chain(by_surname.keys().map(String::as_str))
    {
        heads.add(k);
    }
    let mut found: Vec<(Range<usize>, usize, Form)> = Vec::new();
    let mut alias_of: Vec<(usize, Range<usize>)> = Vec::new();
    for r in lines {
        let all_toks = tokenize(text, r.clone());
        let toks: &[Tok] = &all_toks;
        for (i, t) in toks.iter().enumerate() {
            if !t.word {
                continue;
            }
            let (base, _) = strip_possessive(t.text(text));
            if !heads.may_contain(base) {
                continue;
            }
            // Full name starting here?
            let full = by_first.get(base).and_then(|cands| {
                cands.iter().find(|(_, parts)| {
                    parts.iter().enumerate().all(|(k, p)| {
                        word_at(text, toks, i + k).is_some_and(|w| strip_possessive(w).0 == *p)
                    })
                })
            });
            if let Some((who, parts)) = full {
                let end = toks
                    .get(i + parts.len() - 1)
                    .map_or(t.end, |e| e.start + strip_possessive(e.text(text)).0.len());
                found.push((t.start..end, *who, Form::Name));
                continue;
            }
            if let Some([who]) = by_surname.get(base).map(Vec::as_slice) {
                let end = t.start + base.len();
                found.push((t.start..end, *who, Form::Surname));
                alias_of.push((found.len() - 1, t.start..end));
            }
        }
    }
    drop(by_first);
    let mut alias_at = alias_of.into_iter().peekable();
    for (n, (range, who, form)) in found.into_iter().enumerate() {
        let before = actors.mentions.len();
        actors.add_mention(range, who, form);
        if alias_at.peek().is_some_and(|(k, _)| *k == n) {
            if let Some((_, r)) = alias_at.next() {
                if actors.mentions.len() > before {
                    let base = sub(text, r).to_string();
                    if let Some(a) = actors.list.get_mut(who) {
                        a.add_alias(&base);
                    }
                }
            }
        }
    }
    actors
}

/// `, [the] [Demonym] Title [of ...]` after a name: returns (title text, class, country).
fn appositive_title(
    text: &str,
    toks: &[Tok],
    i: usize,
    lex: &Lexicon,
) -> Option<(String, String, Option<String>)> {
    if toks.get(i).is_none_or(|t| t.word || t.text(text) != ",") {
        return None;
    }
    let mut j = i + 1;
    if word_at(text, toks, j).is_some_and(|w| matches!(&*crate::text::lower(w), "the" | "a" | "an"))
    {
        j += 1;
    }
    let mut country = None;
    if let Some(c) = word_at(text, toks, j).and_then(|w| lex.country_of(w)) {
        country = Some(c.to_string());
        j += 1;
    }
    // An adjective the lists do not know (`Czech`, `acting`) may stand before the title.
    let title_at = |k: usize| match_title(text, toks, k, &key_word(word_at(text, toks, k)?), lex);
    let (t_end, _, class) = match title_at(j) {
        Some(t) => t,
        None => {
            let t = title_at(j + 1)?;
            j += 1;
            t
        }
    };
    // The title runs to the next comma or sentence end (at most 14 tokens).
    let start = toks.get(j)?.start;
    let mut k = t_end;
    while k < j + 14 {
        match toks.get(k) {
            Some(t) if t.word || !matches!(t.text(text), "," | "." | ";" | ")" | "(") => k += 1,
            _ => break,
        }
    }
    let end = toks.get(k - 1)?.end;
    let title = sub(text, start..end).to_string();
    if country.is_none() {
        // `Deputy Speaker of the Russian Federation Council`
        country = (t_end..k).find_map(|m| {
            word_at(text, toks, m)
                .and_then(|w| lex.country_of(w))
                .map(str::to_string)
        });
    }
    Some((title, class, country))
}

fn match_org(
    text: &str,
    toks: &[Tok],
    i: usize,
    first: &str,
    lex: &Lexicon,
) -> Option<(usize, String)> {
    // Most words start no organisation: tell before building a key.
    if !lex.org_prefixes.contains(first) {
        return None;
    }
    let mut best = None;
    let mut key = String::new();
    for j in i..i + 5 {
        let Some(w) = word_at(text, toks, j) else {
            break;
        };
        if !key.is_empty() {
            key.push(' ');
        }
        push_lower(&mut key, w);
        if !lex.org_prefixes.contains(&key) {
            break;
        }
        if let Some(c) = lex.organizations.get(&key) {
            best = Some((j + 1, c.clone()));
        }
    }
    // Organisation heads need a capital, a demonym or a determiner to be a name.
    let (end, canon) = best?;
    let first = word_at(text, toks, i)?;
    let prev = i.checked_sub(1).and_then(|p| word_at(text, toks, p));
    let qualified = first.chars().next().is_some_and(char::is_uppercase)
        || prev.is_some_and(|p| lex.country_of(p).is_some());
    qualified.then_some((end, canon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn possessives_are_stripped_as_by_trying_each_ending() {
        let model = |w: &str| {
            for suf in ["'s", "’s", "'", "’"] {
                if let Some(b) = w.strip_suffix(suf) {
                    return (b.to_string(), true);
                }
            }
            (w.to_string(), false)
        };
        let alphabet = ['a', 's', '\'', '’', 'x', '™'];
        for w in &crate::text::every_sequence(&alphabet, 4) {
            let (b, p) = strip_possessive(w);
            assert_eq!((b.to_string(), p), model(w), "{w:?}");
        }
    }

    fn people(t: &str) -> Vec<(String, Option<String>, Option<String>)> {
        let a = find(t, std::slice::from_ref(&(0..t.len())), &[]);
        a.list
            .iter()
            .filter(|a| a.kind == ParticipantKind::Person)
            .map(|a| {
                (
                    a.name.clone(),
                    a.titles.first().map(|t| t.0.clone()),
                    a.country.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn titles_before_names() {
        let got = people("Spanish President Ana Ruiz met Prime Minister of Peru Luis Soto.");
        assert_eq!(
            got,
            vec![
                (
                    "Ana Ruiz".into(),
                    Some("President".into()),
                    Some("Spain".into())
                ),
                (
                    "Luis Soto".into(),
                    Some("Prime Minister".into()),
                    Some("Peru".into())
                ),
            ]
        );
    }

    #[test]
    fn titles_after_names() {
        let got =
            people("The plan was drafted by Jan Novak, Czech Deputy Foreign Minister, last year.");
        assert_eq!(got.first().map(|p| p.0.as_str()), Some("Jan Novak"));
        assert_eq!(
            got.first().and_then(|p| p.1.clone()),
            Some("Deputy Foreign Minister".into())
        );
    }

    #[test]
    fn honorifics_and_cues() {
        let got = people("\"Fine,\" said Mr. Obama. Later Anna Berg added that it was late.");
        let names: Vec<&str> = got.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(names, vec!["Anna Berg", "Obama"]);
    }

    #[test]
    fn capitalised_phrases_alone_are_not_people() {
        assert!(people("The Essential Guide: Chronicling The Empire").is_empty());
        assert!(
            people("He visited Hokkaido Prefecture and the Liberal Democratic Party.").is_empty()
        );
    }

    #[test]
    fn surnames_link_to_full_names() {
        let t = "Foreign Minister Ana Ruiz spoke. Later Ruiz left; Mrs Ruiz's aide stayed.";
        let a = find(t, std::slice::from_ref(&(0..t.len())), &[]);
        assert_eq!(a.list.len(), 1);
        assert_eq!(a.mentions.len(), 3);
    }
}
