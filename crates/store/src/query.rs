//! Read queries: filtered, paginated lists and batch loads by id for the API's dataloaders.
//! Every function takes `&impl ConnectionTrait` through [`Store`] and returns entity rows.

use std::collections::HashMap;
use std::fmt::Write as _;

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, UnionType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Statement, Value,
    Values,
};

use crate::entities::*;
use crate::rows::FromRow;
use crate::{Store, StoreError};

/// A page of a list: skip `offset`, take `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Page {
    /// Rows to skip.
    pub offset: u64,
    /// Rows to return.
    pub limit: u64,
    /// Whether the caller needs the list's total. Without it the total returned is only
    /// good for telling whether more rows follow (`offset` + rows, plus one when there
    /// are more, see `more`).
    pub count: bool,
    /// Whether the caller, not counting, needs to know whether more rows follow (a page's
    /// `hasNextPage`): one row more is read instead of counting them all. With neither
    /// this nor `count`, exactly `limit` rows are read and the total returned is `offset`
    /// + rows, which says nothing of rows beyond.
    pub more: bool,
}

impl Page {
    /// Rows a page without a count reads: one more than it keeps when the caller wants
    /// to know whether more follow.
    pub(crate) fn rows_to_read(&self) -> u64 {
        self.limit
            .saturating_add(u64::from(!self.count && self.more))
    }
}

/// The topic a quotation or claim filter asks for (see [`Store::wanted_topic`]).
enum TopicWanted {
    /// No topic filter.
    Any,
    /// The topic of this id.
    Id(i32),
    /// A slug no topic has, or an id and a slug of two topics: nothing matches.
    Nothing,
}

/// What a list read returns as its total when the caller did not ask for a count: enough
/// to tell whether more rows follow. `rows` holds up to [`Page::rows_to_read`] rows; an
/// extra one is dropped.
pub(crate) fn total_without_count<T>(rows: &mut Vec<T>, page: Page) -> u64 {
    let more = rows.len() as u64 > page.limit;
    rows.truncate(usize::try_from(page.limit).unwrap_or(usize::MAX));
    page.offset + rows.len() as u64 + u64::from(more)
}

/// The total of a counted list whose page shows it without counting: a page read from
/// the list's start or from an offset (not after a cursor's sort key, `from_key`) that
/// holds fewer rows than its limit ends the list, which then has the page's offset and
/// rows. A page of no rows after an offset says nothing (the list may end before the
/// offset), nor does a page of none asked for. A list whose matches fit on one page (a
/// rare word, a narrow filter) is so read once instead of twice: the count scans as much
/// as the page when nothing stops the page early.
pub(crate) fn total_of_short_page(page: Page, rows: usize, from_key: bool) -> Option<u64> {
    let rows = rows as u64;
    let ends = page.count && !from_key && rows < page.limit && (page.offset == 0 || rows > 0);
    ends.then(|| page.offset + rows)
}

/// A count, as a statement that selects it alone as `n` returns it.
#[derive(Debug, FromQueryResult)]
struct CountRow {
    n: i64,
}

/// One id, as a statement that selects nothing else returns it.
#[derive(Debug, FromQueryResult)]
struct IdRow {
    id: i32,
}

/// A page of meetings with each one's participants (see
/// [`Store::meetings_with_participants`]).
#[derive(Debug)]
pub struct MeetingsWithParticipants {
    /// The page, in list order.
    pub meetings: Vec<meeting::Model>,
    /// The list's total (with an uncounted page: see [`Page`]).
    pub total: u64,
    /// Each meeting's participants in link order, by meeting id; every meeting of the
    /// page has an entry.
    pub participants: HashMap<i32, Vec<participant::Model>>,
}

/// Sort direction on dates. Rows of the same date follow in ascending order either way
/// (by id; quotations and claims by document, then position in it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// Oldest first.
    #[default]
    Asc,
    /// Newest first.
    Desc,
}

/// Filters on meetings. Dates are sortable `YYYYMMDD` keys (see [`date_key`]).
#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    /// On or after.
    pub from: Option<i64>,
    /// On or before.
    pub to: Option<i64>,
    /// With this participant.
    pub participant: Option<i32>,
    /// With a participant whose name or alias contains this (case-insensitive).
    pub participant_name: Option<String>,
    /// Place name contains this.
    pub place: Option<String>,
    /// Kind (`TALKS`).
    pub kind: Option<String>,
    /// Status (`HELD`).
    pub status: Option<String>,
    /// Reported by this document.
    pub document: Option<i32>,
    /// Only meetings after this (date key, id) in the list's order (see [`DateOrder`]):
    /// to read a list page by page, each from where the last ended, without an offset that
    /// makes the database walk past every row before it.
    pub after: Option<(i64, i32)>,
}

/// Filters on quotations.
#[derive(Debug, Clone, Default)]
pub struct QuotationFilter {
    /// Spoken by this participant.
    pub speaker: Option<i32>,
    /// Spoken by someone whose name or alias contains this.
    pub speaker_name: Option<String>,
    /// With this topic slug.
    pub topic: Option<String>,
    /// With the topic of this id (for a caller that holds the topic already; with `topic`
    /// too, both must name the same topic).
    pub topic_id: Option<i32>,
    /// At this meeting.
    pub meeting: Option<i32>,
    /// In this document.
    pub document: Option<i32>,
    /// Text contains this (case-insensitive).
    pub text: Option<String>,
    /// Document dated on or after.
    pub from: Option<i64>,
    /// Document dated on or before.
    pub to: Option<i64>,
    /// Only rows after this (date key, document id, position) in the list's order (see
    /// [`DateOrder`]): to read a list page by page, each from where the last ended,
    /// without an offset that makes the database walk past every row before it.
    pub after: Option<(i64, i32, i32)>,
}

/// Filters on claims.
#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    /// Made by this participant.
    pub claimant: Option<i32>,
    /// Made by someone whose name or alias contains this.
    pub claimant_name: Option<String>,
    /// On behalf of this country.
    pub on_behalf_of: Option<String>,
    /// With this topic slug.
    pub topic: Option<String>,
    /// With the topic of this id (as [`QuotationFilter::topic_id`]).
    pub topic_id: Option<i32>,
    /// Kind (`POSITION`).
    pub kind: Option<String>,
    /// At this meeting.
    pub meeting: Option<i32>,
    /// In this document.
    pub document: Option<i32>,
    /// Text contains this.
    pub text: Option<String>,
    /// Document dated on or after.
    pub from: Option<i64>,
    /// Document dated on or before.
    pub to: Option<i64>,
    /// Only rows after this (date key, document id, position) in the list's order (see
    /// [`DateOrder`]): to read a list page by page, each from where the last ended,
    /// without an offset that makes the database walk past every row before it.
    pub after: Option<(i64, i32, i32)>,
}

/// Filters on participants.
#[derive(Debug, Clone, Default)]
pub struct ParticipantFilter {
    /// Name or alias contains this.
    pub name: Option<String>,
    /// Kind (`PERSON`).
    pub kind: Option<String>,
    /// Country.
    pub country: Option<String>,
}

/// Filters on documents.
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    /// Kind (`TRANSCRIPT`).
    pub kind: Option<String>,
    /// Source contains this.
    pub source: Option<String>,
    /// Published on or after.
    pub from: Option<i64>,
    /// Published on or before.
    pub to: Option<i64>,
    /// Title or text contains this.
    pub text: Option<String>,
    /// Only documents after this (publication date key, id) in the list's order (see
    /// [`DateOrder`]), as [`MeetingFilter::after`].
    pub after: Option<(i64, i32)>,
}

/// `2019`, `2019-05`, `2019-05-10` to a sortable key; `end` makes partial dates inclusive
/// upper bounds (`2019-05` → 20190599).
pub fn date_key(s: &str, end: bool) -> Option<i64> {
    let mut it = s.trim().split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: Option<i64> = it.next().map(|m| m.parse().ok()).unwrap_or(None);
    let d: Option<i64> = it.next().map(|d| d.parse().ok()).unwrap_or(None);
    if it.next().is_some()
        || !(0..=9999).contains(&y)
        || m.is_some_and(|m| !(1..=12).contains(&m))
        || d.is_some_and(|d| !(1..=31).contains(&d))
    {
        return None;
    }
    let fill = if end { 99 } else { 0 };
    Some(y * 10_000 + m.unwrap_or(fill) * 100 + d.unwrap_or(fill))
}

