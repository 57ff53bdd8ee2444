//! Headless Chromium through Debian's chromedriver, for end-to-end tests of the web UI.
//!
//! One chromedriver serves every test in a test binary (starting one costs about a second);
//! each test gets its own session and its own fresh Chromium profile, so cookies and storage
//! never leak between tests.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use serde_json::json;

use crate::skip::{Requirement, require_or_skip};

/// Overrides the chromedriver binary (default `/usr/bin/chromedriver`).
pub const CHROMEDRIVER_VAR: &str = "CHARTER_CHROMEDRIVER";
/// Overrides the Chromium binary (default `/usr/bin/chromium`).
pub const CHROMIUM_VAR: &str = "CHARTER_CHROMIUM";

const STARTUP_TIMEOUT: Duration = Duration::from_secs(15);
const START_ATTEMPTS: usize = 3;

/// Why the browser harness could not start.
#[derive(Debug, thiserror::Error)]
pub enum BrowserError {
    #[error("{what} not found at {path} (set {var} or install chromium and chromium-driver)")]
    Missing {
        what: &'static str,
        path: PathBuf,
        var: &'static str,
    },
    #[error("cannot start chromedriver: {0}")]
    Spawn(#[source] io::Error),
    #[error(
        "chromedriver did not listen within {timeout:?} after {attempts} attempts; its log: {log}"
    )]
    NotListening {
        timeout: Duration,
        attempts: usize,
        log: String,
    },
    /// An earlier test in this binary failed to start chromedriver; this is its reason.
    #[error("{0}")]
    Earlier(String),
    #[error("chromedriver refused a new Chromium session ({source}); see {log}")]
    Session {
        #[source]
        source: fantoccini::error::NewSessionError,
        log: String,
    },
}

/// The chromedriver of this test binary. Lives in a static for the whole process; statics are
/// never dropped, so cleanup is done by a watchdog shell instead (see `spawn_watched`).
struct Driver {
    url: String,
    /// Per-process directory holding the Chromium profiles and the chromedriver log.
    root: PathBuf,
    chromium: PathBuf,
    _watchdog: Child,
    /// Closed by the kernel when this process exits, however it exits: the watchdog's cue.
    _lifeline: ChildStdin,
}

static DRIVER: OnceLock<Result<Driver, String>> = OnceLock::new();

/// A new WebDriver session in headless Chromium, or `None` after printing
/// `SKIPPED (no browser): <test>: <reason>` when chromedriver or Chromium is unavailable.
/// Panics instead of skipping when the browser is required (`CHARTER_REQUIRE_BROWSER=1` or
/// `CI=true`).
///
/// Call `client.close().await` at the end of the test so Chromium exits promptly; anything left
/// running is killed when the test binary exits.
pub async fn browser() -> Option<fantoccini::Client> {
    match try_browser().await {
        Ok(client) => Some(client),
        Err(e) => {
            require_or_skip(Requirement::Browser, &e.to_string());
            None
        }
    }
}

/// Like [`browser`], but returns the reason instead of applying the skip rule.
pub async fn try_browser() -> Result<fantoccini::Client, BrowserError> {
    // Starting chromedriver blocks for up to seconds; keep that off the test's runtime thread.
    let driver = tokio::task::spawn_blocking(|| {
        DRIVER.get_or_init(|| start_driver().map_err(|e| e.to_string()))
    })
    .await
    .expect("starting chromedriver panicked");
    let driver = match driver {
        Ok(driver) => driver,
        Err(reason) => {
            // The first failure is cached so later tests fail fast with the same reason.
            return Err(BrowserError::Earlier(reason.clone()));
        }
    };
    let profile = driver
        .root
        .join(format!("profile-{}", uuid::Uuid::new_v4().simple()));
    let caps = capabilities(&driver.chromium, &profile);
    fantoccini::ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .map_err(|source| BrowserError::Session {
            source,
            log: log_path(&driver.root).display().to_string(),
        })
}

fn capabilities(chromium: &Path, profile: &Path) -> Capabilities {
    let args = [
        "--headless".to_owned(),
        "--no-sandbox".to_owned(),
        "--disable-gpu".to_owned(),
        "--disable-dev-shm-usage".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        "--no-first-run".to_owned(),
        // A fixed size and language keep layout and Accept-Language the same on every machine.
        "--window-size=1280,1024".to_owned(),
        "--lang=en-GB".to_owned(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium.display().to_string(),
            "args": args,
        },
    });
    match caps {
        serde_json::Value::Object(map) => map,
        _ => unreachable!("capabilities are built as a JSON object"),
    }
}

fn binary(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(default), PathBuf::from)
}

fn log_path(root: &Path) -> PathBuf {
    root.join("chromedriver.log")
}

