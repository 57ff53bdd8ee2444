// Accounts: links sent by email, passwords and two-factor sign-in, written once for both SQL
// dialects: each store crate includes this file in a module that first defines `Db` and
// `StoreImpl`, and imports `append_event`, `commit` and `db_err`.
//
// A link's token is never written here: letters are queued without it and the sender mints
// one as it delivers (`mint`), so the database holds only hashes of tokens that were sent.

use crate::rows::{IdColumn, RawId};
use charter_domain::{LinkPurpose, MemberId, SIGN_IN_STATUSES};
use charter_store::*;
use charter_model::AccountLinkId;
use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::rows::*;

type DbRow = <Db as sqlx::Database>::Row;

/// Members per statement: one bound value each, far under either dialect's limit.
const CHUNK: usize = 5_000;

const LINK_SELECT: &str = "SELECT id, member_id, purpose, new_email, requested_by, requested_at,
        expires_at, used_at
     FROM account_links";

/// The statuses that may sign in, as an SQL list (constants, not input).
fn sign_in_statuses() -> String {
    SIGN_IN_STATUSES
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn purpose_from(raw: &str) -> StoreResult<LinkPurpose> {
    LinkPurpose::parse(raw)
        .ok_or_else(|| StoreError::Database(format!("unknown account link purpose '{raw}'")))
}

fn link_from(r: &DbRow) -> StoreResult<AccountLinkRecord> {
    let purpose: String = r.try_get("purpose").map_err(db_err)?;
    Ok(AccountLinkRecord {
        id: r.id("id").map_err(db_err)?,
        member: MemberId(r.try_get("member_id").map_err(db_err)?),
        purpose: purpose_from(&purpose)?,
        new_email: r.try_get("new_email").map_err(db_err)?,
        requested_by: r
            .try_get::<Option<i64>, _>("requested_by")
            .map_err(db_err)?
            .map(MemberId),
        requested_at: r.try_get("requested_at").map_err(db_err)?,
        expires_at: r.try_get("expires_at").map_err(db_err)?,
        used_at: r.try_get("used_at").map_err(db_err)?,
    })
}

/// The event for links issued to `members`: naming the member when there is one, else
/// listing them all in its payload. `None` when nobody was issued a link.
fn event_for(members: &[MemberId], event: &NewEvent, purpose: LinkPurpose) -> Option<NewEvent> {
    let ids: Vec<String> = members.iter().map(|m| m.0.to_string()).collect();
    match members {
        [] => None,
        [one] => Some(NewEvent {
            subject: format!("member:{}", one.0),
            payload: format!("{{\"member\":{},\"link\":\"{}\"}}", one.0, purpose.as_str()),
            ..event.clone()
        }),
        _ => Some(NewEvent {
            subject: "members".into(),
            payload: format!(
                "{{\"members\":[{}],\"link\":\"{}\"}}",
                ids.join(","),
                purpose.as_str()
            ),
            ..event.clone()
        }),
    }
}

/// Withdraws letters of the request's links that were queued and not yet sent (a newer
/// letter replaces them), then queues one letter per link of the request. A letter for an
/// email change goes to the new address, any other to the member's address.
async fn queue_letters(
    tx: &mut DbConn,
    request: &LinkRequest,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE outbox SET state = 'failed', last_error = 'replaced by a newer letter'
         WHERE state = 'queued'
           AND account_link_id IN (SELECT id FROM account_links WHERE batch = $1)",
    )
    .bind(request.batch)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    sqlx::query(
        "INSERT INTO outbox (member_id, address, subject, body, state, next_attempt_at,
                             created_at, account_link_id)
         SELECT m.id,
                CASE WHEN l.purpose = 'email_change' THEN l.new_email ELSE m.email END,
                $1, $2 || m.first_name || $3, 'queued', $4, $4, l.id
         FROM account_links l JOIN members m ON m.id = l.member_id
         WHERE l.batch = $5
         ORDER BY m.id",
    )
    .bind(&request.letter.subject)
    .bind(&request.letter.greeting)
    .bind(&request.letter.body)
    .bind(at)
    .bind(request.batch)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Clears the tokens of the member's password links (but `except`) and withdraws their
