//! The vocabulary constitutions are written in: rights, contexts, clause numbers, fractions,
//! thresholds, quorums and durations. Each is built through `parse`, so a malformed value is
//! reported where it was written and cannot reach the evaluator.

use std::cmp::Ordering;
use std::fmt;

use charter_domain::UnitId;
use chrono::{Days, Months, NaiveDate};

use crate::error::ValueError;

/// A clause number such as `4.2` or `7.3a`, ordered as people read them (4.10 after 4.9).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClauseRef(String);

impl ClauseRef {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        let bad = || {
            ValueError(format!(
                "'{s}' is not a clause number such as 4 or 4.2 or 7.3a"
            ))
        };
        if s.is_empty() || s.len() > 32 {
            return Err(bad());
        }
        let parts: Vec<&str> = s.split('.').collect();
        for (i, p) in parts.iter().enumerate() {
            let digits = p.trim_end_matches(|c: char| c.is_ascii_lowercase());
            let letters = p.len() - digits.len();
            let last = i == parts.len() - 1;
            if digits.is_empty()
                || !digits.bytes().all(|b| b.is_ascii_digit())
                || letters > 1
                || (letters == 1 && !last)
            {
                return Err(bad());
            }
        }
        Ok(ClauseRef(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn key(&self) -> Vec<(u64, String)> {
        self.0
            .split('.')
            .map(|p| {
                let digits = p.trim_end_matches(|c: char| c.is_ascii_lowercase());
                (
                    digits.parse().unwrap_or(u64::MAX),
                    p[digits.len()..].to_string(),
                )
            })
            .collect()
    }
}

impl Ord for ClauseRef {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key()
            .cmp(&other.key())
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for ClauseRef {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ClauseRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A name the constitution gives to a body or a kind of meeting: lower-case words joined by
/// hyphens (`national-committee`, `special-conference`), so it can appear in contexts and URLs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(String);

impl Key {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(Key(s.to_string()))
        } else {
            Err(ValueError(format!(
                "'{s}' is not a name such as national-committee: use lower-case letters, digits and hyphens"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key as words: `national-committee` → `national committee`.
    pub fn words(&self) -> String {
        self.0.replace('-', " ")
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Right {
    Attend,
    Speak,
    Vote,
    Stand,
    Nominate,
    Propose,
}

impl Right {
    pub const ALL: [Right; 6] = [
        Right::Attend,
        Right::Speak,
        Right::Vote,
        Right::Stand,
        Right::Nominate,
        Right::Propose,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Right::Attend => "attend",
            Right::Speak => "speak",
            Right::Vote => "vote",
            Right::Stand => "stand",
            Right::Nominate => "nominate",
            Right::Propose => "propose",
        }
    }

    /// The right as a verb phrase: "may {verb}".
    pub fn verb(self) -> &'static str {
        match self {
            Right::Attend => "attend",
            Right::Speak => "speak",
            Right::Vote => "vote",
            Right::Stand => "stand for election",
            Right::Nominate => "nominate candidates",
            Right::Propose => "propose motions",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                ValueError(format!(
                    "'{s}' is not a right; use attend, speak, vote, stand, nominate or propose"
                ))
            })
    }
}

impl Right {
    /// The right exercised in a context, as a phrase: "attend branch meetings", "vote at
    /// conference", "stand for election to the national committee".
    pub fn phrase(self, context: &Context) -> String {
        match (self, context) {
            (Right::Attend, Context::MemberBallot) => "take part in member ballots".into(),
            (Right::Attend, c) => format!("attend {}", c.words()),
            (Right::Stand, Context::Committee(_)) => {
                format!("stand for election to {}", context.words())
            }
            (r, c) => format!("{} {}", r.verb(), c.with_preposition()),
        }
    }
}

impl fmt::Display for Right {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a right is exercised.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    BranchMeeting,
    RegionalMeeting,
    Conference,
    MemberBallot,
    Committee(Key),
}

impl Context {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        Ok(match s {
            "branch-meeting" => Context::BranchMeeting,
            "regional-meeting" => Context::RegionalMeeting,
            "conference" => Context::Conference,
            "member-ballot" => Context::MemberBallot,
            _ => match s.strip_prefix("committee:") {
                Some(body) => Context::Committee(Key::parse(body)?),
                None => {
                    return Err(ValueError(format!(
                        "'{s}' is not a context; use branch-meeting, regional-meeting, conference, member-ballot or committee:<body>"
                    )));
                }
            },
        })
    }

    pub fn words(&self) -> String {
        match self {
            Context::BranchMeeting => "branch meetings".into(),
            Context::RegionalMeeting => "regional meetings".into(),
            Context::Conference => "conference".into(),
            Context::MemberBallot => "member ballots".into(),
            Context::Committee(k) => format!("the {}", k.words()),
        }
    }

    /// The context after a verb: "in branch meetings", "at conference".
    pub fn with_preposition(&self) -> String {
        match self {
            Context::Conference => "at conference".into(),
            other => format!("in {}", other.words()),
        }
    }

    /// The unit whose meeting a member attends as of right in this context: their own
    /// branch's meeting, their own region's; `None` for organisation-wide contexts.
    pub fn home_unit(&self, home_branch: UnitId, home_region: Option<UnitId>) -> Option<UnitId> {
        match self {
            Context::BranchMeeting => Some(home_branch),
            Context::RegionalMeeting => home_region,
            _ => None,
        }
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Context::BranchMeeting => f.write_str("branch-meeting"),
            Context::RegionalMeeting => f.write_str("regional-meeting"),
            Context::Conference => f.write_str("conference"),
            Context::MemberBallot => f.write_str("member-ballot"),
            Context::Committee(k) => write!(f, "committee:{k}"),
        }
    }
}

/// Which contexts a rule speaks of: one, every committee, or everywhere.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ContextPattern {
    Any,
    AnyCommittee,
    Exactly(Context),
}

impl ContextPattern {
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        match raw.trim() {
            "*" => Ok(ContextPattern::Any),
            "committee:*" => Ok(ContextPattern::AnyCommittee),
            other => Context::parse(other).map(ContextPattern::Exactly),
        }
    }

    pub fn matches(&self, c: &Context) -> bool {
        match self {
            ContextPattern::Any => true,
            ContextPattern::AnyCommittee => matches!(c, Context::Committee(_)),
            ContextPattern::Exactly(x) => x == c,
        }
    }

    pub fn words(&self) -> String {
        match self {
            ContextPattern::Any => "every meeting and ballot".into(),
            ContextPattern::AnyCommittee => "every committee".into(),
            ContextPattern::Exactly(c) => c.words(),
        }
    }
}

impl fmt::Display for ContextPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContextPattern::Any => f.write_str("*"),
            ContextPattern::AnyCommittee => f.write_str("committee:*"),
            ContextPattern::Exactly(c) => c.fmt(f),
        }
    }
}

