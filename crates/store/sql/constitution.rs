// The constitution's tables, written once for both SQL dialects: adopted versions,
// amendments and their attempts, and the member facts the engine decides rights from. Each
// store crate includes this file in a module that first defines `Db`, `DbConn`, `LOCK` and
// `StoreImpl` and imports `append_event`, `commit`, `db_err` and `log_access`.
use crate::rows::{IdColumn, RawId};
use crate::rows::stored;
use charter_domain::{AmendmentState, MotionState};

use std::collections::HashMap;

use charter_domain::{MemberId, UnitId};
use charter_store::text::{decode_fact_date, decode_office_kind, decode_status};
use charter_store::*;
use charter_model::{AmendmentId, ConstitutionVersionId, HistoricalEntryId, MeetingId, MotionId};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;

const VERSION_SELECT: &str =
    "SELECT id, toml, version, name, effective, adopted_by, amendment_id, recorded_at, event_seq
     FROM constitution_versions";
const AMENDMENT_SELECT: &str = "SELECT id, title, toml, proposed_version, effective, proposed_by, state, proposed_at, event_seq
     FROM amendments";
const ATTEMPT_SELECT: &str = "SELECT id, amendment_id, decided_on, body, record_json, adopted, failures_json, recorded_at, event_seq,
        motion_id, ballot_id
     FROM amendment_attempts";
const ENTRY_SELECT: &str =
    "SELECT id, amendment_id, entered_by, entered_at, unit_id, body, kind, notice_on, held_on,
        entitled, present, votes_for, votes_against, abstentions, meeting_id
     FROM historical_entries";

type DbRow = <Db as sqlx::Database>::Row;

fn version_from(r: &DbRow) -> Result<ConstitutionVersionRecord, sqlx::Error> {
    Ok(ConstitutionVersionRecord {
        id: r.id("id")?,
        toml: r.try_get("toml")?,
        version: r.try_get("version")?,
        name: r.try_get("name")?,
        effective: r.try_get("effective")?,
        adopted_by: r.try_get("adopted_by")?,
        amendment: r.id("amendment_id")?,
        recorded_at: r.try_get::<DateTime<Utc>, _>("recorded_at")?,
        event_seq: r.try_get("event_seq")?,
    })
}

fn amendment_from(r: &DbRow) -> Result<AmendmentRecord, sqlx::Error> {
    Ok(AmendmentRecord {
        id: r.id("id")?,
        title: r.try_get("title")?,
        toml: r.try_get("toml")?,
        proposed_version: r.try_get("proposed_version")?,
        effective: r.try_get("effective")?,
        proposed_by: r.try_get::<Option<i64>, _>("proposed_by")?.map(MemberId),
        state: stored(r, "state", AmendmentState::parse)?,
        proposed_at: r.try_get::<DateTime<Utc>, _>("proposed_at")?,
        event_seq: r.try_get("event_seq")?,
    })
}

fn attempt_from(r: &DbRow) -> Result<AmendmentAttemptRecord, sqlx::Error> {
    Ok(AmendmentAttemptRecord {
        id: r.id("id")?,
        amendment: r.id("amendment_id")?,
        decided_on: r.try_get("decided_on")?,
        body: r.try_get("body")?,
        record_json: r.try_get("record_json")?,
        adopted: r.try_get("adopted")?,
        failures_json: r.try_get("failures_json")?,
        recorded_at: r.try_get::<DateTime<Utc>, _>("recorded_at")?,
        event_seq: r.try_get("event_seq")?,
        motion: r.id("motion_id")?,
        ballot: r.id("ballot_id")?,
    })
}

fn count(r: &DbRow, column: &str) -> Result<u32, sqlx::Error> {
    let n: i64 = r.try_get(column)?;
    u32::try_from(n).map_err(|e| sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: Box::new(e),
    })
}

