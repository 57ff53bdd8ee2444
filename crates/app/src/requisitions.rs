//! Requisitions: members (by signing) or branches (by their general meetings' published
//! motions) require a meeting the constitution lets them require. A branch's motion counts
//! when it calls for the meeting (`requires`), whatever its matter or position, or when it
//! supports a requisition's matter; each branch once. Once the constitution's threshold is
//! reached the officers must call the meeting by the date its deadline sets, or it shows to
//! every member as overdue and those who must call it are written to each week (`overdue`).

mod overdue;

use std::collections::BTreeSet;

use charter_domain::{Actor, MemberId, UnitId, UnitKind, UnitTree};
use charter_model::{MeetingId, RequisitionId};
use charter_rules::{Constitution, Context, Forum, Key, Right};
use charter_store::{EventActor, MeetingRecord, MotionRecord, RequisitionRecord, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

pub use overdue::REMIND_EVERY;

use crate::constitution::member_facts;
use crate::meetings::{MAX_AGENDA, MAX_TITLE, too_long};
use crate::{App, AppError, event_actor};

/// The meeting a matter names (`special-conference-2017` names `special-conference`) when
/// the constitution lets branches require it by their motions.
fn meeting_branches_may_require(c: &Constitution, matter: &str) -> Option<Key> {
    let mut prefix = String::new();
    for word in matter.split('-') {
        if !prefix.is_empty() {
            prefix.push('-');
        }
        prefix.push_str(word);
        if let Ok(k) = Key::parse(&prefix)
            && c.requisition_for(&k)
                .is_some_and(|(_, r)| r.branches.is_some())
        {
            return Some(k);
        }
    }
    None
}

/// Where a requisition stands, as every member sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequisitionState {
    /// Still short of the constitution's threshold.
    Collecting,
    /// Reached: the officers must call the meeting by `call_by`.
    Reached,
    /// Reached, and `call_by` has passed with no meeting called.
    Overdue,
    /// The meeting has been called.
    Answered,
}

impl RequisitionState {
    /// Where `r` stands on `today`: overdue from the day after its call-by date.
    pub fn of(r: &RequisitionRecord, today: NaiveDate) -> Self {
        match (r.reached_at, r.meeting, r.call_by) {
            (_, Some(_), _) => RequisitionState::Answered,
            (Some(_), None, Some(by)) if today > by => RequisitionState::Overdue,
            (Some(_), None, _) => RequisitionState::Reached,
            (None, _, _) => RequisitionState::Collecting,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RequisitionState::Collecting => "collecting",
            RequisitionState::Reached => "reached",
            RequisitionState::Overdue => "overdue",
            RequisitionState::Answered => "answered",
        }
    }
}

#[derive(Debug, Clone)]
pub struct RequisitionView {
    pub record: charter_store::RequisitionRecord,
    pub state: RequisitionState,
    /// The constitution's threshold in words with the counts, citing its clause.
    pub threshold: String,
    pub branches_supporting: u32,
    pub signed: bool,
}

/// Days the officers have to call a requisitioned meeting when the constitution sets no
/// `call-requisitioned-meeting` deadline.
pub const DEFAULT_CALL_DAYS: u64 = 28;

impl App {
    /// The context whose attendees may sign a requisition for `kind`.
    fn requisition_context(kind: &Key) -> Option<Context> {
        match kind.as_str() {
            "special-conference" | "annual-conference" => Some(Context::Conference),
            _ => None,
        }
    }

