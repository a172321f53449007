//! The cross-document graph: merging participants and meetings, deleting documents without
//! leaving orphans, and corrections made by people (kept in an audit log and re-applied
//! when documents are re-ingested or re-processed).
//!
//! Every function here runs inside the caller's transaction.

use std::collections::{BTreeSet, HashMap};

use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use serde::{Deserialize, Serialize};

use crate::entities::*;
use crate::{Store, StoreError};

/// Folds the spellings of one name so transliteration variants meet: lower case, accents
/// off, `-ei`/`-ey` → `ey`, `-iy`/`-ii`/`-yi` → `y`, a final `y` after a consonant → `i`
/// (`Sergei`/`Sergey`, `Dmitriy`/`Dmitry`, `Yuri`/`Yury`).
pub fn fold_name(name: &str) -> String {
    name.split_whitespace()
        .map(|tok| {
            let t: String = tok
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .map(|c| match c {
                    'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
                    'ç' | 'č' => 'c',
                    'è' | 'é' | 'ê' | 'ë' => 'e',
                    'ì' | 'í' | 'î' | 'ï' => 'i',
                    'ñ' => 'n',
                    'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
                    'ù' | 'ú' | 'û' | 'ü' => 'u',
                    'ý' | 'ÿ' => 'y',
                    'š' => 's',
                    'ž' => 'z',
                    c => c,
                })
                .collect();
            let mut t = t;
            for (from, to) in [("ei", "ey"), ("iy", "y"), ("ii", "y"), ("yi", "y")] {
                if t.len() > 3 && t.ends_with(from) {
                    t.truncate(t.len() - from.len());
                    t.push_str(to);
                }
            }
            let chars: Vec<char> = t.chars().collect();
            if chars.len() > 2
                && chars.last() == Some(&'y')
                && chars
                    .get(chars.len() - 2)
                    .is_some_and(|c| !"aeiouy".contains(*c))
            {
                t.pop();
                t.push('i');
            }
            t
        })
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The columns of a participant's link to a meeting besides the participant: the meeting
/// and the copies of its kind and date (migration 9).
const LINK_MEETING: [&str; 5] = [
    "meeting_id",
    "meeting_kind",
    "meeting_year",
    "meeting_month",
    "meeting_day",
];

/// Moves the rows of link `table` whose `owner` column is `from` to `into`, in two
/// statements whatever their number: copied with `into` (skipping those `into` already
/// has, by the unique `key` columns), then deleted. `rest` names the other columns kept.
async fn move_links(
    txn: &DatabaseTransaction,
    table: &str,
    owner: &str,
    rest: &[&str],
    key: &[&str],
    from: i32,
    into: i32,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::{Alias, Query};
    let mut select = Query::select();
    select.expr(Expr::val(into));
    for c in rest {
        select.column(Alias::new(*c));
    }
    select
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new(owner)).eq(from));
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new(table))
        .columns(
            std::iter::once(owner)
                .chain(rest.iter().copied())
                .map(Alias::new),
        )
        .select_from(select)
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .on_conflict(
            OnConflict::columns(key.iter().map(|c| Alias::new(*c)))
                .do_nothing()
                .to_owned(),
        );
    txn.execute(&insert).await?;
    let delete = Query::delete()
        .from_table(Alias::new(table))
        .and_where(Expr::col(Alias::new(owner)).eq(from))
        .to_owned();
    txn.execute(&delete).await?;
    Ok(())
}

/// Points every row whose `col` is `from` at `into` instead.
async fn repoint<E: EntityTrait>(
    txn: &DatabaseTransaction,
    col: E::Column,
    from: i32,
    into: i32,
) -> Result<(), DbErr> {
    E::update_many()
        .col_expr(col, Expr::value(into))
        .filter(col.eq(from))
        .exec(txn)
        .await?;
    Ok(())
}

