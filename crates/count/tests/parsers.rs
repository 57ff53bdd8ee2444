//! The parsers against the real published files in `../shared/data/elections/`.

use std::path::PathBuf;

use charter_count::{blt, irish};

fn data_dir() -> Option<PathBuf> {
    charter_test_support::election_data()
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_glasgow_2007_ward_parses() {
    let Some(dir) = data_dir() else { return };
    let mut total = 0;
    let mut wards = 0;
    for entry in std::fs::read_dir(dir.join("glasgow-2007")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "blt") {
            let e = blt::parse(&read(path.clone()))
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!e.title.is_empty());
            total += e.total_votes();
            wards += 1;
        }
    }
    assert_eq!(wards, 21);
    assert_eq!(total, 188_376);
    let calton = blt::parse(&read(dir.join("glasgow-2007/Calton-2007.blt"))).unwrap();
    assert_eq!(
        (calton.candidates.len(), calton.seats, calton.total_votes()),
        (10, 3, 5199)
    );
    assert_eq!(calton.candidates[9].name, "Alison E Thewliss");
    assert_eq!(calton.title, "CALTON");
}

#[test]
fn glasgow_2017_unquoted_dialect_parses() {
    let Some(dir) = data_dir() else { return };
    let e = blt::parse(&read(dir.join("glasgow-2017-linn/glasgow_2017_ward1.blt"))).unwrap();
    assert_eq!(
        (e.candidates.len(), e.seats, e.total_votes()),
        (12, 4, 8800)
    );
    assert_eq!(e.candidates[0].name, "Euan BLOCKLEY (C)");
    assert_eq!(e.candidates[11].name, "Alan STEWART (Lab)");
    assert_eq!(e.title, "Ward 1 Linn");
}

#[test]
fn irish_2002_parses_and_merges() {
    let Some(dir) = data_dir() else { return };
    let dw = irish::parse(&read(dir.join("irish-2002/DublinWest2002.json"))).unwrap();
    assert_eq!(
        (dw.candidates.len(), dw.seats, dw.total_votes()),
        (9, 3, 29_988)
    );
    assert_eq!(dw.ballots.len(), 10_335);
    let meath = irish::parse_with_parties(&read(dir.join("irish-2002/Meath2002.json"))).unwrap();
    let e = &meath.election;
    assert_eq!(
        (e.candidates.len(), e.seats, e.total_votes()),
        (14, 5, 64_081)
    );
    assert_eq!(e.ballots.len(), 25_101);
    assert_eq!(e.candidates[0].name, "Noel Dempsey");
    assert_eq!(meath.parties[0], "Fianna Fáil");
}
