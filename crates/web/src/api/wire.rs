//! The API's wire formats. Types below the API boundary are not `Serialize` by design: these
//! are the explicit, documented shapes clients rely on, converted from the app's records.
//! Request types refuse unknown fields so a misspelt field is an error, never silently ignored.

mod accounts;
mod agenda;

pub use accounts::*;
pub use agenda::*;

use charter_app::register::{MemberView, MyMembership};
use charter_app::structure::{UnitPage, UnitSummary};
use charter_store::{
    AccessEntry, AffiliationRecord, BodyRecord, BranchMoveRecord, Mandate, MemberDetail,
    MemberSummary, OfficeRecord, PaymentRecord, StatusChangeRecord, UnitRecord,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

// ---------------------------------------------------------------- session

/// Credentials for signing in. Not `Debug`, so the password cannot end up in a log line.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    #[schema(example = "southwark.member@example.org")]
    pub email: String,
    #[schema(format = Password)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    pub member_id: i64,
    /// Send back in forms (`csrf_token` field) when using the pages with this session.
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
    /// The member signs in with a second factor: the session carries them only after
    /// `POST /api/v1/session/two-factor` with a current code.
    pub second_factor_pending: bool,
}

// ---------------------------------------------------------------- members

/// Directory filters. Every value is validated by the register; a bad one is a 422 naming it.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MemberListQuery {
    /// Part of a name, email or postcode.
    pub q: Option<String>,
    /// Branch (unit) id.
    pub branch: Option<String>,
    /// applicant, active, lapsed, suspended, expelled or resigned.
    #[param(schema_with = crate::api::words::member_status)]
    pub status: Option<String>,
    /// true or false.
    #[param(schema_with = crate::api::words::paid_up)]
    pub paid_up: Option<String>,
    /// 1-based page number.
    pub page: Option<String>,
    /// 1 to 200, default 50.
    pub per_page: Option<String>,
    /// name, -name, joined, -joined, paid_up_until or -paid_up_until.
    #[param(schema_with = crate::api::words::member_sort)]
    pub sort: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberListItem {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub postcode: String,
    pub branch_id: i64,
    pub branch_name: String,
    pub status: String,
    pub joined_on: NaiveDate,
    pub paid_up_until: Option<NaiveDate>,
}

