//! Sampling helpers over the raw ChaCha stream.
//!
//! Only ChaCha's output words are used, never `rand`'s distributions: rand promises the same
//! values for a seed only within a patch release, and the demo must stay the same organisation
//! across dependency upgrades so that screenshots, tests and benchmark figures keep meaning.

use chrono::{Days, NaiveDate};
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

pub(crate) struct Rand(ChaCha8Rng);

impl Rand {
    /// Stream 0 is the structure; stream `i + 1` is member `i`, so each member can be
    /// generated on its own, in any order and any batch size, with the same result.
    pub fn new(seed: &[u8; 32], stream: u64) -> Self {
        let mut r = ChaCha8Rng::from_seed(*seed);
        r.set_stream(stream);
        Rand(r)
    }

    pub fn seed_bytes(seed: u64) -> [u8; 32] {
        ChaCha8Rng::seed_from_u64(seed).get_seed()
    }

    /// Uniform in `0..n` (n > 0), without modulo bias.
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.0.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        debug_assert!(lo <= hi);
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `per_mille / 1000`.
    pub fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    pub fn word(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len() as u64) as usize]
    }

    pub fn weighted<'a, T>(&mut self, xs: &'a [(T, u32)]) -> &'a T {
        let total: u64 = xs.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut r = self.below(total);
        for (x, w) in xs {
            if r < u64::from(*w) {
                return x;
            }
            r -= u64::from(*w);
        }
        &xs[xs.len() - 1].0
    }

    /// A date in `lo..=hi`; `hi` before `lo` gives `lo`.
    pub fn date(&mut self, lo: NaiveDate, hi: NaiveDate) -> NaiveDate {
        let span = (hi - lo).num_days().max(0) as u64;
        lo + Days::new(self.between(0, span))
    }

    pub fn fill(&mut self, out: &mut [u8]) {
        self.0.fill_bytes(out);
    }
}
