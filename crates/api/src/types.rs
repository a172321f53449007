//! GraphQL output types, built from storage rows (never derived on the entities).

use crate::fast::Fast;
use async_graphql::{ComplexObject, Context, Enum, Interface, Object, Result, SimpleObject, ID};
use diplograph_store::entities::*;
use diplograph_store::{ClaimFilter, DateOrder, Joined, QuotationFilter};

use crate::error::{self, ErrorCode};
use crate::ids;
use crate::loaders::{LoadError, Loaders, PageKey};
use crate::schema::{page_args, page_args_at, ApiConfig, Resume};

pub(crate) fn loaders<'a>(ctx: &Context<'a>) -> Result<&'a Loaders> {
    ctx.data::<Loaders>()
}

pub(crate) fn store<'a>(ctx: &Context<'a>) -> Result<&'a diplograph_store::Store> {
    ctx.data::<diplograph_store::Store>()
}

pub(crate) fn load_err(e: LoadError) -> async_graphql::Error {
    let inner = std::sync::Arc::try_unwrap(e)
        .unwrap_or_else(|a| diplograph_store::StoreError::NotFound(a.to_string()));
    error::store(inner)
}

macro_rules! gql_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $s:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
        pub enum $name { $($(#[$vmeta])* $variant),* }

        impl $name {
            /// Parses the storage spelling.
            pub fn from_db(s: &str) -> Option<Self> {
                match s { $($s => Some(Self::$variant),)* _ => None }
            }
            /// The storage spelling.
            pub fn as_db(self) -> &'static str {
                match self { $(Self::$variant => $s),* }
            }
        }
    };
}

gql_enum!(
    /// What kind of document this is.
    DocumentKind {
        /// A verbatim record of what was said (remarks, news conference, interview).
        Transcript = "TRANSCRIPT",
        /// A news-agency report with a dateline.
        NewsReport = "NEWS_REPORT",
        /// An official statement or press release.
        Statement = "STATEMENT",
        /// Anything else.
        Other = "OTHER",
    }
);

gql_enum!(
    /// Kinds of meeting.
    MeetingKind {
        /// Talks between officials.
        Talks = "TALKS",
        /// Foreign and defence ministers of two countries together ("2+2").
        TwoPlusTwo = "TWO_PLUS_TWO",
        /// Consultations, often at deputy level.
        Consultations = "CONSULTATIONS",
        /// A summit of leaders.
        Summit = "SUMMIT",
        /// A visit by an official to a country.
        Visit = "VISIT",
        /// A working group.
        WorkingGroup = "WORKING_GROUP",
        /// A council session.
        Council = "COUNCIL",
        /// A news conference.
        NewsConference = "NEWS_CONFERENCE",
        /// An ambassador summoned or invited to a ministry.
        Demarche = "DEMARCHE",
        /// Anything else.
        Other = "OTHER",
    }
);

gql_enum!(
    /// Whether a meeting has taken place.
    MeetingStatus {
        /// It took place (or was taking place on the reporting document's date).
        Held = "HELD",
        /// It was announced for a later date.
        Planned = "PLANNED",
    }
);

gql_enum!(
    /// What kind of actor a participant is.
    ParticipantKind {
        /// A named person.
        Person = "PERSON",
        /// A ministry, government, party or agency.
        Organization = "ORGANIZATION",
        /// A treaty, declaration or other text quoted as saying something.
        Document = "DOCUMENT",
        /// A source described but not named ("a senior official").
        Unnamed = "UNNAMED",
        /// A journalist asking a question in a transcript.
        Journalist = "JOURNALIST",
    }
);

gql_enum!(
    /// How a quotation was found.
    QuotationKind {
        /// A paragraph of a verbatim transcript.
        Transcript = "TRANSCRIPT",
        /// A full quoted sentence in a report.
        Direct = "DIRECT",
        /// A quoted fragment inside a reported sentence.
        Partial = "PARTIAL",
    }
);

gql_enum!(
    /// Kinds of claim.
    ClaimKind {
        /// A stated position.
        Position = "POSITION",
        /// Something the parties agreed.
        Agreement = "AGREEMENT",
        /// A future event or intention.
        Plan = "PLAN",
        /// A checkable figure or event.
        Fact = "FACT",
        /// A judgement ("an outrageous statement").
        Assessment = "ASSESSMENT",
        /// Something demanded of another party.
        Demand = "DEMAND",
    }
);

gql_enum!(
    /// What a turn of a transcript is.
    TurnKind {
        /// The opening statement, before any speaker label.
        Statement = "STATEMENT",
        /// A journalist's question.
        Question = "QUESTION",
        /// A labelled answer or remark.
        Answer = "ANSWER",
    }
);

/// Where a page stands in its list: its first and last items' offsets (and, in lists
/// ordered by date, their positions), written as cursors only when the query selects them.
#[derive(Clone, Debug)]
pub struct PageInfo {
    has_next_page: bool,
    has_previous_page: bool,
    /// The page's first and last items' places (none when the page is empty).
    first_last: Option<(ListPlace, ListPlace)>,
}

/// Information to continue paging through a connection.
#[Object]
impl PageInfo {
    /// True when items follow this page.
    async fn has_next_page(&self) -> bool {
        self.has_next_page
    }
    /// True when items precede this page.
    async fn has_previous_page(&self) -> bool {
        self.has_previous_page
    }
    /// Cursor of the first edge.
    async fn start_cursor(&self) -> Option<String> {
        self.first_last.map(|(first, _)| first.cursor())
    }
    /// Cursor of the last edge; pass it as `after` for the next page.
    async fn end_cursor(&self) -> Option<String> {
        self.first_last.map(|(_, last)| last.cursor())
    }
}

/// An item's sort key in a list ordered by date: what a cursor carries so that the next
/// page is read from the list's index, from where this one ended, instead of by walking
/// past every item before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// Date key and id: meetings (by date), documents (by publication date).
    Row(i64, i32),
    /// Date key, document id and position in the document: quotations and claims.
    Passage(i64, i32, i32),
}

