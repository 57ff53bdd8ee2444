//! The one conformance suite every [`Store`] backend must pass (feature `conformance`).
//!
//! Each `pub async fn` here is one test over a freshly migrated, empty store. A backend's test
//! file runs every one of them with [`conformance_tests!`](crate::conformance_tests), which
//! lists them all; a unit test of this crate checks that the list and this file agree.
//!
//! Assertions panic with a message naming the contract that broke: this module is test code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use charter_domain::{
    AmendmentState, ApplicationState, BallotKind, BallotState, ChallengeState, CompositeState,
    DelegateCredentialState, DuesPlan, MemberChanges, MemberId, MemberStatus, MinutesState, Money,
    MotionState, NewMember, OfficeKind, Payment, RawMemberChanges, RawNewMember, UnitId, UnitKind,
};
use charter_model::{AmendmentId, HistoricalEntryId, MeetingId, MotionId};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::*;

mod accounts;
mod ballots;
mod bulk;
mod constitution;
mod delegates;
mod directory;
mod elections;
mod import;
mod joining;
mod meetings;
mod offices;
mod paper;
mod register;
mod requisitions;
mod rolls;
mod schema;
mod sign_in;
mod structure;
pub use accounts::*;
pub use ballots::*;
pub use bulk::*;
pub use constitution::*;
pub use delegates::*;
pub use directory::*;
pub use elections::*;
pub use import::*;
pub use joining::*;
pub use meetings::*;
pub use offices::*;
pub use paper::*;
pub use register::*;
pub use requisitions::*;
pub use rolls::*;
pub use schema::*;
pub use sign_in::*;
pub use structure::*;

// ---------------------------------------------------------------- helpers

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
}

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_730_000_000 + secs, 0)
        .single()
        .expect("valid test instant")
}

/// An event by the system at a fixed instant.
pub fn event(kind: &str, subject: &str) -> NewEvent {
    NewEvent {
        at: t(0),
        actor: EventActor {
            member: None,
            office: None,
        },
        kind: kind.to_string(),
        subject: subject.to_string(),
        payload: "{}".to_string(),
        reason: format!("test: {kind}"),
    }
}

fn by(member: MemberId, kind: &str, subject: &str) -> NewEvent {
    NewEvent {
        actor: EventActor {
            member: Some(member),
            office: Some("secretary, test branch".into()),
        },
        ..event(kind, subject)
    }
}

/// A valid new member.
pub fn new_member(
    first: &str,
    last: &str,
    email: &str,
    postcode: &str,
    branch: UnitId,
) -> NewMember {
    NewMember::parse(
        &RawNewMember {
            first_name: first.into(),
            last_name: last.into(),
            email: email.into(),
            phone: String::new(),
            postcode: postcode.into(),
            joined_on: "2024-01-15".into(),
            status: "active".into(),
            dues_plan: "monthly".into(),
        },
        branch,
    )
    .expect("valid test member")
}

fn payment(on: NaiveDate, months: u32) -> Payment {
    Payment {
        paid_on: on,
        amount: Money(500),
        months,
    }
}

/// A small organisation: national, two regions, three branches (two in the north).
pub struct Org {
    pub national: UnitId,
    pub north: UnitId,
    pub south: UnitId,
    pub leeds: UnitId,
    pub york: UnitId,
    pub brixton: UnitId,
}

pub async fn org(store: &dyn Store) -> Org {
    let u = |parent, kind, name: &'static str, slug: &'static str| async move {
        store
            .create_unit(parent, kind, name, slug, &event("unit.created", slug))
            .await
            .expect("create unit")
    };
    let national = u(None, UnitKind::National, "National", "national").await;
    let north = u(Some(national), UnitKind::Region, "North", "north").await;
    let south = u(Some(national), UnitKind::Region, "South", "south").await;
    let leeds = u(Some(north), UnitKind::Branch, "Leeds", "leeds").await;
    let york = u(Some(north), UnitKind::Branch, "York", "york").await;
    let brixton = u(Some(south), UnitKind::Branch, "Brixton", "brixton").await;
    Org {
        national,
        north,
        south,
        leeds,
        york,
        brixton,
    }
}

pub(crate) async fn add(store: &dyn Store, m: &NewMember) -> MemberId {
    store
        .add_member(m, None, &event("member.added", m.email.as_str()))
        .await
        .expect("add member")
}

async fn all_events(store: &dyn Store) -> Vec<EventRecord> {
    store.events(0, 100_000).await.expect("events")
}

pub(crate) async fn event_count(store: &dyn Store) -> usize {
    all_events(store).await.len()
}

fn query(scope: MemberScope) -> MemberQuery {
    MemberQuery {
        scope,
        text: None,
        branch: None,
        status: None,
        paid_up: None,
        sort: MemberSort::Name,
        page: 1,
        per_page: 50,
    }
}

