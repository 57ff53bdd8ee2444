//! The Store conformance suite against PostgreSQL, each test in a fresh database from
//! `charter_test_support` (skipped loudly without a server; a failure when PostgreSQL is required).

use charter_store::Store;
use charter_store::prelude::*;
use charter_store_postgres::PgStore;
use charter_test_support::postgres::{PgTestDb, fresh_database};

async fn fresh() -> Option<(PgStore, PgTestDb)> {
    let db = fresh_database().await?;
    let store = PgStore::connect(db.url())
        .await
        .expect("connect to test database");
    store.migrate().await.expect("migrate");
    Some((store, db))
}

charter_store::conformance_tests!(fresh);

#[tokio::test]
async fn governance_events_cannot_be_changed_or_deleted() {
    let Some((store, _db)) = fresh().await else {
        return;
    };
    charter_store::conformance::org(&store).await;
    for sql in [
        "UPDATE governance_events SET reason = 'rewritten'",
        "DELETE FROM governance_events",
        "TRUNCATE governance_events",
    ] {
        let r = sqlx::query(sql).execute(store.pool()).await;
        assert!(r.is_err(), "{sql} must be refused");
    }
    assert_eq!(store.events(0, 100).await.unwrap().len(), 6);
}

#[tokio::test]
async fn unreachable_server_is_unavailable() {
    let err = PgStore::connect("postgres://nobody@127.0.0.1:1/none")
        .await
        .unwrap_err();
    assert!(
        matches!(err, charter_store::StoreError::Unavailable(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn frozen_roll_lines_cannot_be_changed_or_deleted() {
    let Some((store, _db)) = fresh().await else {
        return;
    };
    charter_store::conformance::rolls_freeze_count_and_take_challenges(&store).await;
    for sql in [
        "UPDATE roll_member_index SET body = body || ',9 9 Y'",
        "UPDATE roll_blocks SET eligible = eligible + 1",
        "DELETE FROM roll_member_index",
        "DELETE FROM roll_blocks",
        "UPDATE roll_overrides SET eligible = FALSE",
        "DELETE FROM roll_overrides",
        "DELETE FROM rolls",
    ] {
        let r = sqlx::query(sql).execute(store.pool()).await;
        assert!(r.is_err(), "{sql} must be refused");
    }
}

#[tokio::test]
async fn cast_votes_cannot_be_changed_removed_or_tied_to_a_secret_choice() {
    let Some((store, _db)) = fresh().await else {
        return;
    };
    charter_store::conformance::polls_count_each_present_voter_once(&store).await;
    for sql in [
        "UPDATE poll_voters SET choice = 'against' WHERE choice IS NOT NULL",
        "DELETE FROM poll_voters",
        "UPDATE motion_versions SET text = 'rewritten'",
        "DELETE FROM motion_versions",
        "UPDATE poll_tallies SET votes = votes + 1",
        "INSERT INTO poll_voters (motion_id, member_id, submission, choice, cast_at)
         SELECT p.motion_id, m.id, 'k', 'for', now() FROM motion_polls p, members m
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
    let Some((store, _db)) = fresh().await else {
        return;
    };
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
    let Some((store, _db)) = fresh().await else {
        return;
    };
    charter_store::conformance::agenda_items_and_papers_are_kept_for_the_record(&store).await;
    for sql in [
        "UPDATE agenda_papers SET content = '\\x00'::bytea, size = 1",
        "UPDATE agenda_papers SET sha256 = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'",
        "UPDATE agenda_papers SET filename = 'other.pdf'",
        "UPDATE agenda_papers SET withdrawn_at = NULL, withdrawn_by = NULL WHERE withdrawn_at IS NOT NULL",
        "DELETE FROM agenda_papers",
        "UPDATE agenda_items SET title = 'rewritten' WHERE removed_at IS NOT NULL",
        "UPDATE agenda_items SET meeting_id = meeting_id + 1",
        "DELETE FROM agenda_items",
        "TRUNCATE agenda_papers",
        "TRUNCATE agenda_items CASCADE",
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

/// A large import checks payments' and status changes' foreign keys once, after the rows,
/// by dropping and adding them inside its transaction: afterwards they are exactly as the
/// migrations made them, and enforced.
#[tokio::test]
async fn a_large_import_leaves_its_foreign_keys_as_they_were() {
    let Some((store, _db)) = fresh().await else {
        return;
    };
    let keys = || async {
        sqlx::query_as::<_, (String, String)>(
            "SELECT conname::TEXT, pg_get_constraintdef(oid) FROM pg_constraint
             WHERE contype = 'f' AND conrelid::regclass::TEXT IN ('payments', 'status_changes')
             ORDER BY conname",
        )
        .fetch_all(store.pool())
        .await
        .unwrap()
    };
    let before = keys().await;
    assert_eq!(before.len(), 4, "{before:?}");
    charter_store::conformance::imports_of_many_members_are_searchable(&store).await;
    assert_eq!(keys().await, before);
    let orphan = sqlx::query(
        "INSERT INTO payments (member_id, paid_on, amount_pence, months, recorded_at)
         VALUES (987654, DATE '2024-01-01', 100, 1, now())",
    )
    .execute(store.pool())
    .await;
    assert!(orphan.is_err(), "the foreign key is enforced again");
}
