//! The demo organisation: a national campaign group shaped like the one in Charter's story
//! (~21,000 activists, ~80 branches in 10 regions, committees, officers and a conference).
//!
//! It is **synthetic** so that nobody's personal data is ever needed to show, test or benchmark
//! Charter: names come from word lists, emails use the reserved `example.*` domains, phones the
//! Ofcom drama range (07700 900xxx), and branch names are invented (apart from the story's
//! Southwark and Havering).
//!
//! It is **deterministic** (the same [`DemoOptions`] give the same organisation, byte for byte)
//! so that a bug seen in the demo can be reproduced, tests can name members and figures, and
//! benchmarks at 21,000 and 1,000,000 members measure the same shape of data every time.
//!
//! It **streams**: [`generate`] builds the structure and the officers, while each member is
//! generated on demand from its own ChaCha stream ([`DemoOrg::member`]), so a million members
//! never have to be held in memory at once and any batch size gives the same people.

mod ballots;
mod constitution;
mod delegates;
mod load;
mod meetings;
mod member;
mod names;
mod places;
mod rng;
pub mod sealed;

use std::ops::Range;

use charter_domain::{
    DuesPlan, Email, MemberStatus, OfficeKind, Payment, PersonName, Phone, Postcode, UnitKind,
};
use charter_store::Term;
use chrono::{Days, Months, NaiveDate};

pub use ballots::{
    BallotsStoryError, DemoBallots, ELECTION_TITLE, OPEN_SEALED_TITLE, QUESTION_TITLE,
    SEALED_ELECTION_TITLE, SEALED_QUESTION_TITLE, STEERING_ELECTION_TITLE, load_ballots,
};
pub use constitution::{
    ConstitutionStoryError, SEALED_DAYS_AGO, StoryDates, load_constitution,
    load_constitution_sealed,
};
pub use delegates::CONFERENCE_TITLE;
pub use load::{DemoError, DemoSignIn, DemoSignIns, load};
pub use meetings::{MeetingsStoryError, load_meetings};
pub use sealed::{DemoCredential, DemoTrustee, SECRETS_DIR, SealedBallot, TRUSTEE_PASSPHRASE};

use places::REGIONS;
use rng::Rand;

pub const DEFAULT_MEMBERS: u32 = 21_000;
pub const DEFAULT_SEED: u64 = 0x00C0_FFEE_2024_0001;
/// The organisation's (fictional) name.
pub const ORGANISATION: &str = "Common Ground Campaign";
/// Members per `seed_members` call: large enough to amortise a transaction, small enough
/// that a batch of a million-member load stays a few megabytes.
pub const BATCH_SIZE: u32 = 5_000;

/// What to generate. `today` anchors every date (joins over the three years before it,
/// dues cover around it), so the CLI passes the real date and tests pass a fixed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    pub members: u32,
    pub seed: u64,
    pub today: NaiveDate,
}

impl DemoOptions {
    pub fn new(today: NaiveDate) -> Self {
        DemoOptions {
            members: DEFAULT_MEMBERS,
            seed: DEFAULT_SEED,
            today,
        }
    }
}

impl Default for DemoOptions {
    /// A fixed `today`, so that `DemoOptions::default()` is reproducible on any day.
    fn default() -> Self {
        DemoOptions::new(NaiveDate::from_ymd_opt(2026, 12, 1).expect("valid date"))
    }
}

/// A unit of the tree; `parent` indexes [`DemoOrg::units`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoUnit {
    pub kind: UnitKind,
    pub name: String,
    pub slug: String,
    pub parent: Option<usize>,
    area: &'static str,
    districts: &'static [u8],
}

/// An office and its holder (a member index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOffice {
    pub unit: usize,
    pub kind: OfficeKind,
    pub holder: u32,
    pub term: Term,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSeat {
    pub holder: u32,
    pub term: Term,
    pub how: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoBody {
    pub unit: usize,
    pub name: String,
    pub kind: &'static str,
    pub seats: u32,
    pub filled_by: String,
    pub filled: Vec<DemoSeat>,
}

/// A well-known account printed by `charter demo`; `member` is a member index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    /// One token, so a script can split the printed line on spaces.
    pub role: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub member: u32,
}