impl SortKey {
    /// The (date key, id) of a meeting or document.
    pub fn row(self) -> Option<(i64, i32)> {
        match self {
            SortKey::Row(d, id) => Some((d, id)),
            SortKey::Passage(..) => None,
        }
    }
    /// The (date key, document id, position) of a quotation or claim.
    pub fn passage(self) -> Option<(i64, i32, i32)> {
        match self {
            SortKey::Passage(d, doc, idx) => Some((d, doc, idx)),
            SortKey::Row(..) => None,
        }
    }
}

/// An item's sort key and the order it was listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Listed newest first.
    pub desc: bool,
    /// The item's sort key.
    pub key: SortKey,
}

impl Position {
    /// `key` in a list read in `order`.
    pub fn new(order: DateOrder, key: SortKey) -> Self {
        Position {
            desc: order == DateOrder::Desc,
            key,
        }
    }
}

/// An item's place in its list: its offset, and its position where the list has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListPlace {
    /// Items before it.
    pub offset: u64,
    /// Its sort key, in a list ordered by date.
    pub position: Option<Position>,
}

impl ListPlace {
    /// The cursor of this place: `offset:N`, with `:asc:` or `:desc:` and the sort key's
    /// numbers when it has a position (base64, opaque to clients).
    pub fn cursor(self) -> String {
        let text = match self.position {
            None => format!("offset:{}", self.offset),
            Some(p) => {
                let order = if p.desc { "desc" } else { "asc" };
                match p.key {
                    SortKey::Row(d, id) => format!("offset:{}:{order}:{d},{id}", self.offset),
                    SortKey::Passage(d, doc, idx) => {
                        format!("offset:{}:{order}:{d},{doc},{idx}", self.offset)
                    }
                }
            }
        };
        ids::b64(text.as_bytes())
    }

    /// The place a cursor points at; `None` when it is not one of ours.
    pub fn of_cursor(cursor: &str) -> Option<ListPlace> {
        let raw = String::from_utf8(ids::unb64(cursor)?).ok()?;
        let mut parts = raw.strip_prefix("offset:")?.split(':');
        let offset = parts.next()?.parse().ok()?;
        let position = match (parts.next(), parts.next()) {
            (None, _) => None,
            (Some(order), Some(key)) => {
                let desc = match order {
                    "asc" => false,
                    "desc" => true,
                    _ => return None,
                };
                let mut n = key.split(',');
                let date: i64 = n.next()?.parse().ok()?;
                let a: i32 = n.next()?.parse().ok()?;
                let key = match n.next() {
                    None => SortKey::Row(date, a),
                    Some(b) => SortKey::Passage(date, a, b.parse().ok()?),
                };
                if n.next().is_some() {
                    return None;
                }
                Some(Position { desc, key })
            }
            (Some(_), None) => return None,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(ListPlace { offset, position })
    }
}

impl Quotation {
    /// Its sort key in a list by date.
    pub fn sort_key(&self) -> SortKey {
        SortKey::Passage(self.0.date_key, self.0.document_id, self.0.idx)
    }
}

impl Claim {
    /// Its sort key in a list by date.
    pub fn sort_key(&self) -> SortKey {
        SortKey::Passage(self.0.date_key, self.0.document_id, self.0.idx)
    }
}

impl Meeting {
    /// Its sort key in a list by date.
    pub fn sort_key(&self) -> SortKey {
        SortKey::Row(self.0.date_key, self.0.id)
    }
}

impl Document {
    /// Its sort key in a list by publication date.
    pub fn sort_key(&self) -> SortKey {
        SortKey::Row(self.0.published_key, self.0.id)
    }
}

macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, ", with cursors (Relay connection).")]
        #[derive(SimpleObject)]
        pub struct $conn {
            /// The items of this page, each with its cursor.
            pub edges: Vec<Fast<$edge>>,
            /// Where this page stands.
            pub page_info: PageInfo,
            /// How many items match in all pages.
            pub total_count: i64,
        }

        #[doc = concat!("One of ", $what, " with its cursor.")]
        pub struct $edge {
            /// The item's place in its list, written as a cursor only when selected.
            place: ListPlace,
            /// The item.
            pub node: $node,
        }

        #[doc = concat!("One of ", $what, " with its cursor.")]
        #[Object]
        impl $edge {
            /// Opaque position; pass as `after` to continue after this item.
            async fn cursor(&self) -> String {
                self.place.cursor()
            }
            /// The item.
            async fn node(&self) -> Fast<&$node> {
                Fast(&self.node)
            }
        }

        impl $conn {
            /// Builds a page from rows fetched at `offset` out of `total`, whose cursors
            /// carry offsets alone.
            pub fn build(rows: Vec<$node>, offset: u64, total: u64) -> Self {
                let more = offset + (rows.len() as u64) < total;
                Self::build_at(rows, offset, total, more, |_| None)
            }

            /// A page numbered from `offset`, out of `total`, with `more` saying whether
            /// items follow it, each item's cursor also carrying the position `position`
            /// gives it.
            pub fn build_at(
                rows: Vec<$node>,
                offset: u64,
                total: u64,
                more: bool,
                position: impl Fn(&$node) -> Option<Position>,
            ) -> Self {
                let edges: Vec<Fast<$edge>> = rows
                    .into_iter()
                    .zip(offset..)
                    .map(|(node, offset)| {
                        let place = ListPlace {
                            offset,
                            position: position(&node),
                        };
                        Fast($edge { place, node })
                    })
                    .collect();
                let first_last = edges
                    .first()
                    .zip(edges.last())
                    .map(|(f, l)| (f.0.place, l.0.place));
                Self {
                    page_info: PageInfo {
                        has_next_page: more,
                        has_previous_page: offset > 0,
                        first_last,
                    },
                    edges,
                    total_count: i64::try_from(total).unwrap_or(i64::MAX),
                }
            }
        }
    };
}

