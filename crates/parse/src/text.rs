//! Small text utilities shared by the stages: tokens, sentence boundaries, byte↔char
//! offsets. Internally the stages work in byte offsets of the cleaned text; spans are
//! converted to char offsets once, when the [`crate::Extraction`] is assembled.

use std::ops::Range;
use std::rc::Rc;

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

    /// The token's bytes: its text without the checks that its ends are char boundaries,
    /// for tests that read bytes (see [`crate::lexicon::Heads::may_start_bytes`]).
    pub fn bytes<'a>(&self, src: &'a str) -> &'a [u8] {
        src.as_bytes().get(self.start..self.end).unwrap_or_default()
    }
}

/// `s` in lower case, borrowed when lower-casing would not change it (most words), so the
/// per-word checks of the stages allocate only for capitalised words.
#[inline]
pub fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    // One pass over the bytes for most words: ASCII with no capital.
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        return std::borrow::Cow::Borrowed(s);
    }
    lower_slow(s)
}

fn lower_slow(s: &str) -> std::borrow::Cow<'_, str> {
    if s.is_ascii() {
        // Most words: a byte test, and ASCII lower-casing, which is what `to_lowercase` does
        // to ASCII.
        return if s.bytes().any(|b| b.is_ascii_uppercase()) {
            std::borrow::Cow::Owned(s.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(s)
        };
    }
    if s.chars().all(|c| c.is_lowercase() || !c.is_alphabetic()) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.to_lowercase())
    }
}

/// Calls `f` with `s` lower-cased, as [`lower`] would give it, but with a short ASCII
/// word lower-cased into a buffer on the stack instead of a new `String`: for look-ups of
/// capitalised words, which would otherwise each allocate.
#[inline]
pub fn with_lower<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    if s.bytes().all(|b| b.is_ascii() && !b.is_ascii_uppercase()) {
        return f(s);
    }
    let mut buf = [0u8; 32];
    if let Some(head) = buf.get_mut(..s.len()).filter(|_| s.is_ascii()) {
        for (d, b) in head.iter_mut().zip(s.bytes()) {
            *d = b.to_ascii_lowercase();
        }
        if let Ok(l) = std::str::from_utf8(head) {
            return f(l);
        }
    }
    f(&lower_slow(s))
}

/// True when `word` starts with a capital (an ASCII first byte is answered without
/// decoding a char).
pub fn capitalised(word: &str) -> bool {
    match word.as_bytes().first() {
        Some(b) if b.is_ascii() => b.is_ascii_uppercase(),
        _ => word.chars().next().is_some_and(char::is_uppercase),
    }
}

/// The chars words are made of, for [`split_words`]: a table for the ASCII bytes (0 for
/// the rest), and the rule itself for chars outside ASCII.
pub struct WordChars {
    ascii: [u8; 256],
    keep: fn(char) -> bool,
}

impl WordChars {
    /// The chars `keep` accepts.
    pub fn new(keep: fn(char) -> bool) -> Self {
        let mut ascii = [0u8; 256];
        for (b, slot) in (0u8..128).zip(ascii.iter_mut()) {
            *slot = u8::from(keep(char::from(b)));
        }
        Self { ascii, keep }
    }
}