/// Moves everything that points at participant `from` to `into`, then deletes `from`.
pub(crate) async fn merge_participants_tx(
    txn: &DatabaseTransaction,
    from: i32,
    into: i32,
) -> Result<(), DbErr> {
    if from == into {
        return Ok(());
    }
    move_links(
        txn,
        "participant_aliases",
        "participant_id",
        &["alias", "document_id"],
        &["participant_id", "alias", "document_id"],
        from,
        into,
    )
    .await?;
    move_links(
        txn,
        "document_participants",
        "participant_id",
        &["document_id"],
        &["document_id", "participant_id"],
        from,
        into,
    )
    .await?;
    move_links(
        txn,
        "meeting_participants",
        "participant_id",
        &LINK_MEETING,
        &["meeting_id", "participant_id"],
        from,
        into,
    )
    .await?;
    repoint::<participant_role::Entity>(txn, participant_role::Column::ParticipantId, from, into)
        .await?;
    repoint::<quotation::Entity>(txn, quotation::Column::SpeakerId, from, into).await?;
    repoint::<quotation::Entity>(txn, quotation::Column::ReportedById, from, into).await?;
    repoint::<claim::Entity>(txn, claim::Column::ClaimantId, from, into).await?;
    repoint::<turn::Entity>(txn, turn::Column::SpeakerId, from, into).await?;
    // Keep what the kept participant lacks.
    let old = participant::Entity::find_by_id(from).one(txn).await?;
    if let (Some(old), Some(keep)) = (old, participant::Entity::find_by_id(into).one(txn).await?) {
        let mut am: participant::ActiveModel = keep.clone().into();
        if keep.country.is_none() && old.country.is_some() {
            am.country = Set(old.country.clone());
        }
        if keep.title.is_none() && old.title.is_some() {
            am.title = Set(old.title.clone());
        }
        am.update(txn).await?;
        participant_alias::Entity::insert(participant_alias::ActiveModel {
            participant_id: Set(into),
            alias: Set(old.name.clone()),
            document_id: Set(0),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                participant_alias::Column::ParticipantId,
                participant_alias::Column::Alias,
                participant_alias::Column::DocumentId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    participant::Entity::delete_by_id(from).exec(txn).await?;
    Ok(())
}

/// Moves everything that points at meeting `a` to `b`, then deletes `a`; returns `b` as
/// it is now. The kept meeting is held when either was, and keeps the more precise date.
/// `a` and `b` must be the rows as stored (the caller has just read them, or tracks what
/// its merges made of them).
///
/// On Postgres this is one statement (data-modifying `WITH` clauses): a batch of ingest
/// merges hundreds of meetings, and each statement is a round trip that costs more than
/// its work. SQLite, which has no such clauses, runs the moves in one call and the
/// updates in two more.
async fn merge_meetings_tx(
    txn: &DatabaseTransaction,
    a: &meeting::Model,
    b: &meeting::Model,
) -> Result<meeting::Model, DbErr> {
    let (from, into) = (a.id, b.id);
    if from == into {
        return Ok(b.clone());
    }
    let mut kept = b.clone();
    if a.status == "HELD" {
        kept.status = "HELD".into();
    }
    let precision = |m: &meeting::Model| {
        usize::from(m.date_year.is_some())
            + usize::from(m.date_month.is_some())
            + usize::from(m.date_day.is_some())
    };
    if precision(a) > precision(b) {
        kept.date_year = a.date_year;
        kept.date_month = a.date_month;
        kept.date_day = a.date_day;
        kept.date_text.clone_from(&a.date_text);
        kept.date_key = a.date_key;
    }
    if b.place_name.is_none() && a.place_name.is_some() {
        kept.place_name.clone_from(&a.place_name);
        kept.place_country.clone_from(&a.place_country);
    }
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        // The sub-statements all read the state before the statement: the links copied
        // to `into` carry the kept meeting's kind and date themselves, and the update of
        // `into`'s links reaches the ones it had before.
        let sql = "WITH \
            mp_copy AS (INSERT INTO meeting_participants \
                (meeting_id, participant_id, meeting_kind, meeting_year, meeting_month, meeting_day) \
                SELECT $2, participant_id, $3, $4, $5, $6 FROM meeting_participants \
                WHERE meeting_id = $1 ON CONFLICT (meeting_id, participant_id) DO NOTHING), \
            mp_drop AS (DELETE FROM meeting_participants WHERE meeting_id = $1), \
            mp_date AS (UPDATE meeting_participants SET meeting_kind = $3, meeting_year = $4, \
                meeting_month = $5, meeting_day = $6 WHERE meeting_id = $2), \
            md_copy AS (INSERT INTO meeting_documents \
                (meeting_id, document_id, is_primary, span_start, span_end) \
                SELECT $2, document_id, is_primary, span_start, span_end FROM meeting_documents \
                WHERE meeting_id = $1 ON CONFLICT (meeting_id, document_id) DO NOTHING), \
            md_drop AS (DELETE FROM meeting_documents WHERE meeting_id = $1), \
            q AS (UPDATE quotations SET meeting_id = $2 WHERE meeting_id = $1), \
            c AS (UPDATE claims SET meeting_id = $2 WHERE meeting_id = $1), \
            m AS (UPDATE meetings SET status = $7, date_year = $4, date_month = $5, \
                date_day = $6, date_text = $8, date_key = $9, place_name = $10, \
                place_country = $11 WHERE id = $2) \
            DELETE FROM meetings WHERE id = $1";
        let values: Vec<sea_orm::Value> = vec![
            from.into(),
            into.into(),
            kept.kind.clone().into(),
            kept.date_year.into(),
            kept.date_month.into(),
            kept.date_day.into(),
            kept.status.clone().into(),
            kept.date_text.clone().into(),
            kept.date_key.into(),
            kept.place_name.clone().into(),
            kept.place_country.clone().into(),
        ];
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            sql,
            values,
        ))
        .await?;
        return Ok(kept);
    }
    // SQLite: the moves, whose only values are the two ids, in one call (several
    // statements run unprepared; an id is an integer, written as one), then the two
    // updates that carry text.
    txn.execute_unprepared(&format!(
        "INSERT INTO meeting_participants (meeting_id, participant_id) \
             SELECT {into}, participant_id FROM meeting_participants WHERE meeting_id = {from} \
             ON CONFLICT (meeting_id, participant_id) DO NOTHING; \
         DELETE FROM meeting_participants WHERE meeting_id = {from}; \
         INSERT INTO meeting_documents (meeting_id, document_id, is_primary, span_start, span_end) \
             SELECT {into}, document_id, is_primary, span_start, span_end FROM meeting_documents \
             WHERE meeting_id = {from} ON CONFLICT (meeting_id, document_id) DO NOTHING; \
         DELETE FROM meeting_documents WHERE meeting_id = {from}; \
         UPDATE quotations SET meeting_id = {into} WHERE meeting_id = {from}; \
         UPDATE claims SET meeting_id = {into} WHERE meeting_id = {from}; \
         DELETE FROM meetings WHERE id = {from};"
    ))
    .await?;
    let am = meeting::ActiveModel {
        status: Set(kept.status.clone()),
        date_year: Set(kept.date_year),
        date_month: Set(kept.date_month),
        date_day: Set(kept.date_day),
        date_text: Set(kept.date_text.clone()),
        date_key: Set(kept.date_key),
        place_name: Set(kept.place_name.clone()),
        place_country: Set(kept.place_country.clone()),
        ..b.clone().into()
    };
    am.update(txn).await?;
    // The links moved here, and those whose meeting just took a more precise date, carry
    // the kept meeting's kind and date.
    meeting_participant::Entity::update_many()
        .col_expr(
            meeting_participant::Column::MeetingKind,
            Expr::value(Some(kept.kind.clone())),
        )
        .col_expr(
            meeting_participant::Column::MeetingYear,
            Expr::value(kept.date_year),
        )
        .col_expr(
            meeting_participant::Column::MeetingMonth,
            Expr::value(kept.date_month),
        )
        .col_expr(
            meeting_participant::Column::MeetingDay,
            Expr::value(kept.date_day),
        )
        .filter(meeting_participant::Column::MeetingId.eq(into))
        .exec(txn)
        .await?;
    Ok(kept)
}

