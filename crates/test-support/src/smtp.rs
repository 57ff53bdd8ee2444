//! A real SMTP server on loopback that accepts every message (unless told to refuse chosen
//! recipients) and keeps it for the test.
//!
//! Mail code is tested through a real SMTP conversation rather than a mock transport, so the
//! production transport, its encoding and its error handling are what the tests exercise.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

const GREETING_NAME: &str = "charter-test-sink";
/// Refuse lines past this so a confused client cannot make a test eat all memory.
const MAX_LINE: usize = 1 << 20;

/// One message as delivered: the SMTP envelope and the raw message data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The `MAIL FROM` address, without angle brackets (empty for a null sender).
    pub from: String,
    /// The `RCPT TO` addresses, without angle brackets, in the order given.
    pub to: Vec<String>,
    /// The message (headers and body) after dot-unstuffing, with its CRLF line endings.
    pub data: Vec<u8>,
}

impl ReceivedMail {
    /// The raw message as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }

    /// The first header called `name` (case-insensitive), unfolded, or `None`.
    pub fn header(&self, name: &str) -> Option<String> {
        let text = self.text();
        let (head, _) = split_head_body(&text);
        find_header(head, name)
    }

    /// As [`ReceivedMail::header`], with RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?…?q?…?=`)
    /// decoded, as a mail client would show a non-ASCII subject or name.
    pub fn decoded_header(&self, name: &str) -> Option<String> {
        self.header(name).map(|value| decode_encoded_words(&value))
    }

    /// The token of the first link with `path` (`/set-password/`, `/ballots/7/vote/`) in the
    /// body, as a member would copy it from the letter.
    pub fn link_token(&self, path: &str) -> Option<String> {
        let body = self.body();
        let at = body.find(path)? + path.len();
        Some(
            body[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect(),
        )
    }

    /// The body of a single-part message, decoded from quoted-printable or base64 when the
    /// `Content-Transfer-Encoding` header says so. Multipart bodies are returned undecoded.
    pub fn body(&self) -> String {
        let text = self.text();
        let (head, body) = split_head_body(&text);
        decode_body(head, body)
    }

    /// The leaf parts of a MIME message, depth first, each with its headers and its decoded
    /// body; a single-part message is its own one part.
    pub fn parts(&self) -> Vec<MailPart> {
        let text = self.text();
        let (head, body) = split_head_body(&text);
        let mut parts = Vec::new();
        collect_parts(head, body, &mut parts);
        parts
    }
}

/// One leaf of a MIME message, as returned by [`ReceivedMail::parts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailPart {
    head: String,
    /// The body after undoing its `Content-Transfer-Encoding` (read as UTF-8).
    pub body: String,
}

impl MailPart {
    /// The first header of this part called `name` (case-insensitive), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        find_header(&self.head, name)
    }

    /// The media type without parameters, lower-cased (`text/plain` when absent, per RFC 2045).
    pub fn media_type(&self) -> String {
        self.header("Content-Type")
            .and_then(|t| t.split(';').next().map(|t| t.trim().to_ascii_lowercase()))
            .unwrap_or_else(|| "text/plain".to_owned())
    }

    /// A parameter of the `Content-Type` header (e.g. `method`, `charset`), unquoted.
    pub fn content_type_param(&self, name: &str) -> Option<String> {
        header_param(&self.header("Content-Type")?, name)
    }
}

fn find_header(head: &str, name: &str) -> Option<String> {
    let mut found: Option<String> = None;
    for line in head.split("\r\n").flat_map(|l| l.split('\n')) {
        if let Some(value) = found.as_mut() {
            if line.starts_with([' ', '\t']) {
                value.push(' ');
                value.push_str(line.trim());
                continue;
            }
            break;
        }
        if let Some((key, value)) = line.split_once(':')
            && key.trim().eq_ignore_ascii_case(name)
        {
            found = Some(value.trim().to_owned());
        }
    }
    found
}

/// `name=value` or `name="value"` among the `;`-separated parameters of a header value.
fn header_param(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|param| {
        let (key, val) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| val.trim().trim_matches('"').to_owned())
    })
}

fn decode_body(head: &str, body: &str) -> String {
    let encoding = find_header(head, "Content-Transfer-Encoding").map(|e| e.to_ascii_lowercase());
    match encoding.as_deref() {
        Some("base64") => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            match base64::engine::general_purpose::STANDARD.decode(compact) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(_) => body.to_owned(),
            }
        }
        Some("quoted-printable") => decode_quoted_printable(body),
        _ => body.to_owned(),
    }
}