/// The non-empty runs of chars `chars` accepts: what `text.split(|c| !keep(c))` gives
/// without its empty pieces. The text is first read into a bitmap of the bytes that belong
/// to words, 64 bytes at a time and without a branch per byte where they are ASCII; the
/// runs are then read off the bitmap a word at a time (where runs start and end), so
/// that neither pass stumbles on every word's edges.
pub fn split_words<'a>(text: &'a str, chars: &WordChars) -> Vec<&'a str> {
    let bytes = text.as_bytes();
    // Bit k of `mask[i]`: byte 64 i + k belongs to a word. One more block than the bytes
    // fill, so that a word ending the text ends inside the bitmap.
    let mut mask = vec![0u64; bytes.len() / 64 + 1];
    for (block, chunk) in mask.iter_mut().zip(bytes.chunks(64)) {
        let mut m = 0u64;
        for (k, &b) in chunk.iter().enumerate() {
            m |= u64::from(chars.ascii.get(usize::from(b)).copied().unwrap_or(0)) << k;
        }
        *block = m;
    }
    // Chars outside ASCII, found by their first bytes in the blocks that hold any: each
    // marks all its bytes (which may run into the next block), by the rule.
    for (i, chunk) in bytes.chunks(64).enumerate().filter(|(_, c)| !c.is_ascii()) {
        let mut lead = lead_bytes(chunk);
        while lead != 0 {
            let at = i * 64 + lead.trailing_zeros() as usize;
            lead &= lead - 1;
            let Some(c) = text.get(at..).and_then(|r| r.chars().next()) else {
                continue;
            };
            if (chars.keep)(c) {
                for j in at..at + c.len_utf8() {
                    if let Some(block) = mask.get_mut(j / 64) {
                        *block |= 1 << (j % 64);
                    }
                }
            }
        }
    }
    let mut out = Vec::with_capacity(bytes.len() / 6);
    mask_runs(&mask, |r| {
        out.push(sub(text, r));
        true
    });
    out
}

/// Calls `each` with every run of set bits of `mask` (bit k of `mask[i]` standing for
/// byte 64 i + k), in order, until it returns false. The runs are read where they start
/// and end, a bit operation each, not bit by bit. A run still open at the last block is
/// not given: the last block should be clear.
pub fn mask_runs(mask: &[u64], mut each: impl FnMut(Range<usize>) -> bool) {
    let mut open: Option<usize> = None;
    let mut carry = 0u64;
    for (i, &m) in mask.iter().enumerate() {
        let before = (m << 1) | carry;
        carry = m >> 63;
        // Where runs start (a set bit after a clear one) and end (a clear bit after a set one).
        let (mut starts, mut ends) = (m & !before, !m & before);
        loop {
            let a = match open {
                Some(a) => a,
                None if starts != 0 => {
                    let a = i * 64 + starts.trailing_zeros() as usize;
                    starts &= starts - 1;
                    a
                }
                None => break,
            };
            if ends == 0 {
                open = Some(a);
                break;
            }
            let e = i * 64 + ends.trailing_zeros() as usize;
            ends &= ends - 1;
            if !each(a..e) {
                return;
            }
            open = None;
        }
    }
}

/// Bit k set for each byte k of `chunk` (64 bytes at most) that is an ASCII letter or
/// digit.
pub fn ascii_alnum_bits(chunk: &[u8]) -> u64 {
    ascii_bits(chunk, |v| {
        between(v | 0x2020_2020_2020_2020, b'a', b'z') | between(v, b'0', b'9')
    })
}

/// Bit k set for each byte k of `chunk` (64 bytes at most) that is an ASCII letter.
pub fn ascii_letter_bits(chunk: &[u8]) -> u64 {
    ascii_bits(chunk, |v| between(v | 0x2020_2020_2020_2020, b'a', b'z'))
}

const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `v` (all below 0x80) that is in `lo..=hi`: v >= lo when
/// v + (0x80 - lo) has its high bit set, v <= hi when v + (0x7F - hi) has not, and
/// neither sum leaves the byte. (Setting bit 5 first lower-cases the letters.)
#[inline(always)]
fn between(v: u64, lo: u8, hi: u8) -> u64 {
    let ge = v + u64::from_le_bytes([0x80 - lo; 8]);
    let le = v + u64::from_le_bytes([0x7F - hi; 8]);
    ge & !le & HIGH
}

/// Bit k set for each ASCII byte k of `chunk` (64 bytes at most) whose class `test` finds:
/// `test` gets eight bytes with their high bits cleared and answers with the high bit of
/// each byte in the class; bytes outside ASCII are left out.
#[inline(always)]
fn ascii_bits(chunk: &[u8], test: impl Fn(u64) -> u64) -> u64 {
    gather(chunk, |x| test(x & !HIGH) & !x & HIGH)
}

/// Bit k set for each byte k of `chunk` (64 bytes at most) that starts a char outside
/// ASCII (0xC0 and up: its two high bits set).
pub fn lead_bytes(chunk: &[u8]) -> u64 {
    gather(chunk, |x| x & (x << 1) & HIGH)
}