/// A `LIKE` pattern (escaped with `\`) matching `s`, in its own case, anywhere.
fn like(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The rows after a list position. A list is ordered by its date key in `order`, then by
/// the remaining columns ascending (oldest or newest first, then document and position),
/// so oldest first this is `(columns…) > (values…)`, and newest first
/// `date <= d AND (date < d OR (date = d AND (rest…) > (rest values…)))`. Both backends
/// read either from the list's own index: the `date <= d` bound, redundant as logic,
/// is what lets the planner start its backward scan at the position instead of at the
/// newest row.
fn after_key<const N: usize>(order: DateOrder, columns: [Expr; N], values: [Value; N]) -> Expr {
    let values = values.map(Expr::val);
    match order {
        DateOrder::Asc => Expr::tuple(columns).gt(Expr::tuple(values)),
        DateOrder::Desc => {
            let (mut columns, mut values) = (columns.into_iter(), values.into_iter());
            let (Some(date_col), Some(date)) = (columns.next(), values.next()) else {
                // No columns: no position to be after.
                return Expr::value(true);
            };
            let rest = Expr::tuple(columns).gt(Expr::tuple(values));
            date_col.clone().lte(date.clone()).and(
                date_col
                    .clone()
                    .lt(date.clone())
                    .or(date_col.eq(date).and(rest)),
            )
        }
    }
}

/// `c` and, when there is one, the position to read after.
fn with_after(c: Condition, after: Option<Expr>) -> Condition {
    match after {
        Some(a) => c.add(a),
        None => c,
    }
}

/// `q` in list order: by date in `order`, then by document and position (`[date,
/// document, position]` columns).
fn in_list_order<E: EntityTrait>(
    q: Select<E>,
    order: DateOrder,
    [date, document, idx]: [E::Column; 3],
) -> Select<E> {
    match order {
        DateOrder::Asc => q.order_by_asc(date),
        DateOrder::Desc => q.order_by_desc(date),
    }
    .order_by_asc(document)
    .order_by_asc(idx)
}

/// A list cut by its topic and at most a range of dates: the topic, the range's ends, and
/// the position to read after.
#[derive(Debug, Clone, Copy)]
struct TopicCut {
    topic: i32,
    from: Option<i64>,
    to: Option<i64>,
    after: Option<(i64, i32, i32)>,
}

impl TopicCut {
    /// The links of the cut: the topic's, within its dates (`topic_col` and `date` are the
    /// link table's topic and date columns).
    fn links<L: ColumnTrait>(&self, topic_col: L, date: L) -> Condition {
        let mut c = Condition::all().add(topic_col.eq(self.topic));
        if let Some(v) = self.from {
            c = c.add(date.gte(v));
        }
        if let Some(v) = self.to {
            c = c.add(date.lte(v));
        }
        c
    }
}

/// The ids of a page of a list cut by its topic and at most a range of dates, read in the
/// list's order from the topic's links, which carry their rows' places (migration 14): the
/// next `n` entries of the links' (topic, date, document, position) index within the
/// dates, after the position `after` or the first `offset`. Read through the rows' own
/// date index instead, a page cost as much as the rows before the topic's first ones in
/// the dates (Postgres walked 37,537 quotations for a topic whose items lie late; the
/// least quoted topic's last two years took 26–41 ms against 2.5–2.9 ms now), or the
/// whole topic (SQLite built its `IN` list first: 170 ms for a month of the most quoted
/// topic, 2.3–2.6 ms now).
///
/// With `rows` (the rows' id column and a filter on the rows' own columns), each link is
/// joined with its row and kept when the row passes the filter. The walk then reads at
/// most the topic's links, where the rows' date index, probing each row for its link,
/// read every row until the page filled: Postgres walked all 228,888 claims to find the
/// 18 of one kind in a topic of 2,003 (124–194 ms, 8.6–10.3 ms now). The links' columns
/// are named with their table, which shares `date_key`, `document_id` and `idx` with
/// the rows'.
fn topic_page_ids<L: ColumnTrait, O: ColumnTrait>(
    order: DateOrder,
    [owner, topic_col, date, document, idx]: [L; 5],
    cut: TopicCut,
    rows: Option<&(O, Condition)>,
    n: u64,
    offset: u64,
) -> sea_orm::sea_query::SelectStatement {
    use sea_orm::sea_query::Order;
    let mut s = Query::select();
    s.column(owner.as_column_ref())
        .from(owner.entity_name())
        .cond_where(cut.links(topic_col, date));
    if let Some((id, filter)) = rows {
        s.inner_join(
            id.entity_name(),
            Expr::col(id.as_column_ref()).equals(owner.as_column_ref()),
        )
        .cond_where(filter.clone());
    }
    if let Some((d, doc, i)) = cut.after {
        s.and_where(after_key(
            order,
            [date, document, idx].map(|c| Expr::col(c.as_column_ref())),
            [d.into(), doc.into(), i.into()],
        ));
    }
    let by_date = match order {
        DateOrder::Asc => Order::Asc,
        DateOrder::Desc => Order::Desc,
    };
    s.order_by(date.as_column_ref(), by_date)
        .order_by(document.as_column_ref(), Order::Asc)
        .order_by(idx.as_column_ref(), Order::Asc)
        .limit(n);
    if offset > 0 {
        s.offset(offset);
    }
    s
}

/// The rows of a list (their id column `owner_id`) linked to `topic` through a link table
/// (`link_owner`, `link_topic`), for a list already cut down by an indexed filter (a
/// person, a meeting or a document), which is read through that filter's index; any other
/// list with a topic is read from the topic's links (see [`topic_page_ids`]).
///
/// Postgres plans `id IN (links)` as a semi-join whichever side is smaller. SQLite always
/// builds the whole `IN` list first: every row of the topic (53,000 for a common topic
/// at 10,000 documents, 20 ms) even when the person's rows are a dozen. SQLite is
/// therefore asked, for each of the list's rows, whether the link exists (one probe of the
/// links' `(row, topic)` index each: 24 → 0.2 ms for a rare name, 81 → 30 ms for a name
/// 600 people share).
fn linked_to_topic<O: ColumnTrait, L: ColumnTrait, T: ColumnTrait>(
    backend: DatabaseBackend,
    owner_id: O,
    link_owner: L,
    link_topic: T,
    topic: i32,
) -> Expr {
    if backend == DatabaseBackend::Sqlite {
        Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(link_owner.entity_name())
                .and_where(Expr::col(link_owner.as_column_ref()).equals(owner_id.as_column_ref()))
                .and_where(link_topic.eq(topic))
                .to_owned(),
        )
    } else {
        owner_id.in_subquery(
            Query::select()
                .column(link_owner)
                .from(link_owner.entity_name())
                .and_where(link_topic.eq(topic))
                .to_owned(),
        )
    }
}

/// How a case-insensitive filter's column is read on Postgres.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    /// By a trigram index on `lower(col)` (participants' names and aliases, migrations 8
    /// and 13), which only that very expression can use.
    Indexed,
    /// Row by row, short strings (places, sources, countries, on whose behalf).
    Scanned,
    /// Row by row, texts (of quotations, claims and documents, with a document's title):
    /// matched by `strpos`, not `LIKE`. Planned for the pattern it is given, Postgres
    /// guesses that `LIKE '%word%'` keeps a handful of rows (two of 10,000 documents for
    /// "nuclear", which 2,032 contain; 17 of 168,327 quotations for "sanctions", which
    /// 1,947 contain), so it read every match and sorted them for a page, where walking
    /// the date index stops at the page's last row; of `strpos(…) > 0` it guesses a
    /// third, and walks. On the 10,000-document corpus, in `psql`: the page of the
    /// documents that contain "nuclear" 486 → 15 ms, and their count 470 → 275 ms
    /// (`strpos` searches faster than `LIKE` matches); a page of quotations with
    /// "sanctions" 169 → 104 ms, their count 401 → 280 ms in one process. A word that
    /// nothing contains costs the same CPU either way, every text being read (quotations:
    /// 291–341 against 275–347 ms in one process), though a sorted scan could run in
    /// parallel on an idle machine (225 ms). Short strings stay with `LIKE`: their
    /// filters join others, and a guess of a third would mislead those joins' plans.
    Text,
}

