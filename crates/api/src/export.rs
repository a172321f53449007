//! Exports for pipelines and spreadsheets: quotations, claims and meetings as CSV (RFC 4180
//! quoting, UTF-8 with a byte-order mark so spreadsheets read it as UTF-8, one row per item)
//! or JSON Lines, with the same filters as GraphQL. Used by the REST endpoints and by
//! `diplograph export`.

use std::collections::HashMap;

use diplograph_store::entities::*;
use diplograph_store::{
    date_key, ClaimFilter, DateOrder, MeetingFilter, Page, QuotationFilter, Store, StoreError,
};
use serde_json::{json, Value};

use crate::ids;

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    /// Quotations.
    Quotations,
    /// Claims.
    Claims,
    /// Meetings.
    Meetings,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

impl Format {
    /// The HTTP content type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Jsonl => "application/x-ndjson; charset=utf-8",
        }
    }
}

/// Parses `quotations.csv`, `claims.jsonl`, ...
pub fn parse_name(name: &str) -> Option<(Dataset, Format)> {
    let (what, ext) = name.rsplit_once('.')?;
    let d = match what {
        "quotations" => Dataset::Quotations,
        "claims" => Dataset::Claims,
        "meetings" => Dataset::Meetings,
        _ => return None,
    };
    let f = match ext {
        "csv" => Format::Csv,
        "jsonl" => Format::Jsonl,
        _ => return None,
    };
    Some((d, f))
}

/// What can go wrong in an export.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A filter is malformed.
    #[error("{0}")]
    BadFilter(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn date(
    params: &HashMap<String, String>,
    key: &str,
    end: bool,
) -> Result<Option<i64>, ExportError> {
    match params.get(key) {
        None => Ok(None),
        Some(v) => date_key(v, end).map(Some).ok_or_else(|| {
            ExportError::BadFilter(format!(
                "`{key}` must be a date like 2019, 2019-05 or 2019-05-10"
            ))
        }),
    }
}

fn gid(
    params: &HashMap<String, String>,
    key: &str,
    kind: &str,
) -> Result<Option<i32>, ExportError> {
    match params.get(key) {
        None => Ok(None),
        Some(v) => ids::decode_as(v, kind)
            .map(Some)
            .ok_or_else(|| ExportError::BadFilter(format!("`{key}` is not a {kind} id"))),
    }
}

const KNOWN: &[&str] = &[
    "speaker",
    "speakerName",
    "topic",
    "meeting",
    "document",
    "text",
    "from",
    "to",
    "claimant",
    "claimantName",
    "onBehalfOf",
    "kind",
    "status",
    "place",
    "participant",
    "participantName",
];

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The start of an export: for CSV a byte-order mark and the header line.
fn render_header(format: Format, columns: &[&str], out: &mut String) {
    if format == Format::Csv {
        out.push('\u{feff}');
        out.push_str(&columns.join(","));
        out.push_str("\r\n");
    }
}

/// Rows as CSV lines (arrays joined with `; `) or JSON lines, appended to `out`.
fn render_rows(format: Format, columns: &[&str], rows: Vec<Value>, out: &mut String) {
    match format {
        Format::Csv => {
            for r in rows {
                let line: Vec<String> = columns
                    .iter()
                    .map(|c| match r.get(*c) {
                        Some(Value::String(s)) => csv_field(s),
                        Some(Value::Null) | None => String::new(),
                        Some(Value::Array(a)) => csv_field(
                            &a.iter()
                                .filter_map(Value::as_str)
                                .collect::<Vec<_>>()
                                .join("; "),
                        ),
                        Some(v) => csv_field(&v.to_string()),
                    })
                    .collect();
                out.push_str(&line.join(","));
                out.push_str("\r\n");
            }
        }
        Format::Jsonl => {
            for r in rows {
                out.push_str(&r.to_string());
                out.push('\n');
            }
        }
    }
}

#[cfg(test)]
fn render(format: Format, columns: &[&str], rows: Vec<Value>) -> String {
    let mut out = String::new();
    render_header(format, columns, &mut out);
    render_rows(format, columns, rows, &mut out);
    out
}

struct Names {
    people: HashMap<i32, String>,
    docs: HashMap<i32, document::Model>,
    meetings: HashMap<i32, String>,
}

async fn names(
    store: &Store,
    people: Vec<i32>,
    docs: Vec<i32>,
    meetings: Vec<i32>,
) -> Result<Names, StoreError> {
    Ok(Names {
        people: store
            .participants_by_ids(&people)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect(),
        docs: store
            .documents_by_ids(&docs)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect(),
        meetings: store
            .meetings_by_ids(&meetings)
            .await?
            .into_iter()
            .map(|m| (m.id, m.title))
            .collect(),
    })
}

/// Rows read per statement unless [`Export::batch_size`] says otherwise.
const BATCH: u64 = 500;

const QUOTATION_COLUMNS: &[&str] = &[
    "id",
    "text",
    "kind",
    "speaker",
    "speaker_label",
    "cue",
    "reported_by",
    "topics",
    "document_id",
    "document_title",
    "document_source",
    "document_url",
    "published",
    "span_start",
    "span_end",
    "meeting",
];

const CLAIM_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "text",
    "claimant",
    "on_behalf_of",
    "topics",
    "document_id",
    "document_title",
    "published",
    "span_start",
    "span_end",
    "meeting",
];

