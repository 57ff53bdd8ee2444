-- Delegate conferences: the delegates each branch sends, apportioned once by its paid-up
-- members on the day the constitution says (the clause and its terms kept with them); the
-- credentials branches record for delegates and substitutes; members' challenges to a
-- credential and the ruling on each, with its reason; delegates (and substitutes standing in)
-- checked in; and card votes, each delegate's card fixed when the vote opens and every vote
-- cast on the record. Nothing decided is deleted or rewritten.

CREATE TABLE delegate_conferences (
    meeting_id           INTEGER PRIMARY KEY REFERENCES meetings(id),
    clause               TEXT NOT NULL,
    counted_on           TEXT NOT NULL,
    members_per_delegate INTEGER NOT NULL CHECK (members_per_delegate >= 1),
    minimum              INTEGER NOT NULL CHECK (minimum >= 0),
    maximum              INTEGER CHECK (maximum >= 1),
    substitutes          INTEGER NOT NULL CHECK (substitutes >= 0),
    card_vote            TEXT NOT NULL CHECK (card_vote IN ('none', 'split-among-present', 'per-delegate')),
    credentials_due_at   TEXT NOT NULL,
    challenges_close_at  TEXT NOT NULL,
    ruled_by             TEXT NOT NULL,
    apportioned_by       INTEGER REFERENCES members(id),
    apportioned_at       TEXT NOT NULL,
    event_seq            INTEGER NOT NULL REFERENCES governance_events(seq)
);

CREATE TABLE delegate_allocations (
    meeting_id INTEGER NOT NULL REFERENCES delegate_conferences(meeting_id),
    branch_id  INTEGER NOT NULL REFERENCES units(id),
    paid_up    INTEGER NOT NULL CHECK (paid_up >= 0),
    delegates  INTEGER NOT NULL CHECK (delegates >= 0),
    PRIMARY KEY (meeting_id, branch_id)
) WITHOUT ROWID;

CREATE TABLE credentials (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES delegate_conferences(meeting_id),
    branch_id   INTEGER NOT NULL REFERENCES units(id),
    member_id   INTEGER NOT NULL REFERENCES members(id),
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('delegate', 'substitute')),
    source      TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('credentialed', 'struck')),
    recorded_by INTEGER REFERENCES members(id),
    recorded_at TEXT NOT NULL,
    event_seq   INTEGER NOT NULL REFERENCES governance_events(seq),
    CONSTRAINT credentials_once UNIQUE (meeting_id, member_id)
);
CREATE INDEX credentials_by_branch ON credentials (meeting_id, branch_id, role);

CREATE TABLE credential_challenges (
    id            INTEGER PRIMARY KEY,
    credential_id INTEGER NOT NULL REFERENCES credentials(id),
    challenger_id INTEGER NOT NULL REFERENCES members(id),
    grounds       TEXT NOT NULL,
    lodged_at     TEXT NOT NULL,
    lodge_seq     INTEGER NOT NULL REFERENCES governance_events(seq),
    ruling        TEXT CHECK (ruling IN ('upheld', 'rejected')),
    reason        TEXT,
    ruled_by      INTEGER REFERENCES members(id),
    ruled_at      TEXT,
    ruling_seq    INTEGER REFERENCES governance_events(seq),
    CONSTRAINT credential_challenges_once UNIQUE (credential_id, challenger_id)
);

-- A delegate present, or a substitute standing in for a delegate of their branch who is not.
CREATE TABLE delegate_attendance (
    meeting_id    INTEGER NOT NULL REFERENCES delegate_conferences(meeting_id),
    credential_id INTEGER NOT NULL REFERENCES credentials(id),
    stands_for    INTEGER REFERENCES credentials(id),
    checked_in_by INTEGER REFERENCES members(id),
    checked_in_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, credential_id),
    CONSTRAINT delegate_attendance_one_stand_in UNIQUE (meeting_id, stands_for)
) WITHOUT ROWID;

CREATE TABLE card_votes (
    motion_id  INTEGER PRIMARY KEY REFERENCES motions(id),
    meeting_id INTEGER NOT NULL REFERENCES delegate_conferences(meeting_id),
    card_vote  TEXT NOT NULL,
    opened_at  TEXT NOT NULL,
    opened_by  INTEGER REFERENCES members(id),
    closed_at  TEXT,
    event_seq  INTEGER NOT NULL REFERENCES governance_events(seq)
);

-- Each delegate's card, fixed when the vote opened.
CREATE TABLE card_holders (
    motion_id     INTEGER NOT NULL REFERENCES card_votes(motion_id),
    member_id     INTEGER NOT NULL REFERENCES members(id),
    credential_id INTEGER NOT NULL REFERENCES credentials(id),
    branch_id     INTEGER NOT NULL REFERENCES units(id),
    card          INTEGER NOT NULL CHECK (card >= 0),
    PRIMARY KEY (motion_id, member_id)
) WITHOUT ROWID;

