//! DataLoaders, created per request, so a nested query runs one batched SQL statement per
//! kind of list rather than one per row.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use diplograph_store::entities::*;
use diplograph_store::{Joined, Store};
use rustc_hash::FxHashMap;

/// Error type shared by loaders (must be `Clone`).
pub type LoadError = Arc<diplograph_store::StoreError>;

macro_rules! by_id {
    ($name:ident, $model:ty, $method:ident) => {
        /// Loads rows by id.
        pub struct $name(pub Store);

        impl Loader<i32> for $name {
            type Value = $model;
            type Error = LoadError;

            async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
                Ok(self
                    .0
                    .$method(keys)
                    .await
                    .map_err(Arc::new)?
                    .into_iter()
                    .map(|r| (r.id, r))
                    .collect())
            }
        }
    };
}

by_id!(DocumentById, document::Model, document_heads_by_ids);
by_id!(ParticipantById, participant::Model, participants_by_ids);
by_id!(MeetingById, meeting::Model, meetings_by_ids);
by_id!(QuotationById, quotation::Model, quotations_by_ids);

fn group<T, K: std::hash::Hash + Eq + Clone>(
    keys: &[K],
    items: impl IntoIterator<Item = (K, T)>,
) -> HashMap<K, Vec<T>> {
    let mut out: HashMap<K, Vec<T>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
    for (k, v) in items {
        out.entry(k).or_default().push(v);
    }
    out
}

/// A meeting's participants.
pub struct MeetingParticipants(pub Store);

impl Loader<i32> for MeetingParticipants {
    type Value = Vec<participant::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = self
            .0
            .participants_of_meetings(keys)
            .await
            .map_err(Arc::new)?;
        Ok(group(keys, rows))
    }
}

/// A participant's meetings.
pub struct ParticipantMeetings(pub Store);

impl Loader<i32> for ParticipantMeetings {
    type Value = Vec<meeting::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let links = self
            .0
            .participant_meeting_links(keys)
            .await
            .map_err(Arc::new)?;
        let ids: Vec<i32> = links.iter().map(|l| l.0).collect();
        let meetings: HashMap<i32, meeting::Model> = self
            .0
            .meetings_by_ids(&ids)
            .await
            .map_err(Arc::new)?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        let mut out = group(
            keys,
            links
                .into_iter()
                .filter_map(|(m, p)| meetings.get(&m).cloned().map(|m| (p, m))),
        );
        for v in out.values_mut() {
            v.sort_by_key(|m| (m.date_key, m.id));
        }
        Ok(out)
    }
}

/// A meeting's documents (primary reports first).
pub struct MeetingDocuments(pub Store);

impl Loader<i32> for MeetingDocuments {
    type Value = Vec<document::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let links = self
            .0
            .meeting_document_links(keys)
            .await
            .map_err(Arc::new)?;
        let ids: Vec<i32> = links.iter().map(|l| l.document_id).collect();
        let docs: HashMap<i32, document::Model> = self
            .0
            .document_heads_by_ids(&ids)
            .await
            .map_err(Arc::new)?
            .into_iter()
            .map(|d| (d.id, d))
            .collect();
        Ok(group(
            keys,
            links
                .into_iter()
                .filter_map(|l| docs.get(&l.document_id).cloned().map(|d| (l.meeting_id, d))),
        ))
    }
}

/// A document's meetings (the primary meeting first).
pub struct DocumentMeetings(pub Store);

impl Loader<i32> for DocumentMeetings {
    type Value = Vec<meeting::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let links = self
            .0
            .document_meeting_links(keys)
            .await
            .map_err(Arc::new)?;
        let ids: Vec<i32> = links.iter().map(|l| l.meeting_id).collect();
        let ms: HashMap<i32, meeting::Model> = self
            .0
            .meetings_by_ids(&ids)
            .await
            .map_err(Arc::new)?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        Ok(group(
            keys,
            links
                .into_iter()
                .filter_map(|l| ms.get(&l.meeting_id).cloned().map(|m| (l.document_id, m))),
        ))
    }
}

