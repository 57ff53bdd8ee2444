//! Bringing a register in: the operator's `charter import`, for an organisation moving from a
//! spreadsheet or another system. Rows arrive as text with their line (the CLI reads the
//! files); every rule is checked here — units, members, status histories through the state
//! machine, payments, past office holdings — and every problem is reported with its file,
//! line and field. Only a batch without a single problem is written, by the store, in one
//! transaction: an import is all there or not there at all.
//!
//! Members already in the register are changed only when the operator asks (`update`), and
//! then only as the register allows: never their email address (the member confirms a new
//! one themselves), never their join date, their status only by allowed steps with history.

mod history;
mod members;
mod offices;
mod units;

use std::collections::BTreeMap;

use charter_domain::{Email, MemberId};
use charter_store::{ImportBatch, ImportMatch, ImportWritten, NewEvent};
use serde_json::json;

use crate::{App, AppError, operator_actor};

/// The files of an import, in the order they are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImportFile {
    Units,
    Members,
    Statuses,
    Payments,
    Offices,
}

impl ImportFile {
    pub const ALL: [ImportFile; 5] = [
        ImportFile::Units,
        ImportFile::Members,
        ImportFile::Statuses,
        ImportFile::Payments,
        ImportFile::Offices,
    ];

    /// The file's usual name, as a folder given to `charter import organisation` holds it.
    pub fn file_name(self) -> &'static str {
        match self {
            ImportFile::Units => "units.csv",
            ImportFile::Members => "members.csv",
            ImportFile::Statuses => "statuses.csv",
            ImportFile::Payments => "payments.csv",
            ImportFile::Offices => "offices.csv",
        }
    }
}

/// A cell as read: `None` when the file has no such column, so "not given" and "left blank"
/// stay apart.
pub type Cell = Option<String>;

fn text(c: &Cell) -> &str {
    c.as_deref().map(str::trim).unwrap_or("")
}

/// A row of units.csv: a region or a branch.
#[derive(Debug, Clone, Default)]
pub struct RawUnit {
    pub line: u64,
    pub kind: Cell,
    pub name: Cell,
    pub parent: Cell,
    pub slug: Cell,
}

/// A row of members.csv.
#[derive(Debug, Clone, Default)]
pub struct RawMember {
    pub line: u64,
    pub member_number: Cell,
    pub first_name: Cell,
    pub last_name: Cell,
    pub email: Cell,
    pub phone: Cell,
    pub postcode: Cell,
    pub branch: Cell,
    pub joined_on: Cell,
    pub status: Cell,
    pub dues_plan: Cell,
}

/// A row of statuses.csv: one step of a member's status history.
#[derive(Debug, Clone, Default)]
pub struct RawStatus {
    pub line: u64,
    pub member_number: Cell,
    pub email: Cell,
    pub status: Cell,
    pub effective_on: Cell,
    pub reason: Cell,
}

/// A row of payments.csv: one dues payment.
#[derive(Debug, Clone, Default)]
pub struct RawPayment {
    pub line: u64,
    pub member_number: Cell,
    pub email: Cell,
    pub paid_on: Cell,
    pub amount: Cell,
    pub months: Cell,
}

/// A row of offices.csv: one past holding of an office.
#[derive(Debug, Clone, Default)]
pub struct RawOffice {
    pub line: u64,
    pub unit: Cell,
    pub office: Cell,
    pub member_number: Cell,
    pub email: Cell,
    pub starts_on: Cell,
    pub ends_on: Cell,
}

/// Everything an import was given.
#[derive(Debug, Clone, Default)]
pub struct RawImport {
    pub units: Vec<RawUnit>,
    pub members: Vec<RawMember>,
    pub statuses: Vec<RawStatus>,
    pub payments: Vec<RawPayment>,
    pub offices: Vec<RawOffice>,
    /// The name each file was given under (reasons and holdings name their source by it).
    pub names: BTreeMap<ImportFile, String>,
    /// The branch of new members when members.csv has no branch column (name, slug or id).
    pub default_branch: Option<String>,
    /// Whether rows may change members already in the register.
    pub update: bool,
}

impl RawImport {
    fn name(&self, file: ImportFile) -> &str {
        self.names
            .get(&file)
            .map_or(file.file_name(), String::as_str)
    }
}

/// One thing wrong with the input: its file, line (the header is line 1) and column, by our
/// column name (the CLI shows it as the file's header names it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub file: ImportFile,
    pub line: u64,
    pub field: Option<&'static str>,
    pub message: String,
}

#[derive(Debug, Default)]
struct Problems(Vec<ImportProblem>);

