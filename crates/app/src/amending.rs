//! Amending the constitution from Charter's own record, and from nothing else.
//!
//! An amendment is put to a meeting of a body its procedure names by a motion
//! (`put_amendment`); the meeting decides that motion like any other, from its own notice,
//! attendance and count, and the store records the decision on the amendment — and the new
//! version, when it binds — in the transaction that decides the motion. A meeting held
//! before the organisation used Charter is entered as a historical meeting: two officers
//! each enter its notice, attendance and vote on their own, and only when their entries
//! agree is the meeting written, marked historical and dated no later than its entry.
//! Nobody types in an outcome: the "adopted by" text is made from the record.

use charter_domain::{Actor, AmendmentState, HeldOffice, MeetingState, MemberId, MotionState};
use charter_model::{AmendmentId, HistoricalEntryId, MeetingId, MotionId};
use charter_rules::{
    Constitution, DecisionKind, DecisionRecord, History, Key, MotionResult, NotBinding,
    check_amendment_adoption,
};
use charter_store::{
    AmendmentDecision, AmendmentRecord, EventActor, HistoricalEntryRecord, MeetingRecord,
    MotionOutcome, MotionRecord, NewAmendmentAttempt, NewConstitutionVersion, NewEvent,
    NewHistoricalEntry, NewHistoricalMeeting, NewMeeting, NewMotion, StoreError,
};
use chrono::{Duration, NaiveDate};
use serde_json::json;

use crate::meetings::{MAX_TITLE, day, new_check_in_code, result_parts};
use crate::{App, AppError, event_actor};

/// What one officer read from the minutes of a meeting held before Charter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoricalDecision {
    /// The rules' key of the body that met (`conference`) and of its kind of sitting.
    pub body: String,
    pub kind: String,
    /// When notice of the meeting was given, if it was.
    pub notice_on: Option<NaiveDate>,
    pub held_on: NaiveDate,
    pub entitled: u32,
    pub present: u32,
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstentions: u32,
}

/// Where a historical meeting stands after an officer's entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoricalOutcome {
    /// No other officer has entered it yet.
    AwaitingSecondEntry,
    /// Another officer's entry differs in these fields (named, not shown).
    Differs(Vec<&'static str>),
    /// The entries agree: the meeting is recorded, and with it the decision.
    Recorded {
        meeting: MeetingId,
        motion: MotionId,
        adopted: bool,
        failures: Vec<(String, String)>,
    },
}

/// A decision on an amendment as the engine judged it, ready to be written.
pub(crate) struct Judged {
    result: MotionResult,
    state: MotionState,
    failures: Vec<(String, String)>,
    pub(crate) decision: AmendmentDecision,
}

impl Judged {
    /// The outcome of the motion that put the amendment, with the record's count.
    fn outcome(&self, record: &DecisionRecord) -> MotionOutcome {
        MotionOutcome {
            state: self.state,
            votes_for: record.votes_for,
            votes_against: record.votes_against,
            abstentions: record.abstentions,
            present: record.present,
            failures_json: json!(self.failures).to_string(),
        }
    }
}

fn record_json(r: &DecisionRecord) -> serde_json::Value {
    json!({
        "body": r.body.as_str(),
        "meeting_kind": r.meeting_kind.as_str(),
        "notice_sent_on": r.notice_sent_on,
        "meeting_on": r.meeting_on,
        "members_entitled": r.members_entitled,
        "present": r.present,
        "votes_for": r.votes_for,
        "votes_against": r.votes_against,
        "abstentions": r.abstentions,
    })
}

/// The words a version keeps for how it was adopted, made from the decision's record.
pub(crate) fn adopted_by(
    r: &DecisionRecord,
    meeting: &str,
    motion_number: i64,
    historical: bool,
) -> String {
    let notice = r
        .notice_sent_on
        .map(|n| format!("notice given on {n}"))
        .unwrap_or_else(|| "no notice recorded".into());
    format!(
        "Adopted by the {} ({}) on {}{}: motion {motion_number} of \"{meeting}\", {} for, {} against, {} abstaining; {} present of {} entitled; {notice}",
        r.body.words(),
        r.meeting_kind.words(),
        r.meeting_on,
        if historical {
            ", a historical meeting entered by two officers"
        } else {
            ""
        },
        r.votes_for,
        r.votes_against,
        r.abstentions,
        r.present,
        r.members_entitled,
    )
}

