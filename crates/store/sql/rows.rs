// Rows as the database returns them, and their conversion into the store's records. Stored enum
// text is decoded with an error (never a panic) if it is not one we wrote.

use charter_domain::{BodyId, MemberId, Money, OfficeId, Payment, UnitId};
use charter_store::text::{
    corrupt, decode_dues_plan, decode_office_kind, decode_status, decode_u32, decode_u64,
    decode_unit_kind,
};
use charter_store::*;
use charter_model::AffiliationId;
use chrono::{DateTime, NaiveDate, Utc};

#[derive(sqlx::FromRow)]
pub(crate) struct UnitRow {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub name: String,
    pub slug: String,
    pub closed_on: Option<NaiveDate>,
    pub merged_into: Option<i64>,
}

impl UnitRow {
    pub fn into_record(self) -> StoreResult<UnitRecord> {
        Ok(UnitRecord {
            id: UnitId(self.id),
            parent: self.parent_id.map(UnitId),
            kind: decode_unit_kind(&self.kind)?,
            name: self.name,
            slug: self.slug,
            closed_on: self.closed_on,
            merged_into: self.merged_into.map(UnitId),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StatsRow {
    pub branch_id: i64,
    pub status: String,
    pub n: i64,
    pub paid: i64,
}

/// One entry per branch (zeros for a branch without members), plus any other unit that is
/// somebody's home, in unit order.
pub(crate) fn stats_from_rows(
    branches: Vec<i64>,
    rows: Vec<StatsRow>,
) -> StoreResult<Vec<BranchStats>> {
    let mut out: std::collections::BTreeMap<i64, BranchStats> = branches
        .into_iter()
        .map(|b| {
            (
                b,
                BranchStats {
                    branch: Some(UnitId(b)),
                    ..Default::default()
                },
            )
        })
        .collect();
    for r in rows {
        let status = decode_status(&r.status)?;
        let n = decode_u64("count", r.n)?;
        let paid = decode_u64("count", r.paid)?;
        let s = out.entry(r.branch_id).or_insert_with(|| BranchStats {
            branch: Some(UnitId(r.branch_id)),
            ..Default::default()
        });
        use charter_domain::MemberStatus::*;
        match status {
            Applicant => s.applicant += n,
            Active => s.active += n,
            Lapsed => s.lapsed += n,
            Suspended => s.suspended += n,
            Expelled => s.expelled += n,
            Resigned => s.resigned += n,
        }
        if status.is_member() {
            s.paid_up += paid;
        }
    }
    Ok(out.into_values().collect())
}

#[derive(sqlx::FromRow)]
pub(crate) struct OfficeRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_kind: String,
    pub kind: String,
    pub holder_id: Option<i64>,
    pub holder_name: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub mandate: Option<String>,
    pub election_id: Option<i64>,
    pub motion_id: Option<i64>,
    pub clause: Option<String>,
}

impl OfficeRow {
    pub fn into_record(self) -> StoreResult<OfficeRecord> {
        Ok(OfficeRecord {
            id: OfficeId(self.id),
            unit: UnitId(self.unit_id),
            unit_name: self.unit_name,
            unit_kind: decode_unit_kind(&self.unit_kind)?,
            kind: decode_office_kind(&self.kind)?,
            holder: self.holder_id.map(MemberId),
            holder_name: self.holder_name,
            term: self.starts_on.map(|starts_on| Term {
                starts_on,
                ends_on: self.ends_on,
            }),
            mandate: match self.mandate.as_deref() {
                None => None,
                Some(m) => Some(
                    Mandate::decode(m, self.election_id, self.motion_id)
                        .ok_or_else(|| corrupt("office mandate", m))?,
                ),
            },
            clause: self.clause,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct BodyRow {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub kind: String,
    pub seats: i64,
    pub filled_by: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SeatRow {
    pub body_id: i64,
    pub member_id: i64,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub how: String,
}

pub(crate) fn bodies_from_rows(
    bodies: Vec<BodyRow>,
    seats: Vec<SeatRow>,
) -> StoreResult<Vec<BodyRecord>> {
    let mut out = Vec::with_capacity(bodies.len());
    for b in bodies {
        out.push(BodyRecord {
            id: BodyId(b.id),
            unit: UnitId(b.unit_id),
            name: b.name,
            kind: b.kind,
            seats: decode_u32("seats", b.seats)?,
            filled_by: b.filled_by,
            holders: Vec::new(),
        });
    }
    for s in seats {
        if let Some(body) = out.iter_mut().find(|b| b.id.0 == s.body_id) {
            body.holders.push(SeatHolder {
                member: MemberId(s.member_id),
                name: s.name,
                term: Term {
                    starts_on: s.starts_on,
                    ends_on: s.ends_on,
                },
                how: s.how,
            });
        }
    }
    Ok(out)
}

#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
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
}

impl MemberRow {
    pub fn into_record(self) -> StoreResult<MemberRecord> {
        Ok(MemberRecord {
            id: MemberId(self.id),
            status: decode_status(&self.status)?,
            dues_plan: decode_dues_plan(&self.dues_plan)?,
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            phone: self.phone,
            postcode: self.postcode,
            branch: UnitId(self.branch_id),
            branch_name: self.branch_name,
            joined_on: self.joined_on,
            paid_up_until: self.paid_up_until,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SummaryRow {
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

impl SummaryRow {
    pub fn into_record(self) -> StoreResult<MemberSummary> {
        Ok(MemberSummary {
            id: MemberId(self.id),
            status: decode_status(&self.status)?,
            first_name: self.first_name,
            last_name: self.last_name,
            email: self.email,
            postcode: self.postcode,
            branch: UnitId(self.branch_id),
            branch_name: self.branch_name,
            joined_on: self.joined_on,
            paid_up_until: self.paid_up_until,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct StatusRow {
    pub from_status: Option<String>,
    pub to_status: String,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub changed_by: Option<i64>,
    pub changed_by_name: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

impl StatusRow {
    pub fn into_record(self) -> StoreResult<StatusChangeRecord> {
        Ok(StatusChangeRecord {
            from: self.from_status.as_deref().map(decode_status).transpose()?,
            to: decode_status(&self.to_status)?,
            effective_on: self.effective_on,
            reason: self.reason,
            changed_by: self.changed_by.map(MemberId),
            changed_by_name: self.changed_by_name,
            recorded_at: self.recorded_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct PaymentRow {
    pub paid_on: NaiveDate,
    pub amount_pence: i64,
    pub months: i64,
    pub recorded_by_name: Option<String>,
}

impl PaymentRow {
    pub fn into_record(self) -> StoreResult<PaymentRecord> {
        Ok(PaymentRecord {
            paid_on: self.paid_on,
            amount_pence: self.amount_pence,
            months: decode_u32("months", self.months)?,
            recorded_by_name: self.recorded_by_name,
        })
    }

    pub fn into_payment(self) -> StoreResult<Payment> {
        Ok(Payment {
            paid_on: self.paid_on,
            amount: Money(self.amount_pence),
            months: decode_u32("months", self.months)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AffiliationRow {
    pub id: i64,
    pub organisation: String,
    pub since: Option<NaiveDate>,
    pub verified_by: Option<i64>,
    pub verified_by_name: Option<String>,
    pub verified_on: Option<NaiveDate>,
}

impl AffiliationRow {
    pub fn into_record(self) -> AffiliationRecord {
        AffiliationRecord {
            id: AffiliationId(self.id),
            organisation: self.organisation,
            since: self.since,
            verified_by: self.verified_by.map(MemberId),
            verified_by_name: self.verified_by_name,
            verified_on: self.verified_on,
            earlier_verifications: Vec::new(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EarlierVerificationRow {
    pub affiliation_id: i64,
    pub verified_by: Option<i64>,
    pub verified_by_name: Option<String>,
    pub verified_on: NaiveDate,
}

impl EarlierVerificationRow {
    pub fn into_record(self) -> (i64, EarlierVerification) {
        (
            self.affiliation_id,
            EarlierVerification {
                verified_by: self.verified_by.map(MemberId),
                verified_by_name: self.verified_by_name,
                verified_on: self.verified_on,
            },
        )
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct MoveRow {
    pub from_unit: i64,
    pub from_name: String,
    pub to_unit: i64,
    pub to_name: String,
    pub effective_on: NaiveDate,
    pub reason: String,
    pub moved_by_name: Option<String>,
}

impl MoveRow {
    pub fn into_record(self) -> BranchMoveRecord {
        BranchMoveRecord {
            from: UnitId(self.from_unit),
            from_name: self.from_name,
            to: UnitId(self.to_unit),
            to_name: self.to_name,
            effective_on: self.effective_on,
            reason: self.reason,
            moved_by_name: self.moved_by_name,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CredentialsRow {
    pub id: i64,
    pub password_hash: Option<String>,
    pub status: String,
}

impl CredentialsRow {
    pub fn into_record(self) -> StoreResult<Credentials> {
        Ok(Credentials {
            member: MemberId(self.id),
            password_hash: self.password_hash,
            status: decode_status(&self.status)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    pub token_hash: String,
    pub member_id: i64,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub second_factor_pending: bool,
}

impl SessionRow {
    pub fn into_record(self) -> SessionRecord {
        SessionRecord {
            token_hash: self.token_hash,
            member: MemberId(self.member_id),
            csrf_token: self.csrf_token,
            created_at: self.created_at,
            expires_at: self.expires_at,
            second_factor_pending: self.second_factor_pending,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_member: Option<i64>,
    pub actor_office: Option<String>,
    pub kind: String,
    pub subject: String,
    pub payload: String,
    pub reason: String,
}

impl EventRow {
    pub fn into_record(self) -> EventRecord {
        EventRecord {
            seq: self.seq,
            at: self.at,
            actor_member: self.actor_member.map(MemberId),
            actor_office: self.actor_office,
            kind: self.kind,
            subject: self.subject,
            payload: self.payload,
            reason: self.reason,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccessRow {
    pub at: DateTime<Utc>,
    pub reader_id: Option<i64>,
    pub reader_name: Option<String>,
    pub office: Option<String>,
    pub purpose: String,
}

impl AccessRow {
    pub fn into_record(self) -> AccessEntry {
        AccessEntry {
            at: self.at,
            reader: self.reader_id.map(MemberId),
            reader_name: self.reader_name,
            office: self.office,
            purpose: self.purpose,
        }
    }
}

/// A column holding one of a closed set of words, read into its type; another word is a
/// decoding error naming the column.
pub(crate) fn stored<T>(
    r: &<Db as sqlx::Database>::Row,
    column: &str,
    parse: fn(&str) -> Option<T>,
) -> Result<T, sqlx::Error> {
    let word: String = sqlx::Row::try_get(r, column)?;
    parse(&word).ok_or_else(|| sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: Box::new(corrupt(column, &word)),
    })
}

/// Ids cross into SQL as the numbers they wrap: the domain's id types know nothing of a
/// database, so a statement binds `id.raw()` and a row reads an id column with `r.id(…)`,
/// which gives whichever id type (or `Option` of one) the record's field has.
pub(crate) trait RawId {
    type Raw;
    fn raw(&self) -> Self::Raw;
}

/// An id, or an optional one, read from its column.
pub(crate) trait FromRawId: Sized {
    type Raw: for<'r> sqlx::Decode<'r, Db> + sqlx::Type<Db>;
    fn from_raw(raw: Self::Raw) -> Self;
}

macro_rules! raw_ids {
    ($($id:ty),* $(,)?) => {$(
        impl RawId for $id {
            type Raw = i64;
            fn raw(&self) -> i64 {
                self.0
            }
        }
        impl RawId for Option<$id> {
            type Raw = Option<i64>;
            fn raw(&self) -> Option<i64> {
                self.map(|id| id.0)
            }
        }
        impl FromRawId for $id {
            type Raw = i64;
            fn from_raw(raw: i64) -> Self {
                Self(raw)
            }
        }
        impl FromRawId for Option<$id> {
            type Raw = Option<i64>;
            fn from_raw(raw: Option<i64>) -> Self {
                raw.map(<$id>::from)
            }
        }
    )*};
}

raw_ids!(
    charter_model::AccountLinkId,
    charter_model::AffiliationId,
    charter_model::AgendaItemId,
    charter_model::AmendmentAttemptId,
    charter_model::AmendmentId,
    charter_model::ApplicationId,
    charter_model::BallotId,
    charter_model::CompositeId,
    charter_model::ConstitutionVersionId,
    charter_model::CredentialChallengeId,
    charter_model::CredentialId,
    charter_model::ElectionId,
    charter_model::HistoricalEntryId,
    charter_model::LetterId,
    charter_model::MeetingId,
    charter_model::MotionId,
    charter_model::NominationId,
    charter_model::PaperBatchId,
    charter_model::PaperEntryId,
    charter_model::PaperId,
    charter_model::RequisitionId,
    charter_model::RollChallengeId,
    charter_model::RollId,
);

/// Reads an id column as its type: `r.id("meeting_id")?`.
pub(crate) trait IdColumn {
    fn id<T: FromRawId>(&self, column: &str) -> Result<T, sqlx::Error>;
}

impl IdColumn for <Db as sqlx::Database>::Row {
    fn id<T: FromRawId>(&self, column: &str) -> Result<T, sqlx::Error> {
        sqlx::Row::try_get::<T::Raw, _>(self, column).map(T::from_raw)
    }
}
