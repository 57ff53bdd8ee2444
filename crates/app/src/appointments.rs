//! Offices filled by appointment: a motion of kind `appointment`, proposed to a meeting of
//! the body the constitution names for the office, names the office and the member. When the
//! meeting's decision on it binds (properly convened, quorate, threshold met — decided by
//! `meetings::decide` like any motion), the store appoints the member in the same transaction
//! that records the decision, the holding naming the motion. A decision that does not bind,
//! or a rejection, appoints nobody. There is no other way to appoint: no use case writes a
//! holding except this, an election's result and the founding.

use charter_domain::{Actor, MemberId, MemberStatus, OfficeId};
use charter_model::{MeetingId, MotionId};
use charter_rules::{DecisionKind, Key, OfficeFilling};
use charter_store::{AccessContext, AppointmentRecord, NewAppointment, NewMotion, Term};
use serde_json::json;

use crate::meetings::{MAX_MOTION, day, too_long};
use crate::{App, AppError, event_actor};

/// What a member proposes: appoint `member` to `office`, with optional wording of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentRequest {
    pub office: OfficeId,
    pub member: MemberId,
    /// The motion's text; a plain one naming the member, office, term and clause otherwise.
    pub text: Option<String>,
}

impl App {
    /// Proposes an appointment motion to meeting `id`. Refused unless the constitution in
    /// force fills the office by appointment of this meeting's body, the office belongs to
    /// the meeting's unit (or below it, for a national body), and the member is active and
    /// belongs there; the usual rules for business (before the meeting, in time, by a member
    /// on its roll with the right to propose) apply.
    pub async fn propose_appointment(
        &self,
        actor: &Actor,
        id: MeetingId,
        req: &AppointmentRequest,
    ) -> Result<MotionId, AppError> {
        let m = self.meeting_record(id).await?;
        let (_, c) = self.constitution_in_force(self.today()).await?;
        if let Some(t) = &req.text
            && too_long(t, MAX_MOTION)
        {
            return Err(AppError::invalid(
                "text",
                "the motion is longer than 20,000 characters",
            ));
        }
        self.business_open(actor, &m, &c, "an appointment").await?;

        let on = day(m.starts_at);
        let office = self
            .store
            .offices(None, on)
            .await?
            .into_iter()
            .find(|o| o.id == req.office)
            .ok_or_else(|| AppError::invalid("office_id", "there is no such office"))?;
        let office_name = format!(
            "{} of {}",
            office.kind.title().to_lowercase(),
            office.unit_name
        );
        let Some((clause, rule)) = c.office_rule(office.kind, office.unit_kind) else {
            return Err(AppError::invalid(
                "office_id",
                format!(
                    "the constitution in force sets up no {} at {} level, so none can be appointed",
                    office.kind.title().to_lowercase(),
                    office.unit_kind.as_str()
                ),
            ));
        };
        let body = Key::parse(&m.body).map_err(|e| AppError::Internal(e.to_string()))?;
        match &rule.filled {
            OfficeFilling::AppointedBy(by) if *by == body => {}
            other => {
                return Err(AppError::invalid(
                    "office_id",
                    format!(
                        "clause {clause}: the {office_name} is {}, so this {} cannot appoint to it",
                        other.words(),
                        body.words()
                    ),
                ));
            }
        }
        let tree = self.tree().await?;
        let meeting_unit = match m.unit {
            Some(u) => u,
            None => self.national_unit().await?.id,
        };
        if !tree.is_within(office.unit, meeting_unit) {
            return Err(AppError::invalid(
                "office_id",
                format!("the {office_name} is not an office of this meeting's unit"),
            ));
        }
        let units = self.store.units().await?;
        if let Some(u) = units.iter().find(|u| u.id == office.unit)
            && let Some(closed) = u.closed_on
        {
            return Err(AppError::invalid(
                "office_id",
                format!("{} closed on {closed}", u.name),
            ));
        }

        // The member's name, status and branch: a read of their record, logged.
        let access = AccessContext {
            reader: Some(actor.member),
            office: None,
            purpose: format!("proposing their appointment as {office_name}"),
            at: self.clock.now(),
        };
        let member = self
            .store
            .member(req.member, Some(&access))
            .await?
            .ok_or_else(|| AppError::invalid("member_id", "there is no such member"))?
            .record;
        let name = format!("{} {}", member.first_name, member.last_name);
        if member.status != MemberStatus::Active {
            return Err(AppError::invalid(
                "member_id",
                format!(
                    "{name} is {}: only an active member can be appointed",
                    member.status.as_str()
                ),
            ));
        }
        if !tree.is_within(member.branch, office.unit) {
            return Err(AppError::invalid(
                "member_id",
                format!(
                    "{name} belongs to {}, which is outside {}",
                    member.branch_name, office.unit_name
                ),
            ));
        }

        let term = Term {
            starts_on: on,
            ends_on: rule.ends_on(on),
        };
        let until = match term.ends_on {
            Some(end) => format!("until {end}"),
            None => "until the next appointment to the office".to_string(),
        };
        let title = format!("Appoint {name} as {office_name}");
        let text = req
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| {
                format!("That {name} be appointed {office_name} from {on} {until}, under clause {clause}.")
            });
        let motion = NewMotion {
            meeting: id,
            kind: DecisionKind::Appointment.as_str().to_string(),
            title: title.clone(),
            text,
            matter: None,
            position: None,
            requires: None,
            proposed_by: Some(actor.member),
            seconded_by: None,
            parent: None,
            target: None,
            emergency: false,
        };
        let appointment = NewAppointment {
            office: office.id,
            member: req.member,
            term,
            clause: clause.as_str().to_string(),
        };
        let event = self.event(
            event_actor(actor, None),
            "motion.proposed",
            format!("meeting:{id}"),
            json!({
                "meeting": id, "title": title, "kind": motion.kind,
                "office": office.id.0, "member": req.member.0,
                "starts_on": term.starts_on, "ends_on": term.ends_on, "clause": clause.as_str(),
            }),
            &title,
        );
        Ok(self
            .store
            .propose_appointment(&motion, &appointment, &event)
            .await?)
    }

    /// The offices a meeting may appoint to under the constitution in force: those of its
    /// unit (and, for a national body, below it) that the constitution fills by appointment
    /// of its body, with a label naming the office, unit and clause.
    pub async fn appointable_offices(
        &self,
        id: MeetingId,
    ) -> Result<Vec<(OfficeId, String)>, AppError> {
        let m = self.meeting_record(id).await?;
        let (_, c) = match self.constitution_in_force(self.today()).await {
            Ok(v) => v,
            Err(AppError::NotFound(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let Ok(body) = Key::parse(&m.body) else {
            return Ok(Vec::new());
        };
        let tree = self.tree().await?;
        let unit = match m.unit {
            Some(u) => u,
            None => self.national_unit().await?.id,
        };
        let open: Vec<_> = self
            .store
            .units()
            .await?
            .into_iter()
            .filter(|u| u.is_open())
            .map(|u| u.id)
            .collect();
        Ok(self
            .store
            .offices(None, self.today())
            .await?
            .into_iter()
            .filter(|o| open.contains(&o.unit) && tree.is_within(o.unit, unit))
            .filter_map(|o| {
                let (clause, rule) = c.office_rule(o.kind, o.unit_kind)?;
                matches!(&rule.filled, OfficeFilling::AppointedBy(b) if *b == body).then(|| {
                    (
                        o.id,
                        format!(
                            "{} of {} (clause {clause}{})",
                            o.kind.title(),
                            o.unit_name,
                            o.holder_name
                                .map(|h| format!("; now {h}"))
                                .unwrap_or_else(|| "; vacant".into())
                        ),
                    )
                })
            })
            .collect())
    }

    /// The appointment a motion proposes, if it is an appointment motion. Office holders are
    /// public to members, and so is whom a motion would appoint.
    pub async fn motion_appointment(
        &self,
        motion: MotionId,
    ) -> Result<Option<AppointmentRecord>, AppError> {
        Ok(self.store.motion_appointment(motion).await?)
    }
}
