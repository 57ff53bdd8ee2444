//! Charter's embedded store: [`charter_store::Store`] over SQLite.
//!
//! The database runs in WAL mode with `synchronous=FULL` (an acknowledged commit survives power
//! loss), foreign keys on and a busy timeout. Every write runs in a `BEGIN IMMEDIATE`
//! transaction, so a read-then-write never fails half way on a lock upgrade and SQLite's single
//! writer orders governance events exactly as they commit. Reads that log access write too, so
//! they run the same way. Within the process writers take turns on an async mutex before
//! taking a connection: SQLite's busy handler would have them sleep and poll (1, 2, 5 … 100 ms),
//! leaving the lock idle while they sleep and holding pool connections readers need. The busy
//! timeout still covers other processes (the `charter` commands) writing to the same file.
//!
//! Directory search uses an FTS5 trigram index over `members.search_text` (substring match for
//! three characters or more) and a prefix range on the name for one or two characters.

/// The constitution's tables: the shared portable SQL in `charter-store/sql/constitution.rs`.
mod constitution {
    type Db = sqlx::Sqlite;
    type DbConn = sqlx::SqliteConnection;
    /// Row lock for the compare-and-set on an amendment's state (`BEGIN IMMEDIATE` already holds SQLite's write lock).
    const LOCK: &str = "";
    use crate::{SqliteStore as StoreImpl, append_event, commit, db_err, log_access};
    /// One member's line in a bulk read of facts: dates as stored (ISO text).
    const FACT_LINE: &str =
        "CAST(m.id AS TEXT) || ' ' || m.status || ' ' || COALESCE(m.paid_up_until, '-')
        || ' ' || m.joined_on || ' ' || CAST(m.branch_id AS TEXT)";
    include!("../../store/sql/constitution.rs");
}
/// Agenda items and their papers: the shared SQL in `charter-store/sql/agenda.rs`.
mod agenda {
    type Db = sqlx::Sqlite;
    /// Locks a meeting's row while its agenda changes (BEGIN IMMEDIATE already holds SQLite's write lock).
    const MEETING_LOCK: &str = "";
    use crate::{SqliteStore as StoreImpl, append_event, commit, db_err};
    include!("../../store/sql/agenda.rs");
}
/// Applications to join, their decisions and resignations: the shared SQL in
/// `charter-store/sql/applications.rs`.
mod applications {
    type Db = sqlx::Sqlite;
    use crate::search::push_scope;
    use crate::{
        SqliteStore as StoreImpl, append_event, commit, db_err, insert_member,
        insert_status_change, log_access,
    };
    include!("../../store/sql/applications.rs");
}
/// Meetings, notices, attendance and motions: the shared SQL in `charter-store/sql/meetings.rs`.
mod meetings {
    type Db = sqlx::Sqlite;
    /// How a sender claims queued messages no other sender holds (SQLite's write lock already serialises senders).
    const SKIP_LOCKED: &str = "";
    use crate::{SqliteStore as StoreImpl, append_event, commit, db_err, log_access};
    /// Row locks for a poll: votes share it, closing takes it (BEGIN IMMEDIATE already serialises SQLite's writers).
    const SHARE_LOCK: &str = "";
    const UPDATE_LOCK: &str = "";
    include!("../../store/sql/meetings.rs");
}
/// Requisitions, their signatures and reminders: the shared SQL in
/// `charter-store/sql/requisitions.rs`.
mod requisitions {
    type Db = sqlx::Sqlite;
    use crate::{SqliteStore as StoreImpl, append_event, commit, db_err};
    /// Row lock for the reminder's compare-and-set (BEGIN IMMEDIATE already holds SQLite's write lock).
    const UPDATE_LOCK: &str = "";
    use crate::applications::queue_letters;
    include!("../../store/sql/requisitions.rs");
}
/// Elections, nominations and seating: the shared SQL in `charter-store/sql/elections.rs`.
mod elections {
    type Db = sqlx::Sqlite;
    use crate::{SqliteStore as StoreImpl, append_event, commit, db_err};
    const UPDATE_LOCK: &str = "";
    include!("../../store/sql/elections.rs");
}
/// Delegate conferences, credentials, challenges and card votes: the shared SQL in
/// `charter-store/sql/delegates.rs`.
mod delegates {
    type Db = sqlx::Sqlite;
    use crate::{SqliteStore as StoreImpl, append_event, commit, db_err};
    /// Row locks (BEGIN IMMEDIATE already serialises SQLite's writers).
    const UPDATE_LOCK: &str = "";
    const SHARE_LOCK: &str = "";
    include!("../../store/sql/delegates.rs");
}
/// Ballots, their voters and their box: the shared SQL in `charter-store/sql/ballots.rs`.
mod ballots {
    type Db = sqlx::Sqlite;
    use crate::{SqliteStore as StoreImpl, append_event, append_events, commit, db_err};
    /// Row locks (BEGIN IMMEDIATE already serialises SQLite's writers).
    const UPDATE_LOCK: &str = "";
    const SHARE_LOCK: &str = "";
    include!("../../store/sql/ballots.rs");
}
/// Paper ballots and the scrutineer's reads: the shared SQL in `charter-store/sql/paper.rs`.
mod paper {
    type Db = sqlx::Sqlite;
    use crate::{SqliteStore as StoreImpl, append_event, commit, db_err, log_access};
    /// Row locks (BEGIN IMMEDIATE already serialises SQLite's writers).
    const UPDATE_LOCK: &str = "";
    const SHARE_LOCK: &str = "";
    /// A read transaction is one snapshot already (WAL).
    const SNAPSHOT: &str = "";
    include!("../../store/sql/paper.rs");
}
/// Units after the founding, office holdings with their mandate and appointment motions: the
/// shared SQL in `charter-store/sql/structure.rs`.
mod structure {
    type Db = sqlx::Sqlite;
    use crate::{SqliteStore as StoreImpl, append_event, commit, db_err};
    const UPDATE_LOCK: &str = "";
    include!("../../store/sql/structure.rs");
}

/// Accounts: links by email, passwords and two-factor sign-in: the shared SQL in
/// `charter-store/sql/accounts.rs`.
mod accounts {
    type Db = sqlx::Sqlite;
    type DbConn = sqlx::SqliteConnection;
    use crate::{SqliteStore as StoreImpl, append_event, commit, db_err};
    include!("../../store/sql/accounts.rs");
}
/// Bringing a register in (`charter import`): the shared SQL in `charter-store/sql/import.rs`,
/// over SQLite's own ways (`import_rows`).
mod import {
    type Db = sqlx::Sqlite;
    type DbConn = sqlx::SqliteConnection;
    /// Row lock for the members an import updates (BEGIN IMMEDIATE already holds SQLite's write lock).
    const ROW_LOCK: &str = "";
    use crate::import_rows::{
        MAX_BINDS, first_free_member_id, insert_member_rows, insert_payment_rows,
        insert_status_rows, member_ids_used, pause_foreign_keys, pause_search_index,
        restore_foreign_keys, resume_search_index,
    };
    use crate::rows::MemberRow;
    use crate::{SqliteStore as StoreImpl, append_events, commit, db_err};
    include!("../../store/sql/import.rs");
}
mod import_rows;
mod rows;
/// Rolls and challenges: the shared portable SQL in `charter-store/sql/rolls.rs`.
mod rolls {
    type Db = sqlx::Sqlite;
    /// Row lock for compare-and-set reads (BEGIN IMMEDIATE already holds SQLite's write lock).
    const LOCK: &str = "";
    use crate::{SqliteStore as StoreImpl, append_event, commit, db_err, log_access};
    include!("../../store/sql/rolls.rs");
}
mod search;
mod seed;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use charter_domain::{
    BodyId, MemberChanges, MemberId, MemberStatus, NewMember, OfficeId, OfficeKind, Payment,
    UnitId, UnitKind,
};
use charter_store::batch::Batcher;
use charter_store::text::{conflict_for, search_text, sort_key};
use charter_store::*;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};

use rows::*;

/// The store over one SQLite database file (or a private in-memory database for tests).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The writers' turn: held from before `BEGIN IMMEDIATE` to the end of the transaction.
    writer: Arc<tokio::sync::Mutex<()>>,
    /// Ballots cast at the same time go into the box in one transaction (group commit).
    casts: Arc<Batcher<ballots::CastJob, CastOutcome>>,
}

/// A transaction; a writing one holds the store's writer turn until it ends.
pub(crate) struct Tx {
    // Declared first so it is dropped (rolled back) before the turn is released.
    tx: Transaction<'static, Sqlite>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl std::ops::Deref for Tx {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }
}

