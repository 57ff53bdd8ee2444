//! offices.csv: who held the organisation's offices before it moved to Charter. Each holding
//! is a record of the past — it has ended before the import — and says which file it came
//! from and when: current officers take office by the constitution's procedure, so an
//! import never grants anyone a power.

use std::collections::HashMap;

use charter_domain::{OfficeId, OfficeKind, parse_date};
use charter_store::{
    ImportOffice, ImportTerm, MemberRef, OfficeRecord, OfficeRef, OfficeTermRecord, UnitRef,
};
use chrono::NaiveDate;

use super::history::Keys;
use super::members::{Register, Target};
use super::units::UnitLookup;
use super::{ImportFile, Problems, RawImport, text};

const FILE: ImportFile = ImportFile::Offices;

pub(super) struct OfficesPlan {
    pub offices: Vec<ImportOffice>,
    pub terms: Vec<ImportTerm>,
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// An office by its name as Charter writes it ("membership-officer") or its title
/// ("Membership officer"), ignoring case, spaces, dashes and underscores.
pub(super) fn office_kind(raw: &str) -> Result<OfficeKind, String> {
    let wanted = squash(raw);
    OfficeKind::ALL
        .into_iter()
        .find(|k| squash(k.as_str()) == wanted || squash(k.title()) == wanted)
        .ok_or_else(|| {
            let names: Vec<&str> = OfficeKind::ALL.iter().map(|k| k.as_str()).collect();
            format!("office '{}' is not one of {}", raw.trim(), names.join(", "))
        })
}

#[allow(clippy::too_many_arguments)]
pub(super) fn plan(
    raw: &RawImport,
    keys: &Keys,
    reg: &Register,
    units: &UnitLookup,
    existing_offices: &[OfficeRecord],
    existing_terms: &[OfficeTermRecord],
    today: NaiveDate,
    p: &mut Problems,
) -> OfficesPlan {
    let source = format!("{}, imported {today}", raw.name(FILE));
    // A new member's place among the members the batch creates (rows with problems are not).
    let mut batch_index = Vec::with_capacity(reg.new.len());
    let mut n = 0;
    for slot in &reg.new {
        batch_index.push(slot.member.is_some().then_some(n));
        n += usize::from(slot.member.is_some());
    }
    let mut out = OfficesPlan {
        offices: Vec::new(),
        terms: Vec::new(),
    };
    let mut created: HashMap<(UnitRef, OfficeKind), usize> = HashMap::new();
    // Per office: (line, starts, ends) of each holding in the file.
    let mut spans: HashMap<OfficeRef, Vec<(u64, NaiveDate, NaiveDate)>> = HashMap::new();
    let mut order: Vec<OfficeRef> = Vec::new();
    for (r, key) in raw.offices.iter().zip(&keys.offices) {
        let unit = match text(&r.unit) {
            "" => {
                p.add(
                    FILE,
                    r.line,
                    Some("unit"),
                    "unit is required: the unit whose office it is",
                );
                None
            }
            u => match units.find(u) {
                Ok((u, _, _)) => Some(u),
                Err(e) => {
                    p.add(FILE, r.line, Some("unit"), e);
                    None
                }
            },
        };
        let kind = match text(&r.office) {
            "" => {
                p.add(FILE, r.line, Some("office"), "office is required");
                None
            }
            o => match office_kind(o) {
                Ok(k) => Some(k),
                Err(e) => {
                    p.add(FILE, r.line, Some("office"), e);
                    None
                }
            },
        };
        let date = |field: &'static str, label: &str, cell: &Option<String>, p: &mut Problems| {
            match parse_date(label, text(cell)) {
                Ok(d) => Some(d),
                Err(e) => {
                    p.add(FILE, r.line, Some(field), e.to_string());
                    None
                }
            }
        };
        let starts = date("starts_on", "start date", &r.starts_on, p);
        let ends = date("ends_on", "end date", &r.ends_on, p);
        if let (Some(s), Some(e)) = (starts, ends) {
            if e < s {
                p.add(
                    FILE,
                    r.line,
                    Some("ends_on"),
                    format!("the term ends on {e}, before it starts on {s}"),
                );
                continue;
            }
            if e >= today {
                p.add(
                    FILE,
                    r.line,
                    Some("ends_on"),
                    format!(
                        "the term runs to {e}: an import records the organisation's past, and current officers take office by the constitution's procedure (an election, or an appointment at a meeting)"
                    ),
                );
                continue;
            }
        }
        let Some(key) = key else { continue };
        let holder = match reg.target(key) {
            Ok(t) => t,
            Err((field, message)) => {
                p.add(FILE, r.line, Some(field), message);
                continue;
            }
        };
        let (Some(unit), Some(kind), Some(starts), Some(ends)) = (unit, kind, starts, ends) else {
            continue;
        };
        if let Some(joined) = reg.joined_on(holder)
            && starts < joined
        {
            p.add(
                FILE,
                r.line,
                Some("starts_on"),
                format!(
                    "{} joined on {joined}, after this term began ({starts})",
                    reg.label(holder)
                ),
            );
            continue;
        }
        let member = match holder {
            Target::Existing(id) => MemberRef::Existing(id),
            Target::New(i) => match batch_index[i] {
                Some(b) => MemberRef::New(b),
                None => continue,
            },
        };
        let existing_office = match unit {
            UnitRef::Existing(u) => existing_offices
                .iter()
                .find(|o| o.unit == u && o.kind == kind)
                .map(|o| o.id),
            UnitRef::New(_) => None,
        };
        let office = match existing_office {
            Some(id) => OfficeRef::Existing(id),
            None => OfficeRef::New(*created.entry((unit, kind)).or_insert_with(|| {
                out.offices.push(ImportOffice { unit, kind });
                out.offices.len() - 1
            })),
        };
        // The same holding, already recorded: an import run again adds nothing.
        if let (OfficeRef::Existing(o), MemberRef::Existing(m)) = (office, member)
            && existing_terms.iter().any(|t| {
                t.office == o
                    && t.member == m
                    && t.term.starts_on == starts
                    && t.term.ends_on == Some(ends)
            })
        {
            continue;
        }
        if !spans.contains_key(&office) {
            order.push(office);
        }
        spans
            .entry(office)
            .or_default()
            .push((r.line, starts, ends));
        out.terms.push(ImportTerm {
            office,
            member,
            starts_on: starts,
            ends_on: ends,
            imported_from: source.clone(),
        });
    }
    for office in order {
        let mut list = spans.remove(&office).unwrap_or_default();
        list.sort_by_key(|(_, s, _)| *s);
        for pair in list.windows(2) {
            let ((l1, s1, e1), (l2, s2, _)) = (pair[0], pair[1]);
            if s2 <= e1 {
                p.add(
                    FILE,
                    l2,
                    Some("starts_on"),
                    format!(
                        "this term, from {s2}, overlaps the term on line {l1} ({s1} to {e1}): an office has one holder at a time"
                    ),
                );
            }
        }
        let OfficeRef::Existing(id) = office else {
            continue;
        };
        for (line, s, e) in &list {
            if let Some(t) = overlapping(existing_terms, id, *s, *e) {
                p.add(
                    FILE,
                    *line,
                    Some("starts_on"),
                    format!(
                        "this term overlaps {}'s (member {}) from {}{} in the register: an office has one holder at a time",
                        t.member_name,
                        t.member,
                        t.term.starts_on,
                        t.term.ends_on.map(|d| format!(" to {d}")).unwrap_or_default()
                    ),
                );
            }
        }
    }
    out
}

fn overlapping(
    terms: &[OfficeTermRecord],
    office: OfficeId,
    starts: NaiveDate,
    ends: NaiveDate,
) -> Option<&OfficeTermRecord> {
    terms.iter().find(|t| {
        t.office == office && t.term.starts_on <= ends && t.term.ends_on.is_none_or(|e| starts <= e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offices_are_named_as_charter_writes_them_or_by_title() {
        assert_eq!(office_kind("secretary"), Ok(OfficeKind::Secretary));
        assert_eq!(
            office_kind("Membership Officer"),
            Ok(OfficeKind::MembershipOfficer)
        );
        assert_eq!(
            office_kind("data_protection_officer"),
            Ok(OfficeKind::DataProtectionOfficer)
        );
        let e = office_kind("President").unwrap_err();
        assert!(e.contains("not one of chair, secretary"), "{e}");
    }
}
