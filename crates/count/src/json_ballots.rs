//! Charter's JSON ballot format: what the rest of Charter (and anyone scripting a count)
//! writes when BLT's positional numbers would be error-prone.
//!
//! ```json
//! {
//!   "title": "Branch committee 2026",
//!   "seats": 2,
//!   "candidates": ["Ann", "Bob", {"name": "Cy Jones", "nick": "cy", "withdrawn": true}],
//!   "ballots": [
//!     {"weight": 3, "ranks": ["Ann", "Bob"]},
//!     {"ranks": [["Ann", "Bob"], "cy"]},
//!     {"weight": 2, "ranks": [2, [], 1]}
//!   ]
//! }
//! ```
//!
//! - `title` is optional; `seats` defaults to 1.
//! - A candidate is a name, or an object with `name` and optional `nick` and `withdrawn`.
//! - A ballot's `weight` (how many voters cast it) defaults to 1. `ranks` lists preferences
//!   first to last; each rank is one candidate or an array of candidates ranked equally (an
//!   empty array is a skipped rank).
//! - A candidate on a ballot is its name, its nick, or its number counting from 1 (as in BLT).
//! - A ballot may carry a `tracker` (Charter's published ballots do, so each voter can find
//!   theirs); it plays no part in the count.
//!
//! Identical rankings are merged as they are read. Errors carry the line and column where
//! the reader stopped; for a ballot naming an unknown candidate that is the end of the ballot.

use std::collections::HashMap;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde::{Deserialize, Serialize};

use crate::error::ParseError;
use crate::merge::BallotMerger;
use crate::model::{Candidate, CandidateId, Election};

pub fn parse(text: &str) -> Result<Election, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut de = serde_json::Deserializer::from_str(text);
    let parts = (&mut de)
        .deserialize_map(FileVisitor)
        .and_then(|p| de.end().map(|()| p))
        .map_err(|e| {
            let msg = e.to_string();
            let msg = msg
                .rfind(" at line ")
                .map_or(msg.as_str(), |i| &msg[..i])
                .to_string();
            ParseError::new(e.line().max(1), e.column().max(1), msg)
        })?;
    let end = |m: &str| ParseError::at_offset(text, text.len(), m);
    let candidates = parts
        .candidates
        .ok_or_else(|| end("missing \"candidates\" list"))?;
    let mut merger = parts.merger.unwrap_or_default();
    if !parts.pending.is_empty() {
        // Ballots came before candidates: resolve them now.
        let names = Names::new(&candidates);
        for (k, raw) in parts.pending.into_iter().enumerate() {
            let (ranks, weight) = names
                .resolve(raw)
                .map_err(|m| end(&format!("ballot {}: {m}", k + 1)))?;
            merger
                .add(ranks, weight)
                .map_err(|_| end("the total weight of the ballots is too large"))?;
        }
    }
    Ok(Election {
        title: parts.title.unwrap_or_default(),
        seats: parts.seats.unwrap_or(1),
        candidates,
        ballots: merger.finish(),
    })
}

/// Writes `election` in this format, naming candidates on ballots by name when names are
/// unique (readable) and by number otherwise (unambiguous).
pub fn to_json(election: &Election) -> String {
    let mut unique = std::collections::HashSet::new();
    let by_name = election
        .candidates
        .iter()
        .all(|c| unique.insert(c.name.as_str()));
    let refer = |c: CandidateId| -> OutRef {
        match election.candidates.get(c.index()) {
            Some(cand) if by_name => OutRef::Name(cand.name.clone()),
            _ => OutRef::Number(u64::from(c.0) + 1),
        }
    };
    let file = OutFile {
        title: &election.title,
        seats: election.seats,
        candidates: election
            .candidates
            .iter()
            .map(|c| {
                if c.nick.is_none() && !c.withdrawn {
                    OutCandidate::Name(c.name.clone())
                } else {
                    OutCandidate::Full {
                        name: c.name.clone(),
                        nick: c.nick.clone(),
                        withdrawn: c.withdrawn,
                    }
                }
            })
            .collect(),
        ballots: election
            .ballots
            .iter()
            .map(|b| OutBallot {
                weight: b.weight,
                ranks: b
                    .ranks
                    .iter()
                    .map(|g| match g.as_slice() {
                        [one] => OutRank::One(refer(*one)),
                        many => OutRank::Many(many.iter().map(|&c| refer(c)).collect()),
                    })
                    .collect(),
            })
            .collect(),
    };
    // Serialising plain data cannot fail.
    let mut s = serde_json::to_string_pretty(&file).unwrap_or_default();
    s.push('\n');
    s
}