const MEETING_COLUMNS: &[&str] = &[
    "id",
    "title",
    "kind",
    "status",
    "date",
    "place",
    "country",
    "participants",
    "documents",
];

/// Which rows an export writes.
enum Filter {
    Quotations(QuotationFilter),
    Claims(ClaimFilter),
    Meetings(MeetingFilter),
}

/// An export in progress. Rows are read and written a batch at a time, each batch read
/// from where the last one ended (by the list's sort key, not an offset, so a batch deep
/// in a large export costs what the first one does), so memory holds one batch whatever
/// the export's size. Rows are in list order: by date, then document and position.
pub struct Export {
    store: Store,
    format: Format,
    filter: Filter,
    batch: u64,
    started: bool,
    done: bool,
}

/// Starts an export with filters given as query parameters (GraphQL filter names). A
/// malformed or unknown filter is an error here, before anything is read.
pub fn export(
    store: &Store,
    what: Dataset,
    format: Format,
    params: &HashMap<String, String>,
) -> Result<Export, ExportError> {
    if let Some(k) = params.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(ExportError::BadFilter(format!(
            "unknown filter `{k}`; known: {}",
            KNOWN.join(", ")
        )));
    }
    let p = |k: &str| params.get(k).cloned();
    let filter = match what {
        Dataset::Quotations => Filter::Quotations(QuotationFilter {
            speaker: gid(params, "speaker", "Participant")?,
            speaker_name: p("speakerName"),
            topic: p("topic"),
            topic_id: None,
            meeting: gid(params, "meeting", "Meeting")?,
            document: gid(params, "document", "Document")?,
            text: p("text"),
            from: date(params, "from", false)?,
            to: date(params, "to", true)?,
            after: None,
        }),
        Dataset::Claims => Filter::Claims(ClaimFilter {
            claimant: gid(params, "claimant", "Participant")?,
            claimant_name: p("claimantName"),
            on_behalf_of: p("onBehalfOf"),
            topic: p("topic"),
            topic_id: None,
            kind: p("kind"),
            meeting: gid(params, "meeting", "Meeting")?,
            document: gid(params, "document", "Document")?,
            text: p("text"),
            from: date(params, "from", false)?,
            to: date(params, "to", true)?,
            after: None,
        }),
        Dataset::Meetings => Filter::Meetings(MeetingFilter {
            from: date(params, "from", false)?,
            to: date(params, "to", true)?,
            participant: gid(params, "participant", "Participant")?,
            participant_name: p("participantName"),
            place: p("place"),
            kind: p("kind"),
            status: p("status"),
            document: gid(params, "document", "Document")?,
            after: None,
        }),
    };
    Ok(Export {
        store: store.clone(),
        format,
        filter,
        batch: BATCH,
        started: false,
        done: false,
    })
}