fn collect_parts(head: &str, body: &str, parts: &mut Vec<MailPart>) {
    let content_type = find_header(head, "Content-Type").unwrap_or_default();
    let boundary = content_type
        .to_ascii_lowercase()
        .starts_with("multipart/")
        .then(|| header_param(&content_type, "boundary"))
        .flatten();
    let Some(boundary) = boundary else {
        parts.push(MailPart {
            head: head.to_owned(),
            body: decode_body(head, body),
        });
        return;
    };
    let delimiter = format!("--{boundary}");
    let close = format!("{delimiter}--");
    let mut current: Option<String> = None;
    for line in body.split("\r\n") {
        let trimmed = line.trim_end();
        if trimmed == delimiter || trimmed == close {
            if let Some(part) = current.take() {
                // The CRLF before a delimiter belongs to the delimiter (RFC 2046 5.1.1).
                let part = part.strip_suffix("\r\n").unwrap_or(&part);
                let (part_head, part_body) = match part.strip_prefix("\r\n") {
                    Some(body) => ("", body),
                    None => split_head_body(part),
                };
                collect_parts(part_head, part_body, parts);
            }
            if trimmed == close {
                return;
            }
            current = Some(String::new());
        } else if let Some(part) = current.as_mut() {
            part.push_str(line);
            part.push_str("\r\n");
        }
    }
}

/// Decodes RFC 2047 encoded words; the whitespace between two adjacent words is dropped, and
/// their bytes are joined before UTF-8 decoding in case an encoder split a character.
fn decode_encoded_words(value: &str) -> String {
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find("=?") {
        let (before, candidate) = rest.split_at(start);
        match encoded_word(candidate) {
            Some((bytes, len)) => {
                if pending.is_empty() || !before.trim().is_empty() {
                    out.push_str(&String::from_utf8_lossy(&std::mem::take(&mut pending)));
                    out.push_str(before);
                }
                pending.extend(bytes);
                rest = &candidate[len..];
            }
            None => {
                out.push_str(&String::from_utf8_lossy(&std::mem::take(&mut pending)));
                out.push_str(&rest[..start + 2]);
                rest = &rest[start + 2..];
            }
        }
    }
    out.push_str(&String::from_utf8_lossy(&pending));
    out.push_str(rest);
    out
}

/// The bytes of the encoded word at the start of `s` and its length in `s`.
fn encoded_word(s: &str) -> Option<(Vec<u8>, usize)> {
    let inner = s.strip_prefix("=?")?;
    let (charset, rest) = inner.split_once('?')?;
    let (encoding, rest) = rest.split_once('?')?;
    let end = rest.find("?=")?;
    let text = &rest[..end];
    if charset.contains([' ', '=']) || text.contains(' ') {
        return None;
    }
    let bytes = match encoding {
        "B" | "b" => base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()?,
        "Q" | "q" => quoted_printable_bytes(&text.replace('_', " ")),
        _ => return None,
    };
    Some((bytes, 2 + charset.len() + 1 + encoding.len() + 1 + end + 2))
}

fn split_head_body(text: &str) -> (&str, &str) {
    text.split_once("\r\n\r\n")
        .or_else(|| text.split_once("\n\n"))
        .unwrap_or((text, ""))
}

fn decode_quoted_printable(body: &str) -> String {
    String::from_utf8_lossy(&quoted_printable_bytes(body)).into_owned()
}

fn quoted_printable_bytes(body: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes[i + 1..].starts_with(b"\r\n") => i += 3,
            b'=' if bytes[i + 1..].starts_with(b"\n") => i += 2,
            b'=' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 3;
                }
                _ => {
                    out.push(b'=');
                    i += 1;
                }
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// Fewer messages than awaited arrived in time.
#[derive(Debug, thiserror::Error)]
#[error("waited {waited:?} for {wanted} message(s) at the SMTP sink, received {received}")]
pub struct WaitTimeout {
    pub wanted: usize,
    pub received: usize,
    pub waited: Duration,
}

/// How the sink answers `RCPT TO` for an address given to [`SmtpSink::refuse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `550 5.1.1`: the mailbox does not exist, so the sender should give up.
    Permanent,
    /// `451 4.3.0`: try again later, as a greylisting or overloaded server answers.
    Transient,
}

