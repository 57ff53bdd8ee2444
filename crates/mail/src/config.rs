//! The relay to send through, read from one URL so an operator configures mail in one place.

use std::fmt;
use std::time::Duration;

use lettre::message::Mailbox;
use percent_encoding::percent_decode_str;
use secrecy::SecretString;
use url::{Host, Url};

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtp://`: no TLS, for a relay on the same machine or network, and for tests.
    Plain,
    /// `smtp+starttls://`: plain connection upgraded with STARTTLS, which the relay must offer.
    StartTls,
    /// `smtps://`: TLS from the first byte (implicit TLS, usually port 465).
    Tls,
}

impl Security {
    fn scheme(self) -> &'static str {
        match self {
            Security::Plain => "smtp",
            Security::StartTls => "smtp+starttls",
            Security::Tls => "smtps",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Security::Plain => 25,
            Security::StartTls => 587,
            Security::Tls => 465,
        }
    }
}

/// The relay's address, credentials, sender and limits.
///
/// Built only by [`SmtpConfig::from_url`], so a config that exists is complete. The password is
/// a [`SecretString`] and neither `Debug` nor `Display` shows it.
#[derive(Clone)]
pub struct SmtpConfig {
    security: Security,
    host: String,
    port: u16,
    login: Option<(String, SecretString)>,
    from: Mailbox,
    pool_size: u32,
    timeout: Duration,
}

/// Connections kept open to the relay unless `?pool=` says otherwise.
///
/// Throughput comes from parallel connections: lettre 0.11.23 leaves Nagle's algorithm on, so
/// the end-of-data line of each message waits for the relay's delayed ACK (40 ms on Linux) and
/// one connection carries about 22 messages a second. Ten (lettre's own default) made about
/// 200 while the site was busy and each delivery was recorded; 24 leave room above the 200 a
/// second we promise, and stay well under the concurrent connections relays allow a client.
pub const DEFAULT_POOL_SIZE: u32 = 24;
/// The bound on one send, connection included, unless `?timeout=` says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What is wrong with an SMTP URL. The messages never repeat the URL, which may hold a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("smtp url is not a url: {0}")]
    Syntax(String),
    #[error("smtp url scheme `{0}` is not one of smtp, smtp+starttls, smtps")]
    Scheme(String),
    #[error("smtp url has no host")]
    MissingHost,
    #[error("smtp url host is not valid UTF-8 after percent-decoding")]
    Host,
    #[error("smtp url {0} is not valid UTF-8 after percent-decoding")]
    Credential(&'static str),
    #[error("smtp url has a password but no user name")]
    PasswordWithoutUser,
    #[error(
        "smtp url has credentials but smtp:// would send them unencrypted; use smtp+starttls:// or smtps://"
    )]
    CredentialsInClear,
    #[error("smtp url has a path `{0}`; none is expected")]
    Path(String),
    #[error("smtp url has a fragment; none is expected")]
    Fragment,
    #[error("smtp url has no `from` (add ?from=Name%20<address@example.org>)")]
    MissingFrom,
    #[error("smtp url `from` is not a mailbox like `Name <address@example.org>`: {0}")]
    From(String),
    #[error("smtp url parameter `{0}` is unknown (expected from, pool or timeout)")]
    UnknownParameter(String),
    #[error("smtp url parameter `{0}` is given twice")]
    RepeatedParameter(String),
    #[error("smtp url parameter `{name}` {reason}")]
    Parameter { name: &'static str, reason: String },
}

impl SmtpConfig {
    /// Reads `smtp://host[:port]`, `smtp+starttls://user:password@host[:587]` or
    /// `smtps://user:password@host[:465]`, each with a required `?from=` (the sender mailbox,
    /// percent-encoded) and optional `pool=` (connections, 1–100) and `timeout=` (seconds per
    /// send, 1–3600). User name and password are percent-decoded.
    pub fn from_url(raw: &str) -> Result<SmtpConfig, ConfigError> {
        let url = Url::parse(raw.trim()).map_err(|e| ConfigError::Syntax(e.to_string()))?;
        let security = match url.scheme() {
            "smtp" => Security::Plain,
            "smtp+starttls" => Security::StartTls,
            "smtps" => Security::Tls,
            other => return Err(ConfigError::Scheme(other.to_owned())),
        };
        let host = match url.host() {
            None => return Err(ConfigError::MissingHost),
            Some(Host::Domain(d)) => decode(d).ok_or(ConfigError::Host)?,
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
        };
        if host.is_empty() {
            return Err(ConfigError::MissingHost);
        }
        let port = url.port().unwrap_or(security.default_port());
        if !matches!(url.path(), "" | "/") {
            return Err(ConfigError::Path(url.path().to_owned()));
        }
        if url.fragment().is_some() {
            return Err(ConfigError::Fragment);
        }

        let user = decode(url.username()).ok_or(ConfigError::Credential("user name"))?;
        let password = url
            .password()
            .map(|p| decode(p).ok_or(ConfigError::Credential("password")))
            .transpose()?;
        let login = match (user.is_empty(), password) {
            (true, None) => None,
            (true, Some(_)) => return Err(ConfigError::PasswordWithoutUser),
            (false, password) => Some((user, SecretString::from(password.unwrap_or_default()))),
        };
        if login.is_some() && security == Security::Plain {
            return Err(ConfigError::CredentialsInClear);
        }

        let mut from = None;
        let mut pool_size = None;
        let mut timeout = None;
        // Split by hand rather than with form decoding, which would turn the `+` of
        // `notices+branch@example.org` into a space.
        for pair in url
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
        {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = |name: &'static str| {
                decode(value).ok_or(ConfigError::Parameter {
                    name,
                    reason: "is not valid UTF-8 after percent-decoding".into(),
                })
            };
            match decode(name).as_deref().unwrap_or(name) {
                "from" => set_once(&mut from, "from", parse_from(&value("from")?)?)?,
                "pool" => set_once(&mut pool_size, "pool", parse_pool(&value("pool")?)?)?,
                "timeout" => set_once(&mut timeout, "timeout", parse_timeout(&value("timeout")?)?)?,
                other => return Err(ConfigError::UnknownParameter(other.to_owned())),
            }
        }

