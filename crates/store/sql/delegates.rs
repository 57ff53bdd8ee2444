// Delegate conferences — apportionment, credentials, challenges and rulings, delegates checked
// in, card votes — written once for both SQL dialects: each store crate includes this file in
// a module that first defines `Db`, `UPDATE_LOCK` and `SHARE_LOCK` (its row-lock clauses) and
// `StoreImpl`, and imports `append_event`, `commit` and `db_err`.
//
// Writes to a conference's credentials and attendance take its `delegate_conferences` row
// for update, so two officers at once cannot give a branch more delegates than its share or
// seat two substitutes for one delegate. Card votes share the vote's row; closing takes it.
use charter_domain::{CardVote, DelegateRole, VoteChoice};
use crate::rows::{IdColumn, RawId};
use crate::rows::stored;
use charter_domain::DelegateCredentialState;

use charter_domain::{MemberId, UnitId};
use charter_store::*;
use charter_model::{CredentialChallengeId, CredentialId, MeetingId, MotionId};
use sqlx::Row;

type DbRow = <Db as sqlx::Database>::Row;
type Conn = <Db as sqlx::Database>::Connection;

fn small(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn big(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn unsigned(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn count(r: &DbRow, col: &str) -> Result<u32, sqlx::Error> {
    Ok(u32::try_from(r.try_get::<i32, _>(col)?).unwrap_or(0))
}

const CONFERENCE_SELECT: &str =
    "SELECT meeting_id, clause, counted_on, members_per_delegate, minimum,
        maximum, substitutes, card_vote, credentials_due_at, challenges_close_at, ruled_by,
        apportioned_by, apportioned_at
     FROM delegate_conferences";

fn conference_from(r: &DbRow) -> Result<DelegateConferenceRecord, sqlx::Error> {
    Ok(DelegateConferenceRecord {
        meeting: r.id("meeting_id")?,
        clause: r.try_get("clause")?,
        counted_on: r.try_get("counted_on")?,
        members_per_delegate: count(r, "members_per_delegate")?,
        minimum: count(r, "minimum")?,
        maximum: r
            .try_get::<Option<i32>, _>("maximum")?
            .and_then(|m| u32::try_from(m).ok()),
        substitutes: count(r, "substitutes")?,
        card_vote: stored(r, "card_vote", CardVote::parse)?,
        credentials_due_at: r.try_get("credentials_due_at")?,
        challenges_close_at: r.try_get("challenges_close_at")?,
        ruled_by: r.try_get("ruled_by")?,
        apportioned_by: r.try_get::<Option<i64>, _>("apportioned_by")?.map(MemberId),
        apportioned_at: r.try_get("apportioned_at")?,
    })
}

const CREDENTIAL_SELECT: &str = "SELECT c.id, c.meeting_id, c.branch_id, u.name AS branch_name,
        c.member_id, c.name, c.role, c.source, c.state, c.recorded_at,
        (SELECT COUNT(*) FROM delegate_attendance a WHERE a.credential_id = c.id) AS present,
        (SELECT a.stands_for FROM delegate_attendance a WHERE a.credential_id = c.id) AS stands_for
     FROM credentials c JOIN units u ON u.id = c.branch_id";

fn credential_from(r: &DbRow) -> Result<CredentialRecord, sqlx::Error> {
    Ok(CredentialRecord {
        id: r.id("id")?,
        meeting: r.id("meeting_id")?,
        branch: UnitId(r.try_get("branch_id")?),
        branch_name: r.try_get("branch_name")?,
        member: MemberId(r.try_get("member_id")?),
        name: r.try_get("name")?,
        role: stored(r, "role", DelegateRole::parse)?,
        source: r.try_get("source")?,
        state: stored(r, "state", DelegateCredentialState::parse)?,
        recorded_at: r.try_get("recorded_at")?,
        present: r.try_get::<i64, _>("present")? > 0,
        stands_for: r.id("stands_for")?,
    })
}

const CHALLENGE_SELECT: &str =
    "SELECT x.id, x.credential_id, c.meeting_id, x.challenger_id, x.grounds,
        x.lodged_at, x.ruling, x.reason, x.ruled_by, x.ruled_at
     FROM credential_challenges x JOIN credentials c ON c.id = x.credential_id";

fn challenge_from(r: &DbRow) -> Result<CredentialChallengeRecord, sqlx::Error> {
    Ok(CredentialChallengeRecord {
        id: r.id("id")?,
        credential: r.id("credential_id")?,
        meeting: r.id("meeting_id")?,
        challenger: MemberId(r.try_get("challenger_id")?),
        grounds: r.try_get("grounds")?,
        lodged_at: r.try_get("lodged_at")?,
        ruling: r.try_get("ruling")?,
        reason: r.try_get("reason")?,
        ruled_by: r.try_get::<Option<i64>, _>("ruled_by")?.map(MemberId),
        ruled_at: r.try_get("ruled_at")?,
    })
}

const CARD_VOTE_SELECT: &str = "SELECT v.motion_id, v.meeting_id, v.card_vote, v.opened_at, v.closed_at,
        (SELECT COUNT(*) FROM card_holders h WHERE h.motion_id = v.motion_id) AS holders,
        (SELECT CAST(COALESCE(SUM(h.card), 0) AS BIGINT) FROM card_holders h WHERE h.motion_id = v.motion_id) AS cards_held,
        (SELECT COUNT(*) FROM card_ballots b WHERE b.motion_id = v.motion_id AND b.choice = 'for') AS hands_for,
        (SELECT COUNT(*) FROM card_ballots b WHERE b.motion_id = v.motion_id AND b.choice = 'against') AS hands_against,
        (SELECT COUNT(*) FROM card_ballots b WHERE b.motion_id = v.motion_id AND b.choice = 'abstain') AS hands_abstain,
        (SELECT CAST(COALESCE(SUM(b.card), 0) AS BIGINT) FROM card_ballots b WHERE b.motion_id = v.motion_id AND b.choice = 'for') AS cards_for,
        (SELECT CAST(COALESCE(SUM(b.card), 0) AS BIGINT) FROM card_ballots b WHERE b.motion_id = v.motion_id AND b.choice = 'against') AS cards_against,
        (SELECT CAST(COALESCE(SUM(b.card), 0) AS BIGINT) FROM card_ballots b WHERE b.motion_id = v.motion_id AND b.choice = 'abstain') AS cards_abstain
     FROM card_votes v";

fn card_vote_from(r: &DbRow) -> Result<CardVoteRecord, sqlx::Error> {
    Ok(CardVoteRecord {
        motion: r.id("motion_id")?,
        meeting: r.id("meeting_id")?,
        card_vote: stored(r, "card_vote", CardVote::parse)?,
        opened_at: r.try_get("opened_at")?,
        closed_at: r.try_get("closed_at")?,
        holders: r.try_get("holders")?,
        cards_held: r.try_get("cards_held")?,
        hands_for: r.try_get("hands_for")?,
        hands_against: r.try_get("hands_against")?,
        hands_abstain: r.try_get("hands_abstain")?,
        cards_for: r.try_get("cards_for")?,
        cards_against: r.try_get("cards_against")?,
        cards_abstain: r.try_get("cards_abstain")?,
    })
}

/// Takes the conference's row for update, or `NotFound` when it was never apportioned.
async fn lock_conference(tx: &mut Conn, meeting: i64) -> StoreResult<()> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT meeting_id FROM delegate_conferences WHERE meeting_id = $1{UPDATE_LOCK}"
    )))
    .bind(meeting)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound("delegate conference"))?;
    Ok(())
}

