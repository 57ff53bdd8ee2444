// A meeting's agenda items and the papers circulated for them, written once for both SQL
// dialects: each store crate includes this file in a module that first defines `Db`,
// `MEETING_LOCK` (its clause for locking the meeting's row while its agenda changes) and
// `StoreImpl`, and imports `append_event`, `commit` and `db_err`.
//
// Every change reads the meeting under that lock and checks the time of its event against
// the meeting's start (items) or end (papers), so a change racing the start is refused in
// the same transaction it would have been written in.

use crate::rows::{IdColumn, RawId};
use charter_domain::MemberId;
use charter_store::*;
use charter_model::{AgendaItemId, MeetingId, PaperId};
use chrono::{DateTime, Utc};
use sqlx::Row;

type DbRow = <Db as sqlx::Database>::Row;
type Conn = <Db as sqlx::Database>::Connection;

const ITEM_SELECT: &str = "SELECT id, meeting_id, position, title, description, added_at, added_by,
        removed_at
     FROM agenda_items";
const PAPER_COLUMNS: &str = "p.id, p.item_id, i.meeting_id, p.filename, p.content_type, p.size,
        p.sha256, p.circulated_at, p.circulated_by, p.withdrawn_at, p.withdrawn_by";
const PAPER_FROM: &str = "FROM agenda_papers p JOIN agenda_items i ON i.id = p.item_id";

fn item_from(r: &DbRow) -> Result<AgendaItemRecord, sqlx::Error> {
    Ok(AgendaItemRecord {
        id: r.id("id")?,
        meeting: r.id("meeting_id")?,
        number: r.try_get("position")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        added_at: r.try_get("added_at")?,
        added_by: r.try_get::<Option<i64>, _>("added_by")?.map(MemberId),
        removed_at: r.try_get("removed_at")?,
        papers: Vec::new(),
    })
}

fn paper_from(r: &DbRow) -> Result<PaperRecord, sqlx::Error> {
    Ok(PaperRecord {
        id: r.id("id")?,
        item: r.id("item_id")?,
        meeting: r.id("meeting_id")?,
        filename: r.try_get("filename")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        circulated_at: r.try_get("circulated_at")?,
        circulated_by: r.try_get::<Option<i64>, _>("circulated_by")?.map(MemberId),
        withdrawn_at: r.try_get("withdrawn_at")?,
        withdrawn_by: r.try_get::<Option<i64>, _>("withdrawn_by")?.map(MemberId),
    })
}

/// What the agenda's rules need to know about its meeting, read under the meeting's lock.
struct Sitting {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    cancelled: bool,
}

impl Sitting {
    /// Refuses changing the items once the meeting was cancelled or has started at `at`.
    fn items_open(&self, at: DateTime<Utc>) -> StoreResult<()> {
        if self.cancelled {
            return Err(StoreError::Stale("the meeting was cancelled".into()));
        }
        if at >= self.starts_at {
            return Err(StoreError::Stale(
                "the meeting has started: its agenda is fixed".into(),
            ));
        }
        Ok(())
    }

    /// Refuses circulating or withdrawing papers once the meeting was cancelled or has ended.
    fn papers_open(&self, at: DateTime<Utc>) -> StoreResult<()> {
        if self.cancelled {
            return Err(StoreError::Stale("the meeting was cancelled".into()));
        }
        if at > self.ends_at {
            return Err(StoreError::Stale(
                "the meeting has ended: its papers are part of its record".into(),
            ));
        }
        Ok(())
    }
}

async fn sitting(tx: &mut Conn, meeting: i64) -> StoreResult<Sitting> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT starts_at, ends_at, state FROM meetings WHERE id = $1{MEETING_LOCK}"
    )))
    .bind(meeting)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?
    .ok_or(StoreError::NotFound("meeting"))?;
    let state: String = row.try_get("state").map_err(db_err)?;
    Ok(Sitting {
        starts_at: row.try_get("starts_at").map_err(db_err)?,
        ends_at: row.try_get("ends_at").map_err(db_err)?,
        cancelled: state == "cancelled",
    })
}

/// The item's meeting and whether it was taken off the agenda, or `NotFound`.
async fn item_meeting(tx: &mut Conn, item: i64) -> StoreResult<(i64, bool)> {
    let row = sqlx::query("SELECT meeting_id, removed_at FROM agenda_items WHERE id = $1")
        .bind(item)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("agenda item"))?;
    let removed: Option<DateTime<Utc>> = row.try_get("removed_at").map_err(db_err)?;
    Ok((
        row.try_get("meeting_id").map_err(db_err)?,
        removed.is_some(),
    ))
}

