//! The demo's constitutional history, dated relative to the demo's `today`: the founding
//! constitution adopted at the founding (about three years and two months ago), then the
//! amendment that keeps votes and offices for verified members of the Socialist Alliance
//! Party, proposed, refused once at a special conference called with two days' notice, and
//! adopted by the full procedure to take effect about a year ago. Everything goes through
//! the app's use cases, so the engine judges each attempt exactly as it would a real one.
//! With [`load_constitution_sealed`] (as `charter demo` loads it) a second amendment
//! follows, adopted by the same procedure to take effect nineteen days ago: ballots sealed by
//! trustees (clause 6.7 names their offices, number and threshold), so the demo's newer
//! ballots are verifiable. Two conference rolls follow: one frozen when the
//! first amendment took effect, one current.

use std::sync::Arc;

use charter_app::amending::{HistoricalDecision, HistoricalOutcome};
use charter_app::rolls::RollRequest;
use charter_app::{App, AppError, FixedClock};
use charter_domain::{MemberId, OfficeKind, UnitKind};
use charter_store::EventActor;
use chrono::{Datelike, Days, Months, NaiveDate, TimeZone, Utc};

use crate::ORGANISATION;

const FOUNDING: &str = include_str!("../../rules/fixtures/founding-2016.toml");
const AMENDMENT: &str = include_str!("../../rules/fixtures/amendment-2017.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConstitutionStoryError {
    #[error("loading the demo constitution failed while {step}: {source}")]
    App {
        step: &'static str,
        #[source]
        source: AppError,
    },
    #[error("the demo organisation has no national secretary and chair to enter its decisions")]
    NoSecretary,
    #[error("the demo amendment was not adopted: {0}")]
    NotAdopted(String),
}

/// The dates of the story, all before `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoryDates {
    pub founded: NaiveDate,
    pub proposed: NaiveDate,
    pub hasty_notice: NaiveDate,
    pub hasty_meeting: NaiveDate,
    pub notice: NaiveDate,
    pub meeting: NaiveDate,
    pub effective: NaiveDate,
    /// The second amendment's (sealed ballots): proposed, notice, conference, in force.
    pub sealed_proposed: NaiveDate,
    pub sealed_notice: NaiveDate,
    pub sealed_meeting: NaiveDate,
    pub sealed_effective: NaiveDate,
}

impl StoryDates {
    pub fn before(today: NaiveDate) -> StoryDates {
        let back = |months: u32, days: u64| {
            today
                .checked_sub_months(Months::new(months))
                .and_then(|d| d.checked_sub_days(Days::new(days)))
                .unwrap_or(today)
        };
        // The amendment takes effect on the first of the month about a year ago.
        let year_ago = back(12, 0);
        let effective = year_ago.with_day(1).unwrap_or(year_ago);
        let minus = |d: NaiveDate, n: u64| d.checked_sub_days(Days::new(n)).unwrap_or(d);
        // Sealed ballots take effect nineteen days ago: after the ballots of all members set
        // up twenty days ago (which stay plaintext, as the rules of their day made them), and
        // before those the demo seals.
        let sealed_effective = minus(today, SEALED_DAYS_AGO);
        StoryDates {
            founded: back(38, 0),
            proposed: minus(effective, 60),
            hasty_notice: minus(effective, 45),
            hasty_meeting: minus(effective, 42),
            notice: minus(effective, 42),
            meeting: minus(effective, 21),
            effective,
            sealed_proposed: minus(sealed_effective, 63),
            sealed_notice: minus(sealed_effective, 45),
            sealed_meeting: minus(sealed_effective, 21),
            sealed_effective,
        }
    }
}

/// How many days before the demo's today ballots became sealed by trustees.
pub const SEALED_DAYS_AGO: u64 = 19;

