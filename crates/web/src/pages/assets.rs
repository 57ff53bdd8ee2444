//! The one stylesheet, compiled into the binary and served with a long cache lifetime. Pages
//! link it with a version derived from its content, so a changed stylesheet is fetched anew.

use std::sync::OnceLock;

use axum::http::header;
use axum::response::IntoResponse;

pub const CSS_PATH: &str = "/static/charter.css";

const CSS: &str = include_str!("../../static/charter.css");

/// `/static/charter.css?v=<content hash>`.
pub fn css_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| format!("{CSS_PATH}?v={:08x}", fnv1a(CSS.as_bytes())))
}

/// FNV-1a, 32 bits: enough to tell stylesheet versions apart, not a security measure.
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
