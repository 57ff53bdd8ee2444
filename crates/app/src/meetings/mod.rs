//! Meetings of bodies and what they decide. A meeting is called by an officer with the power
//! over its unit; the constitution in force says who is entitled to attend and vote (the
//! roll, fixed when it is called), how many clear days' notice it needs and what quorum. The
//! notices go into the outbox with the meeting, in one transaction; the sender delivers them
//! and notice is complete when the last is settled. A vote on a motion is judged by the
//! version in force on the meeting's day: adopted, rejected, or not binding with every
//! failing clause — so a meeting called on short notice cannot take a binding decision.

use std::collections::BTreeMap;

use charter_domain::{
    Actor, CheckInWindow, HeldOffice, MeetingState, MemberId, MinutesState, MotionState, Power,
    Sitting, UnitId, UnitKind,
};
use charter_model::{MeetingId, MotionId};
use charter_rules::{
    Constitution, Context, DecisionKind, DecisionRecord, Forum, Key, MotionResult, Right, RollSpec,
    WordDiff, clear_days, motion_result, word_diff,
};
use charter_store::{
    MeetingRecord, MinutesRecord, MotionOutcome, MotionRecord, MotionVersion, NewInvitee,
    NewMeeting, NewMotion, NewVote, NoticeProgress, NoticeText, PollRecord, PublishedMotion,
    StoreError, VoteReceipt,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::json;

use crate::constitution::member_facts;
use crate::{App, AppError, event_actor};

mod call;
mod check_in;
mod minutes;
mod motions;
mod polls;
mod procedural;
mod publication;

pub use crate::requisitions::{DEFAULT_CALL_DAYS, RequisitionState, RequisitionView};
use call::context_of;
pub use check_in::new_check_in_code;
pub use minutes::minutes_from_record;
pub(crate) use polls::checked_vote;
pub use polls::{MAX_SUBMISSION, MIN_SUBMISSION};

/// The longest title of a meeting, motion, ballot, election or requisition, in characters.
pub const MAX_TITLE: usize = 200;
/// The longest agenda, or purpose of a requisition, in characters.
pub const MAX_AGENDA: usize = 20_000;
/// The longest wording of a motion, amendment, ballot question, statement or grounds, in
/// characters.
pub const MAX_MOTION: usize = 20_000;
/// The longest minutes, in characters.
pub const MAX_MINUTES: usize = 100_000;

/// What an officer asks for when calling a meeting.
#[derive(Debug, Clone, Default)]
pub struct MeetingRequest {
    /// The rules' key of the body: `branch-meeting`, `conference`, `steering-committee`…
    pub body: String,
    /// The branch or region whose meeting it is, for branch and regional meetings.
    pub unit: Option<UnitId>,
    /// The rules' key of the kind of sitting: `general-meeting`, `committee-meeting`…
    pub kind: String,
    pub title: String,
    pub starts_at: Option<DateTime<Utc>>,
    /// Defaults to two hours after the start.
    pub ends_at: Option<DateTime<Utc>>,
    /// physical, online or hybrid.
    pub mode: String,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub agenda: String,
}

/// A meeting just called, with a warning when its notice falls short of the constitution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Called {
    pub id: MeetingId,
    pub invited: usize,
    pub short_notice: Option<String>,
}

/// Whether a meeting was properly convened, and why, as every member may see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Convening {
    /// `None` while notices are still being delivered.
    pub properly_convened: Option<bool>,
    /// The clause that sets the notice, when one does.
    pub clause: Option<String>,
    pub explanation: String,
}

