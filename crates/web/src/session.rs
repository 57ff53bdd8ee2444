//! Sessions: an opaque random token in an HttpOnly, SameSite=Lax cookie; the database keeps
//! only its hash. Forms carry the session's CSRF token; API writes must be JSON (which a
//! cross-site form cannot send) and, when the browser says where it came from, same-origin.
//!
//! What a session reaches is a property of the session, decided by the app from the
//! member's status on every request ([`SignIn`]). The ordinary extractors — [`PageUser`],
//! [`ApiUser`] and [`OptionalUser`] — accept only a member's full session and refuse a
//! restricted one (a suspended or expelled member, an applicant) with a 403, so every route
//! refuses them by default. Only the routes about a person's own record opt in, by taking
//! [`OwnRecordUser`] or [`ApiOwnRecordUser`]: "My membership" with its access log, their own
//! password, email address and two-factor sign-in, signing out and resigning. A discipline
//! case's page, once there is one, opts in the same way.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use charter_app::AppError;
use charter_domain::{Actor, SignIn};
use charter_model::{MeetingId, SessionRecord};
use cookie::{Cookie, SameSite};

use crate::AppState;
use crate::error::WebError;

pub const COOKIE_NAME: &str = "charter_session";

/// The signed-in member for this request, resolved once by [`resolve_session`].
#[derive(Clone)]
pub struct CurrentSession {
    pub token: String,
    pub record: SessionRecord,
    pub actor: Actor,
    /// What this session may reach; anything but [`SignIn::Member`] is restricted to the
    /// member's own record.
    pub access: SignIn,
    /// An office holder who must turn on two-factor sign-in before using their offices:
    /// `actor` holds no powers, and pages send them to enrol.
    pub must_enrol: bool,
}

impl CurrentSession {
    pub fn restricted(&self) -> bool {
        self.access != SignIn::Member
    }
}

/// Why a restricted session is refused, in the words the 403 carries.
pub const RESTRICTED: &str = "your sign-in reaches only your own record and who has read it (My membership): \
    your membership is suspended, has ended, or has not yet been accepted";

fn restricted_refusal() -> AppError {
    AppError::Forbidden(RESTRICTED.into())
}

/// The refusal of a restricted session: a page for pages, the API's error shape under /api/.
fn refuse_restricted(parts: &Parts, session: &CurrentSession) -> Response {
    if parts.uri.path().starts_with("/api/") {
        WebError::App(restricted_refusal()).into_response()
    } else {
        crate::pages::error_page(Some(session), WebError::App(restricted_refusal()))
    }
}

fn session_in(parts: &Parts) -> Option<CurrentSession> {
    parts
        .extensions
        .get::<MaybeSession>()
        .and_then(|m| m.0.as_deref().cloned())
}

/// Where an office holder who must enrol in two-factor sign-in is sent.
pub const ENROL_PATH: &str = "/me/two-factor";

/// Addresses a member who must enrol may still use: enrolment itself and signing out.
fn allowed_before_enrolment(path: &str) -> bool {
    path == ENROL_PATH
        || path.starts_with("/me/two-factor/")
        || path == "/sign-out"
        || path == "/api/v1/session"
        || path.starts_with("/api/v1/me/two-factor")
}

/// The request's session, if any, as [`resolve_session`] found it: shared, so the layers that
/// look at it on every request (the error pages) take it without copying it.
#[derive(Clone, Default)]
pub struct MaybeSession(pub Option<Arc<CurrentSession>>);

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| Cookie::split_parse(v.to_string()).filter_map(Result::ok))
        .find(|c| c.name() == COOKIE_NAME)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// Looks up the session cookie once per request and leaves the result in the extensions.
pub async fn resolve_session(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let mut found = MaybeSession::default();
    if let Some(token) = session_token(req.headers()) {
        match state.app.session(&token).await {
            Ok(Some(signed)) => {
                found = MaybeSession(Some(Arc::new(CurrentSession {
                    token,
                    record: signed.record,
                    actor: signed.actor,
                    access: signed.access,
                    must_enrol: signed.must_enrol_two_factor,
                })))
            }
            Ok(None) => {}
            Err(e) => return WebError::App(e).into_response(),
        }
    }
    req.extensions_mut().insert(found);
    next.run(req).await
}