/// The sentence the sealed-ballots amendment adds to clause 6.7, and the keys it adds to its
/// ballot rule.
const SEALED_SENTENCE: &str = "Every ballot is sealed by a key held by three trustees, chosen \
from the scrutineer and the secretaries of different branches and regions, any two of whom \
together open the result and no one of whom can open it alone.";
const SEALED_KEYS: [&str; 3] = [
    "trustee_offices = [\"scrutineer\", \"secretary\"]",
    "trustees = 3",
    "trustee_threshold = 2",
];

/// The constitution as the sealed-ballots amendment makes it: `amended` (the first
/// amendment's text, as the demo adopted it) with its version, dates, the trustees' sentence
/// in clause 6.7 and the trustee keys in its `[[clause.ballot]]` table.
fn sealed_ballots(amended: &str, effective: NaiveDate, adopted_by: &str, on: NaiveDate) -> String {
    let mut out = Vec::new();
    let mut in_ballot = false;
    for l in amended.lines() {
        if l.starts_with("version = ") {
            out.push(format!("version = \"sealed ballots {}\"", effective.year()));
        } else if l.starts_with("effective = ") {
            out.push(format!("effective = {effective}"));
        } else if l.starts_with("adopted_by = ") {
            out.push(format!(
                "adopted_by = {{ text = \"{adopted_by}\", body = \"conference\", on = {on} }}"
            ));
        } else if l.contains("independently of the candidates.") {
            out.push(l.replace(
                "independently of the candidates.",
                &format!("independently of the candidates. {SEALED_SENTENCE}"),
            ));
        } else {
            out.push(l.to_string());
        }
        if l == "[[clause.ballot]]" {
            in_ballot = true;
        } else if in_ballot && l.trim().is_empty() {
            // The end of the ballot table: the trustees go at its foot.
            let blank = out.pop().unwrap_or_default();
            out.extend(SEALED_KEYS.iter().map(|k| k.to_string()));
            out.push(blank);
            in_ballot = false;
        }
    }
    out.join("\n")
}