/// A document's participants.
pub struct DocumentParticipants(pub Store);

impl Loader<i32> for DocumentParticipants {
    type Value = Vec<participant::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let links = self
            .0
            .document_participant_links(keys)
            .await
            .map_err(Arc::new)?;
        let ids: Vec<i32> = links.iter().map(|l| l.1).collect();
        let people: HashMap<i32, participant::Model> = self
            .0
            .participants_by_ids(&ids)
            .await
            .map_err(Arc::new)?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        Ok(group(
            keys,
            links
                .into_iter()
                .filter_map(|(d, p)| people.get(&p).cloned().map(|p| (d, p))),
        ))
    }
}

/// A document's turns.
pub struct DocumentTurns(pub Store);

impl Loader<i32> for DocumentTurns {
    type Value = Vec<turn::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let turns = self.0.turns_of(keys).await.map_err(Arc::new)?;
        Ok(group(keys, turns.into_iter().map(|t| (t.document_id, t))))
    }
}

/// A participant's aliases (distinct forms).
pub struct ParticipantAliases(pub Store);

impl Loader<i32> for ParticipantAliases {
    type Value = Vec<participant_alias::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = self.0.aliases_of(keys).await.map_err(Arc::new)?;
        Ok(group(keys, rows.into_iter().map(|a| (a.participant_id, a))))
    }
}

/// A participant's roles.
pub struct ParticipantRoles(pub Store);

impl Loader<i32> for ParticipantRoles {
    type Value = Vec<participant_role::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = self.0.roles_of(keys).await.map_err(Arc::new)?;
        Ok(group(keys, rows.into_iter().map(|r| (r.participant_id, r))))
    }
}

/// Topics of quotations.
pub struct QuotationTopics(pub Store);

impl Loader<i32> for QuotationTopics {
    type Value = Vec<topic::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        Ok(group(
            keys,
            self.0.topics_of_quotations(keys).await.map_err(Arc::new)?,
        ))
    }
}

/// Topics of claims.
pub struct ClaimTopics(pub Store);

impl Loader<i32> for ClaimTopics {
    type Value = Vec<topic::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        Ok(group(
            keys,
            self.0.topics_of_claims(keys).await.map_err(Arc::new)?,
        ))
    }
}

/// Transcript passages a reported quotation comes from.
pub struct QuotationSources(pub Store);

impl Loader<i32> for QuotationSources {
    type Value = Vec<quotation_source::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = self.0.sources_of(keys).await.map_err(Arc::new)?;
        Ok(group(keys, rows.into_iter().map(|r| (r.quotation_id, r))))
    }
}

/// Reported quotations that repeat a transcript paragraph.
pub struct QuotationReports(pub Store);

impl Loader<i32> for QuotationReports {
    type Value = Vec<quotation_source::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = self.0.reports_of(keys).await.map_err(Arc::new)?;
        Ok(group(
            keys,
            rows.into_iter().map(|r| (r.source_quotation_id, r)),
        ))
    }
}

/// One text column of documents by id, read alone: their texts only where a query asks
/// for text, their titles for a `document` field that selects nothing but its id and title.
pub struct DocumentStrings(pub Store, pub DocumentString);

/// Which of a document's text columns [`DocumentStrings`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentString {
    /// The cleaned text.
    Text,
    /// The title.
    Title,
}

impl Loader<i32> for DocumentStrings {
    type Value = String;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let read = match self.1 {
            DocumentString::Text => self.0.document_texts(keys).await,
            DocumentString::Title => self.0.document_titles(keys).await,
        };
        Ok(read.map_err(Arc::new)?.into_iter().collect())
    }
}

/// Quotation and claim counts per topic.
pub struct TopicCounts(pub Store);

impl Loader<i32> for TopicCounts {
    type Value = (u64, u64);
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        self.0.topic_counts(keys).await.map_err(Arc::new)
    }
}

