//! The document graph that extraction produces. Plain data: serde only, no behaviour
//! beyond small helpers. Every span is in Unicode scalar values (chars) of [`Extraction::text`].

use serde::{Deserialize, Serialize};

/// A half-open range `[start, end)` of Unicode scalar offsets into the cleaned text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub struct Span {
    /// First char of the range.
    pub start: usize,
    /// One past the last char.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`.
    pub fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }
}

/// What kind of document this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentKind {
    /// A verbatim record of what was said (remarks, news conference, interview).
    Transcript,
    /// A news-agency report with a dateline.
    NewsReport,
    /// An official statement or press release.
    Statement,
    /// Anything else.
    Other,
}

impl DocumentKind {
    /// The GraphQL / database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transcript => "TRANSCRIPT",
            Self::NewsReport => "NEWS_REPORT",
            Self::Statement => "STATEMENT",
            Self::Other => "OTHER",
        }
    }
}

/// A date known to some precision: a year, a month or a day.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct PartialDate {
    /// Year, when known.
    pub year: Option<i32>,
    /// Month 1-12, when known.
    pub month: Option<u32>,
    /// Day of month, when known.
    pub day: Option<u32>,
    /// Hour and minute, when the source gives a time (`15:47`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub time: Option<String>,
    /// True when the year was not written but inferred (from the text's own dates or the graph).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub year_inferred: bool,
    /// A qualifier such as `early`, `mid`, `late` (`in late June`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub qualifier: Option<String>,
}

impl PartialDate {
    /// A full date.
    pub fn ymd(year: i32, month: u32, day: u32) -> Self {
        Self {
            year: Some(year),
            month: Some(month),
            day: Some(day),
            ..Self::default()
        }
    }

    /// ISO-like text to the precision known: `2019`, `2019-06`, `2019-06-30`, `--06-30`.
    pub fn iso(&self) -> String {
        let y = self.year.map(|y| format!("{y:04}"));
        match (y, self.month, self.day) {
            (Some(y), Some(m), Some(d)) => format!("{y}-{m:02}-{d:02}"),
            (Some(y), Some(m), None) => format!("{y}-{m:02}"),
            (Some(y), None, _) => y,
            (None, Some(m), Some(d)) => format!("--{m:02}-{d:02}"),
            (None, Some(m), None) => format!("--{m:02}"),
            (None, None, _) => String::new(),
        }
    }

    /// A sortable integer `YYYYMMDD` with zeros for unknown parts (0 when no year).
    pub fn sort_key(&self) -> i64 {
        match self.year {
            Some(y) => {
                i64::from(y) * 10_000
                    + i64::from(self.month.unwrap_or(0)) * 100
                    + i64::from(self.day.unwrap_or(0))
            }
            None => 0,
        }
    }

    /// True when year, month and day are all known.
    pub fn is_full(&self) -> bool {
        self.year.is_some() && self.month.is_some() && self.day.is_some()
    }
}

/// A place: a city or a country.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Place {
    /// Name as usually written in English (`Moscow`).
    pub name: String,
    /// The country it lies in, when known (`Russia`).
    pub country: Option<String>,
}

/// A dateline such as `MOSCOW, January 14. /TASS/`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dateline {
    /// The dateline as written.
    pub text: String,
    /// Where it stands.
    pub span: Span,
    /// The city, normalised (`Moscow`).
    pub place: String,
    /// The date it gives, with the year marked as inferred when it was not written.
    pub date: PartialDate,
    /// The agency named in it (`TASS`), if any.
    pub agency: Option<String>,
}

/// Facts about the document as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentMeta {
    /// Kind of document.
    pub kind: DocumentKind,
    /// Who published it (`TASS`, `Russian Ministry of Foreign Affairs`).
    pub source: Option<String>,
    /// Headline or title.
    pub title: String,
    /// Where the title stands in the text.
    pub title_span: Option<Span>,
    /// Address it was taken from (from the JSON envelope or the HTML).
    pub url: Option<String>,
    /// Publication date (and time when given).
    pub published: Option<PartialDate>,
    /// Where it was written or where the event took place.
    pub place: Option<Place>,
    /// The dateline, for news reports.
    pub dateline: Option<Dateline>,
    /// Two-letter language code guessed from the text (`en`), or `und`.
    pub language: String,
}