fn text_query(text: &str) -> MemberQuery {
    MemberQuery {
        text: Some(text.to_string()),
        ..query(MemberScope::All)
    }
}

fn reader(member: MemberId, purpose: &str, at: DateTime<Utc>) -> AccessContext {
    AccessContext {
        reader: Some(member),
        office: Some("secretary, Leeds".into()),
        purpose: purpose.into(),
        at,
    }
}

fn emails(page: &Page<MemberSummary>) -> Vec<String> {
    page.items.iter().map(|m| m.email.clone()).collect()
}

// ---------------------------------------------------------------- schema and structure

// ---------------------------------------------------------------- register

// ---------------------------------------------------------------- directory

async fn directory(store: &dyn Store) -> (Org, Vec<MemberId>) {
    let o = org(store).await;
    let people = [
        (
            "Ann",
            "Okafor",
            "ann.okafor@example.org",
            "SE1 7PB",
            o.brixton,
        ),
        ("Ben", "Adams", "ben@example.net", "LS1 1AA", o.leeds),
        ("Chloé", "Dubois", "chloe@example.org", "YO1 7HH", o.york),
        ("dan", "adams", "dan.adams@example.com", "LS6 2QT", o.leeds),
        ("Eve", "Zephyr", "eve@zephyr.example", "M1 1AE", o.leeds),
        (
            "Fay",
            "Smith",
            "fay.smith@example.org",
            "SE15 4QS",
            o.brixton,
        ),
        ("Gus", "Smithers", "gus@example.org", "YO10 5DD", o.york),
    ];
    let mut ids = Vec::new();
    for (i, (f, l, e, p, b)) in people.into_iter().enumerate() {
        let mut m = new_member(f, l, e, p, b);
        m.joined_on = d(2023, 1, 1) + Duration::days(i64::try_from(i).unwrap() * 30);
        ids.push(add(store, &m).await);
    }
    (o, ids)
}

// ---------------------------------------------------------------- access log

// ---------------------------------------------------------------- offices and bodies

// ---------------------------------------------------------------- sign-in

// ---------------------------------------------------------------- bulk

// ---------------------------------------------------------------- constitution

fn version(label: &str, effective: NaiveDate) -> NewConstitutionVersion {
    NewConstitutionVersion {
        toml: format!("name = \"Test\"\nversion = \"{label}\"\neffective = {effective}\n"),
        version: label.into(),
        name: "Test".into(),
        effective,
        adopted_by: format!("conference, {effective}"),
    }
}

fn attempt(on: NaiveDate, adopted: bool) -> NewAmendmentAttempt {
    NewAmendmentAttempt {
        decided_on: on,
        body: "conference".into(),
        record_json: "{\"present\":900}".into(),
        adopted,
        failures_json: if adopted {
            "[]".into()
        } else {
            "[[\"7.1\",\"too little notice\"]]".into()
        },
    }
}

/// A meeting of conference starting at `starts`, with nobody to give notice to.
fn conference(title: &str, starts: DateTime<Utc>) -> NewMeeting {
    NewMeeting {
        body: "conference".into(),
        unit: None,
        kind: "special-conference".into(),
        title: title.into(),
        starts_at: starts,
        ends_at: starts + chrono::Duration::hours(6),
        mode: charter_domain::MeetingMode::Physical,
        place: Some("Hall".into()),
        online_url: None,
        agenda: "1. The amendment".into(),
        notice_clause: Some("7.1".into()),
        notice_days: Some(14),
        called_by: None,
        check_in_code: "ABC234".into(),
    }
}

fn amendment_motion(meeting: i64) -> NewMotion {
    NewMotion {
        meeting: MeetingId(meeting),
        kind: "constitutional-amendment".into(),
        title: "Amend the constitution".into(),
        text: "That the constitution be amended.".into(),
        matter: None,
        position: None,
        requires: None,
        proposed_by: None,
        seconded_by: None,
        parent: None,
        target: None,
        emergency: false,
    }
}

fn amendment_outcome(adopted: bool) -> MotionOutcome {
    MotionOutcome {
        state: if adopted {
            MotionState::Adopted
        } else {
            MotionState::NotBinding
        },
        votes_for: 610,
        votes_against: 250,
        abstentions: 40,
        present: 900,
        failures_json: if adopted {
            "[]".into()
        } else {
            "[[\"7.1\",\"too little notice\"]]".into()
        },
    }
}

fn amendment_decision(
    amendment: i64,
    on: NaiveDate,
    version: Option<NewConstitutionVersion>,
) -> AmendmentDecision {
    let adopted = version.is_some();
    AmendmentDecision {
        amendment: AmendmentId(amendment),
        attempt: attempt(on, adopted),
        version,
        event: event(
            if adopted {
                "constitution.amended"
            } else {
                "constitution.amendment_refused"
            },
            "amendment",
        ),
    }
}