/// The participants someone met, with the meetings in common.
pub struct Counterparts(pub Store);

impl Loader<i32> for Counterparts {
    type Value = Vec<(participant::Model, Vec<i32>)>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        self.0.counterparts_of(keys).await.map_err(Arc::new)
    }
}

/// Key of a page of a per-owner list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageKey<O> {
    /// Whose list: the owner's kind.
    pub owner: O,
    /// The owner's id.
    pub id: i32,
    /// Which rows.
    pub page: diplograph_store::Page,
    /// What is read of the rows' documents.
    pub joined: Joined,
}

/// One write of eight bytes to the hasher, not the seven a derived `Hash` makes (one per
/// field), each a call into the standard library's SipHash: the DataLoader hashes a key
/// about eight times between `load_one` and its answer, for every participant of the
/// nested query. Keys that differ only in the owner's kind or what they join hash alike,
/// and are told apart by `Eq`.
impl<O> std::hash::Hash for PageKey<O> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let p = &self.page;
        state.write_u64(
            u64::from(self.id as u32)
                ^ p.offset.rotate_left(32)
                ^ p.limit.rotate_left(48)
                ^ u64::from(p.count) << 62
                ^ u64::from(p.more) << 63,
        );
    }
}

/// An owner's page as its loader returns it.
#[derive(Clone, Debug)]
pub struct OwnerPage<M> {
    /// The rows, in list order.
    pub rows: Vec<M>,
    /// The owner's total (or, uncounted, whether more follow: see `Page`).
    pub total: u64,
    /// The rows' documents' heads, with [`Joined::Heads`].
    pub documents: Vec<document::Model>,
    /// The rows' documents' titles by document id, with [`Joined::Titles`].
    pub titles: Vec<(i32, String)>,
}

impl<M> Default for OwnerPage<M> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            total: 0,
            documents: Vec::new(),
            titles: Vec::new(),
        }
    }
}