connection!(DocumentConnection, DocumentEdge, Document, "documents");
connection!(MeetingConnection, MeetingEdge, Meeting, "meetings");
connection!(
    ParticipantConnection,
    ParticipantEdge,
    Participant,
    "participants"
);
connection!(QuotationConnection, QuotationEdge, Quotation, "quotations");
connection!(ClaimConnection, ClaimEdge, Claim, "claims");
connection!(SearchHitConnection, SearchHitEdge, SearchHit, "search hits");

/// True when every `document` field in `fields` selects nothing but `id`, `title` or
/// `__typename` (fragments included): a document's title then serves it whole.
fn titles_only(fields: &[async_graphql::SelectionField<'_>]) -> bool {
    fields.iter().all(|f| {
        f.selection_set()
            .all(|c| matches!(c.name(), "id" | "title" | "__typename"))
    })
}

/// What the nodes of the connection being resolved select of their `document`: nothing,
/// only its title, or more.
fn wants_document(ctx: &Context<'_>) -> Joined {
    let document = ctx
        .look_ahead()
        .field("edges")
        .field("node")
        .field("document");
    if !document.exists() {
        Joined::Nothing
    } else if titles_only(&document.selection_fields()) {
        Joined::Titles
    } else {
        Joined::Heads
    }
}

/// The document heads a page read beside its rows, remembered for the rest of the request,
/// with their titles for title-only `document` fields. (Titles a page read alone travel
/// with its items instead: see [`KnownTitle`].)
async fn remember_documents(ctx: &Context<'_>, documents: Vec<document::Model>) -> Result<()> {
    if documents.is_empty() {
        return Ok(());
    }
    let l = loaders(ctx)?;
    l.document_title
        .feed_many(documents.iter().map(|d| (d.id, d.title.clone())))
        .await;
    l.document
        .feed_many(documents.into_iter().map(|d| (d.id, d)))
        .await;
    Ok(())
}

/// The document `id` for the `document` field being resolved: read by its title alone
/// when the field selects nothing else (see [`Document::titled`]), by its head otherwise.
async fn load_document(ctx: &Context<'_>, id: i32) -> Result<Option<Document>> {
    let l = loaders(ctx)?;
    if titles_only(&[ctx.field()]) {
        return Ok(l
            .document_title
            .load_one(id)
            .await
            .map_err(load_err)?
            .map(|title| Document::titled(id, title)));
    }
    Ok(l.document
        .load_one(id)
        .await
        .map_err(load_err)?
        .map(Document))
}

/// The title of a quotation's or claim's document, when the page that read the item read
/// it too ([`Joined::Titles`]): its `document` field, when it selects nothing more, is then
/// served without a loader.
#[derive(Clone, Debug, Default)]
pub(crate) struct KnownTitle(Option<String>);

impl KnownTitle {
    /// `rows` made into items, each with its document's title when `titles` (one owner's
    /// page's few documents) has it. A title goes to the last item of its document as it
    /// is, and is copied only for the items before it.
    fn attach<M, T>(
        rows: Vec<M>,
        titles: Vec<(i32, String)>,
        document_of: impl Fn(&M) -> i32,
        make: impl Fn(M, KnownTitle) -> T,
    ) -> Vec<T> {
        // Each title with how many items are still to take it.
        let mut titles: Vec<(i32, String, usize)> =
            titles.into_iter().map(|(d, t)| (d, t, 0)).collect();
        for row in &rows {
            let id = document_of(row);
            if let Some(t) = titles.iter_mut().find(|t| t.0 == id) {
                t.2 += 1;
            }
        }
        rows.into_iter()
            .map(|row| {
                let id = document_of(&row);
                let title = titles.iter_mut().find(|t| t.0 == id).map(|t| {
                    t.2 = t.2.saturating_sub(1);
                    if t.2 == 0 {
                        std::mem::take(&mut t.1)
                    } else {
                        t.1.clone()
                    }
                });
                make(row, KnownTitle(title))
            })
            .collect()
    }

    /// The document `id` for the `document` field being resolved.
    async fn document(&self, ctx: &Context<'_>, id: i32) -> Result<Option<Document>> {
        match &self.0 {
            Some(title) if titles_only(&[ctx.field()]) => {
                Ok(Some(Document::titled(id, title.clone())))
            }
            _ => load_document(ctx, id).await,
        }
    }
}

impl From<quotation::Model> for Quotation {
    fn from(row: quotation::Model) -> Self {
        Quotation(row, KnownTitle::default())
    }
}

impl From<claim::Model> for Claim {
    fn from(row: claim::Model) -> Self {
        Claim(row, KnownTitle::default())
    }
}

/// A page of an owner's quotations, through the request's loader.
async fn quotation_page(
    ctx: &Context<'_>,
    owner: diplograph_store::QuotationOwner,
    id: i32,
    page: diplograph_store::Page,
) -> Result<Fast<QuotationConnection>> {
    let page_read = loaders(ctx)?
        .quotation_pages
        .load_one(PageKey {
            owner,
            id,
            page,
            joined: wants_document(ctx),
        })
        .await
        .map_err(load_err)?
        // The loader's page itself once the loader has let go of it (the usual case),
        // a copy when another field still holds it.
        .map(std::sync::Arc::unwrap_or_clone)
        .unwrap_or_default();
    let (rows, total) = (page_read.rows, page_read.total);
    let titled = KnownTitle::attach(rows, page_read.titles, |q| q.document_id, Quotation);
    remember_documents(ctx, page_read.documents).await?;
    Ok(Fast(QuotationConnection::build(titled, page.offset, total)))
}

/// A page of an owner's claims, through the request's loader.
async fn claim_page(
    ctx: &Context<'_>,
    owner: diplograph_store::ClaimOwner,
    id: i32,
    page: diplograph_store::Page,
) -> Result<Fast<ClaimConnection>> {
    let page_read = loaders(ctx)?
        .claim_pages
        .load_one(PageKey {
            owner,
            id,
            page,
            joined: wants_document(ctx),
        })
        .await
        .map_err(load_err)?
        // The loader's page itself once the loader has let go of it (the usual case),
        // a copy when another field still holds it.
        .map(std::sync::Arc::unwrap_or_clone)
        .unwrap_or_default();
    let (rows, total) = (page_read.rows, page_read.total);
    let titled = KnownTitle::attach(rows, page_read.titles, |c| c.document_id, Claim);
    remember_documents(ctx, page_read.documents).await?;
    Ok(Fast(ClaimConnection::build(titled, page.offset, total)))
}

/// A date known to some precision: a year, a month or a day.
#[derive(SimpleObject, Clone, Debug)]
pub struct PartialDate {
    /// Year, when known.
    pub year: Option<i32>,
    /// Month 1–12, when known.
    pub month: Option<i32>,
    /// Day of month, when known.
    pub day: Option<i32>,
    /// ISO text to the precision known: `2019`, `2019-06`, `2019-06-30`.
    pub text: String,
}

impl PartialDate {
    fn from_parts(year: Option<i32>, month: Option<i32>, day: Option<i32>) -> Option<Self> {
        let y = year?;
        let text = match (month, day) {
            (Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
            (Some(m), None) => format!("{y:04}-{m:02}"),
            _ => format!("{y:04}"),
        };
        Some(Self {
            year,
            month,
            day,
            text,
        })
    }

    fn from_iso(s: &str) -> Option<Self> {
        let mut it = s.split('-');
        let y = it.next()?.parse().ok();
        let m = it.next().and_then(|m| m.parse().ok());
        let d = it.next().and_then(|d| d.parse().ok());
        Self::from_parts(y, m, d)
    }

    /// A stored ISO date (`2019`, `2019-06`, `2019-06-30`) as a field answers it.
    fn answer(iso: Option<&str>) -> Option<Fast<Self>> {
        iso.and_then(Self::from_iso).map(Fast)
    }
}

/// A place: a city or a country.
#[derive(SimpleObject, Clone, Debug)]
pub struct Place {
    /// Name as usually written in English (`Moscow`).
    pub name: String,
    /// The country it lies in, when known.
    pub country: Option<String>,
}

impl Place {
    /// A stored place (its name and country columns) as a field answers it.
    fn answer(name: &Option<String>, country: &Option<String>) -> Option<Fast<Self>> {
        name.clone().map(|name| {
            Fast(Place {
                name,
                country: country.clone(),
            })
        })
    }
}

/// Where something stands in its document: Unicode character offsets into `Document.text`.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Span {
    /// First character (0-based).
    pub start: i32,
    /// One past the last character.
    pub end: i32,
    #[graphql(skip)]
    pub document_id: i32,
}

#[ComplexObject]
impl Span {
    /// The words at that place in the document, taken from the stored text.
    async fn text(&self, ctx: &Context<'_>) -> Result<String> {
        let text = loaders(ctx)?
            .document_text
            .load_one(self.document_id)
            .await
            .map_err(load_err)?;
        let start = usize::try_from(self.start).unwrap_or(0);
        let len = usize::try_from(self.end - self.start).unwrap_or(0);
        Ok(text
            .map(|t| t.chars().skip(start).take(len).collect())
            .unwrap_or_default())
    }
}

/// A theme of the taxonomy (`peace-treaty`, `security`...).
#[derive(Clone, Debug)]
pub struct Topic(pub topic::Model);

/// A theme of the taxonomy (`peace-treaty`, `security`...), with what was said on it.
#[Object]
impl Topic {
    /// Stable identifier, used in filters.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Label for people.
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// How many quotations carry this topic.
    async fn quotation_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let c = loaders(ctx)?
            .topic_counts
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default();
        Ok(i64::try_from(c.0).unwrap_or(0))
    }
    /// How many claims carry this topic.
    async fn claim_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let c = loaders(ctx)?
            .topic_counts
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default();
        Ok(i64::try_from(c.1).unwrap_or(0))
    }
    /// Quotations on this topic, oldest first, to follow a position over time.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn quotations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<QuotationConnection> {
        let (page, at) = page_args_at(ctx, first, after)?;
        let order = DateOrder::Asc;
        let from = Resume::new(page, at, order, SortKey::passage);
        let f = QuotationFilter {
            topic_id: Some(self.0.id),
            after: from.key,
            ..Default::default()
        };
        let (rows, total) = store(ctx)?
            .quotations(&f, order, from.page())
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
    /// Claims on this topic, oldest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn claims(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<ClaimConnection> {
        let (page, at) = page_args_at(ctx, first, after)?;
        let order = DateOrder::Asc;
        let from = Resume::new(page, at, order, SortKey::passage);
        let f = ClaimFilter {
            topic_id: Some(self.0.id),
            after: from.key,
            ..Default::default()
        };
        let (rows, total) = store(ctx)?
            .claims(&f, order, from.page())
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
}

