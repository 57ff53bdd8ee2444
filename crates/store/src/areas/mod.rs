//! The store, one trait per area of the organisation. Each backend implements every area once,
//! in the area's shared SQL file under `crates/store/sql/`; [`crate::Store`] is all of them.

mod accounts;
mod agenda;
mod applications;
mod ballots;
mod constitution;
mod delegates;
mod elections;
mod import;
mod meetings;
mod paper;
mod record;
mod register;
mod requisitions;
mod rolls;
mod structure;

pub use accounts::AccountStore;
pub use agenda::AgendaStore;
pub use applications::ApplicationStore;
pub use ballots::BallotStore;
pub use constitution::ConstitutionStore;
pub use delegates::DelegateStore;
pub use elections::ElectionStore;
pub use import::ImportStore;
pub use meetings::MeetingStore;
pub use paper::PaperStore;
pub use record::RecordStore;
pub use register::RegisterStore;
pub use requisitions::RequisitionStore;
pub use rolls::RollStore;
pub use structure::StructureStore;
