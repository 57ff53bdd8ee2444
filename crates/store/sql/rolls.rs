// Rolls and challenges, written once for both SQL dialects: each store crate includes this
// file in a module that first defines `Db`, `LOCK` (its row-lock clause) and `StoreImpl`,
// and imports `append_event`, `commit`, `db_err` and `log_access`. The SQL here is the
// portable subset PostgreSQL and SQLite both accept, with every value bound.
//
// A roll's frozen lines are kept in blocks of up to `LINES_PER_BLOCK` lines, twice: by
// member (`roll_member_index`, to find one member's line) and by branch
// (`roll_blocks`, with each block's line and eligible counts, to page through names). Freezing
// a roll over a million members so writes about two thousand rows instead of a million; the
// few lines an upheld challenge changes are in `roll_overrides`. Every line reads
// "member branch flag", flag `Y` (on the roll) or `N` with the index of its reason, if any;
// lines are separated by ','.
use crate::rows::{IdColumn, RawId};
use crate::rows::stored;
use charter_domain::ChallengeState;

use std::collections::{BTreeMap, HashMap};

use charter_domain::{MemberId, UnitId};
use charter_store::*;
use charter_model::{RollChallengeId, RollId};
use chrono::{DateTime, Utc};
use sqlx::Row;

type DbRow = <Db as sqlx::Database>::Row;

/// Largest page of names a caller can ask for.
const MAX_ROLL_PAGE: u32 = 500;

/// Lines per stored block: a member's lookup decodes one block (about 15 kB).
const LINES_PER_BLOCK: usize = 1024;

/// Block rows per INSERT statement (7 bound values each, under both dialects' limits).
const BLOCK_ROWS_PER_INSERT: usize = 1000;

const ROLL_SELECT: &str =
    "SELECT id, title, context, unit_id, right_kind, cutoff, version_id, challenge_closes_on,
        frozen_hash, current_hash, eligible, excluded, frozen_at, frozen_by, event_seq
     FROM rolls";
const CHALLENGE_SELECT: &str =
    "SELECT c.id, c.roll_id, c.member_id, c.branch_id, c.grounds, c.lodged_at, c.lodged_by,
        c.state, c.decision_reason, c.decided_at, c.decided_by, c.decided_event_seq
     FROM roll_challenges c";

fn roll_from(r: &DbRow) -> Result<RollRecord, sqlx::Error> {
    Ok(RollRecord {
        id: r.id("id")?,
        title: r.try_get("title")?,
        context: r.try_get("context")?,
        unit: r.try_get::<Option<i64>, _>("unit_id")?.map(UnitId),
        right: r.try_get("right_kind")?,
        cutoff: r.try_get("cutoff")?,
        version_id: r.id("version_id")?,
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
        id: r.id("id")?,
        roll: r.id("roll_id")?,
        member: MemberId(r.try_get("member_id")?),
        branch: UnitId(r.try_get("branch_id")?),
        grounds: r.try_get("grounds")?,
        lodged_at: r.try_get::<DateTime<Utc>, _>("lodged_at")?,
        lodged_by: r.try_get::<Option<i64>, _>("lodged_by")?.map(MemberId),
        state: stored(r, "state", ChallengeState::parse)?,
        decision_reason: r.try_get("decision_reason")?,
        decided_at: r.try_get::<Option<DateTime<Utc>>, _>("decided_at")?,
        decided_by: r.try_get::<Option<i64>, _>("decided_by")?.map(MemberId),
        decided_seq: r.try_get("decided_event_seq")?,
    })
}

fn all<T>(rows: &[DbRow], f: impl Fn(&DbRow) -> Result<T, sqlx::Error>) -> StoreResult<Vec<T>> {
    rows.iter().map(f).collect::<Result<_, _>>().map_err(db_err)
}

/// One frozen line as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Line {
    member: i64,
    branch: i64,
    eligible: bool,
    reason: Option<u32>,
}

