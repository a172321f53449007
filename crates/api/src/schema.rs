//! The GraphQL schema: query root with filters, mutation root, and how they are built.

use std::collections::HashMap;

use async_graphql::{Context, EmptySubscription, InputObject, Object, Result, Schema, ID};
use diplograph_store::{
    date_key, ClaimFilter, DateOrder, DocumentFilter, MeetingFilter, Page, ParticipantFilter,
    QuotationFilter, Store,
};

use crate::error::{self, ErrorCode};
use crate::ids;
use crate::types::*;

/// Settings of the API that clients feel.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Items per page when `first` is not given.
    pub default_page_size: u64,
    /// Largest `first` accepted.
    pub max_page_size: u64,
    /// Bearer token for writes; `None` disables writes.
    pub admin_token: Option<String>,
    /// Options for documents ingested through the API.
    pub parse: diplograph_parse::Options,
    /// Deepest selection nesting a query may have.
    pub max_depth: usize,
    /// Largest query complexity (a connection costs `first` × its selection).
    pub max_complexity: usize,
    /// Most aliases a query may use.
    pub max_aliases: usize,
    /// Time a request may take before it is stopped.
    pub request_timeout: std::time::Duration,
    /// Whether the schema can be introspected (GraphiQL needs it). Off also turns field
    /// suggestions off.
    pub introspection: bool,
    /// Origins allowed to call the API from a browser (CORS); empty: same origin only.
    pub cors_origins: Vec<String>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            default_page_size: 20,
            max_page_size: 100,
            admin_token: None,
            parse: diplograph_parse::Options::default(),
            max_depth: 16,
            max_complexity: 20_000,
            max_aliases: 30,
            request_timeout: std::time::Duration::from_secs(10),
            introspection: true,
            cors_origins: Vec::new(),
        }
    }
}

/// Whether the current request carried the admin token.
#[derive(Debug, Clone, Copy)]
pub struct Authorized(pub bool);

/// The schema type.
pub type DiploSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Builds the schema over a store. It registers no extensions: objects wrapped in
/// [`crate::fast::Fast`] resolve a plain selection without calling extension hooks.
pub fn build(store: Store, cfg: ApiConfig) -> DiploSchema {
    let mut b = Schema::build(QueryRoot, MutationRoot, EmptySubscription)
        .limit_depth(cfg.max_depth)
        .limit_complexity(cfg.max_complexity)
        .limit_recursive_depth(64);
    if !cfg.introspection {
        b = b.disable_introspection().disable_suggestions();
    }
    b.data(store).data(cfg).finish()
}

/// The SDL of the schema (what `diplograph schema` prints).
pub fn sdl() -> String {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription)
        .finish()
        .sdl()
}