async fn card_vote_in(tx: &mut Conn, motion: i64) -> StoreResult<Option<CardVoteRecord>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "{CARD_VOTE_SELECT} WHERE v.motion_id = $1"
    )))
    .bind(motion)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?
    .as_ref()
    .map(card_vote_from)
    .transpose()
    .map_err(db_err)
}

#[async_trait::async_trait]
impl DelegateStore for StoreImpl {
    async fn apportion_delegates(&self, a: &NewApportionment, event: &NewEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM meetings WHERE id = $1{UPDATE_LOCK}"
        )))
        .bind(a.meeting.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("meeting"))?;
        let done: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM delegate_conferences WHERE meeting_id = $1")
                .bind(a.meeting.raw())
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        if done > 0 {
            return Err(StoreError::Conflict {
                field: "meeting".into(),
                message: "this conference's delegates were already apportioned".into(),
            });
        }
        let seq = append_event(&mut tx, event).await?;
        sqlx::query(
            "INSERT INTO delegate_conferences (meeting_id, clause, counted_on, members_per_delegate,
                 minimum, maximum, substitutes, card_vote, credentials_due_at, challenges_close_at,
                 ruled_by, apportioned_by, apportioned_at, event_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(a.meeting.raw())
        .bind(&a.clause)
        .bind(a.counted_on)
        .bind(small(a.members_per_delegate))
        .bind(small(a.minimum))
        .bind(a.maximum.map(small))
        .bind(small(a.substitutes))
        .bind(a.card_vote.as_str())
        .bind(a.credentials_due_at)
        .bind(a.challenges_close_at)
        .bind(&a.ruled_by)
        .bind(a.apportioned_by.map(|m| m.0))
        .bind(event.at)
        .bind(seq)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        for al in &a.allocations {
            sqlx::query(
                "INSERT INTO delegate_allocations (meeting_id, branch_id, paid_up, delegates)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(a.meeting.raw())
            .bind(al.branch.0)
            .bind(big(al.paid_up))
            .bind(small(al.delegates))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        commit(tx).await
    }

    async fn delegate_conference(
        &self,
        meeting: MeetingId,
    ) -> StoreResult<Option<DelegateConferenceRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CONFERENCE_SELECT} WHERE meeting_id = $1"
        )))
        .bind(meeting.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(conference_from)
        .transpose()
        .map_err(db_err)
    }

    async fn delegate_allocations(&self, meeting: MeetingId) -> StoreResult<Vec<AllocationRecord>> {
        let rows = sqlx::query(
            "SELECT a.branch_id, u.name, a.paid_up, a.delegates,
                (SELECT COUNT(*) FROM credentials c WHERE c.meeting_id = a.meeting_id
                    AND c.branch_id = a.branch_id AND c.role = 'delegate' AND c.state = 'credentialed') AS named_delegates,
                (SELECT COUNT(*) FROM credentials c WHERE c.meeting_id = a.meeting_id
                    AND c.branch_id = a.branch_id AND c.role = 'substitute' AND c.state = 'credentialed') AS named_substitutes
             FROM delegate_allocations a JOIN units u ON u.id = a.branch_id
             WHERE a.meeting_id = $1 ORDER BY u.name, a.branch_id",
        )
        .bind(meeting.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| -> Result<AllocationRecord, sqlx::Error> {
                Ok(AllocationRecord {
                    branch: UnitId(r.try_get("branch_id")?),
                    branch_name: r.try_get("name")?,
                    paid_up: unsigned(r.try_get("paid_up")?),
                    delegates: count(r, "delegates")?,
                    named_delegates: u32::try_from(r.try_get::<i64, _>("named_delegates")?)
                        .unwrap_or(0),
                    named_substitutes: u32::try_from(r.try_get::<i64, _>("named_substitutes")?)
                        .unwrap_or(0),
                })
            })
            .collect::<Result<_, _>>()
            .map_err(db_err)
    }

    async fn add_credential(
        &self,
        c: &NewCredential,
        limit: u32,
        event: &NewEvent,
    ) -> StoreResult<CredentialId> {
        let mut tx = self.write_tx().await?;
        lock_conference(&mut tx, c.meeting.raw()).await?;
        let held: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM credentials WHERE meeting_id = $1 AND member_id = $2",
        )
        .bind(c.meeting.raw())
        .bind(c.member.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if held > 0 {
            return Err(StoreError::Conflict {
                field: "member".into(),
                message: "this member already has a credential for this conference".into(),
            });
        }
        let named: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM credentials
             WHERE meeting_id = $1 AND branch_id = $2 AND role = $3 AND state = 'credentialed'",
        )
        .bind(c.meeting.raw())
        .bind(c.branch.0)
        .bind(c.role.as_str())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if named >= i64::from(limit) {
            return Err(StoreError::Conflict {
                field: "role".into(),
                message: format!(
                    "the branch already has {named} {}{} credentialed, as many as it may send",
                    c.role,
                    if named == 1 { "" } else { "s" }
                ),
            });
        }
        let seq = append_event(&mut tx, event).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO credentials (meeting_id, branch_id, member_id, name, role, source, state,
                 recorded_by, recorded_at, event_seq)
             VALUES ($1, $2, $3, $4, $5, $6, 'credentialed', $7, $8, $9) RETURNING id",
        )
        .bind(c.meeting.raw())
        .bind(c.branch.0)
        .bind(c.member.0)
        .bind(&c.name)
        .bind(c.role.as_str())
        .bind(&c.source)
        .bind(c.recorded_by.map(|m| m.0))
        .bind(event.at)
        .bind(seq)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(CredentialId(id))
    }

    async fn delegate_credentials(&self, meeting: MeetingId) -> StoreResult<Vec<CredentialRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CREDENTIAL_SELECT} WHERE c.meeting_id = $1 ORDER BY u.name, c.branch_id, c.role, c.id"
        )))
        .bind(meeting.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(credential_from)
            .collect::<Result<_, _>>()
            .map_err(db_err)
    }

    async fn delegate_credential(&self, id: CredentialId) -> StoreResult<Option<CredentialRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CREDENTIAL_SELECT} WHERE c.id = $1"
        )))
        .bind(id.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(credential_from)
        .transpose()
        .map_err(db_err)
    }

    async fn lodge_credential_challenge(
        &self,
        credential: CredentialId,
        challenger: MemberId,
        grounds: &str,
        event: &NewEvent,
    ) -> StoreResult<CredentialChallengeId> {
        let mut tx = self.write_tx().await?;
        let state: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT state FROM credentials WHERE id = $1{SHARE_LOCK}"
        )))
        .bind(credential.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        match state.as_deref() {
            None => return Err(StoreError::NotFound("credential")),
            Some("credentialed") => {}
            Some(_) => {
                return Err(StoreError::Stale(
                    "this credential was already struck out on an upheld challenge".into(),
                ));
            }
        }
        let already: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM credential_challenges WHERE credential_id = $1 AND challenger_id = $2",
        )
        .bind(credential.raw())
        .bind(challenger.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if already > 0 {
            return Err(StoreError::Conflict {
                field: "credential".into(),
                message: "you have already challenged this credential".into(),
            });
        }
        let seq = append_event(&mut tx, event).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO credential_challenges (credential_id, challenger_id, grounds, lodged_at, lodge_seq)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(credential.raw())
        .bind(challenger.0)
        .bind(grounds)
        .bind(event.at)
        .bind(seq)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(CredentialChallengeId(id))
    }

    async fn credential_challenges(
        &self,
        meeting: MeetingId,
    ) -> StoreResult<Vec<CredentialChallengeRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CHALLENGE_SELECT} WHERE c.meeting_id = $1 ORDER BY x.id"
        )))
        .bind(meeting.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(challenge_from)
            .collect::<Result<_, _>>()
            .map_err(db_err)
    }

    async fn credential_challenge(
        &self,
        id: CredentialChallengeId,
    ) -> StoreResult<Option<CredentialChallengeRecord>> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CHALLENGE_SELECT} WHERE x.id = $1"
        )))
        .bind(id.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?
        .as_ref()
        .map(challenge_from)
        .transpose()
        .map_err(db_err)
    }

    async fn rule_on_credential_challenge(
        &self,
        id: CredentialChallengeId,
        upheld: bool,
        reason: &str,
        by: MemberId,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT credential_id, ruling FROM credential_challenges WHERE id = $1{UPDATE_LOCK}"
        )))
        .bind(id.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("challenge"))?;
        let credential: i64 = row.try_get("credential_id").map_err(db_err)?;
        let ruling: Option<String> = row.try_get("ruling").map_err(db_err)?;
        if let Some(r) = ruling {
            return Err(StoreError::Stale(format!(
                "this challenge was already ruled on: {r}"
            )));
        }
        let seq = append_event(&mut tx, event).await?;
        sqlx::query(
            "UPDATE credential_challenges SET ruling = $1, reason = $2, ruled_by = $3, ruled_at = $4,
                 ruling_seq = $5
             WHERE id = $6 AND ruling IS NULL",
        )
        .bind(if upheld { "upheld" } else { "rejected" })
        .bind(reason)
        .bind(by.0)
        .bind(event.at)
        .bind(seq)
        .bind(id.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if upheld {
            sqlx::query(
                "UPDATE credentials SET state = 'struck' WHERE id = $1 AND state = 'credentialed'",
            )
            .bind(credential)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        commit(tx).await
    }

    async fn check_in_delegate(
        &self,
        meeting: MeetingId,
        credential: CredentialId,
        stands_for: Option<CredentialId>,
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        lock_conference(&mut tx, meeting.raw()).await?;
        let cred = |field: &'static str, message: &str| StoreError::Conflict {
            field: field.into(),
            message: message.into(),
        };
        let row = sqlx::query(
            "SELECT branch_id, role, state FROM credentials WHERE id = $1 AND meeting_id = $2",
        )
        .bind(credential.raw())
        .bind(meeting.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("credential"))?;
        let branch: i64 = row.try_get("branch_id").map_err(db_err)?;
        let role: String = row.try_get("role").map_err(db_err)?;
        let state: String = row.try_get("state").map_err(db_err)?;
        if state != "credentialed" {
            return Err(cred(
                "credential",
                "this credential was struck out on an upheld challenge",
            ));
        }
        let present = |id: i64| {
            sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM delegate_attendance
                 WHERE meeting_id = $1 AND (credential_id = $2 OR stands_for = $2)",
            )
            .bind(meeting.raw())
            .bind(id)
        };
        if present(credential.raw())
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?
            > 0
        {
            return Err(cred(
                "credential",
                "already checked in, or someone already stands in for this delegate",
            ));
        }
        match (role.as_str(), stands_for) {
            ("delegate", None) => {}
            ("delegate", Some(_)) => {
                return Err(cred(
                    "stands_for",
                    "a delegate attends in their own right; only a substitute stands in for another",
                ));
            }
            (_, None) => {
                return Err(cred(
                    "stands_for",
                    "a substitute votes only standing in for an absent delegate of their branch: name the delegate",
                ));
            }
            (_, Some(d)) => {
                let ok: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM credentials WHERE id = $1 AND meeting_id = $2
                     AND branch_id = $3 AND role = 'delegate' AND state = 'credentialed'",
                )
                .bind(d.raw())
                .bind(meeting.raw())
                .bind(branch)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                if ok == 0 {
                    return Err(cred(
                        "stands_for",
                        "a substitute stands in only for a credentialed delegate of their own branch",
                    ));
                }
                if present(d.raw()).fetch_one(&mut *tx).await.map_err(db_err)? > 0 {
                    return Err(cred(
                        "stands_for",
                        "that delegate is present, or someone already stands in for them",
                    ));
                }
            }
        }
        append_event(&mut tx, event).await?;
        sqlx::query(
            "INSERT INTO delegate_attendance (meeting_id, credential_id, stands_for, checked_in_by, checked_in_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(meeting.raw())
        .bind(credential.raw())
        .bind(stands_for.raw())
        .bind(by.map(|m| m.0))
        .bind(event.at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await
    }

    async fn open_card_vote(
        &self,
        motion: MotionId,
        meeting: MeetingId,
        card_vote: CardVote,
        cards: &[Card],
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        lock_conference(&mut tx, meeting.raw()).await?;
        let state: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT state FROM motions WHERE id = $1 AND meeting_id = $2{UPDATE_LOCK}"
        )))
        .bind(motion.raw())
        .bind(meeting.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        match state.as_deref() {
            None => return Err(StoreError::NotFound("motion")),
            Some("proposed") => {}
            Some(other) => {
                return Err(StoreError::Stale(format!(
                    "this motion was already {other}"
                )));
            }
        }
        let taken: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM card_votes WHERE motion_id = $1)
                  + (SELECT COUNT(*) FROM motion_polls WHERE motion_id = $1)",
        )
        .bind(motion.raw())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if taken > 0 {
            return Err(StoreError::Conflict {
                field: "motion".into(),
                message: "voting on this motion was already opened".into(),
            });
        }
        let seq = append_event(&mut tx, event).await?;
        sqlx::query(
            "INSERT INTO card_votes (motion_id, meeting_id, card_vote, opened_at, opened_by, event_seq)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(motion.raw())
        .bind(meeting.raw())
        .bind(card_vote.as_str())
        .bind(event.at)
        .bind(by.map(|m| m.0))
        .bind(seq)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        for c in cards {
            sqlx::query(
                "INSERT INTO card_holders (motion_id, member_id, credential_id, branch_id, card)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(motion.raw())
            .bind(c.member.0)
            .bind(c.credential.raw())
            .bind(c.branch.0)
            .bind(big(c.card))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        commit(tx).await
    }

    async fn card_vote(&self, motion: MotionId) -> StoreResult<Option<CardVoteRecord>> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        card_vote_in(&mut conn, motion.raw()).await
    }

    async fn cast_card_vote(
        &self,
        b: &NewCardBallot,
        event: &NewEvent,
    ) -> StoreResult<VoteReceipt> {
        let mut tx = self.write_tx().await?;
        // Shared row lock: votes in flight finish before a close can take the vote's row.
        let closed: Option<Option<chrono::DateTime<chrono::Utc>>> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT closed_at FROM card_votes WHERE motion_id = $1{SHARE_LOCK}"
            )))
            .bind(b.motion.raw())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        match closed {
            None => return Err(StoreError::NotFound("card vote on this motion")),
            Some(Some(_)) => return Err(StoreError::Stale("this card vote has closed".into())),
            Some(None) => {}
        }
        let card: Option<i64> = sqlx::query_scalar(
            "SELECT card FROM card_holders WHERE motion_id = $1 AND member_id = $2",
        )
        .bind(b.motion.raw())
        .bind(b.member.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        let Some(card) = card else {
            return Err(StoreError::Conflict {
                field: "member".into(),
                message: "only delegates checked in when the vote opened hold a card in it".into(),
            });
        };
        let earlier: Option<String> = sqlx::query_scalar(
            "SELECT submission FROM card_ballots WHERE motion_id = $1 AND member_id = $2",
        )
        .bind(b.motion.raw())
        .bind(b.member.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        if let Some(earlier) = earlier {
            commit(tx).await?;
            return if earlier == b.submission {
                Ok(VoteReceipt::AlreadyRecorded)
            } else {
                Err(StoreError::Conflict {
                    field: "member".into(),
                    message:
                        "you have already cast your card on this motion; a vote once cast stands"
                            .into(),
                })
            };
        }
        append_event(&mut tx, event).await?;
        sqlx::query(
            "INSERT INTO card_ballots (motion_id, member_id, submission, choice, card, cast_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(b.motion.raw())
        .bind(b.member.0)
        .bind(&b.submission)
        .bind(b.choice.as_str())
        .bind(card)
        .bind(event.at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(VoteReceipt::Recorded)
    }

    async fn card_ballots(&self, motion: MotionId) -> StoreResult<Vec<CardBallotRecord>> {
        let rows = sqlx::query(
            "SELECT b.member_id, c.name, u.name AS branch_name, b.choice, b.card
             FROM card_ballots b
             JOIN card_holders h ON h.motion_id = b.motion_id AND h.member_id = b.member_id
             JOIN credentials c ON c.id = h.credential_id
             JOIN units u ON u.id = h.branch_id
             WHERE b.motion_id = $1 ORDER BY u.name, c.name, b.member_id",
        )
        .bind(motion.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(|r| -> Result<CardBallotRecord, sqlx::Error> {
                Ok(CardBallotRecord {
                    member: MemberId(r.try_get("member_id")?),
                    name: r.try_get("name")?,
                    branch_name: r.try_get("branch_name")?,
                    choice: stored(r, "choice", VoteChoice::parse)?,
                    card: unsigned(r.try_get("card")?),
                })
            })
            .collect::<Result<_, _>>()
            .map_err(db_err)
    }

    async fn close_card_vote(&self, motion: MotionId, event: &NewEvent) -> StoreResult<CardVoteRecord> {
        let mut tx = self.write_tx().await?;
        let closed: Option<Option<chrono::DateTime<chrono::Utc>>> =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT closed_at FROM card_votes WHERE motion_id = $1{UPDATE_LOCK}"
            )))
            .bind(motion.raw())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        match closed {
            None => return Err(StoreError::NotFound("card vote on this motion")),
            Some(Some(_)) => return Err(StoreError::Stale("this card vote has closed".into())),
            Some(None) => {}
        }
        append_event(&mut tx, event).await?;
        sqlx::query(
            "UPDATE card_votes SET closed_at = $1 WHERE motion_id = $2 AND closed_at IS NULL",
        )
        .bind(event.at)
        .bind(motion.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let v = card_vote_in(&mut tx, motion.raw())
            .await?
            .ok_or(StoreError::NotFound("card vote on this motion"))?;
        commit(tx).await?;
        Ok(v)
    }
}
