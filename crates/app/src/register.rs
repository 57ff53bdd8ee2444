//! The membership register: who may see and change what, and the events that record it.

use charter_domain::{
    Actor, FieldErrors, HeldOffice, MemberChanges, MemberId, MemberStatus, Money, Payment, Power,
    RawMemberChanges, SignIn, UnitId, UnitKind, is_paid_up, parse_date,
};
use charter_model::AffiliationId;
use charter_store::{
    AccessContext, AccessEntry, BranchMoveInput, MemberDetail, MemberQuery, MemberRecord,
    MemberScope, MemberSort, MemberSummary, Page, StatusChangeInput,
};
use chrono::NaiveDate;
use serde_json::json;

use crate::{App, AppError, OPERATOR, event_actor, office_label};

pub const MAX_PER_PAGE: u32 = 200;
pub const DEFAULT_PER_PAGE: u32 = 50;
/// The longest reason recorded in a member's history (a change of status, a transfer, a
/// resignation, the decision on an application), in characters.
pub const MAX_REASON: usize = 500;
/// The most months of membership one payment buys.
pub const MAX_MONTHS: u32 = 24;
/// The longest name of an affiliated organisation, in characters.
pub const MAX_ORGANISATION: usize = 200;

/// Directory filters as they arrive from a form or query string, before validation.
#[derive(Debug, Clone, Default)]
pub struct DirectoryQuery {
    pub q: Option<String>,
    pub branch: Option<String>,
    pub status: Option<String>,
    pub paid_up: Option<String>,
    pub sort: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

pub const SORTS: [(&str, MemberSort); 6] = [
    ("name", MemberSort::Name),
    ("-name", MemberSort::NameDesc),
    ("joined", MemberSort::Joined),
    ("-joined", MemberSort::JoinedDesc),
    ("paid_up_until", MemberSort::PaidUpUntil),
    ("-paid_up_until", MemberSort::PaidUpUntilDesc),
];

fn blank(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// What a member looks like to someone allowed to see them, with what the viewer may do.
#[derive(Debug, Clone)]
pub struct MemberView {
    pub detail: MemberDetail,
    pub paid_up: bool,
    pub is_self: bool,
    pub may_edit: bool,
    pub may_change_status: bool,
    pub may_record_dues: bool,
    pub may_verify_affiliations: bool,
    pub may_transfer: bool,
    pub next_statuses: Vec<MemberStatus>,
}

/// A member's view of their own membership, including who has read their data.
#[derive(Debug, Clone)]
pub struct MyMembership {
    pub view: MemberView,
    pub offices: Vec<HeldOffice>,
    pub access_log: Page<AccessEntry>,
    /// What their sign-in reaches, from their status today.
    pub access: SignIn,
    /// Whether they may resign (everyone but the expelled).
    pub may_resign: bool,
    /// Whether an office of theirs lets them decide applications to join.
    pub may_admit: bool,
}

/// What a change of contact details did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberUpdate {
    /// A new email address was proposed: it takes effect once the member confirms it.
    pub email_proposed: bool,
}

#[derive(Debug, Clone)]
pub struct StatusChangeRequest {
    pub to: String,
    pub effective_on: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct PaymentRequest {
    pub paid_on: String,
    pub amount: String,
    pub months: String,
}

#[derive(Debug, Clone)]
pub struct TransferRequest {
    pub to_branch: String,
    pub effective_on: String,
    pub reason: String,
}

fn reason_required(errs: &mut FieldErrors, reason: &str) -> String {
    let r = reason.trim();
    if r.is_empty() {
        errs.add(
            "reason",
            "reason is required: it goes in the member's history",
        );
    } else if r.chars().count() > MAX_REASON {
        errs.add(
            "reason",
            format!("reason is longer than {MAX_REASON} characters"),
        );
    }
    r.to_string()
}

impl App {
    /// The earliest paid-up-until date that still counts as paid up today, under the grace
    /// period of the constitution in force.
    pub async fn paid_up_cutoff(&self) -> Result<NaiveDate, AppError> {
        Ok(self.today() - chrono::Days::new(u64::from(self.grace_days().await?)))
    }

