use charter_domain::FieldErrors;
use charter_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign in first")]
    Unauthenticated,
    #[error("email or password is wrong")]
    BadCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("some fields need attention: {0}")]
    Invalid(FieldErrors),
    #[error("{message}")]
    Conflict { field: String, message: String },
    #[error("the database is unavailable; try again shortly")]
    Unavailable,
    #[error("internal error")]
    Internal(String),
    /// The database failed in a way nobody but the operator can act on; the store's error,
    /// with the driver's beneath it, is kept as the source for the log.
    #[error("internal error")]
    Database(#[source] StoreError),
}

impl AppError {
    pub fn invalid(field: &str, message: impl std::fmt::Display) -> Self {
        let mut e = FieldErrors::default();
        e.add(field, message);
        AppError::Invalid(e)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { field, message } => AppError::Conflict { field, message },
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::Stale(msg) => AppError::Conflict {
                field: "status".into(),
                message: msg,
            },
            StoreError::Unavailable(msg) => {
                tracing::warn!(error = %msg, "database unavailable");
                AppError::Unavailable
            }
            StoreError::Database(msg) => AppError::Internal(msg),
            e @ StoreError::Query(_) => AppError::Database(e),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Invalid(e)
    }
}

/// A store's refusal of a change that lost a race (`Stale`) as a conflict on `field`, its
/// message kept; any other store error as it is.
pub(crate) fn stale_is_conflict(field: &'static str) -> impl Fn(StoreError) -> AppError {
    move |e| match e {
        StoreError::Stale(message) => AppError::Conflict {
            field: field.into(),
            message,
        },
        other => other.into(),
    }
}
