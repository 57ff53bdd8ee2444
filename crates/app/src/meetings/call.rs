//! Calling a meeting: its roll, its notice to each invitee and the constitution it is called under.

use super::*;
use charter_domain::MeetingMode;

impl App {
    /// Calls a meeting and queues its notices. Calling on short notice is allowed — the
    /// meeting is then shown as not properly convened and its votes do not bind — and the
    /// caller is warned.
    pub async fn call_meeting(
        &self,
        actor: &Actor,
        req: &MeetingRequest,
    ) -> Result<Called, AppError> {
        let now = self.clock.now();
        let today = self.today();
        let (_, c) = self.constitution_in_force(today).await?;
        let tree = self.tree().await?;
        let mut errs = charter_domain::FieldErrors::default();
        let title = req.title.trim();
        if title.is_empty() {
            errs.add(
                "title",
                "give the meeting a title, e.g. 'Branch general meeting, March'",
            );
        } else if too_long(title, MAX_TITLE) {
            errs.add("title", "title is longer than 200 characters");
        }
        if too_long(&req.agenda, MAX_AGENDA) {
            errs.add("agenda", "the agenda is longer than 20,000 characters");
        }
        let body = Key::parse(&req.body)
            .map_err(|e| e.to_string())
            .and_then(|k| context_of(&k, &c).map(|ctx| (k, ctx)));
        let (body, context) = match body {
            Ok(b) => (Some(b.0), Some(b.1)),
            Err(e) => {
                errs.add("body", e);
                (None, None)
            }
        };
        let needs = match &context {
            Some(Context::BranchMeeting) => Some(UnitKind::Branch),
            Some(Context::RegionalMeeting) => Some(UnitKind::Region),
            _ => None,
        };
        match (needs, req.unit) {
            (Some(k), Some(u)) if tree.kind(u) == Some(k) => {}
            (Some(k), _) => errs.add(
                "unit",
                format!("choose the {} whose meeting this is", k.as_str()),
            ),
            (None, Some(_)) if context.is_some() => errs.add(
                "unit",
                "this body meets for the whole organisation; leave the unit empty",
            ),
            _ => {}
        }
        let kind = match Key::parse(&req.kind) {
            Ok(k) if c.notice_for(&k).is_some() => Some(k),
            Ok(_) | Err(_) => {
                let known: Vec<String> = [
                    "general-meeting",
                    "committee-meeting",
                    "special-conference",
                    "annual-conference",
                ]
                .iter()
                .filter(|k| Key::parse(k).is_ok_and(|k| c.notice_for(&k).is_some()))
                .map(|k| k.to_string())
                .collect();
                errs.add(
                    "kind",
                    format!(
                        "the constitution sets no notice for a '{}'; use one of {}",
                        req.kind.trim(),
                        known.join(", ")
                    ),
                );
                None
            }
        };
        let starts = match req.starts_at {
            None => {
                errs.add("starts_at", "give the date and time the meeting starts");
                None
            }
            Some(s) if s <= now => {
                errs.add("starts_at", "the meeting must start in the future");
                None
            }
            Some(s) => Some(s),
        };
        let ends = match (starts, req.ends_at) {
            (Some(s), None) => Some(s + Duration::hours(2)),
            (Some(s), Some(e)) if e <= s => {
                errs.add("ends_at", "the meeting must end after it starts");
                None
            }
            (_, e) => e,
        };
        let mode = req.mode.trim();
        let place = req
            .place
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let url = req
            .online_url
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let mode = MeetingMode::parse(mode);
        if mode.is_none() {
            errs.add("mode", "choose physical, online or hybrid");
        }
        if matches!(mode, Some(MeetingMode::Physical | MeetingMode::Hybrid)) && place.is_none() {
            errs.add("place", "say where the meeting is held");
        }
        if matches!(mode, Some(MeetingMode::Online | MeetingMode::Hybrid)) {
            match url {
                None => errs.add("online_url", "give the link to join online"),
                Some(u)
                    if !(u.starts_with("https://") || u.starts_with("http://"))
                        || u.contains(char::is_whitespace) =>
                {
                    errs.add(
                        "online_url",
                        "the link must be a web address starting https://",
                    )
                }
                Some(_) => {}
            }
        }
        let (Some(body), Some(context), Some(kind), Some(starts), Some(ends)) =
            (body, context, kind, starts, ends)
        else {
            return Err(AppError::Invalid(errs));
        };
        // A mode that does not read was added to `errs` above.
        let (true, Some(mode)) = (errs.is_empty(), mode) else {
            return Err(AppError::Invalid(errs));
        };
        let office = self
            .meeting_authority(actor, req.unit)
            .await?
            .ok_or_else(|| {
                AppError::Forbidden(
                    "you may not call this meeting: no office of yours gives that power over its unit".into(),
                )
            })?;
        let (notice_clause, notice) = c
            .notice_for(&kind)
            .map(|(cl, n)| (cl.as_str().to_string(), n.clear_days))
            .ok_or_else(|| AppError::Internal("notice rule vanished".into()))?;

        // The roll: who may attend, and of them who may vote, by the version in force today.
        let forum = Forum::new(context, req.unit);
        let spec = RollSpec {
            forum: forum.clone(),
            right: Right::Attend,
            cutoff: today,
        };
        let facts: Vec<_> = self
            .store
            .member_facts(today)
            .await?
            .into_iter()
            .map(member_facts)
            .filter(|f| spec.in_scope(f) && c.allows(f, Right::Attend, &forum, today))
            .collect();
        let ids: Vec<MemberId> = facts.iter().map(|f| f.member).collect();
        let contacts = self.store.member_contacts(&ids).await?;
        let votes: BTreeMap<MemberId, bool> = facts
            .iter()
            .map(|f| (f.member, c.allows(f, Right::Vote, &forum, today)))
            .collect();
        let invitees: Vec<NewInvitee> = contacts
            .into_iter()
            .map(|(m, _, email)| NewInvitee {
                member: m,
                may_vote: votes.get(&m).copied().unwrap_or(false),
                address: email,
            })
            .collect();
        let given = clear_days(today, day(starts));
        let short_notice = (given < i64::from(notice)).then(|| {
            format!(
                "clause {notice_clause}: a {} needs {notice} clear days' notice and this gives at most {}; it will not be properly convened and its votes will not bind",
                kind.words(),
                given.max(0)
            )
        });
        let meeting = NewMeeting {
            body: body.as_str().to_string(),
            unit: req.unit,
            kind: kind.as_str().to_string(),
            title: title.to_string(),
            starts_at: starts,
            ends_at: ends,
            mode,
            place: place.map(str::to_string),
            online_url: url.map(str::to_string),
            agenda: req.agenda.trim().to_string(),
            notice_clause: Some(notice_clause.clone()),
            notice_days: Some(notice),
            called_by: Some(actor.member),
            check_in_code: new_check_in_code(),
        };
        let text = NoticeText {
            subject: format!("Notice of meeting: {title}"),
            body: notice_body(&meeting),
        };
        let event = self.event(
            event_actor(actor, Some(&office)),
            "meeting.called",
            "meeting".into(),
            json!({
                "title": title,
                "body": meeting.body,
                "kind": meeting.kind,
                "unit": req.unit.map(|u| u.0),
                "starts_at": starts,
                "invited": invitees.len(),
                "notice_days": notice,
                "short_notice": short_notice.is_some(),
            }),
            title,
        );
        let invited = invitees.len();
        let id = self
            .store
            .call_meeting(&meeting, &invitees, &text, &event)
            .await?;
        Ok(Called {
            id,
            invited,
            short_notice,
        })
    }
}