/// `col` contains `s`, whatever the case of either, on `backend`.
///
/// Postgres compares `lower(col) LIKE lower(s)` (a text: `strpos(lower(col),
/// lower(s)) > 0`, see [`Read::Text`]): `lower` folds every letter, and the name filters'
/// trigram indexes are built on it. `s` is lowered there too, not here: Rust's
/// `to_lowercase` and Postgres's `lower` differ beyond ASCII (Rust lowers "İ" to "i" and a
/// combining dot, a final "Σ" to "ς"; `lower` in a libc locale to "i" and "σ"), so a
/// pattern lowered here missed "İstanbul" and "ΣΟΦΟΣ" in the very texts they were copied
/// from. A column read row by row is folded in the "C" collation when `s` is ASCII: it
/// folds ASCII letters only, byte by byte, where the database's own collation converts
/// every character through its locale (on the 10,000-document corpus,
/// `quotations(filter: {text})` counted in 158 against 312 ms, `documents(filter: {text})`
/// in 367 against 739 ms). An ASCII `s` then matches exactly what it matches on SQLite,
/// whatever the database's locale.
///
/// SQLite's `lower` and `LIKE` fold ASCII letters only: `lower(col) LIKE '%çavuş%'` misses
/// "Çavuşoğlu". It also copies every row's text: a name look-up over the aliases took
/// 27 ms against 10 ms without `lower`, and under load the copies' allocations contended
/// (`bench/load.sh`'s `filtered` on SQLite, 14 → 140 req/s). So SQLite compares `col LIKE`
/// an ASCII `s` (`LIKE` ignores ASCII case, and reads the row in place), and matches any
/// other `s` with a case-insensitive regular expression (`REGEXP`, registered on each
/// connection by sqlx, which folds letters by Unicode's simple case folding).
///
/// Folding ASCII letters only, an ASCII `s` does not match the few letters outside ASCII
/// whose lower case is an ASCII one in some locales ("istanbul" does not find
/// "İstanbul"), on either backend: they are other letters in Unicode's case folding.
fn contains_ci<C: ColumnTrait>(backend: DatabaseBackend, col: C, s: &str, read: Read) -> Expr {
    // Used with an ASCII `s`, which `to_ascii_lowercase` lowers as SQL's `lower` does.
    let pattern = || {
        let p = like(&s.to_ascii_lowercase());
        sea_orm::sea_query::LikeExpr::new(p).escape('\\')
    };
    match backend {
        DatabaseBackend::Sqlite if s.is_ascii() => Expr::col(col).like(pattern()),
        DatabaseBackend::Sqlite => Expr::col(col).binary(
            sea_orm::sea_query::BinOper::Custom("REGEXP"),
            Expr::val(regex_ci(s)),
        ),
        _ if read == Read::Text && s.is_ascii() => Expr::cust_with_exprs(
            "strpos(lower($1 COLLATE \"C\"), $2) > 0",
            [Expr::col(col), Expr::val(s.to_ascii_lowercase())],
        ),
        _ if read == Read::Text => Expr::cust_with_exprs(
            "strpos(lower($1), lower($2)) > 0",
            [Expr::col(col), Expr::val(s)],
        ),
        _ if read == Read::Scanned && s.is_ascii() => {
            Expr::cust_with_expr("lower($1 COLLATE \"C\")", Expr::col(col)).like(pattern())
        }
        _ => Expr::cust_with_exprs(
            "lower($1) LIKE lower($2) ESCAPE E'\\\\'",
            [Expr::col(col), Expr::val(like(s))],
        ),
    }
}

/// A regular expression (Rust's `regex` syntax) matching `s` anywhere, ignoring case:
/// letters and digits as they are, every other character by its code point.
fn regex_ci(s: &str) -> String {
    let mut out = String::from("(?i)");
    for ch in s.chars() {
        if ch.is_alphanumeric() {
            out.push(ch);
        } else {
            let _ = write!(out, "\\x{{{:x}}}", u32::from(ch));
        }
    }
    out
}

/// `statement` (a query without `LIMIT` or `OFFSET`) limited to `limit` rows after the
/// first `offset`. Postgres re-plans a prepared statement whose `LIMIT` is a parameter on
/// every run: it cannot cost a generic plan for a page of unknown size, so it never keeps
/// one. A statement with no other parameters (an unfiltered list, such as the nested
/// query's `meetings(first: 20)`) therefore gets its limit written into the SQL, and no
/// `OFFSET` on its first page, and is planned once per connection (pgbench, the meetings
/// page alone: 22.6k → 35.8k statements a second). Page sizes are few (capped by the
/// server's maximum), so such statements stay few. A filtered list keeps both as
/// parameters and so keeps a plan made for its filter's values: a plan made once for
/// all values can be far worse for a rare one. An offset past the first page is always
/// a parameter, so that paging deep into a list does not make a statement per page.
fn paged(mut statement: Statement, limit: u64, offset: u64) -> Statement {
    let backend = statement.db_backend;
    let values = statement.values.get_or_insert_with(|| Values(Vec::new()));
    let unfiltered = values.0.is_empty();
    let mut parameter = |v: u64| {
        values.0.push(Value::BigUnsigned(Some(v)));
        match backend {
            DatabaseBackend::Postgres => format!("${}", values.0.len()),
            _ => "?".to_string(),
        }
    };
    let limit = if unfiltered {
        limit.to_string()
    } else {
        parameter(limit)
    };
    statement.sql.push_str(&format!(" LIMIT {limit}"));
    if offset > 0 {
        let offset = parameter(offset);
        statement.sql.push_str(&format!(" OFFSET {offset}"));
    }
    statement
}

impl Store {
    /// The topic a quotation or claim filter asks for, by id or slug. The slug is looked
    /// up before the filter's statement instead of selected inside it, so that Postgres
    /// plans for this topic's own frequency (the most common one is on nearly half of all
    /// quotations) rather than an average topic's: a common speaker's quotations on the
    /// most common topic were otherwise read through every quotation of that topic. A
    /// slug's id is looked up once per store (see `Store::topic_ids`).
    async fn wanted_topic(
        &self,
        id: Option<i32>,
        slug: Option<&str>,
    ) -> Result<TopicWanted, StoreError> {
        let Some(slug) = slug else {
            return Ok(id.map_or(TopicWanted::Any, TopicWanted::Id));
        };
        let cached = self
            .topic_ids
            .read()
            .ok()
            .and_then(|ids| ids.get(slug).copied());
        let found: Option<i32> = match cached {
            Some(found) => Some(found),
            None => {
                let found = topic::Entity::find()
                    .select_only()
                    .column(topic::Column::Id)
                    .filter(topic::Column::Slug.eq(slug))
                    .into_tuple()
                    .one(&self.reads)
                    .await?;
                if let (Some(found), Ok(mut ids)) = (found, self.topic_ids.write()) {
                    ids.insert(slug.to_string(), found);
                }
                found
            }
        };
        Ok(match (found, id) {
            (Some(f), None) => TopicWanted::Id(f),
            (Some(f), Some(i)) if f == i => TopicWanted::Id(f),
            _ => TopicWanted::Nothing,
        })
    }

    /// `col` contains `s`, ignoring case (see [`contains_ci`]); `col` is read row by row.
    fn contains<C: ColumnTrait>(&self, col: C, s: &str) -> Expr {
        contains_ci(self.db.get_database_backend(), col, s, Read::Scanned)
    }

    /// `col`, a text (see [`Read::Text`]), contains `s`, ignoring case.
    fn text_contains<C: ColumnTrait>(&self, col: C, s: &str) -> Expr {
        contains_ci(self.db.get_database_backend(), col, s, Read::Text)
    }

