//! Accounts: invitations, password resets, password changes and email changes.
//!
//! Every link sent by email is single-use and expires. Its token is never stored, not even
//! in the outbox: a letter is queued with [`LINK_PLACE`] where the link goes, and the sender
//! ([`crate::notices`]) mints a fresh token as it delivers the letter, keeping only its hash.
//! A newer letter for the same link replaces the earlier one's token.

use charter_domain::{Actor, Email, LinkPurpose, MemberId, Power, UnitKind};
use charter_store::{
    AccountLinkRecord, EventActor, Letter, LinkLetter, LinkRequest, MemberScope, NoticeText,
    StoreError,
};
use chrono::Duration;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

use crate::auth::{hash_password, token_hash, validate_new_password, verify_password_blocking};
use crate::{App, AppError, event_actor};

/// Where a letter's link goes until the sender puts the minted link there.
pub const LINK_PLACE: &str = "{link}";

/// Members invited per transaction by [`App::invite_all_without_password`]: each call is a
/// few bulk statements, and the progress it reports moves at this step.
pub const INVITATION_CHUNK: usize = 5_000;

/// A reset asked for again within this long of the last does not replace the link just
/// sent, so requests by others cannot keep breaking the link a member is about to use.
const RESET_QUIET: Duration = Duration::minutes(5);

/// A welcome letter that carries an invitation (for a member just admitted): its subject and
/// the paragraphs before the link. The link, its lifetime and the sign-in address follow.
#[derive(Debug, Clone)]
pub struct Welcome {
    pub subject: String,
    pub opening: String,
}

/// What inviting everyone without a password did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InvitationRun {
    /// Members in scope without a password when the run began.
    pub found: usize,
    /// Members invited (some may have set a password meanwhile).
    pub invited: usize,
}

/// What the page behind a password link shows before the new password is chosen.
#[derive(Debug, Clone)]
pub struct PasswordLink {
    pub purpose: LinkPurpose,
    pub email: String,
    pub first_name: String,
}

/// What the page behind an email confirmation link shows.
#[derive(Debug, Clone)]
pub struct EmailLink {
    pub new_email: String,
    /// An officer proposed the address: only the member's password confirms it, so whoever
    /// reads the new mailbox cannot take the membership over.
    pub needs_password: bool,
}

/// An email change waiting for confirmation, as the member or an officer sees it.
#[derive(Debug, Clone)]
pub struct PendingEmail {
    pub new_email: String,
    pub proposed_by_officer: bool,
}

fn batch() -> i64 {
    // Positive, so it reads plainly in the database.
    (rand::rng().next_u64() >> 1) as i64
}

fn days(d: Duration) -> String {
    match d.num_days() {
        1 => "1 day".into(),
        n if n > 1 => format!("{n} days"),
        _ => match d.num_hours() {
            1 => "1 hour".into(),
            n if n > 1 => format!("{n} hours"),
            _ => format!("{} minutes", d.num_minutes().max(1)),
        },
    }
}

