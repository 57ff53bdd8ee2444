//! Bringing a whole register in from another system.

use async_trait::async_trait;
use charter_domain::{MemberId, UnitId};

use crate::*;

/// Bringing a whole register in from another system.
#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Members already in the register with any of these emails (lower-cased) or member
    /// numbers, each with their status history and payments: what an import's rows are
    /// checked against. The system comparing rows, not a person reading: nothing is logged.
    async fn import_matches(
        &self,
        emails: &[String],
        numbers: &[MemberId],
    ) -> StoreResult<Vec<ImportMatch>>;

    /// Writes a whole import in one transaction with `events` (appended after its rows, in
    /// order): units, then members with their histories and payments (paid-up-until computed
    /// from them), then updates, offices and past holdings. Nothing is written if anything
    /// fails: `Conflict` for a slug, email or member number already taken, `Stale` when an
    /// updated member's status is no longer the one expected, `NotFound` for a reference to
    /// nothing. `progress` hears how many of [`ImportBatch::rows`] are written.
    async fn import_register(
        &self,
        batch: &ImportBatch,
        events: &[NewEvent],
        progress: ImportProgress<'_>,
    ) -> StoreResult<ImportWritten>;

    /// Every holding of the offices of `unit` (of every unit when `None`), past and present,
    /// by office then newest first, with where imported holdings came from.
    async fn office_terms(&self, unit: Option<UnitId>) -> StoreResult<Vec<OfficeTermRecord>>;
}