/// The persons taking part in each of `ids`, in one query per 500 meetings.
async fn people_by_meeting(
    txn: &DatabaseTransaction,
    ids: &[i32],
) -> Result<HashMap<i32, BTreeSet<i32>>, DbErr> {
    let backend = txn.get_database_backend();
    let mut out: HashMap<i32, BTreeSet<i32>> = ids.iter().map(|i| (*i, BTreeSet::new())).collect();
    for chunk in ids.chunks(500) {
        let ph = crate::pages::placeholders(backend, chunk.len());
        let sql = format!(
            "SELECT mp.meeting_id, mp.participant_id FROM meeting_participants mp \
             JOIN participants p ON p.id = mp.participant_id \
             WHERE mp.meeting_id IN ({ph}) AND p.kind = 'PERSON'"
        );
        let values: Vec<sea_orm::Value> = chunk.iter().map(|i| (*i).into()).collect();
        for row in txn
            .query_all_raw(sea_orm::Statement::from_sql_and_values(
                backend, &sql, values,
            ))
            .await?
        {
            let m: i32 = row.try_get_by_index(0)?;
            let p: i32 = row.try_get_by_index(1)?;
            out.entry(m).or_default().insert(p);
        }
    }
    Ok(out)
}

/// Removes every meeting and its links; quotations and claims keep their rows without a
/// meeting. For rebuilding meetings from the stored documents.
pub(crate) async fn clear_meetings_tx(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    quotation::Entity::update_many()
        .col_expr(
            quotation::Column::MeetingId,
            Expr::value(Option::<i32>::None),
        )
        .exec(txn)
        .await?;
    claim::Entity::update_many()
        .col_expr(claim::Column::MeetingId, Expr::value(Option::<i32>::None))
        .exec(txn)
        .await?;
    meeting_participant::Entity::delete_many().exec(txn).await?;
    meeting_document::Entity::delete_many().exec(txn).await?;
    meeting::Entity::delete_many().exec(txn).await?;
    Ok(())
}

/// Whether two meeting rows can be one meeting: same kind; dates equal at the precision
/// both give (never undated); same place when both give one; and the people of one all
/// among the other's, or no people on either side for kinds more specific than talks and
/// visits.
fn compatible(
    a: &meeting::Model,
    b: &meeting::Model,
    people: &HashMap<i32, BTreeSet<i32>>,
) -> bool {
    if a.id == b.id || a.kind != b.kind {
        return false;
    }
    let (Some(ya), Some(yb)) = (a.date_year, b.date_year) else {
        return false;
    };
    if ya != yb {
        return false;
    }
    if let (Some(ma), Some(mb)) = (a.date_month, b.date_month) {
        if ma != mb {
            return false;
        }
    }
    if let (Some(da), Some(db)) = (a.date_day, b.date_day) {
        if da != db {
            return false;
        }
    }
    if let (Some(pa), Some(pb)) = (&a.place_name, &b.place_name) {
        if pa != pb {
            return false;
        }
    }
    let empty = BTreeSet::new();
    let pa = people.get(&a.id).unwrap_or(&empty);
    let pb = people.get(&b.id).unwrap_or(&empty);
    if pa.is_empty() || pb.is_empty() {
        return !matches!(a.kind.as_str(), "TALKS" | "VISIT") && pa.is_empty() && pb.is_empty();
    }
    // The people of one must all be among the other's: a report naming fewer of the same
    // people is the same meeting. Sharing only some (two meetings of one day with one or
    // two people in common) is not enough, or merged meetings would snowball into ever
    // larger groups that match any meeting of that day.
    let common = pa.intersection(pb).count();
    common == pa.len().min(pb.len())
}

/// The dates a meeting can merge with, as index ranges of `(kind, date_year, date_month,
/// date_day)`: the same kind and year, and a month (day) that is the same or unknown. Each
/// alternative names the whole index prefix, so both backends read one range per
/// alternative (an OR of index look-ups) instead of every meeting of the year.
fn date_probes(me: &meeting::Model, year: i32) -> Condition {
    let base = || {
        Condition::all()
            .add(meeting::Column::Kind.eq(me.kind.clone()))
            .add(meeting::Column::DateYear.eq(year))
    };
    let day_matches = |c: Condition| match me.date_day {
        Some(d) => vec![
            c.clone().add(meeting::Column::DateDay.eq(d)),
            c.add(meeting::Column::DateDay.is_null()),
        ],
        None => vec![c],
    };
    let mut alternatives = Vec::new();
    match me.date_month {
        Some(m) => {
            alternatives.extend(day_matches(base().add(meeting::Column::DateMonth.eq(m))));
            alternatives.push(base().add(meeting::Column::DateMonth.is_null()));
        }
        // Without a month every month of the year is compatible.
        None => alternatives.extend(day_matches(base())),
    }
    alternatives
        .into_iter()
        .fold(Condition::any(), |any, c| any.add(c))
}