fn historical_entry(
    amendment: AmendmentId,
    officer: MemberId,
    held_on: NaiveDate,
) -> NewHistoricalEntry {
    NewHistoricalEntry {
        amendment,
        entered_by: officer,
        unit: None,
        body: "conference".into(),
        kind: "special-conference".into(),
        notice_on: held_on.checked_sub_days(chrono::Days::new(2)),
        held_on,
        entitled: 21_000,
        present: 900,
        votes_for: 610,
        votes_against: 250,
        abstentions: 40,
    }
}

/// Two officers' agreeing entries of a historical conference held on `held_on` that decided
/// on `amendment`, and the meeting they make.
async fn historical_meeting(
    store: &dyn Store,
    amendment: AmendmentId,
    officers: [MemberId; 2],
    held_on: NaiveDate,
    version: Option<NewConstitutionVersion>,
) -> StoreResult<(MeetingId, MotionId)> {
    let mut entries = [HistoricalEntryId(0); 2];
    for (i, officer) in officers.into_iter().enumerate() {
        entries[i] = store
            .add_historical_entry(
                &historical_entry(amendment, officer, held_on),
                &by(officer, "meeting.historical_entry", "amendment"),
            )
            .await?;
    }
    let starts = held_on.and_hms_opt(10, 0, 0).unwrap().and_utc();
    let adopted = version.is_some();
    store
        .record_historical_meeting(&NewHistoricalMeeting {
            entries,
            meeting: conference("Special conference (historical)", starts),
            notice_on: held_on.checked_sub_days(chrono::Days::new(2)),
            entitled: 21_000,
            meeting_event: event("meeting.historical_recorded", "meeting"),
            motion: amendment_motion(0),
            proposal_event: event("motion.proposed", "meeting"),
            outcome: amendment_outcome(adopted),
            decision_event: event("motion.decided", "meeting"),
            decision: amendment_decision(amendment.0, held_on, version),
        })
        .await
}

/// A two-hour general meeting of Brixton starting at `starts`, called by `ann`.
pub(crate) async fn brixton_meeting(
    store: &dyn Store,
    brixton: UnitId,
    ann: MemberId,
    starts: DateTime<Utc>,
    invitees: &[NewInvitee],
) -> MeetingId {
    store
        .call_meeting(
            &NewMeeting {
                body: "branch-meeting".into(),
                unit: Some(brixton),
                kind: "general-meeting".into(),
                title: "Brixton general meeting".into(),
                starts_at: starts,
                ends_at: starts + chrono::Duration::hours(2),
                mode: charter_domain::MeetingMode::Physical,
                place: Some("Library".into()),
                online_url: None,
                agenda: "1. Motions".into(),
                notice_clause: None,
                notice_days: None,
                called_by: Some(ann),
                check_in_code: "ABC234".into(),
            },
            invitees,
            &NoticeText {
                subject: "Notice".into(),
                body: "Come".into(),
            },
            &event("meeting.called", "meeting"),
        )
        .await
        .unwrap()
}

/// An event by the system at `at`.
fn event_at(kind: &str, at: DateTime<Utc>) -> NewEvent {
    NewEvent {
        at,
        ..event(kind, "agenda")
    }
}

// ---------------------------------------------------------------- joining and leaving

fn applicant(first: &str, email: &str, branch: UnitId) -> NewApplication {
    let mut member = new_member(first, "Applicant", email, "LS2 9JT", branch);
    member.status = MemberStatus::Applicant;
    member.joined_on = d(2024, 11, 27);
    NewApplication {
        member,
        consent: "I support the aims of the organisation.".into(),
        clause: Some("3.1".into()),
    }
}

fn letter(member: Option<MemberId>, address: &str, subject: &str) -> Letter {
    Letter {
        member,
        address: address.into(),
        subject: subject.into(),
        body: format!("about: {subject}"),
    }
}

/// Every letter queued since the last call (claimed, so the next call sees only new ones).
async fn new_letters(store: &dyn Store) -> Vec<(Option<MemberId>, String, String)> {
    let mut out: Vec<(Option<MemberId>, String, String)> = store
        .claim_outbox(t(100_000), t(200_000), 1_000)
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.member, m.address, m.subject))
        .collect();
    out.sort();
    out
}