fn push_line(out: &mut String, l: &Line, digits: &mut itoa::Buffer) {
    if !out.is_empty() {
        out.push(',');
    }
    out.push_str(digits.format(l.member));
    out.push(' ');
    out.push_str(digits.format(l.branch));
    out.push(' ');
    match (l.eligible, l.reason) {
        (true, _) => out.push('Y'),
        (false, None) => out.push('N'),
        (false, Some(r)) => {
            out.push('N');
            out.push_str(digits.format(r));
        }
    }
}

/// Decodes a block's lines, sorted by member (the order they were written in, which SQL
/// aggregation in a migration need not keep).
fn read_lines(body: &str, into: &mut Vec<Line>) -> StoreResult<()> {
    let start = into.len();
    for text in body.split(',').filter(|l| !l.is_empty()) {
        let bad = || StoreError::Database(format!("a roll line does not read: {text:?}"));
        let mut f = text.split(' ');
        let mut next = || f.next().ok_or_else(bad);
        let member: i64 = next()?.parse().map_err(|_| bad())?;
        let branch: i64 = next()?.parse().map_err(|_| bad())?;
        let flag = next()?;
        let (eligible, reason) = match flag.split_at_checked(1) {
            Some(("Y", "")) => (true, None),
            Some(("N", "")) => (false, None),
            Some(("N", idx)) => (false, Some(idx.parse().map_err(|_| bad())?)),
            _ => return Err(bad()),
        };
        into.push(Line {
            member,
            branch,
            eligible,
            reason,
        });
    }
    into[start..].sort_unstable_by_key(|l| l.member);
    Ok(())
}

/// One stored block: its lines' text, first and last member, and counts.
struct Block {
    first: i64,
    last: i64,
    lines: i64,
    eligible: i64,
    body: String,
}

/// Cuts `lines`, in member order, into blocks of up to `LINES_PER_BLOCK` lines.
fn blocks(lines: &[&Line], digits: &mut itoa::Buffer) -> Vec<Block> {
    lines
        .chunks(LINES_PER_BLOCK)
        .map(|chunk| {
            let mut body = String::with_capacity(chunk.len() * 16);
            for l in chunk {
                push_line(&mut body, l, digits);
            }
            Block {
                first: chunk[0].member,
                last: chunk[chunk.len() - 1].member,
                lines: chunk.len() as i64,
                eligible: chunk.iter().filter(|l| l.eligible).count() as i64,
                body,
            }
        })
        .collect()
}

/// What an upheld challenge changed: the member is on the roll by that challenge.
#[derive(Debug, Clone, Copy)]
struct Override {
    eligible: bool,
    challenge: i64,
}

async fn reasons_of(
    conn: &mut <Db as sqlx::Database>::Connection,
    roll: i64,
) -> StoreResult<HashMap<u32, (String, String)>> {
    let rows = sqlx::query("SELECT idx, clauses, reason FROM roll_reasons WHERE roll_id = $1")
        .bind(roll)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in &rows {
        let idx: i64 = r.try_get("idx").map_err(db_err)?;
        out.insert(
            u32::try_from(idx).unwrap_or(u32::MAX),
            (
                r.try_get("clauses").map_err(db_err)?,
                r.try_get("reason").map_err(db_err)?,
            ),
        );
    }
    Ok(out)
}

async fn overrides_of(
    conn: &mut <Db as sqlx::Database>::Connection,
    roll: i64,
    member: Option<i64>,
) -> StoreResult<HashMap<i64, Override>> {
    let mut qb = sqlx::QueryBuilder::<Db>::new(
        "SELECT member_id, eligible, challenge_id FROM roll_overrides WHERE roll_id = ",
    );
    qb.push_bind(roll);
    if let Some(m) = member {
        qb.push(" AND member_id = ").push_bind(m);
    }
    let rows = qb.build().fetch_all(&mut *conn).await.map_err(db_err)?;
    let mut out = HashMap::with_capacity(rows.len());
    for r in &rows {
        out.insert(
            r.try_get("member_id").map_err(db_err)?,
            Override {
                eligible: r.try_get("eligible").map_err(db_err)?,
                challenge: r.try_get("challenge_id").map_err(db_err)?,
            },
        );
    }
    Ok(out)
}

