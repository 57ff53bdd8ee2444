//! Letters delivered over a real SMTP conversation to the loopback sink, read back as a mail
//! client would: envelope, headers, MIME parts and the calendar inside them.

use std::sync::Arc;
use std::time::Duration;

use charter_mail::{Invite, Letter, Mailer, Method, Organizer, SendError, SmtpConfig};
use charter_test_support::{MailPart, ReceivedMail, Refusal, SmtpSink};
use chrono::{TimeZone, Utc};

const WAIT: Duration = Duration::from_secs(10);

fn config(sink: &SmtpSink) -> SmtpConfig {
    SmtpConfig::from_url(&format!(
        "smtp://{}:{}?from=North%20Branch%20Secretary%20%3Csecretary@north.example.org%3E",
        sink.host(),
        sink.port()
    ))
    .unwrap()
}

fn invite() -> Invite {
    Invite {
        uid: "meeting-7@charter.example.org".into(),
        sequence: 2,
        method: Method::Request,
        stamp: Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap(),
        starts: Utc.with_ymd_and_hms(2026, 12, 3, 19, 30, 0).unwrap(),
        ends: Utc.with_ymd_and_hms(2026, 12, 3, 21, 0, 0).unwrap(),
        summary: "North branch AGM".into(),
        location: Some("Hall 2, High Street".into()),
        description: Some("Agenda: reports; elections; motions.".into()),
        url: Some("https://charter.example.org/meetings/7".into()),
        organizer: Some(Organizer {
            name: "North Branch Secretary".into(),
            email: "secretary@north.example.org".into(),
        }),
    }
}

fn letter(to: &str) -> Letter {
    Letter {
        to_name: Some("Sam Member".into()),
        to: to.into(),
        subject: "Notice of the North branch AGM".into(),
        text: "The AGM is on 3 December at 19:30.\n\nThe agenda follows.".into(),
        html: Some("<p>The AGM is on <b>3 December</b> at 19:30.</p>".into()),
        invite: Some(invite()),
    }
}

async fn deliver(letter: &Letter, message_id: &str) -> ReceivedMail {
    let sink = SmtpSink::start().await;
    let mailer = Mailer::new(&config(&sink)).unwrap();
    mailer.send(letter, message_id).await.unwrap();
    let mut mail = sink.wait_for(1, WAIT).await.unwrap();
    assert_eq!(mail.len(), 1);
    mail.remove(0)
}

fn part<'a>(parts: &'a [MailPart], media_type: &str) -> &'a MailPart {
    parts
        .iter()
        .find(|p| p.media_type() == media_type)
        .unwrap_or_else(|| panic!("no {media_type} part"))
}

/// Content lines after undoing RFC 5545 folding.
fn unfolded(ics: &str) -> Vec<String> {
    ics.replace("\r\n ", "")
        .split_terminator("\r\n")
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn invitation_arrives_with_envelope_headers_and_calendar() {
    let mail = deliver(
        &letter("sam@example.org"),
        "notice-3.member-42@charter.example.org",
    )
    .await;

    assert_eq!(mail.from, "secretary@north.example.org");
    assert_eq!(mail.to, ["sam@example.org"]);
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Notice of the North branch AGM")
    );
    assert_eq!(
        mail.header("To").as_deref(),
        Some("\"Sam Member\" <sam@example.org>")
    );
    assert_eq!(
        mail.header("From").as_deref(),
        Some("\"North Branch Secretary\" <secretary@north.example.org>")
    );
    assert_eq!(
        mail.header("Message-ID").as_deref(),
        Some("<notice-3.member-42@charter.example.org>")
    );
    assert!(mail.header("Date").is_some());
    assert!(
        mail.header("Content-Type")
            .unwrap()
            .starts_with("multipart/mixed")
    );

    let parts = mail.parts();
    let types: Vec<String> = parts.iter().map(MailPart::media_type).collect();
    assert_eq!(
        types,
        [
            "text/plain",
            "text/html",
            "text/calendar",
            "application/ics"
        ]
    );
    assert_eq!(
        part(&parts, "text/plain").body,
        "The AGM is on 3 December at 19:30.\r\n\r\nThe agenda follows."
    );
    assert!(part(&parts, "text/html").body.contains("<b>3 December</b>"));

    let calendar = part(&parts, "text/calendar");
    assert_eq!(
        calendar.content_type_param("method").as_deref(),
        Some("REQUEST")
    );
    assert_eq!(
        calendar
            .content_type_param("charset")
            .map(|c| c.to_ascii_lowercase())
            .as_deref(),
        Some("utf-8")
    );
    let lines = unfolded(&calendar.body);
    for expected in [
        "METHOD:REQUEST",
        "UID:meeting-7@charter.example.org",
        "SEQUENCE:2",
        "DTSTART:20261203T193000Z",
        "DTEND:20261203T210000Z",
        "STATUS:CONFIRMED",
        "SUMMARY:North branch AGM",
        r"LOCATION:Hall 2\, High Street",
        r"DESCRIPTION:Agenda: reports\; elections\; motions.",
        "ORGANIZER;CN=\"North Branch Secretary\":mailto:secretary@north.example.org",
        "ATTENDEE;CN=\"Sam Member\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:sam@example.org",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected} missing from {lines:#?}"
        );
    }

    let attachment = part(&parts, "application/ics");
    let disposition = attachment.header("Content-Disposition").unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(disposition.contains("invite.ics"), "{disposition}");
    assert_eq!(attachment.body, calendar.body);
}

