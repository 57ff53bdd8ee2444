// Units established, renamed, merged and closed after the founding, office holdings that
// name their decision, appointment motions and discipline motions — written once for both SQL dialects: each
// store crate includes this file in a module that first defines `Db` and `UPDATE_LOCK`, and
// imports `StoreImpl`, `append_event`, `commit` and `db_err`.

use crate::rows::{IdColumn, RawId};
use charter_domain::{BodyId, MemberId, MemberStatus, OfficeId, OfficeKind, UnitId, UnitKind};
use charter_store::text::{decode_office_kind, decode_status};
use charter_store::*;
use charter_model::MotionId;
use chrono::NaiveDate;
use sqlx::Row;

use crate::register::{member_exists, unit_kind};
use crate::rows::*;

type DbConn = <Db as sqlx::Database>::Connection;

/// A unit's kind and closing day, under a row lock; `None` when there is no such unit.
async fn unit_for_update(
    tx: &mut DbConn,
    unit: UnitId,
) -> StoreResult<Option<(String, Option<NaiveDate>)>> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT kind, closed_on FROM units WHERE id = $1{UPDATE_LOCK}"
    )))
    .bind(unit.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    row.map(|r| -> StoreResult<_> {
        Ok((
            r.try_get("kind").map_err(db_err)?,
            r.try_get("closed_on").map_err(db_err)?,
        ))
    })
    .transpose()
}

/// The unit, which must exist and be open.
async fn open_unit(tx: &mut DbConn, unit: UnitId, what: &'static str) -> StoreResult<String> {
    match unit_for_update(tx, unit).await? {
        None => Err(StoreError::NotFound(what)),
        Some((_, Some(on))) => Err(StoreError::Stale(format!(
            "the {what} closed on {on}; reload and try again"
        ))),
        Some((kind, None)) => Ok(kind),
    }
}

/// Ends the unit's office terms and seats that run past `day_before`.
async fn end_holdings(tx: &mut DbConn, unit: UnitId, day_before: NaiveDate) -> StoreResult<()> {
    sqlx::query(
        "UPDATE office_terms SET ends_on = $1
         WHERE office_id IN (SELECT id FROM offices WHERE unit_id = $2)
           AND starts_on <= $1 AND (ends_on IS NULL OR ends_on > $1)",
    )
    .bind(day_before)
    .bind(unit.0)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    sqlx::query(
        "UPDATE seats SET ends_on = $1
         WHERE body_id IN (SELECT id FROM bodies WHERE unit_id = $2)
           AND starts_on <= $1 AND (ends_on IS NULL OR ends_on > $1)",
    )
    .bind(day_before)
    .bind(unit.0)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

fn day_before(on: NaiveDate) -> NaiveDate {
    on.pred_opt().unwrap_or(on)
}

/// Ends the office's terms running on or after `term.starts_on` the day before, and records
/// the new holding with its mandate.
async fn hold_office(
    tx: &mut DbConn,
    office: OfficeId,
    member: MemberId,
    term: Term,
    mandate: Mandate,
    clause: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE office_terms SET ends_on = $1
         WHERE office_id = $2 AND starts_on < $3 AND (ends_on IS NULL OR ends_on >= $3)",
    )
    .bind(day_before(term.starts_on))
    .bind(office.0)
    .bind(term.starts_on)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    let (election, motion) = match mandate {
        Mandate::Election(e) => (Some(e), None),
        Mandate::Motion(m) => (None, Some(m)),
        Mandate::Founding | Mandate::Record => (None, None),
    };
    sqlx::query(
        "INSERT INTO office_terms (office_id, member_id, starts_on, ends_on, mandate, election_id, motion_id, clause)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(office.0)
    .bind(member.0)
    .bind(term.starts_on)
    .bind(term.ends_on)
    .bind(mandate.as_str())
    .bind(election.raw())
    .bind(motion.raw())
    .bind(clause)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

async fn office_and_member(tx: &mut DbConn, office: OfficeId, member: MemberId) -> StoreResult<()> {
    let office_unit: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT unit_id FROM offices WHERE id = $1{UPDATE_LOCK}"
    )))
    .bind(office.0)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    let Some(unit) = office_unit else {
        return Err(StoreError::NotFound("office"));
    };
    open_unit(tx, UnitId(unit), "office's unit").await?;
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM members WHERE id = $1")
        .bind(member.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
    if found.is_none() {
        return Err(StoreError::NotFound("member"));
    }
    Ok(())
}

