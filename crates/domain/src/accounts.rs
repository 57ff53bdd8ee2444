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

/// The statuses whose holders are invited to sign in, or may reset a password: members
/// (active, lapsed or suspended). An applicant is not yet a member, and an expelled or
/// resigned person's membership has ended.
pub const SIGN_IN_STATUSES: [MemberStatus; 3] = [
    MemberStatus::Active,
    MemberStatus::Lapsed,
    MemberStatus::Suspended,
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
    fn only_members_are_invited() {
        assert!(may_be_invited(MemberStatus::Active));
        assert!(may_be_invited(MemberStatus::Lapsed));
        assert!(!may_be_invited(MemberStatus::Applicant));
        assert!(!may_be_invited(MemberStatus::Expelled));
        assert!(!may_be_invited(MemberStatus::Resigned));
    }
}
