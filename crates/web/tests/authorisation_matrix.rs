//! The authorisation matrix, generated rather than listed: a role for every office kind at
//! national, region and branch level, a seat on every body the constitution in force
//! establishes, and a plain member; officers who are suspended or expelled, and sessions that
//! were opened before such a change. Each role tries every action on every unit — over the
//! JSON API and through the pages — and the answer must be what the office's powers, its
//! unit and the holder's standing say: allowed (the request reaches validation and is
//! refused only for its deliberately bad field, or is answered) or forbidden.

mod common;

use charter_domain::{
    DuesPlan, Email, MemberId, MemberStatus, NewMember, OfficeKind, PersonName, Postcode, Power,
    UnitId, UnitKind, UnitTree,
};
use charter_store::{EventActor, MemberQuery, MemberScope, MemberSort, NewEvent, Term};
use common::{TestApp, TestClient, now, today};
use http::StatusCode;
use serde_json::json;

fn setup_event(kind: &str) -> NewEvent {
    NewEvent {
        at: now(),
        actor: EventActor {
            member: None,
            office: Some("test: the organisation's record".into()),
        },
        kind: kind.into(),
        subject: "test".into(),
        payload: "{}".into(),
        reason: "authorisation matrix".into(),
    }
}

/// A new active member of `branch`, for a role.
async fn new_member(app: &TestApp, branch: UnitId, n: usize) -> MemberId {
    app.store()
        .add_member(
            &NewMember {
                first_name: PersonName::parse("first_name", "Role").unwrap(),
                last_name: PersonName::parse("last_name", &format!("Holder{n}")).unwrap(),
                email: Email::parse(&format!("role{n}@example.org")).unwrap(),
                phone: None,
                postcode: Postcode::parse("SE1 7PB").unwrap(),
                branch,
                joined_on: today() - chrono::Days::new(400),
                status: MemberStatus::Active,
                dues_plan: DuesPlan::Annual,
            },
            None,
            &setup_event("member.added"),
        )
        .await
        .unwrap()
}

/// Makes `member` the holder of the office of `kind` at `unit` (the record brought in).
async fn hold(app: &TestApp, member: MemberId, kind: OfficeKind, unit: UnitId) {
    let store = app.store();
    let office = match store
        .offices(Some(unit), today())
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.kind == kind && o.unit == unit)
    {
        Some(o) => o.id,
        None => store
            .create_office(unit, kind, &setup_event("office.created"))
            .await
            .unwrap(),
    };
    store
        .appoint(
            office,
            member,
            Term {
                starts_on: today() - chrono::Days::new(30),
                ends_on: None,
            },
            &setup_event("office.appointed"),
        )
        .await
        .unwrap();
}

struct Role {
    name: String,
    member: MemberId,
    /// The office and the unit it is scoped to, if any.
    office: Option<(OfficeKind, UnitId)>,
    /// Whether the holder is in good standing (active): only then do offices carry power.
    standing: bool,
    client: TestClient,
}

impl Role {
    /// Whether the role's office gives `power` at all (while in good standing).
    fn has(&self, power: Power) -> bool {
        self.standing
            && self
                .office
                .is_some_and(|(kind, _)| kind.powers().contains(&power))
    }

    fn may(&self, power: Power, target: UnitId, tree: &UnitTree, national: UnitId) -> bool {
        let Some((kind, unit)) = self.office else {
            return false;
        };
        if !self.standing || !kind.powers().contains(&power) {
            return false;
        }
        // Changing the structure is honoured only over the national unit.
        if power == Power::ManageStructure {
            return unit == national;
        }
        tree.is_within(target, unit)
    }
}

/// One active member of `branch` who holds no role here, read without logging.
async fn target_in(app: &TestApp, branch: UnitId, roles: &[MemberId]) -> Option<MemberId> {
    let page = app
        .store()
        .search_members(
            &MemberQuery {
                scope: MemberScope::All,
                text: None,
                branch: Some(branch),
                status: Some(MemberStatus::Active),
                paid_up: None,
                sort: MemberSort::Name,
                page: 1,
                per_page: 50,
            },
            None,
        )
        .await
        .unwrap();
    page.items
        .into_iter()
        .map(|m| m.id)
        .find(|id| !roles.contains(id))
}

