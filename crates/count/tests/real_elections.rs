//! Real elections with published results (see `../shared/data/elections/README.md`): every
//! STV count here must reproduce them exactly. The data lives outside the repository; when it
//! is absent these tests say so loudly and pass, so a machine without it can still run the
//! suite, but on CI they fail (`charter_test_support::election_data`).

use std::path::{Path, PathBuf};

use charter_count::stv::{self, StvMethod, StvOptions};
use charter_count::{Election, Report, blt, irish};
use serde_json::Value;

fn data_dir() -> Option<PathBuf> {
    charter_test_support::election_data()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn glasgow_2007_wards(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut wards: Vec<(String, PathBuf)> = std::fs::read_dir(dir.join("glasgow-2007"))
        .expect("glasgow-2007 folder")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path
                .file_name()?
                .to_str()?
                .strip_suffix(".blt")?
                .to_string();
            Some((name, path))
        })
        .collect();
    wards.sort();
    assert_eq!(wards.len(), 21, "21 Glasgow wards");
    wards
}

fn names_elected(report: &Report) -> Vec<String> {
    report
        .elected
        .iter()
        .map(|c| report.candidate_names[c.index()].clone())
        .collect()
}

/// The candidate-state snapshots of the Droop Scottish-STV record that correspond to our
/// stages: the first-preference count, then the result of each transfer.
fn droop_stages(record: &Value) -> Vec<Vec<String>> {
    let mut stages = Vec::new();
    for action in record["actions"].as_array().expect("actions") {
        let tag = action["tag"].as_str().unwrap_or("");
        if tag != "begin" && tag != "transfer" {
            continue;
        }
        let cstate = action["cstate"].as_object().expect("cstate");
        let mut votes = vec![String::new(); cstate.len()];
        for (cid, st) in cstate {
            let i: usize = cid.parse().expect("numeric cid");
            votes[i - 1] = st["vote"].as_str().expect("vote").to_string();
        }
        stages.push(votes);
    }
    stages
}

#[test]
fn glasgow_2007_scottish_stv_matches_every_stage() {
    let Some(dir) = data_dir() else { return };
    for (ward, path) in glasgow_2007_wards(&dir) {
        let election = blt::parse(&read(&path)).expect("ward parses");
        let report =
            stv::count(&election, StvMethod::ScottishStv, &StvOptions::default()).expect("count");
        let record: Value = serde_json::from_str(&read(
            &dir.join(format!("glasgow-2007/{ward}.droop-scotland.json")),
        ))
        .expect("droop json");
        assert_eq!(
            report.quota.expect("quota").to_string(),
            record["quota"].as_str().unwrap(),
            "{ward}: quota"
        );
        let stages = droop_stages(&record);
        assert_eq!(
            report.rounds.len(),
            stages.len(),
            "{ward}: number of stages"
        );
        for (round, expected) in report.rounds.iter().zip(&stages) {
            let ours: Vec<String> = round.totals.iter().map(|d| d.to_string()).collect();
            assert_eq!(&ours, expected, "{ward}: stage {}", round.number);
        }
        let last = record["actions"].as_array().unwrap().last().unwrap();
        let mut expected: Vec<String> = last["cstate"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, st)| st["code"] == "E")
            .map(|(cid, _)| {
                let i: usize = cid.parse().unwrap();
                election.candidates[i - 1].name.clone()
            })
            .collect();
        let mut ours = names_elected(&report);
        expected.sort();
        ours.sort();
        assert_eq!(ours, expected, "{ward}: elected");
    }
}

/// The part of a Droop-layout Meek transcript that records the count itself (from the first
/// action on), and the quota and omega header lines.
fn transcript_body(text: &str) -> (Vec<&str>, Vec<&str>) {
    let header: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("\tQuota:") || l.starts_with("\tOmega:"))
        .take(2)
        .collect();
    let body: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Action: Begin Count"))
        .collect();
    (header, body)
}