/// The cookie that carries a new session.
pub fn session_cookie(token: &str, secure: bool, max_age_hours: i64) -> String {
    Cookie::build((COOKIE_NAME, token.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::hours(max_age_hours))
        .build()
        .to_string()
}

/// The cookie that clears the session.
pub fn clear_cookie(secure: bool) -> String {
    Cookie::build((COOKIE_NAME, ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::ZERO)
        .build()
        .to_string()
}

/// Any signed-in person for API routes, restricted or not, with writes same-origin.
fn api_session(parts: &Parts) -> Result<CurrentSession, WebError> {
    let session = session_in(parts).ok_or(WebError::App(AppError::Unauthenticated))?;
    if is_write(&parts.method) && !same_origin(&parts.headers) {
        return Err(WebError::Csrf);
    }
    Ok(session)
}

/// A member signed in with a full session, for API routes; otherwise a 401 (not signed in)
/// or a 403 (a restricted session) in the API's error shape.
pub struct ApiUser(pub CurrentSession);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let session = api_session(parts)?;
        if session.restricted() {
            return Err(WebError::App(restricted_refusal()));
        }
        if session.must_enrol && !allowed_before_enrolment(parts.uri.path()) {
            return Err(WebError::App(charter_app::AppError::Forbidden(
                charter_app::two_factor::NEEDS_ENROLMENT.into(),
            )));
        }
        Ok(ApiUser(session))
    }
}

/// Anyone signed in, restricted or not, for the API routes about their own record only.
pub struct ApiOwnRecordUser(pub CurrentSession);

impl<S: Send + Sync> FromRequestParts<S> for ApiOwnRecordUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        api_session(parts).map(ApiOwnRecordUser)
    }
}

/// The way back to the sign-in page, and from there to the page asked for.
fn to_sign_in(parts: &Parts) -> Response {
    let next = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let target = format!("/sign-in?next={}", url_encode(&next));
    Redirect::to(&target).into_response()
}

/// A member signed in with a full session, for pages; otherwise a redirect to the sign-in
/// page and back, or a 403 page for a restricted session.
pub struct PageUser(pub CurrentSession);

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match session_in(parts) {
            Some(s) if s.restricted() => Err(refuse_restricted(parts, &s)),
            Some(s) if s.must_enrol && !allowed_before_enrolment(parts.uri.path()) => {
                Err(Redirect::to(ENROL_PATH).into_response())
            }
            Some(s) => Ok(PageUser(s)),
            None => Err(to_sign_in(parts)),
        }
    }
}

/// Anyone signed in, restricted or not, for the pages about their own record only.
pub struct OwnRecordUser(pub CurrentSession);

impl<S: Send + Sync> FromRequestParts<S> for OwnRecordUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        session_in(parts)
            .map(OwnRecordUser)
            .ok_or_else(|| to_sign_in(parts))
    }
}

/// The optional session, for pages that anyone may see and that look different when signed
/// in. A restricted session is refused here too: it reaches only its own record.
pub struct OptionalUser(pub Option<CurrentSession>);

impl<S: Send + Sync> FromRequestParts<S> for OptionalUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        match session_in(parts) {
            Some(s) if s.restricted() => Err(refuse_restricted(parts, &s)),
            found => Ok(OptionalUser(found)),
        }
    }
}

/// Whoever is signed in, restricted or not, for the start and sign-in pages (which only send
/// a signed-in person on to "My membership") and the page for an unknown address.
pub struct AnySession(pub Option<CurrentSession>);

impl<S: Send + Sync> FromRequestParts<S> for AnySession {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(AnySession(session_in(parts)))
    }
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// True unless the browser says the request came from another origin.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or("");
    origin_host == host
}

/// Checks a form's CSRF token against the session's, in constant time.
pub fn check_csrf(
    session: &CurrentSession,
    submitted: &str,
    headers: &HeaderMap,
) -> Result<(), WebError> {
    if constant_time_eq(&session.record.csrf_token, submitted) && same_origin(headers) {
        Ok(())
    } else {
        Err(WebError::Csrf)
    }
}

/// Compares two secrets without stopping at the first difference (`subtle`: the comparison
/// the ballot cryptography's curve library uses too).
pub fn constant_time_eq(expected: &str, given: &str) -> bool {
    use subtle::ConstantTimeEq;
    expected.as_bytes().ct_eq(given.as_bytes()).into()
}

/// The client's address, for limits: the peer's address, or, when the peer is a trusted
/// proxy, the nearest address in `X-Forwarded-For` that is not one (each proxy appends the
/// address it heard from, so addresses to the left of an untrusted one could be forged).
/// Unspecified when unknown (a router called without a socket, in tests).
pub fn client_ip(state: &AppState, ext: &axum::http::Extensions, headers: &HeaderMap) -> IpAddr {
    let peer = ext
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    forwarded_client(peer, headers, &state.config.trusted_proxies)
}