fn start_driver() -> Result<Driver, BrowserError> {
    let chromedriver = binary(CHROMEDRIVER_VAR, "/usr/bin/chromedriver");
    let chromium = binary(CHROMIUM_VAR, "/usr/bin/chromium");
    for (what, path, var) in [
        ("chromedriver", &chromedriver, CHROMEDRIVER_VAR),
        ("Chromium", &chromium, CHROMIUM_VAR),
    ] {
        if !path.is_file() {
            return Err(BrowserError::Missing {
                what,
                path: path.clone(),
                var,
            });
        }
    }
    // A free port can be taken by someone else between our check and chromedriver's bind, so a
    // start that never listens is retried on another port.
    let mut last_log = String::new();
    for _ in 0..START_ATTEMPTS {
        // Per attempt, because a failed attempt's watchdog removes its directory.
        let root = std::env::temp_dir().join(format!(
            "charter-browser-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&root).map_err(BrowserError::Spawn)?;
        let port = free_port().map_err(BrowserError::Spawn)?;
        let (mut watchdog, lifeline) = spawn_watched(&chromedriver, port, &root)?;
        if wait_listening(port, &mut watchdog) {
            return Ok(Driver {
                url: format!("http://127.0.0.1:{port}"),
                root,
                chromium,
                _watchdog: watchdog,
                _lifeline: lifeline,
            });
        }
        // Kept in memory: closing the lifeline makes the watchdog delete the log with its folder.
        last_log = std::fs::read_to_string(log_path(&root)).unwrap_or_default();
        drop(lifeline);
        let _ = watchdog.wait();
    }
    Err(BrowserError::NotListening {
        timeout: STARTUP_TIMEOUT,
        attempts: START_ATTEMPTS,
        log: last_log,
    })
}

/// Starts chromedriver under a small shell that waits for its stdin to close (which happens when
/// this process exits, even by a crash or SIGKILL), then ends its whole process group,
/// chromedriver and every Chromium it started included, and removes `root`.
///
/// This is how we get cleanup at exit without `unsafe` (no atexit, no PR_SET_PDEATHSIG).
fn spawn_watched(
    chromedriver: &Path,
    port: u16,
    root: &Path,
) -> Result<(Child, ChildStdin), BrowserError> {
    use std::os::unix::process::CommandExt as _;
    // The TERM trap comes after chromedriver starts: an ignored signal would be inherited.
    const SCRIPT: &str = r#"
"$0" --port="$1" >>"$2/chromedriver.log" 2>&1 &
trap '' TERM
cat >/dev/null
kill -TERM 0
sleep 1
rm -rf "$2"
kill -KILL 0
"#;
    let mut watchdog = Command::new("/bin/sh")
        .arg("-c")
        .arg(SCRIPT)
        .arg(chromedriver)
        .arg(port.to_string())
        .arg(root)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(BrowserError::Spawn)?;
    let lifeline = watchdog.stdin.take().expect("stdin was piped");
    Ok((watchdog, lifeline))
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_listening(port: u16, watchdog: &mut Child) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        if matches!(watchdog.try_wait(), Ok(Some(_))) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::response::Html;
    use axum::routing::get;
    use fantoccini::Locator;

    async fn serve(app: Router) -> SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    }

    fn site() -> Router {
        Router::new()
            .route(
                "/",
                get(|| async {
                    Html(
                        r#"<!doctype html><title>Home</title>
                        <h1 id="greeting">Hello from Charter</h1>
                        <a id="next" href="/members">Members</a>"#,
                    )
                }),
            )
            .route(
                "/members",
                get(|| async {
                    Html("<!doctype html><title>Members</title><p class=count>21000 members</p>")
                }),
            )
    }

    #[tokio::test]
    async fn browser_loads_a_local_page_and_follows_a_link() {
        let addr = serve(site()).await;
        let Some(client) = browser().await else {
            return;
        };
        client.goto(&format!("http://{addr}/")).await.unwrap();
        let greeting = client.find(Locator::Css("#greeting")).await.unwrap();
        assert_eq!(greeting.text().await.unwrap(), "Hello from Charter");

        client
            .find(Locator::Id("next"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let count = client
            .wait()
            .for_element(Locator::Css("p.count"))
            .await
            .unwrap();
        assert_eq!(count.text().await.unwrap(), "21000 members");
        assert_eq!(client.title().await.unwrap(), "Members");
        client.close().await.unwrap();
    }

    /// Sessions share one chromedriver but not cookies: each has its own profile.
    #[tokio::test]
    async fn sessions_are_isolated() {
        let addr = serve(Router::new().route(
            "/",
            get(|| async { Html("<!doctype html><p id=p>cookie test</p>") }),
        ))
        .await;
        let Some(first) = browser().await else { return };
        let Some(second) = browser().await else {
            return;
        };
        let url = format!("http://{addr}/");
        first.goto(&url).await.unwrap();
        second.goto(&url).await.unwrap();
        first
            .execute("document.cookie = 'session=first'", vec![])
            .await
            .unwrap();
        let cookies = second
            .execute("return document.cookie", vec![])
            .await
            .unwrap();
        assert_eq!(cookies, serde_json::Value::String(String::new()));
        first.close().await.unwrap();
        second.close().await.unwrap();
    }

    #[test]
    fn capabilities_carry_the_required_flags() {
        let caps = capabilities(Path::new("/usr/bin/chromium"), Path::new("/tmp/p"));
        let options = &caps["goog:chromeOptions"];
        assert_eq!(options["binary"], "/usr/bin/chromium");
        let args: Vec<&str> = options["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        for flag in [
            "--headless",
            "--no-sandbox",
            "--disable-dev-shm-usage",
            "--user-data-dir=/tmp/p",
        ] {
            assert!(args.contains(&flag), "missing {flag} in {args:?}");
        }
    }
}
