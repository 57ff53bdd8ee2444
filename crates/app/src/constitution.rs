//! The constitution as the members see it: adopted versions, the version in force on a date,
//! a member's rights with the clauses that decide them, amendments with every attempt to
//! adopt them, diffs and impact previews. Anyone signed in may read the constitution; a
//! member's rights are read by the member or by an officer who may see them (logged).
//!
//! After the founding there is no path to a new version except an amendment whose adoption
//! passes the amendment procedure of the version in force; refused attempts are kept too.

use std::collections::HashMap;

use charter_domain::{Actor, MemberId, Power};
use charter_model::{AmendmentId, ConstitutionVersionId, MotionId};
use charter_rules::{
    Affiliation, Constitution, Forum, Impact, Key, MemberFacts, RightDecision, VersionDiff, diff,
    impact_preview,
};
use charter_store::{
    AmendmentAttemptRecord, AmendmentRecord, ConstitutionVersionRecord, EventActor,
    MemberFactsRecord, NewAmendment, NewConstitutionVersion,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use crate::{App, AppError, event_actor};

/// The longest title of a proposed amendment, in characters.
pub const MAX_AMENDMENT_TITLE: usize = 200;

/// Adopted versions with their parsed text, oldest effective date first.
pub(crate) type Versions = std::sync::Arc<Vec<(ConstitutionVersionRecord, Constitution)>>;

/// One adopted version, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    pub id: ConstitutionVersionId,
    pub version: String,
    pub name: String,
    pub effective: NaiveDate,
    pub adopted_by: String,
    pub recorded_at: DateTime<Utc>,
}

pub use charter_domain::AmendmentState;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentInfo {
    pub id: AmendmentId,
    pub title: String,
    pub proposed_version: String,
    pub effective: NaiveDate,
    pub state: AmendmentState,
    pub proposed_by: Option<MemberId>,
    pub proposed_at: DateTime<Utc>,
    /// Every attempt to adopt it, oldest first.
    pub attempts: Vec<AttemptInfo>,
}

/// One attempt to adopt an amendment, as judged against the version then in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptInfo {
    pub decided_on: NaiveDate,
    pub body: String,
    pub adopted: bool,
    /// (clause, reason) for each failing step; the clause is empty when none covers it.
    pub failures: Vec<(String, String)>,
    pub recorded_at: DateTime<Utc>,
    /// The motion that decided it.
    pub motion: Option<MotionId>,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("stored {what} does not read: {e}"))
}

fn parse_stored(toml: &str, what: &str) -> Result<Constitution, AppError> {
    Constitution::from_toml(toml).map_err(|e| corrupt(what, e))
}

fn version_info(r: &ConstitutionVersionRecord) -> VersionInfo {
    VersionInfo {
        id: r.id,
        version: r.version.clone(),
        name: r.name.clone(),
        effective: r.effective,
        adopted_by: r.adopted_by.clone(),
        recorded_at: r.recorded_at,
    }
}

fn attempt_info(r: &AmendmentAttemptRecord) -> Result<AttemptInfo, AppError> {
    let failures: Vec<(String, String)> =
        serde_json::from_str(&r.failures_json).map_err(|e| corrupt("attempt failures", e))?;
    Ok(AttemptInfo {
        decided_on: r.decided_on,
        body: r.body.clone(),
        adopted: r.adopted,
        failures,
        recorded_at: r.recorded_at,
        motion: r.motion,
    })
}

fn amendment_info(
    r: &AmendmentRecord,
    attempts: &[&AmendmentAttemptRecord],
) -> Result<AmendmentInfo, AppError> {
    let state = r.state;
    Ok(AmendmentInfo {
        id: r.id,
        title: r.title.clone(),
        proposed_version: r.proposed_version.clone(),
        effective: r.effective,
        state,
        proposed_by: r.proposed_by,
        proposed_at: r.proposed_at,
        attempts: attempts
            .iter()
            .map(|a| attempt_info(a))
            .collect::<Result<_, _>>()?,
    })
}

/// The engine's view of a member from the store's plain record.
pub fn member_facts(r: MemberFactsRecord) -> MemberFacts {
    MemberFacts {
        member: r.member,
        status: r.status,
        paid_up_until: r.paid_up_until,
        joined_on: r.joined_on,
        affiliations: r
            .affiliations
            .into_iter()
            .map(|(organisation, verified)| Affiliation {
                organisation,
                verified,
            })
            .collect(),
        home_branch: r.branch,
        home_region: r.region,
        offices: r.offices,
        // A register body is named as members know it ("London Regional Committee"); the
        // rules name it by key ("regional-committee"). A name that makes no key cannot be
        // named by a rule.
        seats: r.seats.iter().flat_map(|s| body_keys(s)).collect(),
    }
}

