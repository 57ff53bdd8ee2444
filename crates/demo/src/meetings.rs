//! The demo's meetings, dated relative to `today`, after the constitutional story: the
//! steering committee, called on two days' notice where seven are required, "dissolves" the
//! elected committees — recorded as not binding, citing the clauses — and Southwark and
//! Havering, properly called, vote on motions opposing the new constitution and calling for a
//! special conference, published when adopted so the national tally counts them. Five more
//! branches' meetings adopt and publish motions calling for it, so the requisition stands at
//! seven of the ten branches clause 6.4 needs: well on its way, not yet reached (in a small
//! demo, as many as have the voters for a quorate meeting). The annual conference ahead is a delegate
//! conference (see `delegates`). And Southwark's members' meeting is under way
//! as the demo loads, with a secret vote open on its first motion that half its voters have
//! cast. Everything goes through the app's use cases;
//! only the delivery of notices is simulated (the demo sends no mail): each is recorded as
//! delivered a few minutes after the meeting was called.

use std::sync::Arc;

use charter_app::meetings::MeetingRequest;
use charter_app::{App, AppError, FixedClock};
use charter_domain::{MemberId, OfficeKind, UnitKind};
use charter_model::{LetterId, MeetingId, MotionId};
use charter_rules::{Context, Forum, Right};
use charter_store::NewMotion;
use chrono::{DateTime, Days, Duration, NaiveDate, Utc};

