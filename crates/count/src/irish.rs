//! The JSON published for the Irish 2002 electronic-voting pilot (Dublin West, Meath).
//!
//! ```json
//! {"Number of Seats": 3,
//!  "Candidate": [{"Ref": "Higg", "Name": "Joe Higgins", "Party": "Socialist", "Index": 0}, …],
//!  "Ballot": [[3, 2, 4, 1, 0, 5, 0, 0, 0], …]}
//! ```
//!
//! Each ballot row gives, for candidate `i`, the preference marked for them (0 = none).
//! Rows are folded into rankings while the file streams in, so the 64,081 Meath papers never
//! sit in memory as rows. As under the Irish rules for paper ballots, a ranking stops at the
//! first preference number that is missing or given to two candidates. Other keys (date,
//! constituency, election type) are ignored; the constituency becomes the title when present.

use std::fmt;

use serde::Deserialize;
use serde::de::{
    self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};

use crate::error::ParseError;
use crate::merge::BallotMerger;
use crate::model::{Candidate, CandidateId, Election};

/// The election and each candidate's party, which the file records but [`Candidate`] does not
/// (some published transcripts name candidates as "Name (Party)").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IrishElection {
    pub election: Election,
    pub parties: Vec<String>,
}

pub fn parse(text: &str) -> Result<Election, ParseError> {
    parse_with_parties(text).map(|e| e.election)
}

pub fn parse_with_parties(text: &str) -> Result<IrishElection, ParseError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let file = (&mut de)
        .deserialize_map(FileVisitor)
        .and_then(|f| de.end().map(|()| f))
        .map_err(|e| {
            let line = e.line().max(1);
            ParseError::new(line, e.column().max(1), strip_position(&e.to_string()))
        })?;
    let FileParts {
        seats,
        candidates,
        merger,
        title,
    } = file;
    let end = || ParseError::at_offset(text, text.len(), "");
    let Some(candidates) = candidates else {
        return Err(ParseError {
            message: "missing \"Candidate\" list".into(),
            ..end()
        });
    };
    let Some(seats) = seats else {
        return Err(ParseError {
            message: "missing \"Number of Seats\"".into(),
            ..end()
        });
    };
    let Some(merger) = merger else {
        return Err(ParseError {
            message: "missing \"Ballot\" list".into(),
            ..end()
        });
    };
    let mut ordered: Vec<Option<IrishCandidate>> = vec![None; candidates.len()];
    for c in candidates {
        let i = c.index;
        match ordered.get_mut(i) {
            Some(slot @ None) => *slot = Some(c),
            _ => {
                return Err(ParseError {
                    message: format!(
                        "candidate {:?} has an index that is out of range or repeated",
                        c.name
                    ),
                    ..end()
                });
            }
        }
    }
    let ordered: Vec<IrishCandidate> = ordered.into_iter().flatten().collect();
    Ok(IrishElection {
        parties: ordered.iter().map(|c| c.party.clone()).collect(),
        election: Election {
            title: title.unwrap_or_default(),
            seats,
            candidates: ordered
                .into_iter()
                .map(|c| Candidate {
                    name: c.name,
                    nick: c.reference,
                    withdrawn: false,
                })
                .collect(),
            ballots: merger.finish(),
        },
    })
}

/// serde_json appends " at line L column C"; we report those as fields instead.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[derive(Debug, Clone, Deserialize)]
struct IrishCandidate {
    #[serde(rename = "Ref")]
    reference: Option<String>,
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Party", default)]
    party: String,
    #[serde(rename = "Index")]
    index: usize,
}

struct FileParts {
    seats: Option<u32>,
    candidates: Option<Vec<IrishCandidate>>,
    merger: Option<BallotMerger>,
    title: Option<String>,
}

struct FileVisitor;

