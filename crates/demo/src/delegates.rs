//! The demo's annual conference, a delegate conference under clause 6.8: called a month ago
//! for three weeks ahead, its delegates apportioned among the branches by their paid-up
//! members, a few branches' delegates and substitutes recorded by their secretaries, and one
//! credential challenged and the challenge ruled on by the national secretary, so a newcomer
//! can click through credentials, challenges and rulings. Everything goes through the app.

use std::collections::BTreeMap;

use charter_app::App;
use charter_app::delegates::CredentialRequest;
use charter_app::meetings::MeetingRequest;
use charter_domain::{MemberId, UnitId, UnitKind};
use chrono::{Days, Duration, NaiveDate};

use crate::meetings::{MeetingsStoryError, app_at, delivered, evening, morning};

/// The demo conference's title, for tests to find it.
pub const CONFERENCE_TITLE: &str = "Annual conference";

/// Branches whose delegates the demo records, by slug.
const CREDENTIALED: [&str; 3] = ["southwark", "havering", "lambeth"];

pub(crate) async fn load_delegates(
    app: &App,
    today: NaiveDate,
    national_secretary: MemberId,
    secretary_of: &dyn Fn(UnitId) -> Option<MemberId>,
) -> Result<(), MeetingsStoryError> {
    let err = |step| move |source| MeetingsStoryError::App { step, source };
    let day_ago = |n: u64| today.checked_sub_days(Days::new(n)).unwrap_or(today);
    let conference_on = today.checked_add_days(Days::new(20)).unwrap_or(today);
    let called = app_at(app, morning(day_ago(30)));
    let officer = called
        .actor(national_secretary)
        .await
        .map_err(err("reading the national secretary"))?;
    let starts = morning(conference_on);
    let meeting = called
        .call_meeting(
            &officer,
            &MeetingRequest {
                body: "conference".into(),
                unit: None,
                kind: "annual-conference".into(),
                title: CONFERENCE_TITLE.into(),
                starts_at: Some(starts),
                ends_at: Some(evening(conference_on) + Duration::hours(1)),
                mode: "hybrid".into(),
                place: Some("Conway Hall, London".into()),
                online_url: Some("https://meet.example.org/conference".into()),
                agenda: "1. Credentials report\n2. Motions from branches\n3. Elections".into(),
            },
        )
        .await
        .map_err(err("calling the annual conference"))?;
    delivered(app, morning(day_ago(30)) + Duration::minutes(5)).await?;

    let officer = app
        .actor(national_secretary)
        .await
        .map_err(err("reading the national secretary"))?;
    app.apportion_delegates(&officer, meeting.id)
        .await
        .map_err(err("apportioning the conference's delegates"))?;

    // Members entitled to vote at conference, by branch, from the annual conference roll.
    let rolls = app
        .store()
        .rolls()
        .await
        .map_err(|e| err("reading the rolls")(e.into()))?;
    let Some(roll) = rolls.iter().find(|r| r.title == "Annual conference roll") else {
        return Err(MeetingsStoryError::Missing("the annual conference roll"));
    };
    let mut eligible: BTreeMap<UnitId, Vec<MemberId>> = BTreeMap::new();
    for (m, branch, ok) in app
        .store()
        .roll_frozen_lines(roll.id, None)
        .await
        .map_err(|e| err("reading the conference roll")(e.into()))?
    {
        if ok {
            eligible.entry(branch).or_default().push(m);
        }
    }
    let units = app
        .store()
        .units()
        .await
        .map_err(|e| err("reading the units")(e.into()))?;
    let mut first = None;
    let mut credentialed = Vec::new();
    for slug in CREDENTIALED {
        let Some(branch) = units
            .iter()
            .find(|u| u.slug == slug && u.kind == UnitKind::Branch)
        else {
            continue;
        };
        let recorder = secretary_of(branch.id).unwrap_or(national_secretary);
        let recorder = app
            .actor(recorder)
            .await
            .map_err(err("reading a branch secretary"))?;
        let mut roles = vec!["delegate", "delegate", "substitute"].into_iter();
        let mut role = roles.next();
        for &m in eligible.get(&branch.id).map(Vec::as_slice).unwrap_or(&[]) {
            let Some(r) = role else {
                break;
            };
            // The national secretary rules on challenges, so carries no credential here.
            if m == national_secretary {
                continue;
            }
            let recorded = app
                .record_credential(
                    &recorder,
                    meeting.id,
                    &CredentialRequest {
                        branch: Some(branch.id),
                        member: Some(m),
                        role: r.into(),
                        source: format!("elected at the {} general meeting", branch.name),
                    },
                )
                .await;
            match recorded {
                Ok(c) => {
                    first.get_or_insert(c.id);
                    credentialed.push(m);
                    role = roles.next();
                }
                // The branch's share is smaller, or this member may not carry one: move on.
                Err(charter_app::AppError::Conflict { .. })
                | Err(charter_app::AppError::Invalid(_)) => role = roles.next(),
                Err(e) => return Err(err("recording a credential")(e)),
            }
        }
    }
    // Any other member entitled to vote at conference challenges the first credential.
    let challenger = eligible
        .values()
        .flatten()
        .find(|m| **m != national_secretary && !credentialed.contains(m))
        .copied();
    let (Some(credential), Some(challenger)) = (first, challenger) else {
        return Ok(());
    };
    let challenger = app
        .actor(challenger)
        .await
        .map_err(err("reading a member"))?;
    let challenge = app
        .challenge_credential(
            &challenger,
            credential,
            "The branch meeting that elected this delegate was not quorate.",
        )
        .await
        .map_err(err("challenging a credential"))?;
    app.rule_on_challenge(
        &officer,
        challenge.id,
        "rejected",
        "The branch's minutes record 23 members present against a quorum of 5; the meeting was quorate.",
    )
    .await
    .map_err(err("ruling on the challenge"))?;
    Ok(())
}
