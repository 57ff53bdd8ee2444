//! Bulk loading: one `INSERT … SELECT FROM UNNEST(arrays)` per table and chunk, inside the
//! caller's transaction: a handful of round trips for thousands of rows.

use charter_domain::MemberId;
use charter_store::text::{search_text, sort_key};
use charter_store::{SeedMember, StoreError, StoreResult};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use crate::db_err;
use crate::import_rows::{CHUNK, insert_payment_rows, insert_status_rows};

pub(crate) async fn seed(
    conn: &mut PgConnection,
    members: &[SeedMember],
    at: DateTime<Utc>,
) -> StoreResult<Vec<MemberId>> {
    let n = i64::try_from(members.len())
        .map_err(|_| StoreError::Database("too many members in one batch".into()))?;
    // Ids come from the table's own sequence, in order, so concurrent inserts cannot collide.
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT nextval(pg_get_serial_sequence('members', 'id')) FROM generate_series(1, $1)",
    )
    .bind(n)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_err)?;
    if ids.len() != members.len() {
        return Err(StoreError::Database("could not reserve member ids".into()));
    }
    let rows: Vec<(i64, &SeedMember)> = ids.iter().copied().zip(members).collect();

    for chunk in rows.chunks(CHUNK) {
        let mut id = Vec::with_capacity(chunk.len());
        let mut first = Vec::with_capacity(chunk.len());
        let mut last = Vec::with_capacity(chunk.len());
        let mut email = Vec::with_capacity(chunk.len());
        let mut phone: Vec<Option<String>> = Vec::with_capacity(chunk.len());
        let mut postcode = Vec::with_capacity(chunk.len());
        let mut branch = Vec::with_capacity(chunk.len());
        let mut status = Vec::with_capacity(chunk.len());
        let mut joined: Vec<NaiveDate> = Vec::with_capacity(chunk.len());
        let mut plan = Vec::with_capacity(chunk.len());
        let mut paid: Vec<Option<NaiveDate>> = Vec::with_capacity(chunk.len());
        let mut hash: Vec<Option<String>> = Vec::with_capacity(chunk.len());
        let mut search = Vec::with_capacity(chunk.len());
        let mut sort = Vec::with_capacity(chunk.len());
        for (i, s) in chunk {
            let m = &s.member;
            id.push(*i);
            first.push(m.first_name.as_str().to_owned());
            last.push(m.last_name.as_str().to_owned());
            email.push(m.email.as_str().to_owned());
            phone.push(m.phone.as_ref().map(|p| p.as_str().to_owned()));
            postcode.push(m.postcode.as_str().to_owned());
            branch.push(m.branch.0);
            status.push(m.status.as_str().to_owned());
            joined.push(m.joined_on);
            plan.push(m.dues_plan.as_str().to_owned());
            paid.push(charter_domain::paid_up_until(&s.payments));
            hash.push(s.password_hash.clone());
            search.push(search_text(
                m.first_name.as_str(),
                m.last_name.as_str(),
                m.email.as_str(),
                m.postcode.as_str(),
            ));
            sort.push(sort_key(m.first_name.as_str(), m.last_name.as_str()));
        }
        sqlx::query(
            "INSERT INTO members (id, first_name, last_name, email, phone, postcode, branch_id, status,
                                  joined_on, dues_plan, paid_up_until, password_hash, search_text, sort_key)
             SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[],
                                  $7::BIGINT[], $8::TEXT[], $9::DATE[], $10::TEXT[], $11::DATE[], $12::TEXT[],
                                  $13::TEXT[], $14::TEXT[])",
        )
        .bind(id)
        .bind(first)
        .bind(last)
        .bind(email)
        .bind(phone)
        .bind(postcode)
        .bind(branch)
        .bind(status)
        .bind(joined)
        .bind(plan)
        .bind(paid)
        .bind(hash)
        .bind(search)
        .bind(sort)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }

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
    for chunk in affiliations.chunks(CHUNK) {
        let member: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
        let org: Vec<String> = chunk.iter().map(|(_, a)| a.organisation.clone()).collect();
        let since: Vec<Option<NaiveDate>> = chunk.iter().map(|(_, a)| a.since).collect();
        let by: Vec<Option<i64>> = chunk
            .iter()
            .map(|(_, a)| a.verified.map(|(m, _)| m.0))
            .collect();
        let on: Vec<Option<NaiveDate>> = chunk
            .iter()
            .map(|(_, a)| a.verified.map(|(_, d)| d))
            .collect();
        sqlx::query(
            "INSERT INTO affiliations (member_id, organisation, since, verified_by, verified_on)
             SELECT * FROM UNNEST($1::BIGINT[], $2::TEXT[], $3::DATE[], $4::BIGINT[], $5::DATE[])",
        )
        .bind(member)
        .bind(org)
        .bind(since)
        .bind(by)
        .bind(on)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }

    let moves: Vec<(i64, &charter_store::BranchMoveInput)> = rows
        .iter()
        .flat_map(|(id, s)| s.moves.iter().map(move |m| (*id, m)))
        .collect();
    for chunk in moves.chunks(CHUNK) {
        let member: Vec<i64> = chunk.iter().map(|(id, _)| *id).collect();
        let from: Vec<i64> = chunk.iter().map(|(_, m)| m.from.0).collect();
        let to: Vec<i64> = chunk.iter().map(|(_, m)| m.to.0).collect();
        let on: Vec<NaiveDate> = chunk.iter().map(|(_, m)| m.effective_on).collect();
        let reason: Vec<String> = chunk.iter().map(|(_, m)| m.reason.clone()).collect();
        let by: Vec<Option<i64>> = chunk.iter().map(|(_, m)| m.moved_by.map(|x| x.0)).collect();
        sqlx::query(
            "INSERT INTO branch_moves (member_id, from_unit, to_unit, effective_on, reason, moved_by, recorded_at)
             SELECT u.*, $7 FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::DATE[], $5::TEXT[], $6::BIGINT[]) AS u",
        )
        .bind(member)
        .bind(from)
        .bind(to)
        .bind(on)
        .bind(reason)
        .bind(by)
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }

    Ok(ids.into_iter().map(MemberId).collect())
}
