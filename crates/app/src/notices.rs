//! The sender that drains the outbox: claims due messages under a lease, sends them
//! concurrently over one pooled SMTP connection set, and records each outcome — delivered,
//! retried later with a growing delay, or given up (a refusing address, or attempts spent).
//! A meeting's notice is complete once its last message is settled. Mass notices never slow
//! the site: calling a meeting only queues them, and this runs beside the server.

use std::time::Duration as StdDuration;

use charter_domain::{LinkPurpose, MeetingState, MemberId};
use charter_mail::{Invite, Letter, Mailer, Method, SendError};
use charter_model::{AccountLinkId, BallotId, LetterId, MeetingId};
use charter_store::{Delivery, LinkMint, MeetingRecord, OutboxMessage, VotingLinkMint};
use chrono::Duration;
use tokio::task::JoinSet;

use crate::{App, AppError};

/// Attempts before a transiently failing message is given up.
pub const MAX_ATTEMPTS: i64 = 8;
/// How long a claim lasts: a sender that dies mid-send leaves the message to be retried after.
const LEASE_SECONDS: i64 = 300;

/// What one round of delivery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

impl Round {
    pub fn settled(&self) -> usize {
        self.sent + self.retried + self.failed
    }
}

/// The delay before attempt `n + 1`: a minute, doubling, at most an hour.
fn backoff(attempts: i64) -> Duration {
    let minutes = 1_i64 << attempts.clamp(0, 6);
    Duration::minutes(minutes.min(60))
}

/// The calendar invitation for a meeting's notice: the same UID and stamp on every retry.
pub fn invite_for(m: &MeetingRecord) -> Invite {
    let cancelled = m.state == MeetingState::Cancelled;
    Invite {
        uid: format!("meeting-{}@charter", m.id),
        sequence: u32::from(cancelled),
        method: if cancelled {
            Method::Cancel
        } else {
            Method::Request
        },
        stamp: m.called_at,
        starts: m.starts_at,
        ends: m.ends_at,
        summary: m.title.clone(),
        location: m.place.clone().or_else(|| m.online_url.clone()),
        description: (!m.agenda.is_empty()).then(|| m.agenda.clone()),
        url: m.online_url.clone(),
        organizer: None,
    }
}

impl App {
    /// The calendar (iCalendar text) of every meeting `actor` is on the roll of.
    pub async fn my_calendar(&self, actor: &crate::Actor) -> Result<String, AppError> {
        let meetings = self.store.meetings_for(actor.member).await?;
        let invites: Vec<Invite> = meetings.iter().map(invite_for).collect();
        Ok(charter_mail::feed("My meetings", &invites))
    }

    /// A new link for subscribing to the member's calendar from a calendar app, which cannot
    /// sign in: the token is random and shown once; only its hash is kept, and a new link
    /// stops the old one working.
    pub async fn new_calendar_link(&self, actor: &crate::Actor) -> Result<String, AppError> {
        let token = crate::auth::random_token();
        self.store
            .set_calendar_feed(
                actor.member,
                &crate::auth::token_hash(&token),
                self.clock.now(),
            )
            .await?;
        Ok(token)
    }

