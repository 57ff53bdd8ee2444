//! Whether a recorded decision binds: called with the notice its constitution requires, by
//! a body allowed to take it, quorate, and carried by the threshold on the right base.
//!
//! Meetings and ballots are recorded elsewhere; [`DecisionRecord`] is what they must be able
//! to say about a decision for it to be checked here. Every check runs and every failure is
//! reported, so a member sees all that was wrong with a meeting, not only the first thing.

use chrono::NaiveDate;

use crate::constitution::{Constitution, by_words, join_words};
use crate::words::{ClauseRef, DecisionKind, Key, clear_days, thousands};

/// The outcome of one decision as a meeting or ballot recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionRecord {
    /// The body that decided (`conference`, `branch-meeting`…) or `member-ballot`.
    pub body: Key,
    /// The kind of sitting, which sets notice and quorum (`general-meeting`, `special-conference`).
    pub meeting_kind: Key,
    /// When notice went out; `None` when none was recorded.
    pub notice_sent_on: Option<NaiveDate>,
    pub meeting_on: NaiveDate,
    /// Members entitled to attend and vote (the frozen roll).
    pub members_entitled: u32,
    /// Entitled members present (or, for a ballot, who took part).
    pub present: u32,
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstentions: u32,
}

/// A procedural step that passed, kept so a binding decision shows what it was checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub clause: Option<ClauseRef>,
    pub finding: String,
}

/// A decision that binds, with the checks it passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub decided_on: NaiveDate,
    pub checks: Vec<Check>,
}

