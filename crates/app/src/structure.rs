//! The organisation's structure as members see it: units, their officers, bodies and counts.
//! Counts and office holders are visible to every signed-in member, so members can see who
//! holds power over them and how the organisation is made up.

use std::collections::HashMap;

use charter_domain::{Actor, MotionState, UnitId, UnitKind, UnitTree};
use charter_model::MeetingId;
use charter_rules::{DecisionKind, Key};
use charter_store::{BodyRecord, BranchStats, OfficeRecord, OfficeTermRecord, UnitRecord};

use crate::{App, AppError};

#[derive(Debug, Clone)]
pub struct UnitSummary {
    pub unit: UnitRecord,
    pub stats: BranchStats,
}

impl UnitSummary {
    /// Paid-up members as a share of members, in whole per cent.
    pub fn paid_up_percent(&self) -> u64 {
        let m = self.stats.members();
        (self.stats.paid_up * 100 + m / 2)
            .checked_div(m)
            .unwrap_or(0)
    }
}

#[derive(Debug, Clone)]
pub struct UnitPage {
    pub summary: UnitSummary,
    /// From the national unit down to the parent.
    pub ancestors: Vec<UnitRecord>,
    pub children: Vec<UnitSummary>,
    pub offices: Vec<OfficeRecord>,
    /// Holdings of the unit's offices that have ended, newest first, each with where its
    /// record came from (an import names its file and day).
    pub past_holdings: Vec<OfficeTermRecord>,
    pub bodies: Vec<BodyRecord>,
    /// For each body in `bodies` that the constitution in force does not establish, why it
    /// no longer stands (same order; `None` for a body that stands). Structure changes only
    /// by the constitution, so a dissolved body stays in the register, marked, not deleted.
    pub dissolved: Vec<Option<String>>,
    /// For each body, the decisions that tried to dissolve it and did not bind (same order),
    /// each in words naming the meeting, the day and the clauses it broke.
    pub failed_dissolutions: Vec<Vec<FailedDecision>>,
    /// Whether the viewer may open the member directory for this unit.
    pub may_view_members: bool,
}

/// A motion that tried to change a body and did not bind (or was rejected).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedDecision {
    pub meeting: MeetingId,
    pub words: String,
}

impl App {
    /// Every unit with its member counts, branches summed up into regions and national.
    pub async fn unit_summaries(&self) -> Result<Vec<UnitSummary>, AppError> {
        let units = self.store.units().await?;
        let stats = self
            .store
            .branch_stats(self.paid_up_cutoff().await?)
            .await?;
        let tree = self.tree().await?;
        let mut totals: HashMap<UnitId, BranchStats> = HashMap::new();
        for s in &stats {
            let Some(branch) = s.branch else { continue };
            let mut cur = Some(branch);
            while let Some(u) = cur {
                totals.entry(u).or_default().add(s);
                cur = tree.parent(u);
            }
        }
        Ok(units
            .into_iter()
            .map(|u| {
                let stats = totals.get(&u.id).cloned().unwrap_or_default();
                UnitSummary { unit: u, stats }
            })
            .collect())
    }

    pub async fn unit_page(&self, actor: &Actor, unit: UnitId) -> Result<UnitPage, AppError> {
        let summaries = self.unit_summaries().await?;
        let by_id: HashMap<UnitId, &UnitSummary> =
            summaries.iter().map(|s| (s.unit.id, s)).collect();
        let summary = (*by_id.get(&unit).ok_or(AppError::NotFound("unit"))?).clone();
        let mut ancestors = Vec::new();
        let mut cur = summary.unit.parent;
        while let Some(p) = cur {
            let Some(s) = by_id.get(&p) else { break };
            ancestors.push(s.unit.clone());
            cur = s.unit.parent;
        }
        ancestors.reverse();
        let mut children: Vec<UnitSummary> = summaries
            .iter()
            .filter(|s| s.unit.parent == Some(unit))
            .cloned()
            .collect();
        children.sort_by(|a, b| a.unit.name.cmp(&b.unit.name));
        let today = self.today();
        let offices = self.store.offices(Some(unit), today).await?;
        let mut past_holdings: Vec<OfficeTermRecord> = self
            .store
            .office_terms(Some(unit))
            .await?
            .into_iter()
            .filter(|t| t.term.ends_on.is_some_and(|e| e < today))
            .collect();
        past_holdings.sort_by_key(|t| std::cmp::Reverse(t.term.starts_on));
        let bodies = self.store.bodies(Some(unit), today).await?;
        let tree = self.tree().await?;
        let may_view_members = actor.may(charter_domain::Power::ViewMembers, unit, &tree);
        let dissolved = match self.constitution_in_force(today).await {
            Ok((info, c)) => bodies
                .iter()
                .map(|b| {
                    // A body established from the constitution carries its key as its kind;
                    // older bodies are known by their name.
                    let by_kind = Key::parse(&b.kind).is_ok_and(|k| c.body(&k).is_some());
                    let stands = by_kind
                        || crate::constitution::body_keys(&b.name)
                            .iter()
                            .any(|k| c.body(k).is_some());
                    (!stands).then(|| {
                        format!(
                            "dissolved by the constitution: the version in force ('{}', since {}) does not establish it, so its seats carry no rights. {}",
                            info.version, info.effective, info.adopted_by
                        )
                    })
                })
                .collect(),
            Err(AppError::NotFound(_)) => vec![None; bodies.len()],
            Err(e) => return Err(e),
        };
        let failed_dissolutions = self.failed_dissolutions(unit, &tree, &bodies).await?;
        Ok(UnitPage {
            summary,
            ancestors,
            children,
            offices,
            past_holdings,
            bodies,
            dissolved,
            failed_dissolutions,
            may_view_members,
        })
    }

