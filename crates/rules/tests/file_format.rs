//! The constitution file: errors name where they lie, and nothing is silently ignored.

mod common;

use charter_rules::{BallotRule, Constitution, CountMethod, Key, NominationRule, TrusteeRule};
use common::*;

fn error_of(src: &str) -> String {
    Constitution::from_toml(src).unwrap_err().to_string()
}

const HEAD: &str =
    "name = \"N\"\nversion = \"v\"\neffective = 2016-01-01\nadopted_by = \"founding\"\n";

#[test]
fn a_bad_condition_names_clause_rule_and_column() {
    let src = format!(
        "{HEAD}[[clause]]\nnumber = \"4.2\"\ntext = \"t\"\n[[clause.right]]\ngrant = [\"vote\"]\nin = [\"*\"]\nwhen = \"paid_up\"\n[[clause.right]]\ngrant = [\"vote\"]\nin = [\"*\"]\nwhen = \"status is active and paid_upp\"\n"
    );
    insta::assert_snapshot!(error_of(&src), @"clause 4.2, rule 2, column 22: expected a condition such as 'paid_up', 'status is active', 'member_for >= 90 days', 'affiliated(\"…\", verified)', 'holds office' or 'not …', found 'paid_upp'");
}

#[test]
fn errors_in_the_file_say_where() {
    let cases = [
        format!("{HEAD}[[clause]]\nnumber = \"4.x\"\ntext = \"t\"\n"),
        format!(
            "{HEAD}[[clause]]\nnumber = \"1\"\ntext = \"t\"\n[[clause]]\nnumber = \"1\"\ntext = \"u\"\n"
        ),
        format!(
            "{HEAD}[[clause]]\nnumber = \"1\"\ntext = \"t\"\n[[clause.right]]\ngrant = [\"dance\"]\nin = [\"*\"]\nwhen = \"true\"\n"
        ),
        format!(
            "{HEAD}[[clause]]\nnumber = \"1\"\ntext = \"t\"\n[[clause.right]]\ngrant = [\"vote\"]\nin = [\"committee:ghosts\"]\nwhen = \"true\"\n"
        ),
        format!(
            "{HEAD}[[clause]]\nnumber = \"1\"\ntext = \"t\"\n[[clause.right]]\nrestrict = [\"vote\"]\nin = [\"*\"]\nwhen = \"true\"\n"
        ),
        format!(
            "{HEAD}[[clause]]\nnumber = \"1\"\ntext = \"t\"\n[[clause.quorum]]\nmeeting = \"general-meeting\"\nmembers = 5\nshare = \"10%\"\n"
        ),
        format!(
            "{HEAD}[[clause]]\nnumber = \"1\"\ntext = \"t\"\n[[clause.threshold]]\ndecision = \"ordinary-motion\"\nby = [\"pub\"]\nmore_than = \"half\"\nof = \"votes-cast\"\n"
        ),
        format!(
            "{HEAD}[[clause]]\nnumber = \"1\"\ntext = \"t\"\ndues_grace_days = 31\n[[clause]]\nnumber = \"2\"\ntext = \"t\"\ndues_grace_days = 30\n"
        ),
        format!(
            "{HEAD}[[clause]]\nnumber = \"1\"\ntext = \"t\"\n[[clause.notice]]\nmeeting = \"general-meeting\"\nclear_days = 14\n[[clause.notice]]\nmeeting = \"general-meeting\"\nclear_days = 7\n"
        ),
        format!("{HEAD}[[clause]]\nnumber = \"1\"\ntext = \"t\"\ncolour = \"red\"\n"),
        format!(
            "{HEAD}[[clause]]\nnumber = \"1\"\ntext = \"t\"\n[[clause.body]]\nkey = \"council\"\nname = \"Council\"\nlevel = \"national\"\nfilled = \"elected\"\nby = \"nobody\"\n"
        ),
        "name = \"N\"\nversion = \"v\"\neffective = \"someday\"\nadopted_by = \"x\"\n".to_string(),
    ];
    let out: Vec<String> = cases.iter().map(|c| error_of(c)).collect();
    insta::assert_snapshot!(out.join("\n"));
}