    /// The members `actor` may see, as a filter the store always applies.
    pub async fn member_scope(&self, actor: &Actor) -> Result<MemberScope, AppError> {
        let tree = self.tree().await?;
        let roots = actor.scope_roots(Power::ViewMembers);
        if roots
            .iter()
            .any(|u| tree.kind(*u) == Some(UnitKind::National))
        {
            return Ok(MemberScope::All);
        }
        if roots.is_empty() {
            return Ok(MemberScope::Only(actor.member));
        }
        let mut branches: Vec<UnitId> = roots
            .iter()
            .flat_map(|r| tree.branches_within(*r))
            .collect();
        branches.sort();
        branches.dedup();
        Ok(MemberScope::Branches(branches))
    }

    pub(crate) fn access(
        &self,
        actor: &Actor,
        office: Option<&HeldOffice>,
        purpose: &str,
    ) -> AccessContext {
        AccessContext {
            reader: Some(actor.member),
            office: office.map(office_label),
            purpose: purpose.to_string(),
            at: self.clock.now(),
        }
    }

    /// A read by the operator's command line: logged under no member, as the operator.
    pub(crate) fn operator_access(&self, purpose: &str) -> AccessContext {
        AccessContext {
            reader: None,
            office: Some(OPERATOR.to_string()),
            purpose: purpose.to_string(),
            at: self.clock.now(),
        }
    }

    /// Validates directory filters into a store query, refusing branches outside the scope.
    pub async fn directory_query(
        &self,
        actor: &Actor,
        raw: &DirectoryQuery,
    ) -> Result<MemberQuery, AppError> {
        let mut errs = FieldErrors::default();
        let text = blank(&raw.q).map(str::to_string);
        if text.as_ref().is_some_and(|t| t.chars().count() > 100) {
            errs.add("q", "search text is longer than 100 characters");
        }
        let tree = self.tree().await?;
        let branch = match blank(&raw.branch) {
            None => None,
            Some(b) => match b.parse::<i64>().ok().map(UnitId) {
                Some(id) if tree.kind(id) == Some(UnitKind::Branch) => Some(id),
                _ => {
                    errs.add(
                        "branch",
                        format!("branch '{b}' is not a branch of this organisation"),
                    );
                    None
                }
            },
        };
        let status = match blank(&raw.status) {
            None => None,
            Some(s) => match MemberStatus::parse(s) {
                Ok(st) => Some(st),
                Err(e) => {
                    errs.add("status", e);
                    None
                }
            },
        };
        let paid_up = match blank(&raw.paid_up).map(str::to_lowercase).as_deref() {
            None | Some("any") => None,
            Some("true" | "yes" | "1") => Some((true, self.paid_up_cutoff().await?)),
            Some("false" | "no" | "0") => Some((false, self.paid_up_cutoff().await?)),
            Some(other) => {
                errs.add(
                    "paid_up",
                    format!("paid_up '{other}' must be true or false"),
                );
                None
            }
        };
        let sort = match blank(&raw.sort) {
            None => MemberSort::Name,
            Some(s) => match SORTS.iter().find(|(k, _)| *k == s) {
                Some((_, v)) => *v,
                None => {
                    errs.add("sort", format!("sort '{s}' must be one of name, -name, joined, -joined, paid_up_until, -paid_up_until"));
                    MemberSort::Name
                }
            },
        };
        let page = parse_positive(&mut errs, "page", blank(&raw.page), 1, 1_000_000);
        let per_page = parse_positive(
            &mut errs,
            "per_page",
            blank(&raw.per_page),
            DEFAULT_PER_PAGE,
            MAX_PER_PAGE,
        );
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let scope = self.member_scope(actor).await?;
        if let (Some(b), MemberScope::Branches(allowed)) = (branch, &scope)
            && !allowed.contains(&b)
        {
            return Err(AppError::Forbidden(
                "you may not see members of that branch: no office of yours covers it".into(),
            ));
        }
        Ok(MemberQuery {
            scope,
            text,
            branch,
            status,
            paid_up,
            sort,
            page,
            per_page,
        })
    }

