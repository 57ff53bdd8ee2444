//! BLT, the ballot format most STV counters read and write, in the dialects real files use.
//!
//! ```text
//! 4 2                      candidates, seats
//! -4                       optional: withdrawn candidates as negative numbers
//! [nick a b c d]           optional extensions: [nick …], [withdrawn …], [tie …]
//! 3 1 2 0                  weight, preferences, 0
//! (b7) 1 2=3 - 4 0         a ballot id, equal ranks `2=3`, a skipped rank `-`
//! 0                        end of ballots
//! "Alice"                  one name per candidate, quoted …
//! Bob SMITH (Lab)          … or unquoted, the whole line
//! …
//! "Title"                  the title, quoted or not; a final newline is optional
//! ```
//!
//! `#` starts a comment in the numeric part and on a line of its own among the names (unquoted
//! names may contain `#`, so it is not a comment there). A UTF-8 byte-order mark is ignored.
//! With `[nick …]`, ballots and the other extensions may name candidates by nickname.
//!
//! Decisions where the format says nothing: identical rankings are merged (first-seen order);
//! skipped ranks are kept as empty groups, except trailing ones, which carry no information;
//! a candidate repeated on a ballot is kept as written, for the method to treat as its rule
//! says; lines after the title are ignored, since some writers append notes there.

use std::collections::{HashMap, HashSet};

use crate::error::ParseError;
use crate::merge::BallotMerger;
use crate::model::{Candidate, CandidateId, Election};

/// A BLT file with the extension data that has no place in [`Election`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BltFile {
    pub election: Election,
    /// Order given by a `[tie …]` line, for rules that break ties by a published order.
    pub tie_order: Option<Vec<CandidateId>>,
    /// Extension lines this reader does not interpret (e.g. `[droop meek]`), verbatim.
    pub options: Vec<String>,
}

pub fn parse(text: &str) -> Result<Election, ParseError> {
    parse_file(text).map(|f| f.election)
}

pub fn parse_file(text: &str) -> Result<BltFile, ParseError> {
    Parser::new(text).run()
}

/// A name, title or nickname that BLT cannot represent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    #[error("candidate name {0:?} contains a double quote or line break, which BLT cannot hold")]
    Name(String),
    #[error("title {0:?} contains a double quote or line break, which BLT cannot hold")]
    Title(String),
}

/// Writes `election` as quoted-name BLT that every reader accepts; [`parse`] reads it back to
/// an equal election when ballots are already merged and every candidate or none has a nick.
pub fn to_blt(election: &Election) -> Result<String, WriteError> {
    use std::fmt::Write;
    let bad = |s: &str| s.contains(['"', '\n', '\r']);
    for c in &election.candidates {
        if bad(&c.name) {
            return Err(WriteError::Name(c.name.clone()));
        }
    }
    if bad(&election.title) {
        return Err(WriteError::Title(election.title.clone()));
    }
    let mut out = String::new();
    let _ = writeln!(out, "{} {}", election.candidates.len(), election.seats);
    let withdrawn: Vec<String> = election
        .candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.withdrawn)
        .map(|(i, _)| format!("-{}", i + 1))
        .collect();
    if !withdrawn.is_empty() {
        let _ = writeln!(out, "{}", withdrawn.join(" "));
    }
    let nicks: Option<Vec<&str>> = election
        .candidates
        .iter()
        .map(|c| c.nick.as_deref())
        .collect();
    if let Some(nicks) = nicks
        && !nicks.is_empty()
    {
        out.push_str("[nick");
        for n in nicks {
            let plain =
                !n.is_empty() && !n.contains(|ch: char| ch.is_whitespace() || "\"]#".contains(ch));
            if plain {
                let _ = write!(out, " {n}");
            } else {
                // Quotes keep odd nicknames as one token; a quote inside cannot be written.
                let _ = write!(out, " \"{}\"", n.replace(['"', '\n', '\r'], "'"));
            }
        }
        out.push_str("]\n");
    }
    for b in &election.ballots {
        let _ = write!(out, "{}", b.weight);
        for group in &b.ranks {
            if group.is_empty() {
                out.push_str(" -");
                continue;
            }
            out.push(' ');
            for (k, c) in group.iter().enumerate() {
                if k > 0 {
                    out.push('=');
                }
                let _ = write!(out, "{}", c.0 as u64 + 1);
            }
        }
        out.push_str(" 0\n");
    }
    out.push_str("0\n");
    for c in &election.candidates {
        let _ = writeln!(out, "\"{}\"", c.name);
    }
    let _ = writeln!(out, "\"{}\"", election.title);
    Ok(out)
}