#[derive(Debug, Clone)]
pub struct MeetingView {
    pub meeting: MeetingRecord,
    pub unit_name: Option<String>,
    pub body_name: String,
    pub convening: Convening,
    pub notices: NoticeProgress,
    /// Present, and of them how many may vote.
    pub present: i64,
    pub present_voting: i64,
    /// Members entitled to vote (the roll).
    pub entitled_to_vote: i64,
    /// The quorum the constitution sets, with its clause, when it sets one.
    pub quorum: Option<(String, u32)>,
    pub motions: Vec<MotionRecord>,
    /// The reader's own place: `None` if not invited, else whether they may vote.
    pub mine: Option<bool>,
    pub checked_in: bool,
    /// Whether the reader may record attendance and votes here.
    pub may_run: bool,
    /// Electronic votes by motion id, with the reader's own vote in each.
    pub polls: BTreeMap<MotionId, PollView>,
    /// Composites proposed at this meeting, with their movers' consents.
    pub composites: Vec<charter_store::CompositeRecord>,
}

impl MeetingView {
    /// Whether those present and entitled to vote make the quorum, when the constitution
    /// sets one for the meeting.
    pub fn quorate(&self) -> Option<bool> {
        self.quorum
            .as_ref()
            .map(|(_, needed)| self.present_voting >= i64::from(*needed))
    }

    /// Where the meeting stands at `now`.
    pub fn sitting(&self, now: DateTime<Utc>) -> Sitting {
        let m = &self.meeting;
        Sitting::of(m.starts_at, m.ends_at, m.adjourned_by.is_some(), now)
    }

    /// The composite a motion was merged into, when it was.
    pub fn composited_into(
        &self,
        motion: &MotionRecord,
    ) -> Option<&charter_store::CompositeRecord> {
        let by = motion.set_aside_by?;
        self.composites
            .iter()
            .find(|c| c.motion == Some(by) && c.parts.iter().any(|p| p.motion == motion.id))
    }
}

/// An electronic vote on a motion as one member sees it. The counts are shown once it closes.
#[derive(Debug, Clone)]
pub struct PollView {
    pub poll: PollRecord,
    /// The reader's submission, and their choice in a named vote.
    pub mine: Option<(String, Option<String>)>,
}

impl PollView {
    pub fn open(&self) -> bool {
        self.poll.closed_at.is_none()
    }
}

/// A fresh key for one vote form: the same form sent twice is one vote.
pub fn vote_key() -> String {
    crate::auth::random_token()
}

/// Letters and digits that cannot be mistaken for one another when read out or copied from a
/// screen: no I, O, 0 or 1.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// How many units' published motions support or oppose a matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatterTally {
    pub matter: String,
    pub branches: usize,
    pub oppose: usize,
    pub support: usize,
    /// Per region: (region, name, oppose, support).
    pub by_region: Vec<(Option<UnitId>, String, usize, usize)>,
    pub motions: Vec<PublishedMotion>,
}

/// When business for meeting `m` is due under `c` (amendments or motions), with the clause.
pub(crate) fn business_due(
    c: &Constitution,
    m: &MeetingRecord,
    amendment: bool,
) -> Option<(String, NaiveDate)> {
    let kind = Key::parse(&m.kind).ok()?;
    let (clause, b) = c.business_for(&kind)?;
    let due = if amendment {
        b.amendments_due(day(m.starts_at))
    } else {
        b.motions_due(day(m.starts_at))
    };
    Some((clause.as_str().to_string(), due))
}

/// Whether a motion is about the meeting's own business (procedural) or an amendment.
pub fn is_procedure(m: &MotionRecord) -> bool {
    m.parent.is_some()
        || DecisionKind::ALL
            .into_iter()
            .any(|k| k.as_str() == m.kind && k.is_procedural())
}

/// The refusal for business after an adjournment.
pub(crate) fn adjourned(by: &Option<MotionRecord>) -> AppError {
    AppError::Conflict {
        field: "meeting".into(),
        message: format!(
            "the meeting was adjourned{}: it takes no further business",
            by.as_ref()
                .map(|b| format!(" by number {}", b.number))
                .unwrap_or_default()
        ),
    }
}

fn stale_is_conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Stale(message) => AppError::Conflict {
            field: "motion".into(),
            message,
        },
        other => other.into(),
    }
}

