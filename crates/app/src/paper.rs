//! Paper and postal ballots, entered by tellers, so members without a device are not left
//! out of a ballot.
//!
//! Two steps, kept apart as the envelopes and the papers are kept apart at a count:
//!
//! 1. A teller checks a returned envelope's declaration and marks its member on the roll as
//!    having voted on paper ([`App::mark_paper_voter`]): refused if they are not a voter or
//!    have voted already, online or on paper. That records participation only.
//! 2. The papers, out of their envelopes, are counted into bundles. Each bundle is a batch
//!    ([`App::create_paper_batch`]) that two tellers enter on their own
//!    ([`App::enter_paper_batch`]); neither sees the other's entry. When two tellers' latest
//!    entries agree (`charter_domain::paper::resolve`), the batch's papers go into the box in
//!    the same transaction as that entry, each sealed like a ballot cast online under a fresh
//!    random tracker; spoilt papers are counted on the batch (in turnout, not in the count).
//!    When they differ, the positions that differ are shown and a teller enters again.
//!
//! The box never holds more paper ballots than members marked as voting on paper: a batch
//! that would make it so is refused, and nothing is written. Papers go in only while the
//! ballot is open; once it closes it is counted, so papers arriving later are refused.

use charter_domain::paper::{Entry, EntryRefusal, Resolution, may_enter, resolve};
use charter_domain::{Actor, BallotState, HeldOffice, MemberId, PaperBatchState};
use charter_model::{BallotId, PaperBatchId, PaperEntryId};
use charter_store::{
    BallotRecord, NewCast, NewPaperBatch, NewPaperEntry, PaperBatchRecord, PaperCommit, PaperTally,
    StoreError,
};
use serde_json::json;

use crate::auth::random_token;
use crate::ballots::{Choice, Sealed, check_ranks, hash, new_tracker};
use crate::{App, AppError, event_actor};

/// Most papers in one batch: a bundle a teller can enter at one sitting.
pub const MAX_BATCH: i64 = 500;
/// The longest label of a batch, in characters.
pub const MAX_LABEL: usize = 100;
/// The longest reason for reversing a paper's mark, in characters.
pub const MAX_REVERSAL_REASON: usize = 2_000;

/// What one ballot paper says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paper {
    /// The options marked, in order of preference (by their place on the ballot from 0).
    Marked(Vec<u32>),
    /// Spoilt: unmarked, marked for too many, or unclear. Counted in turnout only.
    Spoilt,
}

/// An entry as the store keeps it: a JSON list, a paper's choices or `null` for spoilt.
fn entry_text(papers: &[Paper]) -> String {
    let list: Vec<Option<&Vec<u32>>> = papers
        .iter()
        .map(|p| match p {
            Paper::Marked(r) => Some(r),
            Paper::Spoilt => None,
        })
        .collect();
    serde_json::to_string(&list).unwrap_or_default()
}

fn read_entry(text: &str) -> Result<Vec<Paper>, AppError> {
    let list: Vec<Option<Vec<u32>>> = serde_json::from_str(text)
        .map_err(|_| AppError::Internal("a teller's stored entry does not read".into()))?;
    Ok(list
        .into_iter()
        .map(|p| p.map_or(Paper::Spoilt, Paper::Marked))
        .collect())
}

/// Where a batch stands, as a teller may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchState {
    /// Waiting for a (second) teller's entry.
    Waiting,
    /// The tellers' entries differ at these papers (1-based): a teller enters it again.
    Differ(Vec<usize>),
    /// In the box.
    Committed,
}

/// A batch for the tellers: its numbers, who has entered it and where it stands. A teller
/// sees their own latest entry, never another's.
#[derive(Debug, Clone)]
pub struct BatchView {
    pub batch: PaperBatchRecord,
    pub state: BatchState,
    /// Tellers who have entered it, in order of their first entry.
    pub tellers: Vec<MemberId>,
    /// The reader's latest entry, if they made one.
    pub mine: Option<Vec<Paper>>,
    /// Whether the reader may enter it now.
    pub may_enter: bool,
}

/// The tellers' desk for a ballot: the paper side in numbers and every batch.
#[derive(Debug, Clone)]
pub struct PaperDesk {
    pub ballot: BallotRecord,
    pub office: HeldOffice,
    pub tally: PaperTally,
    pub batches: Vec<BatchView>,
}

/// The answer to an entry: where its batch stands now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entered {
    pub entry: PaperEntryId,
    pub state: BatchState,
}

