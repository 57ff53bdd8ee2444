// Rolls and challenges, written once for both SQL dialects: each store crate includes this
// file in a module that first defines `Db`, `LOCK` (its row-lock clause) and `StoreImpl`,
// and imports `append_event`, `commit`, `db_err` and `log_access`. The SQL here is the
// portable subset PostgreSQL and SQLite both accept, with every value bound; the one bulk
// insert whose fast form differs by dialect is in each crate's `bulk` module.

use std::collections::BTreeMap;

use charter_domain::{MemberId, UnitId};
use charter_store::*;
use chrono::{DateTime, Utc};
use sqlx::Row;

type DbRow = <Db as sqlx::Database>::Row;

/// Largest page of names a caller can ask for.
const MAX_ROLL_PAGE: u32 = 500;

const ROLL_SELECT: &str = "SELECT id, title, context, unit_id, right_kind, cutoff, version_id, challenge_closes_on,
        frozen_hash, current_hash, eligible, excluded, frozen_at, frozen_by, event_seq
     FROM rolls";
const CHALLENGE_SELECT: &str = "SELECT c.id, c.roll_id, c.member_id, e.branch_id, c.grounds, c.lodged_at, c.lodged_by,
        c.state, c.decision_reason, c.decided_at, c.decided_by, c.decided_event_seq
     FROM roll_challenges c
     JOIN roll_entries e ON e.roll_id = c.roll_id AND e.member_id = c.member_id";
const ENTRY_SELECT: &str = "SELECT e.member_id, e.branch_id, e.frozen_eligible, e.eligible, e.challenge_id,
        COALESCE(r.clauses, '') AS clauses, COALESCE(r.reason, '') AS reason";
const ENTRY_FROM: &str = "FROM roll_entries e
     LEFT JOIN roll_reasons r ON r.roll_id = e.roll_id AND r.idx = e.reason_idx";

fn roll_from(r: &DbRow) -> Result<RollRecord, sqlx::Error> {
    Ok(RollRecord {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        context: r.try_get("context")?,
        unit: r.try_get::<Option<i64>, _>("unit_id")?.map(UnitId),
        right: r.try_get("right_kind")?,
        cutoff: r.try_get("cutoff")?,
        version_id: r.try_get("version_id")?,
        challenge_closes_on: r.try_get("challenge_closes_on")?,
        frozen_hash: r.try_get("frozen_hash")?,
        current_hash: r.try_get("current_hash")?,
        eligible: r.try_get("eligible")?,
        excluded: r.try_get("excluded")?,
        frozen_at: r.try_get::<DateTime<Utc>, _>("frozen_at")?,
        frozen_by: r.try_get::<Option<i64>, _>("frozen_by")?.map(MemberId),
        event_seq: r.try_get("event_seq")?,
    })
}

fn challenge_from(r: &DbRow) -> Result<ChallengeRecord, sqlx::Error> {
    Ok(ChallengeRecord {
        id: r.try_get("id")?,
        roll: r.try_get("roll_id")?,
        member: MemberId(r.try_get("member_id")?),
        branch: UnitId(r.try_get("branch_id")?),
        grounds: r.try_get("grounds")?,
        lodged_at: r.try_get::<DateTime<Utc>, _>("lodged_at")?,
        lodged_by: r.try_get::<Option<i64>, _>("lodged_by")?.map(MemberId),
        state: r.try_get("state")?,
        decision_reason: r.try_get("decision_reason")?,
        decided_at: r.try_get::<Option<DateTime<Utc>>, _>("decided_at")?,
        decided_by: r.try_get::<Option<i64>, _>("decided_by")?.map(MemberId),
        decided_seq: r.try_get("decided_event_seq")?,
    })
}

fn entry_from(r: &DbRow) -> Result<RollEntryRecord, sqlx::Error> {
    Ok(RollEntryRecord {
        member: MemberId(r.try_get("member_id")?),
        branch: UnitId(r.try_get("branch_id")?),
        frozen_eligible: r.try_get("frozen_eligible")?,
        eligible: r.try_get("eligible")?,
        clauses: r.try_get("clauses")?,
        reason: r.try_get("reason")?,
        challenge: r.try_get("challenge_id")?,
    })
}

fn all<T>(
    rows: &[DbRow],
    f: impl Fn(&DbRow) -> Result<T, sqlx::Error>,
) -> StoreResult<Vec<T>> {
    rows.iter().map(f).collect::<Result<_, _>>().map_err(db_err)
}