/// Every test above, by name: the backends' test files expand this list with
/// [`conformance_tests!`](crate::conformance_tests).
#[macro_export]
macro_rules! conformance_tests {
    ($make:path) => {
        $crate::conformance_tests!(@each $make;
            migrate_twice_and_ping,
            units_form_a_tree_and_slugs_are_unique,
            added_member_reads_back_with_history,
            duplicate_email_writes_nothing,
            events_are_ordered_one_per_change,
            status_changes_follow_expected_and_go_stale,
            concurrent_status_changes_let_exactly_one_win,
            payments_recompute_paid_up_until,
            affiliations_are_added_and_verified,
            transfers_move_the_member_and_keep_history,
            updates_change_fields_and_search,
            search_matches_any_part_of_name_email_or_postcode,
            search_sorts_and_pages,
            search_filters_combine,
            scope_never_leaks,
            reads_are_logged_for_each_member_returned,
            appointments_close_the_previous_term,
            bodies_have_seats_and_holders,
            sessions_and_passwords,
            branch_stats_count_statuses_and_paid_up,
            seeding_loads_members_with_histories,
            constitution_changes_only_by_amendment_with_events,
            member_facts_reflect_the_register_on_a_date,
            large_rolls_read_back_line_for_line,
            rolls_freeze_count_and_take_challenges,
            motions_are_seconded_amended_and_withdrawn,
            procedural_motions_take_effect_when_adopted,
            minutes_are_final_once_approved,
            agenda_items_and_papers_are_kept_for_the_record,
            polls_count_each_present_voter_once,
            meetings_notices_attendance_and_motions,
            letters_settle_in_bulk,
            composites_form_on_every_movers_consent,
            requisitions_collect_signatures_and_are_answered,
            motions_require_meetings_and_overdue_requisitions_remind,
            ballots_keep_voters_apart_from_their_choices,
            ballots_cast_at_once_are_each_answered_as_alone,
            ballot_boards_are_appended_once_per_author,
            elections_nominate_and_seat_their_winners,
            paper_ballots_go_in_only_by_agreed_batches,
            delegates_are_apportioned_credentialed_and_vote_by_card,
            applications_are_submitted_and_decided_once,
            repeat_applications_write_at_most_one_letter_a_day,
            resigning_ends_membership_offices_seats_and_sessions,
            units_are_established_renamed_merged_and_closed,
            offices_name_the_decision_they_came_from,
            invitations_carry_minted_tokens_that_work_once,
            a_new_letter_replaces_the_earlier_link,
            password_resets_are_silent_and_not_replaced_at_once,
            email_changes_wait_for_confirmation,
            password_changes_end_other_sessions,
            totp_steps_and_recovery_codes_are_accepted_once,
            account_policy_starts_off_and_changes_with_its_event,
            an_accepted_applicant_is_welcomed_with_an_invitation,
            imports_write_a_whole_register_in_one_transaction,
            imports_write_nothing_when_any_part_fails,
            import_matches_find_members_by_email_or_number,
            imports_of_many_members_are_searchable,
        );
    };
    (@each $make:path; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                // `$make` returns None when the backend cannot run here (it says why).
                let Some((store, _guard)) = $make().await else { return };
                $crate::conformance::$name(&store).await;
            }
        )*
    };
}

#[cfg(test)]
mod tests {
    /// The macro's list and this file's `pub async fn`s must agree, or a test silently
    /// never runs against a backend.
    #[test]
    fn macro_lists_every_suite_function() {
        let src = include_str!("conformance.rs");
        let (suite, rest) = src.split_once("#[macro_export]").unwrap();
        // The suite's own file first, then its parts by area, in the order listed.
        let parts = [
            suite,
            include_str!("conformance/schema.rs"),
            include_str!("conformance/register.rs"),
            include_str!("conformance/directory.rs"),
            include_str!("conformance/offices.rs"),
            include_str!("conformance/sign_in.rs"),
            include_str!("conformance/bulk.rs"),
            include_str!("conformance/constitution.rs"),
            include_str!("conformance/rolls.rs"),
            include_str!("conformance/meetings.rs"),
            include_str!("conformance/requisitions.rs"),
            include_str!("conformance/ballots.rs"),
            include_str!("conformance/elections.rs"),
            include_str!("conformance/paper.rs"),
            include_str!("conformance/delegates.rs"),
            include_str!("conformance/joining.rs"),
            include_str!("conformance/structure.rs"),
            include_str!("conformance/accounts.rs"),
            include_str!("conformance/import.rs"),
        ];
        let defined: Vec<&str> = parts
            .iter()
            .flat_map(|p| p.lines())
            .filter_map(|l| l.strip_prefix("pub async fn "))
            .filter_map(|l| l.split('(').next())
            .filter(|name| *name != "org")
            .collect();
        let list = rest
            .split_once("@each $make;")
            .unwrap()
            .1
            .split_once(");")
            .unwrap()
            .0;
        let listed: Vec<&str> = list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        assert_eq!(defined, listed);
    }
}