/// Suspends or expels the member an adopted discipline motion names, if it names one:
/// called in the transaction that records the motion's binding decision, and nowhere else.
pub(crate) async fn apply_status_motion(
    tx: &mut DbConn,
    motion: MotionId,
    at: chrono::DateTime<chrono::Utc>,
) -> StoreResult<()> {
    let row = sqlx::query(
        "SELECT s.member_id, s.to_status, s.clause, m.status
         FROM status_motions s JOIN members m ON m.id = s.member_id
         WHERE s.motion_id = $1",
    )
    .bind(motion.raw())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    let Some(r) = row else { return Ok(()) };
    let member = MemberId(r.try_get("member_id").map_err(db_err)?);
    let to = decode_status(&r.try_get::<String, _>("to_status").map_err(db_err)?)?;
    let clause: String = r.try_get("clause").map_err(db_err)?;
    let from = decode_status(&r.try_get::<String, _>("status").map_err(db_err)?)?;
    if let Err(e) = from.transition(to) {
        return Err(StoreError::Conflict {
            field: "motion".into(),
            message: format!("the member's status has changed since the motion was proposed: {e}"),
        });
    }
    sqlx::query("UPDATE members SET status = $1 WHERE id = $2 AND status = $3")
        .bind(to.as_str())
        .bind(member.0)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    crate::register::insert_status_change(
        &mut *tx,
        member,
        &StatusChangeInput {
            from: Some(from),
            to,
            effective_on: at.date_naive(),
            reason: format!("by decision of motion {motion}, under clause {clause}"),
            changed_by: None,
        },
        at,
    )
    .await?;
    crate::register::end_sessions(&mut *tx, member).await
}

/// Makes the appointment an adopted motion proposed, if it proposed one: called in the
/// transaction that records the motion's binding decision, and nowhere else.
pub(crate) async fn apply_appointment(tx: &mut DbConn, motion: MotionId) -> StoreResult<()> {
    let row = sqlx::query(
        "SELECT office_id, member_id, starts_on, ends_on, clause FROM appointment_motions WHERE motion_id = $1",
    )
    .bind(motion.raw())
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    let Some(r) = row else { return Ok(()) };
    let office = OfficeId(r.try_get("office_id").map_err(db_err)?);
    let member = MemberId(r.try_get("member_id").map_err(db_err)?);
    let term = Term {
        starts_on: r.try_get("starts_on").map_err(db_err)?,
        ends_on: r.try_get("ends_on").map_err(db_err)?,
    };
    let clause: String = r.try_get("clause").map_err(db_err)?;
    office_and_member(tx, office, member).await?;
    hold_office(
        tx,
        office,
        member,
        term,
        Mandate::Motion(motion),
        Some(&clause),
    )
    .await
}

const OFFICE_SELECT: &str = "SELECT o.id, o.unit_id, u.name AS unit_name, u.kind AS unit_kind, o.kind,
        t.member_id AS holder_id, CASE WHEN h.id IS NULL THEN NULL ELSE h.first_name || ' ' || h.last_name END AS holder_name,
        t.starts_on, t.ends_on, t.mandate, t.election_id, t.motion_id, t.clause
    FROM offices o
    JOIN units u ON u.id = o.unit_id
    LEFT JOIN office_terms t ON t.office_id = o.id AND t.starts_on <= $1 AND (t.ends_on IS NULL OR t.ends_on >= $1)
    LEFT JOIN members h ON h.id = t.member_id";