/// A status change; `by` is the member index of the officer who made it, when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoStatusChange {
    pub from: Option<MemberStatus>,
    pub to: MemberStatus,
    pub on: NaiveDate,
    pub reason: &'static str,
    pub by: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAffiliation {
    pub organisation: &'static str,
    pub since: Option<NaiveDate>,
    /// Verifying officer (member index) and date.
    pub verified: Option<(u32, NaiveDate)>,
}

/// A move between branches (unit indexes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoMove {
    pub from: usize,
    pub to: usize,
    pub on: NaiveDate,
    pub reason: String,
    pub by: Option<u32>,
}

/// One synthetic member with their whole history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoMember {
    pub index: u32,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub phone: Option<Phone>,
    pub postcode: Postcode,
    /// Home branch (unit index).
    pub branch: usize,
    pub joined_on: NaiveDate,
    pub status: MemberStatus,
    pub dues_plan: DuesPlan,
    pub history: Vec<DemoStatusChange>,
    pub payments: Vec<Payment>,
    pub affiliation: Option<DemoAffiliation>,
    pub moves: Vec<DemoMove>,
}

/// A member index reserved for an officer, a seat holder or a demo account, so that every
/// office is held by an active member of its unit however few members are asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reserved {
    branch: usize,
    joined_by: NaiveDate,
    email: Option<&'static str>,
    affiliated: bool,
}

/// The generated organisation: the structure in full, the members on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOrg {
    pub options: DemoOptions,
    pub organisation: &'static str,
    /// National first, then regions, then branches; parents come before children.
    pub units: Vec<DemoUnit>,
    pub offices: Vec<DemoOffice>,
    pub bodies: Vec<DemoBody>,
    pub accounts: Vec<DemoAccount>,
    seed: [u8; 32],
    reserved: Vec<Reserved>,
    /// Cumulative weights over branches (unit index, running total): the Zipf-like spread.
    branch_weights: Vec<(usize, u64)>,
    /// Secretary of each unit (member index, term start), who signs off changes in it.
    secretaries: Vec<Option<(u32, NaiveDate)>>,
    /// Member index of the national membership officer.
    membership_officer: u32,
    /// Reserved indexes below this are loaded first, alone: they verify everyone else.
    founding: u32,
}

impl DemoOrg {
    /// How many members will be generated (at least [`DemoOrg::reserved_members`]).
    pub fn member_count(&self) -> u32 {
        self.options.members
    }

    /// Members reserved for offices, seats and demo accounts: the smallest possible demo.
    pub fn reserved_members(&self) -> u32 {
        self.reserved.len() as u32
    }

    /// Member `index`, generated from its own stream: the same whatever else is generated.
    ///
    /// # Panics
    /// When `index >= member_count()`.
    pub fn member(&self, index: u32) -> DemoMember {
        assert!(index < self.options.members, "member {index} out of range");
        member::generate(self, index)
    }

    pub fn members(&self, range: Range<u32>) -> impl Iterator<Item = DemoMember> + '_ {
        let end = range.end.min(self.options.members);
        (range.start..end).map(|i| self.member(i))
    }

    /// Index ranges in the order they must be loaded: the founding officers alone (they
    /// verify the other officers' affiliations), then the other reserved members (branch
    /// secretaries, who verify their members'), then everyone else in chunks of `size`.
    pub fn batches(&self, size: u32) -> Vec<Range<u32>> {
        let size = size.max(1);
        let reserved = self.reserved_members();
        let mut out = vec![0..self.founding, self.founding..reserved];
        let mut start = reserved;
        while start < self.options.members {
            let end = start.saturating_add(size).min(self.options.members);
            out.push(start..end);
            start = end;
        }
        out
    }

    /// Structural acts `load` performs, each with its own event (for progress totals).
    pub fn structural_acts(&self) -> u64 {
        let seats: usize = self.bodies.iter().map(|b| b.filled.len()).sum();
        (self.units.len() + 2 * self.offices.len() + self.bodies.len() + seats) as u64
    }

    fn unit_of_branch_region(&self, branch: usize) -> usize {
        self.units[branch].parent.expect("a branch has a region")
    }

    fn pick_branch(&self, rng: &mut Rand) -> usize {
        let total = self.branch_weights.last().map_or(1, |w| w.1);
        let r = rng.below(total);
        let i = self.branch_weights.partition_point(|(_, c)| *c <= r);
        self.branch_weights[i].0
    }
}