/// A context together with the unit whose meeting it is (a branch meeting of Southwark).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Forum {
    pub context: Context,
    /// `None` for organisation-wide contexts (conference, member ballots, national bodies).
    pub unit: Option<UnitId>,
}

impl Forum {
    pub fn new(context: Context, unit: Option<UnitId>) -> Self {
        Forum { context, unit }
    }

    pub fn national(context: Context) -> Self {
        Forum {
            context,
            unit: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DecisionKind {
    OrdinaryMotion,
    ConstitutionalAmendment,
    DissolveBody,
    CreateBody,
    SuspendStandingOrders,
    /// Undoing an earlier decision of the same body.
    Rescind,
    /// Letting late business (an emergency motion) be taken.
    AdmitEmergencyMotion,
    /// "That the question be now put": debate ends and the motion is voted on.
    Closure,
    /// The meeting moves on, leaving the motion undecided.
    NextBusiness,
    /// The motion goes back to those who brought it.
    ReferBack,
    /// The meeting ends here.
    Adjourn,
    /// Appointing a member to an office the constitution fills by appointment of this body.
    Appointment,
    /// Suspending a member: their rights and offices lapse until they are reinstated.
    SuspendMember,
    /// Expelling a member.
    ExpelMember,
}

impl DecisionKind {
    pub const ALL: [DecisionKind; 14] = [
        DecisionKind::OrdinaryMotion,
        DecisionKind::ConstitutionalAmendment,
        DecisionKind::DissolveBody,
        DecisionKind::CreateBody,
        DecisionKind::SuspendStandingOrders,
        DecisionKind::Rescind,
        DecisionKind::AdmitEmergencyMotion,
        DecisionKind::Closure,
        DecisionKind::NextBusiness,
        DecisionKind::ReferBack,
        DecisionKind::Adjourn,
        DecisionKind::Appointment,
        DecisionKind::SuspendMember,
        DecisionKind::ExpelMember,
    ];

    /// Motions moved during a meeting about its own business, without notice.
    pub const PROCEDURAL: [DecisionKind; 6] = [
        DecisionKind::SuspendStandingOrders,
        DecisionKind::AdmitEmergencyMotion,
        DecisionKind::Closure,
        DecisionKind::NextBusiness,
        DecisionKind::ReferBack,
        DecisionKind::Adjourn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::OrdinaryMotion => "ordinary-motion",
            DecisionKind::ConstitutionalAmendment => "constitutional-amendment",
            DecisionKind::DissolveBody => "dissolve-body",
            DecisionKind::CreateBody => "create-body",
            DecisionKind::SuspendStandingOrders => "suspend-standing-orders",
            DecisionKind::Rescind => "rescind",
            DecisionKind::AdmitEmergencyMotion => "admit-emergency-motion",
            DecisionKind::Closure => "closure",
            DecisionKind::NextBusiness => "next-business",
            DecisionKind::ReferBack => "refer-back",
            DecisionKind::Adjourn => "adjourn",
            DecisionKind::Appointment => "appointment",
            DecisionKind::SuspendMember => "suspend-member",
            DecisionKind::ExpelMember => "expel-member",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            DecisionKind::OrdinaryMotion => "an ordinary motion",
            DecisionKind::ConstitutionalAmendment => "a constitutional amendment",
            DecisionKind::DissolveBody => "dissolving a body",
            DecisionKind::CreateBody => "creating a body",
            DecisionKind::SuspendStandingOrders => "suspending standing orders",
            DecisionKind::Rescind => "rescinding an earlier decision",
            DecisionKind::AdmitEmergencyMotion => "admitting an emergency motion",
            DecisionKind::Closure => "that the question be now put",
            DecisionKind::NextBusiness => "moving to next business",
            DecisionKind::ReferBack => "referring a motion back",
            DecisionKind::Adjourn => "adjourning the meeting",
            DecisionKind::Appointment => "appointing an officer",
            DecisionKind::SuspendMember => "suspending a member",
            DecisionKind::ExpelMember => "expelling a member",
        }
    }

    /// Whether this kind is moved during the meeting about its own business.
    pub fn is_procedural(self) -> bool {
        Self::PROCEDURAL.contains(&self)
    }

    /// Whether it acts on another motion (which it names).
    pub fn needs_target(self) -> bool {
        matches!(
            self,
            DecisionKind::Rescind
                | DecisionKind::AdmitEmergencyMotion
                | DecisionKind::Closure
                | DecisionKind::NextBusiness
                | DecisionKind::ReferBack
        )
    }

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                ValueError(format!(
                    "'{s}' is not a decision kind; use one of {}",
                    Self::ALL.map(DecisionKind::as_str).join(", ")
                ))
            })
    }
}