impl Problems {
    fn add(
        &mut self,
        file: ImportFile,
        line: u64,
        field: Option<&'static str>,
        message: impl Into<String>,
    ) {
        self.0.push(ImportProblem {
            file,
            line,
            field,
            message: message.into(),
        });
    }
}

/// A member already in the register whose row changes something, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateNote {
    pub file: ImportFile,
    pub line: u64,
    pub member: MemberId,
    /// In words: "last_name", "branch → Norwich", "status → lapsed", "2 payments".
    pub changes: Vec<String>,
}

/// What an import does (or would do, in a dry run).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub units_created: Vec<String>,
    pub units_already_there: usize,
    pub members_created: usize,
    pub numbers_kept: usize,
    pub status_changes: usize,
    pub payments: usize,
    pub updated: Vec<UpdateNote>,
    pub unchanged: usize,
    pub offices_created: usize,
    pub holdings: usize,
}

/// A checked import: written only when `problems` is empty.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    pub problems: Vec<ImportProblem>,
    pub report: ImportReport,
    pub batch: ImportBatch,
    events: Vec<NewEvent>,
}

/// Who a row of statuses, payments or offices names: their number, their email, or both.
#[derive(Debug, Clone)]
struct MemberKey {
    number: Option<MemberId>,
    email: Option<Email>,
}

/// Member numbers Charter accepts: what an old register's numbering is likely to use.
const MAX_MEMBER_NUMBER: i64 = 999_999_999;

fn parse_member_number(raw: &str) -> Result<MemberId, String> {
    let s = raw.trim();
    match s.parse::<i64>() {
        Ok(n) if (1..=MAX_MEMBER_NUMBER).contains(&n) && s.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(MemberId(n))
        }
        _ => Err(format!(
            "member number '{s}' is not a whole number from 1 to {MAX_MEMBER_NUMBER}"
        )),
    }
}

fn member_key(
    file: ImportFile,
    line: u64,
    number: &Cell,
    email: &Cell,
    p: &mut Problems,
) -> Option<MemberKey> {
    let mut ok = true;
    let number = match text(number) {
        "" => None,
        s => match parse_member_number(s) {
            Ok(n) => Some(n),
            Err(e) => {
                p.add(file, line, Some("member_number"), e);
                ok = false;
                None
            }
        },
    };
    let email = match text(email) {
        "" => None,
        s => match Email::parse(s) {
            Ok(e) => Some(e),
            Err(e) => {
                p.add(file, line, Some("email"), e.to_string());
                ok = false;
                None
            }
        },
    };
    if !ok {
        return None;
    }
    if number.is_none() && email.is_none() {
        p.add(
            file,
            line,
            Some("email"),
            "name the member: give their member_number or email",
        );
        return None;
    }
    Some(MemberKey { number, email })
}

impl App {
    /// Checks an import against the register as it stands, writing nothing: the plan carries
    /// every problem found, and what the import would do. The operator's command line only.
    pub async fn plan_import(&self, raw: &RawImport) -> Result<ImportPlan, AppError> {
        let today = self.today();
        let mut p = Problems::default();
        let existing_units = self.store.units().await?;
        let units = units::plan(&raw.units, &existing_units, &mut p);
        let default_branch = match raw.default_branch.as_deref() {
            None => None,
            Some(b) => Some(
                units
                    .lookup
                    .branch(b)
                    .map_err(|e| AppError::invalid("branch", e))?,
            ),
        };
        let rows = members::parse(&raw.members, &units.lookup, default_branch, &mut p);

        // What the register already holds for every member the files name.
        let mut emails: Vec<String> = Vec::new();
        let mut numbers: Vec<MemberId> = Vec::new();
        for r in &rows {
            emails.extend(r.email.iter().map(|e| e.as_str().to_string()));
            numbers.extend(r.number);
        }
        let keys = history::keys(raw, &mut p);
        for k in keys.all() {
            emails.extend(k.email.iter().map(|e| e.as_str().to_string()));
            numbers.extend(k.number);
        }
        emails.sort_unstable();
        emails.dedup();
        numbers.sort_unstable();
        numbers.dedup();
        let matches: Vec<ImportMatch> = self.store.import_matches(&emails, &numbers).await?;

        let mut register =
            members::resolve(rows, matches, raw.update, &units.lookup, today, &mut p);
        history::statuses(raw, &keys, &mut register, today, &mut p);
        register.fill_join_dates(today);
        history::payments(raw, &keys, &mut register, today, &mut p);
        register.settle(raw.name(ImportFile::Members), today, &mut p);
        let existing_offices = self.store.offices(None, today).await?;
        let existing_terms = self.store.office_terms(None).await?;
        let offices = offices::plan(
            raw,
            &keys,
            &register,
            &units.lookup,
            &existing_offices,
            &existing_terms,
            today,
            &mut p,
        );

        let mut report = ImportReport {
            units_created: units.new.iter().map(|u| u.name.clone()).collect(),
            units_already_there: units.already_there,
            offices_created: offices.offices.len(),
            holdings: offices.terms.len(),
            ..Default::default()
        };
        let (members, updates) = register.into_batch(&mut report);
        let batch = ImportBatch {
            units: units.new,
            members,
            updates,
            offices: offices.offices,
            terms: offices.terms,
        };
        let events = self.import_events(raw, &batch, &report);
        let mut problems = p.0;
        problems.sort_by_key(|x| (x.file, x.line));
        Ok(ImportPlan {
            problems,
            report,
            batch,
            events,
        })
    }

