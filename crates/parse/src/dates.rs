//! Dates in running text (part of the mentions stage): explicit (`May 30`, `14 January
//! 2019`, `November 2013`, `in 2018`), relative (`last month`, `later this month`, `next
//! week`, `on Monday`) and qualified (`in late June`), resolved against the document's date;
//! and the year of a dateline that gives none, inferred from the past and future dates the
//! text speaks of.

use std::ops::Range;

use crate::lexicon::{month_number, weekday_number};
use crate::model::PartialDate;
use crate::text::{sub, tokenize, Tok};

/// A date expression found in the text.
#[derive(Debug, Clone)]
pub struct DateRef {
    /// Byte range of the expression.
    pub range: Range<usize>,
    /// The date, with the year filled from the document date when the text has none.
    pub date: PartialDate,
    /// True when the text wrote the year.
    pub explicit_year: bool,
    /// True when the words before it speak of the future (`will`, `planned to`, `next`).
    pub future: bool,
}

const FUTURE_CUES: &[&str] = &[
    "will",
    "shall",
    "expected",
    "expects",
    "expect",
    "plans",
    "planned",
    "planning",
    "plan",
    "scheduled",
    "due",
    "next",
    "upcoming",
    "forthcoming",
    "later",
    "intends",
    "intend",
    "to be",
    "would",
];
const PAST_CUES: &[&str] = &[
    "was",
    "were",
    "had",
    "held",
    "took",
    "reached",
    "signed",
    "met",
    "visited",
    "said",
    "agreed",
    "did",
    "announced",
    "achieved",
    "adopted",
    "deployed",
    "ago",
    "last",
    "since",
    "has",
    "have",
];

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(if m <= 2 { y - 1 } else { y });
    let m = i64::from(m);
    let d = i64::from(d);
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count.
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    (
        i32::try_from(y).unwrap_or(0),
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

/// Day of week, 0 = Monday.
pub fn weekday(y: i32, m: u32, d: u32) -> u32 {
    u32::try_from((days_from_civil(y, m, d) + 3).rem_euclid(7)).unwrap_or(0)
}

fn word<'a>(text: &'a str, toks: &[Tok], i: usize) -> Option<&'a str> {
    toks.get(i).filter(|t| t.word).map(|t| t.text(text))
}

