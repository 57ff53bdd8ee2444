//! The whole story of an organisation adopting Charter, in real headless Chromium with mail
//! through a real SMTP sink, on SQLite and on PostgreSQL: it is founded; its national
//! secretary sets up two regions and three branches in the browser; its register of 1,000
//! members with their status and payment histories comes in through `charter import`; a
//! branch general meeting, properly convened, appoints the branch secretary; the national
//! secretary invites every member; a member chooses a password from the letter, signs in,
//! forgets it and resets it; someone applies to join and the new branch secretary accepts
//! them, whose welcome carries their invitation; and a member resigns.
//!
//! The organisation's weeks pass on a clock the story moves forward (a meeting needs 14 clear
//! days' notice), so the server and every step run on the same calendar. Skips loudly without
//! a browser or PostgreSQL (fails on CI).

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use charter_app::appointments::AppointmentRequest;
use charter_app::founding::Founding;
use charter_app::meetings::MeetingRequest;
use charter_app::{App, Clock, Settings};
use charter_cli::import::{Files, Options};
use charter_domain::{MemberId, MemberStatus, OfficeKind, UnitId, UnitKind};
use charter_mail::{Mailer, SmtpConfig};
use charter_store::{MemberScope, Store};
use charter_test_support::page::{self, WAIT};
use charter_test_support::{SmtpSink, browser, fresh_database};
use charter_web::{AppState, WebConfig};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use fantoccini::{Client, Locator};
use secrecy::SecretString;

const ORGANISATION: &str = "Northern Tenants Network";
const FOUNDER: &str = "founder@example.org";
const FOUNDER_PASSWORD: &str = "founding secretary password";
const MEMBERS: usize = 1_000;
const BRANCHES: [(&str, &str); 3] = [("Leeds", "North"), ("York", "North"), ("Lambeth", "South")];

/// The organisation's calendar: read by the server and every step, moved on by the story.
struct StoryClock(Mutex<DateTime<Utc>>);

impl Clock for StoryClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().expect("clock lock")
    }
}

impl StoryClock {
    fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().expect("clock lock") = t;
    }
}