/// The ids of the items on a meeting's agenda, in order.
async fn order(tx: &mut Conn, meeting: i64) -> StoreResult<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM agenda_items WHERE meeting_id = $1 AND position IS NOT NULL ORDER BY position",
    )
    .bind(meeting)
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)
}

/// Gives the items `ids` the positions 1, 2, 3… in that order. Each goes to its negative
/// place first and all are then flipped, so no step ever holds two items at one place.
async fn renumber(tx: &mut Conn, meeting: i64, ids: &[i64]) -> StoreResult<()> {
    for (i, id) in ids.iter().enumerate() {
        let place = i64::try_from(i).unwrap_or(i64::MAX - 1) + 1;
        sqlx::query("UPDATE agenda_items SET position = $1 WHERE id = $2")
            .bind(-place)
            .bind(*id)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
    }
    sqlx::query(
        "UPDATE agenda_items SET position = -position WHERE meeting_id = $1 AND position < 0",
    )
    .bind(meeting)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Fills in each item's papers, oldest first, from one query over `where_` (bound to `id`).
async fn with_papers(
    s: &StoreImpl,
    mut items: Vec<AgendaItemRecord>,
    where_: &str,
    id: i64,
) -> StoreResult<Vec<AgendaItemRecord>> {
    if items.is_empty() {
        return Ok(items);
    }
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {PAPER_COLUMNS} {PAPER_FROM} WHERE {where_} ORDER BY p.id"
    )))
    .bind(id)
    .fetch_all(&s.pool)
    .await
    .map_err(db_err)?;
    for r in &rows {
        let paper = paper_from(r).map_err(db_err)?;
        if let Some(item) = items.iter_mut().find(|i| i.id == paper.item) {
            item.papers.push(paper);
        }
    }
    Ok(items)
}

#[async_trait::async_trait]
impl AgendaStore for StoreImpl {
    async fn add_agenda_item(&self, item: &NewAgendaItem, event: &NewEvent) -> StoreResult<AgendaItemId> {
        let mut tx = self.write_tx().await?;
        sitting(&mut tx, item.meeting.raw()).await?.items_open(event.at)?;
        let next: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items WHERE meeting_id = $1",
        )
        .bind(item.meeting.raw())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        let seq = append_event(&mut tx, event).await?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO agenda_items (meeting_id, position, title, description, added_at, added_by, event_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(item.meeting.raw())
        .bind(next)
        .bind(&item.title)
        .bind(item.description.as_deref())
        .bind(event.at)
        .bind(item.added_by.map(|m| m.0))
        .bind(seq)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(AgendaItemId(id))
    }

