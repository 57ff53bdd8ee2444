//! The independent scrutineer of ballots: the holder of the office the constitution's ballot
//! clause names (`scrutineer = "scrutineer"`), over the ballot's unit. Nobody else — not the
//! officers running the ballot — reads this audit, and the scrutineer reads nothing more.
//!
//! The scrutineer sees, for any ballot and at any time: the frozen roll with its hashes
//! recomputed and its challenges and rulings; who has voted so far and how (online or on
//! paper) — participation, which every voter's roll line shows anyway — and turnout by
//! branch; the ballot's trail of governance events (but the one per voter) each with a
//! SHA-256 of the event as recorded; the box's size against the voters marked; and once
//! counted, the count's record and whether it reproduces from the box. Never a voter's
//! choice: every read here is of the voters' rows or of the box, never of both together, and
//! the box's contents are read only once the ballot is closed, as for publication. Reading
//! the voters' names is logged in each member's access log, like every read of personal data.

use charter_domain::{Actor, BallotState, HeldOffice, UnitKind};
use charter_model::BallotId;
use charter_store::{
    BallotRecord, BallotRollLine, BoxSize, EventRecord, NamedChallenge, Page, PaperTally,
    RollRecord,
};
use sha2::{Digest, Sha256};

use crate::ballots::{Sealed, Turnout, ballot_rule};
use crate::rolls::RollCheck;
use crate::{App, AppError};

/// Voters listed on one page of the audit.
pub const AUDIT_PAGE: u32 = 100;

/// One event of a ballot's trail with the SHA-256 of its canonical text
/// (see [`event_digest`]).
#[derive(Debug, Clone)]
pub struct TrailEvent {
    pub event: EventRecord,
    pub sha256: String,
}

/// The box checked against the roll's marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxCheck {
    /// Voters marked as having voted, online or on paper.
    pub voted: i64,
    /// Of them, marked by a teller as voting on paper.
    pub paper_voters: i64,
    pub paper: PaperTally,
    pub boxed: BoxSize,
    /// Paper voters whose papers are not yet in a committed batch.
    pub papers_awaiting_entry: i64,
    /// The box holds one ballot that counts per voter marked online, and one per paper
    /// entered that was not spoilt: no more, no fewer.
    pub box_matches: bool,
    /// Once counted: whether counting the box again gives the published record exactly.
    pub recount_matches: Option<bool>,
    /// Once closed: SHA-256 of the box's contents as published (tracker and sealed ballot,
    /// one line each, in tracker order).
    pub box_sha256: Option<String>,
    /// Once counted: SHA-256 of the count's record as published.
    pub result_sha256: Option<String>,
}

/// What the scrutineer reads of a ballot.
#[derive(Debug, Clone)]
pub struct BallotAudit {
    pub ballot: BallotRecord,
    /// The office by which the reader scrutinises.
    pub office: HeldOffice,
    pub roll: RollRecord,
    pub roll_check: RollCheck,
    /// A page of the voters issued links when the ballot opened (none before), with their
    /// marks.
    pub voters: Page<BallotRollLine>,
    pub page: u32,
    pub challenges: Vec<NamedChallenge>,
    pub turnout: Vec<Turnout>,
    pub trail: Vec<TrailEvent>,
    pub check: BoxCheck,
}