pub(crate) fn page_args(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Page> {
    Ok(page_args_at(ctx, first, after)?.0)
}

/// [`page_args`], with the position the `after` cursor carries, if any (see [`ListPlace`]).
pub(crate) fn page_args_at(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<(Page, Option<Position>)> {
    let cfg = ctx.data::<ApiConfig>()?;
    let limit = check_first(cfg, first)?;
    let (offset, position) = match after {
        Some(c) => {
            let place = ListPlace::of_cursor(&c)
                .ok_or_else(|| ErrorCode::BadUserInput.err("`after` is not a valid cursor"))?;
            (place.offset.saturating_add(1), place.position)
        }
        None => (0, None),
    };
    // Count the list only when the query asks for its `totalCount`; without a count, read
    // one row more only when it asks whether more follow (`pageInfo { hasNextPage }`).
    let look = ctx.look_ahead();
    let count = look.field("totalCount").exists();
    let more = look.field("pageInfo").field("hasNextPage").exists();
    // A selection of the total alone (a topic's or a person's counts) shows no item: no
    // row is read, only the count.
    let shown = look.field("edges").exists() || look.field("pageInfo").exists();
    let page = Page {
        offset,
        limit: if shown { limit } else { 0 },
        count,
        more,
    };
    Ok((page, position))
}

/// Where a page of a list ordered by date is read from: after the `after` cursor's item by
/// its sort key when the cursor carries one that fits the list (read in the same order,
/// with the same kind of key), so that the database reads it from the list's index
/// however deep it lies; by offset otherwise (a cursor from before positions were kept,
/// or from another list).
pub(crate) struct Resume<K> {
    /// The page asked for, its offset counted from the start of the list.
    page: Page,
    /// The sort key to read after, for the store's filter.
    pub key: Option<K>,
}

impl<K> Resume<K> {
    /// `page` and the cursor's `position` for a list read in `order`, whose keys `fits`
    /// takes from a position's key.
    pub fn new(
        page: Page,
        position: Option<Position>,
        order: DateOrder,
        fits: impl Fn(SortKey) -> Option<K>,
    ) -> Self {
        let key = position
            .filter(|p| p.desc == (order == DateOrder::Desc))
            .and_then(|p| fits(p.key));
        Resume { page, key }
    }

    /// The page to ask the store for. From a sort key it starts at the key (no offset)
    /// and reads one row more than the page, which says whether items follow: the
    /// cursor's offset numbers the page, but items added or deleted before the key since
    /// the cursor was made would make that number wrong, so it cannot say so.
    pub fn page(&self) -> Page {
        match self.key {
            // One row more, to tell whether items follow, unless no row is wanted.
            Some(_) => Page {
                offset: 0,
                limit: match self.page.limit {
                    0 => 0,
                    n => n.saturating_add(1),
                },
                count: self.page.count,
                more: false,
            },
            None => self.page,
        }
    }

    /// The page's rows, the list's total and whether items follow, from what the store
    /// gave for [`Self::page`]. A total read from a sort key without counting is the
    /// page's own numbering (its offset, its rows, and one when more follow).
    pub fn finish<T>(&self, mut rows: Vec<T>, total: u64) -> (Vec<T>, u64, bool) {
        match self.key {
            Some(_) => {
                let more = rows.len() as u64 > self.page.limit;
                rows.truncate(usize::try_from(self.page.limit).unwrap_or(usize::MAX));
                let total = if self.page.count {
                    total
                } else {
                    self.page.offset + rows.len() as u64 + u64::from(more)
                };
                (rows, total, more)
            }
            None => {
                let more = self.page.offset + (rows.len() as u64) < total;
                (rows, total, more)
            }
        }
    }
}

fn date_arg(v: &Option<String>, end: bool, name: &str) -> Result<Option<i64>> {
    match v {
        None => Ok(None),
        Some(s) => date_key(s, end).map(Some).ok_or_else(|| {
            ErrorCode::BadUserInput.err(format!(
                "`{name}` must be a date like 2019, 2019-05 or 2019-05-10, not {s:?}"
            ))
        }),
    }
}

fn id_arg(v: &Option<ID>, kind: &str) -> Result<Option<i32>> {
    match v {
        None => Ok(None),
        Some(id) => ids::decode_as(id, kind).map(Some).ok_or_else(|| {
            ErrorCode::BadUserInput.err(format!("{:?} is not a {kind} id", id.as_str()))
        }),
    }
}

/// Sort order on dates.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
pub enum Order {
    /// Oldest first.
    #[default]
    Asc,
    /// Newest first.
    Desc,
}

impl From<Order> for DateOrder {
    fn from(o: Order) -> Self {
        match o {
            Order::Asc => DateOrder::Asc,
            Order::Desc => DateOrder::Desc,
        }
    }
}

/// Which meetings to return. All fields combine (AND). Dates are `YYYY`, `YYYY-MM` or
/// `YYYY-MM-DD` and are inclusive.
#[derive(InputObject, Default)]
pub struct MeetingFilterInput {
    /// On or after this date.
    pub from: Option<String>,
    /// On or before this date.
    pub to: Option<String>,
    /// With this participant (global id).
    pub participant: Option<ID>,
    /// With a participant whose name or alias contains this text (case-insensitive).
    pub participant_name: Option<String>,
    /// Place name contains this text.
    pub place: Option<String>,
    /// Of this kind.
    pub kind: Option<MeetingKind>,
    /// With this status.
    pub status: Option<MeetingStatus>,
}

/// Which quotations to return. All fields combine (AND).
#[derive(InputObject, Default)]
pub struct QuotationFilterInput {
    /// Spoken by this participant (global id).
    pub speaker: Option<ID>,
    /// Spoken by someone whose name or alias contains this text.
    pub speaker_name: Option<String>,
    /// With this topic slug.
    pub topic: Option<String>,
    /// At this meeting (global id).
    pub meeting: Option<ID>,
    /// In this document (global id).
    pub document: Option<ID>,
    /// Text contains this (case-insensitive).
    pub text: Option<String>,
    /// From documents dated on or after.
    pub from: Option<String>,
    /// From documents dated on or before.
    pub to: Option<String>,
}

/// Which claims to return. All fields combine (AND).
#[derive(InputObject, Default)]
pub struct ClaimFilterInput {
    /// Made by this participant (global id).
    pub claimant: Option<ID>,
    /// Made by someone whose name or alias contains this text.
    pub claimant_name: Option<String>,
    /// Made on behalf of this country.
    pub on_behalf_of: Option<String>,
    /// With this topic slug.
    pub topic: Option<String>,
    /// Of this kind.
    pub kind: Option<ClaimKind>,
    /// At this meeting (global id).
    pub meeting: Option<ID>,
    /// Text contains this.
    pub text: Option<String>,
    /// From documents dated on or after.
    pub from: Option<String>,
    /// From documents dated on or before.
    pub to: Option<String>,
}

/// Which participants to return.
#[derive(InputObject, Default)]
pub struct ParticipantFilterInput {
    /// Name or alias contains this text.
    pub name: Option<String>,
    /// Of this kind.
    pub kind: Option<ParticipantKind>,
    /// Acting for this country.
    pub country: Option<String>,
}

/// Which documents to return.
#[derive(InputObject, Default)]
pub struct DocumentFilterInput {
    /// Of this kind.
    pub kind: Option<DocumentKind>,
    /// Source contains this text.
    pub source: Option<String>,
    /// Published on or after.
    pub from: Option<String>,
    /// Published on or before.
    pub to: Option<String>,
    /// Title or text contains this.
    pub text: Option<String>,
}

/// Entry points for reading the graph.
pub struct QueryRoot;

/// Entry points for reading the graph.
#[Object(name = "Query")]
impl QueryRoot {
    /// Fetches any node by its global id.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global id from any node's `id`.")] id: ID,
    ) -> Result<Option<Node>> {
        let Some((kind, n)) = ids::decode(&id) else {
            return Err(ErrorCode::BadUserInput.err(format!("{:?} is not a valid id", id.as_str())));
        };
        let l = loaders(ctx)?;
        let node = match kind.as_str() {
            "Document" => l
                .document
                .load_one(n)
                .await
                .map_err(load_err)?
                .map(|d| Node::Document(Document(d))),
            "Meeting" => l
                .meeting
                .load_one(n)
                .await
                .map_err(load_err)?
                .map(|m| Node::Meeting(Meeting(m))),
            "Participant" => l
                .participant
                .load_one(n)
                .await
                .map_err(load_err)?
                .map(|p| Node::Participant(Participant(p))),
            "Quotation" => l
                .quotation
                .load_one(n)
                .await
                .map_err(load_err)?
                .map(|q| Node::Quotation(Quotation::from(q))),
            "Claim" => store(ctx)?
                .claims_by_ids(&[n])
                .await
                .map_err(error::store)?
                .into_iter()
                .next()
                .map(|c| Node::Claim(Claim::from(c))),
            _ => None,
        };
        Ok(node)
    }

    /// Documents, by publication date.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which documents; all when omitted.")] filter: Option<DocumentFilterInput>,
        #[graphql(default, desc = "Date order: ASC (oldest first, the default) or DESC.")]
        order_by: Order,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<DocumentConnection> {
        let (page, at) = page_args_at(ctx, first, after)?;
        let order = DateOrder::from(order_by);
        let from = Resume::new(page, at, order, SortKey::row);
        let f = filter.unwrap_or_default();
        let sf = DocumentFilter {
            kind: f.kind.map(|k| k.as_db().to_string()),
            source: f.source,
            from: date_arg(&f.from, false, "from")?,
            to: date_arg(&f.to, true, "to")?,
            text: f.text,
            after: from.key,
        };
        let (rows, total) = store(ctx)?
            .documents(&sf, order, from.page())
            .await
            .map_err(error::store)?;
        let (rows, total, more) = from.finish(rows, total);
        Ok(DocumentConnection::build_at(
            rows.into_iter().map(Document).collect(),
            page.offset,
            total,
            more,
            |d| Some(Position::new(order, d.sort_key())),
        ))
    }

    /// Meetings, by date.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which meetings; all when omitted.")] filter: Option<MeetingFilterInput>,
        #[graphql(default, desc = "Date order: ASC (oldest first, the default) or DESC.")]
        order_by: Order,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<MeetingConnection> {
        let (page, at) = page_args_at(ctx, first, after)?;
        let order = DateOrder::from(order_by);
        let from = Resume::new(page, at, order, SortKey::row);
        let f = filter.unwrap_or_default();
        let sf = MeetingFilter {
            from: date_arg(&f.from, false, "from")?,
            to: date_arg(&f.to, true, "to")?,
            participant: id_arg(&f.participant, "Participant")?,
            participant_name: f.participant_name,
            place: f.place,
            kind: f.kind.map(|k| k.as_db().to_string()),
            status: f.status.map(|k| k.as_db().to_string()),
            document: None,
            after: from.key,
        };
        // When the nodes' participants are asked for, they come with the page, in the
        // same statement, and the request's loader is given them.
        let with_participants = ctx
            .look_ahead()
            .field("edges")
            .field("node")
            .field("participants")
            .exists();
        let (rows, total) = if with_participants {
            let got = store(ctx)?
                .meetings_with_participants(&sf, order, from.page())
                .await
                .map_err(error::store)?;
            crate::types::loaders(ctx)?
                .meeting_participants
                .feed_many(got.participants)
                .await;
            (got.meetings, got.total)
        } else {
            store(ctx)?
                .meetings(&sf, order, from.page())
                .await
                .map_err(error::store)?
        };
        let (rows, total, more) = from.finish(rows, total);
        Ok(MeetingConnection::build_at(
            rows.into_iter().map(Meeting).collect(),
            page.offset,
            total,
            more,
            |m| Some(Position::new(order, m.sort_key())),
        ))
    }

    /// People, organisations and other actors, by name.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn participants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which participants; all when omitted.")] filter: Option<
            ParticipantFilterInput,
        >,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<ParticipantConnection> {
        let page = page_args(ctx, first, after)?;
        let f = filter.unwrap_or_default();
        let sf = ParticipantFilter {
            name: f.name,
            kind: f.kind.map(|k| k.as_db().to_string()),
            country: f.country,
        };
        let (rows, total) = store(ctx)?
            .participants(&sf, page)
            .await
            .map_err(error::store)?;
        Ok(ParticipantConnection::build(
            rows.into_iter().map(Participant).collect(),
            page.offset,
            total,
        ))
    }

    /// Quotations, by document date then position.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn quotations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which quotations; all when omitted.")] filter: Option<
            QuotationFilterInput,
        >,
        #[graphql(default, desc = "Date order: ASC (oldest first, the default) or DESC.")]
        order_by: Order,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<QuotationConnection> {
        let (page, at) = page_args_at(ctx, first, after)?;
        let order = DateOrder::from(order_by);
        let from = Resume::new(page, at, order, SortKey::passage);
        let f = filter.unwrap_or_default();
        let sf = QuotationFilter {
            speaker: id_arg(&f.speaker, "Participant")?,
            speaker_name: f.speaker_name,
            topic: f.topic,
            topic_id: None,
            meeting: id_arg(&f.meeting, "Meeting")?,
            document: id_arg(&f.document, "Document")?,
            text: f.text,
            from: date_arg(&f.from, false, "from")?,
            to: date_arg(&f.to, true, "to")?,
            after: from.key,
        };
        let (rows, total) = store(ctx)?
            .quotations(&sf, order, from.page())
            .await
            .map_err(error::store)?;
        let (rows, total, more) = from.finish(rows, total);
        Ok(QuotationConnection::build_at(
            rows.into_iter().map(Quotation::from).collect(),
            page.offset,
            total,
            more,
            |q| Some(Position::new(order, q.sort_key())),
        ))
    }

    /// Claims, by document date then position.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn claims(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which claims; all when omitted.")] filter: Option<ClaimFilterInput>,
        #[graphql(default, desc = "Date order: ASC (oldest first, the default) or DESC.")]
        order_by: Order,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<ClaimConnection> {
        let (page, at) = page_args_at(ctx, first, after)?;
        let order = DateOrder::from(order_by);
        let from = Resume::new(page, at, order, SortKey::passage);
        let f = filter.unwrap_or_default();
        let sf = ClaimFilter {
            claimant: id_arg(&f.claimant, "Participant")?,
            claimant_name: f.claimant_name,
            on_behalf_of: f.on_behalf_of,
            topic: f.topic,
            topic_id: None,
            kind: f.kind.map(|k| k.as_db().to_string()),
            meeting: id_arg(&f.meeting, "Meeting")?,
            document: None,
            text: f.text,
            from: date_arg(&f.from, false, "from")?,
            to: date_arg(&f.to, true, "to")?,
            after: from.key,
        };
        let (rows, total) = store(ctx)?
            .claims(&sf, order, from.page())
            .await
            .map_err(error::store)?;
        let (rows, total, more) = from.finish(rows, total);
        Ok(ClaimConnection::build_at(
            rows.into_iter().map(Claim::from).collect(),
            page.offset,
            total,
            more,
            |c| Some(Position::new(order, c.sort_key())),
        ))
    }

    /// The audit log of corrections people made (merges, speaker fixes, deletions), newest
    /// first. Corrections are re-applied whenever documents are re-ingested or
    /// re-processed.
    async fn corrections(&self, ctx: &Context<'_>) -> Result<Vec<CorrectionEntry>> {
        let mut rows = store(ctx)?.corrections().await.map_err(error::store)?;
        rows.reverse();
        Ok(rows
            .into_iter()
            .map(|c| CorrectionEntry {
                kind: match &c.correction {
                    diplograph_store::Correction::MergeParticipants { .. } => {
                        "MERGE_PARTICIPANTS".into()
                    }
                    diplograph_store::Correction::SetQuotationSpeaker { .. } => {
                        "SET_QUOTATION_SPEAKER".into()
                    }
                    diplograph_store::Correction::DeleteDocument { .. } => "DELETE_DOCUMENT".into(),
                },
                details: serde_json::to_string(&c.correction).unwrap_or_default(),
                actor: c.actor,
                created_at: c.created_at,
            })
            .collect())
    }

    /// The topic taxonomy, with counts.
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<Topic>> {
        Ok(store(ctx)?
            .topics()
            .await
            .map_err(error::store)?
            .into_iter()
            .map(Topic)
            .collect())
    }

    /// Full-text search over quotations, claims and documents: every word must match.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Words to look for; every word must occur.")] query: String,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<SearchHitConnection> {
        let page = page_args(ctx, first, after)?;
        let s = store(ctx)?;
        let (hits, total) = s.search_ranked(&query, page).await.map_err(error::store)?;
        let ids = |kind: &str| {
            hits.iter()
                .filter(|h| h.kind == kind)
                .map(|h| h.id)
                .collect::<Vec<i32>>()
        };
        let quotations: HashMap<i32, _> = s
            .quotations_by_ids(&ids("quotation"))
            .await
            .map_err(error::store)?
            .into_iter()
            .map(|q| (q.id, q))
            .collect();
        let claims: HashMap<i32, _> = s
            .claims_by_ids(&ids("claim"))
            .await
            .map_err(error::store)?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let documents: HashMap<i32, _> = s
            .documents_by_ids(&ids("document"))
            .await
            .map_err(error::store)?
            .into_iter()
            .map(|d| (d.id, d))
            .collect();
        let rows: Vec<SearchHit> = hits
            .into_iter()
            .filter_map(|h| {
                let node = match h.kind.as_str() {
                    "quotation" => Node::Quotation(Quotation::from(quotations.get(&h.id)?.clone())),
                    "claim" => Node::Claim(Claim::from(claims.get(&h.id)?.clone())),
                    _ => Node::Document(Document(documents.get(&h.id)?.clone())),
                };
                Some(SearchHit {
                    node,
                    snippet: h.snippet,
                    score: h.rank,
                })
            })
            .collect();
        Ok(SearchHitConnection::build(rows, page.offset, total))
    }
}