/// A member's frozen line, from the one index block that can hold it.
async fn frozen_line(
    conn: &mut <Db as sqlx::Database>::Connection,
    roll: i64,
    member: i64,
) -> StoreResult<Option<Line>> {
    let body: Option<String> = sqlx::query_scalar(
        "SELECT body FROM roll_member_index
         WHERE roll_id = $1 AND first_member <= $2 AND last_member >= $2",
    )
    .bind(roll)
    .bind(member)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?;
    let Some(body) = body else {
        return Ok(None);
    };
    let mut lines = Vec::new();
    read_lines(&body, &mut lines)?;
    Ok(lines
        .binary_search_by_key(&member, |l| l.member)
        .ok()
        .map(|i| lines[i]))
}

fn record(
    l: &Line,
    overrides: &HashMap<i64, Override>,
    reasons: &HashMap<u32, (String, String)>,
) -> RollEntryRecord {
    let o = overrides.get(&l.member);
    let (clauses, reason) = l
        .reason
        .and_then(|r| reasons.get(&r))
        .cloned()
        .unwrap_or_default();
    RollEntryRecord {
        member: MemberId(l.member),
        branch: UnitId(l.branch),
        frozen_eligible: l.eligible,
        eligible: o.map_or(l.eligible, |o| o.eligible),
        clauses,
        reason,
        challenge: (o.map(|o| o.challenge)).map(RollChallengeId),
    }
}

async fn entry_in(
    conn: &mut <Db as sqlx::Database>::Connection,
    roll: i64,
    member: i64,
) -> StoreResult<Option<RollEntryRecord>> {
    let Some(line) = frozen_line(&mut *conn, roll, member).await? else {
        return Ok(None);
    };
    let overrides = overrides_of(&mut *conn, roll, Some(member)).await?;
    let reasons = reasons_of(&mut *conn, roll).await?;
    Ok(Some(record(&line, &overrides, &reasons)))
}

/// A branch block's place and counts, without its lines.
struct BlockMeta {
    branch: i64,
    first: i64,
    last: i64,
    lines: i64,
    eligible: i64,
}

/// The lines a names query asks for, in branch then member order, and how many match.
async fn page_of_lines(
    conn: &mut <Db as sqlx::Database>::Connection,
    roll: i64,
    q: &RollQuery,
    overrides: &HashMap<i64, Override>,
    offset: u64,
    per_page: usize,
) -> StoreResult<(Vec<Line>, u64)> {
    let wanted = |l: &Line| {
        let now = overrides.get(&l.member).map_or(l.eligible, |o| o.eligible);
        q.eligible.is_none_or(|want| want == now)
    };
    if let MemberScope::Only(m) = &q.scope {
        let line = frozen_line(&mut *conn, roll, m.0)
            .await?
            .filter(|l| q.branch.is_none_or(|b| b.0 == l.branch) && wanted(l));
        let total = u64::from(line.is_some());
        return Ok((line.filter(|_| offset == 0).into_iter().collect(), total));
    }
    let mut qb = sqlx::QueryBuilder::<Db>::new(
        "SELECT branch_id, first_member, last_member, lines, eligible FROM roll_blocks WHERE roll_id = ",
    );
    qb.push_bind(roll);
    if let MemberScope::Branches(branches) = &q.scope {
        if branches.is_empty() {
            return Ok((Vec::new(), 0));
        }
        qb.push(" AND branch_id IN (");
        let mut list = qb.separated(", ");
        for b in branches {
            list.push_bind(b.0);
        }
        qb.push(")");
    }
    if let Some(b) = q.branch {
        qb.push(" AND branch_id = ").push_bind(b.0);
    }
    qb.push(" ORDER BY branch_id, first_member");
    let rows = qb.build().fetch_all(&mut *conn).await.map_err(db_err)?;
    let mut metas = Vec::with_capacity(rows.len());
    for r in &rows {
        metas.push(BlockMeta {
            branch: r.try_get("branch_id").map_err(db_err)?,
            first: r.try_get("first_member").map_err(db_err)?,
            last: r.try_get("last_member").map_err(db_err)?,
            lines: r.try_get("lines").map_err(db_err)?,
            eligible: r.try_get("eligible").map_err(db_err)?,
        });
    }
    // Upheld challenges move lines from off to on the roll; count them into their blocks.
    let mut moved_on: HashMap<(i64, i64), i64> = HashMap::new();
    if !overrides.is_empty() {
        let rows =
            sqlx::query("SELECT member_id, branch_id FROM roll_overrides WHERE roll_id = $1")
                .bind(roll)
                .fetch_all(&mut *conn)
                .await
                .map_err(db_err)?;
        for r in &rows {
            let member: i64 = r.try_get("member_id").map_err(db_err)?;
            let branch: i64 = r.try_get("branch_id").map_err(db_err)?;
            if overrides.get(&member).is_some_and(|o| o.eligible)
                && let Some(m) = metas
                    .iter()
                    .find(|m| m.branch == branch && m.first <= member && member <= m.last)
            {
                *moved_on.entry((m.branch, m.first)).or_default() += 1;
            }
        }
    }
    let matching = |m: &BlockMeta| {
        let on = m.eligible + moved_on.get(&(m.branch, m.first)).copied().unwrap_or(0);
        let n = match q.eligible {
            None => m.lines,
            Some(true) => on,
            Some(false) => m.lines - on,
        };
        u64::try_from(n).unwrap_or(0)
    };
    let total: u64 = metas.iter().map(matching).sum();
    let mut skip = offset;
    let mut page = Vec::with_capacity(per_page);
    let mut lines = Vec::new();
    for m in &metas {
        if page.len() >= per_page {
            break;
        }
        let n = matching(m);
        if skip >= n {
            skip -= n;
            continue;
        }
        let body: String = sqlx::query_scalar(
            "SELECT body FROM roll_blocks WHERE roll_id = $1 AND branch_id = $2 AND first_member = $3",
        )
        .bind(roll)
        .bind(m.branch)
        .bind(m.first)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
        lines.clear();
        read_lines(&body, &mut lines)?;
        for l in lines.iter().filter(|l| wanted(l)) {
            if skip > 0 {
                skip -= 1;
            } else if page.len() < per_page {
                page.push(*l);
            }
        }
    }
    Ok((page, total))
}

