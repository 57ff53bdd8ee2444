//! Delegate conferences: how many delegates each branch sends (apportioned by its paid-up
//! members on a stated day), substitutes, the credentials timetable and who rules on a
//! challenge, and whether votes are taken by card and how a delegate's card is weighed.
//! Pure arithmetic over counts the caller gives; every answer cites the rule's clause.

use chrono::NaiveDate;

use crate::constitution::last_day_before;
use crate::error::ValueError;
use crate::words::Key;

pub use charter_domain::CardVote;

/// Reads a card vote as a constitution writes it, with a message naming the words it may use.
pub fn parse_card_vote(raw: &str) -> Result<CardVote, ValueError> {
    let s = raw.trim();
    CardVote::parse(s).ok_or_else(|| {
        ValueError(format!(
            "'{s}' is no card vote; use one of {}",
            CardVote::ALL
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

/// How a kind of conference sitting is made up of branch delegates.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DelegatesRule {
    /// The kind of sitting that is a delegate conference, e.g. `annual-conference`.
    pub meeting: Key,
    /// One delegate for each full this many paid-up members; at least 1.
    pub members_per_delegate: u32,
    /// Every branch with a paid-up member sends at least this many (never more than its
    /// paid-up members).
    pub minimum: u32,
    /// No branch sends more than this many; at least `minimum` and 1.
    pub maximum: Option<u32>,
    /// Paid-up members are counted on the day this many days before the conference opens.
    pub counted_days_before: u32,
    /// Substitutes a branch may name beside its delegates, to stand in for one absent.
    pub substitutes: u32,
    pub card_vote: CardVote,
    /// Branches name their delegates and substitutes until this many clear days before.
    pub credentials_due_days: u32,
    /// Any member may challenge a credential until this many clear days before; no more than
    /// `credentials_due_days`, so every credential can be challenged.
    pub challenge_days: u32,
    /// The office whose national holder rules on challenges.
    pub ruled_by: Key,
}

impl DelegatesRule {
    /// The delegates a branch with `paid_up` paid-up members sends: one for each full
    /// `members_per_delegate`, raised to the minimum and cut to the maximum, and never more
    /// than its paid-up members (so a branch with none sends none).
    pub fn delegates_for(&self, paid_up: u64) -> u32 {
        let per = u64::from(self.members_per_delegate.max(1));
        let mut n = (paid_up / per).max(u64::from(self.minimum));
        if let Some(max) = self.maximum {
            n = n.min(u64::from(max));
        }
        u32::try_from(n.min(paid_up)).unwrap_or(u32::MAX)
    }

    /// The day paid-up members are counted for a conference opening on `conference_on`.
    pub fn counted_on(&self, conference_on: NaiveDate) -> NaiveDate {
        conference_on
            .checked_sub_days(chrono::Days::new(u64::from(self.counted_days_before)))
            .unwrap_or(NaiveDate::MIN)
    }

    /// The last day branches may name delegates and substitutes.
    pub fn credentials_due(&self, conference_on: NaiveDate) -> NaiveDate {
        last_day_before(conference_on, self.credentials_due_days)
    }

    /// The last day a credential may be challenged.
    pub fn challenges_close(&self, conference_on: NaiveDate) -> NaiveDate {
        last_day_before(conference_on, self.challenge_days)
    }

    /// The cards of a branch's delegates present, in the order given: `paid_up` is the
    /// branch's count for the apportionment, `allocated` its delegates, `present` how many of
    /// its delegates (substitutes standing in included) are present. Without card votes each
    /// carries 1. Shares differ by at most one, the larger going first, and never add up to
    /// more than `paid_up`.
    pub fn cards(&self, paid_up: u64, allocated: u32, present: usize) -> Vec<u64> {
        let even = |total: u64, ways: u64| -> Vec<u64> {
            if ways == 0 {
                return Vec::new();
            }
            let (each, extra) = (total / ways, total % ways);
            (0..ways).map(|i| each + u64::from(i < extra)).collect()
        };
        match self.card_vote {
            CardVote::None => vec![1; present],
            CardVote::SplitAmongPresent => even(paid_up, present as u64),
            CardVote::PerDelegate => {
                let mut seats = even(paid_up, u64::from(allocated));
                seats.resize(present, 0);
                seats
            }
        }
    }

    pub fn describe(&self) -> String {
        let max = self
            .maximum
            .map(|m| format!(" and at most {m}"))
            .unwrap_or_default();
        let subs = match self.substitutes {
            0 => "a branch names no substitutes".to_string(),
            1 => "a branch may name 1 substitute to stand in for an absent delegate".to_string(),
            n => {
                format!("a branch may name up to {n} substitutes to stand in for absent delegates")
            }
        };
        let cards = match self.card_vote {
            CardVote::None => "each delegate has one vote".to_string(),
            CardVote::SplitAmongPresent => {
                "votes are taken by card, each branch's paid-up members split among its delegates present".to_string()
            }
            CardVote::PerDelegate => {
                "votes are taken by card, each delegate carrying an even share of their branch's paid-up members".to_string()
            }
        };
        format!(
            "at the {} each branch sends one delegate for every {} paid-up members counted {} before it opens, at least {}{max} (never more than its paid-up members); {subs}; branches name them until {} before, and any member may challenge a credential until {} before, the holder of the {} office ruling; {cards}",
            self.meeting.words(),
            self.members_per_delegate,
            days(self.counted_days_before),
            self.minimum,
            clear_days_words(self.credentials_due_days),
            clear_days_words(self.challenge_days),
            self.ruled_by.words(),
        )
    }
}

fn days(n: u32) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

fn clear_days_words(n: u32) -> String {
    if n == 1 {
        "1 clear day".into()
    } else {
        format!("{n} clear days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> DelegatesRule {
        DelegatesRule {
            meeting: Key::parse("annual-conference").unwrap(),
            members_per_delegate: 50,
            minimum: 1,
            maximum: Some(10),
            counted_days_before: 56,
            substitutes: 2,
            card_vote: CardVote::SplitAmongPresent,
            credentials_due_days: 14,
            challenge_days: 7,
            ruled_by: Key::parse("chair").unwrap(),
        }
    }

    #[test]
    fn branches_send_one_delegate_per_full_share_within_the_bounds() {
        let r = rule();
        assert_eq!(r.delegates_for(0), 0);
        assert_eq!(r.delegates_for(1), 1);
        assert_eq!(r.delegates_for(99), 1);
        assert_eq!(r.delegates_for(100), 2);
        assert_eq!(r.delegates_for(260), 5);
        assert_eq!(r.delegates_for(10_000), 10);
        let two = DelegatesRule {
            minimum: 2,
            maximum: None,
            ..rule()
        };
        assert_eq!(
            two.delegates_for(1),
            1,
            "never more than the paid-up members"
        );
        assert_eq!(two.delegates_for(3), 2);
        assert_eq!(two.delegates_for(u64::MAX), u32::MAX);
    }

    #[test]
    fn cards_split_the_branch_without_losing_or_making_members() {
        let r = rule();
        assert_eq!(r.cards(260, 5, 3), [87, 87, 86]);
        assert_eq!(r.cards(260, 5, 0), Vec::<u64>::new());
        let per = DelegatesRule {
            card_vote: CardVote::PerDelegate,
            ..rule()
        };
        assert_eq!(per.cards(260, 5, 3), [52, 52, 52]);
        assert_eq!(per.cards(262, 5, 3), [53, 53, 52]);
        assert_eq!(
            per.cards(10, 2, 3),
            [5, 5, 0],
            "more present than seats carry nothing"
        );
        let hands = DelegatesRule {
            card_vote: CardVote::None,
            ..rule()
        };
        assert_eq!(hands.cards(260, 5, 3), [1, 1, 1]);
    }

    #[test]
    fn the_timetable_counts_back_from_the_conference() {
        let r = rule();
        let on = NaiveDate::from_ymd_opt(2017, 11, 18).unwrap();
        assert_eq!(
            r.counted_on(on),
            NaiveDate::from_ymd_opt(2017, 9, 23).unwrap()
        );
        assert_eq!(
            r.credentials_due(on),
            NaiveDate::from_ymd_opt(2017, 11, 3).unwrap()
        );
        assert_eq!(
            r.challenges_close(on),
            NaiveDate::from_ymd_opt(2017, 11, 10).unwrap()
        );
    }

    #[test]
    fn card_votes_are_named_as_the_file_names_them() {
        for c in CardVote::ALL {
            assert_eq!(parse_card_vote(c.as_str()).unwrap(), *c);
        }
        assert_eq!(
            parse_card_vote("by-weight").unwrap_err().0,
            "'by-weight' is no card vote; use one of none, split-among-present, per-delegate"
        );
    }

    #[test]
    fn the_rule_reads_as_members_would_say_it() {
        assert_eq!(
            rule().describe(),
            "at the annual conference each branch sends one delegate for every 50 paid-up members counted 56 days before it opens, at least 1 and at most 10 (never more than its paid-up members); a branch may name up to 2 substitutes to stand in for absent delegates; branches name them until 14 clear days before, and any member may challenge a credential until 7 clear days before, the holder of the chair office ruling; votes are taken by card, each branch's paid-up members split among its delegates present"
        );
    }
}
