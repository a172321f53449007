//! Ingest: documents in batches, one transaction per batch, idempotent by the SHA-256 of
//! their bytes. A batch's documents are written together, one statement per table; if
//! that fails, it is undone and its documents are written one at a time, each in its own
//! savepoint, so each lands all or nothing and a bad one fails alone. A batch gives the
//! graph that writing its documents one at a time, in order, gives.
//!
//! People and organisations are linked across documents by a normalised-name key; a meeting
//! with a full date is linked by kind, date, place and its people's surnames, so the same
//! meeting reported by two documents is one row linked to both, and reports naming fewer of
//! its people are joined to it when settled. A meeting first stored as planned and later
//! reported as held becomes held.

use std::collections::HashMap;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use sha2::{Digest, Sha256};
use tracing::{debug, info, instrument, warn};

use crate::entities::*;
use crate::{DocumentId, Store, StoreError};
use diplograph_parse::{Extraction, MeetingStatus, Options, PartialDate, ParticipantKind};

/// Documents ingested one at a time (through the API) between two merges of the GIN
/// indexes' pending lists.
pub const SETTLE_EVERY: u64 = 64;

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

/// The key that finds a meeting already stored: kind, full date, place and the surnames of
/// the people named in it. Two talks on one day in one city with different people (the
/// bilateral meetings on the sidelines of a summit) are different meetings; reports that
/// name fewer of the same people are joined afterwards by `settle_meeting`. Without a full
/// date the meeting is this document's own until it is settled.
fn meeting_key(
    ex: &Extraction,
    m: &diplograph_parse::Meeting,
    doc_hash: &str,
    idx: usize,
) -> String {
    let place = m
        .place
        .as_ref()
        .map(|p| p.name.to_lowercase())
        .unwrap_or_default();
    match &m.date {
        Some(d) if d.is_full() => {
            let mut people: Vec<String> = m
                .participants
                .iter()
                .filter_map(|i| ex.participants.get(*i))
                .filter(|p| p.kind == ParticipantKind::Person)
                .filter_map(|p| {
                    crate::migration::m20261123_000004_surname::surname_of_key(&participant_key(
                        &p.name, p.kind, doc_hash,
                    ))
                })
                .collect();
            people.sort_unstable();
            people.dedup();
            format!(
                "{}|{}|{place}|{}",
                m.kind.as_str(),
                d.iso(),
                people.join("+")
            )
        }
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
        self.count_one(&out).await;
        out
    }

    /// Counts a document ingested on its own (through the API, say), and every
    /// [`SETTLE_EVERY`] new ones merges the GIN pending lists (see
    /// [`Store::settle_indexes`]): such documents come with no run whose end would.
    async fn count_one(&self, out: &Result<IngestOutcome, StoreError>) {
        if self.count(out).is_multiple_of(SETTLE_EVERY) && matches!(out, Ok(IngestOutcome::New(_)))
        {
            self.settle_indexes().await;
        }
    }

    /// Counts an outcome; returns the count it was added to.
    fn count(&self, out: &Result<IngestOutcome, StoreError>) -> u64 {
        let counter = match out {
            Ok(IngestOutcome::New(_)) => &self.stats.new,
            Ok(IngestOutcome::Unchanged(_)) => &self.stats.unchanged,
            Err(_) => &self.stats.failed,
        };
        counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .saturating_add(1)
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
        self.count_one(&out).await;
        out
    }

    async fn ingest_with(
        &self,
        bytes: &[u8],
        file_name: Option<&str>,
        opts: &Options,
        extracted: Option<Extraction>,
    ) -> Result<IngestOutcome, StoreError> {
        let ex = match extracted {
            Some(ex) => ex,
            None => diplograph_parse::extract(bytes, &opts_for(opts, file_name))?,
        };
        let doc = Pending {
            bytes: bytes.to_vec(),
            file_name: file_name.map(str::to_string),
            extraction: ex,
            vectors: None,
        };
        self.write_batch(vec![doc], opts)
            .await
            .into_iter()
            .next()
            .unwrap_or_else(|| Err(StoreError::Db(DbErr::Custom("empty batch".into()))))
    }

    /// Ingests several extracted documents in one transaction: one commit, one lock, one
    /// look-up of the hashes already stored, and one statement per table for all of them.
    /// Each document still lands all or nothing: when the batch fails it is undone and its
    /// documents are written one at a time, each in a savepoint, so one that fails is
    /// rolled back alone and reported in its slot while the others are stored. The graph
    /// is the one that ingesting them one at a time, in order, builds. Results are in the
    /// order given.
    #[instrument(skip_all, fields(documents = docs.len()))]
    pub async fn ingest_batch(
        &self,
        docs: Vec<Pending>,
        opts: &Options,
    ) -> Vec<Result<IngestOutcome, StoreError>> {
        let out = self.write_batch(docs, opts).await;
        for r in &out {
            self.count(r);
        }
        if out.iter().any(|r| matches!(r, Ok(IngestOutcome::New(_)))) {
            self.refresh_statistics().await;
        }
        out
    }

    /// Postgres plans the merge look-ups from its statistics of the tables, which
    /// autovacuum refreshes only about once a minute: a long ingest into a young database
    /// would run for a minute or more on plans made before the tables had any (a
    /// 10,000-document ingest spent 3 to 6 × as long settling a batch's meetings by its
    /// middle as at its start, until autovacuum got there). So after batches that bring
    /// the documents this store has written to 256, 512, 1,024, ... (each doubling), the
    /// tables those look-ups read are analysed: about 0.5 s at 8,000 documents, 1.4 s in
    /// all for a run of 10,000.
    async fn refresh_statistics(&self) {
        use sea_orm::ConnectionTrait;
        use std::sync::atomic::Ordering;
        if self.db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return;
        }
        let written = self.stats.new.load(Ordering::Relaxed);
        let next = self.stats.next_analyze.load(Ordering::Relaxed).max(256);
        if written < next {
            return;
        }
        self.stats
            .next_analyze
            .store(written.saturating_mul(2), Ordering::Relaxed);
        let sql = "ANALYZE meetings, meeting_participants, meeting_documents, participants, \
                   participant_aliases, document_participants, quotations";
        let started = std::time::Instant::now();
        match self.db.execute_unprepared(sql).await {
            Ok(_) => debug!(
                documents = written,
                ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                "planner statistics refreshed"
            ),
            // Only plans suffer: the ingest goes on.
            Err(e) => warn!(error = %e, "could not refresh planner statistics"),
        }
    }

    /// Moves the entries waiting in the pending lists of Postgres's GIN indexes (full
    /// text, and the trigram indexes of the name filters) into the indexes. Rows inserted
    /// into a GIN index go to its pending list, which every look-up reads through whole
    /// until a vacuum (or 4 MB of entries) merges it; the tail of a large ingest waits
    /// there until autovacuum next vacuums the table, which for 90,000 aliases takes
    /// 19,000 more inserts. Minutes after a 10,000-document ingest the aliases'
    /// name look-up still took 2.8 ms instead of 0.18 ms, and the filtered benchmark query
    /// ran at 630 requests/s instead of 1,548. Ingest runs call this when they end, and
    /// documents ingested one at a time trigger it every [`SETTLE_EVERY`]; it returns the
    /// pages moved. A failure (a role that does not own the indexes) is
    /// logged: look-ups are slower, nothing is wrong.
    #[instrument(skip_all)]
    pub async fn settle_indexes(&self) -> u64 {
        use sea_orm::{ConnectionTrait, Statement};
        let backend = self.db.get_database_backend();
        if backend != sea_orm::DatabaseBackend::Postgres {
            return 0;
        }
        let sql = "SELECT CAST(COALESCE(SUM(gin_clean_pending_list(c.oid)), 0) AS BIGINT) \
                   FROM pg_class c JOIN pg_am a ON a.oid = c.relam \
                   WHERE a.amname = 'gin' AND c.relkind = 'i' \
                   AND c.relnamespace = CAST(current_schema() AS regnamespace)";
        let started = std::time::Instant::now();
        let moved = match self
            .db
            .query_one_raw(Statement::from_string(backend, sql))
            .await
            .and_then(|row| match row {
                Some(r) => r.try_get_by_index::<i64>(0),
                None => Ok(0),
            }) {
            Ok(n) => u64::try_from(n).unwrap_or(0),
            Err(e) => {
                warn!(error = %e, "could not merge the GIN indexes' pending lists");
                return 0;
            }
        };
        debug!(
            pages = moved,
            ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            "GIN pending lists merged"
        );
        moved
    }

    async fn write_batch(
        &self,
        docs: Vec<Pending>,
        opts: &Options,
    ) -> Vec<Result<IngestOutcome, StoreError>> {
        let n = docs.len();
        match self.write_batch_inner(docs, opts).await {
            Ok(v) => v,
            Err(e) => {
                // The batch as a whole failed (connection, commit): nothing of it landed.
                let msg = e.to_string();
                (0..n)
                    .map(|_| Err(StoreError::Db(DbErr::Custom(msg.clone()))))
                    .collect()
            }
        }
    }

    async fn write_batch_inner(
        &self,
        docs: Vec<Pending>,
        opts: &Options,
    ) -> Result<Vec<Result<IngestOutcome, StoreError>>, StoreError> {
        // A dateline with no year the text can settle: the year of a meeting already in
        // the graph on that day, with someone the document names. Read before the write
        // transaction, like the extraction itself.
        let mut docs = docs;
        for d in &mut docs {
            let Some((month, day)) = d
                .extraction
                .document
                .dateline
                .as_ref()
                .filter(|dl| dl.date.year.is_none())
                .map(|dl| (dl.date.month, dl.date.day))
            else {
                continue;
            };
            if let Some(year) = self.year_from_graph(&d.extraction, month, day).await? {
                let mut o = opts_for(opts, d.file_name.as_deref());
                o.year_hint = Some(year);
                d.extraction = diplograph_parse::extract(&d.bytes, &o)?;
                // Made for the extraction replaced: the writes make them.
                d.vectors = None;
            }
        }
        let hashes: Vec<String> = docs.iter().map(|d| content_hash(&d.bytes)).collect();
        let txn = self.db.begin().await?;
        lock_for_ingest(&txn).await?;
        plan_once(&txn).await?;
        let mut stored: HashMap<String, i32> = HashMap::new();
        for chunk in hashes.chunks(CHUNK) {
            for d in document::Entity::find()
                .filter(document::Column::ContentHash.is_in(chunk.to_vec()))
                .all(&txn)
                .await?
            {
                stored.insert(d.content_hash, d.id);
            }
        }
        let taxonomy = opts
            .taxonomy
            .as_ref()
            .unwrap_or_else(|| diplograph_parse::Taxonomy::builtin());
        // The new documents all together, with one statement per table. A batch that
        // fails is undone and written again one document at a time, so that a bad document
        // fails alone; one that would link people differently than one-at-a-time ingest
        // is split where that starts (see `BatchError::SplitAt`).
        let mut written: HashMap<usize, i32> = HashMap::new();
        let mut failed: HashMap<usize, StoreError> = HashMap::new();
        {
            let mut firsts = std::collections::HashSet::new();
            let (slots, items): (Vec<usize>, Vec<Item<'_>>) = docs
                .iter()
                .zip(&hashes)
                .enumerate()
                .filter(|(_, (_, h))| !stored.contains_key(*h) && firsts.insert(h.as_str()))
                .map(|(i, (d, h))| {
                    (
                        i,
                        Item {
                            ex: &d.extraction,
                            hash: h,
                            file_name: d.file_name.as_deref(),
                            raw: &d.bytes,
                            vectors: d
                                .vectors
                                .as_ref()
                                .and_then(|v| v.for_extraction(&d.extraction)),
                        },
                    )
                })
                .unzip();
            // Ranges of `items` still to write; the next one is last.
            let mut ranges = vec![(0, items.len())];
            while let Some((a, b)) = ranges.pop() {
                let Some(part) = items.get(a..b).filter(|p| !p.is_empty()) else {
                    continue;
                };
                let sp = txn.begin().await?;
                match store_batch(&sp, part, taxonomy).await {
                    Ok(ids) => {
                        sp.commit().await?;
                        for ((slot, it), id) in slots.iter().skip(a).zip(part).zip(ids) {
                            written.insert(*slot, id);
                            stored.insert(it.hash.to_string(), id);
                        }
                    }
                    Err(BatchError::SplitAt(j)) if j > 0 && a + j < b => {
                        sp.rollback().await?;
                        debug!(documents = b - a, at = j, "a batch split in two");
                        ranges.push((a + j, b));
                        ranges.push((a, a + j));
                    }
                    Err(e) => {
                        sp.rollback().await?;
                        if let (1, Some(slot)) = (b - a, slots.get(a)) {
                            failed.insert(*slot, e.into());
                        } else {
                            warn!(error = %StoreError::from(e), documents = b - a, "a batch failed; writing its documents one at a time");
                            ranges.extend((a..b).rev().map(|k| (k, k + 1)));
                        }
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(docs.len());
        for (i, (d, hash)) in docs.iter().zip(hashes).enumerate() {
            let ex = &d.extraction;
            if let Some(id) = written.get(&i) {
                info!(document = id, title = %ex.document.title, quotations = ex.quotations.len(), "ingested");
                out.push(Ok(IngestOutcome::New(DocumentId(*id))));
                continue;
            }
            if let Some(e) = failed.remove(&i) {
                out.push(Err(e));
                continue;
            }
            if let Some(id) = stored.get(&hash) {
                out.push(Ok(IngestOutcome::Unchanged(DocumentId(*id))));
                continue;
            }
            let sp = txn.begin().await?;
            match store_extraction(&sp, ex, &hash, d.file_name.as_deref(), taxonomy, &d.bytes).await
            {
                Ok(id) => {
                    sp.commit().await?;
                    info!(document = id.0, title = %ex.document.title, quotations = ex.quotations.len(), "ingested");
                    stored.insert(hash, id.0);
                    out.push(Ok(IngestOutcome::New(id)));
                }
                Err(e) => {
                    sp.rollback().await?;
                    out.push(Err(e.into()));
                }
            }
        }
        txn.commit().await?;
        Ok(out)
    }
}

/// A document read and extracted, waiting to be written by [`Store::ingest_batch`].
#[derive(Debug, Clone)]
pub struct Pending {
    /// The file's bytes (kept for re-processing; their hash identifies the document).
    pub bytes: Vec<u8>,
    /// The file name, when there is one.
    pub file_name: Option<String>,
    /// What [`extract_for_ingest`] found.
    pub extraction: Extraction,
    /// The search vectors of its rows, made beforehand by [`Store::with_search_vectors`]
    /// (Postgres); `None` has the database make them as it writes the rows.
    pub vectors: Option<SearchVectors>,
}

/// The search vectors of one document's rows (Postgres's `tsvector`, as text), made by
/// the database's own `to_tsvector('english', …)` over the texts the rows will hold.
#[derive(Debug, Clone, Default)]
pub struct SearchVectors {
    document: String,
    quotations: Vec<String>,
    claims: Vec<String>,
}

impl SearchVectors {
    /// These vectors, when they were made for this extraction's rows (one for each of its
    /// quotations and claims).
    fn for_extraction(&self, ex: &Extraction) -> Option<&Self> {
        (self.quotations.len() == ex.quotations.len() && self.claims.len() == ex.claims.len())
            .then_some(self)
    }
}

/// The text a document's search vector is made of (as migration 16's trigger makes it).
fn document_search_text(ex: &Extraction) -> String {
    format!("{} {}", ex.document.title, ex.text)
}

/// Makes the search vectors of texts, in order, as `tsvector` text.
const VECTORS_SQL: &str = "SELECT CAST(to_tsvector('english', t) AS text) \
     FROM unnest(CAST($1 AS text[])) WITH ORDINALITY AS u(t, i) ORDER BY i";

impl Store {
    /// Makes the search vectors of the documents' rows before they are written, on a
    /// connection of the pool's own (Postgres; on SQLite, whose full-text index is filled
    /// as the rows are written, the documents come back unchanged). The batch ingest calls
    /// this for the next batch while the one before is written: `to_tsvector` was a third
    /// of Postgres's work in an ingest, all of it on the one connection that writes.
    /// The vectors are the ones the database would make as it writes the rows; when they
    /// cannot be made here (a document too large for a vector, a lost connection) the
    /// documents come back without them and the writes make them, as before.
    #[instrument(skip_all, fields(documents = docs.len()))]
    pub async fn with_search_vectors(&self, mut docs: Vec<Pending>) -> Vec<Pending> {
        if self.db.get_database_backend() != sea_orm::DatabaseBackend::Postgres {
            return docs;
        }
        let mut texts: Vec<String> = Vec::new();
        for d in &docs {
            let ex = &d.extraction;
            texts.push(document_search_text(ex));
            texts.extend(ex.quotations.iter().map(|q| q.text.clone()));
            texts.extend(ex.claims.iter().map(|c| c.text.clone()));
        }
        let expected = texts.len();
        let pool = self.db.get_postgres_connection_pool();
        // In two statements of about as many bytes, on two connections at once: the first
        // batch of a run has no write beside it, and a run of one batch no other.
        let total: usize = texts.iter().map(String::len).sum();
        let mut sum = 0;
        let half = texts
            .iter()
            .position(|t| {
                sum += t.len();
                sum * 2 >= total
            })
            .map_or(0, |i| i + 1);
        let second = texts.split_off(half.min(texts.len()));
        let make = |texts: Vec<String>| async move {
            if texts.is_empty() {
                return Ok(Vec::new());
            }
            sea_orm::sqlx::query_scalar::<_, String>(VECTORS_SQL)
                .bind(texts)
                .fetch_all(pool)
                .await
        };
        let made = match tokio::join!(make(texts), make(second)) {
            (Ok(mut a), Ok(b)) => {
                a.extend(b);
                Ok(a)
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        let made: Vec<String> = match made {
            Ok(v) if v.len() == expected => v,
            Ok(v) => {
                warn!(
                    made = v.len(),
                    expected, "search vectors came back short; the writes make them"
                );
                return docs;
            }
            Err(e) => {
                warn!(error = %e, "could not make search vectors beforehand; the writes make them");
                return docs;
            }
        };
        let mut made = made.into_iter();
        for d in &mut docs {
            let ex = &d.extraction;
            let document = made.next().unwrap_or_default();
            let quotations = made.by_ref().take(ex.quotations.len()).collect();
            let claims = made.by_ref().take(ex.claims.len()).collect();
            d.vectors = Some(SearchVectors {
                document,
                quotations,
                claims,
            });
        }
        docs
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
    ///
    /// When every document has its bytes, meetings are rebuilt from scratch first (in a
    /// transaction of their own), so the merge rules of this version apply to all of them:
    /// a meeting merged under older rules would otherwise keep absorbing the documents
    /// re-stored into it. Meetings are derived from the documents, which are all kept; an
    /// interrupted run is completed by running it again.
    #[instrument(skip(self, opts))]
    pub async fn reprocess_all(&self, opts: &Options) -> Result<Reprocessed, StoreError> {
        let ids: Vec<(i32, String)> = document::Entity::find()
            .select_only()
            .column(document::Column::Id)
            .column(document::Column::ContentHash)
            .into_tuple()
            .all(&self.db)
            .await?;
        let without_bytes = document::Entity::find()
            .filter(document::Column::Raw.is_null())
            .count(&self.db)
            .await?;
        if without_bytes == 0 && !ids.is_empty() {
            let txn = self.db.begin().await?;
            lock_for_ingest(&txn).await?;
            crate::graph::clear_meetings_tx(&txn).await?;
            txn.commit().await?;
        }
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
        if out.documents > 0 {
            self.settle_indexes().await;
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

/// Postgres: the statements of this write transaction run on generic plans, made once per
/// connection and statement instead of once per call (`SET LOCAL`: the transaction's
/// own, never the reads'). The ingest's statements are look-ups by key and inserts whose
/// plans cost more to make than to run: a 1,000-document ingest made 1,078 plans for the
/// meeting candidates' look-up, 0.17 s, to run it in 0.02 s. A generic plan is made again
/// whenever the planner statistics of its tables change (the ANALYZE of
/// `refresh_statistics`), so it follows the tables as they grow; the same graph comes out
/// (BENCHMARKS.md, twenty-eighth session).
async fn plan_once(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_unprepared("SET LOCAL plan_cache_mode = force_generic_plan")
            .await?;
    }
    Ok(())
}

/// Rows per multi-row INSERT: well inside both backends' bound-parameter limits.
const CHUNK: usize = 200;

/// Inserts rows with multi-row statements, `ON CONFLICT (cols) DO NOTHING` when `conflict`
/// names columns.
async fn insert_all<E, A>(
    txn: &DatabaseTransaction,
    rows: Vec<A>,
    conflict: &[E::Column],
) -> Result<(), DbErr>
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E> + Send,
{
    insert_chunks(txn, rows, conflict, CHUNK).await
}

/// [`insert_all`], `per_statement` rows to a statement.
async fn insert_chunks<E, A>(
    txn: &DatabaseTransaction,
    rows: Vec<A>,
    conflict: &[E::Column],
    per_statement: usize,
) -> Result<(), DbErr>
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E> + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        let mut q = E::insert_many(chunk);
        if !conflict.is_empty() {
            q = q.on_conflict(
                OnConflict::columns(conflict.to_vec())
                    .do_nothing()
                    .to_owned(),
            );
        }
        q.exec_without_returning(txn).await?;
    }
    Ok(())
}

/// Inserts rows as [`insert_chunks`] does (no conflict target), `chunk` to a statement, each
/// with the search vector given for it (`tsv`, `tsvector` text; Postgres only): a row
/// given none is written without one, and the table's trigger makes it. On SQLite, which
/// has no vector columns, the rows are written as `insert_chunks` writes them. The columns
/// are those set in any row; a row that leaves one unset takes its default, as with
/// `insert_many`.
async fn insert_with_vectors<E, A>(
    txn: &DatabaseTransaction,
    rows: Vec<A>,
    vectors: Vec<Option<&str>>,
    chunk: usize,
) -> Result<(), DbErr>
where
    E: EntityTrait,
    A: ActiveModelTrait<Entity = E> + Send,
{
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, IntoIden, Query};
    use sea_orm::{ConnectionTrait, Iterable};
    if txn.get_database_backend() != sea_orm::DatabaseBackend::Postgres
        || vectors.iter().all(Option::is_none)
    {
        return insert_chunks(txn, rows, &[], chunk).await;
    }
    let columns: Vec<E::Column> = E::Column::iter()
        .filter(|c| rows.iter().any(|r| r.get(*c).is_set()))
        .collect();
    let mut vectors = vectors;
    vectors.resize(rows.len(), None);
    let rows: Vec<(A, Option<&str>)> = rows.into_iter().zip(vectors).collect();
    for part in rows.chunks(chunk) {
        let mut q = Query::insert();
        // One list: `columns` replaces the statement's columns, it does not add to them.
        q.into_table(E::default().table_ref()).columns(
            columns
                .iter()
                .map(|c| c.into_iden())
                .chain([Alias::new("tsv").into_iden()]),
        );
        for (row, vector) in part {
            let mut values: Vec<Expr> = columns
                .iter()
                .map(|c| match row.get(*c).into_value() {
                    Some(v) => Expr::val(v),
                    None => Expr::keyword_default(),
                })
                .collect();
            values.push(match vector {
                Some(v) => Expr::val(*v).cast_as(Alias::new("tsvector")),
                None => Expr::keyword_default(),
            });
            q.values(values)
                .map_err(|e| DbErr::Custom(format!("insert with search vectors: {e}")))?;
        }
        txn.execute(&q).await?;
    }
    Ok(())
}

/// Ids of participants given with their keys (those of a batch's documents, in order), and
/// the ids of those created: existing rows are found by key in one query, missing ones
/// inserted in one statement; a stored row missing a country or title takes it from the
/// first document that gives one.
async fn upsert_participants(
    txn: &DatabaseTransaction,
    keyed: &[(&diplograph_parse::Participant, String)],
) -> Result<(Vec<i32>, std::collections::HashSet<i32>), DbErr> {
    let mut unique: Vec<String> = keyed.iter().map(|(_, k)| k.clone()).collect();
    unique.sort();
    unique.dedup();
    let mut rows: HashMap<String, participant::Model> = HashMap::new();
    for chunk in unique.chunks(CHUNK) {
        for r in participant::Entity::find()
            .filter(participant::Column::Key.is_in(chunk.to_vec()))
            .all(txn)
            .await?
        {
            rows.insert(r.key.clone(), r);
        }
    }
    let mut fresh = Vec::new();
    let mut queued = std::collections::HashSet::new();
    for (p, key) in keyed {
        if rows.contains_key(key) || !queued.insert(key.clone()) {
            continue;
        }
        fresh.push(participant::ActiveModel {
            key: Set(key.clone()),
            name: Set(p.name.clone()),
            kind: Set(p.kind.as_str().to_string()),
            country: Set(p.country.clone()),
            title: Set(p.title.clone()),
            surname: Set(crate::migration::m20261123_000004_surname::surname_of_key(
                key,
            )),
            ..Default::default()
        });
    }
    let mut created = std::collections::HashSet::new();
    if !fresh.is_empty() {
        let new_keys: Vec<String> = queued.into_iter().collect();
        insert_all(txn, fresh, &[participant::Column::Key]).await?;
        for chunk in new_keys.chunks(CHUNK) {
            for r in participant::Entity::find()
                .filter(participant::Column::Key.is_in(chunk.to_vec()))
                .all(txn)
                .await?
            {
                created.insert(r.id);
                rows.insert(r.key.clone(), r);
            }
        }
    }
    let mut ids = Vec::with_capacity(keyed.len());
    for (p, key) in keyed {
        let Some(row) = rows.get_mut(key) else {
            return Err(DbErr::RecordNotFound("participant after insert".into()));
        };
        let add_country = row.country.is_none() && p.country.is_some();
        let add_title = row.title.is_none() && p.title.is_some();
        if add_country || add_title {
            let mut am: participant::ActiveModel = row.clone().into();
            if add_country {
                am.country = Set(p.country.clone());
                row.country.clone_from(&p.country);
            }
            if add_title {
                am.title = Set(p.title.clone());
                row.title.clone_from(&p.title);
            }
            am.update(txn).await?;
        }
        ids.push(row.id);
    }
    Ok((ids, created))
}

/// Ids of the topics named by `slugs`, created from the taxonomy when missing.
async fn topic_ids(
    txn: &DatabaseTransaction,
    taxonomy: &diplograph_parse::Taxonomy,
    slugs: &[&String],
) -> Result<HashMap<String, i32>, DbErr> {
    let mut want: Vec<String> = slugs.iter().map(|s| (*s).clone()).collect();
    want.sort();
    want.dedup();
    let mut out = HashMap::new();
    if want.is_empty() {
        return Ok(out);
    }
    let load = |want: Vec<String>| async move {
        topic::Entity::find()
            .filter(topic::Column::Slug.is_in(want))
            .all(txn)
            .await
    };
    for t in load(want.clone()).await? {
        out.insert(t.slug, t.id);
    }
    let missing: Vec<topic::ActiveModel> = want
        .iter()
        .filter(|s| !out.contains_key(*s))
        .map(|s| {
            let label = taxonomy
                .topics()
                .iter()
                .find(|t| &t.slug == s)
                .map_or_else(|| s.clone(), |t| t.label.clone());
            topic::ActiveModel {
                slug: Set(s.clone()),
                label: Set(label),
                ..Default::default()
            }
        })
        .collect();
    if !missing.is_empty() {
        insert_all(txn, missing, &[topic::Column::Slug]).await?;
        for t in load(want).await? {
            out.insert(t.slug, t.id);
        }
    }
    Ok(out)
}

/// Ids of the rows of `docs` (quotations, claims) by document and `idx`, after a
/// multi-row insert.
async fn ids_by_idx<E>(
    txn: &DatabaseTransaction,
    [id_col, doc_col, idx_col]: [E::Column; 3],
    docs: &[i32],
) -> Result<HashMap<(i32, i32), i32>, DbErr>
where
    E: EntityTrait,
{
    use sea_orm::Select;
    let mut out = HashMap::new();
    for chunk in docs.chunks(CHUNK) {
        let q: Select<E> = E::find()
            .select_only()
            .column(id_col)
            .column(doc_col)
            .column(idx_col)
            .filter(doc_col.is_in(chunk.to_vec()));
        let rows: Vec<(i32, i32, i32)> = q.into_tuple().all(txn).await?;
        out.extend(rows.into_iter().map(|(id, doc, idx)| ((doc, idx), id)));
    }
    Ok(out)
}

/// One document of a batch, ready to be written.
pub(crate) struct Item<'a> {
    pub ex: &'a Extraction,
    pub hash: &'a str,
    pub file_name: Option<&'a str>,
    pub raw: &'a [u8],
    /// The search vectors of its rows, when made beforehand.
    pub vectors: Option<&'a SearchVectors>,
}

/// Why [`store_batch`] wrote nothing.
#[derive(Debug)]
pub(crate) enum BatchError {
    /// A statement failed.
    Db(DbErr),
    /// Written with the ones before it, the document at this index of the batch would be
    /// linked differently than if they had been written first (a one-word name merged
    /// into a full name that the document, coming later, could no longer tell apart from
    /// another): it starts a batch of its own.
    SplitAt(usize),
}

impl From<DbErr> for BatchError {
    fn from(e: DbErr) -> Self {
        Self::Db(e)
    }
}

impl From<BatchError> for StoreError {
    fn from(e: BatchError) -> Self {
        match e {
            BatchError::Db(e) => e.into(),
            BatchError::SplitAt(i) => StoreError::Db(DbErr::Custom(format!(
                "a batch must be split before its document {i}"
            ))),
        }
    }
}

/// Writes one extraction (re-processing, and a document retried alone).
async fn store_extraction(
    txn: &DatabaseTransaction,
    ex: &Extraction,
    hash: &str,
    file_name: Option<&str>,
    taxonomy: &diplograph_parse::Taxonomy,
    raw: &[u8],
) -> Result<DocumentId, DbErr> {
    let item = Item {
        ex,
        hash,
        file_name,
        raw,
        vectors: None,
    };
    let ids = store_batch(txn, &[item], taxonomy)
        .await
        .map_err(|e| match e {
            BatchError::Db(e) => e,
            // One document is never split.
            split => DbErr::Custom(StoreError::from(split).to_string()),
        })?;
    ids.first()
        .copied()
        .map(DocumentId)
        .ok_or_else(|| DbErr::RecordNotFound("document after insert".into()))
}

fn document_row(it: &Item<'_>) -> document::ActiveModel {
    let ex = it.ex;
    let d = &ex.document;
    let published = d.published.clone();
    let published_iso = published
        .as_ref()
        .map(PartialDate::iso)
        .filter(|s| !s.is_empty());
    let extraction_json = serde_json::to_string(&serde_json::json!({
        "paragraphs": ex.paragraphs,
        "diagnostics": ex.diagnostics,
        "dateline": d.dateline,
    }))
    .unwrap_or_else(|_| "{}".into());
    document::ActiveModel {
        content_hash: Set(it.hash.to_string()),
        file_name: Set(it.file_name.map(str::to_string)),
        kind: Set(d.kind.as_str().to_string()),
        source: Set(d.source.clone()),
        title: Set(d.title.clone()),
        url: Set(d.url.clone()),
        published: Set(published_iso),
        published_key: Set(published.as_ref().map_or(0, PartialDate::sort_key)),
        published_time: Set(published.as_ref().and_then(|p| p.time.clone())),
        year_inferred: Set(d.dateline.as_ref().is_some_and(|dl| dl.date.year_inferred)),
        place_name: Set(d.place.as_ref().map(|p| p.name.clone())),
        place_country: Set(d.place.as_ref().and_then(|p| p.country.clone())),
        dateline: Set(d.dateline.as_ref().map(|dl| dl.text.clone())),
        language: Set(d.language.clone()),
        text: Set(ex.text.clone()),
        extraction: Set(extraction_json),
        ingested_at: Set(now_iso()),
        raw: Set(Some(it.raw.to_vec())),
        ..Default::default()
    }
}

/// A document of a batch once stored: what its quotations and claims point at.
struct Placed<'a> {
    ex: &'a Extraction,
    doc_id: i32,
    /// Its participants' ids, in the extraction's order.
    ids: &'a [i32],
    primary: Option<i32>,
    date_key: i64,
    /// The search vectors of its rows, when made beforehand.
    vectors: Option<&'a SearchVectors>,
}

impl Placed<'_> {
    /// The id of the participant at `i` of the extraction.
    fn pid(&self, i: Option<usize>) -> Option<i32> {
        i.and_then(|i| self.ids.get(i).copied())
    }
}

/// Rows per multi-row INSERT of documents (each carries its text and bytes).
const DOC_CHUNK: usize = 16;

/// Writes the documents of a batch with one statement per table for all of them (not per
/// document), then links their meetings and people with those already stored. Returns
/// the new documents' ids in the order given. All or nothing: the caller runs it in a
/// savepoint, and writes the documents one at a time when it fails, so that one bad
/// document fails alone.
pub(crate) async fn store_batch(
    txn: &DatabaseTransaction,
    items: &[Item<'_>],
    taxonomy: &diplograph_parse::Taxonomy,
) -> Result<Vec<i32>, BatchError> {
    if items.is_empty() {
        return Ok(Vec::new());
    }
    // Participants, their names as written, and the titles they held.
    let keyed: Vec<(&diplograph_parse::Participant, String)> = items
        .iter()
        .flat_map(|it| {
            it.ex
                .participants
                .iter()
                .map(|p| (p, participant_key(&p.name, p.kind, it.hash)))
        })
        .collect();
    let (flat, fresh_people) = upsert_participants(txn, &keyed).await?;
    let mut pids: Vec<&[i32]> = Vec::with_capacity(items.len());
    let mut rest = flat.as_slice();
    for it in items {
        let (mine, tail) = rest.split_at(it.ex.participants.len().min(rest.len()));
        pids.push(mine);
        rest = tail;
    }
    // Which one-word persons are their full names is decided now, before anything else is
    // written: a batch that must split (a later document would link a name differently
    // than if written alone) is undone having written only its persons.
    let mut created_by: HashMap<i32, usize> = HashMap::new();
    for (i, ids) in pids.iter().enumerate() {
        for id in ids.iter().filter(|id| fresh_people.contains(id)) {
            created_by.entry(*id).or_insert(i);
        }
    }
    let people_merges = crate::graph::plan_people(txn, &pids, &created_by).await?;
    // Documents: inserted together, their ids read back by hash.
    insert_with_vectors(
        txn,
        items.iter().map(document_row).collect(),
        items
            .iter()
            .map(|it| it.vectors.map(|v| v.document.as_str()))
            .collect(),
        DOC_CHUNK,
    )
    .await?;
    let hashes: Vec<String> = items.iter().map(|it| it.hash.to_string()).collect();
    let mut by_hash: HashMap<String, i32> = HashMap::new();
    for chunk in hashes.chunks(CHUNK) {
        let found: Vec<(i32, String)> = document::Entity::find()
            .select_only()
            .column(document::Column::Id)
            .column(document::Column::ContentHash)
            .filter(document::Column::ContentHash.is_in(chunk.to_vec()))
            .into_tuple()
            .all(txn)
            .await?;
        by_hash.extend(found.into_iter().map(|(id, h)| (h, id)));
    }
    let mut doc_ids = Vec::with_capacity(items.len());
    for it in items {
        let Some(id) = by_hash.get(it.hash) else {
            return Err(DbErr::RecordNotFound("document after insert".into()).into());
        };
        doc_ids.push(*id);
    }

    // Their names as written, and the titles they held.
    let mut doc_links = Vec::new();
    let mut aliases = Vec::new();
    let mut roles = Vec::new();
    for ((it, &doc_id), ids) in items.iter().zip(&doc_ids).zip(&pids) {
        let published_iso = it
            .ex
            .document
            .published
            .as_ref()
            .map(PartialDate::iso)
            .filter(|s| !s.is_empty());
        let mut seen_pid = std::collections::HashSet::new();
        let mut seen_alias = std::collections::HashSet::new();
        for (p, &id) in it.ex.participants.iter().zip(ids.iter()) {
            if seen_pid.insert(id) {
                doc_links.push(document_participant::ActiveModel {
                    document_id: Set(doc_id),
                    participant_id: Set(id),
                    ..Default::default()
                });
            }
            for a in p.aliases.iter().chain(std::iter::once(&p.name)) {
                if seen_alias.insert((id, a.clone())) {
                    aliases.push(participant_alias::ActiveModel {
                        participant_id: Set(id),
                        alias: Set(a.clone()),
                        document_id: Set(doc_id),
                        ..Default::default()
                    });
                }
            }
            if let Some(t) = &p.title {
                roles.push(participant_role::ActiveModel {
                    participant_id: Set(id),
                    title: Set(t.clone()),
                    organization: Set(p.organization.clone()),
                    country: Set(p.country.clone()),
                    document_id: Set(doc_id),
                    observed_on: Set(published_iso.clone()),
                    ..Default::default()
                });
            }
        }
    }
    insert_all(
        txn,
        doc_links,
        &[
            document_participant::Column::DocumentId,
            document_participant::Column::ParticipantId,
        ],
    )
    .await?;
    insert_all(
        txn,
        aliases,
        &[
            participant_alias::Column::ParticipantId,
            participant_alias::Column::Alias,
            participant_alias::Column::DocumentId,
        ],
    )
    .await?;
    insert_all(txn, roles, &[]).await?;

    // Meetings: found by key, the missing ones inserted together.
    let keys: Vec<Vec<String>> = items
        .iter()
        .map(|it| {
            it.ex
                .meetings
                .iter()
                .enumerate()
                .map(|(idx, m)| meeting_key(it.ex, m, it.hash, idx))
                .collect()
        })
        .collect();
    let mut all_keys: Vec<String> = keys.iter().flatten().cloned().collect();
    all_keys.sort();
    all_keys.dedup();
    let mut rows: HashMap<String, meeting::Model> = HashMap::new();
    let load_meetings = |keys: Vec<String>| async move {
        let mut out = Vec::new();
        for chunk in keys.chunks(CHUNK) {
            out.extend(
                meeting::Entity::find()
                    .filter(meeting::Column::Key.is_in(chunk.to_vec()))
                    .all(txn)
                    .await?,
            );
        }
        Ok::<_, DbErr>(out)
    };
    for r in load_meetings(all_keys).await? {
        rows.insert(r.key.clone(), r);
    }
    let mut fresh = Vec::new();
    let mut fresh_keys = std::collections::HashSet::new();
    for (it, keys) in items.iter().zip(&keys) {
        for (m, key) in it.ex.meetings.iter().zip(keys) {
            if rows.contains_key(key) || !fresh_keys.insert(key.clone()) {
                continue;
            }
            let date = m.date.clone().unwrap_or_default();
            fresh.push(meeting::ActiveModel {
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
            });
        }
    }
    if !fresh.is_empty() {
        insert_all(txn, fresh, &[meeting::Column::Key]).await?;
        for r in load_meetings(fresh_keys.into_iter().collect()).await? {
            rows.insert(r.key.clone(), r);
        }
    }
    let mut primary_meetings = Vec::with_capacity(items.len());
    let mut touched_meetings = Vec::new();
    let mut now_held = Vec::new();
    let mut meeting_docs = Vec::new();
    let mut meeting_people = Vec::new();
    let mut seen_mp = std::collections::HashSet::new();
    for (((it, keys), &doc_id), ids) in items.iter().zip(&keys).zip(&doc_ids).zip(&pids) {
        let mut primary = None;
        let mut seen_md = std::collections::HashSet::new();
        for (m, key) in it.ex.meetings.iter().zip(keys) {
            let Some(row) = rows.get_mut(key) else {
                return Err(DbErr::RecordNotFound("meeting after insert".into()).into());
            };
            // A meeting stored as planned and now reported as held becomes held.
            if row.status == MeetingStatus::Planned.as_str() && m.status == MeetingStatus::Held {
                row.status = MeetingStatus::Held.as_str().to_string();
                now_held.push(row.id);
            }
            let mid = row.id;
            if m.primary && primary.is_none() {
                primary = Some(mid);
            }
            touched_meetings.push(mid);
            if seen_md.insert(mid) {
                meeting_docs.push(meeting_document::ActiveModel {
                    meeting_id: Set(mid),
                    document_id: Set(doc_id),
                    is_primary: Set(m.primary),
                    span_start: Set(i32_of(m.span.start)),
                    span_end: Set(i32_of(m.span.end)),
                    ..Default::default()
                });
            }
            for p in &m.participants {
                if let Some(p) = ids.get(*p) {
                    if seen_mp.insert((mid, *p)) {
                        meeting_people.push(meeting_participant::ActiveModel {
                            meeting_id: Set(mid),
                            participant_id: Set(*p),
                            meeting_kind: Set(Some(row.kind.clone())),
                            meeting_year: Set(row.date_year),
                            meeting_month: Set(row.date_month),
                            meeting_day: Set(row.date_day),
                            ..Default::default()
                        });
                    }
                }
            }
        }
        primary_meetings.push(primary);
    }
    if !now_held.is_empty() {
        meeting::Entity::update_many()
            .col_expr(
                meeting::Column::Status,
                sea_orm::sea_query::Expr::value(MeetingStatus::Held.as_str()),
            )
            .filter(meeting::Column::Id.is_in(now_held))
            .exec(txn)
            .await?;
    }
    insert_all(
        txn,
        meeting_docs,
        &[
            meeting_document::Column::MeetingId,
            meeting_document::Column::DocumentId,
        ],
    )
    .await?;
    insert_all(
        txn,
        meeting_people,
        &[
            meeting_participant::Column::MeetingId,
            meeting_participant::Column::ParticipantId,
        ],
    )
    .await?;

    // Turns.
    let mut turns = Vec::new();
    for ((it, &doc_id), ids) in items.iter().zip(&doc_ids).zip(&pids) {
        let pid = |i: Option<usize>| i.and_then(|i| ids.get(i).copied());
        turns.extend(
            it.ex
                .turns
                .iter()
                .enumerate()
                .map(|(i, t)| turn::ActiveModel {
                    document_id: Set(doc_id),
                    idx: Set(i32_of(i)),
                    kind: Set(format!("{:?}", t.kind).to_uppercase()),
                    label: Set(t.label.clone()),
                    speaker_id: Set(pid(t.speaker)),
                    span_start: Set(i32_of(t.span.start)),
                    span_end: Set(i32_of(t.span.end)),
                    ..Default::default()
                }),
        );
    }
    insert_all(txn, turns, &[]).await?;

    // Quotations and claims, then their topics.
    let slugs: Vec<&String> = items
        .iter()
        .flat_map(|it| {
            it.ex
                .quotations
                .iter()
                .flat_map(|q| &q.topics)
                .chain(it.ex.claims.iter().flat_map(|c| &c.topics))
        })
        .collect();
    let topics = topic_ids(txn, taxonomy, &slugs).await?;
    // Each document's rows of quotations and claims share its id, its people's ids, its
    // primary meeting and its date (for the lists' order).
    let placed: Vec<Placed<'_>> = items
        .iter()
        .zip(&doc_ids)
        .zip(&pids)
        .zip(&primary_meetings)
        .map(|(((it, &doc_id), ids), &primary)| Placed {
            ex: it.ex,
            doc_id,
            ids,
            primary,
            date_key: it
                .ex
                .document
                .published
                .as_ref()
                .map_or(0, PartialDate::sort_key),
            vectors: it.vectors,
        })
        .collect();
    let mut quotations = Vec::new();
    let mut quotation_vectors = Vec::new();
    for d in &placed {
        quotation_vectors.extend((0..d.ex.quotations.len()).map(|i| {
            d.vectors
                .and_then(|v| v.quotations.get(i))
                .map(String::as_str)
        }));
        quotations.extend(d.ex.quotations.iter().enumerate().map(|(i, q)| {
            quotation::ActiveModel {
                document_id: Set(d.doc_id),
                meeting_id: Set(d.primary),
                speaker_id: Set(d.pid(q.speaker)),
                reported_by_id: Set(d.pid(q.reported_by)),
                kind: Set(q.kind.as_str().to_string()),
                text: Set(q.text.clone()),
                speaker_label: Set(q.speaker_label.clone()),
                cue: Set(q.cue.clone()),
                span_start: Set(i32_of(q.span.start)),
                span_end: Set(i32_of(q.span.end)),
                date_key: Set(d.date_key),
                idx: Set(i32_of(i)),
                ..Default::default()
            }
        }));
    }
    let any_quotation = !quotations.is_empty();
    insert_with_vectors(txn, quotations, quotation_vectors, CHUNK).await?;
    let qids = if any_quotation {
        ids_by_idx::<quotation::Entity>(
            txn,
            [
                quotation::Column::Id,
                quotation::Column::DocumentId,
                quotation::Column::Idx,
            ],
            &doc_ids,
        )
        .await?
    } else {
        HashMap::new()
    };
    // Each link carries its row's place in the lists (migration 14).
    let mut links = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for d in &placed {
        for (i, q) in d.ex.quotations.iter().enumerate() {
            let Some(id) = qids.get(&(d.doc_id, i32_of(i))) else {
                continue;
            };
            for t in q.topics.iter().filter_map(|s| topics.get(s)) {
                if seen.insert((*id, *t)) {
                    links.push(quotation_topic::ActiveModel {
                        quotation_id: Set(*id),
                        topic_id: Set(*t),
                        date_key: Set(d.date_key),
                        document_id: Set(d.doc_id),
                        idx: Set(i32_of(i)),
                        ..Default::default()
                    });
                }
            }
        }
    }
    insert_all(
        txn,
        links,
        &[
            quotation_topic::Column::QuotationId,
            quotation_topic::Column::TopicId,
        ],
    )
    .await?;
    let mut claims = Vec::new();
    let mut claim_vectors = Vec::new();
    for d in &placed {
        claim_vectors.extend(
            (0..d.ex.claims.len())
                .map(|i| d.vectors.and_then(|v| v.claims.get(i)).map(String::as_str)),
        );
        claims.extend(d.ex.claims.iter().enumerate().map(|(i, c)| {
            claim::ActiveModel {
                document_id: Set(d.doc_id),
                meeting_id: Set(d.primary),
                quotation_id: Set(c
                    .quotation
                    .and_then(|q| qids.get(&(d.doc_id, i32_of(q))).copied())),
                claimant_id: Set(d.pid(c.claimant)),
                on_behalf_of: Set(c.on_behalf_of.join("\u{1f}")),
                kind: Set(c.kind.as_str().to_string()),
                text: Set(c.text.clone()),
                span_start: Set(i32_of(c.span.start)),
                span_end: Set(i32_of(c.span.end)),
                date_key: Set(d.date_key),
                idx: Set(i32_of(i)),
                ..Default::default()
            }
        }));
    }
    insert_with_vectors(txn, claims, claim_vectors, CHUNK).await?;
    if items
        .iter()
        .any(|it| it.ex.claims.iter().any(|c| !c.topics.is_empty()))
    {
        let cids = ids_by_idx::<claim::Entity>(
            txn,
            [
                claim::Column::Id,
                claim::Column::DocumentId,
                claim::Column::Idx,
            ],
            &doc_ids,
        )
        .await?;
        let mut links = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for d in &placed {
            for (i, c) in d.ex.claims.iter().enumerate() {
                let Some(id) = cids.get(&(d.doc_id, i32_of(i))) else {
                    continue;
                };
                for t in c.topics.iter().filter_map(|s| topics.get(s)) {
                    if seen.insert((*id, *t)) {
                        links.push(claim_topic::ActiveModel {
                            claim_id: Set(*id),
                            topic_id: Set(*t),
                            date_key: Set(d.date_key),
                            document_id: Set(d.doc_id),
                            idx: Set(i32_of(i)),
                            ..Default::default()
                        });
                    }
                }
            }
        }
        insert_all(
            txn,
            links,
            &[claim_topic::Column::ClaimId, claim_topic::Column::TopicId],
        )
        .await?;
    }
    // Link these documents' meetings and people with compatible ones already stored. Done
    // last: a merge re-points everything, quotations and claims included.
    // People first: a one-word name linked to its full name makes the meetings' people
    // comparable.
    crate::graph::merge_people(txn, &people_merges).await?;
    touched_meetings.sort_unstable();
    touched_meetings.dedup();
    let mut kept = crate::graph::settle_meetings(txn, &touched_meetings).await?;
    kept.sort_unstable();
    kept.dedup();
    crate::graph::refresh_meeting_titles(txn, &kept).await?;
    crate::graph::apply_corrections(txn).await?;
    crate::provenance::link_documents(txn, &doc_ids).await?;
    Ok(doc_ids)
}

/// Separator used to store a list of countries in one column.
pub const LIST_SEP: char = '\u{1f}';