/// A motion's result as it is stored: its state and each failing step as (clause, reason),
/// the clause empty when none covers it.
pub(crate) fn result_parts(result: &MotionResult) -> (MotionState, Vec<(String, String)>) {
    let pair = |f: &charter_rules::Failure| {
        (
            f.clause
                .as_ref()
                .map(|c| c.as_str().to_string())
                .unwrap_or_default(),
            f.reason.clone(),
        )
    };
    match result {
        MotionResult::Adopted(_) => (MotionState::Adopted, Vec::new()),
        MotionResult::Rejected(f) => (MotionState::Rejected, vec![pair(f)]),
        MotionResult::NotBinding(nb) => (
            MotionState::NotBinding,
            nb.failures.iter().map(pair).collect(),
        ),
    }
}

pub(crate) fn too_long(s: &str, max: usize) -> bool {
    s.chars().count() > max
}

pub(crate) fn day(t: DateTime<Utc>) -> NaiveDate {
    t.date_naive()
}

/// Whether the notice given meets the notice required, in words.
fn convening(m: &MeetingRecord) -> Convening {
    let Some(required) = m.notice_days else {
        return Convening {
            properly_convened: Some(false),
            clause: None,
            explanation: format!(
                "no clause says what notice a {} needs, so it cannot take binding decisions",
                m.kind.replace('-', " ")
            ),
        };
    };
    let clause = m.notice_clause.clone();
    let cite = clause
        .as_deref()
        .map(|c| format!("clause {c}: "))
        .unwrap_or_default();
    match m.notice_complete_at {
        None => Convening {
            properly_convened: None,
            clause,
            explanation: format!(
                "{cite}it needs {required} clear days' notice; the notices are still being delivered"
            ),
        },
        Some(done) => {
            let given = clear_days(day(done), day(m.starts_at)).max(0);
            let ok = given >= i64::from(required);
            Convening {
                properly_convened: Some(ok),
                clause,
                explanation: format!(
                    "{cite}it needs {required} clear days' notice; notice was complete on {} for {}, giving {given}{}",
                    day(done),
                    day(m.starts_at),
                    if ok {
                        ""
                    } else {
                        ", so it cannot take binding decisions"
                    }
                ),
            }
        }
    }
}

impl App {
    /// The motions before a meeting, in the order they were put down: the business its
    /// pages list.
    pub async fn meeting_motions(&self, meeting: MeetingId) -> Result<Vec<MotionRecord>, AppError> {
        Ok(self.store.motions(meeting).await?)
    }

    /// The office that lets `actor` run meetings of `unit` (national bodies: `None`).
    pub(crate) async fn meeting_authority(
        &self,
        actor: &Actor,
        unit: Option<UnitId>,
    ) -> Result<Option<HeldOffice>, AppError> {
        let tree = self.tree().await?;
        Ok(match unit {
            Some(u) => actor.authority(Power::CallMeetings, u, &tree).cloned(),
            None => actor
                .offices
                .iter()
                .find(|o| {
                    o.kind.powers().contains(&Power::CallMeetings)
                        && tree.kind(o.unit) == Some(UnitKind::National)
                })
                .cloned(),
        })
    }

    /// The office by which `actor` runs meetings of `unit`, or a refusal saying `why` not.
    pub(crate) async fn officer_running(
        &self,
        actor: &Actor,
        unit: Option<UnitId>,
        why: &str,
    ) -> Result<HeldOffice, AppError> {
        self.meeting_authority(actor, unit)
            .await?
            .ok_or_else(|| AppError::Forbidden(why.into()))
    }

    pub(crate) async fn meeting_record(&self, id: MeetingId) -> Result<MeetingRecord, AppError> {
        self.store
            .meeting(id)
            .await?
            .ok_or(AppError::NotFound("meeting"))
    }