#[derive(Debug, thiserror::Error)]
pub enum MeetingsStoryError {
    #[error("loading the demo meetings failed while {step}: {source}")]
    App {
        step: &'static str,
        #[source]
        source: AppError,
    },
    #[error("the demo organisation lacks {0}")]
    Missing(&'static str),
}

pub(crate) fn app_at(app: &App, at: DateTime<Utc>) -> App {
    App::new(
        app.store().clone(),
        Arc::new(FixedClock(at)),
        app.settings.clone(),
    )
}

pub(crate) fn evening(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(18, 30, 0).unwrap_or_default().and_utc()
}

pub(crate) fn morning(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(10, 0, 0).unwrap_or_default().and_utc()
}

/// Records every queued notice as delivered at `at`.
pub(crate) async fn delivered(app: &App, at: DateTime<Utc>) -> Result<(), MeetingsStoryError> {
    let err = |source: AppError| MeetingsStoryError::App {
        step: "recording the notices' delivery",
        source,
    };
    loop {
        let batch = app
            .store()
            .claim_outbox(at, at + Duration::minutes(5), 1_000)
            .await
            .map_err(|e| err(e.into()))?;
        if batch.is_empty() {
            return Ok(());
        }
        let ids: Vec<LetterId> = batch.iter().map(|m| m.id).collect();
        app.store()
            .record_sent(&ids, at)
            .await
            .map_err(|e| err(e.into()))?;
    }
}

/// An item for a demo agenda: title, description, and a paper (file name, media type, text).
type DemoItem<'a> = (&'a str, &'a str, Option<(&'a str, &'a str, String)>);

/// Puts `items` on a meeting's agenda with their papers, as `officer` before it starts.
async fn agenda(
    app: &App,
    officer: &charter_domain::Actor,
    meeting: MeetingId,
    items: Vec<DemoItem<'_>>,
) -> Result<(), MeetingsStoryError> {
    let err = |step| move |source| MeetingsStoryError::App { step, source };
    for (title, description, paper) in items {
        let item = app
            .add_agenda_item(officer, meeting, title, Some(description))
            .await
            .map_err(err("adding an agenda item"))?;
        if let Some((name, content_type, text)) = paper {
            app.circulate_paper(officer, item, name, content_type, text.into_bytes())
                .await
                .map_err(err("circulating a paper"))?;
        }
    }
    Ok(())
}

/// The branch secretary's report on how the new constitution was imposed, as plain text.
fn timeline(branch: &str, today: NaiveDate) -> String {
    let day = |n: u64| {
        today
            .checked_sub_days(Days::new(n))
            .unwrap_or(today)
            .format("%-d %B %Y")
    };
    format!(
        "{branch} branch: how the new constitution was imposed\n\
         =====================================================\n\n\
         A paper for the branch general meeting, from the branch secretary.\n\n\
         {}  The steering committee is called to meet on two days' notice.\n\
         {}  It votes to dissolve the national and regional committees.\n\
         \n\
         The constitution requires seven clear days' notice of a committee meeting,\n\
         so the vote does not bind: Charter records it as not binding, citing the\n\
         clauses. The branch is asked to oppose the change and to call for a\n\
         special conference to restore the elected committees.\n",
        day(40),
        day(37),
    )
}

/// Loads the meetings story. Call after [`crate::load_constitution`].
pub async fn load_meetings(app: &App, today: NaiveDate) -> Result<(), MeetingsStoryError> {
    let err = |step| move |source| MeetingsStoryError::App { step, source };
    let day = |n: u64| today.checked_sub_days(Days::new(n)).unwrap_or(today);
    let units = app
        .store()
        .units()
        .await
        .map_err(|e| err("reading the units")(e.into()))?;
    let offices = app
        .store()
        .offices(None, today)
        .await
        .map_err(|e| err("reading the offices")(e.into()))?;
    let secretary_of = |unit| {
        offices
            .iter()
            .find(|o| o.kind == OfficeKind::Secretary && o.unit == unit)
            .and_then(|o| o.holder)
    };
    let national = units
        .iter()
        .find(|u| u.kind == UnitKind::National)
        .ok_or(MeetingsStoryError::Missing("a national unit"))?;
    let national_secretary =
        secretary_of(national.id).ok_or(MeetingsStoryError::Missing("a national secretary"))?;
    let steering: Vec<MemberId> = app
        .store()
        .bodies(Some(national.id), day(40))
        .await
        .map_err(|e| err("reading the bodies")(e.into()))?
        .into_iter()
        .find(|b| b.name == "Steering Committee")
        .map(|b| b.holders.iter().map(|h| h.member).collect())
        .unwrap_or_default();
    let Some(&proposer) = steering.first() else {
        return Err(MeetingsStoryError::Missing("steering committee members"));
    };
    // The steering committee is the leadership's own: verified members of the party the new
    // constitution favours, checked by the national secretary two months ago.
    let verified_on = day(60);
    let event = |kind: &str, member: MemberId| charter_store::NewEvent {
        at: morning(verified_on),
        actor: charter_store::EventActor {
            member: Some(national_secretary),
            office: Some("secretary, National".into()),
        },
        kind: kind.into(),
        subject: format!("member:{}", member.0),
        payload: "{}".into(),
        reason: "demo organisation: membership card seen".into(),
    };
    for &m in &steering {
        let id = app
            .store()
            .add_affiliation(
                m,
                crate::names::PARTIES[0].0,
                Some(day(400)),
                &event("affiliation.added", m),
            )
            .await
            .map_err(|e| err("recording a committee member's party")(e.into()))?;
        app.store()
            .verify_affiliation(
                m,
                id,
                national_secretary,
                verified_on,
                &event("affiliation.verified", m),
            )
            .await
            .map_err(|e| err("verifying a committee member's party")(e.into()))?;
    }

    // The hasty meeting: called 40 days ago for 37 days ago, 2 clear days where 7 are needed.
    let called_at = app_at(app, morning(day(40)));
    let officer = called_at
        .actor(national_secretary)
        .await
        .map_err(err("reading the national secretary"))?;
    let hasty = called_at
        .call_meeting(
            &officer,
            &MeetingRequest {
                body: "steering-committee".into(),
                unit: None,
                kind: "committee-meeting".into(),
                title: "Steering committee: reorganisation".into(),
                starts_at: Some(evening(day(37))),
                ends_at: None,
                mode: "online".into(),
                place: None,
                online_url: Some("https://meet.example.org/steering".into()),
                agenda: "1. Reorganisation of the national and regional committees".into(),
            },
        )
        .await
        .map_err(err("calling the steering committee"))?;
    delivered(app, morning(day(40)) + Duration::minutes(5)).await?;
    let proposer_actor = called_at
        .actor(proposer)
        .await
        .map_err(err("reading a committee member"))?;
    let motion = called_at
        .propose_motion(
            &proposer_actor,
            hasty.id,
            &NewMotion {
                meeting: hasty.id,
                kind: "dissolve-body".into(),
                title: "Dissolve the national and regional committees".into(),
                text: "The National Committee and the regional committees are dissolved with immediate effect.".into(),
                matter: None,
                position: None,
                requires: None,
                proposed_by: None,
                seconded_by: None,
                parent: None,
                target: None,
                emergency: false,
            },
        )
        .await
        .map_err(err("proposing the dissolution"))?;
    if let Some(&seconder) = steering.get(1) {
        let seconder = called_at
            .actor(seconder)
            .await
            .map_err(err("reading a committee member"))?;
        called_at
            .second_motion(&seconder, motion)
            .await
            .map_err(err("seconding the dissolution"))?;
    }
    let at_meeting = app_at(app, evening(day(37)));
    let officer = at_meeting
        .actor(national_secretary)
        .await
        .map_err(err("reading the national secretary"))?;
    for m in steering.iter().take(6) {
        at_meeting
            .check_in(&officer, hasty.id, Some(*m), None)
            .await
            .map_err(err("checking in the committee"))?;
    }
    at_meeting
        .record_vote(&officer, motion, 6, 0, 0, None)
        .await
        .map_err(err("recording the committee's vote"))?;

    // Southwark and Havering: called 35 days ago for 14 days ago; all their voters attend.
    for slug in ["southwark", "havering"] {
        let Some(branch) = units.iter().find(|u| u.slug == slug) else {
            continue;
        };
        let Some(secretary) = secretary_of(branch.id) else {
            continue;
        };
        let called_at = app_at(app, morning(day(35)));
        let officer = called_at
            .actor(secretary)
            .await
            .map_err(err("reading a branch secretary"))?;
        let meeting = called_at
            .call_meeting(
                &officer,
                &MeetingRequest {
                    body: "branch-meeting".into(),
                    unit: Some(branch.id),
                    kind: "general-meeting".into(),
                    title: format!("{} general meeting", branch.name),
                    starts_at: Some(evening(day(14))),
                    ends_at: None,
                    mode: "hybrid".into(),
                    place: Some(format!("{} community hall", branch.name)),
                    online_url: Some(format!("https://meet.example.org/{slug}")),
                    agenda: "1. The constitution imposed by the steering committee".into(),
                },
            )
            .await
            .map_err(err("calling a branch meeting"))?;
        delivered(app, morning(day(35)) + Duration::minutes(5)).await?;
        agenda(
            &called_at,
            &officer,
            meeting.id,
            vec![
                (
                    "Apologies for absence",
                    "The secretary reads the apologies received.",
                    None,
                ),
                (
                    "The constitution imposed by the steering committee",
                    "Introduced by the branch secretary. The meeting is asked to adopt the motion opposing the new constitution.",
                    Some((
                        "constitution-timeline.txt",
                        "text/plain",
                        timeline(&branch.name, today),
                    )),
                ),
                ("Any other business", "", None),
            ],
        )
        .await?;
        let motion = called_at
            .propose_motion(
                &officer,
                meeting.id,
                &NewMotion {
                    meeting: meeting.id,
                    kind: "ordinary-motion".into(),
                    title: "Oppose the new constitution".into(),
                    text: format!(
                        "{} branch condemns the imposition of the new constitution and the dissolution of the elected committees, and calls for a special conference to restore them.",
                        branch.name
                    ),
                    matter: Some("constitution-2017".into()),
                    position: Some("oppose".into()),
                    requires: Some(SPECIAL_CONFERENCE.into()),
                    proposed_by: None,
                    seconded_by: None,
                    parent: None,
                    target: None,
                    emergency: false,
                },
            )
            .await
            .map_err(err("proposing a branch motion"))?;
        let at_meeting = app_at(app, evening(day(14)));
        let officer = at_meeting
            .actor(secretary)
            .await
            .map_err(err("reading a branch secretary"))?;
        let voters = app
            .store()
            .meeting_voters(meeting.id)
            .await
            .map_err(|e| err("reading the roll")(e.into()))?;
        for m in &voters {
            at_meeting
                .check_in(&officer, meeting.id, Some(*m), None)
                .await
                .map_err(err("checking in a branch"))?;
        }
        second_by_a_voter(&at_meeting, motion, secretary, &voters).await?;
        let n = u32::try_from(voters.len()).unwrap_or(u32::MAX);
        let against = n / 10;
        let result = at_meeting
            .record_vote(&officer, motion, n - against, against, 0, None)
            .await
            .map_err(err("recording a branch vote"))?;
        if matches!(result, charter_rules::MotionResult::Adopted(_)) {
            at_meeting
                .publish_motion(&officer, motion)
                .await
                .map_err(err("publishing a branch motion"))?;
        }
    }
    calling_branches(app, today, &units, &secretary_of).await?;
    if let Some(branch) = units.iter().find(|u| u.slug == "southwark")
        && let Some(secretary) = secretary_of(branch.id)
    {
        meeting_under_way(app, branch.id, secretary).await?;
    }
    crate::delegates::load_delegates(app, today, national_secretary, &secretary_of).await?;
    Ok(())
}

/// The meeting the branches' motions call for (clause 6.4 lets ten branches require it).
const SPECIAL_CONFERENCE: &str = "special-conference";

/// Branches besides Southwark and Havering whose motions call for the special conference.
const CALLING: usize = 5;

/// Five more branches call for the special conference: the smallest whose general meeting
/// can be quorate (five voters at least, every one of whom attends), so the story costs few
/// notices and check-ins. Each is called 35 days before `today` and meets between 13 and 9
/// days before it; two motions also oppose the new constitution, the others speak to no
/// matter — a motion counts whatever its matter or position.
async fn calling_branches(
    app: &App,
    today: NaiveDate,
    units: &[charter_store::UnitRecord],
    secretary_of: &dyn Fn(charter_domain::UnitId) -> Option<MemberId>,
) -> Result<(), MeetingsStoryError> {
    let err = |step| move |source| MeetingsStoryError::App { step, source };
    let day = |n: u64| today.checked_sub_days(Days::new(n)).unwrap_or(today);
    let called_on = day(35);
    let (_, c) = app
        .constitution_in_force(called_on)
        .await
        .map_err(err("reading the constitution"))?;
    // Who may vote at each branch's meeting, by the version in force when it is called: one
    // read of the register's facts rather than a roll per branch tried.
    let mut voters: std::collections::BTreeMap<charter_domain::UnitId, usize> =
        std::collections::BTreeMap::new();
    for f in app
        .store()
        .member_facts(called_on)
        .await
        .map_err(|e| err("reading the register")(e.into()))?
        .into_iter()
        .map(charter_app::constitution::member_facts)
    {
        let forum = Forum::new(Context::BranchMeeting, Some(f.home_branch));
        if c.allows(&f, Right::Vote, &forum, called_on) {
            *voters.entry(f.home_branch).or_default() += 1;
        }
    }
    let mut candidates: Vec<(usize, &charter_store::UnitRecord, MemberId)> = units
        .iter()
        .filter(|u| u.kind == UnitKind::Branch && u.is_open())
        .filter(|u| !matches!(u.slug.as_str(), "southwark" | "havering"))
        .filter_map(|u| {
            let n = voters.get(&u.id).copied().unwrap_or(0);
            let secretary = secretary_of(u.id)?;
            (n >= 5).then_some((n, u, secretary))
        })
        .collect();
    candidates.sort_by_key(|(n, u, _)| (*n, u.id));
    for (k, (_, branch, secretary)) in candidates.into_iter().take(CALLING).enumerate() {
        let held = day(13 - k as u64);
        let called_at = app_at(app, morning(called_on));
        let officer = called_at
            .actor(secretary)
            .await
            .map_err(err("reading a branch secretary"))?;
        let meeting = called_at
            .call_meeting(
                &officer,
                &MeetingRequest {
                    body: "branch-meeting".into(),
                    unit: Some(branch.id),
                    kind: "general-meeting".into(),
                    title: format!("{} general meeting", branch.name),
                    starts_at: Some(evening(held)),
                    ends_at: None,
                    mode: "physical".into(),
                    place: Some(format!("{} library", branch.name)),
                    online_url: None,
                    agenda: "1. A special conference to restore the elected committees".into(),
                },
            )
            .await
            .map_err(err("calling a branch meeting"))?;
        delivered(app, morning(called_on) + Duration::minutes(5)).await?;
        let (matter, position) = if k % 2 == 0 {
            (
                Some("constitution-2017".to_string()),
                Some("oppose".to_string()),
            )
        } else {
            (None, None)
        };
        let motion = called_at
            .propose_motion(
                &officer,
                meeting.id,
                &NewMotion {
                    meeting: meeting.id,
                    kind: "ordinary-motion".into(),
                    title: "Call for a special conference".into(),
                    text: format!(
                        "{} branch requires a special conference to restore the national and regional committees.",
                        branch.name
                    ),
                    matter,
                    position,
                    requires: Some(SPECIAL_CONFERENCE.into()),
                    proposed_by: None,
                    seconded_by: None,
                    parent: None,
                    target: None,
                    emergency: false,
                },
            )
            .await
            .map_err(err("proposing a branch's call for a special conference"))?;
        let at_meeting = app_at(app, evening(held));
        let officer = at_meeting
            .actor(secretary)
            .await
            .map_err(err("reading a branch secretary"))?;
        let voters = app
            .store()
            .meeting_voters(meeting.id)
            .await
            .map_err(|e| err("reading the roll")(e.into()))?;
        for m in &voters {
            at_meeting
                .check_in(&officer, meeting.id, Some(*m), None)
                .await
                .map_err(err("checking in a branch"))?;
        }
        second_by_a_voter(&at_meeting, motion, secretary, &voters).await?;
        let n = u32::try_from(voters.len()).unwrap_or(u32::MAX);
        let result = at_meeting
            .record_vote(&officer, motion, n - 1, 1, 0, None)
            .await
            .map_err(err("recording a branch vote"))?;
        if matches!(result, charter_rules::MotionResult::Adopted(_)) {
            at_meeting
                .publish_motion(&officer, motion)
                .await
                .map_err(err("publishing a branch motion"))?;
        }
    }
    Ok(())
}

/// Someone other than the proposer seconds the motion: the first voter on the roll who may,
/// else the first of the branch's members who may (in a small branch the only voter may be
/// the proposer).
async fn second_by_a_voter(
    app: &App,
    motion: MotionId,
    proposer: MemberId,
    voters: &[MemberId],
) -> Result<(), MeetingsStoryError> {
    let err = |step| move |source| MeetingsStoryError::App { step, source };
    let mut candidates: Vec<MemberId> = voters.to_vec();
    let unit = match app.store().motion(motion).await {
        Ok(Some(mo)) => app
            .store()
            .meeting(mo.meeting)
            .await
            .ok()
            .flatten()
            .and_then(|m| m.unit),
        _ => None,
    };
    if let Some(unit) = unit {
        let page = app
            .store()
            .search_members(
                &charter_store::MemberQuery {
                    scope: charter_store::MemberScope::Branches(vec![unit]),
                    text: None,
                    branch: None,
                    status: Some(charter_domain::MemberStatus::Active),
                    paid_up: None,
                    sort: charter_store::MemberSort::Name,
                    page: 1,
                    per_page: 100,
                },
                None,
            )
            .await
            .map_err(|e| err("reading a branch's members")(e.into()))?;
        candidates.extend(page.items.iter().map(|m| m.id));
    }
    for c in candidates.into_iter().filter(|c| *c != proposer) {
        let seconder = app.actor(c).await.map_err(err("reading a seconder"))?;
        match app.second_motion(&seconder, motion).await {
            Ok(()) => return Ok(()),
            Err(AppError::Forbidden(_)) => continue,
            Err(e) => return Err(err("seconding a motion")(e)),
        }
    }
    Err(MeetingsStoryError::Missing("a member to second a motion"))
}

/// Southwark's members' meeting, called three weeks before the demo's clock and under way
/// since an hour before it: a secret vote is open on sending delegates to the special
/// conference, cast by most of the half of the branch's voters already checked in; a second
/// motion waits for its vote.
async fn meeting_under_way(
    app: &App,
    branch: charter_domain::UnitId,
    secretary: MemberId,
) -> Result<(), MeetingsStoryError> {
    let err = |step| move |source| MeetingsStoryError::App { step, source };
    let now = app.clock.now();
    let called_at = app_at(app, now - Duration::days(21));
    let officer = called_at
        .actor(secretary)
        .await
        .map_err(err("reading the Southwark secretary"))?;
    let meeting = called_at
        .call_meeting(
            &officer,
            &MeetingRequest {
                body: "branch-meeting".into(),
                unit: Some(branch),
                kind: "general-meeting".into(),
                title: "Southwark members' meeting: the special conference".into(),
                starts_at: Some(now - Duration::hours(1)),
                ends_at: Some(now + Duration::hours(5)),
                mode: "online".into(),
                place: None,
                online_url: Some("https://meet.example.org/southwark-members".into()),
                agenda: "1. Delegates to the special conference\n2. A fund for expelled members' appeals"
                    .into(),
            },
        )
        .await
        .map_err(err("calling the meeting under way"))?;
    delivered(app, now - Duration::days(21) + Duration::minutes(5)).await?;
    agenda(
        &called_at,
        &officer,
        meeting.id,
        vec![
            (
                "Apologies for absence",
                "The secretary reads the apologies received.",
                None,
            ),
            (
                "Delegates to the special conference",
                "Introduced by the branch secretary. The meeting is asked to send its full delegation (motion 1).",
                Some((
                    "delegation-report.txt",
                    "text/plain",
                    "Southwark branch: our delegation to the special conference\n\n\
                     The branch is entitled to send its full delegation. The secretary\n\
                     proposes that it does, mandated to vote to restore the elected\n\
                     national and regional committees. Delegates' travel is paid from\n\
                     branch funds.\n"
                        .to_string(),
                )),
            ),
            (
                "A fund for expelled members' appeals",
                "Introduced by the treasurer. The meeting is asked to set up the fund (motion 2).",
                Some((
                    "appeals-fund.md",
                    "text/markdown",
                    "# A fund for expelled members' appeals\n\n\
                     - Open to every branch; each pays in what its meeting decides.\n\
                     - Pays the costs of an expelled member's appeal.\n\
                     - The treasurer reports on it to every general meeting.\n"
                        .to_string(),
                )),
            ),
            ("Any other business", "", None),
        ],
    )
    .await?;
    let mut motions = Vec::new();
    for (title, text) in [
        (
            "Send delegates to the special conference",
            "Southwark branch sends its full delegation to the special conference and mandates it to vote to restore the elected committees.",
        ),
        (
            "A fund for expelled members' appeals",
            "Southwark branch sets up a fund, open to every branch, to pay for expelled members' appeals.",
        ),
    ] {
        motions.push(
            called_at
                .propose_motion(
                    &officer,
                    meeting.id,
                    &NewMotion {
                        meeting: meeting.id,
                        kind: "ordinary-motion".into(),
                        title: title.into(),
                        text: text.into(),
                        matter: None,
                        position: None,
                        requires: None,
                        proposed_by: None,
                        seconded_by: None,
                        parent: None,
                        target: None,
                        emergency: false,
                    },
                )
                .await
                .map_err(err("proposing a motion to the meeting under way"))?,
        );
    }
    let during = app_at(app, now - Duration::minutes(30));
    let officer = during
        .actor(secretary)
        .await
        .map_err(err("reading the Southwark secretary"))?;
    let voters = app
        .store()
        .meeting_voters(meeting.id)
        .await
        .map_err(|e| err("reading the roll")(e.into()))?;
    let present: Vec<MemberId> = voters
        .iter()
        .copied()
        .filter(|m| *m != secretary)
        .take(voters.len() / 2)
        .collect();
    for m in &present {
        during
            .check_in(&officer, meeting.id, Some(*m), None)
            .await
            .map_err(err("checking in at the meeting under way"))?;
    }
    for motion in &motions {
        second_by_a_voter(&during, *motion, secretary, &voters).await?;
    }
    during
        .open_voting(&officer, motions[0], "secret")
        .await
        .map_err(err("opening the secret vote"))?;
    // All but a few of those present have voted, most for.
    let waiting = (present.len() / 5).max(usize::from(present.len() > 1));
    let voting = present.len() - waiting;
    for (k, m) in present.iter().take(voting).enumerate() {
        let voter = during.actor(*m).await.map_err(err("reading a voter"))?;
        let choice = if k % 7 == 3 { "against" } else { "for" };
        during
            .cast_vote(
                &voter,
                motions[0],
                choice,
                &charter_app::meetings::vote_key(),
            )
            .await
            .map_err(err("casting a demo vote"))?;
    }
    Ok(())
}