/// Office holders and seats are chosen when the structure is built; these are the reserved
/// member slots they point at, in load order.
struct Builder<'a> {
    rng: Rand,
    today: NaiveDate,
    units: &'a [DemoUnit],
    weights: &'a [(usize, u64)],
    reserved: Vec<Reserved>,
}

impl Builder<'_> {
    fn branch_within(&mut self, unit: usize) -> usize {
        let within: Vec<(usize, u64)> = {
            let mut prev = 0;
            self.weights
                .iter()
                .map(|&(b, c)| {
                    let w = c - prev;
                    prev = c;
                    (b, w)
                })
                .filter(|&(b, _)| b == unit || self.units[b].parent == Some(unit) || unit == 0)
                .collect()
        };
        let total: u64 = within.iter().map(|w| w.1).sum();
        let mut r = self.rng.below(total);
        for (b, w) in &within {
            if r < *w {
                return *b;
            }
            r -= w;
        }
        within[within.len() - 1].0
    }

    fn reserve(&mut self, unit: usize, term_start: NaiveDate, email: Option<&'static str>) -> u32 {
        let branch = self.branch_within(unit);
        // Officers are long-standing members: each joined before the amendment was proposed
        // (StoryDates::proposed, about fourteen months ago), so the story's dated decisions
        // find them in the register on those days.
        let story = self
            .today
            .checked_sub_months(chrono::Months::new(15))
            .unwrap_or(self.today);
        let joined_by = (term_start - Days::new(60)).min(story);
        let affiliated = self.rng.chance(500);
        self.reserved.push(Reserved {
            branch,
            joined_by,
            email,
            affiliated,
        });
        (self.reserved.len() - 1) as u32
    }

    fn days_ago(&mut self, lo: u64, hi: u64) -> NaiveDate {
        self.today - Days::new(self.rng.between(lo, hi))
    }
}

fn years_later(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_add_months(Months::new(12 * years))
        .and_then(|x| x.pred_opt())
        .unwrap_or(d)
}

const SIGN_IN_NATIONAL: (&str, &str, &str) = (
    "national-officer",
    "national.secretary@example.org",
    "demo-national-2024",
);
const SIGN_IN_DPO: (&str, &str, &str) = (
    "data-protection-officer",
    "data.protection@example.org",
    "demo-privacy-2024",
);
const SIGN_IN_REGION: (&str, &str, &str) = (
    "regional-officer",
    "london.membership@example.org",
    "demo-region-2024",
);
const SIGN_IN_BRANCH: (&str, &str, &str) = (
    "branch-secretary",
    "southwark.secretary@example.org",
    "demo-branch-2024",
);
const SIGN_IN_TREASURER: (&str, &str, &str) = (
    "treasurer",
    "havering.treasurer@example.org",
    "demo-treasurer-2024",
);
const SIGN_IN_MEMBER: (&str, &str, &str) =
    ("member", "southwark.member@example.org", "demo-member-2024");