#[tokio::test]
async fn cancellation_says_cancel_and_cancelled() {
    let mut letter = letter("sam@example.org");
    letter.invite = Some(Invite {
        method: Method::Cancel,
        sequence: 3,
        ..invite()
    });
    let mail = deliver(&letter, "<notice-4.member-42@charter.example.org>").await;
    assert_eq!(
        mail.header("Message-ID").as_deref(),
        Some("<notice-4.member-42@charter.example.org>"),
        "an id given with brackets is not bracketed twice"
    );
    let parts = mail.parts();
    let calendar = part(&parts, "text/calendar");
    assert_eq!(
        calendar.content_type_param("method").as_deref(),
        Some("CANCEL")
    );
    let lines = unfolded(&calendar.body);
    for expected in [
        "METHOD:CANCEL",
        "STATUS:CANCELLED",
        "SEQUENCE:3",
        "UID:meeting-7@charter.example.org",
    ] {
        assert!(lines.iter().any(|l| l == expected), "{expected}");
    }
    assert!(!lines.iter().any(|l| l == "STATUS:CONFIRMED"));
}

#[tokio::test]
async fn non_ascii_names_subjects_and_text_are_encoded() {
    let sink = SmtpSink::start().await;
    let config = SmtpConfig::from_url(&format!(
        "smtp://{}:{}?from=Secr%C3%A9taire%20de%20section%20%3Csecretariat@nord.example.org%3E",
        sink.host(),
        sink.port()
    ))
    .unwrap();
    let mailer = Mailer::new(&config).unwrap();
    let summary = "Assemblée générale — élection du bureau, motions et questions diverses ✓";
    let letter = Letter {
        to_name: Some("Zoë Ñandú-Øster".into()),
        to: "zoe@example.org".into(),
        subject: "Convocation : assemblée générale du 3 décembre — ordre du jour ✓".into(),
        text: "Chère Zoë,\nl’assemblée aura lieu à 19 h 30.".into(),
        html: None,
        invite: Some(Invite {
            summary: summary.into(),
            ..invite()
        }),
    };
    mailer
        .send(&letter, "notice-5.member-9@charter.example.org")
        .await
        .unwrap();
    let mail = &sink.wait_for(1, WAIT).await.unwrap()[0];

    assert!(
        mail.data.is_ascii(),
        "headers and bodies are encoded, so no relay needs 8BITMIME"
    );
    assert_eq!(
        mail.decoded_header("Subject").as_deref(),
        Some(letter.subject.as_str())
    );
    assert_eq!(
        mail.decoded_header("To").as_deref(),
        Some("Zoë Ñandú-Øster <zoe@example.org>")
    );
    assert_eq!(
        mail.decoded_header("From").as_deref(),
        Some("Secrétaire de section <secretariat@nord.example.org>")
    );
    let parts = mail.parts();
    assert_eq!(
        part(&parts, "text/plain").body,
        "Chère Zoë,\r\nl’assemblée aura lieu à 19 h 30."
    );
    let calendar = &part(&parts, "text/calendar").body;
    assert!(calendar.split("\r\n").all(|line| line.len() <= 75));
    let lines = unfolded(calendar);
    assert!(
        lines
            .iter()
            .any(|l| l == &format!("SUMMARY:{}", summary.replace(',', "\\,"))),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("ATTENDEE;CN=\"Zoë Ñandú-Øster\""))
    );
}

#[tokio::test]
async fn a_letter_without_html_or_invite_is_plain_text() {
    let letter = Letter {
        to_name: None,
        to: "sam@example.org".into(),
        subject: "Dues reminder".into(),
        text: "Your dues are due.".into(),
        html: None,
        invite: None,
    };
    let mail = deliver(&letter, "dues-1@charter.example.org").await;
    assert_eq!(mail.header("To").as_deref(), Some("sam@example.org"));
    let parts = mail.parts();
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].media_type(), "text/plain");
    // lettre ends a single-part body with a line break of its own.
    assert_eq!(parts[0].body.trim_end(), "Your dues are due.");
}

#[tokio::test]
async fn html_without_invite_is_alternative() {
    let mut letter = letter("sam@example.org");
    letter.invite = None;
    let mail = deliver(&letter, "n-6@charter.example.org").await;
    assert!(
        mail.header("Content-Type")
            .unwrap()
            .starts_with("multipart/alternative")
    );
    let types: Vec<String> = mail.parts().iter().map(MailPart::media_type).collect();
    assert_eq!(types, ["text/plain", "text/html"]);
}

