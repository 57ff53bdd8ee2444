//! An officer acting from the command line (`charter invite`, `charter unit … --as EMAIL`)
//! signs in as themselves: the command carries only their powers, checked as on the web.
//! The officer's password comes from `CHARTER_PASSWORD` for scripts, otherwise from the
//! terminal without echo; a member who signs in with a second factor gives a current code
//! in `CHARTER_TOTP_CODE` or at the terminal. Nothing secret is ever taken from arguments,
//! where other users of the machine could read it in the process list.

use std::ffi::OsString;

use secrecy::SecretString;

pub const PASSWORD_ENV: &str = "CHARTER_PASSWORD";
pub const CODE_ENV: &str = "CHARTER_TOTP_CODE";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("{0}: the value is not valid Unicode")]
    NotUnicode(&'static str),
    #[error("could not read from the terminal ({0}); set {1} instead")]
    Terminal(std::io::Error, &'static str),
}

/// A secret from the environment variable `var` when it is set, else asked for once.
pub fn secret(
    var: &'static str,
    from_env: Option<OsString>,
    prompt: &mut dyn FnMut(&str) -> std::io::Result<String>,
    question: &str,
) -> Result<SecretString, SecretError> {
    match from_env {
        Some(raw) => raw
            .into_string()
            .map(SecretString::from)
            .map_err(|_| SecretError::NotUnicode(var)),
        None => prompt(question)
            .map(|s| SecretString::from(s.trim_end_matches(['\r', '\n']).to_string()))
            .map_err(|e| SecretError::Terminal(e, var)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    #[test]
    fn the_environment_wins_over_the_terminal() {
        let mut never = |_: &str| -> std::io::Result<String> { panic!("must not prompt") };
        let s = secret(PASSWORD_ENV, Some("from env".into()), &mut never, "?").unwrap();
        assert_eq!(s.expose_secret(), "from env");
        let mut asked = |_: &str| Ok("typed\n".to_string());
        let s = secret(PASSWORD_ENV, None, &mut asked, "?").unwrap();
        assert_eq!(s.expose_secret(), "typed");
        let mut broken = |_: &str| Err(std::io::Error::other("no tty"));
        let e = secret(CODE_ENV, None, &mut broken, "?").err().unwrap();
        assert!(e.to_string().contains(CODE_ENV), "{e}");
    }
}
