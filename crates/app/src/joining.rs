//! Joining: the public join form, the applicant it creates, and the officers' decision.
//!
//! The form asks what the constitution in force says (`[clause.joining]` of its membership
//! clause), or, with no such rule, names, email, postcode, branch and an optional phone
//! number under Charter's own statement. An application creates an applicant in the chosen
//! branch and tells that branch's officers who may admit members (or, when it has none, the
//! nearest unit above that has). An address already registered creates nothing: its owner
//! is told instead, and the caller gets the same answer, so the form reveals nobody's
//! membership. Officers with the power to change status over the branch accept (the
//! applicant becomes active through the status history, and a welcome letter is queued) or
//! refuse with a reason (the applicant is told it).

use charter_domain::{
    Actor, ApplicationState, DuesPlan, Email, FieldErrors, MemberId, MemberStatus, NewMember,
    PersonName, Phone, Postcode, Power, SignIn, UnitId, UnitKind,
};
use charter_model::ApplicationId;
use charter_rules::{Ask, JoinField};
use charter_store::{
    ApplicationDecision, ApplicationQuery, ApplicationRecord, EventActor, Letter, MemberScope,
    NewApplication, NoticeText, StoreError,
};
use chrono::Duration;
use serde_json::json;

use crate::accounts::Welcome;
use crate::error::stale_is_conflict;
use crate::{App, AppError, event_actor};

/// How the join form is named in the governance record, as the actor of an application.
pub const JOIN_FORM: &str = "join form";

/// How long a registered address is left in peace after being told it was used (to apply,
/// or as another membership's new address).
pub(crate) const QUIET_HOURS: i64 = 24;

/// Applications listed at most on one page.
const LIST_LIMIT: u32 = 200;

/// A branch an applicant may choose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinBranch {
    pub id: UnitId,
    pub name: String,
    /// The region it belongs to, to tell apart branches of the same name.
    pub region: Option<String>,
}

/// The join form as the organisation asks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinForm {
    pub organisation: String,
    pub branches: Vec<JoinBranch>,
    pub phone: Ask,
    pub dues_plan: Ask,
    /// What an applicant agrees to by ticking the box.
    pub consent: String,
    /// The clause of the constitution in force that set the form, if one did.
    pub clause: Option<String>,
}

/// What an applicant typed or sent, before validation. Blank means not given.
#[derive(Debug, Clone, Default)]
pub struct RawApplication {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub postcode: String,
    pub phone: String,
    pub dues_plan: String,
    pub branch: String,
    pub consent: bool,
}

/// An officer's decision as typed: `accept` or `refuse`, and why.
#[derive(Debug, Clone, Default)]
pub struct DecisionRequest {
    pub decision: String,
    pub reason: String,
}

/// Charter's statement when the constitution sets none.
fn default_consent(organisation: &str) -> String {
    format!(
        "I want to join {organisation} and I support its aims as its constitution sets them out. \
         I agree that it keeps the details I give here in its membership register, where the \
         officers of my branch can read them; every reading is logged and shown to me."
    )
}

fn check_asked(
    errs: &mut FieldErrors,
    field: &str,
    ask: Ask,
    raw: &str,
    words: &str,
) -> Option<String> {
    let given = raw.trim();
    match (ask, given.is_empty()) {
        (Ask::No, false) => {
            errs.add(
                field,
                format!("{words} is not asked for by this organisation; leave it out"),
            );
            None
        }
        (Ask::Required, true) => {
            errs.add(field, format!("{words} is required"));
            None
        }
        (_, true) => None,
        (_, false) => Some(given.to_string()),
    }
}