    /// Meetings from `from` on (all when `None`), soonest first. Every member may see them.
    pub async fn meetings(
        &self,
        actor: &Actor,
        unit: Option<UnitId>,
        from: Option<DateTime<Utc>>,
    ) -> Result<Vec<MeetingRecord>, AppError> {
        let mut all = self.store.meetings(unit, from).await?;
        let invited: std::collections::HashSet<MeetingId> = self
            .store
            .meetings_for(actor.member)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        for m in &mut all {
            if !invited.contains(&m.id) && self.meeting_authority(actor, m.unit).await?.is_none() {
                m.online_url = None;
            }
        }
        Ok(all)
    }

    /// Whether `actor` may have meeting `m`'s papers and its link to join online: those
    /// invited to it (the constitution says who attends) and the officers running it. Every
    /// member sees that a meeting is called, where and when; what is said in its papers, and
    /// the room online, are for those entitled to be there.
    pub(crate) async fn entitled_to_papers(
        &self,
        actor: &Actor,
        m: &MeetingRecord,
    ) -> Result<bool, AppError> {
        Ok(self.store.invitee(m.id, actor.member).await?.is_some()
            || self.meeting_authority(actor, m.unit).await?.is_some())
    }

    /// A meeting as `actor` sees it: properly convened or not and why, quorum, motions.
    pub async fn meeting_view(
        &self,
        actor: &Actor,
        id: MeetingId,
    ) -> Result<MeetingView, AppError> {
        let mut m = self.meeting_record(id).await?;
        if !self.entitled_to_papers(actor, &m).await? {
            m.online_url = None;
        }
        let on = day(m.starts_at);
        let c = self.constitution_in_force(on).await.ok().map(|(_, c)| c);
        let convening = convening(&m);
        let notices = self.store.notice_progress(id).await?;
        let (present, present_voting) = self.store.attendance(id).await?;
        let entitled_to_vote = self.store.voters(id).await?;
        let quorum = c.as_ref().and_then(|c| {
            let kind = Key::parse(&m.kind).ok()?;
            let body = Key::parse(&m.body).ok()?;
            c.quorum_for(&kind, &body).map(|(cl, q)| {
                (
                    cl.as_str().to_string(),
                    q.quorum
                        .required(u32::try_from(entitled_to_vote).unwrap_or(u32::MAX)),
                )
            })
        });
        let body_name = c
            .as_ref()
            .and_then(|c| {
                Key::parse(&m.body)
                    .ok()
                    .and_then(|k| c.body(&k).map(|(_, b)| b.name.clone()))
            })
            .unwrap_or_else(|| m.body.replace('-', " "));
        let unit_name = match m.unit {
            Some(u) => self
                .store
                .units()
                .await?
                .into_iter()
                .find(|x| x.id == u)
                .map(|x| x.name),
            None => None,
        };
        let mine = self.store.invitee(id, actor.member).await?;
        let checked_in = mine.is_some() && self.store.attended(id, actor.member).await?;
        let may_run = self.meeting_authority(actor, m.unit).await?.is_some();
        let motions = self.store.motions(id).await?;
        let mut polls = BTreeMap::new();
        for mo in &motions {
            if let Some(poll) = self.store.poll(mo.id).await? {
                let mine = self.store.my_vote(mo.id, actor.member).await?;
                polls.insert(mo.id, PollView { poll, mine });
            }
        }
        let composites = self.store.composites(id).await?;
        Ok(MeetingView {
            motions,
            polls,
            composites,
            meeting: m,
            unit_name,
            body_name,
            convening,
            notices,
            present,
            present_voting,
            entitled_to_vote,
            quorum,
            mine,
            checked_in,
            may_run,
        })
    }

