//! A member's status and the changes the register allows.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MemberStatus {
    Applicant,
    Active,
    Lapsed,
    Suspended,
    Expelled,
    Resigned,
}

/// What a session may reach, decided by the member's status (see [`MemberStatus::sign_in`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignIn {
    /// Everything a member may reach, within the powers of the offices they hold.
    Member,
    /// Only their own record and who has read it; offices carry no power.
    OwnRecordOnly,
    /// No sign-in at all.
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error(
        "'{0}' is not a status; use one of applicant, active, lapsed, suspended, expelled, resigned"
    )]
    Unknown(String),
    #[error("a member who is {from} cannot become {to} directly{hint}")]
    NotAllowed {
        from: MemberStatus,
        to: MemberStatus,
        hint: &'static str,
    },
    #[error("the member is already {0}")]
    Unchanged(MemberStatus),
}

impl MemberStatus {
    pub const ALL: [MemberStatus; 6] = [
        MemberStatus::Applicant,
        MemberStatus::Active,
        MemberStatus::Lapsed,
        MemberStatus::Suspended,
        MemberStatus::Expelled,
        MemberStatus::Resigned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Applicant => "applicant",
            MemberStatus::Active => "active",
            MemberStatus::Lapsed => "lapsed",
            MemberStatus::Suspended => "suspended",
            MemberStatus::Expelled => "expelled",
            MemberStatus::Resigned => "resigned",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, StatusError> {
        let s = raw.trim().to_lowercase();
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or(StatusError::Unknown(raw.trim().to_string()))
    }

    /// Whether the person counts as a member at all (as opposed to applicant or former member).
    pub fn is_member(self) -> bool {
        matches!(
            self,
            MemberStatus::Active | MemberStatus::Lapsed | MemberStatus::Suspended
        )
    }

    /// The register's state machine. Expulsion is only undone by readmission to applicant,
    /// so a reinstated member's record shows that a decision was made, not a silent edit.
    pub fn transition(self, to: MemberStatus) -> Result<MemberStatus, StatusError> {
        use MemberStatus::*;
        if self == to {
            return Err(StatusError::Unchanged(self));
        }
        let allowed = match self {
            Applicant => matches!(to, Active | Resigned),
            Active => matches!(to, Lapsed | Suspended | Expelled | Resigned),
            Lapsed => matches!(to, Active | Suspended | Expelled | Resigned),
            Suspended => matches!(to, Active | Expelled | Resigned),
            Expelled => matches!(to, Applicant),
            Resigned => matches!(to, Applicant | Active),
        };
        if allowed {
            Ok(to)
        } else {
            let hint = match (self, to) {
                (Expelled, _) => "; an expelled member must be readmitted as an applicant first",
                (Applicant, _) => "; an applicant must first be accepted as active",
                _ => "",
            };
            Err(StatusError::NotAllowed {
                from: self,
                to,
                hint,
            })
        }
    }

    /// What signing in gives someone with this status. Active and lapsed members use the
    /// site as members. An applicant (not yet a member), and a suspended or expelled member,
    /// keep a restricted sign-in: their own record and access log (and, once discipline
    /// exists, their own case), so they can check what is held about them and appeal. A
    /// member who resigned has left: signing in is closed, and their record stays as history.
    pub fn sign_in(self) -> SignIn {
        match self {
            MemberStatus::Active | MemberStatus::Lapsed => SignIn::Member,
            MemberStatus::Applicant | MemberStatus::Suspended | MemberStatus::Expelled => {
                SignIn::OwnRecordOnly
            }
            MemberStatus::Resigned => SignIn::Closed,
        }
    }

    /// Statuses reachable from this one, for offering only valid choices in forms.
    pub fn next_statuses(self) -> Vec<MemberStatus> {
        Self::ALL
            .into_iter()
            .filter(|to| self.transition(*to).is_ok())
            .collect()
    }
}

impl std::fmt::Display for MemberStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn any_status() -> impl Strategy<Value = MemberStatus> {
        proptest::sample::select(MemberStatus::ALL.to_vec())
    }

    #[test]
    fn expelled_members_are_readmitted_only_as_applicants() {
        assert!(
            MemberStatus::Expelled
                .transition(MemberStatus::Active)
                .is_err()
        );
        assert!(
            MemberStatus::Expelled
                .transition(MemberStatus::Applicant)
                .is_ok()
        );
        let msg = MemberStatus::Expelled
            .transition(MemberStatus::Active)
            .unwrap_err()
            .to_string();
        assert!(msg.contains("readmitted"), "{msg}");
    }

    #[test]
    fn parse_round_trips_and_rejects_unknowns() {
        for s in MemberStatus::ALL {
            assert_eq!(MemberStatus::parse(s.as_str()).unwrap(), s);
        }
        assert_eq!(
            MemberStatus::parse(" Active ").unwrap(),
            MemberStatus::Active
        );
        assert!(MemberStatus::parse("boss").is_err());
    }

    #[test]
    fn restricted_sign_in_is_for_those_who_may_need_to_appeal() {
        use MemberStatus::*;
        let access: Vec<(MemberStatus, SignIn)> = MemberStatus::ALL
            .into_iter()
            .map(|s| (s, s.sign_in()))
            .collect();
        assert_eq!(
            access,
            [
                (Applicant, SignIn::OwnRecordOnly),
                (Active, SignIn::Member),
                (Lapsed, SignIn::Member),
                (Suspended, SignIn::OwnRecordOnly),
                (Expelled, SignIn::OwnRecordOnly),
                (Resigned, SignIn::Closed),
            ]
        );
    }

    proptest! {
        /// Only someone who counts as a member, and is not suspended, signs in as one.
        #[test]
        fn full_sign_in_needs_good_standing(s in any_status()) {
            prop_assert_eq!(
                s.sign_in() == SignIn::Member,
                s.is_member() && s != MemberStatus::Suspended
            );
        }

        /// From any status, every other status is reachable by allowed steps:
        /// nobody is stuck, and every path leaves a trail of recorded changes.
        #[test]
        fn every_status_is_reachable(from in any_status(), to in any_status()) {
            let mut seen = vec![from];
            let mut frontier = vec![from];
            while let Some(s) = frontier.pop() {
                for n in s.next_statuses() {
                    if !seen.contains(&n) { seen.push(n); frontier.push(n); }
                }
            }
            prop_assert!(seen.contains(&to));
        }

        #[test]
        fn a_transition_never_keeps_the_status(from in any_status(), to in any_status()) {
            match from.transition(to) {
                Ok(next) => { prop_assert_eq!(next, to); prop_assert_ne!(from, to); }
                Err(StatusError::Unchanged(s)) => prop_assert_eq!(s, to),
                Err(_) => prop_assert!(!from.next_statuses().contains(&to)),
            }
        }

        /// Along any history of allowed steps, an expulsion is followed only by a fresh
        /// application, nobody becomes an applicant again but the expelled and the resigned,
        /// and an applicant is never suspended, lapsed or expelled before being accepted.
        #[test]
        fn walks_of_allowed_steps_keep_expulsion_and_readmission_apart(steps in proptest::collection::vec(any_status(), 0..30)) {
            use MemberStatus::*;
            let mut s = Applicant;
            for to in steps {
                if let Ok(next) = s.transition(to) {
                    if s == Expelled {
                        prop_assert_eq!(next, Applicant);
                    }
                    if next == Applicant {
                        prop_assert!(matches!(s, Expelled | Resigned), "{s} to applicant");
                    }
                    if s == Applicant {
                        prop_assert!(matches!(next, Active | Resigned), "applicant to {next}");
                    }
                    s = next;
                }
            }
        }
    }
}
