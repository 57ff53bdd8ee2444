//! The generator's promises: deterministic, valid, consistent histories, and the shape the
//! story needs.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use charter_demo::{DemoMember, DemoOptions, DemoOrg, generate};
use charter_domain::{
    DuesPlan, Email, MemberStatus, OfficeKind, PersonName, Phone, Postcode, UnitKind, paid_up_until,
};
use chrono::{Days, NaiveDate};

fn default_org() -> &'static (DemoOrg, Vec<DemoMember>) {
    static ORG: OnceLock<(DemoOrg, Vec<DemoMember>)> = OnceLock::new();
    ORG.get_or_init(|| {
        let org = generate(DemoOptions::default());
        let members = org.members(0..org.member_count()).collect();
        (org, members)
    })
}

fn today() -> NaiveDate {
    DemoOptions::default().today
}

#[test]
fn the_same_options_give_the_same_organisation() {
    let a = generate(DemoOptions::default());
    let b = generate(DemoOptions::default());
    assert_eq!(a, b);
    for i in (0..a.member_count()).step_by(97) {
        assert_eq!(a.member(i), b.member(i));
    }
    let (org, members) = default_org();
    assert_eq!(org, &a);
    assert_eq!(members[20_999], a.member(20_999));
}

#[test]
fn a_different_seed_gives_different_people() {
    let a = generate(DemoOptions::default());
    let b = generate(DemoOptions {
        seed: 7,
        ..DemoOptions::default()
    });
    let differing = (0..1000)
        .filter(|&i| a.member(i).email != b.member(i).email)
        .count();
    assert!(differing > 900, "only {differing} of 1000 differ");
    // The shape of the organisation does not depend on the seed.
    assert_eq!(a.units, b.units);
}

#[test]
fn a_member_is_the_same_whatever_the_size_or_batch() {
    let small = generate(DemoOptions {
        members: 1_000,
        ..DemoOptions::default()
    });
    let (big, members) = default_org();
    for i in [0, 5, 357, 358, 500, 999] {
        assert_eq!(small.member(i), big.member(i));
        assert_eq!(members[i as usize], big.member(i));
    }
    let batched: Vec<_> = small
        .batches(7)
        .into_iter()
        .flat_map(|r| small.members(r))
        .collect();
    let whole: Vec<_> = small.members(0..small.member_count()).collect();
    assert_eq!(batched, whole);
}

#[test]
fn batches_cover_every_member_once_in_order() {
    let (org, _) = default_org();
    let batches = org.batches(5_000);
    let mut next = 0;
    for b in &batches {
        assert_eq!(b.start, next);
        next = b.end;
    }
    assert_eq!(next, org.member_count());
    assert!(batches.iter().all(|b| b.len() <= 5_000));
}

#[test]
fn too_few_members_still_fill_every_office() {
    let org = generate(DemoOptions {
        members: 10,
        ..DemoOptions::default()
    });
    assert_eq!(org.member_count(), org.reserved_members());
    assert!(org.reserved_members() < 400);
}

#[test]
fn every_history_obeys_the_state_machine_and_ends_at_the_status() {
    let (_, members) = default_org();
    let three_years_ago = today() - Days::new(3 * 365);
    for m in members {
        let h = &m.history;
        assert!(!h.is_empty(), "member {} has no history", m.index);
        assert_eq!(h[0].from, None);
        assert_eq!(h[0].to, MemberStatus::Applicant);
        assert_eq!(h[0].on, m.joined_on);
        assert!(m.joined_on >= three_years_ago && m.joined_on <= today());
        for pair in h.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert_eq!(b.from, Some(a.to), "member {}: broken chain", m.index);
            assert!(
                a.to.transition(b.to).is_ok(),
                "member {}: {} -> {} not allowed",
                m.index,
                a.to,
                b.to
            );
            assert!(a.on < b.on, "member {}: dates out of order", m.index);
            assert!(!b.reason.is_empty());
        }
        assert_eq!(h.last().unwrap().to, m.status, "member {}", m.index);
        assert!(h.last().unwrap().on <= today());
    }
}

