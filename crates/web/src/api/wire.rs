//! The API's wire formats. Types below the API boundary are not `Serialize` by design: these
//! are the explicit, documented shapes clients rely on, converted from the app's records.
//! Request types refuse unknown fields so a misspelt field is an error, never silently ignored.

mod accounts;
mod agenda;
mod constitution;
mod encrypted_ballot;
mod events;
mod me;
mod meetings;
mod members;
mod requisitions;
mod rolls;
mod session;
mod units;

pub use accounts::*;
pub use agenda::*;
pub use constitution::*;
pub use encrypted_ballot::*;
pub use events::*;
pub use me::*;
pub use meetings::*;
pub use members::*;
pub use requisitions::*;
pub use rolls::*;
pub use session::*;
pub use units::*;
