//! The persistence boundary. The application owns this trait; each SQL dialect implements it
//! in its own crate (`charter-store-sqlite`, `charter-store-postgres`) and both must pass the
//! one conformance suite in [`conformance`].
//!
//! Every mutating method takes the governance event that describes it and writes both in one
//! transaction: nothing changes governance state without its event. Every method that returns
//! a member's personal data to someone else takes the access record and writes it in the
//! same transaction as the read.

pub mod areas;
pub mod batch;
#[cfg(feature = "conformance")]
pub mod conformance;
pub mod text;

pub use areas::*;
/// The records the store keeps, re-exported: the traits speak in them.
pub use charter_model::*;

use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; `field` names the input at fault (e.g. "email").
    #[error("{message}")]
    Conflict { field: String, message: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The record changed since it was read (e.g. its status is no longer what the caller saw).
    #[error("{0}")]
    Stale(String),
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// What the store found wrong with what it read (a stored word it does not know, a row
    /// that does not read).
    #[error("database error: {0}")]
    Database(String),
    /// A statement the database refused for a reason the store has no word for; the driver's
    /// error is kept as the source, so the log shows the whole chain.
    #[error("the database refused a statement")]
    Query(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Everything the application asks of a database: every area's trait, and the backend's own
/// housekeeping.
#[async_trait]
pub trait Store:
    AccountStore
    + AgendaStore
    + ApplicationStore
    + BallotStore
    + ConstitutionStore
    + DelegateStore
    + ElectionStore
    + ImportStore
    + MeetingStore
    + PaperStore
    + RecordStore
    + RegisterStore
    + RequisitionStore
    + RollStore
    + StructureStore
    + Send
    + Sync
    + 'static
{
    /// Which backend this is ("sqlite" or "postgres"), for logs and /readyz.
    fn backend(&self) -> &'static str;

    /// Brings the schema up to date.
    async fn migrate(&self) -> StoreResult<()>;

    /// Cheap round trip, for readiness checks.
    async fn ping(&self) -> StoreResult<()>;
}

/// The store's traits, for code that calls the store: `use charter_store::prelude::*;`.
pub mod prelude {
    pub use crate::Store;
    pub use crate::areas::*;
}