/// [`client_ip`] given the peer's address and the trusted proxies.
pub fn forwarded_client(peer: IpAddr, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&canonical(*ip)));
    if !is_trusted(&peer) {
        return canonical(peer);
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = canonical(peer);
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            Some(ip) if is_trusted(&ip) => client = ip,
            Some(ip) => return ip,
            // A hop that does not read stops the walk: nothing left of it can be believed.
            None => return client,
        }
    }
    client
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// One `X-Forwarded-For` entry: an address, perhaps with a port or in brackets.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    if let Ok(sock) = hop.parse::<SocketAddr>() {
        return Some(canonical(sock.ip()));
    }
    hop.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|h| h.parse::<IpAddr>().ok())
        .map(canonical)
}

/// Parses `--trusted-proxy` values: addresses or CIDR ranges, separated by commas.
pub fn parse_trusted_proxies(raw: &str) -> Result<Vec<ipnet::IpNet>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    format!("trusted proxy '{s}' is not an address or a range like 10.0.0.0/8")
                })
        })
        .collect()
}

/// Allows a sign-in attempt unless this (account, address) pair is backing off after
/// failures or the address has reached its ceiling. Another address's failures never count.
pub fn sign_in_allowed(state: &AppState, ip: IpAddr, email: &str) -> Result<(), WebError> {
    state
        .sign_in_limits
        .check(email, ip, std::time::Instant::now())
        .map_err(WebError::RateLimited)
}

/// Records how a sign-in attempt went, for [`sign_in_allowed`].
pub fn sign_in_outcome(state: &AppState, ip: IpAddr, email: &str, ok: bool) {
    if ok {
        state.sign_in_limits.succeeded(email, ip);
    } else {
        state
            .sign_in_limits
            .failed(email, ip, std::time::Instant::now());
    }
}

/// Checks a member in to a meeting, with the code they typed when checking themselves in.
/// Wrong codes back off per member and meeting (after a few, each wait doubles), so the
/// code cannot be guessed from home; nobody's guesses slow anyone else, however many share
/// the hall's connection.
pub async fn check_in(
    state: &AppState,
    actor: &Actor,
    meeting: MeetingId,
    member: Option<charter_domain::MemberId>,
    code: Option<&str>,
) -> Result<(), WebError> {
    let key = format!("check-in:{}:{meeting}", actor.member.0);
    // The key is the member's own: the address plays no part.
    let nowhere = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
    state
        .check_in_limits
        .check(&key, nowhere, std::time::Instant::now())
        .map_err(WebError::RateLimited)?;
    match state.app.check_in(actor, meeting, member, code).await {
        Err(AppError::Invalid(fields)) if fields.0.contains_key("code") => {
            state
                .check_in_limits
                .failed(&key, nowhere, std::time::Instant::now());
            Err(WebError::App(AppError::Invalid(fields)))
        }
        Err(e) => Err(e.into()),
        Ok(()) => {
            state.check_in_limits.succeeded(&key, nowhere);
            Ok(())
        }
    }
}

/// Allows an application to join within the client address's budget. Kept per address
/// only: no email or branch is a key, so nobody can spend someone else's budget.
pub fn joining_allowed(state: &AppState, ip: IpAddr) -> Result<(), WebError> {
    state
        .applications_by_ip
        .check_key(&ip)
        .map_err(|_| WebError::TooManyApplications)
}

/// Everything but letters, digits and `-_.~/` is percent-encoded in a query parameter.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a path for a query parameter.
pub fn url_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// The longest `next` followed after sign-in.
const MAX_NEXT: usize = 2_048;