pub(crate) async fn freeze(
    s: &StoreImpl,
    roll: &NewRoll,
    reasons: &[RollReason],
    entries: &[NewRollEntry],
    event: &NewEvent,
) -> StoreResult<i64> {
    let eligible = entries.iter().filter(|e| e.eligible).count() as i64;
    let excluded = entries.len() as i64 - eligible;
    let mut per_branch: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for e in entries {
        let c = per_branch.entry(e.branch.0).or_default();
        if e.eligible {
            c.0 += 1;
        } else {
            c.1 += 1;
        }
    }
    let mut tx = s.write_tx().await?;
    let seq = append_event(&mut tx, event).await?;
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO rolls (title, context, unit_id, right_kind, cutoff, version_id, challenge_closes_on,
             frozen_hash, current_hash, eligible, excluded, frozen_at, frozen_by, event_seq)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(&roll.title)
    .bind(&roll.context)
    .bind(roll.unit.map(|u| u.0))
    .bind(&roll.right)
    .bind(roll.cutoff)
    .bind(roll.version_id)
    .bind(roll.challenge_closes_on)
    .bind(&roll.hash)
    .bind(eligible)
    .bind(excluded)
    .bind(event.at)
    .bind(roll.frozen_by.map(|m| m.0))
    .bind(seq)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    if !reasons.is_empty() {
        let mut qb =
            sqlx::QueryBuilder::<Db>::new("INSERT INTO roll_reasons (roll_id, idx, clauses, reason) ");
        qb.push_values(reasons.iter().enumerate(), |mut b, (i, r)| {
            b.push_bind(id)
                .push_bind(i as i64)
                .push_bind(r.clauses.clone())
                .push_bind(r.reason.clone());
        });
        qb.build().execute(&mut *tx).await.map_err(db_err)?;
    }
    crate::bulk::insert_roll_entries(&mut tx, id, entries).await?;
    if !per_branch.is_empty() {
        let mut qb = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO roll_branch_counts (roll_id, branch_id, eligible, excluded) ",
        );
        qb.push_values(per_branch, |mut b, (branch, (yes, no))| {
            b.push_bind(id).push_bind(branch).push_bind(yes).push_bind(no);
        });
        qb.build().execute(&mut *tx).await.map_err(db_err)?;
    }
    commit(tx).await?;
    Ok(id)
}

pub(crate) async fn rolls(s: &StoreImpl) -> StoreResult<Vec<RollRecord>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{ROLL_SELECT} ORDER BY id DESC")))
        .fetch_all(&s.pool)
        .await
        .map_err(db_err)?;
    all(&rows, roll_from)
}

pub(crate) async fn roll(s: &StoreImpl, id: i64) -> StoreResult<Option<RollRecord>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{ROLL_SELECT} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&s.pool)
        .await
        .map_err(db_err)?;
    row.as_ref().map(roll_from).transpose().map_err(db_err)
}

pub(crate) async fn counts(s: &StoreImpl, roll: i64) -> StoreResult<Vec<RollBranchCount>> {
    let rows = sqlx::query(
        "SELECT branch_id, eligible, excluded FROM roll_branch_counts WHERE roll_id = $1 ORDER BY branch_id",
    )
    .bind(roll)
    .fetch_all(&s.pool)
    .await
    .map_err(db_err)?;
    all(&rows, |r| {
        Ok(RollBranchCount {
            branch: UnitId(r.try_get("branch_id")?),
            eligible: r.try_get("eligible")?,
            excluded: r.try_get("excluded")?,
        })
    })
}

pub(crate) async fn entry(
    s: &StoreImpl,
    roll: i64,
    member: MemberId,
    access: Option<&AccessContext>,
) -> StoreResult<Option<RollEntryRecord>> {
    let mut tx = if access.is_some() {
        s.write_tx().await?
    } else {
        s.pool.begin().await.map_err(db_err)?
    };
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{ENTRY_SELECT} {ENTRY_FROM} WHERE e.roll_id = $1 AND e.member_id = $2"
    )))
    .bind(roll)
    .bind(member.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    let found = row.as_ref().map(entry_from).transpose().map_err(db_err)?;
    if let (Some(_), Some(a)) = (&found, access) {
        log_access(&mut tx, &[member.0], a).await?;
    }
    commit(tx).await?;
    Ok(found)
}

