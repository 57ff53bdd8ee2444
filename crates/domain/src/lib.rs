//! Charter's domain: the register, the organisation's structure and the powers offices carry.
//!
//! Deliberately absent: I/O, async, SQL, HTTP and serialisation. Values that cross the edge
//! are built with `parse`, so an invalid email, postcode or amount cannot exist in here.

pub mod accounts;
pub mod application;
pub mod ballot;
pub mod dues;
pub mod ids;
pub mod meeting;
pub mod member;
pub mod paper;
pub mod powers;
pub mod states;
pub mod status;
mod stored;
pub mod structure;
pub mod values;

pub use accounts::{LinkPurpose, SIGN_IN_STATUSES, may_be_invited};
pub use application::ApplicationState;
pub use ballot::{BallotKind, BallotState};
pub use dues::{DuesPlan, Payment, is_paid_up, paid_up_until};
pub use ids::{BodyId, EventId, MemberId, OfficeId, UnitId};
pub use meeting::{CheckInWindow, Sitting};
pub use member::{FieldErrors, MemberChanges, NewMember, RawMemberChanges, RawNewMember};
pub use powers::{Actor, HeldOffice, OfficeKind, Power};
pub use states::{
    AmendmentState, CardVote, ChallengeState, CompositeState, DelegateCredentialState,
    DelegateRole, MeetingMode, MeetingState, MinutesState, MotionState, NominationState,
    PaperBatchState, PollMode, VoteChoice,
};
pub use status::{MemberStatus, SignIn, StatusError};
pub use structure::{UnitKind, UnitTree};
pub use values::{Email, Money, PersonName, Phone, Postcode, ValueError, parse_date};