fn expect(allowed: bool, when_allowed: StatusCode) -> StatusCode {
    if allowed {
        when_allowed
    } else {
        StatusCode::FORBIDDEN
    }
}

both_backends!(
    every_role_may_do_exactly_what_its_office_gives_on_every_unit,
    |app| async move {
        let store = app.store();
        let units: Vec<_> = store
            .units()
            .await
            .unwrap()
            .into_iter()
            .filter(|u| u.is_open())
            .collect();
        let tree = app.app().tree().await.unwrap();
        let national = units
            .iter()
            .find(|u| u.kind == UnitKind::National)
            .unwrap()
            .id;
        let branches: Vec<UnitId> = units
            .iter()
            .filter(|u| u.kind == UnitKind::Branch)
            .map(|u| u.id)
            .collect();
        // Roles sit in the first region and its first branch; targets are everywhere.
        let region = units
            .iter()
            .find(|u| {
                u.kind == UnitKind::Region && branches.iter().any(|b| tree.is_within(*b, u.id))
            })
            .unwrap()
            .id;
        let home = *branches
            .iter()
            .find(|b| tree.is_within(**b, region))
            .unwrap();
        let others: Vec<UnitId> = branches
            .iter()
            .copied()
            .filter(|b| *b != home && tree.is_within(*b, region))
            .collect();

        let mut roles: Vec<Role> = Vec::new();
        let mut role_members: Vec<MemberId> = Vec::new();
        let mut n = 0;
        for kind in OfficeKind::ALL {
            for (level, unit) in [("national", national), ("region", region), ("branch", home)] {
                n += 1;
                let m = new_member(&app, home, n).await;
                hold(&app, m, kind, unit).await;
                role_members.push(m);
                roles.push(Role {
                    member: m,
                    name: format!("{} ({level})", kind.as_str()),
                    office: Some((kind, unit)),
                    standing: true,
                    client: app.sign_in_member(m).await,
                });
            }
        }
        // A seat on every national body the constitution in force establishes: a seat is a
        // vote in the body's meetings, not a power over the register.
        let (_, c) = app.app().constitution_in_force(today()).await.unwrap();
        let bodies = store.bodies(Some(national), today()).await.unwrap();
        // A body established from the constitution carries its key as its kind; older ones
        // are known by their name.
        let slug = |s: &str| s.trim().to_lowercase().replace(' ', "-");
        for body in bodies.iter().filter(|b| {
            b.seats > 0
                && [b.kind.clone(), slug(&b.name)]
                    .iter()
                    .any(|k| charter_rules::Key::parse(k).is_ok_and(|k| c.body(&k).is_some()))
        }) {
            // One of its seat holders who holds no office; a new member in a vacant seat
            // when there is none.
            let mut holder = None;
            for h in &body.holders {
                if store
                    .offices_held(h.member, today())
                    .await
                    .unwrap()
                    .is_empty()
                    && !role_members.contains(&h.member)
                {
                    holder = Some(h.member);
                    break;
                }
            }
            let m = match holder {
                Some(m) => m,
                None if body.holders.len() < body.seats as usize => {
                    n += 1;
                    let m = new_member(&app, home, n).await;
                    store
                        .fill_seat(
                            body.id,
                            m,
                            Term {
                                starts_on: today() - chrono::Days::new(30),
                                ends_on: None,
                            },
                            "elected",
                            &setup_event("seat.filled"),
                        )
                        .await
                        .unwrap();
                    m
                }
                None => continue,
            };
            role_members.push(m);
            roles.push(Role {
                member: m,
                name: format!("seat on the {}", body.name),
                office: None,
                standing: true,
                client: app.sign_in_member(m).await,
            });
        }
        assert!(
            roles.iter().any(|r| r.name.starts_with("seat on")),
            "the constitution establishes bodies with seats"
        );
        n += 1;
        let plain = new_member(&app, home, n).await;
        role_members.push(plain);
        roles.push(Role {
            member: plain,
            name: "member".into(),
            office: None,
            standing: true,
            client: app.sign_in_member(plain).await,
        });

        // Officers whose standing changes: each signs in while active, the session reaches
        // what the office gives, the status changes by a body's decision, and that very
        // session ends; signed in again, the office carries nothing.
        let target_elsewhere = target_in(&app, others[0], &role_members).await.unwrap();
        for (i, status) in [MemberStatus::Suspended, MemberStatus::Expelled]
            .into_iter()
            .enumerate()
        {
            n += 1;
            let m = new_member(&app, others[i + 1], n).await;
            hold(&app, m, OfficeKind::Secretary, region).await;
            role_members.push(m);
            let before = app.sign_in_member(m).await;
            let path = format!("/api/v1/members/{}", target_elsewhere.0);
            assert_eq!(before.get(&path).await.status, StatusCode::OK);
            app.decided_status(m, status).await;
            assert_eq!(
                before.get(&path).await.status,
                StatusCode::UNAUTHORIZED,
                "a session opened before the member was {status} outlived it"
            );
            assert_eq!(
                before
                    .get(&format!("/members/{}", target_elsewhere.0))
                    .await
                    .status,
                StatusCode::SEE_OTHER,
                "the page sends a session that ended back to sign in"
            );
            roles.push(Role {
                member: m,
                name: format!("secretary (region), {status}"),
                office: Some((OfficeKind::Secretary, region)),
                standing: false,
                client: app.sign_in_member(m).await,
            });
        }

        let mut tried = 0;
        let mut failures = Vec::new();
        let mut check = |role: &Role, what: &str, got: StatusCode, want: StatusCode| {
            tried += 1;
            if got != want {
                failures.push(format!("{}: {what}: got {got}, want {want}", role.name));
            }
        };
        // Every branch over the API's reads and the structure; the pages and the writes on a
        // branch of the roles' own, a sibling in their region and one in another region.
        let elsewhere = branches
            .iter()
            .copied()
            .find(|b| !tree.is_within(*b, region))
            .unwrap();
        let thorough_on = [home, others[0], elsewhere];
        for branch in &branches {
            let Some(target) = target_in(&app, *branch, &role_members).await else {
                continue;
            };
            let t = target.0;
            let thorough = thorough_on.contains(branch);
            for role in &roles {
                let c = &role.client;
                let csrf = c.csrf_token().unwrap_or_default();
                let may = |p: Power| role.may(p, *branch, &tree, national);

                let view = may(Power::ViewMembers);
                check(
                    role,
                    &format!("API read member {t}"),
                    c.get(&format!("/api/v1/members/{t}")).await.status,
                    expect(view, StatusCode::OK),
                );
                if thorough {
                    check(
                        role,
                        &format!("page member {t}"),
                        c.get(&format!("/members/{t}")).await.status,
                        expect(view, StatusCode::OK),
                    );
                }
                // The directory: an officer who sees members sees those of the branches in
                // reach and is refused the others; anyone else in good standing sees only
                // their own line, whatever branch they ask for.
                let listed = c.get(&format!("/api/v1/members?branch={}", branch.0)).await;

                let sees_members = role.has(Power::ViewMembers) || !role.standing;
                let want = if sees_members {
                    expect(view, StatusCode::OK)
                } else {
                    StatusCode::OK
                };
                check(
                    role,
                    &format!("API list branch {}", branch.0),
                    listed.status,
                    want,
                );
                if thorough {
                    let page = c.get(&format!("/members?branch={}", branch.0)).await;
                    check(
                        role,
                        &format!("page directory branch {}", branch.0),
                        page.status,
                        want,
                    );
                }
                if !sees_members {
                    let others = listed.json()["items"].as_array().map_or(0, |items| {
                        items
                            .iter()
                            .filter(|i| i["id"].as_i64() != Some(role.member.0))
                            .count()
                    });
                    check(
                        role,
                        &format!("API list branch {}: others listed", branch.0),
                        StatusCode::from_u16(200 + u16::try_from(others).unwrap_or(99)).unwrap(),
                        StatusCode::OK,
                    );
                }

                if thorough {
                    let edit = may(Power::EditMembers);
                    check(
                        role,
                        &format!("API edit {t}"),
                        c.patch_json(
                            &format!("/api/v1/members/{t}"),
                            &json!({"postcode": "not a postcode"}),
                        )
                        .await
                        .status,
                        expect(edit, StatusCode::UNPROCESSABLE_ENTITY),
                    );
                    check(
                        role,
                        &format!("page edit {t}"),
                        c.post_form(
                            &format!("/members/{t}/edit"),
                            &[("csrf", &csrf), ("postcode", "not a postcode")],
                        )
                        .await
                        .status,
                        expect(edit, StatusCode::UNPROCESSABLE_ENTITY),
                    );

                    let status = may(Power::ChangeStatus);
                    check(
                        role,
                        &format!("API status {t}"),
                        c.post_json(
                            &format!("/api/v1/members/{t}/status"),
                            &json!({"status": "banana", "reason": "matrix"}),
                        )
                        .await
                        .status,
                        expect(status, StatusCode::UNPROCESSABLE_ENTITY),
                    );
                    check(
                        role,
                        &format!("page status {t}"),
                        c.post_form(
                            &format!("/members/{t}/status"),
                            &[("csrf", &csrf), ("status", "banana"), ("reason", "matrix")],
                        )
                        .await
                        .status,
                        expect(status, StatusCode::UNPROCESSABLE_ENTITY),
                    );
                    // Nobody, whatever their office, expels alone.
                    check(
                        role,
                        &format!("API expel {t}"),
                        c.post_json(
                            &format!("/api/v1/members/{t}/status"),
                            &json!({"status": "expelled", "reason": "matrix"}),
                        )
                        .await
                        .status,
                        StatusCode::FORBIDDEN,
                    );

                    let dues = may(Power::RecordDues);
                    check(
                        role,
                        &format!("API dues {t}"),
                        c.post_json(
                            &format!("/api/v1/members/{t}/payments"),
                            &json!({"paid_on": "not a date", "amount": "5.00", "months": 1}),
                        )
                        .await
                        .status,
                        expect(dues, StatusCode::UNPROCESSABLE_ENTITY),
                    );
                    check(
                        role,
                        &format!("page dues {t}"),
                        c.post_form(
                            &format!("/members/{t}/payments"),
                            &[
                                ("csrf", &csrf),
                                ("paid_on", "not a date"),
                                ("amount", "5"),
                                ("months", "1"),
                            ],
                        )
                        .await
                        .status,
                        expect(dues, StatusCode::UNPROCESSABLE_ENTITY),
                    );
                }

                let structure = may(Power::ManageStructure);
                check(
                    role,
                    &format!("API rename unit {}", branch.0),
                    c.post_json(
                        &format!("/api/v1/units/{}/rename", branch.0),
                        &json!({"name": ""}),
                    )
                    .await
                    .status,
                    expect(structure, StatusCode::UNPROCESSABLE_ENTITY),
                );
                if !thorough {
                    continue;
                }
                check(
                    role,
                    &format!("page rename unit {}", branch.0),
                    c.post_form(
                        &format!("/units/{}/rename", branch.0),
                        &[("csrf", &csrf), ("name", "")],
                    )
                    .await
                    .status,
                    expect(structure, StatusCode::UNPROCESSABLE_ENTITY),
                );
            }
        }
        for unit in units.iter().filter(|u| u.kind != UnitKind::Branch) {
            for role in &roles {
                let want = role.may(Power::ManageStructure, unit.id, &tree, national);
                let got = role
                    .client
                    .post_json(
                        &format!("/api/v1/units/{}/rename", unit.id.0),
                        &json!({"name": ""}),
                    )
                    .await
                    .status;
                check(
                    role,
                    &format!("API rename unit {}", unit.id.0),
                    got,
                    expect(want, StatusCode::UNPROCESSABLE_ENTITY),
                );
            }
        }
        assert!(
            failures.is_empty(),
            "{} of {tried} answers were wrong:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert!(tried > 500, "the matrix tried only {tried} requests");
    }
);
