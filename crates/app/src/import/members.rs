//! members.csv: who is new, who is already in the register (matched by email or member
//! number), and what a row would change about them.

use std::collections::HashMap;

use charter_domain::{
    Email, MemberChanges, MemberId, MemberStatus, NewMember, Payment, RawMemberChanges,
    RawNewMember, UnitId, parse_date,
};
use charter_store::{
    ImportMatch, ImportMember, ImportMove, ImportUpdate, StatusChangeInput, UnitRef,
};
use chrono::NaiveDate;

use super::units::UnitLookup;
use super::{
    ImportFile, ImportReport, MemberKey, Problems, RawMember, UpdateNote, parse_member_number, text,
};

const FILE: ImportFile = ImportFile::Members;

/// A members.csv row, before it is known whether it is someone new.
pub(super) struct Row {
    pub line: u64,
    pub number: Option<MemberId>,
    pub email: Option<Email>,
    raw: RawMember,
    branch: Result<Option<UnitRef>, String>,
}

/// Reads the identifying cells of members.csv and finds duplicates within it.
pub(super) fn parse(
    rows: &[RawMember],
    units: &UnitLookup,
    default_branch: Option<UnitRef>,
    p: &mut Problems,
) -> Vec<Row> {
    let mut out = Vec::with_capacity(rows.len());
    let mut emails: HashMap<String, u64> = HashMap::with_capacity(rows.len());
    let mut numbers: HashMap<i64, u64> = HashMap::new();
    for r in rows {
        let email = match Email::parse(text(&r.email)) {
            Ok(e) => Some(e),
            Err(e) => {
                p.add(FILE, r.line, Some("email"), e.to_string());
                None
            }
        };
        let number = match text(&r.member_number) {
            "" => None,
            s => match parse_member_number(s) {
                Ok(n) => Some(n),
                Err(e) => {
                    p.add(FILE, r.line, Some("member_number"), e);
                    None
                }
            },
        };
        // Reported once it is known whether the row is someone new: a member already in the
        // register may name the unit they are in, whatever its kind.
        let branch = match (r.branch.as_ref().map(|b| b.trim()), default_branch) {
            (Some(b), _) if !b.is_empty() => units.branch(b).map(Some),
            (_, Some(d)) => Ok(Some(d)),
            // Blank: a new member needs one (checked when it is known they are new).
            _ => Ok(None),
        };
        let mut duplicate = false;
        if let Some(e) = &email
            && let Some(first) = emails.insert(e.as_str().to_string(), r.line)
        {
            emails.insert(e.as_str().to_string(), first);
            p.add(
                FILE,
                first,
                Some("email"),
                format!("{e} is also on line {}: each member is listed once", r.line),
            );
            p.add(
                FILE,
                r.line,
                Some("email"),
                format!("{e} is also on line {first}: each member is listed once"),
            );
            duplicate = true;
        }
        if let Some(n) = number
            && let Some(first) = numbers.insert(n.0, r.line)
        {
            numbers.insert(n.0, first);
            p.add(
                FILE,
                first,
                Some("member_number"),
                format!("member number {n} is also on line {}", r.line),
            );
            p.add(
                FILE,
                r.line,
                Some("member_number"),
                format!("member number {n} is also on line {first}"),
            );
            duplicate = true;
        }
        if !duplicate {
            out.push(Row {
                line: r.line,
                number,
                email,
                raw: r.clone(),
                branch,
            });
        }
    }
    out
}

/// A member the import creates.
pub(super) struct NewSlot {
    pub line: u64,
    pub number: Option<MemberId>,
    /// `None` when the row has problems (reported): rows naming them are then not checked
    /// further, so one mistake is reported once.
    pub member: Option<NewMember>,
    pub branch: UnitRef,
    pub joined_given: bool,
    pub status_given: bool,
    pub history: Vec<(u64, StatusChangeInput)>,
    pub payments: Vec<Payment>,
}

/// A member already in the register that the files name.
pub(super) struct ExistingSlot {
    pub m: ImportMatch,
    /// Their line in members.csv, if they are listed there.
    pub line: Option<u64>,
    pub changes: MemberChanges,
    pub changed: Vec<String>,
    pub moved: Option<ImportMove>,
    /// The status members.csv gives, when it differs from theirs.
    pub wanted_status: Option<MemberStatus>,
    pub history: Vec<StatusChangeInput>,
    pub payments: Vec<Payment>,
    /// Where a change to them was first asked for, for the report.
    pub first_touch: Option<(ImportFile, u64)>,
}