/// Bit k set for each byte k of `chunk` (64 bytes at most) whose high bit `high` sets,
/// eight bytes at a time (read as one number, first byte lowest): each eight's high bits
/// are gathered into one byte by a multiplication (byte k's bit, moved to bit 0, lands on
/// bit 56 + k; the products' other bits fall below 56 or past 63, without carries).
#[inline(always)]
fn gather(chunk: &[u8], high: impl Fn(u64) -> u64) -> u64 {
    let mut bits = 0u64;
    for (j, eight) in chunk.chunks(8).enumerate() {
        let mut buf = [0u8; 8];
        for (d, s) in buf.iter_mut().zip(eight) {
            *d = *s;
        }
        let h = high(u64::from_le_bytes(buf)) & HIGH;
        bits |= ((h >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * j);
    }
    bits
}

/// Byte ranges, sorted and merged, to ask in logarithmic time whether a position falls in
/// any of them (a long transcript has thousands of quoted passages).
#[derive(Debug, Default)]
pub struct RangeSet(Vec<Range<usize>>);

impl RangeSet {
    /// The union of `ranges`.
    pub fn new(ranges: &[Range<usize>]) -> Self {
        let mut sorted: Vec<Range<usize>> =
            ranges.iter().filter(|r| r.start < r.end).cloned().collect();
        sorted.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(sorted.len());
        for r in sorted {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        RangeSet(merged)
    }

    /// True when some range holds `pos`.
    pub fn contains(&self, pos: usize) -> bool {
        let n = self.0.partition_point(|r| r.start <= pos);
        n.checked_sub(1)
            .and_then(|k| self.0.get(k))
            .is_some_and(|r| pos < r.end)
    }
}

/// Safe substring: empty when the range is not on char boundaries or out of bounds.
pub fn sub(s: &str, r: Range<usize>) -> &str {
    s.get(r).unwrap_or("")
}

fn joiner(c: char) -> bool {
    matches!(c, '\'' | '’' | '-' | '.' | '+' | '&' | '/')
}

/// The char starting at byte `at` of `s`.
fn char_at(s: &str, at: usize) -> Option<char> {
    match s.as_bytes().get(at) {
        // An ASCII byte is always a whole char.
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        Some(_) => s.get(at..).and_then(|r| r.chars().next()),
        None => None,
    }
}

/// The tokens of the whole document being extracted, made once so that the stages, which
/// tokenize the same sentences again and again, read them instead of scanning the text.
struct DocTokens {
    /// Address and length of the text they are the tokens of.
    text: (usize, usize),
    toks: Rc<Vec<Tok>>,
    /// Where the last range served ended: the stages read ranges mostly in order, so the
    /// next range's tokens are searched for from here.
    hint: std::cell::Cell<usize>,
}

/// The first index of `toks` where `pred` (true, then false, along `toks`) is false,
/// searched for by galloping from `hint` when `pred` holds just before it, else by
/// bisecting the whole slice. The same answer as `partition_point`, in a few steps when
/// it lies a little after `hint`.
fn partition_from(toks: &[Tok], hint: usize, pred: impl Fn(&Tok) -> bool) -> usize {
    let holds_before = |i: usize| {
        i == 0
            || i.checked_sub(1)
                .and_then(|j| toks.get(j))
                .is_some_and(&pred)
    };
    if hint > toks.len() || !holds_before(hint) {
        return toks.partition_point(pred);
    }
    // `pred` holds on toks[..lo]; find an upper bound by doubling steps.
    let (mut lo, mut step) = (hint, 1usize);
    while toks.get(lo + step - 1).is_some_and(&pred) {
        lo += step;
        step *= 2;
    }
    let hi = (lo + step).min(toks.len());
    lo + toks.get(lo..hi).map_or(0, |w| w.partition_point(&pred))
}

/// The tokens of a range: a window on the document's tokens (shared, not copied) or, for
/// a range the document's tokens do not serve, the range's own.
#[derive(Debug, Clone)]
pub enum Toks {
    /// `tokens[from..to]` of the document.
    Shared(Rc<Vec<Tok>>, usize, usize),
    /// Made by scanning the range alone.
    Own(Vec<Tok>),
}

impl std::ops::Deref for Toks {
    type Target = [Tok];

    fn deref(&self) -> &[Tok] {
        match self {
            Toks::Shared(all, from, to) => all.get(*from..*to).unwrap_or_default(),
            Toks::Own(v) => v,
        }
    }
}

thread_local! {
    static DOC_TOKENS: std::cell::RefCell<Option<DocTokens>> =
        const { std::cell::RefCell::new(None) };
}

/// While alive, [`tokenize`] on `text` (the same string, not a copy) reads the tokens made
/// once here. [`crate::extract`] holds one for the cleaned text; dropping it forgets them.
pub struct TokenScope(());

impl TokenScope {
    /// Tokenizes `text` once for this thread.
    pub fn new(text: &str) -> Self {
        let toks = Rc::new(scan(text, 0..text.len()));
        DOC_TOKENS.with(|d| {
            *d.borrow_mut() = Some(DocTokens {
                text: (text.as_ptr() as usize, text.len()),
                toks,
                hint: std::cell::Cell::new(0),
            });
        });
        TokenScope(())
    }
}

impl Drop for TokenScope {
    fn drop(&mut self) {
        DOC_TOKENS.with(|d| *d.borrow_mut() = None);
    }
}

/// The tokens of `src[range]` from the document's tokens, when `src` is the scoped text and
/// no document token crosses either end of the range. Then they are exactly what scanning
/// the range alone gives: the scan is in the same state at a token boundary, and it looks
/// past the range's end only to extend a token across it.
fn cached(src: &str, range: &Range<usize>) -> Option<Toks> {
    src.get(range.clone())?;
    DOC_TOKENS.with(|d| {
        let d = d.try_borrow().ok()?;
        let d = d.as_ref()?;
        if d.text != (src.as_ptr() as usize, src.len()) {
            return None;
        }
        let a = partition_from(&d.toks, d.hint.get(), |t| t.end <= range.start);
        let b = partition_from(&d.toks, a, |t| t.start < range.end);
        d.hint.set(b);
        if a >= b {
            return Some(Toks::Own(Vec::new()));
        }
        let first = d.toks.get(a)?;
        let last = d.toks.get(b - 1)?;
        if first.start < range.start || last.end > range.end {
            return None;
        }
        Some(Toks::Shared(Rc::clone(&d.toks), a, b))
    })
}

/// Splits `src[range]` into tokens.
pub fn tokenize(src: &str, range: Range<usize>) -> Toks {
    cached(src, &range).unwrap_or_else(|| Toks::Own(scan(src, range)))
}

/// Splits `src[range]` into tokens by scanning it.
fn scan(src: &str, range: Range<usize>) -> Vec<Tok> {
    let s = sub(src, range.clone());
    let base = range.start;
    let mut out = Vec::with_capacity(s.len() / 5);
    // Where each run of ASCII letters and digits ends, from a bitmap of them made 64 bytes
    // at a time: one look-up per run instead of a test per byte that fails, unforeseeably,
    // at the end of every word.
    let mut alnum = vec![0u64; s.len() / 64 + 1];
    for (block, chunk) in alnum.iter_mut().zip(s.as_bytes().chunks(64)) {
        *block = ascii_alnum_bits(chunk);
    }
    let run_end = |from: usize| {
        let (mut i, mut off) = (from / 64, from % 64);
        // The bits past the text are clear, so a run ends by the end of the text.
        while let Some(&m) = alnum.get(i) {
            let clear = !m >> off;
            if clear != 0 {
                return i * 64 + off + clear.trailing_zeros() as usize;
            }
            i += 1;
            off = 0;
        }
        s.len()
    };
    let mut b = 0;
    while let Some(c) = char_at(s, b) {
        if c.is_whitespace() {
            b += c.len_utf8();
            continue;
        }
        if c.is_alphanumeric() {
            let mut j = b + c.len_utf8();
            // Whether the word so far is letters separated by dots (U.S).
            let mut single_letters = true;
            let mut run = 1usize;
            let mut has_dot = false;
            loop {
                // ASCII letters and digits, most of every word, at once.
                let from = j;
                j = run_end(j).max(j);
                if j > from {
                    run += j - from;
                    single_letters = false;
                }
                match char_at(s, j) {
                    Some(d) if d.is_alphanumeric() => {
                        run += 1;
                        if run > 1 {
                            single_letters = false;
                        }
                        j += d.len_utf8();
                    }
                    Some(d) if joiner(d) => {
                        // A joiner stays inside a word only between word characters, except a
                        // final '.' after a single letter (U.S.).
                        let after = j + d.len_utf8();
                        match char_at(s, after) {
                            Some(e) if e.is_alphanumeric() => {
                                if d == '.' {
                                    has_dot = true;
                                    run = 1;
                                } else {
                                    single_letters = false;
                                    run = 1;
                                }
                                j = after + e.len_utf8();
                            }
                            _ if d == '.' && has_dot && single_letters => {
                                j = after;
                                break;
                            }
                            _ => break,
                        }
                    }
                    _ => break,
                }
            }
            out.push(Tok {
                start: base + b,
                end: base + j,
                word: true,
            });
            b = j;
        } else {
            out.push(Tok {
                start: base + b,
                end: base + b + c.len_utf8(),
                word: false,
            });
            b += c.len_utf8();
        }
    }
    out
}

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "gen", "art", "no", "st", "sen", "rep", "gov", "lt", "col", "prof",
    "jr", "sr", "vs", "inc", "co", "corp", "e.g", "i.e", "approx", "fig", "vol", "pp", "jan",
    "feb", "aug", "sept", "oct", "nov", "dec", "adm", "capt", "sgt", "maj", "cmdr", "amb", "hon",
    "rev", "messrs", "para", "cf", "ca", "mt",
];

/// True for abbreviations after which a full stop does not end a sentence.
pub fn is_abbreviation(word: &str) -> bool {
    // Most words: ASCII, compared without lower-casing them.
    let t = word.trim_end_matches('.');
    if t.is_ascii() {
        return ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(t))
            || (t.len() == 1 && t.bytes().all(|b| b.is_ascii_alphabetic()))
            || (t.contains('.') && t.split('.').all(|p| p.len() <= 1));
    }
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
    let mut out = Vec::new();
    // Byte offsets into `s`: where the current sentence starts, and the char being read.
    let mut start = 0usize;
    let mut b = 0usize;
    // Jump between the bytes a terminator can start with: `.`, `!`, `?`, and 0xE2 (`…`,
    // among others), which is never inside another char.
    // (memchr for the three ASCII ones; the next 0xE2 is kept until passed.)
    let bytes = s.as_bytes();
    let mut next_e2 = memchr::memchr(0xE2, bytes);
    while let Some(rest) = bytes.get(b..) {
        // None stays none: there is no 0xE2 after where it was last looked for.
        if next_e2.is_some_and(|e| e < b) {
            next_e2 = memchr::memchr(0xE2, rest).map(|p| b + p);
        }
        let ascii = memchr::memchr3(b'.', b'!', b'?', rest).map(|p| b + p);
        let Some(at) = (match (ascii, next_e2) {
            (Some(a), Some(e)) => Some(a.min(e)),
            (a, e) => a.or(e),
        }) else {
            break;
        };
        b = at;
        let Some(c) = char_at(s, b) else { break };
        if matches!(c, '.' | '!' | '?' | '…') {
            // Extend over further terminators and closing quotes/brackets.
            let mut j = b + c.len_utf8();
            while let Some(d) =
                char_at(s, j).filter(|&d| matches!(d, '.' | '!' | '?') || closing(d))
            {
                j += d.len_utf8();
            }
            let followed_by_space = char_at(s, j).is_some_and(char::is_whitespace);
            let mut k = j;
            while let Some(d) = char_at(s, k).filter(|d| d.is_whitespace()) {
                k += d.len_utf8();
            }
            let next_starts = char_at(s, k).is_some_and(|d| {
                d.is_uppercase()
                    || d.is_numeric()
                    || matches!(d, '"' | '“' | '«' | '‘' | '(' | '\'')
            });
            let abbrev = c == '.' && {
                // The word ends at the full stop and starts after a space, a bracket or an
                // opening quote (whose width is counted: `“` is three bytes).
                let word_start = s
                    .get(..b)
                    .and_then(|p| {
                        p.char_indices().rev().find(|&(_, ch)| {
                            ch.is_whitespace() || ch == '(' || ch == '"' || ch == '“'
                        })
                    })
                    .map_or(0, |(p, ch)| p + ch.len_utf8());
                is_abbreviation(sub(s, word_start..b))
            };
            if followed_by_space && next_starts && !abbrev {
                if j > start {
                    out.push(base + start..base + j);
                }
                start = k;
                b = k;
                continue;
            }
            b = j;
            continue;
        }
        b += c.len_utf8();
    }
    let tail = s.len();
    if start < tail && !sub(s, start..tail).trim().is_empty() {
        let trimmed_end = start + sub(s, start..tail).trim_end().len();
        out.push(base + start..base + trimmed_end);
    }
    out
}