/// A whitespace-separated token and its byte offset within its line.
type Tok<'a> = (usize, &'a str);

fn tokens(line: &str) -> impl Iterator<Item = Tok<'_>> {
    let mut rest = line;
    let mut base = 0;
    std::iter::from_fn(move || {
        let start = rest.find(|c: char| !c.is_whitespace())?;
        let after = &rest[start..];
        let len = after.find(char::is_whitespace).unwrap_or(after.len());
        let tok = (base + start, &after[..len]);
        base += start + len;
        rest = &after[len..];
        Some(tok)
    })
}

enum Item {
    Name(String),
    Ext,
}

struct Parser<'a> {
    lines: std::iter::Enumerate<std::str::Split<'a, char>>,
    /// Line number of the line last taken, 1-based; used for end-of-input errors.
    last_line: usize,
    last_len: usize,
    ncand: u32,
    seats: u32,
    nicks: Option<HashMap<String, CandidateId>>,
    nick_list: Option<Vec<String>>,
    withdrawn: HashSet<CandidateId>,
    tie_order: Option<Vec<CandidateId>>,
    options: Vec<String>,
}

fn err(line: usize, text: &str, offset: usize, message: impl Into<String>) -> ParseError {
    let offset = offset.min(text.len());
    let column = text.get(..offset).map_or(offset, |s| s.chars().count()) + 1;
    ParseError::new(line, column, message)
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        Parser {
            lines: text.split('\n').enumerate(),
            last_line: 0,
            last_len: 0,
            ncand: 0,
            seats: 0,
            nicks: None,
            nick_list: None,
            withdrawn: HashSet::new(),
            tie_order: None,
            options: Vec::new(),
        }
    }

    fn next_line(&mut self) -> Option<(usize, &'a str)> {
        let (i, line) = self.lines.next()?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        self.last_line = i + 1;
        self.last_len = line.len();
        Some((i + 1, line))
    }

    fn eof(&self, message: impl Into<String>) -> ParseError {
        ParseError::new(self.last_line.max(1), self.last_len + 1, message)
    }

    fn run(mut self) -> Result<BltFile, ParseError> {
        self.header()?;
        let mut merger = BallotMerger::new();
        self.ballots(&mut merger)?;
        let mut names = Vec::new();
        let mut title = None;
        while title.is_none() {
            let Some((n, line)) = self.next_line() else {
                if names.len() < self.ncand as usize {
                    return Err(self.eof(format!(
                        "expected {} candidate names but found {}",
                        self.ncand,
                        names.len()
                    )));
                }
                break;
            };
            for item in self.names_line(n, line)? {
                if let Item::Name(s) = item {
                    if names.len() < self.ncand as usize {
                        names.push(s);
                    } else if title.is_none() {
                        title = Some(s);
                    }
                }
            }
        }
        // Lines after the title are deliberately ignored (see the module comment).
        let nick_list = self.nick_list.take();
        let candidates = names
            .into_iter()
            .enumerate()
            .map(|(i, name)| Candidate {
                name,
                nick: nick_list.as_ref().map(|n| n[i].clone()),
                withdrawn: self.withdrawn.contains(&CandidateId(i as u32)),
            })
            .collect();
        Ok(BltFile {
            election: Election {
                title: title.unwrap_or_default(),
                seats: self.seats,
                candidates,
                ballots: merger.finish(),
            },
            tie_order: self.tie_order,
            options: self.options,
        })
    }

    fn header(&mut self) -> Result<(), ParseError> {
        loop {
            let Some((n, raw)) = self.next_line() else {
                return Err(self
                    .eof("empty file: expected a header with the number of candidates and seats"));
            };
            let line = strip_comment(raw);
            let mut toks = tokens(line);
            let Some((off, first)) = toks.next() else {
                continue;
            };
            let ncand: u32 = first.parse().map_err(|_| {
                err(
                    n,
                    raw,
                    off,
                    format!("expected the number of candidates, found {first:?}"),
                )
            })?;
            if ncand == 0 {
                return Err(err(n, raw, off, "an election needs at least one candidate"));
            }
            let Some((off, s)) = toks.next() else {
                return Err(err(
                    n,
                    raw,
                    line.len(),
                    "expected the number of seats after the number of candidates",
                ));
            };
            let seats: u32 = s.parse().map_err(|_| {
                err(
                    n,
                    raw,
                    off,
                    format!("expected the number of seats, found {s:?}"),
                )
            })?;
            if seats == 0 {
                return Err(err(n, raw, off, "the number of seats must be at least 1"));
            }
            self.ncand = ncand;
            self.seats = seats;
            for (off, t) in toks {
                self.withdrawn_number(n, raw, off, t)?;
            }
            return Ok(());
        }
    }

    fn withdrawn_number(
        &mut self,
        n: usize,
        raw: &str,
        off: usize,
        t: &str,
    ) -> Result<(), ParseError> {
        let Some(num) = t.strip_prefix('-') else {
            return Err(err(
                n,
                raw,
                off,
                format!("expected a withdrawn candidate as a negative number, found {t:?}"),
            ));
        };
        let id = self.number(n, raw, off, num)?;
        self.withdrawn.insert(id);
        Ok(())
    }

    fn number(&self, n: usize, raw: &str, off: usize, t: &str) -> Result<CandidateId, ParseError> {
        match t.parse::<u64>() {
            Ok(k) if k >= 1 && k <= u64::from(self.ncand) => Ok(CandidateId((k - 1) as u32)),
            Ok(k) => Err(err(
                n,
                raw,
                off,
                format!("candidate number {k} is not between 1 and {}", self.ncand),
            )),
            Err(_) => Err(err(
                n,
                raw,
                off,
                format!("expected a candidate number, found {t:?}"),
            )),
        }
    }

    /// A candidate named by number or, once `[nick …]` is given, by nickname.
    fn candidate(
        &self,
        n: usize,
        raw: &str,
        off: usize,
        t: &str,
    ) -> Result<CandidateId, ParseError> {
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            return self.number(n, raw, off, t);
        }
        if let Some(id) = self.nicks.as_ref().and_then(|m| m.get(t)) {
            return Ok(*id);
        }
        let message = if self.nicks.is_some() {
            format!("{t:?} is neither a candidate number nor a nickname")
        } else {
            format!("expected a candidate number, found {t:?}")
        };
        Err(err(n, raw, off, message))
    }

    fn ballots(&mut self, merger: &mut BallotMerger) -> Result<(), ParseError> {
        let mut seen_ballot = false;
        loop {
            let Some((n, raw)) = self.next_line() else {
                return Err(self.eof("the ballots do not end with a line holding a single 0"));
            };
            let line = raw.trim_start();
            if line.starts_with('[') {
                let off = raw.len() - line.len();
                self.extension(n, raw, off)?;
                continue;
            }
            let line = strip_comment(raw);
            let mut toks = tokens(line).peekable();
            let Some(&(off, first)) = toks.peek() else {
                continue;
            };
            if first == "0" {
                toks.next();
                if let Some((off, t)) = toks.next() {
                    return Err(err(
                        n,
                        raw,
                        off,
                        format!("unexpected {t:?} after the 0 that ends the ballots"),
                    ));
                }
                return Ok(());
            }
            if !seen_ballot && first.starts_with('-') && first.len() > 1 {
                for (off, t) in toks {
                    self.withdrawn_number(n, raw, off, t)?;
                }
                continue;
            }
            seen_ballot = true;
            if first.starts_with('(') {
                // A ballot id, which may itself contain spaces: skip to the closing parenthesis.
                let mut closed = false;
                for (_, t) in toks.by_ref() {
                    if t.ends_with(')') {
                        closed = true;
                        break;
                    }
                }
                if !closed {
                    return Err(err(n, raw, off, "ballot id has no closing parenthesis"));
                }
            }
            let Some((off, w)) = toks.next() else {
                return Err(err(
                    n,
                    raw,
                    line.len(),
                    "expected a ballot weight after the ballot id",
                ));
            };
            let weight: u64 = w.parse().map_err(|_| {
                err(
                    n,
                    raw,
                    off,
                    format!("expected a ballot weight (a whole number), found {w:?}"),
                )
            })?;
            let mut ranks: Vec<Vec<CandidateId>> = Vec::new();
            let mut closed = false;
            for (off, t) in toks.by_ref() {
                if t == "0" {
                    closed = true;
                    break;
                }
                if t == "-" {
                    ranks.push(Vec::new());
                    continue;
                }
                let mut group = Vec::with_capacity(1);
                let mut part_off = off;
                for part in t.split('=') {
                    if part.is_empty() {
                        return Err(err(
                            n,
                            raw,
                            part_off,
                            format!("empty candidate in equal ranking {t:?}"),
                        ));
                    }
                    group.push(self.candidate(n, raw, part_off, part)?);
                    part_off += part.len() + 1;
                }
                ranks.push(group);
            }
            if !closed {
                return Err(err(n, raw, line.len(), "ballot does not end with 0"));
            }
            if let Some((off, t)) = toks.next() {
                return Err(err(
                    n,
                    raw,
                    off,
                    format!("unexpected {t:?} after the 0 that ends the ballot"),
                ));
            }
            while ranks.last().is_some_and(Vec::is_empty) {
                ranks.pop();
            }
            merger
                .add(ranks, weight)
                .map_err(|_| err(n, raw, off, "the total weight of the ballots is too large"))?;
        }
    }

    /// `[keyword item …]` on one line; items may be quoted.
    fn extension(&mut self, n: usize, raw: &str, start: usize) -> Result<(), ParseError> {
        let (items, end) = bracket_items(n, raw, start)?;
        let rest = raw[end..].trim_start();
        if !rest.is_empty() && !rest.starts_with('#') {
            let off = raw.len() - rest.len();
            return Err(err(n, raw, off, "unexpected text after ]"));
        }
        let Some(&(koff, ref keyword)) = items.first() else {
            return Err(err(n, raw, start, "empty [ ] extension"));
        };
        match keyword.as_str() {
            "nick" => {
                let nicks = &items[1..];
                if nicks.len() != self.ncand as usize {
                    return Err(err(
                        n,
                        raw,
                        koff,
                        format!(
                            "[nick] gives {} nicknames for {} candidates",
                            nicks.len(),
                            self.ncand
                        ),
                    ));
                }
                let mut map = HashMap::new();
                for (i, (off, nick)) in nicks.iter().enumerate() {
                    if map.insert(nick.clone(), CandidateId(i as u32)).is_some() {
                        return Err(err(
                            n,
                            raw,
                            *off,
                            format!("nickname {nick:?} is used twice"),
                        ));
                    }
                }
                self.nick_list = Some(nicks.iter().map(|(_, s)| s.clone()).collect());
                self.nicks = Some(map);
            }
            "withdrawn" | "tie" => {
                let mut ids = Vec::new();
                for (off, t) in &items[1..] {
                    ids.push(self.candidate(n, raw, *off, t)?);
                }
                if keyword == "withdrawn" {
                    self.withdrawn.extend(ids);
                } else {
                    self.tie_order = Some(ids);
                }
            }
            _ => self.options.push(raw[start..end].to_string()),
        }
        Ok(())
    }

    /// The names and title section: quoted names (several may share a line), or one unquoted
    /// name per line.
    fn names_line(&mut self, n: usize, raw: &str) -> Result<Vec<Item>, ParseError> {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(Vec::new());
        }
        let start = raw.len() - raw.trim_start().len();
        if line.starts_with('[') {
            self.extension(n, raw, start)?;
            return Ok(vec![Item::Ext]);
        }
        if !line.starts_with('"') {
            return Ok(vec![Item::Name(line.to_string())]);
        }
        let mut items = Vec::new();
        let mut pos = start;
        loop {
            let rest = &raw[pos..];
            let trimmed = rest.trim_start();
            pos += rest.len() - trimmed.len();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                return Ok(items);
            }
            if !trimmed.starts_with('"') {
                return Err(err(n, raw, pos, "unexpected text after a quoted name"));
            }
            let Some(close) = trimmed[1..].find('"') else {
                return Err(err(n, raw, pos, "quoted name has no closing quote"));
            };
            items.push(Item::Name(trimmed[1..1 + close].to_string()));
            pos += close + 2;
        }
    }
}