#[test]
fn every_value_parses_and_every_contact_is_clearly_fake() {
    let (org, members) = default_org();
    let mut emails = HashSet::new();
    for m in members {
        assert_eq!(Email::parse(m.email.as_str()).unwrap(), m.email);
        assert_eq!(Postcode::parse(m.postcode.as_str()).unwrap(), m.postcode);
        assert_eq!(
            PersonName::parse("first name", m.first_name.as_str()).unwrap(),
            m.first_name
        );
        assert_eq!(
            PersonName::parse("last name", m.last_name.as_str()).unwrap(),
            m.last_name
        );
        let domain = m.email.as_str().rsplit('@').next().unwrap();
        assert!(
            ["example.org", "example.com", "example.net"].contains(&domain),
            "{}",
            m.email
        );
        if let Some(p) = &m.phone {
            assert!(p.as_str().starts_with("07700900"), "{}", p.as_str());
            assert_eq!(Phone::parse(p.as_str()).unwrap(), *p);
        }
        // The postcode belongs to the branch's area, as a member's address would.
        let branch = &org.units[m.branch];
        assert_eq!(branch.kind, UnitKind::Branch);
        assert!(emails.insert(m.email.clone()), "duplicate {}", m.email);
    }
}

#[test]
fn payments_give_the_intended_paid_up_picture() {
    let (_, members) = default_org();
    let t = today();
    let (mut active, mut active_paid_up) = (0, 0);
    for m in members {
        let until = paid_up_until(&m.payments);
        let activated = m.history.iter().find(|c| c.to == MemberStatus::Active);
        for p in &m.payments {
            assert!(p.paid_on <= t, "member {}: payment in the future", m.index);
            assert!(p.paid_on >= activated.unwrap().on, "member {}", m.index);
            assert_eq!(p.months, m.dues_plan.months());
            let pence = p.amount.pence();
            match m.dues_plan {
                DuesPlan::Monthly => assert!(pence == 300 || pence == 100),
                DuesPlan::Annual => assert!(pence == 3000 || pence == 1000),
            }
        }
        match m.status {
            MemberStatus::Applicant => assert!(m.payments.is_empty()),
            MemberStatus::Active => {
                active += 1;
                let until = until.expect("an active member has paid");
                if until >= t {
                    active_paid_up += 1;
                } else {
                    // In arrears, but not yet three months: otherwise they would have lapsed.
                    assert!(until >= t - Days::new(85), "member {}", m.index);
                }
            }
            MemberStatus::Lapsed => {
                let until = until.expect("a lapsed member once paid");
                let lapsed = m.history.last().unwrap();
                assert_eq!(lapsed.on, until + Days::new(90), "member {}", m.index);
                assert_eq!(lapsed.reason, "dues unpaid for 3 months");
                assert!(until <= t - Days::new(90));
            }
            MemberStatus::Suspended | MemberStatus::Expelled | MemberStatus::Resigned => {
                if let Some(until) = until {
                    assert!(until < t, "member {} still covered", m.index);
                }
            }
        }
    }
    let share = active_paid_up as f64 / active as f64;
    assert!((0.84..0.93).contains(&share), "paid-up share {share}");
}

#[test]
fn proportions_are_roughly_as_specified() {
    let (org, members) = default_org();
    let n = members.len() as f64;
    assert_eq!(members.len(), 21_000);
    let share =
        |f: &dyn Fn(&DemoMember) -> bool| members.iter().filter(|m| f(m)).count() as f64 / n;
    for (status, want) in [
        (MemberStatus::Active, 0.70),
        (MemberStatus::Lapsed, 0.12),
        (MemberStatus::Suspended, 0.03),
        (MemberStatus::Expelled, 0.01),
        (MemberStatus::Resigned, 0.08),
        (MemberStatus::Applicant, 0.06),
    ] {
        let got = share(&|m| m.status == status);
        assert!((got - want).abs() < 0.02, "{status}: {got} vs {want}");
    }
    let annual = share(&|m| m.dues_plan == DuesPlan::Annual);
    assert!((0.18..0.28).contains(&annual), "annual {annual}");
    let affiliated = share(&|m| m.affiliation.is_some());
    assert!(
        (0.47..0.53).contains(&affiliated),
        "affiliated {affiliated}"
    );
    let verified = share(&|m| m.affiliation.as_ref().is_some_and(|a| a.verified.is_some()));
    assert!(
        verified > 0.15 && verified < affiliated - 0.1,
        "verified {verified}"
    );
    let moved = share(&|m| !m.moves.is_empty());
    assert!((0.02..0.04).contains(&moved), "moved {moved}");
    let phones = share(&|m| m.phone.is_some());
    assert!((0.35..0.45).contains(&phones), "phones {phones}");

    // Uneven branches: every one has members, the biggest many times the smallest.
    let mut per_branch: HashMap<usize, usize> = HashMap::new();
    for m in members {
        *per_branch.entry(m.branch).or_default() += 1;
    }
    let branches = org
        .units
        .iter()
        .filter(|u| u.kind == UnitKind::Branch)
        .count();
    assert_eq!(per_branch.len(), branches);
    let max = *per_branch.values().max().unwrap();
    let min = *per_branch.values().min().unwrap();
    assert!(max > 10 * min, "max {max} min {min}");
    assert!(max < 2_500, "max {max}");
    let southwark = org
        .units
        .iter()
        .position(|u| u.name == "Southwark")
        .unwrap();
    assert_eq!(
        max, per_branch[&southwark],
        "Southwark is the biggest branch"
    );
}