/// Whom a row names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Target {
    New(usize),
    Existing(MemberId),
}

/// The members the import creates and those it names who are already in the register.
pub(super) struct Register {
    pub new: Vec<NewSlot>,
    new_by_email: HashMap<String, usize>,
    new_by_number: HashMap<i64, usize>,
    pub existing: HashMap<MemberId, ExistingSlot>,
    existing_by_email: HashMap<String, MemberId>,
    pub update: bool,
}

impl Register {
    /// Whom `key` names, or why it names nobody (with the field at fault).
    pub fn target(&self, key: &MemberKey) -> Result<Target, (&'static str, String)> {
        let by_number = key.number.map(|n| {
            self.new_by_number
                .get(&n.0)
                .map(|i| Target::New(*i))
                .or_else(|| {
                    self.existing
                        .contains_key(&n)
                        .then_some(Target::Existing(n))
                })
        });
        let by_email = key.email.as_ref().map(|e| {
            self.new_by_email
                .get(e.as_str())
                .map(|i| Target::New(*i))
                .or_else(|| {
                    self.existing_by_email
                        .get(e.as_str())
                        .map(|m| Target::Existing(*m))
                })
        });
        match (by_number, by_email) {
            (Some(None), _) => Err((
                "member_number",
                format!(
                    "there is no member {} in members.csv or the register",
                    key.number.map(|n| n.0).unwrap_or_default()
                ),
            )),
            (_, Some(None)) => Err((
                "email",
                format!(
                    "there is no member with the email {} in members.csv or the register",
                    key.email.as_ref().map(Email::as_str).unwrap_or_default()
                ),
            )),
            (Some(Some(a)), Some(Some(b))) if a != b => Err((
                "email",
                format!(
                    "member number {} and {} are two different members",
                    key.number.map(|n| n.0).unwrap_or_default(),
                    key.email.as_ref().map(Email::as_str).unwrap_or_default()
                ),
            )),
            (Some(Some(t)), _) | (_, Some(Some(t))) => Ok(t),
            (None, None) => Err((
                "email",
                "name the member: give their member_number or email".into(),
            )),
        }
    }

    /// The date a member joined, when known.
    pub fn joined_on(&self, t: Target) -> Option<NaiveDate> {
        match t {
            Target::New(i) => self.new[i].member.as_ref().map(|m| m.joined_on),
            Target::Existing(id) => self.existing.get(&id).map(|s| s.m.record.joined_on),
        }
    }

    pub fn label(&self, t: Target) -> String {
        match t {
            Target::New(i) => self.new[i].member.as_ref().map_or_else(
                || format!("the member on line {}", self.new[i].line),
                |m| m.email.to_string(),
            ),
            Target::Existing(id) => format!("member {id}"),
        }
    }

    /// New members whose join date neither members.csv nor statuses.csv gives join today.
    pub fn fill_join_dates(&mut self, today: NaiveDate) {
        for slot in &mut self.new {
            if let Some(m) = slot.member.as_mut()
                && !slot.joined_given
                && slot.history.is_empty()
            {
                m.joined_on = today;
            }
        }
    }