/// The links of `people` to meetings of `me`'s kind and year on a date compatible with
/// its own (the same conditions as [`date_probes`], on the links' copies of the meeting's
/// kind and date). Each alternative names the whole `(participant, kind, year, month,
/// day)` index prefix, so both backends read one short range per person and alternative:
/// a person's meetings of one kind and year grow with the corpus (90 links for the most
/// frequent speaker of a 10,000-document corpus), the meetings on one date do not.
fn linked_on_dates(me: &meeting::Model, year: i32, people: &BTreeSet<i32>) -> Condition {
    use meeting_participant::Column as L;
    let base = || {
        Condition::all()
            .add(L::ParticipantId.is_in(people.iter().copied()))
            .add(L::MeetingKind.eq(me.kind.clone()))
            .add(L::MeetingYear.eq(year))
    };
    let day_matches = |c: Condition| match me.date_day {
        Some(d) => vec![
            c.clone().add(L::MeetingDay.eq(d)),
            c.add(L::MeetingDay.is_null()),
        ],
        None => vec![c],
    };
    let mut alternatives = Vec::new();
    match me.date_month {
        Some(m) => {
            alternatives.extend(day_matches(base().add(L::MeetingMonth.eq(m))));
            alternatives.push(base().add(L::MeetingMonth.is_null()));
        }
        // Without a month every month of the year is compatible.
        None => alternatives.extend(day_matches(base())),
    }
    alternatives
        .into_iter()
        .fold(Condition::any(), |any, c| any.add(c))
}

/// `SELECT 1` from the links of the outer `meetings` row to a person.
fn person_link() -> sea_orm::sea_query::SelectStatement {
    let mut q = sea_orm::sea_query::Query::select();
    q.expr(Expr::val(1))
        .from(meeting_participant::Entity)
        .and_where(
            Expr::col((
                meeting_participant::Entity,
                meeting_participant::Column::MeetingId,
            ))
            .equals((meeting::Entity, meeting::Column::Id)),
        )
        .inner_join(
            participant::Entity,
            Expr::col((participant::Entity, participant::Column::Id)).equals((
                meeting_participant::Entity,
                meeting_participant::Column::ParticipantId,
            )),
        )
        .and_where(Expr::col((participant::Entity, participant::Column::Kind)).eq("PERSON"));
    q.to_owned()
}

/// Merges each of `ids` (the meetings a batch of documents touched) with every compatible
/// meeting already stored; returns the ids kept. The most precisely dated meeting is kept,
/// so the result does not depend on the order in which documents arrive. Candidates of a
/// meeting with people are read from its people's links of the same kind and year (see
/// [`linked_on_dates`]); those of a meeting without people through the (kind, year,
/// month, day) index, one range per compatible date (see [`date_probes`]); the place
/// condition is in SQL too, so the work does not grow with the graph. The meetings and
/// their people are read once for the whole batch; what a merge makes of them is known
/// without reading them again (the meetings merged away are gone, the kept one has the
/// merged row and everyone's people).
pub(crate) async fn settle_meetings(
    txn: &DatabaseTransaction,
    ids: &[i32],
) -> Result<Vec<i32>, DbErr> {
    let mut rows: HashMap<i32, meeting::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for m in meeting::Entity::find()
            .filter(meeting::Column::Id.is_in(chunk.to_vec()))
            .all(txn)
            .await?
        {
            rows.insert(m.id, m);
        }
    }
    let mut people = people_by_meeting(txn, ids).await?;
    let mut kept = Vec::with_capacity(ids.len());
    for &id in ids {
        let Some(me) = rows.get(&id) else {
            continue;
        };
        let my_people = people.get(&id).cloned().unwrap_or_default();
        match settle_meeting(txn, me, &my_people).await? {
            Settled::Alone => kept.push(id),
            Settled::Merged {
                kept: row,
                people: all,
                gone,
            } => {
                for g in gone {
                    rows.remove(&g);
                    people.remove(&g);
                }
                kept.push(row.id);
                people.insert(row.id, all);
                rows.insert(row.id, *row);
            }
        }
    }
    Ok(kept)
}

/// What settling one meeting did.
enum Settled {
    /// No stored meeting was compatible.
    Alone,
    /// A group was merged into one meeting.
    Merged {
        /// The kept meeting as it is now.
        kept: Box<meeting::Model>,
        /// Its persons: every member's.
        people: BTreeSet<i32>,
        /// The meetings merged into it, now deleted.
        gone: Vec<i32>,
    },
}

