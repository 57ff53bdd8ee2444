//! Errors, each naming what was wrong and where it was written.

/// A malformed value in a constitution (a clause number, a share, a context…).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

/// A condition that does not parse, with the column (counted in characters from 1) where
/// the parser stopped understanding it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct ExprError {
    pub column: usize,
    pub message: String,
}

/// Where in a constitution file a problem lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    File,
    Clause(String),
    ClauseItem {
        clause: String,
        item: &'static str,
        index: usize,
    },
    /// A column within a rule's condition, counted from 1.
    Condition {
        clause: String,
        rule: usize,
        column: usize,
    },
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File => f.write_str("the constitution"),
            Location::Clause(c) => write!(f, "clause {c}"),
            Location::ClauseItem {
                clause,
                item,
                index,
            } => write!(f, "clause {clause}, {item} {index}"),
            Location::Condition {
                clause,
                rule,
                column,
            } => write!(f, "clause {clause}, rule {rule}, column {column}"),
        }
    }
}

/// Why a constitution file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConstitutionError {
    /// The file is not valid TOML or has fields of the wrong shape; toml's message carries
    /// the line and column.
    #[error("the constitution file does not read: {0}")]
    Syntax(String),
    #[error("{at}: {message}")]
    Invalid { at: Location, message: String },
}

impl ConstitutionError {
    pub(crate) fn at(at: Location, message: impl Into<String>) -> Self {
        ConstitutionError::Invalid {
            at,
            message: message.into(),
        }
    }
}

/// Why a set of versions cannot form a history.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("versions '{0}' and '{1}' take effect on the same day, {2}; one must come later")]
    SameDay(String, String, chrono::NaiveDate),
    #[error(
        "version '{1}' takes effect on {2}, not after version '{0}'; a new version must come later"
    )]
    NotLater(String, String, chrono::NaiveDate),
    #[error("a history needs at least the founding version")]
    Empty,
}