    async fn may_sign(&self, actor: &Actor, kind: &Key) -> Result<(), AppError> {
        let today = self.today();
        let (_, c) = self.constitution_in_force(today).await?;
        let context = Self::requisition_context(kind).ok_or_else(|| {
            AppError::invalid("kind", "members may requisition a special conference")
        })?;
        let facts = self
            .store
            .member_facts_of(actor.member, today, None)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let d = c.decide(
            &member_facts(facts),
            Right::Attend,
            &Forum::national(context),
            today,
        );
        if d.allowed {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "only members entitled to attend may require it: {}",
                d.reason
            )))
        }
    }

    /// Opens a requisition (signed by its opener) for a meeting the constitution lets members
    /// require.
    pub async fn open_requisition(
        &self,
        actor: &Actor,
        kind: &str,
        title: &str,
        purpose: &str,
        matter: Option<&str>,
    ) -> Result<RequisitionId, AppError> {
        let mut errs = charter_domain::FieldErrors::default();
        let title = title.trim();
        if title.is_empty() {
            errs.add("title", "say what the meeting is required for");
        } else if too_long(title, MAX_TITLE) {
            errs.add("title", "title is longer than 200 characters");
        }
        if too_long(purpose, MAX_AGENDA) {
            errs.add("purpose", "the purpose is longer than 20,000 characters");
        }
        let (_, c) = self.constitution_in_force(self.today()).await?;
        let key = match Key::parse(kind) {
            Ok(k) if c.requisition_for(&k).is_some() => Some(k),
            _ => {
                errs.add(
                    "kind",
                    "the constitution lets members require a special-conference; no other kind",
                );
                None
            }
        };
        let matter = match matter.map(str::trim).filter(|m| !m.is_empty()) {
            None => None,
            Some(m) => match Key::parse(m) {
                Ok(k) => Some(k.as_str().to_string()),
                Err(_) => {
                    errs.add(
                        "matter",
                        "name the matter in lower-case words joined by hyphens, e.g. special-conference-2017",
                    );
                    None
                }
            },
        };
        let Some(key) = key else {
            return Err(AppError::Invalid(errs));
        };
        if !errs.is_empty() {
            return Err(AppError::Invalid(errs));
        }
        self.may_sign(actor, &key).await?;
        let event = self.event(
            event_actor(actor, None),
            "requisition.opened",
            "requisition".into(),
            json!({ "kind": key.as_str(), "title": title, "matter": matter }),
            title,
        );
        let id = self
            .store
            .open_requisition(
                &charter_store::NewRequisition {
                    kind: key.as_str().to_string(),
                    title: title.to_string(),
                    purpose: purpose.trim().to_string(),
                    matter,
                    opened_by: Some(actor.member),
                },
                &event,
            )
            .await?;
        self.refresh_requisition(id).await?;
        Ok(id)
    }

    pub async fn sign_requisition(&self, actor: &Actor, id: RequisitionId) -> Result<(), AppError> {
        let r = self
            .store
            .requisition(id)
            .await?
            .ok_or(AppError::NotFound("requisition"))?;
        let kind = Key::parse(&r.kind).map_err(|e| AppError::Internal(e.to_string()))?;
        self.may_sign(actor, &kind).await?;
        let event = self.event(
            event_actor(actor, None),
            "requisition.signed",
            format!("requisition:{id}"),
            json!({ "requisition": id }),
            &r.title,
        );
        self.store
            .sign_requisition(id, actor.member, &event)
            .await?;
        self.refresh_requisition(id).await?;
        Ok(())
    }

    /// Counts and the threshold for one requisition; marks it reached the first time it is.
    async fn requisition_status(
        &self,
        r: &charter_store::RequisitionRecord,
    ) -> Result<(String, u32, Option<(String, NaiveDate)>), AppError> {
        let today = self.today();
        let (_, c) = self.constitution_in_force(today).await?;
        let kind = Key::parse(&r.kind).map_err(|e| AppError::Internal(e.to_string()))?;
        // The per-branch status counts the unit pages use; reading every member's facts just
        // to count the active ones would cost seconds on a large register at every signature.
        let members: u64 = self
            .store
            .branch_stats(today)
            .await?
            .iter()
            .map(|b| b.active)
            .sum();
        // Branches count by their meetings' motions, not a region's or conference's: those
        // calling for the meeting, and those supporting the requisition's matter, once each.
        let tree = self.tree().await?;
        let mut branches = self.branches_calling_for(r, &tree).await?;
        if let Some(m) = &r.matter {
            branches.extend(
                self.store
                    .published_motions(Some(m))
                    .await?
                    .iter()
                    .filter(|p| p.motion.position.as_deref() == Some("support"))
                    .filter_map(|p| p.unit)
                    .filter(|u| tree.kind(*u) == Some(UnitKind::Branch)),
            );
        }
        let branches = u32::try_from(branches.len()).unwrap_or(u32::MAX);
        let signed = u32::try_from(r.signatures).unwrap_or(u32::MAX);
        let members = u32::try_from(members).unwrap_or(u32::MAX);
        Ok(
            match charter_rules::check_requisition(&c, &kind, signed, members, branches) {
                Ok(check) => {
                    let clause = check
                        .clause
                        .map(|c| c.as_str().to_string())
                        .unwrap_or_default();
                    let days = Key::parse("call-requisitioned-meeting")
                        .ok()
                        .and_then(|k| c.deadline(&k, today))
                        .map(|(_, d)| d)
                        .unwrap_or(today + chrono::Days::new(DEFAULT_CALL_DAYS));
                    (
                        format!("clause {clause}: {}", check.finding),
                        branches,
                        Some((clause, days)),
                    )
                }
                Err(f) => (f.to_string(), branches, None),
            },
        )
    }

    async fn refresh_requisition(&self, id: RequisitionId) -> Result<(), AppError> {
        let Some(r) = self.store.requisition(id).await? else {
            return Ok(());
        };
        if r.reached_at.is_some() {
            return Ok(());
        }
        if let (threshold, _, Some((clause, call_by))) = self.requisition_status(&r).await? {
            let event = self.event(
                charter_store::EventActor {
                    member: None,
                    office: Some("the constitution".into()),
                },
                "requisition.reached",
                format!("requisition:{id}"),
                json!({ "requisition": id, "call_by": call_by }),
                &format!("{threshold}; the meeting must be called by {call_by}"),
            );
            self.store
                .requisition_reached(id, &clause, call_by, &event)
                .await?;
        }
        Ok(())
    }

    /// One requisition with where it stands; `signed` says whether `reader` signed it.
    async fn requisition_view(
        &self,
        r: RequisitionRecord,
        reader: Option<MemberId>,
    ) -> Result<RequisitionView, AppError> {
        let (threshold, branches_supporting, _) = self.requisition_status(&r).await?;
        let state = RequisitionState::of(&r, self.today());
        let signed = match reader {
            Some(m) => self.store.has_signed(r.id, m).await?,
            None => false,
        };
        Ok(RequisitionView {
            record: r,
            state,
            threshold,
            branches_supporting,
            signed,
        })
    }

    /// Every requisition with where it stands, for every member to see.
    pub async fn requisitions(&self, actor: &Actor) -> Result<Vec<RequisitionView>, AppError> {
        let mut out = Vec::new();
        for r in self.store.requisitions().await? {
            out.push(self.requisition_view(r, Some(actor.member)).await?);
        }
        Ok(out)
    }

    /// Requisitions whose meeting has not been called — collecting, reached or overdue —
    /// for the national page.
    pub async fn requisitions_standing(&self) -> Result<Vec<RequisitionView>, AppError> {
        let mut out = Vec::new();
        for r in self.store.requisitions().await? {
            if r.meeting.is_none() {
                out.push(self.requisition_view(r, None).await?);
            }
        }
        Ok(out)
    }

    /// Requisitions a national matter's motions bear on: those opened on the matter, and
    /// those its branches' published motions calling for a meeting count towards.
    pub async fn requisitions_on_matter(
        &self,
        matter: &str,
    ) -> Result<Vec<RequisitionView>, AppError> {
        let key = Key::parse(matter).map_err(|e| AppError::invalid("matter", e))?;
        let tree = self.tree().await?;
        let all = self.store.requisitions().await?;
        let mut ids: BTreeSet<RequisitionId> = all
            .iter()
            .filter(|r| r.matter.as_deref() == Some(key.as_str()))
            .map(|r| r.id)
            .collect();
        let motions = self.store.published_motions(Some(key.as_str())).await?;
        let mut kinds: Vec<&str> = motions
            .iter()
            .filter(|p| is_branch(&tree, p.unit))
            .filter_map(|p| p.motion.requires.as_deref())
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        for kind in kinds {
            let of_kind = self.of_kind(&all, kind).await?;
            ids.extend(
                motions
                    .iter()
                    .filter(|p| p.motion.requires.as_deref() == Some(kind))
                    .filter(|p| is_branch(&tree, p.unit))
                    .filter_map(|p| counted_by(&of_kind, adopted_at(&p.motion))),
            );
        }
        let mut out = Vec::new();
        for r in all.into_iter().filter(|r| ids.contains(&r.id)) {
            out.push(self.requisition_view(r, None).await?);
        }
        Ok(out)
    }

    /// Links the meeting an officer called in answer to a reached requisition.
    pub async fn answer_requisition(
        &self,
        actor: &Actor,
        id: RequisitionId,
        meeting: MeetingId,
    ) -> Result<(), AppError> {
        let m = self.meeting_record(meeting).await?;
        let r = self
            .store
            .requisition(id)
            .await?
            .ok_or(AppError::NotFound("requisition"))?;
        if m.kind != r.kind {
            return Err(AppError::invalid(
                "meeting",
                format!("the requisition asks for a {}, not a {}", r.kind, m.kind),
            ));
        }
        let office = self
            .officer_running(
                actor,
                m.unit,
                "only the officers who call this meeting may answer it",
            )
            .await?;
        let event = self.event(
            event_actor(actor, Some(&office)),
            "requisition.answered",
            format!("requisition:{id}"),
            json!({ "requisition": id, "meeting": meeting }),
            &r.title,
        );
        Ok(self.store.answer_requisition(id, meeting, &event).await?)
    }

    /// A branch's published motion on a matter counts towards the open requisition on that
    /// matter. A matter named after a meeting the constitution lets branches require
    /// (`special-conference`, `special-conference-2017`) opens that requisition, in the
    /// constitution's name, at the first branch motion supporting it; it reaches its
    /// threshold by itself when enough branches have.
    pub(crate) async fn requisition_by_branches(
        &self,
        motion: &MotionRecord,
        m: &MeetingRecord,
        matter: &str,
    ) -> Result<(), AppError> {
        let open = |all: Vec<charter_store::RequisitionRecord>| -> Vec<_> {
            all.into_iter()
                .filter(|r| r.matter.as_deref() == Some(matter) && r.meeting.is_none())
                .collect()
        };
        let mut pending = open(self.store.requisitions().await?);
        let by_branch = match m.unit {
            Some(u) => self.tree().await?.kind(u) == Some(UnitKind::Branch),
            None => false,
        };
        if pending.is_empty() && by_branch && motion.position.as_deref() == Some("support") {
            let (_, c) = self.constitution_in_force(self.today()).await?;
            if let Some(kind) = meeting_branches_may_require(&c, matter) {
                self.open_for_branches(&kind, motion, Some(matter)).await?;
                pending = open(self.store.requisitions().await?);
            }
        }
        for r in pending {
            if r.reached_at.is_none() {
                self.refresh_requisition(r.id).await?;
            }
        }
        Ok(())
    }

    /// A branch's published motion calling for a meeting counts towards the requisition for
    /// that kind of meeting (see [`counted_by`]). When there is none for it to count towards,
    /// it opens one in the constitution's name, whatever the motion's matter or position;
    /// the requisition reaches its threshold by itself when enough branches have.
    pub(crate) async fn requisition_called_for(
        &self,
        motion: &MotionRecord,
        m: &MeetingRecord,
        kind: &str,
    ) -> Result<(), AppError> {
        let tree = self.tree().await?;
        if !is_branch(&tree, m.unit) {
            return Ok(());
        }
        let (_, c) = self.constitution_in_force(self.today()).await?;
        let Ok(key) = Key::parse(kind) else {
            return Ok(());
        };
        let all = self.store.requisitions().await?;
        let of_kind = self.of_kind(&all, kind).await?;
        let by_branches = c
            .requisition_for(&key)
            .is_some_and(|(_, r)| r.branches.is_some());
        if by_branches && counted_by(&of_kind, adopted_at(motion)).is_none() {
            self.open_for_branches(&key, motion, None).await?;
        }
        for r in self.store.requisitions().await? {
            if r.kind == kind && r.meeting.is_none() && r.reached_at.is_none() {
                self.refresh_requisition(r.id).await?;
            }
        }
        Ok(())
    }

    /// Opens a requisition of `kind` in the constitution's name at a branch's `motion`, on
    /// `matter` when it came by one. When another branch's motion opened it a moment ago (one
    /// open per matter, and one per kind opened by motions), the motion counts towards that.
    async fn open_for_branches(
        &self,
        kind: &Key,
        motion: &MotionRecord,
        matter: Option<&str>,
    ) -> Result<(), AppError> {
        let title = format!("Branches require a {}: {}", kind.words(), motion.title);
        let title: String = title.chars().take(MAX_TITLE).collect();
        let event = self.event(
            EventActor {
                member: None,
                office: Some("the constitution".into()),
            },
            "requisition.opened",
            "requisition".into(),
            json!({ "kind": kind.as_str(), "title": title, "matter": matter, "motion": motion.id }),
            &title,
        );
        let opened = self
            .store
            .open_requisition(
                &charter_store::NewRequisition {
                    kind: kind.as_str().to_string(),
                    title,
                    purpose: motion.text.clone(),
                    matter: matter.map(str::to_string),
                    opened_by: None,
                },
                &event,
            )
            .await;
        match opened {
            Ok(_) | Err(StoreError::Conflict { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The meetings a motion of meeting `id` may call for: those the constitution in force
    /// lets branches require, when it is a branch's meeting; none otherwise. Each as its key
    /// and in words.
    pub async fn meetings_motions_may_require(
        &self,
        id: MeetingId,
    ) -> Result<Vec<(String, String)>, AppError> {
        let m = self.meeting_record(id).await?;
        let tree = self.tree().await?;
        if !is_branch(&tree, m.unit) {
            return Ok(Vec::new());
        }
        let (_, c) = match self.constitution_in_force(self.today()).await {
            Ok(v) => v,
            Err(AppError::NotFound(_)) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(c.clauses()
            .iter()
            .flat_map(|cl| cl.requisitions.iter())
            .filter(|r| r.branches.is_some())
            .map(|r| (r.meeting.to_string(), r.meeting.words()))
            .collect())
    }

    /// Requisitions of `kind`, oldest first, each with when the meeting answering it was
    /// called (`None` while unanswered).
    async fn of_kind(
        &self,
        all: &[RequisitionRecord],
        kind: &str,
    ) -> Result<Vec<(RequisitionId, Option<DateTime<Utc>>)>, AppError> {
        let mut out = Vec::new();
        for r in all.iter().filter(|r| r.kind == kind) {
            let answered = match r.meeting {
                Some(id) => Some(self.meeting_record(id).await?.called_at),
                None => None,
            };
            out.push((r.id, answered));
        }
        out.sort_by_key(|(id, _)| *id);
        Ok(out)
    }

    /// Branches whose published motions calling for a meeting of `r`'s kind count towards
    /// `r`.
    async fn branches_calling_for(
        &self,
        r: &RequisitionRecord,
        tree: &UnitTree,
    ) -> Result<BTreeSet<UnitId>, AppError> {
        let motions = self.store.published_motions_requiring(&r.kind).await?;
        if motions.is_empty() {
            return Ok(BTreeSet::new());
        }
        let of_kind = self
            .of_kind(&self.store.requisitions().await?, &r.kind)
            .await?;
        Ok(motions
            .iter()
            .filter(|p| is_branch(tree, p.unit))
            .filter(|p| counted_by(&of_kind, adopted_at(&p.motion)) == Some(r.id))
            .filter_map(|p| p.unit)
            .collect())
    }
}

/// The requisition a branch motion calling for a meeting, adopted at `adopted`, counts
/// towards: the first of its kind (`of_kind`, oldest first) not answered by a meeting called
/// before the motion was adopted. So a motion counts once, and a meeting called spends the
/// motions that led to it: a later requisition for another starts afresh.
fn counted_by(
    of_kind: &[(RequisitionId, Option<DateTime<Utc>>)],
    adopted: DateTime<Utc>,
) -> Option<RequisitionId> {
    of_kind
        .iter()
        .find(|(_, answered)| answered.is_none_or(|at| at > adopted))
        .map(|(id, _)| *id)
}

fn adopted_at(m: &MotionRecord) -> DateTime<Utc> {
    m.decided_at.unwrap_or(m.proposed_at)
}

fn is_branch(tree: &UnitTree, unit: Option<UnitId>) -> bool {
    unit.is_some_and(|u| tree.kind(u) == Some(UnitKind::Branch))
}

/// The meeting `requires` names, when the constitution in force `c` lets branches require it
/// by their motions and the motion is put to a branch's meeting (`by_branch`); else why not,
/// naming the clause.
pub(crate) fn branches_may_require(
    c: &Constitution,
    requires: &str,
    by_branch: bool,
) -> Result<Key, String> {
    let key = Key::parse(requires).map_err(|_| {
        "name the meeting in lower-case words joined by hyphens, e.g. special-conference"
            .to_string()
    })?;
    match c.requisition_for(&key) {
        None => {
            let may: Vec<String> = c
                .clauses()
                .iter()
                .flat_map(|cl| cl.requisitions.iter())
                .filter(|r| r.branches.is_some())
                .map(|r| format!("a {}", r.meeting))
                .collect();
            Err(if may.is_empty() {
                format!(
                    "no clause of the constitution in force lets branches require {}, or any meeting",
                    a(&key)
                )
            } else {
                format!(
                    "no clause of the constitution in force lets branches require {}; a motion may call for {}",
                    a(&key),
                    may.join(" or ")
                )
            })
        }
        Some((clause, r)) if r.branches.is_none() => Err(format!(
            "clause {clause} lets members require {} by signing, not branches by motions",
            a(&key)
        )),
        Some((clause, _)) if !by_branch => Err(format!(
            "clause {clause}: branches require {} by motions of their own meetings, and this is not a branch's meeting",
            a(&key)
        )),
        Some(_) => Ok(key),
    }
}

/// "a special conference", "an annual conference".
fn a(kind: &Key) -> String {
    let words = kind.words();
    let article = if words.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {words}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2017, 9, day, 12, 0, 0).unwrap()
    }

    #[test]
    fn a_motion_counts_towards_the_first_requisition_not_answered_before_it() {
        // Requisition 1 was answered by a meeting called on the 10th; 2 is open.
        let (first, second) = (RequisitionId(1), RequisitionId(2));
        let of_kind = [(first, Some(at(10))), (second, None)];
        assert_eq!(
            counted_by(&of_kind, at(5)),
            Some(first),
            "adopted before the call"
        );
        assert_eq!(
            counted_by(&of_kind, at(10)),
            Some(second),
            "spent by the call"
        );
        assert_eq!(counted_by(&of_kind, at(20)), Some(second));
        assert_eq!(
            counted_by(&[(RequisitionId(1), Some(at(10)))], at(20)),
            None,
            "opens one"
        );
        assert_eq!(counted_by(&[], at(20)), None);
    }

    #[test]
    fn meetings_take_their_article() {
        let key = |k| Key::parse(k).unwrap();
        assert_eq!(a(&key("special-conference")), "a special conference");
        assert_eq!(a(&key("annual-conference")), "an annual conference");
    }
}
