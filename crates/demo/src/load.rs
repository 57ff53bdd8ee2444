//! Loading the demo through the `Store`, the same door every other change goes through, so
//! the demo's governance log reads like a real organisation's: one event per unit, office,
//! body, appointment and seat, and one per batch of members.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, SaltString};
use charter_domain::{MemberId, NewMember, UnitId};
use charter_store::{
    BranchMoveInput, EventActor, NewBody, NewEvent, SeedAffiliation, SeedMember, StatusChangeInput,
    Store, StoreError,
};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;

use crate::rng::Rand;
use crate::{BATCH_SIZE, DemoMember, DemoOrg};

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("loading the demo organisation failed while {step}: {source}")]
    Store {
        step: String,
        #[source]
        source: StoreError,
    },
    #[error("could not hash the demo password for {role}: {message}")]
    Hash { role: &'static str, message: String },
    #[error("the store returned {got} member ids for a batch of {expected}")]
    BatchMismatch { expected: usize, got: usize },
    #[error("member {0} was referred to before it was loaded")]
    NotLoaded(u32),
}

/// A demo account as loaded: what `charter demo` prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSignIn {
    pub role: &'static str,
    pub email: String,
    pub password: String,
    pub member: MemberId,
}

impl std::fmt::Display for DemoSignIn {
    /// The line tools and people look for: `demo sign-in: <role> <email> <password>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "demo sign-in: {} {} {}",
            self.role, self.email, self.password
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DemoSignIns(pub Vec<DemoSignIn>);

impl DemoSignIns {
    pub fn iter(&self) -> std::slice::Iter<'_, DemoSignIn> {
        self.0.iter()
    }

    pub fn by_role(&self, role: &str) -> Option<&DemoSignIn> {
        self.0.iter().find(|s| s.role == role)
    }
}

/// Stamps events one second apart from 09:00 on `today`, so the log is ordered and the same
/// on every load of the same options.
struct Events {
    next: DateTime<Utc>,
}

impl Events {
    fn event(
        &mut self,
        kind: &str,
        subject: String,
        payload: serde_json::Value,
        reason: String,
    ) -> NewEvent {
        let at = self.next;
        self.next += TimeDelta::seconds(1);
        NewEvent {
            at,
            // The demo is loaded by the operator's command, not by any member or office.
            actor: EventActor {
                member: None,
                office: None,
            },
            kind: kind.to_string(),
            subject,
            payload: payload.to_string(),
            reason,
        }
    }
}

fn store_err(step: impl Into<String>) -> impl FnOnce(StoreError) -> DemoError {
    let step = step.into();
    move |source| DemoError::Store { step, source }
}

/// Hashes each demo password once (argon2id, default OWASP-level parameters), each on its own
/// thread: a hash is tens of milliseconds of one core, and they are most of what stands
/// between `charter demo` and its first page. The salt is drawn from the demo's seed: these
/// passwords are printed for anyone to use, so a secret salt would protect nothing, and a
/// fixed one keeps a loaded demo reproducible.
fn hash_passwords(org: &DemoOrg) -> Result<Vec<(u32, String)>, DemoError> {
    let hash_one = |i: usize, a: &crate::DemoAccount| {
        let mut salt = [0u8; 16];
        Rand::new(&org.seed, u64::MAX - i as u64).fill(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| DemoError::Hash {
            role: a.role,
            message: e.to_string(),
        })?;
        let hash = Argon2::default()
            .hash_password(a.password.as_bytes(), &salt)
            .map_err(|e| DemoError::Hash {
                role: a.role,
                message: e.to_string(),
            })?;
        Ok((a.member, hash.to_string()))
    };
    std::thread::scope(|scope| {
        let hashing: Vec<_> = org
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| scope.spawn(move || hash_one(i, a)))
            .collect();
        hashing
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(DemoError::Hash {
                        role: "demo account",
                        message: "the hashing thread panicked".into(),
                    })
                })
            })
            .collect()
    })
}