    async fn agenda(&self, meeting: MeetingId) -> StoreResult<Vec<AgendaItemRecord>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{ITEM_SELECT} WHERE meeting_id = $1 AND position IS NOT NULL ORDER BY position"
        )))
        .bind(meeting.raw())
        .fetch_all(&self.pool)
        .await
        .map_err(db_err)?;
        let items = rows
            .iter()
            .map(item_from)
            .collect::<Result<Vec<_>, _>>()
            .map_err(db_err)?;
        with_papers(
            self,
            items,
            "i.meeting_id = $1 AND i.position IS NOT NULL",
            meeting.raw(),
        )
        .await
    }

    async fn agenda_item(&self, id: AgendaItemId) -> StoreResult<Option<AgendaItemRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{ITEM_SELECT} WHERE id = $1")))
            .bind(id.raw())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        let Some(item) = row.as_ref().map(item_from).transpose().map_err(db_err)? else {
            return Ok(None);
        };
        Ok(with_papers(self, vec![item], "p.item_id = $1", id.raw())
            .await?
            .pop())
    }

    async fn change_agenda_item(
        &self,
        id: AgendaItemId,
        change: &AgendaItemChange,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let (meeting, _) = item_meeting(&mut tx, id.raw()).await?;
        sitting(&mut tx, meeting).await?.items_open(event.at)?;
        // Read again under the meeting's lock: another officer may have taken it off meanwhile.
        if item_meeting(&mut tx, id.raw()).await?.1 {
            return Err(StoreError::Stale(
                "this item was taken off the agenda".into(),
            ));
        }
        let mut ids = order(&mut tx, meeting).await?;
        let moved = match change.position {
            Some(place) => {
                let len = i64::try_from(ids.len()).unwrap_or(i64::MAX);
                if place < 1 || place > len {
                    return Err(StoreError::Conflict {
                        field: "position".into(),
                        message: format!(
                            "the agenda has {len} item{}: choose a position from 1 to {len}",
                            if len == 1 { "" } else { "s" }
                        ),
                    });
                }
                let from = ids.iter().position(|i| *i == id.raw());
                let to = usize::try_from(place - 1).unwrap_or(0);
                match from {
                    Some(from) if from != to => {
                        ids.remove(from);
                        ids.insert(to, id.raw());
                        true
                    }
                    _ => false,
                }
            }
            None => false,
        };
        append_event(&mut tx, event).await?;
        sqlx::query("UPDATE agenda_items SET title = $1, description = $2 WHERE id = $3")
            .bind(&change.title)
            .bind(change.description.as_deref())
            .bind(id.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        if moved {
            renumber(&mut tx, meeting, &ids).await?;
        }
        commit(tx).await?;
        Ok(())
    }

    async fn remove_agenda_item(&self, id: AgendaItemId, event: &NewEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let (meeting, _) = item_meeting(&mut tx, id.raw()).await?;
        sitting(&mut tx, meeting).await?.items_open(event.at)?;
        if item_meeting(&mut tx, id.raw()).await?.1 {
            return Err(StoreError::Stale(
                "this item was already taken off the agenda".into(),
            ));
        }
        let circulated: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM agenda_papers WHERE item_id = $1 AND withdrawn_at IS NULL",
        )
        .bind(id.raw())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if circulated > 0 {
            return Err(StoreError::Conflict {
                field: "item".into(),
                message: format!(
                    "this item has {circulated} paper{} in circulation: withdraw {} before taking the item off the agenda",
                    if circulated == 1 { "" } else { "s" },
                    if circulated == 1 { "it" } else { "them" }
                ),
            });
        }
        append_event(&mut tx, event).await?;
        sqlx::query("UPDATE agenda_items SET position = NULL, removed_at = $1 WHERE id = $2")
            .bind(event.at)
            .bind(id.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        let ids = order(&mut tx, meeting).await?;
        renumber(&mut tx, meeting, &ids).await?;
        commit(tx).await?;
        Ok(())
    }

    async fn circulate_paper(&self, p: &NewPaper, event: &NewEvent) -> StoreResult<PaperId> {
        let mut tx = self.write_tx().await?;
        let (meeting, _) = item_meeting(&mut tx, p.item.raw()).await?;
        sitting(&mut tx, meeting).await?.papers_open(event.at)?;
        if item_meeting(&mut tx, p.item.raw()).await?.1 {
            return Err(StoreError::Stale(
                "this item was taken off the agenda".into(),
            ));
        }
        let seq = append_event(&mut tx, event).await?;
        let size = i64::try_from(p.content.len()).map_err(|_| {
            StoreError::Database("a paper larger than the database can hold".into())
        })?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO agenda_papers (item_id, filename, content_type, size, sha256, content,
                 circulated_at, circulated_by, event_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(p.item.raw())
        .bind(&p.filename)
        .bind(&p.content_type)
        .bind(size)
        .bind(&p.sha256)
        .bind(p.content.as_slice())
        .bind(event.at)
        .bind(p.circulated_by.map(|m| m.0))
        .bind(seq)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(PaperId(id))
    }

    async fn paper(&self, id: PaperId) -> StoreResult<Option<PaperRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PAPER_COLUMNS} {PAPER_FROM} WHERE p.id = $1"
        )))
        .bind(id.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(paper_from).transpose().map_err(db_err)
    }

    async fn paper_content(&self, id: PaperId) -> StoreResult<Option<(PaperRecord, Vec<u8>)>> {
        // One statement, so the record and the content are of the same row version.
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PAPER_COLUMNS}, p.content {PAPER_FROM} WHERE p.id = $1"
        )))
        .bind(id.raw())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        let Some(row) = row else { return Ok(None) };
        let record = paper_from(&row).map_err(db_err)?;
        let content: Vec<u8> = row.try_get("content").map_err(db_err)?;
        Ok(Some((record, content)))
    }

    async fn withdraw_paper(
        &self,
        id: PaperId,
        by: Option<MemberId>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let meeting: i64 = sqlx::query_scalar(
            "SELECT i.meeting_id FROM agenda_papers p JOIN agenda_items i ON i.id = p.item_id
             WHERE p.id = $1",
        )
        .bind(id.raw())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("paper"))?;
        sitting(&mut tx, meeting).await?.papers_open(event.at)?;
        let withdrawn: Option<DateTime<Utc>> =
            sqlx::query_scalar("SELECT withdrawn_at FROM agenda_papers WHERE id = $1")
                .bind(id.raw())
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        if let Some(at) = withdrawn {
            return Err(StoreError::Stale(format!(
                "this paper was already withdrawn on {}",
                at.date_naive()
            )));
        }
        append_event(&mut tx, event).await?;
        sqlx::query("UPDATE agenda_papers SET withdrawn_at = $1, withdrawn_by = $2 WHERE id = $3")
            .bind(event.at)
            .bind(by.map(|m| m.0))
            .bind(id.raw())
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        commit(tx).await?;
        Ok(())
    }
}