    /// Finishes every member's history once statuses.csv and payments.csv are read: a
    /// member without history gets one entry, their status on joining; a status given in
    /// members.csv must agree with the history, or (for a member already in the register)
    /// becomes a change today through the state machine.
    pub fn settle(&mut self, source: &str, today: NaiveDate, p: &mut Problems) {
        let reason = format!("imported from {source}");
        for slot in &mut self.new {
            let Some(m) = slot.member.as_mut() else {
                continue;
            };
            match slot.history.last() {
                None => slot.history.push((
                    slot.line,
                    StatusChangeInput {
                        from: None,
                        to: m.status,
                        effective_on: m.joined_on,
                        reason: reason.clone(),
                        changed_by: None,
                    },
                )),
                Some((line, last)) => {
                    if slot.status_given && last.to != m.status {
                        p.add(
                            FILE,
                            slot.line,
                            Some("status"),
                            format!(
                                "status is {} but the last status in statuses.csv (line {line}) is {}",
                                m.status, last.to
                            ),
                        );
                    }
                    m.status = last.to;
                }
            }
        }
        for slot in self.existing.values_mut() {
            let Some(wanted) = slot.wanted_status else {
                continue;
            };
            let line = slot.line.unwrap_or_default();
            match slot.history.last() {
                Some(last) if last.to != wanted => p.add(
                    FILE,
                    line,
                    Some("status"),
                    format!(
                        "status is {wanted} but the last status statuses.csv adds for member {} is {}",
                        slot.m.record.id, last.to
                    ),
                ),
                Some(_) => {}
                None => match slot.m.record.status.transition(wanted) {
                    Ok(_) => {
                        slot.history.push(StatusChangeInput {
                            from: Some(slot.m.record.status),
                            to: wanted,
                            effective_on: today,
                            reason: reason.clone(),
                            changed_by: None,
                        });
                        slot.changed.push(format!("status → {wanted}"));
                    }
                    Err(e) => p.add(FILE, line, Some("status"), format!("member {}: {e}", slot.m.record.id)),
                },
            }
        }
    }