fn entries_of(batch: &PaperBatchRecord) -> Result<Vec<Entry<Paper>>, AppError> {
    batch
        .entries
        .iter()
        .map(|e| {
            Ok(Entry {
                teller: e.teller,
                papers: read_entry(&e.papers)?,
            })
        })
        .collect()
}

fn state_of(batch: &PaperBatchRecord, entries: &[Entry<Paper>]) -> BatchState {
    if batch.state == PaperBatchState::Committed {
        return BatchState::Committed;
    }
    match resolve(entries) {
        Resolution::Differ { positions } => {
            BatchState::Differ(positions.into_iter().map(|p| p + 1).collect())
        }
        // Agreed but not committed cannot last (the agreeing entry commits); wait for one.
        Resolution::Waiting | Resolution::Agreed { .. } => BatchState::Waiting,
    }
}

fn not_open(b: &BallotRecord) -> AppError {
    AppError::Conflict {
        field: "ballot".into(),
        message: match b.state {
            BallotState::Scheduled => {
                "voting has not opened: paper ballots are entered while it is open".into()
            }
            _ => format!(
                "the ballot is {}: paper ballots go in only while it is open, and the constitution allows no time after close",
                b.state
            ),
        },
    }
}

impl App {
    /// The office by which `actor` acts as a teller in the ballot: the officers who run it.
    async fn teller_office(&self, actor: &Actor, b: &BallotRecord) -> Result<HeldOffice, AppError> {
        let roll = self.store.roll(b.roll).await?;
        self.ballot_authority(actor, roll.and_then(|r| r.unit))
            .await?
            .ok_or_else(|| {
                AppError::Forbidden(
                    "only the officers running this ballot act as its tellers".into(),
                )
            })
    }