#[test]
fn the_fixtures_export_readably() {
    let text = founding().to_toml();
    assert!(text.contains("[[clause.right]]"), "{text}");
    assert!(
        text.contains("when = \"status is active and paid_up and home unit within context\""),
        "{text}"
    );
    assert_eq!(Constitution::from_toml(&text).unwrap(), founding());
    // The amendment's effective date is what History keys on.
    assert_eq!(amendment().effective(), d(2017, 7, 1));
}

/// Bodies for the nomination rules below to name: an elected committee, an appointed
/// council and the conference open to all.
const BODIES: &str = "[[clause]]\nnumber = \"5\"\ntext = \"Bodies.\"\n[[clause.body]]\nkey = \"conference\"\nname = \"Conference\"\nlevel = \"national\"\nfilled = \"all-members\"\n[[clause.body]]\nkey = \"steering-committee\"\nname = \"Steering Committee\"\nlevel = \"national\"\nseats = 5\nfilled = \"elected\"\nby = \"conference\"\n[[clause.body]]\nkey = \"national-council\"\nname = \"National Council\"\nlevel = \"national\"\nseats = 9\nfilled = \"appointed\"\nby = \"steering-committee\"\n";

fn with_bodies(rest: &str) -> String {
    format!("{HEAD}{BODIES}{rest}")
}

#[test]
fn ballot_and_nomination_rules_read_and_write_back() {
    let src = with_bodies(
        "[[clause]]\nnumber = \"6.7\"\ntitle = \"Ballots and elections\"\ntext = \"t\"\n[[clause.ballot]]\nelection_method = \"meek\"\nsingle_seat_method = \"schulze\"\nlater_vote_replaces = true\nwindow_days = 10\nroll_challenge_days = 5\nscrutineer = \"scrutineer\"\nreminder_days = [4, 2]\ntrustee_offices = [\"scrutineer\", \"secretary\"]\ntrustees = 3\ntrustee_threshold = 2\n[[clause.nomination]]\nbody = \"steering-committee\"\nnominators = 3\nwindow_days = 21\nwithdrawal_days = 4\n",
    );
    let c = Constitution::from_toml(&src).unwrap();
    let (clause, b) = c.ballot_rule().unwrap();
    assert_eq!(clause.as_str(), "6.7");
    assert_eq!(
        b,
        &BallotRule {
            election_method: CountMethod::Meek,
            single_seat_method: CountMethod::Schulze,
            later_vote_replaces: true,
            window_days: 10,
            roll_challenge_days: 5,
            scrutineer: Some(Key::parse("scrutineer").unwrap()),
            reminder_days: vec![4, 2],
            trustees: Some(TrusteeRule {
                offices: vec![
                    Key::parse("scrutineer").unwrap(),
                    Key::parse("secretary").unwrap()
                ],
                count: 3,
                threshold: 2,
            }),
        }
    );
    let steering = Key::parse("steering-committee").unwrap();
    let (clause, n) = c.nomination_for(&steering).unwrap();
    assert_eq!(clause.as_str(), "6.7");
    assert_eq!(
        n,
        &NominationRule {
            body: steering,
            nominators: 3,
            window_days: 21,
            withdrawal_days: 4,
        }
    );
    let text = c.to_toml();
    assert!(text.contains("[[clause.ballot]]"), "{text}");
    assert!(text.contains("[[clause.nomination]]"), "{text}");
    assert_eq!(Constitution::from_toml(&text).unwrap(), c);
}

