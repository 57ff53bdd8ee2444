//! One member's life in the register, generated backwards from where it must end.
//!
//! Each history is built from the status the member must have today: first the date their
//! dues cover ends (ahead of today for the paid-up, months ago for the lapsed), then a run of
//! payments leading to it, then the join date before that. Working backwards makes every
//! history consistent by construction: payments never lie in the future, lapses follow three
//! unpaid months, and `paid_up_until` over the payments gives the intended picture.

use charter_domain::{DuesPlan, Email, MemberStatus, Money, Payment, PersonName, Phone, Postcode};
use chrono::{Datelike, Days, Months, NaiveDate};

use crate::names::{
    ACCEPTED, APPLIED, EMAIL_DOMAINS, EXPELLED, FIRST_NAMES, LAST_NAMES, PARTIES, RESIGNED,
    SUSPENDED, email_part,
};
use crate::places::INWARD_LETTERS;
use crate::rng::Rand;
use crate::{DemoAffiliation, DemoMember, DemoMove, DemoOrg, DemoStatusChange};

use MemberStatus::*;

/// Days before cover ends after which a member lapses: the constitution's "three months".
const LAPSE_AFTER_DAYS: u64 = 90;
/// Joins are spread over this many days before `today`.
const HISTORY_DAYS: u64 = 3 * 365;
const MAX_ACCEPT_DELAY: u64 = 28;

const STATUS_MIX: &[(MemberStatus, u32)] = &[
    (Active, 700),
    (Lapsed, 120),
    (Suspended, 30),
    (Expelled, 10),
    (Resigned, 80),
    (Applicant, 60),
];

fn days(n: u64) -> Days {
    Days::new(n)
}

/// Whole months `m >= 0` such that `to - m months >= from` (largest such `m`).
fn months_floor(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut m = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    if to.day() < from.day() {
        m -= 1;
    }
    m.max(0) as u32
}

/// Smallest `m >= 0` such that `to - m months <= from`.
fn months_ceil(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut m = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    if to.day() > from.day() {
        m += 1;
    }
    m.max(0) as u32
}

struct Dues {
    plan: DuesPlan,
    amount: Money,
    /// Pays by hand, a few days early, rather than by standing order on the day.
    early: bool,
}

impl Dues {
    /// Appends a continuous run of payments whose cover ends in `cover_lo..=cover_hi` and
    /// which starts in `earliest..=latest`; returns (first payment, cover end).
    fn run(
        &self,
        rng: &mut Rand,
        cover_lo: NaiveDate,
        cover_hi: NaiveDate,
        earliest: NaiveDate,
        latest: NaiveDate,
        out: &mut Vec<Payment>,
    ) -> Option<(NaiveDate, NaiveDate)> {
        let p = self.plan.months();
        for _ in 0..4 {
            let mut cover_end = rng.date(cover_lo, cover_hi);
            let mut next = cover_end.succ_opt()?;
            // Cover starting on the 29th-31st would be clamped by month arithmetic; moving
            // the start to the 28th keeps "n periods from the start" exact.
            if next.day() > 28 {
                next = next.with_day(28)?;
                cover_end = next.pred_opt()?;
            }
            let n_max = months_floor(earliest, next) / p;
            let n_min = months_ceil(latest.min(cover_end), next).div_ceil(p).max(1);
            if n_min > n_max {
                continue;
            }
            let n = rng.between(u64::from(n_min), u64::from(n_max)) as u32;
            let start = next.checked_sub_months(Months::new(n * p))?;
            for k in 0..n {
                let due = start.checked_add_months(Months::new(k * p))?;
                let paid_on = if k > 0 && self.early {
                    due - days(rng.between(1, 4))
                } else {
                    due
                };
                out.push(Payment {
                    paid_on,
                    amount: self.amount,
                    months: p,
                });
            }
            return Some((start, cover_end));
        }
        None
    }
}