/// letters not yet sent.
async fn clear_password_links(
    tx: &mut DbConn,
    member: MemberId,
    except: Option<i64>,
) -> StoreResult<()> {
    let except = except.unwrap_or(0);
    sqlx::query(
        "UPDATE outbox SET state = 'failed', last_error = 'the link is no longer needed'
         WHERE state = 'queued' AND account_link_id IN (
             SELECT id FROM account_links
             WHERE member_id = $1 AND purpose IN ('invitation', 'password_reset') AND id <> $2)",
    )
    .bind(member.0)
    .bind(except)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    sqlx::query(
        "UPDATE account_links SET token_hash = NULL, expires_at = NULL
         WHERE member_id = $1 AND purpose IN ('invitation', 'password_reset') AND id <> $2",
    )
    .bind(member.0)
    .bind(except)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Issues invitation links to those of `members` who have no password and may sign in, and
/// queues their letters, inside the caller's transaction; returns who was invited.
pub(crate) async fn invite_in(
    tx: &mut DbConn,
    members: &[MemberId],
    request: &LinkRequest,
    at: DateTime<Utc>,
) -> StoreResult<Vec<MemberId>> {
    let mut invited = Vec::with_capacity(members.len());
    for chunk in members.chunks(CHUNK) {
        let mut qb = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO account_links (member_id, purpose, requested_by, requested_at, batch,
                                        valid_seconds)
             SELECT id, 'invitation', ",
        );
        qb.push_bind(request.requested_by.map(|m| m.0))
            .push(", ")
            .push_bind(at)
            .push(", ")
            .push_bind(request.batch)
            .push(", ")
            .push_bind(request.valid_for.num_seconds())
            .push(format!(
                " FROM members WHERE password_hash IS NULL AND status IN ({}) AND id IN (",
                sign_in_statuses()
            ));
        let mut list = qb.separated(", ");
        for m in chunk {
            list.push_bind(m.0);
        }
        qb.push(
            ") ON CONFLICT (member_id, purpose) DO UPDATE SET
                 requested_by = excluded.requested_by, requested_at = excluded.requested_at,
                 batch = excluded.batch, valid_seconds = excluded.valid_seconds,
                 token_hash = NULL, expires_at = NULL, used_at = NULL
             RETURNING member_id",
        );
        let ids: Vec<i64> = qb
            .build_query_scalar()
            .fetch_all(&mut *tx)
            .await
            .map_err(db_err)?;
        invited.extend(ids.into_iter().map(MemberId));
    }
    invited.sort();
    queue_letters(tx, request, at).await?;
    Ok(invited)
}

async fn queue_notice(
    tx: &mut DbConn,
    member: MemberId,
    address: &str,
    notice: &NoticeText,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO outbox (member_id, address, subject, body, state, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, 'queued', $5, $5)",
    )
    .bind(member.0)
    .bind(address)
    .bind(&notice.subject)
    .bind(&notice.body)
    .bind(at)
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Uses a link once: clears its hash and records when, if it still has `token_hash`, is of
/// one of `purposes` and has not expired by `at`. Returns the member and the new address.
async fn use_link(
    tx: &mut DbConn,
    link: i64,
    token_hash: &str,
    purposes: &str,
    at: DateTime<Utc>,
) -> StoreResult<(MemberId, Option<String>)> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE account_links SET used_at = $1, token_hash = NULL
         WHERE id = $2 AND token_hash = $3 AND used_at IS NULL AND expires_at > $1
           AND purpose IN ({purposes})
         RETURNING member_id, new_email"
    )))
    .bind(at)
    .bind(link)
    .bind(token_hash)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    let Some(row) = row else {
        return Err(StoreError::Stale(
            "this link has been used, replaced by a newer one, or has expired".into(),
        ));
    };
    Ok((
        MemberId(row.try_get("member_id").map_err(db_err)?),
        row.try_get("new_email").map_err(db_err)?,
    ))
}

async fn insert_recovery_codes(
    tx: &mut DbConn,
    member: MemberId,
    hashes: &[String],
) -> StoreResult<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE member_id = $1")
        .bind(member.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    if hashes.is_empty() {
        return Ok(());
    }
    let mut qb =
        sqlx::QueryBuilder::<Db>::new("INSERT INTO recovery_codes (member_id, code_hash) ");
    qb.push_values(hashes, |mut b, h| {
        b.push_bind(member.0).push_bind(h.clone());
    });
    qb.build().execute(&mut *tx).await.map_err(db_err)?;
    Ok(())
}

#[async_trait::async_trait]
impl AccountStore for StoreImpl {
    async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>> {
        let row = sqlx::query_as::<_, CredentialsRow>(
            "SELECT id, password_hash, status FROM members WHERE email = $1",
        )
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.map(CredentialsRow::into_record).transpose()
    }

    async fn set_password(&self, member: MemberId, password_hash: &str) -> StoreResult<()> {
        let done = sqlx::query("UPDATE members SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(member.0)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("member"));
        }
        Ok(())
    }