/// A paragraph of the cleaned text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Paragraph {
    /// Where it stands.
    pub span: Span,
    /// Headings (title, section headings, lede) are not body text.
    pub heading: bool,
}

/// What a turn is in a transcript.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TurnKind {
    /// The unlabelled opening statement.
    Statement,
    /// A journalist's question.
    Question,
    /// A labelled answer or remark by a named speaker.
    Answer,
}

/// One speaker's uninterrupted stretch of a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    /// Statement, question or answer.
    pub kind: TurnKind,
    /// The label as written (`Jane Roe (speaking after John Doe)`), empty for the
    /// unlabelled opening.
    pub label: String,
    /// Index into [`Extraction::participants`].
    pub speaker: Option<usize>,
    /// The turn's text, label excluded.
    pub span: Span,
}

/// What kind of actor a participant is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ParticipantKind {
    /// A named person.
    Person,
    /// A ministry, government, party, agency.
    Organization,
    /// A treaty, declaration or other text that "says" something.
    Document,
    /// A source described but not named (`a senior official`).
    Unnamed,
    /// A journalist asking a question in a transcript.
    Journalist,
}

impl ParticipantKind {
    /// The GraphQL / database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "PERSON",
            Self::Organization => "ORGANIZATION",
            Self::Document => "DOCUMENT",
            Self::Unnamed => "UNNAMED",
            Self::Journalist => "JOURNALIST",
        }
    }
}

/// A person or organisation that acts or speaks in the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    /// Canonical name (`Jane Roe`); for unnamed sources, their description.
    pub name: String,
    /// Person, organisation, document, unnamed source or journalist.
    pub kind: ParticipantKind,
    /// Title as written nearest the full name (`Foreign Minister`).
    pub title: Option<String>,
    /// Country the participant acts for (`Russia`).
    pub country: Option<String>,
    /// Organisation the participant belongs to, when named.
    pub organization: Option<String>,
    /// Every other form the document uses for this participant (`Roe`, `the British foreign
    /// secretary`, `Ms Roe`).
    pub aliases: Vec<String>,
    /// Where the participant is mentioned, by any form (pronouns excluded).
    pub mentions: Vec<Span>,
}

/// Meeting kinds from SPEC.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MeetingKind {
    /// Talks between officials.
    Talks,
    /// Foreign and defence ministers of two countries together.
    TwoPlusTwo,
    /// Consultations (often at deputy level).
    Consultations,
    /// A summit of leaders.
    Summit,
    /// A visit by an official to a country.
    Visit,
    /// A working group.
    WorkingGroup,
    /// A council session.
    Council,
    /// A news conference.
    NewsConference,
    /// An ambassador summoned or invited to a ministry.
    Demarche,
    /// Anything else.
    Other,
}

impl MeetingKind {
    /// The GraphQL / database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Talks => "TALKS",
            Self::TwoPlusTwo => "TWO_PLUS_TWO",
            Self::Consultations => "CONSULTATIONS",
            Self::Summit => "SUMMIT",
            Self::Visit => "VISIT",
            Self::WorkingGroup => "WORKING_GROUP",
            Self::Council => "COUNCIL",
            Self::NewsConference => "NEWS_CONFERENCE",
            Self::Demarche => "DEMARCHE",
            Self::Other => "OTHER",
        }
    }

    /// Parses the GraphQL / database spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "TALKS" => Self::Talks,
            "TWO_PLUS_TWO" => Self::TwoPlusTwo,
            "CONSULTATIONS" => Self::Consultations,
            "SUMMIT" => Self::Summit,
            "VISIT" => Self::Visit,
            "WORKING_GROUP" => Self::WorkingGroup,
            "COUNCIL" => Self::Council,
            "NEWS_CONFERENCE" => Self::NewsConference,
            "DEMARCHE" => Self::Demarche,
            "OTHER" => Self::Other,
            _ => return None,
        })
    }
}

/// Whether a meeting has happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MeetingStatus {
    /// It took place (or is taking place on the document's date).
    Held,
    /// It is announced for later.
    Planned,
}

impl MeetingStatus {
    /// The GraphQL / database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Held => "HELD",
            Self::Planned => "PLANNED",
        }
    }
}