/// An office a participant held when a document mentioned them.
#[derive(Clone, Debug)]
pub struct Role(pub participant_role::Model);

/// An office a participant held when a document mentioned them.
#[Object]
impl Role {
    /// Title as written (`Foreign Minister`).
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Organisation, when named.
    async fn organization(&self) -> Option<&str> {
        self.0.organization.as_deref()
    }
    /// Country the office belongs to.
    async fn country(&self) -> Option<&str> {
        self.0.country.as_deref()
    }
    /// Date of the document the role was seen in.
    async fn observed_on(&self) -> Option<Fast<PartialDate>> {
        PartialDate::answer(self.0.observed_on.as_deref())
    }
    /// The document the role was seen in.
    async fn document(&self, ctx: &Context<'_>) -> Result<Option<Fast<Document>>> {
        Ok(load_document(ctx, self.0.document_id).await?.map(Fast))
    }
}

/// One speaker's uninterrupted stretch of a transcript.
#[derive(Clone, Debug)]
pub struct Turn(pub turn::Model);

/// One speaker's uninterrupted stretch of a transcript.
#[Object]
impl Turn {
    /// Statement, question or answer.
    async fn kind(&self) -> TurnKind {
        TurnKind::from_db(&self.0.kind).unwrap_or(TurnKind::Answer)
    }
    /// The speaker label as written (`Jane Roe (speaking after ...)`); empty for the
    /// unlabelled opening statement.
    async fn label(&self) -> &str {
        &self.0.label
    }
    /// Who speaks (a journalist for questions).
    async fn speaker(&self, ctx: &Context<'_>) -> Result<Option<Fast<Participant>>> {
        load_participant(ctx, self.0.speaker_id).await
    }
    /// The turn's text in the document.
    async fn span(&self) -> Fast<Span> {
        Fast(Span {
            start: self.0.span_start,
            end: self.0.span_end,
            document_id: self.0.document_id,
        })
    }
}