    /// `col`, a name with a trigram index on Postgres, contains `s`, ignoring case.
    fn name_contains<C: ColumnTrait>(&self, col: C, s: &str) -> Expr {
        contains_ci(self.db.get_database_backend(), col, s, Read::Indexed)
    }

    /// Ids of participants whose name or alias contains `name` (case-insensitive).
    pub async fn participant_ids_by_name(&self, name: &str) -> Result<Vec<i32>, StoreError> {
        // Names and aliases in one statement: one round trip for every filter by name.
        // The aliases are read from `alias_names`, each (participant, alias) once, kept
        // by triggers from `participant_aliases`, which has them once per document
        // (migration 13).
        let q = Query::select()
            .column(participant::Column::Id)
            .from(participant::Entity)
            .and_where(self.name_contains(participant::Column::Name, name))
            .union(
                UnionType::Distinct,
                Query::select()
                    .column(participant_alias::Column::ParticipantId)
                    .from(Alias::new("alias_names"))
                    .and_where(self.name_contains(participant_alias::Column::Alias, name))
                    .to_owned(),
            )
            .to_owned();
        let statement = self.db.get_database_backend().build(&q);
        let mut ids: Vec<i32> = IdRow::find_by_statement(statement)
            .all(&self.reads)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        Ok(ids)
    }

    async fn page<E: EntityTrait>(
        &self,
        q: Select<E>,
        page: Page,
    ) -> Result<(Vec<E::Model>, u64), StoreError>
    where
        E::Model: Send + Sync + FromRow,
    {
        self.page_counted_by::<E, E>(q, page, None, false).await
    }

    /// [`Store::page`], its total (when asked for) counted by `count` when given: the
    /// whole list `q` is a page of (without its `after` position, so that a page read
    /// from a position still gives the list's total), or a cheaper statement with as many
    /// rows as that list. `from_key` says that `q` reads after a cursor's sort key.
    async fn page_counted_by<E: EntityTrait, C: EntityTrait>(
        &self,
        q: Select<E>,
        page: Page,
        count: Option<Select<C>>,
        from_key: bool,
    ) -> Result<(Vec<E::Model>, u64), StoreError>
    where
        E::Model: Send + Sync + FromRow,
        C::Model: Send + Sync,
    {
        let backend = self.db.get_database_backend();
        let n = if page.count {
            page.limit
        } else {
            page.rows_to_read()
        };
        // A page of no rows (the total alone was asked for) reads none.
        let mut rows = match n {
            0 => Vec::new(),
            n => {
                self.fetch_statement(paged(q.build(backend), n, page.offset))
                    .await?
            }
        };
        if !page.count {
            let total = total_without_count(&mut rows, page);
            return Ok((rows, total));
        }
        if let Some(total) = total_of_short_page(page, rows.len(), from_key) {
            return Ok((rows, total));
        }
        let total = match count {
            Some(count) => count.count(&self.reads).await?,
            None => q.count(&self.reads).await?,
        };
        Ok((rows, total))
    }

    /// A page of a list cut by its topic, at most a range of dates and the filter `rows`
    /// on the rows themselves, if any, its rows read by `id` from the topic's links (see
    /// [`topic_page_ids`]; `links` are the link table's row, topic, date, document and
    /// position columns), and the list's total counted from the links (joined with the
    /// rows when they are filtered), instead of by joining every linked row (a row carries
    /// a topic at most once).
    #[allow(clippy::too_many_arguments)]
    async fn topic_page<E, LE>(
        &self,
        id: E::Column,
        links: [LE::Column; 5],
        cut: TopicCut,
        rows: Option<Condition>,
        order: DateOrder,
        page: Page,
        ordered: impl Fn(Select<E>) -> Select<E>,
    ) -> Result<(Vec<E::Model>, u64), StoreError>
    where
        E: EntityTrait,
        E::Model: Send + Sync + FromRow,
        LE: EntityTrait,
        LE::Model: Send + Sync,
    {
        let n = if page.count {
            page.limit
        } else {
            page.rows_to_read()
        };
        let [owner, topic_col, date, _, _] = links;
        let rows = rows.map(|c| (id, c));
        let mut found = if n == 0 {
            Vec::new()
        } else {
            let ids = topic_page_ids(order, links, cut, rows.as_ref(), n, page.offset);
            self.fetch(ordered(E::find().filter(id.in_subquery(ids))))
                .await?
        };
        let total = if !page.count {
            total_without_count(&mut found, page)
        } else if let Some(total) = total_of_short_page(page, found.len(), cut.after.is_some()) {
            total
        } else if let Some((id, filter)) = rows {
            let mut s = Query::select();
            s.expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
                .from(owner.entity_name())
                .inner_join(
                    id.entity_name(),
                    Expr::col(id.as_column_ref()).equals(owner.as_column_ref()),
                )
                .cond_where(cut.links(topic_col, date))
                .cond_where(filter);
            self.count_of(self.db.get_database_backend().build(&s))
                .await?
        } else {
            LE::find()
                .filter(cut.links(topic_col, date))
                .count(&self.reads)
                .await?
        };
        Ok((found, total))
    }

    /// The count a statement that selects it alone, as `n`, returns.
    pub(crate) async fn count_of(&self, statement: Statement) -> Result<u64, StoreError> {
        Ok(CountRow::find_by_statement(statement)
            .one(&self.reads)
            .await?
            .map_or(0, |c| u64::try_from(c.n).unwrap_or(0)))
    }

    /// The rows of `q`, read by column position (see [`crate::rows`]).
    pub(crate) async fn fetch<E: EntityTrait>(
        &self,
        q: Select<E>,
    ) -> Result<Vec<E::Model>, StoreError>
    where
        E::Model: FromRow,
    {
        self.fetch_statement(q.build(self.db.get_database_backend()))
            .await
    }

    /// The rows of a statement, read by column position as `M`s.
    pub(crate) async fn fetch_statement<M: FromRow>(
        &self,
        statement: sea_orm::Statement,
    ) -> Result<Vec<M>, StoreError> {
        let rows = self.reads.query_all_raw(statement).await?;
        Ok(crate::rows::decode_all(&rows)?)
    }

    /// Meetings matching the filter, by date.
    pub async fn meetings(
        &self,
        f: &MeetingFilter,
        order: DateOrder,
        page: Page,
    ) -> Result<(Vec<meeting::Model>, u64), StoreError> {
        let (q, all) = self.meetings_select(f, order).await?;
        self.page_counted_by(q, page, Some(all), f.after.is_some())
            .await
    }

