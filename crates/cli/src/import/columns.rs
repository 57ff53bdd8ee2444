//! The columns of each import file, with the other names spreadsheets and membership systems
//! give them, and how a file's header maps onto them. Names are compared ignoring case,
//! spaces, dashes and underscores; columns may come in any order. docs/import.md lists them.

use std::collections::HashMap;

use charter_app::import::{
    Cell, ImportFile, RawImport, RawMember, RawOffice, RawPayment, RawStatus, RawUnit,
};

use crate::csv_in::{Row, Table};

/// A column we read: our name, then the other names accepted for it.
pub struct Column {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
}

const fn col(name: &'static str, aliases: &'static [&'static str]) -> Column {
    Column { name, aliases }
}

const MEMBER_NUMBER: Column = col(
    "member_number",
    &[
        "member no",
        "membership number",
        "membership no",
        "member id",
        "number",
    ],
);
const EMAIL: Column = col(
    "email",
    &["email address", "e-mail", "mail", "primary email"],
);

/// What a file must and may have.
pub struct Spec {
    pub columns: &'static [Column],
    pub required: &'static [&'static str],
    /// At least one of these (the member a row names: by number, by email or both).
    pub one_of: &'static [&'static str],
    /// Columns we write and know but do not read back (explained, not reported as unread).
    pub not_read: &'static [&'static str],
}

const UNITS: Spec = Spec {
    columns: &[
        col("kind", &["type", "unit type", "level"]),
        col("name", &["unit", "unit name"]),
        col("parent", &["parent unit", "region", "part of"]),
        col("slug", &["short name"]),
    ],
    required: &["kind", "name"],
    one_of: &[],
    not_read: &[],
};

const MEMBERS: Spec = Spec {
    columns: &[
        MEMBER_NUMBER,
        col(
            "first_name",
            &["firstname", "given name", "forename", "first"],
        ),
        col("last_name", &["lastname", "surname", "family name", "last"]),
        EMAIL,
        col(
            "phone",
            &["mobile", "phone number", "telephone", "mobile phone", "tel"],
        ),
        col("postcode", &["postal code", "zip", "zip code", "post code"]),
        col(
            "branch",
            &["branch name", "local group", "group", "chapter", "local"],
        ),
        col(
            "joined_on",
            &[
                "join date",
                "joined",
                "date joined",
                "member since",
                "start date",
            ],
        ),
        col("status", &["membership status", "member status", "state"]),
        col(
            "dues_plan",
            &["plan", "payment frequency", "frequency", "membership type"],
        ),
    ],
    required: &["first_name", "last_name", "email", "postcode"],
    one_of: &[],
    not_read: &["paid_up_until"],
};

const STATUSES: Spec = Spec {
    columns: &[
        MEMBER_NUMBER,
        EMAIL,
        col(
            "status",
            &[
                "membership status",
                "member status",
                "to status",
                "new status",
            ],
        ),
        col(
            "effective_on",
            &["date", "effective date", "effective", "changed on", "from"],
        ),
        col("reason", &["note", "notes", "comment"]),
    ],
    required: &["status", "effective_on"],
    one_of: &["member_number", "email"],
    not_read: &[],
};

const PAYMENTS: Spec = Spec {
    columns: &[
        MEMBER_NUMBER,
        EMAIL,
        col("paid_on", &["date", "payment date", "paid", "date paid"]),
        col("amount", &["amount paid", "sum", "value"]),
        col("months", &["months covered", "period", "period months"]),
    ],
    required: &["paid_on", "amount"],
    one_of: &["member_number", "email"],
    not_read: &[],
};

const OFFICES: Spec = Spec {
    columns: &[
        col("unit", &["branch", "region", "unit name"]),
        col("office", &["role", "position", "post"]),
        MEMBER_NUMBER,
        EMAIL,
        col("starts_on", &["start", "start date", "from", "term start"]),
        col("ends_on", &["end", "end date", "until", "to", "term end"]),
    ],
    required: &["unit", "office", "starts_on", "ends_on"],
    one_of: &["member_number", "email"],
    not_read: &[],
};

pub fn spec(file: ImportFile) -> &'static Spec {
    match file {
        ImportFile::Units => &UNITS,
        ImportFile::Members => &MEMBERS,
        ImportFile::Statuses => &STATUSES,
        ImportFile::Payments => &PAYMENTS,
        ImportFile::Offices => &OFFICES,
    }
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A file's header against its spec: where each of our columns is.
#[derive(Debug, Clone)]
pub struct Mapped {
    pub header: Vec<String>,
    index: HashMap<&'static str, usize>,
    /// Columns the import does not read: (0-based index, name).
    pub unread: Vec<(usize, String)>,
}

impl Mapped {
    /// How a problem names the column: as the file's header does, with its number.
    pub fn column(&self, field: &str) -> String {
        match self.index.get(field) {
            Some(i) => format!("column {} ({})", self.header[*i], i + 1),
            None => format!("column {field}"),
        }
    }

    /// Takes the row's value for our column `name` (`None` when the file has no such column).
    fn take(&self, row: &mut Row, name: &str) -> Cell {
        self.index.get(name).map(|i| {
            row.cells
                .get_mut(*i)
                .map(std::mem::take)
                .unwrap_or_default()
        })
    }

    pub fn has(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }
}

