//! Overdue requisitions. Once a reached requisition's call-by date has passed with no meeting
//! called, the timetable beside the server writes to those the constitution says must call it
//! — the holders of the bodies its requisition clause names (`called_by`), else the national
//! officers who call meetings — citing the clause, and again each week until the meeting is
//! called and linked as the answer. Each round of letters goes with its governance event, and
//! the store moves the time of the last one by compare-and-set, so two timetables running at
//! once write one round.

use std::collections::BTreeMap;

use charter_domain::{MemberId, Power, UnitKind};
use charter_rules::{Clause, Constitution, Key};
use charter_store::{EventActor, Letter, RequisitionRecord};
use chrono::{Duration, NaiveDate};
use serde_json::json;

use super::RequisitionState;
use crate::{App, AppError};

/// How long after one round of letters the next is due while the meeting is not called.
pub const REMIND_EVERY: Duration = Duration::weeks(1);

/// How often the timetable looks for overdue requisitions.
const LOOK_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Who must call an overdue meeting, each with why they are written to.
type Callers = BTreeMap<MemberId, String>;

impl App {
    /// Writes to those who must call each overdue requisitioned meeting whose letter is due:
    /// the first the day after its call-by date, then one a week after the last. Runs beside
    /// the server; safe to run twice at once (the store's compare-and-set lets one write).
    /// Returns how many requisitions it wrote about.
    pub async fn run_requisition_clock(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let today = self.today();
        let mut reminded = 0;
        for r in self.store.requisitions().await? {
            let due = RequisitionState::of(&r, today) == RequisitionState::Overdue
                && r.reminded_at.is_none_or(|last| now >= last + REMIND_EVERY);
            if due && self.remind_overdue(&r).await? {
                reminded += 1;
            }
        }
        Ok(reminded)
    }

    /// Runs the requisitions' timetable until the process ends, looking every minute.
    pub async fn run_requisition_timetable(self) {
        loop {
            if let Err(e) = self.run_requisition_clock().await {
                tracing::error!(error = %e, "the requisitions' timetable could not run a round");
            }
            tokio::time::sleep(LOOK_EVERY).await;
        }
    }

    /// One round of letters about an overdue requisition, with its event.
    async fn remind_overdue(&self, r: &RequisitionRecord) -> Result<bool, AppError> {
        let today = self.today();
        let (_, c) = self.constitution_in_force(today).await?;
        let kind = Key::parse(&r.kind).map_err(|e| AppError::Internal(e.to_string()))?;
        let callers = self.those_who_call(&c, &kind).await?;
        let (threshold, _, _) = self.requisition_status(r).await?;
        let clause = r
            .reached_clause
            .as_deref()
            .and_then(|n| c.clauses().iter().find(|cl| cl.number().as_str() == n))
            .or_else(|| c.requisition_for(&kind).and_then(|(n, _)| c.clause(n)));
        let call_by = r.call_by.unwrap_or(today);
        let ids: Vec<MemberId> = callers.keys().copied().collect();
        let letters: Vec<Letter> = self
            .store
            .member_contacts(&ids)
            .await?
            .into_iter()
            .filter_map(|(member, name, address)| {
                let role = callers.get(&member)?;
                Some(Letter {
                    member: Some(member),
                    address,
                    subject: format!("Overdue: the {} must be called — {}", kind.words(), r.title),
                    body: overdue_letter(&OverdueLetter {
                        name: &name,
                        role,
                        kind: &kind,
                        r,
                        threshold: &threshold,
                        call_by,
                        today,
                        clause,
                        link: &format!(
                            "{}/requisitions",
                            self.settings.public_url.trim_end_matches('/')
                        ),
                    }),
                })
            })
            .collect();
        let cited = clause
            .map(|cl| cl.number().as_str().to_string())
            .unwrap_or_default();
        let event = self.event(
            EventActor {
                member: None,
                office: Some("the requisitions' timetable".into()),
            },
            "requisition.overdue",
            format!("requisition:{}", r.id),
            json!({ "requisition": r.id, "call_by": call_by, "clause": cited,
                    "letters": letters.len() }),
            &format!(
                "the {} required by clause {cited} was to be called by {call_by}; {} to those who must call it",
                kind.words(),
                match letters.len() {
                    1 => "1 letter".to_string(),
                    n => format!("{n} letters"),
                }
            ),
        );
        Ok(self
            .store
            .remind_requisition(r.id, r.reminded_at, &letters, &event)
            .await?)
    }

    /// Those who must call a required meeting of `kind`: the seat holders of the bodies its
    /// requisition clause names; when it names none, or nobody holds their seats, the national
    /// officers who call meetings.
    async fn those_who_call(&self, c: &Constitution, kind: &Key) -> Result<Callers, AppError> {
        let today = self.today();
        let named = c
            .requisition_for(kind)
            .map(|(_, r)| r.called_by.clone())
            .unwrap_or_default();
        let mut callers = Callers::new();
        if !named.is_empty() {
            for b in self.store.bodies(None, today).await? {
                // A body established from the constitution carries its key as its kind;
                // older bodies are known by their name.
                let is_named = named.iter().any(|k| {
                    b.kind == k.as_str()
                        || c.body(k).is_some_and(|(_, rb)| rb.name == b.name)
                        || crate::constitution::body_keys(&b.name).contains(k)
                });
                if is_named {
                    for h in &b.holders {
                        callers
                            .entry(h.member)
                            .or_insert_with(|| format!("a member of the {}", b.name));
                    }
                }
            }
        }
        if callers.is_empty() {
            let national = self
                .store
                .units()
                .await?
                .into_iter()
                .find(|u| u.kind == UnitKind::National)
                .ok_or(AppError::NotFound("national unit"))?;
            for o in self.store.offices(Some(national.id), today).await? {
                if let Some(holder) = o.holder
                    && o.kind.powers().contains(&Power::CallMeetings)
                {
                    callers.entry(holder).or_insert_with(|| {
                        format!("{} of {}", o.kind.title().to_lowercase(), o.unit_name)
                    });
                }
            }
        }
        Ok(callers)
    }
}

/// What an overdue letter says.
struct OverdueLetter<'a> {
    name: &'a str,
    role: &'a str,
    kind: &'a Key,
    r: &'a RequisitionRecord,
    threshold: &'a str,
    call_by: NaiveDate,
    today: NaiveDate,
    clause: Option<&'a Clause>,
    link: &'a str,
}

fn overdue_letter(l: &OverdueLetter<'_>) -> String {
    let meeting = l.kind.words();
    let late = (l.today - l.call_by).num_days();
    let mut s = format!(
        "Dear {},\n\n\
         You are written to as {}, among those who must call the {meeting} that members and \
         branches have required:\n\n{}\n\n",
        l.name, l.role, l.r.title
    );
    if let Some(at) = l.r.reached_at {
        s.push_str(&format!(
            "The requisition reached the constitution's threshold on {}: {}.\n\n",
            at.format("%-d %B %Y"),
            l.threshold
        ));
    }
    s.push_str(&format!(
        "The {meeting} had to be called by {}. It has not been: it is {late} {} overdue, \
         as every member can see.\n\n",
        l.call_by.format("%-d %B %Y"),
        if late == 1 { "day" } else { "days" },
    ));
    if let Some(c) = l.clause {
        s.push_str(&format!(
            "Clause {}, {}:\n{}\n\n",
            c.number().as_str(),
            c.title,
            c.text.trim()
        ));
    }
    s.push_str(&format!(
        "Call the {meeting} and record it as the answer to the requisition. Until then this \
         letter comes again every week.\n\n{}\n",
        l.link
    ));
    s
}