    /// [`Store::meetings`] and each meeting's participants in link order (as
    /// [`Store::participants_of_meetings`] gives them; a meeting without any has an empty
    /// list), in one statement instead of two: the page, as a subquery, joined with its
    /// links and participants. The rows are put back in the page's order here.
    pub async fn meetings_with_participants(
        &self,
        f: &MeetingFilter,
        order: DateOrder,
        page: Page,
    ) -> Result<MeetingsWithParticipants, StoreError> {
        use crate::rows::{cell, positions, prefixed_positions, typed_position};
        let (q, all) = self.meetings_select(f, order).await?;
        let backend = self.db.get_database_backend();
        let limit = if page.count {
            page.limit
        } else {
            page.rows_to_read()
        };
        if limit == 0 {
            // No row is read: uncounted, the total is the page's offset, as for any list.
            let total = if page.count {
                all.count(&self.reads).await?
            } else {
                page.offset
            };
            return Ok(MeetingsWithParticipants {
                meetings: Vec::new(),
                total,
                participants: HashMap::new(),
            });
        }
        let inner = paged(q.build(backend), limit, page.offset);
        static PCOLS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let pcols =
            PCOLS.get_or_init(|| crate::pages::joined_columns::<participant::Entity>("p", "p_"));
        let statement = Statement {
            sql: format!(
                "SELECT m.*, mp.id AS link_id, {pcols} FROM ({}) m \
                 LEFT JOIN meeting_participants mp ON mp.meeting_id = m.id \
                 LEFT JOIN participants p ON p.id = mp.participant_id",
                inner.sql
            ),
            ..inner
        };
        let raw = self.reads.query_all_raw(statement).await?;
        let mut meetings: HashMap<i32, meeting::Model> = HashMap::new();
        let mut links: Vec<(i32, i32, participant::Model)> = Vec::new();
        if let Some(first) = raw.first() {
            let at = positions::<meeting::Model>(first)?;
            let mid = typed_position::<i32>(first, "id")?;
            let link = typed_position::<Option<i32>>(first, "link_id")?;
            let pat = prefixed_positions::<participant::Model>(first, "p_")?;
            let pid = typed_position::<Option<i32>>(first, "p_id")?;
            for row in &raw {
                let m: i32 = cell(row, Some(mid))?;
                if let std::collections::hash_map::Entry::Vacant(e) = meetings.entry(m) {
                    e.insert(meeting::Model::from_row(row, &at)?);
                }
                let (Some(l), Some(_)) = (
                    cell::<Option<i32>>(row, Some(link))?,
                    cell::<Option<i32>>(row, Some(pid))?,
                ) else {
                    continue;
                };
                links.push((m, l, participant::Model::from_row(row, &pat)?));
            }
        }
        let mut rows: Vec<meeting::Model> = meetings.into_values().collect();
        rows.sort_unstable_by(|a, b| {
            let by_date = a.date_key.cmp(&b.date_key);
            match order {
                DateOrder::Asc => by_date,
                DateOrder::Desc => by_date.reverse(),
            }
            .then(a.id.cmp(&b.id))
        });
        let total = if !page.count {
            total_without_count(&mut rows, page)
        } else if let Some(total) = total_of_short_page(page, rows.len(), f.after.is_some()) {
            total
        } else {
            all.count(&self.reads).await?
        };
        links.sort_unstable_by_key(|l| l.1);
        let mut participants: HashMap<i32, Vec<participant::Model>> =
            rows.iter().map(|m| (m.id, Vec::new())).collect();
        for (m, _, p) in links {
            if let Some(list) = participants.get_mut(&m) {
                list.push(p);
            }
        }
        Ok(MeetingsWithParticipants {
            meetings: rows,
            total,
            participants,
        })
    }

    /// The meetings filter and order as a query, without its page, and the whole list it
    /// is part of, to count (without `after`: a page read from a position still gives
    /// the list's total).
    async fn meetings_select(
        &self,
        f: &MeetingFilter,
        order: DateOrder,
    ) -> Result<(Select<meeting::Entity>, Select<meeting::Entity>), StoreError> {
        let after = f.after.map(|(date, id)| {
            after_key(
                order,
                [
                    Expr::col(meeting::Column::DateKey),
                    Expr::col(meeting::Column::Id),
                ],
                [date.into(), id.into()],
            )
        });
        let mut c = Condition::all();
        if let Some(v) = f.from {
            c = c.add(meeting::Column::DateKey.gte(v));
        }
        if let Some(v) = f.to {
            c = c
                .add(meeting::Column::DateKey.lte(v))
                .add(meeting::Column::DateKey.gt(0));
        }
        if let Some(v) = &f.kind {
            c = c.add(meeting::Column::Kind.eq(v.clone()));
        }
        if let Some(v) = &f.status {
            c = c.add(meeting::Column::Status.eq(v.clone()));
        }
        if let Some(v) = &f.place {
            c = c.add(self.contains(meeting::Column::PlaceName, v));
        }
        let mut people: Option<Vec<i32>> = f.participant.map(|p| vec![p]);
        if let Some(n) = &f.participant_name {
            let ids = self.participant_ids_by_name(n).await?;
            people = Some(match people {
                Some(p) => p.into_iter().filter(|x| ids.contains(x)).collect(),
                None => ids,
            });
        }
        if let Some(ids) = people {
            c = c.add(
                meeting::Column::Id.in_subquery(
                    Query::select()
                        .column(meeting_participant::Column::MeetingId)
                        .from(meeting_participant::Entity)
                        .and_where(meeting_participant::Column::ParticipantId.is_in(ids))
                        .to_owned(),
                ),
            );
        }
        if let Some(d) = f.document {
            c = c.add(
                meeting::Column::Id.in_subquery(
                    Query::select()
                        .column(meeting_document::Column::MeetingId)
                        .from(meeting_document::Entity)
                        .and_where(meeting_document::Column::DocumentId.eq(d))
                        .to_owned(),
                ),
            );
        }
        let all = meeting::Entity::find().filter(c.clone());
        let q = meeting::Entity::find().filter(with_after(c, after));
        let q = match order {
            DateOrder::Asc => q.order_by_asc(meeting::Column::DateKey),
            DateOrder::Desc => q.order_by_desc(meeting::Column::DateKey),
        }
        .order_by_asc(meeting::Column::Id);
        Ok((q, all))
    }

    /// Quotations matching the filter, by document date then position.
    pub async fn quotations(
        &self,
        f: &QuotationFilter,
        order: DateOrder,
        page: Page,
    ) -> Result<(Vec<quotation::Model>, u64), StoreError> {
        let mut c = Condition::all();
        let mut speakers: Option<Vec<i32>> = f.speaker.map(|p| vec![p]);
        if let Some(n) = &f.speaker_name {
            let ids = self.participant_ids_by_name(n).await?;
            speakers = Some(match speakers {
                Some(p) => p.into_iter().filter(|x| ids.contains(x)).collect(),
                None => ids,
            });
        }
        let narrowed = speakers.is_some() || f.meeting.is_some() || f.document.is_some();
        if let Some(ids) = speakers {
            c = c.add(quotation::Column::SpeakerId.is_in(ids));
        }
        let topic = match self.wanted_topic(f.topic_id, f.topic.as_deref()).await? {
            TopicWanted::Any => None,
            TopicWanted::Id(id) => Some(id),
            TopicWanted::Nothing => return Ok((Vec::new(), 0)),
        };
        if let Some(topic) = topic.filter(|_| narrowed) {
            c = c.add(linked_to_topic(
                self.db.get_database_backend(),
                quotation::Column::Id,
                quotation_topic::Column::QuotationId,
                quotation_topic::Column::TopicId,
                topic,
            ));
        }
        if let Some(m) = f.meeting {
            c = c.add(quotation::Column::MeetingId.eq(m));
        }
        if let Some(d) = f.document {
            c = c.add(quotation::Column::DocumentId.eq(d));
        }
        if let Some(t) = &f.text {
            c = c.add(self.text_contains(quotation::Column::Text, t));
        }
        // With a topic and no filter that has an ordered index of its own, the list is
        // read from the topic's links, its other filters (a kind, a text) checked on each
        // linked row: never more rows than the rows' date index would give, and only the
        // topic's (see `topic_page_ids`).
        let on_rows = (!c.is_empty()).then(|| c.clone());
        if let Some(v) = f.from {
            c = c.add(quotation::Column::DateKey.gte(v));
        }
        if let Some(v) = f.to {
            c = c.add(quotation::Column::DateKey.lte(v));
        }
        // A row's place in the list: its date, document and position.
        use quotation::Column as Q;
        let place = [Q::DateKey, Q::DocumentId, Q::Idx];
        let ordered = |q| in_list_order(q, order, place);
        if let Some(topic) = topic.filter(|_| !narrowed) {
            let _turn = self.heavy_turn_if(f.text.is_some()).await;
            use quotation_topic::Column as L;
            let links = [
                L::QuotationId,
                L::TopicId,
                L::DateKey,
                L::DocumentId,
                L::Idx,
            ];
            return self
                .topic_page::<quotation::Entity, quotation_topic::Entity>(
                    quotation::Column::Id,
                    links,
                    TopicCut {
                        topic,
                        from: f.from,
                        to: f.to,
                        after: f.after,
                    },
                    on_rows,
                    order,
                    page,
                    ordered,
                )
                .await;
        }
        let after = f.after.map(|(date, document, idx)| {
            after_key(
                order,
                place.map(Expr::col),
                [date.into(), document.into(), idx.into()],
            )
        });
        let all = quotation::Entity::find().filter(c.clone());
        let q = ordered(quotation::Entity::find().filter(with_after(c, after)));
        let _turn = self.heavy_turn_if(f.text.is_some()).await;
        self.page_counted_by(q, page, Some(all), f.after.is_some())
            .await
    }