/// A batch read without a count: only "are there more rows" is needed.
fn batch_page(limit: u64) -> Page {
    Page {
        offset: 0,
        limit,
        count: false,
        more: true,
    }
}

impl Export {
    /// Rows read per statement (500 unless set; at least 1).
    pub fn batch_size(mut self, rows: u64) -> Self {
        self.batch = rows.max(1);
        self
    }

    /// The next piece of the output, `None` once all is written. The first piece is
    /// the CSV header (for CSV) with the first batch of rows, and comes even when no row
    /// matches; each later one is a batch of rows.
    pub async fn next_chunk(&mut self) -> Result<Option<String>, StoreError> {
        if self.done {
            return Ok(None);
        }
        let mut out = String::new();
        let columns = match self.filter {
            Filter::Quotations(_) => QUOTATION_COLUMNS,
            Filter::Claims(_) => CLAIM_COLUMNS,
            Filter::Meetings(_) => MEETING_COLUMNS,
        };
        if !self.started {
            render_header(self.format, columns, &mut out);
        }
        let store = &self.store;
        let page = batch_page(self.batch);
        let (rows, more) = match &mut self.filter {
            Filter::Quotations(f) => {
                let (batch, total) = store.quotations(f, DateOrder::Asc, page).await?;
                let more = total > batch.len() as u64;
                if let Some(last) = batch.last() {
                    f.after = Some((last.date_key, last.document_id, last.idx));
                }
                (quotation_rows(store, batch).await?, more)
            }
            Filter::Claims(f) => {
                let (batch, total) = store.claims(f, DateOrder::Asc, page).await?;
                let more = total > batch.len() as u64;
                if let Some(last) = batch.last() {
                    f.after = Some((last.date_key, last.document_id, last.idx));
                }
                (claim_rows(store, batch).await?, more)
            }
            Filter::Meetings(f) => {
                let (batch, total) = store.meetings(f, DateOrder::Asc, page).await?;
                let more = total > batch.len() as u64;
                if let Some(last) = batch.last() {
                    f.after = Some((last.date_key, last.id));
                }
                (meeting_rows(store, batch).await?, more)
            }
        };
        let first = !self.started;
        self.started = true;
        self.done = !more;
        if rows.is_empty() && !first {
            return Ok(None);
        }
        render_rows(self.format, columns, rows, &mut out);
        Ok(Some(out))
    }

    /// The whole export as one string: for small exports and tests (a large one belongs
    /// in a stream of [`Export::next_chunk`]s).
    pub async fn collect(mut self) -> Result<String, StoreError> {
        let mut out = String::new();
        while let Some(chunk) = self.next_chunk().await? {
            out.push_str(&chunk);
        }
        Ok(out)
    }
}

async fn quotation_rows(
    store: &Store,
    batch: Vec<quotation::Model>,
) -> Result<Vec<Value>, StoreError> {
    let ids: Vec<i32> = batch.iter().map(|q| q.id).collect();
    let mut topics: HashMap<i32, Vec<String>> = HashMap::new();
    for (q, t) in store.topics_of_quotations(&ids).await? {
        topics.entry(q).or_default().push(t.slug);
    }
    let people = batch
        .iter()
        .flat_map(|q| [q.speaker_id, q.reported_by_id])
        .flatten()
        .collect();
    let nm = names(
        store,
        people,
        batch.iter().map(|q| q.document_id).collect(),
        batch.iter().filter_map(|q| q.meeting_id).collect(),
    )
    .await?;
    Ok(batch
        .into_iter()
        .map(|q| {
            let d = nm.docs.get(&q.document_id);
            json!({
                "id": ids::encode("Quotation", q.id),
                "text": q.text,
                "kind": q.kind,
                "speaker": q.speaker_id.and_then(|s| nm.people.get(&s)),
                "speaker_label": q.speaker_label,
                "cue": q.cue,
                "reported_by": q.reported_by_id.and_then(|s| nm.people.get(&s)),
                "topics": topics.remove(&q.id).unwrap_or_default(),
                "document_id": ids::encode("Document", q.document_id),
                "document_title": d.map(|d| d.title.clone()),
                "document_source": d.and_then(|d| d.source.clone()),
                "document_url": d.and_then(|d| d.url.clone()),
                "published": d.and_then(|d| d.published.clone()),
                "span_start": q.span_start,
                "span_end": q.span_end,
                "meeting": q.meeting_id.and_then(|m| nm.meetings.get(&m)),
            })
        })
        .collect())
}

