//! Tidy check of the ballot secrecy invariant (ARCHITECTURE.md): no SQL statement reads the
//! ballot box together with a table of voters. The one statement that names both is the
//! cast's mark of its voter, which writes a voter's row, reads nothing back but a row count,
//! and looks in the box only for the ballot's own submission (idempotency).

/// The string literals of a Rust source file (enough for SQL kept in plain "…" literals).
fn literals(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    let mut escaped = false;
    for c in src.chars() {
        match cur.as_mut() {
            None if c == '"' => cur = Some(String::new()),
            None => {}
            Some(s) if escaped => {
                s.push(c);
                escaped = false;
            }
            Some(_) if c == '\\' => escaped = true,
            Some(_) if c == '"' => out.extend(cur.take()),
            Some(s) => s.push(c),
        }
    }
    out
}

fn voters_beside_box(sql: &str) -> bool {
    sql.contains("ballot_box")
        && (sql.contains("ballot_voters") || sql.contains("ballot_paper_voters"))
}

#[test]
fn no_statement_reads_the_box_with_the_voters() {
    for (file, src) in [
        ("sql/paper.rs", include_str!("../sql/paper.rs")),
        ("sql/ballots.rs", include_str!("../sql/ballots.rs")),
    ] {
        let lits = literals(src);
        assert!(lits.iter().any(|l| l.contains("ballot_box")), "{file} read");
        for l in lits.iter().filter(|l| voters_beside_box(l)) {
            assert!(
                file == "sql/ballots.rs"
                    && l.trim_start()
                        .starts_with("UPDATE ballot_voters SET voted_at"),
                "{file}: a statement names the box beside the voters: {l}"
            );
        }
    }
}

#[test]
fn the_check_finds_a_join() {
    let bad = r#"let q = "SELECT v.member_id, x.sealed FROM ballot_voters v JOIN ballot_box x";"#;
    assert!(literals(bad).iter().any(|l| voters_beside_box(l)));
}