/// Only a path on this site is followed after sign-in, so `next` cannot send people
/// elsewhere: it must begin with one `/` and hold no control character (browsers drop tabs
/// and newlines, so `/\t/evil` would become `//evil`, another site), no backslash (read as
/// `/`), and no `//` at its start once anything a browser ignores is gone. Anything else
/// outside visible ASCII is percent-encoded, so the answer is always a valid header value.
pub fn safe_next(next: Option<&str>) -> String {
    let home = || "/".to_string();
    let Some(n) = next else { return home() };
    if n.len() > MAX_NEXT || !n.starts_with('/') || n.chars().any(|c| c.is_control() || c == '\\') {
        return home();
    }
    let stripped: String = n.chars().filter(|c| !c.is_whitespace()).collect();
    if stripped.starts_with("//") {
        return home();
    }
    let mut out = String::with_capacity(n.len());
    for c in n.chars() {
        if c.is_ascii_graphic() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_compare_equal_only_when_equal() {
        assert!(constant_time_eq("abc123", "abc123"));
        assert!(!constant_time_eq("abc123", "abc124"));
        assert!(!constant_time_eq("abc123", "abc12"));
        assert!(!constant_time_eq("", "a"));
        assert!(constant_time_eq("", ""));
    }

    #[test]
    fn a_path_is_encoded_for_a_query_parameter() {
        assert_eq!(url_encode("/ballots/3?x=1&y"), "/ballots/3%3Fx%3D1%26y");
        assert_eq!(url_encode("/members/Zoë a"), "/members/Zo%C3%AB%20a");
        assert_eq!(url_encode("a-b_c.d~e"), "a-b_c.d~e");
    }

    #[test]
    fn next_is_local_only() {
        assert_eq!(safe_next(Some("/members?q=a")), "/members?q=a");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        // Browsers drop tabs and newlines: "/\t/evil" would be "//evil", another site.
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/");
        assert_eq!(safe_next(Some("/\r\n/evil.example")), "/");
        assert_eq!(safe_next(Some("/meetings\nSet-Cookie: x=y")), "/");
        assert_eq!(safe_next(Some("/ /evil.example")), "/");
        assert_eq!(safe_next(Some("/\u{0}/evil")), "/");
        // Non-ASCII is kept, encoded, so the answer is always a header value.
        assert_eq!(safe_next(Some("/members?q=Zoë")), "/members?q=Zo%C3%AB");
        assert_eq!(safe_next(Some("/a b")), "/a%20b");
    }

    proptest::proptest! {
        /// Whatever `next` holds, the answer is a header value and, read by a browser's URL
        /// parser against this site, stays on this site.
        #[test]
        fn next_never_leaves_the_site(next in "\\PC*|/[\\t\\n\\r /\\\\a-z.%:@?#]{0,12}") {
            let out = safe_next(Some(&next));
            proptest::prop_assert!(axum::http::HeaderValue::from_str(&out).is_ok(), "{out:?}");
            let base = url::Url::parse("https://charter.example.org/sign-in").unwrap();
            let went = base.join(&out).unwrap();
            proptest::prop_assert_eq!(went.host_str(), Some("charter.example.org"), "{:?} -> {}", next, went);
            proptest::prop_assert_eq!(went.scheme(), "https");
        }
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let trusted = parse_trusted_proxies("10.0.0.0/8, 192.0.2.1").unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "198.51.100.1, 203.0.113.7".parse().unwrap(),
        );
        // From an untrusted peer the header is ignored: anyone can write it.
        let stranger: IpAddr = "203.0.113.99".parse().unwrap();
        assert_eq!(forwarded_client(stranger, &h, &trusted), stranger);
        assert_eq!(forwarded_client(proxy, &h, &[]), proxy);
        // Behind the proxy, the nearest untrusted hop is the client; a forged hop to its
        // left is not believed.
        assert_eq!(
            forwarded_client(proxy, &h, &trusted),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        h.insert("x-forwarded-for", "203.0.113.7, 10.1.2.3".parse().unwrap());
        assert_eq!(
            forwarded_client(proxy, &h, &trusted),
            "203.0.113.7".parse::<IpAddr>().unwrap()
        );
        h.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(forwarded_client(proxy, &h, &trusted), proxy);
        h.insert("x-forwarded-for", "[2001:db8::1]:443".parse().unwrap());
        assert_eq!(
            forwarded_client(proxy, &h, &trusted),
            "2001:db8::1".parse::<IpAddr>().unwrap()
        );
        assert!(parse_trusted_proxies("10.0.0.0/8,nonsense").is_err());
        assert_eq!(parse_trusted_proxies("").unwrap(), vec![]);
    }

    #[test]
    fn cookies_are_http_only_and_same_site() {
        let c = session_cookie("abc", false, 12);
        assert!(c.contains("HttpOnly"), "{c}");
        assert!(c.contains("SameSite=Lax"), "{c}");
        assert!(!c.contains("Secure"), "{c}");
        assert!(session_cookie("abc", true, 12).contains("Secure"));
    }

    #[test]
    fn cross_origin_writes_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "http://127.0.0.1:8080".parse().unwrap());
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(!same_origin(&h));
    }
}