#[tokio::test]
async fn refused_recipient_is_permanent_and_deferred_is_transient() {
    let sink = SmtpSink::start().await;
    sink.refuse("gone@example.org", Refusal::Permanent);
    sink.refuse("greylisted@example.org", Refusal::Transient);
    let mailer = Mailer::new(&config(&sink)).unwrap();

    let gone = mailer
        .send(&letter("gone@example.org"), "a-1@charter.example.org")
        .await
        .unwrap_err();
    assert!(gone.is_permanent(), "{gone}");
    assert!(gone.to_string().contains("550"), "{gone}");

    let later = mailer
        .send(&letter("greylisted@example.org"), "a-2@charter.example.org")
        .await
        .unwrap_err();
    assert!(matches!(later, SendError::Transient(_)), "{later}");
    assert!(later.to_string().contains("451"), "{later}");

    // A refusal closes that connection; the pool opens another for the next letter.
    mailer
        .send(&letter("sam@example.org"), "a-3@charter.example.org")
        .await
        .unwrap();
    let mail = sink.wait_for(1, WAIT).await.unwrap();
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].to, ["sam@example.org"]);
}

#[tokio::test]
async fn a_letter_that_cannot_be_an_email_fails_permanently_without_sending() {
    let sink = SmtpSink::start().await;
    let mailer = Mailer::new(&config(&sink)).unwrap();
    let bad_address = mailer
        .send(&letter("not an address"), "b-1@charter.example.org")
        .await
        .unwrap_err();
    assert!(bad_address.is_permanent(), "{bad_address}");
    assert!(
        bad_address.to_string().contains("not an address"),
        "{bad_address}"
    );

    let bad_id = mailer
        .send(&letter("sam@example.org"), "b-2\r\nBcc: x@example.org")
        .await
        .unwrap_err();
    assert!(bad_id.is_permanent(), "{bad_id}");

    let mut backwards = letter("sam@example.org");
    backwards.invite = Some(Invite {
        ends: invite().starts,
        ..invite()
    });
    let backwards = mailer
        .send(&backwards, "b-3@charter.example.org")
        .await
        .unwrap_err();
    assert!(backwards.is_permanent(), "{backwards}");

    // Nothing reached the relay: one good letter is the first and only message.
    mailer
        .send(&letter("sam@example.org"), "b-4@charter.example.org")
        .await
        .unwrap();
    let mail = sink.wait_for(1, WAIT).await.unwrap();
    assert_eq!(mail.len(), 1);
    assert_eq!(
        mail[0].header("Message-ID").as_deref(),
        Some("<b-4@charter.example.org>")
    );
}

#[tokio::test]
async fn a_closed_port_is_transient() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let config =
        SmtpConfig::from_url(&format!("smtp://127.0.0.1:{port}?from=a@example.org")).unwrap();
    let err = Mailer::new(&config)
        .unwrap()
        .send(&letter("sam@example.org"), "c-1@charter.example.org")
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Transient(_)), "{err}");
}

#[tokio::test]
async fn a_relay_that_never_answers_is_transient() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts and holds connections without a greeting, like a tarpit or a hung relay.
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let config = SmtpConfig::from_url(&format!(
        "smtp://127.0.0.1:{port}?from=a@example.org&timeout=1"
    ))
    .unwrap();
    let mailer = Mailer::new(&config).unwrap();
    for id in ["d-1@charter.example.org", "d-2@charter.example.org"] {
        let err = mailer
            .send(&letter("sam@example.org"), id)
            .await
            .unwrap_err();
        assert!(matches!(err, SendError::Transient(_)), "{err}");
    }
    silent.abort();
}

#[tokio::test]
async fn tls_that_the_relay_cannot_speak_is_transient() {
    let sink = SmtpSink::start().await;
    for scheme in ["smtps", "smtp+starttls"] {
        let config = SmtpConfig::from_url(&format!(
            "{scheme}://user:pw@{}:{}?from=a@example.org",
            sink.host(),
            sink.port()
        ))
        .unwrap();
        let err = Mailer::new(&config)
            .unwrap()
            .send(&letter("sam@example.org"), "e-1@charter.example.org")
            .await
            .unwrap_err();
        assert!(matches!(err, SendError::Transient(_)), "{scheme}: {err}");
    }
    assert!(sink.messages().is_empty());
}

#[tokio::test]
async fn concurrent_sends_share_the_pool_and_all_arrive() {
    let sink = SmtpSink::start().await;
    let mailer = Arc::new(Mailer::new(&config(&sink)).unwrap());
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..24 {
        let mailer = Arc::clone(&mailer);
        sends.spawn(async move {
            let to = format!("member{i}@example.org");
            mailer
                .send(&letter(&to), &format!("f-{i}@charter.example.org"))
                .await
        });
    }
    while let Some(result) = sends.join_next().await {
        result.unwrap().unwrap();
    }
    let mail = sink.wait_for(24, WAIT).await.unwrap();
    let mut ids: Vec<String> = mail.iter().filter_map(|m| m.header("Message-ID")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 24);
}
