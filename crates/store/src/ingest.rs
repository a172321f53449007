//! Ingest: one document in one transaction, idempotent by the SHA-256 of its bytes.
//!
//! People and organisations are linked across documents by a normalised-name key; a meeting
//! with a full date is linked by kind, date and place, so the same meeting reported by two
//! documents is one row linked to both. A meeting first stored as planned and later reported
//! as held becomes held.

use std::collections::HashMap;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter, SqlErr, TransactionTrait,
};
use sha2::{Digest, Sha256};
use tracing::{info, instrument};

use crate::entities::*;
use crate::{DocumentId, Store, StoreError};
use diplograph_parse::{Extraction, MeetingStatus, Options, PartialDate, ParticipantKind};

/// What an ingest did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    /// The document was new and is now stored.
    New(DocumentId),
    /// The same bytes were already stored; nothing changed.
    Unchanged(DocumentId),
}

impl IngestOutcome {
    /// True for a newly stored document.
    pub fn is_new(&self) -> bool {
        matches!(self, Self::New(_))
    }

    /// The document's id.
    pub fn id(&self) -> DocumentId {
        match self {
            Self::New(d) | Self::Unchanged(d) => *d,
        }
    }
}

fn opts_for(opts: &Options, file_name: Option<&str>) -> Options {
    let mut opts = opts.clone();
    if let Some(f) = file_name {
        if opts.format == diplograph_parse::Format::Auto {
            opts.format = diplograph_parse::Format::from_path(f);
        }
    }
    opts
}

/// Extracts a document the way [`Store::ingest`] would (the format from the file name).
/// Pure and synchronous: run it on a worker thread while another ingest writes.
pub fn extract_for_ingest(
    bytes: &[u8],
    file_name: Option<&str>,
    opts: &Options,
) -> Result<Extraction, diplograph_parse::ParseError> {
    diplograph_parse::extract(bytes, &opts_for(opts, file_name))
}

