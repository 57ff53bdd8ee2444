//! The constitution file: TOML that people write, import, export and diff.
//!
//! TOML rather than Markdown with rule blocks: every clause is one `[[clause]]` table whose
//! rules sit directly under it, so the tie between text and rule is structural, not a
//! convention of headings; multi-line strings keep the text readable; and a parser that
//! reports line and column already exists. The serde structs here are the file's shape only:
//! they are turned into the engine's own types, which are not `Serialize`.
//!
//! ```toml
//! name = "Campaign Network"
//! version = "founding constitution"
//! effective = 2016-03-12
//! adopted_by = { text = "the founding meeting", body = "conference", on = 2016-03-12 }
//!
//! [[clause]]
//! number = "4.1"
//! title = "Members' rights"
//! text = "Every active member whose dues are paid up may attend, speak and vote…"
//!
//! [[clause.right]]
//! grant = ["attend", "speak", "vote"]
//! in = ["branch-meeting", "conference"]
//! when = "status is active and paid_up"
//! ```

use charter_domain::UnitKind;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use toml::value::{Date as TomlDate, Datetime};

use crate::constitution::{
    AdoptedBy, AmendmentRule, BallotRule, Body, BusinessRule, Clause, Constitution, DeadlineRule,
    Effect, Filling, NominationRule, NoticeRule, QuorumRule, RequisitionRule, RightRule, TermRule,
    ThresholdRule, TrusteeRule,
};
use crate::delegates::{CardVote, DelegatesRule, parse_card_vote};
use crate::error::{ConstitutionError, Location, ValueError};
use crate::expr::Expr;
use crate::joining::{JoinField, JoiningRule};
use crate::offices::{FoundingRule, OfficeFilling, OfficeRule, office_kind};
use crate::words::{
    Base, ClauseRef, Comparison, ContextPattern, CountMethod, DecisionKind, Duration, Fraction,
    Key, Quorum, Right, Threshold,
};

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConstitution {
    name: String,
    version: String,
    effective: Datetime,
    adopted_by: RawAdoptedBy,
    #[serde(default, rename = "clause")]
    clauses: Vec<RawClause>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum RawAdoptedBy {
    Text(String),
    Decision {
        text: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        on: Option<Datetime>,
    },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClause {
    number: String,
    #[serde(default)]
    title: String,
    text: String,
    #[serde(default, rename = "right", skip_serializing_if = "Vec::is_empty")]
    rights: Vec<RawRight>,
    #[serde(default, rename = "notice", skip_serializing_if = "Vec::is_empty")]
    notices: Vec<RawNotice>,
    #[serde(default, rename = "quorum", skip_serializing_if = "Vec::is_empty")]
    quorums: Vec<RawQuorum>,
    #[serde(default, rename = "threshold", skip_serializing_if = "Vec::is_empty")]
    thresholds: Vec<RawThreshold>,
    #[serde(default, rename = "body", skip_serializing_if = "Vec::is_empty")]
    bodies: Vec<RawBody>,
    #[serde(default, rename = "term", skip_serializing_if = "Vec::is_empty")]
    terms: Vec<RawTerm>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dues_grace_days: Option<u32>,
    #[serde(default, rename = "deadline", skip_serializing_if = "Vec::is_empty")]
    deadlines: Vec<RawDeadline>,
    #[serde(default, rename = "requisition", skip_serializing_if = "Vec::is_empty")]
    requisitions: Vec<RawRequisition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    business: Vec<RawBusiness>,
    #[serde(default, rename = "ballot", skip_serializing_if = "Vec::is_empty")]
    ballots: Vec<RawBallot>,
    #[serde(default, rename = "nomination", skip_serializing_if = "Vec::is_empty")]
    nominations: Vec<RawNomination>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    delegates: Vec<RawDelegates>,
    #[serde(default, rename = "office", skip_serializing_if = "Vec::is_empty")]
    offices: Vec<RawOffice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    founding: Option<RawFounding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    joining: Option<RawJoining>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amendment: Option<RawAmendment>,
}

/// An office each unit of a level has: `filled` is `elected` or `appointed`, `by` the body.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOffice {
    office: String,
    level: String,
    filled: String,
    by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    term: Option<String>,
}

/// The offices the founders fill at the founding.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFounding {
    offices: Vec<String>,
}