struct Life {
    joined: NaiveDate,
    status: MemberStatus,
    /// (from, to, on, reason, made by the branch secretary rather than automatically)
    changes: Vec<(
        Option<MemberStatus>,
        MemberStatus,
        NaiveDate,
        &'static str,
        bool,
    )>,
    payments: Vec<Payment>,
    /// When the member became active, and when they stopped being simply active.
    active: Option<(NaiveDate, NaiveDate)>,
}

impl Life {
    fn applied(&mut self, on: NaiveDate, rng: &mut Rand) {
        self.joined = on;
        self.changes
            .push((None, Applicant, on, rng.word(APPLIED), false));
    }

    fn to(&mut self, to: MemberStatus, on: NaiveDate, reason: &'static str, by_officer: bool) {
        let from = self.changes.last().map(|c| c.1);
        self.changes.push((from, to, on, reason, by_officer));
        self.status = to;
    }
}

pub(crate) fn generate(org: &DemoOrg, index: u32) -> DemoMember {
    let mut rng = Rand::new(&org.seed, u64::from(index) + 1);
    let today = org.options.today;
    let reserved = org.reserved.get(index as usize);

    let first = rng.word(FIRST_NAMES);
    let last = rng.word(LAST_NAMES);
    let domain = rng.word(EMAIL_DOMAINS);
    let email = match reserved.and_then(|r| r.email) {
        Some(e) => e.to_string(),
        None => format!(
            "{}.{}.{}@{domain}",
            email_part(first),
            email_part(last),
            index + 1
        ),
    };
    let phone = if rng.chance(400) {
        Some(format!("07700 900{:03}", rng.below(1000)))
    } else {
        None
    };

    let branch = match reserved {
        Some(r) => r.branch,
        None => org.pick_branch(&mut rng),
    };
    let unit = &org.units[branch];
    let postcode = format!(
        "{}{} {}{}{}",
        unit.area,
        rng.pick(unit.districts),
        rng.below(10),
        *rng.pick(INWARD_LETTERS) as char,
        *rng.pick(INWARD_LETTERS) as char,
    );

    let plan = if rng.chance(250) {
        DuesPlan::Annual
    } else {
        DuesPlan::Monthly
    };
    let concession = rng.chance(150);
    let amount = Money(match (plan, concession) {
        (DuesPlan::Monthly, false) => 300,
        (DuesPlan::Monthly, true) => 100,
        (DuesPlan::Annual, false) => 3000,
        (DuesPlan::Annual, true) => 1000,
    });
    let mut dues = Dues {
        plan,
        amount,
        early: rng.chance(300),
    };

    let status = match reserved {
        Some(_) => Active,
        None => *rng.weighted(STATUS_MIX),
    };
    let latest_start = reserved.map_or(today, |r| r.joined_by);
    let life = live(
        &mut rng,
        &dues,
        status,
        today,
        latest_start,
        reserved.is_some(),
    )
    .or_else(|| {
        // An annual plan cannot always fit the window (a year of cover must lie inside
        // it); a monthly one always can.
        dues.plan = DuesPlan::Monthly;
        dues.amount = Money(if concession { 100 } else { 300 });
        live(
            &mut rng,
            &dues,
            status,
            today,
            latest_start,
            reserved.is_some(),
        )
    })
    .unwrap_or_else(|| {
        let mut l = Life::empty(today);
        l.applied(today, &mut rng);
        l
    });

    // ---- transfers (about 3%, never for officers so their unit stays simple) ----
    let mut moves = Vec::new();
    if reserved.is_none()
        && rng.chance(32)
        && let Some((from_active, until)) = life.active
    {
        let lo = from_active + days(30);
        let hi = until - days(1);
        let region = org.unit_of_branch_region(branch);
        let mut from = branch;
        for _ in 0..6 {
            let candidate = org.pick_branch(&mut rng);
            let same_region = org.unit_of_branch_region(candidate) == region;
            if candidate != branch && (same_region || rng.chance(300)) {
                from = candidate;
                break;
            }
        }
        if lo <= hi && from != branch {
            let on = rng.date(lo, hi);
            let why = rng.word(&[
                "moved house",
                "asked to join a branch nearer work",
                "moved for study",
            ]);
            moves.push(DemoMove {
                from,
                to: branch,
                on,
                reason: format!("{why}; transferred to {}", org.units[branch].name),
                by: None,
            });
        }
    }
    // Officers' own records were kept by the previous officers, who are not in the demo.
    let officer_of = |unit: usize, on: NaiveDate| -> Option<u32> {
        if reserved.is_some() {
            return None;
        }
        match org.secretaries[unit] {
            Some((s, since)) if on >= since => Some(s),
            _ => None,
        }
    };
    for m in &mut moves {
        m.by = officer_of(m.to, m.on);
    }
    let branch_on = |d: NaiveDate| match moves.first() {
        Some(m) if d < m.on => m.from,
        _ => branch,
    };

    let history = life
        .changes
        .iter()
        .map(|&(from, to, on, reason, by_officer)| DemoStatusChange {
            from,
            to,
            on,
            reason,
            by: if by_officer {
                officer_of(branch_on(on), on)
            } else {
                None
            },
        })
        .collect();

    // ---- affiliation to another party (about half) ----
    let affiliated = reserved.map_or_else(|| rng.chance(500), |r| r.affiliated);
    let affiliation = affiliated.then(|| {
        let organisation = *rng.weighted(PARTIES);
        let since = rng
            .chance(800)
            .then(|| life.joined - days(rng.between(0, 2500)));
        let earliest = life.joined + days(7);
        let verified = if !life.status.is_member() {
            None
        } else if let Some(r) = reserved {
            let (officer, since_term) = (org.membership_officer, org.offices[0].term.starts_on);
            let lo = earliest.max(since_term);
            (index >= org.founding && (r.email.is_some() || rng.chance(700)) && lo <= today)
                .then(|| (officer, rng.date(lo, today)))
        } else {
            match org.secretaries[branch] {
                Some((secretary, since_term)) if rng.chance(600) => {
                    let moved = moves.first().map_or(earliest, |m| m.on + days(1));
                    let lo = earliest.max(since_term).max(moved);
                    (lo <= today).then(|| (secretary, rng.date(lo, today)))
                }
                _ => None,
            }
        };
        DemoAffiliation {
            organisation,
            since,
            verified,
        }
    });

    DemoMember {
        index,
        first_name: PersonName::parse("first name", first).expect("listed names are valid"),
        last_name: PersonName::parse("last name", last).expect("listed names are valid"),
        email: Email::parse(&email).expect("generated emails are valid"),
        phone: phone.map(|p| Phone::parse(&p).expect("generated phones are valid")),
        postcode: Postcode::parse(&postcode).expect("generated postcodes are valid"),
        branch,
        joined_on: life.joined,
        status: life.status,
        dues_plan: dues.plan,
        history,
        payments: life.payments,
        affiliation,
        moves,
    }
}

