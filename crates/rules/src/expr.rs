//! The condition language rights are written in.
//!
//! ```text
//! condition := or
//! or        := and ("or" and)*
//! and       := unary ("and" unary)*
//! unary     := "not" unary | "(" condition ")" | atom
//! atom      := "true" | "false"
//!            | "status" "is" ["not"] STATUS | STATUS          (active, lapsed, suspended, …)
//!            | "paid_up"
//!            | "member_for" (">=" | ">" | "<=" | "<" | "=") NUMBER UNIT    (days, weeks, months, years)
//!            | "affiliated" ["(" STRING ["," "verified"] ")"]
//!            | "holds" "office" ["(" OFFICE ")"]              (chair, secretary, …)
//!            | "holds" "seat" ["(" BODY ")"]                  (the context's committee when omitted)
//!            | "home" "unit" "within" "context"
//! ```
//!
//! A hand-written parser rather than a generator: its messages must name the column and what
//! was expected in words a constitution's author understands, and it must never panic, which
//! the property tests and the fuzz target check over arbitrary input.

use std::fmt;

use charter_domain::{MemberStatus, OfficeKind};
use chrono::{Months, NaiveDate};

use crate::error::ExprError;
use crate::facts::{Env, MemberFacts};
use crate::words::{Context, Key, TimeUnit};

