//! The command line as `charter count` runs it: real published elections (when
//! `../shared/data/elections/` is present) and small hand-made files, good and bad.

use std::path::{Path, PathBuf};

use charter_count::cli::{CountArgs, CountError, Method, run};
use charter_count::input::InputFormat;
use charter_count::render::Format;

fn data_dir() -> Option<PathBuf> {
    charter_test_support::election_data()
}

fn args(file: &Path, method: Method, format: Format) -> CountArgs {
    CountArgs {
        file: file.to_path_buf(),
        method,
        seats: None,
        format,
        seed: 0,
        input_format: None,
        exact: false,
        meek_transcript: false,
        threshold: charter_count::cli::ThresholdArg::Simple,
        base: charter_count::cli::BaseArg::Cast,
        electorate: None,
    }
}

fn output(a: &CountArgs) -> Result<String, CountError> {
    let mut out = Vec::new();
    run(a, &mut out)?;
    Ok(String::from_utf8(out).expect("output is UTF-8"))
}

fn json(a: &CountArgs) -> serde_json::Value {
    serde_json::from_str(&output(a).unwrap()).unwrap()
}

fn elected(v: &serde_json::Value) -> Vec<String> {
    v["elected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// A file under this test's own scratch folder.
fn scratch(name: &str, content: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("charter-count-cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

#[test]
fn calton_2007_scottish_stv_json() {
    let Some(dir) = data_dir() else { return };
    let file = dir.join("glasgow-2007/Calton-2007.blt");
    let a = args(&file, Method::ScottishStv, Format::Json);
    let text = output(&a).unwrap();
    assert!(text.contains("\"quota\": 1300.00000"), "exact digits kept");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["method"], "scottish-stv");
    assert_eq!(v["seats"], 3);
    assert_eq!(
        sorted(elected(&v)),
        ["Alison E Thewliss", "George Redmond", "Ruth Simpson"]
    );
    assert!(v["rounds"].as_array().unwrap().len() > 1);
    let r0 = &v["rounds"][0];
    for key in [
        "number",
        "totals",
        "transfers",
        "exhausted",
        "action",
        "reason",
    ] {
        assert!(r0.get(key).is_some(), "round has {key}");
    }
}

#[test]
fn linn_2017_unquoted_names_text_and_html() {
    let Some(dir) = data_dir() else { return };
    let file = dir.join("glasgow-2017-linn/glasgow_2017_ward1.blt");
    let text = output(&args(&file, Method::ScottishStv, Format::Text)).unwrap();
    assert!(text.contains("Election: Ward 1 Linn"));
    assert!(text.contains("Quota:    1761"));
    for name in [
        "Glenn ELDER (SNP)",
        "Margaret MORGAN (SNP)",
        "Euan BLOCKLEY (C)",
        "Malcolm CUNNING (Lab)",
    ] {
        assert!(text.contains(name), "{name}");
    }
    // Elected during an exclusion stage: the status column still names the stage.
    let status = |who: &str| {
        text.lines()
            .find(|l| l.starts_with(who))
            .unwrap()
            .to_string()
    };
    assert!(
        status("Glenn ELDER").contains("elected 1st (round 6)"),
        "{}",
        status("Glenn ELDER")
    );
    assert!(status("Euan BLOCKLEY").contains("(round 11)"));
    let html = output(&args(&file, Method::ScottishStv, Format::Html)).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg") && !html.contains("<script"));
    let mut four = args(&file, Method::ScottishStv, Format::Json);
    four.seats = Some(2);
    assert_eq!(json(&four)["seats"], 2, "--seats overrides the file");
}

#[test]
fn dublin_west_2002_by_several_methods() {
    let Some(dir) = data_dir() else { return };
    let file = dir.join("irish-2002/DublinWest2002.json");
    let winners = ["Brian Lenihan", "Joan Burton", "Joe Higgins"];
    for m in [Method::Meek, Method::ScottishStv] {
        let v = json(&args(&file, m, Format::Json));
        assert_eq!(sorted(elected(&v)), winners, "{}", m.name());
    }
    let v = json(&args(&file, Method::Plurality, Format::Json));
    assert_eq!(elected(&v).len(), 3);
    let v = json(&args(&file, Method::Irv, Format::Json));
    assert_eq!(v["seats"], 1, "irv fills one seat whatever the file says");
    let v = json(&args(&file, Method::Schulze, Format::Json));
    assert_eq!(elected(&v).len(), 3);
    let v = json(&args(&file, Method::Condorcet, Format::Json));
    assert_eq!(v["method"], "condorcet");
}

#[test]
fn meath_meek_transcript_layout() {
    let Some(dir) = data_dir() else { return };
    let file = dir.join("irish-2002/Meath2002.json");
    let mut a = args(&file, Method::Meek, Format::Text);
    a.meek_transcript = true;
    let text = output(&a).unwrap();
    assert!(text.contains("Noel Dempsey"));
}

const SMALL_BLT: &str = "\u{feff}4 2\n# hand-made\n[nick ann bob cy dee]\n(1) 5 ann bob 0\n(2) 3 bob=cy 0\n4 cy - dee 0\n2 dee 0\n0\n\"Ann\"\nBob Smith (Ind)\n\"Cy\" \"Dee\"\nSmall branch";

#[test]
fn hand_made_blt_every_method_every_format() {
    let file = scratch("small.blt", SMALL_BLT);
    for m in [
        Method::Plurality,
        Method::Approval,
        Method::ScottishStv,
        Method::Meek,
        Method::Wigm,
        Method::Ers97,
        Method::Schulze,
    ] {
        for f in [Format::Text, Format::Json, Format::Html] {
            let out =
                output(&args(&file, m, f)).unwrap_or_else(|e| panic!("{} {f:?}: {e}", m.name()));
            assert!(out.contains("Bob Smith (Ind)"), "{} {f:?}", m.name());
        }
        let v = json(&args(&file, m, Format::Json));
        assert_eq!(elected(&v).len(), 2, "{}", m.name());
    }
    let v = json(&args(&file, Method::Plurality, Format::Json));
    assert_eq!(elected(&v), ["Ann", "Cy"]);
    let v = json(&args(&file, Method::Approval, Format::Json));
    assert_eq!(elected(&v), ["Bob Smith (Ind)", "Cy"]);
}

#[test]
fn hand_made_json_and_preflib() {
    let json_file = scratch(
        "small.json",
        r#"{"title": "Motion", "seats": 1, "candidates": ["Ann", "Bob"],
            "ballots": [{"weight": 3, "ranks": ["Ann"]}, {"weight": 2, "ranks": ["Bob", "Ann"]}]}"#,
    );
    let v = json(&args(&json_file, Method::Irv, Format::Json));
    assert_eq!(elected(&v), ["Ann"]);
    let toc = scratch(
        "small.toc",
        "# TITLE: T\n# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: A\n# ALTERNATIVE NAME 2: B\n# ALTERNATIVE NAME 3: C\n4: 2,1,3\n3: 1,{2,3}\n2: 3,1,2\n",
    );
    let v = json(&args(&toc, Method::Schulze, Format::Json));
    assert_eq!(v["title"], "T");
    assert_eq!(elected(&v), ["A"]);
    // PrefLib has no seats; --seats gives them.
    let mut a = args(&toc, Method::Plurality, Format::Json);
    a.seats = Some(2);
    assert_eq!(elected(&json(&a)), ["B", "A"]);
    // A BLT body in a .txt file, read by forcing the format.
    let txt = scratch("forced.txt", "{\n");
    let mut a = args(&txt, Method::Plurality, Format::Text);
    a.input_format = Some(InputFormat::Blt);
    let err = output(&a).unwrap_err().to_string();
    assert!(err.contains("(BLT): line 1, column 1"), "{err}");
}

#[test]
fn malformed_input_names_file_line_and_column() {
    let cases = [
        (
            "bad-candidate.blt",
            "3 1\n1 1 2 0\n2 1 7 0\n0\nA\nB\nC\nT\n",
            "line 3, column 5: candidate number 7 is not between 1 and 3",
        ),
        (
            "bad-weight.blt",
            "2 1\nx 1 0\n0\nA\nB\n",
            "line 2, column 1: expected a ballot weight",
        ),
        (
            "bad-end.blt",
            "2 1\n1 1 0\n",
            "the ballots do not end with a line holding a single 0",
        ),
        (
            "bad-names.blt",
            "2 1\n1 1 0\n0\n\"A\n",
            "line 4, column 1: quoted name has no closing quote",
        ),
        (
            "bad.json",
            "{\"candidates\": [\"A\"],\n\"ballots\": [{\"ranks\": [\"Q\"]}]}",
            "line 2",
        ),
        (
            "bad.toc",
            "# NUMBER ALTERNATIVES: 2\n1: 1,9\n",
            "line 2, column 6",
        ),
    ];
    for (name, content, expected) in cases {
        let file = scratch(name, content);
        let err = output(&args(&file, Method::Plurality, Format::Text)).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(name), "{msg}");
        assert!(msg.contains(expected), "{name}: {msg}");
    }
    let missing = output(&args(
        Path::new("/nonexistent/x.blt"),
        Method::Plurality,
        Format::Text,
    ))
    .unwrap_err();
    assert!(
        missing
            .to_string()
            .starts_with("cannot read /nonexistent/x.blt")
    );
}

#[test]
fn argument_errors() {
    let file = scratch("args.blt", SMALL_BLT);
    let mut a = args(&file, Method::Irv, Format::Text);
    a.seats = Some(2);
    assert_eq!(
        output(&a).unwrap_err().to_string(),
        "irv fills one seat, but --seats 2 was given"
    );
    let mut a = args(&file, Method::Plurality, Format::Text);
    a.seats = Some(0);
    assert!(matches!(output(&a), Err(CountError::NoSeats)));
    let mut a = args(&file, Method::ScottishStv, Format::Text);
    a.meek_transcript = true;
    assert!(matches!(output(&a), Err(CountError::TranscriptNeedsMeek)));
}

#[test]
fn clap_parses_the_documented_command_line() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: CountArgs,
    }
    let cli = Cli::try_parse_from([
        "charter-count",
        "ward.blt",
        "--method",
        "scottish-stv",
        "--seats",
        "4",
        "--format",
        "json",
        "--seed",
        "42",
    ])
    .unwrap();
    assert_eq!(cli.args.method, Method::ScottishStv);
    assert_eq!(cli.args.seats, Some(4));
    assert_eq!(cli.args.format, Format::Json);
    assert_eq!(cli.args.seed, 42);
    for m in [
        "plurality",
        "approval",
        "irv",
        "scottish-stv",
        "meek",
        "wigm",
        "ers97",
        "schulze",
        "condorcet",
    ] {
        assert!(
            Cli::try_parse_from(["c", "f", "--method", m]).is_ok(),
            "{m}"
        );
    }
}