#[async_trait::async_trait]
impl RollStore for StoreImpl {
    async fn freeze_roll(
        &self,
        roll: &NewRoll,
        reasons: &[RollReason],
        entries: &[NewRollEntry],
        event: &NewEvent,
    ) -> StoreResult<RollId> {
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
        let lines: Vec<Line> = entries
            .iter()
            .map(|e| Line {
                member: e.member.0,
                branch: e.branch.0,
                eligible: e.eligible,
                reason: if e.eligible { None } else { e.reason },
            })
            .collect();
        let mut by_member: Vec<&Line> = lines.iter().collect();
        by_member.sort_unstable_by_key(|l| l.member);
        if by_member.windows(2).any(|w| w[0].member == w[1].member) {
            return Err(StoreError::Conflict {
                field: "member".into(),
                message: "a member appears twice on the roll".into(),
            });
        }
        let mut digits = itoa::Buffer::new();
        let index = blocks(&by_member, &mut digits);
        // Per branch in member order: one pass over the member-ordered lines.
        let mut of_branch: BTreeMap<i64, Vec<&Line>> = BTreeMap::new();
        for l in &by_member {
            of_branch.entry(l.branch).or_default().push(l);
        }
        drop(by_member);
        let branch_blocks: Vec<(i64, Block)> = of_branch
            .iter()
            .flat_map(|(branch, lines)| {
                blocks(lines, &mut digits)
                    .into_iter()
                    .map(move |b| (*branch, b))
            })
            .collect();
        drop(of_branch);

        let mut tx = self.write_tx().await?;
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
        .bind(roll.version_id.raw())
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
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO roll_reasons (roll_id, idx, clauses, reason) ",
            );
            qb.push_values(reasons.iter().enumerate(), |mut b, (i, r)| {
                b.push_bind(id)
                    .push_bind(i as i64)
                    .push_bind(r.clauses.clone())
                    .push_bind(r.reason.clone());
            });
            qb.build().execute(&mut *tx).await.map_err(db_err)?;
        }
        for chunk in index.chunks(BLOCK_ROWS_PER_INSERT) {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO roll_member_index (roll_id, first_member, last_member, body) ",
            );
            qb.push_values(chunk, |mut b, block| {
                b.push_bind(id)
                    .push_bind(block.first)
                    .push_bind(block.last)
                    .push_bind(block.body.as_str());
            });
            qb.build().execute(&mut *tx).await.map_err(db_err)?;
        }
        for chunk in branch_blocks.chunks(BLOCK_ROWS_PER_INSERT) {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO roll_blocks (roll_id, branch_id, first_member, last_member, lines, eligible, body) ",
            );
            qb.push_values(chunk, |mut b, (branch, block)| {
                b.push_bind(id)
                    .push_bind(*branch)
                    .push_bind(block.first)
                    .push_bind(block.last)
                    .push_bind(block.lines)
                    .push_bind(block.eligible)
                    .push_bind(block.body.as_str());
            });
            qb.build().execute(&mut *tx).await.map_err(db_err)?;
        }
        if !per_branch.is_empty() {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO roll_branch_counts (roll_id, branch_id, eligible, excluded) ",
            );
            qb.push_values(per_branch, |mut b, (branch, (yes, no))| {
                b.push_bind(id)
                    .push_bind(branch)
                    .push_bind(yes)
                    .push_bind(no);
            });
            qb.build().execute(&mut *tx).await.map_err(db_err)?;
        }
        commit(tx).await?;
        Ok(RollId(id))
    }

    async fn rolls(&self) -> StoreResult<Vec<RollRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ROLL_SELECT} ORDER BY id DESC"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        all(&rows, roll_from)
    }

    async fn roll(&self, id: RollId) -> StoreResult<Option<RollRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{ROLL_SELECT} WHERE id = $1")))
            .bind(id.raw())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.as_ref().map(roll_from).transpose().map_err(db_err)
    }

    async fn roll_counts(&self, roll: RollId) -> StoreResult<Vec<RollBranchCount>> {
        let rows = sqlx::query(
            "SELECT branch_id, eligible, excluded FROM roll_branch_counts WHERE roll_id = $1 ORDER BY branch_id",
        )
        .bind(roll.raw())
        .fetch_all(&self.pool)
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

    async fn roll_entry(
        &self,
        roll: RollId,
        member: MemberId,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<RollEntryRecord>> {
        let mut tx = if access.is_some() {
            self.write_tx().await?
        } else {
            self.read_tx().await?
        };
        let found = entry_in(&mut tx, roll.raw(), member.0).await?;
        if let (Some(_), Some(a)) = (&found, access) {
            log_access(&mut tx, &[member.0], a).await?;
        }
        commit(tx).await?;
        Ok(found)
    }

    async fn roll_names(
        &self,
        roll: RollId,
        q: &RollQuery,
        access: &AccessContext,
    ) -> StoreResult<Page<RollNameRecord>> {
        let per_page = q.per_page.clamp(1, MAX_ROLL_PAGE);
        let offset = u64::from(q.page.max(1) - 1) * u64::from(per_page);
        let mut tx = self.write_tx().await?;
        let overrides = overrides_of(&mut tx, roll.raw(), None).await?;
        let (lines, total) =
            page_of_lines(&mut tx, roll.raw(), q, &overrides, offset, per_page as usize).await?;
        let reasons = reasons_of(&mut tx, roll.raw()).await?;
        let mut names: HashMap<i64, (String, String)> = HashMap::with_capacity(lines.len());
        if !lines.is_empty() {
            let mut qb = sqlx::QueryBuilder::<Db>::new(
                "SELECT id, first_name, last_name FROM members WHERE id IN (",
            );
            let mut list = qb.separated(", ");
            for l in &lines {
                list.push_bind(l.member);
            }
            qb.push(")");
            for r in qb.build().fetch_all(&mut *tx).await.map_err(db_err)? {
                names.insert(
                    r.try_get("id").map_err(db_err)?,
                    (
                        r.try_get("first_name").map_err(db_err)?,
                        r.try_get("last_name").map_err(db_err)?,
                    ),
                );
            }
        }
        let items: Vec<RollNameRecord> = lines
            .iter()
            .map(|l| {
                let (first_name, last_name) = names.get(&l.member).cloned().unwrap_or_default();
                RollNameRecord {
                    entry: record(l, &overrides, &reasons),
                    first_name,
                    last_name,
                }
            })
            .collect();
        let ids: Vec<i64> = items.iter().map(|n| n.entry.member.0).collect();
        log_access(&mut tx, &ids, access).await?;
        commit(tx).await?;
        Ok(Page {
            items,
            total,
            total_capped: false,
        })
    }

    async fn roll_frozen_lines(
        &self,
        roll: RollId,
        access: Option<&AccessContext>,
    ) -> StoreResult<Vec<(MemberId, UnitId, bool)>> {
        let mut tx = if access.is_some() {
            self.write_tx().await?
        } else {
            self.read_tx().await?
        };
        let bodies: Vec<String> = sqlx::query_scalar(
            "SELECT body FROM roll_member_index WHERE roll_id = $1 ORDER BY first_member",
        )
        .bind(roll.raw())
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let mut lines = Vec::with_capacity(bodies.len() * LINES_PER_BLOCK);
        for body in &bodies {
            read_lines(body, &mut lines)?;
        }
        drop(bodies);
        let lines: Vec<(MemberId, UnitId, bool)> = lines
            .iter()
            .map(|l| (MemberId(l.member), UnitId(l.branch), l.eligible))
            .collect();
        if let Some(a) = access {
            let ids: Vec<i64> = lines.iter().map(|l| l.0.0).collect();
            log_access(&mut tx, &ids, a).await?;
        }
        commit(tx).await?;
        Ok(lines)
    }

    async fn lodge_challenge(&self, c: &NewChallenge, event: &NewEvent) -> StoreResult<RollChallengeId> {
        let mut tx = self.write_tx().await?;
        let Some(line) = entry_in(&mut tx, c.roll.raw(), c.member.0).await? else {
            return Err(StoreError::NotFound("roll line"));
        };
        if line.eligible {
            return Err(StoreError::Conflict {
                field: "member".into(),
                message: "this member is on the roll; only an exclusion can be challenged".into(),
            });
        }
        let seq = append_event(&mut tx, event).await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO roll_challenges (roll_id, member_id, branch_id, grounds, lodged_at, lodged_by, state, event_seq)
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
        )
        .bind(c.roll.raw())
        .bind(c.member.0)
        .bind(line.branch.0)
        .bind(&c.grounds)
        .bind(event.at)
        .bind(c.lodged_by.map(|m| m.0))
        .bind(seq)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(RollChallengeId(id))
    }

    async fn challenges(&self, roll: RollId) -> StoreResult<Vec<ChallengeRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CHALLENGE_SELECT} WHERE c.roll_id = $1 ORDER BY c.id"
        )))
        .bind(roll.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        all(&rows, challenge_from)
    }

    async fn challenge(&self, id: RollChallengeId) -> StoreResult<Option<ChallengeRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{CHALLENGE_SELECT} WHERE c.id = $1"
        )))
        .bind(id.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(challenge_from).transpose().map_err(db_err)
    }

    async fn decide_challenge(
        &self,
        id: RollChallengeId,
        d: &ChallengeDecision,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT c.roll_id, c.member_id, c.branch_id, c.state, r.current_hash
             FROM roll_challenges c JOIN rolls r ON r.id = c.roll_id WHERE c.id = $1{LOCK}"
        )))
        .bind(id.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("challenge"))?;
        let roll: i64 = row.try_get("roll_id").map_err(db_err)?;
        let member: i64 = row.try_get("member_id").map_err(db_err)?;
        let branch: i64 = row.try_get("branch_id").map_err(db_err)?;
        let state: String = row.try_get("state").map_err(db_err)?;
        let hash: String = row.try_get("current_hash").map_err(db_err)?;
        if state != "open" {
            return Err(StoreError::Stale(format!(
                "this challenge was already {state}"
            )));
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
        .bind(id.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if d.upheld {
            sqlx::query(
                "INSERT INTO roll_overrides (roll_id, member_id, branch_id, eligible, challenge_id)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(roll)
            .bind(member)
            .bind(branch)
            .bind(true)
            .bind(id.raw())
            .execute(&mut *tx)
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
}
