//! Electoral Reform Society rules (1997): placeholder until the parcel rules land.

use super::arith::Fixed;
use super::gregory;
use super::prepare::Prepared;
use crate::model::Election;
use crate::report::Report;

pub fn count(election: &Election, p: &Prepared, method: &str, seed: u64) -> Report {
    gregory::count::<Fixed<2>>(election, p, gregory::Rule::Wigm, method, seed)
}