#[test]
fn left_out_ballot_and_nomination_fields_take_their_defaults() {
    let c = Constitution::from_toml(&with_bodies(
        "[[clause]]\nnumber = \"6.7\"\ntext = \"t\"\n[[clause.ballot]]\n[[clause.nomination]]\nbody = \"steering-committee\"\nwindow_days = 14\n",
    ))
    .unwrap();
    assert_eq!(c.ballot_rule().unwrap().1, &BallotRule::default());
    let n = c
        .nomination_for(&Key::parse("steering-committee").unwrap())
        .unwrap()
        .1;
    assert_eq!((n.nominators, n.window_days, n.withdrawal_days), (1, 14, 0));
    // The written file says every value, defaults included, so readers need not know them.
    let text = c.to_toml();
    for line in [
        "election_method = \"scottish-stv\"",
        "single_seat_method = \"irv\"",
        "later_vote_replaces = false",
        "window_days = 7",
        "roll_challenge_days = 3",
        "nominators = 1",
        "withdrawal_days = 0",
    ] {
        assert!(text.contains(line), "{line} in {text}");
    }
    assert!(!text.contains("scrutineer"), "{text}");
    assert_eq!(Constitution::from_toml(&text).unwrap(), c);

    // With no ballot clause at all there is no rule, and the engine's defaults apply.
    let none = Constitution::from_toml(&with_bodies("")).unwrap();
    assert_eq!(none.ballot_rule(), None);
    assert_eq!(BallotRule::default().method_for(5), "scottish-stv");
    assert_eq!(BallotRule::default().method_for(1), "irv");
}

#[test]
fn ballot_and_nomination_errors_say_where() {
    let clause = "[[clause]]\nnumber = \"6.7\"\ntext = \"t\"\n";
    let ballot = "[[clause.ballot]]\n";
    let nomination = "[[clause.nomination]]\nbody = \"steering-committee\"\nwindow_days = 14\n";
    let cases = [
        // A method that does not exist, in each method field.
        format!("{clause}{ballot}election_method = \"stv\"\n"),
        format!("{clause}{ballot}single_seat_method = \"first-past-the-post\"\n"),
        // IRV cannot fill several seats.
        format!("{clause}{ballot}election_method = \"irv\"\n"),
        format!("{clause}{ballot}window_days = 0\n"),
        format!("{clause}{ballot}scrutineer = \"Returning Officer\"\n"),
        // The scrutineer is an office's holder: a name that is no office is refused.
        format!("{clause}{ballot}scrutineer = \"returning-officer\"\n"),
        format!("{clause}{ballot}colour = \"red\"\n"),
        // Set twice: in one clause, then in two.
        format!("{clause}{ballot}{ballot}"),
        format!("{clause}{ballot}[[clause]]\nnumber = \"6.8\"\ntext = \"u\"\n{ballot}"),
        // Nominations for bodies that are not there, not elected, or have no seats.
        format!(
            "{clause}{nomination}[[clause.nomination]]\nbody = \"ghost-committee\"\nwindow_days = 14\n"
        ),
        format!("{clause}[[clause.nomination]]\nbody = \"national-council\"\nwindow_days = 14\n"),
        format!("{clause}[[clause.nomination]]\nbody = \"conference\"\nwindow_days = 14\n"),
        format!("{clause}[[clause.nomination]]\nbody = \"Steering\"\nwindow_days = 14\n"),
        format!("{clause}{nomination}{nomination}"),
        format!("{clause}{nomination}[[clause]]\nnumber = \"6.8\"\ntext = \"u\"\n{nomination}"),
        format!("{clause}{nomination}nominators = 0\n"),
        format!("{clause}[[clause.nomination]]\nbody = \"steering-committee\"\n"),
    ];
    let out: Vec<String> = cases.iter().map(|c| error_of(&with_bodies(c))).collect();
    insta::assert_snapshot!(out.join("\n"));
}

