//! A constitution version: numbered clauses of text, the machine rules attached to them, an
//! effective date and the decision that adopted it. Built only through [`Constitution::new`]
//! (or the file reader), which checks the rules fit together, so the evaluator never meets a
//! committee that does not exist or two clauses setting the same notice period.

use std::collections::{HashMap, HashSet};

use charter_domain::{OfficeKind, UnitKind};
use chrono::NaiveDate;

use crate::delegates::DelegatesRule;
use crate::error::{ConstitutionError, Location};
use crate::expr::{Atom, Expr};
use crate::joining::JoiningRule;
use crate::offices::{FoundingRule, OfficeRule};
use crate::words::{
    ClauseRef, Context, ContextPattern, CountMethod, DecisionKind, Duration, Fraction, Key, Quorum,
    Right, Threshold,
};

/// The decision that adopted a version: free text as the minutes put it, and, where known,
/// the body and date, so the app can link it to the recorded decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoptedBy {
    pub text: String,
    pub body: Option<Key>,
    pub on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Gives the rights to members who meet the condition.
    Grant,
    /// Takes the rights away from members who do not meet the condition, whatever any grant
    /// says.
    Restrict,
}

/// Who may do what, where. For a grant the condition says who receives the rights; for a
/// restriction it says who keeps them ("unless").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RightRule {
    pub effect: Effect,
    pub rights: Vec<Right>,
    pub contexts: Vec<ContextPattern>,
    pub condition: Expr,
    /// The rule in the authors' own words, used in explanations instead of generated ones.
    pub says: Option<String>,
}

impl RightRule {
    pub fn applies_to(&self, right: Right, context: &Context) -> bool {
        self.rights.contains(&right) && self.contexts.iter().any(|p| p.matches(context))
    }

    pub fn rights_words(&self) -> String {
        join_words(
            &self
                .rights
                .iter()
                .map(|r| r.verb().to_string())
                .collect::<Vec<_>>(),
            "and",
        )
    }

    pub fn contexts_words(&self) -> String {
        join_words(
            &self
                .contexts
                .iter()
                .map(ContextPattern::words)
                .collect::<Vec<_>>(),
            "and",
        )
    }