fn push_roll_filters(qb: &mut sqlx::QueryBuilder<Db>, roll: i64, q: &RollQuery) {
    qb.push(" WHERE e.roll_id = ").push_bind(roll);
    match &q.scope {
        MemberScope::All => {}
        MemberScope::Branches(branches) if branches.is_empty() => {
            qb.push(" AND 1 = 0");
        }
        MemberScope::Branches(branches) => {
            qb.push(" AND e.branch_id IN (");
            let mut list = qb.separated(", ");
            for b in branches {
                list.push_bind(b.0);
            }
            qb.push(")");
        }
        MemberScope::Only(m) => {
            qb.push(" AND e.member_id = ").push_bind(m.0);
        }
    }
    if let Some(b) = q.branch {
        qb.push(" AND e.branch_id = ").push_bind(b.0);
    }
    if let Some(yes) = q.eligible {
        qb.push(" AND e.eligible = ").push_bind(yes);
    }
}

pub(crate) async fn names(
    s: &StoreImpl,
    roll: i64,
    q: &RollQuery,
    access: &AccessContext,
) -> StoreResult<Page<RollNameRecord>> {
    let per_page = q.per_page.clamp(1, MAX_ROLL_PAGE);
    let offset = i64::from(q.page.max(1) - 1) * i64::from(per_page);
    let mut tx = s.write_tx().await?;
    let mut qb = sqlx::QueryBuilder::<Db>::new(format!(
        "{ENTRY_SELECT}, m.first_name, m.last_name {ENTRY_FROM} JOIN members m ON m.id = e.member_id"
    ));
    push_roll_filters(&mut qb, roll, q);
    qb.push(" ORDER BY e.member_id LIMIT ")
        .push_bind(i64::from(per_page))
        .push(" OFFSET ")
        .push_bind(offset);
    let rows = qb.build().fetch_all(&mut *tx).await.map_err(db_err)?;
    let items = all(&rows, |r| {
        Ok(RollNameRecord {
            entry: entry_from(r)?,
            first_name: r.try_get("first_name")?,
            last_name: r.try_get("last_name")?,
        })
    })?;
    let mut count = sqlx::QueryBuilder::<Db>::new("SELECT COUNT(*) FROM roll_entries e");
    push_roll_filters(&mut count, roll, q);
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
    let ids: Vec<i64> = items.iter().map(|n| n.entry.member.0).collect();
    log_access(&mut tx, &ids, access).await?;
    commit(tx).await?;
    Ok(Page {
        items,
        total: u64::try_from(total).unwrap_or(0),
        total_capped: false,
    })
}

pub(crate) async fn frozen_lines(
    s: &StoreImpl,
    roll: i64,
    access: Option<&AccessContext>,
) -> StoreResult<Vec<(MemberId, UnitId, bool)>> {
    let mut tx = if access.is_some() {
        s.write_tx().await?
    } else {
        s.pool.begin().await.map_err(db_err)?
    };
    // One aggregated text value rather than a driver row per line: rolls run to millions.
    let text: Option<String> = sqlx::query_scalar(
        "SELECT string_agg(
             CAST(member_id AS TEXT) || ' ' || CAST(branch_id AS TEXT) || ' '
             || CASE WHEN frozen_eligible THEN 'Y' ELSE 'N' END,
             ';')
         FROM roll_entries WHERE roll_id = $1",
    )
    .bind(roll)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    let text = text.unwrap_or_default();
    let mut lines = Vec::with_capacity(text.bytes().filter(|b| *b == b';').count() + 1);
    for line in text.split(';').filter(|l| !l.is_empty()) {
        let bad = || StoreError::Database(format!("a roll line does not read: {line:?}"));
        let mut f = line.split(' ');
        let mut next = || f.next().ok_or_else(bad);
        let member: i64 = next()?.parse().map_err(|_| bad())?;
        let branch: i64 = next()?.parse().map_err(|_| bad())?;
        let eligible = next()? == "Y";
        lines.push((MemberId(member), UnitId(branch), eligible));
    }
    lines.sort_unstable_by_key(|l| l.0);
    if let Some(a) = access {
        let ids: Vec<i64> = lines.iter().map(|l| l.0.0).collect();
        log_access(&mut tx, &ids, a).await?;
    }
    commit(tx).await?;
    Ok(lines)
}