fn words(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// A fixture with its dates and name rewritten for the demo.
fn redate(src: &str, effective: NaiveDate, adopted_by: &str, adopted_on: NaiveDate) -> String {
    src.lines()
        .map(|l| {
            if l.starts_with("effective = ") {
                format!("effective = {effective}")
            } else if l.starts_with("adopted_by = ") {
                format!(
                    "adopted_by = {{ text = \"{adopted_by}\", body = \"conference\", on = {adopted_on} }}"
                )
            } else {
                l.replace("Charter Campaign Network", ORGANISATION)
                    .replace("From 1 July 2017", &format!("From {}", words(effective)))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn app_at(app: &App, on: NaiveDate) -> App {
    let at = on
        .and_hms_opt(19, 0, 0)
        .map(|t| Utc.from_utc_datetime(&t))
        .unwrap_or_else(|| app.clock.now());
    App::new(
        app.store().clone(),
        Arc::new(FixedClock(at)),
        app.settings.clone(),
    )
}

fn conference(notice: NaiveDate, on: NaiveDate, entitled: u32) -> HistoricalDecision {
    // A well-attended special conference: a tenth of the members (at least the 100 that
    // clause 6.2 asks for), about 70% for.
    let present = (entitled / 10).max(100).min(entitled);
    let votes_for = present * 7 / 10;
    let votes_against = present / 4;
    HistoricalDecision {
        body: "conference".into(),
        kind: "special-conference".into(),
        notice_on: Some(notice),
        held_on: on,
        entitled,
        present,
        votes_for,
        votes_against,
        abstentions: present - votes_for - votes_against,
    }
}

/// Adopts the founding constitution and records the amendment's story. Call once, after
/// [`crate::load`], with the demo's `today`. Ballots stay plaintext: see
/// [`load_constitution_sealed`] for the whole history `charter demo` loads.
pub async fn load_constitution(
    app: &App,
    today: NaiveDate,
) -> Result<StoryDates, ConstitutionStoryError> {
    load_story(app, today, false).await
}

/// [`load_constitution`], then the second amendment, sealing ballots by trustees from
/// [`SEALED_DAYS_AGO`] days before `today`, adopted by the same procedure: the history
/// `charter demo` loads, after which [`crate::load_ballots`] runs sealed ballots too. (The
/// tests that build their world on the demo without it keep setting up plaintext ballots.)
pub async fn load_constitution_sealed(
    app: &App,
    today: NaiveDate,
) -> Result<StoryDates, ConstitutionStoryError> {
    load_story(app, today, true).await
}

async fn load_story(
    app: &App,
    today: NaiveDate,
    sealed_ballots_too: bool,
) -> Result<StoryDates, ConstitutionStoryError> {
    let err = |step| move |source| ConstitutionStoryError::App { step, source };
    let dates = StoryDates::before(today);
    let founding = redate(
        FOUNDING,
        dates.founded,
        &format!("founding conference, {}", words(dates.founded)),
        dates.founded,
    );
    let amendment = redate(
        AMENDMENT,
        dates.effective,
        &format!(
            "special conference, {}, on notice sent {}",
            words(dates.meeting),
            words(dates.notice)
        ),
        dates.meeting,
    );
    let at_founding = app_at(app, dates.founded);
    at_founding
        .found_constitution(
            EventActor {
                member: None,
                office: Some("founding conference".into()),
            },
            &founding,
        )
        .await
        .map_err(err("adopting the founding constitution"))?;

    // The national secretary proposes the amendment and records the conference decisions.
    let offices = app
        .store()
        .offices(None, today)
        .await
        .map_err(|e| err("finding the national secretary")(e.into()))?;
    let tree = app.tree().await.map_err(err("reading the units"))?;
    let secretary: MemberId = offices
        .iter()
        .find(|o| o.kind == OfficeKind::Secretary && tree.kind(o.unit) == Some(UnitKind::National))
        .and_then(|o| o.holder)
        .ok_or(ConstitutionStoryError::NoSecretary)?;
    let at_proposal = app_at(app, dates.proposed);
    let proposer = at_proposal
        .actor(secretary)
        .await
        .map_err(err("reading the secretary"))?;
    let id = at_proposal
        .propose_amendment(
            &proposer,
            "Votes and offices for verified members of the Socialist Alliance Party",
            &amendment,
        )
        .await
        .map_err(err("proposing the amendment"))?;
    // Both conferences were held before the organisation used Charter: the national
    // secretary and chair each enter them from the minutes, and only their agreeing entries
    // make the record. The engine judges each; nobody types in an outcome.
    let chair: MemberId = offices
        .iter()
        .find(|o| o.kind == OfficeKind::Chair && tree.kind(o.unit) == Some(UnitKind::National))
        .and_then(|o| o.holder)
        .ok_or(ConstitutionStoryError::NoSecretary)?;
    let entitled = app
        .store()
        .member_facts(dates.meeting)
        .await
        .map_err(|e| err("counting the members")(e.into()))?
        .len();
    let entitled = u32::try_from(entitled).unwrap_or(u32::MAX);
    let officers = [
        app.actor(secretary)
            .await
            .map_err(err("reading the secretary"))?,
        app.actor(chair).await.map_err(err("reading the chair"))?,
    ];
    let mut outcome = None;
    for (notice, held) in [
        // The hasty attempt: two clear days' notice where fourteen are required. Refused.
        (dates.hasty_notice, dates.hasty_meeting),
        // The full procedure.
        (dates.notice, dates.meeting),
    ] {
        let entry = conference(notice, held, entitled);
        for officer in &officers {
            outcome = Some(
                app.enter_historical_decision(officer, id, &entry)
                    .await
                    .map_err(err("entering a historical conference"))?,
            );
        }
        match (&outcome, held == dates.meeting) {
            (Some(HistoricalOutcome::Recorded { adopted: false, .. }), false) => {}
            (Some(HistoricalOutcome::Recorded { adopted: true, .. }), true) => {}
            (Some(HistoricalOutcome::Recorded { failures, .. }), true) => {
                return Err(ConstitutionStoryError::NotAdopted(
                    failures
                        .iter()
                        .map(|(c, r)| format!("clause {c}: {r}"))
                        .collect::<Vec<_>>()
                        .join("; "),
                ));
            }
            (other, _) => {
                return Err(ConstitutionStoryError::NotAdopted(format!(
                    "the conference of {held} came to {other:?}, which the story does not expect"
                )));
            }
        }
    }
    app.constitution_changed().await;

    if sealed_ballots_too {
        load_sealed_amendment(app, &dates, &amendment, secretary, &officers).await?;
    }

    // Two conference rolls frozen today by the national secretary: one with its cut-off on
    // the day the amendment took effect, and the annual conference's, a week ago. A newcomer
    // sees who lost the vote, why, and can challenge an exclusion.
    let minus = |d: NaiveDate, n: u64| d.checked_sub_days(Days::new(n)).unwrap_or(d);
    let officer = app
        .actor(secretary)
        .await
        .map_err(err("reading the secretary"))?;
    for (title, cutoff) in [
        (
            "Special conference roll (cut-off: the day the amendment took effect)",
            dates.effective,
        ),
        ("Annual conference roll", minus(today, 7)),
    ] {
        app_at(app, today)
            .freeze_roll(
                &officer,
                &RollRequest {
                    title: title.into(),
                    context: "conference".into(),
                    cutoff: Some(cutoff),
                    challenge_closes_on: today.checked_add_days(Days::new(14)),
                    ..RollRequest::default()
                },
            )
            .await
            .map_err(err("freezing a conference roll"))?;
    }
    Ok(dates)
}

/// The second amendment, sealed ballots: proposed by the national secretary, adopted by a
/// special conference on three weeks' notice that both officers enter from its minutes.
async fn load_sealed_amendment(
    app: &App,
    dates: &StoryDates,
    amendment: &str,
    secretary: MemberId,
    officers: &[charter_domain::Actor],
) -> Result<(), ConstitutionStoryError> {
    let err = |step| move |source| ConstitutionStoryError::App { step, source };
    let sealed = sealed_ballots(
        amendment,
        dates.sealed_effective,
        &format!(
            "special conference, {}, on notice sent {}",
            words(dates.sealed_meeting),
            words(dates.sealed_notice)
        ),
        dates.sealed_meeting,
    );
    let at_proposal = app_at(app, dates.sealed_proposed);
    let proposer = at_proposal
        .actor(secretary)
        .await
        .map_err(err("reading the secretary"))?;
    let id = at_proposal
        .propose_amendment(
            &proposer,
            "Ballots sealed by trustees, so that every member can verify the count",
            &sealed,
        )
        .await
        .map_err(err("proposing the sealed-ballots amendment"))?;
    let entitled = app
        .store()
        .member_facts(dates.sealed_meeting)
        .await
        .map_err(|e| err("counting the members")(e.into()))?
        .len();
    let entry = conference(
        dates.sealed_notice,
        dates.sealed_meeting,
        u32::try_from(entitled).unwrap_or(u32::MAX),
    );
    let mut outcome = None;
    for officer in officers {
        outcome = Some(
            app.enter_historical_decision(officer, id, &entry)
                .await
                .map_err(err("entering the sealed-ballots conference"))?,
        );
    }
    match outcome {
        Some(HistoricalOutcome::Recorded { adopted: true, .. }) => {}
        Some(HistoricalOutcome::Recorded { failures, .. }) => {
            return Err(ConstitutionStoryError::NotAdopted(
                failures
                    .iter()
                    .map(|(c, r)| format!("clause {c}: {r}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            ));
        }
        other => {
            return Err(ConstitutionStoryError::NotAdopted(format!(
                "the sealed-ballots conference came to {other:?}, which the story does not expect"
            )));
        }
    }
    app.constitution_changed().await;
    Ok(())
}