    /// The calendar a subscription token opens, while its member may still sign in.
    pub async fn calendar_for_link(&self, token: &str) -> Result<Option<String>, AppError> {
        if token.is_empty() || token.len() > 128 {
            return Ok(None);
        }
        let Some(member) = self
            .store
            .calendar_feed_member(&crate::auth::token_hash(token))
            .await?
        else {
            return Ok(None);
        };
        // A subscription works only while its member may use the site as a member.
        match self.store.member_standing(member).await? {
            Some((_, status)) if status.sign_in() == charter_domain::SignIn::Member => {}
            _ => return Ok(None),
        }
        match self.actor(member).await {
            Ok(actor) => self.my_calendar(&actor).await.map(Some),
            Err(AppError::Unauthenticated) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The calendar of one body's meetings (of `unit` for branch and regional bodies).
    pub async fn body_calendar(
        &self,
        body: &str,
        unit: Option<charter_domain::UnitId>,
    ) -> Result<String, AppError> {
        let key = charter_rules::Key::parse(body).map_err(|e| AppError::invalid("body", e))?;
        let meetings: Vec<MeetingRecord> = self
            .store
            .meetings(unit, None)
            .await?
            .into_iter()
            .filter(|m| m.body == key.as_str() && (unit.is_none() || m.unit == unit))
            .collect();
        // A body's calendar is anyone's to follow: without the link to join online.
        let invites: Vec<Invite> = meetings
            .iter()
            .map(|m| {
                invite_for(&MeetingRecord {
                    online_url: None,
                    ..m.clone()
                })
            })
            .collect();
        Ok(charter_mail::feed(
            &format!("Meetings: {}", key.words()),
            &invites,
        ))
    }

    /// Delivers up to `batch` due messages, `concurrency` at a time, and records each.
    pub async fn deliver_due(
        &self,
        mailer: &std::sync::Arc<Mailer>,
        batch: u32,
        concurrency: usize,
    ) -> Result<Round, AppError> {
        let now = self.clock.now();
        let claimed = self
            .store
            .claim_outbox(now, now + Duration::seconds(LEASE_SECONDS), batch)
            .await?;
        let mut round = Round::default();
        let links = self.mint_links(&claimed).await?;
        let voting_links = self.mint_voting_links(&claimed).await?;
        let mut invites = std::collections::HashMap::<MeetingId, Option<Invite>>::new();
        let mut jobs: JoinSet<(OutboxMessage, Result<(), SendError>)> = JoinSet::new();
        for mut msg in claimed {
            let mut message_id = format!("outbox-{}@charter", msg.id);
            // A letter carrying a link (to an account, or to vote) gets it minted now; one
            // whose link can no longer be used is not sent.
            let minted = match (msg.account_link, msg.ballot) {
                // Used (or its member's password set) since the letter was queued.
                (Some(link), _) => Some(
                    links
                        .get(&link)
                        .ok_or("the link was used before this letter went"),
                ),
                (None, Some(_)) => Some(
                    voting_links
                        .get(&msg.id)
                        .ok_or("the member voted, or the ballot closed, before this letter went"),
                ),
                (None, None) => None,
            };
            if let Some(minted) = minted {
                let url = match minted {
                    Ok(url) => url,
                    Err(why) => {
                        round.failed += 1;
                        let gone = Delivery::Failed { error: why.into() };
                        match self.store.record_delivery(msg.id, &gone, now).await {
                            Err(charter_store::StoreError::Stale(_)) => {}
                            other => other?,
                        }
                        continue;
                    }
                };
                msg.body = put_link(&msg.body, url);
                // Each sending carries a new link, so it is a new message: a client that
                // kept the earlier one must not hide this one as a duplicate.
                message_id = format!("outbox-{}-{}@charter", msg.id, msg.attempts);
            }
            let invite = match msg.meeting {
                Some(id) => match invites.get(&id) {
                    Some(i) => i.clone(),
                    None => {
                        let i = self.store.meeting(id).await?.map(|m| invite_for(&m));
                        invites.insert(id, i.clone());
                        i
                    }
                },
                None => None,
            };
            let letter = Letter {
                to_name: None,
                to: msg.address.clone(),
                subject: msg.subject.clone(),
                text: msg.body.clone(),
                html: None,
                invite,
            };
            let mailer = mailer.clone();
            while jobs.len() >= concurrency.max(1) {
                if let Some(done) = jobs.join_next().await {
                    self.settle(done, &mut round).await?;
                }
            }
            jobs.spawn(async move {
                let r = mailer.send(&letter, &message_id).await;
                // The body held a live link: drop it with the letter.
                let msg = OutboxMessage {
                    body: String::new(),
                    ..msg
                };
                (msg, r)
            });
        }
        while let Some(done) = jobs.join_next().await {
            self.settle(done, &mut round).await?;
        }
        Ok(round)
    }

    /// Mints a fresh token for each link the claimed letters carry, keeping only its hash,
    /// and returns the address each minted link opens. A link used meanwhile gets none.
    async fn mint_links(
        &self,
        claimed: &[OutboxMessage],
    ) -> Result<std::collections::HashMap<AccountLinkId, String>, AppError> {
        let now = self.clock.now();
        let mut tokens = std::collections::HashMap::new();
        let mut mints = Vec::new();
        for link in claimed.iter().filter_map(|m| m.account_link) {
            if tokens.contains_key(&link) {
                continue;
            }
            let token = crate::auth::random_token();
            mints.push(LinkMint {
                link,
                token_hash: crate::auth::token_hash(&token),
                minted_at: now,
            });
            tokens.insert(link, token);
        }
        let base = self.settings.public_url.trim_end_matches('/');
        Ok(self
            .store
            .mint_link_tokens(&mints)
            .await?
            .into_iter()
            .filter_map(|(link, purpose)| {
                let token = tokens.remove(&link)?;
                let path = match purpose {
                    LinkPurpose::EmailChange => "confirm-email",
                    LinkPurpose::Invitation | LinkPurpose::PasswordReset => "set-password",
                };
                Some((link, format!("{base}/{path}/{token}")))
            })
            .collect())
    }

    /// Mints a fresh voting link for each claimed voting letter, keeping only its hash (the
    /// link sent before stops working), and returns the address each letter's link opens, by
    /// letter. A letter whose member has voted, or whose ballot has closed, gets none.
    async fn mint_voting_links(
        &self,
        claimed: &[OutboxMessage],
    ) -> Result<std::collections::HashMap<LetterId, String>, AppError> {
        let mut tokens = std::collections::HashMap::new();
        let mut mints = Vec::new();
        for msg in claimed {
            let (Some(ballot), Some(member)) = (msg.ballot, msg.member) else {
                continue;
            };
            // Two letters to one voter in a round (the opening letter and a reminder) carry
            // one link: a voter has one link that works.
            if let std::collections::hash_map::Entry::Vacant(slot) = tokens.entry((ballot, member))
            {
                let token = crate::auth::random_token();
                mints.push(VotingLinkMint {
                    ballot,
                    member,
                    link_hash: crate::auth::token_hash(&token),
                });
                slot.insert(token);
            }
        }
        let kept: std::collections::BTreeSet<(BallotId, MemberId)> = self
            .store
            .mint_voting_links(&mints)
            .await?
            .into_iter()
            .collect();
        let base = self.settings.public_url.trim_end_matches('/');
        Ok(claimed
            .iter()
            .filter_map(|msg| {
                let key = (msg.ballot?, msg.member?);
                if !kept.contains(&key) {
                    return None;
                }
                let token = tokens.get(&key)?;
                Some((msg.id, format!("{base}/ballots/{}/vote/{token}", key.0)))
            })
            .collect())
    }

    async fn settle(
        &self,
        done: Result<(OutboxMessage, Result<(), SendError>), tokio::task::JoinError>,
        round: &mut Round,
    ) -> Result<(), AppError> {
        // A send task that panicked leaves its message leased; it is retried when the lease ends.
        let Ok((msg, result)) = done else {
            return Ok(());
        };
        let now = self.clock.now();
        let delivery = match result {
            Ok(()) => {
                round.sent += 1;
                Delivery::Sent
            }
            Err(e) if e.is_permanent() || msg.attempts + 1 >= MAX_ATTEMPTS => {
                round.failed += 1;
                tracing::warn!(message = msg.id.0, error = %e, "notice not delivered");
                Delivery::Failed {
                    error: e.to_string(),
                }
            }
            Err(e) => {
                round.retried += 1;
                Delivery::Retry {
                    at: now + backoff(msg.attempts),
                    error: e.to_string(),
                }
            }
        };
        match self.store.record_delivery(msg.id, &delivery, now).await {
            // Another sender settled it after our lease ran out: nothing to record.
            Err(charter_store::StoreError::Stale(_)) => Ok(()),
            other => Ok(other?),
        }
    }

    /// Runs the sender until the process ends: a round, then a short pause when idle.
    pub async fn run_sender(self, mailer: Mailer, concurrency: usize) {
        let mailer = std::sync::Arc::new(mailer);
        loop {
            match self.deliver_due(&mailer, 500, concurrency).await {
                Ok(r) if r.settled() > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "the notice sender could not run a round"),
            }
            tokio::time::sleep(StdDuration::from_secs(2)).await;
        }
    }
}

/// Puts the link in the last place held for it (an opening of the caller's own, which
/// comes first, cannot move it).
fn put_link(body: &str, url: &str) -> String {
    match body.rfind(crate::accounts::LINK_PLACE) {
        Some(at) => format!(
            "{}{url}{}",
            &body[..at],
            &body[at + crate::accounts::LINK_PLACE.len()..]
        ),
        None => format!("{body}\n{url}\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_goes_in_the_last_place_held_for_it() {
        assert_eq!(put_link("a {link} b", "U"), "a U b");
        assert_eq!(
            put_link("say {link}: go {link} now", "U"),
            "say {link}: go U now"
        );
        assert_eq!(put_link("no place", "U"), "no place\nU\n");
    }

    #[test]
    fn retries_back_off_to_an_hour() {
        assert_eq!(backoff(0), Duration::minutes(1));
        assert_eq!(backoff(1), Duration::minutes(2));
        assert_eq!(backoff(5), Duration::minutes(32));
        assert_eq!(backoff(6), Duration::minutes(60));
        assert_eq!(backoff(40), Duration::minutes(60));
    }
}
