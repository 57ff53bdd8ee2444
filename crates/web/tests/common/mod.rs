//! The real application on `127.0.0.1:0` over a fresh database holding a small demo
//! organisation, and a plain HTTP client that keeps the session cookie.
//!
//! ```ignore
//! mod common;
//! use common::{Backend, TestApp};
//!
//! both_backends!(directory_needs_sign_in, |app| async move {
//!     let res = app.client().get("/api/v1/members").await;
//!     assert_eq!(res.status, 401);
//! });
//! ```
//!
//! Every test gets its own database and server, so tests run in parallel and never see each
//! other's writes. PostgreSQL tests skip loudly (and fail on CI) when no server is available.

#![allow(dead_code)]

pub mod ballots;
pub mod sealed;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use charter_app::{App, FixedClock, Settings};
use charter_demo::{DemoOptions, DemoOrg, DemoSignIn, DemoSignIns};
use charter_store::Store;
use charter_web::{AppState, WebConfig};
use chrono::{DateTime, NaiveDate, Utc};
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// Members in the test organisation: enough for every office, seat and demo account plus a
/// few hundred ordinary members, so a test's setup takes well under a second.
pub const TEST_MEMBERS: u32 = 400;

/// The demo roles, as `charter demo` prints them.
pub const NATIONAL: &str = "national-officer";
pub const REGIONAL: &str = "regional-officer";
pub const BRANCH_SECRETARY: &str = "branch-secretary";
pub const TREASURER: &str = "treasurer";
pub const DPO: &str = "data-protection-officer";
pub const MEMBER: &str = "member";
pub const ROLES: [&str; 6] = [NATIONAL, REGIONAL, BRANCH_SECRETARY, TREASURER, DPO, MEMBER];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

/// The demo's `today` at noon: every test sees the same date.
pub fn today() -> NaiveDate {
    DemoOptions::default().today
}

pub fn now() -> DateTime<Utc> {
    today()
        .and_hms_opt(12, 0, 0)
        .expect("noon exists")
        .and_utc()
}