fn assert_same_transcript(label: &str, ours: &str, theirs: &str) {
    let (oh, ob) = transcript_body(ours);
    let (th, tb) = transcript_body(theirs);
    assert_eq!(oh, th, "{label}: quota and omega");
    // Droop prints names with runs of spaces collapsed ("Ellen   Hurcombe" in Canal's BLT);
    // names are compared the same way, every number exactly.
    let squash = |l: &str| {
        l.split(' ')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    for (i, (a, b)) in ob.iter().zip(&tb).enumerate() {
        assert_eq!(
            squash(a),
            squash(b),
            "{label}: transcript line {} of the count",
            i + 1
        );
    }
    assert_eq!(ob.len(), tb.len(), "{label}: transcript length");
}

#[test]
fn glasgow_2007_meek_matches_transcripts_number_for_number() {
    let Some(dir) = data_dir() else { return };
    for (ward, path) in glasgow_2007_wards(&dir) {
        let election = blt::parse(&read(&path)).expect("ward parses");
        let (report, transcript) =
            stv::meek_transcript(&election, &StvOptions::default()).expect("count");
        let theirs = read(&dir.join(format!("glasgow-2007/{ward}.meek-fixed9-transcript.txt")));
        assert_same_transcript(&ward, &transcript.render(), &theirs);
        assert!(report.tie_breaks.is_empty(), "{ward}: no ties expected");
    }
}

#[test]
fn glasgow_2007_readme_winners() {
    let Some(dir) = data_dir() else { return };
    for (ward, winners) in [
        (
            "Calton-2007",
            ["George Redmond", "Ruth Simpson", "Alison E Thewliss"].as_slice(),
        ),
        (
            "Linn-2007",
            [
                "Margot Clark",
                "Sadie Docherty",
                "John McKenzie",
                "David Ritchie",
            ]
            .as_slice(),
        ),
    ] {
        let election = blt::parse(&read(&dir.join(format!("glasgow-2007/{ward}.blt")))).unwrap();
        for method in [StvMethod::ScottishStv, StvMethod::Meek] {
            let report = stv::count(&election, method, &StvOptions::default()).unwrap();
            let mut ours = names_elected(&report);
            let mut expected = winners.to_vec();
            ours.sort();
            expected.sort();
            assert_eq!(ours, expected, "{ward} by {method:?}");
        }
    }
}

#[test]
fn glasgow_2017_linn_matches_official_stages() {
    let Some(dir) = data_dir() else { return };
    let dir = dir.join("glasgow-2017-linn");
    let election = blt::parse(&read(&dir.join("glasgow_2017_ward1.blt"))).expect("parses");
    assert_eq!(election.total_votes(), 8800);
    assert_eq!(election.candidates.len(), 12);
    let report =
        stv::count(&election, StvMethod::ScottishStv, &StvOptions::default()).expect("count");
    assert_eq!(report.quota.unwrap().to_string(), "1761.00000");
    let official: Value =
        serde_json::from_str(&read(&dir.join("official-ResultsJson-S13002967.json"))).unwrap();
    let groups = official["Constituency"]["countGroup"].as_array().unwrap();
    // Names in the BLT are "Firstname SURNAME (Party)".
    let index_of = |surname: &str| {
        election
            .candidates
            .iter()
            .position(|c| c.name.contains(&surname.to_uppercase()))
            .unwrap_or_else(|| panic!("candidate {surname}"))
    };
    let stages = groups
        .iter()
        .map(|g| g["Count_Number"].as_u64().unwrap())
        .max()
        .unwrap();
    assert_eq!(stages, 11);
    assert_eq!(report.rounds.len(), 11, "one round per official stage");
    // Published values are strings, sometimes without decimals; as hundred-thousandths.
    let units = |v: &Value| -> i64 {
        let s = match v {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        };
        let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
        let frac = format!("{frac:0<5}");
        let sign = if whole.starts_with('-') { -1 } else { 1 };
        whole.parse::<i64>().unwrap() * 100_000 + sign * frac.parse::<i64>().unwrap()
    };
    let mut official = vec![vec![0i64; election.candidates.len()]; stages as usize];
    let mut transfers = official.clone();
    for g in groups {
        let stage = g["Count_Number"].as_u64().unwrap() as usize;
        let c = index_of(g["Surname"].as_str().unwrap());
        official[stage - 1][c] = units(&g["Total_Votes"]);
        transfers[stage - 1][c] = units(&g["Transfers"]);
    }
    let mut typos = 0;
    for stage in 1..official.len() {
        for c in 0..election.candidates.len() {
            // The publication's stage 3 total for Digney reads 393, but its own stage-2 total
            // (293) plus its stage-3 transfer (10) is 303: where the two disagree, the
            // running sum of the published transfers is the figure to meet.
            let running = official[stage - 1][c] + transfers[stage][c];
            if official[stage][c] != running {
                typos += 1;
                official[stage][c] = running;
            }
        }
    }
    assert_eq!(typos, 1, "one known inconsistency in the publication");
    for (stage, totals) in official.iter().enumerate() {
        let ours: Vec<i64> = report.rounds[stage]
            .totals
            .iter()
            .map(|d| {
                assert_eq!(d.scale, 5);
                d.units as i64
            })
            .collect();
        assert_eq!(&ours, totals, "stage {}", stage + 1);
    }
    let elected: Vec<String> = names_elected(&report);
    assert_eq!(
        elected,
        [
            "Glenn ELDER (SNP)",
            "Margaret MORGAN (SNP)",
            "Malcolm CUNNING (Lab)",
            "Euan BLOCKLEY (C)"
        ]
    );
    let excluded: Vec<String> = report
        .rounds
        .iter()
        .filter_map(|r| match &r.action {
            charter_count::Action::Excluded(c) => {
                Some(election.candidates[c[0].index()].name.clone())
            }
            _ => None,
        })
        .map(|n| n.split(' ').nth(1).unwrap().to_string())
        .collect();
    assert_eq!(
        excluded,
        [
            "COWAN", "BRODIE", "POLLOCK", "DIGNEY", "LEINSTER", "CLARK", "MILLIGAN", "STEWART"
        ]
    );
}

/// Irish 2002 with candidates named "Name (Party)", as the published transcript names them.
fn irish(dir: &Path, file: &str) -> Election {
    let parsed = irish::parse_with_parties(&read(&dir.join("irish-2002").join(file))).unwrap();
    let mut election = parsed.election;
    for (c, party) in election.candidates.iter_mut().zip(&parsed.parties) {
        c.name = format!("{} ({party})", c.name.trim());
    }
    election
}

#[test]
fn irish_2002_winners() {
    let Some(dir) = data_dir() else { return };
    for (file, votes, winners) in [
        (
            "DublinWest2002.json",
            29_988,
            ["Joe Higgins", "Brian Lenihan", "Joan Burton"].as_slice(),
        ),
        (
            "Meath2002.json",
            64_081,
            [
                "Noel Dempsey",
                "Mary Wallace",
                "Johnny Brady",
                "John Bruton",
                "Damien English",
            ]
            .as_slice(),
        ),
    ] {
        let election = irish(&dir, file);
        assert_eq!(election.total_votes(), votes);
        for method in [StvMethod::Meek, StvMethod::ScottishStv, StvMethod::Wigm] {
            let report = stv::count(&election, method, &StvOptions::default()).unwrap();
            let mut ours: Vec<String> = names_elected(&report)
                .into_iter()
                .map(|n| n.split(" (").next().unwrap().to_string())
                .collect();
            let mut expected: Vec<String> = winners.iter().map(|s| s.to_string()).collect();
            ours.sort();
            expected.sort();
            assert_eq!(ours, expected, "{file} by {method:?}");
        }
    }
}

#[test]
fn meath_2002_meek_matches_transcript() {
    let Some(dir) = data_dir() else { return };
    let election = irish(&dir, "Meath2002.json");
    let (_, transcript) = stv::meek_transcript(&election, &StvOptions::default()).unwrap();
    let theirs = read(&dir.join("irish-2002/Meath2002.meek-fixed9-transcript.txt"));
    assert_same_transcript("Meath 2002", &transcript.render(), &theirs);
}

/// Big-rational Meek must elect the same people as the published fixed-point counts.
#[test]
fn meek_with_rationals_elects_the_same() {
    let Some(dir) = data_dir() else { return };
    let exact = StvOptions {
        meek_arithmetic: stv::MeekArithmetic::Exact,
        ..StvOptions::default()
    };
    let mut elections: Vec<(String, Election)> = ["Calton-2007", "Linn-2007", "Govan-2007"]
        .iter()
        .map(|w| {
            let path = dir.join(format!("glasgow-2007/{w}.blt"));
            (w.to_string(), blt::parse(&read(&path)).unwrap())
        })
        .collect();
    elections.push(("Meath 2002".into(), irish(&dir, "Meath2002.json")));
    for (label, election) in elections {
        let fixed = stv::count(&election, StvMethod::Meek, &StvOptions::default()).unwrap();
        let rational = stv::count(&election, StvMethod::Meek, &exact).unwrap();
        let mut a = names_elected(&fixed);
        let mut b = names_elected(&rational);
        a.sort();
        b.sort();
        assert_eq!(a, b, "{label}");
    }
}

#[test]
fn minneapolis_2013_park_board_matches_rctab_rounds() {
    use charter_count::stv::minneapolis::{CvrRules, WRITE_IN_NAME, read_cvr_xlsx};
    let Some(dir) = data_dir() else { return };
    let dir = dir.join("minneapolis-2013-park");
    let config: Value =
        serde_json::from_str(&read(&dir.join("2013_minneapolis_park_config.json"))).unwrap();
    let names: Vec<&str> = config["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let bytes = std::fs::read(dir.join("2013_minneapolis_park_cvr.xlsx")).unwrap();
    let cvr = read_cvr_xlsx(&bytes, &names, 3, &CvrRules::default()).expect("workbook");
    let expected: Value = serde_json::from_str(&read(
        &dir.join("2013_minneapolis_park_expected_detailed_report.json"),
    ))
    .unwrap();
    assert_eq!(
        cvr.undervotes,
        expected["summary"]["undervotes"].as_u64().unwrap()
    );
    assert_eq!(
        cvr.election.total_votes() + cvr.undervotes,
        expected["summary"]["totalNumBallots"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    );
    let report = stv::count(
        &cvr.election,
        StvMethod::Minneapolis,
        &StvOptions::default(),
    )
    .expect("count");
    assert_eq!(report.quota.unwrap().to_string(), "14866.0000");
    let units = |s: &str| -> i128 {
        let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
        whole.parse::<i128>().unwrap() * 10_000 + format!("{frac:0<4}").parse::<i128>().unwrap()
    };
    let rounds = expected["results"].as_array().unwrap();
    // RCTab's last round hands the final winner's surplus to nobody after every seat is
    // filled; the count here stops when the seats are filled, so it has one round fewer.
    assert_eq!(report.rounds.len(), rounds.len() - 1);
    for (ours, theirs) in report.rounds.iter().zip(rounds) {
        for (name, value) in theirs["tally"].as_object().unwrap() {
            let c = report
                .candidate_names
                .iter()
                .position(|n| n == name)
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!(
                ours.totals[c].units,
                units(value.as_str().unwrap()),
                "round {}, {name}",
                ours.number
            );
        }
        let exhausted = theirs["inactiveBallots"]["exhaustedChoices"]
            .as_str()
            .unwrap();
        assert_eq!(
            ours.exhausted.units,
            units(exhausted),
            "round {}",
            ours.number
        );
    }
    assert_eq!(
        names_elected(&report),
        ["JOHN ERWIN", "ANNIE YOUNG", "MEG FORNEY"]
    );
    assert_eq!(report.candidate_names.last().unwrap(), WRITE_IN_NAME);
}
