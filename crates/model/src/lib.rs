//! The records Charter keeps: plain data with no behaviour of its own beyond reading itself,
//! their ids and states typed by the domain. The store writes and reads them, the use cases
//! return them, the web draws them; so the web can show a record without being able to reach
//! the store that holds it.

pub mod accounts;
pub mod applications;
pub mod delegates;
pub mod ids;
pub mod import;
pub mod records;
pub mod structure;

pub use accounts::*;
pub use applications::*;
/// The counting method a ballot names: the count's own type.
pub use charter_count::Method;
pub use delegates::*;
pub use ids::*;
pub use import::*;
pub use records::*;
pub use structure::*;