/// Deep enough for any condition a person writes, shallow enough that a hostile one cannot
/// exhaust the stack of the recursive parser or evaluator.
const MAX_DEPTH: usize = 48;
const MAX_LEN: usize = 16 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expr {
    Bool(bool),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Atom(Atom),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmp {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

impl Cmp {
    fn as_str(self) -> &'static str {
        match self {
            Cmp::Ge => ">=",
            Cmp::Gt => ">",
            Cmp::Le => "<=",
            Cmp::Lt => "<",
            Cmp::Eq => "=",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Atom {
    Status(MemberStatus),
    PaidUp,
    MemberFor {
        cmp: Cmp,
        amount: u32,
        unit: TimeUnit,
    },
    /// `organisation: None` means any recorded affiliation.
    Affiliated {
        organisation: Option<String>,
        verified: bool,
    },
    HoldsOffice(Option<OfficeKind>),
    /// `None`: a seat on the committee whose meeting the context is.
    HoldsSeat(Option<Key>),
    HomeWithinContext,
}

impl Expr {
    pub fn parse(src: &str) -> Result<Expr, ExprError> {
        if src.len() > MAX_LEN {
            return Err(ExprError {
                column: 1,
                message: format!("a condition may be at most {MAX_LEN} bytes long"),
            });
        }
        let tokens = lex(src)?;
        let mut p = Parser {
            tokens,
            pos: 0,
            depth: 0,
        };
        let e = p.or()?;
        match p.peek() {
            Tok::End => Ok(e),
            _ => Err(p.error("expected 'and', 'or' or the end of the condition")),
        }
    }

    /// True when a member with these facts meets the condition in this environment.
    pub fn holds(&self, facts: &MemberFacts, env: &Env<'_>) -> bool {
        match self {
            Expr::Bool(b) => *b,
            Expr::Not(e) => !e.holds(facts, env),
            Expr::And(a, b) => a.holds(facts, env) && b.holds(facts, env),
            Expr::Or(a, b) => a.holds(facts, env) || b.holds(facts, env),
            Expr::Atom(a) => a.holds(facts, env),
        }
    }

    /// The condition as a phrase describing the people who meet it, to follow "members who
    /// are…": "active, paid up and verified members of the Socialist Alliance Party".
    pub fn words(&self) -> String {
        match self {
            Expr::Bool(true) => "anyone".into(),
            Expr::Bool(false) => "no one".into(),
            Expr::Not(e) => match &**e {
                Expr::Atom(a) => a.negated_words(),
                other => format!("not ({})", other.words()),
            },
            Expr::And(a, b) => format!("{} and {}", a.words_in_and(), b.words_in_and()),
            Expr::Or(a, b) => format!("{} or {}", a.words(), b.words()),
            Expr::Atom(a) => a.words(),
        }
    }

    fn words_in_and(&self) -> String {
        match self {
            Expr::Or(..) => format!("({})", self.words()),
            _ => self.words(),
        }
    }

    /// Why a member does not meet this condition, one phrase per unmet part, addressed to
    /// the member ("you are not paid up"). Empty when the condition holds.
    pub fn unmet(&self, facts: &MemberFacts, env: &Env<'_>) -> Vec<String> {
        if self.holds(facts, env) {
            return Vec::new();
        }
        match self {
            Expr::Bool(_) => vec!["no one meets this condition".into()],
            Expr::And(a, b) => {
                let mut v = a.unmet(facts, env);
                v.extend(b.unmet(facts, env));
                v
            }
            Expr::Not(e) => match &**e {
                Expr::Atom(a) => vec![a.met_words(facts, env)],
                other => vec![format!("you are {}", other.words())],
            },
            Expr::Or(..) => vec![format!("you are not {}", self.words())],
            Expr::Atom(a) => vec![a.unmet_words(facts, env)],
        }
    }

    /// Atoms in this condition, for tools that list what a constitution looks at.
    pub fn atoms(&self) -> Vec<&Atom> {
        let mut out = Vec::new();
        fn walk<'a>(e: &'a Expr, out: &mut Vec<&'a Atom>) {
            match e {
                Expr::Bool(_) => {}
                Expr::Not(x) => walk(x, out),
                Expr::And(a, b) | Expr::Or(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Expr::Atom(a) => out.push(a),
            }
        }
        walk(self, &mut out);
        out
    }
}

/// Prints the condition back in the language itself, so it re-parses to the same tree.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Bool(b) => write!(f, "{b}"),
            Expr::Atom(a) => a.fmt(f),
            Expr::Not(e) => match &**e {
                Expr::Atom(_) | Expr::Bool(_) | Expr::Not(_) => write!(f, "not {e}"),
                _ => write!(f, "not ({e})"),
            },
            Expr::And(a, b) => {
                // `and` is left-associative: a right-hand `and` needs brackets to keep its shape.
                let wrap = |e: &Expr| matches!(e, Expr::Or(..));
                if wrap(a) {
                    write!(f, "({a})")?;
                } else {
                    write!(f, "{a}")?;
                }
                f.write_str(" and ")?;
                if wrap(b) || matches!(**b, Expr::And(..)) {
                    write!(f, "({b})")
                } else {
                    write!(f, "{b}")
                }
            }
            Expr::Or(a, b) => {
                write!(f, "{a} or ")?;
                if matches!(**b, Expr::Or(..)) {
                    write!(f, "({b})")
                } else {
                    write!(f, "{b}")
                }
            }
        }
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Atom::Status(s) => write!(f, "status is {s}"),
            Atom::PaidUp => f.write_str("paid_up"),
            Atom::MemberFor { cmp, amount, unit } => {
                write!(
                    f,
                    "member_for {} {amount} {}",
                    cmp.as_str(),
                    unit.as_str(*amount)
                )
            }
            Atom::Affiliated {
                organisation: None, ..
            } => f.write_str("affiliated"),
            Atom::Affiliated {
                organisation: Some(o),
                verified,
            } => {
                let escaped = o.replace('\\', "\\\\").replace('"', "\\\"");
                if *verified {
                    write!(f, "affiliated(\"{escaped}\", verified)")
                } else {
                    write!(f, "affiliated(\"{escaped}\")")
                }
            }
            Atom::HoldsOffice(None) => f.write_str("holds office"),
            Atom::HoldsOffice(Some(k)) => write!(f, "holds office({})", k.as_str()),
            Atom::HoldsSeat(None) => f.write_str("holds seat"),
            Atom::HoldsSeat(Some(k)) => write!(f, "holds seat({k})"),
            Atom::HomeWithinContext => f.write_str("home unit within context"),
        }
    }
}