macro_rules! page_loader {
    ($(#[$doc:meta])* $name:ident, $owner:ty, $model:ty, $method:ident, |$row:ident, $o:ident| $owner_of:expr) => {
        $(#[$doc])*
        pub struct $name(pub Store);

        impl Loader<PageKey<$owner>> for $name {
            /// An owner's rows, its total, and what was asked for of the rows' documents,
            /// shared: the DataLoader clones a value for each field that asked for it, and
            /// a clone of the page itself would copy its rows and titles whole (the field
            /// takes the page back from the `Arc`: see `quotation_page`).
            type Value = Arc<OwnerPage<$model>>;
            type Error = LoadError;

            async fn load(&self, keys: &[PageKey<$owner>]) -> Result<HashMap<PageKey<$owner>, Self::Value>, Self::Error> {
                // One or two statements per distinct (owner kind, page, documents or not).
                let mut groups: HashMap<($owner, diplograph_store::Page, Joined), Vec<i32>> = HashMap::new();
                for k in keys {
                    groups.entry((k.owner, k.page, k.joined)).or_default().push(k.id);
                }
                let mut out = HashMap::with_capacity(keys.len());
                for (($o, page, joined), ids) in groups {
                    let pages = self.0.$method($o, &ids, page, joined).await.map_err(Arc::new)?;
                    // Each row moved to its owner's page, in the order read.
                    let mut by_owner: FxHashMap<i32, Vec<$model>> = FxHashMap::default();
                    for $row in pages.rows {
                        if let Some(owner) = $owner_of {
                            by_owner.entry(owner).or_default().push($row);
                        }
                    }
                    for id in ids {
                        let rows = by_owner.remove(&id).unwrap_or_default();
                        let mut documents: Vec<document::Model> = Vec::new();
                        let mut titles: Vec<(i32, String)> = Vec::new();
                        for r in &rows {
                            let d = r.document_id;
                            if let Some(head) = pages.documents.get(&d) {
                                if !documents.iter().any(|x| x.id == d) {
                                    documents.push(head.clone());
                                }
                            }
                            if let Some(title) = pages.titles.get(&d) {
                                if !titles.iter().any(|x| x.0 == d) {
                                    titles.push((d, title.clone()));
                                }
                            }
                        }
                        let total = pages.totals.get(&id).copied().unwrap_or(page.offset);
                        out.insert(PageKey { owner: $o, id, page, joined }, Arc::new(OwnerPage { rows, total, documents, titles }));
                    }
                }
                Ok(out)
            }
        }
    };
}

page_loader!(
    /// Pages of quotations for many owners (speakers, meetings, documents) in two statements
    /// (one without `totalCount`), with the quotations' documents when asked.
    QuotationPages,
    diplograph_store::QuotationOwner,
    quotation::Model,
    quotation_pages,
    |q, o| match o {
        diplograph_store::QuotationOwner::Speaker => q.speaker_id,
        diplograph_store::QuotationOwner::Meeting => q.meeting_id,
        diplograph_store::QuotationOwner::Document => Some(q.document_id),
    }
);

page_loader!(
    /// Pages of claims for many owners (claimants, meetings, documents) in two statements
    /// (one without `totalCount`), with the claims' documents when asked.
    ClaimPages,
    diplograph_store::ClaimOwner,
    claim::Model,
    claim_pages,
    |c, o| match o {
        diplograph_store::ClaimOwner::Claimant => c.claimant_id,
        diplograph_store::ClaimOwner::Meeting => c.meeting_id,
        diplograph_store::ClaimOwner::Document => Some(c.document_id),
    }
);

/// Every loader for one request.
pub struct Loaders {
    /// Documents by id, remembered for the request: pages of quotations and claims that
    /// read their documents put them here, so `document` under them runs no statement.
    pub document: DataLoader<DocumentById, HashMapCache>,
    /// Documents' titles by id, remembered for the request, for `document` fields that
    /// select only an id and a title: pages that read their documents' heads put their
    /// titles here.
    pub document_title: DataLoader<DocumentStrings, HashMapCache>,
    /// Documents' texts by document id.
    pub document_text: DataLoader<DocumentStrings>,
    /// Participants by id.
    pub participant: DataLoader<ParticipantById>,
    /// Meetings by id.
    pub meeting: DataLoader<MeetingById>,
    /// Quotations by id.
    pub quotation: DataLoader<QuotationById>,
    /// Meeting → participants, remembered for the request: a page of meetings whose
    /// nodes select their participants reads them with the page and leaves them here.
    pub meeting_participants: DataLoader<MeetingParticipants, HashMapCache>,
    /// Participant → meetings.
    pub participant_meetings: DataLoader<ParticipantMeetings>,
    /// Meeting → documents.
    pub meeting_documents: DataLoader<MeetingDocuments>,
    /// Document → meetings.
    pub document_meetings: DataLoader<DocumentMeetings>,
    /// Document → participants.
    pub document_participants: DataLoader<DocumentParticipants>,
    /// Document → turns.
    pub document_turns: DataLoader<DocumentTurns>,
    /// Participant → aliases.
    pub aliases: DataLoader<ParticipantAliases>,
    /// Participant → roles.
    pub roles: DataLoader<ParticipantRoles>,
    /// Quotation → topics.
    pub quotation_topics: DataLoader<QuotationTopics>,
    /// Claim → topics.
    pub claim_topics: DataLoader<ClaimTopics>,
    /// Owner → a page of quotations.
    pub quotation_pages: DataLoader<QuotationPages>,
    /// Owner → a page of claims.
    pub claim_pages: DataLoader<ClaimPages>,
    /// Reported quotation → transcript passages.
    pub quotation_sources: DataLoader<QuotationSources>,
    /// Topic → counts.
    pub topic_counts: DataLoader<TopicCounts>,
    /// Participant → counterparts.
    pub counterparts: DataLoader<Counterparts>,
    /// Transcript paragraph → reported quotations.
    pub quotation_reports: DataLoader<QuotationReports>,
}

/// A loader that gathers the keys of one pass over sibling fields and loads them at once,
/// without waiting: async-graphql's default 1 ms delay added a millisecond per level of
/// nesting to every request (the nested benchmark query has three).
fn dl<T: Send + Sync + 'static>(loader: T) -> DataLoader<T> {
    DataLoader::new(loader, tokio::spawn).delay(std::time::Duration::ZERO)
}

/// [`dl`] that remembers what it loads, or is given, for the request (see `Loaders`).
fn remembering<T: Loader<i32>>(loader: T) -> DataLoader<T, HashMapCache> {
    DataLoader::with_cache(loader, tokio::spawn, HashMapCache::new())
        .delay(std::time::Duration::ZERO)
}

impl Loaders {
    /// Loaders for a mutation: documents, their titles and meetings' participants are not
    /// remembered between fields, since a field (`deleteDocument`, a correction) may change
    /// what an earlier one read.
    pub fn for_mutation(store: &Store) -> Self {
        let loaders = Self::new(store);
        loaders.document.enable_all_cache(false);
        loaders.document_title.enable_all_cache(false);
        loaders.meeting_participants.enable_all_cache(false);
        loaders
    }

    /// Fresh loaders for one query.
    pub fn new(store: &Store) -> Self {
        let s = || store.clone();
        Self {
            document: remembering(DocumentById(s())),
            document_title: remembering(DocumentStrings(s(), DocumentString::Title)),
            document_text: dl(DocumentStrings(s(), DocumentString::Text)),
            participant: dl(ParticipantById(s())),
            meeting: dl(MeetingById(s())),
            quotation: dl(QuotationById(s())),
            meeting_participants: remembering(MeetingParticipants(s())),
            participant_meetings: dl(ParticipantMeetings(s())),
            meeting_documents: dl(MeetingDocuments(s())),
            document_meetings: dl(DocumentMeetings(s())),
            document_participants: dl(DocumentParticipants(s())),
            document_turns: dl(DocumentTurns(s())),
            aliases: dl(ParticipantAliases(s())),
            roles: dl(ParticipantRoles(s())),
            quotation_topics: dl(QuotationTopics(s())),
            claim_topics: dl(ClaimTopics(s())),
            quotation_pages: dl(QuotationPages(s())),
            claim_pages: dl(ClaimPages(s())),
            quotation_sources: dl(QuotationSources(s())),
            topic_counts: dl(TopicCounts(s())),
            counterparts: dl(Counterparts(s())),
            quotation_reports: dl(QuotationReports(s())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diplograph_store::{Page, QuotationOwner};
    use std::hash::BuildHasher;

    #[test]
    fn page_keys_that_differ_in_any_field_are_told_apart() {
        let page = Page {
            offset: 0,
            limit: 5,
            count: false,
            more: false,
        };
        let base = PageKey {
            owner: QuotationOwner::Speaker,
            id: 7,
            page,
            joined: Joined::Titles,
        };
        let keys = [
            base,
            PageKey {
                owner: QuotationOwner::Meeting,
                ..base
            },
            PageKey { id: -7, ..base },
            PageKey { id: 8, ..base },
            PageKey {
                joined: Joined::Heads,
                ..base
            },
            PageKey {
                page: Page { offset: 5, ..page },
                ..base
            },
            PageKey {
                page: Page { limit: 6, ..page },
                ..base
            },
            PageKey {
                page: Page {
                    count: true,
                    ..page
                },
                ..base
            },
            PageKey {
                page: Page { more: true, ..page },
                ..base
            },
        ];
        let map: HashMap<PageKey<QuotationOwner>, usize> =
            keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        assert_eq!(map.len(), keys.len());
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(map.get(k), Some(&i), "{k:?}");
        }
        // Equal keys, made apart, hash alike.
        let s = std::hash::RandomState::new();
        assert_eq!(s.hash_one(base), s.hash_one(PageKey { id: 7, ..base }));
    }
}
