//! Stage 6, quotations.
//!
//! Transcripts: one quotation per paragraph of each turn, spoken by the turn's speaker; and
//! inside a turn, words the speaker quotes from someone else with a cue (`“...”, as he put
//! it`), attributed to that someone and reported by the speaker.
//!
//! Reports: text in double quotation marks (straight, curly, guillemets) attributed by a cue
//! after it (`"...," X said`, `"...," said X`), before it (`X said: "..."`, `According to X,
//! "..."`, `X recalled that ... "..."`), or by continuation (a quote right after another one
//! of the same speaker, a quote that runs over several paragraphs, `adding that "..."`).
//! Quoted names of things and scare quotes (`the "2+2" format`, `designated as "northern
//! territories"`) are not quotations. Single quotes inside double quotes stay part of the
//! quotation.

use std::ops::Range;

use crate::coref::{Subjects, PRONOUNS};
use crate::lexicon::lexicon;
use crate::mentions::{Actors, Form};
use crate::model::{ParticipantKind, QuotationKind, TurnKind};
use crate::segment::{RawTurn, Sentence};
use crate::text::{sub, tokenize, Tok};

/// A pair of quotation marks within a line.
#[derive(Debug, Clone)]
pub struct Marks {
    /// Byte offset of the opening mark.
    pub open: usize,
    /// Byte offset just after the content (the closing mark's offset), or the line end.
    pub close: usize,
    /// False when the line ended before a closing mark.
    pub closed: bool,
}

fn opening_context(prev: Option<char>) -> bool {
    prev.is_none_or(|p| {
        p.is_whitespace() || matches!(p, '(' | '[' | '—' | '–' | '-' | '/' | ':' | '‘' | '\'')
    })
}

/// Pairs double quotation marks in `text[line]`.
pub fn pair_marks(text: &str, line: Range<usize>) -> Vec<Marks> {
    let s = sub(text, line.clone());
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    // Only marks matter: `"`, and the marks that start with the lead byte 0xC2 (`«`, `»`)
    // or 0xE2 (`“`, `”`, `„`). Lead bytes never occur inside another char.
    let mut from = 0;
    while let Some(b) = bytes
        .get(from..)
        .and_then(|r| memchr::memchr3(b'"', 0xC2, 0xE2, r))
        .map(|off| from + off)
    {
        let Some(c) = s.get(b..).and_then(|r| r.chars().next()) else {
            break;
        };
        from = b + c.len_utf8();
        let prev = s.get(..b).and_then(|p| p.chars().next_back());
        let next = s.get(from..).and_then(|r| r.chars().next());
        let kind = match c {
            '“' | '«' | '„' => Some(true),
            '”' | '»' => Some(false),
            '"' => {
                if open.is_none()
                    && opening_context(prev)
                    && next.is_some_and(|n| !n.is_whitespace())
                {
                    Some(true)
                } else if open.is_some() {
                    Some(false)
                } else {
                    None
                }
            }
            _ => None,
        };
        match (kind, open) {
            (Some(true), None) => open = Some(line.start + b),
            (Some(true), Some(_)) => open = Some(line.start + b),
            (Some(false), Some(o)) => {
                out.push(Marks {
                    open: o,
                    close: line.start + b,
                    closed: true,
                });
                open = None;
            }
            _ => {}
        }
    }
    if let Some(o) = open {
        out.push(Marks {
            open: o,
            close: line.end,
            closed: false,
        });
    }
    out
}

/// A quotation before it is placed in the extraction.
#[derive(Debug, Clone)]
pub struct RawQuote {
    /// Byte range of the words (marks excluded, trailing comma trimmed).
    pub range: Range<usize>,
    /// Transcript, direct or partial.
    pub kind: QuotationKind,
    /// Speaking actor.
    pub speaker: Option<usize>,
    /// How the speaker is named at the attribution.
    pub label: Option<String>,
    /// The cue word.
    pub cue: Option<String>,
    /// Reporting actor (for a quote quoted by a speaker).
    pub reported_by: Option<usize>,
    /// True for a journalist's question in a transcript.
    pub question: bool,
}

/// A pair of marks with the line it closes in (and its index) and the line it opens in
/// (and its index): they differ for a quote that runs over several paragraphs.
type Pair = (Marks, Range<usize>, usize, Range<usize>, usize);