impl Atom {
    fn holds(&self, facts: &MemberFacts, env: &Env<'_>) -> bool {
        match self {
            Atom::Status(s) => facts.status == *s,
            Atom::PaidUp => facts.is_paid_up(env.on, env.grace_days),
            Atom::MemberFor { cmp, amount, unit } => {
                let Some(since) = member_since_threshold(facts.joined_on, *amount, *unit) else {
                    // Further than the calendar reaches: nobody has been a member that long.
                    return matches!(cmp, Cmp::Le | Cmp::Lt);
                };
                // Membership length reaches the amount on `since`; compare dates, not day
                // counts, so "1 year" means the calendar year people expect.
                let reached = env.on >= since;
                let passed = since.succ_opt().is_some_and(|next| env.on >= next);
                match cmp {
                    Cmp::Ge => reached,
                    Cmp::Gt => passed,
                    Cmp::Lt => !reached,
                    Cmp::Le => !passed,
                    Cmp::Eq => reached && !passed,
                }
            }
            Atom::Affiliated {
                organisation,
                verified,
            } => facts.affiliations.iter().any(|a| {
                (!verified || a.verified)
                    && organisation
                        .as_deref()
                        .is_none_or(|o| same_name(o, &a.organisation))
            }),
            Atom::HoldsOffice(None) => !facts.offices.is_empty(),
            Atom::HoldsOffice(Some(k)) => facts.offices.contains(k),
            Atom::HoldsSeat(Some(k)) => facts.seats.contains(k),
            Atom::HoldsSeat(None) => match &env.forum.context {
                Context::Committee(k) => facts.seats.contains(k),
                _ => false,
            },
            Atom::HomeWithinContext => match env.forum.unit {
                None => true,
                Some(u) => u == facts.home_branch || Some(u) == facts.home_region,
            },
        }
    }

    fn words(&self) -> String {
        match self {
            Atom::Status(s) => s.as_str().to_string(),
            Atom::PaidUp => "paid up".into(),
            Atom::MemberFor { cmp, amount, unit } => {
                let c = match cmp {
                    Cmp::Ge => "at least",
                    Cmp::Gt => "more than",
                    Cmp::Le => "at most",
                    Cmp::Lt => "less than",
                    Cmp::Eq => "exactly",
                };
                format!("members for {c} {amount} {}", unit.as_str(*amount))
            }
            Atom::Affiliated {
                organisation: None,
                verified,
            } => {
                if *verified {
                    "verified members of another organisation".into()
                } else {
                    "members of another organisation".into()
                }
            }
            Atom::Affiliated {
                organisation: Some(o),
                verified,
            } => {
                if *verified {
                    format!("verified members of the {o}")
                } else {
                    format!("members of the {o}")
                }
            }
            Atom::HoldsOffice(None) => "holding an office".into(),
            Atom::HoldsOffice(Some(k)) => {
                format!("holding the office of {}", k.title().to_lowercase())
            }
            Atom::HoldsSeat(None) => "holding a seat on the committee".into(),
            Atom::HoldsSeat(Some(k)) => format!("holding a seat on the {}", k.words()),
            Atom::HomeWithinContext => "based within the meeting's unit".into(),
        }
    }

    fn negated_words(&self) -> String {
        match self {
            Atom::Status(s) => format!("not {s}"),
            Atom::PaidUp => "not paid up".into(),
            other => format!("not {}", other.words()),
        }
    }

    fn unmet_words(&self, facts: &MemberFacts, env: &Env<'_>) -> String {
        match self {
            Atom::Status(s) => format!("your status is {}, not {s}", facts.status),
            Atom::PaidUp => match facts.paid_up_until {
                Some(d) => format!(
                    "you are not paid up: your dues covered you until {d}, and the grace period is {} days",
                    env.grace_days
                ),
                None => "you are not paid up: no dues are recorded".into(),
            },
            Atom::MemberFor { .. } => {
                format!(
                    "you joined on {}, so you are not {}",
                    facts.joined_on,
                    self.words()
                )
            }
            Atom::Affiliated { .. } => format!("you are not one of the {}", self.words()),
            Atom::HomeWithinContext => "your home branch is not within this meeting's unit".into(),
            _ => format!("you are not {}", self.words()),
        }
    }