/// The meeting `id`, if any, through the request's loader.
async fn load_meeting(ctx: &Context<'_>, id: Option<i32>) -> Result<Option<Fast<Meeting>>> {
    match id {
        Some(id) => Ok(loaders(ctx)?
            .meeting
            .load_one(id)
            .await
            .map_err(load_err)?
            .map(|m| Fast(Meeting(m)))),
        None => Ok(None),
    }
}

pub(crate) async fn load_participant(
    ctx: &Context<'_>,
    id: Option<i32>,
) -> Result<Option<Fast<Participant>>> {
    match id {
        Some(id) => Ok(loaders(ctx)?
            .participant
            .load_one(id)
            .await
            .map_err(load_err)?
            .map(|p| Fast(Participant(p)))),
        None => Ok(None),
    }
}

/// A foreign-ministry transcript, news report or statement.
#[derive(Clone, Debug)]
pub struct Document(pub document::Model);

impl Document {
    /// A document known by its title alone, for a field whose selection asks for nothing
    /// but `id` and `title` (checked by `load_document` before it builds one): its other
    /// columns are left empty and never read.
    fn titled(id: i32, title: String) -> Self {
        Document(document::Model {
            id,
            content_hash: String::new(),
            file_name: None,
            kind: String::new(),
            source: None,
            title,
            url: None,
            published: None,
            published_key: 0,
            published_time: None,
            year_inferred: false,
            place_name: None,
            place_country: None,
            dateline: None,
            language: String::new(),
            text: String::new(),
            extraction: String::new(),
            ingested_at: String::new(),
            raw: None,
        })
    }
}

/// A foreign-ministry transcript, news report or statement, with everything extracted from it.
#[Object]
impl Document {
    /// Opaque global id.
    async fn id(&self) -> ID {
        ID(ids::encode("Document", self.0.id))
    }
    /// Headline or title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Transcript, news report, statement or other.
    async fn kind(&self) -> DocumentKind {
        DocumentKind::from_db(&self.0.kind).unwrap_or(DocumentKind::Other)
    }
    /// Publisher (`TASS`, `Russian Ministry of Foreign Affairs`).
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
    /// Address the document was taken from, when known.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    /// The file it was ingested from.
    async fn file_name(&self) -> Option<&str> {
        self.0.file_name.as_deref()
    }
    /// Publication date.
    async fn published_on(&self) -> Option<Fast<PartialDate>> {
        PartialDate::answer(self.0.published.as_deref())
    }
    /// Publication time (`15:47`), when the source gives one.
    async fn published_time(&self) -> Option<&str> {
        self.0.published_time.as_deref()
    }
    /// True when the year of the date was not written but inferred from the text.
    async fn year_inferred(&self) -> bool {
        self.0.year_inferred
    }
    /// Where it was written (dateline city) or where the event took place.
    async fn place(&self) -> Option<Fast<Place>> {
        Place::answer(&self.0.place_name, &self.0.place_country)
    }
    /// The dateline as written (`MOSCOW, January 14. /TASS/`).
    async fn dateline(&self) -> Option<&str> {
        self.0.dateline.as_deref()
    }
    /// Language code guessed from the text (`en`, or `und` when unknown).
    async fn language(&self) -> &str {
        &self.0.language
    }
    /// The cleaned text; every span points into it.
    async fn text(&self, ctx: &Context<'_>) -> Result<String> {
        // Lists load documents without their text; read it only when it is asked for.
        if !self.0.text.is_empty() {
            return Ok(self.0.text.clone());
        }
        Ok(loaders(ctx)?
            .document_text
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default())
    }
    /// SHA-256 of the ingested bytes.
    async fn content_hash(&self) -> &str {
        &self.0.content_hash
    }
    /// When it was ingested (UTC).
    async fn ingested_at(&self) -> &str {
        &self.0.ingested_at
    }
    /// Speaker turns (transcripts only).
    async fn turns(&self, ctx: &Context<'_>) -> Result<Vec<Turn>> {
        let rows = loaders(ctx)?
            .document_turns
            .load_one(self.0.id)
            .await
            .map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(Turn).collect())
    }
    /// Every person and organisation the document names as acting or speaking, each once.
    async fn participants(&self, ctx: &Context<'_>) -> Result<Vec<Participant>> {
        let rows = loaders(ctx)?
            .document_participants
            .load_one(self.0.id)
            .await
            .map_err(load_err)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(Participant)
            .collect())
    }
    /// The meeting the document reports (first) and the meetings it mentions.
    async fn meetings(&self, ctx: &Context<'_>) -> Result<Vec<Meeting>> {
        let rows = loaders(ctx)?
            .document_meetings
            .load_one(self.0.id)
            .await
            .map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(Meeting).collect())
    }
    /// Quotations in document order.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn quotations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<Fast<QuotationConnection>> {
        let page = page_args(ctx, first, after)?;
        quotation_page(
            ctx,
            diplograph_store::QuotationOwner::Document,
            self.0.id,
            page,
        )
        .await
    }
    /// Claims in document order.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn claims(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<Fast<ClaimConnection>> {
        let page = page_args(ctx, first, after)?;
        claim_page(ctx, diplograph_store::ClaimOwner::Document, self.0.id, page).await
    }
}

/// A meeting between officials, held or planned, reported or mentioned by one or more
/// documents.
#[derive(Clone, Debug)]
pub struct Meeting(pub meeting::Model);

