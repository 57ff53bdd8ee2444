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
    UnitId, UnitKind,
};
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

pub use crate::requisitions::{DEFAULT_CALL_DAYS, RequisitionState, RequisitionView};

pub(crate) const MAX_TITLE: usize = 200;
pub(crate) const MAX_AGENDA: usize = 20_000;
pub(crate) const MAX_MOTION: usize = 20_000;
const MAX_MINUTES: usize = 100_000;

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
    pub id: i64,
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
    pub polls: BTreeMap<i64, PollView>,
    /// Composites proposed at this meeting, with their movers' consents.
    pub composites: Vec<charter_store::CompositeRecord>,
}

impl MeetingView {
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

/// A meeting's check-in code: six characters, about a billion possibilities, read out or shown
/// at the meeting and carried in its check-in link.
pub fn new_check_in_code() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..6)
        .map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]))
        .collect()
}

/// A code as typed: case, spaces and hyphens do not matter.
fn normalise_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The choices in an electronic vote.
pub const CHOICES: [&str; 3] = ["for", "against", "abstain"];

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

fn context_of(body: &Key, c: &Constitution) -> Result<Context, String> {
    match body.as_str() {
        "branch-meeting" => Ok(Context::BranchMeeting),
        "regional-meeting" => Ok(Context::RegionalMeeting),
        "conference" => Ok(Context::Conference),
        _ => match c.body(body) {
            Some((_, b)) if b.is_committee() => Ok(Context::Committee(body.clone())),
            Some(_) => Err(format!(
                "the {} does not meet as a committee, conference or general meeting",
                body.words()
            )),
            None => Err(format!(
                "the constitution in force ('{}') establishes no body '{body}'",
                c.version()
            )),
        },
    }
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
pub(crate) fn result_parts(result: &MotionResult) -> (&'static str, Vec<(String, String)>) {
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
        MotionResult::Adopted(_) => ("adopted", Vec::new()),
        MotionResult::Rejected(f) => ("rejected", vec![pair(f)]),
        MotionResult::NotBinding(nb) => ("not-binding", nb.failures.iter().map(pair).collect()),
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
    pub async fn meeting_motions(&self, meeting: i64) -> Result<Vec<MotionRecord>, AppError> {
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

    /// Calls a meeting and queues its notices. Calling on short notice is allowed — the
    /// meeting is then shown as not properly convened and its votes do not bind — and the
    /// caller is warned.
    pub async fn call_meeting(
        &self,
        actor: &Actor,
        req: &MeetingRequest,
    ) -> Result<Called, AppError> {
        let now = self.clock.now();
        let today = self.today();
        let (_, c) = self.constitution_in_force(today).await?;
        let tree = self.tree().await?;
        let mut errs = charter_domain::FieldErrors::default();
        let title = req.title.trim();
        if title.is_empty() {
            errs.add(
                "title",
                "give the meeting a title, e.g. 'Branch general meeting, March'",
            );
        } else if too_long(title, MAX_TITLE) {
            errs.add("title", "title is longer than 200 characters");
        }
        if too_long(&req.agenda, MAX_AGENDA) {
            errs.add("agenda", "the agenda is longer than 20,000 characters");
        }
        let body = Key::parse(&req.body)
            .map_err(|e| e.to_string())
            .and_then(|k| context_of(&k, &c).map(|ctx| (k, ctx)));
        let (body, context) = match body {
            Ok(b) => (Some(b.0), Some(b.1)),
            Err(e) => {
                errs.add("body", e);
                (None, None)
            }
        };
        let needs = match &context {
            Some(Context::BranchMeeting) => Some(UnitKind::Branch),
            Some(Context::RegionalMeeting) => Some(UnitKind::Region),
            _ => None,
        };
        match (needs, req.unit) {
            (Some(k), Some(u)) if tree.kind(u) == Some(k) => {}
            (Some(k), _) => errs.add(
                "unit",
                format!("choose the {} whose meeting this is", k.as_str()),
            ),
            (None, Some(_)) if context.is_some() => errs.add(
                "unit",
                "this body meets for the whole organisation; leave the unit empty",
            ),
            _ => {}
        }
        let kind = match Key::parse(&req.kind) {
            Ok(k) if c.notice_for(&k).is_some() => Some(k),
            Ok(_) | Err(_) => {
                let known: Vec<String> = [
                    "general-meeting",
                    "committee-meeting",
                    "special-conference",
                    "annual-conference",
                ]
                .iter()
                .filter(|k| Key::parse(k).is_ok_and(|k| c.notice_for(&k).is_some()))
                .map(|k| k.to_string())
                .collect();
                errs.add(
                    "kind",
                    format!(
                        "the constitution sets no notice for a '{}'; use one of {}",
                        req.kind.trim(),
                        known.join(", ")
                    ),
                );
                None
            }
        };
        let starts = match req.starts_at {
            None => {
                errs.add("starts_at", "give the date and time the meeting starts");
                None
            }
            Some(s) if s <= now => {
                errs.add("starts_at", "the meeting must start in the future");
                None
            }
            Some(s) => Some(s),
        };
        let ends = match (starts, req.ends_at) {
            (Some(s), None) => Some(s + Duration::hours(2)),
            (Some(s), Some(e)) if e <= s => {
                errs.add("ends_at", "the meeting must end after it starts");
                None
            }
            (_, e) => e,
        };
        let mode = req.mode.trim();
        let place = req
            .place
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let url = req
            .online_url
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        match mode {
            "physical" | "online" | "hybrid" => {}
            _ => errs.add("mode", "choose physical, online or hybrid"),
        }
        if matches!(mode, "physical" | "hybrid") && place.is_none() {
            errs.add("place", "say where the meeting is held");
        }
        if matches!(mode, "online" | "hybrid") {
            match url {
                None => errs.add("online_url", "give the link to join online"),
                Some(u)
                    if !(u.starts_with("https://") || u.starts_with("http://"))
                        || u.contains(char::is_whitespace) =>
                {
                    errs.add(
                        "online_url",
                        "the link must be a web address starting https://",
                    )
                }
                Some(_) => {}
            }
        }
        let (Some(body), Some(context), Some(kind), Some(starts), Some(ends)) =
            (body, context, kind, starts, ends)
        else {
            return Err(AppError::Invalid(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let office = self
            .meeting_authority(actor, req.unit)
            .await?
            .ok_or_else(|| {
                AppError::Forbidden(
                    "you may not call this meeting: no office of yours gives that power over its unit".into(),
                )
            })?;
        let (notice_clause, notice) = c
            .notice_for(&kind)
            .map(|(cl, n)| (cl.as_str().to_string(), n.clear_days))
            .ok_or_else(|| AppError::Internal("notice rule vanished".into()))?;

        // The roll: who may attend, and of them who may vote, by the version in force today.
        let forum = Forum::new(context, req.unit);
        let spec = RollSpec {
            forum: forum.clone(),
            right: Right::Attend,
            cutoff: today,
        };
        let facts: Vec<_> = self
            .store
            .member_facts(today)
            .await?
            .into_iter()
            .map(member_facts)
            .filter(|f| spec.in_scope(f) && c.allows(f, Right::Attend, &forum, today))
            .collect();
        let ids: Vec<MemberId> = facts.iter().map(|f| f.member).collect();
        let contacts = self.store.member_contacts(&ids).await?;
        let votes: BTreeMap<MemberId, bool> = facts
            .iter()
            .map(|f| (f.member, c.allows(f, Right::Vote, &forum, today)))
            .collect();
        let invitees: Vec<NewInvitee> = contacts
            .into_iter()
            .map(|(m, _, email)| NewInvitee {
                member: m,
                may_vote: votes.get(&m).copied().unwrap_or(false),
                address: email,
            })
            .collect();
        let given = clear_days(today, day(starts));
        let short_notice = (given < i64::from(notice)).then(|| {
            format!(
                "clause {notice_clause}: a {} needs {notice} clear days' notice and this gives at most {}; it will not be properly convened and its votes will not bind",
                kind.words(),
                given.max(0)
            )
        });
        let meeting = NewMeeting {
            body: body.as_str().to_string(),
            unit: req.unit,
            kind: kind.as_str().to_string(),
            title: title.to_string(),
            starts_at: starts,
            ends_at: ends,
            mode: mode.to_string(),
            place: place.map(str::to_string),
            online_url: url.map(str::to_string),
            agenda: req.agenda.trim().to_string(),
            notice_clause: Some(notice_clause.clone()),
            notice_days: Some(notice),
            called_by: Some(actor.member),
            check_in_code: new_check_in_code(),
        };
        let text = NoticeText {
            subject: format!("Notice of meeting: {title}"),
            body: notice_body(&meeting),
        };
        let event = self.event(
            event_actor(actor, Some(&office)),
            "meeting.called",
            "meeting".into(),
            json!({
                "title": title,
                "body": meeting.body,
                "kind": meeting.kind,
                "unit": req.unit.map(|u| u.0),
                "starts_at": starts,
                "invited": invitees.len(),
                "notice_days": notice,
                "short_notice": short_notice.is_some(),
            }),
            title,
        );
        let invited = invitees.len();
        let id = self
            .store
            .call_meeting(&meeting, &invitees, &text, &event)
            .await?;
        Ok(Called {
            id,
            invited,
            short_notice,
        })
    }

    pub(crate) async fn meeting_record(&self, id: i64) -> Result<MeetingRecord, AppError> {
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
        let invited: std::collections::HashSet<i64> = self
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
    pub async fn meeting_view(&self, actor: &Actor, id: i64) -> Result<MeetingView, AppError> {
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

    /// The meeting's check-in code, for the officers running it to read out or show; `None`
    /// for a meeting called before codes were kept, until they make one.
    pub async fn check_in_code(&self, actor: &Actor, id: i64) -> Result<Option<String>, AppError> {
        let m = self.meeting_record(id).await?;
        self.officer_running(
            actor,
            m.unit,
            "only the officers running this meeting see its check-in code",
        )
        .await?;
        Ok(self.store.check_in_code(id).await?)
    }

    /// Replaces the meeting's check-in code, say when it has been shared beyond the room; the
    /// old code and its link stop working.
    pub async fn new_check_in_code(&self, actor: &Actor, id: i64) -> Result<String, AppError> {
        let m = self.meeting_record(id).await?;
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers running this meeting change its check-in code",
            )
            .await?;
        let code = new_check_in_code();
        let event = self.event(
            event_actor(actor, Some(&office)),
            "meeting.check_in_code",
            format!("meeting:{id}"),
            json!({ "meeting": id }),
            "a new check-in code",
        );
        self.store.replace_check_in_code(id, &code, &event).await?;
        Ok(code)
    }

    /// Checks in the actor (self check-in, with the code read out at the meeting or carried
    /// in its link) or, for an officer running the meeting, another invited member or
    /// themselves without a code. Only while the meeting is on: from an hour before it starts
    /// until it ends.
    pub async fn check_in(
        &self,
        actor: &Actor,
        id: i64,
        member: Option<MemberId>,
        code: Option<&str>,
    ) -> Result<(), AppError> {
        let m = self.meeting_record(id).await?;
        let now = self.clock.now();
        if m.state != MeetingState::Called {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "this meeting was cancelled".into(),
            });
        }
        let window = CheckInWindow::of(m.starts_at, m.ends_at);
        if !window.is_open(now) {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: format!(
                    "check-in is open from an hour before the meeting until it ends ({} to {})",
                    window.opens, window.closes
                ),
            });
        }
        let who = member.unwrap_or(actor.member);
        let office = if who == actor.member {
            let runs = self.meeting_authority(actor, m.unit).await?;
            if runs.is_none() {
                self.check_code(id, code).await?;
            }
            runs
        } else {
            Some(
                self.officer_running(
                    actor,
                    m.unit,
                    "only the officers running this meeting may check in someone else",
                )
                .await?,
            )
        };
        let event = self.event(
            event_actor(actor, office.as_ref()),
            "meeting.checked_in",
            format!("meeting:{id}"),
            json!({ "meeting": id, "member": who.0 }),
            "attendance",
        );
        self.store
            .check_in(id, who, office.map(|_| actor.member), &event)
            .await
            .map_err(|e| match e {
                charter_store::StoreError::NotFound(_) => AppError::Forbidden(
                    "not on this meeting's roll: the constitution does not entitle this member to attend".into(),
                ),
                other => other.into(),
            })
    }

    async fn check_code(&self, id: i64, code: Option<&str>) -> Result<(), AppError> {
        let given = normalise_code(code.unwrap_or(""));
        if given.is_empty() {
            return Err(AppError::invalid(
                "code",
                "give the check-in code read out at the meeting, or open its check-in link",
            ));
        }
        match self.store.check_in_code(id).await? {
            Some(kept) if kept == given => Ok(()),
            _ => Err(AppError::invalid(
                "code",
                "that is not this meeting's check-in code: ask the chair for it",
            )),
        }
    }

    /// A member entitled to propose motions at this body puts one before a meeting that has
    /// not started.
    pub async fn propose_motion(
        &self,
        actor: &Actor,
        id: i64,
        motion: &NewMotion,
    ) -> Result<i64, AppError> {
        let m = self.meeting_record(id).await?;
        let now = self.clock.now();
        let mut errs = charter_domain::FieldErrors::default();
        let title = motion.title.trim();
        if title.is_empty() {
            errs.add("title", "give the motion a title");
        } else if too_long(title, MAX_TITLE) {
            errs.add("title", "title is longer than 200 characters");
        }
        if motion.text.trim().is_empty() {
            errs.add(
                "text",
                "write the motion's text: what the meeting would decide",
            );
        } else if too_long(&motion.text, MAX_MOTION) {
            errs.add("text", "the motion is longer than 20,000 characters");
        }
        let kind = DecisionKind::ALL
            .into_iter()
            .find(|k| k.as_str() == motion.kind.trim());
        match kind {
            None => errs.add(
                "kind",
                "choose ordinary-motion, dissolve-body, create-body, suspend-standing-orders or rescind",
            ),
            Some(DecisionKind::ConstitutionalAmendment) => errs.add(
                "kind",
                "a constitutional amendment is proposed on the amendments page, where its procedure applies",
            ),
            Some(k) if k.is_procedural() && k != DecisionKind::SuspendStandingOrders => errs.add(
                "kind",
                "a procedural motion is moved at the meeting, by a member present",
            ),
            Some(DecisionKind::Appointment) => errs.add(
                "kind",
                "an appointment names the office and the member: propose it as an appointment",
            ),
            Some(DecisionKind::SuspendMember | DecisionKind::ExpelMember) => errs.add(
                "kind",
                "suspending or expelling names the member: propose it as a discipline motion",
            ),
            Some(DecisionKind::Rescind) if motion.target.is_none() => errs.add(
                "target",
                "say which decision the motion would rescind",
            ),
            Some(_) => {}
        }
        match (motion.matter.as_deref(), motion.position.as_deref()) {
            (None, None) => {}
            (Some(mt), Some("support" | "oppose")) if Key::parse(mt).is_ok() => {}
            (Some(_), Some("support" | "oppose")) => errs.add(
                "matter",
                "name the matter in lower-case words joined by hyphens, e.g. constitution-2017",
            ),
            _ => errs.add(
                "position",
                "a motion on a national matter says whether it supports or opposes it",
            ),
        }
        // A motion calling for a meeting branches may require counts towards its requisition.
        let requires = match motion.requires.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(r) => {
                let (_, c) = self.constitution_in_force(self.today()).await?;
                let by_branch = match m.unit {
                    Some(u) => self.tree().await?.kind(u) == Some(UnitKind::Branch),
                    None => false,
                };
                match crate::requisitions::branches_may_require(&c, r, by_branch) {
                    Ok(k) => Some(k.as_str().to_string()),
                    Err(why) => {
                        errs.add("requires", why);
                        None
                    }
                }
            }
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let rescinds = kind == Some(DecisionKind::Rescind);
        if rescinds {
            self.check_rescindable(&m, motion.target).await?;
        }
        if let Some(by) = m.adjourned_by {
            return Err(adjourned(&self.store.motion(by).await?));
        }
        // Late business comes only as an emergency motion, which the meeting must admit.
        if motion.emergency {
            if now > m.ends_at {
                return Err(AppError::Conflict {
                    field: "meeting".into(),
                    message: "the meeting has ended".into(),
                });
            }
        } else if now >= m.starts_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "the meeting has started: motions are proposed before it, or as an emergency motion the meeting admits".into(),
            });
        }
        let (_, c) = self.constitution_in_force(self.today()).await?;
        if !motion.emergency
            && let Some((clause, due)) = business_due(&c, &m, false)
            && self.today() > due
        {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: format!(
                    "motions for this meeting were due by {due} (clause {clause}); late business comes only as an emergency motion, taken if the meeting admits it"
                ),
            });
        }
        self.may_propose(actor, &m, &c).await?;
        // A seconder seconds for themselves (`second_motion`); a motion is never amended here.
        let new = NewMotion {
            meeting: id,
            title: title.to_string(),
            text: motion.text.trim().to_string(),
            proposed_by: Some(actor.member),
            seconded_by: None,
            parent: None,
            target: if rescinds { motion.target } else { None },
            requires,
            ..motion.clone()
        };
        let event = self.event(
            event_actor(actor, None),
            "motion.proposed",
            format!("meeting:{id}"),
            json!({ "meeting": id, "title": new.title, "kind": new.kind, "matter": new.matter,
                    "requires": new.requires }),
            title,
        );
        Ok(self.store.propose_motion(&new, &event).await?)
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

    /// A rescission's target: a decision adopted at an earlier meeting of the same body and
    /// unit, not already set aside.
    async fn check_rescindable(
        &self,
        m: &MeetingRecord,
        target: Option<i64>,
    ) -> Result<(), AppError> {
        let bad = |why: &str| AppError::invalid("target", why);
        let Some(t) = target else {
            return Err(bad("say which decision the motion would rescind"));
        };
        let Some(decision) = self.store.motion(t).await? else {
            return Err(bad("there is no such decision to rescind"));
        };
        let held = self.meeting_record(decision.meeting).await?;
        if held.body != m.body || held.unit != m.unit || held.id == m.id {
            return Err(bad(
                "only a decision of an earlier meeting of the same body can be rescinded",
            ));
        }
        if decision.state != MotionState::Adopted || decision.set_aside_by.is_some() {
            return Err(bad(
                "only a decision adopted and still standing can be rescinded",
            ));
        }
        Ok(())
    }

    /// A draft of the minutes written from what was recorded: whether the meeting was
    /// properly convened, attendance and quorum, and each motion with its outcome.
    pub async fn draft_minutes(&self, actor: &Actor, id: i64) -> Result<String, AppError> {
        Ok(minutes_from_record(&self.meeting_view(actor, id).await?))
    }
}