/// What the attribution search found.
#[derive(Debug, Clone)]
struct Attribution {
    who: usize,
    label: String,
    cue: String,
}

struct Ctx<'a> {
    text: &'a str,
    actors: &'a mut Actors,
    sentences: &'a [Sentence],
    /// True when each sentence ends before the next starts (as segmenting makes them), so
    /// the sentence holding a position is found by bisection.
    ordered: bool,
    subjects: &'a Subjects,
}

impl Ctx<'_> {
    fn sentence_of(&self, pos: usize) -> Option<usize> {
        let holds = |s: &Sentence| s.range.start <= pos && pos < s.range.end.max(s.range.start + 1);
        if self.ordered {
            let n = self.sentences.partition_point(|s| s.range.start <= pos);
            return n
                .checked_sub(1)
                .filter(|&k| self.sentences.get(k).is_some_and(holds));
        }
        self.sentences.iter().position(holds)
    }

    /// Resolves the words `toks[from..to]` naming a speaker.
    fn resolve(
        &mut self,
        toks: &[Tok],
        from: usize,
        to: usize,
        pos: usize,
    ) -> Option<(usize, String)> {
        let text = self.text;
        let words: Vec<&Tok> = toks.get(from..to)?.iter().filter(|t| t.word).collect();
        let first = words.first()?;
        let last = words.last()?;
        let label = sub(text, first.start..last.end).to_string();
        let lower = label.to_lowercase();
        // Unnamed sources: "a senior State Department official".
        const SOURCE_NOUNS: &[&str] = &[
            "official",
            "officials",
            "source",
            "sources",
            "diplomat",
            "diplomats",
            "spokesperson",
            "spokesman",
            "spokeswoman",
            "representative",
            "aide",
            "insider",
            "analyst",
            "expert",
        ];
        if matches!(
            lower.split(' ').next(),
            Some("a" | "an" | "one" | "two" | "several")
        ) && words.len() >= 2
            && lower
                .split(' ')
                .next_back()
                .is_some_and(|w| SOURCE_NOUNS.contains(&w))
        {
            let who = self.actors.intern(&label, ParticipantKind::Unnamed);
            self.actors.mark_acts(who);
            return Some((who, label));
        }
        for t in &words {
            if let Some(m) = self.actors.mention_in(&(t.start..t.end)) {
                let who = m.who;
                if self.actors.list.get(who).is_some_and(|a| {
                    a.kind == ParticipantKind::Person || a.kind == ParticipantKind::Organization
                }) {
                    self.actors.mark_acts(who);
                    return Some((who, label));
                }
            }
        }
        if words.len() == 1 && PRONOUNS.contains(&lower.as_str()) {
            let s = self.sentence_of(pos)?;
            let who = self
                .subjects
                .of
                .get(s)
                .copied()
                .flatten()
                .or_else(|| self.subjects.pronoun(s))?;
            return Some((who, label));
        }
        // Documents that "say": the document, the declaration...
        const DOC_NOUNS: &[&str] = &[
            "document",
            "declaration",
            "treaty",
            "statement",
            "communique",
            "communiqué",
            "charter",
            "agreement",
            "resolution",
            "memorandum",
            "text",
            "report",
        ];
        if matches!(lower.split(' ').next(), Some("the" | "this"))
            && lower.split(' ').take(3).any(|w| DOC_NOUNS.contains(&w))
            && words.len() <= 4
        {
            let name = self.document_name(pos).unwrap_or_else(|| {
                label
                    .trim_start_matches("The ")
                    .trim_start_matches("the ")
                    .to_string()
            });
            let who = self.actors.intern(&name, ParticipantKind::Document);
            self.actors.mark_acts(who);
            self.actors
                .add_mention(first.start..last.end, who, Form::Document);
            return Some((who, label));
        }
        None
    }

    /// The nearest capitalised document name before `pos` (`the 1956 Declaration`).
    fn document_name(&self, pos: usize) -> Option<String> {
        const HEADS: &[&str] = &[
            "Declaration",
            "Treaty",
            "Charter",
            "Agreement",
            "Communiqué",
            "Communique",
            "Memorandum",
            "Accords",
            "Convention",
            "Resolution",
            "Statement",
        ];
        let before = self.text.get(..pos)?;
        let all_toks = tokenize(self.text, 0..before.len());
        let toks: &[Tok] = &all_toks;
        let (hi, _) = toks
            .iter()
            .enumerate()
            .rev()
            .find(|(_, t)| t.word && HEADS.contains(&t.text(self.text)))?;
        let mut lo = hi;
        while lo > 0 {
            let Some(p) = toks.get(lo - 1) else { break };
            let w = p.text(self.text);
            let cap = p.word
                && (w
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()));
            if !cap || matches!(w, "The" | "This" | "A") {
                break;
            }
            lo -= 1;
        }
        let start = toks.get(lo)?.start;
        let mut end = toks.get(hi)?.end;
        // `of 1956`
        if toks.get(hi + 1).is_some_and(|t| t.text(self.text) == "of") {
            if let Some(y) = toks
                .get(hi + 2)
                .filter(|t| t.text(self.text).chars().all(|c| c.is_ascii_digit()))
            {
                end = y.end;
            }
        }
        Some(sub(self.text, start..end).to_string())
    }
}

