//! The founding secretary's password: from `CHARTER_INIT_PASSWORD` for scripts, otherwise
//! asked twice on the terminal without echo. It never appears in arguments, where other
//! users of the machine could read it in the process list.

use std::ffi::OsString;
use std::io::Write;

use charter_app::{AppError, validate_new_password};
use secrecy::SecretString;

pub const PASSWORD_ENV: &str = "CHARTER_INIT_PASSWORD";

/// How many times a person at the terminal may try before init gives up.
const TRIES: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("{PASSWORD_ENV}: {0}")]
    Env(String),
    #[error("{0}")]
    Invalid(String),
    #[error("the two passwords typed differ")]
    Mismatch,
    #[error("could not read the password from the terminal ({0}); set {PASSWORD_ENV} instead")]
    Terminal(std::io::Error),
}

impl PasswordError {
    /// Whether the password given was refused, as opposed to one that could not be read.
    pub fn is_refusal(&self) -> bool {
        !matches!(self, PasswordError::Terminal(_))
    }
}

fn check(password: &str) -> Result<(), String> {
    validate_new_password(password).map_err(|e| match e {
        // The field's own message reads well alone: "password must have at least 12 characters".
        AppError::Invalid(fields) => fields.0.into_values().collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    })
}

/// The password from `from_env` when it is set, otherwise from `prompt` (asked twice, up to
/// three tries, each problem written to `feedback`).
pub fn founding_password(
    from_env: Option<OsString>,
    prompt: &mut dyn FnMut(&str) -> std::io::Result<String>,
    feedback: &mut dyn Write,
) -> Result<SecretString, PasswordError> {
    if let Some(raw) = from_env {
        let password = raw
            .into_string()
            .map_err(|_| PasswordError::Env("the password is not valid Unicode".into()))?;
        check(&password).map_err(PasswordError::Env)?;
        return Ok(SecretString::from(password));
    }
    let mut last = PasswordError::Mismatch;
    for _ in 0..TRIES {
        let first =
            prompt("Password for the national secretary: ").map_err(PasswordError::Terminal)?;
        if let Err(why) = check(&first) {
            let _ = writeln!(feedback, "{why}");
            last = PasswordError::Invalid(why);
            continue;
        }
        let again = prompt("The same password again: ").map_err(PasswordError::Terminal)?;
        if again != first {
            let _ = writeln!(feedback, "the two passwords typed differ; try again");
            last = PasswordError::Mismatch;
            continue;
        }
        return Ok(SecretString::from(first));
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn answers(list: &[&str]) -> impl FnMut(&str) -> std::io::Result<String> {
        let mut list: Vec<String> = list.iter().rev().map(|s| s.to_string()).collect();
        move |_| {
            list.pop()
                .ok_or_else(|| std::io::Error::other("no more answers"))
        }
    }

    #[test]
    fn the_environment_wins_and_is_checked() {
        let mut never = |_: &str| -> std::io::Result<String> { panic!("must not prompt") };
        let pw = founding_password(
            Some("a long enough password".into()),
            &mut never,
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(pw.expose_secret(), "a long enough password");
        let err = founding_password(Some("short".into()), &mut never, &mut Vec::new())
            .err()
            .unwrap();
        assert!(err.is_refusal());
        assert!(err.to_string().starts_with(PASSWORD_ENV), "{err}");
        assert!(err.to_string().contains("12 characters"), "{err}");
    }

    #[test]
    fn the_terminal_is_asked_twice_and_retried() {
        let mut said = Vec::new();
        let pw = founding_password(
            None,
            &mut answers(&[
                "short",
                "first long password",
                "second long password",
                "third long password",
                "third long password",
            ]),
            &mut said,
        )
        .unwrap();
        assert_eq!(pw.expose_secret(), "third long password");
        let said = String::from_utf8(said).unwrap();
        assert!(said.contains("at least 12 characters"), "{said}");
        assert!(said.contains("differ"), "{said}");
    }

    #[test]
    fn three_failed_tries_refuse() {
        let err = founding_password(
            None,
            &mut answers(&["short", "tiny", "small"]),
            &mut Vec::new(),
        )
        .err()
        .unwrap();
        assert!(err.is_refusal());
        assert!(err.to_string().contains("12 characters"), "{err}");
    }

    #[test]
    fn an_unreadable_terminal_is_not_a_refusal() {
        let err = founding_password(None, &mut answers(&[]), &mut Vec::new())
            .err()
            .unwrap();
        assert!(!err.is_refusal());
        assert!(err.to_string().contains(PASSWORD_ENV), "{err}");
    }
}