pub(super) fn context_of(body: &Key, c: &Constitution) -> Result<Context, String> {
    match body.as_str() {
        "branch-meeting" => Ok(Context::BranchMeeting),
        "regional-meeting" => Ok(Context::RegionalMeeting),
        "conference" => Ok(Context::Conference),
        _ => match c.body(body) {
            Some((_, b)) if b.is_committee() => Ok(Context::Committee(body.clone())),
            Some(_) => Err(format!(
                "the {} does not meet as a committee, conference or general meeting",
                body.words()
            )),
            None => Err(format!(
                "the constitution in force ('{}') establishes no body '{body}'",
                c.version()
            )),
        },
    }
}

/// The notice's text: what, when, where, the agenda; the same for every invitee.
pub(super) fn notice_body(m: &NewMeeting) -> String {
    let mut s = format!(
        "You are invited to {}.\n\nWhen: {} to {} (UTC)\n",
        m.title,
        m.starts_at.format("%A %-d %B %Y, %H:%M"),
        m.ends_at.format("%H:%M")
    );
    if let Some(p) = &m.place {
        s.push_str(&format!("Where: {p}\n"));
    }
    if let Some(u) = &m.online_url {
        s.push_str(&format!("Online: {u}\n"));
    }
    if !m.agenda.is_empty() {
        s.push_str(&format!("\nAgenda:\n{}\n", m.agenda));
    }
    s.push_str(
        "\nSign in to Charter to see the meeting, whether you may vote, and the motions before it.\n",
    );
    s
}