        Ok(SmtpConfig {
            security,
            host,
            port,
            login,
            from: from.ok_or(ConfigError::MissingFrom)?,
            pool_size: pool_size.unwrap_or(DEFAULT_POOL_SIZE),
            timeout: timeout.unwrap_or(DEFAULT_TIMEOUT),
        })
    }

    pub fn security(&self) -> Security {
        self.security
    }

    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn user(&self) -> Option<&str> {
        self.login.as_ref().map(|(user, _)| user.as_str())
    }

    /// The sender as it appears in the `From` header, e.g. `Charter <notices@example.org>`.
    pub fn from(&self) -> String {
        self.from.to_string()
    }

    pub fn pool_size(&self) -> u32 {
        self.pool_size
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    pub(crate) fn sender(&self) -> &Mailbox {
        &self.from
    }

    pub(crate) fn login(&self) -> Option<&(String, SecretString)> {
        self.login.as_ref()
    }
}

/// The URL without its password, fit for a log line.
impl fmt::Display for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.security.scheme())?;
        if let Some((user, _)) = &self.login {
            write!(f, "{user}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("security", &self.security)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user())
            .field("password", &self.login.as_ref().map(|_| "[redacted]"))
            .field("from", &self.from())
            .field("pool_size", &self.pool_size)
            .field("timeout", &self.timeout)
            .finish()
    }
}

fn decode(s: &str) -> Option<String> {
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

fn set_once<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), ConfigError> {
    if slot.replace(value).is_some() {
        return Err(ConfigError::RepeatedParameter(name.to_owned()));
    }
    Ok(())
}

fn parse_from(value: &str) -> Result<Mailbox, ConfigError> {
    if value.trim().is_empty() {
        return Err(ConfigError::MissingFrom);
    }
    value
        .trim()
        .parse::<Mailbox>()
        .map_err(|e| ConfigError::From(e.to_string()))
}

fn parse_pool(value: &str) -> Result<u32, ConfigError> {
    match value.parse::<u32>() {
        Ok(n @ 1..=100) => Ok(n),
        _ => Err(ConfigError::Parameter {
            name: "pool",
            reason: format!("must be a number of connections from 1 to 100, not `{value}`"),
        }),
    }
}

