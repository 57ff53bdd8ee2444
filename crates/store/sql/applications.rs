// Joining and leaving, written once for both SQL dialects: applications from the join form,
// officers' decisions on them, and resignations, each with its letters in the outbox. Each
// store crate includes this file in a module that first defines `Db` and `StoreImpl`, and
// imports `append_event`, `commit`, `db_err`, `log_access`, `insert_member`,
// `insert_status_change` and `push_scope`.

use crate::rows::{IdColumn, RawId};
use charter_domain::{ApplicationState, DuesPlan, MemberId, MemberStatus, UnitId};
use charter_store::text::decode_status;
use charter_store::*;
use charter_model::ApplicationId;
use chrono::{DateTime, Utc};
use sqlx::Row;

type DbRow = <Db as sqlx::Database>::Row;
type DbConnection = <Db as sqlx::Database>::Connection;

const APPLICATION_SELECT: &str = "SELECT a.id, a.member_id, m.branch_id, u.name AS branch_name,
        m.first_name, m.last_name, m.email, m.phone, m.postcode, m.dues_plan, m.status,
        a.state, a.consent, a.clause, a.submitted_at, a.decided_at, a.decided_by,
        CASE WHEN d.id IS NULL THEN NULL ELSE d.first_name || ' ' || d.last_name END AS decided_by_name,
        a.reason
     FROM applications a
     JOIN members m ON m.id = a.member_id
     JOIN units u ON u.id = m.branch_id
     LEFT JOIN members d ON d.id = a.decided_by";

fn application_from(r: &DbRow) -> StoreResult<ApplicationRecord> {
    let text = |name: &str| r.try_get::<String, _>(name).map_err(db_err);
    let state = text("state")?;
    let plan = text("dues_plan")?;
    Ok(ApplicationRecord {
        id: r.id("id").map_err(db_err)?,
        member: MemberId(r.try_get("member_id").map_err(db_err)?),
        branch: UnitId(r.try_get("branch_id").map_err(db_err)?),
        branch_name: text("branch_name")?,
        first_name: text("first_name")?,
        last_name: text("last_name")?,
        email: text("email")?,
        phone: r.try_get("phone").map_err(db_err)?,
        postcode: text("postcode")?,
        dues_plan: DuesPlan::parse(&plan)
            .map_err(|e| StoreError::Database(format!("dues plan '{plan}': {e}")))?,
        status: decode_status(&text("status")?)?,
        state: ApplicationState::parse(&state)
            .ok_or_else(|| StoreError::Database(format!("unknown application state '{state}'")))?,
        consent: text("consent")?,
        clause: r.try_get("clause").map_err(db_err)?,
        submitted_at: r.try_get("submitted_at").map_err(db_err)?,
        decided_at: r.try_get("decided_at").map_err(db_err)?,
        decided_by: r
            .try_get::<Option<i64>, _>("decided_by")
            .map_err(db_err)?
            .map(MemberId),
        decided_by_name: r.try_get("decided_by_name").map_err(db_err)?,
        reason: r.try_get("reason").map_err(db_err)?,
    })
}