fn is_cue(
    lex: &crate::lexicon::Lexicon,
    text: &str,
    toks: &[Tok],
    i: usize,
) -> Option<(usize, String)> {
    let raw = toks.get(i).filter(|t| t.word)?.text(text);
    // Most words are no cue and no cue's first word: told before lower-casing them into a
    // string of their own.
    if !lex.cue_firsts.may_hold_lower_of(raw) && !lex.cues.may_hold_lower_of(raw) {
        return None;
    }
    let w = raw.to_lowercase();
    if let Some(n) = toks
        .get(i + 1)
        .filter(|t| t.word && lex.cue_firsts.contains(&w))
    {
        let two = format!("{w} {}", crate::text::lower(n.text(text)));
        if lex.cues.contains(&two) {
            return Some((i + 2, two));
        }
    }
    lex.cues.contains(&w).then_some((i + 1, w))
}

fn words_count(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count()
}

/// Finds quotations. `body` are the body lines (headings excluded) of a report; `turns` the
/// transcript's turns with their speakers.
#[allow(clippy::too_many_arguments)]
pub fn find(
    text: &str,
    actors: &mut Actors,
    sentences: &[Sentence],
    subjects: &Subjects,
    body: &[Range<usize>],
    turns: &[(RawTurn, Option<usize>)],
    transcript: bool,
) -> Vec<RawQuote> {
    let ordered = sentences.windows(2).all(|w| match w {
        [a, b] => a.range.end.max(a.range.start + 1) <= b.range.start,
        _ => true,
    });
    let mut ctx = Ctx {
        text,
        actors,
        sentences,
        ordered,
        subjects,
    };
    let mut out = Vec::new();
    if transcript {
        for (turn, speaker) in turns {
            for p in &turn.paras {
                out.push(RawQuote {
                    range: p.clone(),
                    kind: QuotationKind::Transcript,
                    speaker: *speaker,
                    label: Some(if turn.label.is_empty() {
                        String::new()
                    } else {
                        turn.label.clone()
                    })
                    .filter(|l| !l.is_empty()),
                    cue: None,
                    reported_by: None,
                    question: turn.kind == TurnKind::Question,
                });
                // Words quoted by the speaker from someone else.
                for m in pair_marks(text, p.clone()).into_iter().filter(|m| m.closed) {
                    let content = m.open + mark_len(text, m.open)..m.close;
                    if let Some(a) = local_attribution(&mut ctx, &m, p) {
                        if Some(a.who) != *speaker {
                            out.push(RawQuote {
                                range: trim_content(text, content),
                                kind: QuotationKind::Partial,
                                speaker: Some(a.who),
                                label: Some(a.label),
                                cue: Some(a.cue),
                                reported_by: *speaker,
                                question: false,
                            });
                        }
                    }
                }
            }
        }
        return out;
    }

    // Reports: collect mark pairs, joining quotes that run over several paragraphs.
    // marks, the line it closes in and its index, the line it opens in and its index
    let mut pairs: Vec<Pair> = Vec::new();
    let mut carry: Option<(usize, Range<usize>, usize)> = None;
    for (li, line) in body.iter().enumerate() {
        let marks = pair_marks(text, line.clone());
        for (k, m) in marks.iter().enumerate() {
            let mut m = m.clone();
            let mut first = (line.clone(), li);
            if k == 0 {
                if let Some((open, first_line, first_li)) = carry.take() {
                    // Continuation paragraph opens with a mark: the quote goes on.
                    if sub(text, line.clone())
                        .trim_start()
                        .starts_with(['"', '“', '«'])
                        && m.open == line.start
                    {
                        m.open = open;
                        first = (first_line, first_li);
                    }
                }
            }
            if !m.closed && k + 1 == marks.len() {
                let next_opens = body
                    .get(li + 1)
                    .is_some_and(|n| sub(text, n.clone()).starts_with(['"', '“', '«']));
                if next_opens {
                    carry = Some((m.open, first.0.clone(), first.1));
                    continue;
                }
            }
            pairs.push((m, line.clone(), li, first.0, first.1));
        }
    }

    let lex = lexicon();
    let mut found: Vec<(RawQuote, usize, bool)> = Vec::new(); // quote, line index, attributed adjacent-after
    for (m, line, li, first_line, first_li) in &pairs {
        let content = trim_content(text, m.open + mark_len(text, m.open)..m.close);
        let words = sub(text, content.clone());
        let wc = words_count(words);
        let after = sub(text, m.close..line.end);
        let after_close = after.chars().next().map_or(0, char::len_utf8);
        let after_text = after.get(after_close..).unwrap_or("");
        let before = sub(text, first_line.start..m.open);
        let before_trim = before.trim_end();
        // Names of things: too few words, or a naming verb before, or used as a noun.
        let before_lower = before_trim.to_lowercase();
        let naming_before = [
            "so-called",
            "called",
            "dubbed",
            "known as",
            "designated as",
            "termed",
            "named",
            "labelled",
            "labeled",
            "as",
            "word",
            "term",
            "phrase",
        ]
        .iter()
        .any(|w| before_lower.ends_with(w));
        let noun_after = after_text.starts_with(' ')
            && after_text
                .trim_start()
                .chars()
                .next()
                .is_some_and(char::is_lowercase)
            && !after_text.trim_start().starts_with("he ")
            && !after_text.trim_start().starts_with("she ");
        let local = local_attribution(&mut ctx, m, line);
        if wc < 2
            || (wc <= 4 && naming_before && local.is_none())
            || (wc <= 3 && noun_after && local.is_none())
        {
            continue;
        }
        // Attribution after the quote.
        let after_attr = attribution_after(&mut ctx, m.close + after_close, line.end);
        let starts_sentence = before_trim.is_empty()
            || before_trim.ends_with(['.', '?', '!', '"', '”', ':'])
            || ctx
                .sentence_of(m.open)
                .and_then(|s| ctx.sentences.get(s))
                .is_some_and(|s| sub(text, s.range.start..m.open).trim().is_empty());
        let after_cue_comma = {
            let all_toks = tokenize(text, line.start..m.open);
            let toks: &[Tok] = &all_toks;
            let n = toks.len();
            n >= 2
                && toks
                    .get(n - 1)
                    .is_some_and(|t| matches!(t.text(text), ":" | ","))
                && is_cue(lex, text, toks, n - 2).is_some()
        };
        let kind = if starts_sentence || after_cue_comma || before_trim.ends_with(':') {
            QuotationKind::Direct
        } else {
            QuotationKind::Partial
        };
        // `She said:` closing the paragraph before a quote that opens its own paragraph.
        let prev_colon = (m.open == first_line.start)
            .then(|| body.get(first_li.wrapping_sub(1)))
            .flatten()
            .filter(|p| sub(text, (*p).clone()).trim_end().ends_with(':'))
            .cloned();
        let attr = after_attr
            .clone()
            .or(local)
            .or_else(|| attribution_before(&mut ctx, m.open, first_line.start))
            .or_else(|| {
                prev_colon
                    .and_then(|p| attribution_before(&mut ctx, p.end.saturating_sub(1), p.start))
            });
        let q = RawQuote {
            range: content,
            kind,
            speaker: attr.as_ref().map(|a| a.who),
            label: attr.as_ref().map(|a| a.label.clone()),
            cue: attr.as_ref().map(|a| a.cue.clone()),
            reported_by: None,
            question: false,
        };
        found.push((q, *li, after_attr.is_some()));
    }
    // Continuation: an unattributed quote takes the speaker of the quote before it in the
    // same or the previous paragraph, or else of the next attributed quote in its paragraph.
    for i in 0..found.len() {
        if found.get(i).is_some_and(|f| f.0.speaker.is_some()) {
            continue;
        }
        let li = found.get(i).map_or(0, |f| f.1);
        let with_speaker = |f: &&(RawQuote, usize, bool)| f.0.speaker.is_some();
        let before: Vec<&(RawQuote, usize, bool)> = found
            .get(..i)
            .unwrap_or(&[])
            .iter()
            .filter(with_speaker)
            .collect();
        let after: Vec<&(RawQuote, usize, bool)> = found
            .get(i + 1..)
            .unwrap_or(&[])
            .iter()
            .filter(with_speaker)
            .collect();
        let prev_same = before.iter().rev().find(|f| f.1 == li);
        let next_same = after.iter().find(|f| f.1 == li && f.2);
        let prev_line = before.iter().rev().find(|f| f.1 + 1 == li);
        let src = prev_same.or(next_same).or(prev_line).map(|f| f.0.clone());
        if let (Some(src), Some(f)) = (src, found.get_mut(i)) {
            f.0.speaker = src.speaker;
            f.0.label = src.label;
            f.0.cue = Some("continuation".into());
        }
    }
    out.extend(found.into_iter().map(|f| f.0));
    out
}