/// What the sink refuses, shared between the test and every connection.
#[derive(Debug, Default)]
struct Policy {
    rejecting_all: AtomicBool,
    /// Keyed by lower-cased address.
    refused: Mutex<HashMap<String, Refusal>>,
}

impl Policy {
    fn refusal(&self, address: &str) -> Option<Refusal> {
        if self.rejecting_all.load(Ordering::SeqCst) {
            return Some(Refusal::Permanent);
        }
        self.refused
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&address.to_ascii_lowercase())
            .copied()
    }
}

/// An SMTP server on `127.0.0.1:<random port>` that stores what it receives. No TLS, no auth:
/// connect with lettre's `AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(sink.host())
/// .port(sink.port())`. The server stops when the sink is dropped.
#[derive(Debug)]
pub struct SmtpSink {
    addr: SocketAddr,
    mail: watch::Receiver<Vec<ReceivedMail>>,
    policy: Arc<Policy>,
    server: JoinHandle<()>,
}

impl SmtpSink {
    /// Starts the sink on a free loopback port, on the current Tokio runtime.
    ///
    /// Panics if no loopback port can be bound: the test environment is broken then.
    pub async fn start() -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("SMTP sink cannot bind a port on 127.0.0.1");
        let addr = listener
            .local_addr()
            .expect("bound listener has an address");
        let (store, mail) = watch::channel(Vec::new());
        let store = Arc::new(store);
        let policy = Arc::new(Policy::default());
        let shared = Arc::clone(&policy);
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = Arc::clone(&store);
                let policy = Arc::clone(&shared);
                tokio::spawn(async move {
                    // A client that hangs up mid-conversation is its own test's concern.
                    let _ = serve(stream, &store, &policy).await;
                });
            }
        });
        SmtpSink {
            addr,
            mail,
            policy,
            server,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Always `"127.0.0.1"`.
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every message received so far, in delivery order.
    /// The relay address Charter's mailer takes (`--smtp`) to send here.
    pub fn relay_url(&self) -> String {
        format!(
            "smtp://{}:{}?from=charter%40example.org",
            self.host(),
            self.port()
        )
    }

    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.mail.borrow().clone()
    }

    /// While set, every `RCPT TO` is refused with a permanent `550`, to test delivery failures.
    pub fn set_rejecting(&self, rejecting: bool) {
        self.policy.rejecting_all.store(rejecting, Ordering::SeqCst);
    }

    /// From now on, `RCPT TO` for `address` (case-insensitive) is answered as `refusal` says;
    /// other addresses are still accepted.
    pub fn refuse(&self, address: &str, refusal: Refusal) {
        self.policy
            .refused
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(address.to_ascii_lowercase(), refusal);
    }

    /// Waits until at least `n` messages have arrived and returns all received so far.
    pub async fn wait_for(
        &self,
        n: usize,
        timeout: Duration,
    ) -> Result<Vec<ReceivedMail>, WaitTimeout> {
        let mut rx = self.mail.clone();
        match tokio::time::timeout(timeout, rx.wait_for(|m| m.len() >= n)).await {
            Ok(Ok(mail)) => Ok(mail.clone()),
            _ => Err(WaitTimeout {
                wanted: n,
                received: self.mail.borrow().len(),
                waited: timeout,
            }),
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.server.abort();
    }
}

#[derive(Default)]
struct Transaction {
    from: Option<String>,
    to: Vec<String>,
}