    async fn create_session(&self, session: &SessionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, member_id, csrf_token, created_at, expires_at,
                                   second_factor_pending)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&session.token_hash)
        .bind(session.member.0)
        .bind(&session.csrf_token)
        .bind(session.created_at)
        .bind(session.expires_at)
        .bind(session.second_factor_pending)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn session(&self, token_hash: &str) -> StoreResult<Option<SessionRecord>> {
        let row = sqlx::query_as::<_, SessionRow>(
            "SELECT token_hash, member_id, csrf_token, created_at, expires_at, second_factor_pending
             FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        Ok(row.map(SessionRow::into_record))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn complete_second_factor(&self, token_hash: &str) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE sessions SET second_factor_pending = $1 WHERE token_hash = $2")
                .bind(false)
                .bind(token_hash)
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
        Ok(done.rows_affected() == 1)
    }

    async fn members_without_password(&self, scope: &MemberScope) -> StoreResult<Vec<MemberId>> {
        let mut qb = sqlx::QueryBuilder::<Db>::new(format!(
            "SELECT id FROM members WHERE password_hash IS NULL AND status IN ({})",
            sign_in_statuses()
        ));
        match scope {
            MemberScope::All => {}
            MemberScope::Only(m) => {
                qb.push(" AND id = ").push_bind(m.0);
            }
            MemberScope::Branches(branches) if branches.is_empty() => return Ok(Vec::new()),
            MemberScope::Branches(branches) => {
                qb.push(" AND branch_id IN (");
                let mut list = qb.separated(", ");
                for b in branches {
                    list.push_bind(b.0);
                }
                qb.push(")");
            }
        }
        qb.push(" ORDER BY id");
        let ids: Vec<i64> = qb
            .build_query_scalar()
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(ids.into_iter().map(MemberId).collect())
    }

    async fn invite_members(
        &self,
        members: &[MemberId],
        request: &LinkRequest,
        event: &NewEvent,
    ) -> StoreResult<Vec<MemberId>> {
        let mut tx = self.write_tx().await?;
        let invited = invite_in(&mut tx, members, request, event.at).await?;
        if let Some(e) = event_for(&invited, event, LinkPurpose::Invitation) {
            append_event(&mut tx, &e).await?;
        }
        commit(tx).await?;
        Ok(invited)
    }

    async fn request_password_reset(
        &self,
        email: &str,
        request: &LinkRequest,
        not_since: DateTime<Utc>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO account_links (member_id, purpose, requested_by, requested_at, batch,
                                        valid_seconds)
             SELECT id, 'password_reset', $1, $2, $3, $6 FROM members
             WHERE email = $4 AND status IN ({})
             ON CONFLICT (member_id, purpose) DO UPDATE SET
                 requested_by = excluded.requested_by, requested_at = excluded.requested_at,
                 batch = excluded.batch, valid_seconds = excluded.valid_seconds,
                 token_hash = NULL, expires_at = NULL, used_at = NULL
             WHERE account_links.requested_at <= $5 OR account_links.used_at IS NOT NULL
             RETURNING member_id",
            sign_in_statuses()
        )))
        .bind(request.requested_by.map(|m| m.0))
        .bind(event.at)
        .bind(request.batch)
        .bind(email.trim().to_lowercase())
        .bind(not_since)
        .bind(request.valid_for.num_seconds())
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        queue_letters(&mut tx, request, event.at).await?;
        let members: Vec<MemberId> = ids.into_iter().map(MemberId).collect();
        if let Some(e) = event_for(&members, event, LinkPurpose::PasswordReset) {
            append_event(&mut tx, &e).await?;
        }
        commit(tx).await
    }

    async fn propose_email_change(
        &self,
        member: MemberId,
        new_email: &str,
        request: &LinkRequest,
        notice: Option<&NoticeText>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let current: Option<String> = sqlx::query_scalar("SELECT email FROM members WHERE id = $1")
            .bind(member.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
        let Some(current) = current else {
            return Err(StoreError::NotFound("member"));
        };
        let taken: Option<i64> =
            sqlx::query_scalar("SELECT id FROM members WHERE email = $1 AND id <> $2")
                .bind(new_email)
                .bind(member.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
        if taken.is_some() {
            return Err(text::conflict_for("members_email_key"));
        }
        sqlx::query(
            "INSERT INTO account_links (member_id, purpose, new_email, requested_by, requested_at,
                                        batch, valid_seconds)
             VALUES ($1, 'email_change', $2, $3, $4, $5, $6)
             ON CONFLICT (member_id, purpose) DO UPDATE SET
                 new_email = excluded.new_email, requested_by = excluded.requested_by,
                 requested_at = excluded.requested_at, batch = excluded.batch,
                 valid_seconds = excluded.valid_seconds,
                 token_hash = NULL, expires_at = NULL, used_at = NULL",
        )
        .bind(member.0)
        .bind(new_email)
        .bind(request.requested_by.map(|m| m.0))
        .bind(event.at)
        .bind(request.batch)
        .bind(request.valid_for.num_seconds())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        queue_letters(&mut tx, request, event.at).await?;
        if let Some(n) = notice {
            queue_notice(&mut tx, member, &current, n, event.at).await?;
        }
        append_event(&mut tx, event).await?;
        commit(tx).await
    }

    async fn email_change(&self, member: MemberId) -> StoreResult<Option<AccountLinkRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{LINK_SELECT} WHERE member_id = $1 AND purpose = 'email_change'"
        )))
        .bind(member.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(link_from).transpose()
    }

    async fn account_link(&self, token_hash: &str) -> StoreResult<Option<AccountLinkRecord>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{LINK_SELECT} WHERE token_hash = $1"
        )))
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        row.as_ref().map(link_from).transpose()
    }

    async fn mint_link_tokens(&self, mints: &[LinkMint]) -> StoreResult<Vec<(AccountLinkId, LinkPurpose)>> {
        if mints.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.write_tx().await?;
        let mut minted = Vec::with_capacity(mints.len());
        for m in mints {
            let row = sqlx::query(
                "SELECT purpose, valid_seconds FROM account_links WHERE id = $1 AND used_at IS NULL",
            )
            .bind(m.link.raw())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
            let Some(row) = row else { continue };
            let purpose: String = row.try_get("purpose").map_err(db_err)?;
            let seconds: i64 = row.try_get("valid_seconds").map_err(db_err)?;
            sqlx::query("UPDATE account_links SET token_hash = $1, expires_at = $2 WHERE id = $3")
                .bind(&m.token_hash)
                .bind(m.minted_at + chrono::Duration::seconds(seconds))
                .bind(m.link.raw())
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
            minted.push((m.link, purpose_from(&purpose)?));
        }
        commit(tx).await?;
        Ok(minted)
    }

    async fn use_password_link(
        &self,
        link: AccountLinkId,
        token_hash: &str,
        password_hash: &str,
        event: &NewEvent,
    ) -> StoreResult<MemberId> {
        let mut tx = self.write_tx().await?;
        let (member, _) = use_link(
            &mut tx,
            link.raw(),
            token_hash,
            "'invitation', 'password_reset'",
            event.at,
        )
        .await?;
        sqlx::query("UPDATE members SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(member.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        sqlx::query("DELETE FROM sessions WHERE member_id = $1")
            .bind(member.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        clear_password_links(&mut tx, member, Some(link.raw())).await?;
        append_event(
            &mut tx,
            &NewEvent {
                subject: format!("member:{}", member.0),
                payload: format!("{{\"member\":{}}}", member.0),
                ..event.clone()
            },
        )
        .await?;
        commit(tx).await?;
        Ok(member)
    }

    async fn confirm_email_change(
        &self,
        link: AccountLinkId,
        token_hash: &str,
        notice: &NoticeText,
        event: &NewEvent,
    ) -> StoreResult<MemberId> {
        let mut tx = self.write_tx().await?;
        let (member, new_email) =
            use_link(&mut tx, link.raw(), token_hash, "'email_change'", event.at).await?;
        let new_email = new_email.ok_or_else(|| {
            StoreError::Database("an email change link without its address".into())
        })?;
        let row =
            sqlx::query("SELECT first_name, last_name, email, postcode FROM members WHERE id = $1")
                .bind(member.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
        let first: String = row.try_get("first_name").map_err(db_err)?;
        let last: String = row.try_get("last_name").map_err(db_err)?;
        let old: String = row.try_get("email").map_err(db_err)?;
        let postcode: String = row.try_get("postcode").map_err(db_err)?;
        sqlx::query("UPDATE members SET email = $1, search_text = $2 WHERE id = $3")
            .bind(&new_email)
            .bind(text::search_text(&first, &last, &new_email, &postcode))
            .bind(member.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        // Links sent to the old address must not outlive it.
        clear_password_links(&mut tx, member, None).await?;
        queue_notice(&mut tx, member, &old, notice, event.at).await?;
        append_event(
            &mut tx,
            &NewEvent {
                subject: format!("member:{}", member.0),
                payload: format!("{{\"member\":{}}}", member.0),
                ..event.clone()
            },
        )
        .await?;
        commit(tx).await?;
        Ok(member)
    }

    async fn change_password(
        &self,
        member: MemberId,
        password_hash: &str,
        keep: Option<&str>,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE members SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(member.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("member"));
        }
        sqlx::query("DELETE FROM sessions WHERE member_id = $1 AND token_hash <> $2")
            .bind(member.0)
            .bind(keep.unwrap_or(""))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        clear_password_links(&mut tx, member, None).await?;
        append_event(&mut tx, event).await?;
        commit(tx).await
    }

    async fn two_factor(&self, member: MemberId) -> StoreResult<Option<TwoFactorRecord>> {
        let row = sqlx::query(
            "SELECT t.member_id, t.secret, t.created_at, t.confirmed_at, t.last_step,
                    (SELECT COUNT(*) FROM recovery_codes r
                     WHERE r.member_id = t.member_id AND r.used_at IS NULL) AS codes_left
             FROM two_factor t WHERE t.member_id = $1",
        )
        .bind(member.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(TwoFactorRecord {
            member: MemberId(r.try_get("member_id").map_err(db_err)?),
            secret: r.try_get("secret").map_err(db_err)?,
            created_at: r.try_get("created_at").map_err(db_err)?,
            confirmed_at: r.try_get("confirmed_at").map_err(db_err)?,
            last_step: r.try_get("last_step").map_err(db_err)?,
            recovery_codes_left: r.try_get("codes_left").map_err(db_err)?,
        }))
    }

    async fn begin_two_factor(
        &self,
        member: MemberId,
        secret: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let confirmed: Option<Option<DateTime<Utc>>> =
            sqlx::query_scalar("SELECT confirmed_at FROM two_factor WHERE member_id = $1")
                .bind(member.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
        if matches!(confirmed, Some(Some(_))) {
            return Err(StoreError::Conflict {
                field: "code".into(),
                message: "two-factor sign-in is already on; turn it off first to start again"
                    .into(),
            });
        }
        sqlx::query(
            "INSERT INTO two_factor (member_id, secret, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (member_id) DO UPDATE SET secret = excluded.secret,
                 created_at = excluded.created_at, confirmed_at = NULL, last_step = NULL",
        )
        .bind(member.0)
        .bind(secret)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await
    }

    async fn confirm_two_factor(
        &self,
        member: MemberId,
        secret: &str,
        step: i64,
        recovery_hashes: &[String],
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE two_factor SET confirmed_at = $1, last_step = $2
             WHERE member_id = $3 AND secret = $4 AND confirmed_at IS NULL",
        )
        .bind(event.at)
        .bind(step)
        .bind(member.0)
        .bind(secret)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Stale(
                "this enrolment was replaced or already confirmed; start again".into(),
            ));
        }
        insert_recovery_codes(&mut tx, member, recovery_hashes).await?;
        append_event(&mut tx, event).await?;
        commit(tx).await
    }

    async fn accept_totp_step(&self, member: MemberId, step: i64) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE two_factor SET last_step = $1
             WHERE member_id = $2 AND confirmed_at IS NOT NULL
               AND (last_step IS NULL OR last_step < $1)",
        )
        .bind(step)
        .bind(member.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn use_recovery_code(
        &self,
        member: MemberId,
        code_hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1
             WHERE member_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(at)
        .bind(member.0)
        .bind(code_hash)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        commit(tx).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn remove_two_factor(&self, member: MemberId, event: &NewEvent) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        insert_recovery_codes(&mut tx, member, &[]).await?;
        let done = sqlx::query("DELETE FROM two_factor WHERE member_id = $1")
            .bind(member.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("two-factor sign-in"));
        }
        append_event(&mut tx, event).await?;
        commit(tx).await
    }

    async fn account_policy(&self) -> StoreResult<AccountPolicy> {
        let required: Option<bool> =
            sqlx::query_scalar("SELECT two_factor_required FROM account_policy WHERE id = 1")
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
        Ok(AccountPolicy {
            two_factor_required: required.unwrap_or(false),
        })
    }

    async fn set_account_policy(
        &self,
        policy: &AccountPolicy,
        event: &NewEvent,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO account_policy (id, two_factor_required, changed_at) VALUES (1, $1, $2)
             ON CONFLICT (id) DO UPDATE SET two_factor_required = excluded.two_factor_required,
                 changed_at = excluded.changed_at",
        )
        .bind(policy.two_factor_required)
        .bind(event.at)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        append_event(&mut tx, event).await?;
        commit(tx).await
    }
}
