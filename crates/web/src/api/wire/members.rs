//! Wire formats for the membership register.

use charter_app::register::MemberView;
use charter_model::{
    AffiliationRecord, BranchMoveRecord, MemberDetail, MemberSummary, PaymentRecord,
    StatusChangeRecord,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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
            id: a.id.0,
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
    pub first_name: Option<String>,
    pub last_name: Option<String>,
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
    #[schema(format = Date)]
    pub effective_on: Option<String>,
    /// Why: it goes in the member's history.
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
    #[schema(format = Date)]
    pub paid_on: String,
    /// Pounds as text, e.g. "12.50": never a float.
    #[schema(example = "12.50")]
    #[schema(pattern = r"^£?[0-9]{1,9}(\.[0-9]{1,2})?$")]
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
    pub organisation: String,
    /// YYYY-MM-DD, optional.
    #[schema(format = Date)]
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
    #[schema(format = Date)]
    pub effective_on: Option<String>,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Transferred {
    pub member_id: i64,
    pub branch_id: i64,
}
