use std::fmt;

/// Something from outside the process that a test needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    Postgres,
    Browser,
    /// The real elections with official results in `../shared/data/elections`.
    ElectionData,
}

impl Requirement {
    /// The variable that turns a skip for this requirement into a failure.
    pub fn env_var(self) -> &'static str {
        match self {
            Requirement::Postgres => "CHARTER_REQUIRE_POSTGRES",
            Requirement::Browser => "CHARTER_REQUIRE_BROWSER",
            Requirement::ElectionData => "CHARTER_REQUIRE_ELECTION_DATA",
        }
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Requirement::Postgres => "PostgreSQL",
            Requirement::Browser => "browser",
            Requirement::ElectionData => "real-election data",
        })
    }
}

/// Whether a missing `kind` must fail the test rather than skip it.
///
/// `CI=true` counts as well as the specific variable, so a CI job that forgets to go through
/// `scripts/test` still cannot turn silently green by skipping.
pub fn is_required(kind: Requirement) -> bool {
    is_required_by(
        std::env::var(kind.env_var()).ok().as_deref(),
        std::env::var("CI").ok().as_deref(),
    )
}

fn is_required_by(specific: Option<&str>, ci: Option<&str>) -> bool {
    let truthy = |v: Option<&str>| matches!(v.map(str::trim), Some("1" | "true" | "TRUE" | "yes"));
    truthy(specific) || truthy(ci)
}

/// Applies the CI rule when `kind` is unavailable: panics if it is required, otherwise prints
/// `SKIPPED (no <kind>): <test>: <reason>` to stderr and returns, so the caller can return early.
///
/// The message bypasses the test harness's output capture, so it shows even for passing tests.
#[track_caller]
pub fn require_or_skip(kind: Requirement, reason: &str) {
    let test = current_test_name();
    if is_required(kind) {
        panic!(
            "{kind} is required here ({} or CI is set) but unavailable for {test}: {reason}",
            kind.env_var()
        );
    }
    loud(&format!("SKIPPED (no {kind}): {test}: {reason}"));
}

/// Writes to the process's stderr directly: libtest captures `eprintln!` of passing tests, and
/// a skip must be seen.
pub(crate) fn loud(message: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

/// libtest names each test's thread after the test; nextest runs it on `main`.
fn current_test_name() -> String {
    match std::thread::current().name() {
        Some(name) if name != "main" => name.to_owned(),
        _ => std::env::args()
            .skip(1)
            .find(|a| !a.starts_with('-'))
            .unwrap_or_else(|| "<unnamed test>".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_when_specific_variable_or_ci_is_set() {
        assert!(is_required_by(Some("1"), None));
        assert!(is_required_by(None, Some("true")));
        assert!(!is_required_by(None, None));
        assert!(!is_required_by(Some("0"), Some("false")));
        assert!(!is_required_by(Some(""), None));
    }

    #[test]
    fn test_name_comes_from_the_thread() {
        assert!(current_test_name().contains("test_name_comes_from_the_thread"));
    }

    #[test]
    fn env_vars_are_the_documented_ones() {
        assert_eq!(Requirement::Postgres.env_var(), "CHARTER_REQUIRE_POSTGRES");
        assert_eq!(Requirement::Browser.env_var(), "CHARTER_REQUIRE_BROWSER");
        assert_eq!(Requirement::Browser.to_string(), "browser");
    }
}