    /// Claims matching the filter, by document date then position.
    pub async fn claims(
        &self,
        f: &ClaimFilter,
        order: DateOrder,
        page: Page,
    ) -> Result<(Vec<claim::Model>, u64), StoreError> {
        let mut c = Condition::all();
        let mut who: Option<Vec<i32>> = f.claimant.map(|p| vec![p]);
        if let Some(n) = &f.claimant_name {
            let ids = self.participant_ids_by_name(n).await?;
            who = Some(match who {
                Some(p) => p.into_iter().filter(|x| ids.contains(x)).collect(),
                None => ids,
            });
        }
        let narrowed = who.is_some() || f.meeting.is_some() || f.document.is_some();
        if let Some(ids) = who {
            c = c.add(claim::Column::ClaimantId.is_in(ids));
        }
        let topic = match self.wanted_topic(f.topic_id, f.topic.as_deref()).await? {
            TopicWanted::Any => None,
            TopicWanted::Id(id) => Some(id),
            TopicWanted::Nothing => return Ok((Vec::new(), 0)),
        };
        if let Some(topic) = topic.filter(|_| narrowed) {
            c = c.add(linked_to_topic(
                self.db.get_database_backend(),
                claim::Column::Id,
                claim_topic::Column::ClaimId,
                claim_topic::Column::TopicId,
                topic,
            ));
        }
        if let Some(k) = &f.kind {
            // SQLite would read a list already narrowed by a person, a meeting or a
            // document through the kind's index (migration 15), which keeps the list's
            // order, and check every claim of the kind against the narrowing filter: a
            // name 600 people share and a kind took 46–48 against 23 ms through the
            // person's index. A unary `+` keeps the kind's index out of such a statement.
            c = c.add(match self.db.get_database_backend() {
                // (sea-query writes a custom expression's operand for SQLite at `?`.)
                DatabaseBackend::Sqlite if narrowed => {
                    Expr::cust_with_expr("+?", Expr::col(claim::Column::Kind.as_column_ref()))
                        .eq(k.clone())
                }
                _ => claim::Column::Kind.eq(k.clone()),
            });
        }
        if let Some(o) = &f.on_behalf_of {
            c = c.add(self.contains(claim::Column::OnBehalfOf, o));
        }
        if let Some(m) = f.meeting {
            c = c.add(claim::Column::MeetingId.eq(m));
        }
        if let Some(d) = f.document {
            c = c.add(claim::Column::DocumentId.eq(d));
        }
        if let Some(t) = &f.text {
            c = c.add(self.text_contains(claim::Column::Text, t));
        }
        // With a topic and no filter that has an ordered index of its own, the list is
        // read from the topic's links, its other filters (a kind, a text) checked on each
        // linked row: never more rows than the rows' date index would give, and only the
        // topic's (see `topic_page_ids`).
        let on_rows = (!c.is_empty()).then(|| c.clone());
        if let Some(v) = f.from {
            c = c.add(claim::Column::DateKey.gte(v));
        }
        if let Some(v) = f.to {
            c = c.add(claim::Column::DateKey.lte(v));
        }
        // A row's place in the list: its date, document and position.
        use claim::Column as C;
        let place = [C::DateKey, C::DocumentId, C::Idx];
        let ordered = |q| in_list_order(q, order, place);
        if let Some(topic) = topic.filter(|_| !narrowed) {
            let _turn = self.heavy_turn_if(f.text.is_some()).await;
            use claim_topic::Column as L;
            let links = [L::ClaimId, L::TopicId, L::DateKey, L::DocumentId, L::Idx];
            return self
                .topic_page::<claim::Entity, claim_topic::Entity>(
                    claim::Column::Id,
                    links,
                    TopicCut {
                        topic,
                        from: f.from,
                        to: f.to,
                        after: f.after,
                    },
                    on_rows,
                    order,
                    page,
                    ordered,
                )
                .await;
        }
        let after = f.after.map(|(date, document, idx)| {
            after_key(
                order,
                place.map(Expr::col),
                [date.into(), document.into(), idx.into()],
            )
        });
        let all = claim::Entity::find().filter(c.clone());
        let q = ordered(claim::Entity::find().filter(with_after(c, after)));
        let _turn = self.heavy_turn_if(f.text.is_some()).await;
        self.page_counted_by(q, page, Some(all), f.after.is_some())
            .await
    }

    /// Participants matching the filter, by name.
    pub async fn participants(
        &self,
        f: &ParticipantFilter,
        page: Page,
    ) -> Result<(Vec<participant::Model>, u64), StoreError> {
        let mut c = Condition::all();
        if let Some(n) = &f.name {
            let ids = self.participant_ids_by_name(n).await?;
            c = c.add(participant::Column::Id.is_in(ids));
        }
        if let Some(k) = &f.kind {
            c = c.add(participant::Column::Kind.eq(k.clone()));
        }
        if let Some(k) = &f.country {
            c = c.add(self.contains(participant::Column::Country, k));
        }
        let q = participant::Entity::find()
            .filter(c)
            .order_by_asc(participant::Column::Name)
            .order_by_asc(participant::Column::Id);
        self.page(q, page).await
    }

    /// Documents matching the filter, by publication date.
    pub async fn documents(
        &self,
        f: &DocumentFilter,
        order: DateOrder,
        page: Page,
    ) -> Result<(Vec<document::Model>, u64), StoreError> {
        let mut c = Condition::all();
        if let Some(k) = &f.kind {
            c = c.add(document::Column::Kind.eq(k.clone()));
        }
        if let Some(s) = &f.source {
            c = c.add(self.contains(document::Column::Source, s));
        }
        if let Some(v) = f.from {
            c = c.add(document::Column::PublishedKey.gte(v));
        }
        if let Some(v) = f.to {
            c = c.add(document::Column::PublishedKey.lte(v));
        }
        if let Some(t) = &f.text {
            c = c.add(
                Condition::any()
                    .add(self.text_contains(document::Column::Title, t))
                    .add(self.text_contains(document::Column::Text, t)),
            );
        }
        let after = f.after.map(|(date, id)| {
            after_key(
                order,
                [
                    Expr::col(document::Column::PublishedKey),
                    Expr::col(document::Column::Id),
                ],
                [date.into(), id.into()],
            )
        });
        let all = document::Entity::find().filter(c.clone());
        let q = document::Entity::find().filter(with_after(c, after));
        let q = match order {
            DateOrder::Asc => q.order_by_asc(document::Column::PublishedKey),
            DateOrder::Desc => q.order_by_desc(document::Column::PublishedKey),
        }
        .order_by_asc(document::Column::Id);
        let _turn = self.heavy_turn_if(f.text.is_some()).await;
        self.page_counted_by(q, page, Some(all), f.after.is_some())
            .await
    }

    /// All topics, by slug.
    pub async fn topics(&self) -> Result<Vec<topic::Model>, StoreError> {
        self.fetch(topic::Entity::find().order_by_asc(topic::Column::Slug))
            .await
    }

    /// Number of quotations and claims per topic id.
    pub async fn topic_counts(&self, ids: &[i32]) -> Result<HashMap<i32, (u64, u64)>, StoreError> {
        let mut out: HashMap<i32, (u64, u64)> = ids.iter().map(|i| (*i, (0, 0))).collect();
        let q: Vec<(i32, i64)> = quotation_topic::Entity::find()
            .select_only()
            .column(quotation_topic::Column::TopicId)
            .column_as(quotation_topic::Column::Id.count(), "n")
            .filter(quotation_topic::Column::TopicId.is_in(ids.to_vec()))
            .group_by(quotation_topic::Column::TopicId)
            .into_tuple()
            .all(&self.reads)
            .await?;
        for (t, n) in q {
            if let Some(e) = out.get_mut(&t) {
                e.0 = u64::try_from(n).unwrap_or(0);
            }
        }
        let c: Vec<(i32, i64)> = claim_topic::Entity::find()
            .select_only()
            .column(claim_topic::Column::TopicId)
            .column_as(claim_topic::Column::Id.count(), "n")
            .filter(claim_topic::Column::TopicId.is_in(ids.to_vec()))
            .group_by(claim_topic::Column::TopicId)
            .into_tuple()
            .all(&self.reads)
            .await?;
        for (t, n) in c {
            if let Some(e) = out.get_mut(&t) {
                e.1 = u64::try_from(n).unwrap_or(0);
            }
        }
        Ok(out)
    }