    /// One page of the member directory, every row logged as a read by the actor.
    pub async fn directory(
        &self,
        actor: &Actor,
        raw: &DirectoryQuery,
    ) -> Result<(MemberQuery, Page<MemberSummary>), AppError> {
        let query = self.directory_query(actor, raw).await?;
        let office = actor
            .offices
            .iter()
            .find(|o| o.kind.powers().contains(&Power::ViewMembers));
        let access = self.access(actor, office, "directory");
        let page = self.store.search_members(&query, Some(&access)).await?;
        Ok((query, page))
    }

    /// The office that lets `actor` use `power` on `member`, or a refusal naming what is missing.
    pub(crate) async fn authority_over(
        &self,
        actor: &Actor,
        member: MemberId,
        power: Power,
    ) -> Result<(UnitId, Option<HeldOffice>), AppError> {
        let refused = || {
            AppError::Forbidden(match power {
                Power::ViewMembers => "you may not see this member: no office of yours covers their branch".into(),
                _ => "you may not do this: no office of yours gives that power over this member's branch".into(),
            })
        };
        let tree = self.tree().await?;
        let Some(branch) = self.store.member_branch(member).await? else {
            // Only someone whose power reaches every branch learns that a number is unused:
            // to anyone else an unknown number is refused in the words an unreachable member
            // is, so trying numbers tells them nothing about who is on the register.
            let everywhere = self
                .store
                .units()
                .await?
                .into_iter()
                .find(|u| u.kind == UnitKind::National)
                .is_some_and(|n| actor.authority(power, n.id, &tree).is_some());
            return Err(if everywhere {
                AppError::NotFound("member")
            } else {
                refused()
            });
        };
        match actor.authority(power, branch, &tree) {
            Some(o) => Ok((branch, Some(o.clone()))),
            None => Err(refused()),
        }
    }

    pub async fn member_view(
        &self,
        actor: &Actor,
        member: MemberId,
    ) -> Result<MemberView, AppError> {
        let is_self = actor.member == member;
        let (branch, office) = if is_self {
            let b = self
                .store
                .member_branch(member)
                .await?
                .ok_or(AppError::NotFound("member"))?;
            (b, None)
        } else {
            self.authority_over(actor, member, Power::ViewMembers)
                .await?
        };
        let access = office
            .as_ref()
            .map(|o| self.access(actor, Some(o), "member page"));
        let detail = self
            .store
            .member(member, access.as_ref())
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let tree = self.tree().await?;
        let may = |p| actor.may(p, branch, &tree);
        let status = detail.record.status;
        // Members edit their own details only while in good standing; otherwise officers do.
        let self_service = is_self && status.sign_in() == SignIn::Member;
        Ok(MemberView {
            paid_up: is_paid_up(
                detail.record.paid_up_until,
                self.today(),
                self.grace_days().await?,
            ),
            is_self,
            may_edit: self_service || may(Power::EditMembers),
            may_change_status: may(Power::ChangeStatus),
            may_record_dues: may(Power::RecordDues),
            may_verify_affiliations: may(Power::VerifyAffiliations),
            may_transfer: may(Power::EditMembers),
            // Suspending and expelling are a meeting's decision, not this form's.
            next_statuses: status
                .next_statuses()
                .into_iter()
                .filter(|s| !matches!(s, MemberStatus::Suspended | MemberStatus::Expelled))
                .collect(),
            detail,
        })
    }

    pub async fn my_membership(
        &self,
        actor: &Actor,
        log_page: u32,
    ) -> Result<MyMembership, AppError> {
        let view = self.member_view(actor, actor.member).await?;
        let access_log = self
            .store
            .access_log(actor.member, log_page.max(1), 50)
            .await?;
        let status = view.detail.record.status;
        Ok(MyMembership {
            offices: actor.offices.clone(),
            access_log,
            access: status.sign_in(),
            may_resign: status.transition(MemberStatus::Resigned).is_ok(),
            may_admit: !actor.scope_roots(Power::ChangeStatus).is_empty(),
            view,
        })
    }

