//! The README's first command, run as a newcomer runs it: the real `charter demo` binary under
//! the system clock (no fixed clock anywhere), waited for on `/healthz`, and signed in to with
//! every `demo sign-in:` line it prints. Every other demo test loads under a fixed clock, which
//! is how a demo that failed on every real start once stayed green.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a debug build may take to load the demo before the test gives up.
const LOAD_LIMIT: Duration = Duration::from_secs(600);

struct Demo(Child);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 exchange over a fresh connection: status, headers and body.
fn http(addr: SocketAddr, request: &str) -> Option<(u16, String, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .ok()?;
    stream.write_all(request.as_bytes()).ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n")?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, head.to_string(), body.to_string()))
}

fn get(addr: SocketAddr, path: &str, cookie: Option<&str>) -> Option<(u16, String, String)> {
    let cookie = cookie
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    http(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{cookie}Connection: close\r\n\r\n"),
    )
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

#[test]
fn the_real_demo_starts_under_the_system_clock_and_every_printed_sign_in_works() {
    let data = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_charter"))
        .args(["demo", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .env_remove("CHARTER_DATABASE_URL")
        .env("CHARTER_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("charter demo starts");
    let mut demo = Demo(child);
    let (lines_tx, lines) = mpsc::channel::<String>();
    let stdout = demo.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let stderr = demo.0.stderr.take().unwrap();
    let (err_tx, err_lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = err_tx.send(line);
        }
    });
    let stderr_so_far = || err_lines.try_iter().collect::<Vec<_>>().join("\n");

    // The address line comes once the demo is loaded; the sign-ins follow it.
    let started = Instant::now();
    let addr: SocketAddr = loop {
        match lines.recv_timeout(Duration::from_secs(1)) {
            Ok(line) => {
                if let Some(url) = line.strip_prefix("Charter demo: http://") {
                    break url.trim().parse().expect("the demo prints its address");
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = demo.0.wait().ok();
                panic!(
                    "charter demo exited ({status:?}) before serving:\n{}",
                    stderr_so_far()
                );
            }
        }
        if let Ok(Some(status)) = demo.0.try_wait() {
            panic!(
                "charter demo exited ({status}) before serving:\n{}",
                stderr_so_far()
            );
        }
        assert!(
            started.elapsed() < LOAD_LIMIT,
            "charter demo printed no address in {LOAD_LIMIT:?}:\n{}",
            stderr_so_far()
        );
    };

    let waited = Instant::now();
    loop {
        if let Some((200, _, _)) = get(addr, "/healthz", None) {
            break;
        }
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "/healthz never answered 200:\n{}",
            stderr_so_far()
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // stdout is flushed before the server starts, so every sign-in line is already written.
    let mut sign_ins = Vec::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(2)) {
        if let Some(rest) = line.strip_prefix("demo sign-in: ") {
            let parts: Vec<&str> = rest.split_whitespace().collect();
            assert_eq!(
                parts.len(),
                3,
                "a sign-in line is role, email, password: {line}"
            );
            sign_ins.push((
                parts[0].to_string(),
                parts[1].to_string(),
                parts[2].to_string(),
            ));
        }
    }
    assert!(
        sign_ins.len() >= 3,
        "the demo prints at least the national officer, a branch secretary and a member: {sign_ins:?}"
    );

    for (role, email, password) in &sign_ins {
        let body = format!(
            "{{\"email\":{},\"password\":{}}}",
            json_string(email),
            json_string(password)
        );
        let (status, head, answer) = http(
            addr,
            &format!(
                "POST /api/v1/session HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
                 Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        )
        .expect("the sign-in is answered");
        assert_eq!(status, 200, "{role} ({email}) could not sign in: {answer}");
        let cookie = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("set-cookie")
                    .then(|| value.trim().split(';').next().unwrap_or("").to_string())
            })
            .expect("a session cookie is set");
        // Signed in, the home page sends a member to their own page.
        let (status, head, _) = get(addr, "/", Some(&cookie)).expect("the home page is answered");
        assert_eq!(status, 303, "{role}'s home page redirects");
        assert!(
            head.to_ascii_lowercase().contains("\r\nlocation: /me"),
            "{role} is sent to their membership, not to sign in: {head}"
        );
        let (status, _, me) = get(addr, "/me", Some(&cookie)).expect("/me is answered");
        assert_eq!(status, 200, "{role}'s membership page: {me}");
    }

    // Seven branches' published motions call for the special conference: the requisition
    // stands at seven of the ten branches clause 6.4 needs, shown on the public matter page.
    let (status, _, page) =
        get(addr, "/matters/constitution-2017", None).expect("the matter page is answered");
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("10 branches needed, 7 supported") && page.contains("collecting"),
        "{page}"
    );
}