/// Maps a driver error to the store's vocabulary: uniqueness → `Conflict` naming the field,
/// a missing referenced row → `NotFound`, no connection or a locked database → `Unavailable`.
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_) => StoreError::Unavailable(e.to_string()),
        sqlx::Error::Database(d) => {
            if d.is_unique_violation() {
                conflict_for(d.constraint().unwrap_or_else(|| d.message()))
            } else if d.is_foreign_key_violation() {
                StoreError::NotFound("referenced record")
            } else if matches!(d.code().as_deref(), Some("5" | "6" | "261" | "262" | "517")) {
                // SQLITE_BUSY / SQLITE_LOCKED and their extended codes, after the busy timeout.
                StoreError::Unavailable(d.message().to_string())
            } else {
                StoreError::Database(d.message().to_string())
            }
        }
        _ => StoreError::Database(e.to_string()),
    }
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `sqlite://PATH`, or a private in-memory
    /// database for `sqlite::memory:`. Call [`Store::migrate`] before use.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        Self::open(url, SqliteSynchronous::Full).await
    }

    /// Opens a throwaway database (the demo's, recreated on every start) without waiting for
    /// the disk on each commit. Never use it for a register that must survive a power cut.
    pub async fn connect_throwaway(url: &str) -> Result<Self, StoreError> {
        Self::open(url, SqliteSynchronous::Off).await
    }

    async fn open(url: &str, synchronous: SqliteSynchronous) -> Result<Self, StoreError> {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unavailable(format!("database url '{url}': {e}")))?
            .create_if_missing(true)
            .foreign_keys(true)
            .synchronous(synchronous)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory")
            .pragma("cache_size", "-65536");
        let options = if memory {
            options
        } else {
            options.journal_mode(SqliteJournalMode::Wal)
        };
        // An in-memory database lives only while a connection holds it, and shared-cache
        // connections lock whole tables: one long-lived connection keeps it simple and whole.
        let pool_options = if memory {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(8)
        };
        let pool = pool_options
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unavailable(format!("cannot open {url}: {e}")))?;
        Ok(SqliteStore {
            pool,
            writer: Arc::new(tokio::sync::Mutex::new(())),
            casts: Arc::new(Batcher::new(ballots::CAST_BATCH)),
        })
    }

    /// The underlying pool, for tests and benchmarks that inspect the database directly.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Refreshes the query planner's statistics (after a bulk load).
    pub async fn analyze(&self) -> StoreResult<()> {
        sqlx::query("ANALYZE")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    /// A writing transaction, begun once this writer's turn has come.
    pub(crate) async fn write_tx(&self) -> StoreResult<Tx> {
        let turn = self.writer.clone().lock_owned().await;
        let tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_err)?;
        Ok(Tx {
            tx,
            _turn: Some(turn),
        })
    }

    /// A reading transaction (one snapshot of the database); it waits for no writer.
    pub(crate) async fn read_tx(&self) -> StoreResult<Tx> {
        let tx = self.pool.begin().await.map_err(db_err)?;
        Ok(Tx { tx, _turn: None })
    }
}

pub(crate) async fn commit(tx: Tx) -> StoreResult<()> {
    tx.tx.commit().await.map_err(db_err)
}

/// Appends a governance event; its `seq` is the next in commit order.
pub(crate) async fn append_event(conn: &mut SqliteConnection, e: &NewEvent) -> StoreResult<i64> {
    sqlx::query_scalar::<_, i64>(
        "INSERT INTO governance_events (at, actor_member, actor_office, kind, subject, payload, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq",
    )
    .bind(e.at)
    .bind(e.actor.member.map(|m| m.0))
    .bind(e.actor.office.as_deref())
    .bind(&e.kind)
    .bind(&e.subject)
    .bind(&e.payload)
    .bind(&e.reason)
    .fetch_one(conn)
    .await
    .map_err(db_err)
}

/// Appends governance events in one statement, their `seq`s next in commit order and in the
/// order given.
pub(crate) async fn append_events(
    conn: &mut SqliteConnection,
    events: &[&NewEvent],
) -> StoreResult<()> {
    // 7 values a row keeps each statement far below SQLite's limit on bound values.
    for chunk in events.chunks(1_000) {
        let mut qb = sqlx::QueryBuilder::<Sqlite>::new(
            "INSERT INTO governance_events (at, actor_member, actor_office, kind, subject, payload, reason) ",
        );
        qb.push_values(chunk, |mut b, e| {
            b.push_bind(e.at)
                .push_bind(e.actor.member.map(|m| m.0))
                .push_bind(e.actor.office.clone())
                .push_bind(e.kind.clone())
                .push_bind(e.subject.clone())
                .push_bind(e.payload.clone())
                .push_bind(e.reason.clone());
        });
        qb.build().execute(&mut *conn).await.map_err(db_err)?;
    }
    Ok(())
}

pub(crate) async fn log_access(
    conn: &mut SqliteConnection,
    subjects: &[i64],
    access: &AccessContext,
) -> StoreResult<()> {
    // 5 values a row keeps each statement far below SQLite's limit on bound values.
    for chunk in subjects.chunks(5000) {
        let mut qb = sqlx::QueryBuilder::<Sqlite>::new(
            "INSERT INTO access_log (subject_id, reader_id, office, purpose, at) ",
        );
        qb.push_values(chunk, |mut b, id| {
            b.push_bind(*id)
                .push_bind(access.reader.map(|r| r.0))
                .push_bind(access.office.clone())
                .push_bind(access.purpose.clone())
                .push_bind(access.at);
        });
        qb.build().execute(&mut *conn).await.map_err(db_err)?;
    }
    Ok(())
}

async fn unit_kind(conn: &mut SqliteConnection, unit: UnitId) -> StoreResult<Option<UnitKind>> {
    let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM units WHERE id = $1")
        .bind(unit.0)
        .fetch_optional(conn)
        .await
        .map_err(db_err)?;
    kind.map(|k| charter_store::text::decode_unit_kind(&k))
        .transpose()
}

async fn member_exists(conn: &mut SqliteConnection, member: MemberId) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM members WHERE id = $1")
        .bind(member.0)
        .fetch_optional(conn)
        .await
        .map_err(db_err)?;
    Ok(found.is_some())
}

pub(crate) async fn insert_member(
    conn: &mut SqliteConnection,
    m: &NewMember,
    password_hash: Option<&str>,
) -> StoreResult<MemberId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO members (first_name, last_name, email, phone, postcode, branch_id, status,
                              joined_on, dues_plan, paid_up_until, password_hash, search_text, sort_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, $11, $12) RETURNING id",
    )
    .bind(m.first_name.as_str())
    .bind(m.last_name.as_str())
    .bind(m.email.as_str())
    .bind(m.phone.as_ref().map(|p| p.as_str()))
    .bind(m.postcode.as_str())
    .bind(m.branch.0)
    .bind(m.status.as_str())
    .bind(m.joined_on)
    .bind(m.dues_plan.as_str())
    .bind(password_hash)
    .bind(search_text(
        m.first_name.as_str(),
        m.last_name.as_str(),
        m.email.as_str(),
        m.postcode.as_str(),
    ))
    .bind(sort_key(m.first_name.as_str(), m.last_name.as_str()))
    .fetch_one(conn)
    .await
    .map_err(db_err)?;
    Ok(MemberId(id))
}