-- Votes on the record: a delegation answers to its branch for how it cast its card.
CREATE TABLE card_ballots (
    motion_id  INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    submission TEXT NOT NULL,
    choice     TEXT NOT NULL CHECK (choice IN ('for', 'against', 'abstain')),
    card       INTEGER NOT NULL CHECK (card >= 0),
    cast_at    TEXT NOT NULL,
    PRIMARY KEY (motion_id, member_id),
    FOREIGN KEY (motion_id, member_id) REFERENCES card_holders (motion_id, member_id)
) WITHOUT ROWID;

CREATE TRIGGER delegate_conferences_kept BEFORE UPDATE ON delegate_conferences BEGIN
    SELECT RAISE(ABORT, 'an apportionment is kept for the record');
END;
CREATE TRIGGER delegate_conferences_not_deleted BEFORE DELETE ON delegate_conferences BEGIN
    SELECT RAISE(ABORT, 'an apportionment is kept for the record');
END;
CREATE TRIGGER delegate_allocations_kept BEFORE UPDATE ON delegate_allocations BEGIN
    SELECT RAISE(ABORT, 'an apportionment is kept for the record');
END;
CREATE TRIGGER delegate_allocations_not_deleted BEFORE DELETE ON delegate_allocations BEGIN
    SELECT RAISE(ABORT, 'an apportionment is kept for the record');
END;
CREATE TRIGGER credentials_kept BEFORE DELETE ON credentials BEGIN
    SELECT RAISE(ABORT, 'credentials are kept for the record');
END;
-- A credential changes only by being struck, once, on an upheld challenge.
CREATE TRIGGER credentials_struck_only BEFORE UPDATE ON credentials
WHEN OLD.state <> 'credentialed' OR NEW.state <> 'struck'
    OR NEW.member_id <> OLD.member_id OR NEW.branch_id <> OLD.branch_id
    OR NEW.role <> OLD.role OR NEW.meeting_id <> OLD.meeting_id OR NEW.name <> OLD.name
    OR NEW.source <> OLD.source BEGIN
    SELECT RAISE(ABORT, 'a credential changes only by being struck on an upheld challenge');
END;
CREATE TRIGGER credential_challenges_kept BEFORE DELETE ON credential_challenges BEGIN
    SELECT RAISE(ABORT, 'challenges and rulings are kept for the record');
END;
-- A challenge is ruled on once; its grounds never change.
CREATE TRIGGER credential_challenges_ruled_once BEFORE UPDATE ON credential_challenges
WHEN OLD.ruling IS NOT NULL OR NEW.grounds <> OLD.grounds
    OR NEW.credential_id <> OLD.credential_id OR NEW.challenger_id <> OLD.challenger_id BEGIN
    SELECT RAISE(ABORT, 'a ruling once recorded cannot change');
END;
CREATE TRIGGER delegate_attendance_kept BEFORE UPDATE ON delegate_attendance BEGIN
    SELECT RAISE(ABORT, 'attendance is kept for the record');
END;
CREATE TRIGGER delegate_attendance_not_deleted BEFORE DELETE ON delegate_attendance BEGIN
    SELECT RAISE(ABORT, 'attendance is kept for the record');
END;
CREATE TRIGGER card_votes_closed_once BEFORE UPDATE ON card_votes
WHEN OLD.closed_at IS NOT NULL OR NEW.motion_id <> OLD.motion_id
    OR NEW.meeting_id <> OLD.meeting_id OR NEW.card_vote <> OLD.card_vote BEGIN
    SELECT RAISE(ABORT, 'a closed card vote cannot change');
END;
CREATE TRIGGER card_votes_kept BEFORE DELETE ON card_votes BEGIN
    SELECT RAISE(ABORT, 'card votes are kept for the record');
END;
CREATE TRIGGER card_holders_kept BEFORE UPDATE ON card_holders BEGIN
    SELECT RAISE(ABORT, 'a card once fixed cannot change');
END;
CREATE TRIGGER card_holders_not_deleted BEFORE DELETE ON card_holders BEGIN
    SELECT RAISE(ABORT, 'a card once fixed cannot change');
END;
CREATE TRIGGER card_ballots_open BEFORE INSERT ON card_ballots
WHEN (SELECT closed_at FROM card_votes WHERE motion_id = NEW.motion_id) IS NOT NULL BEGIN
    SELECT RAISE(ABORT, 'the card vote has closed');
END;
CREATE TRIGGER card_ballots_final BEFORE UPDATE ON card_ballots BEGIN
    SELECT RAISE(ABORT, 'a vote once cast cannot change');
END;
CREATE TRIGGER card_ballots_kept BEFORE DELETE ON card_ballots BEGIN
    SELECT RAISE(ABORT, 'a vote once cast cannot be removed');
END;