impl From<MemberSummary> for MemberListItem {
    fn from(m: MemberSummary) -> Self {
        MemberListItem {
            id: m.id.0,
            first_name: m.first_name,
            last_name: m.last_name,
            email: m.email,
            postcode: m.postcode,
            branch_id: m.branch.0,
            branch_name: m.branch_name,
            status: m.status.as_str().to_string(),
            joined_on: m.joined_on,
            paid_up_until: m.paid_up_until,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<MemberListItem>,
    /// Members matching the query; exact unless `total_capped` is true.
    pub total: u64,
    /// True when more members match than were counted: `total` is then a lower bound
    /// (counting stops past 10,000 so large searches stay fast).
    pub total_capped: bool,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Serialize, ToSchema)]
pub struct StatusChange {
    pub from: Option<String>,
    pub to: String,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub changed_by_id: Option<i64>,
    pub changed_by_name: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

impl From<StatusChangeRecord> for StatusChange {
    fn from(s: StatusChangeRecord) -> Self {
        StatusChange {
            from: s.from.map(|f| f.as_str().to_string()),
            to: s.to.as_str().to_string(),
            effective_on: s.effective_on,
            reason: s.reason,
            changed_by_id: s.changed_by.map(|m| m.0),
            changed_by_name: s.changed_by_name,
            recorded_at: s.recorded_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct DuesPayment {
    pub paid_on: NaiveDate,
    /// Whole pence: money is never a float.
    pub amount_pence: i64,
    pub months: u32,
    pub recorded_by_name: Option<String>,
}

impl From<PaymentRecord> for DuesPayment {
    fn from(p: PaymentRecord) -> Self {
        DuesPayment {
            paid_on: p.paid_on,
            amount_pence: p.amount_pence,
            months: p.months,
            recorded_by_name: p.recorded_by_name,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Affiliation {
    pub id: i64,
    pub organisation: String,
    pub since: Option<NaiveDate>,
    pub verified_by_id: Option<i64>,
    pub verified_by_name: Option<String>,
    pub verified_on: Option<NaiveDate>,
    /// Verifications a later one replaced, oldest first.
    pub earlier_verifications: Vec<EarlierVerification>,
}

/// A verification of an affiliation that a later one replaced, kept for the record.
#[derive(Serialize, ToSchema)]
pub struct EarlierVerification {
    pub verified_by_id: Option<i64>,
    pub verified_by_name: Option<String>,
    pub verified_on: NaiveDate,
}

impl From<AffiliationRecord> for Affiliation {
    fn from(a: AffiliationRecord) -> Self {
        Affiliation {
            id: a.id,
            organisation: a.organisation,
            since: a.since,
            verified_by_id: a.verified_by.map(|m| m.0),
            verified_by_name: a.verified_by_name,
            verified_on: a.verified_on,
            earlier_verifications: a
                .earlier_verifications
                .into_iter()
                .map(|v| EarlierVerification {
                    verified_by_id: v.verified_by.map(|m| m.0),
                    verified_by_name: v.verified_by_name,
                    verified_on: v.verified_on,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BranchMove {
    pub from_id: i64,
    pub from_name: String,
    pub to_id: i64,
    pub to_name: String,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub moved_by_name: Option<String>,
}

impl From<BranchMoveRecord> for BranchMove {
    fn from(m: BranchMoveRecord) -> Self {
        BranchMove {
            from_id: m.from.0,
            from_name: m.from_name,
            to_id: m.to.0,
            to_name: m.to_name,
            effective_on: m.effective_on,
            reason: m.reason,
            moved_by_name: m.moved_by_name,
        }
    }
}

/// What the viewer may do to this member, from the offices they hold today.
#[derive(Serialize, ToSchema)]
pub struct MemberPermissions {
    pub is_self: bool,
    pub may_edit: bool,
    pub may_change_status: bool,
    pub may_record_dues: bool,
    pub may_verify_affiliations: bool,
    pub may_transfer: bool,
    /// Statuses the register allows next.
    pub next_statuses: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Member {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
    pub postcode: String,
    pub branch_id: i64,
    pub branch_name: String,
    pub status: String,
    pub joined_on: NaiveDate,
    pub dues_plan: String,
    pub paid_up_until: Option<NaiveDate>,
    /// Paid up today, counting the grace period.
    pub paid_up: bool,
    pub status_history: Vec<StatusChange>,
    pub payments: Vec<DuesPayment>,
    pub affiliations: Vec<Affiliation>,
    pub branch_history: Vec<BranchMove>,
    pub permissions: MemberPermissions,
}

impl From<MemberView> for Member {
    fn from(v: MemberView) -> Self {
        let MemberDetail {
            record: r,
            status_history,
            payments,
            affiliations,
            branch_history,
        } = v.detail;
        Member {
            id: r.id.0,
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            phone: r.phone,
            postcode: r.postcode,
            branch_id: r.branch.0,
            branch_name: r.branch_name,
            status: r.status.as_str().to_string(),
            joined_on: r.joined_on,
            dues_plan: r.dues_plan.as_str().to_string(),
            paid_up_until: r.paid_up_until,
            paid_up: v.paid_up,
            status_history: status_history.into_iter().map(Into::into).collect(),
            payments: payments.into_iter().map(Into::into).collect(),
            affiliations: affiliations.into_iter().map(Into::into).collect(),
            branch_history: branch_history.into_iter().map(Into::into).collect(),
            permissions: MemberPermissions {
                is_self: v.is_self,
                may_edit: v.may_edit,
                may_change_status: v.may_change_status,
                may_record_dues: v.may_record_dues,
                may_verify_affiliations: v.may_verify_affiliations,
                may_transfer: v.may_transfer,
                next_statuses: v
                    .next_statuses
                    .iter()
                    .map(|s| s.as_str().to_string())
                    .collect(),
            },
        }
    }
}

/// Contact details to change; absent fields stay as they are. An empty `phone` clears it.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    #[schema(max_length = 100)]
    pub first_name: Option<String>,
    #[schema(max_length = 100)]
    pub last_name: Option<String>,
    #[schema(max_length = 254)]
    pub email: Option<String>,
    pub phone: Option<String>,
    pub postcode: Option<String>,
    /// monthly or annual.
    pub dues_plan: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChangeRequest {
    /// The new status.
    #[schema(schema_with = crate::api::words::member_status)]
    pub status: String,
    /// YYYY-MM-DD; today when absent.
    pub effective_on: Option<String>,
    /// Why: it goes in the member's history.
    #[schema(max_length = 500)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct StatusChanged {
    pub member_id: i64,
    pub status: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    /// YYYY-MM-DD, not in the future.
    pub paid_on: String,
    /// Pounds as text, e.g. "12.50": never a float.
    #[schema(example = "12.50")]
    pub amount: String,
    /// Months of membership bought, 1 to 24.
    pub months: u32,
}

#[derive(Serialize, ToSchema)]
pub struct PaymentRecorded {
    pub member_id: i64,
    pub paid_up_until: Option<NaiveDate>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AffiliationRequest {
    #[schema(max_length = 200)]
    pub organisation: String,
    /// YYYY-MM-DD, optional.
    pub since: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AffiliationAdded {
    pub member_id: i64,
    pub affiliation_id: i64,
}

#[derive(Serialize, ToSchema)]
pub struct AffiliationVerified {
    pub member_id: i64,
    pub affiliation_id: i64,
    pub verified_on: NaiveDate,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The branch (unit id) to move the member to.
    pub to_branch: i64,
    /// YYYY-MM-DD; today when absent.
    pub effective_on: Option<String>,
    #[schema(max_length = 500)]
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Transferred {
    pub member_id: i64,
    pub branch_id: i64,
}

// ---------------------------------------------------------------- me

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MeQuery {
    /// Page of the access log, 1-based (50 entries a page).
    pub log_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct Office {
    /// chair, secretary, treasurer, membership-officer, data-protection-officer or scrutineer.
    pub kind: String,
    pub title: String,
    pub unit_id: i64,
    pub unit_name: String,
}

/// One read of my personal data by someone else.
#[derive(Serialize, ToSchema)]
pub struct AccessLogEntry {
    pub at: DateTime<Utc>,
    /// None when the operator read it through the command line.
    pub reader_id: Option<i64>,
    pub reader_name: Option<String>,
    pub office: Option<String>,
    pub purpose: String,
}

impl From<AccessEntry> for AccessLogEntry {
    fn from(a: AccessEntry) -> Self {
        AccessLogEntry {
            at: a.at,
            reader_id: a.reader.map(|m| m.0),
            reader_name: a.reader_name,
            office: a.office,
            purpose: a.purpose,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AccessLog {
    pub items: Vec<AccessLogEntry>,
    pub total: u64,
    pub page: u32,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub member: Member,
    pub offices: Vec<Office>,
    pub access_log: AccessLog,
}

impl Me {
    pub fn new(m: MyMembership, log_page: u32) -> Self {
        Me {
            member: m.view.into(),
            offices: m
                .offices
                .into_iter()
                .map(|o| Office {
                    kind: o.kind.as_str().to_string(),
                    title: o.kind.title().to_string(),
                    unit_id: o.unit.0,
                    unit_name: o.unit_name,
                })
                .collect(),
            access_log: AccessLog {
                items: m.access_log.items.into_iter().map(Into::into).collect(),
                total: m.access_log.total,
                page: log_page,
            },
        }
    }
}

// ---------------------------------------------------------------- units

#[derive(Serialize, ToSchema)]
pub struct Unit {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// national, region or branch.
    pub kind: String,
    pub name: String,
    pub slug: String,
    /// Active, lapsed and suspended members.
    pub members: u64,
    pub applicants: u64,
    pub active: u64,
    pub lapsed: u64,
    pub suspended: u64,
    pub expelled: u64,
    pub resigned: u64,
    pub paid_up: u64,
    /// Paid-up members as a share of members, in whole per cent.
    pub paid_up_percent: u64,
    /// The day it closed; a closed unit is kept, and offered in no picker.
    pub closed_on: Option<NaiveDate>,
    /// The unit it was merged into, when it closed by a merge.
    pub merged_into_id: Option<i64>,
}

impl From<UnitSummary> for Unit {
    fn from(s: UnitSummary) -> Self {
        let percent = s.paid_up_percent();
        let UnitSummary { unit, stats } = s;
        Unit {
            id: unit.id.0,
            parent_id: unit.parent.map(|p| p.0),
            kind: unit.kind.as_str().to_string(),
            name: unit.name,
            slug: unit.slug,
            members: stats.members(),
            applicants: stats.applicant,
            active: stats.active,
            lapsed: stats.lapsed,
            suspended: stats.suspended,
            expelled: stats.expelled,
            resigned: stats.resigned,
            paid_up: stats.paid_up,
            paid_up_percent: percent,
            closed_on: unit.closed_on,
            merged_into_id: unit.merged_into.map(|u| u.0),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnitRef {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub slug: String,
}

impl From<UnitRecord> for UnitRef {
    fn from(u: UnitRecord) -> Self {
        UnitRef {
            id: u.id.0,
            kind: u.kind.as_str().to_string(),
            name: u.name,
            slug: u.slug,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Officer {
    pub office_id: i64,
    pub kind: String,
    pub title: String,
    pub holder_id: Option<i64>,
    pub holder_name: Option<String>,
    pub term_starts_on: Option<NaiveDate>,
    /// The term's last day: the office confers nothing the day after.
    pub term_ends_on: Option<NaiveDate>,
    /// The decision the holding came from: founding, election, motion (an appointment
    /// adopted at a properly convened meeting) or record (brought in from before Charter).
    pub mandate: Option<String>,
    /// The election whose result it is, for `election`.
    pub election_id: Option<i64>,
    /// The appointment motion adopted, for `motion`.
    pub motion_id: Option<i64>,
    /// The constitution's clause the holding was made under.
    pub clause: Option<String>,
}

impl From<OfficeRecord> for Officer {
    fn from(o: OfficeRecord) -> Self {
        Officer {
            office_id: o.id.0,
            kind: o.kind.as_str().to_string(),
            title: o.kind.title().to_string(),
            holder_id: o.holder.map(|m| m.0),
            holder_name: o.holder_name,
            term_starts_on: o.term.map(|t| t.starts_on),
            term_ends_on: o.term.and_then(|t| t.ends_on),
            mandate: o.mandate.map(|m| m.as_str().to_string()),
            election_id: match o.mandate {
                Some(Mandate::Election(e)) => Some(e),
                _ => None,
            },
            motion_id: match o.mandate {
                Some(Mandate::Motion(m)) => Some(m),
                _ => None,
            },
            clause: o.clause,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SeatHolder {
    pub member_id: i64,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub how: String,
}

#[derive(Serialize, ToSchema)]
pub struct Body {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub seats: u32,
    pub filled_by: String,
    pub holders: Vec<SeatHolder>,
}

impl From<BodyRecord> for Body {
    fn from(b: BodyRecord) -> Self {
        Body {
            id: b.id.0,
            name: b.name,
            kind: b.kind,
            seats: b.seats,
            filled_by: b.filled_by,
            holders: b
                .holders
                .into_iter()
                .map(|h| SeatHolder {
                    member_id: h.member.0,
                    name: h.name,
                    starts_on: h.term.starts_on,
                    ends_on: h.term.ends_on,
                    how: h.how,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UnitDetail {
    pub unit: Unit,
    /// From the national unit down to the parent.
    pub ancestors: Vec<UnitRef>,
    pub children: Vec<Unit>,
    pub officers: Vec<Officer>,
    pub bodies: Vec<Body>,
    /// Whether the viewer may list this unit's members.
    pub may_view_members: bool,
}

impl From<UnitPage> for UnitDetail {
    fn from(p: UnitPage) -> Self {
        UnitDetail {
            unit: p.summary.into(),
            ancestors: p.ancestors.into_iter().map(Into::into).collect(),
            children: p.children.into_iter().map(Into::into).collect(),
            officers: p.offices.into_iter().map(Into::into).collect(),
            bodies: p.bodies.into_iter().map(Into::into).collect(),
            may_view_members: p.may_view_members,
        }
    }
}

// ---------------------------------------------------------------- events

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventsQuery {
    /// Return events after this sequence number (exclusive); 0 for the start.
    pub after: Option<i64>,
    /// At most this many events, 1 to 500 (default 100).
    pub limit: Option<u32>,
}

/// A governance event as the organisation's public record shows it.
#[derive(Serialize, ToSchema)]
pub struct Event {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// Who acted; null when a member acted for themselves (voted, checked in) and the
    /// reader is neither them nor an officer covering them.
    pub actor_id: Option<i64>,
    /// The office acted under, e.g. "secretary, Southwark".
    pub actor_office: Option<String>,
    pub kind: String,
    /// What it is about: "member" alone when the reader may not know which member.
    pub subject: String,
    /// Details; for changes to a member only ids, statuses, dates and field names, and to
    /// readers not entitled to know whose the change was, only the ballot, meeting or roll.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// Why; withheld (null) for changes to a member, which may name personal matters.
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    pub items: Vec<Event>,
    /// Pass as `after` to read on; null when there are no more events yet.
    pub next_after: Option<i64>,
}

// ---------------------------------------------------------------- constitution

/// The day to answer for; today when absent.
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RightsQuery {
    /// A date, YYYY-MM-DD; rights follow the version of the constitution in force that day.
    #[param(example = "2017-07-01")]
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
            id: v.id,
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
            id: a.id,
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
                    motion_id: t.motion,
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
    #[schema(max_length = 200)]
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
                meeting_id: Some(meeting),
                motion_id: Some(motion),
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

// ---------------------------------------------------------------- rolls

/// A roll to freeze: who may exercise `right` in `context` on `cutoff`, by the version in
/// force that day.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RollRequestBody {
    #[schema(example = "Special conference, March")]
    #[schema(max_length = 200)]
    pub title: String,
    /// conference, member-ballot, branch-meeting, regional-meeting or committee:<body>.
    #[schema(example = "conference")]
    pub context: String,
    /// The branch (branch-meeting) or region (regional-meeting) whose meeting it is.
    pub unit_id: Option<i64>,
    /// attend, speak, vote (the default), stand, nominate or propose.
    pub right: Option<String>,
    /// Defaults to today; never in the future.
    pub cutoff: Option<NaiveDate>,
    /// Last day to challenge an exclusion; defaults to the constitution's `roll-challenge`
    /// deadline, else a week from today.
    pub challenge_closes_on: Option<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct RollFrozen {
    pub id: i64,
    /// SHA-256 of the roll's canonical text (see ARCHITECTURE.md, "Rolls").
    pub hash: String,
    pub eligible: i64,
    pub excluded: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Roll {
    pub id: i64,
    pub title: String,
    pub context: String,
    pub unit_id: Option<i64>,
    pub right: String,
    pub cutoff: NaiveDate,
    pub constitution_version_id: i64,
    pub challenge_closes_on: NaiveDate,
    /// The hash of the list as frozen.
    pub frozen_hash: String,
    /// The frozen hash extended by each decided challenge, in order.
    pub current_hash: String,
    pub eligible: i64,
    pub excluded: i64,
    pub frozen_at: DateTime<Utc>,
}

impl From<&charter_store::RollRecord> for Roll {
    fn from(r: &charter_store::RollRecord) -> Self {
        Roll {
            id: r.id,
            title: r.title.clone(),
            context: r.context.clone(),
            unit_id: r.unit.map(|u| u.0),
            right: r.right.clone(),
            cutoff: r.cutoff,
            constitution_version_id: r.version_id,
            challenge_closes_on: r.challenge_closes_on,
            frozen_hash: r.frozen_hash.clone(),
            current_hash: r.current_hash.clone(),
            eligible: r.eligible,
            excluded: r.excluded,
            frozen_at: r.frozen_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RollBranch {
    pub branch_id: i64,
    pub branch_name: String,
    pub eligible: i64,
    pub excluded: i64,
}

/// One member's line on a roll: on it or not, and the clause that decided.
#[derive(Serialize, ToSchema)]
pub struct RollLine {
    pub member_id: i64,
    pub branch_id: i64,
    /// On the roll as it stands.
    pub eligible: bool,
    /// On the roll as frozen.
    pub frozen_eligible: bool,
    /// For a member frozen off the roll, the clauses that decided.
    pub clauses: Vec<String>,
    pub reason: Option<String>,
    /// The upheld challenge that put them on it.
    pub challenge_id: Option<i64>,
}

impl From<&charter_store::RollEntryRecord> for RollLine {
    fn from(e: &charter_store::RollEntryRecord) -> Self {
        RollLine {
            member_id: e.member.0,
            branch_id: e.branch.0,
            eligible: e.eligible,
            frozen_eligible: e.frozen_eligible,
            clauses: e
                .clauses
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            reason: (!e.reason.is_empty()).then(|| e.reason.clone()),
            challenge_id: e.challenge,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Challenge {
    pub id: i64,
    pub roll_id: i64,
    pub member_id: i64,
    pub branch_id: i64,
    pub grounds: String,
    pub lodged_at: DateTime<Utc>,
    /// open, upheld or rejected.
    pub state: String,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<&charter_store::ChallengeRecord> for Challenge {
    fn from(c: &charter_store::ChallengeRecord) -> Self {
        Challenge {
            id: c.id,
            roll_id: c.roll,
            member_id: c.member.0,
            branch_id: c.branch.0,
            grounds: c.grounds.clone(),
            lodged_at: c.lodged_at,
            state: c.state.to_string(),
            decision_reason: c.decision_reason.clone(),
            decided_at: c.decided_at,
        }
    }
}

/// A roll as the caller may see it: counts for everyone, their own line, and the
/// challenges they may see (their own; officers: those in their scope).
#[derive(Serialize, ToSchema)]
pub struct RollDetail {
    pub roll: Roll,
    /// The constitution version that decided it.
    pub constitution_version: String,
    pub unit_name: Option<String>,
    pub challenge_open: bool,
    pub branches: Vec<RollBranch>,
    /// The caller's line; null when the roll does not list them (another unit's meeting).
    pub me: Option<RollLine>,
    pub challenges: Vec<Challenge>,
}

impl From<&charter_app::rolls::RollView> for RollDetail {
    fn from(v: &charter_app::rolls::RollView) -> Self {
        RollDetail {
            roll: (&v.roll).into(),
            constitution_version: v.version.clone(),
            unit_name: v.unit_name.clone(),
            challenge_open: v.challenge_open,
            branches: v
                .counts
                .iter()
                .map(|(id, name, yes, no)| RollBranch {
                    branch_id: id.0,
                    branch_name: name.clone(),
                    eligible: *yes,
                    excluded: *no,
                })
                .collect(),
            me: v.mine.as_ref().map(Into::into),
            challenges: v.challenges.iter().map(Into::into).collect(),
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RollEntriesQuery {
    /// Branch (unit) id.
    pub branch: Option<i64>,
    /// true: only those on the roll; false: only those off it.
    pub eligible: Option<bool>,
    /// 1-based page number.
    pub page: Option<u32>,
    /// 1 to 500, default 100.
    pub per_page: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct RollEntry {
    #[serde(flatten)]
    pub line: RollLine,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct RollEntries {
    pub items: Vec<RollEntry>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeRequest {
    /// Why the member should be on the roll.
    #[schema(example = "I paid my dues on 2 March; the receipt number is 4411")]
    #[schema(max_length = 2000)]
    pub grounds: String,
}

#[derive(Serialize, ToSchema)]
pub struct ChallengeLodged {
    pub id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChallengeDecisionRequest {
    pub upheld: bool,
    #[schema(max_length = 2000)]
    pub reason: String,
}

/// Whether the stored roll still produces the hashes it was published with.
#[derive(Serialize, ToSchema)]
pub struct RollVerification {
    pub frozen_hash_matches: bool,
    pub current_hash_matches: bool,
    pub lines: usize,
}

// ---------------------------------------------------------------- meetings

/// A meeting to call: body, kind and when; the constitution in force decides the notice,
/// quorum and who is entitled to attend and vote.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingRequestBody {
    /// The body meeting: `branch-meeting`, `regional-meeting`, `conference`, or a committee's key.
    #[schema(example = "branch-meeting")]
    pub body: String,
    /// The branch or region whose meeting it is.
    pub unit_id: Option<i64>,
    /// The kind of sitting, which sets notice and quorum: `general-meeting`, `committee-meeting`…
    #[schema(example = "general-meeting")]
    pub kind: String,
    #[schema(max_length = 200)]
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    /// physical, online or hybrid.
    #[schema(schema_with = crate::api::words::meeting_mode)]
    pub mode: String,
    pub place: Option<String>,
    pub online_url: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub agenda: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingCalled {
    pub id: i64,
    /// Members sent notice.
    pub invited: usize,
    /// Set when the notice falls short of the constitution: the meeting will not be properly
    /// convened and its votes will not bind.
    pub short_notice: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Meeting {
    pub id: i64,
    pub body: String,
    pub unit_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub mode: String,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub agenda: String,
    pub notice_clause: Option<String>,
    pub notice_days: Option<u32>,
    pub notice_complete_at: Option<DateTime<Utc>>,
    /// Members entitled to attend.
    pub entitled: i64,
    pub state: String,
    /// The adopted motion that adjourned it; no business is taken after.
    pub adjourned_by_id: Option<i64>,
}

impl From<&charter_store::MeetingRecord> for Meeting {
    fn from(m: &charter_store::MeetingRecord) -> Self {
        Meeting {
            id: m.id,
            body: m.body.clone(),
            unit_id: m.unit.map(|u| u.0),
            kind: m.kind.clone(),
            title: m.title.clone(),
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            mode: m.mode.to_string(),
            place: m.place.clone(),
            online_url: m.online_url.clone(),
            agenda: m.agenda.clone(),
            notice_clause: m.notice_clause.clone(),
            notice_days: m.notice_days,
            notice_complete_at: m.notice_complete_at,
            entitled: m.entitled,
            state: m.state.to_string(),
            adjourned_by_id: m.adjourned_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Motion {
    pub id: i64,
    pub number: i64,
    /// ordinary-motion, dissolve-body, create-body or suspend-standing-orders.
    pub kind: String,
    pub title: String,
    pub text: String,
    pub matter: Option<String>,
    pub position: Option<String>,
    /// The meeting it calls for, e.g. `special-conference`: adopted at a branch's meeting
    /// and published, it counts towards the requisition for that meeting.
    pub requires: Option<String>,
    pub proposed_by_id: Option<i64>,
    /// Who seconded it, once someone has (`POST /api/v1/motions/{id}/seconder`).
    pub seconded_by_id: Option<i64>,
    /// For an amendment: the motion (or amendment) it amends. Its `text` is the whole
    /// wording proposed instead.
    pub amends_id: Option<i64>,
    /// For a procedural motion or a rescission: the motion it acts on.
    pub target_id: Option<i64>,
    /// Late business, put only once admitted (`admitted_by_id`).
    pub emergency: bool,
    pub admitted_by_id: Option<i64>,
    /// The adopted motion that set this aside: next business, referred back or rescinded.
    pub set_aside_by_id: Option<i64>,
    pub proposed_at: DateTime<Utc>,
    /// proposed, adopted, rejected, not-binding or withdrawn.
    pub state: String,
    pub votes_for: Option<i64>,
    pub votes_against: Option<i64>,
    pub abstentions: Option<i64>,
    pub present: Option<i64>,
    /// Why it was rejected or does not bind: each with the clause, when one applies.
    pub reasons: Vec<ClauseReason>,
    pub decided_at: Option<DateTime<Utc>>,
    pub published: bool,
}

#[derive(Serialize, ToSchema)]
pub struct ClauseReason {
    pub clause: Option<String>,
    pub reason: String,
}

impl From<&charter_store::MotionRecord> for Motion {
    fn from(m: &charter_store::MotionRecord) -> Self {
        let reasons: Vec<(String, String)> = m
            .failures_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default();
        Motion {
            id: m.id,
            number: m.number,
            kind: m.kind.clone(),
            title: m.title.clone(),
            text: m.text.clone(),
            matter: m.matter.clone(),
            position: m.position.clone(),
            requires: m.requires.clone(),
            proposed_by_id: m.proposed_by.map(|p| p.0),
            seconded_by_id: m.seconded_by.map(|p| p.0),
            amends_id: m.parent,
            target_id: m.target,
            emergency: m.emergency,
            admitted_by_id: m.admitted_by,
            set_aside_by_id: m.set_aside_by,
            proposed_at: m.proposed_at,
            state: m.state.to_string(),
            votes_for: m.votes_for,
            votes_against: m.votes_against,
            abstentions: m.abstentions,
            present: m.present,
            reasons: reasons
                .into_iter()
                .map(|(c, r)| ClauseReason {
                    clause: (!c.is_empty()).then_some(c),
                    reason: r,
                })
                .collect(),
            decided_at: m.decided_at,
            published: m.published,
        }
    }
}

/// A meeting as the caller sees it: whether it was properly convened and why, its quorum,
/// attendance and motions, and the caller's own place on its roll.
#[derive(Serialize, ToSchema)]
pub struct MeetingDetail {
    pub meeting: Meeting,
    pub unit_name: Option<String>,
    pub body_name: String,
    /// null while notices are still being delivered.
    pub properly_convened: Option<bool>,
    pub convening_clause: Option<String>,
    pub convening: String,
    pub notices_queued: i64,
    pub notices_sent: i64,
    pub notices_failed: i64,
    pub present: i64,
    pub present_voting: i64,
    pub entitled_to_vote: i64,
    pub quorum: Option<u32>,
    pub quorum_clause: Option<String>,
    pub quorate: Option<bool>,
    pub motions: Vec<Motion>,
    /// null when the caller is not on the roll; else whether they may vote.
    pub may_vote: Option<bool>,
    pub checked_in: bool,
}

impl From<&charter_app::meetings::MeetingView> for MeetingDetail {
    fn from(v: &charter_app::meetings::MeetingView) -> Self {
        MeetingDetail {
            meeting: (&v.meeting).into(),
            unit_name: v.unit_name.clone(),
            body_name: v.body_name.clone(),
            properly_convened: v.convening.properly_convened,
            convening_clause: v.convening.clause.clone(),
            convening: v.convening.explanation.clone(),
            notices_queued: v.notices.queued,
            notices_sent: v.notices.sent,
            notices_failed: v.notices.failed,
            present: v.present,
            present_voting: v.present_voting,
            entitled_to_vote: v.entitled_to_vote,
            quorum: v.quorum.as_ref().map(|q| q.1),
            quorum_clause: v.quorum.as_ref().map(|q| q.0.clone()),
            quorate: v
                .quorum
                .as_ref()
                .map(|q| v.present_voting >= i64::from(q.1)),
            motions: v.motions.iter().map(Into::into).collect(),
            may_vote: v.mine,
            checked_in: v.checked_in,
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MeetingsQuery {
    /// Only this unit's meetings.
    pub unit: Option<i64>,
    /// true: only meetings that have not started.
    pub upcoming: Option<bool>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// Someone else to check in (officers running the meeting); omit to check yourself in.
    pub member_id: Option<i64>,
    /// The meeting's check-in code, read out at the meeting or carried in its link; needed to
    /// check yourself in unless you run the meeting. Case, spaces and hyphens do not matter.
    pub code: Option<String>,
}

/// A meeting's check-in code and the link that carries it, for the officers running it.
#[derive(Serialize, ToSchema)]
pub struct CheckInCode {
    /// Six letters and digits, without I, O, 0 or 1.
    pub code: String,
    /// The page a member opens to check in with the code filled in (a path on this site).
    pub link: String,
}

impl CheckInCode {
    pub fn new(meeting: i64, code: String) -> Self {
        CheckInCode {
            link: format!("/meetings/{meeting}/check-in/{code}"),
            code,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MotionRequest {
    /// ordinary-motion, dissolve-body, create-body, suspend-standing-orders or rescind.
    #[schema(example = "ordinary-motion")]
    #[schema(schema_with = crate::api::words::motion_kind)]
    pub kind: String,
    #[schema(max_length = 200)]
    pub title: String,
    #[schema(max_length = 20000)]
    pub text: String,
    /// A national matter this speaks to, e.g. `constitution-2017`, so branches' motions add up.
    pub matter: Option<String>,
    /// support or oppose (with `matter`).
    pub position: Option<String>,
    /// A meeting the motion calls for, e.g. `special-conference`: one the constitution in
    /// force lets branches require, at a branch's meeting. Adopted and published, the motion
    /// counts towards that meeting's requisition, whatever its matter or position.
    pub requires: Option<String>,
    /// Late business, after the deadline or at the meeting: taken only once admitted by a
    /// vote (`admit-emergency-motion`).
    #[serde(default)]
    pub emergency: bool,
    /// For `rescind`: the standing decision of an earlier meeting of the same body.
    pub rescinds_id: Option<i64>,
}

/// A procedural motion moved at the meeting by a member present.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProceduralRequest {
    /// closure, next-business, refer-back, adjourn, admit-emergency-motion or
    /// suspend-standing-orders.
    #[schema(example = "closure")]
    #[schema(schema_with = crate::api::words::procedural_kind)]
    pub kind: String,
    /// The motion of this meeting it is about (all but adjourn and suspend-standing-orders).
    pub target_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct MotionProposed {
    pub id: i64,
}

/// The tellers' count.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteRequest {
    pub votes_for: u32,
    pub votes_against: u32,
    #[serde(default)]
    pub abstentions: u32,
    /// Voting members present; defaults to those checked in.
    pub present: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct VoteOutcome {
    /// adopted, rejected or not-binding.
    pub outcome: String,
    pub reasons: Vec<ClauseReason>,
}

/// An amendment: the motion's whole wording as it would read once amended.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MotionAmendmentRequest {
    #[schema(max_length = 20000)]
    pub text: String,
}

/// The motions a withdrawal took off the agenda: the motion and its undecided amendments.
#[derive(Serialize, ToSchema)]
pub struct Withdrawn {
    pub withdrawn: Vec<i64>,
}

/// One wording of a motion.
#[derive(Serialize, ToSchema)]
pub struct MotionVersionBody {
    pub version: i64,
    pub text: String,
    /// The adopted amendment that gave this wording; absent for the wording proposed.
    pub amendment_id: Option<i64>,
    pub at: DateTime<Utc>,
    /// What changed from the wording before, `[-removed-]{+added+}` inline.
    pub diff: Option<String>,
}

/// A meeting's minutes.
#[derive(Serialize, ToSchema)]
pub struct MinutesBody {
    pub meeting_id: i64,
    /// draft, or approved by a later meeting.
    pub state: String,
    pub text: String,
    pub drafted_at: DateTime<Utc>,
    /// The motion, at a later meeting, that would approve them.
    pub approval_motion_id: Option<i64>,
    pub approved_at: Option<DateTime<Utc>>,
}

/// The minutes as written from the record, for an officer to start from.
#[derive(Serialize, ToSchema)]
pub struct MinutesDraft {
    pub text: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinutesRequest {
    #[schema(max_length = 100000)]
    pub text: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinutesApprovalRequest {
    /// The earlier meeting of the same body whose draft minutes this meeting is to approve.
    pub of_meeting_id: i64,
}

/// How an electronic vote is taken.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PollRequest {
    /// named (each member's choice recorded) or secret (only who voted is kept).
    #[schema(example = "secret")]
    #[schema(schema_with = crate::api::words::poll_mode)]
    pub mode: String,
}

/// The count of an electronic vote, given once it has closed.
#[derive(Serialize, ToSchema)]
pub struct PollCount {
    #[serde(rename = "for")]
    pub votes_for: i64,
    pub against: i64,
    pub abstain: i64,
}

/// The caller's own vote.
#[derive(Serialize, ToSchema)]
pub struct MyVote {
    pub submission: String,
    /// Their choice, in a named vote; never kept in a secret one.
    pub choice: Option<String>,
}

/// An electronic vote on a motion.
#[derive(Serialize, ToSchema)]
pub struct PollBody {
    pub motion_id: i64,
    /// named or secret.
    pub mode: String,
    pub open: bool,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// How many have voted so far.
    pub voted: i64,
    /// Kept back while the vote is open.
    pub count: Option<PollCount>,
    pub my_vote: Option<MyVote>,
}

/// One member's electronic vote.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BallotRequest {
    /// for, against or abstain.
    #[schema(example = "for")]
    #[schema(schema_with = crate::api::words::choice)]
    pub choice: String,
    /// A key the client makes once per vote (8 to 64 letters, digits, '-' or '_'): sending
    /// the same vote again with it changes nothing.
    #[schema(example = "b3f1c2d4e5f60718")]
    #[schema(min_length = 8, max_length = 64)]
    pub submission: String,
}

/// What casting a vote did.
#[derive(Serialize, ToSchema)]
pub struct BallotReceipt {
    /// recorded, or already-recorded for the same submission sent again.
    pub status: String,
}

/// Branches' published motions on a national matter, added up.
#[derive(Serialize, ToSchema)]
pub struct MatterTallyBody {
    pub matter: String,
    pub branches: usize,
    pub oppose: usize,
    pub support: usize,
    pub by_region: Vec<RegionTally>,
    pub statements: Vec<Statement>,
}

#[derive(Serialize, ToSchema)]
pub struct RegionTally {
    pub region_id: Option<i64>,
    pub region: String,
    pub oppose: usize,
    pub support: usize,
}

/// A published motion: a unit's public statement.
#[derive(Serialize, ToSchema)]
pub struct Statement {
    pub motion_id: i64,
    pub unit_id: Option<i64>,
    pub title: String,
    pub text: String,
    pub position: Option<String>,
    pub meeting: String,
    pub meeting_on: DateTime<Utc>,
    pub votes_for: Option<i64>,
    pub votes_against: Option<i64>,
}

impl From<&charter_store::PublishedMotion> for Statement {
    fn from(p: &charter_store::PublishedMotion) -> Self {
        Statement {
            motion_id: p.motion.id,
            unit_id: p.unit.map(|u| u.0),
            title: p.motion.title.clone(),
            text: p.motion.text.clone(),
            position: p.motion.position.clone(),
            meeting: p.meeting_title.clone(),
            meeting_on: p.meeting_on,
            votes_for: p.motion.votes_for,
            votes_against: p.motion.votes_against,
        }
    }
}

// ---------------------------------------------------------------- requisitions

#[derive(Serialize, ToSchema)]
pub struct Requisition {
    pub id: i64,
    /// The meeting required, e.g. `special-conference`.
    pub kind: String,
    pub title: String,
    pub purpose: String,
    pub matter: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub signatures: i64,
    /// Branches whose published motions call for the meeting or support `matter`, each once.
    pub branches_supporting: u32,
    /// collecting, reached, overdue or answered.
    pub state: String,
    /// The constitution's threshold with the counts, citing its clause.
    pub threshold: String,
    pub reached_at: Option<DateTime<Utc>>,
    /// The last day the officers may call the meeting.
    pub call_by: Option<NaiveDate>,
    pub meeting_id: Option<i64>,
    /// When those who must call an overdue meeting were last written to (weekly until it is).
    pub reminded_at: Option<DateTime<Utc>>,
    /// Whether the caller has signed.
    pub signed: bool,
}

impl From<&charter_app::meetings::RequisitionView> for Requisition {
    fn from(v: &charter_app::meetings::RequisitionView) -> Self {
        let r = &v.record;
        Requisition {
            id: r.id,
            kind: r.kind.clone(),
            title: r.title.clone(),
            purpose: r.purpose.clone(),
            matter: r.matter.clone(),
            opened_at: r.opened_at,
            signatures: r.signatures,
            branches_supporting: v.branches_supporting,
            state: v.state.as_str().to_string(),
            threshold: v.threshold.clone(),
            reached_at: r.reached_at,
            call_by: r.call_by,
            meeting_id: r.meeting,
            reminded_at: r.reminded_at,
            signed: v.signed,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RequisitionRequest {
    #[schema(example = "special-conference")]
    pub kind: String,
    #[schema(max_length = 200)]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub purpose: String,
    /// A matter key: branches' published motions supporting it count towards the threshold.
    pub matter: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RequisitionOpened {
    pub id: i64,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// The meeting called in answer.
    pub meeting_id: i64,
}