/// The form of a token in an address: URL-safe base64 of 32 random bytes.
fn plausible_token(token: &str) -> bool {
    (20..=128).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl App {
    async fn organisation_name(&self) -> Result<String, AppError> {
        Ok(self
            .store
            .units()
            .await?
            .into_iter()
            .find(|u| u.kind == UnitKind::National)
            .map(|u| u.name)
            .unwrap_or_else(|| "Your organisation".into()))
    }

    fn sign_in_address(&self) -> String {
        format!("{}/sign-in", self.settings.public_url.trim_end_matches('/'))
    }

    /// A request to invite, asked by `by`, with its letter (a welcome of the caller's own
    /// around the link, or the usual invitation).
    pub(crate) async fn invitation_request(
        &self,
        by: MemberId,
        welcome: Option<&Welcome>,
    ) -> Result<LinkRequest, AppError> {
        Ok(LinkRequest {
            purpose: LinkPurpose::Invitation,
            requested_by: Some(by),
            batch: batch(),
            valid_for: self.settings.links.invitation,
            letter: self.invitation_letter(welcome).await?,
        })
    }

    async fn invitation_letter(&self, welcome: Option<&Welcome>) -> Result<LinkLetter, AppError> {
        let org = self.organisation_name().await?;
        let lifetime = days(self.settings.links.invitation);
        let (subject, opening) = match welcome {
            Some(w) => (w.subject.clone(), w.opening.trim().to_string()),
            None => (
                format!("Your invitation to sign in to {org}"),
                format!(
                    "{org} keeps its register, meetings and ballots on Charter, and you are invited to sign in."
                ),
            ),
        };
        Ok(LinkLetter {
            subject,
            greeting: "Dear ".into(),
            body: format!(
                ",\n\n{opening}\n\nChoose your password here:\n\n{LINK_PLACE}\n\nThe link works once, for {lifetime} from when this letter was sent. Then sign in at {} with this email address and your password. If the link has expired, use \"Forgot your password?\" on that page.\n\nIf you did not expect this letter, you can ignore it.\n",
                self.sign_in_address()
            ),
        })
    }

    /// The members whose accounts `actor` may manage: those in the units where an office
    /// of theirs gives [`Power::EditMembers`].
    async fn account_scope(&self, actor: &Actor) -> Result<MemberScope, AppError> {
        let tree = self.tree().await?;
        let roots = actor.scope_roots(Power::EditMembers);
        if roots
            .iter()
            .any(|u| tree.kind(*u) == Some(UnitKind::National))
        {
            return Ok(MemberScope::All);
        }
        if roots.is_empty() {
            return Err(AppError::Forbidden(
                "only officers who may edit members send invitations".into(),
            ));
        }
        let mut branches: Vec<_> = roots
            .iter()
            .flat_map(|r| tree.branches_within(*r))
            .collect();
        branches.sort();
        branches.dedup();
        Ok(MemberScope::Branches(branches))
    }

    /// Whether `actor` may send invitations at all (an office that may edit members).
    pub fn may_invite(&self, actor: &Actor) -> bool {
        !actor.scope_roots(Power::EditMembers).is_empty()
    }

    /// How many members in the actor's scope have no password and may sign in: those
    /// [`App::invite_all_without_password`] would invite.
    pub async fn members_without_password(&self, actor: &Actor) -> Result<usize, AppError> {
        let scope = self.account_scope(actor).await?;
        Ok(self.store.members_without_password(&scope).await?.len())
    }

    /// Invites one member to choose a password, by a letter with a single-use link. The
    /// actor needs an office that may edit members over the member's branch. Inviting again
    /// sends a new link and stops the earlier one working.
    pub async fn invite_member(&self, actor: &Actor, member: MemberId) -> Result<(), AppError> {
        self.invite_member_with(actor, member, None).await
    }

    /// As [`App::invite_member`], with a welcome letter of the caller's own around the link
    /// (for a member just admitted).
    pub async fn invite_member_with(
        &self,
        actor: &Actor,
        member: MemberId,
        welcome: Option<&Welcome>,
    ) -> Result<(), AppError> {
        let (_, office) = self
            .authority_over(actor, member, Power::EditMembers)
            .await?;
        let request = self.invitation_request(actor.member, welcome).await?;
        let event = self.event(
            event_actor(actor, office.as_ref()),
            "account.invited",
            format!("member:{}", member.0),
            json!({}),
            "invited to choose a password",
        );
        let invited = self
            .store
            .invite_members(&[member], &request, &event)
            .await?;
        if invited.is_empty() {
            return Err(AppError::Conflict {
                field: "member_id".into(),
                message: "nothing was sent: this member already has a password (they can use \"Forgot your password?\"), or may not be invited (an applicant, who is invited when accepted, or someone who resigned)".into(),
            });
        }
        Ok(())
    }

    /// Invites every member in the actor's scope (where they may edit members) who has no
    /// password and may sign in, in bulk: [`INVITATION_CHUNK`] members a transaction, calling
    /// `progress(done, total)` after each.
    pub async fn invite_all_without_password(
        &self,
        actor: &Actor,
        progress: &mut (dyn FnMut(u64, u64) + Send),
    ) -> Result<InvitationRun, AppError> {
        let scope = self.account_scope(actor).await?;
        let office = actor
            .offices
            .iter()
            .find(|o| o.kind.powers().contains(&Power::EditMembers))
            .cloned();
        let members = self.store.members_without_password(&scope).await?;
        let total = members.len() as u64;
        progress(0, total);
        let letter = self.invitation_letter(None).await?;
        let mut run = InvitationRun {
            found: members.len(),
            invited: 0,
        };
        let mut done = 0;
        for chunk in members.chunks(INVITATION_CHUNK) {
            let request = LinkRequest {
                purpose: LinkPurpose::Invitation,
                requested_by: Some(actor.member),
                batch: batch(),
                valid_for: self.settings.links.invitation,
                letter: letter.clone(),
            };
            let event = self.event(
                event_actor(actor, office.as_ref()),
                "account.invited",
                "invitations".into(),
                json!({}),
                "invited, with everyone without a password, to choose a password",
            );
            run.invited += self
                .store
                .invite_members(chunk, &request, &event)
                .await?
                .len();
            done += chunk.len() as u64;
            progress(done, total);
        }
        Ok(run)
    }

    /// Sends a password reset link to `email` if it is a member's who may sign in. Answers
    /// the same whether or not it is: the store runs the same statements either way and
    /// says nothing about what it found.
    pub async fn request_password_reset(&self, email: &str) -> Result<(), AppError> {
        let email = Email::parse(email).map_err(|e| AppError::invalid("email", e))?;
        let lifetime = days(self.settings.links.password_reset);
        let request = LinkRequest {
            purpose: LinkPurpose::PasswordReset,
            requested_by: None,
            batch: batch(),
            valid_for: self.settings.links.password_reset,
            letter: LinkLetter {
                subject: "Choose a new password".into(),
                greeting: "Dear ".into(),
                body: format!(
                    ",\n\nSomeone, probably you, asked to reset the password for your membership. Choose a new one here:\n\n{LINK_PLACE}\n\nThe link works once, for {lifetime} from when this letter was sent. Choosing a new password signs you out everywhere.\n\nIf you did not ask, ignore this letter: your password stays as it is.\n"
                ),
            },
        };
        let now = self.clock.now();
        let event = self.event(
            EventActor {
                member: None,
                office: Some("the password reset form".into()),
            },
            "account.reset_requested",
            String::new(),
            json!({}),
            "a password reset was asked for",
        );
        self.store
            .request_password_reset(email.as_str(), &request, now - RESET_QUIET, &event)
            .await?;
        Ok(())
    }

    /// The live link behind a token, or a refusal that says it cannot be used.
    async fn live_link(&self, token: &str) -> Result<AccountLinkRecord, AppError> {
        let gone = || {
            AppError::Invalid({
                let mut e = charter_domain::FieldErrors::default();
                e.add(
                    "token",
                    "this link has been used, replaced by a newer one, or has expired: ask for a new one",
                );
                e
            })
        };
        if !plausible_token(token) {
            return Err(gone());
        }
        let link = self
            .store
            .account_link(&token_hash(token))
            .await?
            .ok_or_else(gone)?;
        if link.used_at.is_some() || link.expires_at.is_none_or(|e| e <= self.clock.now()) {
            return Err(gone());
        }
        Ok(link)
    }

    /// Who a password link (invitation or reset) is for, to show on its page.
    pub async fn password_link(&self, token: &str) -> Result<PasswordLink, AppError> {
        let link = self.live_link(token).await?;
        if !link.purpose.sets_password() {
            return Err(AppError::NotFound("password link"));
        }
        let (first_name, email) = self
            .store
            .member_contacts(&[link.member])
            .await?
            .into_iter()
            .next()
            .map(|(_, n, e)| (n, e))
            .ok_or(AppError::NotFound("member"))?;
        Ok(PasswordLink {
            purpose: link.purpose,
            email,
            first_name,
        })
    }

    /// Sets the password with a link from an invitation or reset: the link works once, and
    /// every session of the member ends. Returns the member.
    pub async fn set_password_with_link(
        &self,
        token: &str,
        password: &SecretString,
    ) -> Result<MemberId, AppError> {
        let link = self.live_link(token).await?;
        if !link.purpose.sets_password() {
            return Err(AppError::NotFound("password link"));
        }
        validate_new_password(password.expose_secret())?;
        let hash = hash_blocking(password).await?;
        let event = self.event(
            EventActor {
                member: Some(link.member),
                office: None,
            },
            "account.password_set",
            String::new(),
            json!({}),
            match link.purpose {
                LinkPurpose::Invitation => "password chosen from an invitation",
                _ => "password reset by email",
            },
        );
        let member = self
            .store
            .use_password_link(link.id, &token_hash(token), &hash, &event)
            .await
            .map_err(crate::error::stale_is_conflict("token"))?;
        Ok(member)
    }

    /// Checks the actor's current password (for changes that need it).
    pub(crate) async fn check_password(
        &self,
        actor: &Actor,
        password: &SecretString,
    ) -> Result<(), AppError> {
        let wrong = || AppError::invalid("current_password", "your current password is not right");
        if password.expose_secret().is_empty() {
            return Err(AppError::invalid(
                "current_password",
                "your current password is required",
            ));
        }
        let (_, _, email) = self
            .store
            .member_contacts(&[actor.member])
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::Unauthenticated)?;
        let hash = self
            .store
            .credentials(&email)
            .await?
            .and_then(|c| c.password_hash)
            .ok_or_else(wrong)?;
        if verify_password_blocking(password, hash).await? {
            Ok(())
        } else {
            Err(wrong())
        }
    }

    /// The member changes their password with their current one. Every other session of
    /// theirs ends (`session_token`, the one they are using, stays).
    pub async fn change_password(
        &self,
        actor: &Actor,
        session_token: Option<&str>,
        current: &SecretString,
        new: &SecretString,
    ) -> Result<(), AppError> {
        validate_new_password(new.expose_secret()).map_err(|_| {
            AppError::invalid("new_password", "password must have 12 to 200 characters")
        })?;
        self.check_password(actor, current).await?;
        let hash = hash_blocking(new).await?;
        let event = self.event(
            event_actor(actor, None),
            "account.password_changed",
            format!("member:{}", actor.member.0),
            json!({ "member": actor.member.0 }),
            "password changed by the member",
        );
        self.store
            .change_password(
                actor.member,
                &hash,
                session_token.map(token_hash).as_deref(),
                &event,
            )
            .await?;
        Ok(())
    }

    /// The member asks for a new email address, with their current password. A link goes to
    /// the new address; the address changes when it is followed, and the old one is told.
    pub async fn request_email_change(
        &self,
        actor: &Actor,
        current_password: &SecretString,
        new_email: &str,
    ) -> Result<(), AppError> {
        let email = Email::parse(new_email).map_err(|e| AppError::invalid("email", e))?;
        self.check_password(actor, current_password).await?;
        self.propose_email(actor, actor.member, &email, None).await
    }

    /// An officer who may edit the member proposes a corrected address. It only proposes:
    /// the member confirms from the new address with their own password, and their current
    /// address is told, so an officer cannot redirect a member's letters (voting links
    /// among them) to an address of the officer's choosing.
    pub async fn propose_email_correction(
        &self,
        actor: &Actor,
        member: MemberId,
        new_email: &Email,
    ) -> Result<(), AppError> {
        if actor.member == member {
            return Err(AppError::invalid(
                "email",
                "change your own address from \"Change my email address\", which asks for your password",
            ));
        }
        let (_, office) = self
            .authority_over(actor, member, Power::EditMembers)
            .await?;
        self.propose_email(actor, member, new_email, office.as_ref())
            .await
    }

    async fn propose_email(
        &self,
        actor: &Actor,
        member: MemberId,
        email: &Email,
        office: Option<&charter_domain::HeldOffice>,
    ) -> Result<(), AppError> {
        let lifetime = days(self.settings.links.email_change);
        let by_officer = office.is_some();
        let how = if by_officer {
            "An officer proposed this address for your membership. If it is yours and right, confirm it here; you will need your password:"
        } else {
            "You asked to use this address for your membership. Confirm it here:"
        };
        let request = LinkRequest {
            purpose: LinkPurpose::EmailChange,
            requested_by: Some(actor.member),
            batch: batch(),
            valid_for: self.settings.links.email_change,
            letter: LinkLetter {
                subject: "Confirm your new email address".into(),
                greeting: "Dear ".into(),
                body: format!(
                    ",\n\n{how}\n\n{LINK_PLACE}\n\nThe link works once, for {lifetime} from when this letter was sent. Until it is followed, letters keep going to your current address.\n\nIf this is not your membership, ignore this letter.\n"
                ),
            },
        };
        let notice = by_officer.then(|| NoticeText {
            subject: "A new email address was proposed for your membership".into(),
            body: format!(
                "An officer proposed a new email address for your membership. Nothing changes unless you confirm it from a letter sent to that address, with your password. If you did not expect this, tell your branch.\n\nSign in: {}\n",
                self.sign_in_address()
            ),
        });
        let event = self.event(
            event_actor(actor, office),
            "account.email_change_proposed",
            format!("member:{}", member.0),
            json!({ "member": member.0 }),
            if by_officer {
                "new address proposed by an officer; the member confirms it"
            } else {
                "new address asked for by the member"
            },
        );
        match self
            .store
            .propose_email_change(member, email.as_str(), &request, notice.as_ref(), &event)
            .await
        {
            Ok(()) => Ok(()),
            // The address is another member's. Saying so would tell whoever asked who is on
            // the register: the answer is the same as when the letter goes, and the address's
            // owner is told instead (at most once a day).
            Err(StoreError::Conflict { field, .. }) if field == "email" => {
                self.tell_owner_of_taken_address(actor, email, office).await
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn tell_owner_of_taken_address(
        &self,
        actor: &Actor,
        email: &Email,
        office: Option<&charter_domain::HeldOffice>,
    ) -> Result<(), AppError> {
        let Some(owner) = self.store.credentials(email.as_str()).await? else {
            return Ok(());
        };
        let org = self.organisation_name().await?;
        let letter = Letter {
            member: Some(owner.member),
            address: email.as_str().to_string(),
            subject: format!("Your address was given for another membership of {org}"),
            body: format!(
                "Someone asked to use this email address for another membership of {org}. It is \
                 already yours, so nothing changed and nothing more will be sent about it.\n\n\
                 If that was you, you can ignore this letter. If it was not, you may want to tell \
                 your branch.\n\nSign in: {}\n",
                self.sign_in_address()
            ),
        };
        let event = self.event(
            event_actor(actor, office),
            "account.email_change_refused",
            format!("member:{}", owner.member.0),
            json!({ "member": owner.member.0 }),
            "a new address asked for belongs to another membership; its owner was told",
        );
        let quiet_since = self.clock.now() - Duration::hours(crate::joining::QUIET_HOURS);
        self.store
            .queue_quiet_letter(owner.member, &letter, quiet_since, &event)
            .await?;
        Ok(())
    }

    /// The email address the signed-in member signs in and is written to with: their own, so
    /// no access is logged.
    pub async fn own_email(&self, actor: &Actor) -> Result<String, AppError> {
        Ok(self
            .store
            .member_contacts(&[actor.member])
            .await?
            .into_iter()
            .next()
            .map(|(_, _, email)| email)
            .unwrap_or_default())
    }

    /// The email change waiting for the member's confirmation, if any (the member, or an
    /// officer who may edit them).
    pub async fn pending_email(
        &self,
        actor: &Actor,
        member: MemberId,
    ) -> Result<Option<PendingEmail>, AppError> {
        if actor.member != member {
            self.authority_over(actor, member, Power::EditMembers)
                .await?;
        }
        let now = self.clock.now();
        Ok(self.store.email_change(member).await?.and_then(|l| {
            let waiting = l.used_at.is_none()
                && l.expires_at.is_none_or(|e| e > now)
                && l.requested_at + self.settings.links.email_change * 2 > now;
            waiting.then(|| PendingEmail {
                new_email: l.new_email.unwrap_or_default(),
                proposed_by_officer: l.requested_by != Some(member),
            })
        }))
    }

    /// What an email confirmation link is for, to show on its page.
    pub async fn email_link(&self, token: &str) -> Result<EmailLink, AppError> {
        let link = self.live_link(token).await?;
        if link.purpose != LinkPurpose::EmailChange {
            return Err(AppError::NotFound("email confirmation link"));
        }
        Ok(EmailLink {
            new_email: link.new_email.clone().unwrap_or_default(),
            needs_password: link.requested_by != Some(link.member),
        })
    }

    /// Confirms an email change from the link sent to the new address. An address an
    /// officer proposed needs the member's password as well.
    pub async fn confirm_email_change(
        &self,
        token: &str,
        password: Option<&SecretString>,
    ) -> Result<MemberId, AppError> {
        let link = self.live_link(token).await?;
        if link.purpose != LinkPurpose::EmailChange {
            return Err(AppError::NotFound("email confirmation link"));
        }
        let needs_password = link.requested_by != Some(link.member);
        if needs_password {
            let actor = self.actor(link.member).await?;
            let password = password.cloned().unwrap_or_else(|| SecretString::from(""));
            self.check_password(&actor, &password).await.map_err(|e| match e {
                AppError::Invalid(_) => AppError::invalid(
                    "current_password",
                    "an officer proposed this address, so only your password confirms it: enter it, or ask for an invitation or reset at your current address first",
                ),
                other => other,
            })?;
        }
        let new_email = link.new_email.clone().unwrap_or_default();
        let notice = NoticeText {
            subject: "Your email address has changed".into(),
            body: format!(
                "The email address of your membership is now {new_email}. Letters, voting links among them, go there from now on.\n\nIf you did not make this change, tell your branch at once.\n"
            ),
        };
        let event = self.event(
            EventActor {
                member: Some(link.member),
                office: None,
            },
            "account.email_changed",
            String::new(),
            json!({}),
            "new address confirmed from the address itself",
        );
        self.store
            .confirm_email_change(link.id, &token_hash(token), &notice, &event)
            .await
            .map_err(crate::error::stale_is_conflict("token"))
            .map_err(|e| match e {
                AppError::Conflict { field, .. } if field == "email" => AppError::Conflict {
                    field,
                    message: "another member uses that address now, so it cannot be yours as well"
                        .into(),
                },
                other => other,
            })
    }
}

/// Hashes a password off the async threads (argon2id takes tens of milliseconds).
pub(crate) async fn hash_blocking(password: &SecretString) -> Result<String, AppError> {
    let pw = password.clone();
    tokio::task::spawn_blocking(move || hash_password(pw.expose_secret()))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_plainly() {
        assert_eq!(days(Duration::days(7)), "7 days");
        assert_eq!(days(Duration::hours(1)), "1 hour");
        assert_eq!(days(Duration::hours(48)), "2 days");
        assert_eq!(days(Duration::minutes(30)), "30 minutes");
    }

    #[test]
    fn only_token_shaped_text_is_looked_up() {
        assert!(plausible_token(&crate::auth::random_token()));
        assert!(!plausible_token("short"));
        assert!(!plausible_token("has spaces in it and is long enough"));
        assert!(!plausible_token(&"a".repeat(129)));
    }
}