/// What the join form asks beyond names, email, postcode and branch, and what applicants
/// agree to.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJoining {
    #[serde(default)]
    ask: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    require: Vec<String>,
    consent: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRight {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    grant: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    restrict: Option<Vec<String>>,
    #[serde(rename = "in")]
    contexts: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    when: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unless: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    says: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotice {
    meeting: String,
    clear_days: u32,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuorum {
    meeting: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    members: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    share: Option<String>,
    /// `larger` or `smaller`, when both a number and a share are given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    take: Option<String>,
}

/// A threshold as written: exactly one of `at_least` and `more_than`, and `of` the base.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreshold {
    decision: String,
    by: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at_least: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    more_than: Option<String>,
    of: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBody {
    key: String,
    name: String,
    level: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seats: Option<u32>,
    /// `all-members`, `elected`, `appointed` or `delegated`.
    filled: String,
    /// The electorate or appointing body, or for `delegated` the level that sends delegates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    term: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTerm {
    of: String,
    length: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDeadline {
    step: String,
    within: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequisition {
    meeting: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    members: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    branches: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    called_by: Vec<String>,
}

/// Standing orders for the business of a kind of meeting.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBusiness {
    meeting: String,
    motions_clear_days: u32,
    amendments_clear_days: u32,
    #[serde(default)]
    seconder: bool,
    #[serde(default)]
    amendment_depth: u32,
}

/// How ballots and elections are run. Every field may be left out for its default
/// ([`BallotRule::default`]); the writer gives them all, so an exported file says them.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBallot {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    election_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    single_seat_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    later_vote_replaces: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    window_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    roll_challenge_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scrutineer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reminder_days: Option<Vec<u32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    trustee_offices: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    trustees: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    trustee_threshold: Option<u32>,
}

/// How candidates for an elected body are nominated.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNomination {
    body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nominators: Option<u32>,
    window_days: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    withdrawal_days: Option<u32>,
}

/// How a kind of conference sitting is made up of branch delegates. Left-out fields take
/// their defaults; the writer gives them all.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDelegates {
    meeting: String,
    members_per_delegate: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    minimum: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    maximum: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    counted_days_before: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    substitutes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    card_vote: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    credentials_due_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    challenge_days: Option<u32>,
    ruled_by: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmendment {
    by: Vec<String>,
    notice_days: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    at_least: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    more_than: Option<String>,
    of: String,
}

impl Constitution {
    /// Reads a constitution file. Every error names where it lies: toml's line and column,
    /// or the clause, the rule and the column within its condition.
    pub fn from_toml(src: &str) -> Result<Self, ConstitutionError> {
        let raw: RawConstitution =
            toml::from_str(src).map_err(|e| ConstitutionError::Syntax(one_line(&e.to_string())))?;
        let effective = to_date(&raw.effective)
            .map_err(|m| ConstitutionError::at(Location::File, format!("effective: {m}")))?;
        let adopted_by = match raw.adopted_by {
            RawAdoptedBy::Text(text) => AdoptedBy {
                text,
                body: None,
                on: None,
            },
            RawAdoptedBy::Decision { text, body, on } => AdoptedBy {
                text,
                body: body.map(|b| Key::parse(&b)).transpose().map_err(|e| {
                    ConstitutionError::at(Location::File, format!("adopted_by.body: {e}"))
                })?,
                on: on.map(|d| to_date(&d)).transpose().map_err(|m| {
                    ConstitutionError::at(Location::File, format!("adopted_by.on: {m}"))
                })?,
            },
        };
        let clauses = raw
            .clauses
            .into_iter()
            .enumerate()
            .map(|(i, c)| clause_from_raw(i, c))
            .collect::<Result<Vec<_>, _>>()?;
        Constitution::new(raw.name, raw.version, effective, adopted_by, clauses)
    }

    /// Writes the version back as a constitution file that reads into an equal version.
    pub fn to_toml(&self) -> String {
        let a = self.adopted_by();
        let raw = RawConstitution {
            name: self.name().to_string(),
            version: self.version().to_string(),
            effective: from_date(self.effective()),
            adopted_by: if a.body.is_none() && a.on.is_none() {
                RawAdoptedBy::Text(a.text.clone())
            } else {
                RawAdoptedBy::Decision {
                    text: a.text.clone(),
                    body: a.body.as_ref().map(Key::to_string),
                    on: a.on.map(from_date),
                }
            },
            clauses: self.clauses().iter().map(clause_to_raw).collect(),
        };
        // The raw shape is plain strings, numbers, dates and tables, which TOML always holds.
        toml::to_string_pretty(&raw).unwrap_or_default()
    }
}

fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn to_date(d: &Datetime) -> Result<NaiveDate, String> {
    match (&d.date, &d.time, &d.offset) {
        (Some(date), None, None) => NaiveDate::from_ymd_opt(
            i32::from(date.year),
            u32::from(date.month),
            u32::from(date.day),
        )
        .ok_or_else(|| format!("{d} is not a date")),
        _ => Err(format!("expected a date such as 2017-07-01, found {d}")),
    }
}

fn from_date(d: NaiveDate) -> Datetime {
    Datetime {
        date: Some(TomlDate {
            year: u16::try_from(d.year()).unwrap_or(0),
            month: u8::try_from(d.month()).unwrap_or(1),
            day: u8::try_from(d.day()).unwrap_or(1),
        }),
        time: None,
        offset: None,
    }
}

fn threshold_from_raw(
    at_least: Option<String>,
    more_than: Option<String>,
    of: &str,
) -> Result<Threshold, ValueError> {
    let base = Base::parse(of)?;
    let (comparison, f) = match (at_least, more_than) {
        (Some(f), None) => (Comparison::AtLeast, f),
        (None, Some(f)) => (Comparison::MoreThan, f),
        _ => {
            return Err(ValueError(
                "give exactly one of at_least and more_than".into(),
            ));
        }
    };
    let fraction = match f.trim() {
        "simple majority" | "majority" => Fraction::new(1, 2)?,
        other => Fraction::parse(other)?,
    };
    Ok(Threshold {
        comparison,
        fraction,
        base,
    })
}

fn threshold_to_raw(t: &Threshold) -> (Option<String>, Option<String>, String) {
    let f = t.fraction.to_string();
    let (a, m) = match t.comparison {
        Comparison::AtLeast => (Some(f), None),
        Comparison::MoreThan => (None, Some(f)),
    };
    (a, m, t.base.as_str().to_string())
}

fn keys(raw: &[String]) -> Result<Vec<Key>, ValueError> {
    raw.iter().map(|k| Key::parse(k)).collect()
}

fn clause_from_raw(index: usize, raw: RawClause) -> Result<Clause, ConstitutionError> {
    let number = ClauseRef::parse(&raw.number).map_err(|e| {
        ConstitutionError::at(Location::Clause(format!("#{} in the file", index + 1)), e.0)
    })?;
    let n = number.to_string();
    let at = |item: &'static str, i: usize| Location::ClauseItem {
        clause: n.clone(),
        item,
        index: i + 1,
    };
    let wrap = |item: &'static str, i: usize| {
        let loc = at(item, i);
        move |e: ValueError| ConstitutionError::at(loc.clone(), e.0)
    };
    let mut c = Clause::new(number.clone(), raw.title, raw.text);

    for (i, r) in raw.rights.into_iter().enumerate() {
        let (effect, rights, cond) = match (r.grant, r.restrict, r.when, r.unless) {
            (Some(g), None, Some(w), None) => (Effect::Grant, g, w),
            (None, Some(x), None, Some(u)) => (Effect::Restrict, x, u),
            (Some(_), None, _, _) => {
                return Err(ConstitutionError::at(
                    at("rule", i),
                    "a grant needs 'when' (who receives the rights) and no 'unless'",
                ));
            }
            (None, Some(_), _, _) => {
                return Err(ConstitutionError::at(
                    at("rule", i),
                    "a restriction needs 'unless' (who keeps the rights) and no 'when'",
                ));
            }
            _ => {
                return Err(ConstitutionError::at(
                    at("rule", i),
                    "give exactly one of 'grant' and 'restrict'",
                ));
            }
        };
        let condition = Expr::parse(&cond).map_err(|e| {
            ConstitutionError::at(
                Location::Condition {
                    clause: n.clone(),
                    rule: i + 1,
                    column: e.column,
                },
                e.message,
            )
        })?;
        c.rights.push(RightRule {
            effect,
            rights: rights
                .iter()
                .map(|r| Right::parse(r))
                .collect::<Result<_, _>>()
                .map_err(wrap("rule", i))?,
            contexts: r
                .contexts
                .iter()
                .map(|p| ContextPattern::parse(p))
                .collect::<Result<_, _>>()
                .map_err(wrap("rule", i))?,
            condition,
            says: r.says,
        });
    }
    for (i, r) in raw.notices.into_iter().enumerate() {
        c.notices.push(NoticeRule {
            meeting: Key::parse(&r.meeting).map_err(wrap("notice", i))?,
            clear_days: r.clear_days,
        });
    }
    for (i, r) in raw.quorums.into_iter().enumerate() {
        let e = wrap("quorum", i);
        let share = r
            .share
            .as_deref()
            .map(Fraction::parse)
            .transpose()
            .map_err(&e)?;
        let quorum = match (r.members, share, r.take.as_deref()) {
            (Some(m), None, None) => Quorum::Number(m),
            (None, Some(f), None) => Quorum::Share(f),
            (Some(m), Some(f), Some("larger")) => Quorum::Larger(m, f),
            (Some(m), Some(f), Some("smaller")) => Quorum::Smaller(m, f),
            (Some(_), Some(_), _) => {
                return Err(e(ValueError(
                    "with both members and share, say take = \"larger\" or \"smaller\"".into(),
                )));
            }
            _ => {
                return Err(e(ValueError(
                    "a quorum needs members, share, or both with take".into(),
                )));
            }
        };
        c.quorums.push(QuorumRule {
            meeting: Key::parse(&r.meeting).map_err(&e)?,
            body: r.body.as_deref().map(Key::parse).transpose().map_err(&e)?,
            quorum,
        });
    }
    for (i, r) in raw.thresholds.into_iter().enumerate() {
        let e = wrap("threshold", i);
        c.thresholds.push(ThresholdRule {
            decision: DecisionKind::parse(&r.decision).map_err(&e)?,
            by: keys(&r.by).map_err(&e)?,
            threshold: threshold_from_raw(r.at_least, r.more_than, &r.of).map_err(&e)?,
        });
    }
    for (i, r) in raw.bodies.into_iter().enumerate() {
        let e = wrap("body", i);
        let level = UnitKind::parse(r.level.trim()).ok_or_else(|| {
            e(ValueError(format!(
                "'{}' is not a level; use national, region or branch",
                r.level
            )))
        })?;
        let by = || {
            r.by.as_deref()
                .ok_or_else(|| ValueError(format!("a body filled by '{}' needs 'by'", r.filled)))
        };
        let filled = match r.filled.trim() {
            "all-members" => Filling::AllMembers,
            "elected" => Filling::ElectedBy(Key::parse(by().map_err(&e)?).map_err(&e)?),
            "appointed" => Filling::AppointedBy(Key::parse(by().map_err(&e)?).map_err(&e)?),
            "delegated" => {
                let b = by().map_err(&e)?;
                Filling::DelegatedBy(UnitKind::parse(b.trim()).ok_or_else(|| {
                    e(ValueError(format!(
                        "delegates come from a level (region or branch), not '{b}'"
                    )))
                })?)
            }
            other => {
                return Err(e(ValueError(format!(
                    "'{other}' is not a way to fill a body; use all-members, elected, appointed or delegated"
                ))));
            }
        };
        c.bodies.push(Body {
            key: Key::parse(&r.key).map_err(&e)?,
            name: r.name,
            level,
            seats: r.seats,
            filled,
            term: r
                .term
                .as_deref()
                .map(Duration::parse)
                .transpose()
                .map_err(&e)?,
        });
    }
    for (i, r) in raw.terms.into_iter().enumerate() {
        let e = wrap("term", i);
        c.terms.push(TermRule {
            of: Key::parse(&r.of).map_err(&e)?,
            length: Duration::parse(&r.length).map_err(&e)?,
        });
    }
    c.dues_grace_days = raw.dues_grace_days;
    for (i, r) in raw.deadlines.into_iter().enumerate() {
        let e = wrap("deadline", i);
        c.deadlines.push(DeadlineRule {
            step: Key::parse(&r.step).map_err(&e)?,
            within: Duration::parse(&r.within).map_err(&e)?,
        });
    }
    for (i, r) in raw.requisitions.into_iter().enumerate() {
        let e = wrap("requisition", i);
        c.requisitions.push(RequisitionRule {
            meeting: Key::parse(&r.meeting).map_err(&e)?,
            members: r
                .members
                .as_deref()
                .map(Fraction::parse)
                .transpose()
                .map_err(&e)?,
            branches: r.branches,
            called_by: r
                .called_by
                .iter()
                .map(|b| Key::parse(b))
                .collect::<Result<_, _>>()
                .map_err(&e)?,
        });
    }
    for (i, r) in raw.business.into_iter().enumerate() {
        let e = wrap("business", i);
        c.business.push(BusinessRule {
            meeting: Key::parse(&r.meeting).map_err(&e)?,
            motions_clear_days: r.motions_clear_days,
            amendments_clear_days: r.amendments_clear_days,
            seconder: r.seconder,
            amendment_depth: r.amendment_depth,
        });
    }
    for (i, r) in raw.ballots.into_iter().enumerate() {
        let e = wrap("ballot", i);
        let method = |field: &str, raw: Option<String>, default: CountMethod| {
            raw.map_or(Ok(default), |m| {
                CountMethod::parse(&m).map_err(|v| ValueError(format!("{field}: {}", v.0)))
            })
        };
        let d = BallotRule::default();
        c.ballots.push(BallotRule {
            election_method: method("election_method", r.election_method, d.election_method)
                .map_err(&e)?,
            single_seat_method: method(
                "single_seat_method",
                r.single_seat_method,
                d.single_seat_method,
            )
            .map_err(&e)?,
            later_vote_replaces: r.later_vote_replaces.unwrap_or(d.later_vote_replaces),
            window_days: r.window_days.unwrap_or(d.window_days),
            roll_challenge_days: r.roll_challenge_days.unwrap_or(d.roll_challenge_days),
            scrutineer: r
                .scrutineer
                .as_deref()
                .map(Key::parse)
                .transpose()
                .map_err(|v| e(ValueError(format!("scrutineer: {}", v.0))))?,
            // Left out, the default reminder where the window leaves room for it.
            reminder_days: r.reminder_days.unwrap_or_else(|| {
                let window = r.window_days.unwrap_or(d.window_days);
                d.reminder_days
                    .into_iter()
                    .filter(|day| *day < window)
                    .collect()
            }),
            trustees: match (r.trustee_offices, r.trustees, r.trustee_threshold) {
                (None, None, None) => None,
                (Some(offices), Some(count), Some(threshold)) => Some(TrusteeRule {
                    offices: offices
                        .iter()
                        .map(|o| Key::parse(o))
                        .collect::<Result<_, _>>()
                        .map_err(|v| e(ValueError(format!("trustee_offices: {}", v.0))))?,
                    count,
                    threshold,
                }),
                _ => {
                    return Err(e(ValueError(
                        "trustee_offices, trustees and trustee_threshold go together: give all three or none".into(),
                    )));
                }
            },
        });
    }
    for (i, r) in raw.nominations.into_iter().enumerate() {
        let e = wrap("nomination", i);
        c.nominations.push(NominationRule {
            body: Key::parse(&r.body).map_err(|v| e(ValueError(format!("body: {}", v.0))))?,
            nominators: r.nominators.unwrap_or(1),
            window_days: r.window_days,
            withdrawal_days: r.withdrawal_days.unwrap_or(0),
        });
    }
    for (i, r) in raw.delegates.into_iter().enumerate() {
        let e = wrap("delegates", i);
        let key = |field: &str, raw: &str| {
            Key::parse(raw).map_err(|v| e(ValueError(format!("{field}: {}", v.0))))
        };
        c.delegates.push(DelegatesRule {
            meeting: key("meeting", &r.meeting)?,
            members_per_delegate: r.members_per_delegate,
            minimum: r.minimum.unwrap_or(1),
            maximum: r.maximum,
            counted_days_before: r.counted_days_before.unwrap_or(0),
            substitutes: r.substitutes.unwrap_or(0),
            card_vote: r
                .card_vote
                .as_deref()
                .map(parse_card_vote)
                .transpose()
                .map_err(|v| e(ValueError(format!("card_vote: {}", v.0))))?
                .unwrap_or(CardVote::None),
            credentials_due_days: r.credentials_due_days.unwrap_or(0),
            challenge_days: r.challenge_days.unwrap_or(0),
            ruled_by: key("ruled_by", &r.ruled_by)?,
        });
    }
    for (i, r) in raw.offices.into_iter().enumerate() {
        let e = wrap("office", i);
        let office = office_kind(&r.office).map_err(|m| e(ValueError(format!("office: {m}"))))?;
        let level = UnitKind::parse(r.level.trim()).ok_or_else(|| {
            e(ValueError(format!(
                "level: '{}' is not a level; use national, region or branch",
                r.level
            )))
        })?;
        let by = Key::parse(&r.by).map_err(|v| e(ValueError(format!("by: {}", v.0))))?;
        let filled = match r.filled.trim() {
            "elected" => OfficeFilling::ElectedBy(by),
            "appointed" => OfficeFilling::AppointedBy(by),
            other => {
                return Err(e(ValueError(format!(
                    "filled: '{other}' is not a way to fill an office; use elected or appointed"
                ))));
            }
        };
        c.offices.push(OfficeRule {
            office,
            level,
            filled,
            term: r
                .term
                .as_deref()
                .map(Duration::parse)
                .transpose()
                .map_err(|v| e(ValueError(format!("term: {}", v.0))))?,
        });
    }
    if let Some(f) = raw.founding {
        let e = wrap("founding", 0);
        let mut offices = Vec::new();
        for o in &f.offices {
            let k = office_kind(o).map_err(|m| e(ValueError(format!("offices: {m}"))))?;
            if !offices.contains(&k) {
                offices.push(k);
            }
        }
        c.founding = Some(FoundingRule { offices });
    }
    if let Some(j) = raw.joining {
        let e = wrap("joining", 0);
        let fields = |raw: &[String]| -> Result<Vec<JoinField>, ValueError> {
            raw.iter().map(|f| JoinField::parse(f)).collect()
        };
        c.joining = Some(
            JoiningRule::new(
                fields(&j.ask).map_err(&e)?,
                fields(&j.require).map_err(&e)?,
                j.consent,
            )
            .map_err(&e)?,
        );
    }
    if let Some(a) = raw.amendment {
        let e = wrap("amendment", 0);
        c.amendment = Some(AmendmentRule {
            by: keys(&a.by).map_err(&e)?,
            notice_clear_days: a.notice_days,
            threshold: threshold_from_raw(a.at_least, a.more_than, &a.of).map_err(&e)?,
        });
    }
    Ok(c)
}

