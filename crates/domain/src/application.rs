//! Applications to join: each is decided once, by an officer, with a reason.

/// Where an application stands. It is pending until an officer with the power to change
/// members' status over the applicant's branch accepts it (the applicant becomes active) or
/// refuses it; either decision is final and kept with its reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApplicationState {
    Pending,
    Accepted,
    Refused,
}

impl ApplicationState {
    pub const ALL: [ApplicationState; 3] = [
        ApplicationState::Pending,
        ApplicationState::Accepted,
        ApplicationState::Refused,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApplicationState::Pending => "pending",
            ApplicationState::Accepted => "accepted",
            ApplicationState::Refused => "refused",
        }
    }

    /// Reads a state as stored or typed; `None` for anything else.
    pub fn parse(raw: &str) -> Option<Self> {
        let s = raw.trim();
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn is_decided(self) -> bool {
        self != ApplicationState::Pending
    }
}

impl std::fmt::Display for ApplicationState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_only_pending_is_undecided() {
        for s in ApplicationState::ALL {
            assert_eq!(ApplicationState::parse(s.as_str()), Some(s));
            assert_eq!(s.is_decided(), s != ApplicationState::Pending);
        }
        assert_eq!(ApplicationState::parse("approved"), None);
    }
}
