//! `charter verify ballot FILE|URL`, the binary itself, on the crate's test vectors: an
//! honest board exits 0; every tampered one exits 1 naming the step the manifest expects;
//! a board served over HTTP is read from its address; an unreadable source exits 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ballot-crypto/tests/vectors")
}

fn verify(source: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_charter"))
        .args(["verify", "ballot", source])
        .output()
        .expect("the charter binary runs")
}

#[test]
fn every_vector_is_judged_at_the_manifests_step() {
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(vectors().join("manifest.json")).expect("the manifest"),
    )
    .expect("the manifest reads");
    let entries = manifest.as_array().expect("a list of vectors");
    assert!(entries.len() >= 10, "the vectors are there");
    for v in entries {
        let file = vectors().join(v["file"].as_str().unwrap());
        let out = verify(file.to_str().unwrap());
        let stdout = String::from_utf8_lossy(&out.stdout);
        match v["failing_step"].as_u64() {
            None => {
                assert_eq!(out.status.code(), Some(0), "{file:?}: {stdout}");
                assert!(stdout.starts_with("ok: every step"), "{stdout}");
            }
            Some(step) => {
                assert_eq!(out.status.code(), Some(1), "{file:?}: {stdout}");
                assert!(
                    stdout.starts_with(&format!("step {step} failed: ")),
                    "{file:?}: expected step {step}: {stdout}"
                );
            }
        }
    }
}

#[test]
fn a_document_that_is_not_a_board_fails_step_1_and_a_missing_one_cannot_be_read() {
    let dir = std::env::temp_dir().join(format!("charter-verify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let not_a_board = dir.join("not-a-board.json");
    std::fs::write(&not_a_board, "{\"ballots\": []}").unwrap();
    let out = verify(not_a_board.to_str().unwrap());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("step 1 failed: "));
    let out = verify(dir.join("absent.json").to_str().unwrap());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not read"));
    std::fs::remove_dir_all(&dir).ok();
}

/// Serves `body` once per connection as an HTTP/1.1 JSON response, on a loopback port.
fn serve(body: Vec<u8>) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    format!("http://{addr}/api/v1/ballots/1/board")
}

#[test]
fn a_board_is_read_from_its_address() {
    let honest = std::fs::read(vectors().join("ranked.json")).unwrap();
    let out = verify(&serve(honest));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let tampered = std::fs::read(vectors().join("tampered-shuffle-replaces-ballot.json")).unwrap();
    let out = verify(&serve(tampered));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("step 5 failed: "));
}