fn parse_timeout(value: &str) -> Result<Duration, ConfigError> {
    match value.parse::<u64>() {
        Ok(n @ 1..=3600) => Ok(Duration::from_secs(n)),
        _ => Err(ConfigError::Parameter {
            name: "timeout",
            reason: format!("must be a number of seconds from 1 to 3600, not `{value}`"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    const FROM: &str = "from=Charter%20Notices%20%3Cnotices@example.org%3E";

    fn parse(url: &str) -> Result<SmtpConfig, ConfigError> {
        SmtpConfig::from_url(url)
    }

    #[test]
    fn plain_relay_with_port() {
        let c = parse(&format!("smtp://127.0.0.1:2525?{FROM}")).unwrap();
        assert_eq!(c.security(), Security::Plain);
        assert_eq!((c.host(), c.port()), ("127.0.0.1", 2525));
        assert_eq!(c.user(), None);
        assert_eq!(c.from(), "Charter Notices <notices@example.org>");
        assert_eq!(c.pool_size(), DEFAULT_POOL_SIZE);
        assert_eq!(c.timeout(), DEFAULT_TIMEOUT);
    }

    #[test]
    fn schemes_pick_security_and_default_ports() {
        let cases = [
            ("smtp://relay.example.org", Security::Plain, 25),
            (
                "smtp+starttls://u:p@mail.example.org",
                Security::StartTls,
                587,
            ),
            ("smtps://u:p@mail.example.org", Security::Tls, 465),
            ("SMTPS://u:p@mail.example.org:2465", Security::Tls, 2465),
        ];
        for (url, security, port) in cases {
            let c = parse(&format!("{url}?{FROM}")).unwrap();
            assert_eq!((c.security(), c.port()), (security, port), "{url}");
        }
    }

    #[test]
    fn credentials_are_percent_decoded() {
        let c = parse(&format!(
            "smtps://branch%40example.org:p%3Ass%2Fw%20rd%25@mail.example.org?{FROM}"
        ))
        .unwrap();
        assert_eq!(c.user(), Some("branch@example.org"));
        assert_eq!(c.login().unwrap().1.expose_secret(), "p:ss/w rd%");
        assert_eq!(c.host(), "mail.example.org");
    }

    #[test]
    fn plus_in_the_sender_address_is_kept() {
        let c = parse("smtp://relay.example.org?from=notices+branch@example.org").unwrap();
        assert_eq!(c.from(), "notices+branch@example.org");
        let c = parse("smtp://relay.example.org?from=Z%C3%B6e%20%3Cz@example.org%3E").unwrap();
        assert_eq!(c.sender().name.as_deref(), Some("Zöe"));
    }

    #[test]
    fn ipv6_host_loses_its_brackets() {
        let c = parse(&format!("smtp://[::1]:2525?{FROM}")).unwrap();
        assert_eq!(c.host(), "::1");
        assert_eq!(c.to_string(), "smtp://[::1]:2525");
    }

    #[test]
    fn pool_and_timeout_parameters() {
        let c = parse(&format!("smtp://h.example.org?{FROM}&pool=8&timeout=5")).unwrap();
        assert_eq!((c.pool_size(), c.timeout()), (8, Duration::from_secs(5)));
    }

    #[test]
    fn password_is_never_shown() {
        let c = parse(&format!(
            "smtp+starttls://user:hunter2secret@mail.example.org?{FROM}"
        ))
        .unwrap();
        let debug = format!("{c:?}");
        let display = c.to_string();
        assert!(!debug.contains("hunter2secret"), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
        assert_eq!(display, "smtp+starttls://user@mail.example.org:587");
    }

    #[test]
    fn errors_name_the_wrong_part() {
        let cases: [(&str, ConfigError); 14] = [
            (
                "not a url",
                ConfigError::Syntax("relative URL without a base".into()),
            ),
            (
                "https://mail.example.org?from=a@example.org",
                ConfigError::Scheme("https".into()),
            ),
            ("smtp:relay?from=a@example.org", ConfigError::MissingHost),
            ("smtp://?from=a@example.org", ConfigError::MissingHost),
            ("smtp://relay.example.org", ConfigError::MissingFrom),
            ("smtp://relay.example.org?from=", ConfigError::MissingFrom),
            (
                "smtp://user:pw@relay.example.org?from=a@example.org",
                ConfigError::CredentialsInClear,
            ),
            (
                "smtps://:pw@relay.example.org?from=a@example.org",
                ConfigError::PasswordWithoutUser,
            ),
            (
                "smtps://u:%FF@relay.example.org?from=a@example.org",
                ConfigError::Credential("password"),
            ),
            (
                "smtp://relay.example.org/x?from=a@example.org",
                ConfigError::Path("/x".into()),
            ),
            (
                "smtp://relay.example.org?from=a@example.org#x",
                ConfigError::Fragment,
            ),
            (
                "smtp://relay.example.org?from=a@example.org&form=b",
                ConfigError::UnknownParameter("form".into()),
            ),
            (
                "smtp://relay.example.org?from=a@example.org&from=b@example.org",
                ConfigError::RepeatedParameter("from".into()),
            ),
            (
                "smtp://relay.example.org?from=a@example.org&pool=0",
                ConfigError::Parameter {
                    name: "pool",
                    reason: "must be a number of connections from 1 to 100, not `0`".into(),
                },
            ),
        ];
        for (url, expected) in cases {
            assert_eq!(parse(url).unwrap_err(), expected, "{url}");
        }
        assert!(matches!(
            parse("smtp://relay.example.org?from=not%20a%20mailbox"),
            Err(ConfigError::From(_))
        ));
        assert!(matches!(
            parse("smtp://relay.example.org?from=%FF"),
            Err(ConfigError::Parameter { name: "from", .. })
        ));
        assert!(matches!(
            parse("smtp://relay.example.org?from=a@example.org&timeout=0"),
            Err(ConfigError::Parameter {
                name: "timeout",
                ..
            })
        ));
    }

    #[test]
    fn error_messages_do_not_repeat_the_password() {
        let err = parse("smtp://user:hunter2secret@relay.example.org?from=a@example.org")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2secret"), "{err}");
    }
}