fn entry_from(r: &DbRow) -> Result<HistoricalEntryRecord, sqlx::Error> {
    Ok(HistoricalEntryRecord {
        id: r.id("id")?,
        entry: NewHistoricalEntry {
            amendment: r.id("amendment_id")?,
            entered_by: MemberId(r.try_get("entered_by")?),
            unit: r.try_get::<Option<i64>, _>("unit_id")?.map(UnitId),
            body: r.try_get("body")?,
            kind: r.try_get("kind")?,
            notice_on: r.try_get("notice_on")?,
            held_on: r.try_get("held_on")?,
            entitled: count(r, "entitled")?,
            present: count(r, "present")?,
            votes_for: count(r, "votes_for")?,
            votes_against: count(r, "votes_against")?,
            abstentions: count(r, "abstentions")?,
        },
        entered_at: r.try_get::<DateTime<Utc>, _>("entered_at")?,
        meeting: r.id("meeting_id")?,
    })
}

async fn insert_version(
    conn: &mut DbConn,
    v: &NewConstitutionVersion,
    amendment: Option<i64>,
    at: DateTime<Utc>,
    seq: i64,
) -> StoreResult<i64> {
    sqlx::query_scalar::<_, i64>(
        "INSERT INTO constitution_versions (toml, version, name, effective, adopted_by, amendment_id, recorded_at, event_seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&v.toml)
    .bind(&v.version)
    .bind(&v.name)
    .bind(v.effective)
    .bind(&v.adopted_by)
    .bind(amendment)
    .bind(at)
    .bind(seq)
    .fetch_one(conn)
    .await
    .map_err(db_err)
}

/// Locks `amendment` and checks it may still be decided: not adopted already.
pub(crate) async fn undecided_amendment(conn: &mut DbConn, amendment: i64) -> StoreResult<()> {
    let state: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT state FROM amendments WHERE id = $1{LOCK}"
    )))
    .bind(amendment)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    match state.as_deref() {
        None => Err(StoreError::NotFound("amendment")),
        Some("adopted") => Err(StoreError::Stale(
            "this amendment has already been adopted".into(),
        )),
        Some(_) => Ok(()),
    }
}

/// What decided an amendment: a motion, or a ballot of the members.
#[derive(Clone, Copy)]
pub(crate) enum DecidedBy {
    Motion(i64),
    Ballot(i64),
}