/// Merges `me` (with its persons `my_people`) with every compatible meeting stored.
async fn settle_meeting(
    txn: &DatabaseTransaction,
    me: &meeting::Model,
    my_people: &BTreeSet<i32>,
) -> Result<Settled, DbErr> {
    let id = me.id;
    let Some(year) = me.date_year else {
        return Ok(Settled::Alone);
    };
    // Two meetings with people must share one of them; a meeting without people only
    // merges with others without people, and never for talks and visits.
    if my_people.is_empty() && matches!(me.kind.as_str(), "TALKS" | "VISIT") {
        return Ok(Settled::Alone);
    }
    let candidates = if my_people.is_empty() {
        // No person on the candidate either: the meetings of a compatible date, read
        // through the (kind, year, month, day) index.
        Condition::all()
            .add(date_probes(me, year))
            .add(Condition::all().add(Expr::exists(person_link())).not())
    } else {
        // A candidate shares one of my people: read from my people's links of the same
        // kind and year (the links' index carries the meeting's kind and date), a few
        // rows per person however many meetings that month has.
        Condition::all().add(
            meeting::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(meeting_participant::Column::MeetingId)
                    .from(meeting_participant::Entity)
                    .cond_where(linked_on_dates(me, year, my_people))
                    .to_owned(),
            ),
        )
    };
    let candidates = meeting::Entity::find()
        .filter(candidates)
        .filter(meeting::Column::Id.ne(me.id))
        .filter(match me.place_name.clone() {
            Some(p) => Condition::any()
                .add(meeting::Column::PlaceName.is_null())
                .add(meeting::Column::PlaceName.eq(p)),
            None => Condition::all(),
        })
        .order_by_asc(meeting::Column::Id)
        .all(txn)
        .await?;
    if candidates.is_empty() {
        return Ok(Settled::Alone);
    }
    let ids: Vec<i32> = candidates.iter().map(|c| c.id).collect();
    let mut people = people_by_meeting(txn, &ids).await?;
    people.insert(me.id, my_people.clone());
    // Every member must be compatible with every other, not just with this meeting: a
    // report naming fewer people, or a vaguer date, must not join two distinct meetings
    // into one. Among alternatives the oldest stored meeting wins.
    let mut group = vec![me.clone()];
    for c in candidates {
        if group.iter().all(|g| compatible(g, &c, &people)) {
            group.push(c);
        }
    }
    if group.len() == 1 {
        return Ok(Settled::Alone);
    }
    let precision = |m: &meeting::Model| {
        usize::from(m.date_month.is_some()) + usize::from(m.date_day.is_some())
    };
    // Keep the most precise; among equals, the oldest row.
    let keep = group
        .iter()
        .max_by_key(|m| (precision(m), std::cmp::Reverse(m.id)))
        .map_or(id, |m| m.id);
    let Some(mut row) = group.iter().find(|m| m.id == keep).cloned() else {
        return Ok(Settled::Alone);
    };
    let mut all = BTreeSet::new();
    let mut gone = Vec::new();
    for m in &group {
        all.extend(people.get(&m.id).into_iter().flatten().copied());
        if m.id != keep {
            // Each merge changes the kept row; the next starts from what it made.
            row = merge_meetings_tx(txn, m, &row).await?;
            gone.push(m.id);
        }
    }
    Ok(Settled::Merged {
        kept: Box::new(row),
        people: all,
        gone,
    })
}