impl Life {
    fn empty(today: NaiveDate) -> Self {
        Life {
            joined: today,
            status: Applicant,
            changes: Vec::new(),
            payments: Vec::new(),
            active: None,
        }
    }
}

/// The member's statuses and payments, ending at `status` on `today`; None when the dues
/// plan cannot fit the dates (the caller retries with a monthly plan).
fn live(
    rng: &mut Rand,
    dues: &Dues,
    status: MemberStatus,
    today: NaiveDate,
    latest_start: NaiveDate,
    officer: bool,
) -> Option<Life> {
    let delay = rng.between(3, MAX_ACCEPT_DELAY);
    let earliest = today - days(HISTORY_DAYS) + days(MAX_ACCEPT_DELAY);
    let period_days = if dues.plan == DuesPlan::Monthly {
        24
    } else {
        360
    };
    let mut life = Life::empty(today);
    let mut payments = Vec::new();

    // Applies, is accepted on the first payment, and stays active until `until`.
    let join = |life: &mut Life, rng: &mut Rand, start: NaiveDate, until: NaiveDate| {
        life.applied(start - days(delay), rng);
        let reason = rng.word(ACCEPTED);
        life.to(Active, start, reason, true);
        life.active = Some((start, until));
    };

    match status {
        Applicant => {
            let on = rng.date(today - days(45), today);
            life.applied(on, rng);
        }
        Active => {
            let paid_up = officer || rng.chance(880);
            let (lo, hi) = if paid_up {
                (today + days(3), today + days(period_days))
            } else {
                (today - days(80), today - days(1))
            };
            let (start, _) = dues.run(rng, lo, hi, earliest, latest_start, &mut payments)?;
            // Some active members lapsed once and came back: their record shows both.
            let mut earlier = Vec::new();
            let comeback = if !officer && rng.chance(100) {
                dues.run(
                    rng,
                    start - days(250),
                    start - days(95),
                    earliest,
                    start,
                    &mut earlier,
                )
            } else {
                None
            };
            match comeback {
                Some((first_start, first_end)) => {
                    let lapsed_on = first_end + days(LAPSE_AFTER_DAYS);
                    join(&mut life, rng, first_start, lapsed_on);
                    life.to(Lapsed, lapsed_on, "dues unpaid for 3 months", false);
                    life.to(Active, start, "dues paid again; membership restored", true);
                    earlier.append(&mut payments);
                    payments = earlier;
                }
                None => join(&mut life, rng, start, today),
            }
        }
        Lapsed => {
            let (start, end) = dues.run(
                rng,
                today - days(450),
                today - days(95),
                earliest,
                today,
                &mut payments,
            )?;
            let lapsed_on = end + days(LAPSE_AFTER_DAYS);
            join(&mut life, rng, start, lapsed_on);
            life.to(Lapsed, lapsed_on, "dues unpaid for 3 months", false);
        }
        Suspended => {
            let on = rng.date(today - days(200), today - days(7));
            let (start, _) = dues.run(
                rng,
                on - days(25),
                on + days(3),
                earliest,
                on,
                &mut payments,
            )?;
            join(&mut life, rng, start, on);
            life.to(Suspended, on, rng.word(SUSPENDED), true);
        }
        Expelled => {
            let suspended_on = rng.date(today - days(400), today - days(40));
            let (start, _) = dues.run(
                rng,
                suspended_on - days(25),
                suspended_on + days(3),
                earliest,
                suspended_on,
                &mut payments,
            )?;
            join(&mut life, rng, start, suspended_on);
            if rng.chance(700) {
                life.to(Suspended, suspended_on, rng.word(SUSPENDED), true);
                let gap = (today - suspended_on).num_days().clamp(14, 60) as u64;
                let on = suspended_on + days(rng.between(14, gap));
                life.to(Expelled, on, rng.word(EXPELLED), true);
            } else {
                life.to(Expelled, suspended_on, rng.word(EXPELLED), true);
            }
        }
        Resigned => {
            let on = rng.date(today - days(700), today - days(3));
            let how = rng.below(100);
            if how < 60 {
                let (start, _) = dues.run(
                    rng,
                    on - days(25),
                    on + days(3),
                    earliest,
                    on,
                    &mut payments,
                )?;
                join(&mut life, rng, start, on);
                life.to(Resigned, on, rng.word(RESIGNED), true);
            } else if how < 85 {
                let (start, end) = dues.run(
                    rng,
                    on - days(300),
                    on - days(100),
                    earliest,
                    on,
                    &mut payments,
                )?;
                let lapsed_on = end + days(LAPSE_AFTER_DAYS);
                join(&mut life, rng, start, lapsed_on);
                life.to(Lapsed, lapsed_on, "dues unpaid for 3 months", false);
                life.to(Resigned, on, "told the branch they would not renew", true);
            } else {
                let applied = rng.date(on - days(60), on - days(1));
                life.applied(applied, rng);
                life.to(Resigned, on, "withdrew their application", true);
            }
        }
    }
    life.payments = payments;
    Some(life)
}