/// A meeting between officials, held or planned, reported or mentioned by one or more documents.
#[Object]
impl Meeting {
    /// Opaque global id.
    async fn id(&self) -> ID {
        ID(ids::encode("Meeting", self.0.id))
    }
    /// A short description (`Talks: Roe–Berg, Oslo, 2021-06-09`).
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Talks, 2+2, summit, visit...
    async fn kind(&self) -> MeetingKind {
        MeetingKind::from_db(&self.0.kind).unwrap_or(MeetingKind::Other)
    }
    /// Held or planned.
    async fn status(&self) -> MeetingStatus {
        MeetingStatus::from_db(&self.0.status).unwrap_or(MeetingStatus::Held)
    }
    /// When, to the precision the sources give.
    async fn date(&self) -> Option<Fast<PartialDate>> {
        PartialDate::from_parts(self.0.date_year, self.0.date_month, self.0.date_day).map(Fast)
    }
    /// Where.
    async fn place(&self) -> Option<Fast<Place>> {
        Place::answer(&self.0.place_name, &self.0.place_country)
    }
    /// Who took part.
    async fn participants(&self, ctx: &Context<'_>) -> Result<Vec<Fast<Participant>>> {
        let rows = loaders(ctx)?
            .meeting_participants
            .load_one(self.0.id)
            .await
            .map_err(load_err)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|p| Fast(Participant(p)))
            .collect())
    }
    /// The documents that report or mention it.
    async fn documents(&self, ctx: &Context<'_>) -> Result<Vec<Document>> {
        let rows = loaders(ctx)?
            .meeting_documents
            .load_one(self.0.id)
            .await
            .map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(Document).collect())
    }
    /// Quotations from the documents that report it.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn quotations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<Fast<QuotationConnection>> {
        let page = page_args(ctx, first, after)?;
        quotation_page(
            ctx,
            diplograph_store::QuotationOwner::Meeting,
            self.0.id,
            page,
        )
        .await
    }
    /// Claims from the documents that report it.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn claims(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<Fast<ClaimConnection>> {
        let page = page_args(ctx, first, after)?;
        claim_page(ctx, diplograph_store::ClaimOwner::Meeting, self.0.id, page).await
    }
}

/// A person, organisation, document, unnamed source or journalist that acts or speaks.
#[derive(Clone, Debug)]
pub struct Participant(pub participant::Model);

/// A form of a participant's name and the documents it was seen in.
#[derive(SimpleObject)]
pub struct AliasForm {
    /// The form as written (`Roe`, `the British foreign secretary`).
    pub text: String,
    /// Documents that use it.
    pub documents: Vec<Document>,
}

/// Someone a participant met, with the meetings they share.
#[derive(SimpleObject)]
pub struct Counterpart {
    /// The other participant.
    pub participant: Participant,
    /// Meetings both took part in.
    pub meetings: Vec<Meeting>,
}

