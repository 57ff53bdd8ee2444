//! The Store conformance suite against SQLite, each test on its own in-memory database, plus
//! the SQLite-only promises: WAL and synchronous=FULL on a file, append-only events.

use charter_store::Store;
use charter_store::prelude::*;
use charter_store_sqlite::SqliteStore;

async fn memory() -> Option<(SqliteStore, ())> {
    let store = SqliteStore::connect("sqlite::memory:")
        .await
        .expect("open in-memory database");
    store.migrate().await.expect("migrate");
    Some((store, ()))
}

charter_store::conformance_tests!(memory);

fn temp_db() -> std::path::PathBuf {
    let unique = format!(
        "charter-store-test-{}-{}.db",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );
    std::env::temp_dir().join(unique)
}

#[tokio::test]
async fn file_database_is_created_durable_and_migrated() {
    let path = temp_db();
    let url = format!("sqlite://{}", path.display());
    let store = SqliteStore::connect(&url).await.expect("creates the file");
    store.migrate().await.unwrap();
    assert!(path.exists());
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(journal, "wal");
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(sync, 2, "synchronous=FULL");
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(fk, 1);
    // The suite also passes on a file, where the pool has several connections.
    charter_store::conformance::concurrent_status_changes_let_exactly_one_win(&store).await;
    store.pool().close().await;
    let reopened = SqliteStore::connect(&url).await.unwrap();
    reopened.migrate().await.unwrap();
    assert_eq!(
        reopened.events(0, 100).await.unwrap().len(),
        8,
        "data survives reopening"
    );
    reopened.pool().close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

#[tokio::test]
async fn governance_events_cannot_be_changed_or_deleted() {
    let (store, ()) = memory().await.unwrap();
    charter_store::conformance::org(&store).await;
    let update = sqlx::query("UPDATE governance_events SET reason = 'rewritten'")
        .execute(store.pool())
        .await;
    assert!(update.is_err(), "update must be refused");
    let delete = sqlx::query("DELETE FROM governance_events")
        .execute(store.pool())
        .await;
    assert!(delete.is_err(), "delete must be refused");
    assert_eq!(store.events(0, 100).await.unwrap().len(), 6);
}

#[tokio::test]
async fn bad_urls_are_unavailable_not_panics() {
    let err = SqliteStore::connect("sqlite:///nonexistent-dir/x/y.db")
        .await
        .unwrap_err();
    assert!(
        matches!(err, charter_store::StoreError::Unavailable(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn frozen_roll_lines_cannot_be_changed_or_deleted() {
    let (store, ()) = memory().await.unwrap();
    charter_store::conformance::rolls_freeze_count_and_take_challenges(&store).await;
    for sql in [
        "UPDATE roll_member_index SET body = body || ',9 9 Y'",
        "UPDATE roll_blocks SET eligible = eligible + 1",
        "DELETE FROM roll_member_index",
        "DELETE FROM roll_blocks",
        "UPDATE roll_overrides SET eligible = 0",
        "DELETE FROM roll_overrides",
        "DELETE FROM rolls",
    ] {
        let r = sqlx::query(sql).execute(store.pool()).await;
        assert!(r.is_err(), "{sql} must be refused");
    }
}

/// Rolls frozen before lines were stored in blocks move over line for line: the migration's
/// SQL runs on a database migrated as it was before it, holding a roll with a challenge.
#[tokio::test]
async fn rolls_frozen_as_rows_move_into_blocks() {
    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect("sqlite::memory:")
        .await
        .unwrap();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|f| f.unwrap().path())
        .collect();
    files.sort();
    let run = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    for f in files
        .iter()
        .filter(|f| f.file_name().unwrap().to_str().unwrap() < "0008")
    {
        let sql = std::fs::read_to_string(f).unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    // Foreign keys off: only the rows the migration reads matter here.
    sqlx::raw_sql(
        "PRAGMA foreign_keys = OFF;
         INSERT INTO rolls (id, title, context, right_kind, cutoff, version_id, challenge_closes_on,
             frozen_hash, current_hash, eligible, excluded, frozen_at, event_seq)
         VALUES (7, 'Old', 'conference', 'vote', '2024-05-01', 1, '2024-05-15', 'a', 'b', 1, 2,
             '2024-05-01T12:00:00Z', 1);
         INSERT INTO roll_entries (roll_id, member_id, branch_id, frozen_eligible, eligible, reason_idx, challenge_id)
         VALUES (7, 30, 5, 0, 0, 0, NULL), (7, 10, 4, 1, 1, NULL, NULL), (7, 20, 5, 0, 1, 1, 3);
         INSERT INTO roll_challenges (id, roll_id, member_id, grounds, lodged_at, state, event_seq)
         VALUES (3, 7, 20, 'verified', '2024-05-02T12:00:00Z', 'upheld', 2);",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(run("0008_roll_blocks.sql")))
        .execute(&mut conn)
        .await
        .unwrap();
    let sorted = |body: String| {
        let mut lines: Vec<String> = body.split(',').map(str::to_string).collect();
        lines.sort();
        lines
    };
    let index: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT first_member, last_member, body FROM roll_member_index WHERE roll_id = 7",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(index.len(), 1);
    assert_eq!((index[0].0, index[0].1), (10, 30));
    assert_eq!(sorted(index[0].2.clone()), ["10 4 Y", "20 5 N1", "30 5 N0"]);
    let blocks: Vec<(i64, i64, i64, i64, String)> = sqlx::query_as(
        "SELECT branch_id, first_member, lines, eligible, body FROM roll_blocks
         WHERE roll_id = 7 ORDER BY branch_id",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(blocks.len(), 2);
    assert_eq!(
        (blocks[0].0, blocks[0].1, blocks[0].2, blocks[0].3),
        (4, 10, 1, 1)
    );
    assert_eq!(
        (blocks[1].0, blocks[1].1, blocks[1].2, blocks[1].3),
        (5, 20, 2, 0)
    );
    assert_eq!(sorted(blocks[1].4.clone()), ["20 5 N1", "30 5 N0"]);
    let overrides: Vec<(i64, i64, bool, i64)> = sqlx::query_as(
        "SELECT member_id, branch_id, eligible, challenge_id FROM roll_overrides WHERE roll_id = 7",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert_eq!(overrides, [(20, 5, true, 3)]);
    let branch: i64 = sqlx::query_scalar("SELECT branch_id FROM roll_challenges WHERE id = 3")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(branch, 5);
}

#[tokio::test]
async fn cast_votes_cannot_be_changed_removed_or_tied_to_a_secret_choice() {
    let (store, ()) = memory().await.unwrap();
    charter_store::conformance::polls_count_each_present_voter_once(&store).await;
    for sql in [
        "UPDATE poll_voters SET choice = 'against' WHERE choice IS NOT NULL",
        "DELETE FROM poll_voters",
        "UPDATE motion_versions SET text = 'rewritten'",
        "DELETE FROM motion_versions",
        "UPDATE poll_tallies SET votes = votes + 1",
        "INSERT INTO poll_voters (motion_id, member_id, submission, choice, cast_at)
         SELECT p.motion_id, m.id, 'k', 'for', '2024-01-01T00:00:00Z' FROM motion_polls p, members m
         WHERE p.mode = 'secret' AND m.email = 'dan@example.org'",
    ] {
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(store.pool())
            .await;
        assert!(r.is_err(), "{sql} must be refused");
    }
}

#[tokio::test]
async fn approved_minutes_cannot_be_changed_or_removed() {
    let (store, ()) = memory().await.unwrap();
    charter_store::conformance::minutes_are_final_once_approved(&store).await;
    for sql in [
        "UPDATE minutes SET text = 'rewritten'",
        "DELETE FROM minutes",
    ] {
        let r = sqlx::query(sql).execute(store.pool()).await;
        assert!(r.is_err(), "{sql} must be refused");
    }
}

/// Papers and agenda items are kept: a paper's content and record never change once
/// circulated (only its withdrawal is written, once), and neither is ever deleted.
#[tokio::test]
async fn papers_and_agenda_items_cannot_be_rewritten_or_deleted() {
    let (store, ()) = memory().await.unwrap();
    charter_store::conformance::agenda_items_and_papers_are_kept_for_the_record(&store).await;
    for sql in [
        "UPDATE agenda_papers SET content = X'00', size = 1",
        "UPDATE agenda_papers SET sha256 = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'",
        "UPDATE agenda_papers SET filename = 'other.pdf'",
        "UPDATE agenda_papers SET withdrawn_at = NULL, withdrawn_by = NULL WHERE withdrawn_at IS NOT NULL",
        "DELETE FROM agenda_papers",
        "UPDATE agenda_items SET title = 'rewritten' WHERE removed_at IS NOT NULL",
        "UPDATE agenda_items SET meeting_id = meeting_id + 1",
        "DELETE FROM agenda_items",
    ] {
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(store.pool())
            .await;
        assert!(r.is_err(), "{sql} must be refused");
    }
    let papers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agenda_papers")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(papers, 2);
}

/// A large import indexes its members for search in one statement, the row-by-row trigger
/// dropped inside its transaction: afterwards the trigger is exactly as the migrations made
/// it, and foreign keys are still enforced.
#[tokio::test]
async fn a_large_import_leaves_the_search_trigger_as_it_was() {
    let Some((store, ())) = memory().await else {
        return;
    };
    let trigger = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'members_search_insert'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap()
    };
    let before = trigger().await;
    charter_store::conformance::imports_of_many_members_are_searchable(&store).await;
    assert_eq!(trigger().await, before);
    let orphan = sqlx::query(
        "INSERT INTO payments (member_id, paid_on, amount_pence, months, recorded_at)
         VALUES (987654, '2024-01-01', 100, 1, '2024-01-01T00:00:00Z')",
    )
    .execute(store.pool())
    .await;
    assert!(orphan.is_err(), "foreign keys are enforced");
}
