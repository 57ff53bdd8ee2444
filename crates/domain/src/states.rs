//! Where the records of meetings, motions, rolls, amendments, elections, delegates and paper
//! ballots stand: each a closed set of words kept in the database (see `stored_words!`).

use crate::stored::stored_words;

stored_words! {
    /// A meeting is called with notice; it may be cancelled before it is held.
    pub enum MeetingState {
        Called => "called",
        Cancelled => "cancelled",
    }
}

stored_words! {
    /// Where a meeting is held: in a room, online, or both.
    pub enum MeetingMode {
        Physical => "physical",
        Online => "online",
        Hybrid => "hybrid",
    }
}

stored_words! {
    /// A motion is proposed until the meeting decides it, or its mover withdraws it; a
    /// decision of a meeting that was not properly convened is not binding.
    pub enum MotionState {
        Proposed => "proposed",
        Adopted => "adopted",
        Rejected => "rejected",
        NotBinding => "not-binding",
        Withdrawn => "withdrawn",
    }
}

stored_words! {
    /// A composite motion waits for every mover's consent: formed when all consent,
    /// declined when one declines.
    pub enum CompositeState {
        Pending => "pending",
        Formed => "formed",
        Declined => "declined",
    }
}

stored_words! {
    /// Minutes are a draft until the next meeting approves them.
    pub enum MinutesState {
        Draft => "draft",
        Approved => "approved",
    }
}

stored_words! {
    /// A poll of a meeting records each member's vote by name, or only the totals.
    pub enum PollMode {
        Named => "named",
        Secret => "secret",
    }
}

stored_words! {
    /// A challenge to a roll is open until it is upheld or rejected, with reasons.
    pub enum ChallengeState {
        Open => "open",
        Upheld => "upheld",
        Rejected => "rejected",
    }
}

stored_words! {
    /// An amendment is proposed until its procedure adopts or refuses it.
    pub enum AmendmentState {
        Proposed => "proposed",
        Refused => "refused",
        Adopted => "adopted",
    }
}

stored_words! {
    /// A nomination seeks its supporters until it is valid, or the candidate withdraws.
    pub enum NominationState {
        Seeking => "seeking",
        Valid => "valid",
        Withdrawn => "withdrawn",
    }
}

stored_words! {
    /// A delegate's credential to a conference, until it is struck.
    pub enum DelegateCredentialState {
        Credentialed => "credentialed",
        Struck => "struck",
    }
}

stored_words! {
    /// A batch of paper ballots is being entered until its papers are committed to the box.
    pub enum PaperBatchState {
        Entering => "entering",
        Committed => "committed",
    }
}

stored_words! {
    /// How a conference's votes are weighed: one delegate one vote, or by card, each branch's
    /// paid-up members split among its delegates present, or carried by each delegate seat.
    pub enum CardVote {
        None => "none",
        SplitAmongPresent => "split-among-present",
        PerDelegate => "per-delegate",
    }
}

impl CardVote {
    /// Whether votes are weighed by card at all.
    pub fn weighted(self) -> bool {
        self != CardVote::None
    }
}

stored_words! {
    /// A branch's credential is for a delegate, or a substitute who stands in for one.
    pub enum DelegateRole {
        Delegate => "delegate",
        Substitute => "substitute",
    }
}

stored_words! {
    /// A member's vote on a motion, in a poll of the meeting or on a delegate's card.
    pub enum VoteChoice {
        For => "for",
        Against => "against",
        Abstain => "abstain",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: Copy + PartialEq + std::fmt::Debug>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        parse: fn(&str) -> Option<T>,
    ) {
        for v in all {
            assert_eq!(parse(as_str(*v)), Some(*v));
        }
        assert_eq!(parse("comitted"), None);
    }

    #[test]
    fn every_state_is_read_back_from_its_word_and_no_other() {
        round_trips(MeetingState::ALL, MeetingState::as_str, MeetingState::parse);
        round_trips(MeetingMode::ALL, MeetingMode::as_str, MeetingMode::parse);
        round_trips(MotionState::ALL, MotionState::as_str, MotionState::parse);
        round_trips(
            CompositeState::ALL,
            CompositeState::as_str,
            CompositeState::parse,
        );
        round_trips(MinutesState::ALL, MinutesState::as_str, MinutesState::parse);
        round_trips(PollMode::ALL, PollMode::as_str, PollMode::parse);
        round_trips(CardVote::ALL, CardVote::as_str, CardVote::parse);
        round_trips(DelegateRole::ALL, DelegateRole::as_str, DelegateRole::parse);
        round_trips(VoteChoice::ALL, VoteChoice::as_str, VoteChoice::parse);
        round_trips(
            ChallengeState::ALL,
            ChallengeState::as_str,
            ChallengeState::parse,
        );
        round_trips(
            AmendmentState::ALL,
            AmendmentState::as_str,
            AmendmentState::parse,
        );
        round_trips(
            NominationState::ALL,
            NominationState::as_str,
            NominationState::parse,
        );
        round_trips(
            DelegateCredentialState::ALL,
            DelegateCredentialState::as_str,
            DelegateCredentialState::parse,
        );
        round_trips(
            PaperBatchState::ALL,
            PaperBatchState::as_str,
            PaperBatchState::parse,
        );
        assert_eq!(MotionState::NotBinding.as_str(), "not-binding");
    }
}
