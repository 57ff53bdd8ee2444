//! Dues: payments extend cover; "paid-up" is cover plus the grace period.

use chrono::{Months, NaiveDate};

use crate::values::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DuesPlan {
    Monthly,
    Annual,
}

impl DuesPlan {
    pub fn as_str(self) -> &'static str {
        match self {
            DuesPlan::Monthly => "monthly",
            DuesPlan::Annual => "annual",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, crate::ValueError> {
        match raw.trim().to_lowercase().as_str() {
            "monthly" | "month" => Ok(DuesPlan::Monthly),
            "annual" | "yearly" | "year" => Ok(DuesPlan::Annual),
            other => Err(crate::ValueError::Invalid(format!(
                "dues plan '{other}' is not monthly or annual"
            ))),
        }
    }

    pub fn months(self) -> u32 {
        match self {
            DuesPlan::Monthly => 1,
            DuesPlan::Annual => 12,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub paid_on: NaiveDate,
    pub amount: Money,
    /// How many months of membership this payment buys.
    pub months: u32,
}

/// The last day a member's dues cover, from their join date and payments.
///
/// Cover runs continuously: a payment made while covered extends the existing cover; one
/// made after a gap starts new cover on its payment date, so arrears are never back-filled.
/// Payments made on the same day count as one buying all their months together: adding
/// months one payment at a time would clamp at month ends (31 January + 1 month is 28
/// February) differently in different orders.
pub fn paid_up_until(payments: &[Payment]) -> Option<NaiveDate> {
    let mut by_day: Vec<(NaiveDate, u32)> =
        payments.iter().map(|p| (p.paid_on, p.months)).collect();
    by_day.sort_unstable();
    let mut cover_end: Option<NaiveDate> = None;
    let mut i = 0;
    while i < by_day.len() {
        let day = by_day[i].0;
        let mut months = 0u32;
        while i < by_day.len() && by_day[i].0 == day {
            months = months.saturating_add(by_day[i].1);
            i += 1;
        }
        let start = match cover_end {
            Some(end) if end >= day => end.succ_opt().unwrap_or(end),
            _ => day,
        };
        let end = start
            .checked_add_months(Months::new(months))
            .and_then(|d| d.pred_opt())
            .unwrap_or(start);
        cover_end = Some(end);
    }
    cover_end
}

/// Paid-up on `on`: covered, or within `grace_days` after cover ended.
pub fn is_paid_up(paid_up_until: Option<NaiveDate>, on: NaiveDate, grace_days: u32) -> bool {
    match paid_up_until {
        Some(end) => on <= end + chrono::Days::new(u64::from(grace_days)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn pay(on: NaiveDate, months: u32) -> Payment {
        Payment {
            paid_on: on,
            amount: Money(500),
            months,
        }
    }

    #[test]
    fn consecutive_payments_extend_cover() {
        let p = [pay(d(2024, 1, 15), 1), pay(d(2024, 2, 10), 1)];
        assert_eq!(paid_up_until(&p), Some(d(2024, 3, 14)));
    }

    #[test]
    fn a_gap_restarts_cover_from_the_payment() {
        let p = [pay(d(2024, 1, 1), 1), pay(d(2024, 6, 1), 12)];
        assert_eq!(paid_up_until(&p), Some(d(2025, 5, 31)));
    }

    #[test]
    fn payments_on_one_day_buy_their_months_together() {
        // From 31 January: 6 then 2 months would clamp at 31 July → 30 September differently
        // from 2 then 6; together they buy 8 months.
        let base = d(2023, 1, 31);
        let a = [pay(base, 6), pay(base, 2)];
        let b = [pay(base, 2), pay(base, 6)];
        assert_eq!(paid_up_until(&a), paid_up_until(&b));
        assert_eq!(paid_up_until(&a), Some(d(2023, 9, 29)));
    }

    #[test]
    fn grace_period_counts_days_after_cover() {
        let until = Some(d(2024, 1, 31));
        assert!(is_paid_up(until, d(2024, 2, 29), 29));
        assert!(!is_paid_up(until, d(2024, 3, 1), 29));
        assert!(!is_paid_up(None, d(2024, 3, 1), 29));
    }

    proptest! {
        #[test]
        fn payment_order_does_not_matter(mut offsets in proptest::collection::vec((0u32..2000, 1u32..13), 0..20)) {
            let base = d(2020, 1, 1);
            let ps: Vec<Payment> = offsets.iter().map(|(o, m)| pay(base + chrono::Days::new(u64::from(*o)), *m)).collect();
            let a = paid_up_until(&ps);
            offsets.reverse();
            let ps2: Vec<Payment> = offsets.iter().map(|(o, m)| pay(base + chrono::Days::new(u64::from(*o)), *m)).collect();
            prop_assert_eq!(a, paid_up_until(&ps2));
        }

        #[test]
        fn another_payment_never_shortens_cover(offsets in proptest::collection::vec((0u32..2000, 1u32..13), 1..20)) {
            let base = d(2020, 1, 1);
            let ps: Vec<Payment> = offsets.iter().map(|(o, m)| pay(base + chrono::Days::new(u64::from(*o)), *m)).collect();
            let before = paid_up_until(&ps[..ps.len() - 1]);
            let after = paid_up_until(&ps);
            prop_assert!(after >= before);
        }
    }
}
