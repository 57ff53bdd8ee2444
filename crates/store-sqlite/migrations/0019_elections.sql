-- Elections to a body's seats: nominations (with the nominators the constitution requires,
-- each candidate's right to stand checked when nominated), candidates' statements and
-- withdrawals, then a ballot built from the valid nominations; when it is counted the winners
-- take their seats for the body's term in one transaction.

CREATE TABLE elections (
    id                   INTEGER PRIMARY KEY,
    body                 TEXT NOT NULL,
    body_id              INTEGER NOT NULL REFERENCES bodies(id),
    title                TEXT NOT NULL,
    seats                INTEGER NOT NULL CHECK (seats >= 1),
    term_days            INTEGER,
    roll_id              INTEGER NOT NULL REFERENCES rolls(id),
    nominators           INTEGER NOT NULL CHECK (nominators >= 1),
    clause               TEXT,
    nominations_close_at TEXT NOT NULL,
    withdrawals_close_at TEXT NOT NULL,
    opens_at             TEXT NOT NULL,
    closes_at            TEXT NOT NULL,
    ballot_id            INTEGER REFERENCES ballots(id),
    seated_at            TEXT,
    created_by           INTEGER REFERENCES members(id),
    created_at           TEXT NOT NULL,
    event_seq            INTEGER NOT NULL REFERENCES governance_events(seq)
);

CREATE TABLE nominations (
    id           INTEGER PRIMARY KEY,
    election_id  INTEGER NOT NULL REFERENCES elections(id),
    candidate_id INTEGER NOT NULL REFERENCES members(id),
    name         TEXT NOT NULL,
    statement    TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL CHECK (state IN ('seeking', 'valid', 'withdrawn')),
    created_at   TEXT NOT NULL,
    withdrawn_at TEXT,
    CONSTRAINT nominations_candidate UNIQUE (election_id, candidate_id)
);

CREATE TABLE nominators (
    nomination_id INTEGER NOT NULL REFERENCES nominations(id),
    member_id     INTEGER NOT NULL REFERENCES members(id),
    nominated_at  TEXT NOT NULL,
    PRIMARY KEY (nomination_id, member_id)
) WITHOUT ROWID;

CREATE TRIGGER elections_kept BEFORE DELETE ON elections BEGIN
    SELECT RAISE(ABORT, 'elections are kept for the record');
END;
CREATE TRIGGER nominations_kept BEFORE DELETE ON nominations BEGIN
    SELECT RAISE(ABORT, 'nominations are kept for the record');
END;
CREATE TRIGGER nominators_kept BEFORE DELETE ON nominators BEGIN
    SELECT RAISE(ABORT, 'nominations are kept for the record');
END;