    // ---- batch loads for dataloaders -------------------------------------------------

    /// Documents by id.
    pub async fn documents_by_ids(&self, ids: &[i32]) -> Result<Vec<document::Model>, StoreError> {
        self.documents_without(ids, true).await
    }

    /// Documents by id without their text (left empty): what lists and titles need. The
    /// text is most of a row; [`Store::document_texts`] reads it when asked for.
    pub async fn document_heads_by_ids(
        &self,
        ids: &[i32],
    ) -> Result<Vec<document::Model>, StoreError> {
        self.documents_without(ids, false).await
    }

    /// The title of each document.
    pub async fn document_titles(&self, ids: &[i32]) -> Result<Vec<(i32, String)>, StoreError> {
        self.document_strings(ids, document::Column::Title).await
    }

    /// The cleaned text of each document.
    pub async fn document_texts(&self, ids: &[i32]) -> Result<Vec<(i32, String)>, StoreError> {
        self.document_strings(ids, document::Column::Text).await
    }

    /// One text column of each document, with its id.
    async fn document_strings(
        &self,
        ids: &[i32],
        column: document::Column,
    ) -> Result<Vec<(i32, String)>, StoreError> {
        use sea_orm::QuerySelect;
        Ok(document::Entity::find()
            .select_only()
            .column(document::Column::Id)
            .column(column)
            .filter(document::Column::Id.is_in(ids.to_vec()))
            .into_tuple()
            .all(&self.reads)
            .await?)
    }

