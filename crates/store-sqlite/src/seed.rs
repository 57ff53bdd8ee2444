//! Bulk loading: members with their histories in multi-row INSERTs inside the caller's
//! transaction. Each statement of a full chunk has the same text, so it is prepared once.

use charter_domain::MemberId;
use charter_store::text::{search_text, sort_key};
use charter_store::{SeedMember, StoreError, StoreResult};
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use crate::db_err;
use crate::import_rows::{insert_payment_rows, insert_status_rows, insert_values};

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

    insert_values(
        conn,
        "INSERT INTO members (id, first_name, last_name, email, phone, postcode, branch_id, status,
                              joined_on, dues_plan, paid_up_until, password_hash, search_text, sort_key) ",
        None,
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

    // Histories and payments are written as an import writes them.
    let history: Vec<(MemberId, &charter_store::StatusChangeInput)> = rows
        .iter()
        .flat_map(|(id, s)| s.history.iter().map(move |h| (MemberId(*id), h)))
        .collect();
    insert_status_rows(&mut *conn, &history, at).await?;
    let payments: Vec<(MemberId, &charter_domain::Payment)> = rows
        .iter()
        .flat_map(|(id, s)| s.payments.iter().map(move |p| (MemberId(*id), p)))
        .collect();
    insert_payment_rows(&mut *conn, &payments, at).await?;

    let affiliations: Vec<(i64, &charter_store::SeedAffiliation)> = rows
        .iter()
        .flat_map(|(id, s)| s.affiliations.iter().map(move |a| (*id, a)))
        .collect();
    insert_values(
        conn,
        "INSERT INTO affiliations (member_id, organisation, since, verified_by, verified_on) ",
        None,
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
    insert_values(
        conn,
        "INSERT INTO branch_moves (member_id, from_unit, to_unit, effective_on, reason, moved_by, recorded_at) ",
        None,
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