/// Links one-word persons (`Obama`) to the one full-name person with that surname, for the
/// surnames of each document's people (`docs`, in the order the documents were written):
/// when exactly one full name carries a surname, a stored one-word person with it is
/// merged into that full name. Two people who share a surname are never merged. A person
/// first stored by a document of this batch (`created_by`: its index in `docs`) is seen by
/// that document and those after it, as if they had been written one at a time. One
/// indexed query for all the surnames.
///
/// This only reads, and returns the merges (`(one-word person, full name)`, in order) for
/// [`merge_people`] to make, so that a batch can be told to split before its documents
/// are written: it depends on the batch's persons alone, which are stored first.
pub(crate) async fn plan_people(
    txn: &DatabaseTransaction,
    docs: &[&[i32]],
    created_by: &HashMap<i32, usize>,
) -> Result<Vec<(i32, i32)>, crate::ingest::BatchError> {
    let mut ids: Vec<i32> = docs.iter().flat_map(|d| d.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut surname_of: HashMap<i32, String> = HashMap::new();
    for chunk in ids.chunks(500) {
        for p in participant::Entity::find()
            .filter(participant::Column::Id.is_in(chunk.to_vec()))
            .filter(participant::Column::Kind.eq("PERSON"))
            .all(txn)
            .await?
        {
            if let Some(s) = p.surname {
                surname_of.insert(p.id, s);
            }
        }
    }
    let mut surnames: Vec<String> = surname_of.values().cloned().collect();
    surnames.sort();
    surnames.dedup();
    let mut by_surname: HashMap<String, Vec<participant::Model>> = HashMap::new();
    for chunk in surnames.chunks(500) {
        for p in participant::Entity::find()
            .filter(participant::Column::Surname.is_in(chunk.to_vec()))
            .filter(participant::Column::Kind.eq("PERSON"))
            .order_by_asc(participant::Column::Id)
            .all(txn)
            .await?
        {
            if let Some(s) = p.surname.clone() {
                by_surname.entry(s).or_default().push(p);
            }
        }
    }
    let mut merged = std::collections::HashSet::new();
    let mut plan = Vec::new();
    // The one full name a document's one-word `s` stands for, as that document sees the
    // graph: the persons stored before it, and those of the batch up to it.
    let full_for = |s: &str, i: usize, merged: &std::collections::HashSet<i32>| {
        let single_key = format!("person:{s}");
        let seen: Vec<&participant::Model> = by_surname
            .get(s)
            .map(|people| {
                people
                    .iter()
                    .filter(|p| !merged.contains(&p.id))
                    .filter(|p| created_by.get(&p.id).is_none_or(|d| *d <= i))
                    .collect()
            })
            .unwrap_or_default();
        let fulls: Vec<&&participant::Model> =
            seen.iter().filter(|p| p.key != single_key).collect();
        let single = seen.iter().find(|p| p.key == single_key).map(|p| p.id);
        match fulls.as_slice() {
            [full] => (single, Some(full.id)),
            _ => (single, None),
        }
    };
    for (i, doc) in docs.iter().enumerate() {
        let mut mine: Vec<&String> = doc.iter().filter_map(|p| surname_of.get(p)).collect();
        mine.sort();
        mine.dedup();
        for s in mine {
            let (Some(single), Some(full)) = full_for(s, i, &merged) else {
                continue;
            };
            // A later document of the batch that names the one-word person, and would
            // not take it for the same full name, would have had a one-word person of its
            // own had it been written after this one: it starts a new batch.
            for (j, later) in docs.iter().enumerate().skip(i + 1) {
                if later.contains(&single) {
                    let mut after = merged.clone();
                    after.insert(single);
                    if full_for(s, j, &after).1 != Some(full) {
                        return Err(crate::ingest::BatchError::SplitAt(j));
                    }
                }
            }
            plan.push((single, full));
            merged.insert(single);
        }
    }
    Ok(plan)
}

/// Makes the merges [`plan_people`] decided, in its order.
pub(crate) async fn merge_people(
    txn: &DatabaseTransaction,
    plan: &[(i32, i32)],
) -> Result<(), DbErr> {
    for &(single, full) in plan {
        merge_participants_tx(txn, single, full).await?;
    }
    Ok(())
}

/// Rebuilds the titles of meetings from their kind, people, place and date.
pub(crate) async fn refresh_meeting_titles(
    txn: &DatabaseTransaction,
    ids: &[i32],
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    let meetings = meeting::Entity::find()
        .filter(meeting::Column::Id.is_in(ids.to_vec()))
        .all(txn)
        .await?;
    let people = people_by_meeting(txn, ids).await?;
    let all: Vec<i32> = people.values().flatten().copied().collect();
    let mut names: HashMap<i32, String> = HashMap::new();
    for chunk in all.chunks(500) {
        for p in participant::Entity::find()
            .filter(participant::Column::Id.is_in(chunk.to_vec()))
            .all(txn)
            .await?
        {
            names.insert(
                p.id,
                p.name.split_whitespace().last().unwrap_or("").to_string(),
            );
        }
    }
    let mut changed: Vec<(i32, String)> = Vec::new();
    for m in meetings {
        let mut surnames: Vec<&str> = people
            .get(&m.id)
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| names.get(p))
                    .map(String::as_str)
                    .collect()
            })
            .unwrap_or_default();
        surnames.sort_unstable();
        let t = meeting_title(&m, &surnames);
        if t != m.title {
            changed.push((m.id, t));
        }
    }
    // One statement per 200 meetings: `title = CASE id WHEN … END`.
    for chunk in changed.chunks(200) {
        let Some(((first, t), rest)) = chunk.split_first() else {
            continue;
        };
        let case = rest.iter().fold(
            Expr::case(Expr::col(meeting::Column::Id).eq(*first), t.clone()),
            |case, (id, t)| case.case(Expr::col(meeting::Column::Id).eq(*id), t.clone()),
        );
        meeting::Entity::update_many()
            .col_expr(
                meeting::Column::Title,
                case.finally(Expr::col(meeting::Column::Title)).into(),
            )
            .filter(meeting::Column::Id.is_in(chunk.iter().map(|(id, _)| *id)))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// A meeting's title: kind, people's surnames, place and date.
fn meeting_title(m: &meeting::Model, surnames: &[&str]) -> String {
    let kind = match m.kind.as_str() {
        "TALKS" => "Talks",
        "TWO_PLUS_TWO" => "2+2 meeting",
        "CONSULTATIONS" => "Consultations",
        "SUMMIT" => "Summit",
        "VISIT" => "Visit",
        "WORKING_GROUP" => "Working group meeting",
        "COUNCIL" => "Council meeting",
        "NEWS_CONFERENCE" => "News conference",
        "DEMARCHE" => "Démarche",
        _ => "Meeting",
    };
    let mut t = kind.to_string();
    if !surnames.is_empty() {
        t.push_str(": ");
        t.push_str(&surnames.join("–"));
    }
    if let Some(p) = &m.place_name {
        t.push_str(", ");
        t.push_str(p);
    }
    if let Some(d) = &m.date_text {
        t.push_str(", ");
        t.push_str(d);
    }
    t
}

/// The integer column `col` of the rows whose `by` is `value`, without reading the rest of
/// each row.
async fn column_where<E: EntityTrait>(
    txn: &DatabaseTransaction,
    col: E::Column,
    by: E::Column,
    value: i32,
) -> Result<Vec<i32>, DbErr> {
    use sea_orm::QuerySelect;
    E::find()
        .select_only()
        .column(col)
        .filter(by.eq(value))
        .into_tuple()
        .all(txn)
        .await
}

/// Deletes a document and everything extracted from it, then whatever it leaves orphaned
/// (meetings no document reports, participants no document names).
pub(crate) async fn delete_document_tx(txn: &DatabaseTransaction, doc: i32) -> Result<(), DbErr> {
    // This document's meetings and people: the only ones it can leave without a report.
    use meeting_document::Column as Md;
    let doc_meetings =
        column_where::<meeting_document::Entity>(txn, Md::MeetingId, Md::DocumentId, doc).await?;
    use document_participant::Column as Dp;
    let doc_people =
        column_where::<document_participant::Entity>(txn, Dp::ParticipantId, Dp::DocumentId, doc)
            .await?;
    use quotation::Column as Q;
    let qids = column_where::<quotation::Entity>(txn, Q::Id, Q::DocumentId, doc).await?;
    use claim::Column as C;
    let cids = column_where::<claim::Entity>(txn, C::Id, C::DocumentId, doc).await?;
    quotation_topic::Entity::delete_many()
        .filter(quotation_topic::Column::QuotationId.is_in(qids))
        .exec(txn)
        .await?;
    claim_topic::Entity::delete_many()
        .filter(claim_topic::Column::ClaimId.is_in(cids))
        .exec(txn)
        .await?;
    claim::Entity::delete_many()
        .filter(claim::Column::DocumentId.eq(doc))
        .exec(txn)
        .await?;
    quotation::Entity::delete_many()
        .filter(quotation::Column::DocumentId.eq(doc))
        .exec(txn)
        .await?;
    turn::Entity::delete_many()
        .filter(turn::Column::DocumentId.eq(doc))
        .exec(txn)
        .await?;
    meeting_document::Entity::delete_many()
        .filter(meeting_document::Column::DocumentId.eq(doc))
        .exec(txn)
        .await?;
    document_participant::Entity::delete_many()
        .filter(document_participant::Column::DocumentId.eq(doc))
        .exec(txn)
        .await?;
    participant_alias::Entity::delete_many()
        .filter(participant_alias::Column::DocumentId.eq(doc))
        .exec(txn)
        .await?;
    participant_role::Entity::delete_many()
        .filter(participant_role::Column::DocumentId.eq(doc))
        .exec(txn)
        .await?;
    document::Entity::delete_by_id(doc).exec(txn).await?;
    // Orphans: of this document's meetings and people, those no other document reports
    // (only these, so deleting costs the same however large the graph).
    let reported: BTreeSet<i32> = meeting_document::Entity::find()
        .filter(meeting_document::Column::MeetingId.is_in(doc_meetings.clone()))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| m.meeting_id)
        .collect();
    let orphan_meetings: Vec<i32> = doc_meetings
        .into_iter()
        .filter(|id| !reported.contains(id))
        .collect();
    meeting_participant::Entity::delete_many()
        .filter(meeting_participant::Column::MeetingId.is_in(orphan_meetings.clone()))
        .exec(txn)
        .await?;
    meeting::Entity::delete_many()
        .filter(meeting::Column::Id.is_in(orphan_meetings))
        .exec(txn)
        .await?;
    let named: BTreeSet<i32> = document_participant::Entity::find()
        .filter(document_participant::Column::ParticipantId.is_in(doc_people.clone()))
        .all(txn)
        .await?
        .into_iter()
        .map(|d| d.participant_id)
        .collect();
    let orphan_people: Vec<i32> = doc_people
        .into_iter()
        .filter(|id| !named.contains(id))
        .collect();
    participant_alias::Entity::delete_many()
        .filter(participant_alias::Column::ParticipantId.is_in(orphan_people.clone()))
        .exec(txn)
        .await?;
    participant_role::Entity::delete_many()
        .filter(participant_role::Column::ParticipantId.is_in(orphan_people.clone()))
        .exec(txn)
        .await?;
    meeting_participant::Entity::delete_many()
        .filter(meeting_participant::Column::ParticipantId.is_in(orphan_people.clone()))
        .exec(txn)
        .await?;
    participant::Entity::delete_many()
        .filter(participant::Column::Id.is_in(orphan_people))
        .exec(txn)
        .await?;
    Ok(())
}