/// A meeting the document is about or mentions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    /// True for the meeting the document reports on.
    pub primary: bool,
    /// Talks, 2+2, summit...
    pub kind: MeetingKind,
    /// Held or planned.
    pub status: MeetingStatus,
    /// When, to the precision the text gives.
    pub date: Option<PartialDate>,
    /// Where.
    pub place: Option<Place>,
    /// Indices into [`Extraction::participants`].
    pub participants: Vec<usize>,
    /// A short description built from the text.
    pub title: String,
    /// The words that mention it.
    pub span: Span,
}

/// How a quotation was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuotationKind {
    /// A paragraph of a verbatim transcript.
    Transcript,
    /// A full quoted sentence in a report.
    Direct,
    /// A quoted fragment inside a reported sentence.
    Partial,
}

impl QuotationKind {
    /// The GraphQL / database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transcript => "TRANSCRIPT",
            Self::Direct => "DIRECT",
            Self::Partial => "PARTIAL",
        }
    }
}

/// Verbatim words with their speaker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quotation {
    /// The words, without the enclosing quotation marks.
    pub text: String,
    /// Where the words stand.
    pub span: Span,
    /// Transcript paragraph, direct or partial quote.
    pub kind: QuotationKind,
    /// Index into [`Extraction::participants`].
    pub speaker: Option<usize>,
    /// How the text names the speaker at the attribution (`he`, `the Russian foreign ministry`).
    pub speaker_label: Option<String>,
    /// The cue that attributes it (`said`, `according to`), if any.
    pub cue: Option<String>,
    /// Who reports the words, when a speaker quotes someone else.
    pub reported_by: Option<usize>,
    /// Topic slugs.
    pub topics: Vec<String>,
}

/// Kinds of claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ClaimKind {
    /// A stated position.
    Position,
    /// Something the parties agreed.
    Agreement,
    /// A future event or intention.
    Plan,
    /// A checkable figure or event.
    Fact,
    /// A judgement.
    Assessment,
    /// Something a party demands of another.
    Demand,
}

impl ClaimKind {
    /// The GraphQL / database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Position => "POSITION",
            Self::Agreement => "AGREEMENT",
            Self::Plan => "PLAN",
            Self::Fact => "FACT",
            Self::Assessment => "ASSESSMENT",
            Self::Demand => "DEMAND",
        }
    }
}

/// A statement a party makes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// The sentence or clause.
    pub text: String,
    /// Where it stands.
    pub span: Span,
    /// Position, agreement, plan...
    pub kind: ClaimKind,
    /// Index into [`Extraction::participants`] of who makes it.
    pub claimant: Option<usize>,
    /// Countries it is made for (`Russia`; both parties for a joint agreement).
    pub on_behalf_of: Vec<String>,
    /// Topic slugs.
    pub topics: Vec<String>,
    /// Index into [`Extraction::quotations`] when the claim comes from a quotation.
    pub quotation: Option<usize>,
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something was dropped or guessed; worth knowing.
    Info,
    /// Something looks wrong in the input.
    Warning,
}

/// A note about the extraction: what was dropped, guessed, or could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Info or warning.
    pub severity: Severity,
    /// Stage that produced it (`clean`, `segment`, `quotes`...).
    pub stage: String,
    /// What happened.
    pub message: String,
}

/// Everything extracted from one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    /// The cleaned text; all spans point into it.
    pub text: String,
    /// Document-level facts.
    pub document: DocumentMeta,
    /// Paragraphs of the cleaned text.
    pub paragraphs: Vec<Paragraph>,
    /// Speaker turns (transcripts only).
    pub turns: Vec<Turn>,
    /// People and organisations that act or speak.
    pub participants: Vec<Participant>,
    /// The primary meeting first, then meetings mentioned.
    pub meetings: Vec<Meeting>,
    /// Quotations in document order.
    pub quotations: Vec<Quotation>,
    /// Claims in document order.
    pub claims: Vec<Claim>,
    /// Notes about what was dropped or guessed.
    pub diagnostics: Vec<Diagnostic>,
}

impl Extraction {
    /// The text under a span (empty when the span is out of range).
    pub fn span_text(&self, span: Span) -> String {
        self.text
            .chars()
            .skip(span.start)
            .take(span.end.saturating_sub(span.start))
            .collect()
    }

    /// The primary meeting, if one was found.
    pub fn primary_meeting(&self) -> Option<&Meeting> {
        self.meetings.iter().find(|m| m.primary)
    }
}
