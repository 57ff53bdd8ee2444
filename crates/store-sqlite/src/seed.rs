//! Bulk loading: members with their histories in multi-row INSERTs inside the caller's
//! transaction. Each statement of a full chunk has the same text, so it is prepared once.

use charter_domain::MemberId;
use charter_store::text::{search_text, sort_key};
use charter_store::{SeedMember, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};

use crate::db_err;

/// SQLite binds at most 32,766 values in one statement.
const MAX_BINDS: usize = 32_000;

async fn insert_chunks<T>(
    conn: &mut SqliteConnection,
    head: &'static str,
    columns: usize,
    rows: &[T],
    mut push: impl FnMut(&mut Separated<'_, Sqlite, &'static str>, &T),
) -> StoreResult<()> {
    let per_statement = (MAX_BINDS / columns).max(1);
    for chunk in rows.chunks(per_statement) {
        let mut qb = QueryBuilder::<Sqlite>::new(head);
        qb.push_values(chunk, |mut b, row| push(&mut b, row));
        qb.build().execute(&mut *conn).await.map_err(db_err)?;
    }
    Ok(())
}

pub(crate) async fn seed(
    conn: &mut SqliteConnection,
    members: &[SeedMember],
    at: DateTime<Utc>,
) -> StoreResult<Vec<MemberId>> {
    let max: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM members")
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    let first = max.unwrap_or(0) + 1;
    let count = i64::try_from(members.len())
        .map_err(|_| StoreError::Database("too many members in one batch".into()))?;
    let ids: Vec<i64> = (first..first + count).collect();
    let rows: Vec<(i64, &SeedMember)> = ids.iter().copied().zip(members).collect();

    insert_chunks(
        conn,
        "INSERT INTO members (id, first_name, last_name, email, phone, postcode, branch_id, status,
                              joined_on, dues_plan, paid_up_until, password_hash, search_text, sort_key) ",
        14,
        &rows,
        |b, (id, s)| {
            let m = &s.member;
            b.push_bind(*id)
                .push_bind(m.first_name.as_str().to_owned())
                .push_bind(m.last_name.as_str().to_owned())
                .push_bind(m.email.as_str().to_owned())
                .push_bind(m.phone.as_ref().map(|p| p.as_str().to_owned()))
                .push_bind(m.postcode.as_str().to_owned())
                .push_bind(m.branch.0)
                .push_bind(m.status.as_str())
                .push_bind(m.joined_on)
                .push_bind(m.dues_plan.as_str())
                .push_bind(charter_domain::paid_up_until(&s.payments))
                .push_bind(s.password_hash.clone())
                .push_bind(search_text(
                    m.first_name.as_str(),
                    m.last_name.as_str(),
                    m.email.as_str(),
                    m.postcode.as_str(),
                ))
                .push_bind(sort_key(m.first_name.as_str(), m.last_name.as_str()));
        },
    )
    .await?;

    let history: Vec<(i64, &charter_store::StatusChangeInput)> = rows
        .iter()
        .flat_map(|(id, s)| s.history.iter().map(move |h| (*id, h)))
        .collect();
    insert_chunks(
        conn,
        "INSERT INTO status_changes (member_id, from_status, to_status, effective_on, reason, changed_by, recorded_at) ",
        7,
        &history,
        |b, (id, h)| {
            b.push_bind(*id)
                .push_bind(h.from.map(|s| s.as_str()))
                .push_bind(h.to.as_str())
                .push_bind(h.effective_on)
                .push_bind(h.reason.clone())
                .push_bind(h.changed_by.map(|m| m.0))
                .push_bind(at);
        },
    )
    .await?;

    let payments: Vec<(i64, &charter_domain::Payment)> = rows
        .iter()
        .flat_map(|(id, s)| s.payments.iter().map(move |p| (*id, p)))
        .collect();
    insert_chunks(
        conn,
        "INSERT INTO payments (member_id, paid_on, amount_pence, months, recorded_by, recorded_at) ",
        6,
        &payments,
        |b, (id, p)| {
            b.push_bind(*id)
                .push_bind(p.paid_on)
                .push_bind(p.amount.pence())
                .push_bind(i64::from(p.months))
                .push_bind(None::<i64>)
                .push_bind(at);
        },
    )
    .await?;

    let affiliations: Vec<(i64, &charter_store::SeedAffiliation)> = rows
        .iter()
        .flat_map(|(id, s)| s.affiliations.iter().map(move |a| (*id, a)))
        .collect();
    insert_chunks(
        conn,
        "INSERT INTO affiliations (member_id, organisation, since, verified_by, verified_on) ",
        5,
        &affiliations,
        |b, (id, a)| {
            b.push_bind(*id)
                .push_bind(a.organisation.clone())
                .push_bind(a.since)
                .push_bind(a.verified.map(|(m, _)| m.0))
                .push_bind(a.verified.map(|(_, on)| on));
        },
    )
    .await?;

    let moves: Vec<(i64, &charter_store::BranchMoveInput)> = rows
        .iter()
        .flat_map(|(id, s)| s.moves.iter().map(move |m| (*id, m)))
        .collect();
    insert_chunks(
        conn,
        "INSERT INTO branch_moves (member_id, from_unit, to_unit, effective_on, reason, moved_by, recorded_at) ",
        7,
        &moves,
        |b, (id, m)| {
            b.push_bind(*id)
                .push_bind(m.from.0)
                .push_bind(m.to.0)
                .push_bind(m.effective_on)
                .push_bind(m.reason.clone())
                .push_bind(m.moved_by.map(|x| x.0))
                .push_bind(at);
        },
    )
    .await?;

    Ok(ids.into_iter().map(MemberId).collect())
}