/// The keys a register body's name may go by in the rules: its slug, and the slug without
/// leading words naming its unit ("London Regional Committee" → "london-regional-committee",
/// "regional-committee"), down to two words.
pub(crate) fn body_keys(name: &str) -> Vec<Key> {
    let slug = slug(name);
    let parts: Vec<&str> = slug.split('-').collect();
    (0..parts.len().saturating_sub(1).max(1))
        .filter_map(|i| Key::parse(&parts[i..].join("-")).ok())
        .collect()
}

/// "Steering Committee" → "steering-committee".
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn cite(d: &RightDecision) -> String {
    if d.clauses.is_empty() || d.reason.contains("clause") {
        d.reason.clone()
    } else {
        let c: Vec<&str> = d.clauses.iter().map(|c| c.as_str()).collect();
        format!("{} (clause {})", d.reason, c.join(", "))
    }
}

impl App {
    /// Adopted versions with their parsed text, oldest effective date first.
    /// Cached: versions change only through this module, which clears the cache.
    pub(crate) async fn versions_parsed(
        &self,
    ) -> Result<Vec<(ConstitutionVersionRecord, Constitution)>, AppError> {
        if let Some(v) = self.versions.read().await.as_ref() {
            return Ok(v.as_ref().clone());
        }
        let parsed: Vec<(ConstitutionVersionRecord, Constitution)> = self
            .store
            .constitution_versions()
            .await?
            .into_iter()
            .map(|r| {
                let c = parse_stored(&r.toml, "constitution version")?;
                Ok((r, c))
            })
            .collect::<Result<_, AppError>>()?;
        *self.versions.write().await = Some(std::sync::Arc::new(parsed.clone()));
        Ok(parsed)
    }

    /// Forgets the cached versions (after a version is recorded, here or by another process).
    pub async fn constitution_changed(&self) {
        *self.versions.write().await = None;
    }

    /// The version in force on `on` among `versions` (sorted by effective date).
    fn pick(
        versions: Vec<(ConstitutionVersionRecord, Constitution)>,
        on: NaiveDate,
    ) -> Option<(ConstitutionVersionRecord, Constitution)> {
        versions.into_iter().rev().find(|(r, _)| r.effective <= on)
    }

    /// Dues grace period in days: the constitution in force today where there is one,
    /// otherwise the configured default.
    pub async fn grace_days(&self) -> Result<u32, AppError> {
        let versions = self.versions_parsed().await?;
        Ok(Self::pick(versions, self.today())
            .map(|(_, c)| c.grace_days())
            .unwrap_or(self.settings.grace_days))
    }

    /// Records the founding version (`charter init`, the demo). Refused once any version
    /// exists: after the founding, only an adopted amendment makes a new version.
    pub async fn found_constitution(
        &self,
        by: EventActor,
        toml: &str,
    ) -> Result<ConstitutionVersionId, AppError> {
        let c = Constitution::from_toml(toml).map_err(|e| AppError::invalid("toml", e))?;
        let v = NewConstitutionVersion {
            toml: toml.to_string(),
            version: c.version().to_string(),
            name: c.name().to_string(),
            effective: c.effective(),
            adopted_by: c.adopted_by().text.clone(),
        };
        let event = self.event(
            by,
            "constitution.founded",
            "constitution".into(),
            json!({ "version": v.version, "name": v.name, "effective": v.effective }),
            &v.adopted_by,
        );
        let id = self.store.found_constitution(&v, &event).await;
        self.constitution_changed().await;
        id.map_err(AppError::from)
    }

    pub async fn constitution_versions(&self) -> Result<Vec<VersionInfo>, AppError> {
        Ok(self
            .store
            .constitution_versions()
            .await?
            .iter()
            .map(version_info)
            .collect())
    }

    pub async fn constitution_version(
        &self,
        id: ConstitutionVersionId,
    ) -> Result<(VersionInfo, Constitution), AppError> {
        let r = self
            .store
            .constitution_version(id)
            .await?
            .ok_or(AppError::NotFound("constitution version"))?;
        let c = parse_stored(&r.toml, "constitution version")?;
        Ok((version_info(&r), c))
    }

    /// A version's text exactly as it was adopted, for export: the file as its authors wrote
    /// it, comments and layout included, not a rendering of the parsed rules.
    pub async fn constitution_text(
        &self,
        id: ConstitutionVersionId,
    ) -> Result<(VersionInfo, String), AppError> {
        let r = self
            .store
            .constitution_version(id)
            .await?
            .ok_or(AppError::NotFound("constitution version"))?;
        Ok((version_info(&r), r.toml))
    }