impl App {
    /// The join form: its branches, the fields the constitution in force asks for and the
    /// statement applicants agree to.
    pub async fn join_form(&self) -> Result<JoinForm, AppError> {
        let units = self.store.units().await?;
        let in_force = match self.constitution_in_force(self.today()).await {
            Ok((_, c)) => Some(c),
            Err(AppError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        let organisation = match &in_force {
            Some(c) => c.name().to_string(),
            None => units
                .iter()
                .find(|u| u.kind == UnitKind::National)
                .map(|u| u.name.clone())
                .ok_or(AppError::NotFound("organisation"))?,
        };
        let branches = self
            .branches()
            .await?
            .into_iter()
            .map(|b| JoinBranch {
                region: b
                    .parent
                    .and_then(|p| units.iter().find(|u| u.id == p))
                    .filter(|u| u.kind == UnitKind::Region)
                    .map(|u| u.name.clone()),
                id: b.id,
                name: b.name,
            })
            .collect();
        let rule = in_force
            .as_ref()
            .and_then(|c| c.joining_rule())
            .map(|(clause, r)| (clause.to_string(), r.clone()));
        Ok(match rule {
            Some((clause, r)) => JoinForm {
                organisation,
                branches,
                phone: r.asks(JoinField::Phone),
                dues_plan: r.asks(JoinField::DuesPlan),
                consent: r.consent.clone(),
                clause: Some(clause),
            },
            None => JoinForm {
                consent: default_consent(&organisation),
                organisation,
                branches,
                phone: Ask::Optional,
                dues_plan: Ask::No,
                clause: None,
            },
        })
    }

    /// An application from the join form. Answers the same whether or not the address is
    /// already registered: a new address makes an applicant in the chosen branch and tells
    /// its officers; a registered one makes nothing and its owner is told instead.
    pub async fn apply_to_join(&self, raw: &RawApplication) -> Result<(), AppError> {
        let form = self.join_form().await?;
        let mut errs = FieldErrors::default();
        let first_name = errs.check(
            "first_name",
            PersonName::parse("first name", &raw.first_name),
        );
        let last_name = errs.check("last_name", PersonName::parse("last name", &raw.last_name));
        let email = errs.check("email", Email::parse(&raw.email));
        let postcode = errs.check("postcode", Postcode::parse(&raw.postcode));
        let phone = check_asked(&mut errs, "phone", form.phone, &raw.phone, "a phone number")
            .and_then(|p| errs.check("phone", Phone::parse(&p)));
        let dues_plan = match check_asked(
            &mut errs,
            "dues_plan",
            form.dues_plan,
            &raw.dues_plan,
            "how often you pay dues",
        ) {
            Some(p) => errs.check("dues_plan", DuesPlan::parse(&p)),
            None => Some(DuesPlan::Monthly),
        };
        let branch = raw
            .branch
            .trim()
            .parse::<i64>()
            .ok()
            .map(UnitId)
            .filter(|id| form.branches.iter().any(|b| b.id == *id));
        if branch.is_none() {
            errs.add("branch", "choose your branch from the list");
        }
        if !raw.consent {
            errs.add(
                "consent",
                "tick the box to agree to the statement: an application needs it",
            );
        }
        let (
            Some(first_name),
            Some(last_name),
            Some(email),
            Some(postcode),
            Some(dues_plan),
            Some(branch),
        ) = (first_name, last_name, email, postcode, dues_plan, branch)
        else {
            return Err(AppError::Invalid(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        if let Some(known) = self.store.credentials(email.as_str()).await? {
            return self
                .tell_registered(known.member, known.status, &form)
                .await;
        }
        let branch_name = form
            .branches
            .iter()
            .find(|b| b.id == branch)
            .map(|b| b.name.clone())
            .unwrap_or_default();
        let application = NewApplication {
            member: NewMember {
                first_name,
                last_name,
                email: email.clone(),
                phone,
                postcode,
                branch,
                joined_on: self.today(),
                status: MemberStatus::Applicant,
                dues_plan,
            },
            consent: form.consent.clone(),
            clause: form.clause.clone(),
        };
        let to_applicant =
            acknowledgement(application.member.first_name.as_str(), &branch_name, &form);
        let to_officers = self.tell_officers(branch, &branch_name).await?;
        let event = self.event(
            join_form_actor(),
            "member.applied",
            "application".into(),
            json!({"unit": branch.0, "clause": form.clause}),
            "applied to join through the join form",
        );
        match self
            .store
            .submit_application(&application, &to_applicant, &to_officers, &event)
            .await
        {
            Ok(_) => Ok(()),
            // The address was registered a moment ago (two applications at once): the
            // later one is a repeat like any other.
            Err(StoreError::Conflict { field, .. }) if field == "email" => {
                match self.store.credentials(email.as_str()).await? {
                    Some(known) => {
                        self.tell_registered(known.member, known.status, &form)
                            .await
                    }
                    None => Err(AppError::Internal(
                        "an address was registered and then was not".into(),
                    )),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Writes to a registered address that someone applied with it, at most once a day.
    async fn tell_registered(
        &self,
        member: MemberId,
        status: MemberStatus,
        form: &JoinForm,
    ) -> Result<(), AppError> {
        let Some((_, first_name, address)) = self
            .store
            .member_contacts(&[member])
            .await?
            .into_iter()
            .next()
        else {
            return Err(AppError::Internal(
                "a registered member has no contact".into(),
            ));
        };
        let org = &form.organisation;
        let what_now = match status {
            MemberStatus::Applicant => {
                "You have already applied. While your application waits, your branch's officers \
                 will write to you with their decision; if they have refused it, write to them \
                 to ask again."
                    .to_string()
            }
            MemberStatus::Active | MemberStatus::Lapsed | MemberStatus::Suspended => format!(
                "You are already on the register. Sign in to see your membership at {}.",
                self.link("/me")
            ),
            MemberStatus::Expelled | MemberStatus::Resigned => {
                "Your membership has ended. To join again, write to your branch's officers: \
                 they can readmit you, and the decision is recorded like any other."
                    .to_string()
            }
        };
        let letter = Letter {
            member: Some(member),
            address,
            subject: format!("Your application to join {org}"),
            body: format!(
                "Dear {first_name},\n\nSomeone, perhaps you, asked to join {org} with this email \
                 address. It is already in our membership register, so no new record was made.\n\n\
                 {what_now}\n\nIf it was not you, you need do nothing.\n"
            ),
        };
        let event = self.event(
            join_form_actor(),
            "member.application_repeated",
            "application".into(),
            json!({}),
            "an application gave an address already registered",
        );
        let quiet_since = self.clock.now() - Duration::hours(QUIET_HOURS);
        self.store
            .queue_quiet_letter(member, &letter, quiet_since, &event)
            .await?;
        Ok(())
    }

    /// Letters to the officers who may admit members to `branch`: those of the branch, or of
    /// the nearest unit above it that has any. Each says where to decide, not who applied,
    /// so every reading of an applicant's details is logged.
    async fn tell_officers(
        &self,
        branch: UnitId,
        branch_name: &str,
    ) -> Result<Vec<Letter>, AppError> {
        let tree = self.tree().await?;
        let today = self.today();
        let mut unit = Some(branch);
        while let Some(u) = unit {
            let mut holders: Vec<MemberId> = Vec::new();
            for o in self.store.offices(Some(u), today).await? {
                if !o.kind.powers().contains(&Power::ChangeStatus) {
                    continue;
                }
                if let Some(h) = o.holder
                    && !holders.contains(&h)
                    && self
                        .store
                        .member_standing(h)
                        .await?
                        .is_some_and(|(_, s)| s.sign_in() == SignIn::Member)
                {
                    holders.push(h);
                }
            }
            if !holders.is_empty() {
                let place = self.link("/applications");
                return Ok(self
                    .store
                    .member_contacts(&holders)
                    .await?
                    .into_iter()
                    .map(|(member, first_name, address)| Letter {
                        member: Some(member),
                        address,
                        subject: format!("New application to join {branch_name}"),
                        body: format!(
                            "Dear {first_name},\n\nAn application to join {branch_name} has \
                             arrived. As an officer who may admit members, you can accept or \
                             refuse it at {place}.\n\nThe applicant's details are on that page \
                             rather than in this letter, so that every reading of them is \
                             logged.\n"
                        ),
                    })
                    .collect());
            }
            unit = tree.parent(u);
        }
        Ok(Vec::new())
    }

    /// The applications `actor` may decide: those of applicants in the branches where an
    /// office of theirs gives the power to change status. `state` is `pending` (the
    /// default), `accepted`, `refused` or `all`. Every applicant listed is logged as read.
    pub async fn applications(
        &self,
        actor: &Actor,
        state: Option<&str>,
    ) -> Result<Vec<ApplicationRecord>, AppError> {
        let state = match state.map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(ApplicationState::Pending),
            Some("all") => None,
            Some(s) => Some(ApplicationState::parse(s).ok_or_else(|| {
                AppError::invalid(
                    "state",
                    format!("state '{s}' must be pending, accepted, refused or all"),
                )
            })?),
        };
        let tree = self.tree().await?;
        let roots = actor.scope_roots(Power::ChangeStatus);
        let office = actor
            .offices
            .iter()
            .find(|o| o.kind.powers().contains(&Power::ChangeStatus))
            .ok_or_else(|| {
                AppError::Forbidden(
                    "you may not see applications to join: no office of yours gives the power \
                     to admit members"
                        .into(),
                )
            })?;
        let scope = if roots
            .iter()
            .any(|u| tree.kind(*u) == Some(UnitKind::National))
        {
            MemberScope::All
        } else {
            let mut branches: Vec<UnitId> = roots
                .iter()
                .flat_map(|r| tree.branches_within(*r))
                .collect();
            branches.sort();
            branches.dedup();
            MemberScope::Branches(branches)
        };
        let access = self.access(actor, Some(office), "applications to join");
        Ok(self
            .store
            .applications(
                &ApplicationQuery {
                    scope,
                    state,
                    limit: LIST_LIMIT,
                },
                &access,
            )
            .await?)
    }

    /// One application, for an officer who may decide it; the read is logged.
    pub async fn application(
        &self,
        actor: &Actor,
        id: ApplicationId,
    ) -> Result<ApplicationRecord, AppError> {
        let found = self
            .store
            .application(id, None)
            .await?
            .ok_or(AppError::NotFound("application"))?;
        let office = self.admitting_office(actor, found.branch).await?;
        let access = self.access(actor, Some(&office), "application to join");
        self.store
            .application(id, Some(&access))
            .await?
            .ok_or(AppError::NotFound("application"))
    }

    async fn admitting_office(
        &self,
        actor: &Actor,
        branch: UnitId,
    ) -> Result<charter_domain::HeldOffice, AppError> {
        let tree = self.tree().await?;
        actor
            .authority(Power::ChangeStatus, branch, &tree)
            .cloned()
            .ok_or_else(|| {
                AppError::Forbidden(
                    "you may not decide this application: no office of yours gives the power \
                     to admit members in its branch"
                        .into(),
                )
            })
    }

    /// Accepts or refuses an application. Acceptance makes the applicant active from today
    /// through the status state machine, with the decider and reason in their history, and
    /// issues the new member an invitation to choose a password, in a letter that welcomes
    /// them ([`App::welcome`]), in the same transaction; refusal
    /// needs a reason, which the applicant is told.
    pub async fn decide_application(
        &self,
        actor: &Actor,
        id: ApplicationId,
        req: &DecisionRequest,
    ) -> Result<ApplicationState, AppError> {
        let current = self
            .store
            .application(id, None)
            .await?
            .ok_or(AppError::NotFound("application"))?;
        let office = self.admitting_office(actor, current.branch).await?;
        if current.state.is_decided() {
            return Err(AppError::Conflict {
                field: "decision".into(),
                message: format!(
                    "this application was already {}; reload to see the decision",
                    current.state
                ),
            });
        }
        let mut errs = FieldErrors::default();
        let state = match req.decision.trim() {
            "accept" => Some(ApplicationState::Accepted),
            "refuse" => Some(ApplicationState::Refused),
            other => {
                errs.add(
                    "decision",
                    format!("decision '{other}' must be accept or refuse"),
                );
                None
            }
        };
        let reason = req.reason.split_whitespace().collect::<Vec<_>>().join(" ");
        if reason.chars().count() > crate::register::MAX_REASON {
            errs.add(
                "reason",
                format!(
                    "reason is longer than {} characters",
                    crate::register::MAX_REASON
                ),
            );
        }
        if state == Some(ApplicationState::Refused) && reason.is_empty() {
            errs.add(
                "reason",
                "a refusal needs a reason: the applicant is told it",
            );
        }
        if state == Some(ApplicationState::Accepted)
            && let Err(e) = current.status.transition(MemberStatus::Active)
        {
            errs.add("decision", e);
        }
        let Some(state) = state else {
            return Err(AppError::Invalid(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let today = self.today();
        let accepted = state == ApplicationState::Accepted;
        let reason = if reason.is_empty() {
            "application to join accepted".to_string()
        } else {
            reason
        };
        let (letters, invitation) = if accepted {
            let welcome = self.welcome(&current).await?;
            let invitation = self
                .invitation_request(actor.member, Some(&welcome))
                .await?;
            (
                vec![self.welcome_letter(&current, &welcome)],
                Some(invitation),
            )
        } else {
            (vec![self.refusal_letter(&current, &reason).await?], None)
        };
        let (kind, payload) = if accepted {
            (
                "member.application_accepted",
                json!({"member": current.member.0, "from": "applicant", "to": "active", "effective_on": today.to_string(), "invited": true}),
            )
        } else {
            (
                "member.application_refused",
                json!({"member": current.member.0}),
            )
        };
        let event = self.event(
            event_actor(actor, Some(&office)),
            kind,
            format!("member:{}", current.member.0),
            payload,
            &reason,
        );
        let decision = ApplicationDecision {
            state,
            reason,
            by: actor.member,
            on: today,
        };
        self.store
            .decide_application(id, &decision, &letters, invitation.as_ref(), &event)
            .await
            .map_err(stale_is_conflict("decision"))?;
        Ok(state)
    }

    /// The welcome for an accepted applicant. It is the opening of the letter that carries
    /// their invitation to choose a password, queued in the acceptance's transaction.
    pub async fn welcome(&self, applicant: &ApplicationRecord) -> Result<Welcome, AppError> {
        let org = self.join_form().await?.organisation;
        Ok(Welcome {
            subject: format!("Welcome to {org}"),
            opening: format!(
                "Your application to join {org} has been accepted by {branch}. You are a member \
                 from {today}.\n\nThe members' site shows your membership, your branch's \
                 meetings and the ballots you may vote in.",
                branch = applicant.branch_name,
                today = self.today().format("%-d %B %Y"),
            ),
        })
    }

    /// The welcome as a letter of its own, for a new member who already has a password (one
    /// readmitted), who needs no invitation.
    fn welcome_letter(&self, applicant: &ApplicationRecord, welcome: &Welcome) -> Letter {
        Letter {
            member: Some(applicant.member),
            address: applicant.email.clone(),
            subject: welcome.subject.clone(),
            body: format!(
                "Dear {first},\n\n{opening}\n\nSign in at {site} with this email address and \
                 your password.\n",
                first = applicant.first_name,
                opening = welcome.opening,
                site = self.link("/sign-in"),
            ),
        }
    }

    async fn refusal_letter(
        &self,
        applicant: &ApplicationRecord,
        reason: &str,
    ) -> Result<Letter, AppError> {
        let org = self.join_form().await?.organisation;
        Ok(Letter {
            member: Some(applicant.member),
            address: applicant.email.clone(),
            subject: format!("Your application to join {org}"),
            body: format!(
                "Dear {first},\n\nThe officers of {branch} have refused your application to join \
                 {org}. The reason they gave:\n\n    {reason}\n\nIf you think the decision is \
                 wrong, you can write to them or to the organisation's national officers.\n",
                first = applicant.first_name,
                branch = applicant.branch_name,
            ),
        })
    }

    /// An absolute link on the members' site, at its public address.
    pub(crate) fn link(&self, path: &str) -> String {
        format!("{}{path}", self.settings.public_url.trim_end_matches('/'))
    }
}

/// The join form as the actor of an application: no member and no office acted.
fn join_form_actor() -> EventActor {
    EventActor {
        member: None,
        office: Some(JOIN_FORM.to_string()),
    }
}

/// The letter an applicant gets straight away.
fn acknowledgement(first_name: &str, branch_name: &str, form: &JoinForm) -> NoticeText {
    let org = &form.organisation;
    NoticeText {
        subject: format!("Your application to join {org}"),
        body: format!(
            "Dear {first_name},\n\nThank you for applying to join {org} through {branch_name}. \
             The branch's officers will consider your application and write to you with their \
             decision.\n\nYou agreed: \"{consent}\"\n\nIf you did not ask to join, please reply \
             to say so, and the application will be refused.\n",
            consent = form.consent,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_not_asked_is_refused_and_a_required_one_needed() {
        let mut errs = FieldErrors::default();
        assert_eq!(
            check_asked(&mut errs, "phone", Ask::No, "", "a phone number"),
            None
        );
        assert!(errs.is_empty());
        assert_eq!(
            check_asked(
                &mut errs,
                "phone",
                Ask::No,
                "0113 496 0000",
                "a phone number"
            ),
            None
        );
        assert!(errs.0["phone"].contains("not asked for"), "{errs}");
        let mut errs = FieldErrors::default();
        assert_eq!(
            check_asked(&mut errs, "phone", Ask::Required, "  ", "a phone number"),
            None
        );
        assert_eq!(errs.0["phone"], "a phone number is required");
        let mut errs = FieldErrors::default();
        assert_eq!(
            check_asked(
                &mut errs,
                "phone",
                Ask::Optional,
                " 0113 ",
                "a phone number"
            ),
            Some("0113".into())
        );
        assert_eq!(
            check_asked(&mut errs, "phone", Ask::Optional, "", "x"),
            None
        );
        assert!(errs.is_empty());
    }
}