/// Records the decision on an amendment that a motion or ballot made, inside the caller's
/// transaction.
pub(crate) async fn record_attempt_in(
    conn: &mut DbConn,
    by: DecidedBy,
    d: &AmendmentDecision,
) -> StoreResult<i64> {
    let (motion, ballot) = match by {
        DecidedBy::Motion(m) => (Some(m), None),
        DecidedBy::Ballot(b) => (None, Some(b)),
    };
    undecided_amendment(&mut *conn, d.amendment.raw()).await?;
    let seq = append_event(&mut *conn, &d.event).await?;
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO amendment_attempts (amendment_id, decided_on, body, record_json, adopted, failures_json, recorded_at, event_seq, motion_id, ballot_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(d.amendment.raw())
    .bind(d.attempt.decided_on)
    .bind(&d.attempt.body)
    .bind(&d.attempt.record_json)
    .bind(d.version.is_some())
    .bind(&d.attempt.failures_json)
    .bind(d.event.at)
    .bind(seq)
    .bind(motion)
    .bind(ballot)
    .fetch_one(&mut *conn)
    .await
    .map_err(db_err)?;
    let new_state = if d.version.is_some() {
        "adopted"
    } else {
        "refused"
    };
    sqlx::query("UPDATE amendments SET state = $1 WHERE id = $2")
        .bind(new_state)
        .bind(d.amendment.raw())
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    if let Some(v) = &d.version {
        insert_version(&mut *conn, v, Some(d.amendment.raw()), d.event.at, seq).await?;
    }
    Ok(id)
}

/// Where member `id` is in `facts`, which are in member id order.
fn position(facts: &[MemberFactsRecord], id: i64) -> Option<usize> {
    facts.binary_search_by_key(&id, |f| f.member.0).ok()
}

/// Reads facts for every member (`member` = None) or one, in four set-based queries that
/// each walk an index once, then joins them in memory by member id.
async fn facts(
    conn: &mut DbConn,
    on: NaiveDate,
    member: Option<MemberId>,
) -> StoreResult<Vec<MemberFactsRecord>> {
    // The members query takes only the member; the others take the date as $1 and the
    // member as $2. Each binds exactly the parameters it names.
    let (m_filter, filter) = match member {
        Some(_) => ("WHERE m.id = $1", " AND x.member_id = $2"),
        None => ("", ""),
    };
    let bind = |q: sqlx::query::Query<'static, Db, <Db as sqlx::Database>::Arguments>| match member
    {
        Some(m) => q.bind(on).bind(m.0),
        None => q.bind(on),
    };
    // The region above each branch, from the small units table, rather than a join per member.
    let units = sqlx::query("SELECT id, parent_id, kind FROM units")
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    let mut kind_of: HashMap<i64, (Option<i64>, bool)> = HashMap::with_capacity(units.len());
    for u in &units {
        let id: i64 = u.try_get(0).map_err(db_err)?;
        let parent: Option<i64> = u.try_get(1).map_err(db_err)?;
        let kind: &str = u.try_get(2).map_err(db_err)?;
        kind_of.insert(id, (parent, kind == "region"));
    }
    let region_of = |branch: i64| {
        kind_of
            .get(&branch)
            .and_then(|(parent, _)| *parent)
            .filter(|p| kind_of.get(p).is_some_and(|(_, is_region)| *is_region))
            .map(UnitId)
    };
    // Every member in one text value ("id status paid_up_until|- joined_on branch" records,
    // separated by ';'; dates as each dialect's `FACT_LINE` gives them, see
    // `decode_fact_date`), built by the database and split here: a roll or impact preview
    // reads the whole register, and this costs a fraction of decoding a million driver rows.
    // Sorted here, which is cheaper than asking the aggregate to sort.
    let sql = format!("SELECT string_agg({FACT_LINE}, ';') FROM members m {m_filter}");
    let mut q = sqlx::query_scalar::<_, Option<String>>(sqlx::AssertSqlSafe(sql));
    if let Some(m) = member {
        q = q.bind(m.0);
    }
    let text = q
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?
        .unwrap_or_default();
    let mut out = Vec::with_capacity(text.bytes().filter(|b| *b == b';').count() + 1);
    for line in text.split(';').filter(|l| !l.is_empty()) {
        let bad = || StoreError::Database(format!("a member's facts do not read: {line:?}"));
        let mut f = line.split(' ');
        let mut next = || f.next().ok_or_else(bad);
        let id: i64 = next()?.parse().map_err(|_| bad())?;
        let status = decode_status(next()?)?;
        let paid_up_until = match next()? {
            "-" => None,
            d => Some(decode_fact_date(d)?),
        };
        let joined_on = decode_fact_date(next()?)?;
        let branch: i64 = next()?.parse().map_err(|_| bad())?;
        out.push(MemberFactsRecord {
            member: MemberId(id),
            status,
            paid_up_until,
            joined_on,
            branch: UnitId(branch),
            region: region_of(branch),
            affiliations: Vec::new(),
            offices: Vec::new(),
            seats: Vec::new(),
        });
    }
    out.sort_unstable_by_key(|f| f.member.0);
    if out.is_empty() {
        return Ok(out);
    }
    // The register as it stood on the date: a later status change or transfer says what
    // the member's status or branch was before it; someone not yet a member is left out.
    let later_status = bind(sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT x.member_id, x.from_status FROM status_changes x
         WHERE x.effective_on > $1{filter} ORDER BY x.member_id, x.effective_on, x.id"
    ))))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut not_yet = vec![false; out.len()];
    let mut last: Option<i64> = None;
    for r in &later_status {
        let id: i64 = r.try_get("member_id").map_err(db_err)?;
        if last == Some(id) {
            continue; // only the earliest change after the date tells the status on it
        }
        last = Some(id);
        if let Some(i) = position(&out, id) {
            match r
                .try_get::<Option<&str>, _>("from_status")
                .map_err(db_err)?
            {
                Some(st) => out[i].status = decode_status(st)?,
                None => not_yet[i] = true,
            }
        }
    }
    drop(later_status);
    let later_moves = bind(sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT x.member_id, x.from_unit FROM branch_moves x
         WHERE x.effective_on > $1{filter} ORDER BY x.member_id, x.effective_on, x.id"
    ))))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    let mut last: Option<i64> = None;
    for r in &later_moves {
        let id: i64 = r.try_get("member_id").map_err(db_err)?;
        if last == Some(id) {
            continue;
        }
        last = Some(id);
        if let Some(i) = position(&out, id) {
            let branch: i64 = r.try_get("from_unit").map_err(db_err)?;
            out[i].branch = UnitId(branch);
            out[i].region = region_of(branch);
        }
    }
    drop(later_moves);
    let mut index = 0;
    out.retain(|f| {
        let keep = f.joined_on <= on && !not_yet[index];
        index += 1;
        keep
    });
    let affs = bind(sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT x.member_id, x.organisation,
                CASE WHEN x.verified_on IS NOT NULL AND x.verified_on <= $1 THEN 1 ELSE 0 END AS verified
         FROM affiliations x WHERE (x.since IS NULL OR x.since <= $1){filter} ORDER BY x.member_id, x.id"
    ))))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    for r in &affs {
        let id: i64 = r.try_get("member_id").map_err(db_err)?;
        let verified: i32 = r.try_get("verified").map_err(db_err)?;
        if let Some(i) = position(&out, id) {
            out[i]
                .affiliations
                .push((r.try_get("organisation").map_err(db_err)?, verified == 1));
        }
    }
    let offices = bind(sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT x.member_id, o.kind FROM office_terms x JOIN offices o ON o.id = x.office_id
         WHERE x.starts_on <= $1 AND (x.ends_on IS NULL OR x.ends_on >= $1){filter}
         ORDER BY x.member_id, o.id"
    ))))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    for r in &offices {
        let id: i64 = r.try_get("member_id").map_err(db_err)?;
        let kind: String = r.try_get("kind").map_err(db_err)?;
        if let Some(i) = position(&out, id) {
            let kind = decode_office_kind(&kind)?;
            if !out[i].offices.contains(&kind) {
                out[i].offices.push(kind);
            }
        }
    }
    let seats = bind(sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT x.member_id, b.name FROM seats x JOIN bodies b ON b.id = x.body_id
         WHERE x.starts_on <= $1 AND (x.ends_on IS NULL OR x.ends_on >= $1){filter}
         ORDER BY x.member_id, b.id"
    ))))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    for r in &seats {
        let id: i64 = r.try_get("member_id").map_err(db_err)?;
        let name: String = r.try_get("name").map_err(db_err)?;
        if let Some(i) = position(&out, id)
            && !out[i].seats.contains(&name)
        {
            out[i].seats.push(name);
        }
    }
    Ok(out)
}

