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

fn render(format: Format, columns: &[&str], rows: Vec<Value>) -> String {
    let mut out = String::new();
    match format {
        Format::Csv => {
            out.push('\u{feff}');
            out.push_str(&columns.join(","));
            out.push_str("\r\n");
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

const BATCH: u64 = 500;

/// Runs an export with filters given as query parameters (GraphQL filter names).
pub async fn export(
    store: &Store,
    what: Dataset,
    format: Format,
    params: &HashMap<String, String>,
) -> Result<String, ExportError> {
    if let Some(k) = params.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(ExportError::BadFilter(format!(
            "unknown filter `{k}`; known: {}",
            KNOWN.join(", ")
        )));
    }
    let p = |k: &str| params.get(k).cloned();
    match what {
        Dataset::Quotations => {
            let f = QuotationFilter {
                speaker: gid(params, "speaker", "Participant")?,
                speaker_name: p("speakerName"),
                topic: p("topic"),
                topic_id: None,
                meeting: gid(params, "meeting", "Meeting")?,
                document: gid(params, "document", "Document")?,
                text: p("text"),
                from: date(params, "from", false)?,
                to: date(params, "to", true)?,
            };
            let mut rows = Vec::new();
            let mut offset = 0;
            loop {
                let (batch, total) = store
                    .quotations(
                        &f,
                        DateOrder::Asc,
                        Page {
                            offset,
                            limit: BATCH,
                            // Only "are there more rows" is needed.
                            count: false,
                            more: true,
                        },
                    )
                    .await?;
                let n = batch.len() as u64;
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
                for q in batch {
                    let d = nm.docs.get(&q.document_id);
                    rows.push(json!({
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
                    }));
                }
                offset += n;
                if n == 0 || offset >= total {
                    break;
                }
            }
            Ok(render(
                format,
                &[
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
                ],
                rows,
            ))
        }
        Dataset::Claims => {
            let f = ClaimFilter {
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
            };
            let mut rows = Vec::new();
            let mut offset = 0;
            loop {
                let (batch, total) = store
                    .claims(
                        &f,
                        DateOrder::Asc,
                        Page {
                            offset,
                            limit: BATCH,
                            // Only "are there more rows" is needed.
                            count: false,
                            more: true,
                        },
                    )
                    .await?;
                let n = batch.len() as u64;
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
                for c in batch {
                    let d = nm.docs.get(&c.document_id);
                    rows.push(json!({
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
                    }));
                }
                offset += n;
                if n == 0 || offset >= total {
                    break;
                }
            }
            Ok(render(
                format,
                &[
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
                ],
                rows,
            ))
        }
        Dataset::Meetings => {
            let f = MeetingFilter {
                from: date(params, "from", false)?,
                to: date(params, "to", true)?,
                participant: gid(params, "participant", "Participant")?,
                participant_name: p("participantName"),
                place: p("place"),
                kind: p("kind"),
                status: p("status"),
                document: gid(params, "document", "Document")?,
            };
            let mut rows = Vec::new();
            let mut offset = 0;
            loop {
                let (batch, total) = store
                    .meetings(
                        &f,
                        DateOrder::Asc,
                        Page {
                            offset,
                            limit: BATCH,
                            // Only "are there more rows" is needed.
                            count: false,
                            more: true,
                        },
                    )
                    .await?;
                let n = batch.len() as u64;
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
                for m in batch {
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
                    rows.push(json!({
                        "id": ids::encode("Meeting", m.id),
                        "title": m.title,
                        "kind": m.kind,
                        "status": m.status,
                        "date": m.date_text,
                        "place": m.place_name,
                        "country": m.place_country,
                        "participants": people,
                        "documents": docs,
                    }));
                }
                offset += n;
                if n == 0 || offset >= total {
                    break;
                }
            }
            Ok(render(
                format,
                &[
                    "id",
                    "title",
                    "kind",
                    "status",
                    "date",
                    "place",
                    "country",
                    "participants",
                    "documents",
                ],
                rows,
            ))
        }
    }
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
