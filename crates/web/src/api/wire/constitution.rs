//! Wire formats for the constitution, members' rights and amendments.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The day to answer for; today when absent.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RightsQuery {
    /// A date, YYYY-MM-DD; rights follow the version of the constitution in force that day.
    #[param(example = "2017-07-01", format = Date)]
    pub on: Option<String>,
}

/// One answer to "may this member do this here?", with the clauses that decided it.
#[derive(Serialize, ToSchema)]
pub struct RightAnswer {
    /// branch-meeting, regional-meeting, conference, member-ballot or committee:<body>.
    #[schema(example = "branch-meeting")]
    pub context: String,
    /// attend, speak, vote, stand, nominate or propose.
    #[schema(example = "vote")]
    pub right: String,
    pub allowed: bool,
    /// Clause numbers, e.g. ["4.1", "4.3"]; empty when no clause speaks of the right.
    pub clauses: Vec<String>,
    /// Why, in words, citing the clauses.
    pub reason: String,
}

impl From<&charter_rules::RightDecision> for RightAnswer {
    fn from(d: &charter_rules::RightDecision) -> Self {
        RightAnswer {
            context: d.context.to_string(),
            right: d.right.as_str().to_string(),
            allowed: d.allowed,
            clauses: d.clauses.iter().map(ToString::to_string).collect(),
            reason: d.reason.clone(),
        }
    }
}

/// A clause as members read it, with its machine rules in words.
#[derive(Serialize, ToSchema)]
pub struct ConstitutionClause {
    #[schema(example = "4.3")]
    pub number: String,
    pub title: String,
    pub text: String,
    pub rules: Vec<String>,
}

/// One version of the constitution, as recorded.
#[derive(Serialize, ToSchema)]
pub struct ConstitutionVersion {
    pub id: i64,
    #[schema(example = "2017 amendment")]
    pub version: String,
    pub name: String,
    /// Applies from this day, never before.
    pub effective: NaiveDate,
    /// The decision that adopted it, in words.
    pub adopted_by: String,
    pub recorded_at: DateTime<Utc>,
}

impl From<&charter_app::constitution::VersionInfo> for ConstitutionVersion {
    fn from(v: &charter_app::constitution::VersionInfo) -> Self {
        ConstitutionVersion {
            id: v.id.0,
            version: v.version.clone(),
            name: v.name.clone(),
            effective: v.effective,
            adopted_by: v.adopted_by.clone(),
            recorded_at: v.recorded_at,
        }
    }
}

/// A version in full: its clauses with rules in words, and the authored TOML file.
#[derive(Serialize, ToSchema)]
pub struct ConstitutionText {
    #[serde(flatten)]
    pub version: ConstitutionVersion,
    pub clauses: Vec<ConstitutionClause>,
    /// The version as its authored file, which imports back unchanged.
    pub toml: String,
}

impl ConstitutionText {
    pub fn new(
        info: &charter_app::constitution::VersionInfo,
        c: &charter_rules::Constitution,
    ) -> Self {
        ConstitutionText {
            version: info.into(),
            clauses: c
                .clauses()
                .iter()
                .map(|cl| ConstitutionClause {
                    number: cl.number.to_string(),
                    title: cl.title.clone(),
                    text: cl.text.clone(),
                    rules: cl.rules_in_words(),
                })
                .collect(),
            toml: c.to_toml(),
        }
    }
}

/// A procedural step an attempt failed, with the clause it broke (none when no clause covers it).
#[derive(Serialize, ToSchema)]
pub struct AttemptFailure {
    pub clause: Option<String>,
    pub reason: String,
}

/// One recorded attempt to adopt an amendment, refused or not. Visible to every member.
#[derive(Serialize, ToSchema)]
pub struct AmendmentAttempt {
    pub decided_on: NaiveDate,
    /// The body that decided, e.g. `conference` or `member-ballot`.
    pub body: String,
    pub adopted: bool,
    pub failures: Vec<AttemptFailure>,
    pub recorded_at: DateTime<Utc>,
    /// The motion that decided it, at a meeting held in Charter or a historical one.
    pub motion_id: Option<i64>,
}

/// An amendment with every attempt to adopt it.
#[derive(Serialize, ToSchema)]
pub struct Amendment {
    pub id: i64,
    pub title: String,
    pub proposed_version: String,
    pub effective: NaiveDate,
    /// proposed, refused or adopted.
    #[schema(example = "adopted")]
    pub state: String,
    pub proposed_by: Option<i64>,
    pub proposed_at: DateTime<Utc>,
    pub attempts: Vec<AmendmentAttempt>,
}

impl From<&charter_app::constitution::AmendmentInfo> for Amendment {
    fn from(a: &charter_app::constitution::AmendmentInfo) -> Self {
        use charter_app::constitution::AmendmentState;
        Amendment {
            id: a.id.0,
            title: a.title.clone(),
            proposed_version: a.proposed_version.clone(),
            effective: a.effective,
            state: match a.state {
                AmendmentState::Proposed => "proposed",
                AmendmentState::Refused => "refused",
                AmendmentState::Adopted => "adopted",
            }
            .to_string(),
            proposed_by: a.proposed_by.map(|m| m.0),
            proposed_at: a.proposed_at,
            attempts: a
                .attempts
                .iter()
                .map(|t| AmendmentAttempt {
                    decided_on: t.decided_on,
                    body: t.body.clone(),
                    adopted: t.adopted,
                    failures: t
                        .failures
                        .iter()
                        .map(|(c, r)| AttemptFailure {
                            clause: (!c.trim().is_empty()).then(|| c.clone()),
                            reason: r.clone(),
                        })
                        .collect(),
                    recorded_at: t.recorded_at,
                    motion_id: t.motion.map(|id| id.0),
                })
                .collect(),
        }
    }
}