fn mark_len(text: &str, pos: usize) -> usize {
    text.get(pos..)
        .and_then(|s| s.chars().next())
        .map_or(1, char::len_utf8)
}

/// The words inside the marks without surrounding space and a trailing comma.
fn trim_content(text: &str, r: Range<usize>) -> Range<usize> {
    let s = sub(text, r.clone());
    let lead = s.len() - s.trim_start().len();
    let t = s.trim();
    let t2 = t.trim_end_matches([',', ' ']);
    r.start + lead..r.start + lead + t2.len()
}

/// `"...," X said` / `"...," said X` / `"...," he added`: the attribution that follows a
/// closing mark, up to the end of its clause.
fn attribution_after(ctx: &mut Ctx<'_>, from: usize, line_end: usize) -> Option<Attribution> {
    let lex = lexicon();
    let text = ctx.text;
    let rest = sub(text, from..line_end);
    // Only when the quote ended its clause: a comma, a full stop inside the marks, or text.
    let all_toks = tokenize(text, from..line_end);
    let toks: &[Tok] = &all_toks;
    let mut i = 0;
    if toks.first().is_some_and(|t| !t.word && t.text(text) == ",") {
        i = 1;
    }
    if rest.trim_start().starts_with(['"', '“']) {
        return None;
    }
    // cue then subject: `said Mr. Dubois`, `said the minister`
    if let Some((end, cue)) = is_cue(lex, text, toks, i) {
        let stop = (end..toks.len().min(end + 8))
            .find(|&k| toks.get(k).is_some_and(|t| !t.word && t.text(text) != "."))
            .unwrap_or(toks.len().min(end + 8));
        if let Some((who, label)) = ctx.resolve(toks, end, stop, from) {
            return Some(Attribution { who, label, cue });
        }
    }
    // subject then cue within 12 tokens, no punctuation between.
    for k in i..toks.len().min(i + 12) {
        let t = toks.get(k)?;
        if !t.word && t.text(text) == "," && k > i {
            // `"...," Jane Roe, the deputy minister, said`: skip an appositive.
            let close = (k + 1..toks.len().min(k + 14))
                .find(|&c| toks.get(c).is_some_and(|x| !x.word && x.text(text) == ","))?;
            let (_, cue) = is_cue(lex, text, toks, close + 1)?;
            let (who, label) = ctx.resolve(toks, i, k, from)?;
            return Some(Attribution { who, label, cue });
        }
        if !t.word && !matches!(t.text(text), "." | "’" | "'") {
            return None;
        }
        if k > i {
            if let Some((_, cue)) = is_cue(lex, text, toks, k) {
                let (who, label) = ctx.resolve(toks, i, k, from)?;
                return Some(Attribution { who, label, cue });
            }
        }
    }
    None
}