    /// Contact details: the member themselves, or an officer with the power to edit. An
    /// email address is never changed here: an officer's new address is only proposed (the
    /// member confirms it from that address, with their password; see
    /// [`App::propose_email_correction`]), and a member changes their own with their password
    /// ([`App::request_email_change`]).
    pub async fn update_member(
        &self,
        actor: &Actor,
        member: MemberId,
        raw: &RawMemberChanges,
    ) -> Result<MemberUpdate, AppError> {
        let office = if actor.member == member {
            match self.store.member_standing(member).await? {
                Some((_, status)) if status.sign_in() == SignIn::Member => None,
                Some((_, status)) => {
                    return Err(AppError::Forbidden(format!(
                        "while your membership is {status}, your details are changed by your branch's officers"
                    )));
                }
                None => return Err(AppError::NotFound("member")),
            }
        } else {
            self.authority_over(actor, member, Power::EditMembers)
                .await?
                .1
        };
        let mut changes = MemberChanges::parse(raw)?;
        let current_email = self
            .store
            .member_contacts(&[member])
            .await?
            .into_iter()
            .next()
            .map(|(_, _, e)| e)
            .ok_or(AppError::NotFound("member"))?;
        let new_email = changes.email.take().filter(|e| e.as_str() != current_email);
        if new_email.is_some() && office.is_none() {
            return Err(AppError::invalid(
                "email",
                "change your own address from \"Change my email address\" on My membership, which asks for your password",
            ));
        }
        if changes.is_empty() && new_email.is_none() {
            return Err(AppError::invalid(
                "fields",
                "nothing to change: give at least one field",
            ));
        }
        if !changes.is_empty() {
            let payload = json!({
                "member": member.0,
                "fields": changed_fields(&changes),
            });
            let event = self.event(
                event_actor(actor, office.as_ref()),
                "member.updated",
                format!("member:{}", member.0),
                payload,
                if office.is_some() {
                    "details changed by an officer"
                } else {
                    "details changed by the member"
                },
            );
            self.store.update_member(member, &changes, &event).await?;
        }
        if let Some(email) = &new_email {
            self.propose_email_correction(actor, member, email).await?;
        }
        Ok(MemberUpdate {
            email_proposed: new_email.is_some(),
        })
    }