/// Maps the header, or says which columns are missing or given twice.
pub fn map_header(
    spec: &Spec,
    header: &[String],
    also_required: &[&'static str],
) -> Result<Mapped, Vec<String>> {
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    let mut unread = Vec::new();
    let mut problems = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let key = squash(h);
        let found = spec
            .columns
            .iter()
            .find(|c| squash(c.name) == key || c.aliases.iter().any(|a| squash(a) == key));
        match found {
            Some(c) => {
                if let Some(first) = index.insert(c.name, i) {
                    index.insert(c.name, first);
                    problems.push(format!(
                        "columns {} ({}) and {} ({}) both give {}: keep one",
                        header[first],
                        first + 1,
                        h,
                        i + 1,
                        c.name
                    ));
                }
            }
            None if spec.not_read.iter().any(|n| squash(n) == key) || key.is_empty() => {}
            None => unread.push((i, h.clone())),
        }
    }
    let missing: Vec<&str> = spec
        .required
        .iter()
        .chain(also_required)
        .copied()
        .filter(|c| !index.contains_key(c))
        .collect();
    if !missing.is_empty() {
        problems.push(format!(
            "the header has no {} column (it has: {})",
            missing.join(", "),
            header.join(", ")
        ));
    }
    if !spec.one_of.is_empty() && !spec.one_of.iter().any(|c| index.contains_key(c)) {
        problems.push(format!(
            "the header has no {} column: each row names its member by one of them",
            spec.one_of.join(" or ")
        ));
    }
    if problems.is_empty() {
        Ok(Mapped {
            header: header.to_vec(),
            index,
            unread,
        })
    } else {
        Err(problems)
    }
}

/// Puts a mapped file's rows into the import, moving each value (no copies: a register's
/// payments run to millions of values).
pub fn add_rows(raw: &mut RawImport, file: ImportFile, m: &Mapped, t: Table) {
    let mut rows = t.rows;
    let c = |row: &mut Row, name: &str| m.take(row, name);
    match file {
        ImportFile::Units => {
            raw.units = rows
                .iter_mut()
                .map(|r| RawUnit {
                    line: r.line,
                    kind: c(r, "kind"),
                    name: c(r, "name"),
                    parent: c(r, "parent"),
                    slug: c(r, "slug"),
                })
                .collect()
        }
        ImportFile::Members => {
            raw.members = rows
                .iter_mut()
                .map(|r| RawMember {
                    line: r.line,
                    member_number: c(r, "member_number"),
                    first_name: c(r, "first_name"),
                    last_name: c(r, "last_name"),
                    email: c(r, "email"),
                    phone: c(r, "phone"),
                    postcode: c(r, "postcode"),
                    branch: c(r, "branch"),
                    joined_on: c(r, "joined_on"),
                    status: c(r, "status"),
                    dues_plan: c(r, "dues_plan"),
                })
                .collect()
        }
        ImportFile::Statuses => {
            raw.statuses = rows
                .iter_mut()
                .map(|r| RawStatus {
                    line: r.line,
                    member_number: c(r, "member_number"),
                    email: c(r, "email"),
                    status: c(r, "status"),
                    effective_on: c(r, "effective_on"),
                    reason: c(r, "reason"),
                })
                .collect()
        }
        ImportFile::Payments => {
            raw.payments = rows
                .iter_mut()
                .map(|r| RawPayment {
                    line: r.line,
                    member_number: c(r, "member_number"),
                    email: c(r, "email"),
                    paid_on: c(r, "paid_on"),
                    amount: c(r, "amount"),
                    months: c(r, "months"),
                })
                .collect()
        }
        ImportFile::Offices => {
            raw.offices = rows
                .iter_mut()
                .map(|r| RawOffice {
                    line: r.line,
                    unit: c(r, "unit"),
                    office: c(r, "office"),
                    member_number: c(r, "member_number"),
                    email: c(r, "email"),
                    starts_on: c(r, "starts_on"),
                    ends_on: c(r, "ends_on"),
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(s: &str) -> Vec<String> {
        s.split(',').map(String::from).collect()
    }

    #[test]
    fn crm_headers_are_understood_in_any_order() {
        let m = map_header(
            &MEMBERS,
            &header("E-mail Address,Surname,First Name,Post Code,Local Group,Member Since,Notes"),
            &[],
        )
        .unwrap();
        assert_eq!(m.column("email"), "column E-mail Address (1)");
        assert_eq!(m.column("last_name"), "column Surname (2)");
        assert_eq!(m.column("joined_on"), "column Member Since (6)");
        assert_eq!(m.column("phone"), "column phone", "absent: our name");
        assert_eq!(m.unread, [(6, "Notes".to_string())]);
    }

    #[test]
    fn missing_and_doubled_columns_are_named() {
        let e = map_header(
            &MEMBERS,
            &header("email,Email Address,first_name"),
            &["branch"],
        )
        .unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(
            e[0].contains("columns email (1) and Email Address (2) both give email"),
            "{e:?}"
        );
        assert!(
            e[1].starts_with("the header has no last_name, postcode, branch column"),
            "{e:?}"
        );
        let e = map_header(&PAYMENTS, &header("paid_on,amount"), &[]).unwrap_err();
        assert!(e[0].contains("no member_number or email column"), "{e:?}");
    }
}
