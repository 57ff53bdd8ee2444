//! The Store conformance suite against SQLite, each test on its own in-memory database, plus
//! the SQLite-only promises: WAL and synchronous=FULL on a file, append-only events.

use charter_store::Store;
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
        "UPDATE roll_entries SET frozen_eligible = 1 - frozen_eligible",
        "UPDATE roll_entries SET branch_id = branch_id + 1",
        "DELETE FROM roll_entries",
        "DELETE FROM rolls",
    ] {
        let r = sqlx::query(sql).execute(store.pool()).await;
        assert!(r.is_err(), "{sql} must be refused");
    }
}
