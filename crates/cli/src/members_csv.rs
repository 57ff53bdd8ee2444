//! Members in CSV: the columns Charter reads and writes, and the names typical CRM exports
//! use for them. Every bad row is reported with its line, column and reason; good rows go on.

use std::collections::HashMap;
use std::io::{Read, Write};

use charter_domain::{NewMember, RawNewMember, UnitId};
use charter_store::{MemberRecord, UnitRecord};
use chrono::NaiveDate;

/// Our column names, each with the other names CRM exports use for it (compared ignoring
/// case, spaces, dashes and underscores).
pub const COLUMNS: &[(&str, &[&str])] = &[
    (
        "first_name",
        &["firstname", "givenname", "forename", "first"],
    ),
    ("last_name", &["lastname", "surname", "familyname", "last"]),
    ("email", &["emailaddress", "e-mail", "mail", "primaryemail"]),
    (
        "phone",
        &["mobile", "phonenumber", "telephone", "mobilephone", "tel"],
    ),
    (
        "postcode",
        &["postalcode", "zip", "zipcode", "postcodezip", "post code"],
    ),
    (
        "branch",
        &["branchname", "localgroup", "group", "chapter", "local"],
    ),
    (
        "joined_on",
        &[
            "joindate",
            "joined",
            "datejoined",
            "membersince",
            "startdate",
        ],
    ),
    ("status", &["membershipstatus", "memberstatus", "state"]),
    (
        "dues_plan",
        &[
            "plan",
            "duesplan",
            "paymentfrequency",
            "frequency",
            "membershiptype",
        ],
    ),
];

const REQUIRED: [&str; 4] = ["first_name", "last_name", "email", "postcode"];

#[derive(Debug, thiserror::Error)]
pub enum CsvFileError {
    #[error("{0} is not a CSV text file: {1}")]
    NotCsv(String, String),
    #[error("{file} has no {missing} column; the header row has: {found}")]
    MissingColumns {
        file: String,
        missing: String,
        found: String,
    },
    #[error("could not read {0}: {1}")]
    Io(String, std::io::Error),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    /// The column as named in the file's header.
    pub column: String,
    pub reason: String,
}

impl std::fmt::Display for BadRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.reason
        )
    }
}

#[derive(Debug, Default)]
pub struct ParsedMembers {
    pub good: Vec<(u64, NewMember)>,
    pub bad: Vec<BadRow>,
    pub rows: u64,
}

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

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Maps our column names to their index in the file's header.
fn map_header(header: &csv::StringRecord) -> HashMap<&'static str, usize> {
    let mut map = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = squash(h.trim_start_matches('\u{feff}'));
        for (name, aliases) in COLUMNS {
            if map.contains_key(name) {
                continue;
            }
            if squash(name) == h || aliases.iter().any(|a| squash(a) == h) {
                map.insert(*name, i);
                break;
            }
        }
    }
    map
}

/// Reads members from CSV. `default_branch` is used when the file has no branch column.
pub fn parse_members(
    file_name: &str,
    mut input: impl Read,
    branches: &BranchLookup,
    default_branch: Option<UnitId>,
    today: NaiveDate,
) -> Result<ParsedMembers, CsvFileError> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|e| CsvFileError::Io(file_name.to_string(), e))?;
    if bytes.contains(&0) {
        return Err(CsvFileError::NotCsv(
            file_name.into(),
            "it contains binary data".into(),
        ));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        CsvFileError::NotCsv(
            file_name.into(),
            format!(
                "it is not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| CsvFileError::NotCsv(file_name.into(), e.to_string()))?
        .clone();
    let map = map_header(&header);
    let mut missing: Vec<&str> = REQUIRED
        .iter()
        .copied()
        .filter(|c| !map.contains_key(c))
        .collect();
    if !map.contains_key("branch") && default_branch.is_none() {
        missing.push("branch");
    }
    if !missing.is_empty() {
        return Err(CsvFileError::MissingColumns {
            file: file_name.into(),
            missing: missing.join(", "),
            found: header.iter().collect::<Vec<_>>().join(", "),
        });
    }
    let col_name = |name: &str| -> String {
        map.get(name)
            .and_then(|i| header.get(*i))
            .unwrap_or(name)
            .to_string()
    };
    let mut out = ParsedMembers::default();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        out.rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.bad.push(BadRow {
                    line,
                    column: "-".into(),
                    reason: format!("not readable as CSV: {e}"),
                });
                continue;
            }
        };
        if record.iter().all(str::is_empty) {
            out.rows -= 1;
            continue;
        }
        let get = |name: &str| -> String {
            map.get(name)
                .and_then(|i| record.get(*i))
                .unwrap_or("")
                .to_string()
        };
        let branch = match map.get("branch") {
            Some(_) if !get("branch").is_empty() => match branches.find(&get("branch")) {
                Some(b) => Some(b),
                None => {
                    out.bad.push(BadRow {
                        line,
                        column: col_name("branch"),
                        reason: format!("there is no branch called '{}'", get("branch")),
                    });
                    None
                }
            },
            _ => match default_branch {
                Some(b) => Some(b),
                None => {
                    out.bad.push(BadRow {
                        line,
                        column: col_name("branch"),
                        reason: "branch is required".into(),
                    });
                    None
                }
            },
        };
        let joined = get("joined_on");
        let raw = RawNewMember {
            first_name: get("first_name"),
            last_name: get("last_name"),
            email: get("email"),
            phone: get("phone"),
            postcode: get("postcode"),
            joined_on: if joined.is_empty() {
                today.to_string()
            } else {
                joined
            },
            status: get("status"),
            dues_plan: get("dues_plan"),
        };
        match NewMember::parse(&raw, branch.unwrap_or(UnitId(0))) {
            Ok(m) if branch.is_some() => {
                if m.joined_on > today {
                    out.bad.push(BadRow {
                        line,
                        column: col_name("joined_on"),
                        reason: "join date is in the future".into(),
                    });
                } else {
                    out.good.push((line, m));
                }
            }
            Ok(_) => {}
            Err(errs) => {
                for (field, reason) in errs.0 {
                    out.bad.push(BadRow {
                        line,
                        column: col_name(&field),
                        reason,
                    });
                }
            }
        }
    }
    Ok(out)
}