    /// The batch's members and updates, counting what the report says.
    pub fn into_batch(self, report: &mut ImportReport) -> (Vec<ImportMember>, Vec<ImportUpdate>) {
        let mut members = Vec::with_capacity(self.new.len());
        for slot in self.new {
            let Some(member) = slot.member else { continue };
            report.members_created += 1;
            report.numbers_kept += usize::from(slot.number.is_some());
            report.status_changes += slot.history.len();
            report.payments += slot.payments.len();
            members.push(ImportMember {
                number: slot.number,
                member,
                branch: slot.branch,
                history: slot.history.into_iter().map(|(_, h)| h).collect(),
                payments: slot.payments,
            });
        }
        let mut slots: Vec<ExistingSlot> = self.existing.into_values().collect();
        slots.sort_by_key(|s| s.m.record.id);
        let mut updates = Vec::new();
        for mut s in slots {
            if !s.history.is_empty() && !s.changed.iter().any(|c| c.starts_with("status")) {
                s.changed.push(count(s.history.len(), "status change"));
            }
            if !s.payments.is_empty() {
                s.changed.push(count(s.payments.len(), "payment"));
            }
            if s.changed.is_empty() {
                if s.line.is_some() {
                    report.unchanged += 1;
                }
                continue;
            }
            report.status_changes += s.history.len();
            report.payments += s.payments.len();
            let (file, line) = s
                .first_touch
                .or(s.line.map(|l| (FILE, l)))
                .unwrap_or((FILE, 0));
            report.updated.push(UpdateNote {
                file,
                line,
                member: s.m.record.id,
                changes: s.changed,
            });
            updates.push(ImportUpdate {
                member: s.m.record.id,
                expected_status: s.m.record.status,
                changes: s.changes,
                moved: s.moved,
                history: s.history,
                payments: s.payments,
            });
        }
        report.updated.sort_by_key(|u| (u.file, u.line));
        (members, updates)
    }
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Decides for each members.csv row whether it is someone new or someone already in the
/// register (by email or member number), and checks it as that.
pub(super) fn resolve(
    rows: Vec<Row>,
    matches: Vec<ImportMatch>,
    update: bool,
    units: &UnitLookup,
    today: NaiveDate,
    p: &mut Problems,
) -> Register {
    let mut reg = Register {
        new: Vec::new(),
        new_by_email: HashMap::new(),
        new_by_number: HashMap::new(),
        existing_by_email: matches
            .iter()
            .map(|m| (m.record.email.clone(), m.record.id))
            .collect(),
        existing: matches
            .into_iter()
            .map(|m| {
                (
                    m.record.id,
                    ExistingSlot {
                        m,
                        line: None,
                        changes: MemberChanges::default(),
                        changed: Vec::new(),
                        moved: None,
                        wanted_status: None,
                        history: Vec::new(),
                        payments: Vec::new(),
                        first_touch: None,
                    },
                )
            })
            .collect(),
        update,
    };
    for row in rows {
        let by_email = row
            .email
            .as_ref()
            .and_then(|e| reg.existing_by_email.get(e.as_str()).copied());
        let by_number = row.number.filter(|n| reg.existing.contains_key(n));
        let matched = match (by_email, by_number, row.number) {
            (Some(a), Some(b), _) if a != b => {
                p.add(
                    FILE,
                    row.line,
                    Some("member_number"),
                    format!(
                        "{} is member {a} in the register, and member {b} is someone else: an import does not renumber members",
                        row.email.as_ref().map(Email::as_str).unwrap_or_default()
                    ),
                );
                continue;
            }
            (Some(a), None, Some(n)) => {
                p.add(
                    FILE,
                    row.line,
                    Some("member_number"),
                    format!(
                        "{} is member {a} in the register, not {n}: an import does not renumber members",
                        row.email.as_ref().map(Email::as_str).unwrap_or_default()
                    ),
                );
                continue;
            }
            (None, Some(b), _) if row.email.is_some() => {
                p.add(
                    FILE,
                    row.line,
                    Some("email"),
                    format!(
                        "member {b} has another email address in the register: an import does not change a member's email (the member confirms a new address themselves)"
                    ),
                );
                continue;
            }
            (Some(a), _, _) | (None, Some(a), _) => Some(a),
            (None, None, _) => None,
        };
        match matched {
            Some(id) => {
                if !update {
                    let (field, how) = if by_email.is_some() {
                        ("email", "by email")
                    } else {
                        ("member_number", "by number")
                    };
                    p.add(
                        FILE,
                        row.line,
                        Some(field),
                        format!(
                            "this row matches member {id}, already in the register ({how}): give --update to update members already there"
                        ),
                    );
                    continue;
                }
                update_row(&mut reg, id, &row, units, today, p);
            }
            None => new_row(&mut reg, row, today, p),
        }
    }
    reg
}

fn new_row(reg: &mut Register, row: Row, today: NaiveDate, p: &mut Problems) {
    let r = &row.raw;
    let joined = text(&r.joined_on);
    let status = text(&r.status);
    let raw = RawNewMember {
        first_name: text(&r.first_name).into(),
        last_name: text(&r.last_name).into(),
        email: text(&r.email).into(),
        phone: text(&r.phone).into(),
        postcode: text(&r.postcode).into(),
        // A blank join date is filled in from statuses.csv, or else today: checked later.
        joined_on: if joined.is_empty() {
            "2000-01-01".into()
        } else {
            joined.into()
        },
        status: status.into(),
        dues_plan: text(&r.dues_plan).into(),
    };
    let mut ok = true;
    let branch = match &row.branch {
        Ok(Some(b)) => Some(*b),
        Ok(None) => {
            p.add(
                FILE,
                row.line,
                Some("branch"),
                "branch is required for a new member",
            );
            ok = false;
            None
        }
        Err(e) => {
            p.add(FILE, row.line, Some("branch"), e.clone());
            ok = false;
            None
        }
    };
    let member = match NewMember::parse(&raw, UnitId(0)) {
        Ok(m) if !joined.is_empty() && m.joined_on > today => {
            p.add(
                FILE,
                row.line,
                Some("joined_on"),
                format!("join date {} is in the future", m.joined_on),
            );
            None
        }
        Ok(m) => Some(m),
        Err(errs) => {
            for (field, reason) in errs.0 {
                // The email was reported when the row was first read.
                if field != "email" {
                    p.add(FILE, row.line, field_name(&field), reason);
                }
            }
            None
        }
    };
    let index = reg.new.len();
    if let Some(e) = &row.email {
        reg.new_by_email.insert(e.as_str().to_string(), index);
    }
    if let Some(n) = row.number {
        reg.new_by_number.insert(n.0, index);
    }
    reg.new.push(NewSlot {
        line: row.line,
        number: row.number,
        member: member.filter(|_| ok).map(|mut m| {
            if joined.is_empty() {
                m.joined_on = NaiveDate::MIN;
            }
            m
        }),
        branch: branch.unwrap_or(UnitRef::Existing(UnitId(0))),
        joined_given: !joined.is_empty(),
        status_given: !status.is_empty(),
        history: Vec::new(),
        payments: Vec::new(),
    });
}

/// Our column names, as `'static` for problems.
pub(super) fn field_name(field: &str) -> Option<&'static str> {
    [
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
    ]
    .into_iter()
    .find(|f| *f == field)
}