/// One correction of the audit log.
#[derive(async_graphql::SimpleObject)]
pub struct CorrectionEntry {
    /// `MERGE_PARTICIPANTS`, `SET_QUOTATION_SPEAKER` or `DELETE_DOCUMENT`.
    pub kind: String,
    /// What was changed, as JSON (participant keys, document hash and span).
    pub details: String,
    /// Who made it (`admin` for the API token).
    pub actor: String,
    /// When (UTC, ISO 8601).
    pub created_at: String,
}

/// The result of `ingestDocument`.
#[derive(async_graphql::SimpleObject)]
pub struct IngestResult {
    /// True when the document was new; false when the same bytes were already stored.
    pub created: bool,
    /// The stored document.
    pub document: Option<Document>,
}

/// Writes. Each needs `Authorization: Bearer <token>` with the server's admin token.
pub struct MutationRoot;

fn require_admin(ctx: &Context<'_>) -> Result<()> {
    let cfg = ctx.data::<ApiConfig>()?;
    if cfg.admin_token.is_none() {
        return Err(ErrorCode::WritesDisabled.err(
            "writes are disabled: the server has no admin token (set DIPLOGRAPH_ADMIN_TOKEN)",
        ));
    }
    match ctx.data_opt::<Authorized>() {
        Some(Authorized(true)) => Ok(()),
        _ => Err(ErrorCode::Unauthenticated
            .err("this mutation needs `Authorization: Bearer <admin token>`")),
    }
}