pub struct TestApp {
    pub backend: Backend,
    pub base_url: String,
    pub addr: SocketAddr,
    /// The state the server runs with: use `state.app` to check what a request changed.
    pub state: AppState,
    pub org: DemoOrg,
    pub accounts: DemoSignIns,
    server: tokio::task::JoinHandle<()>,
    /// Keeps a PostgreSQL test database alive (and drops it with the app).
    _db: Option<Box<dyn std::any::Any + Send + Sync>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    /// A fresh database with the demo organisation and a server for it, or `None` (after a loud
    /// SKIPPED line) when the backend cannot run here.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, WebConfig::default()).await
    }

    pub async fn spawn_with(backend: Backend, config: WebConfig) -> Option<TestApp> {
        let (store, db) = store(backend).await?;
        store.migrate().await.expect("migrations run");
        let org = charter_demo::generate(DemoOptions {
            members: TEST_MEMBERS,
            ..DemoOptions::default()
        });
        let accounts = charter_demo::load(store.as_ref(), &org, &|_, _| {})
            .await
            .expect("demo organisation loads");
        let app = App::new(store, Arc::new(FixedClock(now())), Settings::default());
        charter_demo::load_constitution(&app, app.today())
            .await
            .expect("demo constitution loads");
        charter_demo::load_meetings(&app, app.today())
            .await
            .expect("demo meetings load");
        charter_demo::load_ballots(&app, &accounts)
            .await
            .expect("demo ballots load");
        let state = AppState::new(app, config);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind port 0");
        let addr = listener.local_addr().expect("local address");
        let router = charter_web::app(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("server runs");
        });
        Some(TestApp {
            backend,
            base_url: format!("http://{addr}"),
            addr,
            state,
            org,
            accounts,
            server,
            _db: db,
        })
    }

    pub fn app(&self) -> &App {
        &self.state.app
    }

    pub fn store(&self) -> &dyn Store {
        self.state.app.store().as_ref()
    }

    /// The demo account for `role` (see [`ROLES`]).
    pub fn account(&self, role: &str) -> &DemoSignIn {
        self.accounts
            .by_role(role)
            .unwrap_or_else(|| panic!("no demo account for role {role}"))
    }

    /// A client with no session.
    pub fn client(&self) -> TestClient {
        TestClient::new(&self.base_url)
    }

    /// A client signed in as the demo account for `role`. The session is opened through the
    /// application (not the sign-in route), so it spends none of the sign-in rate limit.
    pub async fn sign_in(&self, role: &str) -> TestClient {
        let account = self.account(role);
        let (token, record) = self
            .state
            .app
            .sign_in(&account.email, account.password.clone().into())
            .await
            .unwrap_or_else(|e| panic!("demo sign-in for {role} fails: {e}"));
        let client = self.client();
        {
            use secrecy::ExposeSecret;
            client.set_cookie(charter_web::session::COOKIE_NAME, token.0.expose_secret());
        }
        *client.csrf.lock().expect("csrf lock") = Some(record.csrf_token);
        client
    }

    /// Gives any member a password (test setup, through the store) and returns their
    /// (email, password) for signing in.
    pub async fn give_password(&self, member: charter_domain::MemberId) -> (String, String) {
        let store = self.store();
        let contacts = store.member_contacts(&[member]).await.unwrap();
        let email = contacts
            .first()
            .map(|c| c.2.clone())
            .unwrap_or_else(|| panic!("member {} has no email", member.0));
        let password = "a test password for this member".to_string();
        store
            .set_password(
                member,
                &charter_app::auth::hash_password(&password).unwrap(),
            )
            .await
            .unwrap();
        (email, password)
    }

    /// A client signed in as any member, through the application as `sign_in` does.
    /// The text of the version in force, renamed `version` and taking effect `days` from
    /// today: an amendment that changes nothing else, to propose.
    pub async fn amendment_text(&self, version: &str, days: u64) -> String {
        let app = self.app();
        let (info, _) = app
            .constitution_in_force(today())
            .await
            .expect("a version in force");
        let (_, toml) = app.constitution_text(info.id).await.expect("its text");
        let effective = today() + chrono::Days::new(days);
        toml.lines()
            .map(|l| {
                if l.starts_with("version = ") {
                    format!("version = \"{version}\"")
                } else if l.starts_with("effective = ") {
                    format!("effective = {effective}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Sets a member's status as a body's binding decision does (test setup: no officer can
    /// suspend or expel through the API, so tests that need such a member record it here).
    pub async fn decided_status(
        &self,
        member: charter_domain::MemberId,
        to: charter_domain::MemberStatus,
    ) {
        let store = self.store();
        let current = store
            .member(member, None)
            .await
            .expect("member reads")
            .expect("member exists")
            .record
            .status;
        store
            .change_status(
                member,
                current,
                &charter_store::StatusChangeInput {
                    from: Some(current),
                    to,
                    effective_on: today(),
                    reason: "by decision of the national committee".into(),
                    changed_by: None,
                },
                &charter_store::NewEvent {
                    at: now(),
                    actor: charter_store::EventActor {
                        member: None,
                        office: Some("test: a body's decision".into()),
                    },
                    kind: "member.status_changed".into(),
                    subject: format!("member:{}", member.0),
                    payload: "{}".into(),
                    reason: "by decision of the national committee".into(),
                },
            )
            .await
            .expect("status changes");
    }

    pub async fn sign_in_member(&self, member: charter_domain::MemberId) -> TestClient {
        let (email, password) = self.give_password(member).await;
        let (token, record) = self
            .state
            .app
            .sign_in(&email, password.into())
            .await
            .unwrap_or_else(|e| panic!("sign-in for member {} fails: {e}", member.0));
        let client = self.client();
        {
            use secrecy::ExposeSecret;
            client.set_cookie(charter_web::session::COOKIE_NAME, token.0.expose_secret());
        }
        *client.csrf.lock().expect("csrf lock") = Some(record.csrf_token);
        client
    }
}

async fn store(
    backend: Backend,
) -> Option<(Arc<dyn Store>, Option<Box<dyn std::any::Any + Send + Sync>>)> {
    match backend {
        Backend::Sqlite => {
            let store = charter_store_sqlite::SqliteStore::connect("sqlite::memory:")
                .await
                .expect("in-memory SQLite opens");
            Some((Arc::new(store), None))
        }
        Backend::Postgres => {
            // Skips loudly (or fails on CI) when no PostgreSQL server is configured.
            let db = charter_test_support::fresh_database().await?;
            let store = charter_store_postgres::PgStore::connect(db.url())
                .await
                .expect("the test database accepts connections");
            Some((Arc::new(store), Some(Box::new(db))))
        }
    }
}

/// A response read in full.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl TestResponse {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; panics with the body when it is not.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} response is not JSON ({e}): {}",
                self.status,
                self.text()
            )
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The API error code, checking the error shape on the way.
    pub fn error_code(&self) -> String {
        let v = self.json();
        let err = v
            .get("error")
            .unwrap_or_else(|| panic!("no error object: {v}"));
        assert!(err["message"].is_string(), "error without message: {v}");
        assert!(err["fields"].is_object(), "error without fields: {v}");
        err["code"]
            .as_str()
            .unwrap_or_else(|| panic!("error without code: {v}"))
            .to_string()
    }
}

/// A plain HTTP/1 client that keeps cookies set by the server (no redirects followed).
#[derive(Clone)]
pub struct TestClient {
    base: String,
    http: Client<HttpConnector, Full<Bytes>>,
    cookies: Arc<Mutex<Vec<(String, String)>>>,
    /// The session's CSRF token, for forms (set by [`TestApp::sign_in`] or the API sign-in).
    pub csrf: Arc<Mutex<Option<String>>>,
}

impl TestClient {
    pub fn new(base: &str) -> Self {
        TestClient {
            base: base.to_string(),
            http: Client::builder(TokioExecutor::new()).build_http(),
            cookies: Arc::new(Mutex::new(Vec::new())),
            csrf: Arc::new(Mutex::new(None)),
        }
    }

    pub fn csrf_token(&self) -> Option<String> {
        self.csrf.lock().expect("csrf lock").clone()
    }

    pub fn set_cookie(&self, name: &str, value: &str) {
        let mut jar = self.cookies.lock().expect("cookie lock");
        jar.retain(|(n, _)| n != name);
        if !value.is_empty() {
            jar.push((name.to_string(), value.to_string()));
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .lock()
            .expect("cookie lock")
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Method::GET, path, &[], Bytes::new()).await
    }

    pub async fn delete(&self, path: &str) -> TestResponse {
        self.send(Method::DELETE, path, &[], Bytes::new()).await
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> TestResponse {
        self.json(Method::POST, path, body).await
    }

    pub async fn patch_json(&self, path: &str, body: &serde_json::Value) -> TestResponse {
        self.json(Method::PATCH, path, body).await
    }

    pub async fn json(&self, method: Method, path: &str, body: &serde_json::Value) -> TestResponse {
        self.send(
            method,
            path,
            &[("content-type", "application/json")],
            Bytes::from(body.to_string()),
        )
        .await
    }

    /// Posts a form (`application/x-www-form-urlencoded`) as a browser would.
    pub async fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send(
            Method::POST,
            path,
            &[("content-type", "application/x-www-form-urlencoded")],
            Bytes::from(body),
        )
        .await
    }

    /// Any request: raw body bytes and extra headers, for bad-input tests.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> TestResponse {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("{}{}", self.base, path));
        let cookie_header = {
            let jar = self.cookies.lock().expect("cookie lock");
            jar.iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        if !cookie_header.is_empty() {
            req = req.header(header::COOKIE, cookie_header);
        }
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let req = req.body(Full::new(body)).expect("request builds");
        let res = self.http.request(req).await.expect("request is answered");
        let status = res.status();
        let headers = res.headers().clone();
        for value in headers.get_all(header::SET_COOKIE) {
            self.store_cookie(value);
        }
        let body = res
            .into_body()
            .collect()
            .await
            .expect("response body reads")
            .to_bytes();
        TestResponse {
            status,
            headers,
            body,
        }
    }

    fn store_cookie(&self, value: &HeaderValue) {
        let Ok(v) = value.to_str() else { return };
        let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
        let Some((name, value)) = pair.split_once('=') else {
            return;
        };
        let expired = attrs
            .split(';')
            .any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
        if expired {
            self.set_cookie(name.trim(), "");
        } else {
            self.set_cookie(name.trim(), value.trim());
        }
    }
}

fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Runs a test body against both backends: `both_backends!(name, |app| async move { … })`
/// makes `name::sqlite` and `name::postgres`, each with its own [`TestApp`].
#[macro_export]
macro_rules! both_backends {
    ($name:ident, |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: $crate::common::TestApp) {
                $body.await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) =
                    $crate::common::TestApp::spawn($crate::common::Backend::Sqlite).await
                {
                    run(app).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) =
                    $crate::common::TestApp::spawn($crate::common::Backend::Postgres).await
                {
                    run(app).await;
                }
            }
        }
    };
}
