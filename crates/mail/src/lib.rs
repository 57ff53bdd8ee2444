//! Letters to email: a [`Letter`] (optionally with a calendar [`Invite`]) becomes a MIME
//! message and is delivered over SMTP by a [`Mailer`], which says whether a failure is worth
//! retrying ([`SendError`]).
//!
//! This crate keeps no state beyond its connection pool and touches no database: the app's
//! outbox decides what to send, chooses each message's stable `Message-ID`, and records the
//! outcome.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use charter_mail::{Letter, Mailer, SmtpConfig};
//! let config = SmtpConfig::from_url(
//!     "smtp+starttls://notices:secret@mail.example.org?from=Charter%20<notices@example.org>",
//! )?;
//! let mailer = Mailer::new(&config)?;
//! let letter = Letter {
//!     to_name: Some("Zoë Member".into()),
//!     to: "zoe@example.org".into(),
//!     subject: "Notice of the branch AGM".into(),
//!     text: "The AGM is on 3 December.".into(),
//!     html: None,
//!     invite: None,
//! };
//! match mailer.send(&letter, "notice-17.member-42@charter.example.org").await {
//!     Ok(()) => {}
//!     Err(e) if e.is_permanent() => { /* record the failure, do not retry */ }
//!     Err(_) => { /* try again later with the same Message-ID */ }
//! }
//! # Ok(())
//! # }
//! ```

mod config;
mod ics;
mod letter;
mod mailer;

pub use config::{ConfigError, DEFAULT_POOL_SIZE, DEFAULT_TIMEOUT, Security, SmtpConfig};
pub use ics::{Invite, Method, Organizer, feed, ics};
pub use letter::Letter;
pub use mailer::{Mailer, MailerError, SendError};