    /// The version in force on `on`; `NotFound("constitution")` before the founding.
    pub async fn constitution_in_force(
        &self,
        on: NaiveDate,
    ) -> Result<(VersionInfo, Constitution), AppError> {
        let versions = self.versions_parsed().await?;
        let (r, c) = Self::pick(versions, on).ok_or(AppError::NotFound("constitution"))?;
        Ok((version_info(&r), c))
    }

    /// "What may this member do, and why not?" on `on`, by the version in force that day.
    /// The member may ask about themselves; an officer who may see the member may ask too,
    /// and that read is logged like a look at their page.
    pub async fn member_rights(
        &self,
        actor: &Actor,
        member: MemberId,
        on: NaiveDate,
    ) -> Result<Vec<RightDecision>, AppError> {
        let access = if actor.member == member {
            None
        } else {
            let (_, office) = self
                .authority_over(actor, member, Power::ViewMembers)
                .await?;
            Some(self.access(actor, office.as_ref(), "member rights"))
        };
        let (_, c) = self.constitution_in_force(on).await?;
        let facts = self.facts_on(member, on, access.as_ref()).await?;
        Ok(c.rights_of(&member_facts(facts), on))
    }

    /// A member's rights on `on`, read by the operator's command line. The read is logged in
    /// the member's access log as the operator's, with `reason`, like an operator export.
    pub async fn operator_member_rights(
        &self,
        member: MemberId,
        on: NaiveDate,
        reason: &str,
    ) -> Result<(VersionInfo, Vec<RightDecision>), AppError> {
        let (info, c) = self.constitution_in_force(on).await?;
        let access = self.operator_access(&format!("member rights: {reason}"));
        let facts = self.facts_on(member, on, Some(&access)).await?;
        Ok((info, c.rights_of(&member_facts(facts), on)))
    }

    /// A member's facts on a day; asking about a day before they joined is a question about
    /// the date, not a missing member.
    async fn facts_on(
        &self,
        member: MemberId,
        on: NaiveDate,
        access: Option<&charter_store::AccessContext>,
    ) -> Result<MemberFactsRecord, AppError> {
        match self.store.member_facts_of(member, on, access).await? {
            Some(f) => Ok(f),
            None if self.store.member_branch(member).await?.is_some() => Err(AppError::invalid(
                "on",
                format!("they were not yet a member on {on}; choose a later date"),
            )),
            None => Err(AppError::NotFound("member")),
        }
    }

    pub async fn constitution_diff(
        &self,
        from_version_id: ConstitutionVersionId,
        to_version_id: ConstitutionVersionId,
    ) -> Result<VersionDiff, AppError> {
        let (_, from) = self.constitution_version(from_version_id).await?;
        let (_, to) = self.constitution_version(to_version_id).await?;
        Ok(diff(&from, &to))
    }

    pub async fn amendments(&self) -> Result<Vec<AmendmentInfo>, AppError> {
        let amendments = self.store.amendments().await?;
        let attempts = self.store.amendment_attempts(None).await?;
        let mut by: HashMap<AmendmentId, Vec<&AmendmentAttemptRecord>> = HashMap::new();
        for a in &attempts {
            by.entry(a.amendment).or_default().push(a);
        }
        amendments
            .iter()
            .map(|a| amendment_info(a, by.get(&a.id).map_or(&[][..], |v| v.as_slice())))
            .collect()
    }

    /// One amendment with its attempts and the text of the version it would make.
    pub async fn amendment(
        &self,
        id: AmendmentId,
    ) -> Result<(AmendmentInfo, Constitution), AppError> {
        let (r, c) = self.amendment_parsed(id).await?;
        let attempts = self.store.amendment_attempts(Some(id)).await?;
        let refs: Vec<&AmendmentAttemptRecord> = attempts.iter().collect();
        Ok((amendment_info(&r, &refs)?, c))
    }

    pub(crate) async fn amendment_parsed(
        &self,
        id: AmendmentId,
    ) -> Result<(AmendmentRecord, Constitution), AppError> {
        let r = self
            .store
            .amendment(id)
            .await?
            .ok_or(AppError::NotFound("amendment"))?;
        let c = parse_stored(&r.toml, "amendment")?;
        Ok((r, c))
    }