/// Writes. Each needs `Authorization: Bearer <token>` with the server's admin token.
#[Object(name = "Mutation")]
impl MutationRoot {
    /// Ingests one document given as text, HTML or the JSON envelope. Idempotent: the same
    /// bytes return the stored document with `created: false`.
    async fn ingest_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document: plain text, an HTML page, or the JSON envelope.")] content: String,
        #[graphql(desc = "A file name, used to tell the format (`.txt`, `.html`, `.json`).")]
        file_name: Option<String>,
    ) -> Result<IngestResult> {
        require_admin(ctx)?;
        let cfg = ctx.data::<ApiConfig>()?;
        let s = store(ctx)?;
        let out = s
            .ingest(content.as_bytes(), file_name.as_deref(), &cfg.parse)
            .await
            .map_err(error::store)?;
        let doc = s
            .documents_by_ids(&[out.id().0])
            .await
            .map_err(error::store)?
            .into_iter()
            .next();
        Ok(IngestResult {
            created: out.is_new(),
            document: doc.map(Document),
        })
    }
    /// Deletes a document and everything only it supported (meetings no other document
    /// reports, participants no other document names). Logged in the audit log.
    async fn delete_document(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document's global id.")] id: ID,
    ) -> Result<bool> {
        require_admin(ctx)?;
        let n = id_arg(&Some(id), "Document")?.unwrap_or(0);
        store(ctx)?
            .delete_document(n, "admin")
            .await
            .map_err(error::store)?;
        Ok(true)
    }

    /// Merges two participants into one (`from` disappears; its aliases, roles, meetings,
    /// quotations and claims move to `into`). The correction is kept and re-applied when
    /// documents are re-ingested or re-processed.
    async fn merge_participants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The participant merged away.")] from: ID,
        #[graphql(desc = "The participant kept.")] into: ID,
    ) -> Result<Participant> {
        require_admin(ctx)?;
        let f = id_arg(&Some(from), "Participant")?.unwrap_or(0);
        let i = id_arg(&Some(into), "Participant")?.unwrap_or(0);
        if f == i {
            return Err(ErrorCode::BadUserInput.err("`from` and `into` are the same participant"));
        }
        let p = store(ctx)?
            .merge_participants(f, i, "admin")
            .await
            .map_err(error::store)?;
        Ok(Participant(p))
    }

    /// Sets who said a quotation. The correction is kept and re-applied when the document
    /// is re-ingested or re-processed.
    async fn set_quotation_speaker(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The quotation's global id.")] quotation: ID,
        #[graphql(desc = "The speaker's global id.")] speaker: ID,
    ) -> Result<Quotation> {
        require_admin(ctx)?;
        let q = id_arg(&Some(quotation), "Quotation")?.unwrap_or(0);
        let s = id_arg(&Some(speaker), "Participant")?.unwrap_or(0);
        let row = store(ctx)?
            .set_quotation_speaker(q, s, "admin")
            .await
            .map_err(error::store)?;
        Ok(Quotation::from(row))
    }
}