/// Minutes written from a meeting's record as `meeting_view` gives it (see
/// `App::draft_minutes`); the meeting page passes the view it already has.
pub fn minutes_from_record(v: &MeetingView) -> String {
    let m = &v.meeting;
    let mut out = String::new();
    let line = |out: &mut String, s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    line(&mut out, format!("Minutes of {}", m.title));
    line(
        &mut out,
        format!(
            "{}{}: {} to {} UTC, {}{}.",
            v.body_name,
            v.unit_name
                .as_ref()
                .map(|u| format!(", {u}"))
                .unwrap_or_default(),
            m.starts_at.format("%-d %B %Y %H:%M"),
            m.ends_at.format("%H:%M"),
            m.mode,
            m.place
                .as_ref()
                .map(|p| format!(" at {p}"))
                .unwrap_or_default()
        ),
    );
    line(
        &mut out,
        format!(
            "Properly convened: {}. {}",
            match v.convening.properly_convened {
                Some(true) => "yes",
                Some(false) => "no",
                None => "not known",
            },
            v.convening.explanation
        ),
    );
    let quorum = match &v.quorum {
        Some((clause, q)) => format!(
            " The quorum is {q} (clause {clause}): {}.",
            if v.present_voting >= i64::from(*q) {
                "quorate"
            } else {
                "not quorate"
            }
        ),
        None => String::new(),
    };
    line(
        &mut out,
        format!(
            "Present: {}, of whom {} entitled to vote, of {} on the roll.{quorum}",
            v.present, v.present_voting, v.entitled_to_vote
        ),
    );
    line(&mut out, String::new());
    line(&mut out, "Business".to_string());
    if v.motions.is_empty() {
        line(&mut out, "No motions were before the meeting.".to_string());
    }
    let number = |id: i64| v.motions.iter().find(|x| x.id == id).map(|x| x.number);
    for mo in &v.motions {
        let mut about = Vec::new();
        if let Some(n) = mo.parent.and_then(number) {
            about.push(format!("amendment to number {n}"));
        }
        if let Some(n) = mo.target.and_then(number) {
            about.push(format!("on number {n}"));
        }
        if mo.emergency {
            about.push("emergency business".to_string());
        }
        let outcome = match (mo.state, mo.votes_for, mo.votes_against) {
            (MotionState::Proposed, _, _) => match mo.set_aside_by.and_then(number) {
                Some(n) if v.composited_into(mo).is_some() => {
                    format!("composited into number {n} with its mover's consent")
                }
                Some(n) => format!("set aside by number {n}"),
                None => "not decided".to_string(),
            },
            (state, Some(f), Some(a)) => format!(
                "{}: {f} for, {a} against, {} abstaining",
                state.as_str().replace('-', " "),
                mo.abstentions.unwrap_or(0)
            ),
            (state, _, _) => state.as_str().replace('-', " "),
        };
        line(
            &mut out,
            format!(
                "{}. {}{}: {outcome}.",
                mo.number,
                mo.title,
                if about.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", about.join(", "))
                }
            ),
        );
        let reasons: Vec<(String, String)> = mo
            .failures_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default();
        for (clause, why) in reasons {
            line(
                &mut out,
                format!(
                    "   {}{why}",
                    if clause.is_empty() {
                        String::new()
                    } else {
                        format!("clause {clause}: ")
                    }
                ),
            );
        }
        line(&mut out, format!("   \"{}\"", mo.text.trim()));
    }
    if let Some(n) = m.adjourned_by.and_then(number) {
        line(&mut out, String::new());
        line(
            &mut out,
            format!("The meeting was adjourned by number {n}."),
        );
    }
    out
}