fn clause_to_raw(c: &Clause) -> RawClause {
    RawClause {
        number: c.number().to_string(),
        title: c.title.clone(),
        text: c.text.clone(),
        rights: c
            .rights
            .iter()
            .map(|r| {
                let names: Vec<String> = r.rights.iter().map(|x| x.as_str().to_string()).collect();
                let cond = Some(r.condition.to_string());
                let (grant, restrict, when, unless) = match r.effect {
                    Effect::Grant => (Some(names), None, cond, None),
                    Effect::Restrict => (None, Some(names), None, cond),
                };
                RawRight {
                    grant,
                    restrict,
                    contexts: r.contexts.iter().map(ToString::to_string).collect(),
                    when,
                    unless,
                    says: r.says.clone(),
                }
            })
            .collect(),
        notices: c
            .notices
            .iter()
            .map(|n| RawNotice {
                meeting: n.meeting.to_string(),
                clear_days: n.clear_days,
            })
            .collect(),
        quorums: c
            .quorums
            .iter()
            .map(|q| {
                let (members, share, take) = match q.quorum {
                    Quorum::Number(n) => (Some(n), None, None),
                    Quorum::Share(f) => (None, Some(f.to_string()), None),
                    Quorum::Larger(n, f) => (Some(n), Some(f.to_string()), Some("larger".into())),
                    Quorum::Smaller(n, f) => (Some(n), Some(f.to_string()), Some("smaller".into())),
                };
                RawQuorum {
                    meeting: q.meeting.to_string(),
                    body: q.body.as_ref().map(Key::to_string),
                    members,
                    share,
                    take,
                }
            })
            .collect(),
        thresholds: c
            .thresholds
            .iter()
            .map(|t| {
                let (at_least, more_than, of) = threshold_to_raw(&t.threshold);
                RawThreshold {
                    decision: t.decision.as_str().to_string(),
                    by: t.by.iter().map(Key::to_string).collect(),
                    at_least,
                    more_than,
                    of,
                }
            })
            .collect(),
        bodies: c
            .bodies
            .iter()
            .map(|b| {
                let (filled, by) = match &b.filled {
                    Filling::AllMembers => ("all-members", None),
                    Filling::ElectedBy(k) => ("elected", Some(k.to_string())),
                    Filling::AppointedBy(k) => ("appointed", Some(k.to_string())),
                    Filling::DelegatedBy(u) => ("delegated", Some(u.as_str().to_string())),
                };
                RawBody {
                    key: b.key.to_string(),
                    name: b.name.clone(),
                    level: b.level.as_str().to_string(),
                    seats: b.seats,
                    filled: filled.to_string(),
                    by,
                    term: b.term.map(|t| t.to_string()),
                }
            })
            .collect(),
        terms: c
            .terms
            .iter()
            .map(|t| RawTerm {
                of: t.of.to_string(),
                length: t.length.to_string(),
            })
            .collect(),
        dues_grace_days: c.dues_grace_days,
        deadlines: c
            .deadlines
            .iter()
            .map(|d| RawDeadline {
                step: d.step.to_string(),
                within: d.within.to_string(),
            })
            .collect(),
        requisitions: c
            .requisitions
            .iter()
            .map(|r| RawRequisition {
                meeting: r.meeting.to_string(),
                members: r.members.map(|f| f.to_string()),
                branches: r.branches,
                called_by: r.called_by.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        business: c
            .business
            .iter()
            .map(|b| RawBusiness {
                meeting: b.meeting.to_string(),
                motions_clear_days: b.motions_clear_days,
                amendments_clear_days: b.amendments_clear_days,
                seconder: b.seconder,
                amendment_depth: b.amendment_depth,
            })
            .collect(),
        ballots: c
            .ballots
            .iter()
            .map(|b| RawBallot {
                election_method: Some(b.election_method.as_str().to_string()),
                single_seat_method: Some(b.single_seat_method.as_str().to_string()),
                later_vote_replaces: Some(b.later_vote_replaces),
                window_days: Some(b.window_days),
                roll_challenge_days: Some(b.roll_challenge_days),
                scrutineer: b.scrutineer.as_ref().map(Key::to_string),
                reminder_days: Some(b.reminder_days.clone()),
                trustee_offices: b
                    .trustees
                    .as_ref()
                    .map(|t| t.offices.iter().map(Key::to_string).collect()),
                trustees: b.trustees.as_ref().map(|t| t.count),
                trustee_threshold: b.trustees.as_ref().map(|t| t.threshold),
            })
            .collect(),
        nominations: c
            .nominations
            .iter()
            .map(|n| RawNomination {
                body: n.body.to_string(),
                nominators: Some(n.nominators),
                window_days: n.window_days,
                withdrawal_days: Some(n.withdrawal_days),
            })
            .collect(),
        delegates: c
            .delegates
            .iter()
            .map(|d| RawDelegates {
                meeting: d.meeting.to_string(),
                members_per_delegate: d.members_per_delegate,
                minimum: Some(d.minimum),
                maximum: d.maximum,
                counted_days_before: Some(d.counted_days_before),
                substitutes: Some(d.substitutes),
                card_vote: Some(d.card_vote.as_str().to_string()),
                credentials_due_days: Some(d.credentials_due_days),
                challenge_days: Some(d.challenge_days),
                ruled_by: d.ruled_by.to_string(),
            })
            .collect(),
        offices: c
            .offices
            .iter()
            .map(|o| {
                let (filled, by) = match &o.filled {
                    OfficeFilling::ElectedBy(k) => ("elected", k),
                    OfficeFilling::AppointedBy(k) => ("appointed", k),
                };
                RawOffice {
                    office: o.office.as_str().to_string(),
                    level: o.level.as_str().to_string(),
                    filled: filled.to_string(),
                    by: by.to_string(),
                    term: o.term.map(|t| t.to_string()),
                }
            })
            .collect(),
        founding: c.founding.as_ref().map(|f| RawFounding {
            offices: f.offices.iter().map(|o| o.as_str().to_string()).collect(),
        }),
        joining: c.joining.as_ref().map(|j| RawJoining {
            ask: j.ask.iter().map(|f| f.as_str().to_string()).collect(),
            require: j.require.iter().map(|f| f.as_str().to_string()).collect(),
            consent: j.consent.clone(),
        }),
        amendment: c.amendment.as_ref().map(|a| {
            let (at_least, more_than, of) = threshold_to_raw(&a.threshold);
            RawAmendment {
                by: a.by.iter().map(Key::to_string).collect(),
                notice_days: a.notice_clear_days,
                at_least,
                more_than,
                of,
            }
        }),
    }
}