    pub fn describe(&self) -> String {
        if let Some(s) = &self.says {
            return s.clone();
        }
        match self.effect {
            Effect::Grant => format!(
                "members who are {} may {} in {}",
                self.condition.words(),
                self.rights_words(),
                self.contexts_words()
            ),
            Effect::Restrict => format!(
                "only members who are {} may {} in {}",
                self.condition.words(),
                join_words(
                    &self
                        .rights
                        .iter()
                        .map(|r| r.verb().to_string())
                        .collect::<Vec<_>>(),
                    "or"
                ),
                self.contexts_words()
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NoticeRule {
    pub meeting: Key,
    pub clear_days: u32,
}

impl NoticeRule {
    pub fn describe(&self) -> String {
        format!(
            "a {} needs {} clear days' notice",
            self.meeting.words(),
            self.clear_days
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuorumRule {
    pub meeting: Key,
    /// A quorum for one body's meetings, overriding the meeting kind's general quorum.
    pub body: Option<Key>,
    pub quorum: Quorum,
}

impl QuorumRule {
    pub fn describe(&self) -> String {
        match &self.body {
            Some(b) => format!(
                "the quorum of a {} of the {} is {}",
                self.meeting.words(),
                b.words(),
                self.quorum.words()
            ),
            None => format!(
                "the quorum of a {} is {}",
                self.meeting.words(),
                self.quorum.words()
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThresholdRule {
    pub decision: DecisionKind,
    /// The bodies (or `member-ballot`) that may take this kind of decision.
    pub by: Vec<Key>,
    pub threshold: Threshold,
}

impl ThresholdRule {
    pub fn describe(&self) -> String {
        format!(
            "{} may be decided by {}, and needs {}",
            capitalise(self.decision.words()),
            join_words(&self.by.iter().map(by_words).collect::<Vec<_>>(), "or"),
            self.threshold.words()
        )
    }
}

/// How a body's seats are filled.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Filling {
    /// Every member of the unit sits (a branch's all-members meeting, an open conference).
    AllMembers,
    /// Elected by a body or by member ballot.
    ElectedBy(Key),
    AppointedBy(Key),
    /// Each unit of this level sends delegates (branches to conference).
    DelegatedBy(UnitKind),
}

impl Filling {
    pub fn words(&self) -> String {
        match self {
            Filling::AllMembers => "open to all members".into(),
            Filling::ElectedBy(k) => format!("elected by {}", by_words(k)),
            Filling::AppointedBy(k) => format!("appointed by the {}", k.words()),
            Filling::DelegatedBy(u) => format!("made up of delegates from each {}", u.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Body {
    pub key: Key,
    pub name: String,
    /// National bodies exist once; regional and branch bodies once per unit of that level.
    pub level: UnitKind,
    /// `None` when the body is all its members rather than a number of seats.
    pub seats: Option<u32>,
    pub filled: Filling,
    pub term: Option<Duration>,
}

impl Body {
    /// A committee is a body with seats; rights in it are `committee:<key>`.
    pub fn is_committee(&self) -> bool {
        self.seats.is_some()
    }

    pub fn describe(&self) -> String {
        let mut s = format!(
            "the {} ({}, {} level",
            self.name,
            self.key,
            self.level.as_str()
        );
        if let Some(n) = self.seats {
            s.push_str(&format!(", {n} seats"));
        }
        s.push_str(&format!(") is {}", self.filled.words()));
        if let Some(t) = self.term {
            s.push_str(&format!(" for a term of {t}"));
        }
        s
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TermRule {
    /// An office (`chair`) or a body (`steering-committee`).
    pub of: Key,
    pub length: Duration,
}

impl TermRule {
    pub fn describe(&self) -> String {
        format!("a term as {} lasts {}", self.of.words(), self.length)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeadlineRule {
    /// The step that must happen in time: `appeal`, `appeal-hearing`, `charge-response`…
    pub step: Key,
    pub within: Duration,
}

impl DeadlineRule {
    pub fn describe(&self) -> String {
        format!(
            "the {} must happen within {}",
            self.step.words(),
            self.within
        )
    }
}

/// How business comes before a kind of meeting: when motions and amendments to them are due,
/// whether a motion needs a seconder, and how deep amendments may go.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BusinessRule {
    pub meeting: Key,
    /// Clear days before the meeting by which motions are due.
    pub motions_clear_days: u32,
    /// Clear days before the meeting by which amendments to motions are due.
    pub amendments_clear_days: u32,
    /// A motion is put only once another member entitled to propose has seconded it.
    pub seconder: bool,
    /// 0: no amendments; 1: amendments; 2: amendments to amendments too; and so on.
    pub amendment_depth: u32,
}

impl BusinessRule {
    /// The last day a motion may be proposed for a meeting on `meeting_on`: the given clear
    /// days lie wholly between that day and the meeting's.
    pub fn motions_due(&self, meeting_on: NaiveDate) -> NaiveDate {
        last_day_before(meeting_on, self.motions_clear_days)
    }

    /// The last day an amendment may be proposed for a meeting on `meeting_on`.
    pub fn amendments_due(&self, meeting_on: NaiveDate) -> NaiveDate {
        last_day_before(meeting_on, self.amendments_clear_days)
    }

    pub fn describe(&self) -> String {
        let depth = match self.amendment_depth {
            0 => "motions may not be amended".to_string(),
            1 => "motions may be amended, amendments may not".to_string(),
            2 => "amendments may themselves be amended once".to_string(),
            n => format!("amendments may be amended to {n} levels"),
        };
        format!(
            "at a {}, motions are due {} clear days before it and amendments {} clear days before it; {}; {}",
            self.meeting.words(),
            self.motions_clear_days,
            self.amendments_clear_days,
            if self.seconder {
                "a motion is put only when seconded"
            } else {
                "a motion needs no seconder"
            },
            depth
        )
    }
}

pub(crate) fn last_day_before(meeting_on: NaiveDate, clear_days: u32) -> NaiveDate {
    meeting_on
        .checked_sub_days(chrono::Days::new(u64::from(clear_days) + 1))
        .unwrap_or(NaiveDate::MIN)
}

/// How many members or branches can force a meeting of this kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequisitionRule {
    pub meeting: Key,
    pub members: Option<Fraction>,
    pub branches: Option<u32>,
    /// The bodies whose members must call the meeting once it is required, and are written
    /// to when it is overdue; none named means the national officers.
    pub called_by: Vec<Key>,
}

impl RequisitionRule {
    pub fn describe(&self) -> String {
        let mut who = Vec::new();
        if let Some(f) = self.members {
            who.push(format!("{} of the members", f.words()));
        }
        if let Some(b) = self.branches {
            who.push(format!("{b} branches"));
        }
        let mut s = format!(
            "{} can require a {}",
            join_words(&who, "or"),
            self.meeting.words()
        );
        if !self.called_by.is_empty() {
            let bodies: Vec<String> = self
                .called_by
                .iter()
                .map(|b| format!("the {}", b.words()))
                .collect();
            s.push_str(&format!(", which {} must call", join_words(&bodies, "and")));
        }
        s
    }
}

/// How ballots of all members and elections are run. A version sets this once at most;
/// without it the defaults apply (see [`BallotRule::default`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BallotRule {
    /// The count for elections to two or more seats; never IRV, which fills one seat.
    pub election_method: CountMethod,
    /// The count for elections to one seat.
    pub single_seat_method: CountMethod,
    /// Whether a member's later vote in a ballot replaces their earlier one.
    pub later_vote_replaces: bool,
    /// The fewest days a ballot is open for voting; at least 1.
    pub window_days: u32,
    /// Days the ballot's frozen roll is published for challenges before voting opens.
    pub roll_challenge_days: u32,
    /// The office whose holder is the independent scrutineer: one of the offices
    /// ([`OfficeKind`]), checked when the version is read. Its holders over a ballot's unit
    /// audit the ballot (roll, turnout, events, count) and no one else does.
    pub scrutineer: Option<Key>,
    /// Days before a ballot closes when the members who have not voted are reminded, each
    /// once, latest first; each less than `window_days`. Nobody sends more.
    pub reminder_days: Vec<u32>,
    /// Who holds the key that opens the ballots: where set, every ballot is encrypted to a
    /// key that `threshold` of `count` trustees, holders of the named offices, hold together.
    pub trustees: Option<TrusteeRule>,
}

/// The trustees of a ballot's key, as the ballot clause names them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TrusteeRule {
    /// The offices whose holders may be appointed trustees (checked to be offices).
    pub offices: Vec<Key>,
    /// How many trustees each ballot has: `n`, at least 2.
    pub count: u32,
    /// How many of them together decrypt: `t`, at least 2 and at most `count`.
    pub threshold: u32,
}

impl TrusteeRule {
    /// The offices, as offices; the version is refused when one is not an office.
    pub fn office_kinds(&self) -> Vec<OfficeKind> {
        self.offices
            .iter()
            .filter_map(|k| OfficeKind::parse(k.as_str()))
            .collect()
    }

    pub fn describe(&self) -> String {
        let offices: Vec<String> = self.offices.iter().map(|k| k.words()).collect();
        format!(
            "every ballot is encrypted to a key held by {} trustees, holders of the {} offices in different units, any {} of whom together open the result",
            self.count,
            join_words(&offices, "or"),
            self.threshold
        )
    }
}

/// Most trustees a ballot clause may name.
pub const MAX_TRUSTEES: u32 = 100;

/// What applies when no clause says how ballots are run: Scottish STV for several seats, IRV
/// for one, a first vote that stands, voting open 7 days after 3 days for roll challenges,
/// one reminder 2 days before close, and no scrutineer named.
impl Default for BallotRule {
    fn default() -> Self {
        BallotRule {
            election_method: CountMethod::ScottishStv,
            single_seat_method: CountMethod::Irv,
            later_vote_replaces: false,
            window_days: 7,
            roll_challenge_days: 3,
            scrutineer: None,
            reminder_days: vec![2],
            trustees: None,
        }
    }
}

impl BallotRule {
    /// The office the constitution names as scrutineer, if it names one.
    pub fn scrutineer_office(&self) -> Option<OfficeKind> {
        self.scrutineer
            .as_ref()
            .and_then(|k| OfficeKind::parse(k.as_str()))
    }

    /// The name, as `charter-count` knows it, of the method that counts an election to
    /// `seats` seats: the single-seat method for one (or none), the election method otherwise.
    pub fn method_for(&self, seats: u32) -> &'static str {
        self.count_method_for(seats).as_str()
    }

    /// The method that counts an election to `seats` seats, as the count's own type.
    pub fn counting_method(&self, seats: u32) -> charter_count::Method {
        self.count_method_for(seats).counted_by()
    }

    fn count_method_for(&self, seats: u32) -> CountMethod {
        if seats <= 1 {
            self.single_seat_method
        } else {
            self.election_method
        }
    }

    pub fn describe(&self) -> String {
        let challenge = match self.roll_challenge_days {
            0 => String::new(),
            n => format!(
                " after their roll has been open to challenge for {}",
                days(n)
            ),
        };
        let counted = if self.single_seat_method == self.election_method {
            format!("elections are counted by {}", self.election_method.words())
        } else {
            format!(
                "elections to one seat are counted by {} and to several by {}",
                self.single_seat_method.words(),
                self.election_method.words()
            )
        };
        let later = if self.later_vote_replaces {
            "a member's later vote replaces their earlier one"
        } else {
            "a later vote does not replace an earlier one"
        };
        let mut s = format!(
            "ballots of all members are open for at least {}{challenge}; {counted}; {later}",
            days(self.window_days)
        );
        s.push_str(&if self.reminder_days.is_empty() {
            "; nobody is reminded to vote".to_string()
        } else {
            let when: Vec<String> = self.reminder_days.iter().map(|d| days(*d)).collect();
            format!(
                "; members who have not voted are reminded {} before it closes",
                join_words(&when, "and")
            )
        });
        if let Some(k) = &self.scrutineer {
            s.push_str(&format!(
                "; the scrutineer is the holder of the {} office",
                k.words()
            ));
        }
        if let Some(t) = &self.trustees {
            s.push_str("; ");
            s.push_str(&t.describe());
        }
        s
    }

    /// The defaults in words, for a version with no ballot clause.
    pub fn describe_default() -> String {
        format!(
            "no clause says how ballots are run, so the defaults apply: {}",
            BallotRule::default().describe()
        )
    }
}

/// How candidates are nominated for election to a body's seats.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NominationRule {
    /// An elected body of this version with seats.
    pub body: Key,
    /// Members entitled to nominate needed per candidate, not counting the candidate; at least 1.
    pub nominators: u32,
    /// How many days nominations are open; at least 1.
    pub window_days: u32,
    /// Candidates may withdraw until this many clear days before voting opens.
    pub withdrawal_days: u32,
}

impl NominationRule {
    /// The last day a candidate may withdraw from an election whose voting opens on
    /// `voting_opens`: the given clear days lie wholly between that day and the opening.
    pub fn withdrawal_due(&self, voting_opens: NaiveDate) -> NaiveDate {
        last_day_before(voting_opens, self.withdrawal_days)
    }

    pub fn describe(&self) -> String {
        let withdraw = match self.withdrawal_days {
            0 => "until the day before voting opens".to_string(),
            n => format!("until {} before voting opens", clear_days_words(n)),
        };
        format!(
            "candidates for the {} need {} from members entitled to nominate, not counting themselves; nominations are open for {}, and a candidate may withdraw {withdraw}",
            self.body.words(),
            if self.nominators == 1 {
                "a nomination".to_string()
            } else {
                format!("{} nominations", self.nominators)
            },
            days(self.window_days)
        )
    }
}

/// Most reminders a ballot's timetable may send.
pub const MAX_REMINDERS: usize = 3;

fn days(n: u32) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

fn clear_days_words(n: u32) -> String {
    if n == 1 {
        "1 clear day".into()
    } else {
        format!("{n} clear days")
    }
}

/// How this version may be changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AmendmentRule {
    pub by: Vec<Key>,
    pub notice_clear_days: u32,
    pub threshold: Threshold,
}

impl AmendmentRule {
    pub fn describe(&self) -> String {
        format!(
            "the constitution may be amended by {}, with {} clear days' notice of the amendment, by {}",
            join_words(&self.by.iter().map(by_words).collect::<Vec<_>>(), "or"),
            self.notice_clear_days,
            self.threshold.words()
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub number: ClauseRef,
    pub title: String,
    pub text: String,
    pub rights: Vec<RightRule>,
    pub notices: Vec<NoticeRule>,
    pub quorums: Vec<QuorumRule>,
    pub thresholds: Vec<ThresholdRule>,
    pub bodies: Vec<Body>,
    pub terms: Vec<TermRule>,
    pub dues_grace_days: Option<u32>,
    pub deadlines: Vec<DeadlineRule>,
    pub requisitions: Vec<RequisitionRule>,
    pub business: Vec<BusinessRule>,
    /// At most one in a version.
    pub ballots: Vec<BallotRule>,
    pub nominations: Vec<NominationRule>,
    /// At most one per kind of sitting in a version.
    pub delegates: Vec<DelegatesRule>,
    /// The offices each unit of a level has and how they are filled.
    pub offices: Vec<OfficeRule>,
    /// At most one in a version: who the founders may put in office at the founding.
    pub founding: Option<FoundingRule>,
    /// What the join form asks and what applicants agree to; at most one in a version.
    pub joining: Option<JoiningRule>,
    pub amendment: Option<AmendmentRule>,
}

impl Clause {
    /// A clause of text with no machine rules yet.
    pub fn new(number: ClauseRef, title: impl Into<String>, text: impl Into<String>) -> Self {
        Clause {
            number,
            title: title.into(),
            text: text.into(),
            rights: Vec::new(),
            notices: Vec::new(),
            quorums: Vec::new(),
            thresholds: Vec::new(),
            bodies: Vec::new(),
            terms: Vec::new(),
            dues_grace_days: None,
            deadlines: Vec::new(),
            requisitions: Vec::new(),
            business: Vec::new(),
            ballots: Vec::new(),
            nominations: Vec::new(),
            delegates: Vec::new(),
            offices: Vec::new(),
            founding: None,
            joining: None,
            amendment: None,
        }
    }

    pub fn number(&self) -> &ClauseRef {
        &self.number
    }

    /// Each machine rule in words, in a fixed order, for the UI and for diffs.
    pub fn rules_in_words(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        v.extend(self.rights.iter().map(RightRule::describe));
        v.extend(self.notices.iter().map(NoticeRule::describe));
        v.extend(self.quorums.iter().map(QuorumRule::describe));
        v.extend(self.thresholds.iter().map(ThresholdRule::describe));
        v.extend(self.bodies.iter().map(Body::describe));
        v.extend(self.terms.iter().map(TermRule::describe));
        if let Some(d) = self.dues_grace_days {
            v.push(format!(
                "a member stays paid up for {d} days after their dues run out"
            ));
        }
        v.extend(self.deadlines.iter().map(DeadlineRule::describe));
        v.extend(self.requisitions.iter().map(RequisitionRule::describe));
        v.extend(self.business.iter().map(BusinessRule::describe));
        v.extend(self.ballots.iter().map(BallotRule::describe));
        v.extend(self.nominations.iter().map(NominationRule::describe));
        v.extend(self.delegates.iter().map(DelegatesRule::describe));
        v.extend(self.offices.iter().map(OfficeRule::describe));
        v.extend(self.founding.iter().map(FoundingRule::describe));
        v.extend(self.joining.iter().map(JoiningRule::describe));
        v.extend(self.amendment.iter().map(AmendmentRule::describe));
        v
    }
}

/// One version of the constitution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constitution {
    name: String,
    version: String,
    effective: NaiveDate,
    adopted_by: AdoptedBy,
    clauses: Vec<Clause>,
    /// Copied out of its clause at build time because every rights question needs it.
    grace_days: u32,
}

/// The body key used for decisions taken by a ballot of all members rather than a meeting.
pub const MEMBER_BALLOT: &str = "member-ballot";

impl Constitution {
    pub fn new(
        name: impl Into<String>,
        version: impl Into<String>,
        effective: NaiveDate,
        adopted_by: AdoptedBy,
        clauses: Vec<Clause>,
    ) -> Result<Self, ConstitutionError> {
        let name = name.into();
        let version = version.into();
        if name.trim().is_empty() {
            return Err(ConstitutionError::at(
                Location::File,
                "the constitution has no name",
            ));
        }
        if version.trim().is_empty() {
            return Err(ConstitutionError::at(
                Location::File,
                "the version has no label",
            ));
        }
        validate(&clauses)?;
        crate::offices::validate(&clauses)?;
        let grace_days = clauses.iter().find_map(|c| c.dues_grace_days).unwrap_or(0);
        Ok(Constitution {
            name,
            version,
            effective,
            adopted_by,
            clauses,
            grace_days,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn effective(&self) -> NaiveDate {
        self.effective
    }

    pub fn adopted_by(&self) -> &AdoptedBy {
        &self.adopted_by
    }

    pub fn clauses(&self) -> &[Clause] {
        &self.clauses
    }

    pub fn clause(&self, number: &ClauseRef) -> Option<&Clause> {
        self.clauses.iter().find(|c| c.number() == number)
    }

    /// Days a member stays paid up after their dues run out; 0 when no clause says.
    pub fn grace_days(&self) -> u32 {
        self.grace_days
    }

    pub fn grace_clause(&self) -> Option<&ClauseRef> {
        self.clauses
            .iter()
            .find(|c| c.dues_grace_days.is_some())
            .map(Clause::number)
    }

    pub fn right_rules(&self) -> impl Iterator<Item = (&ClauseRef, &RightRule)> {
        self.clauses
            .iter()
            .flat_map(|c| c.rights.iter().map(move |r| (c.number(), r)))
    }

    pub fn notice_for(&self, meeting: &Key) -> Option<(&ClauseRef, &NoticeRule)> {
        self.items(|c| &c.notices)
            .find(|(_, n)| &n.meeting == meeting)
    }

    /// The quorum for a meeting of `body`: a body-specific rule wins over the meeting kind's.
    pub fn quorum_for(&self, meeting: &Key, body: &Key) -> Option<(&ClauseRef, &QuorumRule)> {
        let mut general = None;
        for (c, q) in self.items(|c| &c.quorums) {
            if &q.meeting != meeting {
                continue;
            }
            match &q.body {
                Some(b) if b == body => return Some((c, q)),
                Some(_) => {}
                None => general = general.or(Some((c, q))),
            }
        }
        general
    }

    pub fn threshold_for(&self, decision: DecisionKind) -> Option<(&ClauseRef, &ThresholdRule)> {
        self.items(|c| &c.thresholds)
            .find(|(_, t)| t.decision == decision)
    }

    pub fn bodies(&self) -> impl Iterator<Item = (&ClauseRef, &Body)> {
        self.items(|c| &c.bodies)
    }

    pub fn body(&self, key: &Key) -> Option<(&ClauseRef, &Body)> {
        self.bodies().find(|(_, b)| &b.key == key)
    }

    pub fn term_of(&self, of: &Key) -> Option<(&ClauseRef, Duration)> {
        if let Some((c, t)) = self.items(|c| &c.terms).find(|(_, t)| &t.of == of) {
            return Some((c, t.length));
        }
        self.body(of).and_then(|(c, b)| b.term.map(|t| (c, t)))
    }

    /// The last day on which `step` may happen, counted from `from`, and the clause that says so.
    pub fn deadline(&self, step: &Key, from: NaiveDate) -> Option<(&ClauseRef, NaiveDate)> {
        self.items(|c| &c.deadlines)
            .find(|(_, d)| &d.step == step)
            .and_then(|(c, d)| d.within.after(from).map(|date| (c, date)))
    }

    pub fn requisition_for(&self, meeting: &Key) -> Option<(&ClauseRef, &RequisitionRule)> {
        self.items(|c| &c.requisitions)
            .find(|(_, r)| &r.meeting == meeting)
    }

    /// How motions come before a meeting of this kind, and the clause that says so.
    pub fn business_for(&self, meeting: &Key) -> Option<(&ClauseRef, &BusinessRule)> {
        self.items(|c| &c.business)
            .find(|(_, b)| &b.meeting == meeting)
    }

    /// How ballots and elections are run, and the clause that says so; `None` when no
    /// clause does, and then [`BallotRule::default`] applies.
    /// What the join form asks and what applicants agree to, and the clause that says so.
    pub fn joining_rule(&self) -> Option<(&ClauseRef, &JoiningRule)> {
        self.clauses
            .iter()
            .find_map(|c| c.joining.as_ref().map(|j| (c.number(), j)))
    }

    pub fn ballot_rule(&self) -> Option<(&ClauseRef, &BallotRule)> {
        self.items(|c| &c.ballots).next()
    }

    /// How candidates are nominated for election to `body`, and the clause that says so.
    pub fn nomination_for(&self, body: &Key) -> Option<(&ClauseRef, &NominationRule)> {
        self.items(|c| &c.nominations)
            .find(|(_, n)| &n.body == body)
    }

    /// How the sittings of `meeting` (a kind such as `annual-conference`) are made up of
    /// branch delegates, and the clause that says so; `None` when they are not.
    pub fn delegates_for(&self, meeting: &Key) -> Option<(&ClauseRef, &DelegatesRule)> {
        self.items(|c| &c.delegates)
            .find(|(_, d)| &d.meeting == meeting)
    }

    pub fn amendment_procedure(&self) -> Option<(&ClauseRef, &AmendmentRule)> {
        self.clauses
            .iter()
            .find_map(|c| c.amendment.as_ref().map(|a| (c.number(), a)))
    }

    /// Every concrete context this version speaks of, for a member's "what may I do" page
    /// and for impact previews: the standard ones and one per committee.
    pub fn contexts(&self) -> Vec<Context> {
        let mut v = vec![
            Context::BranchMeeting,
            Context::RegionalMeeting,
            Context::Conference,
            Context::MemberBallot,
        ];
        for (_, b) in self.bodies() {
            if b.is_committee() {
                v.push(Context::Committee(b.key.clone()));
            }
        }
        for (_, r) in self.right_rules() {
            for p in &r.contexts {
                if let ContextPattern::Exactly(c) = p
                    && !v.contains(c)
                {
                    v.push(c.clone());
                }
            }
        }
        v
    }

    fn items<'a, T: 'a>(
        &'a self,
        pick: impl Fn(&'a Clause) -> &'a Vec<T> + 'a,
    ) -> impl Iterator<Item = (&'a ClauseRef, &'a T)> + 'a {
        self.clauses
            .iter()
            .flat_map(move |c| pick(c).iter().map(move |x| (c.number(), x)))
    }
}

fn validate(clauses: &[Clause]) -> Result<(), ConstitutionError> {
    let mut numbers = HashSet::new();
    for c in clauses {
        let n = &c.number;
        if !numbers.insert(n.clone()) {
            return Err(ConstitutionError::at(
                Location::Clause(n.to_string()),
                "this clause number is used twice",
            ));
        }
    }
    let bodies: Vec<&Body> = clauses.iter().flat_map(|c| &c.bodies).collect();
    let is_body = |k: &Key| bodies.iter().any(|b| &b.key == k);
    let is_decider = |k: &Key| k.as_str() == MEMBER_BALLOT || is_body(k);

    let mut once = SetOnce::default();
    for c in clauses {
        let here = || Location::Clause(c.number().to_string());
        for (i, r) in c.rights.iter().enumerate() {
            let at = || Location::ClauseItem {
                clause: c.number().to_string(),
                item: "rule",
                index: i + 1,
            };
            if r.rights.is_empty() {
                return Err(ConstitutionError::at(at(), "the rule names no rights"));
            }
            if r.contexts.is_empty() {
                return Err(ConstitutionError::at(
                    at(),
                    "the rule names no contexts ('in')",
                ));
            }
            for p in &r.contexts {
                if let ContextPattern::Exactly(Context::Committee(k)) = p
                    && !bodies.iter().any(|b| &b.key == k && b.is_committee())
                {
                    return Err(ConstitutionError::at(
                        at(),
                        format!("context 'committee:{k}' names no committee of this constitution"),
                    ));
                }
            }
            for a in r.condition.atoms() {
                if let Atom::HoldsSeat(Some(k)) = a
                    && !is_body(k)
                {
                    return Err(ConstitutionError::at(
                        at(),
                        format!("the condition names '{k}', which is no body of this constitution"),
                    ));
                }
            }
        }
        for n in &c.notices {
            once.set(c, here(), format!("the notice for a {}", n.meeting.words()))?;
        }
        for q in &c.quorums {
            let what = match &q.body {
                Some(b) => format!("the quorum of a {} of the {}", q.meeting.words(), b.words()),
                None => format!("the quorum of a {}", q.meeting.words()),
            };
            once.set(c, here(), what)?;
            if let Some(b) = &q.body
                && !is_body(b)
            {
                return Err(ConstitutionError::at(
                    here(),
                    format!("the quorum names '{b}', which is no body of this constitution"),
                ));
            }
        }
        for t in &c.thresholds {
            once.set(
                c,
                here(),
                format!("the threshold for {}", t.decision.words()),
            )?;
            if t.by.is_empty() {
                return Err(ConstitutionError::at(
                    here(),
                    format!("no body is named to decide {}", t.decision.words()),
                ));
            }
            if let Some(k) = t.by.iter().find(|k| !is_decider(k)) {
                return Err(ConstitutionError::at(
                    here(),
                    format!("'{k}' is no body of this constitution, nor member-ballot"),
                ));
            }
        }
        for b in &c.bodies {
            once.set(c, here(), format!("the body '{}'", b.key))?;
            let named = match &b.filled {
                Filling::ElectedBy(k) => Some(k),
                Filling::AppointedBy(k) => Some(k),
                _ => None,
            };
            if let Some(k) = named
                && !is_decider(k)
            {
                return Err(ConstitutionError::at(
                    here(),
                    format!(
                        "the {} is filled by '{k}', which is no body of this constitution",
                        b.name
                    ),
                ));
            }
        }
        for t in &c.terms {
            once.set(c, here(), format!("the term of {}", t.of.words()))?;
        }
        if c.dues_grace_days.is_some() {
            once.set(c, here(), "the dues grace period".into())?;
        }
        if c.joining.is_some() {
            once.set(c, here(), "the join form".into())?;
        }
        for d in &c.deadlines {
            once.set(c, here(), format!("the deadline for {}", d.step.words()))?;
        }
        for r in &c.requisitions {
            once.set(
                c,
                here(),
                format!("the requisition of a {}", r.meeting.words()),
            )?;
            if r.members.is_none() && r.branches.is_none() {
                return Err(ConstitutionError::at(
                    here(),
                    "a requisition needs a share of members, a number of branches, or both",
                ));
            }
            if let Some(b) = r.called_by.iter().find(|b| !is_body(b)) {
                return Err(ConstitutionError::at(
                    here(),
                    format!(
                        "the requisition names '{b}' to call it, which is no body of this constitution"
                    ),
                ));
            }
        }
        for b in &c.business {
            once.set(
                c,
                here(),
                format!("the business of a {}", b.meeting.words()),
            )?;
        }
        for (i, b) in c.ballots.iter().enumerate() {
            let at = || Location::ClauseItem {
                clause: c.number().to_string(),
                item: "ballot",
                index: i + 1,
            };
            once.set(c, at(), "how ballots are run".into())?;
            if b.election_method.single_seat_only() {
                return Err(ConstitutionError::at(
                    at(),
                    format!(
                        "election_method: {} fills one seat only; for elections to two or more seats use one of {}",
                        b.election_method,
                        CountMethod::ALL
                            .into_iter()
                            .filter(|m| !m.single_seat_only())
                            .map(CountMethod::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            if b.window_days == 0 {
                return Err(ConstitutionError::at(
                    at(),
                    "window_days: a ballot is open for at least 1 day",
                ));
            }
            let mut reminders = b.reminder_days.clone();
            reminders.sort_unstable();
            reminders.dedup();
            if reminders.len() != b.reminder_days.len()
                || reminders.len() > MAX_REMINDERS
                || reminders.iter().any(|d| *d == 0 || *d >= b.window_days)
            {
                return Err(ConstitutionError::at(
                    at(),
                    format!(
                        "reminder_days: at most {MAX_REMINDERS} different days before close, each at least 1 and less than window_days ({})",
                        b.window_days
                    ),
                ));
            }
            if let Some(k) = &b.scrutineer
                && OfficeKind::parse(k.as_str()).is_none()
            {
                return Err(ConstitutionError::at(
                    at(),
                    format!(
                        "scrutineer: '{k}' is no office; name one of {}",
                        OfficeKind::ALL
                            .into_iter()
                            .map(OfficeKind::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            if let Some(t) = &b.trustees {
                if let Some(k) = t
                    .offices
                    .iter()
                    .find(|k| OfficeKind::parse(k.as_str()).is_none())
                {
                    return Err(ConstitutionError::at(
                        at(),
                        format!(
                            "trustee_offices: '{k}' is no office; name one of {}",
                            OfficeKind::ALL
                                .into_iter()
                                .map(OfficeKind::as_str)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                if t.offices.is_empty() {
                    return Err(ConstitutionError::at(
                        at(),
                        "trustee_offices: name at least one office whose holders may be trustees",
                    ));
                }
                if t.threshold < 2 || t.threshold > t.count || t.count > MAX_TRUSTEES {
                    return Err(ConstitutionError::at(
                        at(),
                        format!(
                            "trustees: need 2 <= trustee_threshold <= trustees <= {MAX_TRUSTEES}, so that no one trustee opens a ballot alone"
                        ),
                    ));
                }
            }
        }
        for (i, n) in c.nominations.iter().enumerate() {
            let at = || Location::ClauseItem {
                clause: c.number().to_string(),
                item: "nomination",
                index: i + 1,
            };
            once.set(
                c,
                at(),
                format!("the nomination of candidates for the {}", n.body.words()),
            )?;
            let Some(b) = bodies.iter().find(|b| b.key == n.body) else {
                return Err(ConstitutionError::at(
                    at(),
                    format!("body: '{}' is no body of this constitution", n.body),
                ));
            };
            if !matches!(b.filled, Filling::ElectedBy(_)) {
                return Err(ConstitutionError::at(
                    at(),
                    format!(
                        "body: the {} is {}, not elected, so takes no nominations",
                        b.name,
                        b.filled.words()
                    ),
                ));
            }
            if !b.is_committee() {
                return Err(ConstitutionError::at(
                    at(),
                    format!("body: the {} has no seats to elect", b.name),
                ));
            }
            if n.nominators == 0 {
                return Err(ConstitutionError::at(
                    at(),
                    "nominators: a candidate needs at least 1 nominator",
                ));
            }
            if n.window_days == 0 {
                return Err(ConstitutionError::at(
                    at(),
                    "window_days: nominations are open for at least 1 day",
                ));
            }
        }
        for (i, d) in c.delegates.iter().enumerate() {
            let at = || Location::ClauseItem {
                clause: c.number().to_string(),
                item: "delegates",
                index: i + 1,
            };
            once.set(
                c,
                at(),
                format!("the delegates to the {}", d.meeting.words()),
            )?;
            if d.members_per_delegate == 0 {
                return Err(ConstitutionError::at(
                    at(),
                    "members_per_delegate: a delegate stands for at least 1 member",
                ));
            }
            if d.maximum == Some(0) {
                return Err(ConstitutionError::at(
                    at(),
                    "maximum: a branch sends at least 1 delegate or the conference has none",
                ));
            }
            if let Some(max) = d.maximum
                && max < d.minimum
            {
                return Err(ConstitutionError::at(
                    at(),
                    format!(
                        "maximum: at most {max} is fewer than the minimum of {}",
                        d.minimum
                    ),
                ));
            }
            if d.challenge_days > d.credentials_due_days {
                return Err(ConstitutionError::at(
                    at(),
                    format!(
                        "challenge_days: challenges would close {} clear days before, ahead of the credentials due {} clear days before, leaving the last credentials unchallengeable",
                        d.challenge_days, d.credentials_due_days
                    ),
                ));
            }
            if charter_domain::OfficeKind::parse(d.ruled_by.as_str()).is_none() {
                return Err(ConstitutionError::at(
                    at(),
                    format!(
                        "ruled_by: '{}' is no office; use one of {}",
                        d.ruled_by,
                        charter_domain::OfficeKind::ALL
                            .map(charter_domain::OfficeKind::as_str)
                            .join(", ")
                    ),
                ));
            }
        }
        if let Some(a) = &c.amendment {
            once.set(c, here(), "the amendment procedure".into())?;
            if let Some(k) = a.by.iter().find(|k| !is_decider(k)) {
                return Err(ConstitutionError::at(
                    here(),
                    format!("'{k}' is no body of this constitution, nor member-ballot"),
                ));
            }
            if a.by.is_empty() {
                return Err(ConstitutionError::at(
                    here(),
                    "no body is named to adopt amendments",
                ));
            }
        }
    }
    Ok(())
}

/// What the clauses have set so far, so a rule set a second time names the first clause.
#[derive(Default)]
struct SetOnce(HashMap<String, ClauseRef>);

impl SetOnce {
    fn set(&mut self, c: &Clause, at: Location, what: String) -> Result<(), ConstitutionError> {
        match self.0.get(&what) {
            None => {
                self.0.insert(what, c.number().clone());
                Ok(())
            }
            Some(first) if first == c.number() => Err(ConstitutionError::at(
                at,
                format!("{what} is already set earlier in this clause"),
            )),
            Some(first) => Err(ConstitutionError::at(
                at,
                format!("{what} is already set by clause {first}"),
            )),
        }
    }
}

pub(crate) fn by_words(k: &Key) -> String {
    if k.as_str() == MEMBER_BALLOT {
        "a ballot of all members".into()
    } else {
        format!("the {}", k.words())
    }
}

/// "a, b and c".
pub(crate) fn join_words(items: &[String], conj: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {conj} {last}", init.join(", ")),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Key {
        Key::parse(s).unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn committee(k: &str, seats: Option<u32>, filled: Filling) -> Body {
        Body {
            key: key(k),
            name: k.to_string(),
            level: UnitKind::National,
            seats,
            filled,
            term: None,
        }
    }

    /// A version with a conference, an elected committee and an appointed council, plus the
    /// given clauses.
    fn version(extra: Vec<Clause>) -> Result<Constitution, ConstitutionError> {
        let mut bodies = Clause::new(ClauseRef::parse("5").unwrap(), "Bodies", "…");
        bodies.bodies = vec![
            committee("conference", None, Filling::AllMembers),
            committee("steering", Some(5), Filling::ElectedBy(key("conference"))),
            committee("council", Some(9), Filling::AppointedBy(key("steering"))),
            committee("assembly", None, Filling::ElectedBy(key(MEMBER_BALLOT))),
        ];
        let mut clauses = vec![bodies];
        clauses.extend(extra);
        Constitution::new(
            "N",
            "v",
            d(2016, 1, 1),
            AdoptedBy {
                text: "founding".into(),
                body: None,
                on: None,
            },
            clauses,
        )
    }

    fn with_ballots(number: &str, ballots: Vec<BallotRule>) -> Clause {
        let mut c = Clause::new(ClauseRef::parse(number).unwrap(), "Ballots", "…");
        c.ballots = ballots;
        c
    }

    fn with_nominations(number: &str, nominations: Vec<NominationRule>) -> Clause {
        let mut c = Clause::new(ClauseRef::parse(number).unwrap(), "Nominations", "…");
        c.nominations = nominations;
        c
    }

    fn nomination(body: &str) -> NominationRule {
        NominationRule {
            body: key(body),
            nominators: 2,
            window_days: 14,
            withdrawal_days: 2,
        }
    }

    fn error(r: Result<Constitution, ConstitutionError>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn the_ballot_rule_reads_as_members_would_say_it() {
        let b = BallotRule {
            scrutineer: Some(key("scrutineer")),
            ..BallotRule::default()
        };
        assert_eq!(
            b.describe(),
            "ballots of all members are open for at least 7 days after their roll has been open to challenge for 3 days; elections to one seat are counted by IRV and to several by Scottish STV; a later vote does not replace an earlier one; members who have not voted are reminded 2 days before it closes; the scrutineer is the holder of the scrutineer office"
        );
        let other = BallotRule {
            election_method: CountMethod::Meek,
            single_seat_method: CountMethod::Meek,
            later_vote_replaces: true,
            window_days: 1,
            roll_challenge_days: 0,
            scrutineer: Some(key("returning-officer")),
            reminder_days: Vec::new(),
            trustees: Some(TrusteeRule {
                offices: vec![key("scrutineer"), key("secretary")],
                count: 3,
                threshold: 2,
            }),
        };
        assert_eq!(
            other.describe(),
            "ballots of all members are open for at least 1 day; elections are counted by Meek STV; a member's later vote replaces their earlier one; nobody is reminded to vote; the scrutineer is the holder of the returning officer office; every ballot is encrypted to a key held by 3 trustees, holders of the scrutineer or secretary offices in different units, any 2 of whom together open the result"
        );
    }

    #[test]
    fn trustees_are_offices_and_no_one_of_them_opens_a_ballot_alone() {
        let with = |offices: Vec<&str>, count, threshold| BallotRule {
            trustees: Some(TrusteeRule {
                offices: offices.into_iter().map(key).collect(),
                count,
                threshold,
            }),
            ..BallotRule::default()
        };
        assert!(
            version(vec![with_ballots(
                "6.7",
                vec![with(vec!["scrutineer", "secretary"], 3, 2)]
            )])
            .is_ok()
        );
        for (rule, why) in [
            (
                with(vec!["scrutineer"], 3, 1),
                "no one trustee opens a ballot alone",
            ),
            (
                with(vec!["scrutineer"], 2, 3),
                "no one trustee opens a ballot alone",
            ),
            (with(vec![], 3, 2), "name at least one office"),
            (with(vec!["pope"], 3, 2), "'pope' is no office"),
        ] {
            let err = version(vec![with_ballots("6.7", vec![rule])])
                .unwrap_err()
                .to_string();
            assert!(err.contains(why), "{err}");
        }
    }

    #[test]
    fn the_defaults_say_they_are_defaults() {
        let d = BallotRule::default();
        assert_eq!(d.election_method, CountMethod::ScottishStv);
        assert_eq!(d.single_seat_method, CountMethod::Irv);
        assert!(!d.later_vote_replaces);
        assert_eq!((d.window_days, d.roll_challenge_days), (7, 3));
        assert_eq!(d.scrutineer, None);
        assert_eq!(
            BallotRule::describe_default(),
            "no clause says how ballots are run, so the defaults apply: ballots of all members are open for at least 7 days after their roll has been open to challenge for 3 days; elections to one seat are counted by IRV and to several by Scottish STV; a later vote does not replace an earlier one; members who have not voted are reminded 2 days before it closes"
        );
    }

    #[test]
    fn one_seat_is_counted_by_the_single_seat_method_and_more_by_the_other() {
        let b = BallotRule {
            election_method: CountMethod::Schulze,
            single_seat_method: CountMethod::Plurality,
            ..BallotRule::default()
        };
        assert_eq!(b.method_for(0), "plurality");
        assert_eq!(b.method_for(1), "plurality");
        assert_eq!(b.method_for(2), "schulze");
        assert_eq!(b.method_for(u32::MAX), "schulze");
        assert_eq!(BallotRule::default().method_for(1), "irv");
        assert_eq!(BallotRule::default().method_for(5), "scottish-stv");
    }

    #[test]
    fn the_ballot_rule_is_found_with_its_clause_or_absent() {
        let none = version(Vec::new()).unwrap();
        assert_eq!(none.ballot_rule(), None);
        let b = BallotRule {
            later_vote_replaces: true,
            ..BallotRule::default()
        };
        let c = version(vec![with_ballots("6.7", vec![b.clone()])]).unwrap();
        let (clause, found) = c.ballot_rule().unwrap();
        assert_eq!(clause.as_str(), "6.7");
        assert_eq!(found, &b);
        assert_eq!(c.clause(clause).unwrap().rules_in_words(), [b.describe()]);
    }

    #[test]
    fn ballots_are_set_once_per_version() {
        let b = BallotRule::default();
        assert_eq!(
            error(version(vec![
                with_ballots("6.7", vec![b.clone()]),
                with_ballots("6.8", vec![b.clone()]),
            ])),
            "clause 6.8, ballot 1: how ballots are run is already set by clause 6.7"
        );
        assert_eq!(
            error(version(vec![with_ballots("6.7", vec![b.clone(), b])])),
            "clause 6.7, ballot 2: how ballots are run is already set earlier in this clause"
        );
    }

    #[test]
    fn a_ballot_rule_that_could_not_run_is_refused() {
        let irv = BallotRule {
            election_method: CountMethod::Irv,
            ..BallotRule::default()
        };
        assert_eq!(
            error(version(vec![with_ballots("6.7", vec![irv])])),
            "clause 6.7, ballot 1: election_method: irv fills one seat only; for elections to two or more seats use one of plurality, approval, scottish-stv, meek, wigm, ers97, schulze"
        );
        let shut = BallotRule {
            window_days: 0,
            ..BallotRule::default()
        };
        assert_eq!(
            error(version(vec![with_ballots("6.7", vec![shut])])),
            "clause 6.7, ballot 1: window_days: a ballot is open for at least 1 day"
        );
        for reminder_days in [vec![7], vec![0], vec![2, 2], vec![6, 5, 4, 3]] {
            let noisy = BallotRule {
                reminder_days,
                ..BallotRule::default()
            };
            assert_eq!(
                error(version(vec![with_ballots("6.7", vec![noisy])])),
                "clause 6.7, ballot 1: reminder_days: at most 3 different days before close, each at least 1 and less than window_days (7)"
            );
        }
    }

    #[test]
    fn the_nomination_rule_reads_as_members_would_say_it() {
        assert_eq!(
            nomination("steering-committee").describe(),
            "candidates for the steering committee need 2 nominations from members entitled to nominate, not counting themselves; nominations are open for 14 days, and a candidate may withdraw until 2 clear days before voting opens"
        );
        let one = NominationRule {
            body: key("national-committee"),
            nominators: 1,
            window_days: 1,
            withdrawal_days: 0,
        };
        assert_eq!(
            one.describe(),
            "candidates for the national committee need a nomination from members entitled to nominate, not counting themselves; nominations are open for 1 day, and a candidate may withdraw until the day before voting opens"
        );
    }

    #[test]
    fn withdrawal_closes_the_given_clear_days_before_voting() {
        let n = nomination("steering");
        // Voting opens on the 10th: the 8th and 9th are the two clear days.
        assert_eq!(n.withdrawal_due(d(2017, 5, 10)), d(2017, 5, 7));
        let none = NominationRule {
            withdrawal_days: 0,
            ..n
        };
        assert_eq!(none.withdrawal_due(d(2017, 5, 10)), d(2017, 5, 9));
    }

    #[test]
    fn nominations_are_found_by_body() {
        let c = version(vec![with_nominations("6.7", vec![nomination("steering")])]).unwrap();
        let (clause, n) = c.nomination_for(&key("steering")).unwrap();
        assert_eq!(clause.as_str(), "6.7");
        assert_eq!(n, &nomination("steering"));
        assert!(c.nomination_for(&key("council")).is_none());
    }

    #[test]
    fn nominations_name_an_elected_body_with_seats_once() {
        let cases = [
            (
                vec![nomination("steering"), nomination("ghosts")],
                "clause 6.7, nomination 2: body: 'ghosts' is no body of this constitution",
            ),
            (
                vec![nomination("council")],
                "clause 6.7, nomination 1: body: the council is appointed by the steering, not elected, so takes no nominations",
            ),
            (
                vec![nomination("conference")],
                "clause 6.7, nomination 1: body: the conference is open to all members, not elected, so takes no nominations",
            ),
            (
                vec![nomination("assembly")],
                "clause 6.7, nomination 1: body: the assembly has no seats to elect",
            ),
            (
                vec![nomination("steering"), nomination("steering")],
                "clause 6.7, nomination 2: the nomination of candidates for the steering is already set earlier in this clause",
            ),
            (
                vec![NominationRule {
                    nominators: 0,
                    ..nomination("steering")
                }],
                "clause 6.7, nomination 1: nominators: a candidate needs at least 1 nominator",
            ),
            (
                vec![NominationRule {
                    window_days: 0,
                    ..nomination("steering")
                }],
                "clause 6.7, nomination 1: window_days: nominations are open for at least 1 day",
            ),
        ];
        for (nominations, want) in cases {
            assert_eq!(
                error(version(vec![with_nominations("6.7", nominations)])),
                want
            );
        }
        assert_eq!(
            error(version(vec![
                with_nominations("6.7", vec![nomination("steering")]),
                with_nominations("6.8", vec![nomination("steering")]),
            ])),
            "clause 6.8, nomination 1: the nomination of candidates for the steering is already set by clause 6.7"
        );
    }
}
