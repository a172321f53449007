//! Quote provenance: a news agency's quotation is often a re-translation of words that
//! also stand in a ministry's transcript. Each reported quotation is compared with the
//! transcript passages of the same speaker at the same meeting or on the same date; the
//! best passage (one to three consecutive sentences) is linked when its score reaches
//! [`THRESHOLD`]. Matching runs both ways at ingest, so the order documents arrive in does
//! not matter.

use std::collections::HashSet;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};

use crate::entities::{quotation, quotation_source};

/// Scores at or above this link a quotation to a transcript passage.
pub const THRESHOLD: f64 = 0.45;

const STOP: &[&str] = &[
    "the", "a", "an", "and", "or", "of", "to", "in", "on", "at", "for", "with", "by", "is", "are",
    "was", "were", "be", "been", "it", "this", "that", "these", "those", "as", "we", "our", "i",
    "you", "they", "their", "he", "she", "his", "her", "its", "not", "no", "any", "all", "from",
    "which", "who", "has", "have", "had", "will", "would", "can", "could", "should", "there", "so",
    "if", "but", "than", "also", "very",
];

fn stem(w: &str) -> String {
    for suf in ["ing", "ed", "es", "s", "ly"] {
        if w.len() > suf.len() + 3 {
            if let Some(b) = w.strip_suffix(suf) {
                return b.to_string();
            }
        }
    }
    w.to_string()
}

fn terms(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .map(|w| stem(&w))
        .collect()
}

/// A text's terms as numbers from one [`Interner`], with what [`score`] compares: the
/// content terms (not in [`STOP`]), the set of terms and the set of adjacent pairs.
struct Terms {
    len: usize,
    content: Vec<u32>,
    set: HashSet<u32>,
    pairs: HashSet<(u32, u32)>,
}

/// Numbers for terms, so that a text is split, lower-cased and stemmed once however many
/// texts it is compared with, and compared by number.
#[derive(Default)]
struct Interner {
    ids: std::collections::HashMap<String, u32>,
    stop: Vec<bool>,
}

impl Interner {
    fn terms(&mut self, text: &str) -> Terms {
        let ids: Vec<u32> = terms(text)
            .into_iter()
            .map(|t| match self.ids.get(&t) {
                Some(&id) => id,
                None => {
                    let id = u32::try_from(self.stop.len()).unwrap_or(u32::MAX);
                    self.stop.push(STOP.contains(&t.as_str()));
                    self.ids.insert(t, id);
                    id
                }
            })
            .collect();
        let is_stop = |id: &u32| {
            usize::try_from(*id)
                .ok()
                .and_then(|i| self.stop.get(i))
                .copied()
                .unwrap_or(false)
        };
        Terms {
            len: ids.len(),
            content: ids.iter().copied().filter(|id| !is_stop(id)).collect(),
            set: ids.iter().copied().collect(),
            pairs: ids
                .windows(2)
                .filter_map(|w| Some((*w.first()?, *w.get(1)?)))
                .collect(),
        }
    }
}

/// [`similarity`] of two texts' terms.
fn score(q: &Terms, s: &Terms) -> f64 {
    if q.content.is_empty() {
        return 0.0;
    }
    let words =
        q.content.iter().filter(|w| s.set.contains(*w)).count() as f64 / q.content.len() as f64;
    let phrases = if q.pairs.is_empty() {
        words
    } else {
        q.pairs.intersection(&s.pairs).count() as f64 / q.pairs.len() as f64
    };
    // Long sources match anything a little: weigh down sources much longer than the quote.
    let length = (q.len as f64 * 2.5 / (s.len.max(1) as f64)).min(1.0);
    (0.6 * words + 0.4 * phrases) * (0.75 + 0.25 * length)
}

/// How closely `source` says what `quote` says, 0 to 1: the share of the quote's content
/// words found in the source (0.6) and of its word pairs (0.4).
pub fn similarity(quote: &str, source: &str) -> f64 {
    let mut terms = Interner::default();
    let q = terms.terms(quote);
    let s = terms.terms(source);
    score(&q, &s)
}

/// Char ranges of the sentences of `text` (a transcript paragraph).
fn sentence_ranges(text: &str) -> Vec<(usize, usize)> {
    let cm = diplograph_parse::text::CharMap::new(text);
    diplograph_parse::text::sentences(text, 0..text.len())
        .into_iter()
        .map(|r| (cm.char_at(r.start), cm.char_at(r.end)))
        .collect()
}

