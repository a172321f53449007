//! One error-code enum for every GraphQL error the API returns, carried in
//! `extensions.code`. The client sees a clear message; the log gets the cause.

use async_graphql::{Error, ErrorExtensions};

/// Every error code a client can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// An argument is malformed (a date, an id, a cursor).
    BadUserInput,
    /// `first` above the maximum page size.
    PageTooLarge,
    /// The node does not exist.
    NotFound,
    /// No or a wrong bearer token on a write.
    Unauthenticated,
    /// The server has no admin token configured: writes are off.
    WritesDisabled,
    /// The document could not be read (binary, too large, bad envelope).
    UnreadableDocument,
    /// The database is unavailable.
    Unavailable,
    /// Too many aliases (or another size limit of the query).
    QueryTooLarge,
    /// The request ran past the server's time limit.
    Timeout,
    /// The query nests deeper than the server allows.
    QueryTooDeep,
    /// The query's complexity is above the server's limit.
    QueryTooComplex,
    /// The query is not valid GraphQL syntax.
    GraphqlParseFailed,
    /// The query does not fit the schema.
    GraphqlValidationFailed,
    /// Anything else; details are in the server log only.
    Internal,
}

impl ErrorCode {
    /// The code as sent in `extensions.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::PageTooLarge => "PAGE_TOO_LARGE",
            Self::NotFound => "NOT_FOUND",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::WritesDisabled => "WRITES_DISABLED",
            Self::UnreadableDocument => "UNREADABLE_DOCUMENT",
            Self::Unavailable => "UNAVAILABLE",
            Self::QueryTooLarge => "QUERY_TOO_LARGE",
            Self::Timeout => "TIMEOUT",
            Self::QueryTooDeep => "QUERY_TOO_DEEP",
            Self::QueryTooComplex => "QUERY_TOO_COMPLEX",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::Internal => "INTERNAL",
        }
    }

    /// A GraphQL error with this code and message.
    pub fn err(self, message: impl Into<String>) -> Error {
        Error::new(message.into()).extend_with(|_, e| e.set("code", self.as_str()))
    }
}

/// Maps a storage error to a client error, logging the cause.
pub fn store(e: diplograph_store::StoreError) -> Error {
    use diplograph_store::StoreError as S;
    match e {
        S::Parse(p) => ErrorCode::UnreadableDocument.err(p.to_string()),
        S::NotFound(what) => ErrorCode::NotFound.err(format!("{what} not found")),
        S::Db(db) => {
            tracing::error!(error = %db, "database error");
            let text = db.to_string().to_lowercase();
            let unavailable = matches!(
                db,
                diplograph_store::sea_orm::DbErr::Conn(_)
                    | diplograph_store::sea_orm::DbErr::ConnectionAcquire(_)
            ) || [
                "connection",
                "communicating",
                "pool",
                "closed",
                "terminat",
                "refused",
                "shutdown",
                "broken pipe",
                "not accepting",
            ]
            .iter()
            .any(|w| text.contains(w));
            if unavailable {
                ErrorCode::Unavailable.err("the database is unavailable; try again shortly")
            } else {
                ErrorCode::Internal.err("internal error")
            }
        }
        other => {
            tracing::error!(error = %other, "internal error");
            ErrorCode::Internal.err("internal error")
        }
    }
}