impl fmt::Display for DecisionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the votes of an election are counted: one of the methods `charter-count` runs, by
/// the name its `count` command takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountMethod {
    /// Each voter marks as many candidates as there are seats; the most votes win.
    Plurality,
    /// Each voter marks every candidate they approve of; the most approvals win.
    Approval,
    /// Instant runoff: preferences, one seat only.
    Irv,
    /// Single transferable vote by the Scottish local government rules.
    ScottishStv,
    /// Single transferable vote by Meek's method.
    Meek,
    /// Single transferable vote by the weighted inclusive Gregory method.
    Wigm,
    /// Single transferable vote by the Electoral Reform Society's 1997 rules.
    Ers97,
    /// Preferences compared in pairs, by Schulze's method.
    Schulze,
}

impl CountMethod {
    pub const ALL: [CountMethod; 8] = [
        CountMethod::Plurality,
        CountMethod::Approval,
        CountMethod::Irv,
        CountMethod::ScottishStv,
        CountMethod::Meek,
        CountMethod::Wigm,
        CountMethod::Ers97,
        CountMethod::Schulze,
    ];

    /// The name in the constitution file and on `charter count --method`.
    pub fn as_str(self) -> &'static str {
        match self {
            CountMethod::Plurality => "plurality",
            CountMethod::Approval => "approval",
            CountMethod::Irv => "irv",
            CountMethod::ScottishStv => "scottish-stv",
            CountMethod::Meek => "meek",
            CountMethod::Wigm => "wigm",
            CountMethod::Ers97 => "ers97",
            CountMethod::Schulze => "schulze",
        }
    }

    /// The counting code's method: the one the ballot is counted by.
    pub fn counted_by(self) -> charter_count::Method {
        use charter_count::Method;
        match self {
            CountMethod::Plurality => Method::Plurality,
            CountMethod::Approval => Method::Approval,
            CountMethod::Irv => Method::Irv,
            CountMethod::ScottishStv => Method::ScottishStv,
            CountMethod::Meek => Method::Meek,
            CountMethod::Wigm => Method::Wigm,
            CountMethod::Ers97 => Method::Ers97,
            CountMethod::Schulze => Method::Schulze,
        }
    }

    /// The method as members know it: "counted by {words}".
    pub fn words(self) -> &'static str {
        match self {
            CountMethod::Plurality => "plurality (most votes wins)",
            CountMethod::Approval => "approval voting",
            CountMethod::Irv => "IRV",
            CountMethod::ScottishStv => "Scottish STV",
            CountMethod::Meek => "Meek STV",
            CountMethod::Wigm => "STV with the weighted inclusive Gregory method",
            CountMethod::Ers97 => "ERS97 STV",
            CountMethod::Schulze => "the Schulze method",
        }
    }

    /// Whether the method can fill only one seat (IRV elects a single winner).
    pub fn single_seat_only(self) -> bool {
        self == CountMethod::Irv
    }

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        Self::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                ValueError(format!(
                    "'{s}' is not a counting method; use one of {}",
                    Self::ALL.map(CountMethod::as_str).join(", ")
                ))
            })
    }
}