    pub async fn change_status(
        &self,
        actor: &Actor,
        member: MemberId,
        req: &StatusChangeRequest,
    ) -> Result<MemberStatus, AppError> {
        let (_, office) = self
            .authority_over(actor, member, Power::ChangeStatus)
            .await?;
        let mut errs = FieldErrors::default();
        let to = match MemberStatus::parse(&req.to) {
            Ok(s) => Some(s),
            Err(e) => {
                errs.add("status", e);
                None
            }
        };
        let effective_on = if req.effective_on.trim().is_empty() {
            Some(self.today())
        } else {
            errs.check(
                "effective_on",
                parse_date("effective date", &req.effective_on),
            )
        };
        let reason = reason_required(&mut errs, &req.reason);
        let current = self
            .store
            .member(member, None)
            .await?
            .ok_or(AppError::NotFound("member"))?
            .record;
        if let Some(eff) = effective_on {
            if eff < current.joined_on {
                errs.add("effective_on", "effective date is before the member joined");
            }
            if eff > self.today() + chrono::Days::new(366) {
                errs.add("effective_on", "effective date is more than a year ahead");
            }
        }
        if let Some(to) = to
            && let Err(e) = current.status.transition(to)
        {
            errs.add("status", e);
        }
        let (Some(to), Some(effective_on)) = (to, effective_on) else {
            return Err(AppError::Invalid(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        // Nobody suspends or expels alone: only a decision of the body the constitution names.
        if matches!(to, MemberStatus::Suspended | MemberStatus::Expelled) {
            return Err(match self.constitution_in_force(self.today()).await {
                Ok((_, c)) => crate::discipline::only_by_decision(&c, to),
                Err(AppError::NotFound(_)) => AppError::Forbidden(
                    "no constitution is in force, so no body may suspend or expel a member".into(),
                ),
                Err(e) => e,
            });
        }
        let change = StatusChangeInput {
            from: Some(current.status),
            to,
            effective_on,
            reason: reason.clone(),
            changed_by: Some(actor.member),
        };
        let event = self.event(
            event_actor(actor, office.as_ref()),
            "member.status_changed",
            format!("member:{}", member.0),
            json!({"member": member.0, "from": current.status.as_str(), "to": to.as_str(), "effective_on": effective_on.to_string()}),
            &reason,
        );
        self.store
            .change_status(member, current.status, &change, &event)
            .await?;
        Ok(to)
    }

    pub async fn record_payment(
        &self,
        actor: &Actor,
        member: MemberId,
        req: &PaymentRequest,
    ) -> Result<Option<NaiveDate>, AppError> {
        let (_, office) = self
            .authority_over(actor, member, Power::RecordDues)
            .await?;
        let mut errs = FieldErrors::default();
        let paid_on = errs.check("paid_on", parse_date("payment date", &req.paid_on));
        if paid_on.is_some_and(|d| d > self.today()) {
            errs.add("paid_on", "payment date is in the future");
        }
        let amount = errs.check("amount", Money::parse("amount", &req.amount));
        if amount.is_some_and(|a| a.pence() == 0) {
            errs.add("amount", "amount must be more than zero");
        }
        let months = match req.months.trim().parse::<u32>() {
            Ok(m) if (1..=MAX_MONTHS).contains(&m) => Some(m),
            _ => {
                errs.add(
                    "months",
                    format!(
                        "months '{}' must be a whole number from 1 to {MAX_MONTHS}",
                        req.months.trim()
                    ),
                );
                None
            }
        };
        let (Some(paid_on), Some(amount), Some(months)) = (paid_on, amount, months) else {
            return Err(AppError::Invalid(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let payment = Payment {
            paid_on,
            amount,
            months,
        };
        let event = self.event(
            event_actor(actor, office.as_ref()),
            "member.payment_recorded",
            format!("member:{}", member.0),
            json!({"member": member.0, "paid_on": paid_on.to_string(), "amount_pence": amount.pence(), "months": months}),
            "dues payment recorded",
        );
        Ok(self
            .store
            .record_payment(member, &payment, Some(actor.member), &event)
            .await?)
    }

    pub async fn add_affiliation(
        &self,
        actor: &Actor,
        member: MemberId,
        organisation: &str,
        since: &str,
    ) -> Result<AffiliationId, AppError> {
        let office = if actor.member == member {
            None
        } else {
            self.authority_over(actor, member, Power::VerifyAffiliations)
                .await?
                .1
        };
        let mut errs = FieldErrors::default();
        let org = organisation
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if org.is_empty() {
            errs.add("organisation", "organisation is required");
        } else if org.chars().count() > MAX_ORGANISATION {
            errs.add(
                "organisation",
                format!("organisation is longer than {MAX_ORGANISATION} characters"),
            );
        }
        let since = if since.trim().is_empty() {
            None
        } else {
            errs.check("since", parse_date("since", since))
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        let event = self.event(
            event_actor(actor, office.as_ref()),
            "member.affiliation_added",
            format!("member:{}", member.0),
            // The organisation's name stays out of the event: political affiliation is
            // special-category data and the governance log is readable by every member.
            json!({"member": member.0, "since": since.map(|d| d.to_string())}),
            "affiliation declared",
        );
        Ok(self
            .store
            .add_affiliation(member, &org, since, &event)
            .await?)
    }

    pub async fn verify_affiliation(
        &self,
        actor: &Actor,
        member: MemberId,
        affiliation: AffiliationId,
    ) -> Result<(), AppError> {
        let (_, office) = self
            .authority_over(actor, member, Power::VerifyAffiliations)
            .await?;
        let today = self.today();
        let event = self.event(
            event_actor(actor, office.as_ref()),
            "member.affiliation_verified",
            format!("member:{}", member.0),
            json!({"member": member.0, "affiliation": affiliation, "verified_on": today.to_string()}),
            "affiliation verified",
        );
        self.store
            .verify_affiliation(member, affiliation, actor.member, today, &event)
            .await?;
        Ok(())
    }

    /// Moves a member to another branch. The officer needs the power over both branches,
    /// so nobody can push members out of, or pull them into, a branch they do not serve.
    pub async fn transfer(
        &self,
        actor: &Actor,
        member: MemberId,
        req: &TransferRequest,
    ) -> Result<(), AppError> {
        let (from, office) = self
            .authority_over(actor, member, Power::EditMembers)
            .await?;
        let tree = self.tree().await?;
        let mut errs = FieldErrors::default();
        let to = match req.to_branch.trim().parse::<i64>().ok().map(UnitId) {
            Some(id) if tree.kind(id) == Some(UnitKind::Branch) => Some(id),
            _ => {
                errs.add("to_branch", "choose a branch to move the member to");
                None
            }
        };
        if to == Some(from) {
            errs.add("to_branch", "the member is already in that branch");
        } else if let Some(t) = to
            && !self.branches().await?.iter().any(|b| b.id == t)
        {
            errs.add("to_branch", "that branch is closed; choose an open one");
        }
        let effective_on = if req.effective_on.trim().is_empty() {
            Some(self.today())
        } else {
            errs.check(
                "effective_on",
                parse_date("effective date", &req.effective_on),
            )
        };
        let reason = reason_required(&mut errs, &req.reason);
        let (Some(to), Some(effective_on)) = (to, effective_on) else {
            return Err(AppError::Invalid(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        if !actor.may(Power::EditMembers, to, &tree) {
            return Err(AppError::Forbidden(
                "you may not move members into that branch: no office of yours covers it".into(),
            ));
        }
        let mv = BranchMoveInput {
            from,
            to,
            effective_on,
            reason: reason.clone(),
            moved_by: Some(actor.member),
        };
        let event = self.event(
            event_actor(actor, office.as_ref()),
            "member.transferred",
            format!("member:{}", member.0),
            json!({"member": member.0, "from": from.0, "to": to.0, "effective_on": effective_on.to_string()}),
            &reason,
        );
        self.store.transfer_member(member, &mv, &event).await?;
        Ok(())
    }

    /// Members for export by an officer with the export power over `branch` (or everything).
    pub async fn export_members(
        &self,
        actor: &Actor,
        branch: Option<UnitId>,
    ) -> Result<Vec<MemberRecord>, AppError> {
        let tree = self.tree().await?;
        let target = match branch {
            Some(b) => b,
            None => self.national_unit().await?.id,
        };
        let office = actor
            .authority(Power::ExportMembers, target, &tree)
            .cloned()
            .ok_or_else(|| {
                AppError::Forbidden(
                    "you may not export members: no office of yours gives that power here".into(),
                )
            })?;
        let scope = if tree.kind(target) == Some(UnitKind::National) {
            MemberScope::All
        } else {
            MemberScope::Branches(tree.branches_within(target))
        };
        let access = self.access(actor, Some(&office), "export");
        Ok(self.store.export_members(&scope, &access).await?)
    }

    /// Operator export from the command line: logged as the operator, with the reason given.
    pub async fn operator_export(
        &self,
        branch: Option<UnitId>,
        reason: &str,
    ) -> Result<Vec<MemberRecord>, AppError> {
        let tree = self.tree().await?;
        let scope = match branch {
            Some(b) if tree.kind(b) == Some(UnitKind::Branch) => MemberScope::Branches(vec![b]),
            Some(_) => return Err(AppError::invalid("branch", "that is not a branch")),
            None => MemberScope::All,
        };
        let access = self.operator_access(&format!("export: {reason}"));
        Ok(self.store.export_members(&scope, &access).await?)
    }
}

fn parse_positive(
    errs: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    default: u32,
    max: u32,
) -> u32 {
    match raw {
        None => default,
        Some(s) => match s.parse::<u32>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                errs.add(
                    field,
                    format!("{field} '{s}' must be a whole number from 1 to {max}"),
                );
                default
            }
        },
    }
}

fn changed_fields(c: &MemberChanges) -> Vec<&'static str> {
    let mut f = Vec::new();
    if c.first_name.is_some() {
        f.push("first_name");
    }
    if c.last_name.is_some() {
        f.push("last_name");
    }
    if c.email.is_some() {
        f.push("email");
    }
    if c.phone.is_some() {
        f.push("phone");
    }
    if c.postcode.is_some() {
        f.push("postcode");
    }
    if c.dues_plan.is_some() {
        f.push("dues_plan");
    }
    f
}