/// Queues letters, each with its own text, due at once.
pub(crate) async fn queue_letters(
    conn: &mut DbConnection,
    letters: &[Letter],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    // Seven values a row keeps each statement far below either database's limit.
    for chunk in letters.chunks(1_000) {
        let mut qb = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO outbox (member_id, address, subject, body, state, next_attempt_at, created_at) ",
        );
        qb.push_values(chunk, |mut b, l| {
            b.push_bind(l.member.map(|m| m.0))
                .push_bind(l.address.clone())
                .push_bind(l.subject.clone())
                .push_bind(l.body.clone())
                .push_bind("queued")
                .push_bind(at)
                .push_bind(at);
        });
        qb.build().execute(&mut *conn).await.map_err(db_err)?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl ApplicationStore for StoreImpl {
    async fn submit_application(
        &self,
        a: &NewApplication,
        to_applicant: &NoticeText,
        to_officers: &[Letter],
        event: &NewEvent,
    ) -> StoreResult<(ApplicationId, MemberId)> {
        let mut tx = self.write_tx().await?;
        let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM units WHERE id = $1")
            .bind(a.member.branch.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        if kind.as_deref() != Some("branch") {
            return Err(StoreError::NotFound("branch"));
        }
        let member = insert_member(&mut tx, &a.member, None).await?;
        let first = StatusChangeInput {
            from: None,
            to: a.member.status,
            effective_on: a.member.joined_on,
            reason: event.reason.clone(),
            changed_by: None,
        };
        insert_status_change(&mut tx, member, &first, event.at).await?;
        let seq = append_event(&mut tx, event).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO applications (member_id, state, consent, clause, submitted_at, event_seq)
             VALUES ($1, 'pending', $2, $3, $4, $5) RETURNING id",
        )
        .bind(member.0)
        .bind(&a.consent)
        .bind(a.clause.as_deref())
        .bind(event.at)
        .bind(seq)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        let mut letters = Vec::with_capacity(to_officers.len() + 1);
        letters.push(Letter {
            member: Some(member),
            address: a.member.email.as_str().to_string(),
            subject: to_applicant.subject.clone(),
            body: to_applicant.body.clone(),
        });
        letters.extend_from_slice(to_officers);
        queue_letters(&mut tx, &letters, event.at).await?;
        commit(tx).await?;
        Ok((ApplicationId(id), member))
    }

    async fn queue_quiet_letter(
        &self,
        member: MemberId,
        letter: &Letter,
        quiet_since: DateTime<Utc>,
        event: &NewEvent,
    ) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let recent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE member_id = $1 AND subject = $2 AND created_at > $3",
        )
        .bind(member.0)
        .bind(&letter.subject)
        .bind(quiet_since)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if recent > 0 {
            return Ok(false);
        }
        queue_letters(&mut tx, std::slice::from_ref(letter), event.at).await?;
        append_event(&mut tx, event).await?;
        commit(tx).await?;
        Ok(true)
    }

    async fn applications(
        &self,
        q: &ApplicationQuery,
        access: &AccessContext,
    ) -> StoreResult<Vec<ApplicationRecord>> {
        let mut tx = self.write_tx().await?;
        let mut qb = sqlx::QueryBuilder::<Db>::new(APPLICATION_SELECT);
        qb.push(" WHERE 1 = 1");
        push_scope(&mut qb, &q.scope);
        if let Some(state) = q.state {
            qb.push(" AND a.state = ").push_bind(state.as_str());
        }
        // Pending first, oldest first (first come, first decided); then the decided, newest first.
        qb.push(
            " ORDER BY CASE WHEN a.state = 'pending' THEN 0 ELSE 1 END,
                       CASE WHEN a.state = 'pending' THEN a.id ELSE -a.id END LIMIT ",
        )
        .push_bind(i64::from(q.limit));
        let rows = qb.build().fetch_all(&mut *tx).await.map_err(db_err)?;
        let records = rows
            .iter()
            .map(application_from)
            .collect::<StoreResult<Vec<_>>>()?;
        let mut ids: Vec<i64> = records.iter().map(|r| r.member.0).collect();
        ids.sort_unstable();
        ids.dedup();
        log_access(&mut tx, &ids, access).await?;
        commit(tx).await?;
        Ok(records)
    }

    async fn application(
        &self,
        id: ApplicationId,
        access: Option<&AccessContext>,
    ) -> StoreResult<Option<ApplicationRecord>> {
        let mut tx = if access.is_some() {
            self.write_tx().await?
        } else {
            self.read_tx().await?
        };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{APPLICATION_SELECT} WHERE a.id = $1"
        )))
        .bind(id.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
        let Some(record) = row.as_ref().map(application_from).transpose()? else {
            return Ok(None);
        };
        if let Some(access) = access {
            log_access(&mut tx, &[record.member.0], access).await?;
        }
        commit(tx).await?;
        Ok(Some(record))
    }

    async fn decide_application(
        &self,
        id: ApplicationId,
        d: &ApplicationDecision,
        letters: &[Letter],
        invitation: Option<&LinkRequest>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        if !d.state.is_decided() {
            return Err(StoreError::Database(
                "a decision accepts or refuses an application".into(),
            ));
        }
        let mut tx = self.write_tx().await?;
        let seq = append_event(&mut tx, event).await?;
        let done = sqlx::query(
            "UPDATE applications SET state = $1, decided_at = $2, decided_by = $3, reason = $4,
                    decided_event_seq = $5
             WHERE id = $6 AND state = 'pending'",
        )
        .bind(d.state.as_str())
        .bind(event.at)
        .bind(d.by.0)
        .bind(&d.reason)
        .bind(seq)
        .bind(id.raw())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        let member: Option<(i64, String)> =
            sqlx::query("SELECT a.member_id, a.state FROM applications a WHERE a.id = $1")
                .bind(id.raw())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?
                .map(|r| Ok::<_, sqlx::Error>((r.try_get("member_id")?, r.try_get("state")?)))
                .transpose()
                .map_err(db_err)?;
        let Some((member, state)) = member else {
            return Err(StoreError::NotFound("application"));
        };
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale(format!(
                "this application was already {state}; reload to see the decision"
            )));
        }
        if d.state == ApplicationState::Accepted {
            let moved = sqlx::query(
                "UPDATE members SET status = 'active', joined_on = $1 WHERE id = $2 AND status = 'applicant'",
            )
            .bind(d.on)
            .bind(member)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
            if moved.rows_affected() == 0 {
                let now: String = sqlx::query_scalar("SELECT status FROM members WHERE id = $1")
                    .bind(member)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err)?;
                return Err(StoreError::Stale(format!(
                    "the applicant is now {now}, not an applicant; reload and try again"
                )));
            }
            let change = StatusChangeInput {
                from: Some(MemberStatus::Applicant),
                to: MemberStatus::Active,
                effective_on: d.on,
                reason: d.reason.clone(),
                changed_by: Some(d.by),
            };
            insert_status_change(&mut tx, MemberId(member), &change, event.at).await?;
            if let Some(request) = invitation {
                let invited =
                    crate::accounts::invite_in(&mut tx, &[MemberId(member)], request, event.at)
                        .await?;
                if !invited.is_empty() {
                    // The invitation's letter is the welcome: `letters` were its stand-in.
                    return commit(tx).await;
                }
            }
        }
        queue_letters(&mut tx, letters, event.at).await?;
        commit(tx).await
    }

    async fn resign(
        &self,
        member: MemberId,
        expected: MemberStatus,
        change: &StatusChangeInput,
        letter: &Letter,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE members SET status = $1 WHERE id = $2 AND status = $3")
            .bind(MemberStatus::Resigned.as_str())
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
                Some(now) => StoreError::Stale(format!(
                    "the membership is now {now}, not {expected}; reload and try again"
                )),
            });
        }
        let recorded = StatusChangeInput {
            from: Some(expected),
            to: MemberStatus::Resigned,
            ..change.clone()
        };
        insert_status_change(&mut tx, member, &recorded, event.at).await?;
        // A former member holds nothing: their offices and seats end the day before they left.
        let last_day = change
            .effective_on
            .pred_opt()
            .unwrap_or(change.effective_on);
        for table in ["office_terms", "seats"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE {table} SET ends_on = $1
                 WHERE member_id = $2 AND (ends_on IS NULL OR ends_on > $1)"
            )))
            .bind(last_day)
            .bind(member.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        sqlx::query("DELETE FROM sessions WHERE member_id = $1")
            .bind(member.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        queue_letters(&mut tx, std::slice::from_ref(letter), event.at).await?;
        append_event(&mut tx, event).await?;
        commit(tx).await
    }

    async fn member_standing(
        &self,
        member: MemberId,
    ) -> StoreResult<Option<(UnitId, MemberStatus)>> {
        let row = sqlx::query("SELECT branch_id, status FROM members WHERE id = $1")
            .bind(member.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.map(|r| {
            let branch: i64 = r.try_get("branch_id").map_err(db_err)?;
            let status: String = r.try_get("status").map_err(db_err)?;
            Ok((UnitId(branch), decode_status(&status)?))
        })
        .transpose()
    }
}