/// An amendment with its proposed text.
#[derive(Serialize, ToSchema)]
pub struct AmendmentDetail {
    #[serde(flatten)]
    pub amendment: Amendment,
    pub proposed: ConstitutionText,
}

/// How many members hold a right, before and after.
#[derive(Serialize, ToSchema)]
pub struct ImpactCounts {
    pub members: u32,
    pub before: u32,
    pub after: u32,
    pub lose: u32,
    pub gain: u32,
}

impl From<&charter_rules::Counts> for ImpactCounts {
    fn from(c: &charter_rules::Counts) -> Self {
        ImpactCounts {
            members: c.members,
            before: c.before,
            after: c.after,
            lose: c.lose,
            gain: c.gain,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BranchImpact {
    pub branch_id: i64,
    #[serde(flatten)]
    pub counts: ImpactCounts,
}

/// One right in one context, over all members and per home branch.
#[derive(Serialize, ToSchema)]
pub struct RightImpact {
    pub context: String,
    pub right: String,
    pub total: ImpactCounts,
    pub by_branch: Vec<BranchImpact>,
}

/// What an amendment would change, before anyone votes on it.
#[derive(Serialize, ToSchema)]
pub struct AmendmentImpact {
    pub from: String,
    pub to: String,
    pub on: NaiveDate,
    pub members: u32,
    /// The preview in sentences, largest losses first.
    pub summary: Vec<String>,
    pub rights: Vec<RightImpact>,
    pub bodies_dissolved: Vec<String>,
    pub bodies_created: Vec<String>,
}

impl From<&charter_rules::Impact> for AmendmentImpact {
    fn from(i: &charter_rules::Impact) -> Self {
        AmendmentImpact {
            from: i.from.clone(),
            to: i.to.clone(),
            on: i.on,
            members: i.members,
            summary: i.summary(),
            rights: i
                .rights
                .iter()
                .map(|r| RightImpact {
                    context: r.context.to_string(),
                    right: r.right.as_str().to_string(),
                    total: (&r.total).into(),
                    by_branch: r
                        .by_branch
                        .iter()
                        .map(|(id, c)| BranchImpact {
                            branch_id: id.0,
                            counts: c.into(),
                        })
                        .collect(),
                })
                .collect(),
            bodies_dissolved: i.bodies_dissolved.iter().map(|b| b.name.clone()).collect(),
            bodies_created: i.bodies_created.iter().map(|b| b.name.clone()).collect(),
        }
    }
}

/// A proposed amendment: the whole new version as its authored TOML file.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentRequest {
    pub title: String,
    pub toml: String,
}

#[derive(Serialize, ToSchema)]
pub struct AmendmentProposed {
    pub id: i64,
}

/// The amendment to put to a meeting.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutAmendmentRequest {
    pub amendment_id: i64,
}

/// One officer's entry, from the minutes, of a meeting held before the organisation used
/// Charter that decided on an amendment.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoricalEntryRequest {
    /// The body that met, e.g. `conference`.
    #[schema(example = "conference")]
    pub body: String,
    /// The kind of sitting, which sets notice and quorum, e.g. `special-conference`.
    #[schema(example = "special-conference")]
    pub kind: String,
    /// When notice was given; absent when none was.
    pub notice_on: Option<NaiveDate>,
    /// When it was held: not after today.
    pub held_on: NaiveDate,
    pub entitled: u32,
    pub present: u32,
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstentions: u32,
}

/// Where a historical meeting stands after an entry.
#[derive(Serialize, ToSchema)]
pub struct HistoricalEntryOutcome {
    /// `awaiting-second-entry`, `differs` (another officer's entry differs in `differs`) or
    /// `recorded` (two entries agree: the meeting and its decision are on the record).
    #[schema(example = "recorded")]
    pub state: String,
    /// The fields in which another officer's entry differs, by name only.
    pub differs: Vec<String>,
    pub meeting_id: Option<i64>,
    pub motion_id: Option<i64>,
    /// Whether the recorded meeting adopted the amendment.
    pub adopted: Option<bool>,
    /// Why a recorded meeting's decision does not adopt it, each with its clause.
    pub failures: Vec<AttemptFailure>,
}

impl From<charter_app::amending::HistoricalOutcome> for HistoricalEntryOutcome {
    fn from(o: charter_app::amending::HistoricalOutcome) -> Self {
        use charter_app::amending::HistoricalOutcome as H;
        let blank = |state: &str| HistoricalEntryOutcome {
            state: state.to_string(),
            differs: Vec::new(),
            meeting_id: None,
            motion_id: None,
            adopted: None,
            failures: Vec::new(),
        };
        match o {
            H::AwaitingSecondEntry => blank("awaiting-second-entry"),
            H::Differs(fields) => HistoricalEntryOutcome {
                differs: fields.iter().map(|f| f.to_string()).collect(),
                ..blank("differs")
            },
            H::Recorded {
                meeting,
                motion,
                adopted,
                failures,
            } => HistoricalEntryOutcome {
                meeting_id: Some(meeting.0),
                motion_id: Some(motion.0),
                adopted: Some(adopted),
                failures: failures
                    .into_iter()
                    .map(|(c, r)| AttemptFailure {
                        clause: (!c.trim().is_empty()).then_some(c),
                        reason: r,
                    })
                    .collect(),
                ..blank("recorded")
            },
        }
    }
}
