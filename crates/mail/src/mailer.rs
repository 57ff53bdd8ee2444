//! Delivery over SMTP through a pool of connections, with failures sorted by whether a retry
//! could succeed.

use std::fmt;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::{AsyncSmtpTransportBuilder, PoolConfig};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{Security, SmtpConfig};
use crate::letter::{Letter, build_message};

/// Why a letter was not delivered, and whether trying again later could change that.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// The relay could not be reached, answered 4xx, stalled, or refused our credentials:
    /// the same letter may go through later.
    #[error("delivery failed for now: {0}")]
    Transient(String),
    /// The relay answered 5xx to this letter, or the letter cannot be an email at all:
    /// sending it again would fail the same way.
    #[error("delivery failed for good: {0}")]
    Permanent(String),
}

impl SendError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Permanent(_))
    }
}

/// The relay's TLS settings could not be prepared.
#[derive(Debug, thiserror::Error)]
#[error("cannot prepare TLS for smtp host {host}: {reason}")]
pub struct MailerError {
    host: String,
    reason: String,
}

/// Sends letters through one relay, keeping up to the configured number of connections open.
///
/// Each connection carries one send at a time, so a caller gets the pool's throughput by
/// running up to `pool_size` sends at once (share the mailer behind an `Arc`).
pub struct Mailer {
    builder: AsyncSmtpTransportBuilder,
    /// Replaced when a send times out (see [`Mailer::send`]); a cheap handle to clone.
    transport: RwLock<AsyncSmtpTransport<Tokio1Executor>>,
    from: Mailbox,
    timeout: Duration,
    relay: String,
}

impl Mailer {
    /// Prepares the transport; no connection is made until the first send. Must be called
    /// within a Tokio runtime, where the pool keeps its idle-connection reaper.
    pub fn new(config: &SmtpConfig) -> Result<Mailer, MailerError> {
        let tls_error = |e: lettre::transport::smtp::Error| MailerError {
            host: config.host().to_owned(),
            reason: e.to_string(),
        };
        type Transport = AsyncSmtpTransport<Tokio1Executor>;
        let mut builder = match config.security() {
            Security::Plain => Transport::builder_dangerous(config.host()),
            Security::StartTls => Transport::starttls_relay(config.host()).map_err(tls_error)?,
            Security::Tls => Transport::relay(config.host()).map_err(tls_error)?,
        }
        .port(config.port())
        .timeout(Some(config.timeout()))
        .pool_config(PoolConfig::new().max_size(config.pool_size()));
        if let Some((user, password)) = config.login() {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                password.expose_secret().to_owned(),
            ));
        }
        Ok(Mailer {
            transport: RwLock::new(builder.clone().build()),
            builder,
            from: config.sender().clone(),
            timeout: config.timeout(),
            relay: config.to_string(),
        })
    }

    /// Delivers `letter` with the given `Message-ID` (angle brackets optional). The caller
    /// chooses the id and keeps it across retries, so a notice sent twice after a lost reply
    /// is recognisably one message to the recipient's client.
    ///
    /// The whole send is bounded by the configured timeout: lettre's own timeout covers only
    /// connecting, and a relay that accepts and then stalls would otherwise hold a sender for
    /// ever.
    #[tracing::instrument(skip_all, fields(message_id = %message_id))]
    pub async fn send(&self, letter: &Letter, message_id: &str) -> Result<(), SendError> {
        let message = build_message(&self.from, letter, message_id)?;
        let transport = self
            .transport
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        match tokio::time::timeout(self.timeout, transport.send(message)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(classify(
                e.status().and_then(|c| c.to_string().parse().ok()),
                e.is_permanent(),
                &e.to_string(),
            )),
            Err(_) => {
                // The abandoned connection goes back to its pool mid-conversation, where a
                // later send could read its late replies as answers to new commands; a fresh
                // pool leaves it behind, and the old pool closes it once no send holds it.
                *self
                    .transport
                    .write()
                    .unwrap_or_else(PoisonError::into_inner) = self.builder.clone().build();
                tracing::warn!(relay = %self.relay, "smtp send timed out; connection pool replaced");
                Err(SendError::Transient(format!(
                    "relay {} did not complete the send within {} s",
                    self.relay,
                    self.timeout.as_secs()
                )))
            }
        }
    }
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("relay", &self.relay)
            .field("from", &self.from.to_string())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// RFC 4954 replies refusing our authentication (530 also covers "STARTTLS first"): the relay
/// refuses the sender's configuration, not this letter, so every letter would fail alike until
/// an operator fixes it, and none should be given up for good meanwhile.
const AUTH_REFUSALS: [u16; 4] = [530, 534, 535, 538];

/// Sorts a failed send by the relay's reply code, if any. Anything but a 5xx reply (no
/// connection, TLS failure, 4xx, a broken reply) is transient: only the relay's judgement on
/// the letter itself makes a retry pointless.
fn classify(code: Option<u16>, permanent: bool, detail: &str) -> SendError {
    match code {
        Some(code) if permanent && !AUTH_REFUSALS.contains(&code) => {
            SendError::Permanent(detail.to_owned())
        }
        _ => SendError::Transient(detail.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_codes_decide_permanence() {
        assert!(classify(Some(550), true, "550 no such user").is_permanent());
        assert!(classify(Some(552), true, "552 too big").is_permanent());
        assert!(!classify(Some(451), false, "451 try later").is_permanent());
        assert!(!classify(None, false, "connection refused").is_permanent());
        assert!(!classify(None, false, "tls error").is_permanent());
    }

    #[test]
    fn authentication_refusals_are_retried() {
        for code in AUTH_REFUSALS {
            assert!(!classify(Some(code), true, "auth").is_permanent(), "{code}");
        }
    }

    #[test]
    fn errors_say_which_kind() {
        assert_eq!(
            SendError::Transient("x".into()).to_string(),
            "delivery failed for now: x"
        );
        assert_eq!(
            SendError::Permanent("y".into()).to_string(),
            "delivery failed for good: y"
        );
    }
}