/// A correction made by a person, as kept in the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Correction {
    /// Two participants are one: `from` (by key) is merged into `into` (by key).
    MergeParticipants {
        /// Key of the participant merged away.
        from_key: String,
        /// Key of the participant kept.
        into_key: String,
    },
    /// A quotation's speaker, identified by its document's hash and its span.
    SetQuotationSpeaker {
        /// SHA-256 of the document's bytes.
        document_hash: String,
        /// Span start (chars).
        span_start: i32,
        /// Span end (chars).
        span_end: i32,
        /// Key of the speaker.
        speaker_key: String,
    },
    /// A document was deleted (kept for the record; re-ingesting the file adds it again).
    DeleteDocument {
        /// SHA-256 of the document's bytes.
        document_hash: String,
        /// Its title, for people reading the log.
        title: String,
    },
}

impl Correction {
    fn kind(&self) -> &'static str {
        match self {
            Self::MergeParticipants { .. } => "merge_participants",
            Self::SetQuotationSpeaker { .. } => "set_quotation_speaker",
            Self::DeleteDocument { .. } => "delete_document",
        }
    }
}

fn now_iso() -> String {
    crate::ingest::now_iso()
}

pub(crate) async fn record(
    txn: &DatabaseTransaction,
    c: &Correction,
    actor: &str,
) -> Result<(), DbErr> {
    correction::ActiveModel {
        kind: Set(c.kind().to_string()),
        payload: Set(serde_json::to_string(c).unwrap_or_default()),
        actor: Set(actor.to_string()),
        created_at: Set(now_iso()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(())
}

/// Re-applies every correction of the audit log, oldest first. Idempotent.
pub(crate) async fn apply_corrections(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    let rows = correction::Entity::find()
        .order_by_asc(correction::Column::Id)
        .all(txn)
        .await?;
    for row in rows {
        let Ok(c) = serde_json::from_str::<Correction>(&row.payload) else {
            continue;
        };
        match c {
            Correction::MergeParticipants { from_key, into_key } => {
                let from = participant::Entity::find()
                    .filter(participant::Column::Key.eq(from_key))
                    .one(txn)
                    .await?;
                let into = participant::Entity::find()
                    .filter(participant::Column::Key.eq(into_key))
                    .one(txn)
                    .await?;
                if let (Some(f), Some(i)) = (from, into) {
                    merge_participants_tx(txn, f.id, i.id).await?;
                }
            }
            Correction::SetQuotationSpeaker {
                document_hash,
                span_start,
                span_end,
                speaker_key,
            } => {
                let doc = document::Entity::find()
                    .filter(document::Column::ContentHash.eq(document_hash))
                    .one(txn)
                    .await?;
                let speaker = participant::Entity::find()
                    .filter(participant::Column::Key.eq(speaker_key))
                    .one(txn)
                    .await?;
                if let (Some(d), Some(s)) = (doc, speaker) {
                    quotation::Entity::update_many()
                        .col_expr(quotation::Column::SpeakerId, Expr::value(s.id))
                        .filter(quotation::Column::DocumentId.eq(d.id))
                        .filter(quotation::Column::SpanStart.eq(span_start))
                        .filter(quotation::Column::SpanEnd.eq(span_end))
                        .exec(txn)
                        .await?;
                    document_participant::Entity::insert(document_participant::ActiveModel {
                        document_id: Set(d.id),
                        participant_id: Set(s.id),
                        ..Default::default()
                    })
                    .on_conflict(
                        OnConflict::columns([
                            document_participant::Column::DocumentId,
                            document_participant::Column::ParticipantId,
                        ])
                        .do_nothing()
                        .to_owned(),
                    )
                    .exec_without_returning(txn)
                    .await?;
                }
            }
            Correction::DeleteDocument { .. } => {}
        }
    }
    Ok(())
}

/// An entry of the audit log.
#[derive(Debug, Clone)]
pub struct LoggedCorrection {
    /// Row id.
    pub id: i32,
    /// Who made it (`admin` for the API token).
    pub actor: String,
    /// When (UTC).
    pub created_at: String,
    /// What.
    pub correction: Correction,
}

impl Store {
    /// Deletes a document and what only it supported; logs the deletion.
    pub async fn delete_document(&self, id: i32, actor: &str) -> Result<(), StoreError> {
        let txn = self.db.begin().await?;
        crate::ingest::lock_for_ingest(&txn).await?;
        let Some(doc) = document::Entity::find_by_id(id).one(&txn).await? else {
            return Err(StoreError::NotFound(format!("document {id}")));
        };
        delete_document_tx(&txn, id).await?;
        record(
            &txn,
            &Correction::DeleteDocument {
                document_hash: doc.content_hash,
                title: doc.title,
            },
            actor,
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Merges participant `from` into `into`, and remembers it so the merge survives
    /// re-ingesting and re-processing.
    pub async fn merge_participants(
        &self,
        from: i32,
        into: i32,
        actor: &str,
    ) -> Result<participant::Model, StoreError> {
        let txn = self.db.begin().await?;
        crate::ingest::lock_for_ingest(&txn).await?;
        let f = participant::Entity::find_by_id(from)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("participant {from}")))?;
        let i = participant::Entity::find_by_id(into)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("participant {into}")))?;
        merge_participants_tx(&txn, f.id, i.id).await?;
        record(
            &txn,
            &Correction::MergeParticipants {
                from_key: f.key,
                into_key: i.key.clone(),
            },
            actor,
        )
        .await?;
        txn.commit().await?;
        participant::Entity::find_by_id(into)
            .one(&self.reads)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("participant {into}")))
    }

    /// Sets a quotation's speaker, and remembers it so the fix survives re-processing.
    pub async fn set_quotation_speaker(
        &self,
        quotation: i32,
        speaker: i32,
        actor: &str,
    ) -> Result<quotation::Model, StoreError> {
        let txn = self.db.begin().await?;
        crate::ingest::lock_for_ingest(&txn).await?;
        let q = quotation::Entity::find_by_id(quotation)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("quotation {quotation}")))?;
        let s = participant::Entity::find_by_id(speaker)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("participant {speaker}")))?;
        let d = document::Entity::find_by_id(q.document_id)
            .one(&txn)
            .await?
            .ok_or_else(|| StoreError::NotFound("document".into()))?;
        let c = Correction::SetQuotationSpeaker {
            document_hash: d.content_hash,
            span_start: q.span_start,
            span_end: q.span_end,
            speaker_key: s.key,
        };
        record(&txn, &c, actor).await?;
        apply_corrections(&txn).await?;
        txn.commit().await?;
        quotation::Entity::find_by_id(quotation)
            .one(&self.reads)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("quotation {quotation}")))
    }

    /// The audit log of corrections, oldest first.
    pub async fn corrections(&self) -> Result<Vec<LoggedCorrection>, StoreError> {
        Ok(correction::Entity::find()
            .order_by_asc(correction::Column::Id)
            .all(&self.reads)
            .await?
            .into_iter()
            .filter_map(|r| {
                Some(LoggedCorrection {
                    id: r.id,
                    actor: r.actor,
                    created_at: r.created_at,
                    correction: serde_json::from_str(&r.payload).ok()?,
                })
            })
            .collect())
    }
}

