//! The constitution file: errors name where they lie, and nothing is silently ignored.

mod common;

use charter_rules::Constitution;
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