#[test]
fn delegates_errors_say_where() {
    let clause = "[[clause]]\nnumber = \"6.8\"\ntext = \"t\"\n";
    let rule = "[[clause.delegates]]\nmeeting = \"annual-conference\"\nmembers_per_delegate = 50\nruled_by = \"chair\"\n";
    let cases = [
        format!("{clause}{rule}card_vote = \"block\"\n"),
        format!(
            "{clause}[[clause.delegates]]\nmeeting = \"annual-conference\"\nmembers_per_delegate = 0\nruled_by = \"chair\"\n"
        ),
        format!("{clause}{rule}minimum = 3\nmaximum = 2\n"),
        format!("{clause}{rule}maximum = 0\n"),
        format!("{clause}{rule}challenge_days = 8\ncredentials_due_days = 7\n"),
        format!(
            "{clause}[[clause.delegates]]\nmeeting = \"annual-conference\"\nmembers_per_delegate = 50\nruled_by = \"standing-orders-committee\"\n"
        ),
        format!(
            "{clause}[[clause.delegates]]\nmeeting = \"Annual Conference\"\nmembers_per_delegate = 50\nruled_by = \"chair\"\n"
        ),
        format!(
            "{clause}[[clause.delegates]]\nmeeting = \"annual-conference\"\nruled_by = \"chair\"\n"
        ),
        format!("{clause}{rule}{rule}"),
        format!("{clause}{rule}[[clause]]\nnumber = \"6.9\"\ntext = \"u\"\n{rule}"),
    ];
    let out: Vec<String> = cases.iter().map(|c| error_of(&with_bodies(c))).collect();
    insta::assert_snapshot!(out.join("\n"));
}

#[test]
fn a_delegates_rule_reads_and_writes_back_with_every_value() {
    let text = with_bodies(
        "[[clause]]\nnumber = \"6.8\"\ntext = \"t\"\n[[clause.delegates]]\nmeeting = \"annual-conference\"\nmembers_per_delegate = 50\nruled_by = \"chair\"\n",
    );
    let c = charter_rules::Constitution::from_toml(&text).unwrap();
    let (clause, d) = c
        .delegates_for(&charter_rules::Key::parse("annual-conference").unwrap())
        .unwrap();
    assert_eq!(clause.as_str(), "6.8");
    // Defaults: at least one each, no maximum, counted on the day, no substitutes, no cards.
    assert_eq!((d.minimum, d.maximum, d.counted_days_before), (1, None, 0));
    assert_eq!(d.substitutes, 0);
    assert_eq!(d.card_vote, charter_rules::CardVote::None);
    let written = c.to_toml();
    assert!(written.contains("card_vote = \"none\""), "{written}");
    assert!(written.contains("substitutes = 0"), "{written}");
    let again = charter_rules::Constitution::from_toml(&written).unwrap();
    assert_eq!(again, c);
}

/// Office and founding clauses: each mistake is refused with the clause and item at fault.
#[test]
fn bad_office_and_founding_clauses_cite_their_clause() {
    let meeting = "[[clause]]\nnumber = \"5\"\ntext = \"Bodies.\"\n[[clause.body]]\nkey = \"branch-meeting\"\nname = \"Branch meeting\"\nlevel = \"branch\"\nfilled = \"all-members\"\n[[clause.body]]\nkey = \"conference\"\nname = \"Conference\"\nlevel = \"national\"\nfilled = \"all-members\"\n[[clause.threshold]]\ndecision = \"appointment\"\nby = [\"branch-meeting\"]\nmore_than = \"half\"\nof = \"votes-cast\"\n";
    let office = |body: &str| {
        format!("{HEAD}{meeting}[[clause]]\nnumber = \"6\"\ntext = \"Officers.\"\n{body}")
    };
    let cases = [
        office(
            "[[clause.office]]\noffice = \"king\"\nlevel = \"branch\"\nfilled = \"appointed\"\nby = \"branch-meeting\"\n",
        ),
        office(
            "[[clause.office]]\noffice = \"secretary\"\nlevel = \"street\"\nfilled = \"appointed\"\nby = \"branch-meeting\"\n",
        ),
        office(
            "[[clause.office]]\noffice = \"secretary\"\nlevel = \"branch\"\nfilled = \"inherited\"\nby = \"branch-meeting\"\n",
        ),
        office(
            "[[clause.office]]\noffice = \"secretary\"\nlevel = \"branch\"\nfilled = \"appointed\"\nby = \"nobody\"\n",
        ),
        office(
            "[[clause.office]]\noffice = \"secretary\"\nlevel = \"region\"\nfilled = \"appointed\"\nby = \"branch-meeting\"\n",
        ),
        office(
            "[[clause.office]]\noffice = \"secretary\"\nlevel = \"national\"\nfilled = \"appointed\"\nby = \"conference\"\n",
        ),
        office(
            "[[clause.office]]\noffice = \"secretary\"\nlevel = \"branch\"\nfilled = \"appointed\"\nby = \"branch-meeting\"\nterm = \"forever\"\n",
        ),
        office(
            "[[clause.office]]\noffice = \"chair\"\nlevel = \"branch\"\nfilled = \"appointed\"\nby = \"branch-meeting\"\n[[clause.office]]\noffice = \"chair\"\nlevel = \"branch\"\nfilled = \"elected\"\nby = \"member-ballot\"\n",
        ),
        office("[clause.founding]\noffices = [\"chair\"]\n"),
        office(
            "[clause.founding]\noffices = [\"secretary\"]\n[[clause.office]]\noffice = \"chair\"\nlevel = \"national\"\nfilled = \"elected\"\nby = \"member-ballot\"\n",
        ),
        office("[clause.founding]\noffices = [\"secretary\", \"emperor\"]\n"),
    ];
    let out: Vec<String> = cases.iter().map(|c| error_of(c)).collect();
    insta::assert_snapshot!(out.join("\n"));
}

