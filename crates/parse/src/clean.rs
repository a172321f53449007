//! Stage 2, clean: page furniture out, one paragraph per line kept verbatim.
//!
//! The cleaned text is the kept lines joined by blank lines; every later span points into it.
//! Rules: the patterns in `data/furniture.txt`; language switchers (`en-GB1 ru-RU1`); a
//! publication stamp line (`10 May 201915:47`), which becomes the publication date; photo
//! credits (`© Name/AGENCY`, a line ending in `Name/AGENCY`) and the caption line just before
//! a credit; and a footer: trailing lines at the end that hold no sentence (book adverts,
//! link lists).

use std::ops::Range;

use crate::lexicon::{lexicon, month_number};
use crate::model::{Diagnostic, PartialDate, Severity};

/// The cleaned document.
#[derive(Debug, Default)]
pub struct Cleaned {
    /// Kept lines joined by `\n\n`.
    pub text: String,
    /// Byte range of each kept line.
    pub lines: Vec<Range<usize>>,
    /// Publication date and time from a stamp line.
    pub published: Option<PartialDate>,
}

fn is_language_switcher(line: &str) -> bool {
    let (mut any, mut dashed) = (false, false);
    for t in line.split_whitespace() {
        let code = t.trim_end_matches(|c: char| c.is_ascii_digit());
        let mut parts = code.split('-');
        let lang = parts.next().unwrap_or("");
        let region = parts.next();
        let ok = lang.len() == 2
            && lang.chars().all(|c| c.is_ascii_lowercase())
            && region.is_none_or(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_uppercase()))
            && parts.next().is_none();
        // Stops at the first word that is not a language code (most lines' first word).
        if !ok {
            return false;
        }
        any = true;
        dashed |= t.contains('-');
    }
    any && dashed
}

/// `10 May 201915:47`, `20 March 2017 13:08`, `May 10, 2019, 15:47`.
pub fn publication_stamp(line: &str) -> Option<PartialDate> {
    let l = line.trim();
    // A char is at most 4 bytes: a longer line has more than 40 chars without counting.
    if l.len() > 160 || l.chars().count() > 40 {
        return None;
    }
    let toks: Vec<&str> = l
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    let (day, month, rest) = match toks.as_slice() {
        [d, m, rest @ ..] if d.chars().all(|c| c.is_ascii_digit()) => {
            (d.parse().ok()?, month_number(m)?, rest)
        }
        [m, d, rest @ ..] if d.chars().all(|c| c.is_ascii_digit()) => {
            (d.parse().ok()?, month_number(m)?, rest)
        }
        _ => return None,
    };
    let joined: String = rest.concat();
    let year: i32 = joined.get(..4)?.parse().ok()?;
    let after = joined.get(4..).unwrap_or("");
    let time = if after.is_empty() {
        None
    } else {
        let (h, m) = after.split_once(':')?;
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60).then(|| format!("{h:02}:{m:02}"))?.into()
    };
    if !(1..=31).contains(&day) || !(1900..=2200).contains(&year) {
        return None;
    }
    Some(PartialDate {
        time,
        ..PartialDate::ymd(year, month, day)
    })
}

fn is_credit(line: &str) -> bool {
    if line.starts_with('©') {
        return true;
    }
    let last = line.split_whitespace().last().unwrap_or("");
    match last.split_once('/') {
        Some((who, agency)) => {
            !who.is_empty()
                && who.chars().next().is_some_and(char::is_uppercase)
                && agency.len() >= 2
                && agency.len() <= 16
                && agency.chars().all(|c| c.is_alphabetic() || c == '-')
                && agency.chars().next().is_some_and(char::is_uppercase)
                && !line.ends_with('.')
        }
        None => false,
    }
}

/// True when a line ends like a sentence (or a quotation, or a question).
pub fn ends_sentence(line: &str) -> bool {
    line.trim_end()
        .chars()
        .last()
        .is_some_and(|c| matches!(c, '.' | '?' | '!' | '"' | '”' | '»' | '…' | ':' | ')' | ';'))
}