#[test]
fn the_structure_has_the_story_shape() {
    let (org, _) = default_org();
    let count = |k: UnitKind| org.units.iter().filter(|u| u.kind == k).count();
    assert_eq!(count(UnitKind::National), 1);
    assert_eq!(count(UnitKind::Region), 10);
    assert_eq!(count(UnitKind::Branch), 80);
    let slugs: HashSet<_> = org.units.iter().map(|u| &u.slug).collect();
    assert_eq!(slugs.len(), org.units.len(), "slugs are unique");
    let london = org.units.iter().position(|u| u.name == "London").unwrap();
    for name in ["Southwark", "Havering"] {
        let b = org.units.iter().find(|u| u.name == name).unwrap();
        assert_eq!(b.parent, Some(london));
    }
    for (i, u) in org.units.iter().enumerate() {
        if let Some(p) = u.parent {
            assert!(p < i, "parents come first");
            assert_eq!(org.units[p].kind.child_kind(), Some(u.kind));
        }
    }
    let body = |name: &str| org.bodies.iter().find(|b| b.name == name).unwrap();
    assert_eq!(body("National Committee").filled.len(), 15);
    assert_eq!(body("Steering Committee").filled.len(), 7);
    assert_eq!(body("Annual Conference").kind, "conference");
    assert_eq!(
        org.bodies
            .iter()
            .filter(|b| b.name.ends_with("Regional Committee") && b.filled.len() == 7)
            .count(),
        10
    );
    let national: HashSet<_> = org
        .offices
        .iter()
        .filter(|o| o.unit == 0)
        .map(|o| o.kind)
        .collect();
    // Every office but the scrutineer's, which the demo leaves for the organisation to fill.
    assert_eq!(national.len(), OfficeKind::ALL.len() - 1);
    assert!(!national.contains(&OfficeKind::Scrutineer));
}

fn within(org: &DemoOrg, branch: usize, unit: usize) -> bool {
    let mut cur = Some(branch);
    while let Some(u) = cur {
        if u == unit {
            return true;
        }
        cur = org.units[u].parent;
    }
    false
}

#[test]
fn every_officer_and_seat_holder_is_an_active_member_of_their_unit() {
    let (org, members) = default_org();
    let t = today();
    let mut holders = Vec::new();
    for o in &org.offices {
        holders.push((o.holder, o.unit, o.term));
    }
    for b in &org.bodies {
        assert!(b.filled.len() as u32 <= b.seats);
        for s in &b.filled {
            holders.push((s.holder, b.unit, s.term));
        }
    }
    for (holder, unit, term) in holders {
        let m = &members[holder as usize];
        assert_eq!(m.status, MemberStatus::Active, "holder {holder}");
        assert!(within(org, m.branch, unit), "holder {holder} outside unit");
        assert!(m.joined_on < term.starts_on, "holder {holder} joined late");
        assert!(term.starts_on <= t && term.ends_on.is_some_and(|e| e > t));
        assert!(paid_up_until(&m.payments).is_some_and(|u| u >= t));
    }
    for b in org
        .units
        .iter()
        .enumerate()
        .filter(|(_, u)| u.kind == UnitKind::Branch)
    {
        let kinds: HashSet<_> = org
            .offices
            .iter()
            .filter(|o| o.unit == b.0)
            .map(|o| o.kind)
            .collect();
        assert_eq!(kinds.len(), 3, "{} lacks officers", b.1.name);
    }
}