/// Loads `org` into `store`: units, offices and bodies, then members in batches of
/// [`BATCH_SIZE`], then appointments and seats. `progress(done, total)` is called after each
/// step, counting one per structural act and one per member.
pub async fn load(
    store: &dyn Store,
    org: &DemoOrg,
    progress: &dyn Fn(u64, u64),
) -> Result<DemoSignIns, DemoError> {
    let total = org.structural_acts() + u64::from(org.member_count());
    let mut done = 0u64;
    let mut tick = |n: u64| {
        done += n;
        progress(done, total);
    };
    let start = org
        .options
        .today
        .and_hms_opt(9, 0, 0)
        .expect("09:00 exists")
        .and_utc();
    let mut events = Events { next: start };
    let hashes = hash_passwords(org)?;

    // ---- structure ----
    let mut unit_ids: Vec<UnitId> = Vec::with_capacity(org.units.len());
    for u in &org.units {
        let parent = u.parent.map(|p| unit_ids[p]);
        let reason = match u.parent {
            None => format!("demo organisation: {} founded", org.organisation),
            Some(p) => format!(
                "demo organisation: {} {} set up within {}",
                u.name,
                u.kind.as_str(),
                org.units[p].name
            ),
        };
        let ev = events.event(
            "unit.created",
            format!("unit:{}", u.slug),
            json!({ "name": u.name, "kind": u.kind.as_str(), "slug": u.slug,
                    "organisation": org.organisation }),
            reason,
        );
        let id = store
            .create_unit(parent, u.kind, &u.name, &u.slug, &ev)
            .await
            .map_err(store_err(format!("creating unit {}", u.name)))?;
        unit_ids.push(id);
        tick(1);
    }

    let mut office_ids = Vec::with_capacity(org.offices.len());
    for o in &org.offices {
        let unit = &org.units[o.unit];
        let ev = events.event(
            "office.created",
            format!("unit:{}", unit.slug),
            json!({ "unit": unit.slug, "office": o.kind.as_str() }),
            format!(
                "demo organisation: the constitution provides a {} for {}",
                o.kind.title().to_lowercase(),
                unit.name
            ),
        );
        let id = store
            .create_office(unit_ids[o.unit], o.kind, &ev)
            .await
            .map_err(store_err(format!(
                "creating the {} office of {}",
                o.kind.as_str(),
                unit.name
            )))?;
        office_ids.push(id);
        tick(1);
    }

    let mut body_ids = Vec::with_capacity(org.bodies.len());
    for b in &org.bodies {
        let unit = &org.units[b.unit];
        let body = NewBody {
            unit: unit_ids[b.unit],
            name: b.name.clone(),
            kind: b.kind.to_string(),
            seats: b.seats,
            filled_by: b.filled_by.clone(),
        };
        let ev = events.event(
            "body.created",
            format!("unit:{}", unit.slug),
            json!({ "unit": unit.slug, "name": b.name, "kind": b.kind, "seats": b.seats }),
            format!(
                "demo organisation: the constitution establishes the {}",
                b.name
            ),
        );
        let id = store
            .create_body(&body, &ev)
            .await
            .map_err(store_err(format!("creating the body {}", b.name)))?;
        body_ids.push(id);
        tick(1);
    }

    // ---- members ----
    let reserved = org.reserved_members();
    let mut ids: Vec<MemberId> = Vec::with_capacity(reserved as usize);
    for range in org.batches(BATCH_SIZE) {
        if range.is_empty() {
            continue;
        }
        let mut seeds = Vec::with_capacity(range.len());
        for m in org.members(range.clone()) {
            seeds.push(to_seed(m, &unit_ids, &ids, &hashes)?);
        }
        let ev = events.event(
            "member.seeded",
            format!("members:{}-{}", range.start + 1, range.end),
            json!({ "first": range.start + 1, "last": range.end, "count": seeds.len() }),
            format!(
                "demo organisation: synthetic members {} to {} loaded with their histories",
                range.start + 1,
                range.end
            ),
        );
        let got = store
            .seed_members(&seeds, &ev)
            .await
            .map_err(store_err(format!(
                "loading members {} to {}",
                range.start + 1,
                range.end
            )))?;
        if got.len() != seeds.len() {
            return Err(DemoError::BatchMismatch {
                expected: seeds.len(),
                got: got.len(),
            });
        }
        if range.start < reserved {
            ids.extend(got.iter().take((reserved - range.start) as usize));
        }
        tick(seeds.len() as u64);
    }
    let id = |i: u32| ids.get(i as usize).copied().ok_or(DemoError::NotLoaded(i));

    // ---- officers and seats ----
    for (o, office) in org.offices.iter().zip(&office_ids) {
        let unit = &org.units[o.unit];
        let holder = id(o.holder)?;
        let ev = events.event(
            "office.appointed",
            format!("member:{holder}"),
            json!({ "unit": unit.slug, "office": o.kind.as_str(), "member": holder.0,
                    "starts_on": o.term.starts_on.to_string(),
                    "ends_on": o.term.ends_on.map(|d| d.to_string()) }),
            format!(
                "demo organisation: elected {} of {} from {}",
                o.kind.title().to_lowercase(),
                unit.name,
                o.term.starts_on
            ),
        );
        store
            .appoint(*office, holder, o.term, &ev)
            .await
            .map_err(store_err(format!(
                "appointing the {} of {}",
                o.kind.as_str(),
                unit.name
            )))?;
        tick(1);
    }
    for (b, body) in org.bodies.iter().zip(&body_ids) {
        for seat in &b.filled {
            let holder = id(seat.holder)?;
            let ev = events.event(
                "seat.filled",
                format!("member:{holder}"),
                json!({ "body": b.name, "member": holder.0,
                        "starts_on": seat.term.starts_on.to_string() }),
                format!("demo organisation: {}", seat.how),
            );
            store
                .fill_seat(*body, holder, seat.term, &seat.how, &ev)
                .await
                .map_err(store_err(format!("filling a seat on {}", b.name)))?;
            tick(1);
        }
    }

    let sign_ins = org
        .accounts
        .iter()
        .map(|a| {
            Ok(DemoSignIn {
                role: a.role,
                email: a.email.to_string(),
                password: a.password.to_string(),
                member: id(a.member)?,
            })
        })
        .collect::<Result<Vec<_>, DemoError>>()?;
    Ok(DemoSignIns(sign_ins))
}