fn furniture(line: &str) -> bool {
    let lex = lexicon();
    // The line in lower case, made only when a check below cannot do without it.
    let lower = std::cell::LazyCell::new(|| line.to_lowercase());
    // Lower-casing shrinks a char to no less than a third of its bytes (`K` → `k`), so a line
    // over three times the longest entry cannot be one.
    let exact =
        line.len() <= 3 * lex.furniture_exact_max && lex.furniture_exact.contains(lower.trim());
    exact
        || lex.furniture_prefix.iter().any(|p| {
            // An ASCII head lower-cases on its own, whatever follows it.
            match line.get(..p.len()).filter(|h| h.is_ascii()) {
                Some(head) => head.eq_ignore_ascii_case(p),
                None => lower.starts_with(p.as_str()),
            }
        })
        || is_language_switcher(line)
}

/// Cleans decoded text.
pub fn clean(raw: &str, diags: &mut Vec<Diagnostic>) -> Cleaned {
    let mut out = Cleaned::default();
    let lines: Vec<String> = raw
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches(['•', '·', '▪', '►'])
                .trim()
                .to_string()
        })
        .collect();
    let mut keep: Vec<(usize, bool)> = Vec::new(); // (index into lines, kept)
    let mut removed: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.is_empty() {
            continue;
        }
        if out.published.is_none() {
            if let Some(d) = publication_stamp(line) {
                out.published = Some(d);
                removed.push(line.clone());
                continue;
            }
        }
        if furniture(line) || is_credit(line) {
            removed.push(line.clone());
            continue;
        }
        // A caption: a line with no sentence in it right before a photo credit.
        let next = lines.iter().skip(i + 1).find(|l| !l.is_empty());
        if !ends_sentence(line)
            && next.is_some_and(|n| n.starts_with('©'))
            && line.split_whitespace().count() <= 20
        {
            removed.push(line.clone());
            continue;
        }
        keep.push((i, true));
    }
    // Footer: trailing lines with no sentence in them.
    while keep.len() > 1 {
        let Some(&(last, _)) = keep.last() else { break };
        let line = lines.get(last).map(String::as_str).unwrap_or("");
        if ends_sentence(line) {
            break;
        }
        removed.push(line.to_string());
        keep.pop();
    }
    for (i, _) in keep {
        let line = lines.get(i).map(String::as_str).unwrap_or("");
        if !out.text.is_empty() {
            out.text.push_str("\n\n");
        }
        let start = out.text.len();
        out.text.push_str(line);
        out.lines.push(start..out.text.len());
    }
    for r in removed {
        diags.push(Diagnostic {
            severity: Severity::Info,
            stage: "clean".into(),
            message: format!("dropped page furniture: {r:?}"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(raw: &str) -> String {
        clean(raw, &mut vec![]).text
    }

    #[test]
    fn furniture_and_stamp_are_dropped() {
        let raw = "Share\n\n3 June 202011:05\n\nA headline about talks\n\n  • de-DE1 fr-FR1\n\nThe talks went well.\n\nAdvanced settings\n";
        let c = clean(raw, &mut vec![]);
        assert_eq!(c.text, "A headline about talks\n\nThe talks went well.");
        let p = c.published.unwrap_or_default();
        assert_eq!(
            (p.year, p.month, p.day, p.time.as_deref()),
            (Some(2020), Some(6), Some(3), Some("11:05"))
        );
    }

    #[test]
    fn captions_and_credits_are_dropped() {
        let raw = "Headline\n\nThe minister at the podium  Jane Roe/AFP\nThe minister at the podium\n© Jane Roe/AFP\n\nPARIS, May 2. /AFP/. Body text.";
        assert_eq!(cleaned(raw), "Headline\n\nPARIS, May 2. /AFP/. Body text.");
    }

    #[test]
    fn footer_without_sentences_is_dropped() {
        let raw =
            "Title\n\nBody sentence.\n\nBuy My Book: A Chronicle Of Things\nAnother Advert Line";
        assert_eq!(cleaned(raw), "Title\n\nBody sentence.");
    }

    #[test]
    fn stamp_parsing() {
        assert!(publication_stamp("10 May 201915:47").is_some());
        assert!(publication_stamp("May 10, 2019").is_some());
        assert!(publication_stamp("10 people met in May 2019").is_none());
    }
}