fn update_row(
    reg: &mut Register,
    id: MemberId,
    row: &Row,
    units: &UnitLookup,
    today: NaiveDate,
    p: &mut Problems,
) {
    let r = &row.raw;
    let Some(slot) = reg.existing.get_mut(&id) else {
        return;
    };
    slot.line = Some(row.line);
    let cur = &slot.m.record;
    // A blank cell leaves the field as the register has it.
    let given = |c: &Option<String>| {
        let t = text(c);
        (!t.is_empty()).then(|| t.to_string())
    };
    let raw = RawMemberChanges {
        first_name: given(&r.first_name),
        last_name: given(&r.last_name),
        email: None,
        phone: given(&r.phone),
        postcode: given(&r.postcode),
        dues_plan: given(&r.dues_plan),
    };
    let mut changes = match MemberChanges::parse(&raw) {
        Ok(c) => c,
        Err(errs) => {
            for (field, reason) in errs.0 {
                p.add(FILE, row.line, field_name(&field), reason);
            }
            return;
        }
    };
    let mut changed = Vec::new();
    if changes
        .first_name
        .as_ref()
        .is_some_and(|v| v.as_str() == cur.first_name)
    {
        changes.first_name = None;
    }
    if changes
        .last_name
        .as_ref()
        .is_some_and(|v| v.as_str() == cur.last_name)
    {
        changes.last_name = None;
    }
    if changes
        .phone
        .as_ref()
        .is_some_and(|v| v.as_ref().map(|p| p.as_str()) == cur.phone.as_deref())
    {
        changes.phone = None;
    }
    if changes
        .postcode
        .as_ref()
        .is_some_and(|v| v.as_str() == cur.postcode)
    {
        changes.postcode = None;
    }
    if changes.dues_plan == Some(cur.dues_plan) {
        changes.dues_plan = None;
    }
    for (name, differs) in [
        ("first_name", changes.first_name.is_some()),
        ("last_name", changes.last_name.is_some()),
        ("phone", changes.phone.is_some()),
        ("postcode", changes.postcode.is_some()),
        ("dues_plan", changes.dues_plan.is_some()),
    ] {
        if differs {
            changed.push(name.to_string());
        }
    }
    if let Some(j) = given(&r.joined_on) {
        match parse_date("joined on", &j) {
            Ok(d) if d != cur.joined_on => p.add(
                FILE,
                row.line,
                Some("joined_on"),
                format!(
                    "member {id} joined on {} in the register: an import does not change a join date",
                    cur.joined_on
                ),
            ),
            Ok(_) => {}
            Err(e) => p.add(FILE, row.line, Some("joined_on"), e.to_string()),
        }
    }
    // Only a branch the row names moves them: --branch is for new members. The unit they
    // are in, named as the register names it, is no change (whatever its kind).
    let named = given(&r.branch).filter(|b| {
        b.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
            != cur.branch_name.to_lowercase()
    });
    let target = match (&named, &row.branch) {
        (Some(_), Ok(b)) => *b,
        (Some(_), Err(e)) => {
            p.add(FILE, row.line, Some("branch"), e.clone());
            None
        }
        (None, _) => None,
    };
    if let Some(b) = target
        && b != UnitRef::Existing(cur.branch)
    {
        let name = match b {
            UnitRef::Existing(u) => u.to_string(),
            UnitRef::New(_) => String::new(),
        };
        let shown = units
            .find(text(&r.branch))
            .map(|(_, _, n)| n)
            .unwrap_or(name);
        changed.push(format!("branch → {shown}"));
        slot.moved = Some(ImportMove {
            from: cur.branch,
            to: b,
            effective_on: today,
            reason: "imported from members.csv".into(),
        });
    }
    if let Some(s) = given(&r.status) {
        match MemberStatus::parse(&s) {
            Ok(st) if st != cur.status => slot.wanted_status = Some(st),
            Ok(_) => {}
            Err(e) => p.add(FILE, row.line, Some("status"), e.to_string()),
        }
    }
    if !changed.is_empty() || slot.moved.is_some() || slot.wanted_status.is_some() {
        slot.first_touch.get_or_insert((FILE, row.line));
    }
    slot.changes = changes;
    slot.changed = changed;
}
