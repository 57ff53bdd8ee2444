//! Accounts: the links sent by email that let a member set a password or confirm a new
//! address, and who may be invited to sign in at all.

use crate::status::MemberStatus;

/// What a link sent by email does when it is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkPurpose {
    /// An officer invites a member who has no password to choose one.
    Invitation,
    /// A member who forgot their password chooses a new one.
    PasswordReset,
    /// A new email address is confirmed from that address.
    EmailChange,
}

impl LinkPurpose {
    pub const ALL: [LinkPurpose; 3] = [
        LinkPurpose::Invitation,
        LinkPurpose::PasswordReset,
        LinkPurpose::EmailChange,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::PasswordReset => "password_reset",
            LinkPurpose::EmailChange => "email_change",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    /// Whether following the link lets the member choose a password.
    pub fn sets_password(self) -> bool {
        matches!(self, LinkPurpose::Invitation | LinkPurpose::PasswordReset)
    }
}

impl std::fmt::Display for LinkPurpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LinkPurpose::Invitation => "invitation",
            LinkPurpose::PasswordReset => "password reset",
            LinkPurpose::EmailChange => "email confirmation",
        })
    }
}

/// The statuses whose holders are invited to sign in, or may reset a password: everyone who
/// may sign in ([`MemberStatus::sign_in`]) but an applicant, whose invitation comes with
/// their acceptance. A suspended or expelled person's sign-in reaches only their own record,
/// and they need it to see what is held about them and to appeal; a resigned person's
/// sign-in is closed.
pub const SIGN_IN_STATUSES: [MemberStatus; 4] = [
    MemberStatus::Active,
    MemberStatus::Lapsed,
    MemberStatus::Suspended,
    MemberStatus::Expelled,
];

/// Whether a member with `status` may be invited to choose a password.
pub fn may_be_invited(status: MemberStatus) -> bool {
    SIGN_IN_STATUSES.contains(&status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_round_trip() {
        for p in LinkPurpose::ALL {
            assert_eq!(LinkPurpose::parse(p.as_str()), Some(p));
        }
        assert_eq!(LinkPurpose::parse("other"), None);
        assert!(LinkPurpose::Invitation.sets_password());
        assert!(!LinkPurpose::EmailChange.sets_password());
    }

    #[test]
    fn everyone_who_may_sign_in_but_applicants_is_invited() {
        use crate::status::SignIn;
        for status in MemberStatus::ALL {
            assert_eq!(
                may_be_invited(status),
                status.sign_in() != SignIn::Closed && status != MemberStatus::Applicant,
                "{status}"
            );
        }
        assert!(may_be_invited(MemberStatus::Expelled), "so they can appeal");
        assert!(!may_be_invited(MemberStatus::Resigned));
    }
}