/// The passages of a paragraph a quotation may come from (one to three consecutive
/// sentences), with their char ranges and terms.
fn passages(paragraph: &str, terms: &mut Interner) -> Vec<(usize, usize, Terms)> {
    let sents = sentence_ranges(paragraph);
    let chars: Vec<char> = paragraph.chars().collect();
    let mut out = Vec::new();
    for i in 0..sents.len() {
        for n in 1..=3 {
            let (Some(first), Some(last)) = (sents.get(i), sents.get(i + n - 1)) else {
                break;
            };
            let text: String = chars
                .get(first.0..last.1)
                .map(|c| c.iter().collect())
                .unwrap_or_default();
            out.push((first.0, last.1, terms.terms(&text)));
        }
    }
    out
}

/// The best of `passages` for the quote: (score, char start, char end).
fn best_of(quote: &Terms, passages: &[(usize, usize, Terms)]) -> Option<(f64, usize, usize)> {
    let mut best: Option<(f64, usize, usize)> = None;
    for (start, end, terms) in passages {
        let score = score(quote, terms);
        // Higher score wins; on a tie, the shorter passage.
        let better = best.is_none_or(|b| {
            score > b.0 + 1e-9 || ((score - b.0).abs() <= 1e-9 && end - start < b.2 - b.1)
        });
        if better {
            best = Some((score, *start, *end));
        }
    }
    best
}

/// The best passage of `paragraph` for `quote`: (score, char start, char end) relative to
/// the paragraph.
#[cfg(test)]
fn best_passage(quote: &str, paragraph: &str) -> Option<(f64, usize, usize)> {
    let mut terms = Interner::default();
    let q = terms.terms(quote);
    best_of(&q, &passages(paragraph, &mut terms))
}

fn comparable(a: &quotation::Model, b: &quotation::Model) -> bool {
    a.speaker_id.is_some()
        && a.speaker_id == b.speaker_id
        && a.document_id != b.document_id
        && (a.meeting_id.is_some() && a.meeting_id == b.meeting_id
            || a.date_key != 0 && a.date_key == b.date_key)
}

/// The quotations matching `also` whose (speaker, `col`) is one of `pairs`.
async fn quotations_by_pairs<V>(
    txn: &DatabaseTransaction,
    col: quotation::Column,
    pairs: &[(i32, V)],
    also: &Expr,
) -> Result<Vec<quotation::Model>, DbErr>
where
    V: Into<sea_orm::Value> + Copy,
{
    let mut out = Vec::new();
    // An OR of (speaker, col) equalities, not a row-value `IN`, which SQLite answers by
    // reading the whole table; both backends look each pair up in the index.
    for chunk in pairs.chunks(200) {
        let any = chunk.iter().fold(Condition::any(), |any, (speaker, v)| {
            any.add(
                Condition::all()
                    .add(quotation::Column::SpeakerId.eq(*speaker))
                    .add(col.eq(*v)),
            )
        });
        out.extend(
            quotation::Entity::find()
                .filter(any)
                .filter(also.clone())
                .all(txn)
                .await?,
        );
    }
    Ok(out)
}