impl fmt::Display for CountMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A share written as `2/3`, `50%` or `half`. Kept as integers so thresholds are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fraction {
    num: u32,
    den: u32,
}

impl Fraction {
    pub fn new(num: u32, den: u32) -> Result<Self, ValueError> {
        if den == 0 || num > den {
            return Err(ValueError(format!(
                "{num}/{den} is not a share between 0 and 1"
            )));
        }
        Ok(Fraction { num, den })
    }

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        let bad = || ValueError(format!("'{s}' is not a share such as 1/2, 2/3, 5% or half"));
        match s {
            "half" | "one half" => return Fraction::new(1, 2),
            "two thirds" | "two-thirds" => return Fraction::new(2, 3),
            "three quarters" | "three-quarters" => return Fraction::new(3, 4),
            _ => {}
        }
        if let Some(p) = s.strip_suffix('%') {
            let p = p.trim();
            // Percentages may carry one decimal place (12.5%), kept exact as thousandths.
            let (whole, tenth) = match p.split_once('.') {
                Some((w, t)) if t.len() == 1 => (w, t),
                Some(_) => return Err(bad()),
                None => (p, "0"),
            };
            let w: u32 = whole.parse().map_err(|_| bad())?;
            let t: u32 = tenth.parse().map_err(|_| bad())?;
            return Fraction::new(
                w.checked_mul(10)
                    .and_then(|x| x.checked_add(t))
                    .ok_or_else(bad)?,
                1000,
            )
            .map(Fraction::reduced);
        }
        let (n, d) = s.split_once('/').ok_or_else(bad)?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        let d: u32 = d.trim().parse().map_err(|_| bad())?;
        Fraction::new(n, d)
    }

    fn reduced(self) -> Self {
        fn gcd(a: u32, b: u32) -> u32 {
            if b == 0 { a } else { gcd(b, a % b) }
        }
        let g = gcd(self.num, self.den).max(1);
        Fraction {
            num: self.num / g,
            den: self.den / g,
        }
    }

    pub fn num(self) -> u32 {
        self.num
    }

    pub fn den(self) -> u32 {
        self.den
    }

    /// The smallest whole number of people that is at least this share of `of`.
    pub fn ceil_of(self, of: u32) -> u32 {
        let n = u64::from(of) * u64::from(self.num);
        let d = u64::from(self.den);
        u32::try_from(n.div_ceil(d)).unwrap_or(u32::MAX)
    }

    pub fn words(self) -> String {
        match (self.num, self.den) {
            (1, 2) => "half".into(),
            (2, 3) => "two thirds".into(),
            (3, 4) => "three quarters".into(),
            (n, 100) => format!("{n}%"),
            (n, d) if 1000 % d == 0 => {
                let thousandths = n * (1000 / d);
                if thousandths % 10 == 0 {
                    format!("{}%", thousandths / 10)
                } else {
                    format!("{}.{}%", thousandths / 10, thousandths % 10)
                }
            }
            (n, d) => format!("{n}/{d}"),
        }
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

/// What a threshold is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Base {
    /// Votes for and against; abstentions do not count.
    VotesCast,
    /// Members present and entitled to vote, so an abstention counts as a no.
    Present,
    /// Every member entitled to vote, present or not.
    WholeMembership,
}