async fn serve(
    stream: TcpStream,
    store: &watch::Sender<Vec<ReceivedMail>>,
    policy: &Policy,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    write
        .write_all(format!("220 {GREETING_NAME} ESMTP ready\r\n").as_bytes())
        .await?;
    let mut tx = Transaction::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        if read_line(&mut read, &mut line).await? == 0 {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&line);
        let command = text.trim_end_matches(['\r', '\n']);
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        let reply: String = match verb.as_str() {
            "EHLO" => {
                tx = Transaction::default();
                format!(
                    "250-{GREETING_NAME}\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800\r\n"
                )
            }
            "HELO" => {
                tx = Transaction::default();
                format!("250 {GREETING_NAME}\r\n")
            }
            "MAIL" => match path_after(command, "FROM:") {
                Some(from) => {
                    tx = Transaction {
                        from: Some(from),
                        to: Vec::new(),
                    };
                    "250 2.1.0 OK\r\n".into()
                }
                None => "501 5.5.4 syntax: MAIL FROM:<address>\r\n".into(),
            },
            "RCPT" => match (&tx.from, path_after(command, "TO:")) {
                (None, _) => "503 5.5.1 MAIL first\r\n".into(),
                (_, None) => "501 5.5.4 syntax: RCPT TO:<address>\r\n".into(),
                (Some(_), Some(to)) => match policy.refusal(&to) {
                    Some(Refusal::Permanent) => {
                        "550 5.1.1 mailbox unavailable (test sink is rejecting)\r\n".into()
                    }
                    Some(Refusal::Transient) => {
                        "451 4.3.0 try again later (test sink is deferring)\r\n".into()
                    }
                    None => {
                        tx.to.push(to);
                        "250 2.1.5 OK\r\n".into()
                    }
                },
            },
            "DATA" if tx.from.is_none() || tx.to.is_empty() => {
                "503 5.5.1 MAIL and RCPT first\r\n".into()
            }
            "DATA" => {
                write
                    .write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let data = read_data(&mut read).await?;
                let finished = std::mem::take(&mut tx);
                store.send_modify(|mail| {
                    mail.push(ReceivedMail {
                        from: finished.from.unwrap_or_default(),
                        to: finished.to,
                        data,
                    })
                });
                "250 2.0.0 OK queued\r\n".into()
            }
            "RSET" => {
                tx = Transaction::default();
                "250 2.0.0 OK\r\n".into()
            }
            "NOOP" => "250 2.0.0 OK\r\n".into(),
            "VRFY" => "252 2.5.0 cannot verify\r\n".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 bye\r\n").await?;
                return write.shutdown().await;
            }
            _ => "502 5.5.2 command not implemented\r\n".into(),
        };
        write.write_all(reply.as_bytes()).await?;
    }
}

/// Reads one line including its terminator; errors on a line longer than `MAX_LINE`.
async fn read_line<R: AsyncBufReadExt + Unpin>(
    read: &mut R,
    line: &mut Vec<u8>,
) -> std::io::Result<usize> {
    let n = (&mut *read)
        .take(MAX_LINE as u64)
        .read_until(b'\n', line)
        .await?;
    if n == MAX_LINE && !line.ends_with(b"\n") {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "SMTP line too long",
        ));
    }
    Ok(n)
}

/// Reads message data up to the lone-dot line, undoing the sender's dot-stuffing (RFC 5321 4.5.2).
async fn read_data<R: AsyncBufReadExt + Unpin>(read: &mut R) -> std::io::Result<Vec<u8>> {
    let mut data = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if read_line(read, &mut line).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(data);
        }
        let unstuffed = line.strip_prefix(b".").unwrap_or(&line);
        data.extend_from_slice(unstuffed);
    }
}

