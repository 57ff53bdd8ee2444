// The membership register: members, their status, dues, affiliations and transfers, written
// once for both SQL dialects: each store crate includes this file in a module that first
// defines `Db`, `DbConn`, `ROW_LOCK` (its row-lock clause for the member a write checks) and
// `StoreImpl`, and imports `append_event`, `commit`, `db_err`, `log_access` and `search`.
use crate::rows::RawId;
use charter_domain::{MemberChanges, MemberId, MemberStatus, NewMember, Payment, UnitId, UnitKind};
use charter_store::text::{search_text, sort_key};
use charter_store::*;
use charter_model::AffiliationId;
use chrono::{NaiveDate, Utc};

use crate::rows::*;

pub(crate) async fn unit_kind(conn: &mut DbConn, unit: UnitId) -> StoreResult<Option<UnitKind>> {
    let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM units WHERE id = $1")
        .bind(unit.0)
        .fetch_optional(conn)
        .await
        .map_err(db_err)?;
    kind.map(|k| charter_store::text::decode_unit_kind(&k))
        .transpose()
}

pub(crate) async fn member_exists(conn: &mut DbConn, member: MemberId) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM members WHERE id = $1{ROW_LOCK}"
    )))
    .bind(member.0)
    .fetch_optional(conn)
    .await
    .map_err(db_err)?;
    Ok(found.is_some())
}

pub(crate) async fn insert_member(
    conn: &mut DbConn,
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
pub(crate) async fn end_sessions(conn: &mut DbConn, member: MemberId) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE member_id = $1")
        .bind(member.0)
        .execute(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub(crate) async fn insert_status_change(
    conn: &mut DbConn,
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

pub(crate) async fn fetch_member_row(
    conn: &mut DbConn,
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

pub(crate) async fn insert_move(
    conn: &mut DbConn,
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

/// Whether a batch of new ids took the register past a power of two (from 1,024 up), the
/// points at which a bulk load has changed the data enough to refresh statistics.
pub(crate) fn crosses_power_of_two(ids: &[MemberId]) -> bool {
    match (ids.first(), ids.last()) {
        (Some(first), Some(last)) if last.0 >= 1024 => {
            first.0.max(1).ilog2() != last.0.max(1).ilog2() || ids.len() >= 100_000
        }
        _ => false,
    }
}

#[async_trait::async_trait]
impl RegisterStore for StoreImpl {
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
        let ids = crate::seed::seed(&mut tx, members, event.at).await?;
        append_event(&mut tx, event).await?;
        commit(tx).await?;
        if crosses_power_of_two(&ids) {
            // A bulk load changes the shape of the data: refresh the planner's statistics,
            // sampled so it stays cheap, each time the register doubles in size.
            self.refresh_statistics().await?;
        }
        Ok(ids)
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
            if let Some(a) = affiliations.iter_mut().find(|a| a.id == AffiliationId(affiliation)) {
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
            "SELECT paid_on, amount_pence, months, CAST(NULL AS TEXT) AS recorded_by_name FROM payments WHERE member_id = $1",
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
    ) -> StoreResult<AffiliationId> {
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
        Ok(AffiliationId(id))
    }

    async fn verify_affiliation(
        &self,
        member: MemberId,
        affiliation: AffiliationId,
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
        .bind(affiliation.raw())
        .bind(member.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let done = sqlx::query(
            "UPDATE affiliations SET verified_by = $1, verified_on = $2 WHERE id = $3 AND member_id = $4",
        )
        .bind(verified_by.0)
        .bind(on)
        .bind(affiliation.raw())
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
        let mut qb = sqlx::QueryBuilder::<Db>::new(
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
}