struct Story {
    app: App,
    clock: Arc<StoryClock>,
    base: String,
    sink: SmtpSink,
    mailer: Arc<Mailer>,
    c: Client,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Story {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Story {
    fn store(&self) -> &dyn Store {
        self.app.store().as_ref()
    }

    /// Sends every letter due now through the SMTP sink, as `charter serve --smtp` does.
    async fn deliver(&self) {
        loop {
            let round = self.app.deliver_due(&self.mailer, 500, 4).await.unwrap();
            if round.settled() == 0 {
                return;
            }
        }
    }

    /// The newest letter to `to` (past the first `seen`) holding `path`, delivering as it
    /// waits; returns the link's path with its token.
    async fn link_for(&self, seen: usize, to: &str, path: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            self.deliver().await;
            let found = self.sink.messages().into_iter().skip(seen).rev().find(|m| {
                m.to.iter().any(|t| t.eq_ignore_ascii_case(to)) && m.body().contains(path)
            });
            if let Some(m) = found {
                let body = m.body();
                let at = body.find(path).unwrap() + path.len();
                let token: String = body[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
                return format!("{path}{token}");
            }
            assert!(Instant::now() < deadline, "no letter with {path} for {to}");
            tokio::time::sleep(StdDuration::from_millis(100)).await;
        }
    }

    async fn goto(&self, path: &str) {
        self.c
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    async fn wait_for_path(&self, path: &str) {
        page::wait_for_path(&self.c, path).await;
    }

    async fn wait_for_text(&self, css: &str, needle: &str) {
        page::wait_for_text(&self.c, css, needle).await;
    }

    async fn fill(&self, id: &str, value: &str) {
        page::fill(&self.c, id, value).await;
    }

    async fn click(&self, css: &str) {
        page::click(&self.c, css).await;
    }

    /// Chooses the kind of unit to add, when the page offers a choice (a radio button);
    /// a page that can add only one kind says so in a hidden field.
    async fn choose_kind(&self, kind: &str) {
        let css = format!("#nu-form input[type=radio][name=kind][value={kind}]");
        if let Ok(radio) = self.c.find(Locator::Css(&css)).await {
            radio.click().await.expect("choose the kind");
        }
    }

    async fn sign_in(&self, email: &str, password: &str) {
        self.goto("/sign-in").await;
        self.fill("email", email).await;
        self.fill("password", password).await;
        self.click("main form button[type=submit]").await;
        self.wait_for_path("/me").await;
    }

    async fn sign_out(&self) {
        self.click("form[action='/sign-out'] button").await;
        self.wait_for_path("/").await;
    }

    /// Follows a password link and chooses `password`.
    async fn choose_password(&self, link: &str, password: &str) {
        self.goto(link).await;
        self.wait_for_text("h1", "password").await;
        self.fill("password", password).await;
        self.fill("password_again", password).await;
        self.click("main form button[type=submit]").await;
        self.wait_for_path("/sign-in").await;
        self.wait_for_text(".notice", "Your password is set").await;
    }

    async fn unit_named(&self, name: &str) -> UnitId {
        self.store()
            .units()
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.name == name)
            .unwrap_or_else(|| panic!("no unit called {name}"))
            .id
    }

    async fn email_of(&self, member: MemberId) -> String {
        self.store().member_contacts(&[member]).await.unwrap()[0]
            .2
            .clone()
    }
}

fn midday(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(12, 0, 0).expect("midday"))
}

/// The register as an old system would export it: every member with a status history
/// (a tenth lapsed once and came back) and a year's dues each year since they joined.
fn write_register(dir: &Path, founded: NaiveDate) {
    let (mut members, mut statuses, mut payments) = (
        String::from(
            "member_number,first_name,last_name,email,phone,postcode,branch,joined_on,status,dues_plan\n",
        ),
        String::from("member_number,status,effective_on,reason\n"),
        String::from("member_number,paid_on,amount,months\n"),
    );
    for n in 0..MEMBERS {
        let number = 5_001 + n;
        let (branch, _) = BRANCHES[n % BRANCHES.len()];
        let joined = founded - Duration::days(400 + (n as i64 * 7) % 700);
        writeln!(
            members,
            "{number},Member{n},Tenant{n},member{n}@example.org,,LS1 4AP,{branch},{joined},active,annual"
        )
        .unwrap();
        writeln!(statuses, "{number},active,{joined},joined").unwrap();
        if n % 10 == 0 {
            let lapsed = joined + Duration::days(100);
            let back = joined + Duration::days(160);
            writeln!(statuses, "{number},lapsed,{lapsed},dues unpaid").unwrap();
            writeln!(statuses, "{number},active,{back},paid again").unwrap();
        }
        let mut paid = joined;
        while paid <= founded - Duration::days(30) {
            writeln!(payments, "{number},{paid},36.00,12").unwrap();
            paid += Duration::days(365);
        }
        // Paid up through the story: the last year's dues a month before the founding.
        writeln!(
            payments,
            "{number},{},36.00,12",
            founded - Duration::days(20)
        )
        .unwrap();
    }
    std::fs::write(dir.join("members.csv"), members).unwrap();
    std::fs::write(dir.join("statuses.csv"), statuses).unwrap();
    std::fs::write(dir.join("payments.csv"), payments).unwrap();
}

async fn begin(store: Arc<dyn Store>) -> Option<Story> {
    let c = browser().await?;
    store.migrate().await.expect("migrations run");
    // Founded five weeks ago, so the story's weeks end about now.
    let founded = (Utc::now() - Duration::days(35)).date_naive();
    let clock = Arc::new(StoryClock(Mutex::new(midday(founded))));
    let sink = SmtpSink::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let addr = listener.local_addr().expect("local address");
    let base = format!("http://{addr}");
    let app = App::new(
        store,
        clock.clone(),
        Settings {
            public_url: base.clone(),
            ..Settings::default()
        },
    );
    let router = charter_web::app(AppState::new(app.clone(), WebConfig::default()));
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("server runs");
    });
    let config = SmtpConfig::from_url(&format!(
        "smtp://{}:{}?from=charter%40example.org",
        sink.host(),
        sink.port()
    ))
    .unwrap();
    let mailer = Arc::new(Mailer::new(&config).unwrap());
    Some(Story {
        app,
        clock,
        base,
        sink,
        mailer,
        c,
        server,
    })
}