/// The SHA-256 (lowercase hex) of an event's canonical text: `charter-event-v1`, then its
/// sequence number, time (RFC 3339), kind, subject, acting member (or `-`), acting office
/// (or `-`), payload and reason, one to a line.
pub fn event_digest(e: &EventRecord) -> String {
    let text = format!(
        "charter-event-v1\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
        e.seq,
        e.at.to_rfc3339(),
        e.kind,
        e.subject,
        e.actor_member
            .map_or_else(|| "-".to_string(), |m| m.0.to_string()),
        e.actor_office.as_deref().unwrap_or("-"),
        e.payload,
        e.reason,
    );
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl App {
    /// The office by which `actor` scrutinises ballot `b`: one of the office the
    /// constitution in force names as scrutineer, over the ballot's unit (national for a
    /// ballot of all members). Deny by default: no office named, no scrutineer.
    pub async fn scrutineer_office(
        &self,
        actor: &Actor,
        b: &BallotRecord,
    ) -> Result<HeldOffice, AppError> {
        let (_, c) = self.constitution_in_force(self.today()).await?;
        let (clause, rule) = ballot_rule(&c);
        let Some(kind) = rule.scrutineer_office() else {
            return Err(AppError::Forbidden(
                "the constitution names no scrutineer of ballots, so nobody audits them".into(),
            ));
        };
        let unit = self.store.roll(b.roll).await?.and_then(|r| r.unit);
        let tree = self.tree().await?;
        let office = match unit {
            Some(u) => actor.named_office(kind, u, &tree).cloned(),
            None => actor
                .offices
                .iter()
                .find(|o| o.kind == kind && tree.kind(o.unit) == Some(UnitKind::National))
                .cloned(),
        };
        office.ok_or_else(|| {
            AppError::Forbidden(format!(
                "{}only the ballot's scrutineer, the holder of the {} office over its unit, audits it",
                clause
                    .as_deref()
                    .map(|c| format!("clause {c}: "))
                    .unwrap_or_default(),
                kind.title().to_lowercase()
            ))
        })
    }

    /// The scrutineer's audit of a ballot, with page `page` of its voters. Refused to anyone
    /// but its scrutineer; the voters' names read are logged.
    pub async fn ballot_audit(
        &self,
        actor: &Actor,
        id: BallotId,
        page: u32,
    ) -> Result<BallotAudit, AppError> {
        let ballot = self.ballot_record(id).await?;
        let office = self.scrutineer_office(actor, &ballot).await?;
        let roll = self
            .store
            .roll(ballot.roll)
            .await?
            .ok_or(AppError::NotFound("roll"))?;
        let roll_check = self.check_roll(roll.id).await?;
        let page = page.max(1);
        let access = self.access(actor, Some(&office), "ballot audit (scrutineer)");
        let audit = self
            .store
            .ballot_roll_audit(id, page, AUDIT_PAGE, &access)
            .await?;
        let turnout = self.ballot_turnout(id).await?;
        let trail = self
            .store
            .ballot_trail(id)
            .await?
            .into_iter()
            .map(|event| TrailEvent {
                sha256: event_digest(&event),
                event,
            })
            .collect();
        let check = self.box_check(&ballot).await?;
        Ok(BallotAudit {
            ballot,
            office,
            roll,
            roll_check,
            voters: audit.voters,
            page,
            challenges: audit.challenges,
            turnout,
            trail,
            check,
        })
    }

    /// The box's size against the marks on the roll and, once counted, the count redone.
    async fn box_check(&self, b: &BallotRecord) -> Result<BoxCheck, AppError> {
        let boxed = self.store.ballot_box_size(b.id).await?;
        let (voted, paper) = (boxed.voted, boxed.paper);
        let online = voted - paper.voters;
        let paper_in_box = paper.committed - paper.spoilt;
        let (box_sha256, recount_matches, result_sha256) = if b.state.is_closed() {
            let sealed = self.sealed_box(b.id).await?;
            let mut h = Sha256::new();
            for x in &sealed {
                // Every sealed ballot must open: one that does not is a finding too. An
                // encrypted one is checked on its board instead (`charter verify ballot`).
                if !crate::verifiable::is_encrypted(&x.sealed) {
                    Sealed(x.sealed.clone()).open()?;
                }
                h.update(format!("{} {}\n", x.tracker, x.sealed).as_bytes());
            }
            let box_sha256 = Some(hex::encode(h.finalize()));
            match &b.result_json {
                Some(published) if b.state == BallotState::Counted => (
                    box_sha256,
                    self.recount_ballot(b.id).await?.matches_recorded,
                    Some(hex::encode(Sha256::digest(published.as_bytes()))),
                ),
                _ => (box_sha256, None, None),
            }
        } else {
            (None, None, None)
        };
        Ok(BoxCheck {
            voted,
            paper_voters: paper.voters,
            papers_awaiting_entry: paper.voters - paper.committed,
            box_matches: boxed.counting == online + paper_in_box,
            paper,
            boxed,
            recount_matches,
            box_sha256,
            result_sha256,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use charter_domain::MemberId;
    use chrono::{TimeZone, Utc};

    #[test]
    fn an_event_digest_covers_every_field() {
        let e = EventRecord {
            seq: 7,
            at: Utc.with_ymd_and_hms(2017, 9, 20, 9, 0, 0).unwrap(),
            actor_member: None,
            actor_office: Some("the ballot's timetable".into()),
            kind: "ballot.closed".into(),
            subject: "ballot:1".into(),
            payload: "{\"ballot\":1}".into(),
            reason: "Affiliation".into(),
        };
        let d = event_digest(&e);
        assert_eq!(d.len(), 64);
        let changed = [
            EventRecord {
                seq: 8,
                ..e.clone()
            },
            EventRecord {
                actor_member: Some(MemberId(1)),
                ..e.clone()
            },
            EventRecord {
                payload: "{\"ballot\":2}".into(),
                ..e.clone()
            },
            EventRecord {
                reason: "affiliation".into(),
                ..e.clone()
            },
        ];
        for c in &changed {
            assert_ne!(event_digest(c), d);
        }
        assert_eq!(event_digest(&e.clone()), d);
    }
}