#[test]
fn references_point_at_members_loaded_earlier() {
    let (org, members) = default_org();
    for batch in org.batches(5_000) {
        for m in &members[batch.start as usize..batch.end as usize] {
            let refs = m
                .history
                .iter()
                .filter_map(|c| c.by)
                .chain(m.moves.iter().filter_map(|mv| mv.by))
                .chain(m.affiliation.iter().filter_map(|a| a.verified.map(|v| v.0)));
            for r in refs {
                assert!(r < batch.start, "member {} refers to {r}", m.index);
            }
        }
    }
    // A verifier is an officer of the member's branch or the national membership officer.
    for m in members {
        if let Some((by, on)) = m.affiliation.as_ref().and_then(|a| a.verified) {
            assert!(on >= m.joined_on && on <= today());
            let officer = org.offices.iter().find(|o| o.holder == by).unwrap();
            assert!(within(org, m.branch, officer.unit));
            assert!(on >= officer.term.starts_on);
        }
    }
}

#[test]
fn transfers_have_a_history_ending_in_the_home_branch() {
    let (_, members) = default_org();
    for m in members.iter().filter(|m| !m.moves.is_empty()) {
        let mv = &m.moves[0];
        assert_eq!(mv.to, m.branch);
        assert_ne!(mv.from, mv.to);
        assert!(mv.on > m.joined_on && mv.on <= today());
        assert!(!mv.reason.is_empty());
    }
}

#[test]
fn demo_accounts_are_the_promised_people() {
    let (org, members) = default_org();
    let roles: Vec<_> = org.accounts.iter().map(|a| a.role).collect();
    for role in [
        "national-officer",
        "branch-secretary",
        "regional-officer",
        "data-protection-officer",
        "treasurer",
        "member",
    ] {
        assert!(roles.contains(&role), "{role} missing");
    }
    let unit = |name: &str| org.units.iter().position(|u| u.name == name).unwrap();
    let holds = |member: u32, unit: usize, kind: OfficeKind| {
        org.offices
            .iter()
            .any(|o| o.holder == member && o.unit == unit && o.kind == kind)
    };
    for a in &org.accounts {
        assert!(!a.role.contains(' '));
        assert!(a.password.len() >= 12);
        let m = &members[a.member as usize];
        assert_eq!(m.email, Email::parse(a.email).unwrap());
        assert_eq!(m.status, MemberStatus::Active);
        match a.role {
            "national-officer" => assert!(holds(a.member, 0, OfficeKind::Secretary)),
            "branch-secretary" => {
                assert!(holds(a.member, unit("Southwark"), OfficeKind::Secretary))
            }
            "regional-officer" => {
                assert!(holds(
                    a.member,
                    unit("London"),
                    OfficeKind::MembershipOfficer
                ))
            }
            "data-protection-officer" => {
                assert!(holds(a.member, 0, OfficeKind::DataProtectionOfficer))
            }
            "treasurer" => assert!(org.offices.iter().any(|o| o.holder == a.member
                && o.kind == OfficeKind::Treasurer
                && org.units[o.unit].kind == UnitKind::Branch)),
            "member" => {
                assert_eq!(m.branch, unit("Southwark"));
                assert!(m.affiliation.is_some());
                assert!(!org.offices.iter().any(|o| o.holder == a.member));
                assert!(paid_up_until(&m.payments).is_some_and(|u| u >= today()));
            }
            other => panic!("unexpected role {other}"),
        }
    }
}

#[test]
fn a_million_members_generate_quickly_enough_to_stream() {
    // Only a sample in debug builds; the full figure is measured in release (see README).
    let org = generate(DemoOptions {
        members: 1_000_000,
        ..DemoOptions::default()
    });
    assert_eq!(org.batches(5_000).len(), 2 + 200);
    let last = org.member(999_999);
    assert!(last.email.as_str().contains(".1000000@"));
}