    /// Every unit, open and closed, in id order: public structure, as on the units pages.
    pub async fn store_units(&self) -> Result<Vec<UnitRecord>, AppError> {
        Ok(self.store.units().await?)
    }

    /// A unit's offices with their holders today.
    pub async fn store_offices(&self, unit: UnitId) -> Result<Vec<OfficeRecord>, AppError> {
        Ok(self.store.offices(Some(unit), self.today()).await?)
    }

    /// The national unit (the root of the tree).
    pub async fn national_unit(&self) -> Result<UnitRecord, AppError> {
        self.store
            .units()
            .await?
            .into_iter()
            .find(|u| u.kind == UnitKind::National)
            .ok_or(AppError::NotFound("national unit"))
    }

    /// Open branches in name order, for pickers (filters, transfers, import): a closed branch
    /// stays on its page, marked, but takes no one new.
    pub async fn branches(&self) -> Result<Vec<UnitRecord>, AppError> {
        let mut b: Vec<UnitRecord> = self
            .store
            .units()
            .await?
            .into_iter()
            .filter(|u| u.kind == UnitKind::Branch && u.is_open())
            .collect();
        b.sort_by(|a, c| a.name.cmp(&c.name));
        Ok(b)
    }
}

impl App {
    /// Motions to dissolve a body, naming it, that the meetings of its unit (or, for the
    /// national unit, the national bodies) decided without binding effect or rejected.
    async fn failed_dissolutions(
        &self,
        unit: UnitId,
        tree: &UnitTree,
        bodies: &[BodyRecord],
    ) -> Result<Vec<Vec<FailedDecision>>, AppError> {
        let national = tree.kind(unit) == Some(UnitKind::National);
        // One read of the dissolutions that failed, then their meetings: a unit page must
        // not read every meeting's motions.
        let mut tried: Vec<(charter_store::MeetingRecord, charter_store::MotionRecord)> =
            Vec::new();
        for mo in self
            .store
            .motions_of_kind(DecisionKind::DissolveBody.as_str())
            .await?
        {
            if !matches!(mo.state, MotionState::NotBinding | MotionState::Rejected) {
                continue;
            }
            let Some(m) = self.store.meeting(mo.meeting).await? else {
                continue;
            };
            if m.unit == Some(unit) || (national && m.unit.is_none()) {
                tried.push((m, mo));
            }
        }
        Ok(bodies
            .iter()
            .map(|b| {
                let name = b.name.to_lowercase();
                tried
                    .iter()
                    .filter(|(_, mo)| {
                        mo.title.to_lowercase().contains(&name)
                            || mo.text.to_lowercase().contains(&name)
                    })
                    .map(|(m, mo)| {
                        let clauses: Vec<String> = mo
                            .failures_json
                            .as_deref()
                            .and_then(|j| serde_json::from_str::<Vec<(String, String)>>(j).ok())
                            .unwrap_or_default()
                            .into_iter()
                            .map(|(c, _)| c)
                            .filter(|c| !c.is_empty())
                            .collect();
                        let day = m.starts_at.date_naive().format("%-d %b %Y");
                        let outcome = if mo.state == MotionState::Rejected {
                            "was rejected".to_string()
                        } else if clauses.is_empty() {
                            "did not bind".to_string()
                        } else {
                            format!("did not bind (clauses {})", clauses.join(", "))
                        };
                        FailedDecision {
                            meeting: m.id,
                            words: format!(
                                "the dissolution at {} on {day} (\"{}\") {outcome}",
                                m.title, mo.title
                            ),
                        }
                    })
                    .collect()
            })
            .collect())
    }
}
