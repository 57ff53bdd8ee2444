//! Limits on guessing passwords (and codes, and reset letters) that nobody can turn against
//! someone else's account.
//!
//! Failed sign-ins back off per (account, client address) pair: after a few failures from
//! one address an account waits there, doubling each time, while its owner signing in from
//! their own address is not slowed at all. A ceiling per client address bounds everything
//! one address tries, whatever accounts it names. IPv6 addresses count by their /64, which
//! one subscriber usually holds whole.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Failures from one address allowed on one account before it waits there.
pub const FREE_FAILURES: u32 = 5;
/// The longest wait after repeated failures.
pub const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);
/// Pairs remembered before the oldest quiet ones are forgotten.
const MAX_PAIRS: usize = 100_000;
/// A pair with no failure for this long starts afresh.
const FORGET_AFTER: Duration = Duration::from_secs(60 * 60);

/// The key an address counts under: IPv4 as it is, IPv6 by its /64.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut seg = v6.segments();
                seg[4..].fill(0);
                IpAddr::V6(seg.into())
            }
        },
    }
}

#[derive(Debug, Clone, Copy)]
struct Backoff {
    failures: u32,
    last: Instant,
    wait_until: Instant,
}

/// How long the pair must wait after `failures` failures.
pub fn backoff_after(failures: u32) -> Duration {
    if failures < FREE_FAILURES {
        return Duration::ZERO;
    }
    let doublings = (failures - FREE_FAILURES).min(20);
    Duration::from_secs(1u64 << doublings).min(MAX_BACKOFF)
}

/// Attempts against accounts, per pair and (unless [`AttemptLimits::per_account_only`]) per
/// address.
pub struct AttemptLimits {
    pairs: Mutex<HashMap<(String, IpAddr), Backoff>>,
    per_address: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl AttemptLimits {
    /// `per_address_per_minute`: the ceiling on attempts from one address, whatever they name.
    pub fn new(per_address_per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_address_per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        AttemptLimits {
            pairs: Mutex::new(HashMap::new()),
            per_address: Some(RateLimiter::keyed(Quota::per_minute(n))),
        }
    }

    /// Back-off per key alone, with no ceiling per address: for guesses made by someone
    /// signed in, about their own account, from a place many people share (a meeting's
    /// check-in code, typed by everyone in the hall behind one connection).
    pub fn per_account_only() -> Self {
        AttemptLimits {
            pairs: Mutex::new(HashMap::new()),
            per_address: None,
        }
    }

    fn key(account: &str, ip: IpAddr) -> (String, IpAddr) {
        (account.trim().to_lowercase(), address_key(ip))
    }

    /// Whether an attempt on `account` from `ip` may go ahead now; otherwise how many
    /// seconds to wait. Every attempt counts against the address's ceiling.
    pub fn check(&self, account: &str, ip: IpAddr, now: Instant) -> Result<(), u64> {
        let key = Self::key(account, ip);
        if let Some(b) = self.lock().get(&key)
            && b.wait_until > now
        {
            // Rounded up, so a client that waits as told is let in.
            let wait = b.wait_until - now;
            return Err((wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1));
        }
        if let Some(limiter) = &self.per_address
            && limiter.check_key(&key.1).is_err()
        {
            return Err(60);
        }
        Ok(())
    }

    /// Records a failed attempt: the pair backs off once past the free failures.
    pub fn failed(&self, account: &str, ip: IpAddr, now: Instant) {
        let key = Self::key(account, ip);
        let mut pairs = self.lock();
        if pairs.len() >= MAX_PAIRS {
            pairs.retain(|_, b| now.saturating_duration_since(b.last) < FORGET_AFTER);
        }
        let entry = pairs.entry(key).or_insert(Backoff {
            failures: 0,
            last: now,
            wait_until: now,
        });
        if now.saturating_duration_since(entry.last) >= FORGET_AFTER {
            entry.failures = 0;
        }
        entry.failures += 1;
        entry.last = now;
        entry.wait_until = now + backoff_after(entry.failures);
    }

    /// Records a success: the pair starts afresh.
    pub fn succeeded(&self, account: &str, ip: IpAddr) {
        self.lock().remove(&Self::key(account, ip));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, IpAddr), Backoff>> {
        self.pairs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn backoff_doubles_to_a_ceiling() {
        assert_eq!(backoff_after(FREE_FAILURES - 1), Duration::ZERO);
        assert_eq!(backoff_after(FREE_FAILURES), Duration::from_secs(1));
        assert_eq!(backoff_after(FREE_FAILURES + 3), Duration::from_secs(8));
        assert_eq!(backoff_after(1_000), MAX_BACKOFF);
    }

    #[test]
    fn an_attacker_elsewhere_does_not_slow_the_owner() {
        let limits = AttemptLimits::new(1_000);
        let now = Instant::now();
        for _ in 0..50 {
            limits.failed("ann@example.org", ip("203.0.113.9"), now);
        }
        assert!(
            limits
                .check("ANN@example.org ", ip("203.0.113.9"), now)
                .is_err()
        );
        assert!(
            limits
                .check("ann@example.org", ip("198.51.100.7"), now)
                .is_ok()
        );
        // The attacker's own pair waits at most the ceiling, and is forgotten after an hour.
        let later = now + MAX_BACKOFF + Duration::from_secs(1);
        assert!(
            limits
                .check("ann@example.org", ip("203.0.113.9"), later)
                .is_ok()
        );
    }

    #[test]
    fn success_starts_afresh() {
        let limits = AttemptLimits::new(1_000);
        let now = Instant::now();
        for _ in 0..FREE_FAILURES {
            limits.failed("a@example.org", ip("192.0.2.1"), now);
        }
        assert!(limits.check("a@example.org", ip("192.0.2.1"), now).is_err());
        limits.succeeded("a@example.org", ip("192.0.2.1"));
        assert!(limits.check("a@example.org", ip("192.0.2.1"), now).is_ok());
    }

    #[test]
    fn one_address_has_a_ceiling_across_accounts() {
        let limits = AttemptLimits::new(3);
        let now = Instant::now();
        for n in 0..3 {
            assert!(
                limits
                    .check(&format!("m{n}@example.org"), ip("192.0.2.1"), now)
                    .is_ok()
            );
        }
        assert!(
            limits
                .check("m9@example.org", ip("192.0.2.1"), now)
                .is_err()
        );
        assert!(limits.check("m9@example.org", ip("192.0.2.2"), now).is_ok());
    }

    #[test]
    fn ipv6_counts_by_its_64() {
        assert_eq!(
            address_key(ip("2001:db8:1:2:aaaa::1")),
            address_key(ip("2001:db8:1:2:bbbb::2"))
        );
        assert_ne!(
            address_key(ip("2001:db8:1:2::1")),
            address_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(address_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }
}
