//! A letter and how it becomes a MIME message.

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{Address, Message};

use crate::ics::{Invite, invitation};
use crate::mailer::SendError;

/// One email to one person: what the app knows, before any MIME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// The recipient's name for the `To` header; any characters, encoded as needed.
    pub to_name: Option<String>,
    /// The recipient's address; one that does not parse fails the send permanently.
    pub to: String,
    pub subject: String,
    /// The plain-text body, always sent: it is what a text-only client and a screen reader get.
    pub text: String,
    pub html: Option<String>,
    /// A calendar invitation, sent inline (for the client's accept/decline banner) and as an
    /// `invite.ics` attachment (for clients that only offer to open a file).
    pub invite: Option<Invite>,
}

/// The file name calendar attachments carry; clients open `.ics` files in the calendar.
const INVITE_FILE: &str = "invite.ics";

pub(crate) fn build_message(
    from: &Mailbox,
    letter: &Letter,
    message_id: &str,
) -> Result<Message, SendError> {
    let address: Address = letter.to.trim().parse().map_err(|e| {
        SendError::Permanent(format!("recipient address `{}` is invalid: {e}", letter.to))
    })?;
    let to_name = letter.to_name.as_deref().map(one_line);
    let to = Mailbox::new(to_name.clone().filter(|n| !n.is_empty()), address.clone());

    let builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(one_line(&letter.subject))
        .message_id(Some(message_id_header(message_id)?));

    let text = SinglePart::plain(letter.text.clone());
    let html = letter.html.clone().map(SinglePart::html);
    let built = match (&letter.invite, html) {
        (None, None) => builder.singlepart(text),
        (None, Some(html)) => {
            builder.multipart(MultiPart::alternative().singlepart(text).singlepart(html))
        }
        (Some(invite), html) => {
            if invite.ends <= invite.starts {
                return Err(SendError::Permanent(format!(
                    "invite `{}` does not end after it starts",
                    invite.uid
                )));
            }
            let calendar = invitation(invite, Some((to_name.as_deref(), address.as_ref())));
            let mut alternative = MultiPart::alternative().singlepart(text);
            if let Some(html) = html {
                alternative = alternative.singlepart(html);
            }
            // The inline part carries the iTIP method, which is what makes clients treat it as
            // an invitation; the attachment's type is deliberately not text/calendar so those
            // clients do not process the same invitation twice.
            let inline = SinglePart::builder()
                .header(content_type(&format!(
                    "text/calendar; method={}; charset=UTF-8",
                    invite.method.as_str()
                )))
                .body(calendar.clone());
            let attachment = Attachment::new(INVITE_FILE.to_owned())
                .body(calendar, content_type("application/ics"));
            builder.multipart(
                MultiPart::mixed()
                    .multipart(alternative.singlepart(inline))
                    .singlepart(attachment),
            )
        }
    };
    built.map_err(|e| SendError::Permanent(format!("the letter cannot be made into an email: {e}")))
}

/// Header text on one line: a line break in a subject or name would end the header.
fn one_line(s: &str) -> String {
    s.split(['\r', '\n'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .trim()
        .to_owned()
}

/// Only ever called with the constant types tested below.
fn content_type(value: &str) -> ContentType {
    ContentType::parse(value).expect("a constant content type parses")
}

/// `Message-ID` is written verbatim by lettre, so it is checked against RFC 5322 3.6.4
/// (`dot-atom-text "@" dot-atom-text`) here; angle brackets are optional on the way in.
fn message_id_header(id: &str) -> Result<String, SendError> {
    let trimmed = id.trim();
    let bare = trimmed
        .strip_prefix('<')
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(trimmed);
    let valid = bare
        .split_once('@')
        .is_some_and(|(left, right)| dot_atom(left) && dot_atom(right));
    if !valid {
        return Err(SendError::Permanent(format!(
            "message id `{}` is not of the form left@right",
            id.escape_debug()
        )));
    }
    Ok(format!("<{bare}>"))
}

fn dot_atom(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_checked_and_bracketed() {
        assert_eq!(
            message_id_header("notice.7.1@charter.example.org").unwrap(),
            "<notice.7.1@charter.example.org>"
        );
        assert_eq!(
            message_id_header("<a@b>").unwrap(),
            "<a@b>",
            "brackets are accepted"
        );
        for bad in [
            "",
            "no-at",
            "@right",
            "left@",
            "a@b@c",
            "a b@c",
            "a@b\r\nBcc: x@y",
            "a..b@c",
            "<a@b",
        ] {
            assert!(
                message_id_header(bad).unwrap_err().is_permanent(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn header_text_is_kept_on_one_line() {
        assert_eq!(
            one_line("AGM\r\nBcc: x@example.org"),
            "AGM Bcc: x@example.org"
        );
        assert_eq!(one_line(" plain "), "plain");
    }

    #[test]
    fn constant_content_types_parse() {
        for value in [
            "text/calendar; method=REQUEST; charset=UTF-8",
            "text/calendar; method=CANCEL; charset=UTF-8",
            "application/ics",
        ] {
            assert!(ContentType::parse(value).is_ok(), "{value}");
        }
    }
}
