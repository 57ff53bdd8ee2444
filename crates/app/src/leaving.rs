//! Leaving: a member resigns from "My membership", after being told what it means.
//!
//! A resignation is the member's own decision, recorded like any status change (from what
//! they were, to resigned, today, with their reason and themselves as its author). In the
//! same transaction their offices and seats end, every session of theirs ends (a resigned
//! member cannot sign in) and a letter confirms it, so someone who did not do it hears.

use charter_domain::{Actor, MemberStatus, StatusError};
use charter_store::{Letter, StatusChangeInput};
use serde_json::json;

use crate::error::stale_is_conflict;
use crate::{App, AppError, event_actor, office_label};

/// What resigning would mean for this member, for the confirmation page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResignationTerms {
    pub organisation: String,
    pub status: MemberStatus,
    /// Why they cannot resign, when they cannot.
    pub refused: Option<String>,
    /// The offices they hold, which end with their membership ("secretary, Southwark").
    pub offices: Vec<String>,
}

/// A resignation as asked: the member confirmed it, and may say why.
#[derive(Debug, Clone, Default)]
pub struct ResignationRequest {
    pub confirm: bool,
    pub reason: String,
}

impl App {
    /// What resigning would do, or why `actor` cannot.
    pub async fn resignation_terms(&self, actor: &Actor) -> Result<ResignationTerms, AppError> {
        let (_, status) = self
            .store
            .member_standing(actor.member)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let offices = self
            .store
            .offices_held(actor.member, self.today())
            .await?
            .into_iter()
            .map(|o| {
                office_label(&charter_domain::HeldOffice {
                    kind: o.kind,
                    unit: o.unit,
                    unit_name: o.unit_name,
                })
            })
            .collect();
        Ok(ResignationTerms {
            organisation: self.join_form().await?.organisation,
            status,
            refused: may_resign(status).err(),
            offices,
        })
    }

    /// `actor` resigns from today. Refused without their confirmation, and for an expelled
    /// member (whose membership has already ended).
    pub async fn resign(&self, actor: &Actor, req: &ResignationRequest) -> Result<(), AppError> {
        let reason = req.reason.split_whitespace().collect::<Vec<_>>().join(" ");
        if reason.chars().count() > crate::register::MAX_REASON {
            return Err(AppError::invalid(
                "reason",
                format!(
                    "reason is longer than {} characters",
                    crate::register::MAX_REASON
                ),
            ));
        }
        if !req.confirm {
            return Err(AppError::invalid(
                "confirm",
                "confirm that you want to resign: tick the box",
            ));
        }
        let (_, status) = self
            .store
            .member_standing(actor.member)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        may_resign(status).map_err(|message| AppError::Conflict {
            field: "status".into(),
            message,
        })?;
        let (_, first_name, address) = self
            .store
            .member_contacts(&[actor.member])
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound("member"))?;
        let today = self.today();
        let org = self.join_form().await?.organisation;
        let reason = if reason.is_empty() {
            "resigned; no reason given".to_string()
        } else {
            format!("resigned: {reason}")
        };
        let rejoin = format!(" at {}", self.link("/join"));
        let letter = Letter {
            member: Some(actor.member),
            address,
            subject: format!("You have resigned from {org}"),
            body: format!(
                "Dear {first_name},\n\nYou resigned from {org} on {day}. Your membership has \
                 ended: you are no longer on the roll for meetings or ballots, any office or seat \
                 you held has ended, and you have been signed out everywhere. Your record stays \
                 in the register as history, and you can no longer sign in.\n\nIf you did not \
                 do this, tell your branch's officers straight away. To join again, apply{rejoin}.\n",
                day = today.format("%-d %B %Y"),
            ),
        };
        let change = StatusChangeInput {
            from: Some(status),
            to: MemberStatus::Resigned,
            effective_on: today,
            reason: reason.clone(),
            changed_by: Some(actor.member),
        };
        let event = self.event(
            event_actor(actor, None),
            "member.resigned",
            format!("member:{}", actor.member.0),
            json!({
                "member": actor.member.0, "from": status.as_str(),
                "to": MemberStatus::Resigned.as_str(), "effective_on": today.to_string(),
            }),
            &reason,
        );
        self.store
            .resign(actor.member, status, &change, &letter, &event)
            .await
            .map_err(stale_is_conflict("status"))
    }
}

/// Whether someone of `status` may resign, in words when not.
fn may_resign(status: MemberStatus) -> Result<(), String> {
    match status.transition(MemberStatus::Resigned) {
        Ok(_) => Ok(()),
        Err(StatusError::Unchanged(_)) => Err("you have already resigned".into()),
        Err(_) if status == MemberStatus::Expelled => Err(
            "your membership has already ended by expulsion, so there is nothing to resign from"
                .into(),
        ),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyone_but_the_expelled_and_the_resigned_may_resign() {
        for s in MemberStatus::ALL {
            let ok = !matches!(s, MemberStatus::Expelled | MemberStatus::Resigned);
            assert_eq!(may_resign(s).is_ok(), ok, "{s}");
        }
        assert!(
            may_resign(MemberStatus::Expelled)
                .unwrap_err()
                .contains("expulsion")
        );
    }
}