    /// Whether `actor` may propose (or second, or amend) business at meeting `m`: on its
    /// roll, with the right to propose in its body by the version in force.
    /// Whether `actor` may still bring `what` before meeting `m` as business: not a
    /// historical meeting, not adjourned or started, motions not yet due (the clause says
    /// when), and the actor on its roll with the right to propose.
    pub(crate) async fn business_open(
        &self,
        actor: &Actor,
        m: &MeetingRecord,
        c: &Constitution,
        what: &str,
    ) -> Result<(), AppError> {
        if m.historical_entered_at.is_some() {
            return Err(crate::amending::historical_closed());
        }
        if let Some(by) = m.adjourned_by {
            return Err(adjourned(&self.store.motion(by).await?));
        }
        if self.clock.now() >= m.starts_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: format!("the meeting has started: {what} is proposed before it"),
            });
        }
        if let Some((clause, due)) = business_due(c, m, false)
            && self.today() > due
        {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: format!(
                    "motions for this meeting were due by {due} (clause {clause}); propose {what} to a later meeting"
                ),
            });
        }
        self.may_propose(actor, m, c).await
    }

    pub(crate) async fn may_propose(
        &self,
        actor: &Actor,
        m: &MeetingRecord,
        c: &Constitution,
    ) -> Result<(), AppError> {
        let body = Key::parse(&m.body).map_err(|e| AppError::Internal(e.to_string()))?;
        let context = context_of(&body, c).map_err(AppError::Forbidden)?;
        if self.store.invitee(m.id, actor.member).await?.is_none() {
            return Err(AppError::Forbidden(
                "you are not on this meeting's roll, so you may not propose, second or amend motions to it"
                    .into(),
            ));
        }
        let facts = self
            .store
            .member_facts_of(actor.member, self.today(), None)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let d = c.decide(
            &member_facts(facts),
            Right::Propose,
            &Forum::new(context, m.unit),
            self.today(),
        );
        if !d.allowed {
            return Err(AppError::Forbidden(format!(
                "you may not propose, second or amend motions here: {}",
                d.reason
            )));
        }
        Ok(())
    }
}

