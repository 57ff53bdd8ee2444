//! statuses.csv and payments.csv: each member's status history, checked step by step against
//! the register's state machine, and their dues payments.

use std::collections::HashMap;

use charter_domain::{MemberStatus, Money, Payment, parse_date};
use charter_store::StatusChangeInput;
use chrono::NaiveDate;

use super::members::{Register, Target};
use super::{ImportFile, MemberKey, Problems, RawImport, member_key, text};

/// Whom each row of statuses, payments and offices names (`None` where that was reported).
pub(super) struct Keys {
    pub statuses: Vec<Option<MemberKey>>,
    pub payments: Vec<Option<MemberKey>>,
    pub offices: Vec<Option<MemberKey>>,
}

impl Keys {
    pub fn all(&self) -> impl Iterator<Item = &MemberKey> {
        self.statuses
            .iter()
            .chain(&self.payments)
            .chain(&self.offices)
            .flatten()
    }
}

pub(super) fn keys(raw: &RawImport, p: &mut Problems) -> Keys {
    Keys {
        statuses: raw
            .statuses
            .iter()
            .map(|r| member_key(ImportFile::Statuses, r.line, &r.member_number, &r.email, p))
            .collect(),
        payments: raw
            .payments
            .iter()
            .map(|r| member_key(ImportFile::Payments, r.line, &r.member_number, &r.email, p))
            .collect(),
        offices: raw
            .offices
            .iter()
            .map(|r| member_key(ImportFile::Offices, r.line, &r.member_number, &r.email, p))
            .collect(),
    }
}

/// Whom a row names, reported against the row when it names nobody, or someone already in
/// the register without `--update`.
fn target(
    reg: &Register,
    file: ImportFile,
    line: u64,
    key: &MemberKey,
    what: &str,
    p: &mut Problems,
) -> Option<Target> {
    match reg.target(key) {
        Ok(Target::Existing(id)) if !reg.update => {
            let field = if key.number.is_some() {
                "member_number"
            } else {
                "email"
            };
            p.add(
                file,
                line,
                Some(field),
                format!(
                    "member {id} is already in the register: give --update to add to their {what}"
                ),
            );
            None
        }
        Ok(t) => Some(t),
        Err((field, message)) => {
            p.add(file, line, Some(field), message);
            None
        }
    }
}

fn date_cell(
    file: ImportFile,
    line: u64,
    field: &'static str,
    label: &str,
    cell: &Option<String>,
    today: NaiveDate,
    p: &mut Problems,
) -> Option<NaiveDate> {
    match parse_date(label, text(cell)) {
        Ok(d) if d > today => {
            p.add(
                file,
                line,
                Some(field),
                format!("{label} {d} is in the future"),
            );
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            p.add(file, line, Some(field), e.to_string());
            None
        }
    }
}

struct Step {
    line: u64,
    status: MemberStatus,
    on: NaiveDate,
    reason: String,
}

pub(super) fn statuses(
    raw: &RawImport,
    keys: &Keys,
    reg: &mut Register,
    today: NaiveDate,
    p: &mut Problems,
) {
    const FILE: ImportFile = ImportFile::Statuses;
    let default_reason = format!("imported from {}", raw.name(FILE));
    let mut order: Vec<Target> = Vec::new();
    let mut steps: HashMap<Target, Vec<Step>> = HashMap::new();
    for (r, key) in raw.statuses.iter().zip(&keys.statuses) {
        let status = match MemberStatus::parse(text(&r.status)) {
            Ok(s) => Some(s),
            Err(_) if text(&r.status).is_empty() => {
                p.add(FILE, r.line, Some("status"), "status is required");
                None
            }
            Err(e) => {
                p.add(FILE, r.line, Some("status"), e.to_string());
                None
            }
        };
        let on = date_cell(
            FILE,
            r.line,
            "effective_on",
            "effective date",
            &r.effective_on,
            today,
            p,
        );
        let reason = text(&r.reason).to_string();
        if reason.chars().count() > 500 {
            p.add(
                FILE,
                r.line,
                Some("reason"),
                "reason is longer than 500 characters",
            );
        }
        let Some(key) = key else { continue };
        let Some(t) = target(reg, FILE, r.line, key, "history", p) else {
            continue;
        };
        let (Some(status), Some(on)) = (status, on) else {
            continue;
        };
        if !steps.contains_key(&t) {
            order.push(t);
        }
        steps.entry(t).or_default().push(Step {
            line: r.line,
            status,
            on,
            reason: if reason.is_empty() {
                default_reason.clone()
            } else {
                reason
            },
        });
    }
    for t in order {
        let mut list = steps.remove(&t).unwrap_or_default();
        // Oldest first; changes on the same day keep the file's order.
        list.sort_by_key(|s| s.on);
        let label = reg.label(t);
        match t {
            Target::New(i) => {
                let slot = &mut reg.new[i];
                let Some(m) = slot.member.as_mut() else {
                    continue;
                };
                let first = &list[0];
                if !matches!(first.status, MemberStatus::Applicant | MemberStatus::Active) {
                    p.add(
                        FILE,
                        first.line,
                        Some("status"),
                        format!(
                            "{label}'s history begins {}: a history begins when the member applies or joins (applicant or active)",
                            first.status
                        ),
                    );
                    continue;
                }
                if slot.joined_given && first.on != m.joined_on {
                    p.add(
                        FILE,
                        first.line,
                        Some("effective_on"),
                        format!(
                            "{label}'s first status is dated {} but members.csv (line {}) says they joined on {}: a history begins on the join date",
                            first.on, slot.line, m.joined_on
                        ),
                    );
                    continue;
                }
                m.joined_on = first.on;
                let mut history = Vec::with_capacity(list.len());
                let mut from: Option<MemberStatus> = None;
                let mut ok = true;
                for s in &list {
                    if let Some(f) = from
                        && let Err(e) = f.transition(s.status)
                    {
                        p.add(
                            FILE,
                            s.line,
                            Some("status"),
                            format!("{label} on {}: {e}", s.on),
                        );
                        ok = false;
                        break;
                    }
                    history.push((
                        s.line,
                        StatusChangeInput {
                            from,
                            to: s.status,
                            effective_on: s.on,
                            reason: s.reason.clone(),
                            changed_by: None,
                        },
                    ));
                    from = Some(s.status);
                }
                if ok {
                    slot.history = history;
                }
            }
            Target::Existing(id) => {
                let Some(slot) = reg.existing.get_mut(&id) else {
                    continue;
                };
                // Steps the register already holds are skipped, so a file can be imported again.
                let mut recorded = slot.m.history.clone();
                list.retain(|s| {
                    match recorded
                        .iter()
                        .position(|(st, on)| *st == s.status && *on == s.on)
                    {
                        Some(i) => {
                            recorded.remove(i);
                            false
                        }
                        None => true,
                    }
                });
                let Some(first) = list.first() else { continue };
                let last_recorded = slot.m.history.last().map(|(_, on)| *on);
                if let Some(last) = last_recorded
                    && first.on < last
                {
                    p.add(
                        FILE,
                        first.line,
                        Some("effective_on"),
                        format!(
                            "{label}'s last change in the register is dated {last}: changes an import adds come after it"
                        ),
                    );
                    continue;
                }
                let mut from = slot.m.record.status;
                let mut history = Vec::with_capacity(list.len());
                let mut ok = true;
                for s in &list {
                    if let Err(e) = from.transition(s.status) {
                        p.add(
                            FILE,
                            s.line,
                            Some("status"),
                            format!("{label} on {}: {e}", s.on),
                        );
                        ok = false;
                        break;
                    }
                    history.push(StatusChangeInput {
                        from: Some(from),
                        to: s.status,
                        effective_on: s.on,
                        reason: s.reason.clone(),
                        changed_by: None,
                    });
                    from = s.status;
                }
                if ok {
                    slot.first_touch.get_or_insert((FILE, first.line));
                    slot.history = history;
                }
            }
        }
    }
}