fn to_seed(
    m: DemoMember,
    units: &[UnitId],
    ids: &[MemberId],
    hashes: &[(u32, String)],
) -> Result<SeedMember, DemoError> {
    let id = |i: u32| ids.get(i as usize).copied().ok_or(DemoError::NotLoaded(i));
    let history = m
        .history
        .iter()
        .map(|c| {
            Ok(StatusChangeInput {
                from: c.from,
                to: c.to,
                effective_on: c.on,
                reason: c.reason.to_string(),
                changed_by: c.by.map(id).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, DemoError>>()?;
    let affiliations = match &m.affiliation {
        Some(a) => vec![SeedAffiliation {
            organisation: a.organisation.to_string(),
            since: a.since,
            verified: a
                .verified
                .map(|(by, on)| id(by).map(|by| (by, on)))
                .transpose()?,
        }],
        None => Vec::new(),
    };
    let moves = m
        .moves
        .iter()
        .map(|mv| {
            Ok(BranchMoveInput {
                from: units[mv.from],
                to: units[mv.to],
                effective_on: mv.on,
                reason: mv.reason.clone(),
                moved_by: mv.by.map(id).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, DemoError>>()?;
    let password_hash = hashes
        .iter()
        .find(|(i, _)| *i == m.index)
        .map(|(_, h)| h.clone());
    Ok(SeedMember {
        member: NewMember {
            first_name: m.first_name,
            last_name: m.last_name,
            email: m.email,
            phone: m.phone,
            postcode: m.postcode,
            branch: units[m.branch],
            joined_on: m.joined_on,
            status: m.status,
            dues_plan: m.dues_plan,
        },
        password_hash,
        history,
        payments: m.payments,
        affiliations,
        moves,
    })
}