/// Links the quotations of documents `docs` with the transcript passages they come from,
/// and the transcript paragraphs of `docs` with the reported quotations that repeat them
/// (in other documents, those of `docs` included).
pub(crate) async fn link_documents(txn: &DatabaseTransaction, docs: &[i32]) -> Result<(), DbErr> {
    let mut mine = Vec::new();
    for chunk in docs.chunks(500) {
        mine.extend(
            quotation::Entity::find()
                .filter(quotation::Column::DocumentId.is_in(chunk.to_vec()))
                .all(txn)
                .await?,
        );
    }
    // A reported quotation is compared with the transcript passages of its speaker at the
    // same meeting or on the same date, and the other way round: only those exact
    // (speaker, meeting) and (speaker, date) pairs are read, each along an index, so the
    // work per document stays flat however much a speaker has said before (and a batch
    // does not read one document's speakers on another's dates).
    let mut others = Vec::new();
    let mut seen = HashSet::new();
    for transcript in [true, false] {
        let of_kind: Vec<&quotation::Model> = mine
            .iter()
            .filter(|q| (q.kind == "TRANSCRIPT") == transcript)
            .collect();
        let mut by_meeting: Vec<(i32, i32)> = of_kind
            .iter()
            .filter_map(|q| Some((q.speaker_id?, q.meeting_id?)))
            .collect();
        let mut by_date: Vec<(i32, i64)> = of_kind
            .iter()
            .filter(|q| q.date_key != 0)
            .filter_map(|q| Some((q.speaker_id?, q.date_key)))
            .collect();
        by_meeting.sort_unstable();
        by_meeting.dedup();
        by_date.sort_unstable();
        by_date.dedup();
        let other_kind = if transcript {
            quotation::Column::Kind.ne("TRANSCRIPT")
        } else {
            quotation::Column::Kind.eq("TRANSCRIPT")
        };
        let found = [
            quotations_by_pairs(txn, quotation::Column::MeetingId, &by_meeting, &other_kind)
                .await?,
            quotations_by_pairs(txn, quotation::Column::DateKey, &by_date, &other_kind).await?,
        ];
        for q in found.into_iter().flatten() {
            if seen.insert(q.id) {
                others.push(q);
            }
        }
    }
    others.sort_by_key(|q| q.id);
    let mut links = Vec::new();
    let mut linked = HashSet::new();
    // Each text is split into terms once, however many others it is compared with.
    let mut terms = Interner::default();
    let mut quotes: std::collections::HashMap<i32, Terms> = std::collections::HashMap::new();
    let mut sources: std::collections::HashMap<i32, Vec<(usize, usize, Terms)>> =
        std::collections::HashMap::new();
    for a in &mine {
        for b in &others {
            if !comparable(a, b) {
                continue;
            }
            let (report, source) = match (a.kind.as_str(), b.kind.as_str()) {
                ("TRANSCRIPT", "TRANSCRIPT") => continue,
                ("TRANSCRIPT", _) => (b, a),
                (_, "TRANSCRIPT") => (a, b),
                _ => continue,
            };
            // Two documents of one batch meet twice, once from each side.
            if !linked.insert((report.id, source.id)) {
                continue;
            }
            let quote = quotes
                .entry(report.id)
                .or_insert_with(|| terms.terms(&report.text));
            let passages = sources
                .entry(source.id)
                .or_insert_with(|| passages(&source.text, &mut terms));
            if let Some((score, s, e)) = best_of(quote, passages) {
                if score >= THRESHOLD {
                    let start = source.span_start + i32::try_from(s).unwrap_or(0);
                    let end = source.span_start + i32::try_from(e).unwrap_or(0);
                    links.push(quotation_source::ActiveModel {
                        quotation_id: Set(report.id),
                        source_quotation_id: Set(source.id),
                        source_document_id: Set(source.document_id),
                        span_start: Set(start),
                        span_end: Set(end),
                        score: Set((score * 1000.0).round() / 1000.0),
                        ..Default::default()
                    });
                }
            }
        }
    }
    for chunk in links.chunks(200) {
        quotation_source::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::columns([
                    quotation_source::Column::QuotationId,
                    quotation_source::Column::SourceQuotationId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retranslations_score_high_and_other_words_low() {
        let wire = "This is our base position and without steps in this direction it is very difficult to expect movement forward on other issues";
        let transcript = "This is our basic position and without a step in this direction it is very difficult to count on any progress on other issues.";
        let other = "We discussed the schedule of cultural events for the coming year in detail.";
        assert!(
            similarity(wire, transcript) >= THRESHOLD,
            "{}",
            similarity(wire, transcript)
        );
        assert!(similarity(wire, other) < 0.2, "{}", similarity(wire, other));
    }

    #[test]
    fn the_best_passage_is_located() {
        let para =
            "We met today. Trade grew by ten per cent last year, a record. We will meet again.";
        let (score, s, e) =
            best_passage("trade grew ten percent last year", para).unwrap_or_default();
        assert!(score >= THRESHOLD);
        let text: String = para.chars().skip(s).take(e - s).collect();
        assert_eq!(text, "Trade grew by ten per cent last year, a record.");
    }

    #[test]
    fn scores_do_not_depend_on_what_else_was_compared() {
        let texts = [
            "We will continue the talks on a peace treaty.",
            "The minister said that talks on a peace treaty will continue next year.",
            "Trade grew. We will continue the talks. On a peace treaty, nothing new.",
            "Sanctions were not discussed.",
        ];
        let mut shared = Interner::default();
        let quotes: Vec<Terms> = texts.iter().map(|t| shared.terms(t)).collect();
        let sources: Vec<Vec<(usize, usize, Terms)>> =
            texts.iter().map(|t| passages(t, &mut shared)).collect();
        for (q, qt) in texts.iter().zip(&quotes) {
            for (s, st) in texts.iter().zip(&sources) {
                let alone = best_passage(q, s);
                assert_eq!(best_of(qt, st), alone, "{q:?} in {s:?}");
            }
        }
        let (score, _, _) = best_passage(texts[0], texts[2]).unwrap_or_default();
        assert!(score >= THRESHOLD, "{score}");
    }
}