/// Counts of rows per table, for tests and health reports.
pub async fn table_counts<C: ConnectionTrait>(db: &C) -> Result<HashMap<&'static str, u64>, DbErr> {
    use sea_orm::PaginatorTrait;
    let mut out = HashMap::new();
    out.insert("documents", document::Entity::find().count(db).await?);
    out.insert("participants", participant::Entity::find().count(db).await?);
    out.insert("meetings", meeting::Entity::find().count(db).await?);
    out.insert("quotations", quotation::Entity::find().count(db).await?);
    out.insert("claims", claim::Entity::find().count(db).await?);
    out.insert(
        "participant_aliases",
        participant_alias::Entity::find().count(db).await?,
    );
    out.insert(
        "meeting_participants",
        meeting_participant::Entity::find().count(db).await?,
    );
    out.insert(
        "meeting_documents",
        meeting_document::Entity::find().count(db).await?,
    );
    out.insert(
        "document_participants",
        document_participant::Entity::find().count(db).await?,
    );
    out.insert("turns", turn::Entity::find().count(db).await?);
    out.insert(
        "quotation_sources",
        quotation_source::Entity::find().count(db).await?,
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterations_fold_together() {
        assert_eq!(fold_name("Sergei Petrov"), fold_name("Sergey Petrov"));
        assert_eq!(fold_name("Dmitriy Peskov"), fold_name("Dmitry Peskov"));
        assert_eq!(fold_name("Yuri Ushakov"), fold_name("Yury Ushakov"));
        assert_eq!(fold_name("José Martí"), "jose marti");
        assert_ne!(fold_name("Anna Berg"), fold_name("Anne Berg"));
    }
}
