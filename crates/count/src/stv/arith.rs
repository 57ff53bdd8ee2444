//! Number types for STV counts.
//!
//! Statutory rules fix their arithmetic (the Scottish order truncates to five decimal places;
//! published Meek counts use nine), so the arithmetic is a type parameter and every rounding is
//! named at the call site (`mul_down`, `div_up`). Floating point never appears: two counters
//! given the same ballots must agree to the last digit.

use std::cmp::Ordering;
use std::fmt::Debug;
use std::ops::{Add, AddAssign, Sub, SubAssign};

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{One, Signed, Zero};

use crate::report::Decimal;

/// A number an STV count can be done in.
///
/// Methods take `&self` so that big rationals are not cloned on every step; fixed-point
/// types are `Copy` and cost nothing extra.
pub trait Number:
    Clone
    + Debug
    + Ord
    + Add<Output = Self>
    + Sub<Output = Self>
    + AddAssign
    + SubAssign
    + for<'a> AddAssign<&'a Self>
    + Send
    + Sync
{
    /// True when no operation rounds: then "reached the quota" must mean "exceeded it",
    /// because the quota itself is not rounded up.
    const EXACT: bool;
    /// Digits after the decimal point shown in transcripts.
    const DISPLAY_SCALE: u32;

    fn zero() -> Self;
    fn one() -> Self;
    fn from_u64(n: u64) -> Self;
    /// The smallest positive value (zero for exact arithmetic, which has none).
    fn epsilon() -> Self;
    /// `10^-k`.
    fn pow10_inv(k: u32) -> Self;

    fn mul_int(&self, n: u64) -> Self;
    fn div_int_down(&self, n: u64) -> Self;
    fn mul_down(&self, other: &Self) -> Self;
    fn mul_up(&self, other: &Self) -> Self;
    fn div_down(&self, other: &Self) -> Self;
    fn div_up(&self, other: &Self) -> Self;
    /// `self * b / c` keeping the full product before one rounding down, as the Scottish
    /// order's transfer value (surplus × value ÷ total) is computed.
    fn muldiv_down(&self, b: &Self, c: &Self) -> Self;

    /// Rounds up to `digits` decimal places; fixed point with no more places is unchanged.
    fn ceil_to_places(&self, digits: u32) -> Self;

    fn is_zero(&self) -> bool {
        *self == Self::zero()
    }
    fn is_positive(&self) -> bool {
        *self > Self::zero()
    }
    /// The value as a report decimal, truncated to [`Self::DISPLAY_SCALE`] places when it
    /// has more.
    fn to_decimal(&self) -> Decimal;
}

/// Fixed point with `P` decimal places in an `i64` (values are scaled integers).
///
/// `i64` holds 9.2·10^18 units: at nine places that is 9.2 billion votes, far beyond any
/// electorate; products go through `i128`, so nothing overflows in between.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Fixed<const P: u32>(pub i64);

impl<const P: u32> Fixed<P> {
    pub const SCALE: i64 = 10i64.pow(P);

    /// The raw scaled integer (`value × 10^P`).
    pub fn units(self) -> i64 {
        self.0
    }
}

impl<const P: u32> Debug for Fixed<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_decimal())
    }
}

impl<const P: u32> Add for Fixed<P> {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Fixed(self.0 + o.0)
    }
}
impl<const P: u32> Sub for Fixed<P> {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        Fixed(self.0 - o.0)
    }
}
impl<const P: u32> AddAssign for Fixed<P> {
    fn add_assign(&mut self, o: Self) {
        self.0 += o.0;
    }
}
impl<'a, const P: u32> AddAssign<&'a Fixed<P>> for Fixed<P> {
    fn add_assign(&mut self, o: &'a Self) {
        self.0 += o.0;
    }
}
impl<const P: u32> SubAssign for Fixed<P> {
    fn sub_assign(&mut self, o: Self) {
        self.0 -= o.0;
    }
}

fn floor_div(a: i128, b: i128) -> i128 {
    a.div_euclid(b) - if b < 0 && a.rem_euclid(b) != 0 { 1 } else { 0 }
}