    /// The version an amendment changes: for one not yet adopted, the version in force
    /// today; for an adopted one, the version it replaced (today it may be in force itself).
    async fn amendment_base(
        &self,
        id: AmendmentId,
        amendment: &AmendmentRecord,
    ) -> Result<Constitution, AppError> {
        let versions: Vec<_> = self
            .versions_parsed()
            .await?
            .into_iter()
            .filter(|(r, _)| r.amendment != Some(id))
            .collect();
        let on = if amendment.state == AmendmentState::Adopted {
            amendment
                .effective
                .pred_opt()
                .unwrap_or(amendment.effective)
        } else {
            self.today()
        };
        Self::pick(versions, on)
            .map(|(_, c)| c)
            .ok_or(AppError::NotFound("constitution"))
    }

    /// What the amendment changes, clause by clause, against the version in force today
    /// (for an adopted amendment, against the version it replaced).
    pub async fn amendment_diff(&self, id: AmendmentId) -> Result<VersionDiff, AppError> {
        let (r, c) = self.amendment_parsed(id).await?;
        let base = self.amendment_base(id, &r).await?;
        Ok(diff(&base, &c))
    }

    /// Who would gain or lose which right, over the whole register as it stands on the
    /// amendment's effective date, and which bodies it dissolves, creates or changes.
    pub async fn amendment_impact(&self, id: AmendmentId) -> Result<Impact, AppError> {
        let (r, c) = self.amendment_parsed(id).await?;
        let base = self.amendment_base(id, &r).await?;
        let on = c.effective();
        let facts: Vec<MemberFacts> = self
            .store
            .member_facts(on)
            .await?
            .into_iter()
            .map(member_facts)
            .collect();
        Ok(impact_preview(&base, &c, &facts, on))
    }

    /// Proposes an amendment: the whole text of the version it would make. The proposer
    /// needs the right to propose where the version in force lets amendments be decided.
    pub async fn propose_amendment(
        &self,
        actor: &Actor,
        title: &str,
        toml: &str,
    ) -> Result<AmendmentId, AppError> {
        let title = title.trim();
        if title.is_empty() {
            return Err(AppError::invalid("title", "give the amendment a title"));
        }
        if title.chars().count() > MAX_AMENDMENT_TITLE {
            return Err(AppError::invalid(
                "title",
                format!("title is longer than {MAX_AMENDMENT_TITLE} characters"),
            ));
        }
        let proposed = Constitution::from_toml(toml).map_err(|e| AppError::invalid("toml", e))?;
        let today = self.today();
        let (_, in_force) = self.constitution_in_force(today).await?;
        let Some((clause, procedure)) = in_force.amendment_procedure() else {
            return Err(AppError::Forbidden(format!(
                "the constitution in force ('{}') has no amendment procedure, so it cannot be amended",
                in_force.version()
            )));
        };
        let facts = self
            .store
            .member_facts_of(actor.member, today, None)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let facts = member_facts(facts);
        let mut refusals = Vec::new();
        let mut allowed = false;
        for body in &procedure.by {
            let Ok(context) = charter_rules::Context::parse(body.as_str()) else {
                continue;
            };
            let forum = Forum::new(
                context.clone(),
                context.home_unit(facts.home_branch, facts.home_region),
            );
            let d = in_force.decide(&facts, charter_rules::Right::Propose, &forum, today);
            if d.allowed {
                allowed = true;
                break;
            }
            refusals.push(cite(&d));
        }
        if !allowed {
            let why = if refusals.is_empty() {
                format!(
                    "clause {clause}: amendments are decided by a body in which no member may propose"
                )
            } else {
                refusals.join("; ")
            };
            return Err(AppError::Forbidden(format!(
                "you may not propose an amendment: {why}"
            )));
        }
        let a = NewAmendment {
            title: title.to_string(),
            toml: toml.to_string(),
            proposed_version: proposed.version().to_string(),
            effective: proposed.effective(),
            proposed_by: Some(actor.member),
        };
        let event = self.event(
            event_actor(actor, None),
            "constitution.amendment_proposed",
            "constitution".into(),
            json!({ "title": a.title, "version": a.proposed_version, "effective": a.effective }),
            title,
        );
        Ok(self.store.propose_amendment(&a, &event).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::body_keys;

    #[test]
    fn a_body_goes_by_its_slug_and_by_its_name_without_the_unit() {
        let keys = |n: &str| -> Vec<String> {
            body_keys(n)
                .iter()
                .map(|k| k.as_str().to_string())
                .collect()
        };
        assert_eq!(keys("Steering Committee"), ["steering-committee"]);
        assert_eq!(
            keys("London Regional Committee"),
            ["london-regional-committee", "regional-committee"]
        );
        assert_eq!(keys("Conference"), ["conference"]);
        assert!(keys("  ").is_empty());
    }
}
