//! PrefLib ordinal data: `.soi` (strict orders, incomplete) and `.toc` (orders with ties,
//! complete or not), in the current layout and the older one PrefLib used before 2022.
//!
//! Current layout:
//!
//! ```text
//! # TITLE: Dublin West 2002
//! # NUMBER ALTERNATIVES: 3
//! # ALTERNATIVE NAME 1: Ann
//! # ALTERNATIVE NAME 2: Bob
//! # ALTERNATIVE NAME 3: Cy
//! 12: 1,2,3
//! 3: 2,{1,3}
//! ```
//!
//! Older layout: a line with the number of alternatives, one `number,name` line each, a line
//! `voters,sum of counts,unique orders`, then `count,1,2,{3,4}` lines.
//!
//! PrefLib records no number of seats, so elections read from it have one seat unless the
//! caller (e.g. `--seats`) says otherwise. Identical orders are merged.

use std::collections::BTreeMap;

use crate::error::ParseError;
use crate::merge::BallotMerger;
use crate::model::{Candidate, CandidateId, Election};

pub fn parse(text: &str) -> Result<Election, ParseError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<(usize, &str)> = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .collect();
    let modern = lines.iter().any(|(_, l)| l.starts_with('#'));
    if modern {
        parse_modern(&lines)
    } else {
        parse_old(&lines)
    }
}

fn col(line: &str, offset: usize) -> usize {
    line.get(..offset).map_or(offset, |s| s.chars().count()) + 1
}