fn ceil_div(a: i128, b: i128) -> i128 {
    -floor_div(-a, b)
}

impl<const P: u32> Number for Fixed<P> {
    const EXACT: bool = false;
    const DISPLAY_SCALE: u32 = P;

    fn zero() -> Self {
        Fixed(0)
    }
    fn one() -> Self {
        Fixed(Self::SCALE)
    }
    fn from_u64(n: u64) -> Self {
        Fixed(n as i64 * Self::SCALE)
    }
    fn epsilon() -> Self {
        Fixed(1)
    }
    fn pow10_inv(k: u32) -> Self {
        if k > P {
            Fixed(0)
        } else {
            Fixed(10i64.pow(P - k))
        }
    }
    #[inline]
    fn mul_int(&self, n: u64) -> Self {
        Fixed(self.0 * n as i64)
    }
    #[inline]
    fn div_int_down(&self, n: u64) -> Self {
        Fixed(self.0.div_euclid(n as i64))
    }
    #[inline]
    fn mul_down(&self, o: &Self) -> Self {
        // Both factors are non-negative in every count; the unsigned path lets the compiler
        // divide by the constant scale with a multiply.
        if self.0 >= 0 && o.0 >= 0 {
            Fixed(((self.0 as u128 * o.0 as u128) / Self::SCALE as u128) as i64)
        } else {
            Fixed(floor_div(self.0 as i128 * o.0 as i128, Self::SCALE as i128) as i64)
        }
    }
    #[inline]
    fn mul_up(&self, o: &Self) -> Self {
        Fixed(ceil_div(self.0 as i128 * o.0 as i128, Self::SCALE as i128) as i64)
    }
    fn div_down(&self, o: &Self) -> Self {
        Fixed(floor_div(self.0 as i128 * Self::SCALE as i128, o.0 as i128) as i64)
    }
    fn div_up(&self, o: &Self) -> Self {
        Fixed(ceil_div(self.0 as i128 * Self::SCALE as i128, o.0 as i128) as i64)
    }
    fn muldiv_down(&self, b: &Self, c: &Self) -> Self {
        Fixed(floor_div(self.0 as i128 * b.0 as i128, c.0 as i128) as i64)
    }
    fn ceil_to_places(&self, digits: u32) -> Self {
        if digits >= P {
            *self
        } else {
            let unit = 10i64.pow(P - digits);
            Fixed(ceil_div(self.0 as i128, unit as i128) as i64 * unit)
        }
    }
    fn to_decimal(&self) -> Decimal {
        Decimal {
            units: self.0 as i128,
            scale: P,
        }
    }
}

/// Exact rational arithmetic: nothing is ever rounded, at the price of speed.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Exact(pub BigRational);

impl Debug for Exact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Add for Exact {
    type Output = Self;
    fn add(self, o: Self) -> Self {
        Exact(self.0 + o.0)
    }
}
impl Sub for Exact {
    type Output = Self;
    fn sub(self, o: Self) -> Self {
        Exact(self.0 - o.0)
    }
}
impl AddAssign for Exact {
    fn add_assign(&mut self, o: Self) {
        self.0 += o.0;
    }
}
impl<'a> AddAssign<&'a Exact> for Exact {
    fn add_assign(&mut self, o: &'a Self) {
        self.0 += &o.0;
    }
}
impl SubAssign for Exact {
    fn sub_assign(&mut self, o: Self) {
        self.0 -= o.0;
    }
}

/// Digits shown for exact values in reports and transcripts.
pub const EXACT_DISPLAY_SCALE: u32 = 9;

impl Number for Exact {
    const EXACT: bool = true;
    const DISPLAY_SCALE: u32 = EXACT_DISPLAY_SCALE;