    fn met_words(&self, facts: &MemberFacts, _env: &Env<'_>) -> String {
        match self {
            Atom::Status(s) => format!("your status is {s}"),
            Atom::PaidUp => "you are paid up".into(),
            Atom::MemberFor { .. } => format!("you joined on {}", facts.joined_on),
            Atom::Affiliated { .. } => format!("you are one of the {}", self.words()),
            Atom::HomeWithinContext => "your home branch is within this meeting's unit".into(),
            _ => format!("you are {}", self.words()),
        }
    }
}

fn member_since_threshold(joined: NaiveDate, amount: u32, unit: TimeUnit) -> Option<NaiveDate> {
    match unit {
        TimeUnit::Days => joined.checked_add_days(chrono::Days::new(u64::from(amount))),
        TimeUnit::Weeks => joined.checked_add_days(chrono::Days::new(u64::from(amount) * 7)),
        TimeUnit::Months => joined.checked_add_months(Months::new(amount)),
        TimeUnit::Years => amount
            .checked_mul(12)
            .and_then(|m| joined.checked_add_months(Months::new(m))),
    }
}

/// Organisation names compare without regard to case or spacing, since they are typed by
/// different officers at different times.
fn same_name(a: &str, b: &str) -> bool {
    let mut x = a.split_whitespace();
    let mut y = b.split_whitespace();
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p.eq_ignore_ascii_case(q) => {}
            _ => return false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(u32),
    Cmp(Cmp),
    LParen,
    RParen,
    Comma,
    End,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("'{w}'"),
            Tok::Str(s) => format!("the text \"{s}\""),
            Tok::Num(n) => format!("the number {n}"),
            Tok::Cmp(c) => format!("'{}'", c.as_str()),
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::Comma => "','".into(),
            Tok::End => "the end of the condition".into(),
        }
    }
}

fn lex(src: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '(' => {
                out.push((Tok::LParen, col));
                i += 1;
            }
            ')' => {
                out.push((Tok::RParen, col));
                i += 1;
            }
            ',' => {
                out.push((Tok::Comma, col));
                i += 1;
            }
            '>' | '<' | '=' | '!' => {
                let next = chars.get(i + 1).copied();
                let (cmp, len) = match (c, next) {
                    ('>', Some('=')) => (Cmp::Ge, 2),
                    ('<', Some('=')) => (Cmp::Le, 2),
                    ('=', Some('=')) => (Cmp::Eq, 2),
                    ('>', _) => (Cmp::Gt, 1),
                    ('<', _) => (Cmp::Lt, 1),
                    ('=', _) => (Cmp::Eq, 1),
                    _ => {
                        return Err(ExprError {
                            column: col,
                            message: "'!' is not understood here; write 'not'".into(),
                        });
                    }
                };
                out.push((Tok::Cmp(cmp), col));
                i += len;
            }
            '"' => {
                let mut s = String::new();
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None => {
                            return Err(ExprError {
                                column: col,
                                message: "this text in quotes is never closed".into(),
                            });
                        }
                        Some('"') => break,
                        Some('\\') => match chars.get(j + 1) {
                            Some(&e @ ('"' | '\\')) => {
                                s.push(e);
                                j += 2;
                            }
                            _ => {
                                return Err(ExprError {
                                    column: j + 1,
                                    message: "only \\\" and \\\\ may follow a backslash".into(),
                                });
                            }
                        },
                        Some(&ch) => {
                            s.push(ch);
                            j += 1;
                        }
                    }
                }
                if s.trim().is_empty() {
                    return Err(ExprError {
                        column: col,
                        message: "the organisation's name is empty".into(),
                    });
                }
                out.push((Tok::Str(s), col));
                i = j + 1;
            }
            c if c.is_ascii_digit() => {
                let start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let n = text
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n <= 100_000)
                    .ok_or(ExprError {
                        column: col,
                        message: format!("{text} is too large a number"),
                    })?;
                out.push((Tok::Num(n), col));
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '-')
                {
                    i += 1;
                }
                out.push((Tok::Word(chars[start..i].iter().collect()), col));
            }
            other => {
                return Err(ExprError {
                    column: col,
                    message: format!("'{other}' is not understood in a condition"),
                });
            }
        }
    }
    out.push((Tok::End, chars.len() + 1));
    Ok(out)
}

