-- Ballots of an electorate (a frozen roll) outside meetings: questions decided by a threshold
-- and elections counted by the constitution's method.
--
-- Secrecy: `ballot_voters` records that a member took part; `ballot_box` records choices under
-- a random tracker. Nothing joins them: the box has no member, no time and no link to the
-- voter row, and (WITHOUT ROWID, keyed by the random tracker) no insertion order either.

CREATE TABLE ballots (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    question      TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('question', 'election')),
    decision_kind TEXT,
    method        TEXT NOT NULL,
    seats         INTEGER NOT NULL CHECK (seats >= 1),
    roll_id       INTEGER NOT NULL REFERENCES rolls(id),
    opens_at      TEXT NOT NULL,
    closes_at     TEXT NOT NULL,
    later_vote_replaces INTEGER NOT NULL CHECK (later_vote_replaces IN (0, 1)),
    clause        TEXT,
    rule          TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('scheduled', 'open', 'closed', 'counted')),
    electorate    INTEGER,
    opened_at     TEXT,
    closed_at     TEXT,
    counted_at    TEXT,
    result_json   TEXT,
    outcome       TEXT,
    created_by    INTEGER REFERENCES members(id),
    created_at    TEXT NOT NULL,
    event_seq     INTEGER NOT NULL REFERENCES governance_events(seq),
    CHECK (closes_at > opens_at)
);

CREATE TABLE ballot_options (
    ballot_id INTEGER NOT NULL REFERENCES ballots(id),
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    PRIMARY KEY (ballot_id, position)
) WITHOUT ROWID;

-- Who may vote and whether they have: never what they chose. `link_hash` is the hash of the
-- voter's personal voting link.
CREATE TABLE ballot_voters (
    ballot_id INTEGER NOT NULL REFERENCES ballots(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    branch_id INTEGER NOT NULL,
    link_hash TEXT NOT NULL UNIQUE,
    voted_at  TEXT,
    PRIMARY KEY (ballot_id, member_id)
) WITHOUT ROWID;
CREATE INDEX ballot_voters_branch ON ballot_voters(ballot_id, branch_id);

-- The ballot box. `submission_hash` is the hash of the voter's own ballot id (chosen by their
-- device), so sending the same ballot again is recognised without knowing who sent it.
CREATE TABLE ballot_box (
    ballot_id       INTEGER NOT NULL REFERENCES ballots(id),
    tracker         TEXT NOT NULL,
    submission_hash TEXT NOT NULL,
    sealed          TEXT NOT NULL,
    superseded      INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1)),
    PRIMARY KEY (ballot_id, tracker),
    UNIQUE (ballot_id, submission_hash)
) WITHOUT ROWID;

CREATE TRIGGER ballot_box_open BEFORE INSERT ON ballot_box
WHEN (SELECT state FROM ballots WHERE id = NEW.ballot_id) IS NOT 'open' BEGIN
    SELECT RAISE(ABORT, 'the ballot is not open');
END;
CREATE TRIGGER ballot_box_kept BEFORE DELETE ON ballot_box BEGIN
    SELECT RAISE(ABORT, 'a ballot once cast cannot be removed');
END;
CREATE TRIGGER ballot_box_sealed BEFORE UPDATE ON ballot_box
WHEN NEW.sealed <> OLD.sealed OR NEW.tracker <> OLD.tracker
    OR NEW.submission_hash <> OLD.submission_hash OR OLD.superseded = 1
    OR (SELECT state FROM ballots WHERE id = OLD.ballot_id) IS NOT 'open' BEGIN
    SELECT RAISE(ABORT, 'a ballot once cast cannot change');
END;
CREATE TRIGGER ballot_voters_kept BEFORE DELETE ON ballot_voters BEGIN
    SELECT RAISE(ABORT, 'the record of who took part cannot be removed');
END;
-- A reminder may give a voter who has not voted a fresh link; nothing else changes.
CREATE TRIGGER ballot_voters_once BEFORE UPDATE ON ballot_voters
WHEN OLD.voted_at IS NOT NULL OR NEW.member_id <> OLD.member_id
    OR NEW.branch_id <> OLD.branch_id BEGIN
    SELECT RAISE(ABORT, 'a member takes part once');
END;
CREATE TRIGGER ballots_counted BEFORE UPDATE ON ballots WHEN OLD.state = 'counted' BEGIN
    SELECT RAISE(ABORT, 'a counted ballot cannot change');
END;
CREATE TRIGGER ballots_kept BEFORE DELETE ON ballots BEGIN
    SELECT RAISE(ABORT, 'ballots are kept for the record');
END;