    fn zero() -> Self {
        Exact(BigRational::zero())
    }
    fn one() -> Self {
        Exact(BigRational::one())
    }
    fn from_u64(n: u64) -> Self {
        Exact(BigRational::from_integer(BigInt::from(n)))
    }
    fn epsilon() -> Self {
        Self::zero()
    }
    fn pow10_inv(k: u32) -> Self {
        Exact(BigRational::new(
            BigInt::one(),
            num_traits::pow(BigInt::from(10), k as usize),
        ))
    }
    fn mul_int(&self, n: u64) -> Self {
        Exact(&self.0 * BigRational::from_integer(BigInt::from(n)))
    }
    fn div_int_down(&self, n: u64) -> Self {
        Exact(&self.0 / BigRational::from_integer(BigInt::from(n)))
    }
    fn mul_down(&self, o: &Self) -> Self {
        Exact(&self.0 * &o.0)
    }
    fn mul_up(&self, o: &Self) -> Self {
        Exact(&self.0 * &o.0)
    }
    fn div_down(&self, o: &Self) -> Self {
        Exact(&self.0 / &o.0)
    }
    fn div_up(&self, o: &Self) -> Self {
        Exact(&self.0 / &o.0)
    }
    fn muldiv_down(&self, b: &Self, c: &Self) -> Self {
        Exact(&self.0 * &b.0 / &c.0)
    }
    fn ceil_to_places(&self, digits: u32) -> Self {
        let scale = num_traits::pow(BigInt::from(10), digits as usize);
        let scaled = self.0.numer() * &scale;
        let q = scaled.div_ceil(self.0.denom());
        Exact(BigRational::new(q, scale))
    }
    fn is_zero(&self) -> bool {
        self.0.is_zero()
    }
    fn is_positive(&self) -> bool {
        self.0.is_positive()
    }
    fn to_decimal(&self) -> Decimal {
        let scale = BigInt::from(10u64.pow(EXACT_DISPLAY_SCALE));
        let scaled = self.0.numer() * scale;
        let (q, _) = scaled.div_mod_floor(self.0.denom());
        let units: i128 = i128::try_from(q).unwrap_or(match self.0.numer().sign() {
            num_bigint::Sign::Minus => i128::MIN,
            _ => i128::MAX,
        });
        Decimal {
            units,
            scale: EXACT_DISPLAY_SCALE,
        }
    }
}

/// Compares two numbers; a helper so sorting code reads the same for every type.
pub fn cmp<N: Number>(a: &N, b: &N) -> Ordering {
    a.cmp(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    type F9 = Fixed<9>;

    #[test]
    fn fixed_rounding_is_directed() {
        let third = F9::one().div_down(&F9::from_u64(3));
        assert_eq!(third.0, 333_333_333);
        assert_eq!(F9::one().div_up(&F9::from_u64(3)).0, 333_333_334);
        let x = Fixed::<9>(1_500_000_001);
        assert_eq!(x.mul_down(&x).0, 2_250_000_003);
        assert_eq!(x.mul_up(&x).0, 2_250_000_004);
    }

    #[test]
    fn scottish_transfer_value_truncates_at_five_places() {
        // Surplus 682 of 1982 votes: 682/1982 = 0.344096..., truncated.
        let one = Fixed::<5>::one();
        let tv = one.muldiv_down(&Fixed::<5>::from_u64(682), &Fixed::<5>::from_u64(1982));
        assert_eq!(tv.to_decimal().to_string(), "0.34409");
    }

    #[test]
    fn exact_is_exact() {
        let third = Exact::one().div_down(&Exact::from_u64(3));
        assert_eq!(third.mul_int(3), Exact::one());
        assert_eq!(third.to_decimal().to_string(), "0.333333333");
        const { assert!(Exact::EXACT) };
    }

    #[test]
    fn rounding_up_to_places() {
        assert_eq!(Fixed::<9>(1_000_000_001).ceil_to_places(3).0, 1_001_000_000);
        let third = Exact::one().div_down(&Exact::from_u64(3));
        assert_eq!(
            third.ceil_to_places(2),
            Exact::from_u64(34).div_down(&Exact::from_u64(100))
        );
    }

    #[test]
    fn pow10_inverse() {
        assert_eq!(F9::pow10_inv(6).0, 1000);
        assert_eq!(Fixed::<5>::pow10_inv(9).0, 0);
    }
}