/// The offset of the first byte of `bytes` outside ASCII: 16 bytes at a time are asked
/// whether they are all ASCII (a few word-wide tests), and only a block that is not is read
/// a byte at a time.
fn first_not_ascii(bytes: &[u8]) -> Option<usize> {
    let mut offset = 0;
    for block in bytes.chunks(16) {
        if !block.is_ascii() {
            return block.iter().position(|b| !b.is_ascii()).map(|p| offset + p);
        }
        offset += block.len();
    }
    None
}

/// Maps byte offsets of a text to char offsets. Only the chars outside ASCII are listed
/// (most texts have few): a byte offset's char offset is the offset less the bytes those
/// chars before it have beyond their first.
#[derive(Debug)]
pub struct CharMap {
    /// Each char outside ASCII, in order: its first byte, and the bytes beyond the first
    /// of it and of every such char before it.
    wide: Vec<(usize, usize)>,
    len_bytes: usize,
    len_chars: usize,
}

impl CharMap {
    /// Builds the map for `text`.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut wide = Vec::new();
        let (mut extra, mut i) = (0usize, 0usize);
        while let Some(p) = bytes.get(i..).and_then(first_not_ascii) {
            let at = i + p;
            let len = char_at(text, at).map_or(1, char::len_utf8);
            extra += len - 1;
            wide.push((at, extra));
            i = at + len;
        }
        Self {
            wide,
            len_bytes: text.len(),
            len_chars: text.len() - extra,
        }
    }

    /// Char offset of a byte offset (rounded down to a char boundary).
    pub fn char_at(&self, byte: usize) -> usize {
        if byte >= self.len_bytes {
            return self.len_chars;
        }
        // The last char outside ASCII that starts at or before `byte`.
        let k = self.wide.partition_point(|w| w.0 <= byte);
        let Some(&(start, extra)) = k.checked_sub(1).and_then(|j| self.wide.get(j)) else {
            return byte;
        };
        let extra_before = k
            .checked_sub(2)
            .and_then(|j| self.wide.get(j))
            .map_or(0, |w| w.1);
        if byte <= start + (extra - extra_before) {
            // At that char or inside it: the char's own offset.
            start - extra_before
        } else {
            byte - extra
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

/// Every concatenation of one to `max` of `pieces` (chars or strings), shortest first:
/// the inputs of the tests that compare a fast reading with the one it replaced.
#[cfg(test)]
pub(crate) fn every_sequence<P: std::fmt::Display>(pieces: &[P], max: usize) -> Vec<String> {
    let mut all = Vec::new();
    let mut level = vec![String::new()];
    for _ in 0..max {
        level = level
            .iter()
            .flat_map(|s| pieces.iter().map(move |p| format!("{s}{p}")))
            .collect();
        all.extend(level.iter().cloned());
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first, plainer tokenizer (one char vector per call), kept as the model the fast
    /// one must agree with.
    fn reference_tokenize(src: &str, range: Range<usize>) -> Vec<Tok> {
        fn is_initialism(chars: &[(usize, char)], from: usize, dot: usize) -> bool {
            let word: String = chars
                .get(from..dot)
                .map(|cs| cs.iter().map(|&(_, c)| c).collect())
                .unwrap_or_default();
            word.contains('.') && word.split('.').all(|p| p.chars().count() == 1)
        }
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

    /// The characters that matter to tokenizing: letters, digits, each joiner, space, a
    /// multi-byte letter and a quote.
    const TOKEN_ALPHABET: [char; 13] = [
        'a', 'B', '1', '.', '-', '\'', '’', '+', '&', '/', ' ', 'é', '"',
    ];

    /// Every string of one to `max` characters over `alphabet`.
    #[test]
    fn fast_tokenizer_agrees_with_the_model_on_every_short_string() {
        let strings = every_sequence(&TOKEN_ALPHABET, 5);
        for t in &strings {
            assert_eq!(
                *tokenize(t, 0..t.len()),
                reference_tokenize(t, 0..t.len()),
                "{t:?}"
            );
        }
        let checked = strings.len();
        assert!(checked > 400_000);
        for t in [
            "U.S. officials",
            "the U.S.",
            "e.g. this",
            "A.B.C.",
            "Ab.C.",
            "x-y.z.",
        ] {
            assert_eq!(
                *tokenize(t, 2..t.len()),
                reference_tokenize(t, 2..t.len()),
                "{t:?}"
            );
        }
    }

    #[test]
    fn galloping_from_a_hint_finds_the_partition_point() {
        let t = "a bb, c. dd e-f g";
        let toks = scan(t, 0..t.len());
        for pos in 0..=t.len() + 1 {
            for hint in 0..=toks.len() + 1 {
                let pred = |x: &Tok| x.end <= pos;
                assert_eq!(
                    partition_from(&toks, hint, pred),
                    toks.partition_point(pred),
                    "{pos} {hint}"
                );
                let pred = |x: &Tok| x.start < pos;
                assert_eq!(
                    partition_from(&toks, hint, pred),
                    toks.partition_point(pred),
                    "{pos} {hint}"
                );
            }
        }
    }

    #[test]
    fn document_tokens_give_what_scanning_the_range_gives() {
        // Every range of every string of up to four characters over the alphabet above,
        // tokenized through the document's tokens and by scanning the range alone.
        let (mut checked, mut from_cache) = (0usize, 0usize);
        for t in &every_sequence(&TOKEN_ALPHABET, 4) {
            let _scope = TokenScope::new(t);
            let bounds: Vec<usize> = (0..=t.len()).filter(|&b| t.is_char_boundary(b)).collect();
            for &a in &bounds {
                for &b in bounds.iter().filter(|&&b| b >= a) {
                    from_cache += usize::from(cached(t, &(a..b)).is_some());
                    assert_eq!(*tokenize(t, a..b), scan(t, a..b), "{t:?} {a}..{b}");
                    checked += 1;
                }
            }
        }
        // Most ranges are served from the document's tokens; the rest fall back to a scan.
        assert!(
            checked > 400_000 && from_cache * 2 > checked,
            "{from_cache} of {checked}"
        );
        // A copy of the text (another address) is scanned, not read from the scope.
        let t = String::from("U.S. officials");
        let _scope = TokenScope::new(&t);
        let copy = t.clone();
        assert!(cached(&copy, &(0..4)).is_none());
        assert_eq!(*tokenize(&copy, 0..3), scan(&copy, 0..3));
    }

    #[test]
    fn a_range_set_holds_what_its_ranges_hold() {
        let ranges = [5..9, 0..2, 7..12, 20..20, 15..18, 2..3];
        let set = RangeSet::new(&ranges);
        for pos in 0..25 {
            let want = ranges.iter().any(|r| r.start <= pos && pos < r.end);
            assert_eq!(set.contains(pos), want, "{pos}");
        }
    }

    #[test]
    fn split_words_is_split_without_empty_pieces() {
        let alphabet = ['a', 'B', '1', '.', '-', '\'', '’', ' ', 'é', 'Ж', '"', '$'];
        let keep = |c: char| c.is_alphanumeric() || c == '\'' || c == '-';
        let chars = WordChars::new(keep);
        let strings = every_sequence(&alphabet, 5);
        for t in &strings {
            let want: Vec<&str> = t.split(|c| !keep(c)).filter(|w| !w.is_empty()).collect();
            assert_eq!(split_words(t, &chars), want, "{t:?}");
        }
        let checked = strings.len();
        assert!(checked > 200_000);
    }

    #[test]
    fn block_bits_are_the_bytes_of_their_class() {
        // Every byte value at every place of a block, among bytes of each kind: ASCII
        // letters and digits, their neighbours, and the edges of the ranges outside ASCII.
        let model = |chunk: &[u8], class: fn(&u8) -> bool| {
            chunk
                .iter()
                .enumerate()
                .filter(|(_, x)| class(x))
                .fold(0u64, |m, (k, _)| m | 1 << k)
        };
        let fills = [
            0u8, b'a', b'Z', b'5', b'@', b'[', 0x80, 0xBF, 0xC0, 0xC1, 0xFF,
        ];
        for fill in fills {
            for len in [1usize, 7, 8, 9, 63, 64] {
                for at in 0..len {
                    for b in 0..=255u8 {
                        let mut chunk = vec![fill; len];
                        if let Some(slot) = chunk.get_mut(at) {
                            *slot = b;
                        }
                        let alnum = model(&chunk, u8::is_ascii_alphanumeric);
                        assert_eq!(ascii_alnum_bits(&chunk), alnum, "{chunk:?}");
                        let letters = model(&chunk, u8::is_ascii_alphabetic);
                        assert_eq!(ascii_letter_bits(&chunk), letters, "{chunk:?}");
                        let leads = model(&chunk, |x| *x >= 0xC0);
                        assert_eq!(lead_bytes(&chunk), leads, "{chunk:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn split_words_across_the_bitmap_blocks() {
        // Words and chars outside ASCII on either side of every byte 50 to 140: the edges
        // of the bitmap's 64-byte blocks, the first and the second, fall among them.
        let alphabet = ['a', '.', '-', 'é', 'Ж', '’', ' '];
        let keep = |c: char| c.is_alphanumeric() || c == '-';
        let chars = WordChars::new(keep);
        let mut checked = 0;
        for tail in &every_sequence(&alphabet, 4) {
            for pad in 50..140 {
                let t = format!("{}{tail}{}", "x".repeat(pad), "y ".repeat(pad % 7));
                let want: Vec<&str> = t.split(|c| !keep(c)).filter(|w| !w.is_empty()).collect();
                assert_eq!(split_words(&t, &chars), want, "{t:?}");
                checked += 1;
            }
        }
        assert!(checked > 200_000);
    }

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
        // After a typographic opening quote too.
        assert_eq!(
            sents("He said: “Gen. Smith agreed.” Then he left."),
            vec!["He said: “Gen. Smith agreed.”", "Then he left."]
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
    fn char_map_agrees_with_listing_every_char() {
        // Every string of up to four chars of one to four bytes, at every byte offset.
        let alphabet = ['a', ' ', 'é', 'Ж', '’', '😀'];
        let strings = every_sequence(&alphabet, 4);
        for t in &strings {
            let starts: Vec<usize> = t.char_indices().map(|(b, _)| b).collect();
            let m = CharMap::new(t);
            for byte in 0..=t.len() + 1 {
                let want = if byte >= t.len() {
                    starts.len()
                } else {
                    match starts.binary_search(&byte) {
                        Ok(i) => i,
                        Err(i) => i.saturating_sub(1),
                    }
                };
                assert_eq!(m.char_at(byte), want, "{t:?} at {byte}");
            }
        }
        assert!(strings.len() > 1_500);
    }

    #[test]
    fn char_map_handles_multibyte() {
        let t = "a’b c";
        let m = CharMap::new(t);
        assert_eq!(m.char_at(4), 2);
        assert_eq!(m.char_at(t.len()), 5);
    }

    #[test]
    fn abbreviations_in_any_case() {
        for w in [
            "Mr", "MR.", "dr.", "e.g.", "Gen", "A", "b.", "Sept", "U.S", "Ü.", "É.U",
        ] {
            assert!(is_abbreviation(w), "{w}");
        }
        for w in [
            "Mrs.x",
            "the",
            "minister.",
            "",
            "...",
            "ab",
            "İ",
            "Üb.",
            "U.SA",
        ] {
            assert!(!is_abbreviation(w), "{w}");
        }
        assert!(is_abbreviation("é"));
    }
}