#[derive(Serialize)]
struct OutFile<'a> {
    title: &'a str,
    seats: u32,
    candidates: Vec<OutCandidate>,
    ballots: Vec<OutBallot>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum OutCandidate {
    Name(String),
    Full {
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        nick: Option<String>,
        withdrawn: bool,
    },
}

#[derive(Serialize)]
struct OutBallot {
    weight: u64,
    ranks: Vec<OutRank>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum OutRank {
    One(OutRef),
    Many(Vec<OutRef>),
}

#[derive(Serialize)]
#[serde(untagged)]
enum OutRef {
    Name(String),
    Number(u64),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum InCandidate {
    Name(String),
    Full {
        name: String,
        #[serde(default)]
        nick: Option<String>,
        #[serde(default)]
        withdrawn: bool,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum InRef {
    Number(u64),
    Name(String),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum InRank {
    One(InRef),
    Many(Vec<InRef>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InBallot {
    #[serde(default = "one")]
    weight: u64,
    ranks: Vec<InRank>,
    /// A published ballot's tracker, so each voter can find theirs; not counted.
    #[serde(default, rename = "tracker")]
    _tracker: Option<IgnoredAny>,
}

fn one() -> u64 {
    1
}

struct Names {
    map: HashMap<String, CandidateId>,
    count: usize,
}

impl Names {
    fn new(candidates: &[Candidate]) -> Self {
        let mut map = HashMap::new();
        // Nicks first so a name wins over an equal nick of another candidate.
        for (i, c) in candidates.iter().enumerate() {
            if let Some(n) = &c.nick {
                map.insert(n.clone(), CandidateId(i as u32));
            }
        }
        for (i, c) in candidates.iter().enumerate() {
            map.insert(c.name.clone(), CandidateId(i as u32));
        }
        Names {
            map,
            count: candidates.len(),
        }
    }

    fn one(&self, r: &InRef) -> Result<CandidateId, String> {
        match r {
            InRef::Number(k) if *k >= 1 && *k <= self.count as u64 => {
                Ok(CandidateId((*k - 1) as u32))
            }
            InRef::Number(k) => Err(format!(
                "candidate number {k} is not between 1 and {}",
                self.count
            )),
            InRef::Name(n) => self
                .map
                .get(n)
                .copied()
                .ok_or_else(|| format!("{n:?} is not a candidate")),
        }
    }

    fn resolve(&self, b: InBallot) -> Result<(Vec<Vec<CandidateId>>, u64), String> {
        let mut ranks = Vec::with_capacity(b.ranks.len());
        for r in &b.ranks {
            ranks.push(match r {
                InRank::One(r) => vec![self.one(r)?],
                InRank::Many(rs) => rs.iter().map(|r| self.one(r)).collect::<Result<_, _>>()?,
            });
        }
        while ranks.last().is_some_and(Vec::is_empty) {
            ranks.pop();
        }
        Ok((ranks, b.weight))
    }
}

#[derive(Default)]
struct Parts {
    title: Option<String>,
    seats: Option<u32>,
    candidates: Option<Vec<Candidate>>,
    merger: Option<BallotMerger>,
    pending: Vec<InBallot>,
}

struct FileVisitor;

impl<'de> Visitor<'de> for FileVisitor {
    type Value = Parts;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with \"candidates\" and \"ballots\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parts, A::Error> {
        let mut parts = Parts::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "title" => parts.title = Some(map.next_value()?),
                "seats" => {
                    let s: u32 = map.next_value()?;
                    if s == 0 {
                        return Err(de::Error::custom("\"seats\" must be at least 1"));
                    }
                    parts.seats = Some(s);
                }
                "candidates" => {
                    let cs: Vec<InCandidate> = map.next_value()?;
                    if cs.is_empty() {
                        return Err(de::Error::custom(
                            "an election needs at least one candidate",
                        ));
                    }
                    if cs.len() > u32::MAX as usize {
                        return Err(de::Error::custom("too many candidates"));
                    }
                    parts.candidates = Some(
                        cs.into_iter()
                            .map(|c| match c {
                                InCandidate::Name(name) => Candidate {
                                    name,
                                    nick: None,
                                    withdrawn: false,
                                },
                                InCandidate::Full {
                                    name,
                                    nick,
                                    withdrawn,
                                } => Candidate {
                                    name,
                                    nick,
                                    withdrawn,
                                },
                            })
                            .collect(),
                    );
                }
                "ballots" => {
                    let names = parts.candidates.as_deref().map(Names::new);
                    let mut merger = BallotMerger::new();
                    map.next_value_seed(BallotsSeed {
                        names: names.as_ref(),
                        merger: &mut merger,
                        pending: &mut parts.pending,
                    })?;
                    parts.merger = Some(merger);
                }
                _ => {
                    // Unknown keys are allowed so files can carry their own metadata.
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(parts)
    }
}

struct BallotsSeed<'a> {
    names: Option<&'a Names>,
    merger: &'a mut BallotMerger,
    pending: &'a mut Vec<InBallot>,
}

impl<'de> DeserializeSeed<'de> for BallotsSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for BallotsSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of ballots")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut k = 0usize;
        while let Some(b) = seq.next_element::<InBallot>()? {
            k += 1;
            match self.names {
                Some(names) => {
                    let (ranks, weight) = names
                        .resolve(b)
                        .map_err(|m| de::Error::custom(format!("ballot {k}: {m}")))?;
                    self.merger.add(ranks, weight).map_err(|_| {
                        de::Error::custom("the total weight of the ballots is too large")
                    })?;
                }
                None => self.pending.push(b),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{
  "title": "Branch committee 2026",
  "seats": 2,
  "candidates": ["Ann", "Bob", {"name": "Cy Jones", "nick": "cy", "withdrawn": true}],
  "ballots": [
    {"weight": 3, "ranks": ["Ann", "Bob"]},
    {"ranks": [["Ann", "Bob"], "cy"]},
    {"weight": 2, "ranks": [2, [], 1]},
    {"ranks": [1, 2]}
  ]
}"#;

    #[test]
    fn reads_the_documented_example() {
        let e = parse(DOC).unwrap();
        let c = CandidateId;
        assert_eq!(e.seats, 2);
        assert!(e.candidates[2].withdrawn);
        assert_eq!(e.ballots.len(), 3);
        assert_eq!(e.ballots[0].weight, 4);
        assert_eq!(e.ballots[1].ranks, vec![vec![c(0), c(1)], vec![c(2)]]);
        assert_eq!(e.ballots[2].ranks, vec![vec![c(1)], vec![], vec![c(0)]]);
    }

    #[test]
    fn round_trips() {
        let e = parse(DOC).unwrap();
        assert_eq!(parse(&to_json(&e)).unwrap(), e);
    }

    #[test]
    fn published_ballots_carry_trackers_that_do_not_count() {
        let e = parse(
            r#"{"candidates": ["A", "B"], "ballots": [
                {"tracker": "K7Q2-M9XD", "ranks": ["B", "A"]},
                {"tracker": "P4RT-2ZZA", "ranks": ["B", "A"]}]}"#,
        )
        .unwrap();
        assert_eq!(e.ballots.len(), 1, "identical rankings still merge");
        assert_eq!(e.ballots[0].weight, 2);
        assert!(
            parse(r#"{"candidates": ["A"], "ballots": [{"ranks": ["A"], "colour": 1}]}"#).is_err()
        );
    }

    #[test]
    fn ballots_before_candidates() {
        let e = parse(r#"{"ballots": [{"ranks": ["B"]}], "candidates": ["A", "B"]}"#).unwrap();
        assert_eq!(e.ballots[0].ranks, vec![vec![CandidateId(1)]]);
        assert_eq!(e.seats, 1);
    }

    #[test]
    fn errors_are_located() {
        let e =
            parse("{\"candidates\": [\"A\"],\n \"ballots\": [{\"ranks\": [\"Z\"]}]}").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("\"Z\" is not a candidate"), "{e}");
        let e =
            parse("{\"candidates\": [\"A\"],\n \"ballots\": [{\"weight\": -1, \"ranks\": []}]}")
                .unwrap_err();
        assert_eq!(e.line, 2);
        assert!(
            parse("{\"ballots\": []}")
                .unwrap_err()
                .message
                .contains("candidates")
        );
    }
}