async fn the_whole_story(store: Arc<dyn Store>) {
    let Some(s) = begin(store).await else { return };
    let founded = s.app.today();

    // 1. Founding, as `charter init` does it, with the example constitution.
    let founding = Founding::parse(
        ORGANISATION,
        &charter_rules::example_constitution_for(ORGANISATION, founded),
        "Sam Founder",
        FOUNDER,
        "LS1 1AA",
    )
    .unwrap();
    s.app
        .found_organisation(&founding, &SecretString::from(FOUNDER_PASSWORD))
        .await
        .unwrap();

    // 2. The national secretary sets up two regions and three branches in the browser.
    s.sign_in(FOUNDER, FOUNDER_PASSWORD).await;
    for region in ["North", "South"] {
        s.goto("/units").await;
        s.choose_kind("region").await;
        s.fill("nu-name", region).await;
        s.click("#nu-form button[type=submit]").await;
        s.wait_for_text("main", region).await;
    }
    for (branch, region) in BRANCHES {
        let region = s.unit_named(region).await;
        s.goto(&format!("/units/{}", region.0)).await;
        s.choose_kind("branch").await;
        s.fill("nu-name", branch).await;
        s.click("#nu-form button[type=submit]").await;
        s.wait_for_text("main", branch).await;
    }
    let units = s.store().units().await.unwrap();
    assert_eq!(
        units.iter().filter(|u| u.kind == UnitKind::Region).count(),
        2
    );
    assert_eq!(
        units.iter().filter(|u| u.kind == UnitKind::Branch).count(),
        3
    );
    s.sign_out().await;

    // 3. The register comes in: 1,000 members with their histories, all or nothing.
    let dir = tempfile::tempdir().unwrap();
    write_register(dir.path(), founded);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let went_in = charter_cli::import::run(
        &s.app,
        &Files::in_folder(dir.path()),
        &Options::default(),
        &mut out,
        &mut err,
    )
    .await
    .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    );
    assert!(went_in, "the import was refused:\n{err}\n{out}");
    assert!(
        out.contains("1000 created") || out.contains("1,000 created"),
        "{out}"
    );
    let leeds = s.unit_named("Leeds").await;
    let in_leeds = s
        .store()
        .members_without_password(&MemberScope::Branches(vec![leeds]))
        .await
        .unwrap();
    assert_eq!(in_leeds.len(), MEMBERS.div_ceil(3));
    let history = s.store().member(in_leeds[0], None).await.unwrap().unwrap();
    assert_eq!(
        history
            .status_history
            .iter()
            .map(|h| h.to)
            .collect::<Vec<_>>(),
        [
            MemberStatus::Active,
            MemberStatus::Lapsed,
            MemberStatus::Active
        ],
        "member 5001 lapsed once and came back"
    );

    // 4. The next day the national secretary calls Leeds's general meeting for 16 days on,
    //    past clause 6.1's 14 clear days; its notice goes out at once.
    s.clock.set(midday(founded + Duration::days(1)));
    let founder = s
        .store()
        .credentials(FOUNDER)
        .await
        .unwrap()
        .unwrap()
        .member;
    let secretary = s.app.actor(founder).await.unwrap();
    let meeting_day = founded + Duration::days(17);
    let called = s
        .app
        .call_meeting(
            &secretary,
            &MeetingRequest {
                body: "branch-meeting".into(),
                unit: Some(leeds),
                kind: "general-meeting".into(),
                title: "Leeds branch: first general meeting".into(),
                starts_at: Some(Utc.from_utc_datetime(&meeting_day.and_hms_opt(18, 0, 0).unwrap())),
                ends_at: None,
                mode: "physical".into(),
                place: Some("Chapeltown Community Centre".into()),
                online_url: None,
                agenda: "1. Appointment of the branch officers".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(called.short_notice, None);
    s.deliver().await;
    let notices = s
        .sink
        .messages()
        .iter()
        .filter(|m| m.body().contains("Chapeltown Community Centre"))
        .count();
    assert_eq!(
        notices,
        in_leeds.len(),
        "every Leeds member is given notice"
    );

    // 5. Two days on, a member proposes Member0 as branch secretary; another seconds it.
    s.clock.set(midday(founded + Duration::days(3)));
    let offices = s.store().offices(Some(leeds), s.app.today()).await.unwrap();
    let secretary_office = offices
        .iter()
        .find(|o| o.kind == OfficeKind::Secretary)
        .unwrap()
        .id;
    let (appointee, proposer, seconder) = (in_leeds[0], in_leeds[1], in_leeds[2]);
    let motion = s
        .app
        .propose_appointment(
            &s.app.actor(proposer).await.unwrap(),
            called.id,
            &AppointmentRequest {
                office: secretary_office,
                member: appointee,
                text: None,
            },
        )
        .await
        .unwrap();
    s.app
        .second_motion(&s.app.actor(seconder).await.unwrap(), motion)
        .await
        .unwrap();

    // 6. The meeting sits: a quorum (a tenth of the branch) is checked in and the motion
    //    is carried. The appointment binds because the meeting was properly convened.
    s.clock
        .set(Utc.from_utc_datetime(&meeting_day.and_hms_opt(18, 30, 0).unwrap()));
    let secretary = s.app.actor(founder).await.unwrap();
    let present = &in_leeds[..40];
    for m in present {
        s.app
            .check_in(&secretary, called.id, Some(*m), None)
            .await
            .unwrap();
    }
    let result = s
        .app
        .record_vote(&secretary, motion, 38, 1, 1, None)
        .await
        .unwrap();
    assert!(format!("{result:?}").starts_with("Adopted"), "{result:?}");
    s.clock.set(midday(meeting_day + Duration::days(1)));
    let appointed = s.app.actor(appointee).await.unwrap();
    assert_eq!(
        appointed
            .offices
            .iter()
            .map(|o| (o.kind, o.unit))
            .collect::<Vec<_>>(),
        [(OfficeKind::Secretary, leeds)]
    );

    // The branch's page shows its secretary and the decision the office came from.
    s.sign_in(FOUNDER, FOUNDER_PASSWORD).await;
    s.goto(&format!("/units/{}", leeds.0)).await;
    s.wait_for_text("main", "Member0 Tenant0").await;
    s.wait_for_text("main", "appointed by motion").await;

    // 7. The national secretary invites every member without a password.
    s.goto("/invitations").await;
    s.click("form[action='/invitations'] button").await;
    s.wait_for_text(".notice", "on their way").await;
    s.sign_out().await;
    s.deliver().await;
    let invitations = s
        .sink
        .messages()
        .iter()
        .filter(|m| m.body().contains("/set-password/"))
        .count();
    assert_eq!(
        invitations, MEMBERS,
        "one invitation to every member imported"
    );

    // 8. A member chooses a password from their letter, signs in, forgets it, resets it.
    let member = in_leeds[5];
    let email = s.email_of(member).await;
    let link = s.link_for(0, &email, "/set-password/").await;
    s.choose_password(&link, "my first real password").await;
    s.sign_in(&email, "my first real password").await;
    s.sign_out().await;
    s.goto("/sign-in").await;
    s.click("a[href='/forgot-password']").await;
    s.wait_for_path("/forgot-password").await;
    let seen = s.sink.messages().len();
    s.fill("email", &email).await;
    s.click("main form button[type=submit]").await;
    s.wait_for_text("#sent", "on its way").await;
    let link = s.link_for(seen, &email, "/set-password/").await;
    s.choose_password(&link, "my second real password").await;
    s.goto("/sign-in").await;
    s.fill("email", &email).await;
    s.fill("password", "my first real password").await;
    s.click("main form button[type=submit]").await;
    s.wait_for_text("#sign-in-error", "wrong").await;
    s.sign_in(&email, "my second real password").await;
    s.sign_out().await;

    // 9. Someone applies to join Leeds from the form linked on the sign-in page.
    s.goto("/sign-in").await;
    s.click("a[href='/join']").await;
    s.wait_for_path("/join").await;
    s.fill("first_name", "Grace").await;
    s.fill("last_name", "Newcomer").await;
    s.fill("email", "grace.newcomer@example.org").await;
    s.fill("postcode", "LS7 3HB").await;
    let leeds_option =
        s.c.find(Locator::XPath(
            "//select[@id='branch']/option[contains(., 'Leeds')]",
        ))
        .await
        .expect("Leeds is offered");
    leeds_option.click().await.unwrap();
    s.click("#consent-box").await;
    s.click("main form button[type=submit]").await;
    s.wait_for_path("/join/received").await;

    // The appointed branch secretary, invited in step 7, sets a password and accepts them.
    let appointee_email = s.email_of(appointee).await;
    let link = s.link_for(0, &appointee_email, "/set-password/").await;
    s.choose_password(&link, "branch secretary password").await;
    s.sign_in(&appointee_email, "branch secretary password")
        .await;
    s.goto("/applications").await;
    s.wait_for_text("main", "Grace Newcomer").await;
    s.click("main a[href^='/applications/']").await;
    s.wait_for_text("h1", "Grace").await;
    s.click("#decision-accept").await;
    s.fill("reason", "welcome to the branch").await;
    s.click("main form button[type=submit]").await;
    s.wait_for_text(".notice", "Application accepted").await;
    s.sign_out().await;

    // Her welcome letter carries her invitation: she chooses a password and signs in.
    let link = s
        .link_for(0, "grace.newcomer@example.org", "/set-password/")
        .await;
    let welcome = s
        .sink
        .messages()
        .into_iter()
        .rev()
        .find(|m| m.body().contains(&link))
        .unwrap();
    assert!(
        welcome
            .decoded_header("Subject")
            .is_some_and(|s| s.contains("Welcome")),
        "{:?}",
        welcome.decoded_header("Subject")
    );
    s.choose_password(&link, "a newcomer's password").await;
    s.sign_in("grace.newcomer@example.org", "a newcomer's password")
        .await;
    s.sign_out().await;

    // 10. A member resigns from "My membership", after a confirmation step.
    s.sign_in(&email, "my second real password").await;
    s.goto("/me/resign").await;
    s.fill("reason", "moving abroad").await;
    s.click("#confirm").await;
    s.click("main form button[type=submit]").await;
    s.wait_for_path("/resigned").await;
    let record = s.store().member(member, None).await.unwrap().unwrap();
    assert_eq!(record.record.status, MemberStatus::Resigned);
    // Signing in is closed to them now.
    s.goto("/sign-in").await;
    s.fill("email", &email).await;
    s.fill("password", "my second real password").await;
    s.click("main form button[type=submit]").await;
    s.wait_for_text("main", "resigned").await;
    s.deliver().await;
    assert!(
        s.sink
            .messages()
            .iter()
            .any(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(&email))
                && m.decoded_header("Subject")
                    .is_some_and(|s| s.contains("resigned"))),
        "the member is told of their resignation"
    );
    s.c.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisation_adopts_charter_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("charter.db").display()
    );
    let store = charter_cli::backend::open_store(&url).await.unwrap();
    the_whole_story(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisation_adopts_charter_on_postgres() {
    let Some(db) = fresh_database().await else {
        return;
    };
    let store = charter_cli::backend::open_store(db.url()).await.unwrap();
    the_whole_story(store).await;
}