/// One thing that was wrong, with the clause it broke. `clause` is `None` when no clause
/// covers the case (a decision no clause allows) or the record itself is inconsistent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub clause: Option<ClauseRef>,
    pub reason: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.clause {
            Some(c) => write!(f, "clause {c}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

/// A decision that does not bind, with every failing step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the decision does not bind: {}", self.failures.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct NotBinding {
    pub failures: Vec<Failure>,
}

impl NotBinding {
    /// The clauses broken, in clause order, for "refused, citing clause 9.1".
    pub fn clauses(&self) -> Vec<&ClauseRef> {
        let mut v: Vec<&ClauseRef> = self
            .failures
            .iter()
            .filter_map(|f| f.clause.as_ref())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

/// An amendment that completed the procedure: the new version takes effect on its own date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adoption {
    pub version: String,
    pub adopted_on: NaiveDate,
    pub takes_effect: NaiveDate,
    pub checks: Vec<Check>,
}

#[derive(Default)]
struct Findings {
    passed: Vec<Check>,
    failed: Vec<Failure>,
}

impl Findings {
    fn pass(&mut self, clause: Option<&ClauseRef>, finding: String) {
        self.passed.push(Check {
            clause: clause.cloned(),
            finding,
        });
    }

    fn fail(&mut self, clause: Option<&ClauseRef>, reason: String) {
        self.failed.push(Failure {
            clause: clause.cloned(),
            reason,
        });
    }

    fn check(&mut self, ok: bool, clause: Option<&ClauseRef>, finding: String) {
        if ok {
            self.pass(clause, finding);
        } else {
            self.fail(clause, finding);
        }
    }
}

/// Checks that apply to every decision: the version was in force, the record adds up.
fn check_record(c: &Constitution, r: &DecisionRecord, f: &mut Findings) {
    if c.effective() > r.meeting_on {
        f.fail(
            None,
            format!(
                "version '{}' takes effect on {}, after this meeting on {}; the version in force that day governs it",
                c.version(),
                c.effective(),
                r.meeting_on
            ),
        );
    }
    let cast = u64::from(r.votes_for) + u64::from(r.votes_against) + u64::from(r.abstentions);
    if cast > u64::from(r.present) {
        f.fail(
            None,
            format!(
                "the record is inconsistent: {} votes and abstentions from {} present",
                thousands(cast),
                thousands(u64::from(r.present))
            ),
        );
    }
    if r.present > r.members_entitled {
        f.fail(
            None,
            format!(
                "the record is inconsistent: {} present but only {} entitled",
                thousands(u64::from(r.present)),
                thousands(u64::from(r.members_entitled))
            ),
        );
    }
}

fn check_notice(
    f: &mut Findings,
    clause: Option<&ClauseRef>,
    what: &str,
    required: u32,
    r: &DecisionRecord,
) {
    match r.notice_sent_on {
        None => f.fail(
            clause,
            format!("{what} needs {required} clear days' notice, and no notice was recorded"),
        ),
        Some(sent) => {
            let given = clear_days(sent, r.meeting_on);
            let shown = given.max(0);
            f.check(
                given >= i64::from(required),
                clause,
                format!(
                    "{what} needs {required} clear days' notice; notice sent on {sent} for {} gave {shown}",
                    r.meeting_on
                ),
            );
        }
    }
}

fn check_quorum(c: &Constitution, r: &DecisionRecord, f: &mut Findings) {
    match c.quorum_for(&r.meeting_kind, &r.body) {
        None => f.fail(
            None,
            format!(
                "no clause sets the quorum of a {}, so its decisions cannot be shown to bind",
                r.meeting_kind.words()
            ),
        ),
        Some((clause, q)) => {
            let need = q.quorum.required(r.members_entitled);
            f.check(
                r.present >= need,
                Some(clause),
                format!(
                    "the quorum is {} ({} of {} entitled); {} were present",
                    q.quorum.words(),
                    thousands(u64::from(need)),
                    thousands(u64::from(r.members_entitled)),
                    thousands(u64::from(r.present))
                ),
            );
        }
    }
}

fn check_threshold(
    f: &mut Findings,
    clause: &ClauseRef,
    t: &crate::words::Threshold,
    r: &DecisionRecord,
) {
    use charter_count::methods::yes_no;
    let (numerator, denominator) = (u64::from(t.fraction.num()), u64::from(t.fraction.den()));
    let threshold = match t.comparison {
        crate::words::Comparison::AtLeast => yes_no::Threshold::AtLeast {
            numerator,
            denominator,
        },
        crate::words::Comparison::MoreThan => yes_no::Threshold::MoreThan {
            numerator,
            denominator,
        },
    };
    let base = match t.base {
        crate::words::Base::VotesCast => yes_no::Base::VotesCast,
        crate::words::Base::Present => yes_no::Base::Present,
        crate::words::Base::WholeMembership => yes_no::Base::Electorate,
    };
    let counts = yes_no::Counts {
        yes: u64::from(r.votes_for),
        no: u64::from(r.votes_against),
        abstain: u64::from(r.abstentions),
        present: Some(u64::from(r.present)),
        electorate: Some(u64::from(r.members_entitled)),
    };
    match yes_no::decide(counts, threshold, base) {
        Ok(d) => f.check(
            d.carried,
            Some(clause),
            format!(
                "it needs {}: {} for out of {}",
                t.words(),
                thousands(u64::from(r.votes_for)),
                thousands(d.base)
            ),
        ),
        // An inconsistent record is already a failure of its own (`check_record`).
        Err(e) => f.fail(Some(clause), format!("the count cannot be decided: {e}")),
    }
}

fn check_body(f: &mut Findings, clause: &ClauseRef, by: &[Key], what: &str, r: &DecisionRecord) {
    let names: Vec<String> = by.iter().map(by_words).collect();
    f.check(
        by.contains(&r.body),
        Some(clause),
        format!(
            "{what} may be decided only by {}; this was decided by {}",
            join_words(&names, "or"),
            by_words(&r.body)
        ),
    );
}

/// Whether a decision of `kind` recorded in `record` binds under `in_force`, the version in
/// force on the meeting's date.
pub fn check_decision(
    in_force: &Constitution,
    kind: DecisionKind,
    record: &DecisionRecord,
) -> Result<Binding, NotBinding> {
    let mut f = Findings::default();
    check_record(in_force, record, &mut f);
    let threshold = in_force.threshold_for(kind);
    match threshold {
        None => f.fail(None, format!("no clause allows {}", kind.words())),
        Some((clause, t)) => check_body(&mut f, clause, &t.by, kind.words(), record),
    }
    match in_force.notice_for(&record.meeting_kind) {
        None => f.fail(
            None,
            format!(
                "no clause says what notice a {} needs, so its decisions cannot be shown to bind",
                record.meeting_kind.words()
            ),
        ),
        Some((clause, n)) => check_notice(
            &mut f,
            Some(clause),
            &format!("a {}", record.meeting_kind.words()),
            n.clear_days,
            record,
        ),
    }
    check_quorum(in_force, record, &mut f);
    if let Some((clause, t)) = threshold {
        check_threshold(&mut f, clause, &t.threshold, record);
    }
    if f.failed.is_empty() {
        Ok(Binding {
            decided_on: record.meeting_on,
            checks: f.passed,
        })
    } else {
        Err(NotBinding { failures: f.failed })
    }
}

/// What a vote on a motion came to: carried and binding, lost by a properly held meeting,
/// or not binding at all because the meeting or body could not take the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MotionResult {
    Adopted(Binding),
    /// The meeting could decide, and the motion fell short of its threshold.
    Rejected(Failure),
    NotBinding(NotBinding),
}

/// The outcome of a vote on a motion of `kind`: every procedural step (body, notice,
/// quorum, a consistent record) must hold for the vote to decide anything; then the
/// threshold decides between adopted and rejected.
pub fn motion_result(
    in_force: &Constitution,
    kind: DecisionKind,
    record: &DecisionRecord,
) -> MotionResult {
    match check_decision(in_force, kind, record) {
        Ok(b) => MotionResult::Adopted(b),
        Err(nb) => {
            let threshold = in_force.threshold_for(kind).map(|(c, _)| c);
            // The threshold check is the last and the only one that depends on the votes for;
            // if it alone failed, the meeting decided, and decided no.
            let only_threshold = nb.failures.len() == 1
                && threshold.is_some()
                && nb.failures[0].clause.as_ref() == threshold
                && nb.failures[0].reason.starts_with("it needs ");
            if only_threshold {
                MotionResult::Rejected(nb.failures[0].clone())
            } else {
                MotionResult::NotBinding(nb)
            }
        }
    }
}

/// Whether `amendment` was adopted under the amendment procedure of `in_force` (the version
/// in force on the meeting's date). On success it takes effect on its own effective date,
/// which must not be before the adoption: no change is retroactive.
pub fn check_amendment_adoption(
    in_force: &Constitution,
    amendment: &Constitution,
    record: &DecisionRecord,
) -> Result<Adoption, NotBinding> {
    let mut f = Findings::default();
    check_record(in_force, record, &mut f);
    let Some((clause, proc_)) = in_force.amendment_procedure() else {
        f.fail(
            None,
            format!(
                "version '{}' has no amendment procedure, so it cannot be amended",
                in_force.version()
            ),
        );
        return Err(NotBinding { failures: f.failed });
    };
    check_body(&mut f, clause, &proc_.by, "an amendment", record);
    check_notice(
        &mut f,
        Some(clause),
        "an amendment",
        proc_.notice_clear_days,
        record,
    );
    // The sitting's own notice rule applies too; a ballot or meeting kind with none relies
    // on the amendment's notice alone.
    if let Some((nc, n)) = in_force.notice_for(&record.meeting_kind)
        && n.clear_days > proc_.notice_clear_days
    {
        check_notice(
            &mut f,
            Some(nc),
            &format!("a {}", record.meeting_kind.words()),
            n.clear_days,
            record,
        );
    }
    check_quorum(in_force, record, &mut f);
    check_threshold(&mut f, clause, &proc_.threshold, record);
    f.check(
        amendment.effective() >= record.meeting_on,
        Some(clause),
        format!(
            "the amendment takes effect on {}, and it was decided on {}; a change may not take effect before it is adopted",
            amendment.effective(),
            record.meeting_on
        ),
    );
    if amendment.effective() <= in_force.effective() {
        f.fail(
            Some(clause),
            format!(
                "the amendment takes effect on {}, not after the version in force ({})",
                amendment.effective(),
                in_force.effective()
            ),
        );
    }
    if f.failed.is_empty() {
        Ok(Adoption {
            version: amendment.version().to_string(),
            adopted_on: record.meeting_on,
            takes_effect: amendment.effective(),
            checks: f.passed,
        })
    } else {
        Err(NotBinding { failures: f.failed })
    }
}

/// Whether a requisition (members or branches demanding a meeting) reaches the number the
/// constitution sets, either route sufficing.
pub fn check_requisition(
    in_force: &Constitution,
    meeting: &Key,
    members_signed: u32,
    members_total: u32,
    branches_supporting: u32,
) -> Result<Check, Failure> {
    let Some((clause, r)) = in_force.requisition_for(meeting) else {
        return Err(Failure {
            clause: None,
            reason: format!("no clause lets members require a {}", meeting.words()),
        });
    };
    let by_members = r.members.map(|s| {
        let need = s.ceil_of(members_total).max(1);
        (members_signed >= need, need)
    });
    let by_branches = r.branches.map(|b| (branches_supporting >= b.max(1), b));
    let ok = by_members.is_some_and(|x| x.0) || by_branches.is_some_and(|x| x.0);
    let mut parts = Vec::new();
    if let Some((_, need)) = by_members {
        parts.push(format!(
            "{} members needed, {} signed",
            thousands(u64::from(need)),
            thousands(u64::from(members_signed))
        ));
    }
    if let Some((_, need)) = by_branches {
        parts.push(format!(
            "{need} branches needed, {branches_supporting} supported"
        ));
    }
    let finding = format!("{} ({})", r.describe(), parts.join("; "));
    if ok {
        Ok(Check {
            clause: Some(clause.clone()),
            finding,
        })
    } else {
        Err(Failure {
            clause: Some(clause.clone()),
            reason: finding,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::{Base, Comparison, Fraction, Threshold};
    use proptest::prelude::*;

    fn record(votes: (u32, u32, u32), present: u32, entitled: u32) -> DecisionRecord {
        DecisionRecord {
            body: Key::parse("conference").unwrap(),
            meeting_kind: Key::parse("special-conference").unwrap(),
            notice_sent_on: None,
            meeting_on: NaiveDate::from_ymd_opt(2017, 7, 1).unwrap(),
            members_entitled: entitled,
            present,
            votes_for: votes.0,
            votes_against: votes.1,
            abstentions: votes.2,
        }
    }

    proptest! {
        /// The count decides every threshold exactly as the rule is worded.
        #[test]
        fn the_count_meets_thresholds_as_worded(
            (num, den) in (1u32..=100).prop_flat_map(|d| (0..=d, Just(d))),
            more_than in any::<bool>(),
            base in prop_oneof![Just(Base::VotesCast), Just(Base::Present), Just(Base::WholeMembership)],
            yes in 0u32..2_000, no in 0u32..2_000, abstain in 0u32..500,
            absent in 0u32..500, not_attending in 0u32..5_000,
        ) {
            let t = Threshold {
                comparison: if more_than { Comparison::MoreThan } else { Comparison::AtLeast },
                fraction: Fraction::new(num, den).unwrap(),
                base,
            };
            let present = yes + no + abstain + absent;
            let entitled = present + not_attending;
            let r = record((yes, no, abstain), present, entitled);
            let base_n = match base {
                Base::VotesCast => yes + no,
                Base::Present => present,
                Base::WholeMembership => entitled,
            };
            let mut f = Findings::default();
            let clause = ClauseRef::parse("6.1").unwrap();
            check_threshold(&mut f, &clause, &t, &r);
            prop_assert_eq!(f.failed.is_empty(), t.met(yes, base_n));
            prop_assert_eq!(f.failed.len() + f.passed.len(), 1);
        }
    }

    #[test]
    fn an_inconsistent_count_is_a_failure_not_a_decision() {
        let t = Threshold {
            comparison: Comparison::MoreThan,
            fraction: Fraction::new(1, 2).unwrap(),
            base: Base::Present,
        };
        let mut f = Findings::default();
        check_threshold(
            &mut f,
            &ClauseRef::parse("6.1").unwrap(),
            &t,
            &record((10, 2, 0), 5, 40),
        );
        assert_eq!(f.failed.len(), 1);
        assert!(f.failed[0].reason.contains("fewer than the votes recorded"));
    }
}
