//! Counting methods for Charter elections and ballots.
//!
//! This crate depends on nothing else in the workspace: it takes an [`Election`]
//! (candidates, seats, grouped ballots) and produces a [`Report`] with every round.

pub mod blt;
#[cfg(feature = "cli")]
pub mod cli;
pub mod error;
pub mod fate;
pub mod input;
pub mod irish;
pub mod json_ballots;
pub mod lot;
pub mod merge;
pub mod method;
pub mod methods;
pub mod model;
pub mod preflib;
pub mod render;
pub mod report;
pub mod stv;

pub use error::ParseError;
pub use fate::{Fate, ordinal};
pub use method::{Method, count_by};
pub use model::{Ballot, Candidate, CandidateId, Election};
pub use report::{Action, Decimal, DecimalError, Report, Round, TieBreak};