/// Hex SHA-256 of the bytes.
pub fn content_hash(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn now_iso() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let (y, m, d) = diplograph_parse::dates::civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The key that links one participant across documents.
pub fn participant_key(name: &str, kind: ParticipantKind, doc_hash: &str) -> String {
    let plain = diplograph_parse::text::plain_apostrophes(name);
    let n = if kind == ParticipantKind::Person {
        crate::graph::fold_name(&plain)
    } else {
        diplograph_parse::text::norm(&plain)
    };
    match kind {
        ParticipantKind::Person | ParticipantKind::Organization | ParticipantKind::Document => {
            format!("{}:{n}", kind.as_str().to_lowercase())
        }
        // Unnamed sources and journalists are never merged across documents.
        ParticipantKind::Unnamed | ParticipantKind::Journalist => {
            format!(
                "{}:{}:{n}",
                kind.as_str().to_lowercase(),
                doc_hash.get(..16).unwrap_or(doc_hash)
            )
        }
    }
}

fn meeting_key(m: &diplograph_parse::Meeting, doc_hash: &str, idx: usize) -> String {
    let place = m
        .place
        .as_ref()
        .map(|p| p.name.to_lowercase())
        .unwrap_or_default();
    match &m.date {
        Some(d) if d.is_full() => format!("{}|{}|{place}", m.kind.as_str(), d.iso()),
        _ => format!(
            "{}|{}|{idx}",
            m.kind.as_str(),
            doc_hash.get(..16).unwrap_or(doc_hash)
        ),
    }
}

fn i32_of(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn date_i32(v: Option<u32>) -> Option<i32> {
    v.and_then(|x| i32::try_from(x).ok())
}

impl Store {
    /// Ingests one document. Idempotent: the same bytes give [`IngestOutcome::Unchanged`].
    #[instrument(skip(self, bytes, opts), fields(bytes = bytes.len()))]
    pub async fn ingest(
        &self,
        bytes: &[u8],
        file_name: Option<&str>,
        opts: &Options,
    ) -> Result<IngestOutcome, StoreError> {
        let out = self.ingest_with(bytes, file_name, opts, None).await;
        self.count(&out);
        out
    }

    fn count(&self, out: &Result<IngestOutcome, StoreError>) {
        let counter = match out {
            Ok(IngestOutcome::New(_)) => &self.stats.new,
            Ok(IngestOutcome::Unchanged(_)) => &self.stats.unchanged,
            Err(_) => &self.stats.failed,
        };
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Ingests a document already extracted by [`extract_for_ingest`] (on another thread,
    /// say, while this one writes). Same guarantees as [`Store::ingest`].
    pub async fn ingest_extracted(
        &self,
        bytes: &[u8],
        file_name: Option<&str>,
        opts: &Options,
        ex: Extraction,
    ) -> Result<IngestOutcome, StoreError> {
        let out = self.ingest_with(bytes, file_name, opts, Some(ex)).await;
        self.count(&out);
        out
    }

    async fn ingest_with(
        &self,
        bytes: &[u8],
        file_name: Option<&str>,
        opts: &Options,
        extracted: Option<Extraction>,
    ) -> Result<IngestOutcome, StoreError> {
        let hash = content_hash(bytes);
        if let Some(d) = document::Entity::find()
            .filter(document::Column::ContentHash.eq(hash.clone()))
            .one(&self.db)
            .await?
        {
            return Ok(IngestOutcome::Unchanged(DocumentId(d.id)));
        }
        let mut opts = opts_for(opts, file_name);
        let mut ex = match extracted {
            Some(ex) => ex,
            None => diplograph_parse::extract(bytes, &opts)?,
        };
        // A dateline with no year the text can settle: the year of a meeting already in
        // the graph on that day, with someone the document names.
        if let Some(dl) = ex
            .document
            .dateline
            .as_ref()
            .filter(|d| d.date.year.is_none())
        {
            if let Some(year) = self
                .year_from_graph(&ex, dl.date.month, dl.date.day)
                .await?
            {
                opts.year_hint = Some(year);
                ex = diplograph_parse::extract(bytes, &opts)?;
            }
        }
        let txn = self.db.begin().await?;
        lock_for_ingest(&txn).await?;
        let taxonomy = opts
            .taxonomy
            .as_ref()
            .unwrap_or_else(|| diplograph_parse::Taxonomy::builtin());
        match store_extraction(&txn, &ex, &hash, file_name, taxonomy, bytes).await {
            Ok(id) => {
                txn.commit().await?;
                info!(document = id.0, title = %ex.document.title, quotations = ex.quotations.len(), "ingested");
                Ok(IngestOutcome::New(id))
            }
            Err(e) => {
                txn.rollback().await?;
                // Another process stored the same bytes first.
                if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) {
                    if let Some(d) = document::Entity::find()
                        .filter(document::Column::ContentHash.eq(hash))
                        .one(&self.db)
                        .await?
                    {
                        return Ok(IngestOutcome::Unchanged(DocumentId(d.id)));
                    }
                }
                Err(e.into())
            }
        }
    }
}

impl Store {
    /// The year of a stored meeting on `month`/`day` that one of the document's people
    /// took part in (the most common such year).
    async fn year_from_graph(
        &self,
        ex: &Extraction,
        month: Option<u32>,
        day: Option<u32>,
    ) -> Result<Option<i32>, StoreError> {
        let (Some(m), Some(d)) = (month, day) else {
            return Ok(None);
        };
        let keys: Vec<String> = ex
            .participants
            .iter()
            .filter(|p| p.kind == ParticipantKind::Person)
            .map(|p| participant_key(&p.name, p.kind, ""))
            .collect();
        let people: Vec<i32> = participant::Entity::find()
            .filter(participant::Column::Key.is_in(keys))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        if people.is_empty() {
            return Ok(None);
        }
        let meetings: Vec<i32> = self
            .participant_meeting_links(&people)
            .await?
            .into_iter()
            .map(|(mid, _)| mid)
            .collect();
        let mut years: HashMap<i32, usize> = HashMap::new();
        for row in meeting::Entity::find()
            .filter(meeting::Column::Id.is_in(meetings))
            .filter(meeting::Column::DateMonth.eq(i32::try_from(m).unwrap_or(0)))
            .filter(meeting::Column::DateDay.eq(i32::try_from(d).unwrap_or(0)))
            .all(&self.db)
            .await?
        {
            if let Some(y) = row.date_year {
                *years.entry(y).or_default() += 1;
            }
        }
        Ok(years
            .into_iter()
            .max_by_key(|(y, n)| (*n, *y))
            .map(|(y, _)| y))
    }
}

/// What a re-processing run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reprocessed {
    /// Documents extracted again.
    pub documents: usize,
    /// Documents stored before raw bytes were kept (cannot be re-processed).
    pub skipped: usize,
}

impl Store {
    /// Extracts every stored document again from its original bytes (after a parser
    /// change), one transaction per document, and re-applies the corrections people made.
    #[instrument(skip(self, opts))]
    pub async fn reprocess_all(&self, opts: &Options) -> Result<Reprocessed, StoreError> {
        let ids: Vec<(i32, String)> = document::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|d| (d.id, d.content_hash))
            .collect();
        let taxonomy = opts
            .taxonomy
            .as_ref()
            .unwrap_or_else(|| diplograph_parse::Taxonomy::builtin());
        let mut out = Reprocessed::default();
        for (id, hash) in ids {
            let Some(doc) = document::Entity::find_by_id(id).one(&self.db).await? else {
                continue;
            };
            let Some(raw) = doc.raw.clone() else {
                out.skipped += 1;
                continue;
            };
            let mut o = opts.clone();
            if let Some(f) = &doc.file_name {
                o.format = diplograph_parse::Format::from_path(f);
            }
            let ex = diplograph_parse::extract(&raw, &o)?;
            let txn = self.db.begin().await?;
            lock_for_ingest(&txn).await?;
            crate::graph::delete_document_tx(&txn, id).await?;
            store_extraction(&txn, &ex, &hash, doc.file_name.as_deref(), taxonomy, &raw).await?;
            txn.commit().await?;
            out.documents += 1;
        }
        Ok(out)
    }
}

/// Serialises ingest transactions across processes, so cross-document merging always sees
/// what was ingested before it (two ingests of one folder at once end as one would).
/// Postgres: a transaction-scoped advisory lock. SQLite: take the write lock at once
/// instead of upgrading a read lock later, which could fail under contention.
pub(crate) async fn lock_for_ingest(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    match txn.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => {
            txn.execute_unprepared("SELECT pg_advisory_xact_lock(7220411)")
                .await?;
        }
        _ => {
            txn.execute_unprepared("DELETE FROM corrections WHERE 1 = 0")
                .await?;
        }
    }
    Ok(())
}