/// `X said: "`, `X said, "`, `X said that "`, `According to X, "`, or a reported-speech
/// sentence whose cue comes before the quote (`X recalled that ... "..."`).
fn attribution_before(ctx: &mut Ctx<'_>, open: usize, line_start: usize) -> Option<Attribution> {
    let lex = lexicon();
    let text = ctx.text;
    let sent_start = ctx
        .sentence_of(open)
        .and_then(|s| ctx.sentences.get(s))
        .map_or(line_start, |s| s.range.start.max(line_start));
    let all_toks = tokenize(text, sent_start..open);
    let toks: &[Tok] = &all_toks;
    // According to X,
    for (i, t) in toks.iter().enumerate() {
        if t.word
            && t.text(text).eq_ignore_ascii_case("according")
            && toks.get(i + 1).is_some_and(|n| n.text(text) == "to")
        {
            let end = (i + 2..toks.len())
                .find(|&k| toks.get(k).is_some_and(|x| !x.word && x.text(text) == ","))
                .unwrap_or(toks.len());
            if let Some((who, label)) = ctx.resolve(toks, i + 2, end, open) {
                return Some(Attribution {
                    who,
                    label,
                    cue: "according to".into(),
                });
            }
        }
    }
    // Last cue before the quote, with its subject before it.
    let cues: Vec<(usize, usize, String)> = (0..toks.len())
        .filter_map(|i| {
            let (end, cue) = is_cue(lex, text, toks, i)?;
            (lex.reported_cues.contains(&cue) || cue == "put it").then_some((i, end, cue))
        })
        .collect();
    for (i, _, cue) in cues.into_iter().rev() {
        let from = i.saturating_sub(8);
        let mut lo = i;
        while lo > from {
            let Some(t) = toks.get(lo - 1) else { break };
            if !t.word && !matches!(t.text(text), "." | "’" | "'") {
                break;
            }
            lo -= 1;
        }
        // Prefer the mention nearest the cue.
        for k in (lo..i).rev() {
            if let Some(r) = ctx.resolve(toks, k, i, open) {
                return Some(Attribution {
                    who: r.0,
                    label: r.1,
                    cue,
                });
            }
        }
    }
    None
}