impl App {
    /// Whether a motion may now be put to the vote: seconded where the constitution wants it,
    /// and with every amendment to it decided first.
    pub(crate) async fn ready_for_vote(
        &self,
        motion: &MotionRecord,
        m: &MeetingRecord,
    ) -> Result<(), AppError> {
        let (_, c) = self.constitution_in_force(day(m.starts_at)).await?;
        if let Some(by) = m.adjourned_by {
            return Err(adjourned(&self.store.motion(by).await?));
        }
        if let Some(by) = motion.set_aside_by {
            let number = self
                .store
                .motion(by)
                .await?
                .map(|x| x.number)
                .unwrap_or_default();
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: format!("this motion was set aside by number {number}"),
            });
        }
        if motion.emergency && motion.admitted_by.is_none() {
            let cite = c
                .threshold_for(DecisionKind::AdmitEmergencyMotion)
                .map(|(cl, _)| format!(" (clause {cl})"))
                .unwrap_or_default();
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: format!(
                    "an emergency motion is taken only once the meeting votes to admit it{cite}"
                ),
            });
        }
        if let Some((clause, b)) = Key::parse(&m.kind).ok().and_then(|k| c.business_for(&k))
            && b.seconder
            && motion.seconded_by.is_none()
        {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: format!(
                    "this motion has no seconder, and clause {clause} puts a motion only when seconded"
                ),
            });
        }
        if let Some(a) = self.store.motions(m.id).await?.into_iter().find(|a| {
            a.parent == Some(motion.id)
                && a.state == MotionState::Proposed
                && a.set_aside_by.is_none()
        }) {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: format!(
                    "amendments are decided first: {} (number {}) is still undecided",
                    a.title, a.number
                ),
            });
        }
        Ok(())
    }

    /// The motion, its meeting and the actor's office running it, once the meeting has begun.
    pub(crate) async fn motion_to_run(
        &self,
        actor: &Actor,
        motion_id: MotionId,
    ) -> Result<(MotionRecord, MeetingRecord, HeldOffice), AppError> {
        let motion = self
            .store
            .motion(motion_id)
            .await?
            .ok_or(AppError::NotFound("motion"))?;
        let m = self.meeting_record(motion.meeting).await?;
        if m.historical_entered_at.is_some() {
            return Err(crate::amending::historical_closed());
        }
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers running this meeting record its votes",
            )
            .await?;
        if self.clock.now() < m.starts_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "the meeting has not started: votes are recorded when they are taken"
                    .into(),
            });
        }
        Ok((motion, m, office))
    }

    /// Decides a motion from its count under the version in force on the meeting's day.
    pub(crate) async fn decide(
        &self,
        actor: &Actor,
        office: &HeldOffice,
        motion: &MotionRecord,
        m: &MeetingRecord,
        (votes_for, votes_against, abstentions): (u32, u32, u32),
        present: Option<u32>,
    ) -> Result<MotionResult, AppError> {
        let motion_id = motion.id;
        let on = day(m.starts_at);
        let (_, c) = self.constitution_in_force(on).await?;
        let kind = DecisionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == motion.kind)
            .ok_or_else(|| AppError::Internal("stored motion kind".into()))?;
        let (_, voting_present) = self.store.attendance(m.id).await?;
        let entitled = self.store.voters(m.id).await?;
        let present = present.unwrap_or(u32::try_from(voting_present).unwrap_or(u32::MAX));
        let record = DecisionRecord {
            body: Key::parse(&m.body).map_err(|e| AppError::Internal(e.to_string()))?,
            meeting_kind: Key::parse(&m.kind).map_err(|e| AppError::Internal(e.to_string()))?,
            notice_sent_on: m.notice_complete_at.map(day),
            meeting_on: on,
            members_entitled: u32::try_from(entitled).unwrap_or(u32::MAX),
            present,
            votes_for,
            votes_against,
            abstentions,
        };
        if kind == DecisionKind::ConstitutionalAmendment {
            return self
                .decide_amendment_motion(office, actor, motion, m, record)
                .await;
        }
        let result = motion_result(&c, kind, &record);
        let (state, failures) = result_parts(&result);
        let outcome = MotionOutcome {
            state,
            votes_for,
            votes_against,
            abstentions,
            present,
            failures_json: json!(failures).to_string(),
        };
        let reason = match &result {
            MotionResult::Adopted(_) => format!("'{}' adopted", motion.title),
            MotionResult::Rejected(f) => format!("'{}' rejected: {f}", motion.title),
            MotionResult::NotBinding(nb) => format!("'{}' not binding: {nb}", motion.title),
        };
        // An appointment motion adopted appoints in the decision's own transaction (the
        // store's `decide_motion`); the event says whom, so the log shows the consequence.
        let appointed = match (kind, &result) {
            (DecisionKind::Appointment, MotionResult::Adopted(_)) => {
                self.store.motion_appointment(motion_id).await?.map(|a| {
                    json!({ "office": a.office.0, "member": a.member.0,
                            "starts_on": a.term.starts_on, "ends_on": a.term.ends_on,
                            "clause": a.clause })
                })
            }
            _ => None,
        };
        // A discipline motion adopted suspends or expels in the same transaction.
        let status_change = match (kind, &result) {
            (DecisionKind::SuspendMember | DecisionKind::ExpelMember, MotionResult::Adopted(_)) => {
                self.store
                    .motion_status_change(motion_id)
                    .await?
                    .map(|c| json!({ "to": c.to.as_str(), "clause": c.clause }))
            }
            _ => None,
        };
        let event = self.event(
            event_actor(actor, Some(office)),
            "motion.decided",
            format!("meeting:{}", m.id),
            json!({
                "motion": motion_id,
                "state": state.as_str(),
                "votes_for": votes_for,
                "votes_against": votes_against,
                "abstentions": abstentions,
                "present": present,
                "failures": failures,
                "appointed": appointed,
                "status_changed": status_change,
            }),
            &reason,
        );
        self.store
            .decide_motion(motion_id, &outcome, &event)
            .await?;
        Ok(result)
    }
}