impl<'de> Visitor<'de> for FileVisitor {
    type Value = FileParts;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with \"Number of Seats\", \"Candidate\" and \"Ballot\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FileParts, A::Error> {
        let mut parts = FileParts {
            seats: None,
            candidates: None,
            merger: None,
            title: None,
        };
        let mut width = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "Number of Seats" => {
                    let seats: u32 = map.next_value()?;
                    if seats == 0 {
                        return Err(de::Error::custom("\"Number of Seats\" must be at least 1"));
                    }
                    parts.seats = Some(seats);
                }
                "Candidate" => {
                    let c: Vec<IrishCandidate> = map.next_value()?;
                    if c.is_empty() {
                        return Err(de::Error::custom(
                            "an election needs at least one candidate",
                        ));
                    }
                    if c.len() > u32::MAX as usize {
                        return Err(de::Error::custom("too many candidates"));
                    }
                    parts.candidates = Some(c);
                }
                "Ballot" => {
                    let ncand = parts.candidates.as_ref().map(Vec::len);
                    let mut merger = BallotMerger::new();
                    width = map.next_value_seed(Ballots {
                        ncand,
                        merger: &mut merger,
                    })?;
                    parts.merger = Some(merger);
                }
                "Constituency" => parts.title = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if let (Some(w), Some(c)) = (width, &parts.candidates)
            && w != c.len()
        {
            return Err(de::Error::custom(format!(
                "ballot rows have {w} entries but there are {} candidates",
                c.len()
            )));
        }
        Ok(parts)
    }
}

/// Streams the ballot rows into the merger; yields the row width when any row was seen.
struct Ballots<'m> {
    ncand: Option<usize>,
    merger: &'m mut BallotMerger,
}

impl<'de> DeserializeSeed<'de> for Ballots<'_> {
    type Value = Option<usize>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Ballots<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of ballot rows")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<usize>, A::Error> {
        let mut width = self.ncand;
        let mut row_no = 0usize;
        while let Some(row) = seq.next_element::<Vec<u32>>()? {
            row_no += 1;
            match width {
                Some(w) if w != row.len() => {
                    return Err(de::Error::custom(format!(
                        "ballot {row_no} has {} entries but there are {w} candidates",
                        row.len()
                    )));
                }
                Some(_) => {}
                None => width = Some(row.len()),
            }
            self.merger
                .add(ranking(&row), 1)
                .map_err(|_| de::Error::custom("too many ballots"))?;
        }
        Ok(width)
    }
}

/// Preference numbers to a ranking, stopping at a missing or repeated number.
fn ranking(row: &[u32]) -> Vec<Vec<CandidateId>> {
    let mut by_pref: Vec<(u32, u32)> = row
        .iter()
        .enumerate()
        .filter(|&(_, &p)| p > 0)
        .map(|(i, &p)| (p, i as u32))
        .collect();
    by_pref.sort_unstable();
    let mut ranks = Vec::with_capacity(by_pref.len());
    for (k, &(p, c)) in by_pref.iter().enumerate() {
        let repeated = by_pref.get(k + 1).is_some_and(|n| n.0 == p);
        if p as usize != k + 1 || repeated {
            break;
        }
        ranks.push(vec![CandidateId(c)]);
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"{"Constituency": "Test", "Number of Seats": 1,
        "Candidate": [{"Ref": "A", "Name": "Ann", "Party": "X", "Index": 0},
                      {"Ref": "B", "Name": "Bob", "Party": "Y", "Index": 1},
                      {"Ref": "C", "Name": "Cy", "Party": "Z", "Index": 2}],
        "Ballot": [[1, 2, 0], [0, 1, 2], [1, 2, 0], [1, 3, 0], [1, 1, 2], [0, 0, 0]]}"#;

    #[test]
    fn reads_and_merges() {
        let e = parse_with_parties(SMALL).unwrap();
        assert_eq!(e.parties, vec!["X", "Y", "Z"]);
        let e = e.election;
        assert_eq!(e.title, "Test");
        assert_eq!(e.total_votes(), 6);
        let c = CandidateId;
        assert_eq!(e.ballots[0].ranks, vec![vec![c(0)], vec![c(1)]]);
        assert_eq!(e.ballots[0].weight, 2);
        // gap after 1: only the first preference counts
        assert_eq!(e.ballots[2].ranks, vec![vec![c(0)]]);
        // two first preferences: nothing counts
        assert_eq!(e.ballots[3].ranks, Vec::<Vec<CandidateId>>::new());
    }

    #[test]
    fn wrong_row_width_is_located() {
        let text = "{\"Number of Seats\": 1, \"Candidate\": [{\"Name\": \"A\", \"Index\": 0}],\n\"Ballot\": [[1],\n[1, 0]]}";
        let e = parse(text).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("ballot 2 has 2 entries"), "{e}");
    }

    #[test]
    fn missing_parts_are_named() {
        assert!(parse("{}").unwrap_err().message.contains("Candidate"));
        assert!(parse("[").is_err());
        assert!(parse("{\"Number of Seats\": 1, \"Candidate\": [{\"Name\": \"A\", \"Index\": 3}], \"Ballot\": []}")
            .unwrap_err()
            .message
            .contains("index"));
    }
}