pub(crate) async fn lodge(
    s: &StoreImpl,
    c: &NewChallenge,
    event: &NewEvent,
) -> StoreResult<i64> {
    let mut tx = s.write_tx().await?;
    let eligible: Option<bool> = sqlx::query_scalar(
        "SELECT eligible FROM roll_entries WHERE roll_id = $1 AND member_id = $2",
    )
    .bind(c.roll)
    .bind(c.member.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    match eligible {
        None => return Err(StoreError::NotFound("roll line")),
        Some(true) => {
            return Err(StoreError::Conflict {
                field: "member".into(),
                message: "this member is on the roll; only an exclusion can be challenged".into(),
            });
        }
        Some(false) => {}
    }
    let seq = append_event(&mut tx, event).await?;
    let id = sqlx::query_scalar::<_, i64>(
        "INSERT INTO roll_challenges (roll_id, member_id, grounds, lodged_at, lodged_by, state, event_seq)
         VALUES ($1, $2, $3, $4, $5, 'open', $6) RETURNING id",
    )
    .bind(c.roll)
    .bind(c.member.0)
    .bind(&c.grounds)
    .bind(event.at)
    .bind(c.lodged_by.map(|m| m.0))
    .bind(seq)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    commit(tx).await?;
    Ok(id)
}

pub(crate) async fn challenges(s: &StoreImpl, roll: i64) -> StoreResult<Vec<ChallengeRecord>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{CHALLENGE_SELECT} WHERE c.roll_id = $1 ORDER BY c.id"
    )))
    .bind(roll)
    .fetch_all(&s.pool)
    .await
    .map_err(db_err)?;
    all(&rows, challenge_from)
}

pub(crate) async fn challenge(s: &StoreImpl, id: i64) -> StoreResult<Option<ChallengeRecord>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{CHALLENGE_SELECT} WHERE c.id = $1")))
        .bind(id)
        .fetch_optional(&s.pool)
        .await
        .map_err(db_err)?;
    row.as_ref().map(challenge_from).transpose().map_err(db_err)
}

pub(crate) async fn decide(
    s: &StoreImpl,
    id: i64,
    d: &ChallengeDecision,
    event: &NewEvent,
) -> StoreResult<()> {
    let mut tx = s.write_tx().await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT c.roll_id, c.member_id, c.state, r.current_hash
         FROM roll_challenges c JOIN rolls r ON r.id = c.roll_id WHERE c.id = $1{LOCK}"
    )))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound("challenge"))?;
    let roll: i64 = row.try_get("roll_id").map_err(db_err)?;
    let member: i64 = row.try_get("member_id").map_err(db_err)?;
    let state: String = row.try_get("state").map_err(db_err)?;
    let hash: String = row.try_get("current_hash").map_err(db_err)?;
    if state != "open" {
        return Err(StoreError::Stale(format!("this challenge was already {state}")));
    }
    if hash != d.expected_hash {
        return Err(StoreError::Stale(
            "the roll changed since it was read; look again".into(),
        ));
    }
    let seq = append_event(&mut tx, event).await?;
    sqlx::query(
        "UPDATE roll_challenges SET state = $1, decision_reason = $2, decided_at = $3, decided_by = $4,
             decided_event_seq = $5
         WHERE id = $6",
    )
    .bind(if d.upheld { "upheld" } else { "rejected" })
    .bind(&d.reason)
    .bind(event.at)
    .bind(d.decided_by.map(|m| m.0))
    .bind(seq)
    .bind(id)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    if d.upheld {
        let branch: i64 = sqlx::query_scalar(
            "UPDATE roll_entries SET eligible = $1, challenge_id = $2
             WHERE roll_id = $3 AND member_id = $4 RETURNING branch_id",
        )
        .bind(true)
        .bind(id)
        .bind(roll)
        .bind(member)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        sqlx::query(
            "UPDATE roll_branch_counts SET eligible = eligible + 1, excluded = excluded - 1
             WHERE roll_id = $1 AND branch_id = $2",
        )
        .bind(roll)
        .bind(branch)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        sqlx::query(
            "UPDATE rolls SET eligible = eligible + 1, excluded = excluded - 1 WHERE id = $1",
        )
        .bind(roll)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    }
    sqlx::query("UPDATE rolls SET current_hash = $1 WHERE id = $2")
        .bind(&d.new_hash)
        .bind(roll)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    commit(tx).await?;
    Ok(())
}