fn year_of(w: &str) -> Option<i32> {
    (w.len() == 4 && w.chars().all(|c| c.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
        .filter(|y| (1900..=2100).contains(y))
}

/// The words, besides numbers, months and weekdays, that a date [`find`] reads can start
/// with: qualifiers, relative expressions, `today`, and the counts before `ago`. None has a
/// `k`, the one ASCII letter a non-ASCII char lower-cases into, so comparing ASCII case
/// alone finds the words that lower-case into one of them.
const STARTS: &[&str] = &[
    "early", "mid", "mid-", "late", "last", "previous", "next", "this", "later", "earlier",
    "today", "tonight", "a", "an", "one", "two", "couple", "three", "few", "several", "four",
    "five",
];

/// Whether a date can start at the word `w`: a number (a day, a year or a count, signs
/// included, as `parse` reads them), a month, a weekday or one of [`STARTS`]. [`find`]
/// looks at several words around each word it tries; most words start nothing.
fn may_start(w: &str) -> bool {
    // The first two bytes of every word of the lists, in each ASCII case.
    static HEADS: std::sync::LazyLock<crate::lexicon::Heads> = std::sync::LazyLock::new(|| {
        let mut h = crate::lexicon::Heads::default();
        for k in STARTS
            .iter()
            .chain(crate::lexicon::MONTHS.iter())
            .chain(crate::lexicon::WEEKDAYS.iter())
        {
            h.add(k);
        }
        h
    });
    w.as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-'))
        || (HEADS.may_start(w)
            && (is_start_word(w) || month_number(w).is_some() || weekday_number(w).is_some()))
}

/// True when `w` is one of [`STARTS`] in some ASCII case: lower-cased on the stack and
/// looked up once, instead of compared with each of them.
fn is_start_word(w: &str) -> bool {
    static SET: std::sync::LazyLock<rustc_hash::FxHashSet<&'static [u8]>> =
        std::sync::LazyLock::new(|| STARTS.iter().map(|s| s.as_bytes()).collect());
    let mut buf = [0u8; 8];
    let Some(low) = buf.get_mut(..w.len()) else {
        // Longer than any of them.
        return false;
    };
    low.copy_from_slice(w.as_bytes());
    low.make_ascii_lowercase();
    SET.contains(&*low)
}

fn tense_before(text: &str, toks: &[Tok], i: usize) -> bool {
    for k in (i.saturating_sub(20)..i).rev() {
        let Some(w) = word(text, toks, k) else {
            if toks
                .get(k)
                .is_some_and(|t| matches!(t.text(text), "." | ";"))
            {
                break;
            }
            continue;
        };
        let lw = crate::text::lower(w);
        if FUTURE_CUES.contains(&&*lw) {
            return true;
        }
        if PAST_CUES.contains(&&*lw) || (lw.ends_with("ed") && lw.len() > 4) {
            // A participle after `be` (`will be held`, `to be signed`) is not past tense.
            let prev = k
                .checked_sub(1)
                .and_then(|p| word(text, toks, p))
                .map(crate::text::lower);
            if prev.as_deref().is_some_and(|p| matches!(p, "be" | "being")) {
                continue;
            }
            return false;
        }
    }
    false
}

/// Finds date expressions in `text[range]`. `doc` is the document's date, used for years
/// the text leaves out and for relative expressions.
pub fn find(text: &str, range: Range<usize>, doc: Option<&PartialDate>) -> Vec<DateRef> {
    let all_toks = tokenize(text, range);
    let toks: &[Tok] = &all_toks;
    let mut out = Vec::new();
    let doc_year = doc.and_then(|d| d.year);
    let mut i = 0;
    while i < toks.len() {
        let Some(w) = word(text, toks, i).filter(|w| may_start(w)) else {
            i += 1;
            continue;
        };
        let lw = crate::text::lower(w);
        let start = toks.get(i).map_or(0, |t| t.start);
        // Tense is read only when a date is found here.
        let future = || tense_before(text, toks, i);
        // Qualifier: early/mid/late + Month
        let (qualifier, mi) = if matches!(&*lw, "early" | "mid" | "late" | "mid-") {
            (Some(lw.to_string()), i + 1)
        } else {
            (None, i)
        };
        let capitalised =
            word(text, toks, mi).is_some_and(|m| m.chars().next().is_some_and(char::is_uppercase));
        if let Some(month) = word(text, toks, mi)
            .filter(|_| capitalised)
            .and_then(month_number)
        {
            // "May" alone is also a verb: require a day, a year or a preposition before.
            let day = word(text, toks, mi + 1)
                .and_then(|d| d.parse::<u32>().ok())
                .filter(|d| (1..=31).contains(d));
            let mut j = mi + 1 + usize::from(day.is_some());
            if toks.get(j).is_some_and(|t| t.text(text) == ",")
                && word(text, toks, j + 1).and_then(year_of).is_some()
            {
                j += 1;
            }
            let year = word(text, toks, j).and_then(year_of);
            let prev = i
                .checked_sub(1)
                .and_then(|p| word(text, toks, p))
                .map(crate::text::lower);
            let after_date = out.last().is_some_and(|d: &DateRef| {
                // Every joiner below is at most 3 bytes, and nothing longer lower-cases to
                // one, so a longer gap (it can be the rest of the document) is not lowered.
                let gap = sub(text, d.range.end..start).trim();
                gap.len() <= 3
                    && matches!(
                        gap.to_lowercase().as_str(),
                        "and" | "or" | "," | "to" | "-" | "–"
                    )
            });
            let preposition = after_date
                || prev.as_deref().is_some_and(|p| {
                    matches!(
                        p,
                        "in" | "on"
                            | "since"
                            | "until"
                            | "by"
                            | "from"
                            | "of"
                            | "late"
                            | "early"
                            | "before"
                            | "after"
                            | "till"
                    )
                });
            if day.is_some() || year.is_some() || preposition || qualifier.is_some() {
                let end_tok = if year.is_some() { j } else { j - 1 };
                let end = toks.get(end_tok).map_or(start, |t| t.end);
                let mut date = PartialDate {
                    year: year.or(doc_year),
                    month: Some(month),
                    day,
                    qualifier: qualifier.clone(),
                    ..PartialDate::default()
                };
                // `December last year`, `in June this year`, `in March next year`.
                let mut end_tok = end_tok;
                let rel_year = word(text, toks, end_tok + 2)
                    .filter(|w| w.eq_ignore_ascii_case("year"))
                    .and(word(text, toks, end_tok + 1))
                    .map(crate::text::lower);
                if year.is_none() {
                    if let (Some(dy), Some(rel)) = (doc_year, rel_year.as_deref()) {
                        let y = match rel {
                            "last" | "previous" => Some(dy - 1),
                            "this" => Some(dy),
                            "next" => Some(dy + 1),
                            _ => None,
                        };
                        if y.is_some() {
                            date.year = y;
                            end_tok += 2;
                            out.push(DateRef {
                                range: start..toks.get(end_tok).map_or(start, |t| t.end),
                                date,
                                explicit_year: false,
                                future: future(),
                            });
                            i = end_tok + 1;
                            continue;
                        }
                    }
                }
                if year.is_none() {
                    if let (Some(dy), Some(dm)) = (doc_year, doc.and_then(|d| d.month)) {
                        // A month without a year is the nearest one in the direction of tense.
                        if future() && month < dm {
                            date.year = Some(dy + 1);
                        } else if !future() && month > dm + 1 {
                            date.year = Some(dy - 1);
                        }
                    }
                }
                out.push(DateRef {
                    range: start..end,
                    date,
                    explicit_year: year.is_some(),
                    future: future(),
                });
                i = end_tok + 1;
                continue;
            }
        }
        // Day Month [Year]: "14 January 2019"
        if let Some(day) = w.parse::<u32>().ok().filter(|d| (1..=31).contains(d)) {
            if let Some(month) = word(text, toks, i + 1).and_then(month_number) {
                let year = word(text, toks, i + 2).and_then(year_of);
                let end_tok = if year.is_some() { i + 2 } else { i + 1 };
                out.push(DateRef {
                    range: start..toks.get(end_tok).map_or(start, |t| t.end),
                    date: PartialDate {
                        year: year.or(doc_year),
                        month: Some(month),
                        day: Some(day),
                        ..PartialDate::default()
                    },
                    explicit_year: year.is_some(),
                    future: future(),
                });
                i = end_tok + 1;
                continue;
            }
        }
        // "in 2018"
        if let Some(y) = year_of(w) {
            let prev = i
                .checked_sub(1)
                .and_then(|p| word(text, toks, p))
                .map(crate::text::lower);
            if prev
                .as_deref()
                .is_some_and(|p| matches!(p, "in" | "since" | "until" | "by" | "from"))
            {
                out.push(DateRef {
                    range: start..toks.get(i).map_or(start, |t| t.end),
                    date: PartialDate {
                        year: Some(y),
                        ..PartialDate::default()
                    },
                    explicit_year: true,
                    future: future(),
                });
            }
            i += 1;
            continue;
        }
        // Relative expressions.
        if let Some(d) = doc.filter(|d| d.is_full()) {
            let (y, m, dd) = (
                d.year.unwrap_or(0),
                d.month.unwrap_or(1),
                d.day.unwrap_or(1),
            );
            // The next word is read only after a word that starts a relative expression.
            let starts = matches!(
                &*lw,
                "last" | "previous" | "next" | "this" | "later" | "earlier"
            );
            let next = word(text, toks, i + 1)
                .filter(|_| starts)
                .map(crate::text::lower);
            let rel = match (&*lw, next.as_deref()) {
                ("last", Some("month")) | ("previous", Some("month")) => {
                    Some((shift_month(y, m, -1), None, 2))
                }
                ("next", Some("month")) => Some((shift_month(y, m, 1), None, 2)),
                ("this", Some("month")) => Some(((y, m), None, 2)),
                ("later", Some("this"))
                    if word(text, toks, i + 2).is_some_and(|w| w.eq_ignore_ascii_case("month")) =>
                {
                    Some(((y, m), Some("late".to_string()), 3))
                }
                ("earlier", Some("this"))
                    if word(text, toks, i + 2).is_some_and(|w| w.eq_ignore_ascii_case("month")) =>
                {
                    Some(((y, m), Some("early".to_string()), 3))
                }
                ("last", Some("year")) => Some(((y - 1, 0), None, 2)),
                ("next", Some("year")) => Some(((y + 1, 0), None, 2)),
                _ => None,
            };
            if let Some(((ry, rm), q, n)) = rel {
                out.push(DateRef {
                    range: start..toks.get(i + n - 1).map_or(start, |t| t.end),
                    date: PartialDate {
                        year: Some(ry),
                        month: (rm > 0).then_some(rm),
                        qualifier: q,
                        ..PartialDate::default()
                    },
                    explicit_year: false,
                    future: future(),
                });
                i += n;
                continue;
            }
            // `several days ago`, `two weeks ago`: the month it falls in.
            let ago = (1..=3)
                .find(|n| word(text, toks, i + n).is_some_and(|w| w.eq_ignore_ascii_case("ago")));
            if let Some(n) = ago.filter(|_| {
                i == 0
                    || word(text, toks, i.saturating_sub(1))
                        .is_none_or(|p| !p.chars().all(|c| c.is_ascii_digit()))
            }) {
                let unit = word(text, toks, i + n - 1)
                    .map(crate::text::lower)
                    .unwrap_or_default();
                let count: i64 = match &*lw {
                    "a" | "an" | "one" => 1,
                    "two" | "couple" => 2,
                    "three" | "few" | "several" => 3,
                    "four" => 4,
                    "five" => 5,
                    w => w.parse().unwrap_or(0),
                };
                let days = match unit.trim_end_matches('s') {
                    "day" => count,
                    "week" => count * 7,
                    "month" => count * 30,
                    _ => 0,
                };
                if days > 0 {
                    let (ry, rm, rd) = civil_from_days(days_from_civil(y, m, dd) - days);
                    let exact = unit.starts_with("day") && count <= 2;
                    out.push(DateRef {
                        range: start..toks.get(i + n).map_or(start, |t| t.end),
                        date: PartialDate {
                            year: Some(ry),
                            month: Some(rm),
                            day: exact.then_some(rd),
                            ..PartialDate::default()
                        },
                        explicit_year: false,
                        future: false,
                    });
                    i += n + 1;
                    continue;
                }
            }
            if matches!(&*lw, "today" | "tonight") {
                out.push(DateRef {
                    range: start..toks.get(i).map_or(start, |t| t.end),
                    date: PartialDate::ymd(y, m, dd),
                    explicit_year: false,
                    future: future(),
                });
            }
            if let Some(wd) = weekday_number(w).filter(|_| {
                matches!(
                    i.checked_sub(1).and_then(|p| word(text, toks, p)),
                    Some("on" | "On")
                )
            }) {
                let base = days_from_civil(y, m, dd);
                let cur = weekday(y, m, dd);
                let delta = i64::from(wd) - i64::from(cur);
                // Same day, else the nearest in the direction of tense.
                let offset = if delta == 0 {
                    0
                } else if future() {
                    delta.rem_euclid(7)
                } else {
                    -((-delta).rem_euclid(7))
                };
                let (ry, rm, rd) = civil_from_days(base + offset);
                out.push(DateRef {
                    range: start..toks.get(i).map_or(start, |t| t.end),
                    date: PartialDate::ymd(ry, rm, rd),
                    explicit_year: false,
                    future: future(),
                });
            }
        }
        i += 1;
    }
    out
}

fn shift_month(y: i32, m: u32, by: i32) -> (i32, u32) {
    let idx = y * 12 + i32::try_from(m).unwrap_or(1) - 1 + by;
    (
        idx.div_euclid(12),
        u32::try_from(idx.rem_euclid(12) + 1).unwrap_or(1),
    )
}

/// The year of a document dated `month`/`day` with no year: the earliest year after every
/// past event the text dates and no later than its future ones. `None` when the text dates
/// nothing.
pub fn infer_year(text: &str, range: Range<usize>, month: u32, day: u32) -> Option<i32> {
    let refs = find(text, range, None);
    let key = |d: &PartialDate| (d.month.unwrap_or(0), d.day.unwrap_or(0));
    let mut lower: Option<i32> = None; // the document is after these
    let mut upper: Option<i32> = None;
    for r in refs.iter().filter(|r| r.explicit_year) {
        let Some(y) = r.date.year else { continue };
        if r.future {
            // The document is on or before this date.
            let latest = if r
                .date
                .month
                .is_none_or(|m| (m, r.date.day.unwrap_or(31)) >= (month, day))
            {
                y
            } else {
                y - 1
            };
            upper = Some(upper.map_or(latest, |u| u.min(latest)));
        } else {
            // The document is after this date.
            let (rm, rd) = key(&r.date);
            let earliest = if rm == 0 || (rm, rd) >= (month, day) {
                y + 1
            } else {
                y
            };
            lower = Some(lower.map_or(earliest, |l| l.max(earliest)));
        }
    }
    match (lower, upper) {
        (Some(l), Some(u)) if l <= u => Some(l),
        (Some(l), _) => Some(l),
        (None, Some(u)) => Some(u),
        (None, None) => None,
    }
}

/// The text of a date reference.
pub fn text_of<'a>(text: &'a str, r: &DateRef) -> &'a str {
    sub(text, r.range.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_words_are_found_in_any_ascii_case_and_nothing_else_is() {
        for w in STARTS {
            for raw in [w.to_string(), w.to_uppercase(), w.to_ascii_uppercase()] {
                assert!(is_start_word(&raw), "{raw:?}");
            }
        }
        for raw in ["ear", "earlyx", "the", "previously", "", "mıd", "Ａ"] {
            assert!(!is_start_word(raw), "{raw:?}");
        }
    }

    #[test]
    fn weekdays() {
        assert_eq!(weekday(2020, 1, 6), 0); // a Monday
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }

    fn dates(t: &str, doc: PartialDate) -> Vec<String> {
        find(t, 0..t.len(), Some(&doc))
            .iter()
            .map(|r| r.date.iso())
            .collect()
    }

    #[test]
    fn explicit_and_relative_dates() {
        let doc = PartialDate::ymd(2021, 4, 12);
        assert_eq!(
            dates("The talks will be held in Rome on June 3.", doc.clone()),
            vec!["2021-06-03"]
        );
        assert_eq!(
            dates(
                "They met last month and again in November 2015.",
                doc.clone()
            ),
            vec!["2021-03", "2015-11"]
        );
        assert_eq!(
            dates("A summit is due later this month.", doc.clone()),
            vec!["2021-04"]
        );
        assert_eq!(
            dates("They will meet on 2 February 2022.", doc.clone()),
            vec!["2022-02-02"]
        );
        assert_eq!(
            dates("The visit is planned for late January.", doc.clone()),
            vec!["2022-01"]
        );
        // 2021-04-12 is a Monday; "on Thursday" in the future is the 15th.
        assert_eq!(
            dates("Talks will start on Thursday.", doc.clone()),
            vec!["2021-04-15"]
        );
        assert_eq!(dates("Talks ended on Friday.", doc), vec!["2021-04-09"]);
    }

    /// Dates that start with each kind of word `may_start` lets through, in any case.
    #[test]
    fn every_kind_of_start_is_read() {
        let doc = PartialDate::ymd(2021, 4, 12);
        for (t, want) in [
            ("They met two days ago.", "2021-04-10"),
            ("They met THREE days ago.", "2021-04"),
            ("They met 5 days ago.", "2021-04"),
            ("They met a week ago.", "2021-04"),
            ("They meet today.", "2021-04-12"),
            ("They met LAST MONTH.", "2021-03"),
            ("They met Earlier this month.", "2021-04"),
            ("They met in 2018.", "2018"),
            ("They met in December last year.", "2020-12"),
            ("They will meet on Sept 5.", "2021-09-05"),
            ("They will meet in mid June.", "2021-06"),
            ("They met on MONDAY.", "2021-04-12"),
        ] {
            assert_eq!(dates(t, doc.clone()), vec![want], "{t}");
        }
    }

    #[test]
    fn words_that_start_no_date_are_passed_over() {
        for w in [
            "the", "Talks", "minister", "said", "Mayor", "Junior", "thus",
        ] {
            assert!(!may_start(w), "{w}");
        }
        for w in [
            "June", "JAN", "sept.", "Friday", "2019", "12th", "+3", "Today", "SEVERAL", "mid-",
        ] {
            assert!(may_start(w), "{w}");
        }
    }

    #[test]
    fn may_the_verb_is_not_a_date() {
        assert!(dates("We May agree.", PartialDate::ymd(2020, 1, 1)).is_empty());
    }

    #[test]
    fn dateline_year_from_past_and_future_events() {
        let t = "The deal was signed in October 2011. A summit is planned for June 2012.";
        assert_eq!(infer_year(t, 0..t.len(), 2, 10), Some(2012));
        let t = "The first meeting was held in December 2011.";
        assert_eq!(infer_year(t, 0..t.len(), 3, 20), Some(2012));
        let t = "No dates here.";
        assert_eq!(infer_year(t, 0..t.len(), 3, 20), None);
    }
}