    /// Writes a checked import in one transaction; refused if the plan has any problem.
    /// `progress` hears how many of the batch's rows are written.
    pub async fn run_import(
        &self,
        plan: &ImportPlan,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<ImportWritten, AppError> {
        if !plan.problems.is_empty() {
            return Err(AppError::invalid(
                "import",
                format!(
                    "the import has {} problems; nothing was written",
                    plan.problems.len()
                ),
            ));
        }
        if plan.events.is_empty() {
            return Ok(ImportWritten::default());
        }
        let written = self
            .store
            .import_register(&plan.batch, &plan.events, progress)
            .await?;
        if !plan.batch.units.is_empty() {
            self.structure_changed().await;
        }
        Ok(written)
    }

    /// One event per kind of change, all by the operator, each naming the files.
    fn import_events(
        &self,
        raw: &RawImport,
        batch: &ImportBatch,
        report: &ImportReport,
    ) -> Vec<NewEvent> {
        let sources: Vec<&str> = ImportFile::ALL
            .iter()
            .filter(|f| !raw_rows_empty(raw, **f))
            .map(|f| raw.name(*f))
            .collect();
        let reason = format!("imported from {}", sources.join(", "));
        let mut events = Vec::new();
        let mut push = |kind: &str, payload: serde_json::Value| {
            events.push(self.event(operator_actor(), kind, "import".into(), payload, &reason));
        };
        if !batch.units.is_empty() {
            push(
                "import.units",
                json!({
                    "source": raw.name(ImportFile::Units),
                    "units": batch.units.iter().map(|u| json!({
                        "kind": u.kind.as_str(), "name": u.name, "slug": u.slug,
                    })).collect::<Vec<_>>(),
                }),
            );
        }
        if !batch.members.is_empty() {
            push(
                "import.members",
                json!({
                    "sources": sources,
                    "created": report.members_created,
                    "numbers_kept": report.numbers_kept,
                    "status_changes": batch.members.iter().map(|m| m.history.len()).sum::<usize>(),
                    "payments": batch.members.iter().map(|m| m.payments.len()).sum::<usize>(),
                }),
            );
        }
        if !batch.updates.is_empty() {
            push(
                "import.members_updated",
                json!({
                    "sources": sources,
                    "members": report.updated.iter().map(|u| json!({
                        "member": u.member.0, "changes": u.changes,
                    })).collect::<Vec<_>>(),
                }),
            );
        }
        if !batch.offices.is_empty() || !batch.terms.is_empty() {
            push(
                "import.offices",
                json!({
                    "source": raw.name(ImportFile::Offices),
                    "offices_created": batch.offices.len(),
                    "holdings": batch.terms.iter().map(|t| json!({
                        "starts_on": t.starts_on.to_string(), "ends_on": t.ends_on.to_string(),
                    })).collect::<Vec<_>>(),
                }),
            );
        }
        events
    }
}

fn raw_rows_empty(raw: &RawImport, file: ImportFile) -> bool {
    match file {
        ImportFile::Units => raw.units.is_empty(),
        ImportFile::Members => raw.members.is_empty(),
        ImportFile::Statuses => raw.statuses.is_empty(),
        ImportFile::Payments => raw.payments.is_empty(),
        ImportFile::Offices => raw.offices.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_numbers_are_whole_positive_numbers() {
        assert_eq!(parse_member_number(" 00123 "), Ok(MemberId(123)));
        assert_eq!(parse_member_number("999999999"), Ok(MemberId(999_999_999)));
        for bad in ["0", "-4", "+4", "12.0", "1e3", "M123", "1000000000", ""] {
            let e = parse_member_number(bad).unwrap_err();
            assert!(e.contains("is not a whole number"), "{bad}: {e}");
        }
    }
}
