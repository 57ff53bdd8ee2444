//! Rules of a meeting's time that every part of Charter must read the same way.

use chrono::{DateTime, Duration, Utc};

/// How long before a meeting starts its check-in opens.
pub const CHECK_IN_BEFORE: Duration = Duration::hours(1);

/// When check-in to a meeting (or delegates' check-in to a conference) is open: from
/// [`CHECK_IN_BEFORE`] its start until it ends, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInWindow {
    pub opens: DateTime<Utc>,
    pub closes: DateTime<Utc>,
}

impl CheckInWindow {
    pub fn of(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Self {
        CheckInWindow {
            opens: starts_at - CHECK_IN_BEFORE,
            closes: ends_at,
        }
    }

    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        self.opens <= now && now <= self.closes
    }
}

/// Where a meeting stands at a moment: before its start, in progress (from its start until its
/// end, both included), or over (past its end, or adjourned, whenever that was).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sitting {
    NotStarted,
    InProgress,
    Over,
}

impl Sitting {
    pub fn of(
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        adjourned: bool,
        now: DateTime<Utc>,
    ) -> Self {
        if adjourned || now > ends_at {
            Sitting::Over
        } else if now < starts_at {
            Sitting::NotStarted
        } else {
            Sitting::InProgress
        }
    }

    pub fn is_over(self) -> bool {
        self == Sitting::Over
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap_or_default()
            + Duration::minutes(minutes)
    }

    #[test]
    fn check_in_opens_an_hour_before_and_closes_at_the_end() {
        let w = CheckInWindow::of(at(0), at(120));
        assert!(!w.is_open(at(-61)));
        assert!(w.is_open(at(-60)));
        assert!(w.is_open(at(0)));
        assert!(w.is_open(at(120)));
        assert!(!w.is_open(at(121)));
    }

    proptest! {
        /// Open exactly between an hour before the start and the end, for any meeting.
        #[test]
        fn open_exactly_inside_the_window(start in -10_000i64..10_000, length in 0i64..600, now in -20_000i64..20_000) {
            let w = CheckInWindow::of(at(start), at(start + length));
            prop_assert_eq!(w.is_open(at(now)), start - 60 <= now && now <= start + length);
        }

        /// In progress exactly from the start to the end while not adjourned; over exactly
        /// past the end or once adjourned.
        #[test]
        fn in_progress_exactly_between_start_and_end(start in -10_000i64..10_000, length in 0i64..600, now in -20_000i64..20_000, adjourned: bool) {
            let s = Sitting::of(at(start), at(start + length), adjourned, at(now));
            prop_assert_eq!(s == Sitting::InProgress, !adjourned && start <= now && now <= start + length);
            prop_assert_eq!(s.is_over(), adjourned || now > start + length);
        }
    }
}