/// Ends every session of `member`: a change of status changes what they may reach and the
/// powers of their offices, so sessions opened under the old status end with it.
pub(crate) async fn end_sessions(conn: &mut SqliteConnection, member: MemberId) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE member_id = $1")
        .bind(member.0)
        .execute(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub(crate) async fn insert_status_change(
    conn: &mut SqliteConnection,
    member: MemberId,
    c: &StatusChangeInput,
    at: chrono::DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO status_changes (member_id, from_status, to_status, effective_on, reason, changed_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(member.0)
    .bind(c.from.map(|s| s.as_str()))
    .bind(c.to.as_str())
    .bind(c.effective_on)
    .bind(&c.reason)
    .bind(c.changed_by.map(|m| m.0))
    .bind(at)
    .execute(conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

async fn fetch_member_row(
    conn: &mut SqliteConnection,
    member: MemberId,
) -> StoreResult<Option<MemberRow>> {
    sqlx::query_as::<_, MemberRow>(
        "SELECT m.id, m.first_name, m.last_name, m.email, m.phone, m.postcode, m.branch_id,
                u.name AS branch_name, m.status, m.joined_on, m.dues_plan, m.paid_up_until
         FROM members m JOIN units u ON u.id = m.branch_id WHERE m.id = $1",
    )
    .bind(member.0)
    .fetch_optional(conn)
    .await
    .map_err(db_err)
}

fn terms_on_date<T>(rows: Vec<(i64, Option<T>, Option<NaiveDate>)>) -> Vec<(i64, Option<T>)> {
    // Several terms may overlap a date after a data fix; the latest start wins.
    let mut out: Vec<(i64, Option<T>, Option<NaiveDate>)> = Vec::new();
    for (key, value, start) in rows {
        match out.iter_mut().find(|(k, _, _)| *k == key) {
            Some(existing) if start > existing.2 => *existing = (key, value, start),
            Some(_) => {}
            None => out.push((key, value, start)),
        }
    }
    out.into_iter().map(|(k, v, _)| (k, v)).collect()
}

const OFFICE_SELECT: &str = "SELECT o.id, o.unit_id, u.name AS unit_name, u.kind AS unit_kind, o.kind,
        t.member_id AS holder_id, CASE WHEN h.id IS NULL THEN NULL ELSE h.first_name || ' ' || h.last_name END AS holder_name,
        t.starts_on, t.ends_on, t.mandate, t.election_id, t.motion_id, t.clause
    FROM offices o
    JOIN units u ON u.id = o.unit_id
    LEFT JOIN office_terms t ON t.office_id = o.id AND t.starts_on <= $1 AND (t.ends_on IS NULL OR t.ends_on >= $1)
    LEFT JOIN members h ON h.id = t.member_id";

fn offices_from_rows(rows: Vec<OfficeRow>) -> StoreResult<Vec<OfficeRecord>> {
    let keyed: Vec<(i64, Option<OfficeRow>, Option<NaiveDate>)> = rows
        .into_iter()
        .map(|r| (r.id, r.starts_on, r))
        .map(|(id, start, r)| (id, Some(r), start))
        .collect();
    terms_on_date(keyed)
        .into_iter()
        .filter_map(|(_, r)| r)
        .map(OfficeRow::into_record)
        .collect()
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> StoreResult<()> {
        sqlx::migrate!("./migrations")
            .run(&self.pool)
            .await
            .map_err(|e| match e {
                sqlx::migrate::MigrateError::Execute(e) => db_err(e),
                other => StoreError::Database(other.to_string()),
            })
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn create_unit(
        &self,
        parent: Option<UnitId>,
        kind: UnitKind,
        name: &str,
        slug: &str,
        event: &NewEvent,
    ) -> StoreResult<UnitId> {
        let mut tx = self.write_tx().await?;
        if let Some(p) = parent
            && unit_kind(&mut tx, p).await?.is_none()
        {
            return Err(StoreError::NotFound("parent unit"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO units (parent_id, kind, name, slug) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(parent.map(|p| p.0))
        .bind(kind.as_str())
        .bind(name)
        .bind(slug)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await?;
        Ok(UnitId(id))
    }

    async fn units(&self) -> StoreResult<Vec<UnitRecord>> {
        let rows = sqlx::query_as::<_, UnitRow>(
            "SELECT id, parent_id, kind, name, slug, closed_on, merged_into FROM units ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        rows.into_iter().map(UnitRow::into_record).collect()
    }

    async fn establish_unit(&self, unit: &NewUnit, event: &NewEvent) -> StoreResult<UnitId> {
        structure::establish(self, unit, event).await
    }

    async fn rename_unit(&self, unit: UnitId, name: &str, event: &NewEvent) -> StoreResult<()> {
        structure::rename(self, unit, name, event).await
    }

    async fn merge_unit(&self, m: &UnitMerge, event: &NewEvent) -> StoreResult<Merged> {
        structure::merge(self, m, event).await
    }

    async fn close_unit(&self, unit: UnitId, on: NaiveDate, event: &NewEvent) -> StoreResult<()> {
        structure::close(self, unit, on, event).await
    }

    async fn take_office(
        &self,
        office: OfficeId,
        member: MemberId,
        term: Term,
        mandate: Mandate,
        clause: Option<&str>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        structure::take_office(self, office, member, term, mandate, clause, event).await
    }

    async fn propose_appointment(
        &self,
        motion: &NewMotion,
        appointment: &NewAppointment,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        structure::propose_appointment(self, motion, appointment, event).await
    }

    async fn motion_appointment(&self, motion: i64) -> StoreResult<Option<AppointmentRecord>> {
        structure::motion_appointment(self, motion).await
    }

    async fn propose_status_motion(
        &self,
        motion: &NewMotion,
        change: &NewStatusMotion,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        structure::propose_status_motion(self, motion, change, event).await
    }

    async fn motion_status_change(&self, motion: i64) -> StoreResult<Option<NewStatusMotion>> {
        structure::motion_status_change(self, motion).await
    }

    async fn branch_stats(&self, paid_up_cutoff: NaiveDate) -> StoreResult<Vec<BranchStats>> {
        let rows = sqlx::query_as::<_, StatsRow>(
            "SELECT branch_id, status, COUNT(*) AS n,
                    SUM(CASE WHEN paid_up_until >= $1 THEN 1 ELSE 0 END) AS paid
             FROM members GROUP BY branch_id, status",
        )
        .bind(paid_up_cutoff)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let branches: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM units WHERE kind = 'branch' ORDER BY id")
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
        stats_from_rows(branches, rows)
    }

    async fn create_office(
        &self,
        unit: UnitId,
        kind: OfficeKind,
        event: &NewEvent,
    ) -> StoreResult<OfficeId> {
        let mut tx = self.write_tx().await?;
        if unit_kind(&mut tx, unit).await?.is_none() {
            return Err(StoreError::NotFound("unit"));
        }
        let id: i64 =
            sqlx::query_scalar("INSERT INTO offices (unit_id, kind) VALUES ($1, $2) RETURNING id")
                .bind(unit.0)
                .bind(kind.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await?;
        Ok(OfficeId(id))
    }

    async fn appoint(
        &self,
        office: OfficeId,
        member: MemberId,
        term: Term,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let found: Option<i64> = sqlx::query_scalar("SELECT id FROM offices WHERE id = $1")
            .bind(office.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        if found.is_none() {
            return Err(StoreError::NotFound("office"));
        }
        if !member_exists(&mut tx, member).await? {
            return Err(StoreError::NotFound("member"));
        }
        let day_before = term.starts_on.pred_opt().unwrap_or(term.starts_on);
        sqlx::query(
            "UPDATE office_terms SET ends_on = $1
             WHERE office_id = $2 AND starts_on < $3 AND (ends_on IS NULL OR ends_on >= $3)",
        )
        .bind(day_before)
        .bind(office.0)
        .bind(term.starts_on)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        sqlx::query(
            "INSERT INTO office_terms (office_id, member_id, starts_on, ends_on) VALUES ($1, $2, $3, $4)",
        )
        .bind(office.0)
        .bind(member.0)
        .bind(term.starts_on)
        .bind(term.ends_on)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await
    }

    async fn offices(&self, unit: Option<UnitId>, on: NaiveDate) -> StoreResult<Vec<OfficeRecord>> {
        let sql = format!(
            "{OFFICE_SELECT} WHERE ($2 IS NULL OR o.unit_id = $2) ORDER BY o.unit_id, o.id, t.starts_on"
        );
        let rows = sqlx::query_as::<_, OfficeRow>(sqlx::AssertSqlSafe(sql))
            .bind(on)
            .bind(unit.map(|u| u.0))
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        offices_from_rows(rows)
    }

    async fn offices_held(
        &self,
        member: MemberId,
        on: NaiveDate,
    ) -> StoreResult<Vec<OfficeRecord>> {
        let sql =
            format!("{OFFICE_SELECT} WHERE t.member_id = $2 ORDER BY o.unit_id, o.id, t.starts_on");
        let rows = sqlx::query_as::<_, OfficeRow>(sqlx::AssertSqlSafe(sql))
            .bind(on)
            .bind(member.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        offices_from_rows(rows)
    }

    async fn create_body(&self, body: &NewBody, event: &NewEvent) -> StoreResult<BodyId> {
        let mut tx = self.write_tx().await?;
        if unit_kind(&mut tx, body.unit).await?.is_none() {
            return Err(StoreError::NotFound("unit"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bodies (unit_id, name, kind, seats, filled_by) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(body.unit.0)
        .bind(&body.name)
        .bind(&body.kind)
        .bind(i64::from(body.seats))
        .bind(&body.filled_by)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await?;
        Ok(BodyId(id))
    }

    async fn fill_seat(
        &self,
        body: BodyId,
        member: MemberId,
        term: Term,
        how: &str,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let seats: Option<i64> = sqlx::query_scalar("SELECT seats FROM bodies WHERE id = $1")
            .bind(body.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        let Some(seats) = seats else {
            return Err(StoreError::NotFound("body"));
        };
        if !member_exists(&mut tx, member).await? {
            return Err(StoreError::NotFound("member"));
        }
        let holders: Vec<i64> = sqlx::query_scalar(
            "SELECT member_id FROM seats WHERE body_id = $1 AND starts_on <= $2 AND (ends_on IS NULL OR ends_on >= $2)",
        )
        .bind(body.0)
        .bind(term.starts_on)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        check_seat(&holders, seats, member)?;
        sqlx::query(
            "INSERT INTO seats (body_id, member_id, starts_on, ends_on, how) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(body.0)
        .bind(member.0)
        .bind(term.starts_on)
        .bind(term.ends_on)
        .bind(how)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await
    }

    async fn bodies(&self, unit: Option<UnitId>, on: NaiveDate) -> StoreResult<Vec<BodyRecord>> {
        let bodies = sqlx::query_as::<_, BodyRow>(
            "SELECT id, unit_id, name, kind, seats, filled_by FROM bodies
             WHERE ($1 IS NULL OR unit_id = $1) ORDER BY unit_id, id",
        )
        .bind(unit.map(|u| u.0))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let holders = sqlx::query_as::<_, SeatRow>(
            "SELECT s.body_id, s.member_id, m.first_name || ' ' || m.last_name AS name,
                    s.starts_on, s.ends_on, s.how
             FROM seats s JOIN members m ON m.id = s.member_id JOIN bodies b ON b.id = s.body_id
             WHERE ($1 IS NULL OR b.unit_id = $1)
               AND s.starts_on <= $2 AND (s.ends_on IS NULL OR s.ends_on >= $2)
             ORDER BY s.body_id, s.starts_on, s.id",
        )
        .bind(unit.map(|u| u.0))
        .bind(on)
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        bodies_from_rows(bodies, holders)
    }

    async fn add_member(
        &self,
        member: &NewMember,
        password_hash: Option<&str>,
        event: &NewEvent,
    ) -> StoreResult<MemberId> {
        let mut tx = self.write_tx().await?;
        if unit_kind(&mut tx, member.branch).await?.is_none() {
            return Err(StoreError::NotFound("branch"));
        }
        let id = insert_member(&mut tx, member, password_hash).await?;
        let first = StatusChangeInput {
            from: None,
            to: member.status,
            effective_on: member.joined_on,
            reason: event.reason.clone(),
            changed_by: event.actor.member,
        };
        insert_status_change(&mut tx, id, &first, event.at).await?;
        append_event(&mut tx, event).await?;
        commit(tx).await?;
        Ok(id)
    }

    async fn seed_members(
        &self,
        members: &[SeedMember],
        event: &NewEvent,
    ) -> StoreResult<Vec<MemberId>> {
        let mut tx = self.write_tx().await?;
        let ids = seed::seed(&mut tx, members, event.at).await?;
        append_event(&mut tx, event).await?;
        commit(tx).await?;
        if crosses_power_of_two(&ids) {
            // A bulk load changes the shape of the data: refresh the planner's statistics,
            // sampled so it stays cheap, each time the register doubles in size.
            let mut conn = self.pool.acquire().await.map_err(db_err)?;
            sqlx::query("PRAGMA analysis_limit = 1000")
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
            sqlx::query("ANALYZE")
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
        }
        Ok(ids)
    }

    async fn import_matches(
        &self,
        emails: &[String],
        numbers: &[MemberId],
    ) -> StoreResult<Vec<ImportMatch>> {
        import::matches(self, emails, numbers).await
    }

    async fn import_register(
        &self,
        batch: &ImportBatch,
        events: &[NewEvent],
        progress: ImportProgress<'_>,
    ) -> StoreResult<ImportWritten> {
        let written = import::write(self, batch, events, progress).await?;
        let mut ids = written.members.clone();
        ids.sort_unstable();
        if crosses_power_of_two(&ids) {
            // A bulk load changes the shape of the data: refresh the planner's statistics.
            let mut conn = self.pool.acquire().await.map_err(db_err)?;
            sqlx::query("PRAGMA analysis_limit = 1000")
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
            sqlx::query("ANALYZE")
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
        }
        Ok(written)
    }

    async fn office_terms(&self, unit: Option<UnitId>) -> StoreResult<Vec<OfficeTermRecord>> {
        import::office_terms(self, unit).await
    }

    async fn member_branch(&self, member: MemberId) -> StoreResult<Option<UnitId>> {
        let b: Option<i64> = sqlx::query_scalar("SELECT branch_id FROM members WHERE id = $1")
            .bind(member.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(b.map(UnitId))
    }

    async fn member(
        &self,
        member: MemberId,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<MemberDetail>> {
        let mut tx = if access.is_some() {
            self.write_tx().await?
        } else {
            self.read_tx().await?
        };
        let Some(row) = fetch_member_row(&mut tx, member).await? else {
            return Ok(None);
        };
        let status_history = sqlx::query_as::<_, StatusRow>(
            "SELECT s.from_status, s.to_status, s.effective_on, s.reason, s.changed_by,
                    CASE WHEN c.id IS NULL THEN NULL ELSE c.first_name || ' ' || c.last_name END AS changed_by_name,
                    s.recorded_at
             FROM status_changes s LEFT JOIN members c ON c.id = s.changed_by
             WHERE s.member_id = $1 ORDER BY s.effective_on, s.id",
        )
        .bind(member.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let payments = sqlx::query_as::<_, PaymentRow>(
            "SELECT p.paid_on, p.amount_pence, p.months,
                    CASE WHEN r.id IS NULL THEN NULL ELSE r.first_name || ' ' || r.last_name END AS recorded_by_name
             FROM payments p LEFT JOIN members r ON r.id = p.recorded_by
             WHERE p.member_id = $1 ORDER BY p.paid_on, p.id",
        )
        .bind(member.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let affiliations = sqlx::query_as::<_, AffiliationRow>(
            "SELECT a.id, a.organisation, a.since, a.verified_by,
                    CASE WHEN v.id IS NULL THEN NULL ELSE v.first_name || ' ' || v.last_name END AS verified_by_name,
                    a.verified_on
             FROM affiliations a LEFT JOIN members v ON v.id = a.verified_by
             WHERE a.member_id = $1 ORDER BY a.id",
        )
        .bind(member.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let mut affiliations: Vec<AffiliationRecord> = affiliations
            .into_iter()
            .map(AffiliationRow::into_record)
            .collect();
        let earlier = sqlx::query_as::<_, EarlierVerificationRow>(
            "SELECT h.affiliation_id, h.verified_by,
                    CASE WHEN v.id IS NULL THEN NULL ELSE v.first_name || ' ' || v.last_name END AS verified_by_name,
                    h.verified_on
             FROM affiliation_verifications h
             JOIN affiliations a ON a.id = h.affiliation_id
             LEFT JOIN members v ON v.id = h.verified_by
             WHERE a.member_id = $1 ORDER BY h.id",
        )
        .bind(member.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        for (affiliation, verification) in
            earlier.into_iter().map(EarlierVerificationRow::into_record)
        {
            if let Some(a) = affiliations.iter_mut().find(|a| a.id == affiliation) {
                a.earlier_verifications.push(verification);
            }
        }
        let moves = sqlx::query_as::<_, MoveRow>(
            "SELECT b.from_unit, f.name AS from_name, b.to_unit, t.name AS to_name, b.effective_on, b.reason,
                    CASE WHEN w.id IS NULL THEN NULL ELSE w.first_name || ' ' || w.last_name END AS moved_by_name
             FROM branch_moves b JOIN units f ON f.id = b.from_unit JOIN units t ON t.id = b.to_unit
             LEFT JOIN members w ON w.id = b.moved_by
             WHERE b.member_id = $1 ORDER BY b.effective_on, b.id",
        )
        .bind(member.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        if let Some(access) = access {
            log_access(&mut tx, &[member.0], access).await?;
        }
        commit(tx).await?;
        Ok(Some(MemberDetail {
            record: row.into_record()?,
            status_history: status_history
                .into_iter()
                .map(StatusRow::into_record)
                .collect::<StoreResult<_>>()?,
            payments: payments
                .into_iter()
                .map(PaymentRow::into_record)
                .collect::<StoreResult<_>>()?,
            affiliations,
            branch_history: moves.into_iter().map(MoveRow::into_record).collect(),
        }))
    }

    async fn search_members(
        &self,
        query: &MemberQuery,
        access: Option<&AccessContext>,
    ) -> StoreResult<Page<MemberSummary>> {
        let mut tx = if access.is_some() {
            self.write_tx().await?
        } else {
            self.read_tx().await?
        };
        let page = search::search(&mut tx, query).await?;
        if let Some(access) = access {
            let ids: Vec<i64> = page.items.iter().map(|m| m.id.0).collect();
            log_access(&mut tx, &ids, access).await?;
        }
        commit(tx).await?;
        Ok(page)
    }

    async fn update_member(
        &self,
        member: MemberId,
        changes: &MemberChanges,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let Some(cur) = fetch_member_row(&mut tx, member).await? else {
            return Err(StoreError::NotFound("member"));
        };
        let first = changes
            .first_name
            .as_ref()
            .map_or(cur.first_name.as_str(), |v| v.as_str());
        let last = changes
            .last_name
            .as_ref()
            .map_or(cur.last_name.as_str(), |v| v.as_str());
        let email = changes
            .email
            .as_ref()
            .map_or(cur.email.as_str(), |v| v.as_str());
        let postcode = changes
            .postcode
            .as_ref()
            .map_or(cur.postcode.as_str(), |v| v.as_str());
        let phone: Option<&str> = match &changes.phone {
            Some(p) => p.as_ref().map(|p| p.as_str()),
            None => cur.phone.as_deref(),
        };
        let plan = changes
            .dues_plan
            .map_or(cur.dues_plan.as_str(), |p| p.as_str());
        sqlx::query(
            "UPDATE members SET first_name = $1, last_name = $2, email = $3, phone = $4, postcode = $5,
                    dues_plan = $6, search_text = $7, sort_key = $8 WHERE id = $9",
        )
        .bind(first)
        .bind(last)
        .bind(email)
        .bind(phone)
        .bind(postcode)
        .bind(plan)
        .bind(search_text(first, last, email, postcode))
        .bind(sort_key(first, last))
        .bind(member.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await
    }

    async fn change_status(
        &self,
        member: MemberId,
        expected: MemberStatus,
        change: &StatusChangeInput,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE members SET status = $1 WHERE id = $2 AND status = $3")
            .bind(change.to.as_str())
            .bind(member.0)
            .bind(expected.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            let current: Option<String> =
                sqlx::query_scalar("SELECT status FROM members WHERE id = $1")
                    .bind(member.0)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
            return Err(match current {
                None => StoreError::NotFound("member"),
                Some(s) => StoreError::Stale(format!(
                    "the member is now {s}, not {expected}; reload and try again"
                )),
            });
        }
        let recorded = StatusChangeInput {
            from: Some(expected),
            ..change.clone()
        };
        insert_status_change(&mut tx, member, &recorded, event.at).await?;
        end_sessions(&mut tx, member).await?;
        append_event(&mut tx, event).await?;
        commit(tx).await
    }

    async fn record_payment(
        &self,
        member: MemberId,
        payment: &Payment,
        recorded_by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<Option<NaiveDate>> {
        let mut tx = self.write_tx().await?;
        if !member_exists(&mut tx, member).await? {
            return Err(StoreError::NotFound("member"));
        }
        sqlx::query(
            "INSERT INTO payments (member_id, paid_on, amount_pence, months, recorded_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(member.0)
        .bind(payment.paid_on)
        .bind(payment.amount.pence())
        .bind(i64::from(payment.months))
        .bind(recorded_by.map(|m| m.0))
        .bind(event.at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let all = sqlx::query_as::<_, PaymentRow>(
            "SELECT paid_on, amount_pence, months, NULL AS recorded_by_name FROM payments WHERE member_id = $1",
        )
        .bind(member.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        let payments: Vec<Payment> = all
            .into_iter()
            .map(PaymentRow::into_payment)
            .collect::<StoreResult<_>>()?;
        let until = charter_domain::paid_up_until(&payments);
        sqlx::query("UPDATE members SET paid_up_until = $1 WHERE id = $2")
            .bind(until)
            .bind(member.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await?;
        Ok(until)
    }

    async fn add_affiliation(
        &self,
        member: MemberId,
        organisation: &str,
        since: Option<NaiveDate>,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        let mut tx = self.write_tx().await?;
        if !member_exists(&mut tx, member).await? {
            return Err(StoreError::NotFound("member"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO affiliations (member_id, organisation, since) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(member.0)
        .bind(organisation)
        .bind(since)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await?;
        Ok(id)
    }

    async fn verify_affiliation(
        &self,
        member: MemberId,
        affiliation: i64,
        verified_by: MemberId,
        on: NaiveDate,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        if !member_exists(&mut tx, verified_by).await? {
            return Err(StoreError::NotFound("verifying member"));
        }
        // The verification this one replaces, if any, is kept.
        sqlx::query(
            "INSERT INTO affiliation_verifications (affiliation_id, verified_by, verified_on, replaced_at)
             SELECT id, verified_by, verified_on, $1 FROM affiliations
             WHERE id = $2 AND member_id = $3 AND verified_on IS NOT NULL",
        )
        .bind(event.at)
        .bind(affiliation)
        .bind(member.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let done = sqlx::query(
            "UPDATE affiliations SET verified_by = $1, verified_on = $2 WHERE id = $3 AND member_id = $4",
        )
        .bind(verified_by.0)
        .bind(on)
        .bind(affiliation)
        .bind(member.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("affiliation"));
        }
        append_event(&mut tx, event).await?;
        commit(tx).await
    }

    async fn transfer_member(
        &self,
        member: MemberId,
        move_: &BranchMoveInput,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let current: Option<i64> =
            sqlx::query_scalar("SELECT branch_id FROM members WHERE id = $1")
                .bind(member.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
        let Some(current) = current else {
            return Err(StoreError::NotFound("member"));
        };
        if current != move_.from.0 {
            return Err(StoreError::Stale(format!(
                "the member is no longer in branch {}; reload and try again",
                move_.from
            )));
        }
        if unit_kind(&mut tx, move_.to).await?.is_none() {
            return Err(StoreError::NotFound("branch"));
        }
        insert_move(&mut tx, member, move_, event.at).await?;
        sqlx::query("UPDATE members SET branch_id = $1 WHERE id = $2")
            .bind(move_.to.0)
            .bind(member.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await
    }

    async fn export_members(
        &self,
        scope: &MemberScope,
        access: &AccessContext,
    ) -> StoreResult<Vec<MemberRecord>> {
        let mut tx = self.write_tx().await?;
        let mut qb = sqlx::QueryBuilder::<Sqlite>::new(
            "SELECT m.id, m.first_name, m.last_name, m.email, m.phone, m.postcode, m.branch_id,
                    u.name AS branch_name, m.status, m.joined_on, m.dues_plan, m.paid_up_until
             FROM members m JOIN units u ON u.id = m.branch_id WHERE 1 = 1",
        );
        search::push_scope(&mut qb, scope);
        qb.push(" ORDER BY m.id");
        let rows = qb
            .build_query_as::<MemberRow>()
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        log_access(&mut tx, &ids, access).await?;
        commit(tx).await?;
        rows.into_iter().map(MemberRow::into_record).collect()
    }

    async fn submit_application(
        &self,
        application: &NewApplication,
        to_applicant: &NoticeText,
        to_officers: &[Letter],
        event: &NewEvent,
    ) -> StoreResult<(i64, MemberId)> {
        applications::submit(self, application, to_applicant, to_officers, event).await
    }

    async fn queue_quiet_letter(
        &self,
        member: MemberId,
        letter: &Letter,
        quiet_since: DateTime<Utc>,
        event: &NewEvent,
    ) -> StoreResult<bool> {
        applications::note_repeat(self, member, letter, quiet_since, event).await
    }

    async fn applications(
        &self,
        query: &ApplicationQuery,
        access: &AccessContext,
    ) -> StoreResult<Vec<ApplicationRecord>> {
        applications::list(self, query, access).await
    }

    async fn application(
        &self,
        id: i64,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<ApplicationRecord>> {
        applications::get(self, id, access).await
    }

    async fn decide_application(
        &self,
        id: i64,
        decision: &ApplicationDecision,
        letters: &[Letter],
        invitation: Option<&LinkRequest>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        applications::decide(self, id, decision, letters, invitation, event).await
    }

    async fn resign(
        &self,
        member: MemberId,
        expected: MemberStatus,
        change: &StatusChangeInput,
        letter: &Letter,
        event: &NewEvent,
    ) -> StoreResult<()> {
        applications::resign(self, member, expected, change, letter, event).await
    }

    async fn member_standing(
        &self,
        member: MemberId,
    ) -> StoreResult<Option<(UnitId, MemberStatus)>> {
        applications::standing(self, member).await
    }

    async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>> {
        let row = sqlx::query_as::<_, CredentialsRow>(
            "SELECT id, password_hash, status FROM members WHERE email = $1",
        )
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.map(CredentialsRow::into_record).transpose()
    }

    async fn set_password(&self, member: MemberId, password_hash: &str) -> StoreResult<()> {
        let done = sqlx::query("UPDATE members SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(member.0)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("member"));
        }
        Ok(())
    }

    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, member_id, csrf_token, created_at, expires_at,
                                   second_factor_pending)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&session.token_hash)
        .bind(session.member.0)
        .bind(&session.csrf_token)
        .bind(session.created_at)
        .bind(session.expires_at)
        .bind(session.second_factor_pending)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row = sqlx::query_as::<_, SessionRow>(
            "SELECT token_hash, member_id, csrf_token, created_at, expires_at, second_factor_pending
             FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(row.map(SessionRow::into_record))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn complete_second_factor(&self, token_hash: &str) -> StoreResult<bool> {
        accounts::complete_second_factor(self, token_hash).await
    }

    async fn members_without_password(&self, scope: &MemberScope) -> StoreResult<Vec<MemberId>> {
        accounts::members_without_password(self, scope).await
    }

    async fn invite_members(
        &self,
        members: &[MemberId],
        request: &LinkRequest,
        event: &NewEvent,
    ) -> StoreResult<Vec<MemberId>> {
        accounts::invite(self, members, request, event).await
    }

    async fn request_password_reset(
        &self,
        email: &str,
        request: &LinkRequest,
        not_since: DateTime<Utc>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        accounts::request_reset(self, email, request, not_since, event).await
    }

    async fn propose_email_change(
        &self,
        member: MemberId,
        new_email: &str,
        request: &LinkRequest,
        notice: Option<&NoticeText>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        accounts::propose_email(self, member, new_email, request, notice, event).await
    }

    async fn email_change(&self, member: MemberId) -> StoreResult<Option<AccountLinkRecord>> {
        accounts::email_change(self, member).await
    }

    async fn account_link(&self, token_hash: &str) -> StoreResult<Option<AccountLinkRecord>> {
        accounts::link(self, token_hash).await
    }

    async fn mint_link_tokens(
        &self,
        mints: &[LinkMint],
    ) -> StoreResult<Vec<(i64, charter_domain::LinkPurpose)>> {
        accounts::mint(self, mints).await
    }

    async fn use_password_link(
        &self,
        link: i64,
        token_hash: &str,
        password_hash: &str,
        event: &NewEvent,
    ) -> StoreResult<MemberId> {
        accounts::use_password_link(self, link, token_hash, password_hash, event).await
    }

    async fn confirm_email_change(
        &self,
        link: i64,
        token_hash: &str,
        notice: &NoticeText,
        event: &NewEvent,
    ) -> StoreResult<MemberId> {
        accounts::confirm_email(self, link, token_hash, notice, event).await
    }

    async fn change_password(
        &self,
        member: MemberId,
        password_hash: &str,
        keep: Option<&str>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        accounts::change_password(self, member, password_hash, keep, event).await
    }

    async fn two_factor(&self, member: MemberId) -> StoreResult<Option<TwoFactorRecord>> {
        accounts::two_factor(self, member).await
    }

    async fn begin_two_factor(
        &self,
        member: MemberId,
        secret: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        accounts::begin_two_factor(self, member, secret, at).await
    }

    async fn confirm_two_factor(
        &self,
        member: MemberId,
        secret: &str,
        step: i64,
        recovery_hashes: &[String],
        event: &NewEvent,
    ) -> StoreResult<()> {
        accounts::confirm_two_factor(self, member, secret, step, recovery_hashes, event).await
    }

    async fn accept_totp_step(&self, member: MemberId, step: i64) -> StoreResult<bool> {
        accounts::accept_step(self, member, step).await
    }

    async fn use_recovery_code(
        &self,
        member: MemberId,
        code_hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        accounts::use_recovery_code(self, member, code_hash, at).await
    }

    async fn remove_two_factor(&self, member: MemberId, event: &NewEvent) -> StoreResult<()> {
        accounts::remove_two_factor(self, member, event).await
    }

    async fn account_policy(&self) -> StoreResult<AccountPolicy> {
        accounts::policy(self).await
    }

    async fn set_account_policy(
        &self,
        policy: &AccountPolicy,
        event: &NewEvent,
    ) -> StoreResult<()> {
        accounts::set_policy(self, policy, event).await
    }

    async fn found_constitution(
        &self,
        version: &NewConstitutionVersion,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        constitution::found(self, version, event).await
    }

    async fn constitution_versions(&self) -> StoreResult<Vec<ConstitutionVersionRecord>> {
        constitution::versions(self).await
    }

    async fn constitution_version(
        &self,
        id: i64,
    ) -> StoreResult<Option<ConstitutionVersionRecord>> {
        constitution::version(self, id).await
    }

    async fn propose_amendment(
        &self,
        amendment: &NewAmendment,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        constitution::propose(self, amendment, event).await
    }

    async fn amendments(&self) -> StoreResult<Vec<AmendmentRecord>> {
        constitution::amendments(self).await
    }

    async fn amendment(&self, id: i64) -> StoreResult<Option<AmendmentRecord>> {
        constitution::amendment(self, id).await
    }

    async fn amendment_attempts(
        &self,
        amendment: Option<i64>,
    ) -> StoreResult<Vec<AmendmentAttemptRecord>> {
        constitution::attempts(self, amendment).await
    }

    async fn propose_amendment_motion(
        &self,
        motion: &NewMotion,
        amendment: i64,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        constitution::propose_amendment_motion(self, motion, amendment, event).await
    }

    async fn motion_amendment(&self, motion: i64) -> StoreResult<Option<i64>> {
        constitution::motion_amendment(self, motion).await
    }

    async fn decide_amendment_motion(
        &self,
        motion: i64,
        outcome: &MotionOutcome,
        event: &NewEvent,
        decision: &AmendmentDecision,
    ) -> StoreResult<()> {
        constitution::decide_amendment_motion(self, motion, outcome, event, decision).await
    }

    async fn add_historical_entry(
        &self,
        entry: &NewHistoricalEntry,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        constitution::add_historical_entry(self, entry, event).await
    }

    async fn historical_entries(&self, amendment: i64) -> StoreResult<Vec<HistoricalEntryRecord>> {
        constitution::historical_entries(self, amendment).await
    }

    async fn record_historical_meeting(
        &self,
        meeting: &NewHistoricalMeeting,
    ) -> StoreResult<(i64, i64)> {
        constitution::record_historical_meeting(self, meeting).await
    }

    async fn member_facts(&self, on: NaiveDate) -> StoreResult<Vec<MemberFactsRecord>> {
        constitution::member_facts(self, on).await
    }

    async fn member_facts_of(
        &self,
        member: MemberId,
        on: NaiveDate,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<MemberFactsRecord>> {
        constitution::member_facts_of(self, member, on, access).await
    }

    async fn call_meeting(
        &self,
        meeting: &NewMeeting,
        invitees: &[NewInvitee],
        notice: &NoticeText,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        meetings::call(self, meeting, invitees, notice, event).await
    }

    async fn meeting(&self, id: i64) -> StoreResult<Option<MeetingRecord>> {
        meetings::meeting(self, id).await
    }

    async fn member_contacts(
        &self,
        members: &[MemberId],
    ) -> StoreResult<Vec<(MemberId, String, String)>> {
        meetings::contacts(self, members).await
    }

    async fn meetings(
        &self,
        unit: Option<UnitId>,
        from: Option<chrono::DateTime<chrono::Utc>>,
    ) -> StoreResult<Vec<MeetingRecord>> {
        meetings::meetings(self, unit, from).await
    }

    async fn meetings_for(&self, member: MemberId) -> StoreResult<Vec<MeetingRecord>> {
        meetings::meetings_for(self, member).await
    }

    async fn invitee(&self, meeting: i64, member: MemberId) -> StoreResult<Option<bool>> {
        meetings::invitee(self, meeting, member).await
    }

    async fn notice_progress(&self, meeting: i64) -> StoreResult<NoticeProgress> {
        meetings::progress(self, meeting).await
    }

    async fn claim_outbox(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        lease_until: chrono::DateTime<chrono::Utc>,
        limit: u32,
    ) -> StoreResult<Vec<OutboxMessage>> {
        meetings::claim(self, now, lease_until, limit).await
    }

    async fn record_delivery(
        &self,
        message: i64,
        delivery: &Delivery,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        meetings::record_delivery(self, message, delivery, at).await
    }

    async fn record_sent(
        &self,
        messages: &[i64],
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<u64> {
        meetings::record_sent(self, messages, at).await
    }

    async fn check_in(
        &self,
        meeting: i64,
        member: MemberId,
        recorded_by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        meetings::check_in(self, meeting, member, recorded_by, event).await
    }

    async fn create_election(
        &self,
        e: &NewElection,
        notice: &NoticeText,
        recipients: &[Recipient],
        event: &NewEvent,
    ) -> StoreResult<i64> {
        elections::create(self, e, notice, recipients, event).await
    }

    async fn elections(&self) -> StoreResult<Vec<ElectionRecord>> {
        elections::list(self).await
    }

    async fn election(&self, id: i64) -> StoreResult<Option<ElectionRecord>> {
        elections::get(self, id).await
    }

    async fn nominate(
        &self,
        election: i64,
        candidate: MemberId,
        name: &str,
        nominator: MemberId,
        needed: u32,
        event: &NewEvent,
    ) -> StoreResult<NominationRecord> {
        elections::nominate(self, election, candidate, name, nominator, needed, event).await
    }

    async fn nominations(&self, election: i64) -> StoreResult<Vec<NominationRecord>> {
        elections::nominations(self, election).await
    }

    async fn set_statement(
        &self,
        nomination: i64,
        text: &str,
        event: &NewEvent,
    ) -> StoreResult<()> {
        elections::set_statement(self, nomination, text, event).await
    }

    async fn withdraw_nomination(&self, nomination: i64, event: &NewEvent) -> StoreResult<()> {
        elections::withdraw(self, nomination, event).await
    }

    async fn attach_election_ballot(
        &self,
        election: i64,
        ballot: i64,
        event: &NewEvent,
    ) -> StoreResult<()> {
        elections::attach_ballot(self, election, ballot, event).await
    }

    async fn seat_winners(
        &self,
        election: i64,
        winners: &[MemberId],
        term: Term,
        how: &str,
        event: &NewEvent,
    ) -> StoreResult<()> {
        elections::seat_winners(self, election, winners, term, how, event).await
    }

    async fn create_ballot(&self, b: &NewBallot, event: &NewEvent) -> StoreResult<i64> {
        ballots::create(self, b, event).await
    }

    async fn ballots(&self) -> StoreResult<Vec<BallotRecord>> {
        ballots::list(self).await
    }

    async fn ballot(&self, id: i64) -> StoreResult<Option<BallotRecord>> {
        ballots::get(self, id).await
    }

    async fn open_ballot(
        &self,
        id: i64,
        voters: &[NewBallotVoter],
        subject: &str,
        event: &NewEvent,
    ) -> StoreResult<()> {
        ballots::open(self, id, voters, subject, event).await
    }

    async fn ballot_voter(
        &self,
        id: i64,
        member: MemberId,
    ) -> StoreResult<Option<Option<DateTime<Utc>>>> {
        ballots::voter(self, id, member).await
    }

    async fn voter_by_link(&self, id: i64, link_hash: &str) -> StoreResult<Option<MemberId>> {
        ballots::voter_by_link(self, id, link_hash).await
    }

    async fn cast_ballot(
        &self,
        id: i64,
        member: MemberId,
        cast: &NewCast,
        event: &NewEvent,
    ) -> StoreResult<CastOutcome> {
        ballots::cast(self, id, member, cast, event).await
    }

    async fn ballot_nonvoters(&self, id: i64) -> StoreResult<Vec<(MemberId, UnitId)>> {
        ballots::nonvoters(self, id).await
    }

    async fn remind_voters(
        &self,
        id: i64,
        days_before: u32,
        voters: &[NewBallotVoter],
        subject: &str,
        event: &NewEvent,
    ) -> StoreResult<u64> {
        ballots::remind(self, id, days_before, voters, subject, event).await
    }

    async fn ballot_reminders(&self, id: i64) -> StoreResult<Vec<BallotReminder>> {
        ballots::reminders(self, id).await
    }

    async fn mint_voting_links(
        &self,
        mints: &[VotingLinkMint],
    ) -> StoreResult<Vec<(i64, MemberId)>> {
        ballots::mint_links(self, mints).await
    }

    async fn ballot_turnout(&self, id: i64) -> StoreResult<Vec<TurnoutRow>> {
        ballots::turnout(self, id).await
    }

    async fn close_ballot(&self, id: i64, event: &NewEvent) -> StoreResult<()> {
        ballots::close(self, id, event).await
    }

    async fn ballot_box(&self, id: i64) -> StoreResult<Vec<BoxedBallot>> {
        ballots::boxed(self, id).await
    }

    async fn post_board_item(
        &self,
        ballot: i64,
        states: &[&str],
        item: &NewBoardItem,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        ballots::post_board_item(self, ballot, states, item, event).await
    }

    async fn board_items(&self, ballot: i64) -> StoreResult<Vec<BoardItem>> {
        ballots::board_items(self, ballot).await
    }

    async fn encrypted_box(&self, ballot: i64) -> StoreResult<Vec<BoxedBallot>> {
        ballots::encrypted_box(self, ballot).await
    }

    async fn mark_paper_voter(
        &self,
        id: i64,
        member: MemberId,
        teller: MemberId,
        event: &NewEvent,
    ) -> StoreResult<()> {
        paper::mark_voter(self, id, member, teller, event).await
    }

    async fn paper_tally(&self, id: i64) -> StoreResult<PaperTally> {
        paper::tally(self, id).await
    }

    async fn paper_mark(&self, id: i64, member: MemberId) -> StoreResult<Option<PaperMark>> {
        paper::mark(self, id, member).await
    }

    async fn reverse_paper_mark(
        &self,
        id: i64,
        member: MemberId,
        by: MemberId,
        reason: &str,
        event: &NewEvent,
    ) -> StoreResult<bool> {
        paper::reverse_mark(self, id, member, by, reason, event).await
    }

    async fn create_paper_batch(&self, b: &NewPaperBatch, event: &NewEvent) -> StoreResult<i64> {
        paper::create_batch(self, b, event).await
    }

    async fn paper_batches(&self, id: i64) -> StoreResult<Vec<PaperBatchRecord>> {
        paper::batches(self, id).await
    }

    async fn paper_batch(&self, batch: i64) -> StoreResult<Option<PaperBatchRecord>> {
        paper::batch(self, batch).await
    }

    async fn enter_paper_batch(
        &self,
        batch: i64,
        entry: &NewPaperEntry,
        seen: usize,
        commit: Option<&PaperCommit>,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        paper::enter(self, batch, entry, seen, commit, event).await
    }

    async fn ballot_roll_audit(
        &self,
        id: i64,
        page: u32,
        per_page: u32,
        access: &AccessContext,
    ) -> StoreResult<BallotRollAudit> {
        paper::roll_audit(self, id, page, per_page, access).await
    }

    async fn ballot_trail(&self, id: i64) -> StoreResult<Vec<EventRecord>> {
        paper::trail(self, id).await
    }

    async fn ballot_box_size(&self, id: i64) -> StoreResult<BoxSize> {
        paper::box_size(self, id).await
    }

    async fn record_ballot_count(
        &self,
        id: i64,
        result_json: &str,
        outcome: &str,
        event: &NewEvent,
        decision: Option<&AmendmentDecision>,
    ) -> StoreResult<()> {
        ballots::record_count(self, id, result_json, outcome, event, decision).await
    }

    async fn ballot_amendment(&self, ballot: i64) -> StoreResult<Option<i64>> {
        ballots::ballot_amendment(self, ballot).await
    }

    async fn check_in_code(&self, meeting: i64) -> StoreResult<Option<String>> {
        meetings::check_in_code(self, meeting).await
    }

    async fn replace_check_in_code(
        &self,
        meeting: i64,
        code: &str,
        event: &NewEvent,
    ) -> StoreResult<()> {
        meetings::replace_check_in_code(self, meeting, code, event).await
    }

    async fn propose_composite(&self, c: &NewComposite, event: &NewEvent) -> StoreResult<i64> {
        meetings::propose_composite(self, c, event).await
    }

    async fn composites(&self, meeting: i64) -> StoreResult<Vec<CompositeRecord>> {
        meetings::composites(self, meeting).await
    }

    async fn composite(&self, id: i64) -> StoreResult<Option<CompositeRecord>> {
        meetings::composite(self, id).await
    }

    async fn consent_to_composite(
        &self,
        id: i64,
        part: i64,
        by: MemberId,
        formed: &NewMotion,
        consent: &NewEvent,
        forming: &NewEvent,
    ) -> StoreResult<Option<i64>> {
        meetings::consent_to_composite(self, id, part, by, formed, consent, forming).await
    }

    async fn decline_composite(&self, id: i64, event: &NewEvent) -> StoreResult<()> {
        meetings::decline_composite(self, id, event).await
    }

    async fn attendance(&self, meeting: i64) -> StoreResult<(i64, i64)> {
        meetings::attendance(self, meeting).await
    }

    async fn attended(&self, meeting: i64, member: MemberId) -> StoreResult<bool> {
        meetings::attended(self, meeting, member).await
    }

    async fn voters(&self, meeting: i64) -> StoreResult<i64> {
        meetings::voters(self, meeting).await
    }

    async fn meeting_voters(&self, meeting: i64) -> StoreResult<Vec<MemberId>> {
        meetings::meeting_voters(self, meeting).await
    }

    async fn propose_motion(&self, motion: &NewMotion, event: &NewEvent) -> StoreResult<i64> {
        meetings::propose(self, motion, event).await
    }

    async fn motions(&self, meeting: i64) -> StoreResult<Vec<MotionRecord>> {
        meetings::motions(self, meeting).await
    }

    async fn motions_of_kind(&self, kind: &str) -> StoreResult<Vec<MotionRecord>> {
        meetings::motions_of_kind(self, kind).await
    }

    async fn motion(&self, id: i64) -> StoreResult<Option<MotionRecord>> {
        meetings::motion(self, id).await
    }

    async fn decide_motion(
        &self,
        id: i64,
        outcome: &MotionOutcome,
        event: &NewEvent,
    ) -> StoreResult<()> {
        meetings::decide(self, id, outcome, event).await
    }

    async fn second_motion(
        &self,
        id: i64,
        seconder: MemberId,
        event: &NewEvent,
    ) -> StoreResult<()> {
        meetings::second(self, id, seconder, event).await
    }

    async fn withdraw_motion(&self, id: i64, event: &NewEvent) -> StoreResult<Vec<i64>> {
        meetings::withdraw(self, id, event).await
    }

    async fn motion_versions(&self, motion: i64) -> StoreResult<Vec<MotionVersion>> {
        meetings::versions(self, motion).await
    }

    async fn save_minutes(
        &self,
        meeting: i64,
        text: &str,
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        meetings::save_minutes(self, meeting, text, by, event).await
    }

    async fn minutes(&self, meeting: i64) -> StoreResult<Option<MinutesRecord>> {
        meetings::minutes(self, meeting).await
    }

    async fn put_minutes_for_approval(
        &self,
        of_meeting: i64,
        motion: &NewMotion,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        meetings::put_minutes_for_approval(self, of_meeting, motion, event).await
    }

    async fn add_agenda_item(&self, item: &NewAgendaItem, event: &NewEvent) -> StoreResult<i64> {
        agenda::add_item(self, item, event).await
    }

    async fn agenda(&self, meeting: i64) -> StoreResult<Vec<AgendaItemRecord>> {
        agenda::agenda(self, meeting).await
    }

    async fn agenda_item(&self, id: i64) -> StoreResult<Option<AgendaItemRecord>> {
        agenda::item(self, id).await
    }

    async fn change_agenda_item(
        &self,
        id: i64,
        change: &AgendaItemChange,
        event: &NewEvent,
    ) -> StoreResult<()> {
        agenda::change_item(self, id, change, event).await
    }

    async fn remove_agenda_item(&self, id: i64, event: &NewEvent) -> StoreResult<()> {
        agenda::remove_item(self, id, event).await
    }

    async fn circulate_paper(&self, paper: &NewPaper, event: &NewEvent) -> StoreResult<i64> {
        agenda::circulate(self, paper, event).await
    }

    async fn paper(&self, id: i64) -> StoreResult<Option<PaperRecord>> {
        agenda::paper(self, id).await
    }

    async fn paper_content(&self, id: i64) -> StoreResult<Option<(PaperRecord, Vec<u8>)>> {
        agenda::paper_content(self, id).await
    }

    async fn withdraw_paper(
        &self,
        id: i64,
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        agenda::withdraw_paper(self, id, by, event).await
    }

    async fn set_calendar_feed(
        &self,
        member: MemberId,
        token_hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        meetings::set_calendar_feed(self, member, token_hash, at).await
    }

    async fn calendar_feed_member(&self, token_hash: &str) -> StoreResult<Option<MemberId>> {
        meetings::calendar_feed_member(self, token_hash).await
    }

    async fn open_poll(
        &self,
        motion: i64,
        mode: &str,
        opened_by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        meetings::open_poll(self, motion, mode, opened_by, event).await
    }

    async fn poll(&self, motion: i64) -> StoreResult<Option<PollRecord>> {
        meetings::poll(self, motion).await
    }

    async fn cast_vote(&self, vote: &NewVote, at: DateTime<Utc>) -> StoreResult<VoteReceipt> {
        meetings::cast_vote(self, vote, at).await
    }

    async fn my_vote(
        &self,
        motion: i64,
        member: MemberId,
    ) -> StoreResult<Option<(String, Option<String>)>> {
        meetings::my_vote(self, motion, member).await
    }

    async fn named_votes(
        &self,
        motion: i64,
        access: &AccessContext,
    ) -> StoreResult<Vec<(MemberId, String, String, String)>> {
        meetings::named_votes(self, motion, access).await
    }

    async fn close_poll(&self, motion: i64, event: &NewEvent) -> StoreResult<PollRecord> {
        meetings::close_poll(self, motion, event).await
    }

    async fn publish_motion(&self, id: i64, event: &NewEvent) -> StoreResult<()> {
        meetings::publish(self, id, event).await
    }

    async fn published_motions(&self, matter: Option<&str>) -> StoreResult<Vec<PublishedMotion>> {
        meetings::published(self, matter).await
    }

    async fn published_motions_requiring(&self, kind: &str) -> StoreResult<Vec<PublishedMotion>> {
        meetings::published_requiring(self, kind).await
    }

    async fn open_requisition(&self, r: &NewRequisition, event: &NewEvent) -> StoreResult<i64> {
        requisitions::open_requisition(self, r, event).await
    }

    async fn requisitions(&self) -> StoreResult<Vec<RequisitionRecord>> {
        requisitions::requisitions(self).await
    }

    async fn requisition(&self, id: i64) -> StoreResult<Option<RequisitionRecord>> {
        requisitions::requisition(self, id).await
    }

    async fn has_signed(&self, id: i64, member: MemberId) -> StoreResult<bool> {
        requisitions::has_signed(self, id, member).await
    }

    async fn sign_requisition(
        &self,
        id: i64,
        member: MemberId,
        event: &NewEvent,
    ) -> StoreResult<()> {
        requisitions::sign(self, id, member, event).await
    }

    async fn requisition_reached(
        &self,
        id: i64,
        clause: &str,
        call_by: NaiveDate,
        event: &NewEvent,
    ) -> StoreResult<bool> {
        requisitions::reached(self, id, clause, call_by, event).await
    }

    async fn answer_requisition(&self, id: i64, meeting: i64, event: &NewEvent) -> StoreResult<()> {
        requisitions::answer(self, id, meeting, event).await
    }

    async fn remind_requisition(
        &self,
        id: i64,
        last: Option<DateTime<Utc>>,
        letters: &[Letter],
        event: &NewEvent,
    ) -> StoreResult<bool> {
        requisitions::remind(self, id, last, letters, event).await
    }

    async fn freeze_roll(
        &self,
        roll: &NewRoll,
        reasons: &[RollReason],
        entries: &[NewRollEntry],
        event: &NewEvent,
    ) -> StoreResult<i64> {
        rolls::freeze(self, roll, reasons, entries, event).await
    }

    async fn rolls(&self) -> StoreResult<Vec<RollRecord>> {
        rolls::rolls(self).await
    }

    async fn roll(&self, id: i64) -> StoreResult<Option<RollRecord>> {
        rolls::roll(self, id).await
    }

    async fn roll_counts(&self, roll: i64) -> StoreResult<Vec<RollBranchCount>> {
        rolls::counts(self, roll).await
    }

    async fn roll_entry(
        &self,
        roll: i64,
        member: MemberId,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<RollEntryRecord>> {
        rolls::entry(self, roll, member, access).await
    }

    async fn roll_names(
        &self,
        roll: i64,
        query: &RollQuery,
        access: &AccessContext,
    ) -> StoreResult<Page<RollNameRecord>> {
        rolls::names(self, roll, query, access).await
    }

    async fn roll_frozen_lines(
        &self,
        roll: i64,
        access: Option<&AccessContext>,
    ) -> StoreResult<Vec<(MemberId, UnitId, bool)>> {
        rolls::frozen_lines(self, roll, access).await
    }

    async fn lodge_challenge(
        &self,
        challenge: &NewChallenge,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        rolls::lodge(self, challenge, event).await
    }

    async fn challenges(&self, roll: i64) -> StoreResult<Vec<ChallengeRecord>> {
        rolls::challenges(self, roll).await
    }

    async fn challenge(&self, id: i64) -> StoreResult<Option<ChallengeRecord>> {
        rolls::challenge(self, id).await
    }

    async fn decide_challenge(
        &self,
        id: i64,
        decision: &ChallengeDecision,
        event: &NewEvent,
    ) -> StoreResult<()> {
        rolls::decide(self, id, decision, event).await
    }

    async fn apportion_delegates(&self, a: &NewApportionment, event: &NewEvent) -> StoreResult<()> {
        delegates::apportion(self, a, event).await
    }

    async fn delegate_conference(
        &self,
        meeting: i64,
    ) -> StoreResult<Option<DelegateConferenceRecord>> {
        delegates::conference(self, meeting).await
    }

    async fn delegate_allocations(&self, meeting: i64) -> StoreResult<Vec<AllocationRecord>> {
        delegates::allocations(self, meeting).await
    }

    async fn add_credential(
        &self,
        c: &NewCredential,
        limit: u32,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        delegates::add_credential(self, c, limit, event).await
    }

    async fn delegate_credentials(&self, meeting: i64) -> StoreResult<Vec<CredentialRecord>> {
        delegates::credentials(self, meeting).await
    }

    async fn delegate_credential(&self, id: i64) -> StoreResult<Option<CredentialRecord>> {
        delegates::credential(self, id).await
    }

    async fn lodge_credential_challenge(
        &self,
        credential: i64,
        challenger: MemberId,
        grounds: &str,
        event: &NewEvent,
    ) -> StoreResult<i64> {
        delegates::lodge_challenge(self, credential, challenger, grounds, event).await
    }

    async fn credential_challenges(
        &self,
        meeting: i64,
    ) -> StoreResult<Vec<CredentialChallengeRecord>> {
        delegates::challenges(self, meeting).await
    }

    async fn credential_challenge(
        &self,
        id: i64,
    ) -> StoreResult<Option<CredentialChallengeRecord>> {
        delegates::challenge(self, id).await
    }

    async fn rule_on_credential_challenge(
        &self,
        id: i64,
        upheld: bool,
        reason: &str,
        by: MemberId,
        event: &NewEvent,
    ) -> StoreResult<()> {
        delegates::rule_on_challenge(self, id, upheld, reason, by, event).await
    }

    async fn check_in_delegate(
        &self,
        meeting: i64,
        credential: i64,
        stands_for: Option<i64>,
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        delegates::check_in(self, meeting, credential, stands_for, by, event).await
    }

    async fn open_card_vote(
        &self,
        motion: i64,
        meeting: i64,
        card_vote: &str,
        cards: &[Card],
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        delegates::open_card_vote(self, motion, meeting, card_vote, cards, by, event).await
    }

    async fn card_vote(&self, motion: i64) -> StoreResult<Option<CardVoteRecord>> {
        delegates::card_vote(self, motion).await
    }

    async fn cast_card_vote(
        &self,
        b: &NewCardBallot,
        event: &NewEvent,
    ) -> StoreResult<VoteReceipt> {
        delegates::cast_card(self, b, event).await
    }

    async fn card_ballots(&self, motion: i64) -> StoreResult<Vec<CardBallotRecord>> {
        delegates::card_ballots(self, motion).await
    }

    async fn close_card_vote(&self, motion: i64, event: &NewEvent) -> StoreResult<CardVoteRecord> {
        delegates::close_card_vote(self, motion, event).await
    }

    async fn events(&self, after: i64, limit: u32) -> StoreResult<Vec<EventRecord>> {
        let rows = sqlx::query_as::<_, EventRow>(
            "SELECT seq, at, actor_member, actor_office, kind, subject, payload, reason
             FROM governance_events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(rows.into_iter().map(EventRow::into_record).collect())
    }

    async fn access_log(
        &self,
        subject: MemberId,
        page: u32,
        per_page: u32,
    ) -> StoreResult<Page<AccessEntry>> {
        let per_page = per_page.clamp(1, 1000);
        let offset = i64::from(page.max(1) - 1) * i64::from(per_page);
        let mut tx = self.read_tx().await?;
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM access_log WHERE subject_id = $1")
                .bind(subject.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        let rows = sqlx::query_as::<_, AccessRow>(
            "SELECT a.at, a.reader_id,
                    CASE WHEN r.id IS NULL THEN NULL ELSE r.first_name || ' ' || r.last_name END AS reader_name,
                    a.office, a.purpose
             FROM access_log a LEFT JOIN members r ON r.id = a.reader_id
             WHERE a.subject_id = $1 ORDER BY a.at DESC, a.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(subject.0)
        .bind(i64::from(per_page))
        .bind(offset)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(Page {
            items: rows.into_iter().map(AccessRow::into_record).collect(),
            total: charter_store::text::decode_u64("count", total)?,
            total_capped: false,
        })
    }
}

async fn insert_move(
    conn: &mut SqliteConnection,
    member: MemberId,
    m: &BranchMoveInput,
    at: chrono::DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO branch_moves (member_id, from_unit, to_unit, effective_on, reason, moved_by, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(member.0)
    .bind(m.from.0)
    .bind(m.to.0)
    .bind(m.effective_on)
    .bind(&m.reason)
    .bind(m.moved_by.map(|x| x.0))
    .bind(at)
    .execute(conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

fn check_seat(holders: &[i64], seats: i64, member: MemberId) -> StoreResult<()> {
    if holders.contains(&member.0) {
        return Err(StoreError::Conflict {
            field: "member".into(),
            message: "this member already holds a seat on the body".into(),
        });
    }
    if i64::try_from(holders.len()).unwrap_or(i64::MAX) >= seats {
        return Err(StoreError::Conflict {
            field: "seats".into(),
            message: format!("all {seats} seats of the body are filled on that date"),
        });
    }
    Ok(())
}

/// Whether a batch of new ids took the register past a power of two (from 1,024 up), the
/// points at which a bulk load has changed the data enough to refresh statistics.
fn crosses_power_of_two(ids: &[MemberId]) -> bool {
    match (ids.first(), ids.last()) {
        (Some(first), Some(last)) if last.0 >= 1024 => {
            first.0.max(1).ilog2() != last.0.max(1).ilog2() || ids.len() >= 100_000
        }
        _ => false,
    }
}
