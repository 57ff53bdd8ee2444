-- Rolls: who may exercise a right in a forum, frozen on a cut-off date with a content hash
-- (see charter-rules' roll module for the canonical text), per-branch counts kept at
-- freezing, and challenges to exclusions with their outcomes. A frozen line never changes;
-- an upheld challenge changes only the current eligibility and names itself.

CREATE TABLE rolls (
    id                  INTEGER PRIMARY KEY,
    title               TEXT NOT NULL,
    context             TEXT NOT NULL,
    unit_id             INTEGER REFERENCES units(id),
    right_kind          TEXT NOT NULL,
    cutoff              TEXT NOT NULL,
    version_id          INTEGER NOT NULL REFERENCES constitution_versions(id),
    challenge_closes_on TEXT NOT NULL,
    frozen_hash         TEXT NOT NULL,
    current_hash        TEXT NOT NULL,
    eligible            INTEGER NOT NULL,
    excluded            INTEGER NOT NULL,
    frozen_at           TEXT NOT NULL,
    frozen_by           INTEGER REFERENCES members(id),
    event_seq           INTEGER NOT NULL REFERENCES governance_events(seq)
);

CREATE TABLE roll_reasons (
    roll_id INTEGER NOT NULL REFERENCES rolls(id),
    idx     INTEGER NOT NULL,
    clauses TEXT NOT NULL,
    reason  TEXT NOT NULL,
    PRIMARY KEY (roll_id, idx)
) WITHOUT ROWID;

-- No foreign keys on the lines: they are written in the transaction that creates their roll,
-- from member ids just read from the register; Charter never deletes a member (a status
-- changes instead) and a trigger refuses deleting a roll; per-row referential checks were
-- most of the cost of freezing a large roll.
CREATE TABLE roll_entries (
    roll_id         INTEGER NOT NULL,
    member_id       INTEGER NOT NULL,
    branch_id       INTEGER NOT NULL,
    frozen_eligible INTEGER NOT NULL CHECK (frozen_eligible IN (0, 1)),
    eligible        INTEGER NOT NULL CHECK (eligible IN (0, 1)),
    reason_idx      INTEGER,
    challenge_id    INTEGER,
    PRIMARY KEY (roll_id, member_id)
) WITHOUT ROWID;

CREATE TABLE roll_branch_counts (
    roll_id   INTEGER NOT NULL REFERENCES rolls(id),
    branch_id INTEGER NOT NULL REFERENCES units(id),
    eligible  INTEGER NOT NULL,
    excluded  INTEGER NOT NULL,
    PRIMARY KEY (roll_id, branch_id)
) WITHOUT ROWID;

CREATE TABLE roll_challenges (
    id                 INTEGER PRIMARY KEY,
    roll_id            INTEGER NOT NULL REFERENCES rolls(id),
    member_id          INTEGER NOT NULL REFERENCES members(id),
    grounds            TEXT NOT NULL,
    lodged_at          TEXT NOT NULL,
    lodged_by          INTEGER REFERENCES members(id),
    state              TEXT NOT NULL CHECK (state IN ('open', 'upheld', 'rejected')),
    decision_reason    TEXT,
    decided_at         TEXT,
    decided_by         INTEGER REFERENCES members(id),
    event_seq          INTEGER NOT NULL REFERENCES governance_events(seq),
    decided_event_seq  INTEGER REFERENCES governance_events(seq)
);
CREATE INDEX roll_challenges_roll ON roll_challenges(roll_id, id);
-- One open challenge per member per roll: a second must wait for the first's outcome.
CREATE UNIQUE INDEX roll_challenges_one_open ON roll_challenges(roll_id, member_id)
    WHERE state = 'open';

CREATE TRIGGER roll_entries_frozen BEFORE UPDATE OF roll_id, member_id, branch_id, frozen_eligible, reason_idx
    ON roll_entries BEGIN
    SELECT RAISE(ABORT, 'a frozen roll line cannot change');
END;
CREATE TRIGGER roll_entries_no_delete BEFORE DELETE ON roll_entries BEGIN
    SELECT RAISE(ABORT, 'a frozen roll line cannot be removed');
END;
CREATE TRIGGER rolls_no_delete BEFORE DELETE ON rolls BEGIN
    SELECT RAISE(ABORT, 'a frozen roll cannot be removed');
END;
