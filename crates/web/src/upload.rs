//! Papers in and out over HTTP: reading one uploaded as `multipart/form-data` (the only way a
//! browser form sends a file; axum's extractor parses it, with a size limit), and answering
//! a download so a browser saves it rather than shows it.

use axum::extract::Multipart;
use axum::extract::multipart::MultipartRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use charter_app::AppError;
use charter_app::agenda::{MAX_PAPER_BYTES, PaperFile};

use crate::error::WebError;

/// Largest request body an upload route reads: one paper and a form's few other fields.
/// Everything else keeps [`crate::MAX_BODY_BYTES`].
pub const MAX_UPLOAD_BODY: usize = MAX_PAPER_BYTES + 64 * 1024;

/// Longest text field read beside the file (a CSRF token, an id).
const MAX_TEXT_FIELD: usize = 1024;

/// An uploaded file and the form's text fields.
#[derive(Debug, Default)]
pub struct Upload {
    pub filename: String,
    /// As the client declared it; the app checks it against the content.
    pub content_type: String,
    pub content: Vec<u8>,
    pub fields: Vec<(String, String)>,
}

impl Upload {
    /// A text field's value, empty when absent.
    pub fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

fn too_large() -> WebError {
    WebError::App(AppError::invalid(
        "file",
        "the file is larger than 5 MB; a paper may be at most 5 MB",
    ))
}

/// An upload refused, with the text fields read before the refusal (a page still needs the
/// form's CSRF token and meeting to answer it properly).
pub struct UploadRefused {
    pub fields: Upload,
    pub error: WebError,
}

impl From<UploadRefused> for WebError {
    fn from(r: UploadRefused) -> Self {
        r.error
    }
}

/// Reads one file part named `file`, and the text parts named in `text_fields`. Any other
/// part, a second file, or a file over 5 MB is refused before anything is written.
pub async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
    text_fields: &[&str],
) -> Result<Upload, UploadRefused> {
    let mut upload = Upload::default();
    match read_parts(multipart, text_fields, &mut upload).await {
        Ok(()) => Ok(upload),
        Err(error) => Err(UploadRefused {
            fields: Upload {
                fields: upload.fields,
                ..Upload::default()
            },
            error,
        }),
    }
}

async fn read_parts(
    multipart: Result<Multipart, MultipartRejection>,
    text_fields: &[&str],
    upload: &mut Upload,
) -> Result<(), WebError> {
    let mut multipart = multipart.map_err(|_| {
        WebError::UnsupportedMediaType(
            "send the paper as multipart/form-data with one file part named file".into(),
        )
    })?;
    let mut seen_file = false;
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            WebError::BadRequest(format!(
                "the multipart body could not be read: {}",
                e.body_text()
            ))
        }
    };
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            if seen_file {
                return Err(WebError::BadRequest(
                    "send one file part named file, not several".into(),
                ));
            }
            seen_file = true;
            upload.filename = field.file_name().unwrap_or("").to_string();
            upload.content_type = field.content_type().unwrap_or("").to_string();
            while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                if upload.content.len() + chunk.len() > MAX_PAPER_BYTES {
                    return Err(too_large());
                }
                upload.content.extend_from_slice(&chunk);
            }
        } else if text_fields.contains(&name.as_str()) {
            let text = field.text().await.map_err(unreadable)?;
            if text.len() > MAX_TEXT_FIELD {
                return Err(WebError::BadRequest(format!(
                    "the part named {name} is too long"
                )));
            }
            upload.fields.push((name, text));
        } else {
            return Err(WebError::BadRequest(format!(
                "unexpected part '{name}': send one file part named file"
            )));
        }
    }
    if !seen_file {
        return Err(WebError::App(AppError::invalid(
            "file",
            "choose the paper to circulate: the form has no file part named file",
        )));
    }
    Ok(())
}

/// `filename*` per RFC 8187: UTF-8, percent-encoded outside the attribute characters.
fn ext_value(name: &str) -> String {
    let mut out = String::from("UTF-8''");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The header that makes browsers save the paper under its (already made safe) name.
pub fn content_disposition(filename: &str) -> String {
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*={}",
        ext_value(filename)
    )
}

/// A paper as a download: its stored type (text as UTF-8), saved rather than shown, never
/// sniffed into something else, and sandboxed should a browser open it anyway.
pub fn paper_response(paper: PaperFile) -> Response {
    let r = &paper.record;
    let content_type = if r.content_type.starts_with("text/") {
        format!("{}; charset=utf-8", r.content_type)
    } else {
        r.content_type.clone()
    };
    let value = |s: String| {
        HeaderValue::from_str(&s)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    };
    let mut res = paper.content.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, value(content_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&content_disposition(&r.filename))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment")),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    h.insert(header::ETAG, value(format!("\"{}\"", r.sha256)));
    // A paper may name members: like every page, it is not kept by the browser.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_attachments_with_safe_names() {
        assert_eq!(
            content_disposition("Agenda 2027.pdf"),
            "attachment; filename=\"Agenda 2027.pdf\"; filename*=UTF-8''Agenda%202027.pdf"
        );
        assert_eq!(
            content_disposition("Ré_sumé.txt"),
            "attachment; filename=\"R__sum_.txt\"; filename*=UTF-8''R%C3%A9_sum%C3%A9.txt"
        );
    }
}