/// `“...”, as he put it` / `“...”, in his words`: an attribution inside the quote's own
/// sentence that names who used the words.
fn local_attribution(ctx: &mut Ctx<'_>, m: &Marks, line: &Range<usize>) -> Option<Attribution> {
    let text = ctx.text;
    let end = ctx
        .sentence_of(m.close)
        .and_then(|s| ctx.sentences.get(s))
        .map_or(line.end, |s| s.range.end.min(line.end));
    let after = sub(text, m.close..end);
    let lower = after.to_lowercase();
    let p = lower.find(" put it")?;
    let all_toks = tokenize(text, m.close..m.close + p);
    let toks: &[Tok] = &all_toks;
    let n = toks.len();
    // `as he put it`, `as Mr Doe put it`
    let as_pos = (0..n).rev().find(|&k| {
        toks.get(k)
            .is_some_and(|t| t.text(text).eq_ignore_ascii_case("as"))
    })?;
    let pos = toks.get(as_pos)?.start;
    let subject_toks = toks.get(as_pos + 1..n)?;
    let words: Vec<&Tok> = subject_toks.iter().filter(|t| t.word).collect();
    let first = words.first()?;
    let label = sub(text, first.start..words.last()?.end).to_string();
    if words.len() == 1 && PRONOUNS.contains(&label.to_lowercase().as_str()) {
        // The person last named before the quote in this sentence or just before.
        let who = ctx
            .actors
            .mentions
            .iter()
            .rfind(|mm| {
                mm.range.end <= m.open
                    && ctx
                        .actors
                        .list
                        .get(mm.who)
                        .is_some_and(|a| a.kind == ParticipantKind::Person)
            })
            .map(|mm| mm.who)?;
        ctx.actors.mark_acts(who);
        return Some(Attribution {
            who,
            label,
            cue: "put it".into(),
        });
    }
    let (who, label) = ctx.resolve(toks, as_pos + 1, n, pos)?;
    Some(Attribution {
        who,
        label,
        cue: "put it".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_pair_straight_and_curly() {
        let t = "He said \"yes, 'maybe'\" and “no” then \"open";
        let m = pair_marks(t, 0..t.len());
        assert_eq!(m.len(), 3);
        assert_eq!(
            m.first().map(|m| sub(t, m.open + 1..m.close)),
            Some("yes, 'maybe'")
        );
        assert_eq!(m.get(2).map(|m| m.closed), Some(false));
    }

    #[test]
    fn apostrophes_and_inch_marks_do_not_open() {
        let t = "It's the bloc's \"view\".";
        let m = pair_marks(t, 0..t.len());
        assert_eq!(m.len(), 1);
    }
}
