// Bringing a register in (`charter import`), written once for both SQL dialects: each store
// crate includes this file in a module that first defines `Db`, `DbConn`, `MAX_BINDS` and
// `ROW_LOCK`, and imports `StoreImpl`, `append_events`, `commit`, `db_err`, `MemberRow` and
// what differs between the dialects (the backend's `import_rows`): numbering new members,
// keeping the search index, checking foreign keys, and the bulk INSERTs of members, status
// changes and payments.
//
// Everything is written in the one transaction the caller opened, rows in multi-row INSERTs.

use std::collections::HashMap;

use charter_domain::{MemberId, OfficeId, Payment, UnitId};
use charter_store::text::{decode_office_kind, decode_status, search_text, sort_key};
use charter_store::*;
use chrono::{DateTime, Utc};
use sqlx::query_builder::Separated;
use sqlx::{QueryBuilder, Row};

use crate::register::crosses_power_of_two;

/// Inserts `rows` with as many rows a statement as the dialect's bound-value limit allows.
async fn insert_rows<T>(
    conn: &mut DbConn,
    head: &'static str,
    columns: usize,
    rows: &[T],
    mut push: impl FnMut(&mut Separated<'_, Db, &'static str>, &T),
) -> StoreResult<()> {
    let per_statement = (MAX_BINDS / columns).max(1);
    for chunk in rows.chunks(per_statement) {
        let mut qb = QueryBuilder::<Db>::new(head);
        qb.push_values(chunk, |mut b, row| push(&mut b, row));
        qb.build().execute(&mut *conn).await.map_err(db_err)?;
    }
    Ok(())
}

fn unit_id(units: &[UnitId], r: UnitRef) -> StoreResult<UnitId> {
    match r {
        UnitRef::Existing(id) => Ok(id),
        UnitRef::New(i) => units
            .get(i)
            .copied()
            .ok_or(StoreError::NotFound("unit of the import")),
    }
}

fn member_id(members: &[MemberId], r: MemberRef) -> StoreResult<MemberId> {
    match r {
        MemberRef::Existing(id) => Ok(id),
        MemberRef::New(i) => members
            .get(i)
            .copied()
            .ok_or(StoreError::NotFound("member of the import")),
    }
}

fn office_id(offices: &[OfficeId], r: OfficeRef) -> StoreResult<OfficeId> {
    match r {
        OfficeRef::Existing(id) => Ok(id),
        OfficeRef::New(i) => offices
            .get(i)
            .copied()
            .ok_or(StoreError::NotFound("office of the import")),
    }
}

