//! `charter invite` as an officer runs it: the real binary against a fresh SQLite file,
//! founded by `charter init`, acting as the founding secretary with their password from
//! `CHARTER_PASSWORD`. What it queued is read back through the store.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use charter_cli::backend::open_store;
use charter_domain::{DuesPlan, Email, MemberStatus, NewMember, PersonName, Postcode};
use charter_store::{EventActor, NewEvent};
use chrono::{NaiveDate, Utc};

const PASSWORD: &str = "founding secretary password";
const EMAIL: &str = "ada.secretary@example.org";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../rules/fixtures")
        .join(name)
}

fn charter(args: &[&str], password: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_charter"))
        .args(args)
        .env_remove("CHARTER_DATABASE_URL")
        .env_remove("CHARTER_TOTP_CODE")
        .env("CHARTER_INIT_PASSWORD", PASSWORD)
        .env("CHARTER_PASSWORD", password)
        .env("CHARTER_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn event() -> NewEvent {
    NewEvent {
        at: Utc::now(),
        actor: EventActor {
            member: None,
            office: Some("test".into()),
        },
        kind: "member.added".into(),
        subject: "test".into(),
        payload: "{}".into(),
        reason: "test".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secretary_invites_everyone_without_a_password() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("charter.db").display());
    let out = charter(
        &[
            "init",
            "--name",
            "Charter Campaign Network",
            "--constitution",
            fixture("founding-2016.toml").to_str().unwrap(),
            "--secretary-email",
            EMAIL,
            "--secretary-name",
            "Ada Lovelace",
            "--secretary-postcode",
            "SE1 7PB",
            "--database",
            &url,
        ],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let store = open_store(&url).await.unwrap();
    let national = store.units().await.unwrap()[0].id;
    let mut members = Vec::new();
    for n in 0..3 {
        let m = NewMember {
            first_name: PersonName::parse("first name", &format!("Member{n}")).unwrap(),
            last_name: PersonName::parse("last name", "Imported").unwrap(),
            email: Email::parse(&format!("imported{n}@example.org")).unwrap(),
            phone: None,
            postcode: Postcode::parse("SE1 7PB").unwrap(),
            branch: national,
            joined_on: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            status: MemberStatus::Active,
            dues_plan: DuesPlan::Monthly,
        };
        members.push(store.add_member(&m, None, &event()).await.unwrap());
    }

    let invite_all = [
        "invite",
        "--all-without-password",
        "--as",
        EMAIL,
        "--database",
        &url,
    ];
    let out = charter(&invite_all, "not the password");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--as"), "{}", text(&out.stderr));

    let out = charter(&invite_all, PASSWORD);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("invited 3 of 3"),
        "{}",
        text(&out.stdout)
    );
    let now = Utc::now();
    let letters = store
        .claim_outbox(now, now + chrono::Duration::minutes(5), 100)
        .await
        .unwrap();
    assert_eq!(letters.len(), 3);
    assert!(letters.iter().all(|l| l.account_link.is_some()));
    assert!(letters.iter().all(|l| !l.body.contains("/set-password/")));

    // One member again; a member who may not invite is refused; so is nonsense.
    let id = members[1].0.to_string();
    let out = charter(
        &["invite", "--member", &id, "--as", EMAIL, "--database", &url],
        PASSWORD,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    store
        .set_password(
            members[0],
            &charter_app::auth::hash_password("member password").unwrap(),
        )
        .await
        .unwrap();
    let out = charter(
        &[
            "invite",
            "--member",
            &id,
            "--as",
            "imported0@example.org",
            "--database",
            &url,
        ],
        "member password",
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = charter(
        &[
            "invite",
            "--member",
            "999999",
            "--as",
            EMAIL,
            "--database",
            &url,
        ],
        PASSWORD,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = charter(&["invite", "--as", EMAIL, "--database", &url], PASSWORD);
    assert!(
        !out.status.success(),
        "one of --member or --all-without-password"
    );
}
