//! The governance record and the log of reads of personal data.

use async_trait::async_trait;
use charter_domain::MemberId;

use crate::*;

/// The governance record and the log of reads of personal data.
#[async_trait]
pub trait RecordStore: Send + Sync {
    /// Governance events in order, after `after` (exclusive), at most `limit`.
    async fn events(&self, after: i64, limit: u32) -> StoreResult<Vec<EventRecord>>;

    /// Who read this member's data, newest first.
    async fn access_log(
        &self,
        subject: MemberId,
        page: u32,
        per_page: u32,
    ) -> StoreResult<Page<AccessEntry>>;
}