pub(crate) async fn write(
    s: &StoreImpl,
    batch: &ImportBatch,
    events: &[NewEvent],
    progress: ImportProgress<'_>,
) -> StoreResult<ImportWritten> {
    let Some(at) = events.first().map(|e| e.at) else {
        return Err(StoreError::Database(
            "an import is written with its events".into(),
        ));
    };
    let mut tx = s.write_tx().await?;
    let mut done = 0u64;

    let mut units = Vec::with_capacity(batch.units.len());
    for u in &batch.units {
        let parent = unit_id(&units, u.parent)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO units (parent_id, kind, name, slug) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(parent.0)
        .bind(u.kind.as_str())
        .bind(&u.name)
        .bind(&u.slug)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        units.push(UnitId(id));
        done += 1;
    }
    progress(done);

    let members = insert_members(&mut tx, batch, &units, at, &mut done, progress).await?;

    for (i, u) in batch.updates.iter().enumerate() {
        update_member(&mut tx, u, &units, at).await?;
        done += 1 + (u.history.len() + u.payments.len()) as u64;
        if (i + 1).is_multiple_of(500) {
            progress(done);
        }
    }
    progress(done);

    let mut offices = Vec::with_capacity(batch.offices.len());
    for o in &batch.offices {
        let unit = unit_id(&units, o.unit)?;
        let id: i64 =
            sqlx::query_scalar("INSERT INTO offices (unit_id, kind) VALUES ($1, $2) RETURNING id")
                .bind(unit.0)
                .bind(o.kind.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        offices.push(OfficeId(id));
        done += 1;
    }
    let terms = batch
        .terms
        .iter()
        .map(|t| {
            Ok((
                office_id(&offices, t.office)?,
                member_id(&members, t.member)?,
                t,
            ))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    insert_rows(
        &mut tx,
        "INSERT INTO office_terms (office_id, member_id, starts_on, ends_on, imported_from) ",
        5,
        &terms,
        |b, (office, member, t)| {
            b.push_bind(office.0)
                .push_bind(member.0)
                .push_bind(t.starts_on)
                .push_bind(t.ends_on)
                .push_bind(t.imported_from.clone());
        },
    )
    .await?;
    done += terms.len() as u64;

    let events: Vec<&NewEvent> = events.iter().collect();
    append_events(&mut tx, &events).await?;
    commit(tx).await?;
    progress(done);
    Ok(ImportWritten {
        units,
        members,
        offices,
    })
}

/// Rows handed to the database between progress reports.
const ROWS_PER_REPORT: usize = 20_000;

async fn insert_members(
    conn: &mut DbConn,
    batch: &ImportBatch,
    units: &[UnitId],
    at: DateTime<Utc>,
    done: &mut u64,
    progress: ImportProgress<'_>,
) -> StoreResult<Vec<MemberId>> {
    if batch.members.is_empty() {
        return Ok(Vec::new());
    }
    let given = batch
        .members
        .iter()
        .filter_map(|m| m.number)
        .map(|n| n.0)
        .max()
        .unwrap_or(0);
    let first_free = first_free_member_id(&mut *conn, given + 1).await?;
    let mut next = first_free;
    let mut ids = Vec::with_capacity(batch.members.len());
    for m in &batch.members {
        ids.push(match m.number {
            Some(n) => n,
            None => {
                next += 1;
                MemberId(next - 1)
            }
        });
    }
    let rows = batch
        .members
        .iter()
        .zip(&ids)
        .map(|(m, id)| Ok((*id, unit_id(units, m.branch)?, m)))
        .collect::<StoreResult<Vec<_>>>()?;
    // One table at a time, in member order: each index grows at its end.
    let search = pause_search_index(&mut *conn, rows.len()).await?;
    for part in rows.chunks(ROWS_PER_REPORT / 4) {
        insert_member_rows(&mut *conn, part).await?;
        *done += part.len() as u64;
        progress(*done);
    }
    resume_search_index(&mut *conn, search, &ids).await?;

    let history: Vec<(MemberId, &StatusChangeInput)> = batch
        .members
        .iter()
        .zip(&ids)
        .flat_map(|(m, id)| m.history.iter().map(move |h| (*id, h)))
        .collect();
    let keys = pause_foreign_keys(&mut *conn, "status_changes", history.len()).await?;
    for part in history.chunks(ROWS_PER_REPORT) {
        insert_status_rows(&mut *conn, part, at).await?;
        *done += part.len() as u64;
        progress(*done);
    }
    restore_foreign_keys(&mut *conn, keys).await?;
    let payments: Vec<(MemberId, &Payment)> = batch
        .members
        .iter()
        .zip(&ids)
        .flat_map(|(m, id)| m.payments.iter().map(move |p| (*id, p)))
        .collect();
    let keys = pause_foreign_keys(&mut *conn, "payments", payments.len()).await?;
    for part in payments.chunks(ROWS_PER_REPORT) {
        insert_payment_rows(&mut *conn, part, at).await?;
        *done += part.len() as u64;
        progress(*done);
    }
    restore_foreign_keys(&mut *conn, keys).await?;
    // Every number below `first_free` was free or handed out before the import took its own.
    let up_to = ids
        .iter()
        .map(|i| i.0)
        .max()
        .unwrap_or(0)
        .max(first_free - 1);
    member_ids_used(&mut *conn, up_to).await?;
    Ok(ids)
}

async fn update_member(
    conn: &mut DbConn,
    u: &ImportUpdate,
    units: &[UnitId],
    at: DateTime<Utc>,
) -> StoreResult<()> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT first_name, last_name, email, phone, postcode, branch_id, status, dues_plan
         FROM members WHERE id = $1{ROW_LOCK}"
    )))
    .bind(u.member.0)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound("member"))?;
    let get = |c: &str| -> StoreResult<String> { row.try_get(c).map_err(db_err) };
    let status = decode_status(&get("status")?)?;
    if status != u.expected_status {
        return Err(StoreError::Stale(format!(
            "member {} is now {status}, not {}; run the import again",
            u.member, u.expected_status
        )));
    }
    let c = &u.changes;
    if !c.is_empty() {
        let first = c
            .first_name
            .as_ref()
            .map_or(get("first_name")?, |v| v.as_str().to_owned());
        let last = c
            .last_name
            .as_ref()
            .map_or(get("last_name")?, |v| v.as_str().to_owned());
        let email = c
            .email
            .as_ref()
            .map_or(get("email")?, |v| v.as_str().to_owned());
        let postcode = c
            .postcode
            .as_ref()
            .map_or(get("postcode")?, |v| v.as_str().to_owned());
        let phone: Option<String> = match &c.phone {
            Some(p) => p.as_ref().map(|p| p.as_str().to_owned()),
            None => row.try_get("phone").map_err(db_err)?,
        };
        let plan = c
            .dues_plan
            .map_or(get("dues_plan")?, |p| p.as_str().to_owned());
        sqlx::query(
            "UPDATE members SET first_name = $1, last_name = $2, email = $3, phone = $4, postcode = $5,
                    dues_plan = $6, search_text = $7, sort_key = $8 WHERE id = $9",
        )
        .bind(&first)
        .bind(&last)
        .bind(&email)
        .bind(&phone)
        .bind(&postcode)
        .bind(&plan)
        .bind(search_text(&first, &last, &email, &postcode))
        .bind(sort_key(&first, &last))
        .bind(u.member.0)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    if let Some(mv) = &u.moved {
        let current: i64 = row.try_get("branch_id").map_err(db_err)?;
        if current != mv.from.0 {
            return Err(StoreError::Stale(format!(
                "member {} is no longer in branch {}; run the import again",
                u.member, mv.from
            )));
        }
        let to = unit_id(units, mv.to)?;
        sqlx::query(
            "INSERT INTO branch_moves (member_id, from_unit, to_unit, effective_on, reason, moved_by, recorded_at)
             VALUES ($1, $2, $3, $4, $5, NULL, $6)",
        )
        .bind(u.member.0)
        .bind(mv.from.0)
        .bind(to.0)
        .bind(mv.effective_on)
        .bind(&mv.reason)
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
        sqlx::query("UPDATE members SET branch_id = $1 WHERE id = $2")
            .bind(to.0)
            .bind(u.member.0)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    if let Some(last) = u.history.last() {
        let rows: Vec<(MemberId, &StatusChangeInput)> =
            u.history.iter().map(|h| (u.member, h)).collect();
        insert_status_rows(&mut *conn, &rows, at).await?;
        sqlx::query("UPDATE members SET status = $1 WHERE id = $2")
            .bind(last.to.as_str())
            .bind(u.member.0)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        // As any change of status does: sessions opened under the old one end.
        sqlx::query("DELETE FROM sessions WHERE member_id = $1")
            .bind(u.member.0)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    if !u.payments.is_empty() {
        let rows: Vec<(MemberId, &Payment)> = u.payments.iter().map(|p| (u.member, p)).collect();
        insert_payment_rows(&mut *conn, &rows, at).await?;
        let mut all = Vec::new();
        for r in
            sqlx::query("SELECT paid_on, amount_pence, months FROM payments WHERE member_id = $1")
                .bind(u.member.0)
                .fetch_all(&mut *conn)
                .await
                .map_err(db_err)?
        {
            let months: i64 = r.try_get("months").map_err(db_err)?;
            all.push(Payment {
                paid_on: r.try_get("paid_on").map_err(db_err)?,
                amount: charter_domain::Money(r.try_get("amount_pence").map_err(db_err)?),
                months: charter_store::text::decode_u32("months", months)?,
            });
        }
        sqlx::query("UPDATE members SET paid_up_until = $1 WHERE id = $2")
            .bind(charter_domain::paid_up_until(&all))
            .bind(u.member.0)
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl ImportStore for StoreImpl {
    async fn import_matches(
        &self,
        emails: &[String],
        numbers: &[MemberId],
    ) -> StoreResult<Vec<ImportMatch>> {
        let mut tx = self.read_tx().await?;
        let mut found: HashMap<i64, MemberRecord> = HashMap::new();
        const SELECT: &str = "SELECT m.id, m.first_name, m.last_name, m.email, m.phone, m.postcode,
                m.branch_id, u.name AS branch_name, m.status, m.joined_on, m.dues_plan, m.paid_up_until
             FROM members m JOIN units u ON u.id = m.branch_id WHERE ";
        for chunk in emails.chunks(MAX_BINDS) {
            let mut qb = QueryBuilder::<Db>::new(SELECT);
            qb.push("m.email IN (");
            let mut list = qb.separated(", ");
            for e in chunk {
                list.push_bind(e.clone());
            }
            qb.push(")");
            for row in qb
                .build_query_as::<MemberRow>()
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err)?
            {
                found.insert(row.id, row.into_record()?);
            }
        }
        for chunk in numbers.chunks(MAX_BINDS) {
            let mut qb = QueryBuilder::<Db>::new(SELECT);
            qb.push("m.id IN (");
            let mut list = qb.separated(", ");
            for n in chunk {
                list.push_bind(n.0);
            }
            qb.push(")");
            for row in qb
                .build_query_as::<MemberRow>()
                .fetch_all(&mut *tx)
                .await
                .map_err(db_err)?
            {
                found.insert(row.id, row.into_record()?);
            }
        }
        let mut ids: Vec<i64> = found.keys().copied().collect();
        ids.sort_unstable();
        let mut history: HashMap<i64, Vec<(charter_domain::MemberStatus, chrono::NaiveDate)>> =
            HashMap::new();
        let mut payments: HashMap<i64, Vec<Payment>> = HashMap::new();
        for chunk in ids.chunks(MAX_BINDS) {
            let mut qb = QueryBuilder::<Db>::new(
                "SELECT member_id, to_status, effective_on FROM status_changes WHERE member_id IN (",
            );
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(") ORDER BY member_id, effective_on, id");
            for r in qb.build().fetch_all(&mut *tx).await.map_err(db_err)? {
                let member: i64 = r.try_get("member_id").map_err(db_err)?;
                let to: String = r.try_get("to_status").map_err(db_err)?;
                let on: chrono::NaiveDate = r.try_get("effective_on").map_err(db_err)?;
                history
                    .entry(member)
                    .or_default()
                    .push((decode_status(&to)?, on));
            }
            let mut qb = QueryBuilder::<Db>::new(
                "SELECT member_id, paid_on, amount_pence, months FROM payments WHERE member_id IN (",
            );
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(") ORDER BY member_id, paid_on, id");
            for r in qb.build().fetch_all(&mut *tx).await.map_err(db_err)? {
                let member: i64 = r.try_get("member_id").map_err(db_err)?;
                let months: i64 = r.try_get("months").map_err(db_err)?;
                payments.entry(member).or_default().push(Payment {
                    paid_on: r.try_get("paid_on").map_err(db_err)?,
                    amount: charter_domain::Money(r.try_get("amount_pence").map_err(db_err)?),
                    months: charter_store::text::decode_u32("months", months)?,
                });
            }
        }
        commit(tx).await?;
        Ok(ids
            .into_iter()
            .filter_map(|id| {
                found.remove(&id).map(|record| ImportMatch {
                    record,
                    history: history.remove(&id).unwrap_or_default(),
                    payments: payments.remove(&id).unwrap_or_default(),
                })
            })
            .collect())
    }

    async fn import_register(
        &self,
        batch: &ImportBatch,
        events: &[NewEvent],
        progress: ImportProgress<'_>,
    ) -> StoreResult<ImportWritten> {
        let written = write(self, batch, events, progress).await?;
        let mut ids = written.members.clone();
        ids.sort_unstable();
        if crosses_power_of_two(&ids) {
            // A bulk load changes the shape of the data: refresh the planner's statistics.
            self.refresh_statistics().await?;
        }
        Ok(written)
    }

    async fn office_terms(&self, unit: Option<UnitId>) -> StoreResult<Vec<OfficeTermRecord>> {
        let mut qb = QueryBuilder::<Db>::new(
            "SELECT t.office_id, o.unit_id, o.kind, t.member_id,
                    m.first_name || ' ' || m.last_name AS member_name,
                    t.starts_on, t.ends_on, t.imported_from
             FROM office_terms t JOIN offices o ON o.id = t.office_id JOIN members m ON m.id = t.member_id",
        );
        if let Some(u) = unit {
            qb.push(" WHERE o.unit_id = ").push_bind(u.0);
        }
        qb.push(" ORDER BY o.unit_id, o.id, t.starts_on DESC, t.id DESC");
        let mut tx = self.read_tx().await?;
        let rows = qb.build().fetch_all(&mut *tx).await.map_err(db_err)?;
        commit(tx).await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind").map_err(db_err)?;
                Ok(OfficeTermRecord {
                    office: OfficeId(r.try_get("office_id").map_err(db_err)?),
                    unit: UnitId(r.try_get("unit_id").map_err(db_err)?),
                    kind: decode_office_kind(&kind)?,
                    member: MemberId(r.try_get("member_id").map_err(db_err)?),
                    member_name: r.try_get("member_name").map_err(db_err)?,
                    term: Term {
                        starts_on: r.try_get("starts_on").map_err(db_err)?,
                        ends_on: r.try_get("ends_on").map_err(db_err)?,
                    },
                    imported_from: r.try_get("imported_from").map_err(db_err)?,
                })
            })
            .collect()
    }
}
