//! Members written as CSV (`charter export members`), in the columns `charter import` reads,
//! so an export re-imports cleanly: the member number first, so a re-import with `--update`
//! finds each member again even after a change of name.

use std::collections::HashMap;
use std::io::Write;

use charter_domain::UnitId;
use charter_store::{MemberRecord, UnitRecord};

/// Finds branches by name, slug or id, ignoring case.
pub struct BranchLookup(HashMap<String, UnitId>);

impl BranchLookup {
    pub fn new(units: &[UnitRecord]) -> Self {
        let mut m = HashMap::new();
        for u in units
            .iter()
            .filter(|u| u.kind == charter_domain::UnitKind::Branch)
        {
            m.insert(u.name.to_lowercase(), u.id);
            m.insert(u.slug.to_lowercase(), u.id);
            m.insert(u.id.0.to_string(), u.id);
        }
        BranchLookup(m)
    }

    pub fn find(&self, raw: &str) -> Option<UnitId> {
        self.0.get(&raw.trim().to_lowercase()).copied()
    }
}

pub const EXPORT_HEADER: [&str; 11] = [
    "member_number",
    "first_name",
    "last_name",
    "email",
    "phone",
    "postcode",
    "branch",
    "joined_on",
    "status",
    "dues_plan",
    "paid_up_until",
];

/// Writes members in the columns `charter import` reads (paid_up_until is for reading: an
/// import works it out from payments).
pub fn write_members(out: impl Write, members: &[MemberRecord]) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(EXPORT_HEADER)?;
    for m in members {
        let number = m.id.0.to_string();
        let joined = m.joined_on.to_string();
        let paid = m.paid_up_until.map(|d| d.to_string()).unwrap_or_default();
        w.write_record([
            number.as_str(),
            m.first_name.as_str(),
            m.last_name.as_str(),
            m.email.as_str(),
            m.phone.as_deref().unwrap_or(""),
            m.postcode.as_str(),
            m.branch_name.as_str(),
            joined.as_str(),
            m.status.as_str(),
            m.dues_plan.as_str(),
            paid.as_str(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
