//! Test harnesses shared by Charter's crates: a throwaway PostgreSQL database per test, a real
//! SMTP sink, a headless Chromium and the real-election data beside the repository. Used only
//! as a dev-dependency.
//!
//! The rule for anything a test needs from outside the process: on CI a skip is a failure, and
//! locally a test that cannot run says so loudly and returns early. `scripts/test` provisions
//! PostgreSQL and Chromium and, when `CI=true`, sets `CHARTER_REQUIRE_POSTGRES=1` and
//! `CHARTER_REQUIRE_BROWSER=1` (and `CHARTER_REQUIRE_ELECTION_DATA=1`) so a missing service fails the run.
//!
//! ```no_run
//! # async fn example() {
//! use charter_test_support::postgres::fresh_database;
//! let Some(db) = fresh_database().await else { return };
//! let url = db.url(); // postgres://…/charter_test_…, dropped with `db`
//! # let _ = url;
//! # }
//! ```

pub mod browser;
pub mod data;
pub mod page;
pub mod postgres;
mod skip;
pub mod smtp;

pub use browser::browser;
pub use data::election_data;
pub use postgres::{PgTestDb, fresh_database};
pub use skip::{Requirement, is_required, require_or_skip};
pub use smtp::{MailPart, ReceivedMail, Refusal, SmtpSink, WaitTimeout};