pub const EXPORT_HEADER: [&str; 10] = [
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

/// Writes members in the same columns `parse_members` reads, so an export re-imports cleanly.
pub fn write_members(out: impl Write, members: &[MemberRecord]) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(EXPORT_HEADER)?;
    for m in members {
        let joined = m.joined_on.to_string();
        let paid = m.paid_up_until.map(|d| d.to_string()).unwrap_or_default();
        w.write_record([
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

#[cfg(test)]
mod tests {
    use super::*;
    use charter_domain::UnitKind;

    fn lookup() -> BranchLookup {
        BranchLookup::new(&[UnitRecord {
            id: UnitId(7),
            parent: None,
            kind: UnitKind::Branch,
            name: "Southwark".into(),
            slug: "southwark".into(),
            closed_on: None,
            merged_into: None,
        }])
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    #[test]
    fn crm_headers_are_understood_and_bad_rows_reported() {
        let csv = "First Name,Surname,E-mail Address,Mobile,Post Code,Local Group,Member Since\n\
                   Ada,Lovelace,ada@example.org,07700 900123,se1 7pb,Southwark,2024-01-05\n\
                   Bob,,bob@example,,XYZ,Southwark,2024-01-05\n\
                   Cy,Twombly,cy@example.org,,SE1 7PB,Atlantis,\n";
        let p = parse_members("t.csv", csv.as_bytes(), &lookup(), None, today()).unwrap();
        assert_eq!(p.rows, 3);
        assert_eq!(p.good.len(), 1);
        assert_eq!(p.good[0].1.postcode.as_str(), "SE1 7PB");
        let shown: Vec<String> = p.bad.iter().map(ToString::to_string).collect();
        assert!(
            shown
                .iter()
                .any(|s| s.starts_with("line 3, column Surname:")),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|s| s.starts_with("line 3, column E-mail Address:")),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|s| s.starts_with("line 3, column Post Code:")),
            "{shown:?}"
        );
        assert!(
            shown
                .iter()
                .any(|s| s
                    .contains("line 4, column Local Group: there is no branch called 'Atlantis'")),
            "{shown:?}"
        );
    }

    #[test]
    fn files_that_are_not_csv_are_refused_whole() {
        let err = parse_members(
            "x.png",
            &b"\x89PNG\r\n\x1a\n\0\0"[..],
            &lookup(),
            None,
            today(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("not a CSV text file"), "{err}");
        let err = parse_members(
            "x.txt",
            "hello world\nthis is prose\n".as_bytes(),
            &lookup(),
            None,
            today(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("has no first_name, last_name, email, postcode, branch column"),
            "{err}"
        );
    }

    #[test]
    fn future_join_dates_are_refused() {
        let csv = "first_name,last_name,email,postcode,branch,joined_on\nA,B,a@example.org,SE1 7PB,7,2099-01-01\n";
        let p = parse_members("t.csv", csv.as_bytes(), &lookup(), None, today()).unwrap();
        assert_eq!(p.bad.len(), 1);
        assert!(p.bad[0].reason.contains("future"));
    }
}