impl Base {
    pub fn as_str(self) -> &'static str {
        match self {
            Base::VotesCast => "votes-cast",
            Base::Present => "present",
            Base::WholeMembership => "whole-membership",
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Base::VotesCast => "the votes cast",
            Base::Present => "the members present and voting or abstaining",
            Base::WholeMembership => "the whole membership entitled to vote",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        match raw.trim() {
            "votes-cast" => Ok(Base::VotesCast),
            "present" => Ok(Base::Present),
            "whole-membership" => Ok(Base::WholeMembership),
            other => Err(ValueError(format!(
                "'{other}' is not a base; use votes-cast, present or whole-membership"
            ))),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Comparison {
    AtLeast,
    MoreThan,
}

/// "At least two thirds of the votes cast", "more than half of those present".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Threshold {
    pub comparison: Comparison,
    pub fraction: Fraction,
    pub base: Base,
}

impl Threshold {
    /// Whether `votes_for` out of `base` meets the threshold. Exact integer comparison;
    /// no votes in favour never carries anything, even against a base of nothing. Decisions
    /// are counted by `charter_count`; this independent statement of the rule is the oracle
    /// its property test checks them against.
    #[cfg(test)]
    pub fn met(&self, votes_for: u32, base: u32) -> bool {
        if votes_for == 0 {
            return false;
        }
        let lhs = u64::from(votes_for) * u64::from(self.fraction.den);
        let rhs = u64::from(base) * u64::from(self.fraction.num);
        match self.comparison {
            Comparison::AtLeast => lhs >= rhs,
            Comparison::MoreThan => lhs > rhs,
        }
    }

    pub fn words(&self) -> String {
        let cmp = match self.comparison {
            Comparison::AtLeast => "at least",
            Comparison::MoreThan => "more than",
        };
        format!("{cmp} {} of {}", self.fraction.words(), self.base.words())
    }
}

/// A quorum: a number, a share of the members entitled, or the larger or smaller of both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quorum {
    Number(u32),
    Share(Fraction),
    Larger(u32, Fraction),
    Smaller(u32, Fraction),
}

impl Quorum {
    pub fn required(&self, members_entitled: u32) -> u32 {
        match *self {
            Quorum::Number(n) => n,
            Quorum::Share(f) => f.ceil_of(members_entitled),
            Quorum::Larger(n, f) => n.max(f.ceil_of(members_entitled)),
            Quorum::Smaller(n, f) => n.min(f.ceil_of(members_entitled)),
        }
    }

