//! The README's "Start your organisation" runs as written, on the real `charter` binary under
//! the system clock: every command in its block, in order, on a fresh database (SQLite, and
//! PostgreSQL when there is a server), with `./register` standing for `examples/import`, the
//! server on a free port and its relay a real SMTP sink. Then each invited member's letter
//! arrives, and one of them chooses a password from it and signs in. If the README's steps
//! stop working, this fails.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use charter_test_support::{SmtpSink, fresh_database};

const FOUNDER_PASSWORD: &str = "the founding secretary's password";

/// Kills the server when the test ends, however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The README section's shell block, one command per entry: comments dropped, continued
/// lines joined.
fn start_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md reads");
    let (_, section) = readme
        .split_once("## Start your organisation")
        .expect("the README has a section \"Start your organisation\"");
    let (_, block) = section.split_once("```sh\n").expect("it has a sh block");
    let (block, _) = block.split_once("```").expect("the block closes");
    let mut commands = Vec::new();
    let mut current = String::new();
    for line in block.lines() {
        let line = line.trim();
        if line.starts_with('#') || (line.is_empty() && current.is_empty()) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(line);
                commands.push(std::mem::take(&mut current));
            }
        }
    }
    commands
}

fn http(addr: SocketAddr, request: &str) -> Option<(u16, String, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    stream.write_all(request.as_bytes()).ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, head.to_string(), body.to_string()))
}

fn post_json(addr: SocketAddr, path: &str, body: &serde_json::Value) -> (u16, String) {
    let body = body.to_string();
    let (status, _, answer) = http(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .unwrap_or_else(|| panic!("{path} is answered"));
    (status, answer)
}

/// Starts `charter serve …` and waits until it answers on `/healthz`.
fn start_server(args: &[String], env: &[(String, String)]) -> (Server, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_charter"))
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("CHARTER_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("charter serve starts");
    let stderr = child.stderr.take().unwrap();
    let server = Server(child);
    let (tx, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let started = Instant::now();
    let addr: SocketAddr = loop {
        match lines.recv_timeout(Duration::from_secs(1)) {
            Ok(line) => {
                if let Some(url) = line.strip_prefix("Charter serving on http://") {
                    break url.trim().parse().expect("the server prints its address");
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("charter serve exited"),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "charter serve printed no address"
        );
    };
    loop {
        let health = http(
            addr,
            &format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        );
        if matches!(health, Some((200, _, _))) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "/healthz never answered"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Drain the rest of its standard error so the pipe never fills.
    std::thread::spawn(move || for _ in lines {});
    (server, addr)
}

async fn start_an_organisation(database: &str) {
    let sink = SmtpSink::start().await;
    let relay = format!(
        "smtp://{}:{}?from=members%40example.org",
        sink.host(),
        sink.port()
    );
    let register = repo().join("examples/import").display().to_string();
    let mut env: Vec<(String, String)> = vec![
        ("CHARTER_INIT_PASSWORD".into(), FOUNDER_PASSWORD.into()),
        ("CHARTER_PASSWORD".into(), FOUNDER_PASSWORD.into()),
    ];
    let mut server = None;
    let mut invited = None;
    let commands = start_commands();
    assert!(
        commands.iter().any(|c| c.starts_with("charter init"))
            && commands.iter().any(|c| c.starts_with("charter invite")),
        "the section founds an organisation and invites its members: {commands:?}"
    );
    for command in &commands {
        let words = shlex::split(command).unwrap_or_else(|| panic!("{command} splits"));
        if words[0] == "export" {
            let (name, value) = words[1].split_once('=').expect("export NAME=VALUE");
            // The database is the test's own; anything else is taken as written.
            let value = if name == "CHARTER_DATABASE_URL" {
                database
            } else {
                value
            };
            env.push((name.to_string(), value.to_string()));
            continue;
        }
        assert_eq!(
            words[0], "charter",
            "every step is a charter command: {command}"
        );
        let mut args: Vec<String> = words[1..]
            .iter()
            .map(|w| {
                if w == "./register" {
                    register.clone()
                } else {
                    w.clone()
                }
            })
            .collect();
        if args.last().is_some_and(|a| a == "&") {
            args.pop();
            for (flag, value) in [("--addr", "127.0.0.1:0"), ("--smtp", relay.as_str())] {
                let at = args.iter().position(|a| a == flag).expect(flag) + 1;
                args[at] = value.to_string();
            }
            server = Some(start_server(&args, &env));
            continue;
        }
        let out = Command::new(env!("CARGO_BIN_EXE_charter"))
            .args(&args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .output()
            .expect("charter runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "`{command}` failed ({}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(rest) = stdout.strip_prefix("invited ") {
            invited = rest.split_whitespace().next().and_then(|n| n.parse().ok());
        }
    }
    let (_server, addr) = server.expect("the section starts the server");
    let invited: usize = invited.expect("charter invite says how many it invited");
    assert!(invited > 0, "members were invited");

    // The running server sends every invitation through the relay.
    let letters = sink
        .wait_for(invited, Duration::from_secs(60))
        .await
        .expect("every invitation is delivered");
    assert_eq!(
        letters
            .iter()
            .filter(|m| m.body().contains("/set-password/"))
            .count(),
        invited,
        "each letter is an invitation with its link"
    );
    let letter = letters
        .iter()
        .find(|m| m.body().contains("/set-password/"))
        .unwrap();
    let body = letter.body();
    let at = body.find("/set-password/").unwrap() + "/set-password/".len();
    let token: String = body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let email = letter.to[0].clone();

    // The member chooses a password from the letter and signs in with it.
    let (status, answer) = post_json(
        addr,
        "/api/v1/passwords",
        &serde_json::json!({"token": token, "password": "a member's own password"}),
    );
    assert_eq!(status, 204, "{answer}");
    let (status, answer) = post_json(
        addr,
        "/api/v1/session",
        &serde_json::json!({"email": email, "password": "a member's own password"}),
    );
    assert_eq!(status, 200, "{email} could not sign in: {answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_starts_an_organisation_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("charter.db").display());
    start_an_organisation(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_starts_an_organisation_on_postgres() {
    let Some(db) = fresh_database().await else {
        return;
    };
    start_an_organisation(db.url()).await;
}