/// A person, organisation, document, unnamed source or journalist that acts or speaks.
#[Object]
impl Participant {
    /// Opaque global id.
    async fn id(&self) -> ID {
        ID(ids::encode("Participant", self.0.id))
    }
    /// Canonical name (`Jane Roe`); for unnamed sources, their description.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Person, organisation, document, unnamed source or journalist.
    async fn kind(&self) -> ParticipantKind {
        ParticipantKind::from_db(&self.0.kind).unwrap_or(ParticipantKind::Person)
    }
    /// Country the participant acts for.
    async fn country(&self) -> Option<&str> {
        self.0.country.as_deref()
    }
    /// The title most recently seen.
    async fn title(&self) -> Option<&str> {
        self.0.title.as_deref()
    }
    /// Every other form the documents use (`Roe`, `the British foreign secretary`).
    async fn aliases(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let rows = loaders(ctx)?
            .aliases
            .load_one(self.0.id)
            .await
            .map_err(load_err)?;
        let mut out: Vec<String> = Vec::new();
        for a in rows.unwrap_or_default() {
            if a.alias != self.0.name && !out.contains(&a.alias) {
                out.push(a.alias);
            }
        }
        Ok(out)
    }
    /// Every form seen, with the documents it came from.
    async fn alias_forms(&self, ctx: &Context<'_>) -> Result<Vec<AliasForm>> {
        let l = loaders(ctx)?;
        let rows = l
            .aliases
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default();
        let docs = l
            .document
            .load_many(rows.iter().map(|a| a.document_id))
            .await
            .map_err(load_err)?;
        let mut out: Vec<AliasForm> = Vec::new();
        for a in rows {
            let doc = docs.get(&a.document_id).cloned().map(Document);
            match out.iter_mut().find(|f| f.text == a.alias) {
                Some(f) => f.documents.extend(doc),
                None => out.push(AliasForm {
                    text: a.alias,
                    documents: doc.into_iter().collect(),
                }),
            }
        }
        Ok(out)
    }
    /// Offices held, with the documents and dates they were seen in.
    async fn roles(&self, ctx: &Context<'_>) -> Result<Vec<Role>> {
        let rows = loaders(ctx)?
            .roles
            .load_one(self.0.id)
            .await
            .map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(Role).collect())
    }
    /// Meetings the participant took part in, oldest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<MeetingConnection> {
        let page = page_args(ctx, first, after)?;
        let all = loaders(ctx)?
            .participant_meetings
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default();
        let total = all.len() as u64;
        let rows: Vec<Meeting> = all
            .into_iter()
            .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
            .take(usize::try_from(page.limit).unwrap_or(0))
            .map(Meeting)
            .collect();
        Ok(MeetingConnection::build(rows, page.offset, total))
    }
    /// What the participant said, oldest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn quotations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<Fast<QuotationConnection>> {
        let page = page_args(ctx, first, after)?;
        quotation_page(
            ctx,
            diplograph_store::QuotationOwner::Speaker,
            self.0.id,
            page,
        )
        .await
    }
    /// Claims the participant made, oldest first.
    #[graphql(complexity = "first.unwrap_or(20).max(0) as usize * child_complexity + 1")]
    async fn claims(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many items to return (default 20, at most the server's maximum page size, 100 unless configured)."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return the items after this cursor (an `endCursor` or edge `cursor`).")]
        after: Option<String>,
    ) -> Result<Fast<ClaimConnection>> {
        let page = page_args(ctx, first, after)?;
        claim_page(ctx, diplograph_store::ClaimOwner::Claimant, self.0.id, page).await
    }
    /// Participants this one met, most shared meetings first.
    async fn counterparts(&self, ctx: &Context<'_>) -> Result<Vec<Counterpart>> {
        let l = loaders(ctx)?;
        let rows = l
            .counterparts
            .load_one(self.0.id)
            .await
            .map_err(load_err)?
            .unwrap_or_default();
        let all: Vec<i32> = rows.iter().flat_map(|(_, ms)| ms.iter().copied()).collect();
        let loaded = l.meeting.load_many(all).await.map_err(load_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for (p, ms) in rows {
            let meetings: std::collections::HashMap<i32, meeting::Model> = ms
                .iter()
                .filter_map(|m| loaded.get(m).cloned().map(|x| (*m, x)))
                .collect();
            let mut meetings: Vec<meeting::Model> = meetings.into_values().collect();
            meetings.sort_by_key(|m| (m.date_key, m.id));
            out.push(Counterpart {
                participant: Participant(p),
                meetings: meetings.into_iter().map(Meeting).collect(),
            });
        }
        Ok(out)
    }
}

/// Verbatim words with their speaker and the exact place they come from.
#[derive(Clone, Debug)]
pub struct Quotation(pub quotation::Model, pub(crate) KnownTitle);

/// A link between a reported quotation and the transcript passage that says the same
/// thing: the primary record behind a wire report's words, and how closely they agree.
#[derive(Clone, Debug)]
pub struct QuoteMatch {
    link: quotation_source::Model,
    reported_side: bool,
}

/// How a reported quotation matches a passage of a primary transcript.
#[Object]
impl QuoteMatch {
    /// Similarity from 0 to 1 (shared content words and word pairs); links are made from
    /// 0.45 up.
    async fn score(&self) -> f64 {
        self.link.score
    }
    /// The other side of the link: the transcript paragraph (from `primarySources`) or the
    /// reported quotation (from `reportedIn`).
    async fn quotation(&self, ctx: &Context<'_>) -> Result<Option<Fast<Quotation>>> {
        let id = if self.reported_side {
            self.link.source_quotation_id
        } else {
            self.link.quotation_id
        };
        Ok(loaders(ctx)?
            .quotation
            .load_one(id)
            .await
            .map_err(load_err)?
            .map(|q| Fast(Quotation::from(q))))
    }
    /// The transcript document.
    async fn source_document(&self, ctx: &Context<'_>) -> Result<Option<Fast<Document>>> {
        Ok(load_document(ctx, self.link.source_document_id)
            .await?
            .map(Fast))
    }
    /// The matching sentences in the transcript.
    async fn span(&self) -> Fast<Span> {
        Fast(Span {
            start: self.link.span_start,
            end: self.link.span_end,
            document_id: self.link.source_document_id,
        })
    }
}

/// Verbatim words with their speaker and the exact place they come from.
#[Object]
impl Quotation {
    /// Opaque global id.
    async fn id(&self) -> ID {
        ID(ids::encode("Quotation", self.0.id))
    }
    /// The words, without enclosing quotation marks.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// Transcript paragraph, direct quote or partial quote.
    async fn kind(&self) -> QuotationKind {
        QuotationKind::from_db(&self.0.kind).unwrap_or(QuotationKind::Direct)
    }
    /// Who said it.
    async fn speaker(&self, ctx: &Context<'_>) -> Result<Option<Fast<Participant>>> {
        load_participant(ctx, self.0.speaker_id).await
    }
    /// How the source names the speaker where it attributes the words (`he`, `the Russian
    /// foreign ministry`, a transcript's speaker label).
    async fn speaker_label(&self) -> Option<&str> {
        self.0.speaker_label.as_deref()
    }
    /// The attribution cue (`said`, `stressed`, `according to`), if any.
    async fn cue(&self) -> Option<&str> {
        self.0.cue.as_deref()
    }
    /// Who reports the words, when a speaker quotes someone else.
    async fn reported_by(&self, ctx: &Context<'_>) -> Result<Option<Fast<Participant>>> {
        load_participant(ctx, self.0.reported_by_id).await
    }
    /// The document it comes from.
    async fn document(&self, ctx: &Context<'_>) -> Result<Option<Fast<Document>>> {
        Ok(self.1.document(ctx, self.0.document_id).await?.map(Fast))
    }
    /// Where the words stand in the document.
    async fn span(&self) -> Fast<Span> {
        Fast(Span {
            start: self.0.span_start,
            end: self.0.span_end,
            document_id: self.0.document_id,
        })
    }
    /// The meeting the document reports.
    async fn meeting(&self, ctx: &Context<'_>) -> Result<Option<Fast<Meeting>>> {
        load_meeting(ctx, self.0.meeting_id).await
    }
    /// Topics of the words.
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<Topic>> {
        let rows = loaders(ctx)?
            .quotation_topics
            .load_one(self.0.id)
            .await
            .map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(Topic).collect())
    }
    /// For a reported quotation: the transcript passages in the graph that say the same
    /// thing (same speaker, same meeting or date), best first. Empty when no primary record
    /// backs it.
    async fn primary_sources(&self, ctx: &Context<'_>) -> Result<Vec<QuoteMatch>> {
        let rows = loaders(ctx)?
            .quotation_sources
            .load_one(self.0.id)
            .await
            .map_err(load_err)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|link| QuoteMatch {
                link,
                reported_side: true,
            })
            .collect())
    }
    /// For a transcript paragraph: the reported quotations that repeat it, best first.
    async fn reported_in(&self, ctx: &Context<'_>) -> Result<Vec<QuoteMatch>> {
        let rows = loaders(ctx)?
            .quotation_reports
            .load_one(self.0.id)
            .await
            .map_err(load_err)?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|link| QuoteMatch {
                link,
                reported_side: false,
            })
            .collect())
    }
}

/// A statement a party makes: a position, agreement, plan, fact, assessment or demand.
#[derive(Clone, Debug)]
pub struct Claim(pub claim::Model, pub(crate) KnownTitle);