    async fn documents_without(
        &self,
        ids: &[i32],
        text: bool,
    ) -> Result<Vec<document::Model>, StoreError> {
        use sea_orm::{Iterable, QuerySelect};
        // The original bytes and the stored extraction are for re-processing and never
        // served: leave them in the database (they are most of a row's size).
        let null_blob = match self.db.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => "CAST(NULL AS bytea)",
            _ => "NULL",
        };
        let mut q = document::Entity::find()
            .select_only()
            .columns(document::Column::iter().filter(|c| {
                !matches!(c, document::Column::Raw | document::Column::Extraction)
                    && (text || !matches!(c, document::Column::Text))
            }))
            .expr_as(sea_orm::sea_query::Expr::cust(null_blob), "raw")
            .expr_as(sea_orm::sea_query::Expr::val(""), "extraction");
        if !text {
            q = q.expr_as(sea_orm::sea_query::Expr::val(""), "text");
        }
        self.fetch(q.filter(document::Column::Id.is_in(ids.to_vec())))
            .await
    }

    /// Participants by id.
    pub async fn participants_by_ids(
        &self,
        ids: &[i32],
    ) -> Result<Vec<participant::Model>, StoreError> {
        self.fetch(participant::Entity::find().filter(participant::Column::Id.is_in(ids.to_vec())))
            .await
    }

    /// Meetings by id.
    pub async fn meetings_by_ids(&self, ids: &[i32]) -> Result<Vec<meeting::Model>, StoreError> {
        self.fetch(meeting::Entity::find().filter(meeting::Column::Id.is_in(ids.to_vec())))
            .await
    }

    /// Quotations by id.
    pub async fn quotations_by_ids(
        &self,
        ids: &[i32],
    ) -> Result<Vec<quotation::Model>, StoreError> {
        self.fetch(quotation::Entity::find().filter(quotation::Column::Id.is_in(ids.to_vec())))
            .await
    }

    /// Claims by id.
    pub async fn claims_by_ids(&self, ids: &[i32]) -> Result<Vec<claim::Model>, StoreError> {
        self.fetch(claim::Entity::find().filter(claim::Column::Id.is_in(ids.to_vec())))
            .await
    }

    /// (meeting id, participant id) pairs for these meetings.
    pub async fn meeting_participant_links(
        &self,
        meetings: &[i32],
    ) -> Result<Vec<(i32, i32)>, StoreError> {
        Ok(meeting_participant::Entity::find()
            .select_only()
            .column(meeting_participant::Column::MeetingId)
            .column(meeting_participant::Column::ParticipantId)
            .filter(meeting_participant::Column::MeetingId.is_in(meetings.to_vec()))
            .order_by_asc(meeting_participant::Column::Id)
            .into_tuple()
            .all(&self.reads)
            .await?)
    }

    /// The participants of these meetings, each with its meeting, in link order: one join
    /// instead of the links and then the participants (one round trip less per nested
    /// `Meeting.participants`).
    pub async fn participants_of_meetings(
        &self,
        meetings: &[i32],
    ) -> Result<Vec<(i32, participant::Model)>, StoreError> {
        let backend = self.db.get_database_backend();
        let mut out = Vec::new();
        for chunk in meetings.chunks(1000) {
            let ph = crate::pages::placeholders(backend, chunk.len());
            let sql = format!(
                "SELECT mp.meeting_id AS link_meeting, p.* FROM meeting_participants mp \
                 JOIN participants p ON p.id = mp.participant_id \
                 WHERE mp.meeting_id IN ({ph}) ORDER BY mp.id"
            );
            let values: Vec<sea_orm::Value> = chunk.iter().map(|i| (*i).into()).collect();
            let rows = self
                .db
                .query_all_raw(sea_orm::Statement::from_sql_and_values(
                    backend, &sql, values,
                ))
                .await?;
            let Some(first) = rows.first() else { continue };
            let link = Some(crate::rows::typed_position::<i32>(first, "link_meeting")?);
            let at = crate::rows::positions::<participant::Model>(first)?;
            for row in &rows {
                out.push((
                    crate::rows::cell::<i32>(row, link)?,
                    participant::Model::from_row(row, &at)?,
                ));
            }
        }
        Ok(out)
    }

    /// (meeting id, participant id) pairs for these participants.
    pub async fn participant_meeting_links(
        &self,
        participants: &[i32],
    ) -> Result<Vec<(i32, i32)>, StoreError> {
        Ok(meeting_participant::Entity::find()
            .select_only()
            .column(meeting_participant::Column::MeetingId)
            .column(meeting_participant::Column::ParticipantId)
            .filter(meeting_participant::Column::ParticipantId.is_in(participants.to_vec()))
            .into_tuple()
            .all(&self.reads)
            .await?)
    }

    /// Meeting–document links for these meetings.
    pub async fn meeting_document_links(
        &self,
        meetings: &[i32],
    ) -> Result<Vec<meeting_document::Model>, StoreError> {
        Ok(meeting_document::Entity::find()
            .filter(meeting_document::Column::MeetingId.is_in(meetings.to_vec()))
            .order_by_asc(meeting_document::Column::DocumentId)
            .all(&self.reads)
            .await?)
    }

    /// Meeting–document links for these documents.
    pub async fn document_meeting_links(
        &self,
        documents: &[i32],
    ) -> Result<Vec<meeting_document::Model>, StoreError> {
        Ok(meeting_document::Entity::find()
            .filter(meeting_document::Column::DocumentId.is_in(documents.to_vec()))
            .order_by_desc(meeting_document::Column::IsPrimary)
            .order_by_asc(meeting_document::Column::Id)
            .all(&self.reads)
            .await?)
    }

    /// (document id, participant id) pairs for these documents.
    pub async fn document_participant_links(
        &self,
        documents: &[i32],
    ) -> Result<Vec<(i32, i32)>, StoreError> {
        Ok(document_participant::Entity::find()
            .select_only()
            .column(document_participant::Column::DocumentId)
            .column(document_participant::Column::ParticipantId)
            .filter(document_participant::Column::DocumentId.is_in(documents.to_vec()))
            .order_by_asc(document_participant::Column::Id)
            .into_tuple()
            .all(&self.reads)
            .await?)
    }

    /// Turns of these documents, in order.
    pub async fn turns_of(&self, documents: &[i32]) -> Result<Vec<turn::Model>, StoreError> {
        self.fetch(
            turn::Entity::find()
                .filter(turn::Column::DocumentId.is_in(documents.to_vec()))
                .order_by_asc(turn::Column::DocumentId)
                .order_by_asc(turn::Column::Idx),
        )
        .await
    }

    /// Aliases of these participants.
    pub async fn aliases_of(
        &self,
        participants: &[i32],
    ) -> Result<Vec<participant_alias::Model>, StoreError> {
        self.fetch(
            participant_alias::Entity::find()
                .filter(participant_alias::Column::ParticipantId.is_in(participants.to_vec()))
                .order_by_asc(participant_alias::Column::Id),
        )
        .await
    }

    /// Roles of these participants.
    pub async fn roles_of(
        &self,
        participants: &[i32],
    ) -> Result<Vec<participant_role::Model>, StoreError> {
        self.fetch(
            participant_role::Entity::find()
                .filter(participant_role::Column::ParticipantId.is_in(participants.to_vec()))
                .order_by_asc(participant_role::Column::Id),
        )
        .await
    }

    /// (quotation id, topic) pairs.
    pub async fn topics_of_quotations(
        &self,
        ids: &[i32],
    ) -> Result<Vec<(i32, topic::Model)>, StoreError> {
        let links = quotation_topic::Entity::find()
            .filter(quotation_topic::Column::QuotationId.is_in(ids.to_vec()))
            .all(&self.reads)
            .await?;
        self.join_topics(
            links
                .into_iter()
                .map(|l| (l.quotation_id, l.topic_id))
                .collect(),
        )
        .await
    }

    /// (claim id, topic) pairs.
    pub async fn topics_of_claims(
        &self,
        ids: &[i32],
    ) -> Result<Vec<(i32, topic::Model)>, StoreError> {
        let links = claim_topic::Entity::find()
            .filter(claim_topic::Column::ClaimId.is_in(ids.to_vec()))
            .all(&self.reads)
            .await?;
        self.join_topics(
            links
                .into_iter()
                .map(|l| (l.claim_id, l.topic_id))
                .collect(),
        )
        .await
    }

    async fn join_topics(
        &self,
        links: Vec<(i32, i32)>,
    ) -> Result<Vec<(i32, topic::Model)>, StoreError> {
        let ids: Vec<i32> = links.iter().map(|l| l.1).collect();
        let topics: HashMap<i32, topic::Model> = topic::Entity::find()
            .filter(topic::Column::Id.is_in(ids))
            .all(&self.reads)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        let mut out: Vec<(i32, topic::Model)> = links
            .into_iter()
            .filter_map(|(owner, t)| topics.get(&t).cloned().map(|t| (owner, t)))
            .collect();
        out.sort_by(|a, b| (a.0, &a.1.slug).cmp(&(b.0, &b.1.slug)));
        Ok(out)
    }

    /// The participants `who` shares meetings with, with the shared meeting ids.
    pub async fn counterparts(
        &self,
        who: i32,
    ) -> Result<Vec<(participant::Model, Vec<i32>)>, StoreError> {
        Ok(self
            .counterparts_of(&[who])
            .await?
            .remove(&who)
            .unwrap_or_default())
    }

    /// For each of `ids`, the participants met and the shared meeting ids, most shared
    /// meetings first: three statements whatever the number of ids.
    pub async fn counterparts_of(
        &self,
        ids: &[i32],
    ) -> Result<HashMap<i32, Vec<(participant::Model, Vec<i32>)>>, StoreError> {
        let mine = self.participant_meeting_links(ids).await?;
        let meetings: Vec<i32> = mine.iter().map(|(m, _)| *m).collect();
        let all = self.meeting_participant_links(&meetings).await?;
        let others: Vec<i32> = all.iter().map(|(_, p)| *p).collect();
        let people: HashMap<i32, participant::Model> = self
            .participants_by_ids(&others)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let mut out = HashMap::new();
        for &who in ids {
            let my_meetings: Vec<i32> = mine
                .iter()
                .filter(|(_, p)| *p == who)
                .map(|(m, _)| *m)
                .collect();
            let mut shared: HashMap<i32, Vec<i32>> = HashMap::new();
            for (m, p) in &all {
                if *p != who && my_meetings.contains(m) {
                    shared.entry(*p).or_default().push(*m);
                }
            }
            let mut list: Vec<(participant::Model, Vec<i32>)> = shared
                .into_iter()
                .filter_map(|(p, ms)| people.get(&p).cloned().map(|p| (p, ms)))
                .collect();
            list.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.name.cmp(&b.0.name)));
            out.insert(who, list);
        }
        Ok(out)
    }

    /// Provenance links whose reported quotation is one of `ids`, best score first.
    pub async fn sources_of(
        &self,
        ids: &[i32],
    ) -> Result<Vec<quotation_source::Model>, StoreError> {
        self.fetch(
            quotation_source::Entity::find()
                .filter(quotation_source::Column::QuotationId.is_in(ids.to_vec()))
                .order_by_desc(quotation_source::Column::Score),
        )
        .await
    }

    /// Provenance links whose transcript passage is in one of `ids`, best score first.
    pub async fn reports_of(
        &self,
        ids: &[i32],
    ) -> Result<Vec<quotation_source::Model>, StoreError> {
        self.fetch(
            quotation_source::Entity::find()
                .filter(quotation_source::Column::SourceQuotationId.is_in(ids.to_vec()))
                .order_by_desc(quotation_source::Column::Score),
        )
        .await
    }

    /// Number of documents stored.
    pub async fn document_count(&self) -> Result<u64, StoreError> {
        Ok(document::Entity::find().count(&self.reads).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_keys() {
        assert_eq!(date_key("2019", false), Some(20_190_000));
        assert_eq!(date_key("2019-05", true), Some(20_190_599));
        assert_eq!(date_key("2019-05-10", false), Some(20_190_510));
        assert_eq!(date_key("2019-13", false), None);
        assert_eq!(date_key("May 2019", false), None);
    }

    /// An unfiltered list's first page has its limit in the SQL and no parameters; a
    /// filtered list's limit, and any offset, are parameters numbered after the filter's.
    #[test]
    fn pages_write_the_limit_only_into_unfiltered_statements() {
        let unfiltered = |backend| {
            meeting::Entity::find()
                .order_by_asc(meeting::Column::DateKey)
                .build(backend)
        };
        let filtered = |backend| {
            meeting::Entity::find()
                .filter(meeting::Column::Kind.eq("talks"))
                .order_by_asc(meeting::Column::DateKey)
                .build(backend)
        };
        let values = |s: &Statement| s.values.clone().map(|v| v.0).unwrap_or_default();
        for backend in [DatabaseBackend::Postgres, DatabaseBackend::Sqlite] {
            let first = paged(unfiltered(backend), 21, 0);
            assert!(first.sql.ends_with(" LIMIT 21"), "{}", first.sql);
            assert!(values(&first).is_empty());
            let later = paged(unfiltered(backend), 21, 40);
            assert_eq!(values(&later), vec![Value::BigUnsigned(Some(40))]);
            let f = paged(filtered(backend), 21, 40);
            assert_eq!(
                values(&f),
                vec![
                    Value::from("talks"),
                    Value::BigUnsigned(Some(21)),
                    Value::BigUnsigned(Some(40))
                ]
            );
            let (pl, po) = match backend {
                DatabaseBackend::Postgres => ("$2", "$3"),
                _ => ("?", "?"),
            };
            assert!(
                f.sql.ends_with(&format!(" LIMIT {pl} OFFSET {po}")),
                "{}",
                f.sql
            );
            assert!(later.sql.ends_with(&format!(
                " LIMIT 21 OFFSET {}",
                if backend == DatabaseBackend::Postgres {
                    "$1"
                } else {
                    "?"
                }
            )));
        }
    }
}
