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
    use crate::register::{insert_member, insert_status_change};
    use crate::search::push_scope;
    use crate::{SqliteStore as StoreImpl, append_event, commit, db_err, log_access};
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
/// The membership register: the shared SQL in `charter-store/sql/register.rs`.
mod register {
    type Db = sqlx::Sqlite;
    type DbConn = sqlx::SqliteConnection;
    /// Row lock for the member a write checks (BEGIN IMMEDIATE already holds SQLite's write lock).
    const ROW_LOCK: &str = "";
    use crate::search;
    use crate::{SqliteStore as StoreImpl, append_event, commit, db_err, log_access};
    include!("../../store/sql/register.rs");
}
/// The governance record and the log of reads: the shared SQL in `charter-store/sql/record.rs`.
mod record {
    use crate::{SqliteStore as StoreImpl, commit, db_err};
    include!("../../store/sql/record.rs");
}
/// Rows as the database returns them: the shared code in `charter-store/sql/rows.rs`.
mod rows {
    type Db = sqlx::Sqlite;
    include!("../../store/sql/rows.rs");
}
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
use charter_store::batch::Batcher;
use charter_store::text::conflict_for;
use charter_store::*;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};

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
                StoreError::Query(Box::new(e))
            }
        }
        _ => StoreError::Query(Box::new(e)),
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
    /// Refreshes the planner's statistics after a bulk load, sampled so it stays cheap.
    pub(crate) async fn refresh_statistics(&self) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        sqlx::query("PRAGMA analysis_limit = 1000")
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        sqlx::query("ANALYZE")
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        Ok(())
    }

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
                other => StoreError::Query(Box::new(other)),
            })
    }

    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }
}