/// A statement a party makes: a position, agreement, plan, fact, assessment or demand.
#[Object]
impl Claim {
    /// Opaque global id.
    async fn id(&self) -> ID {
        ID(ids::encode("Claim", self.0.id))
    }
    /// The sentence that makes the claim.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// Position, agreement, plan, fact, assessment or demand.
    async fn kind(&self) -> ClaimKind {
        ClaimKind::from_db(&self.0.kind).unwrap_or(ClaimKind::Position)
    }
    /// Who makes it.
    async fn claimant(&self, ctx: &Context<'_>) -> Result<Option<Fast<Participant>>> {
        load_participant(ctx, self.0.claimant_id).await
    }
    /// Countries the claim is made for (both parties for a joint agreement).
    async fn on_behalf_of(&self) -> Vec<String> {
        self.0
            .on_behalf_of
            .split('\u{1f}')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
    /// Topics of the claim.
    async fn topics(&self, ctx: &Context<'_>) -> Result<Vec<Topic>> {
        let rows = loaders(ctx)?
            .claim_topics
            .load_one(self.0.id)
            .await
            .map_err(load_err)?;
        Ok(rows.unwrap_or_default().into_iter().map(Topic).collect())
    }
    /// The document it comes from.
    async fn document(&self, ctx: &Context<'_>) -> Result<Option<Fast<Document>>> {
        Ok(self.1.document(ctx, self.0.document_id).await?.map(Fast))
    }
    /// Where it stands in the document.
    async fn span(&self) -> Fast<Span> {
        Fast(Span {
            start: self.0.span_start,
            end: self.0.span_end,
            document_id: self.0.document_id,
        })
    }
    /// The meeting the document reports.
    async fn meeting(&self, ctx: &Context<'_>) -> Result<Option<Fast<Meeting>>> {
        load_meeting(ctx, self.0.meeting_id).await
    }
    /// The quotation it comes from, when it comes from one.
    async fn quotation(&self, ctx: &Context<'_>) -> Result<Option<Fast<Quotation>>> {
        match self.0.quotation_id {
            Some(q) => Ok(loaders(ctx)?
                .quotation
                .load_one(q)
                .await
                .map_err(load_err)?
                .map(|q| Fast(Quotation::from(q)))),
            None => Ok(None),
        }
    }
}

/// Anything with a global id that `node(id:)` can fetch.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global id."))]
pub enum Node {
    /// A document.
    Document(Document),
    /// A meeting.
    Meeting(Meeting),
    /// A participant.
    Participant(Participant),
    /// A quotation.
    Quotation(Quotation),
    /// A claim.
    Claim(Claim),
}

/// One result of `search`.
#[derive(SimpleObject)]
pub struct SearchHit {
    /// What was found.
    pub node: Node,
    /// The matching passage, with matches wrapped in `[` and `]`.
    pub snippet: String,
    /// Relevance, higher is better (comparable within one result list only).
    pub score: f64,
}

/// Checks that a page request is within limits.
pub(crate) fn check_first(cfg: &ApiConfig, first: Option<i32>) -> Result<u64> {
    match first {
        None => Ok(cfg.default_page_size),
        Some(n) if n < 0 => Err(ErrorCode::BadUserInput.err("`first` must not be negative")),
        Some(n) => {
            let n = u64::try_from(n).unwrap_or(0);
            if n > cfg.max_page_size {
                Err(ErrorCode::PageTooLarge.err(format!(
                    "`first` is {n}, above the maximum page size of {}",
                    cfg.max_page_size
                )))
            } else {
                Ok(n)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ids, KnownTitle, ListPlace, Position, SortKey};

    #[test]
    fn cursors_keep_their_place_and_refuse_what_we_never_made() {
        let places = [
            ListPlace {
                offset: 0,
                position: None,
            },
            ListPlace {
                offset: 41,
                position: Some(Position {
                    desc: false,
                    key: SortKey::Row(20190510, 7),
                }),
            },
            ListPlace {
                offset: 150_000,
                position: Some(Position {
                    desc: true,
                    key: SortKey::Passage(0, 12, 3),
                }),
            },
            ListPlace {
                offset: 2,
                position: Some(Position {
                    desc: false,
                    key: SortKey::Passage(-1, i32::MAX, 0),
                }),
            },
        ];
        for p in places {
            assert_eq!(ListPlace::of_cursor(&p.cursor()), Some(p), "{p:?}");
        }
        // A cursor handed out before cursors carried positions still pages by offset.
        let old = ids::b64(b"offset:19");
        assert_eq!(
            ListPlace::of_cursor(&old),
            Some(ListPlace {
                offset: 19,
                position: None
            })
        );
        for bad in [
            "offset:",
            "offset:x",
            "offset:3:",
            "offset:3:sideways:1,2",
            "offset:3:asc",
            "offset:3:asc:1",
            "offset:3:asc:1,2,3,4",
            "offset:3:asc:1,2:5",
            "offset:3:desc:1,x",
            "Meeting:3",
        ] {
            assert_eq!(
                ListPlace::of_cursor(&ids::b64(bad.as_bytes())),
                None,
                "{bad}"
            );
        }
        assert_eq!(ListPlace::of_cursor("not base64!"), None);
    }

    #[test]
    fn every_item_gets_its_documents_title_however_many_share_it() {
        // Items of documents 1, 2, 1, 3 and 1; titles for 1 and 2 only. The title of
        // document 1 is moved to its last item: the items before it must still have it.
        let rows = vec![(10, 1), (11, 2), (12, 1), (13, 3), (14, 1)];
        let titles = vec![(2, "Second".to_string()), (1, "First".to_string())];
        let items = KnownTitle::attach(rows, titles, |r| r.1, |r, t| (r.0, t.0));
        let first = Some("First".to_string());
        assert_eq!(
            items,
            vec![
                (10, first.clone()),
                (11, Some("Second".to_string())),
                (12, first.clone()),
                (13, None),
                (14, first),
            ]
        );
    }
}
