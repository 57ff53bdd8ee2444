//! Charter's use cases. Every call names its actor; every power it uses comes from an office
//! the actor holds today, checked here (deny by default) before the store is touched.
//! Governance events and access-log rows are handed to the store with the change or read
//! they describe, so they commit or fail together.

pub mod accounts;
pub mod agenda;
pub mod amending;
pub mod appointments;
pub mod auth;
pub mod ballots;
pub mod clock;
pub mod composites;
pub mod constitution;
pub mod delegates;
pub mod discipline;
pub mod elections;
pub mod error;
pub mod founding;
pub mod import;
pub mod joining;
pub mod leaving;
pub mod meetings;
pub mod notices;
pub mod paper;
pub mod record;
pub mod register;
pub mod requisitions;
pub mod rolls;
pub mod scrutiny;
pub mod sealing;
pub mod structure;
pub mod two_factor;
pub mod units;
pub mod verifiable;

use std::sync::Arc;

use charter_domain::{Actor, HeldOffice, MemberId, MemberStatus, SignIn, UnitTree};
use charter_store::{EventActor, NewEvent, Store};
use tokio::sync::RwLock;

pub use auth::validate_new_password;
pub use clock::{Clock, FixedClock, SystemClock};
pub use error::AppError;

/// Settings. `grace_days` is the default for an organisation with no constitution yet:
/// once one is adopted, the version in force decides (`App::grace_days`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Days after dues cover ends during which a member still counts as paid up.
    pub grace_days: u32,
    /// How long a sign-in lasts.
    pub session_hours: i64,
    /// The address members reach the site at: links sent by email begin with it.
    pub public_url: String,
    /// How long links sent by email work, from when each letter is sent.
    pub links: LinkLifetimes,
}

/// How long each kind of link sent by email works, counted from when its letter is sent.
#[derive(Debug, Clone, Copy)]
pub struct LinkLifetimes {
    pub invitation: chrono::Duration,
    pub password_reset: chrono::Duration,
    pub email_change: chrono::Duration,
}

impl Default for LinkLifetimes {
    fn default() -> Self {
        LinkLifetimes {
            invitation: chrono::Duration::days(7),
            password_reset: chrono::Duration::hours(1),
            email_change: chrono::Duration::days(2),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            grace_days: 31,
            session_hours: 12,
            public_url: "http://127.0.0.1:8080".to_string(),
            links: LinkLifetimes::default(),
        }
    }
}

#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub settings: Settings,
    tree: Arc<RwLock<Option<Arc<UnitTree>>>>,
    /// Adopted constitution versions, parsed; cleared when a version is recorded.
    versions: Arc<RwLock<Option<constitution::Versions>>>,
    /// Ballots as first read, for checking votes against what never changes once a ballot is
    /// set up (its kind, options, opening time, whether a later vote replaces): a vote then
    /// costs no read of the ballot. Its state is read by the store, in the vote's transaction.
    ballot_terms: ballots::TermsCache,
    boards: verifiable::BoardCache,
    /// The account policy, read once and replaced when it changes.
    policy: Arc<RwLock<Option<charter_store::AccountPolicy>>>,
}

impl App {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, settings: Settings) -> Self {
        App {
            store,
            clock,
            settings,
            tree: Arc::new(RwLock::new(None)),
            versions: Arc::new(RwLock::new(None)),
            ballot_terms: ballots::TermsCache::default(),
            boards: verifiable::BoardCache::default(),
            policy: Arc::new(RwLock::new(None)),
        }
    }

    /// The store itself, behind the `direct-store` feature: for the demo's seeding of a past
    /// the organisation lived before Charter, and for tests. Everything else goes through the
    /// use cases, which authorise and log every read of personal data; `web` never turns the
    /// feature on (its tidy test checks).
    #[cfg(feature = "direct-store")]
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.now().date_naive()
    }

    /// Whether the database answers, and which it is: for the readiness probe.
    pub async fn readiness(&self) -> Result<&'static str, AppError> {
        self.store.ping().await?;
        Ok(self.store.backend())
    }

    /// The unit tree, cached: units change rarely and every scope check needs it.
    pub async fn tree(&self) -> Result<Arc<UnitTree>, AppError> {
        if let Some(t) = self.tree.read().await.as_ref() {
            return Ok(t.clone());
        }
        let units = self.store.units().await?;
        let tree = Arc::new(UnitTree::new(
            units.iter().map(|u| (u.id, u.parent, u.kind)),
        ));
        *self.tree.write().await = Some(tree.clone());
        Ok(tree)
    }

    /// Forgets the cached tree after the structure changes.
    pub async fn structure_changed(&self) {
        *self.tree.write().await = None;
    }

    /// Builds the actor for a member from the offices they hold today. Offices give power
    /// only to a member in good standing: someone whose status restricts their sign-in
    /// (applicant, suspended, expelled) or closes it (resigned) acts with no office at all.
    pub async fn actor(&self, member: MemberId) -> Result<Actor, AppError> {
        Ok(self.actor_and_status(member).await?.0)
    }

    /// The actor for a member, with the status their powers were decided by.
    pub(crate) async fn actor_and_status(
        &self,
        member: MemberId,
    ) -> Result<(Actor, MemberStatus), AppError> {
        let (home_branch, status) = self
            .store
            .member_standing(member)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let offices = if status.sign_in() == SignIn::Member {
            self.store.offices_held(member, self.today()).await?
        } else {
            Vec::new()
        };
        let actor = Actor {
            member,
            home_branch,
            offices: offices
                .into_iter()
                .map(|o| HeldOffice {
                    kind: o.kind,
                    unit: o.unit,
                    unit_name: o.unit_name,
                })
                .collect(),
        };
        Ok((actor, status))
    }

    pub(crate) fn event(
        &self,
        actor: EventActor,
        kind: &str,
        subject: String,
        payload: serde_json::Value,
        reason: &str,
    ) -> NewEvent {
        NewEvent {
            at: self.clock.now(),
            actor,
            kind: kind.to_string(),
            subject,
            payload: payload.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// How an office is named in events and access logs: "secretary, Southwark".
pub fn office_label(office: &HeldOffice) -> String {
    format!(
        "{}, {}",
        office.kind.title().to_lowercase(),
        office.unit_name
    )
}

/// The event actor for something done by `actor` under `office`.
pub fn event_actor(actor: &Actor, office: Option<&HeldOffice>) -> EventActor {
    EventActor {
        member: Some(actor.member),
        office: office.map(office_label),
    }
}

/// How the operator's command line is named in events and access logs.
pub const OPERATOR: &str = "operator (command line)";

/// The event actor for the operator's command line: recorded as such, with no office.
pub fn operator_actor() -> EventActor {
    EventActor {
        member: None,
        office: Some(OPERATOR.to_string()),
    }
}