async fn claim_rows(store: &Store, batch: Vec<claim::Model>) -> Result<Vec<Value>, StoreError> {
    let ids: Vec<i32> = batch.iter().map(|c| c.id).collect();
    let mut topics: HashMap<i32, Vec<String>> = HashMap::new();
    for (c, t) in store.topics_of_claims(&ids).await? {
        topics.entry(c).or_default().push(t.slug);
    }
    let nm = names(
        store,
        batch.iter().filter_map(|c| c.claimant_id).collect(),
        batch.iter().map(|c| c.document_id).collect(),
        batch.iter().filter_map(|c| c.meeting_id).collect(),
    )
    .await?;
    Ok(batch
        .into_iter()
        .map(|c| {
            let d = nm.docs.get(&c.document_id);
            json!({
                "id": ids::encode("Claim", c.id),
                "kind": c.kind,
                "text": c.text,
                "claimant": c.claimant_id.and_then(|s| nm.people.get(&s)),
                "on_behalf_of": c.on_behalf_of.split('\u{1f}').filter(|s| !s.is_empty()).collect::<Vec<_>>(),
                "topics": topics.remove(&c.id).unwrap_or_default(),
                "document_id": ids::encode("Document", c.document_id),
                "document_title": d.map(|d| d.title.clone()),
                "published": d.and_then(|d| d.published.clone()),
                "span_start": c.span_start,
                "span_end": c.span_end,
                "meeting": c.meeting_id.and_then(|m| nm.meetings.get(&m)),
            })
        })
        .collect())
}

async fn meeting_rows(store: &Store, batch: Vec<meeting::Model>) -> Result<Vec<Value>, StoreError> {
    let ids: Vec<i32> = batch.iter().map(|m| m.id).collect();
    let plinks = store.meeting_participant_links(&ids).await?;
    let dlinks = store.meeting_document_links(&ids).await?;
    let nm = names(
        store,
        plinks.iter().map(|l| l.1).collect(),
        dlinks.iter().map(|l| l.document_id).collect(),
        Vec::new(),
    )
    .await?;
    Ok(batch
        .into_iter()
        .map(|m| {
            let people: Vec<String> = plinks
                .iter()
                .filter(|l| l.0 == m.id)
                .filter_map(|l| nm.people.get(&l.1).cloned())
                .collect();
            let docs: Vec<String> = dlinks
                .iter()
                .filter(|l| l.meeting_id == m.id)
                .filter_map(|l| nm.docs.get(&l.document_id).map(|d| d.title.clone()))
                .collect();
            json!({
                "id": ids::encode("Meeting", m.id),
                "title": m.title,
                "kind": m.kind,
                "status": m.status,
                "date": m.date_text,
                "place": m.place_name,
                "country": m.place_country,
                "participants": people,
                "documents": docs,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, \"b\"\nc"), "\"a, \"\"b\"\"\nc\"");
        let out = render(
            Format::Csv,
            &["a", "b"],
            vec![json!({"a": "x,y", "b": ["p", "q"]})],
        );
        assert_eq!(out, "\u{feff}a,b\r\n\"x,y\",p; q\r\n");
    }

    #[test]
    fn names() {
        assert_eq!(
            parse_name("quotations.csv"),
            Some((Dataset::Quotations, Format::Csv))
        );
        assert_eq!(
            parse_name("meetings.jsonl"),
            Some((Dataset::Meetings, Format::Jsonl))
        );
        assert_eq!(parse_name("secrets.csv"), None);
    }
}