#[test]
fn office_and_founding_clauses_export_and_read_back() {
    let c = Constitution::from_toml(charter_rules::EXAMPLE_CONSTITUTION).unwrap();
    let text = c.to_toml();
    assert!(text.contains("[[clause.office]]"), "{text}");
    assert!(text.contains("[clause.founding]"), "{text}");
    assert_eq!(Constitution::from_toml(&text).unwrap(), c);
}

#[test]
fn a_joining_rule_reads_writes_back_and_says_where_it_is_wrong() {
    let clause =
        "[[clause]]\nnumber = \"3.1\"\ntitle = \"Membership\"\ntext = \"Anyone may join.\"\n";
    let src = format!(
        "{HEAD}{clause}[clause.joining]\nask = [\"phone\", \"dues_plan\"]\nrequire = [\"phone\"]\nconsent = \"I support the aims of the Network.\"\n"
    );
    let c = Constitution::from_toml(&src).unwrap();
    let (at, rule) = c.joining_rule().unwrap();
    assert_eq!(at.as_str(), "3.1");
    assert_eq!(
        rule.asks(charter_rules::JoinField::Phone),
        charter_rules::Ask::Required
    );
    assert_eq!(
        rule.asks(charter_rules::JoinField::DuesPlan),
        charter_rules::Ask::Optional
    );
    let written = c.to_toml();
    assert!(written.contains("[clause.joining]"), "{written}");
    assert_eq!(Constitution::from_toml(&written).unwrap(), c);
    assert!(
        c.clauses()[0]
            .rules_in_words()
            .iter()
            .any(|w| w.contains("applicants agree: \"I support the aims of the Network.\"")),
    );

    let cases = [
        format!("{HEAD}{clause}[clause.joining]\nask = [\"birthday\"]\nconsent = \"x\"\n"),
        format!("{HEAD}{clause}[clause.joining]\nrequire = [\"phone\"]\nconsent = \"x\"\n"),
        format!("{HEAD}{clause}[clause.joining]\nask = []\nconsent = \" \"\n"),
        format!(
            "{HEAD}{clause}[clause.joining]\nconsent = \"x\"\n[[clause]]\nnumber = \"3.2\"\ntext = \"t\"\n[clause.joining]\nconsent = \"y\"\n"
        ),
    ];
    let out: Vec<String> = cases.iter().map(|c| error_of(c)).collect();
    assert_eq!(
        out,
        [
            "clause 3.1, joining 1: 'birthday' is not a field the join form can ask for; use one of phone, dues_plan",
            "clause 3.1, joining 1: 'phone' is required but not asked; add it to ask",
            "clause 3.1, joining 1: consent is empty: say what an applicant agrees to",
            "clause 3.2: the join form is already set by clause 3.1",
        ]
    );
}