struct Parser {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
    depth: usize,
}

const STATUSES: &str = "applicant, active, lapsed, suspended, expelled or resigned";

impl Parser {
    fn peek(&self) -> &Tok {
        // The lexer always ends the list with End, and `bump` never moves past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)].0
    }

    fn column(&self) -> usize {
        self.tokens[self.pos.min(self.tokens.len() - 1)].1
    }

    fn bump(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn error(&self, expected: &str) -> ExprError {
        ExprError {
            column: self.column(),
            message: format!("{expected}, found {}", self.peek().describe()),
        }
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Word(x) if x == w)
    }

    fn expect_word(&mut self, w: &str, expected: &str) -> Result<(), ExprError> {
        if self.is_word(w) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    fn expect(&mut self, t: Tok, expected: &str) -> Result<(), ExprError> {
        if *self.peek() == t {
            self.bump();
            Ok(())
        } else {
            Err(self.error(expected))
        }
    }

    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError {
                column: self.column(),
                message: format!("the condition nests more than {MAX_DEPTH} deep"),
            });
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.and()?;
        while self.is_word("or") {
            self.bump();
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.unary()?;
        while self.is_word("and") {
            self.bump();
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ExprError> {
        self.enter()?;
        let e = if self.is_word("not") {
            self.bump();
            Expr::Not(Box::new(self.unary()?))
        } else if *self.peek() == Tok::LParen {
            self.bump();
            let e = self.or()?;
            self.expect(Tok::RParen, "expected ')' to close the bracket")?;
            e
        } else {
            self.atom()?
        };
        self.depth -= 1;
        Ok(e)
    }

    fn atom(&mut self) -> Result<Expr, ExprError> {
        const EXPECTED: &str = "expected a condition such as 'paid_up', 'status is active', \
            'member_for >= 90 days', 'affiliated(\"…\", verified)', 'holds office' or 'not …'";
        let Tok::Word(w) = self.peek().clone() else {
            return Err(self.error(EXPECTED));
        };
        if let Ok(s) = MemberStatus::parse(&w)
            && w == s.as_str()
        {
            self.bump();
            return Ok(Expr::Atom(Atom::Status(s)));
        }
        match w.as_str() {
            "true" => {
                self.bump();
                Ok(Expr::Bool(true))
            }
            "false" => {
                self.bump();
                Ok(Expr::Bool(false))
            }
            "paid_up" | "paid-up" => {
                self.bump();
                Ok(Expr::Atom(Atom::PaidUp))
            }
            "status" => {
                self.bump();
                self.expect_word("is", "expected 'is' after 'status'")?;
                let negate = self.is_word("not");
                if negate {
                    self.bump();
                }
                let status = match self.peek() {
                    Tok::Word(s) => MemberStatus::parse(s).ok().filter(|st| st.as_str() == s),
                    _ => None,
                };
                let Some(status) = status else {
                    return Err(self.error(&format!("expected a status: {STATUSES}")));
                };
                self.bump();
                let a = Expr::Atom(Atom::Status(status));
                Ok(if negate { Expr::Not(Box::new(a)) } else { a })
            }
            "member_for" => {
                self.bump();
                let Tok::Cmp(cmp) = self.peek().clone() else {
                    return Err(
                        self.error("expected '>=', '>', '<=', '<' or '=' after 'member_for'")
                    );
                };
                self.bump();
                let Tok::Num(amount) = self.peek().clone() else {
                    return Err(self.error("expected a number of days, weeks, months or years"));
                };
                self.bump();
                let unit = match self.peek() {
                    Tok::Word(u) => TimeUnit::parse(u),
                    _ => None,
                };
                let Some(unit) = unit else {
                    return Err(self.error("expected days, weeks, months or years"));
                };
                self.bump();
                Ok(Expr::Atom(Atom::MemberFor { cmp, amount, unit }))
            }
            "affiliated" => {
                self.bump();
                if *self.peek() != Tok::LParen {
                    return Ok(Expr::Atom(Atom::Affiliated {
                        organisation: None,
                        verified: false,
                    }));
                }
                self.bump();
                let Tok::Str(org) = self.peek().clone() else {
                    return Err(self.error("expected the organisation's name in double quotes"));
                };
                self.bump();
                let mut verified = false;
                if *self.peek() == Tok::Comma {
                    self.bump();
                    self.expect_word("verified", "expected 'verified'")?;
                    verified = true;
                }
                self.expect(Tok::RParen, "expected ')' or ', verified'")?;
                Ok(Expr::Atom(Atom::Affiliated {
                    organisation: Some(org.trim().to_string()),
                    verified,
                }))
            }
            "holds" => {
                self.bump();
                if self.is_word("office") {
                    self.bump();
                    if *self.peek() != Tok::LParen {
                        return Ok(Expr::Atom(Atom::HoldsOffice(None)));
                    }
                    self.bump();
                    let office = match self.peek() {
                        Tok::Word(o) => OfficeKind::parse(o),
                        _ => None,
                    };
                    let Some(office) = office else {
                        return Err(self.error(
                            "expected an office: chair, secretary, treasurer, membership-officer, data-protection-officer or scrutineer",
                        ));
                    };
                    self.bump();
                    self.expect(Tok::RParen, "expected ')'")?;
                    Ok(Expr::Atom(Atom::HoldsOffice(Some(office))))
                } else if self.is_word("seat") {
                    self.bump();
                    if *self.peek() != Tok::LParen {
                        return Ok(Expr::Atom(Atom::HoldsSeat(None)));
                    }
                    self.bump();
                    let body = match self.peek() {
                        Tok::Word(b) => Key::parse(b).ok(),
                        _ => None,
                    };
                    let Some(body) = body else {
                        return Err(self.error("expected a body's name such as national-committee"));
                    };
                    self.bump();
                    self.expect(Tok::RParen, "expected ')'")?;
                    Ok(Expr::Atom(Atom::HoldsSeat(Some(body))))
                } else {
                    Err(self.error("expected 'office' or 'seat' after 'holds'"))
                }
            }
            "home" => {
                self.bump();
                self.expect_word("unit", "expected 'unit' after 'home'")?;
                self.expect_word("within", "expected 'within' after 'home unit'")?;
                self.expect_word("context", "expected 'context' after 'home unit within'")?;
                Ok(Expr::Atom(Atom::HomeWithinContext))
            }
            _ => Err(self.error(EXPECTED)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_brief_example_parses() {
        let e = Expr::parse(
            "status is active and paid_up and member_for >= 90 days and affiliated(\"Socialist Alliance Party\", verified) and not suspended",
        )
        .unwrap();
        assert_eq!(e.atoms().len(), 5);
        assert_eq!(Expr::parse(&e.to_string()).unwrap(), e);
    }

    #[test]
    fn errors_name_the_column_and_what_was_expected() {
        let err = Expr::parse("status is active and paid_upp").unwrap_err();
        assert_eq!(err.column, 22);
        assert!(err.message.starts_with("expected a condition"), "{err}");
        assert!(err.message.ends_with("found 'paid_upp'"), "{err}");

        let err = Expr::parse("status is boss").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("column 11: expected a status: {STATUSES}, found 'boss'")
        );

        let err = Expr::parse("(paid_up").unwrap_err();
        assert_eq!(
            err.to_string(),
            "column 9: expected ')' to close the bracket, found the end of the condition"
        );

        let err = Expr::parse("affiliated(\"X").unwrap_err();
        assert_eq!(err.column, 12);

        let err = Expr::parse("paid_up active").unwrap_err();
        assert_eq!(err.column, 9);
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("{}paid_up{}", "(".repeat(1000), ")".repeat(1000));
        assert!(Expr::parse(&deep).unwrap_err().message.contains("nests"));
        let nots = format!("{}paid_up", "not ".repeat(1000));
        assert!(Expr::parse(&nots).is_err());
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let e = Expr::parse("active or lapsed and paid_up").unwrap();
        assert!(matches!(e, Expr::Or(..)));
        assert_eq!(
            e.to_string(),
            "status is active or status is lapsed and paid_up"
        );
    }
}