async fn upsert_participant(
    txn: &DatabaseTransaction,
    p: &diplograph_parse::Participant,
    doc_hash: &str,
) -> Result<i32, DbErr> {
    let key = participant_key(&p.name, p.kind, doc_hash);
    if let Some(row) = participant::Entity::find()
        .filter(participant::Column::Key.eq(key.clone()))
        .one(txn)
        .await?
    {
        if (row.country.is_none() && p.country.is_some())
            || (row.title.is_none() && p.title.is_some())
        {
            let mut am: participant::ActiveModel = row.clone().into();
            if row.country.is_none() {
                am.country = Set(p.country.clone());
            }
            if row.title.is_none() {
                am.title = Set(p.title.clone());
            }
            am.update(txn).await?;
        }
        return Ok(row.id);
    }
    let am = participant::ActiveModel {
        key: Set(key.clone()),
        name: Set(p.name.clone()),
        kind: Set(p.kind.as_str().to_string()),
        country: Set(p.country.clone()),
        title: Set(p.title.clone()),
        ..Default::default()
    };
    let res = participant::Entity::insert(am)
        .on_conflict(
            OnConflict::column(participant::Column::Key)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    let _ = res;
    participant::Entity::find()
        .filter(participant::Column::Key.eq(key))
        .one(txn)
        .await?
        .map(|r| r.id)
        .ok_or_else(|| DbErr::RecordNotFound("participant after insert".into()))
}

async fn link<E, A>(txn: &DatabaseTransaction, am: A, cols: Vec<E::Column>) -> Result<(), DbErr>
where
    E: EntityTrait,
    A: sea_orm::ActiveModelTrait<Entity = E> + Send,
{
    E::insert(am)
        .on_conflict(OnConflict::columns(cols).do_nothing().to_owned())
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

async fn topic_ids(
    txn: &DatabaseTransaction,
    taxonomy: &diplograph_parse::Taxonomy,
    slugs: &[String],
    cache: &mut HashMap<String, i32>,
) -> Result<Vec<i32>, DbErr> {
    let mut out = Vec::new();
    for s in slugs {
        if let Some(id) = cache.get(s) {
            out.push(*id);
            continue;
        }
        let label = taxonomy
            .topics()
            .iter()
            .find(|t| &t.slug == s)
            .map_or_else(|| s.clone(), |t| t.label.clone());
        topic::Entity::insert(topic::ActiveModel {
            slug: Set(s.clone()),
            label: Set(label),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(topic::Column::Slug)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
        if let Some(t) = topic::Entity::find()
            .filter(topic::Column::Slug.eq(s.clone()))
            .one(txn)
            .await?
        {
            cache.insert(s.clone(), t.id);
            out.push(t.id);
        }
    }
    Ok(out)
}

async fn store_extraction(
    txn: &DatabaseTransaction,
    ex: &Extraction,
    hash: &str,
    file_name: Option<&str>,
    taxonomy: &diplograph_parse::Taxonomy,
    raw: &[u8],
) -> Result<DocumentId, DbErr> {
    let d = &ex.document;
    let published = d.published.clone();
    let date_key = published.as_ref().map_or(0, PartialDate::sort_key);
    let extraction_json = serde_json::to_string(&serde_json::json!({
        "paragraphs": ex.paragraphs,
        "diagnostics": ex.diagnostics,
        "dateline": d.dateline,
    }))
    .unwrap_or_else(|_| "{}".into());
    let doc = document::ActiveModel {
        content_hash: Set(hash.to_string()),
        file_name: Set(file_name.map(str::to_string)),
        kind: Set(d.kind.as_str().to_string()),
        source: Set(d.source.clone()),
        title: Set(d.title.clone()),
        url: Set(d.url.clone()),
        published: Set(published
            .as_ref()
            .map(PartialDate::iso)
            .filter(|s| !s.is_empty())),
        published_key: Set(date_key),
        published_time: Set(published.as_ref().and_then(|p| p.time.clone())),
        year_inferred: Set(d.dateline.as_ref().is_some_and(|dl| dl.date.year_inferred)),
        place_name: Set(d.place.as_ref().map(|p| p.name.clone())),
        place_country: Set(d.place.as_ref().and_then(|p| p.country.clone())),
        dateline: Set(d.dateline.as_ref().map(|dl| dl.text.clone())),
        language: Set(d.language.clone()),
        text: Set(ex.text.clone()),
        extraction: Set(extraction_json),
        ingested_at: Set(now_iso()),
        raw: Set(Some(raw.to_vec())),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let doc_id = doc.id;

    // Participants.
    let mut pids: Vec<i32> = Vec::with_capacity(ex.participants.len());
    for p in &ex.participants {
        let id = upsert_participant(txn, p, hash).await?;
        pids.push(id);
        link(
            txn,
            document_participant::ActiveModel {
                document_id: Set(doc_id),
                participant_id: Set(id),
                ..Default::default()
            },
            vec![
                document_participant::Column::DocumentId,
                document_participant::Column::ParticipantId,
            ],
        )
        .await?;
        let mut forms: Vec<&String> = p.aliases.iter().collect();
        forms.push(&p.name);
        for a in forms {
            link(
                txn,
                participant_alias::ActiveModel {
                    participant_id: Set(id),
                    alias: Set(a.clone()),
                    document_id: Set(doc_id),
                    ..Default::default()
                },
                vec![
                    participant_alias::Column::ParticipantId,
                    participant_alias::Column::Alias,
                    participant_alias::Column::DocumentId,
                ],
            )
            .await?;
        }
        if let Some(t) = &p.title {
            participant_role::ActiveModel {
                participant_id: Set(id),
                title: Set(t.clone()),
                organization: Set(p.organization.clone()),
                country: Set(p.country.clone()),
                document_id: Set(doc_id),
                observed_on: Set(published
                    .as_ref()
                    .map(PartialDate::iso)
                    .filter(|s| !s.is_empty())),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
    }
    let pid = |i: Option<usize>| i.and_then(|i| pids.get(i).copied());

    // Meetings.
    let mut primary_meeting = None;
    let mut touched_meetings = Vec::new();
    for (idx, m) in ex.meetings.iter().enumerate() {
        let key = meeting_key(m, hash, idx);
        let existing = meeting::Entity::find()
            .filter(meeting::Column::Key.eq(key.clone()))
            .one(txn)
            .await?;
        let mid = match existing {
            Some(row) => {
                if row.status == MeetingStatus::Planned.as_str() && m.status == MeetingStatus::Held
                {
                    let mut am: meeting::ActiveModel = row.clone().into();
                    am.status = Set(MeetingStatus::Held.as_str().to_string());
                    am.update(txn).await?;
                }
                row.id
            }
            None => {
                let date = m.date.clone().unwrap_or_default();
                meeting::Entity::insert(meeting::ActiveModel {
                    key: Set(key.clone()),
                    title: Set(m.title.clone()),
                    kind: Set(m.kind.as_str().to_string()),
                    status: Set(m.status.as_str().to_string()),
                    date_year: Set(date.year),
                    date_month: Set(date_i32(date.month)),
                    date_day: Set(date_i32(date.day)),
                    date_text: Set(Some(date.iso()).filter(|s| !s.is_empty())),
                    date_key: Set(date.sort_key()),
                    place_name: Set(m.place.as_ref().map(|p| p.name.clone())),
                    place_country: Set(m.place.as_ref().and_then(|p| p.country.clone())),
                    ..Default::default()
                })
                .on_conflict(
                    OnConflict::column(meeting::Column::Key)
                        .do_nothing()
                        .to_owned(),
                )
                .exec_without_returning(txn)
                .await?;
                meeting::Entity::find()
                    .filter(meeting::Column::Key.eq(key))
                    .one(txn)
                    .await?
                    .map(|r| r.id)
                    .ok_or_else(|| DbErr::RecordNotFound("meeting after insert".into()))?
            }
        };
        if m.primary && primary_meeting.is_none() {
            primary_meeting = Some(mid);
        }
        touched_meetings.push(mid);
        link(
            txn,
            meeting_document::ActiveModel {
                meeting_id: Set(mid),
                document_id: Set(doc_id),
                is_primary: Set(m.primary),
                span_start: Set(i32_of(m.span.start)),
                span_end: Set(i32_of(m.span.end)),
                ..Default::default()
            },
            vec![
                meeting_document::Column::MeetingId,
                meeting_document::Column::DocumentId,
            ],
        )
        .await?;
        for p in &m.participants {
            if let Some(p) = pids.get(*p) {
                link(
                    txn,
                    meeting_participant::ActiveModel {
                        meeting_id: Set(mid),
                        participant_id: Set(*p),
                        ..Default::default()
                    },
                    vec![
                        meeting_participant::Column::MeetingId,
                        meeting_participant::Column::ParticipantId,
                    ],
                )
                .await?;
            }
        }
    }

    // Turns.
    for (i, t) in ex.turns.iter().enumerate() {
        turn::ActiveModel {
            document_id: Set(doc_id),
            idx: Set(i32_of(i)),
            kind: Set(format!("{:?}", t.kind).to_uppercase()),
            label: Set(t.label.clone()),
            speaker_id: Set(pid(t.speaker)),
            span_start: Set(i32_of(t.span.start)),
            span_end: Set(i32_of(t.span.end)),
            ..Default::default()
        }
        .insert(txn)
        .await?;
    }

    // Quotations and claims.
    let mut topic_cache = HashMap::new();
    let mut qids = Vec::with_capacity(ex.quotations.len());
    for (i, q) in ex.quotations.iter().enumerate() {
        let row = quotation::ActiveModel {
            document_id: Set(doc_id),
            meeting_id: Set(primary_meeting),
            speaker_id: Set(pid(q.speaker)),
            reported_by_id: Set(pid(q.reported_by)),
            kind: Set(q.kind.as_str().to_string()),
            text: Set(q.text.clone()),
            speaker_label: Set(q.speaker_label.clone()),
            cue: Set(q.cue.clone()),
            span_start: Set(i32_of(q.span.start)),
            span_end: Set(i32_of(q.span.end)),
            date_key: Set(date_key),
            idx: Set(i32_of(i)),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        qids.push(row.id);
        for t in topic_ids(txn, taxonomy, &q.topics, &mut topic_cache).await? {
            link(
                txn,
                quotation_topic::ActiveModel {
                    quotation_id: Set(row.id),
                    topic_id: Set(t),
                    ..Default::default()
                },
                vec![
                    quotation_topic::Column::QuotationId,
                    quotation_topic::Column::TopicId,
                ],
            )
            .await?;
        }
    }
    for (i, c) in ex.claims.iter().enumerate() {
        let row = claim::ActiveModel {
            document_id: Set(doc_id),
            meeting_id: Set(primary_meeting),
            quotation_id: Set(c.quotation.and_then(|q| qids.get(q).copied())),
            claimant_id: Set(pid(c.claimant)),
            on_behalf_of: Set(c.on_behalf_of.join("\u{1f}")),
            kind: Set(c.kind.as_str().to_string()),
            text: Set(c.text.clone()),
            span_start: Set(i32_of(c.span.start)),
            span_end: Set(i32_of(c.span.end)),
            date_key: Set(date_key),
            idx: Set(i32_of(i)),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        for t in topic_ids(txn, taxonomy, &c.topics, &mut topic_cache).await? {
            link(
                txn,
                claim_topic::ActiveModel {
                    claim_id: Set(row.id),
                    topic_id: Set(t),
                    ..Default::default()
                },
                vec![claim_topic::Column::ClaimId, claim_topic::Column::TopicId],
            )
            .await?;
        }
    }
    // Link this document's meetings and people with compatible ones already stored. Done
    // last: a merge re-points everything, quotations and claims included.
    let mut kept = Vec::new();
    for mid in touched_meetings {
        kept.push(crate::graph::settle_meeting(txn, mid).await?);
    }
    for p in pids {
        crate::graph::settle_person(txn, p).await?;
    }
    kept.sort_unstable();
    kept.dedup();
    for mid in kept {
        crate::graph::refresh_meeting_title(txn, mid).await?;
    }
    crate::graph::apply_corrections(txn).await?;
    crate::provenance::link_document(txn, doc_id).await?;
    Ok(DocumentId(doc_id))
}

/// Separator used to store a list of countries in one column.
pub const LIST_SEP: char = '\u{1f}';