fn parse_modern(lines: &[(usize, &str)]) -> Result<Election, ParseError> {
    let mut title = String::new();
    let mut ncand: Option<u32> = None;
    let mut names: BTreeMap<CandidateId, String> = BTreeMap::new();
    let mut merger = BallotMerger::new();
    for &(n, line) in lines {
        if let Some(meta) = line.strip_prefix('#') {
            let Some((key, value)) = meta.split_once(':') else {
                continue;
            };
            let key = key.trim();
            let value = value.trim();
            if key == "TITLE" {
                title = value.to_string();
            } else if key == "NUMBER ALTERNATIVES" {
                let k: u32 = value.parse().map_err(|_| {
                    ParseError::new(
                        n,
                        col(line, line.len() - value.len()),
                        format!("expected the number of alternatives, found {value:?}"),
                    )
                })?;
                if k == 0 {
                    return Err(ParseError::new(
                        n,
                        1,
                        "an election needs at least one alternative",
                    ));
                }
                ncand = Some(k);
            } else if let Some(num) = key.strip_prefix("ALTERNATIVE NAME ") {
                let Some(k) = ncand else {
                    return Err(ParseError::new(
                        n,
                        1,
                        "alternative name before NUMBER ALTERNATIVES",
                    ));
                };
                let i = candidate_number(num.trim(), k).map_err(|m| ParseError::new(n, 1, m))?;
                names.insert(i, value.to_string());
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let Some(k) = ncand else {
            return Err(ParseError::new(
                n,
                1,
                "order before the NUMBER ALTERNATIVES line",
            ));
        };
        let Some(colon) = line.find(':') else {
            return Err(ParseError::new(n, 1, "expected `count: order`"));
        };
        let count =
            parse_count(&line[..colon], 0).map_err(|(o, m)| ParseError::new(n, col(line, o), m))?;
        let ranks = parse_order(line, colon + 1, k)
            .map_err(|(o, m)| ParseError::new(n, col(line, o), m))?;
        merger
            .add(ranks, count)
            .map_err(|_| ParseError::new(n, 1, "the total number of voters is too large"))?;
    }
    let last = lines.last().map_or(1, |l| l.0);
    let Some(k) = ncand else {
        return Err(ParseError::new(
            last,
            1,
            "missing `# NUMBER ALTERNATIVES:` line",
        ));
    };
    election(title, k, names, merger).map_err(|m| ParseError::new(last, 1, m))
}

fn parse_old(lines: &[(usize, &str)]) -> Result<Election, ParseError> {
    let mut it = lines.iter().filter(|(_, l)| !l.trim().is_empty());
    let Some(&(n, first)) = it.next() else {
        return Err(ParseError::new(
            1,
            1,
            "empty file: expected the number of alternatives",
        ));
    };
    let k: u32 = first.trim().parse().map_err(|_| {
        ParseError::new(
            n,
            1,
            format!(
                "expected the number of alternatives, found {:?}",
                first.trim()
            ),
        )
    })?;
    if k == 0 {
        return Err(ParseError::new(
            n,
            1,
            "an election needs at least one alternative",
        ));
    }
    let mut names: BTreeMap<CandidateId, String> = BTreeMap::new();
    for _ in 0..k {
        let Some(&(n, line)) = it.next() else {
            let last = lines.last().map_or(1, |l| l.0);
            return Err(ParseError::new(
                last,
                1,
                format!("expected {k} alternative names"),
            ));
        };
        let Some((num, name)) = line.split_once(',') else {
            return Err(ParseError::new(n, 1, "expected `number,name`"));
        };
        let i = candidate_number(num.trim(), k).map_err(|m| ParseError::new(n, 1, m))?;
        if names.insert(i, name.trim().to_string()).is_some() {
            return Err(ParseError::new(
                n,
                1,
                format!("alternative {} is named twice", i.0 + 1),
            ));
        }
    }
    // The summary line (voters, sum of counts, distinct orders) is informative only.
    if it.next().is_none() {
        let last = lines.last().map_or(1, |l| l.0);
        return Err(ParseError::new(
            last,
            1,
            "expected the line `voters,total,unique orders`",
        ));
    }
    let mut merger = BallotMerger::new();
    for &(n, line) in it {
        let Some(comma) = line.find(',') else {
            return Err(ParseError::new(n, 1, "expected `count,order`"));
        };
        let count =
            parse_count(&line[..comma], 0).map_err(|(o, m)| ParseError::new(n, col(line, o), m))?;
        let ranks = parse_order(line, comma + 1, k)
            .map_err(|(o, m)| ParseError::new(n, col(line, o), m))?;
        merger
            .add(ranks, count)
            .map_err(|_| ParseError::new(n, 1, "the total number of voters is too large"))?;
    }
    let last = lines.last().map_or(1, |l| l.0);
    election(String::new(), k, names, merger).map_err(|m| ParseError::new(last, 1, m))
}

/// Every alternative must be named: besides being what PrefLib files do, it bounds the
/// candidate list by the size of the file, whatever number the header claims.
fn election(
    title: String,
    k: u32,
    names: BTreeMap<CandidateId, String>,
    merger: BallotMerger,
) -> Result<Election, String> {
    if names.len() != k as usize {
        let missing = (0..k)
            .map(CandidateId)
            .find(|c| !names.contains_key(c))
            .map_or(0, |c| c.0 + 1);
        return Err(format!("alternative {missing} of {k} has no name"));
    }
    Ok(Election {
        title,
        seats: 1,
        candidates: names
            .into_values()
            .map(|name| Candidate {
                name,
                nick: None,
                withdrawn: false,
            })
            .collect(),
        ballots: merger.finish(),
    })
}

fn candidate_number(s: &str, k: u32) -> Result<CandidateId, String> {
    match s.parse::<u64>() {
        Ok(i) if i >= 1 && i <= u64::from(k) => Ok(CandidateId((i - 1) as u32)),
        Ok(i) => Err(format!("alternative {i} is not between 1 and {k}")),
        Err(_) => Err(format!("expected an alternative number, found {s:?}")),
    }
}

fn parse_count(s: &str, base: usize) -> Result<u64, (usize, String)> {
    let t = s.trim();
    let off = base + (s.len() - s.trim_start().len());
    t.parse()
        .map_err(|_| (off, format!("expected a number of voters, found {t:?}")))
}

/// `1,2,{3,4},5` from byte `start` of `line`: braces group tied alternatives.
fn parse_order(line: &str, start: usize, k: u32) -> Result<Vec<Vec<CandidateId>>, (usize, String)> {
    let mut ranks = Vec::new();
    let mut group: Option<Vec<CandidateId>> = None;
    let mut pos = start;
    let bytes = line.as_bytes();
    let mut expect_item = true;
    while pos < line.len() {
        let b = bytes[pos];
        match b {
            b' ' | b'\t' => pos += 1,
            b'{' if group.is_none() && expect_item => {
                group = Some(Vec::new());
                pos += 1;
            }
            b'}' if group.is_some() && !expect_item => {
                let g = group.take().unwrap_or_default();
                if g.is_empty() {
                    return Err((pos, "empty {} group".into()));
                }
                ranks.push(g);
                pos += 1;
                expect_item = false;
            }
            b',' if !expect_item => {
                pos += 1;
                expect_item = true;
            }
            b'0'..=b'9' if expect_item => {
                let end = line[pos..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(line.len(), |e| pos + e);
                let id = candidate_number(&line[pos..end], k).map_err(|m| (pos, m))?;
                match &mut group {
                    Some(g) => g.push(id),
                    None => ranks.push(vec![id]),
                }
                pos = end;
                // Next comes a comma (inside or outside braces) or a closing brace.
                expect_item = false;
            }
            _ => {
                let c = line[pos..].chars().next().unwrap_or(' ');
                return Err((pos, format!("unexpected {c:?} in the order")));
            }
        }
    }
    if group.is_some() {
        return Err((line.len(), "a { group is not closed".into()));
    }
    if expect_item && !ranks.is_empty() {
        return Err((line.len(), "the order ends with a comma".into()));
    }
    Ok(ranks)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODERN: &str = "# FILE NAME: x.toc\n# TITLE: Test\n# DATA TYPE: toc\n# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: Ann\n# ALTERNATIVE NAME 2: Bob\n# ALTERNATIVE NAME 3: Cy\n12: 1,2,3\n3: 2,{1,3}\n1: 1,2,3\n";

    #[test]
    fn reads_modern_toc() {
        let e = parse(MODERN).unwrap();
        assert_eq!(e.title, "Test");
        assert_eq!(e.candidates[2].name, "Cy");
        assert_eq!(e.total_votes(), 16);
        assert_eq!(e.ballots.len(), 2);
        let c = CandidateId;
        assert_eq!(e.ballots[1].ranks, vec![vec![c(1)], vec![c(0), c(2)]]);
    }

    #[test]
    fn reads_old_soi() {
        let e = parse("3\n1,Ann\n2,Bob\n3,Cy\n5,5,2\n4,1,2\n1,3\n").unwrap();
        assert_eq!(e.candidates[1].name, "Bob");
        assert_eq!(e.total_votes(), 5);
    }

    #[test]
    fn errors_are_located() {
        let e = parse("# NUMBER ALTERNATIVES: 2\n1: 1,3\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 6));
        let e = parse("# NUMBER ALTERNATIVES: 2\n1: 1,{2\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("# NUMBER ALTERNATIVES: 2\nx: 1\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(parse("1: 1\n# NUMBER ALTERNATIVES: 2\n").is_err());
        // A header claiming millions of alternatives must not allocate for them.
        let e = parse("888888888\n4,1\n4,1,2\no3b").unwrap_err();
        assert!(e.message.contains("alternative 4 is named twice"), "{e}");
        let e = parse("# NUMBER ALTERNATIVES: 4000000000\n# ALTERNATIVE NAME 1: A\n").unwrap_err();
        assert!(
            e.message
                .contains("alternative 2 of 4000000000 has no name"),
            "{e}"
        );
        assert!(parse("# NUMBER ALTERNATIVES: 2\n1: 1,,2\n").is_err());
    }
}
