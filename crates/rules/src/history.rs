//! The versions an organisation has adopted, and which one is in force on a date.

use chrono::NaiveDate;

use crate::constitution::Constitution;
use crate::error::HistoryError;

/// Adopted versions in order of effective date. Only versions that completed the amendment
/// procedure belong here; proposals live elsewhere until adopted.
#[derive(Debug, Clone)]
pub struct History {
    versions: Vec<Constitution>,
}

impl History {
    pub fn new(mut versions: Vec<Constitution>) -> Result<Self, HistoryError> {
        if versions.is_empty() {
            return Err(HistoryError::Empty);
        }
        versions.sort_by_key(Constitution::effective);
        for w in versions.windows(2) {
            if w[0].effective() == w[1].effective() {
                return Err(HistoryError::SameDay(
                    w[0].version().to_string(),
                    w[1].version().to_string(),
                    w[0].effective(),
                ));
            }
        }
        Ok(History { versions })
    }

    /// The latest version whose effective date is on or before `on`: a version never
    /// applies before its date, so no change is retroactive. `None` before the founding.
    pub fn in_force(&self, on: NaiveDate) -> Option<&Constitution> {
        let i = self.versions.partition_point(|v| v.effective() <= on);
        i.checked_sub(1).map(|i| &self.versions[i])
    }

    pub fn versions(&self) -> &[Constitution] {
        &self.versions
    }

    pub fn latest(&self) -> &Constitution {
        // `new` refuses an empty history.
        &self.versions[self.versions.len() - 1]
    }

    /// Adds a newly adopted version. It must take effect after every version already here.
    pub fn push(&mut self, version: Constitution) -> Result<(), HistoryError> {
        let last = self.latest();
        if version.effective() <= last.effective() {
            return Err(HistoryError::NotLater(
                last.version().to_string(),
                version.version().to_string(),
                version.effective(),
            ));
        }
        self.versions.push(version);
        Ok(())
    }
}