/// Items of a `[…]` extension with their offsets, and the offset just past the `]`.
#[allow(clippy::type_complexity)]
fn bracket_items(
    n: usize,
    raw: &str,
    start: usize,
) -> Result<(Vec<(usize, String)>, usize), ParseError> {
    let mut items = Vec::new();
    let mut pos = start + 1;
    loop {
        let rest = &raw[pos..];
        let trimmed = rest.trim_start();
        pos += rest.len() - trimmed.len();
        if trimmed.is_empty() {
            return Err(err(n, raw, start, "extension has no closing ]"));
        }
        if let Some(after) = trimmed.strip_prefix(']') {
            let _ = after;
            return Ok((items, pos + 1));
        }
        if let Some(q) = trimmed.strip_prefix('"') {
            let Some(close) = q.find('"') else {
                return Err(err(n, raw, pos, "quoted item has no closing quote"));
            };
            items.push((pos, q[..close].to_string()));
            pos += close + 2;
        } else {
            let len = trimmed
                .find(|c: char| c.is_whitespace() || c == ']')
                .unwrap_or(trimmed.len());
            items.push((pos, trimmed[..len].to_string()));
            pos += len;
        }
    }
}

fn strip_comment(line: &str) -> &str {
    match line.find('#') {
        Some(i) => &line[..i],
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Ballot;

    fn c(i: u32) -> CandidateId {
        CandidateId(i)
    }

    #[test]
    fn reads_quoted_names_and_merges_rankings() {
        let e =
            parse("3 2\n2 1 2 0\n1 3 0\n1 1 2 0\n0\n\"Ann\"\n\"Bob\"\n\"Cy\"\n\"Test\"\n").unwrap();
        assert_eq!(e.seats, 2);
        assert_eq!(e.title, "Test");
        assert_eq!(e.candidates[1].name, "Bob");
        assert_eq!(
            e.ballots,
            vec![
                Ballot {
                    weight: 3,
                    ranks: vec![vec![c(0)], vec![c(1)]]
                },
                Ballot {
                    weight: 1,
                    ranks: vec![vec![c(2)]]
                },
            ]
        );
    }

    #[test]
    fn reads_unquoted_names_without_final_newline_and_bom() {
        let e = parse(
            "\u{feff}2 1\r\n1 1 0\r\n0\r\nEuan BLOCKLEY (C)\r\nMax BRODIE (Sol)\r\nWard 1 Linn",
        )
        .unwrap();
        assert_eq!(e.candidates[0].name, "Euan BLOCKLEY (C)");
        assert_eq!(e.candidates[1].name, "Max BRODIE (Sol)");
        assert_eq!(e.title, "Ward 1 Linn");
    }

    #[test]
    fn reads_extensions_ids_equal_and_skipped_ranks() {
        let text = "# a comment\n4 2 -4\n[nick a b c d]\n[tie b a c d]\n[droop meek]\n(x1) 2 a=b - 3 - 0 # trailing\n(x 2) 1 c 0\n0\n\"A\" \"B\"\n\"C\"\n\"D\"\n\"T\"\nextra notes\n";
        let f = parse_file(text).unwrap();
        let e = &f.election;
        assert!(e.candidates[3].withdrawn);
        assert_eq!(e.candidates[0].nick.as_deref(), Some("a"));
        assert_eq!(f.tie_order, Some(vec![c(1), c(0), c(2), c(3)]));
        assert_eq!(f.options, vec!["[droop meek]".to_string()]);
        assert_eq!(
            e.ballots[0].ranks,
            vec![vec![c(0), c(1)], vec![], vec![c(2)]]
        );
        assert_eq!(e.ballots[1].ranks, vec![vec![c(2)]]);
        assert_eq!(e.title, "T");
    }

    #[test]
    fn withdrawn_line_and_extension() {
        let e = parse("3 1\n-1 -2\n1 3 0\n0\nA\nB\nC\nT").unwrap();
        assert!(
            e.candidates[0].withdrawn && e.candidates[1].withdrawn && !e.candidates[2].withdrawn
        );
        let e = parse("3 1\n[withdrawn 2]\n1 3 0\n0\nA\nB\nC\nT").unwrap();
        assert!(e.candidates[1].withdrawn);
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("3 1\n1 1 4 0\n0\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 5));
        assert!(e.message.contains("candidate number 4"), "{e}");
        let e = parse("3 1\n1 1 2\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("does not end with 0"));
        let e = parse("x 1\n").unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        let e = parse("2 1\n1 1 0\n0\n\"A\"\n").unwrap_err();
        assert!(
            e.message.contains("expected 2 candidate names but found 1"),
            "{e}"
        );
        let e = parse("2 1\n1 1 0\n0\n\"A\n").unwrap_err();
        assert_eq!((e.line, e.column), (4, 1));
        assert_eq!(parse("").unwrap_err().line, 1);
    }

    #[test]
    fn missing_title_is_empty() {
        let e = parse("1 1\n1 1 0\n0\n\"A\"\n").unwrap();
        assert_eq!(e.title, "");
    }

    #[test]
    fn writer_round_trips() {
        let text =
            "4 2\n-4\n[nick a b c d]\n2 1=2 - 3 0\n1 3 0\n0\n\"A\"\n\"B\"\n\"C\"\n\"D\"\n\"T\"\n";
        let e = parse(text).unwrap();
        let written = to_blt(&e).unwrap();
        assert_eq!(written, text);
        assert_eq!(parse(&written).unwrap(), e);
    }

    #[test]
    fn writer_refuses_quotes_in_names() {
        let mut e = parse("1 1\n1 1 0\n0\n\"A\"\n\"T\"\n").unwrap();
        e.candidates[0].name = "A \"B\"".into();
        assert!(matches!(to_blt(&e), Err(WriteError::Name(_))));
    }
}