/// The address inside `<…>` after `keyword` (e.g. `FROM:`), ignoring ESMTP parameters.
fn path_after(command: &str, keyword: &str) -> Option<String> {
    let (_, rest) = command.split_once(' ')?;
    let rest = rest.trim_start();
    if !rest.get(..keyword.len())?.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = rest[keyword.len()..].trim_start();
    let path = rest.strip_prefix('<')?;
    let end = path.find('>')?;
    Some(path[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lettre::message::{Mailbox, header::ContentType};
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

    fn transport(sink: &SmtpSink) -> AsyncSmtpTransport<Tokio1Executor> {
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(sink.host())
            .port(sink.port())
            .build()
    }

    fn mailbox(s: &str) -> Mailbox {
        s.parse().unwrap()
    }

    #[tokio::test]
    async fn lettre_delivers_to_the_sink() {
        let sink = SmtpSink::start().await;
        let body =
            "Dear member,\r\n.a line that starts with a dot\r\n..two dots\r\n.\r\nThe end ü\r\n";
        let message = Message::builder()
            .from(mailbox("Secretary <secretary@branch.example>"))
            .to(mailbox("one@example.org"))
            .cc(mailbox("two@example.org"))
            .subject("Notice of meeting")
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_owned())
            .unwrap();
        transport(&sink).send(message).await.unwrap();

        let mail = sink.wait_for(1, Duration::from_secs(5)).await.unwrap();
        assert_eq!(mail.len(), 1);
        let mail = &mail[0];
        assert_eq!(mail.from, "secretary@branch.example");
        assert_eq!(mail.to, ["one@example.org", "two@example.org"]);
        assert_eq!(mail.header("subject").as_deref(), Some("Notice of meeting"));
        // lettre ends the data with its own CRLF, which belongs to the message (RFC 5321 4.1.1.4).
        assert_eq!(mail.body(), format!("{body}\r\n"));
    }

    #[tokio::test]
    async fn several_messages_over_one_connection_are_kept_in_order() {
        let sink = SmtpSink::start().await;
        let transport = transport(&sink);
        for i in 0..3 {
            let message = Message::builder()
                .from(mailbox("a@example.org"))
                .to(mailbox("b@example.org"))
                .subject(format!("message {i}"))
                .body(format!("body {i}"))
                .unwrap();
            transport.send(message).await.unwrap();
        }
        let mail = sink.wait_for(3, Duration::from_secs(5)).await.unwrap();
        let subjects: Vec<_> = mail.iter().filter_map(|m| m.header("Subject")).collect();
        assert_eq!(subjects, ["message 0", "message 1", "message 2"]);
    }

    #[tokio::test]
    async fn rejecting_sink_makes_delivery_fail() {
        let sink = SmtpSink::start().await;
        sink.set_rejecting(true);
        let message = Message::builder()
            .from(mailbox("a@example.org"))
            .to(mailbox("b@example.org"))
            .subject("refused")
            .body(String::from("x"))
            .unwrap();
        let err = transport(&sink).send(message).await.unwrap_err();
        assert!(err.is_permanent(), "{err}");
        assert!(sink.messages().is_empty());
    }

    #[tokio::test]
    async fn chosen_recipients_are_refused_permanently_or_for_now() {
        let sink = SmtpSink::start().await;
        sink.refuse("Gone@Example.org", Refusal::Permanent);
        sink.refuse("busy@example.org", Refusal::Transient);
        let send = async |to: &str| {
            let message = Message::builder()
                .from(mailbox("a@example.org"))
                .to(mailbox(to))
                .subject(to)
                .body(String::from("x"))
                .unwrap();
            transport(&sink).send(message).await
        };
        let gone = send("gone@example.org").await.unwrap_err();
        assert!(gone.is_permanent(), "{gone}");
        assert_eq!(gone.status().map(|c| c.to_string()).as_deref(), Some("550"));
        let busy = send("busy@example.org").await.unwrap_err();
        assert!(busy.is_transient(), "{busy}");
        assert_eq!(busy.status().map(|c| c.to_string()).as_deref(), Some("451"));
        send("other@example.org").await.unwrap();

        let mail = sink.wait_for(1, Duration::from_secs(5)).await.unwrap();
        assert_eq!(mail.len(), 1);
        assert_eq!(mail[0].to, ["other@example.org"]);
    }

    #[tokio::test]
    async fn multipart_parts_and_encoded_headers_are_decoded() {
        use lettre::message::{Attachment, MultiPart, SinglePart};
        let sink = SmtpSink::start().await;
        let message = Message::builder()
            .from(mailbox("a@example.org"))
            .to("Zoë Ñandú <zoe@example.org>".parse().unwrap())
            .subject(
                "Réunion générale annuelle — ordre du jour très détaillé pour tous les membres",
            )
            .multipart(
                MultiPart::mixed()
                    .multipart(MultiPart::alternative_plain_html(
                        String::from("plain café"),
                        String::from("<p>html</p>"),
                    ))
                    .singlepart(Attachment::new("a.ics".into()).body(
                        String::from("BEGIN:VCALENDAR\r\n"),
                        "application/ics".parse().unwrap(),
                    ))
                    .singlepart(SinglePart::plain(String::from("last"))),
            )
            .unwrap();
        transport(&sink).send(message).await.unwrap();
        let mail = sink.wait_for(1, Duration::from_secs(5)).await.unwrap();
        let mail = &mail[0];
        assert_eq!(
            mail.decoded_header("Subject").as_deref(),
            Some("Réunion générale annuelle — ordre du jour très détaillé pour tous les membres")
        );
        assert_eq!(
            mail.decoded_header("To").as_deref(),
            Some("Zoë Ñandú <zoe@example.org>")
        );
        let parts = mail.parts();
        let types: Vec<_> = parts.iter().map(MailPart::media_type).collect();
        assert_eq!(
            types,
            ["text/plain", "text/html", "application/ics", "text/plain"]
        );
        assert_eq!(parts[0].body, "plain café");
        assert_eq!(
            parts[0].content_type_param("charset").as_deref(),
            Some("utf-8")
        );
        assert_eq!(parts[2].body, "BEGIN:VCALENDAR\r\n");
        assert!(
            parts[2]
                .header("Content-Disposition")
                .unwrap()
                .contains("a.ics")
        );
        assert_eq!(parts[3].body, "last");
    }

    #[test]
    fn encoded_words_decode_and_join() {
        assert_eq!(
            decode_encoded_words("=?utf-8?b?Wm/Dqw==?= <z@x>"),
            "Zoë <z@x>"
        );
        assert_eq!(
            decode_encoded_words("=?UTF-8?Q?caf=C3=A9_au?= =?utf-8?q?_lait?= done"),
            "café au lait done"
        );
        // A character split across two words is joined before decoding.
        assert_eq!(
            decode_encoded_words("=?utf-8?b?ww==?= =?utf-8?q?=A9?="),
            "é"
        );
        assert_eq!(
            decode_encoded_words("plain =? not a word"),
            "plain =? not a word"
        );
    }

    #[tokio::test]
    async fn wait_for_times_out_with_counts() {
        let sink = SmtpSink::start().await;
        let err = sink
            .wait_for(1, Duration::from_millis(50))
            .await
            .unwrap_err();
        assert_eq!((err.wanted, err.received), (1, 0));
    }

    /// Commands lettre never sends in the happy path, spoken by hand.
    #[tokio::test]
    async fn raw_conversation_with_rset_noop_and_helo() {
        let sink = SmtpSink::start().await;
        let stream = TcpStream::connect(sink.addr()).await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut read = BufReader::new(read);
        let mut reply = String::new();
        let mut say = async |line: &str| -> String {
            if !line.is_empty() {
                write.write_all(line.as_bytes()).await.unwrap();
            }
            reply.clear();
            read.read_line(&mut reply).await.unwrap();
            reply.clone()
        };
        assert!(say("").await.starts_with("220 "));
        assert!(say("HELO me\r\n").await.starts_with("250 "));
        assert!(say("DATA\r\n").await.starts_with("503 "));
        assert!(say("RCPT TO:<x@example.org>\r\n").await.starts_with("503 "));
        assert!(
            say("MAIL FROM:<dropped@example.org>\r\n")
                .await
                .starts_with("250 ")
        );
        assert!(say("RSET\r\n").await.starts_with("250 "));
        assert!(say("NOOP\r\n").await.starts_with("250 "));
        assert!(say("MAIL FROM: <>\r\n").await.starts_with("250 "));
        assert!(
            say("rcpt to:<x@example.org> NOTIFY=NEVER\r\n")
                .await
                .starts_with("250 ")
        );
        assert!(say("MAIL FROM bad\r\n").await.starts_with("501 "));
        assert!(
            say("MAIL FROM:<a@example.org> BODY=8BITMIME\r\n")
                .await
                .starts_with("250 ")
        );
        assert!(say("RCPT TO:<x@example.org>\r\n").await.starts_with("250 "));
        assert!(say("DATA\r\n").await.starts_with("354 "));
        assert!(
            say("Subject: hi\r\n\r\n..stuffed\r\n.\r\n")
                .await
                .starts_with("250 ")
        );
        assert!(say("STARTTLS\r\n").await.starts_with("502 "));
        assert!(say("QUIT\r\n").await.starts_with("221 "));

        let mail = sink.wait_for(1, Duration::from_secs(5)).await.unwrap();
        assert_eq!(mail[0].from, "a@example.org");
        assert_eq!(mail[0].to, ["x@example.org"]);
        assert_eq!(mail[0].data, b"Subject: hi\r\n\r\n.stuffed\r\n");
    }

    #[test]
    fn quoted_printable_decoding() {
        assert_eq!(
            decode_quoted_printable("caf=C3=A9 =\r\nsoft=3D"),
            "café soft="
        );
        assert_eq!(decode_quoted_printable("trailing ="), "trailing =");
        assert_eq!(decode_quoted_printable("=ZZ"), "=ZZ");
    }

    #[test]
    fn folded_headers_are_unfolded() {
        let mail = ReceivedMail {
            from: String::new(),
            to: vec![],
            data: b"Subject: a long\r\n  subject\r\nX-Other: y\r\n\r\nbody".to_vec(),
        };
        assert_eq!(mail.header("SUBJECT").as_deref(), Some("a long subject"));
        assert_eq!(mail.header("x-other").as_deref(), Some("y"));
        assert_eq!(mail.header("missing"), None);
        assert_eq!(mail.body(), "body");
    }
}