/// Builds the organisation for `opts`. Pure and cheap: members are produced later, on demand.
pub fn generate(opts: DemoOptions) -> DemoOrg {
    let seed = Rand::seed_bytes(opts.seed);
    let mut rng = Rand::new(&seed, 0);
    let today = opts.today;

    // ---- units ----
    let mut units = vec![DemoUnit {
        kind: UnitKind::National,
        name: "National".to_string(),
        slug: "national".to_string(),
        parent: None,
        area: "",
        districts: &[],
    }];
    for region in REGIONS {
        units.push(DemoUnit {
            kind: UnitKind::Region,
            name: region.name.to_string(),
            slug: region.slug.to_string(),
            parent: Some(0),
            area: "",
            districts: &[],
        });
    }
    for (r, region) in REGIONS.iter().enumerate() {
        for branch in region.branches {
            units.push(DemoUnit {
                kind: UnitKind::Branch,
                name: branch.name.to_string(),
                slug: places::slugify(branch.name),
                parent: Some(1 + r),
                area: branch.area,
                districts: branch.districts,
            });
        }
    }
    let branches: Vec<usize> = (0..units.len())
        .filter(|&u| units[u].kind == UnitKind::Branch)
        .collect();
    let find = |name: &str| {
        units
            .iter()
            .position(|u| u.name == name)
            .expect("story branch exists")
    };
    let (southwark, havering) = (find("Southwark"), find("Havering"));
    let london = find("London");

    // ---- sizes: a Zipf ranking, with the story's branches pinned ----
    // Each region lists its city branches first; a jittered sort keeps them near the top
    // without making every region's order the same.
    let mut order: Vec<(u64, usize)> = branches
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            let region = units[b].parent.expect("a branch has a region");
            let within = branches[..i]
                .iter()
                .filter(|&&o| units[o].parent == Some(region))
                .count() as u64;
            (within * 1000 + rng.below(3000), i)
        })
        .collect();
    order.sort_unstable();
    let mut ranks = vec![0usize; branches.len()];
    for (rank, &(_, i)) in order.iter().enumerate() {
        ranks[i] = rank;
    }
    for (branch, want) in [(southwark, 0usize), (havering, 6)] {
        let pos = branches.iter().position(|&b| b == branch).expect("branch");
        let holder = ranks.iter().position(|&r| r == want).expect("rank");
        ranks.swap(pos, holder);
    }
    let mut running = 0u64;
    let branch_weights: Vec<(usize, u64)> = branches
        .iter()
        .zip(&ranks)
        .map(|(&b, &rank)| {
            // Integer weights ∝ 1/(rank+4): the largest branch ~8%, the smallest ~0.4%.
            running += 1_000_000_000 / (rank as u64 + 4);
            (b, running)
        })
        .collect();

    // ---- terms ----
    let conference = today - Days::new(rng.between(120, 200));
    let national_term = Term {
        starts_on: conference,
        ends_on: Some(years_later(conference, 2)),
    };

    let mut b = Builder {
        rng,
        today,
        units: &units,
        weights: &branch_weights,
        reserved: Vec::new(),
    };
    let mut offices = Vec::new();
    let mut bodies = Vec::new();
    let mut secretaries: Vec<Option<(u32, NaiveDate)>> = vec![None; units.len()];
    let mut accounts = Vec::new();

    // Founding officers first: they are loaded alone and verify the other officers. (The
    // scrutineer's office is not among them: it holds no power over the register.)
    for kind in OfficeKind::ALL
        .into_iter()
        .filter(|k| *k != OfficeKind::Scrutineer)
    {
        let email = match kind {
            OfficeKind::Secretary => Some(SIGN_IN_NATIONAL.1),
            OfficeKind::DataProtectionOfficer => Some(SIGN_IN_DPO.1),
            _ => None,
        };
        let holder = b.reserve(0, national_term.starts_on, email);
        offices.push(DemoOffice {
            unit: 0,
            kind,
            holder,
            term: national_term,
        });
    }
    let founding = b.reserved.len() as u32;
    let national_holder = |k: OfficeKind, offices: &[DemoOffice]| {
        offices
            .iter()
            .find(|o| o.unit == 0 && o.kind == k)
            .expect("national office")
            .holder
    };
    let membership_officer = national_holder(OfficeKind::MembershipOfficer, &offices);
    secretaries[0] = Some((
        national_holder(OfficeKind::Secretary, &offices),
        national_term.starts_on,
    ));

    for region in 1..=REGIONS.len() {
        let meeting = b.days_ago(60, 300);
        let term = Term {
            starts_on: meeting,
            ends_on: Some(years_later(meeting, 1)),
        };
        for kind in [OfficeKind::Secretary, OfficeKind::MembershipOfficer] {
            let email = (region == london && kind == OfficeKind::MembershipOfficer)
                .then_some(SIGN_IN_REGION.1);
            let holder = b.reserve(region, meeting, email);
            if kind == OfficeKind::Secretary {
                secretaries[region] = Some((holder, meeting));
            }
            offices.push(DemoOffice {
                unit: region,
                kind,
                holder,
                term,
            });
        }
        let name = &units[region].name;
        let filled = (0..7)
            .map(|_| DemoSeat {
                holder: b.reserve(region, meeting, None),
                term,
                how: format!("elected at the {name} regional meeting on {meeting}"),
            })
            .collect();
        bodies.push(DemoBody {
            unit: region,
            name: format!("{name} Regional Committee"),
            kind: "committee",
            seats: 7,
            filled_by: "elected each year at the regional all-members meeting".to_string(),
            filled,
        });
    }

    for &branch in &branches {
        let agm = b.days_ago(30, 330);
        let term = Term {
            starts_on: agm,
            ends_on: Some(years_later(agm, 1)),
        };
        for kind in [
            OfficeKind::Chair,
            OfficeKind::Secretary,
            OfficeKind::Treasurer,
        ] {
            let email = match kind {
                OfficeKind::Secretary if branch == southwark => Some(SIGN_IN_BRANCH.1),
                OfficeKind::Treasurer if branch == havering => Some(SIGN_IN_TREASURER.1),
                _ => None,
            };
            let holder = b.reserve(branch, agm, email);
            if kind == OfficeKind::Secretary {
                secretaries[branch] = Some((holder, agm));
            }
            offices.push(DemoOffice {
                unit: branch,
                kind,
                holder,
                term,
            });
        }
        bodies.push(DemoBody {
            unit: branch,
            name: format!("{} branch meeting", units[branch].name),
            kind: "all-members meeting",
            seats: 0,
            filled_by: "every member of the branch may attend".to_string(),
            filled: Vec::new(),
        });
    }

    for (name, seats, filled_by) in [
        (
            "National Committee",
            15,
            "elected by annual conference for two years by single transferable vote",
        ),
        (
            "Steering Committee",
            7,
            "elected by annual conference for two years by single transferable vote",
        ),
    ] {
        let filled = (0..seats)
            .map(|_| DemoSeat {
                holder: b.reserve(0, conference, None),
                term: national_term,
                how: format!("elected at annual conference on {conference}"),
            })
            .collect();
        bodies.push(DemoBody {
            unit: 0,
            name: name.to_string(),
            kind: "committee",
            seats,
            filled_by: filled_by.to_string(),
            filled,
        });
    }
    bodies.push(DemoBody {
        unit: 0,
        name: "Annual Conference".to_string(),
        kind: "conference",
        seats: 0,
        filled_by: "delegates from every branch, one for each fifty members".to_string(),
        filled: Vec::new(),
    });

    // A plain member of Southwark for the "member" sign-in: affiliated, no office, and a
    // member since before the amendment took effect, so they saw the change.
    let plain = b.reserved.len() as u32;
    b.reserved.push(Reserved {
        branch: southwark,
        joined_by: today - Days::new(430),
        email: Some(SIGN_IN_MEMBER.1),
        affiliated: true,
    });

    let reserved = b.reserved;
    let holder_of = |unit: usize, kind: OfficeKind| {
        offices
            .iter()
            .find(|o| o.unit == unit && o.kind == kind)
            .expect("office exists")
            .holder
    };
    for ((role, email, password), member) in [
        (SIGN_IN_NATIONAL, holder_of(0, OfficeKind::Secretary)),
        (SIGN_IN_BRANCH, holder_of(southwark, OfficeKind::Secretary)),
        (
            SIGN_IN_REGION,
            holder_of(london, OfficeKind::MembershipOfficer),
        ),
        (SIGN_IN_DPO, holder_of(0, OfficeKind::DataProtectionOfficer)),
        (
            SIGN_IN_TREASURER,
            holder_of(havering, OfficeKind::Treasurer),
        ),
        (SIGN_IN_MEMBER, plain),
    ] {
        accounts.push(DemoAccount {
            role,
            email,
            password,
            member,
        });
    }

    let mut options = opts;
    options.members = opts.members.max(reserved.len() as u32);
    DemoOrg {
        options,
        organisation: ORGANISATION,
        units,
        offices,
        bodies,
        accounts,
        seed,
        reserved,
        branch_weights,
        secretaries,
        membership_officer,
        founding,
    }
}