    /// Marks `member` as having voted on paper: their returned envelope's declaration is
    /// checked. Records participation only, never a choice. Returns the paper side after.
    pub async fn mark_paper_voter(
        &self,
        actor: &Actor,
        id: BallotId,
        member: MemberId,
    ) -> Result<PaperTally, AppError> {
        let b = self.ballot_record(id).await?;
        let office = self.teller_office(actor, &b).await?;
        if b.state != BallotState::Open {
            return Err(not_open(&b));
        }
        self.refuse_paper_if_sealed(id).await?;
        let event = self.event(
            event_actor(actor, Some(&office)),
            "ballot.paper_voted",
            format!("ballot:{id}"),
            json!({ "ballot": id, "member": member.0 }),
            "voted on paper: the envelope's declaration checked",
        );
        self.store
            .mark_paper_voter(id, member, actor.member, &event)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => {
                    AppError::invalid("member", "that member is not a voter on this ballot's roll")
                }
                StoreError::Stale(_) => not_open(&b),
                other => other.into(),
            })?;
        Ok(self.store.paper_tally(id).await?)
    }

    /// Reverses a teller's mark that `member` voted on paper, while the ballot is open: by
    /// its scrutineer or by a teller other than the one who made it, with `reason` kept on
    /// the mark. Their online ballot kept aside, if any, goes into the box; otherwise they
    /// may vote. Returns whether a ballot kept aside went in.
    pub async fn reverse_paper_mark(
        &self,
        actor: &Actor,
        id: BallotId,
        member: MemberId,
        reason: &str,
    ) -> Result<bool, AppError> {
        let b = self.ballot_record(id).await?;
        let office = match self.scrutineer_office(actor, &b).await {
            Ok(office) => office,
            Err(AppError::Forbidden(_)) => self.teller_office(actor, &b).await.map_err(|_| {
                AppError::Forbidden(
                    "only the ballot's scrutineer or another of its tellers reverses a paper mark"
                        .into(),
                )
            })?,
            Err(e) => return Err(e),
        };
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AppError::invalid(
                "reason",
                "say why the mark is reversed, e.g. 'the declaration on the envelope was not signed by the member'",
            ));
        }
        if reason.chars().count() > MAX_REVERSAL_REASON {
            return Err(AppError::invalid(
                "reason",
                "the reason is longer than 2,000 characters",
            ));
        }
        if b.state != BallotState::Open {
            return Err(not_open(&b));
        }
        let event = self.event(
            event_actor(actor, Some(&office)),
            "ballot.paper_mark_reversed",
            format!("ballot:{id}"),
            json!({ "ballot": id, "member": member.0 }),
            reason,
        );
        self.store
            .reverse_paper_mark(id, member, actor.member, reason, &event)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => AppError::invalid(
                    "member",
                    "no teller has marked that member as voting on paper",
                ),
                StoreError::Stale(_) => not_open(&b),
                other => other.into(),
            })
    }

    /// The tellers' desk: the paper side in numbers and every batch as `actor` may see it.
    pub async fn paper_desk(&self, actor: &Actor, id: BallotId) -> Result<PaperDesk, AppError> {
        let ballot = self.ballot_record(id).await?;
        let office = self.teller_office(actor, &ballot).await?;
        let tally = self.store.paper_tally(id).await?;
        let batches = self
            .store
            .paper_batches(id)
            .await?
            .into_iter()
            .map(|batch| self.batch_view(actor, &ballot, batch))
            .collect::<Result<_, _>>()?;
        Ok(PaperDesk {
            ballot,
            office,
            tally,
            batches,
        })
    }

    fn batch_view(
        &self,
        actor: &Actor,
        ballot: &BallotRecord,
        batch: PaperBatchRecord,
    ) -> Result<BatchView, AppError> {
        let entries = entries_of(&batch)?;
        let state = state_of(&batch, &entries);
        let mut tellers: Vec<MemberId> = Vec::new();
        for e in &entries {
            if !tellers.contains(&e.teller) {
                tellers.push(e.teller);
            }
        }
        let mine = entries
            .iter()
            .rev()
            .find(|e| e.teller == actor.member)
            .map(|e| e.papers.clone());
        let expected = usize::try_from(batch.papers).unwrap_or(0);
        let may = batch.state == PaperBatchState::Entering
            && ballot.state == BallotState::Open
            && may_enter(&entries, actor.member, expected, expected).is_ok();
        Ok(BatchView {
            batch,
            state,
            tellers,
            mine,
            may_enter: may,
        })
    }

    /// One batch as `actor`, a teller of its ballot, may see it.
    pub async fn paper_batch(
        &self,
        actor: &Actor,
        id: BallotId,
        batch: PaperBatchId,
    ) -> Result<BatchView, AppError> {
        let ballot = self.ballot_record(id).await?;
        self.teller_office(actor, &ballot).await?;
        let batch = self
            .store
            .paper_batch(batch)
            .await?
            .filter(|x| x.ballot == id)
            .ok_or(AppError::NotFound("batch"))?;
        self.batch_view(actor, &ballot, batch)
    }

    /// Starts a batch of `papers` papers (a bundle out of the envelopes), to be entered twice.
    pub async fn create_paper_batch(
        &self,
        actor: &Actor,
        id: BallotId,
        label: &str,
        papers: i64,
    ) -> Result<PaperBatchId, AppError> {
        let b = self.ballot_record(id).await?;
        let office = self.teller_office(actor, &b).await?;
        self.refuse_paper_if_sealed(id).await?;
        let mut errs = charter_domain::FieldErrors::default();
        let label = label.trim();
        if label.is_empty() {
            errs.add("label", "name the bundle, e.g. 'postal box 1, bundle 3'");
        } else if label.chars().count() > MAX_LABEL {
            errs.add(
                "label",
                format!("the label is longer than {MAX_LABEL} characters"),
            );
        }
        if !(1..=MAX_BATCH).contains(&papers) {
            errs.add(
                "papers",
                format!("a batch holds 1 to {MAX_BATCH} papers, spoilt ones included"),
            );
        }
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        if b.state != BallotState::Open {
            return Err(not_open(&b));
        }
        let event = self.event(
            event_actor(actor, Some(&office)),
            "ballot.paper_batch",
            format!("ballot:{id}"),
            json!({ "ballot": id, "label": label, "papers": papers }),
            label,
        );
        self.store
            .create_paper_batch(
                &NewPaperBatch {
                    ballot: id,
                    label: label.to_string(),
                    papers,
                    created_by: actor.member,
                },
                &event,
            )
            .await
            .map_err(|e| match e {
                StoreError::Stale(_) => not_open(&b),
                other => other.into(),
            })
    }

    /// A teller's entry of a batch, paper by paper. When it agrees with another teller's
    /// latest entry the batch goes into the box with it, in one transaction.
    pub async fn enter_paper_batch(
        &self,
        actor: &Actor,
        id: BallotId,
        batch: PaperBatchId,
        papers: &[Paper],
    ) -> Result<Entered, AppError> {
        let b = self.ballot_record(id).await?;
        let office = self.teller_office(actor, &b).await?;
        let record = self
            .store
            .paper_batch(batch)
            .await?
            .filter(|x| x.ballot == id)
            .ok_or(AppError::NotFound("batch"))?;
        let mut errs = charter_domain::FieldErrors::default();
        for (i, p) in papers.iter().enumerate() {
            if let Paper::Marked(ranks) = p
                && let Err(m) = check_ranks(&b, ranks)
            {
                errs.add("papers", format!("paper {}: {m}", i + 1));
            }
        }
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        if record.state == PaperBatchState::Committed {
            return Err(AppError::Conflict {
                field: "batch".into(),
                message: "this batch is already in the box".into(),
            });
        }
        if b.state != BallotState::Open {
            return Err(not_open(&b));
        }
        let mut entries = entries_of(&record)?;
        let expected = usize::try_from(record.papers).unwrap_or(0);
        may_enter(&entries, actor.member, expected, papers.len()).map_err(|r| match r {
            EntryRefusal::SameTeller => AppError::Conflict {
                field: "teller".into(),
                message: r.to_string(),
            },
            EntryRefusal::WrongLength { .. } => AppError::invalid("papers", r.to_string()),
        })?;
        let seen = entries.len();
        entries.push(Entry {
            teller: actor.member,
            papers: papers.to_vec(),
        });
        let resolution = resolve(&entries);
        let text = entry_text(papers);
        let event = self.event(
            event_actor(actor, Some(&office)),
            "ballot.paper_entered",
            format!("ballot:{id}"),
            json!({ "ballot": id, "batch": batch, "papers": papers.len(),
                    "entry_sha256": hash(&[&text]) }),
            &record.label,
        );
        let commit = match &resolution {
            Resolution::Agreed { entry } => {
                let agreed = &entries[*entry].papers;
                let ballots: Vec<NewCast> = agreed
                    .iter()
                    .filter_map(|p| match p {
                        Paper::Marked(ranks) => Some(NewCast {
                            tracker: new_tracker(),
                            submission_hash: hash(&["paper", &id.to_string(), &random_token()]),
                            sealed: Sealed::seal(&Choice {
                                ranks: ranks.clone(),
                            })
                            .0,
                            replaces: None,
                        }),
                        Paper::Spoilt => None,
                    })
                    .collect();
                let spoilt = i64::try_from(agreed.len() - ballots.len()).unwrap_or(0);
                let event = self.event(
                    event_actor(actor, Some(&office)),
                    "ballot.paper_committed",
                    format!("ballot:{id}"),
                    json!({ "ballot": id, "batch": batch, "papers": agreed.len(),
                            "ballots": ballots.len(), "spoilt": spoilt,
                            "entry_sha256": hash(&[&entry_text(agreed)]) }),
                    &record.label,
                );
                Some(PaperCommit {
                    ballots,
                    spoilt,
                    event,
                })
            }
            _ => None,
        };
        let entry = self
            .store
            .enter_paper_batch(
                batch,
                &NewPaperEntry {
                    teller: actor.member,
                    papers: text,
                },
                seen,
                commit.as_ref(),
                &event,
            )
            .await
            .map_err(|e| match e {
                StoreError::Stale(m) => AppError::Conflict {
                    field: "batch".into(),
                    message: format!("{m}: look at the batch again and enter it afresh"),
                },
                other => other.into(),
            })?;
        let state = match resolution {
            Resolution::Agreed { .. } => BatchState::Committed,
            Resolution::Waiting => BatchState::Waiting,
            Resolution::Differ { positions } => {
                BatchState::Differ(positions.into_iter().map(|p| p + 1).collect())
            }
        };
        Ok(Entered { entry, state })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_paper() -> impl Strategy<Value = Paper> {
        prop_oneof![
            Just(Paper::Spoilt),
            proptest::collection::vec(0u32..20, 1..5).prop_map(Paper::Marked),
        ]
    }

    proptest! {
        #[test]
        fn an_entry_reads_back_as_entered(papers in proptest::collection::vec(any_paper(), 0..30)) {
            prop_assert_eq!(read_entry(&entry_text(&papers)).unwrap(), papers);
        }
    }

    #[test]
    fn a_stored_entry_that_does_not_read_is_an_internal_error() {
        assert!(matches!(read_entry("[[0],"), Err(AppError::Internal(_))));
        assert_eq!(
            entry_text(&[Paper::Marked(vec![1, 0]), Paper::Spoilt]),
            "[[1,0],null]"
        );
    }
}