fn constitution_actor() -> EventActor {
    EventActor {
        member: None,
        office: Some("the constitution".into()),
    }
}

impl App {
    /// Puts amendment `amendment` to meeting `id` as a motion. Refused unless the meeting is
    /// of a body the amendment procedure of the version in force names, the amendment is
    /// still to be decided, and the usual rules for business allow the proposer.
    pub async fn put_amendment(
        &self,
        actor: &Actor,
        id: MeetingId,
        amendment: AmendmentId,
    ) -> Result<MotionId, AppError> {
        let m = self.meeting_record(id).await?;
        let (r, proposed) = self.amendment_parsed(amendment).await?;
        if r.state == AmendmentState::Adopted {
            return Err(AppError::Conflict {
                field: "amendment_id".into(),
                message: "this amendment has already been adopted".into(),
            });
        }
        let (_, c) = self.constitution_in_force(self.today()).await?;
        let Some((clause, procedure)) = c.amendment_procedure() else {
            return Err(AppError::Forbidden(format!(
                "the constitution in force ('{}') has no amendment procedure, so it cannot be amended",
                c.version()
            )));
        };
        let body = Key::parse(&m.body).map_err(|e| AppError::Internal(e.to_string()))?;
        if !procedure.by.contains(&body) {
            return Err(AppError::invalid(
                "meeting_id",
                format!(
                    "clause {clause}: amendments are decided by {}, not by a {}",
                    procedure
                        .by
                        .iter()
                        .map(Key::words)
                        .collect::<Vec<_>>()
                        .join(" or "),
                    body.words()
                ),
            ));
        }
        self.business_open(actor, &m, &c, "the amendment").await?;
        let putting = self.store.motions(id).await?;
        for existing in putting {
            if self.store.motion_amendment(existing.id).await? == Some(amendment)
                && existing.state == MotionState::Proposed
            {
                return Err(AppError::Conflict {
                    field: "amendment_id".into(),
                    message: "this amendment is already before this meeting".into(),
                });
            }
        }
        let title: String = format!("Amend the constitution: {}", r.title)
            .chars()
            .take(MAX_TITLE)
            .collect();
        let motion = NewMotion {
            meeting: id,
            kind: DecisionKind::ConstitutionalAmendment.as_str().to_string(),
            title: title.clone(),
            text: format!(
                "That the constitution be amended as set out in amendment {amendment}, \"{}\", making version {} ({}), to take effect on {}, under clause {clause}.",
                r.title,
                proposed.version(),
                proposed.name(),
                proposed.effective()
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
            event_actor(actor, None),
            "motion.proposed",
            format!("meeting:{id}"),
            json!({ "meeting": id, "title": title, "kind": motion.kind, "amendment": amendment }),
            &title,
        );
        self.store
            .propose_amendment_motion(&motion, amendment, &event)
            .await
            .map_err(|e| match e {
                StoreError::Stale(message) => AppError::Conflict {
                    field: "amendment_id".into(),
                    message,
                },
                other => other.into(),
            })
    }

    /// The amendment a motion puts, if it puts one.
    pub async fn motion_amendment(
        &self,
        motion: MotionId,
    ) -> Result<Option<AmendmentId>, AppError> {
        Ok(self.store.motion_amendment(motion).await?)
    }

    /// Judges the decision in `record` on amendment `r` under the version in force on its
    /// day, and makes what the store writes: the attempt, the version when it binds, and the
    /// amendment's event (by the constitution: the meeting decided, nobody recorded it),
    /// which names what decided — `{"motion": id}`, or for a historical meeting, whose motion
    /// is written with it, `{"entries": [first, second]}`, the two entries that made it.
    pub(crate) async fn judge_amendment(
        &self,
        r: &AmendmentRecord,
        amendment: &Constitution,
        record: &DecisionRecord,
        adopted_text: String,
        decided_by: serde_json::Value,
    ) -> Result<Judged, AppError> {
        let versions = self.versions_parsed().await?;
        let history = History::new(versions.iter().map(|(_, c)| c.clone()).collect())
            .map_err(|_| AppError::NotFound("constitution"))?;
        let in_force = history
            .in_force(record.meeting_on)
            .ok_or(AppError::NotFound("constitution"))?;
        let mut outcome = check_amendment_adoption(in_force, amendment, record);
        // A later version already adopted would make this one retroactive in effect.
        if outcome.is_ok() {
            let mut h = history.clone();
            if let Err(e) = h.push(amendment.clone()) {
                outcome = Err(NotBinding {
                    failures: vec![charter_rules::Failure {
                        clause: None,
                        reason: e.to_string(),
                    }],
                });
            }
        }
        let result = match outcome {
            Ok(a) => MotionResult::Adopted(charter_rules::Binding {
                decided_on: a.adopted_on,
                checks: a.checks,
            }),
            Err(nb) if nb.failures.len() == 1 && nb.failures[0].reason.starts_with("it needs ") => {
                MotionResult::Rejected(nb.failures[0].clone())
            }
            Err(nb) => MotionResult::NotBinding(nb),
        };
        let (state, failures) = result_parts(&result);
        let adopted = matches!(result, MotionResult::Adopted(_));
        let (kind, reason) = if adopted {
            (
                "constitution.amended",
                format!(
                    "'{}' adopted on {}; takes effect on {}",
                    r.title,
                    record.meeting_on,
                    amendment.effective()
                ),
            )
        } else {
            (
                "constitution.amendment_refused",
                format!(
                    "'{}' not adopted on {}: {}",
                    r.title,
                    record.meeting_on,
                    failures
                        .iter()
                        .map(|(c, why)| if c.is_empty() {
                            why.clone()
                        } else {
                            format!("clause {c}: {why}")
                        })
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            )
        };
        let event = self.event(
            constitution_actor(),
            kind,
            format!("amendment:{}", r.id),
            json!({
                "amendment": r.id,
                "version": amendment.version(),
                "motion": decided_by["motion"],
                "ballot": decided_by["ballot"],
                "historical_entries": decided_by["entries"],
                "decision": record_json(record),
                "adopted": adopted,
                "failures": failures,
            }),
            &reason,
        );
        Ok(Judged {
            state,
            failures: failures.clone(),
            decision: AmendmentDecision {
                amendment: r.id,
                attempt: NewAmendmentAttempt {
                    decided_on: record.meeting_on,
                    body: record.body.as_str().to_string(),
                    record_json: record_json(record).to_string(),
                    adopted,
                    failures_json: json!(failures).to_string(),
                },
                version: adopted.then(|| NewConstitutionVersion {
                    toml: r.toml.clone(),
                    version: amendment.version().to_string(),
                    name: amendment.name().to_string(),
                    effective: amendment.effective(),
                    adopted_by: adopted_text,
                }),
                event,
            },
            result,
        })
    }

    /// Decides a motion putting an amendment, from the meeting's own record: called by
    /// `meetings::decide` for every way a meeting counts (tellers, poll, cards). Notice of
    /// the amendment runs from the later of the meeting's notice and the motion's putting.
    pub(crate) async fn decide_amendment_motion(
        &self,
        office: &HeldOffice,
        actor: &Actor,
        motion: &MotionRecord,
        m: &MeetingRecord,
        mut record: DecisionRecord,
    ) -> Result<MotionResult, AppError> {
        let amendment_id = self
            .store
            .motion_amendment(motion.id)
            .await?
            .ok_or_else(|| {
                AppError::Internal("an amendment motion without its amendment".into())
            })?;
        let (r, amendment) = self.amendment_parsed(amendment_id).await?;
        record.notice_sent_on = record
            .notice_sent_on
            .map(|n| n.max(day(motion.proposed_at)));
        let text = adopted_by(&record, &m.title, motion.number, false);
        let judged = self
            .judge_amendment(
                &r,
                &amendment,
                &record,
                text,
                json!({ "motion": motion.id }),
            )
            .await?;
        let (outcome, event) = self.motion_outcome(actor, office, motion, m, &record, &judged);
        let written = self
            .store
            .decide_amendment_motion(motion.id, &outcome, &event, &judged.decision)
            .await;
        self.constitution_changed().await;
        written?;
        Ok(judged.result)
    }

    /// The motion's outcome and its `motion.decided` event, for a decision on an amendment.
    fn motion_outcome(
        &self,
        actor: &Actor,
        office: &HeldOffice,
        motion: &MotionRecord,
        m: &MeetingRecord,
        record: &DecisionRecord,
        judged: &Judged,
    ) -> (MotionOutcome, NewEvent) {
        let state = judged.state;
        let outcome = judged.outcome(record);
        let event = self.event(
            event_actor(actor, Some(office)),
            "motion.decided",
            format!("meeting:{}", m.id),
            json!({
                "motion": motion.id,
                "state": state.as_str(),
                "votes_for": record.votes_for,
                "votes_against": record.votes_against,
                "abstentions": record.abstentions,
                "present": record.present,
                "failures": judged.failures,
                "amendment": judged.decision.amendment,
            }),
            &format!("'{}' {}", motion.title, state.as_str().replace('-', " ")),
        );
        (outcome, event)
    }

    /// One officer's entry of a meeting held before the organisation used Charter that
    /// decided on amendment `amendment`. Officers who may call the national bodies' meetings
    /// enter; each sees only their own entry. When two different officers' latest entries
    /// agree, the meeting is recorded (marked historical, dated no later than now) with the
    /// decision, judged like any other by the version in force on the day it was held.
    pub async fn enter_historical_decision(
        &self,
        actor: &Actor,
        amendment: AmendmentId,
        d: &HistoricalDecision,
    ) -> Result<HistoricalOutcome, AppError> {
        let office = self
            .officer_running(
                actor,
                None,
                "only the officers who call the organisation's national meetings enter its historical meetings",
            )
            .await?;
        let (r, proposed) = self.amendment_parsed(amendment).await?;
        let today = self.today();
        let mut errs = charter_domain::FieldErrors::default();
        let body = Key::parse(d.body.trim());
        if body.is_err() {
            errs.add("body", "name the body that met, e.g. conference");
        }
        let kind = Key::parse(d.kind.trim());
        if kind.is_err() {
            errs.add("kind", "name the kind of meeting, e.g. special-conference");
        }
        if d.held_on > today {
            errs.add(
                "held_on",
                "a historical meeting was held before it is entered: the date is in the future",
            );
        }
        if d.notice_on.is_some_and(|n| n > d.held_on) {
            errs.add("notice_on", "notice is given before the meeting is held");
        }
        if d.present > d.entitled {
            errs.add("present", "more were present than were entitled to attend");
        }
        let votes = u64::from(d.votes_for) + u64::from(d.votes_against) + u64::from(d.abstentions);
        if votes > u64::from(d.present) {
            errs.add("votes_for", "more votes were counted than members present");
        }
        let (Ok(body), Ok(kind)) = (body, kind) else {
            return Err(AppError::Invalid(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        if r.state == AmendmentState::Adopted {
            return Err(AppError::Conflict {
                field: "amendment".into(),
                message: "this amendment has already been adopted".into(),
            });
        }
        let entry = NewHistoricalEntry {
            amendment,
            entered_by: actor.member,
            unit: None,
            body: body.as_str().to_string(),
            kind: kind.as_str().to_string(),
            notice_on: d.notice_on,
            held_on: d.held_on,
            entitled: d.entitled,
            present: d.present,
            votes_for: d.votes_for,
            votes_against: d.votes_against,
            abstentions: d.abstentions,
        };
        // Only that an entry was made, never its numbers: the second officer enters blind.
        let event = self.event(
            event_actor(actor, Some(&office)),
            "meeting.historical_entry",
            format!("amendment:{amendment}"),
            json!({ "amendment": amendment }),
            &format!(
                "an officer entered a historical meeting that decided on '{}'",
                r.title
            ),
        );
        let id = self
            .store
            .add_historical_entry(&entry, &event)
            .await
            .map_err(|e| match e {
                StoreError::Stale(message) => AppError::Conflict {
                    field: "amendment".into(),
                    message,
                },
                other => other.into(),
            })?;
        let waiting: Vec<HistoricalEntryRecord> = self
            .store
            .historical_entries(amendment)
            .await?
            .into_iter()
            .filter(|e| e.meeting.is_none())
            .collect();
        // Each other officer's latest entry.
        let mut others: Vec<&HistoricalEntryRecord> = Vec::new();
        for e in waiting.iter().rev() {
            if e.entry.entered_by != actor.member
                && !others
                    .iter()
                    .any(|o| o.entry.entered_by == e.entry.entered_by)
            {
                others.push(e);
            }
        }
        let Some(agreeing) = others.iter().find(|o| {
            o.entry
                == NewHistoricalEntry {
                    entered_by: o.entry.entered_by,
                    ..entry.clone()
                }
        }) else {
            return Ok(match others.first() {
                None => HistoricalOutcome::AwaitingSecondEntry,
                Some(o) => HistoricalOutcome::Differs(differences(&o.entry, &entry)),
            });
        };
        self.record_historical(
            actor,
            &office,
            [agreeing.id, id],
            &r,
            &proposed,
            &entry,
            agreeing.entry.entered_by,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn record_historical(
        &self,
        actor: &Actor,
        office: &HeldOffice,
        entries: [HistoricalEntryId; 2],
        r: &AmendmentRecord,
        proposed: &Constitution,
        e: &NewHistoricalEntry,
        first_officer: MemberId,
    ) -> Result<HistoricalOutcome, AppError> {
        let now = self.clock.now();
        let body = Key::parse(&e.body).map_err(|x| AppError::Internal(x.to_string()))?;
        let kind = Key::parse(&e.kind).map_err(|x| AppError::Internal(x.to_string()))?;
        let starts_at = e
            .held_on
            .and_hms_opt(0, 0, 0)
            .ok_or_else(|| AppError::Internal("a date without a midnight".into()))?
            .and_utc();
        let ends_at = (starts_at + Duration::days(1)).min(now);
        // "Special conference of 10 November 2025", or "Branch meeting, general meeting of …"
        // when the kind does not name the body.
        let day = e.held_on.format("%-d %B %Y");
        let title = if kind.words().contains(&body.words()) {
            format!("{} of {day} (historical)", capitalise(&kind.words()))
        } else {
            format!(
                "{}, {} of {day} (historical)",
                capitalise(&body.words()),
                kind.words()
            )
        };
        let record = DecisionRecord {
            body,
            meeting_kind: kind,
            notice_sent_on: e.notice_on,
            meeting_on: e.held_on,
            members_entitled: e.entitled,
            present: e.present,
            votes_for: e.votes_for,
            votes_against: e.votes_against,
            abstentions: e.abstentions,
        };
        let text = adopted_by(&record, &title, 1, true);
        let judged = self
            .judge_amendment(r, proposed, &record, text, json!({ "entries": entries }))
            .await?;
        let versions = self.versions_parsed().await?;
        let notice = versions
            .iter()
            .rev()
            .find(|(_, c)| c.effective() <= e.held_on)
            .and_then(|(_, c)| c.notice_for(&record.meeting_kind))
            .map(|(cl, n)| (cl.as_str().to_string(), n.clear_days));
        let meeting = NewMeeting {
            body: e.body.clone(),
            unit: e.unit,
            kind: e.kind.clone(),
            title: title.clone(),
            starts_at,
            ends_at,
            mode: charter_domain::MeetingMode::Physical,
            place: None,
            online_url: None,
            agenda: format!("1. Amendment {}: {}", r.id, r.title),
            notice_clause: notice.as_ref().map(|(c, _)| c.clone()),
            notice_days: notice.map(|(_, d)| d),
            called_by: None,
            check_in_code: new_check_in_code(),
        };
        let who = event_actor(actor, Some(office));
        let meeting_event = self.event(
            who.clone(),
            "meeting.historical_recorded",
            "meeting".into(),
            json!({ "title": title, "held_on": e.held_on, "amendment": r.id,
                    "entered_by": [first_officer.0, actor.member.0] }),
            &format!("{title}: two officers' entries agree"),
        );
        let motion = NewMotion {
            meeting: MeetingId(0),
            kind: DecisionKind::ConstitutionalAmendment.as_str().to_string(),
            title: format!("Amend the constitution: {}", r.title)
                .chars()
                .take(MAX_TITLE)
                .collect(),
            text: format!(
                "That the constitution be amended as set out in amendment {}, \"{}\", making version {}, to take effect on {}.",
                r.id,
                r.title,
                proposed.version(),
                proposed.effective()
            ),
            matter: None,
            position: None,
            requires: None,
            proposed_by: None,
            seconded_by: None,
            parent: None,
            target: None,
            emergency: false,
        };
        let proposal_event = self.event(
            who.clone(),
            "motion.proposed",
            "meeting".into(),
            json!({ "title": motion.title, "kind": motion.kind, "amendment": r.id, "historical": true }),
            &motion.title,
        );
        let state = judged.state;
        let outcome = judged.outcome(&record);
        let decision_event = self.event(
            who,
            "motion.decided",
            "meeting".into(),
            json!({ "state": state.as_str(), "votes_for": e.votes_for, "votes_against": e.votes_against,
                    "abstentions": e.abstentions, "present": e.present,
                    "failures": judged.failures, "amendment": r.id, "historical": true }),
            &format!("'{}' {}", motion.title, state.as_str().replace('-', " ")),
        );
        let adopted = judged.decision.version.is_some();
        let written = self
            .store
            .record_historical_meeting(&NewHistoricalMeeting {
                entries,
                meeting,
                notice_on: e.notice_on,
                entitled: e.entitled,
                meeting_event,
                motion,
                proposal_event,
                outcome,
                decision_event,
                decision: judged.decision,
            })
            .await;
        self.constitution_changed().await;
        let (meeting, motion) = written.map_err(|e| match e {
            StoreError::Stale(message) => AppError::Conflict {
                field: "amendment".into(),
                message,
            },
            other => other.into(),
        })?;
        Ok(HistoricalOutcome::Recorded {
            meeting,
            motion,
            adopted,
            failures: judged.failures,
        })
    }

    /// The historical entries of an amendment the actor made themselves, newest first: an
    /// officer sees only their own, so the second entry is made blind.
    pub async fn my_historical_entries(
        &self,
        actor: &Actor,
        amendment: AmendmentId,
    ) -> Result<Vec<HistoricalEntryRecord>, AppError> {
        let mut mine: Vec<_> = self
            .store
            .historical_entries(amendment)
            .await?
            .into_iter()
            .filter(|e| e.entry.entered_by == actor.member)
            .collect();
        mine.reverse();
        Ok(mine)
    }

    /// Where a motion was decided, for the page of what it changed: the meeting's id and
    /// title, the motion's number, and whether the meeting is historical.
    pub async fn decided_where(
        &self,
        motion: MotionId,
    ) -> Result<Option<(MeetingId, String, i64, bool)>, AppError> {
        let Some(mo) = self.store.motion(motion).await? else {
            return Ok(None);
        };
        let Some(m) = self.store.meeting(mo.meeting).await? else {
            return Ok(None);
        };
        Ok(Some((
            m.id,
            m.title,
            mo.number,
            m.historical_entered_at.is_some(),
        )))
    }

    /// Meetings an amendment may be put to: not yet started, of a body the amendment
    /// procedure in force names.
    pub async fn meetings_for_amendment(&self) -> Result<Vec<(MeetingId, String)>, AppError> {
        let (_, c) = match self.constitution_in_force(self.today()).await {
            Ok(v) => v,
            Err(AppError::NotFound(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let Some((_, procedure)) = c.amendment_procedure() else {
            return Ok(Vec::new());
        };
        let now = self.clock.now();
        Ok(self
            .store
            .meetings(None, Some(now))
            .await?
            .into_iter()
            .filter(|m| {
                m.state == MeetingState::Called
                    && m.starts_at > now
                    && m.historical_entered_at.is_none()
                    && Key::parse(&m.body).is_ok_and(|b| procedure.by.contains(&b))
            })
            .map(|m| (m.id, format!("{} ({})", m.title, m.starts_at.date_naive())))
            .collect())
    }

    /// Whether the actor may enter historical meetings (an officer who calls national
    /// meetings).
    pub async fn may_enter_historical(&self, actor: &Actor) -> bool {
        matches!(self.meeting_authority(actor, None).await, Ok(Some(_)))
    }
}

pub(crate) fn historical_closed() -> AppError {
    AppError::Conflict {
        field: "meeting".into(),
        message: "this is a historical meeting: its record is what two officers entered".into(),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The fields in which two officers' entries differ, by name only.
fn differences(a: &NewHistoricalEntry, b: &NewHistoricalEntry) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut differ = |same: bool, name: &'static str| {
        if !same {
            out.push(name);
        }
    };
    differ(a.body == b.body, "body");
    differ(a.kind == b.kind, "kind");
    differ(a.notice_on == b.notice_on, "notice_on");
    differ(a.held_on == b.held_on, "held_on");
    differ(a.entitled == b.entitled, "entitled");
    differ(a.present == b.present, "present");
    differ(a.votes_for == b.votes_for, "votes_for");
    differ(a.votes_against == b.votes_against, "votes_against");
    differ(a.abstentions == b.abstentions, "abstentions");
    out
}