pub(crate) fn terms_on_date<T>(
    rows: Vec<(i64, Option<T>, Option<NaiveDate>)>,
) -> Vec<(i64, Option<T>)> {
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

pub(crate) fn offices_from_rows(rows: Vec<OfficeRow>) -> StoreResult<Vec<OfficeRecord>> {
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

pub(crate) fn check_seat(holders: &[i64], seats: i64, member: MemberId) -> StoreResult<()> {
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

#[async_trait::async_trait]
impl StructureStore for StoreImpl {
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

    async fn establish_unit(&self, u: &NewUnit, event: &NewEvent) -> StoreResult<UnitId> {
        let mut tx = self.write_tx().await?;
        open_unit(&mut tx, u.parent, "parent unit").await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO units (parent_id, kind, name, slug) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(u.parent.0)
        .bind(u.kind.as_str())
        .bind(&u.name)
        .bind(&u.slug)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        for b in &u.bodies {
            sqlx::query(
                "INSERT INTO bodies (unit_id, name, kind, seats, filled_by) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(&b.name)
            .bind(&b.kind)
            .bind(i64::from(b.seats))
            .bind(&b.filled_by)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        for o in &u.offices {
            sqlx::query("INSERT INTO offices (unit_id, kind) VALUES ($1, $2)")
                .bind(id)
                .bind(o.as_str())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        append_event(&mut tx, event).await?;
        commit(tx).await?;
        Ok(UnitId(id))
    }

    async fn rename_unit(&self, unit: UnitId, name: &str, event: &NewEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        open_unit(&mut tx, unit, "unit").await?;
        sqlx::query("UPDATE units SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(unit.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await
    }

    async fn merge_unit(&self, m: &UnitMerge, event: &NewEvent) -> StoreResult<Merged> {
        let mut tx = self.write_tx().await?;
        // Lock in id order so two merges of the same pair cannot wait on each other.
        let (first, second) = if m.from.0 < m.into.0 {
            ((m.from, "unit to merge"), (m.into, "unit to merge into"))
        } else {
            ((m.into, "unit to merge into"), (m.from, "unit to merge"))
        };
        let k1 = open_unit(&mut tx, first.0, first.1).await?;
        let k2 = open_unit(&mut tx, second.0, second.1).await?;
        if m.from == m.into || k1 != k2 {
            return Err(StoreError::Conflict {
                field: "into".into(),
                message: "a unit merges only into another unit of its own kind".into(),
            });
        }
        let moved = sqlx::query(
            "INSERT INTO branch_moves (member_id, from_unit, to_unit, effective_on, reason, moved_by, recorded_at)
             SELECT id, $1, $2, $3, $4, $5, $6 FROM members WHERE branch_id = $1",
        )
        .bind(m.from.0)
        .bind(m.into.0)
        .bind(m.on)
        .bind(&m.reason)
        .bind(m.moved_by.map(|p| p.0))
        .bind(event.at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?
        .rows_affected();
        sqlx::query("UPDATE members SET branch_id = $1 WHERE branch_id = $2")
            .bind(m.into.0)
            .bind(m.from.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        let children = sqlx::query(
            "UPDATE units SET parent_id = $1 WHERE parent_id = $2 AND closed_on IS NULL",
        )
        .bind(m.into.0)
        .bind(m.from.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?
        .rows_affected();
        end_holdings(&mut tx, m.from, day_before(m.on)).await?;
        sqlx::query("UPDATE units SET closed_on = $1, merged_into = $2 WHERE id = $3")
            .bind(m.on)
            .bind(m.into.0)
            .bind(m.from.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await?;
        Ok(Merged {
            members: moved,
            children,
        })
    }

    async fn close_unit(&self, unit: UnitId, on: NaiveDate, event: &NewEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        open_unit(&mut tx, unit, "unit").await?;
        let members: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM members
             WHERE branch_id = $1 AND status IN ('applicant', 'active', 'lapsed', 'suspended')",
        )
        .bind(unit.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if members > 0 {
            return Err(StoreError::Conflict {
                field: "unit".into(),
                message: format!(
                    "{members} member{} still belong{} here: merge the unit into another to move them, or transfer them first",
                    if members == 1 { "" } else { "s" },
                    if members == 1 { "s" } else { "" }
                ),
            });
        }
        let children: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM units WHERE parent_id = $1 AND closed_on IS NULL",
        )
        .bind(unit.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if children > 0 {
            return Err(StoreError::Conflict {
                field: "unit".into(),
                message: format!(
                    "{children} open unit{} still lie{} under it: merge it into another unit of its kind to move them, or close them first",
                    if children == 1 { "" } else { "s" },
                    if children == 1 { "s" } else { "" }
                ),
            });
        }
        end_holdings(&mut tx, unit, day_before(on)).await?;
        sqlx::query("UPDATE units SET closed_on = $1 WHERE id = $2")
            .bind(on)
            .bind(unit.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await
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
        if let Mandate::Motion(_) = mandate {
            return Err(StoreError::Conflict {
                field: "mandate".into(),
                message:
                    "an appointment by motion takes effect only when the motion's decision binds"
                        .into(),
            });
        }
        let mut tx = self.write_tx().await?;
        office_and_member(&mut tx, office, member).await?;
        if let Mandate::Election(e) = mandate {
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM elections WHERE id = $1")
                .bind(e.raw())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
            if found.is_none() {
                return Err(StoreError::NotFound("election"));
            }
        }
        hold_office(&mut tx, office, member, term, mandate, clause).await?;
        append_event(&mut tx, event).await?;
        commit(tx).await
    }

    async fn propose_appointment(
        &self,
        motion: &NewMotion,
        a: &NewAppointment,
        event: &NewEvent,
    ) -> StoreResult<MotionId> {
        let mut tx = self.write_tx().await?;
        office_and_member(&mut tx, a.office, a.member).await?;
        let id = crate::meetings::insert_motion(&mut tx, motion, event).await?;
        sqlx::query(
            "INSERT INTO appointment_motions (motion_id, office_id, member_id, starts_on, ends_on, clause)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.raw())
        .bind(a.office.0)
        .bind(a.member.0)
        .bind(a.term.starts_on)
        .bind(a.term.ends_on)
        .bind(&a.clause)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(MotionId(id.raw()))
    }

    async fn motion_appointment(&self, motion: MotionId) -> StoreResult<Option<AppointmentRecord>> {
        let row = sqlx::query(
            "SELECT a.motion_id, a.office_id, o.kind AS office_kind, o.unit_id, u.name AS unit_name,
                    a.member_id, m.first_name || ' ' || m.last_name AS member_name,
                    a.starts_on, a.ends_on, a.clause
             FROM appointment_motions a
             JOIN offices o ON o.id = a.office_id
             JOIN units u ON u.id = o.unit_id
             JOIN members m ON m.id = a.member_id
             WHERE a.motion_id = $1",
        )
        .bind(motion.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        let Some(r) = row else { return Ok(None) };
        let kind: String = r.try_get("office_kind").map_err(db_err)?;
        Ok(Some(AppointmentRecord {
            motion: r.id("motion_id").map_err(db_err)?,
            office: OfficeId(r.try_get("office_id").map_err(db_err)?),
            office_kind: decode_office_kind(&kind)?,
            unit: UnitId(r.try_get("unit_id").map_err(db_err)?),
            unit_name: r.try_get("unit_name").map_err(db_err)?,
            member: MemberId(r.try_get("member_id").map_err(db_err)?),
            member_name: r.try_get("member_name").map_err(db_err)?,
            term: Term {
                starts_on: r.try_get("starts_on").map_err(db_err)?,
                ends_on: r.try_get("ends_on").map_err(db_err)?,
            },
            clause: r.try_get("clause").map_err(db_err)?,
        }))
    }

    async fn propose_status_motion(
        &self,
        motion: &NewMotion,
        c: &NewStatusMotion,
        event: &NewEvent,
    ) -> StoreResult<MotionId> {
        if !matches!(c.to, MemberStatus::Suspended | MemberStatus::Expelled) {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: "a discipline motion suspends or expels".into(),
            });
        }
        let mut tx = self.write_tx().await?;
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM members WHERE id = $1")
            .bind(c.member.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        if known.is_none() {
            return Err(StoreError::NotFound("member"));
        }
        let id = crate::meetings::insert_motion(&mut tx, motion, event).await?;
        sqlx::query(
            "INSERT INTO status_motions (motion_id, member_id, to_status, clause) VALUES ($1, $2, $3, $4)",
        )
        .bind(id.raw())
        .bind(c.member.0)
        .bind(c.to.as_str())
        .bind(&c.clause)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(MotionId(id.raw()))
    }

    async fn motion_status_change(&self, motion: MotionId) -> StoreResult<Option<NewStatusMotion>> {
        let row = sqlx::query(
            "SELECT member_id, to_status, clause FROM status_motions WHERE motion_id = $1",
        )
        .bind(motion.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        let Some(r) = row else { return Ok(None) };
        let to: String = r.try_get("to_status").map_err(db_err)?;
        Ok(Some(NewStatusMotion {
            member: MemberId(r.try_get("member_id").map_err(db_err)?),
            to: decode_status(&to)?,
            clause: r.try_get("clause").map_err(db_err)?,
        }))
    }

    async fn branch_stats(&self, paid_up_cutoff: NaiveDate) -> StoreResult<Vec<BranchStats>> {
        let rows = sqlx::query_as::<_, StatsRow>(
            "SELECT branch_id, status, COUNT(*) AS n,
                    CAST(SUM(CASE WHEN paid_up_until >= $1 THEN 1 ELSE 0 END) AS BIGINT) AS paid
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
        let found: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM offices WHERE id = $1{UPDATE_LOCK}"
        )))
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
            "{OFFICE_SELECT} WHERE (CAST($2 AS BIGINT) IS NULL OR o.unit_id = $2) ORDER BY o.unit_id, o.id, t.starts_on"
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
        let seats: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT seats FROM bodies WHERE id = $1{UPDATE_LOCK}"
        )))
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
             WHERE (CAST($1 AS BIGINT) IS NULL OR unit_id = $1) ORDER BY unit_id, id",
        )
        .bind(unit.map(|u| u.0))
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let holders = sqlx::query_as::<_, SeatRow>(
            "SELECT s.body_id, s.member_id, m.first_name || ' ' || m.last_name AS name,
                    s.starts_on, s.ends_on, s.how
             FROM seats s JOIN members m ON m.id = s.member_id JOIN bodies b ON b.id = s.body_id
             WHERE (CAST($1 AS BIGINT) IS NULL OR b.unit_id = $1)
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
}