    pub fn words(&self) -> String {
        match self {
            Quorum::Number(n) => format!("{n} members"),
            Quorum::Share(f) => format!("{} of the members", f.words()),
            Quorum::Larger(n, f) => {
                format!("the larger of {n} members and {} of the members", f.words())
            }
            Quorum::Smaller(n, f) => {
                format!(
                    "the smaller of {n} members and {} of the members",
                    f.words()
                )
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeUnit {
    Days,
    Weeks,
    Months,
    Years,
}

impl TimeUnit {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "day" | "days" => Some(TimeUnit::Days),
            "week" | "weeks" => Some(TimeUnit::Weeks),
            "month" | "months" => Some(TimeUnit::Months),
            "year" | "years" => Some(TimeUnit::Years),
            _ => None,
        }
    }

    pub fn as_str(self, n: u32) -> &'static str {
        match (self, n == 1) {
            (TimeUnit::Days, true) => "day",
            (TimeUnit::Days, false) => "days",
            (TimeUnit::Weeks, true) => "week",
            (TimeUnit::Weeks, false) => "weeks",
            (TimeUnit::Months, true) => "month",
            (TimeUnit::Months, false) => "months",
            (TimeUnit::Years, true) => "year",
            (TimeUnit::Years, false) => "years",
        }
    }
}

/// A length of time as the constitution states it: `14 days`, `6 months`, `2 years`.
/// Months and years are calendar months, so "one year" from 29 February ends on 28 February.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Duration {
    pub amount: u32,
    pub unit: TimeUnit,
}

impl Duration {
    pub fn days(n: u32) -> Self {
        Duration {
            amount: n,
            unit: TimeUnit::Days,
        }
    }

    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        let bad = || {
            ValueError(format!(
                "'{s}' is not a length of time such as 14 days, 6 months or 2 years"
            ))
        };
        let mut it = s.split_whitespace();
        let (Some(n), Some(u), None) = (it.next(), it.next(), it.next()) else {
            return Err(bad());
        };
        let amount: u32 = n.parse().map_err(|_| bad())?;
        if amount > 100_000 {
            return Err(bad());
        }
        let unit = TimeUnit::parse(u).ok_or_else(bad)?;
        Ok(Duration { amount, unit })
    }

    /// `from` plus this duration; `None` past the calendar's end.
    pub fn after(&self, from: NaiveDate) -> Option<NaiveDate> {
        let n = self.amount;
        match self.unit {
            TimeUnit::Days => from.checked_add_days(Days::new(u64::from(n))),
            TimeUnit::Weeks => from.checked_add_days(Days::new(u64::from(n) * 7)),
            TimeUnit::Months => from.checked_add_months(Months::new(n)),
            TimeUnit::Years => n
                .checked_mul(12)
                .and_then(|m| from.checked_add_months(Months::new(m))),
        }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.unit.as_str(self.amount))
    }
}

/// Clear days between a notice and its meeting: neither the day it was sent nor the day of
/// the meeting counts, the usual reading of "14 clear days' notice".
pub fn clear_days(notice_sent_on: NaiveDate, meeting_on: NaiveDate) -> i64 {
    (meeting_on - notice_sent_on).num_days() - 1
}

