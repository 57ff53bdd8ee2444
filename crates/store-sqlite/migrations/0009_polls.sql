-- Electronic votes on a motion, taken from members checked in at the meeting: a poll opened
-- by the meeting's officers, named (each voter's choice kept) or secret (the voter kept so
-- nobody votes twice, the choice only counted). A secret vote is never stored with its voter.

CREATE TABLE motion_polls (
    motion_id INTEGER PRIMARY KEY REFERENCES motions(id),
    mode      TEXT NOT NULL CHECK (mode IN ('named', 'secret')),
    opened_at TEXT NOT NULL,
    opened_by INTEGER REFERENCES members(id),
    closed_at TEXT,
    event_seq INTEGER NOT NULL REFERENCES governance_events(seq)
);

-- One row per voter. `submission` is the voter's idempotency key: sending the same vote again
-- is answered "already recorded" and counts nothing. `choice` is kept only in named polls.
CREATE TABLE poll_voters (
    motion_id  INTEGER NOT NULL REFERENCES motion_polls(motion_id),
    member_id  INTEGER NOT NULL REFERENCES members(id),
    submission TEXT NOT NULL,
    choice     TEXT CHECK (choice IN ('for', 'against', 'abstain')),
    cast_at    TEXT NOT NULL,
    PRIMARY KEY (motion_id, member_id)
) WITHOUT ROWID;

CREATE TABLE poll_tallies (
    motion_id INTEGER NOT NULL REFERENCES motion_polls(motion_id),
    choice    TEXT NOT NULL CHECK (choice IN ('for', 'against', 'abstain')),
    votes     INTEGER NOT NULL,
    PRIMARY KEY (motion_id, choice)
) WITHOUT ROWID;

CREATE TRIGGER poll_voters_secret BEFORE INSERT ON poll_voters
    WHEN NEW.choice IS NOT NULL
     AND (SELECT mode FROM motion_polls WHERE motion_id = NEW.motion_id) = 'secret'
BEGIN
    SELECT RAISE(ABORT, 'a secret vote is never stored with its voter');
END;
CREATE TRIGGER poll_voters_named BEFORE INSERT ON poll_voters
    WHEN NEW.choice IS NULL
     AND (SELECT mode FROM motion_polls WHERE motion_id = NEW.motion_id) = 'named'
BEGIN
    SELECT RAISE(ABORT, 'a named vote keeps its choice');
END;
CREATE TRIGGER poll_voters_final BEFORE UPDATE ON poll_voters BEGIN
    SELECT RAISE(ABORT, 'a vote once cast cannot change');
END;
CREATE TRIGGER poll_voters_no_delete BEFORE DELETE ON poll_voters BEGIN
    SELECT RAISE(ABORT, 'a vote once cast cannot be removed');
END;
CREATE TRIGGER poll_tallies_closed BEFORE UPDATE ON poll_tallies
    WHEN (SELECT closed_at FROM motion_polls WHERE motion_id = NEW.motion_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a closed poll''s count cannot change');
END;
