//! Paper ballots: marked voters, double-entered batches and the scrutineer's reads.

use async_trait::async_trait;
use charter_domain::MemberId;
use charter_model::{BallotId, PaperBatchId, PaperEntryId};

use crate::*;

/// Paper ballots: marked voters, double-entered batches and the scrutineer's reads.
#[async_trait]
pub trait PaperStore: Send + Sync {
    /// Marks a voter of an open ballot as having voted on paper (their returned envelope's
    /// declaration checked by `teller`), in the same transaction as its event, which names
    /// the voter and never a paper. `NotFound` if they are not a voter of it, `Conflict` if
    /// they have voted (online or on paper), `Stale` unless the ballot is open.
    async fn mark_paper_voter(
        &self,
        id: BallotId,
        member: MemberId,
        teller: MemberId,
        event: &NewEvent,
    ) -> StoreResult<()>;

    /// A ballot's paper side in numbers.
    async fn paper_tally(&self, id: BallotId) -> StoreResult<PaperTally>;

    /// The paper mark on `member` in a ballot, if a teller made one.
    async fn paper_mark(&self, id: BallotId, member: MemberId) -> StoreResult<Option<PaperMark>>;

    /// Reverses the paper mark on `member` while the ballot is open, with `by` and `reason`
    /// kept on the mark, in one transaction with its event: their online ballot kept aside,
    /// if any, goes into the box under its tracker (and they stay recorded as having voted,
    /// online); otherwise they are recorded as not having voted. Returns whether a ballot
    /// kept aside went in. `NotFound` without a mark; `Conflict` if it was reversed already,
    /// `by` made it, or the papers in the box would outnumber the marks left; `Stale` unless
    /// the ballot is open.
    async fn reverse_paper_mark(
        &self,
        id: BallotId,
        member: MemberId,
        by: MemberId,
        reason: &str,
        event: &NewEvent,
    ) -> StoreResult<bool>;

    /// Starts a batch of papers. `Stale` unless the ballot is open; `Conflict` if its papers
    /// and those committed would outnumber the members marked as voting on paper.
    async fn create_paper_batch(
        &self,
        b: &NewPaperBatch,
        event: &NewEvent,
    ) -> StoreResult<PaperBatchId>;

    /// A ballot's batches, oldest first, each with its entries.
    async fn paper_batches(&self, id: BallotId) -> StoreResult<Vec<PaperBatchRecord>>;

    async fn paper_batch(&self, batch: PaperBatchId) -> StoreResult<Option<PaperBatchRecord>>;

    /// Adds a teller's entry to a batch that had `seen` entries when the caller resolved it
    /// (compare-and-set: `Stale` if another entry came first, the batch is committed or the
    /// ballot is not open). With `commit`, in the same transaction the batch's papers go into
    /// the box and the batch is committed with this entry as the agreed one; `Conflict` (and
    /// nothing written) if its papers and those committed before would outnumber the members
    /// marked as voting on paper. Returns the entry's id.
    async fn enter_paper_batch(
        &self,
        batch: PaperBatchId,
        entry: &NewPaperEntry,
        seen: usize,
        commit: Option<&PaperCommit>,
        event: &NewEvent,
    ) -> StoreResult<PaperEntryId>;

    /// A page of an opened ballot's voters with whether and how they voted, and every
    /// challenge to its roll with the challenger's name, for its scrutineer. Every member
    /// listed is logged as read under `access`, in the same transaction. No choice is read.
    async fn ballot_roll_audit(
        &self,
        id: BallotId,
        page: u32,
        per_page: u32,
        access: &AccessContext,
    ) -> StoreResult<BallotRollAudit>;

    /// The ballot's governance events, oldest first: its creation and every event about it
    /// but the one per voter (who voted is on its roll).
    async fn ballot_trail(&self, id: BallotId) -> StoreResult<Vec<EventRecord>>;

    /// How many ballots lie in the box beside how many voters are marked, read in one
    /// snapshot: counts only, in any state.
    async fn ballot_box_size(&self, id: BallotId) -> StoreResult<BoxSize>;
}
