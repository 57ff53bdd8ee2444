//! The one stylesheet, the ballot encryption script and the voting page's script, compiled into the binary and served
//! with a long cache lifetime. Pages link them with a version derived from their content, so
//! a changed file is fetched anew.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;

pub const CSS_PATH: &str = "/static/charter.css";

const CSS: &str = include_str!("../../static/charter.css");

pub const JS_PATH: &str = "/static/ballot-crypto.js";

/// Ballot encryption in the browser (`window.CharterBallot`); our own code, cross-tested
/// against `charter-ballot-crypto` in `tests/browser_ballot_crypto.rs`.
const JS: &str = include_str!("../../static/ballot-crypto.js");

pub const VOTE_JS_PATH: &str = "/static/vote.js";

/// The voting page's behaviour for a verifiable ballot: reads the credential from the
/// address's fragment, encrypts with `ballot-crypto.js`, and offers Benaloh's check.
const VOTE_JS: &str = include_str!("../../static/vote.js");

/// `/static/charter.css?v=<content hash>`.
pub fn css_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| format!("{CSS_PATH}?v={:08x}", fnv1a(CSS.as_bytes())))
}

/// `/static/ballot-crypto.js?v=<content hash>`, for a `<script src>` (the CSP allows
/// scripts from this origin only, never inline).
pub fn js_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| format!("{JS_PATH}?v={:08x}", fnv1a(JS.as_bytes())))
}

/// `/static/vote.js?v=<content hash>`.
pub fn vote_js_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| format!("{VOTE_JS_PATH}?v={:08x}", fnv1a(VOTE_JS.as_bytes())))
}

/// FNV-1a, 32 bits: enough to tell file versions apart, not a security measure.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        CSS,
    )
}

pub async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        JS,
    )
}

pub async fn vote_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        VOTE_JS,
    )
}