/// Numbers for people: 21,000 rather than 21000.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn clause_numbers_sort_as_people_read_them() {
        let mut v: Vec<ClauseRef> = ["4.10", "4.2", "10", "4.9", "4", "7.3a", "7.3"]
            .iter()
            .map(|s| ClauseRef::parse(s).unwrap())
            .collect();
        v.sort();
        let s: Vec<&str> = v.iter().map(ClauseRef::as_str).collect();
        assert_eq!(s, ["4", "4.2", "4.9", "4.10", "7.3", "7.3a", "10"]);
        for bad in ["", "4.", ".4", "a", "4.2ab", "4a.2", "4..2", "four"] {
            assert!(ClauseRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fractions_and_thresholds_are_exact() {
        let two_thirds = Threshold {
            comparison: Comparison::AtLeast,
            fraction: Fraction::parse("2/3").unwrap(),
            base: Base::VotesCast,
        };
        assert!(two_thirds.met(200, 300));
        assert!(!two_thirds.met(199, 300));
        let majority = Threshold {
            comparison: Comparison::MoreThan,
            fraction: Fraction::parse("half").unwrap(),
            base: Base::VotesCast,
        };
        assert!(!majority.met(50, 100));
        assert!(majority.met(51, 100));
        assert!(
            !majority.met(0, 0),
            "nothing carries with no votes in favour"
        );
        assert_eq!(
            Fraction::parse("12.5%").unwrap(),
            Fraction::new(1, 8).unwrap()
        );
        assert_eq!(Fraction::parse("5%").unwrap().words(), "5%");
        assert!(Fraction::parse("3/2").is_err());
        assert!(Fraction::parse("1/0").is_err());
    }

    #[test]
    fn quorum_takes_the_larger_or_smaller() {
        let f = Fraction::parse("5%").unwrap();
        assert_eq!(Quorum::Larger(50, f).required(2000), 100);
        assert_eq!(Quorum::Larger(50, f).required(100), 50);
        assert_eq!(Quorum::Smaller(50, f).required(2000), 50);
        assert_eq!(
            Quorum::Share(f).required(21),
            2,
            "a share rounds up to whole people"
        );
    }

    #[test]
    fn clear_days_exclude_both_ends() {
        assert_eq!(clear_days(d(2017, 5, 1), d(2017, 5, 16)), 14);
        assert_eq!(clear_days(d(2017, 5, 1), d(2017, 5, 4)), 2);
    }

    #[test]
    fn count_methods_parse_by_their_names_only() {
        for m in CountMethod::ALL {
            assert_eq!(CountMethod::parse(m.as_str()).unwrap(), m);
            assert_eq!(CountMethod::parse(&format!(" {m} ")).unwrap(), m);
        }
        let err = CountMethod::parse("stv").unwrap_err().0;
        assert_eq!(
            err,
            "'stv' is not a counting method; use one of plurality, approval, irv, scottish-stv, meek, wigm, ers97, schulze"
        );
        assert!(CountMethod::parse("Scottish-STV").is_err());
        assert!(CountMethod::parse("").is_err());
        assert!(CountMethod::Irv.single_seat_only());
        assert!(!CountMethod::Schulze.single_seat_only());
    }

    #[test]
    fn count_methods_are_named_as_the_counting_code_names_them() {
        for m in CountMethod::ALL {
            assert_eq!(m.counted_by().name(), m.as_str());
        }
    }

    #[test]
    fn contexts_parse_and_print_alike() {
        for s in [
            "branch-meeting",
            "regional-meeting",
            "conference",
            "member-ballot",
            "committee:national-committee",
        ] {
            assert_eq!(Context::parse(s).unwrap().to_string(), s);
        }
        assert!(Context::parse("committee:").is_err());
        assert!(Context::parse("pub").is_err());
        assert_eq!(thousands(21000), "21,000");
        assert_eq!(thousands(999), "999");
    }
}
