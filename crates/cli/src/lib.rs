//! The `charter` command's parts, as a library so they can be tested without a process.
//! Only this crate reads arguments and the environment.

pub mod backend;
pub mod constitution_text;
pub mod credentials;
pub mod csv_in;
pub mod export_file;
pub mod import;
pub mod members_csv;
pub mod officer;
pub mod password;
pub mod progress;
pub mod roll_text;
pub mod serve;
pub mod trustee;
pub mod units;
pub mod verify;