pub(super) fn payments(
    raw: &RawImport,
    keys: &Keys,
    reg: &mut Register,
    today: NaiveDate,
    p: &mut Problems,
) {
    const FILE: ImportFile = ImportFile::Payments;
    // What each member already paid, so a file imported again adds nothing twice.
    let mut recorded: HashMap<charter_domain::MemberId, Vec<Payment>> = reg
        .existing
        .iter()
        .map(|(id, s)| (*id, s.m.payments.clone()))
        .collect();
    for (r, key) in raw.payments.iter().zip(&keys.payments) {
        let paid_on = date_cell(
            FILE,
            r.line,
            "paid_on",
            "payment date",
            &r.paid_on,
            today,
            p,
        );
        let amount = match Money::parse("amount", text(&r.amount)) {
            Ok(a) if a.pence() == 0 => {
                p.add(
                    FILE,
                    r.line,
                    Some("amount"),
                    "amount must be more than zero",
                );
                None
            }
            Ok(a) => Some(a),
            Err(e) => {
                p.add(FILE, r.line, Some("amount"), e.to_string());
                None
            }
        };
        let months = match text(&r.months) {
            "" => Some(None),
            s => match s.parse::<u32>() {
                Ok(m) if (1..=24).contains(&m) => Some(Some(m)),
                _ => {
                    p.add(
                        FILE,
                        r.line,
                        Some("months"),
                        format!("months '{s}' must be a whole number from 1 to 24"),
                    );
                    None
                }
            },
        };
        let Some(key) = key else { continue };
        let Some(t) = target(reg, FILE, r.line, key, "payments", p) else {
            continue;
        };
        let (Some(paid_on), Some(amount), Some(months)) = (paid_on, amount, months) else {
            continue;
        };
        let Some(joined) = reg.joined_on(t) else {
            continue;
        };
        if paid_on < joined {
            p.add(
                FILE,
                r.line,
                Some("paid_on"),
                format!(
                    "payment on {paid_on} is before {} joined ({joined})",
                    reg.label(t)
                ),
            );
            continue;
        }
        match t {
            Target::New(i) => {
                let slot = &mut reg.new[i];
                let Some(m) = &slot.member else { continue };
                let months = months.unwrap_or_else(|| m.dues_plan.months());
                slot.payments.push(Payment {
                    paid_on,
                    amount,
                    months,
                });
            }
            Target::Existing(id) => {
                let Some(slot) = reg.existing.get_mut(&id) else {
                    continue;
                };
                let plan = slot.changes.dues_plan.unwrap_or(slot.m.record.dues_plan);
                let payment = Payment {
                    paid_on,
                    amount,
                    months: months.unwrap_or_else(|| plan.months()),
                };
                let already = recorded.entry(id).or_default();
                if let Some(i) = already.iter().position(|x| *x == payment) {
                    already.remove(i);
                    continue;
                }
                slot.first_touch.get_or_insert((FILE, r.line));
                slot.payments.push(payment);
            }
        }
    }
}
