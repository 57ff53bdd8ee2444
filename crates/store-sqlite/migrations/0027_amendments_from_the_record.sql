-- An amendment is adopted only by a decision on Charter's own record: a motion at a meeting
-- held in Charter, or at a historical meeting that two officers entered independently.
-- Attempts name the motion or the member ballot that decided; a new attempt naming neither
-- is refused.
ALTER TABLE amendment_attempts ADD COLUMN motion_id INTEGER REFERENCES motions(id);
ALTER TABLE amendment_attempts ADD COLUMN ballot_id INTEGER REFERENCES ballots(id);

CREATE TRIGGER amendment_attempts_from_the_record BEFORE INSERT ON amendment_attempts
WHEN (NEW.motion_id IS NULL) = (NEW.ballot_id IS NULL) BEGIN
    SELECT RAISE(ABORT, 'an amendment is decided only by a motion or a member ballot on the record');
END;

-- The member ballot that puts an amendment to the members.
CREATE TABLE ballot_amendments (
    ballot_id    INTEGER PRIMARY KEY REFERENCES ballots(id),
    amendment_id INTEGER NOT NULL REFERENCES amendments(id)
);
CREATE TRIGGER ballot_amendments_no_update BEFORE UPDATE ON ballot_amendments BEGIN
    SELECT RAISE(ABORT, 'the amendment a ballot puts is kept as it was');
END;
CREATE TRIGGER ballot_amendments_no_delete BEFORE DELETE ON ballot_amendments BEGIN
    SELECT RAISE(ABORT, 'the amendment a ballot puts is kept as it was');
END;

-- The motion that puts an amendment to a meeting.
CREATE TABLE amendment_motions (
    motion_id    INTEGER PRIMARY KEY REFERENCES motions(id),
    amendment_id INTEGER NOT NULL REFERENCES amendments(id)
);
CREATE INDEX amendment_motions_amendment ON amendment_motions(amendment_id);
CREATE TRIGGER amendment_motions_no_update BEFORE UPDATE ON amendment_motions BEGIN
    SELECT RAISE(ABORT, 'the amendment a motion puts is kept as it was');
END;
CREATE TRIGGER amendment_motions_no_delete BEFORE DELETE ON amendment_motions BEGIN
    SELECT RAISE(ABORT, 'the amendment a motion puts is kept as it was');
END;

-- A meeting held before the organisation used Charter, entered afterwards: marked with the
-- moment it was entered, which it may not end after.
ALTER TABLE meetings ADD COLUMN historical_entered_at TEXT
    CHECK (historical_entered_at IS NULL OR ends_at <= historical_entered_at);

-- Each officer's own entry of a historical meeting's decision on an amendment. Two different
-- officers' latest entries that agree make the meeting; entries are never changed.
CREATE TABLE historical_entries (
    id            INTEGER PRIMARY KEY,
    amendment_id  INTEGER NOT NULL REFERENCES amendments(id),
    entered_by    INTEGER NOT NULL REFERENCES members(id),
    entered_at    TEXT NOT NULL,
    unit_id       INTEGER REFERENCES units(id),
    body          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    notice_on     TEXT,
    held_on       TEXT NOT NULL,
    entitled      INTEGER NOT NULL CHECK (entitled >= 0),
    present       INTEGER NOT NULL CHECK (present >= 0),
    votes_for     INTEGER NOT NULL CHECK (votes_for >= 0),
    votes_against INTEGER NOT NULL CHECK (votes_against >= 0),
    abstentions   INTEGER NOT NULL CHECK (abstentions >= 0),
    -- The meeting these entries made, once two agreed.
    meeting_id    INTEGER REFERENCES meetings(id),
    event_seq     INTEGER NOT NULL REFERENCES governance_events(seq)
);
CREATE INDEX historical_entries_amendment ON historical_entries(amendment_id, id);
CREATE TRIGGER historical_entries_no_update BEFORE UPDATE ON historical_entries
WHEN OLD.meeting_id IS NOT NULL OR NEW.meeting_id IS NULL
    OR NEW.amendment_id IS NOT OLD.amendment_id OR NEW.entered_by IS NOT OLD.entered_by
    OR NEW.entered_at IS NOT OLD.entered_at OR NEW.unit_id IS NOT OLD.unit_id
    OR NEW.body IS NOT OLD.body OR NEW.kind IS NOT OLD.kind
    OR NEW.notice_on IS NOT OLD.notice_on OR NEW.held_on IS NOT OLD.held_on
    OR NEW.entitled IS NOT OLD.entitled OR NEW.present IS NOT OLD.present
    OR NEW.votes_for IS NOT OLD.votes_for OR NEW.votes_against IS NOT OLD.votes_against
    OR NEW.abstentions IS NOT OLD.abstentions OR NEW.event_seq IS NOT OLD.event_seq BEGIN
    SELECT RAISE(ABORT, 'an officer''s entry is kept as it was entered');
END;
CREATE TRIGGER historical_entries_no_delete BEFORE DELETE ON historical_entries BEGIN
    SELECT RAISE(ABORT, 'an officer''s entry is kept as it was entered');
END;

-- A motion to suspend or expel a member names them; adopting it changes their status in the
-- decision's own transaction, and nothing else suspends or expels.
CREATE TABLE status_motions (
    motion_id INTEGER PRIMARY KEY REFERENCES motions(id),
    member_id INTEGER NOT NULL REFERENCES members(id),
    to_status TEXT NOT NULL CHECK (to_status IN ('suspended', 'expelled')),
    clause    TEXT NOT NULL
);
CREATE INDEX status_motions_member ON status_motions(member_id);
CREATE TRIGGER status_motions_no_update BEFORE UPDATE ON status_motions BEGIN
    SELECT RAISE(ABORT, 'what a discipline motion proposes is kept as it was');
END;
CREATE TRIGGER status_motions_no_delete BEFORE DELETE ON status_motions BEGIN
    SELECT RAISE(ABORT, 'what a discipline motion proposes is kept as it was');
END;
