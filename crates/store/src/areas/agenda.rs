//! Meetings' agenda items and the papers circulated with them.

use async_trait::async_trait;
use charter_domain::MemberId;
use charter_model::{AgendaItemId, MeetingId, PaperId};

use crate::*;

/// Meetings' agenda items and the papers circulated with them.
#[async_trait]
pub trait AgendaStore: Send + Sync {
    /// Puts an item at the end of a meeting's agenda. `NotFound` without the meeting, `Stale`
    /// once it was cancelled or has started (by `event.at`): then its agenda is fixed.
    async fn add_agenda_item(
        &self,
        item: &NewAgendaItem,
        event: &NewEvent,
    ) -> StoreResult<AgendaItemId>;

    /// The items on a meeting's agenda in order, each with its papers' records (no content).
    async fn agenda(&self, meeting: MeetingId) -> StoreResult<Vec<AgendaItemRecord>>;

    /// One item, on the agenda or taken off it, with its papers' records.
    async fn agenda_item(&self, id: AgendaItemId) -> StoreResult<Option<AgendaItemRecord>>;

    /// Rewords an item and moves it when `change.position` is given. `Stale` once its meeting
    /// was cancelled or has started, or the item was taken off; `Conflict` on `position` for a
    /// place not on the agenda.
    async fn change_agenda_item(
        &self,
        id: AgendaItemId,
        change: &AgendaItemChange,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// Takes an item off the agenda (kept for the record); the items after it move up.
    /// `Stale` as for a change; `Conflict` on `item` while it has papers not withdrawn.
    async fn remove_agenda_item(&self, id: AgendaItemId, event: &NewEvent) -> StoreResult<()>;

    /// Circulates a paper for an item on the agenda. `NotFound` without the item, `Stale` once
    /// it was taken off or its meeting was cancelled or has ended.
    async fn circulate_paper(&self, paper: &NewPaper, event: &NewEvent) -> StoreResult<PaperId>;

    async fn paper(&self, id: PaperId) -> StoreResult<Option<PaperRecord>>;

    /// A paper's record with its content, exactly as circulated.
    async fn paper_content(&self, id: PaperId) -> StoreResult<Option<(PaperRecord, Vec<u8>)>>;

    /// Marks a paper withdrawn; it is kept. `Stale` if already withdrawn or its meeting was
    /// cancelled or has ended.
    async fn withdraw_paper(
        &self,
        id: PaperId,
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()>;
}