impl App {
    /// Saves a meeting's draft minutes: the officers running it, once it has begun.
    pub async fn save_minutes(&self, actor: &Actor, id: i64, text: &str) -> Result<(), AppError> {
        let m = self.meeting_record(id).await?;
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers running this meeting keep its minutes",
            )
            .await?;
        if self.clock.now() < m.starts_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "minutes are kept once the meeting has begun".into(),
            });
        }
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::invalid("text", "the minutes are empty"));
        }
        if too_long(text, MAX_MINUTES) {
            return Err(AppError::invalid(
                "text",
                "the minutes are longer than 100,000 characters",
            ));
        }
        let event = self.event(
            event_actor(actor, Some(&office)),
            "minutes.drafted",
            format!("meeting:{id}"),
            json!({ "meeting": id }),
            &format!("minutes of '{}' drafted", m.title),
        );
        self.store
            .save_minutes(id, text, Some(actor.member), &event)
            .await
            .map_err(stale_is_conflict)
    }

    pub async fn minutes(&self, id: i64) -> Result<Option<MinutesRecord>, AppError> {
        self.meeting_record(id).await?;
        Ok(self.store.minutes(id).await?)
    }

    /// Earlier meetings of the same body whose minutes are still a draft: (id, title).
    pub async fn drafts_to_approve(&self, id: i64) -> Result<Vec<(i64, String)>, AppError> {
        let m = self.meeting_record(id).await?;
        let mut out = Vec::new();
        for held in self.store.meetings(m.unit, None).await? {
            if held.body == m.body
                && held.unit == m.unit
                && held.starts_at < m.starts_at
                && let Some(min) = self.store.minutes(held.id).await?
                && min.state == MinutesState::Draft
            {
                out.push((held.id, held.title));
            }
        }
        Ok(out)
    }

    /// Puts the draft minutes of an earlier meeting of the same body before meeting `id`, as
    /// a motion to approve them; adopted, they become final.
    pub async fn put_minutes_for_approval(
        &self,
        actor: &Actor,
        id: i64,
        of_meeting: i64,
    ) -> Result<i64, AppError> {
        let m = self.meeting_record(id).await?;
        let earlier = self.meeting_record(of_meeting).await?;
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers running this meeting put business before it",
            )
            .await?;
        if earlier.body != m.body || earlier.unit != m.unit || earlier.starts_at >= m.starts_at {
            return Err(AppError::invalid(
                "of_meeting",
                "minutes are approved by a later meeting of the same body",
            ));
        }
        if self.clock.now() > m.ends_at || m.adjourned_by.is_some() {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "this meeting has ended".into(),
            });
        }
        let motion = NewMotion {
            meeting: id,
            kind: DecisionKind::OrdinaryMotion.as_str().to_string(),
            title: format!("Minutes of {}", earlier.title),
            text: format!(
                "That the minutes of {} on {} be approved as a true record.",
                earlier.title,
                day(earlier.starts_at)
            ),
            matter: None,
            position: None,
            requires: None,
            proposed_by: Some(actor.member),
            seconded_by: None,
            parent: None,
            target: None,
            emergency: false,
        };
        let event = self.event(
            event_actor(actor, Some(&office)),
            "minutes.put_for_approval",
            format!("meeting:{id}"),
            json!({ "meeting": id, "minutes_of": of_meeting }),
            &motion.title,
        );
        self.store
            .put_minutes_for_approval(of_meeting, &motion, &event)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => AppError::Conflict {
                    field: "of_meeting".into(),
                    message: "that meeting has no draft minutes yet".into(),
                },
                other => stale_is_conflict(other),
            })
    }

    /// Decisions a rescission at meeting `id` could name: adopted and still standing, taken
    /// at earlier meetings of the same body and unit; (motion, its meeting's title).
    pub async fn rescindable(&self, id: i64) -> Result<Vec<(MotionRecord, String)>, AppError> {
        let m = self.meeting_record(id).await?;
        let mut out = Vec::new();
        for held in self.store.meetings(m.unit, None).await? {
            if held.id == m.id || held.body != m.body || held.unit != m.unit {
                continue;
            }
            for mo in self.store.motions(held.id).await? {
                if mo.state == MotionState::Adopted
                    && mo.set_aside_by.is_none()
                    && !is_procedure(&mo)
                {
                    out.push((mo, held.title.clone()));
                }
            }
        }
        Ok(out)
    }

    /// A member present moves a procedural motion during the meeting: that the question be
    /// now put, next business, refer back, admit an emergency motion (each on a motion of
    /// this meeting), adjourn, or suspend standing orders. Each carries by its own threshold.
    pub async fn move_procedural(
        &self,
        actor: &Actor,
        meeting_id: i64,
        kind: &str,
        target: Option<i64>,
    ) -> Result<i64, AppError> {
        let m = self.meeting_record(meeting_id).await?;
        let Some(kind) = DecisionKind::PROCEDURAL
            .into_iter()
            .find(|k| k.as_str() == kind.trim())
        else {
            return Err(AppError::invalid(
                "kind",
                "choose closure, next-business, refer-back, adjourn, admit-emergency-motion or suspend-standing-orders",
            ));
        };
        let target = match (kind.needs_target(), target) {
            (false, _) => None,
            (true, None) => {
                return Err(AppError::invalid(
                    "target",
                    "say which motion this procedural motion is about",
                ));
            }
            (true, Some(t)) => {
                let Some(tm) = self.store.motion(t).await?.filter(|x| x.meeting == m.id) else {
                    return Err(AppError::invalid(
                        "target",
                        "that is no motion of this meeting",
                    ));
                };
                if tm.state != MotionState::Proposed || tm.set_aside_by.is_some() {
                    return Err(AppError::Conflict {
                        field: "target".into(),
                        message: format!("number {} is no longer before the meeting", tm.number),
                    });
                }
                if kind == DecisionKind::AdmitEmergencyMotion
                    && (!tm.emergency || tm.admitted_by.is_some())
                {
                    return Err(AppError::Conflict {
                        field: "target".into(),
                        message: format!(
                            "number {} is not late business waiting to be admitted",
                            tm.number
                        ),
                    });
                }
                Some(tm)
            }
        };
        let now = self.clock.now();
        if now < m.starts_at || now > m.ends_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "procedural motions are moved while the meeting is on".into(),
            });
        }
        if let Some(by) = m.adjourned_by {
            return Err(adjourned(&self.store.motion(by).await?));
        }
        if !self.store.attended(m.id, actor.member).await? {
            return Err(AppError::Conflict {
                field: "member".into(),
                message: "only a member present moves a procedural motion; check in first".into(),
            });
        }
        let (_, c) = self.constitution_in_force(self.today()).await?;
        self.may_propose(actor, &m, &c).await?;
        let on = |t: &Option<MotionRecord>| t.as_ref().map(|t| t.number).unwrap_or_default();
        let (title, text) = match kind {
            DecisionKind::Closure => (
                format!("That number {} be now put", on(&target)),
                "That the question be now put: debate ends and the meeting votes.".to_string(),
            ),
            DecisionKind::NextBusiness => (
                format!("Next business on number {}", on(&target)),
                "That the meeting proceed to the next business, leaving the motion undecided."
                    .to_string(),
            ),
            DecisionKind::ReferBack => (
                format!("Refer number {} back", on(&target)),
                "That the motion be referred back to those who brought it.".to_string(),
            ),
            DecisionKind::AdmitEmergencyMotion => (
                format!("Admit number {} as emergency business", on(&target)),
                "That the emergency motion be admitted as late business.".to_string(),
            ),
            DecisionKind::Adjourn => (
                "That the meeting adjourn".to_string(),
                "That the meeting adjourn now; no further business is taken.".to_string(),
            ),
            _ => (
                "Suspend standing orders".to_string(),
                "That standing orders be suspended for the business before the meeting."
                    .to_string(),
            ),
        };
        let new = NewMotion {
            meeting: m.id,
            kind: kind.as_str().to_string(),
            title,
            text,
            matter: None,
            position: None,
            requires: None,
            proposed_by: Some(actor.member),
            seconded_by: None,
            parent: None,
            target: target.as_ref().map(|t| t.id),
            emergency: false,
        };
        let event = self.event(
            event_actor(actor, None),
            "motion.procedural_moved",
            format!("meeting:{}", m.id),
            json!({ "meeting": m.id, "kind": kind.as_str(), "target": new.target }),
            &new.title,
        );
        Ok(self.store.propose_motion(&new, &event).await?)
    }

    /// Proposes an amendment to a motion (or, as far as the constitution allows, to an
    /// amendment): `text` is the whole wording proposed instead of the motion's current one.
    pub async fn amend_motion(
        &self,
        actor: &Actor,
        motion_id: i64,
        text: &str,
    ) -> Result<i64, AppError> {
        let parent = self
            .store
            .motion(motion_id)
            .await?
            .ok_or(AppError::NotFound("motion"))?;
        let m = self.meeting_record(parent.meeting).await?;
        let text = text.trim();
        if text.is_empty() {
            return Err(AppError::invalid(
                "text",
                "write the motion as it would read once amended",
            ));
        }
        if too_long(text, MAX_MOTION) {
            return Err(AppError::invalid(
                "text",
                "the amendment is longer than 20,000 characters",
            ));
        }
        if text == parent.text.trim() {
            return Err(AppError::invalid(
                "text",
                "the amendment changes nothing: edit the wording you want instead",
            ));
        }
        if parent.state != MotionState::Proposed {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: format!("this motion was already {}", parent.state),
            });
        }
        if self.clock.now() >= m.starts_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "the meeting has started: amendments are proposed before it".into(),
            });
        }
        let (_, c) = self.constitution_in_force(self.today()).await?;
        let rule = Key::parse(&m.kind)
            .ok()
            .and_then(|k| c.business_for(&k).map(|(cl, b)| (cl.clone(), b.clone())));
        let depth = self.amendment_depth(&parent).await? + 1;
        let allowed = rule.as_ref().map_or(1, |(_, b)| b.amendment_depth);
        if depth > allowed {
            let cite = rule
                .as_ref()
                .map(|(cl, _)| format!(" (clause {cl})"))
                .unwrap_or_default();
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: match allowed {
                    0 => format!("motions at this meeting may not be amended{cite}"),
                    1 => format!("an amendment may not itself be amended here{cite}"),
                    n => format!("amendments may go only {n} levels deep here{cite}"),
                },
            });
        }
        if let Some((clause, due)) = business_due(&c, &m, true)
            && self.today() > due
        {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: format!(
                    "amendments for this meeting were due by {due} (clause {clause}); it is too late to propose one"
                ),
            });
        }
        self.may_propose(actor, &m, &c).await?;
        let what = if parent.parent.is_some() {
            "amendment"
        } else {
            "motion"
        };
        let new = NewMotion {
            meeting: m.id,
            kind: DecisionKind::OrdinaryMotion.as_str().to_string(),
            title: format!("Amendment to {what} {}", parent.number),
            text: text.to_string(),
            matter: None,
            position: None,
            requires: None,
            proposed_by: Some(actor.member),
            seconded_by: None,
            parent: Some(parent.id),
            target: None,
            emergency: false,
        };
        let event = self.event(
            event_actor(actor, None),
            "motion.amendment_proposed",
            format!("meeting:{}", m.id),
            json!({ "meeting": m.id, "amends": parent.id }),
            &new.title,
        );
        self.store
            .propose_motion(&new, &event)
            .await
            .map_err(|e| match e {
                StoreError::Stale(message) => AppError::Conflict {
                    field: "motion".into(),
                    message,
                },
                other => other.into(),
            })
    }

    /// How many amendments deep `motion` is: 0 for a motion, 1 for an amendment to it.
    async fn amendment_depth(&self, motion: &MotionRecord) -> Result<u32, AppError> {
        let mut depth = 0;
        let mut at = motion.parent;
        while let Some(p) = at {
            depth += 1;
            at = self.store.motion(p).await?.and_then(|m| m.parent);
            if depth > 64 {
                return Err(AppError::Internal("amendments nest in a loop".into()));
            }
        }
        Ok(depth)
    }

    /// A member entitled to propose seconds another's motion or amendment before it is put.
    pub async fn second_motion(&self, actor: &Actor, motion_id: i64) -> Result<(), AppError> {
        let motion = self
            .store
            .motion(motion_id)
            .await?
            .ok_or(AppError::NotFound("motion"))?;
        let m = self.meeting_record(motion.meeting).await?;
        if motion.proposed_by == Some(actor.member) {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: "a motion is seconded by someone other than its proposer".into(),
            });
        }
        let (_, c) = self.constitution_in_force(self.today()).await?;
        self.may_propose(actor, &m, &c).await?;
        let event = self.event(
            event_actor(actor, None),
            "motion.seconded",
            format!("meeting:{}", m.id),
            json!({ "motion": motion_id }),
            &motion.title,
        );
        self.store
            .second_motion(motion_id, actor.member, &event)
            .await
            .map_err(stale_is_conflict)
    }

    /// The proposer, or an officer running the meeting, withdraws a motion before it is put
    /// to the vote; its undecided amendments fall with it. Returns the motions withdrawn.
    pub async fn withdraw_motion(
        &self,
        actor: &Actor,
        motion_id: i64,
    ) -> Result<Vec<i64>, AppError> {
        let motion = self
            .store
            .motion(motion_id)
            .await?
            .ok_or(AppError::NotFound("motion"))?;
        let m = self.meeting_record(motion.meeting).await?;
        let office = self.meeting_authority(actor, m.unit).await?;
        if motion.proposed_by != Some(actor.member) && office.is_none() {
            return Err(AppError::Forbidden(
                "only the motion's proposer or the officers running the meeting may withdraw it"
                    .into(),
            ));
        }
        let event = self.event(
            event_actor(actor, office.as_ref()),
            "motion.withdrawn",
            format!("meeting:{}", m.id),
            json!({ "motion": motion_id }),
            &motion.title,
        );
        self.store
            .withdraw_motion(motion_id, &event)
            .await
            .map_err(stale_is_conflict)
    }

    /// Every wording of a motion, oldest first, each with its word diff from the one before.
    pub async fn motion_history(
        &self,
        motion_id: i64,
    ) -> Result<Vec<(MotionVersion, Option<WordDiff>)>, AppError> {
        let versions = self.store.motion_versions(motion_id).await?;
        let mut out = Vec::with_capacity(versions.len());
        let mut before: Option<String> = None;
        for v in versions {
            let diff = before.as_deref().map(|b| word_diff(b, &v.text));
            before = Some(v.text.clone());
            out.push((v, diff));
        }
        Ok(out)
    }

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

    /// Records the tellers' count on a motion and decides what it came to under the version
    /// in force on the meeting's day. `present` defaults to the voting members checked in.
    pub async fn record_vote(
        &self,
        actor: &Actor,
        motion_id: i64,
        votes_for: u32,
        votes_against: u32,
        abstentions: u32,
        present: Option<u32>,
    ) -> Result<MotionResult, AppError> {
        let (motion, m, office) = self.motion_to_run(actor, motion_id).await?;
        self.ready_for_vote(&motion, &m).await?;
        if self.store.poll(motion_id).await?.is_some() {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: "this motion is being decided by electronic vote: close the vote to record its result".into(),
            });
        }
        if self.store.card_vote(motion_id).await?.is_some() {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message:
                    "this motion is being decided by card vote: close the vote to record its result"
                        .into(),
            });
        }
        self.decide(
            actor,
            &office,
            &motion,
            &m,
            (votes_for, votes_against, abstentions),
            present,
        )
        .await
    }

    /// The motion, its meeting and the actor's office running it, once the meeting has begun.
    pub(crate) async fn motion_to_run(
        &self,
        actor: &Actor,
        motion_id: i64,
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
            state: state.to_string(),
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
                "state": state,
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

    /// An electronic vote on a motion, with the reader's own vote. Any signed-in member may
    /// see it; the count is the caller's to withhold until it closes.
    pub async fn poll_view(&self, actor: &Actor, motion_id: i64) -> Result<PollView, AppError> {
        self.store
            .motion(motion_id)
            .await?
            .ok_or(AppError::NotFound("motion"))?;
        let poll = self
            .store
            .poll(motion_id)
            .await?
            .ok_or(AppError::NotFound("vote on this motion"))?;
        let mine = self.store.my_vote(motion_id, actor.member).await?;
        Ok(PollView { poll, mine })
    }

    /// Opens an electronic vote on a proposed motion: named (each voter's choice on the
    /// record) or secret (only who voted is kept). Officers running the meeting, while it is on.
    pub async fn open_voting(
        &self,
        actor: &Actor,
        motion_id: i64,
        mode: &str,
    ) -> Result<(), AppError> {
        let mode = mode.trim();
        if mode != "named" && mode != "secret" {
            return Err(AppError::invalid(
                "mode",
                "choose a named vote (each member's choice recorded) or a secret vote",
            ));
        }
        let (motion, m, office) = self.motion_to_run(actor, motion_id).await?;
        self.ready_for_vote(&motion, &m).await?;
        if self.clock.now() > m.ends_at {
            return Err(AppError::Conflict {
                field: "meeting".into(),
                message: "the meeting has ended: a vote cannot be opened after it".into(),
            });
        }
        if let Some(conf) = self.store.delegate_conference(m.id).await? {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: format!(
                    "clause {}: at this delegate conference votes are taken by the delegates' cards; open a card vote",
                    conf.clause
                ),
            });
        }
        let event = self.event(
            event_actor(actor, Some(&office)),
            "motion.poll_opened",
            format!("meeting:{}", m.id),
            json!({ "motion": motion_id, "mode": mode }),
            &format!("{mode} vote opened on '{}'", motion.title),
        );
        self.store
            .open_poll(motion_id, mode, Some(actor.member), &event)
            .await
            .map_err(|e| match e {
                StoreError::Stale(message) => AppError::Conflict {
                    field: "motion".into(),
                    message,
                },
                other => other.into(),
            })
    }

    /// A member checked in with a vote casts it. `submission` is a key the member's page or
    /// client makes once per vote: sending it again (a double tap, a retry) changes nothing.
    pub async fn cast_vote(
        &self,
        actor: &Actor,
        motion_id: i64,
        choice: &str,
        submission: &str,
    ) -> Result<VoteReceipt, AppError> {
        let (choice, submission) = checked_vote(choice, submission)?;
        let vote = NewVote {
            motion: motion_id,
            member: actor.member,
            choice: choice.to_string(),
            submission: submission.to_string(),
        };
        self.store
            .cast_vote(&vote, self.clock.now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => AppError::Conflict {
                    field: "motion".into(),
                    message: "voting on this motion has not been opened".into(),
                },
                StoreError::Stale(message) => AppError::Conflict {
                    field: "motion".into(),
                    message,
                },
                other => other.into(),
            })
    }

    /// Closes an electronic vote and decides the motion from its count. Closing again after
    /// an interruption decides from the same count.
    pub async fn close_voting(
        &self,
        actor: &Actor,
        motion_id: i64,
    ) -> Result<MotionResult, AppError> {
        let (motion, m, office) = self.motion_to_run(actor, motion_id).await?;
        let poll = self
            .store
            .poll(motion_id)
            .await?
            .ok_or_else(|| AppError::Conflict {
                field: "motion".into(),
                message: "voting on this motion has not been opened".into(),
            })?;
        if motion.state != MotionState::Proposed {
            return Err(AppError::Conflict {
                field: "motion".into(),
                message: format!("this motion was already {}", motion.state),
            });
        }
        let poll = if poll.closed_at.is_none() {
            let event = self.event(
                event_actor(actor, Some(&office)),
                "motion.poll_closed",
                format!("meeting:{}", m.id),
                json!({
                    "motion": motion_id,
                    "mode": poll.mode.as_str(),
                    "voted": poll.voted,
                }),
                &format!("vote closed on '{}'", motion.title),
            );
            match self.store.close_poll(motion_id, &event).await {
                Ok(p) => p,
                // Closed by another officer meanwhile: decide from the final count.
                Err(StoreError::Stale(_)) => self
                    .store
                    .poll(motion_id)
                    .await?
                    .ok_or(AppError::NotFound("vote"))?,
                Err(e) => return Err(e.into()),
            }
        } else {
            poll
        };
        let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        self.decide(
            actor,
            &office,
            &motion,
            &m,
            (
                count(poll.votes_for),
                count(poll.votes_against),
                count(poll.abstentions),
            ),
            None,
        )
        .await
    }

    /// Publishes an adopted motion as the body's public statement.
    pub async fn publish_motion(&self, actor: &Actor, motion_id: i64) -> Result<(), AppError> {
        let motion = self
            .store
            .motion(motion_id)
            .await?
            .ok_or(AppError::NotFound("motion"))?;
        let m = self.meeting_record(motion.meeting).await?;
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers of the meeting's unit publish its decisions",
            )
            .await?;
        let event = self.event(
            event_actor(actor, Some(&office)),
            "motion.published",
            format!("meeting:{}", m.id),
            json!({ "motion": motion_id }),
            &motion.title,
        );
        self.store.publish_motion(motion_id, &event).await?;
        if let Some(matter) = &motion.matter {
            self.requisition_by_branches(&motion, &m, matter).await?;
        }
        if let Some(kind) = &motion.requires {
            self.requisition_called_for(&motion, &m, kind).await?;
        }
        Ok(())
    }

    /// Published motions of one unit's meetings: its public statements, for anyone.
    pub async fn statements_of(&self, unit: UnitId) -> Result<Vec<PublishedMotion>, AppError> {
        Ok(self
            .store
            .published_motions(None)
            .await?
            .into_iter()
            .filter(|p| p.unit == Some(unit))
            .collect())
    }

    /// Branches' published motions on a national matter, added up nationally and by region.
    /// A branch counts once, by its latest published motion on the matter.
    pub async fn matter_tally(&self, matter: &str) -> Result<MatterTally, AppError> {
        let key = Key::parse(matter).map_err(|e| AppError::invalid("matter", e))?;
        let motions = self.store.published_motions(Some(key.as_str())).await?;
        let units = self.store.units().await?;
        let tree = self.tree().await?;
        let name = |u: UnitId| {
            units
                .iter()
                .find(|x| x.id == u)
                .map(|x| x.name.clone())
                .unwrap_or_default()
        };
        let branches = units.iter().filter(|u| u.kind == UnitKind::Branch).count();
        // Newest first: the first seen for a branch is its current position.
        let mut position: BTreeMap<UnitId, bool> = BTreeMap::new();
        for p in &motions {
            if let Some(u) = p.unit
                && tree.kind(u) == Some(UnitKind::Branch)
            {
                position
                    .entry(u)
                    .or_insert(p.motion.position.as_deref() == Some("oppose"));
            }
        }
        let mut regions: BTreeMap<Option<UnitId>, (usize, usize)> = BTreeMap::new();
        for (b, oppose) in &position {
            let r = tree
                .parent(*b)
                .filter(|p| tree.kind(*p) == Some(UnitKind::Region));
            let e = regions.entry(r).or_default();
            if *oppose {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
        let mut by_region: Vec<(Option<UnitId>, String, usize, usize)> = regions
            .into_iter()
            .map(|(r, (o, s))| (r, r.map(name).unwrap_or_else(|| "No region".into()), o, s))
            .collect();
        by_region.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(MatterTally {
            matter: key.as_str().to_string(),
            branches,
            oppose: position.values().filter(|o| **o).count(),
            support: position.values().filter(|o| !**o).count(),
            by_region,
            motions,
        })
    }
}

/// The notice's text: what, when, where, the agenda; the same for every invitee.
fn notice_body(m: &NewMeeting) -> String {
    let mut s = format!(
        "You are invited to {}.\n\nWhen: {} to {} (UTC)\n",
        m.title,
        m.starts_at.format("%A %-d %B %Y, %H:%M"),
        m.ends_at.format("%H:%M")
    );
    if let Some(p) = &m.place {
        s.push_str(&format!("Where: {p}\n"));
    }
    if let Some(u) = &m.online_url {
        s.push_str(&format!("Online: {u}\n"));
    }
    if !m.agenda.is_empty() {
        s.push_str(&format!("\nAgenda:\n{}\n", m.agenda));
    }
    s.push_str(
        "\nSign in to Charter to see the meeting, whether you may vote, and the motions before it.\n",
    );
    s
}

/// A vote's choice and the voting form's submission key, trimmed and checked; a refusal
/// carries a message for each field that is wrong.
pub(crate) fn checked_vote<'a>(
    choice: &'a str,
    submission: &'a str,
) -> Result<(&'a str, &'a str), AppError> {
    let mut errs = charter_domain::FieldErrors::default();
    let choice = choice.trim();
    if !CHOICES.contains(&choice) {
        errs.add("choice", "vote for, against or abstain");
    }
    let submission = submission.trim();
    if submission.len() < 8
        || submission.len() > 64
        || !submission
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        errs.add(
            "submission",
            "the vote's key must be 8 to 64 letters, digits, '-' or '_'; reload the page and vote again",
        );
    }
    if errs.is_empty() {
        Ok((choice, submission))
    } else {
        Err(AppError::Invalid(errs))
    }
}