#[async_trait::async_trait]
impl ConstitutionStore for StoreImpl {
    async fn found_constitution(
        &self,
        v: &NewConstitutionVersion,
        event: &NewEvent,
    ) -> StoreResult<ConstitutionVersionId> {
        let mut tx = self.write_tx().await?;
        // The event first: its lock orders concurrent founders, so only one finds no version.
        let seq = append_event(&mut tx, event).await?;
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM constitution_versions")
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?;
        if existing > 0 {
            return Err(StoreError::Conflict {
                field: "constitution".into(),
                message: "the organisation already has a constitution; change it by amendment"
                    .into(),
            });
        }
        let id = insert_version(&mut tx, v, None, event.at, seq).await?;
        commit(tx).await?;
        Ok(ConstitutionVersionId(id))
    }

    async fn constitution_versions(&self) -> StoreResult<Vec<ConstitutionVersionRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{VERSION_SELECT} ORDER BY effective, id"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(version_from)
            .collect::<Result<_, _>>()
            .map_err(db_err)
    }

    async fn constitution_version(
        &self,
        id: ConstitutionVersionId,
    ) -> StoreResult<Option<ConstitutionVersionRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{VERSION_SELECT} WHERE id = $1"
        )))
        .bind(id.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(version_from).transpose().map_err(db_err)
    }

    async fn propose_amendment(&self, a: &NewAmendment, event: &NewEvent) -> StoreResult<AmendmentId> {
        let mut tx = self.write_tx().await?;
        let seq = append_event(&mut tx, event).await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO amendments (title, toml, proposed_version, effective, proposed_by, state, proposed_at, event_seq)
             VALUES ($1, $2, $3, $4, $5, 'proposed', $6, $7) RETURNING id",
        )
        .bind(&a.title)
        .bind(&a.toml)
        .bind(&a.proposed_version)
        .bind(a.effective)
        .bind(a.proposed_by.map(|m| m.0))
        .bind(event.at)
        .bind(seq)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(AmendmentId(id))
    }

    async fn amendments(&self) -> StoreResult<Vec<AmendmentRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{AMENDMENT_SELECT} ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter()
            .map(amendment_from)
            .collect::<Result<_, _>>()
            .map_err(db_err)
    }

    async fn amendment(&self, id: AmendmentId) -> StoreResult<Option<AmendmentRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{AMENDMENT_SELECT} WHERE id = $1"
        )))
        .bind(id.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(amendment_from).transpose().map_err(db_err)
    }

    async fn amendment_attempts(
        &self,
        amendment: Option<AmendmentId>,
    ) -> StoreResult<Vec<AmendmentAttemptRecord>> {
        let rows = match amendment {
            Some(a) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{ATTEMPT_SELECT} WHERE amendment_id = $1 ORDER BY id"
                )))
                .bind(a.raw())
                .fetch_all(&self.pool)
                .await
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!("{ATTEMPT_SELECT} ORDER BY id")))
                    .fetch_all(&self.pool)
                    .await
            }
        }
        .map_err(db_err)?;
        rows.iter()
            .map(attempt_from)
            .collect::<Result<_, _>>()
            .map_err(db_err)
    }

    async fn propose_amendment_motion(
        &self,
        motion: &NewMotion,
        amendment: AmendmentId,
        event: &NewEvent,
    ) -> StoreResult<MotionId> {
        let mut tx = self.write_tx().await?;
        undecided_amendment(&mut tx, amendment.raw()).await?;
        let id = crate::meetings::insert_motion(&mut tx, motion, event).await?;
        sqlx::query("INSERT INTO amendment_motions (motion_id, amendment_id) VALUES ($1, $2)")
            .bind(id.raw())
            .bind(amendment.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        commit(tx).await?;
        Ok(MotionId(id.raw()))
    }

    async fn motion_amendment(&self, motion: MotionId) -> StoreResult<Option<AmendmentId>> {
        sqlx::query_scalar::<_, i64>("SELECT amendment_id FROM amendment_motions WHERE motion_id = $1")
            .bind(motion.raw())
            .fetch_optional(&self.pool)
            .await
            .map(|a| a.map(AmendmentId))
            .map_err(db_err)
    }

    async fn decide_amendment_motion(
        &self,
        motion: MotionId,
        outcome: &MotionOutcome,
        event: &NewEvent,
        d: &AmendmentDecision,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let putting: Option<i64> =
            sqlx::query_scalar("SELECT amendment_id FROM amendment_motions WHERE motion_id = $1")
                .bind(motion.raw())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
        if putting != Some(d.amendment.raw()) {
            return Err(StoreError::Conflict {
                field: "motion".into(),
                message: "this motion does not put that amendment".into(),
            });
        }
        if (outcome.state == MotionState::Adopted) != d.version.is_some() {
            return Err(StoreError::Conflict {
                field: "motion".into(),
                message: "an amendment is adopted exactly when the motion putting it is".into(),
            });
        }
        crate::meetings::decide_in(&mut tx, MotionId(motion.raw()), outcome, event).await?;
        record_attempt_in(&mut tx, DecidedBy::Motion(motion.raw()), d).await?;
        commit(tx).await
    }

    async fn add_historical_entry(
        &self,
        e: &NewHistoricalEntry,
        event: &NewEvent,
    ) -> StoreResult<HistoricalEntryId> {
        let mut tx = self.write_tx().await?;
        undecided_amendment(&mut tx, e.amendment.raw()).await?;
        let seq = append_event(&mut tx, event).await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO historical_entries (amendment_id, entered_by, entered_at, unit_id, body, kind, notice_on,
                 held_on, entitled, present, votes_for, votes_against, abstentions, event_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        )
        .bind(e.amendment.raw())
        .bind(e.entered_by.0)
        .bind(event.at)
        .bind(e.unit.map(|u| u.0))
        .bind(&e.body)
        .bind(&e.kind)
        .bind(e.notice_on)
        .bind(e.held_on)
        .bind(i64::from(e.entitled))
        .bind(i64::from(e.present))
        .bind(i64::from(e.votes_for))
        .bind(i64::from(e.votes_against))
        .bind(i64::from(e.abstentions))
        .bind(seq)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(HistoricalEntryId(id))
    }

    async fn historical_entries(&self, amendment: AmendmentId) -> StoreResult<Vec<HistoricalEntryRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ENTRY_SELECT} WHERE amendment_id = $1 ORDER BY id"
        )))
        .bind(amendment.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.iter().map(|r| entry_from(r).map_err(db_err)).collect()
    }

    async fn record_historical_meeting(&self, h: &NewHistoricalMeeting) -> StoreResult<(MeetingId, MotionId)> {
        let mut tx = self.write_tx().await?;
        let amendment = h.decision.amendment;
        undecided_amendment(&mut tx, amendment.raw()).await?;
        for entry in h.entries {
            let waiting: Option<Option<i64>> = sqlx::query_scalar(
                "SELECT meeting_id FROM historical_entries WHERE id = $1 AND amendment_id = $2",
            )
            .bind(entry.raw())
            .bind(amendment.raw())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
            match waiting {
                None => return Err(StoreError::NotFound("historical entry")),
                Some(Some(_)) => {
                    return Err(StoreError::Stale(
                        "these entries have already made a meeting".into(),
                    ));
                }
                Some(None) => {}
            }
        }
        let m = &h.meeting;
        let seq = append_event(&mut tx, &h.meeting_event).await?;
        let notice_at = h
            .notice_on
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc());
        let meeting = crate::meetings::insert_meeting(
            &mut tx,
            m,
            &crate::meetings::MeetingFacts {
                entitled: i64::from(h.entitled),
                called_at: notice_at.unwrap_or(m.starts_at),
                notice_complete_at: notice_at,
                historical_entered_at: Some(h.meeting_event.at),
            },
            seq,
        )
        .await?;
        let motion = NewMotion {
            meeting: MeetingId(meeting),
            ..h.motion.clone()
        };
        let motion_id = crate::meetings::insert_motion(&mut tx, &motion, &h.proposal_event).await?;
        sqlx::query("INSERT INTO amendment_motions (motion_id, amendment_id) VALUES ($1, $2)")
            .bind(motion_id.raw())
            .bind(amendment.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        crate::meetings::decide_in(&mut tx, MotionId(motion_id.raw()), &h.outcome, &h.decision_event).await?;
        record_attempt_in(&mut tx, DecidedBy::Motion(motion_id.raw()), &h.decision).await?;
        sqlx::query(
            "UPDATE historical_entries SET meeting_id = $1 WHERE amendment_id = $2 AND meeting_id IS NULL",
        )
        .bind(meeting)
        .bind(amendment.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok((MeetingId(meeting), motion_id))
    }

    async fn member_facts(&self, on: NaiveDate) -> StoreResult<Vec<MemberFactsRecord>> {
        let mut tx = self.read_tx().await?;
        let out = facts(&mut tx, on, None).await?;
        commit(tx).await?;
        Ok(out)
    }

    async fn member_facts_of(
        &self,
        member: MemberId,
        on: NaiveDate,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<MemberFactsRecord>> {
        let mut tx = if access.is_some() {
            self.write_tx().await?
        } else {
            self.read_tx().await?
        };
        let found = facts(&mut tx, on, Some(member)).await?.into_iter().next();
        if let (Some(_), Some(a)) = (&found, access) {
            log_access(&mut tx, &[member.0], a).await?;
        }
        commit(tx).await?;
        Ok(found)
    }
}
