//! Charter's constitution engine.
//!
//! A constitution is versioned text of numbered clauses that carry machine rules: rights
//! (who may attend, speak, vote, stand, nominate, propose, where), procedure (notice, quorum,
//! thresholds, terms, grace, deadlines, requisitions, business, ballots, nominations,
//! delegates to conference and what the join form asks of applicants) and
//! structure (bodies and how their seats are filled). This crate reads and writes the
//! authored file, answers "may this member do this, and why not?" with the clause that
//! decided, checks whether a recorded decision or amendment binds, compares versions and
//! previews an amendment's impact.
//!
//! Deliberately absent: I/O beyond parsing strings, async, SQL and HTTP. Time is an
//! argument. The engine's types are not `Serialize`; serde appears only in the file format.

mod constitution;
mod delegates;
mod diff;
mod error;
mod example;
mod expr;
mod facts;
mod file;
mod history;
mod impact;
mod joining;
mod offices;
mod procedure;
mod rights;
mod roll;
mod words;

pub use constitution::{
    AdoptedBy, AmendmentRule, BallotRule, Body, BusinessRule, Clause, Constitution, DeadlineRule,
    Effect, Filling, MEMBER_BALLOT, NominationRule, NoticeRule, QuorumRule, RequisitionRule,
    RightRule, TermRule, ThresholdRule, TrusteeRule,
};
pub use delegates::{CardVote, DelegatesRule};
pub use diff::{ClauseChange, VersionDiff, WordDiff, Words, diff, word_diff};
pub use error::{ConstitutionError, ExprError, HistoryError, Location, ValueError};
pub use example::{EXAMPLE_CONSTITUTION, example_constitution_for};
pub use expr::{Atom, Cmp, Expr};
pub use facts::{Affiliation, Env, MemberFacts};
pub use history::History;
pub use impact::{Counts, Impact, RightImpact, impact_preview};
pub use joining::{Ask, JoinField, JoiningRule};
pub use offices::{FoundingRule, OfficeFilling, OfficeRule};
pub use procedure::{
    Adoption, Binding, Check, DecisionRecord, Failure, MotionResult, NotBinding,
    check_amendment_adoption, check_decision, check_requisition, motion_result,
};
pub use rights::RightDecision;
pub use roll::{
    Exclusion, Roll, RollLine, RollSpec, build_roll, chain_hash, roll_hash, roll_header,
};
pub use words::{
    Base, ClauseRef, Comparison, Context, ContextPattern, CountMethod, DecisionKind, Duration,
    Forum, Fraction, Key, Quorum, Right, Threshold, TimeUnit, clear_days,
};
