//! What the pages of a verifiable ballot need beside `verifiable`: who may be appointed a
//! trustee, the context a voter's device encrypts under, and the roll the scrutineer makes
//! the voters' credentials from.

use charter_ballot_crypto::ElectionContext;
use charter_domain::{Actor, MemberId};
use charter_model::BallotId;
use charter_rules::TrusteeRule;

use crate::ballots::ballot_rule;
use crate::{App, AppError};

/// A member who may be appointed a trustee today: a holder of one of the offices the ballot
/// clause names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrusteeCandidate {
    pub member: MemberId,
    pub name: String,
    /// The office in words ("Secretary"), and its unit's name.
    pub office: String,
    pub unit_name: String,
}

/// One voter of a verifiable ballot's roll, as `charter credentials generate` reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialVoter {
    pub member: MemberId,
    pub name: String,
    pub email: String,
}

impl App {
    /// The trustee rule of the ballot clause in force, with its clause, if it names trustees.
    pub async fn trustee_rule(&self) -> Result<Option<(Option<String>, TrusteeRule)>, AppError> {
        let (_, c) = self.constitution_in_force(self.today()).await?;
        let (clause, rule) = ballot_rule(&c);
        Ok(rule.trustees.map(|t| (clause, t)))
    }

    /// The holders today of the offices whose holders may be trustees, office by office.
    /// Names of office holders are public, as on the units' pages.
    pub async fn trustee_candidates(&self) -> Result<Vec<TrusteeCandidate>, AppError> {
        let Some((_, rule)) = self.trustee_rule().await? else {
            return Ok(Vec::new());
        };
        let kinds = rule.office_kinds();
        let mut out: Vec<TrusteeCandidate> = self
            .store
            .offices(None, self.today())
            .await?
            .into_iter()
            .filter(|o| kinds.contains(&o.kind))
            .filter_map(|o| {
                Some(TrusteeCandidate {
                    member: o.holder?,
                    name: o.holder_name.clone().unwrap_or_default(),
                    office: o.kind.title().to_string(),
                    unit_name: o.unit_name.clone(),
                })
            })
            .collect();
        out.sort_by(|a, b| (&a.unit_name, &a.office).cmp(&(&b.unit_name, &b.office)));
        Ok(out)
    }

    /// What a voter's device encrypts under: the election parameters, fingerprint and key
    /// of an open verifiable ballot, fixed from its opening. `None` for a ballot that is not
    /// verifiable; `Conflict` while its key or credentials are not made.
    pub async fn voting_context(&self, id: BallotId) -> Result<Option<ElectionContext>, AppError> {
        Ok(self.open_board(id).await?.map(|b| b.context.clone()))
    }

    /// The roll of a verifiable ballot as `charter credentials generate` reads it: each
    /// voter's member id, name and email. Only for the ballot's scrutineer, who makes the
    /// credentials; every member listed is logged as read.
    pub async fn credentials_roll(
        &self,
        actor: &Actor,
        id: BallotId,
    ) -> Result<Vec<CredentialVoter>, AppError> {
        let b = self.ballot_record(id).await?;
        let office = self.scrutineer_office(actor, &b).await?;
        self.ceremony(id).await?;
        let access = self.access(actor, Some(&office), "ballot credentials roll (scrutineer)");
        // The read that leaves the system is logged, member by member.
        self.store.roll_frozen_lines(b.roll, Some(&access)).await?;
        let voters: Vec<MemberId> = self
            .eligible_voters(&b)
            .await?
            .into_iter()
            .map(|(m, _)| m)
            .collect();
        let mut out: Vec<CredentialVoter> = self
            .store
            .member_contacts(&voters)
            .await?
            .into_iter()
            .map(|(member, name, email)| CredentialVoter {
                member,
                name,
                email,
            })
            .collect();
        out.sort_by_key(|v| v.member);
        Ok(out)
    }
}
